#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# sim-bench.sh - benchmark of `upsplan simulate`: 10,000 UPS, 100 status changes each (1 million events) through the timed plan.
#
# Usage: sh tests/bench/sim-bench.sh [N CHANGES]     (default: 10000 100)
# Environment: UPSPLAN (default ./upsplan), RUNS (default 3).
# The plan comes from gen-plan.sh (the timed plan's rules for every UPS),
# the scenario from gen-scenario.sh (every UPS switches between OL and OB
# every 20 s).  The plan is compiled to an image once; `upsplan simulate`
# then runs RUNS times on the image and once on the source, its trace (one
# line per event, expiry and action) going to /dev/null.  Reported: best
# elapsed time, events per second, trace lines, peak RSS.  Target for
# 10,000 UPS x 100 changes: below 2 s and 200 MB.  No NUT program
# simulates a plan, so there is no peer ratio.  A benchmark, not a test:
# the exit status is 1 only when a command fails.
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
n=${1:-10000}
changes=${2:-100}
target_s=2
target_mb=200

[ -x "$upsplan" ] || { echo "sim-bench.sh: $upsplan is not an executable" >&2; exit 1; }
[ -x /usr/bin/time ] || { echo "sim-bench.sh: /usr/bin/time is missing (Debian package: time)" >&2; exit 1; }

work=$(mktemp -d "${TMPDIR:-/tmp}/upsplan-simbench.XXXXXX")
trap 'rm -rf "$work"' EXIT HUP INT TERM

sh "$here/gen-plan.sh" "$n" >"$work/plan.conf"
chmod 600 "$work/plan.conf"
sh "$here/gen-scenario.sh" "$n" "$changes" >"$work/outage.scn"
"$upsplan" compile --hostname=bench "$work/plan.conf" -o "$work/plan.upb" 2>"$work/stderr" || {
	echo "sim-bench.sh: compile failed:" >&2
	head -n 20 "$work/stderr" >&2
	exit 1
}
events=$("$upsplan" simulate --hostname=bench "$work/plan.upb" "$work/outage.scn" | tee "$work/lines" | grep -c ' event$' || true)
lines=$(wc -l <"$work/lines" | tr -d ' ')
rm -f "$work/lines"

# one timed run: "seconds peak-KB"
timed() {
	/usr/bin/time -o "$work/time" -f '%e %M' "$upsplan" simulate --hostname=bench "$1" "$work/outage.scn" \
		>/dev/null 2>"$work/stderr" || { echo "sim-bench.sh: simulate $1 failed" >&2; head "$work/stderr" >&2; exit 1; }
	tail -n 1 "$work/time"
}

echo "upsplan simulate benchmark: $("$upsplan" --version | head -n 1), $(uname -m), $(nproc 2>/dev/null || echo '?') CPU"
echo "$n UPS x $changes status changes: $events events, $lines trace lines, best of $runs runs"
best=
peak=0
i=0
while [ $i -lt "$runs" ]; do
	i=$((i + 1))
	read -r sec kb <<EOF2
$(timed "$work/plan.upb")
EOF2
	best=$(awk -v a="${best:-$sec}" -v b="$sec" 'BEGIN { print (b < a) ? b : a }')
	[ "$kb" -gt "$peak" ] && peak=$kb
done
read -r src_sec src_kb <<EOF2
$(timed "$work/plan.conf")
EOF2
awk -v e="$events" -v l="$lines" -v s="$best" -v kb="$peak" -v ss="$src_sec" -v skb="$src_kb" \
	-v ts="$target_s" -v tm="$target_mb" 'BEGIN {
	printf "from the image:  %.2f s, %.0f events/s, %.0f trace lines/s, peak RSS %.1f MB\n", s, e / s, l / s, kb / 1024
	printf "from the source: %.2f s (compiling included), peak RSS %.1f MB\n", ss, skb / 1024
	printf "target: time %.2f s < %d s: %s; peak RSS %.1f MB < %d MB: %s\n", s, ts, (s < ts) ? "PASS" : "MISS",
		kb / 1024, tm, (kb / 1024 < tm) ? "PASS" : "MISS"
}'
