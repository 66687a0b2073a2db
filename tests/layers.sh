#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# layers.sh - TAP: every #include "dir/file" of the sources goes down the layers (base, grammar, engine, runtime), never up or across where the design forbids it.
#
# The layers, bottom up, and what each may include of ours:
#   base/      base/ only (source registry, diagnostics, allocation)
#   grammar/   base/, grammar/
#   engine/    base/, grammar/, engine/; and the runtime engine (every
#              file but the compiler's: compile*, sema*, codegen*) nothing
#              of the AST or the parser (grammar/ast.h, grammar/parse*.h,
#              grammar/print.h) and nothing of the compiler
#   runtime/   anything above
# One test per file; a file that breaks a rule is a "not ok" line naming
# it and the includes it may not have.  Environment: top_srcdir (make check sets it).
set -u

srcdir=${top_srcdir:-$(dirname "$0")/..}
cd "$srcdir" || exit 1
n=0
bad=0

# allowed LAYER FILE INCLUDE: 0 when FILE of LAYER may include INCLUDE
allowed() {
	case $1:${3%%/*} in
	base:base) return 0 ;;
	grammar:base|grammar:grammar) return 0 ;;
	engine:base|engine:grammar|engine:engine)
		case ${2##*/} in
		compile*|sema*|codegen*) return 0 ;;
		esac
		case $3 in
		grammar/ast.h|grammar/parse.h|grammar/parse-int.h|grammar/print.h) return 1 ;;
		engine/compile*|engine/sema*|engine/codegen*) return 1 ;;
		esac
		return 0 ;;
	runtime:base|runtime:grammar|runtime:engine|runtime:runtime) return 0 ;;
	esac
	return 1
}

files=$(find base grammar engine runtime -type f \( -name '*.c' -o -name '*.h' -o -name '*.l' -o -name '*.y' -o -name '*.def' \) 2>/dev/null | sort)
for f in $files; do
	layer=${f%%/*}
	wrong=
	# the includes of our own tree: "dir/file" with a dir of ours
	for inc in $(sed -n 's/^[[:space:]]*#[[:space:]]*include[[:space:]]*"\([a-z]*\/[^"]*\)".*/\1/p' "$f"); do
		case ${inc%%/*} in
		base|grammar|engine|runtime) allowed "$layer" "$f" "$inc" || wrong="$wrong $inc" ;;
		esac
	done
	n=$((n + 1))
	if [ -n "$wrong" ]; then
		bad=$((bad + 1))
		echo "not ok $n - $f includes$wrong: $layer/ may not (see the rules atop tests/layers.sh)"
	else
		echo "ok $n - $f"
	fi
done
n=$((n + 1))
if [ "$n" -gt 50 ] && [ -d base ]; then
	echo "ok $n - $((n - 1)) files checked"
else
	echo "not ok $n - only $((n - 1)) files: the layers base/ grammar/ engine/ runtime/ were not all found"
	bad=$((bad + 1))
fi
echo "1..$n"
[ "$bad" -eq 0 ]
