/* SPDX-License-Identifier: GPL-2.0-or-later */
/* daemon.c - upsplan run's loop on libevent: one connection per UPS, polls on the plan's cadence, timers, actions, signals, reloads. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/wait.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/dns.h>
#include <event2/event.h>
#include <openssl/err.h>

#include "engine/engine.h"
#include "base/xalloc.h"
#include "runtime/daemon/bev-out.h"
#include "runtime/daemon/control.h"
#include "runtime/daemon/daemon.h"
#include "runtime/daemon/daemon-int.h"
#include "runtime/daemon/dm-metrics.h"
#include "runtime/daemon/dm-webhook.h"
#include "runtime/daemon/fdlimit.h"
#include "runtime/daemon/log.h"
#include "runtime/common/monotonic.h"
#include "runtime/daemon/privsep.h"
#include "runtime/common/safe-file.h"
#include "runtime/common/sim-trace.h"
#include "runtime/daemon/statefile.h"
#include "runtime/daemon/tls.h"
#include "runtime/daemon/upsd-conn.h"

static void dm_arm(struct event *ev, double seconds)
{
	struct timeval tv = rt_timeval(seconds);

	evtimer_add(ev, &tv);
}

/* The next timer deadline of the plan, if any, armed on the loop (while holding, not before the hold ends). */
static void dm_arm_timer(struct daemon *d)
{
	double deadline;

	if (eng_next_deadline(&d->p->eng, &deadline))
		dm_arm(d->timer, (d->hold.on && deadline < d->hold.until ? d->hold.until : deadline) - dm_now(d));
	else if (d->hold.on && d->shut_again)	/* the end of the hold asks for a SHUTDOWNCMD */
		dm_arm(d->timer, d->hold.until - dm_now(d));
	else
		evtimer_del(d->timer);
}

/* Write the state file now, when something changed (see sf_save()). */
void dm_save(struct daemon *d)
{
	if (!d->sf_on)
		return;
	sf_save(&d->sf, &d->p->eng, d->o->plan, d->checksum, dm_now(d), &d->shut);
}

static void dm_save_cb(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	dm_save(arg);
}

/* Write the state file after the events being handled: the answers of one poll round come together. */
static void dm_save_soon(struct daemon *d)
{
	if (d->sf_on && !evtimer_pending(d->sf_ev, NULL))
		dm_arm(d->sf_ev, 0);
}

void dm_ran(struct daemon *d)
{
	dm_arm_timer(d);
	dm_save_soon(d);
}

/* The engine's record of what happens: the trace, the walk-through, and the actions. */
/*
 * An action's text may show %(c)s, which is 999 while the UPS's
 * battery.charge is not known (before its first poll, or when upsd has
 * none): 999 is what UPSmon.py rendered, and simulate's output must stay
 * the same, so the value stays; once per UPS, the log says why.
 */
static void dm_charge_unknown(struct daemon *d, const struct vm_effect *e)
{
	struct dm_plan *p = d->p;
	char label[300];

	if (!e->text || e->ups >= p->img.ups.n || p->charge_told[e->ups] || !strstr(e->text, "999") ||
	    st_getvar(&p->eng.state, e->ups, "battery.charge"))
		return;
	p->charge_told[e->ups] = 1;
	log_msg(LOG_NOTICE, "UPS %s: battery.charge not known yet (no poll has answered it): %%(c)s is 999 until it is",
		dm_label(&p->img, e->ups, label, sizeof(label)));	/* as the connection's messages name it */
}

static void dm_on_trace(void *ctx, const struct eng_trace *t)
{
	struct daemon *d = ctx;
	const struct plan_image *img = &d->p->img;

	if (d->tracing) {
		sim_trace_line(&d->tr, t);
		sim_trace_flush(&d->tr);
	}
	switch (t->kind) {
	case ENG_EVENT:
		d->cur = (struct vm_event){ t->ups, t->pair, IMG_NONE, t->time };
		log_debug(1, "UPS %s: event %s", vm_ups_display(d->p->eng.vm, t->ups), ev_pair_name(t->pair));
		break;
	case ENG_LEVEL:
		d->cur = (struct vm_event){ t->ups, t->pair, IMG_NONE, t->time };
		log_debug(1, "UPS %s: level rule %u %s", vm_ups_display(d->p->eng.vm, t->ups),
			  (t->pair - VM_LEVEL_PAIRS_BASE) / 2, (t->pair - VM_LEVEL_PAIRS_BASE) % 2 ? "ceases" : "becomes true");
		break;
	case ENG_ALERT:		/* an alert rule's run has no UPS */
		d->cur = (struct vm_event){ IMG_NONE, t->pair, IMG_NONE, t->time };
		log_debug(1, "alert rule %u: %s", (t->pair - VM_ALERT_PAIRS_BASE) / 2,
			  (t->pair - VM_ALERT_PAIRS_BASE) % 2 ? "firing" : "resolved");
		break;
	case ENG_EXPIRY:
		d->cur = (struct vm_event){ 0, 0, t->timer, t->time };
		log_debug(1, "timer %s expired", img_bytes(img, img->timers.v[t->timer]));
		break;
	case ENG_UNKNOWN_VAR: {
		struct img_str v = img->vars.v[t->var];
		int nl = v.len == strlen(IMG_VAR_NUMLOGINS) && memcmp(img_bytes(img, v), IMG_VAR_NUMLOGINS, v.len) == 0;
		log_msg(LOG_NOTICE, "UPS %s: %.*s is not known (%s): "
			"the conditions comparing it are false, and texts show it as " IMG_VAR_UNKNOWN ", until it is",
			vm_ups_display(d->p->eng.vm, t->ups), (int)v.len, img_bytes(img, v),
			nl ? "upsd has not answered GET NUMLOGINS with a count yet" :
			     "upsd has no such variable, or has not answered it yet");
		break;
	}
	case ENG_EFFECT: {
		struct vm_event ev = d->cur;
		ev.ups = t->effect->ups;
		if (log_debug_level() >= 1) {
			char where[160];
			log_debug(1, "%s at %s%s%s", vm_effect_name(t->effect->kind),
				  act_where(img, t->effect, where, sizeof(where)), t->effect->text ? ": " : "",
				  t->effect->text ? t->effect->text : "");
		}
		dm_charge_unknown(d, t->effect);
		dm_mx_action(d, t->effect->kind);	/* none with --check-only: no metrics */
		if (!d->o->check_only)
			act_run(d->act, t->effect, &ev);
		break;
	}
	}
}

static void dm_on_result(void *ctx, uint32_t ups, const struct st_poll *p)
{
	struct daemon *d = ctx;
	double before = eng_poll_interval(&d->p->eng), after;

	if (d->exiting || dm_halted(d))
		return;
	if (!p->answered) {
		log_debug(2, "UPS %s: no answer", vm_ups_display(d->p->eng.vm, ups));
	} else if (log_debug_level() >= 2) {
		char st[160], ch[64];	/* the server's bytes: escaped */
		log_debug(2, "UPS %s: ups.status \"%s\" battery.charge %s", vm_ups_display(d->p->eng.vm, ups),
			  log_esc(st, sizeof(st), p->status ? p->status : "", p->status ? strlen(p->status) : 0),
			  p->charge ? log_esc(ch, sizeof(ch), p->charge, strlen(p->charge)) : "unknown");
	}
	if (p->answered)
		d->p->answer_at[ups] = dm_now(d);	/* its age in upsplan status */
	dm_mx_poll(d, ups, p->answered);
	eng_poll(&d->p->eng, ups, p, dm_now(d));
	sf_hold_polled(&d->hold, ups);	/* after its events: an OB->OL cancels a timer before it can expire */
	if (!d->hold.on)
		dm_shutdown_again(d);
	dm_arm_timer(d);
	dm_save_soon(d);
	/* on battery now: the next tick comes at the alert cadence */
	after = eng_poll_interval(&d->p->eng);
	if (after < before) {
		double wait = d->tick_at + after - dm_now(d);
		d->tick_every = after;
		dm_arm(d->tick, wait > 0 ? wait : 0);	/* overdue at the alert cadence: poll now */
	}
}

/* How many UPS of IMG are reached in plain text (TLS NONE). */
static uint32_t dm_plain_ups(const struct plan_image *img)
{
	uint32_t n = 0;

	for (uint32_t u = 0; u < img->ups.n; u++)
		n += img->groups.v[img->ups.v[u].group].tls_mode == IMG_TLS_NONE;
	return n;
}

static void dm_check_done(struct daemon *d)
{
	if (d->checked + d->check_failed < d->p->img.ups.n)
		return;
	if (d->check_failed)
		log_msg(LOG_ERR, "check: %u of %u UPS could not be reached or logged in to", d->check_failed,
			d->p->img.ups.n);
	else if (!dm_plain_ups(&d->p->img))
		log_msg(LOG_NOTICE, "check: all %u UPS reached over TLS and logged in to", d->p->img.ups.n);
	else
		log_msg(LOG_NOTICE, "check: all %u UPS reached and logged in to (%u of them in plain text on loopback: TLS NONE)",
			d->p->img.ups.n, dm_plain_ups(&d->p->img));
	d->status = d->check_failed ? 1 : 0;
	event_base_loopexit(d->base, NULL);
}

static void dm_on_state(void *ctx, uint32_t ups, int ready)
{
	struct daemon *d = ctx;

	if (!d->o->check_only || d->exiting || d->seen[ups])
		return;
	d->seen[ups] = 1;	/* the first attempt of each UPS counts */
	if (ready)
		d->checked++;
	else
		d->check_failed++;
	dm_check_done(d);
}

static void dm_on_closed(void *ctx, uint32_t ups)
{
	struct daemon *d = ctx;

	(void)ups;
	if (d->open > 0 && --d->open == 0 && d->exiting)
		event_base_loopexit(d->base, NULL);
}

int dm_setfsd(void *ctx, uint32_t ups)
{
	struct daemon *d = ctx;
	int sent = d->p->conns[ups] && uc_fsd(d->p->conns[ups]) == 0;

	dm_mx_setfsd(d, sent);
	if (!sent)
		return -1;
	eng_note_fsd(&d->p->eng, ups);	/* for the state file's record */
	dm_save_soon(d);
	return 0;
}

/* STATUS= for systemctl status: how many UPS answer, how many are on battery; sent when it changes. */
static void dm_notify_status(struct daemon *d)
{
	const struct plan_image *img = &d->p->img;
	uint32_t lost = 0, onbatt = 0;
	char text[sizeof(d->sd_status)];

	for (uint32_t u = 0; u < img->ups.n; u++) {
		if ((d->p->eng.state.tables[u] >> SW_T_NOCOMM) & 1)
			lost++;
		else if (st_on_battery(&d->p->eng.state, u))
			onbatt++;
	}
	snprintf(text, sizeof(text), "STATUS=%u UPS: %u answering, %u on battery, %u out of reach", img->ups.n,
		 img->ups.n - lost, onbatt, lost);
	if (strcmp(text, d->sd_status) != 0) {
		memcpy(d->sd_status, text, sizeof(text));
		dm_notify(d, text);
	}
}

/* The plan's parts for IMG (taken over), with the daemon's callbacks (dm-plan.c); NULL when they cannot be built. */
static struct dm_plan *dm_build(struct daemon *d, struct plan_image *img)
{
	struct eng_host eh = { d, dm_on_trace };
	struct uc_host uh = { d, dm_on_result, dm_on_state, dm_on_closed };

	return dm_plan_new(d, img, &eh, &uh);
}

static void dm_tick(evutil_socket_t fd, short what, void *arg)
{
	struct daemon *d = arg;

	(void)fd;
	(void)what;
	if (dm_halted(d)) {
		/*
		 * Out of upsd (SHUTDOWNEXIT): no poll, but the state file is
		 * still refreshed, so that a daemon started again after a crash
		 * finds it young enough to adopt, and stays out of upsd.
		 */
		dm_arm(d->tick, d->tick_every);
		dm_save(d);
		return;
	}
	d->tick_at = dm_now(d);
	for (uint32_t u = 0; u < d->p->img.ups.n; u++)
		if (d->p->conns[u])
			uc_poll(d->p->conns[u]);
	d->tick_every = eng_poll_interval(&d->p->eng);
	dm_arm(d->tick, d->tick_every);
	dm_notify_status(d);
	dm_save(d);	/* a steady state writes nothing, but for a refresh now and then */
}

static void dm_watchdog(evutil_socket_t fd, short what, void *arg)
{
	struct daemon *d = arg;

	(void)fd;
	(void)what;
	dm_notify(d, "WATCHDOG=1");
	dm_arm(d->watchdog, d->o->watchdog);
}

static void dm_timer(evutil_socket_t fd, short what, void *arg)
{
	struct daemon *d = arg;

	(void)fd;
	(void)what;
	if (dm_halted(d))
		return;
	if (!sf_holding(&d->hold, dm_now(d))) {
		dm_shutdown_again(d);
		eng_expire(&d->p->eng, dm_now(d));
	}
	dm_arm_timer(d);
	dm_save(d);
}

/* SHUTDOWNEXIT: no polls (the tick only refreshes the state file), no timers, no poll connections, LOGOUT on every connection; the loop goes on. */
void dm_disconnect(struct daemon *d)
{
	evtimer_del(d->timer);
	dm_free_pollers(d->p);
	for (uint32_t u = 0; u < d->p->img.ups.n; u++)
		if (d->p->conns[u])
			uc_logout(d->p->conns[u]);	/* closed after it, and not retried */
}

/* After dm_disconnect(): log in again, poll and run the timers (those due meanwhile at once). */
void dm_reconnect(struct daemon *d)
{
	dm_pollers_new(d, d->p);
	dm_connect_all(d);
	d->tick_every = eng_poll_interval(&d->p->eng);
	dm_arm(d->tick, d->tick_every);
	dm_arm_timer(d);
}

void dm_logout_all(struct daemon *d)
{
	struct timeval tv = { 3, 0 };

	d->exiting = 1;
	evtimer_del(d->tick);
	evtimer_del(d->timer);
	dm_free_pollers(d->p);	/* no login: nothing to log out of */
	d->open = 0;
	for (uint32_t u = 0; u < d->p->img.ups.n; u++)
		if (d->p->conns[u])
			d->open++;
	if (d->open == 0) {
		event_base_loopexit(d->base, NULL);
		return;
	}
	for (uint32_t u = 0; u < d->p->img.ups.n; u++)
		if (d->p->conns[u])
			uc_logout(d->p->conns[u]);
	event_base_loopexit(d->base, &tv);	/* whatever happens, end within 3 s */
}

/* USR1: the state of every UPS and timer, in the log. */
static void dm_dump(struct daemon *d)
{
	const struct plan_image *img = &d->p->img;
	double now = dm_now(d);

	log_msg(LOG_NOTICE, "state: %u UPS, poll every %g s", img->ups.n, eng_poll_interval(&d->p->eng));
	for (uint32_t u = 0; u < img->ups.n; u++) {
		const struct st_ups *s = &d->p->eng.state.ups[u];
		uint32_t tables = d->p->eng.state.tables[u];
		const char *err = d->p->conns[u] ? uc_last_error(d->p->conns[u]) : "";
		char st[160], ch[64];	/* the server's bytes: escaped (the last error already is) */
		log_msg(LOG_NOTICE, "state: UPS %s: %s, ups.status \"%s\", battery.charge %s%s%s",
			vm_ups_display(d->p->eng.vm, u), (tables >> SW_T_NOCOMM) & 1 ? "NOCOMM" : "COMM",
			s->polled && s->status ? log_esc(st, sizeof(st), s->status, strlen(s->status)) : "(never polled)",
			s->charge_text[0] ? log_esc(ch, sizeof(ch), s->charge_text, strlen(s->charge_text)) : "unknown",
			err[0] ? "; last error: " : "", err);
	}
	for (uint32_t g = 0; g < img->groups.n; g++)
		if (d->p->pollers[g]) {
			const char *err = uc_poller_last_error(d->p->pollers[g]);
			log_msg(LOG_NOTICE, "state: group %s: polls %s%s%s", img_bytes(img, img->groups.v[g].name),
				uc_poller_ready(d->p->pollers[g]) ? "over one connection to its upsd" : "on each UPS's connection",
				err[0] ? "; last error of the poll connection: " : "", err);
		}
	for (uint32_t t = 0; t < img->timers.n; t++)
		if (tmr_running(&d->p->eng.timers, t))
			log_msg(LOG_NOTICE, "state: timer %s expires in %.1f s", img_bytes(img, img->timers.v[t]),
				d->p->eng.timers.deadline[t] - now);
}

/* USR2 (upsplan fsd; NUT's upsmon -c fsd): the built-in timer fsd expires now, its TIMEOUT clauses run. */
static void dm_operator_fsd(struct daemon *d)
{
	if (d->exiting || dm_halted(d) || d->o->check_only) {
		log_msg(LOG_NOTICE, "SIGUSR2 (operator FSD) ignored: the daemon is %s", d->exiting ? "stopping" :
			dm_halted(d) ? "out of upsd after a SHUTDOWNCMD (SHUTDOWNEXIT)" : "checking");
		return;
	}
	if (eng_fsd(&d->p->eng, dm_now(d)) != 0) {
		log_msg(LOG_WARNING, "SIGUSR2 (operator FSD): the plan has no WHEN ... TIMEOUT fsd clause: nothing to do");
		return;
	}
	log_msg(LOG_NOTICE, "SIGUSR2 (operator FSD): timer fsd expires now: its WHEN ... TIMEOUT fsd clauses run");
	dm_arm_timer(d);	/* due now: dm_timer() runs it (after the hold of an adopted state, as any timer) */
}

/* A new plan: swap it in, keeping UPS state and the timers whose names still exist. */
/* Swap in the plan IMG (taken over); -1 when it cannot be used (the running plan is kept). */
int dm_reload(struct daemon *d, struct plan_image *img)
{
	struct dm_plan *np, *old = d->p;

	if (d->exiting || d->o->check_only || dm_halted(d)) {	/* no new connections while logging out, logged out or checking */
		log_msg(LOG_NOTICE, "reload ignored: the daemon is %s", d->exiting ? "stopping" : dm_halted(d) ?
			"out of upsd after a SHUTDOWNCMD (SHUTDOWNEXIT)" : "checking");
		img_free(img);
		return -1;
	}
	{
		char msg[512];
		int raised = fd_raise(img, 0, msg, sizeof(msg));	/* a bigger plan may need more files */
		if (raised < 0) {
			log_msg(LOG_ERR, "reload: %s: the running plan is kept", msg);
			img_free(img);
			return -1;
		}
		if (raised > 0)
			log_msg(LOG_NOTICE, "reload: %s", msg);
	}
	np = dm_build(d, img);
	if (!np) {
		log_msg(LOG_ERR, "reload: the new plan cannot be used: the running plan is kept");
		return -1;
	}
	eng_adopt(&np->eng, &old->eng);
	dm_free_pollers(old);
	for (uint32_t u = 0; u < old->img.ups.n; u++)
		if (old->conns[u]) {
			uc_free(old->conns[u]);	/* upsd sees the socket close: its login is released */
			old->conns[u] = NULL;
		}
	if (d->tracing) {
		sim_trace_flush(&d->tr);
		free(d->tr.line);	/* sim_trace_open() starts afresh, on the same file */
		sim_trace_open(&d->tr, &np->img, np->eng.vm, 0, 0, d->tr.out);
	}
	d->p = np;
	act_set_image(d->act, &np->img);
	al_plan(d->al, &np->img);
	dm_plan_free(old);
	dm_mx_plan(d);
	if (d->hold.on)		/* new connections: every UPS of the new plan is polled afresh */
		sf_hold_start(&d->hold, np->img.ups.n, d->hold.until);
	dm_connect_all(d);
	dm_arm_timer(d);
	dm_shutdown_rearm(d);
	if (d->sf_on)
		d->checksum = np->sum;
	dm_save(d);
	if (!d->ps)	/* the root parent numbers its plans (PS_IMAGE); here, each reload */
		d->gen++;
	log_msg(LOG_NOTICE, "reload: the new plan runs (%u UPS)", np->img.ups.n);
	return 0;
}

static void dm_signal(evutil_socket_t sig, short what, void *arg)
{
	struct daemon *d = arg;

	(void)what;
	switch (sig) {
	case SIGTERM:
	case SIGINT:
		if (d->exiting)
			return;
		log_msg(LOG_NOTICE, "signal %d: logging out and stopping", (int)sig);
		dm_notify(d, "STOPPING=1");
		dm_logout_all(d);
		break;
	case SIGHUP:
		if (d->ps)	/* the privileged parent compiles and sends the plan */
			return;
		{
			struct plan_image ni;
			log_msg(LOG_NOTICE, "SIGHUP: compiling %s again", d->o->plan);
			if (ps_compile(d->o->plan, &d->o->po, &ni) != 0)
				return;	/* logged */
			dm_mx_reload(d, dm_reload(d, &ni) == 0);
		}
		break;
	case SIGUSR1:
		dm_dump(d);
		break;
	case SIGUSR2:
		dm_operator_fsd(d);
		break;
	case SIGCHLD: {
		pid_t pid;
		int st;
		while ((pid = waitpid(-1, &st, WNOHANG)) > 0) {
			if (al_reaped(d->al, pid, st))
				continue;
			act_reaped(d->act, pid, st);
			if (pid == d->shut_pid) {
				d->shut_pid = 0;
				if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) {
					d->shut.shutdown = SF_SHUT_NONE;
					dm_mx_shutdown(d, "failed");
					log_msg(LOG_ERR, "SHUTDOWNCMD at %s failed: a later SHUTDOWNCMD may run", d->shut.where);
					dm_shutdown_failed(d);
				} else {
					d->shut.shutdown = SF_SHUT_SUCCEEDED;
					dm_mx_shutdown(d, "succeeded");
				}
				dm_save(d);
			}
		}
		break;
	}
	}
}

void dm_hold_signals(int how)
{
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGHUP);
	sigaddset(&set, SIGUSR1);
	sigaddset(&set, SIGUSR2);
	sigprocmask(how, &set, NULL);
}

int dm_run(struct plan_image *img, const struct dm_options *o)
{
	struct daemon d;
	struct act_host ah;
	static const int sigs[DM_NSIGS] = { SIGTERM, SIGINT, SIGHUP, SIGUSR1, SIGUSR2, SIGCHLD, SIGPIPE };

	memset(&d, 0, sizeof(d));
	d.o = o;
	d.gen = o->gen;
	/* the reconnection jitter differs from host to host, so clients of one upsd do not retry in step */
	{
		unsigned seed;
		if (getrandom(&seed, sizeof(seed), GRND_NONBLOCK) != (ssize_t)sizeof(seed))
			seed = (unsigned)time(NULL) ^ (unsigned)getpid() << 16;
		srandom(seed);
	}
	d.t0 = rt_monotonic();
	/* here, not before the fork: the root parent never needs OpenSSL */
	if (OPENSSL_init_ssl(0, NULL) != 1) {
		char why[256];
		tls_failure(NULL, ERR_get_error(), "no reason given", why, sizeof(why));
		log_msg(LOG_ERR, "OpenSSL cannot be initialised: %s", why);
		img_free(img);
		return 1;
	}
	d.base = event_base_new();
	d.dns = d.base ? evdns_base_new(d.base, EVDNS_BASE_INITIALIZE_NAMESERVERS | EVDNS_BASE_DISABLE_WHEN_INACTIVE) : NULL;
	if (!d.dns) {
		/* no resolv.conf: names from /etc/hosts and addresses still work */
		d.dns = d.base ? evdns_base_new(d.base, 0) : NULL;
		if (d.dns)
			evdns_base_load_hosts(d.dns, NULL);
	}
	if (!d.base || !d.dns) {
		log_msg(LOG_ERR, "cannot start the event loop");
		img_free(img);
		return 1;
	}
	d.p = dm_build(&d, img);
	if (!d.p) {
		evdns_base_free(d.dns, 0);
		event_base_free(d.base);
		return 1;
	}
	ah = (struct act_host){ &d, dm_setfsd, dm_shutdown, dm_desktop, al_action };
	d.act = act_new(d.base, &o->act, &d.p->img, &ah);
	/* here: after the drop of privileges (a port below 1024 fails; the webhook's files are read as USER) */
	if (d.act && (dm_mx_start(&d) != 0 || dm_wh_start(&d) != 0)) {
		dm_mx_stop(&d);
		act_free(d.act);
		d.act = NULL;
	}
	if (!d.act) {
		dm_plan_free(d.p);
		evdns_base_free(d.dns, 0);
		event_base_free(d.base);
		return 1;
	}
	if (o->trace) {
		/* no link followed, no FIFO waited on: the file root prepared, or this user's own */
		char why[600];
		int fd = safe_open(o->trace, O_WRONLY | O_APPEND, 0640, geteuid(), geteuid(), NULL, why, sizeof(why));
		FILE *out = fd >= 0 ? fdopen(fd, "a") : NULL;

		if (out && sim_trace_open(&d.tr, &d.p->img, d.p->eng.vm, 0, 0, out) == 0) {
			setvbuf(d.tr.out, NULL, _IOLBF, 0);
			d.tracing = 1;
		} else {
			log_msg(LOG_ERR, "cannot open the trace file: %s", fd < 0 ? why : strerror(errno));
			if (out)
				fclose(out);
			else if (fd >= 0)
				close(fd);
		}
	}
	if (o->privsep_fd >= 0) {
		evutil_make_socket_nonblocking(o->privsep_fd);
		d.ps = bufferevent_socket_new(d.base, o->privsep_fd, BEV_OPT_CLOSE_ON_FREE);
		bufferevent_setcb(d.ps, dm_ps_read, NULL, dm_ps_event, &d);
		bufferevent_enable(d.ps, EV_READ | EV_WRITE);
	}
	for (int i = 0; i < DM_NSIGS; i++) {
		d.sig[i] = evsignal_new(d.base, sigs[i], dm_signal, &d);
		evsignal_add(d.sig[i], NULL);
	}
	dm_hold_signals(SIG_UNBLOCK);	/* handled from here: one that waited comes now */
	if (o->control_socket && o->control_fd >= 0)
		d.ctl = ctl_new(&d, o->control_fd);
	d.tick = evtimer_new(d.base, dm_tick, &d);
	d.timer = evtimer_new(d.base, dm_timer, &d);
	d.watchdog = evtimer_new(d.base, dm_watchdog, &d);
	d.exit_ev = evtimer_new(d.base, dm_exit_cb, &d);
	d.seen = xcalloc((size_t)d.p->img.ups.n + 1, 1);
	if (o->watchdog > 0)
		dm_arm(d.watchdog, o->watchdog);
	if (o->state_file && !o->check_only) {
		d.sf_on = 1;
		d.sf_ev = evtimer_new(d.base, dm_save_cb, &d);
		sf_init(&d.sf, o->state_file, o->state_max_age);
		d.checksum = d.p->sum;
		if (sf_adopt(&d.sf, &d.p->eng, d.checksum, dm_now(&d), &d.shut)) {
			if (d.shut.shutdown == SF_SHUT_RUNNING) {	/* asked for again after the hold */
				d.shut.shutdown = SF_SHUT_NONE;
				d.shut_again = 1;
			}
			/* at most until a poll and a connection step from now */
			sf_hold_start(&d.hold, d.p->img.ups.n, dm_now(&d) + eng_poll_interval(&d.p->eng) + UC_STEP_TIMEOUT);
		}
	}
	d.al = al_new(&d);
	if (!o->check_only) {	/* the helper (when the plan has ALERTMANAGER), fed the alerts of the state file */
		al_plan(d.al, &d.p->img);
		if (d.sf_on && d.sf.adopted_alerts)
			al_adopt(d.al, d.sf.adopted_alerts);
	}
	if (!o->check_only) {
		eng_start(&d.p->eng, 0);
		dm_arm_timer(&d);
		/* the first poll comes when each connection is up; then every POLLFREQ */
		d.tick_every = eng_poll_interval(&d.p->eng);
		dm_arm(d.tick, d.tick_every);
	}
	/* the start-up facts before any connection's own messages */
	log_msg(LOG_NOTICE, "monitoring %u UPS with plan %s, on %u upsd", d.p->img.ups.n, o->plan, dm_upsd_count(&d.p->img));
	if (!dm_shutdown_adopted(&d))	/* SHUTDOWNEXIT: no login after a SHUTDOWNCMD that succeeded in this boot */
		dm_connect_all(&d);
	dm_notify(&d, "READY=1");
	dm_save(&d);
	event_base_dispatch(d.base);
	dm_save(&d);	/* kept at a clean stop too: a restart within --state-max-age adopts it */

	if (d.tracing) {
		sim_trace_flush(&d.tr);
		fclose(d.tr.out);
		free(d.tr.line);
	}
	for (int i = 0; i < DM_NSIGS; i++)
		event_free(d.sig[i]);
	event_free(d.tick);
	event_free(d.timer);
	event_free(d.watchdog);
	event_free(d.exit_ev);
	if (d.sf_on) {
		event_free(d.sf_ev);
		sf_free(&d.sf);
	}
	sf_hold_free(&d.hold);
	ctl_free(d.ctl);
	free(d.seen);
	dm_wh_stop(&d);
	dm_mx_stop(&d);
	al_free(d.al);
	act_free(d.act);
	if (d.ps) {
		/* what is still queued for the root parent (STOPPING=1 after a stop that needed no LOGOUT) */
		bev_write_out(d.ps, 1);
		bufferevent_free(d.ps);
	}
	dm_plan_free(d.p);
	evdns_base_free(d.dns, 0);
	event_base_free(d.base);
	return d.status;
}
