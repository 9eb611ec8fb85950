#!/usr/bin/env bats
# soak.bats — 20 s of everything at once (issue 12, "make the class hard to
# reintroduce"): clients mixing NAME/WHO/MSG/NEXT, pipelined bursts with
# large replies, resets and half-closes, while workers are SIGKILLed and the
# timetable reloaded.  Afterwards nothing may be left over: no worker died
# but the ones killed, every connection gauge is back to 0, PING is
# answered, no nickname is left registered.  It runs in `make test`, and so
# under ASan + UBSan in `make check-asan`, which fails on any report.

load helpers

HOSTILE_PID=

teardown() {
	if [ -n "$HOSTILE_PID" ]; then
		kill -TERM "$HOSTILE_PID" 2>/dev/null || true
		wait "$HOSTILE_PID" 2>/dev/null || true
	fi
	teardown_server
}

note() { echo "# $*" >&3; echo "$*"; }

stat_json() { "$BIN/trainsrv-stat" -p "$PORT" -j; }
stat_get() { stat_json | jq -r "$1"; }
ready_pids() { stat_get '.workers[] | select(.state == "idle" or .state == "busy") | .pid'; }
live_workers() { [ "$(ready_pids | wc -l)" -eq "$1" ]; }
conns_zero() {
	[ "$(stat_get '[.connections, .workers[].connections] | map(select(. != 0)) | length')" = 0 ]
}
nicks_zero() { [ "$(stat_get .nicknames)" -eq 0 ]; }
# who_alone — WHO lists one session: the asker's own.
who_alone() {
	local out
	out=$(ask WHO) || return 1
	[ "$(echo "$out" | sed -n 2p)" = "OK 1" ]
}
# deaths — the workers whose end the master reported (planned exits, as
# after a reload, are not reported): "pid why" lines.
deaths() {
	sed -n 's/.*worker [0-9]* (pid \([0-9]*\)) \(killed by signal.*\|exited with status.*\|dumped core.*\)$/\1 \2/p' \
	    "$SERVER_LOG"
}

@test "soak: 20 s of chat, pipelines, resets and half-closes while workers are killed and reloads run" {
	local procs=8 secs=20 kill_ms=1500 hup_ms=2500
	if [ -n "${TRAINSRV_SANITIZED:-}" ]; then procs=4; fi
	cp "$DATA/sncf.txt" "$BATS_TEST_TMPDIR/tt.txt"
	TIMETABLE=$BATS_TEST_TMPDIR/tt.txt
	start_server -w 3
	wait_until 10 workers_ready 3

	"$BIN/hostile" -p "$PORT" -g mix -n "$procs" -d "$secs" >"$BATS_TEST_TMPDIR/mix.out" 2>&1 &
	HOSTILE_PID=$!

	local end=$(( $(now_ms) + secs * 1000 )) next_kill next_hup t
	local kills=0 hups=0 killed=" " pid pids
	next_kill=$(( $(now_ms) + kill_ms ))
	next_hup=$(( $(now_ms) + hup_ms ))
	while [ "$(now_ms)" -lt "$end" ]; do
		t=$(now_ms)
		if [ "$t" -ge "$next_kill" ]; then
			# A ready worker not killed yet (one just started is not
			# ready: killing it would engage the crash-loop guard).
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
			next_kill=$((t + kill_ms))
		fi
		if [ "$t" -ge "$next_hup" ]; then
			kill -HUP "$SERVER_PID"
			hups=$((hups + 1))
			next_hup=$((t + hup_ms))
		fi
		# The pace of the faults, not a wait on the server.
		sleep 0.1
	done
	local st=0
	wait "$HOSTILE_PID" || st=$?
	HOSTILE_PID=
	cat "$BATS_TEST_TMPDIR/mix.out"
	note "soak: $(grep -o '[0-9]* sessions' "$BATS_TEST_TMPDIR/mix.out" | awk '{ s += $1 } END { print s }')" \
	    "sessions from $procs processes in $secs s; $kills workers killed, $hups reloads"
	[ "$st" -eq 0 ]
	[ "$kills" -ge 3 ]

	# Settled: every worker ready, the last reload done.
	wait_until 20 live_workers 3
	# No worker died but the ones killed, and those of SIGKILL.
	deaths
	local p why
	while read -r p why; do
		case "$killed" in *" $p "*) ;; *) echo "worker $p died unasked: $why"; false ;; esac
		[[ "$why" == "killed by signal 9 "* ]]
	done < <(deaths)
	if log_has "past its deadline"; then false; fi
	if log_has "respawns delayed"; then false; fi
	# Nothing left over.
	wait_until 20 conns_zero
	run ask PING
	[ "${lines[2]}" = "PONG" ]
	wait_until 20 nicks_zero
	wait_until 20 who_alone
}
