## SPDX-License-Identifier: GPL-2.0-or-later
## tests/unit/local.mk - C unit tests (TAP): the growable buffer, the JSON writer, source registry, scanner, symbol table, code generator + image + verifier, VM, the compiler's bounds, the state file, the rooms of runtime/ without the CLI, the loopback checks of TLS NONE, durations, conditions, %(var:NAME)s in texts, the reader of NUT's configuration files.
check_PROGRAMS += tests/unit/test-buf tests/unit/test-json tests/unit/test-source tests/unit/test-lexer tests/unit/test-image tests/unit/test-vm tests/unit/test-cond tests/unit/test-textvar tests/unit/test-events \
	tests/unit/test-nut-proto tests/unit/test-statefile tests/unit/test-symtab tests/unit/test-bounds \
	tests/unit/test-rooms tests/unit/test-loopback tests/unit/test-duration tests/unit/list-keywords \
	tests/unit/test-nutconf tests/unit/test-metrics
tests_unit_test_buf_SOURCES = tests/unit/test-buf.c tests/unit/tap.h
tests_unit_test_buf_LDADD = $(BASE_LIBS)
tests_unit_test_loopback_SOURCES = tests/unit/test-loopback.c tests/unit/tap.h
tests_unit_test_loopback_LDADD = $(BASE_LIBS)
tests_unit_test_duration_SOURCES = tests/unit/test-duration.c tests/unit/tap.h
tests_unit_test_duration_LDADD = $(BASE_LIBS)
# the reader of NUT's upsmon.conf and upssched.conf (runtime/migrate/)
tests_unit_test_nutconf_SOURCES = tests/unit/test-nutconf.c tests/unit/tap.h
tests_unit_test_nutconf_LDADD = runtime/migrate/libmigrate.a $(BASE_LIBS)
tests_unit_test_json_SOURCES = tests/unit/test-json.c tests/unit/tap.h
tests_unit_test_json_CPPFLAGS = $(AM_CPPFLAGS) $(JANSSON_CFLAGS)
tests_unit_test_json_LDADD = $(BASE_LIBS)
tests_unit_test_source_SOURCES = tests/unit/test-source.c tests/unit/tap.h
tests_unit_test_source_LDADD = engine/libengine.a grammar/libgrammar.a $(BASE_LIBS)
tests_unit_test_symtab_SOURCES = tests/unit/test-symtab.c tests/unit/tap.h
tests_unit_test_symtab_LDADD = engine/libengine.a grammar/libgrammar.a $(BASE_LIBS)
# not a test: the keyword table for tests/soft-keywords.sh
tests_unit_list_keywords_SOURCES = tests/unit/list-keywords.c
tests_unit_list_keywords_LDADD = engine/libengine.a grammar/libgrammar.a $(BASE_LIBS)
tests_unit_test_lexer_SOURCES = tests/unit/test-lexer.c tests/unit/tap.h
tests_unit_test_lexer_LDADD = engine/libengine.a grammar/libgrammar.a $(BASE_LIBS)
tests_unit_test_image_SOURCES = tests/unit/test-image.c tests/unit/tap.h tests/unit/plan-helper.h
tests_unit_test_image_LDADD = engine/libengine.a grammar/libgrammar.a $(BASE_LIBS) -lm
tests_unit_test_vm_SOURCES = tests/unit/test-vm.c tests/unit/tap.h tests/unit/plan-helper.h
tests_unit_test_vm_LDADD = engine/libengine.a grammar/libgrammar.a $(BASE_LIBS) -lm
tests_unit_test_cond_SOURCES = tests/unit/test-cond.c tests/unit/tap.h tests/unit/plan-helper.h
tests_unit_test_cond_LDADD = engine/libengine.a grammar/libgrammar.a $(BASE_LIBS) -lm
tests_unit_test_textvar_SOURCES = tests/unit/test-textvar.c tests/unit/tap.h tests/unit/plan-helper.h
tests_unit_test_textvar_LDADD = engine/libengine.a grammar/libgrammar.a $(BASE_LIBS) -lm
tests_unit_test_events_SOURCES = tests/unit/test-events.c tests/unit/tap.h tests/unit/plan-helper.h
tests_unit_test_events_LDADD = engine/libengine.a grammar/libgrammar.a $(BASE_LIBS) -lm
tests_unit_test_nut_proto_SOURCES = tests/unit/test-nut-proto.c tests/unit/tap.h
tests_unit_test_nut_proto_LDADD = runtime/daemon/libdaemon.a
tests_unit_test_statefile_SOURCES = tests/unit/test-statefile.c tests/unit/tap.h tests/unit/plan-helper.h
tests_unit_test_statefile_LDADD = runtime/daemon/libdaemon.a engine/libengine.a grammar/libgrammar.a $(BASE_LIBS) \
	-lm
# the engine again, with bounds small enough for a few-line plan to reach each (engine/image.h)
tests_unit_test_bounds_SOURCES = tests/unit/test-bounds.c tests/unit/tap.h $(engine_libengine_a_SOURCES)
tests_unit_test_bounds_CPPFLAGS = $(AM_CPPFLAGS) -DIMG_MAX_TEXT=256u -DIMG_MAX_TEXT_WORK=4096u \
	-DIMG_MAX_SIZE=65536u -DSEMA_SUGGEST_WORK=20000u
tests_unit_test_bounds_LDADD = grammar/libgrammar.a $(BASE_LIBS) -lm

# test programs have no extension: the generic driver runs them (TAP)
LOG_DRIVER = env AM_TAP_AWK='$(AWK)' $(SHELL) $(top_srcdir)/build-aux/tap-driver.sh

TESTS += \
	tests/unit/test-buf$(EXEEXT) \
	tests/unit/test-json$(EXEEXT) \
	tests/unit/test-source$(EXEEXT) \
	tests/unit/test-lexer$(EXEEXT) \
	tests/unit/test-image$(EXEEXT) \
	tests/unit/test-vm$(EXEEXT) \
	tests/unit/test-cond$(EXEEXT) \
	tests/unit/test-textvar$(EXEEXT) \
	tests/unit/test-events$(EXEEXT) \
	tests/unit/test-nut-proto$(EXEEXT) \
	tests/unit/test-statefile$(EXEEXT) \
	tests/unit/test-symtab$(EXEEXT) \
	tests/unit/test-bounds$(EXEEXT) \
	tests/unit/test-rooms$(EXEEXT) \
	tests/unit/test-loopback$(EXEEXT) \
	tests/unit/test-duration$(EXEEXT) \
	tests/unit/test-nutconf$(EXEEXT) \
	tests/unit/test-metrics$(EXEEXT)
# the rooms of runtime/ without the command-line program (runtime/cli/)
tests_unit_test_rooms_SOURCES = tests/unit/test-rooms.c tests/unit/tap.h tests/unit/plan-helper.h
tests_unit_test_rooms_CPPFLAGS = $(AM_CPPFLAGS) $(OPENSSL_CFLAGS) $(LIBEVENT_CFLAGS) $(JANSSON_CFLAGS)
tests_unit_test_rooms_LDADD = $(SIM_LIBS) $(DAEMON_LIBS)
# the Prometheus exposition writer and the HTTP listener's addresses (runtime/obs/)
tests_unit_test_metrics_SOURCES = tests/unit/test-metrics.c tests/unit/tap.h
tests_unit_test_metrics_CPPFLAGS = $(AM_CPPFLAGS) $(LIBEVENT_CFLAGS)
tests_unit_test_metrics_LDADD = runtime/obs/libobs.a $(BASE_LIBS) $(LIBEVENT_LIBS) $(OPENSSL_LIBS) -lm
