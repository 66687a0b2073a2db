#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# run-diag.sh - golden test of `upsplan check` diagnostics (tests/diag/NAME.conf vs NAME.err) and of simulation traces (tests/run/NAME.conf + NAME.scn vs NAME.trace).
#
# Usage (automake CONF_LOG_COMPILER, run from the top of the build tree):
#     sh run-diag.sh [--regen] path/to/NAME.conf
# Beside NAME.conf (usually in $(srcdir)/tests/diag):
#     NAME.err   expected output (required)
#     NAME.args  extra arguments for `upsplan check` (optional; words split
#                on white space, no quoting, lines starting with # ignored;
#                -Wno-W611 comes first unless NAME is W611-*: that warning
#                depends on the files of the machine)
#     NAME.mode  octal file mode for the copy that is checked (optional,
#                default 600, so that W610 fires only where a test wants it)
#     NAME.inc/  files the plan INCLUDEs (optional): copied beside
#                NAME.conf with mode 600, subdirectories kept
#     NAME.scn   a scenario: the test runs `upsplan simulate --hostname=testhost
#                ARGS NAME.conf NAME.scn` instead of `upsplan check`; NAME.seq
#                and NAME.dev beside it are copied too (dummy-ups files)
# In tests/run/ the expected output is NAME.trace instead of NAME.err.
# The file is copied to tests/diag/NAME.d/NAME.conf in the build tree and
# checked from inside that directory as `upsplan check ARGS NAME.conf`, so
# the diagnostics name NAME.conf whatever the build layout.  The output
# compared is standard output, then standard error, then a last line
# "[exit N]".  A mismatch writes tests/diag/NAME.got in the build tree,
# prints a unified diff and exits 1.
# Environment: UPSPLAN (default ./upsplan), UPSPLAN_VALGRIND (a command
# prefix, e.g. "valgrind -q --log-file=vg.log --error-exitcode=99"; it must
# not write on standard error, or every test mismatches).
# --regen (used by regen.sh) writes NAME.err instead of comparing.
set -eu

regen=0
if [ "${1-}" = "--regen" ]; then
	regen=1
	shift
fi
if [ $# -ne 1 ]; then
	echo "usage: run-diag.sh [--regen] path/to/NAME.conf" >&2
	exit 99
fi

conf=$1
name=$(basename "$conf" .conf)
srcdir=$(dirname "$conf")
upsplan=${UPSPLAN:-./upsplan}
case $upsplan in
/*) ;;
*) upsplan=$(pwd)/$upsplan ;;
esac

if [ ! -f "$conf" ]; then
	echo "run-diag.sh: $conf: no such file" >&2
	exit 99
fi
if [ ! -x "$upsplan" ]; then
	echo "run-diag.sh: $upsplan is not an executable (build it first, or set UPSPLAN)" >&2
	exit 99
fi
suffix=err
case $srcdir in
*/run | run) suffix=trace ;;
esac
expected=$srcdir/$name.$suffix
if [ $regen -eq 0 ] && [ ! -f "$expected" ]; then
	echo "run-diag.sh: $expected is missing (write it with tests/diag/regen.sh after reviewing the output)" >&2
	exit 99
fi

mode=600
if [ -f "$srcdir/$name.mode" ]; then
	mode=$(sed -e 's/#.*//' -e 's/[[:space:]]//g' "$srcdir/$name.mode" | tr -d '\n')
	case $mode in
	'' | *[!0-7]*)
		echo "run-diag.sh: $srcdir/$name.mode: not an octal mode: '$mode'" >&2
		exit 99
		;;
	esac
fi
args=
if [ -f "$srcdir/$name.args" ]; then
	args=$(sed -e '/^[[:space:]]*#/d' "$srcdir/$name.args" | tr '\n' ' ')
fi

outdir=tests/$(basename "$srcdir")
scratch=$outdir/$name.d
mkdir -p "$outdir"
rm -rf "$scratch"
mkdir -p "$scratch"
scratch=$(cd "$scratch" && pwd)
got=$(pwd)/$outdir/$name.got
rm -f "$got"

if [ -d "$srcdir/$name.inc" ]; then
	cp -R "$srcdir/$name.inc/." "$scratch/"
	find "$scratch" -type d -exec chmod 755 {} +
	find "$scratch" -type f -exec chmod 600 {} +
fi
cp "$conf" "$scratch/$name.conf"
chmod "$mode" "$scratch/$name.conf"
command="check"
if [ -f "$srcdir/$name.scn" ]; then
	command="simulate --hostname=testhost"
	for ext in scn seq dev; do
		[ -f "$srcdir/$name.$ext" ] && cp "$srcdir/$name.$ext" "$scratch/"
	done
fi
scn=
[ -f "$srcdir/$name.scn" ] && scn=$name.scn
# W611 reads the CERTFILEs a plan names, files of this machine: only the
# tests of W611 (W611-*, whose paths are the same on every machine) see it
case $command:$name in
check:W611-*) ;;
check:*) args="-Wno-W611 $args" ;;
esac

# Run from inside the scratch directory; no colour, stable locale; INCLUDE
# <name> reads the compiled-in rule files, never those installed here.
set +e
(
	cd "$scratch" || exit 98
	set -f
	# shellcheck disable=SC2086 # ARGS are meant to be split into words
	NO_COLOR=1 LC_ALL=C UPSPLAN_RULES_DIR= ${UPSPLAN_VALGRIND-} "$upsplan" $command $args "$name.conf" $scn \
		>stdout 2>stderr
)
status=$?
set -e
if [ $status -eq 98 ]; then
	echo "run-diag.sh: cannot enter $scratch" >&2
	exit 99
fi
cat "$scratch/stdout" "$scratch/stderr" >"$scratch/output"
echo "[exit $status]" >>"$scratch/output"

if [ $regen -eq 1 ]; then
	cp "$scratch/output" "$expected"
	rm -rf "$scratch"
	echo "wrote $expected"
	exit 0
fi

if cmp -s "$expected" "$scratch/output"; then
	rm -rf "$scratch"
	exit 0
fi
cp "$scratch/output" "$got"
echo "FAIL: $name: output differs from $expected (got: $got)"
diff -u "$expected" "$got" || :
exit 1
