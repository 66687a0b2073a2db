/* SPDX-License-Identifier: GPL-2.0-or-later */
/* httpd.h - a small hardened HTTP listener on libevent's evhttp: one address, exact-path routes with their methods, limits on headers, body, time and connections. */
#ifndef UPSPLAN_OBS_HTTPD_H
#define UPSPLAN_OBS_HTTPD_H

#include <stddef.h>
#include <sys/socket.h>

#include <event2/event.h>
#include <event2/http.h>
#include <openssl/ssl.h>

/* Where to listen: an address (never a name) and a port. */
struct hs_addr {
	struct sockaddr_storage ss;
	socklen_t len;
	unsigned port;
	char text[64];		/* as given back in messages: 127.0.0.1:9199, [::1]:9199 */
};

/*
 * SPEC as PORT (on 127.0.0.1), HOST:PORT with HOST an IPv4 address, or
 * [V6]:PORT, into *A.  0, or -1 with the reason (naming SPEC and the fix)
 * in ERR.  A host name is refused: the address is what gets bound.
 */
int hs_parse_addr(const char *spec, struct hs_addr *a, char *err, size_t len);

/* 1 when A is a loopback address (127.0.0.0/8, ::1, or ::ffff:127.x.y.z): no other host can reach it. */
int hs_is_loopback(const struct hs_addr *a);

/* The limits of a listener. */
struct hs_limits {
	size_t max_headers;	/* bytes of the request line and headers (larger: 400 or 431, closed) */
	size_t max_body;	/* bytes of a body (larger: 413, closed) */
	double timeout;		/* seconds a connection may be idle (a slow client is dropped after it) */
	unsigned max_conns;	/* connections at once; more wait in the kernel's queue until one ends */
};

/* 8 KiB of headers, 1 KiB of body, 10 s, 64 connections. */
#define HS_LIMITS_DEFAULT { 8192, 1024, 10.0, 64 }

/* The methods a route takes (an evhttp_cmd_type mask). */
#define HS_GET EVHTTP_REQ_GET
#define HS_HEAD EVHTTP_REQ_HEAD
#define HS_POST EVHTTP_REQ_POST

/* What a route does with a request whose path and method it takes. */
typedef void hs_handler_fn(struct evhttp_request *req, void *arg);

struct hs_server;

/*
 * A listener on A with limits LIM, named NAME in messages (e.g.
 * "--metrics"); nothing answers but the routes added (404 for another
 * path, 405 for a method its route does not take).  NULL with the reason
 * in ERR (the address taken, a port below 1024 without the right to it,
 * an address this host does not have).
 */
struct hs_server *hs_new(struct event_base *base, const struct hs_addr *a, const struct hs_limits *lim, const char *name,
			 char *err, size_t len);

/*
 * Serve HTTPS on S: each connection a TLS session of CTX, a server
 * context (S takes a reference).  Call it before the first connection.
 * Never downgraded: a session that cannot be made aborts the process as
 * any failed allocation does, rather than answer in clear.
 */
void hs_set_tls(struct hs_server *s, SSL_CTX *ctx);

/* Answer PATH (exact, the query aside) for the METHODS with FN; -1 when the table is full. */
int hs_route(struct hs_server *s, const char *path, unsigned methods, hs_handler_fn *fn, void *arg);

/* Connections open now. */
unsigned hs_connections(const struct hs_server *s);

/* Stop listening, drop the connections and free S. */
void hs_free(struct hs_server *s);

/* Reply CODE with the LEN bytes of BODY of type CTYPE (HEAD: the headers only). */
void hs_reply(struct evhttp_request *req, int code, const char *ctype, const char *body, size_t len);

#endif
