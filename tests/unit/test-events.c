/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test-events.c - TAP tests of event derivation (engine/state.c) and of the engine loop (engine/engine.c). */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/engine.h"
#include "base/xalloc.h"
#include "tests/unit/plan-helper.h"
#include "tests/unit/tap.h"

static const char plan_text[] =
	"POLLFREQ 5 POLLFREQALERT 2\n"
	"GROUP LOCAL HOST localhost CERTFILE '/c' MINSUPPLIES 2\n"
	"MONITOR a POWERVAL 1 UPSDUSER m PASSWORD 'p' TYPE primary\n"
	"MONITOR b POWERVAL 1 UPSDUSER m PASSWORD 'p' TYPE primary\n"
	"MONITOR c POWERVAL 1 UPSDUSER m PASSWORD 'p' TYPE primary\n"
	"WHEN a REPORTS OL->OB : STARTTIMER t 10 NUTLOG 'ob %(c)s'\n"
	"WHEN a TIMEOUT t : NUTLOG 'expired %(e)s'\n"
	"WHEN a TIMEOUT start : NUTLOG 'started' STARTTIMER u 0.5\n"
	"WHEN b TIMEOUT u : NUTLOG 'u for %(u)s'\n";

/* Poll UPS U with STATUS and CHARGE (NULL: no answer) and return its events as "A B C". */
static const char *poll(struct st_plan *sp, uint32_t u, const char *status, const char *charge)
{
	static char buf[512];
	uint8_t ev[ST_MAX_EVENTS];
	struct st_poll p = { status != NULL, status, charge, NULL, 0 };
	uint32_t n = st_poll(sp, u, &p, ev);

	buf[0] = '\0';
	for (uint32_t i = 0; i < n; i++) {
		size_t l = strlen(buf);
		snprintf(buf + l, sizeof(buf) - l, "%s%s", i ? " " : "", ev_pair_name(ev[i]));
	}
	return buf;
}

static void test_derivation(void)
{
	struct plan_image img;
	struct st_plan sp;

	compile_text(plan_text, &img);
	st_init(&sp, &img);
	is_str(poll(&sp, 0, "OL CHRG", "100"), "None->CHRG", "first poll: None->X for each word; OL is the initial state");
	is_str(poll(&sp, 0, "OL CHRG", "100"), "", "same status: no event");
	is_str(poll(&sp, 0, "OB DISCHRG BOOST", "90"), "OL->OB None->DISCHRG None->BOOST CHRG->None",
	       "status words in upsd's order, then every X->None");
	is_str(poll(&sp, 0, "OL", "90"), "OB->OL BOOST->None DISCHRG->None",
	       "every word that went away fires in the same poll (UPSmon.py: one per poll)");
	is_str(poll(&sp, 0, NULL, NULL), "COMM->NOCOMM", "no answer: COMM->NOCOMM only");
	is_str(poll(&sp, 0, NULL, NULL), "", "still no answer: nothing");
	ok(strcmp(st_getvar(&sp, 0, "battery.charge"), "90") == 0, "the last charge is kept while NOCOMM");
	is_str(poll(&sp, 0, "WAIT", NULL), "", "upsd's WAIT (driver not ready): not an answer, still NOCOMM");
	is_str(poll(&sp, 0, "OB LB", "30"), "OL->OB None->LB NOCOMM->COMM None->LB1",
	       "the answer after none: status words, NOCOMM->COMM, then LB1 (30 <= 50)");
	is_str(poll(&sp, 0, " wait ", NULL), "", "WAIT alone while COMM: no word goes away");
	is_str(st_getvar(&sp, 0, "ups.status"), "OB LB", "and the last status is kept");
	is_str(poll(&sp, 0, "FSD OB LB", "20"), "None->FSD None->LB2", "an FSD prefix from upsd is a status word; LB2 at 20");
	is_str(poll(&sp, 0, "OB LB ECO WAIT", "10"), "None->LB3 FSD->None", "unknown words (ECO, WAIT) fire nothing");
	is_str(st_getvar(&sp, 0, "ups.status"), "OB LB ECO WAIT", "but are kept in ups.status");
	is_str(poll(&sp, 0, "ol", "100"), "OB->OL LB->None LB1->None LB2->None LB3->None",
	       "words are read case-insensitively; charge back up clears every LB level");
	is_str(poll(&sp, 0, "OL LB1 LS", "n/a"), "", "LB1 and LS from upsd are not the engine's tables; a bad charge is unknown");
	ok(st_getvar(&sp, 0, "battery.charge") != NULL && isnan(sp.ups[0].charge), "an unreadable charge is unknown");
	is_str(poll(&sp, 0, "OL", "-5"), "", "a negative charge raises no LB level");
	ok(isnan(sp.ups[0].charge), "a negative charge is unknown, as %%(c)s shows it (999)");
	is_str(poll(&sp, 0, "", NULL), "", "an empty status: no word, no event");
	{
		char lng[ST_STATUS_MAX + 40];
		memset(lng, 'X', sizeof(lng) - 1);
		lng[sizeof(lng) - 1] = '\0';
		memcpy(lng, "OB ", 3);
		is_str(poll(&sp, 0, lng, NULL), "OL->OB", "a status longer than ST_STATUS_MAX: its words still count");
		ok(strlen(st_getvar(&sp, 0, "ups.status")) == ST_STATUS_MAX - 1 &&
			   strncmp(st_getvar(&sp, 0, "ups.status"), lng, ST_STATUS_MAX - 1) == 0,
		   "and its first ST_STATUS_MAX - 1 bytes are kept");
		is_str(poll(&sp, 0, lng, NULL), "", "the same long status again: no event");
	}
	st_free(&sp);

	/* words from upsd in any case; the engine's own (LB1, LS, NOCOMM, None) sent by upsd are ignored */
	st_init(&sp, &img);
	is_str(poll(&sp, 0, "ob lb1 ls nocomm none", "100"), "OL->OB", "ob in lower case is OB; LB1 LS NOCOMM None are not upsd's");
	is_str(poll(&sp, 0, "Ol Trim", "100"), "OB->OL None->TRIM", "Ol and Trim in mixed case");
	st_free(&sp);

	/* LS: MINSUPPLIES 2 of three POWERVAL 1 */
	st_init(&sp, &img);
	is_str(poll(&sp, 0, "OB", "100"), "OL->OB", "no LS before the whole group answered once");
	is_str(poll(&sp, 1, "OB", "100"), "OL->OB", "still not every UPS polled");
	is_str(poll(&sp, 2, "OL", "100"), "None->LS", "c completes the group: 1 supply left < 2");
	is_str(poll(&sp, 0, "OB", "100"), "None->LS", "LS fires for each UPS of the group at its poll");
	is_str(poll(&sp, 1, "OL", "100"), "OB->OL", "b back on line: 2 supplies, no LS for b");
	is_str(poll(&sp, 0, "OB", "100"), "LS->None", "a's next poll clears its LS");
	st_free(&sp);
	img_free(&img);
}

struct trace_log {
	const struct plan_image *img;
	char text[4096];
};

static void log_trace(void *ctx, const struct eng_trace *t)
{
	struct trace_log *l = ctx;
	size_t n = strlen(l->text);
	char *p = l->text + n;
	size_t room = sizeof(l->text) - n;

	switch (t->kind) {
	case ENG_EVENT:
		snprintf(p, room, "%g %s %s; ", t->time, img_bytes(l->img, l->img->ups.v[t->ups].name), ev_pair_name(t->pair));
		break;
	case ENG_EXPIRY:
		snprintf(p, room, "%g expiry %s; ", t->time, img_bytes(l->img, l->img->timers.v[t->timer]));
		break;
	case ENG_LEVEL:
		snprintf(p, room, "%g level %s; ", t->time, (t->pair - VM_LEVEL_PAIRS_BASE) % 2 ? "CEASES" : "BECOMES");
		break;
	case ENG_ALERT:
		snprintf(p, room, "%g alert %s; ", t->time, (t->pair - VM_ALERT_PAIRS_BASE) % 2 ? "FIRING" : "RESOLVED");
		break;
	case ENG_EFFECT:
		snprintf(p, room, "%g %s %s%s; ", t->time, vm_effect_name(t->effect->kind),
			 t->effect->text ? t->effect->text : "", t->effect->kind == OP_STARTTIMER ? "timer" : "");
		break;
	case ENG_UNKNOWN_VAR:
		snprintf(p, room, "%g unknown variable; ", t->time);
		break;
	}
}

static void test_engine(void)
{
	struct plan_image img;
	struct engine e;
	struct trace_log l;
	struct eng_host h = { &l, log_trace };
	struct st_poll ol = { 1, "OL", "100", NULL, 0 }, ob = { 1, "OB DISCHRG", "80", NULL, 0 };
	double d;

	compile_text(plan_text, &img);
	memset(&l, 0, sizeof(l));
	l.img = &img;
	eng_init(&e, &img, &h, "host", "u@host");
	eng_start(&e, 100);
	ok(eng_next_deadline(&e, &d) && d == 101, "the start timer expires 1 s after start-up");
	ok(eng_poll_interval(&e) == 5, "POLLFREQ while every UPS is on line");
	eng_poll(&e, 0, &ol, 100);
	eng_poll(&e, 0, &ob, 100.5);
	ok(eng_poll_interval(&e) == 2, "POLLFREQALERT while a UPS is on battery");
	eng_expire(&e, 1000);
	is_str(l.text, "100.5 a OL->OB; 100.5 STARTTIMER timer; 100.5 NUTLOG ob 80; 100.5 a None->DISCHRG; "
	       "101 expiry start; 101 NUTLOG started; 101 STARTTIMER timer; "
	       "101.5 expiry u; 101.5 NUTLOG u for b; 110.5 expiry t; 110.5 NUTLOG expired TO->t; ",
	       "events, then timers in deadline order, each at its own deadline, for the UPS of its clause");
	eng_poll(&e, 0, &ol, 120);
	ok(eng_poll_interval(&e) == 5, "back to POLLFREQ");
	ok(!eng_next_deadline(&e, &d), "no timer left");
	eng_free(&e);
	img_free(&img);
}

/* Poll UPS 0 of E, on line, with battery.runtime RUNTIME, at NOW. */
static void poll_runtime(struct engine *e, const char *runtime, double now)
{
	const char *vars[1] = { runtime };
	struct st_poll p = { 1, "OL", "100", vars, 1 };

	eng_poll(e, 0, &p, now);
}

/* Level rules: a hold both ways, cancelled by a change back, and no timer operation while steady. */
static void test_levels(void)
{
	struct plan_image img;
	struct engine e;
	struct trace_log l;
	struct eng_host h = { &l, log_trace };
	uint64_t changes;
	double d;

	compile_text("POLLFREQ 5\n"
		     "GROUP LOCAL HOST localhost CERTFILE '/c'\n"
		     "MONITOR a POWERVAL 1 UPSDUSER m PASSWORD 'p' TYPE primary\n"
		     "WHEN a REPORTS None->LB : SHUTDOWNCMD '/sbin/shutdown -h +0'\n"
		     "WHEN a BECOMES battery.runtime < 300 FOR 30 : NUTLOG 'low %(e)s'\n"
		     "WHEN a CEASES battery.runtime < 300 : NUTLOG 'back %(e)s'\n", &img);
	memset(&l, 0, sizeof(l));
	l.img = &img;
	eng_init(&e, &img, &h, "host", "u@host");
	poll_runtime(&e, "1200", 0);
	poll_runtime(&e, "240", 5);
	ok(eng_next_deadline(&e, &d) && d == 35, "the condition turned true: its hold ends 30 s later");
	changes = e.timers.changes;
	for (int t = 10; t <= 30; t += 5)
		poll_runtime(&e, "240", t);
	ok(e.timers.changes == changes, "holding, a steady value starts or cancels no timer");
	is_str(l.text, "", "nothing fires before the hold is over");
	eng_expire(&e, 35);
	is_str(l.text, "35 level BECOMES; 35 NUTLOG low BECOMES; ", "the hold is over: the rule fires once");
	changes = e.timers.changes;
	l.text[0] = '\0';
	for (int t = 40; t <= 60; t += 5)
		poll_runtime(&e, "240", t);
	ok(e.timers.changes == changes && l.text[0] == '\0', "fired, a steady value does nothing: no timer, no firing");
	poll_runtime(&e, "900", 65);
	ok(eng_next_deadline(&e, &d) && d == 95, "false again: the release waits for the hold too");
	poll_runtime(&e, "240", 70);
	ok(!eng_next_deadline(&e, &d), "true again before it: the release is cancelled");
	poll_runtime(&e, "900", 75);
	eng_expire(&e, 104);
	is_str(l.text, "", "no CEASES before the hold");
	eng_expire(&e, 105);
	is_str(l.text, "105 level CEASES; 105 NUTLOG back CEASES; ", "false for the hold: CEASES runs, the rule re-arms");
	ok(vm_get_stats(e.vm)->grows == 0, "no buffer grew: the runs allocated nothing");
	eng_free(&e);
	img_free(&img);
}

/* A reload: the new plan's engine takes over the UPS state and the timers that still exist. */
static void test_adopt(void)
{
	struct plan_image a, b;
	struct engine ea, eb;
	struct trace_log l;
	struct eng_host h = { &l, log_trace };
	struct st_poll ob = { 1, "OB DISCHRG", "80", NULL, 0 };
	double d;

	compile_text(plan_text, &a);
	compile_text("POLLFREQ 5 POLLFREQALERT 2\n"
		     "GROUP LOCAL HOST localhost CERTFILE '/c' MINSUPPLIES 1\n"
		     "MONITOR z POWERVAL 1 UPSDUSER m PASSWORD 'p' TYPE primary\n"
		     "MONITOR a POWERVAL 1 UPSDUSER m PASSWORD 'p' TYPE primary\n"
		     "WHEN a REPORTS OB->OL : NUTLOG 'back' CANCELTIMER t\n"
		     "WHEN a TIMEOUT t : NUTLOG 'expired'\n"
		     "WHEN a TIMEOUT gone : NUTLOG 'x'\n", &b);
	memset(&l, 0, sizeof(l));
	l.img = &a;
	eng_init(&ea, &a, &h, "host", "u@host");
	eng_poll(&ea, 0, &ob, 10);	/* a on battery, timer t until 20 */
	eng_init(&eb, &b, &h, "host", "u@host");
	eng_adopt(&eb, &ea);
	eng_free(&ea);
	is_str(st_getvar(&eb.state, 1, "ups.status"), "OB DISCHRG", "the status is the new plan's own copy");
	l.img = &b;
	l.text[0] = '\0';
	ok(eng_next_deadline(&eb, &d) && d == 20, "the running timer t keeps its deadline");
	ok(eng_poll_interval(&eb) == 2, "UPS a is still on battery: POLLFREQALERT");
	eng_poll(&eb, 1, &ob, 12);
	is_str(l.text, "", "the same answer after the reload fires no event");
	eng_poll(&eb, 1, &(struct st_poll){ .answered = 1, .status = "OL", .charge = "80" }, 13);
	is_str(l.text, "13 a OB->OL; 13 NUTLOG back; 13 CANCELTIMER ; 13 a DISCHRG->None; ",
	       "a change after the reload fires from the adopted state");
	eng_poll(&eb, 0, &(struct st_poll){ 1, "OL", "100", NULL, 0 }, 14);
	ok(strstr(l.text, "z OL") == NULL, "a new UPS starts from the initial state (on line: no event)");
	eng_free(&eb);
	img_free(&a);
	img_free(&b);
}

/* The snapshot of an engine: taken, kept as plain data, adopted by a fresh engine (a restart). */
static void test_snapshot(void)
{
	struct plan_image img;
	struct engine a, b;
	struct trace_log l;
	struct eng_host h = { &l, log_trace };
	struct eng_snap s;
	struct st_poll ob = { 1, "OB DISCHRG", "80", NULL, 0 }, ol = { 1, "OL", "100", NULL, 0 };
	uint32_t ua, ub, uc, tt, nt;
	uint64_t c0;
	char why[200];
	double d;

	compile_text(plan_text, &img);
	ua = ups_index(&img, "a");
	ub = ups_index(&img, "b");
	uc = ups_index(&img, "c");
	tt = timer_index(&img, "t");
	memset(&l, 0, sizeof(l));
	l.img = &img;
	eng_init(&a, &img, &h, "host", "u@host");
	eng_poll(&a, ua, &ob, 10);	/* a on battery, timer t until 20 */
	eng_poll(&a, ub, &ol, 10);
	eng_note_fsd(&a, ua);

	/* what moves the change count, and what does not */
	c0 = eng_changes(&a);
	eng_poll(&a, ua, &ob, 11);
	eng_poll(&a, ub, &ol, 11);
	ok(eng_changes(&a) == c0, "the same answers again: the change count stays (nothing to write)");
	eng_poll(&a, ua, &(struct st_poll){ .answered = 1, .status = "OB DISCHRG", .charge = "79" }, 12);
	ok(eng_changes(&a) != c0, "a new charge moves it");
	c0 = eng_changes(&a);
	eng_note_fsd(&a, ua);
	ok(eng_changes(&a) == c0, "SETFSD noted again: no change");
	eng_poll(&a, ua, &(struct st_poll){ 1, "OB DISCHRG", "80", NULL, 0 }, 12.5);

	eng_snap_take(&a, 15, &s);
	is_int(s.nups, 3, "the snapshot has every UPS of the plan");
	is_str(s.ups[ua].group, "LOCAL", "keyed by group ...");
	is_str(s.ups[ua].name, "a", "... and name");
	ok(s.ups[ua].st.tables >> SW_T_OB & 1, "a's tables: on battery");
	is_str(s.ups[ua].st.status, "OB DISCHRG", "its last status");
	is_str(s.ups[ua].st.charge, "80", "its charge as upsd wrote it");
	ok(s.ups[ua].st.polled && s.ups[ua].st.fsd, "polled, and SETFSD sent");
	ok(!s.ups[uc].st.polled && s.ups[uc].st.status == NULL, "c never answered: no status");
	is_int(s.ntimers, img.timers.n, "every timer of the plan, by name");
	ok(s.timers[tt].running && s.timers[tt].remaining == 5, "t runs, 5 s left at 15");
	ok(eng_snap_same_names(&a, &s, why, sizeof(why)) == 0, "the same plan: the same names");

	/* a restart: a fresh engine of the same plan, on another clock */
	memset(&l, 0, sizeof(l));
	l.img = &img;
	eng_init(&b, &img, &h, "host", "u@host");
	is_int(eng_snap_adopt(&b, &s, 1000, &nt), 3, "every UPS adopted");
	is_int(nt, 1, "the running timer adopted");
	ok(eng_next_deadline(&b, &d) && d == 1005, "its deadline is 5 s from the new clock's now");
	ok(eng_poll_interval(&b) == 2, "a on battery: POLLFREQALERT (recounted from the tables)");
	ok(b.state.ups[ua].charge == 80, "the charge number is read again from its text");
	is_str(st_getvar(&b.state, ua, "battery.charge"), "80", "and %%(c)s has it before any poll");
	eng_poll(&b, ua, &ob, 1001);
	eng_poll(&b, ub, &ol, 1001);
	is_str(l.text, "", "the same answers after the restart: no event (no second OL->OB)");
	eng_poll(&b, uc, &(struct st_poll){ .answered = 1, .status = "OL CHRG", .charge = "100" }, 1001);
	is_str(l.text, "1001 c None->CHRG; ", "a UPS that never answered: its first poll as at any start");
	eng_poll(&b, ua, &ol, 1002);
	ok(strstr(l.text, "1002 a OB->OL") != NULL, "a change after the restart fires from the adopted state");
	eng_free(&b);

	/* a timer due during the downtime expires at once, at its own deadline */
	eng_init(&b, &img, &h, "host", "u@host");
	s.timers[tt].remaining = -30;
	eng_snap_adopt(&b, &s, 1000, &nt);
	ok(eng_next_deadline(&b, &d) && d == 970, "a deadline passed during the downtime is in the past");
	memset(&l, 0, sizeof(l));
	l.img = &img;
	eng_expire(&b, 1000);
	is_str(l.text, "970 expiry t; 970 NUTLOG expired TO->t; ", "expired at once, at its deadline");
	eng_free(&b);

	/* input out of range is cut, never trusted */
	eng_init(&b, &img, &h, "host", "u@host");
	{
		char lng[600];
		memset(lng, 'X', sizeof(lng) - 1);
		lng[sizeof(lng) - 1] = '\0';
		free(s.ups[ua].st.status);
		s.ups[ua].st.status = xstrdup(lng);
		s.ups[ua].st.tables = 0xffffffffu;
		s.ups[ua].st.present = 0xffffffffu;
		memset(s.ups[ua].st.charge, '9', sizeof(s.ups[ua].st.charge));	/* no NUL */
		eng_snap_adopt(&b, &s, 0, &nt);
		is_int(strlen(st_getvar(&b.state, ua, "ups.status")), ST_STATUS_MAX - 1, "a long status is cut");
		is_int(b.state.tables[ua], (1 << SW_TABLES) - 1, "table bits beyond the 21 tables dropped");
		is_int(b.state.ups[ua].present, (1 << SW_ONE_TABLES) - 1, "present bits beyond the 19 words dropped");
		is_int(strlen(st_getvar(&b.state, ua, "battery.charge")), ST_CHARGE_MAX - 1, "a charge without its NUL is cut");
	}
	eng_free(&b);

	/* names that differ: which one is said */
	free(s.ups[ub].name);
	s.ups[ub].name = xstrdup("zz");
	ok(eng_snap_same_names(&a, &s, why, sizeof(why)) != 0, "a UPS renamed: not the same names");
	is_str(why, "UPS LOCAL/b of this plan is not in it", "the plan's UPS missing from the snapshot is named");
	free(s.ups[ub].name);
	s.ups[ub].name = xstrdup("b");
	s.nups = 2;		/* c left out of the snapshot (still freed below: the array is the same) */
	eng_snap_same_names(&a, &s, why, sizeof(why));
	is_str(why, "UPS LOCAL/c of this plan is not in it", "a UPS fewer: named");
	s.nups = 3;
	free(s.timers[tt].name);
	s.timers[tt].name = xstrdup("other");
	eng_snap_same_names(&a, &s, why, sizeof(why));
	is_str(why, "timer other is not in this plan", "a timer of the snapshot the plan has not: named");
	eng_init(&b, &img, &h, "host", "u@host");
	eng_snap_adopt(&b, &s, 0, &nt);
	is_int(nt, 0, "a running timer whose name the plan has not is not adopted");
	eng_free(&b);
	eng_snap_free(&s);
	eng_free(&a);
	img_free(&img);
}

/* Marks are decision state: in the snapshot by UPS and mark name, adopted by a restart and a reload. */
static void test_snapshot_marks(void)
{
	static const char *const text[2] = {
		"GROUP LOCAL HOST localhost CERTFILE '/c'\n"
		"MONITOR a POWERVAL 1 UPSDUSER m PASSWORD 'p' TYPE primary\n"
		"MONITOR b POWERVAL 1 UPSDUSER m PASSWORD 'p' TYPE primary\n"
		"WHEN a REPORTS OL->OB : MARK crit MARK seen\n"
		"WHEN a REPORTS OB->OL : UNMARK crit\n"
		"WHEN b REPORTS OL->OB : IF MARKED crit a NUTLOG 'a crit'\n",
		/* the reloaded plan: crit is mark 1 now, seen is gone */
		"GROUP LOCAL HOST localhost CERTFILE '/c'\n"
		"MONITOR a POWERVAL 1 UPSDUSER m PASSWORD 'p' TYPE primary\n"
		"MONITOR b POWERVAL 1 UPSDUSER m PASSWORD 'p' TYPE primary\n"
		"WHEN a REPORTS OL->OB : MARK other MARK crit\n"
		"WHEN b REPORTS OL->OB : IF MARKED crit a NUTLOG 'a crit'\n",
	};
	struct plan_image img, img2;
	struct engine a, b;
	struct trace_log l;
	struct eng_host h = { &l, log_trace };
	struct eng_snap s;
	struct st_poll ob = { 1, "OB", "80", NULL, 0 };
	uint32_t ua, ub, nt;
	uint64_t c0;

	compile_text(text[0], &img);
	compile_text(text[1], &img2);
	ua = ups_index(&img, "a");
	ub = ups_index(&img, "b");
	memset(&l, 0, sizeof(l));
	l.img = &img;
	eng_init(&a, &img, &h, "host", "u@host");
	is_int(vm_marks(a.vm)[ua], 0, "a UPS starts unmarked");
	eng_poll(&a, ua, &(struct st_poll){ 1, "OL", "80", NULL, 0 }, 1);
	c0 = eng_changes(&a);
	eng_poll(&a, ua, &ob, 2);
	is_int(vm_marks(a.vm)[ua], 3, "a carries crit and seen");
	ok(eng_changes(&a) != c0, "a mark set moves the change count (the state file is written)");
	eng_snap_take(&a, 2, &s);
	ok(s.ups[ua].nmarks == 2 && strcmp(s.ups[ua].marks[0], "crit") == 0 && strcmp(s.ups[ua].marks[1], "seen") == 0,
	   "the snapshot names a's marks");
	is_int(s.ups[ub].nmarks, 0, "b has none");

	/* a restart: the same plan */
	eng_init(&b, &img, &h, "host", "u@host");
	eng_snap_adopt(&b, &s, 100, &nt);
	is_int(vm_marks(b.vm)[ua], 3, "a restart restores a's marks");
	memset(&l, 0, sizeof(l));
	l.img = &img;
	eng_poll(&b, ub, &ob, 101);
	ok(strstr(l.text, "NUTLOG a crit") != NULL, "a rule reads the restored mark");
	eng_free(&b);

	/* a mark the plan no longer has is dropped; one it has is kept by name, whatever its bit */
	eng_init(&b, &img2, &h, "host", "u@host");
	eng_adopt(&b, &a);
	is_int(vm_marks(b.vm)[ups_index(&img2, "a")], 2, "reload: crit kept as the new plan's mark 1, seen dropped");
	eng_free(&b);
	free(s.ups[ua].marks[0]);
	s.ups[ua].marks[0] = xstrdup("gone");
	eng_init(&b, &img, &h, "host", "u@host");
	eng_snap_adopt(&b, &s, 100, &nt);
	is_int(vm_marks(b.vm)[ua], 2, "an unknown mark name in a snapshot is dropped");
	eng_free(&b);
	eng_snap_free(&s);
	eng_free(&a);
	img_free(&img);
	img_free(&img2);
}

/* The daemon asks for battery.charge only when the plan reads it. */
static void test_reads_charge(void)
{
	static const struct {
		const char *rules, *what;
		int want;
	} cases[] = {
		{ "WHEN a REPORTS OL->OB : NUTLOG 'on battery %(u)s %(e)s'\n", "no %(c)s, no LB1-3: not read", 0 },
		{ "WHEN a REPORTS OL->OB : NUTLOG 'charge %(c)s'\n", "a %(c)s: read", 1 },
		{ "WHEN a REPORTS None->LB2 : NUTLOG 'low'\n", "a None->LB2 handler: read", 1 },
		{ "WHEN a REPORTS LB3->None : NUTLOG 'ok'\n", "an LB3->None handler: read", 1 },
		{ "WHEN a REPORTS OL->OB : IF None->LB1 NUTLOG 'low'\n", "an IF None->LB1: read", 1 },
		{ "WHEN a REPORTS None->LB : NUTLOG 'upsd says LB'\n", "the LB status word is not the charge: not read", 0 },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char text[512];
		struct plan_image img;
		snprintf(text, sizeof(text),
			 "GROUP LOCAL HOST localhost CERTFILE '/c'\n"
			 "MONITOR a POWERVAL 1 UPSDUSER m PASSWORD 'p' TYPE primary\n%s", cases[i].rules);
		compile_text(text, &img);
		ok(eng_reads_charge(&img) == cases[i].want, "%s", cases[i].what);
		img_free(&img);
	}
}

/*
 * The pair numbers are kept in images: they must not move when a status
 * word is added (status.def says where).  Every pair goes to its number
 * and back, every other FROM->TO is refused, the tables hold the words.
 */
static void test_pairs(void)
{
	static const char *const want[] = {
		"None->ALARM", "ALARM->None", "None->BOOST", "BOOST->None", "None->BYPASS", "BYPASS->None",
		"None->CAL", "CAL->None", "None->CHRG", "CHRG->None", "None->DISCHRG", "DISCHRG->None",
		"None->FSD", "FSD->None", "None->LB", "LB->None", "None->LB1", "LB1->None",
		"None->LB2", "LB2->None", "None->LB3", "LB3->None", "None->LS", "LS->None",
		"None->OFF", "OFF->None", "None->OVER", "OVER->None", "None->RB", "RB->None",
		"None->TEST", "TEST->None", "None->TICK", "TICK->None", "None->TOCK", "TOCK->None",
		"None->TRIM", "TRIM->None", "OL->OB", "OB->OL", "COMM->NOCOMM", "NOCOMM->COMM",
	};
	unsigned named = 0, back = 0, valid = 0, hinted = 0;
	char hint[512], both[64];
	int from, to;

	is_int(EV_NPAIRS, sizeof(want) / sizeof(want[0]), "%d event pairs", EV_NPAIRS);
	is_int(SW_TABLES, 21, "21 tables");
	is_int(SW_ONE_TABLES, 19, "19 of them None<->X");
	for (unsigned p = 0; p < EV_NPAIRS && p < sizeof(want) / sizeof(want[0]); p++) {
		named += strcmp(ev_pair_name(p), want[p]) == 0;
		ev_pair_words(p, &from, &to);
		back += ev_pair_index(from, to) == (int)p;
		snprintf(both, sizeof(both), "%s->%s", sw_name(from), sw_name(to));
		named += strcmp(both, want[p]) == 0;
	}
	is_int(named, 2 * EV_NPAIRS, "each pair has its number of UPSmon.py 1.3 and image version 2");
	is_int(back, EV_NPAIRS, "ev_pair_index(ev_pair_words(p)) == p for every pair");
	for (int f = -1; f <= SW_COUNT; f++)
		for (int t = -1; t <= SW_COUNT; t++)
			valid += ev_pair_index(f, t) >= 0;
	is_int(valid, EV_NPAIRS, "no other FROM->TO is a pair (out-of-range words included)");
	is_str(st_table_name(SW_T_OB), "OB", "the OL/OB table is named after OB");
	is_str(st_table_name(SW_T_NOCOMM), "NOCOMM", "the COMM table after NOCOMM");
	is_str(st_table_name(0), "ALARM", "table 0 is ALARM");
	ok(st_table_name(SW_TABLES) == NULL, "no table past the last");
	for (int w = 0; w < SW_COUNT; w++) {
		ev_pairs_hint(w, w, hint, sizeof(hint));
		hinted += w == SW_NONE ? strstr(hint, "X->None") != NULL : strstr(hint, sw_name(w)) != NULL;
	}
	is_int(hinted, SW_COUNT, "the hint for X->X names X's pairs");
	ev_pairs_hint(SW_OB, SW_NONE, hint, sizeof(hint));
	is_str(hint, "OL->OB, OB->OL", "the hint for OB->None");
}

/* WHEN ALERT rules run on transitions only; unknown names are told apart; a reload keeps what fires. */
static void test_alerts(void)
{
	static const char text[] =
		"GROUP LOCAL HOST localhost CERTFILE '/c'\n"
		"MONITOR a POWERVAL 1 UPSDUSER m PASSWORD 'p' TYPE primary\n"
		"WHEN a TIMEOUT grace : NUTLOG 'grace over for %(u)s'\n"
		"WHEN ALERT Down FIRING : NUTLOG '%(e)s' STARTTIMER grace 10\n"
		"WHEN ALERT Down RESOLVED : CANCELTIMER grace NUTLOG '%(e)s'\n"
		"WHEN ALERT Hot FIRING : NUTLOG 'hot'\n";
	struct plan_image img, img2;
	struct engine e, e2;
	struct trace_log l;
	struct eng_host h = { &l, log_trace };

	compile_text(text, &img);
	memset(&l, 0, sizeof(l));
	l.img = &img;
	eng_init(&e, &img, &h, "host", "u@host");
	is_int(eng_alert(&e, "Down", 4, 0, 1), ENG_ALERT_SAME, "a RESOLVED before any FIRING: no transition");
	is_int(eng_alert(&e, "Nope", 4, 1, 2), ENG_ALERT_UNKNOWN, "an alert no rule names: unknown");
	is_int(eng_alert(&e, "Dow", 3, 1, 2), ENG_ALERT_UNKNOWN, "a prefix of a name is no name");
	is_str(l.text, "", "neither runs anything");
	is_int(eng_alert(&e, "Down", 4, 1, 3), ENG_ALERT_RAN, "FIRING: the rules ran");
	is_str(l.text, "3 alert FIRING; 3 NUTLOG ALERT Down FIRING; 3 STARTTIMER timer; ",
	       "the FIRING clauses, %%(e)s the alert");
	l.text[0] = '\0';
	is_int(eng_alert(&e, "Down", 4, 1, 4), ENG_ALERT_SAME, "FIRING again (Alertmanager repeats it): no transition");
	is_int(eng_alert(&e, "Hot", 3, 0, 4), ENG_ALERT_SAME, "an alert without RESOLVED clauses starts resolved too");
	eng_expire(&e, 13);
	is_str(l.text, "13 expiry grace; 13 NUTLOG grace over for a; ", "a timer it started runs its UPS's TIMEOUT clauses");
	eng_alert(&e, "Down", 4, 0, 20);
	eng_alert(&e, "Down", 4, 1, 21);
	compile_text(text, &img2);
	eng_init(&e2, &img2, &h, "host", "u@host");
	eng_adopt(&e2, &e);
	l.img = &img2;
	l.text[0] = '\0';
	is_int(eng_alert(&e2, "Down", 4, 1, 22), ENG_ALERT_SAME, "after a reload an alert that fired still fires");
	is_int(eng_alert(&e2, "Down", 4, 0, 23), ENG_ALERT_RAN, "and its RESOLVED runs");
	is_str(l.text, "23 alert RESOLVED; 23 CANCELTIMER ; 23 NUTLOG ALERT Down RESOLVED; ", "the RESOLVED clauses");
	ok(vm_get_stats(e2.vm)->grows == 0, "no buffer grew in the alert runs");
	eng_free(&e);
	eng_free(&e2);
	img_free(&img);
	img_free(&img2);
}

int main(void)
{
	test_derivation();
	test_pairs();
	test_engine();
	test_adopt();
	test_levels();
	test_snapshot();
	test_snapshot_marks();
	test_reads_charge();
	test_alerts();
	return done_testing();
}
