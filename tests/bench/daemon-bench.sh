#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# daemon-bench.sh - benchmark of `upsplan run` against NUT's upsmon on one real upsd 2.8.0 (STARTTLS) serving N dummy-ups units: time until all are logged in, CPU and RSS at POLLFREQ 1, latency from a status change to the action.
#
# Usage: sh tests/bench/daemon-bench.sh        (make bench runs it)
# Environment:
#   UPSPLAN                 the program (default ./upsplan)
#   PEERS_BINDIR            freeport, silent-server, nut-probe (default
#                           ./tests/daemon; `make check TESTS=` builds them)
#   DAEMON_BENCH_PROBE      the timing helper (default
#                           ./tests/bench/daemon-bench-probe, built by make bench)
#   BENCH_UNITS=200         N of the main run
#   BENCH_SECONDS=60        length of the CPU/RSS window
#   BENCH_LATENCY_SAMPLES=5 units switched OL->OB and back (2 changes each)
#   BENCH_UNITS_LARGE=1000  N of the second run (login time, CPU, RSS only);
#                           0 skips it
#   BENCH_LARGE_UPSMON=1    0: the second run measures upsplan only
#   BENCH_AS=user           user: upsplan runs as the user nobody (setpriv,
#                           one process); root: as root with -u nobody (root
#                           parent + monitoring child).  Not root: as the
#                           caller, either way.
#   UPSMON                  NUT's upsmon ELF binary (default: from dpkg -L
#                           nut-client, else /lib/nut/upsmon); "none" skips it
#   PEERS_KEEP=1            keep the peers' temp dirs
#
# Each run (a child process of this script, so that it has its own peers)
# starts one upsd with STARTTLS and N dummy-ups units (dummy-once files,
# ups.status OL, battery.charge 100) with tests/daemon/peers.sh, then
# measures upsplan and then upsmon, one after the other, each stopped
# before the next starts:
#   a. login: from the daemon's start until upsd's log (upsd runs in the
#      foreground, $PEERS_DIR/upsd.log) has "User ... logged into UPS [u]"
#      for N distinct units; the log is read every 50 ms;
#   b. CPU (utime+stime of the daemon's processes: upsplan's root parent and
#      monitoring child, upsmon's parent and child; not the action
#      commands) over BENCH_SECONDS, starting 1 s after the last login, and
#      RSS (the sum of VmRSS, sampled every second: its maximum, also for
#      the monitoring process alone, the child of a root parent; and the sum
#      of VmHWM at the end);
#   c. latency: a unit's dummy-ups file is rewritten (atomic rename) to OB,
#      then back to OL; measured from the rename to the line the action
#      writes (upsplan: SHELLCMD appending to a file, and PRINT on its
#      standard output; upsmon: NOTIFYCMD ONBATT/ONLINE appending to a
#      file), and to upsd answering GET VAR with the new status (polled
#      every 2 ms on a plain connection): that is the driver+upsd part
#      (dummy-ups re-reads its file about once a second).  The daemon's
#      share is the difference.  Each change starts at a random moment.
# upsmon (nut-client) runs in the foreground with -u nobody, STARTTLS and
# certificate verification (CERTPATH: an NSS DB holding the test CA,
# CERTVERIFY 1, FORCESSL 1), MONITOR uK@127.0.0.1:PORT 1 user pass primary,
# SHUTDOWNCMD "/bin/true", POWERDOWNFLAG in the temp dir, in a private mount
# namespace whose /run/nut is the temp dir (upsmon 2.8.0 writes its PID file
# to the compiled-in /run/nut whatever NUT_ALTPIDPATH says).
# Targets (PASS or MISS is printed; a benchmark, not a test: the exit status
# is 0 unless a step fails or a program is missing): all N logged in within
# 3 s; CPU and RSS at most half of upsmon's; the daemon's share of the
# latency at most one poll interval (1 s) + 50 ms.
set -eu

# shellcheck source=tests/bench/bench-lib.sh
. "$(cd "$(dirname "$0")" && pwd)/bench-lib.sh"
UPSPLAN=$(abspath "${UPSPLAN:-./upsplan}")
PEERS_BINDIR=$(abspath "${PEERS_BINDIR:-./tests/daemon}")
DAEMON_BENCH_PROBE=$(abspath "${DAEMON_BENCH_PROBE:-./tests/bench/daemon-bench-probe}")
export UPSPLAN PEERS_BINDIR DAEMON_BENCH_PROBE

units=${BENCH_UNITS:-200}
seconds=${BENCH_SECONDS:-60}
samples=${BENCH_LATENCY_SAMPLES:-5}
units_large=${BENCH_UNITS_LARGE:-1000}
pollfreq=1
tck=$(getconf CLK_TCK)

say() {
	printf '%s\n' "$*" >&2
}

# ---------------------------------------------------------------- helpers of a run

# ticks PID: utime+stime of PID in clock ticks (0 when it is gone)
ticks() {
	awk '{ sub(/^.*\) /, ""); print $12 + $13 }' "/proc/$1/stat" 2>/dev/null || echo 0
}

# status_kb FIELD PID...: the sum of a /proc/PID/status field (VmRSS, VmHWM)
status_kb() {
	_f=$1
	shift
	_sum=0
	for _p in "$@"; do
		_v=$(awk -v f="$_f:" '$1 == f { print $2 }' "/proc/$_p/status" 2>/dev/null || true)
		_sum=$((_sum + ${_v:-0}))
	done
	echo "$_sum"
}

sum_ticks() {
	_sum=0
	for _p in "$@"; do
		_sum=$((_sum + $(ticks "$_p")))
	done
	echo "$_sum"
}

comm_of() {
	cat "/proc/$1/comm" 2>/dev/null || true
}

# family PID [NAME]: PID and its descendants named NAME (default: PID's
# command name): the daemon's own processes, not an action's shell
family() {
	_c=${2:-$(comm_of "$1")}
	echo "$1"
	for _k in $(pgrep -P "$1" 2>/dev/null); do
		[ "$(comm_of "$_k")" = "$_c" ] && family "$_k" "$_c"
	done
	return 0
}

# stop_procs all|first PID...: TERM to every PID (all) or to the first one
# (first: the others 3 s later if still alive); KILL after 10 s
stop_procs() {
	_all=$1
	shift
	if [ "$_all" = all ]; then
		for _p in "$@"; do kill -TERM "$_p" 2>/dev/null || true; done
	else
		kill -TERM "$1" 2>/dev/null || true
	fi
	_i=0
	while :; do
		_left=
		for _p in "$@"; do
			_peers_alive "$_p" && _left="$_left $_p"
		done
		[ -n "$_left" ] || break
		_i=$((_i + 1))
		if [ "$_i" -eq 30 ]; then
			for _p in $_left; do kill -TERM "$_p" 2>/dev/null || true; done
		fi
		if [ "$_i" -ge 100 ]; then
			say "daemon-bench: $_left ignored SIGTERM for 10 s: SIGKILL"
			for _p in $_left; do kill -KILL "$_p" 2>/dev/null || true; done
			sleep 0.2
			break
		fi
		sleep 0.1
	done
	wait "$1" 2>/dev/null || true
}

# stats: min med max of the numbers on standard input (one a line), "- - -" for none
stats() {
	sort -n | awk '{ v[++n] = $1 } END {
		if (n == 0) { print "- - -"; exit }
		m = (n % 2) ? v[(n + 1) / 2] : (v[n / 2] + v[n / 2 + 1]) / 2
		printf "%.3f %.3f %.3f\n", v[1], m, v[n]
	}'
}

res() { # KEY VALUE: a result of this run
	printf '%s=%s\n' "$1" "$2" >>"$result"
}

# ---------------------------------------------------------------- one daemon

# measure NAME START_FUNCTION: start the daemon, login time, CPU/RSS window,
# latency (when $with_latency), stop it
measure() {
	_d=$1
	off=$(wc -c <"$PEERS_DIR/upsd.log")
	t_start=$(date +%s%N)
	"$2"	# sets dpid
	bench_record "$_d" "$dpid"
	login_timeout=$((30 + n / 10))
	if ! "$DAEMON_BENCH_PROBE" logins "$PEERS_DIR/upsd.log" "$off" "$n" "$t_start" "$login_timeout" \
		>"$PEERS_DIR/$_d.logins"; then
		say "daemon-bench: $_d: not every unit logged in within $login_timeout s: $(cat "$PEERS_DIR/$_d.logins")"
		tail -n 5 "$PEERS_DIR/$_d.err" >&2 2>/dev/null || true
		stop_procs all "$dpid" $(family "$dpid")
		res "${_d}_failed" "$(cat "$PEERS_DIR/$_d.logins")"
		return 0
	fi
	read -r l_count l_first l_all <"$PEERS_DIR/$_d.logins"
	res "${_d}_login" "${l_all#all=}"
	res "${_d}_login_first" "${l_first#first=}"
	if ! _peers_alive "$dpid"; then
		say "daemon-bench: $_d exited; its log:"
		tail -n 10 "$PEERS_DIR/$_d.err" >&2 || true
		return 1
	fi
	pids=$(family "$dpid")
	for _p in $pids; do
		[ "$_p" = "$dpid" ] || bench_record "$_d-child" "$_p"
	done
	res "${_d}_procs" "$(echo "$pids" | wc -w)"
	res "${_d}_cpu_login" "$(awk -v t="$(sum_ticks $pids)" -v k="$tck" 'BEGIN { printf "%.2f", t / k }')"
	sleep 1
	upsd_pid=$(peers_pid upsd)
	c0=$(sum_ticks $pids)
	u0=$(ticks "$upsd_pid")
	w0=$(date +%s%N)
	# the monitoring process: the only one, or the one that is not the root parent
	mpids=$pids
	[ "$(echo "$pids" | wc -w)" -gt 1 ] && mpids=$(for _p in $pids; do [ "$_p" = "$dpid" ] || echo "$_p"; done)
	rss_max=0
	mrss_max=0
	i=0
	while [ "$i" -lt "$seconds" ]; do
		sleep 1
		r=$(status_kb VmRSS $pids)
		[ "$r" -gt "$rss_max" ] && rss_max=$r
		r=$(status_kb VmRSS $mpids)
		[ "$r" -gt "$mrss_max" ] && mrss_max=$r
		i=$((i + 1))
	done
	c1=$(sum_ticks $pids)
	u1=$(ticks "$upsd_pid")
	w1=$(date +%s%N)
	for _p in $pids; do
		if ! _peers_alive "$_p"; then
			say "daemon-bench: $_d process $_p is gone during the window; its log:"
			tail -n 10 "$PEERS_DIR/$_d.err" >&2 || true
			return 1
		fi
	done
	res "${_d}_cpu_pct" "$(awk -v c=$((c1 - c0)) -v k="$tck" -v w=$((w1 - w0)) 'BEGIN { printf "%.3f", 100 * c / k / (w / 1e9) }')"
	res "${_d}_upsd_cpu_pct" "$(awk -v c=$((u1 - u0)) -v k="$tck" -v w=$((w1 - w0)) 'BEGIN { printf "%.3f", 100 * c / k / (w / 1e9) }')"
	res "${_d}_rss_kb" "$rss_max"
	res "${_d}_mrss_kb" "$mrss_max"
	res "${_d}_hwm_kb" "$(status_kb VmHWM $pids)"
	res "${_d}_fds" "$(ls "/proc/$(echo "$pids" | awk '{ print $NF }')/fd" 2>/dev/null | wc -l)"
	if [ -n "$with_latency" ]; then
		latency "$_d"
	fi
	# upsplan: signals go to the root parent (docs/daemon.md); upsmon: the
	# child polls and logs out, the parent follows when the child is gone
	if [ "$_d" = upsplan ]; then
		stop_procs first "$dpid" $pids
	else
		stop_procs all $pids
	fi
	sleep 1	# upsd closes the sessions
}

# latency NAME: BENCH_LATENCY_SAMPLES units, OL->OB then OB->OL each
latency() {
	: >"$PEERS_DIR/$1.lat"
	_s=1
	while [ "$_s" -le "$samples" ]; do
		_k=$(( (_s - 1) * n / samples + n / (2 * samples) + 1 ))
		for _ch in OB OL; do
			if [ "$_ch" = OB ]; then _ev='OL->OB' _nt=ONBATT; else _ev='OB->OL' _nt=ONLINE; fi
			_rc=0
			if [ "$1" = upsplan ]; then
				_out=$("$DAEMON_BENCH_PROBE" latency -j 127.0.0.1 "$UPSD_PORT" "u$_k" "$PEERS_DIR/u$_k.dev" \
					"$_ch" 10 "$act" "ev $_ev u$_k@" "$PEERS_DIR/upsplan.out" "ev $_ev u$_k@") || _rc=$?
			else
				_out=$("$DAEMON_BENCH_PROBE" latency -j 127.0.0.1 "$UPSD_PORT" "u$_k" "$PEERS_DIR/u$_k.dev" \
					"$_ch" 10 "$act" "$_nt u$_k@") || _rc=$?
			fi
			if [ "$_rc" -ne 0 ]; then
				say "daemon-bench: $1: u$_k -> $_ch: not seen within 10 s ($_out)"
				res "${1}_lat_missed" "u$_k->$_ch"
				continue
			fi
			echo "u$_k $_ch $_out" >>"$PEERS_DIR/$1.lat"
		done
		_s=$((_s + 1))
	done
	_f=$PEERS_DIR/$1.lat
	res "${1}_lat_n" "$(wc -l <"$_f" | tr -d ' ')"
	res "${1}_lat_total" "$(sed -n 's/.* action1=\([0-9.]*\).*/\1/p' "$_f" | stats)"
	res "${1}_lat_driver" "$(sed -n 's/.* driver=\([0-9.]*\).*/\1/p' "$_f" | stats)"
	res "${1}_lat_share" "$(sed -n 's/.* driver=\([0-9.]*\) action1=\([0-9.]*\).*/\1 \2/p' "$_f" |
		awk '{ printf "%.3f\n", $2 - $1 }' | stats)"
	if [ "$1" = upsplan ]; then
		res "${1}_lat_print_share" "$(sed -n 's/.* driver=\([0-9.]*\) .* action2=\([0-9.]*\).*/\1 \2/p' "$_f" |
			awk '{ printf "%.3f\n", $2 - $1 }' | stats)"
	fi
}

# ---------------------------------------------------------------- upsplan

start_upsplan() {
	if [ "$(id -u)" -ne 0 ]; then
		_how=
	elif [ "${BENCH_AS:-user}" = root ]; then
		_how="-u nobody"
	elif command -v setpriv >/dev/null 2>&1; then
		_how=setpriv
	else
		_how=runuser
	fi
	# shellcheck disable=SC2086
	case $_how in
	setpriv)
		res upsplan_as "user nobody (setpriv), one process"
		setpriv --reuid=nobody --regid="$nogroup" --clear-groups \
			"$UPSPLAN" run -F --allow-warnings --hostname bench "$PEERS_DIR/upsplan.conf" \
			>"$PEERS_DIR/upsplan.out" 2>"$PEERS_DIR/upsplan.err" </dev/null &
		dpid=$! ;;
	runuser)
		res upsplan_as "user nobody (runuser), one process"
		runuser -u nobody -- "$UPSPLAN" run -F --allow-warnings --hostname bench "$PEERS_DIR/upsplan.conf" \
			>"$PEERS_DIR/upsplan.out" 2>"$PEERS_DIR/upsplan.err" </dev/null &
		_rp=$!
		_i=0
		dpid=
		while [ -z "$dpid" ] && [ "$_i" -lt 50 ]; do
			sleep 0.1
			dpid=$(ps -o pid= --ppid "$_rp" | head -n 1 | tr -d ' ')
			_i=$((_i + 1))
		done
		bench_record runuser "$_rp" ;;
	*)
		if [ -n "$_how" ]; then
			res upsplan_as "root parent + child as nobody (-u nobody)"
		else
			res upsplan_as "user $(id -un), one process"
		fi
		# as root: a state file as by default, but in the test's directory
		"$UPSPLAN" run -F --allow-warnings $_how -p "$PEERS_DIR/upsplan.pid" ${_how:+--state-file=$PEERS_DIR/upsplan-state/state.json} \
			${_how:+--powerdownflag=$PEERS_DIR/killpower} \
			--hostname bench "$PEERS_DIR/upsplan.conf" \
			>"$PEERS_DIR/upsplan.out" 2>"$PEERS_DIR/upsplan.err" </dev/null &
		dpid=$! ;;
	esac
}

write_plan() {
	{
		echo "POLLFREQ $pollfreq POLLFREQALERT $pollfreq"
		echo "GROUP LOCAL HOST 127.0.0.1 PORT $UPSD_PORT CERTFILE \"$CA_FILE\""
		_k=1
		while [ "$_k" -le "$n" ]; do
			echo "MONITOR u$_k POWERVAL 1 UPSDUSER $PRIMARY_USER PASSWORD \"$PRIMARY_PASS\" TYPE primary"
			for _ev in 'OL->OB' 'OB->OL'; do
				echo "WHEN u$_k REPORTS $_ev : PRINT \"ev %(e)s %(u)s\" SHELLCMD \"echo 'ev %(e)s %(u)s' >>$act\""
			done
			_k=$((_k + 1))
		done
	} >"$PEERS_DIR/upsplan.conf"
	chmod 640 "$PEERS_DIR/upsplan.conf"
	chgrp "$nogroup" "$PEERS_DIR/upsplan.conf" 2>/dev/null || true
}

# ---------------------------------------------------------------- upsmon

find_upsmon() {
	if [ -n "${UPSMON:-}" ]; then
		echo "$UPSMON"
		return
	fi
	_m=$(dpkg -L nut-client 2>/dev/null | grep '/nut/upsmon$' | head -n 1) || _m=
	for _c in "$_m" /lib/nut/upsmon /usr/lib/nut/upsmon /usr/libexec/nut/upsmon; do
		if [ -n "$_c" ] && [ -x "$_c" ]; then
			echo "$_c"
			return
		fi
	done
}

write_upsmon_conf() {
	_md=$PEERS_DIR/upsmon
	mkdir -p "$_md/run" "$_md/state" "$_md/clientdb"
	(
		certutil -N -d "sql:$_md/clientdb" --empty-password &&
		certutil -A -d "sql:$_md/clientdb" -n "upsplan test CA" -t "CT,C,C" -a -i "$CA_FILE"
	) >"$_md/certutil.log" 2>&1 || {
		say "daemon-bench: the NSS DB of upsmon failed:"
		cat "$_md/certutil.log" >&2
		return 1
	}
	printf '#!/bin/sh\necho "$NOTIFYTYPE $UPSNAME" >>%s\n' "$act" >"$_md/notify.sh"
	chmod 755 "$_md/notify.sh"
	{
		_k=1
		while [ "$_k" -le "$n" ]; do
			echo "MONITOR u$_k@127.0.0.1:$UPSD_PORT 1 $PRIMARY_USER $PRIMARY_PASS primary"
			_k=$((_k + 1))
		done
		echo "MINSUPPLIES 1"
		echo "SHUTDOWNCMD \"/bin/true\""
		echo "NOTIFYCMD \"$_md/notify.sh\""
		echo "POWERDOWNFLAG $_md/killpower"
		echo "POLLFREQ $pollfreq"
		echo "POLLFREQALERT $pollfreq"
		echo "NOTIFYFLAG ONBATT SYSLOG+EXEC"
		echo "NOTIFYFLAG ONLINE SYSLOG+EXEC"
		# no WALL (the default of the others)
		for _t in LOWBATT FSD COMMOK COMMBAD SHUTDOWN REPLBATT NOCOMM NOPARENT; do
			echo "NOTIFYFLAG $_t SYSLOG"
		done
		echo "CERTPATH $_md/clientdb"
		echo "CERTVERIFY 1"
		echo "FORCESSL 1"
	} >"$_md/upsmon.conf"
	chmod 640 "$_md/upsmon.conf"
	chmod -R a+rX "$_md/clientdb"
}

start_upsmon() {
	_md=$PEERS_DIR/upsmon
	if [ "$(id -u)" -eq 0 ] && [ -d /run/nut ] && unshare -m --propagation private true 2>/dev/null; then
		res upsmon_as "root parent + child as nobody (-u nobody), private /run/nut"
		NUT_CONFPATH=$_md NUT_STATEPATH=$_md/state NUT_ALTPIDPATH=$_md/state \
			unshare -m --propagation private sh -c \
			"mount --bind '$_md/run' /run/nut && exec '$upsmon' -F -u nobody" \
			>"$PEERS_DIR/upsmon.err" 2>&1 </dev/null &
	else
		res upsmon_as "user $(id -un) (PID file in the system's /run/nut)"
		NUT_CONFPATH=$_md NUT_STATEPATH=$_md/state NUT_ALTPIDPATH=$_md/state \
			"$upsmon" -F >"$PEERS_DIR/upsmon.err" 2>&1 </dev/null &
	fi
	dpid=$!
}

# ---------------------------------------------------------------- a run (child process)

# bench_record NAME PID: _peers_record, and a copy of the records
bench_record() {
	_peers_record "$1" "$2"
	cp "$PEERS_DIR/pids" "$pids_copy" 2>/dev/null || true
}

bench_restore() {
	if [ -n "${PEERS_DIR:-}" ] && [ ! -f "$PEERS_DIR/pids" ] && [ -f "${pids_copy:-}" ]; then
		say "daemon-bench: $PEERS_DIR has vanished (removed by someone else?); stopping the recorded processes"
		mkdir -p "$PEERS_DIR" && cp "$pids_copy" "$PEERS_DIR/pids"
		PEERS_KEEP=
	fi
}

run_phase() {
	n=$1
	result=$2
	with_latency=
	[ "$3" = full ] && with_latency=1
	with_upsmon=$4
	: >"$result"
	# shellcheck source=tests/daemon/peers.sh
	. "$srcdir/tests/daemon/peers.sh"
	# a password upsmon 2.8.0 can send (it does not quote PASSWORD's argument)
	PEERS_PRIMARY_PASS=bench-primary-pass
	nogroup=$(id -gn nobody 2>/dev/null || echo nogroup)
	# (not upsplan-peers.*: other test runs on the machine may clean those up)
	peers_init "$(mktemp -d "${TMPDIR:-/tmp}/daemon-bench.XXXXXX")"
	# the records of the processes, also outside PEERS_DIR: should the dir
	# vanish, the traps can still stop exactly what was started
	pids_copy=$result.pids
	trap '_db_rc=$?; bench_restore; (exit $_db_rc); _peers_on_exit' EXIT
	trap 'bench_restore; _peers_on_signal 1' HUP
	trap 'bench_restore; _peers_on_signal 2' INT
	trap 'bench_restore; _peers_on_signal 15' TERM
	say "daemon-bench: N=$n: starting $n dummy-ups units and upsd in $PEERS_DIR"
	k=1
	while [ "$k" -le "$n" ]; do
		printf 'ups.status: OL\nbattery.charge: 100\n' >"$PEERS_DIR/u$k.dev"
		peers_add_ups "u$k" "$PEERS_DIR/u$k.dev" dummy-once
		k=$((k + 1))
	done
	t=$(date +%s)
	peers_start tls || { PEERS_KEEP=1; say "daemon-bench: the peers did not start"; return 1; }
	cp "$PEERS_DIR/pids" "$pids_copy"
	say "daemon-bench: N=$n: peers up in $(($(date +%s) - t)) s (upsd 127.0.0.1:$UPSD_PORT, STARTTLS)"
	chmod a+rx "$PEERS_DIR"
	chmod -R a+rX "$PEERS_DIR/pki"
	mkdir -p "$PEERS_DIR/act"
	chmod 1777 "$PEERS_DIR/act"
	act=$PEERS_DIR/act/actions
	: >"$act"
	chmod 666 "$act"

	write_plan
	say "daemon-bench: N=$n: upsplan ($seconds s window${with_latency:+, then latency})"
	measure upsplan start_upsplan || { PEERS_KEEP=1; return 1; }

	if [ "$with_upsmon" = 1 ]; then
		upsmon=$(find_upsmon)
		if [ -z "$upsmon" ] || [ "$upsmon" = none ] || [ ! -x "$upsmon" ]; then
			res upsmon_failed "not installed (Debian package nut-client)"
		else
			res upsmon_version "$("$upsmon" -V 2>&1 | sed -n 's/^Network UPS Tools upsmon //p' | head -n 1)"
			write_upsmon_conf || { PEERS_KEEP=1; return 1; }
			say "daemon-bench: N=$n: upsmon ($seconds s window${with_latency:+, then latency})"
			measure upsmon start_upsmon || { PEERS_KEEP=1; return 1; }
		fi
	else
		res upsmon_failed "skipped (BENCH_LARGE_UPSMON=0)"
	fi
	res upsd_fd_limit "$(ulimit -n)"
	return 0
}

if [ "${1:-}" = --phase ]; then
	shift
	run_phase "$@"
	exit $?
fi

# ---------------------------------------------------------------- main

for p in "$UPSPLAN" "$DAEMON_BENCH_PROBE" "$PEERS_BINDIR/freeport" "$PEERS_BINDIR/nut-probe"; do
	if [ ! -x "$p" ]; then
		say "daemon-bench.sh: $p is not an executable (run make bench, or set UPSPLAN, PEERS_BINDIR and DAEMON_BENCH_PROBE)"
		exit 1
	fi
done
# shellcheck source=tests/daemon/peers.sh
. "$srcdir/tests/daemon/peers.sh"
if ! missing=$(peers_available); then
	say "daemon-bench.sh: missing Debian packages: $missing"
	exit 1
fi
for p in awk ps setpriv; do
	if ! command -v "$p" >/dev/null 2>&1; then
		[ "$p" = setpriv ] && continue
		say "daemon-bench.sh: $p is missing (procps / util-linux)"
		exit 1
	fi
done

# file descriptors: upsd holds one per driver and one per client session,
# the daemons one per unit; raise the soft limit (up to the hard one)
need=$((2 * (units > units_large ? units : units_large) + 256))
cur=$(ulimit -n)
if [ "$cur" != unlimited ] && [ "$cur" -lt "$need" ]; then
	hard=$(ulimit -H -n)
	if [ "$hard" = unlimited ] || [ "$hard" -ge "$need" ]; then
		ulimit -n "$need"
	else
		ulimit -n "$hard"
	fi
fi
fdlimit=$(ulimit -n)

work=$(mktemp -d "${TMPDIR:-/tmp}/upsplan-dbench.XXXXXX")
trap 'rm -rf "$work"' EXIT
trap 'rm -rf "$work"; exit 130' INT
trap 'rm -rf "$work"; exit 143' TERM

echo "upsplan daemon benchmark: $("$UPSPLAN" --version | head -n 1), $(uname -m), $(nproc 2>/dev/null || echo '?') CPU"
echo "upsd $(dpkg-query -W -f '${Version}' nut-server 2>/dev/null || echo '?') with STARTTLS on 127.0.0.1, dummy-ups (pollinterval 1), POLLFREQ $pollfreq, CPU/RSS window $seconds s"

t0=$(date +%s)
rc=0
sh "$0" --phase "$units" "$work/main" full 1 || rc=$?
large_note=
if [ "$units_large" -gt 0 ] 2>/dev/null; then
	if [ "$fdlimit" != unlimited ] && [ "$fdlimit" -lt $((2 * units_large + 64)) ]; then
		large_note="N=$units_large not run: upsd needs about $((2 * units_large + 64)) file descriptors (one per driver and per session), the limit is $fdlimit (ulimit -H -n)"
	elif [ "$rc" -eq 0 ]; then
		sh "$0" --phase "$units_large" "$work/large" large "${BENCH_LARGE_UPSMON:-1}" || rc=$?
	fi
else
	large_note="BENCH_UNITS_LARGE=0: no large run"
fi

# ---------------------------------------------------------------- report

# get FILE KEY
get() {
	sed -n "s/^$2=//p" "$1" 2>/dev/null | tail -n 1
}

table() { # FILE N LATENCY
	f=$1
	echo
	echo "== N=$2 units; upsplan: $(get "$f" upsplan_as); upsmon $(get "$f" upsmon_version): $(get "$f" upsmon_as)"
	for d in upsplan upsmon; do
		x=$(get "$f" "${d}_failed")
		[ -n "$x" ] && echo "   $d: $x"
	done
	printf '%-38s %14s %14s %8s  %-30s %s\n' metric upsplan upsmon ratio target result
	row() { # LABEL KEY FORMAT TARGET-KIND
		a=$(get "$f" "upsplan_$2")
		b=$(get "$f" "upsmon_$2")
		awk -v l="$1" -v a="$a" -v b="$b" -v k="${3:-}" -v tck="$tck" 'BEGIN {
			r = (a != "" && b != "" && b + 0 > 0) ? sprintf("%.2f", a / b) : "-"
			t = ""; p = ""
			if (k == "login") { t = "upsplan <= 3 s"; p = (a != "" && a + 0 <= 3) ? "PASS" : "MISS" }
			if (k == "half") { t = "upsplan <= 0.5 x upsmon"; p = (r != "-" && a / b <= 0.5) ? "PASS" : (r == "-" ? "n/a" : "MISS") }
			printf "%-38s %14s %14s %8s  %-30s %s\n", l, (a == "" ? "-" : a), (b == "" ? "-" : b), r, t, p
		}'
	}
	row "all N logged in (s, upsd log)" login login
	row "first unit logged in (s)" login_first
	row "CPU used until all logged in (s)" cpu_login
	row "CPU, steady state (%)" cpu_pct half
	row "RSS, max of sum of VmRSS (kB)" rss_kb half
	row "  of which the monitoring process" mrss_kb
	row "sum of VmHWM at the end (kB)" hwm_kb half
	row "processes measured" procs
	row "upsd CPU in the window (%)" upsd_cpu_pct
	if [ -n "$3" ]; then
		lrow() { # LABEL KEY TARGET
			a=$(get "$f" "upsplan_$2")
			b=$(get "$f" "upsmon_$2")
			awk -v l="$1" -v a="$a" -v b="$b" -v k="${3:-}" -v lim="$(awk -v p="$pollfreq" 'BEGIN { print p + 0.05 }')" 'BEGIN {
				na = split(a, x, " "); nb = split(b, y, " ")
				sa = (na == 3) ? x[1] "/" x[2] "/" x[3] : "-"
				sb = (nb == 3) ? y[1] "/" y[2] "/" y[3] : "-"
				r = (na == 3 && nb == 3 && y[2] > 0) ? sprintf("%.2f", x[2] / y[2]) : "-"
				t = ""; p = ""
				if (k == "share") { t = "upsplan max <= " lim " s"; p = (na == 3 && x[3] + 0 <= lim + 0) ? "PASS" : "MISS" }
				printf "%-38s %14s %14s %8s  %-30s %s\n", l, sa, sb, r, t, p
			}'
		}
		n_lat=$(get "$f" upsplan_lat_n)
		echo "latency, ${n_lat:-0} changes (min/median/max s; ratio of medians):"
		lrow "  status change -> action" lat_total
		lrow "  of which driver+upsd (GET VAR)" lat_driver
		lrow "  the daemon's share" lat_share share
		lrow "  upsplan's PRINT: daemon's share" lat_print_share
	fi
}

table "$work/main" "$units" latency
echo "(ratio: upsplan/upsmon, below 1 is better for upsplan; upsplan's action is SHELLCMD appending to a file, upsmon's NOTIFYCMD appending to a file)"
if [ -f "$work/large" ]; then
	table "$work/large" "$units_large" ""
fi
[ -n "$large_note" ] && echo "$large_note"
echo "file descriptor limit: $fdlimit; total time $(($(date +%s) - t0)) s"
exit "$rc"
