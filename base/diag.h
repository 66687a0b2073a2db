/* SPDX-License-Identifier: GPL-2.0-or-later */
/* diag.h - the diagnostics module: queued records with stable codes, GNU and JSON rendering. */
#ifndef UPSPLAN_DIAG_H
#define UPSPLAN_DIAG_H

#include <stdarg.h>
#include <stdio.h>
#include "base/source.h"

enum diag_severity { DIAG_ERROR, DIAG_WARNING, DIAG_NOTE };

enum diag_code {
#define DIAG_CODE(id, num, sev, meaning) DIAG_##id,
#include "base/diag-codes.def"
#undef DIAG_CODE
	DIAG_NCODES
};

struct diag_note {
	src_span span;		/* len 0 and off UINT32_MAX: no location */
	char *msg;
};

struct diag_record {
	enum diag_code code;
	enum diag_severity sev;	/* after -Werror promotion */
	src_span span;
	int has_span;
	char *msg;
	struct diag_note *notes;
	size_t nnotes;
	size_t seq;		/* queue order, the tie-break of the sort */
};

struct diag_queue {
	const struct src_registry *reg;
	struct diag_record *recs;
	size_t nrecs, cap;
	size_t nerrors, nwarnings;
	size_t max_errors;	/* cap; 0: no cap */
	int werror;		/* warnings count as errors */
	int refuse_hazards;	/* hazards (warnings that change an outage's outcome) count as errors */
	unsigned char disabled[DIAG_NCODES];
	int capped;		/* the cap was reached: later errors dropped */
};

/* Initialise Q for sources of REG. */
void diag_init(struct diag_queue *q, const struct src_registry *reg);
/* Free every record of Q. */
void diag_free(struct diag_queue *q);

/*
 * Queue a diagnostic with code CODE at SPAN; the message is printf-style.
 * Returns the record (to attach notes), or NULL when it was disabled or
 * dropped past the error cap.
 */
struct diag_record *diag_at(struct diag_queue *q, enum diag_code code,
			    src_span span, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
/* The same without a source location (file-level problems). */
struct diag_record *diag_nowhere(struct diag_queue *q, enum diag_code code,
				 const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Attach a note, with or without a location (HAS_SPAN), to record R (may be NULL). */
void diag_note(struct diag_queue *q, struct diag_record *r, int has_span,
	       src_span span, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));

/* Span meaning "the whole file F": rendered as file:1:1 without a source line. */
#define DIAG_FILE_SPAN(f) ((src_span){ (f)->base, UINT32_MAX })

/* "E430" / "W600" for CODE (static storage). */
const char *diag_code_name(enum diag_code code);
/* CODE for a name such as "W600" or "600", or -1. */
int diag_code_lookup(const char *name);
/* Default severity of CODE. */
enum diag_severity diag_code_severity(enum diag_code code);
/* Is CODE a hazard: a warning about what changes the outcome of an outage (HAZARD in diag-codes.def)? */
int diag_code_hazard(enum diag_code code);
/* Add the note TEXT (no location) to every hazard of Q that refuse_hazards made an error. */
void diag_note_hazards(struct diag_queue *q, const char *text);

/* Flags of diag_render_gnu(). */
#define DIAG_RENDER_COLOR 1	/* ANSI colors */
#define DIAG_RENDER_NOSOURCE 2	/* no source excerpts: the daemon's logs, where a PASSWORD must not appear */

/* Sort the queued records by location (stable) and render them GNU style, with FLAGS (DIAG_RENDER_*). */
void diag_render_gnu(struct diag_queue *q, FILE *out, int flags);
/* Render the queued records as one JSON array. */
void diag_render_json(struct diag_queue *q, FILE *out);

/* Has Q an error (including warnings promoted by -Werror)? */
int diag_failed(const struct diag_queue *q);

#endif
