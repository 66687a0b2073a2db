## SPDX-License-Identifier: GPL-2.0-or-later
## runtime/local.mk - the upsplan command-line program.
upsplan_SOURCES = \
	runtime/cli.h \
	runtime/cli.c \
	runtime/cmd-check.c \
	runtime/cmd-compile.c \
	runtime/cmd-generate.c \
	runtime/cmd-run.c \
	runtime/cmd-simulate.c \
	runtime/main.c \
	runtime/plan-file.c \
	runtime/plan-file.h \
	runtime/scenario.c \
	runtime/scenario.h \
	runtime/sim-trace.c \
	runtime/sim-trace.h \
	runtime/stdlib.h
nodist_upsplan_SOURCES = runtime/stdlib-rules.c
upsplan_CPPFLAGS = $(AM_CPPFLAGS) $(OPENSSL_CFLAGS) $(PCRE2_CFLAGS) $(LIBEVENT_CFLAGS) \
	-DUPSPLAN_MAIL_HELPER='"$(pkglibexecdir)/upsplan-mail"'
upsplan_LDADD = $(DAEMON_LIBS) engine/libengine.a grammar/libgrammar.a base/libbase.a $(OPENSSL_LIBS) $(PCRE2_LIBS) -lm
