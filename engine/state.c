/* SPDX-License-Identifier: GPL-2.0-or-later */
/* state.c - per-UPS status tables and the derivation of REPORTS events from poll results. */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "engine/state.h"
#include "base/xalloc.h"

_Static_assert(SW_T_LB2 == SW_T_LB1 + 1 && SW_T_LB3 == SW_T_LB1 + 2, "LB1..LB3 are three tables in a row");

void st_init(struct st_plan *sp, const struct plan_image *img)
{
	memset(sp, 0, sizeof(*sp));
	sp->img = img;
	sp->ups = xcalloc(img->ups.n + 1, sizeof(*sp->ups));
	sp->tables = xcalloc(img->ups.n + 1, sizeof(*sp->tables));
	sp->group_polled = xcalloc(img->groups.n + 1, 1);
	sp->members = xcalloc(img->ups.n + 1, sizeof(uint32_t));
	sp->group_first = xcalloc(img->groups.n + 2, sizeof(uint32_t));
	sp->group_power = xcalloc(img->groups.n + 1, sizeof(uint64_t));
	for (uint32_t i = 0; i < img->ups.n; i++) {
		sp->ups[i].charge = NAN;
		sp->group_first[img->ups.v[i].group + 2]++;
		sp->group_power[img->ups.v[i].group] += img->ups.v[i].powerval;	/* all on line */
	}
	/* counting sort of the UPS by group, MONITOR order kept inside a group */
	for (uint32_t g = 0; g < img->groups.n; g++)
		sp->group_first[g + 2] += sp->group_first[g + 1];
	for (uint32_t i = 0; i < img->ups.n; i++)
		sp->members[sp->group_first[img->ups.v[i].group + 1]++] = i;
	/* the variables each UPS reads (uvars is sorted by UPS: verified) */
	sp->var_first = xcalloc(img->ups.n + 2, sizeof(uint32_t));
	sp->vars = xcalloc(img->uvars.n + 1, sizeof(*sp->vars));
	for (uint32_t k = 0; k < img->uvars.n; k++)
		sp->var_first[img->uvars.v[k].ups + 1]++;
	for (uint32_t i = 0; i < img->ups.n; i++)
		sp->var_first[i + 1] += sp->var_first[i];
	for (uint32_t k = 0; k < img->uvars.n; k++)
		sp->vars[k].v.num = NAN;
}

struct st_var *st_var(const struct st_plan *sp, uint32_t u, uint32_t var)
{
	const struct img_uvar *uv = sp->img->uvars.v;

	for (uint32_t k = sp->var_first[u]; k < sp->var_first[u + 1]; k++)	/* a few: the plan's own */
		if (uv[k].var == var)
			return &sp->vars[k];
	return NULL;
}

int st_set_var(struct st_plan *sp, uint32_t u, uint32_t var, const char *value)
{
	struct st_var *sv = st_var(sp, u, var);
	size_t len;
	char *end;

	if (!sv)
		return 0;
	if (!value) {
		if (!sv->v.text)
			return 0;
		sv->v.text = NULL;	/* the buffer stays for the next value */
		sv->v.num = NAN;
		return 1;
	}
	len = strnlen(value, ST_VAR_MAX - 1);
	if (sv->v.text && sv->v.len == len && memcmp(sv->v.text, value, len) == 0)
		return 0;
	if (len + 1 > sv->cap) {
		sv->cap = len + 1 > 32 ? len + 1 : 32;
		sv->buf = xrealloc(sv->buf, sv->cap);
	}
	memcpy(sv->buf, value, len);
	sv->buf[len] = '\0';
	sv->v.text = sv->buf;
	sv->v.len = len;
	sv->told = 0;
	/* a number as upsd writes one ("300", "12.5", " 80"), blanks around it allowed */
	sv->v.num = strtod(sv->buf, &end);
	while (*end == ' ')
		end++;
	if (end == sv->buf || *end || !isfinite(sv->v.num))
		sv->v.num = NAN;
	return 1;
}

void st_free(struct st_plan *sp)
{
	for (uint32_t i = 0; sp->ups && i < sp->img->ups.n; i++)
		free(sp->ups[i].status);
	free(sp->ups);
	free(sp->tables);
	free(sp->group_polled);
	free(sp->members);
	free(sp->group_first);
	free(sp->group_power);
	for (uint32_t k = 0; sp->vars && k < sp->img->uvars.n; k++)
		free(sp->vars[k].buf);
	free(sp->vars);
	free(sp->var_first);
	memset(sp, 0, sizeof(*sp));
}

/* The word of ups.status spelled by the LEN bytes at W (any case; LB1..LB3, LS, COMM, NOCOMM are the engine's own), or -1. */
static int st_upsd_word(const char *w, size_t len)
{
	for (int k = 0; k < SW_COUNT; k++) {
		if (sw_words[k].source != SW_SRC_UPSD || strlen(sw_words[k].text) != len)
			continue;
		if (strncasecmp(w, sw_words[k].text, len) == 0)
			return k;
	}
	return -1;
}

/* Set or clear table K of U; emit the pair when it changes. */
static void st_set(struct st_plan *sp, uint32_t u, unsigned k, int on, uint8_t *out, uint32_t *n)
{
	uint32_t bit = 1u << k;

	if (!!(sp->tables[u] & bit) == !!on)
		return;
	sp->tables[u] ^= bit;
	sp->changes++;
	if (k == SW_T_OB) {	/* the group's supplies not on battery */
		const struct img_ups *iu = &sp->img->ups.v[u];
		if (on)
			sp->group_power[iu->group] -= iu->powerval;
		else
			sp->group_power[iu->group] += iu->powerval;
	}
	out[(*n)++] = (uint8_t)(2 * k + (on ? 0 : 1));
}

static void st_charge(struct st_ups *s, const char *v)
{
	char *end;
	double d;

	s->charge = NAN;
	s->charge_text[0] = '\0';
	if (!v)
		return;
	snprintf(s->charge_text, sizeof(s->charge_text), "%s", v);
	d = strtod(v, &end);
	while (end != v && *end == ' ')
		end++;
	if (end != v && *end == '\0' && isfinite(d) && d >= 0)	/* as %(c)s: a negative charge is unknown */
		s->charge = d;
}

/* Is every UPS of group G answered once?  Then LS can be judged for it. */
static int st_group_ready(struct st_plan *sp, uint32_t g)
{
	if (sp->group_polled[g])
		return 1;
	for (uint32_t m = sp->group_first[g]; m < sp->group_first[g + 1]; m++)
		if (!sp->ups[sp->members[m]].polled)
			return 0;
	sp->group_polled[g] = 1;
	return 1;
}

/* Is STATUS only upsd's "WAIT" (the driver has not sent its data yet)? */
static int st_waiting(const char *status)
{
	status += strspn(status, " \t");
	return strncasecmp(status, "WAIT", 4) == 0 && status[4 + strspn(status + 4, " \t")] == '\0';
}

uint32_t st_poll(struct st_plan *sp, uint32_t u, const struct st_poll *p, uint8_t *out)
{
	const struct plan_image *img = sp->img;
	const struct img_ups *iu = &img->ups.v[u];
	struct st_ups *s = &sp->ups[u];
	uint32_t n = 0, present = 0;

	if (!p->answered) {
		st_set(sp, u, SW_T_NOCOMM, 1, out, &n);
		return n;
	}
	/*
	 * "WAIT" alone: upsd is up but its driver has not sent the first dump
	 * (after a restart of upsd or the driver).  Not an answer about the
	 * UPS: nothing changes, neither the words nor COMM (reference §0.11).
	 */
	if (p->status && st_waiting(p->status))
		return 0;
	/*
	 * The same answer as last time (the common case): the words and levels
	 * cannot change, only LS (it depends on the other UPS of the group).
	 */
	const char *status = p->status ? p->status : "";
	const char *charge = p->charge ? p->charge : "";
	if (s->polled && !(sp->tables[u] & (1u << SW_T_NOCOMM)) && s->status && strcmp(s->status, status) == 0 &&
	    strcmp(s->charge_text, charge) == 0 && strlen(status) < ST_STATUS_MAX &&
	    strlen(charge) < sizeof(s->charge_text)) {
		present = s->present & ~(1u << SW_T_LS);
		goto ls;
	}
	/* 1. status words in upsd's order */
	if (!s->status || strncmp(s->status, status, ST_STATUS_MAX - 1) != 0) {	/* kept until it changes */
		free(s->status);
		s->status = xstrndup(status, strnlen(status, ST_STATUS_MAX - 1));
		sp->changes++;
	}
	for (const char *w = p->status ? p->status : ""; *w;) {
		size_t len;
		int k;

		while (*w == ' ' || *w == '\t')
			w++;
		len = strcspn(w, " \t");
		if (len == 0)
			break;
		if ((k = st_upsd_word(w, len)) >= 0) {
			const struct sw_info *sw = &sw_words[k];

			if (sw->side == SW_SIDE_ONE)
				present |= 1u << sw->table;
			/* OL clears the OL/OB table, OB and a word of its own set theirs */
			st_set(sp, u, (unsigned)sw->table, sw->side != SW_SIDE_FIRST, out, &n);
		}
		/* anything else (ECO, HB, WAIT, vendor words) is kept in s->status only */
		w += len;
	}
	/* 2. the connection is back */
	if (!s->polled) {
		s->polled = 1;
		sp->changes++;
	}
	st_set(sp, u, SW_T_NOCOMM, 0, out, &n);
	/* 3. LB1..LB3 from battery.charge */
	if (strncmp(s->charge_text, charge, sizeof(s->charge_text) - 1) != 0)
		sp->changes++;
	st_charge(s, p->charge);
	for (unsigned i = 0; i < 3; i++) {
		if (!isnan(s->charge) && s->charge <= iu->lb[i]) {
			present |= 1u << (SW_T_LB1 + i);
			st_set(sp, u, SW_T_LB1 + i, 1, out, &n);
		}
	}
ls:;
	/* 4. LS: the group's supplies not on battery are below MINSUPPLIES */
	const struct img_group *g = &img->groups.v[iu->group];
	if (g->minsupplies > 0 && st_group_ready(sp, iu->group)) {
		if (sp->group_power[iu->group] < g->minsupplies) {
			present |= 1u << SW_T_LS;
			st_set(sp, u, SW_T_LS, 1, out, &n);
		}
	}
	/* 5. every word that went away */
	for (unsigned k = 0; k < SW_ONE_TABLES; k++)
		if (!(present & (1u << k)))
			st_set(sp, u, k, 0, out, &n);
	s->present = present;
	return n;
}

const char *st_getvar(const struct st_plan *sp, uint32_t u, const char *name)
{
	const struct st_ups *s = &sp->ups[u];

	if (!s->polled)
		return NULL;
	if (strcmp(name, "battery.charge") == 0)
		return s->charge_text[0] ? s->charge_text : NULL;
	if (strcmp(name, "ups.status") == 0)
		return s->status ? s->status : "";
	return NULL;
}

int st_on_battery(const struct st_plan *sp, uint32_t u)
{
	return !!(sp->tables[u] & (1u << SW_T_OB));
}

int st_power_failing(const struct st_plan *sp, uint32_t u)
{
	return !!(sp->tables[u] & (1u << SW_T_OB | 1u << SW_T_FSD));
}

const char *st_table_name(unsigned k)
{
	return k < SW_TABLES ? sw_words[sw_table_word[k]].text : NULL;
}

void st_save(const struct st_plan *sp, uint32_t u, struct st_saved *out)
{
	const struct st_ups *s = &sp->ups[u];

	memset(out, 0, sizeof(*out));
	out->tables = sp->tables[u];
	out->present = s->present;
	out->polled = s->polled;
	out->fsd = s->fsd;
	out->status = s->status ? xstrdup(s->status) : NULL;
	memcpy(out->charge, s->charge_text, sizeof(out->charge));
}

void st_restore(struct st_plan *sp, uint32_t u, const struct st_saved *in)
{
	struct st_ups *s = &sp->ups[u];
	char charge[ST_CHARGE_MAX];

	sp->tables[u] = in->tables & ((1u << SW_TABLES) - 1);
	s->present = in->present & ((1u << SW_ONE_TABLES) - 1);
	s->polled = !!in->polled;
	s->fsd = !!in->fsd;
	free(s->status);
	s->status = in->status ? xstrndup(in->status, strnlen(in->status, ST_STATUS_MAX - 1)) : NULL;
	memcpy(charge, in->charge, sizeof(charge));
	charge[sizeof(charge) - 1] = '\0';
	st_charge(s, charge[0] ? charge : NULL);	/* the number read again from its text */
	sp->changes++;
}

void st_restored(struct st_plan *sp)
{
	const struct plan_image *img = sp->img;

	for (uint32_t g = 0; g < img->groups.n; g++) {
		sp->group_power[g] = 0;
		sp->group_polled[g] = 0;	/* judged again by st_group_ready() */
	}
	for (uint32_t u = 0; u < img->ups.n; u++)
		if (!(sp->tables[u] & (1u << SW_T_OB)))
			sp->group_power[img->ups.v[u].group] += img->ups.v[u].powerval;
}

void st_note_fsd(struct st_plan *sp, uint32_t u)
{
	if (!sp->ups[u].fsd) {
		sp->ups[u].fsd = 1;
		sp->changes++;
	}
}
