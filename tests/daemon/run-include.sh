#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# run-include.sh - TAP: upsplan run with a plan that INCLUDEs a file: the included rules run; SIGHUP reads the included file again; an included file others can change is refused (E110) at a reload (the running plan is kept) and at start.
#
# Environment: UPSPLAN, PEERS_BINDIR (make check sets them); PEERS_KEEP=1
# keeps the temp dir.  Skips without nut-server, libnss3-tools, stunnel4.
set -eu

# shellcheck source=tests/daemon/daemon-lib.sh
. "$(cd "$(dirname "$0")" && pwd)/daemon-lib.sh"
dm_skip_unless_peers

echo "1..8"
peers_init
printf 'ups.status: OL\nbattery.charge: 100\n' >"$PEERS_DIR/a.dev"
peers_add_ups a "$PEERS_DIR/a.dev"
peers_start tls || peers_bail "the peers did not start"
dm_setup

# rules VERSION: the included file, with the texts of VERSION (mode 600)
rules() {
	cat >"$PEERS_DIR/rules/outage.conf" <<EOF
WHEN a REPORTS OL->OB : PRINT "$1 %(e)s"
WHEN a REPORTS OB->OL : PRINT "$1 %(e)s"
EOF
	chmod 600 "$PEERS_DIR/rules/outage.conf"
}

mkdir -p "$PEERS_DIR/rules"
chmod 755 "$PEERS_DIR/rules"
rules v1
dm_plan inc <<EOF
POLLFREQ 1 POLLFREQALERT 1
GROUP REAL HOST 127.0.0.1 PORT $UPSD_PORT CERTFILE "$CA_FILE"
MONITOR a POWERVAL 1 UPSDUSER $PRIMARY_USER PASSWORD "$PRIMARY_PASS" TYPE primary
INCLUDE "rules/outage.conf"
WHEN a REPORTS None->LB : SHUTDOWNCMD "/bin/true"
WHEN a REPORTS COMM->NOCOMM : PRINT "lost %(e)s"
EOF

# 1-2: the included rules run
dm_start inc
sleep 2
check "the daemon runs a plan with an INCLUDE" kill -0 "$DM_PID_inc"
dm_set_dev a OB
check "the included rules run" dm_wait inc.out 'v1 OL->OB' 10
dm_set_dev a OL
dm_wait inc.out 'v1 OB->OL' 10 || true

# 3-4: SIGHUP reads the included file again (the plan itself unchanged)
rules v2
kill -HUP "$DM_PID_inc"
check "SIGHUP: the plan with its changed included file is swapped in" \
	dm_wait inc.err 'reload: the new plan runs (1 UPS)' 5
dm_set_dev a OB
check "SIGHUP: the changed included rules run" dm_wait inc.out 'v2 OL->OB' 10

# 5-6: SIGHUP with an included file others can change: refused, the running plan kept
sed 's/"v2 /"v3 /' "$PEERS_DIR/rules/outage.conf" >"$PEERS_DIR/rules/outage.tmp"
mv "$PEERS_DIR/rules/outage.tmp" "$PEERS_DIR/rules/outage.conf"
chmod 666 "$PEERS_DIR/rules/outage.conf"
kill -HUP "$DM_PID_inc"
check "SIGHUP: an included file others can change is refused (E110)" \
	dm_wait inc.err 'rules/outage.conf:1:1: error: .*can be changed by its group and every user.*\[E110\]' 5
check "SIGHUP: the E110 comes with the include chain" dm_wait inc.err 'In file included from .*inc.conf:4:1:' 1
dm_set_dev a OL
check "SIGHUP: the running plan is kept" dm_wait inc.out 'v2 OB->OL' 10

# 8: at start, the same included file makes the daemon refuse the plan
dm_stop inc
cp "$PEERS_DIR/inc.conf" "$PEERS_DIR/inc2.conf"
chmod 600 "$PEERS_DIR/inc2.conf"
dm_start inc2
rc=0
wait "$DM_PID_inc2" || rc=$?
check "at start: an included file others can change is refused (E110), exit status 1" \
	sh -c "[ $rc -eq 1 ] && grep -q '\[E110\]' '$PEERS_DIR/inc2.err'"
dm_done
