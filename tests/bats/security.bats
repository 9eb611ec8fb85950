#!/usr/bin/env bats
# security.bats — who may touch what (issue 6): the stats segment is never
# world-writable, the server runs as an ordinary user, started as root its
# workers drop to an unprivileged user before serving while the master keeps
# root, and no control character reaches a terminal from text it quotes.
#
# The runs as another user use setpriv(1) on binaries copied into a
# directory that user can reach; they need root, and are skipped without it.
# (That one client's text never reaches another's terminal with ESC
# sequences in it is tested with the messaging commands, which carry it.)

load helpers

PRIV_DIR=

teardown() {
	teardown_server
	if [ -n "$PRIV_DIR" ]; then rm -rf "$PRIV_DIR"; fi
}

stat_json() { "$BIN/trainsrv-stat" -p "$PORT" -j; }
stat_get() { stat_json | jq -r "$1"; }
stat_ge() { local v; v=$(stat_get "$1") && [ "${v:-0}" -ge "$2" ]; }
ready_pids() { stat_get '.workers[] | select(.state == "idle" or .state == "busy") | .pid'; }
live_workers() { [ "$(ready_pids | wc -l)" -eq "$1" ]; }
# status_field PID FIELD — a line of /proc/PID/status without its name,
# blanks squeezed: "Uid" gives "65534 65534 65534 65534".
status_field() { sed -n "s/^$2:[[:space:]]*//p" "/proc/$1/status" | tr -s ' \t' ' ' | sed 's/ $//'; }
need_root() { [ "$(id -u)" -eq 0 ] || skip "needs root (setpriv, -u)"; }
uid_of() { id -u "$1"; }
gid_of() { id -g "$1"; }

# as_nobody CMD... — run CMD as nobody, primary group nobody's, no others.
as_nobody() { setpriv --reuid=nobody --regid="$(gid_of nobody)" --clear-groups "$@"; }

# priv_copy — the binaries and the sample timetable copied into a fresh
# directory everybody can read (BATS_TEST_TMPDIR may not be).
priv_copy() {
	PRIV_DIR=$(mktemp -d /tmp/trainsrv-priv.XXXXXX)
	cp "$BIN/trainsrv" "$BIN/trainsrv-stat" "$DATA/sncf.txt" "$PRIV_DIR/"
	chmod 755 "$PRIV_DIR" "$PRIV_DIR/trainsrv" "$PRIV_DIR/trainsrv-stat"
	chmod 644 "$PRIV_DIR/sncf.txt"
}

# no_control TEXT — TEXT holds no control character but LF and TAB: no C0
# control, no DEL, no C1 control (U+0080..U+009F, which terminals also obey,
# U+009B being CSI).
no_control() {
	! printf '%s' "$1" | LC_ALL=C grep -q $'[\x01-\x08\x0b-\x1f\x7f]\|\xc2[\x80-\x9f]'
}

@test "the stats segment is 0640, never world-writable: at start, after a reload and a respawn" {
	start_server -w 2
	wait_until 10 workers_ready 2
	local seg=/dev/shm/trainsrv.$PORT
	[ "$(stat -c %a "$seg")" = 640 ]
	kill -HUP "$SERVER_PID"
	wait_until 5 stat_ge .reload_successes 1
	kill -KILL "$(ready_pids | head -n 1)"
	wait_until 5 stat_ge .respawns 1
	wait_until 5 live_workers 2
	[ "$(stat -c %a "$seg")" = 640 ]
	if [ "$(id -u)" -eq 0 ]; then
		# Owned by root, readable by the workers' group, nobody else.
		[ "$(stat -c %u:%g "$seg")" = "0:$(gid_of nobody)" ]
	else
		[ "$(stat -c %u "$seg")" = "$(id -u)" ]
	fi
}

@test "the segment's readers need only read access; nobody else reads or writes it" {
	need_root
	priv_copy
	start_server -w 1
	wait_until 10 workers_ready 1
	local seg=/dev/shm/trainsrv.$PORT
	# nobody, in the segment's group: trainsrv-stat reads it.
	run as_nobody "$PRIV_DIR/trainsrv-stat" -p "$PORT" -j
	[ "$status" -eq 0 ]
	[ "$(echo "$output" | jq .master_pid)" -eq "$SERVER_PID" ]
	# ... but cannot write it, nor replace it.
	run as_nobody sh -c "echo x >>'$seg'"
	[ "$status" -ne 0 ]
	run as_nobody sh -c "rm -f '$seg'"
	[ -e "$seg" ]
	# Another user outside the group can do neither.
	run setpriv --reuid=daemon --regid="$(gid_of daemon)" --clear-groups \
	    "$PRIV_DIR/trainsrv-stat" -p "$PORT"
	[ "$status" -eq 1 ]
	[ "${#lines[@]}" -eq 1 ]
	run setpriv --reuid=daemon --regid="$(gid_of daemon)" --clear-groups \
	    sh -c "cat '$seg' >/dev/null || exit 1; echo x >>'$seg'"
	[ "$status" -ne 0 ]
}

@test "runs as an ordinary user: master and workers as that user, segment its own, -u refused" {
	need_root
	priv_copy
	SERVER_LOG=$BATS_TEST_TMPDIR/server.log
	# setpriv execs the server: $! is the master.
	setpriv --reuid=nobody --regid="$(gid_of nobody)" --clear-groups \
	    "$PRIV_DIR/trainsrv" -b 127.0.0.1 -p 0 -w 2 -f "$PRIV_DIR/sncf.txt" \
	    </dev/null >>"$SERVER_LOG" 2>&1 &
	SERVER_PID=$!
	wait_until 10 log_has "listening on"
	PORT=$(sed -n 's/.*listening on .*:\([0-9][0-9]*\)\b.*/\1/p' "$SERVER_LOG" | head -n 1)
	wait_until 10 workers_ready 2
	local u g p
	u=$(uid_of nobody) g=$(gid_of nobody)
	[ "$(status_field "$SERVER_PID" Uid)" = "$u $u $u $u" ]
	for p in $(ready_pids); do
		[ "$(status_field "$p" Uid)" = "$u $u $u $u" ]
		[ "$(status_field "$p" Gid)" = "$g $g $g $g" ]
	done
	[ "$(stat -c %u "/dev/shm/trainsrv.$PORT")" = "$u" ]
	[ "$(stat -c %a "/dev/shm/trainsrv.$PORT")" = 640 ]
	run as_nobody "$PRIV_DIR/trainsrv-stat" -p "$PORT"
	[ "$status" -eq 0 ]
	run ask PING
	[ "${lines[2]}" = "PONG" ]
	# A reload and a respawn work without root too.
	kill -HUP "$SERVER_PID"
	wait_until 5 stat_ge .reload_successes 1
	kill -KILL "$(ready_pids | head -n 1)"
	wait_until 5 stat_ge .respawns 1
	wait_until 5 live_workers 2
	run ask PING
	[ "${lines[2]}" = "PONG" ]
	# Without root, -u is an error: one line, exit 1.
	run as_nobody "$PRIV_DIR/trainsrv" -b 127.0.0.1 -p 0 -u daemon -f "$PRIV_DIR/sncf.txt"
	[ "$status" -eq 1 ]
	[ "${#lines[@]}" -eq 1 ]
}

@test "started as root: workers become nobody before serving, the master stays root" {
	need_root
	start_server -w 2
	wait_until 10 workers_ready 2
	log_has "running as user nobody"
	local u g p grp
	u=$(uid_of nobody) g=$(gid_of nobody)
	[ "$(status_field "$SERVER_PID" Uid)" = "0 0 0 0" ]
	for p in $(ready_pids); do
		[ "$(status_field "$p" Uid)" = "$u $u $u $u" ]
		[ "$(status_field "$p" Gid)" = "$g $g $g $g" ]
		# Only nobody's own groups (initgroups), none of root's; no
		# capability.
		for grp in $(status_field "$p" Groups); do
			[ "$grp" -ne 0 ]
			[[ " $(id -G nobody) " == *" $grp "* ]]
		done
		[ "$(status_field "$p" CapEff)" = 0000000000000000 ]
		[ "$(status_field "$p" CapPrm)" = 0000000000000000 ]
	done
	# The process that holds a client's connection is a worker as nobody.
	{ printf 'PING\n'; held; } |
	    timeout $((15 * SCALE)) socat -t 5 - "TCP:127.0.0.1:$PORT" >/dev/null &
	local client=$!
	wait_until 5 stat_ge .connections 1
	local holder
	holder=$(ss -Htnp state established "( sport = :$PORT )" |
	    sed -n 's/.*pid=\([0-9]*\).*/\1/p' | head -n 1)
	release
	kill "$client" 2>/dev/null || true
	[ -n "$holder" ]
	[ "$holder" != "$SERVER_PID" ]
	[ "$(status_field "$holder" Uid)" = "$u $u $u $u" ]
	# A respawned worker drops too.
	kill -KILL "$(ready_pids | head -n 1)"
	wait_until 5 stat_ge .respawns 1
	wait_until 5 live_workers 2
	for p in $(ready_pids); do
		[ "$(status_field "$p" Uid)" = "$u $u $u $u" ]
	done
}

@test "started as root with -u: that user's workers and group; an unknown user is one clear error" {
	need_root
	start_server -w 1 -u daemon
	wait_until 10 workers_ready 1
	local u g
	u=$(uid_of daemon) g=$(gid_of daemon)
	[ "$(status_field "$(ready_pids)" Uid)" = "$u $u $u $u" ]
	[ "$(stat -c %g "/dev/shm/trainsrv.$PORT")" = "$g" ]
	stop_server
	run "$BIN/trainsrv" -b 127.0.0.1 -p 0 -u no-such-user-here -f "$DATA/sncf.txt"
	[ "$status" -eq 1 ]
	[ "${#lines[@]}" -eq 1 ]
	[[ "$output" == *"no-such-user-here"* ]]
}

@test "request text quoted in an error reply carries no control character (C0, DEL or C1)" {
	start_server -w 1
	run ask_raw 'NEXT \x1b]0;owned\x07;Valence\nNEXT \xc2\x9b2J;Valence\nN\xc2\x9bEXT\n\x1b[2J\x7f\nQUIT\n'
	echo "$output" | od -c | head -20
	[ "$(echo "$output" | grep -c '^ERR ')" -eq 4 ]
	no_control "$output"
}

@test "timetable errors print no control character to the terminal (C0, DEL or C1)" {
	local f=$BATS_TEST_TMPDIR/esc.txt
	printf 'A;\033[2J;B;6:00;7:00;;\nB;X;\302\23331m;6:00;7:00;;\n\033]0;x\007;X;Y;6:00;7:00;;\nC;X;Y;6:00\177;7:00;;\n' >"$f"
	run "$BIN/trainsrv" -t -f "$f"
	echo "$output" | od -c | head -30
	[ "$status" -eq 1 ]
	[ "$(echo "$output" | grep -c "^$f:[0-9]*: ")" -eq 4 ]
	no_control "$output"
}
