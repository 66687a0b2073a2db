#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# alertmgr.sh - TAP: runtime/obs/alertmgr (driver am-client) against real Alertmanagers and python3 receivers: labels, resolve, re-send, retries, HA, tokens, TLS, bad servers.
# shellcheck disable=SC2154,SC2016 # obs-lib.sh sets AM_PORT_* and RX_PORT_* by eval; obs_wait eval expands later
# shellcheck source=tests/tap-env.sh
. "$(dirname "$0")/../tap-env.sh"
# shellcheck source=tests/obs/obs-lib.sh
. "$srcdir/tests/obs/obs-lib.sh"

if ! missing=$(obs_available); then
	echo "1..0 # SKIP missing:$missing"
	exit 0
fi
echo "1..27"
obs_init alertmgr
C="--instance host1 --resend 1 --backoff-min 0.2 --backoff-max 1 --timeout 2 --flush 1"

# 1-7: fire, labels, update, group, resolve (resolve_timeout 1 s: only
# the endsAt of the re-sends keeps the alerts alive)
AM_RESOLVE_TIMEOUT=1s
obs_am_start a1 || echo "Bail out! prometheus-alertmanager did not start"
# shellcheck disable=SC2086
obs_client c1 --url "http://127.0.0.1:$AM_PORT_a1/" $C
echo "fire UpsOnBattery ups1 critical ups1 is on battery" >&3
if obs_wait 5 obs_has a1 UpsOnBattery ups=ups1 instance=host1 severity=critical "summary=ups1 is on battery" group!; then
	ok "fire: the alert is active with its labels and summary"
else
	not_ok "fire: the alert is active with its labels and summary" "$(obs_alerts a1)"
fi
if obs_has a1 UpsplanHeartbeat instance=host1 severity=none ups!; then
	ok "the heartbeat UpsplanHeartbeat fires"
else
	not_ok "the heartbeat UpsplanHeartbeat fires" "$(obs_alerts a1)"
fi
echo "fire UpsOnBattery ups1 critical ups1 has 5 minutes left" >&3
if obs_wait 5 obs_has a1 UpsOnBattery "summary=ups1 has 5 minutes left" &&
	[ "$(obs_alerts a1 | python3 -c 'import json,sys; print(sum(a["labels"]["alertname"]=="UpsOnBattery" for a in json.load(sys.stdin)))')" = 1 ]; then
	ok "fire again: the summary is updated, still one alert"
else
	not_ok "fire again: the summary is updated, still one alert" "$(obs_alerts a1)"
fi
echo "fireg LowBattery ups2 rack3 warning ups2 low" >&3
if obs_wait 5 obs_has a1 LowBattery ups=ups2 group=rack3 severity=warning; then
	ok "fireg: the group label"
else
	not_ok "fireg: the group label" "$(obs_alerts a1)"
fi
echo "fire UpsOnBattery ups1 warning ups1 is on battery again" >&3
if obs_wait 5 obs_has a1 UpsOnBattery severity=warning && obs_wait 5 eval '! obs_has a1 UpsOnBattery severity=critical'; then
	ok "fire with a new severity: the alert under the old labels is resolved"
else
	not_ok "fire with a new severity: the alert under the old labels is resolved" "$(obs_alerts a1)"
fi
echo "resolve UpsOnBattery ups1" >&3
if obs_wait 5 eval '! obs_has a1 UpsOnBattery' && obs_has a1 LowBattery; then
	ok "resolve: the alert is gone, the others stay"
else
	not_ok "resolve: the alert is gone, the others stay" "$(obs_alerts a1)"
fi
echo "resolve UpsOnBattery ups1" >&3
echo ping >&3
if obs_wait 3 grep -qs pong c1.out && grep -q "not firing" c1.out; then
	ok "resolve of an alert not firing: refused"
else
	not_ok "resolve of an alert not firing: refused" "$(cat c1.out)"
fi

# 8: re-sent, the alerts outlive their own endsAt (now + 3 x 1 s) and resolve_timeout
sleep 4.5
if obs_has a1 LowBattery && obs_has a1 UpsplanHeartbeat; then
	ok "re-sent every second: still active after 4.5 s (endsAt now + 3 s, resolve_timeout 1 s)"
else
	not_ok "re-sent every second: still active after 4.5 s" "$(obs_alerts a1)"
fi
# 9: quit resolves everything (the final flush)
if obs_client_end 3 && obs_wait 3 eval '[ "$(obs_alerts a1)" = "[]" ]'; then
	ok "quit: the final flush resolves every alert, the heartbeat too"
else
	not_ok "quit: the final flush resolves every alert" "$(obs_alerts a1)"
fi

# 10: a client killed: the Alertmanager resolves its alerts itself (endsAt)
# shellcheck disable=SC2086
obs_client c2 --url "http://127.0.0.1:$AM_PORT_a1/" $C
echo "fire Dead ups1 critical gone" >&3
obs_wait 5 obs_has a1 Dead
kill -9 "$(obs_pid c2)"
wait "$(obs_pid c2)" 2>/dev/null
exec 3>&-
sleep 2
if obs_has a1 Dead && obs_wait 4 eval '! obs_has a1 Dead'; then
	ok "client killed: its alerts end by their endsAt (2 to 6 s)"
else
	not_ok "client killed: its alerts end by their endsAt" "$(obs_alerts a1)"
fi

# 11-14: no Alertmanager at first: retries, the loop answers, delivered later
obs_am_stop a1
# shellcheck disable=SC2086
obs_client c3 --url "http://127.0.0.1:$AM_PORT_a1/" $C
echo "fire Late ups1 critical late" >&3
if obs_wait 5 eval 'grep -q "not accepted: .*retry in" c3.err && [ "$(grep -c "retry in" c3.err)" -ge 2 ]'; then
	ok "Alertmanager down: failures logged with a retry"
else
	not_ok "Alertmanager down: failures logged with a retry" "$(cat c3.err)"
fi
t0=$(date +%s%N)
echo ping >&3
obs_wait 2 grep -qs pong c3.out
ms=$((($(date +%s%N) - t0) / 1000000))
if grep -q pong c3.out && [ "$ms" -lt 1000 ]; then
	ok "Alertmanager down: the loop answers ping at once ($ms ms)"
else
	not_ok "Alertmanager down: the loop answers ping at once ($ms ms)"
fi
obs_am_start a1
if obs_wait 5 obs_has a1 Late && grep -q "accepted .* after [0-9]* failure" c3.err; then
	ok "Alertmanager started: the alert arrives, the recovery is logged"
else
	not_ok "Alertmanager started: the alert arrives" "$(obs_alerts a1)" "$(tail -3 c3.err)"
fi
delays=$(sed -n 's/.*retry in \([0-9.]*\) s.*/\1/p' c3.err | tr '\n' ' ')
if [ -n "$delays" ] && echo "$delays" | awk '{ if ($1 > 0.2) exit 1; for (i = 1; i <= NF; i++) if ($i > 1.0) exit 1 }'; then
	ok "back-off: the first retry within 0.2 s, none over 1 s (${delays% })"
else
	not_ok "back-off: the first retry within 0.2 s, none over 1 s (${delays% })"
fi
obs_client_end 3

# 15-16: two Alertmanagers (HA) both get the alerts and the resolves
obs_am_start a2
# shellcheck disable=SC2086
obs_client c4 --url "http://127.0.0.1:$AM_PORT_a1" --url "http://127.0.0.1:$AM_PORT_a2" $C
echo "fire Both ups1 critical both" >&3
if obs_wait 5 obs_has a1 Both && obs_wait 5 obs_has a2 Both; then
	ok "HA: both Alertmanagers get the alert"
else
	not_ok "HA: both Alertmanagers get the alert" "$(obs_alerts a1)" "$(obs_alerts a2)"
fi
echo "resolve Both ups1" >&3
if obs_wait 5 eval '! obs_has a1 Both && ! obs_has a2 Both'; then
	ok "HA: both get the resolve"
else
	not_ok "HA: both get the resolve" "$(obs_alerts a1)" "$(obs_alerts a2)"
fi
obs_client_end 3

# 17-20: a bearer token and basic authentication reach the server, never the log
printf 's3cr3t-T0ken\n' >token
printf 'pa55-w0rd\n' >password
obs_receiver r1 500
obs_receiver r2 ok
# shellcheck disable=SC2086
obs_client c5 --url "http://127.0.0.1:$RX_PORT_r1" --bearer-file token \
	--url "http://127.0.0.1:$RX_PORT_r2" --user alice --password-file password $C
echo "fire Tok ups1 critical token" >&3
obs_wait 5 grep -qs '"Bearer s3cr3t-T0ken"' r1.rx
obs_wait 5 grep -qs '"Basic ' r2.rx
obs_wait 5 grep -qs 'HTTP 500' c5.err
if grep -q '"auth": "Bearer s3cr3t-T0ken"' r1.rx && grep -q '"path": "/api/v2/alerts"' r1.rx; then
	ok "bearer token: sent as Authorization: Bearer to /api/v2/alerts"
else
	not_ok "bearer token: sent as Authorization: Bearer" "$(head -c 400 r1.rx)"
fi
if grep -q "\"auth\": \"Basic $(printf 'alice:pa55-w0rd' | base64)\"" r2.rx; then
	ok "user and password: sent as basic authentication"
else
	not_ok "user and password: sent as basic authentication" "$(head -c 400 r2.rx)"
fi
sleep 2
if grep -q 'HTTP 500: "boom \\x1b\[31mred\\x07 x*"\.\.\.;' c5.err && ! grep -q 's3cr3t\|pa55' c5.err c5.out &&
	! grep -q "$(printf '\033')" c5.err; then
	ok "500: logged with the status and 200 escaped bytes; no token or password in the log"
else
	not_ok "500: logged with the status and 200 escaped bytes; no secret" "$(grep 500 c5.err | head -2)"
fi
cnt=$(wc -l <r1.rx)
if [ "$cnt" -ge 3 ] && [ "$cnt" -le 15 ]; then
	ok "500: retried with back-off, bounded ($cnt requests in ~3 s)"
else
	not_ok "500: retried with back-off, bounded ($cnt requests in ~3 s)"
fi
obs_client_end 3

# 21-22: https with a CA made by openssl
openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=test-ca -keyout ca.key -out ca.pem \
	-addext basicConstraints=critical,CA:TRUE -addext keyUsage=keyCertSign >/dev/null 2>&1
openssl req -newkey rsa:2048 -nodes -subj /CN=127.0.0.1 -keyout srv.key -out srv.csr >/dev/null 2>&1
printf 'subjectAltName=IP:127.0.0.1\n' >srv.ext
openssl x509 -req -in srv.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 2 -extfile srv.ext -out srv.pem >/dev/null 2>&1
obs_receiver r3 ok srv.pem srv.key
# shellcheck disable=SC2086
obs_client c6 --url "https://127.0.0.1:$RX_PORT_r3" --cafile ca.pem $C
echo "fire Tls ups1 critical tls" >&3
if obs_wait 5 grep -qs '"alertname": *\\"Tls\\"\|Tls' r3.rx; then
	ok "https with CAFILE: delivered"
else
	not_ok "https with CAFILE: delivered" "$(cat c6.err)"
fi
obs_client_end 3
: >r3.rx
# shellcheck disable=SC2086
obs_client c7 --url "https://127.0.0.1:$RX_PORT_r3" $C
echo "fire Tls ups1 critical tls" >&3
if obs_wait 5 grep -qs 'not accepted: .*CAFILE' c7.err && [ ! -s r3.rx ]; then
	ok "https without CAFILE: refused, logged with a hint ($(grep -o 'SSL[^;(]*' c7.err | head -1))"
else
	not_ok "https without CAFILE: refused, logged with a hint" "$(cat c7.err)"
fi
obs_client_end 3

# 23-25: garbage, a server that hangs, the bounded final flush
obs_receiver r4 garbage
obs_receiver r5 hang
# shellcheck disable=SC2086
obs_client c8 --url "http://127.0.0.1:$RX_PORT_r4" --url "http://127.0.0.1:$RX_PORT_r5" $C
echo "fire Bad ups1 critical bad" >&3
if obs_wait 5 grep -qs "$RX_PORT_r4/api/v2/alerts: .*not accepted" c8.err; then
	ok "garbage answer: a failure, logged ($(grep -o "$RX_PORT_r4/api/v2/alerts: [^;]*" c8.err | head -1 | cut -c1-80))"
else
	not_ok "garbage answer: a failure, logged" "$(cat c8.err)"
fi
if obs_wait 6 grep -qs "$RX_PORT_r5/api/v2/alerts: .*not accepted: .*timed out" c8.err; then
	ok "hanging server: the request times out (2 s), retried later"
else
	not_ok "hanging server: the request times out" "$(cat c8.err)"
fi
echo ping >&3
t0=$(date +%s%N)
obs_client_end 5
ms=$((($(date +%s%N) - t0) / 1000000))
if [ "$ms" -lt 2500 ] && grep -q "$RX_PORT_r5/api/v2/alerts: the last .*\(not sent within 1.0 s\|timed out after 10\)" c8.err; then
	ok "quit with a hanging server: the flush gives up after 1 s ($ms ms)"
else
	not_ok "quit with a hanging server: the flush gives up after 1 s ($ms ms)" "$(tail -3 c8.err)"
fi

# 26-27: at most --max-alerts alerts (the heartbeat counts), no Alertmanager
# shellcheck disable=SC2086
obs_client c9 --url "http://127.0.0.1:$("$FREEPORT")" --max-alerts 3 $C
printf 'fire A u1 critical a\nfire B u1 critical b\nfire C u1 critical c\nping\n' >&3
if obs_wait 3 grep -qs pong c9.out && [ "$(grep -c '^fired' c9.out)" = 2 ] && grep -q "^not fired" c9.out &&
	grep -q "alert C not sent: 3 alerts are firing already" c9.err; then
	ok "table full of firing alerts: a new one is refused, logged"
else
	not_ok "table full of firing alerts: a new one is refused, logged" "$(cat c9.out)"
fi
printf 'resolve A u1\nfire C u1 critical c\nping\n' >&3
if obs_wait 3 eval '[ "$(grep -c pong c9.out)" = 2 ]' && [ "$(grep -c '^fired' c9.out)" = 3 ] &&
	grep -q "the resolve of A for u1 is dropped" c9.err; then
	ok "table full: the oldest resolve is dropped for a new alert, logged"
else
	not_ok "table full: the oldest resolve is dropped for a new alert, logged" "$(cat c9.out)" "$(grep -v retry c9.err)"
fi
obs_client_end 5

obs_stop_all
tap_done
[ "$failed" -eq 0 ]
