#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# test.sh - the whole test run (README, CI): deps, build + make check, ASan/UBSan build + make check, valgrind, make distcheck, the Debian package; last line "N passed, N failed".
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
#      tests/plans/*.conf (with the files NAME.inc/ it includes); every tests/compile golden test (disasm,
#      compile, disasm of the image) and every simulation trace test
#      under valgrind; the C unit tests of the code generator, image,
#      verifier, VM, event derivation, symbol table, the compiler's
#      bounds and the state file; the daemon tests tests/daemon/run-tls.sh,
#      run-outage.sh, run-reload.sh, run-reload-bomb.sh, run-include.sh, run-poller.sh,
#      run-keepalive.sh, run-state.sh, run-pidfile.sh, run-startup.sh,
#      run-killpower.sh, run-hazards.sh, run-control.sh and run-tls-setup.sh, and
#      tests/tls-setup.sh, and the fault
#      campaign's tests/faults/run-hostile-lines.sh, run-hostile-tls.sh,
#      run-tls-words.sh and run-backoff.sh (not run-fdlimit.sh: valgrind sets the open
#      files limit itself), with every upsplan process under valgrind
#      (they need the NUT peers); tests/email/email.sh
#      with the mail sender under valgrind.  A run fails on
#      valgrind's error exit 99 (memory errors, definite or indirect
#      leaks), on death by a signal, or (golden tests) on a mismatch
#   6. make -j2 distcheck in _build/default
#   7. package: the .deb built with dpkg-buildpackage -us -uc -b from a
#      clean copy of the tree in _build/pkg (the files git tracks, and new
#      ones it does not ignore: no build directory), make check not run
#      again (nocheck); lintian (an error fails); then, on this host,
#      dpkg -i, upsplan --version (the installed mail helper),
#      upsplan check of each installed example, the installed rule files
#      read by INCLUDE <name>, systemd-analyze verify of
#      the installed unit, an edited conffile (/etc/default/upsplan) kept
#      on a reinstall and on an upgrade to a repacked newer version with a
#      changed conffile, and dpkg --purge leaving nothing of the package.
#      The service is never started: its ConditionPathExists= wants a
#      plan in /etc/nut, and when systemd runs here a policy-rc.d that
#      forbids starts is put in place for the phase (when there is none).
#      The install steps are skipped, with the reason, when an upsplan
#      package is installed already (not a test's: it is left alone).
# Counting: every :test-result: line of the .trs files of phases 3 and 4
# (PASS and XFAIL pass; FAIL, XPASS and ERROR fail; SKIP is not counted),
# one test per valgrind run, one for distcheck, one per step of the
# package phase; a failed set-up or build step counts as one failed test.  Both build trees are made afresh, so
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

# valgrind_one FILE.conf UPSPLAN: one valgrind run of upsplan check, in a
# scratch dir, started in the pool (an exit of 1 is a diagnostic, not a failure)
valgrind_one() {
	local conf=$1 upsplan=$2 name mode=600 args="" d rel
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
	if [ -d "${conf%.conf}.inc" ]; then	# the files it INCLUDEs, as run-diag.sh copies them
		cp -R "${conf%.conf}.inc/." "$d/"
		find "$d" -type d -exec chmod 755 {} +
		find "$d" -type f -exec chmod 600 {} +
	fi
	cp "$conf" "$d/$name.conf"
	chmod "$mode" "$d/$name.conf"
	# shellcheck disable=SC2016 # $1.. belong to the inner sh
	pool_run "$rel" "$top/$d/valgrind.log" sh -c \
		'cd "$1" && set -f && UPSPLAN_RULES_DIR= valgrind --error-exitcode=99 --leak-check=full \
			--errors-for-leak-kinds=definite,indirect --log-file="$2" "$3" check $4 "$5" >stdout 2>stderr
		 rc=$?; [ $rc -ne 99 ] && [ $rc -lt 126 ]' sh "$d" "$top/$d/valgrind.log" "$upsplan" "$args" "$name.conf"
}

VALGRIND="valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite,indirect"

# The valgrind phase runs its checks two at a time (CI has two cores): each
# is started by pool_run, and pool_drain waits for them all and counts their
# verdicts in the order they were started, so the log reads as a serial run.
pool_names=()
pool_logs=()
pool_jobs=${VALGRIND_JOBS:-2}

# pool_run NAME LOG CMD...: start CMD (its output in LOG.out, its exit in
# LOG.rc) when fewer than pool_jobs checks run; LOG is valgrind's own log
pool_run() {
	local name=$1 log=$2
	shift 2
	while [ "$(jobs -rp | wc -l)" -ge "$pool_jobs" ]; do
		wait -n || :
	done
	rm -f "$log.rc"
	( rc=0; "$@" >"$log.out" 2>&1 || rc=$?; echo "$rc" >"$log.rc" ) &
	pool_names+=("$name")
	pool_logs+=("$log")
}

# pool_drain: wait for the pool; one passed or failed test per check
pool_drain() {
	local i rc log
	wait
	for i in "${!pool_names[@]}"; do
		log=${pool_logs[$i]}
		rc=$(cat "$log.rc" 2>/dev/null) || rc=
		[ -n "$rc" ] || rc=127
		if [ "$rc" -ne 0 ]; then
			record_failure "valgrind: ${pool_names[$i]} (exit $rc)" "$log"
			say "valgrind: ${pool_names[$i]}: FAILED (exit $rc), log: $log"
			show_tail "$log.out" 15
			show_tail "$log" 30
		else
			passed=$((passed + 1))
		fi
	done
	pool_names=()
	pool_logs=()
}

# check NAME LOG CMD...: one counted test: CMD, its output in LOG
check() {
	if step "$@"; then
		passed=$((passed + 1))
		return 0
	fi
	return 1
}

# the package phase (7) ------------------------------------------------
pkgdir=$top/_build/pkg
pkg_mark="# edited by scripts/test.sh"

# pkg_installed: an upsplan package is on this host (installed, or its conffiles left)
pkg_installed() {
	local st
	st=$(dpkg-query -W -f='${db:Status-Status}' upsplan 2>/dev/null) || st=
	[ -n "$st" ] && [ "$st" != not-installed ]
}

# pkg_leftovers: every path of the host named like a file of the package
# (its programs, pages, conffiles, unit, dpkg's records of it, the
# service's directories and the symbolic links that enable it), sorted
pkg_leftovers() {
	# (a file another process removes during the walk is no failure)
	{ find /etc /lib /usr /var -xdev \( -path /var/tmp -o -path /var/cache -o -path /var/log/journal \) -prune -o \
		\( -name '*upsplan*' -o -name 'UPSmon.conf.5*' \) -print 2>/dev/null || :; } | sort
}

# pkg_copy: the tree without build directories, in $pkgdir/src: the files
# git tracks and new ones it does not ignore (else all but _build)
pkg_copy() (
	mkdir -p "$pkgdir/src"
	if git -C "$top" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
		git -C "$top" ls-files -z --cached --others --exclude-standard |
			tar -C "$top" --null --ignore-failed-read -T - -cf - | tar -C "$pkgdir/src" -xf -
	else
		tar -C "$top" --exclude=./_build -cf - . | tar -C "$pkgdir/src" -xf -
	fi
	cd "$pkgdir/src" && DEB_BUILD_OPTIONS="nocheck parallel=$JOBS" dpkg-buildpackage -us -uc -b
)

# pkg_version: upsplan --version of the installed package names its mail
# helper; the alert helper is installed beside it; the daemon itself does
# not link libcurl (the helpers do)
pkg_version() {
	/usr/sbin/upsplan --version &&
		/usr/sbin/upsplan --version | grep -q '^mail helper /usr/libexec/upsplan/upsplan-mail: upsplan-mail [^ ]*, libcurl/' &&
		/usr/libexec/upsplan/upsplan-alert --version | grep -q '^upsplan-alert ' &&
		! ldd /usr/sbin/upsplan | grep -q libcurl
}

# pkg_examples: upsplan check of each installed example plan: no error
pkg_examples() {
	local f n=0
	for f in /usr/share/doc/upsplan/examples/*.conf; do
		[ -f "$f" ] || continue
		echo "== upsplan check $f"
		/usr/sbin/upsplan check "$f" || return 1
		n=$((n + 1))
	done
	echo "$n examples checked"
	[ $n -gt 0 ]
}

# pkg_rules: the standard rule files are installed, and INCLUDE <name> reads the installed one
pkg_rules() {
	local d=$pkgdir/rules
	ls -l /usr/share/upsplan/rules/ && [ -f /usr/share/upsplan/rules/messages.rules ] || return 1
	mkdir -p "$d"
	printf 'INCLUDE <messages.rules>\n' >"$d/plan.conf"
	/usr/sbin/upsplan check --print=expanded "$d/plan.conf" >"$d/out" 2>"$d/err" || :
	cat "$d/out" "$d/err"
	grep -q '^LET Msg-OB = ' "$d/out"
}

# pkg_verify: systemd-analyze verify of the installed unit: no error, no warning
pkg_verify() {
	local err=$pkgdir/verify.err rc=0
	systemd-analyze verify /lib/systemd/system/upsplan.service 2>"$err" || rc=$?
	cat "$err"
	[ $rc -eq 0 ] && [ ! -s "$err" ]
}

# pkg_reinstall DEB: the edited /etc/default/upsplan is kept by dpkg -i DEB
pkg_reinstall() {
	echo "$pkg_mark" >>/etc/default/upsplan
	dpkg -i "$1" </dev/null && grep -qx "$pkg_mark" /etc/default/upsplan
}

# pkg_upgrade DEB: DEB repacked as a newer version whose /etc/default/upsplan
# changed; installed as an unattended upgrade does (keep the admin's
# conffile), the edit stays and the new default is beside it
pkg_upgrade() {
	local root=$pkgdir/upgrade
	rm -rf "$root"
	dpkg-deb -R "$1" "$root" &&
		sed -i 's/^Version: .*/&+test1/' "$root/DEBIAN/control" &&
		echo 'UPSPLAN_OPTIONS="-D"  # a newer default' >>"$root/etc/default/upsplan" &&
		dpkg-deb --root-owner-group -b "$root" "$pkgdir/upgrade.deb" &&
		dpkg --force-confdef --force-confold -i "$pkgdir/upgrade.deb" </dev/null || return 1
	dpkg-query -W -f='${Version}\n' upsplan | grep -q '+test1$' &&
		grep -qx "$pkg_mark" /etc/default/upsplan &&
		grep -q 'a newer default' /etc/default/upsplan.dpkg-dist
}

# pkg_purge: the files the running service would have made, then
# dpkg --purge: no file of the package, nothing it or its service made
pkg_purge() {
	local f left=0
	pkg_installed || return 1
	dpkg -L upsplan >"$pkgdir/files"
	if [ ! -e /var/lib/upsplan/monitor ]; then
		mkdir -p /var/lib/upsplan/monitor && echo '{}' >/var/lib/upsplan/monitor/state.json
	fi
	mkdir -p /var/log/upsplan && touch /var/log/upsplan/upsplan.log /var/log/upsplan/upsplan.log.1
	dpkg --purge upsplan || return 1
	while IFS= read -r f; do
		if [ -e "$f" ] && [ ! -d "$f" ]; then
			echo "left: $f"
			left=1
		fi
	done <"$pkgdir/files"
	pkg_leftovers >"$pkgdir/after"
	if ! diff -u "$pkgdir/before" "$pkgdir/after"; then
		echo "(+: left by the package or its service)"
		left=1
	fi
	! pkg_installed && [ $left -eq 0 ]
}

package_phase() {
	local t deb policy=0 start=$SECONDS
	rm -rf "$pkgdir"
	mkdir -p "$pkgdir"
	for t in dpkg-buildpackage dh lintian; do
		if ! command -v $t >/dev/null 2>&1; then
			say "package: $t not installed"
			record_failure "package: $t not installed" "$logs/install-deps.log"
			return 0
		fi
	done
	check "package: dpkg-buildpackage -us -uc -b (a clean copy, nocheck)" "$logs/package-build.log" pkg_copy || return 0
	deb=$(ls "$pkgdir"/upsplan_*.deb) || :
	if check "package: lintian (no error)" "$logs/package-lintian.log" \
		lintian --fail-on error -I -E --pedantic "$pkgdir"/upsplan_*.changes; then
		say "package: lintian tags left: $(grep -cE '^[EWIPX]: ' "$logs/package-lintian.log")"
		sed -n 's/^\([EWIPX]: \)/    | \1/p' "$logs/package-lintian.log"
	fi
	if pkg_installed; then
		say "package: install steps skipped: an upsplan package is installed on this host, and a test does not replace it (dpkg --purge upsplan if a failed run left it)"
		return 0
	fi
	if [ "$(id -u)" -ne 0 ]; then
		say "package: install steps skipped: dpkg -i needs root"
		return 0
	fi
	pkg_leftovers >"$pkgdir/before"
	# the package's scripts start the unit when systemd runs: forbid it
	if [ -d /run/systemd/system ] && [ ! -e /usr/sbin/policy-rc.d ]; then
		printf '#!/bin/sh\n# scripts/test.sh, package phase: no service is started\nexit 101\n' >/usr/sbin/policy-rc.d
		chmod 755 /usr/sbin/policy-rc.d
		policy=1
	fi
	if check "package: dpkg -i $(basename "$deb")" "$logs/package-install.log" dpkg -i "$deb"; then
		check "package: upsplan --version (the installed mail and alert helpers)" "$logs/package-version.log" pkg_version || :
		check "package: upsplan check of the installed examples" "$logs/package-examples.log" pkg_examples || :
		check "package: the installed rule files, read by INCLUDE <name>" "$logs/package-rules.log" pkg_rules || :
		if command -v systemd-analyze >/dev/null 2>&1; then
			check "package: systemd-analyze verify of the installed unit" "$logs/package-verify.log" pkg_verify || :
		else
			say "package: systemd-analyze verify skipped: systemd-analyze is not installed"
		fi
		check "package: an edited conffile survives a reinstall" "$logs/package-reinstall.log" pkg_reinstall "$deb" || :
		check "package: an edited conffile survives an upgrade" "$logs/package-upgrade.log" pkg_upgrade "$deb" || :
		check "package: dpkg --purge leaves nothing" "$logs/package-purge.log" pkg_purge || :
	fi
	# whatever failed: nothing of the test stays installed
	if pkg_installed; then
		dpkg --purge upsplan >>"$logs/package-purge.log" 2>&1 || :
	fi
	[ $policy -eq 0 ] || rm -f /usr/sbin/policy-rc.d
	say "package: $((SECONDS - start)) s"
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
		pool_drain
		say "valgrind: compiler golden tests and engine unit tests ..."
		mkdir -p _build/valgrind/compile _build/valgrind/unit
		for f in "$top"/tests/compile/*.dis; do
			n=$(basename "$f" .dis)
			vglog=$top/_build/valgrind/compile/$n
			# shellcheck disable=SC2016 # $1.. belong to the inner sh
			pool_run "tests/compile/$n" "$vglog" sh -c \
				'cd "$1" && UPSPLAN="$2" UPSPLAN_VALGRIND="$3 --log-file=$4.%p" sh "$5" "$6"' sh \
				_build/valgrind "$top/_build/default/upsplan" "$VALGRIND" "$vglog" \
				"$top/tests/compile/run-compile.sh" "$f"
		done
		mkdir -p _build/valgrind/run
		for f in "$top"/tests/run/*.scn "$top"/examples/*.scn; do
			n=$(basename "$f" .scn)
			vglog=$top/_build/valgrind/run/$n
			# shellcheck disable=SC2016 # $1.. belong to the inner sh
			pool_run "${f#"$top"/}" "$vglog" sh -c \
				'cd "$1" && UPSPLAN="$2" UPSPLAN_VALGRIND="$3 --log-file=$4.%p" sh "$5" "$6"' sh \
				_build/valgrind "$top/_build/default/upsplan" "$VALGRIND" "$vglog" \
				"$top/tests/run/run-trace.sh" "$f"
		done
		for t in test-image test-vm test-events test-lexer test-source test-statefile test-symtab test-bounds; do
			vglog=$top/_build/valgrind/unit/$t.log
			# shellcheck disable=SC2086 # VALGRIND is a command with options
			pool_run "tests/unit/$t" "$vglog" $VALGRIND --log-file="$vglog" \
				"$top/_build/default/tests/unit/$t"
		done
		pool_drain
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
		# longest first (times under valgrind: run-state 2.6 min, run-hostile-lines
		# 1.9, tls-setup 1.7, ...), so the two lanes end together
		for t in daemon/run-state daemon/run-alerts faults/run-hostile-lines tls-setup daemon/run-keepalive daemon/run-tls \
			faults/run-backoff faults/run-hostile-tls daemon/run-level daemon/run-tls-setup daemon/run-reload \
			faults/run-tls-words daemon/run-killpower daemon/run-outage daemon/run-pidfile daemon/run-startup \
			daemon/run-control daemon/run-numlogins daemon/run-numlogins-replies daemon/run-marks daemon/run-names daemon/run-include daemon/run-poller \
			daemon/run-hazards daemon/run-reload-bomb; do
			vglog=$vgtmp/${t#*/}
			# shellcheck disable=SC2016 # $1.. belong to the inner sh
			pool_run "tests/$t.sh" "$vglog" sh -c \
				'UPSPLAN="$1" PEERS_BINDIR="$2" FAULTS_BINDIR="$2/../faults" UPSPLAN_VALGRIND="$3 --log-file=$4.%p" sh "$5" >"$4.tap" 2>&1
				 rc=$?; cat "$4.tap"; [ $rc -eq 0 ] && ! grep -q "^not ok" "$4.tap" && grep -q "^ok" "$4.tap"' sh \
				"$top/_build/default/upsplan" "$top/_build/default/tests/daemon" "$VALGRIND" "$vglog" \
				"$top/tests/$t.sh"
		done
		pool_drain
		cp -r "$vgtmp"/. _build/valgrind/daemon/ 2>/dev/null || :
		rm -rf "$vgtmp"
		# the mail helper (upsplan-mail: runtime/mail/mail-main.c, email.c) under valgrind
		mkdir -p _build/valgrind/email
		vglog=$top/_build/valgrind/email/email
		# shellcheck disable=SC2016 # $1.. belong to the inner sh
		pool_run "tests/email/email.sh" "$vglog" sh -c \
			'cd "$1" && EMAIL_TEST_BIN="$2" EMAIL_SEND_WRAPPER="$3 --log-file=$4.%p" sh "$5" >"$4.tap" 2>&1
			 rc=$?; cat "$4.tap"; [ $rc -eq 0 ] && ! grep -q "^not ok" "$4.tap" && grep -q "^ok" "$4.tap"' sh \
			_build/valgrind/email "$top/_build/default/tests/email" "$VALGRIND" "$vglog" "$top/tests/email/email.sh"
		pool_drain
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

# 7. the Debian package, built from a clean copy of the tree
package_phase

if [ $failed -gt 0 ]; then
	echo
	echo "Failed tests (log files relative to $top):"
	for f in "${failures[@]}"; do
		echo "  $f"
	done
fi
echo "$passed passed, $failed failed"
[ $failed -eq 0 ]
