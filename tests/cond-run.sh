#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# cond-run.sh - TAP: upsplan run refuses a plan whose IF conditions read NUT variables (this daemon does not poll them yet), as source and as image, naming a variable and the first place; a plan whose conditions read none (a->b, RUNNING) is not refused for that; check, compile and simulate take both.
#
# Environment: UPSPLAN (default ./upsplan), top_srcdir.  The daemon is never
# started: the refusal comes first, and the other plan runs --check-only
# against a port of 127.0.0.1 nothing listens on.
set -eu

# shellcheck source=tests/tap-env.sh
. "$(dirname "$0")/tap-env.sh"
need_upsplan
tap_scratch cond-run

echo "1..8"
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
want="this version's daemon cannot yet read NUT variables: the plan's IF conditions read battery.runtime"

# 1-2: the source, then its image
run timeout -k 1 10 "$upsplan" run -F --check-only -Wno-W611 vars.conf
if [ "$status" -eq 1 ] && grep -qF "$want" err && grep -qF "(the first at vars.conf:6:34)" err; then
	ok "run refuses a plan source whose conditions read a NUT variable, saying which and where"
else
	not_ok "run refuses a plan source whose conditions read a NUT variable" "exit $status" "$(cat err)"
fi
"$upsplan" compile -Wno-W611 vars.conf -o vars.upb
run timeout -k 1 10 "$upsplan" run -F --check-only vars.upb
if [ "$status" -eq 1 ] && grep -qF "$want" err; then
	ok "and its compiled image"
else
	not_ok "and its compiled image" "exit $status" "$(cat err)"
fi
# 3: nothing else was tried: no connection
if ! grep -q "127.0.0.1" err; then
	ok "the refusal comes before any connection"
else
	not_ok "the refusal comes before any connection" "$(cat err)"
fi
# 4: a plan with conditions that read no variable goes on to the connection
run timeout -k 1 10 "$upsplan" run -F --check-only -Wno-W611 novars.conf
if ! grep -qF "cannot yet read NUT variables" err && grep -q "127.0.0.1" err; then
	ok "a plan whose conditions read no variable is not refused for it"
else
	not_ok "a plan whose conditions read no variable is not refused for it" "exit $status" "$(cat err)"
fi
# 5-7: check, compile and simulate take the plan that reads variables
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
# 8: the same scenario with enough runtime: no shutdown
printf 'at 10 set u ups.status OB\nat 10 set u battery.runtime 900\nat 60 end\n' >enough.scn
run "$upsplan" simulate -Wno-W611 vars.conf enough.scn
if [ "$status" -eq 0 ] && ! grep -q "SHUTDOWNCMD" out && grep -q "TO->t" out; then
	ok "and with 900 s left, t expires without a shutdown"
else
	not_ok "and with 900 s left, t expires without a shutdown" "exit $status" "$(cat out err)"
fi
tap_done
