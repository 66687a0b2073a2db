#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# run-hooks-live.sh - TAP: HOOKS in upsplan run against a real upsd: the hooks of an outage run in order as the monitoring user with the event in their environment, a hanging hook is stopped without holding up the plan, no descriptor or password reaches a hook.
#
# Environment: UPSPLAN, PEERS_BINDIR (make check sets them); PEERS_KEEP=1
# keeps the temp dir.  Skips without nut-server, libnss3-tools, stunnel4.
set -eu

# shellcheck source=tests/daemon/daemon-lib.sh
. "$(cd "$(dirname "$0")" && pwd)/daemon-lib.sh"
dm_skip_unless_peers

echo "1..7"
peers_init
ACT=$PEERS_DIR/act
printf 'ups.status: OL\nbattery.charge: 100\n' >"$PEERS_DIR/a.dev"
peers_add_ups a "$PEERS_DIR/a.dev"
peers_start tls || peers_bail "the peers did not start"
dm_setup

# hook FILE LINE...: an executable shell script of those lines (root's, 0755, as a package installs them)
hook() {
	_hk_f=$1
	shift
	printf '#!/bin/sh\n' >"$_hk_f"
	printf '%s\n' "$@" >>"$_hk_f"
	chmod 0755 "$_hk_f"
}
H=$PEERS_DIR/hooks.d
mkdir -m 0755 "$H" "$H/onbattery" "$H/online"
hook "$H/onbattery/10-record" \
	"echo \"10 \$(id -un) ups=\$UPSPLAN_UPS group=\$UPSPLAN_GROUP event=\$UPSPLAN_EVENT message=\$UPSPLAN_MESSAGE\" >>$ACT/hooks" \
	"ls /proc/self/fd | sort -n | tr '\\n' ' ' >$ACT/fds" \
	"env >$ACT/env"
hook "$H/onbattery/20-hangs" "echo '20 started' >>$ACT/hooks" "sleep 60"
hook "$H/onbattery/30-last" "echo \"30 \$UPSPLAN_EVENT\" >>$ACT/hooks"
hook "$H/onbattery/40-skipped.sh" "echo '40 should not run' >>$ACT/hooks"
hook "$H/online/10-back" "echo \"back \$UPSPLAN_MESSAGE\" >>$ACT/hooks"

dm_plan hooks <<EOF
POLLFREQ 1 POLLFREQALERT 1
GROUP LOCAL HOST 127.0.0.1 PORT $UPSD_PORT CERTFILE "$CA_FILE"
MONITOR a POWERVAL 1 UPSDUSER $PRIMARY_USER PASSWORD "$PRIMARY_PASS" TYPE primary
WHEN a REPORTS OL->OB : HOOKS "$H/onbattery" MESSAGE "%(u)s on battery, \$HOME \`id\`"
WHEN a REPORTS OB->OL : HOOKS "$H/online" PRINT "online printed"
EOF
# the daemon's environment (a hook's) holds no password: the harness's own are not passed on
PASS=$PRIMARY_PASS
unset PRIMARY_PASS SECONDARY_PASS ADMIN_PASS
dm_start hooks --action-timeout 3
sleep 3
dm_set_dev a OB
check "on battery: the first hook runs with UPSPLAN_UPS, _GROUP, _EVENT and _MESSAGE as the plan says" \
	dm_wait act/hooks '^10 [a-z]* ups=a group=LOCAL event=OL->OB message=a@127.0.0.1:[0-9]* on battery, \$HOME `id`$' 10
if [ "$(id -u)" -eq 0 ]; then
	check "the hook runs as the monitoring user (nobody), not root" dm_wait act/hooks '^10 nobody ' 1
else
	check "the hook runs as the daemon's user" dm_wait act/hooks "^10 $(id -un) " 1
fi
# the hanging hook is stopped after --action-timeout 3; meanwhile the plan goes on
dm_set_dev a OL
check "while a hook hangs, the plan still runs the next event's actions" dm_wait hooks.out '^online printed$' 10
check "the hanging hook is stopped at the time limit and logged, the last one runs after it, a name with a dot never" \
	sh -c "sleep 4; grep -q '20-hangs (HOOKS at .*hooks.conf:4:.*): still running after 3 s' '$PEERS_DIR/hooks.err' &&
		grep -q '^30 OL->OB$' '$ACT/hooks' && ! grep -q '^40' '$ACT/hooks'"
check "the other directory's hook ran for the power's return" dm_wait act/hooks '^back UPS a@127.0.0.1:[0-9]*: OB->OL$' 10
check "a hook gets no descriptor but its standard ones (and ls's own)" \
	sh -c "[ \"\$(cat '$ACT/fds')\" = '0 1 2 3 ' ]"
check "no password in a hook's environment" sh -c "[ -s '$ACT/env' ] && ! grep -qF '$PASS' '$ACT/env'"
dm_stop hooks
dm_done
