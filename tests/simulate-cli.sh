#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# simulate-cli.sh - TAP: upsplan simulate from the command line: options, --expect, --until, JSON Lines, images, bad input.
#
# Environment: UPSPLAN (default ./upsplan), top_srcdir.  Scratch files:
# tests/simulate-cli.d in the current directory, kept when a test fails.
set -eu

# shellcheck source=tests/tap-env.sh
. "$(dirname "$0")/tap-env.sh"
need_upsplan

tap_scratch simulate-cli

check() {
	if [ "$status" -eq "$1" ] && grep -q -- "$2" "$3"; then
		ok "$4"
	else
		not_ok "$4" "exit $status (expected $1); stdout/stderr:" "$(head -5 out)" "$(head -5 err)"
	fi
}

echo "1..34"
cp "$srcdir/examples/standard.conf" plan.conf
chmod 600 plan.conf
cat >s.scn <<'SCN'
at 30   set UPS-1 ups.status OB
at 100  set UPS-1 ups.status "OB LB"
at 10m  end
SCN

run "$upsplan" simulate --hostname=h plan.conf s.scn
check 0 "105.000 .*SHUTDOWNCMD  /sbin/shutdown -h +0" out "the shutdown after final-delay"
last=$(tail -n 1 out)
case $last in *" end") ok "the trace ends with an end line" ;; *) not_ok "the trace ends with an end line" "$last" ;; esac
cp out expected
run "$upsplan" simulate --hostname=h --expect=expected plan.conf s.scn
check 0 "the trace matches expected" err "--expect with the same trace"
sed 's/at 100 /at 200 /' s.scn >later.scn
run "$upsplan" simulate --hostname=h --expect=expected plan.conf later.scn
check 1 "^-.*100.000 .*None->LB .*event" err "--expect shows the expected line that is missing"
if grep -q "^+.*200.000 .*None->LB .*event" err; then ok "--expect shows the new line"; else not_ok "--expect shows the new line" "$(head -5 err)"; fi
run "$upsplan" simulate --hostname=h --until=1m plan.conf s.scn
check 0 "60.000 .*end" out "--until stops the clock"
if grep -q "SHUTDOWNCMD" out; then not_ok "--until: nothing after it" "$(cat out)"; else ok "--until: nothing after it"; fi
run "$upsplan" simulate --hostname=h --format=json plan.conf s.scn
check 0 '"kind":"SHUTDOWNCMD","text":"/sbin/shutdown -h +0","argv":\["/sbin/shutdown","-h","+0"\],"source":"plan.conf:' out "JSON Lines with argv and source"
# --expect compares JSON Lines by value: another spelling of the same
# string (an older upsplan wrote \u0009 where jansson writes \t) matches,
# another value does not
cp out trace.jsonl
sed 's#"/sbin/shutdown -h +0"#"\\u002fsbin\\u002fshutdown -h +0"#' trace.jsonl >spelt.jsonl
run "$upsplan" simulate --hostname=h --format=json --expect=spelt.jsonl plan.conf s.scn
check 0 "the trace matches spelt.jsonl" err "--expect: JSON Lines that spell a string otherwise match"
sed 's#"/sbin/shutdown -h +0"#"\\u002fsbin\\u002fshutdown -h +1"#' trace.jsonl >other.jsonl
run "$upsplan" simulate --hostname=h --format=json --expect=other.jsonl plan.conf s.scn
check 1 '^-.*shutdown -h +1' err "--expect: JSON Lines with another value differ"
"$upsplan" compile --hostname=h plan.conf -o plan.upb 2>/dev/null
run "$upsplan" simulate --hostname=h --expect=expected plan.upb s.scn
check 0 "matches" err "a compiled image simulates like its source"
run "$upsplan" simulate --hostname=h --keep-going plan.conf s.scn
if [ "$status" -eq 0 ] && ! grep -q "shuts down here" out && tail -n 1 out | grep -q "600.000 .*end"; then
	ok "--keep-going goes on after the shutdown"
else
	not_ok "--keep-going goes on after the shutdown" "$(tail -3 out)"
fi
run "$upsplan" simulate plan.conf
check 2 "give a PLAN and a SCENARIO" err "one file only"
run "$upsplan" simulate --until=soon plan.conf s.scn
check 2 "--until wants a time" err "a bad --until"
run "$upsplan" simulate --format=xml plan.conf s.scn
check 2 "unknown format 'xml'" err "a bad --format"
run "$upsplan" simulate plan.conf "$work/none.scn"
check 2 "none.scn" err "a missing scenario"
# found by tests/fuzz/fuzz-scenario.c: a dummy-ups file's variable names are checked as set's are
printf 'battery.charge: 100\nups.status : OB\n' >blank.dev
printf 'at 0 dummy UPS-1 blank.dev\nat 1m end\n' >blank.scn
run "$upsplan" simulate --hostname=h plan.conf blank.scn
check 1 "^blank.dev:2:1: error: 'ups.status ' is not a NUT variable name .*\[E703\]" err \
	"a dummy-ups variable name with a blank before its colon is refused (E703), not set as another variable"
printf 'battery.charge: 100\nups\000.status: OB\n' >nul.dev
printf 'at 0 dummy UPS-1 nul.dev\nat 1m end\n' >nul.scn
run "$upsplan" simulate --hostname=h plan.conf nul.scn
check 1 "^nul.dev:2:1: error: .* is not a NUT variable name .*\[E703\]" err \
	"a dummy-ups variable name with a NUL byte is refused (E703)"
run "$upsplan" simulate "--hostname=my host" plan.conf s.scn
check 2 "--hostname wants a name of 1 to 253 letters, digits, '.', '_' or '-', not 'my host'" err "a host name with a blank"
run "$upsplan" simulate "--user=o'brien" plan.conf s.scn
check 2 "--user wants a name of 1 to 64 letters" err "a user name with a quote"
run "$upsplan" simulate --hostname=db-1.example.com --user=upsmon plan.conf s.scn
check 0 "\[upsmon@db-1.example.com\]" out "a plain host and user name show in %(b)s"

# looping .seq files and a far end: counted before anything is made
printf 'TIMER 1\n' >idle.seq
awk 'BEGIN { for (i = 0; i < 200; i++) print "at 0 dummy UPS-1 idle.seq"; print "at 1000000000 end" }' >idle.scn
run timeout 20 "$upsplan" simulate --until=10 plan.conf idle.scn
check 0 "10.000 .*end" out "a looping .seq file that sets nothing is not repeated a billion times"
printf 'ups.status: OB\nTIMER 1\nups.status: OL\nTIMER 1\n' >flap.seq
printf 'at 0 dummy UPS-1 flap.seq\nat 100000000 end\n' >far.scn
if command -v /usr/bin/time >/dev/null 2>&1; then
	run timeout 60 /usr/bin/time -o rss -f %M "$upsplan" simulate plan.conf far.scn
	rss=$(tail -n 1 rss)
else
	run timeout 60 "$upsplan" simulate plan.conf far.scn
	rss=0
fi
check 1 "looping this file until the end makes more than 5000000 steps; end the scenario earlier \[E704\]" err \
	"a looping .seq file that would make 100 million steps is refused (E704)"
if [ "$rss" -lt 65536 ]; then
	ok "... before any of them is made (peak RSS $rss kB)"
else
	not_ok "... before any of them is made" "peak RSS $rss kB"
fi

# a scenario that would poll for days is stopped at the work bound, with a message
cat >fast.conf <<'EOF'
POLLFREQ 0.001 POLLFREQALERT 0.001
GROUP G HOST localhost CERTFILE "/etc/ssl/certs/none.pem"
MONITOR u POWERVAL 1 UPSDUSER a PASSWORD "b" TYPE primary
WHEN u REPORTS OL->OB : PRINT "on battery"
EOF
chmod 600 fast.conf
printf 'at 1000000 end\n' >fast.scn
run timeout 120 "$upsplan" simulate fast.conf fast.scn
check 1 "100,000,000 UPS polls and clock steps (1 UPS, polled every 0.001 s now) are the most a simulation does: end the scenario sooner" \
	err "a scenario of a billion polls is stopped at the bound, with what to do"
check 1 "note .*the simulation stops here" out "... and the trace says where it stopped"
# a timer that re-arms itself for ever, compared with a short trace: what is kept of the trace is bounded
cat >rearm.conf <<'EOF'
POLLFREQ 3600
GROUP G HOST localhost CERTFILE "/etc/ssl/certs/none.pem"
MONITOR u POWERVAL 1 UPSDUSER a PASSWORD "b" TYPE primary
WHEN u TIMEOUT start : STARTTIMER t 0.1
WHEN u TIMEOUT t : STARTTIMER t 0.1
EOF
chmod 600 rearm.conf
printf 'at 100000 end\n' >rearm.scn
"$upsplan" simulate rearm.conf rearm.scn 2>/dev/null | head -n 5 >rearm.trace
if command -v /usr/bin/time >/dev/null 2>&1; then
	run /usr/bin/time -o rss -f %M "$upsplan" simulate --expect=rearm.trace rearm.conf rearm.scn
	rss=$(tail -n 1 rss)
else
	run "$upsplan" simulate --expect=rearm.trace rearm.conf rearm.scn
	rss=0
fi
check 1 "the simulated trace is longer than rearm.trace (.* bytes): .* bytes of it are compared" err \
	"--expect: a trace a million lines longer than the expected one differs"
if [ "$rss" -lt 65536 ]; then
	ok "... and is not kept whole (peak RSS $rss kB)"
else
	not_ok "... and is not kept whole" "peak RSS $rss kB"
fi

# the warning options, as check's: a plan others can read (W610)
cp plan.conf open.conf
chmod 644 open.conf
run "$upsplan" simulate --hostname=h plan.conf s.scn
cp out quiet.trace
run "$upsplan" simulate --hostname=h open.conf s.scn
check 0 "open.conf:1:1: warning: .* every user can read it (mode 0644) \\[W610\\]" err "a plan readable by all: W610, then the simulation"
run "$upsplan" simulate -Wno-file-mode --hostname=h open.conf s.scn
if [ "$status" -eq 0 ] && [ ! -s err ] && cmp -s out quiet.trace; then
	ok "-Wno-file-mode: no W610, the same trace"
else
	not_ok "-Wno-file-mode: no W610, the same trace" "exit $status" "$(head -3 err)"
fi
run "$upsplan" simulate -Wno-W610 --hostname=h open.conf s.scn
if [ "$status" -eq 0 ] && [ ! -s err ]; then ok "-Wno-W610 silences it too"; else not_ok "-Wno-W610" "exit $status" "$(head -3 err)"; fi
run "$upsplan" simulate -Werror --hostname=h open.conf s.scn
if [ "$status" -eq 1 ] && grep -q "open.conf:1:1: error: .*\[W610\]" err && [ ! -s out ]; then
	ok "-Werror: the warning is an error, nothing simulated"
else
	not_ok "-Werror: the warning is an error" "exit $status" "$(head -3 err)" "$(head -3 out)"
fi
run "$upsplan" simulate -Werror -Wno-file-mode --hostname=h open.conf s.scn
if [ "$status" -eq 0 ] && [ ! -s err ]; then ok "-Werror -Wno-file-mode: simulated"; else not_ok "-Werror -Wno-file-mode" "exit $status" "$(head -3 err)"; fi
run "$upsplan" simulate -Wno-E300 plan.conf s.scn
check 2 "upsplan simulate: E300 is an error and cannot be disabled" err "-Wno-E300: an error cannot be disabled"

tap_done
exit 0
