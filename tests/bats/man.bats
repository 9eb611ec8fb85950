#!/usr/bin/env bats
# man.bats — the manual pages: every page in man/ is clean under
# `mandoc -T lint -W warning`, every trainsrv page they cross-reference
# exists, and the SYNOPSIS of trainsrv(8), trainsrv-stat(8) and trainsrv-ctl(8)
# says what the programs' usage lines say.  The pages' examples are compared
# with what the programs print on the sample timetable, so they cannot drift:
# the HELP reply and the empty fields of trainsrv-protocol(7), the errors and
# the address format of trainsrv-ctl(8), the summary lines and the -P series
# of trainsrv-stat(8), the .zip advice of trainsrv-import(1).  The menu of
# trainsrv-client(1) is compared in client-travel.bats.  tests/lint-man
# checks the rendered pages, and the README names only files in the tree.
#
# Nothing here is skipped: without mandoc the tests fail and say how to
# install it.

load helpers

bats_require_minimum_version 1.5.0

MAN=$ROOT/man

teardown() {
	if [ -n "${HOLDER:-}" ]; then kill $HOLDER 2>/dev/null || true; fi
	teardown_server
}

# need_mandoc — fail, saying how to get it, when mandoc is missing.
need_mandoc() {
	if ! command -v mandoc >/dev/null 2>&1; then
		echo "mandoc is missing: install it to check the manual pages" >&2
		echo "  (Debian/Ubuntu: sudo apt-get install -y mandoc)" >&2
		return 1
	fi
}

# lint PAGE... — each page exists and mandoc -T lint -W warning says nothing.
lint() {
	local page out st bad=0

	need_mandoc || return 1
	for page in "$@"; do
		if [ ! -f "$page" ]; then
			echo "$page is missing" >&2
			bad=1
			continue
		fi
		st=0
		out=$(mandoc -T lint -W warning "$page" 2>&1) || st=$?
		if [ $st -ne 0 ] || [ -n "$out" ]; then
			echo "mandoc -T lint -W warning $page: status $st" >&2
			echo "$out" >&2
			bad=1
		fi
	done
	return $bad
}

# synopsis PAGE — the page's SYNOPSIS as mandoc renders it, on one line.
synopsis() {
	mandoc -T ascii -O width=1000 "$1" | sed 's/.\x08//g' |
	    awk '/^SYNOPSIS/ { on = 1; next } on && /^[A-Z]/ { exit } on' |
	    tr -s ' \t\n' ' ' | sed 's/^ //; s/ $//'
}

# usage PROGRAM — the usage line `PROGRAM -h` prints (its first line and the
# indented lines continuing it, not what follows, such as trainsrv-ctl's list
# of commands), without "usage: ", on one line.
usage() {
	local out

	out=$("$1" -h) || { echo "$1 -h failed" >&2; return 1; }
	printf '%s\n' "$out" |
	    awk 'NR == 1 || /^[ \t]/ { print; next } { exit }' |
	    tr -s ' \t\n' ' ' | sed 's/^usage: //; s/ $//'
}

# letters TEXT — the option letters of a usage text, sorted: "[-htv] [-b x]"
# gives "bhtv".
letters() {
	printf '%s\n' "$1" | grep -o '\[-[^] ]*' | sed 's/^\[-//' | fold -w1 |
	    LC_ALL=C sort | tr -d '\n'
}

# rendered PAGE — the page as a reader sees it (mandoc -T utf8), without the
# overstrike of bold and underline.
rendered() {
	mandoc -T utf8 "$1" | sed 's/.\x08//g'
}

# prose PAGE — the rendered page on one line, blanks squeezed: for sentences
# that a line break may cut.
prose() {
	rendered "$1" | tr -s ' \n' '  '
}

# display PAGE FIRST — the literal display of PAGE whose first line is FIRST,
# as rendered, without its indentation: up to a blank line or a line
# indented less.  Fails when there is none.
display() {
	rendered "$1" | awk -v first="$2" '
	    !on { t = $0; sub(/^ +/, "", t)
		  if (t == first) { on = 1; ind = length($0) - length(t) } }
	    on { t = $0; sub(/^ +/, "", t)
		 if (t == "" || length($0) - length(t) < ind) exit
		 print substr($0, ind + 1) }
	    END { exit !on }'
}

# same_synopsis PAGE PROGRAM — the page's SYNOPSIS and the program's usage
# line have the same option letters, and are the same text.
same_synopsis() {
	local page=$1 prog=$2 syn use

	need_mandoc || return 1
	if [ ! -x "$prog" ]; then
		echo "$prog is missing: build it first (make)" >&2
		return 1
	fi
	syn=$(synopsis "$page")
	use=$(usage "$prog") || return 1
	if [ -z "$syn" ]; then
		echo "$page: no SYNOPSIS found" >&2
		return 1
	fi
	if [ "$(letters "$syn")" != "$(letters "$use")" ]; then
		echo "option letters differ:" >&2
		echo "  $page SYNOPSIS: $(letters "$syn")  ($syn)" >&2
		echo "  $prog -h:       $(letters "$use")  ($use)" >&2
		return 1
	fi
	if [ "$syn" != "$use" ]; then
		echo "SYNOPSIS and usage differ:" >&2
		echo "  $page: $syn" >&2
		echo "  $prog -h: $use" >&2
		return 1
	fi
}

@test "man: trainsrv.8 is clean under mandoc -T lint -W warning" {
	lint "$MAN/trainsrv.8"
}

@test "man: trainsrv-stat.8 is clean under mandoc -T lint -W warning" {
	lint "$MAN/trainsrv-stat.8"
}

@test "man: trainsrv-protocol.7 is clean under mandoc -T lint -W warning" {
	lint "$MAN/trainsrv-protocol.7"
}

@test "man: trainsrv-client.1 is clean under mandoc -T lint -W warning" {
	lint "$MAN/trainsrv-client.1"
}

@test "man: trainsrv-timetable.5 is clean under mandoc -T lint -W warning" {
	lint "$MAN/trainsrv-timetable.5"
}

@test "man: trainsrv-ctl.8 is clean under mandoc -T lint -W warning" {
	lint "$MAN/trainsrv-ctl.8"
}

# Pages added later are covered here even before they get a test above.
@test "man: every page in man/ is clean under mandoc -T lint -W warning" {
	local pages=()

	shopt -s nullglob
	pages=("$MAN"/*.[1-9])
	if [ ${#pages[@]} -eq 0 ]; then
		echo "no manual pages in $MAN" >&2
		return 1
	fi
	lint "${pages[@]}"
}

@test "man: every trainsrv page named with .Xr exists in man/" {
	local page ref name sect bad=0

	shopt -s nullglob
	for page in "$MAN"/*.[1-9]; do
		while read -r ref; do
			name=${ref%% *}
			sect=${ref##* }
			if [ ! -f "$MAN/$name.$sect" ]; then
				echo "${page##*/}: .Xr $name $sect: no $MAN/$name.$sect" >&2
				bad=1
			fi
		done < <(sed -n 's/^\.Xr \(trainsrv[A-Za-z0-9-]*\) \([1-9]\).*/\1 \2/p' "$page" | sort -u)
	done
	return $bad
}

@test "man: trainsrv.8 SYNOPSIS matches trainsrv -h" {
	same_synopsis "$MAN/trainsrv.8" "$BIN/trainsrv"
}

@test "man: trainsrv-stat.8 SYNOPSIS matches trainsrv-stat -h" {
	same_synopsis "$MAN/trainsrv-stat.8" "$BIN/trainsrv-stat"
}

@test "man: trainsrv-ctl.8 SYNOPSIS matches trainsrv-ctl -h" {
	same_synopsis "$MAN/trainsrv-ctl.8" "$BIN/trainsrv-ctl"
}

@test "man: trainsrv-protocol(7)'s HELP example is the server's HELP reply, every command and its OK n" {
	local page real

	need_mandoc
	page=$(display "$MAN/trainsrv-protocol.7" HELP) || { echo "no HELP example" >&2; return 1; }
	page=$(printf '%s\n' "$page" | sed 1d)
	start_server
	real=$(ask HELP | sed '1d; $d')
	[ -n "$real" ]
	if [ "$page" != "$real" ]; then
		diff <(printf '%s\n' "$page") <(printf '%s\n' "$real") >&2 || true
		return 1
	fi
}

@test "man: an empty field takes its default exactly where trainsrv-protocol(7) says, and is refused elsewhere" {
	local text want

	need_mandoc
	text=$(prose "$MAN/trainsrv-protocol.7")
	start_server
	# The defaults the page names: the same reply as the value written out.
	[[ "$text" == *"NEXT and DEPARTURES take now for an empty time, ALL 0 for an empty offset, DEPARTURES 10 for an empty count and JOURNEY 4 for an empty max_changes."* ]]
	[ "$(ask 'ALL ;3')" = "$(ask 'ALL 0;3')" ]
	[ "$(ask 'DEPARTURES Valence;12:00;')" = "$(ask 'DEPARTURES Valence;12:00;10')" ]
	[ "$(ask 'JOURNEY Valence;Grenoble;07:00;')" = "$(ask 'JOURNEY Valence;Grenoble;07:00;4')" ]
	# The page's own example: the next ten from now.
	[[ "$text" == *"‘DEPARTURES Valence;;’ is the next ten from now"* ]]
	run ask 'DEPARTURES Valence;;' 'NEXT Valence;Grenoble;'
	[ "$status" -eq 0 ]
	[[ "${lines[1]}" == "OK "* ]]
	[ "$(printf '%s\n' "$output" | grep -c '^OK 1$')" -ge 1 ]
	refute grep -q '^ERR' <<<"$output"
	# The other side: the errors the page quotes are the server's.
	[[ "$text" == *"ALL's limit: ‘ALL 5;’ is an error."* ]]
	run ask 'ALL 5;'
	[[ "${lines[1]}" == "ERR 400 "* ]]
	want=$(printf '%s\n' "$text" | sed -n 's/.*‘JOURNEY Valence;Grenoble;’ is ‘\([^’]*\)’.*/\1/p')
	[ -n "$want" ]
	run ask 'JOURNEY Valence;Grenoble;'
	echo "page: $want; server: ${lines[1]}"
	[ "${lines[1]}" = "$want" ]
	# The other fields without a default: refused when empty.
	[[ "$text" == *"A field without a default may not be empty either: a station, the times of WINDOW, the criterion of BEST and the time of JOURNEY"* ]]
	run ask 'NEXT ;Valence;07:00' 'WINDOW Valence;Grenoble;;08:00' 'BEST Valence;Grenoble;'
	[ "${lines[1]}" = 'ERR 404 unknown station ""' ]
	[ "${lines[2]}" = 'ERR 400 bad time "" (want HH:MM, 00:00 to 23:59)' ]
	[ "${lines[3]}" = 'ERR 400 bad criterion "" (want price or duration)' ]
}

@test "man: trainsrv-ctl(8)'s error examples are what trainsrv-ctl prints" {
	local block line args want got n=0

	need_mandoc
	block=$(display "$MAN/trainsrv-ctl.8" '$ trainsrv-ctl frob') ||
	    { echo "no error examples in trainsrv-ctl.8" >&2; return 1; }
	start_server
	# Each "$ trainsrv-ctl ARGS" line, run, and the lines under it.
	while IFS= read -r line; do
		args=${line#\$ trainsrv-ctl }
		want=$(printf '%s\n' "$block" | awk -v l="$line" '
		    $0 == l { on = 1; next } on && /^\$ / { exit } on')
		eval "set -- $args"
		run --separate-stderr "$BIN/trainsrv-ctl" -p "$PORT" "$@"
		got="$output$stderr"
		echo "trainsrv-ctl $args: page \"$want\", program \"$got\" (status $status)"
		[ "$status" -eq 1 ]
		[ "$got" = "$want" ]
		n=$((n + 1))
	done < <(printf '%s\n' "$block" | grep '^\$ trainsrv-ctl ')
	[ "$n" -ge 6 ]
}

# listed [PATTERN] — trainsrv-ctl list shows a session (whose line has
# PATTERN, an extended regular expression).
listed() { "$BIN/trainsrv-ctl" -p "$PORT" list 2>/dev/null | grep -qE -- "${1:-.}"; }

@test "man: a client of the dual-stack socket is listed as plain IPv4, as in trainsrv-ctl(8)" {
	local addr

	need_mandoc
	if [ ! -e /proc/net/if_inet6 ]; then
		skip "no IPv6 on this machine: the dual-stack socket cannot be bound"
	fi
	# The page's list example and its words on the format.
	rendered "$MAN/trainsrv-ctl.8" | grep -qE '^ +1000;bob;127\.0\.0\.1:[0-9]+;0;'
	[[ "$(prose "$MAN/trainsrv-ctl.8")" == *"not as ‘[::ffff:127.0.0.1]:58140’"* ]]
	start_server -b ::
	log_has 'listening on \[::\]:'
	mkfifo "$BATS_TEST_TMPDIR/in"
	timeout $((20 * SCALE)) socat -u - "TCP:127.0.0.1:$PORT" \
	    <"$BATS_TEST_TMPDIR/in" >/dev/null 3>&- &
	HOLDER=$!
	exec 5>"$BATS_TEST_TMPDIR/in"
	wait_until 10 listed
	run "$BIN/trainsrv-ctl" -p "$PORT" list
	exec 5>&-
	echo "$output"
	[ "$status" -eq 0 ]
	addr=$(printf '%s\n' "$output" | head -n 1 | cut -d';' -f3)
	[[ "$addr" =~ ^127\.0\.0\.1:[0-9]+$ ]]
	# IPv6 itself keeps its brackets (when the loopback has ::1).
	if [ -n "$(ip -6 addr show lo 2>/dev/null)" ]; then
		timeout $((20 * SCALE)) socat -u - "TCP:[::1]:$PORT" \
		    <"$BATS_TEST_TMPDIR/in" >/dev/null 3>&- &
		HOLDER="$HOLDER $!"
		exec 5>"$BATS_TEST_TMPDIR/in"
		wait_until 10 listed ';\[::1\]:[0-9]+;'
		exec 5>&-
	fi
}

# shape — read summary lines; write them with the numbers, the address and
# the path made N, ADDR and PATH, and the lists after "by command:" and "by
# error:" left out: what every run of trainsrv-stat shares.
shape() {
	sed -E 's/^(by [a-z]+:).*/\1/; s|^timetable [^:]*:|timetable PATH:|;
	    s/^trainsrv on [^ ]*,/trainsrv on ADDR,/; s/[0-9]+(\.[0-9]+)?/N/g'
}

@test "man: trainsrv-stat(8)'s summary has the lines trainsrv-stat prints, in order" {
	local page real

	need_mandoc
	page=$(display "$MAN/trainsrv-stat.8" '$ trainsrv-stat') ||
	    { echo "no summary example" >&2; return 1; }
	page=$(printf '%s\n' "$page" | sed 1d | shape)
	start_server
	real=$("$BIN/trainsrv-stat" -p "$PORT" | awk '/^$/ { exit } 1' | shape)
	if [ "$page" != "$real" ]; then
		diff <(printf '%s\n' "$page") <(printf '%s\n' "$real") >&2 || true
		return 1
	fi
	# The Summary section shows the same lines as EXAMPLES.
	[ "$(display "$MAN/trainsrv-stat.8" 'trainsrv on [::]:8080, master pid 8992, up 9 s' | shape)" = "$real" ]
}

@test "man: trainsrv-stat(8) names every -P series trainsrv-stat prints, and no other" {
	local page real

	need_mandoc
	page=$(rendered "$MAN/trainsrv-stat.8" | grep -oE 'trainsrv_[a-z_]+[a-z]' | LC_ALL=C sort -u)
	start_server
	real=$("$BIN/trainsrv-stat" -p "$PORT" -P | sed -n 's/^# TYPE \([^ ]*\) .*/\1/p' | LC_ALL=C sort -u)
	[ "$(printf '%s\n' "$real" | wc -l)" -ge 20 ]
	if [ "$page" != "$real" ]; then
		diff <(printf '%s\n' "$page") <(printf '%s\n' "$real") >&2 || true
		return 1
	fi
}

@test "man: trainsrv-import(1)'s advice for a .zip feed is what trainsrv-import prints" {
	local want

	need_mandoc
	want=$(display "$MAN/trainsrv-import.1" 'trainsrv-import: feed.zip: unzip it first: trainsrv-import reads a' |
	    tr '\n' ' ' | sed 's/ $//')
	[ -n "$want" ]
	cd "$BATS_TEST_TMPDIR"
	printf 'PK\003\004' >feed.zip
	run --separate-stderr "$BIN/trainsrv-import" -d 2026-10-05 -o out.txt feed.zip
	echo "page: $want"
	echo "program: $stderr"
	[ "$status" -eq 1 ]
	[ "$stderr" = "$want" ]
	[ ! -e out.txt ]
	# Any other file that is not a directory: said so, not "Not a directory".
	run --separate-stderr "$BIN/trainsrv-import" -o out.txt out-of-place.txt
	[ "$status" -eq 1 ]
	echo x >notes.txt
	run --separate-stderr "$BIN/trainsrv-import" -o out.txt notes.txt
	[ "$status" -eq 1 ]
	[ "$stderr" = "trainsrv-import: notes.txt: not a directory: trainsrv-import reads a directory of GTFS .txt files" ]
	# The other side: a directory is read as before.
	run --separate-stderr "$BIN/trainsrv-import" -d 2026-10-05 -o out.txt "$ROOT/tests/gtfs/every"
	[ "$status" -eq 0 ]
}

# page NAME BODY — write a small lint-clean page NAME.1 whose DESCRIPTION
# is BODY (mdoc lines), in the test's directory.
page() {
	printf '%s\n' '.Dd $Mdocdate$' ".Dt $1 1" '.Os' '.Sh NAME' ".Nm $1" \
	    '.Nd a page for the lint' '.Sh DESCRIPTION' "$2" >"$BATS_TEST_TMPDIR/$1.1"
}

@test "man: tests/lint-man passes man/ and catches nested quotes, raw macros and escapes, wide lines" {
	need_mandoc
	run "$ROOT/tests/lint-man"
	echo "$output"
	[ "$status" -eq 0 ]
	[ -z "$output" ]
	# One page with each fault, and a clean one: only the faults fail.
	page clean 'Prices such as
.Po
.Ql 17 ,
.Ql 17.6
.Pc .
.Bd -literal
a literal display may be as wide as what the programs print: 0123456789012345678901234567890123456789
.Ed'
	page nested 'Prices such as
.Pq Ql 17 , Ql 17.6 ,
never negative.'
	page dquote 'Say
.Dq a , Dq b ,
twice.'
	page rawmacro 'Text.
.Pp
\&.Xr trainsrv 8
is not a reference.'
	page rawescape 'A font \e(dq left raw.'
	page wide 'A word too long to break:
.Ql 0123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123 .'
	run "$ROOT/tests/lint-man" "$BATS_TEST_TMPDIR/clean.1"
	echo "$output"
	[ "$status" -eq 0 ]
	run "$ROOT/tests/lint-man" "$BATS_TEST_TMPDIR/nested.1"
	echo "$output"
	[ "$status" -eq 1 ]
	[[ "$output" == *"nested.1:"*"‘ inside ‘…’"* ]]
	run "$ROOT/tests/lint-man" "$BATS_TEST_TMPDIR/dquote.1"
	[ "$status" -eq 1 ]
	[[ "$output" == *"dquote.1:"*"“ inside “…”"* ]]
	run "$ROOT/tests/lint-man" "$BATS_TEST_TMPDIR/rawmacro.1"
	echo "$output"
	[ "$status" -eq 1 ]
	[[ "$output" == *"rawmacro.1:"*".Xr trainsrv 8"*"left raw"* ]]
	run "$ROOT/tests/lint-man" "$BATS_TEST_TMPDIR/rawescape.1"
	[ "$status" -eq 1 ]
	[[ "$output" == *"rawescape.1:"*'\(dq'*"left raw"* ]]
	run "$ROOT/tests/lint-man" "$BATS_TEST_TMPDIR/wide.1"
	echo "$output"
	[ "$status" -eq 1 ]
	[[ "$output" == *"wide.1:"*"columns (over 80)"* ]]
	# make lint runs it.
	grep -A3 '^lint:' "$ROOT/Makefile" | grep -q 'tests/lint-man'
}

@test "README: names only files of the repository, and keeps the seed's menu and timetable" {
	local readme=$ROOT/README.md path bad=0

	# Nothing outside the clone (the seeds folder beside it is not in it).
	if grep -n '\.\./' "$readme"; then
		echo "README.md points outside the repository" >&2
		return 1
	fi
	# Every link, and every path under a directory of the tree, exists.
	while read -r path; do
		if [ ! -e "$ROOT/$path" ]; then
			echo "README.md names $path: not in the repository" >&2
			bad=1
		fi
	done < <({ grep -oE '\]\([^)#]+\)' "$readme" | sed 's/^](//; s/)$//'
		   grep -oE '(^|[ `(])(man|tests|data|doc|master|worker|ipc|client|import|\.ci)/[A-Za-z0-9._/-]*[A-Za-z0-9_]' "$readme" |
		   sed -E 's/^[ `(]//'; } | grep -v '^https\?:' | sort -u)
	[ $bad -eq 0 ]
	# The seed's essentials: its menu and the origin of data/sncf.txt.
	grep -q '^## Where it comes from' "$readme"
	grep -qE '^\| 0 \| all the trains of the day' "$readme"
	grep -qE '^\| 1 \| the next train' "$readme"
	grep -qE '^\| 2 \| the trains leaving between two times' "$readme"
	grep -qE '^\| 3 \| the best train between two stations, by price or by duration' "$readme"
	grep -qE '^\| q \| quit' "$readme"
	grep -q 'The sample timetable `data/sncf.txt` is the seed' "$readme"
	# Its first two commands are make targets.
	sed -n '/^```sh$/,/^```$/p' "$readme" | head -n 3 | grep -q '^make run '
	sed -n '/^```sh$/,/^```$/p' "$readme" | head -n 3 | grep -q '^make test '
	grep -q '^run:' "$ROOT/Makefile"
	grep -q '^test:' "$ROOT/Makefile"
}

# fakepath HIDE — a directory for PATH with every command of the machine but
# HIDE, and an `id` that says uid $FAKE_UID; apt-get is logged to
# $BATS_TEST_TMPDIR/apt.log, and its `install` puts HIDE back.
fakepath() {
	local d=$BATS_TEST_TMPDIR/path real

	real=$(command -v "$1")
	mkdir -p "$d"
	ln -s /usr/bin/* "$d"/ 2>/dev/null || true
	ln -s /usr/sbin/* /usr/local/bin/* "$d"/ 2>/dev/null || true
	rm -f "$d/$1" "$d/id" "$d/apt-get"
	printf '#!/bin/sh\n[ "$1" = -u ] && { echo %s; exit 0; }\nexec /usr/bin/id "$@"\n' \
	    "$FAKE_UID" >"$d/id"
	printf '#!/bin/sh\necho "$*" >>%s/apt.log\ncase "$1" in install) ln -s %s %s/%s ;; esac\n' \
	    "$BATS_TEST_TMPDIR" "$real" "$d" "$1" >"$d/apt-get"
	chmod +x "$d/id" "$d/apt-get"
	FAKEPATH=$d
}

@test "make test: a missing package stops a user at once with one sudo apt-get line from tests/packages; root installs it" {
	local lines_sudo

	# The one list: .ci/run and tests/run-tests both read tests/packages.
	grep -q 'tests/packages' "$ROOT/.ci/run"
	grep -q 'packages' "$ROOT/tests/run-tests"
	grep -qE '^jq jq$' "$ROOT/tests/packages"
	refute grep -q 'apt-get install[^"]*jq' "$ROOT/.ci/run"
	# A user without jq: one line to run, nothing else run.
	FAKE_UID=1000 fakepath jq
	run env PATH="$FAKEPATH" BIN="$BATS_TEST_TMPDIR/nobin" \
	    timeout $((20 * SCALE)) "$ROOT/tests/run-tests"
	echo "$output"
	[ "$status" -eq 1 ]
	lines_sudo=$(printf '%s\n' "$output" | grep -c 'sudo apt-get')
	[ "$lines_sudo" -eq 1 ]
	printf '%s\n' "$output" | grep -qx '  sudo apt-get install -y jq'
	refute grep -q '== ' <<<"$output"
	[ ! -e "$BATS_TEST_TMPDIR/apt.log" ]
	# Root: apt-get installs the missing package, and the run goes on.
	rm -rf "$FAKEPATH"
	FAKE_UID=0 fakepath jq
	mkdir -p "$BATS_TEST_TMPDIR/one"
	printf '@test "one" { true; }\n' >"$BATS_TEST_TMPDIR/one/one.bats"
	run env PATH="$FAKEPATH" BIN="$BATS_TEST_TMPDIR/nobin" \
	    BATS_FILES="$BATS_TEST_TMPDIR/one" \
	    timeout $((120 * SCALE)) "$ROOT/tests/run-tests" 3>&-
	echo "$output"
	cat "$BATS_TEST_TMPDIR/apt.log"
	grep -qx 'update -qq' "$BATS_TEST_TMPDIR/apt.log"
	grep -qx 'install -y -qq jq' "$BATS_TEST_TMPDIR/apt.log"
	[[ "$output" == *"run-tests: missing: jq; installing: jq"* ]]
	refute grep -q 'sudo apt-get' <<<"$output"
	[[ "$output" == *"== integration tests (bats)"* ]]
}

# examples PAGE — the literal displays of PAGE's Commands section, as
# rendered, each followed by a line "--".
examples() {
	rendered "$1" | awk '
	    /^   Commands$/ { on = 1; next }
	    /^   [A-Z]/ { on = 0 }
	    !on { next }
	    /^                   [^ ]/ || (inb && /^                   /) {
		print substr($0, 20); inb = 1; next }
	    inb { print "--"; inb = 0 }
	    END { if (inb) print "--" }'
}

@test "man: every example of trainsrv-protocol(7)'s commands is what the server answers" {
	local block=() line word req=() out=() want got n=0 bad=0

	need_mandoc
	start_server
	# A request is a line whose first word is a command; the session
	# commands (NAME, WHO, MSG, QUIT) depend on who else is connected and
	# are left out, as is HELP (compared above).
	while IFS= read -r line; do
		if [ "$line" != -- ]; then
			block+=("$line")
			continue
		fi
		req=() out=()
		for line in "${block[@]}"; do
			word=${line%% *}
			case ${word^^} in
			PING|ECHO|ALL|NEXT|WINDOW|BEST|DEPARTURES|STATIONS|JOURNEY)
				req+=("$line") ;;
			HELP|NAME|WHO|MSG|QUIT)
				req=(skip); break ;;
			*)	out+=("$line") ;;
			esac
		done
		block=()
		if [ ${#req[@]} -eq 0 ] || [ "${req[0]}" = skip ]; then
			continue
		fi
		got=$(ask "${req[@]}" | sed '1d; $d')
		want=$(printf '%s\n' "${out[@]}")
		if [ "$got" != "$want" ]; then
			echo "requests: ${req[*]}" >&2
			diff <(printf '%s\n' "$want") <(printf '%s\n' "$got") >&2 || true
			bad=1
		fi
		n=$((n + 1))
	done < <(examples "$MAN/trainsrv-protocol.7")
	echo "$n examples compared"
	[ "$n" -ge 9 ]
	[ $bad -eq 0 ]
}
