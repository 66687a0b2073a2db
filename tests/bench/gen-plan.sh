#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# gen-plan.sh - write on stdout a benchmark plan with N UPS, each with the rules of the mkUPSmonconf "timed" plan.
#
# Usage: sh tests/bench/gen-plan.sh N [GROUP-SIZE [FORM]]
# Layout: the UPS are UPS-1 .. UPS-N, in groups of GROUP-SIZE (default 100)
# UPS: GROUP G1 holds UPS-1 .. UPS-100, G2 the next 100, and so on; group
# Gk talks to its own upsd at 10.0.(k / 256).(k % 256) port 3493, all with
# the same CERTFILE.  Every UPS gets the timed plan's 18 REPORTS/TIMEOUT
# clauses and its own LB1-LB3 levels; timer names are global, so each UPS
# has its own timers (two-min-UPS-7, final-delay-UPS-7, ...).  The messages
# are defined once, at the top; the built-in start timer is used once.  The
# plan is clean: `upsplan check -Werror` accepts it (with the file in mode
# 0600).  About 38 lines and 2.6 kB per UPS.
# FORM (default timed) chooses the rules:
#   timed     as above: every UPS its own clauses and timers
#   rules     the same rules once per group, for all its UPS: WHEN GROUP Gk
#             for the status events, WHEN /^UPS-[0-9]+$/ for LB1-LB3; the
#             timers are the group's (two-min-Gk, ...), their TIMEOUT
#             clauses written for the group's first UPS (TIMEOUT clauses
#             name one UPS); about 4 lines and 0.2 kB per UPS
#   expanded  the rules plan as it had to be written without them: each
#             group or pattern clause copied for every UPS it names
set -eu

usage() {
	echo "usage: gen-plan.sh N [GROUP-SIZE [timed|rules|expanded]]   (N >= 1 UPS, groups of GROUP-SIZE >= 1 UPS, default 100)" >&2
	exit 2
}
if [ $# -lt 1 ] || [ $# -gt 3 ]; then usage; fi
n=$1
size=${2:-100}
form=${3:-timed}
case $form in timed | rules | expanded) ;; *) usage ;; esac
case $n in '' | *[!0-9]*) usage ;; esac
case $size in '' | *[!0-9]*) usage ;; esac
if [ "$n" -lt 1 ] || [ "$size" -lt 1 ]; then usage; fi

${AWK:-awk} -v n="$n" -v size="$size" -v form="$form" '
# the status-event rules of group G for target T ("GROUP Gk" or a UPS name)
function group_rules(t, g) {
	print "WHEN " t " REPORTS OL->OB :   NOTIFY Msg-2-min NUTLOG Msg-2-min WALL Msg-2-min"
	print "                              STARTTIMER two-min-" g " 120 STARTTIMER one-min-" g " 60"
	print "WHEN " t " REPORTS OB->OL :   NOTIFY Msg-OL NUTLOG Msg-OL WALL Msg-OL"
	print "                              CANCELTIMER two-min-" g " CANCELTIMER one-min-" g " CANCELTIMER final-delay-" g
	print "WHEN " t " REPORTS None->LB : NOTIFY Msg-shutdown NUTLOG Msg-shutdown WALL Msg-shutdown"
	print "                              STARTTIMER final-delay-" g " 5"
	print "WHEN " t " REPORTS None->RB : NUTLOG Msg-RB NOTIFY Msg-RB STARTTIMER rbwarntime-" g " 43200"
	print "                              EMAIL FROM «<UPSmon@example.com>» TO «Admin <admin@example.com>»"
	print "                                    SUBJECT \"UPS %(u)s: battery needs replacement\" MESSAGE Msg-RB"
	print "WHEN " t " REPORTS RB->None : CANCELTIMER rbwarntime-" g
	print "WHEN " t " REPORTS COMM->NOCOMM : STARTTIMER nocommwarntime-" g " 300"
	print "                                  IF OL->OB NOTIFY Msg-shutdown IF OL->OB NUTLOG Msg-shutdown"
	print "                                  IF OL->OB WALL Msg-shutdown IF OL->OB STARTTIMER final-delay-" g " 5"
	print "WHEN " t " REPORTS NOCOMM->COMM : CANCELTIMER nocommwarntime-" g " NUTLOG Msg-COMM NOTIFY Msg-COMM"
}
# the battery-level rules for target T (a pattern or a UPS name)
function level_rules(t) {
	print "WHEN " t " REPORTS None->LB1 : NUTLOG banner WHEN " t " REPORTS LB1->None : NUTLOG banner"
	print "WHEN " t " REPORTS None->LB2 : NUTLOG banner WHEN " t " REPORTS LB2->None : NUTLOG banner"
	print "WHEN " t " REPORTS None->LB3 : NUTLOG banner WHEN " t " REPORTS LB3->None : NUTLOG banner"
}
# the TIMEOUT clauses of group G, for its UPS U
function timeout_rules(u, g) {
	print "WHEN " u " TIMEOUT one-min-" g " :  NOTIFY Msg-1-min NUTLOG Msg-1-min WALL Msg-1-min"
	print "WHEN " u " TIMEOUT two-min-" g " :  NOTIFY Msg-shutdown NUTLOG Msg-shutdown WALL Msg-shutdown"
	print "                              STARTTIMER final-delay-" g " 5"
	print "WHEN " u " TIMEOUT final-delay-" g " : SHUTDOWNCMD \"/sbin/shutdown -h +0\""
	print "WHEN " u " TIMEOUT rbwarntime-" g " : NUTLOG Msg-RB NOTIFY Msg-RB STARTTIMER rbwarntime-" g " 43200"
	print "WHEN " u " TIMEOUT nocommwarntime-" g " : NUTLOG Msg-NOCOMM NOTIFY Msg-NOCOMM"
}
BEGIN {
	if (form == "timed")
		print "# Benchmark plan: " n " UPS in groups of " size ", the mkUPSmonconf timed plan for each (tests/bench/gen-plan.sh)."
	else
		print "# Benchmark plan: " n " UPS in groups of " size ", the timed plan per group, " (form == "rules" ? "written with group and pattern rules" : "each rule copied for every UPS") " (tests/bench/gen-plan.sh " form ")."
	print "POLLFREQ 5  POLLFREQALERT 5"
	print "SMTPSERVER «mail.example.com» PORT 465 USER «mailbox@example.com» PASSWORD «change-me»"
	print ""
	print "LET banner        = ⸢[%(b)s] UPS=%(u)s charge=%(c)s event=%(e)s⸥"
	print "LET Msg-COMM      = banner \" I have re-established communication with this UPS.\""
	print "LET Msg-NOCOMM    = banner \" I have lost communication with this UPS.\""
	print "LET Msg-OL        = banner \" Power restored, shutdown cancelled.\""
	print "LET Msg-RB        = banner \" Battery needs replacement.\""
	print "LET Msg-shutdown  = banner \" On battery, shutting down now ...\""
	print "LET Msg-2-min     = banner \" On battery, possible shutdown in 2 mins, save your work ...\""
	print "LET Msg-1-min     = banner \" On battery, probable shutdown in 1 min, save your work ...\""
	print "LET Msg-start     = banner \" Starting permanent activity...\""
	for (i = 1; i <= n; i++) {
		if ((i - 1) % size == 0) {
			g = int((i - 1) / size) + 1
			print ""
			print "##############################################################################"
			printf "GROUP G%d HOST 10.0.%d.%d PORT 3493 CERTFILE «/etc/nut/upsd-ca.pem»\n", g, int(g / 256), g % 256
			print "MINSUPPLIES 1"
		}
		if (form != "timed") {
			u = "UPS-" i
			print "MONITOR " u " POWERVAL 1 UPSDUSER upsmon PASSWORD «change-me» TYPE primary"
			print "LET battery.charge.low.1 = \"75\" LET battery.charge.low.2 = \"50\" LET battery.charge.low.3 = \"25\""
			if (form == "expanded") {
				group_rules(u, "G" g)
				level_rules(u)
			}
			if ((i - 1) % size == 0) {
				timeout_rules(u, "G" g)
				if (i == 1)
					print "WHEN " u " TIMEOUT start : NUTLOG Msg-start"
			}
			if (form == "rules" && (i % size == 0 || i == n)) {
				group_rules("GROUP G" g, "G" g)
				level_rules("/^UPS-[0-9]+$/")
			}
			continue
		}
		u = "UPS-" i
		print ""
		print "MONITOR " u " POWERVAL 1 UPSDUSER upsmon PASSWORD «change-me» TYPE primary"
		print "LET battery.charge.low.1 = \"75\" LET battery.charge.low.2 = \"50\" LET battery.charge.low.3 = \"25\""
		print "WHEN " u " REPORTS OL->OB :   NOTIFY Msg-2-min NUTLOG Msg-2-min WALL Msg-2-min"
		print "                              STARTTIMER two-min-" u " 120 STARTTIMER one-min-" u " 60"
		print "WHEN " u " TIMEOUT one-min-" u " :  NOTIFY Msg-1-min NUTLOG Msg-1-min WALL Msg-1-min"
		print "WHEN " u " TIMEOUT two-min-" u " :  NOTIFY Msg-shutdown NUTLOG Msg-shutdown WALL Msg-shutdown"
		print "                              STARTTIMER final-delay-" u " 5"
		print "WHEN " u " REPORTS OB->OL :   NOTIFY Msg-OL NUTLOG Msg-OL WALL Msg-OL"
		print "                              CANCELTIMER two-min-" u " CANCELTIMER one-min-" u " CANCELTIMER final-delay-" u
		print "WHEN " u " REPORTS None->LB : NOTIFY Msg-shutdown"
		print "                              NUTLOG Msg-shutdown"
		print "                              WALL Msg-shutdown"
		print "                              STARTTIMER final-delay-" u " 5"
		print "WHEN " u " TIMEOUT final-delay-" u " : SHUTDOWNCMD \"/sbin/shutdown -h +0\""
		print "WHEN " u " REPORTS None->RB : NUTLOG Msg-RB NOTIFY Msg-RB"
		print "                              STARTTIMER rbwarntime-" u " 43200"
		print "                              EMAIL FROM «<UPSmon@example.com>»"
		print "                                    TO   «Admin <admin@example.com>»"
		print "                                    SUBJECT \"UPS %(u)s: battery needs replacement\""
		print "                                    MESSAGE Msg-RB"
		print "WHEN " u " TIMEOUT rbwarntime-" u " : NUTLOG Msg-RB"
		print "                                NOTIFY Msg-RB"
		print "                                STARTTIMER rbwarntime-" u " 43200"
		print "WHEN " u " REPORTS RB->None : CANCELTIMER rbwarntime-" u
		print "WHEN " u " REPORTS COMM->NOCOMM : STARTTIMER nocommwarntime-" u " 300"
		print "                                  IF OL->OB NOTIFY Msg-shutdown"
		print "                                  IF OL->OB NUTLOG Msg-shutdown"
		print "                                  IF OL->OB WALL Msg-shutdown"
		print "                                  IF OL->OB STARTTIMER final-delay-" u " 5"
		print "WHEN " u " TIMEOUT nocommwarntime-" u " : NUTLOG Msg-NOCOMM"
		print "                                    NOTIFY Msg-NOCOMM"
		print "WHEN " u " REPORTS NOCOMM->COMM : CANCELTIMER nocommwarntime-" u
		print "                                  NUTLOG Msg-COMM"
		print "                                  NOTIFY Msg-COMM"
		if (i == 1)
			print "WHEN " u " TIMEOUT start : NUTLOG Msg-start"
		print "WHEN " u " REPORTS None->LB1 : NUTLOG banner WHEN " u " REPORTS LB1->None : NUTLOG banner"
		print "WHEN " u " REPORTS None->LB2 : NUTLOG banner WHEN " u " REPORTS LB2->None : NUTLOG banner"
		print "WHEN " u " REPORTS None->LB3 : NUTLOG banner WHEN " u " REPORTS LB3->None : NUTLOG banner"
	}
}'
