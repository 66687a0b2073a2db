#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# cond-run.sh - TAP: plans whose IF conditions read NUT variables: check, compile and simulate take them (the runtime under 300 s shuts down, 900 s left does not), and upsplan run takes them, as source and as image (the daemon's polling of them: tests/daemon/run-conditions.sh).
#
# Environment: UPSPLAN (default ./upsplan), top_srcdir.  The daemon runs
# only --check-only, against a port of 127.0.0.1 nothing listens on.
set -eu

# shellcheck source=tests/tap-env.sh
. "$(dirname "$0")/tap-env.sh"
need_upsplan
tap_scratch cond-run

echo "1..7"
port=$("${PEERS_BINDIR:-$(dirname "$upsplan")/tests/daemon}/freeport" 2>/dev/null || echo 9)

# plan NAME CONDITION: a one-UPS plan whose OL->OB rule has IF CONDITION
plan() {
	cat >"$1" <<EOT
GROUP G HOST 127.0.0.1 PORT $port CERTFILE "/etc/ssl/certs/ca-certificates.crt"
MONITOR u POWERVAL 1 UPSDUSER m PASSWORD "p" TYPE primary
WHEN u REPORTS OL->OB : STARTTIMER t 30
WHEN u REPORTS None->LB : SHUTDOWNCMD "/sbin/shutdown -h +0"
WHEN u REPORTS COMM->NOCOMM : NUTLOG "lost"
WHEN u TIMEOUT t : IF $2 SHUTDOWNCMD "/sbin/shutdown -h +0"
EOT
	chmod 600 "$1"
}
plan vars.conf 'OL->OB AND battery.runtime < 300'
plan novars.conf 'OL->OB AND NOT RUNNING t'

# 1-3: run takes the plan, as source and as image: it goes on to reach upsd
run timeout -k 1 10 "$upsplan" run -F --check-only -Wno-W611 vars.conf
if grep -q "127.0.0.1" err && ! grep -q "NUT variable" err; then
	ok "run takes a plan source whose conditions read a NUT variable (it goes on to reach upsd)"
else
	not_ok "run takes a plan source whose conditions read a NUT variable" "exit $status" "$(cat err)"
fi
"$upsplan" compile -Wno-W611 vars.conf -o vars.upb
run timeout -k 1 10 "$upsplan" run -F --check-only vars.upb
if grep -q "127.0.0.1" err && ! grep -q "NUT variable" err; then
	ok "and its compiled image"
else
	not_ok "and its compiled image" "exit $status" "$(cat err)"
fi
run timeout -k 1 10 "$upsplan" run -F --check-only -Wno-W611 novars.conf
if grep -q "127.0.0.1" err; then
	ok "and a plan whose conditions read no variable"
else
	not_ok "and a plan whose conditions read no variable" "exit $status" "$(cat err)"
fi
# 4-6: check, compile and simulate take the plan that reads variables
run "$upsplan" check -Wno-W611 vars.conf
if [ "$status" -eq 0 ]; then ok "check accepts it"; else not_ok "check accepts it" "$(cat err)"; fi
if [ -s vars.upb ]; then ok "compile writes its image"; else not_ok "compile writes its image"; fi
printf 'at 10 set u ups.status OB\nat 10 set u battery.runtime 200\nat 60 end\n' >vars.scn
run "$upsplan" simulate -Wno-W611 vars.conf vars.scn
if [ "$status" -eq 0 ] && grep -q "TO->t .*SHUTDOWNCMD" out; then
	ok "simulate runs it: the runtime under 300 s shuts down when t expires"
else
	not_ok "simulate runs it" "exit $status" "$(cat out err)"
fi
# 7: the same scenario with enough runtime: no shutdown
printf 'at 10 set u ups.status OB\nat 10 set u battery.runtime 900\nat 60 end\n' >enough.scn
run "$upsplan" simulate -Wno-W611 vars.conf enough.scn
if [ "$status" -eq 0 ] && ! grep -q "SHUTDOWNCMD" out && grep -q "TO->t" out; then
	ok "and with 900 s left, t expires without a shutdown"
else
	not_ok "and with 900 s left, t expires without a shutdown" "exit $status" "$(cat out err)"
fi
tap_done
