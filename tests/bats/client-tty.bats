#!/usr/bin/env bats
# client-tty.bats — trainsrv-client on a real terminal, through tmux:
# menu navigation, a notice while an answer is half typed, Ctrl-D, Ctrl-C,
# the server reloaded, stopped and restarted under the client.  Keys go in
# with send-keys, the screen comes back with capture-pane, and every wait
# polls the screen for the text it expects.

load helpers

CLIENT=$BIN/trainsrv-client

setup() {
	# A missing tool fails, never skips (tests/run-tests says so first).
	command -v tmux >/dev/null ||
	    { echo "tmux is missing: sudo apt-get install -y tmux" >&2; return 1; }
	# a tmux server of its own, its socket in the test's directory
	export TMUX_TMPDIR=$BATS_TEST_TMPDIR
	unset TMUX
	TMUX_SOCK="client-$BATS_TEST_NUMBER"
	start_server
}

teardown() {
	tmux -L "$TMUX_SOCK" kill-server 2>/dev/null || true
	# A client that outlives its terminal must not outlive its test.
	pkill -KILL -xf "$CLIENT -p $PORT" 2>/dev/null || true
	teardown_server
}

# tty_client [ROWS] — the client in a fresh tmux server of its own, in a
# 100-column terminal; the wrapper records the terminal settings before and
# after and the client's exit status.
tty_client() {
	local rows=${1:-50} t=$BATS_TEST_TMPDIR
	cat >"$t/run.sh" <<-EOF
	trap : INT
	stty -g >"$t/stty.before"
	"$CLIENT" -p "$PORT"
	echo "exit status \$?" >"$t/status.tmp"
	stty -g >"$t/stty.after"
	mv "$t/status.tmp" "$t/status"
	echo "client exited"
	exec cat >/dev/null
	EOF
	tmux -u -L "$TMUX_SOCK" -f /dev/null new-session -d -x 100 -y "$rows" \
	    "sh $t/run.sh"
	wait_until 10 screen_has "option >>"
}

# screen — the whole pane, history included.
screen() {
	tmux -L "$TMUX_SOCK" capture-pane -p -J -S - 2>/dev/null
}

screen_has() {
	screen | grep -qF -- "$1"
}

screen_lacks() {
	! screen_has "$1"
}

# last_line — the last non-empty line on the screen (the prompt).
last_line() {
	screen | sed 's/[[:space:]]*$//; /^$/d' | tail -n 1
}

last_line_is() {
	[ "$(last_line)" = "$1" ]
}

keys() {
	tmux -L "$TMUX_SOCK" send-keys "$@"
}

# type TEXT — TEXT literally, no key names.
type_text() {
	tmux -L "$TMUX_SOCK" send-keys -l -- "$1"
}

# answer PROMPT TEXT — wait for the prompt to be the last line, type TEXT,
# press Enter.
answer() {
	wait_until 10 last_line_is "$1"
	type_text "$2"
	keys Enter
}

client_exited() {
	[ -f "$BATS_TEST_TMPDIR/status" ]
}

# exited_with CODE — the client ended with CODE and the terminal is as it
# was before.
exited_with() {
	wait_until 10 client_exited
	[ "$(cat "$BATS_TEST_TMPDIR/status")" = "exit status $1" ]
	cmp "$BATS_TEST_TMPDIR/stty.before" "$BATS_TEST_TMPDIR/stty.after"
}

@test "client-tty: menu navigation, the seed's example, q quits" {
	tty_client
	screen_has "Welcome to trainsrv-client, connected to localhost:$PORT."
	screen_has "  3  best train, by price or by duration"
	answer "option >>" 3
	answer "From:" "paris gare de lyon"
	answer "To:" "valence"
	answer "Best by price or by duration? [price]" ""
	wait_until 10 screen_has "90.00 €"
	screen | grep -q '^9713 .*Paris Gare de Lyon → Valence.*10:07.*12:19.*2h12.*90\.00 €$'
	# the answers were echoed by the client itself, as typed
	screen_has "From: paris gare de lyon"

	answer "option >>" 2
	answer "From:" Grenoble
	answer "To:" Valence
	answer "Leaving from (HH:MM):" 16:00
	answer "Leaving until (HH:MM):" 19:00
	wait_until 10 screen_has "Cheapest: train 17528"
	screen | grep -q '^17525 .*fastest$'

	answer "option >>" q
	exited_with 0
	screen_has "Goodbye."
}

@test "client-tty: all trains come a page at a time on a small terminal" {
	tty_client 20
	answer "option >>" 0
	wait_until 10 last_line_is "-- Enter for more, q to stop --"
	keys Enter
	wait_until 10 screen_has "6063 "
	answer "option >>" 0
	answer "-- Enter for more, q to stop --" q
	wait_until 10 last_line_is "option >>"
	keys C-d
	exited_with 0
}

@test "client-tty: line editing: Backspace, Ctrl-U, Ctrl-W" {
	tty_client
	answer "option >>" 1
	wait_until 10 last_line_is "From:"
	type_text "Lyon"
	keys C-u
	type_text "Grenoblxx"
	keys BSpace BSpace
	type_text "e"
	keys Enter
	wait_until 10 last_line_is "To:"
	type_text "Paris Valence"
	keys C-w C-w
	type_text "Valence"
	keys Enter
	answer "Leaving at or after (HH:MM, empty for now):" 17:00
	wait_until 10 screen_has "Next train from Grenoble to Valence at or after 17:00:"
	screen | grep -q '^17526 '
}

@test "client-tty: an unknown station shows suggestions and asks again" {
	tty_client
	answer "option >>" 4
	answer "Station:" "Grenble"
	wait_until 10 screen_has 'No station "Grenble"; did you mean Grenoble?'
	answer "Station:" "Grenoble"
	answer "At or after (HH:MM, empty for now):" 16:00
	answer "How many departures? [10]" ""
	wait_until 10 screen_has "Departures from Grenoble at or after 16:00:"
}

@test "client-tty: a reload notice while an answer is half typed: the text survives, the query is answered" {
	tty_client
	answer "option >>" 1
	wait_until 10 last_line_is "From:"
	type_text "Paris Ga"
	wait_until 10 last_line_is "From: Paris Ga"
	kill -HUP "$SERVER_PID"
	# the notice on its own line, then the prompt with the half answer
	wait_until 10 screen_has "* reload"
	wait_until 10 last_line_is "From: Paris Ga"
	screen | grep -B1 -x 'From: Paris Ga' | head -n 1 | grep -q '^\* reload'
	type_text "re de Lyon"
	keys Enter
	answer "To:" Valence
	answer "Leaving at or after (HH:MM, empty for now):" 07:00
	wait_until 10 screen_has "Next train from Paris Gare de Lyon to Valence at or after 07:00:"
	screen | grep -q '^6035 .*07:41.*10:11.*2h30.*90\.40 €$'
	answer "option >>" q
	exited_with 0
}

@test "client-tty: Ctrl-D at a prompt quits cleanly, exit 0" {
	tty_client
	answer "option >>" 3
	wait_until 10 last_line_is "From:"
	keys C-d
	exited_with 0
	screen_has "Goodbye."
}

@test "client-tty: Ctrl-D on a half-typed answer does nothing" {
	tty_client
	answer "option >>" 5
	wait_until 10 last_line_is "Stations starting with (empty for all):"
	type_text "gre"
	keys C-d Enter
	wait_until 10 screen_has "Grenoble"
	[ ! -f "$BATS_TEST_TMPDIR/status" ]
}

@test "client-tty: Ctrl-C exits 130 with the terminal restored" {
	tty_client
	answer "option >>" 2
	wait_until 10 last_line_is "From:"
	type_text "Greno"
	wait_until 10 last_line_is "From: Greno"
	keys C-c
	exited_with 130
}

@test "client-tty: the server stopping says so, exit 0" {
	tty_client
	answer "option >>" 1
	wait_until 10 last_line_is "From:"
	kill -TERM "$SERVER_PID"
	exited_with 0
	screen_has "the server is shutting down"
}

# The master's children (workers), to wait for them after a SIGKILL.
workers_of() {
	pgrep -P "$1" 2>/dev/null || true
}

all_gone() {
	local p
	for p in "$@"; do
		kill -0 "$p" 2>/dev/null && return 1
	done
	return 0
}

@test "client-tty: the server restarted under the client: the next query just works" {
	local workers
	tty_client
	answer "option >>" 5
	answer "Stations starting with (empty for all):" va
	wait_until 10 screen_has "Valence"

	# kill the server outright (no notice), start a new one on the port
	workers=$(workers_of "$SERVER_PID")
	kill -KILL "$SERVER_PID"
	wait_until 10 all_gone "$SERVER_PID" $workers
	wait "$SERVER_PID" 2>/dev/null || true
	"$BIN/trainsrv" -b 127.0.0.1 -p "$PORT" -f "$DATA/sncf.txt" \
	    </dev/null 2>"$BATS_TEST_TMPDIR/server2.log" >&2 &
	SERVER_PID=$!
	wait_until 10 log_has "listening on" "$BATS_TEST_TMPDIR/server2.log"

	answer "option >>" 3
	answer "From:" "Paris Gare de Lyon"
	answer "To:" Valence
	answer "Best by price or by duration? [price]" duration
	wait_until 10 screen_has "Best train from Paris Gare de Lyon to Valence by duration:"
	screen | grep -q '^9713 .*2h12.*90\.00 €$'
	screen_lacks "trainsrv-client:"
	answer "option >>" q
	exited_with 0
}
