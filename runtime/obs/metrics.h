/* SPDX-License-Identifier: GPL-2.0-or-later */
/* metrics.h - the Prometheus text exposition format (version 0.0.4): families with HELP and TYPE, escaped labels, histograms with cumulative buckets; no duplicate series. */
#ifndef UPSPLAN_OBS_METRICS_H
#define UPSPLAN_OBS_METRICS_H

#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"

/* The content type of what mt_ writes. */
#define MT_CONTENT_TYPE "text/plain; version=0.0.4; charset=utf-8"

enum mt_type { MT_COUNTER, MT_GAUGE, MT_HISTOGRAM, MT_UNTYPED };

/* One label: NAME ([a-zA-Z_][a-zA-Z0-9_]*, not starting with "__") and its VALUE (any bytes: escaped). */
struct mt_label {
	const char *name, *value;
};

/*
 * A histogram: NB upper bounds (ascending, finite) shared by its
 * observations, COUNTS[i] the observations in (bounds[i-1], bounds[i]]
 * and COUNTS[NB] those above the last bound (not cumulative: the writer
 * adds them up), SUM and COUNT of all of them.
 */
struct mt_hist {
	const double *bounds;
	size_t nb;
	uint64_t *counts;
	double sum;
	uint64_t count;
};

/* H with the NB BOUNDS (borrowed: they must outlive H), no observations. */
void mt_hist_init(struct mt_hist *h, const double *bounds, size_t nb);
/* One observation of V. */
void mt_hist_observe(struct mt_hist *h, double v);
void mt_hist_free(struct mt_hist *h);

/* A series or family written: where its text is (in the output, or in fams), and its hash. */
struct mt_key {
	size_t off, len;
	uint64_t hash;
	int fam;		/* a family name in fams, not a series in the output */
};

/* A writer of one exposition into OUT: the series written so far, to refuse a second of one. */
struct mt_writer {
	struct buf *out;
	struct buf fams;	/* the family names started */
	struct mt_key *slot;	/* hash table (len 0: empty) of the series and families written */
	size_t nslot, nkeys;
	char fam[128];		/* the current family ("": none, or refused) */
	size_t famlen;
	enum mt_type type;
	unsigned refused;	/* samples or families refused: bad name, duplicate, wrong type */
};

/* W writes into OUT (appended to). */
void mt_init(struct mt_writer *w, struct buf *out);
/* W writes a new exposition into OUT, its memory kept (what was written before is forgotten). */
void mt_reset(struct mt_writer *w, struct buf *out);
void mt_free(struct mt_writer *w);

/* 1 when NAME is a valid metric name ([a-zA-Z_:][a-zA-Z0-9_:]*). */
int mt_valid_name(const char *name);
/* 1 when NAME is a valid label name ([a-zA-Z_][a-zA-Z0-9_]*, not "__..."). */
int mt_valid_label(const char *name);

/*
 * NAME made a metric name into OUT (CAP bytes): PREFIX then NAME with each
 * byte that may not be in a name ('.', '-', anything else) turned into
 * '_', as the NUT exporter turns battery.charge into
 * network_ups_tools_battery_charge.  Returns OUT, or NULL when it does not
 * fit.
 */
char *mt_name_from(char *out, size_t cap, const char *prefix, const char *name);

/*
 * Start the family NAME of TYPE with the one-line HELP (escaped).  -1 when
 * NAME is invalid or was started before: its samples are then refused.
 */
int mt_family(struct mt_writer *w, const char *name, enum mt_type type, const char *help);

/*
 * One sample of the current family (a counter or gauge) with the N LABELS
 * (in that order) and value V.  -1 (nothing written) when there is no
 * family, a label name is invalid, or the series was written before.
 */
int mt_sample(struct mt_writer *w, const struct mt_label *labels, size_t n, double v);

/* The same with a whole value (a counter's). */
int mt_sample_u(struct mt_writer *w, const struct mt_label *labels, size_t n, uint64_t v);

/*
 * The series of histogram H with the N LABELS: NAME_bucket{...,le="b"}
 * cumulative for each bound and le="+Inf", then NAME_sum and NAME_count.
 * -1 as mt_sample(), or when the family is no histogram or LABELS has le.
 */
int mt_histogram(struct mt_writer *w, const struct mt_label *labels, size_t n, const struct mt_hist *h);

/* V as Prometheus writes a float: NaN, +Inf, -Inf, or the shortest of %.15g/%.17g that reads back the same. */
const char *mt_fmt_double(char *buf, size_t len, double v);

#endif
