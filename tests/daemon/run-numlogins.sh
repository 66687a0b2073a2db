#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# run-numlogins.sh - TAP: upsplan run against a real upsd asks GET NUMLOGINS for the UPS whose NUMLOGINS its conditions read: with upsplan alone logged in the count is 1 (its own login), a second client's LOGIN makes NUMLOGINS >= 2 true (of the clause's UPS and of a named one), its logout false again, as upsplan simulate traces the same counts; an ERR reply (a stale driver) is logged once.
#
# Environment: UPSPLAN, PEERS_BINDIR (make check sets them); PEERS_KEEP=1
# keeps the temp dir.  Skips without nut-server, libnss3-tools, stunnel4.
set -eu

# shellcheck source=tests/daemon/daemon-lib.sh
. "$(cd "$(dirname "$0")" && pwd)/daemon-lib.sh"
dm_skip_unless_peers

echo "1..10"
# a stopped driver goes stale after 3 s (the ERR test)
PEERS_MAXAGE=3
peers_init

printf 'ups.status: OL\nbattery.charge: 100\n' >"$PEERS_DIR/a.dev"
printf 'ups.status: OL\nbattery.charge: 100\n' >"$PEERS_DIR/b.dev"
peers_add_ups a "$PEERS_DIR/a.dev"
peers_add_ups b "$PEERS_DIR/b.dev"
peers_start tls || peers_bail "the peers did not start"
dm_setup

# a's count is read by a's own rules and, named, by b's; b's by a rule of a
dm_plan nl <<END
POLLFREQ 1 POLLFREQALERT 1
GROUP LOCAL HOST 127.0.0.1 PORT $UPSD_PORT CERTFILE "$CA_FILE"
MONITOR a POWERVAL 1 UPSDUSER $PRIMARY_USER PASSWORD "$PRIMARY_PASS" TYPE primary
MONITOR b POWERVAL 0 UPSDUSER $PRIMARY_USER PASSWORD "$PRIMARY_PASS" TYPE primary
WHEN a BECOMES NUMLOGINS <= 1 : PRINT "alone on a"
WHEN a BECOMES NUMLOGINS >= 2 : PRINT "a secondary on a"
WHEN a CEASES NUMLOGINS >= 2 : PRINT "no secondary on a"
WHEN b BECOMES NUMLOGINS a >= 2 : PRINT "b sees a secondary on a"
WHEN a BECOMES NUMLOGINS b >= 2 : PRINT "a secondary on b"
WHEN a REPORTS None->LB : SHUTDOWNCMD "/bin/true"
WHEN a REPORTS COMM->NOCOMM : PRINT "lost a"
WHEN b REPORTS COMM->NOCOMM : PRINT "lost b"
END
dm_start nl

# 1-2: upsplan's own login counts: 1, and >= 2 stays false
check "upsplan alone: NUMLOGINS of a is 1 (its own login), asked with the polls" dm_wait nl.out 'alone on a' 20
sleep 3
check "... and NUMLOGINS >= 2 stays false" test "$(dm_count nl.out 'secondary on a')" -eq 0

# 3-5: a second client logs in to a (the secondary's user, over STARTTLS as upsplan), held open
pass=$(peers_nut_quote "$SECONDARY_PASS")
"$PEERS_PROBE" -q -t 5 -w 120 -A "$CA_FILE" "$UPSD_HOST" "$UPSD_PORT" "USERNAME $SECONDARY_USER" \
	"PASSWORD $pass" "LOGIN a" >"$PEERS_DIR/probe.out" 2>"$PEERS_DIR/probe.err" &
probe=$!
check "a second client logs in to a: NUMLOGINS >= 2 becomes true" dm_wait nl.out 'a secondary on a' 15
check "... and NUMLOGINS a >= 2 in a rule of b, too" dm_wait nl.out 'b sees a secondary on a' 5
check "... upsd accepted that login" test "$(grep -c '^OK' "$PEERS_DIR/probe.out")" -eq 3

# 6: it logs out (its connection closes): false again
kill "$probe" 2>/dev/null || true
wait "$probe" 2>/dev/null || true
check "the client logs out: NUMLOGINS >= 2 is false again" dm_wait nl.out 'no secondary on a' 15
check "... and only upsplan's login is left" dm_wait_count nl.out 'alone on a' 2 10

# 8: the same counts in upsplan simulate: the same actions in the same order
cat >"$PEERS_DIR/nl.scn" <<'END'
at 0 set a NUMLOGINS 1
at 0 set b NUMLOGINS 1
at 10 set a NUMLOGINS 2
at 20 set a NUMLOGINS 1
at 30 end
END
# shellcheck disable=SC2086
${UPSPLAN_VALGRIND:-} "$UPSPLAN" simulate --hostname testhost "$PEERS_DIR/nl.conf" "$PEERS_DIR/nl.scn" \
	>"$PEERS_DIR/simulate.trace" 2>"$PEERS_DIR/simulate.err" || true
dm_events simulate.trace | grep ' PRINT ' >"$PEERS_DIR/simulate.events" || true
dm_events nl.trace | grep ' PRINT ' | head -n "$(wc -l <"$PEERS_DIR/simulate.events")" >"$PEERS_DIR/run.events" || true
if [ -s "$PEERS_DIR/simulate.events" ] && cmp -s "$PEERS_DIR/simulate.events" "$PEERS_DIR/run.events"; then
	ok "the daemon's actions are upsplan simulate's for the same counts, in the same order ($(wc -l <"$PEERS_DIR/run.events") lines)"
else
	not_ok "the daemon's actions are upsplan simulate's for the same counts, in the same order" \
		"$(diff "$PEERS_DIR/simulate.events" "$PEERS_DIR/run.events" || true)" "$(cat "$PEERS_DIR/simulate.err")"
fi

# 9-10: b's driver stops: upsd answers ERR DATA-STALE to GET NUMLOGINS b (and for its status: NOCOMM,
# the last answered poll's values stay); logged once (run-numlogins-replies.sh: ERR with a status)
drv=$(peers_pid dummy-ups-b)
kill -STOP "$drv"
check "an ERR reply to GET NUMLOGINS is logged" dm_wait nl.err 'ERR DATA-STALE to GET NUMLOGINS b' 20
sleep 3
check "... logged once" test "$(dm_count nl.err 'ERR DATA-STALE to GET NUMLOGINS b')" -eq 1
kill -CONT "$drv"
dm_stop nl
dm_done
