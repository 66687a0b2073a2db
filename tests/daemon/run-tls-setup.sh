#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# run-tls-setup.sh - TAP: upsplan tls-setup, then a real upsd started with the upsd.conf lines it applied, and upsplan run --check-only with the plan lines it printed: STARTTLS works by IP address and by name, a CA of another run is refused.
#
# tls-setup looks at the upsd the peers run (PEERS_NUTLIB/upsd) to choose
# NSS or PEM, writes into $PEERS_DIR only (--dir, --upsd-conf) and gives
# the files to the user nut when run as root (root when there is no such
# user).  Environment: UPSPLAN, PEERS_BINDIR (make check sets them);
# UPSPLAN_VALGRIND, a command put before upsplan; PEERS_KEEP=1 keeps the
# temp dir.  Skips without nut-server, libnss3-tools, stunnel4.
set -eu

# shellcheck source=tests/daemon/daemon-lib.sh
. "$(cd "$(dirname "$0")" && pwd)/daemon-lib.sh"
dm_skip_unless_peers

echo "1..12"
peers_init
printf 'ups.status: OL\nbattery.charge: 100\n' >"$PEERS_DIR/a.dev"
peers_add_ups a "$PEERS_DIR/a.dev"
dm_setup
owner=
if [ "$(id -u)" -eq 0 ] && ! id nut >/dev/null 2>&1; then
	owner="--user root"
fi

# tls_setup NAME ARG...: upsplan tls-setup --dir $PEERS_DIR/NAME ARG...; status, NAME.ts-out, NAME.ts-err
tls_setup() {
	_ts=$1
	shift
	set +e
	# shellcheck disable=SC2086 # UPSPLAN_VALGRIND and owner are words
	${UPSPLAN_VALGRIND:-} "$UPSPLAN" tls-setup --dir "$PEERS_DIR/$_ts" --upsd "$PEERS_NUTLIB/upsd" $owner "$@" \
		>"$PEERS_DIR/$_ts.ts-out" 2>"$PEERS_DIR/$_ts.ts-err" </dev/null
	status=$?
	set -e
}

# upsd.conf of the system, as a stock Debian one: no TLS
printf '%s\n' "# upsd.conf (stock)" "LISTEN 127.0.0.1 3493" >"$PEERS_DIR/sys-upsd.conf"
chmod 640 "$PEERS_DIR/sys-upsd.conf"
tls_setup tls1 --name 127.0.0.1 --name localhost --client upsplan-mon --apply --upsd-conf "$PEERS_DIR/sys-upsd.conf"
lib=$(sed -n 's/.* is built with \([A-Za-z]*\):.*/\1/p' "$PEERS_DIR/tls1.ts-err")
if [ "$status" -eq 0 ] && [ -n "$lib" ] && [ -s "$PEERS_DIR/tls1/ca.pem" ]; then
	ok "tls-setup for 127.0.0.1 and localhost: done; upsd is built with $lib"
else
	not_ok "tls-setup for 127.0.0.1 and localhost" "exit $status" "$(cat "$PEERS_DIR/tls1.ts-err")"
	peers_bail "tls-setup failed"
fi
# the lines --apply added are the TLS lines of the peers' upsd.conf
sed -n '/^# TLS: added by upsplan tls-setup/,$p' "$PEERS_DIR/sys-upsd.conf" >"$PEERS_DIR/tls-lines"
want=2
[ "$lib" = NSS ] && want=3
if [ "$(grep -c -v '^#' "$PEERS_DIR/tls-lines")" -eq "$want" ] &&
	sed -n '/^upsd.conf lines:$/,/^$/s/^	//p' "$PEERS_DIR/tls1.ts-out" | grep . |
	sed "s|\"<the password in $PEERS_DIR/tls1/nssdb.pass>\"|\"$(cat "$PEERS_DIR/tls1/nssdb.pass" 2>/dev/null)\"|" | cmp -s - "$(
		grep -v '^#' "$PEERS_DIR/tls-lines" >"$PEERS_DIR/tls-lines.bare" && echo "$PEERS_DIR/tls-lines.bare")"; then
	ok "--apply added to upsd.conf the $want lines it printed (CERTIDENT's password from nssdb.pass)"
else
	not_ok "--apply added the printed lines" "$(cat "$PEERS_DIR/sys-upsd.conf")" "$(cat "$PEERS_DIR/tls1.ts-out")"
fi
peers_start tls "$PEERS_DIR/tls-lines" || peers_bail "upsd did not start with the lines of tls-setup"
if grep -q 'Can not find\|FEATURE-NOT-CONFIGURED\|[Ee]rror' "$PEERS_DIR/upsd.log"; then
	not_ok "upsd took the certificate without a complaint" "$(tail -n 5 "$PEERS_DIR/upsd.log")"
else
	ok "upsd took the certificate without a complaint"
fi

cp "$PEERS_DIR/tls1.ts-out" "$PEERS_DIR/tls1.first"	# tls1.ts-out is written again below
sed -n 's/^	\(GROUP upsd HOST .* CERTFILE .*\)$/\1/p' "$PEERS_DIR/tls1.ts-out" >"$PEERS_DIR/group-line"
# plan NAME HOST CAFILE: the GROUP line tls-setup printed, with HOST and upsd's port, and one UPS
plan() {
	_pl_group=$(sed "s/ HOST [^ ]* / HOST $2 /; s/ PORT 3493 / PORT $UPSD_PORT /; s| CERTFILE \"[^\"]*\"| CERTFILE \"$3\"|" "$PEERS_DIR/group-line")
	dm_plan "$1" <<EOF
$_pl_group
MONITOR a POWERVAL 1 UPSDUSER $PRIMARY_USER PASSWORD "$PRIMARY_PASS" TYPE primary
WHEN a REPORTS None->LB : SHUTDOWNCMD "/bin/true"
WHEN a REPORTS COMM->NOCOMM : PRINT "lost"
EOF
}

# expect_check NAME STATUS PATTERN TITLE: upsplan run --check-only on NAME.conf
expect_check() {
	set +e
	# shellcheck disable=SC2086
	timeout 60 ${UPSPLAN_VALGRIND:-} "$UPSPLAN" run --check-only -F $DM_USER_OPT "$PEERS_DIR/$1.conf" \
		>"$PEERS_DIR/$1.out" 2>"$PEERS_DIR/$1.err" </dev/null
	_ec=$?
	set -e
	if [ "$_ec" -eq "$2" ] && grep -q -- "$3" "$PEERS_DIR/$1.err"; then
		ok "$4"
	else
		not_ok "$4" "exit $_ec (expected $2), wanted /$3/ in:" "$(grep -v '^ ' "$PEERS_DIR/$1.err" | tail -n 6)"
	fi
}

plan byaddr 127.0.0.1 "$PEERS_DIR/tls1/ca.pem"
expect_check byaddr 0 'check: all 1 UPS reached over TLS and logged in to' \
	"run --check-only, HOST 127.0.0.1 and CERTFILE the CA of tls-setup: reached over STARTTLS"
plan byname localhost "$PEERS_DIR/tls1/ca.pem"
expect_check byname 0 'check: all 1 UPS reached over TLS and logged in to' \
	"run --check-only, HOST localhost: reached over STARTTLS"

tls_setup tls2 --name 127.0.0.1 --name localhost
check "a second tls-setup into another directory: done" [ "$status" -eq 0 ]
plan otherca 127.0.0.1 "$PEERS_DIR/tls2/ca.pem"
expect_check otherca 1 'UPS a@127.0.0.1:[0-9]*: .*certificate.*CERTFILE' \
	"run --check-only with the CA of the second run: refused, the certificate named"

# the certificate of the first run names 127.0.0.1 and localhost, not ::1
plan wrongname 127.0.0.2 "$PEERS_DIR/tls1/ca.pem"
sed -i "s/ HOST 127.0.0.2 / HOST 127.0.0.1 CERTNAME upsd.example /" "$PEERS_DIR/wrongname.conf"
expect_check wrongname 1 'UPS a@127.0.0.1:[0-9]*: .*upsd.example' \
	"a name the certificate does not hold: refused"

find "$PEERS_DIR/tls1" -type f -exec cksum {} + | sort >"$PEERS_DIR/tls1.before"
tls_setup tls1 --name 127.0.0.1
if [ "$status" -eq 1 ] && grep -q "tls1/ca.key exists: tls-setup never overwrites" "$PEERS_DIR/tls1.ts-err"; then
	ok "tls-setup again into the first directory: refused, the key named"
else
	not_ok "tls-setup again: refused" "exit $status" "$(cat "$PEERS_DIR/tls1.ts-err")"
fi
find "$PEERS_DIR/tls1" -type f -exec cksum {} + | sort >"$PEERS_DIR/tls1.after"
plan again 127.0.0.1 "$PEERS_DIR/tls1/ca.pem"
if cmp -s "$PEERS_DIR/tls1.before" "$PEERS_DIR/tls1.after"; then
	expect_check again 0 'check: all 1 UPS reached' "... nothing changed: upsd and the CA still work"
else
	not_ok "... nothing changed" "$(diff "$PEERS_DIR/tls1.before" "$PEERS_DIR/tls1.after")"
fi

# direct TLS through stunnel as tls-setup printed it, a client certificate
# required; only the ports, the PID file and the log are the test's
mtls_port=$(peers_free_port)
{
	printf '%s\n' "pid =" "output = $PEERS_DIR/stunnel-printed.log" "syslog = no"
	sed -n '/^stunnel lines/,/^$/s/^	//p' "$PEERS_DIR/tls1.first" |
		sed "s/^accept = 3494$/accept = 127.0.0.1:$mtls_port/; s/^connect = 127.0.0.1:3493$/connect = 127.0.0.1:$UPSD_PORT/"
} >"$PEERS_DIR/stunnel-printed.conf"
stunnel "$PEERS_DIR/stunnel-printed.conf" </dev/null >>"$PEERS_DIR/stunnel-printed.log" 2>&1 &
_peers_record stunnel-printed "$!"
if ! grep -q '^verify = 2$' "$PEERS_DIR/stunnel-printed.conf" ||
	! _peers_wait_listen "$(peers_pid stunnel-printed)" "$mtls_port"; then
	peers_bail "stunnel did not start with the lines tls-setup printed"
fi
STUNNEL_PORT_mtls=$mtls_port
# the monitoring user (nobody, when root) reads the client key: it is nut's
[ "$(id -u)" -ne 0 ] || chmod a+r "$PEERS_DIR/tls1/client.key"
sed -n '/^Plan lines for it:$/,/^$/s/^	//p' "$PEERS_DIR/tls1.first" | sed "s/ PORT 3494 / PORT $STUNNEL_PORT_mtls /" \
	>"$PEERS_DIR/mtls-group"
dm_plan mtls <<EOF
$(cat "$PEERS_DIR/mtls-group")
MONITOR a POWERVAL 1 UPSDUSER $PRIMARY_USER PASSWORD "$PRIMARY_PASS" TYPE primary
WHEN a REPORTS None->LB : SHUTDOWNCMD "/bin/true"
WHEN a REPORTS COMM->NOCOMM : PRINT "lost"
EOF
if grep -q 'TLS DIRECT' "$PEERS_DIR/mtls-group" && grep -q 'CLIENTKEY' "$PEERS_DIR/mtls-group"; then
	expect_check mtls 0 'check: all 1 UPS reached over TLS and logged in to' \
		"stunnel with the lines printed, the printed plan lines with the client certificate: reached"
else
	not_ok "the stunnel plan lines printed with --client" "$(cat "$PEERS_DIR/tls1.first")"
fi
sed -i 's/ CLIENTCERT .*//' "$PEERS_DIR/mtls.conf"
expect_check mtls 1 'UPS a@127.0.0.1:[0-9]*: .*client certificate' \
	"... without the client certificate: refused by stunnel, said so"
dm_done
