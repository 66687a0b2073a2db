#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# cli-help.sh - TAP: upsplan help and upsplan --version: help help, unknown commands, the libraries named.
#
# --version runs the mail helper upsplan-mail and the alert helper
# upsplan-alert (the installed ones, else those beside upsplan): a copy of upsplan alone in the scratch directory
# has none, then fake helpers that hang or talk too much are put beside
# it (skipped when a helper is installed, which is taken first).
# Environment: UPSPLAN (default ./upsplan), top_srcdir.  Scratch files:
# tests/cli-help.d in the current directory, kept when a test fails.
set -eu

# shellcheck source=tests/tap-env.sh
. "$(dirname "$0")/tap-env.sh"
need_upsplan

tap_scratch cli-help

# expect STATUS FILE PATTERN NAME: the last run exited STATUS and FILE holds PATTERN (grep -E)
expect() {
	if [ "$status" -eq "$1" ] && grep -Eq -- "$3" "$2"; then
		ok "$4"
	else
		not_ok "$4" "exit $status (expected $1); stdout/stderr:" "$(head -5 out)" "$(head -5 err)"
	fi
}

echo "1..17"
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
expect 2 err "^upsplan help: 'frobnicate' is not a command of upsplan; the commands are check, compile, disasm, simulate, generate, migrate, run, tls-setup, fsd, status, ctl, help$" \
	"help with an unknown command names it and lists the commands"
run "$upsplan" help check compile
expect 2 err "one COMMAND at a time \('compile' is extra\)" "help with two commands says which is extra"
run "$upsplan" frobnicate
expect 2 err "unknown command 'frobnicate'" "an unknown command"

# --version: the libraries, and libcurl through the mail helper
run "$upsplan" --version
if [ "$status" -eq 0 ] && grep -q '^linked with OpenSSL .*, libevent .*, jansson .*, PCRE2 [0-9]' out &&
	grep -Eq '^mail helper /[^:]*upsplan-mail: upsplan-mail [^,]+, libcurl/[0-9]' out; then
	ok "--version names the mail helper and its libcurl"
else
	not_ok "--version names the mail helper and its libcurl" "exit $status" "$(cat out)" "$(head -3 err)"
fi
if grep -Eq '^alert helper /[^:]*upsplan-alert: upsplan-alert [^,]+, libcurl/[0-9]' out; then
	ok "--version names the alert helper and its libcurl"
else
	not_ok "--version names the alert helper and its libcurl" "$(cat out)"
fi
if command -v ldd >/dev/null 2>&1 && ldd "$upsplan" >ldd.out 2>&1; then
	if grep -q libcurl ldd.out; then
		not_ok "upsplan itself does not link libcurl" "$(grep libcurl ldd.out)"
	else
		ok "upsplan itself does not link libcurl"
	fi
else
	tap_skip "no ldd" "upsplan itself does not link libcurl"
fi
mkdir alone
cp "$upsplan" alone/upsplan
run alone/upsplan --version
if grep -q "^mail helper $work/alone/" out || grep -q "^mail helper .*: missing" out; then
	expect 0 out "^mail helper /.*/upsplan-mail: missing \(No such file or directory\): EMAIL actions cannot be sent$" \
		"--version with no helper: says it is missing, exit 0"
	printf '#!/bin/sh\nexec sleep 30\n' >alone/upsplan-mail
	chmod 755 alone/upsplan-mail
	start=$(date +%s)
	run alone/upsplan --version
	took=$(($(date +%s) - start))
	if [ "$status" -eq 0 ] && grep -q "^mail helper $work/alone/upsplan-mail: did not answer within 3 s$" out &&
		[ "$took" -le 6 ]; then
		ok "--version with a helper that hangs: gives up after 3 s and says so"
	else
		not_ok "--version with a helper that hangs" "exit $status after $took s" "$(cat out)"
	fi
	printf '#!/bin/sh\nprintf "upsplan-mail 9\\033[2J, libcurl/0\\n"\nexec yes\n' >alone/upsplan-mail
	run alone/upsplan --version
	if [ "$status" -eq 0 ] && [ "$(wc -l <out)" -eq 4 ] &&
		grep -q "^mail helper $work/alone/upsplan-mail: upsplan-mail 9?\\[2J, libcurl/0$" out; then
		ok "--version with a helper that talks forever: its first line, control bytes shown as ?"
	else
		not_ok "--version with a helper that talks forever" "exit $status" "$(head -c 600 out)"
	fi
	printf '#!/bin/sh\nexit 3\n' >alone/upsplan-mail
	run alone/upsplan --version
	expect 0 out "^mail helper $work/alone/upsplan-mail: does not tell its version \\(exit status 3\\)$" \
		"--version with a helper that fails: its exit status"
else
	tap_skip "a mail helper is installed: it is taken before the one beside upsplan" \
		"--version with no helper" "--version with a helper that hangs" \
		"--version with a helper that talks forever" "--version with a helper that fails"
fi

# the README's synopses name every option of each command's help
for cmd in check compile simulate generate; do
	"$upsplan" help "$cmd" | sed -n -E 's/^  (-[a-zA-Z], )?(--?[A-Za-z][-A-Za-z]*).*/\2/p' |
		grep -v -e '^--help$' -e '^-h$' | sort -u >opts-$cmd
	awk -v cmd="$cmd" '$0 ~ "^    upsplan " cmd " " { on = 1 } on && /^$/ { on = 0 } on { print }' \
		"$srcdir/README.md" >syn-$cmd
	missing=
	while read -r opt; do
		grep -qF -- "$opt" syn-$cmd || missing="$missing $opt"
	done <opts-$cmd
	if [ -s syn-$cmd ] && [ -z "$missing" ]; then
		ok "README: the synopsis of $cmd names each of its options"
	else
		not_ok "README: the synopsis of $cmd names each of its options" "missing:${missing:- the synopsis}"
	fi
done

tap_done
exit 0
