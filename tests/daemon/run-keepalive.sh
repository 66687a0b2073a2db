#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# run-keepalive.sh - TAP: upsd drops a client silent for 60 s; a UPS whose polls go over the poll connection keeps its own (LOGIN) connection through the keepalive: after 75 s it is the same connection, logged in once, never NOCOMM.
#
# Environment: UPSPLAN, PEERS_BINDIR (make check sets them); PEERS_KEEP=1
# keeps the temp dir.  Skips without nut-server, libnss3-tools, stunnel4.
# Takes about 80 s: upsd's limit is 60 s.
set -eu

# shellcheck source=tests/daemon/daemon-lib.sh
. "$(cd "$(dirname "$0")" && pwd)/daemon-lib.sh"
dm_skip_unless_peers

echo "1..5"
peers_init
printf 'ups.status: OL\nbattery.charge: 100\n' >"$PEERS_DIR/a.dev"
peers_add_ups a "$PEERS_DIR/a.dev"
peers_start tls || peers_bail "the peers did not start"
dm_setup

{
	echo "POLLFREQ 1 POLLFREQALERT 1"
	echo "GROUP LOCAL HOST 127.0.0.1 PORT $UPSD_PORT CERTFILE \"$CA_FILE\""
	echo "MONITOR a POWERVAL 1 UPSDUSER $PRIMARY_USER PASSWORD \"$PRIMARY_PASS\" TYPE primary"
	for e in COMM-\>NOCOMM NOCOMM-\>COMM; do
		echo "WHEN a REPORTS $e : PRINT \"%(u)s %(e)s\""
	done
} | dm_plan keep
dm_start keep -D

ups='UPS a@127.0.0.1:[0-9]*'
check "the UPS is logged in, its polls go over the poll connection" \
	dm_wait keep.err 'upsd 127.0.0.1:[0-9]* (poll connection): connected; the UPS of this upsd are polled over it' 10
port=$(sed -n "s/^.*$ups: connected from port \([0-9]*\)$/\1/p" "$PEERS_DIR/keep.err" | head -n 1)
check "the local port of the UPS's connection is logged (-D)" test -n "$port"

sleep 75	# upsd sheds a client it has not heard from for 60 s

if ss -Htn state established "( sport = :$port and dport = :$UPSD_PORT )" | grep -q .; then
	ok "after 75 s the UPS's connection (port $port) is still up"
else
	not_ok "after 75 s the UPS's connection (port $port) is still up" "$(ss -Htn "( dport = :$UPSD_PORT )")"
fi
check "it logged in once: no reconnection" test "$(dm_count keep.err "$ups: connected and logged in")" -eq 1
if grep -q NOCOMM "$PEERS_DIR/keep.out"; then
	not_ok "never NOCOMM" "$(cat "$PEERS_DIR/keep.out")"
else
	ok "never NOCOMM"
fi

dm_stop keep
dm_done
