#!/usr/bin/env bats
# http-browser.bats — the page at / in a real browser: Debian's chromium,
# headless, against a real server.  --dump-dom gives the page after its
# script ran (the JSON fetched and rendered); --screenshot keeps a picture
# at a desktop (1280 px) and a phone (390 px) width, as artifacts in
# build/screenshots/ (not committed: look at them after a run).

load helpers

setup() {
	command -v chromium >/dev/null || {
		echo "chromium is missing: sudo apt-get install -y chromium" >&2
		return 1
	}
	start_server -w 1 -H 127.0.0.1:0
	wait_until 10 log_has "HTTP on" || { cat "$SERVER_LOG" >&2; return 1; }
	HPORT=$(sed -n 's/.*HTTP on 127\.0\.0\.1:\([0-9][0-9]*\):.*/\1/p' "$SERVER_LOG" | head -n 1)
	URL=http://127.0.0.1:$HPORT
	SHOTS=$ROOT/build/screenshots
	mkdir -p "$SHOTS"
}

teardown() { teardown_server; }

# browse ARGS... URL — headless chromium with a profile of its own; the
# virtual time budget lets the page's fetches finish before the dump.
browse() {
	timeout $((60 * SCALE)) chromium --headless --no-sandbox --disable-gpu \
	    --hide-scrollbars --no-first-run --user-data-dir="$BATS_TEST_TMPDIR/profile" \
	    --virtual-time-budget=5000 "$@" 2>"$BATS_TEST_TMPDIR/chromium.log"
}

# dom PATH — the rendered page.
dom() { browse --dump-dom "$URL$1"; }

# shot NAME PATH — screenshots at 1280 and 390 px; each must be a real PNG.
shot() {
	local w h
	for w in 1280 390; do
		h=800
		if [ "$w" = 390 ]; then h=844; fi
		rm -f "$SHOTS/$1-$w.png"
		browse --window-size="$w,$h" --screenshot="$SHOTS/$1-$w.png" "$URL$2" >/dev/null
		[ "$(head -c 8 "$SHOTS/$1-$w.png" | od -An -tx1 | tr -d ' \n')" = 89504e470d0a1a0a ]
		[ "$(wc -c <"$SHOTS/$1-$w.png")" -gt 10000 ]
	done
}

@test "browser: the board for Valence lists the seed's trains in order, as DEPARTURES does" {
	run dom '/?station=Valence&time=00:00'
	[ "$status" -eq 0 ]
	[[ "$output" == *'<h2 id="board-title">Departures from Valence</h2>'* ]]
	got=$(grep -o 'Train [0-9]* · arrives' <<<"$output" | cut -d' ' -f2 | tr '\n' ' ')
	want=$(ask 'DEPARTURES Valence;00:00;12' | grep '^[0-9]' | cut -d';' -f1 | tr '\n' ' ')
	[ -n "$want" ]
	[ "$got" = "$want" ] || { echo "page: $got"; echo "protocol: $want"; false; }
	# Times in order, destinations and fares shown.
	times=$(grep -o '<span class="time">[0-9:]*' <<<"$output" | cut -d'>' -f2)
	[ "$times" = "$(sort <<<"$times")" ]
	[[ "$output" == *'<span class="dest">Grenoble</span>'* ]]
	[[ "$output" == *'<span class="fare">14.08</span>'* ]]
	shot board '/?station=Valence&time=00:00'
}

@test "browser: a journey Montelimar to Paris Gare de Lyon shows its change" {
	run dom '/?from=Montelimar&to=Paris+Gare+de+Lyon&time=06:00'
	[ "$status" -eq 0 ]
	[[ "$output" == *'1 change'* ]]
	[[ "$output" == *'Change at Valence: 6 h 20 min to wait'* ]]
	[[ "$output" == *'Train 86179 to Valence'* ]]
	[[ "$output" == *'Train 9862 to Paris Gare de Lyon'* ]]
	shot journey '/?from=Montelimar&to=Paris+Gare+de+Lyon&time=06:00'
	# Arrive by 19:00: the latest journey that is in Paris in time.
	run dom '/?from=Montelimar&to=Paris+Gare+de+Lyon&time=19:00&by=arrive'
	[[ "$output" == *'<option value="arrive" selected="">'* || "$output" == *'Change at Valence'* ]]
	[[ "$output" == *'Train 9862 to Paris Gare de Lyon'* ]]
	[[ "$output" != *'Train 6194'* ]]
}

@test "browser: an unknown station is a sentence with its suggestions as links" {
	run dom '/?station=Grenble'
	[ "$status" -eq 0 ]
	[[ "$output" == *"We don't know a station called “Grenble”."* ]]
	[[ "$output" == *'Did you mean <a href="/?station=Grenoble">Grenoble</a>?'* ]]
	run dom '/?from=Paris+Gare+de+Lyon&to=Montelimr&time=06:00'
	[[ "$output" == *'<a href="/?from=Paris+Gare+de+Lyon&amp;to=Montelimar&amp;time=06%3A00">Montelimar</a>'* ]]
	shot unknown '/?station=Grenble'
}

@test "browser: no train is said as a sentence; the page loads nothing from elsewhere" {
	run dom '/?station=Paris+Gare+de+Lyon&time=23:00'
	[[ "$output" == *'Train 6035'* ]]
	run dom '/?from=Valence&to=Valence&time=06:00'
	[[ "$output" == *'No journey found from Valence to Valence leaving after 06:00'* ]]
	# CSP violations would be reported on the console; there must be none.
	if grep -qi 'content security policy' "$BATS_TEST_TMPDIR/chromium.log"; then
		cat "$BATS_TEST_TMPDIR/chromium.log"; false
	fi
}

@test "browser: the board refreshes itself every 30 s (65 s of virtual time: three fetches)" {
	browse --virtual-time-budget=65000 --dump-dom "$URL/?station=Valence" >/dev/null
	[ "$("$BIN/trainsrv-stat" -p "$PORT" -j | jq .requests_by_command.DEPARTURES)" -eq 3 ]
}
