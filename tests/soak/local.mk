## SPDX-License-Identifier: GPL-2.0-or-later
## tests/soak/local.mk - `make soak`: upsplan run for SOAK_MINUTES against a real upsd with flapping units, upsd restarts, reloads and SIGHUP storms (tests/soak/soak.sh; not part of make check).
SOAK_MINUTES ?= 30

EXTRA_DIST += tests/soak/soak.sh

# the peers' helpers are check programs; the results go to soak-out/
soak: upsplan$(EXEEXT) tests/daemon/freeport$(EXEEXT) tests/daemon/silent-server$(EXEEXT) tests/daemon/nut-probe$(EXEEXT)
	UPSPLAN='$(abs_top_builddir)/upsplan$(EXEEXT)' PEERS_BINDIR='$(abs_top_builddir)/tests/daemon' \
		$(SHELL) $(srcdir)/tests/soak/soak.sh $(SOAK_MINUTES)

.PHONY: soak
