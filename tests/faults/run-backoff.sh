#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# run-backoff.sh - TAP: the reconnection back-off of upsplan run: a hostile upsd that accepts LOGIN and drops the connection (and drops its poll connection after the first answer) gets attempts 1, 2, 4, 8 ... s apart, and its COMM->NOCOMM actions no more often; a connection that stays up for a keepalive interval starts again from 1 s.
#
# Environment: UPSPLAN, PEERS_BINDIR, FAULTS_BINDIR (make check sets them);
# PEERS_KEEP=1 keeps the temp dir.  Skips without nut-server,
# libnss3-tools, stunnel4.  About 70 s.
set -eu

# shellcheck source=tests/faults/faults-lib.sh
. "$(cd "$(dirname "$0")" && pwd)/faults-lib.sh"
fl_skip_unless_peers

WINDOW=25	# seconds of the drop count
echo "1..9"
fl_init
hostile_start drop drop
ACT=$PEERS_DIR/act
fl_plan backoff "PRINT \"%(u)s %(e)s\" SHELLCMD \"echo lost >> $ACT/h-lost\""

# the real upsd is down at first: r's back-off grows (1, 2, 4, 8 s) ...
peers_stop_upsd
start=$(date +%s)
dm_start backoff -D
dm_wait_count backoff.err "UPS r@127.0.0.1:$UPSD_PORT: next connection attempt in" 4 20 || true
peers_start_upsd || peers_bail "upsd did not come back"
# ... then r logs in and stays up
dm_wait backoff.err "UPS r@127.0.0.1:$UPSD_PORT: connected and logged in again" 40 || true
r_up=$(date +%s)
while [ $(($(date +%s) - start)) -lt "$WINDOW" ]; do
	sleep 0.5
done

# the hostile upsd over the window (its log's times count from its start,
# a moment before the daemon's)
logins=$(awk -v w="$WINDOW" '$4 == "LOGIN" && $1 <= w' "$PEERS_DIR/hostile-drop.log" | wc -l)
polls=$(awk -v w="$WINDOW" '$1 <= w && /dropped after the first answer/' "$PEERS_DIR/hostile-drop.log" | wc -l)
if [ "$logins" -ge 3 ] && [ "$logins" -le 6 ]; then
	ok "LOGIN then a drop: $logins logins in $WINDOW s (1, 2, 4, 8, 16 s apart: 5 or 6)"
else
	not_ok "LOGIN then a drop: 3 to 6 logins in $WINDOW s" "got $logins"
fi
# the gap before attempt k+1 is at least 0.75 * 2^k s (the jitter is +-25 %)
gaps=$(awk '$4 == "LOGIN" { if (n) printf "%.2f ", $1 - t; t = $1; n++ }' "$PEERS_DIR/hostile-drop.log")
if echo "$gaps" | awk '{ w = 0.75; for (i = 1; i <= NF; i++) { if ($i < w) exit 1; w = w * 2 > 45 ? 45 : w * 2 } }'; then
	ok "LOGIN then a drop: the attempts are further and further apart (gaps: $gaps s)"
else
	not_ok "LOGIN then a drop: the attempts are further and further apart" "gaps: $gaps s"
fi
if [ "$polls" -ge 2 ] && [ "$polls" -le 6 ]; then
	ok "the poll connection, dropped after its first answer: $polls connections in $WINDOW s"
else
	not_ok "the poll connection, dropped after its first answer: 2 to 6 connections in $WINDOW s" "got $polls"
fi
lost=$(awk -v w="$WINDOW" '$1 <= w && $2 ~ /^HOSTILE:h@/ && $3 == "COMM->NOCOMM" && $4 == "event"' \
	"$PEERS_DIR/backoff.trace" | wc -l)
back=$(awk -v w="$WINDOW" '$1 <= w && $2 ~ /^HOSTILE:h@/ && $3 == "NOCOMM->COMM" && $4 == "event"' \
	"$PEERS_DIR/backoff.trace" | wc -l)
if [ "$lost" -ge 2 ] && [ "$lost" -le 6 ] && [ "$back" -le 6 ]; then
	ok "COMM->NOCOMM and NOCOMM->COMM no faster than the back-off ($lost and $back in $WINDOW s)"
else
	not_ok "COMM->NOCOMM and NOCOMM->COMM no faster than the back-off (2 to 6 in $WINDOW s)" "got $lost and $back"
fi
runs=$(awk -v w="$WINDOW" '$1 <= w && $2 ~ /^HOSTILE:h@/ && $3 == "COMM->NOCOMM" && $4 == "SHELLCMD"' \
	"$PEERS_DIR/backoff.trace" | wc -l)
if [ "$runs" -le 6 ] && [ "$runs" -eq "$lost" ]; then
	ok "the COMM->NOCOMM action (SHELLCMD): $runs runs in $WINDOW s, once per event"
else
	not_ok "the COMM->NOCOMM action (SHELLCMD): at most 6 runs in $WINDOW s, once per event" "$runs runs, $lost events"
fi

# r came up after a growing back-off; once up for a keepalive interval
# (30 s) its next loss is retried after about 1 s again
check "the real upsd back: r logged in again" grep -q "UPS r@127.0.0.1:$UPSD_PORT: connected and logged in again" \
	"$PEERS_DIR/backoff.err"
while [ $(($(date +%s) - r_up)) -lt 32 ]; do
	sleep 0.5
done
comm=$(grep -c "REAL:r@127.0.0.1:$UPSD_PORT NOCOMM->COMM" "$PEERS_DIR/backoff.out" || true)
peers_kill_upsd
peers_start_upsd || peers_bail "upsd did not come back"
back_at=$(date +%s)
if dm_wait_count backoff.out "REAL:r@127.0.0.1:$UPSD_PORT NOCOMM->COMM" $((comm + 1)) 6; then
	ok "up for a keepalive interval: after a loss r is back within $(($(date +%s) - back_at)) s of upsd (the back-off started again at 1 s)"
else
	not_ok "up for a keepalive interval: after a loss r is back within 6 s of upsd" \
		"$(grep "r@127.0.0.1:$UPSD_PORT: next connection attempt" "$PEERS_DIR/backoff.err" | tail -n 3)"
fi
dm_stop backoff
check "exit status 0 on SIGTERM" test "$DM_STATUS" -eq 0
if fl_raw "$PEERS_DIR/backoff.err"; then
	not_ok "no raw control byte in the log"
else
	ok "no raw control byte in the log"
fi
dm_done
