#!/usr/bin/env bats
# server.bats — trainsrv as a client sees it: start-up, the wire protocol,
# framing, errors, many connections at once.

load helpers

teardown() { teardown_server; }

@test "-t accepts the sample timetable and prints a summary" {
	run "$BIN/trainsrv" -t -f "$DATA/sncf.txt"
	[ "$status" -eq 0 ]
	[[ "$output" == *"OK: 21 trains, 21 legs, 4 stations"* ]]
}

@test "-t reports every error of a broken timetable as file:line and exits 1" {
	f=$BATS_TEST_TMPDIR/bad.txt
	printf '1;A;B;6:00;7:00;1.00;\n2;A;B;25:61;7:00;1.00;\n3;A;B;6:00;7:00;-1;\n4;A;B;6:00;7:00;1.00;HALF\n' >"$f"
	run "$BIN/trainsrv" -t -f "$f"
	[ "$status" -eq 1 ]
	[[ "$output" == *"$f:2: "* ]]
	[[ "$output" == *"$f:3: "* ]]
	[[ "$output" == *"$f:4: "* ]]
	[[ "$output" != *"$f:1: "* ]]
}

@test "an unreadable timetable is one clear line and exit 1" {
	run "$BIN/trainsrv" -p 0 -f "$BATS_TEST_TMPDIR/missing.txt"
	[ "$status" -eq 1 ]
	[ "${#lines[@]}" -eq 1 ]
	[[ "$output" == *"missing.txt"* ]]
}

@test "bad options print the usage and exit 1; -h prints it and exits 0" {
	run "$BIN/trainsrv" -w 0
	[ "$status" -eq 1 ]
	[[ "$output" == *"-w 0"* ]]
	run "$BIN/trainsrv" --no-such-option
	[ "$status" -eq 1 ]
	[[ "$output" == *"usage: trainsrv"* ]]
	run "$BIN/trainsrv" -h
	[ "$status" -eq 0 ]
	[[ "$output" == "usage: trainsrv "* ]]
}

@test "start-up prints address, pid, workers, timetable, segment and signals" {
	start_server -w 2
	log_has "listening on 127.0.0.1:$PORT"
	log_has "master pid $SERVER_PID"
	log_has "2 workers"
	log_has "21 trains, 21 legs, 4 stations"
	log_has "stats segment /trainsrv.$PORT"
	log_has "HUP reload"
}

@test "a port in use is one clear line and exit 1" {
	start_server -w 1
	run "$BIN/trainsrv" -b 127.0.0.1 -p "$PORT" -f "$DATA/sncf.txt"
	[ "$status" -eq 1 ]
	[ "${#lines[@]}" -eq 1 ]
	[[ "$output" == *"cannot listen on 127.0.0.1:$PORT"*"in use"* ]]
}

@test "greeting, PING, ECHO, HELP and QUIT" {
	start_server -w 1
	run ask PING "ECHO hello there" HELP
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "* trainsrv 0.1.0 ready; type HELP" ]
	[ "${lines[1]}" = "OK 1" ]
	[ "${lines[2]}" = "PONG" ]
	[ "${lines[3]}" = "OK 1" ]
	[ "${lines[4]}" = "hello there" ]
	[[ "${lines[5]}" =~ ^OK\ ([0-9]+)$ ]]
	n=${BASH_REMATCH[1]}
	[ "$n" -ge 13 ]
	[[ "${lines[6]}" == "HELP "* ]]
	[[ "${lines[$((5 + n))]}" == "QUIT "* ]]
	[ "${lines[$((6 + n))]}" = "OK 0" ]
	[ "${#lines[@]}" -eq $((7 + n)) ]
}

@test "the seed's worked examples over the wire" {
	start_server -w 1
	run ask "BEST Paris Gare de Lyon;Valence;price" \
	    "best paris gare de lyon ; VALENCE ; duration" \
	    "NEXT Valence;Grenoble;23:00" \
	    "WINDOW Grenoble;Valence;16:45;17:45"
	[ "$status" -eq 0 ]
	[ "${lines[1]}" = "OK 1" ]
	[ "${lines[2]}" = "9713;Paris Gare de Lyon;Valence;10:07;12:19;132;90.00;;90.00;;" ]
	[ "${lines[4]}" = "9713;Paris Gare de Lyon;Valence;10:07;12:19;132;90.00;;90.00;;" ]
	[ "${lines[6]}" = "17564;Valence;Grenoble;06:15+1;07:31+1;76;17.60;REDUC;14.08;;" ]
	[ "${lines[7]}" = "OK 2" ]
	[[ "${lines[8]}" == "17525;"* ]]
	[[ "${lines[9]}" == "17526;"* ]]
}

@test "WINDOW tags the cheapest and the fastest" {
	start_server -w 1
	run ask "WINDOW Grenoble;Valence;16:00;19:00"
	[ "${lines[1]}" = "OK 4" ]
	[ "${lines[2]}" = "17524;Grenoble;Valence;16:30;17:45;75;17.60;;17.60;;" ]
	[ "${lines[3]}" = "17525;Grenoble;Valence;16:55;17:55;60;17.60;SUPPL;19.36;;fastest" ]
	[ "${lines[5]}" = "17528;Grenoble;Valence;18:30;19:45;75;17.60;REDUC;14.08;;cheapest" ]
}

@test "ALL pages, STATIONS filters, DEPARTURES lists a station's next trains" {
	start_server -w 1
	run ask "ALL" "ALL 20;5" "STATIONS" "STATIONS va" "DEPARTURES Montelimar;08:00;2"
	[ "${lines[1]}" = "OK 21" ]
	[ "${lines[23]}" = "OK 1" ]
	[ "${lines[25]}" = "OK 4" ]
	[ "${lines[30]}" = "OK 1" ]
	[ "${lines[31]}" = "Valence" ]
	[ "${lines[32]}" = "OK 2" ]
	[[ "${lines[33]}" == "86178;Montelimar;Valence;08:00;08:25;"* ]]
	[[ "${lines[34]}" == "86179;Montelimar;Valence;08:30;08:55;"* ]]
}

@test "errors get ERR with the right code and the connection stays usable" {
	start_server -w 1
	run ask "NEXT Grenble;Valence;07:00" "NEXT Valence" "NEXT Valence;Grenoble;25:00" \
	    "FROBNICATE" "" "BEST Valence;Grenoble;speed" "PING"
	[ "${lines[1]}" = 'ERR 404 unknown station "Grenble" (did you mean: Grenoble)' ]
	[ "${lines[2]}" = "ERR 400 usage: NEXT from;to[;time]" ]
	[[ "${lines[3]}" == 'ERR 400 bad time "25:00"'* ]]
	[[ "${lines[4]}" == 'ERR 400 unknown command "FROBNICATE"'* ]]
	[[ "${lines[5]}" == "ERR 400 empty request"* ]]
	[[ "${lines[6]}" == "ERR 400 bad criterion"* ]]
	[ "${lines[7]}" = "OK 1" ]
	[ "${lines[8]}" = "PONG" ]
}

@test "CRLF and bare LF line ends are both accepted" {
	start_server -w 1
	run ask_raw 'PING\r\nECHO crlf\r\nECHO lf\nQUIT\r\n'
	[ "${lines[1]}" = "OK 1" ]
	[ "${lines[2]}" = "PONG" ]
	[ "${lines[4]}" = "crlf" ]
	[ "${lines[6]}" = "lf" ]
	[ "${lines[7]}" = "OK 0" ]
}

@test "pipelined requests in one write are answered in order" {
	start_server -w 1
	req=""
	for i in $(seq 1 50); do req="${req}ECHO $i\n"; done
	run ask_raw "${req}QUIT\n"
	[ "$status" -eq 0 ]
	for i in $(seq 1 50); do
		[ "${lines[$((2 * i))]}" = "$i" ]
	done
	[ "${lines[101]}" = "OK 0" ]
}

@test "pipelined queries get the same replies as the same queries one at a time" {
	# A batch is read ahead (the stations it names are looked up and
	# prefetched together): exact, folded, misspelt and malformed names,
	# wrong field counts and bad times must all answer as they do alone.
	start_server -w 1
	reqs=(
		"NEXT Valence;Grenoble;07:00"
		"next  Valence ; Grenoble ;7:00"
		"NEXT valence;GRENOBLE;16:00"
		"WINDOW Grenoble;Valence;16:00;19:00"
		"WINDOW Valence;Grenoble;23:00;07:00"
		"NEXT Valense;Grenoble;07:00"
		"NEXT Valence;Grenoble;25:00"
		"NEXT Valence;Grenoble;07:00;extra"
		"NEXT Valence;Valence;07:00"
		"NEXT Grenoble;Valence"
		"BEST Valence;Grenoble;price"
		"DEPARTURES Valence;07:00;3"
		"NEXT Paris Gare de Lyon;Valence;06:00"
		"NEXT ;Grenoble;07:00"
	)
	# Alone: one line, then end of input (a lone line is never read ahead).
	: >"$BATS_TEST_TMPDIR/alone"
	for r in "${reqs[@]}"; do
		printf '%s\n' "$r" | timeout $((10 * SCALE)) socat -t 5 - "TCP:127.0.0.1:$PORT" |
		    sed '1d' >>"$BATS_TEST_TMPDIR/alone"
	done
	printf '%s\n' "${reqs[@]}" QUIT |
	    timeout $((10 * SCALE)) socat -t 5 - "TCP:127.0.0.1:$PORT" | sed '1d;$d' \
	    >"$BATS_TEST_TMPDIR/batch"
	grep -q '^ERR 404 unknown station "Valense"' "$BATS_TEST_TMPDIR/alone"
	[ "$(grep -c '^OK 1$' "$BATS_TEST_TMPDIR/alone")" -ge 4 ]
	diff "$BATS_TEST_TMPDIR/alone" "$BATS_TEST_TMPDIR/batch"
}

@test "an over-long line gets ERR 413 (no reset) and the server goes on" {
	start_server -w 1
	long=$(head -c 5000 /dev/zero | tr '\0' 'x')
	printf 'PING\n%s\nPING\n' "$long" >"$BATS_TEST_TMPDIR/req"
	run timeout $((10 * SCALE)) socat -t 5 - "TCP:127.0.0.1:$PORT" <"$BATS_TEST_TMPDIR/req"
	[ "$status" -eq 0 ]
	[ "${lines[2]}" = "PONG" ]
	[ "${lines[3]}" = "ERR 413 line too long (max 4096 bytes)" ]
	[ "${#lines[@]}" -eq 4 ]
	run ask PING
	[ "${lines[2]}" = "PONG" ]
}

@test "a line of exactly 4096 bytes is accepted (with CRLF too); 4097 gets ERR 413" {
	start_server -w 1
	text=$(head -c 4091 /dev/zero | tr '\0' 'y')
	run ask "ECHO $text"
	[ "${lines[1]}" = "OK 1" ]
	[ "${lines[2]}" = "$text" ]
	# The CR of a CRLF does not count.
	run ask_raw "ECHO $text\r\nQUIT\r\n"
	[ "${lines[1]}" = "OK 1" ]
	[ "${lines[2]}" = "$text" ]
	# One byte more: refused, the connection closed after the answer.
	run ask "ECHO ${text}z" PING
	[ "${lines[1]}" = "ERR 413 line too long (max 4096 bytes)" ]
	[ "${#lines[@]}" -eq 2 ]
	run ask PING
	[ "${lines[2]}" = "PONG" ]
}

@test "the last line may lack its LF when the client half-closes" {
	start_server -w 1
	run ask_raw 'PING\nECHO last'
	[ "${lines[2]}" = "PONG" ]
	[ "${lines[4]}" = "last" ]
}

@test "three clients at once are all answered" {
	start_server -w 2
	# Each client holds its connection until all three were accepted.
	pids=()
	for i in 1 2 3; do
		{ printf 'ECHO client %s\n' "$i"; wait_until 10 accepted 3; printf 'QUIT\n'; } |
		    timeout $((20 * SCALE)) socat -t 5 - "TCP:127.0.0.1:$PORT" >"$BATS_TEST_TMPDIR/c$i" &
		pids+=($!)
	done
	for p in "${pids[@]}"; do wait "$p"; done
	for i in 1 2 3; do
		grep -qx "client $i" "$BATS_TEST_TMPDIR/c$i"
		grep -qx "OK 0" "$BATS_TEST_TMPDIR/c$i"
	done
}

# open_idle N — open N connections held by this shell (fds 20..).
open_idle() {
	local i
	for ((i = 0; i < $1; i++)); do
		exec {fd}<>"/dev/tcp/127.0.0.1/$PORT" || return 1
		IDLE_FDS+=("$fd")
	done
}
close_idle() { local fd; for fd in "${IDLE_FDS[@]}"; do exec {fd}>&-; done; IDLE_FDS=(); }
accepted() {
	[ "$("$BIN/trainsrv-stat" -p "$PORT" -j | jq .accepted)" -ge "$1" ]
}
conns_open() {
	[ "$("$BIN/trainsrv-stat" -p "$PORT" -j | jq .connections)" -ge "$1" ]
}

@test "200 idle connections do not keep another client waiting" {
	start_server -w 1
	IDLE_FDS=()
	open_idle 200
	wait_until 10 conns_open 200
	t0=$(now_ms)
	run ask "NEXT Valence;Grenoble;07:00"
	t1=$(now_ms)
	close_idle
	[ "${lines[2]}" = "17568;Valence;Grenoble;07:15;08:32;77;17.60;;17.60;;" ]
	[ $((t1 - t0)) -lt $((2000 * SCALE)) ]
}

@test "50 connections opened at once spread over 2 workers (neither above 60%)" {
	start_server -w 2
	wait_until 10 workers_ready 2
	IDLE_FDS=()
	open_idle 50
	wait_until 10 conns_open 50
	run "$BIN/trainsrv-stat" -p "$PORT" -j
	close_idle
	max=$(echo "$output" | jq '[.workers[] | select(.state != "dead") | .connections] | max')
	echo "connections per worker: $(echo "$output" | jq -c '[.workers[] | .connections]')"
	[ "$max" -le 30 ]
}

@test "a NUL byte ends a request's text; no CR or NUL comes back" {
	start_server -w 1
	printf 'ECHO G\r\0hidden\nPING\nQUIT\n' >"$BATS_TEST_TMPDIR/req"
	run timeout $((10 * SCALE)) socat -t 5 - "TCP:127.0.0.1:$PORT" <"$BATS_TEST_TMPDIR/req"
	[ "${lines[1]}" = "OK 1" ]
	[ "${lines[2]}" = "G" ]
	[ "${lines[4]}" = "PONG" ]
	! printf '%s' "$output" | grep -q $'\r'
}

@test "ALL offset and limit: both sides of each bound; ALL 5; is an error" {
	start_server -w 1
	run ask "ALL" "ALL 0;5" "ALL 20" "ALL ;3" "ALL 0;0" "ALL 0;1000" "ALL 100000000"
	[ "${lines[1]}" = "OK 21" ]
	all=("${lines[@]:2:21}")
	# A limit: the first five, in the same order.
	[ "${lines[23]}" = "OK 5" ]
	for i in 0 1 2 3 4; do [ "${lines[$((24 + i))]}" = "${all[$i]}" ]; done
	# An offset alone: what is left after it.
	[ "${lines[29]}" = "OK 1" ]
	[ "${lines[30]}" = "${all[20]}" ]
	# An empty offset is 0.
	[ "${lines[31]}" = "OK 3" ]
	[ "${lines[32]}" = "${all[0]}" ]
	[ "${lines[35]}" = "OK 0" ]
	[ "${lines[36]}" = "OK 21" ]
	[ "${lines[58]}" = "OK 0" ]
	[ "${lines[59]}" = "OK 0" ]
	[ "${#lines[@]}" -eq 60 ]
	run ask "ALL 5;" "ALL 0;1001" "ALL 100000001" "ALL -1" "ALL x" "ALL 1;2;3" PING
	[ "${lines[1]}" = 'ERR 400 bad limit "" (want 0 to 1000)' ]
	[ "${lines[2]}" = 'ERR 400 bad limit "1001" (want 0 to 1000)' ]
	[ "${lines[3]}" = 'ERR 400 bad offset "100000001" (want 0 to 100000000)' ]
	[ "${lines[4]}" = 'ERR 400 bad offset "-1" (want 0 to 100000000)' ]
	[ "${lines[5]}" = 'ERR 400 bad offset "x" (want 0 to 100000000)' ]
	[ "${lines[6]}" = "ERR 400 usage: ALL [offset;limit]" ]
	[ "${lines[8]}" = "PONG" ]
}

@test "DEPARTURES count bounds both sides: 0, all of them, one more, 1000 and 1001" {
	start_server -w 1
	# Every departure from Valence, from midnight: each train once.
	run ask "DEPARTURES Valence;00:00;1000"
	[[ "${lines[1]}" =~ ^OK\ ([0-9]+)$ ]]
	n=${BASH_REMATCH[1]}
	[ "$n" -ge 5 ]
	[ "$n" -lt 1000 ]
	[ "$(printf '%s\n' "${lines[@]:2:$n}" | cut -d';' -f1 | sort | uniq -d | wc -l)" -eq 0 ]
	run ask "DEPARTURES Valence;00:00;$((n - 1))" "DEPARTURES Valence;00:00;$n" \
	    "DEPARTURES Valence;00:00;$((n + 1))" "DEPARTURES Valence;00:00;0" \
	    "DEPARTURES Valence;00:00;1001" "DEPARTURES Valence;00:00;-1" "DEPARTURES Valence;;2"
	[ "${lines[1]}" = "OK $((n - 1))" ]
	[ "${lines[$((n + 1))]}" = "OK $n" ]
	# Asked for more than there are: each one once, none twice.
	[ "${lines[$((2 * n + 2))]}" = "OK $n" ]
	k=$((3 * n + 3))
	[ "${lines[$k]}" = "OK 0" ]
	[ "${lines[$((k + 1))]}" = 'ERR 400 bad count "1001" (want 0 to 1000)' ]
	[ "${lines[$((k + 2))]}" = 'ERR 400 bad count "-1" (want 0 to 1000)' ]
	# An empty time is now: two trains, whatever the hour.
	[ "${lines[$((k + 3))]}" = "OK 2" ]
}

@test "fields on commands that take none are usage errors (PING x, HELP x, WHO x, QUIT x)" {
	start_server -w 1
	run ask "PING x" "HELP x" "WHO x" "QUIT x" "PING"
	[ "${lines[1]}" = "ERR 400 usage: PING" ]
	[ "${lines[2]}" = "ERR 400 usage: HELP" ]
	[ "${lines[3]}" = "ERR 400 usage: WHO" ]
	# QUIT x is refused, and the connection stays.
	[ "${lines[4]}" = "ERR 400 usage: QUIT" ]
	[ "${lines[5]}" = "OK 1" ]
	[ "${lines[6]}" = "PONG" ]
	[ "$("$BIN/trainsrv-stat" -p "$PORT" -j | jq '.errors_by_code."400"')" -eq 4 ]
}

@test "requests after QUIT are not answered, even in the same write" {
	start_server -w 1
	run ask_raw 'PING\nQUIT\nPING\nECHO after\n'
	[ "${lines[1]}" = "OK 1" ]
	[ "${lines[2]}" = "PONG" ]
	[ "${lines[3]}" = "OK 0" ]
	[ "${#lines[@]}" -eq 4 ]
}

# idle_client — a connection that reads and never sends (socat -u: the
# socket is only read); its output goes to $BATS_TEST_TMPDIR/idle.
idle_client() {
	timeout $((30 * SCALE)) socat -u "TCP:127.0.0.1:$PORT" - >"$BATS_TEST_TMPDIR/idle" &
	IDLE_PID=$!
}

@test "-i 1: an idle session gets * timeout after 1 s, an active one does not" {
	start_server -w 1 -i 1
	t0=$(now_ms)
	idle_client
	wait_until 5 grep -qx '\* timeout' "$BATS_TEST_TMPDIR/idle"
	t1=$(now_ms)
	# The server closes it: socat ends long before its 30 s.
	wait_until 5 pid_gone "$IDLE_PID"
	echo "timed out after $((t1 - t0)) ms"
	[ $((t1 - t0)) -ge 1000 ]
	[ $((t1 - t0)) -le $((3000 * SCALE)) ]
	[ "$(head -n 1 "$BATS_TEST_TMPDIR/idle")" = "* trainsrv 0.1.0 ready; type HELP" ]
	[ "$(wc -l <"$BATS_TEST_TMPDIR/idle")" -eq 2 ]
	[ "$("$BIN/trainsrv-stat" -p "$PORT" -j | jq .timeouts)" -eq 1 ]
	# A request every 0.4 s keeps a session alive past 1 s.
	run bash -c "for i in 1 2 3 4 5 6; do echo PING; sleep 0.4; done | timeout $((20 * SCALE)) socat -t 2 - TCP:127.0.0.1:$PORT"
	[ "$(printf '%s\n' "${lines[@]}" | grep -c '^PONG$')" -eq 6 ]
	refute grep -qx '\* timeout' <<<"$output"
	run "$BIN/trainsrv" -i 0 -t -f "$DATA/sncf.txt"
	[ "$status" -eq 1 ]
	run "$BIN/trainsrv" -i 86401 -t -f "$DATA/sncf.txt"
	[ "$status" -eq 1 ]
}

@test "a request line still unfinished after 30 s gets * timeout (the idle timeout is longer)" {
	start_server -w 1 -i 120
	# One byte a second of a line that never ends: never idle, never done.
	{
		printf 'ECHO '
		for i in $(seq 1 45); do
			grep -q timeout "$BATS_TEST_TMPDIR/slow" 2>/dev/null && break
			printf x
			sleep 1
		done
	} | timeout $((60 * SCALE)) socat -t 1 - "TCP:127.0.0.1:$PORT" >"$BATS_TEST_TMPDIR/slow" &
	t0=$(now_ms)
	wait_until 40 grep -qx '\* timeout' "$BATS_TEST_TMPDIR/slow"
	t1=$(now_ms)
	echo "timed out after $((t1 - t0)) ms"
	[ $((t1 - t0)) -ge 29000 ]
	[ $((t1 - t0)) -le $((33000 * SCALE)) ]
	[ "$("$BIN/trainsrv-stat" -p "$PORT" -j | jq .timeouts)" -eq 1 ]
}

@test "-v logs the workers' life: spawned, leaving, exited as planned; without it, none" {
	start_server -w 1
	wait_until 10 workers_ready 1
	stop_server
	refute log_has "debug:"
	start_server -w 1 -v
	wait_until 10 workers_ready 1
	log_has "debug: spawned worker 0"
	stop_server
	log_has "debug: leaving (\* shutdown)"
	log_has "debug: worker 0 (pid [0-9]*) exited with status 0"
}

@test "without -b the server listens on :: for IPv4 and IPv6 both" {
	[ -e /proc/net/if_inet6 ] || skip "no IPv6 on this machine"
	SERVER_LOG=$BATS_TEST_TMPDIR/server.log
	"$BIN/trainsrv" -p 0 -w 1 -f "$DATA/sncf.txt" </dev/null 2>"$SERVER_LOG" &
	SERVER_PID=$!
	wait_until 10 log_has "listening on"
	log_has "listening on \[::\]:[0-9]* (IPv4 and IPv6)"
	PORT=$(sed -n 's/.*listening on \[::\]:\([0-9][0-9]*\) .*/\1/p' "$SERVER_LOG")
	run timeout $((10 * SCALE)) socat -t 5 - "TCP4:127.0.0.1:$PORT" <<<"PING"
	[ "${lines[2]}" = "PONG" ]
	run timeout $((10 * SCALE)) socat -t 5 - "TCP6:[::1]:$PORT" <<<"PING"
	[ "${lines[2]}" = "PONG" ]
}

@test "ERR 500 when the master runs out of memory; the session goes on, the next NAME works" {
	# The allocation failure is injected with LD_PRELOAD, which the
	# sanitizers' runtime does not allow (it must come first).
	[ -z "${TRAINSRV_SANITIZED:-}" ] || skip "LD_PRELOAD failure injection cannot run under ASan"
	local fail=$BATS_TEST_TMPDIR/fail
	LD_PRELOAD=$BIN/failalloc.so FAILALLOC_FILE=$fail start_server -w 1
	wait_until 10 workers_ready 1
	# The master's first nickname needs its table allocated: it cannot.
	touch "$fail"
	run ask "NAME alice" PING
	rm -f "$fail"
	[ "${lines[1]}" = "ERR 500 out of memory" ]
	[ "${lines[2]}" = "OK 1" ]
	[ "${lines[3]}" = "PONG" ]
	[ "$("$BIN/trainsrv-stat" -p "$PORT" -j | jq '.errors_by_code."500"')" -eq 1 ]
	run ask "NAME alice"
	[ "${lines[1]}" = "OK 0" ]
}
