/* SPDX-License-Identifier: GPL-2.0-or-later */
/* json.c - JSON output through jansson: strings from bytes that need not be UTF-8, values appended to a buf. */
#include "config.h"

#include <string.h>

#include "base/json.h"
#include "base/source.h"
#include "base/xalloc.h"

static const char replacement[] = "\xef\xbf\xbd";	/* U+FFFD in UTF-8 */

json_t *jsonw_string(const char *s, size_t len)
{
	struct buf clean = BUF_INIT;
	json_t *v;
	size_t i = 0, run = 0;

	while (i < len) {
		size_t n = (unsigned char)s[i] < 0x80 ? 1 : src_utf8_seq(s + i, len - i);

		if (n) {
			i += n;
			continue;
		}
		buf_add(&clean, s + run, i - run);
		buf_add(&clean, replacement, sizeof(replacement) - 1);
		run = ++i;
	}
	if (clean.p) {
		buf_add(&clean, s + run, len - run);
		v = json_stringn(clean.p, clean.len);
		buf_free(&clean);
	} else {
		v = json_stringn(s, len);
	}
	/* NULL: jansson found no room (its UTF-8 check is the same as src_utf8_seq's) */
	if (!v)
		xalloc_fail();
	return v;
}

void jsonw_set(json_t *o, const char *key, json_t *v)
{
	if (!o || !v || json_object_set_new(o, key, v) != 0)
		xalloc_fail();
}

void jsonw_append(json_t *a, json_t *v)
{
	if (!a || !v || json_array_append_new(a, v) != 0)
		xalloc_fail();
}

void jsonw_dump(struct buf *b, const json_t *v, size_t flags)
{
	size_t room = 64, n;
	char *d;

	flags |= JSON_ENCODE_ANY;
	d = buf_room(b, room);
	room = b->cap - b->len - 1;	/* all there is: most values need no second try */
	n = json_dumpb(v, d, room, flags);
	if (n > room) {
		d = buf_room(b, n);
		n = json_dumpb(v, d, n, flags);
	}
	if (n == 0)		/* jansson could not encode it, e.g. out of memory */
		xalloc_fail();
	b->len += n;
	b->p[b->len] = '\0';
}

void jsonw_str(struct buf *b, const char *s, size_t len)
{
	json_t *v;
	size_t i;

	/*
	 * Bytes jansson writes as they are (no control byte, quote,
	 * backslash or non-ASCII byte) skip the string object: the trace of
	 * a simulation writes millions of names that need nothing else
	 */
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c < 0x20 || c == '"' || c == '\\' || c >= 0x80)
			break;
	}
	if (i == len) {
		char *d = buf_room(b, len + 2);
		d[0] = '"';
		memcpy(d + 1, s, len);
		d[len + 1] = '"';
		b->len += len + 2;
		b->p[b->len] = '\0';
		return;
	}
	v = jsonw_string(s, len);
	jsonw_dump(b, v, 0);
	json_decref(v);
}
