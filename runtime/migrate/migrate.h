/* SPDX-License-Identifier: GPL-2.0-or-later */
/* migrate.h - upsplan migrate: NUT's upsmon.conf (and upssched.conf) translated into a plan that behaves the same. */
#ifndef UPSPLAN_MIGRATE_H
#define UPSPLAN_MIGRATE_H

#include "base/buf.h"
#include "base/diag.h"
#include "base/source.h"

struct mg_options {
	unsigned nut_minor;		/* the upsmon the file was written for: 2.8.N -> N */
	const char *upssched;		/* --upssched FILE, or NULL: found when NOTIFYCMD runs upssched */
	const char *confpath;		/* $NUT_CONFPATH, or NULL: upssched.conf beside upsmon.conf */
	const char *ca_file;		/* --ca-file: the PEM file the plan's CERTFILE names, or NULL */
	const char *version;		/* upsplan's version, for the plan's header */
};

/*
 * Read the upsmon.conf at PATH (and its upssched.conf) as NUT 2.8 reads
 * them, queue every diagnostic about them in DQ (their texts are added to
 * REG, so the diagnostics point into them), and write the plan into PLAN.
 * PLAN->p is the plan's text; it holds the upsd passwords.  Returns 0,
 * or -1 when a file could not be read at all.  Errors of DQ mean the
 * plan must not be used.
 */
int mg_translate(struct src_registry *reg, struct diag_queue *dq, const char *path, const struct mg_options *o,
		 struct buf *plan);

/* "2.8.N" (or "2.8.N.x", "2.8") -> N into *MINOR; 0, or -1 for another version. */
int mg_nut_version(const char *s, unsigned *minor);

#endif
