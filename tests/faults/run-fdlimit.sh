#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# run-fdlimit.sh - TAP: upsplan run and the open files limit: a plan of more UPS than the soft limit allows raises it (at start-up and on a reload), a hard limit too low is refused with the numbers and the fix, and a local EMFILE is said to be this host's and fails no other connection.
#
# Environment: UPSPLAN, PEERS_BINDIR, FAULTS_BINDIR (make check sets them);
# PEERS_KEEP=1 keeps the temp dir.  Skips without nut-server,
# libnss3-tools, stunnel4, or prlimit (util-linux), and under valgrind.
# About 20 s.
set -eu

# shellcheck source=tests/faults/faults-lib.sh
. "$(cd "$(dirname "$0")" && pwd)/faults-lib.sh"
fl_skip_unless_peers
if ! command -v prlimit >/dev/null 2>&1; then
	echo "1..0 # SKIP no prlimit (util-linux)"
	exit 0
fi
if [ -n "${UPSPLAN_VALGRIND:-}" ]; then
	# valgrind keeps file descriptors of its own above the soft limit and
	# gives the program a hard limit equal to it
	echo "1..0 # SKIP under valgrind, which sets the open files limit of what it runs"
	exit 0
fi

echo "1..16"
fl_init
hostile_start good good
MANY=100	# UPS: with 64 open files at most, most of them would not be monitored

# plan NAME N: N UPS u0 ... on the (well-behaved) hostile upsd
plan() {
	_p_i=0
	{
		echo "POLLFREQ 1 POLLFREQALERT 1"
		echo "GROUP HOSTILE HOST 127.0.0.1 PORT $HOSTILE_PORT CERTFILE \"$CA_FILE\""
		while [ "$_p_i" -lt "$2" ]; do
			echo "MONITOR u$_p_i POWERVAL 1 UPSDUSER monuser PASSWORD \"pass\" TYPE primary"
			_p_i=$((_p_i + 1))
		done
		echo "WHEN u0 REPORTS None->LB : SHUTDOWNCMD \"/bin/true\""
	} | dm_plan "$1"
}

# check_only NAME LIMIT [ENV...]: upsplan run --check-only under prlimit
# --nofile=LIMIT; status, NAME.err
check_only() {
	_co_name=$1
	_co_lim=$2
	shift 2
	set +e
	# shellcheck disable=SC2086 # UPSPLAN_VALGRIND and DM_USER_OPT are words
	env "$@" prlimit --nofile="$_co_lim" ${UPSPLAN_VALGRIND:-} "$UPSPLAN" run --check-only -F $DM_USER_OPT --allow-warnings \
		"$PEERS_DIR/$_co_name.conf" >"$PEERS_DIR/$_co_name.out" 2>"$PEERS_DIR/$_co_name.err" </dev/null
	status=$?
	set -e
}

# 1-3: --check-only, 100 UPS, soft limit 64, hard limit 4096: raised to the
# hard limit (room for bursts of actions), at least to the need
plan many "$MANY"
check_only many 64:4096
check "soft limit 64, hard 4096, $MANY UPS: --check-only reaches every UPS (exit $status)" \
	grep -q "check: all $MANY UPS reached over TLS and logged in to" "$PEERS_DIR/many.err"
check "the raise is said, with the numbers" \
	grep -q "open files limit raised from 64 to 4096 (the plan needs 164: $MANY for the UPS, 0 for the poll connections, 64 for logs, actions and the event loop; the rest for bursts of actions)" \
	"$PEERS_DIR/many.err"
check "exit status 0" test "$status" -eq 0

# 4-6: hard limit 100: refused before any connection, with the fix
accepted=$(grep -c accepted "$PEERS_DIR/hostile-good.log" || true)
check_only many 64:100
check "hard limit 100: refused, exit status 1" test "$status" -eq 1
check "the refusal names the need, the limits and the fix (ulimit -Hn, LimitNOFILE=)" \
	grep -q "upsplan run: the plan needs 164 open files ($MANY for the UPS, 0 for the poll connections, 64 for logs, actions and the event loop) but the open files limit is 64 (hard limit 100): raise the hard limit to at least 164 (ulimit -Hn 164 as root in the shell that starts upsplan, or LimitNOFILE=164 in its systemd unit)" \
	"$PEERS_DIR/many.err"
check "no connection was made" test "$(grep -c accepted "$PEERS_DIR/hostile-good.log" || true)" -eq "$accepted"

# 7-9: the daemon, 10 UPS under a soft limit of 64, hard 150 (raised to
# 150); a reload with 100 UPS (165 needed): refused by the monitoring
# process, the running plan kept; one with 80 (145 needed) fits
plan grow 10
UPSPLAN_VALGRIND="prlimit --nofile=64:150 ${UPSPLAN_VALGRIND:-}" dm_start grow -D
check "run: 10 UPS logged in" dm_wait_count grow.err 'UPS u[0-9]*@127.0.0.1:[0-9]*: connected and logged in' 10 20
check "run: the soft limit raised at start-up, to the hard limit (64 to 150)" \
	grep -q 'open files limit raised from 64 to 150 (the plan needs 75' "$PEERS_DIR/grow.err"
plan grow "$MANY"
kill -HUP "$DM_PID_grow"
check "reload with $MANY UPS (165 needed, hard limit 150): refused, the running plan kept" \
	dm_wait grow.err 'reload: the plan needs 165 open files .*(hard limit 150).*: the running plan is kept' 20
plan grow 80
kill -HUP "$DM_PID_grow"
if dm_wait_count grow.err 'UPS u[0-9]*@127.0.0.1:[0-9]*: connected and logged in' $((10 + 80)) 30; then
	ok "reload with 80 UPS (145 needed): every UPS logged in"
else
	not_ok "reload with 80 UPS (145 needed): every UPS logged in" \
		"$(grep -c 'connected and logged in' "$PEERS_DIR/grow.err") logins" "$(grep -v 'connect\|logging\|handshake\|STARTTLS' "$PEERS_DIR/grow.err" | tail -n 5)"
fi
dm_stop grow
check "run: exit status 0 on SIGTERM" test "$DM_STATUS" -eq 0

# 12-14: EMFILE for the third connection (an LD_PRELOAD shim: calls 3 and
# 4 of socket(), as libevent tries once more without SOCK_NONBLOCK and
# SOCK_CLOEXEC), 12 UPS: 8 connect at once, 4 wait at the gate: only the
# one that met EMFILE fails, and it says the error is this host's
plan local 12
check_only local 1024:4096 EMFILE_SHIM_CALLS=3-4 LD_PRELOAD="$FAULTS_BINDIR/emfile-shim.so" \
	ASAN_OPTIONS="${ASAN_OPTIONS:-}${ASAN_OPTIONS:+:}verify_asan_link_order=0"
check "EMFILE: the connection that met it says it is this host's, not upsd's" \
	grep -q "UPS u2@127.0.0.1:$HOSTILE_PORT: this host could not open a connection: Too many open files: a limit of this host, not a fault of upsd: raise the open files limit" \
	"$PEERS_DIR/local.err"
if grep -q 'met by a connection to the same upsd' "$PEERS_DIR/local.err"; then
	not_ok "EMFILE: the connections waiting at the gate do not fail with it" \
		"$(grep 'met by a connection' "$PEERS_DIR/local.err" | head -n 3)"
else
	ok "EMFILE: the connections waiting at the gate do not fail with it"
fi
check "EMFILE: 1 of 12 UPS not reached at the first attempt, exit status 1 ($status)" \
	grep -q 'check: 1 of 12 UPS could not be reached' "$PEERS_DIR/local.err"

# 15-16: with a raised limit, descriptors above 1023 exist; the commands of
# actions get none of the daemon's (here one it was started with: 1500)
{
	echo "POLLFREQ 1 POLLFREQALERT 1"
	echo "GROUP HOSTILE HOST 127.0.0.1 PORT $HOSTILE_PORT CERTFILE \"$CA_FILE\""
	echo "MONITOR u0 POWERVAL 1 UPSDUSER monuser PASSWORD \"pass\" TYPE primary"
	echo "WHEN u0 TIMEOUT start : SHELLCMD \"ls /proc/self/fd > $PEERS_DIR/act/fds\""
	echo "WHEN u0 REPORTS None->LB : SHUTDOWNCMD \"/bin/true\""
} | dm_plan highfd
bash -c 'exec 1500</dev/null; exec "$@"' bash prlimit --nofile=4096:4096 "$UPSPLAN" run -F $DM_USER_OPT --allow-warnings \
	-p "$PEERS_DIR/highfd.pid" --state-file= --powerdownflag="$PEERS_DIR/highfd.killpower" "$PEERS_DIR/highfd.conf" \
	>"$PEERS_DIR/highfd.out" 2>"$PEERS_DIR/highfd.err" </dev/null &
DM_PID_highfd=$!
_peers_record upsplan-highfd "$DM_PID_highfd"
check "an action ran with a descriptor of the daemon above 1023 open" dm_wait act/fds '^[0-9]' 10
check "its command got none of them: only 0, 1, 2 (and ls's own)" \
	test "$(sort -n "$PEERS_DIR/act/fds" | tr '\n' ' ')" = "0 1 2 3 "
dm_stop highfd
dm_done
