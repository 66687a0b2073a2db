/* SPDX-License-Identifier: GPL-2.0-or-later */
/* nutconf.c - reads upsmon.conf/upssched.conf into located words as NUT 2.8's parseconf does, and checks them against the directive tables. */
#include "runtime/migrate/nutconf.h"

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/xalloc.h"

/* upsmon.conf (upsmon.c parse_conf_arg of 2.8.0, later directives of 2.8.N as their tag has them);
 * the numbers are read with atoi (MONITOR's power value with strtol), negative ones ignored where NEG_OK is 0;
 * the numbers of the later directives are left to the translation (their parsing changed within 2.8.x) */
static const struct nc_directive nc_upsmon_table[] = {
	/* name			min used since nocase num neg_ok */
	{ "SHUTDOWNCMD",		2, 2, 0, 0, 0, 0 },
	{ "POWERDOWNFLAG",		2, 2, 0, 0, 0, 0 },
	{ "NOTIFYCMD",			2, 2, 0, 0, 0, 0 },
	{ "POLLFREQ",			2, 2, 0, 0, 1, 0 },
	{ "POLLFREQALERT",		2, 2, 0, 0, 1, 0 },
	{ "HOSTSYNC",			2, 2, 0, 0, 1, 1 },
	{ "DEADTIME",			2, 2, 0, 0, 1, 1 },
	{ "MINSUPPLIES",		2, 2, 0, 0, 1, 0 },
	{ "RBWARNTIME",			2, 2, 0, 0, 1, 1 },
	{ "NOCOMMWARNTIME",		2, 2, 0, 0, 1, 1 },
	{ "FINALDELAY",			2, 2, 0, 0, 1, 0 },
	{ "RUN_AS_USER",		2, 2, 0, 0, 0, 0 },
	{ "CERTPATH",			2, 2, 0, 0, 0, 0 },
	{ "CERTVERIFY",			2, 2, 0, 0, 1, 1 },
	{ "FORCESSL",			2, 2, 0, 0, 1, 1 },
	{ "DEBUG_MIN",			2, 2, 0, 1, 0, 0 },
	{ "NOTIFYMSG",			3, 3, 0, 0, 0, 0 },
	{ "NOTIFYFLAG",			3, 3, 0, 0, 0, 0 },
	{ "CERTIDENT",			3, 3, 0, 0, 0, 0 },
	{ "CERTHOST",			5, 5, 0, 0, 0, 0 },
	/* system powervalue user password type; 5 words is the old form (see nc_check) */
	{ "MONITOR",			6, 6, 0, 0, 2, 0 },
	{ "SHUTDOWNEXIT",		2, 2, 1, 0, 0, 0 },
	{ "POLLFAIL_LOG_THROTTLE_MAX",	2, 2, 1, 0, 0, 0 },
	{ "OFFDURATION",		2, 2, 1, 0, 0, 0 },
	{ "OBLBDURATION",		2, 2, 3, 0, 0, 0 },
	{ "OVERDURATION",		2, 2, 3, 0, 0, 0 },
	{ "ALARMCRITICAL",		2, 2, 3, 0, 0, 0 },
};

/* upssched.conf (upssched.c conf_arg); AT's command is in nc_at_table */
static const struct nc_directive nc_upssched_table[] = {
	{ "CMDSCRIPT",	2, 2, 0, 0, 0, 0 },
	{ "PIPEFN",	2, 2, 0, 0, 0, 0 },
	{ "LOCKFN",	2, 2, 0, 0, 0, 0 },
	/* AT type ups command [arg1 [arg2]]: the command's entry says how many it uses */
	{ "AT",		5, 6, 0, 0, 0, 0 },
	{ "DEBUG_MIN",	2, 2, 5, 0, 0, 0 },
};

/* AT's commands (upssched.c parse_at): words counted from AT; START-TIMER's seconds by strtol, negative ignored */
static const struct nc_directive nc_at_table[] = {
	{ "START-TIMER",	6, 6, 0, 0, 5, 0 },
	{ "CANCEL-TIMER",	5, 6, 0, 0, 0, 0 },
	{ "EXECUTE",		5, 5, 0, 0, 0, 0 },
	{ "START-TIMER-SHARED",	6, 6, 5, 0, 0, 0 },
};

/* MONITOR's last word (addups: primary/master case-insensitive, anything else secondary) */
static const struct nc_alias nc_monitor_types[] = {
	{ "primary", NULL },
	{ "master", "primary" },
	{ "secondary", NULL },
	{ "slave", "secondary" },
};

#define NC_COUNT(a) (sizeof(a) / sizeof((a)[0]))

/* Whether each kind is an error (upsmon drops a line, refuses the file, or it cannot be read) */
static const unsigned char nc_kind_error[NC_K_COUNT] = {
	[NC_K_UNREADABLE] = 1, [NC_K_TOO_BIG] = 1, [NC_K_NUL] = 1, [NC_K_HASH_IN_QUOTES] = 1,
	[NC_K_UNTERMINATED] = 1, [NC_K_OLD_MONITOR] = 1, [NC_K_AT_TOO_EARLY] = 1, [NC_K_BAD_POWERVALUE] = 1,
};

static void nc_problem(struct nc_file *f, enum nc_kind kind, unsigned line, unsigned col, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));

static void nc_problem(struct nc_file *f, enum nc_kind kind, unsigned line, unsigned col, const char *fmt, ...)
{
	struct nc_problem *p;
	int error = nc_kind_error[kind];
	va_list ap;

	f->probs = xrealloc(f->probs, (f->nprobs + 1) * sizeof(*f->probs));
	p = &f->probs[f->nprobs++];
	p->line = line;
	p->col = col;
	p->kind = kind;
	p->error = (unsigned char)error;
	va_start(ap, fmt);
	vsnprintf(p->msg, sizeof(p->msg), fmt, ap);
	va_end(ap);
	if (error)
		f->nerrors++;
}

/* The parser's states (parseconf.c's names) */
enum nc_state { NC_FINDWORDSTART, NC_FINDEOL, NC_QUOTECOLLECT, NC_QC_LITERAL, NC_COLLECT, NC_COLLECTLITERAL,
	NC_ENDOFLINE, NC_PARSEERR };

struct nc_reader {
	struct nc_file *f;
	enum nc_state state;
	int ch;
	unsigned line, col;		/* of ch */
	struct nc_line cur;		/* the logical line being read */
	unsigned numargs;		/* NUT's count: words kept */
	char wb[NC_MAX_WORDLEN + 1];	/* the word being read */
	size_t wlen;
	unsigned wline, wcol;		/* where it starts */
	unsigned char wquoted, wcut, wmulti;
	unsigned char wmove;		/* began with \-newline: it starts at its first byte */
	unsigned drop_line, drop_col;	/* first byte NUT discarded on this line (not CR/LF) */
	unsigned cut_line, cut_col;	/* first word dropped past NC_MAX_WORDS */
	unsigned nul_seen;
};

static int nc_isspace(int c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r';
}

static void nc_wordstart(struct nc_reader *r, int quoted)
{
	r->wline = r->line;
	r->wcol = r->col;
	r->wquoted = (unsigned char)quoted;
	r->wcut = 0;
	r->wmulti = 0;
	r->wmove = 0;
}

/* addchar: only 0x20-0x7f, at most NC_MAX_WORDLEN bytes */
static void nc_addchar(struct nc_reader *r)
{
	if (r->ch < 0x20 || r->ch > 0x7f) {
		if (r->ch != '\r' && r->ch != '\n' && r->ch != 0 && !r->drop_line) {
			r->drop_line = r->line;
			r->drop_col = r->col;
		}
		return;
	}
	if (r->wmove) {
		r->wmove = 0;
		r->wline = r->line;
		r->wcol = r->col;
	}
	if (r->wlen >= NC_MAX_WORDLEN) {
		r->wcut = 1;
		return;
	}
	r->wb[r->wlen++] = (char)r->ch;
}

static void nc_endofword(struct nc_reader *r)
{
	struct nc_word *w;

	if (r->numargs >= NC_MAX_WORDS) {
		if (!r->cut_line) {
			r->cut_line = r->wline;
			r->cut_col = r->wcol;
		}
		r->wlen = 0;
		return;
	}
	if (r->wcut)
		nc_problem(r->f, NC_K_WORD_TOO_LONG, r->wline, r->wcol,
			"word longer than %u bytes: upsmon keeps only the first %u", NC_MAX_WORDLEN, NC_MAX_WORDLEN);
	if (r->wmulti)
		nc_problem(r->f, NC_K_QUOTE_RUNS_ON, r->wline, r->wcol,
			"quoted text runs past the end of the line: upsmon joins the lines (close the quote on this line)");
	if (!r->cur.words)
		r->cur.words = xcalloc(NC_MAX_WORDS, sizeof(*r->cur.words));
	w = &r->cur.words[r->numargs++];
	w->text = xstrndup(r->wb, r->wlen);
	w->line = r->wline;
	w->col = r->wcol;
	w->quoted = r->wquoted;
	r->wlen = 0;
}

static enum nc_state nc_findwordstart(struct nc_reader *r)
{
	if (r->ch == '\n')
		return NC_ENDOFLINE;
	if (r->ch == '#')
		return NC_FINDEOL;
	if (nc_isspace(r->ch))
		return NC_FINDWORDSTART;
	if (r->ch == '\\') {
		nc_wordstart(r, 0);
		return NC_COLLECTLITERAL;
	}
	if (r->ch == '"') {
		nc_wordstart(r, 1);
		return NC_QUOTECOLLECT;
	}
	nc_wordstart(r, 0);
	nc_addchar(r);
	if (r->ch == '=') {
		nc_endofword(r);
		return NC_FINDWORDSTART;
	}
	return NC_COLLECT;
}

static void nc_step(struct nc_reader *r)
{
	switch (r->state) {
	case NC_FINDWORDSTART:
		r->state = nc_findwordstart(r);
		break;
	case NC_FINDEOL:
		r->state = r->ch == '\n' ? NC_ENDOFLINE : NC_FINDEOL;
		break;
	case NC_QUOTECOLLECT:
		if (r->ch == '#') {
			nc_problem(r->f, NC_K_HASH_IN_QUOTES, r->line, r->col,
				"upsmon drops this line: Unbalanced word due to unescaped # in quotes (write \\# inside quotes)");
			nc_endofword(r);
			r->state = NC_PARSEERR;
		} else if (r->ch == '"') {
			nc_endofword(r);
			r->state = NC_FINDWORDSTART;
		} else if (r->ch == '\\') {
			r->state = NC_QC_LITERAL;
		} else {
			if (r->ch == '\n')
				r->wmulti = 1;
			nc_addchar(r);
		}
		break;
	case NC_QC_LITERAL:
		if (r->ch != '\n')
			nc_addchar(r);
		r->state = NC_QUOTECOLLECT;
		break;
	case NC_COLLECT:
		if (r->ch == '#') {
			nc_endofword(r);
			r->state = NC_FINDEOL;
		} else if (r->ch == '\n') {
			nc_endofword(r);
			r->state = NC_ENDOFLINE;
		} else if (nc_isspace(r->ch)) {
			nc_endofword(r);
			r->state = NC_FINDWORDSTART;
		} else if (r->ch == '=') {
			nc_endofword(r);
			nc_findwordstart(r);
			r->state = NC_FINDWORDSTART;
		} else if (r->ch == '\\') {
			r->state = NC_COLLECTLITERAL;
		} else {
			nc_addchar(r);
		}
		break;
	case NC_COLLECTLITERAL:
		if (r->ch != '\n')
			nc_addchar(r);
		else if (r->wlen == 0)
			r->wmove = 1;
		r->state = NC_COLLECT;
		break;
	default:
		break;
	}
}

static void nc_free_words(struct nc_line *l, unsigned n)
{
	unsigned i;

	for (i = 0; i < n; i++)
		free(l->words[i].text);
	free(l->words);
	l->words = NULL;
}

/* The logical line is over: keep it when it has words and no parse error. */
static void nc_endline(struct nc_reader *r, int keep)
{
	struct nc_file *f = r->f;

	if (r->drop_line)
		nc_problem(f, NC_K_DROPPED_BYTE, r->drop_line, r->drop_col,
			"upsmon discards this byte (only printable ASCII is kept): write it as plain ASCII");
	if (r->cut_line)
		nc_problem(f, NC_K_TOO_MANY_WORDS, r->cut_line, r->cut_col,
			"more than %u words: upsmon ignores this word and the rest of the line", NC_MAX_WORDS);
	if (keep && r->numargs > 0) {
		if (f->nlines % 64 == 0)
			f->lines = xrealloc(f->lines, (f->nlines + 64) * sizeof(*f->lines));
		r->cur.nwords = r->numargs;
		f->lines[f->nlines++] = r->cur;
		r->cur.words = NULL;
	} else {
		nc_free_words(&r->cur, r->numargs);
	}
	r->numargs = 0;
	r->drop_line = r->cut_line = 0;
}

int nc_read_mem(const char *name, const char *buf, size_t len, struct nc_file *f)
{
	struct nc_reader r;
	size_t i;
	unsigned nutline = 1;

	memset(f, 0, sizeof(*f));
	f->name = xstrdup(name);
	if (len > NC_MAX_FILE) {
		nc_problem(f, NC_K_TOO_BIG, 0, 0, "file larger than %u bytes: this is not an upsmon or upssched file", NC_MAX_FILE);
		return -1;
	}
	f->text = xcalloc(1, len + 1);
	memcpy(f->text, buf, len);
	f->len = len;
	memset(&r, 0, sizeof(r));
	r.f = f;
	r.state = NC_FINDWORDSTART;
	r.line = 1;
	r.col = 1;
	r.cur.nutline = nutline;
	for (i = 0; i < len; i++) {
		r.ch = (unsigned char)buf[i];
		if (r.ch == 0 && !r.nul_seen++)
			nc_problem(f, NC_K_NUL, r.line, r.col,
				"NUL byte: this is not a text file (upsmon drops the byte and reads on)");
		nc_step(&r);
		if (r.state == NC_ENDOFLINE || r.state == NC_PARSEERR) {
			/* the # of a parse error stays in this line's bytes; its tail starts the next */
			r.cur.to = r.state == NC_ENDOFLINE ? i : i + 1;
			nc_endline(&r, r.state == NC_ENDOFLINE);
			r.state = NC_FINDWORDSTART;
			r.cur.nutline = ++nutline;
			r.cur.from = i + 1;
		}
		if (r.ch == '\n') {
			r.line++;
			r.col = 1;
		} else {
			r.col++;
		}
	}
	/* the end: parseconf keeps a line without a newline only when it has a word already */
	if (r.state == NC_QUOTECOLLECT || r.state == NC_QC_LITERAL)
		nc_problem(f, NC_K_UNTERMINATED, r.wline, r.wcol, "unterminated quote: close it with \"");
	r.cur.to = len;
	if (r.numargs != 0) {
		if (r.wlen > 0)
			nc_endofword(&r);
		nc_endline(&r, 1);
	} else {
		if (r.wlen > 0)
			nc_problem(f, NC_K_LOST_LAST_WORD, r.wline, r.wcol,
				"upsmon ignores this last word: a one-word line needs a newline after it");
		nc_endline(&r, 0);
	}
	return 0;
}

int nc_read_file(const char *path, struct nc_file *f)
{
	FILE *fp;
	char *buf;
	size_t len;
	int rc;

	fp = fopen(path, "r");
	if (!fp) {
		memset(f, 0, sizeof(*f));
		f->name = xstrdup(path);
		nc_problem(f, NC_K_UNREADABLE, 0, 0, "cannot read it: %s", strerror(errno));
		return -1;
	}
	buf = xcalloc(1, NC_MAX_FILE + 1);
	len = fread(buf, 1, NC_MAX_FILE + 1, fp);
	if (ferror(fp)) {
		int e = errno;

		fclose(fp);
		free(buf);
		memset(f, 0, sizeof(*f));
		f->name = xstrdup(path);
		nc_problem(f, NC_K_UNREADABLE, 0, 0, "cannot read it: %s", strerror(e));
		return -1;
	}
	fclose(fp);
	rc = nc_read_mem(path, buf, len, f);
	free(buf);
	return rc;
}

void nc_free(struct nc_file *f)
{
	size_t i;

	for (i = 0; i < f->nlines; i++)
		nc_free_words(&f->lines[i], f->lines[i].nwords);
	free(f->lines);
	free(f->probs);
	free(f->name);
	free(f->text);
	memset(f, 0, sizeof(*f));
}

static const struct nc_directive *nc_find(const struct nc_directive *t, size_t n, const char *name, int anycase)
{
	size_t i;

	for (i = 0; i < n; i++)
		if ((t[i].nocase || anycase) ? !strcasecmp(t[i].name, name) : !strcmp(t[i].name, name))
			return &t[i];
	return NULL;
}

const struct nc_directive *nc_lookup(enum nc_dialect d, const char *name)
{
	if (d == NC_UPSSCHED)
		return nc_find(nc_upssched_table, NC_COUNT(nc_upssched_table), name, 0);
	return nc_find(nc_upsmon_table, NC_COUNT(nc_upsmon_table), name, 0);
}

const struct nc_directive *nc_lookup_at(const char *name)
{
	return nc_find(nc_at_table, NC_COUNT(nc_at_table), name, 0);
}

const char *nc_monitor_type(const char *word, int *deprecated)
{
	size_t i;

	for (i = 0; i < NC_COUNT(nc_monitor_types); i++)
		if (!strcasecmp(nc_monitor_types[i].word, word)) {
			if (deprecated)
				*deprecated = nc_monitor_types[i].means != NULL;
			return nc_monitor_types[i].means ? nc_monitor_types[i].means : nc_monitor_types[i].word;
		}
	return NULL;
}

int nc_number(const char *word, long *value)
{
	const char *p = word;
	long v;

	errno = 0;
	v = strtol(word, NULL, 10);
	if (errno || v > INT_MAX || v < INT_MIN) {
		*value = v < 0 ? INT_MIN : INT_MAX;
		return 0;
	}
	*value = v;
	if (*p == '-')
		p++;
	if (!*p)
		return 0;
	for (; *p; p++)
		if (*p < '0' || *p > '9')
			return 0;
	return 1;
}

/* The number of line L that D reads, checked; 0 when it makes NUT ignore the line. */
static int nc_check_number(struct nc_file *f, const struct nc_line *l, const struct nc_directive *d, const char *prog)
{
	const struct nc_word *w = &l->words[d->num];
	long v;

	if (!d->num || d->num >= l->nwords)
		return 1;
	if (!nc_number(w->text, &v))
		nc_problem(f, NC_K_NUMBER, w->line, w->col, "%s reads '%s' as %ld: write the number alone", prog, w->text, v);
	if (v >= 0 || d->neg_ok)
		return 1;
	if (!strcmp(d->name, "MONITOR")) {
		nc_problem(f, NC_K_BAD_POWERVALUE, w->line, w->col,
			"upsmon ignores this MONITOR: invalid power value %ld (write 0 or more)", v);
		return 0;
	}
	nc_problem(f, NC_K_NEGATIVE, w->line, w->col, "%s ignores the negative value %ld of %s", prog, v, d->name);
	return 1;
}

/* Check one line's word count against D (AT's command when AT); 0 when NUT ignores the line. */
static int nc_check_count(struct nc_file *f, const struct nc_line *l, const struct nc_directive *d,
	const char *prog, unsigned nut_minor)
{
	const struct nc_word *w0 = &l->words[0];

	if (d->since > nut_minor) {
		nc_problem(f, NC_K_NEWER, w0->line, w0->col,
			"'%s' is NUT 2.8.%u's: %s 2.8.%u ignores it (invalid directive)", d->name, d->since, prog, nut_minor);
		return 0;
	}
	if (l->nwords < d->min_words) {
		nc_problem(f, NC_K_TOO_FEW_WORDS, w0->line, w0->col,
			"%s ignores this line: %s needs %u words, it has %u (invalid directive)", prog, d->name,
			d->min_words, l->nwords);
		return 0;
	}
	if (l->nwords > d->used_words)
		nc_problem(f, NC_K_EXTRA_WORDS, l->words[d->used_words].line, l->words[d->used_words].col,
			"%s ignores this word and the rest of the line (quote a text that has blanks)", prog);
	return nc_check_number(f, l, d, prog);
}

static void nc_check_upsmon(struct nc_file *f, const struct nc_line *l, unsigned nut_minor)
{
	const struct nc_word *w0 = &l->words[0];
	const struct nc_directive *d = nc_lookup(NC_UPSMON, w0->text);

	if (!d) {
		d = nc_find(nc_upsmon_table, NC_COUNT(nc_upsmon_table), w0->text, 1);
		if (d)
			nc_problem(f, NC_K_WRONG_CASE, w0->line, w0->col,
				"upsmon ignores this line: invalid directive '%s' (directives are case-sensitive: write %s)",
				w0->text, d->name);
		else
			nc_problem(f, NC_K_INVALID, w0->line, w0->col, "upsmon ignores this line: invalid directive '%s'", w0->text);
		return;
	}
	if (!strcmp(d->name, "MONITOR") && l->nwords == 5) {
		nc_problem(f, NC_K_OLD_MONITOR, w0->line, w0->col,
			"upsmon refuses to start: Unable to use old-style MONITOR line without a username "
			"(write MONITOR ups@host powervalue user password primary|secondary)");
		return;
	}
	if (!nc_check_count(f, l, d, "upsmon", nut_minor))
		return;
	if (!strcmp(d->name, "MONITOR") && !nc_monitor_type(l->words[5].text, NULL))
		nc_problem(f, NC_K_MONITOR_TYPE, l->words[5].line, l->words[5].col,
			"upsmon treats '%s' as secondary (write primary or secondary)", l->words[5].text);
}

/* upssched.conf; *SEEN collects CMDSCRIPT (1), PIPEFN (2), LOCKFN (4) so far */
static void nc_check_upssched(struct nc_file *f, const struct nc_line *l, unsigned nut_minor, unsigned *seen)
{
	static const char *const need[] = { "CMDSCRIPT", "PIPEFN", "LOCKFN" };
	const struct nc_word *w0 = &l->words[0];
	const struct nc_directive *d = nc_lookup(NC_UPSSCHED, w0->text);
	const struct nc_directive *c;
	unsigned i;

	if (!d) {
		nc_problem(f, NC_K_INVALID, w0->line, w0->col, "upssched ignores this line: invalid directive '%s'", w0->text);
		return;
	}
	if (!nc_check_count(f, l, d, "upssched", nut_minor))
		return;
	for (i = 0; i < NC_COUNT(need); i++)
		if (!strcmp(d->name, need[i]))
			*seen |= 1u << i;
	if (strcmp(d->name, "AT"))
		return;
	for (i = 0; i < NC_COUNT(need); i++)
		if (!(*seen & (1u << i)))
			nc_problem(f, NC_K_AT_TOO_EARLY, w0->line, w0->col,
				"upssched stops here: %s must be set before the first AT", need[i]);
	*seen = (1u << NC_COUNT(need)) - 1;
	c = nc_lookup_at(l->words[3].text);
	if (!c) {
		nc_problem(f, NC_K_AT_COMMAND, l->words[3].line, l->words[3].col,
			"upssched does nothing for this line: Invalid command: %s", l->words[3].text);
		return;
	}
	nc_check_count(f, l, c, "upssched", nut_minor);
}

size_t nc_check(struct nc_file *f, enum nc_dialect d, unsigned nut_minor)
{
	size_t before = f->nprobs, i;
	unsigned seen = 0;

	for (i = 0; i < f->nlines; i++) {
		if (d == NC_UPSSCHED)
			nc_check_upssched(f, &f->lines[i], nut_minor, &seen);
		else
			nc_check_upsmon(f, &f->lines[i], nut_minor);
	}
	return f->nprobs - before;
}
