## SPDX-License-Identifier: GPL-2.0-or-later
## tests/local.mk - the test suite: diagnostic golden tests, TAP scripts and the check benchmark (included by Makefile.am).
##
## tests/diag/NAME.conf  golden test: `upsplan check` output must equal
##                       NAME.err (driver: tests/diag/run-diag.sh; list:
##                       tests/diag/list.mk)
## tests/compile/NAME.dis golden test: `upsplan disasm` of the plan NAME.conf
##                       (in tests/compile, examples or tests/plans) must
##                       equal it (driver: tests/compile/run-compile.sh)
## tests/run/NAME.scn,   golden simulation trace: `upsplan simulate` must print
## examples/NAME.scn     tests/run/NAME.trace (driver: tests/run/run-trace.sh)
## tests/*.sh            TAP scripts (build-aux/tap-driver.sh)
## make bench            tests/bench/check-bench.sh, sim-bench.sh, engine-bench.sh,
##                       rules-bench.sh and daemon-bench.sh (not part of make check)

include tests/diag/list.mk

COMPILE_TESTS = \
	tests/compile/cond-keywords.dis \
	tests/compile/cond-shared.dis \
	tests/compile/text-vars.dis \
	tests/compile/conditions.dis \
	tests/compile/level.dis \
	tests/compile/level-shared.dis \
	tests/compile/numlogins.dis \
	tests/compile/marks.dis \
	tests/compile/alerts.dis \
	tests/compile/alert-rules.dis \
	tests/compile/engine-tour.dis \
	tests/compile/heartbeat.dis \
	tests/compile/mk-standard.dis \
	tests/compile/mk-timed.dis \
	tests/compile/plain-loopback.dis \
	tests/compile/rack.dis \
	tests/compile/rack-runtime.dis \
	tests/compile/standard.dis \
	tests/compile/syntax-tour.dis \
	tests/compile/timed.dis \
	tests/compile/two-groups.dis \
	tests/compile/quoted-names.dis

TRACE_TESTS = \
	$(EXAMPLE_SCENARIOS) \
	tests/run/durations.scn \
	tests/run/cond-alarm.scn \
	tests/run/cond-dummy.scn \
	tests/run/cond-running.scn \
	tests/run/cond-runtime.scn \
	tests/run/cond-unknown.scn \
	tests/run/var-escape.scn \
	tests/run/var-level.scn \
	tests/run/var-text.scn \
	tests/run/var-unknown.scn \
	tests/run/numlogins-hostsync.scn \
	tests/run/numlogins-wait.scn \
	tests/run/marks-supply.scn \
	tests/run/marks-final.scn \
	tests/run/alerts.scn \
	tests/run/alert-rules.scn \
	tests/run/alert-scn-error.scn \
	tests/run/names-cross.scn \
	tests/run/level-at-once.scn \
	tests/run/level-flap.scn \
	tests/run/level-group.scn \
	tests/run/level-nocomm.scn \
	tests/run/level-hold.scn \
	tests/run/level-interrupted.scn \
	tests/run/eco.scn \
	tests/run/fsd-secondary.scn \
	tests/run/fsd-operator.scn \
	tests/run/lb-levels.scn \
	tests/run/let-split.scn \
	tests/run/minsupplies.scn \
	tests/run/nocomm-ob.scn \
	tests/run/nocomm-ol.scn \
	tests/run/ob-lb.scn \
	tests/run/ob-ol-cancel.scn \
	tests/run/rearm.scn \
	tests/run/rack.scn \
	tests/run/rb-rearm.scn \
	tests/run/include-outage.scn \
	tests/run/nut-primary-short.scn \
	tests/run/nut-primary-lb.scn \
	tests/run/nut-primary-fsd.scn \
	tests/run/nut-primary-wait.scn \
	tests/run/nut-primary-hostsync.scn \
	tests/run/nut-primary-dead.scn \
	tests/run/nut-primary-rb.scn \
	tests/run/nut-primary-again.scn \
	tests/run/nut-primary-cal.scn \
	tests/run/nut-secondary-fsd.scn \
	tests/run/nut-secondary-grace.scn \
	tests/run/nut-secondary-nocomm.scn \
	tests/run/nut-secondary-dead.scn \
	tests/run/nut-two-both.scn \
	tests/run/nut-two-one.scn

TEST_EXTENSIONS += .conf .sh .dis .scn
CONF_LOG_COMPILER = $(SHELL) $(srcdir)/tests/diag/run-diag.sh
DIS_LOG_COMPILER = $(SHELL) $(srcdir)/tests/compile/run-compile.sh
SCN_LOG_COMPILER = $(SHELL) $(srcdir)/tests/run/run-trace.sh
SH_LOG_DRIVER = env AM_TAP_AWK='$(AWK)' $(SHELL) $(top_srcdir)/build-aux/tap-driver.sh
SH_LOG_COMPILER = $(SHELL)
AM_TESTS_ENVIRONMENT = \
	UPSPLAN='$(abs_top_builddir)/upsplan'; export UPSPLAN; \
	top_srcdir='$(abs_top_srcdir)'; export top_srcdir; \
	NO_COLOR=1; export NO_COLOR; \
	LC_ALL=C; export LC_ALL;

TESTS += \
	$(DIAG_TESTS) \
	$(COMPILE_TESTS) \
	$(TRACE_TESTS) \
	tests/compile-cli.sh \
	tests/simulate-cli.sh \
	tests/fsd-cli.sh \
	tests/cond-run.sh \
	tests/generate.sh \
	tests/bounds.sh \
	tests/diag-list.sh \
	tests/diag-docs.sh \
	tests/layers.sh \
	tests/opcodes-docs.sh \
	tests/status-docs.sh \
	tests/examples.sh \
	tests/roundtrip.sh \
	tests/soft-keywords.sh \
	tests/run-files.sh \
	tests/cli-help.sh \
	tests/check-cli.sh \
	tests/include.sh \
	tests/tls-setup.sh \
	tests/man-lint.sh \
	tests/systemd-unit.sh

EXTRA_DIST += \
	$(COMPILE_TESTS) \
	$(TRACE_TESTS) \
	tests/run/durations.trace \
	tests/run/cond-alarm.trace \
	tests/run/cond-dummy.dev \
	tests/run/cond-dummy.trace \
	tests/run/cond-plan.conf \
	tests/run/var-plan.conf \
	tests/run/var-escape.trace \
	tests/run/var-level-plan.conf \
	tests/run/var-level.trace \
	tests/run/var-text.trace \
	tests/run/var-unknown.trace \
	tests/run/cond-running.trace \
	tests/run/cond-runtime.trace \
	tests/run/cond-unknown.trace \
	tests/run/numlogins-plan.conf \
	tests/run/numlogins-hostsync.trace \
	tests/run/numlogins-wait.trace \
	tests/run/marks-supply.conf \
	tests/run/marks-supply.trace \
	tests/run/marks-final.conf \
	tests/run/marks-final.trace \
	tests/run/alerts.trace \
	tests/run/alert-rules.trace \
	tests/run/alert-scn-error.trace \
	tests/run/names-plan.conf \
	tests/run/names-cross.trace \
	tests/run/level-plan.conf \
	tests/run/level-at-once.trace \
	tests/run/level-flap.trace \
	tests/run/level-group.trace \
	tests/run/level-nocomm.trace \
	tests/run/level-hold.trace \
	tests/run/level-interrupted.trace \
	tests/run/eco.trace \
	tests/run/fsd-secondary.trace \
	tests/run/fsd-operator.conf \
	tests/run/fsd-operator.trace \
	tests/run/heartbeat-outage.trace \
	tests/run/lb-levels.trace \
	tests/run/let-split.trace \
	tests/run/minsupplies.trace \
	tests/run/nocomm-ob.trace \
	tests/run/nocomm-ol.trace \
	tests/run/ob-lb.trace \
	tests/run/ob-ol-cancel.trace \
	tests/run/rack.trace \
	tests/run/rack-runtime-outage.trace \
	tests/run/rb-rearm.trace \
	tests/run/rearm.trace \
	tests/run/standard-outage.trace \
	tests/run/timed-outage.trace \
	tests/run/two-groups-outage.trace \
	tests/run/run-trace.sh \
	tests/run/let-split.conf \
	tests/run/include-outage.conf \
	tests/run/include-outage.trace \
	tests/run/include-outage.inc/rules/outage.conf \
	tests/run/include-outage.inc/rules/shutdown.conf \
	tests/run/minsupplies.conf \
	tests/run/rearm.conf \
	tests/run/durations.conf \
	tests/run/nut-primary-short.trace \
	tests/run/nut-primary-lb.trace \
	tests/run/nut-primary-fsd.trace \
	tests/run/nut-primary-wait.trace \
	tests/run/nut-primary-hostsync.trace \
	tests/run/nut-primary-dead.trace \
	tests/run/nut-primary-rb.trace \
	tests/run/nut-primary-again.trace \
	tests/run/nut-primary-cal.trace \
	tests/run/nut-secondary-fsd.trace \
	tests/run/nut-secondary-grace.trace \
	tests/run/nut-secondary-nocomm.trace \
	tests/run/nut-secondary-dead.trace \
	tests/run/nut-two-both.trace \
	tests/run/nut-two-one.trace \
	tests/run/nut-primary.plan \
	tests/run/nut-secondary.plan \
	tests/run/nut-two.plan \
	tests/compile/run-compile.sh \
	tests/compile/engine-tour.plan \
	tests/compile/plain-loopback.plan \
	tests/compile/cond-keywords.plan \
	tests/compile/cond-shared.plan \
	tests/compile/text-vars.plan \
	tests/compile/conditions.plan \
	tests/compile/level.plan \
	tests/compile/level-shared.plan \
	tests/compile/numlogins.plan \
	tests/compile/marks.plan \
	tests/compile-cli.sh \
	tests/simulate-cli.sh \
	tests/fsd-cli.sh \
	tests/cond-run.sh \
	tests/generate.sh \
	tests/bounds.sh \
	tests/diag/list.mk \
	tests/diag/run-diag.sh \
	tests/diag/regen.sh \
	$(DIAG_TESTS) \
	$(DIAG_TESTS:.conf=.err) \
	$(DIAG_EXTRA) \
	tests/diag-list.sh \
	tests/diag-docs.sh \
	tests/layers.sh \
	tests/opcodes-docs.sh \
	tests/status-docs.sh \
	tests/examples.sh \
	tests/roundtrip.sh \
	tests/soft-keywords.sh \
	tests/run-files.sh \
	tests/cli-help.sh \
	tests/check-cli.sh \
	tests/include.sh \
	tests/tls-setup.sh \
	tests/man-lint.sh \
	tests/systemd-unit.sh \
	tests/tap-env.sh \
	tests/plans/alerts.conf \
	tests/plans/alert-rules.conf \
	tests/plans/mk-standard.conf \
	tests/plans/mk-timed.conf \
	tests/plans/rack.conf \
	tests/plans/syntax-tour.conf \
	tests/plans/soft-keywords.conf \
	tests/plans/quoted-names.conf \
	tests/plans/keyword-names.conf \
	tests/bench/check-bench.sh \
	tests/bench/gen-plan.sh \
	tests/bench/gen-scenario.sh \
	tests/bench/rules-bench.sh \
	tests/bench/sim-bench.sh

# scratch directories of the drivers (kept when a test fails) and mismatches
clean-local: clean-local-tests
clean-local-tests:
	-rm -rf tests/diag/*.d tests/diag/*.got tests/examples.d tests/roundtrip.d tests/soft-keywords.d \
		tests/compile/*.d tests/compile/*.got tests/compile-cli.d tests/simulate-cli.d tests/fsd-cli.d tests/cond-run.d tests/generate.d tests/cli-help.d tests/check-cli.d tests/systemd-unit.d tests/run/*.d tests/run/*.got tests/email/email.d

# the benchmarks (check, simulate, engine, daemon); each prints PASS/MISS against its targets and ratios to the NUT peer
bench: upsplan$(EXEEXT) tests/bench/engine-bench$(EXEEXT) tests/bench/daemon-bench-probe$(EXEEXT) \
		tests/daemon/freeport$(EXEEXT) tests/daemon/silent-server$(EXEEXT) tests/daemon/nut-probe$(EXEEXT)
	UPSPLAN='$(abs_top_builddir)/upsplan$(EXEEXT)' $(SHELL) $(srcdir)/tests/bench/check-bench.sh
	UPSPLAN='$(abs_top_builddir)/upsplan$(EXEEXT)' $(SHELL) $(srcdir)/tests/bench/sim-bench.sh
	UPSPLAN='$(abs_top_builddir)/upsplan$(EXEEXT)' ENGINE_BENCH='$(abs_top_builddir)/tests/bench/engine-bench$(EXEEXT)' \
		$(SHELL) $(srcdir)/tests/bench/engine-bench.sh
	UPSPLAN='$(abs_top_builddir)/upsplan$(EXEEXT)' ENGINE_BENCH='$(abs_top_builddir)/tests/bench/engine-bench$(EXEEXT)' \
		$(SHELL) $(srcdir)/tests/bench/rules-bench.sh
	UPSPLAN='$(abs_top_builddir)/upsplan$(EXEEXT)' PEERS_BINDIR='$(abs_top_builddir)/tests/daemon' \
		DAEMON_BENCH_PROBE='$(abs_top_builddir)/tests/bench/daemon-bench-probe$(EXEEXT)' \
		$(SHELL) $(srcdir)/tests/bench/daemon-bench.sh
	UPSPLAN='$(abs_top_builddir)/upsplan$(EXEEXT)' PEERS_BINDIR='$(abs_top_builddir)/tests/daemon' \
		$(SHELL) $(srcdir)/tests/bench/metrics-bench.sh

.PHONY: bench clean-local-tests

# NUT's upsmon and upsplan run side by side on the same outages (about
# 65 s; skips without nut-client, see tests/nut-side/README)
TESTS += tests/nut-side/side-by-side.sh
EXTRA_DIST += \
	tests/nut-side/README \
	tests/nut-side/side-by-side.sh \
	tests/nut-side/side-compare.sh \
	tests/nut-side/rec-call \
	tests/nut-side/rec-notify \
	tests/nut-side/rec-cmdscript \
	tests/nut-side/rec-shutdown \
	tests/nut-side/rec-wall \
	tests/nut-side/conf/upsmon-C.conf \
	tests/nut-side/conf/upsmon-N.conf \
	tests/nut-side/conf/upsmon-U.conf \
	tests/nut-side/conf/upssched.conf \
	tests/nut-side/plans/primary-N.conf \
	tests/nut-side/expect/S1-N-P.exp \
	tests/nut-side/expect/S1-U-P.exp \
	tests/nut-side/expect/S2-N-P.exp \
	tests/nut-side/expect/S2-U-P.exp \
	tests/nut-side/expect/S3-N-P.exp \
	tests/nut-side/expect/S3-U-P.exp \
	tests/nut-side/expect/S4-N-P.exp \
	tests/nut-side/expect/S5-N-P.exp \
	tests/nut-side/expect/S5-N-S.exp \
	tests/nut-side/expect/S5-U-P.exp \
	tests/nut-side/expect/S5-U-S.exp \
	tests/nut-side/expect/S6-U-P.exp \
	tests/nut-side/expect/S7-C-P.exp
