## tests/fuzz/local.mk - `make fuzz`: libFuzzer run of the front end and semantic pass (clang, not part of make check).
FUZZ_SECONDS ?= 300

EXTRA_DIST += \
	tests/fuzz/fuzz-plan.c \
	tests/fuzz/build-fuzz.sh \
	tests/fuzz/run-fuzz.sh

# fuzz-build/ fuzz-corpus/ fuzz-artifacts/ are kept: the corpus grows between runs
fuzz:
	$(SHELL) $(srcdir)/tests/fuzz/run-fuzz.sh $(FUZZ_SECONDS)

.PHONY: fuzz
