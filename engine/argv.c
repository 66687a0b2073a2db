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
