/* SPDX-License-Identifier: GPL-2.0-or-later */
/* sema.c - the semantic pass over a parsed plan, in file order, as UPSmon.py's e() but checked. */
#include "config.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "engine/argv.h"
#include "engine/events.h"
#include "engine/sema-int.h"
#include "engine/vm.h"
#include "base/xalloc.h"

#define LB_PREFIX "battery.charge.low."

static const int lb_defaults[3] = { 50, 25, 12 };

static struct sema_group *cur_group(struct sema *s)
{
	return s->cur_group == SEMA_NONE ? NULL : &s->groupv.v[s->cur_group];
}

/* Declarations legal only before the first group element. */
static void sema_intro(struct sema *s, const struct ast_decl *d, const char *kw)
{
	if (s->has_first_group_elem) {
		struct diag_record *r = diag_at(s->dq, DIAG_INTRO_LATE, ast_decl_kw(d),
			"%s is a global setting and must come before the first group declaration", kw);
		diag_note(s->dq, r, 1, s->first_group_elem, "the first group declaration is here");
	}
}

/*
 * SHUTDOWNEXIT yes | no | duration: when the monitoring process logs out
 * of upsd after its first SHUTDOWNCMD started (daemon.md), as NUT's upsmon
 * leaves upsd's login count when it shuts down.  yes and no in any case.
 */
static void sema_shutdown_exit(struct sema *s, src_span v)
{
	const char *p = sema_bytes(s, v);
	double f;

	if (v.len == 3 && strncasecmp(p, "yes", 3) == 0) {
		s->shutdown_exit = 0;
		return;
	}
	if (v.len == 2 && strncasecmp(p, "no", 2) == 0) {
		s->shutdown_exit = IMG_SHUTDOWNEXIT_NO;
		return;
	}
	if (v.len == 0 || p[0] < '0' || p[0] > '9') {
		struct diag_record *r = diag_at(s->dq, DIAG_SHUTDOWNEXIT_VALUE, v,
			"SHUTDOWNEXIT is yes, no or a duration, not '%.*s'", (int)(v.len > 40 ? 40 : v.len), p);
		diag_note(s->dq, r, 0, v, "yes logs out of upsd when the SHUTDOWNCMD starts, a duration (30, 2m) that long after, no never");
		return;
	}
	if (sema_duration(s, v, "SHUTDOWNEXIT", SEMA_DURATION_MAX, 1, &f) != 0)
		return;
	if (f > SEMA_SHUTDOWNEXIT_LONG) {
		struct diag_record *r = diag_at(s->dq, DIAG_SHUTDOWNEXIT_LONG, v,
			"SHUTDOWNEXIT %.*s keeps the logins %.0f s after the SHUTDOWNCMD starts: a primary waiting for them "
			"gives up at its HOSTSYNC long before", (int)(v.len > 40 ? 40 : v.len), p, f);
		diag_note(s->dq, r, 0, v, "write yes, or a delay of at most %d s (a minute or two is usual)",
			  SEMA_SHUTDOWNEXIT_LONG);
	}
	s->shutdown_exit = f;
}

/*
 * Group elements need a current GROUP.  MONITOR and WHEN without one are
 * errors; HOST, PORT, CERTFILE and MINSUPPLIES are accepted (UPSmon.py
 * stores them in a group of no name) but apply to nothing: a warning.
 */
static int sema_need_group(struct sema *s, const struct ast_decl *d, const char *kw)
{
	struct diag_record *r;
	int fatal = d->kind == AST_DECL_MONITOR || d->kind == AST_DECL_WHEN;

	if (!s->has_first_group_elem) {
		s->has_first_group_elem = 1;
		s->first_group_elem = ast_decl_kw(d);
	}
	if (s->cur_group != SEMA_NONE)
		return 1;
	if (fatal)
		r = diag_at(s->dq, DIAG_NO_GROUP, ast_decl_kw(d), "%s before any GROUP", kw);
	else
		r = diag_at(s->dq, DIAG_NO_GROUP_SET, ast_decl_kw(d),
			    "%s before any GROUP applies to no group and is ignored", kw);
	diag_note(s->dq, r, 0, ast_decl_kw(d), "add 'GROUP name' (with HOST, PORT and CERTFILE) before it");
	return 0;
}

/* Python's ASCII white space (str.isspace(), which int() strips): HT LF VT FF CR, FS GS RS US, space. */
static int sema_py_space(unsigned char c)
{
	return (c >= 0x09 && c <= 0x0D) || (c >= 0x1C && c <= 0x1F) || c == ' ';
}

/*
 * Read the LEN bytes at P as Python's int() reads a text (base 10): white
 * space around, an optional sign, digits with single underscores between
 * them.  Sets *V (capped at 1000: the caller checks the range); NULL when
 * it is an integer, else why not.
 */
static const char *sema_py_int(const char *p, size_t len, long *v)
{
	size_t i = 0, end = len;
	int neg = 0, digits = 0;

	while (i < end && sema_py_space((unsigned char)p[i]))
		i++;
	while (end > i && sema_py_space((unsigned char)p[end - 1]))
		end--;
	if (i == end)
		return "it holds no digit";
	if (p[i] == '+' || p[i] == '-')
		neg = p[i++] == '-';
	*v = 0;
	for (; i < end; i++) {
		unsigned char c = (unsigned char)p[i];
		if (c >= '0' && c <= '9') {
			digits++;
			if (*v < 1000)
				*v = *v * 10 + (c - '0');
		} else if (c == '_') {
			if (!digits || i + 1 >= end || p[i + 1] < '0' || p[i + 1] > '9')
				return "an underscore must stand between two digits";
		} else if (c >= 0x80) {
			return "it holds a character other than an ASCII digit or space (Python reads other digits, upsplan only 0-9)";
		} else {
			return "it is not a whole number";
		}
	}
	if (!digits)
		return "it holds no digit";
	if (neg)
		*v = -*v;
	return NULL;
}

/*
 * LET battery.charge.low.N: the parts joined (as UPSmon.py joins a LET),
 * read as Python's int() reads them, from 0 to 100.
 */
static void sema_let_low(struct sema *s, const struct ast_decl *d, int level)
{
	const struct ast_text *t = &d->u.let.text;
	src_span at = ast_text_span(t);
	struct sema_text text;
	const char *why = NULL;
	struct diag_record *r;
	long v = 0;

	if (s->cur_ups == SEMA_NONE) {
		r = diag_at(s->dq, DIAG_LOW_NO_UPS, d->u.let.name,
			"%s" LB_PREFIX "%d sets a threshold of the current UPS, but no MONITOR comes before it",
			"", level);
		diag_note(s->dq, r, 0, d->u.let.name, "move it after the MONITOR of the UPS it is for");
	}
	for (const struct ast_text *p = t->next; p; p = p->next)
		at = (src_span){ at.off, p->off + p->len - at.off };
	if (sema_resolve_texts(s, t, "", 0, "this threshold", &text) != 0)
		return;	/* over a bound: reported */
	why = sema_py_int(text.p, text.len, &v);
	if (!why && (v < 0 || v > 100))
		why = "it is out of the range 0 to 100";
	if (why) {
		r = diag_at(s->dq, DIAG_LOW_VALUE, at,
			LB_PREFIX "%d must be a whole number from 0 to 100, not '%.*s': %s",
			level, (int)(text.len > 40 ? 40 : text.len), text.p, why);
		diag_note(s->dq, r, 0, at, "write one quoted number, e.g. \"50\"");
	} else if (s->cur_ups != SEMA_NONE) {
		struct sema_ups *u = &s->upsv.v[s->cur_ups];
		u->lb[level - 1] = (int)v;
		u->lb_span[level - 1] = d->u.let.name;
	}
	sema_text_free(&text);
}

/* Is the name battery.charge.low.1, .2 or .3 (a threshold, not a message)? */
static int sema_is_threshold(const char *p, size_t len)
{
	size_t plen = strlen(LB_PREFIX);

	return len == plen + 1 && memcmp(p, LB_PREFIX, plen) == 0 &&
	       p[plen] >= '1' && p[plen] <= '3';
}

static void sema_let(struct sema *s, const struct ast_decl *d)
{
	src_span name = d->u.let.name;
	const char *p = sema_bytes(s, name);
	struct sema_msg *m;
	struct sema_text text;
	char what[80];
	int64_t old;

	if (sema_is_threshold(p, name.len)) {
		sema_let_low(s, d, p[name.len - 1] - '0');
		return;
	}
	old = symtab_get(&s->msgs, p, name.len);
	if (old >= 0) {
		struct sema_msg *om = &s->msgv.v[old];
		struct diag_record *r = diag_at(s->dq, DIAG_DUP_LET, name,
			"LET redefines message '%.*s': later uses get the new text, earlier ones keep the old",
			(int)name.len, p);
		if (om->name.len)
			diag_note(s->dq, r, 1, om->name, "previous definition is here");
		else
			diag_note(s->dq, r, 0, name, "'%.*s' is built in (this machine's host name)",
				  (int)name.len, p);
	}
	snprintf(what, sizeof(what), "message '%.*s'", (int)(name.len > 60 ? 60 : name.len), p);
	sema_resolve_texts(s, &d->u.let.text, "", SEMA_SUBST_JOINED, what, &text);
	m = SEMA_PUSH(s, s->msgv);
	m->name = name;
	m->text = text;	/* p NULL: over a bound, its uses are too (reported once, here) */
	symtab_put(&s->msgs, p, name.len, (uint32_t)(s->msgv.n - 1));
	if (s->cg && text.p)
		sema_gen_message(s, m);
}

static void sema_group(struct sema *s, const struct ast_decl *d)
{
	const char *p = sema_bytes(s, d->u.name);
	int64_t old = symtab_get(&s->groups, p, d->u.name.len);
	struct sema_group *g;

	if (!s->has_first_group_elem) {
		s->has_first_group_elem = 1;
		s->first_group_elem = ast_decl_kw(d);
	}
	if (old >= 0) {
		struct diag_record *r = diag_at(s->dq, DIAG_DUP_GROUP, d->u.name,
			"GROUP '%.*s' is declared twice", (int)d->u.name.len, p);
		diag_note(s->dq, r, 1, s->groupv.v[old].name, "first declared here; give each group its own name");
	}
	g = SEMA_PUSH(s, s->groupv);
	/* its table entry: name, host "localhost" and five empty strings until set */
	s->tables += sizeof(struct img_group) + d->u.name.len + 1 + 10 + 5;
	g->name = d->u.name;
	g->port = 3493;
	g->minsupplies = 1;
	g->first_secondary = SEMA_NONE;
	s->group_ups = xrealloc(s->group_ups, s->groupv.cap * sizeof(*s->group_ups));
	symtab_init(&s->group_ups[s->groupv.n - 1]);
	if (old < 0)
		symtab_put(&s->groups, p, d->u.name.len, (uint32_t)(s->groupv.n - 1));
	/* the current UPS stays the last MONITOR seen, as in UPSmon.py */
	s->cur_group = (uint32_t)(s->groupv.n - 1);
}

static const char *const type_names[] = { "primary", "master", "secondary", "slave", "observer" };

/* A password at SPAN: its file holds a secret (W610 checks the file's mode). */
void sema_password_at(struct sema *s, src_span span)
{
	const struct src_file *f = src_file_at(s->reg, span.off);

	s->has_passwords = 1;
	for (size_t i = 0; i < s->npw_files; i++)
		if (s->pw_files[i] == f)
			return;
	if (f && s->npw_files < SEMA_PW_FILES)
		s->pw_files[s->npw_files++] = f;
}

static void sema_monitor(struct sema *s, const struct ast_decl *d)
{
	const struct ast_monitor *m = d->u.monitor;
	struct sema_group *g;
	struct sema_ups *u;
	const char *p = sema_bytes(s, m->ups);
	const char *tp = sema_bytes(s, m->type);
	int64_t old;
	long pv = 0;
	int type = -1;

	sema_password_at(s, ast_text_span(m->password));
	char *password = sema_resolve_value(s, m->password, NULL);
	if (!sema_need_group(s, d, "MONITOR")) {
		free(password);
		return;
	}
	g = cur_group(s);
	old = symtab_get(&s->group_ups[s->cur_group], p, m->ups.len);
	if (old >= 0) {
		struct diag_record *r = diag_at(s->dq, DIAG_DUP_UPS, m->ups,
			"UPS '%.*s' is monitored twice in group '%.*s'", (int)m->ups.len, p,
			(int)g->name.len, sema_bytes(s, g->name));
		diag_note(s->dq, r, 1, s->upsv.v[old].name, "first MONITOR is here");
	}
	if (sema_integer(s, m->powerval, "POWERVAL", 0, 1000000, &pv) == 0)
		g->powerval_sum += pv;
	for (int i = 0; i < 5; i++)
		if (strlen(type_names[i]) == m->type.len && memcmp(type_names[i], tp, m->type.len) == 0)
			type = i;
	if (type < 0)
		diag_at(s->dq, DIAG_BAD_TYPE, m->type,
			"TYPE '%.*s' is unknown; use primary, secondary or observer (master and slave are old synonyms)",
			(int)m->type.len, tp);
	u = SEMA_PUSH(s, s->upsv);
	/* its table entry with its strings, and its row of the handler table */
	s->tables += sizeof(struct img_ups) + m->ups.len + 1 + m->user.len + 1 + strlen(password) + 1 +
		     (g->host ? ast_text_content(g->host).len : 9) + 1 + EV_NPAIRS * sizeof(uint32_t);
	u->name = m->ups;
	u->group = s->cur_group;
	u->host = g->host;
	u->port = g->port;
	memcpy(u->lb, lb_defaults, sizeof(u->lb));
	u->primary = type == 0 || type == 1 ? m->type : (src_span){ 0, 0 };
	if (s->cg) {
		u->mon = m;
		u->password = password;
		u->powerval = pv > 0 ? (uint32_t)pv : 0;
		u->type = type <= 1 ? IMG_PRIMARY : type <= 3 ? IMG_SECONDARY : IMG_OBSERVER;
	} else {
		free(password);
	}
	if (g->ups_end == 0)
		g->ups_first = (uint32_t)(s->upsv.n - 1);
	g->ups_end = (uint32_t)s->upsv.n;
	if ((type == 2 || type == 3) && g->first_secondary == SEMA_NONE)
		g->first_secondary = (uint32_t)(s->upsv.n - 1);
	if (old < 0)
		symtab_put(&s->group_ups[s->cur_group], p, m->ups.len, (uint32_t)(s->upsv.n - 1));
	s->cur_ups = (uint32_t)(s->upsv.n - 1);
}

void sema_unknown_ups(struct sema *s, enum diag_code code, src_span name, const char *what)
{
	const char *p = sema_bytes(s, name);
	struct sema_group *g = cur_group(s);
	int64_t mon = symtab_get(&s->all_monitors, p, name.len);
	struct diag_record *r;
	uint32_t vl = 0;
	const char *close;

	/* any group's UPS (sema_plan_ups) */
	int plan = code == DIAG_NUMLOGINS_UPS || code == DIAG_SETFSD_UPS || code == DIAG_MARKED_UPS;

	if (plan)
		r = diag_at(s->dq, code, name, "UPS '%.*s' is not declared by a MONITOR of this plan before this rule%s",
			    (int)(name.len > 60 ? 60 : name.len), p, what);
	else
		r = diag_at(s->dq, code, name, "UPS '%.*s' is not declared by a MONITOR in group '%.*s'%s",
			    (int)(name.len > 60 ? 60 : name.len), p, (int)g->name.len, sema_bytes(s, g->name), what);
	if (!r)
		return;		/* past --max-errors: no notes to look for */
	if (mon >= 0) {
		const struct sema_mon *later = NULL, *other = NULL;
		/* the chain of one name's MONITORs: its walk shares the budget of the notes */
		for (int64_t i = mon; i != SEMA_NONE && !later && s->suggest_work++ <= SEMA_SUGGEST_WORK;
		     i = s->monitor_decls.v[i].next) {
			const struct sema_mon *m = &s->monitor_decls.v[i];
			if ((m->group == s->cur_group || plan) && m->decl->kw > name.off && !later)
				later = m;
			else if (m->group != s->cur_group && !other)
				other = m;
		}
		if (later) {
			diag_note(s->dq, r, 1, later->decl->u.monitor->ups,
				  "its MONITOR comes later; declare a UPS before using it");
			return;
		}
		if (other) {
			diag_note(s->dq, r, 1, other->decl->u.monitor->ups,
				  "it is monitored in group '%.*s'; a rule can only name a UPS of its own group",
				  (int)other->group_name.len, sema_bytes(s, other->group_name));
			return;
		}
	}
	/* NUMLOGINS and SETFSD may name a UPS of any group: the closest of the plan */
	close = sema_closest(s, plan ? &s->all_monitors : &s->group_ups[s->cur_group], p, name.len, &vl);
	if (close)
		diag_note(s->dq, r, 0, name, "did you mean '%.*s'?", (int)vl, close);
}

int64_t sema_plan_ups(struct sema *s, src_span name, unsigned *others)
{
	const char *p = sema_bytes(s, name);
	int64_t u = symtab_get(&s->group_ups[s->cur_group], p, name.len), found = -1;
	int64_t mon = symtab_get(&s->all_monitors, p, name.len);
	unsigned n = 0;

	if (others)
		*others = 0;
	if (u >= 0)
		return u;
	/* the MONITORs of this name, in file order: those of groups already read are in their group_ups */
	for (int64_t i = mon; i >= 0 && i != SEMA_NONE; i = s->monitor_decls.v[i].next) {
		const struct sema_mon *m = &s->monitor_decls.v[i];
		/* a group not read yet (its MONITOR comes later) has no table yet */
		int64_t v = m->group == s->cur_group || m->group >= s->groupv.n ? -1 :
			    symtab_get(&s->group_ups[m->group], p, name.len);

		if (v >= 0 && v != found) {
			if (found < 0)
				found = v;
			n++;
		}
	}
	if (others)
		*others = n;
	return found;
}

int64_t sema_plan_ups_check(struct sema *s, src_span name, enum diag_code code, const char *what)
{
	unsigned n;
	int64_t u = sema_plan_ups(s, name, &n);
	const char *p = sema_bytes(s, name);
	struct diag_record *r;

	if (u < 0) {
		sema_unknown_ups(s, code, name, what);
		return -1;
	}
	if (n <= 1)
		return u;
	r = diag_at(s->dq, DIAG_UPS_AMBIGUOUS, name,
		    "UPS '%.*s' is not monitored in group '%.*s', and %u other groups monitor a UPS of that name",
		    (int)(name.len > 60 ? 60 : name.len), p, (int)cur_group(s)->name.len,
		    sema_bytes(s, cur_group(s)->name), n);
	for (int64_t i = symtab_get(&s->all_monitors, p, name.len); r && i >= 0 && i != SEMA_NONE;
	     i = s->monitor_decls.v[i].next) {
		const struct sema_mon *m = &s->monitor_decls.v[i];
		if (m->group != s->cur_group && m->group < s->groupv.n &&
		    symtab_get(&s->group_ups[m->group], p, name.len) >= 0)
			diag_note(s->dq, r, 1, m->decl->u.monitor->ups, "monitored in group '%.*s'",
				  (int)m->group_name.len, sema_bytes(s, m->group_name));
	}
	if (r)
		diag_note(s->dq, r, 0, name,
			  "write this rule in the group of the UPS it means (a rule may name a UPS of another group only when one group monitors it)");
	return -1;
}

void sema_pair_hint(struct sema *s, struct diag_record *r, src_span at, int from, int to)
{
	char hint[256];

	ev_pairs_hint(from, to, hint, sizeof(hint));
	diag_note(s->dq, r, 0, at, "valid pairs: %s", hint);
}

uint32_t sema_timer(struct sema *s, src_span name)
{
	const char *p = sema_bytes(s, name);
	int64_t t = symtab_get(&s->timers, p, name.len);
	struct sema_timer *tm;

	if (t >= 0)
		return (uint32_t)t;
	tm = SEMA_PUSH(s, s->timerv);
	s->tables += sizeof(struct img_str) + name.len + 1;
	tm->len = name.len;
	symtab_put(&s->timers, p, name.len, (uint32_t)(s->timerv.n - 1));
	return (uint32_t)(s->timerv.n - 1);
}

uint32_t sema_mark(struct sema *s, src_span name)
{
	const char *p = sema_bytes(s, name);
	int64_t k = symtab_get(&s->marks, p, name.len);
	struct sema_mark *m;

	if (k >= 0)
		return (uint32_t)k;
	if (s->markv.n == IMG_MAX_MARKS) {
		struct diag_record *r = diag_at(s->dq, DIAG_MARK_LIMIT, name,
			"mark '%.*s' is one name more than the %u mark names a plan may have",
			(int)(name.len > 60 ? 60 : name.len), p, IMG_MAX_MARKS);
		diag_note(s->dq, r, 0, name,
			  "the marks of a UPS are one set of %u bits: use fewer names (a mark is per UPS, so one "
			  "name serves every UPS: MARK critical, not MARK critical.ups1)", IMG_MAX_MARKS);
		return SEMA_NONE;
	}
	m = SEMA_PUSH(s, s->markv);
	s->tables += sizeof(struct img_str) + name.len + 1;
	m->len = name.len;
	symtab_put(&s->marks, p, name.len, (uint32_t)(s->markv.n - 1));
	return (uint32_t)(s->markv.n - 1);
}

uint32_t sema_marked_ups(struct sema *s, src_span name, int report)
{
	unsigned n;
	int64_t u;

	if (report)
		u = sema_plan_ups_check(s, name, DIAG_MARKED_UPS, ": MARKED reads the marks of a UPS of any group");
	else
		u = (u = sema_plan_ups(s, name, &n)) >= 0 && n <= 1 ? u : -1;
	return u < 0 ? SEMA_NONE : (uint32_t)u;
}

static const char *const syslog_tags[] = {
	"[emerg]", "[alert]", "[crit]", "[err]", "[warning]", "[notice]", "[info]", "[debug]"
};

/* Check the priority tag of a SYSLOG text; 0 when valid or absent. */
static int sema_syslog(struct sema *s, const struct ast_action *a, const char *text)
{
	const char *end;

	if (text[0] != '[')
		return 0;	/* no tag: logged at info */
	for (size_t i = 0; i < sizeof(syslog_tags) / sizeof(syslog_tags[0]); i++)
		if (strncmp(text, syslog_tags[i], strlen(syslog_tags[i])) == 0)
			return 0;
	end = strchr(text, ']');
	struct diag_record *r = diag_at(s->dq, DIAG_SYSLOG_TAG, ast_text_span(ast_action_texts(a)),
		"SYSLOG priority tag '%.*s' is unknown", end ? (int)(end - text + 1) : 1, text);
	diag_note(s->dq, r, 0, ast_text_span(ast_action_texts(a)),
		  "use [emerg], [alert], [crit], [err], [warning], [notice], [info] or [debug]; without a tag the priority is info");
	return -1;
}

/*
 * The text of action A, in *T; 0 when it can be compiled.  SHUTDOWNCMD
 * and SYSLOG read their text through once more: a message used alone
 * counts as work there.
 */
static int sema_action_text(struct sema *s, const struct ast_action *a, struct sema_text *t)
{
	char what[40];

	snprintf(what, sizeof(what), "the text of this %s", a->synonym ? "SHUTDOWN" : ast_action_name(a->kind));
	if (sema_resolve_texts(s, ast_action_texts(a), "\n", 1, what, t) != 0)
		return -1;
	if ((a->kind == AST_ACT_SHUTDOWNCMD || a->kind == AST_ACT_SHELLCMD) &&
	    sema_command_vars(s, ast_action_texts(a), a->synonym ? "SHUTDOWN" : ast_action_name(a->kind)) != 0)
		return -1;
	if (!t->own && (a->kind == AST_ACT_SHUTDOWNCMD || a->kind == AST_ACT_SYSLOG))
		return sema_work(s, t->len, ast_text_span(ast_action_texts(a)));
	return 0;
}

static void sema_action(struct sema *s, const struct ast_action *a, struct sema_when *w)
{
	double d;
	struct sema_text text;

	const struct ast_cond *c = ast_action_cond(a);

	if (s->alert_rule && sema_alert_rule_action(s, a) != 0)
		return;		/* E729: it needs a UPS */
	/* the code generator skips an action whose condition has an error */
	s->cond_bad = c && sema_cond_check(s, c) != 0;
	switch (a->kind) {
	case AST_ACT_CANCELTIMER: {
		uint32_t ti = sema_timer(s, a->u.arg.name);	/* may move timerv */
		struct sema_timer *t = &s->timerv.v[ti];
		if (!t->cancel)
			t->cancel = a->u.arg.name.off;
		sema_gen_action(s, a, NULL);
		break;
	}
	case AST_ACT_STARTTIMER: {
		uint32_t ti = sema_timer(s, a->u.arg.name);
		struct sema_timer *t = &s->timerv.v[ti];
		if (!t->start)
			t->start = a->u.arg.name.off;
		*SEMA_PUSH(s, s->starts) = ti;
		if (sema_duration(s, a->u.arg.num, "STARTTIMER", SEMA_DURATION_MAX, 1, &d) != 0)
			break;
		if (w->timer != SEMA_NONE && d < VM_MIN_REARM) {
			struct diag_record *r = diag_at(s->dq, DIAG_SHORT_REARM, a->u.arg.num,
				"STARTTIMER %.*s %.*s in a TIMEOUT clause waits %g s, not %.*s",
				(int)a->u.arg.name.len, sema_bytes(s, a->u.arg.name),
				(int)a->u.arg.num.len, sema_bytes(s, a->u.arg.num), VM_MIN_REARM,
				(int)a->u.arg.num.len, sema_bytes(s, a->u.arg.num));
			diag_note(s->dq, r, 0, a->u.arg.num,
				  "a timer started when a timer expires runs at least %g s, so that timers restarting each other cannot spin; write at least %g",
				  VM_MIN_REARM, VM_MIN_REARM);
		}
		sema_gen_action(s, a, NULL);
		break;
	}
	case AST_ACT_MARK:
	case AST_ACT_UNMARK: {
		uint32_t k = sema_mark(s, a->u.arg.name);
		if (k == SEMA_NONE)
			break;
		if (a->kind == AST_ACT_MARK && !s->markv.v[k].set)
			s->markv.v[k].set = a->u.arg.name.off;
		sema_gen_action(s, a, NULL);
		break;
	}
	case AST_ACT_ALERT:
	case AST_ACT_RESOLVE:
	case AST_ACT_HOOKS:
		sema_alert_action(s, a);
		break;
	case AST_ACT_DEBUG:
		if (sema_number(s, a->u.arg.num, &d) != 0)
			break;
		if (d != 0 && d != 1 && d != 2)
			diag_at(s->dq, DIAG_DEBUG_RANGE, a->u.arg.num,
				"DEBUG level must be 0, 1 or 2, not %.*s", (int)a->u.arg.num.len,
				sema_bytes(s, a->u.arg.num));
		else
			sema_gen_action(s, a, NULL);
		break;
	case AST_ACT_SETFSD: {
		int64_t u = sema_plan_ups_check(s, a->u.arg.name, DIAG_SETFSD_UPS, ": SETFSD needs a monitored UPS");
		if (u < 0)
			break;
		if (s->upsv.v[u].primary.len)	/* W630 unless the clause leads to SHUTDOWNCMD, see sema-flow.c */
			*SEMA_PUSH(s, s->fsdv) = (struct sema_fsd){ a->u.arg.name, (uint32_t)(w - s->whenv.v),
								    (uint32_t)u };
		sema_gen_action(s, a, NULL);
		break;
	}
	case AST_ACT_EMAIL: {
		const struct ast_email *e = a->u.email;
		char *f[3];
		size_t n[3];
		f[0] = sema_resolve_one(s, e->from, &n[0]);
		f[1] = sema_resolve_one(s, e->to, &n[1]);
		f[2] = sema_resolve_one(s, e->subject, &n[2]);
		if (sema_resolve_texts(s, &e->message, "", 1, "the MESSAGE of this EMAIL", &text) == 0)
			sema_gen_email(s, a, (const char *const *)f, n, &text);
		sema_text_free(&text);
		for (int i = 0; i < 3; i++)
			free(f[i]);
		break;
	}
	case AST_ACT_SYSLOG:
		if (sema_action_text(s, a, &text) == 0 && sema_syslog(s, a, text.p) == 0)
			sema_gen_action(s, a, &text);
		sema_text_free(&text);
		break;
	case AST_ACT_SHUTDOWNCMD:
		w->shutdown = 1;
		if (sema_action_text(s, a, &text) == 0 && sema_shutdown_argv(s, a, text.p, text.len) == 0)
			sema_gen_action(s, a, &text);
		sema_text_free(&text);
		break;
	default:
		if (sema_action_text(s, a, &text) == 0)
			sema_gen_action(s, a, &text);
		sema_text_free(&text);
		break;
	}
}

static void sema_when(struct sema *s, const struct ast_decl *d)
{
	const struct ast_when *wd = &d->u.when;
	const char *p = sema_bytes(s, wd->ups);
	struct sema_group *g;
	struct sema_when *w;
	int multi_ok = 0;

	if (d->target == AST_TARGET_ALERT) {	/* no UPS, no group: its actions only */
		w = SEMA_PUSH(s, s->whenv);
		w->group = s->cur_group == SEMA_NONE ? 0 : s->cur_group;
		w->timer = SEMA_NONE;
		w->starts_begin = (uint32_t)s->starts.n;
		sema_alert_rule_begin(s, d);
		for (const struct ast_action *a = wd->actions; a; a = a->next) {
			sema_action(s, a, w);
			w = &s->whenv.v[s->whenv.n - 1];
		}
		s->alert_rule = NULL;
		s->in_clause = 0;
		return;
	}
	if (!sema_need_group(s, d, "WHEN"))
		return;
	g = cur_group(s);
	/* a CEASES clause is bound where its BECOMES clause is */
	if (d->target != AST_TARGET_UPS) {
		if (d->level != AST_LEVEL_CEASES)
			multi_ok = sema_multi_begin(s, d) == 0;
	} else if (symtab_get(&s->group_ups[s->cur_group], p, wd->ups.len) < 0)
		sema_unknown_ups(s, DIAG_UNDECLARED_UPS, wd->ups, "");
	w = SEMA_PUSH(s, s->whenv);
	if (g->when_end == 0)
		g->when_first = (uint32_t)(s->whenv.n - 1);
	g->when_end = (uint32_t)s->whenv.n;
	w->group = s->cur_group;
	w->timer = SEMA_NONE;
	w->starts_begin = (uint32_t)s->starts.n;
	if (d->level) {
		sema_level_begin(s, d);
		w->reports = 1;		/* run by polls, as a REPORTS clause: a start of shutdown paths */
	} else if (d->timeout) {
		uint32_t ti = sema_timer(s, wd->event);
		struct sema_timer *t = &s->timerv.v[ti];
		sema_gen_when_begin(s, d, ti);
		w->timer = ti;
		if (!t->timeout)
			t->timeout = wd->event.off;
	} else if (ev_pair_index(d->from, d->to) < 0) {
		struct diag_record *r = diag_at(s->dq, DIAG_BAD_EVENT, wd->event,
			"REPORTS %s->%s is not a valid event pair", sw_name(d->from),
			sw_name(d->to));
		sema_pair_hint(s, r, wd->event, d->from, d->to);
	} else {
		if (d->target == AST_TARGET_UPS || multi_ok)
			sema_gen_when_begin(s, d, SEMA_NONE);
		w->reports = 1;
		if (d->from == SW_NONE && d->to == SW_LB)
			g->has_none_lb = 1;
		if (d->from == SW_COMM && d->to == SW_NOCOMM)
			g->has_comm_nocomm = 1;
		if (d->from == SW_NONE && d->to == SW_FSD)
			g->has_none_fsd = 1;
	}
	for (const struct ast_action *a = wd->actions; a; a = a->next) {
		sema_action(s, a, w);
		w = &s->whenv.v[s->whenv.n - 1];	/* the vector may have moved */
	}
	s->in_clause = 0;
}

/* TLS STARTTLS | DIRECT | NONE: how the group's upsd is reached (E585; NONE: sema-flow.c checks it). */
static void sema_tls(struct sema *s, const struct ast_decl *d)
{
	const char *p = sema_bytes(s, d->u.name);
	size_t n = d->u.name.len;
	int mode = n == 6 && strncasecmp(p, "DIRECT", 6) == 0 ? IMG_TLS_DIRECT :
		   n == 8 && strncasecmp(p, "STARTTLS", 8) == 0 ? IMG_TLS_STARTTLS :
		   n == 4 && strncasecmp(p, "NONE", 4) == 0 ? IMG_TLS_NONE : -1;
	struct sema_group *g;

	if (mode < 0) {
		struct diag_record *r = diag_at(s->dq, DIAG_TLS_MODE, d->u.name,
			"TLS '%.*s' is not a TLS mode", (int)(n > 40 ? 40 : n), p);
		diag_note(s->dq, r, 0, d->u.name,
			  "use TLS STARTTLS (upsd's own TLS on its port, the default), TLS DIRECT (a TLS front end such as stunnel: TLS from the first byte) or, for a upsd on this machine's loopback address only, TLS NONE");
		return;
	}
	if (!sema_need_group(s, d, "TLS"))
		return;
	g = cur_group(s);
	g->tls_mode = mode;
	g->tls_span = d->u.name;
	if (mode == IMG_TLS_NONE) {
		if (!g->none_span.len)
			g->none_span = d->u.name;
	} else if (!g->tls_tls_span.len) {
		g->tls_tls_span = d->u.name;
	}
}

/* The first certificate setting of the current group, for E652 (TLS NONE has none). */
static void sema_cert_setting(struct sema *s, src_span at, const char *kw)
{
	struct sema_group *g = cur_group(s);

	if (!g->cert_span.len) {
		g->cert_span = at;
		g->cert_kw = kw;
	}
}

static void sema_decl(struct sema *s, const struct ast_decl *d)
{
	struct sema_group *g;
	long v;
	double f;

	switch (d->kind) {
	case AST_DECL_SMTP:
		sema_intro(s, d, "SMTPSERVER");
		sema_password_at(s, ast_text_span(d->u.smtp->password));
		/* UPSmon.py replaces these too when they equal a message name; the last one wins */
		free(s->smtp_server);
		free(s->smtp_user);
		free(s->smtp_password);
		s->smtp_server = sema_resolve_value(s, d->u.smtp->server, NULL);
		s->smtp_user = sema_resolve_value(s, d->u.smtp->user, NULL);
		s->smtp_password = sema_resolve_value(s, d->u.smtp->password, NULL);
		s->tables += strlen(s->smtp_server) + strlen(s->smtp_user) + strlen(s->smtp_password) + 3;
		s->smtp_port = 0;
		if (sema_number(s, d->u.smtp->port, &f) == 0) {
			if (f < 1 || f > 65535 || f != (double)(long)f)
				diag_at(s->dq, DIAG_SMTP_PORT, d->u.smtp->port,
					"SMTP port must be a whole number from 1 to 65535 (465 for TLS, 587 for STARTTLS), not %.*s",
					(int)d->u.smtp->port.len, sema_bytes(s, d->u.smtp->port));
			else
				s->smtp_port = (long)f;
		}
		break;
	case AST_DECL_LET:
		sema_let(s, d);
		break;
	case AST_DECL_ALERTMANAGER:
		sema_intro(s, d, "ALERTMANAGER");
		sema_amgr(s, d);
		break;
	case AST_DECL_POLLFREQ:
	case AST_DECL_POLLFREQALERT: {
		const char *kw = d->kind == AST_DECL_POLLFREQ ? "POLLFREQ" : "POLLFREQALERT";
		sema_intro(s, d, kw);
		if (sema_duration(s, d->u.num, kw, SEMA_DURATION_MAX, 1, &f) != 0)
			break;
		if (f <= 0)
			diag_at(s->dq, DIAG_POLLFREQ, d->u.num,
				"%s must be above 0 seconds, not %.*s", kw, (int)d->u.num.len,
				sema_bytes(s, d->u.num));
		else if (d->kind == AST_DECL_POLLFREQ)
			s->pollfreq = f;
		else
			s->pollfreqalert = f;
		break;
	}
	case AST_DECL_SHUTDOWNEXIT:
		sema_intro(s, d, "SHUTDOWNEXIT");
		sema_shutdown_exit(s, d->u.num);
		break;
	case AST_DECL_GROUP:
		sema_group(s, d);
		break;
	case AST_DECL_HOST:
	case AST_DECL_CERTNAME:
		/* the value, in the group's table entry (an upper bound: a later one replaces it) */
		s->tables += ast_text_content(d->u.text).len + 1;
		if (d->kind == AST_DECL_CERTNAME) {
			sema_check_host(s, d->u.text, "CERTNAME");
			if (sema_need_group(s, d, "CERTNAME")) {
				cur_group(s)->certname = d->u.text;
				sema_cert_setting(s, ast_text_span(d->u.text), "CERTNAME");
			}
			break;
		}
		sema_check_host(s, d->u.text, "HOST");
		if (sema_need_group(s, d, "HOST"))
			cur_group(s)->host = d->u.text;
		break;
	case AST_DECL_PORT: {
		int in_group = sema_need_group(s, d, "PORT");
		if (sema_integer(s, d->u.num, "PORT", 1, 65535, &v) == 0 && in_group)
			cur_group(s)->port = v;
		break;
	}
	case AST_DECL_CERTFILE: {
		int in_group = sema_need_group(s, d, "CERTFILE");
		char *path = sema_resolve_one(s, d->u.text, NULL);
		s->tables += strlen(path) + 1;
		if (in_group) {
			g = cur_group(s);
			free(g->certfile);
			g->certfile = path;
			g->certfile_span = ast_text_span(d->u.text);
			sema_cert_setting(s, g->certfile_span, "CERTFILE");
		} else {
			free(path);
		}
		break;
	}
	case AST_DECL_TLS:
		sema_tls(s, d);
		break;
	case AST_DECL_CLIENTCERT:
	case AST_DECL_CLIENTKEY: {
		int key = d->kind == AST_DECL_CLIENTKEY;
		int in_group = sema_need_group(s, d, key ? "CLIENTKEY" : "CLIENTCERT");
		char *path = sema_resolve_one(s, d->u.text, NULL);
		/* a CLIENTCERT is also the key when there is no CLIENTKEY */
		s->tables += (strlen(path) + 1) * (key ? 1 : 2);
		if (in_group) {
			g = cur_group(s);
			free(key ? g->clientkey : g->clientcert);
			*(key ? &g->clientkey : &g->clientcert) = path;
			if (key)
				g->clientkey_span = ast_text_span(d->u.text);
			sema_cert_setting(s, ast_text_span(d->u.text), key ? "CLIENTKEY" : "CLIENTCERT");
		} else {
			free(path);
		}
		break;
	}
	case AST_DECL_MONITOR:
		sema_monitor(s, d);
		break;
	case AST_DECL_MINSUPPLIES: {
		int in_group = sema_need_group(s, d, "MINSUPPLIES");
		if (sema_integer(s, d->u.num, "MINSUPPLIES", 0, 1000000, &v) == 0 && in_group) {
			cur_group(s)->minsupplies = v;
			cur_group(s)->minsupplies_span = d->u.num;
		}
		break;
	}
	case AST_DECL_WHEN:
		sema_when(s, d);
		break;
	case AST_DECL_INCLUDE:	/* the parser read the file: its declarations follow */
		break;
	}
}

/* Pre-pass: every LET and MONITOR by name, for "defined later" notes. */
/*
 * The message names in lower case (s->lets_ci: folded name -> offset of
 * the first LET of a name that folds to it, in file order), so that a
 * text that differs from a message name only in case is found (W631).
 */
static void sema_fold_lets(struct sema *s, const struct ast_plan *plan)
{
	size_t total = 0, used = 0;

	for (const struct ast_decl *d = plan->first; d; d = d->next)
		if (d->kind == AST_DECL_LET)
			total += d->u.let.name.len;
	s->lets_ci_keys = xrealloc(NULL, total + 1);
	for (const struct ast_decl *d = plan->first; d; d = d->next) {
		src_span n = d->u.let.name;
		const char *p;
		char *k;

		if (d->kind != AST_DECL_LET)
			continue;
		p = sema_bytes(s, n);
		if (sema_is_threshold(p, n.len))
			continue;
		k = s->lets_ci_keys + used;
		for (uint32_t i = 0; i < n.len; i++)
			k[i] = (char)tolower((unsigned char)p[i]);
		if (symtab_get(&s->lets_ci, k, n.len) < 0) {
			symtab_put(&s->lets_ci, k, n.len, n.off);
			used += n.len;
		}
	}
}

static void sema_prepass(struct sema *s, const struct ast_plan *plan)
{
	size_t nwhen = 0, nmon = 0;

	for (const struct ast_decl *d = plan->first; d; d = d->next) {
		nwhen += d->kind == AST_DECL_WHEN;
		nmon += d->kind == AST_DECL_MONITOR;
	}
	s->whenv.v = xgrow(s->whenv.v, &s->whenv.cap, nwhen + 1, sizeof(*s->whenv.v));
	s->upsv.v = xgrow(s->upsv.v, &s->upsv.cap, nmon + 1, sizeof(*s->upsv.v));
	s->monitor_decls.v = xgrow(s->monitor_decls.v, &s->monitor_decls.cap, nmon + 1,
				   sizeof(*s->monitor_decls.v));
	uint32_t group = SEMA_NONE;
	src_span group_name = { 0, 0 };
	struct symtab last;	/* UPS name -> last MONITOR so far, to chain them */

	symtab_init(&last);
	for (const struct ast_decl *d = plan->first; d; d = d->next) {
		if (d->kind == AST_DECL_GROUP) {
			group = group == SEMA_NONE ? 0 : group + 1;
			group_name = d->u.name;
		} else if (d->kind == AST_DECL_LET) {
			const char *p = sema_bytes(s, d->u.let.name);
			if (!sema_is_threshold(p, d->u.let.name.len) &&
			    symtab_get(&s->all_lets, p, d->u.let.name.len) < 0)
				symtab_put(&s->all_lets, p, d->u.let.name.len, d->u.let.name.off);
		} else if (d->kind == AST_DECL_MONITOR) {
			src_span n = d->u.monitor->ups;
			const char *p = sema_bytes(s, n);
			uint32_t idx = (uint32_t)s->monitor_decls.n;
			int64_t prev = symtab_get(&last, p, n.len);
			struct sema_mon *m = SEMA_PUSH(s, s->monitor_decls);

			m->decl = d;
			m->group = group;
			m->group_name = group_name;
			m->next = SEMA_NONE;
			if (prev >= 0)
				s->monitor_decls.v[prev].next = idx;
			else
				symtab_put(&s->all_monitors, p, n.len, idx);
			symtab_put(&last, p, n.len, idx);
		}
	}
	symtab_free(&last);
	sema_fold_lets(s, plan);
}

static void sema_free(struct sema *s)
{
	for (size_t i = 0; i < s->msgv.n; i++)
		sema_text_free(&s->msgv.v[i].text);
	for (size_t i = 0; i < s->groupv.n; i++) {
		free(s->groupv.v[i].certfile);
		free(s->groupv.v[i].clientcert);
		free(s->groupv.v[i].clientkey);
		symtab_free(&s->group_ups[i]);
	}
	for (size_t i = 0; i < s->upsv.n; i++)
		free(s->upsv.v[i].password);
	free(s->smtp_server);
	free(s->smtp_user);
	free(s->smtp_password);
	cg_free(s->cg);
	free(s->group_ups);
	free(s->msgv.v);
	free(s->groupv.v);
	free(s->upsv.v);
	free(s->timerv.v);
	free(s->markv.v);
	free(s->whenv.v);
	free(s->starts.v);
	sema_multi_free(s);
	free(s->monitor_decls.v);
	free(s->fsdv.v);
	free(s->levelv.v);
	sema_alert_free(s);
	symtab_free(&s->msgs);
	symtab_free(&s->all_lets);
	symtab_free(&s->lets_ci);
	free(s->lets_ci_keys);
	symtab_free(&s->groups);
	symtab_free(&s->timers);
	symtab_free(&s->marks);
	symtab_free(&s->all_monitors);
}

int sema_check(const struct src_registry *reg, const struct src_file *file,
	       const struct ast_plan *plan, struct diag_queue *dq,
	       const struct sema_options *opt, struct sema_result *res)
{
	struct sema s;
	struct plan_image scratch = { 0 };
	struct sema_msg *host;
	char hostname[256] = "localhost";
	size_t errors_before = dq->nerrors;

	memset(&s, 0, sizeof(s));
	s.reg = reg;
	s.file = file;
	s.dq = dq;
	s.opt = opt;
	s.cur_group = s.cur_ups = SEMA_NONE;
	/* the source file's name in the pc map, the three SMTP settings */
	s.tables = sizeof(struct img_str) + strlen(file->name) + 1 + 3;
	s.pollfreq = s.pollfreqalert = 5;
	/* without an image to fill, one is built and dropped: the bounds of E590 are checked on the code */
	s.img = opt && opt->image ? opt->image : &scratch;
	s.cg = cg_new(s.img, reg);

	/* the built-in message "hostname" */
	if (opt && opt->hostname)
		snprintf(hostname, sizeof(hostname), "%s", opt->hostname);
	else if (gethostname(hostname, sizeof(hostname) - 1) != 0 || !argv_plain_word(hostname, strlen(hostname)))
		snprintf(hostname, sizeof(hostname), "localhost");
	host = SEMA_PUSH(&s, s.msgv);
	/* its text is used as a message: a '%' in it is a percent sign, not a substitution */
	host->text.own = xrealloc(NULL, 2 * strlen(hostname) + 1);
	host->text.tpl = IMG_NONE;
	for (const char *p = hostname; *p; p++) {
		host->text.own[host->text.len++] = *p;
		if (*p == '%')
			host->text.own[host->text.len++] = '%';
	}
	host->text.own[host->text.len] = '\0';
	host->text.p = host->text.own;
	symtab_put(&s.msgs, "hostname", 8, 0);
	if (s.cg)
		sema_gen_message(&s, host);

	if (!plan->first) {
		diag_at(dq, DIAG_EMPTY, DIAG_FILE_SPAN(file),
			"the file holds no declaration; a plan needs at least a GROUP, a MONITOR and WHEN rules");
	}
	sema_prepass(&s, plan);
	if (plan->first && s.monitor_decls.n == 0) {
		/* UPSmon.py's grammar needs a group element after the intros (Message 290) */
		struct diag_record *r = diag_at(dq, DIAG_EMPTY, DIAG_FILE_SPAN(file),
			"the plan monitors no UPS: it would poll nothing and never act");
		diag_note(dq, r, 0, DIAG_FILE_SPAN(file),
			  "add a GROUP, a MONITOR for each UPS and WHEN rules, e.g. from examples/standard.conf");
	}
	for (const struct ast_decl *d = plan->first; d && !s.over; d = d->next) {
		sema_decl(&s, d);
		sema_gen_check_size(&s, ast_decl_kw(d));
	}
	if (!s.over) {
		sema_multi_finish(&s);
		sema_gen_check_size(&s, plan->last ? ast_decl_kw(plan->last) : DIAG_FILE_SPAN(file));
	}
	if (!s.over) {
		sema_flow_checks(&s);
		sema_alert_finish(&s);
		if (s.cg)
			sema_gen_finish(&s);
	}
	if (res) {
		res->ngroups = (unsigned)s.groupv.n;
		res->nups = (unsigned)s.upsv.n;
		res->nmessages = (unsigned)s.msgv.n;
		res->ntimers = (unsigned)s.timerv.n;
		res->nwhens = (unsigned)s.whenv.n;
	}
	sema_free(&s);
	img_free(&scratch);
	return dq->nerrors > errors_before;
}
