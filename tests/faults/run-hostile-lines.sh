#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# run-hostile-lines.sh - TAP: upsplan run against a hostile upsd that sends malformed, oversized, unasked-for and hostile reply lines (every ERR word, NUL and control bytes, a 1 MB line, a 10,000-word status, a flood): each fault logged clearly and escaped, memory and CPU bounded, the UPS of a real upsd on time, exit 0 on SIGTERM.
#
# Environment: UPSPLAN, PEERS_BINDIR, FAULTS_BINDIR (make check sets them);
# PEERS_KEEP=1 keeps the temp dir.  Skips without nut-server,
# libnss3-tools, stunnel4.  About 80 s.
set -eu

# shellcheck source=tests/faults/faults-lib.sh
. "$(cd "$(dirname "$0")" && pwd)/faults-lib.sh"
fl_skip_unless_peers

echo "1..$((12 * FL_CHECKS + 4))"
fl_init

fl_case malformed 'upsd sent a malformed line \(VAR h ups\.status "OL\): protocol error' \
	"malformed line (an unclosed quote)"
# one ERR word a poll: all of them take 25 s
fl_err_all() {
	dm_wait hostile-err.log 'ERR LONG-' 40 || true
}
FL_DURING=fl_err_all
fl_case err 'upsd answers ERR [A-Z-]+ for ups\.status' "every ERR word of upsd"
words=$(sed -n 's/^.*: upsd answers ERR \(.*\) for ups\.status: .*$/\1/p' "$PEERS_DIR/err.err" | sort -u | wc -l)
check "every ERR word: each of the 25 logged once it changed ($words)" test "$words" -eq 25
check "every ERR word: the word with a backslash, DEL and C1 CSI is logged escaped" \
	grep -q -F 'upsd answers ERR EVIL\\\x7f\xc2\x9b for ups.status' "$PEERS_DIR/err.err"
check "every ERR word: a word of 205 bytes is cut" grep -q -F 'upsd answers ERR LONG-XXXXXXXXXXXXXXXXXXXXXXX... for' \
	"$PEERS_DIR/err.err"
fl_case err-login "upsd (refused LOGIN: ERR [A-Z-]+|does not know UPS 'h' \\(ERR UNKNOWN-UPS\\)|refused LOGIN \\(ERR ACCESS-DENIED\\))" \
	"LOGIN refused with an ERR word each connection"
fl_case longline 'upsd sent a line longer than 512 bytes: protocol error' "a line of 1 MB"
fl_case nul 'upsd sent a malformed line \(VAR h ups\.status "O\\x00L"\): protocol error' "a NUL byte"
fl_case control 'upsd sent a malformed line \(VAR h ups\.status "OL\\x1b\]0;owned\\x07\\x1b\[2J\\x0dFAKE"\): protocol error' \
	"ESC sequences and a CR"
fl_dump_escaped() {
	check "DEL, C1 CSI and 0xff in an accepted status: escaped in the walk-through and the state dump" \
		grep -q 'state: UPS HOSTILE:h@127.0.0.1:[0-9]*: COMM, ups.status "OL \\x7f\\xc2\\x9b31m\\x9b2J\\xff"' \
		"$PEERS_DIR/highbytes.err"
}
FL_AFTER=fl_dump_escaped
fl_case highbytes 'connected and logged in' "DEL, C1 CSI and 0xff in a status (a valid line)"
fl_case bigstatus 'upsd sent a line longer than 512 bytes: protocol error' "a status of 10,000 words"
fl_case wrongups 'upsd answered for h-other ups\.status, not for what was asked: protocol error' \
	"a VAR for another UPS"
fl_case unsolicited 'upsd sent a line nothing asked for: protocol error' "an unsolicited line"
fl_case flood 'upsd sent a line nothing asked for: protocol error' "a flood of replies without end"
fl_case close-mid-reply 'upsd closed the connection \(while polling\)' "half a reply, then close_notify"
dm_done
