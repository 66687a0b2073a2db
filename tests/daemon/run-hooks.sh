#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# run-hooks.sh - TAP: the HOOKS runner as the daemon uses it: run-parts' names and order, the event in the environment, failures and time limits, trust checks, one run of a directory at a time.
#
# Environment: PEERS_BINDIR (make check sets it: hooks-driver is there).
# shellcheck source=tests/tap-env.sh
. "$(cd "$(dirname "$0")/.." && pwd)/tap-env.sh"
: "${PEERS_BINDIR:=$(pwd)/tests/daemon}"
driver=$PEERS_BINDIR/hooks-driver
if [ ! -x "$driver" ]; then
	echo "Bail out! $driver is not built"
	exit 1
fi
tap_scratch run-hooks
REC=$work/rec
export REC

# hook DIR NAME [BODY]: an executable hook that records its name and the event
hook() {
	cat >"$1/$2" <<HOOK
#!/bin/sh
echo "$2 ups=\$UPSPLAN_UPS group=\$UPSPLAN_GROUP event=\$UPSPLAN_EVENT message=\$UPSPLAN_MESSAGE" >>"\$REC"
${3-}
HOOK
	chmod 0755 "$1/$2"
}

# drive TIMEOUT DIR...: the driver with UPS ups1, event "REPORTS OL->OB", a message; its log in log, its status in dstatus
drive() {
	_t=$1
	shift
	: >"$REC"
	"$driver" "$_t" ups1 "REPORTS OL->OB" 'ups1 on battery; $HOME `x`' "$@" 2>"$work/log"
	dstatus=$?
}

# check NAME COND...: ok when the command succeeds, else not ok with the record and the log
check() {
	_name=$1
	shift
	if "$@"; then
		ok "$_name"
	else
		not_ok "$_name" "record: $(tr '\n' '|' <"$REC")" "log: $(tr '\n' '|' <"$work/log")"
	fi
}

# 1-4: order, environment, the names run-parts skips, the directory read when its turn comes
d=$work/onbattery
mkdir -m 0755 "$d"
hook "$d" 20-b
hook "$d" 10-a
hook "$d" 30_c
hook "$d" Z9
hook "$d" .hidden
hook "$d" 40-d~
hook "$d" 50-e.dpkg-old
hook "$d" 60-f.sh
hook "$d" 70-g
chmod 0644 "$d/70-g"
mkdir "$d/80-dir"
drive 5 "$d"
check "the hooks run in byte order, each once" \
	[ "$(cut -d' ' -f1 "$REC" | tr '\n' ' ')" = "10-a 20-b 30_c Z9 " ]
check "each gets UPSPLAN_UPS, UPSPLAN_GROUP, UPSPLAN_EVENT and UPSPLAN_MESSAGE as they are" \
	grep -qxF '10-a ups=ups1 group= event=REPORTS OL->OB message=ups1 on battery; $HOME `x`' "$REC"
check "hidden files, ~ and .dpkg-* backups, other names with a dot, non-executables and directories are skipped" \
	sh -c '! grep -q -e hidden -e 40-d -e 50-e -e 60-f -e 70-g -e 80-dir "$REC"'
check "each hook's exit status is logged" \
	[ "$(grep -c 'HOOKS at plan.conf:1:1): exit status 0' "$work/log")" -eq 4 ]

# 5-6: a failing hook and one past the time limit do not stop the others
f=$work/failing
mkdir -m 0755 "$f"
hook "$f" 1-fails "exit 3"
hook "$f" 2-hangs "sleep 30"
hook "$f" 3-last
start=$(date +%s)
drive 1 "$f"
end=$(date +%s)
check "a hook that fails is logged with its status and the next one runs" \
	sh -c 'grep -q "hook at '"$f"'/1-fails (HOOKS at plan.conf:1:1): failed with exit status 3" "'"$work"'/log" && grep -q "^3-last " "$REC"'
check "a hook past the time limit is stopped, logged, and the next one runs" \
	sh -c 'grep -q "2-hangs (HOOKS at plan.conf:1:1): still running after 1 s" "'"$work"'/log" && grep -q "^3-last " "$REC" && [ $((end - start)) -lt 10 ]' 

# 7-8: one run of a directory at a time; different directories side by side
s=$work/slow
o=$work/other
mkdir -m 0755 "$s" "$o"
hook "$s" a 'echo "a-end" >>"$REC"; sleep 0.3'
hook "$s" b 'sleep 0.3; echo "b-end" >>"$REC"'
hook "$o" x 'echo "x-end" >>"$REC"'
drive 5 "$s" "$s" "$o"
check "two runs of one directory follow each other" \
	[ "$(grep -v '^x' "$REC" | cut -d' ' -f1 | tr '\n' ' ')" = "a a-end b b-end a a-end b b-end " ]
# x runs while the first run of slow is still at a (b starts 0.3 s later)
check "a run of another directory does not wait for them" \
	[ "$(grep -n '^x ' "$REC" | cut -d: -f1)" -lt "$(grep -n '^b ' "$REC" | head -n 1 | cut -d: -f1)" ]

# 9-11: trust: what others may change is not run
t=$work/trust
mkdir -m 0755 "$t"
hook "$t" 1-groupw
chmod 0775 "$t/1-groupw"
hook "$t" 2-ok
drive 5 "$t"
check "a hook its group may write is refused with the fix, the others run" \
	sh -c '! grep -q "^1-groupw" "$REC" && grep -q "^2-ok" "$REC" && grep -q "may be changed by its group (mode 0775): not run (chmod go-w '"$t"'/1-groupw)" "'"$work"'/log"'
chmod 0777 "$t"
chmod 0755 "$t/1-groupw"
drive 5 "$t"
check "a directory every user may write is refused whole" \
	sh -c '[ ! -s "$REC" ] && grep -q "the directory '"$t"' may be changed by every user (mode 0777): not run" "'"$work"'/log"'
chmod 0755 "$t"
if [ "$(id -u)" -eq 0 ]; then
	chown 12345 "$t/2-ok"
	drive 5 "$t"
	check "a hook another user owns is refused" \
		sh -c '! grep -q "^2-ok" "$REC" && grep -q "is owned by uid 12345, neither root nor" "'"$work"'/log"'
else
	tap_skip "not root: chown" "a hook another user owns is refused"
fi

# 12-14: a directory above the hooks' that another user owns (they could rename it and put theirs in its place),
# directly or behind a symbolic link
if [ "$(id -u)" -eq 0 ]; then
	mkdir -m 0755 "$work/theirs" "$work/theirs/hooks"
	hook "$work/theirs/hooks" 1-theirs
	chown nobody "$work/theirs"
	ln -s "$work/theirs/hooks" "$work/via-link"
	drive 5 "$work/theirs/hooks" "$work/via-link"
	check "a directory above the hooks' owned by another user: refused, nothing run" \
		sh -c '[ ! -s "$REC" ] && [ "$(grep -c "HOOKS at plan.conf:[12]:1: the directory '"$work"'/theirs belongs to user [0-9]*, not to root: .*: not run" "'"$work"'/log")" -eq 2 ]'
	chown root "$work/theirs"
	drive 5 "$work/via-link"
	check "... run once it is root's, through the link too" grep -q "^1-theirs " "$REC"
	# a hook that is a link to root's program in a directory another user may change
	mkdir -m 0755 "$work/lk" "$work/theirbin"
	hook "$work/theirbin" prog
	chown nobody "$work/theirbin"
	ln -s "$work/theirbin/prog" "$work/lk/1-link"
	hook "$work/lk" 2-plain
	drive 5 "$work/lk"
	check "a hook linked to a program in a directory another user owns: refused, the next one runs" \
		sh -c '! grep -q "^prog " "$REC" && grep -q "^2-plain " "$REC" && grep -q "'"$work"'/lk/1-link: the directory '"$work"'/theirbin belongs to user [0-9]*, not to root: .*: not run" "'"$work"'/log"'
else
	tap_skip "not root: chown" "a directory above the hooks' owned by another user: refused" "... run once it is root's" \
		"a hook linked into a directory another user owns: refused"
fi

# 15-16: a directory that is not there, or not one; the run goes on with the next
hook "$o" y
drive 5 "$work/nowhere" "$REC" "$o"
check "a missing directory and a file are logged and the next directory runs" \
	sh -c 'grep -q "'"$work"'/nowhere: No such file or directory" "'"$work"'/log" && grep -q "'"$REC"' is not a directory" "'"$work"'/log" && grep -q "^x " "$REC" && grep -q "^y " "$REC"'
check "the driver ends normally after all that" [ "$dstatus" -eq 0 ]

# 17: a directory with more hooks than a run takes
m=$work/many
mkdir -m 0755 "$m"
i=0
while [ $i -lt 260 ]; do
	printf '#!/bin/sh\nexit 0\n' >"$m/h$(printf %03d $i)"
	chmod 0755 "$m/h$(printf %03d $i)"
	i=$((i + 1))
done
drive 20 "$m"
check "a directory of 260 hooks runs 256 of them and says why not the rest" \
	sh -c '[ "$(grep -c "exit status 0" "'"$work"'/log")" -eq 256 ] && grep -q "holds more than 256 hooks: the rest are not run" "'"$work"'/log"'

# 18-19: what a hook writes on its standard error is logged, bounded whatever it writes
b=$work/babble
mkdir -m 0755 "$b"
hook "$b" 1-long "head -c 100000000 /dev/zero | tr '\\0' x >&2; echo >&2; echo 'after the long line' >&2"
hook "$b" 2-lines 'i=0; while [ $i -lt 1000 ]; do echo "line $i" >&2; i=$((i + 1)); done'
start=$(date +%s)
drive 10 "$b"
end=$(date +%s)
check "a line of 100 MB on standard error: logged cut at 1 KiB, the next one whole, the hook not held up ($((end - start)) s)" \
	sh -c 'grep -q "1-long (HOOKS at plan.conf:1:1): x*x \[line cut\]\$" "$1/log" && [ "$(grep "line cut" "$1/log" | wc -c)" -lt 1400 ] && grep -q "1-long (HOOKS at plan.conf:1:1): after the long line" "$1/log" && grep -q "1-long (HOOKS at plan.conf:1:1): exit status 0" "$1/log" && [ $(($3 - $2)) -lt 8 ]' sh "$work" "$start" "$end"
check "1000 lines on standard error: 50 logged, the others counted" \
	sh -c '[ "$(grep -c "2-lines (HOOKS at plan.conf:1:1): line [0-9]*\$" "$1/log")" -eq 50 ] && grep -q "2-lines (HOOKS at plan.conf:1:1): 950 more lines of its standard error not logged" "$1/log"' sh "$work"

# 20: what a hook writes last is read, also when its end is seen before its last bytes are
# (each of 5 hooks writes 1000 short lines: 50 logged, and its last ones must be counted)
l=$work/last
mkdir -m 0755 "$l"
for i in 1 2 3 4 5; do
	hook "$l" "$i-last" 'i=0; while [ $i -lt 1000 ]; do echo "line $i" >&2; i=$((i + 1)); done'
done
drive 20 "$l"
check "5 hooks of 1000 lines each: every line read to the last ($(grep -c '950 more lines' "$work/log") of 5 counted 950)" \
	[ "$(grep -c "last (HOOKS at plan.conf:1:1): 950 more lines of its standard error not logged" "$work/log")" -eq 5 ]

tap_done
echo "1..$n"
[ "$failed" -eq 0 ]
