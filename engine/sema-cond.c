/* SPDX-License-Identifier: GPL-2.0-or-later */
/* sema-cond.c - IF conditions: the checks of their terms (types, patterns, timers, depth) and their code. */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/events.h"
#include "engine/regex.h"
#include "engine/sema-int.h"

enum { SEMA_VAR_ANY, SEMA_VAR_NUM, SEMA_VAR_TEXT };

static const struct {
	const char *name;
	int type;
} sema_nutvars[] = {
#define NUTVAR(name, type) { name, SEMA_VAR_##type },
#include "engine/nutvars.def"
#undef NUTVAR
};

static const char *const sema_cmp_names[] = { "<", "<=", ">", ">=", "==", "!=" };

/* The type upsd gives variable NAME, SEMA_VAR_ANY when the compiler does not know it. */
static int sema_var_type(const char *name, size_t len)
{
	for (size_t i = 0; i < sizeof(sema_nutvars) / sizeof(sema_nutvars[0]); i++)
		if (strlen(sema_nutvars[i].name) == len && memcmp(sema_nutvars[i].name, name, len) == 0)
			return sema_nutvars[i].type;
	return SEMA_VAR_ANY;
}

/* Is the LEN bytes at P a plain decimal number ("300", "12.5", " 80 ")? */
static int sema_is_number(const char *p, size_t len)
{
	char buf[64], *end;
	double d;

	if (len == 0 || len >= sizeof(buf))
		return 0;
	memcpy(buf, p, len);
	buf[len] = '\0';
	d = strtod(buf, &end);
	while (*end == ' ')
		end++;
	return end != buf && *end == '\0' && isfinite(d);
}

/* A NUT variable name: letters, digits, '.', '_' and '-' (what upsd's names are made of); also for %(var:NAME)s. */
long sema_var_bad(const char *p, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (!((p[i] >= 'a' && p[i] <= 'z') || (p[i] >= 'A' && p[i] <= 'Z') || (p[i] >= '0' && p[i] <= '9') ||
		      p[i] == '.' || p[i] == '_' || p[i] == '-'))
			return (long)i;
	return -1;
}

static int sema_check_var(struct sema *s, src_span name)
{
	const char *p = sema_bytes(s, name);

	if (sema_var_bad(p, name.len) >= 0) {
		diag_at(s->dq, DIAG_BAD_VAR, name,
			"'%.*s' is not a NUT variable name: names are letters, digits, '.', '_' and '-' (e.g. battery.runtime)",
			(int)(name.len > 60 ? 60 : name.len), p);
		return -1;
	}
	return 0;
}

static int sema_check_cmp(struct sema *s, const struct ast_expr *x)
{
	const char *var = sema_bytes(s, x->name);
	int type = sema_var_type(var, x->name.len);
	struct diag_record *r;
	double d;

	if (sema_check_var(s, x->name))
		return -1;
	if (x->value.kind == AST_TEXT_NUMBER) {
		if (sema_number(s, ast_text_span(&x->value), &d) != 0)
			return -1;
		if (type == SEMA_VAR_TEXT) {
			r = diag_at(s->dq, DIAG_COND_TYPE, x->span,
				"%.*s is a text, never a number: '%s %.*s' can never be true",
				(int)x->name.len, var, sema_cmp_names[x->op], (int)x->value.len,
				sema_bytes(s, ast_text_span(&x->value)));
			diag_note(s->dq, r, 0, x->span,
				  "compare it with a quoted text (%.*s == \"...\") or match a pattern (%.*s =~ \"...\")",
				  (int)x->name.len, var, (int)x->name.len, var);
			return -1;
		}
		return 0;
	}
	src_span c = ast_text_content(&x->value);
	const char *t = sema_bytes(s, c);
	if (x->op != AST_EQ && x->op != AST_NE) {
		r = diag_at(s->dq, DIAG_COND_TYPE, x->span,
			"'%s' compares numbers, and \"%.*s\" is a quoted text: this comparison can never be true",
			sema_cmp_names[x->op], (int)(c.len > 40 ? 40 : c.len), t);
		diag_note(s->dq, r, 0, x->span, "write the number without quotes (%.*s %s 300), or test a text with == or !=",
			  (int)x->name.len, var, sema_cmp_names[x->op]);
		return -1;
	}
	if (type == SEMA_VAR_NUM && !sema_is_number(t, c.len)) {
		r = diag_at(s->dq, DIAG_COND_TYPE, x->span,
			"%.*s is a number, never the text \"%.*s\": '%s' %s",
			(int)x->name.len, var, (int)(c.len > 40 ? 40 : c.len), t, sema_cmp_names[x->op],
			x->op == AST_EQ ? "can never be true" : "is always true");
		diag_note(s->dq, r, 0, x->span, "compare it with a number, without quotes (%.*s < 300)",
			  (int)x->name.len, var);
		return -1;
	}
	return 0;
}

/* Compile the pattern as the VM will; PCRE2's error offset becomes a place inside the quoted text. */
static int sema_check_match(struct sema *s, const struct ast_expr *x)
{
	src_span c = ast_text_content(&x->value);
	char err[256];
	size_t off = 0;
	struct rx *re;

	if (sema_check_var(s, x->name))
		return -1;
	re = rx_compile(sema_bytes(s, c), c.len, 0, err, sizeof(err), &off);
	if (re) {
		rx_free(re);
		return 0;
	}
	struct diag_record *r = diag_at(s->dq, DIAG_BAD_REGEX, (src_span){ c.off + (uint32_t)off, off < c.len ? 1 : 0 },
		"invalid regular expression: %s", err);
	diag_note(s->dq, r, 0, x->value.off ? ast_text_span(&x->value) : c,
		  "patterns are PCRE2 (Perl) syntax, matched anywhere in the value: anchor with ^ and $; a literal '|' or '(' is written '\\|' or '\\('");
	return -1;
}

/* The UPS index of NUMLOGINS term X: the named UPS of any group, or SEMA_NONE for the clause's own (or unknown: E887). */
static uint32_t sema_numlogins_ups(struct sema *s, const struct ast_expr *x)
{
	int64_t u;

	if (!x->name.len)
		return SEMA_NONE;
	u = sema_plan_ups(s, x->name, NULL);
	return u < 0 ? SEMA_NONE : (uint32_t)u;
}

/*
 * NUMLOGINS [ups] op n: a whole number of clients, never a text (E885) or
 * a fraction (E886; the lexer refuses a negative one); W888 when upsplan's
 * own login decides it (upsplan is logged in to every UPS it monitors, so
 * the count it reads is at least 1).
 */
static int sema_check_numlogins(struct sema *s, const struct ast_expr *x)
{
	const char *op = sema_cmp_names[x->op];
	struct diag_record *r;
	double d;

	if (x->name.len && sema_plan_ups_check(s, x->name, DIAG_NUMLOGINS_UPS,
					       ": NUMLOGINS counts the logins to a monitored UPS") < 0)
		return -1;
	if (x->value.kind != AST_TEXT_NUMBER) {
		src_span c = ast_text_content(&x->value);
		r = diag_at(s->dq, DIAG_NUMLOGINS_TEXT, x->span,
			"NUMLOGINS is a number of clients, never the text \"%.*s\": '%s' %s",
			(int)(c.len > 40 ? 40 : c.len), sema_bytes(s, c), op,
			x->op == AST_NE ? "is always true" : "can never be true");
		int num = sema_is_number(sema_bytes(s, c), c.len) && c.len <= 20;
		diag_note(s->dq, r, 0, x->span, "compare it with a whole number, without quotes (NUMLOGINS%s%.*s %s %.*s)",
			  x->name.len ? " " : "", (int)x->name.len, sema_bytes(s, x->name), op,
			  num ? (int)c.len : 1, num ? sema_bytes(s, c) : "2");
		return -1;
	}
	if (sema_number(s, ast_text_span(&x->value), &d) != 0)
		return -1;
	if (d != floor(d)) {
		r = diag_at(s->dq, DIAG_NUMLOGINS_NUM, ast_text_span(&x->value),
			"NUMLOGINS counts clients, a whole number: compare it with one, not %.*s",
			(int)(x->value.len > 40 ? 40 : x->value.len), sema_bytes(s, ast_text_span(&x->value)));
		diag_note(s->dq, r, 0, ast_text_span(&x->value), "write %g or %g", floor(d), ceil(d));
		return -1;
	}
	/* every count read is >= 1: these are decided before any client logs in or out */
	int never = (x->op == AST_LT && d <= 1) || (x->op == AST_LE && d < 1) || (x->op == AST_EQ && d < 1);
	int always = (x->op == AST_GE && d <= 1) || (x->op == AST_GT && d < 1) || (x->op == AST_NE && d < 1);
	if (never || always) {
		r = diag_at(s->dq, DIAG_NUMLOGINS_SELF, x->span,
			"NUMLOGINS counts upsplan's own login too, so it is at least 1 while known: 'NUMLOGINS %.*s%s%s %g' is %s",
			(int)x->name.len, sema_bytes(s, x->name), x->name.len ? " " : "", op, d, never ? "never true" : "always true once upsd answers");
		diag_note(s->dq, r, 0, x->span,
			  "to wait until the other clients (the secondaries) have logged out, test NUMLOGINS <= 1; "
			  "to see one logged in, NUMLOGINS >= 2");
	}
	return 0;
}

/*
 * MARKED mark [ups] and POWERVAL WITHOUT mark op n: the mark (E810 past
 * the plan's limit), the UPS (E812, E901), the number (whole: E814).
 */
static int sema_check_marked(struct sema *s, const struct ast_expr *x)
{
	uint32_t k = sema_mark(s, x->name);
	double d;

	if (k == SEMA_NONE)
		return -1;
	if (!s->markv.v[k].read)
		s->markv.v[k].read = x->name.off;
	if (x->kind == AST_X_MARKED)
		return x->value.len && sema_marked_ups(s, ast_text_span(&x->value), 1) == SEMA_NONE ? -1 : 0;
	if (sema_number(s, ast_text_span(&x->value), &d) != 0)
		return -1;
	if (d != floor(d)) {
		struct diag_record *r = diag_at(s->dq, DIAG_PVWITHOUT_NUM, ast_text_span(&x->value),
			"POWERVAL WITHOUT sums POWERVALs, whole numbers: compare the sum with one, not %.*s",
			(int)(x->value.len > 40 ? 40 : x->value.len), sema_bytes(s, ast_text_span(&x->value)));
		diag_note(s->dq, r, 0, ast_text_span(&x->value), "write %g or %g", floor(d), ceil(d));
		return -1;
	}
	return 0;
}

/* Values the condition X pushes at most on the VM's stack. */
static unsigned sema_cond_stack(const struct ast_expr *x)
{
	unsigned l, r;

	switch (x->kind) {
	case AST_X_NOT:
		return sema_cond_stack(x->l);
	case AST_X_AND:
	case AST_X_OR:
		l = sema_cond_stack(x->l);
		r = sema_cond_stack(x->r) + 1;
		return l > r ? l : r;
	default:
		return 1;
	}
}

/* Check every term of X; 0 when all can be compiled. */
static int sema_check_expr(struct sema *s, const struct ast_expr *x, const struct ast_cond *c)
{
	int rc;

	switch (x->kind) {
	case AST_X_STATE:
		if (ev_pair_index(x->from, x->to) >= 0)
			return 0;
		/* a condition of this term alone is shown from its IF, as it always was */
		src_span at = x == c->expr ? c->span : x->span;
		struct diag_record *r = diag_at(s->dq, DIAG_BAD_COND, at,
			"IF %s->%s is not a valid event pair", sw_name(x->from), sw_name(x->to));
		sema_pair_hint(s, r, at, x->from, x->to);
		return -1;
	case AST_X_CMP:
		return sema_check_cmp(s, x);
	case AST_X_MATCH:
		return sema_check_match(s, x);
	case AST_X_RUNNING: {
		uint32_t ti = sema_timer(s, x->name);
		struct sema_timer *t = &s->timerv.v[ti];
		if (!t->running)
			t->running = x->name.off;
		return 0;
	}
	case AST_X_NUMLOGINS:
		return sema_check_numlogins(s, x);
	case AST_X_MARKED:
	case AST_X_PVWITHOUT:
		return sema_check_marked(s, x);
	case AST_X_NOT:
		return sema_check_expr(s, x->l, c);
	default:
		rc = sema_check_expr(s, x->l, c);
		return sema_check_expr(s, x->r, c) || rc ? -1 : 0;
	}
}

int sema_cond_check(struct sema *s, const struct ast_cond *c)
{
	unsigned depth;

	if (sema_check_expr(s, c->expr, c) != 0)
		return -1;
	depth = sema_cond_stack(c->expr);
	if (depth > IMG_MAX_STACK) {
		struct diag_record *r = diag_at(s->dq, DIAG_COND_DEPTH, c->span,
			"this condition needs %u values at once; the engine holds %d", depth, IMG_MAX_STACK);
		diag_note(s->dq, r, 0, c->span,
			  "write it with fewer nested parentheses on the right of AND and OR: (a AND b) AND c needs fewer than a AND (b AND c)");
		return -1;
	}
	return 0;
}

/* The code of X in postfix order, each term and operator at its own place (LOC: at the IF, for a lone term). */
static void sema_gen_expr(struct sema *s, const struct ast_expr *x, uint32_t loc)
{
	struct cg *cg = s->cg;

	if (loc == SEMA_NONE)
		loc = x->span.off;

	switch (x->kind) {
	case AST_X_STATE:
		cg_op(cg, loc, OP_STATE, (uint32_t)ev_pair_index(x->from, x->to), 0, 0, 0);
		break;
	case AST_X_CMP: {
		uint32_t v = cg_var(cg, sema_bytes(s, x->name), x->name.len);
		if (x->value.kind == AST_TEXT_NUMBER) {
			double d = 0;
			const char *p = sema_bytes(s, ast_text_span(&x->value));
			char buf[400];
			size_t n = x->value.len < sizeof(buf) ? x->value.len : sizeof(buf) - 1;
			memcpy(buf, p, n);
			buf[n] = '\0';
			d = strtod(buf, NULL);	/* checked by sema_number() */
			cg_op(cg, loc, OP_CMPNUM, v, x->op, cg_num(cg, d), 0);
		} else {
			src_span c = ast_text_content(&x->value);
			cg_op(cg, loc, OP_CMPTEXT, v, x->op, cg_ctext(cg, sema_bytes(s, c), c.len), 0);
		}
		break;
	}
	case AST_X_MATCH: {
		uint32_t v = cg_var(cg, sema_bytes(s, x->name), x->name.len);
		src_span c = ast_text_content(&x->value);
		cg_op(cg, loc, OP_MATCH, v, cg_regex(cg, sema_bytes(s, c), c.len), 0, 0);
		break;
	}
	case AST_X_NUMLOGINS: {
		uint32_t u = sema_numlogins_ups(s, x), v;
		double d = 0;
		sema_number(s, ast_text_span(&x->value), &d);	/* a whole number: checked */
		if (u == SEMA_NONE) {
			v = cg_var(cg, IMG_VAR_NUMLOGINS, strlen(IMG_VAR_NUMLOGINS));
			cg_op(cg, loc, OP_CMPNUM, v, x->op, cg_num(cg, d), 0);
		} else {
			v = cg_var_of(cg, u, IMG_VAR_NUMLOGINS, strlen(IMG_VAR_NUMLOGINS));
			cg_op(cg, loc, OP_CMPNUMAT, v, x->op, cg_num(cg, d), u);
		}
		break;
	}
	case AST_X_MARKED: {
		uint32_t k = (uint32_t)symtab_get(&s->marks, sema_bytes(s, x->name), x->name.len);
		if (x->value.len)
			cg_op(cg, loc, OP_MARKEDAT, k, sema_marked_ups(s, ast_text_span(&x->value), 0), 0, 0);
		else
			cg_op(cg, loc, OP_MARKED, k, 0, 0, 0);
		break;
	}
	case AST_X_PVWITHOUT: {
		double d = 0;
		sema_number(s, ast_text_span(&x->value), &d);	/* a whole number: checked */
		cg_op(cg, loc, OP_PVWITHOUT, (uint32_t)symtab_get(&s->marks, sema_bytes(s, x->name), x->name.len),
		      x->op, cg_num(cg, d), 0);
		break;
	}
	case AST_X_RUNNING:
		cg_op(cg, loc, OP_RUNNING, (uint32_t)symtab_get(&s->timers, sema_bytes(s, x->name), x->name.len), 0, 0, 0);
		break;
	case AST_X_NOT:
		sema_gen_expr(s, x->l, SEMA_NONE);
		cg_op(cg, loc, OP_NOT, 0, 0, 0, 0);
		break;
	default:
		sema_gen_expr(s, x->l, SEMA_NONE);
		sema_gen_expr(s, x->r, SEMA_NONE);
		cg_op(cg, loc, x->kind == AST_X_AND ? OP_AND : OP_OR, 0, 0, 0, 0);
		break;
	}
}

void sema_expr_gen(struct sema *s, const struct ast_expr *x)
{
	int lone = x->kind != AST_X_NOT && x->kind != AST_X_AND && x->kind != AST_X_OR;

	sema_gen_expr(s, x, lone ? x->span.off : SEMA_NONE);
}

void sema_cond_gen(struct sema *s, const struct ast_cond *c)
{
	/* IF a->b alone is one source location, as it always was (one pc map entry) */
	int lone = c->expr->kind != AST_X_NOT && c->expr->kind != AST_X_AND && c->expr->kind != AST_X_OR;

	sema_gen_expr(s, c->expr, lone ? c->span.off : SEMA_NONE);
	cg_cond_jump(s->cg, c->span.off);
}
