/* SPDX-License-Identifier: GPL-2.0-or-later */
/* duration.h - durations with units ("90", "1.5", "2m", "1h30m", "1.5s"): the one parser of the language and of scenarios. */
#ifndef UPSPLAN_DURATION_H
#define UPSPLAN_DURATION_H

#include <stddef.h>

/* Why dur_parse() refused a text: what is wrong, and where. */
struct dur_fail {
	size_t at, len;		/* the bytes at fault: offset into the text, length (at least 1 unless the text is empty) */
	const char *why;	/* a phrase: "h, m and s are the units" ... */
};

/*
 * Parse the LEN bytes at S: a plain number of seconds ("90", "1.5"), or
 * parts NUMBER UNIT with the units h, m and s, each at most once, from
 * hours down to seconds ("2m", "1h30m", "1.5s", "1h0.5s"); a NUMBER is
 * digits with at most one decimal point.  0 and the seconds in *OUT; -1
 * when malformed (FAIL says where and why); -2 when the total is above
 * MAX seconds.  FAIL may be NULL.
 */
int dur_parse(const char *s, size_t len, double max, double *out, struct dur_fail *fail);

#endif
