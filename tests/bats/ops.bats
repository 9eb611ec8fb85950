#!/usr/bin/env bats
# ops.bats — what an operator expects of the programs (issue 17): commands
# that say how they went, logs, trainsrv-stat for scripts, --help and
# --version, make install.

load helpers
bats_require_minimum_version 1.5.0

teardown() {
	if [ -n "${TMUX_SOCK:-}" ]; then tmux -S "$TMUX_SOCK" kill-server 2>/dev/null || true; fi
	teardown_server
	if [ -n "${LOGDIR:-}" ]; then rm -rf "$LOGDIR"; fi
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

@test "trainsrv-stat -w into a file: a header, then one line per interval" {
	start_server -w 2
	wait_until 10 workers_ready 2
	out=$BATS_TEST_TMPDIR/stat.out
	"$BIN/trainsrv-stat" -p "$PORT" -w 1 >"$out" 3>&- &
	spid=$!
	ask PING PING >/dev/null
	has_lines() { [ "$(wc -l <"$out")" -ge "$1" ]; }
	wait_until 10 has_lines 4
	kill "$spid"
	wait "$spid" || true
	cat "$out"
	[[ "$(head -n 1 "$out")" == "    time     req/s   err/s  conns   acc/s     in B/s    out B/s  wrk  gen   p99 us" ]]
	[ "$(tail -n +2 "$out" | grep -cvE '^[0-2][0-9]:[0-5][0-9]:[0-6][0-9] +[0-9]+\.[0-9] +[0-9]+\.[0-9] +[0-9]+ +[0-9]+\.[0-9] +[0-9]+ +[0-9]+ +2 +1 +[0-9]+$')" -eq 0 ]
	[ "$(grep -c 'trainsrv on' "$out")" -eq 0 ]
	# -1: the whole summary of one interval, then exit.
	run "$BIN/trainsrv-stat" -p "$PORT" -w 1 -1
	[ "$status" -eq 0 ]
	[[ "${lines[0]}" == "trainsrv on 127.0.0.1:$PORT"* ]]
}

@test "workers a reload or TTOU replaced are not dead; the version is in -j" {
	start_server -w 2
	wait_until 10 workers_ready 2
	run ctl reload
	run ctl reload
	[ "$output" = "reloaded: generation 3, 21 trains" ]
	kill -TTOU "$SERVER_PID"
	wait_until 5 log_has "SIGTTOU: 1 worker"
	no_exiting() { [ "$(stat_get '[.workers[] | select(.state != "idle" and .state != "busy")] | length')" -eq 0 ]; }
	wait_until 10 no_exiting
	"$BIN/trainsrv-stat" -p "$PORT" -P | grep -qx 'trainsrv_workers{state="dead"} 0'
	[ "$(stat_get '[.workers[]] | length')" -eq 1 ]
	# No request lost from the totals.
	ask PING >/dev/null
	[ "$(stat_get .requests)" -ge 2 ]
	version=$(sed -n 's/^#define TRAINSRV_VERSION[^"]*"\(.*\)"$/\1/p' "$ROOT/ipc/version.h")
	[ -n "$version" ]
	[ "$(stat_get .version)" = "$version" ]
}

@test "a dead worker's age stops at its death" {
	TRAINSRV_TEST_FAIL_START=crash start_server -w 1
	# The crash-loop guard leaves the slot dead for 1.6 s and more.
	wait_until 20 log_has "respawns delayed by [1-5][0-9][0-9][0-9] ms"
	dead_a_second() {
		local j now
		j=$("$BIN/trainsrv-stat" -p "$PORT" -j) || return 1
		now=$(date +%s)
		w=$(jq -c '.workers[] | select(.state == "dead")' <<<"$j" | head -n 1)
		[ -n "$w" ] && [ "$(jq .exited_at <<<"$w")" -le $((now - 1)) ]
	}
	wait_until 20 dead_a_second
	[ "$(jq '.age == .exited_at - .started_at' <<<"$w")" = true ]
	[ "$(jq .age <<<"$w")" -lt $(( $(date +%s) - $(jq .started_at <<<"$w") )) ]
}

@test "every program answers --help (usage on stdout, exit 0) and --version" {
	version=$(sed -n 's/^#define TRAINSRV_VERSION[^"]*"\(.*\)"$/\1/p' "$ROOT/ipc/version.h")
	[ -n "$version" ]
	for p in trainsrv trainsrv-stat trainsrv-ctl trainsrv-import trainsrv-bench trainsrv-client; do
		run --separate-stderr "$BIN/$p" --help
		[ "$status" -eq 0 ] || { echo "$p --help: $status $stderr"; false; }
		[[ "${lines[0]}" == "usage: $p "* ]] || { echo "$p --help: $output"; false; }
		[ -z "$stderr" ]
		run --separate-stderr "$BIN/$p" --version
		[ "$status" -eq 0 ] || { echo "$p --version: $status $stderr"; false; }
		[ "$output" = "$p $version" ]
		[ -z "$stderr" ]
	done
	# The greeting says the same version.
	start_server -w 1
	run ask PING
	[ "${lines[0]}" = "* trainsrv $version ready; type HELP" ]
	# -h keeps its meaning where it is a host.
	run "$BIN/trainsrv-client" -h 127.0.0.1 -p "$PORT" -c PING
	[ "$status" -eq 0 ]
	[[ "$output" == *PONG* ]]
	run "$BIN/trainsrv-bench" -h 127.0.0.1 -p "$PORT" -c 1 -n 5 -f - -q <<<"PING"
	[ "$status" -eq 0 ]
}

@test "make install PREFIX=...: the installed server serves the installed timetable; make uninstall removes it all" {
	T=$BATS_TEST_TMPDIR
	# A build of its own (not bin/): first for another prefix, as after a
	# plain make; the install must not keep that prefix.
	mk() { make -C "$ROOT" -s -j2 BUILD="$T/build" BIN="$T/bin" OPT=-O0 "$@"; }
	mk PREFIX="$T/other" "$T/bin/trainsrv" >/dev/null
	mk PREFIX="$T/p" install >/dev/null
	[ -x "$T/p/bin/trainsrv" ] && [ -x "$T/p/bin/trainsrv-stat" ] && [ -x "$T/p/bin/trainsrv-ctl" ]
	cmp "$DATA/sncf.txt" "$T/p/share/trainsrv/timetable.txt"
	[ -f "$T/p/share/man/man8/trainsrv.8" ]
	# Without -f: the installed timetable.
	SERVER_LOG=$T/installed.log
	"$T/p/bin/trainsrv" -b 127.0.0.1 -p 0 -w 1 </dev/null 2>"$SERVER_LOG" 3>&- &
	SERVER_PID=$!
	wait_until 10 log_has "listening on" || { cat "$SERVER_LOG"; false; }
	log_has "timetable $T/p/share/trainsrv/timetable.txt: 21 trains"
	stop_server
	# Gone: a start without -f says what to do.
	mv "$T/p/share/trainsrv/timetable.txt" "$T/saved.txt"
	run "$T/p/bin/trainsrv" -b 127.0.0.1 -p 0 -w 1
	[ "$status" -eq 1 ]
	[[ "$output" == *"Z trainsrv: no timetable at $T/p/share/trainsrv/timetable.txt: give one with -f FILE" ]]
	mv "$T/saved.txt" "$T/p/share/trainsrv/timetable.txt"
	# Something of the owner's beside it stays.
	echo mine >"$T/p/bin/other-program"
	mk PREFIX="$T/p" uninstall >/dev/null
	[ "$(find "$T/p" \( -type f -o -type l \) | grep -vx "$T/p/bin/other-program" || true)" = "" ]
	[ -f "$T/p/bin/other-program" ]
	[ ! -e "$T/p/share/trainsrv" ]
}

@test "-a FILE: one access-log line per request; SIGUSR1 reopens it after a rotation" {
	# A directory the workers' user can search, for the reopen.
	LOGDIR=$(mktemp -d /tmp/trainsrv-access.XXXXXX)
	chmod 755 "$LOGDIR"
	local log=$LOGDIR/access.log stamp='20[0-9][0-9]-[01][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]:[0-6][0-9]Z'
	start_server -w 2 -a "$log"
	wait_until 10 workers_ready 2
	ask PING "NEXT Valence;Grenoble;07:00" "next x;y" >/dev/null
	has() { [ "$(wc -l <"$1")" -ge "$2" ]; }
	wait_until 5 has "$log" 4
	cat "$log"
	[ "$(wc -l <"$log")" -eq 4 ]
	grep -qx "$stamp [0-9]* [0-9]* PING OK 1 10 [0-9]*" "$log"
	grep -qx "$stamp [0-9]* [0-9]* NEXT OK 1 58 [0-9]*" "$log"
	grep -qx "$stamp [0-9]* [0-9]* NEXT ERR 404 28 [0-9]*" "$log"
	grep -qx "$stamp [0-9]* [0-9]* QUIT OK 0 5 [0-9]*" "$log"
	# One session: one worker, one session id on every line.
	[ "$(cut -d' ' -f2,3 "$log" | sort -u | wc -l)" -eq 1 ]
	# Root's workers write it as their user; nobody else reads it.
	[ "$(stat -c %a "$log")" = 640 ]
	if [ "$(id -u)" -eq 0 ]; then [ "$(stat -c %U "$log")" = nobody ]; fi
	# logrotate's way: move it away, then SIGUSR1.
	mv "$log" "$log.1"
	kill -USR1 "$SERVER_PID"
	wait_until 5 log_has "SIGUSR1: reopening the access log $log"
	logged_again() { ask PING >/dev/null; [ -s "$log" ]; }
	wait_until 5 logged_again
	grep -q " PING OK 1 10 " "$log"
	[ "$(wc -l <"$log.1")" -ge 4 ]
	run ask PING
	[ "${lines[2]}" = "PONG" ]
	# A file that cannot be opened stops the start.
	run "$BIN/trainsrv" -b 127.0.0.1 -p 0 -w 1 -f "$DATA/sncf.txt" -a "$BATS_TEST_TMPDIR/no/such/dir/log"
	[ "$status" -eq 1 ]
	[[ "$output" == *"trainsrv: access log $BATS_TEST_TMPDIR/no/such/dir/log: No such file or directory" ]]
}
