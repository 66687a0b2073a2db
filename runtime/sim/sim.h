/* SPDX-License-Identifier: GPL-2.0-or-later */
/* sim.h - the simulator: a compiled plan against a parsed scenario on a virtual clock, traced, nothing executed. */
#ifndef UPSPLAN_SIM_H
#define UPSPLAN_SIM_H

#include <stddef.h>
#include <stdio.h>

#include "engine/image.h"
#include "runtime/sim/scenario.h"

/* How to run a simulation. */
struct sim_opts {
	const char *hostname;	/* %(h)s and the message hostname */
	const char *banner;	/* %(b)s: user@host */
	int json;		/* JSON Lines instead of aligned text */
	int keep_going;		/* go on after a SHUTDOWNCMD */
	int has_until;		/* stop at UNTIL (virtual seconds) */
	double until;
	const char *expect;	/* NULL, or the trace file to compare with */
	size_t expect_size;	/* its size: bounds what is kept of the trace */
};

/*
 * Run IMG against SC as O says, the trace to OUT (with O->expect: kept,
 * and its difference from that file to stderr).  Returns the exit
 * status: EXIT_CLEAN, EXIT_ERRORS (a different trace, or the simulation
 * stopped at its work limit), EXIT_USAGE (out of memory, an unreadable
 * expect file).
 */
int sim_simulate(const struct plan_image *img, struct scenario *sc, const struct sim_opts *o, FILE *out);

#endif
