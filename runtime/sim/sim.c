/* SPDX-License-Identifier: GPL-2.0-or-later */
/* sim.c - the simulator's core: the scenario's steps applied on a virtual clock, the UPS polled, the engine run and traced. */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/xalloc.h"
#include "engine/engine.h"
#include "runtime/common/exit-codes.h"
#include "runtime/common/sim-trace.h"
#include "runtime/sim/scenario.h"
#include "runtime/sim/sim.h"

/* A NUT variable of a simulated UPS. */
struct sim_var {
	char *name, *value;
};

struct sim_ups {
	struct sim_var *vars;
	size_t nvars, vcap;
	int lost, fsd;
};

struct sim {
	const struct plan_image *img;
	struct scenario *sc;
	struct engine eng;
	struct sim_ups *ups;
	uint8_t *upsd_down;
	struct sim_trace tr;
	char status[ST_STATUS_MAX + 8];
	int keep_going;		/* go on after a SHUTDOWNCMD */
	int shut_down;		/* a SHUTDOWNCMD ran */
	uint64_t work;		/* UPS polls and clock steps so far (SIM_MAX_WORK) */
	int too_long;		/* stopped at SIM_MAX_WORK */
};

static const char *sim_var(const struct sim_ups *u, const char *name)
{
	for (size_t i = 0; i < u->nvars; i++)
		if (strcmp(u->vars[i].name, name) == 0)
			return u->vars[i].value;
	return NULL;
}

static void sim_set(struct sim_ups *u, const char *name, const char *value)
{
	for (size_t i = 0; i < u->nvars; i++)
		if (strcmp(u->vars[i].name, name) == 0) {
			free(u->vars[i].value);
			u->vars[i].value = xstrdup(value);
			return;
		}
	u->vars = xgrow(u->vars, &u->vcap, u->nvars + 1, sizeof(*u->vars));
	u->vars[u->nvars].name = xstrdup(name);
	u->vars[u->nvars].value = xstrdup(value);
	u->nvars++;
}

static void sim_apply(struct sim *s, const struct scn_step *st)
{
	switch (st->kind) {
	case SCN_SET:
		sim_set(&s->ups[st->target], st->var, st->value);
		break;
	case SCN_LOSE:
	case SCN_RESTORE:
		s->ups[st->target].lost = st->kind == SCN_LOSE;
		break;
	case SCN_LOSE_UPSD:
	case SCN_RESTORE_UPSD:
		s->upsd_down[st->target] = st->kind == SCN_LOSE_UPSD;
		break;
	case SCN_RESTART_UPSD:
		/* upsd forgets a latched FSD when it restarts */
		for (uint32_t i = 0; i < s->img->ups.n; i++)
			if (s->sc->ups_upsd[i] == st->target)
				s->ups[i].fsd = 0;
		break;
	case SCN_FSD:
		/* upsplan fsd: the built-in timer fsd expires now (the timers of this instant run after the lines) */
		eng_fsd(&s->eng, st->time);
		break;
	case SCN_ALERT:
		/* an alert no WHEN ALERT rule names: the daemon ignores it too (logged at debug) */
		if (eng_alert(&s->eng, st->var, strlen(st->var), (int)st->target, st->time) == ENG_ALERT_UNKNOWN) {
			char msg[200];
			snprintf(msg, sizeof(msg), "alert %.100s %s: no WHEN ALERT rule of the plan names it, ignored",
				 st->var, st->target ? "firing" : "resolved");
			sim_trace_note(&s->tr, st->time, msg);
		}
		break;
	case SCN_END:
		break;
	}
}

/*
 * The variables UPS U's conditions read, as the scenario set them (the
 * defaults of ups.status and battery.charge included; upsd has none of
 * the others until a set line gives it): before the poll's events run.
 */
static void sim_vars(struct sim *s, uint32_t u)
{
	const struct sim_ups *su = &s->ups[u];
	uint32_t n;
	const struct img_uvar *uv = eng_ups_vars(&s->eng, u, &n);

	for (uint32_t k = 0; k < n; k++) {
		struct img_str name = s->img->vars.v[uv[k].var];
		const char *nm = img_bytes(s->img, name);
		const char *v = sim_var(su, nm);
		if (strcmp(nm, "ups.status") == 0)
			v = s->status;
		else if (!v && strcmp(nm, "battery.charge") == 0)
			v = "100";
		eng_set_var(&s->eng, u, uv[k].var, v);
	}
}

/* What upsd answers for UPS U now. */
static void sim_poll_one(struct sim *s, uint32_t u, double now)
{
	const struct sim_ups *su = &s->ups[u];
	struct st_poll p = { 0, NULL, NULL, NULL, 0 };

	if (!su->lost && !s->upsd_down[s->sc->ups_upsd[u]]) {
		const char *status = sim_var(su, "ups.status");
		p.answered = 1;
		snprintf(s->status, sizeof(s->status), "%s%s", su->fsd ? "FSD " : "", status ? status : "OL");
		p.status = s->status;
		p.charge = sim_var(su, "battery.charge");
		if (!p.charge)
			p.charge = "100";
		sim_vars(s, u);
	}
	eng_poll(&s->eng, u, &p, now);
}

/* The engine's trace: print it; SETFSD latches FSD on the simulated UPS as upsd would. */
static void sim_on_trace(void *ctx, const struct eng_trace *t)
{
	struct sim *s = ctx;

	sim_trace_line(&s->tr, t);
	if (t->kind == ENG_EFFECT && t->effect->kind == OP_SETFSD)
		s->ups[t->effect->target].fsd = 1;
	if (t->kind == ENG_EFFECT && t->effect->kind == OP_SHUTDOWNCMD)
		s->shut_down = 1;
}

#define SIM_IDLE_LIMIT (7 * 86400.0)	/* without an end: give up this long after the last line */
/*
 * The most work a simulation does, in UPS polls and clock steps: 100
 * million (10,000 UPS polled every second for 2.8 hours, 25 times the
 * benchmark's 10,000-UPS outage; at most about 10 s of CPU).  A scenario
 * asking for more (POLLFREQ 0.001 over a million seconds: days) is
 * stopped with a message.
 */
#define SIM_MAX_WORK 100000000ull
/* What --expect keeps of the trace: the size of the file compared with, and some. */
#define SIM_CAPTURE(expect_size) ((expect_size) + (64u << 10))

static void sim_run(struct sim *s, double until, int has_until)
{
	const struct scenario *sc = s->sc;
	double now = 0, next_poll = 0, end = INFINITY, last = sc->n ? sc->steps[sc->n - 1].time : 0;
	size_t i = 0;
	int polled_after_last = 0;

	if (sc->has_end)
		end = sc->end;
	if (has_until && until < end)
		end = until;
	eng_start(&s->eng, 0);
	for (;;) {
		double next = next_poll, dl;
		int timers = eng_next_deadline(&s->eng, &dl);

		if (i < sc->n && sc->steps[i].time < next)
			next = sc->steps[i].time;
		if (timers && dl < next)
			next = dl;
		if (!sc->has_end && !has_until && i == sc->n && !timers && polled_after_last)
			break;	/* nothing pending */
		if (next > end)
			break;
		if (!sc->has_end && !has_until && next > last + SIM_IDLE_LIMIT) {
			sim_trace_note(&s->tr, next, "timers still run 7 days after the last scenario line: "
				       "the simulation stops here (add an 'end' line or --until)");
			break;
		}
		s->work += 1 + (next_poll <= next ? s->img->ups.n : 0);
		if (s->work > SIM_MAX_WORK) {
			sim_trace_note(&s->tr, now, "the simulation stops here: 100 million UPS polls and clock steps");
			sim_trace_end(&s->tr, now);
			fprintf(stderr, "upsplan simulate: error: the simulation stopped at %.3f s of virtual time: "
				"100,000,000 UPS polls and clock steps (%u UPS, polled every %g s now) are the most a "
				"simulation does: end the scenario sooner (an 'end' line or --until) or poll less often\n",
				now, s->img->ups.n, eng_poll_interval(&s->eng));
			s->too_long = 1;
			return;
		}
		now = next;
		while (i < sc->n && sc->steps[i].time <= now)
			sim_apply(s, &sc->steps[i++]);
		eng_expire(&s->eng, now);
		if (next_poll <= now) {
			for (uint32_t u = 0; u < s->img->ups.n; u++)
				sim_poll_one(s, u, now);
			next_poll = now + eng_poll_interval(&s->eng);
			if (now >= last)
				polled_after_last = 1;
		}
		if (s->shut_down && !s->keep_going) {
			sim_trace_note(&s->tr, now, "this host shuts down here: the simulation ends (--keep-going goes on)");
			sim_trace_end(&s->tr, now);
			return;
		}
	}
	sim_trace_end(&s->tr, sc->has_end && (!has_until || sc->end <= until) ? sc->end : has_until ? until : now);
}

int sim_simulate(const struct plan_image *img, struct scenario *sc, const struct sim_opts *o, FILE *out)
{
	struct sim s;
	struct eng_host h;
	int rc;

	memset(&s, 0, sizeof(s));
	s.img = img;
	s.sc = sc;
	s.ups = xcalloc(img->ups.n + 1, sizeof(*s.ups));
	s.upsd_down = xcalloc(sc->nupsd + 1, 1);
	s.keep_going = o->keep_going;
	h.ctx = &s;
	h.trace = sim_on_trace;
	eng_init(&s.eng, img, &h, o->hostname, o->banner);
	if (sim_trace_open(&s.tr, img, s.eng.vm, o->json, o->expect ? SIM_CAPTURE(o->expect_size) : 0, out) != 0) {
		fprintf(stderr, "upsplan simulate: out of memory\n");
		rc = EXIT_USAGE;
	} else {
		sim_run(&s, o->until, o->has_until);
		rc = sim_trace_close(&s.tr, o->expect);
		if (s.too_long && rc == EXIT_CLEAN)
			rc = EXIT_ERRORS;
	}
	eng_free(&s.eng);
	for (uint32_t u = 0; u < img->ups.n; u++) {
		for (size_t k = 0; k < s.ups[u].nvars; k++) {
			free(s.ups[u].vars[k].name);
			free(s.ups[u].vars[k].value);
		}
		free(s.ups[u].vars);
	}
	free(s.ups);
	free(s.upsd_down);
	return rc;
}
