#!/usr/bin/env bats
# import.bats — trainsrv-import on the LIRR feed (data/gtfs-lirr, a copy of
# ../shared/data/gtfs-lirr): import one weekday, serve it, and ask NEXT and
# JOURNEY questions whose answers were read from the feed's files by hand;
# the awk lines below redo that reading, so the test shows how.  Also: the
# importer's errors, and its speed on the real feed and a generated one.

load helpers

bats_require_minimum_version 1.5.0

IMPORT=$BIN/trainsrv-import
LIRR=$DATA/gtfs-lirr

teardown() {
	teardown_server
}

# running_trips — trip_id and trip_short_name of every trip that runs on
# 2026-10-05: its service_id is added that day in calendar_dates.txt (the
# feed has no calendar.txt).
running_trips() {
	awk -F, 'FNR == 1 { next }
	    FILENAME ~ /calendar_dates/ { if ($2 == "20261005" && $3 + 0 == 1) run[$1] = 1; next }
	    ($2 in run) { print $3 "," $5 }' "$LIRR/calendar_dates.txt" "$LIRR/trips.txt"
}

# first_direct FROM_ID TO_ID HH:MM:SS — the running trip leaving FROM at
# or after the time, first, that calls at TO later: "number dep arr".
first_direct() {
	running_trips >"$BATS_TEST_TMPDIR/running"
	awk -F, -v f="$1" -v t="$2" -v at="$3" '
	    FILENAME ~ /running/ { name[$1] = $2; next }
	    FNR == 1 || !($1 in name) { next }
	    $4 == f { dep[$1] = $3; sf[$1] = $5 + 0 }
	    $4 == t { arr[$1] = $2; st[$1] = $5 + 0 }
	    END {
		for (x in dep)
			if ((x in arr) && sf[x] < st[x] && dep[x] >= at &&
			    (best == "" || dep[x] < dep[best]))
				best = x
		print name[best], substr(dep[best], 1, 5), substr(arr[best], 1, 5)
	    }' "$BATS_TEST_TMPDIR/running" "$LIRR/stop_times.txt"
}

# calls NUMBER — the stops of the running trip NUMBER, "stop_id dep arr".
calls() {
	local id
	id=$(running_trips | awk -F, -v n="$1" '$2 == n { print $1 }')
	[ "$(wc -l <<<"$id")" -eq 1 ]
	awk -F, -v id="$id" '$1 == id { print $4, substr($3, 1, 5), substr($2, 1, 5) }' \
	    "$LIRR/stop_times.txt"
}

@test "import: LIRR for 2026-10-05 in under a second; trainsrv -t accepts it" {
	local t0 t1
	t0=$(now_ms)
	run "$IMPORT" -d 2026-10-05 -o "$BATS_TEST_TMPDIR/lirr.txt" "$LIRR"
	t1=$(now_ms)
	[ "$status" -eq 0 ]
	[ -z "$output" ]
	[ $((t1 - t0)) -lt $((1000 * SCALE)) ]
	# the day's 937 trips, 9,148 connections, 126 stations (data/README)
	run "$BIN/trainsrv" -t -f "$BATS_TEST_TMPDIR/lirr.txt"
	[ "$status" -eq 0 ]
	[[ "$output" == *"937 trains, 9148 legs, 126 stations"* ]]
	# Jamaica's 300 s from transfers.txt; the rest the default 2 minutes
	grep -qx '!change;2' "$BATS_TEST_TMPDIR/lirr.txt"
	grep -qx '!change;5;Jamaica' "$BATS_TEST_TMPDIR/lirr.txt"
	[ "$(grep -c '^!' "$BATS_TEST_TMPDIR/lirr.txt")" -eq 2 ]
	# times past 24:00 kept as written; no price known
	grep -q ';24:[0-5][0-9];' "$BATS_TEST_TMPDIR/lirr.txt"
	! grep -v '^[#!]' "$BATS_TEST_TMPDIR/lirr.txt" | grep -qv ';;$'
	# -c and stdout
	run "$IMPORT" -c 4 -d 2026-10-05 "$LIRR"
	[ "$status" -eq 0 ]
	[[ "$output" == *$'\n!change;4\n'* ]]
}

@test "import: NEXT and JOURNEY on the served LIRR day, as read from the feed's files" {
	"$IMPORT" -d 2026-10-05 -o "$BATS_TEST_TMPDIR/lirr.txt" "$LIRR"
	TIMETABLE=$BATS_TEST_TMPDIR/lirr.txt start_server -w 1

	# stops.txt: 27 Babylon, 102 Jamaica, 214 Woodside, 237 Penn Station,
	# 171 Port Washington.
	grep -q '^27,BTA,Babylon,' "$LIRR/stops.txt"
	grep -q '^237,NYK,Penn Station,' "$LIRR/stops.txt"

	# NEXT: among the trips running that day, the first leaving Babylon
	# at or after 09:00 that calls at Penn Station later is 139 (trip
	# GO202_26_139), 09:02, arriving 10:01.
	[ "$(first_direct 27 237 09:00:00)" = "139 09:02 10:01" ]
	run ask 'NEXT Babylon;Penn Station;09:00'
	[ "${lines[1]}" = "OK 1" ]
	[[ "${lines[2]}" == "139;Babylon;Penn Station;09:02;10:01;59;;;;Amityville|"* ]]

	# JOURNEY Babylon to Port Washington at 08:00.  No running trip calls
	# at both (Port Washington's branch does not reach Babylon's):
	running_trips | cut -d, -f1 >"$BATS_TEST_TMPDIR/ids"
	[ -z "$(awk -F, 'FILENAME ~ /ids/ { r[$1] = 1; next }
	    ($1 in r) && $4 == 27 { b[$1] = 1 } ($1 in r) && $4 == 171 { p[$1] = 1 }
	    END { for (x in b) if (x in p) print x }' "$BATS_TEST_TMPDIR/ids" "$LIRR/stop_times.txt")" ]
	# With changes, from stop_times.txt (stop dep arr):
	#   133: 27 08:16, 102 (Jamaica) arr 09:05        (then on to Penn 09:25)
	#   729: 102 dep 09:17, 214 (Woodside) arr 09:25
	#   316: 214 dep 09:27, 171 arr 10:03             (left Penn at 09:16)
	#   139: 27 09:02, 237 arr 10:01
	#   318: 237 dep 10:16, 171 arr 11:03
	calls 133 | grep -qx '27 08:16 08:16'
	calls 133 | grep -qx '102 09:06 09:05'
	calls 729 | grep -qx '102 09:17 09:16'
	calls 729 | grep -qx '214 09:25 09:25'
	calls 316 | grep -qx '214 09:27 09:27'
	calls 316 | grep -qx '171 10:03 10:03'
	calls 139 | grep -qx '237 10:01 10:01'
	calls 318 | grep -qx '237 10:16 10:16'
	calls 318 | grep -qx '171 11:03 11:03'
	# The changes keep the minimum times: 12 minutes at Jamaica (5 from
	# transfers.txt "102,102,,,2,300"), 2 at Woodside (the default), 15 at
	# Penn Station.  Why nothing better (the same awk, listing the day's
	# trips by their times at 27, 102, 214, 237, 171): the only earlier
	# train to Port Washington through Woodside is 416 (Woodside 08:52),
	# and Babylon's first trains reach Jamaica at 08:59 (131) and 09:05
	# (133); through Penn Station, 316 leaves at 09:16 and Babylon's first
	# arrival there is 09:19 (131).  So 10:03 with 2 changes, 11:03 with 1
	# (318).  Latest departures: 135 (08:30) reaches Jamaica at 09:20,
	# after 729 left; 139 (09:02) is the last to reach Penn Station by
	# 10:14 (137 at 08:41 does too, but leaves earlier).
	run ask 'JOURNEY Babylon;Port Washington;08:00'
	[ "${lines[1]}" = "OK 7" ]
	[ "${lines[2]}" = "J;08:16;10:03;2;107" ]
	[[ "${lines[3]}" == "133;Babylon;Jamaica;08:16;09:05;49;;;;Lindenhurst|"* ]]
	[ "${lines[4]}" = "729;Jamaica;Woodside;09:17;09:25;8;;;;;" ]
	[[ "${lines[5]}" == "316;Woodside;Port Washington;09:27;10:03;36;;;;Mets-Willets Point|"* ]]
	[ "${lines[6]}" = "J;09:02;11:03;1;121" ]
	[[ "${lines[7]}" == "139;Babylon;Penn Station;09:02;10:01;59;;;;"* ]]
	[[ "${lines[8]}" == "318;Penn Station;Port Washington;10:16;11:03;47;;;;Woodside|"* ]]
	[ "${lines[9]}" = "OK 0" ]

	# no change allowed: no journey; a bad count, an unknown station
	run ask 'JOURNEY Babylon;Port Washington;08:00;0' 'JOURNEY Babylon;Port Washington;08:00;9' \
	    'JOURNEY Babylon;Port Washingtn;08:00' 'JOURNEY Babylon;Jamaica'
	[ "${lines[1]}" = "OK 0" ]
	[ "${lines[2]}" = 'ERR 400 bad max_changes "9" (want 0 to 8)' ]
	[[ "${lines[3]}" == 'ERR 404 unknown station "Port Washingtn" (did you mean: Port Washington'* ]]
	[ "${lines[4]}" = "ERR 400 usage: JOURNEY from;to;time[;max_changes]" ]
}

@test "import: a date outside the feed names the dates it covers; usage errors" {
	run --separate-stderr "$IMPORT" -d 2027-01-01 "$LIRR"
	[ "$status" -eq 1 ]
	[ -z "$output" ]
	[[ "$stderr" == *"no service on 2027-01-01: the feed covers 2026-09-21 to 2026-11-08"* ]]
	run --separate-stderr "$IMPORT" -d 2026-13-01 "$LIRR"
	[ "$status" -eq 1 ]
	[[ "$stderr" == *'bad date "2026-13-01" (want YYYY-MM-DD)'* ]]
	run --separate-stderr "$IMPORT" -c 0 "$LIRR"
	[ "$status" -eq 1 ]
	[[ "$stderr" == *'bad change time "0"'* ]]
	run --separate-stderr "$IMPORT"
	[ "$status" -eq 1 ]
	[[ "$stderr" == usage:* ]]
	run --separate-stderr "$IMPORT" -d 2026-10-05 "$BATS_TEST_TMPDIR/none"
	[ "$status" -eq 1 ]
	[[ "$stderr" == *"none/stops.txt: No such file or directory"* ]]
	# a failed import leaves the output file as it was
	echo old >"$BATS_TEST_TMPDIR/out.txt"
	run "$IMPORT" -d 2027-01-01 -o "$BATS_TEST_TMPDIR/out.txt" "$LIRR"
	[ "$(cat "$BATS_TEST_TMPDIR/out.txt")" = old ]
	run "$IMPORT" --help
	[ "$status" -eq 0 ]
	[[ "$output" == usage:* ]]
}

@test "import: a generated feed of 600,000 stop times in under 3 s" {
	local t0 t1
	"$BIN/ttgen" -g "$BATS_TEST_TMPDIR/feed" -l 600000
	[ "$(($(wc -l <"$BATS_TEST_TMPDIR/feed/stop_times.txt") - 1))" -eq 600000 ]
	t0=$(now_ms)
	"$IMPORT" -d 2026-10-05 -o "$BATS_TEST_TMPDIR/gen.txt" "$BATS_TEST_TMPDIR/feed"
	t1=$(now_ms)
	echo "# imported in $((t1 - t0)) ms" >&3
	[ $((t1 - t0)) -lt $((3000 * SCALE)) ]
	run "$BIN/trainsrv" -t -f "$BATS_TEST_TMPDIR/gen.txt"
	[ "$status" -eq 0 ]
}

@test "import: an output that is not a regular file (a FIFO) is written to, never replaced" {
	fifo=$BATS_TEST_TMPDIR/out.fifo
	mkfifo "$fifo"
	cat "$fifo" >"$BATS_TEST_TMPDIR/copy" &
	reader=$!
	run "$IMPORT" -d 2026-10-05 -o "$fifo" "$ROOT/data/gtfs-lirr"
	[ "$status" -eq 0 ]
	wait "$reader"
	[ -p "$fifo" ]
	run "$BIN/trainsrv" -t -f "$BATS_TEST_TMPDIR/copy"
	[ "$status" -eq 0 ]
	[[ "$output" == *"9148 legs"* ]]
}
