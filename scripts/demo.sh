#!/usr/bin/env bash
# demo.sh - build upsplan and show `upsplan check` on examples/timed.conf and on a deliberately broken copy of it.
#
# Run from anywhere inside a checkout, as root on a fresh Debian 12 (or as a
# user once scripts/install-deps.sh is satisfied):  bash scripts/demo.sh
# Builds in _build/default (reusing an earlier build), then runs the
# program; everything shown below the build lines is upsplan's own output.
set -eu
set -o pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
export LC_ALL=C

say() { printf '\n=== %s\n' "$*"; }
fail() {
	echo "demo.sh: $*" >&2
	exit 1
}

say "dependencies"
bash scripts/install-deps.sh
echo "all build dependencies are installed"

say "build (log: _build/logs/demo-build.log)"
mkdir -p _build/logs _build/default
log=$top/_build/logs/demo-build.log
: >"$log"
if [ ! -x configure ]; then
	[ -f config.status ] && fail "the source tree is configured in-tree; run 'make distclean' first"
	./autogen.sh >>"$log" 2>&1 || fail "./autogen.sh failed, see $log"
fi
if [ ! -f _build/default/Makefile ]; then
	[ -f config.status ] && fail "the source tree is configured in-tree; run 'make distclean' first"
	(cd _build/default && ../../configure) >>"$log" 2>&1 || fail "configure failed, see $log"
fi
make -C _build/default -j2 >>"$log" 2>&1 || fail "make failed, see $log"
upsplan=$top/_build/default/upsplan
echo "built $upsplan"
"$upsplan" --version

work=$(mktemp -d "${TMPDIR:-/tmp}/upsplan-demo.XXXXXX")
trap 'rm -rf "$work"' EXIT HUP INT TERM
# the plan holds passwords: install it as an administrator would, readable by its owner only
cp examples/timed.conf "$work/timed.conf"
chmod 600 "$work/timed.conf"
cd "$work"

say "upsplan check timed.conf   (examples/timed.conf, mode 0600)"
rc=0
"$upsplan" check timed.conf 2>&1 || rc=$?
echo "[exit status $rc]"

# The broken copy: a typo in a UPS name, and an event pair that does not
# exist (OB->LB: a UPS goes from OB to OL, and LB comes and goes with None).
sed -e 's/^WHEN UPS-1 REPORTS OB->OL :/WHEN UPS-l REPORTS OB->OL :/' \
	-e 's/^WHEN UPS-1 REPORTS None->LB :/WHEN UPS-1 REPORTS OB->LB :/' \
	timed.conf >broken.conf
chmod 600 broken.conf
[ "$(diff timed.conf broken.conf | grep -c '^>')" -eq 2 ] ||
	fail "examples/timed.conf changed: the sed edits of this demo no longer apply"
say "the broken copy: diff timed.conf broken.conf"
diff timed.conf broken.conf || :

say "upsplan check broken.conf"
rc=0
"$upsplan" check broken.conf 2>&1 || rc=$?
echo "[exit status $rc]"

say "upsplan check --format=json broken.conf   (the same diagnostics, for editors and CI)"
rc=0
"$upsplan" check --format=json broken.conf 2>&1 || rc=$?
echo "[exit status $rc]"

say "upsplan check --print timed.conf   (the canonical form: comments dropped, one declaration per line)"
rc=0
"$upsplan" check --print timed.conf 2>&1 || rc=$?
echo "[exit status $rc]"

say "upsplan compile timed.conf -o timed.upb   (a plan image, mode 0600: it holds the passwords)"
rc=0
"$upsplan" compile timed.conf -o timed.upb 2>&1 || rc=$?
echo "[exit status $rc]"
ls -l timed.upb

say "upsplan disasm timed.upb   (the bytecode, with each action's file:line:col; first 60 lines)"
rc=0
"$upsplan" disasm timed.upb >timed.lst 2>&1 || rc=$?
sed -n '1,60p' timed.lst
echo "... ($(wc -l <timed.lst) lines) [exit status $rc]"

say "done: upsplan checked one clean and one broken plan, compiled the clean one and listed its bytecode; the daemon itself is not part of this version"
