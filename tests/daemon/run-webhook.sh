#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# run-webhook.sh - TAP: upsplan run --webhook against a real upsd + dummy-ups and a real prometheus-alertmanager: an alert's FIRING rule (PRINT, and a SHUTDOWNCMD the root parent runs), its RESOLVED rule, an alert no rule names; hostile requests while polling goes on; HTTPS with the test CA; the start-up refusals; the token nowhere.
#
# Environment: UPSPLAN, PEERS_BINDIR, FREEPORT (make check sets them);
# PEERS_KEEP=1 keeps the temp dir.  Skips without nut-server,
# libnss3-tools, stunnel4, prometheus-alertmanager, python3, curl, openssl.
# shellcheck disable=SC2154 # obs-lib.sh sets AM_PORT_* by eval
set -eu

# shellcheck source=tests/daemon/daemon-lib.sh
. "$(cd "$(dirname "$0")" && pwd)/daemon-lib.sh"
# shellcheck source=tests/obs/obs-lib.sh
. "$(cd "$(dirname "$0")/../obs" && pwd)/obs-lib.sh"
DOCS=$(cd "$(dirname "$0")/../../docs" && pwd)
dm_skip_unless_peers
if ! obs_missing=$(obs_available); then
	echo "1..0 # SKIP missing:$obs_missing"
	exit 0
fi

echo "1..46"
peers_init
ACT=$PEERS_DIR/act
POKE=$PEERS_BINDIR/http-poke
[ -x "$POKE" ] || peers_bail "$POKE is not built (make check builds it)"
printf 'ups.status: OL\nbattery.charge: 100\n' >"$PEERS_DIR/a.dev"
peers_add_ups a "$PEERS_DIR/a.dev"
peers_start tls || peers_bail "the peers did not start"
dm_setup
cd "$PEERS_DIR"

TOKEN='wh-S3cret-t0ken-5d1e'
printf '%s\n' "$TOKEN" >"$PEERS_DIR/token"
chmod 644 "$PEERS_DIR/token"	# Alertmanager and the monitoring user read it

dm_plan w <<EOF
POLLFREQ 1 POLLFREQALERT 1 SHUTDOWNEXIT no
GROUP LOCAL HOST 127.0.0.1 PORT $UPSD_PORT CERTFILE "$CA_FILE"
MONITOR a POWERVAL 1 UPSDUSER $PRIMARY_USER PASSWORD "$PRIMARY_PASS" TYPE primary
WHEN a REPORTS OL->OB : PRINT "power: %(u)s %(e)s"
WHEN ALERT RoomTemperatureHigh FIRING : PRINT "alert: %(e)s"
	SHUTDOWNCMD "/bin/sh -c 'echo \$(id -un) %(e)s >> $ACT/alert-shutdown'"
WHEN ALERT RoomTemperatureHigh RESOLVED : PRINT "alert: %(e)s"
WHEN ALERT DiskFull FIRING : PRINT "alert: %(e)s"
EOF


# refused at start, with the fix
P0=$(peers_free_port)
dm_run_fail w "--webhook 0.0.0.0 without token or TLS: exit 2, the token asked for" 2 \
	"without --webhook-token-file: .*give --webhook-token-file FILE" --webhook "0.0.0.0:$P0"
# any local user reaches loopback, and an alert rule may run a SHUTDOWNCMD as root
dm_run_fail w "--webhook on loopback without a token: exit 2" 2 \
	"without --webhook-token-file: the webhook runs the plan's WHEN ALERT rules, which may shut this host down" \
	--webhook "127.0.0.1:$P0"
dm_run_fail w "--webhook 0.0.0.0 with a token but no TLS: exit 2 (never a token in clear)" 2 \
	"not a loopback address.*add --webhook-cert FILE --webhook-key FILE, or" \
	--webhook "0.0.0.0:$P0" --webhook-token-file "$PEERS_DIR/token"
dm_run_fail w "--webhook-cert without --webhook-key: exit 2" 2 "needs both the certificate and its key" \
	--webhook "$P0" --webhook-cert "$SERVER_CERT"
dm_run_fail w "--webhook-token-file without --webhook: exit 2" 2 "without --webhook" --webhook-token-file "$PEERS_DIR/token"
if [ -n "$DM_USER_OPT" ]; then
	printf '%s\n' "$TOKEN" >"$PEERS_DIR/root-token"
	chmod 600 "$PEERS_DIR/root-token"
	dm_run_fail w "a token file the monitoring user cannot read: exit 2, naming the user and the fix" 2 \
		"root-token: the monitoring user nobody cannot read it.*chmod" \
		--webhook "$P0" --webhook-token-file "$PEERS_DIR/root-token"
else
	tap_skip "not root: no monitoring user to refuse" "a token file the monitoring user cannot read"
fi

dm_run_fail w "a --webhook-cert that holds no certificate: exit 1, naming it" 1 \
	"--webhook: --webhook-cert $PEERS_DIR/token cannot be loaded" \
	--webhook "$P0" --webhook-token-file "$PEERS_DIR/token" --webhook-cert "$PEERS_DIR/token" --webhook-key "$SERVER_KEY"
dm_run_fail w "a --webhook-key of another certificate: exit 1, saying so" 1 \
	"--webhook-key $CLIENT_KEY does not belong to --webhook-cert $SERVER_CERT" \
	--webhook "$P0" --webhook-token-file "$PEERS_DIR/token" --webhook-cert "$SERVER_CERT" --webhook-key "$CLIENT_KEY"

# the daemon listens on loopback, with a token
WP=$(peers_free_port)
MP=$(peers_free_port)
H=http://127.0.0.1:$WP/hook
dm_start w --webhook "127.0.0.1:$WP" --webhook-token-file "$PEERS_DIR/token" --metrics "127.0.0.1:$MP"
check "the monitoring process listens for the webhook, and says where" \
	dm_wait w.err "receiving Alertmanager's notifications on http://127.0.0.1:$WP/hook (a bearer token required)" 15
dm_wait w.err 'logged in' 15 || true

# Alertmanager, routing every alert to the daemon with the token
AM_HOOK_EXTRA="http_config: {authorization: {type: Bearer, credentials_file: '$PEERS_DIR/token'}}"
obs_am_start a1 "$H" || peers_bail "prometheus-alertmanager did not start: $(tail -5 a1.log)"
_peers_record alertmanager-a1 "$(obs_pid a1)"

# post AM NAME ENDS: the alert NAME to the Alertmanager AM (startsAt a minute ago, endsAt ENDS, date -d)
post() {
	curl -s -o /dev/null -w '%{http_code}' -XPOST -H 'Content-Type: application/json' \
		"http://127.0.0.1:$(eval "echo \$AM_PORT_$1")/api/v2/alerts" --data \
		"[{\"labels\":{\"alertname\":\"$2\",\"instance\":\"host1\",\"severity\":\"critical\"},
		  \"startsAt\":\"$(date -u -d '-1 minute' +%FT%TZ)\",\"endsAt\":\"$(date -u -d "$3" +%FT%TZ)\"}]"
}

# firing: the PRINT, and the SHUTDOWNCMD run by the root parent (privsep: no UPS, the alert's event)
t0=$(date +%s%N)
code=$(post a1 RoomTemperatureHigh "+1 hour")
if dm_wait w.out '^alert: ALERT RoomTemperatureHigh FIRING$' 15; then
	ok "Alertmanager -> upsplan: the FIRING rule's PRINT ($((($(date +%s%N) - t0) / 1000000)) ms)"
else
	not_ok "Alertmanager -> upsplan: the FIRING rule's PRINT (POST $code)" "$(tail -5 a1.log)"
fi
check "logged at notice: alert RoomTemperatureHigh firing: the plan's rules ran" \
	dm_wait w.err 'alert RoomTemperatureHigh firing: the plan.s rules ran' 5
if [ -n "$DM_USER_OPT" ]; then
	check "its SHUTDOWNCMD ran as root (the root parent rendered it from the alert's event)" \
		dm_wait act/alert-shutdown '^root ALERT RoomTemperatureHigh FIRING$' 10
else
	check "its SHUTDOWNCMD ran (no root parent: as this user)" \
		dm_wait act/alert-shutdown "^$(id -un) ALERT RoomTemperatureHigh FIRING\$" 10
fi
check "no POWERDOWNFLAG for an alert's SHUTDOWNCMD (no UPS on battery)" test ! -e "$PEERS_DIR/w.killpower"

# resolved
code=$(post a1 RoomTemperatureHigh "-1 second")
check "resolved in Alertmanager: the RESOLVED rule's PRINT" dm_wait w.out '^alert: ALERT RoomTemperatureHigh RESOLVED$' 15

# scrape: the metrics into now.prom
scrape() {
	curl -fsS --max-time 5 "http://127.0.0.1:$MP/metrics" >"$PEERS_DIR/now.prom" 2>/dev/null
}
_scrape_has() {
	scrape && grep -q -- "$1" "$PEERS_DIR/now.prom"
}

# an alert no rule names: delivered, nothing runs
code=$(post a1 UpsdDown "+1 hour")
check "an alert no rule names: delivered (upsplan_webhook_alerts_total{result=\"unknown\"})" \
	dm_until 15 _scrape_has '^upsplan_webhook_alerts_total{result="unknown"} [1-9]'
check "... and nothing ran (two alert PRINTs, one SHUTDOWNCMD)" \
	sh -c "[ \$(grep -c '^alert:' w.out) -eq 2 ] && [ \$(wc -l <act/alert-shutdown) -eq 1 ]"
check "upsplan_webhook_alerts_total{result=\"ran\"} 2" _scrape_has '^upsplan_webhook_alerts_total{result="ran"} 2$'

J='Content-Type: application/json'
A="Authorization: Bearer $TOKEN"
V='{"version":"4","alerts":[{"labels":{"alertname":"DiskFull"},"endsAt":"0001-01-01T00:00:00Z"}]}'

# hostile input; an outage comes meanwhile
dm_set_dev a "OB DISCHRG"
ob_at=$(date +%s)
# slow clients: one idle, one with a request half sent
"$POKE" slow 127.0.0.1 "$WP" 20 >slow.out 2>&1 &
SLOW_PID=$!
python3 - "$WP" >half.log 2>&1 <<'PY' &
import socket, sys, time
s = socket.create_connection(('127.0.0.1', int(sys.argv[1])))
s.sendall(b'POST /hook HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"ver')
time.sleep(15)
PY
HALF_PID=$!
_peers_record half "$HALF_PID"
sleep 0.5
obs_req 405 "GET /hook" "$H"
obs_req 401 "no token" -XPOST -H "$J" --data "$V" "$H"
obs_req 401 "a wrong token" -XPOST -H "$J" -H "Authorization: Bearer ${TOKEN}x" --data "$V" "$H"
obs_req 400 "malformed JSON" -XPOST -H "$J" -H "$A" --data '{"version":"4",' "$H"
printf '{"version":"4","alerts":[{"labels":{"alertname":"X"},"endsAt":"\\u001b[31m\\u0007"}]}' >esc.json
obs_req 400 "an endsAt with control characters" -XPOST -H "$J" -H "$A" --data-binary @esc.json "$H"
head -c 300000 /dev/zero | tr '\0' ' ' >big
obs_req 413 "a body of 300,000 bytes" -XPOST -H "$J" -H "$A" --data-binary @big "$H"
head -c 4000000 /dev/zero | tr '\0' ' ' >bigger
_got=$(curl -s -o /dev/null -w '%{http_code}' --max-time 10 -XPOST -H "$J" -H "$A" --data-binary @bigger "$H" || true)
check "a body of 4 MB: refused by the listener's own cap (status $_got)" test "$_got" = 413
obs_req 200 "a valid POST while two slow clients hang" -XPOST -H "$J" -H "$A" --data "$V" "$H"
check "... its alert ran the DiskFull rule" dm_wait w.out '^alert: ALERT DiskFull FIRING$' 5
if grep -q 'webhook: 127.0.0.1 port [0-9]*: 400 Bad Request: not JSON: ' w.err &&
	grep -q 'webhook: 127.0.0.1 port [0-9]*: 400 Bad Request: alert 1 (X): endsAt "\\x1b\[31m\\x07" is not' w.err && ! grep -q "$(printf '\033')" w.err; then
	ok "the malformed bodies are logged, control characters escaped ($(grep -c 'webhook: 127.0.0.1' w.err) refusals logged)"
else
	not_ok "the malformed bodies are logged, control characters escaped" "$(grep webhook w.err | tail -3)"
fi
check "polling went on: the OL->OB PRINT" dm_wait w.out '^power: a@127.0.0.1:[0-9]* OL->OB$' 10
ob_took=$(($(date +%s) - ob_at))
check "... on time (seen within ${ob_took} s of the change, POLLFREQ 1)" test "$ob_took" -le 6
set +e
wait "$SLOW_PID"
slow_st=$?
set -e
check "the idle client is dropped after the time-out ($(cat slow.out) s)" \
	sh -c "[ $slow_st -eq 0 ] && awk '{ exit !(\$1 >= 8 && \$1 <= 15) }' slow.out"
kill "$HALF_PID" 2>/dev/null || true

# 200 connections at once: at most the cap (16) held by the monitoring process; then served again
child=$(pgrep -P "$DM_PID" upsplan || echo "$DM_PID")
fds_before=$(find "/proc/$child/fd" -mindepth 1 | wc -l)
"$POKE" hold 127.0.0.1 "$WP" 200 3 >hold.out &
HOLD_PID=$!
sleep 2.5
fds_during=$(find "/proc/$child/fd" -mindepth 1 2>/dev/null | wc -l)
wait "$HOLD_PID" || true
check "200 connections at once: the monitoring process holds at most 16 more descriptors (from $fds_before to $fds_during; made, open: $(cat hold.out))" \
	test "$fds_during" -le $((fds_before + 16 + 4))
_served() {
	[ "$(curl -s -o /dev/null -w '%{http_code}' --max-time 5 -XPOST -H "$J" -H "$A" --data "$V" "$H" || true)" = 200 ]
}
check "then the webhook answers again" dm_until 15 _served

# the requests counted, by status
_counted() {
	_scrape_has '^upsplan_webhook_requests_total{code="401"} 2$' &&
		grep -q '^upsplan_webhook_requests_total{code="405"} 1$' now.prom &&
		grep -q '^upsplan_webhook_requests_total{code="400"} 2$' now.prom &&
		grep -q '^upsplan_webhook_requests_total{code="413"} 1$' now.prom &&
		grep -q '^upsplan_webhook_requests_total{code="200"} \([4-9]\|[1-9][0-9]\)$' now.prom
}
check "upsplan_webhook_requests_total: 401 2, 405 1, 400 2, 413 1, 200 4 or more" _counted
if command -v promtool >/dev/null 2>&1; then
	check "promtool check metrics: exit 0" sh -c 'promtool check metrics <now.prom >promtool.out 2>&1'
else
	tap_skip "promtool is not installed" "promtool check metrics"
fi

# the token nowhere: logs, output, command lines, metrics
child=$(pgrep -P "$DM_PID" upsplan || echo "$DM_PID")
cat "/proc/$DM_PID/cmdline" "/proc/$child/cmdline" >cmdlines 2>/dev/null || true
if ! grep -qF -- "$TOKEN" w.err w.out w.trace now.prom cmdlines; then
	ok "the token is in no log, output, trace, command line or metrics"
else
	not_ok "the token is in no log, output, trace, command line or metrics" "$(grep -lF -- "$TOKEN" w.err w.out w.trace now.prom cmdlines)"
fi
check "the daemon is alive after it all" kill -0 "$DM_PID"
obs_am_stop a1
dm_stop w
check "stopped by SIGTERM: exit 0" test "$DM_STATUS" -eq 0

# HTTPS with the test CA (made by openssl): Alertmanager verifies it with tls_config ca_file
dm_plan t <<EOF
POLLFREQ 1 POLLFREQALERT 1
GROUP LOCAL HOST 127.0.0.1 PORT $UPSD_PORT CERTFILE "$CA_FILE"
MONITOR a POWERVAL 1 UPSDUSER $PRIMARY_USER PASSWORD "$PRIMARY_PASS" TYPE primary
WHEN ALERT DiskFull FIRING : PRINT "alert: %(e)s"
EOF
SP=$(peers_free_port)
dm_start t --webhook "127.0.0.1:$SP" --webhook-token-file "$PEERS_DIR/token" --webhook-cert "$SERVER_CERT" \
	--webhook-key "$SERVER_KEY"
check "HTTPS: the daemon says https://" dm_wait t.err "notifications on https://127.0.0.1:$SP/hook" 15
AM_HOOK_EXTRA="http_config: {authorization: {type: Bearer, credentials_file: '$PEERS_DIR/token'}, tls_config: {ca_file: '$CA_FILE'}}"
obs_am_start a2 "https://127.0.0.1:$SP/hook" || peers_bail "prometheus-alertmanager did not start: $(tail -5 a2.log)"
_peers_record alertmanager-a2 "$(obs_pid a2)"
code=$(post a2 DiskFull "+1 hour")
check "HTTPS: Alertmanager (tls_config ca_file) delivers; the FIRING rule ran" dm_wait t.out '^alert: ALERT DiskFull FIRING$' 15
_got=$(curl -s -o /dev/null -w '%{http_code}' --max-time 5 -XPOST -H "$J" -H "$A" --data "$V" "http://127.0.0.1:$SP/hook" || true)
check "HTTPS: a request in clear gets no answer (status $_got)" test "$_got" != 200
_got=$(curl -s -o /dev/null -w '%{http_code}' --max-time 5 --cacert "$CA_FILE" --tls-max 1.1 -XPOST -H "$J" -H "$A" \
	--data "$V" "https://127.0.0.1:$SP/hook" || true)
check "HTTPS: TLS 1.1 refused (status $_got)" test "$_got" = 000
_served_tls() {
	[ "$(curl -s -o /dev/null -w '%{http_code}' --max-time 5 --cacert "$CA_FILE" -XPOST -H "$J" -H "$A" --data "$V" \
		"https://127.0.0.1:$SP/hook" || true)" = 200 ]
}
"$POKE" slow 127.0.0.1 "$SP" 20 >tslow.out 2>&1 &
SLOW_PID=$!
sleep 0.5
obs_req 200 "HTTPS: curl with the CA, while a client stalls in the handshake" --cacert "$CA_FILE" -XPOST -H "$J" -H "$A" \
	--data "$V" "https://127.0.0.1:$SP/hook"
set +e
wait "$SLOW_PID"
slow_st=$?
set -e
check "HTTPS: the stalled handshake is dropped after the time-out ($(cat tslow.out) s)" \
	sh -c "[ $slow_st -eq 0 ] && awk '{ exit !(\$1 >= 8 && \$1 <= 15) }' tslow.out"
r=$(head -c 4096 /dev/urandom | "$POKE" send 127.0.0.1 "$SP" | tr -cd 'A-Za-z0-9 /.()')
check "HTTPS: 4 KiB of junk instead of a handshake: no answer in clear ($r)" sh -c "case '$r' in *HTTP*) exit 1 ;; esac"
check "HTTPS: the daemon is alive, and serves again" _served_tls
obs_am_stop a2
dm_stop t

# the receiver and route docs/observability.md gives to paste are a valid configuration
awk '/^### Alertmanager.s side/ { f = 1 } f && /^```yaml/ { y = 1; next } y && /^```/ { exit } y' \
	"$DOCS/observability.md" >doc-am.yml
if [ -s doc-am.yml ] && amtool check-config doc-am.yml >doc-am.out 2>&1; then
	ok "the receiver and route of docs/observability.md: amtool check-config SUCCESS"
else
	not_ok "the receiver and route of docs/observability.md: amtool check-config SUCCESS" "$(cat doc-am.out)"
fi
dm_done
peers_stop
