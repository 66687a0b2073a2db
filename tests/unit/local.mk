## tests/unit/local.mk - C unit tests (TAP) of the source registry and the scanner.
check_PROGRAMS += tests/unit/test-source tests/unit/test-lexer
tests_unit_test_source_SOURCES = tests/unit/test-source.c tests/unit/tap.h
tests_unit_test_source_LDADD = engine/libengine.a grammar/libgrammar.a engine/libengine.a $(PCRE2_LIBS)
tests_unit_test_lexer_SOURCES = tests/unit/test-lexer.c tests/unit/tap.h
tests_unit_test_lexer_LDADD = engine/libengine.a grammar/libgrammar.a engine/libengine.a $(PCRE2_LIBS)

# test programs have no extension: the generic driver runs them (TAP)
LOG_DRIVER = env AM_TAP_AWK='$(AWK)' $(SHELL) $(top_srcdir)/build-aux/tap-driver.sh

TESTS += \
	tests/unit/test-source$(EXEEXT) \
	tests/unit/test-lexer$(EXEEXT)
