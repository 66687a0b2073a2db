/* SPDX-License-Identifier: GPL-2.0-or-later */
/* httpd.c - the hardened HTTP listener: address parsing, binding with clear errors, exact routes, method checks, limits and a cap on connections (evhttp's bufferevents held and swept). */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/bufferevent_ssl.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <event2/listener.h>

#include "base/buf.h"
#include "base/xalloc.h"
#include "runtime/obs/httpd.h"

#define HS_ROUTES 8
/* Seconds between sweeps of the connections evhttp has ended (their sockets close then). */
#define HS_SWEEP 0.2

struct hs_route {
	char *path;
	unsigned methods;
	hs_handler_fn *fn;
	void *arg;
};

struct hs_server {
	struct event_base *base;
	struct evhttp *http;
	struct evhttp_bound_socket *bound;
	struct hs_limits lim;
	/*
	 * The bufferevent of each connection, with a reference of ours:
	 * evhttp tells nobody when it ends a connection (a time-out, an
	 * error, the peer gone), but its free clears the callbacks, and the
	 * sweep lets the ones so ended go.
	 */
	struct bufferevent **conns;
	size_t live, cap;
	struct event *sweep;
	int paused;		/* the listener accepts no more: max_conns open */
	int freeing;
	SSL_CTX *tls;		/* HTTPS: each connection a session of it; NULL: HTTP */
	struct hs_route routes[HS_ROUTES];
	size_t nroutes;
};

static int hs_port(const char *s, unsigned *port)
{
	char *end;
	unsigned long v;

	if (!*s || strspn(s, "0123456789") != strlen(s) || strlen(s) > 5)
		return -1;
	v = strtoul(s, &end, 10);
	if (v < 1 || v > 65535)
		return -1;
	*port = (unsigned)v;
	return 0;
}

int hs_parse_addr(const char *spec, struct hs_addr *a, char *err, size_t len)
{
	char host[INET6_ADDRSTRLEN];
	const char *ps, *colon;
	struct sockaddr_in *v4 = (struct sockaddr_in *)&a->ss;
	struct sockaddr_in6 *v6 = (struct sockaddr_in6 *)&a->ss;

	memset(a, 0, sizeof(*a));
	if (spec[0] == '[') {
		const char *close = strchr(spec, ']');
		if (!close || close[1] != ':' || (size_t)(close - spec - 1) >= sizeof(host)) {
			snprintf(err, len, "'%.80s' is no address: write an IPv6 address as [ADDRESS]:PORT, e.g. [::1]:9199", spec);
			return -1;
		}
		memcpy(host, spec + 1, (size_t)(close - spec - 1));
		host[close - spec - 1] = '\0';
		ps = close + 2;
		if (inet_pton(AF_INET6, host, &v6->sin6_addr) != 1) {
			snprintf(err, len, "'%.80s' is no IPv6 address: write it as [ADDRESS]:PORT, e.g. [::1]:9199", host);
			return -1;
		}
		v6->sin6_family = AF_INET6;
		a->len = sizeof(*v6);
	} else {
		colon = strrchr(spec, ':');
		if (colon && strchr(spec, ':') != colon) {
			snprintf(err, len, "'%.80s': put an IPv6 address in brackets, as [::1]:9199", spec);
			return -1;
		}
		if (!colon) {
			snprintf(host, sizeof(host), "127.0.0.1");
			ps = spec;
		} else {
			if ((size_t)(colon - spec) >= sizeof(host)) {
				snprintf(err, len, "'%.80s' is no address: give HOST:PORT with HOST an IP address", spec);
				return -1;
			}
			memcpy(host, spec, (size_t)(colon - spec));
			host[colon - spec] = '\0';
			ps = colon + 1;
		}
		if (inet_pton(AF_INET, host, &v4->sin_addr) != 1) {
			snprintf(err, len, "'%.80s' is no IP address: give an address (e.g. 127.0.0.1 or [::1]), not a host name", host);
			return -1;
		}
		v4->sin_family = AF_INET;
		a->len = sizeof(*v4);
	}
	if (hs_port(ps, &a->port) != 0) {
		snprintf(err, len, "'%.80s' is no port: give a number from 1 to 65535 (e.g. %s:9199)", ps,
			 a->ss.ss_family == AF_INET6 ? "[::1]" : "127.0.0.1");
		return -1;
	}
	if (a->ss.ss_family == AF_INET6) {
		v6->sin6_port = htons((uint16_t)a->port);
		snprintf(a->text, sizeof(a->text), "[%s]:%u", host, a->port);
	} else {
		v4->sin_port = htons((uint16_t)a->port);
		snprintf(a->text, sizeof(a->text), "%s:%u", host, a->port);
	}
	return 0;
}

int hs_is_loopback(const struct hs_addr *a)
{
	const struct sockaddr_in *v4 = (const struct sockaddr_in *)&a->ss;
	const struct sockaddr_in6 *v6 = (const struct sockaddr_in6 *)&a->ss;

	if (a->ss.ss_family == AF_INET)
		return (ntohl(v4->sin_addr.s_addr) >> 24) == 127;
	if (a->ss.ss_family != AF_INET6)
		return 0;
	if (IN6_IS_ADDR_LOOPBACK(&v6->sin6_addr))
		return 1;
	return IN6_IS_ADDR_V4MAPPED(&v6->sin6_addr) && v6->sin6_addr.s6_addr[12] == 127;
}

/* Accept again once fewer than max_conns are open. */
static void hs_gate(struct hs_server *s)
{
	struct evconnlistener *l = s->bound ? evhttp_bound_socket_get_listener(s->bound) : NULL;

	if (!l || s->freeing)
		return;
	if (!s->paused && s->live >= s->lim.max_conns) {
		evconnlistener_disable(l);
		s->paused = 1;
	} else if (s->paused && s->live < s->lim.max_conns) {
		evconnlistener_enable(l);
		s->paused = 0;
	}
}

/* Let go of the connections evhttp has freed (no event callback left): their sockets close now. */
static void hs_sweep(evutil_socket_t fd, short what, void *arg)
{
	struct hs_server *s = arg;
	size_t kept = 0;

	(void)fd;
	(void)what;
	for (size_t i = 0; i < s->live; i++) {
		bufferevent_event_cb ecb = NULL;
		bufferevent_getcb(s->conns[i], NULL, NULL, &ecb, NULL);
		if (ecb)
			s->conns[kept++] = s->conns[i];
		else
			bufferevent_decref(s->conns[i]);
	}
	s->live = kept;
	hs_gate(s);
	if (s->live) {
		struct timeval tv = { 0, (suseconds_t)(HS_SWEEP * 1e6) };
		evtimer_add(s->sweep, &tv);
	}
}

/*
 * Each connection's bufferevent, made here so that it is counted and
 * held (see struct hs_server).  Accepted in a burst, a few more than
 * max_conns may be open at once (the listener stops after the burst).
 */
static struct bufferevent *hs_bev(struct event_base *base, void *arg)
{
	struct hs_server *s = arg;
	struct bufferevent *b;

	if (s->tls) {
		/* NULL here would let evhttp make a plain one: HTTP on the HTTPS port */
		SSL *ssl = SSL_new(s->tls);
		b = ssl ? bufferevent_openssl_socket_new(base, -1, ssl, BUFFEREVENT_SSL_ACCEPTING, BEV_OPT_CLOSE_ON_FREE) : NULL;
		if (!b)
			xalloc_fail();
	} else {
		b = bufferevent_socket_new(base, -1, BEV_OPT_CLOSE_ON_FREE);
		if (!b)
			return NULL;	/* evhttp makes one of its own: uncounted, but served */
	}
	bufferevent_incref(b);
	s->conns = xgrow(s->conns, &s->cap, s->live + 1, sizeof(*s->conns));
	s->conns[s->live++] = b;
	hs_gate(s);
	if (!evtimer_pending(s->sweep, NULL)) {
		struct timeval tv = { 0, (suseconds_t)(HS_SWEEP * 1e6) };
		evtimer_add(s->sweep, &tv);
	}
	return b;
}

void hs_reply(struct evhttp_request *req, int code, const char *ctype, const char *body, size_t len)
{
	struct evbuffer *b = evbuffer_new();
	struct evkeyvalq *h = evhttp_request_get_output_headers(req);
	const char *reason = code == 200 ? "OK" : code == 404 ? "Not Found" : code == 405 ? "Method Not Allowed" :
			     code == 503 ? "Service Unavailable" : "Error";

	evhttp_add_header(h, "Content-Type", ctype);
	evhttp_add_header(h, "Cache-Control", "no-store");
	evhttp_add_header(h, "X-Content-Type-Options", "nosniff");
	if (b)
		evbuffer_add(b, body, len);
	evhttp_send_reply(req, code, reason, b);
	if (b)
		evbuffer_free(b);
}

static void hs_text(struct evhttp_request *req, int code, const char *text)
{
	hs_reply(req, code, "text/plain; charset=utf-8", text, strlen(text));
}

static void hs_dispatch(struct evhttp_request *req, void *arg)
{
	struct hs_server *s = arg;
	const struct evhttp_uri *uri = evhttp_request_get_evhttp_uri(req);
	const char *path = uri ? evhttp_uri_get_path(uri) : NULL;
	unsigned m = (unsigned)evhttp_request_get_command(req);

	for (size_t i = 0; path && i < s->nroutes; i++) {
		char allow[32];
		if (strcmp(path, s->routes[i].path) != 0)
			continue;
		if (m & s->routes[i].methods) {
			s->routes[i].fn(req, s->routes[i].arg);
			return;
		}
		snprintf(allow, sizeof(allow), "%s%s%s", s->routes[i].methods & HS_GET ? "GET" : "",
			 (s->routes[i].methods & HS_GET) && (s->routes[i].methods & HS_HEAD) ? ", " : "",
			 s->routes[i].methods & HS_HEAD ? "HEAD" : "");
		evhttp_add_header(evhttp_request_get_output_headers(req), "Allow", allow);
		hs_text(req, 405, "method not allowed\n");
		return;
	}
	hs_text(req, 404, "not found\n");
}

/* A listening socket on A, or -1 with the reason in ERR. */
static int hs_listen(const struct hs_addr *a, const char *name, char *err, size_t len)
{
	int one = 1, fd = socket(a->ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0), e;

	if (fd < 0) {
		snprintf(err, len, "%s %s: cannot make a socket: %s", name, a->text, strerror(errno));
		return -1;
	}
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (a->ss.ss_family == AF_INET6)
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
	if (bind(fd, (const struct sockaddr *)&a->ss, a->len) == 0 && listen(fd, 64) == 0)
		return fd;
	e = errno;
	close(fd);
	if (e == EADDRINUSE)
		snprintf(err, len, "%s %s: the port is taken (another program listens there): choose another port", name, a->text);
	else if (e == EACCES && a->port < 1024)
		snprintf(err, len, "%s %s: ports below 1024 need root, and the listener runs in the unprivileged monitoring process: choose a port from 1024 up (e.g. 9199)",
			 name, a->text);
	else if (e == EADDRNOTAVAIL)
		snprintf(err, len, "%s %s: this host has no such address: give one of its own (e.g. 127.0.0.1)", name, a->text);
	else
		snprintf(err, len, "%s %s: cannot listen: %s", name, a->text, strerror(e));
	return -1;
}

struct hs_server *hs_new(struct event_base *base, const struct hs_addr *a, const struct hs_limits *lim, const char *name,
			 char *err, size_t len)
{
	struct hs_server *s;
	struct timeval tv;
	int fd = hs_listen(a, name, err, len);

	if (fd < 0)
		return NULL;
	s = xcalloc(1, sizeof(*s));
	s->base = base;
	s->sweep = evtimer_new(base, hs_sweep, s);
	s->lim = *lim;
	if (s->lim.max_conns == 0)
		s->lim.max_conns = 1;
	s->http = evhttp_new(base);
	if (!s->http || !(s->bound = evhttp_accept_socket_with_handle(s->http, fd))) {
		snprintf(err, len, "%s %s: cannot start the HTTP listener", name, a->text);
		if (!s->bound)
			close(fd);
		if (s->http)
			evhttp_free(s->http);
		event_free(s->sweep);
		free(s);
		return NULL;
	}
	evhttp_set_max_headers_size(s->http, (ev_ssize_t)s->lim.max_headers);
	evhttp_set_max_body_size(s->http, (ev_ssize_t)s->lim.max_body);
	tv.tv_sec = (time_t)s->lim.timeout;
	tv.tv_usec = (suseconds_t)((s->lim.timeout - (double)tv.tv_sec) * 1e6);
	evhttp_set_timeout_tv(s->http, &tv);
	/* every method reaches the routes, which answer 405 to those they do not take (evhttp would say 501) */
	evhttp_set_allowed_methods(s->http, EVHTTP_REQ_GET | EVHTTP_REQ_HEAD | EVHTTP_REQ_POST | EVHTTP_REQ_PUT |
				   EVHTTP_REQ_DELETE | EVHTTP_REQ_OPTIONS | EVHTTP_REQ_TRACE | EVHTTP_REQ_CONNECT |
				   EVHTTP_REQ_PATCH);
	evhttp_set_default_content_type(s->http, "text/plain; charset=utf-8");
	evhttp_set_bevcb(s->http, hs_bev, s);
	evhttp_set_gencb(s->http, hs_dispatch, s);
	return s;
}

void hs_set_tls(struct hs_server *s, SSL_CTX *ctx)
{
	SSL_CTX_up_ref(ctx);
	SSL_CTX_free(s->tls);
	s->tls = ctx;
}

int hs_route(struct hs_server *s, const char *path, unsigned methods, hs_handler_fn *fn, void *arg)
{
	if (s->nroutes == HS_ROUTES)
		return -1;
	s->routes[s->nroutes++] = (struct hs_route){ xstrdup(path), methods, fn, arg };
	return 0;
}

unsigned hs_connections(const struct hs_server *s)
{
	return (unsigned)s->live;
}

void hs_free(struct hs_server *s)
{
	if (!s)
		return;
	s->freeing = 1;
	evhttp_free(s->http);	/* its connections too: then ours is the last reference */
	for (size_t i = 0; i < s->live; i++)
		bufferevent_decref(s->conns[i]);
	free(s->conns);
	event_free(s->sweep);
	for (size_t i = 0; i < s->nroutes; i++)
		free(s->routes[i].path);
	SSL_CTX_free(s->tls);
	free(s);
}
