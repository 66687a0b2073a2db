/* SPDX-License-Identifier: GPL-2.0-or-later */
/* plan-file.h - a plan from disk: a source compiled on the spot, or a saved image; saving images. */
#ifndef UPSPLAN_PLAN_FILE_H
#define UPSPLAN_PLAN_FILE_H

#include <stdio.h>

#include "base/diag.h"
#include "engine/image.h"

struct plan_file_opts {
	const char *hostname;	/* the built-in message hostname; NULL: this machine */
	int color;		/* diagnostics in color */
	int no_source;		/* diagnostics without source excerpts (they may show a PASSWORD) */
	FILE *diag;		/* where diagnostics and errors go; NULL: stderr */
	int strict_modes;	/* refuse a plan others can change (E110; upsplan run) */
	int werror;		/* a warning of the plan source counts as an error */
	int refuse_hazards;	/* a hazard (a warning that changes what happens in an outage) counts as an error */
	const unsigned char *disabled;	/* DIAG_NCODES flags: warnings not reported (-Wno-CODE); NULL: none */
};

/*
 * Load PATH into IMG: a plan image (recognised by its magic number) is
 * read and verified; anything else is compiled as a plan source, with its
 * diagnostics on O->diag (stderr).  Returns 0, 1 (the plan has errors, or
 * warnings with O->werror, or hazards with O->refuse_hazards) or 2 (cannot read, or an invalid image: the
 * reason is on stderr).
 */
int plan_file_load(const char *path, const struct plan_file_opts *o, struct plan_image *img);

/*
 * E110 unless the plan F (read, with status ST) can be changed by root and
 * the user running upsplan only: the file must belong to one of them and
 * be writable by neither its group nor others, and so must each directory
 * of its real path up to /, except that a sticky directory (/tmp) may be
 * writable by all.  Returns 0, or -1 with the diagnostic queued in DQ.
 */
int plan_file_modes(const struct src_file *f, const struct stat *st, struct diag_queue *dq);

/*
 * Set REG up for INCLUDE with INC (which must outlive REG's use): rule
 * files from the installed directory, else compiled in; with STRICT_MODES,
 * each included file must pass plan_file_modes (E110) as the plan does.
 */
void plan_file_includes(struct src_registry *reg, struct src_include *inc, int strict_modes);

/*
 * Write IMG to PATH with mode 0600 (it holds the upsd and SMTP passwords):
 * through a temporary file renamed into place, so a reader never sees half
 * an image.  Returns 0, or -1 with a message in ERR.
 */
int plan_file_save(const char *path, const struct plan_image *img, char *err, size_t errlen);

#endif
