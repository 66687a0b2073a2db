#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# bounds.sh - TAP: plans written to make the compiler take exponential memory or quadratic time are refused, or checked, quickly and in little memory.
#
# Environment: UPSPLAN (default ./upsplan), top_srcdir.  Scratch files:
# tests/bounds.d in the current directory, kept when a test fails.  Each
# `upsplan check` runs under a watchdog that kills it past 20 s (10 s from
# test 7 on) or 512 MB of memory, so that a regression fails here without
# exhausting the machine.
set -eu

# shellcheck source=tests/tap-env.sh
. "$(dirname "$0")/tap-env.sh"
need_upsplan

tap_scratch bounds

limit_s=20
limit_kb=524288

# bounded PLAN [OPTION...]: upsplan check OPTION... PLAN, output in out and
# err; sets status, secs (elapsed, whole seconds), peak_kb (its peak
# resident set size: from /usr/bin/time when there is one, else the
# highest seen) and killed (why the watchdog killed it)
bounded() {
	_b_plan=$1
	shift
	chmod 600 "$_b_plan"
	rm -f rss
	if [ -x /usr/bin/time ]; then
		/usr/bin/time -o rss -f %M "$upsplan" check "$@" "$_b_plan" >out 2>err &
	else
		"$upsplan" check "$@" "$_b_plan" >out 2>err &
	fi
	_b_pid=$!
	_b_start=$(date +%s)
	peak_kb=0
	killed=
	while kill -0 "$_b_pid" 2>/dev/null; do
		# upsplan itself: the child of time, if time runs it
		_b_up=$_b_pid
		if [ -x /usr/bin/time ]; then
			_b_up=$(pgrep -P "$_b_pid" 2>/dev/null || echo "$_b_pid")
		fi
		_b_kb=$(awk '/^VmHWM:/ { print $2 }' "/proc/$_b_up/status" 2>/dev/null || true)
		if [ -n "$_b_kb" ] && [ "$_b_kb" -gt "$peak_kb" ]; then
			peak_kb=$_b_kb
		fi
		if [ "$peak_kb" -gt "$limit_kb" ]; then
			killed="over $limit_kb kB of memory"
		elif [ $(($(date +%s) - _b_start)) -ge "$limit_s" ]; then
			killed="over $limit_s s"
		fi
		if [ -n "$killed" ]; then
			kill -KILL "$_b_up" 2>/dev/null || true
			break
		fi
		sleep 0.02
	done
	set +e
	wait "$_b_pid"
	status=$?
	set -e
	secs=$(($(date +%s) - _b_start))
	if [ -f rss ] && tail -n 1 rss | grep -q '^[0-9][0-9]*$'; then
		peak_kb=$(tail -n 1 rss)
	fi
}

# refused NAME CODE PATTERN MAX_KB: the last run exited 1 with a diagnostic CODE
# matching PATTERN, in time and within MAX_KB
refused() {
	if [ -z "$killed" ] && [ "$status" -eq 1 ] && grep -q -- "$3" err && [ "$peak_kb" -le "$4" ]; then
		ok "$1: $2 in ${secs} s, ${peak_kb} kB"
	else
		not_ok "$1: $2" "exit $status, ${secs} s, ${peak_kb} kB${killed:+, killed: $killed}, stderr:" "$(head -c 2000 err)"
	fi
}

head='GROUP LOCAL HOST localhost PORT 3493 CERTFILE "/etc/nut/ca.pem"
MONITOR ups1 POWERVAL 1 UPSDUSER monuser PASSWORD "secret" TYPE primary'

# doubles LAST: LET m0 = "ab", then LET mN = mN-1 mN-1 up to mLAST
doubles() {
	echo 'LET m0 = "ab"'
	awk -v last="$1" 'BEGIN { for (i = 1; i <= last; i++) printf "LET m%d = m%d m%d\n", i, i - 1, i - 1 }'
}

echo "1..9"

# 1: the plan of issue 13: thirty lines, 2^30 copies of m0
{ doubles 30; echo "$head"; echo 'WHEN ups1 REPORTS OL->OB : WALL m30'; } >bomb.conf
bounded bomb.conf
refused "the 700-byte plan of 30 doubling LETs" E591 "bomb.conf:17:15: error: message 'm16' would be 131072 bytes long.*\[E591\]" 65536

# 2: deeper
{ doubles 60; echo "$head"; echo 'WHEN ups1 REPORTS OL->OB : WALL m60 NOTIFY m59'; } >deep.conf
bounded deep.conf
refused "60 doubling LETs" E591 "deep.conf:17:15: error: message 'm16'.*\[E591\]" 65536

# 3: wider: each LET a hundred times the one before
{
	echo 'LET w0 = "%(u)s!"'
	awk 'BEGIN { for (i = 1; i <= 4; i++) { printf "LET w%d =", i; for (k = 0; k < 100; k++) printf " w%d", i - 1; print "" } }'
	echo "$head"
	echo 'WHEN ups1 REPORTS OL->OB : WALL w4'
} >wide.conf
bounded wide.conf
refused "4 LETs of 100 parts each" E591 "wide.conf:4:.*message 'w3' would be .*\[E591\]" 65536

# 4: messages within the bound, used twice in EMAIL messages and text actions
{
	doubles 15
	echo "$head"
	awk 'BEGIN { for (i = 0; i < 1000; i++) {
		print "WHEN ups1 REPORTS OL->OB : WALL m15 m15 NUTLOG m14 m14 m14"
		print "WHEN ups1 REPORTS OB->OL : EMAIL FROM \"a@b\" TO \"c@d\" SUBJECT \"s\" MESSAGE m15 m15" } }'
} >mixed.conf
bounded mixed.conf
refused "2,000 EMAIL messages and texts of two 64 KiB messages" E591 "mixed.conf:19:.*the text of this WALL would be 131073 bytes.*\[E591\]" 65536

# 5: ten thousand texts of one message and one more character each, all different
{
	doubles 14
	echo "$head"
	awk 'BEGIN { for (i = 0; i < 1000; i++) { printf "WHEN ups1 REPORTS OL->OB :"; for (k = 0; k < 10; k++) printf " WALL m14 \"%d\"", i * 10 + k; print "" } }'
} >distinct.conf
bounded distinct.conf
refused "10,000 different texts of 32 KiB" E592 "distinct.conf:.*the texts of this plan, with their messages substituted, add up to more than 33554432 bytes here \[E592\]" 262144

# 6: "did you mean" notes for 3,000 misspelt names among 3,000 similar ones
# (each note compared the name with every LET: this took 64 s)
{
	awk 'BEGIN { for (i = 0; i < 3000; i++) printf "LET message-for-the-ups-in-rack-number-%05d = \"x\"\n", i }'
	echo "$head"
	awk 'BEGIN { for (i = 0; i < 3000; i++) printf "WHEN ups1 REPORTS OL->OB : WALL message-for-the-ups-in-rakc-number-%05d\n", i }'
} >suggest.conf
bounded suggest.conf --format=json
if [ -z "$killed" ] && [ "$status" -eq 0 ] && [ "$(grep -c '"code":"W600"' out)" -eq 3000 ] && grep -q 'did you mean' out; then
	ok "3,000 misspelt names among 3,000 LETs: checked in ${secs} s"
else
	not_ok "3,000 misspelt names among 3,000 LETs" "exit $status, ${secs} s${killed:+, killed: $killed}" "$(head -c 2000 err)"
fi

# 7: 400 groups whose shutdown paths go through one timer of 6,000
# TIMEOUT clauses that each start it again, as heartbeat plans do (the
# paths were searched group by group, each clause's timer again: 34 s)
awk 'BEGIN {
	for (g = 0; g < 400; g++) {
		printf "GROUP g%d CERTFILE \"/etc/nut/ca.pem\"\n", g
		print "MONITOR u POWERVAL 1 UPSDUSER m PASSWORD \"p\" TYPE primary"
		print "WHEN u REPORTS OL->OB : STARTTIMER beat 1"
	}
	for (k = 0; k < 6000; k++)
		print "WHEN u TIMEOUT beat : STARTTIMER beat 1"
}' >paths.conf
limit_s=10
bounded paths.conf --format=json -Wno-940 -Wno-950
if [ -z "$killed" ] && [ "$status" -eq 0 ] && [ "$(grep -c '"code":"W935"' out)" -eq 400 ]; then
	ok "the shutdown paths of 400 groups through 6,000 TIMEOUT clauses of one timer: checked in ${secs} s"
else
	not_ok "the shutdown paths of 400 groups through 6,000 TIMEOUT clauses of one timer" \
		"exit $status, ${secs} s${killed:+, killed: $killed}" "$(head -c 2000 err)"
fi

# 8: 20,000 actions on one line of 500 kB: the column of each (for the pc
# map) was counted from the start of the line (37 s)
{
	echo "$head"
	printf 'WHEN ups1 REPORTS OL->OB :'
	awk 'BEGIN { for (i = 0; i < 20000; i++) printf " IF OL->OB STARTTIMER t 1"; print "" }'
	echo 'WHEN ups1 TIMEOUT t : NUTLOG "still on battery"'
} >longline.conf
bounded longline.conf -Wno-935 -Wno-940 -Wno-950
if [ -z "$killed" ] && [ "$status" -eq 0 ]; then
	ok "20,000 actions on one line of 500 kB: compiled in ${secs} s"
else
	not_ok "20,000 actions on one line of 500 kB" "exit $status, ${secs} s${killed:+, killed: $killed}" "$(head -c 2000 err)"
fi

# 9: 20,000 warnings on one line, each shown with its source line (the
# line was measured whole for each, and written a character at a time: 70 s)
{
	echo 'LET msg = "on battery"'
	echo "$head"
	printf 'WHEN ups1 REPORTS OL->OB :'
	awk 'BEGIN { for (i = 0; i < 20000; i++) printf " WALL mgs"; print "" }'
} >warnings.conf
bounded warnings.conf -Wno-935 -Wno-940 -Wno-950
if [ -z "$killed" ] && [ "$status" -eq 0 ] && [ "$(grep -c "warning: 'mgs' is not a defined message" err)" -eq 20000 ] &&
	[ "$(grep -c '^    4 | .* WALL mgs WALL mgs' err)" -eq 20000 ]; then
	ok "20,000 warnings on one line of 180 kB, each with its line: shown in ${secs} s"
else
	not_ok "20,000 warnings on one line of 180 kB, each with its line" "exit $status, ${secs} s${killed:+, killed: $killed}" \
		"$(head -c 2000 err)"
fi

tap_done
exit 0
