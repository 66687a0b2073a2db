#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# run-shutexit.sh - TAP: SHUTDOWNEXIT against a real upsd: once its SHUTDOWNCMD starts, upsplan run logs out (upsd's NUMLOGINS for the UPS drops) and stays up until SIGTERM; with no the login stays; a delay logs out that much later, unless a reload's plan says no; a failing SHUTDOWNCMD logs in again and monitoring resumes; a primary waiting for NUMLOGINS <= 1 shuts down right after its secondary's SHUTDOWNCMD, not at its HOSTSYNC timer; SIGUSR2 and upsplan fsd run the plan's TIMEOUT fsd clauses (a plan without one does nothing, said so), and upsplan fsd refuses a copy of the PID file that no daemon holds; a SIGUSR2 that comes while no monitoring process is ready is passed on to the next one (root).
#
# Environment: UPSPLAN, PEERS_BINDIR (make check sets them); PEERS_KEEP=1
# keeps the temp dir.  Skips without nut-server, libnss3-tools, stunnel4.
set -eu

# shellcheck source=tests/daemon/daemon-lib.sh
. "$(cd "$(dirname "$0")" && pwd)/daemon-lib.sh"
dm_skip_unless_peers

echo "1..32"
peers_init
for u in y n f d e o; do
	printf 'ups.status: OL\nbattery.charge: 100\n' >"$PEERS_DIR/$u.dev"
	peers_add_ups "$u" "$PEERS_DIR/$u.dev"
done
peers_start tls || peers_bail "the peers did not start"
dm_setup

# the SHUTDOWNCMD: records its call (act/sd-NAME, with the time), exits with status $2 (never a real shutdown)
cat >"$PEERS_DIR/sd.sh" <<EOF
date +%s.%N >"$PEERS_DIR/act/sd-\$1"
exit \$2
EOF
chmod 644 "$PEERS_DIR/sd.sh"

# logins UPS: upsd's NUMLOGINS for UPS, asked on a connection of our own (no login)
logins() {
	"$PEERS_PROBE" -q -t 5 -A "$CA_FILE" "$UPSD_HOST" "$UPSD_PORT" "GET NUMLOGINS $1" 2>/dev/null |
		awk '$1 == "NUMLOGINS" { print $3 }'
}
# logins_are UPS N: upsd counts N logins on UPS
logins_are() {
	[ "$(logins "$1")" = "$2" ]
}
alive() {
	kill -0 "$1" 2>/dev/null && [ "$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null)" != Z ]
}

# se_plan NAME UPS SETTING STATUS [EVENT]: a secondary of UPS whose EVENT (default None->LB) and None->FSD run sd.sh NAME STATUS
se_plan() {
	_se_ev='None->LB'
	[ $# -lt 5 ] || _se_ev=$5
	dm_plan "$1" <<EOF
POLLFREQ 1 POLLFREQALERT 1
SHUTDOWNEXIT $3
GROUP LOCAL HOST 127.0.0.1 PORT $UPSD_PORT CERTFILE "$CA_FILE"
MONITOR $2 POWERVAL 1 UPSDUSER $SECONDARY_USER PASSWORD "$SECONDARY_PASS" TYPE secondary
WHEN $2 REPORTS $_se_ev : SHUTDOWNCMD "/bin/sh $PEERS_DIR/sd.sh $1 $4"
WHEN $2 REPORTS None->FSD : SHUTDOWNCMD "/bin/sh $PEERS_DIR/sd.sh $1 $4"
WHEN $2 REPORTS OB->OL : PRINT "on line again"
WHEN $2 REPORTS COMM->NOCOMM : PRINT "lost %(u)s"
EOF
}

# 1-6: yes (the default spelled out): the login goes when the SHUTDOWNCMD starts, the daemon stays until SIGTERM
se_plan yes y yes 0
dm_start yes
check "yes: upsplan is logged in to y (NUMLOGINS 1)" dm_until 20 logins_are y 1
dm_set_dev y "OB LB"
check "yes: the SHUTDOWNCMD ran" dm_until 20 test -f "$PEERS_DIR/act/sd-yes"
check "yes: upsd's NUMLOGINS for y drops to 0" dm_until 5 logins_are y 0
check "yes: the log says what it did, once" dm_wait yes.err 'SHUTDOWNEXIT: the SHUTDOWNCMD at .* logged out of 1 UPS' 5
sleep 2
if alive "$DM_PID_yes" && logins_are y 0 && [ "$(dm_count yes.err 'SHUTDOWNEXIT: the SHUTDOWNCMD')" -eq 1 ]; then
	ok "yes: the daemon stays up, logged out"
else
	not_ok "yes: the daemon stays up, logged out" "$(cat "$PEERS_DIR/yes.err")"
fi
dm_stop yes
check "yes: SIGTERM stops it (status 0)" test "$DM_STATUS" -eq 0

# 7-10: no: today's behaviour, the login stays
se_plan no n no 0
dm_start no
check "no: upsplan is logged in to n" dm_until 20 logins_are n 1
dm_set_dev n "OB LB"
check "no: the SHUTDOWNCMD ran" dm_until 20 test -f "$PEERS_DIR/act/sd-no"
sleep 3
check "no: the login stays after it" logins_are n 1
# 10: SIGUSR2 to a plan without a TIMEOUT fsd clause: nothing to do, said so
kill -USR2 "$DM_PID_no"
check "SIGUSR2 without a TIMEOUT fsd clause: logged, nothing done" \
	dm_wait no.err 'SIGUSR2 (operator FSD): the plan has no WHEN ... TIMEOUT fsd clause: nothing to do' 5
dm_stop no

# 11-16: a failing SHUTDOWNCMD: logged out, then in again, and the rules run again
se_plan fail f yes 1
dm_start fail
check "failing: upsplan is logged in to f" dm_until 20 logins_are f 1
dm_set_dev f "OB LB"
check "failing: the SHUTDOWNCMD ran" dm_until 20 test -f "$PEERS_DIR/act/sd-fail"
check "failing: it logged out when it started" dm_wait fail.err 'SHUTDOWNEXIT: the SHUTDOWNCMD at' 5
check "failing: it logs in again when the SHUTDOWNCMD fails" dm_wait fail.err 'SHUTDOWNEXIT: the SHUTDOWNCMD failed: logging in to upsd again' 10
check "failing: upsd counts its login again" dm_until 20 logins_are f 1
dm_set_dev f OL
check "failing: the rules run again (OB->OL)" dm_wait fail.out 'on line again' 20
dm_stop fail

# 17-19: a delay: polling and handlers meanwhile, logged out after it
se_plan delay d 4 0
dm_start delay
check "delay: upsplan is logged in to d" dm_until 20 logins_are d 1
dm_set_dev d "OB LB"
dm_until 20 test -f "$PEERS_DIR/act/sd-delay" || true
sleep 1
if [ -f "$PEERS_DIR/act/sd-delay" ] && logins_are d 1; then
	ok "delay: still logged in 1 s after the SHUTDOWNCMD started"
else
	not_ok "delay: still logged in 1 s after the SHUTDOWNCMD started" "$(cat "$PEERS_DIR/delay.err")"
fi
check "delay: logged out after the delay" dm_until 8 logins_are d 0
dm_stop delay

# 20-22: a reload during the delay: the new plan's SHUTDOWNEXIT no cancels it (the UPS d is still OB LB)
se_plan reload d 4 0
dm_start reload
check "reload: the SHUTDOWNCMD ran" dm_until 20 test -f "$PEERS_DIR/act/sd-reload"
se_plan reload d no 0
kill -HUP "$DM_PID_reload"
check "reload: SHUTDOWNEXIT's delay follows the new plan" dm_wait reload.err "reload: SHUTDOWNEXIT's pending delay follows the new plan" 5
sleep 4
check "reload: still logged in after the old plan's delay (SHUTDOWNEXIT no now)" logins_are d 1
dm_stop reload

# 23-28: the operator's FSD: SIGUSR2 to the daemon, and upsplan fsd with its PID file, run the TIMEOUT fsd clauses
dm_plan op <<EOF
POLLFREQ 1 POLLFREQALERT 1
SHUTDOWNEXIT no
GROUP LOCAL HOST 127.0.0.1 PORT $UPSD_PORT CERTFILE "$CA_FILE"
MONITOR o POWERVAL 1 UPSDUSER $PRIMARY_USER PASSWORD "$PRIMARY_PASS" TYPE primary
WHEN o TIMEOUT fsd : PRINT "operator FSD on %(u)s" SETFSD o STARTTIMER final 1
WHEN o TIMEOUT final : SHUTDOWNCMD "/bin/sh $PEERS_DIR/sd.sh op 0"
WHEN o REPORTS None->FSD : PRINT "FSD seen on %(u)s"
WHEN o REPORTS COMM->NOCOMM : PRINT "lost %(u)s"
EOF
dm_start op
dm_until 20 logins_are o 1 || true
kill -USR2 "$DM_PID_op"
check "SIGUSR2: the TIMEOUT fsd clause runs" dm_wait op.out 'operator FSD on o' 5
check "... logged" dm_wait op.err 'SIGUSR2 (operator FSD): timer fsd expires now' 5
fsd_effects() {
	dm_wait op.out 'FSD seen on o' 10 && dm_until 10 test -f "$PEERS_DIR/act/sd-op"
}
check "... its SETFSD reaches upsd (FSD seen at the next poll) and its SHUTDOWNCMD runs" fsd_effects
run_fsd() {
	"$UPSPLAN" fsd "$@" >"$PEERS_DIR/fsd.out" 2>"$PEERS_DIR/fsd.err"
}
if run_fsd -p "$PEERS_DIR/op.pid" && grep -q "forced shutdown asked of upsplan (pid $DM_PID_op)" "$PEERS_DIR/fsd.out"; then
	ok "upsplan fsd -p PIDFILE: sent to the daemon's PID"
else
	not_ok "upsplan fsd -p PIDFILE: sent to the daemon's PID" "$(cat "$PEERS_DIR/fsd.out" "$PEERS_DIR/fsd.err")"
fi
check "... the TIMEOUT fsd clause runs again" dm_wait_count op.out 'operator FSD on o' 2 5
cp "$PEERS_DIR/op.pid" "$PEERS_DIR/copy.pid"
if ! run_fsd -p "$PEERS_DIR/copy.pid" && grep -q 'no upsplan holds the PID file' "$PEERS_DIR/fsd.err" &&
	sleep 2 && [ "$(dm_count op.out 'operator FSD on o')" -eq 2 ]; then
	ok "upsplan fsd: a copy of the PID file (the same PID, no lock) is refused, nothing sent"
else
	not_ok "upsplan fsd: a copy of the PID file (the same PID, no lock) is refused, nothing sent" "$(cat "$PEERS_DIR/fsd.err")"
fi
# 29-30: a SIGUSR2 that comes while no monitoring process is ready is kept for the next one, never lost.
# Deterministic: the root parent is stopped while its child is killed and the SIGUSR2 sent, so it finds
# both at once (USR2 read first, the lower number) when it goes on.
if [ -z "$DM_USER_OPT" ]; then
	tap_skip "needs root (a root parent)" "SIGUSR2 while the monitoring process is gone: kept" "... passed on when the next one is ready"
else
	mon=$(cut -d" " -f1 "/proc/$DM_PID_op/task/$DM_PID_op/children")	# the monitoring process, alone now
	kill -STOP "$DM_PID_op"
	kill -KILL "$mon"
	i=0
	while alive "$mon" && [ $i -lt 100 ]; do sleep 0.05; i=$((i + 1)); done
	kill -USR2 "$DM_PID_op"
	kill -CONT "$DM_PID_op"
	check "SIGUSR2 while the monitoring process is gone: kept" \
		dm_wait op.err 'SIGUSR2 (operator FSD): the monitoring process is not running (it is started again): passed on when it is ready' 5
	late() {
		dm_wait op.err 'SIGUSR2 (operator FSD): passed on late, now that the monitoring process is ready' 10 &&
			dm_wait_count op.out 'operator FSD on o' 3 10
	}
	check "... passed on when the next one is ready: the TIMEOUT fsd clause runs" late
fi
dm_stop op

# 31-32: a secondary and a primary on one UPS: the primary sets FSD, waits for NUMLOGINS <= 1 (HOSTSYNC 40 s);
# the secondary shuts down on FSD only (as upsmon's, which waits HOSTSYNC on OB LB without FSD)
se_plan sec e yes 0 'None->CAL'
dm_plan prim <<EOF
POLLFREQ 1 POLLFREQALERT 1
GROUP LOCAL HOST 127.0.0.1 PORT $UPSD_PORT CERTFILE "$CA_FILE"
MONITOR e POWERVAL 1 UPSDUSER $PRIMARY_USER PASSWORD "$PRIMARY_PASS" TYPE primary
WHEN e REPORTS None->LB : SETFSD e STARTTIMER hostsync 40 STARTTIMER wait 0
WHEN e TIMEOUT wait : IF NUMLOGINS <= 1 SHUTDOWNCMD "/bin/sh $PEERS_DIR/sd.sh prim 0"
    IF NOT RUNNING hostsync SHUTDOWNCMD "/bin/sh $PEERS_DIR/sd.sh prim-hostsync 0"
    IF NOT NUMLOGINS <= 1 AND RUNNING hostsync STARTTIMER wait 0.5
WHEN e TIMEOUT hostsync : PRINT "hostsync over"
WHEN e REPORTS COMM->NOCOMM : PRINT "lost %(u)s"
EOF
dm_start sec
dm_start prim
dm_until 20 logins_are e 2 || true
dm_set_dev e "OB LB"
if dm_until 30 test -f "$PEERS_DIR/act/sd-sec" && dm_until 15 test -f "$PEERS_DIR/act/sd-prim"; then
	ok "two daemons: the secondary shuts down, then the primary"
else
	not_ok "two daemons: the secondary shuts down, then the primary" "$(cat "$PEERS_DIR/sec.err" "$PEERS_DIR/prim.err")"
fi
gap=$(cat "$PEERS_DIR/act/sd-sec" "$PEERS_DIR/act/sd-prim" 2>/dev/null | awk 'NR == 1 { s = $1 } NR == 2 { print ($1 - s < 5 && $1 > s) ? "ok" : $1 - s }')
if [ "$gap" = ok ] && [ ! -f "$PEERS_DIR/act/sd-prim-hostsync" ]; then
	ok "... after the secondary's logout, within 5 s, not at HOSTSYNC"
else
	not_ok "... after the secondary's logout, within 5 s, not at HOSTSYNC" "gap: $gap"
fi
dm_stop prim
dm_stop sec
dm_done
