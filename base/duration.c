/* SPDX-License-Identifier: GPL-2.0-or-later */
/* duration.c - the parser of durations with units (see duration.h). */
#include "config.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "base/duration.h"

static int dur_fail(struct dur_fail *f, size_t at, size_t len, const char *why)
{
	if (f) {
		f->at = at;
		f->len = len;
		f->why = why;
	}
	return -1;
}

int dur_parse(const char *s, size_t len, double max, double *out, struct dur_fail *fail)
{
	static const char units[] = "hms";
	static const double secs[] = { 3600, 60, 1 };
	double total = 0;
	size_t i = 0;
	int next_unit = 0;	/* index in units of the smallest unit still allowed */

	if (len == 0)
		return dur_fail(fail, 0, 0, "a duration is expected");
	while (i < len) {
		char buf[64];
		size_t j = i, dots = 0;
		const char *u;
		double v;

		while (j < len && ((s[j] >= '0' && s[j] <= '9') || s[j] == '.'))
			dots += s[j++] == '.';
		if (j == i)
			return dur_fail(fail, i, 1, "a number is expected here");
		if (dots > 1 || j - i == dots)
			return dur_fail(fail, i, j - i, "a number is digits with at most one decimal point");
		if (j - i >= sizeof(buf))
			return dur_fail(fail, i, j - i, "this number is too long");
		memcpy(buf, s + i, j - i);
		buf[j - i] = '\0';
		v = strtod(buf, NULL);
		if (j == len) {
			if (i > 0)	/* "1m30": the last part needs its unit */
				return dur_fail(fail, i, j - i, "the last part needs its unit (h, m or s)");
			total = v;	/* a plain number of seconds */
			break;
		}
		u = s[j] ? memchr(units, s[j], 3) : NULL;
		size_t k = j;	/* the unit: up to the next number */
		while (k < len && !(s[k] >= '0' && s[k] <= '9') && s[k] != '.')
			k++;
		if (!u || k - j > 1)	/* "2min", "2x", "2 s" */
			return dur_fail(fail, j, k - j, "the units are h, m and s");
		if (u - units < next_unit)
			return dur_fail(fail, j, 1, "write the parts from hours down to seconds, each unit once");
		next_unit = (int)(u - units) + 1;
		total += v * secs[u - units];
		i = j + 1;
	}
	if (!isfinite(total) || total > max)
		return -2;
	*out = total;
	return 0;
}
