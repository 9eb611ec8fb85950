#!/usr/bin/env bats
# client-safety.bats — trainsrv-client against a hostile server (issue 12,
# finding 13): whatever the server sends (notices, error messages, station
# names, train lines, nicknames), nothing that drives a terminal or hides
# text reaches stdout or stderr: no ESC (CSI, OSC 52 clipboard writes, OSC
# titles), no CR or BEL, no C1 (C2 80..9F), no bidi or zero-width controls,
# no invalid UTF-8.  bin/evilsrv is the server (tests/tools/evilsrv.c);
# valid UTF-8 from a real server still comes through whole.

load helpers

setup() {
	"$BIN/evilsrv" >"$BATS_TEST_TMPDIR/evil.out" &
	EVIL_PID=$!
	wait_until 5 grep -q '^port ' "$BATS_TEST_TMPDIR/evil.out"
	EVIL_PORT=$(awk '/^port / { print $2 }' "$BATS_TEST_TMPDIR/evil.out")
}

teardown() {
	kill "$EVIL_PID" 2>/dev/null || true
	stop_server
}

OUT=
ERR=

# client ARGS... — trainsrv-client against evilsrv; sets status, OUT, ERR.
client() {
	OUT=$BATS_TEST_TMPDIR/out
	ERR=$BATS_TEST_TMPDIR/err
	set +e
	timeout $((20 * SCALE)) "$BIN/trainsrv-client" -h 127.0.0.1 -p "$EVIL_PORT" "$@" \
	    >"$OUT" 2>"$ERR"
	status=$?
	set -e
}

# no_raw FILE... — no byte that drives a terminal or hides text: C0 but LF
# and tab, DEL, C1, bidi and format controls, invalid UTF-8 forms.
no_raw() {
	local f hex
	for f in "$@"; do
		hex=" $(od -An -tx1 -v "$f" | tr -s ' \n' '  ') "
		if grep -Eq ' (0[0-8]|0[b-f]|1[0-9a-f]|7f|c2 [89][0-9a-f]|e2 80 (8[b-f]|a[8-e])|e2 81 (a[0-4]|a[6-9a-f])|ef bb bf|d8 9c|ed [ab][0-9a-f]|f4 [9ab][0-9a-f]|f[5-9a-f]|c[01]|e0 [89][0-9a-f]|f0 8[0-9a-f]) ' <<<"$hex"; then
			echo "raw control bytes in $f:" >&2
			od -c "$f" | head -40 >&2
			return 1
		fi
	done
}

@test "-c: data lines and notices from a hostile server carry no escapes, C1 or bidi bytes" {
	client -c PING
	[ "$status" -eq 0 ]
	no_raw "$OUT" "$ERR"
	grep -q 'pong' "$OUT"			# the text itself survives
	grep -q 'OSC52 \[2Jcleared!' "$ERR"	# the wall notice, defused
	grep -q 'bare notice' "$ERR"
}

@test "-c: an error message from a hostile server is sanitised" {
	client -c "NAME bob"
	[ "$status" -eq 1 ]
	no_raw "$OUT" "$ERR"
	grep -q '^ERR 409 .*taken' "$ERR"
}

@test "-r -c: raw mode keeps the protocol lines, not the escapes" {
	client -r -c "STATIONS"
	[ "$status" -eq 0 ]
	no_raw "$OUT" "$ERR"
	[ "$(head -n 1 "$OUT")" = "OK 2" ]
	grep -qx 'Grenoble?' "$OUT"		# zero-width space gone, bad bytes shown
}

@test "the menu: stations, trains, journeys, WHO, errors, messages and operator notices carry no escapes" {
	printf '%s\n' 5 '' 8 4 Valence '' '' 7 bob 1 Valence Grenoble '' \
	    6 Valence Grenoble 07:00 '' 0 9 alice hello q >"$BATS_TEST_TMPDIR/in"
	client <"$BATS_TEST_TMPDIR/in"
	[ "$status" -eq 0 ]
	no_raw "$OUT" "$ERR"
	grep -q '\[operator\] ]52;c;ZXZpbA==OSC52' "$ERR"
	grep -q '\[message from mallory\]' "$ERR"
	grep -q 'The server says: .*taken' "$ERR"
	grep -q 'Grenoble' "$OUT"
	grep -q '17\[2J564' "$OUT"		# a train number, defused
}

@test "a real server's UTF-8 station names come through whole" {
	cat >"$BATS_TEST_TMPDIR/tt.txt" <<-'EOF'
	1;Montélimar;Genève Cornavin;06:00;07:30;20.00;
	2;Москва;東京;08:00;09:00;30.00;
	EOF
	TIMETABLE=$BATS_TEST_TMPDIR/tt.txt start_server -w 1
	run "$BIN/trainsrv-client" -h 127.0.0.1 -p "$PORT" -c STATIONS
	[ "$status" -eq 0 ]
	[[ "$output" == *"Montélimar"* && "$output" == *"Genève Cornavin"* ]]
	[[ "$output" == *"Москва"* && "$output" == *"東京"* ]]
	run "$BIN/trainsrv-client" -h 127.0.0.1 -p "$PORT" -c "NEXT Москва;東京;07:00"
	[ "$status" -eq 0 ]
	[[ "$output" == "2;Москва;東京;08:00;09:00;60;30.00;"* ]]
}

@test "the server's log carries no escape, C1 or bidi byte from the text it quotes (a reload's errors)" {
	cp "$DATA/sncf.txt" "$BATS_TEST_TMPDIR/tt.txt"
	TIMETABLE=$BATS_TEST_TMPDIR/tt.txt start_server -w 1
	printf '1;Val\xe2\x80\xaeen\x1b[2Jce\xc2\x9b;Gre\xe2\x80\x8bnoble;06:00;25:99;10.00;\n' \
	    >>"$BATS_TEST_TMPDIR/tt.txt"
	kill -HUP "$SERVER_PID"
	wait_until 10 log_has "reload failed"
	grep -q 'reload: .*tt.txt:22: ' "$SERVER_LOG"
	no_raw "$SERVER_LOG"
}
