#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# migrate-cli.sh - TAP: upsplan migrate's command line: bad arguments, a missing file, -o written 0640 with O_EXCL, no overwrite without --force, --force replaces atomically, a symbolic link at -o refused, the plan checks clean and simulates upsmon's shutdown.
#
# Environment: UPSPLAN (default ./upsplan), top_srcdir.  Scratch files:
# tests/migrate-cli.d in the current directory, kept when a test fails.
set -eu

# shellcheck source=tests/tap-env.sh
. "$(dirname "$0")/../tap-env.sh"
need_upsplan

tap_scratch migrate-cli

expect() {
	if [ "$status" -eq "$1" ] && grep -q -- "$2" err; then
		ok "$3"
	else
		not_ok "$3" "exit $status (expected $1):" "$(head -5 err)"
	fi
}

echo "1..21"
cat >upsmon.conf <<'CONF'
MONITOR myups@localhost 1 upsmon secret primary
SHUTDOWNCMD "/sbin/shutdown -h +0"
POWERDOWNFLAG /etc/killpower
CONF

run "$upsplan" migrate
expect 2 "give one upsmon.conf" "no file: usage error"
run "$upsplan" migrate upsmon.conf upsmon.conf
expect 2 "one file at a time" "two files: usage error"
run "$upsplan" migrate --bogus upsmon.conf
expect 2 "bogus" "an unknown option: usage error"
run "$upsplan" migrate --nut-version 3.1 upsmon.conf
expect 2 "NUT 2.8 version" "--nut-version other than 2.8.N: usage error"
run "$upsplan" migrate --force upsmon.conf
expect 2 "without -o" "--force without -o: usage error"
run "$upsplan" migrate nosuch.conf
expect 2 "nosuch.conf: cannot read it" "a missing upsmon.conf: exit 2, named"
run "$upsplan" migrate -
expect 2 "standard input" "'-' is refused (not standard input)"

run "$upsplan" migrate upsmon.conf
if [ "$status" -eq 0 ] && [ ! -s err ] && grep -q '^MONITOR myups POWERVAL 1 UPSDUSER upsmon PASSWORD «secret» TYPE primary$' out; then
	ok "without -o the plan goes to standard output"
else
	not_ok "without -o the plan goes to standard output" "exit $status" "$(head -3 err)"
fi
cp out stdout.plan
# the plan written is what check accepts with no error and no warning but W651 (TLS NONE on loopback)
run "$upsplan" check -Werror -Wno-W651 -Wno-W610 stdout.plan
if [ "$status" -eq 0 ] && [ ! -s err ]; then ok "the plan checks clean"; else not_ok "the plan checks clean" "$(head -5 err)"; fi

umask 022
run "$upsplan" migrate upsmon.conf -o plan.conf
mode=$(stat -c %a plan.conf 2>/dev/null || echo none)
if [ "$status" -eq 0 ] && [ "$mode" = 640 ] && cmp -s plan.conf stdout.plan; then
	ok "-o writes the same plan, mode 0640 whatever the umask"
else
	not_ok "-o writes the plan 0640" "exit $status mode $mode" "$(head -3 err)"
fi
echo old >plan.conf
run "$upsplan" migrate upsmon.conf -o plan.conf
if [ "$status" -eq 2 ] && grep -q "exists; add --force" err && [ "$(cat plan.conf)" = old ]; then
	ok "an existing -o file is not replaced without --force"
else
	not_ok "an existing -o file is not replaced without --force" "exit $status" "$(cat err)"
fi
chmod 644 plan.conf
ln plan.conf hardlink.conf
run "$upsplan" migrate upsmon.conf -o plan.conf --force
mode=$(stat -c %a plan.conf)
if [ "$status" -eq 0 ] && cmp -s plan.conf stdout.plan && [ "$mode" = 640 ] && [ "$(cat hardlink.conf)" = old ] &&
	[ -z "$(ls | grep migrate-)" ]; then
	ok "--force replaces the file by a new one (rename: the old inode is untouched), 0640, no temporary left"
else
	not_ok "--force replaces the file atomically" "exit $status mode $mode" "$(cat err)"
fi
echo target >target.conf
ln -s target.conf link.conf
run "$upsplan" migrate upsmon.conf -o link.conf
expect 2 "symbolic link" "a symbolic link at -o is refused"
run "$upsplan" migrate upsmon.conf -o link.conf --force
if [ "$status" -eq 2 ] && grep -q "symbolic link" err && [ "$(cat target.conf)" = target ] && [ -L link.conf ]; then
	ok "a symbolic link at -o is refused with --force too, its target untouched"
else
	not_ok "a symbolic link at -o is refused with --force" "exit $status" "$(cat err)"
fi

# a file with an error: nothing written
printf 'MONITOR myups@localhost 1 secret primary\n' >old.conf
run "$upsplan" migrate old.conf -o old.plan
if [ "$status" -eq 1 ] && grep -q 'old.conf:1:1: error: upsmon refuses to start' err && [ ! -e old.plan ]; then
	ok "an error: exit 1 and no file written"
else
	not_ok "an error: exit 1 and no file written" "exit $status" "$(cat err)"
fi

# the migrated plan does upsmon's shutdown: OB+LB makes the UPS critical, FSD, hostsync, FINALDELAY
cat >outage.scn <<'SCN'
at 0    set myups ups.status "OL CHRG"
        set myups NUMLOGINS 1
at 1m   set myups ups.status "OB DISCHRG"
at 5m   set myups ups.status "OB DISCHRG LB"
at 10m  end
SCN
run "$upsplan" simulate --hostname=h stdout.plan outage.scn
if grep -q '^   300.100 .*SETFSD  *NUT:myups' out && grep -q '^   305.300 .*SHUTDOWNCMD  /sbin/shutdown -h +0' out &&
	[ "$(grep -c 'SHUTDOWNCMD  ' out)" -eq 1 ]; then
	ok "the plan simulates upsmon: FSD at low battery, the shutdown FINALDELAY after"
else
	not_ok "the plan simulates upsmon's shutdown" "$(grep -v ' event$' out | tail -15)"
fi
# a secondary whose UPS is lost while on battery: upsmon shuts down once DEADTIME and HOSTSYNC
# have both passed since the last answer (lost at 70 s: dead at 85, HOSTSYNC 30 after 70 is 100)
cat >secondary.conf <<'CONF'
MONITOR myups@localhost 1 upsmon secret secondary
SHUTDOWNCMD "/sbin/shutdown -h +0"
POWERDOWNFLAG /etc/killpower
HOSTSYNC 30
CONF
"$upsplan" migrate secondary.conf -o secondary.plan 2>/dev/null
cat >lost.scn <<'SCN'
at 0    set myups ups.status "OL"
at 60   set myups ups.status "OB"
at 70   lose myups
at 5m   end
SCN
run "$upsplan" simulate --hostname=h secondary.plan lost.scn
if grep -q '^   100.000 .*TO->grace.myups  MARK         crit$' out && grep -q '^   105.300 .*SHUTDOWNCMD  /sbin/shutdown -h +0' out; then
	ok "a secondary's UPS lost on battery: critical after DEADTIME and HOSTSYNC, the shutdown FINALDELAY after"
else
	not_ok "a secondary's UPS lost on battery shuts down" "$(grep -v ' event$' out | tail -12)"
fi
# a CMDSCRIPT that calls upsmon -c fsd: the note says upsplan fsd; the plan forces the shutdown on it
printf '#!/bin/sh\ncase $1 in\nupsgone) /sbin/upsmon -c fsd ;;\nesac\n' >"$PWD/cmdscript"
printf 'CMDSCRIPT %s\nPIPEFN %s/pipe\nLOCKFN %s/lock\nAT COMMBAD * START-TIMER upsgone 30\n' "$PWD/cmdscript" "$PWD" "$PWD" >fsd.sched
cat >fsd.conf <<'CONF'
MONITOR myups@localhost 1 upsmon secret primary
SHUTDOWNCMD "/sbin/shutdown -h +0"
POWERDOWNFLAG /etc/killpower
NOTIFYCMD /sbin/upssched
NOTIFYFLAG COMMBAD SYSLOG+EXEC
CONF
run "$upsplan" migrate --upssched fsd.sched fsd.conf -o fsd.plan
if [ "$status" -eq 0 ] && grep -q "W162" err && grep -q "make it run 'upsplan fsd' instead" err; then
	ok "a CMDSCRIPT calling upsmon -c fsd: W162 says to call upsplan fsd"
else
	not_ok "a CMDSCRIPT calling upsmon -c fsd: W162 says to call upsplan fsd" "exit $status" "$(cat err)"
fi
printf 'at 0 set myups ups.status "OL"\nat 0 set myups NUMLOGINS 1\nat 30 fsd\nat 2m end\n' >fsd.scn
run "$upsplan" simulate --hostname=h fsd.plan fsd.scn
if grep -q 'TO->fsd .*STARTTIMER   nut.force' out && grep -q 'SHUTDOWNCMD  /sbin/shutdown -h +0' out; then
	ok "upsplan fsd (the timer fsd) forces the migrated plan's shutdown"
else
	not_ok "upsplan fsd (the timer fsd) forces the migrated plan's shutdown" "$(grep -v ' event$' out | tail -12)"
fi
# ten UPS that each power the host (upsmon's supply count over any number of UPS): MINSUPPLIES 9,
# one critical UPS leaves 9 (no shutdown), a second leaves 8 (shutdown); no E167
{
	for i in 1 2 3 4 5 6 7 8 9 10; do
		echo "MONITOR psu$i@localhost 1 upsmon secret primary"
	done
	printf 'MINSUPPLIES 9\nSHUTDOWNCMD "/sbin/shutdown -h +0"\nPOWERDOWNFLAG /etc/killpower\n'
} >ten.conf
run "$upsplan" migrate ten.conf -o ten.plan
{
	echo 'at 0    set psu1 ups.status "OL"'
	for i in 2 3 4 5 6 7 8 9 10; do echo "        set psu$i ups.status \"OL\""; done
	for i in 1 2 3 4 5 6 7 8 9 10; do echo "        set psu$i NUMLOGINS 1"; done
	echo 'at 1m   set psu3 ups.status "OB LB"'
	echo 'at 2m   set psu7 ups.status "OB LB"'
	echo 'at 5m   end'
} >ten.scn
if [ "$status" -eq 0 ] && ! grep -q E167 err && grep -q 'POWERVAL WITHOUT crit < 9' ten.plan; then
	run "$upsplan" simulate --hostname=h ten.plan ten.scn
	# the second critical UPS at 120 s: FSD on all ten at 120.1, SHUTDOWNCMD FINALDELAY (5 s) after
	if [ "$(grep -c 'SHUTDOWNCMD  ' out)" -eq 1 ] && grep -q '^   125\.300 .*SHUTDOWNCMD  /sbin/shutdown -h +0' out &&
		[ "$(grep -c '^   120\.100 .*SETFSD ' out)" -eq 10 ] && ! grep -q '^    [0-9.]* .*SETFSD' out; then
		ok "ten UPS with a power value: one critical UPS is not enough, two shut down"
	else
		not_ok "ten UPS with a power value: one critical UPS is not enough, two shut down" "$(grep -v ' event$' out | tail -15)"
	fi
else
	not_ok "ten UPS with a power value migrate clean, the supply count one condition" "exit $status" "$(cat err)"
fi
run "$upsplan" help migrate
if [ "$status" -eq 0 ] && grep -q -- '--upssched FILE' out; then ok "help migrate"; else not_ok "help migrate" "exit $status"; fi

tap_done
