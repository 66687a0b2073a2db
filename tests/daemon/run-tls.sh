#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# run-tls.sh - TAP: upsplan run --check-only against a real upsd (STARTTLS) and stunnel front ends (direct TLS, client certificates): what works, and a clear message for each TLS or login failure, never a password in clear.
#
# Environment: UPSPLAN, PEERS_BINDIR (make check sets them); PEERS_KEEP=1
# keeps the temp dir.  Skips without nut-server, libnss3-tools, stunnel4.
set -eu

# shellcheck source=tests/daemon/daemon-lib.sh
. "$(cd "$(dirname "$0")" && pwd)/daemon-lib.sh"
dm_skip_unless_peers

echo "1..18"
peers_init
printf 'ups.status: OL\nbattery.charge: 100\n' >"$PEERS_DIR/a.dev"
peers_add_ups a "$PEERS_DIR/a.dev"
peers_start tls || peers_bail "the peers did not start"
peers_stunnel good "$SERVER_CERT" "$SERVER_KEY" || peers_bail "stunnel (good) did not start"
peers_stunnel mtls "$SERVER_CERT" "$SERVER_KEY" require-client-cert || peers_bail "stunnel (mtls) did not start"
peers_stunnel wrongname "$WRONGNAME_CERT" "$WRONGNAME_KEY" || peers_bail "stunnel (wrongname) did not start"
peers_stunnel expired "$EXPIRED_CERT" "$EXPIRED_KEY" || peers_bail "stunnel (expired) did not start"
dm_setup
# the rogue client key is read by the unprivileged child too
[ "$(id -u)" -ne 0 ] || chmod a+r "$ROGUE_KEY" "$CLIENT_KEY"

# a server that refuses STARTTLS and records every line it gets
"$PEERS_BINDIR/silent-server" -f "$PEERS_DIR/refuse.port" -a "ERR FEATURE-NOT-CONFIGURED" \
	-r "$PEERS_DIR/refuse.rec" -t 300 &
_peers_record refuse-server "$!"
dm_until 5 test -s "$PEERS_DIR/refuse.port" || peers_bail "the refusing server did not start"
REFUSE_PORT=$(cat "$PEERS_DIR/refuse.port")

# monitor NAME PORT [GROUP SETTINGS...]: a plan with one UPS "a" behind PORT
# (CERTFILE M_CAFILE, password M_PASS when set)
monitor() {
	_m_name=$1
	_m_port=$2
	shift 2
	dm_plan "$_m_name" <<EOF
GROUP G HOST 127.0.0.1 PORT $_m_port CERTFILE "${M_CAFILE:-$CA_FILE}" $*
MONITOR a POWERVAL 1 UPSDUSER $PRIMARY_USER PASSWORD "${M_PASS:-$PRIMARY_PASS}" TYPE primary
WHEN a REPORTS None->LB : SHUTDOWNCMD "/bin/true"
WHEN a REPORTS COMM->NOCOMM : PRINT "lost"
EOF
}

# check_only NAME: upsplan run --check-only on NAME.conf; status, NAME.err
check_only() {
	set +e
	# shellcheck disable=SC2086
	timeout 60 ${UPSPLAN_VALGRIND:-} "$UPSPLAN" run --check-only -F $DM_USER_OPT --allow-warnings "$PEERS_DIR/$1.conf" \
		>"$PEERS_DIR/$1.out" 2>"$PEERS_DIR/$1.err" </dev/null
	status=$?
	set -e
}

# expect_check NAME STATUS PATTERN TITLE
expect_check() {
	check_only "$1"
	if [ "$status" -eq "$2" ] && grep -q -- "$3" "$PEERS_DIR/$1.err"; then
		ok "$4"
	else
		not_ok "$4" "exit $status (expected $2), wanted /$3/ in:" "$(grep -v '^ ' "$PEERS_DIR/$1.err" | tail -n 6)"
	fi
}

monitor starttls "$UPSD_PORT"
expect_check starttls 0 'check: all 1 UPS reached over TLS and logged in to' \
	"STARTTLS on upsd's port: reached and logged in (password with a blank and '#')"
monitor direct "$STUNNEL_PORT_good" TLS DIRECT
expect_check direct 0 'check: all 1 UPS reached' "TLS DIRECT through stunnel: reached and logged in"
monitor mtls "$STUNNEL_PORT_mtls" TLS DIRECT CLIENTCERT "\"$CLIENT_CERT\"" CLIENTKEY "\"$CLIENT_KEY\""
expect_check mtls 0 'check: all 1 UPS reached' "TLS DIRECT with a client certificate: reached and logged in"
monitor certname "$STUNNEL_PORT_wrongname" TLS DIRECT CERTNAME wrong.example
expect_check certname 0 'check: all 1 UPS reached' "CERTNAME: the certificate's name instead of HOST"

M_CAFILE=$ROGUE_CA_FILE
monitor wrongca "$UPSD_PORT"
unset M_CAFILE
expect_check wrongca 1 'UPS a@127.0.0.1:[0-9]*: .*certificate.*CERTFILE' \
	"wrong CA: the UPS, the reason and CERTFILE are named, exit 1"
check "wrong CA: the summary counts the UPS" grep -q 'check: 1 of 1 UPS could not be reached' "$PEERS_DIR/wrongca.err"
monitor wrongname "$STUNNEL_PORT_wrongname" TLS DIRECT
expect_check wrongname 1 'UPS a@127.0.0.1:[0-9]*: .*127.0.0.1' \
	"wrong host name: the name looked for is in the message"
check "wrong host name: the message says what to set (CERTNAME)" grep -q 'CERTNAME' "$PEERS_DIR/wrongname.err"
monitor expired "$STUNNEL_PORT_expired" TLS DIRECT
expect_check expired 1 'UPS a@127.0.0.1:[0-9]*: .*expired' "expired certificate: said so"
monitor noclient "$STUNNEL_PORT_mtls" TLS DIRECT
expect_check noclient 1 'UPS a@127.0.0.1:[0-9]*: .*client certificate' \
	"stunnel wants a client certificate, none configured: said so"
monitor rogueclient "$STUNNEL_PORT_mtls" TLS DIRECT CLIENTCERT "\"$ROGUE_CERT\"" CLIENTKEY "\"$ROGUE_KEY\""
expect_check rogueclient 1 'UPS a@127.0.0.1:[0-9]*: .*client certificate' \
	"a client certificate stunnel does not accept: said so"
monitor mismatch "$UPSD_PORT" TLS DIRECT
expect_check mismatch 1 'UPS a@127.0.0.1:[0-9]*: .*TLS' "TLS DIRECT to a STARTTLS port: a TLS failure, not a hang"
# upsd reads a ClientHello as a line: it answers (ERR) only when the hello's
# random bytes hold a line feed; a port that never answers is the other case
peers_silent_port || peers_bail "the silent server did not start"
monitor silent "$SILENT_PORT" TLS DIRECT
expect_check silent 1 'UPS a@127.0.0.1:[0-9]*: no answer to the TLS handshake for 10 s (TLS DIRECT).*STARTTLS' \
	"TLS DIRECT to a port that takes connections and never answers: the TLS handshake is named"

monitor refused "$REFUSE_PORT"
expect_check refused 1 'UPS a@127.0.0.1:[0-9]*: .*STARTTLS.*FEATURE-NOT-CONFIGURED' \
	"STARTTLS refused: the server and the error are named"
check "STARTTLS refused: the message says what to configure on upsd (CERTFILE or CERTPATH)" \
	grep -q 'CERT' "$PEERS_DIR/refused.err"
if [ "$(cat "$PEERS_DIR/refuse.rec")" = "STARTTLS" ]; then
	ok "STARTTLS refused: STARTTLS was the only line sent (no USERNAME, no PASSWORD in clear)"
else
	not_ok "STARTTLS refused: STARTTLS was the only line sent" "$(cat "$PEERS_DIR/refuse.rec")"
fi

M_PASS="not the password"
monitor badpass "$UPSD_PORT"
unset M_PASS
expect_check badpass 1 "UPS a@127.0.0.1:[0-9]*: .*password of user '$PRIMARY_USER'" \
	"wrong password: the UPS, the server and the user are named"
if grep -q 'not the password' "$PEERS_DIR"/*.err; then
	not_ok "no password in any message" "$(grep 'not the password' "$PEERS_DIR"/*.err)"
else
	ok "no password in any message"
fi
dm_done
