#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# gen-scenario.sh - benchmark scenario for the plans of gen-plan.sh: N UPS, each switching CHANGES times between on battery and on line.
#
# Usage: sh tests/bench/gen-scenario.sh N CHANGES >bench.scn
# Every 20 virtual seconds every UPS changes state (OL <-> OB), half of
# each group one way and half the other (so MINSUPPLIES 1 is never short);
# no on-battery period reaches the timed plan's 1-minute warning.  Each
# change makes one event (OL->OB or OB->OL), so about N x CHANGES events.
set -eu
if [ $# -ne 2 ]; then
	echo "usage: gen-scenario.sh N CHANGES" >&2
	exit 2
fi
${AWK:-awk} -v n="$1" -v changes="$2" 'BEGIN {
	print "# Benchmark scenario: " n " UPS, " changes " status changes each (tests/bench/gen-scenario.sh)."
	for (j = 1; j <= changes; j++) {
		for (i = 1; i <= n; i++)
			printf "%sset UPS-%d ups.status %s\n", (i == 1) ? "at " j * 20 " " : "", i, ((i + j) % 2) ? "OB" : "OL"
	}
	printf "at %d end\n", changes * 20 + 10
}'
