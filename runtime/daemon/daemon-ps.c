/* SPDX-License-Identifier: GPL-2.0-or-later */
/* daemon-ps.c - the monitoring process's side of the root parent and of SHUTDOWNCMD: requests and their outcomes, reloaded plans, notifications. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>

#include <event2/buffer.h>

#include "base/xalloc.h"
#include "runtime/daemon/control.h"
#include "runtime/daemon/daemon-int.h"
#include "runtime/daemon/dm-metrics.h"
#include "runtime/daemon/log.h"
#include "runtime/daemon/privsep.h"
#include "runtime/daemon/sdnotify.h"

/* Tell the service manager STATE: through the root parent (systemd hears its main PID), or directly. */
void dm_notify(struct daemon *d, const char *state)
{
	if (d->ps) {
		struct ps_hdr h = { PS_NOTIFY, (uint32_t)strlen(state) };
		if (h.len > PS_NOTIFY_MAX)
			return;
		if (bufferevent_write(d->ps, &h, sizeof(h)) != 0 || bufferevent_write(d->ps, state, h.len) != 0)
			log_msg(LOG_ERR, "cannot pass a notification to the privileged process");
		return;
	}
	sd_notify_status(state);
}

/* NOTIFY with a root parent: it runs the command as each desktop user. */
int dm_desktop(void *ctx, const char *text)
{
	struct daemon *d = ctx;
	struct ps_hdr h = { PS_DESKTOP, 0 };

	if (!d->ps)
		return -1;
	h.len = (uint32_t)strnlen(text, PS_DESKTOP_MAX);
	if (bufferevent_write(d->ps, &h, sizeof(h)) != 0 || bufferevent_write(d->ps, text, h.len) != 0)
		log_msg(LOG_ERR, "NOTIFY cannot be passed to the privileged process");
	return 0;
}

/* Out of upsd (logged out, or never logged in): no polls, no handlers; the service manager hears STATUS. */
static void dm_halt(struct daemon *d, const char *status)
{
	d->stopped = 1;
	dm_disconnect(d);
	dm_notify(d, status);
	d->sd_status[0] = '\0';	/* sent again when monitoring resumes */
	dm_save(d);
}

/*
 * SHUTDOWNEXIT (language.md, daemon.md): NUT's upsmon leaves upsd when it
 * asks for its shutdown (its monitoring child exits), and a primary waits
 * for that (NUMLOGINS).  Here the monitoring process logs out of every
 * UPS, closes its poll connections and runs no more handlers, but stays
 * up until SIGTERM: if the SHUTDOWNCMD fails it logs in again (D-13).
 */
static void dm_exit_now(struct daemon *d)
{
	uint32_t n = 0;

	d->exit_due = 0;
	if (d->stopped || d->exiting || d->shut.shutdown == SF_SHUT_NONE)
		return;
	for (uint32_t u = 0; u < d->p->img.ups.n; u++)
		n += d->p->conns[u] && uc_ready(d->p->conns[u]);
	dm_halt(d, "STATUS=logged out of upsd: the SHUTDOWNCMD runs (SHUTDOWNEXIT)");
	log_msg(LOG_NOTICE, "SHUTDOWNEXIT: the SHUTDOWNCMD at %s %s: logged out of %u UPS, polls and rules stopped; "
		"waiting for SIGTERM (a failed SHUTDOWNCMD logs in again)", d->shut.where,
		d->shut.shutdown == SF_SHUT_SUCCEEDED ? "succeeded" : "runs", n);
}

/*
 * At the start, before any login: the state file says a SHUTDOWNCMD
 * succeeded in this boot, so this host is going down.  upsmon never comes
 * back after its shutdown, and a primary counting NUMLOGINS would wait for
 * a new login until HOSTSYNC: with SHUTDOWNEXIT yes or a delay, none is
 * made.  1 when the daemon stays out of upsd until SIGTERM.
 */
int dm_shutdown_adopted(struct daemon *d)
{
	if (d->shut.shutdown != SF_SHUT_SUCCEEDED || d->p->img.settings.shutdown_exit == IMG_SHUTDOWNEXIT_NO)
		return 0;
	log_msg(LOG_NOTICE, "SHUTDOWNEXIT: the SHUTDOWNCMD at %s succeeded in this boot: not logging in to upsd; "
		"waiting for SIGTERM", d->shut.where);
	dm_halt(d, "STATUS=not logged in to upsd: a SHUTDOWNCMD succeeded in this boot (SHUTDOWNEXIT)");
	return 1;
}

void dm_exit_cb(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	dm_exit_now(arg);
}

/* A SHUTDOWNCMD was asked for: SHUTDOWNEXIT says when to log out. */
static void dm_shutdown_started(struct daemon *d)
{
	double after = d->p->img.settings.shutdown_exit;

	if (after == IMG_SHUTDOWNEXIT_NO || d->stopped)
		return;
	if (after <= 0) {
		/*
		 * At the loop's next turn, not here: this runs inside a handler
		 * that a upsd reply (or a timer) started, and the logout frees
		 * the connection whose read is under way.  No handler runs
		 * meanwhile (dm_halted).
		 */
		if (!d->exit_due) {
			d->exit_due = 1;
			event_active(d->exit_ev, EV_TIMEOUT, 1);
		}
	} else if (!evtimer_pending(d->exit_ev, NULL)) {
		struct timeval tv = rt_timeval(after);
		log_msg(LOG_NOTICE, "SHUTDOWNEXIT: logging out of upsd in %g s unless the SHUTDOWNCMD fails", after);
		evtimer_add(d->exit_ev, &tv);
	}
}

void dm_shutdown_rearm(struct daemon *d)
{
	if (!evtimer_pending(d->exit_ev, NULL))
		return;
	evtimer_del(d->exit_ev);
	log_msg(LOG_NOTICE, "reload: SHUTDOWNEXIT's pending delay follows the new plan");
	dm_shutdown_started(d);
}

void dm_shutdown_failed(struct daemon *d)
{
	evtimer_del(d->exit_ev);	/* a delay, or the next turn's logout: neither comes */
	d->exit_due = 0;
	if (!d->stopped || d->exiting)
		return;
	d->stopped = 0;
	log_msg(LOG_WARNING, "SHUTDOWNEXIT: the SHUTDOWNCMD failed: logging in to upsd again, monitoring resumes");
	dm_reconnect(d);
	dm_save(d);
}

/*
 * SHUTDOWNCMD: at most one at a time, and none after one succeeded: this
 * host is going down (simulate ends there too).  One that failed lets a
 * later SHUTDOWNCMD run.
 */
void dm_shutdown(void *ctx, const struct vm_effect *e, const struct vm_event *ev)
{
	struct daemon *d = ctx;
	char where[128];

	act_where(&d->p->img, e, where, sizeof(where));
	if (d->shut.shutdown) {
		const char *how = d->shut.shutdown == SF_SHUT_RUNNING ? "runs" : "succeeded: this host is going down";

		dm_mx_shutdown(d, "refused");

		/* the same one asked for again (the same event once more) is named once */
		if (strcmp(where, d->shut.where) == 0)
			log_msg(LOG_WARNING, "SHUTDOWNCMD at %s not run again: it already %s", where, how);
		else
			log_msg(LOG_WARNING, "SHUTDOWNCMD at %s not run: the one at %s already %s", where,
				d->shut.where, how);
		act_note(d->act, ACT_FAILED, d->shut.shutdown == SF_SHUT_RUNNING ? "not run: a SHUTDOWNCMD runs" :
			 "not run: a SHUTDOWNCMD succeeded");
		return;
	}
	memset(&d->shut, 0, sizeof(d->shut));
	dm_mx_shutdown(d, "requested");
	d->shut.shutdown = SF_SHUT_RUNNING;
	snprintf(d->shut.where, sizeof(d->shut.where), "%s", where);
	d->shut.pc = e->pc;
	d->shut.ups = ev->ups;
	d->shut.pair = ev->pair;
	d->shut.timer = ev->timer;
	log_msg(LOG_CRIT, "SHUTDOWNCMD at %s: %s", where, e->text);
	dm_save(d);	/* before it runs: a restart must not run it again */
	if (d->ps) {
		struct ps_shutdown rq;
		/* an alert rule's run has no UPS (IMG_NONE) */
		const char *charge = ev->ups < d->p->img.ups.n ? st_getvar(&d->p->eng.state, ev->ups, "battery.charge") : NULL;
		struct ps_hdr h = { PS_SHUTDOWN, sizeof(rq) };
		memset(&rq, 0, sizeof(rq));
		rq.gen = d->gen;
		rq.pc = e->pc;
		rq.ups = ev->ups;
		rq.pair = ev->pair;
		rq.timer = ev->timer;
		rq.power_failing = ev->ups < d->p->img.ups.n && st_power_failing(&d->p->eng.state, ev->ups);
		snprintf(rq.charge, sizeof(rq.charge), "%s", charge ? charge : "");
		if (bufferevent_write(d->ps, &h, sizeof(h)) != 0 || bufferevent_write(d->ps, &rq, sizeof(rq)) != 0) {
			log_msg(LOG_CRIT, "SHUTDOWNCMD cannot be passed to the privileged process");
			act_note(d->act, ACT_FAILED, "cannot be passed to the root process");
		} else {
			act_note(d->act, ACT_RUNNING, "");	/* its outcome comes from the root parent (PS_DONE) */
			dm_shutdown_started(d);
		}
		return;
	}
	d->shut_pid = act_spawn(d->act, e, "SHUTDOWNCMD", (char *const *)e->argv, NULL);
	if (d->shut_pid < 0)
		d->shut.shutdown = SF_SHUT_NONE;
	else
		dm_shutdown_started(d);
}

/*
 * A SHUTDOWNCMD was running when the daemon stopped (the state file says
 * so): its outcome is unknown, and it may have been stopped with the
 * daemon (systemd stops the whole service).  Once the hold after the
 * restart ends, it is asked for again, rendered from the plan as then.
 */
void dm_shutdown_again(struct daemon *d)
{
	struct vm_event ev = { d->shut.ups, d->shut.pair, d->shut.timer, dm_now(d) };
	struct sf_latch was = d->shut;

	if (!d->shut_again || d->exiting)
		return;
	d->shut_again = 0;
	if (vm_render_shutdown(d->p->eng.vm, was.pc, &ev) != 1) {
		log_msg(LOG_CRIT, "the SHUTDOWNCMD at %s that was running when the daemon stopped is not in the plan: not asked for again",
			was.where);
		return;
	}
	log_msg(LOG_CRIT, "the SHUTDOWNCMD at %s was running when the daemon stopped: asked for again", was.where);
	dm_shutdown(d, vm_effects(d->p->eng.vm), &ev);
}

/* The outcome of a SHUTDOWNCMD from the root parent: the latch follows it. */
static void dm_ps_done(struct daemon *d, const struct ps_frame *f)
{
	struct ps_done done;
	/* also the outcome of a command another monitoring process asked for before it died */
	const char *where = d->shut.where[0] ? d->shut.where : "(asked for before a restart)";

	memcpy(&done, f->payload, sizeof(done));
	if (done.status == 0) {
		act_shutdown_done(d->act, 1, "");
	} else {
		char why[240];
		if (done.status == PS_DONE_LATCHED || done.status == PS_DONE_SUCCEEDED)
			snprintf(why, sizeof(why), "not run: %s", done.msg);
		else
			snprintf(why, sizeof(why), "%s%sstatus %d", done.msg, done.msg[0] ? "; " : "", done.status);
		act_shutdown_done(d->act, 0, why);
	}
	dm_mx_shutdown(d, done.status == PS_DONE_LATCHED || done.status == PS_DONE_SUCCEEDED ? "refused" :
			  done.status != 0 ? "failed" : "succeeded");
	if (done.status == PS_DONE_LATCHED || done.status == PS_DONE_SUCCEEDED) {
		log_msg(LOG_WARNING, "SHUTDOWNCMD at %s not run: %s", where, done.msg);
		/*
		 * The parent's latch: one succeeded in this boot (asked for by a
		 * monitoring process that died since).  So does this latch, or a
		 * restart would ask again; SHUTDOWNEXIT applied when it asked.
		 */
		if (done.status == PS_DONE_SUCCEEDED)
			d->shut.shutdown = SF_SHUT_SUCCEEDED;
	} else if (done.status != 0) {
		log_msg(LOG_ERR, "SHUTDOWNCMD at %s: %s%s%d; a later SHUTDOWNCMD may run", where, done.msg,
			done.msg[0] ? "; status " : "status ", done.status);
		d->shut.shutdown = SF_SHUT_NONE;
		dm_shutdown_failed(d);
	} else {
		if (!d->shut.where[0]) {	/* asked for by a monitoring process that died since */
			snprintf(d->shut.where, sizeof(d->shut.where), "%s", where);
			log_msg(LOG_NOTICE, "SHUTDOWNCMD %s: succeeded: this host is going down", where);
		}
		d->shut.shutdown = SF_SHUT_SUCCEEDED;
		dm_shutdown_started(d);	/* SHUTDOWNEXIT, for that one too (nothing more for one this process asked for) */
	}
	dm_save(d);
}

/* A reloaded plan from the root parent (generation, image): swap it in, and say whether it runs. */
static void dm_ps_image(struct daemon *d, const struct ps_frame *f)
{
	const unsigned char *p = f->payload;
	size_t len = f->len;
	struct plan_image ni;
	struct ps_ack ack = { 0, 0 };
	struct ps_hdr ah = { PS_ACK, sizeof(ack) };
	char err[512];

	memcpy(&ack.gen, p, sizeof(ack.gen));
	if (img_decode(p + sizeof(ack.gen), len - sizeof(ack.gen), 0, &ni, err, sizeof(err)) != 0 ||
	    img_verify(&ni, err, sizeof(err)) != 0)
		log_msg(LOG_ERR, "reload: the plan from the privileged process is unusable: %s", err);
	else if (dm_reload(d, &ni) == 0)
		ack.ok = 1;
	dm_mx_reload(d, ack.ok);
	if (ack.ok)
		d->gen = ack.gen;
	ctl_reload_done(d->ctl, ack.ok, "the monitoring process cannot use the new plan: the running plan is kept (the log says why)");
	/* the parent renders SHUTDOWNCMDs from the plan this says the child runs */
	if (bufferevent_write(d->ps, &ah, sizeof(ah)) != 0 || bufferevent_write(d->ps, &ack, sizeof(ack)) != 0)
		log_msg(LOG_CRIT, "the privileged process cannot be told which plan runs");
}

/* The reload this process asked for (upsplan ctl reload) was not done by the root parent: the waiting clients hear why. */
static void dm_ps_refused(struct daemon *d, const struct ps_frame *f)
{
	char why[PS_NOTIFY_MAX + 1];

	memcpy(why, f->payload, f->len);
	why[f->len] = '\0';
	ctl_reload_done(d->ctl, 0, why);
}

/* What the child does with each kind, by its number (privsep-frames.def); the kinds it sends have no handler. */
typedef void dm_ps_handler_fn(struct daemon *d, const struct ps_frame *f);

#define dm_ps_on_SHUTDOWN NULL
#define dm_ps_on_DONE dm_ps_done
#define dm_ps_on_IMAGE dm_ps_image
#define dm_ps_on_NOTIFY NULL
#define dm_ps_on_DESKTOP NULL
#define dm_ps_on_ACK NULL
#define dm_ps_on_RELOAD NULL
#define dm_ps_on_REFUSED dm_ps_refused

static dm_ps_handler_fn *const dm_ps_handlers[] = {
#define PS_FRAME(id, num, dir, min, max, meaning) [num] = dm_ps_on_##id,
#include "runtime/daemon/privsep-frames.def"
#undef PS_FRAME
};

/* Frames from the root parent: outcomes of shutdown commands, reloaded plans. */
void dm_ps_read(struct bufferevent *bev, void *arg)
{
	struct daemon *d = arg;
	struct evbuffer *in = bufferevent_get_input(bev);

	for (;;) {
		struct ps_hdr h;
		struct ps_frame f;
		const char *why = NULL;
		size_t have = evbuffer_get_length(in);
		long n;

		if (have < sizeof(h))
			return;
		evbuffer_copyout(in, &h, sizeof(h));
		/* the header alone says whether it is malformed; then wait for the whole frame */
		n = ps_frame_take((const unsigned char *)&h, sizeof(h), PS_TO_CHILD, &f, &why);
		if (n == 0 && have >= sizeof(h) + h.len)
			n = ps_frame_take(evbuffer_pullup(in, (ev_ssize_t)(sizeof(h) + h.len)), sizeof(h) + h.len,
					  PS_TO_CHILD, &f, &why);
		if (n == 0)
			return;
		if (n < 0) {
			log_msg(LOG_CRIT, "the privileged process sent a malformed frame (kind %u, %u bytes: %s): stopping",
				h.kind, h.len, why);
			dm_ps_event(bev, BEV_EVENT_ERROR, d);
			return;
		}
		/* checked by ps_frame_take(): a kind of this direction, its length, its payload */
		if (f.kind < sizeof(dm_ps_handlers) / sizeof(dm_ps_handlers[0]) && dm_ps_handlers[f.kind])
			dm_ps_handlers[f.kind](d, &f);
		evbuffer_drain(in, (size_t)n);
	}
}

void dm_ps_event(struct bufferevent *bev, short what, void *arg)
{
	struct daemon *d = arg;

	(void)bev;
	(void)what;
	log_msg(LOG_ERR, "the privileged process is gone: stopping");
	bufferevent_free(d->ps);
	d->ps = NULL;
	d->status = 1;
	if (!d->exiting)
		dm_logout_all(d);
}
