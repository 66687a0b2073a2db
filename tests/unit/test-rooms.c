/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test-rooms.c - the rooms of runtime/ link and work without the command-line program: the simulator's library runs a plan, the daemon's library links. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/source.h"
#include "runtime/common/exit-codes.h"
#include "runtime/daemon/daemon.h"
#include "runtime/daemon/privsep.h"
#include "runtime/sim/scenario.h"
#include "runtime/sim/sim.h"
#include "tap.h"
#include "plan-helper.h"

static const char plan_text[] =
	"GROUP G HOST localhost PORT 3493 CERTFILE \"/etc/nut/c.pem\"\n"
	"MONITOR UPS-1 POWERVAL 1 UPSDUSER mon PASSWORD \"pw\" TYPE primary\n"
	"MINSUPPLIES 1\n"
	"WHEN UPS-1 REPORTS OL->OB : NUTLOG \"on battery\" STARTTIMER final 30\n"
	"WHEN UPS-1 TIMEOUT final : SHUTDOWNCMD \"/sbin/shutdown -h +0\"\n";

static const char scn_text[] =
	"at 0 set UPS-1 ups.status OL\n"
	"at 10 set UPS-1 ups.status OB\n"
	"at 2m end\n";

/* The trace of PLAN against SCN, simulated by the library alone, into BUF. */
static int simulate(char *buf, size_t len)
{
	struct plan_image img;
	struct scenario sc;
	struct src_registry reg;
	struct diag_queue dq;
	const struct src_file *f;
	struct sim_opts o = { .hostname = "testhost", .banner = "nut@testhost" };
	FILE *out = fmemopen(buf, len, "w");
	int rc;

	compile_text(plan_text, &img);
	src_init(&reg);
	f = src_add_text(&reg, "t.scn", scn_text, strlen(scn_text));
	diag_init(&dq, &reg);
	rc = scn_parse(&sc, &img, &reg, f, &dq);
	diag_render_gnu(&dq, stdout, 0);
	diag_free(&dq);
	if (rc == 0 && out) {
		rc = sim_simulate(&img, &sc, &o, out);
		scn_free(&sc);
	}
	if (out)
		fclose(out);
	src_free(&reg);
	img_free(&img);
	return rc;
}

int main(void)
{
	char trace[8192] = "";
	/* the daemon's entry points, from libdaemon.a and what is below it */
	int (*run)(struct plan_image *, const struct dm_options *) = dm_run;
	int (*root)(struct plan_image *, const struct dm_options *, const struct ps_parent_cfg *) = ps_run;

	/* the check is the link itself: this program is built from libdaemon.a and the rooms below it only */
	ok(run != NULL && root != NULL, "linked: libdaemon.a needs none of the program's sources (dm_run, ps_run)");
	is_int(simulate(trace, sizeof(trace)), EXIT_CLEAN, "sim_simulate() runs a plan without the CLI");
	ok(strstr(trace, "OL->OB") != NULL, "the trace has the edge OL->OB");
	ok(strstr(trace, "SHUTDOWNCMD") != NULL, "the trace has the SHUTDOWNCMD after the timer");
	if (tap_failed)
		printf("# trace:\n%s", trace);
	return done_testing();
}
