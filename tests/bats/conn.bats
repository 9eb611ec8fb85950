#!/usr/bin/env bats
# conn.bats — a worker's connection core under churn and pipelining (issue
# 12, findings 1 and 2): connections closed by a reset while the master's
# answer is on its way, chat clients coming and going, pipelines whose
# replies pass the backpressure mark, a full input buffer.  $BIN/hostile
# (tests/tools/hostile.c) drives the clients; every run is bounded in count
# and time.

load helpers

HOSTILE_PID=
MUTE_PID=

teardown() {
	local p
	for p in $HOSTILE_PID $MUTE_PID; do
		kill -TERM "$p" 2>/dev/null || true
		wait "$p" 2>/dev/null || true
	done
	teardown_server
}

# note TEXT — a figure worth seeing in the suite's output, passed or not.
note() { echo "# $*" >&3; echo "$*"; }

stat_json() { "$BIN/trainsrv-stat" -p "$PORT" -j; }
stat_get() { stat_json | jq -r "$1"; }
worker_pids() { stat_get '.workers[] | select(.state != "dead") | .pid' | sort -n; }
file_has() { grep -q -- "$1" "$2" 2>/dev/null; }
# conns_zero — every worker's open-connections gauge and the total are 0.
conns_zero() {
	[ "$(stat_get '[.connections, .workers[].connections] | map(select(. != 0)) | length')" = 0 ]
}
nicks_zero() { [ "$(stat_get .nicknames)" -eq 0 ]; }
# replies_ge N FILE — FILE holds at least N status lines "OK ...".
replies_ge() { [ "$(grep -c '^OK' "$2")" -ge "$1" ]; }
# cpu_ticks PID... — user + system CPU time of the processes, in clock ticks.
cpu_ticks() {
	local p t=0 v
	for p in "$@"; do
		v=$(sed 's/.*) //' "/proc/$p/stat" 2>/dev/null | awk '{ print $12 + $13 }') || v=0
		t=$((t + ${v:-0}))
	done
	echo "$t"
}

# healthy PIDS — after the churn: the same workers (none died, none was
# respawned), every connection gauge back to 0, PING answered, no worker
# death in the log.
healthy() {
	[ "$(worker_pids)" = "$1" ]
	[ "$(stat_get .respawns)" -eq 0 ]
	wait_until 10 conns_zero
	run ask PING
	[ "${lines[2]}" = "PONG" ]
	if log_has "killed by signal"; then false; fi
	if log_has "exited with status"; then false; fi
	if log_has "count already 0"; then false; fi
}

@test "WHO then a reset, 4 processes for 5 s against 2 workers: no worker dies, gauges back to 0, PING answered" {
	start_server -w 2
	wait_until 10 workers_ready 2
	local pids
	pids=$(worker_pids)
	run timeout $((60 * SCALE)) "$BIN/hostile" -p "$PORT" -g whorst -n 4 -d 5
	echo "$output"
	[ "$status" -eq 0 ]
	note "whorst: $(echo "$output" | grep -o '[0-9]* sessions' | awk '{ s += $1 } END { print s }') sessions reset"
	healthy "$pids"
}

@test "20 chat clients (NAME, WHO, MSG, NEXT, then a close) for 5 s: no worker dies, no name left, gauges back to 0" {
	start_server -w 2
	wait_until 10 workers_ready 2
	local pids
	pids=$(worker_pids)
	run timeout $((60 * SCALE)) "$BIN/hostile" -p "$PORT" -g chat -n 20 -d 5
	echo "$output"
	[ "$status" -eq 0 ]
	healthy "$pids"
	wait_until 10 nicks_zero
}

@test "1,000 pipelined HELP on a connection kept open: all 1,000 answered" {
	start_server -w 1
	wait_until 10 workers_ready 1
	# About 1 KB of reply each: past the 256 KB backpressure mark.
	run timeout $((30 * SCALE)) "$BIN/hostile" -p "$PORT" -g pipeline -n 1000
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == *"1000 of 1000"* ]]
	# Both sides of the mark: a pipeline whose replies stay under it.
	run timeout $((30 * SCALE)) "$BIN/hostile" -p "$PORT" -g pipeline -n 200
	[ "$status" -eq 0 ]
	wait_until 10 conns_zero
}

@test "a full input buffer behind backpressure: the worker does not spin, then answers all 4,000" {
	start_server -w 1
	wait_until 10 workers_ready 1
	local wpid t0 t1
	wpid=$(worker_pids)
	# 20 KB of HELP sent at once and not read for 3 s: the worker stops
	# at 256 KB of replies with the rest of its 16 KB read in c->in.
	"$BIN/hostile" -p "$PORT" -g pipeline -n 4000 -w $((3000 * SCALE)) \
	    -r "$BATS_TEST_TMPDIR/sent" >"$BATS_TEST_TMPDIR/out" 2>&1 &
	HOSTILE_PID=$!
	wait_until 10 file_has sent "$BATS_TEST_TMPDIR/sent"
	# A measuring window, not a wait: CPU used over one second while the
	# client reads nothing (a spinning worker burns all of it).
	t0=$(cpu_ticks "$wpid")
	sleep 1
	t1=$(cpu_ticks "$wpid")
	note "worker CPU while the client does not read: $((t1 - t0)) ticks of $(getconf CLK_TCK)"
	[ $((t1 - t0)) -lt $(( $(getconf CLK_TCK) * 3 / 10 )) ]
	wait "$HOSTILE_PID"
	HOSTILE_PID=
	cat "$BATS_TEST_TMPDIR/out"
	grep -q '4000 of 4000' "$BATS_TEST_TMPDIR/out"
	wait_until 10 conns_zero
}

@test "10,000-line pipelines with large replies, 4 at once: every reply comes, the worker stays" {
	start_server -w 2
	wait_until 10 workers_ready 2
	local pids i p all=()
	pids=$(worker_pids)
	for i in 1 2 3; do
		"$BIN/hostile" -p "$PORT" -g pipeline -n 10000 >"$BATS_TEST_TMPDIR/p$i" 2>&1 &
		all+=($!)
	done
	# One more that makes the server hold its replies for a while.
	"$BIN/hostile" -p "$PORT" -g pipeline -n 10000 -w 500 >"$BATS_TEST_TMPDIR/p4" 2>&1 &
	all+=($!)
	for p in "${all[@]}"; do
		wait "$p"
	done
	for i in 1 2 3 4; do
		cat "$BATS_TEST_TMPDIR/p$i"
		grep -q '10000 of 10000' "$BATS_TEST_TMPDIR/p$i"
	done
	healthy "$pids"
}

@test "stop with a stalled pipeline and a client that never reads: graceful, no SIGKILL" {
	start_server -w 2
	wait_until 10 workers_ready 2
	local t0
	# The issue's recipe: 1,000 HELP, then the client keeps the connection
	# open without sending (nc with sleep 5), reading what comes.
	{ for i in $(seq 1000); do echo HELP; done; sleep $((5 * SCALE)); } |
	    timeout $((20 * SCALE)) socat -t 5 - "TCP:127.0.0.1:$PORT" \
	    >"$BATS_TEST_TMPDIR/replies" &
	HOSTILE_PID=$!
	wait_until 10 replies_ge 1000 "$BATS_TEST_TMPDIR/replies"
	# And one whose input buffer is full, that reads nothing for 30 s:
	# the worker gives it 5 s to take its last replies, then goes.
	"$BIN/hostile" -p "$PORT" -g pipeline -n 4000 -w 30000 \
	    -r "$BATS_TEST_TMPDIR/sent" >/dev/null 2>&1 &
	MUTE_PID=$!
	wait_until 10 file_has sent "$BATS_TEST_TMPDIR/sent"
	t0=$(now_ms)
	kill -TERM "$SERVER_PID"
	wait_until 9 pid_gone "$SERVER_PID"
	note "stop took $(( $(now_ms) - t0 )) ms"
	if log_has "SIGKILL"; then false; fi
	log_has "stopped"
	# The reading client got its notice.
	wait_until 10 file_has '^\* shutdown' "$BATS_TEST_TMPDIR/replies"
}
