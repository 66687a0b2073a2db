/* SPDX-License-Identifier: GPL-2.0-or-later */
/* hostile-upsd.c - test-only upsd on 127.0.0.1 (STARTTLS, OpenSSL) that speaks enough NUT for any UPS name and misbehaves as its mode says. */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/ssl.h>

#define HU_IN 8192			/* bytes of request lines kept (a longer line is dropped) */
#define HU_FLOOD_MAX (256u << 20)	/* a flood gives up after this much */
#define HU_DELAY 0.3			/* seconds from a reply to a delayed fault (drop, unsolicited line) */

/* The ways to misbehave (-m). */
enum hu_mode {
	M_GOOD, M_MALFORMED, M_ERR, M_ERR_LOGIN, M_LONGLINE, M_NUL, M_CONTROL, M_HIGHBYTES, M_BIGSTATUS,
	M_WRONGUPS, M_UNSOLICITED, M_FLOOD, M_TINY, M_CLOSE_REPLY, M_RST_REPLY, M_CLOSE_HANDSHAKE,
	M_RST_HANDSHAKE, M_RENEG, M_DROP, M_CLEAR
};

static const struct {
	const char *name, *what;
} hu_modes[] = {
	{ "good", "a well-behaved upsd (status from -s)" },
	{ "malformed", "GET VAR ups.status gets a line with an unclosed quote" },
	{ "err", "every GET VAR gets the next ERR word of upsd's list (and two hostile ones)" },
	{ "err-login", "LOGIN gets the next ERR word, one per connection" },
	{ "longline", "GET VAR gets a line of 1 MB" },
	{ "nul", "GET VAR ups.status gets a value holding a NUL byte" },
	{ "control", "GET VAR ups.status gets a value holding ESC sequences and a CR" },
	{ "highbytes", "GET VAR ups.status gets a valid line whose value holds DEL, C1 CSI and 0xff" },
	{ "bigstatus", "GET VAR ups.status gets a status of 10,000 words" },
	{ "wrongups", "GET VAR gets a VAR for another UPS" },
	{ "unsolicited", "a VAR line nothing asked for, 0.3 s after each reply" },
	{ "flood", "after the first reply to GET VAR, the same VAR line without end" },
	{ "tiny", "well-behaved, every byte in a TLS record (or TCP segment) of its own" },
	{ "close-mid-reply", "half a reply to GET VAR, then close_notify" },
	{ "rst-mid-reply", "half a reply to GET VAR, then a TCP RST" },
	{ "close-mid-handshake", "after the ClientHello, a close_notify alert (in clear) and close" },
	{ "rst-mid-handshake", "after the server's first flight, a TCP RST" },
	{ "reneg", "TLS 1.2 only; 0.3 s after login (poll connection: after its first answer), asks to renegotiate" },
	{ "drop", "LOGIN answered, the connection dropped 0.3 s later (poll connection: 0.3 s after its first answer)" },
	{ "clear", "a plain upsd port: STARTTLS refused, a ClientHello (TLS DIRECT) answered ERR UNKNOWN-COMMAND in clear" },
};

#define HU_X10 "XXXXXXXXXX"

/* upsd's ERR words, then two no upsd sends: one with a backslash, DEL and C1 CSI, and one of 200 bytes */
static const char *const hu_errs[] = {
	"ACCESS-DENIED", "UNKNOWN-UPS", "VAR-NOT-SUPPORTED", "CMD-NOT-SUPPORTED", "INVALID-ARGUMENT",
	"INSTCMD-FAILED", "SET-FAILED", "READONLY", "TOO-LONG", "FEATURE-NOT-SUPPORTED", "FEATURE-NOT-CONFIGURED",
	"ALREADY-SSL-MODE", "DRIVER-NOT-CONNECTED", "DATA-STALE", "ALREADY-LOGGED-IN", "INVALID-PASSWORD",
	"ALREADY-SET-PASSWORD", "INVALID-USERNAME", "ALREADY-SET-USERNAME", "USERNAME-REQUIRED",
	"PASSWORD-REQUIRED", "UNKNOWN-COMMAND", "INVALID-VALUE", "\"EVIL\\\\\x7f\xc2\x9b\"",
	"LONG-" HU_X10 HU_X10 HU_X10 HU_X10 HU_X10 HU_X10 HU_X10 HU_X10 HU_X10 HU_X10 HU_X10 HU_X10 HU_X10
	HU_X10 HU_X10 HU_X10 HU_X10 HU_X10 HU_X10 "-WORD"
};
#define HU_NERRS (sizeof(hu_errs) / sizeof(hu_errs[0]))

/* An ERR word for the record: the one with control bytes is not written as it is. */
static const char *hu_word(const char *e)
{
	return e[0] == '"' ? "(the word with a backslash, DEL and C1 CSI)" : e;
}

enum hu_phase { P_PLAIN, P_RAW, P_HANDSHAKE, P_TLS };

/* One client. */
struct hu_conn {
	int fd, id;
	SSL *ssl;
	enum hu_phase ph;
	char in[HU_IN];
	size_t inlen;
	char *out;			/* queued plaintext; the first wlen bytes were offered to SSL_write */
	size_t outlen, outcap, wlen;
	size_t flooded;
	int login, answered, flood, closing, want_write, reneg;
	double fault_at;		/* a delayed fault (drop, unsolicited line, renegotiation) is due; 0: none */
	char ups[128];			/* the UPS of LOGIN or of the last GET VAR */
};

static struct {
	enum hu_mode mode;
	const char *status;
	FILE *log;
	SSL_CTX *ctx;
	double t0;
	unsigned errn, conns;
} hu = { M_GOOD, "OL", NULL, NULL, 0, 0, 0 };

static volatile sig_atomic_t hu_stop;

static double hu_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void hu_die(const char *fmt, ...)
{
	va_list ap;

	fputs("hostile-upsd: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(2);
}

/* A line of the record (-l): seconds since the start, the connection, what happened. */
static __attribute__((format(printf, 2, 3))) void hu_note(const struct hu_conn *c, const char *fmt, ...)
{
	va_list ap;

	if (!hu.log)
		return;
	fprintf(hu.log, "%.3f conn %d ", hu_now() - hu.t0, c ? c->id : 0);
	va_start(ap, fmt);
	vfprintf(hu.log, fmt, ap);
	va_end(ap);
	fputc('\n', hu.log);
	fflush(hu.log);
}

static void hu_on_signal(int sig)
{
	hu_stop = sig;
}

static void hu_queue(struct hu_conn *c, const char *s, size_t n)
{
	if (c->outlen + n > c->outcap) {
		c->outcap = (c->outlen + n) * 2 + 256;
		c->out = realloc(c->out, c->outcap);
		if (!c->out)
			hu_die("out of memory");
	}
	memcpy(c->out + c->outlen, s, n);
	c->outlen += n;
}

static __attribute__((format(printf, 2, 3))) void hu_reply(struct hu_conn *c, const char *fmt, ...)
{
	char line[1024];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(line, sizeof(line) - 1, fmt, ap);
	va_end(ap);
	if (n < 0 || n > (int)sizeof(line) - 2)
		n = (int)sizeof(line) - 2;
	line[n++] = '\n';
	hu_queue(c, line, (size_t)n);
}

/* Close C at once: with a TCP RST (RST) or a plain close. */
static void hu_close(struct hu_conn *c, int rst, const char *why)
{
	if (rst) {
		struct linger l = { 1, 0 };
		setsockopt(c->fd, SOL_SOCKET, SO_LINGER, &l, sizeof(l));
	}
	hu_note(c, "closed (%s)%s", why, rst ? " with RST" : "");
	SSL_free(c->ssl);
	c->ssl = NULL;
	close(c->fd);
	c->fd = -1;
	free(c->out);
	c->out = NULL;
	c->outlen = c->outcap = c->wlen = 0;
}

/* Split LINE into at most MAX words (quotes and backslashes as upsd reads them), in place. */
static int hu_split(char *line, char **w, int max)
{
	int n = 0;
	char *o = line, *p = line;

	while (*p && n < max) {
		int q = 0;
		while (*p == ' ' || *p == '\t')
			p++;
		if (!*p)
			break;
		w[n++] = o;
		for (; *p && (q || (*p != ' ' && *p != '\t')); p++) {
			if (*p == '\\' && p[1])
				*o++ = *++p;
			else if (*p == '"')
				q = !q;
			else
				*o++ = *p;
		}
		if (*p)
			p++;
		*o++ = '\0';
	}
	return n;
}

/* The reply to GET VAR UPS VAR, as the mode has it. */
static void hu_get_var(struct hu_conn *c, const char *ups, const char *var)
{
	int status = strcasecmp(var, "ups.status") == 0, charge = strcasecmp(var, "battery.charge") == 0;
	char *big;

	snprintf(c->ups, sizeof(c->ups), "%s", ups);
	switch (hu.mode) {
	case M_MALFORMED:
		if (status) {
			hu_reply(c, "VAR %s ups.status \"OL", ups);
			return;
		}
		break;
	case M_ERR: {
		const char *e = hu_errs[hu.errn++ % HU_NERRS];
		hu_note(c, "ERR %s", hu_word(e));
		hu_reply(c, "ERR %s", e);
		return;
	}
	case M_LONGLINE:
		big = malloc(1u << 20);
		if (!big)
			hu_die("out of memory");
		memset(big, 'X', 1u << 20);
		hu_queue(c, big, 1u << 20);
		hu_queue(c, "\n", 1);
		free(big);
		return;
	case M_NUL:
		if (status) {
			char line[256];
			int n = snprintf(line, sizeof(line), "VAR %s ups.status \"O_L\"\n", ups);
			*strchr(line + n - 5, '_') = '\0';
			hu_queue(c, line, (size_t)n);
			return;
		}
		break;
	case M_CONTROL:
		if (status) {
			hu_reply(c, "VAR %s ups.status \"OL\x1b]0;owned\x07\x1b[2J\rFAKE\"", ups);
			return;
		}
		break;
	case M_HIGHBYTES:
		if (status) {
			hu_reply(c, "VAR %s ups.status \"OL \x7f\xc2\x9b""31m\x9b""2J\xff\"", ups);
			return;
		}
		break;
	case M_BIGSTATUS:
		if (status) {
			hu_queue(c, "VAR ", 4);
			hu_queue(c, ups, strlen(ups));
			hu_queue(c, " ups.status \"OL", 15);
			for (int i = 1; i < 10000; i++)
				hu_queue(c, " OB", 3);
			hu_queue(c, "\"\n", 2);
			return;
		}
		break;
	case M_WRONGUPS:
		hu_reply(c, "VAR %s-other %s \"OL\"", ups, var);
		return;
	case M_FLOOD:
		c->flood = 1;
		break;
	case M_CLOSE_REPLY:
	case M_RST_REPLY:
		hu_queue(c, "VAR ", 4);	/* half a line: no line feed */
		hu_queue(c, ups, strlen(ups));
		hu_queue(c, " ups.sta", 8);
		c->closing = hu.mode == M_CLOSE_REPLY ? 1 : 2;	/* once this is written */
		return;
	default:
		break;
	}
	if (status)
		hu_reply(c, "VAR %s ups.status \"%s\"", ups, hu.status);
	else if (charge)
		hu_reply(c, "VAR %s battery.charge \"100\"", ups);
	else
		hu_reply(c, "ERR VAR-NOT-SUPPORTED");
}

/* One request line LINE of C. */
static void hu_line(struct hu_conn *c, char *line)
{
	char *w[8];
	int n = hu_split(line, w, 8);

	if (n == 0)
		return;
	if (strcasecmp(w[0], "STARTTLS") == 0) {
		if (hu.mode == M_CLEAR) {	/* upsd without a certificate */
			hu_reply(c, "ERR FEATURE-NOT-CONFIGURED");
			return;
		}
		if (c->ph != P_PLAIN) {
			hu_reply(c, "ERR ALREADY-SSL-MODE");
			return;
		}
		hu_reply(c, "OK STARTTLS");
		c->ph = P_RAW;	/* TLS starts once OK STARTTLS is written */
		return;
	}
	if (strcasecmp(w[0], "USERNAME") == 0 || strcasecmp(w[0], "PASSWORD") == 0) {
		hu_reply(c, "OK");
	} else if (strcasecmp(w[0], "LOGIN") == 0 && n >= 2) {
		snprintf(c->ups, sizeof(c->ups), "%s", w[1]);
		if (hu.mode == M_ERR_LOGIN) {
			const char *e = hu_errs[(unsigned)c->id % HU_NERRS];
			hu_note(c, "LOGIN %s refused: ERR %s", w[1], hu_word(e));
			hu_reply(c, "ERR %s", e);
			return;
		}
		hu_note(c, "LOGIN %s", w[1]);
		c->login = 1;
		hu_reply(c, "OK");
		if (hu.mode == M_DROP || hu.mode == M_RENEG)
			c->fault_at = hu_now() + HU_DELAY;
	} else if ((strcasecmp(w[0], "PRIMARY") == 0 || strcasecmp(w[0], "MASTER") == 0) && n >= 2) {
		hu_reply(c, "OK");
	} else if (strcasecmp(w[0], "GET") == 0 && n >= 4 && strcasecmp(w[1], "VAR") == 0) {
		hu_get_var(c, w[2], w[3]);
		if (!c->answered && !c->login && (hu.mode == M_DROP || hu.mode == M_RENEG))
			c->fault_at = hu_now() + HU_DELAY;
		c->answered = 1;
		if (hu.mode == M_UNSOLICITED)
			c->fault_at = hu_now() + HU_DELAY;
	} else if (strcasecmp(w[0], "NETVER") == 0) {
		hu_reply(c, "1.3");
	} else if (strcasecmp(w[0], "VER") == 0) {
		hu_reply(c, "Network UPS Tools upsd 2.8.0 - hostile-upsd (%s)", hu_modes[hu.mode].name);
	} else if (strcasecmp(w[0], "FSD") == 0 && n >= 2) {
		hu_note(c, "FSD %s", w[1]);
		hu_reply(c, "OK FSD-SET");
	} else if (strcasecmp(w[0], "LOGOUT") == 0) {
		hu_note(c, "LOGOUT");
		hu_reply(c, "OK Goodbye");
		c->closing = 1;
	} else {
		hu_reply(c, "ERR UNKNOWN-COMMAND");
	}
}

/* Complete lines of C's input. */
static void hu_lines(struct hu_conn *c)
{
	char *nl;

	while (c->fd >= 0 && (nl = memchr(c->in, '\n', c->inlen)) != NULL) {
		size_t len = (size_t)(nl - c->in) + 1;
		*nl = '\0';
		if (nl > c->in && nl[-1] == '\r')
			nl[-1] = '\0';
		hu_line(c, c->in);
		memmove(c->in, c->in + len, c->inlen - len);
		c->inlen -= len;
		if (c->ph == P_RAW)	/* what follows STARTTLS is TLS's */
			return;
	}
	if (c->inlen == sizeof(c->in))
		c->inlen = 0;	/* a line too long: dropped */
}

/* The renegotiation asked for in reneg mode is over: say how. */
static void hu_reneg_outcome(struct hu_conn *c, const char *how)
{
	if (c->reneg == 1) {
		c->reneg = 2;
		hu_note(c, "renegotiation %s", how);
	}
}

/* The TLS session of C failed or ended (RC, ERR of SSL_read/SSL_write/SSL_accept). */
static void hu_tls_error(struct hu_conn *c, int rc, int err)
{
	unsigned long e = ERR_peek_error();
	char buf[256] = "";

	if (e)
		ERR_error_string_n(e, buf, sizeof(buf));
	ERR_clear_error();
	if (c->reneg == 1 && ERR_GET_REASON(e) == SSL_R_NO_RENEGOTIATION)
		hu_reneg_outcome(c, "refused by the client");
	hu_close(c, 0, err == SSL_ERROR_ZERO_RETURN ? "close_notify from the client" :
		       err == SSL_ERROR_SYSCALL && rc == 0 ? "end of file" :
		       e ? buf : strerror(errno));
}

/* Write what C has queued; TLS records (or TCP segments) of one byte in tiny mode. */
static void hu_flush(struct hu_conn *c)
{
	c->want_write = 0;
	while (c->fd >= 0 && c->outlen) {
		size_t len = c->wlen ? c->wlen : hu.mode == M_TINY ? 1 : c->outlen;
		ssize_t w;

		if (c->ph == P_TLS) {
			int rc = SSL_write(c->ssl, c->out, (int)(len > (1u << 30) ? 1u << 30 : len));
			if (rc <= 0) {
				int err = SSL_get_error(c->ssl, rc);
				c->wlen = len;
				if (err == SSL_ERROR_WANT_WRITE || err == SSL_ERROR_WANT_READ) {
					c->want_write = err == SSL_ERROR_WANT_WRITE;
					return;
				}
				hu_tls_error(c, rc, err);
				return;
			}
			w = rc;
		} else {
			w = write(c->fd, c->out, len);
			if (w < 0 && (errno == EAGAIN || errno == EINTR)) {
				c->want_write = 1;
				return;
			}
			if (w < 0) {
				hu_close(c, 0, strerror(errno));
				return;
			}
		}
		c->wlen = 0;
		memmove(c->out, c->out + w, c->outlen - (size_t)w);
		c->outlen -= (size_t)w;
		if (c->flood && c->outlen < 16384 && c->flooded < HU_FLOOD_MAX) {
			for (int i = 0; i < 256; i++)
				hu_reply(c, "VAR %s ups.status \"OL\"", c->ups);
			c->flooded += 256 * 32;
		}
	}
	if (c->fd < 0 || c->outlen)
		return;
	if (c->closing == 1 && c->ph == P_TLS) {
		SSL_shutdown(c->ssl);	/* close_notify */
		hu_close(c, 0, "reply written, close_notify sent");
	} else if (c->closing) {
		hu_close(c, c->closing == 2, "reply written");
	} else if (c->ph == P_RAW && hu.mode != M_CLOSE_HANDSHAKE && hu.mode != M_RST_HANDSHAKE) {
		c->ssl = SSL_new(hu.ctx);
		if (!c->ssl || SSL_set_fd(c->ssl, c->fd) != 1)
			hu_die("cannot make a TLS session");
		SSL_set_accept_state(c->ssl);
		c->ph = P_HANDSHAKE;
	}
}

/* C's socket is readable (or a TLS step waits for it). */
static void hu_read(struct hu_conn *c)
{
	if (c->ph == P_RAW && hu.mode != M_CLOSE_HANDSHAKE && hu.mode != M_RST_HANDSHAKE)
		return;	/* TLS starts once OK STARTTLS is out (hu_flush()) */
	if (c->ph == P_PLAIN || (c->ph == P_RAW && (hu.mode == M_CLOSE_HANDSHAKE || hu.mode == M_RST_HANDSHAKE))) {
		ssize_t n = read(c->fd, c->in + c->inlen, sizeof(c->in) - c->inlen);
		if (n <= 0) {
			if (n < 0 && (errno == EAGAIN || errno == EINTR))
				return;
			hu_close(c, 0, n == 0 ? "end of file" : strerror(errno));
			return;
		}
		if (c->ph == P_RAW) {	/* the ClientHello: the fault comes now */
			static const unsigned char close_notify[] = { 0x15, 0x03, 0x03, 0x00, 0x02, 0x01, 0x00 };
			if (hu.mode == M_CLOSE_HANDSHAKE) {
				if (write(c->fd, close_notify, sizeof(close_notify)) < 0)
					hu_note(c, "write: %s", strerror(errno));
				shutdown(c->fd, SHUT_WR);
				hu_close(c, 0, "close_notify in the handshake");
			} else {
				hu_close(c, 1, "TCP RST in the handshake");
			}
			return;
		}
		c->inlen += (size_t)n;
		/*
		 * upsd reads a ClientHello as text and answers ERR when its
		 * random bytes hold a line feed: here always, at once
		 */
		if (hu.mode == M_CLEAR && (unsigned char)c->in[0] == 0x16) {
			hu_note(c, "a ClientHello on a plain port: ERR UNKNOWN-COMMAND in clear");
			c->inlen = 0;
			hu_reply(c, "ERR UNKNOWN-COMMAND");
			return;
		}
		hu_lines(c);
		return;
	}
	if (c->ph == P_HANDSHAKE) {
		int rc = SSL_accept(c->ssl);
		if (rc == 1) {
			c->ph = P_TLS;
			hu_note(c, "TLS up (%s)", SSL_get_version(c->ssl));
		} else {
			int err = SSL_get_error(c->ssl, rc);
			if (err == SSL_ERROR_WANT_READ && hu.mode == M_RST_HANDSHAKE) {
				hu_close(c, 1, "TCP RST after the server's first flight");
				return;
			}
			if (err != SSL_ERROR_WANT_READ && err != SSL_ERROR_WANT_WRITE)
				hu_tls_error(c, rc, err);
			else
				c->want_write = err == SSL_ERROR_WANT_WRITE;
			return;
		}
	}
	for (;;) {
		int rc = SSL_read(c->ssl, c->in + c->inlen, (int)(sizeof(c->in) - c->inlen));
		if (rc <= 0) {
			int err = SSL_get_error(c->ssl, rc);
			if (err == SSL_ERROR_WANT_READ || err == SSL_ERROR_WANT_WRITE) {
				c->want_write = err == SSL_ERROR_WANT_WRITE;
				break;
			}
			hu_tls_error(c, rc, err);
			return;
		}
		c->inlen += (size_t)rc;
		hu_lines(c);
		if (c->fd < 0 || c->ph != P_TLS)
			return;
	}
	if (c->reneg == 1 && !SSL_renegotiate_pending(c->ssl))
		hu_reneg_outcome(c, "completed: the client accepted it");
}

/* A delayed fault of C is due. */
static void hu_fault(struct hu_conn *c)
{
	c->fault_at = 0;
	switch (hu.mode) {
	case M_DROP:
		hu_close(c, 0, c->login ? "dropped after LOGIN" : "dropped after the first answer");
		break;
	case M_UNSOLICITED:
		hu_note(c, "unsolicited line");
		hu_reply(c, "VAR %s ups.status \"OB\"", c->ups[0] ? c->ups : "ups");
		break;
	case M_RENEG:
		if (c->ph != P_TLS || c->reneg)
			break;
		if (SSL_renegotiate(c->ssl) != 1) {
			hu_note(c, "SSL_renegotiate failed");
			break;
		}
		c->reneg = 1;
		hu_note(c, "renegotiation asked for");
		SSL_do_handshake(c->ssl);	/* sends HelloRequest; the client's answer comes with its data */
		ERR_clear_error();
		break;
	default:
		break;
	}
}

static int hu_listen(const char *portfile)
{
	struct sockaddr_in sin;
	socklen_t len = sizeof(sin);
	int on = 1, fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	char tmp[4096];
	FILE *f;

	if (fd < 0)
		hu_die("socket: %s", strerror(errno));
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on));
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (bind(fd, (struct sockaddr *)&sin, sizeof(sin)) != 0 || listen(fd, 512) != 0 ||
	    getsockname(fd, (struct sockaddr *)&sin, &len) != 0)
		hu_die("listen on 127.0.0.1: %s", strerror(errno));
	if (!portfile) {
		printf("%u\n", ntohs(sin.sin_port));
		fflush(stdout);
		return fd;
	}
	/* written whole, then renamed: a reader never sees half a line */
	snprintf(tmp, sizeof(tmp), "%s.tmp", portfile);
	f = fopen(tmp, "w");
	if (!f || fprintf(f, "%u\n", ntohs(sin.sin_port)) < 0 || fclose(f) != 0 || rename(tmp, portfile) != 0)
		hu_die("%s: %s", portfile, strerror(errno));
	return fd;
}

static void hu_usage(FILE *f)
{
	fprintf(f, "usage: hostile-upsd -c CERT -k KEY [-m MODE] [-s STATUS] [-f PORTFILE] [-l LOG]\n"
		   "                    [-t SECONDS] [-w PID]\n"
		   "Listen on a free port of 127.0.0.1 (written to PORTFILE, or standard output),\n"
		   "speak NUT with STARTTLS for any UPS name, and misbehave as MODE says.\n"
		   "LOG records connections, logins and faults, one line each with the time.\n"
		   "Exit on SIGTERM, after SECONDS (default 600), or when PID is gone.\nModes:\n");
	for (size_t i = 0; i < sizeof(hu_modes) / sizeof(hu_modes[0]); i++)
		fprintf(f, "  %-20s %s\n", hu_modes[i].name, hu_modes[i].what);
}

/* The TLS context: CERT and KEY, TLS 1.2 at least (at most, for a renegotiation). */
static void hu_tls(const char *cert, const char *key)
{
	hu.ctx = SSL_CTX_new(TLS_server_method());
	if (!hu.ctx || SSL_CTX_use_certificate_chain_file(hu.ctx, cert) != 1 ||
	    SSL_CTX_use_PrivateKey_file(hu.ctx, key, SSL_FILETYPE_PEM) != 1)
		hu_die("cannot load %s and %s", cert, key);
	SSL_CTX_set_min_proto_version(hu.ctx, TLS1_2_VERSION);
	if (hu.mode == M_RENEG)
		SSL_CTX_set_max_proto_version(hu.ctx, TLS1_2_VERSION);
	SSL_CTX_set_mode(hu.ctx, SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
	SSL_CTX_set_options(hu.ctx, SSL_OP_NO_TICKET);
}

int main(int argc, char **argv)
{
	const char *cert = NULL, *key = NULL, *portfile = NULL;
	struct hu_conn **cv = NULL;
	struct pollfd *pv = NULL;
	size_t nc = 0, cap = 0;
	double deadline;
	long lifetime = 600;
	pid_t watch = getppid();
	struct rlimit rl;
	struct sigaction sa;
	int opt, lfd;

	while ((opt = getopt(argc, argv, "c:f:hk:l:m:s:t:w:")) != -1) {
		switch (opt) {
		case 'c':
			cert = optarg;
			break;
		case 'k':
			key = optarg;
			break;
		case 'f':
			portfile = optarg;
			break;
		case 'l':
			hu.log = fopen(optarg, "a");
			if (!hu.log)
				hu_die("%s: %s", optarg, strerror(errno));
			break;
		case 'm': {
			size_t i;
			for (i = 0; i < sizeof(hu_modes) / sizeof(hu_modes[0]); i++)
				if (strcmp(optarg, hu_modes[i].name) == 0)
					break;
			if (i == sizeof(hu_modes) / sizeof(hu_modes[0]))
				hu_die("unknown mode '%s' (-h lists them)", optarg);
			hu.mode = (enum hu_mode)i;
			break;
		}
		case 's':
			hu.status = optarg;
			break;
		case 't':
			lifetime = atol(optarg);
			break;
		case 'w':
			watch = (pid_t)atol(optarg);
			break;
		case 'h':
			hu_usage(stdout);
			return 0;
		default:
			hu_usage(stderr);
			return 2;
		}
	}
	if (!cert || !key || optind != argc) {
		hu_usage(stderr);
		return 2;
	}
	/* as many clients as the hard limit allows (the file descriptor tests make hundreds) */
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = hu_on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	hu_tls(cert, key);
	hu.t0 = hu_now();
	deadline = hu.t0 + (double)lifetime;
	lfd = hu_listen(portfile);
	hu_note(NULL, "listening, mode %s", hu_modes[hu.mode].name);
	while (!hu_stop && hu_now() < deadline && (kill(watch, 0) == 0 || errno != ESRCH)) {
		double now = hu_now(), next = now + 1;
		size_t k = 0;

		if (cap < nc + 1) {
			cap = 2 * (nc + 1);
			pv = realloc(pv, cap * sizeof(*pv));
			if (!pv)
				hu_die("out of memory");
		}
		pv[k++] = (struct pollfd){ lfd, POLLIN, 0 };
		for (size_t i = 0; i < nc; i++) {
			struct hu_conn *c = cv[i];
			short ev = POLLIN;
			if (c->outlen || c->want_write)
				ev |= POLLOUT;
			pv[k++] = (struct pollfd){ c->fd, ev, 0 };
			if (c->fault_at > 0 && c->fault_at < next)
				next = c->fault_at;
		}
		if (poll(pv, k, (int)((next - now) * 1000) + 1) < 0 && errno != EINTR)
			hu_die("poll: %s", strerror(errno));
		for (size_t i = 0; i < nc; i++) {
			struct hu_conn *c = cv[i];
			short re = pv[i + 1].revents;
			if (c->fd >= 0 && (re & (POLLIN | POLLHUP | POLLERR)))
				hu_read(c);
			if (c->fd >= 0 && c->fault_at > 0 && hu_now() >= c->fault_at)
				hu_fault(c);
			if (c->fd >= 0 && (c->outlen || c->ph == P_RAW || (c->want_write && (re & POLLOUT))))
				hu_flush(c);
			if (c->fd >= 0 && c->ph == P_HANDSHAKE && c->want_write && (re & POLLOUT))
				hu_read(c);
		}
		/* the closed ones go */
		for (size_t i = 0; i < nc;) {
			if (cv[i]->fd < 0) {
				free(cv[i]);
				cv[i] = cv[--nc];
			} else {
				i++;
			}
		}
		if (pv[0].revents & POLLIN) {
			int fd;
			while ((fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC)) >= 0) {
				struct hu_conn *c = calloc(1, sizeof(*c));
				int one = 1;
				if (!c)
					hu_die("out of memory");
				setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
				c->fd = fd;
				c->id = (int)++hu.conns;
				cv = realloc(cv, (nc + 1) * sizeof(*cv));
				if (!cv)
					hu_die("out of memory");
				cv[nc++] = c;
				hu_note(c, "accepted");
			}
		}
	}
	for (size_t i = 0; i < nc; i++) {
		hu_close(cv[i], 0, "server stopping");
		free(cv[i]);
	}
	free(cv);
	free(pv);
	SSL_CTX_free(hu.ctx);
	hu_note(NULL, "stopped");
	return 0;
}
