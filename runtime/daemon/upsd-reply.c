/* SPDX-License-Identifier: GPL-2.0-or-later */
/* upsd-reply.c - the replies of upsd, line by line: each checked strictly and given to the request it answers (STARTTLS, login steps, polls, FSD, LOGOUT; on a poll connection, each poll's to its UPS); the server's bytes escaped in every message. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "runtime/daemon/log.h"
#include "runtime/daemon/nut-proto.h"
#include "runtime/daemon/upsd-conn-int.h"

static int uc_is_stale(const char *e)
{
	return strcmp(e, "DATA-STALE") == 0 || strcmp(e, "DRIVER-NOT-CONNECTED") == 0;
}

static void uc_poll_done(struct uc *c)
{
	c->poll_pending = 0;
	c->pend_via = 0;
	c->k.answered = 1;	/* not yet the end of an episode of failures: see uc_timer_cb() */
	if (c->status_ok) {
		if (c->stale[0]) {
			log_msg(LOG_NOTICE, "%s: upsd has data again", c->k.label);
			c->stale[0] = '\0';
		}
		uc_report(c, 1);
		return;
	}
	/* no status: as upsmon, the UPS is NOCOMM (the connection is kept) */
	if (strcmp(c->stale, c->status_err) != 0) {
		log_msg(LOG_WARNING, "%s: upsd answers ERR %s for ups.status%s", c->k.label, c->status_err,
			uc_is_stale(c->status_err) ? ": its driver is silent or gone, NOCOMM until data returns" :
						     ": NOCOMM until it answers");
		snprintf(c->stale, sizeof(c->stale), "%s", c->status_err);
	}
	uc_report(c, 0);
}

/* A count of clients as upsd prints it (%d of a non-negative int): "0", or up to 9 digits without a leading 0. */
static int uc_is_count(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n > 9 || (s[0] == '0' && n > 1))
		return 0;
	return strspn(s, "0123456789") == n;
}

/* NUMLOGINS of C is unknown (WHAT): logged once per NOTE (an ERR word, or "count"), until it is known again. */
static void uc_numlogins_unknown(struct uc *c, const char *note, const char *what)
{
	if (strcmp(c->nl_note, note) == 0)
		return;
	snprintf(c->nl_note, sizeof(c->nl_note), "%s", note);
	log_msg(LOG_WARNING, "%s: %s: NUMLOGINS is unknown, and every NUMLOGINS comparison of this UPS false, until upsd answers a count",
		c->k.label, what);
}

/*
 * RP, the reply to GET NUMLOGINS (request R_VAR of the NUMLOGINS slot) of
 * UPS C: "NUMLOGINS ups n" with n a count keeps it; ERR, or a count that is
 * no whole number, makes it unknown (logged once); anything else breaks
 * the protocol (-1, the reason in WHY).
 */
static int uc_numlogins_reply(struct uc *c, const struct nut_reply *rp, char *why, size_t len)
{
	char esc[2 * UC_ERRWORD], u[UC_ESCNAME], what[UC_WHY];

	if (rp->kind == NUT_NUMLOGINS) {
		if (strcasecmp(rp->words[1], c->ups) != 0) {
			snprintf(why, len, "upsd answered NUMLOGINS for %s, not for what was asked: protocol error",
				 uc_esc(u, sizeof(u), rp->words[1]));
			return -1;
		}
		if (!uc_is_count(rp->words[2])) {
			uc_esc(esc, sizeof(esc), rp->words[2]);
			snprintf(what, sizeof(what), "upsd's count of logins to %s is no whole number (NUMLOGINS %s %s)",
				 c->ups, c->ups, esc);
			uc_numlogins_unknown(c, "count", what);
			return 0;
		}
		uc_keep(&c->vals[c->numlogins], rp->words[2]);
		c->val_ok[c->numlogins] = 1;
		if (c->nl_note[0]) {
			log_msg(LOG_NOTICE, "%s: upsd counts the logins to %s again (%s)", c->k.label, c->ups, rp->words[2]);
			c->nl_note[0] = '\0';
		}
		return 0;
	}
	if (rp->kind == NUT_ERR) {
		uc_esc(esc, sizeof(esc), nut_err_word(rp));
		snprintf(what, sizeof(what), "upsd answers ERR %s to GET NUMLOGINS %s", esc, c->ups);
		uc_numlogins_unknown(c, esc, what);	/* one message per ERR word */
		return 0;
	}
	snprintf(why, len, "upsd's reply to GET NUMLOGINS is neither NUMLOGINS nor ERR: protocol error");
	return -1;
}

/*
 * RP, the reply to GET VAR for request R (R_STATUS or R_CHARGE) of UPS C,
 * kept in C; the last reply of the poll completes it.  -1 with the reason
 * in WHY when it breaks the protocol.
 */
static int uc_poll_reply(struct uc *c, enum uc_req r, const struct nut_reply *rp, char *why, size_t len)
{
	int status = r == R_STATUS, last;
	const char *want = status ? "ups.status" : "battery.charge";

	if (r == R_VAR) {
		if (c->var_next >= c->nvars) {
			snprintf(why, len, "upsd answered more GET VAR than were asked: protocol error");
			return -1;
		}
		want = c->vars[c->var_next];
		if (c->var_next == c->numlogins) {
			if (uc_numlogins_reply(c, rp, why, len) != 0)
				return -1;
			goto done;
		}
	}
	if (rp->kind == NUT_VAR) {
		if (strcasecmp(rp->words[1], c->ups) != 0 ||
		    strcasecmp(rp->words[2], want) != 0) {
			char u[UC_ESCNAME], v[UC_ESCNAME];
			snprintf(why, len, "upsd answered for %s %s, not for what was asked: protocol error",
				 uc_esc(u, sizeof(u), rp->words[1]), uc_esc(v, sizeof(v), rp->words[2]));
			return -1;
		}
		if (status) {
			uc_keep(&c->status, rp->words[3]);
			c->status_ok = 1;
		} else if (r == R_VAR) {
			uc_keep(&c->vals[c->var_next], rp->words[3]);
			c->val_ok[c->var_next] = 1;
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
	/* the last reply of the poll completes it: the last variable's, else battery.charge's, else the status's */
done:
	if (r == R_VAR)
		c->var_next++;
	last = c->nvars ? r == R_VAR && c->var_next == c->nvars : r == R_CHARGE || !c->k.want_charge;
	if (last)
		uc_poll_done(c);
	return 0;
}

/* The reply RP to STARTTLS or to the keepalive, which any connection sends; -1 after uc_fail() or the TLS upgrade. */
static int uc_own_reply(struct uc_core *k, enum uc_req r, const struct nut_reply *rp)
{
	char why[UC_WHY], ew[2 * UC_ERRWORD], w0[2 * UC_ERRWORD];

	if (r != R_STARTTLS)	/* the keepalive: any answer will do */
		return 0;
	if (rp->kind == NUT_OK) {	/* "OK STARTTLS" (the upsdTLS shim says "OK") */
		uc_upgrade(k);
		return -1;	/* the lines that follow are TLS's */
	}
	snprintf(why, sizeof(why),
		 "upsd refused STARTTLS (%s %s): give upsd a certificate (upsd.conf CERTFILE, or CERTPATH and CERTIDENT), or reach it through a TLS front end with TLS DIRECT; nothing was sent in clear",
		 uc_esc(w0, sizeof(w0), rp->nwords ? rp->words[0] : ""),
		 rp->kind == NUT_ERR ? uc_esc(ew, sizeof(ew), nut_err_word(rp)) : "");
	uc_fail(k, why);
	return -1;
}

int uc_ups_reply(struct uc_core *k, const struct uc_pend *pe, const struct nut_reply *rp)
{
	struct uc *c = uc_of(k);
	enum uc_req r = (enum uc_req)pe->r;
	char why[UC_WHY], ew[2 * UC_ERRWORD];
	const char *e = uc_esc(ew, sizeof(ew), nut_err_word(rp));	/* the server's: escaped */

	switch (r) {
	case R_STARTTLS:
	case R_KEEPALIVE:
		return uc_own_reply(k, r, rp);
	case R_USERNAME:
	case R_PASSWORD:
		if (rp->kind == NUT_OK)
			break;
		snprintf(why, sizeof(why), "upsd refused %s: ERR %s", r == R_USERNAME ? "USERNAME" : "PASSWORD", e);
		uc_fail(k, why);
		return -1;
	case R_LOGIN:
	case R_PRIMARY:
	case R_MASTER:
		if (rp->kind == NUT_OK)
			break;
		if (r == R_PRIMARY && (strcmp(e, "UNKNOWN-COMMAND") == 0 || strcmp(e, "INVALID-ARGUMENT") == 0)) {
			/* a server older than NUT 2.8 knows only MASTER */
			const char *w[2] = { "MASTER", c->ups };
			if (uc_send(k, R_MASTER, 2, w) != 0) {
				uc_fail(k, "MASTER cannot be sent");
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
		uc_fail(k, why);
		return -1;
	case R_STATUS:
	case R_CHARGE:
	case R_VAR:
		if (uc_poll_reply(c, r, rp, why, sizeof(why)) != 0) {
			uc_fail(k, why);
			return -1;
		}
		return 0;
	case R_FSD:
		if (rp->kind == NUT_OK)
			log_msg(LOG_NOTICE, "%s: FSD set", k->label);
		else
			log_msg(LOG_ERR, "%s: upsd refused FSD (ERR %s)%s", k->label, e,
				strcmp(e, "ACCESS-DENIED") == 0 ?
					": the user needs 'upsmon primary' or 'actions = FSD' in upsd.users" : "");
		return 0;
	case R_LOGOUT:
		uc_closed(k);
		return -1;
	case R_LISTVAR:		/* uc_line() gives its lines to uc_list_line() */
		return 0;
	}
	/* a login reply: the last one makes the connection ready */
	if (k->rq.n == 0 && k->st == UC_LOGIN)
		uc_ready_now(k);
	return 0;
}

int uc_poller_reply(struct uc_core *k, const struct uc_pend *pe, const struct nut_reply *rp)
{
	char why[UC_WHY];

	k->answered = 1;	/* the back-off restarts once it also stayed up (uc_timer_cb()); reset when it comes up */
	if (!pe->m)
		return uc_own_reply(k, (enum uc_req)pe->r, rp);
	if (!pe->m->pend_via || !pe->m->poll_pending)
		return 0;	/* a poll its UPS no longer waits for */
	if (uc_poll_reply(pe->m, (enum uc_req)pe->r, rp, why, sizeof(why)) != 0) {
		uc_fail(k, why);	/* its UPS are polled again, each on its own connection */
		return -1;
	}
	return 0;
}

int uc_line(struct uc_core *k, char *line, size_t n)
{
	struct nut_reply rp;
	struct uc_pend pe;

	if (k->rq.n == 0) {
		uc_fail(k, "upsd sent a line nothing asked for: protocol error");
		return -1;
	}
	if (nut_parse(line, n, &rp) != 0) {
		char why[UC_WHY], esc[UC_ESCLINE];
		snprintf(why, sizeof(why), "upsd sent a malformed line (%s): protocol error", log_esc(esc, sizeof(esc), line, n));
		uc_fail(k, why);
		return -1;
	}
	if (uc_q_peek(&k->rq, 0)->r == R_LISTVAR)	/* several lines: popped at the last */
		return uc_list_line(k, &rp, line, n);
	uc_q_pop(&k->rq, &pe);
	return k->role->reply(k, &pe, &rp);
}
