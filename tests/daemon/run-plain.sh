#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# run-plain.sh - TAP: TLS NONE against a real upsd listening in plain text on 127.0.0.1 (Debian's nut-server as installed): check warns and accepts, the daemon logs in and polls in clear, runs the actions of an outage; a STARTTLS group never falls back to plain; a non-loopback HOST is refused by check and run, and a compiled plan moved to a non-loopback peer gets not a byte from the daemon.
#
# Environment: UPSPLAN, PEERS_BINDIR (make check sets them); PEERS_KEEP=1
# keeps the temp dir.  Skips without nut-server, libnss3-tools, stunnel4.
set -eu

# shellcheck source=tests/daemon/daemon-lib.sh
. "$(cd "$(dirname "$0")" && pwd)/daemon-lib.sh"
dm_skip_unless_peers

echo "1..12"
peers_init
ACT=$PEERS_DIR/act

printf 'ups.status: OL\nbattery.charge: 100\n' >"$PEERS_DIR/a.dev"
peers_add_ups a "$PEERS_DIR/a.dev"
peers_start plain || peers_bail "the peers did not start"
dm_setup

dm_plan plain <<EOF
POLLFREQ 1 POLLFREQALERT 1
GROUP LOCAL HOST 127.0.0.1 PORT $UPSD_PORT TLS NONE
MONITOR a POWERVAL 1 UPSDUSER $PRIMARY_USER PASSWORD "$PRIMARY_PASS" TYPE primary
WHEN a REPORTS OL->OB : PRINT "%(u)s %(e)s" SHELLCMD "echo '%(e)s' >> $ACT/actions"
WHEN a REPORTS None->LB : PRINT "%(u)s %(e)s" SHUTDOWNCMD "/bin/sh -c 'echo shutdown >> $ACT/shutdown'"
WHEN a REPORTS COMM->NOCOMM : PRINT "%(u)s %(e)s"
EOF

# 1: check accepts it, with the warning that the password crosses loopback in clear
set +e
"$UPSPLAN" check -Wno-W611 "$PEERS_DIR/plain.conf" >"$PEERS_DIR/check.out" 2>"$PEERS_DIR/check.err"
status=$?
set -e
if [ "$status" -eq 0 ] && grep -q 'talks to upsd in plain text.*\[W651\]' "$PEERS_DIR/check.err"; then
	ok "check: TLS NONE to 127.0.0.1 is accepted, with W651"
else
	not_ok "check: TLS NONE to 127.0.0.1 is accepted, with W651" "status $status" "$(cat "$PEERS_DIR/check.err")"
fi

# 2: run --check-only reaches upsd in plain text and logs in
set +e
# shellcheck disable=SC2086
timeout 60 "$UPSPLAN" run --check-only -F $DM_USER_OPT --allow-warnings "$PEERS_DIR/plain.conf" \
	>"$PEERS_DIR/check-only.out" 2>"$PEERS_DIR/check-only.err" </dev/null
status=$?
set -e
if [ "$status" -eq 0 ] && grep -q 'check: all 1 UPS reached and logged in to (1 of them in plain text on loopback: TLS NONE)' \
	"$PEERS_DIR/check-only.err"; then
	ok "run --check-only: reached in plain text and logged in"
else
	not_ok "run --check-only: reached in plain text and logged in" "status $status" "$(cat "$PEERS_DIR/check-only.err")"
fi

# 3-7: the daemon logs in, polls, and acts on an outage
dm_start plain -D
ups='UPS a@127.0.0.1:[0-9]*'
check "the daemon connects in plain text (TLS NONE)" \
	dm_wait plain.err "$ups: connecting to 127.0.0.1 port $UPSD_PORT (TLS NONE: plain text, loopback only)" 10
check "it logs in as the primary" dm_wait plain.err "$ups: connected and logged in" 10
# upsd counts the primary's login
numlogins() {
	"$PEERS_PROBE" -q -t 2 -m plain 127.0.0.1 "$UPSD_PORT" 'GET NUMLOGINS a' 2>/dev/null | grep -qx 'NUMLOGINS a 1'
}
if dm_until 10 numlogins; then
	ok "upsd counts its login (NUMLOGINS a 1)"
else
	not_ok "upsd counts its login (NUMLOGINS a 1)" \
		"$("$PEERS_PROBE" -t 2 -m plain 127.0.0.1 "$UPSD_PORT" 'GET NUMLOGINS a' 2>&1 || true)"
fi
dm_set_dev a "OB DISCHRG"
check "the outage is polled: OL->OB runs its SHELLCMD" dm_wait act/actions '^OL->OB$' 15
dm_set_dev a "OB DISCHRG LB"
check "low battery: the SHUTDOWNCMD runs" dm_wait act/shutdown '^shutdown$' 15
dm_stop plain

# 8: STARTTLS against the plain port: refused, never a fallback to plain text
peers_pki >"$PEERS_DIR/pki.log" 2>&1 || peers_bail "the test PKI was not made"
[ "$(id -u)" -ne 0 ] || chmod -R a+rX "$PEERS_DIR/pki"
dm_plan starttls <<EOF
POLLFREQ 1 POLLFREQALERT 1
GROUP LOCAL HOST 127.0.0.1 PORT $UPSD_PORT CERTFILE "$CA_FILE"
MONITOR a POWERVAL 1 UPSDUSER $PRIMARY_USER PASSWORD "$PRIMARY_PASS" TYPE primary
WHEN a REPORTS None->LB : SHUTDOWNCMD "/bin/true"
WHEN a REPORTS COMM->NOCOMM : PRINT "lost"
EOF
set +e
# shellcheck disable=SC2086
timeout 60 "$UPSPLAN" run --check-only -F $DM_USER_OPT --allow-warnings "$PEERS_DIR/starttls.conf" \
	>"$PEERS_DIR/starttls.out" 2>"$PEERS_DIR/starttls.err" </dev/null
status=$?
set -e
if [ "$status" -ne 0 ] && grep -q 'upsd refused STARTTLS.*nothing was sent in clear' "$PEERS_DIR/starttls.err" &&
	! grep -q 'reached over TLS and logged in' "$PEERS_DIR/starttls.err"; then
	ok "a STARTTLS group on a plain upsd port fails: no fallback to plain text"
else
	not_ok "a STARTTLS group on a plain upsd port fails: no fallback to plain text" "status $status" \
		"$(cat "$PEERS_DIR/starttls.err")"
fi

# 9-10: TLS NONE to an address that is not loopback: refused by check and by run
dm_plan remote <<EOF
GROUP LOCAL HOST 192.0.2.7 PORT $UPSD_PORT TLS NONE
MONITOR a POWERVAL 1 UPSDUSER $PRIMARY_USER PASSWORD "$PRIMARY_PASS" TYPE primary
WHEN a REPORTS None->LB : SHUTDOWNCMD "/bin/true"
WHEN a REPORTS COMM->NOCOMM : PRINT "lost"
EOF
set +e
"$UPSPLAN" check "$PEERS_DIR/remote.conf" >/dev/null 2>"$PEERS_DIR/remote-check.err"
status=$?
set -e
if [ "$status" -eq 1 ] && grep -q '192.0.2.7 is not a loopback address.*\[E650\]' "$PEERS_DIR/remote-check.err"; then
	ok "check refuses TLS NONE to 192.0.2.7 (E650)"
else
	not_ok "check refuses TLS NONE to 192.0.2.7 (E650)" "status $status" "$(cat "$PEERS_DIR/remote-check.err")"
fi
set +e
# shellcheck disable=SC2086
timeout 60 "$UPSPLAN" run --check-only -F $DM_USER_OPT --allow-warnings "$PEERS_DIR/remote.conf" \
	>/dev/null 2>"$PEERS_DIR/remote-run.err" </dev/null
status=$?
set -e
if [ "$status" -ne 0 ] && grep -q 'E650' "$PEERS_DIR/remote-run.err"; then
	ok "run refuses it too, before any connection"
else
	not_ok "run refuses it too, before any connection" "status $status" "$(cat "$PEERS_DIR/remote-run.err")"
fi

# 11-12: the daemon's own check, when the plan was judged loopback but the
# peer is not (a name that resolves otherwise at connect time): the compiled
# plan is moved to an address of this machine that is not loopback, where a
# server records every line it gets
addr=$(ip -4 -o addr show scope global 2>/dev/null | awk '{ sub(/\/.*/, "", $4); print $4; exit }')
if [ -z "$addr" ]; then
	tap_skip "this machine has no IPv4 address but loopback" \
		"the daemon refuses a non-loopback peer in plain text" "... and sends it nothing"
else
	"$UPSPLAN" compile "$PEERS_DIR/plain.conf" -o "$PEERS_DIR/plain.img" 2>"$PEERS_DIR/compile.err" ||
		peers_bail "the plan does not compile: $(cat "$PEERS_DIR/compile.err")"
	"$PEERS_BINDIR/img-rehost" "$PEERS_DIR/plain.img" "$PEERS_DIR/moved.img" "$addr" ||
		peers_bail "img-rehost failed"
	: >"$PEERS_DIR/rogue.rec"
	"$PEERS_BINDIR/silent-server" -b "$addr" -p "$UPSD_PORT" -f "$PEERS_DIR/rogue.port" -a "OK" \
		-r "$PEERS_DIR/rogue.rec" -t 300 2>"$PEERS_DIR/rogue.err" &
	_peers_record rogue-server "$!"
	dm_until 5 test -s "$PEERS_DIR/rogue.port" || peers_bail "no server on $addr: $(cat "$PEERS_DIR/rogue.err")"
	set +e
	# shellcheck disable=SC2086
	timeout 60 "$UPSPLAN" run --check-only -F $DM_USER_OPT --allow-warnings "$PEERS_DIR/moved.img" \
		>/dev/null 2>"$PEERS_DIR/moved.err" </dev/null
	status=$?
	set -e
	if [ "$status" -ne 0 ] &&
		grep -q "refused to talk in plain text (TLS NONE) to $addr, which is not a loopback address" "$PEERS_DIR/moved.err"; then
		ok "the daemon refuses a non-loopback peer in plain text ($addr)"
	else
		not_ok "the daemon refuses a non-loopback peer in plain text ($addr)" "status $status" \
			"$(cat "$PEERS_DIR/moved.err")"
	fi
	sleep 0.5	# a line sent would be recorded by now
	if [ ! -s "$PEERS_DIR/rogue.rec" ]; then
		ok "... and sends it nothing"
	else
		not_ok "... and sends it nothing" "$(cat "$PEERS_DIR/rogue.rec")"
	fi
fi

dm_done
