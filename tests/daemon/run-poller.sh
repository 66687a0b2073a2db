#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# run-poller.sh - TAP: the poll connection of a upsd against a real upsd: the polls of its UPS go over it; lost, they go on each UPS's own connection with no NOCOMM and no missed event, and it comes back; a hung upsd (SIGSTOP) makes its UPS NOCOMM within two polls, COMM again after SIGCONT.
#
# Environment: UPSPLAN, PEERS_BINDIR (make check sets them); PEERS_KEEP=1
# keeps the temp dir.  Skips without nut-server, libnss3-tools, stunnel4;
# the checks that cut the poll connection (ss -K) need root.
set -eu

# shellcheck source=tests/daemon/daemon-lib.sh
. "$(cd "$(dirname "$0")" && pwd)/daemon-lib.sh"
dm_skip_unless_peers

echo "1..12"
peers_init
for u in a b; do
	printf 'ups.status: OL\nbattery.charge: 100\n' >"$PEERS_DIR/$u.dev"
	peers_add_ups "$u" "$PEERS_DIR/$u.dev"
done
peers_start tls || peers_bail "the peers did not start"
dm_setup

# connections to upsd's port, established
upsd_conns() {
	ss -Htn state established "( dport = :$UPSD_PORT )" | wc -l
}

{
	echo "POLLFREQ 1 POLLFREQALERT 1"
	echo "GROUP LOCAL HOST 127.0.0.1 PORT $UPSD_PORT CERTFILE \"$CA_FILE\""
	for u in a b; do
		echo "MONITOR $u POWERVAL 1 UPSDUSER $PRIMARY_USER PASSWORD \"$PRIMARY_PASS\" TYPE primary"
		for e in OL-\>OB OB-\>OL COMM-\>NOCOMM NOCOMM-\>COMM; do
			echo "WHEN $u REPORTS $e : PRINT \"%(u)s %(e)s\""
		done
	done
} | dm_plan poller
dm_start poller -D

# 1-4: the polls go over one more connection
poller='upsd 127.0.0.1:[0-9]* (poll connection)'
check "the poll connection of the upsd is up" \
	dm_wait poller.err "$poller: connected; the UPS of this upsd are polled over it" 10
check "both UPS logged in" dm_wait_count poller.err 'UPS [ab]@127.0.0.1:[0-9]*: connected and logged in' 2 10
check "three connections to upsd: one per UPS (its LOGIN) and the poll connection" test "$(upsd_conns)" -eq 3
kill -USR1 "$DM_PID_poller"
check "SIGUSR1: the group polls over one connection" \
	dm_wait poller.err 'state: group LOCAL: polls over one connection to its upsd' 5

# 5: an event through it
dm_set_dev a OB
check "a status change is seen (a OL->OB)" dm_wait poller.out '^a@127.0.0.1:[0-9]* OL->OB$' 5

# 6-9: the poll connection is cut (ss -K, root only): no NOCOMM, no missed event, it comes back
port=$(sed -n "s/^.*$poller: connected from port \([0-9]*\)$/\1/p" "$PEERS_DIR/poller.err" | tail -n 1)
if [ "$(id -u)" -eq 0 ] && [ -n "$port" ] && ss -K src 127.0.0.1 sport = :"$port" >/dev/null 2>&1 &&
	dm_wait poller.err "$poller: .*each UPS is polled on its own connection until this one is back" 5; then
	ok "the poll connection cut: logged, the UPS are polled on their own connections"
	dm_set_dev b OB
	check "an event while it was cut is seen (b OL->OB)" dm_wait poller.out '^b@127.0.0.1:[0-9]* OL->OB$' 5
	check "it comes back" dm_wait poller.err "$poller: connected; the UPS of this upsd are polled over it again" 10
	if grep -q NOCOMM "$PEERS_DIR/poller.out"; then
		not_ok "no NOCOMM from losing the poll connection" "$(cat "$PEERS_DIR/poller.out")"
	else
		ok "no NOCOMM from losing the poll connection"
	fi
else
	for t in "the poll connection cut" "an event while it was cut is seen" "it comes back" "no NOCOMM from losing the poll connection"; do
		n=$((n + 1))
		echo "ok $n - $t # SKIP cutting a connection needs root and ss -K (kernel INET_DIAG_DESTROY)"
	done
fi

# 10-12: upsd hangs (SIGSTOP): NOCOMM within two polls, COMM again after SIGCONT
upsd_pid=$(peers_pid upsd)
kill -STOP "$upsd_pid"
check "upsd hangs: both UPS NOCOMM within 2 polls" dm_wait_count poller.out 'COMM->NOCOMM$' 2 4
kill -CONT "$upsd_pid"
check "the hang is logged once for the poll connection" \
	test "$(dm_count poller.err "$poller: no answer to the polls within a poll interval: the server hangs")" -eq 1
check "upsd answers again: both UPS NOCOMM->COMM" dm_wait_count poller.out 'NOCOMM->COMM$' 2 15

dm_stop poller
dm_done
