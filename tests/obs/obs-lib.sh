# SPDX-License-Identifier: GPL-2.0-or-later
# obs-lib.sh - sourced by the TAP tests of tests/obs/: real prometheus-alertmanager instances, python3 receivers and the drivers, on 127.0.0.1, stopped by PID.
#
#	obs_available		0 when prometheus-alertmanager, amtool, python3,
#				curl and openssl are there; else prints what is missing
#	obs_init		scratch directory (tap_scratch), EXIT trap that
#				stops what obs_* started (their PIDs only)
#	obs_am_start NAME [WEBHOOK-URL]
#				an Alertmanager (gossip off, storage in NAME.d)
#				routing every alert to WEBHOOK-URL (with
#				send_resolved, group_wait 100ms, AM_HOOK_EXTRA
#				added to its webhook_config) or nowhere; sets
#				AM_PORT_<NAME>; waits for /-/ready (5 s)
#	obs_am_stop NAME	TERM to it, waits until it is gone
#	obs_alerts NAME		its active alerts (GET /api/v2/alerts), JSON
#	obs_receiver NAME MODE [CERT KEY]
#				receiver.py; sets RX_PORT_<NAME>; requests go
#				to NAME.rx, one JSON line each
#	obs_client NAME ARGS...	am-client with input from the fifo NAME.in
#				(fd 3 in this shell), output NAME.out, log NAME.err
#	obs_wait SECONDS CMD...	0 as soon as CMD succeeds (every 0.1 s)
#	obs_pid NAME		the PID recorded for NAME
#	obs_req EXPECTED NAME CURL-ARGS...
#				one request (curl, 10 s at most): the test NAME
#				passes when its status is EXPECTED; the answer
#				in ./body and ./headers
# Environment: OBS_BINDIR (the drivers), FREEPORT (tests/daemon/freeport).

obs_pids=

obs_available() {
	_m=
	command -v prometheus-alertmanager >/dev/null 2>&1 || _m="$_m prometheus-alertmanager"
	command -v amtool >/dev/null 2>&1 || _m="$_m prometheus-alertmanager(amtool)"
	command -v python3 >/dev/null 2>&1 || _m="$_m python3"
	command -v curl >/dev/null 2>&1 || _m="$_m curl"
	command -v openssl >/dev/null 2>&1 || _m="$_m openssl"
	[ -x "$FREEPORT" ] || _m="$_m freeport(build it: make check)"
	[ -z "$_m" ] && return 0
	echo "$_m"
	return 1
}

obs_stop_all() {
	for _p in $obs_pids; do
		kill "$_p" 2>/dev/null || :
	done
	for _p in $obs_pids; do
		_i=0
		while kill -0 "$_p" 2>/dev/null && [ $_i -lt 30 ]; do
			sleep 0.1
			_i=$((_i + 1))
		done
		kill -9 "$_p" 2>/dev/null || :
	done
	obs_pids=
}

obs_init() {
	tap_scratch "$1"
	trap 'obs_stop_all' EXIT
	trap 'obs_stop_all; exit 1' INT TERM HUP
}

obs_record() {
	eval "obs_pid_$1=$2"
	obs_pids="$obs_pids $2"
}

obs_pid() {
	eval "echo \${obs_pid_$1:-}"
}

obs_wait() {
	_t=$(($1 * 10))
	shift
	while [ "$_t" -gt 0 ]; do
		"$@" && return 0
		sleep 0.1
		_t=$((_t - 1))
	done
	return 1
}

obs_ready() {
	curl -sf "http://127.0.0.1:$1/-/ready" >/dev/null 2>&1
}

obs_am_start() {
	_name=$1
	_port=$(eval "echo \${AM_PORT_$_name:-}")
	[ -n "$_port" ] || _port=$("$FREEPORT")
	eval "AM_PORT_$_name=$_port"
	{
		echo "global: {resolve_timeout: ${AM_RESOLVE_TIMEOUT:-5m}}"
		_rcv=none
		[ -z "$2" ] || _rcv=hook
		echo "route: {receiver: $_rcv, group_by: ['alertname', 'ups'], group_wait: 100ms, group_interval: 1s, repeat_interval: 1h}"
		echo "receivers:"
		echo "  - name: none"
		[ -z "$2" ] || echo "  - name: hook
    webhook_configs: [{url: '$2', send_resolved: true${AM_HOOK_EXTRA:+, $AM_HOOK_EXTRA}}]"
	} >"$_name.yml"
	prometheus-alertmanager --config.file="$_name.yml" --storage.path="$_name.d" \
		--web.listen-address="127.0.0.1:$_port" --cluster.listen-address= \
		>>"$_name.log" 2>&1 &
	obs_record "$_name" $!
	obs_wait 5 obs_ready "$_port"
}

obs_am_stop() {
	_p=$(obs_pid "$1")
	kill "$_p" 2>/dev/null || :
	obs_wait 5 eval "! kill -0 $_p 2>/dev/null"
}

obs_alerts() {
	curl -sf "http://127.0.0.1:$(eval "echo \$AM_PORT_$1")/api/v2/alerts?active=true"
}

obs_receiver() {
	_name=$1
	shift
	rm -f "$_name.port"
	# shellcheck disable=SC2154 # srcdir: set by tap-env.sh
	python3 "$srcdir/tests/obs/receiver.py" "$1" "$_name.port" "$_name.rx" ${2:+"$2"} ${3:+"$3"} \
		>>"$_name.log" 2>&1 &
	obs_record "$_name" $!
	obs_wait 5 test -s "$_name.port" || return 1
	eval "RX_PORT_$_name=$(cat "$_name.port")"
}

obs_client() {
	_name=$1
	shift
	rm -f "$_name.in"
	mkfifo "$_name.in"
	"$OBS_BINDIR/am-client" "$@" <"$_name.in" >"$_name.out" 2>"$_name.err" &
	obs_record "$_name" $!
	exec 3>"$_name.in"
}

obs_req() {
	_want=$1
	_what=$2
	shift 2
	_got=$(curl -s -o body -D headers -w '%{http_code}' --max-time 10 "$@" || true)
	if [ "$_got" = "$_want" ]; then
		ok "$_what: $_got ($(head -c 80 body | tr -d '\n'))"
	else
		not_ok "$_what: $_got, not $_want" "$(cat body)"
	fi
}

# obs_dump FILE...: files as TAP comments
obs_dump() {
	for _f in "$@"; do
		[ -f "$_f" ] && sed "s|^|# $_f: |" "$_f" | head -40
	done
	return 0
}

# obs_client_end [SECONDS]: quit to the client of fd 3, 0 when it exits within SECONDS (default 5)
obs_client_end() {
	echo quit >&3
	exec 3>&-
	_p=$(obs_pid "$_name")
	obs_wait "${1:-5}" eval "! kill -0 $_p 2>/dev/null"
}

# obs_has AM ALERTNAME [KEY=VALUE | KEY!]...: 0 when AM has ALERTNAME
# active with those labels (KEY!: without KEY; summary=... an annotation)
obs_has() {
	_am=$1
	shift
	obs_alerts "$_am" | python3 -c '
import json, sys
want = sys.argv[1:]
for a in json.load(sys.stdin):
    l = dict(a["labels"], **{"summary": a["annotations"].get("summary")})
    if l.get("alertname") != want[0] or a["status"]["state"] != "active":
        continue
    if all((w[:-1] not in l) if w.endswith("!") else l.get(w.split("=", 1)[0]) == w.split("=", 1)[1] for w in want[1:]):
        sys.exit(0)
sys.exit(1)' "$@"
}
