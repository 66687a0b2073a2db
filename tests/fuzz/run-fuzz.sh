#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# run-fuzz.sh - build a libFuzzer target (plan, image, nut, scenario, frames, nutconf) and fuzz it for SECONDS (default 300).
#
# usage: run-fuzz.sh [SECONDS] [plan|image|nut|scenario|frames|nutconf]
#   (either order; the target defaults to plan).  Works in the current
#   directory: fuzz-build/ (binaries, logs fuzz.log for plan and
#   fuzz-TARGET.log for the others), fuzz-corpus/ (plan) or
#   fuzz-corpus-TARGET/ (kept between runs), fuzz-artifacts/ or
#   fuzz-artifacts-TARGET/ (crash-*, leak-*, timeout-*, oom-* inputs).
#   plan: tests/fuzz/fuzz-plan.c, the front end and code generator (a
#   plan the checker accepts must compile to an image the verifier
#   accepts), seeded from tests/diag, examples, tests/plans and the
#   plans of the compile and run goldens.  FUZZ_ROUNDTRIP=1 fuzzes the print/re-parse
#   round trip as well.
#   image: tests/fuzz/fuzz-image.c, seeded with the images that
#   `upsplan compile --hostname=fuzz` makes of those plans (the ones that
#   compile, the compile and run goldens' plans included); UPSPLAN names the upsplan program (default: ./upsplan, then
#   upsplan in the source tree, then in PATH).
#   nut: tests/fuzz/fuzz-nut.c, the NUT reply parser and request writer,
#   seeded with the lines of tests/fuzz/nut.seeds.
#   scenario: tests/fuzz/fuzz-scenario.c, the scenario parser and the
#   simulator, seeded with tests/run/*.scn and examples/*.scn, each
#   followed by the dummy-ups files it names.
#   frames: tests/fuzz/fuzz-frames.c, the privsep frame reader, seeded with
#   the lines of tests/fuzz/frames.seeds.
#   nutconf: tests/fuzz/fuzz-nutconf.c, the reader of NUT's upsmon.conf
#   and upssched.conf, seeded with the lines of tests/fuzz/nutconf.seeds.
#   FUZZ_FORK=N runs N fuzzing processes (libFuzzer -fork=N).
#   Exit status: 0 no crash, 1 crash (or leak, timeout, UBSan report or
#   a broken invariant), 2 usage or build error.
set -u

srcdir=$(cd "$(dirname "$0")/../.." && pwd)
seconds=300
target=plan
for arg in "$@"; do
	case $arg in
	plan|image|nut|scenario|frames|nutconf) target=$arg ;;
	''|*[!0-9]*)
		echo "run-fuzz.sh: give SECONDS (a number) and a target (plan, image, nut, scenario, frames or nutconf), not '$arg'" >&2
		exit 2 ;;
	*) seconds=$arg ;;
	esac
done

bin=fuzz-build/fuzz-$target
corpus=fuzz-corpus-$target
artifacts=fuzz-artifacts-$target
log=fuzz-build/fuzz-$target.log
if [ "$target" = plan ]; then
	# the names of the first target, kept so that a corpus grown before stays in use
	corpus=fuzz-corpus
	artifacts=fuzz-artifacts
	log=fuzz-build/fuzz.log
	if [ "${FUZZ_ROUNDTRIP:-0}" = 1 ]; then
		bin=fuzz-build/fuzz-plan-roundtrip
		"$srcdir/tests/fuzz/build-fuzz.sh" --roundtrip -o "$bin" || exit 2
	else
		"$srcdir/tests/fuzz/build-fuzz.sh" -o "$bin" || exit 2
	fi
else
	"$srcdir/tests/fuzz/build-fuzz.sh" --target "$target" -o "$bin" || exit 2
fi

mkdir -p "$corpus" "$artifacts"
nseed=0
case $target in
image)
	upsplan=${UPSPLAN:-}
	if [ -z "$upsplan" ]; then
		for p in ./upsplan "$srcdir/upsplan" "$(command -v upsplan 2>/dev/null)"; do
			[ -n "$p" ] && [ -x "$p" ] && { upsplan=$p; break; }
		done
	fi
	if [ -z "$upsplan" ] || [ ! -x "$upsplan" ]; then
		echo "run-fuzz.sh: no upsplan program to compile the seed images (build it, or set UPSPLAN)" >&2
		exit 2
	fi
	for f in "$srcdir"/tests/diag/*.conf "$srcdir"/examples/*.conf "$srcdir"/tests/plans/*.conf \
		"$srcdir"/tests/compile/*.plan "$srcdir"/tests/run/*.conf; do
		[ -f "$f" ] || continue
		d=${f#"$srcdir"/}
		if "$upsplan" compile --hostname=fuzz "$f" -o "$corpus/seed-$(echo "$d" | tr '/' '_').upb" \
			>/dev/null 2>&1; then
			nseed=$((nseed + 1))
		fi
	done ;;
plan)
	for f in "$srcdir"/tests/diag/*.conf "$srcdir"/examples/*.conf "$srcdir"/tests/plans/*.conf \
		"$srcdir"/tests/compile/*.plan "$srcdir"/tests/run/*.conf; do
		[ -f "$f" ] || continue
		d=${f#"$srcdir"/}
		cp "$f" "$corpus/seed-$(echo "$d" | tr '/' '_')"
		nseed=$((nseed + 1))
	done ;;
nut|frames|nutconf)
	# one seed a line: printf's %b expands the escapes (\n, \r, \t, \0NNN)
	while IFS= read -r line; do
		case $line in '#'*|'') continue ;; esac
		nseed=$((nseed + 1))
		printf '%b' "$line" >"$corpus/seed-$nseed"
	done <"$srcdir/tests/fuzz/$target.seeds" ;;
scenario)
	# the scenario, then "--- NAME" and the text of each dummy-ups file it names
	for f in "$srcdir"/tests/run/*.scn "$srcdir"/examples/*.scn; do
		[ -f "$f" ] || continue
		d=${f#"$srcdir"/}
		seed=$corpus/seed-$(echo "$d" | tr '/' '_')
		cp "$f" "$seed"
		for dummy in $(sed -n 's/^.*[[:space:]]dummy[[:space:]][[:space:]]*[^[:space:]][^[:space:]]*[[:space:]][[:space:]]*"\{0,1\}\([A-Za-z0-9._-]*\)"\{0,1\}[[:space:]]*$/\1/p' "$f"); do
			if [ -f "$(dirname "$f")/$dummy" ]; then
				printf -- '--- %s\n' "$dummy" >>"$seed"
				cat "$(dirname "$f")/$dummy" >>"$seed"
			fi
		done
		nseed=$((nseed + 1))
	done ;;
esac
echo "run-fuzz.sh: target $target, $nseed seed files, corpus $(find "$corpus" -type f | wc -l) inputs, running ${seconds}s"

fork=
[ -n "${FUZZ_FORK:-}" ] && fork="-fork=$FUZZ_FORK -ignore_crashes=0"
start=$(date +%s)
# shellcheck disable=SC2086
UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 \
"$bin" $fork -max_total_time="$seconds" -max_len=65536 -timeout=10 \
	-rss_limit_mb=2048 -print_final_stats=1 -artifact_prefix="$artifacts/" \
	"$corpus" >"$log" 2>&1
status=$?
end=$(date +%s)

runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
[ -n "$runs" ] || runs=$(sed -n 's/^Done \([0-9]*\) runs.*/\1/p' "$log" | tail -n 1)
# -fork=N prints "#RUNS: cov: ..." progress lines instead
[ -n "$runs" ] || runs=$(sed -n 's/^#\([0-9]*\): cov:.*/\1/p' "$log" | tail -n 1)
echo "run-fuzz.sh: ran $((end - start))s, ${runs:-?} executions, corpus $(find "$corpus" -type f | wc -l) inputs, log $log"
if [ $status -ne 0 ] || grep -q 'runtime error:\|ERROR: AddressSanitizer\|ERROR: LeakSanitizer\|ERROR: libFuzzer' "$log"; then
	echo "run-fuzz.sh: CRASHED (exit $status); inputs in $artifacts/:"
	ls -l "$artifacts"
	grep -m 5 'ERROR:\|runtime error:\|SUMMARY:\|^fuzz-' "$log"
	exit 1
fi
echo "run-fuzz.sh: no crash"
exit 0
