/* SPDX-License-Identifier: GPL-2.0-or-later */
/* message.h - what email.c (the SMTP session) takes from message.c (the RFC 5322 text): address lists and the built message. */
#ifndef UPSPLAN_MESSAGE_H
#define UPSPLAN_MESSAGE_H

#include <stddef.h>
#include <time.h>

/*
 * A growing text buffer; after a failed allocation every append is a
 * no-op and failed is set.  Not base/buf.h's struct buf: that one ends
 * the program with abort() when out of memory, and this process holds
 * the SMTP password (a core file could keep it); here the mail is
 * reported as not sent and the helper exits 1.
 */
struct email_buf {
	char *p;
	size_t len, cap;
	int failed;
};

/* One entry of a From or To list. */
struct email_addr {
	const char *entry;	/* the entry as written, blanks trimmed */
	size_t entry_len;
	const char *addr;	/* the envelope address inside it */
	size_t addr_len;
	const char *name;	/* the display name before '<', blanks trimmed (may be empty) */
	size_t name_len;
};

struct email_list {
	struct email_addr *v;
	size_t n, cap;
};

/* ERR (ERRLEN bytes, may be NULL) becomes printf(FMT, ...). */
void email_error(char *err, size_t errlen, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* 0, or -1 with ERR when S, the WHAT field (From, To, Subject), holds CR or LF. */
int email_check_text(const char *what, const char *s, char *err, size_t errlen);
/*
 * Parse LIST, the WHAT field, into OUT (its v to free): entries separated
 * by commas, one only when SINGLE.  0, or -1 with ERR.
 */
int email_parse_list(const char *what, const char *list, int single, struct email_list *out, char *err,
		     size_t errlen);
/* Build the whole message (headers and body) into B; -1 when out of memory or NOW is no date. */
int email_build(struct email_buf *b, const struct email_addr *from, const struct email_list *to,
		const char *subject, const char *body, time_t now);
/* "<addr>" of A, to free; NULL when out of memory. */
char *email_bracket(const struct email_addr *a);

#endif
