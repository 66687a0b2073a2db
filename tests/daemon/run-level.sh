#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# run-level.sh - TAP: upsplan run against a real upsd + dummy-ups runs a level rule with a hold time (WHEN a BECOMES battery.runtime < 300 FOR 12s, and its CEASES) as upsplan simulate does: a dip shorter than the hold fires nothing, a drop that stays fires once after the hold, the rise fires CEASES after the hold; same events, same order.
#
# The test drives dummy-ups (a .dev file it rewrites) and waits, at each
# step, for the daemon to have seen it, so a slow machine stretches the
# steps but cannot change what happens: the only step whose length
# matters is the dip, which lasts from the poll that sees it (a rule
# without hold time says so at once) to the poll that sees the runtime
# back, about 3 s (dummy-ups notices a new file within its 2 s poll),
# against a hold of 12 s.  What is compared is the events and actions
# in order, and counts; the only times checked are lower bounds (a
# hold never ends early).
#
# Environment: UPSPLAN, PEERS_BINDIR (make check sets them); PEERS_KEEP=1
# keeps the temp dir.  Skips without nut-server, libnss3-tools, stunnel4.
set -eu

# shellcheck source=tests/daemon/daemon-lib.sh
. "$(cd "$(dirname "$0")" && pwd)/daemon-lib.sh"
dm_skip_unless_peers

HOLD=12
echo "1..9"
peers_init

printf 'ups.status: OL CHRG\nbattery.charge: 100\nbattery.runtime: 1800\n' >"$PEERS_DIR/a.dev"
peers_add_ups a "$PEERS_DIR/a.dev"
peers_start tls || peers_bail "the peers did not start"
dm_setup

# "under 600" has no hold time: it shows each poll that sees the runtime
# low or back, so that the test knows the daemon has seen each step
dm_plan level <<END
POLLFREQ 1 POLLFREQALERT 1
GROUP LOCAL HOST 127.0.0.1 PORT $UPSD_PORT CERTFILE "$CA_FILE"
MONITOR a POWERVAL 1 UPSDUSER $PRIMARY_USER PASSWORD "$PRIMARY_PASS" TYPE primary
WHEN a REPORTS OL->OB : PRINT "on battery"
WHEN a REPORTS OB->OL : PRINT "on line"
WHEN a BECOMES battery.runtime < 600 : PRINT "seen: under 600"
WHEN a CEASES battery.runtime < 600 : PRINT "seen: 600 or more"
WHEN a BECOMES battery.runtime < 300 FOR ${HOLD}s : PRINT "held: under 300 for ${HOLD} s"
WHEN a CEASES battery.runtime < 300 : PRINT "held: 300 or more for ${HOLD} s"
WHEN a REPORTS None->LB : SHUTDOWNCMD "/bin/true"
WHEN a REPORTS COMM->NOCOMM : PRINT "lost"
END
dm_start level

# the PRINT lines of the level rules so far
prints() {
	grep -c -- "$1" "$PEERS_DIR/level.out" || true
}

# tm N TEXT: the time of the Nth trace line of a PRINT of TEXT
tm() {
	grep -- "PRINT  *$2" "$PEERS_DIR/level.trace" | sed -n "$1p" | awk '{ print $1 }'
}

# at_least A B S: the time B is at least S seconds after the time A
at_least() {
	[ -n "$1" ] && [ -n "$2" ] && awk -v a="$1" -v b="$2" -v s="$3" 'BEGIN { exit !(b - a >= s) }'
}

# 1: the first poll (OL CHRG: an event), then on battery, the runtime enough
dm_wait level.trace 'None->CHRG' 20 || true
dm_set_dev a "OB DISCHRG" "battery.runtime: 1200"
check "on battery: the daemon polls the runtime" dm_wait level.out 'on battery' 20

# 2-3: the runtime dips under 300 and is back before the hold is over
dm_set_dev a "OB DISCHRG" "battery.runtime: 240"
dm_wait level.out 'seen: under 600' 20 || true
dm_set_dev a "OB DISCHRG" "battery.runtime: 1200"
check "a dip under the line is seen, and the runtime back" dm_wait level.out 'seen: 600 or more' 20
check "... shorter than the hold: the rule does not fire" test "$(prints 'held:')" -eq 0

# 4-5: it drops and stays: the rule fires once, the hold after the poll that saw it
dm_set_dev a "OB DISCHRG" "battery.runtime: 240"
check "a drop that stays: the rule fires after its hold" dm_wait level.out 'held: under 300' $((HOLD + 30))
if at_least "$(tm 2 'seen: under 600')" "$(tm 1 'held: under 300')" $((HOLD - 1)); then
	ok "... not before the hold is over"
else
	not_ok "... not before the hold is over" "$(grep PRINT "$PEERS_DIR/level.trace")"
fi

# 6-7: the runtime is back: CEASES once it has been back for the hold
dm_set_dev a "OB DISCHRG" "battery.runtime: 900"
check "back above the line: CEASES after the hold" dm_wait level.out 'held: 300 or more' $((HOLD + 30))
if at_least "$(tm 2 'seen: 600 or more')" "$(tm 1 'held: 300 or more')" $((HOLD - 1)); then
	ok "... not before the hold is over"
else
	not_ok "... not before the hold is over" "$(grep PRINT "$PEERS_DIR/level.trace")"
fi

# 8: on line again; each level rule fired as often as the runtime crossed its line
dm_set_dev a "OL" "battery.runtime: 1800"
dm_wait level.out 'on line' 20 || true
sleep 2
counts="$(prints 'seen: under 600') $(prints 'seen: 600 or more') $(prints 'held: under 300') $(prints 'held: 300 or more')"
if [ "$counts" = "2 2 1 1" ]; then
	ok "the rule with a hold fired once and ceased once, the one without twice each"
else
	not_ok "the rule with a hold fired once and ceased once, the one without twice each" \
		"counts: $counts (expected 2 2 1 1)"
fi
dm_stop level

# 9: the same steps in upsplan simulate give the same events and actions, in the same order
cat >"$PEERS_DIR/level.scn" <<'END'
at 0    set a ups.status "OL CHRG"
        set a battery.runtime 1800
at 10   set a ups.status "OB DISCHRG"
        set a battery.runtime 1200
at 20   set a battery.runtime 240
at 23   set a battery.runtime 1200
at 40   set a battery.runtime 240
at 70   set a battery.runtime 900
at 100  set a ups.status OL
        set a battery.runtime 1800
at 110  end
END
# shellcheck disable=SC2086
${UPSPLAN_VALGRIND:-} "$UPSPLAN" simulate --hostname testhost "$PEERS_DIR/level.conf" "$PEERS_DIR/level.scn" \
	>"$PEERS_DIR/simulate.trace" 2>"$PEERS_DIR/simulate.err" || true
dm_events simulate.trace | sed -n '/OL->OB event/,$p' | grep -v ' unknown ' >"$PEERS_DIR/simulate.events" || true
dm_events level.trace | sed -n '/OL->OB event/,$p' | grep -v ' unknown ' >"$PEERS_DIR/run.events" || true
if [ -s "$PEERS_DIR/simulate.events" ] && cmp -s "$PEERS_DIR/simulate.events" "$PEERS_DIR/run.events"; then
	ok "the daemon's trace has the events and actions of upsplan simulate, in the same order ($(wc -l <"$PEERS_DIR/run.events") lines)"
else
	not_ok "the daemon's trace has the events and actions of upsplan simulate, in the same order" \
		"$(diff "$PEERS_DIR/simulate.events" "$PEERS_DIR/run.events" || true)" "$(cat "$PEERS_DIR/simulate.err")"
fi
dm_done
