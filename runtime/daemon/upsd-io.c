/* SPDX-License-Identifier: GPL-2.0-or-later */
/* upsd-io.c - the transport of a upsd connection: its queue of requests in flight, one line reader and one writer for both modes (libevent's TLS bufferevent while connecting and logging in, TLS straight on the socket once logged in). */
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

#include "base/buf.h"
#include "base/xalloc.h"
#include "runtime/daemon/nut-proto.h"
#include "runtime/daemon/tls.h"
#include "runtime/daemon/upsd-conn-int.h"

int uc_q_push(struct uc_req_q *q, struct uc *m, enum uc_req r)
{
	if (q->max && q->n == q->max)
		return -1;
	if (q->n == q->cap) {
		size_t old = q->cap;
		q->v = xgrow(q->v, &q->cap, q->n + 1, sizeof(*q->v));
		/* the requests that wrapped round to the start follow the old end now (the new size is at least double) */
		if (q->head + q->n > old)
			memcpy(q->v + old, q->v, (q->head + q->n - old) * sizeof(*q->v));
	}
	q->v[(q->head + q->n++) % q->cap] = (struct uc_pend){ m, (uint8_t)r };
	return 0;
}

int uc_q_pop(struct uc_req_q *q, struct uc_pend *pe)
{
	if (q->n == 0)
		return -1;
	*pe = q->v[q->head];
	q->head = (q->head + 1) % q->cap;
	q->n--;
	return 0;
}

const struct uc_pend *uc_q_peek(const struct uc_req_q *q, size_t i)
{
	return i < q->n ? &q->v[(q->head + i) % q->cap] : NULL;
}

void uc_q_forget(struct uc_req_q *q, const struct uc *m)
{
	for (size_t i = 0; i < q->n; i++)
		if (q->v[(q->head + i) % q->cap].m == m)
			q->v[(q->head + i) % q->cap].m = NULL;
}

void uc_q_free(struct uc_req_q *q)
{
	free(q->v);
	q->v = NULL;
	q->cap = q->head = q->n = 0;
}

void uc_close(struct uc_core *k)
{
	k->epoch++;
	if (k->bev) {
		SSL *ssl = k->bev_tls ? bufferevent_openssl_get_ssl(k->bev) : NULL;
		evutil_socket_t fd = k->bev_tls ? bufferevent_getfd(k->bev) : -1;
		bufferevent_free(k->bev);
		k->bev = NULL;
		if (ssl)
			SSL_free(ssl);
		if (fd >= 0)
			evutil_closesocket(fd);
		k->bev_tls = 0;
	}
	if (k->ssl) {
		event_free(k->io);
		k->io = NULL;
		SSL_free(k->ssl);
		k->ssl = NULL;
		evutil_closesocket(k->fd);
		k->fd = -1;
		k->wlen = 0;
		k->io_write = 0;
	}
	buf_free(&k->in);
	buf_free(&k->out);
	k->rq.head = k->rq.n = 0;
	if (k->role->reset)
		k->role->reset(k);
	evtimer_del(k->timer);
}

/*
 * The line reader, for both modes: a read goes into BUF (UC_INBUF bytes)
 * after what this returns: the length of the unfinished line kept from the
 * last read, copied to the start of BUF.
 */
static size_t uc_in_begin(struct uc_core *k, char *buf)
{
	if (k->in.len)
		memcpy(buf, k->in.p, k->in.len);
	return k->in.len;
}

/*
 * BUF holds LEN bytes from upsd (from uc_in_begin() on): each whole line
 * to uc_line(); an unfinished line is kept for the next read, unless it is
 * longer than a line may be (a protocol error).  -1 when reading must
 * stop: the connection failed, was closed or changed its transport.
 */
static int uc_in_lines(struct uc_core *k, char *buf, size_t len)
{
	unsigned epoch = k->epoch;
	size_t off = 0;
	char *nl;

	buf_reset(&k->in);	/* in BUF now */
	while ((nl = memchr(buf + off, '\n', len - off)) != NULL) {
		*nl = '\0';
		if (uc_line(k, buf + off, (size_t)(nl - (buf + off))) != 0 || k->epoch != epoch)
			return -1;
		off = (size_t)(nl - buf) + 1;
	}
	if (len - off > NUT_LINE_MAX + 1) {
		uc_fail(k, "upsd sent a line longer than 512 bytes: protocol error");
		return -1;
	}
	if (len > off)
		buf_add(&k->in, buf + off, len - off);
	else
		buf_free(&k->in);	/* no memory while idle */
	return 0;
}

void uc_read_cb(struct bufferevent *bev, void *arg)
{
	struct uc_core *k = arg;
	struct evbuffer *in = bufferevent_get_input(bev);
	int fd = bufferevent_getfd(bev);

#ifdef TCP_QUICKACK
	/* upsd writes each reply line apart: ACK at once, or its Nagle holds the next line */
	if (fd >= 0 && (k->several || k->st != UC_READY)) {
		int one = 1;
		setsockopt(fd, IPPROTO_TCP, TCP_QUICKACK, &one, sizeof(one));
	}
#else
	(void)fd;
#endif
	while (evbuffer_get_length(in)) {
		char buf[UC_INBUF];
		size_t off = uc_in_begin(k, buf), n;
		struct evbuffer_ptr eol = evbuffer_search_eol(in, NULL, NULL, EVBUFFER_EOL_LF);
		int got;

		/*
		 * up to the first line end: what follows stays in the bufferevent,
		 * which does not give way to direct mode before it is read
		 */
		n = eol.pos >= 0 ? (size_t)eol.pos + 1 : evbuffer_get_length(in);
		if (n > UC_INBUF - off)
			n = UC_INBUF - off;
		got = evbuffer_remove(in, buf + off, n);
		if (got <= 0 || uc_in_lines(k, buf, off + (size_t)got) != 0)
			return;
	}
}

static void uc_direct_cb(evutil_socket_t fd, short what, void *arg);

/* Direct mode: wait for writability too (ON 1) or only for input (ON 0). */
static void uc_direct_wait_write(struct uc_core *k, int on)
{
	if (k->io_write == on)
		return;
	k->io_write = on;
	event_del(k->io);
	event_assign(k->io, k->base, k->fd, EV_READ | EV_PERSIST | (on ? EV_WRITE : 0), uc_direct_cb, k);
	event_add(k->io, NULL);
}

/* Direct mode: a TLS or socket failure of SSL_read/SSL_write (RC, ERR) as a reason. */
static void uc_direct_fail(struct uc_core *k, int rc, int err)
{
	char reason[UC_REASON], why[UC_WHY];
	int serr = errno;	/* before ERR_get_error() and friends */
	unsigned long e = ERR_get_error();

	ERR_clear_error();
	if (k->st == UC_CLOSING) {	/* after LOGOUT: closed either way */
		uc_closed(k);
		return;
	}
	if (err == SSL_ERROR_SYSCALL && !e && uc_local_errno(serr)) {
		uc_fail_local(k, serr, "read or write on the connection");
		return;
	}
	if (tls_asked_reneg(k->ssl))
		tls_failure(k->ssl, e, "TLS error", reason, sizeof(reason));
	else if (err == SSL_ERROR_ZERO_RETURN || (err == SSL_ERROR_SYSCALL && rc == 0 && !e))
		snprintf(reason, sizeof(reason), "upsd closed the connection");
	else if (err == SSL_ERROR_SYSCALL && !e)
		snprintf(reason, sizeof(reason), "%s", evutil_socket_error_to_string(serr));
	else
		tls_failure(k->ssl, e, "TLS error", reason, sizeof(reason));
	snprintf(why, sizeof(why), "%s (while %s)", reason, uc_state_name(k->st));
	uc_fail(k, why);
}

/* The writer, for both modes: LEN bytes of LINE to the bufferevent, or (direct mode) to K->out, written as the role says. */
static int uc_write(struct uc_core *k, const char *line, size_t len)
{
	if (!k->ssl && !k->bev)
		return UC_CLOSED;
	if (!k->ssl)
		return bufferevent_write(k->bev, line, len);
	buf_add(&k->out, line, len);
	k->role->queued(k);
	return 0;
}

void uc_flush(struct uc_core *k)
{
	size_t max = k->role->record_max;

	while (k->out.len) {
		/* a write that must be repeated is repeated with the same length */
		size_t len = k->wlen ? k->wlen : k->out.len;
		int rc;

		if (!k->wlen && max && len > max) {	/* whole lines, at most MAX bytes */
			const char *nl = memrchr(k->out.p, '\n', max);
			len = nl ? (size_t)(nl - k->out.p) + 1 : max;
		}
		rc = SSL_write(k->ssl, k->out.p, (int)len);
		if (rc <= 0) {
			int err = SSL_get_error(k->ssl, rc);
			k->wlen = len;
			if (err == SSL_ERROR_WANT_WRITE || err == SSL_ERROR_WANT_READ) {
				uc_direct_wait_write(k, err == SSL_ERROR_WANT_WRITE);
				return;
			}
			uc_direct_fail(k, rc, err);
			return;
		}
		k->wlen = 0;
		buf_consume(&k->out, (size_t)rc);
	}
	if (!k->role->keep_out)	/* a keepalive every 30 s: no buffer kept for it */
		buf_free(&k->out);
	uc_direct_wait_write(k, 0);
}

/* Direct mode: the socket is readable (or writable while output waits). */
static void uc_direct_cb(evutil_socket_t fd, short what, void *arg)
{
	struct uc_core *k = arg;
	unsigned epoch = k->epoch;

	(void)fd;
	if (k->out.len && (what & EV_WRITE || k->wlen)) {
		uc_flush(k);
		if (k->epoch != epoch)
			return;
	}
	if (!(what & EV_READ))
		return;
#ifdef TCP_QUICKACK
	if (k->several || k->role->quickack) {	/* several replies per poll: see uc_read_cb() */
		int one = 1;
		setsockopt(k->fd, IPPROTO_TCP, TCP_QUICKACK, &one, sizeof(one));
	}
#endif
	for (;;) {
		char buf[UC_INBUF];
		size_t off = uc_in_begin(k, buf);
		int rc = SSL_read(k->ssl, buf + off, (int)(UC_INBUF - off));

		if (rc <= 0) {
			int err = SSL_get_error(k->ssl, rc);
			if (err == SSL_ERROR_WANT_READ)
				return;
			if (err == SSL_ERROR_WANT_WRITE) {	/* TLS itself wants to write first */
				uc_direct_wait_write(k, 1);
				return;
			}
			uc_direct_fail(k, rc, err);
			return;
		}
		if (uc_in_lines(k, buf, off + (size_t)rc) != 0)
			return;
		/*
		 * nothing left in TLS's buffer: the next readiness brings the rest
		 * (no read that would only say EAGAIN)
		 */
		if (!SSL_has_pending(k->ssl))
			return;
	}
}

void uc_go_direct(struct uc_core *k)
{
	SSL *ssl;
	evutil_socket_t fd;

	if (!k->bev || !k->bev_tls || k->in.len || evbuffer_get_length(bufferevent_get_input(k->bev)) ||
	    evbuffer_get_length(bufferevent_get_output(k->bev)))
		return;
	ssl = bufferevent_openssl_get_ssl(k->bev);
	fd = bufferevent_getfd(k->bev);
	if (!ssl || fd < 0 || SSL_has_pending(ssl))
		return;
	k->io = event_new(k->base, fd, EV_READ | EV_PERSIST, uc_direct_cb, k);
	if (!k->io)
		return;
	bufferevent_free(k->bev);	/* without CLOSE_ON_FREE: the SSL and the socket stay open */
	k->bev = NULL;
	k->bev_tls = 0;
	k->epoch++;		/* a line loop of the bufferevent ends */
	k->ssl = ssl;
	tls_settle(ssl);
	k->fd = fd;
	SSL_set_mode(ssl, SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
	SSL_set_read_ahead(ssl, 1);	/* a record in one read, not header then body */
	k->io_write = 0;
	event_add(k->io, NULL);
}

int uc_send_for(struct uc_core *k, struct uc *m, enum uc_req r, int n, const char *const *w)
{
	char line[NUT_LINE_MAX + 2];
	int len = nut_request(line, sizeof(line), n, w), rc;
	unsigned epoch = k->epoch;

	if (len < 0 || uc_q_push(&k->rq, m, r) != 0)
		return -1;
	k->sent_since_keepalive = 1;
	rc = uc_write(k, line, (size_t)len);	/* direct mode: written at once, and a hard error closes K */
	return rc == 0 && k->epoch != epoch ? UC_CLOSED : rc;
}

int uc_send(struct uc_core *k, enum uc_req r, int n, const char *const *w)
{
	return uc_send_for(k, NULL, r, n, w);
}
