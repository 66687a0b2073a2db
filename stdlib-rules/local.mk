## SPDX-License-Identifier: GPL-2.0-or-later
## stdlib-rules/local.mk - the standard rule files: installed under $(pkgdatadir)/rules for INCLUDE <name>, and compiled into upsplan (generate's templates, INCLUDE's fallback).
STDLIB_RULES = \
	stdlib-rules/messages.rules \
	stdlib-rules/group.rules \
	stdlib-rules/standard.rules \
	stdlib-rules/timed.rules \
	stdlib-rules/shutdown.rules \
	stdlib-rules/email.rules \
	stdlib-rules/heartbeat.rules \
	stdlib-rules/heartbeat-email.rules \
	stdlib-rules/nut-upsmon.rules

# INCLUDE <name> reads $(rulesdir)/name first (runtime/common/stdlib.c)
rulesdir = $(pkgdatadir)/rules
dist_rules_DATA = $(STDLIB_RULES)
EXTRA_DIST += stdlib-rules/embed.sh

runtime/common/stdlib-rules.c: $(STDLIB_RULES) stdlib-rules/embed.sh
	$(AM_V_GEN)$(MKDIR_P) runtime/common && \
	$(SHELL) $(srcdir)/stdlib-rules/embed.sh $(srcdir) $(STDLIB_RULES) >$@-t && mv $@-t $@
BUILT_SOURCES += runtime/common/stdlib-rules.c
CLEANFILES += runtime/common/stdlib-rules.c
