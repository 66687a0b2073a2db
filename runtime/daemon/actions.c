/* SPDX-License-Identifier: GPL-2.0-or-later */
/* actions.c - carry out the plan's effects: syslog and the NUT log at once, commands and mail in time-limited child processes. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <syslog.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>

#include "engine/argv.h"
#include "base/xalloc.h"
#include "runtime/daemon/actions.h"
#include "runtime/daemon/child.h"
#include "runtime/daemon/hooks.h"
#include "runtime/mail/mail-job.h"
#include "runtime/daemon/log.h"
#include "runtime/common/monotonic.h"

/* One child process of an action. */
struct act_child {
	struct actions *a;
	pid_t pid;
	struct event *timer;
	struct bufferevent *err;	/* its standard error, logged line by line */
	double limit;			/* seconds it may take */
	int killed;			/* 1: TERM sent at the time limit, 2: KILL sent */
	char what[16];			/* "SHELLCMD", "WALL", ... */
	char where[320];		/* file:line:col, or a hook's path and its HOOKS's file:line:col */
	void (*done)(void *arg, int status);	/* told when it ended, or NULL */
	void *done_arg;
	unsigned lines;			/* lines of its standard error logged, then counted */
	int cutting;			/* a line longer than ACT_ERR_LINE was logged cut: its rest is dropped */
	struct act_child *next;
};

#define ACT_ERR_LINE 1024	/* bytes of a line of a child's standard error logged; the rest is dropped */
#define ACT_ERR_LINES 50	/* lines of a child's standard error logged; the others are counted */
#define ACT_ERR_LAST 65536	/* bytes read at its end from its standard error (a pipe's capacity) */

/* An alert name or hook directory already logged as not carried out (act_unserved). */
struct act_told {
	struct act_told *next;
	size_t len;
	char name[];
};

struct actions {
	struct act_told *told;
	struct event_base *base;
	const struct plan_image *img;
	struct act_host host;
	char **wall, **notify, **shell;	/* commands split into words */
	struct hk_runner *hooks;	/* the HOOKS directories being run */
	double timeout;
	double shutdown_timeout;
	int foreground;
	char *smtp_cafile;
	char *mail_helper;
	struct act_child *children;
	unsigned nchildren;
	struct act_record ring[ACT_RING];	/* the last actions (act_history()) */
	unsigned ring_next, ring_n;
	struct act_record *cur;			/* the one act_run() carries out, or NULL */
};

#define ACT_PENDING (-1)	/* a record's result while act_run() carries it out */

const struct act_record *act_history(const struct actions *a, unsigned i, unsigned *count)
{
	if (count)
		*count = a->ring_n;
	if (i >= a->ring_n)
		return NULL;
	return &a->ring[(a->ring_next + ACT_RING - a->ring_n + i) % ACT_RING];
}

void act_note(struct actions *a, int result, const char *reason)
{
	if (!a->cur)
		return;
	a->cur->result = result;
	snprintf(a->cur->reason, sizeof(a->cur->reason), "%s", reason ? reason : "");
}

void act_shutdown_done(struct actions *a, int ok, const char *reason)
{
	for (unsigned i = a->ring_n; i-- > 0;) {
		struct act_record *r = &a->ring[(a->ring_next + ACT_RING - a->ring_n + i) % ACT_RING];
		if (strcmp(r->kind, "SHUTDOWNCMD") == 0 && r->result == ACT_RUNNING) {
			r->result = ok ? ACT_OK : ACT_FAILED;
			r->pid = 0;
			snprintf(r->reason, sizeof(r->reason), "%s", ok ? "" : reason);
			return;
		}
	}
}

/* A new record for effect E (the oldest is dropped when the ring is full). */
static struct act_record *act_record_new(struct actions *a, const struct vm_effect *e)
{
	struct act_record *r = &a->ring[a->ring_next];

	a->ring_next = (a->ring_next + 1) % ACT_RING;
	if (a->ring_n < ACT_RING)
		a->ring_n++;
	memset(r, 0, sizeof(*r));
	r->when = time(NULL);
	snprintf(r->kind, sizeof(r->kind), "%s", vm_effect_name(e->kind));
	if (e->ups < a->img->ups.n) {
		struct img_str n = a->img->ups.v[e->ups].name;
		snprintf(r->ups, sizeof(r->ups), "%.*s", (int)n.len, img_bytes(a->img, n));
	}
	act_where(a->img, e, r->where, sizeof(r->where));
	r->result = ACT_PENDING;
	return r;
}

/* The record of the running process PID, or NULL. */
static struct act_record *act_record_of(struct actions *a, pid_t pid)
{
	for (unsigned i = 0; i < a->ring_n; i++)
		if (a->ring[i].pid == pid && a->ring[i].result == ACT_RUNNING)
			return &a->ring[i];
	return NULL;
}

char **act_words(const char *cmd)
{
	size_t len = strlen(cmd), errpos;
	char *words = xrealloc(NULL, len + 1);
	int n = argv_split(cmd, len, words, &errpos);
	char **v, *w = words;

	if (n < 1) {
		free(words);
		return NULL;
	}
	v = xcalloc((size_t)n + 2, sizeof(*v));	/* room for one more argument and the NULL */
	for (int i = 0; i < n; i++) {
		v[i] = xstrdup(w);
		w += strlen(w) + 1;
	}
	free(words);
	return v;
}

void act_free_words(char **v)
{
	if (!v)
		return;
	for (char **p = v; *p; p++)
		free(*p);
	free(v);
}

const char *act_where(const struct plan_image *img, const struct vm_effect *e, char *buf, size_t len)
{
	if (e->loc && e->loc->file < img->files.n)
		snprintf(buf, len, "%s:%u:%u", img_bytes(img, img->files.v[e->loc->file]), e->loc->line, e->loc->col);
	else
		snprintf(buf, len, "offset %u", e->pc);
	return buf;
}

struct actions *act_new(struct event_base *base, const struct act_config *cfg, const struct plan_image *img,
			const struct act_host *host)
{
	struct actions *a = xcalloc(1, sizeof(*a));

	a->base = base;
	a->img = img;
	a->host = *host;
	a->wall = act_words(cfg->wall);
	a->notify = act_words(cfg->notify);
	a->shell = act_words(cfg->shell);
	a->timeout = cfg->timeout;
	a->shutdown_timeout = cfg->shutdown_timeout;
	a->foreground = cfg->foreground;
	a->smtp_cafile = cfg->smtp_cafile ? xstrdup(cfg->smtp_cafile) : NULL;
	a->mail_helper = xstrdup(cfg->mail_helper ? cfg->mail_helper : "upsplan-mail");
	if (!a->wall || !a->notify || !a->shell) {
		log_msg(LOG_ERR, "the WALL, NOTIFY or SHELLCMD command is empty or has an unclosed quote");
		act_free(a);
		return NULL;
	}
	a->hooks = hk_new(a);
	return a;
}

void act_set_image(struct actions *a, const struct plan_image *img)
{
	a->img = img;
}

static void act_child_free(struct act_child *c)
{
	struct act_child **pp;

	for (pp = &c->a->children; *pp; pp = &(*pp)->next)
		if (*pp == c) {
			*pp = c->next;
			break;
		}
	c->a->nchildren--;
	if (c->err)
		bufferevent_free(c->err);
	event_free(c->timer);
	free(c);
}

void act_free(struct actions *a)
{
	if (!a)
		return;
	hk_free(a->hooks);
	while (a->children)
		act_child_free(a->children);
	act_free_words(a->wall);
	act_free_words(a->notify);
	act_free_words(a->shell);
	free(a->smtp_cafile);
	free(a->mail_helper);
	while (a->told) {
		struct act_told *t = a->told;
		a->told = t->next;
		free(t);
	}
	free(a);
}

unsigned act_running(const struct actions *a)
{
	return a->nchildren;
}

/* One line (LEN bytes at LINE, cut when CUT) of C's standard error: logged, unless ACT_ERR_LINES were. */
static void act_log_line(struct act_child *c, const char *line, size_t len, int cut)
{
	if (++c->lines > ACT_ERR_LINES)
		return;
	log_msg(LOG_WARNING, "%s at %s: %.*s%s", c->what, c->where, (int)len, line, cut ? " [line cut]" : "");
}

/*
 * Log what C wrote on its standard error, line by line; ALL at its end,
 * with a last line without its line feed.  Bounded whatever it writes:
 * a line is cut at ACT_ERR_LINE bytes (the buffer never holds more than
 * that and one read), at most ACT_ERR_LINES lines are logged.
 */
static void act_log_stderr(struct act_child *c, int all)
{
	struct evbuffer *in;
	char buf[ACT_ERR_LINE];
	char *line;
	size_t n;

	if (!c->err)
		return;
	in = bufferevent_get_input(c->err);
	for (;;) {
		if (c->cutting) {	/* the rest of a cut line: up to its line feed */
			struct evbuffer_ptr p = evbuffer_search(in, "\n", 1, NULL);
			if (p.pos < 0) {
				evbuffer_drain(in, evbuffer_get_length(in));
				break;
			}
			evbuffer_drain(in, (size_t)p.pos + 1);
			c->cutting = 0;
		}
		if (evbuffer_get_length(in) >= sizeof(buf)) {
			struct evbuffer_ptr p = evbuffer_search(in, "\n", 1, NULL);
			if (p.pos < 0 || (size_t)p.pos >= sizeof(buf)) {
				int k = evbuffer_remove(in, buf, sizeof(buf));
				act_log_line(c, buf, k > 0 ? (size_t)k : 0, 1);
				c->cutting = 1;
				continue;
			}
		}
		line = evbuffer_readln(in, &n, EVBUFFER_EOL_CRLF);
		if (!line)
			break;
		act_log_line(c, line, n, 0);
		free(line);
	}
	if (all && evbuffer_get_length(in) > 0) {	/* a last line without its line feed */
		int k = evbuffer_remove(in, buf, sizeof(buf));
		if (k > 0)
			act_log_line(c, buf, (size_t)k, 0);
		evbuffer_drain(in, evbuffer_get_length(in));
	}
	if (all && c->lines > ACT_ERR_LINES) {
		log_msg(LOG_WARNING, "%s at %s: %u more lines of its standard error not logged", c->what, c->where,
			c->lines - ACT_ERR_LINES);
		c->lines = ACT_ERR_LINES;
	}
}

static void act_err_read(struct bufferevent *bev, void *arg)
{
	(void)bev;
	act_log_stderr(arg, 0);
}

static void act_err_event(struct bufferevent *bev, short what, void *arg)
{
	struct act_child *c = arg;

	(void)what;
	act_log_stderr(c, 1);
	bufferevent_free(bev);
	c->err = NULL;
}

static void act_timer(evutil_socket_t fd, short what, void *arg)
{
	struct act_child *c = arg;
	struct timeval tv = { 5, 0 };

	(void)fd;
	(void)what;
	if (c->killed == 0) {
		log_msg(LOG_ERR, "%s at %s: still running after %.0f s: stopped (SIGTERM)", c->what, c->where,
			c->limit);
		kill(-c->pid, SIGTERM);	/* the whole group: "sh -c 'a; b'" leaves no a behind */
		c->killed = 1;
		evtimer_add(c->timer, &tv);
	} else if (c->killed == 1) {
		log_msg(LOG_ERR, "%s at %s: still running 5 s after SIGTERM: killed (SIGKILL)", c->what, c->where);
		kill(-c->pid, SIGKILL);
		c->killed = 2;
	}
}

int act_reaped(struct actions *a, pid_t pid, int status)
{
	struct act_child *c;

	for (c = a->children; c; c = c->next)
		if (c->pid == pid)
			break;
	if (!c)
		return 0;
	{
		struct act_record *r = act_record_of(a, pid);
		if (r) {
			r->pid = 0;
			r->result = WIFEXITED(status) && WEXITSTATUS(status) == 0 ? ACT_OK : ACT_FAILED;
			if (c->killed)
				snprintf(r->reason, sizeof(r->reason), "stopped at its time limit (%.0f s)", c->limit);
			else if (WIFEXITED(status) && WEXITSTATUS(status) != 0)
				snprintf(r->reason, sizeof(r->reason), "exit status %d", WEXITSTATUS(status));
			else if (WIFSIGNALED(status))
				snprintf(r->reason, sizeof(r->reason), "killed by signal %d", WTERMSIG(status));
		}
	}
	if (c->err) {	/* what it wrote last, still in the pipe */
		evutil_socket_t fd = bufferevent_getfd(c->err);
		struct evbuffer *in = bufferevent_get_input(c->err);
		size_t got = 0;
		int r = 1;
		/*
		 * A bufferevent's input takes bytes in its own reads only (its
		 * end is frozen: evbuffer_read() would fail at once and the last
		 * lines be lost); this is the last read.  Bounded: a process it
		 * left behind may still be writing.
		 */
		evbuffer_unfreeze(in, 0);
		while (fd >= 0 && got < ACT_ERR_LAST && r > 0) {
			r = evbuffer_read(in, fd, 4096);
			if (r > 0)
				got += (size_t)r;
			act_log_stderr(c, 0);
		}
		act_log_stderr(c, 1);
	}
	if (WIFEXITED(status) && WEXITSTATUS(status) != 0)
		log_msg(LOG_ERR, "%s at %s: failed with exit status %d", c->what, c->where, WEXITSTATUS(status));
	else if (WIFSIGNALED(status) && !c->killed)
		log_msg(LOG_ERR, "%s at %s: killed by signal %d", c->what, c->where, WTERMSIG(status));
	else
		log_debug(1, "%s at %s: done", c->what, c->where);
	if (c->done) {	/* last: it may start the next process */
		void (*done)(void *, int) = c->done;
		void *arg = c->done_arg;
		act_child_free(c);
		done(arg, status);
		return 1;
	}
	act_child_free(c);
	return 1;
}

/* A child process to start: what it is for the log, its time limit, who to tell when it ends. */
struct act_job {
	const char *what;	/* "SHELLCMD", "HOOK", ... */
	const char *where;	/* file:line:col of its action, or more */
	double limit;		/* seconds */
	const char *stdin_text;	/* its standard input, or NULL: /dev/null */
	void (*done)(void *arg, int status);	/* or NULL */
	void *done_arg;
};

/* Fork a child for job J running FN(ARG) (an exec, or mail); the parent keeps track of it. */
static pid_t act_fork(struct actions *a, const struct act_job *j, void (*fn)(void *arg), void *arg)
{
	int errp[2], inp[2] = { -1, -1 };
	const char *what = j->what, *stdin_text = j->stdin_text;
	struct act_child *c;
	struct timeval tv;
	pid_t pid;

	if (pipe2(errp, O_CLOEXEC) != 0) {
		log_msg(LOG_ERR, "%s at %s: cannot make a pipe: %s", what, j->where, strerror(errno));
		act_note(a, ACT_FAILED, "cannot make a pipe");
		return -1;
	}
	if (stdin_text && pipe2(inp, O_CLOEXEC) != 0) {
		log_msg(LOG_ERR, "%s at %s: cannot make a pipe: %s", what, j->where, strerror(errno));
		act_note(a, ACT_FAILED, "cannot make a pipe");
		close(errp[0]);
		close(errp[1]);
		return -1;
	}
	pid = fork();
	if (pid < 0) {
		log_msg(LOG_ERR, "%s at %s: cannot start a process: %s", what, j->where, strerror(errno));
		act_note(a, ACT_FAILED, "cannot start a process");
		close(errp[0]);
		close(errp[1]);
		if (stdin_text) {
			close(inp[0]);
			close(inp[1]);
		}
		return -1;
	}
	if (pid == 0) {
		child_setup(stdin_text ? inp[0] : CHILD_NULL, CHILD_NULL, errp[1]);
		fn(arg);
		_exit(127);
	}
	close(errp[1]);
	if (stdin_text) {
		size_t len = strlen(stdin_text);
		ssize_t w;
		close(inp[0]);
		/* a pipe holds 64 KiB: more than any wall text; the rest would be cut, not block the daemon */
		fcntl(inp[1], F_SETFL, O_NONBLOCK);
		w = write(inp[1], stdin_text, len);
		if (w < (ssize_t)len)
			log_msg(LOG_WARNING, "%s: only %zd of %zu bytes of text could be given to the command", what,
				w < 0 ? (ssize_t)0 : w, len);
		close(inp[1]);
	}
	c = xcalloc(1, sizeof(*c));
	c->a = a;
	c->pid = pid;
	snprintf(c->what, sizeof(c->what), "%s", what);
	snprintf(c->where, sizeof(c->where), "%s", j->where);
	c->done = j->done;
	c->done_arg = j->done_arg;
	evutil_make_socket_nonblocking(errp[0]);
	c->err = bufferevent_socket_new(a->base, errp[0], BEV_OPT_CLOSE_ON_FREE);
	if (c->err) {
		bufferevent_setcb(c->err, act_err_read, NULL, act_err_event, c);
		bufferevent_enable(c->err, EV_READ);
	} else {
		close(errp[0]);
	}
	c->timer = evtimer_new(a->base, act_timer, c);
	c->limit = j->limit;
	tv = rt_timeval(c->limit);
	evtimer_add(c->timer, &tv);
	c->next = a->children;
	a->children = c;
	a->nchildren++;
	if (a->cur && a->cur->result == ACT_PENDING) {	/* its outcome comes when it is reaped */
		a->cur->result = ACT_RUNNING;
		a->cur->pid = pid;
	}
	log_debug(1, "%s at %s: started (pid %ld)", what, c->where, (long)pid);
	return pid;
}

static void act_exec(void *arg)
{
	char *const *argv = arg;

	execvp(argv[0], argv);
	fprintf(stderr, "cannot run %s: %s\n", argv[0], strerror(errno));
}

/* The job of action E, named WHAT, with STDIN_TEXT; WHERE holds its location. */
static struct act_job act_job_of(const struct actions *a, const struct vm_effect *e, const char *what,
				 const char *stdin_text, char *where, size_t len)
{
	struct act_job j = { what, act_where(a->img, e, where, len), a->timeout, stdin_text, NULL, NULL };

	if (e->kind == OP_SHUTDOWNCMD && a->shutdown_timeout > 0)
		j.limit = a->shutdown_timeout;
	return j;
}

pid_t act_spawn(struct actions *a, const struct vm_effect *e, const char *what, char *const *argv,
		const char *stdin_text)
{
	char where[160];
	struct act_job j = act_job_of(a, e, what, stdin_text, where, sizeof(where));

	return act_fork(a, &j, act_exec, (void *)argv);
}

/* In the child: the hook's environment, then its program. */
struct act_envexec {
	char *const *argv, *const *env;
};

static void act_exec_env(void *arg)
{
	const struct act_envexec *x = arg;

	for (char *const *p = x->env; *p; p++)
		if (putenv(*p) != 0) {
			fprintf(stderr, "cannot set %s: %s\n", *p, strerror(errno));
			return;
		}
	execv(x->argv[0], x->argv);
	fprintf(stderr, "cannot run %s: %s\n", x->argv[0], strerror(errno));
}

pid_t act_spawn_env(struct actions *a, const char *what, const char *where, char *const *argv, char *const *env,
		    void (*done)(void *arg, int status), void *arg)
{
	struct act_job j = { what, where, a->timeout, NULL, done, arg };
	struct act_envexec x = { argv, env };

	return act_fork(a, &j, act_exec_env, &x);
}

struct hk_runner *act_hooks(struct actions *a)
{
	return a->hooks;
}

/* COMMAND (words, with room for one more) with TEXT as its last argument. */
static pid_t act_with_arg(struct actions *a, const struct vm_effect *e, const char *what, char **cmd, const char *text)
{
	size_t n = 0;
	pid_t pid;

	while (cmd[n])
		n++;
	cmd[n] = (char *)text;
	pid = act_spawn(a, e, what, cmd, NULL);
	cmd[n] = NULL;
	return pid;
}

struct act_mail {
	const struct plan_image *img;
	const struct vm_effect *e;
	const char *cafile, *helper;
	double timeout;
};

/*
 * In the child: hand the mail to upsplan-mail on its standard input (a
 * memory file: no size limit, nothing for the daemon to feed), which sends
 * it with libcurl and says why not on standard error (logged by the
 * daemon).  The daemon itself never loads libcurl and its libraries.
 */
static void act_send_mail(void *arg)
{
	const struct act_mail *m = arg;
	const struct img_settings *st = &m->img->settings;
	struct mail_job j;
	char *argv[2] = { (char *)m->helper, NULL };
	int fd = memfd_create("upsplan-mail", 0);

	memset(&j, 0, sizeof(j));
	j.host = img_bytes(m->img, st->smtp_server);
	j.port = st->smtp_port;
	j.implicit_tls = st->smtp_port == 465;
	j.user = st->smtp_user.len ? img_bytes(m->img, st->smtp_user) : "";
	j.password = st->smtp_password.len ? img_bytes(m->img, st->smtp_password) : "";
	j.cafile = m->cafile ? m->cafile : "";
	j.timeout = m->timeout > 5 ? m->timeout - 2 : m->timeout;
	j.from = m->e->field[0];
	j.to = m->e->field[1];
	j.subject = m->e->field[2];
	j.body = m->e->field[3];
	j.now = time(NULL);
	if (fd < 0 || mail_job_write(fd, &j) != 0 || lseek(fd, 0, SEEK_SET) != 0 || dup2(fd, 0) != 0) {
		fprintf(stderr, "mail not sent: cannot pass it to %s: %s\n", m->helper, strerror(errno));
		_exit(1);
	}
	close(fd);
	execv(argv[0], argv);
	fprintf(stderr, "mail not sent: cannot run %s: %s\n", m->helper, strerror(errno));
	_exit(1);
}

/*
 * An ALERT, RESOLVE or HOOKS that no part of the daemon carries out: logged
 * at info the first time for each alert name or directory (WHAT, WHY), so
 * that a plan that alerts at every poll does not fill the log.
 */
static void act_unserved(struct actions *a, const struct vm_effect *e, const char *what, const char *why)
{
	struct act_told *t;

	for (t = a->told; t; t = t->next)
		if (t->len == e->name_len && memcmp(t->name, e->name, t->len) == 0)
			return;
	t = xcalloc(1, sizeof(*t) + e->name_len + 1);
	memcpy(t->name, e->name, e->name_len);
	t->len = e->name_len;
	t->next = a->told;
	a->told = t;
	log_msg(LOG_INFO, "%s %.*s: %s", what, (int)(e->name_len > 200 ? 200 : e->name_len), e->name, why);
}

/*
 * HOOKS of effect E: the run of its directory queued (runtime/daemon/hooks.h).
 * The record says only that; each hook's exit status is logged, and the
 * hooks started later are no action of their own.
 */
static void act_hooks_run(struct actions *a, const struct vm_effect *e)
{
	struct img_str no = { 0, 0 }, uname = no, gname = no;
	struct act_record *cur = a->cur;
	char *ups, *group, where[160];

	if (e->ups < a->img->ups.n) {	/* an alert rule's run has no UPS */
		const struct img_ups *u = &a->img->ups.v[e->ups];
		uname = u->name;
		if (u->group < a->img->groups.n)
			gname = a->img->groups.v[u->group].name;
	}
	ups = xstrndup(img_bytes(a->img, uname), uname.len);
	group = xstrndup(img_bytes(a->img, gname), gname.len);
	a->cur = NULL;	/* the first hook is not the record's process */
	hk_run(a->hooks, e->name, act_where(a->img, e, where, sizeof(where)),
	       &(struct hk_event){ ups, group, e->aux, e->text });
	a->cur = cur;
	free(ups);
	free(group);
}

void act_run(struct actions *a, const struct vm_effect *e, const struct vm_event *ev)
{
	char where[160];

	/* the engine's own (timers, marks) are in the trace, not among the actions */
	if (e->kind != OP_STARTTIMER && e->kind != OP_CANCELTIMER && e->kind != OP_MARK && e->kind != OP_UNMARK)
		a->cur = act_record_new(a, e);
	switch (e->kind) {
	case OP_NOTIFY:
		if (!a->host.notify || a->host.notify(a->host.ctx, e->text) != 0)
			act_with_arg(a, e, "NOTIFY", a->notify, e->text);
		break;
	case OP_WALL:
		act_spawn(a, e, "WALL", a->wall, e->text);
		break;
	case OP_PRINT:
	case OP_EPRINT:
		if (a->foreground) {
			FILE *f = e->kind == OP_PRINT ? stdout : stderr;
			fprintf(f, "%s\n", e->text);
			fflush(f);
		} else {
			log_msg(LOG_INFO, "%s", e->text);
		}
		break;
	case OP_NUTLOG:
		if (!log_nut_path())	/* no NUT log (-l): the daemon's log has it */
			log_msg(LOG_NOTICE, "%s", e->text);
		else if (log_nut(e->text) != 0) {
			log_msg(LOG_ERR, "NUTLOG at %s: cannot write %s: %s", act_where(a->img, e, where, sizeof(where)),
				log_nut_path(), strerror(errno));
			act_note(a, ACT_FAILED, "cannot write the NUT log");
		}
		break;
	case OP_SYSLOG:
		syslog((int)e->prio | LOG_DAEMON, "%s", e->text);
		break;
	case OP_EMAIL: {
		struct act_mail m = { a->img, e, a->smtp_cafile, a->mail_helper, a->timeout };
		if (a->img->settings.smtp_port == 0) {
			log_msg(LOG_ERR, "EMAIL at %s: the plan has no SMTPSERVER: mail not sent",
				act_where(a->img, e, where, sizeof(where)));
			act_note(a, ACT_FAILED, "the plan has no SMTPSERVER");
			break;
		}
		struct act_job j = act_job_of(a, e, "EMAIL", NULL, where, sizeof(where));
		act_fork(a, &j, act_send_mail, &m);
		break;
	}
	case OP_SHELLCMD:
		act_with_arg(a, e, "SHELLCMD", a->shell, e->text);
		break;
	case OP_SHUTDOWNCMD:
		a->host.shutdown(a->host.ctx, e, ev);	/* logs it */
		break;
	case OP_SETFSD:
		if (a->host.setfsd(a->host.ctx, e->target) != 0)
			act_note(a, ACT_FAILED, "not logged in to upsd");
		break;
	case OP_DEBUG:
		log_set_debug((int)e->level);
		log_msg(LOG_NOTICE, "debug level %u (DEBUG at %s)", e->level, act_where(a->img, e, where, sizeof(where)));
		break;
	case OP_ALERT:
	case OP_RESOLVE:
		if (a->host.alert)
			a->host.alert(a->host.ctx, e, ev, e->kind == OP_ALERT);
		else
			act_unserved(a, e, "ALERT", "no sender");
		break;
	case OP_HOOKS:
		act_hooks_run(a, e);
		break;
	case OP_STARTTIMER:
	case OP_CANCELTIMER:
	case OP_MARK:
	case OP_UNMARK:
		break;	/* done by the engine; the walk-through shows them */
	default:	/* VM_FAULT */
		log_msg(LOG_ERR, "plan fault at %s: %s", act_where(a->img, e, where, sizeof(where)), e->text);
		act_note(a, ACT_FAILED, "plan fault");
		break;
	}
	if (a->cur && a->cur->result == ACT_PENDING)
		a->cur->result = ACT_OK;
	a->cur = NULL;
}
