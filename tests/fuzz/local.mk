## SPDX-License-Identifier: GPL-2.0-or-later
## tests/fuzz/local.mk - `make fuzz`, `make fuzz-image`, `make fuzz-nut`, `make fuzz-scenario`, `make fuzz-frames`, `make fuzz-nutconf`: libFuzzer runs of the front end, the image loader, verifier and VM, the NUT reply parser and request writer, the scenario parser and simulator, the privsep frame reader, the reader of NUT's configuration files (clang, not part of make check).
FUZZ_SECONDS ?= 300

EXTRA_DIST += \
	tests/fuzz/fuzz-plan.c \
	tests/fuzz/fuzz-image.c \
	tests/fuzz/fuzz-nut.c \
	tests/fuzz/fuzz-scenario.c \
	tests/fuzz/nut.seeds \
	tests/fuzz/fuzz-frames.c \
	tests/fuzz/frames.seeds \
	tests/fuzz/fuzz-nutconf.c \
	tests/fuzz/nutconf.seeds \
	tests/fuzz/build-fuzz.sh \
	tests/fuzz/run-fuzz.sh

# fuzz-build/ fuzz-corpus*/ fuzz-artifacts*/ are kept: the corpus grows between runs
fuzz:
	$(SHELL) $(srcdir)/tests/fuzz/run-fuzz.sh $(FUZZ_SECONDS)

# the seed images are compiled by this tree's upsplan
fuzz-image: upsplan$(EXEEXT)
	UPSPLAN='$(abs_top_builddir)/upsplan$(EXEEXT)' $(SHELL) $(srcdir)/tests/fuzz/run-fuzz.sh $(FUZZ_SECONDS) image

fuzz-nut:
	$(SHELL) $(srcdir)/tests/fuzz/run-fuzz.sh $(FUZZ_SECONDS) nut

fuzz-scenario:
	$(SHELL) $(srcdir)/tests/fuzz/run-fuzz.sh $(FUZZ_SECONDS) scenario

fuzz-frames:
	$(SHELL) $(srcdir)/tests/fuzz/run-fuzz.sh $(FUZZ_SECONDS) frames

fuzz-nutconf:
	$(SHELL) $(srcdir)/tests/fuzz/run-fuzz.sh $(FUZZ_SECONDS) nutconf

.PHONY: fuzz fuzz-image fuzz-nut fuzz-scenario fuzz-frames fuzz-nutconf
