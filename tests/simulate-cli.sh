#!/bin/sh
# simulate-cli.sh - TAP: upsplan simulate from the command line: options, --expect, --until, JSON Lines, images, bad input.
#
# Environment: UPSPLAN (default ./upsplan), top_srcdir.  Scratch files:
# tests/simulate-cli.d in the current directory, kept when a test fails.
set -eu

# shellcheck source=tests/tap-env.sh
. "$(dirname "$0")/tap-env.sh"
need_upsplan

tap_scratch simulate-cli

run() {
	set +e
	"$@" >out 2>err
	status=$?
	set -e
}
check() {
	if [ "$status" -eq "$1" ] && grep -q -- "$2" "$3"; then
		ok "$4"
	else
		not_ok "$4" "exit $status (expected $1); stdout/stderr:" "$(head -5 out)" "$(head -5 err)"
	fi
}

echo "1..17"
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
run "$upsplan" simulate "--hostname=my host" plan.conf s.scn
check 2 "--hostname wants a name of 1 to 253 letters, digits, '.', '_' or '-', not 'my host'" err "a host name with a blank"
run "$upsplan" simulate "--user=o'brien" plan.conf s.scn
check 2 "--user wants a name of 1 to 64 letters" err "a user name with a quote"
run "$upsplan" simulate --hostname=db-1.example.com --user=upsmon plan.conf s.scn
check 0 "\[upsmon@db-1.example.com\]" out "a plain host and user name show in %(b)s"

tap_done
exit 0
