/* SPDX-License-Identifier: GPL-2.0-or-later */
/* privsep-int.h - what the files of the root parent share and nobody else uses. */
#ifndef UPSPLAN_PRIVSEP_INT_H
#define UPSPLAN_PRIVSEP_INT_H

#include <stdint.h>

#include "engine/image.h"
#include "engine/timers.h"
#include "engine/vm.h"
#include "runtime/daemon/privsep.h"

/*
 * NUT's POWERDOWNFLAG at PATH (NULL: none), written into a new file
 * (O_EXCL, beside PATH) renamed onto PATH: whatever is at PATH (a link
 * planted there, another user's file) is replaced, never written through.
 */
void ps_write_powerdownflag(const char *path);

/* The parent's plan: an image, and a VM that only ever renders SHUTDOWNCMDs (privsep-plan.c). */
struct ps_plan {
	uint32_t gen;		/* 0 the first plan, then one more per reload */
	struct plan_image img;
	struct tmr_heap timers;
	uint32_t *tables;
	struct vm *vm;
	char charge[32];
};

/* The VM of P, whose img is set, with CFG's %(h)s and %(b)s. */
void ps_plan_init(struct ps_plan *p, const struct ps_parent_cfg *cfg);

/* Free what P holds, its image too. */
void ps_plan_free(struct ps_plan *p);

/*
 * Render the SHUTDOWNCMD that RQ (checked by ps_frame_take()) asks for
 * from plan P: 0 with its words in *ARGV (NULL-terminated, allocated), or
 * -1 with the refusal logged and its reason in *WHY (valid until the next
 * use of P).
 */
int ps_plan_render(struct ps_plan *p, const struct ps_shutdown *rq, char ***argv, const char **why);

#endif
