#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# run-metrics.sh - TAP: upsplan run --metrics against a real upsd + dummy-ups: bad addresses refused, the exposition checked by promtool and for +Inf buckets and duplicate series, no password in it, LIST VAR's variables, a real Prometheus scraping it (OB during an outage, a timer falling, up 1), 404/405, and hostile clients (huge headers and body, junk, a path traversal, an idle client, many connections) while polling goes on.
#
# Environment: UPSPLAN, PEERS_BINDIR (make check sets them); PEERS_KEEP=1
# keeps the temp dir.  Skips without nut-server, libnss3-tools, stunnel4;
# the Prometheus checks skip without prometheus and promtool, curl.
set -eu

# shellcheck source=tests/daemon/daemon-lib.sh
. "$(cd "$(dirname "$0")" && pwd)/daemon-lib.sh"
dm_skip_unless_peers curl

echo "1..33"
peers_init
POKE=$PEERS_BINDIR/http-poke
[ -x "$POKE" ] || peers_bail "$POKE is not built (make check builds it)"

printf 'ups.status: OL\nbattery.charge: 100\ninput.voltage: 229.5\nups.load: 17\n' >"$PEERS_DIR/a.dev"
peers_add_ups a "$PEERS_DIR/a.dev"
peers_start tls || peers_bail "the peers did not start"
dm_setup

dm_plan m <<EOF
POLLFREQ 1 POLLFREQALERT 1
GROUP LOCAL HOST 127.0.0.1 PORT $UPSD_PORT CERTFILE "$CA_FILE"
MONITOR a POWERVAL 1 UPSDUSER $PRIMARY_USER PASSWORD "$PRIMARY_PASS" TYPE primary
WHEN a REPORTS OL->OB : PRINT "%(u)s %(e)s" STARTTIMER t 600
WHEN a REPORTS OB->OL : PRINT "%(u)s %(e)s" CANCELTIMER t
EOF


# 1-3: addresses refused before anything starts
dm_run_fail m "--metrics with a host name: usage error naming the fix" 2 "not a host name" --metrics localhost:9199
dm_run_fail m "--metrics with port 0: usage error" 2 "is no port" --metrics 127.0.0.1:0
dm_run_fail m "--metrics with IPv6 without brackets: usage error" 2 "brackets" --metrics ::1:9199

MP=$(peers_free_port)
URL=http://127.0.0.1:$MP
dm_start m --metrics "127.0.0.1:$MP" --metrics-vars-interval 1
check "the monitoring process listens, and says where" dm_wait m.err "serving Prometheus metrics on http://127.0.0.1:$MP/metrics" 15

# scrape FILE: GET /metrics into $PEERS_DIR/FILE
scrape() {
	curl -fsS --max-time 5 "$URL/metrics" >"$PEERS_DIR/$1" 2>"$PEERS_DIR/curl.err"
}
# _scrape_has PATTERN: a scrape now has a line matching PATTERN
_scrape_has() {
	scrape now.prom && grep -q -- "$1" "$PEERS_DIR/now.prom"
}
ups_re='ups="a@127\.0\.0\.1:[0-9]*"'

# 4-5: the NUT exporter's names
check "ups.status OL as network_ups_tools_ups_status{flag=\"OL\"} 1" \
	dm_until 20 _scrape_has "^network_ups_tools_ups_status{$ups_re,flag=\"OL\"} 1\$"
check "LIST VAR's input.voltage as network_ups_tools_input_voltage" \
	dm_until 20 _scrape_has "^network_ups_tools_input_voltage{$ups_re} 229.5\$"
scrape base.prom || true

# 6: promtool's lint (exit 0: nothing to say)
if command -v promtool >/dev/null 2>&1; then
	if promtool check metrics <"$PEERS_DIR/base.prom" >"$PEERS_DIR/promtool.out" 2>&1; then
		ok "promtool check metrics: exit 0"
	else
		not_ok "promtool check metrics: exit 0" "$(cat "$PEERS_DIR/promtool.out")"
	fi
else
	tap_skip "promtool is not installed" "promtool check metrics: exit 0"
fi

# 7: a +Inf bucket for each histogram series, as many as its _count lines
hist_ok=$(awk '
	/^# TYPE [^ ]+ histogram$/ { h[$3] = 1; next }
	/^#/ { next }
	{ name = $1; sub(/\{.*/, "", name)
	  for (f in h) {
		if (name == f "_count") c[f]++
		if (name == f "_bucket" && $1 ~ /le="\+Inf"\}$/) inf[f]++
	  } }
	END { bad = 0; n = 0
	  for (f in h) { n++; if (c[f] == 0 || c[f] != inf[f]) bad = 1 }
	  print (n > 0 && !bad) ? "ok" : "bad" }' "$PEERS_DIR/base.prom")
check "each histogram series has its +Inf bucket" test "$hist_ok" = ok

# 8: no series twice (the name and labels before the value)
dups=$(grep -v '^#' "$PEERS_DIR/base.prom" | sed 's/ [^ ]*$//' | sort | uniq -d)
check "no duplicate series ($(grep -vc '^#' "$PEERS_DIR/base.prom") series)" test -z "$dups"

# 9: the plan's password shows nowhere
curl -fsS "$URL/" >"$PEERS_DIR/index.html" || true
check "no password in the scrape or the index page" sh -c "! grep -qF -- '$PRIMARY_PASS' '$PEERS_DIR/base.prom' '$PEERS_DIR/index.html'"

# 10-11: the daemon's own
check "upsplan_ups_connected and upsplan_upsd_connected are 1" \
	sh -c "grep -q '^upsplan_ups_connected{ups=\"a@127.0.0.1:[0-9]*\"} 1\$' '$PEERS_DIR/base.prom' &&
	       grep -q '^upsplan_upsd_connected{upsd=\"127.0.0.1:$UPSD_PORT\",group=\"LOCAL\"} 1\$' '$PEERS_DIR/base.prom'"
check "upsplan_build_info and device_info are 1" \
	sh -c "grep -q '^upsplan_build_info{version=\"[^\"]*\"} 1\$' '$PEERS_DIR/base.prom' &&
	       grep -q '^network_ups_tools_device_info{ups=\"a@[^}]*model=\"[^\"]' '$PEERS_DIR/base.prom'"

# code METHOD PATH: the status code of a request
code() {
	curl -s -o /dev/null -w '%{http_code}' --max-time 5 --path-as-is -X "$1" "$URL$2" || true
}
# 12-15: routes and methods
check "HEAD /metrics: 200" test "$(curl -s -I -o /dev/null -w '%{http_code}' --max-time 5 "$URL/metrics")" = 200
check "GET /: a page naming /metrics" grep -q 'href="/metrics"' "$PEERS_DIR/index.html"
check "GET /nope and a path traversal: 404" sh -c "[ \"\$(curl -s -o /dev/null -w '%{http_code}' '$URL/nope')\" = 404 ] &&
	[ \"\$(curl -s -o /dev/null -w '%{http_code}' --path-as-is '$URL/../../etc/passwd')\" = 404 ] &&
	[ \"\$(curl -s -o /dev/null -w '%{http_code}' --path-as-is '$URL/metrics/../metrics')\" = 404 ]"
check "POST /metrics: 405" test "$(code POST /metrics)" = 405

# 16-19: Prometheus scrapes it
if command -v prometheus >/dev/null 2>&1; then
	PP=$(peers_free_port)
	cat >"$PEERS_DIR/prom.yml" <<EOF
global: {scrape_interval: 500ms, scrape_timeout: 500ms, evaluation_interval: 1s}
scrape_configs:
  - job_name: upsplan
    static_configs: [{targets: ['127.0.0.1:$MP']}]
EOF
	prometheus --config.file="$PEERS_DIR/prom.yml" --storage.tsdb.path="$PEERS_DIR/prom-data" \
		--web.listen-address="127.0.0.1:$PP" >"$PEERS_DIR/prometheus.log" 2>&1 &
	PROM_PID=$!
	_peers_record prometheus "$PROM_PID"
	# query EXPR: the value of the one sample of EXPR ("" when none)
	query() {
		curl -s --max-time 5 -G "http://127.0.0.1:$PP/api/v1/query" --data-urlencode "query=$1" |
			sed -n 's/.*"value":\[[^,]*,"\([^"]*\)"\].*/\1/p'
	}
	# _query_is EXPR VALUE
	_query_is() {
		[ "$(query "$1")" = "$2" ]
	}
	check "Prometheus: up{job=\"upsplan\"} is 1" dm_until 30 _query_is 'up{job="upsplan"}' 1
	check "Prometheus: OB is 0 while on line" _query_is 'network_ups_tools_ups_status{flag="OB"}' 0
	dm_set_dev a "OB DISCHRG"
	check "Prometheus: network_ups_tools_ups_status{flag=\"OB\"} becomes 1 in an outage" \
		dm_until 20 _query_is 'network_ups_tools_ups_status{flag="OB"}' 1
	dm_until 10 sh -c "[ -n \"\$(curl -s -G 'http://127.0.0.1:$PP/api/v1/query' --data-urlencode 'query=upsplan_timer_seconds_left{timer=\"t\"}' | sed -n 's/.*\"value\":\[[^,]*,\"\([^\"]*\)\"\].*/\1/p')\" ]" || true
	left1=$(query 'upsplan_timer_seconds_left{timer="t"}')
	_left_fell() {
		_lf=$(query 'upsplan_timer_seconds_left{timer="t"}')
		[ -n "$_lf" ] && [ -n "$left1" ] && awk -v a="$left1" -v b="$_lf" 'BEGIN { exit !(b < a && b > 590) }'
	}
	check "Prometheus: the timer's seconds left fall between two queries ($left1, then less)" dm_until 10 _left_fell
else
	tap_skip "prometheus is not installed" "Prometheus: up" "Prometheus: OB 0" "Prometheus: OB 1" "Prometheus: timer"
fi

# 20: a reload (SIGHUP) is counted; the UPS are still there after it
kill -HUP "$DM_PID"
_reloaded() {
	_scrape_has '^upsplan_plan_reloads_total{result="ok"} 1$' &&
		grep -q "^upsplan_ups_connected{$ups_re} 1\$" "$PEERS_DIR/now.prom"
}
check "SIGHUP: upsplan_plan_reloads_total{result=\"ok\"} 1, the UPS connected again" dm_until 20 _reloaded

polls_before=$(sed -n 's/^upsplan_polls_total \([0-9]*\)$/\1/p' "$PEERS_DIR/base.prom")

# 20: oversized headers: refused, not served
big=$(head -c 65536 /dev/zero | tr '\0' 'x')
c=$(curl -s -o /dev/null -w '%{http_code}' --max-time 10 -H "X-Big: $big" "$URL/metrics" || true)
check "64 KiB of headers: not served (status $c)" test "$c" != 200

# 21: a huge body: refused early
head -c 10485760 /dev/zero >"$PEERS_DIR/big.body"
c=$(curl -s -o /dev/null -w '%{http_code}' --max-time 10 -X GET -H 'Content-Type: application/octet-stream' \
	--data-binary @"$PEERS_DIR/big.body" "$URL/metrics" || true)
check "a 10 MiB body: not served (status $c)" test "$c" != 200

# 22: junk bytes
r=$(head -c 4096 /dev/urandom | "$POKE" send 127.0.0.1 "$MP")
check "4 KiB of junk: no 200 ($r)" sh -c "case '$(printf '%s' "$r" | tr -cd 'A-Za-z0-9 /.()')' in *' 200 '*) exit 1 ;; esac"

# 23: a request line with a NUL and a bare CR
r=$(printf 'GET /metrics\000 HTTP/1.1\r\rHost: x\r\n\r\n' | "$POKE" send 127.0.0.1 "$MP")
check "a request with NUL and bare CR: no 200 ($r)" sh -c "case '$(printf '%s' "$r" | tr -cd 'A-Za-z0-9 /.()')' in *' 200 '*) exit 1 ;; esac"

# 24-25: an idle client is dropped after the time-out (10 s), others are served meanwhile
"$POKE" slow 127.0.0.1 "$MP" 20 >"$PEERS_DIR/slow.out" 2>&1 &
SLOW_PID=$!
sleep 1
check "while a client idles, /metrics answers others" scrape during-slow.prom
set +e
wait "$SLOW_PID"
slow_st=$?
set -e
check "the idle client is dropped after the time-out ($(cat "$PEERS_DIR/slow.out") s)" \
	sh -c "[ $slow_st -eq 0 ] && awk '{ exit !(\$1 >= 8 && \$1 <= 15) }' '$PEERS_DIR/slow.out'"

# 26-27: 300 connections at once: at most the cap (64) and the kernel's queue (64) are taken; then served again
child=$(pgrep -P "$DM_PID" upsplan || echo "$DM_PID")
fds_before=$(find "/proc/$child/fd" -mindepth 1 | wc -l)
"$POKE" hold 127.0.0.1 "$MP" 300 3 >"$PEERS_DIR/hold.out" &
HOLD_PID=$!
sleep 2.5
fds_during=$(find "/proc/$child/fd" -mindepth 1 2>/dev/null | wc -l)
wait "$HOLD_PID" || true
check "300 connections at once: the monitoring process holds at most 64 more descriptors (from $fds_before to $fds_during; made, open: $(cat "$PEERS_DIR/hold.out"))" \
	test "$fds_during" -le $((fds_before + 64 + 4))
check "then /metrics answers again" dm_until 15 scrape after-hold.prom

# 28: the daemon kept polling through all of it
_polls_went_on() {
	scrape end.prom || return 1
	_pa=$(sed -n 's/^upsplan_polls_total \([0-9]*\)$/\1/p' "$PEERS_DIR/end.prom")
	[ -n "$_pa" ] && [ -n "$polls_before" ] && [ "$_pa" -gt $((polls_before + 10)) ]
}
check "the daemon kept polling (upsplan_polls_total from $polls_before on)" dm_until 10 _polls_went_on

# 29: a taken port: the daemon stops at start with status 1, saying so
dm_run_fail m "--metrics on a taken port: exit 1, 'the port is taken'" 1 "the port is taken" --metrics "127.0.0.1:$MP"

# 30: a port below 1024: the unprivileged monitoring process cannot bind it
if [ "$(cat /proc/sys/net/ipv4/ip_unprivileged_port_start 2>/dev/null || echo 1024)" -gt 999 ] && [ -n "$DM_USER_OPT" ]; then
	dm_run_fail m "--metrics on port 999 as root: exit 1, 'ports below 1024 need root'" 1 "ports below 1024 need root" \
		--metrics 127.0.0.1:999
else
	tap_skip "not root, or this host lets every user bind low ports" "--metrics on port 999"
fi

if [ -n "${PROM_PID:-}" ]; then
	kill "$PROM_PID" 2>/dev/null || true
fi
dm_stop m

# 32: TLS DIRECT to upsd's STARTTLS port: each failed handshake counted, by reason
dm_plan direct <<EOF
POLLFREQ 1 POLLFREQALERT 1
GROUP LOCAL HOST 127.0.0.1 PORT $UPSD_PORT TLS DIRECT CERTFILE "$CA_FILE"
MONITOR a POWERVAL 1 UPSDUSER $PRIMARY_USER PASSWORD "$PRIMARY_PASS" TYPE primary
EOF
MP2=$(peers_free_port)
dm_start direct --metrics "127.0.0.1:$MP2"
_tls_counted() {
	curl -fsS --max-time 5 "http://127.0.0.1:$MP2/metrics" >"$PEERS_DIR/direct.prom" 2>/dev/null &&
		grep -q '^upsplan_tls_handshake_failures_total{upsd="127.0.0.1:[0-9]*",group="LOCAL",reason="not_tls"} [1-9]' \
			"$PEERS_DIR/direct.prom"
}
check "TLS DIRECT to a STARTTLS port: upsplan_tls_handshake_failures_total{reason=\"not_tls\"} counts" dm_until 20 _tls_counted
dm_stop direct
dm_done
peers_stop
