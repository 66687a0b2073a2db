/* SPDX-License-Identifier: GPL-2.0-or-later */
/* sema-level.c - level clauses: WHEN ups BECOMES <condition> [FOR <duration>] and its CEASES companion. */
#include "config.h"

#include <string.h>

#include "engine/codegen.h"
#include "engine/sema-int.h"
#include "base/xalloc.h"

/* Do spans A and B hold the same bytes? */
static int sema_same_bytes(const struct sema *s, src_span a, src_span b)
{
	return a.len == b.len && memcmp(sema_bytes(s, a), sema_bytes(s, b), a.len) == 0;
}

/* Are conditions A and B written the same (spacing and parentheses aside)? */
static int sema_same_expr(const struct sema *s, const struct ast_expr *a, const struct ast_expr *b)
{
	if (!a || !b)
		return a == b;
	if (a->kind != b->kind || a->op != b->op || a->from != b->from || a->to != b->to)
		return 0;
	switch (a->kind) {
	case AST_X_CMP:
	case AST_X_MATCH:
	case AST_X_NUMLOGINS:
	case AST_X_MARKED:
	case AST_X_PVWITHOUT:
		if (a->value.kind != b->value.kind ||
		    !sema_same_bytes(s, ast_text_content(&a->value), ast_text_content(&b->value)))
			return 0;
		/* fall through */
	case AST_X_RUNNING:
		if (!sema_same_bytes(s, a->name, b->name))
			return 0;
		break;
	default:
		break;
	}
	return sema_same_expr(s, a->l, b->l) && sema_same_expr(s, a->r, b->r);
}

/* Do clauses A and B name the same target: one UPS (by index U and V), or a group or pattern written the same? */
static int sema_same_target(const struct sema *s, const struct ast_decl *a, uint32_t u, const struct ast_decl *b,
			    uint32_t v)
{
	if (a->target != b->target)
		return 0;
	if (a->target == AST_TARGET_UPS)
		return u == v;
	return sema_same_bytes(s, a->u.when.ups, b->u.when.ups);
}

/* CEASES clause D: the latest BECOMES clause before it of the same target and condition, or NULL (E851). */
static struct sema_level *sema_level_find(struct sema *s, const struct ast_decl *d, uint32_t ups)
{
	const struct ast_expr *x = ast_decl_level_expr(d);

	for (size_t i = s->levelv.n; i-- > 0;) {
		struct sema_level *l = &s->levelv.v[i];
		if (l->group == s->cur_group && sema_same_target(s, l->decl, l->ups, d, ups) &&
		    sema_same_expr(s, l->expr, x))
			return l;
	}
	{
		struct diag_record *r = diag_at(s->dq, DIAG_LEVEL_CEASES, x->span,
			"no WHEN %s%.*s BECOMES clause before this one has this condition",
			d->target == AST_TARGET_GROUP ? "GROUP " : "",
			(int)(d->u.when.ups.len > 60 ? 60 : d->u.when.ups.len), sema_bytes(s, d->u.when.ups));
		diag_note(s->dq, r, 0, x->span,
			  "CEASES runs when the rule of a BECOMES clause of the same UPS, group or pattern re-arms (its condition false for its hold after it fired): "
			  "write the WHEN ... BECOMES clause first, and repeat its target and condition here as written there");
	}
	return NULL;
}

int sema_level_begin(struct sema *s, const struct ast_decl *d)
{
	const struct ast_when *wd = &d->u.when;
	const struct ast_expr *x = ast_decl_level_expr(d);
	struct ast_cond c = { x->span, (struct ast_expr *)x };
	int multi = d->target != AST_TARGET_UPS;
	int64_t u = multi ? -1 : symtab_get(&s->group_ups[s->cur_group], sema_bytes(s, wd->ups), wd->ups.len);
	uint32_t ups = u < 0 ? SEMA_NONE : (uint32_t)u;
	double hold = 0;
	int ok = 1;

	s->in_clause = 0;
	if (d->level == AST_LEVEL_CEASES) {
		struct sema_level *l = sema_level_find(s, d, ups);
		if (!l)
			return -1;
		if (l->ceases) {
			struct diag_record *r = diag_at(s->dq, DIAG_LEVEL_CEASES, ast_decl_kw(d),
				"this BECOMES clause has a CEASES clause already");
			diag_note(s->dq, r, 1, (src_span){ l->ceases - 1, 4 }, "the first one is here");
			diag_note(s->dq, r, 0, ast_decl_kw(d), "put the actions of both into one CEASES clause");
			return -1;
		}
		l->ceases = d->kw + 1;	/* 0 is "none": the WHEN keyword's offset, plus one */
		if (l->rule == SEMA_NONE || !s->cg)
			return -1;
		cg_level_begin(s->cg, l->rule, CG_LEVEL_OFF);
		s->in_clause = 1;
		return 0;
	}
	if (sema_cond_check(s, &c) != 0)
		ok = 0;
	if (wd->event.len && sema_duration(s, wd->event, "FOR", SEMA_DURATION_MAX, 1, &hold) != 0)
		ok = 0;
	{
		struct sema_level *l = SEMA_PUSH(s, s->levelv);
		struct sema_multi *m = s->multiv.n ? &s->multiv.v[s->multiv.n - 1] : NULL;

		l->expr = x;
		l->decl = d;
		l->group = s->cur_group;
		l->ups = ups;
		l->rule = SEMA_NONE;
		if (multi && (!m || m->decl != d))
			m = NULL;	/* E431, E432: not expanded */
		if (!ok || (multi ? !m : ups == SEMA_NONE) || !s->cg)
			return ok ? 0 : -1;
		/* a group or pattern: one rule's code, bound to each UPS it names by sema_multi_finish() */
		l->rule = cg_level_new(s->cg, multi ? IMG_NONE : ups, hold);
		if (multi)
			m->level = l->rule;
		cg_level_begin(s->cg, l->rule, CG_LEVEL_TEST);
		sema_expr_gen(s, x);
		cg_op(s->cg, x->span.off, OP_LEVEL, 0, 0, 0, 0);
		cg_level_begin(s->cg, l->rule, CG_LEVEL_ON);
		s->in_clause = 1;
	}
	return 0;
}
