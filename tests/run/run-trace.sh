#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# run-trace.sh - golden simulation trace: `upsplan simulate` of tests/run/NAME.scn must print tests/run/NAME.trace.
#
# Usage (automake SCN_LOG_COMPILER, from the top of the build tree; NAME unique):
#     sh run-trace.sh [--regen] path/to/tests/run/NAME.scn
# The plan is NAME.conf beside the scenario when it exists (examples/NAME.scn
# runs examples/NAME.conf), else the file named by a
# line "# plan: PATH" of the scenario (PATH from the top of the source
# tree, e.g. examples/timed.conf).  Both are copied to tests/run/NAME.d/
# (the plan as NAME.conf, mode 600) with every NAME*.seq and NAME*.dev and
# the files of NAME.inc/ (those the plan INCLUDEs, mode 600), and
# simulated from there: `upsplan simulate --hostname=testhost ARGS
# NAME.conf NAME.scn`, ARGS from a line "# args: ..." of the scenario.
# The text trace (stdout), stderr and "[exit N]" are compared with
# tests/run/NAME.trace (for every scenario); the JSON Lines trace must have as many lines as the text one.
# A mismatch writes tests/run/NAME.got and prints a diff; --regen writes
# NAME.trace instead (review it first).
# Environment: UPSPLAN (default ./upsplan), UPSPLAN_VALGRIND (command prefix).
set -eu

regen=0
if [ "${1-}" = "--regen" ]; then
	regen=1
	shift
fi
if [ $# -ne 1 ]; then
	echo "usage: run-trace.sh [--regen] path/to/NAME.scn" >&2
	exit 99
fi
scn=$1
name=$(basename "$scn" .scn)
here=$(cd "$(dirname "$scn")" && pwd)
top=$(cd "$(dirname "$0")/../.." && pwd)
upsplan=${UPSPLAN:-./upsplan}
case $upsplan in
/*) ;;
*) upsplan=$(pwd)/$upsplan ;;
esac
[ -x "$upsplan" ] || { echo "run-trace.sh: $upsplan is not an executable" >&2; exit 99; }
plan=$here/$name.conf
if [ ! -f "$plan" ]; then
	rel=$(sed -n 's/^# plan: *//p' "$scn" | head -n 1)
	plan=$top/$rel
fi
if [ ! -f "$plan" ]; then
	echo "run-trace.sh: no plan for $name: add tests/run/$name.conf or a '# plan: PATH' line" >&2
	exit 99
fi
args=$(sed -n 's/^# args: *//p' "$scn" | head -n 1)
expected=$top/tests/run/$name.trace
if [ $regen -eq 0 ] && [ ! -f "$expected" ]; then
	echo "run-trace.sh: $expected is missing (write it with --regen after reviewing the output)" >&2
	exit 99
fi

scratch=tests/run/$name.d
mkdir -p tests/run
rm -rf "$scratch"
mkdir -p "$scratch"
scratch=$(cd "$scratch" && pwd)
got=$(pwd)/tests/run/$name.got
rm -f "$got"
cp "$plan" "$scratch/$name.conf"
chmod 600 "$scratch/$name.conf"
cp "$scn" "$scratch/$name.scn"
for f in "$here/$name".*seq "$here/$name".*dev "$here/$name"-*.seq "$here/$name"-*.dev; do
	[ -f "$f" ] && cp "$f" "$scratch/"
done
if [ -d "$here/$name.inc" ]; then	# the files the plan INCLUDEs, mode 600
	cp -R "$here/$name.inc/." "$scratch/"
	find "$scratch" -type d -exec chmod 755 {} +
	find "$scratch" -type f -exec chmod 600 {} +
fi

set +e
(
	cd "$scratch" || exit 98
	set -f
	# shellcheck disable=SC2086 # ARGS are words
	UPSPLAN_RULES_DIR=
	export UPSPLAN_RULES_DIR	# INCLUDE <name>: the compiled-in rule files, never those installed here
	NO_COLOR=1 LC_ALL=C ${UPSPLAN_VALGRIND-} "$upsplan" simulate --hostname=testhost $args "$name.conf" "$name.scn" \
		>stdout 2>stderr
	echo "[exit $?]" >>stderr
	# shellcheck disable=SC2086
	NO_COLOR=1 LC_ALL=C ${UPSPLAN_VALGRIND-} "$upsplan" simulate --hostname=testhost --format=json $args \
		"$name.conf" "$name.scn" >json 2>/dev/null
	if [ "$(wc -l <json)" != "$(wc -l <stdout)" ]; then
		echo "the JSON Lines trace has $(wc -l <json) lines, the text trace $(wc -l <stdout)" >>stderr
	fi
)
status=$?
set -e
[ $status -ne 98 ] || { echo "run-trace.sh: cannot enter $scratch" >&2; exit 99; }
cat "$scratch/stdout" "$scratch/stderr" >"$scratch/output"
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
