/* SPDX-License-Identifier: GPL-2.0-or-later */
/* fuzz-frames.c - libFuzzer target: the privsep frame reader (ps_frame_take) on any byte stream, either direction, with its promises checked. */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "runtime/daemon/privsep.h"

/*
 * Input: the first byte is the direction ('c': frames the child reads,
 * anything else: frames the root parent reads, from a possibly
 * compromised child); the rest is the stream, read as the parent reads
 * its socket: frame after frame until one is malformed or the bytes end.
 * The stream is in a buffer of its exact size, so that ASan sees a read
 * beyond it.
 *
 * Checked against a table built here from runtime/daemon/privsep-frames.def
 * (not the reader's own): a frame taken has a known kind of this
 * direction, a length within the kind's, takes its header and payload
 * and no more, its payload inside the buffer, and passes the kind's rules
 * (terminated texts, ACK's outcome 0 or 1, only the sd_notify states the
 * daemon sends, no NUL in a desktop text); a malformed one comes with a
 * reason; "not whole yet" only when the payload has not all arrived and
 * the header is good (a bad header is refused at once, before its
 * payload); every prefix of a frame taken is "not whole yet", and every
 * prefix of a frame refused for its header is refused too.
 */

struct fz_rule {
	uint32_t kind;
	enum ps_dir dir;
	uint64_t min, max;
};

static const struct fz_rule fz_rules[] = {
#define PS_FRAME(id, num, dir, min, max, meaning) { num, dir, min, max },
#include "runtime/daemon/privsep-frames.def"
#undef PS_FRAME
};

static void fail(const char *what, uint32_t kind, uint32_t len, size_t off)
{
	fprintf(stderr, "fuzz-frames: %s (kind %u, length %u, at byte %zu)\n", what, kind, len, off);
	abort();
}

static const struct fz_rule *fz_rule(uint32_t kind)
{
	for (size_t i = 0; i < sizeof(fz_rules) / sizeof(fz_rules[0]); i++)
		if (fz_rules[i].kind == kind)
			return &fz_rules[i];
	return NULL;
}

/* Is the header at P (8 bytes) one the reader must refuse at once? */
static int bad_header(const unsigned char *p, enum ps_dir dir)
{
	struct ps_hdr h;
	const struct fz_rule *r;

	memcpy(&h, p, sizeof(h));
	r = fz_rule(h.kind);
	return !r || r->dir != dir || h.len < r->min || h.len > r->max;
}

/* The payload rules of a frame taken. */
static void check_payload(const struct ps_frame *f, size_t off)
{
	static const char *const states[] = { "READY=1", "STOPPING=1", "WATCHDOG=1" };
	const unsigned char *p = f->payload;
	int known = 0;

	switch (f->kind) {
	case PS_SHUTDOWN: {
		struct ps_shutdown rq;
		memcpy(&rq, p, sizeof(rq));
		if (!memchr(rq.charge, '\0', sizeof(rq.charge)))
			fail("a SHUTDOWN request with its charge not terminated taken", f->kind, f->len, off);
		break;
	}
	case PS_DONE: {
		struct ps_done d;
		memcpy(&d, p, sizeof(d));
		if (!memchr(d.msg, '\0', sizeof(d.msg)))
			fail("a DONE with its message not terminated taken", f->kind, f->len, off);
		break;
	}
	case PS_ACK: {
		struct ps_ack a;
		memcpy(&a, p, sizeof(a));
		if (a.ok != 0 && a.ok != 1)
			fail("an ACK whose outcome is neither 0 nor 1 taken", f->kind, f->len, off);
		break;
	}
	case PS_NOTIFY:
		if (memchr(p, '\0', f->len) || memchr(p, '\n', f->len))
			fail("an sd_notify state with a NUL or a line feed taken", f->kind, f->len, off);
		for (size_t i = 0; i < sizeof(states) / sizeof(states[0]); i++)
			known |= f->len == strlen(states[i]) && memcmp(p, states[i], f->len) == 0;
		if (!known && !(f->len >= 7 && memcmp(p, "STATUS=", 7) == 0))
			fail("an sd_notify state the daemon never sends taken", f->kind, f->len, off);
		break;
	case PS_DESKTOP:
		if (memchr(p, '\0', f->len))
			fail("a desktop text with a NUL taken", f->kind, f->len, off);
		break;
	case PS_REFUSED:
		if (memchr(p, '\0', f->len))
			fail("a reload refusal with a NUL taken", f->kind, f->len, off);
		break;
	default:
		break;
	}
}

/* Every prefix of the first frame at BUF (WHOLE bytes of it, result R) reads as "not whole" or refused alike. */
static void check_prefixes(const unsigned char *buf, size_t whole, long r, enum ps_dir dir, size_t off)
{
	size_t cut[4] = { 0, sizeof(struct ps_hdr) - 1, sizeof(struct ps_hdr), whole ? whole - 1 : 0 };

	for (int i = 0; i < 4; i++) {
		struct ps_frame f;
		const char *why = NULL;
		unsigned char *copy;
		long p;

		if (cut[i] >= whole)
			continue;
		copy = malloc(cut[i] ? cut[i] : 1);
		if (!copy)
			abort();
		memcpy(copy, buf, cut[i]);
		p = ps_frame_take(copy, cut[i], dir, &f, &why);
		free(copy);
		if (r > 0 && p != 0)
			fail("a prefix of a good frame is not 'not whole yet'", 0, (uint32_t)cut[i], off);
		if (r < 0 && cut[i] >= sizeof(struct ps_hdr) && p != -1)
			fail("a prefix of a frame with a bad header is not refused", 0, (uint32_t)cut[i], off);
		if (cut[i] < sizeof(struct ps_hdr) && p != 0)
			fail("less than a header is not 'not whole yet'", 0, (uint32_t)cut[i], off);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	enum ps_dir dir;
	unsigned char *buf;
	size_t len, off = 0;

	if (size < 1)
		return 0;
	dir = data[0] == 'c' ? PS_TO_CHILD : PS_TO_PARENT;
	len = size - 1;
	buf = malloc(len ? len : 1);
	if (!buf)
		abort();
	memcpy(buf, data + 1, len);
	for (;;) {
		struct ps_frame f;
		const char *why = NULL;
		size_t rest = len - off;
		long n = ps_frame_take(buf + off, rest, dir, &f, &why);

		if (n < 0) {
			if (!why || !*why)
				fail("a frame refused without a reason", 0, 0, off);
			if (rest >= sizeof(struct ps_hdr) && bad_header(buf + off, dir))
				check_prefixes(buf + off, rest, n, dir, off);
			break;
		}
		if (n == 0) {
			struct ps_hdr h;

			if (rest < sizeof(h))
				break;
			memcpy(&h, buf + off, sizeof(h));
			if (bad_header(buf + off, dir))
				fail("a bad header waits for its payload instead of being refused", h.kind, h.len, off);
			if (rest - sizeof(h) >= h.len)
				fail("a whole frame is 'not whole yet'", h.kind, h.len, off);
			break;
		}
		if ((size_t)n > rest || (size_t)n != sizeof(struct ps_hdr) + f.len ||
		    f.payload != buf + off + sizeof(struct ps_hdr))
			fail("a frame taken with the wrong length or payload", f.kind, f.len, off);
		if (bad_header(buf + off, dir) || ps_frame_meaning(f.kind) == NULL)
			fail("a frame with a bad header taken", f.kind, f.len, off);
		check_payload(&f, off);
		check_prefixes(buf + off, (size_t)n, n, dir, off);
		off += (size_t)n;
	}
	free(buf);
	return 0;
}
