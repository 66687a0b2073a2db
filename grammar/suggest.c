/* SPDX-License-Identifier: GPL-2.0-or-later */
/* suggest.c - the keyword or status word a misspelt word most likely meant (for syntax-error hints). */
#include "config.h"

#include <ctype.h>
#include <string.h>
#include <strings.h>

#include "grammar/parse-int.h"
#include "grammar/suggest.h"

/* Longest word compared (keywords are shorter; a longer word is no typo of one). */
#define GRAM_SUGGEST_MAXLEN 32

/*
 * Case-insensitive optimal string alignment distance (insertions,
 * deletions, substitutions and swaps of neighbours cost 1, a 0 in A for an
 * O in B nothing) of A and B, both at most GRAM_SUGGEST_MAXLEN bytes.
 */
static unsigned gram_distance(const char *a, size_t la, const char *b, size_t lb)
{
	unsigned d[GRAM_SUGGEST_MAXLEN + 1][GRAM_SUGGEST_MAXLEN + 1];

	for (size_t i = 0; i <= la; i++)
		d[i][0] = (unsigned)i;
	for (size_t j = 0; j <= lb; j++)
		d[0][j] = (unsigned)j;
	for (size_t i = 1; i <= la; i++) {
		for (size_t j = 1; j <= lb; j++) {
			int ca = toupper((unsigned char)a[i - 1]), cb = toupper((unsigned char)b[j - 1]);
			/* a digit zero typed for the letter O (0B for OB) is the likeliest slip of all */
			unsigned v = d[i - 1][j - 1] + (ca != cb && !(ca == '0' && cb == 'O'));

			if (d[i - 1][j] + 1 < v)
				v = d[i - 1][j] + 1;
			if (d[i][j - 1] + 1 < v)
				v = d[i][j - 1] + 1;
			if (i > 1 && j > 1 && ca == toupper((unsigned char)b[j - 2]) &&
			    toupper((unsigned char)a[i - 2]) == cb && d[i - 2][j - 2] + 1 < v)
				v = d[i - 2][j - 2] + 1;
			d[i][j] = v;
		}
	}
	return d[la][lb];
}

const char *gram_suggest(const char *w, size_t len, enum gram_suggest_kind kind,
			 int (*accept)(int token, void *ud), void *ud, int *case_only, unsigned *dist)
{
	unsigned max = len <= 4 ? 1 : 2, best = max + 1;
	const char *found = NULL, *text;
	int lower = 0, token, status;

	/* a keyword read as a name (a soft keyword: FOR, OR) is no misspelt one */
	if (kind == GRAM_SUGGEST_KEYWORD && lex_keyword(w, len, &status) && status < 0)
		return NULL;

	if (len == 0 || len > GRAM_SUGGEST_MAXLEN)
		return NULL;
	for (size_t i = 0; i < len; i++)
		if (islower((unsigned char)w[i]))
			lower = 1;
	for (size_t i = 0; (text = lex_keyword_entry(i, &token, &status)) != NULL; i++) {
		size_t tl = strlen(text);
		unsigned d;

		if ((kind == GRAM_SUGGEST_STATUS) != (status >= 0))
			continue;
		if (kind == GRAM_SUGGEST_KEYWORD && accept && !accept(token, ud))
			continue;
		if ((tl > len ? tl - len : len - tl) > max)
			continue;
		d = gram_distance(w, len, text, tl);
		if (d == 0 && tl == len && memcmp(w, text, len) == 0)
			continue;	/* the word itself: nothing to suggest */
		if (d > 0 && lower && kind == GRAM_SUGGEST_KEYWORD)
			continue;
		if (d < best) {
			best = d;
			found = text;
		}
	}
	if (found) {
		*case_only = strlen(found) == len && strncasecmp(w, found, len) == 0;
		*dist = best;
	}
	return found;
}
