#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# include.sh - TAP: INCLUDE from the command line: relative paths, the installed rule files before the compiled-in ones, the owner and mode checks of included files, images and disasm.
#
# Environment: UPSPLAN (default ./upsplan), top_srcdir.  Scratch files:
# tests/include.d in the current directory, kept when a test fails.
# UPSPLAN_RULES_DIR stands for the installed rule directory.
set -eu

# shellcheck source=tests/tap-env.sh
. "$(dirname "$0")/tap-env.sh"
need_upsplan

tap_scratch include

# expect STATUS FILE PATTERN NAME: the last run exited STATUS and FILE holds PATTERN (fixed text)
expect() {
	if [ "$status" -eq "$1" ] && grep -qF -- "$3" "$2"; then
		ok "$4"
	else
		not_ok "$4" "exit $status (expected $1); stdout/stderr:" "$(head -8 out)" "$(head -8 err)"
	fi
}

# lacks FILE PATTERN NAME: FILE does not hold PATTERN
lacks() {
	if ! grep -qF -- "$2" "$1"; then
		ok "$3"
	else
		not_ok "$3" "$(grep -F -- "$2" "$1" | head -3)"
	fi
}

echo "1..20"
umask 022
mkdir -p plan/rules elsewhere rulesdir emptydir
cat >plan/plan.conf <<'PLAN'
INCLUDE <messages.rules>
GROUP LOCAL HOST localhost PORT 3493 CERTFILE "/etc/nut/ca.pem"
INCLUDE "rules/ups.conf"
WHEN ups1 REPORTS None->LB : STARTTIMER final-delay 5
WHEN ups1 TIMEOUT final-delay : SHUTDOWNCMD "/sbin/shutdown -h +0"
WHEN ups1 REPORTS COMM->NOCOMM : NUTLOG Msg-NOCOMM
PLAN
printf 'MONITOR ups1 POWERVAL 1 UPSDUSER monuser PASSWORD "secret" TYPE primary\nINCLUDE "outage.conf"\n' \
	>plan/rules/ups.conf
printf 'WHEN ups1 REPORTS OL->OB : WALL Msg-OB\n' >plan/rules/outage.conf
chmod 600 plan/plan.conf plan/rules/ups.conf
chmod 644 plan/rules/outage.conf

# relative paths: from the including file's directory, whatever the current one
cd elsewhere
run "$upsplan" check -Werror -Wno-W611 ../plan/plan.conf
if [ "$status" -eq 0 ] && [ ! -s err ]; then
	ok "relative INCLUDEs are read from the including file's directory, not the current one"
else
	not_ok "relative INCLUDEs are read from the including file's directory" "exit $status" "$(head -8 err)"
fi
run "$upsplan" check --print=expanded -Wno-W611 ../plan/plan.conf
expect 0 out "WALL Msg-OB" "a file included by an included file is read from that file's directory"
cd ..
{
	printf 'GROUP LOCAL HOST localhost PORT 3493 CERTFILE "/etc/nut/ca.pem"\n'
	printf 'MONITOR ups1 POWERVAL 1 UPSDUSER monuser PASSWORD "secret" TYPE primary\n'
	printf 'INCLUDE "%s/plan/rules/outage.conf"\n' "$(pwd)"
} >abs.conf
chmod 600 abs.conf
run "$upsplan" check -Wno-W611 --print=expanded abs.conf
expect 0 out "WHEN ups1 REPORTS OL->OB" "an absolute INCLUDE path is read as it is"

# check --print both ways
run "$upsplan" check -Wno-W611 --print plan/plan.conf
expect 0 out 'INCLUDE "rules/ups.conf"' "check --print keeps the INCLUDE lines"
lacks out "MONITOR ups1" "check --print leaves out what the included files declare"
run "$upsplan" check -Wno-W611 --print=expanded plan/plan.conf
expect 0 out "MONITOR ups1 POWERVAL 1" "check --print=expanded writes the included declarations"
lacks out "INCLUDE" "check --print=expanded writes no INCLUDE"
run "$upsplan" check --print=both plan/plan.conf
expect 2 err "unknown --print mode 'both'" "check --print=MODE: an unknown mode is a usage error"

# the rule files: the installed directory first, the compiled-in copy when a file is missing there
sed 's/Power failure/Installed copy: power failure/' "$srcdir/stdlib-rules/messages.rules" >rulesdir/messages.rules
run env UPSPLAN_RULES_DIR=$(pwd)/rulesdir "$upsplan" check -Wno-W611 --print=expanded plan/plan.conf
expect 0 out "Installed copy: power failure" "INCLUDE <name> reads the installed rule file first"
run env UPSPLAN_RULES_DIR=$(pwd)/emptydir "$upsplan" check -Wno-W611 --print=expanded plan/plan.conf
expect 0 out "Power failure, possible shutdown" "INCLUDE <name> falls back on the compiled-in copy when the installed file is missing"
run env UPSPLAN_RULES_DIR= "$upsplan" check -Wno-W611 --print=expanded plan/plan.conf
expect 0 out "Power failure, possible shutdown" "UPSPLAN_RULES_DIR empty: the compiled-in copies only"
mkdir -p brokendir/messages.rules
run env UPSPLAN_RULES_DIR=$(pwd)/brokendir "$upsplan" check -Wno-W611 plan/plan.conf
expect 1 err "[E120]" "an installed rule file that cannot be read is an error, never replaced by the compiled-in copy"

# the owner and mode checks of the plan apply to every included file
printf 'POLLFREQ 5\n' >alone.conf
chmod 600 alone.conf
run "$upsplan" check --strict-modes alone.conf
strict=$status	# 1: this build tree's directories fail the check themselves
if [ "$strict" -ne 0 ]; then
	tap_skip "the directories of this build tree fail --strict-modes" \
		"check --strict-modes: included files that only their owner can change pass" \
		"check --strict-modes: an included file others can change is refused (E110)" \
		"the E110 of an included file comes with its include chain" \
		"check --strict-modes: an included file in a directory others can change is refused (E110)" \
		"check --strict-modes: an installed rule file in a directory others can change is refused (E110)"
else
	run "$upsplan" check -Wno-W611 --strict-modes plan/plan.conf
	if [ "$status" -eq 0 ] && ! grep -qF E110 err; then
		ok "check --strict-modes: included files that only their owner can change pass"
	else
		not_ok "check --strict-modes: included files that only their owner can change pass" "$(head -5 err)"
	fi
	chmod 666 plan/rules/outage.conf
	run "$upsplan" check -Wno-W611 --strict-modes plan/plan.conf
	expect 1 err "plan/rules/outage.conf:1:1: error: 'plan/rules/outage.conf' can be changed by its group and every user (mode 0666)" \
		"check --strict-modes: an included file others can change is refused (E110)"
	expect 1 err "In file included from plan/rules/ups.conf:2:1," "the E110 of an included file comes with its include chain"
	chmod 644 plan/rules/outage.conf
	chmod 777 plan/rules
	run "$upsplan" check -Wno-W611 --strict-modes plan/plan.conf
	expect 1 err "directory '$(pwd)/plan/rules' can be changed by its group and every user" \
		"check --strict-modes: an included file in a directory others can change is refused (E110)"
	chmod 755 plan/rules
	chmod 777 rulesdir
	run env UPSPLAN_RULES_DIR=$(pwd)/rulesdir "$upsplan" check -Wno-W611 --strict-modes plan/plan.conf
	expect 1 err "rulesdir' can be changed by its group and every user" \
		"check --strict-modes: an installed rule file in a directory others can change is refused (E110)"
	chmod 755 rulesdir
fi

# W610 is judged per file: the file that holds the password
chmod 644 plan/rules/ups.conf
run "$upsplan" check -Wno-W611 plan/plan.conf
expect 0 err "plan/rules/ups.conf:1:1: warning: 'plan/rules/ups.conf' holds passwords and every user can read it" \
	"W610 names the included file that holds a password"
lacks err "'plan/plan.conf' holds passwords" "W610 spares the plan that holds no password itself"
chmod 600 plan/rules/ups.conf

# an image holds every included file; disasm names them
run "$upsplan" compile -Wno-W611 plan/plan.conf -o plan.upb
mv plan/rules plan/rules.gone
run "$upsplan" disasm plan.upb
expect 0 out "; plan/rules/outage.conf:1:" "the image holds the included rules; disasm names the included file"
mv plan/rules.gone plan/rules

tap_done
exit 0
