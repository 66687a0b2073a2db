## SPDX-License-Identifier: GPL-2.0-or-later
## engine/local.mk - semantic pass, code generation, plan image, verifier, VM.
noinst_LIBRARIES += engine/libengine.a
engine_libengine_a_SOURCES = \
	engine/argv.c \
	engine/argv.h \
	engine/codegen.c \
	engine/codegen.h \
	engine/compile.c \
	engine/compile.h \
	engine/disasm.c \
	engine/disasm.h \
	engine/events.c \
	engine/engine.c \
	engine/engine.h \
	engine/events.h \
	engine/image.c \
	engine/image.h \
	engine/image-codec.c \
	engine/regex.c \
	engine/regex.h \
	engine/sema.c \
	engine/sema.h \
	engine/sema-int.h \
	engine/sema-alert.c \
	engine/sema-cond.c \
	engine/sema-flow.c \
	engine/nutvars.def \
	engine/sema-gen.c \
	engine/sema-level.c \
	engine/sema-multi.c \
	engine/sema-text.c \
	engine/state.c \
	engine/state.h \
	engine/symtab.c \
	engine/symtab.h \
	engine/timers.c \
	engine/timers.h \
	engine/verify.c \
	engine/vm.c \
	engine/vm.h
