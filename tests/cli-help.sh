#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# cli-help.sh - TAP: upsplan help and upsplan --version: help help, unknown commands, the libraries named.
#
# Environment: UPSPLAN (default ./upsplan), top_srcdir, UPSPLAN_MAIL (the
# built upsplan-mail; default: beside UPSPLAN).  Scratch files:
# tests/cli-help.d in the current directory, kept when a test fails.
set -eu

# shellcheck source=tests/tap-env.sh
. "$(dirname "$0")/tap-env.sh"
need_upsplan

tap_scratch cli-help

run() {
	set +e
	"$@" >out 2>err
	status=$?
	set -e
}
# expect STATUS FILE PATTERN NAME: the last run exited STATUS and FILE holds PATTERN (grep -E)
expect() {
	if [ "$status" -eq "$1" ] && grep -Eq -- "$3" "$2"; then
		ok "$4"
	else
		not_ok "$4" "exit $status (expected $1); stdout/stderr:" "$(head -5 out)" "$(head -5 err)"
	fi
}

echo "1..6"
"$upsplan" --help >general
run "$upsplan" help help
if [ "$status" -eq 0 ] && cmp -s out general && [ ! -s err ]; then
	ok "help help prints the general help"
else
	not_ok "help help prints the general help" "exit $status" "$(head -3 err)"
fi
run "$upsplan" help
if [ "$status" -eq 0 ] && cmp -s out general; then ok "help alone prints the general help"; else not_ok "help alone" "exit $status"; fi
run "$upsplan" help simulate
expect 0 out "^Usage: upsplan simulate " "help simulate prints simulate's help"
run "$upsplan" help frobnicate
expect 2 err "^upsplan help: 'frobnicate' is not a command of upsplan; the commands are check, compile, disasm, simulate, generate, run, help$" \
	"help with an unknown command names it and lists the commands"
run "$upsplan" help check compile
expect 2 err "one COMMAND at a time \('compile' is extra\)" "help with two commands says which is extra"
run "$upsplan" frobnicate
expect 2 err "unknown command 'frobnicate'" "an unknown command"

tap_done
exit 0
