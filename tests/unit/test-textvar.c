/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test-textvar.c - TAP tests of %(var:NAME)s in texts: templates, polled variables, rendering, escaping, the cap, unknown values, the verifier. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/engine.h"
#include "tests/unit/plan-helper.h"
#include "tests/unit/tap.h"

/* u1 has a rule of its own; the group rule is shared by u1 and u2 (one handler, bound to both). */
static const char plan_text[] =
	"POLLFREQ 5\n"
	"GROUP LOCAL HOST localhost PORT 3493 CERTFILE '/c.pem'\n"
	"MONITOR u1 POWERVAL 1 UPSDUSER m PASSWORD 'p' TYPE primary\n"
	"MONITOR u2 POWERVAL 1 UPSDUSER m PASSWORD 'p' TYPE primary\n"
	"LET m = 'left %(var:battery.runtime)s s'\n"
	"WHEN u1 REPORTS OL->OB : NUTLOG m NUTLOG '[%(var:ups.alarm)s]'\n"
	"WHEN GROUP LOCAL REPORTS OB->OL : NUTLOG '%(u)s %(var:input.voltage)s V %%'\n"
	"WHEN u1 REPORTS None->LB : SHELLCMD 'logger %(u)s'\n";

struct fixture {
	struct plan_image img;
	struct engine eng;
	char ran[2048];		/* the NUTLOG texts of the last poll, '|'-separated */
	int unknown;
	double now;
};

static void on_trace(void *ctx, const struct eng_trace *t)
{
	struct fixture *f = ctx;

	if (t->kind == ENG_EFFECT && t->effect->kind == OP_NUTLOG) {
		strncat(f->ran, t->effect->text, sizeof(f->ran) - strlen(f->ran) - 2);
		strcat(f->ran, "|");
	} else if (t->kind == ENG_UNKNOWN_VAR) {
		f->unknown++;
	}
}

static void fixture_init(struct fixture *f)
{
	struct eng_host h = { f, on_trace };

	memset(f, 0, sizeof(*f));
	compile_text(plan_text, &f->img);
	eng_init(&f->eng, &f->img, &h, "testhost", "m@testhost");
}

static const char *poll(struct fixture *f, const char *ups, const char *status)
{
	struct st_poll p = { 1, status, "100", NULL, 0 };

	f->ran[0] = '\0';
	f->now += 5;
	eng_poll(&f->eng, ups_index(&f->img, ups), &p, f->now);
	return f->ran;
}

/* Does UPS U's list of polled variables hold NAME? */
static int polls(struct fixture *f, const char *ups, const char *name)
{
	uint32_t n = 0;
	const struct img_uvar *uv = eng_ups_vars(&f->eng, ups_index(&f->img, ups), &n);

	for (uint32_t i = 0; i < n; i++) {
		struct img_str s = f->img.vars.v[uv[i].var];
		if (s.len == strlen(name) && memcmp(img_bytes(&f->img, s), name, s.len) == 0)
			return 1;
	}
	return 0;
}

static void test_templates(void)
{
	struct plan_image img = { 0 };
	const struct img_part *p;
	uint32_t t;

	t = img_add_tpl(&img, "a %(var:x)s b", 13);
	p = &img.parts.v[img.tpls.v[t].first];
	ok(img.tpls.v[t].count == 1 && p[0].kind == TPL_LIT, "without a variable table %%(var:x)s stays literal text");
	img_free(&img);

	struct fixture f;
	fixture_init(&f);
	is_int(f.img.vars.n, 3, "three variables, each once: battery.runtime, ups.alarm, input.voltage");
	ok(polls(&f, "u1", "battery.runtime") && polls(&f, "u1", "ups.alarm"), "u1 polls the variables of its own texts (a message's too)");
	ok(polls(&f, "u1", "input.voltage") && polls(&f, "u2", "input.voltage"),
	   "the shared group rule's variable is polled for every UPS it is bound to");
	ok(!polls(&f, "u2", "battery.runtime") && !polls(&f, "u2", "ups.alarm"), "u2 polls nothing of u1's own rules");
	eng_free(&f.eng);
	img_free(&f.img);
}

static void test_render(void)
{
	struct fixture f;
	uint32_t u1, u2;
	char big[400], want[200];

	fixture_init(&f);
	u1 = ups_index(&f.img, "u1");
	u2 = ups_index(&f.img, "u2");
	is_str(poll(&f, "u1", "OB"), "left (unknown) s|[(unknown)]|", "unknown variables render as (unknown)");
	is_int(f.unknown, 2, "each is reported once");
	poll(&f, "u1", "OL");
	is_int(f.unknown, 3, "input.voltage of u1 too");
	is_str(poll(&f, "u1", "OB"), "left (unknown) s|[(unknown)]|", "again (unknown)");
	is_int(f.unknown, 3, "and not reported again");

	eng_set_var_name(&f.eng, u1, "battery.runtime", "1800");
	eng_set_var_name(&f.eng, u1, "ups.alarm", "Fan\x1b[2J\r\nSubject: x \\ caf\xc3\xa9");
	eng_set_var_name(&f.eng, u1, "input.voltage", "229.5");
	eng_set_var_name(&f.eng, u2, "input.voltage", "231");
	is_str(poll(&f, "u1", "OL"), "u1 229.5 V %|", "the value of the UPS that fired (group rule, u1)");
	is_str(poll(&f, "u2", "OB"), "", "u2 on battery: no rule");
	is_str(poll(&f, "u2", "OL"), "u2 231 V %|", "the shared rule renders u2's own value for u2");
	is_str(poll(&f, "u1", "OB"), "left 1800 s|[Fan\\x1b[2J\\x0d\\x0aSubject: x \\\\ caf\\xc3\\xa9]|",
	       "control bytes, CR LF, bytes above 0x7e as \\xNN, a backslash doubled");

	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	eng_set_var_name(&f.eng, u1, "ups.alarm", big);
	memset(want, 'x', IMG_VAR_TEXT - 3);
	strcpy(want + IMG_VAR_TEXT - 3, "...");
	poll(&f, "u1", "OL");
	const char *r = poll(&f, "u1", "OB");
	const char *b = strchr(r, '[');
	ok(b && strncmp(b + 1, want, IMG_VAR_TEXT) == 0 && b[1 + IMG_VAR_TEXT] == ']',
	   "a value of %zu bytes is cut to %u, ending in ...", strlen(big), IMG_VAR_TEXT);
	memset(big, '\x01', 200);
	big[200] = '\0';
	eng_set_var_name(&f.eng, u1, "ups.alarm", big);
	poll(&f, "u1", "OL");
	r = poll(&f, "u1", "OB");
	b = strchr(r, '[');
	ok(b && strchr(b, ']') - b - 1 <= (long)IMG_VAR_TEXT, "escapes count in the cap");
	is_int(vm_get_stats(f.eng.vm)->grows, 0, "no buffer of the VM ever grew: the cap is in the sizes");
	eng_free(&f.eng);
	img_free(&f.img);
}

static void test_verifier(void)
{
	struct plan_image img;
	char err[256];
	uint32_t shell = IMG_NONE, var = IMG_NONE;

	compile_text(plan_text, &img);
	is_int(img_verify(&img, err, sizeof(err)), 0, "the plan verifies");
	for (uint32_t i = 0; i < img.parts.n; i++)
		if (img.parts.v[i].kind == TPL_VAR && var == IMG_NONE)
			var = i;
	for (uint32_t pc = 0; pc < img.code.n; pc += 1 + op_info(img.code.v[pc])->nops)
		if (img.code.v[pc] == OP_SHELLCMD)
			shell = img.code.v[pc + 1];
	if (var == IMG_NONE || shell == IMG_NONE) {
		printf("Bail out! no %%(var:)s part or no SHELLCMD in the test plan\n");
		exit(1);
	}

	img.parts.v[var].text.off = img.vars.n;
	ok(img_verify(&img, err, sizeof(err)) != 0 && strstr(err, "variable"), "a variable index out of range is refused: %s", err);
	img.parts.v[var].text.off = 0;
	img.parts.v[var].text.len = 1;
	ok(img_verify(&img, err, sizeof(err)) != 0, "a variable part with a length is refused");
	img.parts.v[var].text.len = 0;

	/* the SHELLCMD's %(u)s becomes a %(var:)s */
	const struct img_tpl *t = &img.tpls.v[shell];
	for (uint32_t i = 0; i < t->count; i++)
		if (img.parts.v[t->first + i].kind == TPL_UPS)
			img.parts.v[t->first + i].kind = TPL_VAR;
	ok(img_verify(&img, err, sizeof(err)) != 0 && strstr(err, "into a command"),
	   "a SHELLCMD template that renders a NUT variable is refused: %s", err);
	img_free(&img);
}

/* A message sent to several actions renders once per handler run: each UPS of a timer's clauses with its own value. */
static void test_repeated(void)
{
	struct fixture f;
	struct eng_host h = { &f, on_trace };
	struct st_poll p = { 1, "OL", "100", NULL, 0 };

	memset(&f, 0, sizeof(f));
	compile_text("GROUP LOCAL HOST localhost CERTFILE '/c.pem'\n"
		     "MONITOR u1 POWERVAL 1 UPSDUSER m PASSWORD 'p' TYPE primary\n"
		     "MONITOR u2 POWERVAL 1 UPSDUSER m PASSWORD 'p' TYPE primary\n"
		     "LET m = '%(u)s %(var:battery.runtime)s'\n"
		     "WHEN u1 REPORTS OL->OB : NUTLOG m NUTLOG m STARTTIMER t 1\n"
		     "WHEN u1 TIMEOUT t : NUTLOG m NUTLOG m\n"
		     "WHEN u2 TIMEOUT t : NUTLOG m NUTLOG m\n", &f.img);
	eng_init(&f.eng, &f.img, &h, "testhost", "m@testhost");
	eng_set_var_name(&f.eng, ups_index(&f.img, "u1"), "battery.runtime", "1800");
	eng_set_var_name(&f.eng, ups_index(&f.img, "u2"), "battery.runtime", "240");
	eng_poll(&f.eng, ups_index(&f.img, "u2"), &p, 1);
	is_str(poll(&f, "u1", "OL"), "", "u1 on line");
	is_str(poll(&f, "u1", "OB"), "u1 1800|u1 1800|", "NUTLOG m NUTLOG m: the same text twice");
	f.ran[0] = '\0';
	eng_expire(&f.eng, 100);
	is_str(f.ran, "u1 1800|u1 1800|u2 240|u2 240|", "a timer's clauses: each UPS with its own value");
	eng_set_var_name(&f.eng, ups_index(&f.img, "u1"), "battery.runtime", "300");
	poll(&f, "u1", "OL");
	is_str(poll(&f, "u1", "OB"), "u1 300|u1 300|", "the next run renders the new value");
	eng_free(&f.eng);
	img_free(&f.img);
}

int main(void)
{
	test_templates();
	test_render();
	test_repeated();
	test_verifier();
	return done_testing();
}
