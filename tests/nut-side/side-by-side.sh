#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# side-by-side.sh - TAP: NUT's upsmon 2.8 (+ upssched) and `upsplan run` on the same upsd and dummy-ups outages (scenarios S1-S7), their NOTIFYCMD, CMDSCRIPT, wall and SHUTDOWNCMD calls recorded and compared.
#
# Environment: UPSPLAN, PEERS_BINDIR, top_srcdir (make check sets them);
# SIDE_SCENARIOS (default "S1 S2 S3 S4 S5 S6 S7"): the scenarios to run;
# PEERS_KEEP=1 keeps the temp dir.  Skips without nut-server and
# nut-client, and (as root) without a private mount namespace; as another
# user, when it may write NUT's /run/nut (member of group nut).  Every
# scenario runs at once on one upsd, each run on a dummy unit of its own
# (FSD is latched per unit): about 80 s.  See tests/nut-side/README.
set -eu

: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
export top_srcdir
# shellcheck source=tests/tap-env.sh
. "$top_srcdir/tests/tap-env.sh"
UPSPLAN=$upsplan
side=$srcdir/tests/nut-side
# shellcheck source=tests/daemon/peers.sh
. "$srcdir/tests/daemon/peers.sh"
# shellcheck source=tests/daemon/daemon-lib.sh
. "$srcdir/tests/daemon/daemon-lib.sh"

# ---------------------------------------------------------------- can it run here

if ! missing=$(peers_available --without-stunnel); then
	echo "1..0 # SKIP missing Debian packages: $missing"
	exit 0
fi
UPSMON=
UPSSCHED=
for f in $(dpkg -L nut-client 2>/dev/null) /lib/nut/upsmon /usr/lib/nut/upsmon /sbin/upssched /usr/sbin/upssched; do
	case $f in
	*/nut/upsmon) [ -n "$UPSMON" ] || { [ -x "$f" ] && [ ! -d "$f" ] && UPSMON=$f; } || : ;;
	*/upssched) [ -n "$UPSSCHED" ] || { [ -x "$f" ] && [ ! -d "$f" ] && UPSSCHED=$f; } || : ;;
	esac
done
# (Debian's /sbin/upsmon is a wrapper that reads /etc/nut/nut.conf and, with
# MODE=none, exits without monitoring: the ELF program is in the lib dir)
if [ -z "$UPSMON" ] || [ -z "$UPSSCHED" ]; then
	echo "1..0 # SKIP missing Debian package: nut-client (NUT's upsmon and upssched)"
	exit 0
fi
if [ ! -x "$UPSPLAN" ]; then
	echo "1..0 # SKIP $UPSPLAN is not built"
	exit 0
fi
# upsmon writes and checks its PID file in the compiled-in /run/nut, whatever
# the environment says: as root each upsmon gets a private /run/nut (a tmpfs
# in a mount namespace of its own), else the system's must not be writable
if [ "$(id -u)" -eq 0 ]; then
	if ! command -v unshare >/dev/null 2>&1 || [ ! -d /run/nut ] ||
		! unshare -m sh -c 'mount -t tmpfs none /run/nut' 2>/dev/null; then
		echo "1..0 # SKIP as root, upsmon needs a private /run/nut: no unshare -m with a tmpfs on /run/nut here"
		exit 0
	fi
	SIDE_NS=1
	SIDE_USER=nobody
else
	if [ -w /run/nut ] || id -Gn | tr ' ' '\n' | grep -qx nut; then
		echo "1..0 # SKIP as a member of group nut, upsmon would overwrite the system's /run/nut/upsmon.pid (run as root, or as another user)"
		exit 0
	fi
	SIDE_NS=
	SIDE_USER=$(id -un)
fi

# upsmon sends PASSWORD unquoted: plain words only
PEERS_PRIMARY_PASS="side-pri-1"
PEERS_SECONDARY_PASS="side-sec-2"
export PEERS_PRIMARY_PASS PEERS_SECONDARY_PASS
SIDE_SCENARIOS=${SIDE_SCENARIOS:-S1 S2 S3 S4 S5 S6 S7}
for s in $SIDE_SCENARIOS; do
	case $s in
	S[1-7]) ;;
	*) echo "Bail out! SIDE_SCENARIOS: $s is not one of S1 ... S7"; exit 1 ;;
	esac
done
# the upsplan that migrates (another part of the project): else hand-written plans
if "$UPSPLAN" migrate --help >/dev/null 2>&1; then
	SIDE_MIGRATE=1
else
	SIDE_MIGRATE=
fi

t_begin=$(date +%s)
peers_init ""
dm_setup
# shellcheck disable=SC2034 # read by dm_start: no --allow-warnings, as in production
DM_ALLOW_WARNINGS=

# ---------------------------------------------------------------- the scenarios

# side_variants S: the config variants of scenario S (N: NOTIFYCMD records;
# U: NOTIFYCMD is upssched, whose CMDSCRIPT records; C: N, CAL notified and
# a message with a shell command, for the deliberate differences)
side_variants() {
	case $1 in
	S4) echo N ;;
	S6) echo U ;;
	S7) echo C ;;
	*) echo "N U" ;;
	esac
}

# side_instances S: P (primary), and S (secondary) in S5
side_instances() {
	case $1 in
	S5) echo "S P" ;;
	*) echo P ;;
	esac
}

# side_unit S V SIDE: the dummy unit a run polls.  S1, S4 and S6 set no FSD:
# all their runs poll one unit at once.  The others each poll their own unit
# (upsd keeps FSD per unit until it restarts), all reading the same file.
side_unit() {
	case $1 in
	S1 | S4 | S6) echo "$1" | tr 'S' 's' ;;
	*) echo "$1$2$3" | tr 'SNUCMP' 'snucmp' ;;
	esac
}

# side_steps S: "OFFSET WHAT" lines, the changes of the dummy file of S after T0
side_steps() {
	case $1 in
	S1) printf '%s\n' "0 OB DISCHRG" "4 OL CHRG" ;;
	S2 | S5) printf '%s\n' "0 OB DISCHRG" "10 OB DISCHRG LB" ;;
	S3) printf '%s\n' "0 OB DISCHRG" "5 kill" ;;
	S4) printf '%s\n' "0 OL RB" "30 OL" "35 OL RB" ;;
	S6) printf '%s\n' "0 OB DISCHRG" "3 OL CHRG" "8 OB DISCHRG" "18 OL CHRG" ;;
	S7) printf '%s\n' "0 OL CAL" "4 OL CHRG" "8 OB DISCHRG" "14 OB DISCHRG LB" ;;
	esac
}

# side_length S: seconds after T0 until every call of S is made (upsplan's
# shutdown in S3 and S5 included), and S4's last step
side_length() {
	case $1 in
	S1) echo 12 ;;
	S2) echo 20 ;;
	S3) echo 34 ;;
	S4) echo 54 ;;
	S5) echo 32 ;;
	S6) echo 26 ;;
	S7) echo 26 ;;
	esac
}

# side_differs S V: the deliberate differences (docs/nut-policy.md) that run
# V of scenario S asserts: "D-n ...:OPTIONS", OPTIONS for side-compare.sh;
# nothing when upsplan must make upsmon's calls.  S7: upsmon 2.8.0 keeps its
# CAL flag for ever, so OB+LB after a calibration never makes the UPS
# critical (D-1): upsplan shuts down, its SHUTDOWNCMD a poll and FINALDELAY
# (2 s) after LB, upsmon never does; and upsmon's shell runs the `echo
# shell-expanded` of the ONBATT message, upsplan passes it as written (D-6)
side_differs() {
	case $1$2 in
	S7C) echo "D-1 D-6:ONLYB=4:3.5 EXPANDS=shell-expanded" ;;
	esac
}

# ---------------------------------------------------------------- configs and plans

# side_fill FILE RUN INSTANCE UNIT ROLE: FILE with the @NAME@ placeholders of
# run RUN's INSTANCE filled in, on standard output
side_fill() {
	if [ "$5" = primary ]; then
		_fl_user=$PRIMARY_USER _fl_pass=$PRIMARY_PASS
	else
		_fl_user=$SECONDARY_USER _fl_pass=$SECONDARY_PASS
	fi
	sed -e "s|@SYSTEM@|$4@127.0.0.1:$UPSD_PORT|g" -e "s|@UNIT@|$4|g" -e "s|@PORT@|$UPSD_PORT|g" \
		-e "s|@USER@|$_fl_user|g" -e "s|@PASS@|$_fl_pass|g" -e "s|@ROLE@|$5|g" \
		-e "s|@BIN@|$PEERS_DIR/$2/bin|g" -e "s|@TAG@|$3|g" -e "s|@DIR@|$PEERS_DIR/$2/$3|g" \
		-e "s|@UPSSCHED@|$UPSSCHED|g" "$1"
}

# side_conf RUN VARIANT INSTANCE UNIT ROLE: the run's directory (recorders
# in bin/, calls.INSTANCE) and the instance's etc/upsmon.conf (and
# upssched.conf), bin/wall (upsmon finds wall on its PATH), run/ (upssched's
# PIPEFN), killpower (POWERDOWNFLAG, never the system's)
side_conf() {
	_cf_r=$PEERS_DIR/$1
	mkdir -p "$_cf_r/bin" "$_cf_r/$3/etc" "$_cf_r/$3/run" "$_cf_r/$3/bin"
	for _cf_k in call notify cmdscript shutdown wall; do
		cp "$side/rec-$_cf_k" "$_cf_r/bin/"
	done
	printf '#!/bin/sh\nexec %s/bin/rec-wall %s "$@"\n' "$_cf_r" "$3" >"$_cf_r/$3/bin/wall"
	chmod 755 "$_cf_r/bin/"* "$_cf_r/$3/bin/wall"
	side_fill "$side/conf/upsmon-$2.conf" "$1" "$3" "$4" "$5" >"$_cf_r/$3/etc/upsmon.conf"
	if [ "$2" = U ]; then
		side_fill "$side/conf/upssched.conf" "$1" "$3" "$4" "$5" >"$_cf_r/$3/etc/upssched.conf"
	fi
	# the monitoring user (nobody as root) runs NOTIFYCMD, upssched, CMDSCRIPT
	: >"$_cf_r/calls.$3"
	chmod 666 "$_cf_r/calls.$3"
	chmod 1777 "$_cf_r/$3/run"
	chmod -R a+rX "$_cf_r"
}

# side_plan SCENARIO VARIANT OUT [INSTANCE]: the plan of upsplan's run of
# SCENARIO and VARIANT in OUT: `upsplan migrate` of the upsmon run's
# upsmon.conf (and upssched.conf) when it is built, else the hand-written
# plan of tests/nut-side/plans (S1 and S2, variant N); 1 when there is none,
# 2 when migrate failed (its output in OUT.log)
side_plan() {
	_pl_i=${4:-P}
	_pl_m=$PEERS_DIR/$1$2-m/$_pl_i/etc
	_pl_r=$1$2-p
	if [ -n "$SIDE_MIGRATE" ]; then
		# the upsmon run's files name its own unit and recorders: migrate a
		# copy that names upsplan's
		mkdir -p "$PEERS_DIR/$_pl_r/$_pl_i/nut"
		_pl_u=$(side_unit "$1" "$2" M)
		_pl_v=$(side_unit "$1" "$2" P)
		for _pl_f in upsmon.conf upssched.conf; do
			[ -f "$_pl_m/$_pl_f" ] || continue
			sed -e "s|$_pl_u@|$_pl_v@|g" -e "s|/$1$2-m/|/$_pl_r/|g" "$_pl_m/$_pl_f" \
				>"$PEERS_DIR/$_pl_r/$_pl_i/nut/$_pl_f"
		done
		set -- "$1" "$2" "$3" "$_pl_i"
		if [ -f "$PEERS_DIR/$_pl_r/$_pl_i/nut/upssched.conf" ]; then
			"$UPSPLAN" migrate --force --upssched "$PEERS_DIR/$_pl_r/$_pl_i/nut/upssched.conf" \
				"$PEERS_DIR/$_pl_r/$_pl_i/nut/upsmon.conf" -o "$3" >"$3.log" 2>&1 || return 2
		else
			"$UPSPLAN" migrate --force "$PEERS_DIR/$_pl_r/$_pl_i/nut/upsmon.conf" -o "$3" >"$3.log" 2>&1 || return 2
		fi
		return 0
	fi
	case $1$2$_pl_i in
	S1NP | S2NP) _pl_hand=primary-N.conf ;;
	*) return 1 ;;
	esac
	side_fill "$side/plans/$_pl_hand" "$_pl_r" "$_pl_i" "$(side_unit "$1" "$2" P)" primary >"$3"
}

# ---------------------------------------------------------------- processes

# side_upsmon_start RUN INSTANCE: NUT's upsmon in the foreground (-F, log on
# stderr, -D for times), its config and upssched's in NUT_CONFPATH, wall
# found first in the instance's bin/; as root in a mount namespace of its
# own with a tmpfs on /run/nut (its PID file).  The PID is the root parent.
side_upsmon_start() {
	_us_d=$PEERS_DIR/$1/$2
	if [ -n "$SIDE_NS" ]; then
		# shellcheck disable=SC2016 # $0 $1 $2 belong to the inner sh
		NUT_CONFPATH=$_us_d/etc PATH=$_us_d/bin:/usr/sbin:/usr/bin:/sbin:/bin \
			unshare -m sh -c 'mount -t tmpfs -o mode=0770 none /run/nut && exec "$0" -F -D -f "$1" -u "$2"' \
			"$UPSMON" "$_us_d/etc/upsmon.conf" "$SIDE_USER" </dev/null >"$_us_d/upsmon.out" 2>"$_us_d/upsmon.log" &
	else
		NUT_CONFPATH=$_us_d/etc PATH=$_us_d/bin:/usr/sbin:/usr/bin:/sbin:/bin \
			"$UPSMON" -F -D -f "$_us_d/etc/upsmon.conf" -u "$SIDE_USER" \
			</dev/null >"$_us_d/upsmon.out" 2>"$_us_d/upsmon.log" &
	fi
	_peers_record "upsmon-$1-$2" "$!"
}

# side_upsmon_child PID: the monitoring child of upsmon's root parent PID
side_upsmon_child() {
	awk '{ print $1 }' 2>/dev/null <"/proc/$1/task/$1/children" || :
}

# side_upsmon_stop RUN INSTANCE: SIGTERM to the monitoring child (the parent
# then exits with status 1: "upsmon parent: read"), and wait for the parent
# (SIGTERM to the parent would leave the child running); nothing when it
# has shut down already (both processes exit after SHUTDOWNCMD)
side_upsmon_stop() {
	_um_pid=$(peers_pid "upsmon-$1-$2") || return 0
	_um_c=$(side_upsmon_child "$_um_pid")
	[ -z "$_um_c" ] || kill -TERM "$_um_c" 2>/dev/null || :
	_um_n=50
	while _peers_alive "$_um_pid" && [ "$_um_n" -gt 0 ]; do
		sleep 0.1
		_um_n=$((_um_n - 1))
	done
	_peers_stop_matching "upsmon-$1-$2" 2>/dev/null || :
}

# side_upsplan_start RUN INSTANCE PLAN: upsplan run of PLAN, its wall the
# instance's recorder, its POWERDOWNFLAG the instance's killpower
side_upsplan_start() {
	_up_name=$(echo "$1_$2" | tr -c 'A-Za-z0-9_\n' '_')
	dm_plan "$_up_name" <"$3"
	dm_start "$_up_name" --powerdownflag "$PEERS_DIR/$1/$2/killpower" -w "$PEERS_DIR/$1/$2/bin/wall"
}

# side_set S WHAT: the dummy file of scenario S says WHAT (a status), or
# (kill) the drivers of its units are stopped; a line of steps.S
side_set() {
	_st_n=$(($(wc -l <"$PEERS_DIR/steps.$1") + 0))
	echo "$_st_n $(date +%s.%N) $2" >>"$PEERS_DIR/steps.$1"
	case $2 in
	kill)
		_st_us=
		for _st_u in $SIDE_UNITS; do
			case $_st_u in
			"$(echo "$1" | tr S s)"*) _st_us="$_st_us $_st_u" ;;
			esac
		done
		# all at once, then reaped (the records are peers.sh's)
		for _st_u in $_st_us; do
			# shellcheck disable=SC2046 # PID and start time, two words
			set -- $(awk -v n="dummy-ups-$_st_u" '$1 == n { print $2, $3 }' "$PEERS_DIR/pids")
			[ $# -ne 2 ] || ! peers_running "$1" "$2" || kill -TERM "$1" 2>/dev/null || :
		done
		for _st_u in $_st_us; do
			_peers_stop_matching "dummy-ups-$_st_u" 2>/dev/null || :
		done ;;
	*)
		printf 'ups.status: %s\nbattery.charge: 100\n' "$2" >"$PEERS_DIR/$1.tmp"
		mv "$PEERS_DIR/$1.tmp" "$PEERS_DIR/$1.dev" ;;
	esac
}

# ---------------------------------------------------------------- set up

SIDE_UNITS=
for s in $SIDE_SCENARIOS; do
	printf 'ups.status: OL CHRG\nbattery.charge: 100\n' >"$PEERS_DIR/$s.dev"
	for v in $(side_variants "$s"); do
		for w in M P; do
			u=$(side_unit "$s" "$v" "$w")
			case " $SIDE_UNITS " in
			*" $u "*) ;;
			*)
				peers_add_ups "$u" "$PEERS_DIR/$s.dev"
				SIDE_UNITS="$SIDE_UNITS $u" ;;
			esac
		done
	done
done
peers_start plain || peers_bail "the peers did not start"
chmod a+rx "$PEERS_DIR"

logins=0
runs=
for s in $SIDE_SCENARIOS; do
	for v in $(side_variants "$s"); do
		for i in $(side_instances "$s"); do
			role=primary
			[ "$i" = P ] || role=secondary
			side_conf "$s$v-m" "$v" "$i" "$(side_unit "$s" "$v" M)" "$role"
			side_conf "$s$v-p" "$v" "$i" "$(side_unit "$s" "$v" P)" "$role"
			# the secondary first: the primary's login count then includes it
			side_upsmon_start "$s$v-m" "$i"
			logins=$((logins + 1))
			rc=0
			side_plan "$s" "$v" "$PEERS_DIR/$s$v-p/$i/plan.conf" "$i" || rc=$?
			case $rc in
			0)
				side_upsplan_start "$s$v-p" "$i" "$PEERS_DIR/$s$v-p/$i/plan.conf"
				logins=$((logins + 1))
				echo "$s$v-p $i" >>"$PEERS_DIR/upsplan-runs" ;;
			2) echo "$s$v-p $i" >>"$PEERS_DIR/migrate-failed" ;;
			esac
		done
		runs="$runs $s$v"
	done
done
# every monitor logged in; upsmon polls again 5 s after its first poll,
# whatever POLLFREQ says, until it has seen OL: start after that
if ! dm_wait_count upsd.log 'logged into UPS' "$logins" 20; then
	peers_bail "not every monitor logged in to upsd ($logins expected)"
fi
# upsmon's monitoring children are recorded too (after their parents, so
# stopped first): a test stopped by a signal must not leave them behind
for r in $runs; do
	for i in $(side_instances "${r%?}"); do
		c=$(side_upsmon_child "$(peers_pid "upsmon-$r-m-$i")")
		[ -z "$c" ] || _peers_record "upsmon-child-$r-m-$i" "$c"
	done
done
sleep 6
t_setup=$(($(date +%s) - t_begin))

# ---------------------------------------------------------------- the outages, all at once

T0=$(date +%s)
events=$PEERS_DIR/events
: >"$events"
end=0
for s in $SIDE_SCENARIOS; do
	echo "0 $(date +%s.%N) start" >"$PEERS_DIR/steps.$s"
	side_steps "$s" | while read -r off what; do
		echo "$off $s $what"
	done >>"$events"
	l=$(side_length "$s")
	[ "$l" -le "$end" ] || end=$l
done
sort -n -k1,1 "$events" >"$events.sorted"
while read -r off s what; do
	while [ "$(date +%s)" -lt $((T0 + off)) ]; do
		sleep 0.1
	done
	side_set "$s" "$what"
done <"$events.sorted"
while [ "$(date +%s)" -lt $((T0 + end)) ]; do
	sleep 0.5
done
t_timeline=$(($(date +%s) - T0))

# ---------------------------------------------------------------- stop, then compare

t_stop=$(date +%s)
for r in $runs; do
	s=${r%?}
	for i in $(side_instances "$s"); do
		side_upsmon_stop "$r-m" "$i"
	done
done
if [ -f "$PEERS_DIR/upsplan-runs" ]; then
	while read -r r i; do
		dm_stop "$(echo "${r}_$i" | tr -c 'A-Za-z0-9_\n' '_')"
	done <"$PEERS_DIR/upsplan-runs"
fi
# upssched's timer daemons (children of upsmon's notify children) exit by
# themselves 15 s after their last timer, removing their PIPEFN: wait
for r in $runs; do
	for p in "$PEERS_DIR/$r"-?/?/run/upssched.pipe; do
		[ -e "$p" ] || continue
		# shellcheck disable=SC2016 # $1 belongs to the inner sh
		dm_until 20 sh -c '! test -e "$1"' sh "$p" || echo "# $p: upssched's timer daemon still runs after 20 s"
	done
done
t_teardown=$(($(date +%s) - t_stop))

# side_timers: upssched.conf's timers and the notify types that start them
side_timers="onbattwarn=ONBATT upsgone=COMMBAD"
# upsplan writes the POWERDOWNFLAG from its root process only; upsmon
# writes it as any user: not started as root, the flag is not compared
noflag=
if [ "$(id -u)" -ne 0 ]; then
	noflag=NOFLAG
	echo "# not root: upsplan writes no POWERDOWNFLAG (upsmon does): the flag is not compared"
fi

# side_last CALLS: when the last call recorded in CALLS was made: "T0+S s", or "none"
side_last() {
	sort -n "$1" 2>/dev/null | tail -n 1 | awk -v t0="$T0" '{ l = sprintf("T0+%.1f s", $1 - t0) } END { print (l == "" ? "none" : l) }'
}

for r in $runs; do
	s=${r%?}
	v=${r#??}
	for i in $(side_instances "$s"); do
		m=$PEERS_DIR/$r-m
		p=$PEERS_DIR/$r-p
		um=$(side_unit "$s" "$v" M)
		up=$(side_unit "$s" "$v" P)
		name="$s $v $i"
		lm=$(side_last "$m/calls.$i")
		lp=$(side_last "$p/calls.$i")
		echo "# $name: last call of upsmon at $lm, of upsplan at $lp (last step at T0+$(side_steps "$s" | tail -n 1 | cut -d ' ' -f 1) s)"
		# 1: upsmon does what the specification says upsmon 2.8.0 does
		exp=$side/expect/$s-$v-$i.exp
		# shellcheck disable=SC2086 # side_timers: words
		if [ ! -f "$exp" ]; then
			tap_skip "no expectation written" "$name: upsmon 2.8.0 made the calls of expect/${exp##*/}"
		elif out=$(sh "$side/side-compare.sh" expect "$PEERS_DIR/steps.$s" "$m/calls.$i" "$um" "$exp" $side_timers 2>&1); then
			ok "$name: upsmon 2.8.0 made the calls of expect/${exp##*/}"
		else
			not_ok "$name: upsmon 2.8.0 made the calls of expect/${exp##*/}" "$out" \
				"$(tail -n 20 "$m/$i/upsmon.log")"
		fi
		# 2: upsplan run made the same calls (S3: upsd still answers the
		# login count with the driver gone, so neither waits: D-2 is not
		# about a dead driver)
		what="upsplan run made upsmon's calls"
		differs=$(side_differs "$s" "$v")
		dopts=
		if [ -n "$differs" ]; then
			what="upsplan run made upsmon's calls but where it differs as documented (${differs%%:*})"
			dopts=${differs#*:}
		fi
		if grep -qx "$r-p $i" "$PEERS_DIR/migrate-failed" 2>/dev/null; then
			not_ok "$name: $what" "upsplan migrate failed:" "$(cat "$p/$i/plan.conf.log")"
			continue
		fi
		if ! grep -qx "$r-p $i" "$PEERS_DIR/upsplan-runs" 2>/dev/null; then
			tap_skip "migrate not built" "$name: $what"
			continue
		fi
		# shellcheck disable=SC2086 # side_timers, dopts and noflag: words
		out=$(sh "$side/side-compare.sh" compare "$PEERS_DIR/steps.$s" "$m/calls.$i" "$um" \
			"$PEERS_DIR/steps.$s" "$p/calls.$i" "$up" $side_timers $dopts $noflag 2>&1) && rc=0 || rc=$?
		# after a SHUTDOWNCMD, upsplan's POWERDOWNFLAG is still there
		if [ "$rc" -eq 0 ] && [ -z "$noflag" ] && grep -q '	shutdown	' "$p/calls.$i" && [ ! -f "$p/$i/killpower" ]; then
			rc=1
			out="$out
upsplan's POWERDOWNFLAG $p/$i/killpower is gone after its SHUTDOWNCMD"
		fi
		uname=$(echo "${r}-p_$i" | tr -c 'A-Za-z0-9_\n' '_')
		# shellcheck disable=SC2086 # side_timers and noflag: words
		if [ "$rc" -eq 0 ]; then
			ok "$name: $what"
		else
			not_ok "$name: $what" "$out" \
				"$(tail -n 20 "$PEERS_DIR/$uname.err" 2>/dev/null)"
		fi
	done
done

t_total=$(($(date +%s) - t_begin))
echo "# times: set-up ${t_setup} s, outages ${t_timeline} s (scenarios at once: $SIDE_SCENARIOS), stop ${t_teardown} s, total ${t_total} s"
for s in $SIDE_SCENARIOS; do
	echo "# $s: last call at $(cat "$PEERS_DIR/$s"*-?/calls.* | side_last /dev/stdin) (its window: $(side_length "$s") s)"
done
echo "1..$n"
dm_done
