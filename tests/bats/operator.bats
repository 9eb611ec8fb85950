#!/usr/bin/env bats
# operator.bats — the chat seeds: nicknames, WHO, MSG between sessions on
# different workers, and the operator's control socket (list, wall, kick,
# shutdown N) and console.

load helpers

teardown() {
	local fd s
	# tmux servers a test started (they would keep bats' fd 3 open).
	for s in "$BATS_TEST_TMPDIR"/tmux*; do
		[ -S "$s" ] && tmux -S "$s" kill-server 2>/dev/null
	done
	for fd in "${SESSION_FDS[@]:-}"; do [ -n "$fd" ] && exec {fd}>&- 2>/dev/null; done
	teardown_server
	if [ -n "${XDG_TMP:-}" ]; then rm -rf "$XDG_TMP"; fi
}

declare -gA FD PID
SESSION_FDS=()

# open_session NAME — a client connection this test writes to with `say`
# and reads back from $BATS_TEST_TMPDIR/NAME.out.
open_session() {
	local n=$1 f=$BATS_TEST_TMPDIR/$1
	rm -f "$f.in" "$f.out"
	mkfifo "$f.in"
	# -t 2: once the server has closed, socat lingers 2 s (waits below allow 5).
	timeout $((60 * SCALE)) socat -t 2 - "TCP:127.0.0.1:$PORT" <"$f.in" >"$f.out" &
	PID[$n]=$!
	exec {fd}>"$f.in"
	FD[$n]=$fd
	SESSION_FDS+=("$fd")
	wait_until 5 grep -q "ready; type HELP" "$f.out"
}
close_session() { local fd=${FD[$1]}; exec {fd}>&-; wait "${PID[$1]}" 2>/dev/null || true; }
say() { printf '%s\n' "$2" >&"${FD[$1]}"; }
# saw NAME LINE — NAME's connection received exactly LINE.
saw() { grep -qxF -- "$2" "$BATS_TEST_TMPDIR/$1.out"; }
expect() { wait_until 5 saw "$1" "$2" || { echo "--- $1 got:"; cat "$BATS_TEST_TMPDIR/$1.out"; false; }; }
ctl() { "$BIN/trainsrv-ctl" -p "$PORT" "$@"; }
# worker_of NICK — the worker slot serving that nickname, from `list`.
worker_of() { ctl list | awk -F';' -v n="$1" '$2 == n { print $4 }'; }
lines_of() { wc -l <"$BATS_TEST_TMPDIR/$1.out"; }
# count_is NAME LINE N — NAME's connection received LINE exactly N times.
count_is() { [ "$(grep -cxF -- "$2" "$BATS_TEST_TMPDIR/$1.out")" -eq "$3" ]; }
expect_n() { wait_until 5 count_is "$1" "$2" "$3" || { echo "--- $1 got:"; cat "$BATS_TEST_TMPDIR/$1.out"; false; }; }
# wait_until runs a command each time: `wait_until 5 [ "$(stat_get X)" -eq 1 ]`
# would read the value once, before waiting, and wait on a constant.
stat_get() { "$BIN/trainsrv-stat" -p "$PORT" -j | jq -r "$1"; }
# stat_is JQ VALUE — the stats value JQ is VALUE now.
stat_is() { local v; v=$(stat_get "$1") && [ "$v" = "$2" ]; }
# converged N — exactly N workers alive, all idle on the published generation:
# none of an older one still retiring or leaving, none still starting.
converged() {
	"$BIN/trainsrv-stat" -p "$PORT" -j | jq -e --argjson n "$1" '
	    .generation as $g | [.workers[] | select(.state != "dead")] |
	    length == $n and all(.generation == $g and .state == "idle")' >/dev/null
}
# ctl_refused — the control socket closes a connection without an answer.
ctl_refused() { local out; if out=$(ctl list 2>&1); then return 1; fi; echo "$out" >"$BATS_TEST_TMPDIR/refused"; }
# show_server — what to print when the server did not get where expected.
show_server() { cat "$SERVER_LOG"; "$BIN/trainsrv-stat" -p "$PORT"; false; }

# Two named sessions, reconnecting the second until they sit on different workers.
two_workers() {
	start_server -w 2
	wait_until 10 workers_ready 2
	open_session alice
	say alice "NAME alice"
	expect alice "OK 0"
	for i in $(seq 1 20); do
		open_session bob
		say bob "NAME bob"
		expect bob "OK 0"
		[ "$(worker_of alice)" != "$(worker_of bob)" ] && return 0
		say bob QUIT
		close_session bob
	done
	echo "could not get the sessions on two workers"
	return 1
}

@test "two clients on different workers exchange messages both ways" {
	two_workers
	say alice "MSG @bob hello from alice"
	expect alice "OK 0"
	expect bob "* msg alice hello from alice"
	say bob "MSG @alice hi alice, bob here"
	expect alice "* msg bob hi alice, bob here"
	say alice "WHO"
	expect alice "OK 2"
	wait_until 5 grep -q '^[0-9]*;bob;20' "$BATS_TEST_TMPDIR/alice.out"
}

@test "MSG @all and @tous reach every other session; unnamed senders show as #id" {
	two_workers
	open_session carol
	say carol "MSG @all departures delayed"
	expect carol "OK 0"
	id=$(ctl list | awk -F';' '$2 == "" { print $1 }')
	expect alice "* msg #$id departures delayed"
	expect bob "* msg #$id departures delayed"
	say bob "MSG @tous bonjour"
	expect alice "* msg bob bonjour"
	expect carol "* msg bob bonjour"
	# Bob's message came after carol's own: had carol's been echoed back
	# to her, it would be there by now.  Nobody hears their own @all.
	refute saw carol "* msg #$id departures delayed"
	refute saw bob "* msg bob bonjour"
	[ "$(grep -c '^\* msg' "$BATS_TEST_TMPDIR/carol.out")" -eq 1 ]
	[ "$(grep -c '^\* msg' "$BATS_TEST_TMPDIR/alice.out")" -eq 2 ]
}

@test "nicknames are unique across workers; bad names and unknown recipients are errors" {
	two_workers
	# alice and bob sit on different workers: each name is refused on the
	# other's worker, whatever the case.
	say bob "NAME alice"
	expect bob 'ERR 409 nickname "alice" is taken'
	say alice "NAME BOB"
	expect alice 'ERR 409 nickname "BOB" is taken'
	open_session eve
	say eve "NAME alice"
	expect eve 'ERR 409 nickname "alice" is taken'
	say eve "NAME Alice"
	expect eve 'ERR 409 nickname "Alice" is taken'
	say eve "NAME not a nick!"
	expect eve "ERR 400 bad nickname (1 to 16 of A-Z a-z 0-9 _ -)"
	say eve "NAME All"
	expect eve 'ERR 400 nickname "All" is reserved (it means everyone)'
	# The master's refusals count like any other error reply.
	wait_until 5 stat_is '.errors_by_code."409"' 4
	say eve "MSG @nobody hello"
	expect eve 'ERR 404 nobody is called "nobody"'
	say eve "MSG alice no at sign"
	expect eve "ERR 400 usage: MSG @nick|@all text"
	# 16 bytes is the longest nickname; 17 is refused.
	say eve "NAME abcdefghijklmnop"
	expect eve "OK 0"
	say eve "NAME abcdefghijklmnopq"
	expect_n eve "ERR 400 bad nickname (1 to 16 of A-Z a-z 0-9 _ -)" 2
	# A new NAME frees the old one.
	say bob "NAME robert"
	expect bob "OK 0"
	say eve "NAME bob"
	expect_n eve "OK 0" 2
	# A name is free again once its session has gone.
	say alice QUIT
	close_session alice
	say eve "NAME alice"
	expect_n eve "OK 0" 3
}

@test "a worker that dies frees its sessions' nicknames" {
	two_workers
	local slot pid
	slot=$(worker_of bob)
	pid=$("$BIN/trainsrv-stat" -p "$PORT" -j | jq -r ".workers[] | select(.slot == $slot) | .pid")
	kill -KILL "$pid"
	wait_until 5 stat_is .respawns 1
	open_session carol
	say carol "NAME bob"
	expect carol "OK 0"
	# alice's worker lived: her name is still hers.
	say carol "NAME alice"
	expect carol 'ERR 409 nickname "alice" is taken'
}

@test "MSG to oneself arrives before its OK 0; 512 bytes is the longest message" {
	two_workers
	local max
	max=$(head -c 512 /dev/zero | tr '\0' m)
	say alice "MSG @bob $max"
	expect bob "* msg alice $max"
	say alice "MSG @ALICE note to self"
	expect alice "* msg alice note to self"
	say alice PING
	expect alice PONG
	local at ok
	at=$(grep -n '^\* msg alice note to self$' "$BATS_TEST_TMPDIR/alice.out" | cut -d: -f1)
	ok=$(awk -v a="$at" 'NR > a && $0 == "OK 0" { print NR; exit }' "$BATS_TEST_TMPDIR/alice.out")
	[ -n "$ok" ]
	[ "$ok" -eq $((at + 1)) ]
	[ "$(grep -c '^\* msg' "$BATS_TEST_TMPDIR/bob.out")" -eq 1 ]
}

@test "messages lose their control characters (ESC sequences never reach a terminal)" {
	two_workers
	say alice "$(printf 'MSG @bob \033[2J\033]0;pwned\007clear\tscreen\001')"
	expect bob "* msg alice [2J]0;pwnedclear screen"	# a tab becomes a blank
	! grep -q $'\033' "$BATS_TEST_TMPDIR/bob.out"
}

@test "a message over 512 bytes is refused; a flood is rate-limited with ERR 429" {
	two_workers
	say alice "MSG @bob $(head -c 513 /dev/zero | tr '\0' 'x')"
	expect alice "ERR 400 message too long (max 512 bytes)"
	for i in $(seq 1 8); do say alice "MSG @bob flood $i"; done
	wait_until 5 grep -q '^ERR 429 ' "$BATS_TEST_TMPDIR/alice.out"
	# Every flood line got its answer: OK 0 (sent) or ERR 429 (not sent).
	say alice PING
	expect alice PONG
	local refused sent
	refused=$(grep -c '^ERR 429 ' "$BATS_TEST_TMPDIR/alice.out")
	sent=$((8 - refused))
	# 5 at once, and at most one more if a second passed meanwhile; the
	# refused 513-byte message did not count.
	[ "$refused" -ge 2 ]
	[ "$sent" -ge 5 ]
	expect bob "* msg alice flood 1"
	expect bob "* msg alice flood $sent"
	# Exactly the messages that were accepted reached bob, no more.
	[ "$(grep -c '^\* msg alice flood ' "$BATS_TEST_TMPDIR/bob.out")" -eq "$sent" ]
	refute saw bob "* msg alice flood 8"
	# Order per sender is kept.
	[ "$(grep -n 'flood 1$' "$BATS_TEST_TMPDIR/bob.out" | cut -d: -f1)" -lt \
	  "$(grep -n 'flood 5$' "$BATS_TEST_TMPDIR/bob.out" | cut -d: -f1)" ]
}

@test "list shows id;nick;address;worker;since;requests for every session" {
	two_workers
	run ctl list
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -eq 2 ]
	for l in "${lines[@]}"; do
		[[ "$l" =~ ^[0-9]+\;(alice|bob)\;127\.0\.0\.1:[0-9]+\;[01]\;20[0-9-]+T[0-9:]+Z\;[0-9]+$ ]]
	done
}

@test "wall reaches every session; 512 bytes at most, control characters removed" {
	two_workers
	open_session carol
	run ctl wall "trains are running late"
	[ "$status" -eq 0 ]
	for s in alice bob carol; do expect "$s" "* wall trains are running late"; done
	local max
	max=$(head -c 512 /dev/zero | tr '\0' w)
	run ctl wall "$max"
	[ "$status" -eq 0 ]
	expect alice "* wall $max"
	run ctl wall "${max}w"
	[ "$status" -eq 1 ]
	[[ "$output" == *"usage: wall MESSAGE (1 to 512 bytes)"* ]]
	run ctl wall "$(printf 'mind \033[2Jthe\tgap\001')"
	[ "$status" -eq 0 ]
	expect bob "* wall mind [2Jthe gap"	# a tab becomes a blank
	# Nothing but control characters is nothing.
	run ctl wall "$(printf '\033\001')"
	[ "$status" -eq 1 ]
	say alice PING
	expect alice PONG
	[ "$(grep -c '^\* wall' "$BATS_TEST_TMPDIR/alice.out")" -eq 3 ]
	refute grep -q $'\033' "$BATS_TEST_TMPDIR/bob.out"
}

@test "kick closes exactly one session; the others go on" {
	two_workers
	run ctl kick bob
	[ "$status" -eq 0 ]
	expect bob "* kick"
	wait_until 5 pid_gone "${PID[bob]}"
	say alice PING
	expect alice PONG
	run ctl kick bob
	[ "$status" -eq 1 ]
	[[ "$output" == *"no such session"* ]]
	[ "$(ctl list | wc -l)" -eq 1 ]
}

@test "kick by id and by #id; an unknown id is ERR 404" {
	two_workers
	open_session carol
	local ida idc
	ida=$(ctl list | awk -F';' '$2 == "alice" { print $1 }')
	idc=$(ctl list | awk -F';' '$2 == "" { print $1 }')
	run ctl kick "$idc"
	[ "$status" -eq 0 ]
	expect carol "* kick"
	wait_until 5 pid_gone "${PID[carol]}"
	run ctl kick "#$ida"
	[ "$status" -eq 0 ]
	expect alice "* kick"
	wait_until 5 pid_gone "${PID[alice]}"
	refute saw bob "* kick"
	[ "$(ctl list | cut -d';' -f2)" = bob ]
	for bad in "#$ida" 999999 "#" "#x" "12x"; do
		run ctl kick "$bad"
		[ "$status" -eq 1 ]
		[[ "$output" == *"no such session"* ]]
	done
}

@test "a second shutdown replaces the first: notified again, the new delay counts" {
	two_workers
	run ctl shutdown 60
	[ "$status" -eq 0 ]
	expect alice "* shutdown 60"
	local t0 t1
	t0=$(now_ms)
	run ctl shutdown 1
	[ "$status" -eq 0 ]
	expect alice "* shutdown 1"
	expect bob "* shutdown 1"
	wait_until 6 pid_gone "$SERVER_PID"
	t1=$(now_ms)
	echo "stopped $((t1 - t0)) ms after the second shutdown"
	[ $((t1 - t0)) -ge 1000 ]
	[ $((t1 - t0)) -le $((4000 * SCALE)) ]
	run wait "$SERVER_PID"
	[ "$status" -eq 0 ]
	run ctl shutdown 86401
	[ "$status" -eq 1 ]
}

# ctl_held SOCK N — the master holds at least N accepted connections on SOCK.
ctl_held() { [ "$(ss -xH state connected | grep -c -- " $1 ")" -ge "$2" ]; }
# holders_fewer N PID... — fewer than N of the PIDs are still running.
holders_fewer() {
	local n=$1 alive=0 p
	shift
	for p in "$@"; do
		if kill -0 "$p" 2>/dev/null; then alive=$((alive + 1)); fi
	done
	[ "$alive" -lt "$n" ]
}

@test "the control socket: 32 idle connections never lock the operator out (the oldest idle is evicted); removed at stop" {
	start_server -w 1
	wait_until 10 workers_ready 1
	local sock i holders=()
	sock=$(sed -n 's/.*control socket \([^ ]*\) .*/\1/p' "$SERVER_LOG")
	[ -S "$sock" ]
	# 32 connections that send nothing hold every place.
	for i in $(seq 1 32); do
		timeout $((30 * SCALE)) socat -u "UNIX-CONNECT:$sock" /dev/null &
		holders+=($!)
	done
	# Once the master holds all 32 (ss shows the accepted ends by path),
	# the operator still gets in: the 33rd connection evicts the oldest
	# idle one, whose socat then ends.
	wait_until 10 ctl_held "$sock" 32
	run ctl list
	[ "$status" -eq 0 ]
	log_has "control socket: 32 connections, closing the oldest idle one"
	# socat lingers half a second after its end-of-file.
	wait_until 5 holders_fewer 32 "${holders[@]}"
	kill -TERM "${holders[@]}" 2>/dev/null || true
	stop_server
	[ ! -e "$sock" ]
}

@test "the control socket falls back to XDG_RUNTIME_DIR, then /tmp, for a user who cannot write /run/trainsrv" {
	[ "$(id -u)" -eq 0 ] || skip "needs root (setpriv to an ordinary user)"
	# A directory nobody can reach: bats' own may sit under a private one.
	XDG_TMP=$(mktemp -d /tmp/trainsrv-xdg.XXXXXX)
	local d=$XDG_TMP/run
	chmod 755 "$XDG_TMP"
	mkdir "$d"
	chown nobody "$d"
	mkdir -p /run/trainsrv
	SERVER_LOG=$BATS_TEST_TMPDIR/server.log
	setpriv --reuid=nobody --regid=nogroup --clear-groups env XDG_RUNTIME_DIR="$d" \
	    "$BIN/trainsrv" -b 127.0.0.1 -p 0 -w 1 -f "$DATA/sncf.txt" </dev/null 2>"$SERVER_LOG" &
	SERVER_PID=$!
	wait_until 10 log_has "listening on"
	PORT=$(sed -n 's/.*listening on .*:\([0-9][0-9]*\)\b.*/\1/p' "$SERVER_LOG" | head -n 1)
	log_has "control socket $d/trainsrv.$PORT.ctl "
	[ -S "$d/trainsrv.$PORT.ctl" ]
	[ ! -e "/run/trainsrv/trainsrv.$PORT.ctl" ]
	run setpriv --reuid=nobody --regid=nogroup --clear-groups env XDG_RUNTIME_DIR="$d" \
	    "$BIN/trainsrv-ctl" -p "$PORT" stats
	[ "$status" -eq 0 ]
	stop_server
	[ ! -e "$d/trainsrv.$PORT.ctl" ]
	# No XDG_RUNTIME_DIR: /tmp.
	setpriv --reuid=nobody --regid=nogroup --clear-groups env -u XDG_RUNTIME_DIR \
	    "$BIN/trainsrv" -b 127.0.0.1 -p 0 -w 1 -f "$DATA/sncf.txt" </dev/null 2>"$SERVER_LOG" &
	SERVER_PID=$!
	wait_until 10 log_has "listening on"
	PORT=$(sed -n 's/.*listening on .*:\([0-9][0-9]*\)\b.*/\1/p' "$SERVER_LOG" | head -n 1)
	log_has "control socket /tmp/trainsrv.$PORT.ctl "
	[ -S "/tmp/trainsrv.$PORT.ctl" ]
	stop_server
	[ ! -e "/tmp/trainsrv.$PORT.ctl" ]
}

@test "shutdown 2 tells every client, then the server exits 0 within 2 to 5 s" {
	two_workers
	t0=$(now_ms)
	run ctl shutdown 2
	[ "$status" -eq 0 ]
	expect alice "* shutdown 2"
	expect bob "* shutdown 2"
	wait_until 6 pid_gone "$SERVER_PID"
	t1=$(now_ms)
	run wait "$SERVER_PID"
	[ "$status" -eq 0 ]
	echo "stopped after $((t1 - t0)) ms"
	[ $((t1 - t0)) -ge 2000 ]
	[ $((t1 - t0)) -le $((5000 * SCALE)) ]
	expect alice "* shutdown"
}

@test "workers N and reload from the control socket; stats prints the summary" {
	start_server -w 1
	run ctl workers 3
	[ "${lines[0]}" = "3 workers" ]
	wait_until 5 workers_ready 3
	run ctl reload
	[ "$status" -eq 0 ]
	wait_until 10 stat_is .reload_successes 1 || show_server
	run ctl stats
	[[ "${lines[0]}" == "up "*"3 workers serving"* ]]
	run ctl frobnicate
	[ "$status" -eq 1 ]
	[[ "$output" == *"bad command"* ]]
	run ctl workers 65
	[ "$status" -eq 1 ]
	[[ "$output" == *"usage: workers N (1 to 64)"* ]]
	run ctl kick
	[[ "$output" == *"usage: kick ID|NICK"* ]]
}

@test "workers N and reload back to back, in either order, complete and converge every time" {
	start_server -w 1
	reloads=0
	# The reload starts while the new workers are still starting, ready,
	# or (fewer) retiring: it must finish promptly whatever their state.
	for n in 3 1 4 2 5 1 3; do
		ctl workers "$n" >/dev/null
		ctl reload >/dev/null
		reloads=$((reloads + 1))
		wait_until 3 stat_is .reload_successes "$reloads" || show_server
		wait_until 3 converged "$n" || show_server
	done
	# The other order: the count changes while the reload is under way.
	for n in 2 4 1 3; do
		ctl reload >/dev/null
		ctl workers "$n" >/dev/null
		reloads=$((reloads + 1))
		wait_until 3 stat_is .reload_successes "$reloads" || show_server
		wait_until 3 converged "$n" || show_server
	done
	[ "$(stat_get .reload_attempts)" -eq "$reloads" ]
	[ "$(stat_get .generation)" -eq $((reloads + 1)) ]
	[ "$(stat_get .respawns)" -eq 0 ]
}

@test "a reload asked for during a reload runs right after it" {
	# A timetable that takes a while to load: the second request comes
	# while the master loads the first, so it waits for that reload.
	TIMETABLE=$BATS_TEST_TMPDIR/tt.txt
	"$BIN/ttgen" -l 100000 -s 200 -o "$TIMETABLE"
	start_server -w 1
	wait_until 5 workers_ready 1
	# A session keeps the old worker alive after the first reload, so no
	# worker's exit wakes the master when the second one starts.
	open_session alice
	ctl reload >/dev/null &
	first=$!
	ctl reload >/dev/null
	wait "$first"
	wait_until 3 stat_is .reload_successes 2 || show_server
	wait_until 3 converged 1 || show_server
	expect alice "* reload"
	[ "$(stat_get .generation)" -eq 3 ]
}

@test "the control socket is mode 0600 and refuses another uid" {
	start_server -w 1
	sock=$(sed -n 's/.*control socket \([^ ]*\) .*/\1/p' "$SERVER_LOG")
	[ -S "$sock" ]
	[ "$(stat -c %a "$sock")" = 600 ]
	cp "$BIN/trainsrv-ctl" "$BATS_TEST_TMPDIR/ctl"
	chmod 755 "$BATS_TEST_TMPDIR" "$BATS_TEST_TMPDIR/ctl"
	run setpriv --reuid=nobody --regid=nogroup --clear-groups "$BATS_TEST_TMPDIR/ctl" -s "$sock" list
	echo "$output"
	[ "$status" -eq 1 ]
	[[ "$output" == *"ermission denied"* ]]
	# Even with the file opened to everyone, SO_PEERCRED keeps others out.
	chmod 666 "$sock"
	run setpriv --reuid=nobody --regid=nogroup --clear-groups "$BATS_TEST_TMPDIR/ctl" -s "$sock" list
	[ "$status" -eq 1 ]
	[[ "$output" == *"403 permission denied"* ]]
	log_has "control socket: refused uid"
}

@test "the console reads operator commands in the foreground, stays silent in the background" {
	T=$BATS_TEST_TMPDIR
	tm() { tmux -S "$T/tmux" "$@"; }
	fg_pane_has() { tm capture-pane -p | grep -qF -- "$1"; }
	tm new-session -d -x 200 -y 50 "cd $ROOT && LC_ALL=C.UTF-8 $BIN/trainsrv -b 127.0.0.1 -p 0 -w 1 -f $DATA/sncf.txt 2>$T/fg.log; sleep 60"
	SERVER_LOG=$T/fg.log
	wait_until 10 log_has "listening on"
	PORT=$(sed -n 's/.*listening on .*:\([0-9][0-9]*\)\b.*/\1/p' "$SERVER_LOG")
	SERVER_PID=$(sed -n 's/.*master pid \([0-9]*\).*/\1/p' "$SERVER_LOG")
	log_has "operator console: list, wall"
	open_session alice
	tm send-keys "wall hello from the console" Enter
	expect alice "* wall hello from the console"
	tm send-keys "workers 2" Enter
	wait_until 5 workers_ready 2 || { tm capture-pane -p; cat "$SERVER_LOG"; "$BIN/trainsrv-stat" -p "$PORT"; false; }
	# End of file (Ctrl-D): the console reads no more; the server goes on.
	tm send-keys C-d
	tm send-keys "wall typed after the end" Enter
	wait_until 5 fg_pane_has "wall typed after the end"
	ctl list >/dev/null
	ctl wall "from the socket"
	expect alice "* wall from the socket"
	refute log_has "operator: wall typed after the end"
	refute saw alice "* wall typed after the end"
	run ask PING
	[ "${lines[2]}" = "PONG" ]
	stop_server
	tm kill-server
	tm() { tmux -S "$T/tmux2" "$@"; }
	pane_has() { tm capture-pane -p | grep -qF -- "$1"; }
	# A background job of an interactive shell (its own process group, the
	# terminal still its stdin): no console, nothing read from the terminal.
	tm new-session -d -x 200 -y 50 "bash --norc --noprofile -i"
	tm send-keys "cd $ROOT && $BIN/trainsrv -b 127.0.0.1 -p 0 -w 1 -f $DATA/sncf.txt 2>$T/bg.log &" Enter
	SERVER_LOG=$T/bg.log
	wait_until 10 log_has "listening on"
	SERVER_PID=$(sed -n 's/.*master pid \([0-9]*\).*/\1/p' "$SERVER_LOG")
	[ "$(ps -o tpgid= -p "$SERVER_PID")" != "$(ps -o pgid= -p "$SERVER_PID")" ]
	# What is typed goes to the shell, not to trainsrv: `:` is a no-op to
	# bash but a bad command to a console, which would answer on the
	# terminal; the echo shows the shell has read the line.
	tm send-keys ": wall typed at the shell; echo typed-at-the-\$((40 + 2))-shell" Enter
	wait_until 5 pane_has "typed-at-the-42-shell" || { tm capture-pane -p; false; }
	refute pane_has "bad command"
	refute log_has "operator console"
	refute log_has "operator: wall"
	stop_server
}

@test "trainsrv-client: nickname, who is online, send a message, messages shown as they arrive" {
	start_server -w 2
	T=$BATS_TEST_TMPDIR
	mkfifo "$T/bob.answers"
	"$BIN/trainsrv-client" -p "$PORT" <"$T/bob.answers" >"$T/bob.stdout" 2>"$T/bob.stderr" &
	bob=$!
	exec {b}>"$T/bob.answers"
	printf '7\nbob\n' >&$b
	wait_until 5 grep -q "You are now bob." "$T/bob.stderr"
	run "$BIN/trainsrv-client" -p "$PORT" <<-EOF
	7
	alice
	8
	9
	bob
	hello bob, the 17:30 is late
	9
	nobody
	hi
	q
	EOF
	[ "$status" -eq 0 ]
	[[ "$output" == *"NICKNAME"* ]]
	[[ "$output" =~ \#[0-9]+\ +bob ]]
	[[ "$output" =~ \#[0-9]+\ +alice ]]
	wait_until 5 grep -qF "[message from alice] hello bob, the 17:30 is late" "$T/bob.stderr"
	"$BIN/trainsrv-ctl" -p "$PORT" wall "mind the gap"
	wait_until 5 grep -qF "[operator] mind the gap" "$T/bob.stderr"
	"$BIN/trainsrv-ctl" -p "$PORT" kick bob
	wait_until 5 pid_gone "$bob"
	run wait "$bob"
	[ "$status" -eq 0 ]
	grep -q "the operator closed this session" "$T/bob.stderr"
	exec {b}>&-
}
