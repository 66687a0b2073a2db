/* SPDX-License-Identifier: GPL-2.0-or-later */
/* fdlimit.h - the open files limit (RLIMIT_NOFILE) a plan needs: counted, the soft limit raised up to the hard one, or a refusal that says what to do. */
#ifndef UPSPLAN_FDLIMIT_H
#define UPSPLAN_FDLIMIT_H

#include <stddef.h>

#include "engine/image.h"

/*
 * File descriptors kept beyond the upsd connections: the standard
 * streams, syslog, the NUT log, the trace, the root parent's socket,
 * sd_notify and the event loop's own (epoll, its signal pipe, a DNS
 * socket per name server) take about 14; the rest is for actions, each
 * running one holding one or two (its standard error, the text it is
 * given): some 25 at once.
 */
#define FD_MARGIN 64

/*
 * When the soft limit must be raised, it is raised this far when the hard
 * limit allows (at least to what the plan needs): the actions of an
 * outage come in bursts (every UPS of a rack on battery at once, each
 * running a command), and each running action holds a descriptor or two.
 */
#define FD_SOFT_MAX 65536

/*
 * The file descriptors the plan IMG needs: one connection per UPS, one
 * poll connection per group (none with CHECK_ONLY), FD_MARGIN.
 */
unsigned long fd_plan_need(const struct plan_image *img, int check_only);

/*
 * Make sure this process may open what IMG needs: when the soft
 * RLIMIT_NOFILE is lower, raise it to the hard limit, at most FD_SOFT_MAX
 * (never lowered, never below the need).  Returns 0 when nothing had to
 * change, 1 when it was raised (MSG says from what to what), -1 when the
 * hard limit is too low or the raise failed (MSG names the numbers and the
 * fix: ulimit -Hn, systemd's LimitNOFILE=).
 */
int fd_raise(const struct plan_image *img, int check_only, char *msg, size_t msglen);

#endif
