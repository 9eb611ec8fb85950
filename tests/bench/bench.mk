# bench.mk — `make bench`: the benchmark suite (tests/bench/run-bench), not
# part of `make test` or CI.  Starts trainsrv (and redis-server when it is
# installed) on 127.0.0.1, runs the six scenarios of BENCHMARKS.md and prints
# one table.  Knobs: BENCH_DURATION, BENCH_RUNS, BENCH_LEGS, BENCH_KEEP, ...
# (see the script's header).

bench: all
	BIN=$(BIN) bash tests/bench/run-bench
