/* SPDX-License-Identifier: GPL-2.0-or-later */
/* image-codec.c - a plan image to and from bytes: magic, format version, checksum, sections. */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/image.h"
#include "base/buf.h"
#include "base/xalloc.h"

/*
 * Layout (host byte order; the magic number tells the order apart):
 *
 *   u32 magic, u32 version, u32 flags, u32 reserved
 *   u64 payload length, u64 checksum of the payload
 *   payload: settings, then every section as
 *            u32 count, u32 element size, count * size bytes
 */
#define IMG_SECTIONS(X) \
	X(strings) X(files) X(ups) X(groups) X(timers) X(msgs) X(parts) \
	X(tpls) X(consts) X(code) X(handlers) X(tentries) X(pcmap) \
	X(vars) X(uvars) X(ctexts) X(regexes) X(levels) X(marks) \
	X(cstrs) X(amgrs) X(arules)

#define IMG_HEADER 32u

static void w_u32(struct buf *w, uint32_t v)
{
	buf_add(w, &v, sizeof(v));
}

static void w_str(struct buf *w, struct img_str s)
{
	w_u32(w, s.off);
	w_u32(w, s.len);
}

static void w_vec(struct buf *w, const void *v, uint32_t n, size_t elem)
{
	w_u32(w, n);
	w_u32(w, (uint32_t)elem);
	buf_add(w, v, (size_t)n * elem);
}

/* The settings: two doubles, three strings, the SMTP port. */
#define IMG_SETTINGS (2 * 8u + 3 * 8u + 4u + 8u)

uint64_t img_size(const struct plan_image *img)
{
	uint64_t n = IMG_HEADER + IMG_SETTINGS;

#define X(f) n += 8 + (uint64_t)img->f.n * sizeof(*img->f.v);
	IMG_SECTIONS(X)
#undef X
	return n;
}

uint64_t img_checksum(const unsigned char *p, size_t len)
{
	/* 64-bit multiply-xor over 8-byte words: fast, and any change shows */
	uint64_t h = 0xcbf29ce484222325u;
	size_t i = 0;

	for (; i + 8 <= len; i += 8) {
		uint64_t w;
		memcpy(&w, p + i, 8);
		h = (h ^ w) * 0x100000001b3u;
		h ^= h >> 29;
	}
	for (; i < len; i++)
		h = (h ^ p[i]) * 0x100000001b3u;
	return h ^ (h >> 32);
}

void img_encode(const struct plan_image *img, unsigned char **bufp, size_t *lenp)
{
	struct buf w = BUF_INIT;
	uint64_t plen, sum;
	double d = 0;

	buf_room(&w, (size_t)img_size(img));	/* all of it: no copy left behind by a move (the image may hold passwords) */
	buf_add(&w, (unsigned char[IMG_HEADER]){ 0 }, IMG_HEADER);
	d = img->settings.pollfreq;
	buf_add(&w, &d, sizeof(d));
	d = img->settings.pollfreqalert;
	buf_add(&w, &d, sizeof(d));
	w_str(&w, img->settings.smtp_server);
	w_str(&w, img->settings.smtp_user);
	w_str(&w, img->settings.smtp_password);
	w_u32(&w, img->settings.smtp_port);
	d = img->settings.shutdown_exit;
	buf_add(&w, &d, sizeof(d));
#define X(f) w_vec(&w, img->f.v, img->f.n, sizeof(*img->f.v));
	IMG_SECTIONS(X)
#undef X
	plen = w.len - IMG_HEADER;
	sum = img_checksum((unsigned char *)w.p + IMG_HEADER, plen);
	uint32_t head[4] = { IMG_MAGIC, IMG_VERSION, 0, 0 };
	memcpy(w.p, head, sizeof(head));
	memcpy(w.p + 16, &plen, 8);
	memcpy(w.p + 24, &sum, 8);
	*lenp = w.len;
	*bufp = (unsigned char *)buf_take(&w);
}

struct img_reader {
	const unsigned char *p;
	size_t n, pos;
	char *err;
	size_t errlen;
};

static int r_fail(struct img_reader *r, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(r->err, r->errlen, fmt, ap);
	va_end(ap);
	return -1;
}

static int r_bytes(struct img_reader *r, void *out, size_t len, const char *what)
{
	if (r->n - r->pos < len)
		return r_fail(r, "truncated image: %s needs %zu bytes at offset %zu, only %zu left",
			      what, len, r->pos, r->n - r->pos);
	memcpy(out, r->p + r->pos, len);
	r->pos += len;
	return 0;
}

static int r_vec(struct img_reader *r, void **v, uint32_t *n, uint32_t *cap, size_t elem, const char *name)
{
	uint32_t count = 0, size = 0;

	if (r_bytes(r, &count, 4, name) || r_bytes(r, &size, 4, name))
		return -1;
	if (size != elem)
		return r_fail(r, "section '%s' has %u-byte elements where this upsplan expects %zu",
			      name, size, elem);
	if ((uint64_t)count * elem > r->n - r->pos)
		return r_fail(r, "truncated image: section '%s' announces %u elements (%llu bytes), only %zu bytes left",
			      name, count, (unsigned long long)count * elem, r->n - r->pos);
	*v = xrealloc(NULL, count ? (size_t)count * elem : 1);
	*cap = count ? count : 1;
	*n = count;
	return r_bytes(r, *v, (size_t)count * elem, name);
}

int img_decode(const unsigned char *buf, size_t len, int flags, struct plan_image *img,
	       char *err, size_t errlen)
{
	struct img_reader r = { buf, len, 0, err, errlen };
	uint32_t head[4];
	uint64_t plen, sum;

	memset(img, 0, sizeof(*img));
	if (len > IMG_MAX_SIZE)
		return r_fail(&r, "plan image of %zu bytes, more than the %u an image may take", len, IMG_MAX_SIZE);
	if (len < IMG_HEADER) {
		if (len >= 4 && memcmp(buf, &(uint32_t){ IMG_MAGIC }, 4) == 0)
			return r_fail(&r, "truncated image: %zu bytes, the header alone is %u", len, IMG_HEADER);
		return r_fail(&r, "not a upsplan plan image (too short, no magic number)");
	}
	memcpy(head, buf, sizeof(head));
	memcpy(&plen, buf + 16, 8);
	memcpy(&sum, buf + 24, 8);
	if (head[0] == __builtin_bswap32(IMG_MAGIC))
		return r_fail(&r, "plan image written on a machine of the other byte order; compile the plan here");
	if (head[0] != IMG_MAGIC)
		return r_fail(&r, "not a upsplan plan image (bad magic number)");
	if (head[1] != IMG_VERSION)
		return r_fail(&r, "plan image format version %u; this upsplan reads version %u: compile the plan again",
			      head[1], IMG_VERSION);
	if (plen != len - IMG_HEADER)
		return r_fail(&r, "truncated image: header announces %llu bytes of content, the file holds %zu",
			      (unsigned long long)plen, len - IMG_HEADER);
	if (!(flags & IMG_DECODE_NO_CHECKSUM) && img_checksum(buf + IMG_HEADER, plen) != sum)
		return r_fail(&r, "corrupted image: checksum mismatch");
	r.pos = IMG_HEADER;
	double d = 0;
	if (r_bytes(&r, &d, 8, "settings"))
		goto fail;
	img->settings.pollfreq = d;
	if (r_bytes(&r, &d, 8, "settings"))
		goto fail;
	img->settings.pollfreqalert = d;
	if (r_bytes(&r, &img->settings.smtp_server, 8, "settings") ||
	    r_bytes(&r, &img->settings.smtp_user, 8, "settings") ||
	    r_bytes(&r, &img->settings.smtp_password, 8, "settings") ||
	    r_bytes(&r, &img->settings.smtp_port, 4, "settings") ||
	    r_bytes(&r, &img->settings.shutdown_exit, 8, "settings"))
		goto fail;
#define X(f) \
	if (r_vec(&r, (void **)&img->f.v, &img->f.n, &img->f.cap, sizeof(*img->f.v), #f)) \
		goto fail;
	IMG_SECTIONS(X)
#undef X
	if (r.pos != len) {
		r_fail(&r, "corrupted image: %zu bytes after the last section", len - r.pos);
		goto fail;
	}
	return 0;
fail:
	img_free(img);
	return -1;
}
