/* SPDX-License-Identifier: GPL-2.0-or-later */
/* tap.h - a tiny TAP producer for the unit tests: ok(), is_int(), is_str(), done_testing(). */
#ifndef UPSPLAN_TAP_H
#define UPSPLAN_TAP_H

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static int tap_run;		/* tests run so far */
static int tap_failed;		/* of which failed */
static int tap_planned = -1;	/* plan() count, -1: done_testing() prints the plan */

/* Announce N tests up front (optional; done_testing() prints the plan otherwise). */
static inline void plan(int n)
{
	tap_planned = n;
	printf("1..%d\n", n);
}

static inline int tap_vok(int cond, const char *fmt, va_list ap)
{
	tap_run++;
	if (!cond)
		tap_failed++;
	printf("%sok %d - ", cond ? "" : "not ", tap_run);
	vprintf(fmt, ap);
	putchar('\n');
	fflush(stdout);
	return cond;
}

/* One test: passes when COND is true; FMT names it. */
static inline __attribute__((format(printf, 2, 3)))
int ok(int cond, const char *fmt, ...)
{
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = tap_vok(cond, fmt, ap);
	va_end(ap);
	return r;
}

/* A comment line (TAP diagnostics). */
static inline __attribute__((format(printf, 1, 2)))
void diag(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fputs("# ", stdout);
	vprintf(fmt, ap);
	putchar('\n');
	va_end(ap);
}

/* GOT must equal WANT. */
static inline __attribute__((format(printf, 3, 4)))
int is_int(long long got, long long want, const char *fmt, ...)
{
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = tap_vok(got == want, fmt, ap);
	va_end(ap);
	if (!r)
		printf("#   got: %lld\n#  want: %lld\n", got, want);
	return r;
}

/* GOT must be the string WANT (NULL only equals NULL). */
static inline __attribute__((format(printf, 3, 4)))
int is_str(const char *got, const char *want, const char *fmt, ...)
{
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = tap_vok(got && want ? strcmp(got, want) == 0 : got == want, fmt, ap);
	va_end(ap);
	if (!r)
		printf("#   got: %s%s%s\n#  want: %s%s%s\n",
		       got ? "'" : "", got ? got : "NULL", got ? "'" : "",
		       want ? "'" : "", want ? want : "NULL", want ? "'" : "");
	return r;
}

/* The LEN bytes at GOT must be the string WANT. */
static inline __attribute__((format(printf, 4, 5)))
int is_mem(const char *got, size_t len, const char *want, const char *fmt, ...)
{
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = tap_vok(got && strlen(want) == len && memcmp(got, want, len) == 0, fmt, ap);
	va_end(ap);
	if (!r)
		printf("#   got: '%.*s'\n#  want: '%s'\n", got ? (int)len : 4,
		       got ? got : "NULL", want);
	return r;
}

/* Print the plan if none was given; the exit status: 0 when all passed. */
static inline int done_testing(void)
{
	if (tap_planned < 0)
		printf("1..%d\n", tap_run);
	else if (tap_planned != tap_run)
		printf("# planned %d tests but ran %d\n", tap_planned, tap_run);
	if (tap_failed)
		printf("# failed %d of %d tests\n", tap_failed, tap_run);
	return tap_failed || (tap_planned >= 0 && tap_planned != tap_run);
}

#endif
