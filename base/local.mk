## SPDX-License-Identifier: GPL-2.0-or-later
## base/local.mk - the bottom layer every other uses: source registry, diagnostics, allocation, the growable buffer, JSON output, loopback checks, durations, escaping, NUT names.
noinst_LIBRARIES += base/libbase.a
base_libbase_a_SOURCES = \
	base/buf.c \
	base/buf.h \
	base/diag.c \
	base/diag.h \
	base/duration.c \
	base/duration.h \
	base/esc.c \
	base/esc.h \
	base/json.c \
	base/json.h \
	base/loopback.c \
	base/loopback.h \
	base/nutname.c \
	base/nutname.h \
	base/diag-codes.def \
	base/opcodes.def \
	base/source.c \
	base/source.h \
	base/xalloc.c \
	base/xalloc.h
base_libbase_a_CPPFLAGS = $(AM_CPPFLAGS) $(JANSSON_CFLAGS)
# what a program linking libbase.a links with it (base/json.c writes JSON with jansson)
BASE_LIBS = base/libbase.a $(JANSSON_LIBS) $(PCRE2_LIBS)
