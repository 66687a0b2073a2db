## SPDX-License-Identifier: GPL-2.0-or-later
## grammar/local.mk - the front end: scanner, parser, AST, status words.
noinst_LIBRARIES += grammar/libgrammar.a
grammar_libgrammar_a_SOURCES = \
	grammar/lexer.l \
	grammar/parser.y \
	grammar/include.c \
	grammar/ast.c \
	grammar/ast.h \
	grammar/parse.h \
	grammar/parse-int.h \
	grammar/print.c \
	grammar/print.h \
	grammar/status.c \
	grammar/status.def \
	grammar/status.h \
	grammar/suggest.c \
	grammar/suggest.h
BUILT_SOURCES += grammar/parser.h
