#!/usr/bin/env bats
# http.bats — the HTTP front end (trainsrv -H) against the real binaries:
# every status the parser gives, both sides of each limit, keep-alive and
# pipelining, HEAD, the JSON endpoints (parsed with jq), CORS, /metrics
# (promtool check metrics), /healthz during a reload drain, timeouts, and
# the counters an HTTP request bumps.
#
# Raw requests go through socat (printf | socat), everything else through
# curl; curl and promtool come from Debian's curl and prometheus packages.

load helpers

setup() {
	start_server -w 2 -H 127.0.0.1:0 "${EXTRA_ARGS[@]}"
	wait_until 10 log_has "HTTP on" || { cat "$SERVER_LOG" >&2; return 1; }
	HPORT=$(sed -n 's/.*HTTP on 127\.0\.0\.1:\([0-9][0-9]*\):.*/\1/p' "$SERVER_LOG" | head -n 1)
	[ -n "$HPORT" ]
	URL=http://127.0.0.1:$HPORT
}

teardown() {
	if [ -n "${HOSTILE_PID:-}" ]; then
		kill -TERM "$HOSTILE_PID" 2>/dev/null || true
		wait "$HOSTILE_PID" 2>/dev/null || true
	fi
	teardown_server
}

# get PATH [curl args...] — the body of GET PATH.
get() {
	local path=$1
	shift
	curl -sS --max-time $((10 * SCALE)) "$@" "$URL$path"
}

# status PATH [curl args...] — the status code of GET PATH.
status() {
	local path=$1
	shift
	curl -s -o /dev/null -w '%{http_code}' --max-time $((10 * SCALE)) "$@" "$URL$path"
}

# raw BYTES — send exactly the bytes printf %b makes of BYTES to the HTTP
# port, print everything that comes back (the server closes or socat
# times out 2 s after our EOF).
raw() {
	printf '%b' "$1" | timeout $((10 * SCALE)) socat -t 2 - "TCP:127.0.0.1:$HPORT"
}

# raw_status BYTES — the status code of the first response to BYTES.
raw_status() {
	raw "$1" | head -n 1 | cut -d' ' -f2
}

# pad N — N bytes of 'a'.
pad() { head -c "$1" /dev/zero | tr '\0' a; }

@test "the line port still greets and answers; the HTTP port speaks HTTP only" {
	run ask PING
	[[ "$output" == *"* trainsrv "*"ready"* ]]
	[[ "$output" == *PONG* ]]
	run raw 'GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n'
	[[ "$output" == "HTTP/1.1 200 OK"* ]]
	[[ "$output" != *"* trainsrv"* ]]
}

@test "every reply has Content-Length, Content-Type with charset and Server" {
	for p in / /app.js /app.css /healthz /metrics /v1/info /v1/stations /nope \
	    '/v1/next?from=Valence&to=Nowhere'; do
		run curl -s -D - -o /dev/null --max-time 10 "$URL$p"
		[[ "$output" == *$'\r\nContent-Length: '[0-9]* ]] || { echo "$p: $output"; false; }
		[[ "$output" == *$'\r\nContent-Type: '*'charset=utf-8'* ]] || { echo "$p: $output"; false; }
		[[ "$output" == *$'\r\nServer: trainsrv/'[0-9]* ]] || { echo "$p: $output"; false; }
	done
}

@test "JSON endpoints: trains, stations, journeys, info, each parsed by jq, keys in order" {
	run get '/v1/next?from=valence&to=GRENOBLE&time=06:00'
	[ "$status" -eq 0 ]
	[ "$(jq -r '.trains[0].number' <<<"$output")" = 17564 ]
	[ "$(jq -c '.trains[0] | keys_unsorted' <<<"$output")" = \
	    '["number","from","to","departs","arrives","day","minutes","price","flag","fare","via","tags"]' ]
	[ "$(jq -c '.trains[0] | [.from,.to,.departs,.arrives,.day,.minutes,.price,.flag,.fare]' <<<"$output")" = \
	    '["Valence","Grenoble","06:15","07:31",0,76,17.6,"REDUC",14.08]' ]
	# After the last train: tomorrow's first, day 1.
	run get '/v1/next?from=Valence&to=Grenoble&time=23:00'
	[ "$(jq -c '.trains[0] | [.departs,.day]' <<<"$output")" = '["06:15",1]' ]
	# Names with spaces: + and %20 both decode to a space.
	run get '/v1/window?from=Valence&to=Paris+Gare%20de+Lyon&start=15:00&end=18:00'
	[ "$(jq -r '[.trains[].number] | join(" ")' <<<"$output")" = "9862 6194 6208" ]
	[ "$(jq -c '[.trains[].tags]' <<<"$output")" = '[["cheapest","fastest"],[],[]]' ]
	run get '/v1/best?from=Valence&to=Grenoble&by=duration'
	[ "$(jq '.trains | length' <<<"$output")" -eq 1 ]
	run get '/v1/departures?station=Valence&time=06:00&count=3'
	[ "$(jq '.trains | length' <<<"$output")" -eq 3 ]
	run get '/v1/stations?prefix=mont'
	[ "$output" = '{"stations":["Montelimar"]}' ]
	run get '/v1/stations'
	[ "$(jq '.stations | length' <<<"$output")" -eq 4 ]
	run get '/v1/journey?from=Montelimar&to=Paris+Gare+de+Lyon&time=06:00'
	[ "$(jq -c '.journeys[0] | keys_unsorted' <<<"$output")" = \
	    '["departs","arrives","changes","minutes","fare","legs"]' ]
	[ "$(jq '.journeys[0].changes' <<<"$output")" -eq 1 ]
	[ "$(jq -r '.journeys[0].legs[1].from' <<<"$output")" = Valence ]
	run get /v1/info
	[ "$(jq -r .version <<<"$output")" = "$(sed -n 's/^#define TRAINSRV_VERSION\t"\(.*\)"/\1/p' "$ROOT/ipc/version.h")" ]
	[ "$(jq .trains <<<"$output")" -eq 21 ]
}

@test "errors: the protocol's code as the status, its message, suggestions; CORS on /v1/" {
	run curl -s -D "$BATS_TEST_TMPDIR/h" --max-time 10 "$URL/v1/next?from=Grenble&to=Valence"
	[ "$output" = '{"error":{"status":404,"message":"unknown station \"Grenble\"","suggestions":["Grenoble"]}}' ]
	grep -q '^HTTP/1.1 404 Not Found' "$BATS_TEST_TMPDIR/h"
	grep -q '^Access-Control-Allow-Origin: \*' "$BATS_TEST_TMPDIR/h"
	grep -q '^Access-Control-Allow-Origin: \*' <(curl -s -D - -o /dev/null "$URL/v1/stations")
	[ "$(status '/v1/next?from=Valence&to=Grenoble&time=24:00')" = 400 ]
	[ "$(get '/v1/next?from=Valence&to=Grenoble&time=24:00' | jq -r .error.message)" = \
	    'bad time "24:00" (want HH:MM, 00:00 to 23:59)' ]
	[ "$(status '/v1/next?from=Valence')" = 400 ]
	[ "$(status '/v1/best?from=Valence&to=Grenoble&by=speed')" = 400 ]
	# DEPARTURES count: 1000 passes, 1001 is refused (the protocol's limit).
	[ "$(status '/v1/departures?station=Valence&count=1000')" = 200 ]
	[ "$(status '/v1/departures?station=Valence&count=1001')" = 400 ]
	# Query strings: percent-decoded UTF-8, else 400; ';' or a control never
	# reaches the protocol.
	[ "$(status '/v1/stations?prefix=Mont%C3%A9')" = 200 ]
	[ "$(status '/v1/stations?prefix=%C3')" = 400 ]
	[ "$(status '/v1/stations?prefix=%zz')" = 400 ]
	[ "$(status '/v1/next?from=Valence%3BGrenoble&to=x')" = 400 ]
	[ "$(status '/v1/next?from=Valence%0APING&to=x')" = 400 ]
	[ "$(status /v1/nope)" = 404 ]
	[ "$(status /nope)" = 404 ]
	# No CORS header outside /v1/.
	run curl -s -D - -o /dev/null "$URL/metrics"
	[[ "$output" != *Access-Control* ]]
}

@test "an HTTP request counts under its command, an error under its code" {
	get '/v1/next?from=Valence&to=Grenoble&time=06:00' >/dev/null
	get '/v1/next?from=Grenble&to=Valence' >/dev/null
	get '/v1/stations' >/dev/null
	wait_until 5 bash -c "[ \"\$(\"$BIN/trainsrv-stat\" -p $PORT -j | jq .requests_by_command.NEXT)\" -eq 2 ]"
	run "$BIN/trainsrv-stat" -p "$PORT" -j
	[ "$(jq .requests_by_command.STATIONS <<<"$output")" -eq 1 ]
	[ "$(jq '.errors_by_code["404"]' <<<"$output")" -eq 1 ]
}

@test "methods: GET and HEAD; others 405 with Allow: GET, HEAD" {
	run curl -s -I --max-time 10 "$URL/healthz"
	[[ "$output" == "HTTP/1.1 200 OK"* ]]
	[[ "$output" == *$'Content-Length: 3\r'* ]]
	# HEAD: the same head, no body (the next response follows at once).
	run raw 'HEAD /v1/stations HTTP/1.1\r\nHost: x\r\n\r\nGET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n'
	[ "$(grep -c '^HTTP/1.1 200 OK' <<<"$output")" -eq 2 ]
	[[ "$output" == *$'\r\n\r\nHTTP/1.1 200 OK'* ]]
	[[ "$output" == *$'\r\n\r\nok' ]]
	for m in POST PUT DELETE OPTIONS PATCH get; do
		run raw "$m /v1/next HTTP/1.1\r\nHost: x\r\n\r\n"
		[[ "$output" == "HTTP/1.1 405 Method Not Allowed"* ]] || { echo "$m: $output"; false; }
		[[ "$output" == *$'\r\nAllow: GET, HEAD\r\n'* ]]
		[[ "$output" == *$'\r\nConnection: close\r\n'* ]]
	done
}

@test "bodies are refused: 413 with a length, 411 chunked, 501 other codings; length 0 passes" {
	[ "$(raw_status 'GET /healthz HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n')" = 200 ]
	[ "$(raw_status 'GET /healthz HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\n\r\nx')" = 413 ]
	[ "$(raw_status 'GET /healthz HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n')" = 411 ]
	[ "$(raw_status 'GET /healthz HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip\r\n\r\n')" = 501 ]
	[ "$(raw_status 'POST /healthz HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello')" = 405 ]
}

@test "malformed requests: 400; HTTP/2 and later: 505; the connection closes" {
	[ "$(raw_status 'GET\r\n\r\n')" = 400 ]
	[ "$(raw_status 'GET /\r\n\r\n')" = 400 ]
	[ "$(raw_status 'GET / HTTP/1.1\r\n\r\n')" = 400 ]
	[ "$(raw_status 'GET / HTTP/1.1\r\nHost: x\r\n folded\r\n\r\n')" = 400 ]
	[ "$(raw_status 'GET / HTTP/1.1\r\nHost : x\r\n\r\n')" = 400 ]
	[ "$(raw_status 'GET nope HTTP/1.1\r\nHost: x\r\n\r\n')" = 400 ]
	[ "$(raw_status 'PING\r\n\r\n')" = 400 ]
	[ "$(raw_status 'GET / HTTP/2.0\r\nHost: x\r\n\r\n')" = 505 ]
	# After a 400 nothing more is answered on that connection.
	run raw 'GET / HTTP/1.1\r\n\r\nGET /healthz HTTP/1.1\r\nHost: x\r\n\r\n'
	[ "$(grep -c '^HTTP/1.1' <<<"$output")" -eq 1 ]
	[[ "$output" == *$'\r\nConnection: close\r\n'* ]]
}

@test "request line: 8192 bytes are served, 8193 are 414" {
	# "GET /v1/stations?x=" + pad + " HTTP/1.1" is 28 bytes plus the pad.
	[ "$(raw_status "GET /v1/stations?x=$(pad 8164) HTTP/1.1\r\nHost: x\r\n\r\n")" = 200 ]
	[ "$(raw_status "GET /v1/stations?x=$(pad 8165) HTTP/1.1\r\nHost: x\r\n\r\n")" = 414 ]
	# The same with bare LF line ends.
	[ "$(raw_status "GET /v1/stations?x=$(pad 8164) HTTP/1.1\nHost: x\n\n")" = 200 ]
	[ "$(raw_status "GET /v1/stations?x=$(pad 8165) HTTP/1.1\nHost: x\n\n")" = 414 ]
	# Too long is said as soon as it is certain, without waiting for the LF.
	run raw "GET /v1/stations?x=$(pad 9000)"
	[[ "$output" == "HTTP/1.1 414 URI Too Long"* ]]
}

@test "header lines: 16384 bytes are served, 16385 are 431" {
	# "Host: x\r\n" (9) + "X-Pad: " + pad + "\r\n" (9 + pad) + "\r\n" (2).
	[ "$(raw_status "GET /healthz HTTP/1.1\r\nHost: x\r\nX-Pad: $(pad 16364)\r\n\r\n")" = 200 ]
	[ "$(raw_status "GET /healthz HTTP/1.1\r\nHost: x\r\nX-Pad: $(pad 16365)\r\n\r\n")" = 431 ]
	run raw "GET /healthz HTTP/1.1\r\nHost: x\r\nX-Pad: $(pad 20000)"
	[[ "$output" == "HTTP/1.1 431 Request Header Fields Too Large"* ]]
}

@test "keep-alive: HTTP/1.1 by default, HTTP/1.0 only when asked; Connection: close honoured" {
	# curl reuses one connection for both URLs.
	run curl -s -o /dev/null -o /dev/null -w '%{num_connects} ' --max-time 10 "$URL/healthz" "$URL/v1/info"
	[ "$output" = "1 0 " ]
	run raw 'GET /healthz HTTP/1.0\r\n\r\nGET /healthz HTTP/1.0\r\n\r\n'
	[ "$(grep -c '^HTTP/1.1 200' <<<"$output")" -eq 1 ]
	[[ "$output" != *keep-alive* ]]
	run raw 'GET /healthz HTTP/1.0\r\nConnection: keep-alive\r\n\r\nGET /healthz HTTP/1.0\r\n\r\n'
	[ "$(grep -c '^HTTP/1.1 200' <<<"$output")" -eq 2 ]
	[[ "$output" == *$'\r\nConnection: keep-alive\r\n'* ]]
	run raw 'GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\nGET /healthz HTTP/1.1\r\nHost: x\r\n\r\n'
	[ "$(grep -c '^HTTP/1.1 200' <<<"$output")" -eq 1 ]
}

@test "pipelining: 100 requests in one write, 100 answers in order; bare LF accepted" {
	local req= i p
	for i in $(seq 1 99); do
		p=val
		if [ $((i % 2)) -eq 1 ]; then p=xyz; fi
		req+="GET /v1/stations?prefix=$p HTTP/1.1\r\nHost: x\r\n\r\n"
	done
	req+='GET /v1/stations?prefix=mont HTTP/1.1\nHost: x\nConnection: close\n\n'
	run raw "$req"
	[ "$(grep -c '^HTTP/1.1 200 OK' <<<"$output")" -eq 100 ]
	[ "$(grep -c '"stations":\[\]' <<<"$output")" -eq 50 ]
	[[ "$output" == *'{"stations":["Montelimar"]}' ]]
}

@test "/metrics: the trainsrv-stat -P series plus build_info, and promtool accepts it" {
	get '/v1/next?from=Valence&to=Grenoble' >/dev/null
	run get /metrics
	[ "$status" -eq 0 ]
	[[ "$output" == *'trainsrv_build_info{version="'*'"} 1'* ]]
	grep -q '^trainsrv_requests_total{command="NEXT"} 1$' <<<"$output"
	get /metrics | promtool check metrics
	# The same series names as trainsrv-stat -P.
	diff <("$BIN/trainsrv-stat" -p "$PORT" -P | sed -n 's/^# TYPE \([a-z_]*\) .*/\1/p') \
	    <(get /metrics | sed -n 's/^# TYPE \([a-z_]*\) .*/\1/p' | grep -v '^trainsrv_build_info$')
	run curl -s -D - -o /dev/null "$URL/metrics"
	[[ "$output" == *$'Content-Type: text/plain; version=0.0.4; charset=utf-8\r'* ]]
}

@test "the page: HTML, CSS and JS from the binary under CSP default-src 'self', nothing inline" {
	run curl -s -D "$BATS_TEST_TMPDIR/h" "$URL/"
	grep -q "^Content-Security-Policy: default-src 'self'" "$BATS_TEST_TMPDIR/h"
	grep -q '^Content-Type: text/html; charset=utf-8' "$BATS_TEST_TMPDIR/h"
	[[ "$output" == *'<script src="/app.js"'* ]]
	[[ "$output" != *'<script>'* ]]
	[[ "$output" != *'style="'* ]]
	[[ "$output" != *'http://'* && "$output" != *'https://'* ]]
	[ "$(status /app.js)" = 200 ]
	[ "$(status /app.css)" = 200 ]
	run get /app.js
	[[ "$output" != *'http://'* && "$output" != *'https://'* ]]
}

@test "/healthz: 200 ok while serving, 503 draining with Connection: close once the worker retires" {
	[ "$(get /healthz)" = ok ]
	# A kept connection: learn which worker holds it.
	exec 8<>"/dev/tcp/127.0.0.1/$HPORT"
	printf 'GET /v1/info HTTP/1.1\r\nHost: x\r\n\r\n' >&8
	local line len=0 body mine other
	while IFS= read -r -t 5 line <&8; do
		line=${line%$'\r'}
		[ -z "$line" ] && break
		[[ "$line" == Content-Length:* ]] && len=${line#Content-Length: }
	done
	read -r -t 5 -N "$len" body <&8
	mine=$(jq .worker <<<"$body")
	other=$("$BIN/trainsrv-stat" -p "$PORT" -j | jq --argjson m "$mine" \
	    '[.workers[] | select(.pid != $m and (.state == "idle" or .state == "busy")) | .pid][0]')
	[ -n "$other" ] && [ "$other" != null ]
	# The other worker cannot acknowledge its retirement while stopped, so
	# ours stays retiring (not accepting, still serving) during the reload.
	kill -STOP "$other"
	kill -HUP "$SERVER_PID"
	wait_until 10 bash -c "\"$BIN/trainsrv-stat\" -p $PORT -j | jq -e '.workers[] | select(.pid == $mine and .state == \"exiting\")' >/dev/null" ||
	    { kill -CONT "$other"; false; }
	# Two requests in one write: both answered, only the last closes.
	# (env printf: the external one writes its output in one write(2).)
	env printf 'GET /v1/stations?prefix=val HTTP/1.1\r\nHost: x\r\n\r\nGET /healthz HTTP/1.1\r\nHost: x\r\n\r\n' >&8
	local head= first=
	while IFS= read -r -t 5 line <&8; do
		line=${line%$'\r'}
		[ -z "$line" ] && break
		first+="$line"$'\n'
		[[ "$line" == Content-Length:* ]] && len=${line#Content-Length: }
	done
	read -r -t 5 -N "$len" body <&8 || true
	[ "$body" = '{"stations":["Valence"]}'$'\n' ]
	while IFS= read -r -t 5 line <&8; do
		line=${line%$'\r'}
		[ -z "$line" ] && break
		head+="$line"$'\n'
	done
	read -r -t 5 -N 9 body <&8 || true
	kill -CONT "$other"
	exec 8<&-
	[[ "$first" == "HTTP/1.1 200 OK"* ]] || { echo "$first"; false; }
	[[ "$first" != *"Connection: close"* ]]
	[[ "$head" == "HTTP/1.1 503 Service Unavailable"* ]] || { echo "$head"; false; }
	[[ "$head" == *"Connection: close"* ]]
	[ "$body" = $'draining\n' ]
	# The new workers serve: ok again.
	wait_until 10 bash -c "[ \"\$(curl -s --max-time 2 $URL/healthz)\" = ok ]"
}

@test "an idle HTTP connection times out like a line client (-i); a started request gets 408" {
	stop_server
	EXTRA_ARGS=(-i 1)
	setup
	exec 8<>"/dev/tcp/127.0.0.1/$HPORT"
	local t0 line
	t0=$(now_ms)
	# No request: the server closes it after about a second (EOF, no reply).
	if IFS= read -r -t $((5 * SCALE)) line <&8; then false; fi
	exec 8<&-
	[ $(( $(now_ms) - t0 )) -lt $((4000 * SCALE)) ]
	[ -z "$line" ]
	wait_until 5 bash -c "[ \"\$(\"$BIN/trainsrv-stat\" -p $PORT -j | jq .timeouts)\" -ge 1 ]"
	# A request begun and never finished: 408, then end-of-file.
	run bash -c "{ printf 'GET /healthz HTTP/1.1\r\nHost: x\r\n'; sleep $((3 * SCALE)); } |
	    timeout $((10 * SCALE)) socat -t $((5 * SCALE)) - TCP:127.0.0.1:$HPORT"
	[[ "$output" == "HTTP/1.1 408 Request Timeout"* ]] || { echo "$output"; false; }
	[[ "$output" == *$'\r\nConnection: close\r\n'* ]]
}

@test "-H refuses a bad address or port; without -H there is no HTTP port" {
	run "$BIN/trainsrv" -f "$DATA/sncf.txt" -p 0 -H 70000
	[ "$status" -ne 0 ]
	[[ "$output" == *"-H 70000"* ]]
	run "$BIN/trainsrv" -f "$DATA/sncf.txt" -p 0 -H 127.0.0.1:
	[ "$status" -ne 0 ]
	run "$BIN/trainsrv" -f "$DATA/sncf.txt" -b 127.0.0.1 -p 0 -H "127.0.0.1:$HPORT"
	[ "$status" -ne 0 ]
	[[ "$output" == *"cannot listen for HTTP"* ]]
	stop_server
	start_server -w 1
	run grep -c "HTTP on" "$SERVER_LOG"
	[ "$output" = 0 ]
}

# worker_pids — the serving workers' pids, sorted.
worker_pids() {
	"$BIN/trainsrv-stat" -p "$PORT" -j | jq -r '[.workers[] |
	    select(.state == "idle" or .state == "busy") | .pid] | sort | join(" ")'
}

@test "hostile clients on the HTTP port: slowloris, held, mute and garbage cost no other client" {
	wait_until 10 workers_ready 2
	local pids req= i t0 kind
	pids=$(worker_pids)
	# 100 slowloris and 100 silent connections held on the HTTP port.
	"$BIN/hostile" -p "$HPORT" -s 100 -c 100 -d $((30 * SCALE)) \
	    -r "$BATS_TEST_TMPDIR/ready" >"$BATS_TEST_TMPDIR/hostile.out" 2>&1 &
	HOSTILE_PID=$!
	# A mute client: pipelined requests as fast as it can, never reading.
	for i in $(seq 1 200); do
		req+="GET /v1/stations HTTP/1.1\r\nHost: x\r\n\r\n"
	done
	timeout $((10 * SCALE)) bash -c "exec 9<>/dev/tcp/127.0.0.1/$HPORT
	    while printf '$req' >&9; do :; done" 2>/dev/null &
	local mute=$!
	wait_until 20 bash -c "[ \"\$(\"$BIN/trainsrv-stat\" -p $PORT -j | jq .connections)\" -ge 200 ]"
	# Meanwhile a normal client is served at once, on both ports.
	for i in $(seq 1 20); do
		t0=$(now_ms)
		[ "$(get '/v1/next?from=Valence&to=Grenoble&time=06:00' | jq -r '.trains[0].number')" = 17564 ]
		# (A bound on a whole curl and jq, on a machine that may be
		# loaded: the point is that no request waits for the attack.)
		[ $(( $(now_ms) - t0 )) -lt $((2000 * SCALE)) ]
	done
	run ask PING
	[[ "$output" == *PONG* ]]
	# Garbage on the HTTP port: an error reply, then end-of-file (socat
	# ends before its timeout), never a hang.
	for i in 1 2 3; do
		run bash -c "head -c 65536 /dev/urandom | timeout $((10 * SCALE)) socat -t 5 - TCP:127.0.0.1:$HPORT"
		[ "$status" -eq 0 ]
		[[ "$output" == "HTTP/1.1 4"* ]]
		[ "$(get /healthz)" = ok ]
	done
	run bash -c "head -c 1048576 /dev/zero | tr '\\0' a | timeout $((10 * SCALE)) socat -t 5 - TCP:127.0.0.1:$HPORT"
	[ "$status" -eq 0 ]
	[[ "$output" == "HTTP/1.1 414 URI Too Long"* ]]
	kill -TERM "$HOSTILE_PID" "$mute" 2>/dev/null || true
	wait "$HOSTILE_PID" || true
	HOSTILE_PID=
	wait "$mute" || true
	# No worker died.
	[ "$(worker_pids)" = "$pids" ]
	[ "$("$BIN/trainsrv-stat" -p "$PORT" -j | jq .respawns)" -eq 0 ]
	[ "$(get /healthz)" = ok ]
}

@test "operator notices (wall, MSG @all) never enter an HTTP stream; a line client still gets them" {
	# A kept HTTP connection and a line session, both open.
	exec 8<>"/dev/tcp/127.0.0.1/$HPORT"
	printf 'GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n' >&8
	local line first
	IFS= read -r -t 5 first <&8
	[[ "$first" == "HTTP/1.1 200 OK"* ]]
	while IFS= read -r -t 5 line <&8; do [ "$line" = $'\r' ] && break; done
	read -r -t 5 -N 3 line <&8
	mkfifo "$BATS_TEST_TMPDIR/in"
	timeout $((20 * SCALE)) socat -t 10 - "TCP:127.0.0.1:$PORT" \
	    <"$BATS_TEST_TMPDIR/in" >"$BATS_TEST_TMPDIR/line.out" &
	local client=$!
	exec 7>"$BATS_TEST_TMPDIR/in"
	printf 'PING\n' >&7
	wait_until 5 grep -q PONG "$BATS_TEST_TMPDIR/line.out"
	"$BIN/trainsrv-ctl" -p "$PORT" wall "trains are late"
	printf 'MSG @all hello everyone\n' >&7
	wait_until 5 grep -q 'trains are late' "$BATS_TEST_TMPDIR/line.out"
	# The HTTP connection: the next reply is the first thing it reads.
	printf 'GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n' >&8
	IFS= read -r -t 5 first <&8
	exec 8<&- 7>&-
	wait "$client" || true
	[[ "$first" == "HTTP/1.1 200 OK"* ]] || { echo "read: $first"; false; }
}
