/* SPDX-License-Identifier: GPL-2.0-or-later */
/* control.c - the monitoring process serves the control socket: one request line per client, one JSON document back (docs/status.md). */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <syslog.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/listener.h>
#include <jansson.h>

#include "base/xalloc.h"
#include "runtime/common/monotonic.h"
#include "runtime/daemon/control.h"
#include "runtime/daemon/control-int.h"
#include "runtime/daemon/daemon-int.h"
#include "runtime/daemon/log.h"
#include "runtime/daemon/privsep.h"

#define CTL_LOG_BURST 10	/* refusals logged a minute; the others are counted */

struct ctl_client {
	struct ctl *c;
	struct bufferevent *bev;
	pid_t pid;		/* SO_PEERCRED */
	uid_t uid;
	int answered;		/* the answer is queued: the client goes once it is written */
	int reloading;		/* waiting for the outcome of a reload */
	struct event *wait;	/* the limit of the request line (CTL_IDLE_WAIT), then of a reload's outcome */
	struct ctl_client *next;
};

struct ctl {
	struct daemon *d;
	struct evconnlistener *lis;
	struct ctl_client *clients;
	unsigned n;
	double reload_at;	/* when a reload was last asked for and taken (CTL_RELOAD_EVERY) */
	double log_window;	/* refusals: the minute being counted, and how many in it */
	unsigned logged, unlogged;
	struct event *pause;	/* accept() failed (no descriptor left): accepting again a second later */
};

/* Log a refused or closed client (the reason escaped by the caller), at most CTL_LOG_BURST a minute. */
static void ctl_refusal(struct ctl *c, const char *fmt, const char *what, long pid, long uid)
{
	double now = rt_monotonic();

	if (now - c->log_window >= 60) {
		if (c->unlogged)
			log_msg(LOG_WARNING, "control socket: %u more clients refused or closed in the last minute",
				c->unlogged);
		c->log_window = now;
		c->logged = c->unlogged = 0;
	}
	if (++c->logged > CTL_LOG_BURST) {
		c->unlogged++;
		return;
	}
	log_msg(LOG_WARNING, fmt, what, pid, uid);
}

static void ctl_client_free(struct ctl_client *cl)
{
	struct ctl_client **pp;

	for (pp = &cl->c->clients; *pp; pp = &(*pp)->next)
		if (*pp == cl) {
			*pp = cl->next;
			break;
		}
	cl->c->n--;
	if (cl->wait)
		event_free(cl->wait);
	bufferevent_free(cl->bev);
	free(cl);
}

/* The answer written: the connection closes (one request, one answer). */
static void ctl_written(struct bufferevent *bev, void *arg)
{
	struct ctl_client *cl = arg;

	if (cl->answered && evbuffer_get_length(bufferevent_get_output(bev)) == 0)
		ctl_client_free(cl);
}

/* Send DOC (taken over) to CL and close after it. */
static void ctl_answer(struct ctl_client *cl, json_t *doc)
{
	char *text = json_dumps(doc, JSON_INDENT(2) | JSON_SORT_KEYS);

	json_decref(doc);
	cl->answered = 1;
	cl->reloading = 0;
	bufferevent_disable(cl->bev, EV_READ);
	if (!text || bufferevent_write(cl->bev, text, strlen(text)) != 0 || bufferevent_write(cl->bev, "\n", 1) != 0) {
		free(text);
		ctl_client_free(cl);
		return;
	}
	free(text);
	/* a client that reads its answer slowly, or not at all, must not keep its place */
	{
		struct timeval tv = rt_timeval(CTL_WRITE_WAIT);
		evtimer_add(cl->wait, &tv);
	}
	bufferevent_enable(cl->bev, EV_WRITE);
}

static json_t *ctl_error(const char *fmt, const char *arg)
{
	char text[700];

	snprintf(text, sizeof(text), fmt, arg);
	return json_pack("{s:s}", "error", text);
}

/*
 * A client's time is up: no whole request line within CTL_IDLE_WAIT
 * (however slowly it sends), no reload outcome, or its answer not read
 * within CTL_WRITE_WAIT.
 */
static void ctl_late(evutil_socket_t fd, short what, void *arg)
{
	struct ctl_client *cl = arg;

	(void)fd;
	(void)what;
	if (cl->answered) {
		ctl_refusal(cl->c, "control socket: %s by pid %ld (uid %ld): closed", "the answer not read within 5 s",
			    (long)cl->pid, (long)cl->uid);
		ctl_client_free(cl);
		return;
	}
	if (cl->reloading) {
		ctl_answer(cl, json_pack("{s:s,s:s}", "reload", "unknown", "reason",
					 "no outcome within 20 s: the log says what became of it"));
		return;
	}
	ctl_refusal(cl->c, "control socket: %s from pid %ld (uid %ld): closed", "no whole request line within 2 s",
		    (long)cl->pid, (long)cl->uid);
	ctl_client_free(cl);
}

void ctl_reload_done(struct ctl *c, int ok, const char *reason)
{
	struct ctl_client *cl, *next;

	if (!c)
		return;
	for (cl = c->clients; cl; cl = next) {
		next = cl->next;	/* ctl_answer() may free CL */
		if (!cl->reloading)
			continue;
		if (ok)
			ctl_answer(cl, json_pack("{s:s,s:I}", "reload", "done", "generation", (json_int_t)c->d->gen));
		else
			ctl_answer(cl, json_pack("{s:s,s:s,s:I}", "reload", "refused", "reason", reason,
						 "generation", (json_int_t)c->d->gen));
	}
}

/* reload: through the root parent (PS_RELOAD: it compiles as for SIGHUP), or here. */
static void ctl_reload(struct ctl_client *cl)
{
	struct daemon *d = cl->c->d;
	struct timeval tv = rt_timeval(CTL_RELOAD_WAIT);
	double now = rt_monotonic();

	/* a client asking again and again neither keeps the loop compiling nor fills the log */
	if (cl->c->reload_at > 0 && now - cl->c->reload_at < CTL_RELOAD_EVERY) {
		ctl_refusal(cl->c, "control socket: %s by pid %ld (uid %ld): refused", "a reload asked for within 2 s of the last",
			    (long)cl->pid, (long)cl->uid);
		ctl_answer(cl, json_pack("{s:s,s:s,s:I}", "reload", "refused", "reason",
					 "asked again within 2 s of the last reload: not done", "generation", (json_int_t)d->gen));
		return;
	}
	cl->c->reload_at = now;
	log_msg(LOG_NOTICE, "control socket: reload asked by uid %ld (pid %ld)", (long)cl->uid, (long)cl->pid);
	if (d->exiting || dm_halted(d)) {
		ctl_answer(cl, ctl_error("the daemon is %s: no reload", d->exiting ? "stopping" :
					 "out of upsd after a SHUTDOWNCMD (SHUTDOWNEXIT)"));
		return;
	}
	if (!d->ps) {
		struct plan_image ni;
		int rc;
		log_msg(LOG_NOTICE, "control socket: compiling %s again", d->o->plan);
		rc = ps_compile(d->o->plan, &d->o->po, &ni);
		if (rc != 0) {
			ctl_answer(cl, json_pack("{s:s,s:s,s:I}", "reload", "refused", "reason", rc == 1 ?
						 "the plan has errors: the running plan is kept (the log has its diagnostics)" :
						 "the plan cannot be read: the running plan is kept (the log says why)",
						 "generation", (json_int_t)d->gen));
			return;
		}
		if (dm_reload(d, &ni) != 0) {
			ctl_answer(cl, json_pack("{s:s,s:s,s:I}", "reload", "refused", "reason",
						 "the new plan cannot be used: the running plan is kept (the log says why)",
						 "generation", (json_int_t)d->gen));
			return;
		}
		ctl_answer(cl, json_pack("{s:s,s:I}", "reload", "done", "generation", (json_int_t)d->gen));
		return;
	}
	cl->reloading = 1;
	evtimer_add(cl->wait, &tv);
	{
		struct ps_hdr h = { PS_RELOAD, 0 };
		if (bufferevent_write(d->ps, &h, sizeof(h)) != 0)
			ctl_answer(cl, ctl_error("%s", "the reload cannot be passed to the root process"));
	}
}

/* fsd UPS: FSD for a primary UPS of this plan, as its SETFSD actions send it. */
static void ctl_fsd(struct ctl_client *cl, const char *name)
{
	struct daemon *d = cl->c->d;
	const struct plan_image *img = &d->p->img;
	char esc[200];
	uint32_t u;

	log_esc(esc, sizeof(esc), name, strlen(name));
	for (u = 0; u < img->ups.n; u++)
		if (img->ups.v[u].name.len == strlen(name) && memcmp(img_bytes(img, img->ups.v[u].name), name, strlen(name)) == 0)
			break;
	if (u == img->ups.n) {
		ctl_answer(cl, ctl_error("this daemon monitors no UPS '%s'", esc));
		return;
	}
	if (img->ups.v[u].type != IMG_PRIMARY) {
		ctl_answer(cl, ctl_error("UPS '%s' is not monitored as primary here: only the primary (the host the UPS "
					 "feeds and talks to) sets FSD", esc));
		return;
	}
	log_msg(LOG_NOTICE, "control socket: FSD on UPS %s asked by uid %ld (pid %ld)", esc, (long)cl->uid, (long)cl->pid);
	if (d->exiting || dm_halted(d)) {
		ctl_answer(cl, ctl_error("the daemon is %s: FSD not sent", d->exiting ? "stopping" :
					 "out of upsd after a SHUTDOWNCMD (SHUTDOWNEXIT)"));
		return;
	}
	if (dm_setfsd(d, u) != 0) {
		ctl_answer(cl, ctl_error("FSD not sent: the connection to UPS '%s' is not logged in (see upsplan status)", esc));
		return;
	}
	ctl_answer(cl, json_pack("{s:s,s:s}", "fsd", "sent", "ups", name));
}

/* One request line (without its line feed). */
static void ctl_request(struct ctl_client *cl, const char *line)
{
	struct daemon *d = cl->c->d;
	char esc[200];

	if (strcmp(line, "status") == 0) {
		ctl_answer(cl, ctl_json_status(d));
	} else if (strcmp(line, "timers") == 0) {
		json_t *doc = json_object();
		json_object_set_new(doc, "timers", ctl_json_timers(d));
		ctl_answer(cl, doc);
	} else if (strcmp(line, "reload") == 0) {
		ctl_reload(cl);
	} else if (strncmp(line, "fsd ", 4) == 0 && line[4]) {
		ctl_fsd(cl, line + 4);
	} else {
		log_esc(esc, sizeof(esc), line, strlen(line));
		ctl_refusal(cl->c, "control socket: unknown request \"%s\" from pid %ld (uid %ld): answered with an error",
			    esc, (long)cl->pid, (long)cl->uid);
		ctl_answer(cl, ctl_error("unknown request \"%s\": the requests are status, timers, reload and fsd UPS", esc));
	}
}

static void ctl_read(struct bufferevent *bev, void *arg)
{
	struct ctl_client *cl = arg;
	struct evbuffer *in = bufferevent_get_input(bev);
	size_t n;
	char *line;

	if (cl->answered || cl->reloading)
		return;
	line = evbuffer_readln(in, &n, EVBUFFER_EOL_CRLF);
	if (line && n < CTL_LINE_MAX && strlen(line) == n) {
		ctl_request(cl, line);
		free(line);
		return;
	}
	if (line || evbuffer_get_length(in) >= CTL_LINE_MAX) {
		const char *why = line ? (strlen(line) != n ? "a request holding a NUL byte" : "a request line longer than 512 bytes") :
			"a request line longer than 512 bytes";
		free(line);
		ctl_refusal(cl->c, "control socket: %s from pid %ld (uid %ld): closed", why, (long)cl->pid, (long)cl->uid);
		ctl_answer(cl, ctl_error("%s: refused", why));
	}
}

static void ctl_event(struct bufferevent *bev, short what, void *arg)
{
	struct ctl_client *cl = arg;

	(void)bev;
	(void)what;
	ctl_client_free(cl);	/* the end of the connection, or an error */
}

static void ctl_resume(evutil_socket_t fd, short what, void *arg)
{
	struct ctl *c = arg;

	(void)fd;
	(void)what;
	evconnlistener_enable(c->lis);
}

static void ctl_accept_error(struct evconnlistener *lis, void *arg)
{
	struct ctl *c = arg;
	struct timeval tv = { 1, 0 };

	log_msg(LOG_ERR, "control socket: accept: %s: accepting again in 1 s", strerror(errno));
	evconnlistener_disable(lis);
	evtimer_add(c->pause, &tv);
}

static void ctl_accept(struct evconnlistener *lis, evutil_socket_t fd, struct sockaddr *sa, int salen, void *arg)
{
	struct ctl *c = arg;
	struct ctl_client *cl;
	struct ucred cred = { 0, (uid_t)-1, (gid_t)-1 };
	socklen_t clen = sizeof(cred);
	struct timeval tv = rt_timeval(CTL_IDLE_WAIT);

	(void)lis;
	(void)sa;
	(void)salen;
	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &clen) != 0)
		cred.pid = 0;
	if (c->n >= CTL_CLIENTS_MAX) {
		ctl_refusal(c, "control socket: %s: pid %ld (uid %ld) refused", "16 clients are being served already",
			    (long)cred.pid, (long)cred.uid);
		evutil_closesocket(fd);
		return;
	}
	cl = xcalloc(1, sizeof(*cl));
	cl->c = c;
	cl->pid = cred.pid;
	cl->uid = cred.uid;
	cl->bev = bufferevent_socket_new(c->d->base, fd, BEV_OPT_CLOSE_ON_FREE);
	if (!cl->bev) {
		evutil_closesocket(fd);
		free(cl);
		return;
	}
	cl->next = c->clients;
	c->clients = cl;
	c->n++;
	bufferevent_setcb(cl->bev, ctl_read, ctl_written, ctl_event, cl);
	bufferevent_setwatermark(cl->bev, EV_READ, 0, CTL_LINE_MAX);	/* never more than a line held */
	cl->wait = evtimer_new(c->d->base, ctl_late, cl);
	evtimer_add(cl->wait, &tv);
	bufferevent_enable(cl->bev, EV_READ);
}

struct ctl *ctl_new(struct daemon *d, int fd)
{
	struct ctl *c = xcalloc(1, sizeof(*c));

	c->d = d;
	evutil_make_socket_nonblocking(fd);
	c->lis = evconnlistener_new(d->base, ctl_accept, c, LEV_OPT_CLOSE_ON_FREE | LEV_OPT_CLOSE_ON_EXEC, 0, fd);
	if (!c->lis) {
		log_msg(LOG_ERR, "control socket: cannot serve it: %s", strerror(errno));
		close(fd);
		free(c);
		return NULL;
	}
	evconnlistener_set_error_cb(c->lis, ctl_accept_error);
	c->pause = evtimer_new(d->base, ctl_resume, c);
	return c;
}

void ctl_free(struct ctl *c)
{
	if (!c)
		return;
	while (c->clients)
		ctl_client_free(c->clients);
	evconnlistener_free(c->lis);
	event_free(c->pause);
	free(c);
}
