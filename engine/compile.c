/* SPDX-License-Identifier: GPL-2.0-or-later */
/* compile.c - source to verified plan image: the one path every host uses to compile a plan. */
#include "config.h"

#include <string.h>

#include "engine/compile.h"
#include "grammar/parse.h"

int compile_plan(struct src_registry *reg, const struct src_file *file, struct diag_queue *dq,
		 const struct sema_options *opt, struct plan_image *img, char *err, size_t errlen)
{
	struct ast_plan plan = { 0 };
	struct sema_options o = *opt;
	struct sema_result res;

	memset(img, 0, sizeof(*img));
	o.image = img;
	if (parse_file(reg, file, &plan, dq) == 0)
		sema_check(reg, file, &plan, dq, &o, &res);
	ast_plan_free(&plan);
	if (diag_failed(dq)) {
		img_free(img);
		return 1;
	}
	if (img_verify(img, err, errlen) != 0) {
		/* a compiler bug: never run what the verifier rejects */
		img_free(img);
		return 2;
	}
	return 0;
}
