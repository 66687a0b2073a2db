/* SPDX-License-Identifier: GPL-2.0-or-later */
/* upsd-conn.c - upsd connections on libevent: TLS first (STARTTLS or direct), then login, keepalives, FSD, LOGOUT for each UPS; the polls of all UPS of a upsd pipelined over its poll connection (requests and TLS I/O: upsd-io.c; replies: upsd-reply.c). */
#include "config.h"

#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <event2/bufferevent.h>
#include <event2/bufferevent_ssl.h>
#include <openssl/err.h>

#include "base/xalloc.h"
#include "runtime/daemon/log.h"
#include "runtime/daemon/tls.h"
#include "runtime/daemon/upsd-conn-int.h"

const char *uc_state_name(enum uc_state s)
{
	static const char *const names[] = {
		"idle", "connecting", "waiting for the reply to STARTTLS", "in the TLS handshake",
		"logging in", "polling", "logging out"
	};
	return names[s];
}

/* *DST becomes a copy of S (NULL: none); an equal string is kept as it is. */
void uc_keep(char **dst, const char *s)
{
	if (s && *dst && strcmp(*dst, s) == 0)
		return;
	free(*dst);
	*dst = s ? xstrdup(s) : NULL;
}

/* The NUL-terminated S of the server, escaped into BUF (log_esc()). */
const char *uc_esc(char *buf, size_t len, const char *s)
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

void uc_report(struct uc *c, int answered)
{
	struct st_poll p = { answered, answered ? c->status : NULL, answered && c->charge_ok ? c->charge : NULL };

	c->h.result(c->h.ctx, c->idx, &p);
}

/* Logged out, or given up on: closed, and HOST->closed told. */
void uc_closed(struct uc *c)
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

void uc_fail(struct uc *c, const char *why)
{
	uc_failure(c, why, NULL, 0);
}

/* An error number that is this host's, not the server's: out of file descriptors, memory or ports. */
int uc_local_errno(int e)
{
	return e == EMFILE || e == ENFILE || e == ENOMEM || e == ENOBUFS || e == EADDRNOTAVAIL;
}

/* C failed with the local error E (uc_local_errno()) while doing WHAT: said so, nobody else fails with it. */
void uc_fail_local(struct uc *c, int e, const char *what)
{
	char why[UC_WHY];

	snprintf(why, sizeof(why), "this host could not %s: %s: a limit of this host, not a fault of upsd%s", what,
		 strerror(e),
		 e == EMFILE ? ": raise the open files limit (ulimit -n; LimitNOFILE= in a systemd unit)" :
		 e == ENFILE ? ": the system's open files limit is reached (sysctl fs.file-max)" : "");
	uc_failure(c, why, NULL, 1);
}

static void uc_step(struct uc *c, enum uc_state s)
{
	c->st = s;
	uc_timer(c->timer, UC_STEP_TIMEOUT);
	log_debug(2, "%s: %s", c->label, uc_state_name(s));
}

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

void uc_ready_now(struct uc *c)
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

void uc_upgrade(struct uc *c)
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

static void uc_event_cb(struct bufferevent *bev, short what, void *arg)
{
	struct uc *c = arg;
	char why[UC_WHY], reason[UC_REASON];
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

/* TLS DIRECT, the TCP connection made, the handshake not done: the state "connecting" covers both. */
static int uc_direct_handshaking(const struct uc *c)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);
	evutil_socket_t fd = c->bev ? bufferevent_getfd(c->bev) : -1;

	return c->direct && c->st == UC_CONNECTING && fd >= 0 && getpeername(fd, (struct sockaddr *)&ss, &len) == 0;
}

/* The connection's one timer: what it means depends on the state (see struct uc). */
static void uc_timer_cb(evutil_socket_t fd, short what, void *arg)
{
	struct uc *c = arg;
	char why[UC_WHY];

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
		if (uc_direct_handshaking(c))
			snprintf(why, sizeof(why),
				 "no answer to the TLS handshake for %.0f s (TLS DIRECT): the port takes connections but does not speak TLS from the first byte; upsd's own port speaks STARTTLS (remove TLS DIRECT), a TLS front end such as stunnel does",
				 UC_STEP_TIMEOUT);
		else
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
