/* SPDX-License-Identifier: GPL-2.0-or-later */
/* fuzz-scenario.c - libFuzzer target: the scenario parser against a fixed plan, then `upsplan simulate` of what it accepts; every file comes from the input. */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/compile.h"
#include "base/source.h"
#include "runtime/common/plan-file.h"

/*
 * The scenario parser and the simulator read files: the scenario, and the
 * dummy-ups files it names (relative to the scenario's directory, or
 * absolute).  Here they read only the input: scenario.c, sim.c and
 * cmd-simulate.c are compiled into this file with src_load() and
 * plan_file_load() routed to the functions below, so no name in an input
 * can reach the file system (a FIFO, /dev/zero, a file of the host).
 *
 * Input: the scenario text, then any number of files, each a line
 * "--- NAME" followed by its text (up to the next such line):
 *
 *	at 0 dummy UPS-1 "outage.seq"
 *	at 10m end
 *	--- outage.seq
 *	ups.status: OB
 *	TIMER 60
 *
 * The scenario is "fuzz.scn"; a name no "---" line gives cannot be
 * opened.  The plan is the fixed one below (compiled once): eight UPS on
 * one upsd, two on another, "heartbeat" in both groups (so that NAME and
 * GROUP:NAME are both exercised), timers, SETFSD and SHUTDOWNCMD.
 *
 * Checked after scn_parse(): every step has a finite time >= 0, a kind
 * and a target in range, SET steps a variable and a value; the steps are
 * sorted by time, in file order for one time; every UPS has an upsd of
 * the table.  A scenario without errors is then simulated by
 * cmd_simulate() itself (--keep-going, --until=20m bounds the run), its
 * trace on /dev/null.
 */

struct fuzz_file {
	const char *name;
	size_t name_len;
	const char *text;
	size_t len;
};

#define FUZZ_MAX_FILES 64
#define FUZZ_SCN "fuzz.scn"
#define FUZZ_PLAN "fuzz.conf"

static struct fuzz_file files[FUZZ_MAX_FILES];
static size_t nfiles;
static unsigned char *plan_bytes;	/* the fixed plan's image, encoded */
static size_t plan_len;
static FILE *devnull;

struct src_file *fuzz_src_load(struct src_registry *reg, const char *path, char *err, size_t errlen);
int fuzz_plan_file_load(const char *path, const struct plan_file_opts *o, struct plan_image *img);

/* Only the input's files can be read. */
struct src_file *fuzz_src_load(struct src_registry *reg, const char *path, char *err, size_t errlen)
{
	size_t pl = strlen(path);

	for (size_t i = 0; i < nfiles; i++)
		if (files[i].name_len == pl && memcmp(files[i].name, path, pl) == 0) {
			struct src_file *f = src_add_text(reg, path, files[i].text, files[i].len);

			if (!f)
				snprintf(err, errlen, "cannot read '%s': larger than 2 GiB", path);
			return f;
		}
	snprintf(err, errlen, "cannot open '%s': No such file or directory", path);
	return NULL;
}

/* The fixed plan, whatever the path. */
int fuzz_plan_file_load(const char *path, const struct plan_file_opts *o, struct plan_image *img)
{
	char err[512];

	(void)path;
	(void)o;
	if (img_decode(plan_bytes, plan_len, 0, img, err, sizeof(err)) != 0) {
		fprintf(stderr, "fuzz-scenario: the fixed plan's image does not decode: %s\n", err);
		abort();
	}
	return 0;
}

#define src_load fuzz_src_load
#define plan_file_load fuzz_plan_file_load
#include "runtime/sim/scenario.c"
#include "runtime/sim/sim.c"
#include "runtime/cli/cmd-simulate.c"
#undef src_load
#undef plan_file_load

static const char fuzz_plan[] =
	"POLLFREQ 5 POLLFREQALERT 2\n"
	"SMTPSERVER \"mail.example.com\" PORT 465 USER \"mailbox\" PASSWORD \"pw\"\n"
	"LET msg = \"[%(b)s] %(u)s on %(h)s: %(e)s, charge %(c)s\"\n"
	"GROUP HB-LOCAL HOST localhost PORT 401 CERTFILE \"/etc/nut/c.pem\"\n"
	"MONITOR UPS-1 POWERVAL 1 UPSDUSER mon PASSWORD \"pw\" TYPE primary\n"
	"MONITOR UPS-A POWERVAL 1 UPSDUSER mon PASSWORD \"pw\" TYPE primary\n"
	"MONITOR UPS-B POWERVAL 1 UPSDUSER mon PASSWORD \"pw\" TYPE primary\n"
	"MONITOR psu-a POWERVAL 1 UPSDUSER mon PASSWORD \"pw\" TYPE primary\n"
	"MONITOR psu-b POWERVAL 1 UPSDUSER mon PASSWORD \"pw\" TYPE primary\n"
	"MONITOR psu-c POWERVAL 1 UPSDUSER mon PASSWORD \"pw\" TYPE primary\n"
	"MONITOR ups1 POWERVAL 1 UPSDUSER mon PASSWORD \"pw\" TYPE primary\n"
	"MONITOR heartbeat POWERVAL 0 UPSDUSER mon PASSWORD \"pw\" TYPE observer\n"
	"MINSUPPLIES 2\n"
	"WHEN UPS-1 REPORTS OL->OB : NUTLOG msg STARTTIMER two-min 120 STARTTIMER one-min 60\n"
	"WHEN UPS-1 TIMEOUT one-min : WALL msg\n"
	"WHEN UPS-1 TIMEOUT two-min : NUTLOG msg STARTTIMER final-delay 5\n"
	"WHEN UPS-1 REPORTS OB->OL : NUTLOG msg CANCELTIMER two-min CANCELTIMER one-min\n"
	"                            CANCELTIMER final-delay\n"
	"WHEN UPS-1 REPORTS None->LB : NUTLOG msg SETFSD UPS-1 STARTTIMER final-delay 5\n"
	"WHEN UPS-1 TIMEOUT final-delay : SHUTDOWNCMD \"/sbin/shutdown -h +0\"\n"
	"WHEN UPS-1 REPORTS COMM->NOCOMM : NUTLOG msg IF OL->OB STARTTIMER final-delay 5\n"
	"WHEN UPS-1 REPORTS NOCOMM->COMM : NUTLOG msg\n"
	"WHEN UPS-1 REPORTS None->RB : PRINT msg EMAIL FROM \"<ups@example.com>\" TO \"root@example.com\"\n"
	"                              SUBJECT \"%(u)s: battery\" MESSAGE msg\n"
	"WHEN UPS-A REPORTS OL->OB : NUTLOG msg\n"
	"WHEN UPS-A REPORTS None->LB : SETFSD UPS-A STARTTIMER final-delay 5\n"
	"WHEN UPS-B REPORTS None->LB : SETFSD UPS-B STARTTIMER final-delay 5\n"
	"WHEN psu-a REPORTS OL->OB : NUTLOG msg\n"
	"WHEN psu-a REPORTS None->LS : NUTLOG msg STARTTIMER ls-delay 30\n"
	"WHEN psu-a REPORTS LS->None : CANCELTIMER ls-delay\n"
	"WHEN psu-a TIMEOUT ls-delay : SHUTDOWNCMD \"/sbin/shutdown -h +0\"\n"
	"WHEN ups1 REPORTS OL->OB : NUTLOG msg STARTTIMER tick 30\n"
	"WHEN ups1 TIMEOUT tick : NUTLOG msg STARTTIMER tock 30\n"
	"WHEN ups1 TIMEOUT tock : NUTLOG msg STARTTIMER tick 30\n"
	"WHEN ups1 REPORTS OB->OL : CANCELTIMER tick CANCELTIMER tock\n"
	"WHEN heartbeat REPORTS None->TICK : CANCELTIMER local-tock STARTTIMER local-tick 660\n"
	"WHEN heartbeat REPORTS None->TOCK : CANCELTIMER local-tick STARTTIMER local-tock 660\n"
	"WHEN heartbeat TIMEOUT local-tick : STARTTIMER local-tock 0.5\n"
	"WHEN heartbeat TIMEOUT local-tock : NUTLOG msg\n"
	"GROUP HB-REMOTE HOST 192.0.2.20 PORT 3493 CERTFILE \"/etc/nut/c.pem\"\n"
	"MONITOR heartbeat POWERVAL 0 UPSDUSER mon PASSWORD \"pw\" TYPE observer\n"
	"MONITOR nas-ups POWERVAL 1 UPSDUSER mon PASSWORD \"pw\" TYPE secondary\n"
	"MINSUPPLIES 1\n"
	"WHEN nas-ups REPORTS OL->OB : NUTLOG msg\n"
	"WHEN nas-ups REPORTS None->FSD : NUTLOG msg STARTTIMER storage-final-delay 5\n"
	"WHEN nas-ups REPORTS COMM->NOCOMM : NUTLOG msg\n"
	"WHEN nas-ups TIMEOUT storage-final-delay : SHUTDOWNCMD \"/sbin/shutdown -h +0\"\n"
	"WHEN heartbeat REPORTS None->TICK : CANCELTIMER remote-tock STARTTIMER remote-tick 660\n"
	"WHEN heartbeat REPORTS None->TOCK : CANCELTIMER remote-tick STARTTIMER remote-tock 660\n"
	"WHEN heartbeat TIMEOUT remote-tock : NUTLOG msg\n";

static void fuzz_init(void)
{
	struct src_registry reg;
	struct diag_queue dq;
	struct sema_options so = { .hostname = "fuzzhost" };
	struct plan_image img;
	const struct src_file *f;
	char err[512];

	devnull = fopen("/dev/null", "w");
	/* the simulator's trace goes to stdout */
	if (!devnull || !freopen("/dev/null", "w", stdout))
		abort();
	src_init(&reg);
	f = src_add_text(&reg, FUZZ_PLAN, fuzz_plan, sizeof(fuzz_plan) - 1);
	diag_init(&dq, &reg);
	if (!f || compile_plan(&reg, f, &dq, &so, &img, err, sizeof(err)) != 0) {
		diag_render_gnu(&dq, stderr, 0);
		fprintf(stderr, "fuzz-scenario: the fixed plan does not compile %s\n", err);
		abort();
	}
	img_encode(&img, &plan_bytes, &plan_len);
	img_free(&img);
	diag_free(&dq);
	src_free(&reg);
}

/* Cut the input into the scenario and its "--- NAME" files. */
static void split_input(const char *p, size_t size)
{
	const char *end = p + size, *line = p;

	nfiles = 1;
	files[0] = (struct fuzz_file){ FUZZ_SCN, strlen(FUZZ_SCN), p, size };
	while (line < end) {
		const char *nl = memchr(line, '\n', (size_t)(end - line));
		const char *next = nl ? nl + 1 : end;

		if (end - line >= 4 && memcmp(line, "--- ", 4) == 0 && nfiles < FUZZ_MAX_FILES) {
			struct fuzz_file *prev = &files[nfiles - 1];
			struct fuzz_file *nf = &files[nfiles++];

			/* the file before ends with the line feed before this line */
			prev->len = (size_t)(line - prev->text);
			nf->name = line + 4;
			nf->name_len = (size_t)((nl ? nl : end) - nf->name);
			nf->text = next;
			nf->len = (size_t)(end - next);
		}
		line = next;
	}
}

static void fail(const char *what, size_t i, const struct scenario *sc)
{
	const struct scn_step *s = &sc->steps[i];

	fprintf(stderr, "fuzz-scenario: step %zu of %zu: %s (time %g, kind %d, target %u, order %u)\n",
		i, sc->n, what, s->time, (int)s->kind, s->target, s->order);
	abort();
}

static void check_scenario(const struct scenario *sc, const struct plan_image *img)
{
	if (sc->nupsd > img->ups.n || (img->ups.n && sc->nupsd == 0))
		abort();
	for (uint32_t u = 0; u < img->ups.n; u++)
		if (sc->ups_upsd[u] >= sc->nupsd)
			abort();
	if (sc->has_end && !(sc->end >= 0 && isfinite(sc->end)))
		abort();
	for (size_t i = 0; i < sc->n; i++) {
		const struct scn_step *s = &sc->steps[i];

		if (!isfinite(s->time) || s->time < 0)
			fail("time not finite, or negative", i, sc);
		switch (s->kind) {
		case SCN_SET:
			if (!s->var || !s->value || !*s->var)
				fail("SET without its variable or value", i, sc);
			/* fall through */
		case SCN_LOSE:
		case SCN_RESTORE:
			if (s->target >= img->ups.n)
				fail("UPS out of range", i, sc);
			break;
		case SCN_LOSE_UPSD:
		case SCN_RESTORE_UPSD:
		case SCN_RESTART_UPSD:
			if (s->target >= sc->nupsd)
				fail("upsd out of range", i, sc);
			break;
		default:
			fail("unknown kind", i, sc);
		}
		if (i > 0) {
			const struct scn_step *p = &sc->steps[i - 1];

			if (p->time > s->time || (p->time == s->time && p->order >= s->order))
				fail("steps out of order", i, sc);
		}
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct src_registry reg;
	struct diag_queue dq;
	struct plan_image img;
	struct scenario sc;
	const struct src_file *f;
	char err[512];
	int rc;

	if (!plan_bytes)
		fuzz_init();
	split_input((const char *)data, size);

	fuzz_plan_file_load(FUZZ_PLAN, NULL, &img);
	src_init(&reg);
	f = fuzz_src_load(&reg, FUZZ_SCN, err, sizeof(err));
	if (!f)
		abort();
	diag_init(&dq, &reg);
	rc = scn_parse(&sc, &img, &reg, f, &dq);
	check_scenario(&sc, &img);
	diag_render_gnu(&dq, devnull, 0);
	diag_render_json(&dq, devnull);
	fflush(devnull);
	diag_free(&dq);
	scn_free(&sc);
	src_free(&reg);
	img_free(&img);

	if (rc == 0) {
		char a0[] = "simulate", a1[] = "--hostname=fuzzhost", a2[] = "--keep-going", a3[] = "--until=20m",
		     a4[] = FUZZ_PLAN, a5[] = FUZZ_SCN;
		char *argv[] = { a0, a1, a2, a3, a4, a5, NULL };

		cmd_simulate(6, argv);
		fflush(stdout);
	}
	return 0;
}
