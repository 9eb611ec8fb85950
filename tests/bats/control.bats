#!/usr/bin/env bats
# control.bats — the operator's control socket under stress and attack
# (issue 12, findings 5 and 7): bounded waits with a stopped worker, peers
# that leave, stall or crowd it, and sockets put in /tmp by another user.
# Tests with two uids run the other side as nobody (setpriv); they need root.

load helpers

STOPPED=()
BG=()
CLEAN=()

teardown() {
	local p f
	for p in "${STOPPED[@]:-}"; do [ -n "$p" ] && kill -CONT "$p" 2>/dev/null; done
	for p in "${BG[@]:-}"; do
		[ -n "$p" ] && { kill -KILL "$p"; wait "$p"; } 2>/dev/null
	done
	teardown_server
	for f in "${CLEAN[@]:-}"; do [ -n "$f" ] && rm -rf "$f"; done
	true
}

ctl() { "$BIN/trainsrv-ctl" -p "$PORT" "$@"; }
ctl_sock() { sed -n 's/.*control socket \(.*\) (trainsrv-ctl.*/\1/p' "$SERVER_LOG" | head -n 1; }
worker_pid() { "$BIN/trainsrv-stat" -p "$PORT" -j | jq -r ".workers[] | select(.slot == $1) | .pid"; }
stopped() { grep -q '^State:.*T' "/proc/$1/status"; }
fds_of() { ls "/proc/$1/fd" | wc -l; }
fds_are() { [ "$(fds_of "$1")" -eq "$2" ]; }
# CPU ticks (user + system) a process used so far.
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }
# Run as nobody; setpriv execs, so $! of a background "${NOBODY[@]}" cmd & is cmd.
NOBODY=(setpriv --reuid=nobody --regid=nogroup --clear-groups --)
# fake_server PATH REPLY [USER...] — a socket at PATH answering every
# connection with the bytes printf %b makes of REPLY, after reading one line
# (appended to PATH.got); sets FAKE_PID.
fake_server() {
	local path=$1 reply=$2 script
	shift 2
	script=$(mktemp /tmp/trainsrv-ctl-fake.XXXXXX)
	CLEAN+=("$script")
	printf '#!/bin/sh\nhead -n 1 >>%s.got\nprintf %%b %q\n' "$path" "$reply" >"$script"
	chmod 0755 "$script"
	"$@" socat "UNIX-LISTEN:$path,fork" "EXEC:$script" 3>&- &
	FAKE_PID=$!
	BG+=("$FAKE_PID")
	wait_until 5 test -S "$path"
}
needs_root() { [ "$(id -u)" -eq 0 ] || skip "needs root: $1"; }

# A port nothing listens on, with no control socket anywhere for it.
free_port() {
	local p i
	for i in $(seq 1 100); do
		p=$((20000 + RANDOM % 40000))
		if ! ss -Htln | awk '{ print $4 }' | grep -q ":$p\$" &&
		    [ ! -e "/tmp/trainsrv.$p.ctl" ] && [ ! -e "/run/trainsrv/trainsrv.$p.ctl" ] &&
		    [ ! -e "/dev/shm/trainsrv.$p" ]; then
			echo "$p"
			return 0
		fi
	done
	return 1
}

# shared_dir — SHARED: a directory anyone (nobody too) can write in,
# removed at teardown.
shared_dir() {
	SHARED=$(mktemp -d /tmp/trainsrv-ctl-test.XXXXXX)
	chmod 0777 "$SHARED"
	CLEAN+=("$SHARED")
}

@test "list with a stopped worker answers within 2 s: the sessions that answered, and which worker did not" {
	start_server -w 2
	wait_until 10 workers_ready 2
	wpid=$(worker_pid 1)
	kill -STOP "$wpid"
	STOPPED+=("$wpid")
	wait_until 5 stopped "$wpid"
	t0=$(now_ms)
	run timeout $((10 * SCALE)) "$BIN/trainsrv-ctl" -p "$PORT" list
	t1=$(now_ms)
	echo "$output"
	[ "$status" -eq 1 ]	# answered, but incomplete
	[ $((t1 - t0)) -lt $((4000 * SCALE)) ]
	[[ "$output" == *"trainsrv-ctl: incomplete: worker 1 (pid $wpid) did not answer within 2 s"* ]]
	# A kick for a session of that worker is answered in time too.
	run timeout $((10 * SCALE)) "$BIN/trainsrv-ctl" -p "$PORT" kick 1001
	[ "$status" -eq 1 ]
	[[ "$output" == *"worker 1 (pid $wpid) did not answer within 2 s"* ]]
	# The other side: with every worker running, list is whole and exits 0.
	kill -CONT "$wpid"
	run ctl list
	[ "$status" -eq 0 ]
	[[ "$output" != *incomplete* ]]
}

@test "a ctl client that leaves while its list is pending is dropped at once: the master does not spin" {
	start_server -w 2
	wait_until 10 workers_ready 2
	base=$(fds_of "$SERVER_PID")
	wpid=$(worker_pid 1)
	kill -STOP "$wpid"
	STOPPED+=("$wpid")
	wait_until 5 stopped "$wpid"
	sock=$(ctl_sock)
	# A client that asks for the list, then goes away before the answer.
	fds=()
	for i in 1 2 3; do
		mkfifo "$BATS_TEST_TMPDIR/in$i"
		socat - "UNIX-CONNECT:$sock" <"$BATS_TEST_TMPDIR/in$i" >/dev/null 3>&- &
		BG+=($!)
		exec {fd}>"$BATS_TEST_TMPDIR/in$i"
		fds+=("$fd")
		printf 'list\n' >&"$fd"
	done
	wait_until 5 fds_are "$SERVER_PID" $((base + 3))
	kill -KILL "${BG[@]}"
	for fd in "${fds[@]}"; do exec {fd}>&-; done
	# Dropped on hang-up, long before the list's own 2 s bound.
	wait_until 1 fds_are "$SERVER_PID" "$base"
	# And the master sleeps: under a fifth of one CPU over one second.
	c0=$(cpu_ticks "$SERVER_PID")
	sleep 1
	c1=$(cpu_ticks "$SERVER_PID")
	hz=$(getconf CLK_TCK)
	[ $((c1 - c0)) -lt $((hz / 5)) ]
	kill -CONT "$wpid"
	ctl stats >/dev/null
}

@test "40 idle half-written control connections do not lock the operator out, and are closed within seconds" {
	start_server -w 1
	wait_until 10 workers_ready 1
	sock=$(ctl_sock)
	out=$BATS_TEST_TMPDIR/hold.out
	timeout $((30 * SCALE)) "$BIN/sessions" ctlhold "$sock" 40 $((20 * SCALE)) >"$out" 3>&- &
	BG+=($!)
	wait_until 5 grep -q '^opened=40$' "$out"
	# The operator gets in, again and again, while they hold on.
	for i in 1 2 3 4 5; do
		run timeout $((5 * SCALE)) "$BIN/trainsrv-ctl" -p "$PORT" stats
		[ "$status" -eq 0 ] || { echo "try $i: $output"; cat "$SERVER_LOG"; false; }
	done
	# Peers that never finish their command are closed after 5 s; not before
	# (the limit's other side).
	wait_until 15 grep -q '^closed=40 of 40 after ' "$out" || { cat "$out"; false; }
	ms=$(sed -n 's/^closed=40 of 40 after \([0-9]*\) ms$/\1/p' "$out")
	[ "$ms" -ge 4500 ]
	[ "$ms" -le $((5000 * SCALE + 3000)) ]
	log_has "sent no command for too long"
}

@test "with all 32 control connections running a command, a newcomer is told ERR 503 busy; then served again" {
	start_server -w 2
	wait_until 10 workers_ready 2
	base=$(fds_of "$SERVER_PID")
	wpid=$(worker_pid 1)
	kill -STOP "$wpid"
	STOPPED+=("$wpid")
	wait_until 5 stopped "$wpid"
	# 32 lists, each waiting for the stopped worker (2 s, or 4 s for those
	# that join the next gather): nobody idle to make room for a newcomer.
	for i in $(seq 1 32); do
		"$BIN/trainsrv-ctl" -p "$PORT" list >/dev/null 2>&1 3>&- &
		BG+=($!)
	done
	wait_until 5 fds_are "$SERVER_PID" $((base + 32))
	run "$BIN/trainsrv-ctl" -p "$PORT" stats
	echo "$output"
	[ "$status" -eq 1 ]
	[[ "$output" == *"trainsrv-ctl: 503 busy: every control connection is running a command; try again"* ]]
	# They are all answered within the bound, and the operator gets in again.
	wait_until 6 fds_are "$SERVER_PID" "$base"
	run ctl stats
	[ "$status" -eq 0 ]
}

@test "the server never uses or removes a control socket path owned by another user" {
	needs_root "a control socket of root's in the way of a server run as nobody"
	port=$(free_port)
	path=/tmp/trainsrv.$port.ctl
	CLEAN+=("$path" "$path.got" "/dev/shm/trainsrv.$port")
	fake_server "$path" 'OK 0\n'
	SERVER_LOG=$BATS_TEST_TMPDIR/server.log
	run timeout $((20 * SCALE)) env -u XDG_RUNTIME_DIR "${NOBODY[@]}" \
	    "$BIN/trainsrv" -b 127.0.0.1 -p "$port" -f "$DATA/sncf.txt" -w 1
	echo "$output"
	[ "$status" -ne 0 ]
	[[ "$output" == *"control socket $path already exists and belongs to uid 0 (root), not to uid 65534 (nobody): refusing to use or remove it"* ]]
	[ -S "$path" ]
	[ "$(stat -c %u "$path")" -eq 0 ]
	[ ! -e "$path.got" ]	# never talked to
	# The other side: a stale socket of its own is replaced, and served.
	kill -KILL "$FAKE_PID"
	rm -f "$path"
	fake_server "$path" 'OK 0\n' "${NOBODY[@]}"
	kill -KILL "$FAKE_PID"
	[ "$(stat -c %u "$path")" -eq 65534 ]
	env -u XDG_RUNTIME_DIR "${NOBODY[@]}" "$BIN/trainsrv" -b 127.0.0.1 -p "$port" \
	    -f "$DATA/sncf.txt" -w 1 </dev/null 2>"$SERVER_LOG" 3>&- &
	SERVER_PID=$!
	PORT=$port
	wait_until 10 log_has "control socket $path" || { cat "$SERVER_LOG"; false; }
	run env -u XDG_RUNTIME_DIR "${NOBODY[@]}" "$BIN/trainsrv-ctl" -p "$port" help
	[ "$status" -eq 0 ]
	[[ "$output" == *"wall MESSAGE"* ]]
}

@test "trainsrv-ctl refuses a control socket in /tmp that another user created" {
	needs_root "a socket of nobody's where root's trainsrv-ctl looks"
	port=$(free_port)
	path=/tmp/trainsrv.$port.ctl
	CLEAN+=("$path" "$path.got")
	fake_server "$path" 'OK 1\n\033]0;pwned\007\n' "${NOBODY[@]}"
	run env -u XDG_RUNTIME_DIR "$BIN/trainsrv-ctl" -p "$port" wall hello
	echo "$output"
	[ "$status" -ne 0 ]
	[[ "$output" == *"$path belongs to uid 65534, neither root nor you (uid 0): refusing to talk to it"* ]]
	[ ! -e "$path.got" ]	# the squatter never heard from us
	# The other side: the same file owned by root is used.
	chown root "$path"
	run env -u XDG_RUNTIME_DIR "$BIN/trainsrv-ctl" -p "$port" wall hello
	[[ "$output" != *"belongs to uid"* ]]
}

@test "trainsrv-ctl refuses a peer running as another user (SO_PEERCRED), even behind a root-owned file" {
	needs_root "a socket file chowned to root, served by nobody"
	shared_dir
	path=$SHARED/ctl.sock
	fake_server "$path" 'OK 0\n' "${NOBODY[@]}"
	chown root:root "$path"
	run "$BIN/trainsrv-ctl" -s "$path" wall hello
	echo "$output"
	[ "$status" -ne 0 ]
	[[ "$output" == *"$path is served by pid "*" as uid 65534, neither root nor you (uid 0): refusing to talk to it"* ]]
	[ ! -s "$path.got" ]
	# The other side: served by root, it is talked to.
	kill -KILL "$FAKE_PID"
	rm -f "$path" "$path.got"
	fake_server "$path" 'OK 0\n'
	run "$BIN/trainsrv-ctl" -s "$path" wall hello
	[ "$status" -eq 0 ]
	[ "$(cat "$path.got")" = "wall hello" ]
}

@test "trainsrv-ctl prints every byte of a reply through the sanitiser" {
	path=$BATS_TEST_TMPDIR/fake.ctl
	fake_server "$path" 'OK 2\n\033]52;c;cHduZWQ=\007line one\n\033[2Jtwo\r\n* incomplete: \033[31mred\n'
	run "$BIN/trainsrv-ctl" -s "$path" list
	echo "$output" | od -c | head -20
	[ "$status" -eq 1 ]	# the "* incomplete" line
	[[ "$output" == *"line one"* ]]
	[[ "$output" == *"two"* ]]
	[[ "$output" == *"incomplete: [31mred"* ]]
	if printf '%s' "$output" | grep -q $'[\x01-\x09\x0b-\x1f\x7f]'; then false; fi
	# An error reply too.
	kill -KILL "$FAKE_PID"
	rm -f "$path"
	fake_server "$path" 'ERR 400 \033]0;title\007bad\n'
	run "$BIN/trainsrv-ctl" -s "$path" list
	[ "$status" -eq 1 ]
	[[ "$output" == *"trainsrv-ctl: 400 ]0;titlebad"* ]]
	if printf '%s' "$output" | grep -q $'[\x01-\x09\x0b-\x1f\x7f]'; then false; fi
}
