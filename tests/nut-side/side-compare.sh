#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# side-compare.sh - side-by-side harness: groups the recorded calls of a run into batches (one poll cycle each) and compares two runs, or a run with an expectation, within the harness's tolerances.
#
#   side-compare.sh batches STEPS CALLS UNIT
#	the calls of CALLS (lines of rec-call) as batches, one a line:
#	"@STEP+SECONDS  KEY ; KEY ..." (the keys sorted)
#   side-compare.sh compare STEPS-A CALLS-A UNIT-A STEPS-B CALLS-B UNIT-B [TIMER=TYPE...] [LATER=S] [NOFLAG]
#	0 when run B (upsplan) made the calls of run A (upsmon): each call of
#	A matched by one call of B with the same key at the same time after
#	A's step within the tolerance of its kind, no call of B left over,
#	and calls of different batches of A in the same order in B (a call
#	may move by its tolerance, so across a poll: what counts is within
#	one poll); else 1, what differs, and both runs' batches.
#	LATER=S: an asserted difference (a D-n of docs/nut-policy.md): the calls are compared up to
#	the shutdown path (SHUTDOWN notice, the shutdown wall, SHUTDOWNCMD),
#	and B's SHUTDOWNCMD must come S seconds after A's (same tolerance).
#	ONLYB=STEP:S: an asserted difference where upsmon never shuts down
#	(D-1): A makes no call on the shutdown path, B's SHUTDOWNCMD comes
#	S seconds after step STEP (same tolerance), and B's other calls are
#	compared as usual (its shutdown path left out).
#	EXPANDS=WORD: an asserted difference (D-6): upsmon's shell ran the
#	`echo WORD` of a NOTIFYCMD message, upsplan passed it as written; B's
#	notify calls are compared with `echo WORD` read as WORD, and at
#	least one must hold it (and one of A's WORD).
#	NOFLAG: the POWERDOWNFLAG content at SHUTDOWNCMD time is not compared
#   side-compare.sh expect STEPS CALLS UNIT EXPECT [TIMER=TYPE...]
#	0 when the batches of CALLS are those of the file EXPECT, lines
#	"STEP SECONDS KEY..." (# comments), each batch starting SECONDS after
#	step STEP, within 2.5 s; a KEY is kind:TYPE[:ARG] (ARG the call's first
#	argument after the tag, for cmdscript only); else 1 and both lists.
#	A file may hold alternatives, separated by lines "or": one must match
#
# STEPS: lines "INDEX EPOCH WHAT", the moments the harness changed the
# dummy UPS (index 0: the start).  A call belongs to the latest step at or
# before it.  A batch is a run of calls each within 1 s of the one
# before (upsmon forks one child per notification: their order inside a
# poll is a race; an upssched EXECUTE after a START-TIMER that must spawn
# the timer daemon comes 0.25 s or more after the wall of the same
# notification, more under load; the polls are 2 s apart).  A KEY
# (compare) is kind|NOTIFYTYPE|UPSNAME|arguments|extra, with the unit name
# UNIT written "UPS" (the two runs may poll two units of one dummy file).  Tolerances (|difference| of the times after
# the step): notify, wall and cmdscript calls 3.5 s (one poll of 2 s plus
# 1.5 s: upsmon's whole-second clock and fork latency), cmdscript calls of
# an upssched timer 4 s (upssched fires N-1 to N+1 s after its start),
# shutdown 3 s.  TIMER=TYPE names a timer of upssched.conf and the notify
# type whose AT line starts it: a call of that timer whose NOTIFYTYPE is
# not TYPE ran in a timer daemon spawned by another event (upssched keeps
# the first event's environment), so its NOTIFYTYPE and UPSNAME are not
# compared (a note says so); each call of a timer is a batch of its own
# (upssched's daemon fires on its own whole-second ticks, not with a poll).
# upsplan's calls after its SHUTDOWNCMD are not compared: upsmon exits
# when it runs its SHUTDOWNCMD, upsplan goes on as the recorder halts
# nothing.
set -eu
LC_ALL=C
export LC_ALL

mode=${1-}
case $mode in
batches) [ $# -eq 4 ] || { echo "usage: $0 batches STEPS CALLS UNIT" >&2; exit 2; } ;;
compare) [ $# -ge 7 ] || { echo "usage: $0 compare STEPS-A CALLS-A UNIT-A STEPS-B CALLS-B UNIT-B [TIMER=TYPE...] [LATER=S | ONLYB=STEP:S] [EXPANDS=WORD] [NOFLAG]" >&2; exit 2; } ;;
expect) [ $# -ge 5 ] || { echo "usage: $0 expect STEPS CALLS UNIT EXPECT [TIMER=TYPE...]" >&2; exit 2; } ;;
*) echo "usage: $0 batches|compare|expect ..." >&2; exit 2 ;;
esac
shift

# batch STEPS CALLS UNIT TIMERS: "BATCH STEP REL KIND TIME KEY SHORT" lines
# (tab-separated), one per call, sorted by time; SHORT is kind:TYPE[:ARG]
batch() {
	sort -t '	' -k1,1n "$2" | awk -F '\t' -v unit="$3" -v timers="$4" -v steps="$1" -v noflag="${noflag:-}" '
	BEGIN {
		OFS = "\t"
		ns = 0
		while ((getline line < steps) > 0) {
			split(line, f, " ")
			st[ns] = f[1]; se[ns] = f[2] + 0; ns++
		}
		nt = split(timers, tl, " ")
		for (i = 1; i <= nt; i++) {
			split(tl[i], kv, "=")
			tstart[kv[1]] = kv[2]
		}
		b = 0; prev = -1e18
	}
	function norm(s,    r, i) {
		if (unit == "")
			return s
		r = ""
		while ((i = index(s, unit)) > 0) {
			r = r substr(s, 1, i - 1) "UPS"
			s = substr(s, i + length(unit))
		}
		return r s
	}
	NF >= 8 {
		t = $1 + 0
		kind = $2; na = $7 + 0
		arg1 = (na >= 1) ? $8 : ""
		if (kind == "cmdscript" && (arg1 in tstart)) {
			b++			# a timer call is a batch of its own
			prev = -1e18
		} else {
			if (t - prev > 1)
				b++
			prev = t
		}
		s = -1
		for (i = 0; i < ns; i++)
			if (se[i] <= t)
				s = i
		rel = (s >= 0) ? t - se[s] : 0
		type = $4; ups = $5
		args = ""
		for (i = 8; i < 8 + na; i++)
			args = args (i > 8 ? " " : "") $i
		extra = (NF >= 8 + na) ? $(8 + na) : ""
		if (kind == "shutdown" && noflag != "")
			extra = "(not compared)"
		k = kind
		short = kind ":" norm(type)
		if (kind == "cmdscript" && (arg1 in tstart)) {
			k = "timer"
			if (type != tstart[arg1]) {
				print "note: " arg1 " ran in the upssched daemon of " type " (not compared: NOTIFYTYPE " type ", UPSNAME " ups ")" > "/dev/stderr"
				type = "*"; ups = "*"
			}
		}
		if (kind == "cmdscript")
			short = short ":" arg1
		if (kind == "wall" || kind == "shutdown")
			short = kind
		key = kind "|" norm(type) "|" norm(ups) "|" norm(args) "|" norm(extra)
		print b, (s >= 0 ? st[s] : 0), sprintf("%.2f", rel), k, $1, key, short
	}'
}

# summary: the batch lines of a per-call list (stdin): "@STEP+REL  KEY ; KEY"
summary() {
	awk -F '\t' -v col="$1" '
	{
		if (!($1 in first)) { first[$1] = "@" $2 "+" $3; order[++n] = $1 }
		keys[$1] = keys[$1] "\n" $col
	}
	END {
		for (j = 1; j <= n; j++) {
			b = order[j]
			m = split(substr(keys[b], 2), a, "\n")
			for (x = 2; x <= m; x++) {	# insertion sort of the keys
				v = a[x]
				for (y = x - 1; y >= 1 && a[y] > v; y--)
					a[y + 1] = a[y]
				a[y + 1] = v
			}
			s = ""
			for (x = 1; x <= m; x++)
				s = s (x > 1 ? " ; " : "") a[x]
			print first[b] "  " s
		}
	}'
}

case $mode in
batches)
	batch "$1" "$2" "$3" "" | summary 6
	;;
expect)
	got=$(batch "$1" "$2" "$3" "$(shift 4; echo "$*")" 2>/dev/null | summary 7)
	# the alternatives of EXPECT, separated by lines "or"
	nalt=$(awk '$1 == "or" { n++ } END { print n + 1 }' "$4")
	alt=0
	while [ "$alt" -lt "$nalt" ]; do
		want=$(awk -v a="$alt" '$1 == "or" { n++; next } n == a && NF && $1 !~ /^#/' "$4")
		alt=$((alt + 1))
		if printf '%s\n' "$got" | awk -v want="$want" '
		BEGIN { nw = split(want, w, "\n") }
		{
			n++
			if (n > nw) { bad = 1; next }
			split(w[n], f, " ")
			k = ""
			for (i = 3; i in f; i++) k = k (k == "" ? "" : " ") f[i]
			# the recorded keys, sorted, as the expectation writes them
			line = $0
			sub(/^@[0-9]+\+[0-9.]+  /, "", line)
			gsub(/ ; /, " ", line)
			m = split(k, kw, " "); kk = ""
			for (x = 2; x <= m; x++) { v = kw[x]; for (y = x - 1; y >= 1 && kw[y] > v; y--) kw[y + 1] = kw[y]; kw[y + 1] = v }
			for (x = 1; x <= m; x++) kk = kk (x > 1 ? " " : "") kw[x]
			split($1, at, "+"); stp = substr(at[1], 2); rel = at[2] + 0
			if (kk != line || stp != f[1] || rel - f[2] > 2.5 || f[2] - rel > 2.5) bad = 1
		}
		END { exit (bad || n != nw) }'; then
			exit 0
		fi
	done
	want=$(awk 'NF && $1 !~ /^#/' "$4")
	echo "recorded (@STEP+SECONDS  calls):"
	printf '%s\n' "$got" | sed 's/^/  /'
	echo "expected (STEP SECONDS calls):"
	printf '%s\n' "$want" | sed 's/^/  /'
	exit 1
	;;
compare)
	timers=
	later=
	onlyb=
	expands=
	noflag=
	if [ $# -gt 6 ]; then
		for _a in $(shift 6; echo "$*"); do
			case $_a in
			LATER=[0-9]*) later=${_a#LATER=} ;;
			ONLYB=[0-9]*:[0-9]*) onlyb=${_a#ONLYB=} ;;
			EXPANDS=?*) expands=${_a#EXPANDS=} ;;
			LATER=* | ONLYB=* | EXPANDS=*)
				echo "$0: $_a: write LATER=SECONDS, ONLYB=STEP:SECONDS or EXPANDS=WORD" >&2
				exit 2 ;;
			NOFLAG) noflag=1 ;;
			*) timers="$timers $_a" ;;
			esac
		done
	fi
	if [ -n "$later" ] && [ -n "$onlyb" ]; then
		echo "$0: LATER and ONLYB exclude each other (both shut down, or upsmon never does)" >&2
		exit 2
	fi
	a=$(batch "$1" "$2" "$3" "$timers")
	b=$(batch "$4" "$5" "$6" "$timers")
	# each call of A matched with a call of B: the same key, at the same
	# time after A's step within the tolerance of its kind; then no call
	# of B left over, and no two calls of different batches of A in the
	# other order in B (by more than 1 s)
	if printf '%s\n@@\n%s\n' "$a" "$b" | awk -F '\t' -v sa="$1" -v sb="$4" -v later="$later" -v onlyb="$onlyb" -v expands="$expands" '
		BEGIN {
			while ((getline l < sa) > 0) { split(l, f, " "); ea[f[1]] = f[2] + 0 }
			close(sa)
			while ((getline l < sb) > 0) { split(l, f, " "); eb[f[1]] = f[2] + 0 }
			tol["notify"] = 3.5; tol["wall"] = 3.5; tol["cmdscript"] = 3.5
			tol["timer"] = 4; tol["shutdown"] = 3
			side = "a"
		}
		$0 == "@@" { side = "b"; next }
		NF < 7 { next }
		side == "a" {
			n_a++; ab[n_a] = $1; as[n_a] = $2; ak[n_a] = $4; at[n_a] = $5 + 0; akey[n_a] = $6
			next
		}
		# upsmon is gone after its SHUTDOWNCMD; upsplan, not halted by the
		# recorder, goes on: its calls after its SHUTDOWNCMD do not count
		bstop != "" && $1 > bstop { next }
		{
			if ($4 == "shutdown" && bstop == "")
				bstop = $1
			n_b++; bb[n_b] = $1; bt[n_b] = $5 + 0; bkey[n_b] = $6
			# D-6: `echo WORD` in a message upsplan passed as written
			if (expands != "" && $4 == "notify")
				while ((xi = index(bkey[n_b], "`echo " expands "`")) > 0) {
					bkey[n_b] = substr(bkey[n_b], 1, xi - 1) expands substr(bkey[n_b], xi + length(expands) + 7)
					n_exp++
				}
		}
		# the shutdown path: the SHUTDOWN notice, the shutdown wall, SHUTDOWNCMD
		function downpath(k) {
			return index(k, "notify|SHUTDOWN|") == 1 || index(k, "shutdown|") == 1 ||
				index(k, "Executing automatic power-fail shutdown") > 0 ||
				index(k, "wall|") == 1 && index(k, "Auto logout and shutdown proceeding") > 0
		}
		# keys equal; a timer call whose environment one side does not
		# compare (NOTIFYTYPE and UPSNAME "*") matches any environment
		function same(x, y,    fx, fy, i) {
			if (x == y)
				return 1
			if (index(x, "cmdscript|") != 1 || index(y, "cmdscript|") != 1)
				return 0
			split(x, fx, "|"); split(y, fy, "|")
			if (fx[2] != "*" && fy[2] != "*")
				return 0
			for (i = 4; i in fx || i in fy; i++)
				if (fx[i] != fy[i])
					return 0
			return 1
		}
		END {
			bad = 0
			la = n_a; lb = n_b
			if (later != "") {
				# an asserted difference: the same calls up to the shutdown
				# path, and the SHUTDOWNCMD LATER seconds after upsmon'"'"'s
				for (i = 1; i <= n_a; i++) if (ak[i] == "shutdown") { xa = i; break }
				for (j = 1; j <= n_b; j++) if (index(bkey[j], "shutdown|") == 1) { xb = j; break }
				if (xa == "" || xb == "") {
					printf "SHUTDOWNCMD: upsmon %s, upsplan %s\n", (xa == "" ? "none" : "ran"), (xb == "" ? "none" : "ran")
					bad = 1
				} else {
					d = (bt[xb] - eb[as[xa]]) - (at[xa] - ea[as[xa]]) - later
					if (d > tol["shutdown"] || -d > tol["shutdown"]) {
						printf "SHUTDOWNCMD %.2f s after upsmon'"'"'s, not %s s (tolerance %.1f s)\n", d + later, later, tol["shutdown"]
						bad = 1
					}
				}
				# from the batch of the first call on the shutdown path on
				for (i = 1; i <= n_a; i++) if (downpath(akey[i])) { for (la = i - 1; la > 0 && ab[la] == ab[i]; la--); break }
				for (j = 1; j <= n_b; j++) if (downpath(bkey[j])) { for (lb = j - 1; lb > 0 && bb[lb] == bb[j]; lb--); break }
			}
			if (onlyb != "") {
				# an asserted difference: upsmon never shuts down, upsplan
				# does, ONLYB'"'"'s seconds after its step; the rest compared
				split(onlyb, ob, ":")
				for (i = 1; i <= n_a; i++)
					if (downpath(akey[i])) {
						printf "upsmon made %s: the documented difference is gone\n", akey[i]
						bad = 1
					}
				for (j = 1; j <= n_b; j++) if (index(bkey[j], "shutdown|") == 1) { xb = j; break }
				if (xb == "") {
					print "upsplan made no SHUTDOWNCMD: the documented difference is gone"
					bad = 1
				} else if (!(ob[1] in eb)) {
					printf "ONLYB=%s: upsplan'"'"'s run has no step %s\n", onlyb, ob[1]
					bad = 1
				} else {
					d = bt[xb] - eb[ob[1]] - ob[2]
					if (d > tol["shutdown"] || -d > tol["shutdown"]) {
						printf "upsplan'"'"'s SHUTDOWNCMD %.2f s after step %s, not %s s (tolerance %.1f s)\n", d + ob[2], ob[1], ob[2], tol["shutdown"]
						bad = 1
					}
				}
				for (j = 1; j <= n_b; j++)
					if (downpath(bkey[j]))
						used[j] = 1
			}
			if (expands != "") {
				for (i = 1; i <= n_a; i++)
					if (index(akey[i], "notify|") == 1 && index(akey[i], expands) > 0 &&
					    index(akey[i], "`echo " expands "`") == 0)
						xe = i
				if (!n_exp) {
					printf "upsplan passed no message holding `echo %s`: the documented difference is gone\n", expands
					bad = 1
				}
				if (xe == "") {
					printf "upsmon passed no message holding %s (its shell did not expand `echo %s`)\n", expands, expands
					bad = 1
				}
			}
			for (i = 1; i <= la; i++) {
				best = 0
				for (j = 1; j <= lb; j++) {
					if (used[j] || !same(akey[i], bkey[j]))
						continue
					d = (bt[j] - eb[as[i]]) - (at[i] - ea[as[i]])
					if (d <= tol[ak[i]] && -d <= tol[ak[i]]) { best = j; break }
				}
				if (!best) {
					printf "upsmon'"'"'s call %s (batch %d, %.2f s after step %s) has no match in upsplan'"'"'s within %.1f s\n", akey[i], ab[i], at[i] - ea[as[i]], as[i], tol[ak[i]]
					bad = 1
					continue
				}
				used[best] = 1; m[i] = best
			}
			for (j = 1; j <= lb; j++)
				if (!used[j]) {
					printf "upsplan made a call upsmon did not: %s (batch %d)\n", bkey[j], bb[j]
					bad = 1
				}
			for (i = 1; i <= la; i++)
				for (k = 1; k <= la; k++)
					if (m[i] && m[k] && ab[i] < ab[k] && bt[m[i]] > bt[m[k]] + 1) {
						printf "order: upsmon made %s (batch %d) before %s (batch %d), upsplan after\n", akey[i], ab[i], akey[k], ab[k]
						bad = 1
					}
			exit bad
		}'; then
		exit 0
	fi
	echo "upsmon (@STEP+SECONDS  calls):"
	printf '%s\n' "$a" | summary 6 | sed 's/^/  /'
	echo "upsplan:"
	printf '%s\n' "$b" | summary 6 | sed 's/^/  /'
	exit 1
	;;
esac
