/* SPDX-License-Identifier: GPL-2.0-or-later */
/* hooks-driver.c - for run-hooks.sh: run the hooks of each directory given, as the daemon's HOOKS action does, until all ended. */
#include "config.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>

#include <event2/event.h>

#include "runtime/daemon/actions.h"
#include "runtime/daemon/hooks.h"
#include "runtime/daemon/log.h"

struct drv {
	struct event_base *base;
	struct actions *a;
};

static void drv_chld(evutil_socket_t fd, short what, void *arg)
{
	struct drv *d = arg;
	int status;
	pid_t pid;

	(void)fd;
	(void)what;
	while ((pid = waitpid(-1, &status, WNOHANG)) > 0)
		act_reaped(d->a, pid, status);
}

static void drv_check(evutil_socket_t fd, short what, void *arg)
{
	struct drv *d = arg;

	(void)fd;
	(void)what;
	if (hk_pending(act_hooks(d->a)) == 0 && act_running(d->a) == 0)
		event_base_loopbreak(d->base);
}

int main(int argc, char **argv)
{
	struct act_config cfg = { .wall = "wall", .notify = "notify-send", .shell = "/bin/sh -c", .foreground = 1 };
	struct act_host host = { NULL, NULL, NULL, NULL, NULL };
	struct timeval every = { 0, 20000 };
	struct event *chld, *check;
	struct drv d;

	if (argc < 6) {
		fprintf(stderr, "usage: hooks-driver TIMEOUT UPS EVENT MESSAGE DIR...\n");
		return 2;
	}
	signal(SIGPIPE, SIG_IGN);
	log_open("hooks-driver", 1, NULL, 1);
	cfg.timeout = atof(argv[1]);
	d.base = event_base_new();
	d.a = act_new(d.base, &cfg, NULL, &host);
	if (!d.base || !d.a)
		return 1;
	chld = evsignal_new(d.base, SIGCHLD, drv_chld, &d);
	check = event_new(d.base, -1, EV_PERSIST, drv_check, &d);
	evsignal_add(chld, NULL);
	evtimer_add(check, &every);
	for (int i = 5; i < argc; i++) {
		struct hk_event ev = { argv[2], "", argv[3], argv[4] };
		char where[32];

		snprintf(where, sizeof(where), "plan.conf:%d:1", i - 4);
		hk_run(act_hooks(d.a), argv[i], where, &ev);
	}
	event_base_dispatch(d.base);
	act_free(d.a);
	event_free(chld);
	event_free(check);
	event_base_free(d.base);
	log_close();
	return 0;
}
