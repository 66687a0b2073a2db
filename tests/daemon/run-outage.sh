#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# run-outage.sh - TAP: upsplan run against a real upsd + dummy-ups over STARTTLS: an outage from a .seq file traced in the order simulate gives, one SHUTDOWNCMD, FSD from a primary seen by a secondary, upsd killed and restarted, USR1, SIGTERM logging out.
#
# Environment: UPSPLAN, PEERS_BINDIR (make check sets them); PEERS_KEEP=1
# keeps the temp dir.  Skips without nut-server, libnss3-tools, stunnel4.
set -eu

# shellcheck source=tests/daemon/daemon-lib.sh
. "$(cd "$(dirname "$0")" && pwd)/daemon-lib.sh"
dm_skip_unless_peers

echo "1..20"
peers_init
ACT=$PEERS_DIR/act

# OL, then on battery, then low battery; the last pause outlasts the test
cat >"$PEERS_DIR/outage.seq" <<'EOF'
ups.status: OL
battery.charge: 100
TIMER 12
ups.status: OB DISCHRG
battery.charge: 60
TIMER 4
ups.status: OB DISCHRG LB
battery.charge: 8
TIMER 900
EOF
peers_add_ups a "$PEERS_DIR/outage.seq"
peers_start tls || peers_bail "the peers did not start"
dm_setup

# EMAIL: a test SMTP server on loopback, STARTTLS with the peers' server
# certificate, AUTH required; it records what it receives
FAKE_SMTP=$PEERS_BINDIR/../email/fake-smtp
[ -x "$FAKE_SMTP" ] || peers_bail "$FAKE_SMTP is not built (make check builds it)"
"$FAKE_SMTP" --tls starttls --cert "$SERVER_CERT" --key "$SERVER_KEY" --auth mailer:m41l-pw \
	--count 1 --max-seconds 120 --out "$PEERS_DIR/smtp.rec" 0 >"$PEERS_DIR/smtp.port" 2>"$PEERS_DIR/smtp.log" &
SMTP_PID=$!
dm_wait smtp.port '^[0-9][0-9]*$' 10 || peers_bail "fake-smtp did not start: $(cat "$PEERS_DIR/smtp.log")"
SMTP_PORT=$(head -n 1 "$PEERS_DIR/smtp.port")

# SHUTDOWNEXIT no: the primary keeps monitoring after its SHUTDOWNCMD, for the upsd-restart tests below
dm_plan primary <<EOF
POLLFREQ 1 POLLFREQALERT 1 SHUTDOWNEXIT no
LET msg = "%(u)s %(e)s charge %(c)s"
SMTPSERVER "127.0.0.1" PORT $SMTP_PORT USER "mailer" PASSWORD "m41l-pw"
GROUP LOCAL HOST 127.0.0.1 PORT $UPSD_PORT CERTFILE "$CA_FILE"
MONITOR a POWERVAL 1 UPSDUSER $PRIMARY_USER PASSWORD "$PRIMARY_PASS" TYPE primary
WHEN a REPORTS OL->OB : PRINT msg SHELLCMD "echo '%(e)s' >> $ACT/primary-actions" NOTIFY msg
	EMAIL FROM "UPS monitor <ups@example.org>" TO "root@example.org" SUBJECT "%(u)s on battery" MESSAGE msg
WHEN a REPORTS None->LB : PRINT msg SETFSD a STARTTIMER final 2
WHEN a REPORTS None->FSD : PRINT msg
WHEN a TIMEOUT final : SHUTDOWNCMD "/bin/sh -c 'echo shutdown %(c)s >> $ACT/primary-shutdown'"
WHEN a REPORTS COMM->NOCOMM : PRINT msg
WHEN a REPORTS NOCOMM->COMM : PRINT msg
EOF
dm_plan secondary <<EOF
POLLFREQ 1 POLLFREQALERT 1
GROUP LOCAL HOST 127.0.0.1 PORT $UPSD_PORT CERTFILE "$CA_FILE"
MONITOR a POWERVAL 1 UPSDUSER $SECONDARY_USER PASSWORD "$SECONDARY_PASS" TYPE secondary
WHEN a REPORTS None->FSD : PRINT "secondary: FSD on %(u)s" SHUTDOWNCMD "/bin/sh -c 'echo secondary >> $ACT/secondary-shutdown'"
EOF

# NOTIFY: as root, the command runs as each user logged in to a desktop:
# here "nobody" on display :0 (a record of a utmp file of the test)
"$PEERS_BINDIR/mkutmp" "$PEERS_DIR/utmp" nobody tty7 :0 $$
dm_start primary --powerdownflag "$PEERS_DIR/powerdownflag" --utmp "$PEERS_DIR/utmp" --smtp-cafile "$CA_FILE" \
	--notify "/bin/sh -c 'echo \"\$(id -un) display=\$DISPLAY: \$1\" >> $ACT/notify.log' notify"
dm_start secondary

# 1-4: the outage, as far as the shutdown command
if dm_wait primary.out 'None->FSD' 30; then
	ok "primary: OL->OB, None->LB, then the FSD it set itself"
else
	not_ok "primary: OL->OB, None->LB, then the FSD it set itself"
fi
check "secondary: sees the primary's FSD" dm_wait secondary.out 'secondary: FSD on a@127.0.0.1' 10
check "primary: the SHUTDOWNCMD ran (as root when started as root)" dm_wait act/primary-shutdown 'shutdown 8' 10
check "secondary: its SHUTDOWNCMD ran" dm_wait act/secondary-shutdown secondary 5

# 5: NOTIFY
if [ "$(id -u)" -eq 0 ]; then
	check "NOTIFY: run as the desktop user, with its DISPLAY" \
		dm_wait act/notify.log '^nobody display=:0: a@127.0.0.1:[0-9]* OL->OB charge 60$' 5
else
	check "NOTIFY: run as this user (not root: no desktop users)" \
		dm_wait act/notify.log "^$(id -un) display=.*: a@127.0.0.1:[0-9]* OL->OB charge 60\$" 5
fi

# 6-8: EMAIL over STARTTLS, verified against the CA given by --smtp-cafile
check "EMAIL: sent over STARTTLS, AUTH after TLS" dm_wait smtp.rec '^AUTH [A-Z]* tls=1 user=mailer ok$' 10
check "EMAIL: envelope from the plan's FROM and TO" \
	sh -c "grep -qx 'MAIL FROM:<ups@example.org>' '$PEERS_DIR/smtp.rec' && grep -qx 'RCPT TO:<root@example.org>' '$PEERS_DIR/smtp.rec'"
check "EMAIL: rendered subject and message" \
	sh -c "grep -q '^Subject: a@127.0.0.1:[0-9]* on battery' '$PEERS_DIR/smtp.rec' && grep -q '^a@127.0.0.1:[0-9]* OL->OB charge 60' '$PEERS_DIR/smtp.rec'"
kill "$SMTP_PID" 2>/dev/null || true

# 9: the trace is the order upsplan simulate gives for the same .seq
cat >"$PEERS_DIR/outage.scn" <<'EOF'
at 0 dummy a outage.seq
at 32 end
EOF
# shellcheck disable=SC2086
${UPSPLAN_VALGRIND:-} "$UPSPLAN" simulate --keep-going --hostname testhost "$PEERS_DIR/primary.conf" "$PEERS_DIR/outage.scn" \
	>"$PEERS_DIR/simulate.trace" 2>"$PEERS_DIR/simulate.err" || true
sleep 3	# let the trace catch up with the last actions
dm_events simulate.trace >"$PEERS_DIR/simulate.events"
dm_events primary.trace | head -n "$(wc -l <"$PEERS_DIR/simulate.events")" >"$PEERS_DIR/run.events"
if [ -s "$PEERS_DIR/simulate.events" ] && cmp -s "$PEERS_DIR/simulate.events" "$PEERS_DIR/run.events"; then
	ok "the daemon's trace has the events and actions of upsplan simulate, in the same order ($(wc -l <"$PEERS_DIR/run.events") lines)"
else
	not_ok "the daemon's trace has the events and actions of upsplan simulate, in the same order" \
		"$(diff "$PEERS_DIR/simulate.events" "$PEERS_DIR/run.events" || true)" "$(cat "$PEERS_DIR/simulate.err")"
fi

# 10-11: one shutdown command, and the POWERDOWNFLAG before it
check "SHUTDOWNCMD ran exactly once" test "$(dm_count act/primary-shutdown shutdown)" -eq 1
check "POWERDOWNFLAG holds NUT's magic text" grep -qx 'upsmon-shutdown-file' "$PEERS_DIR/powerdownflag"

# 12: SIGUSR1 writes the state
kill -USR1 "$DM_PID_primary"
check "SIGUSR1: the state of the UPS and the poll interval are logged" \
	dm_wait primary.err 'state: UPS a@127.0.0.1:[0-9]*: COMM, ups.status "FSD OB DISCHRG LB"' 5

# 13-16: upsd crashes and comes back
peers_kill_upsd
check "upsd killed: COMM->NOCOMM at once (within 2 polls)" dm_wait primary.out 'COMM->NOCOMM' 3
check "the loss is logged once, naming the UPS" dm_wait primary.err 'UPS a@127.0.0.1:[0-9]*: .*while' 3
sleep 2
peers_start_upsd
if dm_wait primary.out 'NOCOMM->COMM' 75; then
	ok "upsd back: NOCOMM->COMM (after the back-off)"
else
	not_ok "upsd back: NOCOMM->COMM (after the back-off)"
fi
sleep 3
if [ "$(dm_count primary.out 'COMM->NOCOMM')" -eq 1 ] && [ "$(dm_count primary.out 'NOCOMM->COMM')" -eq 1 ] &&
	[ "$(dm_count primary.out 'None->LB')" -eq 1 ] && [ "$(dm_count primary.out 'OL->OB')" -eq 1 ] &&
	[ "$(dm_count act/primary-actions 'OL->OB')" -eq 1 ] && [ "$(dm_count act/primary-shutdown shutdown)" -eq 1 ]; then
	ok "no duplicate event or action after the restart (no LB->None/None->LB pair from upsd's WAIT)"
else
	not_ok "no duplicate event or action after the restart"
fi

# 17-20: SIGTERM logs out of upsd and stops with status 0, leaving no process
dm_stop primary
check "SIGTERM: exit status 0" test "$DM_STATUS" -eq 0
check "SIGTERM: upsd logged the primary out" grep -q "User $PRIMARY_USER@127.0.0.1 logged out from UPS \\[a\\]" "$PEERS_DIR/upsd.log"
dm_stop secondary
check "SIGTERM: the secondary stops with status 0" test "$DM_STATUS" -eq 0
if pgrep -f "upsplan run .*$PEERS_DIR" >/dev/null 2>&1; then
	not_ok "no upsplan process is left" "$(pgrep -af "upsplan run .*$PEERS_DIR")"
else
	ok "no upsplan process is left"
fi
dm_done
