#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# run-control.sh - TAP: upsplan run --control-socket with a real upsd: upsplan status (table and JSON) follows an outage and a timer, upsplan ctl reload/timers/fsd, hostile clients, the socket's owner and mode, unsafe places refused, no password shown.
#
# Started as root (as in CI) the daemon has its root parent and monitors
# as nobody: the socket is root:nogroup 0660, and a user outside that
# group (daemon) is refused by the kernel.  Environment: UPSPLAN,
# PEERS_BINDIR (make check sets them); PEERS_KEEP=1 keeps the temp dir.
# Skips without nut-server, libnss3-tools, stunnel4, python3.
set -eu

# shellcheck source=tests/daemon/daemon-lib.sh
. "$(cd "$(dirname "$0")" && pwd)/daemon-lib.sh"
dm_skip_unless_peers
if ! command -v python3 >/dev/null 2>&1; then
	echo "1..0 # SKIP python3 is not installed (the JSON checks and the hostile clients use it)"
	exit 0
fi

echo "1..61"
peers_init
printf 'ups.status: OL\nbattery.charge: 100\n' >"$PEERS_DIR/a.dev"
printf 'ups.status: OL\nbattery.charge: 90\n' >"$PEERS_DIR/b.dev"
peers_add_ups a "$PEERS_DIR/a.dev"
peers_add_ups b "$PEERS_DIR/b.dev"
peers_start tls || peers_bail "the peers did not start"
dm_setup
ROOT=0
[ "$(id -u)" -eq 0 ] && ROOT=1
CTL=$PEERS_DIR/ctl
mkdir "$CTL"
chmod 755 "$CTL"
SOCK=$CTL/control

# plan VERSION: the test plan, its texts marked VERSION
plan() {
	dm_plan dmn <<EOF
POLLFREQ 1 POLLFREQALERT 1 SHUTDOWNEXIT no
GROUP REAL HOST 127.0.0.1 PORT $UPSD_PORT CERTFILE "$CA_FILE"
MONITOR a POWERVAL 1 UPSDUSER $PRIMARY_USER PASSWORD "$PRIMARY_PASS" TYPE primary
MONITOR b POWERVAL 0 UPSDUSER $SECONDARY_USER PASSWORD "$SECONDARY_PASS" TYPE secondary
WHEN a REPORTS OL->OB : PRINT "$1 a %(e)s %(c)s" STARTTIMER t 60
WHEN a REPORTS OB->OL : PRINT "$1 a %(e)s" CANCELTIMER t
WHEN a TIMEOUT t : PRINT "$1 timer"
WHEN a REPORTS OL->OB : SHELLCMD "ls -l /proc/self/fd >$PEERS_DIR/act/fds 2>&1; exit 3"
WHEN a REPORTS None->FSD : PRINT "$1 FSD a"
WHEN a REPORTS None->LB : SHUTDOWNCMD "/bin/sh -c 'ls -l /proc/self/fd >$PEERS_DIR/act/shutfds 2>&1; sleep 3; echo \$1 >> $PEERS_DIR/act/shutdown' sh %(u)s"
EOF
}
TIMEOUT_LINE=7	# the WHEN a TIMEOUT t line above

# st [ARG...]: upsplan status on the test's socket; output in st.out, st.err, status in $rc
st() {
	rc=0
	"$UPSPLAN" status --socket "$SOCK" "$@" >"$PEERS_DIR/st.out" 2>"$PEERS_DIR/st.err" || rc=$?
	cat "$PEERS_DIR/st.out" "$PEERS_DIR/st.err" >>"$PEERS_DIR/all-output"
}
ctl() {
	rc=0
	"$UPSPLAN" ctl --socket "$SOCK" "$@" >"$PEERS_DIR/ctl.out" 2>"$PEERS_DIR/ctl.err" || rc=$?
	cat "$PEERS_DIR/ctl.out" "$PEERS_DIR/ctl.err" >>"$PEERS_DIR/all-output"
}
# json EXPR: python3 evaluates EXPR on the document d of status --json (st.out); 0 when true
json() {
	python3 -c 'import json, sys
d = json.load(open(sys.argv[1]))
sys.exit(0 if eval(sys.argv[2]) else 1)' "$PEERS_DIR/st.out" "$1"
}
# _st_has PATTERN: status (human) prints a line matching PATTERN
_st_has() {
	st && grep -q -- "$1" "$PEERS_DIR/st.out"
}
# _st_json EXPR: status --json makes EXPR true
_st_json() {
	st --json && json "$1"
}
# client MODE: a hostile client of the socket (python3); prints what it got back
client() {
	python3 - "$SOCK" "$1" <<'EOF'
import socket, sys, time
path, mode = sys.argv[1], sys.argv[2]
def conn():
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.connect(path)
    s.settimeout(6)
    return s
def rest(s):
    out = b""
    try:
        while True:
            b = s.recv(65536)
            if not b:
                break
            out += b
    except (socket.timeout, ConnectionResetError):
        out += b"<timeout>"
    return out
if mode == "long":
    s = conn(); s.sendall(b"x" * 600); print(rest(s).decode("ascii", "replace"))
elif mode == "silent":
    s = conn(); t = time.time(); r = rest(s); print("closed after %.1f s %r" % (time.time() - t, r[:40]))
elif mode == "junk":
    s = conn(); s.sendall(b"\x01\xff\x1b[31mred\x7f\n"); print(rest(s).decode("ascii", "replace"))
elif mode == "nul":
    s = conn(); s.sendall(b"sta\x00tus\n"); print(rest(s).decode("ascii", "replace"))
elif mode == "early":
    for i in range(20):
        s = conn(); s.sendall(b"status\n"); s.close()
    print("closed early 20 times")
elif mode == "hold":
    # clients connected (each for 1.5 s, one more every 0.5 s) for 10 s
    socks, t = [], time.time()
    while time.time() - t < 10:
        socks.append((time.time(), conn()))
        for at, s in [x for x in socks if time.time() - x[0] > 1.5]:
            s.close()
            socks.remove((at, s))
        time.sleep(0.5)
elif mode == "many":
    socks = [conn() for i in range(50)]
    time.sleep(0.5)
    closed = 0
    for s in socks:
        s.setblocking(False)
        try:
            if s.recv(10) == b"":
                closed += 1
        except BlockingIOError:
            pass
    print("closed at once: %d of 50" % closed)
    for s in socks:
        s.close()
EOF
}

plan v1
dm_start dmn --control-socket "$SOCK"
dm_wait dmn.err 'monitoring 2 UPS' 10 || true
dm_until 10 test -S "$SOCK" || true

# 1-2: the socket
if [ $ROOT -eq 1 ]; then
	got=$(stat -c '%a %U %G' "$SOCK" 2>&1)
	check "the socket is root:nogroup (the monitoring user's group) mode 0660: $got" test "$got" = "660 root nogroup"
else
	got=$(stat -c '%a %u' "$SOCK" 2>&1)
	check "the socket is this user's, mode 0660: $got" test "$got" = "660 $(id -u)"
fi
check "both UPS logged in, as status says" dm_until 15 _st_json 'all(u["connection"]["state"] == "logged in" for u in d["ups"])'

# 3-8: status, table and JSON
st
check "status: exit 0, a table with each UPS" sh -c "[ $rc -eq 0 ] && grep -q '^a  *REAL  *primary  *OL ' '$PEERS_DIR/st.out' && grep -q '^b  *REAL  *secondary  *OL ' '$PEERS_DIR/st.out'"
st --json
check "status --json: valid JSON (python3 -m json.tool)" python3 -m json.tool "$PEERS_DIR/st.out" /dev/null
check "status --json: daemon, plan, shutdown, ups, timers, actions" \
	json 'set(d) == {"daemon", "plan", "shutdown", "ups", "timers", "actions"} and d["plan"]["generation"] == 0 and len(d["plan"]["checksum"]) == 16 and d["shutdown"]["state"] == "none"'
check "status --json: UPS a: primary, OL, 100 %, logged in, answered within 2 s" \
	json '[u for u in d["ups"] if u["name"] == "a"][0]["status"] == ["OL"] and d["ups"][0]["battery.charge"] == 100 and d["ups"][0]["type"] == "primary" and d["ups"][0]["age"] < 2.5 and d["ups"][0]["group"] == "REAL"'
if [ $ROOT -eq 1 ]; then
	check "status --json: the monitoring process and its root parent" \
		json "d['daemon']['root_pid'] == $DM_PID_dmn and d['daemon']['pid'] != $DM_PID_dmn"
else
	check "status --json: one process" json "d['daemon']['root_pid'] is None and d['daemon']['pid'] == $DM_PID_dmn"
fi
st
check "no timer runs: status says so" grep -q '^no timer runs' "$PEERS_DIR/st.out"

# 9-15: an outage: OB in status, the timer's time left falls, the actions
# (clients stay connected meanwhile: the SHELLCMD of OL->OB must not inherit them)
client hold >/dev/null 2>&1 &
HOLD=$!
_peers_record holder "$HOLD"
dm_set_dev a "OB DISCHRG"
check "status shows UPS a on battery (OB DISCHRG)" dm_until 8 _st_has '^a  *REAL  *primary  *OB DISCHRG '
check "the timer t runs, its clause at dmn.conf:$TIMEOUT_LINE" \
	dm_until 5 _st_json "d['timers'][0]['name'] == 't' and d['timers'][0]['clauses'][0]['where'].endswith('dmn.conf:$TIMEOUT_LINE') and d['timers'][0]['clauses'][0]['ups'] == 'a'"
left() {
	python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["timers"][0]["seconds_left"])' "$PEERS_DIR/st.out"
}
t1=$(date +%s%N)
st --json
left1=$(left)
sleep 2
t2=$(date +%s%N)
st --json
left2=$(left)
took=$(awk "BEGIN { printf \"%.1f\", ($t2 - $t1) / 1e9 }")
check "its time left falls: $left1 s, then $left2 s $took s later" \
	awk "BEGIN { d = $left1 - $left2; exit !($left1 <= 60 && $left1 > 50 && d >= $took - 0.5 && d <= $took + 0.5) }"
ctl timers
check "ctl timers: a table with t and its clause" sh -c "[ $rc -eq 0 ] && grep -q '^t  *[0-9.]* s  .*dmn.conf:$TIMEOUT_LINE (a)' '$PEERS_DIR/ctl.out'"
ctl --json timers
check "ctl --json timers: valid JSON with t" python3 -c 'import json,sys; d = json.load(open(sys.argv[1])); sys.exit(d["timers"][0]["name"] != "t")' "$PEERS_DIR/ctl.out"
if dm_until 10 _st_json '[(a["kind"], a["result"], a["reason"]) for a in d["actions"] if a["kind"] in ("PRINT", "SHELLCMD")][-2:] == [("PRINT", "ok", None), ("SHELLCMD", "failed", "exit status 3")]'; then
	ok "the last actions: PRINT ok, SHELLCMD failed with exit status 3"
else
	not_ok "the last actions: PRINT ok, SHELLCMD failed with exit status 3" \
		"$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["actions"])' "$PEERS_DIR/st.out" 2>&1)"
fi
st
check "status (table): the last actions with their results" \
	sh -c "grep -q 'SHELLCMD  *a  *.*dmn.conf:8:[0-9]*  failed: exit status 3' '$PEERS_DIR/st.out' && grep -q 'PRINT  *a  .*  ok\$' '$PEERS_DIR/st.out'"
# what a command of the plan inherits: its standard descriptors, never the control socket or a client's
check "a SHELLCMD run while clients are connected inherits no socket (fds: $(tr '\n' '|' <"$PEERS_DIR/act/fds" 2>&1))" \
	sh -c "[ -s '$PEERS_DIR/act/fds' ] && ! grep -Eq ' ([3-9]|[1-9][0-9]+) -> socket:' '$PEERS_DIR/act/fds'"

# 16-20: reload
plan v2
ctl reload
check "ctl reload, a good plan: done, generation 1" sh -c "[ $rc -eq 0 ] && grep -q 'reloaded: plan generation 1 runs' '$PEERS_DIR/ctl.out'"
check "status: generation 1, the timer kept" _st_json 'd["plan"]["generation"] == 1 and d["timers"][0]["name"] == "t"'
printf 'WHEN a REPORTS OL->OB : PRINT "v3 broken" STARTTIMER\n' >>"$PEERS_DIR/dmn.conf"
sleep 2	# the root parent takes one reload every 2 s from the monitoring process
ctl reload
check "ctl reload, a plan with an error: refused, with the reason" \
	sh -c "[ $rc -eq 1 ] && grep -q 'reload refused: the plan has errors: the running plan is kept .* (plan generation 1 still runs)' '$PEERS_DIR/ctl.err'"
check "the error's diagnostic is in the daemon's log" grep -q 'dmn.conf:11:[0-9]*: error' "$PEERS_DIR/dmn.err"
if [ $ROOT -eq 1 ]; then
	# a plan the monitoring user cannot use (its CERTFILE is root's alone): the child refuses it
	cp "$CA_FILE" "$PEERS_DIR/root-ca.pem"
	chmod 600 "$PEERS_DIR/root-ca.pem"
	plan v3
	sed "s|CERTFILE \"$CA_FILE\"|CERTFILE \"$PEERS_DIR/root-ca.pem\"|" "$PEERS_DIR/dmn.conf" >"$PEERS_DIR/v3.conf"
	cat "$PEERS_DIR/v3.conf" >"$PEERS_DIR/dmn.conf"
	sleep 2
	ctl reload
	check "ctl reload, a plan the monitoring user cannot use: refused, with the reason" \
		sh -c "[ $rc -eq 1 ] && grep -q 'reload refused: the monitoring process cannot use the new plan: the running plan is kept .* (plan generation 1 still runs)' '$PEERS_DIR/ctl.err'"
	plan v2
else
	tap_skip "needs root (a root process)" "ctl reload, a plan the monitoring user cannot use: refused"
fi
dm_set_dev a OL
check "the old plan (v2) still runs" dm_wait dmn.out 'v2 a OB->OL' 8

# 21-24: fsd
ctl fsd a
check "ctl fsd without --yes: nothing sent, says what it would do" \
	sh -c "[ $rc -eq 2 ] && grep -q 'nothing sent: this would set FSD (forced shutdown) on UPS a' '$PEERS_DIR/ctl.err' && ! grep -q 'FSD on UPS' '$PEERS_DIR/dmn.err'"
ctl fsd b --yes
check "ctl fsd of a secondary UPS: refused" sh -c "[ $rc -eq 1 ] && grep -q \"UPS 'b' is not monitored as primary here\" '$PEERS_DIR/ctl.err'"
ctl fsd nosuch --yes
check "ctl fsd of an unknown UPS: refused" sh -c "[ $rc -eq 1 ] && grep -q \"monitors no UPS 'nosuch'\" '$PEERS_DIR/ctl.err'"

# 25-33: hostile clients; the daemon keeps monitoring
wait "$HOLD" 2>/dev/null || true
got=$(client long)
check "a request line of 600 bytes: refused" dm_wait dmn.err 'control socket: a request line longer than 512 bytes from pid [0-9]* (uid [0-9]*): closed' 3
check "... answered with an error: $got" sh -c "printf '%s' '$got' | grep -q 'longer than 512 bytes: refused'"
got=$(client silent)
check "a silent client: closed after 2 s ($got)" sh -c "printf '%s' '$got' | grep -q 'closed after [23]\.[0-9] s'"
check "... logged" grep -q 'control socket: no whole request line within 2 s from pid' "$PEERS_DIR/dmn.err"
got=$(client junk)
check "binary junk: an error answer, the bytes escaped ($got)" sh -c 'printf "%s" "$1" | grep -q "unknown request"' sh "$got"
check "... logged escaped, no raw control byte in the log" \
	sh -c "grep -qF 'unknown request \"\\x01\\xff\\x1b[31mred\\x7f\"' '$PEERS_DIR/dmn.err' && ! LC_ALL=C grep -q \"\$(printf '\\033')\" '$PEERS_DIR/dmn.err'"
got=$(client nul)
check "a NUL byte in the request: refused ($got)" sh -c 'printf "%s" "$1" | grep -q "a request holding a NUL byte: refused"' sh "$got"
got=$(client early)
check "clients that close before the answer: $got" test "$got" = "closed early 20 times"
got=$(client many)
check "50 clients at once: 34 refused at once ($got)" test "$got" = "closed at once: 34 of 50"
check "... logged" grep -q 'control socket: 16 clients are being served already: pid' "$PEERS_DIR/dmn.err"
dm_set_dev a "OB DISCHRG"
check "the daemon still monitors: OL->OB after the hostile clients" dm_wait_count dmn.out 'v2 a OL->OB' 1 8
check "and status answers again" dm_until 5 _st_has '^a  *REAL  *primary  *OB DISCHRG '

# a SHUTDOWNCMD (run by the root process when there is one): running, then succeeded
dm_set_dev a "OB DISCHRG LB"
check "a SHUTDOWNCMD runs: status says so, with its place, and its action runs" \
	dm_until 8 _st_json 'd["shutdown"]["state"] == "running" and d["shutdown"]["where"].endswith(":10:27") and d["actions"][-1]["kind"] == "SHUTDOWNCMD" and d["actions"][-1]["result"] == "running"'
check "... then succeeded, and its action ok" \
	dm_until 10 _st_json 'd["shutdown"]["state"] == "succeeded" and [a for a in d["actions"] if a["kind"] == "SHUTDOWNCMD"][-1]["result"] == "ok"'
st
check "... in the table too" grep -q '^SHUTDOWNCMD: succeeded (.*dmn.conf:10:27)' "$PEERS_DIR/st.out"
check "the SHUTDOWNCMD (run by root, which holds the listening socket) inherits no socket (fds: $(tr '\n' '|' <"$PEERS_DIR/act/shutfds" 2>&1))" \
	sh -c "[ -s '$PEERS_DIR/act/shutfds' ] && ! grep -Eq ' ([3-9]|[1-9][0-9]+) -> socket:' '$PEERS_DIR/act/shutfds'"

# fsd of the primary (last: upsd keeps FSD)
ctl fsd a --yes
check "ctl fsd a --yes: sent" sh -c "[ $rc -eq 0 ] && grep -q 'FSD sent for UPS a' '$PEERS_DIR/ctl.out'"
check "... logged with who asked" grep -q "control socket: FSD on UPS a asked by uid $(id -u) (pid [0-9]*)" "$PEERS_DIR/dmn.err"
check "... upsd sets FSD: the plan's None->FSD clause runs" dm_wait dmn.out 'v2 FSD a' 8

# client errors
rc=0
"$UPSPLAN" status --socket "$PEERS_DIR/nothing-here" >/dev/null 2>"$PEERS_DIR/e.err" || rc=$?
check "no socket: says to start the daemon with --control-socket" \
	sh -c "[ $rc -eq 1 ] && grep -q 'no control socket at .*: is the daemon running, with --control-socket' '$PEERS_DIR/e.err'"
rc=0
"$UPSPLAN" status --socket "$PEERS_DIR/dmn.conf" >/dev/null 2>"$PEERS_DIR/e.err" || rc=$?
check "a file that is not a socket: said so" sh -c "[ $rc -eq 1 ] && grep -q 'dmn.conf is not a socket' '$PEERS_DIR/e.err'"
python3 -c '
import socket, sys, time
s = socket.socket(socket.AF_UNIX); s.bind(sys.argv[1]); s.listen(4)
c, _ = s.accept(); time.sleep(8)' "$CTL/mute" &
_peers_record mute-server "$!"
dm_until 5 test -S "$CTL/mute" || true
rc=0
"$UPSPLAN" status --socket "$CTL/mute" >/dev/null 2>"$PEERS_DIR/e.err" || rc=$?
check "a daemon that does not answer: a time-out" sh -c "[ $rc -eq 1 ] && grep -q 'no answer from the daemon at .* within 5 s' '$PEERS_DIR/e.err'"
# a hostile "daemon" (whoever bound the socket, or a compromised monitoring process): its texts never reach the terminal raw
python3 -c '
import json, socket, sys
e = "\x1b]0;owned\x07\x1b[2J\u009b31m"
ups = {"name": "u" + e, "group": "g" + e, "type": "primary" + e, "status": ["OB" + e, 5, None],
       "battery.charge": 50, "age": 1.0, "comm": True, "upsd": e,
       "connection": {"state": "s" + e, "last_error": "x" + e}}
tm = [{"name": "t" + e, "seconds_left": 3, "clauses": [{"ups": "u" + e, "where": "w" + e}]}]
doc = {"daemon": {"pid": 1, "root_pid": 2, "started": e, "uptime": 5, "version": "v" + e, "state": "m" + e},
       "plan": {"file": "f" + e, "checksum": "c" + e, "generation": 1, "loaded": "l" + e, "poll_interval": 1},
       "shutdown": {"state": "n" + e, "where": "w" + e}, "ups": [ups], "timers": tm,
       "actions": [{"time": "t" + e, "kind": "k" + e, "ups": "u" + e, "where": "w" + e, "result": "r" + e,
                    "reason": "r" + e}]}
s = socket.socket(socket.AF_UNIX); s.bind(sys.argv[1]); s.listen(4)
for a in [json.dumps(doc).encode(), json.dumps(doc).encode(), e.encode() + b"[31m]", json.dumps(doc).encode()]:
    c, _ = s.accept(); c.recv(600); c.sendall(a + b"\n"); c.close()' "$CTL/evil" &
_peers_record evil-server "$!"
dm_until 5 test -S "$CTL/evil" || true
rc=0
"$UPSPLAN" status --socket "$CTL/evil" >"$PEERS_DIR/evil.out" 2>&1 || rc=$?
"$UPSPLAN" ctl --socket "$CTL/evil" timers >>"$PEERS_DIR/evil.out" 2>&1 || rc=$((rc + $?))
"$UPSPLAN" status --socket "$CTL/evil" >>"$PEERS_DIR/evil.out" 2>&1 && rc=$((rc + 1))
"$UPSPLAN" status --json --socket "$CTL/evil" >>"$PEERS_DIR/evil.out" 2>&1 || rc=$((rc + $?))
# no ESC, BEL or C1 control (U+009B is C2 9B in UTF-8), and no "(null)" for a status word that is not a text
check "a hostile daemon's answer: shown with every control character escaped (table, timers, JSON, an answer not JSON)" \
	sh -c "[ $rc -eq 0 ] && grep -q '^u' '$PEERS_DIR/evil.out' && grep -q '^t' '$PEERS_DIR/evil.out' && grep -q 'not a JSON object' '$PEERS_DIR/evil.out' && grep -qiF '\\u009b31m' '$PEERS_DIR/evil.out' && \
		! LC_ALL=C grep -q -e \"\$(printf '\\033')\" -e \"\$(printf '\\007')\" -e \"\$(printf '\\302\\233')\" -e '(null)' '$PEERS_DIR/evil.out'"
# a hostile answer (one UPS and one timer named with 20 KB, 1000 more of each): the table is not padded to it
python3 -c '
import json, socket, sys
big = "n" * 20000
ups = [{"name": big, "group": big, "status": ["OL"]}] + [{"name": "u%d" % i, "group": "g", "status": ["OL"]} for i in range(1000)]
tm = [{"name": big, "seconds_left": 1, "clauses": []}] + [{"name": "t%d" % i, "seconds_left": 1, "clauses": []} for i in range(1000)]
doc = json.dumps({"daemon": {}, "plan": {}, "shutdown": {}, "ups": ups, "timers": tm, "actions": []}).encode()
s = socket.socket(socket.AF_UNIX); s.bind(sys.argv[1]); s.listen(4)
c, _ = s.accept(); c.recv(600); c.sendall(doc + b"\n"); c.close()' "$CTL/wide" &
_peers_record wide-server "$!"
dm_until 5 test -S "$CTL/wide" || true
rc=0
"$UPSPLAN" status --socket "$CTL/wide" >"$PEERS_DIR/wide.out" 2>&1 || rc=$?
check "a hostile answer with names of 20 KB: the table is not padded to it ($(wc -c <"$PEERS_DIR/wide.out") bytes)" \
	sh -c "[ $rc -eq 0 ] && [ \$(wc -c <'$PEERS_DIR/wide.out') -lt 1000000 ] && grep -q '^u999 ' '$PEERS_DIR/wide.out'"
if [ $ROOT -eq 1 ] && command -v setpriv >/dev/null 2>&1; then
	rc=0
	setpriv --reuid=daemon --regid=daemon --clear-groups "$UPSPLAN" status --socket "$SOCK" >/dev/null 2>"$PEERS_DIR/e.err" || rc=$?
	check "a user outside the group: permission denied, add yourself to the group" \
		sh -c "[ $rc -eq 1 ] && grep -q 'permission denied on .*: add yourself to that group' '$PEERS_DIR/e.err'"
else
	tap_skip "needs root and setpriv" "a user outside the group: permission denied"
fi

# unsafe places for the socket, refused at start (as root: the directory's owner matters)
ln -s "$PEERS_DIR/elsewhere" "$CTL/link"
rc=0
dm_plan other <<EOF
POLLFREQ 1
GROUP REAL HOST 127.0.0.1 PORT $UPSD_PORT CERTFILE "$CA_FILE"
MONITOR a POWERVAL 1 UPSDUSER $PRIMARY_USER PASSWORD "$PRIMARY_PASS" TYPE primary
WHEN a REPORTS OL->OB : PRINT "other"
EOF
start_refused() {
	rc=0
	# shellcheck disable=SC2086 # DM_USER_OPT is words
	timeout 10 "$UPSPLAN" run -F $DM_USER_OPT -p "$PEERS_DIR/other.pid" --state-file none --powerdownflag none \
		--allow-warnings --control-socket "$1" "$PEERS_DIR/other.conf" >/dev/null 2>"$PEERS_DIR/other.err" || rc=$?
}
start_refused "$CTL/link"
check "a symbolic link at the socket's path: refused, left as it was" \
	sh -c "[ $rc -eq 2 ] && grep -q 'is a symbolic link, which is never followed' '$PEERS_DIR/other.err' && [ -L '$CTL/link' ] && [ ! -e '$PEERS_DIR/elsewhere' ]"
mkdir "$PEERS_DIR/gw"
chmod 775 "$PEERS_DIR/gw"
start_refused "$PEERS_DIR/gw/control"
check "a directory its group can write: refused" \
	sh -c "[ $rc -eq 2 ] && grep -q 'the directory .*/gw can be written by its group (mode 0775)' '$PEERS_DIR/other.err' && [ ! -e '$PEERS_DIR/gw/control' ]"
start_refused "$SOCK"
check "the socket of a running daemon: refused, the running one keeps it" \
	sh -c "[ $rc -eq 2 ] && grep -q 'another daemon listens on it' '$PEERS_DIR/other.err' && [ -S '$SOCK' ]"
# a directory above the socket's that another user owns: they could rename it and put theirs in its place
if [ $ROOT -eq 1 ]; then
	mkdir -p "$PEERS_DIR/theirs/sub"
	chmod 755 "$PEERS_DIR/theirs" "$PEERS_DIR/theirs/sub"
	chown nobody "$PEERS_DIR/theirs"
	start_refused "$PEERS_DIR/theirs/sub/control"
	check "a directory above the socket's that another user owns: refused" \
		sh -c "[ $rc -eq 2 ] && grep -q 'the directory .*/theirs belongs to user [0-9]*, not to root' '$PEERS_DIR/other.err' && [ ! -e '$PEERS_DIR/theirs/sub/control' ]"
	ln -s "$PEERS_DIR/theirs/sub" "$CTL/via-link"
	start_refused "$CTL/via-link/control"
	check "... also reached through a symbolic link" \
		sh -c "[ $rc -eq 2 ] && grep -q 'the directory .*/theirs belongs to user [0-9]*, not to root' '$PEERS_DIR/other.err'"
else
	tap_skip "needs root (chown)" "a directory above the socket's that another user owns: refused" "... through a link"
fi

# started as another user: the one process makes its socket (its own, mode 0660) and answers on it
as_nobody() {
	setpriv --reuid=nobody --regid=nogroup --clear-groups "$@"
}
_user_up() {
	rc=0
	as_nobody "$UPSPLAN" status --json --socket "$U/control" >"$PEERS_DIR/st.out" 2>"$PEERS_DIR/st.err" || rc=$?
	cat "$PEERS_DIR/st.out" "$PEERS_DIR/st.err" >>"$PEERS_DIR/all-output"
	[ $rc -eq 0 ] && json 'd["daemon"]["root_pid"] is None and d["ups"][0]["connection"]["state"] == "logged in"'
}
if [ $ROOT -eq 1 ] && command -v setpriv >/dev/null 2>&1; then
	U=$PEERS_DIR/user
	mkdir "$U"
	cp "$PEERS_DIR/other.conf" "$U/plan.conf"
	chmod 700 "$U"
	chmod 600 "$U/plan.conf"
	chown -R nobody:nogroup "$U"
	# setpriv itself in the background (not a function: $! would be a subshell's)
	setpriv --reuid=nobody --regid=nogroup --clear-groups "$UPSPLAN" run -F --allow-warnings \
		--control-socket "$U/control" "$U/plan.conf" >"$PEERS_DIR/user.out" 2>"$PEERS_DIR/user.err" </dev/null &
	UPID=$!
	_peers_record upsplan-user "$UPID"
	dm_until 10 test -S "$U/control" || true
	got=$(stat -c '%a %U %G' "$U/control" 2>&1)
	check "started as nobody: its own socket, mode 0660 ($got)" test "$got" = "660 nobody nogroup"
	check "started as nobody: the one process answers status (no root process), UPS a logged in" dm_until 10 _user_up
	# without a root process the monitoring loop compiles itself: a reload asked for again at once is refused
	rc=0
	as_nobody "$UPSPLAN" ctl --socket "$U/control" reload >"$PEERS_DIR/r1.out" 2>&1 || rc=$?
	rc2=0
	as_nobody "$UPSPLAN" ctl --socket "$U/control" reload >"$PEERS_DIR/r2.out" 2>&1 || rc2=$?
	check "started as nobody: a reload, then one asked again at once: refused ($(cat "$PEERS_DIR/r2.out"))" \
		sh -c "[ $rc -eq 0 ] && [ $rc2 -eq 1 ] && grep -q 'reload refused: asked again within 2 s of the last reload: not done' '$PEERS_DIR/r2.out' && [ \$(grep -c 'compiling .* again' '$PEERS_DIR/user.err') -eq 1 ]"
	kill -TERM "$UPID" 2>/dev/null || true
	wait "$UPID" 2>/dev/null || true
	check "started as nobody: the socket is removed at SIGTERM" test ! -e "$U/control"
else
	tap_skip "needs root and setpriv" "started as nobody: its own socket" "started as nobody: one process answers" \
		"started as nobody: a reload asked again at once" "started as nobody: socket removed"
fi

# no password anywhere
if grep -qF -e "$PRIMARY_PASS" -e "$SECONDARY_PASS" "$PEERS_DIR/all-output" "$PEERS_DIR/dmn.err" "$PEERS_DIR/dmn.out"; then
	not_ok "no password in any output of status, ctl or the log" "$(grep -F -e "$PRIMARY_PASS" -e "$SECONDARY_PASS" "$PEERS_DIR/all-output" | head -3)"
else
	ok "no password in any output of status, ctl or the log ($(wc -c <"$PEERS_DIR/all-output") bytes of output)"
fi

# its socket removed and another one bound at its path meanwhile: the daemon leaves that one alone when it stops
# (its own removal at the end is checked above, started as nobody)
rm -f "$SOCK"
python3 -c '
import socket, sys, time
s = socket.socket(socket.AF_UNIX); s.bind(sys.argv[1]); s.listen(4); time.sleep(30)' "$SOCK" &
FOREIGN=$!
_peers_record foreign-socket "$FOREIGN"
dm_until 5 test -S "$SOCK" || true
dm_stop dmn
check "SIGTERM: the daemon stops with status 0 ($DM_STATUS) and leaves a socket it did not make at its path" \
	sh -c "[ $DM_STATUS -eq 0 ] && [ -S '$SOCK' ]"
kill "$FOREIGN" 2>/dev/null || true
wait "$FOREIGN" 2>/dev/null || true
dm_done
peers_stop
