#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# diag-list.sh - TAP: tests/diag/list.mk names every tests/diag/*.conf, and each golden test has its .err (and its .args/.mode and NAME.inc/ files in DIAG_EXTRA).
#
# A .conf missing from list.mk is never run; a .args or .mode file missing
# from DIAG_EXTRA is left out of the tarball and `make distcheck` then
# fails with a confusing diff.  Environment: top_srcdir (default: the
# directory above this script).
set -eu

LC_ALL=C
export LC_ALL

here=$(cd "$(dirname "$0")" && pwd)
srcdir=$(cd "${top_srcdir:-$here/..}" && pwd)
list=$srcdir/tests/diag/list.mk

if [ ! -f "$list" ]; then
	echo "Bail out! $list is missing"
	exit 1
fi

# names listed: "VAR += tests/diag/FILE" lines
listed() {
	sed -n -E "s|^[[:space:]]*$1[[:space:]]*\+=[[:space:]]*tests/diag/([^[:space:]]+)[[:space:]]*$|\1|p" "$list"
}

n=0
out=
ok() {
	n=$((n + 1))
	out="${out}ok $n - $1
"
}
notok() {
	n=$((n + 1))
	out="${out}not ok $n - $1
"
}

tests=$(listed DIAG_TESTS)
extra=$(listed DIAG_EXTRA)

# every .conf on disk is listed, and has its .err
for f in "$srcdir"/tests/diag/*.conf; do
	[ -f "$f" ] || continue
	b=$(basename "$f")
	name=${b%.conf}
	if printf '%s\n' "$tests" | grep -qxF "$b"; then
		ok "$b is in DIAG_TESTS"
	else
		notok "$b is not in tests/diag/list.mk: add 'DIAG_TESTS += tests/diag/$b'"
	fi
	if [ -f "$srcdir/tests/diag/$name.err" ]; then
		ok "$name.err exists"
	else
		notok "$name.err is missing: review the output, then run tests/diag/regen.sh tests/diag/$b"
	fi
	for ext in args mode scn seq dev; do
		[ -f "$srcdir/tests/diag/$name.$ext" ] || continue
		if printf '%s\n' "$extra" | grep -qxF "$name.$ext"; then
			ok "$name.$ext is in DIAG_EXTRA"
		else
			notok "$name.$ext is not distributed: add 'DIAG_EXTRA += tests/diag/$name.$ext' to tests/diag/list.mk"
		fi
	done
	# the files a test INCLUDEs: NAME.inc/...
	[ -d "$srcdir/tests/diag/$name.inc" ] || continue
	for inc in $(cd "$srcdir/tests/diag" && find "$name.inc" -type f | sort); do
		if printf '%s\n' "$extra" | grep -qxF "$inc"; then
			ok "$inc is in DIAG_EXTRA"
		else
			notok "$inc is not distributed: add 'DIAG_EXTRA += tests/diag/$inc' to tests/diag/list.mk"
		fi
	done
done
# every listed file exists
for b in $tests $extra; do
	if [ -f "$srcdir/tests/diag/$b" ]; then
		ok "listed $b exists"
	else
		notok "tests/diag/list.mk lists $b, which does not exist"
	fi
done

echo "1..$n"
printf '%s' "$out"
exit 0
