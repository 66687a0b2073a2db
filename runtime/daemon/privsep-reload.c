/* SPDX-License-Identifier: GPL-2.0-or-later */
/* privsep-reload.c - the root parent's reloads: SIGHUP and the child's PS_RELOAD compile the plan, PS_IMAGE sends it, PS_ACK takes it up. */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <syslog.h>

#include "base/xalloc.h"
#include "runtime/common/monotonic.h"
#include "runtime/daemon/log.h"
#include "runtime/daemon/privsep.h"
#include "runtime/daemon/privsep-int.h"

#define PS_RELOAD_EVERY 2.0	/* seconds between two reloads the child may ask for (PS_RELOAD) */

void ps_drop_pending(struct ps_parent *p)
{
	if (!p->have_pending)
		return;
	ps_plan_free(p->pending);
	memset(p->pending, 0, sizeof(*p->pending));
	p->have_pending = 0;
}

void ps_on_ack(struct ps_parent *p, const struct ps_frame *f)
{
	struct ps_ack ack;

	memcpy(&ack, f->payload, sizeof(ack));
	if (!p->have_pending || ack.gen != p->pending->gen) {
		log_msg(LOG_ERR, "the monitoring process took up plan %u, which was not sent: ignored", ack.gen);
		return;
	}
	if (ack.ok) {
		struct ps_plan *old = p->plan;
		ps_plan_free(old);
		memset(old, 0, sizeof(*old));
		p->plan = p->pending;
		p->pending = old;
		p->have_pending = 0;
	} else {
		log_msg(LOG_ERR, "the monitoring process cannot use the new plan: the running plan is kept");
		ps_drop_pending(p);
	}
	if (p->hup_queued && p->child.pid > 0) {	/* an edit made while this plan was on its way */
		p->hup_queued = 0;
		ps_reload(p);
	}
}

/*
 * SIGHUP: compile the plan again and send it to the child; it is taken up
 * when the child says so (PS_ACK).  NULL, or why nothing was sent (logged).
 */
const char *ps_reload(struct ps_parent *p)
{
	struct plan_image ni;
	unsigned char *buf, *frame;
	size_t len;
	uint32_t gen = p->plan->gen + 1;

	if (p->have_pending || p->child.pid <= 0 || p->fd < 0) {
		log_msg(LOG_NOTICE, "SIGHUP: %s: the plan is compiled again after that",
			p->have_pending ? "the monitoring process has not yet taken up the last plan" :
					  "no monitoring process runs now");
		p->hup_queued = 1;
		return NULL;
	}
	log_msg(LOG_NOTICE, "SIGHUP: compiling %s again", p->cfg->plan);
	switch (ps_compile(p->cfg->plan, &p->cfg->po, &ni)) {	/* logged */
	case 0:
		break;
	case 1:
		return "the plan has errors: the running plan is kept (the log has its diagnostics)";
	default:
		return "the plan cannot be read: the running plan is kept (the log says why)";
	}
	img_encode(&ni, &buf, &len);
	if (len > PS_IMAGE_MAX - sizeof(gen)) {
		log_msg(LOG_ERR, "%s: its image of %zu bytes is too large to pass on: the running plan is kept", p->cfg->plan,
			len);
		free(buf);
		img_free(&ni);
		return "its image is too large to pass on: the running plan is kept";
	}
	frame = xrealloc(NULL, len + sizeof(gen));
	memcpy(frame, &gen, sizeof(gen));
	memcpy(frame + sizeof(gen), buf, len);
	free(buf);
	/* the child says whether it could use it (PS_ACK): until then, both keep the old one */
	if (ps_send(p, PS_IMAGE, frame, len + sizeof(gen)) != 0) {
		log_msg(LOG_ERR, "cannot pass the new plan on: the running plan is kept");
		img_free(&ni);
		free(frame);
		return "cannot pass the new plan on: the running plan is kept";
	} else {
		p->pending->gen = gen;
		p->pending->img = ni;
		ps_plan_init(p->pending, p->cfg);
		p->have_pending = 1;
	}
	free(frame);
	return NULL;
}

/* The child asks for a reload (upsplan ctl reload): as SIGHUP, at most one per PS_RELOAD_EVERY; a refusal is sent back. */
void ps_on_reload(struct ps_parent *p, const struct ps_frame *f)
{
	double now = rt_monotonic();
	const char *why = "asked again within 2 s of the last reload: not done";

	(void)f;
	if (p->reload_at > 0 && now - p->reload_at < PS_RELOAD_EVERY) {
		if (++p->reload_refused == 1)	/* a flood of them (a compromised child) is not a flood of lines */
			log_msg(LOG_WARNING, "the monitoring process asks for a reload %s", why);
	} else {
		p->reload_at = now;
		p->reload_refused = 0;
		log_msg(LOG_NOTICE, "the monitoring process asks for a reload (upsplan ctl reload)");
		why = ps_reload(p);
	}
	if (why)
		ps_send(p, PS_REFUSED, why, strlen(why));
}
