/* SPDX-License-Identifier: GPL-2.0-or-later */
/* disasm.c - the disassembler: a plan image as text, names and texts decoded, with source locations. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "base/xalloc.h"

#include "engine/disasm.h"
#include "engine/events.h"

/* substitution key of each template part kind (enum tpl_kind) */
static const char tpl_keys[] = "?ucebh";

static const char *const type_names[] = { "primary", "secondary", "observer" };
static const char *const cmp_names[IMG_NCMP] = { "<", "<=", ">", ">=", "==", "!=" };

static const char *const prio_names[] = {
	"emerg", "alert", "crit", "err", "warning", "notice", "info", "debug"
};

/* The LEN bytes at S with C escapes, without quotes; PCT doubles '%'. */
static void put_esc(FILE *out, const char *s, size_t len, int pct)
{
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		switch (c) {
		case '\n': fputs("\\n", out); break;
		case '\t': fputs("\\t", out); break;
		case '\r': fputs("\\r", out); break;
		case '"': fputs("\\\"", out); break;
		case '\\': fputs("\\\\", out); break;
		case '%': fputs(pct ? "%%" : "%", out); break;
		default:
			if (c < 0x20 || c == 0x7f)
				fprintf(out, "\\x%02x", c);
			else
				putc(c, out);
		}
	}
}

void img_put_quoted(FILE *out, const char *s, size_t len)
{
	putc('"', out);
	put_esc(out, s, len, 0);
	putc('"', out);
}

/* A name from the image, quoted only when it holds something odd. */
static void put_name(FILE *out, const struct plan_image *img, struct img_str s)
{
	const char *p = img_bytes(img, s);

	for (uint32_t i = 0; i < s.len; i++)
		if ((unsigned char)p[i] <= ' ' || p[i] == '"' || p[i] == '\\' || p[i] == 0x7f) {
			img_put_quoted(out, p, s.len);
			return;
		}
	if (s.len == 0)
		fputs("\"\"", out);
	else
		fwrite(p, 1, s.len, out);
}

/* The tables of conditions, when the plan has any: a plan without conditions lists as it always did. */
static void disasm_conds(const struct plan_image *img, FILE *out)
{
	if (!img->vars.n && !img->ctexts.n && !img->regexes.n)
		return;
	fprintf(out, "variables (%u)\n", img->vars.n);
	for (uint32_t i = 0; i < img->vars.n; i++) {
		fprintf(out, "  %u ", i);
		put_name(out, img, img->vars.v[i]);
		fputs(" read by", out);
		for (uint32_t k = 0; k < img->uvars.n; k++)
			if (img->uvars.v[k].var == i) {
				putc(' ', out);
				put_name(out, img, img->ups.v[img->uvars.v[k].ups].name);
			}
		putc('\n', out);
	}
	fprintf(out, "texts (%u)\n", img->ctexts.n);
	for (uint32_t i = 0; i < img->ctexts.n; i++) {
		fprintf(out, "  %u ", i);
		img_put_quoted(out, img_bytes(img, img->ctexts.v[i]), img->ctexts.v[i].len);
		putc('\n', out);
	}
	fprintf(out, "regexes (%u)\n", img->regexes.n);
	for (uint32_t i = 0; i < img->regexes.n; i++) {
		fprintf(out, "  %u ", i);
		img_put_quoted(out, img_bytes(img, img->regexes.v[i]), img->regexes.v[i].len);
		putc('\n', out);
	}
}

void img_put_tpl(const struct plan_image *img, uint32_t t, FILE *out)
{
	const struct img_tpl *tp = &img->tpls.v[t];

	putc('"', out);
	for (uint32_t i = 0; i < tp->count; i++) {
		const struct img_part *p = &img->parts.v[tp->first + i];
		if (p->kind == TPL_LIT) {
			put_esc(out, img_bytes(img, p->text), p->text.len, 1);
		} else if (p->kind == TPL_VAR) {
			/* verified: the variable is in range, its name made of safe bytes by the compiler */
			fputs("%(var:", out);
			put_esc(out, img_bytes(img, img->vars.v[p->text.off]), img->vars.v[p->text.off].len, 1);
			fputs(")s", out);
		} else {
			fprintf(out, "%%(%c)s", tpl_keys[p->kind]);
		}
	}
	putc('"', out);
}

static void put_set(FILE *out, const char *label, struct img_str s)
{
	fprintf(out, " %s %s", label, s.len ? "(set)" : "(none)");
}

static void disasm_tables(const struct plan_image *img, FILE *out)
{
	const struct img_settings *st = &img->settings;

	fprintf(out, "settings\n  POLLFREQ %g POLLFREQALERT %g", st->pollfreq, st->pollfreqalert);
	if (st->shutdown_exit == IMG_SHUTDOWNEXIT_NO)	/* the default (yes) is not shown */
		fputs(" SHUTDOWNEXIT no", out);
	else if (st->shutdown_exit > 0)
		fprintf(out, " SHUTDOWNEXIT %g", st->shutdown_exit);
	putc('\n', out);
	if (st->smtp_port) {
		fputs("  SMTPSERVER ", out);
		img_put_quoted(out, img_bytes(img, st->smtp_server), st->smtp_server.len);
		fprintf(out, " PORT %u USER ", st->smtp_port);
		img_put_quoted(out, img_bytes(img, st->smtp_user), st->smtp_user.len);
		put_set(out, "PASSWORD", st->smtp_password);
		putc('\n', out);
	} else {
		fputs("  no SMTPSERVER\n", out);
	}
	if (img->amgrs.n) {	/* since image version 9; listed only when the plan has some */
		fprintf(out, "alertmanagers (%u)\n", img->amgrs.n);
		for (uint32_t i = 0; i < img->amgrs.n; i++) {
			const struct img_amgr *a = &img->amgrs.v[i];
			fprintf(out, "  %u ", i);
			img_put_quoted(out, img_bytes(img, a->url), a->url.len);
			if (a->cafile.len) {
				fputs(" CAFILE ", out);
				img_put_quoted(out, img_bytes(img, a->cafile), a->cafile.len);
			}
			if (a->bearer.len) {
				put_set(out, "BEARER", a->bearer);
			} else if (a->user.len) {
				fputs(" USER ", out);
				img_put_quoted(out, img_bytes(img, a->user), a->user.len);
				put_set(out, "PASSWORD", a->password);
			}
			putc('\n', out);
		}
	}
	fprintf(out, "groups (%u)\n", img->groups.n);
	for (uint32_t i = 0; i < img->groups.n; i++) {
		const struct img_group *g = &img->groups.v[i];
		fprintf(out, "  %u ", i);
		put_name(out, img, g->name);
		fputs(" HOST ", out);
		put_name(out, img, g->host);
		fprintf(out, " PORT %u", g->port);
		if (g->tls_mode == IMG_TLS_NONE) {	/* no certificate setting (the verifier checks it) */
			fputs(" TLS NONE", out);
		} else {
			fputs(" CERTFILE ", out);
			img_put_quoted(out, img_bytes(img, g->certfile), g->certfile.len);
		}
		if (g->tls_mode == IMG_TLS_DIRECT)
			fputs(" TLS DIRECT", out);
		if (g->certname.len) {
			fputs(" CERTNAME ", out);
			put_name(out, img, g->certname);
		}
		if (g->clientcert.len) {
			fputs(" CLIENTCERT ", out);
			img_put_quoted(out, img_bytes(img, g->clientcert), g->clientcert.len);
		}
		if (g->clientkey.len) {
			fputs(" CLIENTKEY ", out);
			img_put_quoted(out, img_bytes(img, g->clientkey), g->clientkey.len);
		}
		fprintf(out, " MINSUPPLIES %u\n", g->minsupplies);
	}
	fprintf(out, "ups (%u)\n", img->ups.n);
	for (uint32_t i = 0; i < img->ups.n; i++) {
		const struct img_ups *u = &img->ups.v[i];
		fprintf(out, "  %u ", i);
		put_name(out, img, u->name);
		fputs(" GROUP ", out);
		put_name(out, img, img->groups.v[u->group].name);
		fputs(" HOST ", out);
		put_name(out, img, u->host);
		fprintf(out, " PORT %u USER ", u->port);
		put_name(out, img, u->user);
		put_set(out, "PASSWORD", u->password);
		fprintf(out, " POWERVAL %u TYPE %s LB %u/%u/%u\n", u->powerval, type_names[u->type],
			u->lb[0], u->lb[1], u->lb[2]);
	}
	fprintf(out, "timers (%u)\n", img->timers.n);
	for (uint32_t i = 0; i < img->timers.n; i++) {
		fprintf(out, "  %u ", i);
		put_name(out, img, img->timers.v[i]);
		putc('\n', out);
	}
	if (img->marks.n) {	/* since image version 7; listed only when the plan has marks */
		fprintf(out, "marks (%u)\n", img->marks.n);
		for (uint32_t i = 0; i < img->marks.n; i++) {
			fprintf(out, "  %u ", i);
			put_name(out, img, img->marks.v[i]);
			putc('\n', out);
		}
	}
	fprintf(out, "messages (%u)\n", img->msgs.n);
	for (uint32_t i = 0; i < img->msgs.n; i++) {
		fputs("  ", out);
		put_name(out, img, img->msgs.v[i].name);
		fprintf(out, " = template %u\n", img->msgs.v[i].tpl);
	}
	fprintf(out, "templates (%u)\n", img->tpls.n);
	for (uint32_t i = 0; i < img->tpls.n; i++) {
		fprintf(out, "  %u ", i);
		img_put_tpl(img, i, out);
		putc('\n', out);
	}
	disasm_conds(img, out);
}

/* Operands of the instruction at PC, decoded. */
static void disasm_operands(const struct plan_image *img, uint32_t pc, FILE *out)
{
	const uint32_t *w = &img->code.v[pc];
	const struct op_info *oi = op_info(w[0]);

	for (uint32_t k = 0; k < oi->nops; k++) {
		uint32_t v = w[1 + k];
		putc(' ', out);
		switch (oi->kinds[k]) {
		case OPK_OFF: fprintf(out, "%u", v); break;
		case OPK_PAIR: fputs(ev_pair_name(v), out); break;
		case OPK_TPL: fprintf(out, "#%u ", v); img_put_tpl(img, v, out); break;
		case OPK_UPS: put_name(out, img, img->ups.v[v].name); break;
		case OPK_TIMER: put_name(out, img, img->timers.v[v]); break;
		case OPK_NUM: fprintf(out, w[0] == OP_CMPNUM || w[0] == OP_CMPNUMAT || w[0] == OP_PVWITHOUT ? "%g" : "%gs", img->consts.v[v]); break;
		case OPK_MARK: put_name(out, img, img->marks.v[v]); break;
		case OPK_STR: put_name(out, img, img->cstrs.v[v]); break;
		case OPK_PRIO: fputs(prio_names[v], out); break;
		case OPK_LEVEL: fprintf(out, "%u", v); break;
		case OPK_VAR: put_name(out, img, img->vars.v[v]); break;
		case OPK_CMP: fputs(cmp_names[v], out); break;
		case OPK_TEXT: img_put_quoted(out, img_bytes(img, img->ctexts.v[v]), img->ctexts.v[v].len); break;
		case OPK_RE: fprintf(out, "/%u ", v); img_put_quoted(out, img_bytes(img, img->regexes.v[v]), img->regexes.v[v].len); break;
		default: fprintf(out, "%u", v); break;
		}
	}
}

/* Every instruction from ENTRY to its HALT, with the location where the pc map has one. */
static void disasm_handler(const struct plan_image *img, uint32_t entry, FILE *out)
{
	uint32_t pc = entry, loc = img_loc_find(img, entry);

	loc = loc == IMG_NONE ? 0 : loc + (img->pcmap.v[loc].pc < entry);
	for (;;) {
		const struct op_info *oi = op_info(img->code.v[pc]);

		while (loc < img->pcmap.n && img->pcmap.v[loc].pc < pc)
			loc++;
		fprintf(out, oi->nops ? "  %6u  %-11s" : "  %6u  %s", pc, oi->name);
		disasm_operands(img, pc, out);
		if (loc < img->pcmap.n && img->pcmap.v[loc].pc == pc) {
			const struct img_loc *l = &img->pcmap.v[loc];
			fputs("  ; ", out);
			put_name(out, img, img->files.v[l->file]);
			fprintf(out, ":%u:%u", l->line, l->col);
		}
		putc('\n', out);
		if (img->code.v[pc] == OP_HALT)
			return;
		pc += 1 + oi->nops;
	}
}

void img_disasm(const struct plan_image *img, FILE *out)
{
	uint32_t nh = 0, nshared = 0;
	/* per code word: how many handler table entries enter there */
	uint32_t *refs = xcalloc((size_t)img->code.n + 1, sizeof(*refs));

	disasm_tables(img, out);
	for (uint32_t i = 0; i < img->handlers.n; i++)
		if (img->handlers.v[i] != IMG_NONE) {
			nh++;
			nshared += refs[img->handlers.v[i]]++ == 1;
		}
	if (nshared)
		fprintf(out, "handlers (%u REPORTS, %u TIMEOUT; %u code words; %u shared)\n", nh, img->tentries.n,
			img->code.n, nshared);
	else
		fprintf(out, "handlers (%u REPORTS, %u TIMEOUT; %u code words)\n", nh, img->tentries.n, img->code.n);
	/*
	 * code is laid out in handler order: REPORTS by UPS and pair, then
	 * TIMEOUT; a shared handler (WHEN GROUP, WHEN /pattern/) is listed
	 * where it is first entered, and its other entries name it
	 */
	for (uint32_t i = 0; i < img->handlers.n; i++) {
		uint32_t pc = img->handlers.v[i];
		if (pc == IMG_NONE)
			continue;
		fputs("WHEN ", out);
		put_name(out, img, img->ups.v[i / EV_NPAIRS].name);
		fprintf(out, " REPORTS %s", ev_pair_name(i % EV_NPAIRS));
		if (refs[pc] == 0) {
			fprintf(out, " -> shared handler at %u\n", pc);
			continue;
		}
		if (refs[pc] > 1)
			fprintf(out, " (shared handler at %u: %u UPS)", pc, refs[pc]);
		putc('\n', out);
		refs[pc] = 0;
		disasm_handler(img, pc, out);
	}
	for (uint32_t i = 0; i < img->tentries.n; i++) {
		const struct img_tentry *t = &img->tentries.v[i];
		fputs("WHEN ", out);
		put_name(out, img, img->ups.v[t->ups].name);
		fputs(" TIMEOUT ", out);
		put_name(out, img, img->timers.v[t->timer]);
		putc('\n', out);
		disasm_handler(img, t->pc, out);
	}
	if (img->levels.n)
		fprintf(out, "level rules (%u)\n", img->levels.n);
	/* a rule of WHEN GROUP g or WHEN /pattern/ BECOMES: listed at its first UPS, the others name it */
	memset(refs, 0xff, ((size_t)img->code.n + 1) * sizeof(*refs));
	for (uint32_t i = 0; i < img->levels.n; i++) {
		const struct img_level *l = &img->levels.v[i];
		const char *part[3] = { "test", "fires", "CEASES" };
		uint32_t pc[3] = { l->test, l->on, l->off };
		if (l->test < img->code.n && refs[l->test] != IMG_NONE) {
			fputs("WHEN ", out);
			put_name(out, img, img->ups.v[l->ups].name);
			fprintf(out, " level rule %u (hold %g s) -> shares the code of level rule %u\n", i,
				img->consts.v[l->hold], refs[l->test]);
			continue;
		}
		if (l->test < img->code.n)
			refs[l->test] = i;
		for (int k = 0; k < 3; k++) {
			if (pc[k] == IMG_NONE)
				continue;
			fputs("WHEN ", out);
			put_name(out, img, img->ups.v[l->ups].name);
			fprintf(out, " level rule %u %s", i, part[k]);
			if (k == 0)
				fprintf(out, " (hold %g s)", img->consts.v[l->hold]);
			putc('\n', out);
			disasm_handler(img, pc[k], out);
		}
	}
	free(refs);
	if (img->arules.n)
		fprintf(out, "alert rules (%u)\n", img->arules.n);
	for (uint32_t i = 0; i < img->arules.n; i++) {
		uint32_t pc[2] = { img->arules.v[i].firing, img->arules.v[i].resolved };
		for (int k = 0; k < 2; k++) {
			if (pc[k] == IMG_NONE)
				continue;
			fputs("WHEN ALERT ", out);
			put_name(out, img, img->cstrs.v[img->arules.v[i].name]);
			fputs(k ? " RESOLVED\n" : " FIRING\n", out);
			disasm_handler(img, pc[k], out);
		}
	}
}

void img_list_opcodes(FILE *out)
{
	static const char *const kind_names[OPK_STR + 1] = {
		"", "offset", "pair", "template", "ups", "timer", "number", "priority", "level",
		"variable", "comparison", "text", "regex", "mark", "string"
	};

	for (uint32_t op = 0; op < OP_COUNT; op++) {
		const struct op_info *oi = op_info(op);
		char ops[64] = "";
		for (uint32_t k = 0; k < oi->nops; k++) {
			size_t n = strlen(ops);
			snprintf(ops + n, sizeof(ops) - n, "%s%s", k ? " " : "", kind_names[oi->kinds[k]]);
		}
		fprintf(out, "%-11s %-35s %d -> %d  %s\n", oi->name, ops, oi->in, oi->out, oi->meaning);
	}
}
