/* SPDX-License-Identifier: GPL-2.0-or-later */
/* upsd-list.c - LIST VAR on a UPS's connection (for --metrics): the multi-line reply read line by line, bounded, checked and cached; nothing of it reaches the engine. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <syslog.h>

#include "base/buf.h"
#include "base/xalloc.h"
#include "runtime/daemon/log.h"
#include "runtime/daemon/upsd-conn-int.h"

enum { UL_IDLE, UL_BEGIN, UL_BODY };

/* The variables of the last whole LIST VAR, and the one being read. */
struct uc_list {
	int st;			/* UL_: nothing asked, waiting for BEGIN, reading VAR lines */
	struct buf next;	/* "name\0value\0" of the reply being read */
	uint32_t nnext;
	int cut;		/* the reply being read had more than the bounds: the rest is left out */
	int cut_told;		/* that was logged (once, until a reply fits again) */
	struct buf done;	/* the last whole reply, as next */
	const char **names, **vals;	/* into done */
	uint32_t ndone, cap;
};

int uc_list_vars(struct uc *c)
{
	const char *w[3] = { "LIST", "VAR", c->ups };
	int rc;

	if (c->k.st != UC_READY || (c->list && c->list->st != UL_IDLE))
		return -1;
	if (!c->list)
		c->list = xcalloc(1, sizeof(*c->list));
	rc = uc_send(&c->k, R_LISTVAR, 3, w);
	if (rc != 0) {
		if (rc != UC_CLOSED)
			uc_fail(&c->k, "LIST VAR cannot be sent");
		return -1;
	}
	c->list->st = UL_BEGIN;
	return 0;
}

uint32_t uc_vars(const struct uc *c, const char *const **names, const char *const **vals)
{
	if (!c->list) {
		*names = *vals = NULL;
		return 0;
	}
	*names = c->list->names;
	*vals = c->list->vals;
	return c->list->ndone;
}

/* The reply being read becomes the last whole one. */
static void uc_list_done(struct uc *c)
{
	struct uc_list *l = c->list;
	struct buf t = l->done;
	const char *p;

	l->done = l->next;
	l->next = t;
	buf_reset(&l->next);
	l->ndone = l->nnext;
	l->nnext = 0;
	if (l->ndone + 1 > l->cap) {
		l->cap = l->ndone + 1;
		l->names = xrealloc(l->names, l->cap * sizeof(*l->names));
		l->vals = xrealloc(l->vals, l->cap * sizeof(*l->vals));
	}
	p = l->done.p;
	for (uint32_t i = 0; i < l->ndone; i++) {
		l->names[i] = p;
		p += strlen(p) + 1;
		l->vals[i] = p;
		p += strlen(p) + 1;
	}
	if (l->cut && !l->cut_told)
		log_msg(LOG_WARNING, "%s: LIST VAR has more than %u variables or %u bytes: the rest are left out of the metrics",
			c->k.label, UC_LIST_MAX_VARS, UC_LIST_MAX_BYTES);
	l->cut_told = l->cut;
	l->cut = 0;
	l->st = UL_IDLE;
}

/* Protocol error in a LIST VAR reply: the connection fails, the line escaped in the message. */
static int uc_list_bad(struct uc_core *k, const char *what, const char *line, size_t n)
{
	char why[UC_WHY], esc[UC_ESCLINE];

	snprintf(why, sizeof(why), "upsd's reply to LIST VAR %s (%s): protocol error", what, log_esc(esc, sizeof(esc), line, n));
	uc_fail(k, why);
	return -1;
}

/* "W0 W1 W2 UPS" with the words BEGIN/END LIST VAR and C's UPS. */
static int uc_list_frame(const struct uc *c, const struct nut_reply *rp, const char *w0)
{
	return rp->kind == NUT_OTHER && rp->nwords == 4 && strcmp(rp->words[0], w0) == 0 &&
	       strcmp(rp->words[1], "LIST") == 0 && strcmp(rp->words[2], "VAR") == 0 && strcasecmp(rp->words[3], c->ups) == 0;
}

int uc_list_line(struct uc_core *k, const struct nut_reply *rp, const char *line, size_t n)
{
	struct uc *c = uc_of(k);
	struct uc_list *l = c->list;
	struct uc_pend pe;

	if (!l || l->st == UL_IDLE)
		return uc_list_bad(k, "came unasked", line, n);
	if (l->st == UL_BEGIN) {
		if (rp->kind == NUT_ERR) {	/* no list this time (the driver is gone, say): the last one is kept */
			char ew[2 * UC_ERRWORD];
			log_debug(1, "%s: upsd answers LIST VAR with ERR %s", k->label, uc_esc(ew, sizeof(ew), nut_err_word(rp)));
			l->st = UL_IDLE;
			uc_q_pop(&k->rq, &pe);
			return 0;
		}
		if (!uc_list_frame(c, rp, "BEGIN"))
			return uc_list_bad(k, "does not begin with BEGIN LIST VAR and the UPS", line, n);
		l->st = UL_BODY;
		l->nnext = 0;
		l->cut = 0;
		buf_reset(&l->next);
		return 0;
	}
	if (uc_list_frame(c, rp, "END")) {
		uc_list_done(c);
		uc_q_pop(&k->rq, &pe);
		return 0;
	}
	if (rp->kind != NUT_VAR || strcasecmp(rp->words[1], c->ups) != 0)
		return uc_list_bad(k, "has a line that is no VAR line of the UPS", line, n);
	if (l->nnext >= UC_LIST_MAX_VARS ||
	    l->next.len + strlen(rp->words[2]) + strlen(rp->words[3]) + 2 > UC_LIST_MAX_BYTES) {
		l->cut = 1;
		return 0;
	}
	buf_add(&l->next, rp->words[2], strlen(rp->words[2]) + 1);
	buf_add(&l->next, rp->words[3], strlen(rp->words[3]) + 1);
	l->nnext++;
	return 0;
}

void uc_list_reset(struct uc *c)
{
	if (c->list) {
		c->list->st = UL_IDLE;
		buf_reset(&c->list->next);
		c->list->nnext = 0;
	}
}

void uc_list_free(struct uc *c)
{
	if (!c->list)
		return;
	buf_free(&c->list->next);
	buf_free(&c->list->done);
	free(c->list->names);
	free(c->list->vals);
	free(c->list);
	c->list = NULL;
}
