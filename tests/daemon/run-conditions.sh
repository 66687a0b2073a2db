#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# run-conditions.sh - TAP: upsplan run against a real upsd + dummy-ups polls the NUT variables its IF conditions and %(var:NAME)s texts read (battery.runtime, ups.alarm; a variable upsd lacks is unknown, logged once, and shows as (unknown) in a text): a runtime-threshold outage traced as upsplan simulate traces it; a plan without such conditions runs as before.
#
# Environment: UPSPLAN, PEERS_BINDIR (make check sets them); PEERS_KEEP=1
# keeps the temp dir.  Skips without nut-server, libnss3-tools, stunnel4.
set -eu

# shellcheck source=tests/daemon/daemon-lib.sh
. "$(cd "$(dirname "$0")" && pwd)/daemon-lib.sh"
dm_skip_unless_peers

echo "1..9"
peers_init

# on line, then on battery with the runtime falling under 300 s; the last pause outlasts the test
cat >"$PEERS_DIR/runtime.seq" <<'END'
ups.status: OL
battery.charge: 100
battery.runtime: 1800
ups.alarm: Replace battery
TIMER 6
ups.status: OB DISCHRG
battery.charge: 90
battery.runtime: 1200
TIMER 5
battery.charge: 80
battery.runtime: 240
ups.alarm: Fan failure, overheat
TIMER 900
END
peers_add_ups a "$PEERS_DIR/runtime.seq"
peers_start tls || peers_bail "the peers did not start"
dm_setup

# a check every 2 s while on battery: shut down under 300 s left
dm_plan cond <<END
POLLFREQ 1 POLLFREQALERT 1
GROUP LOCAL HOST 127.0.0.1 PORT $UPSD_PORT CERTFILE "$CA_FILE"
MONITOR a POWERVAL 1 UPSDUSER $PRIMARY_USER PASSWORD "$PRIMARY_PASS" TYPE primary
WHEN a REPORTS OL->OB : PRINT "on battery" STARTTIMER check 2
    NUTLOG "%(u)s on battery: %(var:battery.runtime)s s left, alarm: %(var:ups.alarm)s, %(var:ups.missing.var)s"
WHEN a TIMEOUT check : IF battery.runtime < 300 AND ups.alarm =~ "(?i)overheat" PRINT "short and hot"
    IF battery.runtime < 300 SHUTDOWNCMD "/bin/true"
    IF battery.runtime >= 300 AND NOT ups.no.such.variable == "x" PRINT "enough: %(c)s" STARTTIMER check 2
WHEN a REPORTS None->LB : SHUTDOWNCMD "/bin/true"
WHEN a REPORTS COMM->NOCOMM : PRINT "lost"
END
dm_plan plain <<END
POLLFREQ 1 POLLFREQALERT 1
GROUP LOCAL HOST 127.0.0.1 PORT $UPSD_PORT CERTFILE "$CA_FILE" MINSUPPLIES 0
MONITOR a POWERVAL 0 UPSDUSER $SECONDARY_USER PASSWORD "$SECONDARY_PASS" TYPE observer
WHEN a REPORTS OL->OB : PRINT "plain: on battery" STARTTIMER t 1
WHEN a TIMEOUT t : IF OL->OB PRINT "plain: still on battery"
END
dm_start cond
dm_start plain

# 1-4: the variables are polled, the outage follows them
check "the conditions' variables are asked for with the status: the check finds enough runtime" \
	dm_wait cond.out 'enough: 90' 20
check "then the runtime under 300 s and the alarm's pattern: the shutdown" dm_wait cond.trace 'TO->check .*SHUTDOWNCMD' 15
check "a variable upsd does not have is logged as not known" \
	dm_wait cond.err 'UPS a@127.0.0.1:[0-9]*: ups.no.such.variable is not known' 5
sleep 2
check "... once" test "$(dm_count cond.err 'ups.no.such.variable is not known')" -eq 1
# 5-6: a text's %(var:NAME)s renders the value upsd has at the event (NUTLOG without -l: the daemon's log)
check "a NUTLOG text shows the dummy-ups values of its %(var:...)s, (unknown) for one upsd lacks" \
	dm_wait cond.err 'a@127.0.0.1:[0-9]* on battery: 1200 s left, alarm: Replace battery, (unknown)$' 5
check "... and the variable upsd lacks is logged once" test "$(dm_count cond.err 'ups.missing.var is not known')" -eq 1

# 7: the trace is the one upsplan simulate gives for the same .seq, from OL->OB on
cp "$PEERS_DIR/runtime.seq" "$PEERS_DIR/sim.seq"
printf 'at 0 dummy a sim.seq\nat 20 end\n' >"$PEERS_DIR/cond.scn"
# shellcheck disable=SC2086
${UPSPLAN_VALGRIND:-} "$UPSPLAN" simulate --hostname testhost "$PEERS_DIR/cond.conf" "$PEERS_DIR/cond.scn" \
	>"$PEERS_DIR/simulate.trace" 2>"$PEERS_DIR/simulate.err" || true
dm_events simulate.trace | sed -n '/OL->OB event/,$p' | grep -v ' unknown ' >"$PEERS_DIR/simulate.events" || true
dm_events cond.trace | sed -n '/OL->OB event/,$p' | grep -v ' unknown ' |
	head -n "$(wc -l <"$PEERS_DIR/simulate.events")" >"$PEERS_DIR/run.events" || true
if [ -s "$PEERS_DIR/simulate.events" ] && cmp -s "$PEERS_DIR/simulate.events" "$PEERS_DIR/run.events"; then
	ok "the daemon's trace has the events and actions of upsplan simulate, in the same order ($(wc -l <"$PEERS_DIR/run.events") lines)"
else
	not_ok "the daemon's trace has the events and actions of upsplan simulate, in the same order" \
		"$(diff "$PEERS_DIR/simulate.events" "$PEERS_DIR/run.events" || true)" "$(cat "$PEERS_DIR/simulate.err")"
fi

# 8-9: a plan whose conditions read no variable runs as before
check "a plan without variable conditions runs as before" dm_wait plain.out 'plain: still on battery' 15
check "... and logs no unknown variable" test "$(dm_count plain.err 'is not known')" -eq 0
dm_stop cond
dm_stop plain
dm_done
