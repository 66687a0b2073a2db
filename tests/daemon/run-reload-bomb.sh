#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# run-reload-bomb.sh - TAP: upsplan run, then SIGHUP with plans built to exhaust the compiler (a message doubled 30 times; 10,000 texts of 32 KiB): the root parent and the monitoring child stay up in bounded memory, log the errors and keep running the plan they had.
#
# Environment: UPSPLAN, PEERS_BINDIR (make check sets them); PEERS_KEEP=1
# keeps the temp dir.  Skips without nut-server, libnss3-tools, stunnel4.
# While a reload is compiled, a watchdog kills the daemon's processes if
# one grows by more than 512 MB, so that a regression fails here without
# exhausting the machine.
set -eu

# shellcheck source=tests/daemon/daemon-lib.sh
. "$(cd "$(dirname "$0")" && pwd)/daemon-lib.sh"
dm_skip_unless_peers

echo "1..14"
peers_init
printf 'ups.status: OL\nbattery.charge: 100\n' >"$PEERS_DIR/a.dev"
peers_add_ups a "$PEERS_DIR/a.dev"
peers_start tls || peers_bail "the peers did not start"
dm_setup

# the running plan; the bombs below are this plan with more lines
good() {
	cat <<EOF
POLLFREQ 1 POLLFREQALERT 1
GROUP REAL HOST 127.0.0.1 PORT $UPSD_PORT CERTFILE "$CA_FILE"
MONITOR a POWERVAL 1 UPSDUSER $PRIMARY_USER PASSWORD "$PRIMARY_PASS" TYPE primary
WHEN a REPORTS OL->OB : PRINT "v1 %(e)s"
WHEN a REPORTS OB->OL : PRINT "v1 %(e)s"
WHEN a REPORTS None->LB : SHUTDOWNCMD "/bin/true"
WHEN a REPORTS COMM->NOCOMM : PRINT "v1 %(e)s"
EOF
}
good | dm_plan bomb

dm_start bomb
PARENT=$DM_PID
sleep 3
dm_set_dev a OB
check "the plan runs" dm_wait bomb.out 'v1 OL->OB' 10
# as root: the monitoring child (nobody); else one process
CHILD=
if [ "$(id -u)" -eq 0 ]; then
	CHILD=$(pgrep -P "$PARENT" | head -n 1 || true)
	[ -n "$CHILD" ] && _peers_record upsplan-child "$CHILD"
fi

# kb FIELD PID: VmRSS or VmHWM of PID in kB (0 when it is gone)
kb() {
	awk -v f="$1:" '$1 == f { print $2; found = 1 } END { if (!found) print 0 }' "/proc/$2/status" 2>/dev/null || echo 0
}

# reload N: SIGHUP, then wait (at most 30 s) until the log says for the
# Nth time that the running plan is kept; a process of the daemon that
# grows by more than 512 MB meanwhile is killed (RUNAWAY says which)
RUNAWAY=
reload() {
	_r_base=$(kb VmRSS "$PARENT")
	_r_end=$(($(date +%s) + 30))
	kill -HUP "$PARENT" 2>/dev/null || return 1
	while [ "$(date +%s)" -lt "$_r_end" ]; do
		for _r_p in $PARENT $CHILD; do
			_r_kb=$(kb VmRSS "$_r_p")
			if [ "$_r_kb" -gt $((_r_base + 524288)) ]; then
				kill -KILL "$_r_p" 2>/dev/null || true
				RUNAWAY="$RUNAWAY process $_r_p took $_r_kb kB;"
			fi
		done
		[ -z "$RUNAWAY" ] || return 1
		[ "$(dm_count bomb.err 'has errors: the running plan is kept')" -lt "$1" ] || return 0
		kill -0 "$PARENT" 2>/dev/null || return 1
		sleep 0.05
	done
	return 1
}

# alive NAME PID: the process PID (started before the reloads) still runs, not a zombie
alive() {
	if [ -z "$2" ]; then
		ok "$1 # SKIP not root: one process"
	elif kill -0 "$2" 2>/dev/null && [ "$(awk '{ print $3 }' "/proc/$2/stat" 2>/dev/null)" != Z ]; then
		ok "$1"
	else
		not_ok "$1" "${RUNAWAY:-it is gone}"
	fi
}

# kept N WHAT PATTERN GROWTH: after the Nth reload, with the plan WHAT,
# the diagnostic PATTERN is logged, the running plan kept, both processes
# still run, and the parent's peak memory grew by less than GROWTH kB
hwm=$(kb VmHWM "$PARENT")
kept() {
	check "SIGHUP with $2: its diagnostic is logged with file:line:col" dm_wait bomb.err "$3" 1
	check "... and the running plan is kept" dm_wait_count bomb.err 'has errors: the running plan is kept' "$1" 1
	alive "the root parent is still running" "$PARENT"
	alive "the monitoring child is still running" "$CHILD"
	_k_hwm=$(kb VmHWM "$PARENT")
	check "the root parent's peak memory grew by less than $(($4 / 1024)) MB ($hwm -> $_k_hwm kB)" \
		test "$_k_hwm" -gt 0 -a "$_k_hwm" -lt $((hwm + $4))
	hwm=$_k_hwm
}

# 2-7: thirty LETs, each message twice the one before (2^30 copies of m0)
{
	echo 'LET m0 = "ab"'
	awk 'BEGIN { for (i = 1; i <= 30; i++) printf "LET m%d = m%d m%d\n", i, i - 1, i - 1 }'
	good
	echo 'WHEN a REPORTS OL->OB : WALL m30'
} >"$PEERS_DIR/bomb.conf"
reload 1 || true
kept 1 "the 700-byte plan" "bomb.conf:17:15: error: message 'm16' would be 131072 bytes long.*\[E591\]" 16384
dm_set_dev a OL
check "an event after the reload runs the running plan's action" dm_wait bomb.out 'v1 OB->OL' 10

# 8-12: ten thousand different texts of 32 KiB (the total bound, E592)
{
	echo 'LET m0 = "ab"'
	awk 'BEGIN { for (i = 1; i <= 14; i++) printf "LET m%d = m%d m%d\n", i, i - 1, i - 1 }'
	good
	awk 'BEGIN { for (i = 0; i < 1000; i++) { printf "WHEN a REPORTS OL->OB :"
		for (k = 0; k < 10; k++) printf " WALL m14 \"%d\"", i * 10 + k; print "" } }'
} >"$PEERS_DIR/bomb.conf"
reload 2 || true
kept 2 "10,000 texts of 32 KiB" \
	"bomb.conf:[0-9]*:[0-9]*: error: the texts of this plan.*more than 33554432 bytes here \[E592\]" 262144

# 13-14
dm_set_dev a OB
check "an event after the second reload runs the running plan's action" dm_wait_count bomb.out 'v1 OL->OB' 2 10
dm_stop bomb
check "SIGTERM: exit status 0" test "$DM_STATUS" -eq 0
dm_done
