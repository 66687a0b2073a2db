#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# metrics-bench.sh - benchmark of upsplan run --metrics with N UPS (default 1,000) on one real upsd: the time a scrape takes (median and max), and how late the poll ticks come and how long the polls take, without and with scraping.
#
# Usage: sh tests/bench/metrics-bench.sh        (make bench runs it)
# Environment:
#   UPSPLAN              the program (default ./upsplan)
#   PEERS_BINDIR         freeport (default ./tests/daemon)
#   BENCH_UNITS=1000     N
#   BENCH_SECONDS=20     length of each window (without, then with scraping)
#   PEERS_KEEP=1         keep the peers' temp dir
#
# One upsd (STARTTLS) serves N dummy-ups units (ups.status OL, five
# variables each); upsplan runs with POLLFREQ 1 and --metrics (as the
# user nobody under a root parent when started as root).  Once all N are
# logged in and their LIST VAR cached, two windows of BENCH_SECONDS:
# nothing scrapes, then curl scrapes /metrics back to back.  For each
# window, from the daemon's own histograms: the mean and the largest
# bucket of upsplan_poll_tick_delay_seconds (how late each tick came) and
# the mean of upsplan_poll_duration_seconds (tick to answer).  A scrape's
# time is curl's time_total (connect, request, the whole reply) and the
# daemon's upsplan_metrics_last_scrape_duration_seconds.  Target (PASS or
# MISS): the median scrape under 10 ms.  A benchmark: the exit status is 0
# unless a step fails.
set -eu

# shellcheck source=tests/bench/bench-lib.sh
. "$(cd "$(dirname "$0")" && pwd)/bench-lib.sh"
UPSPLAN=$(abspath "${UPSPLAN:-./upsplan}")
PEERS_BINDIR=$(abspath "${PEERS_BINDIR:-./tests/daemon}")
export UPSPLAN PEERS_BINDIR
n=${BENCH_UNITS:-1000}
seconds=${BENCH_SECONDS:-20}

say() {
	printf '%s\n' "$*" >&2
}

for p in curl upsd; do
	if ! command -v "$p" >/dev/null 2>&1 && [ ! -x "/lib/nut/$p" ] && [ ! -x "/usr/sbin/$p" ]; then
		say "metrics-bench: $p is missing: skipped"
		exit 0
	fi
done

# shellcheck source=tests/daemon/peers.sh
. "$srcdir/tests/daemon/peers.sh"
peers_init "$(mktemp -d "${TMPDIR:-/tmp}/metrics-bench.XXXXXX")"
say "metrics-bench: N=$n: starting $n dummy-ups units and upsd in $PEERS_DIR"
k=1
while [ "$k" -le "$n" ]; do
	printf 'ups.status: OL\nbattery.charge: 100\nbattery.runtime: 1800\ninput.voltage: 230\nups.load: 20\n' \
		>"$PEERS_DIR/u$k.dev"
	peers_add_ups "u$k" "$PEERS_DIR/u$k.dev" dummy-once
	k=$((k + 1))
done
peers_start tls || { PEERS_KEEP=1; say "metrics-bench: the peers did not start"; exit 1; }
chmod a+rx "$PEERS_DIR"
chmod -R a+rX "$PEERS_DIR/pki"
{
	echo "POLLFREQ 1 POLLFREQALERT 1"
	echo "GROUP LOCAL HOST 127.0.0.1 PORT $UPSD_PORT CERTFILE \"$CA_FILE\""
	k=1
	while [ "$k" -le "$n" ]; do
		echo "MONITOR u$k POWERVAL 1 UPSDUSER $PRIMARY_USER PASSWORD \"$PRIMARY_PASS\" TYPE primary"
		k=$((k + 1))
	done
	echo 'WHEN u1 REPORTS OL->OB : PRINT "%(u)s on battery"'
} >"$PEERS_DIR/m.conf"
chmod 600 "$PEERS_DIR/m.conf"

MP=$(peers_free_port)
URL=http://127.0.0.1:$MP/metrics
user_opt=
[ "$(id -u)" -ne 0 ] || user_opt="-u nobody"
# shellcheck disable=SC2086
"$UPSPLAN" run -F $user_opt -p "$PEERS_DIR/m.pid" --state-file none --powerdownflag none --allow-warnings \
	--metrics "127.0.0.1:$MP" "$PEERS_DIR/m.conf" >"$PEERS_DIR/m.out" 2>"$PEERS_DIR/m.err" </dev/null &
dpid=$!
_peers_record upsplan "$dpid"

# metric FILE NAME: the value of the series NAME (its whole text up to the value) in FILE
metric() {
	awk -v k="$2" '$1 == k { print $2; exit }' "$PEERS_DIR/$1"
}
# _all_in: all N logged in, and N battery.runtime from LIST VAR
_all_in() {
	kill -0 "$dpid" 2>/dev/null || return 2
	curl -fsS --max-time 10 "$URL" >"$PEERS_DIR/s.prom" 2>/dev/null || return 1
	[ "$(grep -c '^upsplan_ups_connected{.*} 1$' "$PEERS_DIR/s.prom")" -eq "$n" ] &&
		[ "$(grep -c '^network_ups_tools_battery_runtime{' "$PEERS_DIR/s.prom")" -eq "$n" ]
}
t=$(date +%s)
PEERS_TIMEOUT=180 _peers_wait_until _all_in || { PEERS_KEEP=1; say "metrics-bench: not all $n logged in and listed"; peers_stop; exit 1; }
say "metrics-bench: N=$n: all logged in, LIST VAR cached, after $(($(date +%s) - t)) s; $(wc -c <"$PEERS_DIR/s.prom") bytes, $(grep -vc '^#' "$PEERS_DIR/s.prom") series a scrape"

# window NAME SCRAPE: BENCH_SECONDS with (SCRAPE 1) or without scraping; the histograms' change
window() {
	curl -fsS "$URL" >"$PEERS_DIR/$1.before" 2>/dev/null
	: >"$PEERS_DIR/$1.times"
	_end=$(($(date +%s) + seconds))
	if [ "$2" = 1 ]; then
		while [ "$(date +%s)" -lt "$_end" ]; do
			curl -fsS -o /dev/null -w '%{time_total}\n' "$URL" >>"$PEERS_DIR/$1.times"
		done
	else
		sleep "$seconds"
	fi
	curl -fsS "$URL" >"$PEERS_DIR/$1.after" 2>/dev/null
	_dc=$(($(metric "$1.after" upsplan_poll_tick_delay_seconds_count) - $(metric "$1.before" upsplan_poll_tick_delay_seconds_count)))
	_ds=$(awk -v a="$(metric "$1.after" upsplan_poll_tick_delay_seconds_sum)" -v b="$(metric "$1.before" upsplan_poll_tick_delay_seconds_sum)" \
		-v c="$_dc" 'BEGIN { printf "%.2f", c ? (a - b) / c * 1000 : 0 }')
	# the smallest bound holding every tick of the window
	_dmax=$(awk '
		FNR == NR && /^upsplan_poll_tick_delay_seconds_bucket/ { b[$1] = $2; next }
		/^upsplan_poll_tick_delay_seconds_bucket/ { k++; d[k] = $2 - b[$1]; le[k] = $1
			sub(/.*le="/, "", le[k]); sub(/".*/, "", le[k]) }
		END { for (i = 1; i <= k; i++) if (d[i] == d[k]) { print le[i]; exit } }' "$PEERS_DIR/$1.before" "$PEERS_DIR/$1.after")
	_pc=$(($(metric "$1.after" "upsplan_poll_duration_seconds_count{upsd=\"127.0.0.1:$UPSD_PORT\",group=\"LOCAL\"}") - \
		$(metric "$1.before" "upsplan_poll_duration_seconds_count{upsd=\"127.0.0.1:$UPSD_PORT\",group=\"LOCAL\"}")))
	_ps=$(awk -v a="$(metric "$1.after" "upsplan_poll_duration_seconds_sum{upsd=\"127.0.0.1:$UPSD_PORT\",group=\"LOCAL\"}")" \
		-v b="$(metric "$1.before" "upsplan_poll_duration_seconds_sum{upsd=\"127.0.0.1:$UPSD_PORT\",group=\"LOCAL\"}")" \
		-v c="$_pc" 'BEGIN { printf "%.2f", c ? (a - b) / c * 1000 : 0 }')
	printf '%s: %d ticks, late by %s ms on average, all within %s s; %d polls answered %s ms after the tick on average\n' \
		"$1" "$_dc" "$_ds" "${_dmax:-?}" "$_pc" "$_ps"
}

window "without scraping" 0
window "with scraping" 1
sort -n "$PEERS_DIR/with scraping.times" | awk '{ v[NR] = $1 * 1000 } END {
	printf "scrapes: %d, time (curl, connection and reply): median %.2f ms, max %.2f ms\n", NR, v[int((NR + 1) / 2)], v[NR]
	if (v[int((NR + 1) / 2)] < 10) print "PASS: the median scrape of the target (< 10 ms)"; else print "MISS: the median scrape is 10 ms or more" }'
curl -fsS "$URL" >"$PEERS_DIR/last.prom"
printf 'the daemon writing one scrape: %s ms (upsplan_metrics_last_scrape_duration_seconds)\n' \
	"$(awk '$1 == "upsplan_metrics_last_scrape_duration_seconds" { printf "%.2f", $2 * 1000 }' "$PEERS_DIR/last.prom")"
peers_stop
