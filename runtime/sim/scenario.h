/* SPDX-License-Identifier: GPL-2.0-or-later */
/* scenario.h - scripted outages for upsplan simulate: the scenario file format and its parser. */
#ifndef UPSPLAN_SCENARIO_H
#define UPSPLAN_SCENARIO_H

#include <stddef.h>
#include <stdint.h>

#include "base/diag.h"
#include "engine/image.h"
#include "base/source.h"

enum scn_kind {
	SCN_SET,		/* a NUT variable of a UPS gets a value */
	SCN_LOSE,		/* the connection to a UPS is lost */
	SCN_RESTORE,		/* ... and comes back */
	SCN_LOSE_UPSD,		/* every UPS of an upsd is unreachable */
	SCN_RESTORE_UPSD,
	SCN_RESTART_UPSD,	/* upsd restarts: a latched FSD is cleared */
	SCN_FSD,		/* the operator asks for a forced shutdown (upsplan fsd): timer fsd expires */
	SCN_ALERT,		/* the Alertmanager says an alert (var) fires (target 1) or is resolved (0) */
	SCN_END			/* the end of the scenario */
};

struct scn_step {
	double time;		/* virtual seconds */
	enum scn_kind kind;
	uint32_t target;	/* UPS index, or upsd index (SCN_*_UPSD) */
	char *var, *value;	/* SCN_SET (SCN_ALERT: var, its name), owned */
	uint32_t order;		/* file order, for a stable sort */
};

/* An upsd of the plan: the host and port its UPS are polled on. */
struct scn_upsd {
	const char *host;	/* in the image's strings */
	uint32_t host_len, port;
};

struct scenario {
	struct scn_step *steps;	/* sorted by time, file order kept */
	size_t n, cap;
	struct scn_upsd *upsd;
	uint32_t nupsd;
	uint32_t *ups_upsd;	/* per UPS: its upsd */
	double end;		/* valid when has_end */
	int has_end;
};

/*
 * Parse scenario FILE (loaded in REG) for the plan IMG; diagnostics go to
 * DQ (scenario codes E700-E704).  dummy-ups files it names are loaded into
 * REG too.  Returns 0 when the scenario has no error.
 */
int scn_parse(struct scenario *sc, const struct plan_image *img, struct src_registry *reg,
	      const struct src_file *file, struct diag_queue *dq);
void scn_free(struct scenario *sc);

/* Parse a duration ("90", "1.5", "2m", "1h30m", "45s"); 0 on success. */
int scn_duration(const char *s, size_t len, double *out);

#endif
