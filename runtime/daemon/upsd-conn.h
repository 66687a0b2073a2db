/* SPDX-License-Identifier: GPL-2.0-or-later */
/* upsd-conn.h - TLS connections to upsd: one per monitored UPS (connect, STARTTLS or direct TLS, login, FSD, LOGOUT) and one poll connection per upsd carrying the polls of all its UPS. */
#ifndef UPSPLAN_UPSD_CONN_H
#define UPSPLAN_UPSD_CONN_H

#include <stdint.h>

#include <event2/dns.h>
#include <event2/event.h>
#include <openssl/ssl.h>

#include "engine/state.h"

/* Seconds each step of a connection may take (connect, STARTTLS, handshake, login). */
#define UC_STEP_TIMEOUT 10.0
/* Longest wait between reconnection attempts, seconds. */
#define UC_BACKOFF_MAX 60.0
/* A request at least this often, so that upsd's 60 s idle drop never hits. */
#define UC_KEEPALIVE 30.0

/*
 * Connections to one upsd that may be between connect and login at once;
 * more wait their turn.  NUT's upsd listens with a queue of 16: a burst of
 * hundreds of connects overflows it, and the connections it drops are
 * retried by TCP only after seconds (and some never get an answer).
 */
#define UC_GATE_LIMIT 8

/* The connection slots of one upsd, shared by the connections to it. */
struct uc_gate;

/* A gate letting LIMIT connections connect and log in at once. */
struct uc_gate *uc_gate_new(unsigned limit);
/* Free GATE; every connection using it must have been freed before. */
void uc_gate_free(struct uc_gate *gate);
/* TLS handshakes of the connections of GATE that failed with KIND (enum tls_fail_kind). */
uint64_t uc_gate_tls_failures(const struct uc_gate *gate, int kind);

/* Where a connection reports to. */
struct uc_host {
	void *ctx;
	/* Poll result or loss of UPS UPS: P->answered 0 means no answer (NOCOMM). */
	void (*result)(void *ctx, uint32_t ups, const struct st_poll *p);
	/* The connection of UPS reached the logged-in state (1) or failed an attempt (0). */
	void (*state)(void *ctx, uint32_t ups, int ready);
	/* A LOGOUT finished (or gave up): the connection is closed. */
	void (*closed)(void *ctx, uint32_t ups);
};

/* What one connection needs (which strings are copied: see uc_new()). */
struct uc_target {
	const char *ups;	/* upsd's name of the UPS */
	const char *host;	/* address (brackets allowed) or host name */
	unsigned port;
	int direct;		/* 1: TLS from the first byte; 0: STARTTLS (or plain) */
	int plain;		/* TLS NONE: no TLS at all, and only to a loopback address (checked once connected) */
	const char *certname;	/* name the certificate must carry (NULL or "": HOST) */
	const char *user, *password;
	int login;		/* send LOGIN (POWERVAL > 0) */
	int primary;		/* claim PRIMARY (falling back to MASTER) */
	int charge;		/* ask for battery.charge too (the plan reads it) */
	const char *label;	/* for messages, e.g. "UPS-1@localhost:3493" */
	/* the NUT variables the plan's conditions read, asked for at each poll after the status (the array is copied) */
	const char *const *vars;
	uint32_t nvars;
};

struct uc;
struct uc_poller;

/*
 * A connection for UPS number UPS, speaking TLS with CTX, connecting
 * through GATE (neither owned; both must outlive the connection),
 * reporting to HOST.  The strings of T but its label are not copied: they
 * must outlive the connection too (the daemon's come from the plan image).
 * Nothing happens until uc_connect().
 */
struct uc *uc_new(struct event_base *base, struct evdns_base *dns, SSL_CTX *ctx, struct uc_gate *gate,
		  const struct uc_target *t, uint32_t ups, const struct uc_host *host);

/*
 * The poll connection of a upsd: TLS as for the UPS, no login; once up it
 * carries the polls of the UPS joined to it (uc_join()), all of a poll
 * interval in one write, in TLS records of at most 512 bytes (what upsd
 * reads at a time).  When it fails, each UPS is polled on its own
 * connection until it is back; when it stops answering (the server hangs),
 * the UPS whose polls it carried fail as with a poll of their own.  It
 * reports nothing to a host.  T's user, password, login and primary are
 * not used; T->label names the upsd.  Nothing happens until
 * uc_poller_connect().
 */
struct uc_poller *uc_poller_new(struct event_base *base, struct evdns_base *dns, SSL_CTX *ctx, struct uc_gate *gate,
				const struct uc_target *t);

/* Poll the UPS of C over POLLER (NULL: none) when that is up. */
void uc_join(struct uc *c, struct uc_poller *poller);

/* Connect the poll connection P (as uc_connect()). */
void uc_poller_connect(struct uc_poller *p);

/* 1 when the poll connection P is up and carries the polls. */
int uc_poller_ready(const struct uc_poller *p);

/* The last failure of the poll connection P ("" when none). */
const char *uc_poller_last_error(const struct uc_poller *p);

/* Close and free P; its UPS poll on their own connections. */
void uc_poller_free(struct uc_poller *p);

/*
 * Connect now, or as soon as the gate has a free slot (a running attempt
 * or a waiting reconnection is replaced).  When an attempt fails before
 * TLS is up (no connection, no answer, TLS refused), the connections
 * waiting at the same gate fail with it: they would meet the same server.
 */
void uc_connect(struct uc *c);

/*
 * Poll the UPS: ask for ups.status and battery.charge (over the poll
 * connection it was joined to when that is up, else on its own connection);
 * the result comes to HOST->result.  A poll still unanswered from the last
 * call means a hung server: no answer is reported and the connection is
 * dropped and retried (with the poll connection and every UPS whose poll
 * it carried, when it went over it).  Without a connection, no answer is reported, except
 * before the first attempt ended (the UPS is not NOCOMM before it was ever
 * tried).
 */
void uc_poll(struct uc *c);

/*
 * Ask upsd for every variable of the UPS (LIST VAR) on its connection,
 * for the metrics; the reply is cached, bounded (uc_vars()).  -1 when
 * not logged in, or a LIST VAR is still under way.
 */
int uc_list_vars(struct uc *c);

/* The variables of the last whole LIST VAR reply: N names and values (valid until the next reply or uc_free()). */
uint32_t uc_vars(const struct uc *c, const char *const **names, const char *const **vals);

/* Send FSD for the UPS on this connection; the outcome is logged.  Returns -1 when not logged in. */
int uc_fsd(struct uc *c);

/* Log out (LOGOUT, then close, at most 2 s); HOST->closed follows.  Without a connection, closed at once. */
void uc_logout(struct uc *c);

/* 1 when logged in and polling. */
int uc_ready(const struct uc *c);

/* The connection's state in words: "logged in", "connected", "connecting", "logging out", "failed" or "not connected". */
const char *uc_state_word(const struct uc *c);

/* The last failure of the connection ("" when none), for --check-only and USR1. */
const char *uc_last_error(const struct uc *c);

/* Close and free (no LOGOUT); C leaves its poll connection, whose requests in flight for C are answered to nobody. */
void uc_free(struct uc *c);

#endif
