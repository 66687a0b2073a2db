#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# regen.sh - maintainer helper: rewrite tests/diag/*.err from the current `upsplan check` output (review with git diff first!).
#
# Usage: sh tests/diag/regen.sh [NAME.conf...]
#   without arguments every tests/diag/*.conf is regenerated.
# UPSPLAN names the binary; by default ./upsplan, then _build/default/upsplan
# of the source tree.  Not a test: run it only after reading the diffs that
# `make check` printed, and review `git diff tests/diag` before committing.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)

if [ -z "${UPSPLAN-}" ]; then
	for c in ./upsplan "$top/upsplan" "$top/_build/default/upsplan"; do
		if [ -x "$c" ]; then
			UPSPLAN=$c
			break
		fi
	done
fi
if [ -z "${UPSPLAN-}" ]; then
	echo "regen.sh: no upsplan binary found; build it or set UPSPLAN" >&2
	exit 2
fi
case $UPSPLAN in
/*) ;;
*) UPSPLAN=$(pwd)/$UPSPLAN ;;
esac
export UPSPLAN

if [ $# -eq 0 ]; then
	set -- "$here"/*.conf
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/upsplan-regen.XXXXXX")
trap 'rm -rf "$work"' EXIT HUP INT TERM

for f in "$@"; do
	case $f in
	/*) ;;
	*) f=$(pwd)/$f ;;
	esac
	(cd "$work" && sh "$here/run-diag.sh" --regen "$f")
done
echo "now review: git diff -- tests/diag"
