/* SPDX-License-Identifier: GPL-2.0-or-later */
/* sema-gen.c - code generation: the semantic pass hands each checked declaration to the code generator. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "engine/argv.h"
#include "engine/events.h"
#include "engine/sema-int.h"
#include "base/xalloc.h"

void sema_gen_when_begin(struct sema *s, const struct ast_decl *d, uint32_t timer)
{
	const struct ast_when *wd = &d->u.when;
	int64_t ups;

	s->in_clause = 0;
	if (!s->cg)
		return;
	if (d->target != AST_TARGET_UPS) {
		/* one shared clause, bound to each UPS it names by sema_multi_finish() */
		if (timer != SEMA_NONE || !s->multiv.n || s->multiv.v[s->multiv.n - 1].decl != d)
			return;		/* E431, E433, E434 */
		s->multiv.v[s->multiv.n - 1].clause =
			cg_clause_begin(s->cg, IMG_NONE, 0, (uint32_t)ev_pair_index(d->from, d->to));
		s->in_clause = 1;
		return;
	}
	ups = symtab_get(&s->group_ups[s->cur_group], sema_bytes(s, wd->ups), wd->ups.len);
	if (ups < 0)
		return;		/* E430 */
	if (timer != SEMA_NONE)
		cg_clause_begin(s->cg, (uint32_t)ups, 1, timer);
	else
		cg_clause_begin(s->cg, (uint32_t)ups, 0, (uint32_t)ev_pair_index(d->from, d->to));
	s->in_clause = 1;
}

/* The instruction of each action kind: the row of base/opcodes.def that declares both. */
#define SEMA_OP_ACTION(name) [AST_ACT_##name] = OP_##name,
#define SEMA_OP_CODE(name)
static const uint8_t sema_action_op[AST_ACT_COUNT] = {
#define OP(name, kind, a, b, c, d, in, out, meaning) SEMA_OP_##kind(name)
#include "base/opcodes.def"
#undef OP
};
#undef SEMA_OP_ACTION
#undef SEMA_OP_CODE

/* Emit the IF of A, if any; 0 when the action can be compiled. */
static int sema_gen_cond(struct sema *s, const struct ast_action *a)
{
	const struct ast_cond *c = ast_action_cond(a);

	if (!s->cg || !s->in_clause)
		return -1;
	if (!c)
		return 0;
	if (s->cond_bad)
		return -1;	/* reported by sema_cond_check() */
	sema_cond_gen(s, c);
	return 0;
}

static const char *const syslog_prios[] = {
	"emerg", "alert", "crit", "err", "warning", "notice", "info", "debug"
};

/* SYSLOG: the priority of the leading tag (info without one), and the text after it. */
static uint32_t sema_syslog_prio(const char **text, size_t *len)
{
	const char *p = *text;
	size_t n = *len;

	if (n == 0 || p[0] != '[')
		return 6;
	for (uint32_t i = 0; i < 8; i++) {
		size_t tl = strlen(syslog_prios[i]);
		if (n >= tl + 2 && memcmp(p + 1, syslog_prios[i], tl) == 0 && p[tl + 1] == ']') {
			p += tl + 2;
			n -= tl + 2;
			/* blanks after the tag go, newlines too: "[debug]" "text" logs "text" */
			while (n > 0 && (*p == ' ' || *p == '\t' || *p == '\n')) {
				p++;
				n--;
			}
			*text = p;
			*len = n;
			return i;
		}
	}
	return 6;		/* not reached: the tag was checked (E510) */
}

/* The template of text T: the message's own when T is one message alone. */
static uint32_t sema_gen_tpl(struct sema *s, const struct sema_text *t)
{
	return t->tpl != IMG_NONE ? t->tpl : cg_tpl(s->cg, t->p, t->len);
}

void sema_gen_action(struct sema *s, const struct ast_action *a, const struct sema_text *t)
{
	uint32_t loc = ast_action_kw(a).off;
	struct cg *cg = s->cg;
	double d;

	if (sema_gen_cond(s, a) != 0)
		return;
	switch (a->kind) {
	case AST_ACT_CANCELTIMER:
	case AST_ACT_STARTTIMER: {
		int64_t ti = symtab_get(&s->timers, sema_bytes(s, a->u.arg.name), a->u.arg.name.len);
		if (a->kind == AST_ACT_CANCELTIMER) {
			cg_op(cg, loc, OP_CANCELTIMER, (uint32_t)ti, 0, 0, 0);
		} else {
			sema_duration(s, a->u.arg.num, "STARTTIMER", SEMA_DURATION_MAX, 0, &d);
			cg_op(cg, loc, OP_STARTTIMER, (uint32_t)ti, cg_num(cg, d), 0, 0);
		}
		break;
	}
	case AST_ACT_MARK:
	case AST_ACT_UNMARK:
		cg_op(cg, loc, a->kind == AST_ACT_MARK ? OP_MARK : OP_UNMARK,
		      (uint32_t)symtab_get(&s->marks, sema_bytes(s, a->u.arg.name), a->u.arg.name.len), 0, 0, 0);
		break;
	case AST_ACT_DEBUG:
		sema_number(s, a->u.arg.num, &d);
		cg_op(cg, loc, OP_DEBUG, (uint32_t)d, 0, 0, 0);
		break;
	case AST_ACT_SETFSD: {
		int64_t u = sema_plan_ups(s, a->u.arg.name, NULL);
		cg_op(cg, loc, OP_SETFSD, (uint32_t)u, 0, 0, 0);
		break;
	}
	case AST_ACT_SYSLOG: {
		/* the tag goes: the rest is a text of its own */
		struct sema_text rest = *t;
		uint32_t prio = sema_syslog_prio(&rest.p, &rest.len);
		if (rest.p != t->p)
			rest.tpl = IMG_NONE;
		cg_op(cg, loc, OP_SYSLOG, prio, sema_gen_tpl(s, &rest), 0, 0);
		break;
	}
	case AST_ACT_EMAIL:
		break;		/* sema_gen_email() */
	case AST_ACT_ALERT: {
		const struct ast_alert *al = a->u.alert;
		uint32_t sev = al->severity.len ? sema_cstr(s, sema_bytes(s, al->severity), al->severity.len) :
			       sema_cstr(s, "warning", 7);
		cg_op(cg, loc, OP_ALERT, sema_cstr(s, sema_bytes(s, al->name), al->name.len), sev, sema_gen_tpl(s, t), 0);
		break;
	}
	case AST_ACT_RESOLVE:
		cg_op(cg, loc, OP_RESOLVE, sema_cstr(s, sema_bytes(s, a->u.alert->name), a->u.alert->name.len), 0, 0, 0);
		break;
	case AST_ACT_HOOKS: {
		src_span dir = ast_text_content(&a->u.alert->text);
		cg_op(cg, loc, OP_HOOKS, sema_cstr(s, sema_bytes(s, dir), dir.len), sema_gen_tpl(s, t), 0, 0);
		break;
	}
	default: {
		/* an action of one template (NOTIFY, WALL, PRINT, SHUTDOWNCMD ...): its instruction, the template */
		uint32_t op = sema_action_op[a->kind];
		const struct op_info *oi = op_info(op);

		if (oi->nops != 1 || oi->kinds[0] != OPK_TPL)
			abort();	/* an ACTION row of another shape needs its case above */
		cg_op(cg, loc, op, sema_gen_tpl(s, t), 0, 0, 0);
		break;
	}
	}
}

void sema_gen_email(struct sema *s, const struct ast_action *a, const char *const f[3], const size_t n[3],
		    const struct sema_text *msg)
{
	uint32_t t[3];

	if (sema_gen_cond(s, a) != 0)
		return;
	for (int i = 0; i < 3; i++)
		t[i] = cg_tpl(s->cg, f[i], n[i]);
	cg_op(s->cg, ast_action_kw(a).off, OP_EMAIL, t[0], t[1], t[2], sema_gen_tpl(s, msg));
}

int sema_shutdown_argv(struct sema *s, const struct ast_action *a, const char *text, size_t len)
{
	char *words = xrealloc(NULL, len + 1);
	size_t errpos = 0;
	int n = argv_split(text, len, words, &errpos);
	src_span at = ast_text_span(ast_action_texts(a));
	struct diag_record *r;

	free(words);
	if (n > 0)
		return 0;
	if (n == 0) {
		r = diag_at(s->dq, DIAG_SHUTDOWN_ARGV, at, "SHUTDOWNCMD text holds no command");
		diag_note(s->dq, r, 0, at, "give the command and its arguments, e.g. '/sbin/shutdown -h +0'");
	} else {
		r = diag_at(s->dq, DIAG_SHUTDOWN_ARGV, at,
			    "SHUTDOWNCMD text has an unclosed %s at byte %zu of the command",
			    text[errpos] == '\\' ? "backslash" : text[errpos] == '"' ? "double quote" : "single quote",
			    errpos + 1);
		diag_note(s->dq, r, 0, at,
			  "the command is split into arguments as a shell would (no shell runs): close the quote, or use SHELLCMD for shell syntax");
	}
	return -1;
}

void sema_gen_message(struct sema *s, struct sema_msg *m)
{
	struct plan_image *img = s->img;
	struct img_msg *im;

	IMG_PUSH(img->msgs, im);
	if (m->name.len)
		im->name = img_add_str(img, sema_bytes(s, m->name), m->name.len);
	else
		im->name = img_add_str(img, "hostname", 8);
	/* its uses alone share this template */
	m->text.tpl = sema_gen_tpl(s, &m->text);
	im->tpl = m->text.tpl;
}

static struct img_str sema_gen_host(struct sema *s, const struct ast_text *h)
{
	struct plan_image *img = s->img;
	src_span c;

	if (!h)
		return img_add_str(img, "localhost", 9);
	c = ast_text_content(h);
	return img_add_str(img, sema_bytes(s, c), c.len);
}

static struct img_str sema_gen_str(struct sema *s, const char *p)
{
	return img_add_str(s->img, p ? p : "", p ? strlen(p) : 0);
}

/*
 * E592: the image the plan compiles to, with the code still to be linked
 * and the tables still to be written (s->tables), stays within
 * IMG_MAX_SIZE.  Checked after each declaration, which adds at most its
 * own size and texts (bounded by E591 and by the text of E592) to it.
 */
void sema_gen_check_size(struct sema *s, src_span at)
{
	uint64_t size = img_size(s->img) + cg_pending_size(s->cg) + s->tables;
	struct diag_record *r;

	if (s->over || size <= IMG_MAX_SIZE)
		return;
	s->over = 1;
	r = diag_at(s->dq, DIAG_PLAN_LIMIT, at,
		    "with this declaration the compiled plan would take more than %u bytes", IMG_MAX_SIZE);
	diag_note(s->dq, r, 0, at,
		  "a plan image holds at most %u bytes: split the plan between hosts; the rest of the plan is not checked",
		  IMG_MAX_SIZE);
}

void sema_gen_finish(struct sema *s)
{
	struct plan_image *img = s->img;

	img_grow((void **)&img->groups.v, &img->groups.cap, sizeof(*img->groups.v), (uint32_t)s->groupv.n + 1);
	for (size_t i = 0; i < s->groupv.n; i++) {
		const struct sema_group *g = &s->groupv.v[i];
		struct img_group *ig;
		IMG_PUSH(img->groups, ig);
		ig->name = img_add_str(img, sema_bytes(s, g->name), g->name.len);
		ig->host = sema_gen_host(s, g->host);
		ig->port = (uint32_t)g->port;
		ig->certfile = sema_gen_str(s, g->certfile);
		ig->tls_mode = (uint32_t)g->tls_mode;
		ig->certname = g->certname ? sema_gen_host(s, g->certname) : sema_gen_str(s, NULL);
		ig->clientcert = sema_gen_str(s, g->clientcert);
		ig->clientkey = sema_gen_str(s, g->clientkey ? g->clientkey : g->clientcert);
		ig->minsupplies = (uint32_t)g->minsupplies;
	}
	img_grow((void **)&img->ups.v, &img->ups.cap, sizeof(*img->ups.v), (uint32_t)s->upsv.n + 1);
	for (size_t i = 0; i < s->upsv.n; i++) {
		const struct sema_ups *u = &s->upsv.v[i];
		struct img_ups *iu;
		IMG_PUSH(img->ups, iu);
		iu->name = img_add_str(img, sema_bytes(s, u->name), u->name.len);
		iu->group = u->group;
		iu->host = sema_gen_host(s, u->host);
		iu->port = (uint32_t)u->port;
		if (u->mon)
			iu->user = img_add_str(img, sema_bytes(s, u->mon->user), u->mon->user.len);
		iu->password = sema_gen_str(s, u->password);
		iu->powerval = u->powerval;
		iu->type = u->type;
		for (int k = 0; k < 3; k++)
			iu->lb[k] = (uint32_t)u->lb[k];
	}
	img_grow((void **)&img->timers.v, &img->timers.cap, sizeof(*img->timers.v), (uint32_t)s->timerv.n + 1);
	img->timers.n = (uint32_t)s->timerv.n;
	for (size_t i = 0; i < s->timers.cap; i++) {
		const struct symtab_slot *sl = &s->timers.slots[i];
		if (sl->key)
			img->timers.v[sl->value] = img_add_str(img, sl->key, sl->len);
	}
	img_grow((void **)&img->marks.v, &img->marks.cap, sizeof(*img->marks.v), (uint32_t)s->markv.n + 1);
	img->marks.n = (uint32_t)s->markv.n;
	for (size_t i = 0; i < s->marks.cap; i++) {
		const struct symtab_slot *sl = &s->marks.slots[i];
		if (sl->key)
			img->marks.v[sl->value] = img_add_str(img, sl->key, sl->len);
	}
	img->settings.pollfreq = s->pollfreq;
	img->settings.pollfreqalert = s->pollfreqalert;
	img->settings.shutdown_exit = s->shutdown_exit;
	img->settings.smtp_server = sema_gen_str(s, s->smtp_server);
	img->settings.smtp_user = sema_gen_str(s, s->smtp_user);
	img->settings.smtp_password = sema_gen_str(s, s->smtp_password);
	img->settings.smtp_port = (uint32_t)s->smtp_port;
	cg_link(s->cg, (uint32_t)s->upsv.n);

	uint32_t nx;
	const struct cg_excess *x = cg_excesses(s->cg, &nx);
	for (uint32_t i = 0; i < nx; i++) {
		src_span at = { x[i].off, 1 };
		struct diag_record *r;
		if (x[i].timeout >= CG_ALERT) {
			struct img_str n = img->cstrs.v[img->arules.v[x[i].key].name];
			r = diag_at(s->dq, DIAG_RUN_LIMIT, at, "the WHEN ALERT %.*s %s clauses together emit %s",
				    (int)n.len, img_bytes(img, n), x[i].timeout > CG_ALERT ? "FIRING" : "RESOLVED", x[i].why);
		} else if (x[i].timeout >= 2) {
			struct img_str u = img->ups.v[x[i].ups].name;
			r = diag_at(s->dq, DIAG_RUN_LIMIT, at, "a level clause of UPS '%.*s' emits %s",
				    (int)u.len, img_bytes(img, u), x[i].why);
		} else if (x[i].timeout) {
			struct img_str t = img->timers.v[x[i].key];
			r = diag_at(s->dq, DIAG_RUN_LIMIT, at, "the TIMEOUT clauses of timer '%.*s' together emit %s",
				    (int)t.len, img_bytes(img, t), x[i].why);
		} else {
			struct img_str u = img->ups.v[x[i].ups].name;
			r = diag_at(s->dq, DIAG_RUN_LIMIT, at, "the WHEN clauses of UPS '%.*s' for %s together emit %s",
				    (int)u.len, img_bytes(img, u), ev_pair_name(x[i].key), x[i].why);
		}
		diag_note(s->dq, r, 0, at,
			  "one event runs all of them at once, with every %%(k)s substitution counted at its longest: split the text or the clauses over timers");
	}
}
