#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# run-startup.sh - TAP: upsplan run as a new user starts it: detached with relative paths (the plan, CERTFILE, -l, -p, --trace, --powerdownflag), then reloaded with SIGHUP; a reload of a missing plan says it cannot read it; a SHUTDOWNCMD asked for again is refused naming its location once; in the foreground, the start-up facts come before the connections' messages, and %(c)s of a UPS whose battery.charge is not known yet is 999 with a log line saying why.
#
# Environment: UPSPLAN, PEERS_BINDIR (make check sets them); PEERS_KEEP=1
# keeps the temp dir.  Skips without nut-server, libnss3-tools, stunnel4.
set -eu

# shellcheck source=tests/daemon/daemon-lib.sh
. "$(cd "$(dirname "$0")" && pwd)/daemon-lib.sh"
dm_skip_unless_peers

echo "1..17"
peers_init
printf 'ups.status: OL\nbattery.charge: 100\n' >"$PEERS_DIR/a.dev"
peers_add_ups a "$PEERS_DIR/a.dev"
peers_start tls || peers_bail "the peers did not start"
dm_setup

# ---------------------------------------------------------------- detached
# Every path relative to the directory it is started in: a subdirectory
# "rel" of the test's, so that a path wrongly taken from / (where the
# daemon goes) names a directory that does not exist, and nothing is
# written outside the test's directory.
mkdir "$PEERS_DIR/rel"
chmod 755 "$PEERS_DIR/rel"
[ -n "$DM_USER_OPT" ] || mkdir -p "$PEERS_DIR/rel-state"

# the CA, relative too when it is in the test's directory (CERTFILE is
# read by the monitoring process, after detaching, and at each reload)
CA_REL=${CA_FILE#"$PEERS_DIR"/}

# rel_plan VERSION: rel/detach.conf, with the texts of VERSION (SHUTDOWNEXIT no: it goes on
# after its SHUTDOWNCMD, to be asked for it again)
rel_plan() {
	dm_plan rel/detach <<EOF
POLLFREQ 1 POLLFREQALERT 1 SHUTDOWNEXIT no
GROUP REAL HOST 127.0.0.1 PORT $UPSD_PORT CERTFILE "$CA_REL"
MONITOR a POWERVAL 1 UPSDUSER $PRIMARY_USER PASSWORD "$PRIMARY_PASS" TYPE primary
WHEN a REPORTS OL->OB : PRINT "$1 %(e)s"
WHEN a REPORTS OB->OL : PRINT "$1 %(e)s"
WHEN a REPORTS None->LB : PRINT "$1 %(e)s" SHUTDOWNCMD "/bin/true"
EOF
}

# _rel_has PATTERN: the NUT log of the detached daemon has a line matching PATTERN
_rel_has() {
	[ -f "$PEERS_DIR/rel/detach.log" ] && grep -q -- "$1" "$PEERS_DIR/rel/detach.log"
}

rel_plan v1
# shellcheck disable=SC2086 # UPSPLAN_VALGRIND and DM_USER_OPT are words
(cd "$PEERS_DIR" && ${UPSPLAN_VALGRIND:-} "$UPSPLAN" run $DM_USER_OPT --allow-warnings -p rel/detach.pid -l rel/detach.log \
	--trace rel/detach.trace --powerdownflag rel/killpower --state-file "$PEERS_DIR/rel-state/state.json" \
	--hostname testhost rel/detach.conf >"$PEERS_DIR/detach.out" 2>&1 </dev/null) ||
	peers_bail "upsplan run did not detach: $(cat "$PEERS_DIR/detach.out")"
dm_until 10 sh -c "[ -s '$PEERS_DIR/rel/detach.pid' ]" || peers_bail "the detached daemon wrote no PID file"
det_pid=$(cat "$PEERS_DIR/rel/detach.pid")
_peers_record upsplan-detach "$det_pid"

# 1-2: it runs, and its trace (opened after detaching) is written
check "detached: the NUT log given as a relative path gets the start-up messages" \
	dm_until 15 _rel_has 'state file '
dm_until 10 sh -c "[ -s '$PEERS_DIR/rel/detach.trace' ]" || true	# the first poll
dm_set_dev a OB
check "detached: an event reaches the NUT log and the trace (relative path)" \
	dm_until 10 sh -c "grep -q 'v1 OL->OB' '$PEERS_DIR/rel/detach.log' && grep -q 'OL->OB' '$PEERS_DIR/rel/detach.trace'"

# 3-5: SIGHUP with a changed plan given as a relative path
rel_plan v2
kill -HUP "$det_pid"
check "detached, relative plan path: SIGHUP reloads the plan" dm_until 10 _rel_has 'reload: the new plan runs'
check "detached, relative plan path: no 'has errors' for a good plan" sh -c "! grep -q 'has errors' '$PEERS_DIR/rel/detach.log'"
dm_set_dev a OL
check "the reloaded plan runs" dm_until 10 _rel_has 'v2 OB->OL'

# 6-7: SIGHUP with the plan gone: the log says it cannot be read
mv "$PEERS_DIR/rel/detach.conf" "$PEERS_DIR/rel/detach.away"
kill -HUP "$det_pid"
check "SIGHUP, plan missing: the log says it cannot read it" \
	dm_until 10 _rel_has "cannot read the plan $PEERS_DIR/rel/detach.conf (the reason is above): the running plan is kept"
check "SIGHUP, plan missing: not blamed on errors in the plan" sh -c "! grep -q 'has errors' '$PEERS_DIR/rel/detach.log'"
mv "$PEERS_DIR/rel/detach.away" "$PEERS_DIR/rel/detach.conf"

# 8: POWERDOWNFLAG, written by the root parent (or the one process) after detaching
dm_set_dev a "OB LB"
check "the POWERDOWNFLAG given as a relative path is written before the SHUTDOWNCMD" \
	dm_until 10 sh -c "test -f '$PEERS_DIR/rel/killpower' && grep -q upsmon-shutdown-file '$PEERS_DIR/rel/killpower' && grep -q 'SHUTDOWNCMD /bin/true ended with status 0' '$PEERS_DIR/rel/detach.log'"

# 9-10: the same SHUTDOWNCMD asked for again (LB once more): refused, naming its location once
dm_set_dev a OL
dm_until 10 sh -c "[ \$(grep -c 'v2 OB->OL' '$PEERS_DIR/rel/detach.log') -ge 2 ]" || true
dm_set_dev a "OB LB"
check "the same SHUTDOWNCMD again: 'not run again', its location named once" \
	dm_until 10 _rel_has 'SHUTDOWNCMD at [^ ]*/rel/detach.conf:[0-9]*:[0-9]* not run again: it already succeeded: this host is going down$'
check "no message names one location twice" sh -c "! grep -q 'SHUTDOWNCMD at \\([^ ]*\\) .*the one at \\1 ' '$PEERS_DIR/rel/detach.log'"

# 11-12: SIGTERM: it stops, and removes its PID file (a relative path)
kill -TERM "$det_pid"
dm_until 20 sh -c "! kill -0 $det_pid 2>/dev/null" || true
check "detached: SIGTERM stops it" sh -c "! kill -0 $det_pid 2>/dev/null"
check "detached: the PID file (a relative path) is removed at the stop" test ! -e "$PEERS_DIR/rel/detach.pid"

# ---------------------------------------------------------------- -F
# 13-14: in the foreground, the start-up facts (the user, the plan, how
# many UPS and upsd) come before what the connections say: here an upsd
# that refuses every connection at once
closed=$(peers_free_port | head -n 1)
dm_plan fg <<EOF
POLLFREQ 1
GROUP DOWN HOST 127.0.0.1 PORT $closed CERTFILE "$CA_FILE" MINSUPPLIES 0
MONITOR b POWERVAL 0 UPSDUSER nobody PASSWORD "none" TYPE secondary
WHEN b REPORTS COMM->NOCOMM : PRINT "fg %(e)s charge=%(c)s"
WHEN b TIMEOUT start : PRINT "fg start charge=%(c)s"
EOF
dm_start fg
dm_wait fg.err "UPS b@127.0.0.1:$closed: " 15 || true
# line_of PATTERN: the number of the first line of fg.err matching PATTERN, or 999999
line_of() {
	grep -n -- "$1" "$PEERS_DIR/fg.err" | head -n 1 | cut -d: -f1 | grep . || echo 999999
}
first_err=$(line_of "UPS b@127.0.0.1:$closed: ")
facts=$(line_of "monitoring 1 UPS with plan $PEERS_DIR/fg.conf, on 1 upsd$")
check "-F: 'monitoring 1 UPS with plan ..., on 1 upsd' (line $facts) before the first connection error (line $first_err)" \
	test "$facts" -lt "$first_err" -a "$first_err" -lt 999999
if [ -n "$DM_USER_OPT" ]; then
	user_line=$(line_of 'monitoring as user nobody (pid [0-9]*); SHUTDOWNCMDs run from here')
	check "-F: 'monitoring as user nobody' (line $user_line) before the first connection error (line $first_err)" \
		test "$user_line" -lt "$first_err"
else
	tap_skip "not root: one process, no user to drop to" "-F: 'monitoring as user' before the first connection error"
fi

# 15-17: %(c)s before any poll answered: 999, as always (simulate and
# UPSmon.py agree), and the log says why, once for the UPS
dm_wait fg.out 'fg start charge=' 15 || true
check "%(c)s with battery.charge unknown still renders 999" \
	sh -c "grep -q 'fg start charge=999\$' '$PEERS_DIR/fg.out' && grep -q 'fg COMM->NOCOMM charge=999\$' '$PEERS_DIR/fg.out'"
check "the log says why: battery.charge not known yet" \
	dm_wait fg.err "UPS b@127.0.0.1:$closed: battery.charge not known yet (no poll has answered it): %(c)s is 999 until it is" 1
check "... once for the UPS, though two texts showed 999" \
	test "$(dm_count fg.err 'battery.charge not known yet')" -eq 1
dm_stop fg

if [ -n "${PEERS_KEEP:-}" ]; then
	echo "--- rel/detach.log"
	tail -n 30 "$PEERS_DIR/rel/detach.log" 2>/dev/null || true
fi | sed 's/^/# /'
dm_done
