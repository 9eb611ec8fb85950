#!/usr/bin/env bats
# fleet.bats — several trainsrv instances behind a real HAProxy, configured
# from contrib/haproxy.cfg (the shipped file is the template: the test only
# substitutes its own ports and paths): trainsrv-bench through HAProxy
# while one instance is SIGKILLed and restarted on its port and another is
# reloaded, and HAProxy's view of it read from its stats socket.

load helpers

setup() {
	T=$BATS_TEST_TMPDIR
	HAPROXY_PID=
	BENCH_PID=
	MASTER=()
	IPORT=()
	command -v haproxy >/dev/null || {
		echo "haproxy is missing: apt-get install -y haproxy" >&2
		return 1
	}
}

teardown() {
	local p
	[ -n "$BENCH_PID" ] && kill -TERM "$BENCH_PID" 2>/dev/null
	[ -n "$HAPROXY_PID" ] && kill -TERM "$HAPROXY_PID" 2>/dev/null
	for p in "${MASTER[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
	for p in "${MASTER[@]}"; do wait_until 15 pid_gone "$p" || kill -KILL "$p" 2>/dev/null || true; done
	wait 2>/dev/null || true
}

# start_instance N [PORT] — trainsrv number N on 127.0.0.1 (a free port, or
# PORT); sets MASTER[N] and IPORT[N] once it listens.
start_instance() {
	local n=$1 log=$T/trainsrv$1.log
	: >"$log"
	"$BIN/trainsrv" -b 127.0.0.1 -p "${2:-0}" -w 2 -f "$DATA/sncf.txt" \
	    </dev/null 2>>"$log" 3>&- &
	MASTER[$n]=$!
	SERVER_LOG=$log
	wait_until 10 started "$n" || { cat "$log" >&2; return 1; }
	grep -q "listening on" "$log" || return 1
	IPORT[$n]=$(sed -n 's/.*listening on .*:\([0-9][0-9]*\)\b.*/\1/p' "$log" | head -n 1)
	PORT=${IPORT[$n]}
	wait_until 10 workers_ready 2
}
# Listening, or gone (a port still held by the killed one's workers).
started() { log_has "listening on" || pid_gone "${MASTER[$1]}"; }

free_port() {
	local p i
	for i in $(seq 100); do
		p=$(( 20000 + RANDOM % 20000 ))
		if (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then continue; fi
		echo "$p"
		return 0
	done
	return 1
}

# show_stat — HAProxy's CSV: pxname,svname,...,status is field 18, stot 8.
show_stat() { echo "show stat" | socat -t 2 - "UNIX-CONNECT:$T/admin.sock"; }
srv_status() { show_stat | awk -F, -v s="$1" '$1 == "trainsrv" && $2 == s { print $18 }'; }
srv_is() { [ "$(srv_status "$1")" = "$2" ]; }
all_up() { srv_is trainsrv1 UP && srv_is trainsrv2 UP && srv_is trainsrv3 UP; }
front_sessions_ge() {
	local n
	n=$(show_stat | awk -F, '$1 == "trainsrv" && $2 == "FRONTEND" { print $8 }')
	[ "${n:-0}" -ge "$1" ]
}
no_worker_alive() { local p; for p in "$@"; do kill -0 "$p" 2>/dev/null && return 1; done; return 0; }

# The shipped configuration with the test's ports and paths, run in the
# foreground as root, logging to stderr, within the test's descriptor limit
# (maxconn 20000 needs 40,000 descriptors).
haproxy_config() {
	sed -e "s|^\tbind :8080$|\tbind 127.0.0.1:$HPORT|" \
	    -e "s|^\tserver trainsrv1 127.0.0.1:8081 |\tserver trainsrv1 127.0.0.1:${IPORT[1]} |" \
	    -e "s|^\tserver trainsrv2 127.0.0.1:8082 |\tserver trainsrv2 127.0.0.1:${IPORT[2]} |" \
	    -e "s|^\tserver trainsrv3 127.0.0.1:8083 |\tserver trainsrv3 127.0.0.1:${IPORT[3]} |" \
	    -e "s|/run/haproxy/trainsrv.sock|$T/admin.sock|" \
	    -e '/^\tuser /d' -e '/^\tgroup /d' -e '/^\tdaemon$/d' -e '/^\tlog /d' \
	    -e 's/^\tmaxconn 20000$/\tmaxconn 1000/' \
	    "$ROOT/contrib/haproxy.cfg"
}

@test "fleet: 3 instances behind haproxy; one SIGKILLed and restarted, one reloaded: no request fails" {
	start_instance 1
	start_instance 2
	start_instance 3
	HPORT=$(free_port)
	haproxy_config >"$T/haproxy.cfg"
	# Every substitution took: no template port or path is left.
	if grep -v '^#' "$T/haproxy.cfg" | grep -nE ':808[0-3]\b|/run/haproxy'; then false; fi
	haproxy -c -q -f "$T/haproxy.cfg"
	haproxy -db -f "$T/haproxy.cfg" </dev/null >"$T/haproxy.log" 2>&1 3>&- &
	HAPROXY_PID=$!
	wait_until 10 test -S "$T/admin.sock"
	wait_until 10 all_up || { show_stat; cat "$T/haproxy.log"; false; }

	timeout $((60 * SCALE)) "$BIN/trainsrv-bench" -h 127.0.0.1 -p "$HPORT" -c 16 \
	    -d $((10 * SCALE)) --retries 3 --json -q >"$T/bench.out" 2>"$T/bench.err" 3>&- &
	BENCH_PID=$!
	wait_until 10 front_sessions_ge 16

	# Instance 1 dies for good (its workers follow their master)...
	local old=${IPORT[1]} pids t0 t1
	pids=$(pgrep -P "${MASTER[1]}")
	kill -KILL "${MASTER[1]}"
	t0=$(now_ms)
	wait_until 3 srv_is trainsrv1 DOWN || { show_stat; false; }
	t1=$(now_ms)
	echo "# haproxy marked trainsrv1 DOWN $((t1 - t0)) ms after its SIGKILL" >&3
	# ... instance 2 reloads while that happens ...
	run "$BIN/trainsrv-ctl" -p "${IPORT[2]}" reload
	[ "$status" -eq 0 ]
	[ "$output" = "reloaded: generation 2, 21 trains" ]
	# ... and instance 1 comes back on its port.
	wait_until 10 no_worker_alive $pids
	start_instance 1 "$old"
	[ "${IPORT[1]}" = "$old" ]
	t0=$(now_ms)
	wait_until 5 srv_is trainsrv1 UP || { show_stat; false; }
	echo "# and UP again $(( $(now_ms) - t0 )) ms after its restart" >&3

	local st=0
	wait "$BENCH_PID" || st=$?
	BENCH_PID=
	cat "$T/bench.err"
	tail -n 1 "$T/bench.out" | jq -c '{requests, failed, wrong_replies, resets, resent}'
	echo "# bench through haproxy: $(tail -n 1 "$T/bench.out" | jq -r '"\(.requests) requests, \(.failed) failed, \(.resets) resets, \(.resent) resent"')" >&3
	tail -n 1 "$T/bench.out" | jq -e '.requests > 0 and .failed == 0 and .wrong_replies == 0'
	[ "$st" -eq 0 ]
	all_up
}
