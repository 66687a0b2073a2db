/* SPDX-License-Identifier: GPL-2.0-or-later */
/* upsd-io.c - the requests of a upsd connection (queued, a poll connection's pipelined in records of at most 512 bytes) and TLS straight on the socket once logged in. */
#include "config.h"

#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/bufferevent_ssl.h>
#include <openssl/err.h>

#include "base/xalloc.h"
#include "runtime/daemon/nut-proto.h"
#include "runtime/daemon/tls.h"
#include "runtime/daemon/upsd-conn-int.h"

static void uc_direct_flush(struct uc *c);
static void uc_direct_cb(evutil_socket_t fd, short what, void *arg);

/* Direct mode: wait for writability too (ON 1) or only for input (ON 0). */
static void uc_direct_wait_write(struct uc *c, int on)
{
	if (c->io_write == on)
		return;
	c->io_write = on;
	event_del(c->io);
	event_assign(c->io, c->base, c->fd, EV_READ | EV_PERSIST | (on ? EV_WRITE : 0), uc_direct_cb, c);
	event_add(c->io, NULL);
}

/* Direct mode: a TLS or socket failure of SSL_read/SSL_write (RC, ERR) as a reason. */
static void uc_direct_fail(struct uc *c, int rc, int err)
{
	char reason[UC_REASON], why[UC_WHY];
	int serr = errno;	/* before ERR_get_error() and friends */
	unsigned long e = ERR_get_error();

	ERR_clear_error();
	if (c->st == UC_CLOSING) {	/* after LOGOUT: closed either way */
		uc_closed(c);
		return;
	}
	if (err == SSL_ERROR_SYSCALL && !e && uc_local_errno(serr)) {
		uc_fail_local(c, serr, "read or write on the connection");
		return;
	}
	if (tls_asked_reneg(c->ssl))
		tls_failure(c->ssl, e, "TLS error", reason, sizeof(reason));
	else if (err == SSL_ERROR_ZERO_RETURN || (err == SSL_ERROR_SYSCALL && rc == 0 && !e))
		snprintf(reason, sizeof(reason), "upsd closed the connection");
	else if (err == SSL_ERROR_SYSCALL && !e)
		snprintf(reason, sizeof(reason), "%s", evutil_socket_error_to_string(serr));
	else
		tls_failure(c->ssl, e, "TLS error", reason, sizeof(reason));
	snprintf(why, sizeof(why), "%s (while %s)", reason, uc_state_name(c->st));
	uc_fail(c, why);
}

/* Direct mode: queue LEN bytes of LINE and write what the socket takes. */
static int uc_direct_write(struct uc *c, const char *line, size_t len)
{
	if (c->outlen + len > c->outcap) {
		c->outcap = c->outlen + len + 256;
		c->out = xrealloc(c->out, c->outcap);
	}
	memcpy(c->out + c->outlen, line, len);
	c->outlen += len;
	if (c->poller)
		event_active(c->flush, EV_TIMEOUT, 0);	/* after the tick has queued every poll */
	else if (!c->io_write)
		uc_direct_flush(c);
	return 0;
}

/* Direct mode: offer the output to SSL_write; what it cannot take now waits for the socket. */
static void uc_direct_flush(struct uc *c)
{
	while (c->outlen) {
		/* a write that must be repeated is repeated with the same length */
		size_t len = c->wlen ? c->wlen : c->outlen;
		int rc;

		if (!c->wlen && c->poller && len > UC_RECORD_MAX) {	/* whole lines, at most 512 bytes */
			const char *nl = memrchr(c->out, '\n', UC_RECORD_MAX);
			len = nl ? (size_t)(nl - c->out) + 1 : UC_RECORD_MAX;
		}
		rc = SSL_write(c->ssl, c->out, (int)len);
		if (rc <= 0) {
			int err = SSL_get_error(c->ssl, rc);
			c->wlen = len;
			if (err == SSL_ERROR_WANT_WRITE || err == SSL_ERROR_WANT_READ) {
				uc_direct_wait_write(c, err == SSL_ERROR_WANT_WRITE);
				return;
			}
			uc_direct_fail(c, rc, err);
			return;
		}
		c->wlen = 0;
		memmove(c->out, c->out + rc, c->outlen - (size_t)rc);
		c->outlen -= (size_t)rc;
	}
	if (!c->poller) {	/* a keepalive every 30 s: no buffer kept for it */
		free(c->out);
		c->out = NULL;
		c->outcap = 0;
	}
	uc_direct_wait_write(c, 0);
}

/* Direct mode: the socket is readable (or writable while output waits). */
static void uc_direct_cb(evutil_socket_t fd, short what, void *arg)
{
	struct uc *c = arg;
	unsigned epoch = c->epoch;

	(void)fd;
	if (c->outlen && (what & EV_WRITE || c->wlen)) {
		uc_direct_flush(c);
		if (c->epoch != epoch)
			return;
	}
	if (!(what & EV_READ))
		return;
#ifdef TCP_QUICKACK
	if (c->want_charge || c->poller) {	/* several replies per poll: see uc_read_cb() */
		int one = 1;
		setsockopt(c->fd, IPPROTO_TCP, TCP_QUICKACK, &one, sizeof(one));
	}
#endif
	for (;;) {
		/* the bytes of an unfinished line wait in c->in: no buffer while idle */
		char buf[UC_INBUF], *nl;
		size_t off = 0, len = c->inlen;
		int rc;
		if (len)
			memcpy(buf, c->in, len);
		rc = SSL_read(c->ssl, buf + len, (int)(UC_INBUF - len));
		if (rc <= 0) {
			int err = SSL_get_error(c->ssl, rc);
			if (err == SSL_ERROR_WANT_READ)
				return;
			if (err == SSL_ERROR_WANT_WRITE) {	/* TLS itself wants to write first */
				uc_direct_wait_write(c, 1);
				return;
			}
			uc_direct_fail(c, rc, err);
			return;
		}
		len += (size_t)rc;
		c->inlen = 0;
		while ((nl = memchr(buf + off, '\n', len - off)) != NULL) {
			*nl = '\0';
			if (uc_line(c, buf + off, (size_t)(nl - (buf + off))) != 0 || c->epoch != epoch)
				return;
			off = (size_t)(nl - buf) + 1;
		}
		if (len - off > NUT_LINE_MAX + 1) {
			uc_fail(c, "upsd sent a line longer than 512 bytes: protocol error");
			return;
		}
		if (len > off) {
			if (!c->in)
				c->in = xrealloc(NULL, UC_INBUF);
			memcpy(c->in, buf + off, len - off);
			c->inlen = len - off;
		} else {
			free(c->in);
			c->in = NULL;
		}
		/*
		 * nothing left in TLS's buffer: the next readiness brings the rest
		 * (no read that would only say EAGAIN)
		 */
		if (!SSL_has_pending(c->ssl))
			return;
	}
}

/*
 * Logged in: leave the bufferevent for direct mode, when nothing is left
 * in its buffers (otherwise it simply stays in use).
 */
void uc_go_direct(struct uc *c)
{
	SSL *ssl;
	evutil_socket_t fd;

	if (!c->bev || !c->bev_tls || evbuffer_get_length(bufferevent_get_input(c->bev)) ||
	    evbuffer_get_length(bufferevent_get_output(c->bev)))
		return;
	ssl = bufferevent_openssl_get_ssl(c->bev);
	fd = bufferevent_getfd(c->bev);
	if (!ssl || fd < 0 || SSL_has_pending(ssl))
		return;
	c->io = event_new(c->base, fd, EV_READ | EV_PERSIST, uc_direct_cb, c);
	if (!c->io)
		return;
	bufferevent_free(c->bev);	/* without CLOSE_ON_FREE: the SSL and the socket stay open */
	c->bev = NULL;
	c->bev_tls = 0;
	c->ssl = ssl;
	tls_settle(ssl);
	c->fd = fd;
	SSL_set_mode(ssl, SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
	SSL_set_read_ahead(ssl, 1);	/* a record in one read, not header then body */
	c->in = NULL;
	c->inlen = 0;
	c->io_write = 0;
	event_add(c->io, NULL);
}

/* Queue a request of a ready poller, for UPS M (NULL: its own). */
static void uc_pq_push(struct uc *c, struct uc *m, enum uc_req r)
{
	if (c->pqn == c->pqcap) {
		unsigned cap = c->pqcap ? 2 * c->pqcap : 64;
		struct uc_pend *v = xcalloc(cap, sizeof(*v));
		for (unsigned i = 0; i < c->pqn; i++)
			v[i] = c->pq[(c->pqhead + i) % c->pqcap];
		free(c->pq);
		c->pq = v;
		c->pqcap = cap;
		c->pqhead = 0;
	}
	c->pq[(c->pqhead + c->pqn++) % c->pqcap] = (struct uc_pend){ m, (uint8_t)r };
}

/* Send the request W (N words) on C, whose reply is for request R of UPS M (a poller's request) or of C. */
int uc_send_for(struct uc *c, struct uc *m, enum uc_req r, int n, const char *const *w)
{
	char line[NUT_LINE_MAX + 2];
	int len = nut_request(line, sizeof(line), n, w);

	if (len < 0)
		return -1;
	if (c->poller && c->st == UC_READY) {
		uc_pq_push(c, m, r);
	} else {
		if (c->qn == UC_QMAX)
			return -1;
		c->q[(c->qhead + c->qn++) % UC_QMAX] = (uint8_t)r;
	}
	c->sent_since_keepalive = 1;
	if (c->ssl)
		return uc_direct_write(c, line, (size_t)len);
	return bufferevent_write(c->bev, line, (size_t)len);
}

int uc_send(struct uc *c, enum uc_req r, int n, const char *const *w)
{
	return uc_send_for(c, NULL, r, n, w);
}

void uc_flush_cb(evutil_socket_t fd, short what, void *arg)
{
	struct uc *c = arg;

	(void)fd;
	(void)what;
	if (c->ssl && c->outlen && !c->io_write)
		uc_direct_flush(c);
}
