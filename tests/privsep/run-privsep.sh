#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# run-privsep.sh - TAP: the root parent of upsplan run against a compromised monitoring child (evil-child.so): every malformed frame, a child that dies, stalls or stops reading; restarts and queued reloads; in a private PID namespace with a canary.
#
# Environment: UPSPLAN, EVIL_SHIM (tests/privsep/evil-child.so), PEERS_BINDIR
# (for sd-listen and mkutmp); make check sets them.  Needs root (the
# parent drops the child to nobody) and unshare(1) with PID namespaces:
# without them, a TAP skip.  KEEP=1 keeps the scratch directory.
#
# Every case runs in one PID namespace of its own (this script re-runs
# itself as its first process, `unshare -fp --mount-proc`), beside a canary
# process: a root parent that signals pid -1 (every process it may) ends
# the canary but nothing outside the namespace.
set -eu
LC_ALL=C
export LC_ALL
: "${UPSPLAN:=./upsplan}"

if [ "${PRIVSEP_IN_NS:-}" != 1 ]; then
	if [ "$(id -u)" -ne 0 ]; then
		echo "1..0 # SKIP needs root (the monitoring child is dropped to nobody)"
		exit 0
	fi
	if ! command -v unshare >/dev/null 2>&1 || ! unshare -fp --mount-proc true 2>/dev/null; then
		echo "1..0 # SKIP no PID namespaces here (unshare -fp --mount-proc)"
		exit 0
	fi
	if [ ! -x "$UPSPLAN" ] || [ ! -f "${EVIL_SHIM:-}" ]; then
		echo "1..0 # SKIP $UPSPLAN or the shim (EVIL_SHIM) is not built"
		exit 0
	fi
	PRIVSEP_IN_NS=1 exec unshare -fp --mount-proc sh "$0" "$@"
fi

n=0
failed=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
not_ok() {
	n=$((n + 1))
	failed=1
	echo "not ok $n - $1"
	shift
	for l in "$@"; do printf '%s\n' "$l" | sed 's/^/# /'; done
}
check() {
	_c=$1
	shift
	if "$@"; then ok "$_c"; else not_ok "$_c" "failed: $*"; fi
}

D=$(mktemp -d "${TMPDIR:-/tmp}/upsplan-privsep.XXXXXX")
chmod 755 "$D"
mkdir "$D/once" "$D/act"
chmod 1777 "$D/once" "$D/act"
finish() {
	[ $failed -eq 0 ] && [ -z "${KEEP:-}" ] && rm -rf "$D"
	[ $failed -eq 0 ] || echo "# scratch directory kept: $D"
}
trap finish EXIT

# the canary: a root parent that signals every process ends it (then a new one
# is started, so that each case is judged on its own)
sleep 3600 &
CANARY=$!
CANARY_DIED=0
canary_alive() {
	kill -0 "$CANARY" 2>/dev/null && return 0
	CANARY_DIED=1
	sleep 3600 &
	CANARY=$!
	return 1
}

# a CA file the honest children load (they reach no upsd: the port is closed)
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj /CN=privsep-test -days 2 \
	-keyout "$D/ca.key" -out "$D/ca.pem" >/dev/null 2>&1
chmod 644 "$D/ca.pem"
PORT=$("$PEERS_BINDIR/freeport")

# plan N_UPS: a plan with that many UPS; the SHUTDOWNCMD runs only at TIMEOUT t, which no honest child reaches
plan() {
	{
		echo "POLLFREQ 1"
		echo "GROUP LOCAL HOST 127.0.0.1 PORT $PORT CERTFILE \"$D/ca.pem\""
		i=1
		while [ "$i" -le "$1" ]; do
			echo "MONITOR u$i POWERVAL 1 UPSDUSER x PASSWORD \"y\" TYPE primary"
			i=$((i + 1))
		done
		echo "WHEN u1 REPORTS OL->OB : STARTTIMER t 100"
		echo "WHEN u1 TIMEOUT t : SHUTDOWNCMD \"/bin/sh -c 'echo ran %(c)s >> $D/act/shutdown'\""
	} >"$D/plan.conf.tmp"
	chmod 600 "$D/plan.conf.tmp"
	mv "$D/plan.conf.tmp" "$D/plan.conf"
}
plan 1
SHUT_PC=$("$UPSPLAN" disasm "$D/plan.conf" 2>/dev/null | awk '$2 == "SHUTDOWNCMD" { print $1; exit }')

# pause SECONDS: sleep, even when a broken parent's kill(-1) ends the sleep (then `set -e` would end the test)
pause() { sleep "$1" || :; }

# wait_for FILE PATTERN SECONDS: 0 once FILE has a line matching PATTERN
wait_for() {
	_w=0
	while [ "$_w" -lt $(($3 * 10)) ]; do
		grep -q -- "$2" "$1" 2>/dev/null && return 0
		pause 0.1
		_w=$((_w + 1))
	done
	return 1
}

# wait_count FILE PATTERN N SECONDS: 0 once N lines of FILE match PATTERN
wait_count() {
	_w=0
	while [ "$_w" -lt $(($4 * 10)) ]; do
		[ "$(grep -c -- "$2" "$1" 2>/dev/null)" -ge "$3" ] && return 0
		pause 0.1
		_w=$((_w + 1))
	done
	return 1
}

# start CASE [OPTION...]: upsplan run with the shim; the child of the first start is CASE
start() {
	CASE=$1
	shift
	LOG=$D/$CASE.log
	env LD_PRELOAD="$EVIL_SHIM" ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0" \
		UPSPLAN_EVIL="$CASE" UPSPLAN_EVIL_ONCE="$D/once/$CASE" \
		"$UPSPLAN" run -F -u nobody --allow-warnings -p "$D/$CASE.pid" --hostname privsep \
		--powerdownflag="$D/$CASE.killpower" "$@" "$D/plan.conf" \
		>"$LOG" 2>&1 </dev/null &
	PID=$!
}

# stop: SIGTERM to the parent; SIGKILL after 10 s (a parent stuck in a write); STATUS is its exit status
stop() {
	kill -TERM "$PID" 2>/dev/null || :
	_i=0
	while ! gone "$PID"; do
		_i=$((_i + 1))
		if [ $_i -ge 100 ]; then
			echo "# $CASE: the parent did not stop on SIGTERM within 10 s: killed"
			kill -KILL "$PID" 2>/dev/null || :
			break
		fi
		pause 0.1
	done
	set +e
	wait "$PID"
	STATUS=$?
	set -e
}

# gone PID: the process has ended (or is a zombie waiting for this shell)
gone() { [ ! -e "/proc/$1" ] || [ "$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null)" = Z ]; }

show() { sed 's/^/  | /' "$LOG" | tail -n 20; }

# wait_restarted SECONDS: 0 once a monitoring child has logged its start after "starting it again"
wait_restarted() {
	_w=0
	while [ "$_w" -lt $(($1 * 10)) ]; do
		sed -n '/starting it again/,$p' "$LOG" 2>/dev/null | grep -q 'monitoring as user nobody (pid' && return 0
		pause 0.1
		_w=$((_w + 1))
	done
	return 1
}

# one case: the child of CASE misbehaves, the parent says PATTERN, the canary lives, an honest child follows
malformed() {
	start "$1"
	if wait_for "$LOG" "$2" 15; then ok "$1: the parent refuses it: '$2'"; else not_ok "$1: the parent refuses it: '$2'" "$(show)"; fi
	check "$1: nobody else was signalled (canary alive)" canary_alive
	# the honest child logs "monitoring as user" itself once it has
	# dropped root (the shim takes the misbehaving one over before that)
	if wait_for "$LOG" "starting it again" 15 && wait_restarted 5; then
		ok "$1: an honest monitoring child is started again"
	else
		not_ok "$1: an honest monitoring child is started again" "$(show)"
	fi
	stop
	check "$1: the daemon stops on SIGTERM with status 0" [ "$STATUS" -eq 0 ]
}

# 1. the frames a child can get wrong: each is refused by its header or its checker
malformed unknown-kind 'malformed frame (kind 99'
malformed parent-kind 'malformed frame (kind 2,.*only the parent sends'
malformed image-kind 'malformed frame (kind 3,'
malformed long-notify 'malformed frame (kind 4, 100000 bytes'
malformed huge-len 'malformed frame (kind 1, 4294967295 bytes'
malformed short-shutdown 'malformed frame (kind 1, 8 bytes'
malformed empty-notify 'malformed frame (kind 4, 0 bytes'
malformed charge-unterminated 'battery.charge text is not terminated'
malformed notify-mainpid 'not a state the daemon sends'
malformed notify-newline 'holds a NUL or a line feed'
malformed notify-nul 'holds a NUL or a line feed'
malformed desktop-nul 'malformed frame (kind 5, 5 bytes: it holds a NUL'
malformed ack-bad 'neither 0 nor 1'
malformed reload-payload 'malformed frame (kind 7, 4 bytes'
malformed refused-kind 'malformed frame (kind 8,.*only the parent sends'

# 2. half a frame, then silence, deaf to SIGTERM: not waited for, killed
start stall
if wait_for "$LOG" "stopped in the middle of a frame" 5; then ok "stall: refused within the 2 s frame limit"; else not_ok "stall: refused within the 2 s frame limit" "$(show)"; fi
if wait_for "$LOG" "did not stop: killed" 10; then ok "stall: a child deaf to SIGTERM is killed"; else not_ok "stall: a child deaf to SIGTERM is killed" "$(show)"; fi
check "stall: canary alive" canary_alive
stop

# 2b. a child deaf to SIGTERM cannot keep the daemon from stopping
start deaf
pause 1
kill -TERM "$PID" 2>/dev/null || :
if wait_for "$LOG" "did not stop: killed" 20; then ok "deaf: a child deaf to SIGTERM is killed when the daemon stops"; else not_ok "deaf: a child deaf to SIGTERM is killed when the daemon stops" "$(show)"; fi
_i=0
while ! gone "$PID" && [ $_i -lt 50 ]; do pause 0.1; _i=$((_i + 1)); done
check "deaf: and the daemon stops" gone "$PID"
stop

# 3. many good frames, then a bad header, then the end (read after the child is reaped)
start frames-then-bad
if wait_for "$LOG" "malformed frame (kind 99" 15; then ok "frames-then-bad: the bad header is refused"; else not_ok "frames-then-bad: the bad header is refused" "$(show)"; fi
pause 1
check "frames-then-bad: nobody else was signalled (canary alive)" canary_alive
stop

# 4. a ready child dies while a process of its own keeps the socket busy; SIGTERM to the parent then
start die-keep-socket
wait_for "$LOG" "monitoring as user nobody (pid" 10 || :
CHILD=$(sed -n 's/.*monitoring as user nobody (pid \([0-9]*\)).*/\1/p' "$LOG" | head -n 1)
_i=0
while [ -n "$CHILD" ] && [ -e "/proc/$CHILD" ] && [ $_i -lt 100 ]; do
	pause 0.05
	_i=$((_i + 1))
done
pause 0.3
kill -TERM "$PID" 2>/dev/null || :
pause 1
check "die-keep-socket: SIGTERM after the child died signals nobody else (canary alive)" canary_alive
stop
check "die-keep-socket: the daemon stops with status 0" [ "$STATUS" -eq 0 ]

# 5. requests: only the plan's own SHUTDOWNCMD runs, once
shutdown_case() {
	_name=$1
	shift
	rm -f "$D/act/shutdown" "$D/killpower"
	env "$@" sh -c '
		LD_PRELOAD="$0" ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0" \
		UPSPLAN_EVIL=shutdown UPSPLAN_EVIL_ONCE="$1" exec "$2" run -F -u nobody --allow-warnings -p "$3" --hostname privsep \
			--powerdownflag "$4" "$5"' \
		"$EVIL_SHIM" "$D/once/$_name" "$UPSPLAN" "$D/$_name.pid" "$D/killpower" "$D/plan.conf" \
		>"$D/$_name.log" 2>&1 </dev/null &
	PID=$!
	CASE=$_name
	LOG=$D/$_name.log
}
shutdown_case wrong-gen UPSPLAN_EVIL_GEN=9 UPSPLAN_EVIL_PC="$SHUT_PC" UPSPLAN_EVIL_TIMER=0
if wait_for "$LOG" "SHUTDOWNCMD of plan 9, this process has plan 0: refused" 10; then ok "wrong plan generation: refused"; else not_ok "wrong plan generation: refused" "$(show)"; fi
pause 1.5
check "wrong plan generation: nothing ran" [ ! -e "$D/act/shutdown" ]
stop
shutdown_case bad-pc UPSPLAN_EVIL_PC=1 UPSPLAN_EVIL_TIMER=0
if wait_for "$LOG" "code offset 1, which is not a SHUTDOWNCMD of the plan: refused" 10; then ok "an offset that is not a SHUTDOWNCMD: refused"; else not_ok "an offset that is not a SHUTDOWNCMD: refused" "$(show)"; fi
stop
shutdown_case bad-ups UPSPLAN_EVIL_PC="$SHUT_PC" UPSPLAN_EVIL_UPS=999 UPSPLAN_EVIL_TIMER=0
if wait_for "$LOG" "not a SHUTDOWNCMD of the plan: refused" 10; then ok "a UPS the plan does not have: refused"; else not_ok "a UPS the plan does not have: refused" "$(show)"; fi
stop
shutdown_case bad-failing UPSPLAN_EVIL_PC="$SHUT_PC" UPSPLAN_EVIL_TIMER=0 UPSPLAN_EVIL_FAILING=2
if wait_for "$LOG" "power_failing is neither 0 nor 1" 10; then ok "power_failing neither 0 nor 1: refused"; else not_ok "power_failing neither 0 nor 1: refused" "$(show)"; fi
stop
shutdown_case bad-timer UPSPLAN_EVIL_PC="$SHUT_PC" UPSPLAN_EVIL_TIMER=999
if wait_for "$LOG" "not a SHUTDOWNCMD of the plan: refused" 10; then ok "a timer the plan does not have: refused"; else not_ok "a timer the plan does not have: refused" "$(show)"; fi
pause 1.5
check "refused requests: nothing ran, no POWERDOWNFLAG" [ ! -e "$D/act/shutdown" ] && [ ! -e "$D/killpower" ]
stop
shutdown_case twice UPSPLAN_EVIL_PC="$SHUT_PC" UPSPLAN_EVIL_TIMER=0
if wait_for "$LOG" "SHUTDOWNCMD .* ended with status 0" 10 && wait_for "$LOG" "succeeded already: the one asked for" 5; then
	ok "the plan's SHUTDOWNCMD asked twice: run once, the second refused"
else
	not_ok "the plan's SHUTDOWNCMD asked twice: run once, the second refused" "$(show)"
fi
check "it ran once, rendered by the parent from its own plan" [ "$(cat "$D/act/shutdown" 2>/dev/null)" = "ran 42" ]
check "POWERDOWNFLAG written before it" [ -f "$D/killpower" ]
check "shutdown requests: canary alive" canary_alive
stop

# 6. an acknowledgement of a plan that was never sent: ignored, not obeyed
start ack-unsent
if wait_for "$LOG" "took up plan 5, which was not sent: ignored" 10; then ok "ack of an unsent plan: ignored"; else not_ok "ack of an unsent plan: ignored" "$(show)"; fi
stop

# 7. slow is not malformed: a good frame one byte every 10 ms reaches the service manager
"$PEERS_BINDIR/sd-listen" "$D/notify.sock" "$D/notify.rec" 2>"$D/sd-listen.log" &
SDL=$!
_i=0
while [ ! -S "$D/notify.sock" ] && [ $_i -lt 50 ]; do sleep 0.1; _i=$((_i + 1)); done
NOTIFY_SOCKET=$D/notify.sock
export NOTIFY_SOCKET
start slow-valid
if wait_for "$D/notify.rec" "STATUS=slow frame done" 10 && ! grep -q malformed "$LOG"; then
	ok "slow-valid: a frame sent one byte at a time is taken whole"
else
	not_ok "slow-valid: a frame sent one byte at a time is taken whole" "$(show)" "$(cat "$D/notify.rec" 2>/dev/null)"
fi
stop
unset NOTIFY_SOCKET
kill "$SDL" 2>/dev/null || :
wait "$SDL" 2>/dev/null || :

# 8. a child that never reads what the parent answers cannot block it
start no-read
if wait_for "$LOG" "does not read what this process sends: stopping it" 30; then ok "no-read: the parent gives up writing within its time limit"; else not_ok "no-read: the parent gives up writing within its time limit" "$(tail -n 5 "$LOG")"; fi
check "no-read: canary alive" canary_alive
stop
check "no-read: the parent still answers SIGTERM (status 0)" [ "$STATUS" -eq 0 ]

# 9. a flood of desktop texts: at most 30 a minute are shown
"$PEERS_BINDIR/mkutmp" "$D/utmp" nobody tty7 :0 $$
start desktop-flood --utmp "$D/utmp" --notify "/bin/sh -c 'echo \"\$1\" >> $D/act/notify.log' notify"
if wait_for "$LOG" "more than 30 texts in a minute" 10; then ok "desktop-flood: limited, and said so"; else not_ok "desktop-flood: limited, and said so" "$(show)"; fi
pause 2
check "desktop-flood: at most 30 NOTIFY commands ran" [ "$(wc -l <"$D/act/notify.log" 2>/dev/null || echo 0)" -le 30 ]
stop

# 9b. a flood of reload requests (upsplan ctl reload's frame): one reload, one line for the rest
start reload-flood
wait_for "$LOG" "asks for a reload asked again within 2 s" 10 || :
pause 2.5
if [ "$(grep -c 'compiling .* again' "$LOG")" -eq 1 ] && [ "$(grep -c 'asks for a reload' "$LOG")" -eq 2 ]; then
	ok "reload-flood: 500 requests, one reload, the others refused with one line"
else
	not_ok "reload-flood: 500 requests, one reload, the others refused with one line" "$(show)"
fi
check "reload-flood: canary alive" canary_alive
stop
check "reload-flood: the daemon stops with status 0" [ "$STATUS" -eq 0 ]

# 10. an honest child that crashes is started again; one that ends by itself ends the daemon
: >"$D/once/honest-crash"	# already "used": every child is honest
start honest-crash
wait_for "$LOG" "monitoring as user nobody (pid" 10 || :
pause 1
CHILD=$(sed -n 's/.*monitoring as user nobody (pid \([0-9]*\)).*/\1/p' "$LOG" | head -n 1)
[ -z "$CHILD" ] || kill -KILL "$CHILD" 2>/dev/null || :
if wait_for "$LOG" "the monitoring process died (signal 9)" 5 && wait_for "$LOG" "starting it again in 1 s" 1 &&
	wait_count "$LOG" "monitoring as user nobody" 2 5 && pause 1 &&
	[ "$(grep -c 'monitoring as user nobody' "$LOG")" -eq 2 ]; then
	ok "a child killed by SIGKILL is started again after 1 s"
else
	not_ok "a child killed by SIGKILL is started again after 1 s" "$(show)"
fi
CHILD=$(sed -n 's/.*monitoring as user nobody (pid \([0-9]*\)).*/\1/p' "$LOG" | tail -n 1)
[ -z "$CHILD" ] || kill -TERM "$CHILD" 2>/dev/null || :
pause 2
check "a child that ends by itself (SIGTERM to it alone) ends the daemon" gone "$PID"
stop
check "... with status 0" [ "$STATUS" -eq 0 ]

# 11. a SIGHUP while the child has not taken up the last plan is done after it (a quick second edit is not lost)
: >"$D/once/honest-hup"
start honest-hup
wait_for "$LOG" "monitoring 1 UPS" 10 || :
CHILD=$(sed -n 's/.*monitoring as user nobody (pid \([0-9]*\)).*/\1/p' "$LOG" | head -n 1)
kill -STOP "$CHILD" 2>/dev/null || :
plan 2
kill -HUP "$PID" 2>/dev/null || :
wait_for "$LOG" "SIGHUP: compiling" 5 || :
plan 3
kill -HUP "$PID" 2>/dev/null || :
if wait_for "$LOG" "has not yet taken up the last plan: the plan is compiled again after that" 5; then
	ok "a second SIGHUP while a plan is on its way is queued"
else
	not_ok "a second SIGHUP while a plan is on its way is queued" "$(show)"
fi
kill -CONT "$CHILD" 2>/dev/null || :
if wait_for "$LOG" "reload: the new plan runs (3 UPS)" 10; then ok "the second edit runs"; else not_ok "the second edit runs" "$(show)"; fi
check "reloads: canary alive" canary_alive
stop
plan 1

check "the canary lived through every case" [ "$CANARY_DIED" -eq 0 ]
kill "$CANARY" 2>/dev/null || :
echo "1..$n"
