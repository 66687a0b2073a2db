/* SPDX-License-Identifier: GPL-2.0-or-later */
/* curlev.c - libcurl's multi_socket API on libevent: an event per socket libcurl watches, a timer for its timeouts, finished transfers handed to a callback. */
#include "config.h"

#include "runtime/obs/curlev.h"

#include <event2/event.h>
#include <stdlib.h>

#include "base/xalloc.h"

struct cev {
	struct event_base *base;
	CURLM *multi;
	struct event *timer_ev;
	cev_done_fn *done;
	void *arg;
};

static void cev_check(struct cev *c)
{
	CURLMsg *msg;
	int left;

	while ((msg = curl_multi_info_read(c->multi, &left)) != NULL)
		if (msg->msg == CURLMSG_DONE)
			c->done(c->arg, msg->easy_handle, msg->data.result);
}

static void cev_sock_event(evutil_socket_t fd, short what, void *arg)
{
	struct cev *c = arg;
	int running, flags = 0;

	if (what & EV_READ)
		flags |= CURL_CSELECT_IN;
	if (what & EV_WRITE)
		flags |= CURL_CSELECT_OUT;
	curl_multi_socket_action(c->multi, fd, flags, &running);
	cev_check(c);
}

static int cev_sock_cb(CURL *h, curl_socket_t s, int what, void *userp, void *sockp)
{
	struct cev *c = userp;
	struct event *ev = sockp;
	short kind;

	(void)h;
	if (what == CURL_POLL_REMOVE) {
		if (ev != NULL)
			event_free(ev);
		curl_multi_assign(c->multi, s, NULL);
		return 0;
	}
	kind = EV_PERSIST | (what & CURL_POLL_IN ? EV_READ : 0) | (what & CURL_POLL_OUT ? EV_WRITE : 0);
	if (ev != NULL) {
		event_del(ev);
		event_assign(ev, c->base, s, kind, cev_sock_event, c);
	} else {
		ev = event_new(c->base, s, kind, cev_sock_event, c);
		if (ev == NULL)
			xalloc_fail();
		curl_multi_assign(c->multi, s, ev);
	}
	event_add(ev, NULL);
	return 0;
}

static void cev_timer_event(evutil_socket_t fd, short what, void *arg)
{
	struct cev *c = arg;
	int running;

	(void)fd;
	(void)what;
	curl_multi_socket_action(c->multi, CURL_SOCKET_TIMEOUT, 0, &running);
	cev_check(c);
}

/* never calls libcurl back from here: the timer runs it on the next loop turn */
static int cev_timer_cb(CURLM *multi, long ms, void *userp)
{
	struct cev *c = userp;
	struct timeval tv;

	(void)multi;
	if (ms < 0) {
		evtimer_del(c->timer_ev);
		return 0;
	}
	tv.tv_sec = ms / 1000;
	tv.tv_usec = (ms % 1000) * 1000;
	evtimer_add(c->timer_ev, &tv);
	return 0;
}

struct cev *cev_new(struct event_base *base, cev_done_fn *done, void *arg)
{
	struct cev *c = xcalloc(1, sizeof(*c));

	c->base = base;
	c->done = done;
	c->arg = arg;
	c->multi = curl_multi_init();
	c->timer_ev = evtimer_new(base, cev_timer_event, c);
	if (c->multi == NULL || c->timer_ev == NULL)
		xalloc_fail();
	curl_multi_setopt(c->multi, CURLMOPT_SOCKETFUNCTION, cev_sock_cb);
	curl_multi_setopt(c->multi, CURLMOPT_SOCKETDATA, c);
	curl_multi_setopt(c->multi, CURLMOPT_TIMERFUNCTION, cev_timer_cb);
	curl_multi_setopt(c->multi, CURLMOPT_TIMERDATA, c);
	return c;
}

CURLM *cev_multi(struct cev *c)
{
	return c->multi;
}

void cev_free(struct cev *c)
{
	if (c == NULL)
		return;
	/* closes the cached connections: their events go by cev_sock_cb */
	curl_multi_cleanup(c->multi);
	event_free(c->timer_ev);
	free(c);
}
