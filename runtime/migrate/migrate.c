/* SPDX-License-Identifier: GPL-2.0-or-later */
/* migrate.c - reads upsmon.conf and upssched.conf into what upsmon 2.8 does with them, and reports what has no equivalent. */
#include "runtime/migrate/migrate-int.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/xalloc.h"

/* upsmon.h's notifylist of 2.8.0 and the types later 2.8.x added (their tags' upsmon.h) */
const struct mg_type mg_types[] = {
	{ "ONLINE", 0, "UPS %s on line power", "OB->OL", 1 },
	{ "ONBATT", 0, "UPS %s on battery", "OL->OB", 1 },
	{ "LOWBATT", 0, "UPS %s battery is low", "None->LB", 1 },
	{ "FSD", 0, "UPS %s: forced shutdown in progress", "None->FSD", 1 },
	{ "COMMOK", 0, "Communications with UPS %s established", "NOCOMM->COMM", 1 },
	{ "COMMBAD", 0, "Communications with UPS %s lost", "COMM->NOCOMM", 1 },
	{ "SHUTDOWN", 0, "Auto logout and shutdown proceeding", NULL, 1 },
	{ "REPLBATT", 0, "UPS %s battery needs to be replaced", NULL, 1 },
	{ "NOCOMM", 0, "UPS %s is unavailable", NULL, 1 },
	{ "NOPARENT", 0, "upsmon parent process died - shutdown impossible", NULL, 0 },
	{ "CAL", 0, "UPS %s: calibration in progress", "None->CAL", 1 },
	{ "NOTCAL", 2, "UPS %s: calibration finished", "CAL->None", 1 },
	{ "OFF", 1, "UPS %s: administratively OFF or asleep", "None->OFF", 1 },
	{ "NOTOFF", 1, "UPS %s: no longer administratively OFF or asleep", "OFF->None", 1 },
	{ "BYPASS", 1, "UPS %s: on bypass (powered, not protecting)", "None->BYPASS", 1 },
	{ "NOTBYPASS", 1, "UPS %s: no longer on bypass", "BYPASS->None", 1 },
	{ "ECO", 3, "UPS %s: in ECO mode (as defined by vendor)", NULL, 0 },
	{ "NOTECO", 3, "UPS %s: no longer in ECO mode", NULL, 0 },
	{ "ALARM", 3, "UPS %s: one or more active alarms: [%s]", "None->ALARM", 1 },
	{ "NOTALARM", 3, "UPS %s is no longer in an alarm state (no active alarms)", "ALARM->None", 1 },
	{ "OVER", 3, "UPS %s: overloaded", "None->OVER", 1 },
	{ "NOTOVER", 3, "UPS %s: no longer overloaded", "OVER->None", 1 },
	{ "TRIM", 3, "UPS %s: trimming incoming voltage", "None->TRIM", 1 },
	{ "NOTTRIM", 3, "UPS %s: no longer trimming incoming voltage", "TRIM->None", 1 },
	{ "BOOST", 3, "UPS %s: boosting incoming voltage", "None->BOOST", 1 },
	{ "NOTBOOST", 3, "UPS %s: no longer boosting incoming voltage", "BOOST->None", 1 },
	{ "OTHER", 3, "UPS %s: has at least one unclassified status token: [%s]", NULL, 0 },
	{ "NOTOTHER", 3, "UPS %s has no unclassified status tokens anymore", NULL, 0 },
	{ "SUSPEND_STARTING", 3, "OS is entering sleep/suspend/hibernate mode", NULL, 0 },
	{ "SUSPEND_FINISHED", 3, "OS just finished sleep/suspend/hibernate mode, de-activating obsolete UPS readings "
	  "to avoid an unfortunate shutdown", NULL, 0 },
	{ "SHUTDOWN_HOSTSYNC", 5, "Shutdown initiated; primary system is waiting for secondaries to log out or time out",
	  NULL, 0 },
};
const size_t mg_ntypes = sizeof(mg_types) / sizeof(mg_types[0]);

/* The diagnostic of each problem kind of the reader */
static const enum diag_code mg_kind_code[NC_K_COUNT] = {
	[NC_K_UNREADABLE] = DIAG_NUT_READ, [NC_K_TOO_BIG] = DIAG_NUT_READ, [NC_K_NUL] = DIAG_NUT_READ,
	[NC_K_HASH_IN_QUOTES] = DIAG_NUT_PARSE, [NC_K_UNTERMINATED] = DIAG_NUT_PARSE,
	[NC_K_QUOTE_RUNS_ON] = DIAG_NUT_LOST, [NC_K_DROPPED_BYTE] = DIAG_NUT_LOST,
	[NC_K_TOO_MANY_WORDS] = DIAG_NUT_LOST, [NC_K_WORD_TOO_LONG] = DIAG_NUT_LOST,
	[NC_K_LOST_LAST_WORD] = DIAG_NUT_LOST,
	[NC_K_INVALID] = DIAG_NUT_IGNORED, [NC_K_WRONG_CASE] = DIAG_NUT_IGNORED, [NC_K_TOO_FEW_WORDS] = DIAG_NUT_IGNORED,
	[NC_K_NEWER] = DIAG_NUT_IGNORED, [NC_K_AT_COMMAND] = DIAG_NUT_IGNORED,
	[NC_K_EXTRA_WORDS] = DIAG_NUT_EXTRA,
	[NC_K_NUMBER] = DIAG_NUT_NUMBER, [NC_K_NEGATIVE] = DIAG_NUT_NUMBER,
	[NC_K_OLD_MONITOR] = DIAG_NUT_REFUSED, [NC_K_AT_TOO_EARLY] = DIAG_NUT_REFUSED,
	[NC_K_BAD_POWERVALUE] = DIAG_NUT_REFUSED,
	[NC_K_MONITOR_TYPE] = DIAG_NUT_MONITOR_TYPE,
};

int mg_nut_version(const char *s, unsigned *minor)
{
	char *end;
	unsigned long n;

	if (strncmp(s, "2.8", 3) != 0)
		return -1;
	if (!s[3]) {
		*minor = 0;
		return 0;
	}
	if (s[3] != '.' || !isdigit((unsigned char)s[4]))
		return -1;
	n = strtoul(s + 4, &end, 10);
	if ((*end && *end != '.') || n > 99)
		return -1;
	*minor = (unsigned)n;
	return 0;
}

/* Byte offset in F's text of physical LINE, COL (1-based). */
static size_t mg_offset(const struct nc_file *f, unsigned line, unsigned col)
{
	size_t off = 0;

	for (unsigned l = 1; l < line && off < f->len; off++)
		if (f->text[off] == '\n')
			l++;
	off += col ? col - 1 : 0;
	return off > f->len ? f->len : off;
}

src_span mg_span(const struct src_file *src, const struct nc_file *f, unsigned line, unsigned col, size_t len)
{
	size_t off, end;

	if (!line)
		return DIAG_FILE_SPAN(src);
	off = mg_offset(f, line, col);
	for (end = off; end < f->len && end - off < len && f->text[end] != '\n'; end++)
		;
	return (src_span){ (uint32_t)(src->base + off), (uint32_t)(end - off) };
}

static struct diag_record *mg_vdiag(struct mg *m, const struct nc_file *f, const struct src_file *src, unsigned line,
				    unsigned col, size_t len, enum diag_code code, const char *fmt, va_list ap)
{
	char msg[1200];

	vsnprintf(msg, sizeof(msg), fmt, ap);
	if (!src)
		return diag_nowhere(m->dq, code, "%s: %s", f->name, msg);
	return diag_at(m->dq, code, mg_span(src, f, line, col, len), "%s", msg);
}

struct diag_record *mg_diag_word(struct mg *m, const struct nc_file *f, const struct src_file *src,
				 const struct nc_word *w, enum diag_code code, const char *fmt, ...)
{
	struct diag_record *r;
	va_list ap;

	va_start(ap, fmt);
	r = mg_vdiag(m, f, src, w->line, w->col, strlen(w->text) + (w->quoted ? 2 : 0), code, fmt, ap);
	va_end(ap);
	return r;
}

/* The reader's problems of F as diagnostics. */
static void mg_problems(struct mg *m, const struct nc_file *f, const struct src_file *src, const char *fix_newer)
{
	for (size_t i = 0; i < f->nprobs; i++) {
		const struct nc_problem *p = &f->probs[i];
		struct diag_record *r;

		r = diag_at(m->dq, mg_kind_code[p->kind], mg_span(src, f, p->line, p->col, 1), "%s", p->msg);
		if (p->kind == NC_K_NEWER && fix_newer)
			diag_note(m->dq, r, 0, r ? r->span : (src_span){ 0, 0 }, "%s", fix_newer);
	}
}

void mg_comment_line(struct buf *b, const struct nc_file *f, const struct nc_line *l)
{
	const char *name = strrchr(f->name, '/') ? strrchr(f->name, '/') + 1 : f->name;
	int monitor = strcmp(l->words[0].text, "MONITOR") == 0;

	buf_addf(b, "# %s:%u:", name, l->words[0].line);
	for (unsigned i = 0; i < l->nwords; i++) {
		const char *t = monitor && i == 4 ? "..." : l->words[i].text;
		int q = l->words[i].quoted || !*t || strpbrk(t, " \t#");

		buf_addf(b, " %s%s%s", q ? "\"" : "", t, q ? "\"" : "");
	}
	buf_adds(b, "\n");
}

static long mg_num(const char *w)
{
	long v;

	nc_number(w, &v);
	return v;
}

/* The directive of line L as upsmon uses it, or NULL when upsmon ignores the line. */
const struct nc_directive *mg_used(const struct nc_line *l, enum nc_dialect d, unsigned minor)
{
	const struct nc_directive *dir = nc_lookup(d, l->words[0].text);

	if (!dir || dir->since > minor || l->nwords < dir->min_words)
		return NULL;
	if (d == NC_UPSMON && !strcmp(dir->name, "MONITOR") && l->nwords == 5)
		return NULL;
	return dir;
}

static const struct mg_type *mg_type_named(const char *s, size_t *idx)
{
	for (size_t i = 0; i < mg_ntypes; i++)
		if (!strcasecmp(mg_types[i].name, s)) {
			*idx = i;
			return &mg_types[i];
		}
	return NULL;
}

/* NOTIFYMSG / NOTIFYFLAG's type word: its index, or -1 after a diagnostic (upsmon ignores the line). */
static long mg_notify_type(struct mg *m, const struct nc_line *l)
{
	const struct nc_word *w = &l->words[1];
	size_t i;

	if (!mg_type_named(w->text, &i)) {
		mg_diag_word(m, &m->mon, m->monsrc, w, DIAG_NUT_IGNORED,
			     "upsmon ignores this line: '%s' is not a valid notify event name", w->text);
		return -1;
	}
	if (mg_types[i].since > m->o->nut_minor) {
		struct diag_record *r = mg_diag_word(m, &m->mon, m->monsrc, w, DIAG_NUT_IGNORED,
			"upsmon 2.8.%u ignores this line: %s is a notify type of NUT 2.8.%u (invalid notify type)",
			m->o->nut_minor, mg_types[i].name, mg_types[i].since);
		if (r)
			diag_note(m->dq, r, 0, r->span, "give --nut-version 2.8.%u if the file is for that upsmon",
				  mg_types[i].since);
		return -1;
	}
	if (!mg_types[i].has_rule)
		mg_diag_word(m, &m->mon, m->monsrc, w, DIAG_MIG_NO_EQUIV,
			     "%s has no equivalent in upsplan: the plan notifies nothing for it%s", mg_types[i].name,
			     !strcmp(mg_types[i].name, "NOPARENT") ?
			     " (upsplan's root process restarts a dead monitoring child and logs it at crit)" :
			     "; write a level rule on the NUT variable if you need it (docs/migrating.md)");
	return (long)i;
}

static void mg_notifyflag(struct mg *m, const struct nc_line *l, size_t t)
{
	char *flags = xstrdup(l->words[2].text), *save = NULL;
	unsigned f = 0;

	for (char *p = strtok_r(flags, "+", &save); p; p = strtok_r(NULL, "+", &save)) {
		if (!strcmp(p, "SYSLOG"))
			f |= MG_SYSLOG;
		else if (!strcmp(p, "WALL"))
			f |= MG_WALL;
		else if (!strcmp(p, "EXEC"))
			f |= MG_EXEC;
		else if (!strcmp(p, "IGNORE"))
			f |= MG_IGNORE;
		else
			mg_diag_word(m, &m->mon, m->monsrc, &l->words[2], DIAG_NUT_IGNORED,
				     "upsmon ignores the flag '%s': Invalid notify flag (SYSLOG, WALL, EXEC or IGNORE, "
				     "upper case, joined with +)", p);
	}
	free(flags);
	m->notify[t].flags = f;
	m->notify[t].flag_line = l;
}

/* MONITOR system powervalue user password type -> M->upsv (upsmon's addups) */
static void mg_monitor(struct mg *m, const struct nc_line *l)
{
	const char *sys = l->words[1].text, *at = strchr(sys, '@'), *hp;
	struct mg_ups u = { .sys = sys, .port = 3493, .line = l };
	char *end;

	u.pv = mg_num(l->words[2].text);
	if (u.pv < 0)
		return;	/* E156 from the reader */
	for (size_t i = 0; i < m->nups; i++)
		if (!strcmp(m->upsv[i].sys, sys)) {
			mg_diag_word(m, &m->mon, m->monsrc, &l->words[1], DIAG_NUT_IGNORED,
				     "upsmon ignores this MONITOR: '%s' is monitored already (line %u)", sys,
				     m->upsv[i].line->words[0].line);
			return;
		}
	u.ups = xstrndup(sys, at ? (size_t)(at - sys) : strlen(sys));
	hp = at ? at + 1 : "localhost";
	if (*hp == '[') {
		const char *rb = strchr(hp, ']');
		u.host = xstrndup(hp, rb ? (size_t)(rb - hp + 1) : strlen(hp));
		hp = rb ? rb + 1 : "";
	} else {
		const char *colon = strchr(hp, ':');
		u.host = xstrndup(hp, colon ? (size_t)(colon - hp) : strlen(hp));
		hp = colon ? colon : "";
	}
	if (*hp == ':') {
		u.port = strtol(hp + 1, &end, 10);
		if (*end || u.port < 1 || u.port > 65535) {
			mg_diag_word(m, &m->mon, m->monsrc, &l->words[1], DIAG_NUT_REFUSED,
				     "upsmon cannot use this MONITOR: unable to split UPS name '%s' (the port must be 1 to "
				     "65535)", sys);
			free(u.ups);
			free(u.host);
			return;
		}
	}
	if (!*u.host) {
		free(u.host);
		u.host = xstrdup("localhost");
	}
	u.user = l->words[3].text;
	u.wups = mg_written(u.ups);
	u.wuser = mg_written(u.user);
	u.pass = l->words[4].text;
	u.primary = !strcmp(nc_monitor_type(l->words[5].text, NULL) ? nc_monitor_type(l->words[5].text, NULL) : "",
			    "primary");
	if (strpbrk(u.pass, " \t\"\\#'"))
		mg_diag_word(m, &m->mon, m->monsrc, &l->words[4], DIAG_MIG_PASSWORD,
			     "upsmon 2.8.0 sends passwords unquoted and could not log in with this one; upsplan sends it "
			     "quoted: check that upsd.users has it as written here");
	m->upsv = xrealloc(m->upsv, (m->nups + 1) * sizeof(*m->upsv));
	m->upsv[m->nups++] = u;
}

/* The value of a number directive: upsmon's (a negative one ignored where upsmon ignores it). */
static void mg_setnum(const struct nc_directive *d, const struct nc_line *l, long *dst)
{
	long v = mg_num(l->words[1].text);

	if (v >= 0 || d->neg_ok)
		*dst = v;
}

static void mg_upsmon_line(struct mg *m, const struct nc_line *l)
{
	const struct nc_directive *d = mg_used(l, NC_UPSMON, m->o->nut_minor);
	const char *k, *v;
	long t;

	if (!d)
		return;
	k = d->name;
	v = l->nwords > 1 ? l->words[1].text : "";
	if (!strcmp(k, "MONITOR"))
		mg_monitor(m, l);
	else if (!strcmp(k, "MINSUPPLIES")) {
		mg_setnum(d, l, &m->minsupplies);
		m->l_minsupplies = l;
	} else if (!strcmp(k, "POLLFREQ"))
		mg_setnum(d, l, &m->pollfreq);
	else if (!strcmp(k, "POLLFREQALERT"))
		mg_setnum(d, l, &m->pollfreqalert);
	else if (!strcmp(k, "HOSTSYNC"))
		mg_setnum(d, l, &m->hostsync);
	else if (!strcmp(k, "DEADTIME"))
		mg_setnum(d, l, &m->deadtime);
	else if (!strcmp(k, "RBWARNTIME"))
		mg_setnum(d, l, &m->rbwarntime);
	else if (!strcmp(k, "NOCOMMWARNTIME"))
		mg_setnum(d, l, &m->nocommwarntime);
	else if (!strcmp(k, "FINALDELAY"))
		mg_setnum(d, l, &m->finaldelay);
	else if (!strcmp(k, "CERTVERIFY")) {
		mg_setnum(d, l, &m->certverify);
		m->l_certverify = l;
	} else if (!strcmp(k, "FORCESSL")) {
		mg_setnum(d, l, &m->forcessl);
		m->l_forcessl = l;
	} else if (!strcmp(k, "SHUTDOWNCMD")) {
		m->shutdowncmd = v;
		m->l_shutdowncmd = l;
	} else if (!strcmp(k, "NOTIFYCMD")) {
		m->notifycmd = v;
		m->l_notifycmd = l;
	} else if (!strcmp(k, "POWERDOWNFLAG")) {
		m->powerdownflag = v;
		m->l_powerdownflag = l;
	} else if (!strcmp(k, "RUN_AS_USER")) {
		m->run_as_user = v;
		if (strcmp(v, "nut"))
			mg_diag_word(m, &m->mon, m->monsrc, &l->words[1], DIAG_MIG_RUN_OPTION,
				     "upsmon ran its notifications as '%s': start upsplan run with --user=%s (its default "
				     "is nut)", v, v);
	} else if (!strcmp(k, "DEBUG_MIN")) {
		mg_diag_word(m, &m->mon, m->monsrc, &l->words[0], DIAG_MIG_RUN_OPTION,
			     "DEBUG_MIN is not part of a plan: start upsplan run with -D (repeat it for more)");
	} else if (!strcmp(k, "CERTPATH")) {
		m->certpath = v;
		m->l_certpath = l;
	} else if (!strcmp(k, "CERTIDENT")) {
		m->l_certident = l;
	} else if (!strcmp(k, "CERTHOST")) {
		m->l_certhost = l;
		m->certhost_host = v;
		m->certhost_name = l->words[2].text;
	} else if (!strcmp(k, "NOTIFYMSG") || !strcmp(k, "NOTIFYFLAG")) {
		t = mg_notify_type(m, l);
		if (t < 0)
			return;
		if (k[6] == 'M') {
			m->notify[t].msg = l->words[2].text;
			m->notify[t].msg_line = l;
		} else {
			mg_notifyflag(m, l, (size_t)t);
		}
	} else if (!strcmp(k, "SHUTDOWNEXIT")) {
		/* yes (or 0): log out as the SHUTDOWNCMD starts, the plan's default; no (or < 0): never; N: after N s */
		long n = strcasecmp(v, "no") ? mg_num(v) : -1;

		m->l_shutdownexit = strcasecmp(v, "yes") && n ? l : NULL;
		m->shutdownexit = n < 0 ? -1 : n > 3600 ? 3600 : n;
		if (n > 3600)
			mg_diag_word(m, &m->mon, m->monsrc, &l->words[1], DIAG_MIG_VALUE,
				     "SHUTDOWNEXIT %ld: upsplan stays logged in an hour at most after its SHUTDOWNCMD; "
				     "the plan uses 3600", n);
	} else if (!strcmp(k, "POLLFAIL_LOG_THROTTLE_MAX")) {
		/* upsplan logs a poll failure once per episode: nothing to translate */
	} else {
		mg_diag_word(m, &m->mon, m->monsrc, &l->words[0], DIAG_MIG_NO_EQUIV,
			     "%s is not translated yet: the migrated plan follows upsmon 2.8.0's policy, without it", k);
	}
}

/* The basename of NOTIFYCMD's first word is upssched? */
static int mg_is_upssched(const char *cmd)
{
	size_t n = strcspn(cmd, " \t");
	const char *b = cmd;

	for (size_t i = 0; i < n; i++)
		if (cmd[i] == '/')
			b = cmd + i + 1;
	return (size_t)(cmd + n - b) == 8 && !strncmp(b, "upssched", 8);
}

/* A CMDSCRIPT that asks upsmon for a forced shutdown (upsmon -c fsd) */
static int mg_script_calls_fsd(const char *path)
{
	FILE *fp = fopen(path, "r");
	char line[1024];
	int found = 0;

	if (!fp)
		return 0;
	while (!found && fgets(line, sizeof(line), fp)) {
		char *u = strstr(line, "upsmon"), *c;
		if (u && (c = strstr(u, "-c")) && strstr(c, "f") && line[strspn(line, " \t")] != '#')
			found = 1;
	}
	fclose(fp);
	return found;
}

static void mg_upssched_lines(struct mg *m)
{
	const char *cmdscript = NULL;

	for (size_t i = 0; i < m->sched.nlines; i++) {
		const struct nc_line *l = &m->sched.lines[i];
		const struct nc_directive *d = mg_used(l, NC_UPSSCHED, m->o->nut_minor);

		if (!d)
			continue;
		if (!strcmp(d->name, "CMDSCRIPT")) {
			cmdscript = l->words[1].text;
			if (mg_script_calls_fsd(cmdscript))
				mg_diag_word(m, &m->sched, m->schedsrc, &l->words[1], DIAG_MIG_NO_EQUIV,
					     "this script asks upsmon for a forced shutdown (upsmon -c fsd); upsmon will "
					     "not be running: make it run 'upsplan fsd' instead, which starts the "
					     "migrated plan's forced shutdown (its WHEN ... TIMEOUT fsd clause)");
		} else if (!strcmp(d->name, "DEBUG_MIN")) {
			mg_diag_word(m, &m->sched, m->schedsrc, &l->words[0], DIAG_MIG_RUN_OPTION,
				     "DEBUG_MIN is not part of a plan: start upsplan run with -D (repeat it for more)");
		} else if (!strcmp(d->name, "AT")) {
			const struct nc_directive *c = nc_lookup_at(l->words[3].text);
			struct mg_at a = { .line = l };

			if (!c || c->since > m->o->nut_minor || l->nwords < c->min_words)
				continue;	/* the reader said why */
			a.type = l->words[1].text;
			a.ups = l->words[2].text;
			a.cmd = c->name;
			a.arg1 = l->words[4].text;
			a.arg2 = l->nwords > 5 ? l->words[5].text : NULL;
			a.cmdscript = cmdscript;
			if (!strcmp(a.cmd, "START-TIMER-SHARED"))
				a.cmd = "START-TIMER";
			if (!strcmp(a.cmd, "START-TIMER") && mg_num(a.arg2) < 0)
				continue;	/* upssched: bogus offset, ignored (the reader said it) */
			m->atv = xrealloc(m->atv, (m->nat + 1) * sizeof(*m->atv));
			m->atv[m->nat++] = a;
		}
	}
}

/* Read upssched.conf: --upssched, or beside upsmon.conf ($NUT_CONFPATH when set) when NOTIFYCMD runs upssched. */
static void mg_read_upssched(struct mg *m, const char *monpath)
{
	char path[4200];
	const char *p = m->o->upssched;

	if (!p && !m->upssched)
		return;
	if (!p) {
		const char *slash = strrchr(monpath, '/');
		if (m->o->confpath)
			snprintf(path, sizeof(path), "%s/upssched.conf", m->o->confpath);
		else
			snprintf(path, sizeof(path), "%.*supssched.conf", slash ? (int)(slash - monpath + 1) : 0,
				 monpath);
		p = path;
	}
	if (nc_read_file(p, &m->sched) < 0) {
		if (m->o->upssched) {
			diag_nowhere(m->dq, DIAG_NUT_READ, "%s: %s", p, m->sched.nprobs ? m->sched.probs[0].msg : "cannot read it");
		} else {
			struct diag_record *r = mg_diag_word(m, &m->mon, m->monsrc, &m->l_notifycmd->words[1],
				DIAG_MIG_UPSSCHED, "NOTIFYCMD runs upssched, but its upssched.conf '%s' cannot be read: "
				"no upssched timer or command is translated", p);
			if (r)
				diag_note(m->dq, r, 0, r->span, "give the file with --upssched FILE");
		}
		return;
	}
	m->schedsrc = src_add_text(m->reg, m->sched.name, m->sched.text, m->sched.len);
	m->have_sched = 1;
	nc_check(&m->sched, NC_UPSSCHED, m->o->nut_minor);
	mg_problems(m, &m->sched, m->schedsrc, NULL);
	if (!m->upssched) {
		diag_nowhere(m->dq, DIAG_MIG_UPSSCHED, "%s: upsmon.conf's NOTIFYCMD does not run upssched: nothing of "
			     "this file runs under upsmon, and nothing of it is translated", m->sched.name);
		return;
	}
	for (size_t i = 0; i < m->sched.nprobs; i++)
		if (m->sched.probs[i].kind == NC_K_AT_TOO_EARLY)
			return;	/* upssched stops at that line for every event: no AT ever ran */
	mg_upssched_lines(m);
}

/* A NOTIFYMSG that printf or NOTIFYCMD's shell made something else of than written */
static void mg_check_msg(struct mg *m, size_t t)
{
	const struct nc_word *w = &m->notify[t].msg_line->words[2];
	int nths = 0, stray = 0, two = t < mg_ntypes && strchr(mg_types[t].msg, '%') &&
		strstr(strstr(mg_types[t].msg, "%s") + 2, "%s");

	for (const char *p = w->text; *p; p++)
		if (p[0] == '%') {
			if (p[1] == 's')
				nths++;
			else if (p[1] != '%')
				stray = 1;
			p += p[1] != '\0';
		}
	if (stray || nths > (two ? 2 : 1))
		mg_diag_word(m, &m->mon, m->monsrc, w, DIAG_MIG_SHELL_TEXT,
			     "upsmon's output for this text was undefined (a printf format: only one %%s, the UPS, and %%%% "
			     "for a percent sign); the plan shows a stray %% as it is and an extra %%s as nothing");
	if ((m->notify[t].flags & MG_EXEC) && m->notifycmd && !m->upssched && strpbrk(w->text, "$`\\\""))
		mg_diag_word(m, &m->mon, m->monsrc, w, DIAG_MIG_SHELL_TEXT,
			     "upsmon passed this text to NOTIFYCMD in double quotes, so its shell expanded $, ` and \\; "
			     "the plan passes the text as written, in single quotes");
}

int mg_translate(struct src_registry *reg, struct diag_queue *dq, const char *path, const struct mg_options *o,
		 struct buf *plan)
{
	struct mg m = {
		.reg = reg, .dq = dq, .o = o, .minsupplies = 1, .pollfreq = 5, .pollfreqalert = 5, .hostsync = 15,
		.deadtime = 15, .rbwarntime = 43200, .nocommwarntime = 300, .finaldelay = 5
	};
	char fix[80];

	if (nc_read_file(path, &m.mon) < 0) {
		diag_nowhere(dq, DIAG_NUT_READ, "%s: %s", path, m.mon.nprobs ? m.mon.probs[0].msg : "cannot read it");
		nc_free(&m.mon);
		return -1;
	}
	m.monsrc = src_add_text(reg, m.mon.name, m.mon.text, m.mon.len);
	nc_check(&m.mon, NC_UPSMON, o->nut_minor);
	snprintf(fix, sizeof(fix), "give --nut-version 2.8.N if the file is for a later upsmon than 2.8.%u", o->nut_minor);
	mg_problems(&m, &m.mon, m.monsrc, fix);
	m.notify = xcalloc(mg_ntypes, sizeof(*m.notify));
	for (size_t i = 0; i < mg_ntypes; i++)
		m.notify[i].flags = (!strcmp(mg_types[i].name, "CAL") && o->nut_minor == 0) ? MG_SYSLOG : MG_SYSLOG | MG_WALL;
	for (size_t i = 0; i < m.mon.nlines; i++)
		mg_upsmon_line(&m, &m.mon.lines[i]);
	m.upssched = m.notifycmd && mg_is_upssched(m.notifycmd);
	for (size_t t = 0; t < mg_ntypes; t++)
		if (m.notify[t].msg_line)
			mg_check_msg(&m, t);
	mg_read_upssched(&m, path);
	mg_write_plan(&m, plan);	/* when it cannot, its errors are in DQ */
	for (size_t i = 0; i < m.nups; i++) {
		free(m.upsv[i].ups);
		free(m.upsv[i].host);
		free(m.upsv[i].wups);
		free(m.upsv[i].wuser);
	}
	free(m.upsv);
	free(m.atv);
	free(m.timers);
	free(m.notify);
	nc_free(&m.sched);
	nc_free(&m.mon);
	return 0;
}
