#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# engine-bench.sh - benchmark of the engine: handler runs/s without allocation, steady polls of a hold-time rule, compiling vs loading a 10,000-UPS image, ratio to NUT's upssched.
#
# Usage: sh tests/bench/engine-bench.sh [N]          (default: 10000 UPS)
# Environment: UPSPLAN (default ./upsplan), ENGINE_BENCH (default
# ./tests/bench/engine-bench, built by `make bench`), RUNS (default 3),
# BENCH_SECONDS (length of each timed loop, default 1.5), UPSSCHED (path of
# NUT's upssched; default: searched in PATH, /sbin, /usr/sbin; "none" skips
# the peer).
# Measured, in this order:
#   1. the handler of UPS-1 for None->LB in examples/timed.conf (NOTIFY,
#      NUTLOG, WALL with %(b)s %(u)s %(c)s %(e)s, STARTTIMER) run with
#      vm_run_event() in a loop: runs/s, ns/run, effects/s, and the
#      malloc/calloc/realloc/free calls and VM buffer growths during the
#      loop (after one warm-up run).  Target: >= 2,000,000 runs/s, 0 calls.
#      The rate is runs per second of the loop's CPU time (the thread's
#      clock), so that other work on the machine does not count; the
#      wall-clock rate and the load average are printed beside it.
#      Then the same for tests/bench/cond-bench.conf, whose handler first
#      evaluates IF battery.runtime < 300 AND ups.alarm =~ "overheat|fan"
#      (a comparison and a PCRE2 match, with the JIT where PCRE2 has it)
#      and has 4 actions: the same target.
#   1c. hold-time rules: tests/bench/level-bench.conf's rule (WHEN UPS-1
#      BECOMES battery.runtime < 300 FOR 30s) polled through eng_poll()
#      and eng_expire() as the daemon does, with a steady value: false,
#      true during the hold, true after it fired.  Printed per phase:
#      polls/s, timer operations (starts, cancels, expiries), firings,
#      actions, allocator calls; then the time of the rule's test alone.
#      Target: 0 timer operations, firings and allocator calls while the
#      value is steady.
#   2. the N-UPS plan of gen-plan.sh compiled to an image file and loaded
#      back (read, img_decode, img_verify; vm_new apart), each in its own
#      process (peak RSS), best of RUNS; `upsplan compile` for reference.
#      Target: compiling takes >= 5 times as long as loading.
#   3. the NUT peer: upsmon runs NOTIFYCMD=upssched once per event, which
#      reads upssched.conf and runs an AT ... EXECUTE rule through its
#      CMDSCRIPT (/bin/true here), in a temporary directory (NUT_CONFPATH).
#      Printed: invocations/s and the ratio of upsplan's handler runs/s to
#      it.  Skipped, with a message, when upssched is not installed
#      (Debian package nut-client).
# PASS or MISS is printed, but this is a benchmark, not a test: the exit
# status is 1 only when a step fails or a tool is missing.
set -eu

# shellcheck source=tests/bench/bench-lib.sh
. "$(cd "$(dirname "$0")" && pwd)/bench-lib.sh"
upsplan=$(abspath "${UPSPLAN:-./upsplan}")
bench=$(abspath "${ENGINE_BENCH:-./tests/bench/engine-bench}")
runs=${RUNS:-3}
seconds=${BENCH_SECONDS:-1.5}
n=${1:-10000}
target_ratio=5

for p in "$upsplan" "$bench"; do
	if [ ! -x "$p" ]; then
		echo "engine-bench.sh: $p is not an executable (run make bench, or set UPSPLAN and ENGINE_BENCH)" >&2
		exit 1
	fi
done

work=$(mktemp -d "${TMPDIR:-/tmp}/upsplan-enginebench.XXXXXX")
trap 'rm -rf "$work"' EXIT HUP INT TERM

echo "upsplan engine benchmark: $("$upsplan" --version | head -n 1), $(uname -m), $(nproc 2>/dev/null || echo '?') CPU"

# 1. handler runs per second, allocations
"$bench" handler "$srcdir/examples/timed.conf" "$seconds" >"$work/handler" || {
	echo "engine-bench.sh: the handler benchmark failed" >&2
	exit 1
}
cat "$work/handler"
# the peer is timed on the wall clock: its ratio takes the handler's wall-clock rate
rate=$(sed -n 's/^  handler runs: .*; wall clock \([0-9][0-9]*\) runs\/s.*/\1/p' "$work/handler")

# 1b. the same with a condition: a comparison and a pattern match before the 4 actions
"$bench" handler "$here/cond-bench.conf" "$seconds" || {
	echo "engine-bench.sh: the condition handler benchmark failed" >&2
	exit 1
}

# 1c. a hold-time rule polled with a steady value
"$bench" level "$here/level-bench.conf" "$seconds" || {
	echo "engine-bench.sh: the hold-time benchmark failed" >&2
	exit 1
}

# 2. compile vs load of the N-UPS plan
plan=$work/plan-$n.conf
sh "$here/gen-plan.sh" "$n" >"$plan"
chmod 600 "$plan"
echo "plan: $n UPS from gen-plan.sh, $(wc -l <"$plan" | tr -d ' ') lines, $(wc -c <"$plan" | tr -d ' ') bytes"
"$bench" compile "$plan" "$work/plan.upb" "$runs" >"$work/compile" || {
	echo "engine-bench.sh: compiling the $n-UPS plan failed" >&2
	exit 1
}
"$bench" load "$work/plan.upb" "$runs" >"$work/load" || {
	echo "engine-bench.sh: loading the $n-UPS image failed" >&2
	exit 1
}
cat "$work/compile" "$work/load"
if [ -x /usr/bin/time ]; then
	best=
	peak=0
	i=0
	while [ $i -lt "$runs" ]; do
		i=$((i + 1))
		/usr/bin/time -o "$work/time" -f '%e %M' "$upsplan" compile --hostname=bench "$plan" \
			-o "$work/cli.upb" 2>"$work/stderr" || {
			echo "engine-bench.sh: upsplan compile failed:" >&2
			head -n 20 "$work/stderr" >&2
			exit 1
		}
		read -r sec kb <<EOF
$(tail -n 1 "$work/time")
EOF
		best=$(awk -v a="${best:-$sec}" -v b="$sec" 'BEGIN { print (b < a) ? b : a }')
		[ "$kb" -gt "$peak" ] && peak=$kb
	done
	awk -v s="$best" -v kb="$peak" -v r="$runs" 'BEGIN {
		printf "upsplan compile (command, for reference): %.2f s (best of %d, fsync included), peak RSS %.1f MB\n", s, r, kb / 1024
	}'
fi
csec=$(sed -n 's/^compile: \([0-9.]*\) s.*/\1/p' "$work/compile")
lsec=$(sed -n 's/^load: \([0-9.]*\) s.*/\1/p' "$work/load")
vsec=$(sed -n 's/^vm_new: \([0-9.]*\) s.*/\1/p' "$work/load")
awk -v c="$csec" -v l="$lsec" -v v="$vsec" -v t="$target_ratio" -v n="$n" 'BEGIN {
	r = (l > 0) ? c / l : 0
	printf "compile / load: %.1fx (%.1fx counting vm_new in the load)\n", r, (l + v > 0) ? c / (l + v) : 0
	printf "target for %d UPS: compile / load %.1fx >= %dx: %s\n", n, r, t, (r >= t) ? "PASS" : "MISS"
}'

# 3. the NUT peer: upssched
upssched=${UPSSCHED:-}
if [ -z "$upssched" ]; then
	upssched=$(command -v upssched 2>/dev/null || true)
	for p in /sbin/upssched /usr/sbin/upssched /usr/local/sbin/upssched; do
		[ -n "$upssched" ] && break
		[ -x "$p" ] && upssched=$p
	done
fi
if [ -z "$upssched" ] || [ "$upssched" = none ] || [ ! -x "$upssched" ]; then
	echo "peer: upssched not found (Debian package nut-client): no peer ratio"
	exit 0
fi
peer=$work/peer
mkdir "$peer"
cat >"$peer/upssched.conf" <<EOF
CMDSCRIPT /bin/true
PIPEFN $peer/upssched.pipe
LOCKFN $peer/upssched.lock
AT LOWBATT * EXECUTE lowbatt
EOF
# one run first: the EXECUTE rule must fire (upssched says so on stderr)
if ! (cd "$peer" && NUT_CONFPATH=$peer UPSNAME=UPS-1@localhost NOTIFYTYPE=LOWBATT "$upssched" \
	>"$work/peer.out" 2>&1) || ! grep -q 'lowbatt' "$work/peer.out"; then
	echo "peer: $upssched did not run the EXECUTE rule; no peer ratio:"
	head -n 5 "$work/peer.out"
	exit 0
fi
(cd "$peer" && "$bench" peer "$upssched" "$seconds") >"$work/peer-exec" || {
	echo "engine-bench.sh: the upssched benchmark failed" >&2
	exit 1
}
(cd "$peer" && "$bench" peer "$upssched" "$seconds" sh) >"$work/peer-sh" || {
	echo "engine-bench.sh: the upssched benchmark (through sh) failed" >&2
	exit 1
}
ver=$(dpkg-query -W -f '${Version}' nut-client 2>/dev/null || true)
echo "peer: $upssched${ver:+ (nut-client $ver)}, one LOWBATT event, AT LOWBATT * EXECUTE with CMDSCRIPT /bin/true"
cat "$work/peer-exec" "$work/peer-sh"
pexec=$(sed -n 's/.*: \([0-9.]*\) invocations\/s.*/\1/p' "$work/peer-exec")
psh=$(sed -n 's/.*: \([0-9.]*\) invocations\/s.*/\1/p' "$work/peer-sh")
awk -v r="$rate" -v a="$pexec" -v b="$psh" 'BEGIN {
	printf "peer ratio: upsplan handler runs/s (wall clock) / upssched invocations/s = %.0fx (direct exec), %.0fx (through sh -c)\n",
		r / a, r / b
}'
exit 0
