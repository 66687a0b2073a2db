/* SPDX-License-Identifier: GPL-2.0-or-later */
/* upsd-conn-int.h - what upsd-conn.c, upsd-io.c and upsd-reply.c share: a connection's state and the functions each offers the others (not for the rest of the daemon: see upsd-conn.h). */
#ifndef UPSPLAN_UPSD_CONN_INT_H
#define UPSPLAN_UPSD_CONN_INT_H

#include <stddef.h>
#include <stdint.h>

#include <event2/bufferevent.h>
#include <event2/event.h>
#include <openssl/ssl.h>

#include "runtime/daemon/nut-proto.h"
#include "runtime/daemon/upsd-conn.h"

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
#define UC_WHY 400	/* bytes of a failure's message (its reason, what was under way) */
#define UC_REASON 300	/* bytes of the reason alone */
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

/* upsd-conn.c: the connection's life */

/* The name of state S, for messages ("polling", "in the TLS handshake", ...). */
const char *uc_state_name(enum uc_state s);
/* *DST becomes a copy of S (NULL: none); an equal string is kept as it is. */
void uc_keep(char **dst, const char *s);
/* The NUL-terminated S of the server, escaped into BUF (log_esc()). */
const char *uc_esc(char *buf, size_t len, const char *s);
/* C failed, for the reason WHY: closed, NOCOMM, logged once per episode, retried after the back-off. */
void uc_fail(struct uc *c, const char *why);
/* An error number that is this host's, not the server's: out of file descriptors, memory or ports. */
int uc_local_errno(int e);
/* C failed with the local error E (uc_local_errno()) while doing WHAT: said so, nobody else fails with it. */
void uc_fail_local(struct uc *c, int e, const char *what);
/* Logged out, or given up on: closed, and HOST->closed told. */
void uc_closed(struct uc *c);
/* The poll result of C to its host: its last status and charge when ANSWERED, else no answer (NOCOMM). */
void uc_report(struct uc *c, int answered);
/* C is logged in (a poller: connected): polling starts. */
void uc_ready_now(struct uc *c);
/* OK STARTTLS came: the TLS handshake starts on the same socket. */
void uc_upgrade(struct uc *c);

/* upsd-io.c: requests and TLS on the socket */

/* Send the request W (N words) on C, whose reply is for request R of UPS M (a poller's request) or of C. */
int uc_send_for(struct uc *c, struct uc *m, enum uc_req r, int n, const char *const *w);
/* Send the request W (N words) of C itself, whose reply is for R. */
int uc_send(struct uc *c, enum uc_req r, int n, const char *const *w);
/*
 * Logged in: leave the bufferevent for direct mode, when nothing is left
 * in its buffers (otherwise it simply stays in use).
 */
void uc_go_direct(struct uc *c);
/* The flush event of a poller: the requests of a tick written together. */
void uc_flush_cb(evutil_socket_t fd, short what, void *arg);

/* upsd-reply.c: replies */

/* One line LINE (N bytes, NUL-terminated, no LF) from upsd; -1 when the connection was closed or changed mode. */
int uc_line(struct uc *c, char *line, size_t n);
/* The bufferevent of C has input (before direct mode): each whole line to uc_line(). */
void uc_read_cb(struct bufferevent *bev, void *arg);

#endif
