# SPDX-License-Identifier: GPL-2.0-or-later
# faults-lib.sh - sourced by the fault campaign's TAP tests (it sources tests/daemon/peers.sh and daemon-lib.sh): the hostile upsd, one daemon per fault case beside a real upsd, and the checks every case makes.
#
# POSIX sh, safe under `set -eu`.  Use:
#
#	. "$(cd "$(dirname "$0")" && pwd)/faults-lib.sh"
#	fl_skip_unless_peers
#	fl_init				# peers_init, a real upsd with the unit "r", PKI
#	hostile_start NAME MODE [ARG...]   # HOSTILE_PORT; log $PEERS_DIR/hostile-NAME.log
#	fl_case MODE PATTERN		# one case: FL_CHECKS checks (see fl_case)
#
# Environment: UPSPLAN, PEERS_BINDIR, FAULTS_BINDIR (make check sets them;
# FAULTS_BINDIR defaults to PEERS_BINDIR/../faults); UPSPLAN_VALGRIND as
# for the daemon tests (then the RSS and CPU checks are skipped: valgrind
# is the checker); FAULTS_RSS_KB, FAULTS_CPU_MS, FAULTS_LATENCY override
# the limits below.

_fl_here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/daemon/peers.sh
. "$_fl_here/../daemon/peers.sh"
# shellcheck source=tests/daemon/daemon-lib.sh
. "$_fl_here/../daemon/daemon-lib.sh"
FAULTS_BINDIR=${FAULTS_BINDIR:-${PEERS_BINDIR:-$(pwd)/tests/daemon}/../faults}

# The limits of every case.  Measured on a 2-CPU machine (docs/daemon.md):
# each upsplan process stays near 8 MB (VmHWM) and a case of 6 to 30 s
# costs at most a few tens of ms of CPU, whatever the hostile server does;
# the limits leave room for other machines, but a daemon that buffered the
# flood or a few 1 MB lines, or spun on a fault, would not stay under them.  The sanitizers
# (ASan's shadow memory and quarantine) cost several times as much.
fl_limits() {
	if [ -n "${UPSPLAN_VALGRIND:-}" ]; then
		FL_MEASURE=
	else
		FL_MEASURE=1
	fi
	if grep -q __asan_init "$UPSPLAN" 2>/dev/null; then
		FL_RSS_KB=${FAULTS_RSS_KB:-65536}
		FL_CPU_MS=${FAULTS_CPU_MS:-2000}
	else
		FL_RSS_KB=${FAULTS_RSS_KB:-12288}
		FL_CPU_MS=${FAULTS_CPU_MS:-1000}
	fi
	FL_LATENCY=${FAULTS_LATENCY:-4}
	[ -z "${UPSPLAN_VALGRIND:-}" ] || FL_LATENCY=${FAULTS_LATENCY:-12}
	# how long the fault may take to show in the log: a TLS handshake and
	# a login under valgrind on a loaded machine took more than 10 s
	FL_LOG_WAIT=10
	[ -z "${UPSPLAN_VALGRIND:-}" ] || FL_LOG_WAIT=30
}

fl_skip_unless_peers() {
	dm_skip_unless_peers
	if [ ! -x "$FAULTS_BINDIR/hostile-upsd" ]; then
		echo "1..0 # SKIP $FAULTS_BINDIR/hostile-upsd is not built"
		exit 0
	fi
}

# fl_init: the peers: a real upsd (STARTTLS) with the dummy-ups unit "r"
fl_init() {
	peers_init
	printf 'ups.status: OL\nbattery.charge: 100\n' >"$PEERS_DIR/r.dev"
	peers_add_ups r "$PEERS_DIR/r.dev"
	peers_start tls || peers_bail "the peers did not start"
	dm_setup
	fl_limits
	FL_REAL=OL	# what r.dev says
}

# hostile_start NAME MODE [ARG...]: a hostile upsd in MODE with the peers'
# server certificate (ARGs are more options of hostile-upsd, e.g. -c CERT
# -k KEY to present another); sets HOSTILE_PORT
hostile_start() {
	_hs_name=$1
	_hs_mode=$2
	shift 2
	rm -f "$PEERS_DIR/hostile-$_hs_name.port"
	"$FAULTS_BINDIR/hostile-upsd" -c "$SERVER_CERT" -k "$SERVER_KEY" -m "$_hs_mode" -w "$$" -t 600 \
		-f "$PEERS_DIR/hostile-$_hs_name.port" -l "$PEERS_DIR/hostile-$_hs_name.log" "$@" \
		</dev/null >>"$PEERS_DIR/hostile-$_hs_name.err" 2>&1 &
	_peers_record "hostile-$_hs_name" "$!"
	dm_until 5 test -s "$PEERS_DIR/hostile-$_hs_name.port" ||
		peers_bail "hostile-upsd $_hs_mode did not start: $(cat "$PEERS_DIR/hostile-$_hs_name.err")"
	HOSTILE_PORT=$(cat "$PEERS_DIR/hostile-$_hs_name.port")
}

# hostile_stop NAME: stop it (it is recorded: peers_stop would too)
hostile_stop() {
	_peers_stop_matching "hostile-$1"
}

# fl_raw FILE: 0 when FILE holds a byte that is neither printable ASCII,
# a tab nor a line feed (an ESC, a CR, a NUL, DEL, any byte above 0x7e)
fl_raw() {
	[ -f "$1" ] && [ "$(LC_ALL=C tr -d '\t\n\040-\176' <"$1" | wc -c)" -ne 0 ]
}

# fl_has_ere FILE PATTERN: FILE exists and has a line matching the extended
# regular expression PATTERN (1, not grep's 2, while FILE is not there yet:
# dm_until would give up on 2)
fl_has_ere() {
	[ -f "$1" ] && grep -q -E -- "$2" "$1"
}

# fl_procs PID: PID and its children (the monitoring child of a root parent)
fl_procs() {
	echo "$1"
	pgrep -P "$1" 2>/dev/null || true
}

# fl_cpu_ms PID...: utime + stime of the processes, in milliseconds
fl_cpu_ms() {
	_cm_hz=$(getconf CLK_TCK)
	_cm_t=0
	for _cm_p in "$@"; do
		# fields 14 and 15 of /proc/PID/stat (the name, field 2, may hold blanks)
		_cm_s=$(cat "/proc/$_cm_p/stat" 2>/dev/null) || continue
		_cm_s=${_cm_s##*) }
		# shellcheck disable=SC2086 # split on purpose
		set -- $_cm_s
		_cm_t=$((_cm_t + ${12} + ${13}))
	done
	echo $((_cm_t * 1000 / _cm_hz))
}

# fl_hwm_kb PID...: the largest VmHWM of the processes, in kB
fl_hwm_kb() {
	for _hk_p in "$@"; do
		awk '/^VmHWM:/ { print $2 }' "/proc/$_hk_p/status" 2>/dev/null || true
	done | sort -n | tail -n 1
}

# fl_plan NAME [ACTIONS]: a plan of two groups: UPS h on the hostile upsd
# (HOSTILE_PORT), UPS r on the real one; their status changes and
# COMM<->NOCOMM are printed (h's COMM->NOCOMM does ACTIONS instead when
# given)
fl_plan() {
	_fp_lost=${2:-'PRINT "%(u)s %(e)s"'}
	dm_plan "$1" <<EOF
POLLFREQ 1 POLLFREQALERT 1
GROUP REAL HOST 127.0.0.1 PORT $UPSD_PORT CERTFILE "$CA_FILE"
MONITOR r POWERVAL 1 UPSDUSER $PRIMARY_USER PASSWORD "$PRIMARY_PASS" TYPE primary
WHEN r REPORTS OL->OB : PRINT "%(u)s %(e)s"
WHEN r REPORTS OB->OL : PRINT "%(u)s %(e)s"
WHEN r REPORTS COMM->NOCOMM : PRINT "%(u)s %(e)s"
WHEN r REPORTS NOCOMM->COMM : PRINT "%(u)s %(e)s"
WHEN r REPORTS None->LB : SHUTDOWNCMD "/bin/true"
GROUP HOSTILE HOST 127.0.0.1 PORT $HOSTILE_PORT CERTFILE "$CA_FILE" MINSUPPLIES 0
MONITOR h POWERVAL 1 UPSDUSER monuser PASSWORD "pass" TYPE secondary
WHEN h REPORTS OL->OB : PRINT "%(u)s %(e)s"
WHEN h REPORTS COMM->NOCOMM : $_fp_lost
WHEN h REPORTS NOCOMM->COMM : PRINT "%(u)s %(e)s"
EOF
}

# fl_real_event: flip r between OL and OB while the daemon runs; 0 when
# the event reaches the trace within FL_LATENCY s, FL_LAT is the time taken
fl_real_event() {
	if [ "$FL_REAL" = OL ]; then _re_to=OB; else _re_to=OL; fi
	# the daemon has the current state first (its first poll of r)
	dm_wait "$FL_NAME.err" "UPS REAL:r@127.0.0.1:$UPSD_PORT: ups.status \"$FL_REAL\"" 10 || true
	dm_set_dev r "$_re_to"
	_re_start=$(date +%s%N)
	_re_rc=0
	dm_wait "$FL_NAME.trace" "REAL:r@127.0.0.1:$UPSD_PORT  *$FL_REAL->$_re_to  *event" "$((FL_LATENCY + 1))" || _re_rc=1
	FL_LAT=$(( ($(date +%s%N) - _re_start) / 100000000 ))
	FL_LAT=$(echo "$FL_LAT" | sed 's/.$/.&/; s/^\./0./')
	FL_REAL=$_re_to
	[ "$_re_rc" -eq 0 ] && [ "$(( ($(date +%s%N) - _re_start) / 1000000 ))" -le $((FL_LATENCY * 1000 + 200)) ]
}

FL_CHECKS=6
# fl_case MODE PATTERN [TITLE [HOSTILE-ARG...]]: the hostile upsd in MODE,
# upsplan run (-D -D, a NUT log) on fl_plan; checks (FL_CHECKS of them):
#   1. the fault is logged, naming the server: a line of the UPS h or of
#      the poll connection of the hostile upsd matching the extended
#      regular expression PATTERN (within FL_LOG_WAIT s: 10, 30 under valgrind)
#   2. a status change of the real upsd's UPS reaches the trace within
#      FL_LATENCY s while the hostile one misbehaves
#   3. no raw control byte in the log (standard error), the NUT log,
#      standard output or the trace (after SIGUSR1's state dump too)
#   4. VmHWM of each upsplan process under FL_RSS_KB
#   5. utime + stime of the upsplan processes over the case under FL_CPU_MS
#   6. still running at the end, exit status 0 on SIGTERM
# Each case lasts at least FL_MIN_SECONDS (6) from the daemon's start, so
# that the fault comes again (reconnections).  FL_DURING, when set, is a
# command run once the fault is logged (e.g. waiting for more of it);
# FL_AFTER one run after SIGUSR1's state dump (extra checks).  The files
# of the case are $PEERS_DIR/ID.* (ID: FL_ID, else MODE, with _ for - ).
fl_case() {
	_fc_mode=$1
	_fc_pat=$2
	_fc_title=${3:-$1}
	shift 2
	[ $# -eq 0 ] || shift
	FL_NAME=$(echo "${FL_ID:-$_fc_mode}" | tr -c 'A-Za-z0-9\n' '_')
	hostile_start "$FL_NAME" "$_fc_mode" "$@"
	fl_plan "$FL_NAME"
	_fc_t0=$(date +%s)
	dm_start "$FL_NAME" -D -D -l "$PEERS_DIR/$FL_NAME.nutlog"
	_fc_who="(UPS h@127\\.0\\.0\\.1:$HOSTILE_PORT|upsd 127\\.0\\.0\\.1:$HOSTILE_PORT \\(poll connection\\)): "
	if dm_until "$FL_LOG_WAIT" fl_has_ere "$PEERS_DIR/$FL_NAME.err" "$_fc_who$_fc_pat"; then
		ok "$_fc_title: the fault is logged, naming the server"
	else
		not_ok "$_fc_title: the fault is logged, naming the server" "wanted /$_fc_who$_fc_pat/"
	fi
	if [ -n "${FL_DURING:-}" ]; then
		$FL_DURING
	fi
	if fl_real_event; then
		ok "$_fc_title: the UPS of the real upsd is on time ($FL_LAT s, at most $FL_LATENCY)"
	else
		not_ok "$_fc_title: the UPS of the real upsd is on time" "$FL_LAT s, at most $FL_LATENCY"
	fi
	while [ $(($(date +%s) - _fc_t0)) -lt "${FL_MIN_SECONDS:-6}" ]; do
		sleep 0.5
	done
	kill -USR1 "$DM_PID" 2>/dev/null || true
	dm_wait "$FL_NAME.err" 'state: group HOSTILE' 5 || true
	if [ -n "${FL_AFTER:-}" ]; then
		$FL_AFTER
	fi
	_fc_raw=
	for _fc_f in err nutlog out trace; do
		if fl_raw "$PEERS_DIR/$FL_NAME.$_fc_f"; then
			_fc_raw="$_fc_raw $FL_NAME.$_fc_f:$(LC_ALL=C grep -a -c '[^[:print:]	]' "$PEERS_DIR/$FL_NAME.$_fc_f" || true)"
		fi
	done
	if [ -z "$_fc_raw" ]; then
		ok "$_fc_title: no raw control byte in the logs, the output or the trace"
	else
		not_ok "$_fc_title: no raw control byte in the logs, the output or the trace" \
			"lines with raw bytes in:$_fc_raw" \
			"$(LC_ALL=C grep -a '[^[:print:]	]' "$PEERS_DIR/$FL_NAME.err" | head -n 3 | cat -v)"
	fi
	# shellcheck disable=SC2046 # PIDs are words
	set -- $(fl_procs "$DM_PID")
	_fc_alive=0
	_peers_alive "$DM_PID" && _fc_alive=1
	if [ -z "$FL_MEASURE" ]; then
		n=$((n + 1))
		echo "ok $n - $_fc_title: RSS # SKIP under valgrind"
		n=$((n + 1))
		echo "ok $n - $_fc_title: CPU # SKIP under valgrind"
	else
		_fc_hwm=$(fl_hwm_kb "$@")
		_fc_cpu=$(fl_cpu_ms "$@")
		if [ -n "$_fc_hwm" ] && [ "$_fc_hwm" -le "$FL_RSS_KB" ]; then
			ok "$_fc_title: RSS: VmHWM of each upsplan process at most $_fc_hwm kB (limit $FL_RSS_KB)"
		else
			not_ok "$_fc_title: RSS: VmHWM of each upsplan process under $FL_RSS_KB kB" "got ${_fc_hwm:-none} kB"
		fi
		if [ "$_fc_cpu" -le "$FL_CPU_MS" ]; then
			ok "$_fc_title: CPU: $_fc_cpu ms over the case (limit $FL_CPU_MS)"
		else
			not_ok "$_fc_title: CPU over the case under $FL_CPU_MS ms" "got $_fc_cpu ms"
		fi
	fi
	dm_stop "$FL_NAME"
	if [ "$_fc_alive" -eq 1 ] && [ "$DM_STATUS" -eq 0 ]; then
		ok "$_fc_title: still running at the end, exit status 0 on SIGTERM"
	else
		not_ok "$_fc_title: still running at the end, exit status 0 on SIGTERM" \
			"running: $_fc_alive, exit status $DM_STATUS" "$(tail -n 5 "$PEERS_DIR/$FL_NAME.err")"
	fi
	hostile_stop "$FL_NAME"
	FL_AFTER=
	FL_DURING=
	FL_ID=
}
