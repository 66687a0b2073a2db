#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# run-migrate.sh - golden test of `upsplan migrate`: tests/migrate/NAME.upsmon (an upsmon.conf) vs NAME.plan (the plan written) and NAME.err (the diagnostics).
#
# Usage (automake UPSMON_LOG_COMPILER, run from the top of the build tree):
#     sh run-migrate.sh [--regen] path/to/NAME.upsmon
# Beside NAME.upsmon:
#     NAME.plan   expected standard output: the plan (required; empty when
#                 migrate refuses the file)
#     NAME.err    expected standard error, then a last line "[exit N]"
#     NAME.sched  an upssched.conf: copied beside as upssched.conf (where
#                 migrate looks when NOTIFYCMD runs upssched)
#     NAME.args   extra arguments (words split on white space; lines
#                 starting with # ignored)
# The files are copied to tests/migrate/NAME.d/ in the build tree and
# migrated from there as `upsplan migrate ARGS NAME.upsmon`, so the
# diagnostics name NAME.upsmon.  A mismatch writes NAME.plan.got and
# NAME.err.got in tests/migrate/ of the build tree, prints a diff and exits
# 1.  --regen writes NAME.plan and NAME.err instead (read every changed
# line before you commit them).  Environment: UPSPLAN (default ./upsplan).
set -eu

regen=0
if [ "${1-}" = "--regen" ]; then
	regen=1
	shift
fi
if [ $# -ne 1 ] || [ ! -f "$1" ]; then
	echo "usage: run-migrate.sh [--regen] path/to/NAME.upsmon" >&2
	exit 99
fi
src=$1
name=$(basename "$src" .upsmon)
srcdir=$(dirname "$src")
upsplan=${UPSPLAN:-./upsplan}
case $upsplan in
/*) ;;
*) upsplan=$(pwd)/$upsplan ;;
esac
if [ $regen -eq 0 ] && { [ ! -f "$srcdir/$name.plan" ] || [ ! -f "$srcdir/$name.err" ]; }; then
	echo "run-migrate.sh: $srcdir/$name.plan or .err is missing (write them with --regen after reviewing)" >&2
	exit 99
fi
args=
if [ -f "$srcdir/$name.args" ]; then
	args=$(sed -e '/^[[:space:]]*#/d' "$srcdir/$name.args" | tr '\n' ' ')
fi
outdir=tests/migrate
scratch=$outdir/$name.d
rm -rf "$scratch"
mkdir -p "$scratch"
cp "$src" "$scratch/$name.upsmon"
[ -f "$srcdir/$name.sched" ] && cp "$srcdir/$name.sched" "$scratch/upssched.conf"
set +e
(
	cd "$scratch" || exit 98
	set -f
	# shellcheck disable=SC2086 # ARGS are meant to be split into words
	NO_COLOR=1 LC_ALL=C UPSPLAN_RULES_DIR= NUT_CONFPATH= "$upsplan" migrate $args "$name.upsmon" >plan 2>err
)
status=$?
set -e
echo "[exit $status]" >>"$scratch/err"
if [ $regen -eq 1 ]; then
	cp "$scratch/plan" "$srcdir/$name.plan"
	cp "$scratch/err" "$srcdir/$name.err"
	rm -rf "$scratch"
	echo "wrote $srcdir/$name.plan and $srcdir/$name.err"
	exit 0
fi
fail=0
for f in plan err; do
	if ! cmp -s "$srcdir/$name.$f" "$scratch/$f"; then
		cp "$scratch/$f" "$outdir/$name.$f.got"
		echo "FAIL: $name: $f differs from $srcdir/$name.$f (got: $outdir/$name.$f.got)"
		diff -u "$srcdir/$name.$f" "$scratch/$f" || :
		fail=1
	fi
done
[ $fail -eq 0 ] && rm -rf "$scratch"
exit $fail
