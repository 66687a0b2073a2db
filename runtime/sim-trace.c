/* sim-trace.c - formatting of simulation traces (aligned text, JSON Lines) and the --expect line diff. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "runtime/cli.h"
#include "runtime/sim-trace.h"

static const char *const prio_names[] = {
	"emerg", "alert", "crit", "err", "warning", "notice", "info", "debug"
};

int sim_trace_open(struct sim_trace *tr, const struct plan_image *img, const struct vm *vm, int json, int capture)
{
	memset(tr, 0, sizeof(*tr));
	tr->img = img;
	tr->vm = vm;
	tr->json = json;
	tr->out = capture ? open_memstream(&tr->buf, &tr->len) : stdout;
	snprintf(tr->event, sizeof(tr->event), "-");
	tr->ups_width = 5;
	for (uint32_t u = 0; u < img->ups.n; u++) {
		size_t l = strlen(vm_ups_display(vm, u));
		if ((int)l > tr->ups_width)
			tr->ups_width = l > 40 ? 40 : (int)l;
	}
	return tr->out ? 0 : -1;
}

/* Text output: the LEN bytes at S on one line, newlines as \n, control bytes as \xNN. */
static void put_text(FILE *out, const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c == '\n')
			fputs("\\n", out);
		else if (c == '\\')
			fputs("\\\\", out);
		else if (c < 0x20 || c == 0x7f)
			fprintf(out, "\\x%02x", c);
		else
			putc(c, out);
	}
}

/* A JSON string. */
static void put_json(FILE *out, const char *s, size_t len)
{
	putc('"', out);
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c == '"' || c == '\\')
			fprintf(out, "\\%c", c);
		else if (c == '\n')
			fputs("\\n", out);
		else if (c < 0x20 || c == 0x7f)
			fprintf(out, "\\u%04x", c);
		else
			putc(c, out);
	}
	putc('"', out);
}

static void put_jstr(FILE *out, const char *key, const char *s)
{
	fprintf(out, ",\"%s\":", key);
	put_json(out, s, strlen(s));
}

static const char *timer_name(const struct sim_trace *tr, uint32_t t)
{
	return img_bytes(tr->img, tr->img->timers.v[t]);
}

/* The start of a line: time, UPS, event, kind (MORE: details follow). */
static void line_head(struct sim_trace *tr, double time, const char *ups, const char *event, const char *kind,
		      int more)
{
	tr->lines++;
	if (tr->json) {
		fprintf(tr->out, "{\"time\":%.3f", time);
		put_jstr(tr->out, "ups", ups);
		put_jstr(tr->out, "event", event);
		put_jstr(tr->out, "kind", kind);
	} else {
		fprintf(tr->out, more ? "%10.3f  %-*s  %-16s %-12s" : "%10.3f  %-*s  %-16s %s", time, tr->ups_width, ups,
			event, kind);
	}
}

static void line_text(struct sim_trace *tr, const char *s, size_t len)
{
	if (tr->json) {
		fputs(",\"text\":", tr->out);
		put_json(tr->out, s, len);
	} else {
		putc(' ', tr->out);
		put_text(tr->out, s, len);
	}
}

static void line_end(struct sim_trace *tr)
{
	fputs(tr->json ? "}\n" : "\n", tr->out);
}

static void effect_line(struct sim_trace *tr, double time, const struct vm_effect *e)
{
	const struct plan_image *img = tr->img;
	FILE *out = tr->out;
	char buf[512];

	line_head(tr, time, vm_ups_display(tr->vm, e->ups), tr->event, vm_effect_name(e->kind), 1);
	switch (e->kind) {
	case OP_SYSLOG:
		if (tr->json) {
			put_jstr(out, "priority", prio_names[e->prio]);
			line_text(tr, e->text, e->len);
		} else {
			fprintf(out, " [%s]", prio_names[e->prio]);
			line_text(tr, e->text, e->len);
		}
		break;
	case OP_SHUTDOWNCMD:
		line_text(tr, e->text, e->len);
		if (tr->json) {
			fputs(",\"argv\":[", out);
			for (uint32_t i = 0; i < e->argc; i++) {
				if (i)
					putc(',', out);
				put_json(out, e->argv[i], strlen(e->argv[i]));
			}
			putc(']', out);
		}
		break;
	case OP_EMAIL:
		if (tr->json) {
			static const char *const keys[] = { "from", "to", "subject", "body" };
			for (int k = 0; k < 4; k++) {
				fprintf(out, ",\"%s\":", keys[k]);
				put_json(out, e->field[k], e->flen[k]);
			}
		} else {
			static const char *const labels[] = { " From: ", " | To: ", " | Subject: ", " | " };
			for (int k = 0; k < 4; k++) {
				fputs(labels[k], out);
				put_text(out, e->field[k], e->flen[k]);
			}
		}
		break;
	case OP_SETFSD:
		if (tr->json)
			put_jstr(out, "target", vm_ups_display(tr->vm, e->target));
		else
			fprintf(out, " %s", vm_ups_display(tr->vm, e->target));
		break;
	case OP_DEBUG:
		if (tr->json)
			fprintf(out, ",\"level\":%u", e->level);
		else
			fprintf(out, " level %u", e->level);
		break;
	case OP_STARTTIMER:
		if (tr->json) {
			put_jstr(out, "timer", timer_name(tr, e->target));
			fprintf(out, ",\"seconds\":%g,\"deadline\":%.3f,\"rearmed\":%s", e->seconds, e->deadline,
				e->was_running ? "true" : "false");
		} else {
			snprintf(buf, sizeof(buf), " %s %gs, expires at %.3f%s", timer_name(tr, e->target), e->seconds,
				 e->deadline, e->was_running ? " (re-armed)" : "");
			fputs(buf, out);
		}
		break;
	case OP_CANCELTIMER:
		if (tr->json) {
			put_jstr(out, "timer", timer_name(tr, e->target));
			fprintf(out, ",\"running\":%s", e->was_running ? "true" : "false");
		} else {
			fprintf(out, " %s%s", timer_name(tr, e->target), e->was_running ? "" : " (was not running)");
		}
		break;
	default:		/* texts, FAULT */
		line_text(tr, e->text, e->len);
		break;
	}
	if (tr->json && e->loc)
		fprintf(out, ",\"source\":\"%s:%u:%u\"", img_bytes(img, img->files.v[e->loc->file]), e->loc->line,
			e->loc->col);
	else if (e->kind == VM_FAULT && e->loc)
		fprintf(out, " (%s:%u:%u)", img_bytes(img, img->files.v[e->loc->file]), e->loc->line, e->loc->col);
	line_end(tr);
}

void sim_trace_line(struct sim_trace *tr, const struct eng_trace *t)
{
	switch (t->kind) {
	case ENG_EVENT:
		snprintf(tr->event, sizeof(tr->event), "%s", ev_pair_name(t->pair));
		line_head(tr, t->time, vm_ups_display(tr->vm, t->ups), tr->event, "event", 0);
		line_end(tr);
		break;
	case ENG_EXPIRY:
		snprintf(tr->event, sizeof(tr->event), "TO->%s", timer_name(tr, t->timer));
		line_head(tr, t->time, "-", tr->event, "expiry", 0);
		line_end(tr);
		break;
	case ENG_EFFECT:
		effect_line(tr, t->time, t->effect);
		break;
	}
}

void sim_trace_note(struct sim_trace *tr, double time, const char *msg)
{
	line_head(tr, time, "-", "-", "note", 1);
	line_text(tr, msg, strlen(msg));
	line_end(tr);
}

void sim_trace_end(struct sim_trace *tr, double time)
{
	line_head(tr, time, "-", "-", "end", 0);
	line_end(tr);
}

/* Split BUF (LEN bytes) into lines, in place. */
static char **split_lines(char *buf, size_t len, size_t *n)
{
	size_t cap = 16;
	char **v = malloc(cap * sizeof(*v));

	*n = 0;
	for (size_t i = 0; v && i < len;) {
		char *nl = memchr(buf + i, '\n', len - i);
		if (*n == cap) {
			char **nv = realloc(v, (cap *= 2) * sizeof(*v));
			if (!nv) {
				free(v);
				return NULL;
			}
			v = nv;
		}
		v[(*n)++] = buf + i;
		if (!nl)
			break;
		*nl = '\0';
		i = (size_t)(nl - buf) + 1;
	}
	return v;
}

/* Print the differences of A (expected) and B (got) as -/+ lines with line numbers, at most 40. */
static void print_diff(char **a, size_t na, char **b, size_t nb, FILE *err)
{
	size_t i = 0, j = 0, shown = 0;
	uint32_t *lcs = NULL;

	if ((na + 1) * (nb + 1) <= 16u * 1024 * 1024)
		lcs = calloc((na + 1) * (nb + 1), sizeof(*lcs));
	if (lcs) {
		for (size_t x = na; x-- > 0;)
			for (size_t y = nb; y-- > 0;)
				lcs[x * (nb + 1) + y] = strcmp(a[x], b[y]) == 0 ? lcs[(x + 1) * (nb + 1) + y + 1] + 1 :
					lcs[(x + 1) * (nb + 1) + y] > lcs[x * (nb + 1) + y + 1] ?
					lcs[(x + 1) * (nb + 1) + y] : lcs[x * (nb + 1) + y + 1];
	}
	while ((i < na || j < nb) && shown < 40) {
		if (i < na && j < nb && strcmp(a[i], b[j]) == 0) {
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

int sim_trace_close(struct sim_trace *tr, const char *expect, FILE *out)
{
	FILE *f;
	char *want = NULL, **wl, **gl;
	size_t wlen = 0, wn, gn;
	int rc;

	if (!expect)
		return EXIT_CLEAN;
	fclose(tr->out);
	f = fopen(expect, "r");
	if (!f) {
		fprintf(stderr, "upsplan simulate: cannot read '%s': %s\n", expect, strerror(errno));
		free(tr->buf);
		return EXIT_USAGE;
	}
	{
		FILE *m = open_memstream(&want, &wlen);
		char chunk[65536];
		size_t n;
		while (m && (n = fread(chunk, 1, sizeof(chunk), f)) > 0)
			fwrite(chunk, 1, n, m);
		if (m)
			fclose(m);
	}
	fclose(f);
	if (want && wlen == tr->len && memcmp(want, tr->buf, wlen) == 0) {
		fprintf(stderr, "upsplan simulate: the trace matches %s (%lu lines)\n", expect, tr->lines);
		rc = EXIT_CLEAN;
	} else {
		wl = split_lines(want ? want : (char *)"", wlen, &wn);
		gl = split_lines(tr->buf, tr->len, &gn);
		fprintf(stderr, "upsplan simulate: the trace differs from %s (- expected line, + simulated line):\n",
			expect);
		if (wl && gl)
			print_diff(wl, wn, gl, gn, stderr);
		free(wl);
		free(gl);
		rc = EXIT_ERRORS;
	}
	(void)out;
	free(want);
	free(tr->buf);
	return rc;
}
