/* SPDX-License-Identifier: GPL-2.0-or-later */
/* image.c - plan image building blocks: opcode table, strings, templates, the cost of a run, growth, freeing. */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/events.h"
#include "engine/image.h"
#include "base/buf.h"
#include "base/xalloc.h"

/* The handler table of an image is indexed by event pair: new pairs need a new format version. */
_Static_assert(IMG_VERSION != 2 || EV_NPAIRS == 42, "image version 2 has 42 event pairs: raise IMG_VERSION");

#define OP_IS_CODE 0
#define OP_IS_ACTION 1
static const struct op_info op_infos[OP_COUNT] = {
#define OP(name, kind, a, b, c, d, in, out, meaning) \
	{ #name, { a, b, c, d }, OP_NOPS(a, b, c, d), OP_IS_##kind, in, out, meaning },
#include "base/opcodes.def"
#undef OP
};

const struct op_info *op_info(uint32_t op)
{
	return op < OP_COUNT ? &op_infos[op] : NULL;
}

void img_grow(void **v, uint32_t *cap, size_t elem, uint32_t need)
{
	size_t c = *cap;

	*v = xgrow(*v, &c, need ? need : 1, elem);	/* never NULL afterwards, as callers copy to it */
	/* an image counts in 32 bits: more room than that is never needed, nor claimed */
	*cap = c > UINT32_MAX ? UINT32_MAX : (uint32_t)c;
}

struct img_str img_add_str(struct plan_image *img, const char *s, size_t len)
{
	struct img_str r = { img->strings.n, (uint32_t)len };

	img_grow((void **)&img->strings.v, &img->strings.cap, 1, img->strings.n + (uint32_t)len + 1);
	memcpy(img->strings.v + img->strings.n, s, len);
	img->strings.v[img->strings.n + len] = '\0';	/* handy for C string users */
	img->strings.n += (uint32_t)len + 1;
	return r;
}

static void img_add_part(struct plan_image *img, uint32_t kind, const char *s, size_t len, uint32_t var)
{
	struct img_part *p;

	/* adjacent literals merge: "a%%b" is one part "a%b" */
	if (kind == TPL_LIT && img->parts.n > 0 && img->tpls.n > 0) {
		struct img_tpl *t = &img->tpls.v[img->tpls.n - 1];
		struct img_part *last = &img->parts.v[img->parts.n - 1];
		if (t->count > 0 && last->kind == TPL_LIT &&
		    last->text.off + last->text.len + 1 == img->strings.n) {
			/* extend the last literal in place: it is the newest string */
			img->strings.n--;	/* drop its NUL */
			img_grow((void **)&img->strings.v, &img->strings.cap, 1,
				 img->strings.n + (uint32_t)len + 1);
			memcpy(img->strings.v + img->strings.n, s, len);
			img->strings.n += (uint32_t)len;
			img->strings.v[img->strings.n++] = '\0';
			last->text.len += (uint32_t)len;
			return;
		}
	}
	IMG_PUSH(img->parts, p);
	p->kind = kind;
	p->text = kind == TPL_LIT ? img_add_str(img, s, len) : (struct img_str){ kind == TPL_VAR ? var : 0, 0 };
	img->tpls.v[img->tpls.n - 1].count++;
}

uint32_t img_add_tpl(struct plan_image *img, const char *s, size_t len)
{
	return img_add_tpl_vars(img, s, len, NULL, NULL);
}

uint32_t img_add_tpl_vars(struct plan_image *img, const char *s, size_t len,
			  uint32_t (*var)(void *ctx, const char *name, size_t len), void *ctx)
{
	struct img_tpl *t;
	size_t lit = 0;

	IMG_PUSH(img->tpls, t);
	t->first = img->parts.n;
	t->count = 0;
	for (size_t i = 0; i < len; i++) {
		uint32_t kind;

		if (s[i] != '%')
			continue;
		if (i + 1 < len && s[i + 1] == '%') {	/* %% */
			img_add_part(img, TPL_LIT, s + lit, i + 1 - lit, 0);
			lit = i + 2;
			i++;
			continue;
		}
		/* the semantic pass accepted only %(k)s with a known key, and %(var:NAME)s */
		if (var && i + 7 < len && memcmp(s + i + 1, "(var:", 5) == 0) {
			const char *name = s + i + 6, *end = memchr(name, ')', len - (i + 6));
			if (!end || end == name || (size_t)(end - s) + 1 >= len || end[1] != 's')
				continue;
			if (i > lit)
				img_add_part(img, TPL_LIT, s + lit, i - lit, 0);
			/* the callback may add strings: the part is pushed after it */
			uint32_t v = var(ctx, name, (size_t)(end - name));
			img_add_part(img, TPL_VAR, NULL, 0, v);
			lit = (size_t)(end - s) + 2;
			i = lit - 1;
			continue;
		}
		if (i + 4 >= len || s[i + 1] != '(' || s[i + 3] != ')' || s[i + 4] != 's')
			continue;
		switch (s[i + 2]) {
		case 'u': kind = TPL_UPS; break;
		case 'c': kind = TPL_CHARGE; break;
		case 'e': kind = TPL_EVENT; break;
		case 'b': kind = TPL_BANNER; break;
		case 'h': kind = TPL_HOST; break;
		default: continue;
		}
		if (i > lit)
			img_add_part(img, TPL_LIT, s + lit, i - lit, 0);
		img_add_part(img, kind, NULL, 0, 0);
		lit = i + 5;
		i += 4;
	}
	if (len > lit)
		img_add_part(img, TPL_LIT, s + lit, len - lit, 0);
	return img->tpls.n - 1;
}

void img_free(struct plan_image *img)
{
	if (img->strings.v)	/* the passwords (upsd, SMTP) are among them */
		explicit_bzero(img->strings.v, img->strings.cap);
	free(img->strings.v);
	free(img->files.v);
	free(img->ups.v);
	free(img->groups.v);
	free(img->timers.v);
	free(img->msgs.v);
	free(img->parts.v);
	free(img->tpls.v);
	free(img->consts.v);
	free(img->code.v);
	free(img->handlers.v);
	free(img->tentries.v);
	free(img->pcmap.v);
	free(img->vars.v);
	free(img->uvars.v);
	free(img->levels.v);
	free(img->marks.v);
	free(img->cstrs.v);
	free(img->amgrs.v);
	free(img->arules.v);
	free(img->ctexts.v);
	free(img->regexes.v);
	memset(img, 0, sizeof(*img));
}

uint32_t img_loc_find(const struct plan_image *img, uint32_t pc)
{
	uint32_t lo = 0, hi = img->pcmap.n;

	while (lo < hi) {	/* first entry after PC */
		uint32_t mid = lo + (hi - lo) / 2;
		if (img->pcmap.v[mid].pc <= pc)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo == 0 ? IMG_NONE : lo - 1;
}

uint64_t img_event_max(const struct plan_image *img)
{
	uint64_t m = 0;

	for (uint32_t p = 0; p < EV_NPAIRS; p++)	/* the longest, "None->DISCHRG" */
		if (strlen(ev_pair_name(p)) > m)
			m = strlen(ev_pair_name(p));
	for (uint32_t i = 0; i < img->timers.n; i++)
		if ((uint64_t)img->timers.v[i].len + 4 > m)	/* TO->timer */
			m = (uint64_t)img->timers.v[i].len + 4;
	for (uint32_t i = 0; i < img->arules.n; i++)	/* ALERT name RESOLVED (a name in range: verified) */
		if (img->arules.v[i].name < img->cstrs.n && (uint64_t)img->cstrs.v[img->arules.v[i].name].len + 15 > m)
			m = (uint64_t)img->cstrs.v[img->arules.v[i].name].len + 15;
	return m;
}

uint64_t img_subst_max(const struct plan_image *img)
{
	uint64_t m = IMG_MAX_HOSTTEXT, e = img_event_max(img);

	if (m < IMG_CHARGE_TEXT)	/* %(c)s */
		m = IMG_CHARGE_TEXT;
	if (e > m)
		m = e;
	for (uint32_t i = 0; i < img->ups.n; i++) {
		const struct img_ups *u = &img->ups.v[i];
		uint64_t g = u->group < img->groups.n ? img->groups.v[u->group].name.len : 0;
		uint64_t n = g + 1 + u->name.len + 1 + u->host.len + 6;	/* G:ups@host:65535 */
		if (n > m)
			m = n;
	}
	return m;
}

uint64_t *img_tpl_bounds(const struct plan_image *img, const struct img_subst *s)
{
	struct img_subst all;
	uint64_t *b = xcalloc((size_t)img->tpls.n + 1, sizeof(*b));

	if (!s) {
		uint64_t m = img_subst_max(img);
		for (uint32_t k = 0; k <= TPL_VAR; k++)
			all.len[k] = m > IMG_VAR_TEXT ? m : IMG_VAR_TEXT;
		s = &all;
	}
	for (uint32_t t = 0; t < img->tpls.n; t++) {
		const struct img_tpl *tp = &img->tpls.v[t];
		b[t] = 1;	/* its NUL */
		for (uint32_t i = 0; i < tp->count; i++) {
			const struct img_part *p = &img->parts.v[tp->first + i];
			b[t] += p->kind == TPL_LIT ? p->text.len : p->kind <= TPL_VAR ? s->len[p->kind] : 0;	/* an unverified image may hold any kind */
		}
	}
	return b;
}

void img_op_cost(const struct plan_image *img, uint32_t pc, const uint64_t *tb, struct img_cost *c)
{
	uint32_t op = img->code.v[pc];
	const struct op_info *oi = op_info(op);

	uint64_t text = 0;

	if (!oi->action)	/* control flow and conditions: no effect */
		return;
	c->actions++;
	for (uint32_t k = 0; k < oi->nops; k++)
		if (oi->kinds[k] == OPK_TPL)
			text += tb[img->code.v[pc + 1 + k]];
	c->text += text;
	c->room += text;
	if (op == OP_SHUTDOWNCMD) {	/* its words, or a fault instead (one template) */
		c->text += text;
		c->room += text + IMG_FAULT_TEXT;
		c->argv += text / 2 + 2;
	}
}

void img_cost_add(struct img_cost *sum, const struct img_cost *c)
{
	sum->actions += c->actions;
	sum->text += c->text;
	sum->room += c->room;
	sum->argv += c->argv;
}

void img_cost_max(struct img_cost *most, const struct img_cost *c)
{
	most->actions = c->actions > most->actions ? c->actions : most->actions;
	most->text = c->text > most->text ? c->text : most->text;
	most->room = c->room > most->room ? c->room : most->room;
	most->argv = c->argv > most->argv ? c->argv : most->argv;
}

static int img_cmp_tentry(const void *a, const void *b, void *arg)
{
	const struct plan_image *img = arg;
	uint32_t x = img->tentries.v[*(const uint32_t *)a].pc;
	uint32_t y = img->tentries.v[*(const uint32_t *)b].pc;

	return (x > y) - (x < y);
}

uint32_t *img_tentries_by_pc(const struct plan_image *img)
{
	uint32_t *o = xcalloc((size_t)img->tentries.n + 1, sizeof(*o));

	for (uint32_t i = 0; i < img->tentries.n; i++)
		o[i] = i;
	qsort_r(o, img->tentries.n, sizeof(*o), img_cmp_tentry, (void *)img);
	return o;
}

const char *img_cost_excess(const struct img_cost *c, char *buf, size_t len)
{
	if (c->actions > IMG_MAX_RUN_ACTIONS)
		snprintf(buf, len, "%" PRIu64 " actions, more than %u", c->actions, IMG_MAX_RUN_ACTIONS);
	else if (c->text > IMG_MAX_RUN_TEXT)
		snprintf(buf, len, "up to %" PRIu64 " bytes of text, more than %u", c->text, IMG_MAX_RUN_TEXT);
	else
		return NULL;
	return buf;
}
