/* SPDX-License-Identifier: GPL-2.0-or-later */
/* nut-proto.c - NUT protocol lines: quoting requests as upsd's parser reads them, splitting and classifying replies. */
#include "config.h"

#include <string.h>
#include <strings.h>

#include "runtime/daemon/nut-proto.h"

int nut_printable(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || (unsigned char)*s > 0x7e)
			return 0;
	return 1;
}

static int nut_plain(const char *w)
{
	if (!*w)
		return 0;
	for (; *w; w++) {
		char c = *w;
		if (!(c >= 'a' && c <= 'z') && !(c >= 'A' && c <= 'Z') && !(c >= '0' && c <= '9') &&
		    !strchr("._-@:/+", c))
			return 0;
	}
	return 1;
}

int nut_request(char *out, size_t cap, int n, const char *const *w)
{
	size_t len = 0;

	for (int i = 0; i < n; i++) {
		int quote = !nut_plain(w[i]);

		if (!nut_printable(w[i]))
			return -1;
		if (i > 0) {
			if (len + 1 >= cap)
				return -1;
			out[len++] = ' ';
		}
		if (quote) {
			if (len + 1 >= cap)
				return -1;
			out[len++] = '"';
		}
		for (const char *p = w[i]; *p; p++) {
			if (quote && (*p == '"' || *p == '\\' || *p == '#')) {
				if (len + 1 >= cap)
					return -1;
				out[len++] = '\\';
			}
			if (len + 1 >= cap)
				return -1;
			out[len++] = *p;
		}
		if (quote) {
			if (len + 1 >= cap)
				return -1;
			out[len++] = '"';
		}
	}
	if (len + 2 > cap || len + 1 > NUT_LINE_MAX)
		return -1;
	out[len++] = '\n';
	out[len] = '\0';
	return (int)len;
}

/* Split as upsd's parseconf does: blanks separate, "..." groups, \x is x; '#' outside quotes ends the line. */
static int nut_split(const char *line, size_t len, struct nut_reply *r)
{
	char *o = r->buf;
	size_t i = 0;

	r->nwords = 0;
	for (;;) {
		int quoted = 0;

		while (i < len && (line[i] == ' ' || line[i] == '\t'))
			i++;
		if (i == len || line[i] == '#')
			return 0;
		if (r->nwords == NUT_WORDS_MAX)
			return -1;
		r->words[r->nwords++] = o;
		for (; i < len; i++) {
			char c = line[i];
			if (c == '\\') {
				if (++i == len)
					return -1;
				*o++ = line[i];
			} else if (c == '"') {
				quoted = !quoted;
			} else if (!quoted && (c == ' ' || c == '\t')) {
				break;
			} else if (!quoted && c == '#') {
				break;
			} else {
				*o++ = c;
			}
		}
		if (quoted)
			return -1;
		*o++ = '\0';
	}
}

int nut_parse(const char *line, size_t len, struct nut_reply *r)
{
	const char *w0;

	if (len > 0 && line[len - 1] == '\r')
		len--;
	if (len > NUT_LINE_MAX)
		return -1;
	for (size_t i = 0; i < len; i++)
		if ((unsigned char)line[i] < 0x20 && line[i] != '\t')
			return -1;
	if (nut_split(line, len, r) != 0)
		return -1;
	w0 = r->nwords ? r->words[0] : "";
	if (strcmp(w0, "OK") == 0) {
		r->kind = NUT_OK;
	} else if (strcmp(w0, "ERR") == 0) {
		r->kind = NUT_ERR;
		if (r->nwords < 2)
			return -1;
	} else if (strcmp(w0, "VAR") == 0) {
		r->kind = NUT_VAR;
		if (r->nwords != 4)
			return -1;
	} else if (strcmp(w0, "NUMLOGINS") == 0) {
		r->kind = NUT_NUMLOGINS;
		if (r->nwords != 3)
			return -1;
	} else {
		r->kind = NUT_OTHER;
	}
	return 0;
}

const char *nut_err_word(const struct nut_reply *r)
{
	return r->kind == NUT_ERR ? r->words[1] : "";
}
