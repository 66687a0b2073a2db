#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# status-docs.sh - TAP: the status words and event pairs the manuals list are those of grammar/status.def.
#
# grammar/status.def declares every status word once; three lists in the
# manuals repeat them for the reader and must not drift:
#   docs/language.md  "**Status words**: `...`"    every word
#   docs/language.md  "The N REPORTS event pairs are `None->X` and
#                     `X->None` for each of `...`"  the one-sided words, and N
#   docs/simulate.md  "for each status word X (`...`)" the one-sided words
#                     read from ups.status (SOURCE UPSD)
# Each list is one test (compared as sets, as the manuals order them for
# reading); a mismatch names the words missing and extra.  Environment:
# top_srcdir (make check sets it).
# shellcheck source=tests/tap-env.sh
. "$(dirname "$0")/tap-env.sh"
tap_scratch status-docs
def="$srcdir/grammar/status.def"

# the SW(ID, "TEXT", SIDE, PARTNER, SOURCE) lines: TEXT SIDE SOURCE
sed -n 's/^SW([A-Z0-9]*, *"\([A-Za-z0-9]*\)", *\([A-Z]*\), *[A-Z0-9]*, *\([A-Z]*\)).*/\1 \2 \3/p' "$def" >words
awk '{ print $1 }' words | sort >all
awk '$2 == "ONE" { print $1 }' words | sort >one
awk '$2 == "ONE" && $3 == "UPSD" { print $1 }' words | sort >upsd
pairs=$(awk '$2 == "ONE" || $2 == "FIRST" { n += 2 } END { print n }' words)

# the words between backquotes after PATTERN in FILE (the list may span lines), one per line, sorted
listed() {
	awk -v pat="$2" '
		!on && index($0, pat) { on = 1; $0 = substr($0, index($0, pat) + length(pat)) }
		on { text = text " " $0; if (index($0, "`") && n++) exit }
		END { print text }' "$1" |
		sed 's/^[^`]*`\([^`]*\)`.*/\1/' | tr ' ' '\n' | sed '/^$/d' | sort
}

if [ ! -s words ] || [ ! -s one ]; then
	echo "Bail out! no SW(...) line read from $def"
	exit 1
fi
listed "$srcdir/docs/language.md" '**Status words**:' >have-all
same "docs/language.md, Status words" have-all all
listed "$srcdir/docs/language.md" 'REPORTS event pairs are `None->X` and `X->None` for each of' >have-one
same "docs/language.md, the event pairs" have-one one
if grep -q "The $pairs\$" "$srcdir/docs/language.md" || grep -q "The $pairs REPORTS event pairs" "$srcdir/docs/language.md"; then
	ok "docs/language.md counts $pairs event pairs"
else
	not_ok "docs/language.md should say: The $pairs REPORTS event pairs"
fi
listed "$srcdir/docs/simulate.md" 'for each status word X (' >have-upsd
same "docs/simulate.md, the words of ups.status" have-upsd upsd
echo "1..$n"
tap_done
[ "$failed" -eq 0 ]
