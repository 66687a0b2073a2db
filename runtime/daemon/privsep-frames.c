/* SPDX-License-Identifier: GPL-2.0-or-later */
/* privsep-frames.c - the frames between the root parent and the monitoring child: the table of kinds, and the one reader that checks them. */
#include "config.h"

#include <string.h>

#include "runtime/daemon/privsep.h"

/* Checks the payload of a kind beyond its length: NULL, or why it is refused. */
typedef const char *(*ps_check_fn)(const unsigned char *p, uint32_t len);

struct ps_rule {
	uint32_t kind;
	enum ps_dir dir;
	uint32_t min, max;
	const char *meaning;
	ps_check_fn check;
};

static const char *ps_check_shutdown(const unsigned char *p, uint32_t len)
{
	struct ps_shutdown rq;

	(void)len;
	memcpy(&rq, p, sizeof(rq));
	if (rq.power_failing > 1)
		return "its power_failing is neither 0 nor 1";
	return memchr(rq.charge, '\0', sizeof(rq.charge)) ? NULL : "its battery.charge text is not terminated";
}

static const char *ps_check_done(const unsigned char *p, uint32_t len)
{
	struct ps_done d;

	(void)len;
	memcpy(&d, p, sizeof(d));
	return memchr(d.msg, '\0', sizeof(d.msg)) ? NULL : "its message is not terminated";
}

static const char *ps_check_ack(const unsigned char *p, uint32_t len)
{
	struct ps_ack a;

	(void)len;
	memcpy(&a, p, sizeof(a));
	return a.ok == 0 || a.ok == 1 ? NULL : "its outcome is neither 0 nor 1";
}

/*
 * Only the states the daemon sends pass to the service manager, which
 * hears the parent as the main PID: a compromised child cannot send
 * MAINPID= or the like.
 */
static const char *ps_check_notify(const unsigned char *p, uint32_t len)
{
	static const char *const states[] = { "READY=1", "STOPPING=1", "WATCHDOG=1" };

	if (memchr(p, '\0', len) || memchr(p, '\n', len))
		return "it holds a NUL or a line feed";
	for (size_t i = 0; i < sizeof(states) / sizeof(states[0]); i++)
		if (len == strlen(states[i]) && memcmp(p, states[i], len) == 0)
			return NULL;
	if (len >= 7 && memcmp(p, "STATUS=", 7) == 0)
		return NULL;
	return "it is not a state the daemon sends (READY=1, STOPPING=1, WATCHDOG=1, STATUS=...)";
}

static const char *ps_check_text(const unsigned char *p, uint32_t len)
{
	return memchr(p, '\0', len) ? "it holds a NUL" : NULL;
}

#define ps_check_SHUTDOWN ps_check_shutdown
#define ps_check_DONE ps_check_done
#define ps_check_IMAGE NULL
#define ps_check_NOTIFY ps_check_notify
#define ps_check_DESKTOP ps_check_text
#define ps_check_ACK ps_check_ack
#define ps_check_RELOAD NULL
#define ps_check_REFUSED ps_check_text

static const struct ps_rule ps_rules[] = {
#define PS_FRAME(id, num, dir, min, max, meaning) { num, dir, min, max, meaning, ps_check_##id },
#include "runtime/daemon/privsep-frames.def"
#undef PS_FRAME
};

static const struct ps_rule *ps_rule(uint32_t kind)
{
	for (size_t i = 0; i < sizeof(ps_rules) / sizeof(ps_rules[0]); i++)
		if (ps_rules[i].kind == kind)
			return &ps_rules[i];
	return NULL;
}

const char *ps_frame_meaning(uint32_t kind)
{
	const struct ps_rule *r = ps_rule(kind);

	return r ? r->meaning : NULL;
}

long ps_frame_take(const unsigned char *buf, size_t len, enum ps_dir dir, struct ps_frame *f, const char **why)
{
	struct ps_hdr h;
	const struct ps_rule *r;

	if (len < sizeof(h))
		return 0;
	memcpy(&h, buf, sizeof(h));
	r = ps_rule(h.kind);
	if (!r) {
		*why = "a frame of an unknown kind";
		return -1;
	}
	if (r->dir != dir) {
		*why = dir == PS_TO_PARENT ? "a frame only the parent sends" : "a frame only the child sends";
		return -1;
	}
	if (h.len < r->min || h.len > r->max) {
		*why = "a frame of a length its kind never has";
		return -1;
	}
	if (len - sizeof(h) < h.len)
		return 0;
	if (r->check && (*why = r->check(buf + sizeof(h), h.len)) != NULL)
		return -1;
	f->kind = h.kind;
	f->len = h.len;
	f->payload = buf + sizeof(h);
	return (long)(sizeof(h) + h.len);
}
