/* SPDX-License-Identifier: GPL-2.0-or-later */
/* plan-helper.h - unit test helpers: compile a plan text into a verified image; build tiny images by hand. */
#ifndef UPSPLAN_PLAN_HELPER_H
#define UPSPLAN_PLAN_HELPER_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/compile.h"
#include "engine/events.h"
#include "base/source.h"

/* Compile TEXT (file name "t.conf", hostname "testhost") into IMG; aborts the test program on errors. */
static inline void compile_text(const char *text, struct plan_image *img)
{
	struct src_registry reg;
	struct diag_queue dq;
	struct sema_options o = { .hostname = "testhost" };
	const struct src_file *f;
	char err[256];

	src_init(&reg);
	f = src_add_text(&reg, "t.conf", text, strlen(text));
	diag_init(&dq, &reg);
	if (compile_plan(&reg, f, &dq, &o, img, err, sizeof(err)) != 0) {
		diag_render_gnu(&dq, stdout, 0);
		printf("Bail out! test plan does not compile: %s\n", err);
		exit(1);
	}
	diag_free(&dq);
	src_free(&reg);
}

/* Index of UPS NAME in IMG, or IMG_NONE. */
static inline uint32_t ups_index(const struct plan_image *img, const char *name)
{
	for (uint32_t i = 0; i < img->ups.n; i++)
		if (strcmp(img_bytes(img, img->ups.v[i].name), name) == 0)
			return i;
	return IMG_NONE;
}

/* Index of timer NAME in IMG, or IMG_NONE. */
static inline uint32_t timer_index(const struct plan_image *img, const char *name)
{
	for (uint32_t i = 0; i < img->timers.n; i++)
		if (strcmp(img_bytes(img, img->timers.v[i]), name) == 0)
			return i;
	return IMG_NONE;
}

/* Event pair index of its text ("OL->OB"); aborts when unknown. */
static inline uint32_t pair_index(const char *name)
{
	for (uint32_t p = 0; p < EV_NPAIRS; p++)
		if (strcmp(ev_pair_name(p), name) == 0)
			return p;
	printf("Bail out! no event pair %s\n", name);
	exit(1);
}

/*
 * A hand-made image: group G (localhost:3493), UPS U, timer T, templates
 * 0 "hello %(u)s" and 1 "/bin/true 'x'", constant 1.5 s, and CODE (N
 * words) as the handler of U for pair 0 (None->ALARM), with one pc map
 * entry at 0.  Tests then break one thing at a time.
 */
static inline void tiny_image(struct plan_image *img, const uint32_t *code, uint32_t n)
{
	struct img_group *g;
	struct img_ups *u;
	struct img_str *s;
	struct img_loc *l;
	double *c;

	memset(img, 0, sizeof(*img));
	img->settings.pollfreq = img->settings.pollfreqalert = 5;
	img->settings.smtp_server = img->settings.smtp_user = img->settings.smtp_password =
		img_add_str(img, "", 0);
	IMG_PUSH(img->groups, g);
	g->name = img_add_str(img, "G", 1);
	g->host = img_add_str(img, "localhost", 9);
	g->port = 3493;
	g->certfile = img_add_str(img, "/c.pem", 6);
	IMG_PUSH(img->ups, u);
	u->name = img_add_str(img, "U", 1);
	u->host = g->host;
	u->port = 3493;
	u->user = img_add_str(img, "mon", 3);
	u->password = img_add_str(img, "pw", 2);
	u->lb[0] = 50;
	IMG_PUSH(img->timers, s);
	*s = img_add_str(img, "T", 1);
	IMG_PUSH(img->marks, s);
	*s = img_add_str(img, "M", 1);
	IMG_PUSH(img->files, s);
	*s = img_add_str(img, "tiny.conf", 9);
	img_add_tpl(img, "hello %(u)s", 11);
	img_add_tpl(img, "/bin/true 'x'", 13);
	IMG_PUSH(img->consts, c);
	*c = 1.5;
	for (uint32_t i = 0; i < n; i++) {
		uint32_t *w;
		IMG_PUSH(img->code, w);
		*w = code[i];
	}
	img_grow((void **)&img->handlers.v, &img->handlers.cap, sizeof(uint32_t), EV_NPAIRS);
	img->handlers.n = EV_NPAIRS;
	for (uint32_t i = 0; i < EV_NPAIRS; i++)
		img->handlers.v[i] = IMG_NONE;
	img->handlers.v[0] = 0;
	IMG_PUSH(img->pcmap, l);
	l->line = 7;
	l->col = 3;
}

#endif
