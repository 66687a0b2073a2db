/* SPDX-License-Identifier: GPL-2.0-or-later */
/* bev-out.c - what is queued on a bufferevent, written straight to its descriptor just before it is freed. */
#include "config.h"

#include <errno.h>
#include <poll.h>

#include <event2/buffer.h>

#include "runtime/common/monotonic.h"
#include "runtime/daemon/bev-out.h"

void bev_write_out(struct bufferevent *bev, double seconds)
{
	struct evbuffer *out = bufferevent_get_output(bev);
	struct pollfd p = { bufferevent_getfd(bev), POLLOUT, 0 };
	double end = rt_monotonic() + seconds;

	if (p.fd < 0)
		return;
	evbuffer_unfreeze(out, 1);
	while (evbuffer_get_length(out) > 0) {
		if (evbuffer_write(out, p.fd) < 0 && errno != EAGAIN && errno != EINTR)
			break;
		if (evbuffer_get_length(out) == 0 || rt_monotonic() >= end || poll(&p, 1, 50) < 0)
			break;
	}
}
