/* SPDX-License-Identifier: GPL-2.0-or-later */
/* regex.h - the language's regular expressions: PCRE2 patterns compiled once (JIT where available), matched without allocation. */
#ifndef UPSPLAN_REGEX_H
#define UPSPLAN_REGEX_H

#include <stddef.h>

/*
 * The bounds of one match, so that no pattern (a nested quantifier on a
 * long value) can make a run slow: PCRE2's match limit and depth limit.
 * A match that reaches them counts as no match.
 */
#define RX_MATCH_LIMIT 100000u
#define RX_DEPTH_LIMIT 1000u

struct rx;

#define RX_JIT 1	/* rx_compile(): also compile for the JIT (to match often; a check needs not) */

/*
 * Compile the pattern P (LEN bytes of UTF-8) as the language reads it:
 * UTF mode, invalid UTF-8 in a subject never matching where it is; with
 * RX_JIT in FLAGS by the JIT too, where PCRE2 has one.  Returns the
 * pattern, or NULL with PCRE2's message in ERR (ERRLEN bytes) and in
 * *ERROFF the byte offset into P where it found the problem.
 */
struct rx *rx_compile(const char *p, size_t len, int flags, char *err, size_t errlen, size_t *erroff);

/* Does R match somewhere in the LEN bytes at S?  1 or 0 (also at a limit); never allocates. */
int rx_match(struct rx *r, const char *s, size_t len);

/* The same, telling a limit apart: 1 a match, 0 none, -1 a limit was reached (the answer is unknown). */
int rx_search(struct rx *r, const char *s, size_t len);

/* Is the JIT compiling R? (1, or 0 where PCRE2 has no JIT) */
int rx_jit(const struct rx *r);

/* Has this PCRE2 a JIT for this machine? */
int rx_jit_available(void);

void rx_free(struct rx *r);

#endif
