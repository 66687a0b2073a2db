#!/bin/sh
# run-fuzz.sh - build a libFuzzer target (plan: the front end; image: the image loader, verifier and VM) and fuzz it for SECONDS (default 300).
#
# usage: run-fuzz.sh [SECONDS] [plan|image]
#   Works in the current directory: fuzz-build/ (binaries, logs),
#   fuzz-corpus/ (target plan) or fuzz-corpus-image/ (kept between runs),
#   fuzz-artifacts/ or fuzz-artifacts-image/ (crash-*, leak-*, timeout-*,
#   oom-* inputs).
#   plan (default): tests/fuzz/fuzz-plan.c, seeded from tests/diag,
#   examples and tests/plans.  FUZZ_ROUNDTRIP=1 fuzzes the print/re-parse
#   round trip as well.
#   image: tests/fuzz/fuzz-image.c, seeded with the images that
#   `upsplan compile --hostname=fuzz` makes of those plans (the ones that
#   compile); UPSPLAN names the upsplan program (default: ./upsplan, then
#   upsplan in the source tree, then in PATH).
#   FUZZ_FORK=N runs N fuzzing processes (libFuzzer -fork=N).
#   Exit status: 0 no crash, 1 crash (or leak, timeout, UBSan report).
set -u

srcdir=$(cd "$(dirname "$0")/../.." && pwd)
seconds=${1:-300}
target=${2:-plan}
case $seconds in
''|*[!0-9]*) echo "run-fuzz.sh: SECONDS must be a number, not '$seconds'" >&2; exit 2 ;;
esac
case $target in
plan|image) ;;
*) echo "run-fuzz.sh: the target is plan or image, not '$target'" >&2; exit 2 ;;
esac

if [ "$target" = image ]; then
	bin=fuzz-build/fuzz-image
	"$srcdir/tests/fuzz/build-fuzz.sh" --image -o "$bin" || exit 2
	corpus=fuzz-corpus-image
	artifacts=fuzz-artifacts-image
	log=fuzz-build/fuzz-image.log
else
	bin=fuzz-build/fuzz-plan
	if [ "${FUZZ_ROUNDTRIP:-0}" = 1 ]; then
		bin=fuzz-build/fuzz-plan-roundtrip
		"$srcdir/tests/fuzz/build-fuzz.sh" --roundtrip -o "$bin" || exit 2
	else
		"$srcdir/tests/fuzz/build-fuzz.sh" -o "$bin" || exit 2
	fi
	corpus=fuzz-corpus
	artifacts=fuzz-artifacts
	log=fuzz-build/fuzz.log
fi

mkdir -p "$corpus" "$artifacts"
nseed=0
if [ "$target" = image ]; then
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
	for f in "$srcdir"/tests/diag/*.conf "$srcdir"/examples/*.conf "$srcdir"/tests/plans/*.conf; do
		[ -f "$f" ] || continue
		d=${f#"$srcdir"/}
		if "$upsplan" compile --hostname=fuzz "$f" -o "$corpus/seed-$(echo "$d" | tr '/' '_').upb" \
			>/dev/null 2>&1; then
			nseed=$((nseed + 1))
		fi
	done
else
	for f in "$srcdir"/tests/diag/*.conf "$srcdir"/examples/*.conf "$srcdir"/tests/plans/*.conf; do
		[ -f "$f" ] || continue
		d=${f#"$srcdir"/}
		cp "$f" "$corpus/seed-$(echo "$d" | tr '/' '_')"
		nseed=$((nseed + 1))
	done
fi
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
	grep -m 5 'ERROR:\|runtime error:\|SUMMARY:' "$log"
	exit 1
fi
echo "run-fuzz.sh: no crash"
exit 0
