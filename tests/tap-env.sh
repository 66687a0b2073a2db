# SPDX-License-Identifier: GPL-2.0-or-later
# tap-env.sh - sourced by the TAP scripts of tests/: locale, source dir, the upsplan binary under test, TAP results and a scratch directory.
# Sets: srcdir (top of the source tree; env top_srcdir, else the directory
# above the sourcing script), upsplan (absolute; env UPSPLAN, else
# ./upsplan).  need_upsplan bails out when the binary is missing.
# ok NAME, not_ok NAME [LINE...] (the lines as TAP comments) and
# tap_skip WHY NAME... print numbered results (n); failed counts failures;
# tap_scratch and tap_done make and remove a scratch directory; run CMD...
# runs a command, its status in status, its output in out and err.
LC_ALL=C
NO_COLOR=1
export LC_ALL NO_COLOR

here=$(cd "$(dirname "$0")" && pwd)
srcdir=$(cd "${top_srcdir:-$here/..}" && pwd)
upsplan=${UPSPLAN:-./upsplan}
case $upsplan in
/*) ;;
*) upsplan=$(pwd)/$upsplan ;;
esac

need_upsplan() {
	if [ ! -x "$upsplan" ]; then
		echo "Bail out! $upsplan is not an executable (build it first, or set UPSPLAN)"
		exit 1
	fi
}

# run CMD...: CMD with its standard output in out and its standard error in
# err (in the current directory), its exit status in status (whether or not
# the script runs with set -e, which is kept as it was)
run() {
	case $- in
	*e*) _run_e=1 ;;
	*) _run_e=0 ;;
	esac
	set +e
	"$@" >out 2>err
	status=$?
	if [ "$_run_e" -eq 1 ]; then
		set -e
	fi
}

# same NAME HAVE WANT: one test that the sorted word list HAVE (a manual's)
# is the sorted list WANT (grammar/status.def's)
same() {
	missing=$(comm -13 "$2" "$3" | tr '\n' ' ')
	extra=$(comm -23 "$2" "$3" | tr '\n' ' ')
	if [ -z "$missing$extra" ] && [ -s "$2" ]; then
		ok "$1 lists the words of grammar/status.def"
	else
		not_ok "$1: missing [${missing% }], not in grammar/status.def [${extra% }]"
	fi
}

# tap_scratch NAME: tests/NAME.d in the current directory, emptied and
# entered
tap_scratch() {
	work=$(pwd)/tests/$1.d
	rm -rf "$work"
	mkdir -p "$work"
	cd "$work"
}

# ok NAME, not_ok NAME [LINE...]: a TAP result (LINEs as comments); n counts
# the results, failed the failures
n=0
failed=0
ok() {
	n=$((n + 1))
	echo "ok $n - $1"
}
not_ok() {
	n=$((n + 1))
	failed=$((failed + 1))
	echo "not ok $n - $1"
	shift
	for line in "$@"; do
		echo "# $line"
	done
}

# tap_skip WHY NAME...: each NAME an ok result skipped for WHY
tap_skip() {
	_tap_why=$1
	shift
	for _tap_t in "$@"; do
		n=$((n + 1))
		echo "ok $n - $_tap_t # SKIP $_tap_why"
	done
}

# tap_done: leave the scratch directory, removed when no test failed
tap_done() {
	cd ..
	[ "$failed" -ne 0 ] || rm -rf "$work"
}
