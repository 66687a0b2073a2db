#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# fsd-cli.sh - TAP: upsplan fsd trusts only a PID file that is a regular file, not a link, not writable by others, with a PID above 0, locked by a running process; then it sends SIGUSR2 to that PID, and to nothing else.
#
# Environment: UPSPLAN (default ./upsplan), top_srcdir.  Scratch files:
# tests/fsd-cli.d in the current directory, kept when a test fails.
# A stand-in daemon: a shell that holds the PID file's lock (flock(1))
# and records the SIGUSR2 it gets; skipped without flock.
set -eu

# shellcheck source=tests/tap-env.sh
. "$(dirname "$0")/tap-env.sh"
need_upsplan

tap_scratch fsd-cli

# refused PIDFILE WHAT PATTERN: upsplan fsd -p PIDFILE exits 1, says PATTERN, and sends nothing
refused() {
	run "$upsplan" fsd -p "$1"
	if [ "$status" -eq 1 ] && grep -q -- "$3" err && [ ! -s out ] && [ ! -e got ]; then
		ok "refused: $2"
	else
		not_ok "refused: $2" "exit $status (expected 1)" "$(cat out err)" "$(cat got 2>/dev/null || true)"
	fi
}

echo "1..16"

# the stand-in: holds pid.lock's lock, writes its PID there, writes "got" on SIGUSR2
have_flock=0
if command -v flock >/dev/null 2>&1; then
	have_flock=1
	: >pid.lock
	flock -n pid.lock sh -c 'trap "echo usr2 >>got" USR2; echo $$ >pid.lock; i=0; while [ $i -lt 600 ]; do sleep 0.1; i=$((i + 1)); done' &
	holder=$!
	i=0
	while [ ! -s pid.lock ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
	target=$(cat pid.lock)
fi

# 1-2: usage
run "$upsplan" fsd extra
if [ "$status" -eq 2 ] && grep -q "unexpected argument 'extra'" err; then ok "a stray argument is a usage error"; else not_ok "a stray argument is a usage error" "$(cat err)"; fi
run "$upsplan" help fsd
if [ "$status" -eq 0 ] && grep -q 'Usage: upsplan fsd \[-p PIDFILE\]' out; then ok "help fsd"; else not_ok "help fsd" "$(cat out err)"; fi

# 3-11: PID files it refuses
refused missing.pid "no such file" 'cannot open the PID file missing.pid: No such file or directory: is upsplan run running'
if [ "$have_flock" -eq 1 ]; then
	ln -s pid.lock link.pid
	refused link.pid "a symbolic link (to the right file, even)" 'it is a symbolic link, which is not followed'
	ln pid.lock hard.pid
	refused hard.pid "a file with two links" 'has 2 hard links'
	rm hard.pid
	cp pid.lock open.pid
	chmod 666 open.pid
	refused open.pid "a file other users can write" 'can be written by other users (mode 0666'
	chmod 620 open.pid
	refused open.pid "a file its group can write" 'can be written by other users (mode 0620'
	cp pid.lock stale.pid
	refused stale.pid "a file no process holds (the PID of a live process in it)" 'no upsplan holds the PID file stale.pid'
else
	tap_skip "no flock(1)" "refused: a symbolic link" "refused: two links" "refused: writable by others" \
		"refused: writable by its group" "refused: a file no process holds"
fi
mkdir dir.pid
refused dir.pid "a directory" 'dir.pid is a directory'
for bad in 0 -1 abc "" 99999999999 "12 13"; do
	printf '%s\n' "$bad" >bad.pid
	chmod 644 bad.pid
	run "$upsplan" fsd -p bad.pid
	if [ "$status" -ne 1 ] || ! grep -q 'does not hold a PID above 0' err; then
		echo "# '$bad': exit $status: $(cat err)"
		badok=0
	fi
done
if [ "${badok-1}" -eq 1 ]; then ok "refused: 0, -1, words, nothing, too large, two numbers"; else not_ok "refused: 0, -1, words, nothing, too large, two numbers"; fi
case $(cat got 2>/dev/null || true) in
"") ok "nothing was sent to the stand-in for any of them" ;;
*) not_ok "nothing was sent to the stand-in for any of them" "$(cat got)" ;;
esac

# 12-14: the locked file of a live process: SIGUSR2 to it
if [ "$have_flock" -eq 1 ]; then
	run "$upsplan" fsd -p pid.lock
	if [ "$status" -eq 0 ] && grep -q "forced shutdown asked of upsplan (pid $target)" out; then
		ok "a locked PID file: sent, and said so"
	else
		not_ok "a locked PID file: sent, and said so" "$(cat out err)"
	fi
	i=0
	while [ ! -s got ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
	if [ "$(cat got 2>/dev/null)" = usr2 ]; then ok "the process got SIGUSR2, once"; else not_ok "the process got SIGUSR2, once" "$(cat got 2>/dev/null)"; fi
	kill "$target" 2>/dev/null || true
	wait "$holder" 2>/dev/null || true	# flock(1) ends with it
	i=0	# its last sleep may hold the lock a moment longer
	while ! flock -n pid.lock true && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
	rm -f got
	refused pid.lock "the same file once its process ended" 'no upsplan holds the PID file pid.lock'
else
	tap_skip "no flock(1)" "a locked PID file: sent" "the process got SIGUSR2" "the same file once its process ended"
fi

# 15: without -p, the PID file of upsplan.service (/run/upsplan/upsplan.pid)
# when it exists: checked in a private mount namespace over /run (root)
if [ "$(id -u)" -ne 0 ] || [ "$have_flock" -eq 0 ] || ! command -v unshare >/dev/null 2>&1 ||
	! unshare -m true 2>/dev/null; then
	tap_skip "needs root, flock(1) and unshare -m" "without -p: the unit's PID file"
else
	# shellcheck disable=SC2016 # $1.. belong to the inner sh
	unshare -m sh -c '
		mount --make-rprivate / && mount -t tmpfs none /run || exit 3
		mkdir /run/upsplan
		: >/run/upsplan/upsplan.pid
		flock -n /run/upsplan/upsplan.pid sh -c "trap \"echo usr2 >>unit-got\" USR2; echo \$\$ >/run/upsplan/upsplan.pid; i=0; while [ \$i -lt 100 ]; do sleep 0.1; i=\$((i + 1)); done" &
		i=0
		while [ ! -s /run/upsplan/upsplan.pid ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
		"$1" fsd >unit-out 2>unit-err; echo $? >unit-status
		i=0
		while [ ! -s unit-got ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
		kill "$(cat /run/upsplan/upsplan.pid)" 2>/dev/null
		wait' sh "$upsplan" || true
	if [ "$(cat unit-status 2>/dev/null)" = 0 ] && [ "$(cat unit-got 2>/dev/null)" = usr2 ]; then
		ok "without -p: the unit's PID file, /run/upsplan/upsplan.pid"
	else
		not_ok "without -p: the unit's PID file, /run/upsplan/upsplan.pid" \
			"exit $(cat unit-status 2>/dev/null)" "$(cat unit-out unit-err 2>/dev/null)"
	fi
fi
# 16: a daemon that starts over a PID file still holding a dead daemon's PID
# (kill -9) empties it when it takes the lock: fsd must not signal whoever
# has that PID now.  The window between the lock and the new PID is opened
# wide by strace's fault injection (a delay at the getpid() of the PID it writes);
# skipped without strace or flock(1).
if [ "$have_flock" -eq 0 ] || ! command -v strace >/dev/null 2>&1 ||
	! strace -f -o /dev/null -e inject=getpid:delay_enter=1 true 2>/dev/null; then
	tap_skip "needs strace with fault injection and flock(1)" "a PID file taken over is emptied before fsd may trust it"
else
	printf 'GROUP g\nHOST 127.0.0.1\nPORT 1 TLS NONE\nMONITOR u1 POWERVAL 1 UPSDUSER mon PASSWORD "pw" TYPE secondary\n' >stale.conf
	sleep 60 &
	other=$!	# the stand-in for a process that has the dead daemon's PID now
	echo "$other" >taken.pid
	chmod 644 taken.pid
	strace -f -o strace.log -e trace=getpid -e inject=getpid:delay_enter=3000000:when=1 \
		"$upsplan" run -F --allow-warnings -p "$work/taken.pid" --powerdownflag=none --state-file=none "$work/stale.conf" >run.out 2>&1 &
	tracer=$!
	# until the daemon holds the lock, read from /proc/locks: a flock(1)
	# probe would take the lock itself, and a daemon trying it meanwhile
	# would take the stand-in for a running upsplan
	ino=$(stat -c %i taken.pid)
	i=0
	while [ $i -lt 400 ] && ! grep -q ":$ino " /proc/locks; do sleep 0.05; i=$((i + 1)); done	# 20 s: a loaded machine, strace
	run "$upsplan" fsd -p taken.pid
	sleep 0.3
	# (under a sanitizer the runtime's own first getpid() takes the delay and
	# the window may close before fsd looks: then the file names the new
	# daemon, which may be signalled; the stand-in never may)
	if kill -0 "$other" 2>/dev/null && { { [ "$status" -eq 1 ] && grep -q 'does not hold a PID above 0' err; } ||
		{ [ "$status" -eq 0 ] && ! grep -q "(pid $other)" out; }; }; then
		ok "a PID file taken over is emptied before fsd may trust it"
	else
		not_ok "a PID file taken over is emptied before fsd may trust it" "exit $status: $(cat out err)" \
			"$(kill -0 "$other" 2>/dev/null && echo "the stand-in lives" || echo "the stand-in was killed")"
	fi
	kill "$other" 2>/dev/null || true
	i=0	# then the daemon's own PID, once the delay is over: it is stopped
	while [ $i -lt 100 ] && { [ ! -s taken.pid ] || [ "$(cat taken.pid)" = "$other" ]; }; do sleep 0.1; i=$((i + 1)); done
	[ -s taken.pid ] && [ "$(cat taken.pid)" != "$other" ] && kill "$(cat taken.pid)" 2>/dev/null
	wait "$tracer" 2>/dev/null || true
	wait "$other" 2>/dev/null || true
fi
tap_done
