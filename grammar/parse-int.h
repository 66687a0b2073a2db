/* SPDX-License-Identifier: GPL-2.0-or-later */
/* parse-int.h - state shared by the flex scanner and the bison parser (private to grammar/). */
#ifndef UPSPLAN_PARSE_INT_H
#define UPSPLAN_PARSE_INT_H

#include "grammar/ast.h"
#include "grammar/parse.h"
#include "base/diag.h"

/* Names of a text run kept for the "did you mean" hint of a syntax error after it. */
#define PARSE_RUN_MAX 8

struct parse_ctx {
	struct src_registry *reg;
	const struct src_file *file;
	struct diag_queue *dq;
	struct ast_plan *plan;
	const char *text;	/* file->text: yytext points into it */
	uint32_t base;		/* file->base */
	int nerrors;		/* lexical + syntax errors */
	int cond_pending;	/* an IF a->b waits for its action */
	struct ast_cond cond;
	src_span target_name;	/* the name after WHEN GROUP, for its clause */
	src_span severity;	/* ALERT's SEVERITY word until its action is made (length 0: none) */
	/* the names of the last run of text tokens (names and quoted texts), for syntax-error hints */
	src_span run[PARSE_RUN_MAX];
	unsigned nrun;		/* names in run[] (the last PARSE_RUN_MAX of the run) */
	int run_closed;		/* a token other than a text came after the run */
};

/* Global span of the LEN bytes at P inside the scanned text. */
static inline src_span parse_span(const struct parse_ctx *pc, const char *p, size_t len)
{
	return (src_span){ pc->base + (uint32_t)(p - pc->text), (uint32_t)len };
}

/* Keyword token for the LEN bytes at S, or 0 when S is no keyword. */
int lex_keyword(const char *s, size_t len, int *status);
/* Is the LEN bytes at S a keyword only upsplan has (a soft keyword, KW_UPSPLAN in lexer.l)? */
int lex_keyword_soft(const char *s, size_t len);
/* Is it one that can start a declaration or an action (KW_UPSPLAN: W620 when it continues a text)? */
int lex_keyword_starts(const char *s, size_t len);
/* Number of entries in the lexer's keyword and status-word table. */
size_t lex_keyword_count(void);
/* Entry I of that table: its text, *TOKEN and *STATUS (-1 unless a status word); NULL past the end. */
const char *lex_keyword_entry(size_t i, int *token, int *status);

/*
 * The byte that follows the current token in the text: the scanner works
 * in place and holds it while it put a NUL there (read it here, not from
 * the text).
 */
int lex_hold_byte(void *scanner);

/*
 * INCLUDE (keyword at KW) of ARG, a quoted path or a <rule file>: read the
 * file and parse it into pc->plan at this point, as if its text stood
 * here; every problem is a diagnostic at ARG (grammar/include.c).
 */
void parse_include(struct parse_ctx *pc, src_span kw, src_span arg);

/* Grammar name of token TOK ("NAME", "WHEN", ...). */
const char *parse_token_name(int tok);

#endif
