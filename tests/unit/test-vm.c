/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test-vm.c - TAP tests of the VM (every opcode, action kind and substitution, conditions, joined clauses, timers), the timer heap and argv splitting. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/argv.h"
#include "engine/timers.h"
#include "engine/vm.h"
#include "tests/unit/plan-helper.h"
#include "tests/unit/tap.h"

static const char *charge_value = "87.5";
static const char *const *charge_per_ups;	/* when set: battery.charge of each UPS */
static int getvar_calls;

static const char *fake_getvar(void *ctx, uint32_t ups, const char *name)
{
	(void)ctx;
	getvar_calls++;
	if (strcmp(name, "battery.charge") != 0)
		return NULL;
	return charge_per_ups ? charge_per_ups[ups] : charge_value;
}

static const struct vm_host host = { NULL, fake_getvar, NULL, NULL };

static const char plan_text[] =
	"POLLFREQ 5\n"
	"LET banner = '[%(b)s]'\n"
	"LET joined = banner ' ' '%(u)s'\n"
	"GROUP LOCAL HOST localhost PORT 3493 CERTFILE '/c.pem'\n"
	"MONITOR u1 POWERVAL 1 UPSDUSER m PASSWORD 'p' TYPE primary\n"
	"MONITOR u2 POWERVAL 1 UPSDUSER m PASSWORD 'p' TYPE primary\n"
	"WHEN u1 REPORTS OL->OB : NOTIFY joined WALL 'w %(e)s' PRINT 'p %(c)s' EPRINT 'e %%'\n"	/* 7 */
	"  NUTLOG 'a' 'b' SYSLOG '[crit] s' SHELLCMD 'sh %(h)s'\n"
	"  SHUTDOWNCMD «/sbin/shutdown -h +0 \"bye %(u)s\" 'x  y'»\n"
	"  EMAIL FROM 'f' TO 't' SUBJECT 's %(u)s' MESSAGE 'm1' 'm2'\n"
	"  SETFSD u2 DEBUG 2 STARTTIMER t1 0.5 STARTTIMER t1 2.25 CANCELTIMER t2\n"
	"WHEN u2 REPORTS None->LB : STARTTIMER t2 10\n"
	"WHEN u1 REPORTS OB->OL : IF OL->OB NUTLOG 'c1' IF OB->OL NUTLOG 'c2' IF COMM->NOCOMM NUTLOG 'c3'\n"	/* 13 */
	"  IF None->LB NUTLOG 'c4' IF LB->None NUTLOG 'c5'\n"
	"WHEN u1 REPORTS OL->OB : NUTLOG 'appended'\n"
	"WHEN u2 TIMEOUT t1 : NUTLOG 'to %(u)s %(e)s'\n"
	"WHEN u1 TIMEOUT t1 : NUTLOG 'to %(u)s %(e)s'\n"
	"WHEN u1 TIMEOUT t2 : NUTLOG 't2'\n"
	"WHEN u1 TO start : CANCELTIMER t1\n";

struct fixture {
	struct plan_image img;
	struct tmr_heap timers;
	uint32_t tables[8];
	struct vm *vm;
};

static void fixture_init(struct fixture *f, const char *text)
{
	memset(f, 0, sizeof(*f));
	compile_text(text, &f->img);
	tmr_init(&f->timers, f->img.timers.n);
	f->vm = vm_new(&f->img, &host, f->tables, &f->timers, "testhost", "nut@testhost");
}

static void fixture_free(struct fixture *f)
{
	vm_free(f->vm);
	tmr_free(&f->timers);
	img_free(&f->img);
}

static uint32_t run(struct fixture *f, const char *ups, const char *pair, double time)
{
	struct vm_event ev = { ups_index(&f->img, ups), pair_index(pair), IMG_NONE, time };

	return vm_run_event(f->vm, &ev);
}

static void test_actions(void)
{
	struct fixture f;
	const struct vm_effect *e;
	uint32_t n, t1, t2;
	double dl;

	fixture_init(&f, plan_text);
	t1 = timer_index(&f.img, "t1");
	t2 = timer_index(&f.img, "t2");
	getvar_calls = 0;
	n = run(&f, "u1", "OL->OB", 100);
	e = vm_effects(f.vm);
	is_int(n, 15, "u1 OL->OB: 14 actions, then the appended clause's one");
	if (n != 15) {
		fixture_free(&f);
		return;
	}
	ok(e[0].kind == OP_NOTIFY && e[0].ups == 0, "NOTIFY for u1");
	is_str(e[0].text, "[nut@testhost] u1", "LET joins without separator; %%(b)s and %%(u)s");
	is_int(e[0].len, strlen("[nut@testhost] u1"), "length of the text");
	ok(e[0].loc && e[0].loc->line == 7 && e[0].loc->col == 26, "NOTIFY's source location 7:26");
	is_str(e[1].text, "w OL->OB", "WALL: %%(e)s is the event pair");
	is_str(e[2].text, "p 87", "PRINT: %%(c)s of 87.5 is 87");
	is_str(e[3].text, "e %", "EPRINT: %%%% is one percent sign");
	ok(e[4].kind == OP_NUTLOG, "NUTLOG");
	is_str(e[4].text, "a\nb", "text actions join their parts with a newline");
	ok(e[5].kind == OP_SYSLOG && e[5].prio == 2, "SYSLOG at crit (2)");
	is_str(e[5].text, "s", "SYSLOG text without its tag");
	is_str(e[6].text, "sh testhost", "SHELLCMD: %%(h)s");
	ok(e[7].kind == OP_SHUTDOWNCMD && e[7].argc == 5, "SHUTDOWNCMD split into 5 arguments");
	ok(e[7].argc == 5 && strcmp(e[7].argv[0], "/sbin/shutdown") == 0 && strcmp(e[7].argv[3], "bye u1") == 0 &&
	   strcmp(e[7].argv[4], "x  y") == 0 && e[7].argv[5] == NULL, "argv honours both quote styles; NULL-terminated");
	is_str(e[7].text, "/sbin/shutdown -h +0 \"bye u1\" 'x  y'", "SHUTDOWNCMD keeps its rendered text");
	ok(e[8].kind == OP_EMAIL, "EMAIL");
	is_str(e[8].field[0], "f", "EMAIL from");
	is_str(e[8].field[1], "t", "EMAIL to");
	is_str(e[8].field[2], "s u1", "EMAIL subject with %%(u)s");
	is_str(e[8].field[3], "m1m2", "EMAIL MESSAGE parts join without separator");
	ok(e[9].kind == OP_SETFSD && e[9].target == ups_index(&f.img, "u2"), "SETFSD u2");
	ok(e[10].kind == OP_DEBUG && e[10].level == 2, "DEBUG 2");
	ok(e[11].kind == OP_STARTTIMER && e[11].target == t1 && e[11].seconds == 0.5 &&
	   e[11].deadline == 100.5 && !e[11].was_running, "STARTTIMER t1 0.5: fractional seconds kept");
	ok(e[12].kind == OP_STARTTIMER && e[12].deadline == 102.25 && e[12].was_running,
	   "STARTTIMER t1 again re-arms the running timer");
	ok(e[13].kind == OP_CANCELTIMER && e[13].target == t2 && !e[13].was_running,
	   "CANCELTIMER of a timer that does not run");
	is_str(e[14].text, "appended", "the second WHEN clause of the same key runs after the first");
	ok(e[14].kind == OP_NUTLOG && e[14].loc && e[14].loc->line == 15, "its location is its own line");
	is_int(getvar_calls, 1, "battery.charge is read once per handler run");
	is_int(f.timers.n, 1, "one timer runs (re-arming does not add a second)");
	ok(tmr_next(&f.timers, &t2, &dl) && t2 == t1 && dl == 102.25, "t1 expires at the new deadline");
	fixture_free(&f);
}

static void test_conditions(void)
{
	struct fixture f;
	const struct vm_effect *e;
	uint32_t n, ob = ev_pair_table(pair_index("OL->OB"));
	uint32_t comm = ev_pair_table(pair_index("COMM->NOCOMM")), lb = ev_pair_table(pair_index("None->LB"));

	fixture_init(&f, plan_text);
	f.tables[0] = 0;	/* OL, COMM, no LB */
	n = run(&f, "u1", "OB->OL", 0);
	e = vm_effects(f.vm);
	ok(n == 2 && strcmp(e[0].text, "c2") == 0 && strcmp(e[1].text, "c5") == 0,
	   "on line, COMM, no LB: IF OB->OL and IF LB->None hold");
	f.tables[0] = 1u << ob | 1u << comm | 1u << lb;
	n = run(&f, "u1", "OB->OL", 0);
	e = vm_effects(f.vm);
	ok(n == 3 && strcmp(e[0].text, "c1") == 0 && strcmp(e[1].text, "c3") == 0 && strcmp(e[2].text, "c4") == 0,
	   "on battery, NOCOMM, LB: IF OL->OB, IF COMM->NOCOMM, IF None->LB hold");
	f.tables[1] = 1u << ob;
	f.tables[0] = 0;
	n = run(&f, "u1", "OB->OL", 0);
	is_int(n, 2, "conditions read the event's own UPS, not another");
	is_int(run(&f, "u2", "OB->OL", 0), 0, "no handler: no effect");
	fixture_free(&f);

	/* IF None->LB1 crashed UPSmon.py (its table was misspelt) */
	fixture_init(&f, "GROUP LOCAL HOST localhost CERTFILE '/c' MONITOR u POWERVAL 1 UPSDUSER m PASSWORD 'p' TYPE primary\n"
			 "WHEN u REPORTS OL->OB : IF None->LB1 NUTLOG 'lb1' IF LB1->None NUTLOG 'not lb1'\n");
	f.tables[0] = 1u << ev_pair_table(pair_index("None->LB1"));
	n = run(&f, "u", "OL->OB", 0);
	ok(n == 1 && strcmp(vm_effects(f.vm)[0].text, "lb1") == 0, "IF None->LB1 holds when LB1 is set");
	f.tables[0] = 0;
	n = run(&f, "u", "OL->OB", 0);
	ok(n == 1 && strcmp(vm_effects(f.vm)[0].text, "not lb1") == 0, "IF LB1->None holds when it is not");
	fixture_free(&f);
}

static void test_timeouts(void)
{
	struct fixture f;
	const struct vm_effect *e;
	uint32_t n, t1;

	fixture_init(&f, plan_text);
	t1 = timer_index(&f.img, "t1");
	n = vm_run_timeout(f.vm, t1, 50);
	e = vm_effects(f.vm);
	ok(n == 2 && e[0].ups == 0 && e[1].ups == 1, "TIMEOUT t1 runs the clause of u1 and of u2, in MONITOR order");
	if (n == 2) {
		is_str(e[0].text, "to u1 TO->t1", "%%(u)s is the clause's UPS, %%(e)s is TO->t1");
		is_str(e[1].text, "to u2 TO->t1", "the second clause renders for u2");
	}
	n = vm_run_timeout(f.vm, timer_index(&f.img, "start"), 1);
	e = vm_effects(f.vm);
	ok(n == 1 && e[0].kind == OP_CANCELTIMER, "the start timer's clause");
	run(&f, "u2", "None->LB", 10);
	ok(tmr_running(&f.timers, timer_index(&f.img, "t2")), "STARTTIMER t2 runs it");
	run(&f, "u1", "OL->OB", 11);
	e = vm_effects(f.vm);
	ok(e[13].kind == OP_CANCELTIMER && e[13].was_running && !tmr_running(&f.timers, timer_index(&f.img, "t2")),
	   "CANCELTIMER stops a running timer");
	fixture_free(&f);

	/* STARTTIMER 0: at once from a REPORTS clause, after VM_MIN_REARM from a TIMEOUT clause */
	fixture_init(&f, "GROUP LOCAL HOST localhost CERTFILE '/c' MONITOR u POWERVAL 1 UPSDUSER m PASSWORD 'p' TYPE primary\n"
			 "WHEN u REPORTS OL->OB : STARTTIMER a 0\n"
			 "WHEN u TIMEOUT a : STARTTIMER a 0 STARTTIMER b 2.5\n"
			 "WHEN u TIMEOUT b : CANCELTIMER a\n");
	run(&f, "u", "OL->OB", 7.25);
	e = vm_effects(f.vm);
	ok(e[0].seconds == 0 && e[0].deadline == 7.25, "STARTTIMER a 0 in a REPORTS clause expires at once");
	n = vm_run_timeout(f.vm, timer_index(&f.img, "a"), 7.25);
	e = vm_effects(f.vm);
	ok(n == 2 && e[0].seconds == VM_MIN_REARM && e[0].deadline == 7.25 + VM_MIN_REARM,
	   "STARTTIMER a 0 in a TIMEOUT clause waits VM_MIN_REARM");
	ok(e[1].seconds == 2.5 && e[1].deadline == 9.75, "a longer time is kept");
	run(&f, "u", "OL->OB", 8);
	ok(vm_effects(f.vm)[0].seconds == 0, "the next REPORTS run has no minimum again");
	fixture_free(&f);
}

static void test_substitutions(void)
{
	struct fixture f;
	const struct vm_effect *e;
	static const struct {
		const char *value, *want;
	} charges[] = {
		{ "100", "100" }, { "87.5", "87" }, { "0", "0" }, { " 42 ", "42" },
		{ NULL, "999" }, { "", "999" }, { "n/a", "999" }, { "-3", "999" }, { "1e400", "999" },
		/* digits, a point and up to 6 decimals are read without strtod(): the same values */
		{ "0087", "87" }, { "87.", "87" }, { "87.5  ", "87" }, { "99.999999", "99" }, { "000", "0" },
		{ "999999999.999999", "999999999" }, { "1000000000", "1000000000" }, { "1000000001", "999" },
		{ "99.99999999999999999", "100" }, { ".5", "0" }, { "+87", "87" }, { "87.5x", "999" },
		{ "87 5", "999" }, { "8a", "999" }, { "1e2", "100" }, { "0x10", "16" },
	};

	fixture_init(&f, plan_text);
	for (size_t i = 0; i < sizeof(charges) / sizeof(charges[0]); i++) {
		charge_value = charges[i].value;
		run(&f, "u1", "OL->OB", 0);
		e = vm_effects(f.vm);
		char want[32];
		snprintf(want, sizeof(want), "p %s", charges[i].want);
		is_str(e[2].text, want, "%%(c)s of battery.charge '%s'", charges[i].value ? charges[i].value : "(unknown)");
	}
	charge_value = "87.5";
	fixture_free(&f);

	/* %(u)s: NUT's ups@host:port without LOCAL:, @localhost:3493 and :3493 */
	fixture_init(&f,
		"GROUP LOCAL HOST localhost PORT 3493 CERTFILE '/c' MONITOR a POWERVAL 1 UPSDUSER m PASSWORD 'p' TYPE primary\n"
		"GROUP G2 HOST localhost PORT 3494 CERTFILE '/c' MONITOR b POWERVAL 1 UPSDUSER m PASSWORD 'p' TYPE primary\n"
		"GROUP G3 HOST ups.example.net CERTFILE '/c' MONITOR c POWERVAL 1 UPSDUSER m PASSWORD 'p' TYPE primary\n"
		"GROUP G4 HOST 192.0.2.1 PORT 401 CERTFILE '/c' MONITOR d POWERVAL 1 UPSDUSER m PASSWORD 'p' TYPE primary\n");
	is_str(vm_ups_display(f.vm, 0), "a", "LOCAL, localhost:3493: the bare name");
	is_str(vm_ups_display(f.vm, 1), "G2:b@localhost:3494", "another group and port");
	is_str(vm_ups_display(f.vm, 2), "G3:c@ups.example.net", "a remote host on 3493 shows the host (UPSmon.py showed the group)");
	is_str(vm_ups_display(f.vm, 3), "G4:d@192.0.2.1:401", "an address and a port");
	fixture_free(&f);
	fixture_init(&f,
		"GROUP LOCAL HOST upsd.example.net CERTFILE '/c' MONITOR r POWERVAL 1 UPSDUSER m PASSWORD 'p' TYPE primary\n"
		"WHEN r REPORTS COMM->NOCOMM : WALL '%(u)s %(e)s %(h)s %(b)s %(c)s %%(u)s'\n");
	is_str(vm_ups_display(f.vm, 0), "r@upsd.example.net", "LOCAL on a remote host");
	charge_value = NULL;
	run(&f, "r", "COMM->NOCOMM", 0);
	is_str(vm_effects(f.vm)[0].text, "r@upsd.example.net COMM->NOCOMM testhost nut@testhost 999 %(u)s",
	       "every key in one text; %%%%(u)s stays literal");
	charge_value = "87.5";
	fixture_free(&f);
}

/* A message sent to several actions of a handler renders once per handler: each UPS, each run its own text. */
static void test_repeated_texts(void)
{
	static const char *const charges[2] = { "50", "60.5" };
	struct fixture f;
	const struct vm_effect *e;
	uint32_t n;

	fixture_init(&f, "LET m = '%(u)s %(c)s %(e)s'\n"
			 "GROUP LOCAL HOST localhost CERTFILE '/c'\n"
			 "MONITOR u1 POWERVAL 1 UPSDUSER m PASSWORD 'p' TYPE primary\n"
			 "MONITOR u2 POWERVAL 1 UPSDUSER m PASSWORD 'p' TYPE primary\n"
			 "LET c = '/bin/echo %(u)s'\n"
			 "WHEN u1 REPORTS OL->OB : NOTIFY m NUTLOG m WALL m NUTLOG c SHUTDOWNCMD c NUTLOG c\n"
			 "WHEN u2 REPORTS OL->OB : NOTIFY m NUTLOG m\n"
			 "WHEN u1 TIMEOUT t : NOTIFY m WALL m\n"
			 "WHEN u2 TIMEOUT t : NOTIFY m WALL m\n");
	charge_per_ups = charges;
	getvar_calls = 0;
	n = run(&f, "u1", "OL->OB", 0);
	e = vm_effects(f.vm);
	ok(n == 6 && strcmp(e[0].text, "u1 50 OL->OB") == 0 && strcmp(e[1].text, e[0].text) == 0 &&
	   strcmp(e[2].text, e[0].text) == 0 && e[2].len == e[0].len, "NOTIFY m NUTLOG m WALL m: one text three times");
	ok(n == 6 && strcmp(e[3].text, "/bin/echo u1") == 0 && e[4].kind == OP_SHUTDOWNCMD && e[4].argc == 2 &&
	   strcmp(e[4].argv[1], "u1") == 0 && strcmp(e[4].text, "/bin/echo u1") == 0 &&
	   strcmp(e[5].text, "/bin/echo u1") == 0, "a SHUTDOWNCMD of the same text splits it and leaves it whole");
	is_int(getvar_calls, 1, "battery.charge read once");
	n = run(&f, "u2", "OL->OB", 0);
	e = vm_effects(f.vm);
	ok(n == 2 && strcmp(e[0].text, "u2 60 OL->OB") == 0 && strcmp(e[1].text, "u2 60 OL->OB") == 0,
	   "the next run renders for its own UPS");
	n = vm_run_timeout(f.vm, timer_index(&f.img, "t"), 1);
	e = vm_effects(f.vm);
	ok(n == 4 && strcmp(e[0].text, "u1 50 TO->t") == 0 && strcmp(e[1].text, "u1 50 TO->t") == 0 &&
	   strcmp(e[2].text, "u2 60 TO->t") == 0 && strcmp(e[3].text, "u2 60 TO->t") == 0,
	   "a timer's clauses render each for its UPS and charge");
	is_int(vm_get_stats(f.vm)->grows, 0, "no buffer grew");
	charge_per_ups = NULL;
	fixture_free(&f);
}

static void test_no_growth(void)
{
	struct fixture f;
	uint32_t n = 0;

	fixture_init(&f, plan_text);
	for (int i = 0; i < 1000; i++) {
		n += run(&f, "u1", "OL->OB", i);
		n += vm_run_timeout(f.vm, timer_index(&f.img, "t1"), i);
	}
	is_int(n, 1000 * 17, "1000 runs of the largest handlers");
	is_int(vm_get_stats(f.vm)->grows, 0, "buffers sized by vm_new() are never grown");
	fixture_free(&f);

	/* the longest event names (13 bytes) in a handler that renders them twice */
	fixture_init(&f, "GROUP LOCAL HOST localhost CERTFILE '/c' MONITOR u POWERVAL 1 UPSDUSER m PASSWORD 'p' TYPE primary\n"
			 "WHEN u REPORTS None->DISCHRG : NUTLOG '%(e)s' NUTLOG '%(e)s'\n"
			 "WHEN u REPORTS DISCHRG->None : NUTLOG '%(e)s' NUTLOG '%(e)s'\n");
	run(&f, "u", "None->DISCHRG", 0);
	run(&f, "u", "DISCHRG->None", 0);
	is_str(vm_effects(f.vm)[1].text, "DISCHRG->None", "%%(e)s of a 13-byte event");
	is_int(vm_get_stats(f.vm)->grows, 0, "the text buffer has room for the longest event name");
	fixture_free(&f);
}

static void test_faults(void)
{
	struct plan_image img;
	struct tmr_heap timers;
	uint32_t tables[1] = { 0 };
	const uint32_t code[] = { OP_SHUTDOWNCMD, 2, OP_NOTIFY, 0, OP_HALT };
	const uint32_t code2[] = { OP_NOTIFY, 0, 77, OP_NOTIFY, 0, OP_HALT };
	struct vm_event ev = { 0, 0, IMG_NONE, 0 };
	const struct vm_effect *e;
	struct vm *vm;

	/* not verified on purpose: what would a fault look like? */
	tiny_image(&img, code, 5);
	img_add_tpl(&img, "/bin/echo 'open", 15);
	tmr_init(&timers, img.timers.n);
	vm = vm_new(&img, &host, tables, &timers, "h", "b");
	is_int(vm_run_event(vm, &ev), 2, "a fault and the next action");
	e = vm_effects(vm);
	ok(e[0].kind == VM_FAULT && strstr(e[0].text, "unclosed quote") && e[0].loc && e[0].loc->line == 7,
	   "an unsplittable SHUTDOWNCMD is a fault with its location, not a command");
	ok(e[1].kind == OP_NOTIFY && strcmp(e[1].text, "hello G:U") == 0, "the following action still runs");
	is_str(vm_effect_name(VM_FAULT), "FAULT", "the fault's name");
	vm_free(vm);
	tmr_free(&timers);
	img_free(&img);

	tiny_image(&img, code2, 6);
	tmr_init(&timers, img.timers.n);
	vm = vm_new(&img, &host, tables, &timers, "h", "b");
	is_int(vm_run_event(vm, &ev), 2, "an unknown opcode ends the handler with a fault");
	e = vm_effects(vm);
	ok(e[1].kind == VM_FAULT && strstr(e[1].text, "unknown opcode 77"), "the fault names the opcode");
	vm_free(vm);
	tmr_free(&timers);
	img_free(&img);
}

static void test_timer_heap(void)
{
	struct tmr_heap h;
	uint32_t t;
	double d;
	char order[16] = "";

	tmr_init(&h, 5);
	ok(!tmr_next(&h, &t, &d), "an empty heap has no next timer");
	tmr_start(&h, 0, 30);
	tmr_start(&h, 1, 10);
	tmr_start(&h, 2, 20);
	tmr_start(&h, 3, 10);	/* same deadline as 1, started later */
	tmr_start(&h, 4, 5);
	ok(tmr_cancel(&h, 2) && !tmr_cancel(&h, 2), "cancel a running timer once");
	ok(tmr_start(&h, 0, 1) == 1, "re-arm reports the timer was running");
	ok(!tmr_pop_due(&h, 0.5, &t, &d), "nothing due before the first deadline");
	while (tmr_pop_due(&h, 100, &t, &d)) {
		size_t n = strlen(order);
		order[n] = (char)('0' + t);
		order[n + 1] = '\0';
	}
	is_str(order, "0413", "expiry order by deadline, ties in start order, cancelled timer gone");
	is_int(h.n, 0, "heap empty");
	tmr_free(&h);
}

static void test_argv(void)
{
	static const struct {
		const char *in;
		int n;
		const char *words;	/* joined with '|' */
	} cases[] = {
		{ "/sbin/shutdown -h +0", 3, "/sbin/shutdown|-h|+0" },
		{ "  a\tb\nc  ", 3, "a|b|c" },
		{ "'x y' \"z w\"", 2, "x y|z w" },
		{ "a'b'\"c\"d", 1, "abcd" },
		{ "\"\\\" \\\\ \\$ \\` \\n\"", 1, "\" \\ $ ` \\n" },
		{ "'\\'", 1, "\\" },
		{ "a\\ b", 1, "a b" },
		{ "''", 1, "" },
		{ "", 0, "" },
		{ "'open", -1, "" },
		{ "\"open", -1, "" },
		{ "trailing\\", -1, "" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *in = cases[i].in;
		size_t len = strlen(in), errpos = 0;
		char out[64], joined[160] = "";
		int n = argv_split(in, len, out, &errpos);
		const char *w = out;

		for (int k = 0; k < n; k++) {
			size_t jl = strlen(joined);
			snprintf(joined + jl, sizeof(joined) - jl, "%s%s", k ? "|" : "", w);
			w += strlen(w) + 1;
		}
		char shown[64];
		size_t k = 0;
		for (size_t j = 0; j < len && k + 3 < sizeof(shown); j++)
			shown[k++] = in[j] == '\n' ? '~' : in[j] == '\t' ? '_' : in[j];
		shown[k] = '\0';
		ok(n == cases[i].n && strcmp(joined, cases[i].words) == 0, "argv_split [%s] (~ newline, _ tab)", shown);
		if (n != cases[i].n || strcmp(joined, cases[i].words) != 0)
			diag("got %d words '%s'", n, joined);
	}
	size_t errpos = 0;
	char out[16];
	argv_split("ok 'bad", 7, out, &errpos);
	is_int(errpos, 3, "the error position is the opening quote");
}

/* What the root parent renders for the unprivileged child: only the plan's own SHUTDOWNCMDs. */
static void test_render_shutdown(void)
{
	struct fixture f;
	const struct vm_effect *e;
	uint32_t pc = IMG_NONE;

	fixture_init(&f, plan_text);
	run(&f, "u1", "OL->OB", 3);
	e = vm_effects(f.vm);
	for (uint32_t i = 0; i < 20; i++)
		if (e[i].kind == OP_SHUTDOWNCMD) {
			pc = e[i].pc;
			break;
		}
	ok(pc != IMG_NONE, "the plan has a SHUTDOWNCMD");
	struct vm_event ev = { ups_index(&f.img, "u1"), pair_index("OL->OB"), IMG_NONE, 0 };
	ok(vm_render_shutdown(f.vm, pc, &ev) == 1, "its offset renders");
	e = vm_effects(f.vm);
	ok(e->kind == OP_SHUTDOWNCMD && e->argc == 5 && strcmp(e->argv[0], "/sbin/shutdown") == 0 &&
	   strcmp(e->argv[3], "bye u1") == 0 && strcmp(e->argv[4], "x  y") == 0 && e->loc && e->loc->line == 9,
	   "with the same arguments and location as in the handler");
	ok(vm_render_shutdown(f.vm, pc + 1, &ev) == 0, "an operand offset is refused");
	ok(vm_render_shutdown(f.vm, 0, &ev) == 0, "another instruction is refused");
	ev.ups = 99;
	ok(vm_render_shutdown(f.vm, pc, &ev) == 0, "an unknown UPS is refused");
	ev.ups = 0;
	ev.timer = 77;
	ok(vm_render_shutdown(f.vm, pc, &ev) == 0, "an unknown timer is refused");
	ev.timer = timer_index(&f.img, "t1");
	ok(vm_render_shutdown(f.vm, pc, &ev) == 1, "a timer's expiry renders");
	fixture_free(&f);
}

/* ALERT, RESOLVE and HOOKS: the names and severity from the image, the texts rendered, HOOKS' event. */
static void test_alerts(void)
{
	struct fixture f;
	const struct vm_effect *e;
	uint32_t n;

	fixture_init(&f,
		"ALERTMANAGER 'https://am.example.com:9093' BEARER 'tok'\n"
		"GROUP A HOST localhost CERTFILE '/c.pem'\n"
		"MONITOR u1 POWERVAL 1 UPSDUSER m PASSWORD 'p' TYPE primary\n"
		"WHEN u1 REPORTS OL->OB : ALERT OnBattery '%(u)s on battery' ALERT Hot SEVERITY critical 'hot'\n"
		"  HOOKS '/etc/hooks.d'\n"
		"WHEN u1 REPORTS OB->OL : RESOLVE OnBattery HOOKS '/etc/hooks.d' MESSAGE 'back: %(e)s'\n"
		"WHEN ALERT Down FIRING : HOOKS '/etc/hooks.d' SHUTDOWNCMD '/sbin/shutdown -h +0 %(e)s'\n");
	is_int(f.img.amgrs.n, 1, "one Alertmanager in the image");
	n = run(&f, "u1", "OL->OB", 1);
	e = vm_effects(f.vm);
	ok(n == 3 && e[0].kind == OP_ALERT && strcmp(e[0].name, "OnBattery") == 0 && strcmp(e[0].aux, "warning") == 0 &&
	   strcmp(e[0].text, "A:u1 on battery") == 0, "ALERT: name, the default severity, the rendered summary");
	ok(n == 3 && e[1].kind == OP_ALERT && e[1].aux_len == 8 && strcmp(e[1].aux, "critical") == 0,
	   "ALERT with SEVERITY");
	ok(n == 3 && e[2].kind == OP_HOOKS && strcmp(e[2].name, "/etc/hooks.d") == 0 && strcmp(e[2].aux, "OL->OB") == 0 &&
	   strcmp(e[2].text, "UPS A:u1: OL->OB") == 0, "HOOKS: directory, event, the default message");
	n = run(&f, "u1", "OB->OL", 2);
	e = vm_effects(f.vm);
	ok(n == 2 && e[0].kind == OP_RESOLVE && strcmp(e[0].name, "OnBattery") == 0 && e[0].name_len == 9,
	   "RESOLVE names the alert");
	ok(n == 2 && e[1].kind == OP_HOOKS && strcmp(e[1].text, "back: OB->OL") == 0, "HOOKS with its MESSAGE");
	n = vm_run_alert(f.vm, 0, 1, 3);
	e = vm_effects(f.vm);
	ok(n == 2 && e[1].kind == OP_SHUTDOWNCMD && e[1].ups == IMG_NONE && e[1].argc == 6 &&
	   strcmp(e[1].argv[3], "ALERT") == 0 && strcmp(vm_ups_display(f.vm, e[1].ups), "-") == 0,
	   "an alert rule's run: no UPS, %%(e)s the alert");
	ok(n == 2 && e[0].kind == OP_HOOKS && strcmp(e[0].text, "ALERT Down FIRING") == 0 &&
	   strcmp(e[0].aux, "ALERT Down FIRING") == 0, "its HOOKS: the event as the default message");
	is_int(vm_run_alert(f.vm, 0, 0, 4), 0, "no RESOLVED clause: nothing runs");
	{
		uint32_t pc = f.img.arules.v[0].firing + 3;	/* after HOOKS dir tpl */
		struct vm_event ev = { IMG_NONE, VM_ALERT_PAIR(0, 1), IMG_NONE, 5 };
		ok(vm_render_shutdown(f.vm, pc, &ev) == 1 && strcmp(vm_effects(f.vm)[0].text,
		   "/sbin/shutdown -h +0 ALERT Down FIRING") == 0, "the privileged parent renders an alert rule's SHUTDOWNCMD");
		ev.pair = VM_ALERT_PAIR(1, 1);
		ok(vm_render_shutdown(f.vm, pc, &ev) == 0, "an alert rule out of range is refused");
		ev.pair = VM_ALERT_PAIR(0, 1);
		ev.ups = 0;
		ok(vm_render_shutdown(f.vm, pc, &ev) == 0, "an alert rule's run with a UPS is refused");
	}
	fixture_free(&f);
}

/* MARK and UNMARK change the run's UPS's set at once (idempotent, changed says when); MARKED, MARKED ups, POWERVAL WITHOUT. */
static void test_marks(void)
{
	struct fixture f;
	const struct vm_effect *e;
	uint32_t n, crit;

	fixture_init(&f,
		"GROUP A HOST localhost CERTFILE '/c.pem'\n"
		"MONITOR u1 POWERVAL 1 UPSDUSER m PASSWORD 'p' TYPE primary\n"
		"MONITOR u2 POWERVAL 2 UPSDUSER m PASSWORD 'p' TYPE primary\n"
		"WHEN u1 REPORTS OL->OB : MARK crit MARK crit\n"
		"  IF MARKED crit NUTLOG 'after' IF POWERVAL WITHOUT crit == 2 NUTLOG 'two left'\n"
		"WHEN u1 REPORTS OB->OL : UNMARK crit UNMARK crit IF NOT MARKED crit NUTLOG 'cleared'\n"
		"WHEN u2 REPORTS OL->OB : MARK crit IF POWERVAL WITHOUT crit < 1 NUTLOG 'none left'\n"
		"  IF MARKED crit u1 NUTLOG 'u1 too' IF POWERVAL WITHOUT other >= 3 NUTLOG 'all three'\n"
		"WHEN u2 REPORTS OB->OL : MARK other\n"
		"GROUP B HOST localhost PORT 3494 CERTFILE '/c.pem' MINSUPPLIES 0\n"
		"MONITOR u3 POWERVAL 0 UPSDUSER m PASSWORD 'p' TYPE secondary\n"
		"WHEN u3 REPORTS OL->OB : IF MARKED crit u2 NUTLOG 'u2 of group A'\n");
	is_int(f.img.marks.n, 2, "two mark names in the image");
	crit = 0;
	is_int(vm_marks(f.vm)[0] | vm_marks(f.vm)[1], 0, "every UPS starts unmarked");
	n = run(&f, "u1", "OL->OB", 1);
	e = vm_effects(f.vm);
	ok(n == 4 && e[0].kind == OP_MARK && e[0].target == crit && e[0].changed && e[1].kind == OP_MARK &&
	   !e[1].changed, "MARK sets the mark once: the second changes nothing");
	ok(n == 4 && strcmp(e[2].text, "after") == 0 && strcmp(e[3].text, "two left") == 0,
	   "a condition after MARK in the same run sees it; POWERVAL WITHOUT leaves the marked UPS out");
	is_int(vm_marks(f.vm)[0], 1, "u1 carries mark 0");
	n = run(&f, "u3", "OL->OB", 2);
	is_int(n, 0, "MARKED crit u2 of another group: u2 is not marked");
	n = run(&f, "u2", "OL->OB", 3);
	e = vm_effects(f.vm);
	ok(n == 4 && strcmp(e[1].text, "none left") == 0 && strcmp(e[2].text, "u1 too") == 0 &&
	   strcmp(e[3].text, "all three") == 0, "both marked: the sum without crit is 0; without other it is 3");
	n = run(&f, "u3", "OL->OB", 4);
	ok(n == 1 && strcmp(vm_effects(f.vm)[0].text, "u2 of group A") == 0, "MARKED crit u2 from group B");
	n = run(&f, "u1", "OB->OL", 5);
	e = vm_effects(f.vm);
	ok(n == 3 && e[0].kind == OP_UNMARK && e[0].changed && !e[1].changed && strcmp(e[2].text, "cleared") == 0,
	   "UNMARK clears it once");
	ok(vm_marks(f.vm)[0] == 0 && vm_marks(f.vm)[1] == 1, "u1 unmarked, u2 still marked");
	fixture_free(&f);
}

int main(void)
{
	test_marks();
	test_alerts();
	test_actions();
	test_render_shutdown();
	test_conditions();
	test_timeouts();
	test_substitutions();
	test_repeated_texts();
	test_no_growth();
	test_faults();
	test_timer_heap();
	test_argv();
	return done_testing();
}
