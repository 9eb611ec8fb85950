#!/usr/bin/env bats
# client.bats — trainsrv-client driven by a script: answers piped on stdin,
# -c, --raw, exit codes, usage errors, no server, reconnecting after a
# reload.  The terminal side is in client-tty.bats.

load helpers

bats_require_minimum_version 1.5.0

CLIENT=$BIN/trainsrv-client

setup() {
	start_server
}

teardown() {
	if [ -n "${FEED_PID:-}" ]; then kill "$FEED_PID" 2>/dev/null || true; fi
	if [ -n "${CLIENT_PID:-}" ]; then kill "$CLIENT_PID" 2>/dev/null || true; fi
	teardown_server
}

# menu ANSWER... — the client on our server, each answer one line of stdin;
# stdout in $output, stderr in $stderr, exit code in $status.
menu() {
	run --separate-stderr timeout $((20 * SCALE)) "$CLIENT" -p "$PORT" \
	    < <(printf '%s\n' "$@")
}

# free_port — a port where nothing listens (our server's, once stopped).
free_port() {
	local p=$PORT
	stop_server
	echo "$p"
}

# table_rows — the data rows of the tables in $output.
table_rows() {
	grep -E '^[0-9A-Za-z_-]+ +[^ ].* → ' <<<"$output"
}

@test "client: usage errors exit 1 with the usage line on stderr" {
	run --separate-stderr "$CLIENT" -x
	[ "$status" -eq 1 ]
	[[ "$stderr" == *"usage: trainsrv-client [-r] [-c command] [-h host] [-p port] [host [port]]"* ]]
	[ -z "$output" ]

	run --separate-stderr "$CLIENT" localhost 8080 extra
	[ "$status" -eq 1 ]
	[[ "$stderr" == *"usage:"* ]]

	run --separate-stderr "$CLIENT" -p notaport
	[ "$status" -eq 1 ]
	[[ "$stderr" == *'bad port "notaport"'* ]]
	[[ "$stderr" == *"usage:"* ]]

	run --separate-stderr "$CLIENT" -p 70000
	[ "$status" -eq 1 ]

	run --separate-stderr "$CLIENT" -h localhost otherhost
	[ "$status" -eq 1 ]
	[[ "$stderr" == *"usage:"* ]]

	run --separate-stderr "$CLIENT" -c ''
	[ "$status" -eq 1 ]

	run --separate-stderr "$CLIENT" -c
	[ "$status" -eq 1 ]
	[[ "$stderr" == *"usage:"* ]]
}

@test "client: --help prints the usage on stdout, exit 0" {
	run --separate-stderr "$CLIENT" --help
	[ "$status" -eq 0 ]
	[[ "$output" == "usage: trainsrv-client "* ]]
}

@test "client: no server running is one clear line, exit 1" {
	local p
	p=$(free_port)
	run --separate-stderr "$CLIENT" -p "$p" -c PING
	[ "$status" -eq 1 ]
	[ "$stderr" = "trainsrv-client: cannot connect to localhost:$p: connection refused" ]
	[ -z "$output" ]

	# the same for the menu, and with host and port as operands
	run --separate-stderr "$CLIENT" 127.0.0.1 "$p" </dev/null
	[ "$status" -eq 1 ]
	[ "$stderr" = "trainsrv-client: cannot connect to 127.0.0.1:$p: connection refused" ]
}

@test "client: an unknown host is one clear line, exit 1" {
	run --separate-stderr "$CLIENT" -h no-such-host.invalid -p 8080 -c PING
	[ "$status" -eq 1 ]
	[[ "$stderr" == "trainsrv-client: cannot connect to no-such-host.invalid:8080: "* ]]
	[ "$(wc -l <<<"$stderr")" -eq 1 ]
}

@test "client: -c prints the reply's data lines, exit 0 on OK" {
	run --separate-stderr "$CLIENT" -p "$PORT" -c PING
	[ "$status" -eq 0 ]
	[ "$output" = "PONG" ]
	[ -z "$stderr" ]

	# the seed's example, as the protocol says it
	run --separate-stderr "$CLIENT" -h 127.0.0.1 -p "$PORT" \
	    -c 'BEST Paris Gare de Lyon;Valence;price'
	[ "$status" -eq 0 ]
	[ "$output" = "9713;Paris Gare de Lyon;Valence;10:07;12:19;132;90.00;;90.00;;" ]

	run --separate-stderr "$CLIENT" 127.0.0.1 "$PORT" -c 'STATIONS'
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -eq 4 ]
	[[ "$output" == *"Paris Gare de Lyon"* ]]
}

@test "client: -c with an ERR reply: nothing on stdout, the ERR line on stderr, exit 1" {
	run --separate-stderr "$CLIENT" -p "$PORT" -c 'NEXT Grenble;Valence'
	[ "$status" -eq 1 ]
	[ -z "$output" ]
	[[ "$stderr" == 'ERR 404 unknown station "Grenble"'* ]]
	[[ "$stderr" == *"Grenoble"* ]]

	run --separate-stderr "$CLIENT" -p "$PORT" -c 'FROB'
	[ "$status" -eq 1 ]
	[[ "$stderr" == "ERR 400 "* ]]
}

@test "client: --raw -c prints the protocol lines untouched" {
	run --separate-stderr "$CLIENT" --raw -p "$PORT" -c 'BEST Paris Gare de Lyon;Valence;price'
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "OK 1" ]
	[ "${lines[1]}" = "9713;Paris Gare de Lyon;Valence;10:07;12:19;132;90.00;;90.00;;" ]
	[ "${#lines[@]}" -eq 2 ]

	run --separate-stderr "$CLIENT" -r -p "$PORT" -c 'NEXT Xyzzy;Valence'
	[ "$status" -eq 1 ]
	[[ "$output" == 'ERR 404 unknown station "Xyzzy"'* ]]

	run --separate-stderr "$CLIENT" --raw -p "$PORT" -c 'QUIT'
	[ "$status" -eq 0 ]
	[ "$output" = "OK 0" ]
}

@test "client: menu 3, the seed's example: Paris Gare de Lyon to Valence by price is 9713 at 90.00 €" {
	menu 3 'Paris Gare de Lyon' 'Valence' price q
	[ "$status" -eq 0 ]
	[[ "$output" == *"Best train from Paris Gare de Lyon to Valence by price"* ]]
	row=$(table_rows)
	[[ "$row" == "9713 "* ]]
	[[ "$row" == *"Paris Gare de Lyon → Valence"* ]]
	[[ "$row" == *"10:07"*"12:19"*"2h12"*"90.00 €"* ]]
	[ "$(wc -l <<<"$row")" -eq 1 ]
	# no dollars any more, and both the fare and the duration are said
	[[ "$output" != *'$'* ]]
	[[ "$output" == *"Train 9713 leaves at 10:07 and arrives at 12:19: 2h12 for 90.00 €."* ]]
}

@test "client: menu 3 by duration, answers as forgiving as the server" {
	menu 3 '  PARIS   gare de LYON ' valence D q
	[ "$status" -eq 0 ]
	[[ "$output" == *"by duration"* ]]
	[[ "$(table_rows)" == "9713 "*"2h12"*"90.00 €"* ]]
}

@test "client: prompts, menu and messages go to stderr, only results to stdout" {
	menu 3 'Paris Gare de Lyon' Valence price q
	[ "$status" -eq 0 ]
	[[ "$stderr" == *"Welcome to trainsrv-client, connected to localhost:$PORT."* ]]
	[[ "$stderr" == *"option >> "* ]]
	[[ "$stderr" == *"From: "* ]]
	[[ "$stderr" == *"  3  best train"* ]]
	[[ "$output" != *"option >>"* ]]
	[[ "$output" != *"From: "* ]]
	[[ "$output" != *"Welcome"* ]]
	[[ "$output" != *"quit"* ]]
}

@test "client: menu 0 lists all the trains, unpaged when piped" {
	menu 0 q
	[ "$status" -eq 0 ]
	[[ "$output" == *"All trains:"* ]]
	[ "$(table_rows | wc -l)" -eq 21 ]
	table_rows | grep -q '^17564 .*Valence *→ Grenoble *06:15 *07:31 *1h16 *14.08 €$'
	table_rows | grep -q '^86181 .*12:30 *12:56 *26 min *7.84 €$'
	[[ "$stderr" != *"Enter for more"* ]]
}

@test "client: menu 1, the next train, with and without a time" {
	menu 1 Grenoble Valence 17:00 q
	[ "$status" -eq 0 ]
	[[ "$output" == *"Next train from Grenoble to Valence at or after 17:00:"* ]]
	[[ "$(table_rows)" == "17526 "*"Grenoble → Valence"*"17:30"*"18:46"*"1h16"*"17.60 €" ]]

	# empty time: now, whatever now is, one train
	menu 1 Grenoble Valence '' q
	[ "$status" -eq 0 ]
	[[ "$output" == *"from now"* ]]
	[ "$(table_rows | wc -l)" -eq 1 ]

	# after the last train of the day: the first of tomorrow, marked +1
	menu 1 Valence Grenoble 20:00 q
	[ "$status" -eq 0 ]
	[[ "$(table_rows)" == "17564 "*"06:15 +1"*"07:31 +1"*"14.08 €" ]]
}

@test "client: menu 2, a time window, cheapest and fastest labelled" {
	menu 2 Grenoble Valence 16:00 19:00 q
	[ "$status" -eq 0 ]
	[[ "$output" == *"Trains from Grenoble to Valence leaving between 16:00 and 19:00:"* ]]
	[ "$(table_rows | wc -l)" -eq 4 ]
	table_rows | grep -q '^17525 .*19\.36 €  fastest$'
	table_rows | grep -q '^17528 .*14\.08 €  cheapest$'
	[[ "$output" == *"Cheapest: train 17528 at 14.08 €"* ]]
	[[ "$output" == *"Fastest: train 17525 in 1h00"* ]]
}

@test "client: menu 4, departures from a station" {
	menu 4 valence 12:00 '' q
	[ "$status" -eq 0 ]
	[[ "$output" == *"Departures from Valence at or after 12:00:"* ]]
	[[ "$(table_rows | head -n 1)" == "86181 "*"Valence → Montelimar"*"12:30"* ]]
}

@test "client: menu 5, stations by prefix or all" {
	menu 5 va q
	[ "$status" -eq 0 ]
	[ "$output" = "Valence" ]

	menu 5 '' q
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -eq 4 ]
	[[ "$output" == *"Grenoble"* ]]
	[[ "$output" == *"Montelimar"* ]]
}

@test "client: piped, an unknown station stops the client with the server's suggestions" {
	menu 1 Grenble Grenoble Valence 17:00 q
	[ "$status" -eq 1 ]
	[[ "$stderr" == *'trainsrv-client: stdin:2: no station "Grenble" (did you mean Grenoble?)'* ]]
	[ -z "$output" ]
}

@test "client: piped, a bad time or criterion stops the client" {
	menu 1 Grenoble Valence 25:00 17:00 q
	[ "$status" -eq 1 ]
	[[ "$stderr" == *'trainsrv-client: stdin:4: bad time "25:00"'* ]]

	menu 3 Grenoble Valence cheap duration q
	[ "$status" -eq 1 ]
	[[ "$stderr" == *'trainsrv-client: stdin:4: please answer price or duration, not "cheap".'* ]]
	menu 3 Grenoble Valence dur q
	[ "$status" -eq 0 ]
	[[ "$output" == *"by duration"* ]]
}

@test "client: piped, an unknown menu choice stops with 1; q and end of input quit with 0" {
	menu 10 q
	[ "$status" -eq 1 ]
	[[ "$stderr" == *'trainsrv-client: stdin:1: unknown option "10"'* ]]
	[ -z "$output" ]

	# end of input in the middle of a question: QUIT, exit 0
	menu 3 Grenoble
	[ "$status" -eq 0 ]
	[[ "$stderr" == *"Goodbye."* ]]

	run --separate-stderr "$CLIENT" -p "$PORT" </dev/null
	[ "$status" -eq 0 ]
}

@test "client: --raw in the menu prints the protocol lines" {
	run --separate-stderr timeout $((20 * SCALE)) "$CLIENT" --raw -p "$PORT" \
	    < <(printf '%s\n' 3 'Paris Gare de Lyon' Valence price q)
	[ "$status" -eq 0 ]
	[ "$output" = "$(printf 'OK 1\n9713;Paris Gare de Lyon;Valence;10:07;12:19;132;90.00;;90.00;;')" ]
}

@test "client: tables count characters, fit the width and cut long names with …" {
	export COLUMNS=64
	menu 0 q
	[ "$status" -eq 0 ]
	# every line within 64 characters (wc -L counts characters here)
	[ "$(wc -L <<<"$output")" -le 64 ]
	[[ "$output" == *"…"* ]]
	# the arrows line up: the same number of characters before each
	local cols
	cols=$(table_rows | while IFS= read -r l; do p=${l%%→*}; echo "${#p}"; done | sort -u | wc -l)
	[ "$cols" -eq 1 ]

	# 80 columns by default when stdout is not a terminal
	unset COLUMNS
	menu 0 q
	[ "$(wc -L <<<"$output")" -le 80 ]
	cols=$(table_rows | while IFS= read -r l; do p=${l%%€*}; echo "${#p}"; done | sort -u | wc -l)
	[ "$cols" -eq 1 ]
}

@test "client: a reload under a piped session: reconnect and answer" {
	local fifo=$BATS_TEST_TMPDIR/in out=$BATS_TEST_TMPDIR/out err=$BATS_TEST_TMPDIR/err
	mkfifo "$fifo"
	"$CLIENT" -p "$PORT" <"$fifo" >"$out" 2>"$err" &
	CLIENT_PID=$!
	exec 7>"$fifo"
	printf '3\nParis Gare de Lyon\n' >&7
	wait_until 10 grep -q 'To: ' "$err"
	kill -HUP "$SERVER_PID"
	wait_until 10 grep -q '^\* reload' "$err"
	printf 'Valence\nprice\n' >&7
	wait_until 10 grep -q '90.00 €' "$out"
	grep -q '^9713 ' "$out"
	exec 7>&-
	wait "$CLIENT_PID"
	CLIENT_PID=
}

@test "client: a graceful stop of the server: the client says so, exit 0" {
	local fifo=$BATS_TEST_TMPDIR/in err=$BATS_TEST_TMPDIR/err st=0
	mkfifo "$fifo"
	"$CLIENT" -p "$PORT" <"$fifo" >/dev/null 2>"$err" &
	CLIENT_PID=$!
	exec 7>"$fifo"
	printf '5\n' >&7
	wait_until 10 grep -q 'Stations starting with' "$err"
	kill -TERM "$SERVER_PID"
	wait "$CLIENT_PID" || st=$?
	CLIENT_PID=
	exec 7>&-
	[ "$st" -eq 0 ]
	grep -q 'shutting down' "$err"
}

@test "client: trains over several legs, UTF-8 names, unknown fares, night trains" {
	stop_server
	cat >"$BATS_TEST_TMPDIR/tt.txt" <<-'TT'
	TGV1;Paris;Lyon Part-Dieu;7:00;9:00;50.00;REDUC
	TGV1;Lyon Part-Dieu;Valence;9:10;10:10;20.00;
	TGV1;Valence;Marseille Saint-Charles;10:20;11:30;30.00;SUPPL
	TER2;Paris;Marseille Saint-Charles;8:00;12:00;;
	N1;Paris;Genève-Cornavin;23:10;6:55;80.00;
	X1;Saint-Étienne-de-Montluc-sur-Loire-et-Environs;Paris;6:00;9:00;12.00;
	TT
	TIMETABLE=$BATS_TEST_TMPDIR/tt.txt start_server

	# wide: the intermediate stations get a column; the arrows and the
	# fares line up although É and è take two bytes
	export COLUMNS=200
	menu 0 q
	[ "$status" -eq 0 ]
	[ "$(table_rows | wc -l)" -eq 4 ]
	table_rows | grep -q '^TGV1 .*Paris *→ Marseille Saint-Charles *07:00 *11:30 *4h30 *93\.00 €  Lyon Part-Dieu, Valence$'
	table_rows | grep -q '^TER2 .*08:00 *12:00 *4h00 *—$'
	table_rows | grep -q '^N1 .*Genève-Cornavin *23:10 *06:55 +1 *7h45 *80\.00 €$'
	table_rows | grep -q '^X1 *Saint-Étienne-de-Montluc-sur-Loire-et-Environs → Paris '
	[ "$(table_rows | while IFS= read -r l; do p=${l%%→*}; echo "${#p}"; done | sort -u | wc -l)" -eq 1 ]
	[ "$(table_rows | while IFS= read -r l; do p=${l%%[0-2][0-9]:[0-5][0-9]*}; echo "${#p}"; done | sort -u | wc -l)" -eq 1 ]

	# 80 columns: the stations move under their train, long names are cut
	export COLUMNS=80
	menu 2 paris 'marseille saint charles' 6:00 9:00 q
	[ "$status" -eq 0 ]
	[[ "$output" == *"Trains from Paris to Marseille Saint-Charles leaving between 6:00 and 9:00:"* ]]
	grep -A1 '^TGV1 ' <<<"$output" | tail -n 1 | grep -q '^       via Lyon Part-Dieu, Valence$'
	table_rows | grep -q '^TGV1 .*93\.00 €  cheapest$'
	table_rows | grep -q '^TER2 .*—  fastest$'
	[ "$(wc -L <<<"$output")" -le 80 ]

	menu 0 q
	[[ "$output" == *"Saint-Étienne-d…"* ]]
	[ "$(wc -L <<<"$output")" -le 80 ]
	unset COLUMNS
}

@test "client: menu 6, journeys with changes, earliest arrival first, each with its legs" {
	stop_server
	cat >"$BATS_TEST_TMPDIR/tt.txt" <<-'TT'
	!change;5
	A1;Lyon;Valence;08:00;09:00;10.00;
	B0;Valence;Grenoble;09:03;10:00;12.00;
	B1;Valence;Grenoble;09:10;10:10;12.00;REDUC
	D1;Lyon;Grenoble;09:30;11:00;25.00;
	TT
	TIMETABLE=$BATS_TEST_TMPDIR/tt.txt start_server
	export COLUMNS=120

	# B0 leaves Valence 3 minutes after A1 arrives: less than the 5 of
	# a change, so the journey with one change arrives at 10:10
	menu 6 lyon grenoble 07:00 "" q
	[ "$status" -eq 0 ]
	[[ "$output" == *"Journeys from Lyon to Grenoble leaving at or after 07:00"* ]]
	[[ "$output" == *"1. Leaves 08:00, arrives 10:10: 1 change, 2h10."* ]]
	[[ "$output" == *"2. Leaves 09:30, arrives 11:00: direct, 1h30."* ]]
	[ "$(table_rows | wc -l)" -eq 3 ]
	table_rows | sed -n 1p | grep -q '^A1 .*Lyon *→ Valence *08:00 *09:00 *1h00 *10\.00 €$'
	table_rows | sed -n 2p | grep -q '^B1 .*Valence *→ Grenoble *09:10 *10:10 *1h00 *9\.60 €$'
	table_rows | sed -n 3p | grep -q '^D1 .*Lyon *→ Grenoble *09:30 *11:00 *1h30 *25\.00 €$'

	# at most 0 changes: the direct train alone; a bad count is asked again
	menu 6 Lyon Grenoble 07:00 9 q
	[ "$status" -eq 1 ]
	[[ "$stderr" == *"trainsrv-client: stdin:5: please answer a number from 0 to 8"* ]]
	menu 6 Lyon Grenoble 07:00 0 q
	[ "$status" -eq 0 ]
	[[ "$output" != *"1 change"* ]]
	[[ "$output" == *"1. Leaves 09:30, arrives 11:00: direct, 1h30."* ]]

	# none: said so; --raw: the protocol lines
	menu 6 Grenoble Lyon 07:00 "" q
	[[ "$output" == *"No journey from Grenoble to Lyon."* ]]
	run --separate-stderr "$CLIENT" -p "$PORT" -c 'JOURNEY Lyon;Grenoble;07:00;0'
	[ "$status" -eq 0 ]
	[ "$output" = "J;09:30;11:00;0;90
D1;Lyon;Grenoble;09:30;11:00;90;25.00;;25.00;;" ]
	unset COLUMNS
}
