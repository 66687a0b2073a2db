/* SPDX-License-Identifier: GPL-2.0-or-later */
/* upsd-poller.c - the poll connection of a upsd: a connection without login carrying the polls of all its UPS, written together at each tick; when it fails, its polls go back to each UPS's own connection. */
#include "config.h"

#include <stdlib.h>

#include "base/buf.h"
#include "base/xalloc.h"
#include "runtime/daemon/upsd-conn-int.h"

/* P: the UPS whose polls it has in flight (each once), in *OUT; their number. */
static size_t uc_poller_take(struct uc_poller *p, struct uc ***out)
{
	struct uc **v = xcalloc(p->k.rq.n + 1, sizeof(*v));
	const struct uc_pend *pe;
	size_t n = 0;

	for (size_t i = 0; (pe = uc_q_peek(&p->k.rq, i)) != NULL; i++) {
		struct uc *m = pe->m;
		if (m && m->pend_via && m->poll_pending) {
			m->pend_via = 0;	/* taken: listed once */
			v[n++] = m;
		}
	}
	*out = v;
	return n;
}

/*
 * The poll connection of the UPS in V (N) failed: a hung server (HANG)
 * fails their connections as a poll without answer on their own would;
 * otherwise they are polled again at once, each on its own connection.
 */
static void uc_poller_fallback(struct uc **v, size_t n, const char *hang)
{
	for (size_t i = 0; i < n; i++) {
		if (v[i]->k.st != UC_READY)
			continue;
		if (hang) {
			uc_fail(&v[i]->k, hang);
		} else {
			v[i]->poll_pending = 0;
			uc_send_poll(v[i]);
		}
	}
	free(v);
}

/* P failed for the reason WHY (HANG, LOCAL: see uc_poller_fallback(), uc_failure()). */
static void uc_poller_failure(struct uc_poller *p, const char *why, const char *hang, int local)
{
	struct uc **left;
	size_t nleft = uc_poller_take(p, &left);

	uc_failure(&p->k, why, local);
	uc_poller_fallback(left, nleft, hang);
}

static void uc_poller_fail(struct uc_core *k, const char *why, int local)
{
	uc_poller_failure(uc_poller_of(k), why, NULL, local);
}

void uc_poller_hangs(struct uc_poller *p, const char *hang)
{
	uc_poller_failure(p, "no answer to the polls within a poll interval: the server hangs", hang, 0);
}

/* Direct mode: the polls of a tick are written once the tick has queued them all (the flush event). */
static void uc_poller_queued(struct uc_core *k)
{
	event_active(uc_poller_of(k)->flush, EV_TIMEOUT, 0);
}

static void uc_poller_flush_cb(evutil_socket_t fd, short what, void *arg)
{
	struct uc_poller *p = arg;

	(void)fd;
	(void)what;
	if (p->k.ssl && p->k.out.len && !p->k.io_write)
		uc_flush(&p->k);
}

static void uc_poller_reset(struct uc_core *k)
{
	event_del(uc_poller_of(k)->flush);
}

static const struct uc_role uc_poller_role = {
	.up_msg = "connected; the UPS of this upsd are polled over it",
	.fail_note = "; each UPS is polled on its own connection until this one is back",
	.record_max = UC_RECORD_MAX,
	.keep_out = 1,
	.quickack = 1,
	.tls_up = uc_ready_now,	/* no login: GET VAR needs none */
	.host_state = NULL,	/* it reports to no host */
	.up = NULL,
	.queued = uc_poller_queued,
	.reply = uc_poller_reply,
	.fail = uc_poller_fail,
	.reset = uc_poller_reset,
	.closed = NULL,
};

struct uc_poller *uc_poller_new(struct event_base *base, struct evdns_base *dns, SSL_CTX *ctx, struct uc_gate *gate,
				const struct uc_target *t)
{
	struct uc_poller *p = xcalloc(1, sizeof(*p));

	uc_core_init(&p->k, &uc_poller_role, base, dns, ctx, gate, t, uc_label("upsd", t->label, " (poll connection)"));
	p->flush = event_new(base, -1, 0, uc_poller_flush_cb, p);
	return p;
}

void uc_join(struct uc *c, struct uc_poller *poller)
{
	struct uc_poller *old = c->via;

	if (c->pend_via) {	/* its poll went over the old poll connection: the next tick polls again */
		c->pend_via = 0;
		c->poll_pending = 0;
	}
	if (old) {	/* out of its list: the last one takes its place; its requests in flight are no longer C's */
		struct uc *last = old->ups[--old->nups];
		uc_q_forget(&old->k.rq, c);
		old->ups[c->vi] = last;
		last->vi = c->vi;
	}
	c->via = poller;
	if (poller) {
		poller->ups = xgrow(poller->ups, &poller->upscap, poller->nups + 1, sizeof(*poller->ups));
		c->vi = poller->nups;
		poller->ups[poller->nups++] = c;
	}
}

void uc_poller_connect(struct uc_poller *p)
{
	uc_core_connect(&p->k);
}

int uc_poller_ready(const struct uc_poller *p)
{
	return p->k.st == UC_READY;
}

const char *uc_poller_last_error(const struct uc_poller *p)
{
	return p->k.err ? p->k.err : "";
}

void uc_poller_free(struct uc_poller *p)
{
	if (!p)
		return;
	while (p->nups)
		uc_join(p->ups[p->nups - 1], NULL);
	uc_core_free(&p->k);
	event_free(p->flush);
	free(p->ups);
	free(p);
}
