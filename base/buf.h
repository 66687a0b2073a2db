/* SPDX-License-Identifier: GPL-2.0-or-later */
/* buf.h - the one growable byte buffer, and the one rule by which arrays grow; out of memory ends the program (xalloc.h). */
#ifndef UPSPLAN_BUF_H
#define UPSPLAN_BUF_H

#include <stdarg.h>
#include <stddef.h>

/* LEN bytes at P, in CAP bytes; P is NUL-terminated after any buf_ call that adds (when not NULL). */
struct buf {
	char *p;
	size_t len, cap;
};

#define BUF_INIT { NULL, 0, 0 }

/* Room for N more bytes and a NUL after them: the address of the first (B->len is unchanged). */
char *buf_room(struct buf *b, size_t n);
/* Append the N bytes at P. */
void buf_add(struct buf *b, const void *p, size_t n);
/* Append the NUL-terminated S. */
void buf_adds(struct buf *b, const char *s);
/* Append one byte. */
void buf_addc(struct buf *b, char c);
/* Append printf(FMT, ...). */
void buf_addf(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void buf_vaddf(struct buf *b, const char *fmt, va_list ap) __attribute__((format(printf, 2, 0)));
/* Drop the first N bytes (all when N >= B->len), keeping the rest in place of them. */
void buf_consume(struct buf *b, size_t n);
/* Empty, keeping the memory. */
void buf_reset(struct buf *b);
/* The bytes as a NUL-terminated string the caller frees; B is empty afterwards. */
char *buf_take(struct buf *b);
/* Free the memory; B is empty afterwards. */
void buf_free(struct buf *b);

/*
 * Grow the array V of *CAP elements of ELEM bytes to hold at least NEED
 * (doubling, at least 16): returns V, or its new address.
 */
void *xgrow(void *v, size_t *cap, size_t need, size_t elem);

#endif
