/* SPDX-License-Identifier: GPL-2.0-or-later */
/* metrics.c - the Prometheus text exposition writer: names checked, labels escaped, histograms cumulative, each series once. */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/xalloc.h"
#include "runtime/obs/metrics.h"

void mt_hist_init(struct mt_hist *h, const double *bounds, size_t nb)
{
	h->bounds = bounds;
	h->nb = nb;
	h->counts = xcalloc(nb + 1, sizeof(*h->counts));
	h->sum = 0;
	h->count = 0;
}

void mt_hist_observe(struct mt_hist *h, double v)
{
	size_t i = 0;

	while (i < h->nb && !(v <= h->bounds[i]))
		i++;
	h->counts[i]++;
	h->sum += v;
	h->count++;
}

void mt_hist_free(struct mt_hist *h)
{
	free(h->counts);
	h->counts = NULL;
}

void mt_init(struct mt_writer *w, struct buf *out)
{
	memset(w, 0, sizeof(*w));
	w->out = out;
}

void mt_reset(struct mt_writer *w, struct buf *out)
{
	w->out = out;
	buf_reset(&w->fams);
	if (w->slot)
		memset(w->slot, 0, w->nslot * sizeof(*w->slot));
	w->nkeys = 0;
	w->fam[0] = '\0';
	w->famlen = 0;
	w->refused = 0;
}

void mt_free(struct mt_writer *w)
{
	buf_free(&w->fams);
	free(w->slot);
	w->slot = NULL;
	w->nslot = w->nkeys = 0;
}

static int mt_alpha(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

static int mt_digit(char c)
{
	return c >= '0' && c <= '9';
}

int mt_valid_name(const char *name)
{
	if (!mt_alpha(*name) && *name != ':')
		return 0;
	for (name++; *name; name++)
		if (!mt_alpha(*name) && !mt_digit(*name) && *name != ':')
			return 0;
	return 1;
}

int mt_valid_label(const char *name)
{
	if (!mt_alpha(*name) || strncmp(name, "__", 2) == 0)
		return 0;
	for (name++; *name; name++)
		if (!mt_alpha(*name) && !mt_digit(*name))
			return 0;
	return 1;
}

char *mt_name_from(char *out, size_t cap, const char *prefix, const char *name)
{
	size_t pl = strlen(prefix), nl = strlen(name);

	if (pl + nl + 1 > cap || pl + nl == 0)
		return NULL;
	memcpy(out, prefix, pl);
	for (size_t i = 0; i < nl; i++) {
		char c = name[i];
		out[pl + i] = mt_alpha(c) || mt_digit(c) || c == ':' ? c : '_';
	}
	out[pl + nl] = '\0';
	if (mt_digit(out[0]))
		out[0] = '_';
	return out;
}

/* V in decimal into BUF (at least 21 bytes), without snprintf's cost: most values are whole. */
static const char *mt_fmt_u(char *buf, uint64_t v, int neg)
{
	char t[24];
	size_t n = 0, i = 0;

	do
		t[n++] = (char)('0' + v % 10);
	while ((v /= 10) != 0);
	if (neg)
		buf[i++] = '-';
	while (n)
		buf[i++] = t[--n];
	buf[i] = '\0';
	return buf;
}

const char *mt_fmt_double(char *buf, size_t len, double v)
{
	if (isnan(v))
		snprintf(buf, len, "NaN");
	else if (isinf(v))
		snprintf(buf, len, v > 0 ? "+Inf" : "-Inf");
	else if (len >= 24 && v > -1e15 && v < 1e15 && v == (double)(long long)v && !(v == 0 && signbit(v)))
		mt_fmt_u(buf, (uint64_t)(v < 0 ? -v : v), v < 0);	/* what %.15g writes, faster */
	else {
		snprintf(buf, len, "%.15g", v);
		if (strtod(buf, NULL) != v)
			snprintf(buf, len, "%.17g", v);
	}
	return buf;
}

/* The length of the valid UTF-8 sequence at S (N bytes left), or 0 when it is not one. */
static size_t mt_utf8_len(const unsigned char *s, size_t n)
{
	size_t len;
	unsigned cp;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		len = 2, cp = s[0] & 0x1f;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		len = 3, cp = s[0] & 0x0f;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		len = 4, cp = s[0] & 0x07;
	else
		return 0;
	if (len > n)
		return 0;
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	if ((len == 3 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) || (len == 4 && (cp < 0x10000 || cp > 0x10ffff)))
		return 0;
	return len;
}

/* S escaped as a label value (\ " and newline; a byte that is no UTF-8 becomes '?'), or as HELP text (HELP: '"' stays). */
static void mt_escape(struct buf *b, const char *s, int help)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n = strlen(s), plain = 0;

	while (plain < n && p[plain] < 0x80 && p[plain] != '\\' && p[plain] != '\n' && p[plain] != '"')
		plain++;
	if (plain == n) {	/* nothing to escape: most labels */
		buf_add(b, s, n);
		return;
	}
	for (size_t i = 0; i < n;) {
		size_t l = mt_utf8_len(p + i, n - i);
		if (l == 0) {
			buf_addc(b, '?');
			i++;
		} else if (l > 1) {
			buf_add(b, p + i, l);
			i += l;
		} else {
			if (p[i] == '\\')
				buf_adds(b, "\\\\");
			else if (p[i] == '\n')
				buf_adds(b, "\\n");
			else if (p[i] == '"' && !help)
				buf_adds(b, "\\\"");
			else
				buf_addc(b, (char)p[i]);
			i++;
		}
	}
}

/* A hash of the N bytes at S, eight at a time. */
static uint64_t mt_hash(const char *s, size_t n)
{
	uint64_t h = 0x9e3779b97f4a7c15ull ^ n, x;
	size_t i = 0;

	for (; i + 8 <= n; i += 8) {
		memcpy(&x, s + i, 8);
		h = (h ^ x) * 0xff51afd7ed558ccdull;
		h ^= h >> 32;
	}
	x = 0;
	memcpy(&x, s + i, n - i);
	h = (h ^ x) * 0xc4ceb9fe1a85ec53ull;
	return h ^ (h >> 29);
}

/* B back to its first LEN bytes, NUL-terminated as a buf is. */
static void mt_cut(struct buf *b, size_t len)
{
	b->len = len;
	if (b->p)
		b->p[len] = '\0';
}

static const char *mt_key_text(const struct mt_writer *w, const struct mt_key *k)
{
	return (k->fam ? w->fams.p : w->out->p) + k->off;
}

/*
 * Note the series (FAM 0: in the output) or family name (FAM 1: in fams)
 * of N bytes at OFF; -1 when noted before.  With LOOKUP, only whether it
 * was (nothing noted).
 */
static int mt_seen(struct mt_writer *w, int fam, size_t off, size_t n, int lookup)
{
	const char *key = (fam ? w->fams.p : w->out->p) + off;
	uint64_t h = mt_hash(key, n);
	size_t i;

	if ((w->nkeys + 1) * 2 > w->nslot) {	/* at most half full */
		size_t ns = w->nslot ? w->nslot * 2 : 1024, on = w->nslot;
		struct mt_key *old = w->slot;
		w->slot = xcalloc(ns, sizeof(*w->slot));
		w->nslot = ns;
		for (size_t j = 0; j < on; j++)
			if (old[j].len) {
				for (i = old[j].hash & (ns - 1); w->slot[i].len; i = (i + 1) & (ns - 1))
					;
				w->slot[i] = old[j];
			}
		free(old);
	}
	for (i = h & (w->nslot - 1); w->slot[i].len; i = (i + 1) & (w->nslot - 1)) {
		const struct mt_key *k = &w->slot[i];
		if (k->hash == h && k->len == n && k->fam == fam && memcmp(mt_key_text(w, k), key, n) == 0)
			return -1;
	}
	if (lookup)
		return 0;
	w->slot[i] = (struct mt_key){ off, n, h, fam };
	w->nkeys++;
	return 0;
}

static int mt_once(struct mt_writer *w, int fam, size_t off, size_t n)
{
	return mt_seen(w, fam, off, n, 0);
}

int mt_family(struct mt_writer *w, const char *name, enum mt_type type, const char *help)
{
	static const char *const types[] = { "counter", "gauge", "histogram", "untyped" };
	size_t off = w->fams.len, n = strlen(name);

	w->fam[0] = '\0';
	if (!mt_valid_name(name) || n >= sizeof(w->fam) - 10) {	/* room for _bucket */
		w->refused++;
		return -1;
	}
	buf_add(&w->fams, name, n);
	if (mt_once(w, 1, off, n) != 0) {
		mt_cut(&w->fams, off);
		w->refused++;
		return -1;
	}
	memcpy(w->fam, name, n + 1);
	w->famlen = n;
	w->type = type;
	buf_addf(w->out, "# HELP %s ", name);
	mt_escape(w->out, help, 1);
	buf_addf(w->out, "\n# TYPE %s %s\n", name, types[type]);
	return 0;
}

/*
 * Append to the output NAME SUFFIX {LABELS, LE} and a blank; 0, or -1
 * (nothing appended) when a label name is bad or (NOTE) the series was
 * written before (NOTE 1: it is noted; MT_PEEK: it is not, nothing is
 * appended).
 */
#define MT_PEEK 2
static int mt_series(struct mt_writer *w, const char *suffix, const struct mt_label *labels, size_t n, const char *le,
		     int note)
{
	struct buf *o = w->out;
	size_t start = o->len;

	buf_add(o, w->fam, w->famlen);
	buf_adds(o, suffix);
	if (n || le) {
		buf_addc(o, '{');
		for (size_t i = 0; i < n; i++) {
			int bad = !mt_valid_label(labels[i].name) || (le && strcmp(labels[i].name, "le") == 0);
			for (size_t j = 0; j < i && !bad; j++)
				bad = strcmp(labels[j].name, labels[i].name) == 0;
			if (bad) {
				mt_cut(o, start);
				return -1;
			}
			if (i)
				buf_addc(o, ',');
			buf_adds(o, labels[i].name);
			buf_add(o, "=\"", 2);
			mt_escape(o, labels[i].value ? labels[i].value : "", 0);
			buf_addc(o, '"');
		}
		if (le) {
			buf_adds(o, n ? ",le=\"" : "le=\"");
			buf_adds(o, le);
			buf_addc(o, '"');
		}
		buf_addc(o, '}');
	}
	if (note && mt_seen(w, 0, start, o->len - start, note == MT_PEEK) != 0) {
		mt_cut(o, start);
		return -1;
	}
	if (note == MT_PEEK) {
		mt_cut(o, start);
		return 0;
	}
	buf_addc(o, ' ');
	return 0;
}

static int mt_plain(struct mt_writer *w, const struct mt_label *labels, size_t n, const char *value)
{
	if (!w->fam[0] || w->type == MT_HISTOGRAM || mt_series(w, "", labels, n, NULL, 1) != 0) {
		w->refused++;
		return -1;
	}
	buf_adds(w->out, value);
	buf_addc(w->out, '\n');
	return 0;
}

int mt_sample(struct mt_writer *w, const struct mt_label *labels, size_t n, double v)
{
	char num[40];

	return mt_plain(w, labels, n, mt_fmt_double(num, sizeof(num), v));
}

int mt_sample_u(struct mt_writer *w, const struct mt_label *labels, size_t n, uint64_t v)
{
	char num[24];

	return mt_plain(w, labels, n, mt_fmt_u(num, v, 0));
}

int mt_histogram(struct mt_writer *w, const struct mt_label *labels, size_t n, const struct mt_hist *h)
{
	char le[40], num[40];
	uint64_t cum = 0;

	if (!w->fam[0] || w->type != MT_HISTOGRAM || mt_series(w, "_bucket", labels, n, "+Inf", MT_PEEK) != 0) {
		w->refused++;
		return -1;
	}
	/* the +Inf series is new: so are the others of these labels (le is refused among LABELS); it alone is noted */
	for (size_t i = 0; i <= h->nb; i++) {
		cum += h->counts[i];
		mt_series(w, "_bucket", labels, n, i < h->nb ? mt_fmt_double(le, sizeof(le), h->bounds[i]) : "+Inf", i == h->nb);
		buf_adds(w->out, mt_fmt_u(num, i < h->nb ? cum : h->count, 0));
		buf_addc(w->out, '\n');
	}
	mt_series(w, "_sum", labels, n, NULL, 0);
	buf_adds(w->out, mt_fmt_double(num, sizeof(num), h->sum));
	buf_addc(w->out, '\n');
	mt_series(w, "_count", labels, n, NULL, 0);
	buf_adds(w->out, mt_fmt_u(num, h->count, 0));
	buf_addc(w->out, '\n');
	return 0;
}
