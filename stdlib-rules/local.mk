## SPDX-License-Identifier: GPL-2.0-or-later
## stdlib-rules/local.mk - the rule files upsplan generate assembles plans from; compiled into upsplan and shipped in the tarball, not installed (nothing reads them at run time).
STDLIB_RULES = \
	stdlib-rules/messages.rules \
	stdlib-rules/group.rules \
	stdlib-rules/standard.rules \
	stdlib-rules/timed.rules \
	stdlib-rules/shutdown.rules \
	stdlib-rules/email.rules \
	stdlib-rules/heartbeat.rules \
	stdlib-rules/heartbeat-email.rules

EXTRA_DIST += $(STDLIB_RULES) stdlib-rules/embed.sh

runtime/cli/stdlib-rules.c: $(STDLIB_RULES) stdlib-rules/embed.sh
	$(AM_V_GEN)$(MKDIR_P) runtime/cli && \
	$(SHELL) $(srcdir)/stdlib-rules/embed.sh $(srcdir) $(STDLIB_RULES) >$@-t && mv $@-t $@
BUILT_SOURCES += runtime/cli/stdlib-rules.c
CLEANFILES += runtime/cli/stdlib-rules.c
