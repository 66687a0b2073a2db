#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# run-metrics-listvar.sh - TAP: upsplan run --metrics against a scripted upsd (silent-server -s, TLS NONE on loopback) whose LIST VAR replies a real upsd never sends: escapes and bytes that are no UTF-8 in values, 5,000 variables (bounded to 512, logged once), a line of another UPS or one with a control byte (a protocol error, logged escaped, the connection made again), ERR (the last list kept); the scrapes stay valid and polling goes on; then SETFSD and a SHUTDOWNCMD counted (its success from the root parent's DONE frame).  Without --metrics, no LIST VAR is sent.
#
# Environment: UPSPLAN, PEERS_BINDIR (make check sets them); PEERS_KEEP=1
# keeps the temp dir.  Skips as the other daemon tests do; promtool checks skip without it.
set -eu

# shellcheck source=tests/daemon/daemon-lib.sh
. "$(cd "$(dirname "$0")" && pwd)/daemon-lib.sh"
dm_skip_unless_peers curl

echo "1..14"
peers_init
dm_setup
LIST=$PEERS_DIR/list.txt

# script: the scripted upsd's answers from now on (ups.status $STATUS, default OL); LIST VAR a answers the bytes of $LIST
script() {
	{
		printf 'USERNAME\tOK\nPASSWORD\tOK\nLOGIN\tOK\nPRIMARY\tOK PRIMARY-GRANTED\nLOGOUT\tOK Goodbye\n'
		printf 'GET VAR a ups.status\tVAR a ups.status "%s"\nGET VAR a battery.charge\tVAR a battery.charge "100"\n' "${STATUS:-OL}"
		printf 'FSD a\tOK FSD-SET\n'
		printf 'LIST VAR a\t@%s\n' "$LIST"
	} >"$PEERS_DIR/script.new"
	mv "$PEERS_DIR/script.new" "$PEERS_DIR/script"
}
# list LINE...: the LIST VAR reply, BEGIN and END around the LINEs
list() {
	{
		echo 'BEGIN LIST VAR a'
		printf '%s\n' "$@"
		echo 'END LIST VAR a'
	} >"$LIST.new"
	mv "$LIST.new" "$LIST"
}
list 'VAR a battery.charge "100"' 'VAR a input.voltage "229.5"' \
	'VAR a device.model "Back \"UPS\" \\ 1500"' "$(printf 'VAR a device.mfr "caf\351"')" 'VAR a ups.status "OL"'
script
"$PEERS_BINDIR/silent-server" -s "$PEERS_DIR/script" -r "$PEERS_DIR/record" -f "$PEERS_DIR/scripted.port" -w $$ -t 600 \
	</dev/null >"$PEERS_DIR/scripted.log" 2>&1 &
_peers_record scripted $!
dm_until 10 test -s "$PEERS_DIR/scripted.port" || peers_bail "the scripted upsd did not start"
port=$(cat "$PEERS_DIR/scripted.port")

dm_plan lv <<END
POLLFREQ 1 POLLFREQALERT 1 SHUTDOWNEXIT no
GROUP LOCAL HOST 127.0.0.1 PORT $port TLS NONE
MONITOR a POWERVAL 1 UPSDUSER mon PASSWORD "pw" TYPE primary
WHEN a REPORTS None->LB : SETFSD a SHUTDOWNCMD "/bin/true"
WHEN a REPORTS COMM->NOCOMM : PRINT "lost a"
END

# 1: without --metrics, no LIST VAR
dm_start lv
dm_wait record 'GET VAR a ups.status' 10 || true
sleep 3
check "without --metrics: no LIST VAR is sent" test "$(dm_count record '^LIST VAR')" -eq 0
dm_stop lv
: >"$PEERS_DIR/record"

MP=$(peers_free_port)
URL=http://127.0.0.1:$MP/metrics
dm_start lv --metrics "127.0.0.1:$MP" --metrics-vars-interval 1
_scrape_has() {
	curl -fsS --max-time 5 "$URL" >"$PEERS_DIR/now.prom" 2>/dev/null && grep -q -- "$1" "$PEERS_DIR/now.prom"
}
# promtool_ok: the last scrape passes promtool (true without promtool)
promtool_ok() {
	! command -v promtool >/dev/null 2>&1 || promtool check metrics <"$PEERS_DIR/now.prom" >"$PEERS_DIR/promtool.out" 2>&1
}

# 2-4: a list with escapes and a byte that is no UTF-8
check "LIST VAR's numbers are gauges" dm_until 15 _scrape_has '^network_ups_tools_input_voltage{ups="a@127.0.0.1:[0-9]*"} 229.5$'
check "device.model's quotes and backslash escaped, device.mfr's byte 0xe9 (no UTF-8) a '?'" \
	grep -q 'model="Back \\"UPS\\" \\\\ 1500",mfr="caf?"' "$PEERS_DIR/now.prom"
check "the scrape passes promtool" promtool_ok

# 5-6: 5,000 variables: 512 kept, logged once
awk 'BEGIN { for (i = 0; i < 5000; i++) printf "VAR a x.v%d \"%d\"\n", i, i }' >"$PEERS_DIR/many"
list "$(cat "$PEERS_DIR/many")"
check "5,000 variables: logged, once" dm_wait lv.err 'LIST VAR has more than 512 variables or 32768 bytes' 15
_capped() {
	_scrape_has '^network_ups_tools_x_v511{' && ! grep -q '^network_ups_tools_x_v512{' "$PEERS_DIR/now.prom"
}
check "... the first 512 kept, the rest left out" dm_until 10 _capped
sleep 2

# 7-9: a line of another UPS: a protocol error, logged escaped; the daemon logs in again
list 'VAR a input.voltage "230"' 'VAR b input.voltage "1"'
check "a VAR line of another UPS: a protocol error, logged" \
	dm_wait lv.err "upsd's reply to LIST VAR has a line that is no VAR line of the UPS (VAR b input.voltage" 15
list "$(printf 'VAR a input.voltage "2\03330"')"
check "a control byte in a value: the line refused, logged escaped" dm_wait lv.err 'malformed line (VAR a input.voltage "2\\x1b30")' 15
check "the daemon logs in again after each" dm_wait_count lv.err 'connected and logged in again' 2 20

# 10-11: ERR: the last whole list is kept; the scrapes stay valid
list 'VAR a input.voltage "231.5"'
dm_until 10 _scrape_has 'network_ups_tools_input_voltage{.*} 231.5$' || true
printf 'ERR DRIVER-NOT-CONNECTED\n' >"$LIST"
sleep 3
check "ERR to LIST VAR: the last list is kept" _scrape_has '^network_ups_tools_input_voltage{.*} 231.5$'
check "... and the scrape passes promtool" promtool_ok

# 12: polling went on throughout
_polled() {
	_scrape_has '^upsplan_polls_total ' && [ "$(sed -n 's/^upsplan_polls_total \([0-9]*\)$/\1/p' "$PEERS_DIR/now.prom")" -gt 10 ]
}
check "polling went on (upsplan_polls_total above 10)" dm_until 10 _polled

# 13-14: low battery: SETFSD sent, the SHUTDOWNCMD requested and (the root parent's DONE frame, or here) succeeded
STATUS="OB LB" script
_fsd_counted() {
	_scrape_has '^upsplan_setfsd_total{result="sent"} 1$' &&
		grep -q '^upsplan_actions_total{action="setfsd",result="run"} 1$' "$PEERS_DIR/now.prom"
}
check "SETFSD: upsplan_setfsd_total{result=\"sent\"} and upsplan_actions_total{action=\"setfsd\"} 1" dm_until 15 _fsd_counted
_shut_counted() {
	_scrape_has '^upsplan_shutdowncmd_total{result="succeeded"} 1$' &&
		grep -q '^upsplan_shutdowncmd_total{result="requested"} 1$' "$PEERS_DIR/now.prom"
}
check "SHUTDOWNCMD: requested 1, then succeeded 1" dm_until 15 _shut_counted

dm_stop lv
dm_done
peers_stop
