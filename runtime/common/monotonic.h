/* SPDX-License-Identifier: GPL-2.0-or-later */
/* monotonic.h - seconds on the monotonic clock, for time limits and the daemon's own clock (clock steps do not move them). */
#ifndef UPSPLAN_MONOTONIC_H
#define UPSPLAN_MONOTONIC_H

#include <time.h>

/* Seconds since an arbitrary origin, with nanoseconds. */
static inline double rt_monotonic(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

#endif
