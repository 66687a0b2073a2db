#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# run-names.sh - TAP: upsplan run against a real upsd monitors a UPS whose NUT name starts with a digit ("1500va", quoted in the plan) with a upsd user whose name does too ("1upsmon"), through OL->OB->OL; and a rule of another group reads that UPS's NUMLOGINS (polled on its own connection) and sets FSD on it, which upsd then reports.
#
# Environment: UPSPLAN, PEERS_BINDIR (make check sets them); PEERS_KEEP=1
# keeps the temp dir.  Skips without nut-server, libnss3-tools, stunnel4.
set -eu

# shellcheck source=tests/daemon/daemon-lib.sh
. "$(cd "$(dirname "$0")" && pwd)/daemon-lib.sh"
dm_skip_unless_peers

echo "1..12"
PEERS_PRIMARY_USER=1upsmon
peers_init

printf 'ups.status: OL\nbattery.charge: 100\n' >"$PEERS_DIR/1500va.dev"
printf 'ups.status: OL\nbattery.charge: 100\n' >"$PEERS_DIR/a.dev"
peers_add_ups 1500va "$PEERS_DIR/1500va.dev"
peers_add_ups a "$PEERS_DIR/a.dev"
peers_start tls || peers_bail "the peers did not start"
dm_setup

# two groups on one upsd: FAR monitors 1500va (POWERVAL 1: upsplan logs in to it, as upsmon), LOCAL's rules
# read its count and set FSD on it
dm_plan names <<END
POLLFREQ 1 POLLFREQALERT 1
GROUP FAR HOST 127.0.0.1 PORT $UPSD_PORT CERTFILE "$CA_FILE" MINSUPPLIES 0
MONITOR "1500va" POWERVAL 1 UPSDUSER "$PRIMARY_USER" PASSWORD "$PRIMARY_PASS" TYPE primary
WHEN "1500va" REPORTS OL->OB : PRINT "%(u)s on battery"
WHEN "1500va" REPORTS OB->OL : PRINT "%(u)s back on line"
WHEN "1500va" REPORTS None->FSD : PRINT "%(u)s reports FSD"
WHEN "1500va" REPORTS COMM->NOCOMM : PRINT "lost %(u)s"
GROUP LOCAL HOST 127.0.0.1 PORT $UPSD_PORT CERTFILE "$CA_FILE"
MONITOR a POWERVAL 1 UPSDUSER "$PRIMARY_USER" PASSWORD "$PRIMARY_PASS" TYPE primary
WHEN a BECOMES NUMLOGINS "1500va" <= 1 : PRINT "a: alone on 1500va"
WHEN a BECOMES NUMLOGINS "1500va" >= 2 : PRINT "a: a secondary on 1500va"
WHEN a CEASES NUMLOGINS "1500va" >= 2 : PRINT "a: no secondary on 1500va"
WHEN a REPORTS None->LB : PRINT "a: low battery, FSD on 1500va" SETFSD "1500va"
WHEN a REPORTS COMM->NOCOMM : PRINT "lost a"
END
dm_start names
label="FAR:1500va@127.0.0.1:$UPSD_PORT"

# 1-2: logged in as 1upsmon, upsplan's own login is 1500va's count, read by a rule of the other group
check "a rule of group LOCAL reads NUMLOGINS of 1500va (group FAR): 1, upsplan's login" \
	dm_wait names.out 'a: alone on 1500va' 20
check "... upsd logged user 1upsmon in to UPS 1500va (USERNAME and LOGIN went as they are)" \
	dm_wait upsd.log 'User 1upsmon@127.0.0.1 logged into UPS \[1500va\]' 10

# 3-5: 1500va through OL->OB->OL
dm_set_dev 1500va "OB DISCHRG"
check "1500va goes on battery: OL->OB, %(u)s is $label" dm_wait names.out "^$label on battery\$" 15
dm_set_dev 1500va OL
check "... and back: OB->OL" dm_wait names.out "^$label back on line\$" 15
check "... each once, in that order" test "$(grep -c "^$label" "$PEERS_DIR/names.out")" -eq 2

# 6-8: a second client logs in to 1500va: LOCAL's rule sees the count of FAR's UPS
"$PEERS_PROBE" -q -t 5 -w 120 -A "$CA_FILE" "$UPSD_HOST" "$UPSD_PORT" "USERNAME $SECONDARY_USER" \
	"PASSWORD $(peers_nut_quote "$SECONDARY_PASS")" "LOGIN 1500va" >"$PEERS_DIR/probe.out" 2>"$PEERS_DIR/probe.err" &
probe=$!
check "a second client logs in to 1500va: NUMLOGINS \"1500va\" >= 2 in group LOCAL" \
	dm_wait names.out 'a: a secondary on 1500va' 15
kill "$probe" 2>/dev/null || true
wait "$probe" 2>/dev/null || true
check "... it logs out: false again" dm_wait names.out 'a: no secondary on 1500va' 15
check "... the daemon asked GET NUMLOGINS 1500va with the polls (no protocol error logged)" \
	test "$(dm_count names.err 'protocol error')" -eq 0

# 9-11: a's low battery sets FSD on 1500va, over 1500va's own connection; upsd reports it
dm_set_dev a "OB LB"
check "a's None->LB runs SETFSD \"1500va\"" dm_wait names.out 'a: low battery, FSD on 1500va' 15
check "... upsd accepted FSD on 1500va's connection" dm_wait names.err "UPS 1500va@127.0.0.1:$UPSD_PORT: FSD set" 10
check "... and 1500va reports FSD" dm_wait names.out "^$label reports FSD\$" 15
"$PEERS_PROBE" -q -t 5 -m plain "$UPSD_HOST" "$UPSD_PORT" "GET VAR 1500va ups.status" "GET VAR a ups.status" \
	>"$PEERS_DIR/status.out" 2>&1 || true
check "... upsd has FSD for 1500va only, not for a" \
	sh -c "grep -q '^VAR 1500va ups.status \"FSD OL\"' '$PEERS_DIR/status.out' && grep -q '^VAR a ups.status \"OB LB\"' '$PEERS_DIR/status.out'"

dm_stop names
dm_done
