#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# run-reset.sh - TAP: upsplan run when a write of a poll meets a connection reset (an LD_PRELOAD shim fails every TCP write while a flag file exists): the connections fail and are retried, the daemon does not crash, and polling resumes once writes work again.
#
# The reset must come from a write, not from a read: the poll connection
# fails at its flush, its UPS falls back to its own connection in direct
# TLS mode, and the poll written there (ups.status, then battery.charge,
# which this plan reads) fails in the middle: the second request must not
# be written to the connection the first one closed.
#
# Environment: UPSPLAN, PEERS_BINDIR, FAULTS_BINDIR (make check sets them);
# PEERS_KEEP=1 keeps the temp dir.  Skips without nut-server,
# libnss3-tools, stunnel4.  About 15 s.
set -eu

# shellcheck source=tests/faults/faults-lib.sh
. "$(cd "$(dirname "$0")" && pwd)/faults-lib.sh"
fl_skip_unless_peers

echo "1..5"
fl_init
FLAG=$PEERS_DIR/reset.flag
R="UPS REAL:r@127.0.0.1:$UPSD_PORT"
dm_plan reset <<EOF
POLLFREQ 1 POLLFREQALERT 1
GROUP REAL HOST 127.0.0.1 PORT $UPSD_PORT CERTFILE "$CA_FILE"
MONITOR r POWERVAL 1 UPSDUSER $PRIMARY_USER PASSWORD "$PRIMARY_PASS" TYPE primary
WHEN r REPORTS COMM->NOCOMM : PRINT "%(u)s %(e)s charge %(c)s"
WHEN r REPORTS NOCOMM->COMM : PRINT "%(u)s %(e)s charge %(c)s"
WHEN r REPORTS None->LB : SHUTDOWNCMD "/bin/true"
EOF

RESET_SHIM_FLAG=$FLAG
LD_PRELOAD=$FAULTS_BINDIR/reset-shim.so
ASAN_OPTIONS="${ASAN_OPTIONS:-}${ASAN_OPTIONS:+:}verify_asan_link_order=0"
export RESET_SHIM_FLAG LD_PRELOAD ASAN_OPTIONS
dm_start reset -D -D
unset LD_PRELOAD
pid=$DM_PID

# 1. polling, with battery.charge
check "before the reset: r is polled, battery.charge too" \
	dm_wait reset.err "$R: ups.status \"OL\" battery.charge 100" 15
# 2-3. every write fails: the failure is logged, and the daemon lives on
before=$(dm_count reset.err 'Connection reset by peer')
touch "$FLAG"
check "the reset met while writing is logged" dm_wait_count reset.err 'Connection reset by peer' $((before + 1)) 10
sleep 3
if kill -0 "$pid" 2>/dev/null && [ "$(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null)" != Z ]; then
	ok "3 s of resets: the daemon still runs"
else
	not_ok "3 s of resets: the daemon still runs" "$(tail -n 5 "$PEERS_DIR/reset.err")"
fi
# 4. writes work again: r is logged in and polled again
rm -f "$FLAG"
polled=$(dm_count reset.err "$R: ups.status \"OL\" battery.charge 100")
if dm_wait reset.err "UPS r@127.0.0.1:$UPSD_PORT: connected and logged in again" 20 &&
	dm_wait_count reset.err "$R: ups.status \"OL\" battery.charge 100" $((polled + 1)) 10; then
	ok "writes work again: r is logged in and polled again"
else
	not_ok "writes work again: r is logged in and polled again" "$(tail -n 8 "$PEERS_DIR/reset.err")"
fi
# 5. a clean stop
dm_stop reset
check "exit status 0 on SIGTERM" test "$DM_STATUS" -eq 0
dm_done
