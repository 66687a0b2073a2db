/* SPDX-License-Identifier: GPL-2.0-or-later */
/* alerts.c - ALERT and RESOLVE: the upsplan-alert helper fed without blocking, restarted with back-off, and the table of firing alerts it replays. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>

#include "base/json.h"
#include "base/xalloc.h"
#include "runtime/common/monotonic.h"
#include "runtime/daemon/alerts.h"
#include "runtime/daemon/bev-out.h"
#include "runtime/daemon/child.h"
#include "runtime/daemon/daemon-int.h"
#include "runtime/daemon/log.h"

#define AL_ERR_LINE	4096	/* bytes of one line of the helper's standard error logged */
#define AL_STOP_GRACE	5.0	/* seconds a helper whose input ended has to post and exit */

/* One alert: firing, or its resolve waiting for a helper to take it. */
struct al_entry {
	char *name, *ups, *group, *severity, *summary;
	double fired;		/* wall clock of its last fire */
	int firing;
};

struct alerts {
	struct daemon *d;
	char *config;		/* the config line, secrets included (wiped when freed); NULL: no ALERTMANAGER */
	pid_t pid;		/* the helper, 0: none */
	int closing;		/* its input was closed on purpose: its end is no failure */
	struct bufferevent *in, *err;	/* its standard input and error */
	struct event *restart_ev, *kill_ev;
	double started, backoff;	/* monotonic start of the last helper; the last back-off (0: none) */
	struct al_entry *v;
	size_t n;
};

static void al_start(struct alerts *al);

static void al_arm(struct event *ev, double s)
{
	struct timeval tv = rt_timeval(s);

	evtimer_add(ev, &tv);
}

/*
 * Free BEV and close its descriptor now: libevent 2.1 closes it in a
 * finalizer that runs at the loop's next turn, which never comes once the
 * loop has ended, and the helper would not see the end of its input.
 */
static void al_bev_free(struct bufferevent *bev)
{
	evutil_socket_t fd = bufferevent_getfd(bev);

	bufferevent_setfd(bev, -1);
	bufferevent_free(bev);
	if (fd >= 0)
		close(fd);
}

static void al_wipe_free(char *s)
{
	if (s)
		explicit_bzero(s, strlen(s));
	free(s);
}

static void al_entry_free(struct al_entry *e)
{
	free(e->name);
	free(e->ups);
	free(e->group);
	free(e->severity);
	free(e->summary);
}

static void al_remove(struct alerts *al, size_t i)
{
	al_entry_free(&al->v[i]);
	memmove(&al->v[i], &al->v[i + 1], (al->n - i - 1) * sizeof(*al->v));
	al->n--;
}

static struct al_entry *al_find(struct alerts *al, const char *name, const char *ups)
{
	for (size_t i = 0; i < al->n; i++)
		if (strcmp(al->v[i].name, name) == 0 && strcmp(al->v[i].ups, ups) == 0)
			return &al->v[i];
	return NULL;
}

size_t al_firing(const struct alerts *al)
{
	size_t n = 0;

	for (size_t i = 0; al && i < al->n; i++)
		n += al->v[i].firing;
	return n;
}

/* The firing alerts into the state file (written with the next save). */
static void al_save(struct alerts *al)
{
	json_t *a = json_array();

	if (!al->d->sf_on) {
		json_decref(a);
		return;
	}
	for (size_t i = 0; i < al->n; i++) {
		const struct al_entry *e = &al->v[i];
		json_t *o = json_object();
		if (!e->firing) {
			json_decref(o);
			continue;
		}
		jsonw_set(o, "alertname", jsonw_string(e->name, strlen(e->name)));
		jsonw_set(o, "ups", jsonw_string(e->ups, strlen(e->ups)));
		jsonw_set(o, "group", jsonw_string(e->group, strlen(e->group)));
		jsonw_set(o, "severity", jsonw_string(e->severity, strlen(e->severity)));
		jsonw_set(o, "summary", jsonw_string(e->summary, strlen(e->summary)));
		jsonw_set(o, "fired", json_real(e->fired));
		jsonw_append(a, o);
	}
	sf_set_alerts(&al->d->sf, a);
}

/* The helper is stopped: SIGKILL to it (our own child only). */
static void al_kill(struct alerts *al)
{
	if (al->pid > 0)
		kill(al->pid, SIGKILL);
}

/* Write line O (its reference taken) to the helper; nothing while none runs (the table replays). */
static void al_write(struct alerts *al, json_t *o)
{
	struct evbuffer *out;
	char *s;

	if (!al->in || al->closing) {
		json_decref(o);
		return;
	}
	s = json_dumps(o, JSON_COMPACT);
	json_decref(o);
	if (!s)
		return;
	out = bufferevent_get_output(al->in);
	evbuffer_add(out, s, strlen(s));
	evbuffer_add(out, "\n", 1);
	al_wipe_free(s);
	if (evbuffer_get_length(out) > AL_QUEUE_MAX) {
		log_msg(LOG_ERR, "upsplan-alert (pid %ld) does not read its input: more than %d bytes queued: killed, "
			"started again (the firing alerts are sent again)", (long)al->pid, AL_QUEUE_MAX);
		al_bev_free(al->in);
		al->in = NULL;
		al_kill(al);
	}
}

static json_t *al_line(const char *op, const struct al_entry *e)
{
	json_t *o = json_object();

	jsonw_set(o, "op", json_string(op));
	jsonw_set(o, "alertname", jsonw_string(e->name, strlen(e->name)));
	jsonw_set(o, "ups", jsonw_string(e->ups, strlen(e->ups)));
	jsonw_set(o, "group", jsonw_string(e->group, strlen(e->group)));
	jsonw_set(o, "severity", jsonw_string(e->severity, strlen(e->severity)));
	if (e->firing)
		jsonw_set(o, "summary", jsonw_string(e->summary, strlen(e->summary)));
	return o;
}

/* The helper's standard error: each line logged, escaped, at the level it gives ("<N>text"). */
static void al_err_read(struct bufferevent *bev, void *arg)
{
	struct evbuffer *in = bufferevent_get_input(bev);
	struct alerts *al = arg;
	char *line, esc[AL_ERR_LINE];
	size_t len;

	while ((line = evbuffer_readln(in, &len, EVBUFFER_EOL_LF)) != NULL ||
	       evbuffer_get_length(in) > AL_ERR_LINE) {
		int level = LOG_WARNING;
		const char *text = line;
		if (!line) {	/* a line too long: its start */
			len = AL_ERR_LINE;
			line = xcalloc(len + 1, 1);
			evbuffer_remove(in, line, len);
			text = line;
		}
		if (len >= 3 && line[0] == '<' && line[1] >= '0' && line[1] <= '7' && line[2] == '>') {
			level = line[1] - '0';
			text = line + 3;
		}
		log_esc(esc, sizeof(esc), text, len - (size_t)(text - line));
		if (level >= LOG_DEBUG)	/* each accepted post: the walk-through only */
			log_debug(1, "upsplan-alert: %s", esc);
		else
			log_msg(level < LOG_ERR ? LOG_ERR : level, "upsplan-alert: %s", esc);
		free(line);
	}
	(void)al;
}

/* What the helper wrote to its standard error and the loop has not read yet, logged. */
static void al_err_drain(struct alerts *al)
{
	struct evbuffer *in = bufferevent_get_input(al->err);

	for (int i = 0; i < 64 && evbuffer_get_length(in) <= AL_ERR_LINE &&	/* bounded: it may write on and on */
			evbuffer_read(in, bufferevent_getfd(al->err), 4096) > 0; i++)
		al_err_read(al->err, al);
	al_err_read(al->err, al);
}

static void al_in_event(struct bufferevent *bev, short what, void *arg)
{
	struct alerts *al = arg;

	(void)what;
	if (bev == al->in) {	/* its input closed (EPIPE): it ended or is ending; its reaping says how */
		al_bev_free(al->in);
		al->in = NULL;
	}
}

static void al_err_event(struct bufferevent *bev, short what, void *arg)
{
	(void)what;
	al_err_read(bev, arg);
	bufferevent_disable(bev, EV_READ);
}

static void al_restart_cb(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	al_start(arg);
}

static void al_kill_cb(evutil_socket_t fd, short what, void *arg)
{
	struct alerts *al = arg;

	(void)fd;
	(void)what;
	log_msg(LOG_WARNING, "upsplan-alert (pid %ld) did not exit %g s after its input ended: killed",
		(long)al->pid, AL_STOP_GRACE);
	al_kill(al);
}

/* End the helper's input (it posts what is pending, then exits); killed if it does not go. */
static void al_close(struct alerts *al)
{
	if (al->pid <= 0 || al->closing)
		return;
	al->closing = 1;
	if (al->in) {
		bev_write_out(al->in, 0);	/* what is queued, as far as the pipe takes it */
		al_bev_free(al->in);
		al->in = NULL;
	}
	al_arm(al->kill_ev, AL_STOP_GRACE);
}

static void al_start(struct alerts *al)
{
	const char *helper = al->d->o->act.alert_helper ? al->d->o->act.alert_helper : "upsplan-alert";
	int in[2] = { -1, -1 }, err[2] = { -1, -1 };
	pid_t pid;

	if (!al->config || al->pid > 0 || al->d->exiting)
		return;
	if (pipe2(in, O_CLOEXEC) != 0 || pipe2(err, O_CLOEXEC) != 0 || (pid = fork()) < 0) {
		log_msg(LOG_ERR, "cannot start upsplan-alert: %s: alerts are not sent (tried again)", strerror(errno));
		for (int i = 0; i < 2; i++) {
			if (in[i] >= 0)
				close(in[i]);
			if (err[i] >= 0)
				close(err[i]);
		}
		al->backoff = al->backoff ? (al->backoff * 2 < AL_BACKOFF_MAX ? al->backoff * 2 : AL_BACKOFF_MAX) : 1;
		al_arm(al->restart_ev, al->backoff);
		return;
	}
	if (pid == 0) {
		char *argv[2] = { (char *)helper, NULL };
		child_setup(in[0], CHILD_NULL, err[1]);
		execv(helper, argv);
		dprintf(2, "<3>cannot run %s: %s\n", helper, strerror(errno));
		_exit(127);
	}
	close(in[0]);
	close(err[1]);
	evutil_make_socket_nonblocking(in[1]);
	evutil_make_socket_nonblocking(err[0]);
	al->pid = pid;
	al->closing = 0;
	al->started = rt_monotonic();
	al->in = bufferevent_socket_new(al->d->base, in[1], BEV_OPT_CLOSE_ON_FREE);
	al->err = bufferevent_socket_new(al->d->base, err[0], BEV_OPT_CLOSE_ON_FREE);
	bufferevent_setcb(al->in, NULL, NULL, al_in_event, al);
	bufferevent_setcb(al->err, al_err_read, NULL, al_err_event, al);
	bufferevent_enable(al->in, EV_WRITE);
	bufferevent_enable(al->err, EV_READ);
	log_msg(LOG_INFO, "upsplan-alert started (pid %ld), %zu firing alert(s) to send again", (long)pid,
		al_firing(al));
	{
		struct evbuffer *out = bufferevent_get_output(al->in);
		evbuffer_add(out, al->config, strlen(al->config));
		evbuffer_add(out, "\n", 1);
	}
	for (size_t i = 0; i < al->n;) {	/* the table, replayed: the resolves waiting go now */
		al_write(al, al_line(al->v[i].firing ? "fire" : "resolve", &al->v[i]));
		if (al->v[i].firing)
			i++;
		else
			al_remove(al, i);
	}
}

int al_reaped(struct alerts *al, pid_t pid, int status)
{
	char how[80];
	double ran;

	if (!al || pid <= 0 || pid != al->pid)
		return 0;
	if (al->err) {	/* its last words */
		al_err_drain(al);
		al_bev_free(al->err);
		al->err = NULL;
	}
	if (al->in) {
		al_bev_free(al->in);
		al->in = NULL;
	}
	evtimer_del(al->kill_ev);
	al->pid = 0;
	if (WIFSIGNALED(status))
		snprintf(how, sizeof(how), "was killed by signal %d", WTERMSIG(status));
	else
		snprintf(how, sizeof(how), "exited with status %d", WEXITSTATUS(status));
	ran = rt_monotonic() - al->started;
	if (al->closing) {	/* stopped on purpose: a new config, or none */
		al->closing = 0;
		log_msg(LOG_INFO, "upsplan-alert (pid %ld) stopped: it %s", (long)pid, how);
		if (al->config)
			al_start(al);
		return 1;
	}
	if (!al->config || al->d->exiting)
		return 1;
	if (ran >= AL_BACKOFF_MAX)	/* it ran a while: the count starts again */
		al->backoff = 0;
	al->backoff = al->backoff ? (al->backoff * 2 < AL_BACKOFF_MAX ? al->backoff * 2 : AL_BACKOFF_MAX) : 1;
	log_msg(LOG_ERR, "upsplan-alert (pid %ld) %s after %.0f s: started again in %g s, with the %zu firing alert(s)",
		(long)pid, how, ran, al->backoff, al_firing(al));
	al_arm(al->restart_ev, al->backoff);
	return 1;
}

/* The config line of IMG's Alertmanagers (secrets included), or NULL when it has none. */
static char *al_config(struct alerts *al, const struct plan_image *img)
{
	json_t *o, *targets;
	char *s;

	if (img->amgrs.n == 0)
		return NULL;
	o = json_object();
	targets = json_array();
	jsonw_set(o, "op", json_string("config"));
	if (al->d->o->hostname)
		jsonw_set(o, "instance", jsonw_string(al->d->o->hostname, strlen(al->d->o->hostname)));
	if (al->d->o->act.alert_resend > 0)
		jsonw_set(o, "resend", json_real(al->d->o->act.alert_resend));
	if (al->d->o->act.alert_generator_url)
		jsonw_set(o, "generator_url", json_string(al->d->o->act.alert_generator_url));
	for (uint32_t k = 0; k < img->amgrs.n; k++) {
		const struct img_amgr *m = &img->amgrs.v[k];
		const struct img_str *f[5] = { &m->url, &m->cafile, &m->bearer, &m->user, &m->password };
		static const char *const key[5] = { "url", "cafile", "bearer", "user", "password" };
		json_t *t = json_object();
		for (int i = 0; i < 5; i++)
			if (f[i]->len)
				jsonw_set(t, key[i], jsonw_string(img_bytes(img, *f[i]), f[i]->len));
		jsonw_append(targets, t);
	}
	jsonw_set(o, "targets", targets);
	s = json_dumps(o, JSON_COMPACT);
	json_decref(o);	/* the secrets in jansson's freed strings: as the image's own copies */
	return s ? s : xstrdup("");
}

struct alerts *al_new(struct daemon *d)
{
	struct alerts *al = xcalloc(1, sizeof(*al));

	al->d = d;
	al->restart_ev = evtimer_new(d->base, al_restart_cb, al);
	al->kill_ev = evtimer_new(d->base, al_kill_cb, al);
	return al;
}

void al_plan(struct alerts *al, const struct plan_image *img)
{
	char *config = al_config(al, img);

	if (config && al->config && strcmp(config, al->config) == 0) {
		al_wipe_free(config);
		return;
	}
	al_wipe_free(al->config);
	al->config = config;
	if (!config) {
		if (al->n)
			log_msg(LOG_NOTICE, "the plan has no ALERTMANAGER: upsplan-alert stops; %zu firing alert(s) "
				"are no longer sent (Alertmanager ends them 3 re-send intervals after their last post)",
				al_firing(al));
		while (al->n)
			al_remove(al, al->n - 1);
		al_save(al);
		evtimer_del(al->restart_ev);
		al_close(al);
		return;
	}
	if (al->pid > 0) {	/* a new config: restarted once the old one is gone (al_reaped()) */
		log_msg(LOG_NOTICE, "the plan's ALERTMANAGER settings changed: upsplan-alert restarts with them");
		al->backoff = 0;
		al_write(al, json_pack("{s:s}", "op", "handover"));	/* the heartbeat goes on: no flap */
		al_close(al);
	} else if (!evtimer_pending(al->restart_ev, NULL)) {
		al_start(al);
	}
}

/* BUF: S (LEN bytes) cut to AL_TEXT_MAX bytes between UTF-8 characters. */
static char *al_text(const char *s, size_t len)
{
	if (len > AL_TEXT_MAX) {
		len = AL_TEXT_MAX;
		while (len > 0 && ((unsigned char)s[len] & 0xc0) == 0x80)
			len--;
	}
	return xstrndup(s, len);
}

static void al_fire(struct alerts *al, struct al_entry *n)
{
	struct al_entry *e = al_find(al, n->name, n->ups);

	if (!e && al->n >= AL_MAX) {
		log_msg(LOG_ERR, "ALERT %s not sent: %d alerts are kept already", n->name, AL_MAX);
		al_entry_free(n);
		act_note(al->d->act, ACT_FAILED, "too many alerts");
		return;
	}
	if (!e) {
		al->v = xrealloc(al->v, (al->n + 1) * sizeof(*al->v));
		e = &al->v[al->n++];
	} else {
		al_entry_free(e);
	}
	*e = *n;
	al_write(al, al_line("fire", e));
	al_save(al);
}

static void al_resolve(struct alerts *al, struct al_entry *n)
{
	struct al_entry *e = al_find(al, n->name, n->ups);

	if (e) {	/* with the labels it fired with */
		free(n->group);
		free(n->severity);
		n->group = xstrdup(e->group);
		n->severity = xstrdup(e->severity);
		al_remove(al, (size_t)(e - al->v));
	}
	if (al->in && !al->closing) {
		al_write(al, al_line("resolve", n));
		al_entry_free(n);
	} else if (al->n < AL_MAX) {	/* for the next helper */
		al->v = xrealloc(al->v, (al->n + 1) * sizeof(*al->v));
		al->v[al->n++] = *n;
	} else {
		al_entry_free(n);
	}
	al_save(al);
}

void al_action(void *ctx, const struct vm_effect *e, const struct vm_event *ev, int firing)
{
	struct daemon *d = ctx;
	const struct plan_image *img = &d->p->img;
	struct al_entry n;
	const char *ups = "", *group = "";

	(void)ev;
	if (e->ups < img->ups.n) {	/* an alert rule's run has no UPS */
		const struct img_ups *u = &img->ups.v[e->ups];
		ups = img_bytes(img, u->name);
		if (u->group < img->groups.n)
			group = img_bytes(img, img->groups.v[u->group].name);
	}
	memset(&n, 0, sizeof(n));
	n.name = xstrndup(e->name, e->name_len);
	n.ups = xstrdup(ups);
	n.group = xstrdup(group);
	n.severity = xstrdup(firing && e->aux && e->aux[0] ? e->aux : "warning");
	n.summary = firing && e->text ? al_text(e->text, strlen(e->text)) : xstrdup("");
	n.fired = (double)time(NULL);
	n.firing = firing;
	if (!d->al->config) {
		log_msg(LOG_ERR, "%s %s not sent: the plan has no ALERTMANAGER", firing ? "ALERT" : "RESOLVE", n.name);
		act_note(d->act, ACT_FAILED, "no ALERTMANAGER");
		al_entry_free(&n);
	} else if (firing) {
		al_fire(d->al, &n);
	} else {
		al_resolve(d->al, &n);
	}
}

/* The member KEY of O, a string of at most MAX bytes, or NULL. */
static const char *al_member(const json_t *o, const char *key, size_t max)
{
	const json_t *v = json_object_get(o, key);

	return json_is_string(v) && json_string_length(v) <= max && strlen(json_string_value(v)) == json_string_length(v) ?
	       json_string_value(v) : NULL;
}

void al_adopt(struct alerts *al, const json_t *a)
{
	const json_t *o;
	size_t i, taken = 0, bad = 0;

	json_array_foreach(a, i, o) {
		const char *f[5] = { al_member(o, "alertname", 256), al_member(o, "ups", 256), al_member(o, "group", 256),
				     al_member(o, "severity", 256), al_member(o, "summary", AL_TEXT_MAX) };
		const json_t *t = json_object_get(o, "fired");
		struct al_entry n;
		if (!f[0] || !f[0][0] || !f[1] || !f[2] || !f[3] || !f[4] || !json_is_number(t) || al->n >= AL_MAX) {
			bad++;
			continue;
		}
		n = (struct al_entry){ xstrdup(f[0]), xstrdup(f[1]), xstrdup(f[2]), xstrdup(f[3]), xstrdup(f[4]),
				       json_number_value(t), 1 };
		if (al_find(al, n.name, n.ups)) {
			al_entry_free(&n);
			continue;
		}
		al->v = xrealloc(al->v, (al->n + 1) * sizeof(*al->v));
		al->v[al->n++] = n;
		al_write(al, al_line("fire", &n));
		taken++;
	}
	if (taken || bad)
		log_msg(LOG_NOTICE, "state file: %zu firing alert(s) adopted and sent again%s", taken,
			bad ? " (some entries malformed or past the limit: ignored)" : "");
	if (!al->config && al->n) {
		log_msg(LOG_NOTICE, "the plan has no ALERTMANAGER: the adopted alerts are dropped");
		while (al->n)
			al_remove(al, al->n - 1);
	}
	al_save(al);
}

void al_free(struct alerts *al)
{
	if (!al)
		return;
	if (al->pid > 0 && al->in)	/* the last lines, as far as the pipe takes them within 1 s */
		bev_write_out(al->in, 1);
	if (al->in)
		al_bev_free(al->in);
	if (al->pid > 0) {	/* it resolves its heartbeat and posts for at most 2 s */
		double end = rt_monotonic() + 3;
		int st = 0;
		pid_t got;
		while ((got = waitpid(al->pid, &st, WNOHANG)) == 0) {
			if (rt_monotonic() > end) {
				log_msg(LOG_WARNING, "upsplan-alert (pid %ld) did not exit 3 s after its input ended: killed",
					(long)al->pid);
				al_kill(al);
				waitpid(al->pid, &st, 0);
				break;
			}
			if (al->err)
				al_err_drain(al);
			poll(NULL, 0, 20);
		}
		log_debug(1, "upsplan-alert (pid %ld) ended with status %d", (long)al->pid, got > 0 ? st : -1);
	}
	if (al->err) {
		al_err_drain(al);
		al_bev_free(al->err);
	}
	event_free(al->restart_ev);
	event_free(al->kill_ev);
	while (al->n)
		al_remove(al, al->n - 1);
	free(al->v);
	al_wipe_free(al->config);
	free(al);
}
