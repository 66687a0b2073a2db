/* SPDX-License-Identifier: GPL-2.0-or-later */
/* xalloc.h - allocation that never returns NULL: out of memory ends the program with a message. */
#ifndef UPSPLAN_XALLOC_H
#define UPSPLAN_XALLOC_H

#include <stddef.h>

/* Say "out of memory" and end the program: for other allocators' failures (jansson's). */
void xalloc_fail(void) __attribute__((noreturn));
/* realloc(P, N), or exit with "out of memory". */
void *xrealloc(void *p, size_t n);
/* calloc(N, SIZE), or exit with "out of memory". */
void *xcalloc(size_t n, size_t size);
/* strdup(S), or exit with "out of memory". */
char *xstrdup(const char *s);
/* The first N bytes of S (fewer if S is shorter), NUL-terminated, or exit with "out of memory". */
char *xstrndup(const char *s, size_t n);

#endif
