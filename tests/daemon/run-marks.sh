#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# run-marks.sh - TAP: marks are decision state in the daemon: in the state file, restored after kill -9, kept across a reload (SIGHUP), and read by POWERVAL WITHOUT across groups, against a real upsd.
#
# Two UPS of two groups (POWERVAL 1 each) and NUT upsmon's supply count
# (MINSUPPLIES 1): on battery a UPS is marked critical; "no supply left"
# (POWERVAL WITHOUT critical < 1) can only be seen when a's mark, set
# before the daemon was killed and reloaded, is still there.
# Environment: UPSPLAN, PEERS_BINDIR (make check sets them); PEERS_KEEP=1
# keeps the temp dir.  Skips without nut-server, libnss3-tools, stunnel4.
set -eu

# shellcheck source=tests/daemon/daemon-lib.sh
. "$(cd "$(dirname "$0")" && pwd)/daemon-lib.sh"
dm_skip_unless_peers

echo "1..9"
peers_init
ACT=$PEERS_DIR/act
printf 'ups.status: OL\nbattery.charge: 100\n' >"$PEERS_DIR/a.dev"
printf 'ups.status: OL\nbattery.charge: 100\n' >"$PEERS_DIR/b.dev"
for u in a b; do
	peers_add_ups "$u" "$PEERS_DIR/$u.dev"
done
peers_start tls || peers_bail "the peers did not start"
dm_setup

# plan VERSION: the same rules; VERSION in the texts (the reload swaps it in)
plan() {
	dm_plan marks <<EOF
POLLFREQ 1 POLLFREQALERT 1
GROUP GA HOST 127.0.0.1 PORT $UPSD_PORT CERTFILE "$CA_FILE"
MONITOR a POWERVAL 1 UPSDUSER $PRIMARY_USER PASSWORD "$PRIMARY_PASS" TYPE primary
WHEN a REPORTS OL->OB : MARK critical PRINT "$1 a critical"
WHEN a REPORTS OB->OL : UNMARK critical PRINT "$1 a back"
GROUP GB HOST 127.0.0.1 PORT $UPSD_PORT CERTFILE "$CA_FILE"
MONITOR b POWERVAL 1 UPSDUSER $PRIMARY_USER PASSWORD "$PRIMARY_PASS" TYPE primary
WHEN b REPORTS OL->OB : MARK critical
    IF POWERVAL WITHOUT critical < 1 SHELLCMD "echo $1 >> $ACT/marks-none-left"
    IF POWERVAL WITHOUT critical >= 1 PRINT "$1 a supply left"
    IF MARKED critical a PRINT "$1 a still critical"
WHEN b REPORTS OB->OL : UNMARK critical
EOF
}

SF=$PEERS_DIR/marks-state/state.json
plan v1
dm_start marks
dm_wait marks.err 'monitoring 2 UPS' 10 || true
sleep 2
dm_set_dev a OB
check "a on battery: marked critical" dm_wait marks.out '^v1 a critical$' 5
check "the state file holds a's mark" dm_until 5 sh -c "tr -d ' \n' <'$SF' | grep -q '\"name\":\"a\",.*\"marks\":\\[\"critical\"\\]'"
check "and b none" sh -c "tr -d ' \n' <'$SF' | grep -q '\"name\":\"b\",[^}]*\"marks\":\\[\\]'"

# kill -9, restart: the mark comes back from the state file
eval "pid=\$DM_PID_marks"
kids=$(ps -o pid= --ppid "$pid" | tr '\n' ' ')
# shellcheck disable=SC2086 # a list of PIDs
kill -KILL $pid $kids 2>/dev/null || :
wait "$pid" 2>/dev/null || :
sleep 1
dm_start marks
check "restarted: the state file is adopted with a's mark" \
	dm_wait marks.err 'state file .* adopted (written [0-9.]* s ago): 2 UPS states, 0 timers; marks: a critical' 10
dm_wait marks.err 'timer expiries run again' 10 || true

# a reload: the mark is kept by UPS and mark name
plan v2
kill -HUP "$DM_PID_marks"
check "SIGHUP: the new plan runs" dm_wait marks.err 'reload: the new plan runs (2 UPS)' 5
sleep 2
dm_set_dev b OB
check "b on battery after the restart and the reload: a's mark is still there (MARKED critical a)" \
	dm_wait marks.out '^v2 a still critical$' 5
check "no supply left: POWERVAL WITHOUT critical, over both groups, is 0" dm_wait act/marks-none-left '^v2$' 5
check "never 'a supply left'" test "$(dm_count marks.out 'a supply left')" -eq 0
check "the mark is the restored one: a was not marked again since the restart (no second OL->OB)" \
	test "$(dm_count marks.out 'a critical')" -eq 0
dm_stop marks
dm_set_dev a OL
dm_set_dev b OL
dm_done
