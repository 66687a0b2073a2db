/* SPDX-License-Identifier: GPL-2.0-or-later */
/* daemon-int.h - what the files of the monitoring loop share: the daemon's state, and the functions one calls in another. */
#ifndef UPSPLAN_DAEMON_INT_H
#define UPSPLAN_DAEMON_INT_H

#include <event2/bufferevent.h>
#include <event2/dns.h>
#include <event2/event.h>
#include <openssl/ssl.h>

#include "engine/engine.h"
#include "runtime/daemon/actions.h"
#include "runtime/daemon/alerts.h"
#include "runtime/daemon/daemon.h"
#include "runtime/common/monotonic.h"
#include "runtime/common/sim-trace.h"
#include "runtime/daemon/statefile.h"
#include "runtime/daemon/upsd-conn.h"

/* The signals the monitoring loop takes: TERM INT HUP USR1 USR2 CHLD PIPE. */
#define DM_NSIGS 7

/* One loaded plan with everything built from it. */
struct dm_plan {
	struct plan_image img;
	struct engine eng;
	SSL_CTX **ctx;		/* per group */
	struct uc_gate **gates;	/* per group: connections being made to its upsd */
	struct uc **conns;	/* per UPS */
	struct uc_poller **pollers;	/* per group: the poll connection of its upsd (none with --check-only) */
	unsigned char *charge_told;	/* per UPS: "battery.charge not known yet" was logged */
	double *answer_at;	/* per UPS: when its last poll was answered (the engine's clock), 0 never */
	time_t loaded;		/* wall clock, when it was loaded */
	uint64_t sum;		/* its checksum (sf_checksum()) */
};

struct daemon {
	const struct dm_options *o;
	struct event_base *base;
	struct evdns_base *dns;
	struct dm_plan *p;
	struct actions *act;
	struct event *tick, *timer, *sig[DM_NSIGS];
	struct bufferevent *ps;		/* the root parent, or NULL */
	double t0;			/* monotonic origin */
	double tick_at, tick_every;	/* last tick, its interval */
	struct vm_event cur;		/* the event the effects being traced belong to */
	struct sim_trace tr;
	int tracing;
	int exiting;
	uint32_t gen;			/* generation of the running plan (the root parent's numbering) */
	uint32_t open;			/* connections not yet closed after LOGOUT */
	uint32_t checked, check_failed;	/* --check-only */
	uint8_t *seen;			/* --check-only: UPS whose first attempt ended */
	struct event *watchdog;
	int status;
	char sd_status[160];		/* the last STATUS= sent to the service manager */
	struct sf_latch shut;		/* a SHUTDOWNCMD runs, or ended with status 0; where, the request */
	int shut_again;			/* shut holds a request that was running when the daemon stopped */
	pid_t shut_pid;			/* that command without a root parent */
	struct sf_file sf;		/* the state file, when sf_on */
	int sf_on;
	uint64_t checksum;		/* of the running plan, for the state file */
	struct event *sf_ev;		/* writes it after the events being handled */
	struct sf_hold hold;		/* state adopted: timer expiries wait for the first polls */
	int stopped;			/* SHUTDOWNEXIT: out of upsd after the SHUTDOWNCMD started or succeeded; no polls, no handlers */
	int exit_due;			/* SHUTDOWNEXIT yes: the logout runs at the loop's next turn, no handlers till then */
	struct event *exit_ev;		/* SHUTDOWNEXIT's delay, or that next turn */
	struct ctl *ctl;		/* the control socket (control.c), or NULL */
	struct dm_metrics *mx;		/* --metrics (dm-metrics.h), or NULL */
	struct dm_webhook *wh;		/* --webhook (dm-webhook.h), or NULL */
	struct alerts *al;		/* ALERT and RESOLVE (alerts.c) */
};

/* No more handlers: logged out after the SHUTDOWNCMD started, or about to be. */
static inline int dm_halted(const struct daemon *d)
{
	return d->stopped || d->exit_due;
}

/* Seconds since the daemon started (the engine's clock). */
static inline double dm_now(const struct daemon *d)
{
	return rt_monotonic() - d->t0;
}

/* daemon.c */
/* Write the state file now, when something changed (see sf_save()). */
void dm_save(struct daemon *d);
/* SETFSD (act_host's setfsd, and upsplan ctl fsd): FSD for UPS, sent to its upsd; -1 when not logged in. */
int dm_setfsd(void *ctx, uint32_t ups);
/* Swap in the plan IMG (taken over); -1 when it cannot be used (the running plan is kept). */
int dm_reload(struct daemon *d, struct plan_image *img);
/* LOGOUT on every connection, then the loop ends (at most 3 s). */
void dm_logout_all(struct daemon *d);
/* SHUTDOWNEXIT: no polls, no timers, no poll connections, LOGOUT on every connection; the loop goes on. */
void dm_disconnect(struct daemon *d);
/* After dm_disconnect(): log in again, poll and run the timers (those due meanwhile at once). */
void dm_reconnect(struct daemon *d);
/* The engine ran rules outside a poll or a timer (an alert): the next timer armed, the state file written soon. */
void dm_ran(struct daemon *d);

/* dm-plan.c: a plan's parts */
/* Engine, TLS contexts and connections for IMG (taken over), with the callbacks EH and UH; NULL when a CERTFILE cannot be loaded. */
struct dm_plan *dm_plan_new(struct daemon *d, struct plan_image *img, const struct eng_host *eh, const struct uc_host *uh);
void dm_plan_free(struct dm_plan *p);
/* Close the poll connections of P: the UPS poll on their own connections (if ever again). */
void dm_free_pollers(struct dm_plan *p);
/* The poll connection of each group's upsd, joined by the connections of its UPS (not connected yet). */
void dm_pollers_new(struct daemon *d, struct dm_plan *p);
/* Connect every UPS, then every poll connection (the logins come first). */
void dm_connect_all(struct daemon *d);
/* The upsd servers (the groups with a UPS) of IMG. */
uint32_t dm_upsd_count(const struct plan_image *img);
/* UPS U of IMG as its connection's messages name it (name@host:port), in BUF. */
const char *dm_label(const struct plan_image *img, uint32_t u, char *buf, size_t len);

/* daemon-ps.c: the monitoring process's side of the root parent */
/* Tell the service manager STATE: through the root parent (systemd hears its main PID), or directly. */
void dm_notify(struct daemon *d, const char *state);
/* NOTIFY with a root parent: it runs the command as each desktop user (act_host's desktop). */
int dm_desktop(void *ctx, const char *text);
/* SHUTDOWNCMD (act_host's shutdown): through the root parent, or run here without one. */
void dm_shutdown(void *ctx, const struct vm_effect *e, const struct vm_event *ev);
/* SHUTDOWNEXIT's delay is over (an event callback with the daemon as ARG). */
void dm_exit_cb(evutil_socket_t fd, short what, void *arg);
/* A reload: a pending SHUTDOWNEXIT delay is the old plan's: armed again from the new plan's (no: never). */
void dm_shutdown_rearm(struct daemon *d);
/* The SHUTDOWNCMD asked for failed: logged in again when SHUTDOWNEXIT had logged out. */
void dm_shutdown_failed(struct daemon *d);
/* After a restart: the SHUTDOWNCMD that was running when the daemon stopped, asked for again. */
void dm_shutdown_again(struct daemon *d);
/* At the start: a SHUTDOWNCMD that succeeded in this boot keeps the daemon out of upsd (SHUTDOWNEXIT); 1 then. */
int dm_shutdown_adopted(struct daemon *d);
/* The root parent's socket: frames from it, and its end. */
void dm_ps_read(struct bufferevent *bev, void *arg);
void dm_ps_event(struct bufferevent *bev, short what, void *arg);

#endif
