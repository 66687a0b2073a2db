#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# run-state.sh - TAP: the state file against a real upsd: kill -9 during an outage keeps the 120 s shutdown timer's deadline (SHUTDOWNCMD once, no second OL->OB); power back meanwhile cancels it; stale, foreign, other-boot, malformed and symlinked files are ignored; mode 0600, atomic, unchanged while nothing changes; after the SHUTDOWNCMD a restart stays out of upsd (SHUTDOWNEXIT; with no it logs in and runs no other), and the parent tells a new monitoring process that one succeeded.
#
# Environment: UPSPLAN, PEERS_BINDIR (make check sets them); PEERS_KEEP=1
# keeps the temp dir.  Skips without nut-server, libnss3-tools, stunnel4.
# Takes about 2.5 minutes: the timer of the outage runs its 120 s, the
# other checks run meanwhile.
set -eu

# shellcheck source=tests/daemon/daemon-lib.sh
. "$(cd "$(dirname "$0")" && pwd)/daemon-lib.sh"
dm_skip_unless_peers

echo "1..60"
peers_init
ACT=$PEERS_DIR/act
printf 'ups.status: OL\nbattery.charge: 100\n' >"$PEERS_DIR/a.dev"
printf 'ups.status: OL\nbattery.charge: 100\n' >"$PEERS_DIR/b.dev"
printf 'ups.status: OB\nbattery.charge: 100\n' >"$PEERS_DIR/c.dev"
printf 'ups.status: OL\nbattery.charge: 100\n' >"$PEERS_DIR/d.dev"
printf 'ups.status: OL\nbattery.charge: 100\n' >"$PEERS_DIR/e.dev"
printf 'ups.status: OL\nbattery.charge: 100\n' >"$PEERS_DIR/f.dev"
printf 'ups.status: OL\nbattery.charge: 100\n' >"$PEERS_DIR/g.dev"
printf 'ups.status: OL\nbattery.charge: 100\n' >"$PEERS_DIR/h.dev"
printf 'ups.status: OL\nbattery.charge: 100\n' >"$PEERS_DIR/i.dev"
for u in a b c d e f g h i; do
	peers_add_ups "$u" "$PEERS_DIR/$u.dev"
done
peers_start tls || peers_bail "the peers did not start"
dm_setup
MON_USER=$(id -un)
[ "$(id -u)" -ne 0 ] || MON_USER=nobody

# plan NAME UPS SECONDS [SETTING]: on battery, a timer of SECONDS; on line again, it
# is cancelled; at its end the SHUTDOWNCMD appends the time to act/NAME-shutdown;
# the time of each OL->OB goes to act/NAME-ob
plan() {
	{
		lhead $2 "${4-}"
		cat <<EOF
WHEN $2 REPORTS OL->OB : PRINT "%(e)s" SHELLCMD "date +%%s.%%N >> $ACT/$1-ob" STARTTIMER final $3
WHEN $2 REPORTS OB->OL : PRINT "%(e)s" CANCELTIMER final
WHEN $2 REPORTS None->LB : PRINT "%(e)s" SHUTDOWNCMD "/bin/sh -c 'echo lb >> $ACT/$1-shutdown'"
WHEN $2 TIMEOUT final : SHUTDOWNCMD "/bin/sh -c 'date +%%s.%%N >> $ACT/$1-shutdown'"
EOF
	} | dm_plan "$1"
}

# lhead UPS [SETTINGS]: the first lines of a plan: 1 s polls (and SETTINGS), group LOCAL on
# the test's upsd, UPS monitored as primary
lhead() {
	printf 'POLLFREQ 1 POLLFREQALERT 1%s\nGROUP LOCAL HOST 127.0.0.1 PORT %s CERTFILE "%s"\n' "${2:+ $2}" "$UPSD_PORT" "$CA_FILE"
	printf 'MONITOR %s POWERVAL 1 UPSDUSER %s PASSWORD "%s" TYPE primary\n' "$1" "$PRIMARY_USER" "$PRIMARY_PASS"
}

# logins UPS: upsd's NUMLOGINS for UPS, asked on a connection of our own (no login)
logins() {
	"$PEERS_PROBE" -q -t 5 -A "$CA_FILE" "$UPSD_HOST" "$UPSD_PORT" "GET NUMLOGINS $1" 2>/dev/null |
		awk '$1 == "NUMLOGINS" { print $3 }'
}
# logins_are UPS N: upsd counts N logins on UPS
logins_are() {
	[ "$(logins "$1")" = "$2" ]
}

# kill9 NAME: SIGKILL to every process of the daemon NAME (the root parent
# and its children, the monitoring process), at once; returns when gone
kill9() {
	eval "_k9_pid=\$DM_PID_$1"
	_k9_all="$_k9_pid $(ps -o pid= --ppid "$_k9_pid" | tr '\n' ' ')"
	# shellcheck disable=SC2086 # a list of PIDs
	kill -KILL $_k9_all 2>/dev/null || true
	for _k9_p in $_k9_all; do
		dm_until 10 sh -c "! kill -0 $_k9_p 2>/dev/null || [ \"\$(awk '{print \$3}' /proc/$_k9_p/stat 2>/dev/null)\" = Z ]" || true
	done
	wait "$_k9_pid" 2>/dev/null || true
}

# plant NAME FILE: FILE becomes the state file of daemon NAME, as if its monitoring user wrote it
plant() {
	rm -f "$PEERS_DIR/$1-state/state.json"
	cp "$2" "$PEERS_DIR/$1-state/state.json" &&
		chmod 600 "$PEERS_DIR/$1-state/state.json" && chown "$MON_USER" "$PEERS_DIR/$1-state/state.json" || :
}

# ---- 1-6: kill -9 during an outage with a 120 s timer running
plan run 'a' 120
SF=$PEERS_DIR/run-state/state.json
dm_start run
dm_wait run.err 'monitoring 1 UPS' 10 || true
dm_wait run.err 'state file .*: none yet: starting afresh' 1 || true
sleep 2
dm_set_dev a OB
check "the outage starts: OL->OB, the 120 s timer runs" dm_wait run.out '^OL->OB$' 5
dm_wait act/run-ob '^[0-9]' 5 || true
t_ob=$(head -n 1 "$ACT/run-ob")
check "the state file holds the running timer" dm_until 3 grep -q '"running": true' "$SF"
check "the state file is mode 0600, owned by the monitoring user ($MON_USER)" \
	test "$(stat -c '%a %U' "$SF")" = "600 $MON_USER"
before=$(stat -c '%i %Y' "$SF" 2>&1 || :)
sleep 4
check "not rewritten while nothing changes (4 polls: the same file)" test "$(stat -c '%i %Y' "$SF")" = "$before"
kill9 run
cp "$PEERS_DIR/run.err" "$PEERS_DIR/run-first.err"
sleep 3
dm_start run
check "restarted: the state file is adopted, the timer with its time left" \
	dm_wait run.err 'state file .* adopted (written [0-9.]* s ago): 1 UPS states, 1 timers (final 1[01][0-9]\.[0-9] s left)' 10
check "timer expiries wait for the first poll since the restart" \
	dm_wait run.err 'timer expiries run again: every UPS was polled since the start' 10

# ---- 7-13 (meanwhile): power back while the daemon is gone, its deadline passed: no SHUTDOWNCMD
plan back 'b' 6
dm_start back
dm_wait back.err 'monitoring 1 UPS' 10 || true
sleep 2
dm_set_dev b OB
check "power back during the downtime: OL->OB, a 6 s timer" dm_wait back.out '^OL->OB$' 5
dm_until 3 grep -q '"running": true' "$PEERS_DIR/back-state/state.json" || true
kill9 back
dm_set_dev b OL
sleep 8
dm_start back
check "restarted after the deadline: the timer is adopted, due" \
	dm_wait back.err 'adopted (written [0-9.]* s ago): 1 UPS states, 1 timers (final 0.0 s left)' 10
check "the first poll fires OB->OL (the adopted state was OB)" dm_wait back.out '^OB->OL$' 10
check "and the hold ends with it" dm_wait back.err 'timer expiries run again: every UPS was polled' 5
sleep 3
check "no SHUTDOWNCMD on stale knowledge" test ! -e "$ACT/back-shutdown"
check "the timer was cancelled by OB->OL, not expired" test "$(dm_count back.trace 'TO->final')" -eq 0
check "the state file says so: the timer is stopped" \
	sh -c "grep -q '\"running\": false' '$PEERS_DIR/back-state/state.json' && ! grep -q '\"running\": true' '$PEERS_DIR/back-state/state.json'"
dm_stop back

# ---- 36-40 (meanwhile): the monitoring process alone killed: the root parent starts it again, the timer keeps its deadline
if [ "$(id -u)" -eq 0 ]; then
	plan child 'b' 20
	dm_start child
	dm_wait child.err 'monitoring 1 UPS' 10 || true
	sleep 2
	dm_set_dev b OB
	check "child: OL->OB, a 20 s timer" dm_wait child.out '^OL->OB$' 5
	dm_wait act/child-ob '^[0-9]' 5 || true
	t_cob=$(head -n 1 "$ACT/child-ob")
	dm_until 3 grep -q '"running": true' "$PEERS_DIR/child-state/state.json" || true
	sleep 2
	cpid=$(sed -n 's/.*monitoring as user [a-z]* (pid \([0-9]*\)).*/\1/p' "$PEERS_DIR/child.err" | head -n 1)
	[ -z "$cpid" ] || kill -KILL "$cpid" 2>/dev/null || :
	check "child: killed, the root parent starts it again, the timer kept in the state file" \
		dm_wait child.err 'starting it again in 1 s with the plan it ran; its state file keeps the timers' 5
	check "child: the new monitoring process adopts the running timer" \
		dm_wait child.err 'adopted (written [0-9.]* s ago): 1 UPS states, 1 timers (final 1[0-9]\.[0-9] s left)' 10
	if dm_wait act/child-shutdown '^[0-9]' 30; then
		t_csd=$(head -n 1 "$ACT/child-shutdown")
		d=$(awk "BEGIN { printf \"%.2f\", $t_csd - $t_cob }")
		check "child: SHUTDOWNCMD at the original deadline: ${d} s after OL->OB (20 s +- one poll)" \
			awk "BEGIN { exit !($d >= 19 && $d <= 21) }"
	else
		not_ok "child: SHUTDOWNCMD at the original deadline" "no SHUTDOWNCMD within 30 s" "$(tail -n 20 "$PEERS_DIR/child.err")"
	fi
	sleep 2
	check "child: SHUTDOWNCMD once, one OL->OB across the restart" \
		sh -c "[ \"\$(grep -c . '$ACT/child-shutdown')\" -eq 1 ] && [ \"\$(grep -c 'OL->OB  *event' '$PEERS_DIR/child.trace')\" -eq 1 ]"
	dm_stop child
	dm_set_dev b OL
else
	tap_skip "not root (no root parent)" "the monitoring process alone killed" "the root parent starts it again" \
		"it adopts the timer" "the SHUTDOWNCMD at the original deadline" "once"
fi

# ---- 41-43 (meanwhile): killed with its SHUTDOWNCMD running (as systemd stops a
# service): the restarted daemon asks for it again, it is not forgotten
{
	lhead d
	cat <<EOF
WHEN d REPORTS OL->OB : STARTTIMER again-t 2
WHEN d TIMEOUT again-t : SHUTDOWNCMD "/bin/sh -c 'echo start >> $ACT/again-shutdown; sleep 8; echo done >> $ACT/again-shutdown'"
EOF
} | dm_plan again
dm_start again
dm_wait again.err 'monitoring 1 UPS' 10 || true
sleep 2
dm_set_dev d OB
dm_wait act/again-shutdown '^start' 10 || true
kill9 again	# the root parent, the monitoring process and the command
check "killed while its SHUTDOWNCMD runs: the state file says it runs" \
	grep -q '"state": "running"' "$PEERS_DIR/again-state/state.json"
dm_start again
check "restarted: the SHUTDOWNCMD whose outcome is unknown is asked for again" \
	dm_wait again.err 'the SHUTDOWNCMD at .*again.conf:[0-9]*:[0-9]* was running when the daemon stopped: asked for again' 15
check "it runs again to its end (the shutdown is not forgotten)" dm_wait act/again-shutdown '^done' 15
dm_stop again

# ---- 44-46 (meanwhile, root): the monitoring process dies while a SHUTDOWNCMD runs
# that then fails: the new one hears of it, and a later SHUTDOWNCMD may run
# (SHUTDOWNEXIT no: fail-2 is asked for, and refused, while A runs; run-shutexit.sh tests the logout)
if [ "$(id -u)" -eq 0 ]; then
	{
		lhead e "SHUTDOWNEXIT no"
		cat <<EOF
WHEN e REPORTS OL->OB : STARTTIMER fail-1 1 STARTTIMER fail-2 6 STARTTIMER fail-3 14
WHEN e TIMEOUT fail-1 : SHUTDOWNCMD "/bin/sh -c 'echo A >> $ACT/fail-shutdown; sleep 8; exit 1'"
WHEN e TIMEOUT fail-2 : SHUTDOWNCMD "/bin/sh -c 'echo B >> $ACT/fail-shutdown'"
WHEN e TIMEOUT fail-3 : SHUTDOWNCMD "/bin/sh -c 'echo C >> $ACT/fail-shutdown'"
EOF
	} | dm_plan fail
	dm_start fail
	dm_wait fail.err 'monitoring 1 UPS' 10 || true
	sleep 2
	dm_set_dev e OB
	dm_wait act/fail-shutdown '^A' 10 || true
	cpid=$(sed -n 's/.*monitoring as user [a-z]* (pid \([0-9]*\)).*/\1/p' "$PEERS_DIR/fail.err" | head -n 1)
	[ -z "$cpid" ] || kill -KILL "$cpid" 2>/dev/null || :
	check "the new monitoring process asks for it again; the parent, whose command runs, does not run it twice" \
		dm_wait fail.err 'SHUTDOWNCMD at .*fail.conf:5:[0-9]* not run: a SHUTDOWNCMD runs' 15
	check "the failure of the command reaches the new monitoring process" \
		dm_wait fail.err 'SHUTDOWNCMD at .*fail.conf:5:[0-9]*: status 1; a later SHUTDOWNCMD may run' 15
	check "so a later SHUTDOWNCMD runs, and the failed one ran once" \
		sh -c "dm_x=0; while [ \$dm_x -lt 150 ] && ! grep -q '^C' '$ACT/fail-shutdown'; do sleep 0.1; dm_x=\$((dm_x + 1)); done
			[ \"\$(tr '\\n' ' ' <'$ACT/fail-shutdown')\" = 'A C ' ]"
	dm_stop fail
else
	tap_skip "not root (no root parent)" "asked for again, not run twice" "the failure reaches the new process" \
		"a later SHUTDOWNCMD runs"
fi

# ---- 52-54 (meanwhile, root): a new monitoring process that knows nothing of the
# SHUTDOWNCMD that succeeded (no state file) is told so by the parent at its start:
# it latches it as succeeded, and (SHUTDOWNEXIT no) monitors but asks for none
if [ "$(id -u)" -eq 0 ]; then
	{
		lhead f "SHUTDOWNEXIT no"
		cat <<EOF
WHEN f REPORTS OL->OB : SHUTDOWNCMD "/bin/sh -c 'echo A >> $ACT/latch-shutdown'"
WHEN f REPORTS None->LB : SHUTDOWNCMD "/bin/sh -c 'echo B >> $ACT/latch-shutdown'"
WHEN f REPORTS None->CAL : SHUTDOWNCMD "/bin/sh -c 'echo C >> $ACT/latch-shutdown'"
EOF
	} | dm_plan latch
	dm_start latch --state-file none
	dm_wait latch.err 'monitoring 1 UPS' 10 || true
	sleep 2
	dm_set_dev f OB
	dm_wait latch.err 'SHUTDOWNCMD .* ended with status 0' 10 || true
	cpid=$(sed -n 's/.*monitoring as user [a-z]* (pid \([0-9]*\)).*/\1/p' "$PEERS_DIR/latch.err" | head -n 1)
	[ -z "$cpid" ] || kill -KILL "$cpid" 2>/dev/null || :
	dm_wait_count latch.err 'monitoring 1 UPS' 2 10 || true
	sleep 2
	dm_set_dev f "OB LB"
	# (the parent tells it at its READY=1, which comes before any request it could make:
	# it asks for nothing; PS_DONE_SUCCEEDED answers a request that would come anyway)
	check "latch: the new monitoring process learns at its start that the SHUTDOWNCMD succeeded, and asks for none" \
		dm_wait latch.err 'SHUTDOWNCMD at .*latch.conf:[45]:[0-9]* not run: the one at (asked for before a restart) already succeeded: this host is going down' 10
	dm_set_dev f "OB LB CAL"
	check "latch: so its latch says succeeded: a later SHUTDOWNCMD is not run, the host is going down" \
		dm_wait latch.err 'SHUTDOWNCMD at .*latch.conf:6:[0-9]* not run: the one at .* already succeeded: this host is going down' 10
	check "latch: the SHUTDOWNCMD ran once" test "$(tr '\n' ' ' <"$ACT/latch-shutdown")" = 'A '
	dm_stop latch
else
	tap_skip "not root (no root parent)" "latch: the parent does not run it again" "latch: the latch says succeeded" \
		"latch: the SHUTDOWNCMD ran once"
fi

# reborn NAME UPS SLEEP WAIT WHAT (root): the monitoring process of daemon NAME (no state
# file) asks for a SHUTDOWNCMD that sleeps SLEEP s then succeeds; once its log has WAIT,
# the UPS is back on line (the new process sees no OL->OB: it asks for nothing itself) and
# the process is killed; the new one must hear from the parent that the command
# succeeded, WHAT, and log out (SHUTDOWNEXIT yes): two tests
reborn() {
	{
		lhead $2
		cat <<EOF
WHEN $2 REPORTS OL->OB : SHUTDOWNCMD "/bin/sh -c 'sleep $3; echo A >> $ACT/$1-shutdown'"
EOF
	} | dm_plan "$1"
	dm_start "$1" --state-file none
	dm_wait "$1.err" 'monitoring 1 UPS' 10 || true
	sleep 2
	dm_set_dev "$2" OB
	dm_wait "$1.err" "$4" 10 || true
	dm_set_dev "$2" OL
	sleep 1
	_rb_pid=$(sed -n 's/.*monitoring as user [a-z]* (pid \([0-9]*\)).*/\1/p' "$PEERS_DIR/$1.err" | head -n 1)
	[ -z "$_rb_pid" ] || kill -KILL "$_rb_pid" 2>/dev/null || :
	dm_wait_count "$1.err" 'monitoring 1 UPS' 2 10 || true
	check "$1: the new monitoring process hears $5 that the SHUTDOWNCMD succeeded, and logs out (SHUTDOWNEXIT)" \
		dm_wait "$1.err" 'SHUTDOWNEXIT: the SHUTDOWNCMD at (asked for before a restart) succeeded: logged out of' 15
	check "$1: upsd counts no login on $2" dm_until 5 logins_are "$2" 0
	dm_stop "$1"
}

# ---- 55-58 (meanwhile, root): the monitoring process dies while its SHUTDOWNCMD runs,
# or after it ended; the new one hears of it when it ends, or at its READY=1
if [ "$(id -u)" -eq 0 ]; then
	reborn late g 6 'SHUTDOWNCMD at .*late.conf:4:[0-9]*: ' "when the command ends"
	reborn after h 0 'SHUTDOWNCMD .* ended with status 0' "at its start"
else
	tap_skip "not root (no root parent)" "late: the new monitoring process logs out" "late: no login on g" \
		"after: the new monitoring process logs out" "after: no login on h"
fi

# ---- 59-60 (meanwhile): out of upsd (SHUTDOWNEXIT) for longer than --state-max-age, the
# daemon still refreshes its state file: killed and started again, it adopts the
# SHUTDOWNCMD that succeeded and stays out of upsd
plan aged i 300
dm_start aged --state-max-age 4
dm_wait aged.err 'monitoring 1 UPS' 10 || true
sleep 2
dm_set_dev i "OB LB"
dm_wait aged.err 'SHUTDOWNEXIT: the SHUTDOWNCMD at .* logged out of' 10 || true
dm_wait aged.err 'status 0\|ended with status 0' 10 || true
sleep 7
kill9 aged
dm_start aged --state-max-age 4
check "aged: out of upsd 7 s (--state-max-age 4), killed and started again: the state file is young, it stays out" \
	dm_wait aged.err 'SHUTDOWNEXIT: the SHUTDOWNCMD at .*aged.conf:[0-9]*:[0-9]* succeeded in this boot: not logging in' 10
sleep 2
aged_out() {
	logins_are i 0 && [ "$(wc -l <"$ACT/aged-shutdown")" -eq 1 ]
}
check "aged: upsd counts no login on i, the SHUTDOWNCMD ran once" aged_out
dm_stop aged

# ---- 14-22 (meanwhile): state files that must be ignored; the daemon runs normally (a fresh start: OL->OB)
plan neg 'c' 300
dm_start neg
check "a state file to spoil: UPS c on battery, timer running" dm_wait neg.out '^OL->OB$' 10
dm_until 3 grep -q '"running": true' "$PEERS_DIR/neg-state/state.json" || true
dm_stop neg
cp "$PEERS_DIR/neg-state/state.json" "$PEERS_DIR/base.json" || : >"$PEERS_DIR/base.json"

# spoiled CASE WHY: start neg on the planted file, check the log line WHY and a fresh start
spoiled() {
	dm_start neg
	if dm_wait neg.err "state file .* ignored: $2" 10 && dm_wait neg.out '^OL->OB$' 10 &&
		! grep -q 'adopted' "$PEERS_DIR/neg.err"; then
		ok "$1: ignored with its reason, the daemon starts afresh (OL->OB)"
	else
		not_ok "$1: ignored with its reason, the daemon starts afresh (OL->OB)" "$(cat "$PEERS_DIR/neg.err")"
	fi
	dm_stop neg
}
awk '$1 == "\"written_boottime\":" { v = $2; sub(/,$/, "", v); printf " \"written_boottime\": %.3f,\n", v - 700; next } { print }' \
	"$PEERS_DIR/base.json" >"$PEERS_DIR/stale.json"
plant neg "$PEERS_DIR/stale.json"
spoiled "stale state (written 700 s ago, limit 600 s)" \
	'it was written 7[0-9][0-9] s ago, more than --state-max-age 600 s'
sed -e 's/"checksum": "[0-9a-f]*"/"checksum": "0123456789abcdef"/' -e 's/"name": "c"/"name": "zz"/' \
	"$PEERS_DIR/base.json" >"$PEERS_DIR/foreign.json"
plant neg "$PEERS_DIR/foreign.json"
spoiled "foreign state (another checksum, another UPS)" \
	'it is of another plan (.*, checksum 0123456789abcdef, .*; UPS LOCAL/c of this plan is not in it)'
sed 's/"boot_id": "[^"]*"/"boot_id": "00000000-1111-2222-3333-444444444444"/' \
	"$PEERS_DIR/base.json" >"$PEERS_DIR/boot.json"
plant neg "$PEERS_DIR/boot.json"
spoiled "state of another boot" 'it was written in another boot (boot id 00000000-1111-2222-3333-444444444444'
head -c 200 "$PEERS_DIR/base.json" >"$PEERS_DIR/cut.json"
plant neg "$PEERS_DIR/cut.json"
spoiled "a truncated state file" 'malformed JSON at line [0-9]*, column [0-9]*'
cp "$PEERS_DIR/base.json" "$PEERS_DIR/target.json"
rm -f "$PEERS_DIR/neg-state/state.json"
ln -s "$PEERS_DIR/target.json" "$PEERS_DIR/neg-state/state.json" || :
spoiled "a symbolic link as the state file" 'it is a symbolic link'
check "the link was replaced by a file, its target left alone" \
	sh -c "test -f '$PEERS_DIR/neg-state/state.json' && ! test -L '$PEERS_DIR/neg-state/state.json' && cmp -s '$PEERS_DIR/base.json' '$PEERS_DIR/target.json'"
# the same names under another checksum (an edited plan): adopted
sed 's/"checksum": "[0-9a-f]*"/"checksum": "0123456789abcdef"/' "$PEERS_DIR/base.json" >"$PEERS_DIR/names.json"
plant neg "$PEERS_DIR/names.json"
dm_start neg
check "another checksum, the same UPS and timer names: adopted" \
	dm_wait neg.err 'adopted (written [0-9.]* s ago): 1 UPS states, 1 timers (final [12][0-9][0-9]\.[0-9] s left)' 10
sleep 2
check "no second OL->OB after adopting it" test "$(dm_count neg.out '^OL->OB$')" -eq 0

# 23-26: a write that fails is logged once, and the file is written again when it can be
chmod 500 "$PEERS_DIR/neg-state" || :
dm_set_dev c OL
dm_wait neg.out '^OB->OL$' 10 || true
sleep 2	# tried again at each poll, at most once a second
dm_set_dev c OB
dm_wait neg.out '^OL->OB$' 10 || true
check "a failed write is logged once per episode (a change, polls, another change)" \
	test "$(dm_count neg.err 'state file .*: cannot create .*: Permission denied')" -eq 1
chmod 700 "$PEERS_DIR/neg-state" || :
check "written again once it can be (at the next poll)" dm_wait neg.err 'state file .* written again' 5
# rewritten atomically: by a rename (another inode), never visible half written
i1=$(stat -c %i "$PEERS_DIR/neg-state/state.json" 2>&1 || :)
torn=0
reads=0
for s in OB OL OB; do
	dm_set_dev c "$s"
	_end=$(($(date +%s) + 1))
	while [ "$(date +%s)" -le "$_end" ]; do
		if cat "$PEERS_DIR/neg-state/state.json" >"$PEERS_DIR/read.json" 2>/dev/null; then
			reads=$((reads + 1))
			[ "$(head -n 1 "$PEERS_DIR/read.json")" = '{' ] && [ "$(tail -n 1 "$PEERS_DIR/read.json")" = '}' ] ||
				torn=$((torn + 1))
		fi
	done
done
check "rewritten by a rename: another inode, no temporary file left" \
	sh -c "test -f '$PEERS_DIR/neg-state/state.json' && test \"\$(stat -c %i '$PEERS_DIR/neg-state/state.json')\" != '$i1' && test ! -e '$PEERS_DIR/neg-state/state.json.new'"
check "$reads reads while it changed: none saw a partial file" test "$torn" -eq 0 -a "$reads" -gt 10
dm_stop neg

# 27-28: as root, the state directory must be the monitoring user's
if [ "$(id -u)" -eq 0 ]; then
	mkdir "$PEERS_DIR/rootdir"
	rc=0
	"$UPSPLAN" run -F $DM_USER_OPT --state-file "$PEERS_DIR/rootdir/state.json" -p "$PEERS_DIR/x.pid" --powerdownflag=none --allow-warnings \
		"$PEERS_DIR/neg.conf" >/dev/null 2>"$PEERS_DIR/rootdir.err" || rc=$?
	check "a state directory of another user: refused, with the fix" \
		sh -c "[ $rc -eq 2 ] && grep -q 'belongs to uid 0, not to user nobody, who writes the state file: chown nobody: ' '$PEERS_DIR/rootdir.err'"
	ln -s "$PEERS_DIR/neg-state" "$PEERS_DIR/linkdir"
	rc=0
	"$UPSPLAN" run -F $DM_USER_OPT --state-file "$PEERS_DIR/linkdir/state.json" -p "$PEERS_DIR/x.pid" --powerdownflag=none --allow-warnings \
		"$PEERS_DIR/neg.conf" >/dev/null 2>"$PEERS_DIR/linkdir.err" || rc=$?
	check "a state directory that is a symbolic link: refused, with the fix" \
		sh -c "[ $rc -eq 2 ] && grep -q 'is a symbolic link: remove it' '$PEERS_DIR/linkdir.err'"
else
	tap_skip "not root" "a state directory of another user" "a state directory that is a symbolic link"
fi

# ---- 29-35 and 47-51, the end of 1-6: the SHUTDOWNCMD at the original deadline, once;
# a restart after it stays logged out (SHUTDOWNEXIT), or logs in and runs no other (SHUTDOWNEXIT no)
if dm_wait act/run-shutdown '^[0-9]' 140; then
	t_sd=$(head -n 1 "$ACT/run-shutdown")
	d=$(awk "BEGIN { printf \"%.2f\", $t_sd - $t_ob }")
	check "SHUTDOWNCMD at the original deadline: ${d} s after OL->OB (120 s +- one poll)" \
		awk "BEGIN { exit !($d >= 119 && $d <= 121) }"
else
	not_ok "SHUTDOWNCMD at the original deadline" "no SHUTDOWNCMD within 140 s"
fi
sleep 2
check "SHUTDOWNCMD ran exactly once" test "$(dm_count act/run-shutdown '^[0-9]')" -eq 1
check "the trace has one OL->OB across the restart (the adopted state: no second one)" \
	test "$(dm_count run.trace 'OL->OB  *event')" -eq 1
check "the state file latches the SHUTDOWNCMD as succeeded" dm_until 5 grep -q '"state": "succeeded"' "$SF"
kill9 run
dm_start run
check "a SHUTDOWNCMD that succeeded in this boot is adopted as such" \
	dm_wait run.err 'the SHUTDOWNCMD at .*run.conf:[0-9]*:[0-9]* succeeded in this boot: no SHUTDOWNCMD runs again' 10
# 47-49: SHUTDOWNEXIT yes (the default): the host goes down, so the restarted daemon never logs in again
# (a primary counting NUMLOGINS would wait for that login until HOSTSYNC); it stays up until SIGTERM
check "SHUTDOWNEXIT: the restarted daemon does not log in to upsd, and says so" \
	dm_wait run.err 'SHUTDOWNEXIT: the SHUTDOWNCMD at .*run.conf:[0-9]*:[0-9]* succeeded in this boot: not logging in to upsd; waiting for SIGTERM' 10
dm_set_dev a "OB LB"
sleep 3
if kill -0 "$DM_PID_run" 2>/dev/null && logins_are a 0 && ! grep -q 'LB' "$PEERS_DIR/run.out"; then
	ok "... upsd counts no login on a, no poll and no rule runs (None->LB unseen), the daemon stays up"
else
	not_ok "... upsd counts no login on a, no poll and no rule runs (None->LB unseen), the daemon stays up" \
		"NUMLOGINS a: $(logins a)" "$(tail -n 20 "$PEERS_DIR/run.err")"
fi
dm_stop run
check "... SIGTERM stops it (status 0)" test "$DM_STATUS" -eq 0
# 50-51, 34-35: SHUTDOWNEXIT no: the restarted daemon logs in and polls; a later SHUTDOWNCMD is not run
dm_set_dev a OB
plan run 'a' 120 'SHUTDOWNEXIT no'
dm_start run
check "SHUTDOWNEXIT no: the latch is adopted again (same names, another plan)" \
	dm_wait run.err 'the SHUTDOWNCMD at .*run.conf:[0-9]*:[0-9]* succeeded in this boot: no SHUTDOWNCMD runs again' 10
check "... and the daemon logs in to upsd" dm_until 20 logins_are a 1
dm_set_dev a "OB LB"
check "... and no SHUTDOWNCMD runs again (None->LB's is skipped)" \
	dm_wait run.err 'SHUTDOWNCMD at .* not run.*: .*already succeeded: this host is going down' 10
check "the SHUTDOWNCMD file still has one line" test "$(wc -l <"$ACT/run-shutdown")" -eq 1
dm_stop run
dm_done
