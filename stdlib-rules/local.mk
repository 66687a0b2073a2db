## SPDX-License-Identifier: GPL-2.0-or-later
## stdlib-rules/local.mk - the rule files upsplan generate assembles plans from; installed in $(pkgdatadir)/stdlib-rules and compiled into upsplan.
STDLIB_RULES = \
	stdlib-rules/messages.rules \
	stdlib-rules/group.rules \
	stdlib-rules/standard.rules \
	stdlib-rules/timed.rules \
	stdlib-rules/shutdown.rules \
	stdlib-rules/email.rules \
	stdlib-rules/heartbeat.rules \
	stdlib-rules/heartbeat-email.rules

stdlibrulesdir = $(pkgdatadir)/stdlib-rules
dist_stdlibrules_DATA = $(STDLIB_RULES)
EXTRA_DIST += stdlib-rules/embed.sh

runtime/cli/stdlib-rules.c: $(STDLIB_RULES) stdlib-rules/embed.sh
	$(AM_V_GEN)$(MKDIR_P) runtime/cli && \
	$(SHELL) $(srcdir)/stdlib-rules/embed.sh $(srcdir) $(STDLIB_RULES) >$@-t && mv $@-t $@
BUILT_SOURCES += runtime/cli/stdlib-rules.c
CLEANFILES += runtime/cli/stdlib-rules.c
