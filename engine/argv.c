/* SPDX-License-Identifier: GPL-2.0-or-later */
/* argv.c - shell-like word splitting of SHUTDOWNCMD texts (quotes honoured, nothing expanded). */
#include "config.h"

#include "engine/argv.h"

static int argv_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

int argv_split(const char *s, size_t len, char *out, size_t *errpos)
{
	size_t i = 0, o = 0;
	int words = 0;

	for (;;) {
		while (i < len && argv_blank(s[i]))
			i++;
		if (i == len)
			return words;
		while (i < len && !argv_blank(s[i])) {
			char c = s[i];
			size_t open = i;

			if (c == '\'') {
				for (i++; i < len && s[i] != '\''; i++)
					out[o++] = s[i];
				if (i == len)
					goto unterminated;
				i++;
			} else if (c == '"') {
				for (i++; i < len && s[i] != '"'; i++) {
					if (s[i] == '\\' && i + 1 < len &&
					    (s[i + 1] == '"' || s[i + 1] == '\\' || s[i + 1] == '$' || s[i + 1] == '`'))
						i++;
					out[o++] = s[i];
				}
				if (i == len)
					goto unterminated;
				i++;
			} else if (c == '\\') {
				if (i + 1 == len)
					goto unterminated;
				out[o++] = s[i + 1];
				i += 2;
			} else {
				out[o++] = c;
				i++;
			}
			continue;
unterminated:
			if (errpos)
				*errpos = open;
			return -1;
		}
		out[o++] = '\0';
		words++;
	}
}

int argv_plain_word(const char *s, size_t len)
{
	if (len == 0)
		return 0;
	for (size_t i = 0; i < len; i++)
		if (!(s[i] >= 'a' && s[i] <= 'z') && !(s[i] >= 'A' && s[i] <= 'Z') && !(s[i] >= '0' && s[i] <= '9') &&
		    s[i] != '.' && s[i] != '_' && s[i] != '-')
			return 0;	/* ASCII only, whatever the locale */
	return 1;
}
