#!/usr/bin/env bats
# lifecycle.bats — the master's side: respawn, reload, stop, worker count,
# orphaned workers, stale segments.

load helpers

HOSTILE_PID=
teardown() {
	if [ -n "$HOSTILE_PID" ]; then
		kill -TERM "$HOSTILE_PID" 2>/dev/null || true
		wait "$HOSTILE_PID" 2>/dev/null || true
	fi
	# tmux servers a test started (they would keep bats' fd 3 open).
	if [ -S "$BATS_TEST_TMPDIR/tmux" ]; then
		tmux -S "$BATS_TEST_TMPDIR/tmux" kill-server 2>/dev/null || true
	fi
	teardown_server
}

stat_json() { "$BIN/trainsrv-stat" -p "$PORT" -j; }
stat_get() { stat_json | jq -r "$1"; }
# stat_ge JQ N — the stats value JQ is at least N.
stat_ge() { local v; v=$(stat_get "$1") && [ "${v:-0}" -ge "$2" ]; }
worker_pids() { stat_get '.workers[] | select(.state != "dead") | .pid'; }
live_workers() { [ "$(stat_get '[.workers[] | select(.state == "idle" or .state == "busy")] | length')" -eq "$1" ]; }
# no_worker_alive PID... — none of them runs: gone, or a zombie that exited
# and waits for whoever adopted it (init may reap orphans late).
no_worker_alive() {
	local p s
	for p in "$@"; do
		s=$(ps -o stat= -p "$p") || continue
		case $s in Z*) ;; *) return 1 ;; esac
	done
}
# running PID... — each process exists and is not stopped.
running() { local p; for p in "$@"; do [ -n "$(ps -o stat= -p "$p" | grep -v '^T')" ] || return 1; done; }
segment_gone() { [ ! -e "/dev/shm/trainsrv.$PORT" ]; }

# mute_client — one connection that pipelines STATIONS and never reads the
# replies (bash's /dev/tcp: it blocks on a full socket, holding it open):
# once the server has stopped reading it, its worker has replies that
# cannot leave, and cannot finish its last words quickly.
mute_client() {
	timeout $((60 * SCALE)) bash -c 'exec 3<>"/dev/tcp/127.0.0.1/$1" || exit
	    r=$(printf "STATIONS\n%.0s" {1..2000})
	    while printf "%s" "$r" >&3; do :; done' mute "$PORT" 2>/dev/null &
	HOSTILE_PID=$!
	wait_until 10 out_stalled
}
# out_stalled — megabytes went out, and no more for 300 ms (a sampling
# interval, not a wait on the server): the kernel's buffers are full.
out_stalled() {
	local a b
	a=$(stat_get .bytes_out)
	sleep 0.3
	b=$(stat_get .bytes_out)
	[ "$a" -gt 1000000 ] && [ "$a" = "$b" ] && send_blocked
}
# send_blocked — a server socket on PORT holds replies its peer does not
# take (Send-Q above 0): the stall is the client's, not a slow worker's.
send_blocked() {
	[ "$(ss -tnH state established "( sport = :$PORT )" |
	    awk '{ if ($2 > m) m = $2 } END { print m + 0 }')" -gt 0 ]
}

@test "a worker killed with SIGKILL is respawned in its slot; no counter goes backward" {
	start_server -w 2
	wait_until 10 workers_ready 2
	ask PING PING PING >/dev/null
	before=$(stat_get .requests)
	slot=$(stat_get '.workers[0].slot')
	pid=$(stat_get '.workers[0].pid')
	kill -KILL "$pid"
	wait_until 1 stat_ge .respawns 1
	wait_until 1 live_workers 2
	newpid=$(stat_get ".workers[] | select(.slot == $slot) | .pid")
	[ "$newpid" != "$pid" ]
	[ "$(stat_get .requests)" -ge "$before" ]
	log_has "worker $slot (pid $pid) killed by signal 9"
	run ask PING
	[ "${lines[2]}" = "PONG" ]
}

@test "SIGHUP with a valid file: new connections see the new timetable" {
	TIMETABLE=$BATS_TEST_TMPDIR/tt.txt
	cp "$DATA/sncf.txt" "$TIMETABLE"
	start_server -w 2
	run ask "STATIONS lyon"
	[ "${lines[1]}" = "OK 0" ]
	{ cat "$DATA/sncf.txt"; echo "1;Valence;Lyon Part-Dieu;8:00;9:10;25.00;"; } >"$TIMETABLE.new"
	mv "$TIMETABLE.new" "$TIMETABLE"
	kill -HUP "$SERVER_PID"
	wait_until 5 stat_ge .reload_successes 1
	[ "$(stat_get .legs)" -eq 22 ]
	[ "$(stat_get .generation)" -eq 2 ]
	run ask "STATIONS lyon" "NEXT valence;lyon part dieu;07:00"
	[ "${lines[1]}" = "OK 1" ]
	[ "${lines[2]}" = "Lyon Part-Dieu" ]
	[ "${lines[4]}" = "1;Valence;Lyon Part-Dieu;08:00;09:10;70;25.00;;25.00;;" ]
}

@test "SIGHUP with a broken file keeps serving the old one and logs file:line" {
	TIMETABLE=$BATS_TEST_TMPDIR/tt.txt
	cp "$DATA/sncf.txt" "$TIMETABLE"
	start_server -w 2
	{ cat "$DATA/sncf.txt"; echo "2;Valence;Lyon;8:00;9:61;25.00;"; } >"$TIMETABLE.new"
	mv "$TIMETABLE.new" "$TIMETABLE"
	kill -HUP "$SERVER_PID"
	wait_until 5 stat_ge .reload_attempts 1
	[ "$(stat_get .reload_successes)" -eq 0 ]
	[ "$(stat_get .generation)" -eq 1 ]
	log_has "$TIMETABLE:22: "
	log_has "reload failed"
	run ask "STATIONS" "PING"
	[ "${lines[1]}" = "OK 4" ]
	[ "${lines[7]}" = "PONG" ]
}

@test "reloads under pipelined load lose no request" {
	start_server -w 2
	wait_until 10 workers_ready 2
	"$BIN/trainsrv-bench" -p "$PORT" -c 20 -P 8 -d 4 --json >"$BATS_TEST_TMPDIR/bench.out" 2>&1 &
	bench=$!
	for i in 1 2 3 4 5; do
		wait_until 5 stat_ge .requests $((i * 1000))
		kill -HUP "$SERVER_PID"
		wait_until 5 stat_ge .reload_successes "$i"
	done
	wait "$bench" || { cat "$BATS_TEST_TMPDIR/bench.out"; false; }
	json=$(tail -n 1 "$BATS_TEST_TMPDIR/bench.out")
	echo "$json"
	[ "$(echo "$json" | jq .failed)" -eq 0 ]
	[ "$(echo "$json" | jq .wrong_replies)" -eq 0 ]
	[ "$(echo "$json" | jq .requests)" -gt 5000 ]
	# Graceful: every connection closed by a reload got its notice first
	# (a reset is a connection lost without one); each of the 20 got at
	# least one.
	[ "$(echo "$json" | jq .resets)" -eq 0 ]
	[ "$(echo "$json" | jq .reloads)" -ge 20 ]
}

@test "SIGINT with connected clients: each gets * shutdown, exit 0, segment removed" {
	start_server -w 2
	pids=()
	for i in 1 2 3; do
		{ printf 'PING\n'; held; } |
		    timeout $((20 * SCALE)) socat -t 5 - "TCP:127.0.0.1:$PORT" >"$BATS_TEST_TMPDIR/c$i" &
		pids+=($!)
	done
	wait_until 10 stat_ge .connections 3
	[ -e "/dev/shm/trainsrv.$PORT" ]
	kill -INT "$SERVER_PID"
	wait "$SERVER_PID"
	for i in 1 2 3; do
		wait_until 5 grep -qx '\* shutdown' "$BATS_TEST_TMPDIR/c$i"
		grep -qx 'PONG' "$BATS_TEST_TMPDIR/c$i"
	done
	segment_gone
	log_has "stopped"
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
}

@test "the master handles SIGINT even when started with SIGINT ignored" {
	trap '' INT
	start_server -w 1
	trap - INT
	kill -INT "$SERVER_PID"
	wait_until 5 pid_gone "$SERVER_PID"
	segment_gone
}

@test "workers ignore SIGINT, SIGHUP and SIGQUIT: only the master decides" {
	start_server -w 1
	wait_until 10 workers_ready 1
	pid=$(worker_pids)
	kill -INT "$pid"; kill -HUP "$pid"; kill -QUIT "$pid"
	run ask PING
	[ "${lines[2]}" = "PONG" ]
	kill -0 "$pid"
	[ "$(stat_get .respawns)" -eq 0 ]
}

@test "SIGKILL on the master: every worker is gone within 1 s" {
	start_server -w 3
	wait_until 10 workers_ready 3
	pids=$(worker_pids)
	kill -KILL "$SERVER_PID"
	# Each worker sees end-of-file on its channel at once.
	wait_until 1 no_worker_alive $pids
}

@test "a stale segment is replaced at start; a live owner makes a new server refuse" {
	start_server -w 1
	wait_until 10 workers_ready 1
	old=$PORT
	kill -KILL "$SERVER_PID"
	wait_until 5 pid_gone "$SERVER_PID"
	[ -e "/dev/shm/trainsrv.$old" ]
	run "$BIN/trainsrv-stat" -p "$old"
	[ "$status" -eq 1 ]
	[[ "$output" == *"no live owner"* ]]
	"$BIN/trainsrv" -b 127.0.0.1 -p "$old" -w 1 -f "$DATA/sncf.txt" 2>"$BATS_TEST_TMPDIR/second.log" &
	SERVER_PID=$!
	PORT=$old
	wait_until 10 workers_ready 1
	[ "$(stat_get .master_pid)" -eq "$SERVER_PID" ]
	# Another address, same port: the bind succeeds, the segment is owned.
	run "$BIN/trainsrv" -b 127.0.0.2 -p "$old" -w 1 -f "$DATA/sncf.txt"
	[ "$status" -eq 1 ]
	[[ "$output" == *"owned by a running trainsrv (pid $SERVER_PID)"* ]]
}

@test "SIGTTIN adds a worker, SIGTTOU removes one, never below 1" {
	start_server -w 1
	wait_until 10 live_workers 1
	kill -TTIN "$SERVER_PID"
	wait_until 5 live_workers 2
	kill -TTIN "$SERVER_PID"
	wait_until 5 live_workers 3
	[ "$(stat_get .workers_target)" -eq 3 ]
	kill -TTOU "$SERVER_PID"
	wait_until 5 live_workers 2
	kill -TTOU "$SERVER_PID"; kill -TTOU "$SERVER_PID"
	wait_until 5 live_workers 1
	[ "$(stat_get .workers_target)" -eq 1 ]
	run ask PING
	[ "${lines[2]}" = "PONG" ]
}

@test "p99 of 100 requests is under 10 ms" {
	start_server -w 2
	run "$BIN/trainsrv-bench" -p "$PORT" -c 1 -n 100 --json
	[ "$status" -eq 0 ]
	p99=$(echo "${lines[-1]}" | jq .p99_us)
	echo "p99 = $p99 us"
	# Typically 20 to 50 us on an idle machine: 10 ms leaves room for a
	# loaded one, and still catches a request that waits on a timer.
	awk -v p="$p99" -v s="$SCALE" 'BEGIN { exit !(p < 10000 * s) }'
}

@test "crash-loop guard: workers dying before ready get delayed respawns" {
	TRAINSRV_TEST_FAIL_START=crash start_server -w 2
	wait_until 10 log_has "respawns delayed by"
	n1=$(stat_get .respawns)
	t0=$(now_ms)
	wait_until 10 log_has "respawns delayed by 800 ms"
	n2=$(stat_get .respawns)
	t1=$(now_ms)
	echo "respawns: $n1 when the guard engaged, $n2 after $((t1 - t0)) ms"
	# Without the guard a worker dies and is respawned every millisecond or so.
	[ $((n2 - n1)) -lt 40 ]
	[ "$(grep -c 'exited with status 70' "$SERVER_LOG")" -lt 80 ]
}

@test "crash-loop guard: workers crashing on their first connection, after ready, get delayed respawns; the guard stands down once one stays up" {
	TRAINSRV_TEST_FAIL_START=crash-accept start_server -w 2
	wait_until 10 workers_ready 2
	# Each connection kills the worker that accepts it, just after ready.
	local i=0
	until log_has "respawns delayed by"; do
		i=$((i + 1))
		[ "$i" -le 60 ] || { cat "$SERVER_LOG"; false; }
		printf 'PING\n' | timeout $((5 * SCALE)) socat -t 1 - "TCP:127.0.0.1:$PORT" >/dev/null 2>&1 || true
	done
	echo "guard engaged after $i connections"
	[ "$i" -ge 11 ]
	# Nobody connects any more: a respawned worker stays up, and the guard stands down.
	wait_until 15 log_has "respawns no longer delayed"
	wait_until 10 workers_ready 2
}

@test "kills after start-up never trigger the crash-loop guard" {
	start_server -w 2
	for i in $(seq 1 15); do
		wait_until 5 live_workers 2
		kill -KILL "$(worker_pids | head -n 1)"
		wait_until 5 stat_ge .respawns "$i"
	done
	! log_has "respawns delayed"
}

@test "a worker that cannot start for good is not respawned; no worker left: exit 1" {
	TRAINSRV_TEST_FAIL_START=fatal start_server -w 2
	wait_until 10 pid_gone "$SERVER_PID"
	run wait "$SERVER_PID"
	[ "$status" -eq 1 ]
	log_has "not respawned"
	log_has "no worker could start"
	segment_gone
}

@test "a second SIGTERM or SIGINT while stopping kills the workers at once; SIGHUP meanwhile is ignored" {
	start_server -w 1
	wait_until 10 workers_ready 1
	mute_client
	local pid t0 t1
	pid=$(worker_pids)
	kill -TERM "$SERVER_PID"
	wait_until 5 log_has "stopping: workers finish"
	# The worker still has last words that nobody reads: it is not done.
	kill -0 "$pid"
	kill -HUP "$SERVER_PID"
	kill -0 "$SERVER_PID"
	# The second stop signal may be either: SIGINT after SIGTERM here.
	t0=$(now_ms)
	kill -INT "$SERVER_PID"
	wait_until 2 pid_gone "$SERVER_PID"
	t1=$(now_ms)
	echo "stopped $((t1 - t0)) ms after the second stop signal"
	log_has "second stop signal: killing the workers now"
	wait_until 2 pid_gone "$pid"
	refute log_has "reloading"
	refute log_has "SIGHUP"
}

@test "a retiring worker whose client reads nothing leaves within 5 s of the reload; no SIGKILL" {
	start_server -w 1
	wait_until 10 workers_ready 1
	mute_client
	local pid t0 t1
	pid=$(worker_pids)
	t0=$(now_ms)
	kill -HUP "$SERVER_PID"
	wait_until 5 stat_ge .reload_successes 1
	run ask PING
	[ "${lines[2]}" = "PONG" ]
	wait_until 10 pid_gone "$pid"
	t1=$(now_ms)
	echo "old worker gone $((t1 - t0)) ms after the reload"
	[ $((t1 - t0)) -ge 5000 ]
	[ $((t1 - t0)) -le $((8000 * SCALE)) ]
	refute log_has "past its deadline: SIGKILL"
	[ "$(stat_get .respawns)" -eq 0 ]
	wait_until 5 live_workers 1
}

@test "a retiring worker that does not leave (stopped) is SIGKILLed after 10 s; the reload completes then" {
	start_server -w 1
	wait_until 10 workers_ready 1
	local pid t0 t1
	pid=$(worker_pids)
	kill -STOP "$pid"
	t0=$(now_ms)
	kill -HUP "$SERVER_PID"
	wait_until 15 log_has "past its deadline: SIGKILL"
	t1=$(now_ms)
	wait_until 2 pid_gone "$pid"
	echo "old worker killed $((t1 - t0)) ms after the reload"
	[ $((t1 - t0)) -ge 10000 ]
	[ $((t1 - t0)) -le $((12000 * SCALE)) ]
	log_has "(pid $pid) past its deadline: SIGKILL"
	wait_until 5 stat_ge .reload_successes 1
	run ask PING
	[ "${lines[2]}" = "PONG" ]
	# A planned kill: no respawn, no crash-loop guard.
	[ "$(stat_get .respawns)" -eq 0 ]
	refute log_has "respawns delayed"
	wait_until 5 live_workers 1
}

@test "job control on a real terminal (Ctrl-Z, bg, tostop) changes no worker count; kill -TTIN does" {
	tm() { tmux -S "$BATS_TEST_TMPDIR/tmux" "$@"; }
	pane() { tm capture-pane -p -J -S -; }
	pane_has() { pane | grep -q -- "$1"; }
	tm new-session -d -x 250 -y 50 "bash --norc --noprofile -i"
	# In the foreground, -v: every worker logs to the terminal.
	tm send-keys "cd $ROOT && $BIN/trainsrv -v -b 127.0.0.1 -p 0 -w 2 -f $DATA/sncf.txt" Enter
	wait_until 10 pane_has "listening on 127.0.0.1:"
	PORT=$(pane | sed -n 's/.*listening on 127\.0\.0\.1:\([0-9]*\).*/\1/p' | head -n 1)
	SERVER_PID=$(pane | sed -n 's/.*master pid \([0-9]*\).*/\1/p' | head -n 1)
	wait_until 10 workers_ready 2
	# Stopped by the terminal, then resumed in the background with
	# tostop set: the workers' log lines to the terminal are what job
	# control answers with SIGTTOU.
	tm send-keys C-z
	wait_until 5 pane_has "Stopped"
	tm send-keys "stty tostop; bg" Enter
	wait_until 5 running "$SERVER_PID"
	kill -HUP "$SERVER_PID"
	wait_until 10 stat_ge .reload_successes 1
	wait_until 10 pane_has "worker 1: debug: exiting"
	wait_until 10 live_workers 2
	[ "$(stat_get .workers_target)" -eq 2 ]
	refute pane_has "SIGTTOU: "
	refute pane_has "SIGTTIN: "
	# No process of the server is stopped, and it serves.
	running "$SERVER_PID" $(ps -o pid= --ppid "$SERVER_PID")
	run ask PING
	[ "${lines[2]}" = "PONG" ]
	# kill(1)'s SIGTTIN still counts.
	kill -TTIN "$SERVER_PID"
	wait_until 5 live_workers 3
	stop_server
}
