/* SPDX-License-Identifier: GPL-2.0-or-later */
/* control-json.c - the documents of the control socket: the daemon's status and its running timers, as JSON (docs/status.md). */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "runtime/daemon/control-int.h"
#include "runtime/daemon/daemon-int.h"
#include "runtime/daemon/log.h"

/* Text of the plan (LEN bytes at S): as it is when it is UTF-8, else escaped. */
static json_t *ctl_text(const char *s, size_t len)
{
	json_t *j = json_stringn(s, len);
	char esc[600];

	return j ? j : json_string(log_esc(esc, sizeof(esc), s, len));
}

/* Text from the network (upsd): always escaped to printable ASCII. */
static json_t *ctl_net(const char *s)
{
	char esc[600];

	return json_string(log_esc(esc, sizeof(esc), s, strlen(s)));
}

static json_t *ctl_img_str(const struct plan_image *img, struct img_str s)
{
	return ctl_text(img_bytes(img, s), s.len);
}

/* Wall-clock T as "YYYY-MM-DDTHH:MM:SSZ". */
static json_t *ctl_time(time_t t)
{
	struct tm tm;
	char buf[40];

	gmtime_r(&t, &tm);
	strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm);
	return json_string(buf);
}

/* The words of ups.status S, escaped. */
static json_t *ctl_words(const char *s)
{
	json_t *a = json_array();

	while (s && *s) {
		size_t n = strcspn(s, " ");
		char esc[200];
		if (n)
			json_array_append_new(a, json_string(log_esc(esc, sizeof(esc), s, n)));
		s += n;
		s += strspn(s, " ");
	}
	return a;
}

static const char *ctl_type(uint32_t type)
{
	return type == IMG_PRIMARY ? "primary" : type == IMG_SECONDARY ? "secondary" : "observer";
}

static json_t *ctl_ups(struct daemon *d, uint32_t u, double now)
{
	const struct plan_image *img = &d->p->img;
	const struct img_ups *iu = &img->ups.v[u];
	const struct st_ups *s = &d->p->eng.state.ups[u];
	const struct uc *c = d->p->conns[u];
	json_t *o = json_object(), *conn = json_object();
	char host[300];
	const char *err = c ? uc_last_error(c) : "";

	json_object_set_new(o, "name", ctl_img_str(img, iu->name));
	json_object_set_new(o, "group", ctl_img_str(img, img->groups.v[iu->group].name));
	json_object_set_new(o, "type", json_string(ctl_type(iu->type)));
	snprintf(host, sizeof(host), "%.*s:%u", (int)iu->host.len, img_bytes(img, iu->host), iu->port);
	json_object_set_new(o, "upsd", ctl_text(host, strlen(host)));
	json_object_set_new(o, "status", s->polled && s->status ? ctl_words(s->status) : json_null());
	json_object_set_new(o, "comm", json_boolean(!((d->p->eng.state.tables[u] >> SW_T_NOCOMM) & 1)));
	json_object_set_new(o, "battery.charge", isnan(s->charge) ? json_null() : json_real(s->charge));
	json_object_set_new(conn, "state", json_string(c ? uc_state_word(c) : "not connected"));
	json_object_set_new(conn, "last_error", err[0] ? ctl_net(err) : json_null());
	json_object_set_new(o, "connection", conn);
	json_object_set_new(o, "age", d->p->answer_at[u] > 0 ? json_real(floor((now - d->p->answer_at[u]) * 10) / 10) :
				   json_null());
	return o;
}

/* The TIMEOUT clauses of timer T: {ups, where} of each, where the file:line of its first action. */
static json_t *ctl_clauses(const struct plan_image *img, uint32_t t)
{
	json_t *a = json_array();

	for (uint32_t i = 0; i < img->tentries.n; i++) {
		const struct img_tentry *te = &img->tentries.v[i];
		uint32_t loc, end = te->pc;
		char where[300];
		json_t *o;

		if (te->timer != t)
			continue;
		/* the clause runs from its entry to its HALT: its first location in that range */
		while (end < img->code.n && img->code.v[end] != OP_HALT) {
			const struct op_info *oi = op_info(img->code.v[end]);
			if (!oi)
				break;
			end += 1 + oi->nops;
		}
		loc = img_loc_find(img, te->pc);
		loc = loc == IMG_NONE ? 0 : loc + (img->pcmap.v[loc].pc < te->pc);
		if (loc < img->pcmap.n && img->pcmap.v[loc].pc <= end && img->pcmap.v[loc].file < img->files.n) {
			struct img_str f = img->files.v[img->pcmap.v[loc].file];
			snprintf(where, sizeof(where), "%.*s:%u", (int)f.len, img_bytes(img, f), img->pcmap.v[loc].line);
		} else {
			snprintf(where, sizeof(where), "offset %u", te->pc);
		}
		o = json_object();
		json_object_set_new(o, "ups", te->ups < img->ups.n ? ctl_img_str(img, img->ups.v[te->ups].name) : json_null());
		json_object_set_new(o, "where", ctl_text(where, strlen(where)));
		json_array_append_new(a, o);
	}
	return a;
}

json_t *ctl_json_timers(struct daemon *d)
{
	const struct plan_image *img = &d->p->img;
	const struct tmr_heap *h = &d->p->eng.timers;
	double now = dm_now(d);
	json_t *a = json_array();

	for (uint32_t t = 0; t < img->timers.n; t++) {
		json_t *o;
		double left;

		if (!tmr_running(h, t))
			continue;
		left = h->deadline[t] - now;
		o = json_object();
		json_object_set_new(o, "name", ctl_img_str(img, img->timers.v[t]));
		json_object_set_new(o, "seconds_left", json_real(left > 0 ? floor(left * 10) / 10 : 0));
		json_object_set_new(o, "clauses", ctl_clauses(img, t));
		json_array_append_new(a, o);
	}
	return a;
}

static json_t *ctl_actions(struct daemon *d)
{
	static const char *const results[] = { "running", "ok", "failed" };
	json_t *a = json_array();
	const struct act_record *r;

	for (unsigned i = 0; (r = act_history(d->act, i, NULL)) != NULL; i++) {
		json_t *o = json_object();
		json_object_set_new(o, "time", ctl_time(r->when));
		json_object_set_new(o, "kind", json_string(r->kind));
		json_object_set_new(o, "ups", r->ups[0] ? ctl_text(r->ups, strlen(r->ups)) : json_null());
		json_object_set_new(o, "where", ctl_text(r->where, strlen(r->where)));
		json_object_set_new(o, "result", json_string(r->result >= 0 && r->result <= 2 ? results[r->result] : "running"));
		json_object_set_new(o, "reason", r->reason[0] ? ctl_text(r->reason, strlen(r->reason)) : json_null());
		json_array_append_new(a, o);
	}
	return a;
}

json_t *ctl_json_status(struct daemon *d)
{
	const struct plan_image *img = &d->p->img;
	double now = dm_now(d);
	json_t *doc = json_object(), *daemon = json_object(), *plan = json_object(), *shut = json_object();
	json_t *ups = json_array();
	char sum[24];
	static const char *const shut_states[] = { "none", "running", "succeeded" };

	json_object_set_new(daemon, "pid", json_integer(getpid()));
	json_object_set_new(daemon, "root_pid", d->ps ? json_integer(getppid()) : json_null());
	json_object_set_new(daemon, "started", ctl_time(time(NULL) - (time_t)now));
	json_object_set_new(daemon, "uptime", json_integer((json_int_t)now));
	json_object_set_new(daemon, "version", json_string(PACKAGE_VERSION));
	json_object_set_new(daemon, "state", json_string(d->exiting ? "stopping" : dm_halted(d) ? "out of upsd (SHUTDOWNEXIT)" :
							  "monitoring"));
	json_object_set_new(doc, "daemon", daemon);

	json_object_set_new(plan, "file", ctl_text(d->o->plan, strlen(d->o->plan)));
	snprintf(sum, sizeof(sum), "%016llx", (unsigned long long)d->p->sum);
	json_object_set_new(plan, "checksum", json_string(sum));
	json_object_set_new(plan, "loaded", ctl_time(d->p->loaded));
	json_object_set_new(plan, "generation", json_integer(d->gen));
	json_object_set_new(plan, "poll_interval", json_real(eng_poll_interval(&d->p->eng)));
	json_object_set_new(doc, "plan", plan);

	json_object_set_new(shut, "state", json_string(d->shut.shutdown >= 0 && d->shut.shutdown <= 2 ?
							shut_states[d->shut.shutdown] : "none"));
	json_object_set_new(shut, "where", d->shut.where[0] ? ctl_text(d->shut.where, strlen(d->shut.where)) : json_null());
	json_object_set_new(doc, "shutdown", shut);

	for (uint32_t u = 0; u < img->ups.n; u++)
		json_array_append_new(ups, ctl_ups(d, u, now));
	json_object_set_new(doc, "ups", ups);
	json_object_set_new(doc, "timers", ctl_json_timers(d));
	json_object_set_new(doc, "actions", ctl_actions(d));
	return doc;
}
