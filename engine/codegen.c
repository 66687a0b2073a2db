/* SPDX-License-Identifier: GPL-2.0-or-later */
/* codegen.c - code generation: clauses to handlers, with the pc -> source map written by one emit function. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "engine/codegen.h"
#include "engine/events.h"
#include "engine/symtab.h"
#include "base/xalloc.h"

#define CG_LEVEL 2u
/* a level rule's clause (CG_LEVEL + its part), not an alert rule's (CG_ALERT + 0 or 1) */
#define CG_IS_LEVEL(t) ((t) >= CG_LEVEL && (t) < CG_ALERT)
_Static_assert(CG_LEVEL + CG_LEVEL_OFF < CG_ALERT, "level and alert clauses apart");

/* One WHEN clause: its code, assembled apart and joined at link time. */
struct cg_clause {
	uint32_t ups, timeout, key;	/* timeout: 0 REPORTS, 1 TIMEOUT, CG_LEVEL + part: key is a level rule */
	uint32_t first, end;		/* range in cg.code */
	uint32_t loc_first, loc_end;	/* range in cg.locs */
	uint32_t order;			/* file order */
};

/* A clause to run for one UPS: its own, or a shared one bound to it (and TIMEOUT clauses while linking). */
struct cg_use {
	uint32_t ups, key, order, clause;
};

/* A variable read by a clause: its UPS, or IMG_NONE for a shared clause (then the UPS it is bound to). */
struct cg_uvar {
	uint32_t ups, var, clause;
};

/* A level rule's code: its UPS (IMG_NONE: shared by a group or pattern), hold, and entries once linked. */
struct cg_lcode {
	uint32_t ups, hold, test, on, off;
};

/* A level rule of one UPS: code LCODE bound to UPS, in binding order. */
struct cg_lbind {
	uint32_t lcode, ups, order;
};

/* A code word index and the source offset of the action it belongs to. */
struct cg_loc {
	uint32_t pc;		/* relative to the clause */
	uint32_t off;
};

struct cg {
	struct plan_image *img;
	const struct src_registry *reg;
	IMG_VEC(uint32_t) code;		/* clause code; jumps relative to the clause */
	IMG_VEC(struct cg_loc) locs;
	IMG_VEC(struct cg_clause) clauses;
	IMG_VEC(struct cg_use) uses;	/* REPORTS clauses by UPS and event */
	uint64_t bound_size;		/* bytes shared clauses may take when copied into a UPS's own handler */
	uint32_t cond_patch;		/* word to patch after the guarded action, or IMG_NONE */
	uint32_t last_loc;		/* offset of the action of the previous emit */
	/* identical texts share one template: text -> template index */
	struct symtab tpl_index;
	IMG_VEC(char *) tpl_texts;	/* owned keys of tpl_index, var_index, ctext_index, re_index */
	IMG_VEC(struct cg_excess) excess;
	/* conditions: identical names, texts and patterns share one entry */
	struct symtab var_index, ctext_index, re_index;
	IMG_VEC(struct cg_uvar) uvars;	/* (UPS, variable) read, in clause order, with repeats */
	IMG_VEC(struct cg_lcode) lcodes;	/* level rules' code, in file order */
	IMG_VEC(struct cg_lbind) lbinds;	/* the UPS each runs for: the image's level rules */
};

struct cg *cg_new(struct plan_image *img, const struct src_registry *reg)
{
	struct cg *cg = xcalloc(1, sizeof(*cg));

	cg->img = img;
	cg->reg = reg;
	cg->cond_patch = IMG_NONE;
	cg->last_loc = IMG_NONE;
	symtab_init(&cg->tpl_index);
	symtab_init(&cg->var_index);
	symtab_init(&cg->ctext_index);
	symtab_init(&cg->re_index);
	return cg;
}

void cg_free(struct cg *cg)
{
	if (!cg)
		return;
	free(cg->code.v);
	free(cg->locs.v);
	free(cg->clauses.v);
	free(cg->uses.v);
	free(cg->excess.v);
	for (uint32_t i = 0; i < cg->tpl_texts.n; i++)
		free(cg->tpl_texts.v[i]);
	free(cg->tpl_texts.v);
	symtab_free(&cg->tpl_index);
	symtab_free(&cg->var_index);
	symtab_free(&cg->ctext_index);
	symtab_free(&cg->re_index);
	free(cg->uvars.v);
	free(cg->lcodes.v);
	free(cg->lbinds.v);
	free(cg);
}

static struct cg_clause *cg_cur(struct cg *cg)
{
	return &cg->clauses.v[cg->clauses.n - 1];
}

static void cg_use(struct cg *cg, uint32_t clause, uint32_t ups)
{
	struct cg_use *u;

	IMG_PUSH(cg->uses, u);
	u->ups = ups;
	u->key = cg->clauses.v[clause].key;
	u->order = cg->clauses.v[clause].order;
	u->clause = clause;
}

uint32_t cg_clause_begin(struct cg *cg, uint32_t ups, int timeout, uint32_t key)
{
	struct cg_clause *c;

	IMG_PUSH(cg->clauses, c);
	c->ups = ups;
	c->timeout = (uint32_t)timeout;
	c->key = key;
	c->first = c->end = cg->code.n;
	c->loc_first = c->loc_end = cg->locs.n;
	c->order = cg->clauses.n - 1;
	cg->cond_patch = IMG_NONE;
	cg->last_loc = IMG_NONE;
	if (!timeout && ups != IMG_NONE)
		cg_use(cg, cg->clauses.n - 1, ups);
	return cg->clauses.n - 1;
}

uint32_t cg_level_new(struct cg *cg, uint32_t ups, double hold)
{
	struct cg_lcode *l;

	IMG_PUSH(cg->lcodes, l);
	l->ups = ups;
	l->test = l->on = l->off = IMG_NONE;
	l->hold = cg_num(cg, hold);
	if (ups != IMG_NONE)
		cg_level_bind(cg, cg->lcodes.n - 1, ups);
	return cg->lcodes.n - 1;
}

void cg_level_bind(struct cg *cg, uint32_t rule, uint32_t ups)
{
	struct cg_lbind *b;

	IMG_PUSH(cg->lbinds, b);
	b->lcode = rule;
	b->ups = ups;
	b->order = cg->lbinds.n - 1;
	cg->bound_size += sizeof(struct img_level);
}

void cg_level_begin(struct cg *cg, uint32_t rule, enum cg_level_part part)
{
	cg_clause_begin(cg, cg->lcodes.v[rule].ups, (int)(CG_LEVEL + part), rule);
}

void cg_bind(struct cg *cg, uint32_t clause, uint32_t ups)
{
	const struct cg_clause *c = &cg->clauses.v[clause];

	cg_use(cg, clause, ups);
	cg->bound_size += (uint64_t)(c->end - c->first) * sizeof(uint32_t) +
			  (uint64_t)(c->loc_end - c->loc_first) * sizeof(struct img_loc);
}

/* The single emit function: a code word, and a pc map entry when the action changes. */
static void cg_emit(struct cg *cg, uint32_t loc, uint32_t word)
{
	struct cg_clause *c = cg_cur(cg);
	uint32_t *w;

	if (loc != cg->last_loc) {
		struct cg_loc *l;
		IMG_PUSH(cg->locs, l);
		l->pc = cg->code.n - c->first;
		l->off = loc;
		cg->last_loc = loc;
		c->loc_end = cg->locs.n;
	}
	IMG_PUSH(cg->code, w);
	*w = word;
	c->end = cg->code.n;
}

void cg_cond(struct cg *cg, uint32_t pair, uint32_t loc)
{
	cg_emit(cg, loc, OP_STATE);
	cg_emit(cg, loc, pair);
	cg_cond_jump(cg, loc);
}

void cg_cond_jump(struct cg *cg, uint32_t loc)
{
	cg_emit(cg, loc, OP_JUMPIFNOT);
	cg->cond_patch = cg->code.n;
	cg_emit(cg, loc, 0);	/* patched by cg_op */
}

static void cg_uvar(struct cg *cg, uint32_t ups, uint32_t v);

void cg_op(struct cg *cg, uint32_t loc, enum op op, uint32_t a, uint32_t b, uint32_t c, uint32_t d)
{
	const struct op_info *oi = op_info(op);
	uint32_t ops[4] = { a, b, c, d };

	cg_emit(cg, loc, op);
	for (uint32_t i = 0; i < oi->nops; i++) {
		cg_emit(cg, loc, ops[i]);
		if (oi->kinds[i] == OPK_TPL) {
			/* a %(var:NAME)s of the text: this clause's UPS read it, as a condition's */
			const struct img_tpl *t = &cg->img->tpls.v[ops[i]];
			for (uint32_t k = 0; k < t->count; k++)
				if (cg->img->parts.v[t->first + k].kind == TPL_VAR)
					cg_uvar(cg, cg_cur(cg)->ups, cg->img->parts.v[t->first + k].text.off);
		}
	}
	if (cg->cond_patch != IMG_NONE) {
		/* jump over this action: relative to the clause until linked */
		cg->code.v[cg->cond_patch] = cg->code.n - cg_cur(cg)->first;
		cg->cond_patch = IMG_NONE;
	}
}

void cg_clause_end(struct cg *cg)
{
	cg->cond_patch = IMG_NONE;
}

static uint32_t cg_var_index(void *ctx, const char *name, size_t len);

uint32_t cg_tpl(struct cg *cg, const char *s, size_t len)
{
	int64_t old = symtab_get(&cg->tpl_index, s, len);
	char **key;
	uint32_t t;

	if (old >= 0)
		return (uint32_t)old;
	t = img_add_tpl_vars(cg->img, s, len, cg_var_index, cg);
	IMG_PUSH(cg->tpl_texts, key);
	*key = xrealloc(NULL, len + 1);
	memcpy(*key, s, len);
	(*key)[len] = '\0';
	symtab_put(&cg->tpl_index, *key, len, t);
	return t;
}

/* Index of S (LEN bytes) in the string table VEC of the image, one entry per distinct S (INDEX). */
static uint32_t cg_intern(struct cg *cg, struct symtab *index, struct img_str **v, uint32_t *n, uint32_t *cap,
			  const char *s, size_t len)
{
	int64_t old = symtab_get(index, s, len);
	char **key;

	if (old >= 0)
		return (uint32_t)old;
	img_grow((void **)v, cap, sizeof(**v), *n + 1);
	(*v)[*n] = img_add_str(cg->img, s, len);
	IMG_PUSH(cg->tpl_texts, key);
	*key = xrealloc(NULL, len + 1);
	memcpy(*key, s, len);
	(*key)[len] = '\0';
	symtab_put(index, *key, len, *n);
	return (*n)++;
}

/* The index of variable NAME in the image's vars (a template's %(var:NAME)s, a condition's). */
static uint32_t cg_var_index(void *ctx, const char *name, size_t len)
{
	struct cg *cg = ctx;
	struct plan_image *img = cg->img;

	return cg_intern(cg, &cg->var_index, &img->vars.v, &img->vars.n, &img->vars.cap, name, len);
}

/*
 * The clause being generated reads variable V of UPS (IMG_NONE: of the
 * UPS it runs for): the host polls it for that UPS, or each UPS bound to
 * the clause.
 */
static void cg_uvar(struct cg *cg, uint32_t ups, uint32_t v)
{
	struct cg_uvar *u;

	IMG_PUSH(cg->uvars, u);
	u->ups = ups;
	u->var = v;
	u->clause = cg->clauses.n - 1;
}

uint32_t cg_var(struct cg *cg, const char *name, size_t len)
{
	uint32_t v = cg_var_index(cg, name, len);

	cg_uvar(cg, cg_cur(cg)->ups, v);
	return v;
}

uint32_t cg_var_of(struct cg *cg, uint32_t ups, const char *name, size_t len)
{
	uint32_t v = cg_var_index(cg, name, len);

	cg_uvar(cg, ups, v);
	return v;
}

uint32_t cg_ctext(struct cg *cg, const char *s, size_t len)
{
	struct plan_image *img = cg->img;

	return cg_intern(cg, &cg->ctext_index, &img->ctexts.v, &img->ctexts.n, &img->ctexts.cap, s, len);
}

uint32_t cg_regex(struct cg *cg, const char *s, size_t len)
{
	struct plan_image *img = cg->img;

	return cg_intern(cg, &cg->re_index, &img->regexes.v, &img->regexes.n, &img->regexes.cap, s, len);
}

uint32_t cg_num(struct cg *cg, double v)
{
	double *p;

	IMG_PUSH(cg->img->consts, p);
	*p = v;
	return cg->img->consts.n - 1;
}

uint64_t cg_pending_size(const struct cg *cg)
{
	/* each clause at most one HALT and one TIMEOUT entry */
	return (uint64_t)cg->code.n * sizeof(uint32_t) + (uint64_t)cg->locs.n * sizeof(struct img_loc) +
	       (uint64_t)cg->clauses.n * (sizeof(uint32_t) + sizeof(struct img_tentry)) + cg->bound_size;
}

/* TIMEOUT clauses: by timer, then UPS, then file order. */
static int cg_timeout_cmp(const void *a, const void *b)
{
	const struct cg_use *x = a, *y = b;

	if (x->key != y->key)
		return x->key < y->key ? -1 : 1;
	if (x->ups != y->ups)
		return x->ups < y->ups ? -1 : 1;
	return x->order < y->order ? -1 : x->order > y->order;
}

/* REPORTS uses: by UPS, then event, then file order. */
static int cg_use_cmp(const void *a, const void *b)
{
	const struct cg_use *x = a, *y = b;

	if (x->ups != y->ups)
		return x->ups < y->ups ? -1 : 1;
	if (x->key != y->key)
		return x->key < y->key ? -1 : 1;
	return x->order < y->order ? -1 : x->order > y->order;
}

/* Copy clause C to the end of the image code, turning its relative jumps absolute. */
static void cg_copy_clause(struct cg *cg, const struct cg_clause *c)
{
	struct plan_image *img = cg->img;
	uint32_t base = img->code.n;

	img_grow((void **)&img->code.v, &img->code.cap, sizeof(uint32_t), img->code.n + (c->end - c->first));
	for (uint32_t pc = c->first; pc < c->end;) {
		const struct op_info *oi = op_info(cg->code.v[pc]);
		img->code.v[img->code.n++] = cg->code.v[pc];
		for (uint32_t k = 0; k < oi->nops; k++) {
			uint32_t w = cg->code.v[pc + 1 + k];
			if (oi->kinds[k] == OPK_OFF)
				w += base;
			img->code.v[img->code.n++] = w;
		}
		pc += 1 + oi->nops;
	}
	for (uint32_t i = c->loc_first; i < c->loc_end; i++) {
		struct img_loc *l;
		const struct src_file *f;
		unsigned line = 0, col = 0;

		IMG_PUSH(img->pcmap, l);
		l->pc = base + cg->locs.v[i].pc;
		if (src_position(cg->reg, cg->locs.v[i].off, &f, &line, &col) == 0) {
			uint32_t fi;
			for (fi = 0; fi < img->files.n; fi++)
				if (strcmp(img_bytes(img, img->files.v[fi]), f->name) == 0)
					break;
			if (fi == img->files.n) {
				struct img_str *fs;
				IMG_PUSH(img->files, fs);
				*fs = img_add_str(img, f->name, strlen(f->name));
			}
			l->file = fi;
		}
		l->line = line;
		l->col = col;
	}
}

/* Record the run starting at clause I (for UPS) if its cost C is over the bounds. */
static void cg_check_run(struct cg *cg, uint32_t i, uint32_t ups, const struct img_cost *c)
{
	const struct cg_clause *cl = &cg->clauses.v[i];
	struct cg_excess *x;
	char why[sizeof(x->why)];

	if (!img_cost_excess(c, why, sizeof(why)))
		return;
	IMG_PUSH(cg->excess, x);
	x->off = cl->loc_first < cl->loc_end ? cg->locs.v[cl->loc_first].off : 0;
	x->timeout = cl->timeout;
	x->ups = ups;
	x->key = cl->key;
	memcpy(x->why, why, sizeof(why));
}

/* Append HALT to the code from ENTRY, and its run's cost to *RUN. */
static void cg_halt(struct cg *cg, uint32_t entry, const uint64_t *tb, struct img_cost *run)
{
	struct plan_image *img = cg->img;

	img_grow((void **)&img->code.v, &img->code.cap, sizeof(uint32_t), img->code.n + 1);
	img->code.v[img->code.n++] = OP_HALT;
	for (uint32_t pc = entry; pc < img->code.n; pc += 1 + op_info(img->code.v[pc])->nops)
		img_op_cost(img, pc, tb, run);
}

/*
 * The REPORTS handlers: every clause of one UPS and event, in file order,
 * then HALT.  A run made of shared clauses only is emitted once and its
 * entry reused for every UPS with the same run (keyed by its clause
 * numbers), so that a group or pattern rule costs its code once.
 */
static void cg_link_reports(struct cg *cg, const uint64_t *tb)
{
	struct plan_image *img = cg->img;
	uint32_t *sig = xcalloc((size_t)cg->uses.n + 1, sizeof(*sig));
	struct symtab shared;

	symtab_init(&shared);
	if (cg->uses.n)
		qsort(cg->uses.v, cg->uses.n, sizeof(*cg->uses.v), cg_use_cmp);
	for (uint32_t i = 0; i < cg->uses.n; i++)
		sig[i] = cg->uses.v[i].clause;
	for (uint32_t i = 0, j; i < cg->uses.n; i = j) {
		const struct cg_use *u = &cg->uses.v[i];
		uint32_t entry = img->code.n;
		struct img_cost run = { 0 };
		int only_shared = 1;
		int64_t old;

		for (j = i; j < cg->uses.n && cg->uses.v[j].ups == u->ups && cg->uses.v[j].key == u->key; j++)
			only_shared &= cg->clauses.v[cg->uses.v[j].clause].ups == IMG_NONE;
		if (only_shared &&
		    (old = symtab_get(&shared, (const char *)&sig[i], (j - i) * sizeof(*sig))) >= 0) {
			img->handlers.v[u->ups * EV_NPAIRS + u->key] = (uint32_t)old;
			continue;
		}
		for (uint32_t k = i; k < j; k++)
			cg_copy_clause(cg, &cg->clauses.v[cg->uses.v[k].clause]);
		cg_halt(cg, entry, tb, &run);
		img->handlers.v[u->ups * EV_NPAIRS + u->key] = entry;
		cg_check_run(cg, u->clause, u->ups, &run);
		if (only_shared)
			symtab_put(&shared, (const char *)&sig[i], (j - i) * sizeof(*sig), entry);
	}
	symtab_free(&shared);
	free(sig);
}

static int cg_uvar_cmp(const void *a, const void *b)
{
	const struct img_uvar *x = a, *y = b;

	if (x->ups != y->ups)
		return x->ups < y->ups ? -1 : 1;
	return x->var < y->var ? -1 : x->var > y->var;
}

/* The variables each UPS's rules read, a shared clause's for every UPS bound to it: sorted, without repeats. */
static void cg_link_uvars(struct cg *cg)
{
	struct plan_image *img = cg->img;
	IMG_VEC(struct img_uvar) all = { 0 };
	struct img_uvar *u;

	for (uint32_t i = 0; i < cg->uvars.n; i++) {
		const struct cg_uvar *r = &cg->uvars.v[i];

		if (r->ups != IMG_NONE) {
			IMG_PUSH(all, u);
			*u = (struct img_uvar){ r->ups, r->var };
			continue;
		}
		if (CG_IS_LEVEL(cg->clauses.v[r->clause].timeout)) {	/* a shared level rule: each UPS bound to it */
			for (uint32_t k = 0; k < cg->lbinds.n; k++)
				if (cg->lbinds.v[k].lcode == cg->clauses.v[r->clause].key) {
					IMG_PUSH(all, u);
					*u = (struct img_uvar){ cg->lbinds.v[k].ups, r->var };
				}
			continue;
		}
		for (uint32_t k = 0; k < cg->uses.n; k++)
			if (cg->uses.v[k].clause == r->clause) {
				IMG_PUSH(all, u);
				*u = (struct img_uvar){ cg->uses.v[k].ups, r->var };
			}
	}
	if (all.n)
		qsort(all.v, all.n, sizeof(*all.v), cg_uvar_cmp);
	for (uint32_t i = 0; i < all.n; i++) {
		if (i > 0 && all.v[i].ups == all.v[i - 1].ups && all.v[i].var == all.v[i - 1].var)
			continue;
		IMG_PUSH(img->uvars, u);
		*u = all.v[i];
	}
	free(all.v);
}

/* Level rules in file order, a shared one's in the order of its UPS. */
static int cg_lbind_cmp(const void *a, const void *b)
{
	const struct cg_lbind *x = a, *y = b;

	if (x->lcode != y->lcode)
		return x->lcode < y->lcode ? -1 : 1;
	return x->order < y->order ? -1 : x->order > y->order;
}

/*
 * Level rules: each part's clauses (a test; BECOMES actions; CEASES
 * actions), in file order, then HALT, once per rule's code; then a level
 * rule of the image for each UPS bound to it (a shared rule's share it).
 */
static void cg_link_levels(struct cg *cg, const uint64_t *tb)
{
	struct plan_image *img = cg->img;
	struct cg_use *lc = xcalloc((size_t)cg->clauses.n + 1, sizeof(*lc));
	uint32_t n = 0;
	struct img_level *il;

	for (uint32_t i = 0; i < cg->clauses.n; i++)
		if (CG_IS_LEVEL(cg->clauses.v[i].timeout)) {
			const struct cg_clause *c = &cg->clauses.v[i];
			/* key: rule and part; ups: unused (one UPS per rule) */
			lc[n++] = (struct cg_use){ 0, c->key * 3 + (c->timeout - CG_LEVEL), c->order, i };
		}
	if (n)
		qsort(lc, n, sizeof(*lc), cg_timeout_cmp);
	for (uint32_t i = 0, j; i < n; i = j) {
		uint32_t entry = img->code.n, rule = lc[i].key / 3, part = lc[i].key % 3;
		struct cg_lcode *l = &cg->lcodes.v[rule];
		struct img_cost run = { 0 };

		for (j = i; j < n && lc[j].key == lc[i].key; j++)
			cg_copy_clause(cg, &cg->clauses.v[lc[j].clause]);
		cg_halt(cg, entry, tb, &run);
		*(part == CG_LEVEL_TEST ? &l->test : part == CG_LEVEL_ON ? &l->on : &l->off) = entry;
		if (l->ups != IMG_NONE) {
			cg_check_run(cg, lc[i].clause, l->ups, &run);
			continue;
		}
		for (uint32_t k = 0; k < cg->lbinds.n; k++)	/* a shared rule: named by its first UPS */
			if (cg->lbinds.v[k].lcode == rule) {
				cg_check_run(cg, lc[i].clause, cg->lbinds.v[k].ups, &run);
				break;
			}
	}
	free(lc);
	if (cg->lbinds.n)
		qsort(cg->lbinds.v, cg->lbinds.n, sizeof(*cg->lbinds.v), cg_lbind_cmp);
	for (uint32_t i = 0; i < cg->lbinds.n; i++) {
		const struct cg_lcode *l = &cg->lcodes.v[cg->lbinds.v[i].lcode];

		IMG_PUSH(img->levels, il);
		*il = (struct img_level){ cg->lbinds.v[i].ups, l->test, l->on, l->off, l->hold };
	}
}

void cg_alert_begin(struct cg *cg, uint32_t rule, int firing)
{
	cg_clause_begin(cg, IMG_NONE, (int)(CG_ALERT + (firing ? 1u : 0u)), rule);
}

/* Alert rules: each rule's FIRING clauses, then its RESOLVED ones, in file order, then HALT. */
static void cg_link_alerts(struct cg *cg, const uint64_t *tb)
{
	struct plan_image *img = cg->img;
	struct cg_use *ac = xcalloc((size_t)cg->clauses.n + 1, sizeof(*ac));
	uint32_t n = 0;

	for (uint32_t i = 0; i < cg->clauses.n; i++)
		if (cg->clauses.v[i].timeout >= CG_ALERT) {
			const struct cg_clause *c = &cg->clauses.v[i];
			ac[n++] = (struct cg_use){ 0, c->key * 2 + (c->timeout - CG_ALERT), c->order, i };
		}
	if (n)
		qsort(ac, n, sizeof(*ac), cg_timeout_cmp);
	for (uint32_t i = 0, j; i < n; i = j) {
		uint32_t entry = img->code.n, rule = ac[i].key / 2;
		struct img_cost run = { 0 };

		for (j = i; j < n && ac[j].key == ac[i].key; j++)
			cg_copy_clause(cg, &cg->clauses.v[ac[j].clause]);
		cg_halt(cg, entry, tb, &run);
		*(ac[i].key % 2 ? &img->arules.v[rule].firing : &img->arules.v[rule].resolved) = entry;
		cg_check_run(cg, ac[i].clause, IMG_NONE, &run);
	}
	free(ac);
}

void cg_link(struct cg *cg, uint32_t nups)
{
	struct plan_image *img = cg->img;
	uint64_t *tb = img_tpl_bounds(img, NULL);
	struct img_cost timer_run = { 0 };
	struct cg_use *tc = xcalloc((size_t)cg->clauses.n + 1, sizeof(*tc));
	uint32_t ntc = 0, timer_first = 0;

	cg_link_uvars(cg);
	img_grow((void **)&img->handlers.v, &img->handlers.cap, sizeof(uint32_t), nups * EV_NPAIRS + 1);
	img->handlers.n = nups * EV_NPAIRS;
	for (uint32_t i = 0; i < img->handlers.n; i++)
		img->handlers.v[i] = IMG_NONE;
	cg_link_reports(cg, tb);
	/* TIMEOUT: every clause of the same UPS and timer, in file order, then HALT */
	for (uint32_t i = 0; i < cg->clauses.n; i++)
		if (cg->clauses.v[i].timeout == 1) {
			const struct cg_clause *c = &cg->clauses.v[i];
			tc[ntc++] = (struct cg_use){ c->ups, c->key, c->order, i };
		}
	if (ntc)
		qsort(tc, ntc, sizeof(*tc), cg_timeout_cmp);
	for (uint32_t i = 0, j; i < ntc; i = j) {
		const struct cg_use *c = &tc[i];
		uint32_t entry = img->code.n;
		struct img_cost run = { 0 };
		struct img_tentry *t;

		for (j = i; j < ntc && tc[j].ups == c->ups && tc[j].key == c->key; j++)
			cg_copy_clause(cg, &cg->clauses.v[tc[j].clause]);
		cg_halt(cg, entry, tb, &run);
		IMG_PUSH(img->tentries, t);
		t->timer = c->key;
		t->ups = c->ups;
		t->pc = entry;
		/* one expiry runs every clause of its timer */
		if (i == 0 || tc[timer_first].key != c->key) {
			memset(&timer_run, 0, sizeof(timer_run));
			timer_first = i;
		}
		img_cost_add(&timer_run, &run);
		if (j == ntc || tc[j].key != c->key)
			cg_check_run(cg, tc[timer_first].clause, tc[timer_first].ups, &timer_run);
	}
	free(tc);
	cg_link_levels(cg, tb);
	cg_link_alerts(cg, tb);
	free(tb);
}

const struct cg_excess *cg_excesses(const struct cg *cg, uint32_t *n)
{
	*n = cg->excess.n;
	return cg->excess.v;
}
