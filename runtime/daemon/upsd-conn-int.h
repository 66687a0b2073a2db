/* SPDX-License-Identifier: GPL-2.0-or-later */
/* upsd-conn-int.h - what the upsd connection files share: the connection core, the two roles built on it (a UPS's connection, a poll connection), the request queue, and the functions each file offers the others (not for the rest of the daemon: see upsd-conn.h). */
#ifndef UPSPLAN_UPSD_CONN_INT_H
#define UPSPLAN_UPSD_CONN_INT_H

#include <stddef.h>
#include <stdint.h>

#include <event2/bufferevent.h>
#include <event2/event.h>
#include <openssl/ssl.h>

#include "base/buf.h"
#include "runtime/daemon/nut-proto.h"
#include "runtime/daemon/tls.h"
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
	R_KEEPALIVE, R_LOGOUT, R_VAR, R_LISTVAR
};

#define UC_QMAX 32	/* requests a UPS's connection may have in flight (a poll connection: no limit) */
#define UC_WHY 1000	/* bytes of a failure's message (its reason, what was under way) */
#define UC_REASON 900	/* bytes of the reason alone */
#define UC_TLSERR 256	/* bytes of the message of a TLS object that cannot be made (tls_new()) */
#define UC_ERRWORD 32	/* bytes kept of an ERR word of upsd (the longest NUT has: 22) */
#define UC_ESCNAME 80	/* bytes of a UPS or variable name of the server, escaped for a message */
#define UC_ESCLINE 160	/* bytes of a line of the server, escaped for a message (cut short) */
#define UC_INBUF (2 * (NUT_LINE_MAX + 2))	/* the read buffer: an unfinished line (a line is at most 512) and more */
#define UC_LOGOUT_WAIT 2.0	/* seconds an answer to LOGOUT is waited for */
#define UC_LIST_MAX_VARS 512u	/* variables kept of a LIST VAR reply (NUT's drivers have at most ~200) */
#define UC_LIST_MAX_BYTES 32768u	/* bytes of their names and values */
/*
 * The most request bytes in one TLS record of a poller: upsd reads 512
 * bytes per wakeup, and what its TLS library decrypted beyond them waits
 * unseen by poll() until more bytes arrive (a 6 kB record of 200 requests
 * gets 22 answers).  Records end at line ends.
 */
#define UC_RECORD_MAX 512

struct uc_core;

/* A request in flight: the reply it waits for, for UPS M (a poll connection's) or, M NULL, for the connection itself. */
struct uc_pend {
	struct uc *m;
	uint8_t r;
};

/* The requests in flight on a connection, oldest first: a ring that grows, up to MAX entries (0: no limit). */
struct uc_req_q {
	struct uc_pend *v;
	size_t cap, head, n, max;
};

/* A connection's place at its gate. */
enum uc_slot {
	UC_SLOT_NONE,		/* not connecting, or logged in */
	UC_SLOT_WAITING,	/* in the gate's queue */
	UC_SLOT_GRANTED,	/* given a slot, starts from its retry timer */
	UC_SLOT_HELD		/* connecting or logging in */
};

struct uc_gate {
	unsigned limit, busy;		/* slots, slots taken */
	uint64_t tls_fail[TLS_FAIL_KINDS];	/* TLS handshakes failed through it, by kind */
	struct uc_core *head, *tail;	/* the waiting connections, first come first served */
};

/*
 * What differs between a UPS's connection and a poll connection: the
 * code both share calls these and never asks which kind a connection
 * is.  A NULL hook does nothing.
 */
struct uc_role {
	const char *up_msg;	/* logged when it comes up ("connected and logged in") */
	const char *fail_note;	/* added to the message of a failure */
	size_t record_max;	/* direct mode: TLS records of at most this many bytes, ending at line ends (0: any) */
	int keep_out;		/* direct mode: the output buffer is kept once written (it is used at every tick) */
	int quickack;		/* direct mode: several reply lines per exchange, whatever is polled (TCP_QUICKACK) */
	/* TLS is up: log in, or come up at once (uc_ready_now()) */
	void (*tls_up)(struct uc_core *k);
	/* tell the host: K came up (UP 1), or an attempt failed (UP 0) */
	void (*host_state)(struct uc_core *k, int up);
	/* K came up and the host knows (direct mode was tried) */
	void (*up)(struct uc_core *k);
	/* direct mode: request bytes were added to K->out; write them now or later */
	void (*queued)(struct uc_core *k);
	/* the reply RP to the request PE; -1 when the connection was closed or changed mode */
	int (*reply)(struct uc_core *k, const struct uc_pend *pe, const struct nut_reply *rp);
	/* K failed for the reason WHY (LOCAL: an error of this host, uc_failure()) */
	void (*fail)(struct uc_core *k, const char *why, int local);
	/* K was closed and its requests dropped: what waited for them stops waiting */
	void (*reset)(struct uc_core *k);
	/* K logged out, or gave up on it: closed */
	void (*closed)(struct uc_core *k);
};

/* One TLS connection to upsd: its steps, its gate, its transport, its requests in flight. */
struct uc_core {
	const struct uc_role *role;
	struct event_base *base;
	struct evdns_base *dns;
	SSL_CTX *ctx;
	struct uc_gate *gate;
	enum uc_slot slot;
	struct uc_core *gnext;	/* next in the gate's queue */
	const char *host;	/* the address to connect to: the uc_target's, or host_own */
	const char *name;	/* the name its certificate must carry (borrowed) */
	char *host_own;		/* HOST when it is a copy (an address in brackets, without them) */
	char *label;
	unsigned port;
	int direct;		/* TLS DIRECT */
	int plain;		/* TLS NONE: plain TCP, to a loopback peer only */
	int want_charge;	/* battery.charge is polled too: two reply lines per UPS and poll */
	int several;		/* several reply lines per UPS and poll (battery.charge, the conditions' variables) */
	enum uc_state st;
	unsigned epoch;		/* counts closes and changes of transport: a callback that sees it change ends */

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
	int io_write;		/* io also waits for writability */
	struct buf in;		/* the unfinished line read last (either mode); no memory while none */
	struct buf out;		/* direct mode: what SSL_write has not taken yet; the first wlen bytes were offered */
	size_t wlen;
	struct uc_req_q rq;

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
	int answered;		/* a poll of its UPS was answered (poll connection: any reply) since it came up */
	int tried;		/* an attempt has ended (a UPS is not NOCOMM before) */
	int sent_since_keepalive;
	char *err;		/* NULL, or the failure logged last: one message per episode */
};

/* The connection of one monitored UPS: its login, its polls, FSD and LOGOUT. */
struct uc {
	struct uc_core k;
	const char *ups, *user, *password;	/* borrowed from the uc_target */
	int login, primary;
	uint32_t idx;
	struct uc_host h;
	int poll_pending;
	int login_poll;		/* the pending poll is the one sent at login, not at a tick */
	char *status;		/* the last ups.status (NULL before the first), kept until it changes */
	int status_ok;
	char status_err[UC_ERRWORD];
	char *charge;		/* likewise battery.charge */
	int charge_ok;
	/* the variables of the plan's conditions: names (borrowed), last values, answered at this poll */
	const char **vars;
	char **vals;
	const char **vreport;	/* what uc_report() passes: vals[i], or NULL when not answered */
	uint8_t *val_ok;
	uint32_t nvars, var_next;	/* var_next: the variable the next R_VAR reply is for */
	uint32_t numlogins;	/* the index in vars of IMG_VAR_NUMLOGINS (GET NUMLOGINS), or nvars: none */
	char nl_note[2 * UC_ERRWORD + 8];	/* why NUMLOGINS is unknown, as logged last ("" while it is known) */
	char stale[UC_ERRWORD];	/* the ERR word of a stale poll logged last */
	struct uc_poller *via;	/* the poll connection it was joined to, or NULL */
	size_t vi;		/* its place in via->ups */
	int pend_via;		/* the pending poll went over the poll connection */
	struct uc_list *list;	/* LIST VAR (upsd-list.c), NULL until it is first asked for */
};

/*
 * The polls of all UPS of a upsd go over one more connection, its poll
 * connection (no login): one write and a few reads per poll interval for
 * all of them instead of a write and a read each.  A UPS whose poll
 * connection is not up polls on its own connection.  Its request queue
 * (k.rq) holds the polls it carries, each with its UPS.
 */
struct uc_poller {
	struct uc_core k;
	struct event *flush;	/* writes the requests of a tick together */
	struct uc **ups;	/* the UPS joined to it */
	size_t nups, upscap;
};

static inline struct uc *uc_of(struct uc_core *k)
{
	return (struct uc *)(void *)((char *)k - offsetof(struct uc, k));
}

static inline struct uc_poller *uc_poller_of(struct uc_core *k)
{
	return (struct uc_poller *)(void *)((char *)k - offsetof(struct uc_poller, k));
}

/* upsd-conn.c: the life of a connection, whatever its role, and the UPS's connection */

/* The name of state S, for messages ("polling", "in the TLS handshake", ...). */
const char *uc_state_name(enum uc_state s);
/* *DST becomes a copy of S (NULL: none); an equal string is kept as it is. */
void uc_keep(char **dst, const char *s);
/* The NUL-terminated S of the server, escaped into BUF (log_esc()). */
const char *uc_esc(char *buf, size_t len, const char *s);
/* "PREFIX LABEL SUFFIX" (LABEL NULL: ""), for the messages; the caller frees it. */
char *uc_label(const char *prefix, const char *label, const char *suffix);
/* Arm the timer EV for SECONDS. */
void uc_timer(struct event *ev, double seconds);
/*
 * K becomes a connection of ROLE (not connected), labelled LABEL (taken
 * over), with the address, TLS settings and charge flag of T.
 */
void uc_core_init(struct uc_core *k, const struct uc_role *role, struct event_base *base, struct evdns_base *dns,
		  SSL_CTX *ctx, struct uc_gate *gate, const struct uc_target *t, char *label);
/* Leave the gate, close, and free what K holds (not K). */
void uc_core_free(struct uc_core *k);
/* Connect K (see uc_connect()). */
void uc_core_connect(struct uc_core *k);
/* K failed, for the reason WHY: as its role says (uc_failure(), and for a poll connection its UPS). */
void uc_fail(struct uc_core *k, const char *why);
/*
 * What every failure does (the roles' fail hooks call it): K is closed,
 * logged once per episode, its host told (NOCOMM), retried after the
 * back-off; when it failed before TLS was up, and not for an error of
 * this host (LOCAL), the connections waiting at its gate fail with it.
 */
void uc_failure(struct uc_core *k, const char *why, int local);
/* An error number that is this host's, not the server's: out of file descriptors, memory or ports. */
int uc_local_errno(int e);
/* K failed with the local error E (uc_local_errno()) while doing WHAT: said so, nobody else fails with it. */
void uc_fail_local(struct uc_core *k, int e, const char *what);
/* Logged out, or given up on: closed, and the role told. */
void uc_closed(struct uc_core *k);
/* K is logged in (a poll connection: connected): polling starts. */
void uc_ready_now(struct uc_core *k);
/* OK STARTTLS came: the TLS handshake starts on the same socket. */
void uc_upgrade(struct uc_core *k);
/* The poll result of UPS C to its host: its last status and charge when ANSWERED, else no answer (NOCOMM). */
void uc_report(struct uc *c, int answered);
/* Ask for ups.status (and battery.charge) of UPS C: over its poll connection when that is up, else on its own. */
void uc_send_poll(struct uc *c);

/* upsd-list.c: LIST VAR */

/* The line LINE (N bytes), parsed into RP, of the LIST VAR reply at the head of K's queue; -1 when K failed. */
int uc_list_line(struct uc_core *k, const struct nut_reply *rp, const char *line, size_t n);
/* The connection of C was closed: a reply being read is dropped (the last whole one is kept). */
void uc_list_reset(struct uc *c);
void uc_list_free(struct uc *c);

/* upsd-poller.c: the poll connection */

/* P stopped answering: it fails, and so does each UPS whose poll it carried (for the reason HANG). */
void uc_poller_hangs(struct uc_poller *p, const char *hang);

/* upsd-io.c: the transport: requests, lines, TLS on the socket */

/* Append the request R of UPS M (NULL: of K itself) to Q; -1 when Q is full. */
int uc_q_push(struct uc_req_q *q, struct uc *m, enum uc_req r);
/* The oldest request of Q into *PE, taken out; -1 when Q is empty. */
int uc_q_pop(struct uc_req_q *q, struct uc_pend *pe);
/* The Ith oldest request of Q, or NULL past its end. */
const struct uc_pend *uc_q_peek(const struct uc_req_q *q, size_t i);
/* Free the memory of Q; Q is empty afterwards (its MAX is kept). */
void uc_q_free(struct uc_req_q *q);
/* The requests in Q for UPS M become requests of nobody (M leaves, or is freed): their replies are dropped. */
void uc_q_forget(struct uc_req_q *q, const struct uc *m);
/*
 * Send the request W (N words) on K, whose reply is for request R of UPS
 * M (NULL: of K itself).  0; -1 when it cannot be queued; UC_CLOSED when
 * writing it failed K (already closed and failed: the caller does nothing
 * more with K).
 */
int uc_send_for(struct uc_core *k, struct uc *m, enum uc_req r, int n, const char *const *w);
#define UC_CLOSED (-2)
/* Send the request W (N words) of K itself, whose reply is for R (uc_send_for()). */
int uc_send(struct uc_core *k, enum uc_req r, int n, const char *const *w);
/* Direct mode: offer the output to SSL_write; what it cannot take now waits for the socket. */
void uc_flush(struct uc_core *k);
/* The bufferevent of K has input (before direct mode): to the line reader. */
void uc_read_cb(struct bufferevent *bev, void *arg);
/*
 * Logged in: leave the bufferevent for direct mode, when nothing is left
 * in its buffers (otherwise it simply stays in use).
 */
void uc_go_direct(struct uc_core *k);
/* Close the transport (either mode), drop the requests in flight (the role's reset hook), stop the timer. */
void uc_close(struct uc_core *k);

/* upsd-reply.c: replies */

/* One line LINE (N bytes, NUL-terminated, no LF) from upsd; -1 when the connection was closed or changed mode. */
int uc_line(struct uc_core *k, char *line, size_t n);
/* The reply hook of a UPS's connection (struct uc_role). */
int uc_ups_reply(struct uc_core *k, const struct uc_pend *pe, const struct nut_reply *rp);
/* The reply hook of a poll connection: its own replies, and each poll's to its UPS. */
int uc_poller_reply(struct uc_core *k, const struct uc_pend *pe, const struct nut_reply *rp);

#endif
