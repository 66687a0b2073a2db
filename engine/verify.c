/* SPDX-License-Identifier: GPL-2.0-or-later */
/* verify.c - the plan image verifier: nothing runs that has not passed it. */
#include "config.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/argv.h"
#include "engine/events.h"
#include "engine/image.h"
#include "engine/regex.h"
#include "base/nutname.h"
#include "base/xalloc.h"

struct vfy {
	const struct plan_image *img;
	const uint64_t *tb;		/* img_tpl_bounds() */
	uint32_t *tord;			/* img_tentries_by_pc() */
	uint32_t tnext;			/* the next of them the code pass meets */
	struct img_cost *tcost;		/* the cost of each TIMEOUT entry's run, by tentries index */
	char *err;
	size_t errlen;
};

static int vfail(struct vfy *v, const char *fmt, ...)
{
	va_list ap;
	int n = snprintf(v->err, v->errlen, "invalid image: ");

	va_start(ap, fmt);
	if (n > 0 && (size_t)n < v->errlen)
		vsnprintf(v->err + n, v->errlen - (size_t)n, fmt, ap);
	va_end(ap);
	return -1;
}

/* A string lies inside the blob and is followed by its NUL. */
static int vstr(struct vfy *v, struct img_str s, const char *what, uint32_t idx)
{
	uint32_t n = v->img->strings.n;

	if (s.off >= n || s.len >= n - s.off || v->img->strings.v[s.off + s.len] != '\0')
		return vfail(v, "%s %u: string (offset %u, length %u) outside the %u-byte string table",
			     what, idx, s.off, s.len, n);
	return 0;
}

/* The tables of conditions: names, texts and patterns in the blob, every pattern compiles, uvars sorted. */
static int vconds(struct vfy *v)
{
	const struct plan_image *img = v->img;

	for (uint32_t i = 0; i < img->vars.n; i++)
		if (vstr(v, img->vars.v[i], "variable", i))
			return -1;
	for (uint32_t i = 0; i < img->ctexts.n; i++)
		if (vstr(v, img->ctexts.v[i], "comparison text", i))
			return -1;
	for (uint32_t i = 0; i < img->regexes.n; i++) {
		char err[256];
		size_t off = 0;
		struct rx *r;
		if (vstr(v, img->regexes.v[i], "regular expression", i))
			return -1;
		r = rx_compile(img_bytes(img, img->regexes.v[i]), img->regexes.v[i].len, 0, err, sizeof(err), &off);
		if (!r)
			return vfail(v, "regular expression %u does not compile: %s at byte %zu", i, err, off);
		rx_free(r);
	}
	for (uint32_t i = 0; i < img->uvars.n; i++) {
		const struct img_uvar *u = &img->uvars.v[i];
		if (u->ups >= img->ups.n || u->var >= img->vars.n)
			return vfail(v, "variable entry %u: UPS %u or variable %u out of range", i, u->ups, u->var);
		if (i > 0 && (u->ups < u[-1].ups || (u->ups == u[-1].ups && u->var <= u[-1].var)))
			return vfail(v, "variable entries are not sorted by UPS and variable, without repeats, at entry %u", i);
	}
	return 0;
}

/* The Alertmanagers: strings in the blob, an http:// or https:// URL, CA file only for https://, one kind of authentication. */
static int vamgrs(struct vfy *v)
{
	const struct plan_image *img = v->img;

	for (uint32_t i = 0; i < img->amgrs.n; i++) {
		const struct img_amgr *a = &img->amgrs.v[i];
		const char *u;
		int https;

		if (vstr(v, a->url, "Alertmanager", i) || vstr(v, a->cafile, "Alertmanager", i) ||
		    vstr(v, a->bearer, "Alertmanager", i) || vstr(v, a->user, "Alertmanager", i) ||
		    vstr(v, a->password, "Alertmanager", i))
			return -1;
		u = img_bytes(img, a->url);
		https = a->url.len > 8 && strncmp(u, "https://", 8) == 0;
		if (!https && !(a->url.len > 7 && strncmp(u, "http://", 7) == 0))
			return vfail(v, "Alertmanager %u: its URL is not http:// or https://", i);
		for (uint32_t k = 0; k < a->url.len; k++)
			if ((unsigned char)u[k] <= ' ' || u[k] == 0x7f)
				return vfail(v, "Alertmanager %u: a blank or control byte in its URL", i);
		if (a->cafile.len && !https)
			return vfail(v, "Alertmanager %u: a CA file for an http:// URL", i);
		if (a->bearer.len && (a->user.len || a->password.len))
			return vfail(v, "Alertmanager %u: both a bearer token and a user", i);
	}
	return 0;
}

static int vtables(struct vfy *v)
{
	const struct plan_image *img = v->img;
	const struct img_settings *st = &img->settings;

	for (uint32_t i = 0; i < img->files.n; i++)
		if (vstr(v, img->files.v[i], "file", i))
			return -1;
	for (uint32_t i = 0; i < img->groups.n; i++) {
		const struct img_group *g = &img->groups.v[i];
		if (vstr(v, g->name, "group", i) || vstr(v, g->host, "group", i) ||
		    vstr(v, g->certfile, "group", i) || vstr(v, g->certname, "group", i) ||
		    vstr(v, g->clientcert, "group", i) || vstr(v, g->clientkey, "group", i))
			return -1;
		if (g->tls_mode > IMG_TLS_NONE)
			return vfail(v, "group %u: TLS mode %u out of range", i, g->tls_mode);
		if (g->tls_mode == IMG_TLS_NONE &&
		    (g->certfile.len || g->certname.len || g->clientcert.len || g->clientkey.len))
			return vfail(v, "group %u: TLS NONE with a certificate setting", i);
		if (g->port > 65535)
			return vfail(v, "group %u: port %u out of range", i, g->port);
	}
	for (uint32_t i = 0; i < img->ups.n; i++) {
		const struct img_ups *u = &img->ups.v[i];
		if (vstr(v, u->name, "UPS", i) || vstr(v, u->host, "UPS", i) ||
		    vstr(v, u->user, "UPS", i) || vstr(v, u->password, "UPS", i))
			return -1;
		if (u->group >= img->groups.n)
			return vfail(v, "UPS %u: group %u of %u", i, u->group, img->groups.n);
		/* what check refuses (E900): never a name that could end or add a line of upsd's protocol */
		if (!u->name.len || nutname_bad(img_bytes(img, u->name), u->name.len, 0, NULL) < u->name.len ||
		    !u->user.len || nutname_bad(img_bytes(img, u->user), u->user.len, 1, NULL) < u->user.len)
			return vfail(v, "UPS %u: a UPS or user name upsd cannot serve", i);
		if (u->port > 65535 || u->type > IMG_OBSERVER || u->lb[0] > 100 || u->lb[1] > 100 || u->lb[2] > 100)
			return vfail(v, "UPS %u: port, TYPE or battery.charge.low out of range", i);
	}
	for (uint32_t i = 0; i < img->timers.n; i++)
		if (vstr(v, img->timers.v[i], "timer", i))
			return -1;
	if (img->marks.n > IMG_MAX_MARKS)
		return vfail(v, "%u mark names: a UPS's marks are one set of %u", img->marks.n, IMG_MAX_MARKS);
	for (uint32_t i = 0; i < img->marks.n; i++)
		if (vstr(v, img->marks.v[i], "mark", i))
			return -1;
	for (uint32_t i = 0; i < img->cstrs.n; i++)
		if (vstr(v, img->cstrs.v[i], "constant string", i))
			return -1;
	if (vamgrs(v))
		return -1;
	for (uint32_t i = 0; i < img->arules.n; i++) {
		uint32_t n = img->arules.v[i].name;
		if (n >= img->cstrs.n || img_ident_bad(img_bytes(img, img->cstrs.v[n]), img->cstrs.v[n].len) >= 0)
			return vfail(v, "alert rule %u: name %u is no alert name of the constant strings", i, n);
	}
	for (uint32_t i = 0; i < img->msgs.n; i++) {
		if (vstr(v, img->msgs.v[i].name, "message", i))
			return -1;
		if (img->msgs.v[i].tpl >= img->tpls.n)
			return vfail(v, "message %u: template %u of %u", i, img->msgs.v[i].tpl, img->tpls.n);
	}
	for (uint32_t i = 0; i < img->parts.n; i++) {
		const struct img_part *p = &img->parts.v[i];
		if (p->kind > TPL_VAR)
			return vfail(v, "template part %u: unknown kind %u", i, p->kind);
		if (p->kind == TPL_VAR && (p->text.off >= img->vars.n || p->text.len != 0))
			return vfail(v, "template part %u: variable %u of %u", i, p->text.off, img->vars.n);
		if (p->kind == TPL_LIT && vstr(v, p->text, "template part", i))
			return -1;
	}
	/* templates own consecutive runs of parts, in order: bounds cost O(parts) */
	uint32_t next = 0;
	for (uint32_t i = 0; i < img->tpls.n; i++) {
		const struct img_tpl *t = &img->tpls.v[i];
		if (t->first != next || t->count > img->parts.n - t->first)
			return vfail(v, "template %u: parts %u+%u are not the %u parts after the previous template's",
				     i, t->first, t->count, img->parts.n - next);
		next += t->count;
	}
	if (next != img->parts.n)
		return vfail(v, "%u template parts after the last template", img->parts.n - next);
	for (uint32_t i = 0; i < img->consts.n; i++)
		if (!isfinite(img->consts.v[i]) || img->consts.v[i] < 0)
			return vfail(v, "constant %u is not a finite number of seconds >= 0", i);
	if (!isfinite(st->pollfreq) || st->pollfreq <= 0 || !isfinite(st->pollfreqalert) || st->pollfreqalert <= 0)
		return vfail(v, "POLLFREQ and POLLFREQALERT must be finite and above 0");
	if (!isfinite(st->shutdown_exit) || (st->shutdown_exit < 0 && st->shutdown_exit != IMG_SHUTDOWNEXIT_NO))
		return vfail(v, "SHUTDOWNEXIT must be no (-1), or a finite number of seconds >= 0");
	if (vstr(v, st->smtp_server, "SMTP setting", 0) || vstr(v, st->smtp_user, "SMTP setting", 1) ||
	    vstr(v, st->smtp_password, "SMTP setting", 2))
		return -1;
	if (st->smtp_port > 65535)
		return vfail(v, "SMTP port %u out of range", st->smtp_port);
	return vconds(v);
}

enum { VM_START = 1, VM_ENTRY = 2 };

/*
 * A SHUTDOWNCMD template must split into at least one argument whatever
 * its substitutions hold (none holds a quote or a blank): check it with
 * "x" in their place.
 */
static int vargv(struct vfy *v, uint32_t pc, uint32_t t)
{
	const struct plan_image *img = v->img;
	const struct img_tpl *tp = &img->tpls.v[t];
	size_t len = 0, errpos = 0;
	char *s, *words;
	int n;

	for (uint32_t i = 0; i < tp->count; i++) {
		const struct img_part *p = &img->parts.v[tp->first + i];
		len += p->kind == TPL_LIT ? p->text.len : 1;
	}
	s = xrealloc(NULL, len + 1);
	words = xrealloc(NULL, len + 1);
	len = 0;
	for (uint32_t i = 0; i < tp->count; i++) {
		const struct img_part *p = &img->parts.v[tp->first + i];
		if (p->kind == TPL_LIT) {
			memcpy(s + len, img_bytes(img, p->text), p->text.len);
			len += p->text.len;
		} else {
			s[len++] = 'x';
		}
	}
	n = argv_split(s, len, words, &errpos);
	free(s);
	free(words);
	if (n <= 0)
		return vfail(v, "offset %u: SHUTDOWNCMD template %u %s", pc, t,
			     n == 0 ? "holds no command" : "has an unclosed quote");
	return 0;
}

/* A command's template reads no NUT variable: its value would come from the network into a command run by root (E871). */
static int vcmdvars(struct vfy *v, uint32_t pc, uint32_t t)
{
	const struct plan_image *img = v->img;
	const struct img_tpl *tp = &img->tpls.v[t];

	for (uint32_t i = 0; i < tp->count; i++)
		if (img->parts.v[tp->first + i].kind == TPL_VAR)
			return vfail(v, "offset %u: %s template %u renders a NUT variable into a command", pc,
				     op_info(img->code.v[pc])->name, t);
	return 0;
}

/*
 * A constant string operand S of the instruction at PC: an alert name or
 * severity (ALERT, RESOLVE) follows the rule of names, a hook directory
 * (HOOKS) is an absolute path without control bytes.
 */
static int vcstr(struct vfy *v, uint32_t pc, const struct op_info *oi, struct img_str s)
{
	const char *p = img_bytes(v->img, s);

	if (v->img->code.v[pc] != OP_HOOKS) {
		if (img_ident_bad(p, s.len) >= 0)
			return vfail(v, "offset %u: %s name or severity is not [A-Za-z_][A-Za-z0-9_]*", pc, oi->name);
		return 0;
	}
	if (s.len == 0 || p[0] != '/')
		return vfail(v, "offset %u: HOOKS directory is not an absolute path", pc);
	for (uint32_t i = 0; i < s.len; i++)
		if ((unsigned char)p[i] < ' ' || p[i] == 0x7f)
			return vfail(v, "offset %u: HOOKS directory holds a control byte", pc);
	return 0;
}

static int voperand(struct vfy *v, uint32_t pc, const struct op_info *oi, uint32_t kind, uint32_t w)
{
	const struct plan_image *img = v->img;
	uint32_t limit;
	const char *what;

	switch (kind) {
	case OPK_PAIR: limit = EV_NPAIRS; what = "event pair"; break;
	case OPK_TPL: limit = img->tpls.n; what = "template"; break;
	case OPK_UPS: limit = img->ups.n; what = "UPS"; break;
	case OPK_TIMER: limit = img->timers.n; what = "timer"; break;
	case OPK_NUM: limit = img->consts.n; what = "constant"; break;
	case OPK_PRIO: limit = 8; what = "syslog priority"; break;
	case OPK_LEVEL: limit = 3; what = "debug level"; break;
	case OPK_VAR: limit = img->vars.n; what = "variable"; break;
	case OPK_CMP: limit = IMG_NCMP; what = "comparison"; break;
	case OPK_TEXT: limit = img->ctexts.n; what = "comparison text"; break;
	case OPK_RE: limit = img->regexes.n; what = "regular expression"; break;
	case OPK_MARK: limit = img->marks.n; what = "mark"; break;
	case OPK_STR: limit = img->cstrs.n; what = "constant string"; break;
	default: return 0;
	}
	if (w >= limit)
		return vfail(v, "offset %u: %s operand %s %u out of range (%u)", pc, oi->name, what, w, limit);
	if (kind == OPK_STR)
		return vcstr(v, pc, oi, img->cstrs.v[w]);
	if (kind == OPK_CMP && img->code.v[pc] == OP_CMPTEXT && w != IMG_EQ && w != IMG_NE)
		return vfail(v, "offset %u: CMPTEXT compares with == or != only, not comparison %u", pc, w);
	return 0;
}

/* Walk the code once: jumps only go forward, so one pass sees every path. */
static int vcode(struct vfy *v, uint8_t *marks)
{
	const struct plan_image *img = v->img;
	uint32_t n = img->code.n, pc = 0, reach = 0;
	int8_t *incoming = xrealloc(NULL, (size_t)n + 1);
	uint32_t entry = 0;		/* of the current handler */
	struct img_cost run = { 0 };
	int depth = 0, live = 1, rc = -1;	/* live: the last instruction was not HALT */

	memset(incoming, -1, (size_t)n + 1);
	marks[0] |= VM_ENTRY;
	while (pc < n) {
		const struct op_info *oi = op_info(img->code.v[pc]);

		marks[pc] |= VM_START;
		if (incoming[pc] >= 0) {
			if (incoming[pc] != depth) {
				vfail(v, "offset %u: stack depth %d on one path, %d on another", pc, depth, incoming[pc]);
				goto out;
			}
		}
		live = 1;
		if (!oi) {
			vfail(v, "offset %u: unknown opcode %u", pc, img->code.v[pc]);
			goto out;
		}
		if (oi->nops > n - pc - 1) {
			vfail(v, "offset %u: %s runs past the end of the code", pc, oi->name);
			goto out;
		}
		if (depth < oi->in) {
			vfail(v, "offset %u: %s pops from an empty stack", pc, oi->name);
			goto out;
		}
		depth += oi->out - oi->in;
		if (depth > IMG_MAX_STACK) {
			vfail(v, "offset %u: stack deeper than %d", pc, IMG_MAX_STACK);
			goto out;
		}
		for (uint32_t k = 0; k < oi->nops; k++) {
			uint32_t w = img->code.v[pc + 1 + k];
			if (oi->kinds[k] == OPK_OFF) {
				if (w <= pc + oi->nops || w > n) {
					vfail(v, "offset %u: %s target %u is not ahead of it inside the code", pc, oi->name, w);
					goto out;
				}
				if (incoming[w] >= 0 && incoming[w] != depth) {
					vfail(v, "offset %u: jump to %u with stack depth %d, %d on another path",
					      pc, w, depth, incoming[w]);
					goto out;
				}
				incoming[w] = (int8_t)depth;
				if (w > reach)
					reach = w;
			} else if (voperand(v, pc, oi, oi->kinds[k], w)) {
				goto out;
			} else if (img->code.v[pc] == OP_SHUTDOWNCMD && vargv(v, pc, w)) {
				goto out;
			} else if ((img->code.v[pc] == OP_SHUTDOWNCMD || img->code.v[pc] == OP_SHELLCMD) &&
				   vcmdvars(v, pc, w)) {
				goto out;
			}
		}
		img_op_cost(img, pc, v->tb, &run);
		if (img->code.v[pc] == OP_HALT) {
			char why[128];
			if (img_cost_excess(&run, why, sizeof(why))) {
				vfail(v, "offset %u: the handler at %u emits %s", pc, entry, why);
				goto out;
			}
			/* the TIMEOUT clauses from here: their timers' runs are added up in vhandlers() */
			while (v->tnext < img->tentries.n && img->tentries.v[v->tord[v->tnext]].pc <= entry) {
				if (img->tentries.v[v->tord[v->tnext]].pc == entry)
					v->tcost[v->tord[v->tnext]] = run;
				v->tnext++;
			}
			memset(&run, 0, sizeof(run));
			entry = pc + 1;
			if (depth != 0) {
				vfail(v, "offset %u: HALT with %d values on the stack", pc, depth);
				goto out;
			}
			if (reach > pc) {
				vfail(v, "offset %u: a jump to %u crosses the end of its handler", pc, reach);
				goto out;
			}
			live = 0;
			depth = 0;
			if (pc + 1 < n)
				marks[pc + 1] |= VM_ENTRY;
		}
		pc += 1 + oi->nops;
	}
	if (n > 0 && live) {
		vfail(v, "the code does not end with HALT");
		goto out;
	}
	for (uint32_t t = 0; t < n; t++)
		if (incoming[t] >= 0 && !(marks[t] & VM_START)) {
			vfail(v, "jump target %u is inside an instruction", t);
			goto out;
		}
	rc = 0;
out:
	free(incoming);
	return rc;
}

static int vhandlers(struct vfy *v, const uint8_t *marks)
{
	const struct plan_image *img = v->img;
	uint32_t n = img->code.n;

	if ((uint64_t)img->ups.n * EV_NPAIRS != img->handlers.n)
		return vfail(v, "handler table has %u entries for %u UPS (%u expected)", img->handlers.n,
			     img->ups.n, img->ups.n * EV_NPAIRS);
	for (uint32_t i = 0; i < img->handlers.n; i++) {
		uint32_t pc = img->handlers.v[i];
		if (pc != IMG_NONE && (pc >= n || !(marks[pc] & VM_ENTRY)))
			return vfail(v, "handler of UPS %u event %s points to offset %u, not a handler entry",
				     i / EV_NPAIRS, ev_pair_name(i % EV_NPAIRS), pc);
	}
	for (uint32_t i = 0; i < img->tentries.n; i++) {
		const struct img_tentry *t = &img->tentries.v[i];
		if (t->timer >= img->timers.n || t->ups >= img->ups.n)
			return vfail(v, "TIMEOUT entry %u: timer %u or UPS %u out of range", i, t->timer, t->ups);
		if (t->pc >= n || !(marks[t->pc] & VM_ENTRY))
			return vfail(v, "TIMEOUT entry %u points to offset %u, not a handler entry", i, t->pc);
		if (i > 0 && (t->timer < t[-1].timer || (t->timer == t[-1].timer && t->ups <= t[-1].ups)))
			return vfail(v, "TIMEOUT entries are not sorted by timer and UPS, without repeats, at entry %u", i);
	}
	/* one expiry runs every clause of its timer */
	for (uint32_t i = 0, j; i < img->tentries.n; i = j) {
		struct img_cost run = { 0 };
		char why[128];
		for (j = i; j < img->tentries.n && img->tentries.v[j].timer == img->tentries.v[i].timer; j++)
			img_cost_add(&run, &v->tcost[j]);
		if (img_cost_excess(&run, why, sizeof(why)))
			return vfail(v, "the TIMEOUT clauses of timer %u emit %s", img->tentries.v[i].timer, why);
	}
	for (uint32_t i = 0; i < img->pcmap.n; i++) {
		const struct img_loc *l = &img->pcmap.v[i];
		if (l->pc >= n || !(marks[l->pc] & VM_START) || l->file >= img->files.n)
			return vfail(v, "source map entry %u: offset %u or file %u out of range", i, l->pc, l->file);
		if (i > 0 && l->pc <= img->pcmap.v[i - 1].pc)
			return vfail(v, "source map entries are not sorted at entry %u", i);
	}
	return 0;
}

/*
 * The level rules: UPS in range, handler entries, a finite hold of 0
 * seconds or more, and a test that only computes its condition: no action, no
 * jump, one LEVEL (its effects would be lost, and a test runs at every poll).
 */
static int vlevels(struct vfy *v, const uint8_t *marks)
{
	const struct plan_image *img = v->img;
	uint32_t n = img->code.n;

	for (uint32_t i = 0; i < img->levels.n; i++) {
		const struct img_level *l = &img->levels.v[i];
		uint32_t nlevel = 0, pc;
		double h;

		if (l->ups >= img->ups.n || l->hold >= img->consts.n)
			return vfail(v, "level rule %u: UPS %u or constant %u out of range", i, l->ups, l->hold);
		h = img->consts.v[l->hold];
		if (!(h >= 0) || !isfinite(h))
			return vfail(v, "level rule %u: hold %g is not a number of seconds", i, h);
		if (l->test >= n || !(marks[l->test] & VM_ENTRY) || l->on >= n || !(marks[l->on] & VM_ENTRY) ||
		    (l->off != IMG_NONE && (l->off >= n || !(marks[l->off] & VM_ENTRY))))
			return vfail(v, "level rule %u points to an offset that is not a handler entry", i);
		for (pc = l->test; img->code.v[pc] != OP_HALT; pc += 1 + op_info(img->code.v[pc])->nops) {
			const struct op_info *oi = op_info(img->code.v[pc]);
			if (oi->action || img->code.v[pc] == OP_JUMPIFNOT)
				return vfail(v, "level rule %u: its test has %s at offset %u", i, oi->name, pc);
			nlevel += img->code.v[pc] == OP_LEVEL;
		}
		if (nlevel != 1)
			return vfail(v, "level rule %u: its test has %u LEVEL instructions, not one", i, nlevel);
	}
	return 0;
}

/* A template an alert rule renders: no part of the UPS of the run (it has none). */
static int vtpl_no_ups(struct vfy *v, uint32_t i, uint32_t pc, uint32_t t)
{
	const struct plan_image *img = v->img;
	const struct img_tpl *tp = &img->tpls.v[t];

	for (uint32_t k = 0; k < tp->count; k++) {
		uint32_t kind = img->parts.v[tp->first + k].kind;
		if (kind == TPL_UPS || kind == TPL_CHARGE || kind == TPL_VAR)
			return vfail(v, "alert rule %u: template %u at offset %u renders the UPS of the run", i, t, pc);
	}
	return 0;
}

/*
 * The alert rules: handler entries (or none), whose code reads nothing of
 * the UPS of the run, which a run of an alert rule has not: no STATE,
 * CMPNUM, CMPTEXT, MATCH, MARKED, MARK or UNMARK, and no %(u)s, %(c)s or
 * %(var:NAME)s in a template.
 */
static int varules(struct vfy *v, const uint8_t *marks)
{
	const struct plan_image *img = v->img;
	uint32_t n = img->code.n;

	for (uint32_t i = 0; i < img->arules.n; i++) {
		uint32_t entry[2] = { img->arules.v[i].firing, img->arules.v[i].resolved };
		for (int k = 0; k < 2; k++) {
			if (entry[k] == IMG_NONE)
				continue;
			if (entry[k] >= n || !(marks[entry[k]] & VM_ENTRY))
				return vfail(v, "alert rule %u points to an offset that is not a handler entry", i);
			for (uint32_t pc = entry[k]; img->code.v[pc] != OP_HALT; pc += 1 + op_info(img->code.v[pc])->nops) {
				uint32_t op = img->code.v[pc];
				const struct op_info *oi = op_info(op);
				if (op == OP_STATE || op == OP_CMPNUM || op == OP_CMPTEXT || op == OP_MATCH || op == OP_MARKED ||
				    op == OP_MARK || op == OP_UNMARK || op == OP_LEVEL)
					return vfail(v, "alert rule %u: %s at offset %u reads the UPS of the run", i, oi->name, pc);
				for (uint32_t o = 0; o < oi->nops; o++)
					if (oi->kinds[o] == OPK_TPL && vtpl_no_ups(v, i, pc, img->code.v[pc + 1 + o]))
						return -1;
			}
		}
	}
	return 0;
}

int img_verify(const struct plan_image *img, char *err, size_t errlen)
{
	struct vfy v = { .img = img, .err = err, .errlen = errlen };
	uint8_t *marks;
	uint64_t *tb;
	int rc;

	if (vtables(&v))
		return -1;
	marks = xcalloc((size_t)img->code.n + 1, 1);
	v.tb = tb = img_tpl_bounds(img, NULL);
	v.tord = img_tentries_by_pc(img);
	v.tcost = xcalloc((size_t)img->tentries.n + 1, sizeof(*v.tcost));
	rc = vcode(&v, marks);
	if (rc == 0)
		rc = vhandlers(&v, marks);
	if (rc == 0)
		rc = vlevels(&v, marks);
	if (rc == 0)
		rc = varules(&v, marks);
	free(marks);
	free(tb);
	free(v.tord);
	free(v.tcost);
	return rc;
}
