#!/usr/bin/env bats
# routing.bats — sessions across workers through the master (issue 12,
# findings 3, 4, 5 and 14): no nickname outlives its session, whatever
# order a session, its worker and the master go in; every question routed
# through the master gets one answer, within a bound, and a bound that is
# hit answers ERR 503 (counted in route_busy) instead of dropping anything.

load helpers

declare -gA FD PID
SESSION_FDS=()
STOPPED=()

teardown() {
	local fd p
	for p in "${STOPPED[@]:-}"; do [ -n "$p" ] && kill -CONT "$p" 2>/dev/null; done
	for fd in "${SESSION_FDS[@]:-}"; do [ -n "$fd" ] && exec {fd}>&- 2>/dev/null; done
	teardown_server
}

# open_session NAME — a connection written with `say`, read from NAME.out.
open_session() {
	local n=$1 f=$BATS_TEST_TMPDIR/$1
	rm -f "$f.in" "$f.out"
	mkfifo "$f.in"
	timeout 120 socat -t 5 - "TCP:127.0.0.1:$PORT" <"$f.in" >"$f.out" &
	PID[$n]=$!
	exec {fd}>"$f.in"
	FD[$n]=$fd
	SESSION_FDS+=("$fd")
	wait_until 5 grep -q "ready; type HELP" "$f.out"
}
close_session() { local fd=${FD[$1]}; exec {fd}>&-; wait "${PID[$1]}" 2>/dev/null || true; }
say() { printf '%s\n' "$2" >&"${FD[$1]}"; }
saw() { grep -qxF -- "$2" "$BATS_TEST_TMPDIR/$1.out"; }
expect() { wait_until 5 saw "$1" "$2" || { echo "--- $1 got:"; cat "$BATS_TEST_TMPDIR/$1.out"; false; }; }
ctl() { "$BIN/trainsrv-ctl" -p "$PORT" "$@"; }
worker_of() { ctl list | awk -F';' -v n="$1" '$2 == n { print $4 }'; }
worker_pid() { "$BIN/trainsrv-stat" -p "$PORT" -j | jq -r ".workers[] | select(.slot == $1) | .pid"; }
stat_get() { "$BIN/trainsrv-stat" -p "$PORT" -j | jq -r "$1"; }
stat_is() { local v; v=$(stat_get "$1") && [ "$v" = "$2" ]; }
# name_free NICK — a new session may take NICK (it gives it back on QUIT).
name_free() { [ "$(ask "NAME $1" | sed -n 2p)" = "OK 0" ]; }
show_server() { cat "$SERVER_LOG"; false; }
stopped() { grep -q '^State:.*T' "/proc/$1/status"; }
# dead PID — gone, or a zombie nobody reaped yet.
dead() { ! [ -e "/proc/$1/status" ] || grep -q '^State:.*Z' "/proc/$1/status"; }
# lines_matching FILE REGEX N — FILE has exactly N lines matching REGEX now.
lines_matching() { [ "$(grep -c -- "$2" "$1")" -eq "$3" ]; }

# Raise the open-file limit for this test's server and tools; prints it.
raise_nofile() {
	ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
	ulimit -n
}

@test "a session reset while its NAME is on the way leaves no nickname behind" {
	start_server -w 2
	wait_until 10 workers_ready 2
	run "$BIN/sessions" -p "$PORT" namerst alice 300
	[ "$status" -eq 0 ]
	[ "$output" = "sent=300" ]
	# Nobody is connected: alice must be free, and a message to her unknown.
	wait_until 5 name_free alice || { ask "NAME alice"; show_server; }
	run ask "MSG @alice anyone there?"
	[[ "$output" == *'ERR 404 nobody is called "alice"'* ]]
	wait_until 5 stat_is .nicknames 0
	# The other side: a session that stays keeps its name.
	open_session alice
	say alice "NAME alice"
	expect alice "OK 0"
	run ask "NAME alice"
	[[ "$output" == *"ERR 409"* ]]
}

@test "a worker killed while the master is stopped frees its nicknames" {
	start_server -w 2
	wait_until 10 workers_ready 2
	open_session alice
	say alice "NAME alice"
	expect alice "OK 0"
	slot=$(worker_of alice)
	wpid=$(worker_pid "$slot")
	[ -n "$wpid" ]
	kill -STOP "$SERVER_PID"
	STOPPED+=("$SERVER_PID")
	wait_until 5 stopped "$SERVER_PID"
	kill -KILL "$wpid"
	wait_until 5 dead "$wpid"
	kill -CONT "$SERVER_PID"
	wait_until 10 workers_ready 2
	wait_until 5 name_free alice || { ask "NAME alice"; show_server; }
	run ctl kick alice
	[ "$status" -ne 0 ]
	[[ "$output" == *"no such session"* ]]
	# Routing still works for the respawned worker's sessions.
	open_session bob
	say bob "NAME bob"
	expect bob "OK 0"
	open_session carol
	say carol "MSG @bob still here"
	expect carol "OK 0"
	wait_until 5 grep -q '^\* msg #[0-9]* still here$' "$BATS_TEST_TMPDIR/bob.out"
}

@test "800 simultaneous WHO from 5000 idle sessions: every one answered, every session still answers" {
	local limit n=5000
	limit=$(raise_nofile)
	if [ "$limit" != unlimited ] && [ "$limit" -lt $((n + 200)) ]; then
		skip "needs ulimit -n >= $((n + 200)) (hard limit $limit)"
	fi
	start_server -w 2
	wait_until 10 workers_ready 2
	run timeout $((90 * SCALE)) "$BIN/sessions" -p "$PORT" who "$n" 800 $((20 * SCALE))
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == *"sessions=$n asked=800 "* ]]
	[[ "$output" == *" other=0 unanswered=0 pong=800" ]]
	ok=$(sed -n 's/.* ok=\([0-9]*\) .*/\1/p' <<<"$output")
	busy=$(sed -n 's/.* busy=\([0-9]*\) .*/\1/p' <<<"$output")
	[ $((ok + busy)) -eq 800 ]
	[ "$ok" -gt 0 ]
	# Every ERR 503 is counted, and nothing else is.
	wait_until 5 stat_is .route_busy "$busy"
	ask PING | grep -qx PONG
}

@test "messages to a stopped worker: past the channel bound the sender gets ERR 503, counted; nothing answered OK is lost" {
	local limit
	limit=$(raise_nofile)
	if [ "$limit" != unlimited ] && [ "$limit" -lt 1000 ]; then
		skip "needs ulimit -n >= 1000 (hard limit $limit)"
	fi
	TRAINSRV_TEST_CHANNEL_SOFT=4096 start_server -w 2
	wait_until 10 workers_ready 2
	open_session alice
	say alice "NAME alice"
	expect alice "OK 0"
	wpid=$(worker_pid "$(worker_of alice)")
	kill -STOP "$wpid"
	STOPPED+=("$wpid")
	wait_until 5 stopped "$wpid"
	# alice's worker reads nothing now: its channel's socket buffer, then its
	# queue up to the (lowered) soft bound take what they can, then ERR 503.
	run timeout $((60 * SCALE)) "$BIN/sessions" -p "$PORT" msg alice 600 5 $((20 * SCALE))
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == *"senders=600 sent=3000 "* ]]
	[[ "$output" == *" other=0 unanswered=0 pong=600" ]]
	ok=$(sed -n 's/.* ok=\([0-9]*\) .*/\1/p' <<<"$output")
	busy=$(sed -n 's/.* busy=\([0-9]*\) .*/\1/p' <<<"$output")
	[ $((ok + busy)) -eq 3000 ]
	# Both sides of the bound: some got through, some were refused.
	[ "$ok" -gt 0 ]
	[ "$busy" -gt 0 ]
	wait_until 5 stat_is .route_busy "$busy"
	wait_until 5 stat_is '.errors_by_code["503"]' "$busy"
	# Once alice's worker runs again, she gets every message answered OK.
	kill -CONT "$wpid"
	wait_until 10 lines_matching "$BATS_TEST_TMPDIR/alice.out" '^\* msg .* flood ' "$ok" ||
	    { grep -c '^\* msg' "$BATS_TEST_TMPDIR/alice.out"; false; }
	say alice PING
	expect alice PONG
}

@test "WHO with a stopped worker is answered within the bound: what answered, then which worker did not" {
	start_server -w 2
	wait_until 10 workers_ready 2
	open_session alice
	say alice "NAME alice"
	expect alice "OK 0"
	# Fresh names each try: a name given back is free once the master has
	# read its worker's channel, which may come after another worker's.
	for i in $(seq 1 20); do
		bob=bob$i
		open_session bob
		say bob "NAME $bob"
		expect bob "OK 0"
		[ "$(worker_of alice)" != "$(worker_of $bob)" ] && break
		say bob QUIT
		close_session bob
	done
	[ "$(worker_of alice)" != "$(worker_of $bob)" ]
	slot=$(worker_of $bob)
	wpid=$(worker_pid "$slot")
	kill -STOP "$wpid"
	STOPPED+=("$wpid")
	wait_until 5 stopped "$wpid"
	t0=$(now_ms)
	say alice WHO
	wait_until 5 grep -q '^\* incomplete:' "$BATS_TEST_TMPDIR/alice.out" ||
	    { cat "$BATS_TEST_TMPDIR/alice.out"; false; }
	t1=$(now_ms)
	[ $((t1 - t0)) -lt $((4000 * SCALE)) ]
	grep -q "^\* incomplete: worker $slot (pid $wpid) did not answer within 2 s$" \
	    "$BATS_TEST_TMPDIR/alice.out"
	grep -q '^[0-9]*;alice;' "$BATS_TEST_TMPDIR/alice.out"
	if grep -q "^[0-9]*;$bob;" "$BATS_TEST_TMPDIR/alice.out"; then false; fi
	# The session goes on; and once the worker runs again, WHO is whole.
	say alice PING
	expect alice PONG
	kill -CONT "$wpid"
	: >"$BATS_TEST_TMPDIR/alice.out"
	say alice WHO
	wait_until 5 grep -q "^[0-9]*;$bob;" "$BATS_TEST_TMPDIR/alice.out"
	if grep -q '^\* incomplete' "$BATS_TEST_TMPDIR/alice.out"; then false; fi
}

@test "NAME refuses invisible format and bidi controls with a clear error" {
	start_server -w 1
	wait_until 10 workers_ready 1
	for cp in 200B 200F 202A 202E 2060 2064 2066 2069 FEFF 061C 00AD; do
		run ask "NAME al$(printf "\\u$cp")ice"
		[[ "$output" == *"ERR 400 bad nickname: it contains U+$cp, an invisible format or bidi control character"* ]] ||
		    { echo "U+$cp: $output"; false; }
	done
	# Neighbours of those ranges are not invisible controls: the usual rule.
	run ask "NAME al$(printf '\u2070')ice"
	[[ "$output" == *"ERR 400 bad nickname (1 to 16 of"* ]]
	run ask "NAME alice"
	[[ "$output" == *"OK 0"* ]]
}
