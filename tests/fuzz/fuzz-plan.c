/* SPDX-License-Identifier: GPL-2.0-or-later */
/* fuzz-plan.c - libFuzzer target: parse, check, print, compile and verify one input plan, render its diagnostics. */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/diag.h"
#include "engine/compile.h"
#include "engine/sema.h"
#include "grammar/parse.h"
#include "grammar/print.h"

static FILE *devnull;

#ifdef FUZZ_ROUNDTRIP
/*
 * Optional oracle (build-fuzz.sh --roundtrip): the printed plan must parse
 * without a syntax error and print the same text again (print.h's promise).
 */
static void roundtrip(const char *printed, size_t len)
{
	struct src_registry reg;
	struct diag_queue dq;
	struct ast_plan plan = { 0 };
	const struct src_file *f;
	char *again = NULL;
	size_t alen = 0;
	FILE *mem;
	int nsyntax;

	src_init(&reg);
	diag_init(&dq, &reg);
	f = src_add_text(&reg, "printed.conf", printed, len);
	if (!f)
		abort();
	nsyntax = parse_file(&reg, f, &plan, &dq);
	if (nsyntax) {
		fprintf(stderr, "roundtrip: printed plan has %d syntax errors:\n%.*s\n",
			nsyntax, (int)len, printed);
		diag_render_gnu(&dq, stderr, 0);
		abort();
	}
	mem = open_memstream(&again, &alen);
	print_plan(&reg, &plan, mem);
	fclose(mem);
	if (alen != len || memcmp(again, printed, len) != 0) {
		fprintf(stderr, "roundtrip: printing the printed plan differs:\n--- first\n%.*s\n--- second\n%.*s\n",
			(int)len, printed, (int)alen, again);
		abort();
	}
	free(again);
	diag_free(&dq);
	ast_plan_free(&plan);
	src_free(&reg);
}
#endif

/*
 * Oracle: a plan the checker accepts compiles into an image that the
 * verifier accepts (compile_plan's status 2 is a compiler bug).
 */
static void compile_oracle(const uint8_t *data, size_t size)
{
	struct src_registry reg;
	struct diag_queue dq;
	struct sema_options o = { 0 };
	struct plan_image img = { 0 };
	const struct src_file *f;
	char err[256] = "";

	src_init(&reg);
	diag_init(&dq, &reg);
	dq.max_errors = 100;
	o.hostname = "fuzz";
	f = src_add_text(&reg, "fuzz.conf", (const char *)data, size);
	if (f && compile_plan(&reg, f, &dq, &o, &img, err, sizeof(err)) == 2) {
		fprintf(stderr, "compile oracle: the generated image fails verification: %s\n", err);
		abort();
	}
	img_free(&img);
	diag_free(&dq);
	src_free(&reg);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct src_registry reg;
	struct diag_queue dq;
	struct ast_plan plan = { 0 };
	struct sema_options o = { 0 };
	struct sema_result res;
	const struct src_file *f;
	int nsyntax;

	if (!devnull) {
		devnull = fopen("/dev/null", "w");
		if (!devnull)
			abort();
	}
	src_init(&reg);
	f = src_add_text(&reg, "fuzz.conf", (const char *)data, size);
	if (!f) {
		src_free(&reg);
		return 0;
	}
	diag_init(&dq, &reg);
	dq.max_errors = 100;	/* as `upsplan check` */
	nsyntax = parse_file(&reg, f, &plan, &dq);
	if (nsyntax == 0) {
		memset(&res, 0, sizeof(res));
		sema_check(&reg, f, &plan, &dq, &o, &res);
#ifdef FUZZ_ROUNDTRIP
		{
			char *printed = NULL;
			size_t plen = 0;
			FILE *mem = open_memstream(&printed, &plen);

			print_plan(&reg, &plan, mem);
			fclose(mem);
			roundtrip(printed, plen);
			free(printed);
		}
#else
		print_plan(&reg, &plan, devnull);
#endif
	}
	diag_render_gnu(&dq, devnull, 0);
	diag_render_json(&dq, devnull);
	fflush(devnull);
	diag_free(&dq);
	ast_plan_free(&plan);
	src_free(&reg);
	if (nsyntax == 0)
		compile_oracle(data, size);
	return 0;
}
