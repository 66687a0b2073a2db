#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# webhook.sh - TAP: runtime/obs/webhook (driver wh-server) receiving a real Alertmanager's notifications with a bearer token, and refusing bad, big, slow and unauthorised requests.
# shellcheck disable=SC2154,SC2016 # obs-lib.sh sets AM_PORT_* and RX_PORT_* by eval; obs_wait eval expands later
# shellcheck source=tests/tap-env.sh
. "$(dirname "$0")/../tap-env.sh"
# shellcheck source=tests/obs/obs-lib.sh
. "$srcdir/tests/obs/obs-lib.sh"

if ! missing=$(obs_available); then
	echo "1..0 # SKIP missing:$missing"
	exit 0
fi
echo "1..17"
obs_init webhook

printf 'wh-T0ken-42\n' >token
"$OBS_BINDIR/wh-server" --token-file token >wh.out 2>wh.err &
obs_record wh $!
obs_wait 5 grep -qs '^port ' wh.out || echo "Bail out! wh-server did not start"
WP=$(sed -n 's/^port //p' wh.out)
ok "wh-server listens on 127.0.0.1:$WP"

AM_HOOK_EXTRA="http_config: {authorization: {type: Bearer, credentials_file: '$(pwd)/token'}}"
obs_am_start a1 "http://127.0.0.1:$WP/hook" || echo "Bail out! prometheus-alertmanager did not start"

# post ENDS: UpsOnBattery for ups1 to the Alertmanager, endsAt ENDS
post() {
	curl -s -o /dev/null -w '%{http_code}' -XPOST -H 'Content-Type: application/json' \
		"http://127.0.0.1:$AM_PORT_a1/api/v2/alerts" --data \
		"[{\"labels\":{\"alertname\":\"UpsOnBattery\",\"ups\":\"ups1\",\"severity\":\"critical\",\"instance\":\"host1\"},
		  \"annotations\":{\"summary\":\"ups1 is on battery\"},\"startsAt\":\"$NOW\",\"endsAt\":\"$1\"}]"
}
# notified STATE WHEN WHAT: post with endsAt WHEN (date -d), then wait for
# "UpsOnBattery STATE" from wh-server; one test WHAT, with the delay
notified() {
	t0=$(date +%s%N)
	code=$(post "$(date -u -d "$2" +%FT%TZ)")
	if obs_wait 5 grep -qs "^UpsOnBattery $1 .*ups=ups1" wh.out; then
		ok "$3 ($((($(date +%s%N) - t0) / 1000000)) ms)"
	else
		not_ok "$3 (POST: $code)" "$(cat wh.out wh.err a1.log | tail -8)"
	fi
}
NOW=$(date -u -d "-1 minute" +%FT%TZ)
notified firing "+1 hour" "Alertmanager -> webhook (bearer token): UpsOnBattery firing, with its labels"
notified resolved "-1 second" "Alertmanager -> webhook: UpsOnBattery resolved"

H="http://127.0.0.1:$WP/hook"
J='Content-Type: application/json'
A='Authorization: Bearer wh-T0ken-42'
V='{"version":"4","alerts":[{"labels":{"alertname":"Direct","ups":"u9"},"endsAt":"0001-01-01T00:00:00Z"}]}'
obs_req 405 "GET" "$H"
if grep -qi '^Allow: POST' headers; then ok "405 with Allow: POST"; else not_ok "405 without Allow: POST"; fi
obs_req 401 "no token" -XPOST -H "$J" --data "$V" "$H"
if grep -qi '^WWW-Authenticate: Bearer' headers; then ok "401 with WWW-Authenticate: Bearer"; else not_ok "401 without WWW-Authenticate"; fi
obs_req 401 "a wrong token" -XPOST -H "$J" -H 'Authorization: Bearer wh-T0ken-43' --data "$V" "$H"
obs_req 415 "text/plain" -XPOST -H 'Content-Type: text/plain' -H "$A" --data "$V" "$H"
head -c 300000 /dev/zero | tr '\0' ' ' >big
obs_req 413 "a body of 300,000 bytes" -XPOST -H "$J" -H "$A" --data-binary @big "$H"
head -c 600000 /dev/zero | tr '\0' ' ' >bigger
obs_req 413 "a body of 600,000 bytes (evhttp's own cap)" -XPOST -H "$J" -H "$A" --data-binary @bigger "$H"
obs_req 400 "malformed JSON" -XPOST -H "$J" -H "$A" --data '{"version":"4",' "$H"
printf '{"version":"3\\u001b[31m\\u0007","alerts":[]}' >esc.json
obs_req 400 "version 3 with control characters" -XPOST -H "$J" -H "$A" --data-binary @esc.json "$H"
if grep -q 'version "3\\x1b\[31m\\x07": only "4"' wh.err && ! grep -q "$(printf '\033')" wh.err body; then
	ok "the refusals are logged escaped ($(grep -c warning wh.err) lines)"
else
	not_ok "the refusals are logged escaped" "$(tail -3 wh.err)"
fi

# slow clients: a request that never ends, headers that never end
python3 - "$WP" >slow.log 2>&1 <<'PY' &
import socket, sys, time
s1 = socket.create_connection(('127.0.0.1', int(sys.argv[1])))
s1.sendall(b'POST /hook HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\n{"ver')
s2 = socket.create_connection(('127.0.0.1', int(sys.argv[1])))
s2.sendall(b'POST /hook HTTP/1.1\r\nHost: x\r\nX-A: ')
time.sleep(8)
PY
slow=$!
obs_record slow "$slow"
sleep 0.5
obs_req 200 "a valid POST while two slow clients hang" -XPOST -H "$J" -H "$A" --data "$V" "$H"
if grep -q '^Direct firing ups=u9\|^Direct firing alertname=Direct ups=u9' wh.out; then
	ok "the valid POST: Direct firing"
else
	not_ok "the valid POST: Direct firing" "$(tail -3 wh.out)"
fi
kill "$slow" 2>/dev/null
if kill -0 "$(obs_pid wh)" 2>/dev/null && ! grep -q 'wh-T0ken' wh.err wh.out; then
	ok "wh-server alive after the bad requests; the token never in its output"
else
	not_ok "wh-server alive after the bad requests; the token never in its output"
fi

obs_stop_all
tap_done
[ "$failed" -eq 0 ]
