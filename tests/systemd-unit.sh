#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# systemd-unit.sh - TAP: the built upsplan.service passes systemd-analyze verify, its security exposure is at most the figure docs/install.md gives, and its command line is one upsplan run accepts.
#
# Offline: nothing is started, no systemd as PID 1 is needed.  verify
# wants the ExecStart= program to exist, so a copy of the unit is checked
# whose program is the upsplan of the build tree; `man:` links are not
# followed (--man=no: the pages are not installed).  verify only warns
# about a typo or an unknown key (exit 0), so its standard error must be
# empty too; that this catches an unknown key is checked on a copy with one.
# Skipped, with the reason, when systemd-analyze is absent.
# Environment: UPSPLAN, top_srcdir (make check sets them).
# shellcheck source=tests/tap-env.sh
. "$(dirname "$0")/tap-env.sh"
need_upsplan
builddir=$(pwd)
unit=$builddir/systemd/upsplan.service
tap_scratch systemd-unit

if [ ! -f "$unit" ]; then
	echo "Bail out! $unit is not built (make systemd/upsplan.service)"
	exit 1
fi

# the unit's value of KEY (the last line setting it)
value() {
	sed -n "s/^$1=//p" "$unit" | tail -n 1
}

exec_start=$(value ExecStart)
program=${exec_start%% *}
if grep -q '@[a-z]*@' "$unit"; then
	not_ok "every @dir@ of upsplan.service.in is substituted" "$(grep '@[a-z]*@' "$unit")"
else
	ok "every @dir@ of upsplan.service.in is substituted"
fi

# each long option of ExecStart= is one of upsplan run --help, and the
# directories of its files are those systemd makes for the unit
opts=$(printf '%s\n' "$exec_start" | tr ' ' '\n' | sed -n 's/^\(--[a-z-]*\).*/\1/p')
"$upsplan" run --help >help 2>&1
bad=
for o in $opts; do
	grep -q -- "^ *\(-[A-Za-z], \)\{0,1\}${o}[= ]" help || bad="$bad $o"
done
if [ -n "$opts" ] && [ -z "$bad" ]; then
	ok "the options of ExecStart= are options of upsplan run ($(printf '%s\n' "$opts" | paste -s -d ' ' -))"
else
	not_ok "the options of ExecStart= are options of upsplan run" "not in upsplan run --help:$bad" "ExecStart=$exec_start"
fi
dirs_ok=1
for pair in "pidfile /run RuntimeDirectory" "logfile /var/log LogsDirectory" "state-file /var/lib StateDirectory" \
	"control-socket /run RuntimeDirectory"; do
	# shellcheck disable=SC2086 # three words
	set -- $pair
	path=$(printf '%s\n' "$exec_start" | tr ' ' '\n' | sed -n "s|^--$1=||p")
	case $path in
	"$2/$(value "$3")"/*) ;;
	*) dirs_ok=0; echo "# --$1=$path is not under $2/$(value "$3") ($3=)" ;;
	esac
done
if [ $dirs_ok -eq 1 ]; then
	ok "the PID file, NUT log, state file and control socket are in the directories systemd makes writable"
else
	not_ok "the PID file, NUT log, state file and control socket are in the directories systemd makes writable"
fi

if ! command -v systemd-analyze >/dev/null 2>&1; then
	tap_skip "systemd-analyze is not installed (Debian: apt-get install systemd)" \
		"systemd-analyze verify" "systemd-analyze verify reports an unknown key" "security exposure"
	echo "1..$n"
	tap_done
	[ "$failed" -eq 0 ]
	exit
fi

# the copy: the build tree's upsplan in place of the installed one
sed -e "s|^ExecStart=$program |ExecStart=$upsplan |" "$unit" >upsplan.service
run systemd-analyze verify --man=no ./upsplan.service
if [ "$status" -eq 0 ] && [ ! -s err ] && grep -q "^ExecStart=$upsplan " upsplan.service; then
	ok "systemd-analyze verify: no error, no warning"
else
	not_ok "systemd-analyze verify: exit $status" "$(cat out err)"
fi
mkdir typo
{ cat upsplan.service; printf '[Service]\nProtectSytem=strict\n'; } >typo/upsplan.service
run systemd-analyze verify --man=no ./typo/upsplan.service
if grep -q "ProtectSytem" err; then
	ok "systemd-analyze verify reports an unknown key on standard error"
else
	not_ok "systemd-analyze verify reports an unknown key on standard error" "exit $status" "$(cat out err)"
fi

# the documented figure: "overall exposure level of N.N" in docs/install.md
doc=$(sed -n 's/.*overall exposure level of \([0-9]\.[0-9]\).*/\1/p' "$srcdir/docs/install.md" | head -n 1)
run systemd-analyze security --offline=true ./upsplan.service
got=$(sed -n 's/.*Overall exposure level for upsplan.service: \([0-9.]*\).*/\1/p' out)
if [ -z "$doc" ]; then
	not_ok "security exposure" "docs/install.md gives no 'overall exposure level of N.N'"
elif [ -z "$got" ]; then
	not_ok "security exposure" "systemd-analyze security said no figure (exit $status)" "$(tail -n 5 out err)"
elif awk -v g="$got" -v d="$doc" 'BEGIN { exit !(g + 0 <= d + 0) }'; then
	ok "security exposure $got, at most the $doc of docs/install.md"
else
	not_ok "security exposure $got is above the $doc of docs/install.md" \
		"$(grep '✗' out | head -n 40)"
fi

echo "1..$n"
tap_done
[ "$failed" -eq 0 ]
