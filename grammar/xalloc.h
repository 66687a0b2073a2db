/* xalloc.h - allocation that never returns NULL: out of memory ends the program with a message. */
#ifndef UPSPLAN_XALLOC_H
#define UPSPLAN_XALLOC_H

#include <stddef.h>

/* realloc(P, N), or exit with "out of memory". */
void *xrealloc(void *p, size_t n);
/* calloc(N, SIZE), or exit with "out of memory". */
void *xcalloc(size_t n, size_t size);
/* strdup(S), or exit with "out of memory". */
char *xstrdup(const char *s);

#endif
