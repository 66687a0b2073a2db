/* SPDX-License-Identifier: GPL-2.0-or-later */
/* alertmgr.h - the Alertmanager client: alerts posted to one or more Alertmanagers (API v2) by libcurl on the caller's libevent loop, never blocking it. */
#ifndef UPSPLAN_ALERTMGR_H
#define UPSPLAN_ALERTMGR_H

#include <stddef.h>

struct event_base;

/*
 * What the client does
 *
 * Every alert is known by (alertname, ups).  Its labels are alertname, ups
 * and group (each left out when empty), instance (the host name unless
 * configured) and severity; its annotation is summary.  am_fire() makes it
 * firing: startsAt is the time of the first fire, endsAt now + 3 x resend
 * at each post, and it is posted again every resend seconds, so that an
 * Alertmanager resolves it by itself when upsplan dies.  Firing it again
 * updates its summary (same alert); a new severity or group gives new
 * labels, so the alert under the old labels is resolved.  am_resolve()
 * posts it with endsAt = the time of the call, to each Alertmanager until
 * that one accepted it (an HA pair gets every alert), or until
 * 3 x resend after the resolve (the Alertmanager has resolved it itself by
 * then).
 *
 * Each Alertmanager (up to AM_MAX_TARGETS) has its own state: one request
 * in flight at most, all its pending alerts in one POST array, and after a
 * failure (connection, timeout, TLS, a non-2xx answer) a retry after an
 * exponential back-off with jitter (backoff_min .. backoff_max seconds).
 * Connections time out after 5 s, requests after 10 s.  TLS: peer and host
 * verified, TLS 1.2 or newer, CA file or the system's.  Proxies are not
 * used.  No more than max_alerts alerts are kept: the oldest resolved is
 * dropped first (logged); when all are firing, a new one is refused.
 *
 * The heartbeat
 *
 * While the client lives, it keeps one more alert firing, named
 * AM_HEARTBEAT ("UpsplanHeartbeat", the Watchdog pattern) with labels
 * alertname, instance and severity "none", re-posted every resend seconds.
 * Its absence means that upsplan (or its way to the Alertmanager) is dead:
 * route it to a dead man's switch that pages when it stops hearing it,
 * for example:
 *
 *	route:
 *	  routes:
 *	    - matchers: ['alertname="UpsplanHeartbeat"']
 *	      receiver: deadman
 *	      group_wait: 0s
 *	      group_interval: 1m
 *	      repeat_interval: 1m
 *	receivers:
 *	  - name: deadman
 *	    webhook_configs: [{url: 'https://deadman.example/ping/upsplan'}]
 *
 * and keep it out of the other receivers (inhibit nothing with it).
 * am_free() resolves it with the other alerts (a clean stop is also the
 * end of the monitoring).
 */

#define AM_HEARTBEAT		"UpsplanHeartbeat"
#define AM_MAX_TARGETS		16

/* log levels of the callback: syslog's */
typedef void am_log_fn(void *arg, int level, const char *msg);

/* one Alertmanager */
struct am_target_cfg {
	const char *url;	/* http:// or https:// base, no user:password@ */
	const char *cafile;	/* NULL: the system's CAs */
	const char *bearer;	/* NULL or a bearer token */
	const char *user;	/* NULL or basic authentication */
	const char *password;
};

struct am_cfg {
	const struct am_target_cfg *targets;
	size_t ntargets;		/* 1 .. AM_MAX_TARGETS */
	const char *instance;		/* NULL: the host name */
	const char *generator_url;	/* NULL: none */
	const char *heartbeat;		/* NULL: AM_HEARTBEAT; "": none */
	double resend;			/* seconds; 0: 60 */
	double backoff_min;		/* seconds; 0: 1 */
	double backoff_max;		/* seconds; 0: 60 */
	double connect_timeout;		/* seconds; 0: 5 */
	double timeout;			/* seconds; 0: 10 */
	double flush_timeout;		/* am_free()'s bound, seconds; 0: 2 */
	size_t max_alerts;		/* 0: 1000 */
	am_log_fn *log;			/* NULL: no log */
	void *log_arg;
};

struct am;

/*
 * A client on BASE for CFG (copied), or NULL with the reason in ERR (a
 * URL that is not http(s), credentials in a URL, a token with control
 * characters ...).  Posts the heartbeat at once.
 */
struct am *am_new(struct event_base *base, const struct am_cfg *cfg,
		  char *err, size_t errlen);

/*
 * Alert ALERTNAME for UPS (NULL or "": none) firing, with GROUP (NULL or
 * "": none), SEVERITY (NULL or "": "warning") and SUMMARY.  0, or -1
 * (logged) when a text is not UTF-8 or the table is full of firing alerts.
 */
int am_fire(struct am *am, const char *alertname, const char *ups,
	    const char *group, const char *severity, const char *summary);

/* Alert ALERTNAME for UPS resolved: 0, or -1 when it is not firing. */
int am_resolve(struct am *am, const char *alertname, const char *ups);

/* The number of alerts firing, the heartbeat included. */
size_t am_firing(const struct am *am);

/*
 * Resolves every alert, posts what is pending once more (at most
 * flush_timeout seconds; this blocks), frees AM.  NULL: nothing.
 */
void am_free(struct am *am);

/* What am_close() leaves firing: its alerts are left to their endsAt (3 x resend after their last post). */
enum am_keep {
	AM_KEEP_NONE,		/* nothing: every alert resolved (am_free()) */
	AM_KEEP_FIRING,		/* the firing alerts but the heartbeat: a program stopping that another may take over from */
	AM_KEEP_ALL,		/* the heartbeat too: a new program, with new settings, takes over now */
};

/* am_free(), leaving what KEEP says firing. */
void am_close(struct am *am, enum am_keep keep);

#endif
