#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# opcodes-docs.sh - TAP: the instruction table of docs/engine.md is the one `upsplan disasm --opcodes` prints from base/opcodes.def, row for row.
#
# Each opcode is one test: its row in docs/engine.md must read
#   | `NAME` | KIND, KIND | IN → OUT | MEANING |
# as opcodes.def declares it, and the doc must have no other row.  On a
# mismatch the row to write is printed.  Environment: UPSPLAN (default
# ./upsplan), top_srcdir (make check sets them).
set -u

srcdir=${top_srcdir:-$(dirname "$0")/..}
upsplan=${UPSPLAN:-./upsplan}
doc="$srcdir/docs/engine.md"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/opcodes-docs.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT INT TERM

if ! "$upsplan" disasm --opcodes >"$tmp/ops" 2>"$tmp/err"; then
	echo "not ok 1 - upsplan disasm --opcodes failed: $(cat "$tmp/err")"
	echo "1..1"
	exit 1
fi
# the rows opcodes.def gives: NAME, the operand kinds, IN -> OUT, the meaning
awk '{
	if (!match($0, / [0-9]+ -> [0-9]+  /)) { print "bad line: " $0 > "/dev/stderr"; exit 1 }
	head = substr($0, 1, RSTART - 1); stack = substr($0, RSTART + 1, RLENGTH - 3)
	meaning = substr($0, RSTART + RLENGTH)
	n = split(head, w, " "); ops = ""
	for (i = 2; i <= n; i++) ops = ops (i > 2 ? ", " : "") w[i]
	sub(/ -> /, " → ", stack)
	printf "| `%s` |%s | %s | %s |\n", w[1], ops == "" ? "" : " " ops, stack, meaning
}' "$tmp/ops" >"$tmp/want" || { echo "not ok 1 - cannot read upsplan disasm --opcodes"; echo "1..1"; exit 1; }
# the rows of the doc's table: lines "| `NAME` | ..." under "### Instructions"
awk '/^### Instructions/ { on = 1; next } on && /^#/ { on = 0 } on && /^\| `[A-Z]+` \|/' "$doc" >"$tmp/have"

n=0
bad=0
while IFS= read -r row; do
	n=$((n + 1))
	name=${row#| \`}
	name=${name%%\`*}
	if grep -qxF -- "$row" "$tmp/have"; then
		echo "ok $n - $name: docs/engine.md has its row"
	else
		bad=$((bad + 1))
		echo "not ok $n - $name: docs/engine.md should read: $row"
	fi
done <"$tmp/want"
n=$((n + 1))
extra=$(grep -vxF -f "$tmp/want" "$tmp/have" | tr '\n' ' ')
if [ -z "$extra" ] && [ "$(wc -l <"$tmp/have")" -eq "$(wc -l <"$tmp/want")" ]; then
	echo "ok $n - docs/engine.md has no other instruction row"
else
	bad=$((bad + 1))
	echo "not ok $n - docs/engine.md has rows opcodes.def does not: $extra"
fi
echo "1..$n"
[ "$bad" -eq 0 ]
