#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# generate.sh - TAP: upsplan generate writes plans that check clean (no error, no warning) and simulate correctly; files 0640, no clobbering, bad options refused.
#
# Environment: UPSPLAN (default ./upsplan), top_srcdir.  Scratch files:
# tests/generate.d in the current directory, kept when a test fails.
set -eu

# shellcheck source=tests/tap-env.sh
. "$(dirname "$0")/tap-env.sh"
need_upsplan

tap_scratch generate

expect() {
	if [ "$status" -eq "$1" ] && grep -q -- "$2" err; then
		ok "$3"
	else
		not_ok "$3" "exit $status (expected $1):" "$(head -5 err)"
	fi
}

echo "1..32"
printf 's3cret #1\n' >pw
printf 'mail-pw\n' >smtp-pw
i=0
for plan in standard timed; do
	for extra in "" "--heartbeat" "--heartbeat --email-to root@example.com --smtp-server mail.example.com --smtp-user u --smtp-password-file smtp-pw"; do
		i=$((i + 1))
		# shellcheck disable=SC2086 # EXTRA holds options
		run "$upsplan" generate "$plan" --ups ups-$i --host 192.0.2.1 --port 3493 --password-file pw $extra -o p$i.conf
		if [ "$status" -ne 0 ]; then
			not_ok "generate $plan $extra" "exit $status" "$(cat err)"
			continue
		fi
		# W611 (a CERTFILE that cannot be read) is about this machine's files: below
		run "$upsplan" check -Werror -Wno-W611 p$i.conf
		if [ "$status" -eq 0 ] && [ ! -s err ]; then
			ok "generate $plan ${extra:-(no option)}: checks with no error and no warning"
		else
			not_ok "generate $plan $extra: checks clean" "$(head -5 err)"
		fi
	done
done
mode=$(stat -c %a p1.conf)
if [ "$mode" = 640 ]; then ok "the plan file is written 0640"; else not_ok "the plan file is written 0640" "mode $mode"; fi
if grep -q 'PASSWORD "s3cret #1"' p1.conf && ! grep -q change-me p1.conf; then
	ok "the password comes from --password-file"
else
	not_ok "the password comes from --password-file" "$(grep PASSWORD p1.conf)"
fi
run "$upsplan" generate timed -o p1.conf
expect 2 "exists; add --force" "no overwrite without --force"
echo target >target.conf
ln -s target.conf link.conf
run "$upsplan" generate timed --force -o link.conf
if [ "$status" -eq 2 ] && grep -q "is a symbolic link" err && [ "$(cat target.conf)" = target ] && [ -L link.conf ]; then
	ok "a symbolic link at -o is refused, even with --force"
else
	not_ok "a symbolic link at -o is refused, even with --force" "exit $status" "$(cat err)"
fi
run "$upsplan" generate standard --force -o p1.conf
if [ "$status" -eq 0 ] && grep -q 'the standard shutdown plan' p1.conf && grep -q 'change-me' err; then
	ok "--force replaces it (and warns about the default password)"
else
	not_ok "--force replaces it" "exit $status" "$(cat err)"
fi
run "$upsplan" generate timed --port 70000
expect 2 "--port wants a whole number from 1 to 65535" "a bad port"
run "$upsplan" generate timed --ups "bad name"
expect 2 "^upsplan generate: --ups 'bad name' is refused: a blank cannot be part of a UPS name: a blank ends a word in NUT's files and in upsd's protocol \[E900\]$" \
	"a UPS name upsd could never serve: the option and the rule named"
run "$upsplan" generate timed --ups 1500va --user 1upsmon --password-file pw -o digits.conf
if [ "$status" -eq 0 ] && grep -q '^MONITOR "1500va" POWERVAL 1 UPSDUSER "1upsmon" ' digits.conf &&
	grep -q '^WHEN "1500va" REPORTS OL->OB ' digits.conf; then
	ok "a UPS and a user named with a digit first are written quoted"
else
	not_ok "a UPS and a user named with a digit first are written quoted" "exit $status" "$(cat err)"
fi
chmod 600 digits.conf
if "$upsplan" check -Werror -Wno-W611 digits.conf >/dev/null 2>err; then
	ok "... and the plan checks clean"
else
	not_ok "... and the plan checks clean" "$(cat err)"
fi
run "$upsplan" generate timed --ups GROUP
expect 2 "^upsplan generate: --ups 'GROUP' is refused: unexpected GROUP, expecting name or \"text\" \[E300\]$" \
	"a UPS name that is a keyword: the option named"
run "$upsplan" generate timed --user "up smon"
expect 2 "^upsplan generate: --user 'up smon' is refused: a blank cannot be part of a upsd user name" "a bad upsd user: the option named"
run "$upsplan" generate timed --host "not a host!"
expect 2 "^upsplan generate: --host 'not a host!' is refused: HOST 'not a host!' is neither an IPv4 or IPv6 address nor a valid host name \[E350\]$" \
	"a bad host: the option and the rule named"
if [ "$(wc -l <err)" -eq 1 ]; then ok "a bad host: one line, no listing of the generated plan"; else not_ok "a bad host: one line" "$(cat err)"; fi
run "$upsplan" generate timed --email-to "a%z" --smtp-server mail.example.com
expect 2 "^upsplan generate: --email-to 'a%z' is refused: stray '%' in this text \[E311\]$" "a stray % in --email-to: the option named"
allquotes=$(printf 'a"b'"'"'c\302\273d\342\270\245e\342\216\246')
run "$upsplan" generate timed --certfile "$allquotes"
expect 2 "^upsplan generate: --certfile 'a\"b'c.*' cannot be written as a quoted text of the plan" \
	"a --certfile holding every closing quote mark: the option named"
printf 'pw"x'"'"'y\302\273z\342\270\245w\342\216\246v\n' >bad-pw
run "$upsplan" generate timed --password-file bad-pw
if [ "$status" -eq 2 ] && grep -q "^upsplan generate: --password-file (the password) cannot be written" err && ! grep -q 'pw"x' err; then
	ok "a password holding every closing quote mark: the option named, the password not shown"
else
	not_ok "a password holding every closing quote mark" "exit $status" "$(cat err)"
fi
run "$upsplan" generate
expect 2 "'standard' or 'timed'" "no plan kind"
run "$upsplan" generate timed --email-to root
expect 2 "needs --smtp-server" "--email-to without --smtp-server"
run "$upsplan" generate timed --password-file "$work/none"
expect 2 "cannot read" "a missing password file"

# a long UPS name: the header comment ends its line, POLLFREQ stays a setting
long=$(printf '%0500d' 0 | tr 0 U)
run "$upsplan" generate standard --ups "$long"
if [ "$status" -eq 0 ] && grep -q '^POLLFREQ 5 ' out && [ "$(grep -c "^# UPSmon.conf - the standard shutdown plan for UPS $long, written by" out)" -eq 1 ]; then
	ok "a 500-byte UPS name: the header is whole and POLLFREQ is not commented out"
else
	not_ok "a 500-byte UPS name: the header is whole and POLLFREQ is not commented out" "$(head -3 out | cut -c1-200)"
fi

# the timed plan shuts down 2 min + 5 s after the power fails, not before
"$upsplan" generate timed --ups UPS-1 -o t.conf 2>/dev/null
cat >t.scn <<'SCN'
at 30   set UPS-1 ups.status "OB DISCHRG"
at 10m  end
SCN
run "$upsplan" simulate --hostname=h t.conf t.scn
if [ "$status" -eq 0 ] && grep -q '^   155.000 .*SHUTDOWNCMD  /sbin/shutdown -h +0' out &&
	[ "$(grep -c SHUTDOWNCMD out)" -eq 1 ] && grep -q '^    90.000 .*TO->one-min  *NOTIFY' out; then
	ok "the generated timed plan warns at 1 min and shuts down at 2 min + 5 s"
else
	not_ok "the generated timed plan simulates correctly" "$(grep -v ' event$' out | head -20)"
fi

# CERTFILE: a file this machine does not have is said, in the plan and on
# standard error, with what to do (upsplan tls-setup, --certfile)
run "$upsplan" generate standard --certfile /nonexistent/upsplan/ca.pem -o nocert.conf
if [ "$status" -eq 0 ] && grep -q '^upsplan generate: note: CERTFILE /nonexistent/upsplan/ca.pem does not exist: .*upsplan tls-setup.*--certfile' err; then
	ok "a --certfile that does not exist: a note on standard error says so, and what to do"
else
	not_ok "a --certfile that does not exist: a note says so" "exit $status" "$(cat err)"
fi
if grep -q "^# On the machine that wrote it, CERTFILE /nonexistent/upsplan/ca.pem does not exist" nocert.conf &&
	grep -q "^# Run 'upsplan tls-setup'" nocert.conf; then
	ok "a --certfile that does not exist: the plan's header says so, and what to do"
else
	not_ok "a --certfile that does not exist: the plan's header says so" "$(head -8 nocert.conf)"
fi
run "$upsplan" check -Werror -Wno-file-mode nocert.conf
if [ "$status" -eq 1 ] && grep -q 'CERTFILE /nonexistent/upsplan/ca.pem does not exist \[W611\]' err; then
	ok "a --certfile that does not exist: upsplan check says so too (W611)"
else
	not_ok "a --certfile that does not exist: upsplan check says so too (W611)" "exit $status" "$(head -5 err)"
fi
: >ca.pem
chmod 644 ca.pem
run "$upsplan" generate standard --certfile "$work/ca.pem" -o cert.conf
if [ "$status" -eq 0 ] && ! grep -q CERTFILE err && ! grep -q '^# On the machine' cert.conf; then
	ok "a --certfile that exists: no note"
else
	not_ok "a --certfile that exists: no note" "$(cat err)" "$(head -6 cert.conf)"
fi
# the default, /etc/nut/upsd-cert.pem, is not a file Debian has
if [ -e /etc/nut/upsd-cert.pem ]; then
	tap_skip "/etc/nut/upsd-cert.pem exists on this machine" "the default CERTFILE, missing: the note names the default"
else
	run "$upsplan" generate timed
	if [ "$status" -eq 0 ] && grep -q '^upsplan generate: note: CERTFILE /etc/nut/upsd-cert.pem does not exist (the default of --certfile): .*upsplan tls-setup' err &&
		grep -q '^# On the machine that wrote it, CERTFILE /etc/nut/upsd-cert.pem does not exist' out; then
		ok "the default CERTFILE, missing: the note names the default"
	else
		not_ok "the default CERTFILE, missing: the note names the default" "$(cat err)"
	fi
fi

tap_done
exit 0
