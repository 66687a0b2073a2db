#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# run-hostile-tls.sh - TAP: upsplan run against a hostile upsd that misbehaves in TLS and TCP: 1-byte TLS records, TCP RST mid-reply, close_notify and RST mid-handshake, a renegotiation request (TLS 1.2, refused), control bytes in its certificate's names; and a well-behaved one as the control: each logged clearly, escaped, bounded, the UPS of a real upsd on time.
#
# Environment: UPSPLAN, PEERS_BINDIR, FAULTS_BINDIR (make check sets them);
# PEERS_KEEP=1 keeps the temp dir.  Skips without nut-server,
# libnss3-tools, stunnel4.  About 50 s.
set -eu

# shellcheck source=tests/faults/faults-lib.sh
. "$(cd "$(dirname "$0")" && pwd)/faults-lib.sh"
fl_skip_unless_peers

echo "1..$((7 * FL_CHECKS + 4))"
fl_init

# the control: a well-behaved server, its UPS answers (on battery: an event)
fl_on_battery() {
	check "well-behaved: the UPS of the hostile upsd polled (its OL->OB in the trace)" \
		grep -q "HOSTILE:h@127.0.0.1:$HOSTILE_PORT  *OL->OB  *event" "$PEERS_DIR/good.trace"
}
FL_AFTER=fl_on_battery
fl_case good 'connected and logged in' "well-behaved upsd (the control)" -s OB
fl_tiny_polled() {
	check "1-byte TLS records: the UPS polled all the same (its OL->OB in the trace)" \
		grep -q "HOSTILE:h@127.0.0.1:$HOSTILE_PORT  *OL->OB  *event" "$PEERS_DIR/tiny.trace"
}
FL_AFTER=fl_tiny_polled
fl_case tiny 'connected and logged in' "every byte in a TLS record of its own" -s OB
fl_case rst-mid-reply 'Connection reset by peer \(while polling\)' "half a reply, then a TCP RST"
fl_case close-mid-handshake 'the server closed the connection during the TLS handshake' \
	"close_notify in the TLS handshake"
fl_case rst-mid-handshake 'the server closed the connection during the TLS handshake' \
	"a TCP RST after the server's first flight"
fl_case reneg 'the server asked to renegotiate the TLS session, which is refused' \
	"a renegotiation asked for (TLS 1.2)"
check "renegotiation: the hostile upsd asked for it" grep -q 'renegotiation asked for' "$PEERS_DIR/hostile-reneg.log"
if grep -q 'renegotiation completed' "$PEERS_DIR/hostile-reneg.log" ||
	! grep -q 'renegotiation refused by the client' "$PEERS_DIR/hostile-reneg.log"; then
	not_ok "renegotiation: refused by upsplan, never completed" "$(grep renegotiation "$PEERS_DIR/hostile-reneg.log")"
else
	ok "renegotiation: refused by upsplan, never completed"
fi

# a certificate whose names hold ESC, BEL and CR (an IA5String takes them),
# signed by the test CA, for another name than 127.0.0.1
(
	cd "$PEERS_DIR/pki"
	printf 'subjectAltName=DNS:evil\033]0;owned\007.example,DNS:cr\rhere\n' >evil.ext
	_peers_key_csr evil "/O=upsplan test/CN=evil" && _peers_sign evil ca evil.ext
) || peers_bail "the certificate with control bytes could not be made"
chmod a+r "$PEERS_DIR/pki/evil.key"
FL_ID=evilname
fl_case good 'certificate verification failed: IP address mismatch: the certificate is not for 127\.0\.0\.1, the name upsplan asked for \(the group.s CERTNAME, else its HOST\): it names DNS:evil\\x1b\]0;owned\\x07\.example, DNS:cr\\x0dhere; subject CN=evil:' \
	"control bytes in the server certificate's names" -c "$PEERS_DIR/pki/evil.pem" -k "$PEERS_DIR/pki/evil.key"
dm_done
