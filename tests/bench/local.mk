## tests/bench/local.mk - the engine benchmark program, built only by `make bench` (see tests/bench/engine-bench.sh).
EXTRA_PROGRAMS = tests/bench/engine-bench
tests_bench_engine_bench_SOURCES = tests/bench/engine-bench.c
tests_bench_engine_bench_LDADD = engine/libengine.a grammar/libgrammar.a engine/libengine.a $(PCRE2_LIBS) -lm
CLEANFILES += tests/bench/engine-bench$(EXEEXT)

EXTRA_DIST += tests/bench/engine-bench.sh
