## engine/local.mk - diagnostics, semantic pass, event pairs.
noinst_LIBRARIES += engine/libengine.a
engine_libengine_a_SOURCES = \
	engine/diag.c \
	engine/diag.h \
	engine/diag-codes.def \
	engine/events.c \
	engine/events.h \
	engine/sema.c \
	engine/sema.h \
	engine/sema-int.h \
	engine/sema-flow.c \
	engine/sema-text.c \
	engine/symtab.c \
	engine/symtab.h
