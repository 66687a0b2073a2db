/* SPDX-License-Identifier: GPL-2.0-or-later */
/* fuzz-nut.c - libFuzzer target: the NUT reply parser (nut_parse, nut_err_word) and the request writer (nut_request), with their promises checked. */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "runtime/daemon/nut-proto.h"

/*
 * Input: the first byte chooses the mode.
 *
 * 'q': a request.  The second byte gives the output size (1 + 3 * byte:
 * 1 to 766 bytes, around NUT_LINE_MAX), the rest are the words, separated
 * by NUL bytes (at most 40).  nut_request() must write within that size,
 * end the line with a line feed and a NUL, and stay within NUT_LINE_MAX;
 * it must refuse words with bytes upsd drops; what it writes, read back by
 * nut_parse(), must give the same words (unless a reply keyword's word
 * count makes the line a malformed reply, or there are too many words).
 *
 * Anything else: reply lines.  The rest is cut at line feeds, each piece
 * given to nut_parse() alone (in a buffer of its exact size, so that
 * ASan sees a read beyond it), and then the whole rest as one line.  For an
 * accepted line: at most NUT_WORDS_MAX words, each inside the reply's
 * buffer, NUL-terminated, in order without overlap, no C0 control byte in
 * a word (tab aside: it only separates words unless quoted), the kind that
 * the first word says with its word count, nut_err_word() consistent; a
 * line longer than NUT_LINE_MAX or holding a NUL or a C0 control byte is
 * refused.  An accepted line whose words can be written as a request reads
 * back the same (the writer and the reader agree on quoting).
 */

#define FUZZ_MAX_WORDS 40

static void fail(const char *what, const char *line, size_t len)
{
	fprintf(stderr, "fuzz-nut: %s; line (%zu bytes): \"", what, len);
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)line[i];
		if (c >= 0x20 && c < 0x7f && c != '"' && c != '\\')
			fputc(c, stderr);
		else
			fprintf(stderr, "\\x%02x", c);
	}
	fprintf(stderr, "\"\n");
	abort();
}

/*
 * A control byte nut_parse() refuses: C0 (a tab only separates words, or
 * stays in a quoted one).  DEL and bytes from 0x80 pass: a server's bytes
 * are escaped before they are logged (log_esc).
 */
static int is_ctl(unsigned char c)
{
	return c < 0x20;
}

static void check_words(const struct nut_reply *r, const char *line, size_t len)
{
	const char *lo = r->buf, *hi = r->buf + sizeof(r->buf);
	const char *prev_end = lo;
	size_t total = 0;

	if (r->nwords < 0 || r->nwords > NUT_WORDS_MAX)
		fail("word count out of range", line, len);
	for (int i = 0; i < r->nwords; i++) {
		const char *w = r->words[i];
		size_t wl;

		if (w < prev_end || w >= hi)
			fail("a word outside the reply's buffer, or overlapping the one before", line, len);
		wl = strnlen(w, (size_t)(hi - w));
		if (w + wl >= hi)
			fail("a word without its NUL inside the buffer", line, len);
		for (size_t k = 0; k < wl; k++)
			if (is_ctl((unsigned char)w[k]) && w[k] != '\t')
				fail("a control byte in a word of an accepted line", line, len);
		total += wl;
		prev_end = w + wl + 1;
	}
	if (total > len)
		fail("the words hold more bytes than the line", line, len);
}

static void check_kind(const struct nut_reply *r, const char *line, size_t len)
{
	const char *w0 = r->nwords ? r->words[0] : "";
	const char *e = nut_err_word(r);
	enum nut_kind want = strcmp(w0, "OK") == 0 ? NUT_OK :
			     strcmp(w0, "ERR") == 0 ? NUT_ERR :
			     strcmp(w0, "VAR") == 0 ? NUT_VAR :
			     strcmp(w0, "NUMLOGINS") == 0 ? NUT_NUMLOGINS : NUT_OTHER;

	if (r->kind != want)
		fail("the kind does not match the first word", line, len);
	if ((want == NUT_ERR && r->nwords < 2) || (want == NUT_VAR && r->nwords != 4) ||
	    (want == NUT_NUMLOGINS && r->nwords != 3))
		fail("a reply accepted with the wrong number of words", line, len);
	if (want == NUT_ERR ? e != r->words[1] : strcmp(e, "") != 0)
		fail("nut_err_word() does not give the ERR reply's second word", line, len);
}

/* Written as a request (when it can be), the words of R read back the same. */
static void check_rewrite(const struct nut_reply *r, const char *line, size_t len)
{
	char out[NUT_LINE_MAX + 8];
	struct nut_reply again;
	int n;

	n = nut_request(out, sizeof(out), r->nwords, r->words);
	if (n < 0)
		return;		/* bytes upsd drops, or longer once quoted */
	if (nut_parse(out, (size_t)n - 1, &again) != 0)
		fail("the words of an accepted line, written as a request, do not parse", line, len);
	if (again.nwords != r->nwords || again.kind != r->kind)
		fail("the words of an accepted line, written as a request, read back differently", line, len);
	for (int i = 0; i < r->nwords; i++)
		if (strcmp(again.words[i], r->words[i]) != 0)
			fail("a word of an accepted line, written as a request, reads back differently", line, len);
}

static void fuzz_reply(const char *data, size_t size)
{
	struct nut_reply r;
	char *line = malloc(size ? size : 1);
	size_t body;
	int has_bad = 0;

	if (!line)
		abort();
	memcpy(line, data, size);
	body = size > 0 && line[size - 1] == '\r' ? size - 1 : size;
	for (size_t i = 0; i < body; i++)
		if (is_ctl((unsigned char)line[i]) && line[i] != '\t')
			has_bad = 1;
	memset(&r, 0x5a, sizeof(r));
	if (nut_parse(line, size, &r) == 0) {
		if (body > NUT_LINE_MAX)
			fail("a line longer than NUT_LINE_MAX accepted", line, size);
		if (has_bad)
			fail("a line with a NUL or a control byte accepted", line, size);
		check_words(&r, line, size);
		check_kind(&r, line, size);
		check_rewrite(&r, line, size);
	}
	free(line);
}

static void fuzz_request(const uint8_t *data, size_t size)
{
	const char *words[FUZZ_MAX_WORDS];
	char *copy, *out;
	size_t cap;
	int n = 0, len, printable = 1;
	struct nut_reply r;

	if (size < 1)
		return;
	cap = 1 + 3 * (size_t)data[0];
	data++;
	size--;
	/* words: NUL-separated, in a NUL-terminated copy */
	copy = malloc(size + 1);
	out = malloc(cap);
	if (!copy || !out)
		abort();
	memcpy(copy, data, size);
	copy[size] = '\0';
	for (size_t i = 0; n < FUZZ_MAX_WORDS; ) {
		words[n++] = copy + i;
		i += strlen(copy + i) + 1;
		if (i > size)
			break;
	}
	for (int i = 0; i < n; i++)
		for (const char *p = words[i]; *p; p++)
			if ((unsigned char)*p < 0x20 || (unsigned char)*p > 0x7e)
				printable = 0;
	len = nut_request(out, cap, n, words);
	if (len >= 0) {
		if (!printable)
			fail("a request with a byte upsd drops was written", copy, size);
		if ((size_t)len + 1 > cap || len < 1 || out[len - 1] != '\n' || out[len] != '\0')
			fail("a request beyond its buffer, or without its line feed and NUL", out, (size_t)len);
		if (len > NUT_LINE_MAX)
			fail("a request longer than upsd reads", out, (size_t)len);
		if (memchr(out, '\n', (size_t)len - 1))
			fail("a request with a line feed inside", out, (size_t)len);
		if (nut_parse(out, (size_t)len - 1, &r) == 0) {
			if (r.nwords != n)
				fail("a request reads back with another number of words", out, (size_t)len);
			for (int i = 0; i < n; i++)
				if (strcmp(r.words[i], words[i]) != 0)
					fail("a word of a request reads back differently", out, (size_t)len);
		} else if (n <= NUT_WORDS_MAX && !(strcmp(words[0], "ERR") == 0 && n < 2) &&
			   !(strcmp(words[0], "VAR") == 0 && n != 4) && !(strcmp(words[0], "NUMLOGINS") == 0 && n != 3)) {
			fail("a written request does not parse", out, (size_t)len);
		}
	}
	free(copy);
	free(out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *p, *end;

	if (size < 1)
		return 0;
	if (data[0] == 'q') {
		fuzz_request(data + 1, size - 1);
		return 0;
	}
	p = (const char *)data + 1;
	end = (const char *)data + size;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t len = nl ? (size_t)(nl - p) : (size_t)(end - p);

		fuzz_reply(p, len);
		p += len + 1;
	}
	fuzz_reply((const char *)data + 1, size - 1);
	return 0;
}
