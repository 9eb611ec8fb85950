# http-bench.mk — the HTTP part of `make bench` (issue 16): trainsrv's
# keep-alive GET /v1/next under wrk next to nginx serving a file of the
# same size (tests/bench/http-bench); also alone as `make bench-http`.

.PHONY: bench-http
bench: bench-http
bench-http: all
	BIN=$(BIN) bash tests/bench/http-bench
