#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# roundtrip.sh - TAP: `upsplan check --print` of every shipped plan is a fixed point with the same diagnostics.
#
# For each examples/*.conf, stdlib-rules/*.conf and tests/plans/*.conf:
#   upsplan check --print F  > p1   (exit status S1, 0 or 1)
#   upsplan check --print p1 > p2   (exit status S2)
# and require S1 = S2, p1 = p2 byte for byte, and the same diagnostics
# (severity, message and code; file names, positions, source lines and
# notes ignored) for F and p1.  Both files are checked with mode 0600 and
# under the same name, so that W610 and file names cannot differ.
# Environment: UPSPLAN (default ./upsplan), top_srcdir (default: the
# directory above this script).  Scratch files: tests/roundtrip.d in the
# current directory (the build tree), kept when a test fails.
set -eu

# shellcheck source=tests/tap-env.sh
. "$(dirname "$0")/tap-env.sh"

files=
for pat in "$srcdir"/examples/*.conf "$srcdir"/stdlib-rules/*.conf "$srcdir"/tests/plans/*.conf; do
	[ -f "$pat" ] && files="$files $pat"
done
# shellcheck disable=SC2086 # file names in the tree have no white space
set -- $files
if [ $# -eq 0 ]; then
	echo "1..0 # SKIP no plan files found under $srcdir"
	exit 0
fi
need_upsplan

work=$(pwd)/tests/roundtrip.d
rm -rf "$work"
mkdir -p "$work"

# diags FILE.stderr: one line per diagnostic, "severity: message [CODE]",
# with the "file:line:col: " prefix removed; notes and source lines dropped.
diags() {
	sed -n -E 's/^[^ ]+:[0-9]+:[0-9]+: (error|warning|fatal error): /\1: /p; s/^upsplan: (error|warning): /\1: /p' "$1" |
		sort
}

echo "1..$#"
n=0
failed=0
for f in "$@"; do
	n=$((n + 1))
	rel=${f#"$srcdir"/}
	d=$work/$n
	mkdir -p "$d/a" "$d/b"
	# the same name in two directories: diagnostics cannot differ by file name
	cp "$f" "$d/a/plan.conf"
	chmod 600 "$d/a/plan.conf"
	s1=0
	(cd "$d/a" && "$upsplan" check --print plan.conf >../p1 2>../e1) || s1=$?
	cp "$d/p1" "$d/b/plan.conf"
	chmod 600 "$d/b/plan.conf"
	s2=0
	(cd "$d/b" && "$upsplan" check --print plan.conf >../p2 2>../e2) || s2=$?
	diags "$d/e1" >"$d/d1"
	diags "$d/e2" >"$d/d2"

	why=
	if [ "$s1" -ne 0 ] && [ "$s1" -ne 1 ]; then
		why="check of the original exited $s1"
	elif [ ! -s "$d/p1" ]; then
		why="--print wrote nothing (syntax errors?)"
	elif [ "$s1" -ne "$s2" ]; then
		why="exit status $s1 for the original, $s2 for the printed form"
	elif ! cmp -s "$d/p1" "$d/p2"; then
		why="printing the printed form changes it"
	elif ! cmp -s "$d/d1" "$d/d2"; then
		why="the diagnostics differ"
	fi
	if [ -z "$why" ]; then
		echo "ok $n - $rel (exit $s1, $(wc -l <"$d/d1" | tr -d ' ') diagnostics)"
		rm -rf "$d"
	else
		failed=$((failed + 1))
		echo "not ok $n - $rel: $why"
		echo "# files in $d"
		case $why in
		printing*) diff -u "$d/p1" "$d/p2" | head -n 40 | sed 's/^/# /' ;;
		"the diagnostics"*) diff -u "$d/d1" "$d/d2" | head -n 40 | sed 's/^/# /' ;;
		"exit status"*) sed 's/^/# stderr of the printed form: /' "$d/e2" | head -n 20 ;;
		esac
		sed 's/^/# stderr: /' "$d/e1" | head -n 20
	fi
done
[ "$failed" -eq 0 ] && rm -rf "$work"
exit 0
