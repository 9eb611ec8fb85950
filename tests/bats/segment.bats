#!/usr/bin/env bats
# segment.bats — the stats segment against the machine it lives on (issue 12,
# findings 6, 12 and 14): a segment another user left in /dev/shm is never
# used, trusted or printed raw; every size in a segment is checked; the
# master copies no stack bytes into it; the same port on two addresses is
# refused with the reason; a full /dev/shm is a clear error at start, not a
# SIGBUS.  bin/segtool makes the fake segments (tests/tools/segtool.c).

load helpers

teardown() {
	if [ -n "${FAKE_PID:-}" ]; then
		kill "$FAKE_PID" 2>/dev/null || true
	fi
	stop_server
	if [ -n "${FAKE_PORT:-}" ]; then
		rm -f "/dev/shm/trainsrv.$FAKE_PORT"
	fi
}

need_root() {
	if [ "$(id -u)" -ne 0 ]; then
		skip "needs root (a segment of another user, a private mount)"
	fi
}

# A port with no segment and nothing listening on 127.0.0.1, below the
# kernel's ephemeral range (which -p 0 servers of other tests draw from);
# sets FAKE_PORT.
pick_port() {
	local p i
	for i in $(seq 100); do
		p=$(( 10000 + RANDOM % 22000 ))
		[ -e "/dev/shm/trainsrv.$p" ] && continue
		if (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
			continue
		fi
		FAKE_PORT=$p
		return 0
	done
	return 1
}

# fake_segment [segtool make options] — a fake /dev/shm/trainsrv.$FAKE_PORT
# held by bin/segtool (FAKE_PID) until teardown.
fake_segment() {
	local out=$BATS_TEST_TMPDIR/segtool.out
	"$BIN/segtool" make "$@" "/dev/shm/trainsrv.$FAKE_PORT" >"$out" &
	FAKE_PID=$!
	wait_until 5 grep -q ready "$out"
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

offset_of() { "$BIN/segtool" offsets | awk -v k="$1" '$1 == k { print $2 }'; }

@test "a segment of another user, locked: trainsrv refuses, says whose it is and where, leaves it" {
	need_root
	pick_port
	fake_segment -l -u nobody
	run "$BIN/trainsrv" -b 127.0.0.1 -p "$FAKE_PORT" -w 1 -f "$DATA/sncf.txt"
	echo "$output"
	[ "$status" -eq 1 ]
	[[ "$output" == *"/dev/shm/trainsrv.$FAKE_PORT belongs to uid $(id -u nobody) (nobody), not to us: remove it or use another port"* ]]
	[[ "$output" != *"owned by a running trainsrv"* ]]
	[ "$(stat -c %U "/dev/shm/trainsrv.$FAKE_PORT")" = nobody ]
}

@test "a stale segment of another user is refused too; a stale one of ours is replaced" {
	need_root
	pick_port
	fake_segment -u nobody
	run timeout $((10 * SCALE)) "$BIN/trainsrv" -b 127.0.0.1 -p "$FAKE_PORT" -w 1 -f "$DATA/sncf.txt"
	echo "$output"
	[ "$status" -eq 1 ]
	[[ "$output" == *"belongs to uid $(id -u nobody) (nobody), not to us"* ]]
	[ "$(stat -c %U "/dev/shm/trainsrv.$FAKE_PORT")" = nobody ]
	# Ours, without a live owner: replaced by the server's own.
	kill "$FAKE_PID"
	wait_until 5 pid_gone "$FAKE_PID"
	rm -f "/dev/shm/trainsrv.$FAKE_PORT"
	fake_segment
	kill "$FAKE_PID"
	wait_until 5 pid_gone "$FAKE_PID"
	SERVER_LOG=$BATS_TEST_TMPDIR/server.log
	"$BIN/trainsrv" -b 127.0.0.1 -p "$FAKE_PORT" -w 1 -f "$DATA/sncf.txt" </dev/null 2>"$SERVER_LOG" &
	SERVER_PID=$!
	PORT=$FAKE_PORT
	wait_until 10 log_has "listening on"
	[ "$("$BIN/trainsrv-stat" -p "$PORT" -j | jq .master_pid)" -eq "$SERVER_PID" ]
}

@test "trainsrv-stat reads a segment of root or of the caller; root is told whose word another's is" {
	need_root
	pick_port
	fake_segment -l -u nobody
	# Another ordinary user: refused, with the owner and the path.
	run setpriv --reuid=daemon --regid="$(id -g daemon)" --clear-groups \
	    "$BIN/trainsrv-stat" -p "$FAKE_PORT"
	[ "$status" -eq 1 ]
	[[ "$output" == *"/dev/shm/trainsrv.$FAKE_PORT belongs to uid $(id -u nobody) (nobody), neither root nor you"* ]]
	[[ "$output" != *evil* ]]
	# Root: read, sanitised, after a warning that says whose it is.
	"$BIN/trainsrv-stat" -p "$FAKE_PORT" >"$BATS_TEST_TMPDIR/out" 2>"$BATS_TEST_TMPDIR/err"
	grep -q "warning: /dev/shm/trainsrv.$FAKE_PORT belongs to uid $(id -u nobody) (nobody), not root" "$BATS_TEST_TMPDIR/err"
	grep -q evil "$BATS_TEST_TMPDIR/out"
	no_raw "$BATS_TEST_TMPDIR/out" "$BATS_TEST_TMPDIR/err"
	# The caller's own segment is read (and printed sanitised), no warning...
	setpriv --reuid=nobody --regid="$(id -g nobody)" --clear-groups \
	    "$BIN/trainsrv-stat" -p "$FAKE_PORT" >"$BATS_TEST_TMPDIR/out" 2>"$BATS_TEST_TMPDIR/err"
	grep -q evil "$BATS_TEST_TMPDIR/out"
	[ ! -s "$BATS_TEST_TMPDIR/err" ]
	no_raw "$BATS_TEST_TMPDIR/out"
	# ... and so is root's, by the workers' group.
	start_server -w 1
	wait_until 10 workers_ready 1
	setpriv --reuid=nobody --regid="$(id -g nobody)" --clear-groups \
	    "$BIN/trainsrv-stat" -p "$PORT" -j | jq -e ".master_pid == $SERVER_PID"
}

@test "trainsrv-stat prints a hostile segment's strings sanitised and reads nothing past them" {
	pick_port
	fake_segment -l
	"$BIN/trainsrv-stat" -p "$FAKE_PORT" >"$BATS_TEST_TMPDIR/summary"
	"$BIN/trainsrv-stat" -p "$FAKE_PORT" -j >"$BATS_TEST_TMPDIR/json"
	"$BIN/trainsrv-stat" -p "$FAKE_PORT" -P >"$BATS_TEST_TMPDIR/prom"
	no_raw "$BATS_TEST_TMPDIR/summary" "$BATS_TEST_TMPDIR/json" "$BATS_TEST_TMPDIR/prom"
	grep -q "^trainsrv on .*evil" "$BATS_TEST_TMPDIR/summary"
	# Each string stops at its field: 96 and 512 bytes at most.
	jq -e '(.listen | test("evil")) and (.listen | utf8bytelength) <= 96 and
	    (.timetable | utf8bytelength) <= 512' "$BATS_TEST_TMPDIR/json"
	jq -e '.workers[0].state == "?"' "$BATS_TEST_TMPDIR/json"
}

@test "trainsrv-stat refuses a segment whose sizes are not its layout's" {
	local kind
	for kind in slots hdrsize long tiny; do
		pick_port
		fake_segment -l -k "$kind"
		run "$BIN/trainsrv-stat" -p "$FAKE_PORT"
		[ "$status" -eq 1 ]
		if [ "$kind" = tiny ]; then
			[[ "$output" == *"segment too small"* ]]
		else
			[[ "$output" == *"not a trainsrv stats segment of layout version"* ]]
		fi
		kill "$FAKE_PID"
		rm -f "/dev/shm/trainsrv.$FAKE_PORT"
	done
}

@test "a FIFO in the segment's place: trainsrv and trainsrv-stat refuse it at once, never block" {
	pick_port
	mkfifo "/dev/shm/trainsrv.$FAKE_PORT"
	run timeout $((10 * SCALE)) "$BIN/trainsrv-stat" -p "$FAKE_PORT"
	[ "$status" -eq 1 ]
	[[ "$output" == *"/dev/shm/trainsrv.$FAKE_PORT is not a plain file"* ]]
	run timeout $((10 * SCALE)) "$BIN/trainsrv" -b 127.0.0.1 -p "$FAKE_PORT" -w 1 -f "$DATA/sncf.txt"
	[ "$status" -eq 1 ]
	[[ "$output" == *"/dev/shm/trainsrv.$FAKE_PORT is not a plain file: remove it or use another port"* ]]
}

@test "the timetable path in the segment is followed by zeros, not the master's stack" {
	start_server -w 1
	local off len path
	off=$(offset_of timetable)
	len=$("$BIN/segtool" offsets | awk '$1 == "timetable" { print $3 }')
	path=$(realpath "$DATA/sncf.txt")
	dd if="/dev/shm/trainsrv.$PORT" bs=1 skip="$off" count="$len" 2>/dev/null >"$BATS_TEST_TMPDIR/field"
	[ "$(tr -d '\0' <"$BATS_TEST_TMPDIR/field")" = "$path" ]
	[ "$(head -c "${#path}" "$BATS_TEST_TMPDIR/field")" = "$path" ]
}

@test "the same port on another address: refused, saying the segment is named by port only" {
	start_server -w 1
	run "$BIN/trainsrv" -b 127.0.0.2 -p "$PORT" -w 1 -f "$DATA/sncf.txt"
	[ "$status" -eq 1 ]
	[[ "$output" == *"port $PORT is already served on 127.0.0.1:$PORT"* ]]
	[[ "$output" == *"/dev/shm/trainsrv.$PORT is owned by a running trainsrv (pid $SERVER_PID)"* ]]
	[[ "$output" == *"named by port only"* ]]
	kill -0 "$SERVER_PID"
}

# in_tiny_shm KB CMD... — CMD with a private tmpfs of KB kilobytes on /dev/shm.
in_tiny_shm() {
	local kb=$1
	shift
	unshare --mount --propagation private sh -c \
	    'mount -t tmpfs -o size="$0"k tmpfs /dev/shm && exec "$@"' "$kb" "$@"
}

need_unshare() {
	need_root
	if ! unshare --mount --propagation private true 2>/dev/null; then
		skip "unshare --mount is not permitted here"
	fi
}

@test "a full /dev/shm: trainsrv says so and exits 1, leaving no segment behind" {
	need_unshare
	run in_tiny_shm 8 sh -c 'head -c 8192 /dev/zero >/dev/shm/fill 2>/dev/null
	    timeout -s KILL "$0" "$1" -b 127.0.0.1 -p 0 -w 2 -f "$2"
	    echo "exit $?"; ls -A /dev/shm' $((10 * SCALE)) "$BIN/trainsrv" "$DATA/sncf.txt"
	echo "$output"
	[[ "$output" == *"trainsrv: cannot reserve 73 KB for the stats segment /dev/shm/trainsrv."*": No space left on device (see df /dev/shm)"* ]]
	[[ "$output" == *"exit 1"* ]]
	[ "$(grep -c '^trainsrv\.' <<<"$output")" -eq 0 ]
}

@test "/dev/shm one page short of the segment: refused; exactly its size: serves" {
	need_unshare
	local size pages
	size=$("$BIN/segtool" offsets | awk '$1 == "size" { print $2 }')
	pages=$(( (size + 4095) / 4096 ))
	run in_tiny_shm $(( (pages - 1) * 4 )) sh -c '
	    timeout -s KILL "$0" "$1" -b 127.0.0.1 -p 0 -w 2 -f "$2"
	    echo "exit $?"; ls -A /dev/shm' $((10 * SCALE)) "$BIN/trainsrv" "$DATA/sncf.txt"
	[[ "$output" == *"cannot reserve"*"No space left on device"* ]]
	[[ "$output" == *"exit 1"* ]]
	[ "$(grep -c '^trainsrv\.' <<<"$output")" -eq 0 ]
	# Exactly enough: it serves, and every worker's slot is really there.
	SERVER_LOG=$BATS_TEST_TMPDIR/server.log
	# unshare and sh exec: $! is the master itself.
	unshare --mount --propagation private sh -c \
	    'mount -t tmpfs -o size="$0"k tmpfs /dev/shm && exec "$@"' \
	    $(( pages * 4 )) "$BIN/trainsrv" -b 127.0.0.1 -p 0 -w 8 \
	    -f "$DATA/sncf.txt" </dev/null 2>"$SERVER_LOG" &
	SERVER_PID=$!
	wait_until 10 log_has "listening on"
	PORT=$(sed -n 's/.*listening on .*:\([0-9][0-9]*\)\b.*/\1/p' "$SERVER_LOG" | head -n 1)
	wait_until 10 ns_workers_ready 8
	[[ "$(ask PING)" == *PONG* ]]
	run grep -c "killed by signal" "$SERVER_LOG"
	[ "$output" -eq 0 ]
}

# ns_workers_ready N — as workers_ready, inside the server's mount namespace.
ns_workers_ready() {
	local n
	n=$(nsenter -t "$SERVER_PID" -m "$BIN/trainsrv-stat" -p "$PORT" -j 2>/dev/null |
	    jq '[.workers[] | select(.state == "idle" or .state == "busy")] | length') || return 1
	[ "${n:-0}" -ge "$1" ]
}
