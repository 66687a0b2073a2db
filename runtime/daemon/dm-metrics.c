/* SPDX-License-Identifier: GPL-2.0-or-later */
/* dm-metrics.c - upsplan run --metrics: the daemon's state walked into the Prometheus format (the NUT exporter's names for the UPS, upsplan_* for the daemon), served by the monitoring process from what it already knows. */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>

#include "base/buf.h"
#include "base/xalloc.h"
#include "engine/engine.h"
#include "runtime/daemon/daemon-int.h"
#include "runtime/daemon/dm-metrics.h"
#include "runtime/daemon/log.h"
#include "runtime/daemon/tls.h"
#include "runtime/obs/httpd.h"
#include "runtime/obs/metrics.h"

/* The flags of ups.status always exported, 0 or 1 (the NUT exporter's --nut.statuses). */
static const char *const mx_flags[] = {
	"OL", "OB", "LB", "HB", "RB", "CHRG", "DISCHRG", "BYPASS", "CAL", "OFF", "OVER", "TRIM", "BOOST", "FSD", "SD"
};
#define MX_NFLAGS (sizeof(mx_flags) / sizeof(mx_flags[0]))

/* The effect kinds: opcodes, and a fault of the VM. */
#define MX_NKINDS (VM_FAULT + 1)

static const double mx_bounds[] = DM_MX_BUCKETS;
#define MX_NBOUNDS (sizeof(mx_bounds) / sizeof(mx_bounds[0]))

static const char *const mx_shut_results[] = { "requested", "succeeded", "failed", "refused" };
#define MX_NSHUT (sizeof(mx_shut_results) / sizeof(mx_shut_results[0]))

/* --webhook: what became of an alert, and the statuses its handler answers (runtime/obs/webhook.h) */
static const char *const mx_wh_results[] = { "ran", "same", "unknown", "ignored" };
#define MX_NWH (sizeof(mx_wh_results) / sizeof(mx_wh_results[0]))
static const int mx_wh_codes[] = { 200, 400, 401, 405, 413, 415 };
#define MX_NWH_CODES (sizeof(mx_wh_codes) / sizeof(mx_wh_codes[0]))

/* NUT variable names seen in LIST VAR replies, each a number (families in the order first seen); at most this many. */
#define MX_MAX_NAMES 4096u

/* One numeric variable of one UPS, for a scrape. */
struct mx_val {
	uint32_t name, ups;
	double v;
};

struct dm_metrics {
	struct hs_server *hs;
	struct buf out;			/* the last scrape's text, its memory kept */
	struct mt_writer w;		/* its writer, its memory kept too */
	struct event *list;		/* LIST VAR of every UPS, every --metrics-vars-interval */
	/* the names of NUT variables: a hash table of indexes + 1 into names */
	char **names;
	uint32_t nnames, namecap, *slot, nslot;
	int names_full_told;
	/* a scrape's numeric variables, and the same sorted by name */
	struct mx_val *vals, *sorted;
	size_t nvals, valcap;
	uint32_t *count;		/* per name */
	/* per UPS of the running plan */
	uint32_t nups;
	char **ups;			/* the ups label */
	double *last_ok;		/* dm_now() of its last answered poll, or -1 */
	/* per group of the running plan: its upsd, the poll durations of its UPS */
	uint32_t ngroups;
	char **upsd;			/* host:port, NULL for a group without UPS */
	struct mt_hist *hist;
	/* counters, for the life of the process */
	uint64_t polls, polls_failed;
	uint64_t actions[MX_NKINDS];
	uint64_t shut[MX_NSHUT];
	uint64_t setfsd_ok, setfsd_failed;
	uint64_t wh_alerts[MX_NWH], wh_codes[MX_NWH_CODES];
	uint64_t reload_ok, reload_failed;
	double loaded;			/* wall-clock time the running plan was taken up */
	uint64_t scrapes;
	double scrape_took;		/* seconds the previous scrape took to write */
	/* the ticks: how late each came after the one before and its interval */
	double tick_seen, tick_every;
	struct mt_hist tick_delay;
};

static void mx_plan_free(struct dm_metrics *m)
{
	for (uint32_t u = 0; u < m->nups; u++)
		free(m->ups[u]);
	free(m->ups);
	free(m->last_ok);
	for (uint32_t g = 0; g < m->ngroups; g++) {
		free(m->upsd[g]);
		mt_hist_free(&m->hist[g]);
	}
	free(m->upsd);
	free(m->hist);
	m->ups = m->upsd = NULL;
	m->last_ok = NULL;
	m->hist = NULL;
	m->nups = m->ngroups = 0;
}

void dm_mx_plan(struct daemon *d)
{
	struct dm_metrics *m = d->mx;
	const struct plan_image *img = &d->p->img;

	if (!m)
		return;
	mx_plan_free(m);
	m->nups = img->ups.n;
	m->ups = xcalloc((size_t)m->nups + 1, sizeof(*m->ups));
	m->last_ok = xcalloc((size_t)m->nups + 1, sizeof(*m->last_ok));
	m->ngroups = img->groups.n;
	m->upsd = xcalloc((size_t)m->ngroups + 1, sizeof(*m->upsd));
	m->hist = xcalloc((size_t)m->ngroups + 1, sizeof(*m->hist));
	for (uint32_t g = 0; g < m->ngroups; g++)
		mt_hist_init(&m->hist[g], mx_bounds, MX_NBOUNDS);
	for (uint32_t u = 0; u < m->nups; u++) {
		const struct img_ups *iu = &img->ups.v[u];
		char hp[300];
		m->ups[u] = xstrdup(vm_ups_display(d->p->eng.vm, u));
		m->last_ok[u] = -1;
		if (!m->upsd[iu->group]) {	/* the group's upsd: the one its poll connection reaches */
			snprintf(hp, sizeof(hp), "%s:%u", img_bytes(img, iu->host), iu->port);
			m->upsd[iu->group] = xstrdup(hp);
		}
	}
	m->loaded = (double)time(NULL);
}

void dm_mx_reload(struct daemon *d, int ok)
{
	if (d->mx)
		(*(ok ? &d->mx->reload_ok : &d->mx->reload_failed))++;
}

void dm_mx_poll(struct daemon *d, uint32_t ups, int answered)
{
	struct dm_metrics *m = d->mx;
	double now;

	if (!m || ups >= m->nups)
		return;
	now = dm_now(d);
	m->polls++;
	if (!answered) {
		m->polls_failed++;
		return;
	}
	m->last_ok[ups] = now;
	if (d->tick_at != m->tick_seen) {	/* the first answer of a tick: the tick itself */
		if (m->tick_seen > 0) {
			double late = d->tick_at - (m->tick_seen + m->tick_every);
			mt_hist_observe(&m->tick_delay, late > 0 ? late : 0);
		}
		m->tick_seen = d->tick_at;
		m->tick_every = d->tick_every;
	}
	/* the polls of a tick are all sent at its start: the time since is the poll's */
	if (d->tick_at > 0 && now >= d->tick_at && now - d->tick_at < d->tick_every)
		mt_hist_observe(&m->hist[d->p->img.ups.v[ups].group], now - d->tick_at);
}

void dm_mx_action(struct daemon *d, uint32_t kind)
{
	if (d->mx && kind < MX_NKINDS)
		d->mx->actions[kind]++;
}

void dm_mx_shutdown(struct daemon *d, const char *result)
{
	for (size_t i = 0; d->mx && i < MX_NSHUT; i++)
		if (strcmp(result, mx_shut_results[i]) == 0)
			d->mx->shut[i]++;
}

void dm_mx_setfsd(struct daemon *d, int ok)
{
	if (d->mx)
		(*(ok ? &d->mx->setfsd_ok : &d->mx->setfsd_failed))++;
}

void dm_mx_webhook_alert(struct daemon *d, const char *result)
{
	for (size_t i = 0; d->mx && i < MX_NWH; i++)
		if (strcmp(result, mx_wh_results[i]) == 0)
			d->mx->wh_alerts[i]++;
}

void dm_mx_webhook_request(struct daemon *d, int code)
{
	for (size_t i = 0; d->mx && i < MX_NWH_CODES; i++)
		if (code == mx_wh_codes[i])
			d->mx->wh_codes[i]++;
}

/* 1 when the NUT value S is a number (as the NUT exporter exports it), into *V. */
static int mx_number(const char *s, double *v)
{
	char *end;

	if (!s || !*s)
		return 0;
	*v = strtod(s, &end);
	return *end == '\0' && isfinite(*v);
}

/* 1 when the word FLAG is in the status S. */
static int mx_has_flag(const char *s, const char *flag)
{
	size_t n = strlen(flag);

	for (const char *p = s; p && *p;) {
		const char *e = strchr(p, ' ');
		size_t l = e ? (size_t)(e - p) : strlen(p);
		if (l == n && memcmp(p, flag, n) == 0)
			return 1;
		p = e ? e + 1 : NULL;
	}
	return 0;
}

static uint32_t mx_hash(const char *s)
{
	uint32_t h = 2166136261u;

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 16777619u;
	return h;
}

/* The number of the variable name NAME (taken in when new); UINT32_MAX when the table is full. */
static uint32_t mx_name(struct dm_metrics *m, const char *name)
{
	uint32_t i;

	if (!m->nslot) {
		m->nslot = 2 * MX_MAX_NAMES;
		m->slot = xcalloc(m->nslot, sizeof(*m->slot));
	}
	for (i = mx_hash(name) & (m->nslot - 1); m->slot[i]; i = (i + 1) & (m->nslot - 1))
		if (strcmp(m->names[m->slot[i] - 1], name) == 0)
			return m->slot[i] - 1;
	if (m->nnames >= MX_MAX_NAMES) {
		if (!m->names_full_told)
			log_msg(LOG_WARNING, "--metrics: upsd gave more than %u variable names: the others are left out", MX_MAX_NAMES);
		m->names_full_told = 1;
		return UINT32_MAX;
	}
	if (m->nnames == m->namecap) {
		m->namecap = m->namecap ? 2 * m->namecap : 256;
		m->names = xrealloc(m->names, m->namecap * sizeof(*m->names));
	}
	m->names[m->nnames] = xstrdup(name);
	m->slot[i] = ++m->nnames;
	return m->nnames - 1;
}

/* Variable NAME of UPS U is VAL: kept for this scrape when it is a number. */
static void mx_val(struct dm_metrics *m, uint32_t u, const char *name, const char *val)
{
	double v;
	uint32_t k;

	if (!mx_number(val, &v) || (k = mx_name(m, name)) == UINT32_MAX)
		return;
	if (m->nvals == m->valcap) {
		m->valcap = m->valcap ? 2 * m->valcap : 1024;
		m->vals = xrealloc(m->vals, m->valcap * sizeof(*m->vals));
		m->sorted = xrealloc(m->sorted, m->valcap * sizeof(*m->sorted));
	}
	m->vals[m->nvals++] = (struct mx_val){ k, u, v };
}

/*
 * Every numeric NUT variable of every UPS as the NUT exporter names it
 * (battery.charge: network_ups_tools_battery_charge{ups}): those of its
 * last LIST VAR, or before one came, those upsplan polls (battery.charge
 * and the plan's).  One family per name: the values are sorted by name
 * (counting), the UPS in order within each.
 */
static void mx_nut_vars(struct daemon *d, struct mt_writer *w)
{
	const struct plan_image *img = &d->p->img;
	struct dm_metrics *m = d->mx;
	char name[160], help[200];

	m->nvals = 0;
	for (uint32_t u = 0; u < m->nups; u++) {
		const char *const *names, *const *vals;
		uint32_t n = d->p->conns[u] ? uc_vars(d->p->conns[u], &names, &vals) : 0;
		if (n) {
			for (uint32_t i = 0; i < n; i++)
				mx_val(m, u, names[i], vals[i]);
			continue;
		}
		mx_val(m, u, "battery.charge", st_getvar(&d->p->eng.state, u, "battery.charge"));
		for (uint32_t k = 0; k < img->vars.n; k++) {
			const char *var = img_bytes(img, img->vars.v[k]);
			if (strcmp(var, "battery.charge") != 0)
				mx_val(m, u, var, st_getvar(&d->p->eng.state, u, var));
		}
	}
	m->count = xrealloc(m->count, ((size_t)m->nnames + 1) * sizeof(*m->count));
	memset(m->count, 0, ((size_t)m->nnames + 1) * sizeof(*m->count));
	for (size_t i = 0; i < m->nvals; i++)
		m->count[m->vals[i].name + 1]++;
	for (uint32_t k = 1; k <= m->nnames; k++)
		m->count[k] += m->count[k - 1];
	for (size_t i = 0; i < m->nvals; i++)
		m->sorted[m->count[m->vals[i].name]++] = m->vals[i];
	for (size_t i = 0; i < m->nvals;) {
		uint32_t k = m->sorted[i].name;
		int fam = mt_name_from(name, sizeof(name), "network_ups_tools_", m->names[k]) != NULL;
		if (fam) {
			snprintf(help, sizeof(help), "NUT variable %s", m->names[k]);
			fam = mt_family(w, name, MT_GAUGE, help) == 0;
		}
		for (; i < m->nvals && m->sorted[i].name == k; i++)
			if (fam)
				mt_sample(w, &(struct mt_label){ "ups", m->ups[m->sorted[i].ups] }, 1, m->sorted[i].v);
	}
}

/* The labels of network_ups_tools_device_info: the NUT exporter's, device.KEY each. */
static const char *const mx_info[] = { "model", "mfr", "serial", "type", "description", "contact", "location", "part", "macaddr" };
#define MX_NINFO (sizeof(mx_info) / sizeof(mx_info[0]))

/* Into L[1..]: the device.* variables of UPS U, from its last LIST VAR (one pass), else as polled ("": unknown). */
static void mx_device(struct daemon *d, uint32_t u, struct mt_label *l)
{
	const char *const *names, *const *vals;
	uint32_t n = d->p->conns[u] ? uc_vars(d->p->conns[u], &names, &vals) : 0;
	char var[32];

	for (size_t k = 0; k < MX_NINFO; k++) {
		const char *v = NULL;
		if (!n) {
			snprintf(var, sizeof(var), "device.%s", mx_info[k]);
			v = st_getvar(&d->p->eng.state, u, var);
		}
		l[k + 1] = (struct mt_label){ mx_info[k], v ? v : "" };
	}
	for (uint32_t i = 0; i < n; i++)
		if (strncmp(names[i], "device.", 7) == 0)
			for (size_t k = 0; k < MX_NINFO; k++)
				if (strcmp(names[i] + 7, mx_info[k]) == 0)
					l[k + 1].value = vals[i];
}

static void mx_ups(struct daemon *d, struct mt_writer *w)
{
	struct dm_metrics *m = d->mx;
	double now = dm_now(d);

	mt_family(w, "network_ups_tools_ups_status", MT_GAUGE, "UPS status flag (ups.status), 1 if set");
	for (uint32_t u = 0; u < m->nups; u++) {
		const struct st_ups *s = &d->p->eng.state.ups[u];
		int comm = !((d->p->eng.state.tables[u] >> SW_T_NOCOMM) & 1);
		for (size_t f = 0; f < MX_NFLAGS; f++) {
			struct mt_label l[2] = { { "ups", m->ups[u] }, { "flag", mx_flags[f] } };
			mt_sample(w, l, 2, comm && s->polled && mx_has_flag(s->status, mx_flags[f]));
		}
	}
	mt_family(w, "network_ups_tools_device_info", MT_GAUGE, "UPS device information (device.*), always 1");
	for (uint32_t u = 0; u < m->nups; u++) {
		struct mt_label l[MX_NINFO + 1] = { { "ups", m->ups[u] } };
		mx_device(d, u, l);
		mt_sample(w, l, MX_NINFO + 1, 1);
	}
	mx_nut_vars(d, w);
	mt_family(w, "upsplan_ups_connected", MT_GAUGE, "1 when upsplan is logged in to upsd for this UPS");
	for (uint32_t u = 0; u < m->nups; u++) {
		struct mt_label l = { "ups", m->ups[u] };
		mt_sample(w, &l, 1, d->p->conns[u] && uc_ready(d->p->conns[u]));
	}
	mt_family(w, "upsplan_last_poll_age_seconds", MT_GAUGE, "Seconds since a poll of this UPS was last answered (absent before the first)");
	for (uint32_t u = 0; u < m->nups; u++) {
		struct mt_label l = { "ups", m->ups[u] };
		if (m->last_ok[u] >= 0)
			mt_sample(w, &l, 1, now - m->last_ok[u]);
	}
}

static void mx_upsd(struct daemon *d, struct mt_writer *w)
{
	struct dm_metrics *m = d->mx;
	const struct plan_image *img = &d->p->img;

	mt_family(w, "upsplan_upsd_connected", MT_GAUGE, "1 when the poll connection to this upsd (one per group) is up");
	for (uint32_t g = 0; g < m->ngroups; g++) {
		struct mt_label l[2] = { { "upsd", m->upsd[g] }, { "group", img_bytes(img, img->groups.v[g].name) } };
		if (m->upsd[g])
			mt_sample(w, l, 2, d->p->pollers[g] && uc_poller_ready(d->p->pollers[g]));
	}
	mt_family(w, "upsplan_tls_handshake_failures_total", MT_COUNTER,
		  "TLS handshakes with this upsd that failed, by reason (since the plan was loaded)");
	for (uint32_t g = 0; g < m->ngroups; g++)
		for (int k = 0; m->upsd[g] && d->p->gates[g] && k < TLS_FAIL_KINDS; k++) {
			struct mt_label l[3] = { { "upsd", m->upsd[g] }, { "group", img_bytes(img, img->groups.v[g].name) },
						 { "reason", tls_fail_kind_name((enum tls_fail_kind)k) } };
			mt_sample_u(w, l, 3, uc_gate_tls_failures(d->p->gates[g], k));
		}
	mt_family(w, "upsplan_poll_duration_seconds", MT_HISTOGRAM, "Time from a poll tick to each UPS's answer, per upsd");
	for (uint32_t g = 0; g < m->ngroups; g++) {
		struct mt_label l[2] = { { "upsd", m->upsd[g] }, { "group", img_bytes(img, img->groups.v[g].name) } };
		if (m->upsd[g])
			mt_histogram(w, l, 2, &m->hist[g]);
	}
}

static void mx_daemon(struct daemon *d, struct mt_writer *w)
{
	struct dm_metrics *m = d->mx;
	const struct plan_image *img = &d->p->img;
	double now = dm_now(d);
	char kind[32];

	mt_family(w, "upsplan_build_info", MT_GAUGE, "upsplan's version, always 1");
	mt_sample(w, &(struct mt_label){ "version", PACKAGE_VERSION }, 1, 1);
	mt_family(w, "upsplan_plan_loaded_timestamp_seconds", MT_GAUGE, "Unix time the running plan was taken up");
	mt_sample(w, NULL, 0, m->loaded);
	mt_family(w, "upsplan_plan_reloads_total", MT_COUNTER, "Plan reloads, taken up (ok) or refused (failed)");
	mt_sample_u(w, &(struct mt_label){ "result", "ok" }, 1, m->reload_ok);
	mt_sample_u(w, &(struct mt_label){ "result", "failed" }, 1, m->reload_failed);
	mt_family(w, "upsplan_polls_total", MT_COUNTER, "Polls of a UPS that ended, answered or not");
	mt_sample_u(w, NULL, 0, m->polls);
	mt_family(w, "upsplan_polls_failed_total", MT_COUNTER, "Polls of a UPS that got no answer (NOCOMM)");
	mt_sample_u(w, NULL, 0, m->polls_failed);
	mt_family(w, "upsplan_timer_seconds_left", MT_GAUGE, "Seconds until a running timer of the plan expires");
	for (uint32_t t = 0; t < img->timers.n; t++)
		if (tmr_running(&d->p->eng.timers, t))
			mt_sample(w, &(struct mt_label){ "timer", img_bytes(img, img->timers.v[t]) }, 1,
				  d->p->eng.timers.deadline[t] - now);
	mt_family(w, "upsplan_actions_total", MT_COUNTER, "Actions carried out, by kind (result: run)");
	for (uint32_t k = 0; k < MX_NKINDS; k++) {
		struct mt_label l[2] = { { "action", kind }, { "result", "run" } };
		size_t i;
		if (!m->actions[k])
			continue;
		snprintf(kind, sizeof(kind), "%s", vm_effect_name(k));
		for (i = 0; kind[i]; i++)
			kind[i] = (char)(kind[i] >= 'A' && kind[i] <= 'Z' ? kind[i] - 'A' + 'a' : kind[i]);
		mt_sample_u(w, l, 2, m->actions[k]);
	}
	mt_family(w, "upsplan_shutdowncmd_total", MT_COUNTER, "SHUTDOWNCMDs requested, and their outcomes");
	for (size_t i = 0; i < MX_NSHUT; i++)
		mt_sample_u(w, &(struct mt_label){ "result", mx_shut_results[i] }, 1, m->shut[i]);
	mt_family(w, "upsplan_setfsd_total", MT_COUNTER, "SETFSD actions: FSD sent to upsd, or not (no connection)");
	mt_sample_u(w, &(struct mt_label){ "result", "sent" }, 1, m->setfsd_ok);
	mt_sample_u(w, &(struct mt_label){ "result", "failed" }, 1, m->setfsd_failed);
	if (d->o->webhook) {
		char code[8];
		mt_family(w, "upsplan_webhook_alerts_total", MT_COUNTER,
			  "Alerts of Alertmanager's notifications: their rules ran, no change, no rule names them, "
			  "or ignored (the daemon is out of upsd after a SHUTDOWNCMD)");
		for (size_t i = 0; i < MX_NWH; i++)
			mt_sample_u(w, &(struct mt_label){ "result", mx_wh_results[i] }, 1, m->wh_alerts[i]);
		mt_family(w, "upsplan_webhook_requests_total", MT_COUNTER, "Requests to the webhook, by the status answered");
		for (size_t i = 0; i < MX_NWH_CODES; i++) {
			snprintf(code, sizeof(code), "%d", mx_wh_codes[i]);
			mt_sample_u(w, &(struct mt_label){ "code", code }, 1, m->wh_codes[i]);
		}
	}
	mt_family(w, "upsplan_poll_tick_delay_seconds", MT_HISTOGRAM,
		  "How late each poll tick came after its due time (the previous tick and its interval)");
	mt_histogram(w, NULL, 0, &m->tick_delay);
	mt_family(w, "upsplan_metrics_scrapes_total", MT_COUNTER, "Scrapes of this endpoint served");
	mt_sample_u(w, NULL, 0, m->scrapes);
	mt_family(w, "upsplan_metrics_last_scrape_duration_seconds", MT_GAUGE,
		  "Seconds the previous scrape took to write (0 before the second)");
	mt_sample(w, NULL, 0, m->scrape_took);
}

static void mx_scrape(struct evhttp_request *req, void *arg)
{
	struct daemon *d = arg;
	struct dm_metrics *m = d->mx;
	double t0 = rt_monotonic();

	m->scrapes++;
	buf_reset(&m->out);
	mt_reset(&m->w, &m->out);
	mx_ups(d, &m->w);
	mx_upsd(d, &m->w);
	mx_daemon(d, &m->w);
	if (m->w.refused)
		log_debug(1, "--metrics: %u series or families left out (a name Prometheus refuses, or twice)", m->w.refused);
	hs_reply(req, 200, MT_CONTENT_TYPE, m->out.p ? m->out.p : "", m->out.len);
	m->scrape_took = rt_monotonic() - t0;
}

/* Every --metrics-vars-interval: LIST VAR for each UPS logged in (the replies come in as they come; a scrape reads the last). */
static void mx_list(evutil_socket_t fd, short what, void *arg)
{
	struct daemon *d = arg;
	struct timeval tv = rt_timeval(d->o->metrics_vars_interval);

	(void)fd;
	(void)what;
	if (!dm_halted(d) && !d->exiting)
		for (uint32_t u = 0; u < d->p->img.ups.n; u++)
			if (d->p->conns[u])
				uc_list_vars(d->p->conns[u]);
	evtimer_add(d->mx->list, &tv);
}

static void mx_index(struct evhttp_request *req, void *arg)
{
	static const char page[] =
		"<!DOCTYPE html>\n<html><head><title>upsplan</title></head><body>\n"
		"<h1>upsplan</h1>\n<p><a href=\"/metrics\">/metrics</a>: Prometheus metrics of the UPS it monitors.</p>\n"
		"</body></html>\n";

	(void)arg;
	hs_reply(req, 200, "text/html; charset=utf-8", page, sizeof(page) - 1);
}

int dm_mx_start(struct daemon *d)
{
	struct hs_limits lim = HS_LIMITS_DEFAULT;
	struct hs_addr a;
	char err[512];

	if (!d->o->metrics || d->o->check_only)
		return 0;
	if (hs_parse_addr(d->o->metrics, &a, err, sizeof(err)) != 0) {
		log_msg(LOG_ERR, "--metrics: %s", err);
		return -1;
	}
	d->mx = xcalloc(1, sizeof(*d->mx));
	mt_hist_init(&d->mx->tick_delay, mx_bounds, MX_NBOUNDS);
	mt_init(&d->mx->w, &d->mx->out);
	d->mx->hs = hs_new(d->base, &a, &lim, "--metrics", err, sizeof(err));
	if (!d->mx->hs) {
		log_msg(LOG_ERR, "%s", err);
		mt_hist_free(&d->mx->tick_delay);
		mt_free(&d->mx->w);
		free(d->mx);
		d->mx = NULL;
		return -1;
	}
	hs_route(d->mx->hs, "/metrics", HS_GET | HS_HEAD, mx_scrape, d);
	hs_route(d->mx->hs, "/", HS_GET | HS_HEAD, mx_index, d);
	dm_mx_plan(d);
	if (d->o->metrics_vars_interval > 0) {	/* the first soon after the logins, then at the interval */
		struct timeval tv = { 2, 0 };
		d->mx->list = evtimer_new(d->base, mx_list, d);
		evtimer_add(d->mx->list, &tv);
	}
	log_msg(LOG_NOTICE, "--metrics: serving Prometheus metrics on http://%s/metrics", a.text);
	return 0;
}

void dm_mx_stop(struct daemon *d)
{
	if (!d->mx)
		return;
	hs_free(d->mx->hs);
	if (d->mx->list)
		event_free(d->mx->list);
	mx_plan_free(d->mx);
	buf_free(&d->mx->out);
	for (uint32_t i = 0; i < d->mx->nnames; i++)
		free(d->mx->names[i]);
	free(d->mx->names);
	free(d->mx->slot);
	free(d->mx->vals);
	free(d->mx->sorted);
	free(d->mx->count);
	mt_hist_free(&d->mx->tick_delay);
	mt_free(&d->mx->w);
	free(d->mx);
	d->mx = NULL;
}
