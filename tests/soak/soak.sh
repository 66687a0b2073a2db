#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# soak.sh - upsplan run for MINUTES against a real upsd with flapping dummy-ups units, upsd restarts, reloads and SIGHUP storms: RSS and fds flat, no duplicate shutdown, no lost event.
#
# usage: soak.sh [MINUTES]   (default 30; make soak runs it with SOAK_MINUTES)
#
# Started as root (the intended use), the daemon runs with its root parent
# and a monitoring child as nobody; as another user, in one process.  The
# peers (tests/daemon/peers.sh): one upsd with STARTTLS and SOAK_UPS
# dummy-ups units (default 4: a, b, c, d) reading .dev files that this
# script rewrites.  What happens, at random times drawn from SOAK_SEED:
#
#   flapping   each unit's ups.status changes among OL, OB and "OB LB"
#              every 3 to 9 s (never twice in one second: dummy-ups sees a
#              new file by its mtime in whole seconds);
#   restart    upsd stopped for 4 s and started again (about every 100 s);
#   reload     the plan file swapped between two versions that differ in
#              the text of an action, then SIGHUP (about every 40 s);
#   storm      the plan swapped, then 30 SIGHUPs within a second, in three
#              bursts of ten (about every 150 s).
#
# Flapping pauses around the disruptions: it stops 3 s before one (the
# daemon has seen every change by then, POLLFREQ 1) and starts again once
# the daemon is back to normal: after a restart, when every unit had its
# NOCOMM->COMM; after a reload or a storm, when every "SIGHUP: compiling"
# has its "reload: the new plan runs" (and 2 s more for the new
# connections).  So every change is one the daemon must see, and the
# sequence the script plays is also written as a scenario (soak.scn:
# "set" lines, and lose-upsd/restore-upsd for the restarts).
#
# Checks, each a line of the summary (exit 1 when one fails):
#   events     per unit, the events and actions of the daemon's --trace
#              are those of `upsplan simulate --keep-going` of soak.scn, in
#              the same order (the plan version in PRINT texts aside; units
#              are compared apart, as the order between units within one
#              poll is not fixed);
#   shutdown   the plan's SHUTDOWNCMD (on None->LB of unit a) ran once per
#              scripted move of a into LB, no more, no less; it exits 1 on
#              purpose, as a succeeded SHUTDOWNCMD is never followed by
#              another (the host is going down) and each outage must count;
#   rss, fds   sampled every 10 s (VmRSS, entries of /proc/PID/fd) for the
#              root parent and the monitoring child; "flat" when the last
#              quiet sample is within the tolerance of the baseline: the
#              first quiet sample after a restart, a reload and a storm
#              have each happened once (every code path has made its
#              buffers).  Tolerance: RSS + max(5 %, 512 kB), fds + 2.
#   alive      the daemon ran to the end and stopped with status 0 on
#              SIGTERM.
#
# Output (directory SOAK_OUT, default ./soak-out): soak.csv (time_s, phase,
# parent_rss_kb, parent_fds, child_rss_kb, child_fds), soak.scn, the
# daemon's trace, log and output, simulate's trace, the per-unit event
# lists (events-*.run, events-*.sim) and summary.txt.
#
# Environment: UPSPLAN, PEERS_BINDIR (make soak sets them), SOAK_UPS,
# SOAK_SEED, SOAK_OUT, PEERS_KEEP (keep the peers' temp dir).
set -eu

here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/daemon/peers.sh
. "$here/../daemon/peers.sh"
# shellcheck source=tests/daemon/daemon-lib.sh
. "$here/../daemon/daemon-lib.sh"

minutes=${1:-30}
case $minutes in
'' | *[!0-9]* | 0)
	echo "soak.sh: MINUTES must be a whole number of minutes, not '$minutes'" >&2
	exit 2 ;;
esac
nups=${SOAK_UPS:-4}
seed=${SOAK_SEED:-$(($(date +%s) % 1000003))}
out=${SOAK_OUT:-$(pwd)/soak-out}
case $out in /*) ;; *) out=$(pwd)/$out ;; esac
if ! missing=$(peers_available); then
	echo "soak.sh: missing Debian packages: $missing" >&2
	exit 2
fi
[ -x "$UPSPLAN" ] || { echo "soak.sh: $UPSPLAN is not built (set UPSPLAN)" >&2; exit 2; }
case $UPSPLAN in /*) ;; *) UPSPLAN=$(pwd)/$UPSPLAN ;; esac
rm -rf "$out"
mkdir -p "$out"

say() {
	printf 'soak: %s\n' "$*"
}

# rnd MIN MAX: a number from MIN to MAX (a linear congruential generator from SOAK_SEED)
rnd_state=$seed
rnd() {
	rnd_state=$(((rnd_state * 1103515245 + 12345) % 2147483648))
	r=$(($1 + (rnd_state / 65536) % ($2 - $1 + 1)))
}

now_ms() {
	echo $(($(date +%s%N) / 1000000))
}

# ------------------------------------------------------------ peers

peers_init
names=
i=0
for u in a b c d e f g h i j k l; do
	[ "$i" -lt "$nups" ] || break
	printf 'ups.status: OL\nbattery.charge: 100\n' >"$PEERS_DIR/$u.dev"
	peers_add_ups "$u" "$PEERS_DIR/$u.dev"
	names="$names $u"
	eval "st_$u=OL"
	i=$((i + 1))
done
peers_start tls || peers_bail "the peers did not start"
dm_setup
ACT=$PEERS_DIR/act

# plan VERSION: the plan file; the versions differ in the text of PRINT.
# A group per unit (all on the one upsd): LS (the group's supplies below
# MINSUPPLIES) then depends on that unit alone, not on the order in which
# the polls of several units of a group answer.
plan() {
	{
		echo "POLLFREQ 1 POLLFREQALERT 1"
		for u in $names; do
			echo "GROUP G-$u HOST 127.0.0.1 PORT $UPSD_PORT CERTFILE \"$CA_FILE\" MINSUPPLIES 1"
			echo "MONITOR $u POWERVAL 1 UPSDUSER $PRIMARY_USER PASSWORD \"$PRIMARY_PASS\" TYPE primary"
			for e in OL-\>OB OB-\>OL None-\>LB LB-\>None COMM-\>NOCOMM NOCOMM-\>COMM; do
				if [ "$u" = a ] && [ "$e" = "None->LB" ]; then
					echo "WHEN a REPORTS None->LB : PRINT \"$1 %(u)s %(e)s\"" \
						"SHUTDOWNCMD \"/bin/sh -c 'echo shutdown >> $ACT/shutdown; exit 1'\""
				else
					echo "WHEN $u REPORTS $e : PRINT \"$1 %(u)s %(e)s\""
				fi
			done
		done
	} | dm_plan soak
}

# ------------------------------------------------------------ samples

# the monitoring child of the root parent (none when not root)
child_pid() {
	pgrep -P "$DM_PID" -x upsplan 2>/dev/null | head -n 1
}

rss_kb() {
	awk '$1 == "VmRSS:" { print $2 }' "/proc/$1/status" 2>/dev/null || true
}

fds() {
	ls "/proc/$1/fd" 2>/dev/null | wc -l
}

# sample PHASE: a line of soak.csv
sample() {
	_c=$(child_pid || true)
	_t=$((($(now_ms) - t0) / 1000))
	if [ -n "$_c" ]; then
		printf '%s,%s,%s,%s,%s,%s\n' "$_t" "$1" "$(rss_kb "$DM_PID")" "$(fds "$DM_PID")" "$(rss_kb "$_c")" "$(fds "$_c")"
	else
		printf '%s,%s,%s,%s,,\n' "$_t" "$1" "$(rss_kb "$DM_PID")" "$(fds "$DM_PID")"
	fi >>"$out/soak.csv"
	next_sample=$(($(now_ms) + 10000))
}

# ------------------------------------------------------------ actions

# scn LINE...: a line of the scenario, at the time since the daemon started
scn() {
	_ms=$(($(now_ms) - t0))
	printf 'at %d.%03d %s\n' $((_ms / 1000)) $((_ms % 1000)) "$*" >>"$out/soak.scn"
}

# flip UNIT: a new ups.status for UNIT
flip() {
	_old=
	eval "_old=\$st_$1"
	rnd 0 1
	case $_old in
	OL) set -- "$1" OB "OB LB" ;;
	OB) set -- "$1" OL "OB LB" ;;
	*) set -- "$1" OL OB ;;
	esac
	if [ "$r" -eq 0 ]; then _new=$2; else _new=$3; fi
	printf 'ups.status: %s\nbattery.charge: 100\n' "$_new" >"$PEERS_DIR/$1.tmp"
	mv "$PEERS_DIR/$1.tmp" "$PEERS_DIR/$1.dev"
	scn "set $1 ups.status \"$_new\""
	if [ "$1" = a ] && [ "$_new" = "OB LB" ]; then
		want_shutdowns=$((want_shutdowns + 1))
	fi
	eval "st_$1=\$_new"
	changes=$((changes + 1))
	last_change=$(now_ms)
	rnd 3000 9000
	eval "next_$1=\$((last_change + r))"
}

# quiesce: no change for 3 s, so that the daemon has seen them all
quiesce() {
	while [ $(($(now_ms) - last_change)) -lt 3000 ]; do
		sleep 0.2
	done
}

# resume: flapping starts again, each unit at its own random time
resume() {
	_n=$(now_ms)
	for u in $names; do
		rnd 500 6000
		eval "next_$u=\$((_n + r))"
	done
}

# every unit had N NOCOMM->COMM events in the trace
all_back() {
	for u in $names; do
		[ "$(grep -c " G-$u:$u@[^ ]* *NOCOMM->COMM *event" "$PEERS_DIR/soak.trace" || true)" -ge "$1" ] || return 1
	done
}

# every "SIGHUP: compiling" has its "reload: the new plan runs" (or its error)
reloads_done() {
	_c=$(grep -c 'SIGHUP: compiling' "$PEERS_DIR/soak.err" || true)
	_r=$(grep -c 'reload: the new plan runs\|the running plan is kept' "$PEERS_DIR/soak.err" || true)
	[ "$_c" -eq "$_r" ]
}

settle_reloads() {
	dm_until 30 reloads_done || fail "reload did not finish within 30 s"
	sleep 2
	dm_until 10 reloads_done || fail "reload did not finish"
}

failures=0
fail() {
	say "FAIL: $*"
	failures=$((failures + 1))
}

do_restart() {
	restarts=$((restarts + 1))
	say "upsd restart $restarts"
	peers_stop_upsd || peers_bail "upsd did not stop"
	scn "lose-upsd 127.0.0.1:$UPSD_PORT"
	sleep 4
	peers_start_upsd || peers_bail "upsd did not start again"
	scn "restore-upsd 127.0.0.1:$UPSD_PORT"
	dm_until 120 all_back "$restarts" || fail "upsd restart $restarts: not every unit came back (NOCOMM->COMM) within 120 s"
	sleep 1
}

do_reload() {
	reloads=$((reloads + 1))
	version=$((3 - version))
	plan "v$version"
	kill -HUP "$DM_PID"
	dm_until 10 _dm_has soak.err 'SIGHUP: compiling' || true
	settle_reloads
}

do_storm() {
	storms=$((storms + 1))
	say "SIGHUP storm $storms"
	version=$((3 - version))
	plan "v$version"
	# three bursts of ten within a second: some come while a reload is pending
	for _b in 1 2 3; do
		for _k in 0 1 2 3 4 5 6 7 8 9; do
			kill -HUP "$DM_PID"
		done
		sleep 0.3
	done
	settle_reloads
}

# ------------------------------------------------------------ the run

version=1
plan v1
: >"$out/soak.scn"
echo "time_s,phase,parent_rss_kb,parent_fds,child_rss_kb,child_fds" >"$out/soak.csv"
say "seed $seed, $nups units, $minutes min, upsd on port $UPSD_PORT, output in $out"
dm_start soak
t0=$(now_ms)
end=$((t0 + minutes * 60000))
# the first polls
sleep 5
kill -0 "$DM_PID" 2>/dev/null || peers_bail "the daemon did not start: $(tail -n 5 "$PEERS_DIR/soak.err")"

changes=0 restarts=0 reloads=0 storms=0 want_shutdowns=0 baseline=
last_change=$(now_ms)
next_sample=0
rnd 60000 90000; next_restart=$((t0 + r))
rnd 20000 40000; next_reload=$((t0 + r))
rnd 100000 130000; next_storm=$((t0 + r))
resume
sample quiet
while :; do
	n=$(now_ms)
	[ "$n" -lt "$end" ] || break
	if ! kill -0 "$DM_PID" 2>/dev/null; then
		fail "the daemon is gone after $(((n - t0) / 1000)) s"
		break
	fi
	[ "$n" -lt "$next_sample" ] || sample quiet
	# the first quiet sample once each disruption has happened: the baseline
	if [ -z "$baseline" ] && [ "$restarts" -gt 0 ] && [ "$reloads" -gt 0 ] && [ "$storms" -gt 0 ]; then
		sample quiet
		baseline=$(tail -n 1 "$out/soak.csv")
	fi
	what=
	if [ "$n" -ge "$next_restart" ]; then
		what=restart
	elif [ "$n" -ge "$next_storm" ]; then
		what=storm
	elif [ "$n" -ge "$next_reload" ]; then
		what=reload
	fi
	if [ -n "$what" ]; then
		quiesce
		"do_$what"
		sample "$what"
		n=$(now_ms)
		case $what in
		restart) rnd 80000 120000; next_restart=$((n + r)) ;;
		reload) rnd 30000 50000; next_reload=$((n + r)) ;;
		storm) rnd 130000 170000; next_storm=$((n + r)) ;;
		esac
		resume
		continue
	fi
	for u in $names; do
		_due=
		eval "_due=\$next_$u"
		[ "$n" -lt "$_due" ] || flip "$u"
	done
	sleep 0.2
done
quiesce
sleep 2
sample quiet
elapsed=$((($(now_ms) - t0) / 1000))
scn "end"

# ------------------------------------------------------------ checks

# events: the daemon's trace against simulate's, unit by unit
cp "$PEERS_DIR/soak.trace" "$out/daemon.trace"
plan v1
cp "$PEERS_DIR/soak.conf" "$out/soak.conf"
"$UPSPLAN" simulate --keep-going --hostname "${DM_HOSTNAME:-testhost}" "$PEERS_DIR/soak.conf" "$out/soak.scn" \
	>"$out/simulate.trace" 2>"$out/simulate.err" || fail "upsplan simulate failed: $(head -n 3 "$out/simulate.err")"
cp "$out/daemon.trace" "$PEERS_DIR/run.trace.copy"
cp "$out/simulate.trace" "$PEERS_DIR/sim.trace.copy"
events_total=0
for u in $names; do
	# the UPS column: GROUP:NAME@HOST:PORT (a group per unit)
	dm_events run.trace.copy | awk -v u="G-$u:$u@" 'index($1, u) == 1' | sed 's/ v[12] / vN /' >"$out/events-$u.run"
	dm_events sim.trace.copy | awk -v u="G-$u:$u@" 'index($1, u) == 1' | sed 's/ v[12] / vN /' >"$out/events-$u.sim"
	if cmp -s "$out/events-$u.sim" "$out/events-$u.run"; then
		events_total=$((events_total + $(wc -l <"$out/events-$u.run")))
	else
		fail "unit $u: the daemon's events differ from simulate's:"
		diff "$out/events-$u.sim" "$out/events-$u.run" | head -n 20 | sed 's/^/soak:   /'
	fi
done
[ "$events_total" -gt 0 ] || fail "no event at all in the trace"
sim_shutdowns=$(grep -c ' G-a:a@[^ ]* *None->LB *SHUTDOWNCMD' "$out/simulate.trace" || true)
ran_shutdowns=$(dm_count act/shutdown shutdown)
[ "$ran_shutdowns" -eq "$want_shutdowns" ] && [ "$sim_shutdowns" -eq "$want_shutdowns" ] ||
	fail "SHUTDOWNCMD ran $ran_shutdowns times; the script moved a into LB $want_shutdowns times (simulate: $sim_shutdowns)"

# rss and fds: the baseline and the last quiet sample
[ -n "$baseline" ] || baseline=$(sed -n '2p' "$out/soak.csv")
last=$(grep ',quiet,' "$out/soak.csv" | tail -n 1)
verdicts=$(awk -F, -v b="$baseline" -v l="$last" 'BEGIN {
	split(b, B, ","); split(l, L, ",")
} NR > 1 {
	for (k = 3; k <= 6; k++) if ($k != "" && $k + 0 > M[k] + 0) M[k] = $k
	if (!S[3]) for (k = 3; k <= 6; k++) S[k] = $k
} END {
	name[3] = "parent RSS (kB)"; name[4] = "parent fds"; name[5] = "child RSS (kB)"; name[6] = "child fds"
	for (k = 3; k <= 6; k++) {
		if (B[k] == "") continue
		tol = (k % 2) ? (B[k] * 0.05 > 512 ? B[k] * 0.05 : 512) : 2
		v = (L[k] - B[k] <= tol) ? "flat" : "growing"
		printf "%-16s start %s, baseline %s, end %s, max %s: %s (tolerance +%d)\n", name[k], S[k], B[k], L[k], M[k], v, tol
	}
}' "$out/soak.csv")
dm_stop soak
[ "$DM_STATUS" -eq 0 ] || fail "SIGTERM: the daemon stopped with status $DM_STATUS"
for f in soak.err soak.out; do cp "$PEERS_DIR/$f" "$out/daemon.${f#soak.}"; done

{
	echo "soak: $elapsed s, seed $seed, $nups units, $changes status changes, $restarts upsd restarts, $reloads reloads, $storms SIGHUP storms"
	echo "soak: events: $events_total per-unit trace lines equal to simulate's"
	echo "soak: shutdown: SHUTDOWNCMD ran $ran_shutdowns times for $want_shutdowns scripted outages of a (simulate: $sim_shutdowns)"
	printf '%s\n' "$verdicts" | sed 's/^/soak: /'
	echo "soak: SIGHUPs sent: $((reloads + 30 * storms)); the plan compiled $(grep -c 'SIGHUP: compiling' "$out/daemon.err" || true)" \
		"times, swapped in $(grep -c 'reload: the new plan runs' "$out/daemon.err" || true)," \
		"come while one was pending (ignored or put off) $(grep -c 'SIGHUP.*\(ignored\|after that\)' "$out/daemon.err" || true)"
} >"$out/summary.txt"
case $verdicts in *growing*) fail "RSS or fds grew" ;; esac
[ "$failures" -eq 0 ] && echo "soak: PASS" >>"$out/summary.txt" || echo "soak: FAIL ($failures checks)" >>"$out/summary.txt"
cat "$out/summary.txt"
[ "$failures" -eq 0 ] || { PEERS_KEEP=1; exit 1; }
exit 0
