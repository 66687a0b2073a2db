#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# run-compile.sh - golden test of the compiler: `upsplan disasm` of one plan must equal tests/compile/NAME.dis.
#
# Usage (automake DIS_LOG_COMPILER, run from the top of the build tree):
#     sh run-compile.sh [--regen] path/to/tests/compile/NAME.dis
# The plan is the first of tests/compile/NAME.plan, examples/NAME.conf and
# tests/plans/NAME.conf (relative to the source tree; not NAME.conf in
# tests/compile: automake would run that as a diagnostics test).  It is copied to
# tests/compile/NAME.d/NAME.conf (mode 600) in the build tree and listed
# from there with `upsplan disasm --hostname=testhost NAME.conf`, then
# compiled to an image (`upsplan compile`) whose listing must be the same.
# The output compared is standard output, standard error and "[exit N]".
# A mismatch writes tests/compile/NAME.got, prints a unified diff and
# exits 1.  --regen writes NAME.dis instead (review it before committing).
# Environment: UPSPLAN (default ./upsplan), UPSPLAN_VALGRIND (command prefix).
set -eu

regen=0
if [ "${1-}" = "--regen" ]; then
	regen=1
	shift
fi
if [ $# -ne 1 ]; then
	echo "usage: run-compile.sh [--regen] path/to/NAME.dis" >&2
	exit 99
fi
dis=$1
name=$(basename "$dis" .dis)
here=$(cd "$(dirname "$dis")" && pwd)
top=$(cd "$here/../.." && pwd)
upsplan=${UPSPLAN:-./upsplan}
case $upsplan in
/*) ;;
*) upsplan=$(pwd)/$upsplan ;;
esac
if [ ! -x "$upsplan" ]; then
	echo "run-compile.sh: $upsplan is not an executable (build it first, or set UPSPLAN)" >&2
	exit 99
fi
src=
for c in "$here/$name.plan" "$top/examples/$name.conf" "$top/tests/plans/$name.conf"; do
	if [ -f "$c" ]; then
		src=$c
		break
	fi
done
if [ -z "$src" ]; then
	echo "run-compile.sh: no plan tests/compile/$name.plan, examples/$name.conf or tests/plans/$name.conf" >&2
	exit 99
fi
if [ $regen -eq 0 ] && [ ! -f "$dis" ]; then
	echo "run-compile.sh: $dis is missing (write it with --regen after reviewing the output)" >&2
	exit 99
fi

outdir=tests/compile
scratch=$outdir/$name.d
mkdir -p "$outdir"
rm -rf "$scratch"
mkdir -p "$scratch"
scratch=$(cd "$scratch" && pwd)
got=$(pwd)/$outdir/$name.got
rm -f "$got"
cp "$src" "$scratch/$name.conf"
chmod 600 "$scratch/$name.conf"

set +e
(
	cd "$scratch" || exit 98
	NO_COLOR=1 LC_ALL=C ${UPSPLAN_VALGRIND-} "$upsplan" disasm --hostname=testhost "$name.conf" >stdout 2>stderr
	echo "[exit $?]" >>stderr
	NO_COLOR=1 LC_ALL=C ${UPSPLAN_VALGRIND-} "$upsplan" compile --hostname=testhost "$name.conf" -o "$name.upb" 2>/dev/null
	cstatus=$?
	if [ -f "$name.upb" ]; then
		NO_COLOR=1 LC_ALL=C ${UPSPLAN_VALGRIND-} "$upsplan" disasm "$name.upb" >image.out 2>&1
		istatus=$?
		if ! cmp -s stdout image.out || [ $istatus -ne 0 ]; then
			echo "the listing of the saved image (exit $istatus) differs from the listing of the source:" >>stderr
			diff stdout image.out >>stderr
		fi
	elif [ $cstatus -ne 1 ]; then
		echo "compile exited $cstatus without writing an image" >>stderr
	fi
)
status=$?
set -e
if [ $status -eq 98 ]; then
	echo "run-compile.sh: cannot enter $scratch" >&2
	exit 99
fi
cat "$scratch/stdout" "$scratch/stderr" >"$scratch/output"

if [ $regen -eq 1 ]; then
	cp "$scratch/output" "$dis"
	rm -rf "$scratch"
	echo "wrote $dis"
	exit 0
fi
if cmp -s "$dis" "$scratch/output"; then
	rm -rf "$scratch"
	exit 0
fi
cp "$scratch/output" "$got"
echo "FAIL: $name: output differs from $dis (got: $got)"
diff -u "$dis" "$got" || :
exit 1
