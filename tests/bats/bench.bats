#!/usr/bin/env bats
# bench.bats — trainsrv-bench against a real trainsrv: every reply checked,
# the JSON line parsed by jq, requests resent across reloads, and a broken
# server caught (a socat fake whose replies announce more lines than they
# carry).  Runs are short (-n, or -d of a few seconds); waits are polls.

load helpers

FAKE_PID=

setup() {
	BENCH_ERR=$BATS_TEST_TMPDIR/bench.err
}

teardown() {
	if [ -n "$FAKE_PID" ]; then
		kill "$FAKE_PID" 2>/dev/null || true
	fi
	stop_server
}

# bench ARGS... — trainsrv-bench on this test's server; stderr to a file so
# that $output and ${lines[@]} are stdout alone.
bench() {
	timeout $((60 * SCALE)) "$BIN/trainsrv-bench" "$@" 2>"$BENCH_ERR"
}

# last_json — the last line of the last run's stdout, which --json makes
# one JSON object.
last_json() {
	printf '%s\n' "${lines[${#lines[@]}-1]}"
}

# json_is FILTER — the filter (jq -e) holds for the last JSON line.
json_is() {
	last_json | jq -e "$1" >/dev/null || {
		echo "not true: $1" >&2
		last_json >&2
		cat "$BENCH_ERR" >&2
		return 1
	}
}

# Reloads the server has finished: from trainsrv-stat when it answers, else
# from the log.
reloads_done() {
	local n=
	if [ -x "$BIN/trainsrv-stat" ]; then
		n=$("$BIN/trainsrv-stat" -p "$PORT" -j 2>/dev/null |
		    jq -r 'if .reload_attempts == null then empty
			   else [.reload_attempts, (.reload_successes // .reload_attempts)] | min
			   end' 2>/dev/null) || n=
	fi
	if [ -z "$n" ]; then
		n=$(grep -c 'reload' "$SERVER_LOG" || true)
	fi
	echo "${n:-0}"
}

reloads_above() { [ "$(reloads_done)" -gt "$1" ]; }

# new_generation_serving — workers of the published generation have answered
# requests.
new_generation_serving() {
	"$BIN/trainsrv-stat" -p "$PORT" -j | jq -e '.generation as $g |
	    [.workers[] | select(.generation == $g) | .requests] | add > 0' >/dev/null
}

@test "bench: a short run has no wrong reply and a JSON last line" {
	start_server -w 2
	run bench -p "$PORT" -c 10 -n 2000 --json
	[ "$status" -eq 0 ]
	json_is '.requests == 2000 and .wrong_replies == 0 and .failed == 0'
	json_is '.requests_per_sec > 0 and .p50_us > 0 and .p50_us <= .p99_us and .p99_us <= .max_us'
	json_is '[.p90_us, .p999_us, .errors, .resets, .timeouts, .resent, .cpu_percent] | all(. != null)'
	# The text report came first.
	[[ "${lines[0]}" == trainsrv-bench:* ]]
}

@test "bench: pipelined requests (-P 16)" {
	start_server -w 2
	run bench -p "$PORT" -c 10 -P 16 -n 20000 --json -q
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -eq 1 ]
	json_is '.requests == 20000 and .wrong_replies == 0 and .failed == 0 and .pipeline == 16'
}

@test "bench: a new connection per request (--reconnect)" {
	start_server -w 2
	run bench -p "$PORT" -c 10 -n 500 --reconnect --json -q
	[ "$status" -eq 0 ]
	json_is '.requests == 500 and .wrong_replies == 0 and .failed == 0 and .connects >= 500'
}

@test "bench: 100 idle connections held open during the run (--idle)" {
	start_server -w 2
	run bench -p "$PORT" -c 5 -n 2000 --idle 100 --json -q
	[ "$status" -eq 0 ]
	json_is '.requests == 2000 and .wrong_replies == 0 and .failed == 0 and .idle_open == 100'
	grep -q '100 idle connections open' "$BENCH_ERR"
}

@test "bench: reloads during a run lose no request" {
	start_server -w 2
	local out=$BATS_TEST_TMPDIR/bench.out pid i before rc
	"$BIN/trainsrv-bench" -p "$PORT" -c 10 -P 4 -d 3 --json -q -v \
	    >"$out" 2>"$BENCH_ERR" &
	pid=$!
	wait_until 10 log_has "running" "$BENCH_ERR"
	for i in 1 2 3; do
		before=$(reloads_done)
		kill -HUP "$SERVER_PID"
		wait_until 5 reloads_above "$before"
		# The new workers take load before the next reload.
		wait_until 5 new_generation_serving
	done
	rc=0
	wait "$pid" || rc=$?
	[ "$rc" -eq 0 ] || { echo "rc=$rc" >&2; cat "$out" "$BENCH_ERR" >&2; false; }
	run cat "$out"
	json_is '.failed == 0 and .wrong_replies == 0 and .requests > 0'
	# The run did see the reloads: every connection got a notice for each
	# (10 connections, 3 reloads), and none was lost without one.
	json_is '.reloads == 30 and .resets == 0'
}

@test "bench: a reply with fewer lines than it announces is a wrong reply" {
	local fake=$BATS_TEST_TMPDIR/fake.sh log=$BATS_TEST_TMPDIR/socat.log port
	# Greets, reads one request, answers "OK 2" and one line, hangs up.
	cat >"$fake" <<-'EOF'
	#!/bin/sh
	printf '* fake ready\n'
	read -r line
	printf 'OK 2\nonly one line\n'
	EOF
	chmod +x "$fake"
	socat -d -d TCP-LISTEN:0,bind=127.0.0.1,reuseaddr,fork EXEC:"$fake" \
	    </dev/null 2>"$log" &
	FAKE_PID=$!
	wait_until 5 log_has "listening on" "$log"
	port=$(sed -n 's/.*listening on .*:\([0-9][0-9]*\)$/\1/p' "$log" | head -n 1)
	[ -n "$port" ]
	printf 'PING\n' >"$BATS_TEST_TMPDIR/ping.txt"
	run bench -p "$port" -c 1 -n 3 -f "$BATS_TEST_TMPDIR/ping.txt" \
	    --timeout 2 --json -q
	[ "$status" -eq 1 ]
	json_is '.wrong_replies >= 1 and .requests == 0'
}

@test "bench: SIGINT stops the run and still prints the results" {
	start_server -w 2
	local out=$BATS_TEST_TMPDIR/bench.out pid rc
	"$BIN/trainsrv-bench" -p "$PORT" -c 4 -d 60 --json -q -v \
	    >"$out" 2>"$BENCH_ERR" &
	pid=$!
	wait_until 10 log_has "running" "$BENCH_ERR"
	kill -INT "$pid"
	wait_until 5 pid_gone "$pid"
	rc=0
	wait "$pid" || rc=$?
	[ "$rc" -eq 0 ] || { echo "rc=$rc" >&2; cat "$out" "$BENCH_ERR" >&2; false; }
	run cat "$out"
	json_is '.requests > 0 and .failed == 0 and .duration_s < 30'
}

@test "bench: usage errors exit 2 and name every option" {
	run "$BIN/trainsrv-bench" -c 1
	[ "$status" -eq 2 ]
	run "$BIN/trainsrv-bench" --no-such-option
	[ "$status" -eq 2 ]
	run "$BIN/trainsrv-bench" --help
	[ "$status" -eq 0 ]
	for opt in -h -p -c -n -d -P -f -s -t --raw --idle --reconnect --json \
	    --timeout --retries --mix --mix-size -q -v; do
		[[ "$output" == *" $opt "* ]] || { echo "usage lacks $opt" >&2; return 1; }
	done
}

@test "bench: make bench's script prints the six scenarios and the targets" {
	# The smallest run: one round of half a second, a small timetable, no
	# redis, no PSS check, no engine benchmark, no waiting for a quiet machine.
	local out=$BATS_TEST_TMPDIR/suite.out
	run timeout $((120 * SCALE)) env BIN="$BIN" BENCH_DURATION=0.5 BENCH_RUNS=1 \
	    BENCH_LEGS=2000 BENCH_STATIONS=50 BENCH_IDLE=50 BENCH_PSS_LEGS=0 \
	    BENCH_ENGINE=0 BENCH_REDIS=0 BENCH_QUIET_WAIT=0 BENCH_HUP_DURATION=2 \
	    bash "$BATS_TEST_DIRNAME/../bench/run-bench"
	printf '%s\n' "$output" >"$out"
	[ "$status" -eq 0 ] || { cat "$out" >&2; false; }
	for s in "1 NEXT, P=1" "2 NEXT, P=16" "3 realistic mix" "4 NEXT, P=1, + 50 idle" \
	    "5 new connection per request" "6 NEXT, P=1, SIGHUP"; do
		grep -qF "$s" "$out" || { echo "no row: $s" >&2; cat "$out" >&2; false; }
	done
	grep -q 'peer was skipped' "$out"
	grep -q '6: failed = 0 under SIGHUP every second *0 *met' "$out"
	# Every configuration measured something.
	! grep -E '^  trainsrv .* 0 +0\.00 +0\.00' "$out"
}
