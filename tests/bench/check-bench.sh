#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# check-bench.sh - benchmark of `upsplan check` on generated plans of 10, 1,000 and 10,000 UPS (time and peak RSS, best of 3).
#
# Usage: sh tests/bench/check-bench.sh [N...]      (default: 10 1000 10000)
# Environment: UPSPLAN (default ./upsplan), RUNS (default 3).
# Each plan comes from gen-plan.sh (groups of 100 UPS, the timed plan's
# rules for every UPS), is written to a temporary directory in mode 0600,
# and checked RUNS times with `/usr/bin/time -f '%e %M' upsplan check`.
# Reported: the best (lowest) elapsed time and the highest peak RSS of the
# runs.  Target for the 10,000-UPS plan: below 0.5 s and below 64 MB peak
# RSS; PASS or MISS is printed, but this is a benchmark, not a test: the
# exit status is 0 either way, and 1 only when a check itself fails (exit
# status other than 0) or a tool is missing.
set -eu

LC_ALL=C
export LC_ALL

here=$(cd "$(dirname "$0")" && pwd)
upsplan=${UPSPLAN:-./upsplan}
case $upsplan in
/*) ;;
*) upsplan=$(pwd)/$upsplan ;;
esac
runs=${RUNS:-3}
target_ups=10000
target_s=0.5
target_mb=64

if [ ! -x "$upsplan" ]; then
	echo "check-bench.sh: $upsplan is not an executable (build it first, or set UPSPLAN)" >&2
	exit 1
fi
if [ ! -x /usr/bin/time ]; then
	echo "check-bench.sh: /usr/bin/time is missing (Debian package: time)" >&2
	exit 1
fi
[ $# -gt 0 ] || set -- 10 1000 10000

work=$(mktemp -d "${TMPDIR:-/tmp}/upsplan-bench.XXXXXX")
trap 'rm -rf "$work"' EXIT HUP INT TERM

echo "upsplan check benchmark: $("$upsplan" --version | head -n 1), best of $runs runs, $(uname -m), $(nproc 2>/dev/null || echo '?') CPU"
printf '%8s %9s %11s %9s %11s %13s\n' UPS lines bytes seconds lines/s "peak RSS MB"
status=0
verdict=
for n in "$@"; do
	plan=$work/plan-$n.conf
	sh "$here/gen-plan.sh" "$n" >"$plan"
	chmod 600 "$plan"
	lines=$(wc -l <"$plan" | tr -d ' ')
	bytes=$(wc -c <"$plan" | tr -d ' ')
	best=
	peak=0
	i=0
	while [ $i -lt "$runs" ]; do
		i=$((i + 1))
		s=0
		/usr/bin/time -o "$work/time" -f '%e %M' "$upsplan" check "$plan" \
			>"$work/stdout" 2>"$work/stderr" || s=$?
		if [ $s -ne 0 ]; then
			echo "check-bench.sh: upsplan check of the $n-UPS plan exited $s:" >&2
			head -n 20 "$work/stderr" >&2
			status=1
			break
		fi
		# the last line: "Command exited..." lines come first when it fails
		read -r sec kb <<EOF
$(tail -n 1 "$work/time")
EOF
		best=$(awk -v a="${best:-$sec}" -v b="$sec" 'BEGIN { print (b < a) ? b : a }')
		[ "$kb" -gt "$peak" ] && peak=$kb
	done
	[ $status -eq 0 ] || break
	awk -v n="$n" -v l="$lines" -v b="$bytes" -v s="$best" -v kb="$peak" 'BEGIN {
		rate = (s > 0) ? sprintf("%.0f", l / s) : "-"
		printf "%8d %9d %11d %9.2f %11s %13.1f\n", n, l, b, s, rate, kb / 1024
	}'
	if [ "$n" -eq "$target_ups" ]; then
		verdict=$(awk -v s="$best" -v kb="$peak" -v ts="$target_s" -v tm="$target_mb" -v n="$n" 'BEGIN {
			printf "target for %d UPS: time %.2f s < %.1f s: %s; peak RSS %.1f MB < %d MB: %s",
				n, s, ts, (s < ts) ? "PASS" : "MISS", kb / 1024, tm, (kb / 1024 < tm) ? "PASS" : "MISS"
		}')
	fi
done
[ -n "$verdict" ] && echo "$verdict"
exit $status
