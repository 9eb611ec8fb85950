#!/usr/bin/env bats
# ops.bats — what an operator expects of the programs (issue 17): commands
# that say how they went, logs, trainsrv-stat for scripts, --help and
# --version, make install.

load helpers

teardown() {
	if [ -n "${TMUX_SOCK:-}" ]; then tmux -S "$TMUX_SOCK" kill-server 2>/dev/null || true; fi
	teardown_server
}

ctl() { "$BIN/trainsrv-ctl" -p "$PORT" "$@"; }
stat_get() { "$BIN/trainsrv-stat" -p "$PORT" -j | jq -r "$1"; }

# broken_timetable N — the sample timetable, then N bad lines (23, 24, ...).
broken_timetable() {
	cp "$DATA/sncf.txt" "$TIMETABLE"
	for i in $(seq 1 "$1"); do echo "2;Valence;Lyon;8:00;9:61;25.00;"; done >>"$TIMETABLE"
}

@test "trainsrv-ctl reload waits for the new generation and says so in one line" {
	start_server -w 2
	wait_until 10 workers_ready 2
	run ctl reload
	[ "$status" -eq 0 ]
	[ "$output" = "reloaded: generation 2, 21 trains" ]
	# Done when it returns, not some time after.
	[ "$(stat_get .reload_successes)" -eq 1 ]
	[ "$(stat_get .generation)" -eq 2 ]
	run ctl reload
	[ "$output" = "reloaded: generation 3, 21 trains" ]
}

@test "trainsrv-ctl reload of a broken timetable exits 1 with its file:line errors" {
	TIMETABLE=$BATS_TEST_TMPDIR/tt.txt
	cp "$DATA/sncf.txt" "$TIMETABLE"
	start_server -w 1
	wait_until 10 workers_ready 1
	broken_timetable 1
	run ctl reload
	[ "$status" -eq 1 ]
	[ "${lines[0]}" = "trainsrv-ctl: 422 reload failed (1 error); still serving generation 1" ]
	[[ "${lines[1]}" == "$TIMETABLE:22: bad arrival time \"9:61\""* ]]
	[ "${#lines[@]}" -eq 2 ]
	[ "$(stat_get .generation)" -eq 1 ]
	# Twenty errors are all shown; the twenty-first is counted instead.
	broken_timetable 20
	run ctl reload
	[ "$status" -eq 1 ]
	[ "${#lines[@]}" -eq 21 ]
	[[ "${lines[20]}" == "$TIMETABLE:41: "* ]]
	broken_timetable 21
	run ctl reload
	[ "$status" -eq 1 ]
	[ "${lines[0]}" = "trainsrv-ctl: 422 reload failed (21 errors); still serving generation 1" ]
	[ "${#lines[@]}" -eq 22 ]
	[[ "${lines[20]}" == "$TIMETABLE:41: "* ]]
	[ "${lines[21]}" = "and 1 more: trainsrv -t -f $TIMETABLE lists them all" ]
	# And a good file again.
	cp "$DATA/sncf.txt" "$TIMETABLE"
	run ctl reload
	[ "$status" -eq 0 ]
	[ "$output" = "reloaded: generation 2, 21 trains" ]
}

@test "reload typed on the console says how it went" {
	T=$BATS_TEST_TMPDIR
	TIMETABLE=$T/tt.txt
	cp "$DATA/sncf.txt" "$TIMETABLE"
	TMUX_SOCK=$T/tmux
	tm() { tmux -S "$TMUX_SOCK" "$@"; }
	tm new-session -d -x 200 -y 50 "cd $ROOT && LC_ALL=C.UTF-8 $BIN/trainsrv -b 127.0.0.1 -p 0 -w 1 -f $TIMETABLE 2>$T/fg.log; sleep 60"
	SERVER_LOG=$T/fg.log
	wait_until 10 log_has "operator console"
	PORT=$(sed -n 's/.*listening on .*:\([0-9][0-9]*\)\b.*/\1/p' "$SERVER_LOG")
	SERVER_PID=$(sed -n 's/.*master pid \([0-9]*\).*/\1/p' "$SERVER_LOG")
	wait_until 10 workers_ready 1
	pane_has() { tm capture-pane -p | grep -qF -- "$1"; }
	tm send-keys "reload" Enter
	wait_until 10 pane_has "reloaded: generation 2, 21 trains"
	broken_timetable 1
	tm send-keys "reload" Enter
	wait_until 10 pane_has "ERR 422 reload failed (1 error); still serving generation 2"
	pane_has "$TIMETABLE:22: bad arrival time"
}

# Every line of $output is a log line: UTC time with milliseconds, the program.
all_logged() {
	local bad
	bad=$(printf '%s\n' "$output" | grep -cv '^20[0-9][0-9]-[01][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]:[0-6][0-9]\.[0-9][0-9][0-9]Z trainsrv\(\[[0-9]*\]\)\?: ' || true)
	[ -n "$output" ] && [ "$bad" -eq 0 ]
}

@test "start-up errors are log lines: time and program name, then exit 1" {
	run "$BIN/trainsrv" -b 127.0.0.1 -p 70000 -f "$DATA/sncf.txt"
	[ "$status" -eq 1 ]
	all_logged
	[[ "$output" == *"Z trainsrv: -p 70000: want a number from 0 to 65535" ]]
	printf '1;A;B;8:00;9:61;;\n2;A;B\n' >"$BATS_TEST_TMPDIR/bad.txt"
	run "$BIN/trainsrv" -b 127.0.0.1 -p 0 -f "$BATS_TEST_TMPDIR/bad.txt"
	[ "$status" -eq 1 ]
	all_logged
	[ "${#lines[@]}" -eq 3 ]
	[[ "${lines[0]}" == *"Z trainsrv: $BATS_TEST_TMPDIR/bad.txt:1: bad arrival time"* ]]
	[[ "${lines[2]}" == *"Z trainsrv: $BATS_TEST_TMPDIR/bad.txt: 2 errors" ]]
	start_server -w 1
	run "$BIN/trainsrv" -b 127.0.0.1 -p "$PORT" -f "$DATA/sncf.txt"
	[ "$status" -eq 1 ]
	all_logged
	[[ "$output" == *"Z trainsrv: cannot listen on 127.0.0.1:$PORT"* ]]
	# -t stays a checker's report: file:line first, as before.
	run "$BIN/trainsrv" -t -f "$BATS_TEST_TMPDIR/bad.txt"
	[ "$status" -eq 1 ]
	[[ "${lines[0]}" == "$BATS_TEST_TMPDIR/bad.txt:1: bad arrival time"* ]]
}

@test "log lines get their plurals right: 1 train, 1 leg, 1 worker" {
	TIMETABLE=$BATS_TEST_TMPDIR/one.txt
	printf '1;Valence;Grenoble;8:00;9:10;25.00;\n' >"$TIMETABLE"
	start_server -w 2
	log_has "timetable $TIMETABLE: 1 train, 1 leg, 2 stations"
	wait_until 10 workers_ready 2
	kill -TTOU "$SERVER_PID"
	wait_until 5 log_has "SIGTTOU: 1 worker$"
	run ctl workers 1
	log_has "operator: 1 worker$"
	run ctl reload
	[ "$output" = "reloaded: generation 2, 1 train" ]
	log_has "reload complete: generation 2, 1 train, 1 leg, 2 stations"
	printf '1;Valence;Grenoble;8:00;9:61;25.00;\n' >"$TIMETABLE"
	run ctl reload
	[ "$status" -eq 1 ]
	log_has "reload failed (1 error); still serving generation 2"
}
