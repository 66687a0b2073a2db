/* SPDX-License-Identifier: GPL-2.0-or-later */
/* scenario.c - the scenario file parser: timed changes of NUT variables, lost connections, upsd restarts, dummy-ups files. */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/image.h"
#include "engine/symtab.h"
#include "base/buf.h"
#include "base/duration.h"
#include "base/xalloc.h"
#include "runtime/sim/scenario.h"

#define SCN_MAX_STEPS 5000000	/* looping dummy files are unrolled up to the end */
#define SCN_AMBIGUOUS UINT32_MAX	/* a UPS name monitored in several groups */

/* One token of a scenario line. */
struct scn_tok {
	const char *p;
	size_t len;
	uint32_t off;		/* global offset (for diagnostics) */
	int quoted;
};

struct scn_parser {
	struct scenario *sc;
	const struct plan_image *img;
	struct src_registry *reg;
	struct diag_queue *dq;
	double now;		/* time of the previous line */
	uint32_t order;
	struct symtab names;	/* UPS name -> index, or SCN_AMBIGUOUS */
	/* looping dummy files, unrolled once the end is known */
	struct scn_loop {
		uint32_t ups;
		size_t first, count;	/* steps of one pass */
		double start, period;
		src_span at;
	} *loops;
	size_t nloops, loopcap;
};

static struct scn_step *scn_push(struct scn_parser *ps)
{
	struct scenario *sc = ps->sc;
	struct scn_step *s;

	sc->steps = xgrow(sc->steps, &sc->cap, sc->n + 1, sizeof(*sc->steps));
	s = &sc->steps[sc->n++];
	memset(s, 0, sizeof(*s));
	s->order = ps->order++;
	return s;
}

static char *scn_dup(const char *p, size_t len)
{
	char *r = xrealloc(NULL, len + 1);

	memcpy(r, p, len);
	r[len] = '\0';
	return r;
}

int scn_duration(const char *s, size_t len, double *out)
{
	return dur_parse(s, len, 1e9, out, NULL) == 0 ? 0 : -1;	/* the plan's durations, read the same way */
}

/* Split the line at P (LEN bytes, global offset OFF) into at most MAX tokens; -1 on an unclosed quote. */
static int scn_tokens(struct scn_parser *ps, const char *p, size_t len, uint32_t off, struct scn_tok *t, int max)
{
	size_t i = 0;
	int n = 0;

	while (i < len) {
		if (p[i] == ' ' || p[i] == '\t' || p[i] == '\r') {
			i++;
			continue;
		}
		if (p[i] == '#')
			break;
		if (n == max) {
			diag_at(ps->dq, DIAG_SCN_SYNTAX, (src_span){ off + (uint32_t)i, (uint32_t)(len - i) },
				"too many words on this line");
			return -1;
		}
		if (p[i] == '"' || p[i] == '\'') {
			char q = p[i];
			size_t j = i + 1;
			while (j < len && p[j] != q)
				j++;
			if (j == len) {
				diag_at(ps->dq, DIAG_SCN_SYNTAX, (src_span){ off + (uint32_t)i, (uint32_t)(len - i) },
					"the quoted value is not closed on this line");
				return -1;
			}
			t[n++] = (struct scn_tok){ p + i + 1, j - i - 1, off + (uint32_t)i, 1 };
			i = j + 1;
			continue;
		}
		size_t j = i;
		while (j < len && p[j] != ' ' && p[j] != '\t' && p[j] != '\r' && p[j] != '#')
			j++;
		t[n++] = (struct scn_tok){ p + i, j - i, off + (uint32_t)i, 0 };
		i = j;
	}
	return n;
}

static src_span tok_span(const struct scn_tok *t)
{
	/* a quoted token's span covers its quotes */
	return (src_span){ t->off, (uint32_t)t->len + (t->quoted ? 2u : 0u) };
}

static int tok_is(const struct scn_tok *t, const char *w)
{
	return !t->quoted && t->len == strlen(w) && memcmp(t->p, w, t->len) == 0;
}

/* The UPS named by T: NAME, or GROUP:NAME when two groups monitor NAME. */
static int scn_ups(struct scn_parser *ps, const struct scn_tok *t, uint32_t *out)
{
	const struct plan_image *img = ps->img;
	const char *colon = memchr(t->p, ':', t->len);
	uint32_t found = UINT32_MAX, count = 0;
	int64_t hit = colon ? -1 : symtab_get(&ps->names, t->p, t->len);

	if (hit >= 0 && hit != SCN_AMBIGUOUS) {
		*out = (uint32_t)hit;
		return 0;
	}
	/* GROUP:NAME, or a name of several groups (to say so): scan */
	int scan = colon || hit == SCN_AMBIGUOUS;
	for (uint32_t i = 0; scan && i < img->ups.n; i++) {
		const struct img_ups *u = &img->ups.v[i];
		const struct img_str g = img->groups.v[u->group].name;
		if (colon) {
			size_t gl = (size_t)(colon - t->p);
			if (gl == g.len && memcmp(t->p, img_bytes(img, g), gl) == 0 &&
			    t->len - gl - 1 == u->name.len && memcmp(colon + 1, img_bytes(img, u->name), u->name.len) == 0) {
				found = i;
				count++;
			}
		} else if (t->len == u->name.len && memcmp(t->p, img_bytes(img, u->name), t->len) == 0) {
			found = i;
			count++;
		}
	}
	if (count == 1) {
		*out = found;
		return 0;
	}
	if (count > 1) {
		struct diag_record *r = diag_at(ps->dq, DIAG_SCN_UPS, tok_span(t),
			"UPS '%.*s' is monitored in several groups", (int)t->len, t->p);
		diag_note(ps->dq, r, 0, tok_span(t), "write GROUP:%.*s", (int)t->len, t->p);
		return -1;
	}
	struct diag_record *r = diag_at(ps->dq, DIAG_SCN_UPS, tok_span(t),
		"the plan monitors no UPS '%.*s'", (int)(t->len > 60 ? 60 : t->len), t->p);
	char names[200] = "";
	for (uint32_t i = 0; i < img->ups.n && i < 5; i++) {
		size_t l = strlen(names);
		snprintf(names + l, sizeof(names) - l, "%s%.40s", i ? ", " : "", img_bytes(img, img->ups.v[i].name));
	}
	if (img->ups.n)
		diag_note(ps->dq, r, 0, tok_span(t), "the plan's UPS: %s%s", names, img->ups.n > 5 ? ", ..." : "");
	return -1;
}

/* The upsd named by T: HOST, HOST:PORT or [V6]:PORT (port 3493 when left out). */
static int scn_upsd(struct scn_parser *ps, const struct scn_tok *t, uint32_t *out)
{
	const struct scenario *sc = ps->sc;
	const char *h = t->p, *colon = NULL;
	size_t hl = t->len;
	uint32_t port = 3493;

	if (hl > 0 && h[0] == '[') {
		const char *close = memchr(h, ']', hl);
		if (close) {
			colon = close + 1 < h + hl && close[1] == ':' ? close + 1 : NULL;
			hl = (size_t)(close - h - 1);
			h++;
		}
	} else {
		colon = memchr(h, ':', hl);
		if (colon && memchr(colon + 1, ':', (size_t)(t->p + t->len - colon - 1)))
			colon = NULL;	/* a bare IPv6 address */
		if (colon)
			hl = (size_t)(colon - h);
	}
	if (colon) {
		char buf[8];
		size_t pl = (size_t)(t->p + t->len - colon - 1);
		char *end;
		unsigned long v;
		if (pl == 0 || pl >= sizeof(buf)) {
			diag_at(ps->dq, DIAG_SCN_VALUE, tok_span(t), "'%.*s' is not HOST or HOST:PORT", (int)t->len, t->p);
			return -1;
		}
		memcpy(buf, colon + 1, pl);
		buf[pl] = '\0';
		v = strtoul(buf, &end, 10);
		if (*end || v == 0 || v > 65535) {
			diag_at(ps->dq, DIAG_SCN_VALUE, tok_span(t), "port '%s' is not a number from 1 to 65535", buf);
			return -1;
		}
		port = (uint32_t)v;
	}
	for (uint32_t i = 0; i < sc->nupsd; i++)
		if (sc->upsd[i].port == port && sc->upsd[i].host_len == hl && memcmp(sc->upsd[i].host, h, hl) == 0) {
			*out = i;
			return 0;
		}
	struct diag_record *r = diag_at(ps->dq, DIAG_SCN_UPS, tok_span(t),
		"the plan polls no upsd at '%.*s' (port %u)", (int)(t->len > 60 ? 60 : t->len), t->p, port);
	if (sc->nupsd)
		diag_note(ps->dq, r, 0, tok_span(t), "the plan's upsd: %.*s:%u%s", (int)sc->upsd[0].host_len,
			  sc->upsd[0].host, sc->upsd[0].port, sc->nupsd > 1 ? ", ..." : "");
	return -1;
}

static void scn_set(struct scn_parser *ps, double time, uint32_t ups, const char *var, size_t vl,
		    const char *val, size_t len)
{
	struct scn_step *s = scn_push(ps);

	s->time = time;
	s->kind = SCN_SET;
	s->target = ups;
	s->var = scn_dup(var, vl);
	s->value = scn_dup(val, len);
}

static int scn_value_ok(struct scn_parser *ps, const struct scn_tok *var, const struct scn_tok *val);

/*
 * A dummy-ups file (upsc format: "var: value" lines, TIMER n pauses) for
 * UPS at the current time.  .seq files loop until the end of the scenario,
 * as dummy-ups does; .dev files are read once.
 */
static void scn_dummy(struct scn_parser *ps, uint32_t ups, const struct scn_tok *name, const struct src_file *scn)
{
	char path[4096], err[512];
	const struct src_file *f;
	double t = ps->now;
	size_t first = ps->sc->n, nl;
	const char *dir_end = strrchr(scn->name, '/');
	int loop;

	if (name->len == 0 || name->len > 1024) {
		diag_at(ps->dq, DIAG_SCN_DUMMY, tok_span(name), "a dummy-ups file name is needed");
		return;
	}
	if (name->p[0] == '/' || !dir_end)
		snprintf(path, sizeof(path), "%.*s", (int)name->len, name->p);
	else
		snprintf(path, sizeof(path), "%.*s/%.*s", (int)(dir_end - scn->name), scn->name, (int)name->len, name->p);
	loop = name->len > 4 && memcmp(name->p + name->len - 4, ".seq", 4) == 0;
	f = src_load(ps->reg, path, err, sizeof(err));
	if (!f) {
		diag_at(ps->dq, DIAG_SCN_DUMMY, tok_span(name), "%s", err);
		return;
	}
	for (size_t pos = 0; pos < f->size; pos += nl + 1) {
		const char *line = f->text + pos;
		const char *nlp = memchr(line, '\n', f->size - pos);
		uint32_t off = f->base + (uint32_t)pos;
		size_t len;

		nl = nlp ? (size_t)(nlp - line) : f->size - pos;
		len = nl;
		while (len > 0 && (line[len - 1] == '\r' || line[len - 1] == ' ' || line[len - 1] == '\t'))
			len--;
		size_t i = 0;
		while (i < len && (line[i] == ' ' || line[i] == '\t'))
			i++;
		if (i == len || line[i] == '#')
			continue;
		if (len - i >= 6 && memcmp(line + i, "TIMER", 5) == 0 && (line[i + 5] == ' ' || line[i + 5] == '\t')) {
			double d;
			size_t j = i + 5;
			while (j < len && (line[j] == ' ' || line[j] == '\t'))
				j++;
			if (scn_duration(line + j, len - j, &d) != 0) {
				diag_at(ps->dq, DIAG_SCN_DUMMY, (src_span){ off + (uint32_t)j, (uint32_t)(len - j) },
					"TIMER wants seconds, not '%.*s'", (int)(len - j), line + j);
				return;
			}
			t += d;
			continue;
		}
		const char *colon = memchr(line + i, ':', len - i);
		if (!colon || colon == line + i) {
			diag_at(ps->dq, DIAG_SCN_DUMMY, (src_span){ off + (uint32_t)i, (uint32_t)(len - i) },
				"a dummy-ups line is 'variable: value' or 'TIMER seconds'");
			return;
		}
		size_t vl = (size_t)(colon - line - i);
		const char *v = colon + 1;
		size_t vlen = (size_t)(line + len - v);
		while (vlen > 0 && (*v == ' ' || *v == '\t')) {
			v++;
			vlen--;
		}
		if (vlen >= 2 && v[0] == '"' && v[vlen - 1] == '"') {
			v++;
			vlen -= 2;
		}
		if (vl > 8 && memcmp(line + i, "driver.", 7) == 0)
			continue;	/* dummy-ups skips driver.* too */
		if (vl == strlen(IMG_VAR_NUMLOGINS) && memcmp(line + i, IMG_VAR_NUMLOGINS, vl) == 0) {
			/* dummy-ups would serve it as a variable (GET VAR); upsd's count (GET NUMLOGINS) stays its own */
			diag_at(ps->dq, DIAG_SCN_DUMMY, (src_span){ off + (uint32_t)i, (uint32_t)vl },
				"NUMLOGINS is upsd's count of the clients logged in, not a variable of the driver: "
				"write 'set UPS NUMLOGINS n' in the scenario");
			return;
		}
		/* the name and value as a set line's ("ups.status : OL" would set another variable) */
		struct scn_tok vt = { line + i, vl, off + (uint32_t)i, 0 };
		struct scn_tok valt = { v, vlen, off + (uint32_t)(v - line), 0 };
		if (!scn_value_ok(ps, &vt, &valt))
			return;
		scn_set(ps, t, ups, line + i, vl, v, vlen);
	}
	if (loop) {
		struct scn_loop *l;
		ps->loops = xgrow(ps->loops, &ps->loopcap, ps->nloops + 1, sizeof(*ps->loops));
		l = &ps->loops[ps->nloops++];
		l->ups = ups;
		l->first = first;
		l->count = ps->sc->n - first;
		l->start = ps->now;
		l->period = t - ps->now < 1 ? 1 : t - ps->now;	/* dummy-ups sleeps 1 s at least per pass */
		l->at = tok_span(name);
	}
}

/* A NUT variable name (letters, digits, '.', '_', '-') and, for the numbers the engine reads, a number. */
static int scn_value_ok(struct scn_parser *ps, const struct scn_tok *var, const struct scn_tok *val)
{
	double d;

	for (size_t k = 0; k < var->len; k++)
		if (!isalnum((unsigned char)var->p[k]) && var->p[k] != '.' && var->p[k] != '_' && var->p[k] != '-') {
			diag_at(ps->dq, DIAG_SCN_VALUE, tok_span(var),
				"'%.*s' is not a NUT variable name (e.g. ups.status, battery.charge)",
				(int)(var->len > 60 ? 60 : var->len), var->p);
			return 0;
		}
	if (var->len == 0 || var->quoted) {
		diag_at(ps->dq, DIAG_SCN_VALUE, tok_span(var), "a NUT variable name is not quoted");
		return 0;
	}
	if (var->len == strlen(IMG_VAR_NUMLOGINS) && memcmp(var->p, IMG_VAR_NUMLOGINS, var->len) == 0) {
		/* as upsd prints it: a whole number, no sign (the daemon takes nothing else either) */
		size_t k = 0;
		while (k < val->len && val->p[k] >= '0' && val->p[k] <= '9')
			k++;
		if (val->len == 0 || val->len > 9 || k != val->len || (val->p[0] == '0' && val->len > 1)) {
			diag_at(ps->dq, DIAG_SCN_VALUE, tok_span(val),
				"NUMLOGINS wants a count of the clients logged in (0, 1, 2 ...), not '%.*s'",
				(int)(val->len > 40 ? 40 : val->len), val->p);
			return 0;
		}
		return 1;
	}
	if ((var->len == 14 && memcmp(var->p, "battery.charge", 14) == 0) ||
	    (var->len == 15 && memcmp(var->p, "battery.runtime", 15) == 0)) {
		char buf[64], *end;
		size_t n = val->len < sizeof(buf) - 1 ? val->len : sizeof(buf) - 1;
		memcpy(buf, val->p, n);
		buf[n] = '\0';
		d = strtod(buf, &end);
		if (n == 0 || *end || !isfinite(d) || d < 0 ||
		    (var->len == 14 && d > 100)) {
			diag_at(ps->dq, DIAG_SCN_VALUE, tok_span(val), "%.*s wants a number%s, not '%.*s'",
				(int)var->len, var->p, var->len == 14 ? " from 0 to 100" : " of seconds",
				(int)(val->len > 40 ? 40 : val->len), val->p);
			return 0;
		}
	}
	return 1;
}

/* One line of the scenario. */
static void scn_line(struct scn_parser *ps, const struct src_file *f, const char *p, size_t len, uint32_t off)
{
	struct scn_tok t[8];
	int n = scn_tokens(ps, p, len, off, t, 8);
	int i = 0;
	uint32_t idx;

	if (n <= 0)
		return;
	/* time: "at DURATION" (absolute) or "+DURATION" (after the previous line); none: the previous line's */
	if (tok_is(&t[0], "at") || (!t[0].quoted && t[0].len > 1 && t[0].p[0] == '+')) {
		const struct scn_tok *d = &t[0];
		double v, when;
		int rel = t[0].p[0] == '+';
		if (!rel) {
			if (n < 2) {
				diag_at(ps->dq, DIAG_SCN_SYNTAX, tok_span(&t[0]), "'at' wants a time, e.g. 'at 90' or 'at 2m'");
				return;
			}
			d = &t[1];
		}
		if (scn_duration(d->p + rel, d->len - (size_t)rel, &v) != 0) {
			diag_at(ps->dq, DIAG_SCN_VALUE, tok_span(d),
				"'%.*s' is not a time: write seconds (90, 1.5) or units (2m, 1h30m, 45s)",
				(int)d->len, d->p);
			return;
		}
		when = rel ? ps->now + v : v;
		if (when < ps->now) {
			struct diag_record *r = diag_at(ps->dq, DIAG_SCN_TIME, tok_span(d),
				"time %g s is before the previous line's %g s", when, ps->now);
			diag_note(ps->dq, r, 0, tok_span(d),
				  "scenario lines go forward in time: reorder them ('+TIME' counts from the previous line)");
			return;
		}
		ps->now = when;
		i = rel ? 1 : 2;
	}
	if (i >= n) {
		diag_at(ps->dq, DIAG_SCN_SYNTAX, tok_span(&t[n - 1]), "a time without a directive");
		return;
	}
	const struct scn_tok *cmd = &t[i];
	int args = n - i - 1;
	struct scn_step *s;

	if (tok_is(cmd, "set") && args == 3) {
		if (scn_ups(ps, &t[i + 1], &idx) == 0 && scn_value_ok(ps, &t[i + 2], &t[i + 3]))
			scn_set(ps, ps->now, idx, t[i + 2].p, t[i + 2].len, t[i + 3].p, t[i + 3].len);
	} else if ((tok_is(cmd, "lose") || tok_is(cmd, "restore")) && args == 1) {
		if (scn_ups(ps, &t[i + 1], &idx) == 0) {
			s = scn_push(ps);
			s->time = ps->now;
			s->kind = tok_is(cmd, "lose") ? SCN_LOSE : SCN_RESTORE;
			s->target = idx;
		}
	} else if ((tok_is(cmd, "lose-upsd") || tok_is(cmd, "restore-upsd") || tok_is(cmd, "restart-upsd")) &&
		   args == 1) {
		if (scn_upsd(ps, &t[i + 1], &idx) == 0) {
			s = scn_push(ps);
			s->time = ps->now;
			s->kind = tok_is(cmd, "lose-upsd") ? SCN_LOSE_UPSD :
				  tok_is(cmd, "restore-upsd") ? SCN_RESTORE_UPSD : SCN_RESTART_UPSD;
			s->target = idx;
		}
	} else if (tok_is(cmd, "dummy") && args == 2) {
		if (scn_ups(ps, &t[i + 1], &idx) == 0)
			scn_dummy(ps, idx, &t[i + 2], f);
	} else if (tok_is(cmd, "alert") && args == 2) {
		if (tok_is(&t[i + 2], "firing") || tok_is(&t[i + 2], "resolved")) {
			s = scn_push(ps);
			s->time = ps->now;
			s->kind = SCN_ALERT;
			s->target = tok_is(&t[i + 2], "firing");
			s->var = scn_dup(t[i + 1].p, t[i + 1].len);
		} else {
			struct diag_record *r = diag_at(ps->dq, DIAG_SCN_SYNTAX, tok_span(&t[i + 2]),
				"an alert is 'firing' or 'resolved', not '%.*s'", (int)(t[i + 2].len > 40 ? 40 : t[i + 2].len),
				t[i + 2].p);
			diag_note(ps->dq, r, 0, tok_span(cmd), "write 'alert NAME firing' or 'alert NAME resolved'");
		}
	} else if (tok_is(cmd, "fsd") && args == 0) {
		s = scn_push(ps);
		s->time = ps->now;
		s->kind = SCN_FSD;
	} else if (tok_is(cmd, "end") && args == 0) {
		if (ps->sc->has_end) {
			diag_at(ps->dq, DIAG_SCN_SYNTAX, tok_span(cmd), "the scenario has a second 'end'");
			return;
		}
		ps->sc->has_end = 1;
		ps->sc->end = ps->now;
	} else {
		static const char *const known[] = { "set", "lose", "restore", "lose-upsd", "restore-upsd",
						     "restart-upsd", "dummy", "alert", "fsd", "end" };
		static const char *const usage[] = {
			"set UPS VARIABLE VALUE", "lose UPS", "restore UPS", "lose-upsd HOST[:PORT]",
			"restore-upsd HOST[:PORT]", "restart-upsd HOST[:PORT]", "dummy UPS FILE",
			"alert NAME firing|resolved", "fsd", "end"
		};
		for (size_t k = 0; k < sizeof(known) / sizeof(known[0]); k++)
			if (tok_is(cmd, known[k])) {
				diag_at(ps->dq, DIAG_SCN_SYNTAX, tok_span(cmd), "wrong number of arguments: write '%s'",
					usage[k]);
				return;
			}
		struct diag_record *r = diag_at(ps->dq, DIAG_SCN_SYNTAX, tok_span(cmd),
			"unknown scenario directive '%.*s'", (int)(cmd->len > 40 ? 40 : cmd->len), cmd->p);
		diag_note(ps->dq, r, 0, tok_span(cmd),
			  "use [at TIME | +TIME] set, lose, restore, lose-upsd, restore-upsd, restart-upsd, dummy, alert, fsd or end");
	}
}

static int scn_cmp(const void *a, const void *b)
{
	const struct scn_step *x = a, *y = b;

	if (x->time != y->time)
		return x->time < y->time ? -1 : 1;
	return x->order < y->order ? -1 : x->order > y->order;
}

/* Repeat the steps of each looping dummy file until the end of the scenario. */
static void scn_unroll(struct scn_parser *ps)
{
	struct scenario *sc = ps->sc;

	for (size_t k = 0; k < ps->nloops; k++) {
		const struct scn_loop *l = &ps->loops[k];
		if (!sc->has_end) {
			struct diag_record *r = diag_at(ps->dq, DIAG_SCN_DUMMY, l->at,
				"a .seq file loops forever (as dummy-ups does): the scenario needs an 'end' line");
			diag_note(ps->dq, r, 0, l->at, "add e.g. 'at 1h end'");
			continue;
		}
		double passes = floor((sc->end - l->start) / l->period);	/* period >= 1 s */
		if (l->count == 0 || passes < 1)
			continue;	/* a file that sets nothing, or no pass before the end: nothing to repeat */
		/* counted before any step is made: a far end is refused at once, in no memory */
		if ((double)sc->n + passes * (double)l->count > (double)SCN_MAX_STEPS) {
			diag_at(ps->dq, DIAG_SCN_DUMMY, l->at,
				"looping this file until the end makes more than %d steps; end the scenario earlier",
				SCN_MAX_STEPS);
			return;
		}
		for (double base = l->start + l->period; base <= sc->end; base += l->period) {
			for (size_t j = 0; j < l->count; j++) {
				const struct scn_step *src = &sc->steps[l->first + j];
				double when = base + (src->time - l->start);
				if (when > sc->end)
					break;
				uint32_t ups = src->target;
				char *var = src->var, *val = src->value;	/* scn_push may move steps */
				scn_set(ps, when, ups, var, strlen(var), val, strlen(val));
			}
		}
	}
}

/* The distinct upsd of the plan and each UPS's. */
static void scn_upsd_table(struct scenario *sc, const struct plan_image *img)
{
	sc->upsd = xcalloc(img->ups.n + 1, sizeof(*sc->upsd));
	sc->ups_upsd = xcalloc(img->ups.n + 1, sizeof(uint32_t));
	for (uint32_t i = 0; i < img->ups.n; i++) {
		const struct img_ups *u = &img->ups.v[i];
		uint32_t k;
		for (k = 0; k < sc->nupsd; k++)
			if (sc->upsd[k].port == u->port && sc->upsd[k].host_len == u->host.len &&
			    memcmp(sc->upsd[k].host, img_bytes(img, u->host), u->host.len) == 0)
				break;
		if (k == sc->nupsd) {
			sc->upsd[k].host = img_bytes(img, u->host);
			sc->upsd[k].host_len = u->host.len;
			sc->upsd[k].port = u->port;
			sc->nupsd++;
		}
		sc->ups_upsd[i] = k;
	}
}

int scn_parse(struct scenario *sc, const struct plan_image *img, struct src_registry *reg,
	      const struct src_file *file, struct diag_queue *dq)
{
	struct scn_parser ps = { .sc = sc, .img = img, .reg = reg, .dq = dq };
	size_t errors = dq->nerrors, nl;

	memset(sc, 0, sizeof(*sc));
	scn_upsd_table(sc, img);
	symtab_init(&ps.names);
	for (uint32_t i = 0; i < img->ups.n; i++) {
		struct img_str n = img->ups.v[i].name;
		int64_t old = symtab_get(&ps.names, img_bytes(img, n), n.len);
		symtab_put(&ps.names, img_bytes(img, n), n.len, old >= 0 ? SCN_AMBIGUOUS : i);
	}
	for (size_t pos = 0; pos < file->size; pos += nl + 1) {
		const char *line = file->text + pos;
		const char *p = memchr(line, '\n', file->size - pos);
		nl = p ? (size_t)(p - line) : file->size - pos;
		scn_line(&ps, file, line, nl, file->base + (uint32_t)pos);
	}
	scn_unroll(&ps);
	free(ps.loops);
	symtab_free(&ps.names);
	if (sc->n)
		qsort(sc->steps, sc->n, sizeof(*sc->steps), scn_cmp);
	return dq->nerrors > errors;
}

void scn_free(struct scenario *sc)
{
	for (size_t i = 0; i < sc->n; i++) {
		free(sc->steps[i].var);
		free(sc->steps[i].value);
	}
	free(sc->steps);
	free(sc->upsd);
	free(sc->ups_upsd);
	memset(sc, 0, sizeof(*sc));
}
