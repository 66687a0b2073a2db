## tests/fuzz/local.mk - `make fuzz` and `make fuzz-image`: libFuzzer runs of the front end and of the image loader, verifier and VM (clang, not part of make check).
FUZZ_SECONDS ?= 300

EXTRA_DIST += \
	tests/fuzz/fuzz-plan.c \
	tests/fuzz/fuzz-image.c \
	tests/fuzz/build-fuzz.sh \
	tests/fuzz/run-fuzz.sh

# fuzz-build/ fuzz-corpus*/ fuzz-artifacts*/ are kept: the corpus grows between runs
fuzz:
	$(SHELL) $(srcdir)/tests/fuzz/run-fuzz.sh $(FUZZ_SECONDS)

# the seed images are compiled by this tree's upsplan
fuzz-image: upsplan$(EXEEXT)
	UPSPLAN='$(abs_top_builddir)/upsplan$(EXEEXT)' $(SHELL) $(srcdir)/tests/fuzz/run-fuzz.sh $(FUZZ_SECONDS) image

.PHONY: fuzz fuzz-image
