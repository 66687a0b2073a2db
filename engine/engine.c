/* SPDX-License-Identifier: GPL-2.0-or-later */
/* engine.c - glue of state, events, timers and VM: what the daemon and the simulator call; snapshots of the decision state. */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/engine.h"
#include "engine/events.h"
#include "grammar/status.h"
#include "engine/symtab.h"
#include "base/xalloc.h"

static const char *eng_getvar(void *ctx, uint32_t ups, const char *name)
{
	struct engine *e = ctx;

	return st_getvar(&e->state, ups, name);
}

static const struct vm_value *eng_value(void *ctx, uint32_t ups, uint32_t var)
{
	struct engine *e = ctx;
	const struct st_var *sv = st_var(&e->state, ups, var);

	return sv && sv->v.text ? &sv->v : NULL;
}

/* A condition or a %(var:NAME)s read an unknown variable: say so once, until it has a value again. */
static void eng_unknown(void *ctx, uint32_t ups, uint32_t var)
{
	struct engine *e = ctx;
	struct st_var *sv = st_var(&e->state, ups, var);
	struct eng_trace t = { ENG_UNKNOWN_VAR, e->now, ups, 0, 0, NULL, var };

	if (sv && sv->told)
		return;
	if (sv)
		sv->told = 1;
	e->host.trace(e->host.ctx, &t);
}

void eng_set_var(struct engine *e, uint32_t u, uint32_t var, const char *value)
{
	if (u < e->img->ups.n && st_set_var(&e->state, u, var, value))
		e->state.changes++;
}

int eng_set_var_name(struct engine *e, uint32_t u, const char *name, const char *value)
{
	const struct plan_image *img = e->img;
	size_t len = strlen(name);

	for (uint32_t v = 0; v < img->vars.n; v++)
		if (img->vars.v[v].len == len && memcmp(img_bytes(img, img->vars.v[v]), name, len) == 0) {
			eng_set_var(e, u, v, value);
			return 0;
		}
	return -1;
}

const struct img_uvar *eng_ups_vars(const struct engine *e, uint32_t u, uint32_t *n)
{
	if (u >= e->img->ups.n) {
		*n = 0;
		return NULL;
	}
	*n = e->state.var_first[u + 1] - e->state.var_first[u];
	return e->img->uvars.v + e->state.var_first[u];
}

/* Each UPS's level rules, in file order (a counting sort by UPS). */
static void eng_level_index(struct engine *e)
{
	const struct plan_image *img = e->img;
	uint32_t *fill;

	e->level_state = xcalloc(img->levels.n + 1, 1);
	e->level_first = xcalloc((size_t)img->ups.n + 2, sizeof(uint32_t));
	e->level_rules = xcalloc(img->levels.n + 1, sizeof(uint32_t));
	for (uint32_t l = 0; l < img->levels.n; l++)
		e->level_first[img->levels.v[l].ups + 1]++;
	for (uint32_t u = 0; u < img->ups.n; u++)
		e->level_first[u + 1] += e->level_first[u];
	fill = xcalloc((size_t)img->ups.n + 1, sizeof(uint32_t));
	for (uint32_t l = 0; l < img->levels.n; l++) {
		uint32_t u = img->levels.v[l].ups;
		e->level_rules[e->level_first[u] + fill[u]++] = l;
	}
	free(fill);
}

void eng_init(struct engine *e, const struct plan_image *img, const struct eng_host *host,
	      const char *hostname, const char *banner)
{
	struct vm_host vh = { e, eng_getvar, eng_value, eng_unknown };

	memset(e, 0, sizeof(*e));
	e->img = img;
	e->host = *host;
	st_init(&e->state, img);
	tmr_init(&e->timers, img->timers.n + img->levels.n);
	e->vm = vm_new(img, &vh, e->state.tables, &e->timers, hostname, banner);
	e->alerting = xcalloc(img->ups.n + 1, 1);
	e->alert_firing = xcalloc(img->arules.n + 1, 1);
	eng_level_index(e);
	e->start_timer = e->fsd_timer = IMG_NONE;
	for (uint32_t t = 0; t < img->timers.n; t++)
		if (img->timers.v[t].len == 5 && memcmp(img_bytes(img, img->timers.v[t]), "start", 5) == 0)
			e->start_timer = t;
		else if (img->timers.v[t].len == 3 && memcmp(img_bytes(img, img->timers.v[t]), "fsd", 3) == 0)
			e->fsd_timer = t;
}

void eng_free(struct engine *e)
{
	vm_free(e->vm);
	tmr_free(&e->timers);
	st_free(&e->state);
	free(e->alerting);
	free(e->alert_firing);
	free(e->level_state);
	free(e->level_first);
	free(e->level_rules);
	memset(e, 0, sizeof(*e));
}

void eng_start(struct engine *e, double now)
{
	if (e->start_timer != IMG_NONE)
		tmr_start(&e->timers, e->start_timer, now + 1);
}

int eng_fsd(struct engine *e, double now)
{
	if (e->fsd_timer == IMG_NONE)
		return -1;
	tmr_start(&e->timers, e->fsd_timer, now);
	return 0;
}

static void eng_effects(struct engine *e, uint32_t n, double time)
{
	const struct vm_effect *fx = vm_effects(e->vm);

	for (uint32_t i = 0; i < n; i++) {
		struct eng_trace t = { ENG_EFFECT, time, fx[i].ups, 0, 0, &fx[i], 0 };
		if ((fx[i].kind == OP_MARK || fx[i].kind == OP_UNMARK) && fx[i].changed)
			e->mark_changes++;
		e->host.trace(e->host.ctx, &t);
	}
}

/* Is a UPS with TABLES on battery or low battery (POLLFREQALERT)? */
static int eng_alert_tables(uint32_t tables)
{
	return (tables >> SW_T_OB & 1) || (tables >> SW_T_LB & 1);
}

static void eng_levels(struct engine *e, uint32_t u, double now);

void eng_poll(struct engine *e, uint32_t u, const struct st_poll *p, double now)
{
	uint8_t events[ST_MAX_EVENTS];
	uint32_t n;

	if (p->answered && p->vars) {	/* before the events: their handlers read them */
		uint32_t nv;
		const struct img_uvar *uv = eng_ups_vars(e, u, &nv);
		for (uint32_t k = 0; k < nv && k < p->nvars; k++)
			eng_set_var(e, u, uv[k].var, p->vars[k]);
	}
	n = st_poll(&e->state, u, p, events);
	int alert = eng_alert_tables(e->state.tables[u]);

	if (alert != e->alerting[u]) {
		e->alerting[u] = (uint8_t)alert;
		e->alert += alert ? 1 : (uint32_t)-1;
	}
	e->now = now;
	for (uint32_t i = 0; i < n; i++) {
		struct eng_trace t = { ENG_EVENT, now, u, events[i], 0, NULL, 0 };
		struct vm_event ev = { u, events[i], IMG_NONE, now };
		e->host.trace(e->host.ctx, &t);
		eng_effects(e, vm_run_event(e->vm, &ev), now);
	}
	if (e->level_first[u] < e->level_first[u + 1])
		eng_levels(e, u, now);
}

/* Level rule L fires at TIME: its BECOMES actions, or its CEASES actions when OFF. */
static void eng_level_fire(struct engine *e, uint32_t l, int off, double time)
{
	struct eng_trace t = { ENG_LEVEL, time, e->img->levels.v[l].ups, VM_LEVEL_PAIR(l, off), 0, NULL, 0 };

	e->now = time;
	e->host.trace(e->host.ctx, &t);
	eng_effects(e, vm_run_level(e->vm, l, off, time), time);
}

/* Test the level rules of UPS U at NOW (after its poll). */
static void eng_levels(struct engine *e, uint32_t u, double now)
{
	const struct plan_image *img = e->img;

	for (uint32_t k = e->level_first[u]; k < e->level_first[u + 1]; k++) {
		uint32_t l = e->level_rules[k];
		uint8_t *st = &e->level_state[l];
		double hold = img->consts.v[img->levels.v[l].hold];
		int v = vm_level_test(e->vm, l);

		switch (*st) {
		case ENG_LEVEL_FALSE:
		case ENG_LEVEL_FIRED:
			if (v == (*st == ENG_LEVEL_FIRED))
				break;		/* steady */
			if (hold > 0) {
				*st = v ? ENG_LEVEL_HOLDING : ENG_LEVEL_RELEASING;
				tmr_start(&e->timers, img->timers.n + l, now + hold);
			} else {
				*st = v ? ENG_LEVEL_FIRED : ENG_LEVEL_FALSE;
				eng_level_fire(e, l, !v, now);
			}
			break;
		case ENG_LEVEL_HOLDING:
		case ENG_LEVEL_RELEASING:
			if (v == (*st == ENG_LEVEL_HOLDING))
				break;		/* still on its way */
			*st = v ? ENG_LEVEL_FIRED : ENG_LEVEL_FALSE;	/* back before the hold was over */
			tmr_cancel(&e->timers, img->timers.n + l);
			break;
		}
	}
}

/* The alert rule of NAME (LEN bytes) in IMG, or IMG_NONE. */
static uint32_t eng_arule(const struct plan_image *img, const char *name, size_t len)
{
	for (uint32_t r = 0; r < img->arules.n; r++) {
		struct img_str n = img->cstrs.v[img->arules.v[r].name];
		if (n.len == len && memcmp(img_bytes(img, n), name, len) == 0)
			return r;
	}
	return IMG_NONE;
}

int eng_alert(struct engine *e, const char *name, size_t len, int firing, double now)
{
	uint32_t r = eng_arule(e->img, name, len);
	struct eng_trace t = { ENG_ALERT, now, IMG_NONE, 0, 0, NULL, 0 };

	if (r == IMG_NONE)
		return ENG_ALERT_UNKNOWN;
	firing = !!firing;
	if (e->alert_firing[r] == firing)
		return ENG_ALERT_SAME;
	e->alert_firing[r] = (uint8_t)firing;
	t.pair = VM_ALERT_PAIR(r, firing);
	e->now = now;
	e->host.trace(e->host.ctx, &t);
	eng_effects(e, vm_run_alert(e->vm, r, firing, now), now);
	return ENG_ALERT_RAN;
}

int eng_next_deadline(const struct engine *e, double *deadline)
{
	uint32_t t;

	return tmr_next(&e->timers, &t, deadline);
}

void eng_expire(struct engine *e, double now)
{
	uint32_t t;
	double when;

	while (tmr_pop_due(&e->timers, now, &t, &when)) {
		if (t >= e->img->timers.n) {	/* a level rule's hold is over: it fires */
			uint32_t l = t - e->img->timers.n;
			if (e->level_state[l] == ENG_LEVEL_HOLDING || e->level_state[l] == ENG_LEVEL_RELEASING) {
				int off = e->level_state[l] == ENG_LEVEL_RELEASING;
				e->level_state[l] = off ? ENG_LEVEL_FALSE : ENG_LEVEL_FIRED;
				eng_level_fire(e, l, off, when);
			}
			continue;
		}
		struct eng_trace tr = { ENG_EXPIRY, when, 0, 0, t, NULL, 0 };
		e->now = when;
		e->host.trace(e->host.ctx, &tr);
		eng_effects(e, vm_run_timeout(e->vm, t, when), when);
	}
}

double eng_poll_interval(const struct engine *e)
{
	return e->alert ? e->img->settings.pollfreqalert : e->img->settings.pollfreq;
}

char *eng_ups_key(const char *group, const char *name)
{
	size_t g = strlen(group), n = strlen(name);
	char *k = xcalloc(g + n + 2, 1);

	memcpy(k, group, g);
	k[g] = '\n';
	memcpy(k + g + 1, name, n);
	return k;
}

/*
 * UPS_MAP[u] (for each UPS u of E's plan): the UPS of S with its group and
 * name; TIMER_MAP[v] (for each timer v of S): the timer of E's plan with
 * its name; IMG_NONE when there is none.
 */
static void eng_snap_map(const struct engine *e, const struct eng_snap *s, uint32_t *ups_map, uint32_t *timer_map)
{
	const struct plan_image *img = e->img;
	char **keys = xcalloc((size_t)s->nups + 1, sizeof(char *));
	struct symtab t;

	symtab_init(&t);
	for (uint32_t v = 0; v < s->nups; v++) {
		keys[v] = eng_ups_key(s->ups[v].group, s->ups[v].name);
		if (symtab_get(&t, keys[v], strlen(keys[v])) < 0)
			symtab_put(&t, keys[v], strlen(keys[v]), v);
	}
	for (uint32_t u = 0; u < img->ups.n; u++) {
		const struct img_ups *iu = &img->ups.v[u];
		char *k = eng_ups_key(img_bytes(img, img->groups.v[iu->group].name), img_bytes(img, iu->name));
		int64_t v = symtab_get(&t, k, strlen(k));
		ups_map[u] = v < 0 ? IMG_NONE : (uint32_t)v;
		free(k);
	}
	symtab_free(&t);
	for (uint32_t v = 0; v < s->nups; v++)
		free(keys[v]);
	free(keys);
	symtab_init(&t);
	for (uint32_t k = 0; k < img->timers.n; k++)
		symtab_put(&t, img_bytes(img, img->timers.v[k]), img->timers.v[k].len, k);
	for (uint32_t v = 0; v < s->ntimers; v++) {
		int64_t k = symtab_get(&t, s->timers[v].name, strlen(s->timers[v].name));
		timer_map[v] = k < 0 ? IMG_NONE : (uint32_t)k;
	}
	symtab_free(&t);
}

/* The names of the marks UPS U of E carries into SU. */
static void eng_snap_marks(const struct engine *e, uint32_t u, struct eng_snap_ups *su)
{
	const struct plan_image *img = e->img;
	uint32_t m = vm_marks_const(e->vm)[u];

	su->marks = xcalloc((size_t)img->marks.n + 1, sizeof(char *));
	for (uint32_t k = 0; k < img->marks.n; k++)
		if (m >> k & 1u)
			su->marks[su->nmarks++] = xstrdup(img_bytes(img, img->marks.v[k]));
}

/* The marks named in SU, as a set of E's plan (names it has not: dropped). */
static uint32_t eng_snap_mark_set(const struct engine *e, const struct eng_snap_ups *su)
{
	const struct plan_image *img = e->img;
	uint32_t m = 0;

	for (uint32_t i = 0; i < su->nmarks; i++)
		for (uint32_t k = 0; k < img->marks.n; k++)
			if (strlen(su->marks[i]) == img->marks.v[k].len &&
			    memcmp(su->marks[i], img_bytes(img, img->marks.v[k]), img->marks.v[k].len) == 0)
				m |= 1u << k;
	return m;
}

void eng_snap_take(const struct engine *e, double now, struct eng_snap *s)
{
	const struct plan_image *img = e->img;

	memset(s, 0, sizeof(*s));
	s->nups = img->ups.n;
	s->ups = xcalloc((size_t)s->nups + 1, sizeof(*s->ups));
	for (uint32_t u = 0; u < s->nups; u++) {
		const struct img_ups *iu = &img->ups.v[u];
		s->ups[u].group = xstrdup(img_bytes(img, img->groups.v[iu->group].name));
		s->ups[u].name = xstrdup(img_bytes(img, iu->name));
		st_save(&e->state, u, &s->ups[u].st);
		eng_snap_marks(e, u, &s->ups[u]);
	}
	s->ntimers = img->timers.n;
	s->timers = xcalloc((size_t)s->ntimers + 1, sizeof(*s->timers));
	for (uint32_t t = 0; t < s->ntimers; t++) {
		s->timers[t].name = xstrdup(img_bytes(img, img->timers.v[t]));
		s->timers[t].running = tmr_running(&e->timers, t);
		if (s->timers[t].running)
			s->timers[t].remaining = e->timers.deadline[t] - now;
	}
}

void eng_snap_free(struct eng_snap *s)
{
	for (uint32_t u = 0; s->ups && u < s->nups; u++) {
		free(s->ups[u].group);
		free(s->ups[u].name);
		free(s->ups[u].st.status);
		for (uint32_t k = 0; s->ups[u].marks && k < s->ups[u].nmarks; k++)
			free(s->ups[u].marks[k]);
		free(s->ups[u].marks);
	}
	free(s->ups);
	for (uint32_t t = 0; s->timers && t < s->ntimers; t++)
		free(s->timers[t].name);
	free(s->timers);
	memset(s, 0, sizeof(*s));
}

int eng_snap_same_names(const struct engine *e, const struct eng_snap *s, char *why, size_t len)
{
	const struct plan_image *img = e->img;
	uint32_t *ups_map = xcalloc((size_t)img->ups.n + 1, sizeof(uint32_t));
	uint32_t *timer_map = xcalloc((size_t)s->ntimers + 1, sizeof(uint32_t));
	uint8_t *used = xcalloc((size_t)s->nups + img->timers.n + 1, 1);	/* UPS of S, then timers of the plan */
	int rc = -1;

	eng_snap_map(e, s, ups_map, timer_map);
	for (uint32_t u = 0; u < img->ups.n; u++) {
		const struct img_ups *iu = &img->ups.v[u];
		if (ups_map[u] == IMG_NONE) {
			snprintf(why, len, "UPS %s/%s of this plan is not in it",
				 img_bytes(img, img->groups.v[iu->group].name), img_bytes(img, iu->name));
			goto out;
		}
		used[ups_map[u]] = 1;
	}
	for (uint32_t v = 0; v < s->nups; v++)
		if (!used[v]) {
			snprintf(why, len, "UPS %s/%s is not in this plan", s->ups[v].group, s->ups[v].name);
			goto out;
		}
	for (uint32_t v = 0; v < s->ntimers; v++) {
		if (timer_map[v] == IMG_NONE) {
			snprintf(why, len, "timer %s is not in this plan", s->timers[v].name);
			goto out;
		}
		used[s->nups + timer_map[v]] = 1;
	}
	for (uint32_t k = 0; k < img->timers.n; k++)
		if (!used[s->nups + k]) {
			snprintf(why, len, "timer %s of this plan is not in it", img_bytes(img, img->timers.v[k]));
			goto out;
		}
	rc = 0;
out:
	free(ups_map);
	free(timer_map);
	free(used);
	return rc;
}

uint32_t eng_snap_adopt(struct engine *e, const struct eng_snap *s, double now, uint32_t *ntimers)
{
	const struct plan_image *img = e->img;
	uint32_t *ups_map = xcalloc((size_t)img->ups.n + 1, sizeof(uint32_t));
	uint32_t *timer_map = xcalloc((size_t)s->ntimers + 1, sizeof(uint32_t));
	uint32_t n = 0;

	eng_snap_map(e, s, ups_map, timer_map);
	for (uint32_t u = 0; u < img->ups.n; u++)
		if (ups_map[u] != IMG_NONE) {
			st_restore(&e->state, u, &s->ups[ups_map[u]].st);
			vm_marks(e->vm)[u] = eng_snap_mark_set(e, &s->ups[ups_map[u]]);
			n++;
		}
	st_restored(&e->state);
	e->alert = 0;
	for (uint32_t u = 0; u < img->ups.n; u++) {
		e->alerting[u] = (uint8_t)eng_alert_tables(e->state.tables[u]);
		e->alert += e->alerting[u];
	}
	/* running timers whose names exist keep their deadlines */
	*ntimers = 0;
	for (uint32_t v = 0; v < s->ntimers; v++)
		if (s->timers[v].running && timer_map[v] != IMG_NONE && isfinite(s->timers[v].remaining)) {
			tmr_start(&e->timers, timer_map[v], now + s->timers[v].remaining);
			(*ntimers)++;
		}
	free(ups_map);
	free(timer_map);
	return n;
}

void eng_adopt(struct engine *to, const struct engine *from)
{
	struct eng_snap s;
	uint32_t ntimers;

	/* at time 0: the deadlines cross exactly (the two engines share the host's clock) */
	eng_snap_take(from, 0, &s);
	eng_snap_adopt(to, &s, 0, &ntimers);
	eng_snap_free(&s);
	for (uint32_t r = 0; r < from->img->arules.n; r++) {	/* the alerts that fire, by name */
		struct img_str n = from->img->cstrs.v[from->img->arules.v[r].name];
		uint32_t k = from->alert_firing[r] ? eng_arule(to->img, img_bytes(from->img, n), n.len) : IMG_NONE;
		if (k != IMG_NONE)
			to->alert_firing[k] = 1;
	}
}

uint64_t eng_changes(const struct engine *e)
{
	return e->state.changes + e->timers.changes + e->mark_changes;
}

void eng_note_fsd(struct engine *e, uint32_t u)
{
	st_note_fsd(&e->state, u);
}

/* Is PAIR an event of the LB1, LB2 or LB3 table? */
static int eng_lb_pair(uint32_t pair)
{
	static const int words[3] = { SW_LB1, SW_LB2, SW_LB3 };

	for (int i = 0; i < 3; i++)
		if (ev_pair_table(pair) == ev_pair_table((unsigned)ev_pair_index(SW_NONE, words[i])))
			return 1;
	return 0;
}

int eng_reads_charge(const struct plan_image *img)
{
	for (uint32_t i = 0; i < img->parts.n; i++)
		if (img->parts.v[i].kind == TPL_CHARGE)
			return 1;
	for (uint32_t i = 0; i < img->handlers.n; i++)
		if (img->handlers.v[i] != IMG_NONE && eng_lb_pair(i % EV_NPAIRS))
			return 1;
	for (uint32_t pc = 0; pc < img->code.n;) {
		const struct op_info *oi = op_info(img->code.v[pc]);
		if (!oi)
			return 1;	/* not verified: assume it does */
		for (uint32_t k = 0; k < oi->nops && pc + 1 + k < img->code.n; k++)
			if (oi->kinds[k] == OPK_PAIR && eng_lb_pair(img->code.v[pc + 1 + k]))
				return 1;
		pc += 1 + oi->nops;
	}
	return 0;
}
