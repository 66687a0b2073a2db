/* SPDX-License-Identifier: GPL-2.0-or-later */
/* list-keywords.c - print the lexer's keyword table, one "WORD upsmon|upsplan|upsplan-inner" line each (for tests/soft-keywords.sh). */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "grammar/parse-int.h"

int main(void)
{
	const char *text;
	int tok, st;

	for (size_t i = 0; (text = lex_keyword_entry(i, &tok, &st)) != NULL; i++)
		if (st < 0)	/* status words are no keywords */
			printf("%s %s\n", text, lex_keyword_starts(text, strlen(text)) ? "upsplan" :
			       lex_keyword_soft(text, strlen(text)) ? "upsplan-inner" : "upsmon");
	return ferror(stdout) || fflush(stdout) ? 1 : 0;
}
