/* SPDX-License-Identifier: GPL-2.0-or-later */
/* print.c - canonical printer of a parsed plan: the same meaning, one layout. */
#include "config.h"

#include <ctype.h>
#include <string.h>

#include "grammar/parse-int.h"
#include "grammar/print.h"

static void pr_span(const struct src_registry *reg, src_span s, FILE *out)
{
	fwrite(src_bytes(reg, s), 1, s.len, out);
}

/*
 * A UPS or user name: bare when the lexer reads it back as a name (a NAME
 * or an upsplan-only keyword, which "name" accepts; with PLAIN, a NAME
 * only: the UPS after MARKED mark, where a keyword is read as one), else
 * quoted ("1500va", a status word such as "OL"), in a style that can hold
 * it.
 */
static void pr_name_as(const struct src_registry *reg, src_span s, FILE *out, int plain)
{
	const char *p = src_bytes(reg, s);
	int bare = s.len > 0 && (isalpha((unsigned char)p[0]) || p[0] == '_'), st;

	for (uint32_t i = 1; bare && i < s.len; i++)
		bare = isalnum((unsigned char)p[i]) || strchr("._%+-", p[i]) != NULL;
	if (bare && lex_keyword(p, s.len, &st) && (plain || !lex_keyword_soft(p, s.len)))
		bare = 0;
	if (bare)
		fwrite(p, 1, s.len, out);
	else if (!memchr(p, '"', s.len))
		fprintf(out, "\"%.*s\"", (int)s.len, p);
	else if (!memchr(p, '\'', s.len))
		fprintf(out, "'%.*s'", (int)s.len, p);
	else
		fprintf(out, "\xC2\xAB%.*s\xC2\xBB", (int)s.len, p);
}

static void pr_name(const struct src_registry *reg, src_span s, FILE *out)
{
	pr_name_as(reg, s, out, 0);
}

static void pr_text(const struct src_registry *reg, const struct ast_text *t, FILE *out)
{
	src_span c;
	const char *p;

	if (t->kind != AST_TEXT_QUOTED) {
		pr_span(reg, ast_text_span(t), out);
		return;
	}
	c = ast_text_content(t);
	p = src_bytes(reg, c);
	if (memchr(p, '"', c.len) == NULL) {
		fputc('"', out);
		fwrite(p, 1, c.len, out);
		fputc('"', out);
	} else {
		pr_span(reg, ast_text_span(t), out);	/* keep the style that can hold it */
	}
}

static void pr_texts(const struct src_registry *reg, const struct ast_text *t, FILE *out)
{
	for (; t; t = t->next) {
		fputc(' ', out);
		pr_text(reg, t, out);
	}
}

/* Condition X, parenthesised where an operand binds looser than its operator (PREC: 0 OR, 1 AND, 2 NOT). */
static void pr_expr(const struct src_registry *reg, const struct ast_expr *x, int prec, FILE *out)
{
	static const char *const cmps[] = { "<", "<=", ">", ">=", "==", "!=" };
	int mine = x->kind == AST_X_OR ? 0 : x->kind == AST_X_AND ? 1 : 2;

	if (mine < prec)
		fputc('(', out);
	switch (x->kind) {
	case AST_X_STATE:
		fprintf(out, "%s->%s", sw_name(x->from), sw_name(x->to));
		break;
	case AST_X_CMP:
	case AST_X_MATCH:
		pr_span(reg, x->name, out);
		fprintf(out, " %s ", x->kind == AST_X_MATCH ? "=~" : cmps[x->op]);
		pr_text(reg, &x->value, out);
		break;
	case AST_X_NUMLOGINS:
		fputs("NUMLOGINS ", out);
		if (x->name.len) {
			pr_name(reg, x->name, out);
			fputc(' ', out);
		}
		fprintf(out, "%s ", cmps[x->op]);
		pr_text(reg, &x->value, out);
		break;
	case AST_X_RUNNING:
		fputs("RUNNING ", out);
		pr_span(reg, x->name, out);
		break;
	case AST_X_MARKED:
		fputs("MARKED ", out);
		pr_span(reg, x->name, out);
		if (x->value.len) {
			fputc(' ', out);
			pr_name_as(reg, ast_text_span(&x->value), out, 1);
		}
		break;
	case AST_X_PVWITHOUT:
		fputs("POWERVAL WITHOUT ", out);
		pr_span(reg, x->name, out);
		fprintf(out, " %s ", cmps[x->op]);
		pr_text(reg, &x->value, out);
		break;
	case AST_X_NOT:
		fputs("NOT ", out);
		pr_expr(reg, x->l, 2, out);
		break;
	default:
		pr_expr(reg, x->l, mine, out);
		fputs(x->kind == AST_X_AND ? " AND " : " OR ", out);
		pr_expr(reg, x->r, mine + 1, out);
		break;
	}
	if (mine < prec)
		fputc(')', out);
}

/* An alert's name: bare when it reads back as a NAME, else quoted in a style that holds it. */
static void pr_alert_name(const struct src_registry *reg, src_span name, FILE *out)
{
	pr_name_as(reg, name, out, 1);
}

static void pr_action(const struct src_registry *reg, const struct ast_action *a, FILE *out)
{
	const struct ast_cond *c = ast_action_cond(a);

	fputs("    ", out);
	if (c) {
		fputs("IF ", out);
		pr_expr(reg, c->expr, 0, out);
		fputc(' ', out);
	}
	fputs(ast_action_name(a->kind), out);
	switch (a->kind) {
	case AST_ACT_CANCELTIMER:
	case AST_ACT_MARK:
	case AST_ACT_UNMARK:
		fputc(' ', out);
		pr_span(reg, a->u.arg.name, out);
		break;
	case AST_ACT_SETFSD:
		fputc(' ', out);
		pr_name(reg, a->u.arg.name, out);
		break;
	case AST_ACT_DEBUG:
		fputc(' ', out);
		pr_span(reg, a->u.arg.num, out);
		break;
	case AST_ACT_STARTTIMER:
		fputc(' ', out);
		pr_span(reg, a->u.arg.name, out);
		fputc(' ', out);
		pr_span(reg, a->u.arg.num, out);
		break;
	case AST_ACT_ALERT:
	case AST_ACT_RESOLVE:
		fputc(' ', out);
		pr_alert_name(reg, a->u.alert->name, out);
		if (a->kind == AST_ACT_RESOLVE)
			break;
		if (a->u.alert->severity.len) {
			fputs(" SEVERITY ", out);
			pr_span(reg, a->u.alert->severity, out);
		}
		fputc(' ', out);
		pr_text(reg, &a->u.alert->text, out);
		break;
	case AST_ACT_HOOKS:
		fputc(' ', out);
		pr_text(reg, &a->u.alert->text, out);
		if (a->u.alert->message) {
			fputs(" MESSAGE ", out);
			pr_text(reg, a->u.alert->message, out);
		}
		break;
	case AST_ACT_EMAIL:
		fputs(" FROM ", out);
		pr_text(reg, a->u.email->from, out);
		fputs(" TO ", out);
		pr_text(reg, a->u.email->to, out);
		fputs(" SUBJECT ", out);
		pr_text(reg, a->u.email->subject, out);
		fputs(" MESSAGE", out);
		pr_texts(reg, &a->u.email->message, out);
		break;
	default:
		pr_texts(reg, ast_action_texts(a), out);
		break;
	}
	fputc('\n', out);
}

void print_plan(const struct src_registry *reg, const struct ast_plan *plan, FILE *out)
{
	print_plan_mode(reg, plan, 0, out);
}

void print_plan_mode(const struct src_registry *reg, const struct ast_plan *plan, int expand, FILE *out)
{
	for (const struct ast_decl *d = plan->first; d; d = d->next) {
		const struct src_file *f = src_file_at(reg, d->kw);
		int included = f && f->parent;

		if (expand ? d->kind == AST_DECL_INCLUDE : included)
			continue;	/* the INCLUDE line, or what it reads */
		switch (d->kind) {
		case AST_DECL_INCLUDE:
			fputs("INCLUDE ", out);
			pr_span(reg, d->u.name, out);
			break;
		case AST_DECL_SMTP:
			fputs("SMTPSERVER ", out);
			pr_text(reg, d->u.smtp->server, out);
			fputs(" PORT ", out);
			pr_span(reg, d->u.smtp->port, out);
			fputs(" USER ", out);
			pr_text(reg, d->u.smtp->user, out);
			fputs(" PASSWORD ", out);
			pr_text(reg, d->u.smtp->password, out);
			break;
		case AST_DECL_ALERTMANAGER: {
			const struct ast_amgr *m = d->u.amgr;
			fputs("ALERTMANAGER ", out);
			pr_text(reg, m->url, out);
			if (m->cafile) {
				fputs(" CAFILE ", out);
				pr_text(reg, m->cafile, out);
			}
			if (m->bearer) {
				fputs(" BEARER ", out);
				pr_text(reg, m->bearer, out);
			}
			if (m->user) {
				fputs(" USER ", out);
				pr_text(reg, m->user, out);
				fputs(" PASSWORD ", out);
				pr_text(reg, m->password, out);
			}
			break;
		}
		case AST_DECL_LET:
			fputs("LET ", out);
			pr_span(reg, d->u.let.name, out);
			fputs(" =", out);
			pr_texts(reg, &d->u.let.text, out);
			break;
		case AST_DECL_POLLFREQ:
		case AST_DECL_POLLFREQALERT:
		case AST_DECL_SHUTDOWNEXIT:
		case AST_DECL_PORT:
		case AST_DECL_MINSUPPLIES:
			fputs(d->kind == AST_DECL_POLLFREQ ? "POLLFREQ " :
			      d->kind == AST_DECL_POLLFREQALERT ? "POLLFREQALERT " :
			      d->kind == AST_DECL_SHUTDOWNEXIT ? "SHUTDOWNEXIT " :
			      d->kind == AST_DECL_PORT ? "PORT " : "MINSUPPLIES ", out);
			pr_span(reg, d->u.num, out);
			break;
		case AST_DECL_GROUP:
			fputs("\nGROUP ", out);
			pr_span(reg, d->u.name, out);
			break;
		case AST_DECL_HOST:
		case AST_DECL_CERTFILE:
		case AST_DECL_CERTNAME:
		case AST_DECL_CLIENTCERT:
		case AST_DECL_CLIENTKEY:
			fputs(d->kind == AST_DECL_HOST ? "HOST " : d->kind == AST_DECL_CERTFILE ? "CERTFILE " :
			      d->kind == AST_DECL_CERTNAME ? "CERTNAME " :
			      d->kind == AST_DECL_CLIENTCERT ? "CLIENTCERT " : "CLIENTKEY ", out);
			pr_text(reg, d->u.text, out);
			break;
		case AST_DECL_TLS:
			fputs("TLS ", out);
			pr_span(reg, d->u.name, out);
			break;
		case AST_DECL_MONITOR: {
			const struct ast_monitor *m = d->u.monitor;
			fputs("MONITOR ", out);
			pr_name(reg, m->ups, out);
			fputs(" POWERVAL ", out);
			pr_span(reg, m->powerval, out);
			fputs(" UPSDUSER ", out);
			pr_name(reg, m->user, out);
			fputs(" PASSWORD ", out);
			pr_text(reg, m->password, out);
			fputs(" TYPE ", out);
			pr_span(reg, m->type, out);
			break;
		}
		case AST_DECL_WHEN: {
			const struct ast_when *w = &d->u.when;
			if (d->target == AST_TARGET_ALERT) {
				fputs("WHEN ALERT ", out);
				pr_alert_name(reg, w->ups, out);
				fputs(d->to ? " FIRING :\n" : " RESOLVED :\n", out);
				for (const struct ast_action *a = w->actions; a; a = a->next)
					pr_action(reg, a, out);
				continue;
			}
			fputs(d->target == AST_TARGET_GROUP ? "WHEN GROUP " : "WHEN ", out);
			if (d->target == AST_TARGET_UPS)
				pr_name(reg, w->ups, out);
			else
				pr_span(reg, w->ups, out);
			if (d->level) {
				fputs(d->level == AST_LEVEL_BECOMES ? " BECOMES " : " CEASES ", out);
				pr_span(reg, ast_decl_level_expr(d)->span, out);
				if (w->event.len) {
					fputs(" FOR ", out);
					pr_span(reg, w->event, out);
				}
			} else if (d->timeout) {
				fputs(" TIMEOUT ", out);
				pr_span(reg, w->event, out);
			} else {
				fprintf(out, " REPORTS %s->%s", sw_name(d->from),
					sw_name(d->to));
			}
			fputs(" :\n", out);
			for (const struct ast_action *a = w->actions; a; a = a->next)
				pr_action(reg, a, out);
			continue;	/* actions end with their own newline */
		}
		}
		fputc('\n', out);
	}
}
