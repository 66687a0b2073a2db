/* SPDX-License-Identifier: GPL-2.0-or-later */
/* sim-trace.c - formatting of simulation traces (aligned text, JSON Lines) and the --expect line diff. */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdio_ext.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/json.h"
#include "base/source.h"
#include "base/xalloc.h"
#include "runtime/common/exit-codes.h"
#include "runtime/common/sim-trace.h"

static const char *const prio_names[] = {
	"emerg", "alert", "crit", "err", "warning", "notice", "info", "debug"
};

/*
 * Lines are built in tr->line and written 64 KiB at a time: millions of
 * lines (a 10,000-UPS rehearsal) would otherwise spend their time in
 * stdio calls.
 */
static void lb_flush(struct sim_trace *tr)
{
	if (tr->capture_max && tr->kept >= tr->capture_max)
		tr->overflow |= tr->ln > 0;	/* longer than what it is compared with: not kept */
	else if (tr->ln)
		fwrite(tr->line, 1, tr->ln, tr->out);
	tr->kept += tr->ln;
	tr->ln = 0;
}

/*
 * tr->line is a plain array grown by xgrow(), not a struct buf: the
 * daemon frees it itself (runtime/daemon/daemon.c), and no NUL is kept
 * after a line only ever written out.
 */
static void lb_mem(struct sim_trace *tr, const char *s, size_t n)
{
	if (n > tr->lcap - tr->ln)
		tr->line = xgrow(tr->line, &tr->lcap, tr->ln + n, 1);
	memcpy(tr->line + tr->ln, s, n);
	tr->ln += n;
}

static void lb_str(struct sim_trace *tr, const char *s)
{
	lb_mem(tr, s, strlen(s));
}

static void lb_chr(struct sim_trace *tr, char c)
{
	lb_mem(tr, &c, 1);
}

static void __attribute__((format(printf, 2, 3))) lb_fmt(struct sim_trace *tr, const char *fmt, ...)
{
	char buf[256];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (n > 0)
		lb_mem(tr, buf, (size_t)n < sizeof(buf) ? (size_t)n : sizeof(buf) - 1);
}

/* TIME with 3 decimals, right-aligned in WIDTH columns (printf's %.3f is slow for millions of lines). */
static void lb_time(struct sim_trace *tr, double time, int width)
{
	char buf[48], *p = buf + sizeof(buf);
	unsigned long long ms;
	int n = 0;

	if (!(time >= 0 && time < 1e15)) {
		lb_fmt(tr, "%*.3f", width, time);
		return;
	}
	ms = (unsigned long long)(time * 1000 + 0.5);
	for (int d = 0; d < 3; d++, n++) {
		*--p = (char)('0' + ms % 10);
		ms /= 10;
	}
	*--p = '.';
	n++;
	do {
		*--p = (char)('0' + ms % 10);
		ms /= 10;
		n++;
	} while (ms);
	for (; n < width; n++)
		*--p = ' ';
	lb_mem(tr, p, (size_t)(buf + sizeof(buf) - p));
}

/* Seconds as %g would print them, without printf for the usual whole numbers. */
static void lb_secs(struct sim_trace *tr, double v)
{
	if (v >= 0 && v < 1e6 && v == (double)(unsigned long)v) {
		char buf[24], *p = buf + sizeof(buf);
		unsigned long x = (unsigned long)v;
		do {
			*--p = (char)('0' + x % 10);
			x /= 10;
		} while (x);
		lb_mem(tr, p, (size_t)(buf + sizeof(buf) - p));
	} else {
		lb_fmt(tr, "%g", v);
	}
}

/* S (LEN bytes) left-aligned in WIDTH columns, padded only when MORE follows. */
static void lb_col(struct sim_trace *tr, const char *s, size_t len, int width, int more)
{
	static const char spaces[] = "                                                ";

	lb_mem(tr, s, len);
	if (more && (int)len < width)
		lb_mem(tr, spaces, (size_t)(width - (int)len) < sizeof(spaces) - 1 ? (size_t)(width - (int)len) :
		       sizeof(spaces) - 1);
}

/* Text output: the LEN bytes at S on one line, newlines as \n, control bytes as \xNN. */
static void lb_text(struct sim_trace *tr, const char *s, size_t len)
{
	size_t run = 0;

	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c >= 0x20 && c != 0x7f && c != '\\')
			continue;
		lb_mem(tr, s + run, i - run);
		run = i + 1;
		if (c == '\n')
			lb_mem(tr, "\\n", 2);
		else if (c == '\\')
			lb_mem(tr, "\\\\", 2);
		else
			lb_fmt(tr, "\\x%02x", c);
	}
	lb_mem(tr, s + run, len - run);
}

/* A JSON string (base/json.c: jansson's, bytes that are not UTF-8 as U+FFFD), appended to the line. */
static void lb_json(struct sim_trace *tr, const char *s, size_t len)
{
	struct buf b = { tr->line, tr->ln, tr->lcap };	/* the line, lent as the buf it is laid out as */

	jsonw_str(&b, s, len);
	tr->line = b.p;
	tr->ln = b.len;
	tr->lcap = b.cap;
}

/* ,"KEY":"S" */
static void lb_jstr(struct sim_trace *tr, const char *key, const char *s, size_t len)
{
	lb_chr(tr, ',');
	lb_chr(tr, '"');
	lb_str(tr, key);
	lb_mem(tr, "\":", 2);
	lb_json(tr, s, len);
}

int sim_trace_open(struct sim_trace *tr, const struct plan_image *img, const struct vm *vm, int json,
		   size_t capture_max, FILE *out)
{
	memset(tr, 0, sizeof(*tr));
	tr->img = img;
	tr->vm = vm;
	tr->json = json;
	tr->capture_max = capture_max;
	tr->out = capture_max ? open_memstream(&tr->buf, &tr->len) : out;
	if (tr->out)
		__fsetlocking(tr->out, FSETLOCKING_BYCALLER);	/* one thread: no lock per call */
	tr->event_len = (size_t)snprintf(tr->event, sizeof(tr->event), "-");
	tr->ups_width = 5;
	for (uint32_t u = 0; u < img->ups.n; u++) {
		size_t l = strlen(vm_ups_display(vm, u));
		if ((int)l > tr->ups_width)
			tr->ups_width = l > 40 ? 40 : (int)l;
	}
	return tr->out ? 0 : -1;
}

static const char *timer_name(const struct sim_trace *tr, uint32_t t, size_t *len)
{
	*len = tr->img->timers.v[t].len;
	return img_bytes(tr->img, tr->img->timers.v[t]);
}

/* The start of a line: time, UPS, event, kind (MORE: details follow). */
static void line_head(struct sim_trace *tr, double time, const char *ups, const char *kind, int more)
{
	tr->lines++;
	if (tr->json) {
		lb_mem(tr, "{\"time\":", 8);
		lb_time(tr, time, 0);
		lb_jstr(tr, "ups", ups, strlen(ups));
		lb_jstr(tr, "event", tr->event, tr->event_len);
		lb_jstr(tr, "kind", kind, strlen(kind));
	} else {
		lb_time(tr, time, 10);
		lb_mem(tr, "  ", 2);
		lb_col(tr, ups, strlen(ups), tr->ups_width, 1);
		lb_mem(tr, "  ", 2);
		lb_col(tr, tr->event, tr->event_len, 16, 1);
		lb_chr(tr, ' ');
		lb_col(tr, kind, strlen(kind), 12, more);
	}
}

static void line_text(struct sim_trace *tr, const char *s, size_t len)
{
	if (tr->json) {
		lb_jstr(tr, "text", s, len);
	} else {
		lb_chr(tr, ' ');
		lb_text(tr, s, len);
	}
}

static void line_end(struct sim_trace *tr)
{
	if (tr->json)
		lb_chr(tr, '}');
	lb_chr(tr, '\n');
	if (tr->ln >= 65536)
		lb_flush(tr);
}

/* ALERT name severity=word "text", RESOLVE name, HOOKS /dir "message" (JSON: alert, severity, directory, text). */
static void alert_line(struct sim_trace *tr, const struct vm_effect *e)
{
	if (tr->json) {
		lb_jstr(tr, e->kind == OP_HOOKS ? "directory" : "alert", e->name, e->name_len);
		if (e->kind == OP_ALERT)
			lb_jstr(tr, "severity", e->aux, e->aux_len);
		if (e->kind != OP_RESOLVE)
			lb_jstr(tr, "text", e->text, e->len);
		return;
	}
	lb_chr(tr, ' ');
	lb_text(tr, e->name, e->name_len);
	if (e->kind == OP_ALERT) {
		lb_str(tr, " severity=");
		lb_text(tr, e->aux, e->aux_len);
	}
	if (e->kind != OP_RESOLVE) {
		lb_mem(tr, " \"", 2);
		lb_text(tr, e->text, e->len);
		lb_chr(tr, '"');
	}
}

static void effect_line(struct sim_trace *tr, double time, const struct vm_effect *e)
{
	const struct plan_image *img = tr->img;
	const char *tn;
	size_t tl;

	line_head(tr, time, vm_ups_display(tr->vm, e->ups), vm_effect_name(e->kind), 1);
	switch (e->kind) {
	case OP_SYSLOG:
		if (tr->json) {
			lb_jstr(tr, "priority", prio_names[e->prio], strlen(prio_names[e->prio]));
		} else {
			lb_mem(tr, " [", 2);
			lb_str(tr, prio_names[e->prio]);
			lb_chr(tr, ']');
		}
		line_text(tr, e->text, e->len);
		break;
	case OP_SHUTDOWNCMD:
		line_text(tr, e->text, e->len);
		if (tr->json) {
			lb_mem(tr, ",\"argv\":[", 9);
			for (uint32_t i = 0; i < e->argc; i++) {
				if (i)
					lb_chr(tr, ',');
				lb_json(tr, e->argv[i], strlen(e->argv[i]));
			}
			lb_chr(tr, ']');
		}
		break;
	case OP_EMAIL:
		if (tr->json) {
			static const char *const keys[] = { "from", "to", "subject", "body" };
			for (int k = 0; k < 4; k++)
				lb_jstr(tr, keys[k], e->field[k], e->flen[k]);
		} else {
			static const char *const labels[] = { " From: ", " | To: ", " | Subject: ", " | " };
			for (int k = 0; k < 4; k++) {
				lb_str(tr, labels[k]);
				lb_text(tr, e->field[k], e->flen[k]);
			}
		}
		break;
	case OP_SETFSD: {
		const char *t = vm_ups_display(tr->vm, e->target);
		if (tr->json) {
			lb_jstr(tr, "target", t, strlen(t));
		} else {
			lb_chr(tr, ' ');
			lb_str(tr, t);
		}
		break;
	}
	case OP_DEBUG:
		lb_fmt(tr, tr->json ? ",\"level\":%u" : " level %u", e->level);
		break;
	case OP_STARTTIMER:
		tn = timer_name(tr, e->target, &tl);
		if (tr->json) {
			lb_jstr(tr, "timer", tn, tl);
			lb_str(tr, ",\"seconds\":");
			lb_secs(tr, e->seconds);
			lb_str(tr, ",\"deadline\":");
			lb_time(tr, e->deadline, 0);
			lb_str(tr, e->was_running ? ",\"rearmed\":true" : ",\"rearmed\":false");
		} else {
			lb_chr(tr, ' ');
			lb_mem(tr, tn, tl);
			lb_chr(tr, ' ');
			lb_secs(tr, e->seconds);
			lb_str(tr, "s, expires at ");
			lb_time(tr, e->deadline, 0);
			if (e->was_running)
				lb_str(tr, " (re-armed)");
		}
		break;
	case OP_CANCELTIMER:
		tn = timer_name(tr, e->target, &tl);
		if (tr->json) {
			lb_jstr(tr, "timer", tn, tl);
			lb_str(tr, e->was_running ? ",\"running\":true" : ",\"running\":false");
		} else {
			lb_chr(tr, ' ');
			lb_mem(tr, tn, tl);
			if (!e->was_running)
				lb_str(tr, " (was not running)");
		}
		break;
	case OP_MARK:
	case OP_UNMARK: {
		struct img_str m = img->marks.v[e->target];
		if (tr->json) {
			lb_jstr(tr, "mark", img_bytes(img, m), m.len);
			lb_str(tr, e->changed ? ",\"changed\":true" : ",\"changed\":false");
		} else {
			lb_chr(tr, ' ');
			lb_mem(tr, img_bytes(img, m), m.len);
			if (!e->changed)
				lb_str(tr, e->kind == OP_MARK ? " (was marked)" : " (was not marked)");
		}
		break;
	}
	case OP_ALERT:
	case OP_RESOLVE:
	case OP_HOOKS:
		alert_line(tr, e);
		break;
	default:		/* texts, FAULT */
		line_text(tr, e->text, e->len);
		break;
	}
	if (e->loc && (tr->json || e->kind == VM_FAULT)) {
		const struct img_str f = img->files.v[e->loc->file];
		char src[4200];
		int n = snprintf(src, sizeof(src), "%.*s:%u:%u", (int)(f.len > 4000 ? 4000 : f.len),
				 img_bytes(img, f), e->loc->line, e->loc->col);
		if (tr->json) {
			lb_jstr(tr, "source", src, (size_t)n);
		} else {
			lb_mem(tr, " (", 2);
			lb_text(tr, src, (size_t)n);
			lb_chr(tr, ')');
		}
	}
	line_end(tr);
}

void sim_trace_line(struct sim_trace *tr, const struct eng_trace *t)
{
	const char *tn;
	size_t tl;

	switch (t->kind) {
	case ENG_EVENT: {
		const char *name = ev_pair_name(t->pair);
		tr->event_len = strlen(name);	/* at most 14 bytes */
		memcpy(tr->event, name, tr->event_len + 1);
		line_head(tr, t->time, vm_ups_display(tr->vm, t->ups), "event", 0);
		line_end(tr);
		break;
	}
	case ENG_LEVEL: {
		const char *name = (t->pair - VM_LEVEL_PAIRS_BASE) % 2 ? "CEASES" : "BECOMES";
		tr->event_len = strlen(name);
		memcpy(tr->event, name, tr->event_len + 1);
		line_head(tr, t->time, vm_ups_display(tr->vm, t->ups), "level", 0);
		line_end(tr);
		break;
	}
	case ENG_ALERT: {	/* "ALERT name FIRING", as %(e)s of its run */
		uint32_t r = (t->pair - VM_ALERT_PAIRS_BASE) / 2;
		struct img_str n = tr->img->cstrs.v[tr->img->arules.v[r].name];
		tr->event_len = (size_t)snprintf(tr->event, sizeof(tr->event), "ALERT %.*s %s", (int)n.len,
						 img_bytes(tr->img, n), (t->pair - VM_ALERT_PAIRS_BASE) % 2 ? "FIRING" : "RESOLVED");
		if (tr->event_len >= sizeof(tr->event))
			tr->event_len = sizeof(tr->event) - 1;
		line_head(tr, t->time, "-", "alert", 0);
		line_end(tr);
		break;
	}
	case ENG_EXPIRY:
		tn = timer_name(tr, t->timer, &tl);
		tr->event_len = (size_t)snprintf(tr->event, sizeof(tr->event), "TO->%.*s", (int)tl, tn);
		if (tr->event_len >= sizeof(tr->event))
			tr->event_len = sizeof(tr->event) - 1;
		line_head(tr, t->time, "-", "expiry", 0);
		line_end(tr);
		break;
	case ENG_EFFECT:
		effect_line(tr, t->time, t->effect);
		break;
	case ENG_UNKNOWN_VAR: {
		/* in the event the condition was read for: "note ... is unknown" */
		struct img_str v = tr->img->vars.v[t->var];
		char msg[400];
		int n = snprintf(msg, sizeof(msg), "variable %.*s is unknown (the UPS has not reported it): its comparisons are false, texts show it as " IMG_VAR_UNKNOWN,
				 (int)(v.len > 200 ? 200 : v.len), img_bytes(tr->img, v));
		line_head(tr, t->time, vm_ups_display(tr->vm, t->ups), "unknown", 1);
		line_text(tr, msg, (size_t)n < sizeof(msg) ? (size_t)n : sizeof(msg) - 1);
		line_end(tr);
		break;
	}
	}
}

void sim_trace_note(struct sim_trace *tr, double time, const char *msg)
{
	tr->event_len = (size_t)snprintf(tr->event, sizeof(tr->event), "-");
	line_head(tr, time, "-", "note", 1);
	line_text(tr, msg, strlen(msg));
	line_end(tr);
}

void sim_trace_end(struct sim_trace *tr, double time)
{
	tr->event_len = (size_t)snprintf(tr->event, sizeof(tr->event), "-");
	line_head(tr, time, "-", "end", 0);
	line_end(tr);
	lb_flush(tr);
}

/* Split BUF (LEN bytes) into lines, in place. */
static char **split_lines(char *buf, size_t len, size_t *n)
{
	size_t cap = 0;
	char **v = xgrow(NULL, &cap, 16, sizeof(*v));

	*n = 0;
	for (size_t i = 0; i < len;) {
		char *nl = memchr(buf + i, '\n', len - i);
		v = xgrow(v, &cap, *n + 1, sizeof(*v));
		v[(*n)++] = buf + i;
		if (!nl)
			break;
		*nl = '\0';
		i = (size_t)(nl - buf) + 1;
	}
	return v;
}

/*
 * The N lines of V as they are compared: themselves for a text trace; for
 * JSON Lines each line's value written again by jansson, so that a trace
 * kept by an older upsplan, which spelt some escapes otherwise ("\u0009"
 * for "\t"), still matches (a line that is no JSON stays as it is).  The
 * strings are V's or new ones: free them with free_canon().
 */
static char **canon_lines(char **v, size_t n, int json)
{
	char **c = xcalloc(n + 1, sizeof(*c));

	for (size_t i = 0; i < n; i++) {
		json_t *j = json ? json_loads(v[i], JSON_DECODE_ANY, NULL) : NULL;
		char *s = j ? json_dumps(j, JSON_COMPACT | JSON_ENCODE_ANY) : NULL;

		json_decref(j);
		c[i] = s ? s : v[i];
	}
	return c;
}

static void free_canon(char **c, char **v, size_t n)
{
	for (size_t i = 0; c && i < n; i++)
		if (c[i] != v[i])
			free(c[i]);
	free(c);
}

/* Do the N lines of A and B compare equal (canon_lines())? */
static int same_lines(char **a, char **b, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(a[i], b[i]) != 0)
			return 0;
	return 1;
}

/*
 * Print the differences of A (expected) and B (got) as -/+ lines with line
 * numbers, at most 40; CA and CB are the lines as compared (canon_lines()).
 */
static void print_diff(char **a, char **ca, size_t na, char **b, char **cb, size_t nb, FILE *err)
{
	size_t i = 0, j = 0, shown = 0;
	uint32_t *lcs = NULL;

	if ((na + 1) * (nb + 1) <= 16u * 1024 * 1024)
		lcs = calloc((na + 1) * (nb + 1), sizeof(*lcs));
	if (lcs) {
		for (size_t x = na; x-- > 0;)
			for (size_t y = nb; y-- > 0;)
				lcs[x * (nb + 1) + y] = strcmp(ca[x], cb[y]) == 0 ? lcs[(x + 1) * (nb + 1) + y + 1] + 1 :
					lcs[(x + 1) * (nb + 1) + y] > lcs[x * (nb + 1) + y + 1] ?
					lcs[(x + 1) * (nb + 1) + y] : lcs[x * (nb + 1) + y + 1];
	}
	while ((i < na || j < nb) && shown < 40) {
		if (i < na && j < nb && strcmp(ca[i], cb[j]) == 0) {
			i++;
			j++;
		} else if (j < nb && (i == na || (lcs && lcs[i * (nb + 1) + j + 1] > lcs[(i + 1) * (nb + 1) + j]))) {
			fprintf(err, "+%zu: %s\n", j + 1, b[j]);
			j++;
			shown++;
		} else {
			fprintf(err, "-%zu: %s\n", i + 1, a[i]);
			i++;
			shown++;
		}
	}
	if (shown == 40)
		fprintf(err, "... (more differences)\n");
	free(lcs);
}

int sim_trace_close(struct sim_trace *tr, const char *expect)
{
	char *want = NULL, **wl = NULL, **gl = NULL, **cw = NULL, **cg = NULL, why[600];
	size_t wlen = 0, wn = 0, gn = 0;
	int rc = EXIT_ERRORS;

	lb_flush(tr);
	free(tr->line);
	tr->line = NULL;
	if (!expect)
		return EXIT_CLEAN;
	fclose(tr->out);
	want = src_read_file(expect, SIZE_MAX / 4, &wlen, NULL, why, sizeof(why));	/* no FIFO waited on */
	if (!want) {
		fprintf(stderr, "upsplan simulate: %s\n", why);
		free(tr->buf);
		return EXIT_USAGE;
	}
	if (!tr->overflow && wlen == tr->len && memcmp(want, tr->buf, wlen) == 0)
		rc = EXIT_CLEAN;
	if (rc != EXIT_CLEAN) {
		wl = split_lines(want, wlen, &wn);
		gl = split_lines(tr->buf, tr->len, &gn);
		cw = canon_lines(wl, wn, tr->json);
		cg = canon_lines(gl, gn, tr->json);
		if (!tr->overflow && tr->json && wn == gn && same_lines(cw, cg, wn))
			rc = EXIT_CLEAN;	/* the same values, other spellings */
	}
	if (rc == EXIT_CLEAN) {
		fprintf(stderr, "upsplan simulate: the trace matches %s (%lu lines)\n", expect, tr->lines);
	} else {
		fprintf(stderr, "upsplan simulate: the trace differs from %s (- expected line, + simulated line):\n",
			expect);
		if (tr->overflow)
			fprintf(stderr, "upsplan simulate: the simulated trace is longer than %s (%zu bytes): "
				"%zu bytes of it are compared\n", expect, wlen, tr->len);
		print_diff(wl, cw, wn, gl, cg, gn, stderr);
	}
	free_canon(cw, wl, wn);
	free_canon(cg, gl, gn);
	free(wl);
	free(gl);
	free(want);
	free(tr->buf);
	return rc;
}

void sim_trace_flush(struct sim_trace *tr)
{
	lb_flush(tr);
	fflush(tr->out);
}
