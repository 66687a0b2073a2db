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

void mt_free(struct mt_writer *w)
{
	buf_free(&w->keys);
	buf_free(&w->line);
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

const char *mt_fmt_double(char *buf, size_t len, double v)
{
	if (isnan(v))
		snprintf(buf, len, "NaN");
	else if (isinf(v))
		snprintf(buf, len, v > 0 ? "+Inf" : "-Inf");
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
	size_t n = strlen(s);

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

static uint64_t mt_hash(const char *s, size_t n)
{
	uint64_t h = 1469598103934665603ull;

	for (size_t i = 0; i < n; i++)
		h = (h ^ (unsigned char)s[i]) * 1099511628211ull;
	return h;
}

/* Note the series KEY (N bytes); -1 when it was noted before. */
static int mt_once(struct mt_writer *w, const char *key, size_t n)
{
	size_t i;

	if ((w->nkeys + 1) * 2 > w->nslot) {	/* at most half full */
		size_t ns = w->nslot ? w->nslot * 2 : 256, *old = w->slot, on = w->nslot;
		w->slot = xcalloc(ns, sizeof(*w->slot));
		w->nslot = ns;
		for (size_t j = 0; j < on; j++)
			if (old[j]) {
				const char *k = w->keys.p + old[j] - 1;
				for (i = mt_hash(k, strlen(k)) & (ns - 1); w->slot[i]; i = (i + 1) & (ns - 1))
					;
				w->slot[i] = old[j];
			}
		free(old);
	}
	for (i = mt_hash(key, n) & (w->nslot - 1); w->slot[i]; i = (i + 1) & (w->nslot - 1)) {
		const char *k = w->keys.p + w->slot[i] - 1;
		if (strlen(k) == n && memcmp(k, key, n) == 0)
			return -1;
	}
	w->slot[i] = w->keys.len + 1;
	buf_add(&w->keys, key, n);
	buf_addc(&w->keys, '\0');
	w->nkeys++;
	return 0;
}

int mt_family(struct mt_writer *w, const char *name, enum mt_type type, const char *help)
{
	static const char *const types[] = { "counter", "gauge", "histogram", "untyped" };
	char key[sizeof(w->fam) + 2];

	w->fam[0] = '\0';
	if (!mt_valid_name(name) || strlen(name) >= sizeof(w->fam) - 10) {	/* room for _bucket */
		w->refused++;
		return -1;
	}
	snprintf(key, sizeof(key), "#%s", name);
	if (mt_once(w, key, strlen(key)) != 0) {
		w->refused++;
		return -1;
	}
	snprintf(w->fam, sizeof(w->fam), "%s", name);
	w->type = type;
	buf_addf(w->out, "# HELP %s ", name);
	mt_escape(w->out, help, 1);
	buf_addf(w->out, "\n# TYPE %s %s\n", name, types[type]);
	return 0;
}

/*
 * Into w->line: NAME SUFFIX {LABELS, LE}; 0, or -1 when a label name is
 * bad or (NOTE) the series was written before (else it is noted).
 */
static int mt_series(struct mt_writer *w, const char *suffix, const struct mt_label *labels, size_t n, const char *le,
		     int note)
{
	buf_reset(&w->line);
	buf_adds(&w->line, w->fam);
	buf_adds(&w->line, suffix);
	if (n || le) {
		buf_addc(&w->line, '{');
		for (size_t i = 0; i < n; i++) {
			if (!mt_valid_label(labels[i].name) || (le && strcmp(labels[i].name, "le") == 0))
				return -1;
			for (size_t j = 0; j < i; j++)
				if (strcmp(labels[j].name, labels[i].name) == 0)
					return -1;
			buf_addf(&w->line, "%s%s=\"", i ? "," : "", labels[i].name);
			mt_escape(&w->line, labels[i].value ? labels[i].value : "", 0);
			buf_addc(&w->line, '"');
		}
		if (le)
			buf_addf(&w->line, "%sle=\"%s\"", n ? "," : "", le);
		buf_addc(&w->line, '}');
	}
	return note ? mt_once(w, w->line.p, w->line.len) : 0;
}

static int mt_plain(struct mt_writer *w, const struct mt_label *labels, size_t n, const char *value)
{
	if (!w->fam[0] || w->type == MT_HISTOGRAM || mt_series(w, "", labels, n, NULL, 1) != 0) {
		w->refused++;
		return -1;
	}
	buf_add(w->out, w->line.p, w->line.len);
	buf_addf(w->out, " %s\n", value);
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

	snprintf(num, sizeof(num), "%llu", (unsigned long long)v);
	return mt_plain(w, labels, n, num);
}

int mt_histogram(struct mt_writer *w, const struct mt_label *labels, size_t n, const struct mt_hist *h)
{
	char le[40], num[40];
	uint64_t cum = 0;

	if (!w->fam[0] || w->type != MT_HISTOGRAM || mt_series(w, "_bucket", labels, n, "+Inf", 1) != 0) {
		w->refused++;
		return -1;
	}
	/* the +Inf series is new: so are the others of these labels (le is refused among LABELS), unnoted */
	for (size_t i = 0; i <= h->nb; i++) {
		cum += h->counts[i];
		mt_series(w, "_bucket", labels, n, i < h->nb ? mt_fmt_double(le, sizeof(le), h->bounds[i]) : "+Inf", 0);
		buf_add(w->out, w->line.p, w->line.len);
		buf_addf(w->out, " %llu\n", (unsigned long long)(i < h->nb ? cum : h->count));
	}
	mt_series(w, "_sum", labels, n, NULL, 0);
	buf_add(w->out, w->line.p, w->line.len);
	buf_addf(w->out, " %s\n", mt_fmt_double(num, sizeof(num), h->sum));
	mt_series(w, "_count", labels, n, NULL, 0);
	buf_add(w->out, w->line.p, w->line.len);
	buf_addf(w->out, " %llu\n", (unsigned long long)h->count);
	return 0;
}
