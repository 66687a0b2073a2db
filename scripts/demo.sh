#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# demo.sh - build upsplan, check and compile plans, then run the daemon over TLS against a real upsd + dummy-ups on 127.0.0.1 through a power outage.
#
# Run from anywhere inside a checkout, as root on a fresh Debian 12 (or as a
# user once scripts/install-deps.sh is satisfied):  bash scripts/demo.sh
# Builds in _build/default (reusing an earlier build), then runs the
# program; everything shown below the build lines is upsplan's own output,
# or NUT's where it says so.  The outage is made by rewriting the file the
# dummy-ups driver reads; the "shutdown" is a harmless command that writes
# a line to a file.  Every process started is stopped at the end.
set -eu
set -o pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
export LC_ALL=C

say() { printf '\n=== %s\n' "$*"; }
fail() {
	echo "demo.sh: $*" >&2
	exit 1
}

say "dependencies"
bash scripts/install-deps.sh
echo "all build dependencies are installed"

say "build (log: _build/logs/demo-build.log)"
mkdir -p _build/logs _build/default
log=$top/_build/logs/demo-build.log
: >"$log"
if [ ! -x configure ]; then
	[ -f config.status ] && fail "the source tree is configured in-tree; run 'make distclean' first"
	./autogen.sh >>"$log" 2>&1 || fail "./autogen.sh failed, see $log"
fi
if [ ! -f _build/default/Makefile ]; then
	[ -f config.status ] && fail "the source tree is configured in-tree; run 'make distclean' first"
	(cd _build/default && ../../configure) >>"$log" 2>&1 || fail "configure failed, see $log"
fi
make -C _build/default -j2 >>"$log" 2>&1 || fail "make failed, see $log"
# the helpers of the NUT peers harness (tests/daemon/peers.sh)
make -C _build/default -j2 tests/daemon/freeport tests/daemon/silent-server tests/daemon/nut-probe >>"$log" 2>&1 ||
	fail "make of the test helpers failed, see $log"
upsplan=$top/_build/default/upsplan
echo "built $upsplan"
"$upsplan" --version

work=$(mktemp -d "${TMPDIR:-/tmp}/upsplan-demo.XXXXXX")
trap 'rm -rf "$work"' EXIT HUP INT TERM
# the plan holds passwords: install it as an administrator would, readable by its owner only
cp examples/timed.conf "$work/timed.conf"
chmod 600 "$work/timed.conf"
cd "$work"

say "upsplan check timed.conf   (examples/timed.conf, mode 0600)"
rc=0
"$upsplan" check timed.conf 2>&1 || rc=$?
echo "[exit status $rc]"

# The broken copy: a typo in a UPS name, and an event pair that does not
# exist (OB->LB: a UPS goes from OB to OL, and LB comes and goes with None).
sed -e 's/^WHEN UPS-1 REPORTS OB->OL :/WHEN UPS-l REPORTS OB->OL :/' \
	-e 's/^WHEN UPS-1 REPORTS None->LB :/WHEN UPS-1 REPORTS OB->LB :/' \
	timed.conf >broken.conf
chmod 600 broken.conf
[ "$(diff timed.conf broken.conf | grep -c '^>')" -eq 2 ] ||
	fail "examples/timed.conf changed: the sed edits of this demo no longer apply"
say "the broken copy: diff timed.conf broken.conf"
diff timed.conf broken.conf || :

say "upsplan check broken.conf"
rc=0
"$upsplan" check broken.conf 2>&1 || rc=$?
echo "[exit status $rc]"

say "upsplan check --format=json broken.conf   (the same diagnostics, for editors and CI)"
rc=0
"$upsplan" check --format=json broken.conf 2>&1 || rc=$?
echo "[exit status $rc]"

say "upsplan check --print timed.conf   (the canonical form: comments dropped, one declaration per line)"
rc=0
"$upsplan" check --print timed.conf 2>&1 || rc=$?
echo "[exit status $rc]"

say "upsplan compile timed.conf -o timed.upb   (a plan image, mode 0600: it holds the passwords)"
rc=0
"$upsplan" compile timed.conf -o timed.upb 2>&1 || rc=$?
echo "[exit status $rc]"
ls -l timed.upb

say "upsplan disasm timed.upb   (the bytecode, with each action's file:line:col; first 30 lines)"
rc=0
"$upsplan" disasm timed.upb >timed.lst 2>&1 || rc=$?
sed -n '1,30p' timed.lst
echo "... ($(wc -l <timed.lst) lines) [exit status $rc]"
cd "$top"
rm -rf "$work"
trap - EXIT HUP INT TERM

# ------------------------------------------------------------------ the daemon
say "NUT peers: a real upsd (STARTTLS, test certificates made now) and a dummy-ups UPS on 127.0.0.1"
UPSPLAN=$upsplan
PEERS_BINDIR=$top/_build/default/tests/daemon
export UPSPLAN PEERS_BINDIR
# shellcheck source=tests/daemon/peers.sh
. "$top/tests/daemon/peers.sh"
# shellcheck source=tests/daemon/daemon-lib.sh
. "$top/tests/daemon/daemon-lib.sh"
missing=$(peers_available --without-stunnel) || fail "missing Debian packages: $missing (scripts/install-deps.sh installs them)"
peers_init # a temp dir; its traps stop every process started here, and remove it
ups_file=$PEERS_DIR/ups.dev
# set_ups STATUS CHARGE: what the UPS says from now on (dummy-ups re-reads its file each second)
set_ups() {
	printf 'ups.status: %s\nbattery.charge: %s\n' "$1" "$2" >"$ups_file.tmp"
	mv "$ups_file.tmp" "$ups_file"
}
set_ups OL 100
peers_add_ups ups "$ups_file"
peers_start tls || peers_bail "the NUT peers did not start"
echo "upsd: 127.0.0.1:$UPSD_PORT, STARTTLS with a certificate of a test CA ($CA_FILE)"
echo "NUT's upsc says:"
peers_nut upsc "ups@127.0.0.1:$UPSD_PORT" 2>/dev/null | grep -E '^(ups.status|battery.charge|driver.name):' || :
dm_setup
DM_HOSTNAME=$(hostname)

dm_plan demo <<PLAN
# demo.conf - warn on battery; shut down after 8 s on battery, or 2 s after low battery
POLLFREQ 5 POLLFREQALERT 1
LET head = "[%(h)s] %(u)s %(e)s, battery %(c)s%%: "
LET on-battery = head "on battery, shutdown in 8 s unless the power returns"
LET back = head "the power is back, shutdown cancelled"
LET going-down = head "shutting down"
LET lost = head "upsd is out of reach"
LET found = head "upsd answers again"
GROUP LOCAL HOST 127.0.0.1 PORT $UPSD_PORT CERTFILE "$CA_FILE"
MONITOR ups POWERVAL 1 UPSDUSER $PRIMARY_USER PASSWORD "$PRIMARY_PASS" TYPE primary
WHEN ups REPORTS OL->OB : PRINT on-battery NUTLOG on-battery STARTTIMER on-battery 8
WHEN ups REPORTS OB->OL : PRINT back NUTLOG back CANCELTIMER on-battery
WHEN ups TIMEOUT on-battery : PRINT going-down SETFSD ups STARTTIMER final 2
WHEN ups REPORTS None->LB : PRINT going-down SETFSD ups STARTTIMER final 2
WHEN ups REPORTS None->FSD : SHELLCMD "echo FSD set on %(u)s >> $PEERS_DIR/act/actions.log"
WHEN ups TIMEOUT final : SHUTDOWNCMD "/bin/sh -c 'echo shutdown -h now, battery %(c)s%% >> $PEERS_DIR/act/shutdown.log'"
WHEN ups REPORTS COMM->NOCOMM : PRINT lost
WHEN ups REPORTS NOCOMM->COMM : PRINT found
PLAN
say "the plan demo.conf (the SHUTDOWNCMD is a harmless stand-in for /sbin/shutdown -h now)"
sed 's/PASSWORD "[^"]*"/PASSWORD "..."/' "$PEERS_DIR/demo.conf"

say "upsplan check -Werror demo.conf   (every warning an error: the check to make before a start or reload)"
"$upsplan" check -Werror "$PEERS_DIR/demo.conf" && echo "[no diagnostics]"

cat >"$PEERS_DIR/outage.scn" <<'SCN'
# the outage the demo makes for real below
at 0   set ups ups.status OL
at 5   set ups ups.status OB
at 9   set ups ups.status OL
at 14  set ups ups.status OB
at 18  set ups battery.charge 15
at 18  set ups ups.status "OB LB"
at 40  end
SCN
say "upsplan simulate demo.conf outage.scn   (a rehearsal on a virtual clock: nothing is done)"
"$upsplan" simulate --hostname "$DM_HOSTNAME" "$PEERS_DIR/demo.conf" "$PEERS_DIR/outage.scn" || :

say "upsplan run --check-only demo.conf   (TLS to upsd, certificate verified, login)"
# shellcheck disable=SC2086 # DM_USER_OPT is empty or "-u nobody"
"$upsplan" run --check-only -F $DM_USER_OPT "$PEERS_DIR/demo.conf" || fail "--check-only failed"

say "upsplan run -F demo.conf   (the daemon, for real; its output and log as they come)"
# (without the harness's --allow-warnings: the demo's plan is clean)
DM_ALLOW_WARNINGS='' dm_start demo --powerdownflag "$PEERS_DIR/powerdownflag" -l "$PEERS_DIR/nut.log"
tail -n +1 -q -f "$PEERS_DIR/demo.out" "$PEERS_DIR/demo.err" 2>/dev/null &
tail_pid=$!
_peers_record tail "$tail_pid"
# outage WHAT STATUS CHARGE: make the UPS say it, and tell
outage() {
	printf -- '--- %s: ups.status "%s", battery.charge %s\n' "$1" "$2" "$3"
	set_ups "$2" "$3"
}
sleep 3
outage "the power fails" OB 90
sleep 4
outage "the power returns after 4 s" OL 90
sleep 5
outage "the power fails again" OB 80
sleep 4
outage "the battery runs low" "OB LB" 15
dm_wait act/shutdown.log shutdown 20 || fail "the shutdown command did not run"
sleep 2
echo "--- upsd crashes (SIGKILL)"
peers_kill_upsd
sleep 3
echo "--- upsd starts again"
peers_start_upsd
dm_wait demo.out 'NOCOMM->COMM' 40 || :
sleep 1
echo "--- SIGUSR1 (the state, in the log), then SIGTERM (log out of upsd, stop)"
kill -USR1 "$DM_PID"
sleep 1
dm_stop demo
sleep 0.5
kill "$tail_pid" 2>/dev/null || :

say "what the actions did"
echo "SHELLCMD (run as the unprivileged user), act/actions.log:"
sed 's/^/    /' "$PEERS_DIR/act/actions.log"
echo "SHUTDOWNCMD (run once, by the root process), act/shutdown.log:"
sed 's/^/    /' "$PEERS_DIR/act/shutdown.log"
echo "POWERDOWNFLAG: $(cat "$PEERS_DIR/powerdownflag" 2>/dev/null || echo absent)"
echo "NUTLOG actions, the NUT-style log (-l):"
sed 's/^/    /' "$PEERS_DIR/nut.log"
echo "upsd's own log (NUT):"
grep -E 'logged (into|out)|FSD' "$PEERS_DIR/upsd.log" | sed 's/^/    /' || :

say "the daemon's trace (--trace), in the format of upsplan simulate"
cat "$PEERS_DIR/demo.trace"

say "done: upsplan checked and compiled plans, rehearsed an outage, then lived it over TLS against NUT's upsd (daemon exit status $DM_STATUS)"
