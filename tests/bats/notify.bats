#!/usr/bin/env bats
# notify.bats — the systemd readiness protocol (sd_notify) that the master
# speaks when NOTIFY_SOCKET is set, against a fake notify socket
# (tests/tools/notifysink: one line per datagram, newlines as '|').

load helpers

setup() {
	SINK_OUT=$BATS_TEST_TMPDIR/notify.out
	SINK_PID=
}

# The sink first: stop_server waits for every background job.
teardown() {
	if [ -n "$SINK_PID" ]; then kill "$SINK_PID" 2>/dev/null || true; fi
	teardown_server
}

# start_sink ADDR — a fake notify socket at ADDR (a path or @name).
start_sink() {
	"$BIN/notifysink" "$1" "$SINK_OUT" 3>&- &
	SINK_PID=$!
	wait_until 5 test -e "$SINK_OUT"
}

got() { grep -q -- "$1" "$SINK_OUT"; }
# line_of RE — the number of the first datagram matching RE (0: none).
line_of() { grep -n -m1 -- "$1" "$SINK_OUT" | cut -d: -f1 || true; }

@test "notify: READY=1 once the workers are ready, RELOADING/READY on SIGHUP, STOPPING=1" {
	start_sink "$BATS_TEST_TMPDIR/notify.sock"
	NOTIFY_SOCKET=$BATS_TEST_TMPDIR/notify.sock start_server -w 2
	wait_until 10 got '^READY=1|STATUS=2 workers ready, generation 1$'
	workers_ready 2
	[ "$(grep -c 'READY=1' "$SINK_OUT")" -eq 1 ]
	kill -HUP "$SERVER_PID"
	wait_until 10 got '^READY=1|STATUS=reloaded: generation 2, 21 trains$'
	r=$(line_of '^RELOADING=1|MONOTONIC_USEC=[0-9]*|STATUS=reloading ')
	ready=$(line_of 'STATUS=reloaded: generation 2')
	[ "$r" -gt 0 ] && [ "$r" -lt "$ready" ]
	# MONOTONIC_USEC is CLOCK_MONOTONIC when the reload began: before the
	# datagram reached the sink, and not long before.
	usec=$(sed -n 's/^RELOADING=1|MONOTONIC_USEC=\([0-9]*\)|.*/\1/p' "$SINK_OUT")
	recv=$(sed -n "${r}p" "$SINK_OUT.t")
	[ "$usec" -le "$recv" ] && [ "$usec" -ge $((recv - 2000000 * SCALE)) ]
	kill -TERM "$SERVER_PID"
	wait_until 15 pid_gone "$SERVER_PID"
	got '^STOPPING=1|STATUS=stopping'
}

@test "notify: an abstract @name socket works too" {
	name="@trainsrv-test-$$-$RANDOM"
	start_sink "$name"
	NOTIFY_SOCKET=$name start_server -w 1
	wait_until 10 got '^READY=1|STATUS=1 worker ready, generation 1$'
}

@test "notify: a failed reload still ends in READY=1, with the reason in STATUS" {
	TIMETABLE=$BATS_TEST_TMPDIR/tt.txt
	cp "$DATA/sncf.txt" "$TIMETABLE"
	start_sink "$BATS_TEST_TMPDIR/notify.sock"
	NOTIFY_SOCKET=$BATS_TEST_TMPDIR/notify.sock start_server -w 1
	wait_until 10 got '^READY=1'
	echo "2;Valence;Lyon;8:00;9:61;25.00;" >>"$TIMETABLE"
	kill -HUP "$SERVER_PID"
	wait_until 10 got '^READY=1|STATUS=reload failed (1 error); still serving generation 1$'
	got '^RELOADING=1|MONOTONIC_USEC='
}

@test "notify: STATUS= counts the requests served, at most once a second" {
	start_sink "$BATS_TEST_TMPDIR/notify.sock"
	NOTIFY_SOCKET=$BATS_TEST_TMPDIR/notify.sock start_server -w 1
	wait_until 10 got '^READY=1'
	ask PING PING PING >/dev/null
	wait_until 5 got '^STATUS=1 worker ready, generation 1, [4-9] requests$'
	t0=$(now_ms)
	for i in $(seq 1 20); do ask PING >/dev/null; done
	sleep_until=$(( $(now_ms) - t0 ))
	n=$(grep -c '^STATUS=1 worker ready, generation 1, [0-9]* requests$' "$SINK_OUT")
	# One a second at most, plus the one at start.
	[ "$n" -le $(( sleep_until / 1000 + 2 )) ]
}

@test "notify: without NOTIFY_SOCKET nothing changes; a bad one is said and ignored" {
	NOTIFY_SOCKET=relative/path start_server -w 1
	wait_until 10 workers_ready 1
	log_has "NOTIFY_SOCKET=relative/path: want a path or an @name"
	run ask PING
	[ "${lines[2]}" = "PONG" ]
}
