/* SPDX-License-Identifier: GPL-2.0-or-later */
/* webhook.h - Alertmanager's webhook (version 4) received: the body parsed into (alertname, firing, labels), the bearer token checked, an evhttp handler. */
#ifndef UPSPLAN_WEBHOOK_H
#define UPSPLAN_WEBHOOK_H

#include <stddef.h>

struct evhttp_request;

#define WH_MAX_BODY	(256 * 1024)	/* bytes of a body, by default */
#define WH_MAX_ALERTS	1000		/* alerts of a body, by default */
#define WH_MAX_LABELS	64		/* labels of an alert */

struct wh_label {
	const char *name, *value;
};

/*
 * One alert of a notification: labels.alertname, and firing as
 * Alertmanager decides it from endsAt: the zero time
 * (0001-01-01T00:00:00Z) or a time after NOW is firing, a time at or
 * before NOW resolved.  The "status" fields are not used.
 */
struct wh_alert {
	const char *alertname;
	int firing;
	size_t nlabels;
	const struct wh_label *labels;	/* alertname among them */
};

struct wh_batch {
	size_t n;
	struct wh_alert *alerts;
	void *json;			/* holds the strings */
	struct wh_label *labels;
};

/*
 * BODY (LEN bytes) of a webhook_config notification: 0 and the alerts in
 * OUT (wh_batch_free() it), or -1 and why in ERR (for the 400 answer; it
 * may quote the input: escape it before logging).  Version "4" only;
 * every alert needs labels.alertname and endsAt (RFC 3339); at most
 * MAX_ALERTS alerts (0: WH_MAX_ALERTS).
 */
int wh_parse(const char *body, size_t len, double now, size_t max_alerts,
	     struct wh_batch *out, char *err, size_t errlen);
void wh_batch_free(struct wh_batch *b);

/*
 * S, an RFC 3339 time (fraction and offset optional, "T" and "Z" in any
 * case), as seconds since the epoch in T: 0, or -1 when it is not one.
 * The zero time of Go is WH_ZERO_TIME.
 */
int wh_time(const char *s, double *t);
#define WH_ZERO_TIME	(-62135596800.0)

typedef void wh_alert_fn(void *arg, const struct wh_alert *alert);
typedef void wh_log_fn(void *arg, int level, const char *msg);	/* syslog levels */
typedef void wh_reply_fn(void *arg, int code);	/* the status of each answer wh_handle() gives */

struct wh_cfg {
	const char *token;	/* the bearer token; NULL: no check */
	size_t max_body;	/* 0: WH_MAX_BODY */
	size_t max_alerts;	/* 0: WH_MAX_ALERTS */
	wh_alert_fn *on_alert;	/* per alert of an accepted body, in order;
				   its strings live until it returns */
	void *arg;
	wh_log_fn *log;		/* NULL: no log */
	void *log_arg;		/* also on_reply's */
	wh_reply_fn *on_reply;	/* NULL: none */
};

struct wh;

/* A receiver for CFG (copied), or NULL with ERR (a token with spaces or control characters). */
struct wh *wh_new(const struct wh_cfg *cfg, char *err, size_t errlen);
void wh_free(struct wh *wh);

/*
 * 1 when AUTHORIZATION (the header's value, NULL when absent) is
 * "Bearer TOKEN" with WH's token (the scheme in any case), compared in
 * constant time (SHA-256 digests of equal length); 1 when WH has no token.
 */
int wh_bearer_ok(const struct wh *wh, const char *authorization);

/*
 * The evhttp request handler (ARG: the struct wh).  Answers 405 (not a
 * POST; Allow: POST), 401 (token missing or wrong; WWW-Authenticate),
 * 415 (Content-Type not application/json), 413 (body over max_body), 400
 * (wh_parse() failed; the reason as text/plain), else calls on_alert for
 * each alert and answers 200.  Each refusal is logged (escaped).
 */
void wh_handle(struct evhttp_request *req, void *arg);

#endif
