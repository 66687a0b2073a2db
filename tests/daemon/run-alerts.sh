#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# run-alerts.sh - TAP: ALERT and RESOLVE of upsplan run through upsplan-alert to a real prometheus-alertmanager: labels and summary, heartbeat, Alertmanager down at first, the helper killed, a daemon restart during the outage (state file), reloads, a helper that does not read, no secret shown, no helper without ALERTMANAGER.
#
# Against real upsd/dummy-ups peers (peers.sh) and a prometheus-alertmanager
# on a free loopback port (gossip off, storage in the test directory,
# resolve_timeout 5 s, stopped by PID).  The daemon re-posts every 2 s
# (--alert-resend 2), so an alert not posted again ends 6 s after its last
# post: an alert still there 10 s after the helper was killed, or after a
# restart of the daemon, was sent again.
# Environment: UPSPLAN, PEERS_BINDIR (make check sets them); PEERS_KEEP=1
# keeps the temp dir.  Skips without nut-server, libnss3-tools, stunnel4,
# prometheus-alertmanager (and its amtool), curl or python3.  What
# Alertmanager holds is read with `amtool alert query`.
set -eu

# shellcheck source=tests/daemon/daemon-lib.sh
. "$(cd "$(dirname "$0")" && pwd)/daemon-lib.sh"
dm_skip_unless_peers prometheus-alertmanager amtool curl python3
HELPER=$(dirname "$UPSPLAN")/upsplan-alert
if [ ! -x "$HELPER" ]; then
	echo "1..0 # SKIP $HELPER is not built"
	exit 0
fi

echo "1..47"
peers_init
ACT=$PEERS_DIR/act
TOKEN=tok-S3CRET-4c1b9
PASS=pw-S3CRET-77aa
printf 'ups.status: OL\nbattery.charge: 100\n' >"$PEERS_DIR/a.dev"
peers_add_ups a "$PEERS_DIR/a.dev"
peers_start tls || peers_bail "the peers did not start"
dm_setup
AM_PORT=$(peers_free_port)
AM_PORT2=$(peers_free_port)
AM_URL=http://127.0.0.1:$AM_PORT

# ---- the helper alone: malformed input is refused with the line, exit 2

# helper_refuses NAME INPUT PATTERN
helper_refuses() {
	set +e
	printf '%s' "$2" | timeout 10 "$HELPER" >"$PEERS_DIR/h.out" 2>"$PEERS_DIR/h.err"
	_hr=$?
	set -e
	if [ "$_hr" -eq 2 ] && grep -q -- "$3" "$PEERS_DIR/h.err"; then
		ok "upsplan-alert: $1: exit 2, $3"
	else
		not_ok "upsplan-alert: $1: exit 2, $3" "status $_hr" "$(cat "$PEERS_DIR/h.err")"
	fi
}
helper_refuses "not JSON" 'garbage
' 'input line 1: malformed JSON'
helper_refuses "bytes that are not UTF-8" "$(printf '{"op":"fire","alertname":"\377\376"}')
" \
	'input line 1: malformed JSON.*unable to decode byte 0xff'
python3 -c 'print("[" * 100000)' >"$PEERS_DIR/deep.in"
helper_refuses "100,000 nested arrays" "$(cat "$PEERS_DIR/deep.in")
" 'input line 1: malformed JSON.*maximum parsing depth'
helper_refuses "a handover before the config" '{"op":"handover"}
' 'input line 1: "handover" before the config'
helper_refuses "an alert before the config" '{"op":"fire","alertname":"X"}
' 'input line 1: "fire" before the config'
helper_refuses "a config without targets" '{"op":"config"}
' 'input line 1: the config needs "targets"'
helper_refuses "an unknown op" "{\"op\":\"config\",\"targets\":[{\"url\":\"$AM_URL\"}]}
{\"op\":\"boom\"}
" 'input line 2: unknown "op"'
helper_refuses "a cut line" "{\"op\":\"config\",\"targets\":[{\"url\":\"$AM_URL\"}]}
{\"op\":\"fire\"" 'input line 2: cut'
# a line of 300 kB without a line feed: refused at the bound, memory bounded
python3 -c 'import sys; sys.stdout.write("{\"op\":\"config\",\"x\":\"" + "a" * 300000)' >"$PEERS_DIR/long.in"
helper_refuses "a line over 256 KiB" "$(cat "$PEERS_DIR/long.in")" 'input line 1: longer than 262144 bytes'

# ---- Alertmanager

am_start() {
	cat >"$PEERS_DIR/am.yml" <<EOF
global: {resolve_timeout: 5s}
route: {receiver: none, group_wait: 100ms, group_interval: 1s}
receivers:
  - name: none
EOF
	prometheus-alertmanager --config.file="$PEERS_DIR/am.yml" --storage.path="$PEERS_DIR/am.d" \
		--web.listen-address="127.0.0.1:$AM_PORT" --cluster.listen-address= >>"$PEERS_DIR/am.log" 2>&1 &
	_peers_record am $!
	dm_until 10 curl -sf "$AM_URL/-/ready" -o /dev/null
}

# the active alerts as `amtool alert query` gives them, one line each:
# alertname ups group instance severity | summary | generatorURL
am_alerts() {
	amtool --alertmanager.url="$AM_URL" alert query -o json |
		python3 -c 'import json, sys
for a in json.load(sys.stdin):
    if a["status"]["state"] != "active":
        continue
    l = a["labels"]
    print(" ".join(l.get(k, "-") for k in ("alertname", "ups", "group", "instance", "severity")) + " | " +
          a["annotations"].get("summary", "") + " | " + a.get("generatorURL", ""))' >"$PEERS_DIR/alerts.now" 2>/dev/null
}
# when Alertmanager's heartbeat alert started (startsAt), or nothing
am_heart_starts() {
	amtool --alertmanager.url="$AM_URL" alert query -o json alertname=UpsplanHeartbeat 2>/dev/null |
		python3 -c 'import json, sys
for a in json.load(sys.stdin):
    print(a["startsAt"])' 2>/dev/null || :
}
# am_has PATTERN: an active alert matches
am_has() {
	am_alerts && grep -q -- "$1" "$PEERS_DIR/alerts.now"
}
am_hasnt() {
	am_alerts && ! grep -q -- "$1" "$PEERS_DIR/alerts.now"
}
ONBATT='^OnBattery a GA testhost critical | GA:a@127.0.0.1:[0-9]* on battery, charge 100 | '
HEART='^UpsplanHeartbeat - - testhost none | '

# the helper processes below the daemon DM_PID (their PIDs)
helper_pids() {
	for _h in $(ps -eo pid=,args= | awk -v h="$HELPER" '$2 == h { print $1 }'); do
		_a=$_h
		for _i in 1 2 3; do
			_a=$(ps -o ppid= -p "$_a" 2>/dev/null | tr -d ' ')
			[ -n "$_a" ] || break
			if [ "$_a" = "$DM_PID" ]; then
				echo "$_h"
				break
			fi
		done
	done
}
one_helper() {
	HPID=$(helper_pids)
	[ -n "$HPID" ] && [ "$(echo "$HPID" | wc -l)" -eq 1 ]
}
no_helper() {
	[ -z "$(helper_pids)" ]
}

# ---- no ALERTMANAGER, no WHEN ALERT: no helper

# plain_plan NAME: a plan without ALERTMANAGER, ALERT or WHEN ALERT
plain_plan() {
	dm_plan "$1" <<EOF
POLLFREQ 1 POLLFREQALERT 1
GROUP GA HOST 127.0.0.1 PORT $UPSD_PORT CERTFILE "$CA_FILE"
MONITOR a POWERVAL 1 UPSDUSER $PRIMARY_USER PASSWORD "$PRIMARY_PASS" TYPE primary
WHEN a REPORTS OL->OB : PRINT "print on battery"
EOF
}
plain_plan plain
dm_start plain -D
check "connected" dm_wait plain.err 'connected and logged in' 15
sleep 1
if no_helper && ! grep -q 'upsplan-alert' "$PEERS_DIR/plain.err"; then
	ok "a plan without ALERTMANAGER starts no upsplan-alert"
else
	not_ok "a plan without ALERTMANAGER starts no upsplan-alert" "$(helper_pids)" "$(grep upsplan-alert "$PEERS_DIR/plain.err")"
fi
dm_stop plain

# ---- the plan: Alertmanager down at first

alert_plan() {
	dm_plan alerts <<EOF
POLLFREQ 1 POLLFREQALERT 1
ALERTMANAGER "$AM_URL" BEARER "$TOKEN"
$1
GROUP GA HOST 127.0.0.1 PORT $UPSD_PORT CERTFILE "$CA_FILE"
MONITOR a POWERVAL 1 UPSDUSER $PRIMARY_USER PASSWORD "$PRIMARY_PASS" TYPE primary
WHEN a REPORTS OL->OB : ALERT OnBattery SEVERITY critical "%(u)s on battery, charge %(c)s" PRINT "print on battery"
WHEN a REPORTS OB->OL : RESOLVE OnBattery PRINT "print on line"
EOF
}
alert_plan ""
GEN=https://grafana.example.org/d/ups?host=testhost
dm_run_fail alerts "--alert-generator-url that is not an http(s) URL: exit 2" 2 \
	"--alert-generator-url: give an http:// or https:// URL" --alert-generator-url "javascript:x"
dm_start alerts --alert-resend 2 -D --alert-generator-url "$GEN"
check "the monitoring process starts upsplan-alert" dm_until 15 one_helper
dm_wait alerts.err 'connected and logged in' 15 || true
dm_set_dev a "OB DISCHRG"
check "Alertmanager down: the plan's PRINT still comes" dm_wait alerts.out '^print on battery$' 15
check "... and the failed post is logged (retried)" dm_wait alerts.err 'upsplan-alert: alertmanager.*' 10
am_start || peers_bail "prometheus-alertmanager did not start"
check "Alertmanager started: the alert arrives (alertname ups group instance severity summary)" \
	dm_until 40 am_has "$ONBATT"
check "the heartbeat UpsplanHeartbeat is there" am_has "$HEART"
check "each alert carries --alert-generator-url as its generatorURL" am_has "$ONBATT$GEN\$"

# ---- the helper killed with SIGKILL: logged, started again, the alert replayed

one_helper || true
OLD=$HPID
if [ "$(id -u)" -eq 0 ]; then
	uid=$(awk '/^Uid:/ { print $2 " " $3 " " $4 " " $5 }' "/proc/$OLD/status")
	if [ "$uid" = "65534 65534 65534 65534" ]; then
		ok "as root, upsplan-alert runs as the monitoring user (nobody), never root"
	else
		not_ok "as root, upsplan-alert runs as the monitoring user (nobody), never root" "Uid: $uid"
	fi
else
	tap_skip "not root" "as root, upsplan-alert runs as the monitoring user (nobody), never root"
fi
# no secret in any process's arguments, nor in the helper's environment
secret_in_proc() {
	for _p in $(ps -eo pid=); do
		cat "/proc/$_p/cmdline" 2>/dev/null | tr '\0' ' ' | grep -q -e "$TOKEN" -e "$PASS" && return 0
	done
	tr '\0' '\n' <"/proc/$OLD/environ" 2>/dev/null | grep -q -e "$TOKEN" -e "$PASS"
}
if secret_in_proc; then
	not_ok "no token in any process's argv (ps) nor in the helper's environment"
else
	ok "no token in any process's argv (ps) nor in the helper's environment"
fi
fds=$(ls "/proc/$OLD/fd" 2>/dev/null | wc -l)
if [ "$fds" -ge 3 ] && [ "$fds" -le 12 ]; then	# 0 1 2 and libevent's and libcurl's own
	ok "upsplan-alert inherits no descriptor of the daemon ($fds open)"
else
	not_ok "upsplan-alert inherits no descriptor of the daemon ($fds open)" "$(ls -l "/proc/$OLD/fd" 2>&1)"
fi
# libcurl is the helper's only: the monitoring process maps none
MON=$(ps -o ppid= -p "$OLD" | tr -d ' ')
if [ -n "$MON" ] && grep -q libcurl "/proc/$OLD/maps" 2>/dev/null && ! grep -q libcurl "/proc/$MON/maps"; then
	ok "libcurl is mapped in upsplan-alert, not in the monitoring process"
	echo "# VmRSS: monitoring process $(awk '/^VmRSS/ { print $2 }' "/proc/$MON/status") kB," \
		"upsplan-alert $(awk '/^VmRSS/ { print $2 }' "/proc/$OLD/status") kB"
else
	not_ok "libcurl is mapped in upsplan-alert, not in the monitoring process" "monitoring process: ${MON:-none}" \
		"$(grep libcurl "/proc/$MON/maps" 2>&1 | head -3)"
fi
kill -KILL "$OLD"
check "the helper's death is logged with its signal" \
	dm_wait alerts.err "upsplan-alert (pid $OLD) was killed by signal 9 .*started again in 1 s, with the 1 firing alert" 5
new_helper() {
	one_helper && [ "$HPID" != "$OLD" ]
}
check "a new upsplan-alert is started" dm_until 5 new_helper
sleep 10	# 4 re-send intervals: an alert nobody posted again would have ended
check "10 s later (past its endsAt if not sent again) the alert still fires" am_has "$ONBATT"

# ---- a daemon restart during the outage: the state file keeps the alert

grep -q '"alertname": *"OnBattery"' "$PEERS_DIR/alerts-state/state.json" &&
	ok "the state file holds the firing alert" ||
	not_ok "the state file holds the firing alert" "$(cat "$PEERS_DIR/alerts-state/state.json")"
dm_stop alerts
check "the daemon stops with status 0" [ "$DM_STATUS" -eq 0 ]
sleep 1
check "a clean stop resolves the heartbeat" am_hasnt '^UpsplanHeartbeat'
check "... and leaves the outage alert firing" am_has "$ONBATT"
mv "$PEERS_DIR/alerts.err" "$PEERS_DIR/alerts-1.err"
dm_start alerts --alert-resend 2 -D
check "restarted: the firing alert of the state file is adopted" \
	dm_wait alerts.err 'state file: 1 firing alert(s) adopted and sent again' 15
check "the heartbeat is back" dm_until 10 am_has "$HEART"
sleep 10
check "10 s after the restart the outage alert still fires" am_has "$ONBATT"
if [ "$(dm_count alerts.out '^print on battery$')" -eq 0 ]; then
	ok "... sent again from the state file, not by a new OL->OB"
else
	not_ok "... sent again from the state file, not by a new OL->OB" "$(cat "$PEERS_DIR/alerts.out")"
fi

# ---- the end of the outage: RESOLVE

dm_set_dev a "OL CHRG"
check "OB->OL: the plan's PRINT" dm_wait alerts.out '^print on line$' 15
check "RESOLVE: the alert is gone from Alertmanager" dm_until 10 am_hasnt '^OnBattery'
check "the state file no longer holds it" dm_until 5 eval "! grep -q OnBattery '$PEERS_DIR/alerts-state/state.json'"

# ---- reloads: new settings restart the helper; none stop it

one_helper || true
OLD=$HPID
HEART_AT=$(am_heart_starts)
alert_plan "ALERTMANAGER \"http://127.0.0.1:$AM_PORT2\" USER \"mon\" PASSWORD \"$PASS\""
kill -HUP "$DM_PID"
check "a reload with new ALERTMANAGER settings restarts the helper" \
	dm_wait alerts.err 'ALERTMANAGER settings changed: upsplan-alert restarts' 10
check "... a new one runs" dm_until 10 new_helper
sleep 2	# the new helper's first post
# a heartbeat resolved by the old helper and fired by the new one would be a
# new alert in Alertmanager (it starts later); one handed over is the same
if [ -n "$HEART_AT" ] && [ "$(am_heart_starts)" = "$HEART_AT" ] && am_has "$HEART"; then
	ok "... the heartbeat handed over: never resolved, the same alert since $HEART_AT"
else
	not_ok "... the heartbeat handed over: never resolved, the same alert since $HEART_AT" "$(am_heart_starts)"
fi
plain_plan alerts
kill -HUP "$DM_PID"
check "a reload without ALERTMANAGER stops the helper" dm_until 10 no_helper
dm_stop alerts

# ---- a helper that does not read (SIGSTOP): the queue is bounded, it is killed and started again

big=$(python3 -c 'print("x" * 1000)')
{
	echo "POLLFREQ 1 POLLFREQALERT 1"
	echo "ALERTMANAGER \"$AM_URL\" BEARER \"$TOKEN\""
	echo "GROUP GA HOST 127.0.0.1 PORT $UPSD_PORT CERTFILE \"$CA_FILE\""
	echo "MONITOR a POWERVAL 1 UPSDUSER $PRIMARY_USER PASSWORD \"$PRIMARY_PASS\" TYPE primary"
	printf 'WHEN a REPORTS OL->OB : PRINT "flood on battery"\n'
	printf 'WHEN a REPORTS OB->OL : PRINT "flood on line"\n'
	for i in $(seq 1 250); do
		printf 'WHEN a REPORTS OL->OB : ALERT Flood%d "%s"\n' "$i" "$big"
	done
} | dm_plan flood
dm_start flood --alert-resend 2 -D
check "250 alerts of 1 kB: the helper starts" dm_until 15 one_helper
check "flood: connected" dm_wait flood.err 'connected and logged in' 15
STOPPED=$HPID
kill -STOP "$STOPPED" 2>/dev/null || :
# each OL->OB queues 250 kB for the helper: 5 of them pass 1 MiB with the
# pipe full; outages go on until the kill (a slow daemon, under valgrind,
# may see fewer of them than there were), at most 20
KILLED="upsplan-alert (pid $STOPPED) does not read its input: more than 1048576 bytes queued: killed"
i=0
while [ $i -lt 20 ] && ! grep -qF "$KILLED" "$PEERS_DIR/flood.err"; do
	dm_set_dev a "OB DISCHRG"
	dm_wait_count flood.out '^flood on battery$' $((i + 1)) 10 || :
	i=$((i + 1))
	dm_set_dev a "OL"
	dm_wait_count flood.out '^flood on line$' $i 10 || :
done
check "more than 1 MiB queued for a helper that does not read: logged, killed" \
	dm_wait flood.err "$KILLED" 20
check "the plan went on meanwhile: the OL->OB PRINTs came" dm_wait_count flood.out '^flood on battery$' 4 10
OLD=$STOPPED
check "a new helper runs" dm_until 10 new_helper
check "... and gets the 250 firing alerts" dm_until 30 am_has '^Flood250 a GA testhost warning | x'
dm_stop flood

if cat "$PEERS_DIR"/*.err "$PEERS_DIR"/*.out "$PEERS_DIR"/*.trace 2>/dev/null | grep -q -e "$TOKEN" -e "$PASS"; then
	not_ok "no token or password in the daemon's log, output or trace"
else
	ok "no token or password in the daemon's log, output or trace"
fi
dm_done
