/* SPDX-License-Identifier: GPL-2.0-or-later */
/* diag.c - the diagnostics module: queue records, sort them, render GNU text or JSON. */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/diag.h"
#include "base/json.h"
#include "base/xalloc.h"

struct diag_info {
	int num;
	enum diag_severity sev;
	int hazard;		/* a warning that changes what happens in an outage */
	const char *meaning;
};

static const struct diag_info diag_infos[DIAG_NCODES] = {
#define ERROR DIAG_ERROR, 0
#define WARNING DIAG_WARNING, 0
#define HAZARD DIAG_WARNING, 1
#define DIAG_CODE(id, num, sev, meaning) { num, sev, meaning },
#include "base/diag-codes.def"
#undef DIAG_CODE
#undef ERROR
#undef WARNING
#undef HAZARD
};

static char *diag_vfmt(const char *fmt, va_list ap)
{
	va_list ap2;
	int n;
	char *s;

	va_copy(ap2, ap);
	n = vsnprintf(NULL, 0, fmt, ap2);
	va_end(ap2);
	if (n < 0)
		n = 0;
	s = xrealloc(NULL, (size_t)n + 1);
	vsnprintf(s, (size_t)n + 1, fmt, ap);
	return s;
}

void diag_init(struct diag_queue *q, const struct src_registry *reg)
{
	memset(q, 0, sizeof(*q));
	q->reg = reg;
	q->max_errors = 100;
}

void diag_free(struct diag_queue *q)
{
	for (size_t i = 0; i < q->nrecs; i++) {
		for (size_t j = 0; j < q->recs[i].nnotes; j++)
			free(q->recs[i].notes[j].msg);
		free(q->recs[i].notes);
		free(q->recs[i].msg);
	}
	free(q->recs);
	q->recs = NULL;
	q->nrecs = q->cap = 0;
}

const char *diag_code_name(enum diag_code code)
{
	static char names[DIAG_NCODES][8];

	if ((unsigned)code >= DIAG_NCODES)
		return "E000";
	if (!names[code][0])
		snprintf(names[code], sizeof(names[code]), "%c%03d",
			 diag_infos[code].sev == DIAG_ERROR ? 'E' : 'W',
			 diag_infos[code].num);
	return names[code];
}

int diag_code_lookup(const char *name)
{
	char *end;
	long num;
	int want = -1;		/* severity the prefix asks for */

	if (name[0] == 'E' || name[0] == 'e')
		want = DIAG_ERROR;
	else if (name[0] == 'W' || name[0] == 'w')
		want = DIAG_WARNING;
	if (want >= 0)
		name++;
	if (!(name[0] >= '0' && name[0] <= '9'))
		return -1;
	num = strtol(name, &end, 10);
	if (*end)
		return -1;
	for (int i = 0; i < DIAG_NCODES; i++)
		if (diag_infos[i].num == num && (want < 0 || (int)diag_infos[i].sev == want))
			return i;
	return -1;
}

enum diag_severity diag_code_severity(enum diag_code code)
{
	return diag_infos[code].sev;
}

int diag_code_hazard(enum diag_code code)
{
	return diag_infos[code].hazard;
}

void diag_note_hazards(struct diag_queue *q, const char *text)
{
	size_t n = q->nrecs;	/* diag_note() does not add records */

	for (size_t i = 0; i < n; i++)
		if (q->recs[i].sev == DIAG_ERROR && diag_infos[q->recs[i].code].hazard)
			diag_note(q, &q->recs[i], 0, q->recs[i].span, "%s", text);
}

static struct diag_record *diag_push(struct diag_queue *q, enum diag_code code,
				     int has_span, src_span span, const char *fmt, va_list ap)
{
	struct diag_record *r;
	enum diag_severity sev = diag_infos[code].sev;

	if (q->disabled[code])
		return NULL;
	if (sev == DIAG_WARNING && (q->werror || (q->refuse_hazards && diag_infos[code].hazard)))
		sev = DIAG_ERROR;
	if (q->capped)
		return NULL;
	if (sev == DIAG_ERROR && q->max_errors && q->nerrors >= q->max_errors) {
		q->capped = 1;
		code = DIAG_TOO_MANY;
		sev = DIAG_ERROR;
		fmt = NULL;
	}
	q->recs = xgrow(q->recs, &q->cap, q->nrecs + 1, sizeof(*q->recs));
	r = &q->recs[q->nrecs++];
	memset(r, 0, sizeof(*r));
	r->code = code;
	r->sev = sev;
	r->span = span;
	r->has_span = has_span;
	if (fmt) {
		r->msg = diag_vfmt(fmt, ap);
	} else {
		char buf[96];
		snprintf(buf, sizeof(buf), "too many errors; stopping after %zu (fix these first)",
			 q->max_errors);
		r->msg = xstrdup(buf);
	}
	if (sev == DIAG_ERROR)
		q->nerrors++;
	else
		q->nwarnings++;
	return q->capped ? NULL : r;
}

struct diag_record *diag_at(struct diag_queue *q, enum diag_code code,
			    src_span span, const char *fmt, ...)
{
	struct diag_record *r;
	va_list ap;

	va_start(ap, fmt);
	r = diag_push(q, code, 1, span, fmt, ap);
	va_end(ap);
	return r;
}

struct diag_record *diag_nowhere(struct diag_queue *q, enum diag_code code,
				 const char *fmt, ...)
{
	struct diag_record *r;
	va_list ap;

	va_start(ap, fmt);
	r = diag_push(q, code, 0, (src_span){ 0, 0 }, fmt, ap);
	va_end(ap);
	return r;
}

void diag_note(struct diag_queue *q, struct diag_record *r, int has_span,
	       src_span span, const char *fmt, ...)
{
	va_list ap;

	(void)q;
	if (!r)
		return;
	r->notes = xrealloc(r->notes, (r->nnotes + 1) * sizeof(*r->notes));
	va_start(ap, fmt);
	r->notes[r->nnotes].msg = diag_vfmt(fmt, ap);
	va_end(ap);
	r->notes[r->nnotes].span = has_span ? span : (src_span){ UINT32_MAX, 0 };
	r->nnotes++;
}

int diag_failed(const struct diag_queue *q)
{
	return q->nerrors > 0;
}

static int diag_cmp(const void *a, const void *b)
{
	const struct diag_record *x = a, *y = b;
	uint64_t kx = x->has_span ? x->span.off : 0;
	uint64_t ky = y->has_span ? y->span.off : 0;

	if (kx != ky)
		return kx < ky ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* Sort by location, keeping queue order for equal locations. */
static void diag_sort(struct diag_queue *q)
{
	for (size_t i = 0; i < q->nrecs; i++)
		q->recs[i].seq = i;
	if (q->nrecs > 1)
		qsort(q->recs, q->nrecs, sizeof(*q->recs), diag_cmp);
}

/*
 * A code point a terminal acts on rather than shows: the C1 controls
 * (U+0080-U+009F: U+009B is CSI) and the bidirectional formatting marks,
 * which reorder what a reader sees around them.
 */
static int diag_cp_control(const char *s, size_t n)
{
	uint32_t cp = src_utf8_cp(s, n);

	return (cp >= 0x80 && cp <= 0x9F) || cp == 0x061C || cp == 0x200E || cp == 0x200F ||
	       (cp >= 0x202A && cp <= 0x202E) || (cp >= 0x2066 && cp <= 0x2069);
}

/*
 * Write text so that it cannot disturb a terminal: control bytes, control
 * code points and bytes that are not valid UTF-8 become '?' (one column
 * each, as src_utf8_width() counts them, so the caret stays aligned).
 */
static void diag_put_clean(FILE *out, const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;

	for (size_t i = 0; i < len; i++) {
		size_t n;
		if (p[i] == '\t' || (p[i] >= 0x20 && p[i] < 0x7F)) {
			fputc(p[i], out);
		} else if (p[i] >= 0x80 && (n = src_utf8_seq(s + i, len - i)) > 0) {
			if (diag_cp_control(s + i, n))
				fputc('?', out);
			else
				fwrite(p + i, 1, n, out);
			i += n - 1;
		} else {
			fputc('?', out);
		}
	}
}

static const char *const sev_names[] = { "error", "warning", "note" };

/* Code points in the LEN bytes at S, counting at most MAX of them; *BYTES: the bytes they take. */
static size_t diag_cps(const char *s, size_t len, size_t max, size_t *bytes)
{
	size_t i = 0, cp = 0;

	while (i < len && cp < max) {
		size_t n = src_utf8_seq(s + i, len - i);
		i += n ? n : 1;
		cp++;
	}
	if (bytes)
		*bytes = i;
	return cp;
}

/*
 * Print the source line of SPAN and an underline: caret, then tildes.  A
 * line of more than 200 code points is shown as a window of 160 around
 * the span, 60 before it.  The work is bounded by the window, not by the
 * line: thousands of diagnostics on one long line take time linear in
 * their number.
 */
static void diag_show_line(FILE *out, const struct src_file *f, unsigned line,
			   unsigned col, src_span span)
{
	size_t len, w, skip;
	const char *s = src_line(f, line, &len);
	const char *lead = "", *trail = "";
	const char *sp = f->text + (span.off - f->base);
	size_t ucol, ulen;	/* code points before (in the window) and in the span on this line */

	(void)col;
	if (!s)
		return;
	if (sp < s)
		sp = s;
	if (sp > s + len)
		sp = s + len;
	w = diag_cps(s, len, 201, NULL);
	/* span width in code points, clipped at the end of the line (and at 160 in a window) */
	ulen = diag_cps(sp, (size_t)(s + len - sp) < span.len ? (size_t)(s + len - sp) : span.len,
			w <= 200 ? 200 : 160, NULL);
	if (ulen == 0)
		ulen = 1;
	if (w <= 200) {
		ucol = diag_cps(s, (size_t)(sp - s), 200, NULL);
	} else {
		/*
		 * 60 code points before the span: counted from at most 244 bytes
		 * back (61 code points of at most 4 bytes), from a byte that is
		 * not a continuation byte, where decoding from the line's start
		 * also has a boundary
		 */
		const char *a = sp - s > 244 ? sp - 244 : s;
		size_t before;
		while (a > s && a < sp && ((unsigned char)*a & 0xC0) == 0x80)
			a++;
		before = diag_cps(a, (size_t)(sp - a), SIZE_MAX, NULL);
		ucol = before < 60 ? before : 60;
		diag_cps(a, (size_t)(sp - a), before - ucol, &skip);
		if (a + skip > s)
			lead = "...";
		len -= (size_t)(a + skip - s);
		s = a + skip;
		diag_cps(s, len, 160, &skip);
		if (skip < len)
			trail = "...";
		len = skip;
	}
	fprintf(out, "%5u | %s", line, lead);
	diag_put_clean(out, s, len);
	fprintf(out, "%s\n      | %s", trail, lead[0] ? "   " : "");
	/* copy tabs so the caret lines up with the source as displayed */
	for (size_t i = 0, cp = 0; i < len && cp < ucol; cp++) {
		size_t n = src_utf8_seq(s + i, len - i);
		fputc(s[i] == '\t' ? '\t' : ' ', out);
		i += n ? n : 1;
	}
	fputc('^', out);
	for (size_t i = 1; i < ulen; i++)
		fputc('~', out);
	fputc('\n', out);
}

static void diag_render_one(struct diag_queue *q, FILE *out, int flags, int has_span,
			    src_span span, enum diag_severity sev, const char *msg,
			    const char *code, const struct src_file *deffile,
			    unsigned defline, unsigned defcol)
{
	const struct src_file *f = NULL;
	unsigned line = 0, col = 0;
	const char *on = "", *off = "", *bold = "";

	if (flags & DIAG_RENDER_COLOR) {
		on = sev == DIAG_ERROR ? "\033[1;31m" : sev == DIAG_WARNING ? "\033[1;35m" : "\033[1;36m";
		off = "\033[0m";
		bold = "\033[1m";
	}
	if (has_span && src_position(q->reg, span.off, &f, &line, &col) == 0)
		fprintf(out, "%s%s:%u:%u:%s ", bold, f->name, line, col, off);
	else if (deffile)
		fprintf(out, "%s%s:%u:%u:%s ", bold, deffile->name, defline, defcol, off);
	else
		fprintf(out, "%supsplan:%s ", bold, off);
	fprintf(out, "%s%s:%s ", on, sev_names[sev], off);
	diag_put_clean(out, msg, strlen(msg));
	if (code)
		fprintf(out, " [%s]", code);
	fputc('\n', out);
	if (f && span.len != UINT32_MAX && !(flags & DIAG_RENDER_NOSOURCE))
		diag_show_line(out, f, line, col, span);
}

/*
 * GCC's include chain before the first diagnostic of an included file F:
 * "In file included from b.conf:2:1,", "                 from a.conf:3:1:".
 */
static void diag_chain(struct diag_queue *q, FILE *out, const struct src_file *f, int flags)
{
	const char *bold = flags & DIAG_RENDER_COLOR ? "\033[1m" : "", *off = flags & DIAG_RENDER_COLOR ? "\033[0m" : "";

	for (const struct src_file *p = f; p && p->parent; p = p->parent) {
		const struct src_file *pf;
		unsigned line, col;

		if (src_position(q->reg, p->incl_at, &pf, &line, &col) != 0)
			break;
		fprintf(out, "%s %s%s:%u:%u%s%c\n", p == f ? "In file included from" : "                 from",
			bold, pf->name, line, col, off, p->parent->parent ? ',' : ':');
	}
}

void diag_render_gnu(struct diag_queue *q, FILE *dest, int flags)
{
	const struct src_file *last = NULL;	/* the file of the last diagnostic, whose chain was shown */

	/* standard error is unbuffered: written in pieces of 64 KiB, not a write per character */
	char *buf = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&buf, &len), *out = m ? m : dest;

	diag_sort(q);
	for (size_t i = 0; i < q->nrecs; i++) {
		struct diag_record *r = &q->recs[i];
		const struct src_file *f = NULL;
		unsigned line = 0, col = 0;

		if (r->has_span)
			src_position(q->reg, r->span.off, &f, &line, &col);
		if (f != last && f && f->parent)
			diag_chain(q, out, f, flags);
		last = f;
		diag_render_one(q, out, flags, r->has_span, r->span, r->sev, r->msg,
				diag_code_name(r->code), NULL, 0, 0);
		for (size_t j = 0; j < r->nnotes; j++) {
			struct diag_note *n = &r->notes[j];
			diag_render_one(q, out, flags, n->span.off != UINT32_MAX, n->span,
					DIAG_NOTE, n->msg, NULL, f, line, col);
		}
		if (m && (fflush(m) != 0 || len >= 65536 || i + 1 == q->nrecs)) {
			fwrite(buf, 1, len, dest);
			rewind(m);
		}
	}
	if (m) {
		fclose(m);
		free(buf);
	}
}

/* Set the location keys of a JSON diagnostic in O: file, line, column (null without a span), end_line, end_column. */
static void json_loc(struct diag_queue *q, json_t *o, int has_span, src_span span)
{
	const struct src_file *f;
	unsigned line, col, eline, ecol;

	if (!has_span || src_position(q->reg, span.off, &f, &line, &col) != 0) {
		jsonw_set(o, "file", json_null());
		jsonw_set(o, "line", json_null());
		jsonw_set(o, "column", json_null());
		return;
	}
	if (span.len == UINT32_MAX)
		span.len = 0;
	src_position(q->reg, span.off + span.len, &f, &eline, &ecol);
	jsonw_set(o, "file", jsonw_string(f->name, strlen(f->name)));
	jsonw_set(o, "line", json_integer(line));
	jsonw_set(o, "column", json_integer(col));
	jsonw_set(o, "end_line", json_integer(eline));
	jsonw_set(o, "end_column", json_integer(ecol));
	if (f->parent) {	/* the include chain, the innermost INCLUDE first */
		json_t *chain = json_array();

		for (const struct src_file *p = f; p->parent; p = p->parent) {
			const struct src_file *pf;
			json_t *at;

			if (src_position(q->reg, p->incl_at, &pf, &line, &col) != 0)
				break;
			at = json_object();
			jsonw_set(at, "file", jsonw_string(pf->name, strlen(pf->name)));
			jsonw_set(at, "line", json_integer(line));
			jsonw_set(at, "column", json_integer(col));
			jsonw_append(chain, at);
		}
		jsonw_set(o, "included_from", chain);
	}
}

/*
 * An array of one object per diagnostic, each on a line of its own.  The
 * objects are dumped compact (JSON_COMPACT: no blank after ',' and ':');
 * jansson keeps the keys in the order they were set (since 2.8).
 */
void diag_render_json(struct diag_queue *q, FILE *out)
{
	struct buf b = BUF_INIT;

	diag_sort(q);
	buf_addc(&b, '[');
	for (size_t i = 0; i < q->nrecs; i++) {
		struct diag_record *r = &q->recs[i];
		json_t *o = json_object(), *notes = json_array();

		json_loc(q, o, r->has_span, r->span);
		jsonw_set(o, "severity", json_string(sev_names[r->sev]));
		jsonw_set(o, "code", json_string(diag_code_name(r->code)));
		jsonw_set(o, "message", jsonw_string(r->msg, strlen(r->msg)));
		for (size_t j = 0; j < r->nnotes; j++) {
			struct diag_note *n = &r->notes[j];
			json_t *no = json_object();

			json_loc(q, no, n->span.off != UINT32_MAX, n->span);
			jsonw_set(no, "message", jsonw_string(n->msg, strlen(n->msg)));
			jsonw_append(notes, no);
		}
		jsonw_set(o, "notes", notes);
		buf_adds(&b, i ? ",\n " : "\n ");
		jsonw_dump(&b, o, JSON_COMPACT);
		json_decref(o);
		if (b.len >= 65536) {
			fwrite(b.p, 1, b.len, out);
			buf_reset(&b);
		}
	}
	buf_adds(&b, q->nrecs ? "\n]\n" : "]\n");
	fwrite(b.p, 1, b.len, out);
	buf_free(&b);
}
