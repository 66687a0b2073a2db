#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# check-cli.sh - TAP: upsplan check from the command line: a plan on standard input ('-'), and what other commands say of '-'.
#
# Environment: UPSPLAN (default ./upsplan), top_srcdir.  Scratch files:
# tests/check-cli.d in the current directory, kept when a test fails.
set -eu

# shellcheck source=tests/tap-env.sh
. "$(dirname "$0")/tap-env.sh"
need_upsplan

tap_scratch check-cli

# expect STATUS FILE PATTERN NAME: the last run exited STATUS and FILE holds PATTERN (fixed text)
expect() {
	if [ "$status" -eq "$1" ] && grep -qF -- "$3" "$2"; then
		ok "$4"
	else
		not_ok "$4" "exit $status (expected $1); stdout/stderr:" "$(head -5 out)" "$(head -5 err)"
	fi
}

echo "1..10"
cp "$srcdir/examples/standard.conf" plan.conf
chmod 644 plan.conf	# readable by all: W610 as a file, nothing on standard input
printf 'at 0 set UPS-1 ups.status OL\nat 10 end\n' >s.scn
printf 'POLLFREQ 5\nFOO bar\n' >bad.conf

# -Wno-W611: the example's CERTFILE is its host's, not necessarily this machine's
run "$upsplan" check -Werror -Wno-W611 - <plan.conf
if [ "$status" -eq 0 ] && [ ! -s err ] && [ ! -s out ]; then
	ok "check -: a clean plan on standard input (no file mode, so no W610)"
else
	not_ok "check -: a clean plan on standard input" "exit $status" "$(head -5 err)"
fi
run "$upsplan" check - <bad.conf
expect 1 err "<stdin>:2:1: error: unexpected name 'FOO' [E300]" "check -: diagnostics name the file <stdin>"
run "$upsplan" check --format=json - <bad.conf
expect 1 out '"file":"<stdin>","line":2' "check --format=json -: the records name <stdin>"
cat bad.conf | run "$upsplan" check -
expect 1 err "<stdin>:2:1: error: unexpected name 'FOO'" "check -: from a pipe"
run "$upsplan" check --print - <plan.conf
expect 0 out "MONITOR UPS-1" "check --print -: the canonical form of standard input"
run "$upsplan" check plan.conf - <bad.conf
if [ "$status" -eq 1 ] && grep -qF "plan.conf:1:1: warning: 'plan.conf' holds passwords" err &&
	grep -qF "<stdin>:2:1: error" err; then
	ok "check FILE -: a file and standard input in one run"
else
	not_ok "check FILE -: a file and standard input in one run" "exit $status" "$(head -5 err)"
fi
run "$upsplan" check - - <plan.conf
expect 2 err "'-' (standard input) is given twice" "check - -: standard input cannot be read twice"
run "$upsplan" check --strict-modes - <plan.conf
expect 2 err "--strict-modes checks the owner and mode of a file; standard input ('-') has none" \
	"check --strict-modes -: refused, standard input has no owner or mode"
run "$upsplan" simulate - s.scn <plan.conf
expect 2 err "upsplan simulate: PLAN '-': only upsplan check reads a plan from standard input" \
	"simulate -: says that only check reads standard input"
run "$upsplan" compile - -o x.upb <plan.conf
expect 2 err "upsplan compile: PLAN '-': only upsplan check reads" "compile -: likewise"

tap_done
exit 0
