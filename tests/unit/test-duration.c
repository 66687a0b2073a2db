/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test-duration.c - TAP tests of dur_parse(): seconds and units (h, m, s), malformed forms with where and why, the upper bound. */
#include "config.h"

#include <string.h>

#include "base/duration.h"
#include "tests/unit/tap.h"

static void good(const char *text, double want)
{
	double got = -1;
	int rc = dur_parse(text, strlen(text), 1e9, &got, NULL);

	ok(rc == 0 && got == want, "'%s' is %g s (got %d, %g)", text, want, rc, got);
}

/* TEXT is refused; the fault starts at AT, LEN bytes, and WHY contains PART. */
static void bad(const char *text, size_t at, size_t len, const char *part)
{
	struct dur_fail f = { 99, 99, "" };
	double got = -1;
	int rc = dur_parse(text, strlen(text), 1e9, &got, &f);

	ok(rc == -1 && f.at == at && f.len == len && strstr(f.why, part) && got == -1,
	   "'%s' is malformed at %zu+%zu: %s (got %d at %zu+%zu: %s)", text, at, len, part, rc, f.at, f.len, f.why);
}

int main(void)
{
	good("90", 90);
	good("1.5", 1.5);
	good("0", 0);
	good("2m", 120);
	good("1h30m", 5400);
	good("1.5s", 1.5);
	good("1h", 3600);
	good("1h2m3s", 3723);
	good("1h0.5s", 3600.5);
	good(".5m", 30);
	good("0.25h", 900);
	good("5.s", 5);

	bad("", 0, 0, "expected");
	bad("1m30", 2, 2, "last part needs its unit");
	bad("2min", 1, 3, "units are h, m and s");
	bad("5x", 1, 1, "units are h, m and s");
	bad("10ms", 2, 2, "units are h, m and s");
	bad("30m1h", 4, 1, "from hours down to seconds");
	bad("1m1m", 3, 1, "from hours down to seconds");
	bad("1s1s", 3, 1, "from hours down to seconds");
	bad("1..5s", 0, 4, "at most one decimal point");
	bad(".s", 0, 1, "at most one decimal point");
	bad("h", 0, 1, "number is expected");
	bad("1hm", 1, 2, "units are h, m and s");
	bad("1234567890123456789012345678901234567890123456789012345678901234567890s", 0, 70, "too long");

	double got = -1;
	is_int(dur_parse("277777h46m40s", 13, 1e9, &got, NULL), 0, "1e9 s exactly is the bound, in");
	is_int(dur_parse("277777h46m41s", 13, 1e9, &got, NULL), -2, "a second more is over it");
	is_int(dur_parse("2m", 2, 60, &got, NULL), -2, "the bound is the caller's");
	is_int(dur_parse("1e999", 5, 1e9, &got, NULL), -1, "no exponent (e is no unit)");
	return done_testing();
}
