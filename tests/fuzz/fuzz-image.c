/* SPDX-License-Identifier: GPL-2.0-or-later */
/* fuzz-image.c - libFuzzer target: decode and verify one plan image, then list and run everything the verifier accepts. */
#include "config.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/disasm.h"
#include "engine/events.h"
#include "engine/image.h"
#include "engine/timers.h"
#include "engine/vm.h"

/*
 * The input is decoded twice: with IMG_DECODE_NO_CHECKSUM, so that
 * mutations reach the verifier, and as upsplan loads a file (checksum
 * checked).  An image that img_verify() accepts must be safe to use: it is
 * listed (img_disasm), encoded again (the payload must come out byte for
 * byte), and a VM runs every REPORTS handler of every UPS, once with all
 * state tables clear and once with all set, then every timer's TIMEOUT
 * clauses; every byte of every effect is read, so that the sanitizers see
 * a bad pointer or length.  Broken promises of the API abort: an effect
 * kind or target out of range, a text without its NUL, argv without its
 * NULL, an "unknown opcode" fault.  Built with -DFUZZ_IMAGE_GROWS, a VM
 * buffer grown after vm_new() aborts too (vm.h: every buffer a run can
 * need is sized there).
 */

static uint64_t sink;

/* battery.charge as the host reports it: numbers, junk, or nothing. */
static const char *fuzz_getvar(void *ctx, uint32_t ups, const char *name)
{
	static const char *const vals[] = {
		"87.5", "100", "0", "abc", "-1", "1e300", " 42 ", "", "999999999999", "nan"
	};
	unsigned sel = *(const unsigned *)ctx;

	if (strcmp(name, "battery.charge") != 0)
		abort();
	if (sel % 11 == 10)
		return NULL;
	return vals[(sel + ups) % 10];
}

/* The variables conditions read: a number, a text, an empty value, a huge number, or unknown. */
static const struct vm_value *fuzz_value(void *ctx, uint32_t ups, uint32_t var)
{
	static const struct vm_value vals[] = {
		{ "240", 3, 240 }, { "Fan failure, OVERHEAT", 21, NAN }, { "", 0, NAN }, { "1e300", 5, 1e300 }
	};
	unsigned sel = *(const unsigned *)ctx;

	if ((sel + ups + var) % 5 == 4)
		return NULL;
	return &vals[(sel + ups + var) % 4];
}

static void fuzz_unknown(void *ctx, uint32_t ups, uint32_t var)
{
	sink += *(const unsigned *)ctx + ups + var;
}

static void touch_bytes(const char *s, size_t len, int nul)
{
	for (size_t i = 0; i < len; i++)
		sink += (unsigned char)s[i];
	if (nul && s[len] != '\0') {
		fprintf(stderr, "fuzz-image: effect text of %zu bytes without its NUL\n", len);
		abort();
	}
}

static void touch_effects(const struct plan_image *img, struct vm *vm, uint32_t n)
{
	const struct vm_effect *e = vm_effects(vm);

	for (uint32_t i = 0; i < n; i++) {
		const struct vm_effect *x = &e[i];

		/* an alert rule's run has no UPS: IMG_NONE */
		if (x->kind > VM_FAULT || (x->ups >= img->ups.n && x->ups != IMG_NONE) || x->pc >= img->code.n) {
			fprintf(stderr, "fuzz-image: effect %u: kind %u, UPS %u, pc %u out of range\n",
				i, x->kind, x->ups, x->pc);
			abort();
		}
		if ((x->kind == OP_STARTTIMER || x->kind == OP_CANCELTIMER) && x->target >= img->timers.n) {
			fprintf(stderr, "fuzz-image: effect %u: timer %u of %u\n", i, x->target, img->timers.n);
			abort();
		}
		if (x->kind == OP_SETFSD && x->target >= img->ups.n) {
			fprintf(stderr, "fuzz-image: effect %u: SETFSD UPS %u of %u\n", i, x->target, img->ups.n);
			abort();
		}
		if (x->kind == VM_FAULT && x->text && strncmp(x->text, "unknown opcode", 14) == 0) {
			fprintf(stderr, "fuzz-image: the VM met %s in a verified image\n", x->text);
			abort();
		}
		if (x->text)
			touch_bytes(x->text, x->len, 1);
		if (x->name)
			touch_bytes(x->name, x->name_len, 1);
		if (x->aux)
			touch_bytes(x->aux, x->aux_len, 1);
		for (int k = 0; k < 4; k++)
			if (x->field[k])
				touch_bytes(x->field[k], x->flen[k], 1);
		if (x->argv) {
			for (uint32_t a = 0; a < x->argc; a++)
				touch_bytes(x->argv[a], strlen(x->argv[a]), 0);
			if (x->argv[x->argc] != NULL) {
				fprintf(stderr, "fuzz-image: SHUTDOWNCMD argv[%u] is not NULL\n", x->argc);
				abort();
			}
		}
		if (x->loc)
			sink += x->loc->pc + x->loc->file + x->loc->line + x->loc->col;
		sink += x->prio + x->level + x->target + (uint64_t)x->was_running + (x->seconds > 0) + (x->deadline > 0);
	}
}

/* Everything a verified image promises. */
static void use_image(const struct plan_image *img, const uint8_t *data, size_t size)
{
	struct vm_host host;
	struct tmr_heap timers;
	unsigned sel = (unsigned)(size + (size ? data[size - 1] : 0));
	uint32_t *tables;
	unsigned char *buf;
	size_t len;
	char *listing = NULL;
	size_t llen = 0;
	FILE *mem;
	struct vm *vm;

	/* the listing */
	mem = open_memstream(&listing, &llen);
	if (!mem)
		abort();
	img_disasm(img, mem);
	fclose(mem);
	touch_bytes(listing, llen, 1);
	free(listing);

	/* encoding again gives the same payload (the header's checksum may differ) */
	img_encode(img, &buf, &len);
	if (len != size || memcmp(buf + 32, data + 32, len - 32) != 0) {
		fprintf(stderr, "fuzz-image: re-encoding a verified image gives %zu bytes, not the same %zu\n",
			len, size);
		abort();
	}
	free(buf);

	/* a VM: every REPORTS handler with the tables clear, then set, then every timer */
	tables = calloc((size_t)img->ups.n + 1, sizeof(*tables));
	if (!tables)
		abort();
	tmr_init(&timers, img->timers.n);
	memset(&host, 0, sizeof(host));
	host.ctx = &sel;
	host.getvar = fuzz_getvar;
	host.value = fuzz_value;
	host.unknown = fuzz_unknown;
	vm = vm_new(img, &host, tables, &timers, "fuzzhost", "nut@fuzzhost");
	for (int pass = 0; pass < 2; pass++) {
		for (uint32_t u = 0; u < img->ups.n; u++)
			tables[u] = pass ? 0x1fffffu : 0;
		for (uint32_t i = 0; i < img->handlers.n; i++) {
			struct vm_event ev = { i / EV_NPAIRS, i % EV_NPAIRS, IMG_NONE, 10.0 * pass };

			if (img->handlers.v[i] == IMG_NONE)
				continue;
			sel++;
			touch_effects(img, vm, vm_run_event(vm, &ev));
		}
	}
	for (uint32_t t = 0; t < img->timers.n; t++) {
		sel++;
		touch_effects(img, vm, vm_run_timeout(vm, t, 100.0 + t));
	}
	/* level rules: the test (no effect), then both runs */
	for (uint32_t l = 0; l < img->levels.n; l++) {
		sel += (unsigned)vm_level_test(vm, l);
		touch_effects(img, vm, vm_run_level(vm, l, 0, 200.0));
		touch_effects(img, vm, vm_run_level(vm, l, 1, 200.0));
	}
	/* alert rules: both runs, without a UPS */
	for (uint32_t r = 0; r < img->arules.n; r++) {
		touch_effects(img, vm, vm_run_alert(vm, r, 1, 300.0));
		touch_effects(img, vm, vm_run_alert(vm, r, 0, 300.0));
	}
	/* out-of-range events are no-ops */
	{
		struct vm_event ev = { img->ups.n, 0, IMG_NONE, 0 };

		if (vm_run_event(vm, &ev) != 0 || vm_run_timeout(vm, img->timers.n, 0) != 0 ||
		    vm_level_test(vm, img->levels.n) != 0 || vm_run_level(vm, img->levels.n, 0, 0) != 0 ||
		    vm_run_alert(vm, img->arules.n, 1, 0) != 0)
			abort();
	}
#ifdef FUZZ_IMAGE_GROWS
	if (vm_get_stats(vm)->grows != 0) {
		fprintf(stderr, "fuzz-image: the VM grew a buffer %llu times after vm_new()\n",
			(unsigned long long)vm_get_stats(vm)->grows);
		abort();
	}
#endif
	sink += vm_get_stats(vm)->instructions;
	vm_free(vm);
	tmr_free(&timers);
	free(tables);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct plan_image img, img2;
	char err[512], err2[512];
	int ok, ok2;

	/* checksum not checked: mutations reach the verifier */
	ok = img_decode(data, size, IMG_DECODE_NO_CHECKSUM, &img, err, sizeof(err)) == 0;
	if (ok) {
		ok = img_verify(&img, err, sizeof(err)) == 0;
		if (ok)
			use_image(&img, data, size);
		img_free(&img);
	}

	/* as a file is loaded: whatever passes the checksum passed above the same way */
	ok2 = img_decode(data, size, 0, &img2, err2, sizeof(err2)) == 0;
	if (ok2) {
		ok2 = img_verify(&img2, err2, sizeof(err2)) == 0;
		img_free(&img2);
		if (ok2 != ok) {
			fprintf(stderr, "fuzz-image: verified %s with the checksum, %s without\n",
				ok2 ? "yes" : "no", ok ? "yes" : "no");
			abort();
		}
	}
	return 0;
}
