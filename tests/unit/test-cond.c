/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test-cond.c - TAP tests of IF conditions through the engine: comparisons, texts, patterns, RUNNING, operators, unknown variables, no allocation. */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/engine.h"
#include "engine/regex.h"
#include "tests/unit/plan-helper.h"
#include "tests/unit/tap.h"

/*
 * Each NUTLOG text names its condition; a poll of u1 with OL->OB runs them
 * all, and the test reads which ran.
 */
static const char plan_text[] =
	"POLLFREQ 5\n"
	"GROUP LOCAL HOST localhost PORT 3493 CERTFILE '/c.pem'\n"
	"MONITOR u1 POWERVAL 1 UPSDUSER m PASSWORD 'p' TYPE primary\n"
	"MONITOR u2 POWERVAL 1 UPSDUSER m PASSWORD 'p' TYPE primary\n"
	"WHEN u1 REPORTS OL->OB : IF battery.runtime < 300 NUTLOG 'lt'\n"
	"  IF battery.runtime <= 300 NUTLOG 'le'\n"
	"  IF battery.runtime > 300 NUTLOG 'gt'\n"
	"  IF battery.runtime >= 300 NUTLOG 'ge'\n"
	"  IF battery.runtime == 300 NUTLOG 'eq'\n"
	"  IF battery.runtime != 300 NUTLOG 'ne'\n"
	"  IF ups.beeper.status == 'enabled' NUTLOG 'teq'\n"
	"  IF ups.beeper.status != 'enabled' NUTLOG 'tne'\n"
	"  IF ups.alarm =~ 'overheat|fan' NUTLOG 'match'\n"
	"  IF NOT ups.alarm =~ 'overheat|fan' NUTLOG 'nomatch'\n"
	"  IF RUNNING t1 NUTLOG 'running'\n"
	"  IF battery.runtime < 300 AND ups.load >= 80 NUTLOG 'and'\n"
	"  IF battery.runtime < 300 OR ups.load >= 80 NUTLOG 'or'\n"
	"  IF (OL->OB OR ups.load > 1) AND NOT (ups.load > 1) NUTLOG 'paren'\n"
	"WHEN u1 REPORTS None->LB : STARTTIMER t1 60\n"
	"WHEN u1 TIMEOUT t1 : NUTLOG 'x'\n"
	"WHEN u2 REPORTS OL->OB : IF battery.runtime < 300 NUTLOG 'u2'\n";

struct fixture {
	struct plan_image img;
	struct engine eng;
	char ran[1024];		/* the NUTLOG texts of the last poll, ' '-separated */
	int unknown;		/* ENG_UNKNOWN_VAR reports */
	char last_unknown[64];
	double now;
};

static void on_trace(void *ctx, const struct eng_trace *t)
{
	struct fixture *f = ctx;

	if (t->kind == ENG_EFFECT && t->effect->kind == OP_NUTLOG) {
		strncat(f->ran, t->effect->text, sizeof(f->ran) - strlen(f->ran) - 2);
		strcat(f->ran, " ");
	} else if (t->kind == ENG_UNKNOWN_VAR) {
		struct img_str v = f->img.vars.v[t->var];
		f->unknown++;
		snprintf(f->last_unknown, sizeof(f->last_unknown), "%s:%.*s",
			 img_bytes(&f->img, f->img.ups.v[t->ups].name), (int)v.len, img_bytes(&f->img, v));
	}
}

static void fixture_init_text(struct fixture *f, const char *text)
{
	struct eng_host h = { f, on_trace };

	memset(f, 0, sizeof(*f));
	compile_text(text, &f->img);
	eng_init(&f->eng, &f->img, &h, "testhost", "m@testhost");
}

static void fixture_init(struct fixture *f)
{
	fixture_init_text(f, plan_text);
}

/* Poll UPS U with STATUS (OB then OL in turn fires OL->OB each second poll); the texts that ran. */
static const char *poll(struct fixture *f, const char *ups, const char *status)
{
	struct st_poll p = { 1, status, "100", NULL, 0 };

	f->ran[0] = '\0';
	f->now += 5;
	eng_poll(&f->eng, ups_index(&f->img, ups), &p, f->now);
	return f->ran;
}

/* Set the variables then fire OL->OB on u1: what ran. */
static const char *fire(struct fixture *f, const char *runtime, const char *load, const char *beeper,
			const char *alarm)
{
	uint32_t u = ups_index(&f->img, "u1");

	eng_set_var_name(&f->eng, u, "battery.runtime", runtime);
	eng_set_var_name(&f->eng, u, "ups.load", load);
	eng_set_var_name(&f->eng, u, "ups.beeper.status", beeper);
	eng_set_var_name(&f->eng, u, "ups.alarm", alarm);
	poll(f, "u1", "OL");
	return poll(f, "u1", "OB");
}

static void test_comparisons(void)
{
	struct fixture f;

	fixture_init(&f);
	is_str(fire(&f, "299", "10", "enabled", "fan failure"), "lt le ne teq match or ",
	       "299 s: < <= != true; == text true; pattern matches; OR true, AND false; NOT (load > 1) false");
	is_str(fire(&f, "300", "80", "disabled", "overload"), "le ge eq tne nomatch or ",
	       "300 s: <= >= == true; != text true; no match");
	is_str(fire(&f, "300.5", "80", "disabled", "overload"), "gt ge ne tne nomatch or ",
	       "numbers compare as numbers: 300.5 > 300");
	is_str(fire(&f, " 250 ", "90", "enabled", ""), "lt le ne teq nomatch and or ",
	       "blanks around a number are allowed; AND of two true terms");
	is_str(fire(&f, "1e2", "90", "enabled", ""), "lt le ne teq nomatch and or ", "1e2 is 100");
	is_str(fire(&f, "abc", "x", "enabled", ""), "teq nomatch paren ",
	       "a value that is no number makes every numeric comparison false, != too; (a OR b) AND NOT b");
	is_str(fire(&f, "250s", "90", "enabled", ""), "teq nomatch or ",
	       "a number with a unit after it is no number");
	is_str(fire(&f, "100", "90", "ENABLED", "Overheat"), "lt le ne tne nomatch and or ",
	       "texts and patterns are case-sensitive");
	eng_free(&f.eng);
	img_free(&f.img);
}

static void test_unknown(void)
{
	struct fixture f;
	uint32_t u1;

	fixture_init(&f);
	u1 = ups_index(&f.img, "u1");
	is_str(fire(&f, NULL, NULL, NULL, NULL), "nomatch paren ",
	       "unknown variables: every comparison and match is false, NOT of one true");
	is_int(f.unknown, 4, "each unknown variable is reported once (battery.runtime ups.load ups.beeper.status ups.alarm)");
	is_str(fire(&f, NULL, NULL, NULL, NULL), "nomatch paren ", "the same again");
	is_int(f.unknown, 4, "and not reported again while it stays unknown");
	fire(&f, "100", NULL, NULL, NULL);
	is_int(f.unknown, 4, "a value: nothing reported");
	fire(&f, NULL, NULL, NULL, NULL);
	is_int(f.unknown, 5, "unknown again after a value: reported again");
	is_str(f.last_unknown, "u1:battery.runtime", "the report names the UPS and the variable");
	is_str(poll(&f, "u2", "OB"), "", "u2's own battery.runtime is unknown: u1's value is not u2's");
	is_int(f.unknown, 6, "and it is reported for u2");
	ok(eng_set_var_name(&f.eng, u1, "no.such.variable", "1") == -1, "a variable no rule reads: -1");
	eng_set_var(&f.eng, 99, 0, "1");	/* a UPS out of range is ignored */
	uint32_t n = 0;
	const struct img_uvar *uv = eng_ups_vars(&f.eng, u1, &n);
	is_int(n, 4, "u1's rules read 4 variables");
	ok(uv && uv[0].ups == u1, "its entries are its own");
	eng_ups_vars(&f.eng, ups_index(&f.img, "u2"), &n);
	is_int(n, 1, "u2's read 1");
	eng_free(&f.eng);
	img_free(&f.img);
}

static void test_running(void)
{
	struct fixture f;
	struct st_poll lb = { 1, "OB LB", "10", NULL, 0 };

	fixture_init(&f);
	ok(strstr(fire(&f, "1000", "1", "x", "x"), "running") == NULL, "RUNNING t1 is false before it starts");
	f.now += 5;
	eng_poll(&f.eng, ups_index(&f.img, "u1"), &lb, f.now);	/* None->LB: STARTTIMER t1 60 */
	ok(strstr(fire(&f, "1000", "1", "x", "x"), "running ") != NULL, "and true while it runs");
	eng_expire(&f.eng, f.now + 100);
	ok(strstr(fire(&f, "1000", "1", "x", "x"), "running") == NULL, "and false once it expired");
	is_int(vm_get_stats(f.eng.vm)->grows, 0, "no buffer of the VM ever grew");
	eng_free(&f.eng);
	img_free(&f.img);
}

static void test_regex(void)
{
	char err[256];
	size_t off = 0;
	struct rx *r = rx_compile("^(a+)+$", 7, RX_JIT, err, sizeof(err), &off);

	ok(r != NULL, "a pattern with nested quantifiers compiles");
	char s[4096];
	memset(s, 'a', sizeof(s) - 2);
	s[sizeof(s) - 2] = 'b';
	s[sizeof(s) - 1] = '\0';
	is_int(rx_match(r, s, strlen(s)), 0, "catastrophic backtracking stops at the match limit: no match");
	is_int(rx_match(r, "aaa", 3), 1, "and it still matches what it matches");
	rx_free(r);
	r = rx_compile("caf\xc3\xa9", 5, RX_JIT, err, sizeof(err), &off);
	is_int(rx_match(r, "un caf\xc3\xa9", 9), 1, "UTF-8 patterns match UTF-8 values");
	is_int(rx_match(r, "\xff caf\xc3\xa9", 8), 1, "invalid UTF-8 in a value does not stop a match elsewhere");
	rx_free(r);
	ok(rx_compile("a(b", 3, 0, err, sizeof(err), &off) == NULL && off == 3, "an error gives its offset (%zu)", off);
	ok(rx_compile("\xff", 1, 0, err, sizeof(err), &off) == NULL, "a pattern that is not UTF-8 is refused");
}

/* NUMLOGINS: the clause's own UPS's slot (CMPNUM) and a named UPS's (CMPNUMAT), each UPS's value its own. */
static void test_numlogins(void)
{
	static const char text[] =
		"POLLFREQ 5\n"
		"GROUP LOCAL HOST localhost PORT 3493 CERTFILE '/c.pem'\n"
		"MONITOR u1 POWERVAL 1 UPSDUSER m PASSWORD 'p' TYPE primary\n"
		"MONITOR u2 POWERVAL 1 UPSDUSER m PASSWORD 'p' TYPE primary\n"
		"MONITOR u3 POWERVAL 1 UPSDUSER m PASSWORD 'p' TYPE primary\n"
		"WHEN u1 REPORTS OL->OB : IF NUMLOGINS >= 2 NUTLOG 'own'\n"
		"  IF NUMLOGINS u2 <= 1 NUTLOG 'u2-alone'\n"
		"  IF NOT NUMLOGINS u2 <= 1 AND NUMLOGINS u2 < 3 NUTLOG 'u2-two'\n";
	struct fixture f;
	uint32_t u1, u2, n = 0;
	const struct img_uvar *uv;

	fixture_init_text(&f, text);
	u1 = ups_index(&f.img, "u1");
	u2 = ups_index(&f.img, "u2");
	ok(eng_set_var_name(&f.eng, u1, IMG_VAR_NUMLOGINS, "1") == 0, "NUMLOGINS is a variable slot the host sets");
	eng_set_var_name(&f.eng, u2, IMG_VAR_NUMLOGINS, "1");
	poll(&f, "u1", "OL");
	is_str(poll(&f, "u1", "OB"), "u2-alone ", "u1 and u2 at 1: only u2 <= 1 holds");
	eng_set_var_name(&f.eng, u1, IMG_VAR_NUMLOGINS, "1");
	eng_set_var_name(&f.eng, u2, IMG_VAR_NUMLOGINS, "2");
	poll(&f, "u1", "OL");
	is_str(poll(&f, "u1", "OB"), "u2-two ", "u2 at 2: NUMLOGINS u2 reads u2's count, not u1's");
	eng_set_var_name(&f.eng, u1, IMG_VAR_NUMLOGINS, "2");
	eng_set_var_name(&f.eng, u2, IMG_VAR_NUMLOGINS, "1");
	poll(&f, "u1", "OL");
	is_str(poll(&f, "u1", "OB"), "own u2-alone ", "u1 at 2: its own NUMLOGINS >= 2");
	eng_set_var_name(&f.eng, u2, IMG_VAR_NUMLOGINS, NULL);
	poll(&f, "u1", "OL");
	is_str(poll(&f, "u1", "OB"), "own ", "u2's count unknown: every comparison of it is false");
	is_str(f.last_unknown, "u2:NUMLOGINS", "reported as u2's NUMLOGINS");
	uv = eng_ups_vars(&f.eng, u2, &n);
	ok(n == 1 && uv[0].ups == u2, "u2 polls its NUMLOGINS (read by u1's rule)");
	eng_ups_vars(&f.eng, u1, &n);
	is_int(n, 1, "u1 polls its own");
	eng_ups_vars(&f.eng, ups_index(&f.img, "u3"), &n);
	is_int(n, 0, "u3, whose count no rule reads, polls nothing more");
	eng_free(&f.eng);
	img_free(&f.img);
}

int main(void)
{
	test_numlogins();
	test_comparisons();
	test_unknown();
	test_running();
	test_regex();
	return done_testing();
}
