#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# diag-docs.sh - TAP: every code of base/diag-codes.def has a manual entry in docs/diagnostics.md and a golden test in tests/diag/ (tests/migrate/ for upsplan migrate's).
set -eu
srcdir=${top_srcdir:-$(dirname "$0")/..}
defs="$srcdir/base/diag-codes.def"
doc="$srcdir/docs/diagnostics.md"
codes=$(sed -n 's/^DIAG_CODE([A-Z_0-9]*, *\([0-9]*\), *\(ERROR\|WARNING\|HAZARD\),.*/\2 \1/p' "$defs" |
	awk '{ printf "%s%03d\n", ($1 == "ERROR") ? "E" : "W", $2 }')
n=0
for c in $codes; do
	n=$((n + 2))
done
echo "1..$n"
i=0
for c in $codes; do
	i=$((i + 1))
	if grep -q "^### $c " "$doc"; then
		echo "ok $i - $c has an entry in docs/diagnostics.md"
	else
		echo "not ok $i - $c has no '### $c' entry in docs/diagnostics.md"
	fi
	i=$((i + 1))
	# upsplan migrate's codes are shown by its goldens, tests/migrate/CODE-*.upsmon
	set -- "$srcdir"/tests/diag/"$c"-*.conf "$srcdir"/tests/migrate/"$c"-*.upsmon
	[ -f "$1" ] || shift
	if [ -f "$1" ] && [ -f "${1%.*}.err" ] && grep -q -e "\[$c\]" -e "\"$c\"" "${1%.*}.err"; then
		echo "ok $i - $c has a golden test that shows it (${1##*/})"
	else
		echo "not ok $i - $c has no tests/diag/$c-*.conf (or tests/migrate/$c-*.upsmon) whose .err shows [$c]"
	fi
done
