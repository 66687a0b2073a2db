/* SPDX-License-Identifier: GPL-2.0-or-later */
/* fuzz-nutconf.c - libFuzzer target: the reader of NUT's upsmon.conf and upssched.conf (runtime/migrate/nutconf.c), with its promises checked. */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "runtime/migrate/nutconf.h"

/*
 * Input: the first byte chooses the file (bit 0: upssched.conf, else
 * upsmon.conf) and the NUT version (2.8.N, N = byte / 2 % 8); the rest is
 * the file.  Promises: every kept line has 1 to NC_MAX_WORDS words; each
 * word at most NC_MAX_WORDLEN bytes, all in 0x20-0x7f; words located
 * inside the input (line within its line count, column >= 1), each
 * after the one before it, its bytes inside the text; every problem of a known kind, located inside
 * the input or at 0:0, with a message; nerrors counts the errors.
 */

static void fail(const char *what)
{
	fprintf(stderr, "fuzz-nutconf: %s\n", what);
	abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct nc_file f;
	unsigned nlines = 1, minor;
	size_t i, errors = 0;
	enum nc_dialect d;

	if (size < 1)
		return 0;
	d = data[0] & 1 ? NC_UPSSCHED : NC_UPSMON;
	minor = (data[0] >> 1) % 8;
	for (i = 1; i < size; i++)
		if (data[i] == '\n')
			nlines++;
	nc_read_mem("fuzz.conf", (const char *)data + 1, size - 1, &f);
	nc_check(&f, d, minor);
	for (i = 0; i < f.nlines; i++) {
		const struct nc_line *l = &f.lines[i];
		unsigned j, pl = 0, pc = 0;

		if (l->nwords < 1 || l->nwords > NC_MAX_WORDS)
			fail("a line with no word or too many");
		if (l->from > l->to || l->to > f.len || f.len != size - 1)
			fail("a line's bytes outside the text");
		for (j = 0; j < l->nwords; j++) {
			const struct nc_word *w = &l->words[j];
			const unsigned char *p;

			if (strlen(w->text) > NC_MAX_WORDLEN)
				fail("a word too long");
			for (p = (const unsigned char *)w->text; *p; p++)
				if (*p < 0x20 || *p > 0x7f)
					fail("a byte NUT drops kept in a word");
			if (w->line < 1 || w->line > nlines || w->col < 1)
				fail("a word located outside the input");
			if (w->line < pl || (w->line == pl && w->col <= pc))
				fail("words out of order");
			pl = w->line;
			pc = w->col;
		}
	}
	for (i = 0; i < f.nprobs; i++) {
		const struct nc_problem *p = &f.probs[i];

		if ((unsigned)p->kind >= NC_K_COUNT || !p->msg[0])
			fail("a problem of no kind or no message");
		if (p->line > nlines || (p->line && !p->col))
			fail("a problem located outside the input");
		errors += p->error;
	}
	if (errors != f.nerrors)
		fail("nerrors does not count the errors");
	nc_free(&f);
	return 0;
}
