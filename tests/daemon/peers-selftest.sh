#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# peers-selftest.sh - TAP: the NUT peers of tests/daemon/peers.sh come up, answer NUT's upsc, serve the right certificates, restart, and are all gone afterwards.
#
# Environment: PEERS_BINDIR (the built helpers; make check sets it),
# PEERS_KEEP=1 keeps the temp dir.  Needs nut-server, nut-client,
# libnss3-tools, stunnel4, openssl; skips without them.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
LC_ALL=C
NO_COLOR=1
export LC_ALL NO_COLOR

# shellcheck source=tests/daemon/peers.sh
. "$here/peers.sh"

if ! missing=$(peers_available); then
	echo "1..0 # SKIP missing Debian packages: $missing"
	exit 0
fi
if ! command -v upsc >/dev/null 2>&1; then
	echo "1..0 # SKIP missing Debian packages: nut-client"
	exit 0
fi

# ok, not_ok
# shellcheck source=tests/daemon/daemon-lib.sh
. "$here/daemon-lib.sh"
# run CMD...: status, out and err of a command
run() {
	set +e
	"$@" >"$PEERS_DIR/out" 2>"$PEERS_DIR/err"
	status=$?
	set -e
}
# expect STATUS PATTERN FILE NAME: the last run exited with STATUS and FILE matches PATTERN
expect() {
	if [ "$status" -eq "$1" ] && grep -q -- "$2" "$PEERS_DIR/$3"; then
		ok "$4"
	else
		not_ok "$4" "exit $status (expected $1), wanted /$2/ in $3; stdout, stderr:" \
			"$(head -n 8 "$PEERS_DIR/out")" "$(head -n 8 "$PEERS_DIR/err")"
	fi
}
# expect_fail PATTERN FILE NAME: the last run failed and FILE matches PATTERN
expect_fail() {
	if [ "$status" -ne 0 ] && grep -q -- "$1" "$PEERS_DIR/$2"; then
		ok "$3"
	else
		not_ok "$3" "exit $status (expected a failure), wanted /$1/ in $2; stdout, stderr:" \
			"$(head -n 8 "$PEERS_DIR/out")" "$(head -n 8 "$PEERS_DIR/err")"
	fi
}
# shellcheck disable=SC2317 # called through run
# s_client: OpenSSL's own client against a direct-TLS front end; sends VER
# and LOGOUT (upsd then closes, and s_client exits)
s_client() {
	_port=$1
	shift
	printf 'VER\nLOGOUT\n' | timeout 10 openssl s_client -connect "127.0.0.1:$_port" \
		-CAfile "$CA_FILE" -verify_return_error -verify_hostname localhost -quiet "$@"
}
status_of() { # UPS: its ups.status, through NUT's upsc
	upsc "$1@127.0.0.1:$UPSD_PORT" ups.status 2>/dev/null
}

echo "1..25"
started=$(date +%s)

peers_init || peers_bail "peers_init failed"

# ---------------------------------------------------------------- start
cat >"$PEERS_DIR/seq.seq" <<'EOF'
ups.mfr: Dummy
ups.model: Sequence
battery.charge: 100
ups.status: OL
TIMER 2
ups.status: OB
battery.charge: 50
TIMER 2
ups.status: OB LB
battery.charge: 10
TIMER 2
EOF
cat >"$PEERS_DIR/static.dev" <<'EOF'
ups.mfr: Dummy
ups.model: Static
battery.charge: 100
battery.runtime: 3600
ups.status: OL
EOF
peers_add_ups seq "$PEERS_DIR/seq.seq" dummy-loop
peers_add_ups static "$PEERS_DIR/static.dev"

t0=$(date +%s)
if peers_start tls; then
	ok "two dummy-ups and upsd with STARTTLS start ($(($(date +%s) - t0)) s; upsd on 127.0.0.1:$UPSD_PORT)"
else
	not_ok "two dummy-ups and upsd with STARTTLS start"
	peers_bail "the peers do not start"
fi

run upsc -l "127.0.0.1:$UPSD_PORT"
if [ "$status" -eq 0 ] && [ "$(sort "$PEERS_DIR/out" | tr '\n' ' ')" = "seq static " ]; then
	ok "upsc -l lists both units"
else
	not_ok "upsc -l lists both units" "exit $status" "$(cat "$PEERS_DIR/out" "$PEERS_DIR/err")"
fi

run upsc "static@127.0.0.1:$UPSD_PORT" ups.status
expect 0 '^OL$' out "upsc: the static unit is OL"

# the sequence goes round OL -> OB -> OB LB (TIMER 2 each)
seen=
i=0
while [ "$i" -lt 60 ]; do
	s=$(status_of seq) || s=ERR
	case " $seen " in
	*" [$s] "*) ;;
	*) seen="$seen [$s]" ;;
	esac
	case $seen in
	*"[OL]"*"[OB]"*"[OB LB]"* | *"[OB]"*"[OB LB]"*"[OL]"* | *"[OB LB]"*"[OL]"*"[OB]"*) break ;;
	esac
	sleep 0.25
	i=$((i + 1))
done
case $seen in
*ERR*) not_ok "upsc: the sequence unit answers and goes OL -> OB -> OB LB" "seen:$seen" ;;
*"[OL]"*"[OB]"*"[OB LB]"* | *"[OB]"*"[OB LB]"*"[OL]"* | *"[OB LB]"*"[OL]"*"[OB]"*)
	ok "upsc: the sequence unit goes OL -> OB -> OB LB" ;;
*) not_ok "upsc: the sequence unit goes OL -> OB -> OB LB in 15 s" "seen:$seen" ;;
esac

# ---------------------------------------------------------------- STARTTLS
run "$PEERS_PROBE" -A "$CA_FILE" -n localhost 127.0.0.1 "$UPSD_PORT" VER "LIST UPS"
expect 0 '^UPS static ' out "STARTTLS: the certificate verifies against CA_FILE for localhost"
run "$PEERS_PROBE" -A "$CA_BUNDLE" -n 127.0.0.1 127.0.0.1 "$UPSD_PORT" VER
expect 0 'verified' err "STARTTLS: ... and against CA_BUNDLE for 127.0.0.1"
run "$PEERS_PROBE" -A "$ROGUE_CA_FILE" -n localhost 127.0.0.1 "$UPSD_PORT" VER
expect 4 'certificate verification failed' err "STARTTLS: not against another CA"

# the users of upsd.users, their passwords quoted and escaped for the wire
pri=$(peers_nut_quote "$PRIMARY_PASS")
sec=$(peers_nut_quote "$SECONDARY_PASS")
adm=$(peers_nut_quote "$ADMIN_PASS")
run "$PEERS_PROBE" -q -A "$CA_FILE" 127.0.0.1 "$UPSD_PORT" "USERNAME $PRIMARY_USER" \
	"PASSWORD $pri" "LOGIN seq" "USERNAME $PRIMARY_USER" "GET NUMLOGINS seq" LOGOUT
if [ "$status" -eq 0 ] && [ "$(tr '\n' '|' <"$PEERS_DIR/out")" = "OK|OK|OK|ERR ALREADY-SET-USERNAME|NUMLOGINS seq 1|OK Goodbye|" ]; then
	ok "the primary user (password '$PRIMARY_PASS') logs in over STARTTLS"
else
	not_ok "the primary user logs in over STARTTLS" "exit $status" "$(cat "$PEERS_DIR/out" "$PEERS_DIR/err")"
fi
run "$PEERS_PROBE" -q -m plain 127.0.0.1 "$UPSD_PORT" "USERNAME $SECONDARY_USER" \
	"PASSWORD $sec" "LOGIN static" LOGOUT
expect 0 '^OK Goodbye' out "the secondary user logs in (plain)"
run "$PEERS_PROBE" -q -m plain 127.0.0.1 "$UPSD_PORT" "USERNAME $SECONDARY_USER" \
	"PASSWORD \"wrong\"" "LOGIN static"
expect 0 '^ERR ACCESS-DENIED' out "a wrong password is refused"

# admin (actions = SET FSD): FSD latches in upsd until upsd restarts
run "$PEERS_PROBE" -q -A "$CA_FILE" 127.0.0.1 "$UPSD_PORT" "USERNAME $ADMIN_USER" \
	"PASSWORD $adm" "FSD static" LOGOUT
expect 0 '^OK FSD-SET' out "the admin user (password '$ADMIN_PASS') sets FSD"
run upsc "static@127.0.0.1:$UPSD_PORT" ups.status
expect 0 'FSD' out "upsc: the static unit shows FSD"

# ---------------------------------------------------------------- restart
old=$(peers_pid upsd)
if peers_restart_upsd && [ "$(peers_pid upsd)" != "$old" ] &&
	[ "$(status_of static)" = OL ]; then
	ok "peers_restart_upsd: a new upsd on port $UPSD_PORT, FSD cleared"
else
	not_ok "peers_restart_upsd: a new upsd on port $UPSD_PORT, FSD cleared" \
		"upsd $old -> $(peers_pid upsd || true), static: $(status_of static || true)"
fi

peers_kill_upsd
run "$PEERS_PROBE" -q -t 2 -m plain 127.0.0.1 "$UPSD_PORT" VER
expect 2 'refused' err "upsd killed: connections are refused"
if peers_start_upsd && [ "$(status_of seq)" != "" ]; then
	ok "peers_start_upsd: upsd answers again on the same port"
else
	not_ok "peers_start_upsd: upsd answers again on the same port"
fi

# ---------------------------------------------------------------- stunnel
if ! { peers_stunnel mtls "$SERVER_CERT" "$SERVER_KEY" require-client-cert &&
	peers_stunnel tls "$SERVER_CERT" "$SERVER_KEY" &&
	peers_stunnel wrong-name "$WRONGNAME_CERT" "$WRONGNAME_KEY" &&
	peers_stunnel expired "$EXPIRED_CERT" "$EXPIRED_KEY"; }; then
	peers_bail "the stunnel front ends do not start"
fi
# set by peers_stunnel (through eval)
# shellcheck disable=SC2154
: "$STUNNEL_PORT_mtls $STUNNEL_PORT_tls $STUNNEL_PORT_wrong_name $STUNNEL_PORT_expired"

run s_client "$STUNNEL_PORT_mtls" -cert "$CLIENT_CERT" -key "$CLIENT_KEY"
expect 0 '^Network UPS Tools upsd' out "s_client: mTLS front end, with the client certificate: upsd answers"
run s_client "$STUNNEL_PORT_mtls"
expect_fail 'certificate required\|handshake failure' err "s_client: mTLS front end, no client certificate: refused"
run s_client "$STUNNEL_PORT_mtls" -cert "$ROGUE_CERT" -key "$ROGUE_KEY"
expect_fail 'unknown ca' err "s_client: mTLS front end, client certificate of another CA: refused"
run s_client "$STUNNEL_PORT_tls"
expect 0 '^Network UPS Tools upsd' out "s_client: TLS front end, no client certificate needed"
run s_client "$STUNNEL_PORT_wrong_name"
expect_fail 'hostname mismatch' err "s_client: wrong-name front end: hostname mismatch"
run s_client "$STUNNEL_PORT_expired"
expect_fail 'certificate has expired' err "s_client: expired front end: certificate has expired"

# ---------------------------------------------------------------- silent server
peers_silent_port || peers_bail "the silent server does not start"
run "$PEERS_PROBE" -q -t 1 -m plain 127.0.0.1 "$SILENT_PORT" VER
expect 5 'timeout' err "silent server: connects, then no answer (time-out)"

# ---------------------------------------------------------------- a second test
# A test script of its own (in the background) with a plain upsd; then it is
# killed with SIGKILL, so its traps cannot run: its watchdog must stop its peers.
cat >"$PEERS_DIR/child.sh" <<'EOF'
set -eu
. "$1"
peers_init "$2"
printf 'ups.status: OL\n' >"$PEERS_DIR/c.dev"
peers_add_ups c "$PEERS_DIR/c.dev"
peers_start plain
cp "$PEERS_DIR/pids" "$PEERS_DIR/pids.copy"
echo "$UPSD_PORT" >"$PEERS_DIR/ready.tmp"
mv "$PEERS_DIR/ready.tmp" "$PEERS_DIR/ready"
while :; do sleep 1; done
EOF
child=$PEERS_DIR/child
sh "$PEERS_DIR/child.sh" "$here/peers.sh" "$child" </dev/null >"$PEERS_DIR/child.log" 2>&1 &
child_pid=$!
i=0
while [ ! -s "$child/ready" ] && [ "$i" -lt 200 ] && kill -0 "$child_pid" 2>/dev/null; do
	sleep 0.1
	i=$((i + 1))
done
if [ -s "$child/ready" ]; then
	run "$PEERS_PROBE" -q 127.0.0.1 "$(cat "$child/ready")" VER
	expect 3 '^ERR FEATURE-NOT-CONFIGURED' out "peers_start plain: STARTTLS gets ERR FEATURE-NOT-CONFIGURED"
	kill -KILL "$child_pid"
	wait "$child_pid" || true
	i=0
	while [ "$i" -lt 100 ]; do
		left=
		for p in $(awk '{ print $2 ":" $3 }' "$child/pids.copy"); do
			if peers_running "${p%:*}" "${p#*:}"; then
				left="$left ${p%:*}"
			fi
		done
		[ -z "$left" ] && break
		sleep 0.1
		i=$((i + 1))
	done
	if [ -z "$left" ]; then
		ok "a test killed by SIGKILL: its watchdog stops its peers ($((i / 10)).$((i % 10)) s)"
	else
		not_ok "a test killed by SIGKILL: its watchdog stops its peers" "still running:$left" \
			"$(cat "$child/pids.copy")" "$(cat "$child/watchdog.log" 2>/dev/null || true)"
	fi
else
	not_ok "peers_start plain: STARTTLS gets ERR FEATURE-NOT-CONFIGURED" "$(cat "$PEERS_DIR/child.log")"
	not_ok "a test killed by SIGKILL: its watchdog stops its peers" "the second test did not start"
	kill -KILL "$child_pid" 2>/dev/null || true
fi

# ---------------------------------------------------------------- stop
list=$(peers_list)
peers_stop
left=
count=0
for p in $(printf '%s\n' "$list" | awk '{ print $2 ":" $3 }'); do
	count=$((count + 1))
	if peers_running "${p%:*}" "${p#*:}"; then
		left="$left ${p%:*}"
	fi
done
if [ -z "$left" ] && [ "$count" -ge 9 ] && [ -z "$(peers_list)" ]; then
	ok "peers_stop: none of the $count processes started is left"
else
	not_ok "peers_stop: none of the processes started is left" "still running:$left" "$list"
fi

echo "# run time $(($(date +%s) - started)) s"
if [ -n "${PEERS_KEEP:-}" ]; then
	peers_dump_logs
fi
exit 0
