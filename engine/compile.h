/* SPDX-License-Identifier: GPL-2.0-or-later */
/* compile.h - source to verified plan image in one call: parse, check, generate, verify. */
#ifndef UPSPLAN_COMPILE_H
#define UPSPLAN_COMPILE_H

#include "base/diag.h"
#include "engine/image.h"
#include "engine/sema.h"

/*
 * Compile FILE (loaded in REG) into IMG (left empty on failure), queueing
 * every diagnostic in DQ; OPT->image is ignored (IMG is used).  The image
 * is verified before it is returned.  Returns 0 on success, 1 when the
 * plan has errors (or warnings with DQ->werror), 2 when the generated
 * image fails verification (a compiler bug; the reason is in ERR).
 */
int compile_plan(struct src_registry *reg, const struct src_file *file, struct diag_queue *dq,
		 const struct sema_options *opt, struct plan_image *img, char *err, size_t errlen);

#endif
