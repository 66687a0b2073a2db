/* SPDX-License-Identifier: GPL-2.0-or-later */
/* dm-plan.c - what the monitoring loop builds from a plan image: its engine, TLS contexts, upsd connections and poll connections, and their end. */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <syslog.h>
#include <time.h>

#include <openssl/ssl.h>

#include "engine/engine.h"
#include "base/xalloc.h"
#include "runtime/daemon/daemon-int.h"
#include "runtime/daemon/log.h"
#include "runtime/daemon/statefile.h"
#include "runtime/daemon/tls.h"
#include "runtime/daemon/upsd-conn.h"

const char *dm_label(const struct plan_image *img, uint32_t u, char *buf, size_t len)
{
	const struct img_ups *iu = &img->ups.v[u];
	snprintf(buf, len, "%s@%s:%u", img_bytes(img, iu->name), img_bytes(img, iu->host), iu->port);
	return buf;
}

void dm_free_pollers(struct dm_plan *p)
{
	for (uint32_t g = 0; p->pollers && g < p->img.groups.n; g++) {
		uc_poller_free(p->pollers[g]);
		p->pollers[g] = NULL;
	}
}

void dm_plan_free(struct dm_plan *p)
{
	if (!p)
		return;
	dm_free_pollers(p);
	free(p->pollers);
	for (uint32_t u = 0; p->conns && u < p->img.ups.n; u++)
		uc_free(p->conns[u]);
	free(p->conns);
	free(p->charge_told);
	free(p->answer_at);
	for (uint32_t g = 0; p->ctx && g < p->img.groups.n; g++)
		SSL_CTX_free(p->ctx[g]);
	free(p->ctx);
	for (uint32_t g = 0; p->gates && g < p->img.groups.n; g++)
		uc_gate_free(p->gates[g]);
	free(p->gates);
	eng_free(&p->eng);
	img_free(&p->img);
	free(p);
}

static int dm_group_used(const struct plan_image *img, uint32_t g)
{
	for (uint32_t u = 0; u < img->ups.n; u++)
		if (img->ups.v[u].group == g)
			return 1;
	return 0;
}

uint32_t dm_upsd_count(const struct plan_image *img)
{
	uint32_t n = 0;

	for (uint32_t g = 0; g < img->groups.n; g++)
		n += (uint32_t)dm_group_used(img, g);
	return n;
}

void dm_pollers_new(struct daemon *d, struct dm_plan *p)
{
	uint32_t *poller_ups = xcalloc((size_t)p->img.groups.n + 1, sizeof(*poller_ups));	/* per group: the UPS whose upsd its poller reaches */

	for (uint32_t u = 0; u < p->img.ups.n; u++) {
		const struct img_ups *iu = &p->img.ups.v[u];
		const struct img_group *ig = &p->img.groups.v[iu->group];
		char label[300];

		if (!p->pollers[iu->group]) {
			struct uc_target t = {
				img_bytes(&p->img, iu->name), img_bytes(&p->img, iu->host), iu->port, ig->tls_mode == IMG_TLS_DIRECT,
				ig->tls_mode == IMG_TLS_NONE, img_bytes(&p->img, ig->certname), img_bytes(&p->img, iu->user),
				img_bytes(&p->img, iu->password), iu->powerval > 0, iu->type == IMG_PRIMARY, eng_reads_charge(&p->img),
				label, NULL, 0
			};
			snprintf(label, sizeof(label), "%s:%u", img_bytes(&p->img, iu->host), iu->port);
			p->pollers[iu->group] = uc_poller_new(d->base, d->dns, p->ctx[iu->group], p->gates[iu->group], &t);
			poller_ups[iu->group] = u;
		}
		/* the group's upsd: a UPS of another server polls on its own connection */
		if (p->pollers[iu->group] && p->img.ups.v[poller_ups[iu->group]].port == iu->port &&
		    strcmp(img_bytes(&p->img, p->img.ups.v[poller_ups[iu->group]].host), img_bytes(&p->img, iu->host)) == 0)
			uc_join(p->conns[u], p->pollers[iu->group]);
	}
	free(poller_ups);
}

struct dm_plan *dm_plan_new(struct daemon *d, struct plan_image *img, const struct eng_host *eh, const struct uc_host *uh)
{
	struct dm_plan *p = xcalloc(1, sizeof(*p));
	int bad = 0, charge;

	p->img = *img;
	memset(img, 0, sizeof(*img));
	eng_init(&p->eng, &p->img, eh, d->o->hostname, d->o->banner);
	p->ctx = xcalloc((size_t)p->img.groups.n + 1, sizeof(*p->ctx));
	p->conns = xcalloc((size_t)p->img.ups.n + 1, sizeof(*p->conns));
	p->charge_told = xcalloc((size_t)p->img.ups.n + 1, 1);
	p->answer_at = xcalloc((size_t)p->img.ups.n + 1, sizeof(*p->answer_at));
	p->loaded = time(NULL);
	p->sum = sf_checksum(&p->img);
	p->gates = xcalloc((size_t)p->img.groups.n + 1, sizeof(*p->gates));
	p->pollers = xcalloc((size_t)p->img.groups.n + 1, sizeof(*p->pollers));
	for (uint32_t g = 0; g < p->img.groups.n; g++) {
		const struct img_group *ig = &p->img.groups.v[g];
		char err[1200];
		if (!dm_group_used(&p->img, g))
			continue;
		p->gates[g] = uc_gate_new(UC_GATE_LIMIT);
		if (ig->tls_mode == IMG_TLS_NONE) {	/* plain text to loopback: no TLS context, no certificate */
			log_msg(LOG_NOTICE, "group %s: TLS NONE: upsd is reached in plain text, on loopback addresses only",
				img_bytes(&p->img, ig->name));
			continue;
		}
		p->ctx[g] = tls_ctx_new(img_bytes(&p->img, ig->certfile), img_bytes(&p->img, ig->clientcert),
					img_bytes(&p->img, ig->clientkey), err, sizeof(err));
		if (!p->ctx[g]) {
			log_msg(LOG_ERR, "group %s: %s", img_bytes(&p->img, ig->name), err);
			bad = 1;
		}
	}
	if (bad) {
		dm_plan_free(p);
		return NULL;
	}
	charge = eng_reads_charge(&p->img);
	log_debug(1, "battery.charge %s", charge ? "is polled: the plan reads it" : "is not polled: the plan does not read it");
	for (uint32_t u = 0; u < p->img.ups.n; u++) {
		const struct img_ups *iu = &p->img.ups.v[u];
		const struct img_group *ig = &p->img.groups.v[iu->group];
		char label[300];
		struct uc_target t = {
			img_bytes(&p->img, iu->name), img_bytes(&p->img, iu->host), iu->port, ig->tls_mode == IMG_TLS_DIRECT,
			ig->tls_mode == IMG_TLS_NONE, img_bytes(&p->img, ig->certname), img_bytes(&p->img, iu->user), img_bytes(&p->img, iu->password),
			iu->powerval > 0, iu->type == IMG_PRIMARY, charge, dm_label(&p->img, u, label, sizeof(label)), NULL, 0
		};
		/* the variables its conditions read, polled with its status (the names are the image's) */
		uint32_t nv;
		const struct img_uvar *uv = eng_ups_vars(&p->eng, u, &nv);
		const char **names = xcalloc(nv + 1, sizeof(*names));
		for (uint32_t k = 0; k < nv; k++)
			names[k] = img_bytes(&p->img, p->img.vars.v[uv[k].var]);
		t.vars = names;
		t.nvars = nv;
		p->conns[u] = uc_new(d->base, d->dns, p->ctx[iu->group], p->gates[iu->group], &t, u, uh);
		free(names);	/* copied by uc_new() */
	}
	if (!d->o->check_only)
		dm_pollers_new(d, p);
	return p;
}

void dm_connect_all(struct daemon *d)
{
	for (uint32_t u = 0; u < d->p->img.ups.n; u++)
		if (d->p->conns[u])
			uc_connect(d->p->conns[u]);
	for (uint32_t g = 0; g < d->p->img.groups.n; g++)	/* after them: the logins come first */
		if (d->p->pollers[g])
			uc_poller_connect(d->p->pollers[g]);
}
