#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# examples.sh - TAP: every examples/*.conf checks clean with -Werror; the mkUPSmonconf plans in tests/plans/mk-*.conf check without errors.
#
# Each file is copied (mode 0600, as an administrator would install a file
# holding passwords) and checked:
#   examples/*.conf       upsplan check -Werror  -> exit 0, nothing on stderr
#   tests/plans/mk-*.conf upsplan check          -> exit 0 (warnings allowed:
#                         the generator's quirks, e.g. W601 for «Msg-RB»)
# Then the examples are checked where they are, with whatever mode the
# checkout gave them (0644 in a git checkout), as the README says to:
#   upsplan check -Werror -Wno-file-mode examples/*.conf -> exit 0, silent
# Each check has -Wno-W611: the examples name the CERTFILEs of the hosts
# they are written for, which this machine need not have.
# Environment: UPSPLAN (default ./upsplan), top_srcdir (default: the
# directory above this script).  Scratch files: tests/examples.d in the
# current directory (the build tree), kept when a test fails.
set -eu

# shellcheck source=tests/tap-env.sh
. "$(dirname "$0")/tap-env.sh"

clean=
tree=
for f in "$srcdir"/examples/*.conf; do
	[ -f "$f" ] && clean="$clean $f" && tree="$tree examples/${f##*/}"
done
generated=
for f in "$srcdir"/tests/plans/mk-*.conf; do
	[ -f "$f" ] && generated="$generated $f"
done
# shellcheck disable=SC2086 # file names in the tree have no white space
set -- $clean $generated
if [ $# -eq 0 ]; then
	echo "1..0 # SKIP no plan files found under $srcdir"
	exit 0
fi
need_upsplan

work=$(pwd)/tests/examples.d
rm -rf "$work"
mkdir -p "$work"

echo "1..$(($# + 1))"
n=0
failed=0
for f in "$@"; do
	n=$((n + 1))
	rel=${f#"$srcdir"/}
	base=$(basename "$f")
	d=$work/$n
	mkdir -p "$d"
	cp "$f" "$d/$base"
	chmod 600 "$d/$base"
	case $rel in
	examples/*) strict=1 ;;
	*) strict=0 ;;
	esac
	s=0
	if [ $strict -eq 1 ]; then
		(cd "$d" && "$upsplan" check -Werror -Wno-W611 "$base" >stdout 2>stderr) || s=$?
	else
		(cd "$d" && "$upsplan" check -Wno-W611 "$base" >stdout 2>stderr) || s=$?
	fi
	codes=$(sed -n -E 's/^[^ ]+:[0-9]+:[0-9]+: (error|warning): .*\[([EW][0-9]+)\]$/\2/p' "$d/stderr" |
		sort | uniq -c | awk '{ printf "%s%s x%s", sep, $2, $1; sep = ", " }')
	why=
	if [ "$s" -ne 0 ]; then
		why="exit status $s"
	elif [ $strict -eq 1 ] && [ -s "$d/stderr" ]; then
		why="diagnostics on stderr"
	elif [ -s "$d/stdout" ]; then
		why="unexpected output on stdout"
	fi
	if [ -z "$why" ]; then
		if [ $strict -eq 1 ]; then
			echo "ok $n - $rel: clean with -Werror"
		else
			echo "ok $n - $rel: no errors${codes:+ (warnings: $codes)}"
		fi
		rm -rf "$d"
	else
		failed=$((failed + 1))
		echo "not ok $n - $rel: $why${codes:+ ($codes)}"
		echo "# upsplan check$([ $strict -eq 1 ] && echo ' -Werror') $base, in $d:"
		head -n 40 "$d/stderr" | sed 's/^/# /'
	fi
done
n=$((n + 1))
# shellcheck disable=SC2086 # file names in the tree have no white space
if [ -n "$tree" ] && (cd "$srcdir" && "$upsplan" check -Werror -Wno-file-mode -Wno-W611 $tree) >"$work/tree.out" 2>&1 &&
	[ ! -s "$work/tree.out" ]; then
	echo "ok $n - examples/*.conf in the tree: clean with -Werror -Wno-file-mode"
else
	failed=$((failed + 1))
	echo "not ok $n - examples/*.conf in the tree: clean with -Werror -Wno-file-mode"
	head -n 20 "$work/tree.out" | sed 's/^/# /'
fi
[ "$failed" -eq 0 ] && rm -rf "$work"
exit 0
