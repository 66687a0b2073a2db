/* SPDX-License-Identifier: GPL-2.0-or-later */
/* monotonic.h - seconds on the monotonic clock (time limits, the daemon's own clock: clock steps do not move it) or another, and seconds as a timer's timeval. */
#ifndef UPSPLAN_MONOTONIC_H
#define UPSPLAN_MONOTONIC_H

#include <sys/time.h>
#include <time.h>

/* Seconds on clock ID (CLOCK_MONOTONIC, CLOCK_BOOTTIME, CLOCK_REALTIME) since its origin, with nanoseconds. */
static inline double rt_clock(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Seconds since an arbitrary origin, with nanoseconds. */
static inline double rt_monotonic(void)
{
	return rt_clock(CLOCK_MONOTONIC);
}

/* SECONDS from now as a timeval (for a libevent timer), to the microsecond; a negative one is 0. */
static inline struct timeval rt_timeval(double seconds)
{
	struct timeval tv;

	if (seconds < 0)
		seconds = 0;
	tv.tv_sec = (time_t)seconds;
	tv.tv_usec = (suseconds_t)((seconds - (double)tv.tv_sec) * 1e6);
	return tv;
}

#endif
