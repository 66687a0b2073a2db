#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# run-hazards.sh - TAP: upsplan run and compile refuse a plan whose warnings change what happens in an outage (a CANCELTIMER of a misspelt timer) unless --allow-warnings is given, at start and at a SIGHUP reload, where the running plan is kept.
#
# Environment: UPSPLAN, PEERS_BINDIR (make check sets them); PEERS_KEEP=1
# keeps the temp dir.  Skips without nut-server, libnss3-tools, stunnel4.
set -eu

# shellcheck source=tests/daemon/daemon-lib.sh
. "$(cd "$(dirname "$0")" && pwd)/daemon-lib.sh"
dm_skip_unless_peers

echo "1..14"
peers_init
printf 'ups.status: OL\nbattery.charge: 100\n' >"$PEERS_DIR/a.dev"
peers_add_ups a "$PEERS_DIR/a.dev"
peers_start tls || peers_bail "the peers did not start"
dm_setup

# hz_plan NAME CANCELLED: a plan clean under check -Werror when CANCELLED
# is "final"; with another name, its CANCELTIMER cancels nothing (W604):
# the host would shut down 30 s into an outage that ended after 5 s
hz_plan() {
	dm_plan "$1" <<EOF
POLLFREQ 1 POLLFREQALERT 1
GROUP REAL HOST 127.0.0.1 PORT $UPSD_PORT CERTFILE "$CA_FILE"
MONITOR a POWERVAL 1 UPSDUSER $PRIMARY_USER PASSWORD "$PRIMARY_PASS" TYPE primary
MINSUPPLIES 1
WHEN a REPORTS OL->OB : PRINT "$1 %(e)s" STARTTIMER final 30
WHEN a REPORTS OB->OL : PRINT "$1 %(e)s" CANCELTIMER $2
WHEN a TIMEOUT final : SHUTDOWNCMD "/bin/true"
WHEN a REPORTS None->LB : SHUTDOWNCMD "/bin/true"
WHEN a REPORTS COMM->NOCOMM : PRINT "$1 %(e)s"
EOF
}

# ---------------------------------------------------------------- start
hz_plan good final
check "the good plan is clean under check -Werror" "$UPSPLAN" check -Werror "$PEERS_DIR/good.conf"
hz_plan typo fnal
DM_ALLOW_WARNINGS='' dm_start typo
dm_until 20 sh -c "! kill -0 $DM_PID_typo 2>/dev/null" || :
set +e
wait "$DM_PID_typo"
rc=$?
set -e
check "run: a plan with W604 is refused (exit 1)" test "$rc" -eq 1
check "run: the W604 is reported as an error, with its location" \
	grep -q "typo.conf:6:[0-9]*: error: CANCELTIMER of timer 'fnal', which no STARTTIMER starts \[W604\]" "$PEERS_DIR/typo.err"
check "run: the note says why and what to do" \
	grep -q 'note: this warning changes what happens in an outage, so the plan is refused: fix it, or give --allow-warnings to accept it' "$PEERS_DIR/typo.err"
check "run: nothing started (no connection, no monitoring)" sh -c "! grep -q 'monitoring' '$PEERS_DIR/typo.err'"

cp "$PEERS_DIR/typo.conf" "$PEERS_DIR/allowed.conf"
dm_start allowed	# dm_start passes --allow-warnings
check "run --allow-warnings: the same plan runs" dm_wait allowed.err 'monitoring 1 UPS with plan' 20
check "run --allow-warnings: its W604 stays a warning in the log" \
	grep -q "allowed.conf:6:[0-9]*: warning: CANCELTIMER of timer 'fnal'" "$PEERS_DIR/allowed.err"
dm_stop allowed

# ---------------------------------------------------------------- reload
DM_ALLOW_WARNINGS='' dm_start good
check "run: the clean plan starts without --allow-warnings" dm_wait good.err 'monitoring 1 UPS with plan' 20
sleep 2
hz_plan good fnal
kill -HUP "$DM_PID_good"
check "SIGHUP, the plan now with W604: the error is logged" \
	dm_wait good.err "good.conf:6:[0-9]*: error: CANCELTIMER of timer 'fnal'.*\[W604\]" 10
check "SIGHUP, the plan now with W604: the running plan is kept" dm_wait good.err 'has errors: the running plan is kept' 10
dm_set_dev a OB
check "the kept plan still runs" dm_wait good.out 'good OL->OB' 20
dm_stop good
dm_set_dev a OL

# ---------------------------------------------------------------- compile
rm -f "$PEERS_DIR/typo.upb"
rc=0
"$UPSPLAN" compile "$PEERS_DIR/typo.conf" -o "$PEERS_DIR/typo.upb" 2>"$PEERS_DIR/compile.err" || rc=$?
check "compile: a plan with W604 gives exit 1 and no image" \
	sh -c "[ $rc -eq 1 ] && [ ! -e '$PEERS_DIR/typo.upb' ] && grep -q 'error: CANCELTIMER.*\[W604\]' '$PEERS_DIR/compile.err'"
check "compile --allow-warnings: the image is written" \
	sh -c "'$UPSPLAN' compile --allow-warnings '$PEERS_DIR/typo.conf' -o '$PEERS_DIR/typo.upb' 2>/dev/null && [ -s '$PEERS_DIR/typo.upb' ]"
rc=0
"$UPSPLAN" check "$PEERS_DIR/typo.conf" 2>"$PEERS_DIR/check.err" || rc=$?
check "check: the same W604 stays a warning (exit 0); -Werror refuses it" \
	sh -c "[ $rc -eq 0 ] && grep -q 'warning: CANCELTIMER.*\[W604\]' '$PEERS_DIR/check.err' && ! '$UPSPLAN' check -Werror '$PEERS_DIR/typo.conf' 2>/dev/null"
dm_done
