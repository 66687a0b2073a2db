## SPDX-License-Identifier: GPL-2.0-or-later
## tests/privsep/local.mk - the root parent against a compromised monitoring child: an LD_PRELOAD shim and its TAP test (in a private PID namespace).
##
## tests/privsep/evil-child.so  LD_PRELOAD shim: the monitoring child writes
##                              what UPSPLAN_EVIL names to its root parent
## tests/privsep/run-privsep.sh every malformed frame, a child that dies,
##                              stalls or stops reading, restarts, reloads

check_DATA += tests/privsep/evil-child.so
CLEANFILES += tests/privsep/evil-child.so

# a shared object for LD_PRELOAD: built by hand (the project has no libtool),
# without the sanitizers (the preloaded object comes before their runtimes)
tests/privsep/evil-child.so: tests/privsep/evil-child.c
	@$(MKDIR_P) tests/privsep
	$(AM_V_CC)$(CC) $(WARN_CFLAGS) -O1 -g -shared -fPIC -o $@ $(srcdir)/tests/privsep/evil-child.c -ldl

AM_TESTS_ENVIRONMENT += \
	EVIL_SHIM='$(abs_top_builddir)/tests/privsep/evil-child.so'; export EVIL_SHIM;

TESTS += tests/privsep/run-privsep.sh

EXTRA_DIST += \
	tests/privsep/evil-child.c \
	tests/privsep/run-privsep.sh
