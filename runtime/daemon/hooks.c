/* SPDX-License-Identifier: GPL-2.0-or-later */
/* hooks.c - HOOKS: every executable of a directory run in turn, as run-parts does, with the event in the environment. */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <syslog.h>
#include <unistd.h>

#include "base/xalloc.h"
#include "runtime/common/safe-file.h"
#include "runtime/daemon/actions.h"
#include "runtime/daemon/hooks.h"
#include "runtime/daemon/log.h"

/* One run of a directory: its hooks, read when it starts, and the environment they get. */
struct hk_chain {
	struct hk_runner *r;
	char *dir;		/* as the plan names it */
	char *real;		/* its real path, once its run starts: what is read and run */
	char where[160];	/* the HOOKS's file:line:col */
	char *env[5];		/* UPSPLAN_UPS= ... UPSPLAN_MESSAGE=, NULL */
	char **names;		/* the hooks to run, in order */
	size_t n, next;
	int started;
	struct hk_chain *link;
};

struct hk_runner {
	struct actions *a;
	struct hk_chain *head;	/* in the order asked */
	size_t n;
};

struct hk_runner *hk_new(struct actions *a)
{
	struct hk_runner *r = xcalloc(1, sizeof(*r));

	r->a = a;
	return r;
}

static void hk_chain_free(struct hk_chain *c)
{
	for (size_t i = 0; i < c->n; i++)
		free(c->names[i]);
	free(c->names);
	for (size_t i = 0; c->env[i]; i++)
		free(c->env[i]);
	free(c->dir);
	free(c->real);
	free(c);
}

void hk_free(struct hk_runner *r)
{
	if (!r)
		return;
	while (r->head) {
		struct hk_chain *c = r->head;
		r->head = c->link;
		hk_chain_free(c);
	}
	free(r);
}

size_t hk_pending(const struct hk_runner *r)
{
	return r->n;
}

/* The names run-parts runs (without --lsbsysinit): ASCII letters, digits, underscores and hyphens only. */
static int hk_name_ok(const char *s)
{
	if (!*s)
		return 0;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') || *s == '_' ||
		      *s == '-'))
			return 0;
	return 1;
}

/* 0 when ST (of WHAT, PATH) is owned by root or this user and not writable by its group or others; else logged. */
static int hk_trusted(const struct hk_chain *c, const char *what, const char *path, const struct stat *st)
{
	if (st->st_uid != 0 && st->st_uid != geteuid()) {
		log_msg(LOG_ERR, "HOOKS at %s: %s %s is owned by uid %ld, neither root nor this daemon's user: not run "
			"(chown root %s)", c->where, what, path, (long)st->st_uid, path);
		return -1;
	}
	if (st->st_mode & (S_IWGRP | S_IWOTH)) {
		log_msg(LOG_ERR, "HOOKS at %s: %s %s may be changed by %s (mode %04o): not run (chmod go-w %s)",
			c->where, what, path, st->st_mode & S_IWOTH ? "every user" : "its group",
			(unsigned)(st->st_mode & 07777), path);
		return -1;
	}
	return 0;
}

static int hk_cmp(const void *x, const void *y)
{
	return strcmp(*(char *const *)x, *(char *const *)y);
}

/* Read C's directory: the names of the hooks to run, sorted; -1 when it cannot be used (logged). */
static int hk_read_dir(struct hk_chain *c)
{
	struct stat st;
	struct dirent *de;
	size_t cap = 0;
	DIR *d;

	char real[PATH_MAX], err[PATH_MAX + 200];

	if (!realpath(c->dir, real) || stat(real, &st) != 0) {
		log_msg(LOG_ERR, "HOOKS at %s: %s: %s", c->where, c->dir, strerror(errno));
		return -1;
	}
	/* who may rename a directory above it may put other hooks in its place */
	if (safe_parents(real, geteuid(), err, sizeof(err)) != 0) {
		log_msg(LOG_ERR, "HOOKS at %s: %s: not run", c->where, err);
		return -1;
	}
	/* from here by its real path: a link on the way, changed meanwhile, changes nothing */
	c->real = xstrdup(real);
	if (!S_ISDIR(st.st_mode)) {
		log_msg(LOG_ERR, "HOOKS at %s: %s is not a directory", c->where, c->dir);
		return -1;
	}
	if (hk_trusted(c, "the directory", c->dir, &st) != 0)
		return -1;
	d = opendir(c->real);
	if (!d) {
		log_msg(LOG_ERR, "HOOKS at %s: cannot read %s: %s", c->where, c->dir, strerror(errno));
		return -1;
	}
	while ((de = readdir(d)) != NULL) {
		if (!hk_name_ok(de->d_name)) {
			if (de->d_name[0] != '.')
				log_debug(1, "HOOKS at %s: %s/%s skipped: run-parts runs only names of letters, "
					  "digits, '_' and '-'", c->where, c->dir, de->d_name);
			continue;
		}
		if (c->n == HK_MAX_HOOKS) {
			log_msg(LOG_ERR, "HOOKS at %s: %s holds more than %d hooks: the rest are not run", c->where,
				c->dir, HK_MAX_HOOKS);
			break;
		}
		if (c->n == cap) {
			cap = cap ? 2 * cap : 16;
			c->names = xrealloc(c->names, cap * sizeof(*c->names));
		}
		c->names[c->n++] = xstrdup(de->d_name);
	}
	closedir(d);
	if (c->n > 1)
		qsort(c->names, c->n, sizeof(*c->names), hk_cmp);
	return 0;
}

/* C's run ended: gone from the queue (the caller pumps). */
static void hk_remove(struct hk_chain *c)
{
	struct hk_runner *r = c->r;
	struct hk_chain **pp;

	for (pp = &r->head; *pp; pp = &(*pp)->link)
		if (*pp == c) {
			*pp = c->link;
			break;
		}
	r->n--;
	log_debug(1, "HOOKS at %s: %s: done", c->where, c->dir);
	hk_chain_free(c);
}

static void hk_done(void *arg, int status);

/* Start C's next hook that can run: 1, or 0 when none is left. */
static int hk_next(struct hk_chain *c)
{
	while (c->next < c->n) {
		const char *name = c->names[c->next++];
		size_t len = strlen(c->real) + strlen(name) + 2;
		char *path = xrealloc(NULL, len), what[400], real[PATH_MAX], err[PATH_MAX + 200];
		char *argv[2] = { real, NULL };
		struct stat st;
		pid_t pid;

		snprintf(path, len, "%s/%s", c->real, name);
		if (stat(path, &st) != 0 || !S_ISREG(st.st_mode) || access(path, X_OK) != 0) {
			log_debug(1, "HOOKS at %s: %s skipped: not an executable file", c->where, path);
			free(path);
			continue;
		}
		if (hk_trusted(c, "the hook", path, &st) != 0) {
			free(path);
			continue;
		}
		/* a symbolic link: where it leads must be as safe as the directory, and is what runs */
		err[0] = '\0';
		if (!realpath(path, real))
			snprintf(err, sizeof(err), "%s", strerror(errno));
		else
			safe_parents(real, geteuid(), err, sizeof(err));
		if (err[0]) {
			log_msg(LOG_ERR, "HOOKS at %s: %s: %s: not run", c->where, path, err);
			free(path);
			continue;
		}
		snprintf(what, sizeof(what), "%s (HOOKS at %s)", path, c->where);
		pid = act_spawn_env(c->r->a, "hook", what, argv, c->env, hk_done, c);
		free(path);
		if (pid > 0)
			return 1;	/* hk_done goes on */
	}
	return 0;
}

/* Start every run waiting whose directory no earlier run is using. */
static void hk_pump(struct hk_runner *r)
{
	struct hk_chain *c;

again:
	for (c = r->head; c; c = c->link) {
		int busy = 0;

		if (c->started)
			continue;
		for (struct hk_chain *e = r->head; e != c; e = e->link)
			if (strcmp(e->dir, c->dir) == 0)
				busy = 1;
		if (busy)
			continue;
		c->started = 1;
		if (hk_read_dir(c) != 0 || !hk_next(c)) {
			hk_remove(c);
			goto again;	/* a run of its directory may start now */
		}
	}
}

/* One hook of C ended with STATUS: logged, then the next one, or the run ends. */
static void hk_done(void *arg, int status)
{
	struct hk_chain *c = arg;

	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)	/* a failure was logged by the actions */
		log_msg(LOG_INFO, "hook at %s/%s (HOOKS at %s): exit status 0", c->real, c->names[c->next - 1],
			c->where);
	if (!hk_next(c)) {
		struct hk_runner *r = c->r;
		hk_remove(c);
		hk_pump(r);
	}
}

static char *hk_env(const char *name, const char *value)
{
	size_t len = strlen(name) + strlen(value ? value : "") + 2;
	char *s = xrealloc(NULL, len);

	snprintf(s, len, "%s=%s", name, value ? value : "");
	return s;
}

void hk_run(struct hk_runner *r, const char *dir, const char *where, const struct hk_event *ev)
{
	struct hk_chain *c, **pp;

	if (r->n >= HK_MAX_QUEUED) {
		log_msg(LOG_ERR, "HOOKS at %s: %s not run: %d runs of hooks are waiting already", where, dir,
			HK_MAX_QUEUED);
		return;
	}
	c = xcalloc(1, sizeof(*c));
	c->r = r;
	c->dir = xstrdup(dir);
	snprintf(c->where, sizeof(c->where), "%s", where);
	c->env[0] = hk_env("UPSPLAN_UPS", ev->ups);
	c->env[1] = hk_env("UPSPLAN_GROUP", ev->group);
	c->env[2] = hk_env("UPSPLAN_EVENT", ev->event);
	c->env[3] = hk_env("UPSPLAN_MESSAGE", ev->message);
	for (pp = &r->head; *pp; pp = &(*pp)->link)
		;
	*pp = c;
	r->n++;
	hk_pump(r);
}
