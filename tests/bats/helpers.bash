# helpers.bash — shared by every bats file: start a real trainsrv on a port of
# its own, wait on conditions (never fixed sleeps), talk to it.
#
# Each test runs in its own BATS_TEST_TMPDIR and lets the kernel pick the
# port (-p 0), so two runs of the suite never collide.

BIN=${BIN:-$BATS_TEST_DIRNAME/../../bin}
ROOT=$(cd "$BATS_TEST_DIRNAME/../.." && pwd)
DATA=$ROOT/data
export LC_ALL=C.UTF-8

# Timing bounds are multiplied by SCALE: TRAINSRV_SCALE on a loaded or slow
# machine (default 1), and at least 4 under sanitizers (TRAINSRV_SANITIZED=1).
SCALE=${TRAINSRV_SCALE:-1}
case $SCALE in ''|*[!0-9]*|0) SCALE=1 ;; esac
if [ -n "${TRAINSRV_SANITIZED:-}" ] && [ "$SCALE" -lt 4 ]; then SCALE=4; fi

now_ms() { date +%s%3N; }

# wait_until SECONDS CMD [ARGS...] — poll CMD every 20 ms until it succeeds;
# fails when SECONDS (times SCALE) pass first.
wait_until() {
	local limit=$(( $(now_ms) + $1 * 1000 * SCALE ))
	shift
	until "$@"; do
		if [ "$(now_ms)" -gt "$limit" ]; then
			echo "wait_until: timed out waiting for: $*" >&2
			return 1
		fi
		sleep 0.02
	done
}

pid_gone() { ! kill -0 "$1" 2>/dev/null; }

# refute CMD [ARGS...] — CMD must fail.  Unlike a line `! CMD`, which bats'
# `set -e` ignores unless it is the test's last line, this fails the test
# wherever it stands (tests/lint-bats refuses the `!` form).
refute() {
	if "$@"; then
		echo "refute: this succeeded: $*" >&2
		return 1
	fi
}
log_has() { grep -q -- "$1" "${2:-$SERVER_LOG}"; }

# start_server [trainsrv args...] — start trainsrv on 127.0.0.1 and a free
# port; sets SERVER_PID, SERVER_LOG and PORT once it listens.
start_server() {
	SERVER_LOG=$BATS_TEST_TMPDIR/server.log
	"$BIN/trainsrv" -b 127.0.0.1 -p 0 -f "${TIMETABLE:-$DATA/sncf.txt}" "$@" \
	    </dev/null 2>"$SERVER_LOG" >&2 &
	SERVER_PID=$!
	wait_until 10 log_has "listening on" || { cat "$SERVER_LOG" >&2; return 1; }
	PORT=$(sed -n 's/.*listening on .*:\([0-9][0-9]*\)\b.*/\1/p' "$SERVER_LOG" | head -n 1)
	[ -n "$PORT" ]
}

# workers_ready N — trainsrv-stat shows at least N workers in a ready state.
workers_ready() {
	local n
	n=$("$BIN/trainsrv-stat" -p "$PORT" -j 2>/dev/null |
	    jq '[.workers[] | select(.state == "idle" or .state == "busy")] | length') || return 1
	[ "${n:-0}" -ge "$1" ]
}

# stop_server — SIGTERM and wait for the master to exit (no-op if gone).  A
# graceful stop that needs SIGKILL fails the test, unless the test set
# STOP_MAY_KILL=1 (then it is only killed).
stop_server() {
	local st=0
	if [ -n "${SERVER_PID:-}" ] && kill -0 "$SERVER_PID" 2>/dev/null; then
		kill -TERM "$SERVER_PID" 2>/dev/null
		if ! wait_until 15 pid_gone "$SERVER_PID"; then
			kill -KILL "$SERVER_PID" 2>/dev/null
			if [ -z "${STOP_MAY_KILL:-}" ]; then
				echo "stop_server: the master (pid $SERVER_PID) needed SIGKILL to stop" >&2
				st=1
			fi
		fi
	fi
	# Clients held open with `held` let go; then every background job ends.
	touch "$BATS_TEST_TMPDIR/release"
	wait 2>/dev/null || true
	return $st
}

# held — write nothing until stop_server (or release) says so: keeps a
# client's connection open without an end-of-file, e.g.
#   { printf 'PING\n'; held; } | socat - TCP:...   (a sleep would outlive
# the test, and the final `wait` would wait for it).
held() {
	local limit=$(( $(now_ms) + 120000 * SCALE ))
	while [ ! -e "$BATS_TEST_TMPDIR/release" ] && [ "$(now_ms)" -lt "$limit" ]; do
		sleep 0.05
	done
}
release() { touch "$BATS_TEST_TMPDIR/release"; }

# ask LINES... — send each argument as one request line, then QUIT, and print
# what the server answered (the greeting notice included).
ask() {
	{ printf '%s\n' "$@"; printf 'QUIT\n'; } |
	    timeout $((10 * SCALE)) socat -t 5 - "TCP:127.0.0.1:$PORT"
}

# ask_raw BYTES — send exactly the bytes printf %b makes of BYTES.
ask_raw() {
	printf '%b' "$1" | timeout $((10 * SCALE)) socat -t 5 - "TCP:127.0.0.1:$PORT"
}

teardown_server() { stop_server; }
