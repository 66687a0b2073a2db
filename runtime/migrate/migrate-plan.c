/* SPDX-License-Identifier: GPL-2.0-or-later */
/* migrate-plan.c - writes the migrated plan: settings, the group of MONITORs, and the nut-upsmon.rules template expanded per UPS. */
#include "runtime/migrate/migrate-int.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/xalloc.h"
#include "runtime/common/stdlib.h"

#define MG_TEMPLATE "nut-upsmon.rules"

/* One section of the template: its lines, in order. */
struct mg_section {
	char name[40];
	const char **lines;
	size_t n;
};

/* What the placeholders of a section stand for while it is written. */
struct mg_ctx {
	struct mg *m;
	const struct mg_ups *u;	/* the UPS of a per-UPS section, else NULL */
	size_t ui;
	const char *p;		/* the primary UPS of an @P@ line */
	struct mg_section *sec;
	size_t nsec;
	char *tpl;		/* the template's text, cut into lines */
	struct buf val;		/* a placeholder's value */
	char bad[48];		/* what the template holds that the expander does not know */
};

void mg_pct(struct buf *b, const char *s, int shellquote)
{
	for (; *s; s++) {
		if (*s == '%')
			buf_adds(b, "%%");
		else if (shellquote && *s == '\'')
			buf_adds(b, "'\\''");
		else
			buf_addc(b, *s);
	}
}

/* upsmon's message of type T for system string SYS, as a plan text: %s -> SYS, %% and stray % -> %% */
static void mg_message(struct mg *m, size_t t, const char *sys, int shell, struct buf *b)
{
	const char *fmt = m->notify[t].msg ? m->notify[t].msg : mg_types[t].msg;
	int nth = 0;

	for (const char *p = fmt; *p; p++) {
		if (p[0] == '%' && p[1] == 's') {
			if (nth++ == 0)
				mg_pct(b, sys, shell);
			else if (!shell && !strcmp(mg_types[t].name, "ALARM"))
				buf_adds(b, "%(var:ups.alarm)s");
			p++;
		} else if (p[0] == '%' && p[1] == '%') {
			buf_adds(b, "%%");
			p++;
		} else {
			mg_pct(b, (char[]){ *p, 0 }, shell);
		}
	}
}

static int mg_type_index(const char *name, size_t *t)
{
	for (*t = 0; *t < mg_ntypes; (*t)++)
		if (!strcmp(mg_types[*t].name, name))
			return 1;
	return 0;
}

/* TYPE as upssched compares it (case-insensitive) */
static int mg_type_named_index(const char *name, size_t *t)
{
	for (*t = 0; *t < mg_ntypes; (*t)++)
		if (!strcasecmp(mg_types[*t].name, name))
			return 1;
	return 0;
}

static void mg_add_action(struct mg_actions *a, const char *cond, char *act)
{
	a->v = xrealloc(a->v, (a->n + 1) * sizeof(*a->v));
	a->v[a->n].cond = cond ? xstrdup(cond) : NULL;
	a->v[a->n++].act = act;
}

static void mg_free_actions(struct mg_actions *a)
{
	for (size_t i = 0; i < a->n; i++) {
		free(a->v[i].cond);
		free(a->v[i].act);
	}
	free(a->v);
	a->v = NULL;
	a->n = 0;
}

/* Does a START-TIMER the plan holds start NAME? (the timers of mg_dry_run) */
static int mg_timer_started(const struct mg *m, const char *name)
{
	for (size_t i = 0; i < m->ntimers; i++)
		if (!strcmp(m->timers[i].name, name))
			return 1;
	return 0;
}

/* "SHELLCMD «export UPSNAME='S' NOTIFYTYPE='T'; C ARG»": upssched runs "CMDSCRIPT ARG" through the shell */
static char *mg_sched_cmd(const char *sys, const char *type, const char *cmdscript, const char *arg)
{
	struct buf b = { 0 };

	buf_adds(&b, "SHELLCMD \xc2\xab" "export UPSNAME='");
	mg_pct(&b, sys, 1);
	buf_addf(&b, "' NOTIFYTYPE='%s'; ", type);
	mg_pct(&b, cmdscript, 0);
	buf_adds(&b, " ");
	mg_pct(&b, arg, 0);
	buf_adds(&b, "\xc2\xbb");
	return buf_take(&b);
}

/* upssched's AT lines for SYS and type T, as actions (upssched 2.8.0 parse_at) */
static void mg_at_actions(struct mg *m, const struct mg_ups *u, const char *sys, const char *type,
			  struct mg_actions *a)
{
	for (size_t i = 0; i < m->nat; i++) {
		struct mg_at *at = &m->atv[i];
		struct buf b = { 0 };

		if (!at->cmd || (strcmp(at->ups, sys) && strcmp(at->ups, "*")) || strcasecmp(at->type, type))
			continue;
		at->used = 1;
		if (!strcmp(at->cmd, "START-TIMER")) {
			long secs = 0;
			size_t k;

			nc_number(at->arg2, &secs);
			buf_addf(&b, "STARTTIMER us.%s %s%ld", at->arg1, secs < 1 ? "0." : "", secs < 1 ? 1 : secs);
			mg_add_action(a, NULL, buf_take(&b));
			for (k = 0; k < m->ntimers && strcmp(m->timers[k].name, at->arg1); k++)
				;
			if (k == m->ntimers) {
				m->timers = xrealloc(m->timers, (m->ntimers + 1) * sizeof(*m->timers));
				m->timers[m->ntimers++] = (struct mg_timer){ at->arg1, u, sys, type, at->cmdscript };
			}
		} else if (!strcmp(at->cmd, "CANCEL-TIMER")) {
			int started = mg_timer_started(m, at->arg1);

			if (at->arg2) {
				buf_addf(&b, "NOT RUNNING us.%s", at->arg1);
				mg_add_action(a, started ? b.p : NULL, mg_sched_cmd(sys, type, at->cmdscript, at->arg2));
				buf_free(&b);
			}
			if (started) {
				buf_addf(&b, "CANCELTIMER us.%s", at->arg1);
				mg_add_action(a, NULL, buf_take(&b));
			}
		} else if (!strcmp(at->cmd, "EXECUTE")) {
			mg_add_action(a, NULL, mg_sched_cmd(sys, type, at->cmdscript, at->arg1));
		}
	}
}

/* The actions of notify type T for UPS U (NULL: the upsmon-wide SHUTDOWN), as upsmon's notify() delivers it */
static void mg_notify_actions(struct mg *m, const struct mg_ups *u, size_t t, struct mg_actions *a)
{
	unsigned f = m->notify[t].flags;
	const char *sys = u ? u->sys : "";
	struct buf b = { 0 };

	if (!f || (f & MG_IGNORE))
		return;
	if (f & MG_SYSLOG) {
		buf_adds(&b, "SYSLOG \"[notice]\" \xc2\xab");
		mg_message(m, t, sys, 0, &b);
		buf_adds(&b, "\xc2\xbb");
		mg_add_action(a, NULL, buf_take(&b));
	}
	if (f & MG_WALL) {
		buf_adds(&b, "WALL \xc2\xab");
		mg_message(m, t, sys, 0, &b);
		buf_adds(&b, "\xc2\xbb");
		mg_add_action(a, NULL, buf_take(&b));
	}
	if (!(f & MG_EXEC) || !m->notifycmd)
		return;
	if (m->upssched) {
		mg_at_actions(m, u ? u : &m->upsv[0], sys, mg_types[t].name, a);
		return;
	}
	buf_adds(&b, "SHELLCMD \xc2\xab" "export UPSNAME='");
	mg_pct(&b, sys, 1);
	buf_addf(&b, "' NOTIFYTYPE='%s'; ", mg_types[t].name);
	mg_pct(&b, m->notifycmd, 0);
	buf_adds(&b, " '");
	mg_message(m, t, sys, 1, &b);
	buf_adds(&b, "'\xc2\xbb");
	mg_add_action(a, NULL, buf_take(&b));
}

/* Cut the template into sections ("# ---------------- [name]" lines start them). */
static int mg_template(struct mg_ctx *c)
{
	const char *t = stdlib_text(MG_TEMPLATE);
	struct mg_section *cur = NULL;

	if (!t)
		return -1;
	c->tpl = xstrdup(t);
	for (char *save = NULL, *l = strtok_r(c->tpl, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
		if (!strncmp(l, "# ---------------- [", 20)) {
			c->sec = xrealloc(c->sec, (c->nsec + 1) * sizeof(*c->sec));
			cur = &c->sec[c->nsec++];
			memset(cur, 0, sizeof(*cur));
			snprintf(cur->name, sizeof(cur->name), "%.*s", (int)strcspn(l + 20, "]"), l + 20);
			continue;
		}
		if (!cur || l[0] == '#' || !l[strspn(l, " \t")])
			continue;
		cur->lines = xrealloc(cur->lines, (cur->n + 1) * sizeof(*cur->lines));
		cur->lines[cur->n++] = l;
	}
	return 0;
}

static const struct mg_section *mg_find_section(const struct mg_ctx *c, const char *name)
{
	for (size_t i = 0; i < c->nsec; i++)
		if (!strcmp(c->sec[i].name, name))
			return &c->sec[i];
	return NULL;
}

static void mg_dur(struct buf *b, long v)
{
	if (v < 1)
		buf_adds(b, "0.1");	/* a TIMEOUT clause's STARTTIMER waits at least 0.1 s (W606) */
	else
		buf_addf(b, "%ld", v);
}

/* @OBLB@ and @CRIT@ of UPS U */
static void mg_oblb(struct buf *b, const struct mg_ups *u)
{
	(void)u;
	buf_adds(b, "OL->OB AND (None->LB OR MARKED isdead) AND NOT None->CAL");
}

static void mg_crit(struct buf *b, const struct mg_ups *u)
{
	buf_adds(b, "None->FSD OR (");
	mg_oblb(b, u);
	if (!u->primary)
		buf_adds(b, " AND MARKED graced");
	buf_adds(b, ")");
}

/* The placeholders of the template: each fills B for the section's UPS U (the first MONITOR in plan-wide sections). */
#define MG_FILL(name) static void name(struct mg_ctx *c, const struct mg_ups *u, struct buf *b)

MG_FILL(mg_f_u) { (void)c; buf_adds(b, u->wups); }
MG_FILL(mg_f_t) { (void)c; buf_adds(b, u->ups); }
MG_FILL(mg_f_s) { (void)c; mg_pct(b, u->sys, 0); }
MG_FILL(mg_f_u1) { (void)u; buf_adds(b, c->m->upsv[0].wups); }
MG_FILL(mg_f_p) { (void)u; buf_adds(b, c->p ? c->p : ""); }
MG_FILL(mg_f_hostsync) { (void)u; mg_dur(b, c->m->hostsync); }
MG_FILL(mg_f_deadtime) { (void)u; mg_dur(b, c->m->deadtime); }
MG_FILL(mg_f_finaldelay) { (void)u; mg_dur(b, c->m->finaldelay); }
/* upsmon warns at most once per poll: NOCOMMWARNTIME and RBWARNTIME + 1, at least POLLFREQ */
MG_FILL(mg_f_nocommwarntime)
{
	(void)u;
	mg_dur(b, c->m->nocommwarntime > c->m->pollfreq ? c->m->nocommwarntime : c->m->pollfreq);
}

/*
 * The first NOCOMM: upsmon counts NOCOMMWARNTIME from the last answer, one
 * poll of CADENCE before COMM->NOCOMM, and warns at a failed poll after
 * the first: NOCOMMWARNTIME - CADENCE, at least CADENCE.
 */
static void mg_nocomm1(struct buf *b, long ncw, long cadence)
{
	mg_dur(b, ncw - cadence > cadence ? ncw - cadence : cadence);
}

MG_FILL(mg_f_nocomm1) { (void)u; mg_nocomm1(b, c->m->nocommwarntime, c->m->pollfreq); }
MG_FILL(mg_f_nocomm1ob) { (void)u; mg_nocomm1(b, c->m->nocommwarntime, c->m->pollfreqalert); }

MG_FILL(mg_f_rbw)
{
	long v = (c->m->rbwarntime < 0 ? 0 : c->m->rbwarntime) + 1;

	(void)u;
	mg_dur(b, v > c->m->pollfreq ? v : c->m->pollfreq);
}
MG_FILL(mg_f_poll) { (void)u; mg_dur(b, c->m->pollfreqalert); }
MG_FILL(mg_f_oblb) { (void)c; mg_oblb(b, u); }
MG_FILL(mg_f_crit) { (void)c; mg_crit(b, u); }
/* upsmon's supply count: the power values of the UPS that are not critical, against MINSUPPLIES */
MG_FILL(mg_f_below) { (void)u; buf_addf(b, "POWERVAL WITHOUT crit < %ld", c->m->minsupplies); }

/* upsmon ran SHUTDOWNCMD with system(): as it is when no shell would change it, else through the same /bin/sh -c */
MG_FILL(mg_f_shutdowncmd)
{
	const char *cmd = c->m->shutdowncmd ? c->m->shutdowncmd : "/sbin/shutdown -h +0";
	size_t first = strcspn(cmd, " \t");

	(void)u;
	buf_adds(b, "\xc2\xab");
	if (cmd[0] == '/' && !strpbrk(cmd, "|&;<>()$`\\*?[]~{}#'\"") && !memchr(cmd, '=', first)) {
		mg_pct(b, cmd, 0);
	} else {
		buf_adds(b, "/bin/sh -c '");
		mg_pct(b, cmd, 1);
		buf_adds(b, "'");
	}
	buf_adds(b, "\xc2\xbb");
}

MG_FILL(mg_f_gone)
{
	int n = 0;

	(void)u;
	for (size_t i = 0; i < c->m->nups; i++)
		if (c->m->upsv[i].primary)
			buf_addf(b, "%sNUMLOGINS %s <= 1", n++ ? " AND " : "", c->m->upsv[i].wups);
}

MG_FILL(mg_f_earlier)
{
	(void)u;
	for (size_t i = 0; i < c->ui; i++)
		buf_addf(b, " AND NOT MARKED crit %s", c->m->upsv[i].wups);
}

MG_FILL(mg_f_nonecrit)
{
	(void)u;
	for (size_t i = 0; i < c->m->nups; i++)
		buf_addf(b, "%sNOT MARKED crit %s", i ? " AND " : "", c->m->upsv[i].wups);
}

/* upsmon notifies nothing once it shuts down (no shutdown path with MINSUPPLIES 0: empty) */
MG_FILL(mg_f_live)
{
	(void)u;
	if (c->m->minsupplies > 0)
		buf_adds(b, "IF NOT RUNNING nut.shutdown");
}

static const struct {
	const char *name;
	void (*fill)(struct mg_ctx *c, const struct mg_ups *u, struct buf *b);
} mg_placeholders[] = {
	{ "U", mg_f_u }, { "T", mg_f_t }, { "S", mg_f_s }, { "U1", mg_f_u1 }, { "P", mg_f_p },
	{ "HOSTSYNC", mg_f_hostsync }, { "DEADTIME", mg_f_deadtime },
	{ "FINALDELAY", mg_f_finaldelay }, { "NOCOMMWARNTIME", mg_f_nocommwarntime },
	{ "NOCOMM1", mg_f_nocomm1 }, { "NOCOMM1OB", mg_f_nocomm1ob }, { "RBW", mg_f_rbw },
	{ "POLL", mg_f_poll }, { "SHUTDOWNCMD", mg_f_shutdowncmd },
	{ "OBLB", mg_f_oblb }, { "CRIT", mg_f_crit }, { "BELOW", mg_f_below }, { "GONE", mg_f_gone },
	{ "EARLIER", mg_f_earlier }, { "NONECRIT", mg_f_nonecrit },
	{ "LIVE", mg_f_live },
};

/* The value of placeholder NAME (LEN bytes) in C->val; -1 when the template names no such thing. */
static int mg_value(struct mg_ctx *c, const char *name, size_t len)
{
	buf_reset(&c->val);
	for (size_t i = 0; i < sizeof(mg_placeholders) / sizeof(mg_placeholders[0]); i++)
		if (strlen(mg_placeholders[i].name) == len && !memcmp(mg_placeholders[i].name, name, len)) {
			mg_placeholders[i].fill(c, c->u ? c->u : &c->m->upsv[0], &c->val);
			buf_addc(&c->val, '\0');
			c->val.len--;
			return 0;
		}
	snprintf(c->bad, sizeof(c->bad), "@%.*s@", (int)(len < 40 ? len : 40), name);
	return -1;
}

/* LINE with its placeholders filled into OUT (an @N:T@ left as it is); -1 for an unknown one. */
static int mg_fill(struct mg_ctx *c, const char *line, struct buf *out)
{
	for (const char *p = line; *p;) {
		const char *at = strchr(p, '@'), *end;

		if (!at) {
			buf_adds(out, p);
			break;
		}
		buf_add(out, p, (size_t)(at - p));
		end = strchr(at + 1, '@');
		if (!end)
			return -1;
		if (!strncmp(at, "@N:", 3)) {
			buf_add(out, at, (size_t)(end - at + 1));
		} else {
			if (mg_value(c, at + 1, (size_t)(end - at - 1)) < 0)
				return -1;
			buf_add(out, c->val.p ? c->val.p : "", c->val.len);
		}
		p = end + 1;
	}
	return 0;
}

/* Write the action line FILLED ("IF c @N:T@" or "act"): once per action of T, or as it is. */
static int mg_action_line(struct mg_ctx *c, const char *filled, struct buf *out, const char *when, int *said)
{
	const char *n = strstr(filled, "@N:");
	struct mg_actions a = { 0 };
	struct buf prefix = { 0 };
	const char *pc = NULL;
	size_t t;

	if (!n) {
		if (!*said)
			buf_addf(out, "%s\n", when);
		*said = 1;
		buf_addf(out, "\t%s\n", filled + strspn(filled, " \t"));
		return 0;
	}
	{
		char tn[40];
		const char *e = strchr(n + 3, '@');

		snprintf(tn, sizeof(tn), "%.*s", e ? (int)(e - n - 3) : 0, n + 3);
		if (!e || e[1] || !mg_type_index(tn, &t)) {
			snprintf(c->bad, sizeof(c->bad), "@N:%.30s", tn);
			return -1;
		}
	}
	mg_notify_actions(c->m, !strcmp(mg_types[t].name, "SHUTDOWN") ? NULL : c->u, t, &a);
	buf_add(&prefix, filled, (size_t)(n - filled));
	buf_addc(&prefix, '\0');
	pc = prefix.p + strspn(prefix.p, " \t");
	if (!strncmp(pc, "IF ", 3))
		pc += 3;
	else
		pc = NULL;
	for (size_t i = 0; i < a.n; i++) {
		size_t pl = pc ? strlen(pc) : 0;

		while (pl && pc[pl - 1] == ' ')
			pl--;
		if (!*said)
			buf_addf(out, "%s\n", when);
		*said = 1;
		if (pc && a.v[i].cond)
			buf_addf(out, "\tIF (%.*s) AND (%s) %s\n", (int)pl, pc, a.v[i].cond, a.v[i].act);
		else if (pc)
			buf_addf(out, "\tIF %.*s %s\n", (int)pl, pc, a.v[i].act);
		else if (a.v[i].cond)
			buf_addf(out, "\tIF %s %s\n", a.v[i].cond, a.v[i].act);
		else
			buf_addf(out, "\t%s\n", a.v[i].act);
	}
	mg_free_actions(&a);
	buf_free(&prefix);
	return 0;
}

/* Write section NAME for UPS U (index UI); -1 when the template lacks it or is broken. */
static int mg_section(struct mg_ctx *c, const char *name, const struct mg_ups *u, size_t ui, struct buf *out)
{
	const struct mg_section *s = mg_find_section(c, name);
	struct buf when = { 0 }, line = { 0 };
	int said = 1, rc = 0;

	if (!s) {
		snprintf(c->bad, sizeof(c->bad), "no section [%.30s]", name);
		return -1;
	}
	c->u = u;
	c->ui = ui;
	for (size_t i = 0; i < s->n && rc == 0; i++) {
		const char *l = s->lines[i];

		if (!strncmp(l, "WHEN ", 5)) {
			buf_reset(&when);
			rc = mg_fill(c, l, &when);
			buf_addc(&when, '\0');
			said = 0;
			continue;
		}
		if (strstr(l, "@P@")) {
			for (size_t k = 0; k < c->m->nups && rc == 0; k++) {
				if (!c->m->upsv[k].primary)
					continue;
				c->p = c->m->upsv[k].wups;
				buf_reset(&line);
				rc = mg_fill(c, l, &line);
				buf_addc(&line, '\0');
				if (rc == 0)
					rc = mg_action_line(c, line.p, out, when.p, &said);
			}
			continue;
		}
		buf_reset(&line);
		rc = mg_fill(c, l, &line);
		buf_addc(&line, '\0');
		if (rc == 0)
			rc = mg_action_line(c, line.p, out, when.p, &said);
	}
	buf_free(&when);
	buf_free(&line);
	return rc;
}

/* The comments that name the upsmon.conf and upssched.conf lines the rules stand for. */
static void mg_settings(struct mg *m, struct buf *out)
{
	buf_adds(out, "\n# The settings the rules below carry out:\n");
	for (size_t i = 0; i < m->mon.nlines; i++) {
		const struct nc_line *l = &m->mon.lines[i];
		const struct nc_directive *d = mg_used(l, NC_UPSMON, m->o->nut_minor);

		if (d && strcmp(d->name, "MONITOR") && strcmp(d->name, "CERTHOST") && strcmp(d->name, "MINSUPPLIES") &&
		    l != m->l_shutdownexit)	/* each named once: these with the line they make */
			mg_comment_line(out, &m->mon, l);
	}
	for (size_t i = 0; m->upssched && i < m->sched.nlines; i++)
		if (mg_used(&m->sched.lines[i], NC_UPSSCHED, m->o->nut_minor))
			mg_comment_line(out, &m->sched, &m->sched.lines[i]);
}

/* The AT lines that never ran under upsmon: a diagnostic each, saying why. */
static void mg_unused_at(struct mg *m)
{
	for (size_t i = 0; i < m->nat; i++) {
		const struct mg_at *at = &m->atv[i];
		size_t t, u;

		if (!at->cmd || at->used)
			continue;
		for (u = 0; u < m->nups && strcmp(m->upsv[u].sys, at->ups); u++)
			;
		if (strcmp(at->ups, "*") && u == m->nups)
			mg_diag_word(m, &m->sched, m->schedsrc, &at->line->words[2], DIAG_MIG_AT_UNUSED,
				     "this AT never runs: '%s' is no MONITOR's UPS as upsmon.conf writes it (upssched "
				     "compares UPSNAME exactly: MONITOR says '%s')", at->ups, m->upsv[0].sys);
		else if (mg_type_named_index(at->type, &t) && !(m->notify[t].flags & MG_EXEC))
			mg_diag_word(m, &m->sched, m->schedsrc, &at->line->words[1], DIAG_MIG_AT_UNUSED,
				     "this AT never runs: NOTIFYFLAG %s lacks EXEC, so upsmon never calls upssched for it",
				     mg_types[t].name);
		else
			mg_diag_word(m, &m->sched, m->schedsrc, &at->line->words[1], DIAG_MIG_AT_UNUSED,
				     "this AT never runs: upsmon never calls upssched with NOTIFYTYPE %s here", at->type);
	}
}

/* Is notify type T written for a UPS (its [n:T] section), or at the shutdown (SHUTDOWN, with a shutdown path)? */
static int mg_type_written(const struct mg *m, size_t t)
{
	if (!mg_types[t].has_rule || mg_types[t].since > m->o->nut_minor)
		return 0;
	return strcmp(mg_types[t].name, "SHUTDOWN") || m->minsupplies > 0;
}

/*
 * Work out every action once without writing it, so that the upssched
 * timers the plan starts are known before a CANCEL-TIMER is written (a
 * START-TIMER that never runs under upsmon starts nothing).
 */
static void mg_dry_run(struct mg *m)
{
	for (size_t t = 0; t < mg_ntypes; t++) {
		if (!mg_type_written(m, t))
			continue;
		for (size_t i = 0; i < m->nups; i++) {
			struct mg_actions a = { 0 };
			int shutdown = !strcmp(mg_types[t].name, "SHUTDOWN");

			mg_notify_actions(m, shutdown ? NULL : &m->upsv[i], t, &a);
			mg_free_actions(&a);
			if (shutdown)
				break;
		}
	}
}

int mg_write_plan(struct mg *m, struct buf *out)
{
	struct mg_ctx c = { .m = m };
	const char *host = NULL;
	long port = 0;
	int rc = 0, prim = 0;

	if (mg_validate(m) < 0)
		return -1;
	if (mg_template(&c) < 0) {
		diag_nowhere(m->dq, DIAG_MIG_NAME, "internal error: no template %s", MG_TEMPLATE);
		return -1;
	}
	buf_addf(out, "# UPSmon.conf - written by upsplan migrate from %s%s%s, for NUT upsmon 2.8.%u.\n"
		 "# It does what that configuration did; edit it freely.  After an edit, check it with\n"
		 "# 'upsplan check -Werror' and rehearse an outage with 'upsplan simulate'.\n"
		 "# Rules: the template %s, filled in for each UPS.\n"
		 "# It holds passwords: keep it mode 0640, owner root, group of the daemon.\n",
		 m->mon.name, m->upssched && m->have_sched ? " and " : "", m->upssched && m->have_sched ? m->sched.name : "",
		 m->o->nut_minor, MG_TEMPLATE);
	mg_settings(m, out);
	buf_addf(out, "\nPOLLFREQ %ld  POLLFREQALERT %ld\n", m->pollfreq < 1 ? 1 : m->pollfreq,
		 m->pollfreqalert < 1 ? 1 : m->pollfreqalert);
	if (m->l_shutdownexit) {	/* upsmon stays logged in after its SHUTDOWNCMD: never, or for N s */
		mg_comment_line(out, &m->mon, m->l_shutdownexit);
		if (m->shutdownexit > 0)
			buf_addf(out, "SHUTDOWNEXIT %ld\n", m->shutdownexit);
		else
			buf_adds(out, "SHUTDOWNEXIT no\n");
	}
	buf_adds(out, "\nGROUP NUT\n");
	mg_tls(m, out);
	for (size_t i = 0; i < m->nups; i++) {
		const struct mg_ups *u = &m->upsv[i];

		mg_comment_line(out, &m->mon, u->line);
		if (!host || strcmp(host, u->host) || port != u->port)
			buf_addf(out, "HOST \xc2\xab%s\xc2\xbb PORT %ld\n", u->host, u->port);
		host = u->host;
		port = u->port;
		buf_addf(out, "MONITOR %s POWERVAL %ld UPSDUSER %s PASSWORD \xc2\xab", u->wups, u->pv, u->wuser);
		buf_adds(out, u->pass);	/* PASSWORD is no text with substitutions: as it is */
		buf_addf(out, "\xc2\xbb TYPE %s\n", u->primary ? "primary" : "secondary");
		prim |= u->primary;
	}
	if (m->l_minsupplies)
		mg_comment_line(out, &m->mon, m->l_minsupplies);
	buf_addf(out, "MINSUPPLIES %ld\n", m->minsupplies);
	mg_dry_run(m);
	/* per MONITOR: its notifications, then (with a shutdown path) its critical state */
	for (size_t i = 0; i < m->nups && rc == 0; i++) {
		buf_addf(out, "\n# UPS %s: notifications (NOTIFYMSG, NOTIFYFLAG, NOTIFYCMD)%s\n", m->upsv[i].ups,
			 m->minsupplies > 0 ? " and critical state" : "");
		for (size_t t = 0; t < mg_ntypes && rc == 0; t++) {
			struct mg_actions a = { 0 };
			char sec[48];

			if (!mg_type_written(m, t) || !strcmp(mg_types[t].name, "SHUTDOWN"))
				continue;
			mg_notify_actions(m, &m->upsv[i], t, &a);
			snprintf(sec, sizeof(sec), "n:%s", mg_types[t].name);
			if (a.n)
				rc = mg_section(&c, sec, &m->upsv[i], i, out);
			mg_free_actions(&a);
		}
		if (m->minsupplies <= 0)
			continue;
		if (rc == 0 && mg_find_section(&c, "ups-dead"))
			rc = mg_section(&c, "ups-dead", &m->upsv[i], i, out);
		if (rc == 0 && !m->upsv[i].primary)
			rc = mg_section(&c, "ups-sec", &m->upsv[i], i, out);
		if (rc == 0)
			rc = mg_section(&c, "ups", &m->upsv[i], i, out);
	}
	if (m->minsupplies > 0 && rc == 0) {
		buf_adds(out, "\n# upsmon's shutdown: the supply count, FSD and the wait, FINALDELAY, SHUTDOWNCMD\n");
		rc = mg_section(&c, "plan", NULL, 0, out);
		if (rc == 0)
			rc = mg_section(&c, prim ? "prim" : "sec", NULL, 0, out);
		if (rc == 0)
			rc = mg_section(&c, "down", NULL, 0, out);
		for (size_t i = 0; i < m->nups && rc == 0; i++)
			rc = mg_section(&c, "final", &m->upsv[i], i, out);
		if (rc == 0)
			rc = mg_section(&c, "final-none", NULL, 0, out);
		if (rc == 0 && mg_find_section(&c, "again"))
			rc = mg_section(&c, "again", NULL, 0, out);
	}
	if (m->ntimers)
		buf_adds(out, "\n# upssched's timers: CMDSCRIPT with the timer's name when it expires\n");
	for (size_t i = 0; i < m->ntimers && rc == 0; i++) {
		const struct mg_timer *t = &m->timers[i];
		char *cmd = mg_sched_cmd(t->sys, t->type, t->cmdscript, t->name);

		for (size_t k = 0; k < m->nat; k++)
			if (m->atv[k].cmd && !strcmp(m->atv[k].cmd, "START-TIMER") && !strcmp(m->atv[k].arg1, t->name)) {
				mg_comment_line(out, &m->sched, m->atv[k].line);
				break;
			}
		buf_addf(out, "WHEN %s TIMEOUT us.%s :\n\t%s\n", t->u->wups, t->name, cmd);
		free(cmd);
	}
	mg_unused_at(m);
	if (rc < 0)
		diag_nowhere(m->dq, DIAG_MIG_NAME, "internal error: the template %s is broken (%s)", MG_TEMPLATE,
			     c.bad[0] ? c.bad : "a section or notify type missing");
	for (size_t i = 0; i < c.nsec; i++)
		free(c.sec[i].lines);
	free(c.sec);
	free(c.tpl);
	buf_free(&c.val);
	return rc;
}
