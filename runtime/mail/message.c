/* SPDX-License-Identifier: GPL-2.0-or-later */
/* message.c - the mail of an EMAIL action as RFC 5322 text: address lists checked and parsed, headers folded and encoded, the body in CRLF lines. */
#include "config.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "runtime/mail/message.h"

#define EMAIL_LINE_MAX 998	/* RFC 5322: longest line, CRLF excluded */
#define EMAIL_FOLD_AT 78	/* RFC 5322: header lines are folded before this column */
#define EMAIL_SUBJECT_MAX 78	/* a longer Subject is sent as encoded-words */
#define EMAIL_WORD_BYTES 42	/* text bytes per encoded-word: 56 base64 characters, 68 with its frame */
#define EMAIL_ENTRY_MAX 512	/* longest address entry ("Name <addr>") */
#define EMAIL_ADDR_MAX 254	/* longest envelope address (RFC 5321 path minus the brackets) */

/* A header being written: folding happens between tokens. */
struct email_hdr {
	struct email_buf *b;
	size_t col;		/* column of the next byte */
	size_t start;		/* column just after "Name:" */
};

static void email_put(struct email_buf *b, const char *s, size_t n)
{
	size_t cap;
	char *p;

	if (b->failed)
		return;
	if (n >= SIZE_MAX / 4 - b->len) {
		b->failed = 1;
		return;
	}
	if (b->len + n + 1 > b->cap) {
		cap = b->cap ? b->cap : 1024;
		while (cap < b->len + n + 1)
			cap *= 2;
		p = realloc(b->p, cap);
		if (!p) {
			b->failed = 1;
			return;
		}
		b->p = p;
		b->cap = cap;
	}
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
}

static void email_puts(struct email_buf *b, const char *s)
{
	email_put(b, s, strlen(s));
}

void email_error(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (!err || !errlen)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

static int email_blank(char c)
{
	return c == ' ' || c == '\t';
}

/* Byte that makes a header text need an encoded-word: control, DEL or non-ASCII. */
static int email_special(unsigned char c)
{
	return (c < 0x20 && c != '\t') || c >= 0x7f;
}

static int email_has_special(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (email_special((unsigned char)s[i]))
			return 1;
	return 0;
}

/* Refuse a header text holding CR or LF (header injection). */
int email_check_text(const char *what, const char *s, char *err, size_t errlen)
{
	if (!s) {
		email_error(err, errlen, "mail refused: no %s", what);
		return -1;
	}
	if (strpbrk(s, "\r\n")) {
		email_error(err, errlen, "mail refused: %s contains a line break (CR or LF)", what);
		return -1;
	}
	return 0;
}

/* Check the envelope address A of N bytes. */
static int email_check_addr(const char *what, const char *a, size_t n, char *err, size_t errlen)
{
	size_t i;
	unsigned char c;

	if (n == 0) {
		email_error(err, errlen, "mail refused: empty %s address", what);
		return -1;
	}
	if (n > EMAIL_ADDR_MAX) {
		email_error(err, errlen, "mail refused: %s address longer than %d bytes", what, EMAIL_ADDR_MAX);
		return -1;
	}
	for (i = 0; i < n; i++) {
		c = (unsigned char)a[i];
		if (c <= ' ' || c == 0x7f || c == '<' || c == '>') {
			email_error(err, errlen, "mail refused: %s address \"%.*s\" contains %s", what,
				    (int)(n > 64 ? 64 : n), a,
				    email_blank((char)c) ? "a blank" : c < ' ' || c == 0x7f ? "a control character"
				    : "'<' or '>'");
			return -1;
		}
	}
	return 0;
}

/* Parse one entry S (N bytes): "Name <addr>", "<addr>" or "addr". */
static int email_parse_entry(const char *what, const char *s, size_t n, struct email_addr *a,
			     char *err, size_t errlen)
{
	size_t i, lt, gt;
	int quoted = 0;

	while (n && email_blank(*s)) {
		s++;
		n--;
	}
	while (n && email_blank(s[n - 1]))
		n--;
	lt = gt = n;
	if (n > EMAIL_ENTRY_MAX) {
		email_error(err, errlen, "mail refused: %s entry longer than %d bytes", what, EMAIL_ENTRY_MAX);
		return -1;
	}
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if ((c < ' ' && c != '\t') || c == 0x7f) {
			email_error(err, errlen, "mail refused: %s contains a control character", what);
			return -1;
		}
		if (quoted) {
			if (c == '\\' && i + 1 < n)
				i++;
			else if (c == '"')
				quoted = 0;
		} else if (c == '"' && lt == n) {
			quoted = 1;
		} else if (c == '<' && lt == n) {
			lt = i;
		} else if (c == '>' && lt == n) {
			email_error(err, errlen, "mail refused: %s name contains '>'", what);
			return -1;
		} else if (c == '>' && gt == n) {
			gt = i;
		}
	}
	a->entry = s;
	a->entry_len = n;
	if (lt == n) {		/* bare address */
		a->addr = s;
		a->addr_len = n;
		a->name = s;
		a->name_len = 0;
	} else {
		if (gt == n || gt + 1 != n) {
			email_error(err, errlen, "mail refused: %s entry \"%.*s\" is not of the form Name <address>",
				    what, (int)(n > 64 ? 64 : n), s);
			return -1;
		}
		a->addr = s + lt + 1;
		a->addr_len = gt - lt - 1;
		a->name = s;
		a->name_len = lt;
		while (a->name_len && email_blank(s[a->name_len - 1]))
			a->name_len--;
	}
	return email_check_addr(what, a->addr, a->addr_len, err, errlen);
}

/* Split LIST at the commas outside double quotes into OUT; SINGLE: exactly one entry allowed. */
int email_parse_list(const char *what, const char *list, int single, struct email_list *out,
			    char *err, size_t errlen)
{
	const char *p, *start = list;
	struct email_addr a, *v;
	int quoted = 0;

	for (p = list;; p++) {
		if (quoted && *p == '\\' && p[1]) {
			p++;
			continue;
		}
		if (*p == '"') {
			quoted = !quoted;
			continue;
		}
		if (*p && (*p != ',' || quoted))
			continue;
		if (quoted) {
			email_error(err, errlen, "mail refused: %s has an unterminated quoted name", what);
			return -1;
		}
		if (single && *p == ',') {
			email_error(err, errlen, "mail refused: %s must be one address", what);
			return -1;
		}
		if (email_parse_entry(what, start, (size_t)(p - start), &a, err, errlen))
			return -1;
		if (out->n == out->cap) {
			size_t cap = out->cap ? out->cap * 2 : 4;

			v = realloc(out->v, cap * sizeof *v);
			if (!v) {
				email_error(err, errlen, "out of memory");
				return -1;
			}
			out->v = v;
			out->cap = cap;
		}
		out->v[out->n++] = a;
		if (!*p)
			return 0;
		start = p + 1;
	}
}

/* Base64 of the N bytes at IN (N <= EMAIL_WORD_BYTES) into OUT (4 * ceil(N / 3) + 1 bytes); returns the length written. */
static size_t email_b64(const unsigned char *in, size_t n, char *out)
{
	return (size_t)EVP_EncodeBlock((unsigned char *)out, in, (int)n);
}

static void email_hdr_start(struct email_hdr *h, struct email_buf *b, const char *name)
{
	h->b = b;
	email_puts(b, name);
	email_put(b, ":", 1);
	h->col = h->start = strlen(name) + 1;
}

/* Append the token TOK (N bytes) and SUFFIX after a blank, or on a new folded line when it would pass column 78. */
static void email_hdr_token(struct email_hdr *h, const char *tok, size_t n, const char *suffix)
{
	size_t len = n + strlen(suffix);

	if (h->col > h->start && h->col + 1 + len > EMAIL_FOLD_AT) {
		email_put(h->b, "\r\n ", 3);
		h->col = 1;
	} else {
		email_put(h->b, " ", 1);
		h->col++;
	}
	email_put(h->b, tok, n);
	email_puts(h->b, suffix);
	h->col += len;
}

/* Append the text S (N bytes) as RFC 2047 B encoded-words, never splitting a UTF-8 character. */
static void email_hdr_encoded(struct email_hdr *h, const char *s, size_t n, const char *suffix)
{
	char word[16 + 4 * EMAIL_WORD_BYTES / 3 + 8];
	size_t i = 0, e, k, len;

	while (i < n) {
		e = n - i > EMAIL_WORD_BYTES ? i + EMAIL_WORD_BYTES : n;
		if (e < n) {
			for (k = e; k > i && ((unsigned char)s[k] & 0xc0) == 0x80; k--)
				;
			if (k > i)
				e = k;
		}
		memcpy(word, "=?UTF-8?B?", 10);
		len = 10 + email_b64((const unsigned char *)s + i, e - i, word + 10);
		memcpy(word + len, "?=", 3);
		len += 2;
		email_hdr_token(h, word, len, e == n ? suffix : "");
		i = e;
	}
}

/* Append the address entry A; a display name with special bytes is encoded, its quotes removed. */
static void email_hdr_addr(struct email_hdr *h, const struct email_addr *a, const char *suffix)
{
	char name[EMAIL_ENTRY_MAX + 1], addr[EMAIL_ADDR_MAX + 3];
	const char *s = a->name;
	size_t n = a->name_len, i, o = 0;

	if (!email_has_special(s, n)) {
		email_hdr_token(h, a->entry, a->entry_len, suffix);
		return;
	}
	if (n >= 2 && s[0] == '"' && s[n - 1] == '"') {
		s++;
		n -= 2;
	}
	for (i = 0; i < n; i++) {
		if (s[i] == '\\' && i + 1 < n)
			i++;
		name[o++] = s[i];
	}
	email_hdr_encoded(h, name, o, "");
	snprintf(addr, sizeof addr, "<%.*s>", (int)a->addr_len, a->addr);
	email_hdr_token(h, addr, strlen(addr), suffix);
}

/* "Date: Tue, 14 Nov 2023 22:13:20 +0000" for NOW, in UTC. */
static int email_date(struct email_buf *b, time_t now)
{
	static const char wday[7][4] = { "Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat" };
	static const char mon[12][4] = {
		"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"
	};
	struct tm tm;
	char line[96];

	if (!gmtime_r(&now, &tm) || tm.tm_wday < 0 || tm.tm_wday > 6 || tm.tm_mon < 0 || tm.tm_mon > 11)
		return -1;
	snprintf(line, sizeof line, "Date: %s, %02d %s %04d %02d:%02d:%02d +0000\r\n", wday[tm.tm_wday],
		 tm.tm_mday, mon[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
	email_puts(b, line);
	return 0;
}

static unsigned long long email_random(void)
{
	unsigned long long r = 0;
	struct timespec ts;

	if (getrandom(&r, sizeof r, GRND_NONBLOCK) != (ssize_t)sizeof r) {
		clock_gettime(CLOCK_MONOTONIC, &ts);
		r = (unsigned long long)ts.tv_nsec << 24 ^ (unsigned long long)ts.tv_sec
			^ (unsigned long long)getpid() << 40;
	}
	return r;
}

/* "Message-ID: <time.pid.random@domain-of-from>" (domain "localhost" when FROM has no usable one). */
static void email_message_id(struct email_buf *b, const struct email_addr *from, time_t now)
{
	const char *at = NULL, *d;
	char line[EMAIL_ADDR_MAX + 96];
	size_t i, n = 0;

	for (i = 0; i < from->addr_len; i++)
		if (from->addr[i] == '@')
			at = from->addr + i;
	d = at ? at + 1 : "";
	if (at)
		n = from->addr_len - (size_t)(d - from->addr);
	for (i = 0; i < n; i++) {
		char c = d[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
		      || c == '-' || c == '.'))
			break;
	}
	if (n == 0 || i < n) {
		d = "localhost";
		n = strlen(d);
	}
	snprintf(line, sizeof line, "Message-ID: <%lld.%ld.%016llx@%.*s>\r\n", (long long)now,
		 (long)getpid(), email_random(), (int)n, d);
	email_puts(b, line);
}

/* Length of the UTF-8 sequence that the lead byte C starts (1 for anything else). */
static size_t email_u8len(unsigned char c)
{
	return c >= 0xf0 && c < 0xf8 ? 4 : c >= 0xe0 ? 3 : c >= 0xc0 ? 2 : 1;
}

/* The body: LF, CR and CRLF become CRLF, lines over 998 bytes are wrapped (between characters). */
static void email_body(struct email_buf *b, const char *body)
{
	const char *p, *run = body;
	size_t col = 0;
	unsigned char c;

	for (p = body; *p; p++) {
		c = (unsigned char)*p;
		if (c == '\r' || c == '\n') {
			email_put(b, run, (size_t)(p - run));
			email_put(b, "\r\n", 2);
			if (c == '\r' && p[1] == '\n')
				p++;
			run = p + 1;
			col = 0;
			continue;
		}
		if (col >= EMAIL_LINE_MAX
		    || ((c & 0xc0) != 0x80 && col + email_u8len(c) > EMAIL_LINE_MAX)) {
			email_put(b, run, (size_t)(p - run));
			email_put(b, "\r\n", 2);
			run = p;
			col = 0;
		}
		col++;
	}
	email_put(b, run, (size_t)(p - run));
	if (col)
		email_put(b, "\r\n", 2);
}

/* Build the whole message (headers and body) into B. */
int email_build(struct email_buf *b, const struct email_addr *from, const struct email_list *to,
		       const char *subject, const char *body, time_t now)
{
	struct email_hdr h;
	size_t i, n = strlen(subject);

	if (email_date(b, now))
		return -1;
	email_hdr_start(&h, b, "From");
	email_hdr_addr(&h, from, "");
	email_put(b, "\r\n", 2);
	email_hdr_start(&h, b, "To");
	for (i = 0; i < to->n; i++)
		email_hdr_addr(&h, &to->v[i], i + 1 < to->n ? "," : "");
	email_put(b, "\r\n", 2);
	if (n > EMAIL_SUBJECT_MAX || email_has_special(subject, n)) {
		email_hdr_start(&h, b, "Subject");
		email_hdr_encoded(&h, subject, n, "");
		email_put(b, "\r\n", 2);
	} else {
		email_puts(b, n ? "Subject: " : "Subject:");
		email_puts(b, subject);
		email_put(b, "\r\n", 2);
	}
	email_message_id(b, from, now);
	email_puts(b, "MIME-Version: 1.0\r\n"
		   "Content-Type: text/plain; charset=UTF-8\r\n"
		   "Content-Transfer-Encoding: 8bit\r\n"
		   "X-Mailer: upsplan\r\n"
		   "\r\n");
	email_body(b, body ? body : "");
	return b->failed ? -1 : 0;
}

char *email_bracket(const struct email_addr *a)
{
	char *p = malloc(a->addr_len + 3);

	if (p)
		snprintf(p, a->addr_len + 3, "<%.*s>", (int)a->addr_len, a->addr);
	return p;
}
