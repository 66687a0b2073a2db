/* SPDX-License-Identifier: GPL-2.0-or-later */
/* email.c - EMAIL actions: build one RFC 5322 message and send it over SMTP with libcurl, TLS required and verified. */
#include "config.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>
#include <openssl/evp.h>

#include "runtime/mail/email.h"
#include "runtime/common/monotonic.h"

#define EMAIL_LINE_MAX 998	/* RFC 5322: longest line, CRLF excluded */
#define EMAIL_FOLD_AT 78	/* RFC 5322: header lines are folded before this column */
#define EMAIL_SUBJECT_MAX 78	/* a longer Subject is sent as encoded-words */
#define EMAIL_WORD_BYTES 42	/* text bytes per encoded-word: 56 base64 characters, 68 with its frame */
#define EMAIL_ENTRY_MAX 512	/* longest address entry ("Name <addr>") */
#define EMAIL_ADDR_MAX 254	/* longest envelope address (RFC 5321 path minus the brackets) */
#define EMAIL_DEFAULT_TIMEOUT 60.0	/* seconds, when the caller gives no positive timeout */

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

/* A header being written: folding happens between tokens. */
struct email_hdr {
	struct email_buf *b;
	size_t col;		/* column of the next byte */
	size_t start;		/* column just after "Name:" */
};

/* What the SMTP client last asked for: names the step that a failure belongs to. */
enum email_stage {
	EMAIL_STAGE_CONNECT,
	EMAIL_STAGE_EHLO,
	EMAIL_STAGE_STARTTLS,
	EMAIL_STAGE_AUTH,
	EMAIL_STAGE_MAIL,
	EMAIL_STAGE_RCPT,
	EMAIL_STAGE_DATA,
	EMAIL_STAGE_END		/* the whole message was handed over: waiting for its acceptance */
};

/* State of one transfer, shared with the libcurl callbacks. */
struct email_xfer {
	const char *msg;
	size_t len, off;
	enum email_stage stage;
	char reply[200];	/* the server's last reply line before QUIT, printable ASCII only */
	int quit;		/* QUIT was sent: later replies are not kept */
	double deadline;	/* rt_monotonic() value at which the transfer is abandoned */
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

static __attribute__((format(printf, 3, 4)))
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
static int email_check_text(const char *what, const char *s, char *err, size_t errlen)
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
static int email_parse_list(const char *what, const char *list, int single, struct email_list *out,
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
static int email_build(struct email_buf *b, const struct email_addr *from, const struct email_list *to,
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

/* libcurl read callback: hands over the prepared message. */
static size_t email_read(char *buf, size_t size, size_t nitems, void *arg)
{
	struct email_xfer *x = arg;
	size_t n = size * nitems, left = x->len - x->off;

	if (n > left)
		n = left;
	memcpy(buf, x->msg + x->off, n);
	x->off += n;
	if (x->off == x->len)
		x->stage = EMAIL_STAGE_END;
	return n;
}

/* libcurl progress callback: abandons the transfer at the deadline. */
static int email_progress(void *arg, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal, curl_off_t ulnow)
{
	const struct email_xfer *x = arg;

	(void)dltotal;
	(void)dlnow;
	(void)ultotal;
	(void)ulnow;
	return rt_monotonic() >= x->deadline;
}

static int email_starts(const char *data, size_t size, const char *word)
{
	size_t n = strlen(word);

	return size >= n && strncasecmp(data, word, n) == 0;
}

/* libcurl debug callback: remembers the last command's step and the last reply line; nothing else is kept. */
static int email_debug(CURL *h, curl_infotype type, char *data, size_t size, void *arg)
{
	struct email_xfer *x = arg;
	size_t i, start, end, o = 0;

	(void)h;
	if (type == CURLINFO_HEADER_OUT) {
		if (email_starts(data, size, "EHLO ") || email_starts(data, size, "HELO "))
			x->stage = EMAIL_STAGE_EHLO;
		else if (email_starts(data, size, "STARTTLS\r\n"))
			x->stage = EMAIL_STAGE_STARTTLS;
		else if (email_starts(data, size, "AUTH "))
			x->stage = EMAIL_STAGE_AUTH;
		else if (email_starts(data, size, "MAIL FROM:"))
			x->stage = EMAIL_STAGE_MAIL;
		else if (email_starts(data, size, "RCPT TO:"))
			x->stage = EMAIL_STAGE_RCPT;
		else if (email_starts(data, size, "DATA\r\n"))
			x->stage = EMAIL_STAGE_DATA;
		else if (email_starts(data, size, "QUIT\r\n"))
			x->quit = 1;
		return 0;
	}
	if (type != CURLINFO_HEADER_IN || x->quit)
		return 0;
	end = size;
	while (end && (data[end - 1] == '\r' || data[end - 1] == '\n'))
		end--;
	if (!end)
		return 0;
	for (start = end; start && data[start - 1] != '\n'; start--)
		;
	for (i = start; i < end && o + 1 < sizeof x->reply; i++)
		x->reply[o++] = data[i] >= ' ' && data[i] < 0x7f ? data[i] : '?';
	x->reply[o] = '\0';
	return 0;
}

/* Check the host name and write the URL of the server into URL. */
static int email_url(const struct email_server *s, char *url, size_t len, char *err, size_t errlen)
{
	const char *h = s->host;
	size_t i, n = h ? strlen(h) : 0;
	int v6 = 0;
	char ehlo[256] = "";

	if (n == 0 || n > 253) {
		email_error(err, errlen, "invalid SMTP host name");
		return -1;
	}
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)h[i];

		if (c == ':')
			v6 = 1;
		else if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
			   || c == '.' || c == '-' || c == '_' || c >= 0x80
			   || ((c == '[' || c == ']') && h[0] == '[' && h[n - 1] == ']'))) {
			email_error(err, errlen, "invalid SMTP host name \"%.64s\"", h);
			return -1;
		}
	}
	if (s->port == 0 || s->port > 65535) {
		email_error(err, errlen, "%s: invalid SMTP port %u", h, s->port);
		return -1;
	}
	/* the URL's path is the EHLO name: this host's name when it is a plain one */
	if (gethostname(ehlo, sizeof ehlo - 1) == 0) {
		ehlo[sizeof ehlo - 1] = '\0';
		if (strspn(ehlo, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-") != strlen(ehlo))
			ehlo[0] = '\0';
	} else {
		ehlo[0] = '\0';
	}
	v6 = v6 && h[0] != '[';
	snprintf(url, len, "%s://%s%s%s:%u/%s", s->implicit_tls ? "smtps" : "smtp", v6 ? "[" : "", h,
		 v6 ? "]" : "", s->port, ehlo);
	return 0;
}

/* The one-line reason of a failed transfer. */
static void email_explain(const struct email_server *s, double timeout, CURLcode rc, long code,
			  const char *errbuf, const struct email_xfer *x, char *err, size_t errlen)
{
	const char *why = errbuf[0] ? errbuf : curl_easy_strerror(rc);
	char detail[sizeof x->reply + 16];
	int refused = code >= 400 || x->reply[0] == '4' || x->reply[0] == '5';

	if (x->reply[0] >= '0' && x->reply[0] <= '9')
		snprintf(detail, sizeof detail, "%s", x->reply);
	else if (code)
		snprintf(detail, sizeof detail, "%ld", code);
	else
		snprintf(detail, sizeof detail, "%s", why);
	switch (rc) {
	case CURLE_OPERATION_TIMEDOUT:
	case CURLE_ABORTED_BY_CALLBACK:
		email_error(err, errlen, "%s:%u: timed out after %g s", s->host, s->port, timeout);
		return;
	case CURLE_PEER_FAILED_VERIFICATION:
		email_error(err, errlen, "%s:%u: certificate verify failed: %s", s->host, s->port, why);
		return;
	case CURLE_SSL_CACERT_BADFILE:
		email_error(err, errlen, "%s:%u: cannot use CA file %s: %s", s->host, s->port,
			    s->cafile ? s->cafile : "(system)", why);
		return;
	case CURLE_SSL_CONNECT_ERROR:
		email_error(err, errlen, "%s:%u: TLS handshake failed: %s", s->host, s->port, why);
		return;
	case CURLE_COULDNT_RESOLVE_HOST:
	case CURLE_COULDNT_CONNECT:
		email_error(err, errlen, "%s:%u: cannot connect: %s", s->host, s->port, why);
		return;
	case CURLE_LOGIN_DENIED:
		email_error(err, errlen, "%s:%u: authentication failed (%s)", s->host, s->port, detail);
		return;
	case CURLE_USE_SSL_FAILED:
		if (x->stage == EMAIL_STAGE_STARTTLS)
			email_error(err, errlen, "%s:%u: STARTTLS refused (%s)", s->host, s->port, detail);
		else
			email_error(err, errlen, "%s:%u: STARTTLS refused (not offered by the server; nothing sent)",
				    s->host, s->port);
		return;
	default:
		break;
	}
	if (refused && x->stage == EMAIL_STAGE_AUTH)
		email_error(err, errlen, "%s:%u: authentication failed (%s)", s->host, s->port, detail);
	else if (refused && x->stage == EMAIL_STAGE_MAIL)
		email_error(err, errlen, "%s:%u: sender refused (%s)", s->host, s->port, detail);
	else if (refused && x->stage == EMAIL_STAGE_RCPT)
		email_error(err, errlen, "%s:%u: recipient refused (%s)", s->host, s->port, detail);
	else if (refused && x->stage == EMAIL_STAGE_DATA)
		email_error(err, errlen, "%s:%u: DATA refused (%s)", s->host, s->port, detail);
	else if (refused && x->stage == EMAIL_STAGE_END)
		email_error(err, errlen, "%s:%u: message refused (%s)", s->host, s->port, detail);
	else if (x->reply[0])
		email_error(err, errlen, "%s:%u: %s (last reply: %s)", s->host, s->port, why, x->reply);
	else
		email_error(err, errlen, "%s:%u: %s", s->host, s->port, why);
}

/* Set up handle H for one transfer; the first failing option's code. */
static CURLcode email_setup(CURL *h, const struct email_server *s, const char *url, double timeout,
			    const char *mail_from, struct curl_slist *rcpt, struct email_xfer *x, char *errbuf)
{
	double t = timeout * 1000.0;
	long ms = t < 1.0 ? 1L : t > 86400000.0 ? 86400000L : (long)t;
	CURLcode rc = CURLE_OK;

#define EMAIL_SET(opt, val) do { if (rc == CURLE_OK) rc = curl_easy_setopt(h, opt, val); } while (0)
	EMAIL_SET(CURLOPT_ERRORBUFFER, errbuf);
	EMAIL_SET(CURLOPT_URL, url);
#if LIBCURL_VERSION_NUM >= 0x075500
	EMAIL_SET(CURLOPT_PROTOCOLS_STR, "smtp,smtps");
#else
	EMAIL_SET(CURLOPT_PROTOCOLS, (long)(CURLPROTO_SMTP | CURLPROTO_SMTPS));
#endif
	EMAIL_SET(CURLOPT_PROXY, "");
	EMAIL_SET(CURLOPT_NOSIGNAL, 1L);
	if (!s->implicit_tls)
		EMAIL_SET(CURLOPT_USE_SSL, (long)CURLUSESSL_ALL);
	EMAIL_SET(CURLOPT_SSLVERSION, (long)CURL_SSLVERSION_TLSv1_2);
	EMAIL_SET(CURLOPT_SSL_VERIFYPEER, 1L);
	EMAIL_SET(CURLOPT_SSL_VERIFYHOST, 2L);
	if (s->cafile) {
		EMAIL_SET(CURLOPT_CAINFO, s->cafile);
		EMAIL_SET(CURLOPT_CAPATH, (char *)NULL);
	}
	EMAIL_SET(CURLOPT_TIMEOUT_MS, ms);
	EMAIL_SET(CURLOPT_CONNECTTIMEOUT_MS, ms);
	/*
	 * CURLOPT_TIMEOUT does not cover the wait for the reply to QUIT: close
	 * the connection within curl_easy_perform() (not later, in
	 * curl_easy_cleanup(), by a handle with default settings), bound that
	 * wait, and end it at the deadline from the progress callback.
	 */
	EMAIL_SET(CURLOPT_FORBID_REUSE, 1L);
	EMAIL_SET(CURLOPT_SERVER_RESPONSE_TIMEOUT, ms / 1000 + 1);
	EMAIL_SET(CURLOPT_NOPROGRESS, 0L);
	EMAIL_SET(CURLOPT_XFERINFOFUNCTION, email_progress);
	EMAIL_SET(CURLOPT_XFERINFODATA, x);
	if (s->user) {
		EMAIL_SET(CURLOPT_USERNAME, s->user);
		EMAIL_SET(CURLOPT_PASSWORD, s->password ? s->password : "");
	}
	EMAIL_SET(CURLOPT_MAIL_FROM, mail_from);
	EMAIL_SET(CURLOPT_MAIL_RCPT, rcpt);
	EMAIL_SET(CURLOPT_UPLOAD, 1L);
	EMAIL_SET(CURLOPT_READFUNCTION, email_read);
	EMAIL_SET(CURLOPT_READDATA, x);
	EMAIL_SET(CURLOPT_DEBUGFUNCTION, email_debug);
	EMAIL_SET(CURLOPT_DEBUGDATA, x);
	EMAIL_SET(CURLOPT_VERBOSE, 1L);
#undef EMAIL_SET
	return rc;
}

/* "<addr>" of entry A, allocated; NULL when out of memory. */
static char *email_bracket(const struct email_addr *a)
{
	char *p = malloc(a->addr_len + 3);

	if (p)
		snprintf(p, a->addr_len + 3, "<%.*s>", (int)a->addr_len, a->addr);
	return p;
}

int email_send(const struct email_server *s, const char *from, const char *to, const char *subject,
	       const char *body, time_t now, char *err, size_t errlen)
{
	struct email_list fl = { 0 }, tl = { 0 };
	struct email_buf msg = { 0 };
	struct email_xfer x = { 0 };
	struct curl_slist *rcpt = NULL, *l;
	char url[600], errbuf[CURL_ERROR_SIZE] = "", *mail_from = NULL, *r;
	double timeout = s && s->timeout > 0 && s->timeout < 1e6 ? s->timeout : EMAIL_DEFAULT_TIMEOUT;
	CURL *h = NULL;
	CURLcode rc;
	curl_socket_t sock;
	long code = 0;
	size_t i;
	int ret = -1;

	if (err && errlen)
		err[0] = '\0';
	if (!s) {
		email_error(err, errlen, "no SMTP server");
		return -1;
	}
	if (email_check_text("From", from, err, errlen) || email_check_text("To", to, err, errlen)
	    || email_check_text("Subject", subject, err, errlen)
	    || email_parse_list("From", from, 1, &fl, err, errlen)
	    || email_parse_list("To", to, 0, &tl, err, errlen)
	    || email_url(s, url, sizeof url, err, errlen))
		goto out;
	if (email_build(&msg, &fl.v[0], &tl, subject, body, now)) {
		email_error(err, errlen, "cannot build the mail (out of memory or bad date)");
		goto out;
	}
	mail_from = email_bracket(&fl.v[0]);
	if (!mail_from)
		goto oom;
	for (i = 0; i < tl.n; i++) {
		r = email_bracket(&tl.v[i]);
		l = r ? curl_slist_append(rcpt, r) : NULL;
		free(r);
		if (!l)
			goto oom;
		rcpt = l;
	}
	h = curl_easy_init();
	if (!h) {
		email_error(err, errlen, "%s:%u: cannot initialise libcurl", s->host, s->port);
		goto out;
	}
	x.msg = msg.p;
	x.len = msg.len;
	x.stage = EMAIL_STAGE_CONNECT;
	x.deadline = rt_monotonic() + timeout;
	rc = email_setup(h, s, url, timeout, mail_from, rcpt, &x, errbuf);
	if (rc != CURLE_OK) {
		email_error(err, errlen, "%s:%u: libcurl cannot be set up: %s", s->host, s->port,
			    errbuf[0] ? errbuf : curl_easy_strerror(rc));
		goto out;
	}
	rc = curl_easy_perform(h);
	if (rc == CURLE_OK) {
		ret = 0;
		goto out;
	}
	if (curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &code) != CURLE_OK)
		code = 0;
	email_explain(s, timeout, rc, code, errbuf, &x, err, errlen);
	/* nothing more to say to a failing server: without this, the QUIT sent by curl_easy_cleanup()
	   would wait up to libcurl's own response timeout (120 s), whatever CURLOPT_TIMEOUT says */
	if (curl_easy_getinfo(h, CURLINFO_ACTIVESOCKET, &sock) == CURLE_OK && sock != CURL_SOCKET_BAD)
		shutdown(sock, SHUT_RDWR);
	goto out;
oom:
	email_error(err, errlen, "out of memory");
out:
	if (h)
		curl_easy_cleanup(h);
	curl_slist_free_all(rcpt);
	free(mail_from);
	free(msg.p);
	free(fl.v);
	free(tl.v);
	return ret;
}

void email_global_init(void)
{
	static int done;

	if (!done && curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK)
		done = 1;
}
