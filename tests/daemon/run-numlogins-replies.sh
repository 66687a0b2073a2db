#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# run-numlogins-replies.sh - TAP: upsplan run against a scripted upsd (silent-server -s, TLS NONE on loopback) gets the GET NUMLOGINS replies a real upsd never sends: ERR with the status answered, a count that is no whole number (logged escaped), a count for another UPS; each makes the count unknown or fails the connection, logged once, never a crash; only the UPS whose count a rule reads is asked.
#
# Environment: UPSPLAN, PEERS_BINDIR (make check sets them); PEERS_KEEP=1
# keeps the temp dir.  Skips as the other daemon tests do.
set -eu

# shellcheck source=tests/daemon/daemon-lib.sh
. "$(cd "$(dirname "$0")" && pwd)/daemon-lib.sh"
dm_skip_unless_peers

echo "1..11"
peers_init
dm_setup

# script LINES: the scripted upsd's answers from now on (replaced whole: it reads the file at each line)
script() {
	{
		printf 'USERNAME\tOK\nPASSWORD\tOK\nLOGIN\tOK\nPRIMARY\tOK PRIMARY-GRANTED\nLOGOUT\tOK Goodbye\n'
		printf 'GET VAR a ups.status\tVAR a ups.status "OL"\nGET VAR b ups.status\tVAR b ups.status "OL"\n'
		printf 'GET VAR a battery.charge\tVAR a battery.charge "100"\nGET VAR b battery.charge\tVAR b battery.charge "100"\n'
		printf '%s\n' "$@"
	} >"$PEERS_DIR/script.new"
	mv "$PEERS_DIR/script.new" "$PEERS_DIR/script"
}
nl=$(printf 'GET NUMLOGINS a\t')
script "${nl}NUMLOGINS a 2"
"$PEERS_BINDIR/silent-server" -s "$PEERS_DIR/script" -r "$PEERS_DIR/record" -f "$PEERS_DIR/scripted.port" -w $$ -t 600 \
	</dev/null >"$PEERS_DIR/scripted.log" 2>&1 &
server=$!
dm_until 10 test -s "$PEERS_DIR/scripted.port" || peers_bail "the scripted upsd did not start"
port=$(cat "$PEERS_DIR/scripted.port")

# a's count is read; b's by no rule
dm_plan nl <<END
POLLFREQ 1 POLLFREQALERT 1
GROUP LOCAL HOST 127.0.0.1 PORT $port TLS NONE
MONITOR a POWERVAL 1 UPSDUSER mon PASSWORD "pw" TYPE primary
MONITOR b POWERVAL 0 UPSDUSER mon PASSWORD "pw" TYPE primary
WHEN a BECOMES NUMLOGINS >= 2 : PRINT "two on a"
WHEN a CEASES NUMLOGINS >= 2 : PRINT "not two on a"
WHEN a REPORTS None->LB : SHUTDOWNCMD "/bin/true"
WHEN a REPORTS COMM->NOCOMM : PRINT "lost a"
WHEN b REPORTS COMM->NOCOMM : PRINT "lost b"
END
dm_start nl

# 1-2: asked for a only
check "NUMLOGINS a 2: NUMLOGINS >= 2 is true" dm_wait nl.out 'two on a' 15
check "GET NUMLOGINS is asked for a, whose count a rule reads, and never for b" \
	test "$(dm_count record '^GET NUMLOGINS a$')" -gt 0 -a "$(dm_count record 'NUMLOGINS b')" -eq 0

# 3-5: ERR with the status answered: unknown (false), logged once
script "${nl}ERR DATA-STALE"
check "ERR DATA-STALE to GET NUMLOGINS: the count is unknown, the comparison false" dm_wait nl.out 'not two on a' 10
sleep 3
check "... logged once" test "$(dm_count nl.err 'upsd answers ERR DATA-STALE to GET NUMLOGINS a')" -eq 1
script "${nl}NUMLOGINS a 2"
check "a count again: true again, and logged" dm_wait nl.err 'upsd counts the logins to a again (2)' 10

# 6-8: a count that is no whole number: unknown, logged once with its bytes escaped
dm_wait_count nl.out 'two on a' 2 10 || true
script "${nl}NUMLOGINS a 2\\xff"
check "NUMLOGINS a 2<0xff>: unknown, the comparison false" dm_wait_count nl.out 'not two on a' 2 10
check "... logged with its bytes escaped" dm_wait nl.err 'is no whole number (NUMLOGINS a 2\\xff)' 5
script "${nl}NUMLOGINS a -1"
sleep 3
check "... once for any such count (-1 after it: no second line)" test "$(dm_count nl.err 'is no whole number')" -eq 1

# 9-10: a count for another UPS breaks the protocol: the connection fails, the daemon goes on
script "${nl}NUMLOGINS b 2"
check "NUMLOGINS for another UPS: a protocol error, logged" dm_wait nl.err 'upsd answered NUMLOGINS for b, not for what was asked' 10
check "... and the daemon runs on" kill -0 "$DM_PID_nl"
script "${nl}NUMLOGINS a 2"

# 11: a plan that reads no NUMLOGINS asks for none
dm_stop nl
: >"$PEERS_DIR/record"
dm_plan plain <<END
POLLFREQ 1 POLLFREQALERT 1
GROUP LOCAL HOST 127.0.0.1 PORT $port TLS NONE
MONITOR a POWERVAL 1 UPSDUSER mon PASSWORD "pw" TYPE primary
WHEN a REPORTS OL->OB : PRINT "on battery"
WHEN a REPORTS None->LB : SHUTDOWNCMD "/bin/true"
WHEN a REPORTS COMM->NOCOMM : PRINT "lost a"
END
dm_start plain
dm_wait_count record '^GET VAR a ups.status$' 3 15 || true
check "a plan without NUMLOGINS asks only for the status, as before" \
	test "$(dm_count record 'NUMLOGINS')" -eq 0 -a "$(dm_count record '^GET VAR a ups.status$')" -ge 3
dm_stop plain
kill "$server" 2>/dev/null || true
wait "$server" 2>/dev/null || true
dm_done
