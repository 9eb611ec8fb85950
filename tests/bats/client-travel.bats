#!/usr/bin/env bats
# client-travel.bats — trainsrv-client as a traveller uses it (issue 18):
# the nickname kept across a reload, piped answers that stop at the first
# refused one, times and station names as people type them (and the
# server's unique prefixes), the line editor, the one-key pager, departures
# by count, tables measured in display columns.  The interactive parts run
# in a tmux server of the test's own, as client-tty.bats does.

bats_require_minimum_version 1.5.0
load helpers

CLIENT=$BIN/trainsrv-client

setup() {
	export TMUX_TMPDIR=$BATS_TEST_TMPDIR
	unset TMUX
	TMUX_SOCK="travel-$BATS_TEST_NUMBER"
	start_server
}

teardown() {
	if command -v tmux >/dev/null; then
		tmux -L "$TMUX_SOCK" kill-server 2>/dev/null || true
	fi
	# A client that outlives its terminal must not outlive its test.
	pkill -KILL -xf "$CLIENT -p $PORT" 2>/dev/null || true
	teardown_server
}

need_tmux() {
	command -v tmux >/dev/null ||
	    { echo "tmux is missing: sudo apt-get install -y tmux" >&2; return 1; }
}

# menu ANSWER... — the client with its answers piped, one a line.
menu() {
	run --separate-stderr "$CLIENT" -p "$PORT" < <(printf '%s\n' "$@")
}

tty_client() {
	local rows=${1:-50} t=$BATS_TEST_TMPDIR
	cat >"$t/run.sh" <<-EOF2
	"$CLIENT" -p "$PORT"
	echo "exit status \$?" >"$t/status.tmp"
	mv "$t/status.tmp" "$t/status"
	exec cat >/dev/null
	EOF2
	tmux -u -L "$TMUX_SOCK" -f /dev/null new-session -d -x 100 -y "$rows" \
	    "sh $t/run.sh"
	wait_until 10 screen_has "option >>"
}

screen() { tmux -L "$TMUX_SOCK" capture-pane -p -J -S - 2>/dev/null; }
screen_has() { screen | grep -qF -- "$1"; }
screen_lacks() { ! screen_has "$1"; }
last_line() { screen | sed 's/[[:space:]]*$//; /^$/d' | tail -n 1; }
last_line_is() { [ "$(last_line)" = "$1" ]; }
keys() { tmux -L "$TMUX_SOCK" send-keys "$@"; }
type_text() { tmux -L "$TMUX_SOCK" send-keys -l -- "$1"; }
answer() {
	wait_until 10 last_line_is "$1"
	type_text "$2"
	keys Enter
}
pager_or_menu() {
	last_line_is "-- Enter for more, q to stop --" || last_line_is "option >>"
}
# board_rows_are N — N rows of departures from Valence on the screen.
board_rows_are() {
	[ "$(screen | grep -c '^[0-9][0-9]* *Valence →')" -eq "$1" ]
}

@test "client-travel: a reload while idle at the menu keeps the nickname" {
	need_tmux
	tty_client
	answer "option >>" 7
	answer "Nickname (1 to 16 of A-Z a-z 0-9 _ -):" carol
	wait_until 10 screen_has "You are now carol."
	wait_until 10 last_line_is "option >>"
	kill -HUP "$SERVER_PID"
	wait_until 10 screen_has "* reload"
	# another session finds carol, on the new workers
	wait_until 10 "$CLIENT" -p "$PORT" -c 'MSG @carol hi'
	wait_until 10 screen_has "[message from"
	answer "option >>" 8
	wait_until 10 screen_has "connected:"
	screen | grep -q '^#[0-9]* *carol '
}

@test "client-travel: piped answers stop at the first refused one, exit 1, the line named" {
	run --separate-stderr "$CLIENT" -p "$PORT" < <(printf '1\ngrenble\nvalence\n07:00\n')
	[ "$status" -eq 1 ]
	[[ "$stderr" == *'trainsrv-client: stdin:2: no station "grenble" (did you mean Grenoble?)'* ]]
	[[ "$stderr" != *"From: valence"* ]]
	[ -z "$output" ]

	# a bad time, an unknown option, a bad count: the same
	menu 1 Grenoble Valence 25:00 q
	[ "$status" -eq 1 ]
	[[ "$stderr" == *'trainsrv-client: stdin:4: bad time "25:00"'* ]]
	menu 1 q 10 q
	[ "$status" -eq 1 ]
	[[ "$stderr" == *'trainsrv-client: stdin:3: unknown option "10"'* ]]
	menu 6 Grenoble Valence 07:00 9 q
	[ "$status" -eq 1 ]
	[[ "$stderr" == *'trainsrv-client: stdin:5: please answer a number from 0 to 8'* ]]

	# all answers good: exit 0
	menu 1 Grenoble Valence 17:00 q
	[ "$status" -eq 0 ]
}

@test "client-travel: times as people write them become HH:MM" {
	local t want
	for t in 7pm=19:00 7:15pm=19:15 7h=07:00 7h15=07:15 0715=07:15 \
	    7=07:00 07=07:00 19:00=19:00 12am=00:00 "7:15 am=07:15"; do
		want=${t#*=}
		menu 4 Valence "${t%%=*}" 1 q
		[ "$status" -eq 0 ]
		[[ "$output" == *"Departures from Valence at or after $want:"* ]]
	done
	# "q" alone at a prompt goes back to the menu
	menu 1 Grenoble q 8 q
	[ "$status" -eq 0 ]
	[[ "$output" == *"connected:"* ]] || [[ "$stderr" == *"connected:"* ]]
}

@test "client-travel: the server takes a unique prefix of a station name" {
	run "$CLIENT" -p "$PORT" -c 'NEXT paris;val;07:00'
	[ "$status" -eq 0 ]
	[[ "$output" == *";Paris Gare de Lyon;Valence;"* ]]
	run "$CLIENT" -p "$PORT" -r -c 'NEXT pa;valenc;07:00'
	[ "$status" -eq 0 ]
	[[ "${lines[0]}" == "OK 1" ]]
	# no station starts so: still 404
	run "$CLIENT" -p "$PORT" -r -c 'NEXT parisx;valence;07:00'
	[ "$status" -eq 1 ]
	[[ "${lines[0]}" == 'ERR 404 unknown station "parisx"'* ]]
	# the menu takes it too
	menu 3 paris val "" q
	[ "$status" -eq 0 ]
	[[ "$output" == *"Best train from Paris Gare de Lyon to Valence by price:"* ]]
}

@test "client-travel: an ambiguous prefix is still 404 with suggestions" {
	stop_server
	printf '%s\n' "1;Saint-Malo;Rennes;8:00;9:00;10.00;" \
	    "2;Saint-Brieuc;Rennes;8:00;9:00;10.00;" >"$BATS_TEST_TMPDIR/tt.txt"
	TIMETABLE=$BATS_TEST_TMPDIR/tt.txt start_server
	run "$CLIENT" -p "$PORT" -r -c 'NEXT saint;rennes;07:00'
	[ "$status" -eq 1 ]
	[[ "${lines[0]}" == 'ERR 404 unknown station "saint" (did you mean: Saint-Brieuc | Saint-Malo)' ]]
	run "$CLIENT" -p "$PORT" -r -c 'NEXT saint m;rennes;07:00'
	[ "$status" -eq 0 ]
	[[ "${lines[1]}" == "1;Saint-Malo;Rennes;"* ]]
}

@test "client-travel: Left, Home, End, Delete edit in place; Up recalls; Tab completes" {
	need_tmux
	tty_client
	answer "option >>" 1
	wait_until 10 last_line_is "From:"
	type_text "val"
	keys Left Left
	type_text "X"
	wait_until 10 last_line_is "From: vXal"
	keys Home
	type_text "<"
	keys End
	type_text ">"
	wait_until 10 last_line_is "From: <vXal>"
	keys Home Delete
	wait_until 10 last_line_is "From: vXal>"
	keys End C-u
	type_text "pa"
	keys Tab
	wait_until 10 last_line_is "From: Paris Gare de Lyon"
	keys Enter
	wait_until 10 last_line_is "To:"
	keys Up
	wait_until 10 last_line_is "To: Paris Gare de Lyon"
	keys C-u
	type_text "Valence"
	keys Enter
	answer "Leaving at or after (HH:MM, empty for now):" 7
	wait_until 10 screen_has "Next train from Paris Gare de Lyon to Valence at or after 07:00:"
}

@test "client-travel: Esc and Ctrl-G abandon a question; a suggestion is picked by number" {
	need_tmux
	tty_client
	answer "option >>" 3
	wait_until 10 last_line_is "From:"
	type_text "Gren"
	keys Escape
	wait_until 10 last_line_is "option >>"
	answer "option >>" 2
	wait_until 10 last_line_is "From:"
	keys C-g
	wait_until 10 last_line_is "option >>"
	answer "option >>" 4
	answer "Station:" Grenble
	wait_until 10 screen_has 'No station "Grenble"; did you mean Grenoble? (1 picks it)'
	answer "Station:" 1
	answer "At or after (HH:MM, empty for now):" 16
	answer "How many departures? [10]" ""
	wait_until 10 screen_has "Departures from Grenoble at or after 16:00:"
}

@test "client-travel: the pager stops on q without Enter; departures offer more" {
	need_tmux
	tty_client 20
	answer "option >>" 0
	wait_until 10 last_line_is "-- Enter for more, q to stop --"
	keys q
	wait_until 10 last_line_is "option >>"
	answer "option >>" 4
	answer "Station:" Valence
	answer "At or after (HH:MM, empty for now):" 6
	answer "How many departures? [10]" 1
	wait_until 10 screen_has "-- m: more departures"
	board_rows_are 1
	keys m
	wait_until 10 board_rows_are 2
	keys x
	wait_until 10 last_line_is "option >>"
}

@test "client-travel: widths in display columns, the board keeps the destination whole" {
	stop_server
	printf '%s\n' "1;東京;大阪;8:00;10:30;100.00;" "2;Tokyo;Osaka;9:00;11:30;90.00;" \
	    "3;Ab;Very Long Destination Name Indeed;9:30;11:00;9.00;" \
	    >"$BATS_TEST_TMPDIR/tt.txt"
	TIMETABLE=$BATS_TEST_TMPDIR/tt.txt start_server
	export COLUMNS=100
	menu 0 q
	[ "$status" -eq 0 ]
	# the arrow and the departure times line up, CJK taking two columns
	[ "$(grep '→' <<<"$output" | sed 's/→.*//' | while IFS= read -r l; do printf '%s\n' "$l" | wc -L; done | sort -u | wc -l)" -eq 1 ]
	[ "$(grep '→' <<<"$output" | sed 's/[0-9][0-9]:[0-9][0-9].*//' | while IFS= read -r l; do printf '%s\n' "$l" | wc -L; done | sort -u | wc -l)" -eq 1 ]
	# the rule under the header is as wide as the header's columns
	[ "$(grep '^─' <<<"$output" | head -n 1 | wc -L)" -ge "$(grep '^Train' <<<"$output" | head -n 1 | wc -L)" ]

	# a narrow departures board: the destination and times whole
	export COLUMNS=60
	menu 4 ab 9 "" q
	[ "$status" -eq 0 ]
	grep -q '→ Very Long Destination Name Indeed *09:30' <<<"$output"
}

@test "client-travel: the menu in trainsrv-client(1) is the real menu" {
	local real doc
	real=$(printf 'q\n' | "$CLIENT" -p "$PORT" 2>&1 >/dev/null |
	    sed -n '/^  0  /,/^  q  quit$/p')
	doc=$(sed -n '/^  0  all trains$/,/^  q  quit$/p' "$ROOT/man/trainsrv-client.1")
	[ -n "$real" ]
	[ "$real" = "$doc" ]
	# and the page renders no quote swallowing its text: (‘— when unknown’)
	if mandoc -T utf8 "$ROOT/man/trainsrv-client.1" | col -b | tr -s " \n" "  " |
	    grep -qF "‘— when"; then
		false
	fi
}

@test "client-travel: a cut via list is shown whole with v" {
	need_tmux
	local i tt=$BATS_TEST_TMPDIR/tt.txt
	stop_server
	: >"$tt"
	for i in 1 2 3 4 5 6 7 8; do
		echo "V1;Halt Number $i Somewhere;Halt Number $((i + 1)) Somewhere;$((i + 6)):00;$((i + 6)):30;1.00;" >>"$tt"
	done
	TIMETABLE=$tt start_server
	tty_client
	answer "option >>" 1
	answer "From:" "Halt Number 1 Somewhere"
	answer "To:" "Halt Number 9 Somewhere"
	answer "Leaving at or after (HH:MM, empty for now):" 06:00
	wait_until 10 screen_has "-- v: the whole via lists"
	screen_lacks "Halt Number 8 Somewhere"
	keys v
	wait_until 10 screen_has "Halt Number 8 Somewhere"
	screen | grep -q '^V1 via Halt Number 2 Somewhere,'
	wait_until 10 last_line_is "option >>"
}

@test "client-travel: no train says what to try instead" {
	stop_server
	printf '%s\n' "A1;Arles;Nimes;8:00;8:30;;" "B1;Nimes;Sete;9:00;9:40;;" \
	    >"$BATS_TEST_TMPDIR/tt.txt"
	TIMETABLE=$BATS_TEST_TMPDIR/tt.txt start_server
	# no fare known: best by price finds none, by duration does
	menu 3 Arles Nimes price q
	[ "$status" -eq 0 ]
	[[ "$output" == *"No fare is known for the trains from Arles to Nimes; try best by duration."* ]]
	menu 3 Arles Nimes duration q
	[[ "$output" == *"Train A1 leaves at 08:00"* ]]
	# no direct train: a journey with changes
	menu 1 Arles Sete 7 q
	[ "$status" -eq 0 ]
	[[ "$output" == *"No direct train from Arles to Sete; try a journey with changes (6)."* ]]
	menu 2 Arles Nimes 10 11 q
	[[ "$output" == *"try a wider window"* ]]
	menu 6 Arles Sete 7 "" q
	[[ "$output" == *"1. Leaves 08:00, arrives 09:40: 1 change"* ]]
}

@test "client-travel: the pages of all trains keep their column widths" {
	need_tmux
	local i
	tty_client 14
	answer "option >>" 0
	for i in 1 2 3 4 5 6; do
		wait_until 10 pager_or_menu
		if last_line_is "option >>"; then
			break
		fi
		keys Enter
	done
	last_line_is "option >>"
	# every row's arrow and departure time in the same column, every page
	[ "$(screen | grep '→' | sed 's/→.*//' | while IFS= read -r l; do printf '%s\n' "$l" | wc -L; done | sort -u | wc -l)" -eq 1 ]
	[ "$(screen | grep '→' | sed 's/[0-9][0-9]:[0-9][0-9].*//' | while IFS= read -r l; do printf '%s\n' "$l" | wc -L; done | sort -u | wc -l)" -eq 1 ]
	[ "$(screen | grep -c '^Train ')" -ge 3 ]
}

@test "client-travel: editing in place counts display columns (CJK is two wide)" {
	need_tmux
	tty_client
	answer "option >>" 5
	wait_until 10 last_line_is "Stations starting with (empty for all):"
	type_text "東京"
	keys Left
	type_text "X"
	wait_until 10 last_line_is "Stations starting with (empty for all): 東X京"
	# the cursor after the X: 40 columns of prompt, then 東 (2) and X (1)
	[ "$(tmux -L "$TMUX_SOCK" display -p '#{cursor_x}')" -eq 43 ]
	keys End BSpace BSpace
	wait_until 10 last_line_is "Stations starting with (empty for all): 東"
}
