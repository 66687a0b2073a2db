#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# test.sh - the whole test run (README, CI): deps, build + make check, ASan/UBSan build + make check, valgrind, make distcheck; last line "N passed, N failed".
#
# Run from anywhere inside a checkout, as root on a fresh Debian 12 (or as a
# user once scripts/install-deps.sh is satisfied):  bash scripts/test.sh
# Phases (a failing phase does not stop the later ones):
#   1. scripts/install-deps.sh --test
#   2. ./autogen.sh
#   3. _build/default: configure, make -j2, make -j2 check
#   4. _build/san: configure --enable-asan --enable-ubsan, make -j2 check
#   5. valgrind: `upsplan check` of the default build on every
#      tests/diag/*.conf (with its .args and .mode), examples/*.conf and
#      tests/plans/*.conf; every tests/compile golden test (disasm,
#      compile, disasm of the image) and every simulation trace test
#      under valgrind; the C unit tests of the code generator, image,
#      verifier, VM, event derivation, symbol table, the compiler's
#      bounds and the state file; the daemon tests tests/daemon/run-tls.sh,
#      run-outage.sh, run-reload.sh, run-reload-bomb.sh, run-poller.sh,
#      run-keepalive.sh, run-state.sh, run-pidfile.sh, run-startup.sh,
#      run-killpower.sh, run-hazards.sh and run-tls-setup.sh, and
#      tests/tls-setup.sh, and the fault
#      campaign's tests/faults/run-hostile-lines.sh, run-hostile-tls.sh
#      and run-backoff.sh (not run-fdlimit.sh: valgrind sets the open
#      files limit itself), with every upsplan process under valgrind
#      (they need the NUT peers); tests/email/email.sh
#      with the mail sender under valgrind.  A run fails on
#      valgrind's error exit 99 (memory errors, definite or indirect
#      leaks), on death by a signal, or (golden tests) on a mismatch
#   6. make -j2 distcheck in _build/default
# Counting: every :test-result: line of the .trs files of phases 3 and 4
# (PASS and XFAIL pass; FAIL, XPASS and ERROR fail; SKIP is not counted),
# one test per valgrind run, one for distcheck; a failed set-up or build
# step counts as one failed test.  Both build trees are made afresh, so
# no result of an earlier run is counted.  Logs: _build/logs/ and the
# automake .log files; failing tests' log paths are listed at the end.
set -eu
set -o pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
export LC_ALL=C NO_COLOR=1
JOBS=2
logs=_build/logs

passed=0
failed=0
failures=()

say() { printf '[test.sh %s] %s\n' "$(date +%H:%M:%S)" "$*"; }

# show the end of a log, indented, for readers of a CI log
show_tail() {
	[ -f "$1" ] || return 0
	tail -n "${2:-25}" "$1" | sed 's/^/    | /'
}

# record_failure NAME LOG [N]: N (default 1) failed tests, listed once with their LOG
record_failure() {
	local n=${3:-1}
	failed=$((failed + n))
	if [ "$n" -gt 1 ]; then
		failures+=("$1 ($n failed)  log: $2")
	else
		failures+=("$1  log: $2")
	fi
}

# step NAME LOG CMD...: run CMD with its output in LOG; a failure counts as one failed test
step() {
	local name=$1 log=$2 rc=0
	shift 2
	say "$name ..."
	"$@" >"$log" 2>&1 || rc=$?
	if [ $rc -ne 0 ]; then
		say "$name: FAILED (exit $rc), log: $log"
		show_tail "$log"
		record_failure "$name" "$log"
		return 1
	fi
	return 0
}

# count_trs TREE LABEL: add the results of TREE's .trs files to the totals
count_trs() {
	local tree=$1 label=$2 trs p f np=0 nf=0 shown=0
	while IFS= read -r trs; do
		p=$(grep -c -E '^:test-result: (PASS|XFAIL)' "$trs" || true)
		f=$(grep -c -E '^:test-result: (FAIL|XPASS|ERROR)' "$trs" || true)
		np=$((np + p))
		nf=$((nf + f))
		if [ "$f" -gt 0 ]; then
			local log=${trs%.trs}.log
			record_failure "$label: ${log#"$tree"/}" "$log" "$f"
			if [ $shown -lt 10 ]; then
				shown=$((shown + 1))
				say "$label: failing: ${log#"$tree"/}"
				show_tail "$log" 30
			fi
		fi
	done < <(find "$tree" -name '*.trs' ! -path '*/_build/*' | sort)
	passed=$((passed + np))
	say "$label: make check: $np passed, $nf failed"
}

# build_tree DIR LABEL CONFIGURE-ARGS...: configure, build and make check in a fresh DIR
build_tree() {
	local dir=$1 label=$2 rc=0
	shift 2
	rm -rf "$dir"
	mkdir -p "$dir"
	# shellcheck disable=SC2016 # $1 and $@ belong to the inner sh
	step "$label: configure${*:+ $*}" "$logs/$label-configure.log" \
		sh -c 'cd "$1" && shift && ../../configure "$@"' sh "$dir" "$@" || return 0
	step "$label: make -j$JOBS" "$logs/$label-make.log" make -C "$dir" -j$JOBS || return 0
	say "$label: make -j$JOBS check ..."
	make -C "$dir" -j$JOBS check >"$logs/$label-check.log" 2>&1 || rc=$?
	local before=$failed
	count_trs "$dir" "$label"
	if [ $rc -ne 0 ] && [ $failed -eq "$before" ]; then
		# make check failed without a failing test: a test program did not build, ...
		say "$label: make check exited $rc without a failed test, log: $logs/$label-check.log"
		show_tail "$logs/$label-check.log"
		record_failure "$label: make check (exit $rc)" "$logs/$label-check.log"
	fi
}

# valgrind_one FILE.conf: one valgrind run of upsplan check, in a scratch dir
valgrind_one() {
	local conf=$1 upsplan=$2 name mode=600 args="" d rc=0 rel
	rel=${conf#"$top"/}
	name=$(basename "$conf" .conf)
	d=_build/valgrind/$(dirname "$rel")/$name.d
	mkdir -p "$d"
	if [ -f "${conf%.conf}.mode" ]; then
		mode=$(sed -e 's/#.*//' -e 's/[[:space:]]//g' "${conf%.conf}.mode" | tr -d '\n')
	fi
	if [ -f "${conf%.conf}.args" ]; then
		args=$(sed -e '/^[[:space:]]*#/d' "${conf%.conf}.args" | tr '\n' ' ')
	fi
	cp "$conf" "$d/$name.conf"
	chmod "$mode" "$d/$name.conf"
	local vglog=$top/$d/valgrind.log
	(
		cd "$d"
		set -f
		# shellcheck disable=SC2086 # ARGS are words
		valgrind --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite,indirect \
			--log-file="$vglog" "$upsplan" check $args "$name.conf" >stdout 2>stderr
	) || rc=$?
	if [ $rc -eq 99 ] || [ $rc -ge 126 ]; then
		record_failure "valgrind: $rel (exit $rc)" "$d/valgrind.log"
		say "valgrind: $rel: FAILED (exit $rc), log: $d/valgrind.log"
		show_tail "$d/valgrind.log" 30
	else
		passed=$((passed + 1))
	fi
}

VALGRIND="valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite,indirect"

# valgrind_run NAME LOG CMD...: one counted run of CMD (which itself runs valgrind)
valgrind_run() {
	local name=$1 log=$2 rc=0
	shift 2
	"$@" >"$log.out" 2>&1 || rc=$?
	if [ $rc -ne 0 ]; then
		record_failure "valgrind: $name (exit $rc)" "$log"
		say "valgrind: $name: FAILED (exit $rc), log: $log"
		show_tail "$log.out" 15
		show_tail "$log" 30
	else
		passed=$((passed + 1))
	fi
}

mkdir -p "$logs"
say "upsplan test run in $top ($(nproc 2>/dev/null || echo '?') CPU, CI=${CI:-})"

# 1. dependencies
step "install-deps" "$logs/install-deps.log" bash scripts/install-deps.sh --test || :

# 2. autotools; an in-tree configuration would make every VPATH build fail
built=1
if [ -f config.status ]; then
	say "the source tree itself is configured (config.status exists): out-of-tree builds are impossible"
	say "run 'make distclean' in $top (or use a fresh checkout), then run this script again"
	record_failure "source tree configured in-tree" "$top/config.log"
	built=0
elif ! step "autogen" "$logs/autogen.log" ./autogen.sh; then
	built=0
fi

if [ $built -eq 1 ]; then
	# 3. default build
	build_tree _build/default default

	# 4. sanitizers
	build_tree _build/san san --enable-asan --enable-ubsan

	# 5. valgrind
	if [ ! -x _build/default/upsplan ]; then
		say "valgrind: skipped (no _build/default/upsplan: the build failed)"
	elif ! command -v valgrind >/dev/null 2>&1; then
		say "valgrind: not installed"
		record_failure "valgrind: not installed" "$logs/install-deps.log"
	else
		rm -rf _build/valgrind
		vfiles=()
		for f in "$top"/tests/diag/*.conf "$top"/examples/*.conf "$top"/tests/plans/*.conf; do
			[ -f "$f" ] && vfiles+=("$f")
		done
		say "valgrind: upsplan check on ${#vfiles[@]} plans ..."
		before_p=$passed
		before_f=$failed
		for f in "${vfiles[@]}"; do
			valgrind_one "$f" "$top/_build/default/upsplan"
		done
		say "valgrind: compiler golden tests and engine unit tests ..."
		mkdir -p _build/valgrind/compile _build/valgrind/unit
		for f in "$top"/tests/compile/*.dis; do
			n=$(basename "$f" .dis)
			vglog=$top/_build/valgrind/compile/$n
			# shellcheck disable=SC2016 # $1.. belong to the inner sh
			valgrind_run "tests/compile/$n" "$vglog" sh -c \
				'cd "$1" && UPSPLAN="$2" UPSPLAN_VALGRIND="$3 --log-file=$4.%p" sh "$5" "$6"' sh \
				_build/valgrind "$top/_build/default/upsplan" "$VALGRIND" "$vglog" \
				"$top/tests/compile/run-compile.sh" "$f"
		done
		mkdir -p _build/valgrind/run
		for f in "$top"/tests/run/*.scn "$top"/examples/*.scn; do
			n=$(basename "$f" .scn)
			vglog=$top/_build/valgrind/run/$n
			# shellcheck disable=SC2016 # $1.. belong to the inner sh
			valgrind_run "${f#"$top"/}" "$vglog" sh -c \
				'cd "$1" && UPSPLAN="$2" UPSPLAN_VALGRIND="$3 --log-file=$4.%p" sh "$5" "$6"' sh \
				_build/valgrind "$top/_build/default/upsplan" "$VALGRIND" "$vglog" \
				"$top/tests/run/run-trace.sh" "$f"
		done
		for t in test-image test-vm test-events test-lexer test-source test-statefile test-symtab test-bounds; do
			vglog=$top/_build/valgrind/unit/$t.log
			# shellcheck disable=SC2086 # VALGRIND is a command with options
			valgrind_run "tests/unit/$t" "$vglog" $VALGRIND --log-file="$vglog" \
				"$top/_build/default/tests/unit/$t"
		done
		# the daemon against the real NUT peers: every process of upsplan
		# (the root parent, the monitoring child) runs under valgrind; a
		# memory error makes upsplan exit 99, which fails a check
		mkdir -p _build/valgrind/daemon
		make -C _build/default tests/daemon/freeport tests/daemon/silent-server tests/daemon/nut-probe \
			tests/daemon/sd-listen tests/daemon/mkutmp tests/email/fake-smtp tests/faults/hostile-upsd upsplan-mail \
			>"$logs/valgrind-helpers.log" 2>&1 || :
		# the monitoring child runs as nobody (as root): its valgrind log goes
		# to a directory it can write to, copied to _build/valgrind/daemon after
		vgtmp=$(mktemp -d "${TMPDIR:-/tmp}/upsplan-vg.XXXXXX")
		chmod 1777 "$vgtmp"
		for t in daemon/run-tls daemon/run-outage daemon/run-reload daemon/run-reload-bomb daemon/run-poller \
			daemon/run-keepalive daemon/run-state daemon/run-pidfile daemon/run-startup daemon/run-killpower daemon/run-hazards daemon/run-tls-setup tls-setup \
			faults/run-hostile-lines faults/run-hostile-tls faults/run-backoff; do
			vglog=$vgtmp/${t#*/}
			# shellcheck disable=SC2016 # $1.. belong to the inner sh
			valgrind_run "tests/$t.sh" "$vglog" sh -c \
				'UPSPLAN="$1" PEERS_BINDIR="$2" FAULTS_BINDIR="$2/../faults" UPSPLAN_VALGRIND="$3 --log-file=$4.%p" sh "$5" >"$4.tap" 2>&1
				 rc=$?; cat "$4.tap"; [ $rc -eq 0 ] && ! grep -q "^not ok" "$4.tap" && grep -q "^ok" "$4.tap"' sh \
				"$top/_build/default/upsplan" "$top/_build/default/tests/daemon" "$VALGRIND" "$vglog" \
				"$top/tests/$t.sh"
		done
		cp -r "$vgtmp"/. _build/valgrind/daemon/ 2>/dev/null || :
		rm -rf "$vgtmp"
		# the mail helper (upsplan-mail: runtime/mail/mail-main.c, email.c) under valgrind
		mkdir -p _build/valgrind/email
		vglog=$top/_build/valgrind/email/email
		# shellcheck disable=SC2016 # $1.. belong to the inner sh
		valgrind_run "tests/email/email.sh" "$vglog" sh -c \
			'cd "$1" && EMAIL_TEST_BIN="$2" EMAIL_SEND_WRAPPER="$3 --log-file=$4.%p" sh "$5" >"$4.tap" 2>&1
			 rc=$?; cat "$4.tap"; [ $rc -eq 0 ] && ! grep -q "^not ok" "$4.tap" && grep -q "^ok" "$4.tap"' sh \
			_build/valgrind/email "$top/_build/default/tests/email" "$VALGRIND" "$vglog" "$top/tests/email/email.sh"
		say "valgrind: $((passed - before_p)) passed, $((failed - before_f)) failed"
	fi

	# 6. distcheck
	if [ -f _build/default/Makefile ]; then
		if step "distcheck: make -j$JOBS distcheck" "$logs/distcheck.log" make -C _build/default -j$JOBS distcheck; then
			passed=$((passed + 1))
			say "distcheck: passed"
		fi
	else
		say "distcheck: skipped (the default tree is not configured)"
	fi
fi

if [ $failed -gt 0 ]; then
	echo
	echo "Failed tests (log files relative to $top):"
	for f in "${failures[@]}"; do
		echo "  $f"
	done
fi
echo "$passed passed, $failed failed"
[ $failed -eq 0 ]
