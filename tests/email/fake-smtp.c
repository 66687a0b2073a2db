/* SPDX-License-Identifier: GPL-2.0-or-later */
/* fake-smtp.c - test-only SMTP server on 127.0.0.1 (one connection at a time, optional TLS and AUTH) that records what it receives. */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/ssl.h>

#define FS_BUF 16384		/* longest line read at once; longer lines come in pieces */
#define FS_MSG_MAX (4u << 20)	/* largest message kept */

enum fs_tls { FS_TLS_NONE, FS_TLS_STARTTLS, FS_TLS_IMPLICIT };

static struct {
	enum fs_tls tls;
	const char *cert, *key, *user, *pass, *mechs, *out;
	int reject_rcpt, hang, stall_data, stall_quit, count, max_seconds;
} opt = { .mechs = "PLAIN LOGIN", .max_seconds = 60 };

static SSL_CTX *ctx;
static FILE *out;
static int messages;

/* One client connection. */
struct fs_conn {
	int fd;
	SSL *ssl;
	char buf[FS_BUF];
	size_t len, off;
};

static void die(const char *fmt, ...)
{
	va_list ap;

	fputs("fake-smtp: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(2);
}

/* A line of the record (--out), flushed at once. */
static void note(const char *fmt, ...)
{
	va_list ap;

	if (!out)
		return;
	va_start(ap, fmt);
	vfprintf(out, fmt, ap);
	va_end(ap);
	fputc('\n', out);
	fflush(out);
}

static int c_write(struct fs_conn *c, const char *s, size_t n)
{
	ssize_t w;

	while (n) {
		if (c->ssl) {
			int r = SSL_write(c->ssl, s, (int)n);

			if (r <= 0)
				return -1;
			w = r;
		} else {
			w = write(c->fd, s, n);
			if (w < 0 && errno == EINTR)
				continue;
			if (w <= 0)
				return -1;
		}
		s += w;
		n -= (size_t)w;
	}
	return 0;
}

static __attribute__((format(printf, 2, 3)))
int reply(struct fs_conn *c, const char *fmt, ...)
{
	char line[1024];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(line, sizeof line - 2, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n > sizeof line - 3)
		n = (int)sizeof line - 3;
	memcpy(line + n, "\r\n", 2);
	return c_write(c, line, (size_t)n + 2);
}

/*
 * Next piece of input into LINE (at most FS_BUF bytes): a whole line with
 * its "\n" (*complete = 1) or, for a longer line, a piece of it.  Returns
 * its length, -1 at end of input or on error.
 */
static long c_getline(struct fs_conn *c, char *line, int *complete)
{
	char *nl;
	size_t n;
	ssize_t r;

	for (;;) {
		nl = memchr(c->buf + c->off, '\n', c->len - c->off);
		if (nl || c->len - c->off == sizeof c->buf) {
			n = nl ? (size_t)(nl - (c->buf + c->off)) + 1 : c->len - c->off;
			memcpy(line, c->buf + c->off, n);
			c->off += n;
			*complete = nl != NULL;
			return (long)n;
		}
		if (c->off) {
			memmove(c->buf, c->buf + c->off, c->len - c->off);
			c->len -= c->off;
			c->off = 0;
		}
		if (c->ssl) {
			int k = SSL_read(c->ssl, c->buf + c->len, (int)(sizeof c->buf - c->len));

			r = k > 0 ? k : -1;
		} else {
			do
				r = read(c->fd, c->buf + c->len, sizeof c->buf - c->len);
			while (r < 0 && errno == EINTR);
		}
		if (r <= 0)
			return -1;
		c->len += (size_t)r;
	}
}

/* A command line without its CR LF, NUL-terminated; -1 at end of input. */
static long c_command(struct fs_conn *c, char *line, int *toolong)
{
	int complete;
	long n;

	*toolong = 0;
	for (;;) {
		n = c_getline(c, line, &complete);
		if (n < 0)
			return -1;
		if (complete)
			break;
		*toolong = 1;
	}
	while (n && (line[n - 1] == '\n' || line[n - 1] == '\r'))
		n--;
	line[n] = '\0';
	return n;
}

static int b64val(int ch)
{
	const char *tab = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	const char *p = ch ? strchr(tab, ch) : NULL;

	return p ? (int)(p - tab) : -1;
}

/* Decode base64 S into OUT (NUL-terminated, room for strlen(S) bytes); its length, -1 when malformed. */
static long b64decode(const char *s, char *out)
{
	unsigned acc = 0;
	int bits = 0, v;
	long n = 0;

	for (; *s && *s != '='; s++) {
		v = b64val((unsigned char)*s);
		if (v < 0)
			return -1;
		acc = acc << 6 | (unsigned)v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			out[n++] = (char)(acc >> bits & 0xff);
		}
	}
	out[n] = '\0';
	return n;
}

static int mech_offered(const char *mech)
{
	size_t n = strlen(mech);
	const char *p = opt.mechs;

	while ((p = strstr(p, mech)) != NULL) {
		if ((p == opt.mechs || p[-1] == ' ') && (p[n] == ' ' || p[n] == '\0'))
			return 1;
		p += n;
	}
	return 0;
}

/* A SASL response line into LINE; -1 on end of input, 1 when the client cancelled ("*"). */
static int sasl_read(struct fs_conn *c, char *line)
{
	int toolong;

	if (c_command(c, line, &toolong) < 0)
		return -1;
	return strcmp(line, "*") == 0 ? 1 : 0;
}

/* AUTH ARG (mechanism and optional initial response): 1 authenticated, 0 not, -1 connection lost. */
static int do_auth(struct fs_conn *c, char *arg, char *line)
{
	static char dec[FS_BUF], user[FS_BUF], pass[FS_BUF];
	char *mech = arg, *ir = strchr(arg, ' ');
	long n;
	int r, ok;

	if (ir)
		*ir++ = '\0';
	if (!opt.user || !mech_offered(mech)) {
		reply(c, "504 5.5.4 Unrecognized authentication type");
		return 0;
	}
	user[0] = pass[0] = '\0';
	if (strcasecmp(mech, "PLAIN") == 0) {
		if (!ir) {
			reply(c, "334 ");
			if ((r = sasl_read(c, line)) != 0)
				goto cancelled;
			ir = line;
		}
		n = strcmp(ir, "=") == 0 ? 0 : b64decode(ir, dec);
		if (n < 0) {
			reply(c, "501 5.5.2 Cannot decode response");
			return 0;
		}
		/* authzid NUL authcid NUL passwd */
		{
			char *u = memchr(dec, '\0', (size_t)n), *p = u ? memchr(u + 1, '\0', (size_t)(dec + n - u - 1)) : NULL;

			if (u && p) {
				snprintf(user, sizeof user, "%s", u + 1);
				snprintf(pass, sizeof pass, "%.*s", (int)(dec + n - p - 1), p + 1);
			}
		}
	} else {
		if (ir) {
			if (b64decode(ir, user) < 0)
				user[0] = '\0';
		} else {
			reply(c, "334 VXNlcm5hbWU6");
			if ((r = sasl_read(c, line)) != 0)
				goto cancelled;
			if (b64decode(line, user) < 0)
				user[0] = '\0';
		}
		reply(c, "334 UGFzc3dvcmQ6");
		if ((r = sasl_read(c, line)) != 0)
			goto cancelled;
		if (b64decode(line, pass) < 0)
			pass[0] = '\0';
	}
	ok = strcmp(user, opt.user) == 0 && strcmp(pass, opt.pass) == 0;
	note("AUTH %s tls=%d user=%s %s", mech, c->ssl != NULL, user, ok ? "ok" : "bad");
	if (ok)
		reply(c, "235 2.7.0 Authentication successful");
	else
		reply(c, "535 5.7.8 Authentication credentials invalid");
	return ok;
cancelled:
	if (r < 0)
		return -1;
	note("AUTH %s cancelled", mech);
	reply(c, "501 5.7.0 Authentication cancelled");
	return 0;
}

/* The address between < and > after "FROM:" or "TO:" in ARG, copied to DST; -1 when missing. */
static int path_of(const char *arg, char *dst, size_t len)
{
	const char *lt = strchr(arg, '<'), *gt = lt ? strchr(lt, '>') : NULL;

	if (!gt)
		return -1;
	snprintf(dst, len, "%.*s", (int)(gt - lt - 1), lt + 1);
	return 0;
}

/* DATA: read up to the terminating dot, un-stuff the lines and record the message. */
static int do_data(struct fs_conn *c, char *line)
{
	static char msg[FS_MSG_MAX];
	size_t len = 0;
	int complete, bol = 1, big = 0;
	long n;
	char *p;

	reply(c, "354 End data with <CR><LF>.<CR><LF>");
	for (;;) {
		n = c_getline(c, line, &complete);
		if (n < 0)
			return -1;
		p = line;
		if (bol && complete && n == 3 && memcmp(line, ".\r\n", 3) == 0)
			break;
		if (bol && *p == '.') {
			p++;
			n--;
		}
		if (len + (size_t)n <= sizeof msg) {
			memcpy(msg + len, p, (size_t)n);
			len += (size_t)n;
		} else {
			big = 1;
		}
		bol = complete;
	}
	if (big) {
		reply(c, "552 5.3.4 Message too big");
		return 0;
	}
	if (out) {
		fputs("DATA\n", out);
		fwrite(msg, 1, len, out);
		fputs("END\n", out);
		fflush(out);
	}
	messages++;
	if (opt.stall_data) {	/* never acknowledge the message */
		note("STALL");
		while (c_getline(c, line, &complete) >= 0)
			;
		return -1;
	}
	return reply(c, "250 2.0.0 Ok: queued as %d", messages);
}

static int start_tls(struct fs_conn *c)
{
	c->ssl = SSL_new(ctx);
	if (!c->ssl || !SSL_set_fd(c->ssl, c->fd) || SSL_accept(c->ssl) != 1) {
		note("TLS handshake failed");
		ERR_clear_error();
		return -1;
	}
	return 0;
}

/* Talk SMTP with the client on C until it quits or goes away. */
static void session(struct fs_conn *c)
{
	static char line[FS_BUF + 1], arg[FS_BUF + 1];
	int ehlo = 0, authed = 0, mail = 0, rcpts = 0, toolong;
	char *sp;

	if (opt.tls == FS_TLS_IMPLICIT && start_tls(c))
		return;
	if (reply(c, "220 fake-smtp ESMTP ready"))
		return;
	while (c_command(c, line, &toolong) >= 0) {
		if (toolong) {
			reply(c, "500 5.5.2 Line too long");
			continue;
		}
		sp = strchr(line, ' ');
		snprintf(arg, sizeof arg, "%s", sp ? sp + 1 : "");
		if (sp)
			*sp = '\0';
		if (strcasecmp(line, "EHLO") == 0) {
			note("EHLO %s tls=%d", arg, c->ssl != NULL);
			ehlo = 1;
			mail = rcpts = 0;
			reply(c, "250-fake-smtp greets %s", arg);
			reply(c, "250-8BITMIME");
			if (opt.tls == FS_TLS_STARTTLS && !c->ssl)
				reply(c, "250-STARTTLS");
			if (opt.user)
				reply(c, "250-AUTH %s", opt.mechs);
			reply(c, "250 HELP");
		} else if (strcasecmp(line, "HELO") == 0) {
			note("HELO %s tls=%d", arg, c->ssl != NULL);
			ehlo = 1;
			mail = rcpts = 0;
			reply(c, "250 fake-smtp");
		} else if (strcasecmp(line, "STARTTLS") == 0) {
			if (opt.tls != FS_TLS_STARTTLS || c->ssl) {
				reply(c, "502 5.5.1 STARTTLS not available");
				continue;
			}
			note("STARTTLS");
			reply(c, "220 2.0.0 Ready to start TLS");
			c->off = c->len = 0;	/* nothing sent before the handshake counts */
			if (start_tls(c))
				return;
			ehlo = authed = mail = rcpts = 0;
		} else if (strcasecmp(line, "AUTH") == 0) {
			int r;

			if (!ehlo || authed) {
				reply(c, "503 5.5.1 Bad sequence of commands");
				continue;
			}
			note("AUTH-COMMAND tls=%d", c->ssl != NULL);
			r = do_auth(c, arg, line);
			if (r < 0)
				return;
			authed = r;
		} else if (strcasecmp(line, "MAIL") == 0) {
			char path[1024];

			if (!ehlo) {
				reply(c, "503 5.5.1 Send EHLO first");
			} else if (opt.user && !authed) {
				note("MAIL refused: not authenticated");
				reply(c, "530 5.7.0 Authentication required");
			} else if (strncasecmp(arg, "FROM:", 5) || path_of(arg, path, sizeof path)) {
				reply(c, "501 5.5.4 Syntax: MAIL FROM:<address>");
			} else {
				note("MAIL FROM:<%s>", path);
				mail = 1;
				rcpts = 0;
				reply(c, "250 2.1.0 Ok");
			}
		} else if (strcasecmp(line, "RCPT") == 0) {
			char path[1024];

			if (!mail) {
				reply(c, "503 5.5.1 Need MAIL first");
			} else if (strncasecmp(arg, "TO:", 3) || path_of(arg, path, sizeof path)) {
				reply(c, "501 5.5.4 Syntax: RCPT TO:<address>");
			} else if (opt.reject_rcpt) {
				note("RCPT TO:<%s> rejected", path);
				reply(c, "550 5.1.1 <%s>: Recipient address rejected: User unknown", path);
			} else {
				note("RCPT TO:<%s>", path);
				rcpts++;
				reply(c, "250 2.1.5 Ok");
			}
		} else if (strcasecmp(line, "DATA") == 0) {
			if (!rcpts) {
				reply(c, "503 5.5.1 Need RCPT first");
				continue;
			}
			if (do_data(c, line) < 0)
				return;
			mail = rcpts = 0;
		} else if (strcasecmp(line, "RSET") == 0) {
			mail = rcpts = 0;
			reply(c, "250 2.0.0 Ok");
		} else if (strcasecmp(line, "NOOP") == 0) {
			reply(c, "250 2.0.0 Ok");
		} else if (strcasecmp(line, "QUIT") == 0) {
			note("QUIT");
			if (opt.stall_quit) {	/* never say goodbye */
				int complete;

				note("STALL");
				while (c_getline(c, line, &complete) >= 0)
					;
				return;
			}
			reply(c, "221 2.0.0 Bye");
			return;
		} else {
			reply(c, "502 5.5.2 Command not recognized");
		}
	}
}

static void usage(void)
{
	fputs("usage: fake-smtp [--tls implicit|starttls|none] [--cert F --key F] [--auth USER:PASS]\n"
	      "                 [--mechs \"PLAIN LOGIN\"] [--reject-rcpt] [--hang] [--stall-data]\n"
	      "                 [--stall-quit] [--out FILE]"
	      " [--count N] [--max-seconds N] PORT\n"
	      "PORT 0: a free port; the port is printed on the first line of standard output\n"
	      , stderr);
	exit(2);
}

static void parse_args(int argc, char **argv, unsigned *port)
{
	static const struct option lo[] = {
		{ "tls", required_argument, NULL, 't' }, { "cert", required_argument, NULL, 'c' },
		{ "key", required_argument, NULL, 'k' }, { "auth", required_argument, NULL, 'a' },
		{ "mechs", required_argument, NULL, 'm' }, { "reject-rcpt", no_argument, NULL, 'r' },
		{ "hang", no_argument, NULL, 'h' }, { "stall-data", no_argument, NULL, 'd' },
		{ "stall-quit", no_argument, NULL, 'q' }, { "out", required_argument, NULL, 'o' },
		{ "count", required_argument, NULL, 'n' }, { "max-seconds", required_argument, NULL, 's' },
		{ NULL, 0, NULL, 0 }
	};
	char *colon, *end;
	int ch;

	while ((ch = getopt_long(argc, argv, "", lo, NULL)) != -1) {
		switch (ch) {
		case 't':
			if (strcmp(optarg, "implicit") == 0)
				opt.tls = FS_TLS_IMPLICIT;
			else if (strcmp(optarg, "starttls") == 0)
				opt.tls = FS_TLS_STARTTLS;
			else if (strcmp(optarg, "none") == 0)
				opt.tls = FS_TLS_NONE;
			else
				usage();
			break;
		case 'c': opt.cert = optarg; break;
		case 'k': opt.key = optarg; break;
		case 'a':
			colon = strchr(optarg, ':');
			if (!colon)
				usage();
			*colon = '\0';
			opt.user = optarg;
			opt.pass = colon + 1;
			break;
		case 'm': opt.mechs = optarg; break;
		case 'r': opt.reject_rcpt = 1; break;
		case 'h': opt.hang = 1; break;
		case 'd': opt.stall_data = 1; break;
		case 'q': opt.stall_quit = 1; break;
		case 'o': opt.out = optarg; break;
		case 'n': opt.count = atoi(optarg); break;
		case 's': opt.max_seconds = atoi(optarg); break;
		default: usage();
		}
	}
	if (optind + 1 != argc)
		usage();
	*port = (unsigned)strtoul(argv[optind], &end, 10);
	if (*end || *port > 65535)
		usage();
	if (opt.tls != FS_TLS_NONE && (!opt.cert || !opt.key))
		die("--tls %s needs --cert and --key", opt.tls == FS_TLS_IMPLICIT ? "implicit" : "starttls");
}

int main(int argc, char **argv)
{
	struct sockaddr_in sa = { 0 };
	socklen_t sl = sizeof sa;
	struct timeval tv = { .tv_sec = 20 };
	struct fs_conn *c;
	unsigned port;
	int ls, one = 1;

	parse_args(argc, argv, &port);
	signal(SIGPIPE, SIG_IGN);
	alarm(opt.max_seconds > 0 ? (unsigned)opt.max_seconds : 60);	/* never left running */
	if (opt.out && !(out = fopen(opt.out, "w")))
		die("%s: %s", opt.out, strerror(errno));
	if (opt.tls != FS_TLS_NONE) {
		ctx = SSL_CTX_new(TLS_server_method());
		if (!ctx || SSL_CTX_use_certificate_chain_file(ctx, opt.cert) != 1
		    || SSL_CTX_use_PrivateKey_file(ctx, opt.key, SSL_FILETYPE_PEM) != 1)
			die("cannot load %s / %s", opt.cert, opt.key);
	}
	ls = socket(AF_INET, SOCK_STREAM, 0);
	if (ls < 0)
		die("socket: %s", strerror(errno));
	setsockopt(ls, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	sa.sin_family = AF_INET;
	sa.sin_port = htons((unsigned short)port);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (bind(ls, (struct sockaddr *)&sa, sizeof sa) || listen(ls, 8)
	    || getsockname(ls, (struct sockaddr *)&sa, &sl))
		die("127.0.0.1:%u: %s", port, strerror(errno));
	printf("%u\n", ntohs(sa.sin_port));
	fflush(stdout);
	c = malloc(sizeof *c);
	if (!c)
		die("out of memory");
	for (;;) {
		int fd = accept(ls, NULL, NULL);

		if (fd < 0) {
			if (errno == EINTR)
				continue;
			die("accept: %s", strerror(errno));
		}
		setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
		note("CONNECT");
		memset(c, 0, sizeof *c);
		c->fd = fd;
		if (opt.hang) {
			note("HANG");
			while (read(fd, c->buf, sizeof c->buf) > 0)
				;
		} else {
			session(c);
		}
		if (c->ssl) {
			SSL_shutdown(c->ssl);
			SSL_free(c->ssl);
		}
		close(fd);
		note("CLOSE");
		if (opt.count > 0 && messages >= opt.count)
			break;
	}
	free(c);
	close(ls);
	SSL_CTX_free(ctx);
	if (out)
		fclose(out);
	return 0;
}
