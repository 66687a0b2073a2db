#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# soft-keywords.sh - TAP: every upsplan-only keyword is read as UPSmon.py reads it in every name and text position, and W620 marks exactly the ones after a text list that could start a declaration or an action.
#
# The keywords come from the lexer's own table (tests/unit/list-keywords
# prints it), so a keyword added later is tested without editing this file.
# For each upsplan-only keyword K and each plan template below, the marks
# @W@ (a name position: no warning) and @T@ (after a text list: W620) are
# replaced once by K and once by a plain name P of K's length (K with each
# character replaced by q), and:
#   1. `check --print -Wno-W620` and `disasm` (the compiled plan) give
#      the same output, diagnostics and exit status for both plans once P
#      is spelled K in those of P (K is read as the name P is);
#   2. `check` warns W620 exactly at the @T@ marks (line:column), nowhere
#      else;
#   3. the printed plan of K prints to itself (the --print round trip).
# Environment: UPSPLAN (default ./upsplan), LIST_KEYWORDS (default
# ./tests/unit/list-keywords), top_srcdir.  Scratch files:
# tests/soft-keywords.d in the current directory, kept when a test fails.
set -eu

# shellcheck source=tests/tap-env.sh
. "$(dirname "$0")/tap-env.sh"
need_upsplan
list=${LIST_KEYWORDS:-./tests/unit/list-keywords}
if [ ! -x "$list" ]; then
	echo "Bail out! $list is not an executable (make check builds it)"
	exit 1
fi
kws=$("$list" | awk '$2 ~ /^upsplan/ { print $1 }')
# keywords only inside a construct (AND in an IF): no W620 after a text
inner=" $("$list" | awk '$2 == "upsplan-inner" { print $1 }' | tr '\n' ' ')"
if [ -z "$kws" ]; then
	echo "Bail out! $list lists no upsplan-only keyword"
	exit 1
fi

tap_scratch soft-keywords

# The plan pieces the templates share, with \n for a new line.  No LET
# near any keyword, no letter q: nothing in them may be taken for K or P.
intro='POLLFREQ 5'
grp='GROUP G1 HOST localhost CERTFILE "/etc/nut/ca.pem"'
mon='MONITOR ups1 POWERVAL 1 UPSDUSER mon PASSWORD "pw" TYPE primary'
rules='WHEN ups1 REPORTS None->LB : STARTTIMER final 5\nWHEN ups1 TIMEOUT final : SHUTDOWNCMD "/sbin/shutdown -h +0"\nWHEN ups1 REPORTS COMM->NOCOMM : NUTLOG "lost"'

# The templates: "NAME|TEXT" records, one per case, TEXT with \n for a new
# line; a NAME that starts with ! is a plan both programs refuse (then
# test 3 checks that it is refused, with nothing printed).
cases() {
	cat <<EOF
GROUP name|$intro\nGROUP @W@ HOST localhost CERTFILE "/etc/nut/ca.pem"\n$mon\n$rules
LET name and bare text|$intro\nLET @W@ = "power"\n$grp\n$mon\n$rules\nWHEN ups1 REPORTS OL->OB : WALL @W@
MONITOR and WHEN ups name|$intro\n$grp\nMONITOR @W@ POWERVAL 1 UPSDUSER mon PASSWORD "pw" TYPE primary\nWHEN @W@ REPORTS None->LB : STARTTIMER final 5\nWHEN @W@ TIMEOUT final : SHUTDOWNCMD "/sbin/shutdown -h +0"\nWHEN @W@ REPORTS COMM->NOCOMM : NUTLOG "lost"
MONITOR user|$intro\n$grp\nMONITOR ups1 POWERVAL 1 UPSDUSER @W@ PASSWORD "pw" TYPE primary\n$rules
MONITOR APCUPSDUSER user|$intro\n$grp\nMONITOR ups1 POWERVAL 1 APCUPSDUSER @W@ PASSWORD "pw" TYPE primary\n$rules
MONITOR TYPE value|$intro\n$grp\nMONITOR ups1 POWERVAL 1 UPSDUSER mon PASSWORD "pw" TYPE @W@\n$rules
!MONITOR unquoted password|$intro\n$grp\nMONITOR ups1 POWERVAL 1 UPSDUSER mon PASSWORD @W@ TYPE primary\n$rules
STARTTIMER and TIMEOUT timer|$intro\n$grp\n$mon\nWHEN ups1 REPORTS None->LB : STARTTIMER @W@ 5\nWHEN ups1 TIMEOUT @W@ : SHUTDOWNCMD "/sbin/shutdown -h +0"\nWHEN ups1 REPORTS COMM->NOCOMM : NUTLOG "lost"
TO timer and CANCELTIMER|$intro\n$grp\n$mon\nWHEN ups1 REPORTS None->LB : STARTTIMER @W@ 5\nWHEN ups1 TO @W@ : SHUTDOWNCMD "/sbin/shutdown -h +0"\nWHEN ups1 REPORTS COMM->NOCOMM : CANCELTIMER @W@
SETFSD ups|$intro\n$grp\n$mon\nMONITOR @W@ POWERVAL 0 UPSDUSER mon PASSWORD "pw" TYPE secondary\n$rules\nWHEN ups1 REPORTS OL->OB : SETFSD @W@
HOST value|$intro\nGROUP G1 HOST @W@ CERTFILE "/etc/nut/ca.pem"\n$mon\n$rules
HOST value on its own line|$intro\nGROUP G1 HOST\n@W@\nCERTFILE "/etc/nut/ca.pem"\n$mon\n$rules
CERTFILE value|$intro\nGROUP G1 HOST localhost CERTFILE @W@\n$mon\n$rules
TLS value|$intro\n$grp TLS @W@\n$mon\n$rules
CERTNAME value|$intro\n$grp TLS DIRECT PORT 401 CERTNAME @W@\n$mon\n$rules
CLIENTCERT and CLIENTKEY values|$intro\n$grp TLS DIRECT PORT 401 CLIENTCERT @W@ CLIENTKEY @W@\n$mon\n$rules
mark names|$intro\n$grp\n$mon\n$rules\nWHEN ups1 REPORTS OL->OB : MARK @W@ IF MARKED @W@ ups1 NUTLOG "x" IF MARKED @W@ NUTLOG "z"\nWHEN ups1 REPORTS OB->OL : UNMARK @W@ IF POWERVAL WITHOUT @W@ < 1 NUTLOG "y"
first word of a text list|$intro\n$grp\n$mon\n$rules\nWHEN ups1 REPORTS OL->OB : NUTLOG @W@ "power" SHELLCMD @W@\nLET m = @W@ "power"
first word of an EMAIL MESSAGE|$intro\n$grp\n$mon\n$rules\nWHEN ups1 REPORTS OL->OB : EMAIL FROM "a@b" TO "c@d" SUBJECT "s" MESSAGE @W@
after a text, then a declaration's value|$intro\n$grp\n$mon\n$rules\nWHEN ups1 REPORTS OL->OB : NUTLOG "power" @T@ DIRECT
after a text, on the next line|$intro\n$grp\n$mon\n$rules\nWHEN ups1 REPORTS OL->OB : NUTLOG "power"\n@T@ "/etc/nut/client.pem"
after a bare name, twice|$intro\n$grp\n$mon\n$rules\nWHEN ups1 REPORTS OL->OB : WALL power @T@ @T@
after a text, before WHEN|$intro\n$grp\n$mon\nWHEN ups1 REPORTS OL->OB : SYSLOG "[notice] on battery" @T@\n$rules
after a text, at the end|$intro\n$grp\n$mon\n$rules\nWHEN ups1 REPORTS OL->OB : SHELLCMD "/bin/true" @T@
after LET's text|$intro\nLET m = "power" @T@ "/etc/nut/client.pem"\n$grp\n$mon\n$rules
after an EMAIL MESSAGE text|$intro\n$grp\n$mon\n$rules\nWHEN ups1 REPORTS OL->OB : EMAIL FROM "a@b" TO "c@d" SUBJECT "s" MESSAGE "m" @T@ DIRECT
after a text, after IF|$intro\n$grp\n$mon\n$rules\nWHEN ups1 REPORTS OL->OB : IF OL->OB NUTLOG "power" @T@ DIRECT
EOF
}

# subst WORD TEMPLATE PLAN POS: PLAN is TEMPLATE with each mark replaced by
# WORD; POS lists the line:column of each @T@ mark in PLAN
subst() {
	printf '%b\n' "$2" | awk -v w="$1" -v pos="$4" '
		{
			line = $0
			out = ""
			while ((i = index(line, "@")) > 0) {
				m = substr(line, i, 3)
				if (m == "@W@" || m == "@T@") {
					out = out substr(line, 1, i - 1)
					if (m == "@T@")
						print NR ":" length(out) + 1 >pos
					out = out w
					line = substr(line, i + 3)
				} else {
					out = out substr(line, 1, i)
					line = substr(line, i + 1)
				}
			}
			print out line
		}' >"$3"
	[ -f "$4" ] || : >"$4"
}

# checkin DIR: `upsplan check ARGS plan.conf` inside DIR (mode 0600, so
# no W610), output in DIR/out, DIR/err, status in DIR/status; then
# `upsplan disasm` of it into DIR/dis, DIR/dis.err, DIR/dis.status
checkin() {
	_d=$1
	shift
	chmod 600 "$_d/plan.conf"
	_s=0
	(cd "$_d" && "$upsplan" check -Wno-W611 "$@" plan.conf >out 2>err) || _s=$?
	echo "$_s" >"$_d/status"
	_s=0
	(cd "$_d" && "$upsplan" disasm --hostname=testhost -Wno-W611 -Wno-W620 plan.conf >dis 2>dis.err) || _s=$?
	echo "$_s" >"$_d/dis.status"
}

ncases=$(cases | wc -l)
nkws=$(echo "$kws" | wc -l)
echo "1..$((ncases * nkws * 3))"

for k in $kws; do
	p=$(printf '%s' "$k" | sed 's/./q/g')
	c=0
	cases >cases.txt
	while IFS='|' read -r name tmpl; do
		c=$((c + 1))
		refused=0
		case $name in
		!*) refused=1 name=${name#!} ;;
		esac
		d=$k.$c
		mkdir -p "$d/k" "$d/p" "$d/w" "$d/r"
		subst "$k" "$tmpl" "$d/k/plan.conf" "$d/pos"
		case $inner in
		*" $k "*) : >"$d/pos" ;;
		esac
		subst "$p" "$tmpl" "$d/p/plan.conf" "$d/pos.p"
		cp "$d/k/plan.conf" "$d/w/plan.conf"

		# 1. K reads as the plain name P
		checkin "$d/k" --print -Wno-W620
		checkin "$d/p" --print -Wno-W620
		same=1
		for f in out err status dis dis.err dis.status; do
			sed "s/$p/$k/g" "$d/p/$f" >"$d/p/$f.as-k"
			cmp -s "$d/k/$f" "$d/p/$f.as-k" || same=0
		done
		if [ "$same" -eq 1 ] && { [ -s "$d/k/out" ] || [ "$refused" -eq 1 ]; }; then
			ok "$k, $name: read as the name $p is"
		else
			not_ok "$k, $name: not read as the name $p is (files in $d)" \
				"exit $(cat "$d/k/status") with $k, $(cat "$d/p/status") with $p" \
				"$(diff "$d/p/out.as-k" "$d/k/out" | head -n 12)" \
				"$(diff "$d/p/err.as-k" "$d/k/err" | head -n 12)" \
				"$(diff "$d/p/dis.as-k" "$d/k/dis" | head -n 12)"
		fi

		# 2. W620 exactly at the @T@ marks
		checkin "$d/w"
		sed -n 's/^plan\.conf:\([0-9]*:[0-9]*\): warning: .*\[W620\]$/\1/p' "$d/w/err" >"$d/w/got"
		if cmp -s "$d/pos" "$d/w/got"; then
			ok "$k, $name: W620 at [$(tr '\n' ' ' <"$d/pos" | sed 's/ $//')]"
		else
			not_ok "$k, $name: W620 at [$(tr '\n' ' ' <"$d/w/got" | sed 's/ $//')], expected at [$(tr '\n' ' ' <"$d/pos" | sed 's/ $//')] (files in $d)"
		fi

		# 3. the printed plan is a fixed point (a refused plan: nothing printed)
		cp "$d/k/out" "$d/r/plan.conf"
		checkin "$d/r" --print -Wno-W620
		if [ "$refused" -eq 1 ]; then
			if [ "$(cat "$d/k/status")" -eq 1 ] && [ ! -s "$d/k/out" ] && [ -s "$d/k/err" ]; then
				ok "$k, $name: refused, as UPSmon.py refuses it"
			else
				not_ok "$k, $name: not refused (exit $(cat "$d/k/status"); files in $d)"
			fi
		elif [ -s "$d/k/out" ] && cmp -s "$d/k/out" "$d/r/out"; then
			ok "$k, $name: check --print is a fixed point"
		else
			not_ok "$k, $name: printing the printed plan changes it (files in $d)" \
				"$(diff "$d/k/out" "$d/r/out" | head -n 12)"
		fi
		[ "$failed" -ne 0 ] || rm -rf "$d"
	done <cases.txt
done
tap_done
exit 0
