## SPDX-License-Identifier: GPL-2.0-or-later
## runtime/common/local.mk - what the rooms of runtime/ share: loading a plan file, the event trace, files opened safely, exit codes.
noinst_LIBRARIES += runtime/common/libcommon.a
runtime_common_libcommon_a_SOURCES = \
	runtime/common/exit-codes.h \
	runtime/common/file-access.c runtime/common/file-access.h \
	runtime/common/monotonic.h \
	runtime/common/plan-file.c runtime/common/plan-file.h \
	runtime/common/safe-file.c runtime/common/safe-file.h \
	runtime/common/sim-trace.c runtime/common/sim-trace.h \
	runtime/common/stdlib.c runtime/common/stdlib.h
nodist_runtime_common_libcommon_a_SOURCES = runtime/common/stdlib-rules.c
runtime_common_libcommon_a_CPPFLAGS = $(AM_CPPFLAGS) $(JANSSON_CFLAGS) -DUPSPLAN_RULESDIR='"$(pkgdatadir)/rules"'
# what a program of runtime/ links last, below its rooms
COMMON_LIBS = runtime/common/libcommon.a engine/libengine.a grammar/libgrammar.a $(BASE_LIBS) -lm
