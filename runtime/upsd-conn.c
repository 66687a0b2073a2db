/* upsd-conn.c - upsd connections on libevent: TLS first (STARTTLS or direct), then login, keepalives, FSD, LOGOUT for each UPS; the polls of all UPS of a upsd pipelined over its poll connection. */
#include "config.h"

#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/bufferevent_ssl.h>
#include <openssl/err.h>

#include "grammar/xalloc.h"
#include "runtime/log.h"
#include "runtime/nut-proto.h"
#include "runtime/tls.h"
#include "runtime/upsd-conn.h"

enum uc_state {
	UC_IDLE,		/* no connection; maybe a retry is scheduled */
	UC_CONNECTING,		/* TCP connect (and, for TLS DIRECT, the handshake) */
	UC_STARTTLS,		/* STARTTLS sent, waiting for OK STARTTLS */
	UC_HANDSHAKE,		/* TLS handshake after STARTTLS */
	UC_LOGIN,		/* USERNAME, PASSWORD, LOGIN, PRIMARY sent */
	UC_READY,		/* polling */
	UC_CLOSING		/* LOGOUT sent */
};

/* The reply each request in flight waits for, in order. */
enum uc_req {
	R_STARTTLS, R_USERNAME, R_PASSWORD, R_LOGIN, R_PRIMARY, R_MASTER, R_STATUS, R_CHARGE, R_FSD,
	R_KEEPALIVE, R_LOGOUT
};

#define UC_QMAX 32
#define UC_ERRWORD 32	/* bytes kept of an ERR word of upsd (the longest NUT has: 22) */
#define UC_INBUF (2 * (NUT_LINE_MAX + 2))	/* direct mode: unparsed bytes (a line is at most 512) */
/*
 * The most request bytes in one TLS record of a poller: upsd reads 512
 * bytes per wakeup, and what its TLS library decrypted beyond them waits
 * unseen by poll() until more bytes arrive (a 6 kB record of 200 requests
 * gets 22 answers).  Records end at line ends.
 */
#define UC_RECORD_MAX 512

/* A request a poller sent for a UPS (M NULL: its own keepalive). */
struct uc_pend {
	struct uc *m;
	uint8_t r;
};

/* A connection's place at its gate. */
enum uc_slot {
	UC_SLOT_NONE,		/* not connecting, or logged in */
	UC_SLOT_WAITING,	/* in the gate's queue */
	UC_SLOT_GRANTED,	/* given a slot, starts from its retry timer */
	UC_SLOT_HELD		/* connecting or logging in */
};

struct uc_gate {
	unsigned limit, busy;	/* slots, slots taken */
	struct uc *head, *tail;	/* the waiting connections, first come first served */
};

struct uc {
	struct event_base *base;
	struct evdns_base *dns;
	SSL_CTX *ctx;
	struct uc_gate *gate;
	enum uc_slot slot;
	struct uc *gnext;	/* next in the gate's queue */
	const char *ups, *host, *name, *user, *password;	/* borrowed from the uc_target */
	char *host_own;		/* HOST when it is a copy (an address in brackets, without them) */
	char *label;
	unsigned port;
	int direct, login, primary, want_charge;
	uint32_t idx;
	struct uc_host h;

	struct bufferevent *bev;
	int bev_tls;		/* bev is a TLS bufferevent: its SSL and socket are closed here, not by libevent */
	/*
	 * Direct mode, once logged in: TLS straight on the socket with one
	 * persistent read event, no bufferevent: a poll costs one write and
	 * one read system call instead of five or six.
	 */
	SSL *ssl;
	evutil_socket_t fd;
	struct event *io;
	char *in;		/* NULL, or UC_INBUF bytes: what SSL_read gave, not yet a whole line (inlen bytes) */
	size_t inlen;
	char *out;		/* what SSL_write has not taken yet; the first wlen bytes were offered */
	size_t outlen, outcap, wlen;
	int io_write;		/* io also waits for writability */
	unsigned epoch;		/* counts closes: a callback that closed the connection ends the loop it ran in */
	enum uc_state st;
	uint8_t q[UC_QMAX];
	unsigned qhead, qn;
	/*
	 * One timer, by state: idle: the next attempt; connecting to logging
	 * in: the step's timeout; polling: the keepalive; logging out: the
	 * end of the wait for upsd's answer.
	 */
	struct event *timer;
	/*
	 * The wait before the next attempt, doubled by each failure; back to
	 * 1 s only once this connection has stayed up for a keepalive interval
	 * with a poll answered meanwhile (a server that drops every login at
	 * once, or never answers, is not hammered; nor are the plan's
	 * COMM->NOCOMM actions run at each attempt)
	 */
	double backoff;
	int answered;		/* a poll of its UPS was answered (poller: any reply) since it came up */
	int tried;		/* an attempt has ended (a UPS is not NOCOMM before) */
	int poll_pending;
	int login_poll;		/* the pending poll is the one sent at login, not at a tick */
	int sent_since_keepalive;
	char *status;		/* the last ups.status (NULL before the first), kept until it changes */
	int status_ok;
	char status_err[UC_ERRWORD];
	char *charge;		/* likewise battery.charge */
	int charge_ok;
	char *err;		/* NULL, or the failure logged last: one message per episode */
	char stale[UC_ERRWORD];	/* the ERR word of a stale poll logged last */

	/*
	 * The polls of all UPS of a upsd go over one more connection, its
	 * poller (no login): one write and a few reads per poll interval for
	 * all of them instead of a write and a read each.  A UPS whose poller
	 * is not up polls on its own connection.
	 */
	int poller;		/* this connection is a poller */
	struct uc *via;		/* a UPS's poller, or NULL */
	int pend_via;		/* the pending poll went over the poller */
	struct uc_pend *pq;	/* poller: the requests in flight, in order */
	unsigned pqcap, pqhead, pqn;
	struct event *flush;	/* poller: writes the requests of a tick together */
};

static const char *uc_state_name(enum uc_state s)
{
	static const char *const names[] = {
		"idle", "connecting", "waiting for the reply to STARTTLS", "in the TLS handshake",
		"logging in", "polling", "logging out"
	};
	return names[s];
}

/* *DST becomes a copy of S (NULL: none); an equal string is kept as it is. */
static void uc_keep(char **dst, const char *s)
{
	if (s && *dst && strcmp(*dst, s) == 0)
		return;
	free(*dst);
	*dst = s ? xstrdup(s) : NULL;
}

/* The NUL-terminated S of the server, escaped into BUF (log_esc()). */
static const char *uc_esc(char *buf, size_t len, const char *s)
{
	return log_esc(buf, len, s, strlen(s));
}

static void uc_timer(struct event *ev, double seconds)
{
	struct timeval tv = { (time_t)seconds, (suseconds_t)((seconds - (double)(time_t)seconds) * 1e6) };

	evtimer_add(ev, &tv);
}

static void uc_close_bev(struct uc *c)
{
	c->epoch++;
	if (c->bev) {
		SSL *ssl = c->bev_tls ? bufferevent_openssl_get_ssl(c->bev) : NULL;
		evutil_socket_t fd = c->bev_tls ? bufferevent_getfd(c->bev) : -1;
		bufferevent_free(c->bev);
		c->bev = NULL;
		if (ssl)
			SSL_free(ssl);
		if (fd >= 0)
			evutil_closesocket(fd);
		c->bev_tls = 0;
	}
	if (c->ssl) {
		event_free(c->io);
		c->io = NULL;
		SSL_free(c->ssl);
		c->ssl = NULL;
		evutil_closesocket(c->fd);
		c->fd = -1;
		free(c->in);
		free(c->out);
		c->in = c->out = NULL;
		c->inlen = c->outlen = c->outcap = c->wlen = 0;
		c->io_write = 0;
	}
	c->qn = 0;
	c->qhead = 0;
	c->pqn = 0;
	c->pqhead = 0;
	if (c->flush)
		event_del(c->flush);
	c->poll_pending = 0;
	c->pend_via = 0;
	evtimer_del(c->timer);
}

static void uc_report(struct uc *c, int answered)
{
	struct st_poll p = { answered, answered ? c->status : NULL, answered && c->charge_ok ? c->charge : NULL };

	c->h.result(c->h.ctx, c->idx, &p);
}

/* Logged out, or given up on: closed, and HOST->closed told. */
static void uc_closed(struct uc *c)
{
	uc_close_bev(c);
	c->st = UC_IDLE;
	c->h.closed(c->h.ctx, c->idx);
}

struct uc_gate *uc_gate_new(unsigned limit)
{
	struct uc_gate *g = xcalloc(1, sizeof(*g));

	g->limit = limit ? limit : 1;
	return g;
}

void uc_gate_free(struct uc_gate *gate)
{
	free(gate);
}

/* Take the waiting connection C out of its gate's queue. */
static void uc_gate_unqueue(struct uc *c)
{
	struct uc_gate *g = c->gate;
	struct uc *prev = NULL;

	for (struct uc **pp = &g->head; *pp; prev = *pp, pp = &(*pp)->gnext)
		if (*pp == c) {
			*pp = c->gnext;
			if (g->tail == c)
				g->tail = prev;
			break;
		}
	c->gnext = NULL;
	c->slot = UC_SLOT_NONE;
}

/* C is done connecting (or gives up its turn): its slot goes to the first waiting connection. */
static void uc_gate_leave(struct uc *c)
{
	struct uc_gate *g = c->gate;
	struct uc *n;

	if (c->slot == UC_SLOT_WAITING) {
		uc_gate_unqueue(c);
		return;
	}
	if (c->slot == UC_SLOT_NONE)
		return;
	c->slot = UC_SLOT_NONE;
	g->busy--;
	if (g->head && g->busy < g->limit) {
		n = g->head;
		uc_gate_unqueue(n);
		n->slot = UC_SLOT_GRANTED;
		g->busy++;
		uc_timer(n->timer, 0);	/* it starts from the loop, not from inside this call */
	}
}

static void uc_fail(struct uc *c, const char *why);

/* The server failed C before TLS was up (never this host's error): the connections waiting to reach it fail too. */
static void uc_gate_fail_waiting(struct uc_gate *g, const char *why)
{
	char w[400];

	snprintf(w, sizeof(w), "%s (met by a connection to the same upsd)", why);
	while (g->head) {
		struct uc *n = g->head;
		uc_gate_unqueue(n);
		uc_fail(n, w);
	}
}

static void uc_send_poll(struct uc *c);

/* Poller C: the UPS whose polls it has in flight (each once), in *OUT; their number. */
static unsigned uc_poller_take(struct uc *c, struct uc ***out)
{
	struct uc **v = xcalloc((size_t)c->pqn + 1, sizeof(*v));
	unsigned n = 0;

	for (unsigned i = 0; i < c->pqn; i++) {
		struct uc *m = c->pq[(c->pqhead + i) % c->pqcap].m;
		if (m && m->pend_via && m->poll_pending) {
			m->pend_via = 0;	/* taken: listed once */
			v[n++] = m;
		}
	}
	*out = v;
	return n;
}

/*
 * The poller of the UPS in V (N) failed: a hung server (HANG) fails their
 * connections as a poll without answer on their own would; otherwise they
 * are polled again at once, each on its own connection.
 */
static void uc_poller_fallback(struct uc **v, unsigned n, const char *hang)
{
	for (unsigned i = 0; i < n; i++) {
		if (v[i]->st != UC_READY)
			continue;
		if (hang) {
			uc_fail(v[i], hang);
		} else {
			v[i]->poll_pending = 0;
			uc_send_poll(v[i]);
		}
	}
	free(v);
}

/*
 * An attempt failed or the connection was lost: NOCOMM at once, log once
 * per episode, retry later.  HANG: see uc_poller_fallback().  LOCAL: the
 * error is this host's (no file descriptor, no memory), not the server's:
 * the connections waiting at the gate do not fail with it.
 */
static void uc_failure(struct uc *c, const char *why, const char *hang, int local)
{
	double wait;
	int server = !local && c->slot == UC_SLOT_HELD && c->st >= UC_CONNECTING && c->st <= UC_HANDSHAKE;
	struct uc **left = NULL;
	unsigned nleft = c->poller ? uc_poller_take(c, &left) : 0;

	uc_close_bev(c);
	uc_gate_leave(c);
	c->st = UC_IDLE;
	c->tried = 1;
	if (!c->err || strcmp(c->err, why) != 0) {
		log_msg(LOG_ERR, "%s: %s%s", c->label, why,
			c->poller ? "; each UPS is polled on its own connection until this one is back" : "");
		uc_keep(&c->err, why);
	}
	uc_report(c, 0);	/* a poller's host hears nothing */
	c->h.state(c->h.ctx, c->idx, 0);
	/* exponential back-off with +-25 % jitter, so that many UPS do not retry in step */
	wait = c->backoff * (0.75 + 0.5 * ((double)random() / (double)RAND_MAX));
	log_debug(1, "%s: next connection attempt in %.1f s", c->label, wait);
	uc_timer(c->timer, wait);
	c->backoff = c->backoff * 2 > UC_BACKOFF_MAX ? UC_BACKOFF_MAX : c->backoff * 2;
	if (server)
		uc_gate_fail_waiting(c->gate, why);
	if (c->poller)
		uc_poller_fallback(left, nleft, hang);
}

static void uc_fail_as(struct uc *c, const char *why, const char *hang)
{
	uc_failure(c, why, hang, 0);
}

static void uc_fail(struct uc *c, const char *why)
{
	uc_failure(c, why, NULL, 0);
}

/* An error number that is this host's, not the server's: out of file descriptors, memory or ports. */
static int uc_local_errno(int e)
{
	return e == EMFILE || e == ENFILE || e == ENOMEM || e == ENOBUFS || e == EADDRNOTAVAIL;
}

/* C failed with the local error E (uc_local_errno()) while doing WHAT: said so, nobody else fails with it. */
static void uc_fail_local(struct uc *c, int e, const char *what)
{
	char why[400];

	snprintf(why, sizeof(why), "this host could not %s: %s: a limit of this host, not a fault of upsd%s", what,
		 strerror(e),
		 e == EMFILE ? ": raise the open files limit (ulimit -n; LimitNOFILE= in a systemd unit)" :
		 e == ENFILE ? ": the system's open files limit is reached (sysctl fs.file-max)" : "");
	uc_failure(c, why, NULL, 1);
}

static int uc_line(struct uc *c, char *line, size_t n);
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
	char reason[300], why[400];
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
static void uc_go_direct(struct uc *c)
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
static int uc_send_for(struct uc *c, struct uc *m, enum uc_req r, int n, const char *const *w)
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

static int uc_send(struct uc *c, enum uc_req r, int n, const char *const *w)
{
	return uc_send_for(c, NULL, r, n, w);
}

static void uc_step(struct uc *c, enum uc_state s)
{
	c->st = s;
	uc_timer(c->timer, UC_STEP_TIMEOUT);
	log_debug(2, "%s: %s", c->label, uc_state_name(s));
}

static void uc_ready_now(struct uc *c);

/* TLS is up: credentials may go now, never before. */
static void uc_start_login(struct uc *c)
{
	const char *w[2];
	int rc = 0;

	if (c->poller) {	/* no login: GET VAR needs none */
		uc_ready_now(c);
		return;
	}
	uc_step(c, UC_LOGIN);
	w[0] = "USERNAME";
	w[1] = c->user;
	rc |= uc_send(c, R_USERNAME, 2, w);
	w[0] = "PASSWORD";
	w[1] = c->password;
	rc |= uc_send(c, R_PASSWORD, 2, w);
	if (c->login) {
		w[0] = "LOGIN";
		w[1] = c->ups;
		rc |= uc_send(c, R_LOGIN, 2, w);
	}
	if (c->primary) {
		w[0] = "PRIMARY";
		w[1] = c->ups;
		rc |= uc_send(c, R_PRIMARY, 2, w);
	}
	if (rc)
		uc_fail(c, "the user name, password or UPS name cannot be sent to upsd (only printable ASCII reaches it)");
}

/* Ask for ups.status (and battery.charge) of UPS C: over its poller when that is up, else on C. */
static void uc_send_poll(struct uc *c)
{
	const char *w[4] = { "GET", "VAR", c->ups, "ups.status" };
	struct uc *on = c->via && c->via->st == UC_READY && c->via->ssl ? c->via : c;

	c->status_ok = c->charge_ok = 0;
	c->status_err[0] = '\0';
	if (uc_send_for(on, c, R_STATUS, 4, w) != 0) {
		uc_fail(c, "the poll cannot be sent");
		return;
	}
	if (c->want_charge) {
		w[3] = "battery.charge";
		if (uc_send_for(on, c, R_CHARGE, 4, w) != 0) {
			uc_fail(c, "the poll cannot be sent");
			return;
		}
	}
	c->poll_pending = 1;
	c->pend_via = on != c;
}

static void uc_ready_now(struct uc *c)
{
	const char *what = c->poller ? "connected; the UPS of this upsd are polled over it" : "connected and logged in";

	uc_gate_leave(c);
	c->st = UC_READY;
	c->answered = 0;
	if (c->err) {
		log_msg(LOG_NOTICE, "%s: %s again", c->label, what);
		uc_keep(&c->err, NULL);
	} else {
		log_debug(1, "%s: %s", c->label, what);
	}
	uc_timer(c->timer, UC_KEEPALIVE);	/* before the host hears of it: it may log out at once */
	c->h.state(c->h.ctx, c->idx, 1);
	uc_go_direct(c);
	if (c->poller)
		return;
	uc_send_poll(c);	/* do not wait for the next tick: COMM comes back at once */
	c->login_poll = 1;
}

static void uc_event_cb(struct bufferevent *bev, short what, void *arg);
static void uc_read_cb(struct bufferevent *bev, void *arg);

static void uc_upgrade(struct uc *c)
{
	char err[256];
	SSL *ssl = tls_new(c->ctx, c->name, err, sizeof(err));
	struct bufferevent *tls;
	evutil_socket_t fd = bufferevent_getfd(c->bev);

	if (!ssl) {	/* no memory: this host's */
		uc_failure(c, err, NULL, 1);
		return;
	}
	/*
	 * TLS on the socket itself (not a filter over the plain bufferevent:
	 * one layer of buffers and callbacks less on every poll); the plain
	 * bufferevent lets the socket go
	 */
	bufferevent_setfd(c->bev, -1);
	bufferevent_free(c->bev);
	c->bev = NULL;
	tls = bufferevent_openssl_socket_new(c->base, fd, ssl, BUFFEREVENT_SSL_CONNECTING, BEV_OPT_DEFER_CALLBACKS);
	if (!tls) {
		SSL_free(ssl);
		evutil_closesocket(fd);
		uc_fail_local(c, ENOMEM, "start TLS");
		return;
	}
	bufferevent_openssl_set_allow_dirty_shutdown(tls, 1);
	c->bev = tls;
	c->bev_tls = 1;
	bufferevent_setcb(tls, uc_read_cb, NULL, uc_event_cb, c);
	bufferevent_enable(tls, EV_READ | EV_WRITE);
	uc_step(c, UC_HANDSHAKE);
}

static int uc_is_stale(const char *e)
{
	return strcmp(e, "DATA-STALE") == 0 || strcmp(e, "DRIVER-NOT-CONNECTED") == 0;
}

static void uc_poll_done(struct uc *c)
{
	c->poll_pending = 0;
	c->pend_via = 0;
	c->answered = 1;	/* not yet the end of an episode of failures: see uc_timer_cb() */
	if (c->status_ok) {
		if (c->stale[0]) {
			log_msg(LOG_NOTICE, "%s: upsd has data again", c->label);
			c->stale[0] = '\0';
		}
		uc_report(c, 1);
		return;
	}
	/* no status: as upsmon, the UPS is NOCOMM (the connection is kept) */
	if (strcmp(c->stale, c->status_err) != 0) {
		log_msg(LOG_WARNING, "%s: upsd answers ERR %s for ups.status%s", c->label, c->status_err,
			uc_is_stale(c->status_err) ? ": its driver is silent or gone, NOCOMM until data returns" :
						     ": NOCOMM until it answers");
		snprintf(c->stale, sizeof(c->stale), "%s", c->status_err);
	}
	uc_report(c, 0);
}

/*
 * RP, the reply to GET VAR for request R (R_STATUS or R_CHARGE) of UPS C,
 * kept in C; the last reply of the poll completes it.  -1 with the reason
 * in WHY when it breaks the protocol.
 */
static int uc_poll_reply(struct uc *c, enum uc_req r, const struct nut_reply *rp, char *why, size_t len)
{
	int status = r == R_STATUS;

	if (rp->kind == NUT_VAR) {
		if (strcasecmp(rp->words[1], c->ups) != 0 ||
		    strcasecmp(rp->words[2], status ? "ups.status" : "battery.charge") != 0) {
			char u[80], v[80];
			snprintf(why, len, "upsd answered for %s %s, not for what was asked: protocol error",
				 uc_esc(u, sizeof(u), rp->words[1]), uc_esc(v, sizeof(v), rp->words[2]));
			return -1;
		}
		if (status) {
			uc_keep(&c->status, rp->words[3]);
			c->status_ok = 1;
		} else {
			uc_keep(&c->charge, rp->words[3]);
			c->charge_ok = 1;
		}
	} else if (rp->kind == NUT_ERR) {
		if (status)	/* kept escaped: it is only logged */
			uc_esc(c->status_err, sizeof(c->status_err), nut_err_word(rp));
	} else {
		snprintf(why, len, "upsd's reply to GET VAR is neither VAR nor ERR: protocol error");
		return -1;
	}
	if (r == R_CHARGE || !c->want_charge)
		uc_poll_done(c);
	return 0;
}

/* One reply line for request R; returns -1 after uc_fail(). */
static int uc_reply(struct uc *c, enum uc_req r, const struct nut_reply *rp)
{
	char why[400], ew[2 * UC_ERRWORD], w0[2 * UC_ERRWORD];
	const char *e = uc_esc(ew, sizeof(ew), nut_err_word(rp));	/* the server's: escaped */

	switch (r) {
	case R_STARTTLS:
		if (rp->kind == NUT_OK) {	/* "OK STARTTLS" (the upsdTLS shim says "OK") */
			uc_upgrade(c);
			return -1;	/* the lines that follow are TLS's */
		}
		snprintf(why, sizeof(why),
			 "upsd refused STARTTLS (%s %s): give upsd a certificate (upsd.conf CERTFILE, or CERTPATH and CERTIDENT), or reach it through a TLS front end with TLS DIRECT; nothing was sent in clear",
			 uc_esc(w0, sizeof(w0), rp->nwords ? rp->words[0] : ""), rp->kind == NUT_ERR ? e : "");
		uc_fail(c, why);
		return -1;
	case R_USERNAME:
	case R_PASSWORD:
		if (rp->kind == NUT_OK)
			break;
		snprintf(why, sizeof(why), "upsd refused %s: ERR %s", r == R_USERNAME ? "USERNAME" : "PASSWORD", e);
		uc_fail(c, why);
		return -1;
	case R_LOGIN:
	case R_PRIMARY:
	case R_MASTER:
		if (rp->kind == NUT_OK)
			break;
		if (r == R_PRIMARY && (strcmp(e, "UNKNOWN-COMMAND") == 0 || strcmp(e, "INVALID-ARGUMENT") == 0)) {
			/* a server older than NUT 2.8 knows only MASTER */
			const char *w[2] = { "MASTER", c->ups };
			if (uc_send(c, R_MASTER, 2, w) != 0) {
				uc_fail(c, "MASTER cannot be sent");
				return -1;
			}
			return 0;
		}
		if (strcmp(e, "ACCESS-DENIED") == 0)
			snprintf(why, sizeof(why),
				 "upsd refused %s (ERR ACCESS-DENIED): the password of user '%s' is wrong, or upsd.users does not give it 'upsmon %s'",
				 r == R_LOGIN ? "LOGIN" : r == R_PRIMARY ? "PRIMARY" : "MASTER", c->user,
				 c->primary ? "primary" : "secondary");
		else if (strcmp(e, "UNKNOWN-UPS") == 0)
			snprintf(why, sizeof(why), "upsd does not know UPS '%s' (ERR UNKNOWN-UPS): check ups.conf and the MONITOR name", c->ups);
		else
			snprintf(why, sizeof(why), "upsd refused %s: ERR %s",
				 r == R_LOGIN ? "LOGIN" : r == R_PRIMARY ? "PRIMARY" : "MASTER", e);
		uc_fail(c, why);
		return -1;
	case R_STATUS:
	case R_CHARGE:
		if (uc_poll_reply(c, r, rp, why, sizeof(why)) != 0) {
			uc_fail(c, why);
			return -1;
		}
		return 0;
	case R_FSD:
		if (rp->kind == NUT_OK)
			log_msg(LOG_NOTICE, "%s: FSD set", c->label);
		else
			log_msg(LOG_ERR, "%s: upsd refused FSD (ERR %s)%s", c->label, e,
				strcmp(e, "ACCESS-DENIED") == 0 ?
					": the user needs 'upsmon primary' or 'actions = FSD' in upsd.users" : "");
		return 0;
	case R_KEEPALIVE:
		return 0;
	case R_LOGOUT:
		uc_closed(c);
		return -1;
	}
	/* a login reply: the last one makes the connection ready */
	if (c->qn == 0 && c->st == UC_LOGIN)
		uc_ready_now(c);
	return 0;
}

static void uc_read_cb(struct bufferevent *bev, void *arg)
{
	struct uc *c = arg;
	struct evbuffer *in = bufferevent_get_input(bev);
	int fd = bufferevent_getfd(bev);

#ifdef TCP_QUICKACK
	/* upsd writes each reply line apart: ACK at once, or its Nagle holds the next line */
	if (fd >= 0 && (c->want_charge || c->st != UC_READY)) {
		int one = 1;
		setsockopt(fd, IPPROTO_TCP, TCP_QUICKACK, &one, sizeof(one));
	}
#else
	(void)fd;
#endif
	for (;;) {
		size_t n;
		char *line = evbuffer_readln(in, &n, EVBUFFER_EOL_LF);
		int rc;

		if (!line) {
			if (evbuffer_get_length(in) > NUT_LINE_MAX + 1)
				uc_fail(c, "upsd sent a line longer than 512 bytes: protocol error");
			return;
		}
		rc = uc_line(c, line, n);
		free(line);
		/* a reply may have closed the connection, or moved it to direct mode */
		if (rc != 0 || c->bev != bev)
			return;
	}
}

/* One line LINE (N bytes, NUL-terminated, no LF) from upsd; -1 when the connection was closed or changed mode. */
static int uc_line(struct uc *c, char *line, size_t n)
{
	struct nut_reply rp;
	enum uc_req r;
	int poller = c->poller && c->st == UC_READY;

	if (poller ? c->pqn == 0 : c->qn == 0) {
		uc_fail(c, "upsd sent a line nothing asked for: protocol error");
		return -1;
	}
	if (nut_parse(line, n, &rp) != 0) {
		char why[300], esc[160];
		snprintf(why, sizeof(why), "upsd sent a malformed line (%s): protocol error", log_esc(esc, sizeof(esc), line, n));
		uc_fail(c, why);
		return -1;
	}
	if (poller) {
		struct uc_pend pe = c->pq[c->pqhead];
		char why[320];
		c->pqhead = (c->pqhead + 1) % c->pqcap;
		c->pqn--;
		c->answered = 1;	/* the back-off restarts once it also stayed up (uc_timer_cb()) */
		if (!pe.m || !pe.m->pend_via || !pe.m->poll_pending)
			return 0;	/* its keepalive, or a poll its UPS no longer waits for */
		if (uc_poll_reply(pe.m, (enum uc_req)pe.r, &rp, why, sizeof(why)) != 0) {
			uc_fail(c, why);	/* its UPS are polled again, each on its own connection */
			return -1;
		}
		return 0;
	}
	r = (enum uc_req)c->q[c->qhead];
	c->qhead = (c->qhead + 1) % UC_QMAX;
	c->qn--;
	return uc_reply(c, r, &rp);
}

static void uc_event_cb(struct bufferevent *bev, short what, void *arg)
{
	struct uc *c = arg;
	char why[400], reason[300];
	unsigned long first;
	int serr = EVUTIL_SOCKET_ERROR();	/* before any call that may change it */

	if (what & BEV_EVENT_CONNECTED) {
		int fd = bufferevent_getfd(bev), one = 1;
		if (fd >= 0) {
			struct sockaddr_storage ss;
			socklen_t len = sizeof(ss);
			setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
			/* the local port, to find the connection in ss or in upsd's debug log */
			if (c->st == UC_CONNECTING && getsockname(fd, (struct sockaddr *)&ss, &len) == 0)
				log_debug(1, "%s: connected from port %u", c->label,
					  ntohs(ss.ss_family == AF_INET6 ? ((struct sockaddr_in6 *)&ss)->sin6_port
									 : ((struct sockaddr_in *)&ss)->sin_port));
		}
		if (c->st == UC_CONNECTING && !c->direct) {
			const char *w[1] = { "STARTTLS" };
			uc_step(c, UC_STARTTLS);
			if (uc_send(c, R_STARTTLS, 1, w) != 0)
				uc_fail(c, "STARTTLS cannot be sent");
		} else {
			uc_start_login(c);	/* the TLS handshake is done */
		}
		return;
	}
	if (c->st == UC_CLOSING) {	/* upsd closed after LOGOUT, or the link broke: closed either way */
		uc_closed(c);
		return;
	}
	first = c->bev_tls && (what & BEV_EVENT_ERROR) ? bufferevent_get_openssl_error(bev) : 0;
	if ((what & BEV_EVENT_ERROR) && !first && uc_local_errno(serr) &&
	    !(c->st == UC_CONNECTING && bufferevent_socket_get_dns_error(bev))) {
		uc_fail_local(c, serr, c->st == UC_CONNECTING ? "open a connection" : "read or write on the connection");
		return;
	}
	if (c->st == UC_CONNECTING && !first && bufferevent_socket_get_dns_error(bev)) {	/* also with TLS DIRECT */
		snprintf(reason, sizeof(reason), "cannot resolve '%s': %s", c->host,
			 evutil_gai_strerror(bufferevent_socket_get_dns_error(bev)));
	} else if (c->st == UC_HANDSHAKE || (c->st == UC_CONNECTING && c->direct) || c->st == UC_LOGIN || first) {
		unsigned long e = first && ERR_GET_LIB(first) != 0 ? first : 0, x;
		/* the first error of the TLS library says the most; drain the rest */
		if (first)
			log_debug(2, "%s: TLS error code %lx", c->label, first);
		while ((x = bufferevent_get_openssl_error(bev)) != 0) {
			log_debug(2, "%s: TLS error code %lx", c->label, x);
			if (!e && ERR_GET_LIB(x) != 0)
				e = x;
		}
		const char *fallback = (what & BEV_EVENT_EOF) && c->st == UC_LOGIN ? "upsd closed the connection" :
				       (what & BEV_EVENT_EOF) ? "the server closed the connection during the TLS handshake" :
				       (what & BEV_EVENT_ERROR) ? evutil_socket_error_to_string(serr) :
								  "TLS handshake failed";
		tls_failure(bufferevent_openssl_get_ssl(bev), e, fallback, reason, sizeof(reason));
	} else if (what & BEV_EVENT_EOF) {
		snprintf(reason, sizeof(reason), "upsd closed the connection");
	} else {
		snprintf(reason, sizeof(reason), "%s", evutil_socket_error_to_string(serr));
	}
	snprintf(why, sizeof(why), "%s (while %s)", reason, uc_state_name(c->st));
	uc_fail(c, why);
}

/* The connection's one timer: what it means depends on the state (see struct uc). */
static void uc_timer_cb(evutil_socket_t fd, short what, void *arg)
{
	struct uc *c = arg;
	char why[200];

	(void)fd;
	(void)what;
	switch (c->st) {
	case UC_IDLE:		/* the back-off is over */
		uc_connect(c);
		return;
	case UC_CLOSING:	/* no answer to LOGOUT */
		uc_closed(c);
		return;
	case UC_READY:		/* keepalive: upsd drops a connection idle for 60 s */
		if (c->answered)	/* up for a keepalive interval, and answering: the episode of failures is over */
			c->backoff = 1;
		if (!c->sent_since_keepalive) {
			const char *w[1] = { "NETVER" };
			if (uc_send(c, R_KEEPALIVE, 1, w) != 0) {
				uc_fail(c, "the keepalive cannot be sent");
				return;
			}
		}
		c->sent_since_keepalive = 0;
		uc_timer(c->timer, UC_KEEPALIVE);
		return;
	default:
		snprintf(why, sizeof(why), "no progress for %.0f s while %s", UC_STEP_TIMEOUT,
			 uc_state_name(c->st));
		uc_fail(c, why);
		return;
	}
}

static const char *uc_or_empty(const char *s)
{
	return s ? s : "";
}

/* "PREFIX LABEL SUFFIX", for the messages. */
static char *uc_label(const char *prefix, const char *label, const char *suffix)
{
	size_t n = strlen(prefix) + strlen(label ? label : "") + strlen(suffix) + 3;
	char *s = xcalloc(1, n);

	snprintf(s, n, "%s %s%s", prefix, label ? label : "", suffix);
	return s;
}

static void uc_flush_cb(evutil_socket_t fd, short what, void *arg)
{
	struct uc *c = arg;

	(void)fd;
	(void)what;
	if (c->ssl && c->outlen && !c->io_write)
		uc_direct_flush(c);
}

static void uc_no_result(void *ctx, uint32_t ups, const struct st_poll *p)
{
	(void)ctx;
	(void)ups;
	(void)p;
}

static void uc_no_state(void *ctx, uint32_t ups, int ready)
{
	(void)ctx;
	(void)ups;
	(void)ready;
}

static void uc_no_closed(void *ctx, uint32_t ups)
{
	(void)ctx;
	(void)ups;
}

struct uc *uc_new_poller(struct event_base *base, struct evdns_base *dns, SSL_CTX *ctx, struct uc_gate *gate,
			 const struct uc_target *t)
{
	static const struct uc_host none = { NULL, uc_no_result, uc_no_state, uc_no_closed };
	struct uc *c = uc_new(base, dns, ctx, gate, t, UINT32_MAX, &none);

	c->poller = 1;
	c->login = c->primary = 0;
	free(c->label);
	c->label = uc_label("upsd", t->label, " (poll connection)");
	c->flush = event_new(base, -1, 0, uc_flush_cb, c);
	return c;
}

void uc_join(struct uc *c, struct uc *poller)
{
	if (c->pend_via) {	/* its poll went over the old poller: the next tick polls again */
		c->pend_via = 0;
		c->poll_pending = 0;
	}
	c->via = poller;
}

struct uc *uc_new(struct event_base *base, struct evdns_base *dns, SSL_CTX *ctx, struct uc_gate *gate,
		  const struct uc_target *t, uint32_t ups, const struct uc_host *host)
{
	struct uc *c = xcalloc(1, sizeof(*c));
	size_t n;

	c->base = base;
	c->dns = dns;
	c->ctx = ctx;
	c->gate = gate;
	c->ups = uc_or_empty(t->ups);
	/* the address to connect to: without brackets */
	c->host = uc_or_empty(t->host);
	n = strlen(c->host);
	if (n > 2 && c->host[0] == '[' && c->host[n - 1] == ']')
		c->host = c->host_own = xstrndup(c->host + 1, n - 2);
	c->name = t->certname && *t->certname ? t->certname : c->host;
	c->user = uc_or_empty(t->user);
	c->password = uc_or_empty(t->password);
	c->label = uc_label("UPS", t->label, "");
	c->port = t->port;
	c->direct = t->direct;
	c->login = t->login;
	c->primary = t->primary;
	c->want_charge = t->charge;
	c->idx = ups;
	c->h = *host;
	c->backoff = 1;
	c->fd = -1;
	c->timer = evtimer_new(base, uc_timer_cb, c);
	return c;
}

void uc_connect(struct uc *c)
{
	char err[256];

	uc_close_bev(c);
	c->st = UC_IDLE;	/* until its turn comes, the timer is the next attempt */
	switch (c->slot) {
	case UC_SLOT_WAITING:
		return;		/* its turn comes */
	case UC_SLOT_GRANTED:
		c->slot = UC_SLOT_HELD;
		break;
	case UC_SLOT_HELD:
		break;		/* a new attempt in the same slot */
	case UC_SLOT_NONE:
		if (c->gate->busy >= c->gate->limit) {
			c->slot = UC_SLOT_WAITING;
			if (c->gate->tail)
				c->gate->tail->gnext = c;
			else
				c->gate->head = c;
			c->gate->tail = c;
			log_debug(2, "%s: waiting: %u connections to this upsd are being made", c->label,
				  c->gate->busy);
			return;
		}
		c->gate->busy++;
		c->slot = UC_SLOT_HELD;
		break;
	}
	if (c->direct) {
		SSL *ssl = tls_new(c->ctx, c->name, err, sizeof(err));
		if (!ssl) {
			uc_fail(c, err);
			return;
		}
		/* no CLOSE_ON_FREE: uc_close_bev() frees the SSL and closes the socket (direct mode keeps them) */
		c->bev = bufferevent_openssl_socket_new(c->base, -1, ssl, BUFFEREVENT_SSL_CONNECTING,
							BEV_OPT_DEFER_CALLBACKS);
		if (c->bev) {
			bufferevent_openssl_set_allow_dirty_shutdown(c->bev, 1);
			c->bev_tls = 1;
		} else {
			SSL_free(ssl);
		}
	} else {
		c->bev = bufferevent_socket_new(c->base, -1, BEV_OPT_CLOSE_ON_FREE | BEV_OPT_DEFER_CALLBACKS);
	}
	if (!c->bev) {
		uc_fail(c, "cannot make a connection object");
		return;
	}
	bufferevent_setcb(c->bev, uc_read_cb, NULL, uc_event_cb, c);
	bufferevent_enable(c->bev, EV_READ | EV_WRITE);
	uc_step(c, UC_CONNECTING);
	log_debug(1, "%s: connecting to %s port %u (%s)", c->label, c->host, c->port,
		  c->direct ? "TLS DIRECT" : "STARTTLS");
	if (bufferevent_socket_connect_hostname(c->bev, c->dns, AF_UNSPEC, c->host, (int)c->port) != 0) {
		int e = errno;
		if (uc_local_errno(e)) {
			uc_fail_local(c, e, "open a connection");
			return;
		}
		snprintf(err, sizeof(err), "cannot connect to %s port %u", c->host, c->port);
		uc_fail(c, err);
	}
}

void uc_poll(struct uc *c)
{
	switch (c->st) {
	case UC_READY:
		if (c->poll_pending && c->login_poll) {
			c->login_poll = 0;	/* sent at login, maybe just before this tick: its answer may still come */
			return;
		}
		if (c->poll_pending) {
			const char *hang = "no answer to the last poll within a poll interval: the server hangs";
			if (c->pend_via && c->via)	/* the poller fails, and so does each UPS whose poll it carried */
				uc_fail_as(c->via, "no answer to the polls within a poll interval: the server hangs",
					   hang);
			if (c->st == UC_READY && c->poll_pending)
				uc_fail(c, hang);
			return;
		}
		c->login_poll = 0;
		uc_send_poll(c);
		return;
	case UC_CLOSING:
		return;
	default:
		if (c->tried)	/* lost, or never reached: NOCOMM (reported again: harmless) */
			uc_report(c, 0);
		return;
	}
}

int uc_fsd(struct uc *c)
{
	const char *w[2] = { "FSD", c->ups };

	if (c->st != UC_READY) {
		log_msg(LOG_ERR, "%s: FSD not sent: not logged in to upsd", c->label);
		return -1;
	}
	if (uc_send(c, R_FSD, 2, w) != 0) {
		uc_fail(c, "FSD cannot be sent");
		return -1;
	}
	return 0;
}

void uc_logout(struct uc *c)
{
	const char *w[1] = { "LOGOUT" };

	evtimer_del(c->timer);
	if (c->st != UC_READY || uc_send(c, R_LOGOUT, 1, w) != 0) {
		uc_gate_leave(c);
		uc_closed(c);
		return;
	}
	c->st = UC_CLOSING;
	uc_timer(c->timer, 2.0);
}

int uc_ready(const struct uc *c)
{
	return c->st == UC_READY;
}

const char *uc_last_error(const struct uc *c)
{
	return c->err ? c->err : "";
}

void uc_free(struct uc *c)
{
	if (!c)
		return;
	uc_gate_leave(c);
	uc_close_bev(c);
	event_free(c->timer);
	if (c->flush)
		event_free(c->flush);
	free(c->pq);
	free(c->host_own);
	free(c->label);
	free(c->status);
	free(c->charge);
	free(c->err);
	free(c);
}
