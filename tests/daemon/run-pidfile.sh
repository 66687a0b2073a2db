#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# run-pidfile.sh - TAP: upsplan run and its files: one daemon per PID file (locked), stale PID files taken over, planted PID file, NUT log, trace and POWERDOWNFLAG refused or replaced, reloads of a FIFO or of a plan others can change.
#
# Against a real upsd + dummy-ups over STARTTLS (tests/daemon/peers.sh).
# Started as root (as in CI), the daemon monitors as nobody and the
# checks of the files root writes run too; as another user they are
# skipped (TAP SKIP).
# Environment: UPSPLAN, PEERS_BINDIR (make check sets them); PEERS_KEEP=1
# keeps the temp dir.  Skips without nut-server, libnss3-tools, stunnel4.
set -eu

# shellcheck source=tests/daemon/daemon-lib.sh
. "$(cd "$(dirname "$0")" && pwd)/daemon-lib.sh"
dm_skip_unless_peers

echo "1..27"
peers_init
ACT=$PEERS_DIR/act
printf 'ups.status: OL\nbattery.charge: 100\n' >"$PEERS_DIR/a.dev"
peers_add_ups a "$PEERS_DIR/a.dev"
peers_start tls || peers_bail "the peers did not start"
dm_setup
root=0
[ "$(id -u)" -eq 0 ] && root=1

# plan NAME: a plan of UPS a whose low battery runs a harmless SHUTDOWNCMD (it writes NAME into act/shutdown);
# SHUTDOWNEXIT no: the daemon goes on (reloads) after it
plan() {
	dm_plan "$1" <<EOF
POLLFREQ 1 POLLFREQALERT 1 SHUTDOWNEXIT no
GROUP LOCAL HOST 127.0.0.1 PORT $UPSD_PORT CERTFILE "$CA_FILE"
MONITOR a POWERVAL 1 UPSDUSER $PRIMARY_USER PASSWORD "$PRIMARY_PASS" TYPE primary
WHEN a REPORTS OL->OB : PRINT "$1: %(e)s"
WHEN a REPORTS None->LB : SHUTDOWNCMD "/bin/sh -c 'echo $1 >> $ACT/shutdown'"
EOF
}

# second NAME [OPTION...]: upsplan run -F on NAME.conf that should not start; at most 8 s.
# STATUS, and its output in NAME-2.err
second() {
	_sc_name=$1
	shift
	set +e
	# shellcheck disable=SC2086 # UPSPLAN_VALGRIND and DM_USER_OPT are words
	timeout -k 2 8 ${UPSPLAN_VALGRIND:-} "$UPSPLAN" run -F $DM_USER_OPT --allow-warnings --hostname testhost \
		--powerdownflag="$PEERS_DIR/$_sc_name.killpower" "$@" \
		"$PEERS_DIR/$_sc_name.conf" </dev/null >"$PEERS_DIR/$_sc_name-2.err" 2>&1
	STATUS=$?
	set -e
}

# refused NAME STATUS PATTERN: the last `second` exited with STATUS at once, saying PATTERN (fixed text)
refused() {
	if [ "$STATUS" -eq "$2" ] && grep -qF -- "$3" "$PEERS_DIR/$_sc_name-2.err"; then
		ok "$1"
	else
		not_ok "$1" "exit $STATUS (124: still running after 8 s), expected $2 and: $3" \
			"$(head -n 5 "$PEERS_DIR/$_sc_name-2.err")"
	fi
}

started() {
	dm_wait "$1.err" 'monitoring 1 UPS with plan' 15
}

# 1-6: one daemon per PID file
plan one
dm_start one
started one || peers_bail "the daemon did not start: $(cat "$PEERS_DIR/one.err")"
first=$DM_PID_one
second one -p "$PEERS_DIR/one.pid"
refused "a second daemon with the same PID file is refused, naming the PID file, the running one's PID and what to do" 1 \
	"upsplan is already running (pid $first, PID file $PEERS_DIR/one.pid): stop it first (kill $first), or give this one another PID file (-p)"
if kill -0 "$first" 2>/dev/null && [ "$(cat "$PEERS_DIR/one.pid" 2>/dev/null)" = "$first" ]; then
	ok "the first one runs on and keeps its PID file"
else
	not_ok "the first one runs on and keeps its PID file" "PID file: $(cat "$PEERS_DIR/one.pid" 2>&1)"
fi
# holds PID FILE: the process PID has a descriptor open on FILE
holds() {
	for _hd_fd in /proc/"$1"/fd/*; do
		[ "$(readlink "$_hd_fd" 2>/dev/null)" = "$2" ] && return 0
	done
	return 1
}
if [ "$root" -eq 1 ]; then
	mon=$(pgrep -P "$first" | head -n 1)
	if [ -n "$mon" ] && holds "$first" "$PEERS_DIR/one.pid" && ! holds "$mon" "$PEERS_DIR/one.pid"; then
		ok "the lock is the root parent's: the monitoring child keeps no descriptor on the PID file"
	else
		not_ok "the lock is the root parent's: the monitoring child keeps no descriptor on the PID file" \
			"monitoring child: ${mon:-none}; root parent $first: $(ls -l "/proc/$first/fd" 2>&1)"
	fi
else
	tap_skip "not root: one process, no monitoring child" "the monitoring child keeps no descriptor on the PID file"
fi
dm_stop one
check "stopped, the daemon removes its PID file" test ! -e "$PEERS_DIR/one.pid"
dm_start one
if started one && [ "$(cat "$PEERS_DIR/one.pid" 2>/dev/null)" = "$DM_PID_one" ]; then
	ok "once the first has stopped, a new one starts with that PID file"
else
	not_ok "once the first has stopped, a new one starts with that PID file" "$(tail -n 3 "$PEERS_DIR/one.err")"
fi
dm_stop one
# a PID file left by a daemon that was killed: the PID of a process that has ended
sh -c 'echo $$' >"$PEERS_DIR/one.pid"
dm_start one
if started one && [ "$(cat "$PEERS_DIR/one.pid" 2>/dev/null)" = "$DM_PID_one" ]; then
	ok "a stale PID file (a dead PID, no lock) is taken over"
else
	not_ok "a stale PID file (a dead PID, no lock) is taken over" "$(tail -n 3 "$PEERS_DIR/one.err")"
fi

# 7-13: files planted where root writes (root only)
# victim NAME: a file of root's, mode 0600, that must stay as it is
victim() {
	printf 'root only\n' >"$PEERS_DIR/$1"
	chmod 600 "$PEERS_DIR/$1"
}
intact() {
	[ "$(stat -c '%U %a' "$PEERS_DIR/$1")" = "root 600" ] && [ "$(cat "$PEERS_DIR/$1")" = "root only" ]
}
if [ "$root" -eq 1 ]; then
	plan two
	printf '4242\n' >"$PEERS_DIR/nobody.pid"
	chown nobody "$PEERS_DIR/nobody.pid"
	chmod 666 "$PEERS_DIR/nobody.pid"
	second two -p "$PEERS_DIR/nobody.pid"
	refused "a PID file pre-created by another user is refused, with the fix" 1 \
		"'$PEERS_DIR/nobody.pid' belongs to nobody (uid 65534): it is not used as it is; remove it (rm '$PEERS_DIR/nobody.pid')"
	check "... and is left as it was (not written through)" \
		test "$(stat -c %U "$PEERS_DIR/nobody.pid"):$(cat "$PEERS_DIR/nobody.pid")" = "nobody:4242"
	victim passwd
	ln -s "$PEERS_DIR/passwd" "$PEERS_DIR/link.pid"
	second two -p "$PEERS_DIR/link.pid"
	refused "a PID file that is a symbolic link is refused" 1 "'$PEERS_DIR/link.pid' is a symbolic link"
	victim shadow
	ln "$PEERS_DIR/shadow" "$PEERS_DIR/hard.log"
	second two -p "$PEERS_DIR/two.pid" -l "$PEERS_DIR/hard.log"
	refused "-l: a hard link to a file of root's is refused" 2 "-l: '$PEERS_DIR/hard.log' has 2 hard links"
	check "... and that file is not given to the monitoring user" intact shadow
	printf 'x\n' >"$PEERS_DIR/daemons.trace"
	chown daemon "$PEERS_DIR/daemons.trace"
	second two -p "$PEERS_DIR/two.pid" --trace "$PEERS_DIR/daemons.trace"
	refused "--trace: a file of another user is refused" 2 "--trace: '$PEERS_DIR/daemons.trace' belongs to daemon (uid 1)"
	check "... and stays that user's" test "$(stat -c %U "$PEERS_DIR/daemons.trace")" = daemon
else
	tap_skip "not root: only root writes these files for another user" "PID file of another user" \
		"... left as it was" "PID file symbolic link" "-l hard link" "... not given away" \
		"--trace of another user" "... stays that user's"
fi

# 14-19: POWERDOWNFLAG planted as a link, and pre-created by another user: replaced, never written through
if [ "$root" -eq 1 ]; then
	victim killed
	ln -s "$PEERS_DIR/killed" "$PEERS_DIR/flag-link"
	printf 'x\n' >"$PEERS_DIR/flag-nobody"
	chown nobody "$PEERS_DIR/flag-nobody"
	chmod 666 "$PEERS_DIR/flag-nobody"
	plan three
	plan four
	dm_start three --powerdownflag "$PEERS_DIR/flag-link"
	dm_start four --powerdownflag "$PEERS_DIR/flag-nobody"
	if ! started three || ! started four; then
		peers_bail "the daemons did not start"
	fi
	dm_set_dev a "OB LB"
	dm_wait act/shutdown three 15 || true
	dm_wait act/shutdown four 15 || true
	for f in link nobody; do
		if [ "$(stat -c '%F %U %h' "$PEERS_DIR/flag-$f" 2>&1)" = "regular file root 1" ] &&
			grep -qx 'upsmon-shutdown-file' "$PEERS_DIR/flag-$f"; then
			ok "POWERDOWNFLAG ($f): a new file of root's, with NUT's text"
		else
			not_ok "POWERDOWNFLAG ($f): a new file of root's, with NUT's text" \
				"$(stat -c '%F %U %h' "$PEERS_DIR/flag-$f" 2>&1)" "$(cat "$PEERS_DIR/flag-$f" 2>&1)"
		fi
	done
	check "POWERDOWNFLAG: the file a planted link named is left as it was" intact killed
	check "POWERDOWNFLAG: the replaced link is logged" \
		dm_wait three.err "POWERDOWNFLAG $PEERS_DIR/flag-link is a symbolic link: replaced by a new file" 1
	check "POWERDOWNFLAG: the replaced file of another user is logged" \
		dm_wait four.err "POWERDOWNFLAG $PEERS_DIR/flag-nobody belongs to nobody (uid 65534): replaced by a new file" 1
	check "both SHUTDOWNCMDs ran (the flag did not stop them)" \
		sh -c "grep -qx three '$PEERS_DIR/act/shutdown' && grep -qx four '$PEERS_DIR/act/shutdown'"
	dm_stop three
	dm_stop four
	dm_set_dev a OL
else
	tap_skip "not root: only the root parent writes POWERDOWNFLAG" "POWERDOWNFLAG link" \
		"POWERDOWNFLAG of another user" "link target" "link logged" "other user logged" "SHUTDOWNCMDs"
fi

# 20-27: reloads read the plan as a start does: a FIFO is refused at once, so is a plan others can change
kill -HUP "$DM_PID_one"
check "SIGHUP: the plan is compiled again and runs" dm_wait one.err 'reload: the new plan runs (1 UPS)' 5
sleep 1	# the root parent hears that the monitoring child took it up
mv "$PEERS_DIR/one.conf" "$PEERS_DIR/one.keep"
mkfifo "$PEERS_DIR/one.conf"
kill -HUP "$DM_PID_one"
check "SIGHUP with a FIFO for the plan: refused at once, saying what it is" \
	dm_wait one.err "cannot read '$PEERS_DIR/one.conf': it is a FIFO (named pipe), not a regular file" 5
check "... and the running plan is kept, as one that cannot be read" \
	dm_wait one.err "cannot read the plan $PEERS_DIR/one.conf (the reason is above): the running plan is kept" 5
kill -USR1 "$DM_PID_one"
check "... and the daemon is not stuck (SIGUSR1 answered)" dm_wait one.err 'state: UPS a@' 5
rm -f "$PEERS_DIR/one.conf"
cp "$PEERS_DIR/one.keep" "$PEERS_DIR/one.conf"
chmod 660 "$PEERS_DIR/one.conf"
kill -HUP "$DM_PID_one"
check "SIGHUP with a plan its group can change: E110 with the fix" \
	dm_wait one.err "one.conf:1:1: error: '$PEERS_DIR/one.conf' can be changed by its group (mode 0660)" 5
check "... and the running plan is kept" dm_wait one.err 'one.conf has errors: the running plan is kept' 5
chmod 600 "$PEERS_DIR/one.conf"
kill -HUP "$DM_PID_one"
check "SIGHUP with the plan made right: it runs" dm_wait_count one.err 'reload: the new plan runs (1 UPS)' 2 5
dm_stop one
check "SIGTERM: stopped with status 0" test "$DM_STATUS" -eq 0

dm_done
