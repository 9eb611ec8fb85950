#!/usr/bin/env bats
# chaos.bats — faults under load (issue 6): workers SIGKILLed at random, the
# master SIGKILLed, trainsrv-stat read while workers die, a storm of reloads.
# trainsrv-bench is the load: it checks every reply, reconnects after a
# dropped connection and resends what had no reply, so `failed` counts the
# requests really lost.  Every loop is bounded in count and in time; under
# the sanitizers (TRAINSRV_SANITIZED) the load is lighter and shorter and
# the timing bounds are multiplied by SCALE.

load helpers

BENCH_PID=
CLIENT_PID=

teardown() {
	local p
	for p in $BENCH_PID $CLIENT_PID; do
		kill -TERM "$p" 2>/dev/null || true
	done
	teardown_server
}

# note TEXT — a figure worth seeing in the suite's output, passed or not.
note() { echo "# $*" >&3; echo "$*"; }

stat_json() { "$BIN/trainsrv-stat" -p "$PORT" -j; }
stat_get() { stat_json | jq -r "$1"; }
stat_ge() { local v; v=$(stat_get "$1") && [ "${v:-0}" -ge "$2" ]; }
stat_eq() { local v; v=$(stat_get "$1") && [ "${v:-x}" = "$2" ]; }
# Ready workers' pids (idle or busy: the worker has started serving).
ready_pids() { stat_get '.workers[] | select(.state == "idle" or .state == "busy") | .pid'; }
live_workers() { [ "$(ready_pids | wc -l)" -eq "$1" ]; }
# no_worker_alive PID... — none of them runs: gone, or a zombie that exited
# and waits for whoever adopted it (init may reap orphans late).
no_worker_alive() {
	local p s
	for p in "$@"; do
		s=$(ps -o stat= -p "$p") || continue
		case $s in Z*) ;; *) return 1 ;; esac
	done
}
# No child of the master is a zombie.
no_zombie() { ! ps -o stat= --ppid "$SERVER_PID" | grep -q Z; }

# bench_start ARGS... — trainsrv-bench in the background, JSON on the last line
# of $BATS_TEST_TMPDIR/bench.out; bench_wait waits for it (bounded) and checks
# that it exited 0, leaving its JSON line in $BENCH_JSON.
# (timeout --foreground: a SIGTERM to timeout reaches the bench once; without
# it timeout also signals its process group, and a second signal makes the
# bench stop at once, status 130, without its report.)
bench_start() {
	timeout --foreground $((400 * SCALE)) "$BIN/trainsrv-bench" -p "$PORT" --json -q "$@" \
	    >"$BATS_TEST_TMPDIR/bench.out" 2>"$BATS_TEST_TMPDIR/bench.err" &
	BENCH_PID=$!
}
bench_wait() {
	local st=0
	wait "$BENCH_PID" || st=$?
	BENCH_PID=
	BENCH_JSON=$(tail -n 1 "$BATS_TEST_TMPDIR/bench.out")
	echo "bench: $BENCH_JSON"
	if [ "$st" -ne 0 ]; then
		echo "trainsrv-bench exited $st"
		cat "$BATS_TEST_TMPDIR/bench.err"
		return 1
	fi
	echo "$BENCH_JSON" | jq -e . >/dev/null
}
bench_field() { echo "$BENCH_JSON" | jq -r ".$1"; }

@test "chaos: a random worker SIGKILLed every 300 ms under load loses nothing" {
	local conns=50 secs=20 period_ms=300 questions
	if [ -n "${TRAINSRV_SANITIZED:-}" ]; then conns=16 secs=10 period_ms=600; fi
	questions=$((secs * 8))
	start_server -w 2
	wait_until 10 workers_ready 2
	bench_start -c "$conns" -d "$secs"
	# A traveller's session through it all: one question every 125 ms
	# (the pace is the session's, not a wait on the server).
	{
		for i in $(seq 1 "$questions"); do
			printf '1\nValence\nGrenoble\n06:00\n'
			sleep 0.125
		done
		printf 'q\n'
	} | timeout $((secs + 60 * SCALE)) "$BIN/trainsrv-client" -h 127.0.0.1 -p "$PORT" \
	    >"$BATS_TEST_TMPDIR/client.out" 2>"$BATS_TEST_TMPDIR/client.err" &
	CLIENT_PID=$!

	local end=$(( $(now_ms) + secs * 1000 )) kills=0 killed=" " pid pids
	while [ "$(now_ms)" -lt "$end" ]; do
		# A ready worker not killed yet (one just respawned may not be
		# ready: killing it then would be an early death, which the
		# crash-loop guard rightly counts).
		pids=$(ready_pids | while read -r p; do
			case "$killed" in *" $p "*) ;; *) echo "$p" ;; esac
		done)
		if [ -n "$pids" ]; then
			pid=$(echo "$pids" | shuf -n 1)
			if kill -KILL "$pid" 2>/dev/null; then
				kills=$((kills + 1))
				killed="$killed$pid "
			fi
		fi
		sleep "$((period_ms / 1000)).$(printf %03d $((period_ms % 1000)))"
	done

	bench_wait
	local st=0
	wait "$CLIENT_PID" || st=$?
	CLIENT_PID=
	local answered
	answered=$(grep -c '^17564  Valence → Grenoble  06:15    07:31' "$BATS_TEST_TMPDIR/client.out" || true)
	note "chaos: $kills workers SIGKILLed in ${secs} s; meanwhile $(bench_field requests)" \
	    "requests ($conns connections) and $answered/$questions client questions;" \
	    "failed $(bench_field failed), wrong $(bench_field wrong_replies)," \
	    "resets $(bench_field resets), resent $(bench_field resent)"
	echo "client exit $st; its messages:"; grep -v '^ \|^option\|^From\|^To\|^Leaving\|^$' "$BATS_TEST_TMPDIR/client.err" | head -20

	# Enough faults to mean something: at least half the planned ones.
	[ "$kills" -ge $((secs * 1000 / period_ms / 2)) ]
	# The server still answers; every death was reaped and respawned.
	run ask PING
	[ "${lines[2]}" = "PONG" ]
	wait_until 5 stat_ge .respawns "$kills"
	[ "$(stat_get .respawns)" -eq "$kills" ]
	wait_until 5 live_workers 2
	wait_until 2 no_zombie
	# No request lost, no wrong reply.
	[ "$(bench_field failed)" -eq 0 ]
	[ "$(bench_field wrong_replies)" -eq 0 ]
	[ "$(bench_field requests)" -gt 0 ]
	# The session saw no failure: every question answered, nothing lost.
	[ "$st" -eq 0 ]
	[ "$answered" -eq "$questions" ]
	refute grep -qi 'lost the connection\|cannot connect\|error' "$BATS_TEST_TMPDIR/client.err"
	# Deaths after start-up never engage the crash-loop guard.
	refute log_has "respawns delayed"
}

@test "SIGKILL on the master under load: workers gone within 1 s; a restart on the port takes over" {
	start_server -w 3
	wait_until 10 workers_ready 3
	bench_start -c 50 -d $((60 * SCALE))
	wait_until 10 stat_ge .requests 2000
	local pids old=$PORT served
	pids=$(ready_pids)
	served=$(stat_get .requests)
	[ "$(echo "$pids" | wc -l)" -eq 3 ]
	kill -KILL "$SERVER_PID"
	wait_until 1 no_worker_alive $pids
	kill -TERM "$BENCH_PID"
	wait "$BENCH_PID" || true
	BENCH_PID=
	note "master SIGKILLed after $served requests; workers $(echo $pids) gone"
	# The dead master's segment is still there, without a live owner.
	[ -e "/dev/shm/trainsrv.$old" ]
	run "$BIN/trainsrv-stat" -p "$old"
	[ "$status" -eq 1 ]

	SERVER_LOG=$BATS_TEST_TMPDIR/second.log
	"$BIN/trainsrv" -b 127.0.0.1 -p "$old" -w 2 -f "$DATA/sncf.txt" </dev/null 2>"$SERVER_LOG" &
	SERVER_PID=$!
	wait_until 10 log_has "listening on 127.0.0.1:$old"
	wait_until 10 workers_ready 2
	# trainsrv-stat reads the new segment: new master, counters from zero.
	[ "$(stat_get .master_pid)" -eq "$SERVER_PID" ]
	[ "$(stat_get .requests)" -eq 0 ]
	[ "$(stat_get .respawns)" -eq 0 ]
	run ask PING
	[ "${lines[2]}" = "PONG" ]
	[ "$(stat_get .requests)" -eq 2 ]
}

@test "trainsrv-stat totals never go backward across 100 samples while workers are killed" {
	start_server -w 2
	wait_until 10 workers_ready 2
	bench_start -c 8 -d $((120 * SCALE))
	wait_until 10 stat_ge .requests 100
	local keys='[.requests, .accepted, .bytes_in, .bytes_out, .respawns,
	    ([.requests_by_command[]] | add), ([.errors_by_code[]] | add // 0),
	    ([.workers[].requests] | add)]'
	local prev='' cur i kills=0 pid
	for i in $(seq 1 100); do
		if [ $((i % 10)) -eq 5 ]; then
			pid=$(ready_pids | shuf -n 1)
			[ -n "$pid" ] && kill -KILL "$pid" 2>/dev/null && kills=$((kills + 1))
		fi
		cur=$(stat_json | jq -c "$keys")
		if [ -n "$prev" ]; then
			jq -en --argjson a "$prev" --argjson b "$cur" \
			    '[range($a | length)] | all(. as $i | $b[$i] >= $a[$i])' >/dev/null ||
			    { echo "went backward at sample $i: $prev -> $cur"; false; }
		fi
		prev=$cur
	done
	kill -TERM "$BENCH_PID"
	bench_wait
	note "stat: 100 samples, $kills workers killed, totals never backward;" \
	    "$(bench_field requests) requests, failed $(bench_field failed)"
	[ "$kills" -ge 9 ]
	[ "$(bench_field failed)" -eq 0 ]
	[ "$(bench_field wrong_replies)" -eq 0 ]
	# requests == sum over commands == sum over slots, at rest.
	wait_until 5 live_workers 2
	cur=$(stat_json | jq -c "$keys")
	[ "$(echo "$cur" | jq '.[0] == .[5] and .[0] == .[7]')" = true ]
}

@test "reload storm: 50 reloads under load, valid and broken files by turns, lose nothing" {
	local n=50 i
	if [ -n "${TRAINSRV_SANITIZED:-}" ]; then n=20; fi
	TIMETABLE=$BATS_TEST_TMPDIR/tt.txt
	cp "$DATA/sncf.txt" "$TIMETABLE"
	start_server -w 2
	wait_until 10 workers_ready 2
	bench_start -c 20 -P 4 -d $((300 * SCALE))
	wait_until 10 stat_ge .requests 500
	local t0
	t0=$(now_ms)
	for i in $(seq 1 "$n"); do
		if [ $((i % 2)) -eq 1 ]; then
			{ cat "$DATA/sncf.txt"; echo "R$i;Valence;Lyon Part-Dieu;8:00;9:10;25.00;"; } \
			    >"$TIMETABLE.new"
		else
			{ cat "$DATA/sncf.txt"; echo "B$i;Valence;Lyon;8:00;9:61;25.00;"; } \
			    >"$TIMETABLE.new"
		fi
		mv "$TIMETABLE.new" "$TIMETABLE"
		kill -HUP "$SERVER_PID"
		wait_until 10 stat_ge .reload_attempts "$i"
	done
	local storm_ms=$(( $(now_ms) - t0 ))
	kill -TERM "$BENCH_PID"
	bench_wait
	note "reload storm: $n reloads in $storm_ms ms; $(bench_field requests) requests," \
	    "$(bench_field reloads) reload notices, $(bench_field resent) resent," \
	    "failed $(bench_field failed), wrong $(bench_field wrong_replies)"
	[ "$(bench_field failed)" -eq 0 ]
	[ "$(bench_field wrong_replies)" -eq 0 ]
	# A graceful reload closes no connection without its notice, and
	# every connection gets exactly one notice per good reload (none for
	# a broken file): 20 connections x (n + 1) / 2 reloads.
	[ "$(bench_field resets)" -eq 0 ]
	[ "$(bench_field reloads)" -eq $(( 20 * ((n + 1) / 2) )) ]
	[ "$(stat_get .reload_attempts)" -eq "$n" ]
	[ "$(stat_get .reload_successes)" -eq $(( (n + 1) / 2 )) ]
	[ "$(stat_get .generation)" -eq $(( (n + 1) / 2 + 1 )) ]
	# It ends on the last valid file.
	local last=$(( n % 2 ? n : n - 1 ))
	[ "$(stat_get .legs)" -eq 22 ]
	run ask "NEXT Valence;Lyon Part-Dieu;07:00"
	[ "${lines[1]}" = "OK 1" ]
	[[ "${lines[2]}" == "R$last;Valence;Lyon Part-Dieu;08:00;09:10;"* ]]
	wait_until 10 live_workers 2
	# No retiring worker had to be killed; no crash-loop guard.
	refute log_has "killed by signal"
	refute log_has "respawns delayed"
}
