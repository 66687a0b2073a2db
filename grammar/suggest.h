/* SPDX-License-Identifier: GPL-2.0-or-later */
/* suggest.h - the keyword or status word a misspelt word most likely meant (for syntax-error hints). */
#ifndef UPSPLAN_SUGGEST_H
#define UPSPLAN_SUGGEST_H

#include <stddef.h>

/* Which entries of the lexer's keyword table may be suggested. */
enum gram_suggest_kind {
	GRAM_SUGGEST_KEYWORD,	/* keywords (ACCEPT decides which) */
	GRAM_SUGGEST_STATUS	/* status words */
};

/*
 * The entry of the lexer's keyword table closest to the LEN bytes at W
 * (case-insensitive edit distance, at most 1 for words up to 4 bytes, else
 * 2), or NULL.  A keyword is only suggested when ACCEPT(token, UD) says
 * it fits where the word stands, and, unless it differs only in case,
 * when W has no lower-case letter (a lower-case word is more likely text
 * than a misspelt keyword).  *CASE_ONLY is set when W differs from the
 * suggestion only in case; *DIST to its distance.
 */
const char *gram_suggest(const char *w, size_t len, enum gram_suggest_kind kind,
			 int (*accept)(int token, void *ud), void *ud, int *case_only, unsigned *dist);

#endif
