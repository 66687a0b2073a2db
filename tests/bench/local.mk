## SPDX-License-Identifier: GPL-2.0-or-later
## tests/bench/local.mk - the benchmark programs, built only by `make bench`: the engine benchmark (tests/bench/engine-bench.sh) and the timing helper of the daemon benchmark (tests/bench/daemon-bench.sh).
EXTRA_PROGRAMS = tests/bench/engine-bench tests/bench/daemon-bench-probe
tests_bench_engine_bench_SOURCES = tests/bench/engine-bench.c
tests_bench_engine_bench_LDADD = engine/libengine.a grammar/libgrammar.a $(BASE_LIBS) -lm
CLEANFILES += tests/bench/engine-bench$(EXEEXT)
tests_bench_daemon_bench_probe_SOURCES = tests/bench/daemon-bench-probe.c
CLEANFILES += tests/bench/daemon-bench-probe$(EXEEXT)

EXTRA_DIST += tests/bench/cond-bench.conf tests/bench/level-bench.conf tests/bench/bench-lib.sh tests/bench/engine-bench.sh tests/bench/daemon-bench.sh tests/bench/metrics-bench.sh
