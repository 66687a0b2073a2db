/* SPDX-License-Identifier: GPL-2.0-or-later */
/* nut-probe.c - test helper: talk to a NUT server in plain TCP, STARTTLS or direct TLS, verify its certificate, send command lines, print the replies. */
#define _XOPEN_SOURCE 700	/* POSIX.1-2008 (getaddrinfo, getopt), also under -std=c99 */
#include "config.h"

#include <errno.h>
#include <netdb.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

/* exit statuses (documented in usage) */
#define EX_OK		0
#define EX_USAGE	1
#define EX_CONNECT	2
#define EX_STARTTLS	3
#define EX_TLS		4
#define EX_IO		5

#define LINE_MAX_LEN	1024

struct conn {
	int fd;
	SSL *ssl;		/* NULL while plain */
};

static void
usage(FILE *f)
{
	fprintf(f,
	    "usage: nut-probe [-m starttls|direct|plain] [-A CAFILE] [-n NAME]\n"
	    "                 [-c CERT -k KEY] [-t SECONDS] [-w SECONDS] [-q] HOST PORT [LINE...]\n"
	    "Connect to a NUT server (upsd, or a TLS front end of it), set up the\n"
	    "transport, send each LINE (default: VER) and print the replies on\n"
	    "standard output (a BEGIN LIST reply up to its END LIST).\n"
	    "  -m starttls  send STARTTLS in plain text, expect OK STARTTLS, then TLS\n"
	    "               on the same socket (default)\n"
	    "  -m direct    TLS from the first byte (an stunnel front end)\n"
	    "  -m plain     no TLS\n"
	    "  -A CAFILE    verify the server's certificate against the PEM file\n"
	    "               (without it the certificate is not checked)\n"
	    "  -n NAME      the name (or IP address) the certificate must be valid for;\n"
	    "               also sent as SNI if it is a name (default: HOST)\n"
	    "  -c, -k       client certificate and key (PEM)\n"
	    "  -t SECONDS   timeout of connect and of every read and write (default 5)\n"
	    "  -q           no transport summary on standard error\n"
	    "  -w SECONDS   after the replies, keep the connection open that long\n"
	    "               (e.g. a LOGIN that upsd counts in NUMLOGINS until then)\n"
	    "Exit status: 0 every LINE got a reply, 1 usage, 2 cannot connect,\n"
	    "3 STARTTLS refused (the reply is printed), 4 TLS handshake or certificate\n"
	    "verification failed, 5 read/write error, end of stream or timeout\n"
	    "(with TLS 1.3 a server that refuses the client certificate sends its\n"
	    "alert after the handshake: that is a 5, with the alert on stderr).\n");
}

static void
tls_errors(const char *what)
{
	unsigned long e;
	char buf[256];

	fprintf(stderr, "nut-probe: %s", what);
	while ((e = ERR_get_error()) != 0) {
		ERR_error_string_n(e, buf, sizeof(buf));
		fprintf(stderr, ": %s", buf);
	}
	fputc('\n', stderr);
}

static int
is_ip(const char *s)
{
	unsigned char buf[16];

	return inet_pton(AF_INET, s, buf) == 1 || inet_pton(AF_INET6, s, buf) == 1;
}

static int
dial(const char *host, const char *port, int timeout)
{
	struct addrinfo hints, *res, *ai;
	struct timeval tv;
	int fd, rc;

	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	rc = getaddrinfo(host, port, &hints, &res);
	if (rc != 0) {
		fprintf(stderr, "nut-probe: %s port %s: %s\n", host, port, gai_strerror(rc));
		return -1;
	}
	fd = -1;
	for (ai = res; ai != NULL; ai = ai->ai_next) {
		fd = socket(ai->ai_family, ai->ai_socktype, ai->ai_protocol);
		if (fd < 0)
			continue;
		/* the timeouts apply to connect() too, and later to every SSL read/write */
		tv.tv_sec = timeout;
		tv.tv_usec = 0;
		setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
		setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
		if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0)
			break;
		fprintf(stderr, "nut-probe: connect %s port %s: %s\n", host, port, strerror(errno));
		close(fd);
		fd = -1;
	}
	freeaddrinfo(res);
	return fd;
}

static int
conn_write(struct conn *c, const char *buf, size_t len)
{
	ssize_t n;
	char ch;
	int r, saved;

	while (len > 0) {
		if (c->ssl != NULL) {
			errno = 0;
			r = SSL_write(c->ssl, buf, (int)len);
			if (r <= 0) {
				saved = errno;
				/*
				 * With TLS 1.3 a server that rejects our client
				 * certificate says so after the handshake: its
				 * alert may be waiting to be read.
				 */
				if (ERR_peek_error() == 0)
					(void)SSL_read(c->ssl, &ch, 1);
				if (ERR_peek_error() == 0 && saved != 0)
					fprintf(stderr, "nut-probe: TLS write failed: %s\n",
					    saved == EAGAIN || saved == EWOULDBLOCK ? "timeout" : strerror(saved));
				else
					tls_errors("TLS write failed");
				return -1;
			}
			n = r;
		} else {
			n = write(c->fd, buf, len);
			if (n < 0 && errno == EINTR)
				continue;
			if (n < 0) {
				fprintf(stderr, "nut-probe: write: %s\n",
				    errno == EAGAIN ? "timeout" : strerror(errno));
				return -1;
			}
		}
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

/*
 * Read one line, byte by byte: before STARTTLS no byte of the TLS handshake
 * that follows OK STARTTLS may be swallowed by a read-ahead buffer.
 */
static int
conn_readline(struct conn *c, char *line, size_t size)
{
	size_t len;
	ssize_t n;
	char ch;
	int r, err;

	len = 0;
	for (;;) {
		if (c->ssl != NULL) {
			errno = 0;
			r = SSL_read(c->ssl, &ch, 1);
			if (r <= 0) {
				err = SSL_get_error(c->ssl, r);
				if (err == SSL_ERROR_ZERO_RETURN)
					fprintf(stderr, "nut-probe: end of stream (TLS close)\n");
				else if (err == SSL_ERROR_SYSCALL && (errno == EAGAIN || errno == EWOULDBLOCK))
					fprintf(stderr, "nut-probe: read: timeout\n");
				else if (err == SSL_ERROR_SYSCALL && ERR_peek_error() == 0)
					fprintf(stderr, "nut-probe: end of stream (no TLS close)\n");
				else
					tls_errors("TLS read failed");
				return -1;
			}
			n = r;
		} else {
			n = read(c->fd, &ch, 1);
			if (n < 0 && errno == EINTR)
				continue;
			if (n < 0) {
				fprintf(stderr, "nut-probe: read: %s\n",
				    errno == EAGAIN || errno == EWOULDBLOCK ? "timeout" : strerror(errno));
				return -1;
			}
			if (n == 0) {
				fprintf(stderr, "nut-probe: end of stream\n");
				return -1;
			}
		}
		if (ch == '\n')
			break;
		if (len + 1 < size)
			line[len++] = ch;
	}
	if (len > 0 && line[len - 1] == '\r')
		len--;
	line[len] = '\0';
	return 0;
}

static SSL_CTX *
make_ctx(const char *cafile, const char *cert, const char *key)
{
	SSL_CTX *ctx;

	ctx = SSL_CTX_new(TLS_client_method());
	if (ctx == NULL) {
		tls_errors("SSL_CTX_new");
		return NULL;
	}
	SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
	if (cafile != NULL) {
		if (SSL_CTX_load_verify_locations(ctx, cafile, NULL) != 1) {
			tls_errors("cannot load the CA file");
			SSL_CTX_free(ctx);
			return NULL;
		}
		SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, NULL);
	} else {
		SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, NULL);
	}
	if (cert != NULL) {
		if (SSL_CTX_use_certificate_chain_file(ctx, cert) != 1 ||
		    SSL_CTX_use_PrivateKey_file(ctx, key, SSL_FILETYPE_PEM) != 1 ||
		    SSL_CTX_check_private_key(ctx) != 1) {
			tls_errors("cannot load the client certificate or key");
			SSL_CTX_free(ctx);
			return NULL;
		}
	}
	return ctx;
}

static int
start_tls(struct conn *c, SSL_CTX *ctx, const char *name, int verify, int quiet)
{
	X509_VERIFY_PARAM *param;
	X509 *peer;
	char subject[256];
	long vr;

	c->ssl = SSL_new(ctx);
	if (c->ssl == NULL) {
		tls_errors("SSL_new");
		return -1;
	}
	SSL_set_fd(c->ssl, c->fd);
	if (!is_ip(name))
		SSL_set_tlsext_host_name(c->ssl, name);
	if (verify) {
		param = SSL_get0_param(c->ssl);
		if (is_ip(name)) {
			if (X509_VERIFY_PARAM_set1_ip_asc(param, name) != 1) {
				tls_errors("bad IP address for -n");
				return -1;
			}
		} else if (SSL_set1_host(c->ssl, name) != 1) {
			tls_errors("bad name for -n");
			return -1;
		}
	}
	if (SSL_connect(c->ssl) != 1) {
		vr = SSL_get_verify_result(c->ssl);
		if (verify && vr != X509_V_OK)
			fprintf(stderr, "nut-probe: certificate verification failed: %s\n",
			    X509_verify_cert_error_string(vr));
		else
			tls_errors("TLS handshake failed");
		SSL_free(c->ssl);
		c->ssl = NULL;
		return -1;
	}
	if (!quiet) {
		subject[0] = '\0';
		peer = SSL_get1_peer_certificate(c->ssl);
		if (peer != NULL) {
			X509_NAME_oneline(X509_get_subject_name(peer), subject, sizeof(subject));
			X509_free(peer);
		}
		fprintf(stderr, "nut-probe: %s %s, server certificate %s (%s)\n",
		    SSL_get_version(c->ssl), SSL_get_cipher_name(c->ssl), subject,
		    verify ? "verified" : "not verified");
	}
	return 0;
}

int
main(int argc, char **argv)
{
	const char *mode, *cafile, *name, *cert, *key, *dflt[] = { "VER" };
	const char **lines;
	char line[LINE_MAX_LEN + 2], reply[LINE_MAX_LEN];
	struct conn c;
	SSL_CTX *ctx;
	char *end;
	long timeout, wait_s = 0;
	int ch, i, nlines, quiet, status;

	mode = "starttls";
	cafile = name = cert = key = NULL;
	timeout = 5;
	quiet = 0;
	while ((ch = getopt(argc, argv, "A:c:hk:m:n:qt:w:")) != -1) {
		switch (ch) {
		case 'A':
			cafile = optarg;
			break;
		case 'c':
			cert = optarg;
			break;
		case 'k':
			key = optarg;
			break;
		case 'm':
			mode = optarg;
			if (strcmp(mode, "starttls") != 0 && strcmp(mode, "direct") != 0 &&
			    strcmp(mode, "plain") != 0) {
				fprintf(stderr, "nut-probe: -m wants starttls, direct or plain, not '%s'\n", mode);
				return EX_USAGE;
			}
			break;
		case 'n':
			name = optarg;
			break;
		case 'q':
			quiet = 1;
			break;
		case 't':
			errno = 0;
			timeout = strtol(optarg, &end, 10);
			if (errno != 0 || end == optarg || *end != '\0' || timeout < 1 || timeout > 3600) {
				fprintf(stderr, "nut-probe: -t wants seconds from 1 to 3600, not '%s'\n", optarg);
				return EX_USAGE;
			}
			break;
		case 'w':
			errno = 0;
			wait_s = strtol(optarg, &end, 10);
			if (errno != 0 || end == optarg || *end != '\0' || wait_s < 1 || wait_s > 3600) {
				fprintf(stderr, "nut-probe: -w wants seconds from 1 to 3600, not '%s'\n", optarg);
				return EX_USAGE;
			}
			break;
		case 'h':
			usage(stdout);
			return EX_OK;
		default:
			usage(stderr);
			return EX_USAGE;
		}
	}
	if (argc - optind < 2) {
		fprintf(stderr, "nut-probe: give HOST and PORT\n");
		usage(stderr);
		return EX_USAGE;
	}
	if ((cert == NULL) != (key == NULL)) {
		fprintf(stderr, "nut-probe: -c and -k go together\n");
		return EX_USAGE;
	}
	if (strcmp(mode, "plain") == 0 && (cafile != NULL || cert != NULL || name != NULL)) {
		fprintf(stderr, "nut-probe: -A, -n, -c and -k need -m starttls or -m direct\n");
		return EX_USAGE;
	}
	if (name == NULL)
		name = argv[optind];
	if (argc - optind > 2) {
		lines = (const char **)argv + optind + 2;
		nlines = argc - optind - 2;
	} else {
		lines = dflt;
		nlines = 1;
	}
	for (i = 0; i < nlines; i++)
		if (strlen(lines[i]) > LINE_MAX_LEN || strchr(lines[i], '\n') != NULL) {
			fprintf(stderr, "nut-probe: LINE %d is too long or has a newline\n", i + 1);
			return EX_USAGE;
		}
	signal(SIGPIPE, SIG_IGN);

	ctx = NULL;
	if (strcmp(mode, "plain") != 0) {
		ctx = make_ctx(cafile, cert, key);
		if (ctx == NULL)
			return EX_TLS;
	}
	c.ssl = NULL;
	c.fd = dial(argv[optind], argv[optind + 1], (int)timeout);
	if (c.fd < 0)
		return EX_CONNECT;

	status = EX_OK;
	if (strcmp(mode, "starttls") == 0) {
		if (conn_write(&c, "STARTTLS\n", 9) != 0 || conn_readline(&c, reply, sizeof(reply)) != 0) {
			status = EX_IO;
			goto out;
		}
		if (strcmp(reply, "OK STARTTLS") != 0) {
			printf("%s\n", reply);
			fprintf(stderr, "nut-probe: STARTTLS refused: %s\n", reply);
			status = EX_STARTTLS;
			goto out;
		}
	}
	if (ctx != NULL && start_tls(&c, ctx, name, cafile != NULL, quiet) != 0) {
		status = EX_TLS;
		goto out;
	}
	if (!quiet && ctx == NULL)
		fprintf(stderr, "nut-probe: plain TCP\n");

	for (i = 0; i < nlines && status == EX_OK; i++) {
		snprintf(line, sizeof(line), "%s\n", lines[i]);
		if (conn_write(&c, line, strlen(line)) != 0 || conn_readline(&c, reply, sizeof(reply)) != 0) {
			status = EX_IO;
			break;
		}
		printf("%s\n", reply);
		if (strncmp(reply, "BEGIN LIST ", 11) != 0)
			continue;
		/* a list: up to and including its END LIST line */
		do {
			if (conn_readline(&c, reply, sizeof(reply)) != 0) {
				status = EX_IO;
				break;
			}
			printf("%s\n", reply);
		} while (strncmp(reply, "END LIST ", 9) != 0);
	}
	fflush(stdout);
	if (status == EX_OK && wait_s > 0) {
		/* held open: the server keeps what this connection holds (a LOGIN) until it closes */
		struct timespec ts = { (time_t)wait_s, 0 };
		while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
			;
	}
out:
	fflush(stdout);
	if (c.ssl != NULL) {
		SSL_shutdown(c.ssl);
		SSL_free(c.ssl);
	}
	close(c.fd);
	SSL_CTX_free(ctx);
	return status;
}
