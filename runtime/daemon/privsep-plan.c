/* SPDX-License-Identifier: GPL-2.0-or-later */
/* privsep-plan.c - the root parent's own copy of the plan: SHUTDOWNCMDs rendered from it, never taken from the child. */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <syslog.h>

#include "base/xalloc.h"
#include "runtime/daemon/log.h"
#include "runtime/daemon/privsep.h"
#include "runtime/daemon/privsep-int.h"

static const char *ps_getvar(void *ctx, uint32_t ups, const char *name)
{
	struct ps_plan *p = ctx;

	(void)ups;
	return strcmp(name, "battery.charge") == 0 && p->charge[0] ? p->charge : NULL;
}

void ps_plan_init(struct ps_plan *p, const struct ps_parent_cfg *cfg)
{
	struct vm_host h = { p, ps_getvar, NULL, NULL };

	tmr_init(&p->timers, p->img.timers.n);
	p->tables = xcalloc((size_t)p->img.ups.n + 1, sizeof(uint32_t));
	p->vm = vm_new(&p->img, &h, p->tables, &p->timers, cfg->hostname, cfg->banner);
}

void ps_plan_free(struct ps_plan *p)
{
	vm_free(p->vm);
	free(p->tables);
	tmr_free(&p->timers);
	img_free(&p->img);
}

int ps_plan_render(struct ps_plan *p, const struct ps_shutdown *rq, char ***argv, const char **why)
{
	struct vm_event ev = { rq->ups, rq->pair, rq->timer, 0 };
	const struct vm_effect *e;

	if (rq->gen != p->gen) {
		log_msg(LOG_ERR, "the monitoring process asked for a SHUTDOWNCMD of plan %u, this process has plan %u: refused",
			rq->gen, p->gen);
		*why = "the plans of the two processes differ";
		return -1;
	}
	memcpy(p->charge, rq->charge, sizeof(p->charge));	/* NUL-terminated: ps_frame_take checked */
	if (vm_render_shutdown(p->vm, rq->pc, &ev) != 1) {
		log_msg(LOG_ERR, "the monitoring process asked for code offset %u, which is not a SHUTDOWNCMD of the plan: refused",
			rq->pc);
		*why = "not a SHUTDOWNCMD of the plan";
		return -1;
	}
	e = vm_effects(p->vm);
	if (e->kind != OP_SHUTDOWNCMD || e->argc == 0) {
		log_msg(LOG_ERR, "SHUTDOWNCMD at offset %u: %s", rq->pc, e->text);
		*why = e->text;
		return -1;
	}
	if (e->argv[0][0] != '/') {
		log_msg(LOG_ERR, "SHUTDOWNCMD %s: the command must be an absolute path (it runs as root, without PATH search)",
			e->argv[0]);
		*why = "not an absolute path";
		return -1;
	}
	*argv = xcalloc((size_t)e->argc + 1, sizeof(char *));
	for (uint32_t i = 0; i < e->argc; i++)
		(*argv)[i] = xstrdup(e->argv[i]);
	return 0;
}
