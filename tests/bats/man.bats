#!/usr/bin/env bats
# man.bats — the manual pages: every page in man/ is clean under
# `mandoc -T lint -W warning`, every trainsrv page they cross-reference
# exists, and the SYNOPSIS of trainsrv(8), trainsrv-stat(8) and trainsrv-ctl(8)
# says what the programs' usage lines say.
#
# Nothing here is skipped: without mandoc the tests fail and say how to
# install it.

load helpers

MAN=$ROOT/man

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
