#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# run-tls-words.sh - TAP: upsplan run --check-only says each TLS failure in words, with the fix, not as an OpenSSL code: a missing or unreadable CERTFILE, a port that answers in clear, STARTTLS to stunnel, an expired or wrong-name certificate, an unknown issuer.
#
# One case a message, each against the hostile upsd of the fault campaign
# (a plain upsd port, or a well-behaved upsd presenting the certificate of
# the case).  Started as root, the daemon monitors as user nobody
# (daemon-lib.sh), so the unreadable CERTFILE is one of root's.
#
# Environment: UPSPLAN, PEERS_BINDIR, FAULTS_BINDIR (make check sets them);
# PEERS_KEEP=1 keeps the temp dir.  Skips without nut-server,
# libnss3-tools, stunnel4 (peers.sh makes the PKI).  About 10 s.
set -eu

# shellcheck source=tests/faults/faults-lib.sh
. "$(cd "$(dirname "$0")" && pwd)/faults-lib.sh"
fl_skip_unless_peers

echo "1..27"
peers_init
peers_pki || peers_bail "the PKI could not be made"
dm_setup
ME=$(id -un)
if [ "$(id -u)" -eq 0 ]; then
	ME=nobody	# dm_setup's -u nobody
fi

# An OpenSSL error code ("error:0A00010B:SSL routines::wrong version
# number") or the reason of one alone, with nothing after it: what the
# messages were before they said what to do
RAW='error:[0-9A-F]{8}:|(TLS error|cannot be loaded): [a-z ]+ \(while'

# plan NAME PORT CAFILE [GROUP SETTINGS...]: one UPS "h" behind PORT
plan() {
	_p_name=$1
	_p_port=$2
	_p_ca=$3
	shift 3
	dm_plan "$_p_name" <<EOF
GROUP G HOST 127.0.0.1 PORT $_p_port CERTFILE "$_p_ca" $*
MONITOR h POWERVAL 1 UPSDUSER monuser PASSWORD "pass" TYPE primary
WHEN h REPORTS None->LB : SHUTDOWNCMD "/bin/true"
WHEN h REPORTS COMM->NOCOMM : PRINT "lost"
EOF
}

# words NAME TITLE ERE...: upsplan run --check-only on NAME.conf exits 1,
# its standard error matches every extended regular expression ERE (one
# check), holds no raw OpenSSL code (RAW) and no raw control byte
words() {
	_w_name=$1
	_w_title=$2
	shift 2
	set +e
	# shellcheck disable=SC2086 # UPSPLAN_VALGRIND and DM_USER_OPT are words
	timeout 60 ${UPSPLAN_VALGRIND:-} "$UPSPLAN" run --check-only -F $DM_USER_OPT "$PEERS_DIR/$_w_name.conf" \
		>"$PEERS_DIR/$_w_name.out" 2>"$PEERS_DIR/$_w_name.err" </dev/null
	_w_status=$?
	set -e
	_w_miss=
	for _w_re in "$@"; do
		grep -q -E -- "$_w_re" "$PEERS_DIR/$_w_name.err" || _w_miss="$_w_miss /$_w_re/"
	done
	if [ "$_w_status" -eq 1 ] && [ -z "$_w_miss" ]; then
		ok "$_w_title: said in words, exit 1"
	else
		not_ok "$_w_title: said in words, exit 1" "exit $_w_status, missing:$_w_miss" \
			"$(grep -v '^ ' "$PEERS_DIR/$_w_name.err" | tail -n 4)"
	fi
	if grep -q -E -- "$RAW" "$PEERS_DIR/$_w_name.err"; then
		not_ok "$_w_title: no bare OpenSSL code" "$(grep -E -- "$RAW" "$PEERS_DIR/$_w_name.err")"
	else
		ok "$_w_title: no bare OpenSSL code"
	fi
	if fl_raw "$PEERS_DIR/$_w_name.err"; then
		not_ok "$_w_title: no raw control byte" "$(LC_ALL=C grep -a '[^[:print:]	]' "$PEERS_DIR/$_w_name.err" | cat -v)"
	else
		ok "$_w_title: no raw control byte"
	fi
}

# serve NAME MODE CERT KEY: a hostile upsd in MODE presenting CERT; HOSTILE_PORT
serve() {
	hostile_start "$1" "$2" -c "$3" -k "$4"
}

hostile_start good good
GOOD_PORT=$HOSTILE_PORT

# 1. CERTFILE missing
plan noca "$GOOD_PORT" "$PEERS_DIR/no-such-dir/ca.pem"
words noca "a missing CERTFILE" \
	"group G: CERTFILE $PEERS_DIR/no-such-dir/ca.pem does not exist" 'upsplan tls-setup'

# 2. CERTFILE the monitoring user cannot read (root's, mode 0600, when the
# test runs as root: the daemon monitors as nobody)
mkdir "$PEERS_DIR/priv"
chmod 755 "$PEERS_DIR/priv"
cp "$CA_FILE" "$PEERS_DIR/priv/ca.pem"
chmod 600 "$PEERS_DIR/priv/ca.pem"
[ "$(id -u)" -eq 0 ] || chmod 000 "$PEERS_DIR/priv/ca.pem"
OWNER="$(stat -c %U:%G "$PEERS_DIR/priv/ca.pem")"
MODE=$(stat -c %a "$PEERS_DIR/priv/ca.pem")
plan unreadable "$GOOD_PORT" "$PEERS_DIR/priv/ca.pem"
words unreadable "a CERTFILE the monitoring user cannot read" \
	"CERTFILE $PEERS_DIR/priv/ca.pem: the monitoring user $ME cannot read it \\(mode 0*$MODE $OWNER\\)" \
	"chmod 0?644|chmod 0?640"
chmod 644 "$PEERS_DIR/priv/ca.pem"

# ... nor reach: a directory on its path it cannot search
chmod 700 "$PEERS_DIR/priv"
[ "$(id -u)" -eq 0 ] || chmod 600 "$PEERS_DIR/priv"
plan unreachable "$GOOD_PORT" "$PEERS_DIR/priv/ca.pem"
words unreachable "a CERTFILE in a directory the monitoring user cannot search" \
	"CERTFILE $PEERS_DIR/priv/ca.pem: the monitoring user $ME cannot reach it: it may not search the directory $PEERS_DIR/priv "
chmod 755 "$PEERS_DIR/priv"

# 3. TLS DIRECT to a plain upsd port: the answer comes in clear
hostile_start clear clear
plan clear "$HOSTILE_PORT" "$CA_FILE" TLS DIRECT
words clear "TLS DIRECT to a port that answers in clear" \
	"UPS h@127\\.0\\.0\\.1:$HOSTILE_PORT: this port answered in clear, not in TLS \\(\"ERR U" \
	"is it upsd's plain port\\? use TLS STARTTLS"

# ... and STARTTLS to a TLS front end (stunnel, in front of the good
# hostile upsd): it reads "STARTTLS" as a broken record and hangs up
UPSD_PORT=$GOOD_PORT	# what peers_stunnel forwards to
peers_stunnel front "$SERVER_CERT" "$SERVER_KEY" || peers_bail "stunnel did not start"
plan front "$STUNNEL_PORT_front" "$CA_FILE"
words front "STARTTLS to a TLS front end" \
	"UPS h@127\\.0\\.0\\.1:$STUNNEL_PORT_front: the server closed the connection without answering STARTTLS \\([^)]*\\): is this port a TLS front end such as stunnel\\? it wants TLS DIRECT"

# 4. an expired certificate, its dates
serve expired good "$EXPIRED_CERT" "$EXPIRED_KEY"
plan expired "$HOSTILE_PORT" "$CA_FILE"
words expired "an expired certificate" \
	"certificate has expired: the server's certificate \\([^)]*CN=localhost[^)]*\\) is valid from 2020-01-01 00:00:00 UTC to 2021-01-01 00:00:00 UTC"

# 5. a certificate for another name: its names, and the one asked for
serve wrongname good "$WRONGNAME_CERT" "$WRONGNAME_KEY"
plan wrongname "$HOSTILE_PORT" "$CA_FILE"
words wrongname "a certificate for another name" \
	"the certificate is not for 127\\.0\\.0\\.1, the name upsplan asked for \\(the group's CERTNAME, else its HOST\\): it names DNS:wrong\\.example; subject CN=wrong\\.example" \
	"CERTNAME"

# 6. an unknown issuer: a self-signed certificate (its name holds an ESC),
# and a server certificate of a CA that is not in CERTFILE
(
	cd "$PEERS_DIR/pki"
	printf '%s\n' "basicConstraints=CA:FALSE" "subjectAltName=IP:127.0.0.1" >self.ext
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout self.key -out self.pem \
		-days 30 -subj "/O=upsplan test/CN=self$(printf '\033')[31m" -addext "subjectAltName=IP:127.0.0.1" \
		2>>openssl.log
	chmod 644 self.pem self.key
) || peers_bail "the self-signed certificate could not be made"
serve self good "$PEERS_DIR/pki/self.pem" "$PEERS_DIR/pki/self.key"
plan self "$HOSTILE_PORT" "$CA_FILE"
words self "a self-signed certificate" \
	"self-signed certificate: the server's certificate \\(CN=self\\\\x1b\\[31m, O=upsplan test\\) signs itself and is not in CERTFILE $CA_FILE" \
	"put it in CERTFILE"
plan otherca "$GOOD_PORT" "$ROGUE_CA_FILE"
words otherca "a certificate of a CA not in CERTFILE" \
	"unable to get local issuer certificate: the server's certificate \\(CN=localhost, O=upsplan test\\) is issued by CN=upsplan test CA, O=upsplan test, which is not in CERTFILE $ROGUE_CA_FILE"
dm_done
