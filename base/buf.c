/* SPDX-License-Identifier: GPL-2.0-or-later */
/* buf.c - the one growable byte buffer, and the one rule by which arrays grow. */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/xalloc.h"

void *xgrow(void *v, size_t *cap, size_t need, size_t elem)
{
	size_t ncap = *cap ? *cap : 16;

	if (need <= *cap)
		return v;
	if (elem && need > SIZE_MAX / elem)
		xalloc_fail();	/* no array of that size can exist */
	while (ncap < need)
		ncap = ncap > SIZE_MAX / 2 ? SIZE_MAX : ncap * 2;
	if (elem && ncap > SIZE_MAX / elem)
		ncap = SIZE_MAX / elem;	/* at least NEED, as checked above */
	v = xrealloc(v, ncap * elem);
	*cap = ncap;
	return v;
}

char *buf_room(struct buf *b, size_t n)
{
	size_t need = b->len + n + 1;

	if (need < n)	/* wrapped */
		need = SIZE_MAX;
	b->p = xgrow(b->p, &b->cap, need, 1);
	return b->p + b->len;
}

void buf_add(struct buf *b, const void *p, size_t n)
{
	char *d = buf_room(b, n);

	if (n)
		memcpy(d, p, n);
	b->len += n;
	b->p[b->len] = '\0';
}

void buf_adds(struct buf *b, const char *s)
{
	buf_add(b, s, strlen(s));
}

void buf_addc(struct buf *b, char c)
{
	buf_add(b, &c, 1);
}

void buf_vaddf(struct buf *b, const char *fmt, va_list ap)
{
	va_list aq;
	int n;

	va_copy(aq, ap);
	n = vsnprintf(NULL, 0, fmt, aq);
	va_end(aq);
	if (n < 0)
		return;
	vsnprintf(buf_room(b, (size_t)n), (size_t)n + 1, fmt, ap);
	b->len += (size_t)n;
}

void buf_addf(struct buf *b, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	buf_vaddf(b, fmt, ap);
	va_end(ap);
}

void buf_consume(struct buf *b, size_t n)
{
	if (n >= b->len) {
		b->len = 0;
	} else {
		memmove(b->p, b->p + n, b->len - n);
		b->len -= n;
	}
	if (b->p)
		b->p[b->len] = '\0';
}

void buf_reset(struct buf *b)
{
	b->len = 0;
	if (b->p)
		b->p[0] = '\0';
}

char *buf_take(struct buf *b)
{
	char *p = b->p ? b->p : xstrdup("");

	b->p = NULL;
	b->len = b->cap = 0;
	return p;
}

void buf_free(struct buf *b)
{
	free(b->p);
	b->p = NULL;
	b->len = b->cap = 0;
}
