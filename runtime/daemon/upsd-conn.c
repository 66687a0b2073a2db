/* SPDX-License-Identifier: GPL-2.0-or-later */
/* upsd-conn.c - upsd connections on libevent: the steps of any connection (gate, TLS first by STARTTLS or direct, back-off, keepalive), then login, polls, FSD and LOGOUT for each UPS (the poll connection: upsd-poller.c; transport: upsd-io.c; replies: upsd-reply.c). */
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

#include "base/loopback.h"
#include "base/xalloc.h"
#include "engine/image.h"
#include "runtime/common/monotonic.h"
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

void uc_timer(struct event *ev, double seconds)
{
	struct timeval tv = rt_timeval(seconds);

	evtimer_add(ev, &tv);
}

void uc_report(struct uc *c, int answered)
{
	struct st_poll p = { answered, answered ? c->status : NULL, answered && c->charge_ok ? c->charge : NULL,
			     NULL, 0 };

	if (answered && c->nvars) {	/* a variable upsd did not answer (ERR UNKNOWN-VAR ...) is unknown */
		for (uint32_t i = 0; i < c->nvars; i++)
			c->vreport[i] = c->val_ok[i] ? c->vals[i] : NULL;
		p.vars = c->vreport;
		p.nvars = c->nvars;
	}

	c->h.result(c->h.ctx, c->idx, &p);
}

/* Logged out, or given up on: closed, and the role told. */
void uc_closed(struct uc_core *k)
{
	uc_close(k);
	k->st = UC_IDLE;
	if (k->role->closed)
		k->role->closed(k);
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

uint64_t uc_gate_tls_failures(const struct uc_gate *gate, int kind)
{
	return kind >= 0 && kind < TLS_FAIL_KINDS ? gate->tls_fail[kind] : 0;
}

static int uc_direct_handshaking(const struct uc_core *k);

/* Take the waiting connection C out of its gate's queue. */
static void uc_gate_unqueue(struct uc_core *k)
{
	struct uc_gate *g = k->gate;
	struct uc_core *prev = NULL;

	for (struct uc_core **pp = &g->head; *pp; prev = *pp, pp = &(*pp)->gnext)
		if (*pp == k) {
			*pp = k->gnext;
			if (g->tail == k)
				g->tail = prev;
			break;
		}
	k->gnext = NULL;
	k->slot = UC_SLOT_NONE;
}

/* K is done connecting (or gives up its turn): its slot goes to the first waiting connection. */
static void uc_gate_leave(struct uc_core *k)
{
	struct uc_gate *g = k->gate;
	struct uc_core *n;

	if (k->slot == UC_SLOT_WAITING) {
		uc_gate_unqueue(k);
		return;
	}
	if (k->slot == UC_SLOT_NONE)
		return;
	k->slot = UC_SLOT_NONE;
	g->busy--;
	if (g->head && g->busy < g->limit) {
		n = g->head;
		uc_gate_unqueue(n);
		n->slot = UC_SLOT_GRANTED;
		g->busy++;
		uc_timer(n->timer, 0);	/* it starts from the loop, not from inside this call */
	}
}

/* The server failed a connection before TLS was up (never this host's error): the connections waiting to reach it fail too. */
static void uc_gate_fail_waiting(struct uc_gate *g, const char *why)
{
	char w[UC_WHY];

	snprintf(w, sizeof(w), "%s (met by a connection to the same upsd)", why);
	while (g->head) {
		struct uc_core *n = g->head;
		uc_gate_unqueue(n);
		uc_fail(n, w);
	}
}

void uc_failure(struct uc_core *k, const char *why, int local)
{
	double wait;
	int server = !local && k->slot == UC_SLOT_HELD && k->st >= UC_CONNECTING && k->st <= UC_HANDSHAKE;

	if (!local && (k->st == UC_HANDSHAKE || uc_direct_handshaking(k)))	/* for the metrics */
		k->gate->tls_fail[tls_fail_kind(why)]++;
	uc_close(k);
	uc_gate_leave(k);
	k->st = UC_IDLE;
	k->tried = 1;
	if (!k->err || strcmp(k->err, why) != 0) {
		log_msg(LOG_ERR, "%s: %s%s", k->label, why, k->role->fail_note);
		uc_keep(&k->err, why);
	}
	if (k->role->host_state)
		k->role->host_state(k, 0);
	/* exponential back-off with +-25 % jitter, so that many UPS do not retry in step */
	wait = k->backoff * (0.75 + 0.5 * ((double)random() / (double)RAND_MAX));
	log_debug(1, "%s: next connection attempt in %.1f s", k->label, wait);
	uc_timer(k->timer, wait);
	k->backoff = k->backoff * 2 > UC_BACKOFF_MAX ? UC_BACKOFF_MAX : k->backoff * 2;
	if (server)
		uc_gate_fail_waiting(k->gate, why);
}

void uc_fail(struct uc_core *k, const char *why)
{
	k->role->fail(k, why, 0);
}

/* An error number that is this host's, not the server's: out of file descriptors, memory or ports. */
int uc_local_errno(int e)
{
	return e == EMFILE || e == ENFILE || e == ENOMEM || e == ENOBUFS || e == EADDRNOTAVAIL;
}

/* K failed with the local error E (uc_local_errno()) while doing WHAT: said so, nobody else fails with it. */
void uc_fail_local(struct uc_core *k, int e, const char *what)
{
	char why[UC_WHY];

	snprintf(why, sizeof(why), "this host could not %s: %s: a limit of this host, not a fault of upsd%s", what,
		 strerror(e),
		 e == EMFILE ? ": raise the open files limit (ulimit -n; LimitNOFILE= in a systemd unit)" :
		 e == ENFILE ? ": the system's open files limit is reached (sysctl fs.file-max)" : "");
	k->role->fail(k, why, 1);
}

static void uc_step(struct uc_core *k, enum uc_state s)
{
	k->st = s;
	uc_timer(k->timer, UC_STEP_TIMEOUT);
	log_debug(2, "%s: %s", k->label, uc_state_name(s));
}

void uc_ready_now(struct uc_core *k)
{
	uc_gate_leave(k);
	k->st = UC_READY;
	k->answered = 0;
	if (k->err) {
		log_msg(LOG_NOTICE, "%s: %s again", k->label, k->role->up_msg);
		uc_keep(&k->err, NULL);
	} else {
		log_debug(1, "%s: %s", k->label, k->role->up_msg);
	}
	uc_timer(k->timer, UC_KEEPALIVE);	/* before the host hears of it: it may log out at once */
	if (k->role->host_state)
		k->role->host_state(k, 1);
	uc_go_direct(k);
	if (k->role->up)
		k->role->up(k);
}

static void uc_event_cb(struct bufferevent *bev, short what, void *arg);

void uc_upgrade(struct uc_core *k)
{
	char err[UC_TLSERR];
	SSL *ssl = tls_new(k->ctx, k->name, 0, err, sizeof(err));
	struct bufferevent *tls;
	evutil_socket_t fd = bufferevent_getfd(k->bev);

	if (!ssl) {	/* no memory: this host's */
		k->role->fail(k, err, 1);
		return;
	}
	/*
	 * TLS on the socket itself (not a filter over the plain bufferevent:
	 * one layer of buffers and callbacks less on every poll); the plain
	 * bufferevent lets the socket go (what it read beyond OK STARTTLS
	 * goes with it)
	 */
	bufferevent_setfd(k->bev, -1);
	bufferevent_free(k->bev);
	k->bev = NULL;
	k->epoch++;
	tls = bufferevent_openssl_socket_new(k->base, fd, ssl, BUFFEREVENT_SSL_CONNECTING, BEV_OPT_DEFER_CALLBACKS);
	if (!tls) {
		SSL_free(ssl);
		evutil_closesocket(fd);
		uc_fail_local(k, ENOMEM, "start TLS");
		return;
	}
	bufferevent_openssl_set_allow_dirty_shutdown(tls, 1);
	k->bev = tls;
	k->bev_tls = 1;
	bufferevent_setcb(tls, uc_read_cb, NULL, uc_event_cb, k);
	bufferevent_enable(tls, EV_READ | EV_WRITE);
	uc_step(k, UC_HANDSHAKE);
}

/*
 * TLS NONE, connected: 1 when the peer of FD is a loopback address; else
 * the attempt fails with the reason (before a byte is sent) and 0.  The
 * compiler checked HOST already; a name can resolve otherwise now.
 */
static int uc_plain_peer_ok(struct uc_core *k, int fd)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);
	char addr[80], why[UC_WHY];

	if (fd >= 0 && getpeername(fd, (struct sockaddr *)&ss, &len) == 0 &&
	    lo_addr_is_loopback((struct sockaddr *)&ss, len))
		return 1;
	if (fd < 0 || getpeername(fd, (struct sockaddr *)&ss, &len) != 0)
		snprintf(addr, sizeof(addr), "an address that cannot be known");
	else
		lo_addr_text((struct sockaddr *)&ss, len, addr, sizeof(addr));
	snprintf(why, sizeof(why),
		 "refused to talk in plain text (TLS NONE) to %s, which is not a loopback address: the password and "
		 "the UPS status would cross the network in clear; nothing was sent (%s must resolve to loopback "
		 "addresses only, or the group needs TLS STARTTLS)", addr, k->host);
	uc_fail(k, why);
	return 0;
}

static void uc_event_cb(struct bufferevent *bev, short what, void *arg)
{
	struct uc_core *k = arg;
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
			if (k->st == UC_CONNECTING && getsockname(fd, (struct sockaddr *)&ss, &len) == 0)
				log_debug(1, "%s: connected from port %u", k->label,
					  ntohs(ss.ss_family == AF_INET6 ? ((struct sockaddr_in6 *)&ss)->sin6_port
									 : ((struct sockaddr_in *)&ss)->sin_port));
		}
		if (k->st == UC_CONNECTING && k->plain) {
			if (!uc_plain_peer_ok(k, fd))
				return;
			k->role->tls_up(k);	/* no TLS: on to the login (or the polls) at once */
		} else if (k->st == UC_CONNECTING && !k->direct) {
			const char *w[1] = { "STARTTLS" };
			uc_step(k, UC_STARTTLS);
			if (uc_send(k, R_STARTTLS, 1, w) != 0)
				uc_fail(k, "STARTTLS cannot be sent");
		} else {
			k->role->tls_up(k);	/* the TLS handshake is done */
		}
		return;
	}
	if (k->st == UC_CLOSING) {	/* upsd closed after LOGOUT, or the link broke: closed either way */
		uc_closed(k);
		return;
	}
	first = k->bev_tls && (what & BEV_EVENT_ERROR) ? bufferevent_get_openssl_error(bev) : 0;
	if ((what & BEV_EVENT_ERROR) && !first && uc_local_errno(serr) &&
	    !(k->st == UC_CONNECTING && bufferevent_socket_get_dns_error(bev))) {
		uc_fail_local(k, serr, k->st == UC_CONNECTING ? "open a connection" : "read or write on the connection");
		return;
	}
	if (k->st == UC_CONNECTING && !first && bufferevent_socket_get_dns_error(bev)) {	/* also with TLS DIRECT */
		snprintf(reason, sizeof(reason), "cannot resolve '%s': %s", k->host,
			 evutil_gai_strerror(bufferevent_socket_get_dns_error(bev)));
	} else if (k->st == UC_HANDSHAKE || (k->st == UC_CONNECTING && k->direct) || k->st == UC_LOGIN || first) {
		unsigned long e = first && ERR_GET_LIB(first) != 0 ? first : 0, x;
		/* the first error of the TLS library says the most; drain the rest */
		if (first)
			log_debug(2, "%s: TLS error code %lx", k->label, first);
		while ((x = bufferevent_get_openssl_error(bev)) != 0) {
			log_debug(2, "%s: TLS error code %lx", k->label, x);
			if (!e && ERR_GET_LIB(x) != 0)
				e = x;
		}
		const char *fallback = (what & BEV_EVENT_EOF) && k->st == UC_LOGIN ? "upsd closed the connection" :
				       (what & BEV_EVENT_EOF) ? "the server closed the connection during the TLS handshake" :
				       (what & BEV_EVENT_ERROR) ? evutil_socket_error_to_string(serr) :
								  "TLS handshake failed";
		tls_failure(bufferevent_openssl_get_ssl(bev), e, fallback, reason, sizeof(reason));
	} else if (k->st == UC_STARTTLS && ((what & BEV_EVENT_EOF) || serr == ECONNRESET)) {
		/* a TLS server reads "STARTTLS" as a broken record and hangs up without a word (a RST: unread bytes) */
		snprintf(reason, sizeof(reason), "the server closed the connection without answering STARTTLS (%s): is "
			 "this port a TLS front end such as stunnel? it wants TLS DIRECT; upsd answers STARTTLS",
			 (what & BEV_EVENT_EOF) ? "end of file" : evutil_socket_error_to_string(serr));
	} else if (what & BEV_EVENT_EOF) {
		snprintf(reason, sizeof(reason), "upsd closed the connection");
	} else {
		snprintf(reason, sizeof(reason), "%s", evutil_socket_error_to_string(serr));
	}
	snprintf(why, sizeof(why), "%s (while %s)", reason, uc_state_name(k->st));
	uc_fail(k, why);
}

/* TLS DIRECT, the TCP connection made, the handshake not done: the state "connecting" covers both. */
static int uc_direct_handshaking(const struct uc_core *k)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);
	evutil_socket_t fd = k->bev ? bufferevent_getfd(k->bev) : -1;

	return k->direct && k->st == UC_CONNECTING && fd >= 0 && getpeername(fd, (struct sockaddr *)&ss, &len) == 0;
}

/* The connection's one timer: what it means depends on the state (see struct uc_core). */
static void uc_timer_cb(evutil_socket_t fd, short what, void *arg)
{
	struct uc_core *k = arg;
	char why[UC_WHY];

	(void)fd;
	(void)what;
	switch (k->st) {
	case UC_IDLE:		/* the back-off is over */
		uc_core_connect(k);
		return;
	case UC_CLOSING:	/* no answer to LOGOUT */
		uc_closed(k);
		return;
	case UC_READY:		/* keepalive: upsd drops a connection idle for 60 s */
		if (k->answered)	/* up for a keepalive interval, and answering: the episode of failures is over */
			k->backoff = 1;
		if (!k->sent_since_keepalive) {
			const char *w[1] = { "NETVER" };
			int rc = uc_send(k, R_KEEPALIVE, 1, w);
			if (rc != 0) {
				if (rc != UC_CLOSED)
					uc_fail(k, "the keepalive cannot be sent");
				return;
			}
		}
		k->sent_since_keepalive = 0;
		uc_timer(k->timer, UC_KEEPALIVE);
		return;
	default:
		if (uc_direct_handshaking(k))
			snprintf(why, sizeof(why),
				 "no answer to the TLS handshake for %.0f s (TLS DIRECT): the port takes connections but does not speak TLS from the first byte; upsd's own port speaks STARTTLS (remove TLS DIRECT), a TLS front end such as stunnel does",
				 UC_STEP_TIMEOUT);
		else
			snprintf(why, sizeof(why), "no progress for %.0f s while %s", UC_STEP_TIMEOUT,
				 uc_state_name(k->st));
		uc_fail(k, why);
		return;
	}
}

static const char *uc_or_empty(const char *s)
{
	return s ? s : "";
}

void uc_core_init(struct uc_core *k, const struct uc_role *role, struct event_base *base, struct evdns_base *dns,
		  SSL_CTX *ctx, struct uc_gate *gate, const struct uc_target *t, char *label)
{
	size_t n;

	k->role = role;
	k->base = base;
	k->dns = dns;
	k->ctx = ctx;
	k->gate = gate;
	/* the address to connect to: without brackets */
	k->host = uc_or_empty(t->host);
	n = strlen(k->host);
	if (n > 2 && k->host[0] == '[' && k->host[n - 1] == ']')
		k->host = k->host_own = xstrndup(k->host + 1, n - 2);
	k->name = t->certname && *t->certname ? t->certname : k->host;
	k->label = label;
	k->port = t->port;
	k->direct = t->direct && !t->plain;
	k->plain = t->plain;
	k->want_charge = t->charge;
	k->several = t->charge || t->nvars;
	k->backoff = 1;
	k->fd = -1;
	k->timer = evtimer_new(base, uc_timer_cb, k);
}

void uc_core_free(struct uc_core *k)
{
	uc_gate_leave(k);
	uc_close(k);
	event_free(k->timer);
	uc_q_free(&k->rq);
	buf_free(&k->in);
	buf_free(&k->out);
	free(k->host_own);
	free(k->label);
	free(k->err);
}

void uc_core_connect(struct uc_core *k)
{
	char err[UC_TLSERR];

	uc_close(k);
	k->st = UC_IDLE;	/* until its turn comes, the timer is the next attempt */
	switch (k->slot) {
	case UC_SLOT_WAITING:
		return;		/* its turn comes */
	case UC_SLOT_GRANTED:
		k->slot = UC_SLOT_HELD;
		break;
	case UC_SLOT_HELD:
		break;		/* a new attempt in the same slot */
	case UC_SLOT_NONE:
		if (k->gate->busy >= k->gate->limit) {
			k->slot = UC_SLOT_WAITING;
			if (k->gate->tail)
				k->gate->tail->gnext = k;
			else
				k->gate->head = k;
			k->gate->tail = k;
			log_debug(2, "%s: waiting: %u connections to this upsd are being made", k->label,
				  k->gate->busy);
			return;
		}
		k->gate->busy++;
		k->slot = UC_SLOT_HELD;
		break;
	}
	if (k->direct) {
		SSL *ssl = tls_new(k->ctx, k->name, 1, err, sizeof(err));
		if (!ssl) {
			uc_fail(k, err);
			return;
		}
		/* no CLOSE_ON_FREE: uc_close() frees the SSL and closes the socket (direct mode keeps them) */
		k->bev = bufferevent_openssl_socket_new(k->base, -1, ssl, BUFFEREVENT_SSL_CONNECTING,
							BEV_OPT_DEFER_CALLBACKS);
		if (k->bev) {
			bufferevent_openssl_set_allow_dirty_shutdown(k->bev, 1);
			k->bev_tls = 1;
		} else {
			SSL_free(ssl);
		}
	} else {
		k->bev = bufferevent_socket_new(k->base, -1, BEV_OPT_CLOSE_ON_FREE | BEV_OPT_DEFER_CALLBACKS);
	}
	if (!k->bev) {
		uc_fail(k, "cannot make a connection object");
		return;
	}
	bufferevent_setcb(k->bev, uc_read_cb, NULL, uc_event_cb, k);
	bufferevent_enable(k->bev, EV_READ | EV_WRITE);
	uc_step(k, UC_CONNECTING);
	log_debug(1, "%s: connecting to %s port %u (%s)", k->label, k->host, k->port,
		  k->plain ? "TLS NONE: plain text, loopback only" : k->direct ? "TLS DIRECT" : "STARTTLS");
	if (bufferevent_socket_connect_hostname(k->bev, k->dns, AF_UNSPEC, k->host, (int)k->port) != 0) {
		int e = errno;
		if (uc_local_errno(e)) {
			uc_fail_local(k, e, "open a connection");
			return;
		}
		snprintf(err, sizeof(err), "cannot connect to %s port %u", k->host, k->port);
		uc_fail(k, err);
	}
}

/* The connection of a UPS */

/* TLS is up: credentials may go now, never before. */
static void uc_start_login(struct uc_core *k)
{
	struct uc *c = uc_of(k);
	const char *w[2];
	int rc = 0;

	uc_step(k, UC_LOGIN);
	w[0] = "USERNAME";
	w[1] = c->user;
	rc |= uc_send(k, R_USERNAME, 2, w);
	w[0] = "PASSWORD";
	w[1] = c->password;
	rc |= uc_send(k, R_PASSWORD, 2, w);
	if (c->login) {
		w[0] = "LOGIN";
		w[1] = c->ups;
		rc |= uc_send(k, R_LOGIN, 2, w);
	}
	if (c->primary) {
		w[0] = "PRIMARY";
		w[1] = c->ups;
		rc |= uc_send(k, R_PRIMARY, 2, w);
	}
	if (rc)
		uc_fail(k, "the user name, password or UPS name cannot be sent to upsd (only printable ASCII reaches it)");
}

void uc_send_poll(struct uc *c)
{
	const char *w[4] = { "GET", "VAR", c->ups, "ups.status" };
	struct uc_core *on = c->via && c->via->k.st == UC_READY && c->via->k.ssl ? &c->via->k : &c->k;
	struct uc *m = on == &c->k ? NULL : c;	/* on its own connection: a request of its own */

	int rc;

	c->status_ok = c->charge_ok = 0;
	c->status_err[0] = '\0';
	rc = uc_send_for(on, m, R_STATUS, 4, w);
	if (rc == 0 && c->k.want_charge) {
		w[3] = "battery.charge";
		rc = uc_send_for(on, m, R_CHARGE, 4, w);
	}
	/* the variables the plan's conditions read, pipelined after the status: one line each */
	c->var_next = 0;
	for (uint32_t i = 0; rc == 0 && i < c->nvars; i++) {
		c->val_ok[i] = 0;
		if (i == c->numlogins) {	/* the NUMLOGINS slot: GET NUMLOGINS ups, answered NUMLOGINS ups n */
			const char *nl[3] = { "GET", "NUMLOGINS", c->ups };
			rc = uc_send_for(on, m, R_VAR, 3, nl);
			continue;
		}
		w[3] = c->vars[i];
		rc = uc_send_for(on, m, R_VAR, 4, w);
	}
	if (rc != 0) {
		if (rc != UC_CLOSED)	/* a closed connection was failed already: the poll is not pending */
			uc_fail(&c->k, "the poll cannot be sent");
		return;
	}
	c->poll_pending = 1;
	c->pend_via = m != NULL;
}

static void uc_ups_host_state(struct uc_core *k, int up)
{
	struct uc *c = uc_of(k);

	if (!up)
		uc_report(c, 0);
	c->h.state(c->h.ctx, c->idx, up);
}

static void uc_ups_up(struct uc_core *k)
{
	struct uc *c = uc_of(k);

	uc_send_poll(c);	/* do not wait for the next tick: COMM comes back at once */
	c->login_poll = 1;
}

/* Direct mode: a UPS's few requests (a keepalive, a poll without poll connection) are written at once. */
static void uc_ups_queued(struct uc_core *k)
{
	if (!k->io_write)
		uc_flush(k);
}

static void uc_ups_reset(struct uc_core *k)
{
	struct uc *c = uc_of(k);

	c->poll_pending = 0;
	c->pend_via = 0;
	uc_list_reset(c);
}

static void uc_ups_closed(struct uc_core *k)
{
	struct uc *c = uc_of(k);

	c->h.closed(c->h.ctx, c->idx);
}

static const struct uc_role uc_ups_role = {
	.up_msg = "connected and logged in",
	.fail_note = "",
	.record_max = 0,
	.keep_out = 0,
	.quickack = 0,
	.tls_up = uc_start_login,
	.host_state = uc_ups_host_state,
	.up = uc_ups_up,
	.queued = uc_ups_queued,
	.reply = uc_ups_reply,
	.fail = uc_failure,
	.reset = uc_ups_reset,
	.closed = uc_ups_closed,
};

/* "PREFIX LABEL SUFFIX", for the messages. */
char *uc_label(const char *prefix, const char *label, const char *suffix)
{
	size_t n = strlen(prefix) + strlen(label ? label : "") + strlen(suffix) + 3;
	char *s = xcalloc(1, n);

	snprintf(s, n, "%s %s%s", prefix, label ? label : "", suffix);
	return s;
}

struct uc *uc_new(struct event_base *base, struct evdns_base *dns, SSL_CTX *ctx, struct uc_gate *gate,
		  const struct uc_target *t, uint32_t ups, const struct uc_host *host)
{
	struct uc *c = xcalloc(1, sizeof(*c));

	uc_core_init(&c->k, &uc_ups_role, base, dns, ctx, gate, t, uc_label("UPS", t->label, ""));
	c->k.rq.max = UC_QMAX + t->nvars;	/* a poll asks for each variable of the plan's conditions too */
	c->ups = uc_or_empty(t->ups);
	c->user = uc_or_empty(t->user);
	c->password = uc_or_empty(t->password);
	c->login = t->login;
	c->primary = t->primary;
	c->idx = ups;
	c->h = *host;
	c->nvars = t->nvars;
	c->vars = xcalloc(t->nvars + 1, sizeof(*c->vars));
	c->vals = xcalloc(t->nvars + 1, sizeof(*c->vals));
	c->vreport = xcalloc(t->nvars + 1, sizeof(*c->vreport));
	c->val_ok = xcalloc(t->nvars + 1, 1);
	c->numlogins = t->nvars;
	for (uint32_t i = 0; i < t->nvars; i++) {
		c->vars[i] = t->vars[i];
		if (strcmp(t->vars[i], IMG_VAR_NUMLOGINS) == 0)
			c->numlogins = i;
	}
	return c;
}

void uc_connect(struct uc *c)
{
	uc_core_connect(&c->k);
}

void uc_poll(struct uc *c)
{
	switch (c->k.st) {
	case UC_READY:
		if (c->poll_pending && c->login_poll) {
			c->login_poll = 0;	/* sent at login, maybe just before this tick: its answer may still come */
			return;
		}
		if (c->poll_pending) {
			const char *hang = "no answer to the last poll within a poll interval: the server hangs";
			if (c->pend_via && c->via)	/* the poll connection fails, and so does each UPS whose poll it carried */
				uc_poller_hangs(c->via, hang);
			if (c->k.st == UC_READY && c->poll_pending)
				uc_fail(&c->k, hang);
			return;
		}
		c->login_poll = 0;
		uc_send_poll(c);
		return;
	case UC_CLOSING:
		return;
	default:
		if (c->k.tried)	/* lost, or never reached: NOCOMM (reported again: harmless) */
			uc_report(c, 0);
		return;
	}
}

int uc_fsd(struct uc *c)
{
	const char *w[2] = { "FSD", c->ups };

	if (c->k.st != UC_READY) {
		log_msg(LOG_ERR, "%s: FSD not sent: not logged in to upsd", c->k.label);
		return -1;
	}
	int rc = uc_send(&c->k, R_FSD, 2, w);

	if (rc != 0) {
		if (rc != UC_CLOSED)
			uc_fail(&c->k, "FSD cannot be sent");
		return -1;
	}
	return 0;
}

void uc_logout(struct uc *c)
{
	const char *w[1] = { "LOGOUT" };

	evtimer_del(c->k.timer);
	if (c->k.st != UC_READY || uc_send(&c->k, R_LOGOUT, 1, w) != 0) {
		uc_gate_leave(&c->k);
		uc_closed(&c->k);
		return;
	}
	c->k.st = UC_CLOSING;
	uc_timer(c->k.timer, UC_LOGOUT_WAIT);
}

int uc_ready(const struct uc *c)
{
	return c->k.st == UC_READY;
}

const char *uc_state_word(const struct uc *c)
{
	switch (c->k.st) {
	case UC_READY:
		return "logged in";
	case UC_STARTTLS:
	case UC_HANDSHAKE:
	case UC_LOGIN:
		return "connected";
	case UC_CONNECTING:
		return "connecting";
	case UC_CLOSING:
		return "logging out";
	default:
		return c->k.err ? "failed" : "not connected";
	}
}

const char *uc_last_error(const struct uc *c)
{
	return c->k.err ? c->k.err : "";
}

void uc_free(struct uc *c)
{
	if (!c)
		return;
	uc_join(c, NULL);
	uc_core_free(&c->k);
	free(c->status);
	free(c->charge);
	for (uint32_t i = 0; i < c->nvars; i++)
		free(c->vals[i]);
	free(c->vals);
	free(c->vars);
	free(c->vreport);
	free(c->val_ok);
	uc_list_free(c);
	free(c);
}
