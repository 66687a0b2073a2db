#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# rules-bench.sh - benchmark of rules over many UPS: a 10,000-UPS plan written with group and pattern rules against the same plan with every rule copied per UPS.
#
# Usage: sh tests/bench/rules-bench.sh [N]          (default: 10000 UPS)
# Environment: UPSPLAN (default ./upsplan), ENGINE_BENCH (default
# ./tests/bench/engine-bench, built by `make bench`), RUNS (default 3).
# The two plans come from gen-plan.sh N 100 rules (WHEN GROUP Gk and
# WHEN /^UPS-[0-9]+$/ clauses, once per group) and gen-plan.sh N 100
# expanded (each of those clauses written for every UPS it names: the plan
# as it had to be written before).  Both compile to the same 13 REPORTS
# handlers per UPS.  Measured for each: source size, `upsplan check`
# time and peak RSS (best of RUNS), the image size, and for the rules
# plan compiling versus loading its image (engine-bench compile / load).
# Targets: checking the rules plan < 0.5 s; its image smaller than the
# expanded plan's; compiling >= 5 times as long as loading.  PASS or MISS
# is printed, but this is a benchmark, not a test: the exit status is 1
# only when a step fails or a tool is missing.
set -eu

# shellcheck source=tests/bench/bench-lib.sh
. "$(cd "$(dirname "$0")" && pwd)/bench-lib.sh"
upsplan=$(abspath "${UPSPLAN:-./upsplan}")
bench=$(abspath "${ENGINE_BENCH:-./tests/bench/engine-bench}")
runs=${RUNS:-3}
n=${1:-10000}
target_s=0.5
target_ratio=5

for p in "$upsplan" "$bench" /usr/bin/time; do
	if [ ! -x "$p" ]; then
		echo "rules-bench.sh: $p is not an executable (run make bench, or set UPSPLAN and ENGINE_BENCH; /usr/bin/time: Debian package time)" >&2
		exit 1
	fi
done

work=$(mktemp -d "${TMPDIR:-/tmp}/upsplan-rulesbench.XXXXXX")
trap 'rm -rf "$work"' EXIT HUP INT TERM

echo "upsplan rules-over-many-UPS benchmark: $("$upsplan" --version | head -n 1), best of $runs runs, $(uname -m), $(nproc 2>/dev/null || echo '?') CPU"
printf '%-9s %8s %9s %11s %9s %13s %11s\n' form UPS lines bytes "check s" "peak RSS MB" "image bytes"
for form in rules expanded; do
	plan=$work/$form.conf
	sh "$here/gen-plan.sh" "$n" 100 "$form" >"$plan"
	chmod 600 "$plan"
	best=
	peak=0
	i=0
	while [ $i -lt "$runs" ]; do
		i=$((i + 1))
		s=0
		/usr/bin/time -o "$work/time" -f '%e %M' "$upsplan" check -Wno-W611 "$plan" \
			>"$work/stdout" 2>"$work/stderr" || s=$?
		if [ $s -ne 0 ]; then
			echo "rules-bench.sh: upsplan check of the $form plan exited $s:" >&2
			head -n 20 "$work/stderr" >&2
			exit 1
		fi
		read -r sec kb <<EOF
$(tail -n 1 "$work/time")
EOF
		best=$(awk -v a="${best:-$sec}" -v b="$sec" 'BEGIN { print (b < a) ? b : a }')
		[ "$kb" -gt "$peak" ] && peak=$kb
	done
	"$bench" compile "$plan" "$work/$form.upb" "$runs" >"$work/$form.compile" || {
		echo "rules-bench.sh: compiling the $form plan failed" >&2
		exit 1
	}
	size=$(wc -c <"$work/$form.upb" | tr -d ' ')
	eval "check_$form=\$best image_$form=\$size"
	awk -v f="$form" -v n="$n" -v l="$(wc -l <"$plan" | tr -d ' ')" -v b="$(wc -c <"$plan" | tr -d ' ')" \
		-v s="$best" -v kb="$peak" -v sz="$size" \
		'BEGIN { printf "%-9s %8d %9d %11d %9.2f %13.1f %11d\n", f, n, l, b, s, kb / 1024, sz }'
done
"$bench" load "$work/rules.upb" "$runs" >"$work/rules.load" || {
	echo "rules-bench.sh: loading the rules image failed" >&2
	exit 1
}
cat "$work/rules.compile" "$work/rules.load"
csec=$(sed -n 's/^compile: \([0-9.]*\) s.*/\1/p' "$work/rules.compile")
lsec=$(sed -n 's/^load: \([0-9.]*\) s.*/\1/p' "$work/rules.load")
# shellcheck disable=SC2154 # set by eval above
awk -v n="$n" -v cs="$check_rules" -v ts="$target_s" -v ir="$image_rules" -v ie="$image_expanded" \
	-v c="$csec" -v l="$lsec" -v t="$target_ratio" 'BEGIN {
	r = (l > 0) ? c / l : 0
	printf "target for %d UPS with rules: check %.2f s < %.1f s: %s; image %d bytes < %d (expanded, %.1fx smaller): %s; compile / load %.1fx >= %dx: %s\n",
		n, cs, ts, (cs < ts) ? "PASS" : "MISS", ir, ie, (ir > 0) ? ie / ir : 0, (ir < ie) ? "PASS" : "MISS",
		r, t, (r >= t) ? "PASS" : "MISS"
}'
