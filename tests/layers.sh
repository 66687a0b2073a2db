#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# layers.sh - TAP: every #include "dir/file" of the sources goes down the layers (base, grammar, engine, runtime), never up or across where the design forbids it (runtime/ holds rooms: common, mail, sim, obs, daemon, migrate, cli).
#
# The layers, bottom up, and what each may include of ours:
#   base/      base/ only (source registry, diagnostics, allocation, opcodes.def)
#   grammar/   base/, grammar/
#   engine/    base/, grammar/, engine/; and the runtime engine (every
#              file but the compiler's: compile*, sema*, codegen*) nothing
#              of the AST or the parser (grammar/ast.h, grammar/parse*.h,
#              grammar/print.h) and nothing of the compiler
#   runtime/   anything above, and of its own rooms:
#     common/  common/ only (plan files, the trace, safe files, exit codes)
#     mail/    mail/, common/
#     sim/     sim/, common/
#     obs/     obs/, common/ (what others can see and send: HTTP
#              listeners, metrics, Alertmanager, status)
#     daemon/  daemon/, common/, obs/, and of mail/ only mail-job.h (the
#              job it hands to the mail helper)
#     migrate/ migrate/, common/ (NUT's configuration files read and translated)
#     cli/     every room (the commands put the rooms together)
#   A file of runtime/ outside these rooms breaks the rules.
# One test per file; a file that breaks a rule is a "not ok" line naming
# it and the includes it may not have.  Environment: top_srcdir (make check
# sets it).
# shellcheck source=tests/tap-env.sh
. "$(dirname "$0")/tap-env.sh"
cd "$srcdir" || exit 1

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
	runtime:base|runtime:grammar|runtime:engine) return 0 ;;
	runtime:runtime) room_allowed "$2" "$3"; return ;;
	esac
	return 1
}

# room_allowed FILE INCLUDE: 0 when FILE of runtime/ may include INCLUDE of runtime/
room_allowed() {
	from=${1#runtime/}
	from=${from%%/*}
	to=${2#runtime/}
	to=${to%%/*}
	case $from:$to in
	cli:cli|cli:common|cli:daemon|cli:mail|cli:sim|cli:migrate|cli:obs) return 0 ;;
	common:common|mail:mail|mail:common|sim:sim|sim:common) return 0 ;;
	obs:obs|obs:common) return 0 ;;
	daemon:daemon|daemon:common|daemon:obs) return 0 ;;
	migrate:migrate|migrate:common) return 0 ;;
	daemon:mail) [ "$2" = runtime/mail/mail-job.h ] ;;
	*) return 1 ;;
	esac
}

files=$(find base grammar engine runtime -type f \( -name '*.c' -o -name '*.h' -o -name '*.l' -o -name '*.y' -o -name '*.def' \) 2>/dev/null | sort)
for f in $files; do
	layer=${f%%/*}
	wrong=
	case $f in
	runtime/cli/*|runtime/common/*|runtime/daemon/*|runtime/mail/*|runtime/migrate/*|runtime/obs/*|runtime/sim/*) ;;
	runtime/*)
		not_ok "$f is in none of the rooms of runtime/ (cli, common, daemon, mail, migrate, obs, sim)"
		continue ;;
	esac
	# the includes of our own tree: "dir/file" with a dir of ours
	for inc in $(sed -n 's/^[[:space:]]*#[[:space:]]*include[[:space:]]*"\([a-z]*\/[^"]*\)".*/\1/p' "$f"); do
		case ${inc%%/*} in
		base|grammar|engine|runtime) allowed "$layer" "$f" "$inc" || wrong="$wrong $inc" ;;
		esac
	done
	if [ -n "$wrong" ]; then
		not_ok "$f includes$wrong: $layer/ may not (see the rules atop tests/layers.sh)"
	else
		ok "$f"
	fi
done
if [ "$n" -gt 50 ] && [ -d base ]; then
	ok "$n files checked"
else
	not_ok "only $n files: the layers base/ grammar/ engine/ runtime/ were not all found"
fi
echo "1..$n"
[ "$failed" -eq 0 ]
