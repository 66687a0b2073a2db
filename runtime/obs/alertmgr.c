/* SPDX-License-Identifier: GPL-2.0-or-later */
/* alertmgr.c - the Alertmanager client: the alert table, per-Alertmanager requests (libcurl multi on libevent), back-off, re-sends and the final flush. */
#define _DEFAULT_SOURCE	/* explicit_bzero, gethostname */
#include "config.h"

#include "runtime/obs/alertmgr.h"
#include "runtime/obs/curlev.h"

#include <curl/curl.h>
#include <event2/event.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "base/esc.h"
#include "base/xalloc.h"
#include "runtime/common/monotonic.h"

#define AM_PATH		"/api/v2/alerts"
#define AM_EXCERPT	200	/* bytes of a failed answer logged */

struct am_alert {
	uint64_t id;		/* unique, in creation order */
	char *name, *ups, *group, *severity, *summary;
	double starts;		/* realtime of the first fire */
	double ends;		/* realtime of the resolve; 0: firing */
	int ghost;		/* the old labels of an alert: never looked up */
	uint32_t dirty;		/* targets that must get it posted */
};

struct am_target {
	struct am *am;
	unsigned idx;
	char *url;		/* base + AM_PATH */
	char *cafile, *user, *password;
	struct curl_slist *hdrs;	/* Content-Type, Authorization */
	CURL *easy;		/* the request in flight, or NULL */
	char *body;
	uint64_t *ids;		/* the alerts it carries */
	size_t nids;
	char resp[AM_EXCERPT];
	size_t resp_len, resp_total;
	char errbuf[CURL_ERROR_SIZE];
	struct event *kick_ev;	/* post what is pending (next loop turn) */
	struct event *retry_ev;	/* end of a back-off */
	struct event *resend_ev;	/* every resend seconds */
	double backoff;		/* the last back-off; 0: none */
	unsigned failures;	/* in a row */
};

struct am {
	struct event_base *base;
	struct cev *cev;	/* libcurl on BASE */
	struct am_target targets[AM_MAX_TARGETS];
	unsigned ntargets;
	struct am_alert **alerts;
	size_t nalerts, max_alerts;
	uint64_t next_id;
	char *instance, *generator_url, *heartbeat;
	double resend, backoff_min, backoff_max;
	long connect_ms, timeout_ms, flush_ms;
	uint64_t rng;
	am_log_fn *log;
	void *log_arg;
};

static void __attribute__((format(printf, 3, 4)))
am_log(const struct am *am, int level, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	if (am->log == NULL)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	am->log(am->log_arg, level, msg);
}

static char *am_strdup0(const char *s)
{
	return xstrdup(s != NULL ? s : "");
}

static double am_now(void)
{
	return rt_clock(CLOCK_REALTIME);
}

/* RFC 3339, UTC, milliseconds */
static void am_time(char *out, size_t len, double t)
{
	time_t sec = (time_t)t;
	int ms = (int)((t - (double)sec) * 1000.0);
	struct tm tm;

	if (ms > 999)
		ms = 999;
	gmtime_r(&sec, &tm);
	snprintf(out, len, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ",
		 tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
		 tm.tm_hour, tm.tm_min, tm.tm_sec, ms);
}

/* a jitter factor in [0.5, 1) (xorshift64*) */
static double am_jitter(struct am *am)
{
	am->rng ^= am->rng >> 12;
	am->rng ^= am->rng << 25;
	am->rng ^= am->rng >> 27;
	return 0.5 + (double)((am->rng * 2685821657736338717ULL) >> 11) / 9007199254740992.0 / 2;
}

static void am_alert_free(struct am_alert *a)
{
	free(a->name);
	free(a->ups);
	free(a->group);
	free(a->severity);
	free(a->summary);
	free(a);
}

static struct am_alert *am_find(const struct am *am, const char *name, const char *ups)
{
	size_t i;

	for (i = 0; i < am->nalerts; i++) {
		struct am_alert *a = am->alerts[i];

		if (!a->ghost && strcmp(a->name, name) == 0 && strcmp(a->ups, ups) == 0)
			return a;
	}
	return NULL;
}

static struct am_alert *am_find_id(const struct am *am, uint64_t id)
{
	size_t i;

	for (i = 0; i < am->nalerts; i++)
		if (am->alerts[i]->id == id)
			return am->alerts[i];
	return NULL;
}

static void am_remove_at(struct am *am, size_t i)
{
	am_alert_free(am->alerts[i]);
	am->alerts[i] = am->alerts[--am->nalerts];
}

static uint32_t am_all_targets(const struct am *am)
{
	return am->ntargets >= 32 ? UINT32_MAX : ((uint32_t)1 << am->ntargets) - 1;
}

static void am_kick_all(struct am *am)
{
	unsigned i;
	struct timeval now = { 0, 0 };

	for (i = 0; i < am->ntargets; i++)
		evtimer_add(am->targets[i].kick_ev, &now);
}

/* make room for one more: drop the oldest resolved; -1 when all fire */
static int am_make_room(struct am *am)
{
	size_t i, old = SIZE_MAX;

	if (am->nalerts < am->max_alerts)
		return 0;
	for (i = 0; i < am->nalerts; i++)
		if (am->alerts[i]->ends != 0 && (old == SIZE_MAX || am->alerts[i]->ends < am->alerts[old]->ends))
			old = i;
	if (old == SIZE_MAX)
		return -1;
	am_log(am, LOG_WARNING, "alertmanager: %zu alerts kept at most: the resolve of %s%s%s is dropped before all Alertmanagers got it",
	       am->max_alerts, am->alerts[old]->name, *am->alerts[old]->ups ? " for " : "", am->alerts[old]->ups);
	am_remove_at(am, old);
	return 0;
}

static struct am_alert *am_add(struct am *am, const char *name, const char *ups, const char *group,
       const char *severity, const char *summary)
{
	struct am_alert *a;

	if (am_make_room(am) != 0)
		return NULL;
	a = xcalloc(1, sizeof(*a));
	a->id = am->next_id++;
	a->name = xstrdup(name);
	a->ups = xstrdup(ups);
	a->group = xstrdup(group);
	a->severity = xstrdup(severity);
	a->summary = xstrdup(summary);
	a->starts = am_now();
	am->alerts[am->nalerts++] = a;
	return a;
}

static int am_utf8_ok(const char *s)
{
	json_t *j = json_string(s);

	json_decref(j);
	return j != NULL;
}

int am_fire(struct am *am, const char *name, const char *ups, const char *group,
	const char *severity, const char *summary)
{
	struct am_alert *a;

	ups = ups != NULL ? ups : "";
	group = group != NULL ? group : "";
	severity = severity != NULL && *severity ? severity : "warning";
	summary = summary != NULL ? summary : "";
	if (name == NULL || *name == '\0' || !am_utf8_ok(name) || !am_utf8_ok(ups) ||
	    !am_utf8_ok(group) || !am_utf8_ok(severity) || !am_utf8_ok(summary)) {
		am_log(am, LOG_ERR, "alertmanager: alert not sent: an empty name or a text that is not UTF-8");
		return -1;
	}
	a = am_find(am, name, ups);
	if (a != NULL && (strcmp(a->group, group) != 0 || strcmp(a->severity, severity) != 0)) {
		/* new labels: the alert under the old ones is resolved (or its resolve kept pending) */
		a->ghost = 1;
		if (a->ends == 0) {
			a->ends = am_now();
			a->dirty = am_all_targets(am);
		}
		a = NULL;
	}
	if (a == NULL) {
		a = am_add(am, name, ups, group, severity, summary);
		if (a == NULL) {
			am_log(am, LOG_ERR, "alertmanager: alert %s not sent: %zu alerts are firing already",
			       name, am->max_alerts);
			return -1;
		}
	} else if (a->ends != 0) {
		a->ends = 0;
		a->starts = am_now();
	}
	free(a->summary);
	a->summary = xstrdup(summary);
	a->dirty = am_all_targets(am);
	am_kick_all(am);
	return 0;
}

int am_resolve(struct am *am, const char *name, const char *ups)
{
	struct am_alert *a = am_find(am, name, ups != NULL ? ups : "");

	if (a == NULL || a->ends != 0)
		return -1;
	a->ends = am_now();
	a->dirty = am_all_targets(am);
	am_kick_all(am);
	return 0;
}

size_t am_firing(const struct am *am)
{
	size_t i, n = 0;

	for (i = 0; i < am->nalerts; i++)
		n += am->alerts[i]->ends == 0;
	return n;
}

static void am_set_label(json_t *o, const char *key, const char *val)
{
	if (*val != '\0' && json_object_set_new(o, key, json_string(val)) != 0)
		xalloc_fail();
}

static json_t *am_alert_json(const struct am *am, const struct am_alert *a, double now)
{
	json_t *o, *labels, *ann;
	char starts[96], ends[96];

	am_time(starts, sizeof(starts), a->starts);
	am_time(ends, sizeof(ends), a->ends != 0 ? a->ends : now + 3 * am->resend);
	labels = json_object();
	ann = json_object();
	if (labels == NULL || ann == NULL)
		xalloc_fail();
	am_set_label(labels, "alertname", a->name);
	am_set_label(labels, "ups", a->ups);
	am_set_label(labels, "group", a->group);
	am_set_label(labels, "instance", am->instance);
	am_set_label(labels, "severity", a->severity);
	am_set_label(ann, "summary", a->summary);
	o = json_pack("{s:o,s:o,s:s,s:s}", "labels", labels, "annotations", ann,
		      "startsAt", starts, "endsAt", ends);
	if (o == NULL)
		xalloc_fail();
	if (*am->generator_url)
		am_set_label(o, "generatorURL", am->generator_url);
	return o;
}

static size_t am_write(char *ptr, size_t size, size_t n, void *arg)
{
	struct am_target *t = arg;
	size_t len = size * n, take;

	take = len < sizeof(t->resp) - t->resp_len ? len : sizeof(t->resp) - t->resp_len;
	memcpy(t->resp + t->resp_len, ptr, take);
	t->resp_len += take;
	t->resp_total += len;
	return len;
}

/*
 * The request of T for what is pending (its dirty bits cleared, the ids
 * kept), added to MULTI: 1; 0 when nothing is pending.
 */
static int am_req_start(struct am_target *t, CURLM *multi, long timeout_ms)
{
	struct am *am = t->am;
	uint32_t bit = (uint32_t)1 << t->idx;
	double now = am_now();
	json_t *arr;
	CURLcode rc = CURLE_OK;
	CURL *h;
	size_t i;

	arr = json_array();
	if (arr == NULL)
		xalloc_fail();
	t->ids = xrealloc(t->ids, (am->nalerts + 1) * sizeof(*t->ids));
	t->nids = 0;
	for (i = 0; i < am->nalerts; i++) {
		struct am_alert *a = am->alerts[i];

		if (!(a->dirty & bit))
			continue;
		if (json_array_append_new(arr, am_alert_json(am, a, now)) != 0)
			xalloc_fail();
		a->dirty &= ~bit;
		t->ids[t->nids++] = a->id;
	}
	if (t->nids == 0) {
		json_decref(arr);
		return 0;
	}
	t->body = json_dumps(arr, JSON_COMPACT);
	json_decref(arr);
	if (t->body == NULL)
		xalloc_fail();
	h = curl_easy_init();
	if (h == NULL)
		xalloc_fail();
	t->easy = h;
	t->resp_len = t->resp_total = 0;
	t->errbuf[0] = '\0';
#define AM_SET(opt, val) do { if (rc == CURLE_OK) rc = curl_easy_setopt(h, opt, val); } while (0)
	AM_SET(CURLOPT_PRIVATE, t);
	AM_SET(CURLOPT_ERRORBUFFER, t->errbuf);
	AM_SET(CURLOPT_URL, t->url);
#if LIBCURL_VERSION_NUM >= 0x075500
	AM_SET(CURLOPT_PROTOCOLS_STR, "http,https");
#else
	AM_SET(CURLOPT_PROTOCOLS, (long)(CURLPROTO_HTTP | CURLPROTO_HTTPS));
#endif
	AM_SET(CURLOPT_PROXY, "");
	AM_SET(CURLOPT_NOSIGNAL, 1L);
	AM_SET(CURLOPT_SSLVERSION, (long)CURL_SSLVERSION_TLSv1_2);
	AM_SET(CURLOPT_SSL_VERIFYPEER, 1L);
	AM_SET(CURLOPT_SSL_VERIFYHOST, 2L);
	if (t->cafile != NULL) {
		AM_SET(CURLOPT_CAINFO, t->cafile);
		AM_SET(CURLOPT_CAPATH, (char *)NULL);
	}
	AM_SET(CURLOPT_CONNECTTIMEOUT_MS, am->connect_ms < timeout_ms ? am->connect_ms : timeout_ms);
	AM_SET(CURLOPT_TIMEOUT_MS, timeout_ms);
	if (t->user != NULL) {
		AM_SET(CURLOPT_HTTPAUTH, (long)CURLAUTH_BASIC);
		AM_SET(CURLOPT_USERNAME, t->user);
		AM_SET(CURLOPT_PASSWORD, t->password);
	}
	AM_SET(CURLOPT_HTTPHEADER, t->hdrs);
	AM_SET(CURLOPT_POSTFIELDS, t->body);
	AM_SET(CURLOPT_WRITEFUNCTION, am_write);
	AM_SET(CURLOPT_WRITEDATA, t);
#undef AM_SET
	if (rc != CURLE_OK || curl_multi_add_handle(multi, h) != CURLM_OK) {
		/* libcurl without http(s) or TLS: ends in a failure, retried */
		snprintf(t->errbuf, sizeof(t->errbuf), "%s", curl_easy_strerror(rc));
		return -1;
	}
	return 1;
}

/* the request of T over: its alerts pending again unless OK, freed */
static void am_req_end(struct am_target *t, CURLM *multi, int ok)
{
	struct am *am = t->am;
	size_t i;

	for (i = 0; i < t->nids; i++) {
		struct am_alert *a = am_find_id(am, t->ids[i]);

		if (a != NULL && !ok)
			a->dirty |= (uint32_t)1 << t->idx;
	}
	t->nids = 0;
	if (t->easy != NULL) {
		if (multi != NULL)
			curl_multi_remove_handle(multi, t->easy);
		curl_easy_cleanup(t->easy);
		t->easy = NULL;
	}
	free(t->body);
	t->body = NULL;
}

/* resolved alerts that every Alertmanager got, or that they resolved themselves */
static void am_purge(struct am *am)
{
	double old = am_now() - 3 * am->resend;
	size_t i = 0;

	while (i < am->nalerts) {
		struct am_alert *a = am->alerts[i];

		if (a->ends != 0 && (a->dirty == 0 || a->ends < old))
			am_remove_at(am, i);
		else
			i++;
	}
}

/* the outcome of T's request: "" when accepted, else why (into WHY) */
static int am_outcome(struct am_target *t, CURLcode rc, char *why, size_t len)
{
	char excerpt[4 * AM_EXCERPT + 8];
	long code = 0;

	if (rc != CURLE_OK) {
		snprintf(why, len, "%s%s", t->errbuf[0] ? t->errbuf : curl_easy_strerror(rc),
			 rc == CURLE_PEER_FAILED_VERIFICATION || rc == CURLE_SSL_CACERT_BADFILE ||
			 rc == CURLE_SSL_CONNECT_ERROR ?
			 " (check the Alertmanager's certificate, or name its CA with CAFILE)" : "");
		return 0;
	}
	curl_easy_getinfo(t->easy, CURLINFO_RESPONSE_CODE, &code);
	if (code >= 200 && code < 300)
		return 1;
	esc_bytes(excerpt, sizeof(excerpt), t->resp, t->resp_len, 1);
	snprintf(why, len, "HTTP %ld: \"%s\"%s", code, excerpt,
		 t->resp_total > t->resp_len ? "..." : "");
	return 0;
}

static void am_done(struct am_target *t, CURLcode rc)
{
	struct am *am = t->am;
	char why[CURL_ERROR_SIZE + 4 * AM_EXCERPT + 128];
	struct timeval zero = { 0, 0 };
	int ok = am_outcome(t, rc, why, sizeof(why));
	size_t n = t->nids;

	am_req_end(t, cev_multi(am->cev), ok);
	if (ok) {
		if (t->failures > 0)
			am_log(am, LOG_NOTICE, "alertmanager %s: accepted %zu alert(s) after %u failure(s)",
			       t->url, n, t->failures);
		else
			am_log(am, LOG_DEBUG, "alertmanager %s: accepted %zu alert(s)", t->url, n);
		t->failures = 0;
		t->backoff = 0;
		am_purge(am);
		evtimer_add(t->kick_ev, &zero);
		return;
	}
	t->failures++;
	t->backoff = t->backoff == 0 ? am->backoff_min : t->backoff * 2;
	if (t->backoff > am->backoff_max)
		t->backoff = am->backoff_max;
	{
		double wait = t->backoff * am_jitter(am);
		struct timeval tv = rt_timeval(wait);

		am_log(am, LOG_WARNING, "alertmanager %s: %zu alert(s) not accepted: %s; retry in %.1f s (failure %u)",
		       t->url, n, why, wait, t->failures);
		evtimer_add(t->retry_ev, &tv);
	}
}

/* cev_done_fn: a live request ended */
static void am_ended(void *arg, CURL *easy, CURLcode rc)
{
	struct am_target *t = NULL;

	(void)arg;
	curl_easy_getinfo(easy, CURLINFO_PRIVATE, (char **)&t);
	if (t != NULL)
		am_done(t, rc);
}

static void am_kick(evutil_socket_t fd, short what, void *arg)
{
	struct am_target *t = arg;
	int r;

	(void)fd;
	(void)what;
	if (t->easy != NULL || evtimer_pending(t->retry_ev, NULL))
		return;
	r = am_req_start(t, cev_multi(t->am->cev), t->am->timeout_ms);
	if (r < 0)
		am_done(t, CURLE_FAILED_INIT);
}

static void am_resend(evutil_socket_t fd, short what, void *arg)
{
	struct am_target *t = arg;
	struct am *am = t->am;
	uint32_t bit = (uint32_t)1 << t->idx;
	size_t i;

	(void)fd;
	(void)what;
	am_purge(am);
	for (i = 0; i < am->nalerts; i++)
		if (am->alerts[i]->ends == 0)
			am->alerts[i]->dirty |= bit;
	am_kick(-1, 0, t);
}

static int am_has_ctl(const char *s)
{
	for (; s != NULL && *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return 1;
	return 0;
}

/* target I of CFG into T: 0, or -1 with ERR */
static int am_target_init(struct am *am, unsigned i, const struct am_target_cfg *c, char *err, size_t errlen)
{
	struct am_target *t = &am->targets[i];
	const char *host;
	size_t len;

	t->am = am;
	t->idx = i;
	if (c->url == NULL || (strncasecmp(c->url, "http://", 7) != 0 && strncasecmp(c->url, "https://", 8) != 0)) {
		snprintf(err, errlen, "Alertmanager URL %u: give http://HOST:PORT or https://HOST:PORT", i + 1);
		return -1;
	}
	host = strstr(c->url, "://") + 3;
	len = strcspn(host, "/?#");
	if (len == 0 || memchr(host, '@', len) != NULL || am_has_ctl(c->url) || strchr(c->url, ' ') != NULL) {
		snprintf(err, errlen, "Alertmanager URL %u: a host is needed, without user:password@ (give USER and PASSWORD), spaces or control characters", i + 1);
		return -1;
	}
	if (am_has_ctl(c->bearer) || am_has_ctl(c->user) || am_has_ctl(c->password) ||
	    (c->bearer != NULL && (*c->bearer == '\0' || strchr(c->bearer, ' ') != NULL))) {
		snprintf(err, errlen, "Alertmanager %u: the token, user or password is empty or has spaces or control characters", i + 1);
		return -1;
	}
	if (c->bearer != NULL && c->user != NULL) {
		snprintf(err, errlen, "Alertmanager %u: give a bearer token or a user and password, not both", i + 1);
		return -1;
	}
	len = strlen(c->url);
	while (len > 0 && c->url[len - 1] == '/')
		len--;
	t->url = xcalloc(1, len + sizeof(AM_PATH));
	memcpy(t->url, c->url, len);
	memcpy(t->url + len, AM_PATH, sizeof(AM_PATH));
	t->cafile = c->cafile != NULL ? xstrdup(c->cafile) : NULL;
	t->user = c->user != NULL ? xstrdup(c->user) : NULL;
	t->password = c->user != NULL ? am_strdup0(c->password) : NULL;
	t->hdrs = curl_slist_append(NULL, "Content-Type: application/json");
	if (t->hdrs == NULL)
		xalloc_fail();
	if (c->bearer != NULL) {
		char *h = xcalloc(1, strlen(c->bearer) + 32);
		struct curl_slist *l;

		sprintf(h, "Authorization: Bearer %s", c->bearer);
		l = curl_slist_append(t->hdrs, h);
		explicit_bzero(h, strlen(h));
		free(h);
		if (l == NULL)
			xalloc_fail();
	}
	t->kick_ev = evtimer_new(am->base, am_kick, t);
	t->retry_ev = evtimer_new(am->base, am_kick, t);
	t->resend_ev = event_new(am->base, -1, EV_PERSIST, am_resend, t);
	if (t->kick_ev == NULL || t->retry_ev == NULL || t->resend_ev == NULL)
		xalloc_fail();
	{
		struct timeval tv = rt_timeval(am->resend);

		evtimer_add(t->resend_ev, &tv);
	}
	return 0;
}

static double am_or(double v, double dflt)
{
	return v > 0 ? v : dflt;
}

struct am *am_new(struct event_base *base, const struct am_cfg *cfg, char *err, size_t errlen)
{
	struct am *am;
	char host[256];
	unsigned i;

	if (cfg->ntargets == 0 || cfg->ntargets > AM_MAX_TARGETS) {
		snprintf(err, errlen, "give 1 to %d Alertmanagers", AM_MAX_TARGETS);
		return NULL;
	}
	curl_global_init(CURL_GLOBAL_DEFAULT);
	am = xcalloc(1, sizeof(*am));
	am->base = base;
	am->resend = am_or(cfg->resend, 60);
	am->backoff_min = am_or(cfg->backoff_min, 1);
	am->backoff_max = am_or(cfg->backoff_max, 60);
	if (am->backoff_max < am->backoff_min)
		am->backoff_max = am->backoff_min;
	am->connect_ms = (long)(am_or(cfg->connect_timeout, 5) * 1000);
	am->timeout_ms = (long)(am_or(cfg->timeout, 10) * 1000);
	am->flush_ms = (long)(am_or(cfg->flush_timeout, 2) * 1000);
	am->max_alerts = cfg->max_alerts > 0 ? cfg->max_alerts : 1000;
	am->alerts = xcalloc(am->max_alerts, sizeof(*am->alerts));
	am->log = cfg->log;
	am->log_arg = cfg->log_arg;
	am->rng = ((uint64_t)time(NULL) << 20) ^ (uint64_t)getpid() ^ 0x9e3779b97f4a7c15ULL;
	if (cfg->instance != NULL)
		am->instance = xstrdup(cfg->instance);
	else {
		if (gethostname(host, sizeof(host)) != 0)
			snprintf(host, sizeof(host), "localhost");
		host[sizeof(host) - 1] = '\0';
		am->instance = xstrdup(host);
	}
	am->generator_url = am_strdup0(cfg->generator_url);
	am->heartbeat = xstrdup(cfg->heartbeat != NULL ? cfg->heartbeat : AM_HEARTBEAT);
	am->cev = cev_new(base, am_ended, am);
	for (i = 0; i < cfg->ntargets; i++) {
		am->ntargets = i + 1;
		if (am_target_init(am, i, &cfg->targets[i], err, errlen) != 0) {
			am->log = NULL;
			am_free(am);
			return NULL;
		}
	}
	if (!am_utf8_ok(am->instance) || !am_utf8_ok(am->generator_url) || !am_utf8_ok(am->heartbeat)) {
		snprintf(err, errlen, "the instance, generator URL or heartbeat name is not UTF-8");
		am->log = NULL;
		am_free(am);
		return NULL;
	}
	if (*am->heartbeat) {
		char summary[300];

		snprintf(summary, sizeof(summary), "upsplan on %s is running", am->instance);
		am_fire(am, am->heartbeat, "", "", "none", summary);
	}
	return am;
}

/* the final flush: what is pending posted once to each Alertmanager, within flush_ms */
static void am_flush(struct am *am)
{
	double end = rt_monotonic() + (double)am->flush_ms / 1000;
	CURLM *m = curl_multi_init();
	unsigned i;
	int running = 0, n = 0;
	CURLMsg *msg;

	if (m == NULL)
		return;
	for (i = 0; i < am->ntargets; i++)
		if (am->targets[i].url != NULL && am_req_start(&am->targets[i], m, am->flush_ms) > 0)
			n++;
	while (n > 0) {
		double left = end - rt_monotonic();

		if (curl_multi_perform(m, &running) != CURLM_OK || running == 0 || left <= 0)
			break;
		curl_multi_poll(m, NULL, 0, (int)(left * 1000) + 1, NULL);
	}
	while ((msg = curl_multi_info_read(m, &running)) != NULL) {
		struct am_target *t = NULL;
		char why[CURL_ERROR_SIZE + 4 * AM_EXCERPT + 128];

		if (msg->msg != CURLMSG_DONE)
			continue;
		curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, (char **)&t);
		if (t != NULL && !am_outcome(t, msg->data.result, why, sizeof(why)))
			am_log(am, LOG_WARNING, "alertmanager %s: the last %zu alert(s) not accepted: %s",
			       t->url, t->nids, why);
		if (t != NULL)
			am_req_end(t, m, 1);
	}
	for (i = 0; i < am->ntargets; i++)
		if (am->targets[i].easy != NULL) {
			am_log(am, LOG_WARNING, "alertmanager %s: the last %zu alert(s) not sent within %.1f s",
			       am->targets[i].url, am->targets[i].nids, (double)am->flush_ms / 1000);
			am_req_end(&am->targets[i], m, 1);
		}
	curl_multi_cleanup(m);
}

void am_free(struct am *am)
{
	am_close(am, AM_KEEP_NONE);
}

void am_close(struct am *am, enum am_keep keep)
{
	unsigned i;
	size_t j;

	if (am == NULL)
		return;
	/* the live requests stopped, their alerts pending again */
	for (i = 0; i < am->ntargets; i++)
		if (am->targets[i].easy != NULL)
			am_req_end(&am->targets[i], cev_multi(am->cev), 0);
	cev_free(am->cev);
	am->cev = NULL;
	for (j = 0; j < am->nalerts; j++)
		if (am->alerts[j]->ends == 0 && (keep == AM_KEEP_NONE ||
						 (keep == AM_KEEP_FIRING && strcmp(am->alerts[j]->name, am->heartbeat) == 0))) {
			am->alerts[j]->ends = am_now();
			am->alerts[j]->dirty = am_all_targets(am);
		}
	am_flush(am);
	for (i = 0; i < am->ntargets; i++) {
		struct am_target *t = &am->targets[i];

		if (t->kick_ev != NULL)
			event_free(t->kick_ev);
		if (t->retry_ev != NULL)
			event_free(t->retry_ev);
		if (t->resend_ev != NULL)
			event_free(t->resend_ev);
		curl_slist_free_all(t->hdrs);
		free(t->url);
		free(t->cafile);
		free(t->user);
		if (t->password != NULL)
			explicit_bzero(t->password, strlen(t->password));
		free(t->password);
		free(t->ids);
	}
	while (am->nalerts > 0)
		am_remove_at(am, 0);
	free(am->alerts);
	free(am->instance);
	free(am->generator_url);
	free(am->heartbeat);
	free(am);
}
