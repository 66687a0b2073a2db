#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# man-lint.sh - TAP: the manual pages pass mandoc -T lint and groff without warnings, and say what the code does (options, diagnostic codes, status words).
#
# The pages are taken from the build tree (man/NAME), else from the source
# tree (a tarball ships them made).  Tests:
#  - mandoc -T lint -W style: no message but "input text line longer than
#    80 bytes", a style note about the generated roff (scdoc writes font
#    escapes into lines that are short in the .scd; the text is filled
#    when shown), skipped without mandoc;
#  - man --warnings -l (groff, in the C.UTF-8 locale: UPSmon.conf(5) shows
#    the language's Unicode quote marks): nothing on standard error,
#    skipped without man or that locale;
#  - for each command, every option of `upsplan help COMMAND` is in the
#    section "upsplan COMMAND" of upsplan(8) (--help: anywhere in it), and
#    every --option upsplan(8) names is one that upsplan accepts;
#  - the DIAGNOSTICS of upsplan(8) list the codes of base/diag-codes.def;
#  - the status words and event pairs of UPSmon.conf(5) are those of
#    grammar/status.def.
# Environment: UPSPLAN, top_srcdir (make check sets them).
# shellcheck source=tests/tap-env.sh
. "$(dirname "$0")/tap-env.sh"
need_upsplan
builddir=$(pwd)
tap_scratch man-lint

pages="upsplan.8 UPSmon.conf.5 upsplan-scenario.5"
commands="check compile disasm simulate generate migrate run tls-setup status ctl"

# page NAME: the path of the made page NAME
page() {
	if [ -f "$builddir/man/$1" ]; then
		echo "$builddir/man/$1"
	else
		echo "$srcdir/man/$1"
	fi
}

for p in $pages; do
	if [ ! -f "$(page "$p")" ]; then
		echo "Bail out! man/$p is neither in the build tree nor in the source tree (run make)"
		exit 1
	fi
done

# mandoc -T lint
if command -v mandoc >/dev/null 2>&1; then
	for p in $pages; do
		mandoc -T lint -W style "$(page "$p")" >lint.out 2>&1
		grep -v ': STYLE: input text line longer than 80 bytes' lint.out >lint.left || true
		if [ -s lint.left ]; then
			# shellcheck disable=SC2046 # one comment line each
			not_ok "mandoc -T lint $p" $(sed 's/ /_/g' lint.left | head -20)
		else
			ok "mandoc -T lint $p"
		fi
	done
else
	# shellcheck disable=SC2046 # one test name each
	tap_skip "mandoc is not installed (apt-get install mandoc)" $(for p in $pages; do echo "mandoc-lint-$p"; done)
fi

# man --warnings (groff)
utf8=
for l in C.UTF-8 C.utf8; do
	if locale -a 2>/dev/null | grep -qx "$l"; then
		utf8=$l
		break
	fi
done
if command -v man >/dev/null 2>&1 && command -v groff >/dev/null 2>&1 && [ -n "$utf8" ]; then
	for p in $pages; do
		LC_ALL=$utf8 MANWIDTH=80 MANPAGER=cat PAGER=cat man --warnings -l "$(page "$p")" >man.out 2>man.err
		rc=$?
		if [ "$rc" -eq 0 ] && [ ! -s man.err ] && [ -s man.out ]; then
			ok "man --warnings -l $p"
		else
			not_ok "man --warnings -l $p (status $rc)" "$(head -5 man.err)"
		fi
	done
else
	# shellcheck disable=SC2046 # one test name each
	tap_skip "man, groff or the C.UTF-8 locale is missing (apt-get install man-db groff-base)" \
		$(for p in $pages; do echo "man-warnings-$p"; done)
fi

man8=$(page upsplan.8)
# its text without font escapes and zero-width \& (scdoc writes \fB--user\fR)
sed -e 's/\\f[BIRP]//g' -e 's/\\&//g' "$man8" >man8.txt

# section NAME: the roff of the section ".SS upsplan NAME" of upsplan(8)
section() {
	awk -v want="upsplan $1" '
		/^\.S[SH] / { t = $0; sub(/^\.S[SH] +/, "", t); gsub(/"/, "", t); on = (t == want); next }
		on' man8.txt
}

# has TEXT OPTION: OPTION stands in TEXT as a word of its own
has() {
	printf '%s\n' "$1" | grep -Eq -- "(^|[^A-Za-z0-9-])$2([^A-Za-z0-9-]|\$)"
}

# the options of each command's help against its section
: >accepted
"$upsplan" --help | grep -oE -- '--[a-z][a-z-]*' >>accepted
for cmd in $commands; do
	if ! "$upsplan" help "$cmd" >help.out 2>&1; then
		not_ok "upsplan help $cmd works" "$(head -3 help.out)"
		continue
	fi
	long=$(grep -oE -- '--[a-z][a-z-]*' help.out | sort -u)
	printf '%s\n' "$long" >>accepted
	# short options: a help line that starts with -X, or -X,
	short=$(sed -n 's/^ *\(-[A-Za-z]\)\([, ].*\)\{0,1\}$/\1/p' help.out | sort -u)
	text=$(section "$cmd")
	if [ -z "$text" ]; then
		not_ok "upsplan(8) has a section 'upsplan $cmd'"
		continue
	fi
	missing=
	for o in $long $short; do
		case $o in
		--help | -h)
			has "$(cat man8.txt)" "$o" || missing="$missing $o" ;;
		*)
			has "$text" "$o" || missing="$missing $o" ;;
		esac
	done
	if [ -z "$missing" ]; then
		ok "upsplan(8), upsplan $cmd: every option of 'upsplan help $cmd'"
	else
		not_ok "upsplan(8), upsplan $cmd: missing$missing"
	fi
done
sort -u accepted -o accepted
grep -oE -- '(^|[^A-Za-z0-9-])--[a-z][a-z-]*' man8.txt | sed 's/^[^-]*//' | sort -u >named
extra=$(comm -23 named accepted | tr '\n' ' ')
if [ -z "$extra" ]; then
	ok "upsplan(8) names no option upsplan does not accept"
else
	not_ok "upsplan(8) names options upsplan does not accept: ${extra% }"
fi

# the diagnostic codes
sed -n 's/^DIAG_CODE([A-Z_0-9]*, *\([0-9]*\), *\(ERROR\|WARNING\|HAZARD\),.*/\2\1/p' "$srcdir/base/diag-codes.def" |
	sed 's/^ERROR/E/; s/^WARNING/W/; s/^HAZARD/W/' | sort >codes
awk '/^\.SH DIAGNOSTICS/ { on = 1; next } /^\.SH / { on = 0 } on' man8.txt |
	grep -oE '^[EW][0-9]{3} ' | tr -d ' ' | sort -u >listed
missing=$(comm -23 codes listed | tr '\n' ' ')
extra=$(comm -13 codes listed | tr '\n' ' ')
if [ -s codes ] && [ -z "$missing$extra" ]; then
	ok "upsplan(8) DIAGNOSTICS lists the codes of base/diag-codes.def"
else
	not_ok "upsplan(8) DIAGNOSTICS: missing [${missing% }], not in base/diag-codes.def [${extra% }]"
fi

# the status words: the SW(ID, "TEXT", SIDE, PARTNER, SOURCE) lines of grammar/status.def
def="$srcdir/grammar/status.def"
conf5=$(page UPSmon.conf.5)
sed -n 's/^SW([A-Z0-9]*, *"\([A-Za-z0-9]*\)", *\([A-Z]*\), *[A-Z0-9]*, *\([A-Z]*\)).*/\1 \2 \3/p' "$def" >words
awk '{ print $1 }' words | sort >all
awk '$2 == "ONE" { print $1 }' words | sort >one
awk '$2 == "ONE" && $3 == "UPSD" { print $1 }' words | sort >upsd
pairs=$(awk '$2 == "ONE" || $2 == "FIRST" { n += 2 } END { print n }' words)

# listed START END: the words of UPSmon.conf(5) after the text START up to
# the first text END, roff escapes dropped, one per line, sorted
listed() {
	sed -e 's/\\f[BIRP]//g' -e 's/\\&//g' "$conf5" | tr '\n' ' ' |
		awk -v a="$1" -v b="$2" '{ i = index($0, a); if (!i) exit; s = substr($0, i + length(a)); j = index(s, b); print (j ? substr(s, 1, j - 1) : "") }' |
		tr ' ' '\n' | sed -e 's/[.,;]$//' -e '/^$/d' | sort
}

if [ ! -s words ] || [ ! -s one ]; then
	echo "Bail out! no SW(...) line read from $def"
	exit 1
fi
listed 'Status words:' '.RE' >have-all
same "UPSmon.conf(5), Status words" have-all all
listed 'None->X and X->None for each of' ', plus' >have-one
same "UPSmon.conf(5), the event pairs" have-one one
listed 'for each status word X newly present (' ')' >have-upsd
same "UPSmon.conf(5), the words read from ups.status" have-upsd upsd
if sed -e 's/\\f[BIRP]//g' "$conf5" | grep -q "The $pairs REPORTS event pairs"; then
	ok "UPSmon.conf(5) counts $pairs event pairs"
else
	not_ok "UPSmon.conf(5) should say: The $pairs REPORTS event pairs"
fi

echo "1..$n"
tap_done
[ "$failed" -eq 0 ]
