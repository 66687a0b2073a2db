/* SPDX-License-Identifier: GPL-2.0-or-later */
/* fdlimit.c - the open files limit (RLIMIT_NOFILE) a plan needs: counted, the soft limit raised up to the hard one, or a refusal that says what to do. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "base/xalloc.h"
#include "runtime/daemon/fdlimit.h"

/* The groups of IMG with at least one UPS: each has a poll connection. */
static unsigned long fd_groups_used(const struct plan_image *img)
{
	unsigned long n = 0;
	unsigned char *used = xcalloc((size_t)img->groups.n + 1, 1);

	for (uint32_t u = 0; u < img->ups.n; u++)
		if (img->ups.v[u].group < img->groups.n && !used[img->ups.v[u].group]) {
			used[img->ups.v[u].group] = 1;
			n++;
		}
	free(used);
	return n;
}

unsigned long fd_plan_need(const struct plan_image *img, int check_only)
{
	return (unsigned long)img->ups.n + (check_only ? 0 : fd_groups_used(img)) + FD_MARGIN;
}

int fd_raise(const struct plan_image *img, int check_only, char *msg, size_t msglen)
{
	unsigned long need = fd_plan_need(img, check_only), pollers = check_only ? 0 : fd_groups_used(img);
	struct rlimit rl;
	unsigned long long soft;

	msg[0] = '\0';
	if (getrlimit(RLIMIT_NOFILE, &rl) != 0) {
		snprintf(msg, msglen, "cannot read the open files limit: %s", strerror(errno));
		return -1;
	}
	if (rl.rlim_cur == RLIM_INFINITY || rl.rlim_cur >= need)
		return 0;
	soft = (unsigned long long)rl.rlim_cur;
	if (rl.rlim_max != RLIM_INFINITY && rl.rlim_max < need) {
		snprintf(msg, msglen,
			 "the plan needs %lu open files (%u for the UPS, %lu for the poll connections, %d for logs, actions and the event loop) but the open files limit is %llu (hard limit %llu): raise the hard limit to at least %lu (ulimit -Hn %lu as root in the shell that starts upsplan, or LimitNOFILE=%lu in its systemd unit)",
			 need, img->ups.n, pollers, FD_MARGIN, soft, (unsigned long long)rl.rlim_max, need, need, need);
		return -1;
	}
	/* room for bursts of actions too, as far as the hard limit lets */
	rl.rlim_cur = rl.rlim_max == RLIM_INFINITY || rl.rlim_max > FD_SOFT_MAX ? FD_SOFT_MAX : rl.rlim_max;
	if (rl.rlim_cur < need)
		rl.rlim_cur = need;
	if (setrlimit(RLIMIT_NOFILE, &rl) != 0) {
		snprintf(msg, msglen, "the plan needs %lu open files, the limit is %llu and cannot be raised: %s", need,
			 soft, strerror(errno));
		return -1;
	}
	snprintf(msg, msglen, "open files limit raised from %llu to %llu (the plan needs %lu: %u for the UPS, %lu for the poll connections, %d for logs, actions and the event loop; the rest for bursts of actions)",
		 soft, (unsigned long long)rl.rlim_cur, need, img->ups.n, pollers, FD_MARGIN);
	return 1;
}
