#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# run-reload.sh - TAP: upsplan run with a real upsd and a server that never answers: the hung server does not delay the other's events; SIGHUP with a broken plan keeps the running one, with a good plan swaps it in keeping state and timers; SIGTERM stops at once.
#
# Environment: UPSPLAN, PEERS_BINDIR (make check sets them); PEERS_KEEP=1
# keeps the temp dir.  Skips without nut-server, libnss3-tools, stunnel4.
set -eu

# shellcheck source=tests/daemon/daemon-lib.sh
. "$(cd "$(dirname "$0")" && pwd)/daemon-lib.sh"
dm_skip_unless_peers

echo "1..25"
PEERS_MAXAGE=5	# a stopped driver goes stale after 5 s
export PEERS_MAXAGE
peers_init
printf 'ups.status: OL\nbattery.charge: 100\n' >"$PEERS_DIR/a.dev"
peers_add_ups a "$PEERS_DIR/a.dev"
peers_start tls || peers_bail "the peers did not start"
peers_silent_port || peers_bail "the silent server did not start"
dm_setup

# set_status STATUS: the dummy-ups file of "a" (re-read within a second)
set_status() {
	dm_set_dev a "$1"
}

# latency PATTERN: seconds (1 decimal) until the daemon prints PATTERN, or 99
latency() {
	_l_start=$(date +%s%N)
	if dm_wait reload.out "$1" 15; then
		echo "$(( ($(date +%s%N) - _l_start) / 100000000 ))" | sed 's/.$/.&/; s/^\./0./'
	else
		echo 99
	fi
}

# plan VERSION: the plan, with the texts of VERSION (SHUTDOWNEXIT no: it keeps monitoring
# and reloading after its SHUTDOWNCMD, which run-shutexit.sh tests)
plan() {
	dm_plan reload <<EOF
POLLFREQ 1 POLLFREQALERT 1 SHUTDOWNEXIT no
GROUP REAL HOST 127.0.0.1 PORT $UPSD_PORT CERTFILE "$CA_FILE"
MONITOR a POWERVAL 1 UPSDUSER $PRIMARY_USER PASSWORD "$PRIMARY_PASS" TYPE primary
WHEN a REPORTS OL->OB : PRINT "$1 %(e)s" STARTTIMER t 9
WHEN a REPORTS OB->OL : PRINT "$1 %(e)s"
WHEN a TIMEOUT t : PRINT "$1 timer %(e)s"
WHEN a REPORTS None->LB : SHUTDOWNCMD "/bin/true"
WHEN a REPORTS COMM->NOCOMM : PRINT "$1 %(e)s"
WHEN a REPORTS NOCOMM->COMM : PRINT "$1 %(e)s"
GROUP HUNG HOST localhost PORT $SILENT_PORT CERTFILE "$CA_FILE" MINSUPPLIES 0
MONITOR s POWERVAL 0 UPSDUSER nobody PASSWORD "none" TYPE secondary
WHEN s REPORTS COMM->NOCOMM : PRINT "$1 hung %(e)s"
EOF
}

plan v1
# a service manager's notification socket, with a watchdog of 1 s
"$PEERS_BINDIR/sd-listen" "$PEERS_DIR/notify.sock" "$PEERS_DIR/notify.log" &
_peers_record sd-listen "$!"

dm_until 5 test -S "$PEERS_DIR/notify.sock" || peers_bail "sd-listen did not make its socket"
NOTIFY_SOCKET=$PEERS_DIR/notify.sock
WATCHDOG_USEC=1000000
export NOTIFY_SOCKET WATCHDOG_USEC
dm_start reload
unset NOTIFY_SOCKET WATCHDOG_USEC
sleep 3
# 1-2: within the 10 s the hung server's STARTTLS may take, and after
set_status OB
t=$(latency 'v1 OL->OB')
check "an event of the real upsd while the other hangs: ${t} s (<= 1 s driver + 1 poll + 0.5)" \
	awk "BEGIN { exit !($t <= 2.5) }"
check "the hung server: NOCOMM after the 10 s step limit, with the reason" \
	dm_wait reload.err 'UPS s@localhost:[0-9]*: no progress for 10 s while waiting for the reply to STARTTLS' 12

# 3-6: SIGHUP with a broken plan
bad_line=$(($(wc -l <"$PEERS_DIR/reload.conf") + 1))
# (the UPS 's' of group HUNG again: an error on a line with a password)
printf 'MONITOR s POWERVAL 1 UPSDUSER x PASSWORD "%s" TYPE primary\n' "$PRIMARY_PASS" >>"$PEERS_DIR/reload.conf"
kill -HUP "$DM_PID_reload"
check "SIGHUP, broken plan: its diagnostic is logged with file:line:col" \
	dm_wait reload.err "reload.conf:$bad_line:[0-9]*: error: " 5
check "SIGHUP, broken plan: the running plan is kept" dm_wait reload.err 'has errors: the running plan is kept' 5
check "SIGHUP, broken plan: an error on a MONITOR line is logged without its source line (no PASSWORD)" \
	sh -c "grep -q 'reload.conf:$bad_line:[0-9]*: error: UPS .s. is monitored twice' '$PEERS_DIR/reload.err' && ! grep -qF '$PRIMARY_PASS' '$PEERS_DIR/reload.err'"
set_status OL
check "the old plan still runs" dm_wait reload.out 'v1 OB->OL' 5

# 7-10: SIGHUP with a good plan: state and timers carry over
set_status OB
# (the second OL->OB of v1: the state the reload must keep)
dm_wait_count reload.out 'v1 OL->OB' 2 10 || true
sleep 1
plan v2
kill -HUP "$DM_PID_reload"
check "SIGHUP, good plan: swapped in" dm_wait reload.err 'reload: the new plan runs (2 UPS)' 5
check "the running timer carries over and runs the new plan's clause" dm_wait reload.out 'v2 timer TO->t' 12
check "no event repeats after the reload (state kept)" test "$(dm_count reload.out 'OL->OB')" -eq 2
set_status OL
check "the new plan runs" dm_wait reload.out 'v2 OB->OL' 5

# 11-12: a plan the monitoring user cannot use (its CERTFILE is root's
# alone): the root parent keeps the running plan too, so the running
# plan's SHUTDOWNCMD still runs
if [ "$(id -u)" -eq 0 ]; then
	cp "$CA_FILE" "$PEERS_DIR/root-ca.pem"
	chmod 600 "$PEERS_DIR/root-ca.pem"
	cp "$PEERS_DIR/reload.conf" "$PEERS_DIR/v2.conf"
	sed -e "s|CERTFILE \"$CA_FILE\"|CERTFILE \"$PEERS_DIR/root-ca.pem\"|" -e 's/"v2 /"v3 /g' \
		"$PEERS_DIR/v2.conf" >"$PEERS_DIR/reload.conf"
	kill -HUP "$DM_PID_reload"
	check "SIGHUP, a plan the monitoring user cannot use: the root parent keeps the running plan too" \
		dm_wait reload.err 'the monitoring process cannot use the new plan: the running plan is kept' 5
	set_status "OB LB"
	check "the running plan's SHUTDOWNCMD still runs (both processes render from the same plan)" \
		dm_wait reload.err 'SHUTDOWNCMD /bin/true ended with status 0' 8
	set_status OL
	dm_wait_count reload.out 'v2 OB->OL' 2 10 || true
	cp "$PEERS_DIR/v2.conf" "$PEERS_DIR/reload.conf"
else
	ok "a plan the monitoring user cannot use # SKIP not root: one process"
	ok "the running plan's SHUTDOWNCMD still runs # SKIP not root: one process"
fi

# 13-14: the hung server's error was logged once, and its UPS stayed apart
# (a reload makes new connections: a new episode)
check "the hung server's error is logged once per episode (until the reload)" \
	test "$(sed '/reload: the new plan runs/q' "$PEERS_DIR/reload.err" | grep -c 'UPS s@localhost:[0-9]*: no progress for')" -eq 1
check "the hung server never delayed the real one into NOCOMM" test "$(dm_count reload.out 'v[12] COMM->NOCOMM')" -eq 0

# 15-17: a driver that stops: upsd says DATA-STALE, the UPS is NOCOMM until data returns
drv=$(peers_pid dummy-ups-a)
kill -STOP "$drv"
check "a stopped driver: ERR DATA-STALE logged, NOCOMM" dm_wait reload.out 'v2 COMM->NOCOMM' 15
check "the connection is kept (no reconnection)" test "$(dm_count reload.err 'UPS a@.*while')" -eq 0
kill -CONT "$drv"
check "the driver back: NOCOMM->COMM" dm_wait reload.out 'v2 NOCOMM->COMM' 10

# 18-20: what the service manager heard
check "sd_notify: READY=1" dm_wait notify.log '^READY=1$' 1
check "sd_notify: STATUS= counts the UPS answering and on battery" \
	dm_wait notify.log '^STATUS=2 UPS: 1 answering, 0 on battery, 1 out of reach$' 1
check "sd_notify: WATCHDOG=1 every half WATCHDOG_USEC (more than 20 in the run)" \
	test "$(dm_count notify.log '^WATCHDOG=1$')" -gt 20

# 21-23: SIGTERM while a connection hangs
t0=$(date +%s)
dm_stop reload
check "SIGTERM while a server hangs: exit status 0" test "$DM_STATUS" -eq 0
check "SIGTERM while a server hangs: stopped within 3 s" test $(($(date +%s) - t0)) -le 3
check "sd_notify: STOPPING=1" dm_wait notify.log '^STOPPING=1$' 1

# 24-25: a stop with no connection to log out of (the only upsd refuses
# them): the loop ends at once; STOPPING=1, queued for the root parent,
# is written all the same
DEAD_PORT=$(peers_free_port)
dm_plan dead <<EOF
POLLFREQ 1 POLLFREQALERT 1
GROUP DEAD HOST 127.0.0.1 PORT $DEAD_PORT CERTFILE "$CA_FILE"
MONITOR d POWERVAL 1 UPSDUSER $PRIMARY_USER PASSWORD "$PRIMARY_PASS" TYPE primary
WHEN d REPORTS COMM->NOCOMM : PRINT "dead %(e)s"
EOF
: >"$PEERS_DIR/notify.log"
NOTIFY_SOCKET=$PEERS_DIR/notify.sock
export NOTIFY_SOCKET
dm_start dead
unset NOTIFY_SOCKET
check "no upsd: READY=1" dm_wait notify.log '^READY=1$' 10
dm_stop dead
check "stopped with nothing to log out of: sd_notify STOPPING=1 all the same" dm_wait notify.log '^STOPPING=1$' 2
dm_done
