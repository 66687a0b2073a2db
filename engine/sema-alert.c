/* SPDX-License-Identifier: GPL-2.0-or-later */
/* sema-alert.c - ALERTMANAGER, ALERT, RESOLVE and HOOKS: their checks and what they put in the image. */
#include "config.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "engine/sema-int.h"
#include "base/loopback.h"
#include "base/xalloc.h"

/* UPSPLAN_MESSAGE of a HOOKS without MESSAGE: the UPS and the event. */
#define SEMA_HOOKS_MESSAGE "UPS %(u)s: %(e)s"
/* ... in a WHEN ALERT rule, which has no UPS: the event, "ALERT name FIRING" */
#define SEMA_HOOKS_ALERT_MESSAGE "%(e)s"

uint32_t sema_cstr(struct sema *s, const char *p, size_t len)
{
	int64_t k = symtab_get(&s->cstrs, p, len);
	struct img_str *c;

	if (k >= 0)
		return (uint32_t)k;
	IMG_PUSH(s->img->cstrs, c);
	*c = img_add_str(s->img, p, len);
	symtab_put(&s->cstrs, p, len, s->img->cstrs.n - 1);
	return s->img->cstrs.n - 1;
}

/* E720 at byte I of the URL (content C) with MSG, and the form as a note. */
static void amgr_bad_url(struct sema *s, src_span c, size_t i, const char *msg)
{
	src_span at = { c.off + (uint32_t)(i < c.len ? i : c.len ? c.len - 1 : 0), 1 };
	struct diag_record *r = diag_at(s->dq, DIAG_AM_URL, at, "Alertmanager URL %s", msg);

	diag_note(s->dq, r, 0, c, "write the Alertmanager's base URL, https://host[:port][/prefix] "
		  "(e.g. \"https://alertmanager.example.com:9093\"); upsplan adds /api/v2/alerts");
}

/*
 * Check URL (the text C of ALERTMANAGER's first value): scheme, host,
 * port, path.  Returns 1 for https://, 0 for http:// to a loopback host,
 * -1 after an error.
 */
static int amgr_url(struct sema *s, src_span c)
{
	const char *p = sema_bytes(s, c);
	size_t n = c.len, i, h0, h1;
	int https;
	char host[256];

	if (n >= 8 && strncmp(p, "https://", 8) == 0)
		https = 1, i = 8;
	else if (n >= 7 && strncmp(p, "http://", 7) == 0)
		https = 0, i = 7;
	else {
		amgr_bad_url(s, c, 0, "does not start with https:// (or http:// to this machine)");
		return -1;
	}
	h0 = i;
	if (i < n && p[i] == '[') {	/* [IPv6] */
		for (i++; i < n && p[i] != ']'; i++)
			if (!isxdigit((unsigned char)p[i]) && p[i] != ':' && p[i] != '.') {
				amgr_bad_url(s, c, i, "has a character that is no part of an IPv6 address between [ and ]");
				return -1;
			}
		if (i == n) {
			amgr_bad_url(s, c, h0, "opens [ for an IPv6 address and does not close it");
			return -1;
		}
		i++;
	} else {
		while (i < n && (isalnum((unsigned char)p[i]) || p[i] == '.' || p[i] == '-' || p[i] == '_'))
			i++;
	}
	h1 = i;
	if (h1 == h0) {
		amgr_bad_url(s, c, i, i < n && p[i] == '@' ? "holds a user: write it as USER \"name\" PASSWORD \"password\"" :
			     "has no host");
		return -1;
	}
	if (i < n && p[i] == '@') {
		amgr_bad_url(s, c, i, "holds a user: write it as USER \"name\" PASSWORD \"password\"");
		return -1;
	}
	if (i < n && p[i] == ':') {
		size_t d0 = ++i;
		long port = 0;
		while (i < n && isdigit((unsigned char)p[i]) && i - d0 < 6)
			port = port * 10 + (p[i++] - '0');
		if (i == d0 || port < 1 || port > 65535 || (i < n && isdigit((unsigned char)p[i]))) {
			amgr_bad_url(s, c, d0, "has a port that is not a number from 1 to 65535");
			return -1;
		}
	}
	if (i < n && p[i] != '/') {
		amgr_bad_url(s, c, i, "has a character that is no part of a host name or port");
		return -1;
	}
	for (; i < n; i++) {
		unsigned char b = (unsigned char)p[i];
		if (b == '?' || b == '#') {
			amgr_bad_url(s, c, i, "has a query or fragment: give the base URL alone");
			return -1;
		}
		if (b <= ' ' || b >= 0x7f || b == '%' || b == '"' || b == '\\') {
			amgr_bad_url(s, c, i, "has a blank, a %, a quote, a backslash or a character that is not ASCII in its path");
			return -1;
		}
	}
	if (https)
		return 1;
	snprintf(host, sizeof(host), "%.*s", (int)(h1 - h0 < sizeof(host) ? h1 - h0 : sizeof(host) - 1), p + h0);
	if (strcasecmp(host, "localhost") == 0 || lo_text_is_loopback(host) == 1)
		return 0;
	struct diag_record *r = diag_at(s->dq, DIAG_AM_CLEAR, (src_span){ c.off, (uint32_t)h1 },
		"http:// sends alerts and credentials in clear: upsplan sends to http:// only on this machine's loopback address, and %s is %s",
		host, lo_text_is_loopback(host) == 0 ? "not a loopback address" : "a host name");
	diag_note(s->dq, r, 0, c, "use https:// (with CAFILE for a private CA), or a local relay on 127.0.0.1, [::1] or localhost");
	return -1;
}

/* E723 at T when its value is empty (KW names it). */
static int amgr_empty(struct sema *s, const struct ast_text *t, const char *kw)
{
	if (!t || ast_text_content(t).len)
		return 0;
	struct diag_record *r = diag_at(s->dq, DIAG_AM_EMPTY, ast_text_span(t), "%s of ALERTMANAGER is empty", kw);
	diag_note(s->dq, r, 0, ast_text_span(t), "give the value, or leave out %s", kw);
	return 1;
}

void sema_amgr(struct sema *s, const struct ast_decl *d)
{
	const struct ast_amgr *a = d->u.amgr;
	src_span c = ast_text_content(a->url);
	int kind = amgr_url(s, c), bad = kind < 0;
	struct sema_amgr *m;

	s->amgr_declared = 1;	/* one with an error too: no E726 besides its own */
	if (a->cafile && kind == 0) {
		struct diag_record *r = diag_at(s->dq, DIAG_AM_CAFILE, ast_text_span(a->cafile),
			"CAFILE is for an https:// Alertmanager, and this one is http://");
		diag_note(s->dq, r, 0, c, "use https:// with this CA file, or leave CAFILE out");
		bad = 1;
	}
	bad |= amgr_empty(s, a->cafile, "CAFILE") | amgr_empty(s, a->bearer, "BEARER") |
	       amgr_empty(s, a->user, "USER") | amgr_empty(s, a->password, "PASSWORD");
	if (a->bearer || a->password)
		sema_password_at(s, ast_text_span(a->bearer ? a->bearer : a->password));
	while (c.len > 0 && sema_bytes(s, c)[c.len - 1] == '/')	/* the sender adds /api/v2/alerts */
		c.len--;
	for (size_t i = 0; i < s->amgrv.n; i++) {
		src_span o = s->amgrv.v[i].url;
		if (o.len == c.len && memcmp(sema_bytes(s, o), sema_bytes(s, c), c.len) == 0) {
			struct diag_record *r = diag_at(s->dq, DIAG_AM_DUP, ast_text_span(a->url),
				"Alertmanager %.*s is declared twice", (int)(c.len > 200 ? 200 : c.len), sema_bytes(s, c));
			diag_note(s->dq, r, 1, o, "it is declared first here; each alert would be sent to it twice");
			return;
		}
	}
	if (bad)
		return;
	m = SEMA_PUSH(s, s->amgrv);
	m->url = c;
	m->decl = d;
	s->tables += sizeof(struct img_amgr) + c.len + 5;
	const struct ast_text *vals[4] = { a->cafile, a->bearer, a->user, a->password };
	for (int k = 0; k < 4; k++)
		if (vals[k])
			s->tables += ast_text_content(vals[k]).len;
}

/* E725 unless the LEN bytes of SP follow the rule of alert names (WHAT: "alert name", "severity"). */
static int alert_ident(struct sema *s, src_span sp, const char *what)
{
	const char *p = sema_bytes(s, sp);
	long i = img_ident_bad(p, sp.len);

	if (i < 0)
		return 0;
	struct diag_record *r;

	if (sp.len)
		r = diag_at(s->dq, DIAG_ALERT_NAME, (src_span){ sp.off + (uint32_t)i, 1 },
			    "'%c' cannot be part of an %s", p[i], what);
	else
		r = diag_at(s->dq, DIAG_ALERT_NAME, sp, "an %s cannot be empty", what);
	diag_note(s->dq, r, 0, sp, "an %s is a letter or _, then letters, digits and _ (OnBattery, ups_lost): "
		  "a label value that Alertmanager's routes and silences match as written", what);
	return -1;
}

/* HOOKS "dir": E728 unless an absolute path without substitutions. */
static int hooks_dir(struct sema *s, const struct ast_text *t)
{
	src_span c = ast_text_content(t);
	const char *p = sema_bytes(s, c), *pct = memchr(p, '%', c.len);
	struct diag_record *r;

	if (c.len && p[0] == '/' && !pct)
		return 0;
	if (pct)
		r = diag_at(s->dq, DIAG_HOOKS_DIR, (src_span){ c.off + (uint32_t)(pct - p), 1 },
			    "HOOKS takes a directory as written: no %% substitution");
	else
		r = diag_at(s->dq, DIAG_HOOKS_DIR, ast_text_span(t), "HOOKS directory '%.*s' is not an absolute path",
			    (int)(c.len > 200 ? 200 : c.len), p);
	diag_note(s->dq, r, 0, ast_text_span(t), "name the directory from /, e.g. HOOKS \"/etc/upsplan/hooks.d\"; "
		  "the message the hooks get is MESSAGE's text");
	return -1;
}

void sema_alert_action(struct sema *s, const struct ast_action *a)
{
	const struct ast_alert *al = a->u.alert;
	struct sema_text text = { NULL, 0, NULL, IMG_NONE };
	int bad = 0;

	if (a->kind != AST_ACT_HOOKS) {
		if (!s->first_alert.len)
			s->first_alert = ast_action_kw(a);
		bad |= alert_ident(s, al->name, "alert name");
		if (a->kind == AST_ACT_RESOLVE) {
			if (!bad) {
				*SEMA_PUSH(s, s->resolvev) = al->name;
				sema_gen_action(s, a, NULL);
			}
			return;
		}
		if (!bad && symtab_get(&s->alerts, sema_bytes(s, al->name), al->name.len) < 0)
			symtab_put(&s->alerts, sema_bytes(s, al->name), al->name.len, al->name.off);
		if (al->severity.len)
			bad |= alert_ident(s, al->severity, "alert severity");
		if (sema_resolve_texts(s, &al->text, "", 1, "the text of this ALERT", &text) == 0 && !bad)
			sema_gen_action(s, a, &text);
		sema_text_free(&text);
		return;
	}
	bad = hooks_dir(s, &al->text);
	if (!al->message) {
		text.p = s->alert_rule ? SEMA_HOOKS_ALERT_MESSAGE : SEMA_HOOKS_MESSAGE;
		text.len = strlen(text.p);
	} else if (sema_resolve_texts(s, al->message, "", 1, "the MESSAGE of this HOOKS", &text) != 0) {
		bad = 1;
	}
	if (!bad)
		sema_gen_action(s, a, &text);
	sema_text_free(&text);
}

/* The value of text T of an ALERTMANAGER into the image (empty when T is NULL). */
static struct img_str amgr_str(struct sema *s, const struct ast_text *t)
{
	src_span c = t ? ast_text_content(t) : (src_span){ 0, 0 };

	return img_add_str(s->img, c.len ? sema_bytes(s, c) : "", c.len);
}

void sema_alert_finish(struct sema *s)
{
	struct symtab told;

	if (s->first_alert.len && !s->amgr_declared) {
		struct diag_record *r = diag_at(s->dq, DIAG_ALERT_NO_AM, s->first_alert,
			"%s sends to an Alertmanager, and the plan declares none",
			sema_bytes(s, s->first_alert)[0] == 'A' ? "ALERT" : "RESOLVE");
		diag_note(s->dq, r, 0, s->first_alert, "add ALERTMANAGER \"https://alertmanager.example.com:9093\" "
			  "(CAFILE \"file\" for a private CA) before the first GROUP, one line per Alertmanager");
	}
	symtab_init(&told);
	for (size_t i = 0; i < s->resolvev.n; i++) {
		src_span n = s->resolvev.v[i];
		const char *p = sema_bytes(s, n);
		if (symtab_get(&s->alerts, p, n.len) >= 0 || symtab_get(&told, p, n.len) >= 0)
			continue;
		symtab_put(&told, p, n.len, 0);
		struct diag_record *r = diag_at(s->dq, DIAG_RESOLVE_NEVER, n,
			"RESOLVE %.*s: no ALERT of the plan raises an alert of this name", (int)(n.len > 100 ? 100 : n.len), p);
		diag_note(s->dq, r, 0, n, "alert names are case-sensitive: write the name of an ALERT, or raise it with ALERT %.*s \"text\"",
			  (int)(n.len > 100 ? 100 : n.len), p);
	}
	symtab_free(&told);
	if (!s->cg)
		return;
	img_grow((void **)&s->img->amgrs.v, &s->img->amgrs.cap, sizeof(*s->img->amgrs.v), (uint32_t)s->amgrv.n + 1);
	for (size_t i = 0; i < s->amgrv.n; i++) {
		const struct ast_amgr *a = s->amgrv.v[i].decl->u.amgr;
		struct img_amgr *m;
		IMG_PUSH(s->img->amgrs, m);
		m->url = img_add_str(s->img, sema_bytes(s, s->amgrv.v[i].url), s->amgrv.v[i].url.len);
		m->cafile = amgr_str(s, a->cafile);
		m->bearer = amgr_str(s, a->bearer);
		m->user = amgr_str(s, a->user);
		m->password = amgr_str(s, a->password);
	}
}

void sema_alert_free(struct sema *s)
{
	free(s->amgrv.v);
	free(s->resolvev.v);
	symtab_free(&s->alerts);
	symtab_free(&s->cstrs);
	symtab_free(&s->arules);
}

/* E729 at AT: WHAT needs the UPS of the run, which a WHEN ALERT rule has not; HOW says how to write it. */
static void rule_no_ups(struct sema *s, src_span at, const char *what, const char *how)
{
	struct diag_record *r = diag_at(s->dq, DIAG_ALERT_RULE_UPS, at,
		"%s needs the UPS of the run, and a WHEN ALERT rule has none", what);

	diag_note(s->dq, r, 0, at, "%s", how);
}

/* The terms of condition X that read the UPS of the run (E729); 0 when none does. */
static int rule_expr(struct sema *s, const struct ast_expr *x)
{
	switch (x->kind) {
	case AST_X_STATE:
		rule_no_ups(s, x->span, "IF a->b (the status of the rule's UPS)",
			    "test what names its UPS (NUMLOGINS ups <= 1, MARKED mark ups), a timer (RUNNING t), "
			    "or write the test in a rule of the UPS (WHEN ups REPORTS ...)");
		return -1;
	case AST_X_CMP:
	case AST_X_MATCH:
		rule_no_ups(s, x->span, "a NUT variable of the rule's UPS",
			    "compare it in a rule of the UPS (WHEN ups REPORTS ..., WHEN ups BECOMES ...), "
			    "and let that rule MARK the UPS for this one to test (MARKED mark ups)");
		return -1;
	case AST_X_NUMLOGINS:
		if (x->name.len)
			return 0;
		rule_no_ups(s, x->span, "NUMLOGINS without a UPS", "name the UPS: NUMLOGINS ups <= 1");
		return -1;
	case AST_X_MARKED:
		if (x->value.len)
			return 0;
		rule_no_ups(s, x->span, "MARKED without a UPS", "name the UPS: MARKED mark ups");
		return -1;
	case AST_X_NOT:
		return rule_expr(s, x->l);
	case AST_X_AND:
	case AST_X_OR:
		return rule_expr(s, x->l) | rule_expr(s, x->r);
	default:		/* RUNNING, POWERVAL WITHOUT */
		return 0;
	}
}

/* The parts of text T (a message by its name too) that render something of the UPS of the run (E729). */
static int rule_texts(struct sema *s, const struct ast_text *t)
{
	int bad = 0;

	for (; t; t = t->next) {
		src_span c = ast_text_content(t);
		const char *p = sema_bytes(s, c), *at;
		int64_t m = symtab_get(&s->msgs, p, c.len);
		size_t n = c.len;
		long off;

		if (m >= 0 && s->msgv.v[m].text.p) {
			p = s->msgv.v[m].text.p;
			n = s->msgv.v[m].text.len;
		}
		if ((off = sema_find_ups_subst(p, n, 1)) < 0)
			continue;
		at = p + off;
		rule_no_ups(s, ast_text_span(t), at[2] == 'u' ? "%(u)s" : at[2] == 'c' ? "%(c)s (its charge)" :
			    "%(var:NAME)s (a NUT variable of its UPS)",
			    "name the UPS in the text, or say what happened with %(e)s (\"ALERT name FIRING\"), "
			    "%(h)s or %(b)s");
		bad = -1;
	}
	return bad;
}

int sema_alert_rule_action(struct sema *s, const struct ast_action *a)
{
	const struct ast_cond *c = ast_action_cond(a);
	int bad = c ? rule_expr(s, c->expr) : 0;

	switch (a->kind) {
	case AST_ACT_MARK:
	case AST_ACT_UNMARK:
		rule_no_ups(s, ast_action_kw(a), a->kind == AST_ACT_MARK ? "MARK" : "UNMARK",
			    "a mark belongs to a UPS: set it in a rule of that UPS; this rule can read it (MARKED mark ups)");
		return -1;
	case AST_ACT_EMAIL:
		return bad | rule_texts(s, a->u.email->from) | rule_texts(s, a->u.email->to) |
		       rule_texts(s, a->u.email->subject) | rule_texts(s, &a->u.email->message);
	case AST_ACT_ALERT:
		return bad | rule_texts(s, &a->u.alert->text);
	case AST_ACT_HOOKS:
		return bad | (a->u.alert->message ? rule_texts(s, a->u.alert->message) : 0);
	case AST_ACT_RESOLVE:
	case AST_ACT_SETFSD:
	case AST_ACT_DEBUG:
	case AST_ACT_STARTTIMER:
	case AST_ACT_CANCELTIMER:
		return bad;
	default:		/* the text actions */
		return bad | rule_texts(s, ast_action_texts(a));
	}
}

void sema_alert_rule_begin(struct sema *s, const struct ast_decl *d)
{
	src_span n = d->u.when.ups;
	const char *p = sema_bytes(s, n);
	int64_t rule;

	s->alert_rule = d;
	s->in_clause = 0;
	if (alert_ident(s, n, "alert name") != 0)
		return;
	rule = symtab_get(&s->arules, p, n.len);
	if (rule < 0) {
		struct img_arule *r;
		IMG_PUSH(s->img->arules, r);
		r->name = sema_cstr(s, p, n.len);
		r->firing = r->resolved = IMG_NONE;
		rule = s->img->arules.n - 1;
		symtab_put(&s->arules, p, n.len, (uint32_t)rule);
	}
	if (s->cg) {
		cg_alert_begin(s->cg, (uint32_t)rule, d->to);
		s->in_clause = 1;
	}
}
