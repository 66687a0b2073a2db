/* SPDX-License-Identifier: GPL-2.0-or-later */
/* img-rehost.c - test helper: rewrite the HOST of every group and UPS of a compiled plan image, as a host name that resolves elsewhere at connect time would (the daemon's own check of TLS NONE peers). */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/image.h"

/* The bytes of the file PATH into *BUF (malloc'd), their count into *LEN; 0 or -1. */
static int slurp(const char *path, unsigned char **buf, size_t *len)
{
	FILE *f = fopen(path, "rb");
	size_t cap = 1 << 16, n = 0, r;
	unsigned char *p = malloc(cap);

	if (!f || !p) {
		perror(path);
		free(p);
		if (f)
			fclose(f);
		return -1;
	}
	while ((r = fread(p + n, 1, cap - n, f)) > 0) {
		n += r;
		if (n == cap) {
			unsigned char *q = realloc(p, cap *= 2);
			if (!q) {
				free(p);
				fclose(f);
				return -1;
			}
			p = q;
		}
	}
	fclose(f);
	*buf = p;
	*len = n;
	return 0;
}

int main(int argc, char **argv)
{
	struct plan_image img;
	unsigned char *in, *out;
	size_t inlen, outlen;
	char err[512];
	FILE *f;

	if (argc != 4) {
		fprintf(stderr, "usage: img-rehost IN-IMAGE OUT-IMAGE HOST\n"
			"Write OUT-IMAGE: IN-IMAGE with HOST as the host of every group and UPS.\n");
		return 2;
	}
	if (slurp(argv[1], &in, &inlen) != 0)
		return 1;
	if (img_decode(in, inlen, 0, &img, err, sizeof(err)) != 0) {
		fprintf(stderr, "img-rehost: %s: %s\n", argv[1], err);
		return 1;
	}
	free(in);
	struct img_str h = img_add_str(&img, argv[3], strlen(argv[3]));
	for (uint32_t g = 0; g < img.groups.n; g++)
		img.groups.v[g].host = h;
	for (uint32_t u = 0; u < img.ups.n; u++)
		img.ups.v[u].host = h;
	if (img_verify(&img, err, sizeof(err)) != 0) {
		fprintf(stderr, "img-rehost: the result does not verify: %s\n", err);
		return 1;
	}
	img_encode(&img, &out, &outlen);
	f = fopen(argv[2], "wb");
	if (!f || fwrite(out, 1, outlen, f) != outlen || fclose(f) != 0) {
		perror(argv[2]);
		return 1;
	}
	free(out);
	img_free(&img);
	return 0;
}
