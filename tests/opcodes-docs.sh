#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# opcodes-docs.sh - TAP: the instruction table of docs/engine.md is the one `upsplan disasm --opcodes` prints from base/opcodes.def, row for row.
#
# Each opcode is one test: its row in docs/engine.md must read
#   | `NAME` | KIND, KIND | IN → OUT | MEANING |
# as opcodes.def declares it, and the doc must have no other row.  On a
# mismatch the row to write is printed.  Environment: UPSPLAN, top_srcdir
# (make check sets them).  Scratch files: tests/opcodes-docs.d, kept when
# a test fails.
# shellcheck source=tests/tap-env.sh
. "$(dirname "$0")/tap-env.sh"
need_upsplan
tap_scratch opcodes-docs
doc="$srcdir/docs/engine.md"

if ! "$upsplan" disasm --opcodes >ops 2>err; then
	echo "Bail out! upsplan disasm --opcodes failed: $(cat err)"
	exit 1
fi
# the rows opcodes.def gives: NAME, the operand kinds, IN -> OUT, the meaning
if ! awk '{
	if (!match($0, / [0-9]+ -> [0-9]+  /)) exit 1
	head = substr($0, 1, RSTART - 1); stack = substr($0, RSTART + 1, RLENGTH - 3)
	meaning = substr($0, RSTART + RLENGTH)
	n = split(head, w, " "); ops = ""
	for (i = 2; i <= n; i++) ops = ops (i > 2 ? ", " : "") w[i]
	sub(/ -> /, " → ", stack)
	printf "| `%s` |%s | %s | %s |\n", w[1], ops == "" ? "" : " " ops, stack, meaning
}' ops >want; then
	echo "Bail out! upsplan disasm --opcodes printed a line that is no 'NAME KINDS IN -> OUT MEANING' (see tests/opcodes-docs.d/ops)"
	exit 1
fi
# the rows of the doc's table: lines "| `NAME` | ..." under "### Instructions"
awk '/^### Instructions/ { on = 1; next } on && /^#/ { on = 0 } on && /^\| `[A-Z]+` \|/' "$doc" >have

while IFS= read -r row; do
	name=${row#| \`}
	name=${name%%\`*}
	if grep -qxF -- "$row" have; then
		ok "$name: docs/engine.md has its row"
	else
		not_ok "$name: docs/engine.md should read: $row"
	fi
done <want
extra=$(grep -vxF -f want have | tr '\n' ' ')
if [ -z "$extra" ]; then
	ok "docs/engine.md has no other instruction row"
else
	not_ok "docs/engine.md has rows opcodes.def does not: $extra"
fi
echo "1..$n"
tap_done
[ "$failed" -eq 0 ]
