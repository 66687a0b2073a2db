/* SPDX-License-Identifier: GPL-2.0-or-later */
/* parse.h - front-end entry points: tokenise and parse a loaded source file. */
#ifndef UPSPLAN_PARSE_H
#define UPSPLAN_PARSE_H

#include "grammar/ast.h"
#include "base/source.h"

struct diag_queue;

/*
 * Parse FILE (already in REG) into PLAN, appending declarations.  Lexical
 * and syntax errors go to DQ; parsing recovers and goes on, so one run
 * reports every independent error (up to DQ's cap).  Returns the number of
 * syntax/lexical errors found.
 */
int parse_file(struct src_registry *reg, const struct src_file *file,
	       struct ast_plan *plan, struct diag_queue *dq);

/* Token callback of lex_tokens(): NAME is the token's grammar name ("NAME", "WHEN", ...). */
typedef void (*lex_token_fn)(void *ud, const char *name, src_span span);

/*
 * Tokenise FILE only (no parsing), calling FN for every token in order;
 * lexical errors go to DQ.  Returns the number of tokens.  Used by tests.
 */
unsigned lex_tokens(struct src_registry *reg, const struct src_file *file,
		    struct diag_queue *dq, lex_token_fn fn, void *ud);

/* Does TEXT hold an @KEY@ placeholder (capitals and '_') of upsplan generate?  Sets *KEY and *KLEN to the first. */
int parse_placeholder(const char *text, const char **key, size_t *klen);

#endif
