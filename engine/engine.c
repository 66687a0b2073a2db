/* engine.c - glue of state, events, timers and VM: what the daemon and the simulator call. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "engine/engine.h"
#include "engine/events.h"
#include "grammar/ast.h"
#include "engine/symtab.h"
#include "grammar/xalloc.h"

static const char *eng_getvar(void *ctx, uint32_t ups, const char *name)
{
	struct engine *e = ctx;

	return st_getvar(&e->state, ups, name);
}

void eng_init(struct engine *e, const struct plan_image *img, const struct eng_host *host,
	      const char *hostname, const char *banner)
{
	struct vm_host vh = { e, eng_getvar };

	memset(e, 0, sizeof(*e));
	e->img = img;
	e->host = *host;
	st_init(&e->state, img);
	tmr_init(&e->timers, img->timers.n);
	e->vm = vm_new(img, &vh, e->state.tables, &e->timers, hostname, banner);
	e->alerting = xcalloc(img->ups.n + 1, 1);
	e->start_timer = IMG_NONE;
	for (uint32_t t = 0; t < img->timers.n; t++)
		if (img->timers.v[t].len == 5 && memcmp(img_bytes(img, img->timers.v[t]), "start", 5) == 0)
			e->start_timer = t;
}

void eng_free(struct engine *e)
{
	vm_free(e->vm);
	tmr_free(&e->timers);
	st_free(&e->state);
	free(e->alerting);
	memset(e, 0, sizeof(*e));
}

void eng_start(struct engine *e, double now)
{
	if (e->start_timer != IMG_NONE)
		tmr_start(&e->timers, e->start_timer, now + 1);
}

static void eng_effects(struct engine *e, uint32_t n, double time)
{
	const struct vm_effect *fx = vm_effects(e->vm);

	for (uint32_t i = 0; i < n; i++) {
		struct eng_trace t = { ENG_EFFECT, time, fx[i].ups, 0, 0, &fx[i] };
		e->host.trace(e->host.ctx, &t);
	}
}

void eng_poll(struct engine *e, uint32_t u, const struct st_poll *p, double now)
{
	uint8_t events[ST_MAX_EVENTS];
	uint32_t n = st_poll(&e->state, u, p, events);
	uint32_t tables = e->state.tables[u];
	/* table bits: OB is 19, LB is 7 (engine/events.c order) */
	int alert = (tables >> 19 & 1) || (tables >> 7 & 1);

	if (alert != e->alerting[u]) {
		e->alerting[u] = (uint8_t)alert;
		e->alert += alert ? 1 : (uint32_t)-1;
	}
	for (uint32_t i = 0; i < n; i++) {
		struct eng_trace t = { ENG_EVENT, now, u, events[i], 0, NULL };
		struct vm_event ev = { u, events[i], IMG_NONE, now };
		e->host.trace(e->host.ctx, &t);
		eng_effects(e, vm_run_event(e->vm, &ev), now);
	}
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
		struct eng_trace tr = { ENG_EXPIRY, when, 0, 0, t, NULL };
		e->host.trace(e->host.ctx, &tr);
		eng_effects(e, vm_run_timeout(e->vm, t, when), when);
	}
}

double eng_poll_interval(const struct engine *e)
{
	return e->alert ? e->img->settings.pollfreqalert : e->img->settings.pollfreq;
}

static char *eng_ups_key(const struct plan_image *img, uint32_t u)
{
	const struct img_ups *a = &img->ups.v[u];
	struct img_str g = img->groups.v[a->group].name;
	char *k = xcalloc((size_t)g.len + a->name.len + 2, 1);

	memcpy(k, img_bytes(img, g), g.len);
	k[g.len] = '\n';
	memcpy(k + g.len + 1, img_bytes(img, a->name), a->name.len);
	return k;
}

void eng_adopt(struct engine *to, const struct engine *from)
{
	const struct plan_image *ni = to->img, *oi = from->img;
	uint32_t *map = xcalloc((size_t)ni->ups.n + 1, sizeof(uint32_t));

	/* a UPS is the same when its group and name are: "group\nname" keys */
	struct symtab old;
	char **keys = xcalloc((size_t)oi->ups.n + 1, sizeof(char *));
	symtab_init(&old);
	for (uint32_t v = 0; v < oi->ups.n; v++) {
		keys[v] = eng_ups_key(oi, v);
		symtab_put(&old, keys[v], strlen(keys[v]), v);
	}
	for (uint32_t u = 0; u < ni->ups.n; u++) {
		char *k = eng_ups_key(ni, u);
		int64_t v = symtab_get(&old, k, strlen(k));
		map[u] = v < 0 ? IMG_NONE : (uint32_t)v;
		free(k);
	}
	symtab_free(&old);
	for (uint32_t v = 0; v < oi->ups.n; v++)
		free(keys[v]);
	free(keys);
	st_adopt(&to->state, &from->state, map);
	to->alert = 0;
	for (uint32_t u = 0; u < ni->ups.n; u++) {
		to->alerting[u] = map[u] != IMG_NONE ? from->alerting[map[u]] : 0;
		to->alert += to->alerting[u];
	}
	free(map);
	/* running timers whose names still exist keep their deadlines */
	for (uint32_t t = 0; t < oi->timers.n; t++) {
		double deadline;
		if (!tmr_running(&from->timers, t))
			continue;
		deadline = from->timers.deadline[t];
		for (uint32_t k = 0; k < ni->timers.n; k++)
			if (ni->timers.v[k].len == oi->timers.v[t].len &&
			    memcmp(img_bytes(ni, ni->timers.v[k]), img_bytes(oi, oi->timers.v[t]), oi->timers.v[t].len) == 0) {
				tmr_start(&to->timers, k, deadline);
				break;
			}
	}
}

/* Is PAIR an event of the LB1, LB2 or LB3 table? */
static int eng_lb_pair(uint32_t pair)
{
	static const int words[3] = { AST_ST_LB1, AST_ST_LB2, AST_ST_LB3 };

	for (int i = 0; i < 3; i++)
		if (ev_pair_table(pair) == ev_pair_table((unsigned)ev_pair_index(AST_ST_NONE, words[i])))
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
