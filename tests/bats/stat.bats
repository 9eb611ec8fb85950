#!/usr/bin/env bats
# stat.bats — trainsrv-stat reads the shared-memory segment: every format,
# and the errors when there is nothing to read.

load helpers

teardown() { teardown_server; }

@test "summary: uptime, requests, connections, errors, latency and a worker table" {
	start_server -w 2
	wait_until 10 workers_ready 2
	ask PING "NEXT Valence;Grenoble;07:00" "NEXT Nowhere;Valence" >/dev/null
	run "$BIN/trainsrv-stat" -p "$PORT"
	[ "$status" -eq 0 ]
	[[ "${lines[0]}" == "trainsrv on 127.0.0.1:$PORT, master pid $SERVER_PID, up "* ]]
	[[ "$output" == *"21 trains, 21 legs, 4 stations"* ]]
	[[ "$output" == *"requests 4 "* ]]
	[[ "$output" == *"errors 1"* ]]
	[[ "$output" == *"latency p50 <= "* ]]
	[[ "$output" == *"NEXT=2"* ]]
	[[ "$output" == *"404=1"* ]]
	[ "$(echo "$output" | grep -cE '^[0-9]+ +[0-9]+ +(idle|busy) ')" -eq 2 ]
}

@test "-j is JSON a real parser reads, with the documented keys" {
	start_server -w 2
	wait_until 10 workers_ready 2
	ask "ECHO a" "ECHO b" "BEST Valence;Grenoble;price" >/dev/null
	run "$BIN/trainsrv-stat" -p "$PORT" -j
	[ "$status" -eq 0 ]
	echo "$output" | jq -e . >/dev/null
	[ "$(echo "$output" | jq .port)" -eq "$PORT" ]
	[ "$(echo "$output" | jq .master_pid)" -eq "$SERVER_PID" ]
	[ "$(echo "$output" | jq .requests)" -eq 4 ]
	[ "$(echo "$output" | jq .requests_by_command.ECHO)" -eq 2 ]
	[ "$(echo "$output" | jq .requests_by_command.QUIT)" -eq 1 ]
	[ "$(echo "$output" | jq .accepted)" -eq 1 ]
	[ "$(echo "$output" | jq '.workers | length')" -eq 2 ]
	[ "$(echo "$output" | jq '[.workers[].requests] | add')" -eq 4 ]
	[ "$(echo "$output" | jq .legs)" -eq 21 ]
	[ "$(echo "$output" | jq '.bytes_in > 0 and .bytes_out > 0')" = true ]
}

@test "-P is Prometheus text: HELP and TYPE before samples, counters end in _total" {
	start_server -w 1
	ask PING >/dev/null
	run "$BIN/trainsrv-stat" -p "$PORT" -P
	[ "$status" -eq 0 ]
	declare -A typed
	for line in "${lines[@]}"; do
		if [[ "$line" =~ ^#\ HELP\ (trainsrv_[a-z_]+)\ .+$ ]]; then
			continue
		elif [[ "$line" =~ ^#\ TYPE\ (trainsrv_[a-z_]+)\ (counter|gauge|histogram)$ ]]; then
			name=${BASH_REMATCH[1]}; type=${BASH_REMATCH[2]}
			typed[$name]=$type
			if [ "$type" = counter ]; then [[ "$name" == *_total ]]; fi
		elif [[ "$line" =~ ^(trainsrv_[a-z_]+)(\{[a-z_]+=\"[^\"]*\"\})?\ [0-9]+$ ]]; then
			name=${BASH_REMATCH[1]}
			base=${name%_bucket}; base=${base%_sum}; base=${base%_count}
			[ -n "${typed[$name]:-}" ] || [ "${typed[$base]:-}" = histogram ] ||
			    { echo "sample before its TYPE: $line"; false; }
		else
			echo "not Prometheus text: $line"; false
		fi
	done
	[[ "$output" == *'trainsrv_requests_total{command="PING"} 1'* ]]
	[[ "$output" == *'trainsrv_requests_total{command="QUIT"} 1'* ]]
	[[ "$output" == *'trainsrv_request_duration_microseconds_count 2'* ]]
}

@test "-w 1 -1 prints per-second rates over one interval and exits" {
	start_server -w 1
	run timeout $((10 * SCALE)) "$BIN/trainsrv-stat" -p "$PORT" -w 1 -1
	[ "$status" -eq 0 ]
	[[ "$output" == *"/s now)"* ]]
}

@test "no server on the port: one clear line, exit 1" {
	start_server -w 1
	port=$PORT
	stop_server
	run "$BIN/trainsrv-stat" -p "$port"
	[ "$status" -eq 1 ]
	[ "${#lines[@]}" -eq 1 ]
	[[ "$output" == "trainsrv-stat: no trainsrv on port $port"* ]]
}

@test "bad options print the usage and exit 1" {
	run "$BIN/trainsrv-stat" -p nope
	[ "$status" -eq 1 ]
	[[ "$output" == "usage: trainsrv-stat "* ]]
	run "$BIN/trainsrv-stat" -x
	[ "$status" -eq 1 ]
}

@test "the segment is mode 0640: never world-readable or writable" {
	start_server -w 1
	[ "$(stat -c %a "/dev/shm/trainsrv.$PORT")" = 640 ]
}

@test "totals never go backward while workers are killed" {
	start_server -w 2
	wait_until 10 workers_ready 2
	"$BIN/trainsrv-bench" -p "$PORT" -c 4 -d 3 >/dev/null 2>&1 &
	bench=$!
	prev=0
	for i in $(seq 1 60); do
		if [ $((i % 15)) -eq 0 ]; then
			pid=$("$BIN/trainsrv-stat" -p "$PORT" -j | jq '[.workers[] | select(.state == "busy" or .state == "idle") | .pid][0]')
			kill -KILL "$pid" 2>/dev/null || true
		fi
		n=$("$BIN/trainsrv-stat" -p "$PORT" -j | jq .requests)
		[ "$n" -ge "$prev" ] || { echo "went back: $prev -> $n"; false; }
		prev=$n
	done
	wait "$bench" || true
	[ "$prev" -gt 0 ]
}
