#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# run-killpower.sh - TAP: the hand-off to NUT at power-off: as root, without --powerdownflag, upsplan run writes /etc/killpower exactly when the SHUTDOWNCMD runs (not while the UPS is merely on battery), removes a stale one at start, writes none with --powerdownflag=none, nor for a SHUTDOWNCMD while the UPS is on line; in a private mount namespace over /etc, so the system's /etc/killpower is never touched.
#
# Environment: UPSPLAN, PEERS_BINDIR (make check sets them); PEERS_KEEP=1
# keeps the temp dir; UPSPLAN_VALGRIND as for the other daemon tests.
# Skips unless root with unshare, nsenter and an overlay (or bind) mount.
set -eu

# shellcheck source=tests/daemon/daemon-lib.sh
. "$(cd "$(dirname "$0")" && pwd)/daemon-lib.sh"
dm_skip_unless_peers
if [ "$(id -u)" -ne 0 ]; then
	echo "1..0 # SKIP the default POWERDOWNFLAG is root's (run as root)"
	exit 0
fi
for p in unshare nsenter mount; do
	command -v "$p" >/dev/null 2>&1 || { echo "1..0 # SKIP $p not found (util-linux, mount)"; exit 0; }
done
if ! unshare -m sh -c 'mount -t tmpfs none /mnt' 2>/dev/null; then
	echo "1..0 # SKIP no private mount namespace here (unshare -m needs CAP_SYS_ADMIN)"
	exit 0
fi

echo "1..17"
peers_init
printf 'ups.status: OL\nbattery.charge: 100\n' >"$PEERS_DIR/a.dev"
peers_add_ups a "$PEERS_DIR/a.dev"
peers_start tls || peers_bail "the peers did not start"
dm_setup
real_before=absent
[ ! -e /etc/killpower ] || real_before=present

# ns.sh UPPER WORK CMD...: in the new mount namespace made by unshare -m,
# /etc becomes an overlay whose changes land in UPPER (a copy of /etc
# bind-mounted when overlays are not allowed), then CMD runs there
cat >"$PEERS_DIR/ns.sh" <<'EOF'
set -e
up=$1 work=$2
shift 2
if ! mount -t overlay overlay -o "lowerdir=/etc,upperdir=$up,workdir=$work" /etc 2>/dev/null; then
	cp -a /etc/. "$up"/
	mount --bind "$up" /etc
fi
exec "$@"
EOF
# the SHUTDOWNCMD: what /etc/killpower holds when it runs
cat >"$PEERS_DIR/sd.sh" <<EOF
if [ -e /etc/killpower ]; then cat /etc/killpower; else echo "no flag"; fi >"$PEERS_DIR/act/sd-\$1"
EOF
chmod 644 "$PEERS_DIR/ns.sh" "$PEERS_DIR/sd.sh"

# kp_plan NAME: on battery a 4 s timer, then the SHUTDOWNCMD (writes
# act/sd-NAME); NAME-etc and NAME-work for kp_start's overlay
kp_plan() {
	mkdir "$PEERS_DIR/$1-etc" "$PEERS_DIR/$1-work"
	dm_plan "$1" <<EOF
POLLFREQ 1 POLLFREQALERT 1
GROUP REAL HOST 127.0.0.1 PORT $UPSD_PORT CERTFILE "$CA_FILE"
MONITOR a POWERVAL 1 UPSDUSER $PRIMARY_USER PASSWORD "$PRIMARY_PASS" TYPE primary
WHEN a REPORTS OL->OB : STARTTIMER final 4
WHEN a REPORTS OB->OL : CANCELTIMER final
WHEN a TIMEOUT final : SHUTDOWNCMD "/bin/sh $PEERS_DIR/sd.sh $1"
WHEN a REPORTS COMM->NOCOMM : PRINT "lost %(u)s"
EOF
}

# kp_start NAME [OPTION...]: dm_start in a mount namespace of its own
# whose /etc changes go to $PEERS_DIR/NAME-etc; no --powerdownflag of
# the harness's: upsplan's default, or OPTION's
kp_start() {
	_ks_vg=${UPSPLAN_VALGRIND:-}
	UPSPLAN_VALGRIND="unshare -m sh $PEERS_DIR/ns.sh $PEERS_DIR/$1-etc $PEERS_DIR/$1-work $_ks_vg" \
		DM_POWERDOWNFLAG='' dm_start "$@"
}

# in_ns NAME CMD...: CMD in the mount namespace of the daemon NAME
in_ns() {
	eval "_in_pid=\$DM_PID_$1"
	shift
	nsenter -t "$_in_pid" -m "$@"
}

# ---------------------------------------------------------------- the default
kp_plan dflt
# a flag left by the last halt: removed at start, as upsmon does
printf 'upsmon-shutdown-file\n' >"$PEERS_DIR/dflt-etc/killpower"
kp_start dflt
check "start-up: the log names the default POWERDOWNFLAG /etc/killpower" \
	dm_wait dflt.err 'POWERDOWNFLAG /etc/killpower: written just before the first SHUTDOWNCMD' 20
check "start-up: the flag of the last halt is removed" \
	sh -c "grep -q 'POWERDOWNFLAG /etc/killpower removed' '$PEERS_DIR/dflt.err' && ! nsenter -t $DM_PID_dflt -m test -e /etc/killpower"
sleep 2
dm_set_dev a OB
dm_wait dflt.trace 'OL->OB' 20 || :
check "on battery, the SHUTDOWNCMD's timer running: no flag yet" \
	sh -c "! nsenter -t $DM_PID_dflt -m test -e /etc/killpower && [ ! -e '$PEERS_DIR/act/sd-dflt' ] && grep -q 'OL->OB' '$PEERS_DIR/dflt.trace'"
check "the SHUTDOWNCMD runs" dm_until 20 test -s "$PEERS_DIR/act/sd-dflt"
check "when it runs, /etc/killpower holds NUT's text" grep -qx upsmon-shutdown-file "$PEERS_DIR/act/sd-dflt"
check "the log says the flag was written before the command ended" \
	awk '/POWERDOWNFLAG \/etc\/killpower written/ { w = NR } /SHUTDOWNCMD \/bin\/sh ended/ && !e { e = NR } END { exit !(w && e && w < e) }' "$PEERS_DIR/dflt.err"
check "after it, the flag stays for NUT's shutdown script" in_ns dflt grep -qx upsmon-shutdown-file /etc/killpower
dm_stop dflt
check "the flag went into the namespace's /etc, not the system's" \
	sh -c "grep -qx upsmon-shutdown-file '$PEERS_DIR/dflt-etc/killpower' && { [ '$real_before' = present ] || [ ! -e /etc/killpower ]; }"

# ---------------------------------------------------------------- none
dm_set_dev a OL
sleep 2	# dummy-ups reads its file each second: the UPS is on line at the start
kp_plan none
kp_start none --powerdownflag=none
check "--powerdownflag=none: the log says no flag is written" dm_wait none.err 'no POWERDOWNFLAG (--powerdownflag=none)' 20
sleep 3
dm_set_dev a OB
check "--powerdownflag=none: the SHUTDOWNCMD runs" dm_until 20 test -s "$PEERS_DIR/act/sd-none"
check "--powerdownflag=none: it finds no flag" grep -qx "no flag" "$PEERS_DIR/act/sd-none"
check "--powerdownflag=none: none in the namespace's /etc" sh -c "! nsenter -t $DM_PID_none -m test -e /etc/killpower"
dm_stop none
check "--powerdownflag=none: none written into the namespace's /etc" test ! -e "$PEERS_DIR/none-etc/killpower"

# ---------------------------------------------------------------- on line
# a SHUTDOWNCMD while the UPS is on line (low battery while recharging):
# the UPS must not be told to cut the power of its other loads
dm_set_dev a OL
sleep 2
kp_plan online
printf 'WHEN a REPORTS None->LB : SHUTDOWNCMD "/bin/sh %s online"\n' "$PEERS_DIR/sd.sh" >>"$PEERS_DIR/online.conf"
kp_start online
dm_wait online.err 'POWERDOWNFLAG /etc/killpower: written just before' 20 || :
sleep 2
dm_set_dev a "OL CHRG LB"
check "on line with LB: the SHUTDOWNCMD runs" dm_until 20 test -s "$PEERS_DIR/act/sd-online"
check "on line with LB: it finds no flag" grep -qx "no flag" "$PEERS_DIR/act/sd-online"
check "on line with LB: the log says why no flag" \
	dm_wait online.err 'POWERDOWNFLAG /etc/killpower not written: the UPS of this SHUTDOWNCMD is neither on battery nor FSD' 5
dm_stop online
check "on line with LB: none written into the namespace's /etc" test ! -e "$PEERS_DIR/online-etc/killpower"
dm_done
