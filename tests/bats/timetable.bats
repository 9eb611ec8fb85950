#!/usr/bin/env bats
# timetable.bats — what the loader refuses, at start and on reload, with the
# real binaries: files that are not regular files (a FIFO, an endless device,
# a directory), files over the 1 GiB limit, and station names hiding
# invisible or direction-control characters.  A refused reload must leave
# the master answering its signals and its workers serving the old timetable.

load helpers

teardown() {
	exec 5>&- 2>/dev/null || true
	if [ -n "${WRITER:-}" ]; then kill "$WRITER" 2>/dev/null || true; fi
	teardown_server
}

stat_get() { "$BIN/trainsrv-stat" -p "$PORT" -j | jq -r "$1"; }
# stat_ge JQ N — the stats value JQ is at least N.
stat_ge() { local v; v=$(stat_get "$1") && [ "${v:-0}" -ge "$2" ]; }

# check_t FILE — `trainsrv -t -f FILE`, which must end within 5 s (scaled):
# a loader that blocks or reads for ever is a failure, not a hang.
check_t() {
	run timeout $((5 * SCALE)) "$BIN/trainsrv" -t -f "$1"
}

# One connection kept open on fd 5 for the whole test: it must go on being
# answered while the master refuses a reload.
client_open() {
	exec 5<>"/dev/tcp/127.0.0.1/$PORT"
	local greeting
	read -r -t $((5 * SCALE)) greeting <&5
	[[ "$greeting" == "* trainsrv "* ]]
}
client_ask_next() {
	local ok line
	printf 'NEXT Valence;Grenoble;07:00\n' >&5
	read -r -t $((5 * SCALE)) ok <&5
	[ "$ok" = "OK 1" ]
	read -r -t $((5 * SCALE)) line <&5
	[[ "$line" == *";Valence;Grenoble;"* ]]
}

# reload_refused FILE_KIND — after a SIGHUP that the loader refused: the
# failure counted and logged, the old generation serving the kept client
# and new ones, a killed worker respawned (the master's loop runs, it reaps),
# then a SIGTERM that stops the master within 3 s (scaled).
reload_refused() {
	wait_until 5 stat_ge .reload_attempts 1
	[ "$(stat_get .reload_successes)" -eq 0 ]
	[ "$(stat_get .generation)" -eq 1 ]
	log_has "reload: $TIMETABLE: not a regular file ($1)"
	log_has "still serving generation 1"
	client_ask_next
	run ask "STATIONS" "PING"
	[ "${lines[1]}" = "OK 4" ]
	[ "${lines[7]}" = "PONG" ]
	# The kept client may be on the killed worker: ask on a new one.
	pid=$(stat_get '.workers[0].pid')
	kill -KILL "$pid"
	wait_until 5 stat_ge .respawns 1
	wait_until 5 workers_ready 2
	run ask PING
	[ "${lines[2]}" = "PONG" ]
	kill -TERM "$SERVER_PID"
	wait_until 3 pid_gone "$SERVER_PID"
}

@test "-t on a FIFO with no writer: refused at once, the FIFO never opened for reading" {
	mkfifo "$BATS_TEST_TMPDIR/fifo"
	check_t "$BATS_TEST_TMPDIR/fifo"
	[ "$status" -eq 1 ]
	[ "$output" = "$BATS_TEST_TMPDIR/fifo: not a regular file (a FIFO)" ]
}

@test "-t on a FIFO with a writer: refused without reading a byte" {
	mkfifo "$BATS_TEST_TMPDIR/fifo"
	# An endless writer, blocked in its open until a reader comes: it
	# must still be waiting afterwards.
	( exec yes '1;A;B;10:00;11:00;5;' >"$BATS_TEST_TMPDIR/fifo" ) 2>/dev/null 3>&- &
	WRITER=$!
	check_t "$BATS_TEST_TMPDIR/fifo"
	[ "$status" -eq 1 ]
	[ "$output" = "$BATS_TEST_TMPDIR/fifo: not a regular file (a FIFO)" ]
	kill -0 "$WRITER"
}

@test "-t and a start on /dev/zero: refused at once, nothing read" {
	check_t /dev/zero
	[ "$status" -eq 1 ]
	[ "$output" = "/dev/zero: not a regular file (a character device)" ]
	run timeout $((5 * SCALE)) "$BIN/trainsrv" -b 127.0.0.1 -p 0 -f /dev/zero
	[ "$status" -eq 1 ]
	# A start logs it: time and program name first (issue 17).
	[[ "$output" == 20*"Z trainsrv: /dev/zero: not a regular file (a character device)" ]]
	[ "${#lines[@]}" -eq 1 ]
}

@test "-t on a directory and on a symlink to /dev/zero: the kind is named" {
	check_t "$BATS_TEST_TMPDIR"
	[ "$status" -eq 1 ]
	[ "$output" = "$BATS_TEST_TMPDIR: not a regular file (a directory)" ]
	ln -s /dev/zero "$BATS_TEST_TMPDIR/tt.txt"
	check_t "$BATS_TEST_TMPDIR/tt.txt"
	[ "$status" -eq 1 ]
	[ "$output" = "$BATS_TEST_TMPDIR/tt.txt: not a regular file (a character device)" ]
}

@test "the 1 GiB limit, both sides: 1 GiB is read, 1 GiB + 1 byte is refused unread" {
	f=$BATS_TEST_TMPDIR/big.txt
	# Sparse: a valid start, then zeros up to the size (one long line).
	cp "$DATA/sncf.txt" "$f"
	truncate -s $((1024 * 1024 * 1024)) "$f"
	run timeout $((20 * SCALE)) "$BIN/trainsrv" -t -f "$f"
	[ "$status" -eq 1 ]
	[ "$output" = "$f:22: line too long ($((1024 * 1024 * 1024 - $(wc -c <"$DATA/sncf.txt"))) bytes, max 4096)" ]
	truncate -s $((1024 * 1024 * 1024 + 1)) "$f"
	start=$(now_ms)
	check_t "$f"
	[ "$status" -eq 1 ]
	[ "$output" = "$f: timetable too large: 1073741825 bytes (max 1073741824, 1 GiB)" ]
	# Refused from its size alone: far less time than reading it.
	[ $(( $(now_ms) - start )) -lt $((1000 * SCALE)) ]
}

@test "a reload from a path replaced by a FIFO is refused; the master stays responsive" {
	TIMETABLE=$BATS_TEST_TMPDIR/tt.txt
	cp "$DATA/sncf.txt" "$TIMETABLE"
	start_server -w 2
	wait_until 10 workers_ready 2
	client_open
	client_ask_next
	rm "$TIMETABLE"
	mkfifo "$TIMETABLE"
	kill -HUP "$SERVER_PID"
	reload_refused "a FIFO"
}

@test "a reload from a path replaced by a symlink to /dev/zero is refused; the master stays responsive" {
	TIMETABLE=$BATS_TEST_TMPDIR/tt.txt
	cp "$DATA/sncf.txt" "$TIMETABLE"
	start_server -w 2
	wait_until 10 workers_ready 2
	client_open
	client_ask_next
	ln -sf /dev/zero "$TIMETABLE"
	kill -HUP "$SERVER_PID"
	reload_refused "a character device"
}

@test "a refused reload is followed by a good one once the file is back" {
	TIMETABLE=$BATS_TEST_TMPDIR/tt.txt
	cp "$DATA/sncf.txt" "$TIMETABLE"
	start_server -w 2
	wait_until 10 workers_ready 2
	rm "$TIMETABLE"
	mkfifo "$TIMETABLE"
	kill -HUP "$SERVER_PID"
	wait_until 5 stat_ge .reload_attempts 1
	rm "$TIMETABLE"
	{ cat "$DATA/sncf.txt"; echo "1;Valence;Lyon Part-Dieu;8:00;9:10;25.00;"; } >"$TIMETABLE"
	kill -HUP "$SERVER_PID"
	wait_until 5 stat_ge .reload_successes 1
	[ "$(stat_get .reload_attempts)" -eq 2 ]
	[ "$(stat_get .generation)" -eq 2 ]
	[ "$(stat_get .legs)" -eq 22 ]
}

@test "station names with a zero-width space or a bidi override are refused with file:line" {
	f=$BATS_TEST_TMPDIR/tt.txt
	{ cat "$DATA/sncf.txt"; printf '9;Valence;Gre\xe2\x80\x8bnoble;8:00;9:10;25.00;\n'; } >"$f"
	check_t "$f"
	[ "$status" -eq 1 ]
	[ "$output" = "$f:22: station name contains an invisible or direction control character (U+200B): \"Gre\\u200Bnoble\" (arrival station)" ]
	printf '1;\xe2\x80\xaeelbonerG;Valence;8:00;9:10;25.00;\n# x\n2;A;B\xe2\x81\xa6;8:00;9:10;;\n' >"$f"
	check_t "$f"
	[ "$status" -eq 1 ]
	[ "${lines[0]}" = "$f:1: station name contains an invisible or direction control character (U+202E): \"\\u202EelbonerG\" (departure station)" ]
	[ "${lines[1]}" = "$f:3: station name contains an invisible or direction control character (U+2066): \"B\\u2066\" (arrival station)" ]
	[ "${lines[2]}" = "trainsrv: $f: 2 errors" ]
	# The soft hyphen, the Arabic letter mark and the BOM inside a name too.
	for c in '\xc2\xad' '\xd8\x9c' '\xef\xbb\xbf'; do
		printf "1;Val${c}ence;Grenoble;8:00;9:10;;\n" >"$f"
		check_t "$f"
		[ "$status" -eq 1 ]
		[[ "$output" == "$f:1: station name contains an invisible or direction control character (U+"* ]]
	done
	# A visible neighbour (U+2010 HYPHEN) is a name like any other.
	printf '1;Val\xe2\x80\x90ence;Grenoble;8:00;9:10;;\n' >"$f"
	check_t "$f"
	[ "$status" -eq 0 ]
}

@test "a reload with a zero-width space in a name is refused and logged with file:line" {
	TIMETABLE=$BATS_TEST_TMPDIR/tt.txt
	cp "$DATA/sncf.txt" "$TIMETABLE"
	start_server -w 2
	{ cat "$DATA/sncf.txt"; printf '9;Valence;Gre\xe2\x80\x8bnoble;8:00;9:10;25.00;\n'; } >"$TIMETABLE.new"
	mv "$TIMETABLE.new" "$TIMETABLE"
	kill -HUP "$SERVER_PID"
	wait_until 5 stat_ge .reload_attempts 1
	[ "$(stat_get .reload_successes)" -eq 0 ]
	log_has "reload: $TIMETABLE:22: station name contains an invisible or direction control character (U+200B)"
	run ask "STATIONS gre"
	[ "${lines[1]}" = "OK 1" ]
	[ "${lines[2]}" = "Grenoble" ]
}

@test "invalid UTF-8 in a station name is refused with file:line: surrogate, overlong, past U+10FFFF" {
	f=$BATS_TEST_TMPDIR/tt.txt
	printf '1;A\xed\xa0\x80;B;8:00;9:10;;\n2;A\xc0\xaf;B;8:00;9:10;;\n3;A;B\xf4\x90\x80\x80;8:00;9:10;;\n4;A\xf4\x8f\xbf\xbf;B;8:00;9:10;;\n' >"$f"
	check_t "$f"
	[ "$status" -eq 1 ]
	[ "${lines[0]}" = "$f:1: invalid UTF-8 in departure station name \"A\\xed\\xa0\\x80\"" ]
	[ "${lines[1]}" = "$f:2: invalid UTF-8 in departure station name \"A\\xc0\\xaf\"" ]
	[ "${lines[2]}" = "$f:3: invalid UTF-8 in arrival station name \"B\\xf4\\x90\\x80\\x80\"" ]
	[ "${lines[3]}" = "trainsrv: $f: 3 errors" ]
}
