/* SPDX-License-Identifier: GPL-2.0-or-later */
/* sema-text.c - semantic checks of values: numbers, hosts, message texts, % substitutions. */
#include "config.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/sema-int.h"
#include "grammar/suggest.h"
#include "base/buf.h"
#include "base/duration.h"
#include "base/xalloc.h"

int sema_number(struct sema *s, src_span sp, double *out)
{
	const char *p = sema_bytes(s, sp);
	unsigned dots = 0, digits = 0;
	char buf[400];

	for (uint32_t i = 0; i < sp.len; i++) {
		if (p[i] == '.')
			dots++;
		else
			digits++;
	}
	if (sp.len >= sizeof(buf)) {
		diag_at(s->dq, DIAG_BAD_NUMBER, sp, "number of %u characters is too long", sp.len);
		return -1;
	}
	if (dots > 1 || digits == 0) {
		diag_at(s->dq, DIAG_BAD_NUMBER, sp,
			"malformed number '%.*s'; write digits with at most one decimal point, e.g. 5 or 0.5",
			(int)(sp.len > 40 ? 40 : sp.len), p);
		return -1;
	}
	memcpy(buf, p, sp.len);
	buf[sp.len] = '\0';
	*out = strtod(buf, NULL);
	if (!isfinite(*out)) {
		diag_at(s->dq, DIAG_RANGE, sp, "number '%.*s%s' is too large", (int)(sp.len > 40 ? 40 : sp.len), p,
			sp.len > 40 ? "..." : "");
		return -1;
	}
	return 0;
}

int sema_duration(struct sema *s, src_span sp, const char *what, double max, int report, double *out)
{
	const char *p = sema_bytes(s, sp);
	struct dur_fail f;
	struct diag_record *r;
	int shown = (int)(sp.len > 40 ? 40 : sp.len), rc;
	int units = 0;

	for (uint32_t i = 0; i < sp.len && !units; i++)
		units = p[i] != '.' && (p[i] < '0' || p[i] > '9');
	if (!units) {
		if (report)
			return sema_number(s, sp, out);
		/* checked before; copied, as the source goes on after the token ("5E3" is 5 then E3) */
		char buf[64];
		if (sp.len >= sizeof(buf))
			return sema_number(s, sp, out);
		memcpy(buf, p, sp.len);
		buf[sp.len] = '\0';
		*out = strtod(buf, NULL);
		return 0;
	}
	rc = dur_parse(p, sp.len, max, out, &f);
	if (rc == 0 || !report)
		return rc == 0 ? 0 : -1;
	if (rc == -2) {
		r = diag_at(s->dq, DIAG_DURATION_RANGE, sp, "%s %.*s%s is longer than %.0f seconds (%.0f days)", what,
			    shown, p, sp.len > 40 ? "..." : "", max, max / 86400);
		diag_note(s->dq, r, 0, sp, "no timer or polling interval comes near it: is a unit wrong?");
		return -1;
	}
	r = diag_at(s->dq, DIAG_BAD_DURATION, (src_span){ sp.off + (uint32_t)f.at, f.len ? (uint32_t)f.len : 1 },
		    "malformed duration '%.*s%s' after %s: %s", shown, p, sp.len > 40 ? "..." : "", what, f.why);
	diag_note(s->dq, r, 0, sp,
		  "write seconds (90, 1.5) or parts with the units h, m and s, largest first: 2m, 1h30m, 1.5s");
	return -1;
}

int sema_integer(struct sema *s, src_span sp, const char *what, long min, long max, long *out)
{
	double d;

	if (sema_number(s, sp, &d))
		return -1;
	/* range first: casting a double beyond long's range is undefined */
	if (d < 1e15 && d != (double)(long)d) {
		diag_at(s->dq, DIAG_NOT_INTEGER, sp, "%s must be a whole number, not %.*s",
			what, (int)sp.len, sema_bytes(s, sp));
		return -1;
	}
	if (d < (double)min || d > (double)max) {
		diag_at(s->dq, DIAG_RANGE, sp, "%s must be between %ld and %ld, not %.*s",
			what, min, max, (int)(sp.len > 40 ? 40 : sp.len), sema_bytes(s, sp));
		return -1;
	}
	*out = (long)d;
	return 0;
}

/* RFC 1123 host name: dot-separated labels of letters, digits, '-' and '_'. */
static int sema_hostname_ok(const char *p, size_t len)
{
	size_t label = 0;

	if (len == 0 || len > 253)
		return 0;
	for (size_t i = 0; i < len; i++) {
		char c = p[i];
		if (c == '.') {
			if (label == 0 || p[i - 1] == '-')
				return 0;
			label = 0;
			continue;
		}
		if (!isalnum((unsigned char)c) && c != '-' && c != '_')
			return 0;
		if (c == '-' && label == 0)
			return 0;
		if (++label > 63)
			return 0;
	}
	return p[len - 1] != '-';
}

void sema_check_host(struct sema *s, const struct ast_text *t, const char *kw)
{
	src_span c = ast_text_content(t);
	const char *p = sema_bytes(s, c);
	char buf[300];
	unsigned char addr[16];
	size_t len = c.len;
	int digits_and_dots = 1;

	if (len >= sizeof(buf))
		goto bad;
	memcpy(buf, p, len);
	buf[len] = '\0';
	if (buf[0] == '[' && len > 2 && buf[len - 1] == ']') {
		memmove(buf, buf + 1, len - 2);
		buf[len - 2] = '\0';
		len -= 2;
		if (strchr(buf, ':') == NULL)
			goto bad;
	}
	if (strchr(buf, ':')) {
		char *zone = strchr(buf, '%');
		if (zone) {
			/* an interface name or number: it shows in %(u)s, so no blank or quote */
			*zone++ = '\0';
			if (*zone == '\0' || strlen(zone) > 64)
				goto bad;
			for (const char *z = zone; *z; z++)
				if (!isalnum((unsigned char)*z) && *z != '_' && *z != '.' && *z != '-')
					goto bad;
		}
		if (inet_pton(AF_INET6, buf, addr) == 1)
			return;
		goto bad;
	}
	for (size_t i = 0; i < len; i++)
		if (!isdigit((unsigned char)buf[i]) && buf[i] != '.')
			digits_and_dots = 0;
	if (digits_and_dots) {
		if (inet_pton(AF_INET, buf, addr) == 1)
			return;
		goto bad;
	}
	if (sema_hostname_ok(buf, len))
		return;
bad:
	diag_at(s->dq, DIAG_BAD_HOST, ast_text_span(t),
		"%s '%.*s' is neither an IPv4 or IPv6 address nor a valid host name", kw,
		(int)(c.len > 60 ? 60 : c.len), p);
}

static int sema_is_key(char c)
{
	return c == 'u' || c == 'c' || c == 'e' || c == 'b' || c == 'h';
}

/*
 * E870: %(var:NAME)s, NAME the LEN bytes at NAME, at AT (the substitution),
 * names a variable as a condition does (sema_var_bad()); a name NUT does
 * not define is no error there, nor here.
 */
static void sema_check_var_subst(struct sema *s, const char *name, size_t len, src_span at)
{
	long bad = len ? sema_var_bad(name, len) : 0;
	struct diag_record *r;

	if (bad < 0)
		return;
	if (len == 0)
		r = diag_at(s->dq, DIAG_VAR_SUBST, at, "'%%(var:)s' names no NUT variable");
	else
		r = diag_at(s->dq, DIAG_VAR_SUBST, at,
			"'%%(var:%.*s)s': '%.*s' is not a NUT variable name", (int)(len > 60 ? 60 : len), name,
			(int)(len > 60 ? 60 : len), name);
	diag_note(s->dq, r, 0, at,
		  "write the variable as upsc lists it, with letters, digits, '.', '_' and '-' only: %%(var:battery.runtime)s");
}

long sema_find_ups_subst(const char *p, size_t len, int ups)
{
	for (size_t i = 0; i + 1 < len; i++) {
		if (p[i] != '%')
			continue;
		if (p[i + 1] == '%') {
			i++;
			continue;
		}
		if (len - i >= 6 && memcmp(p + i + 1, "(var:", 5) == 0)
			return (long)i;
		if (ups && len - i >= 5 && p[i + 1] == '(' && (p[i + 2] == 'u' || p[i + 2] == 'c') && p[i + 3] == ')')
			return (long)i;
	}
	return -1;
}

int sema_command_vars(struct sema *s, const struct ast_text *t, const char *kw)
{
	int rc = 0;

	for (; t; t = t->next) {
		src_span c = ast_text_content(t), at = ast_text_span(t);
		const char *p = sema_bytes(s, c);
		int64_t m = symtab_get(&s->msgs, p, c.len);
		const char *q = m >= 0 ? s->msgv.v[m].text.p : p;
		size_t n = m >= 0 ? s->msgv.v[m].text.len : c.len;
		long off = q ? sema_find_ups_subst(q, n, 0) : -1;
		struct diag_record *r;

		if (off < 0)
			continue;
		const char *end = memchr(q + off, ')', n - (size_t)off);
		size_t sl = end ? (size_t)(end - (q + off)) + 2 : n - (size_t)off;
		if (sl > n - (size_t)off)
			sl = n - (size_t)off;
		if (m < 0)
			at = (src_span){ c.off + (uint32_t)off, (uint32_t)sl };
		r = diag_at(s->dq, DIAG_VAR_COMMAND, at,
			"%s text renders '%.*s'%s%.*s%s: a NUT variable is never put into a command",
			kw, (int)(sl > 80 ? 80 : sl), q + off, m >= 0 ? " (message '" : "",
			m >= 0 ? (int)c.len : 0, p, m >= 0 ? "')" : "");
		if (m >= 0 && s->msgv.v[m].name.len)
			diag_note(s->dq, r, 1, s->msgv.v[m].name, "message '%.*s' is defined here", (int)c.len, p);
		diag_note(s->dq, r, 0, at,
			  "the value comes from upsd over the network, and root runs this command: it could inject shell syntax or arguments");
		diag_note(s->dq, r, 0, at,
			  "let the command ask upsd itself: pass it %%(u)s (SHELLCMD \"/usr/local/sbin/on-alarm %%(u)s\") and run upsc \"$1\" VARIABLE in it");
		rc = -1;
	}
	return rc;
}

/*
 * Where a substitution is checked: the text is the join of segments, each
 * a literal part (SRC: the source bytes of its content) or a message
 * (LITERAL 0: checked at its own LET, so nothing is reported inside it).
 */
struct sema_seg {
	uint32_t at, len;	/* bytes of the joined text */
	uint32_t src;		/* global offset of the literal's first byte */
	int literal;
};

/* The source span of bytes I .. I + LEN - 1 of the joined text, cut at their segment's end; 0 inside a message. */
static int sema_seg_span(const struct sema_seg *seg, size_t nseg, uint32_t i, uint32_t len, src_span *out)
{
	for (size_t k = 0; k < nseg; k++) {
		if (i < seg[k].at || i >= seg[k].at + seg[k].len)
			continue;
		if (!seg[k].literal)
			return 0;
		if (len > seg[k].at + seg[k].len - i)
			len = seg[k].at + seg[k].len - i;
		*out = (src_span){ seg[k].src + (i - seg[k].at), len ? len : 1 };
		return 1;
	}
	return 0;
}

/* Check the % substitutions of the N bytes at P, made of the segments SEG. */
static void sema_check_subst_segs(struct sema *s, const char *p, uint32_t n, const struct sema_seg *seg,
				  size_t nseg, const char *where)
{
	for (uint32_t i = 0; i < n; i++) {
		uint32_t j, k;
		src_span at, sp;

		if (p[i] != '%')
			continue;
		if (i + 1 < n && p[i + 1] == '%') {
			i++;
			continue;
		}
		if (!sema_seg_span(seg, nseg, i, 1, &at)) {
			/* a message's own text, checked at its LET: skip to what follows it */
			for (j = i + 1; j < n && p[j] != '%'; j++)
				;
			i = j - 1;
			continue;
		}
		if (i + 1 >= n || p[i + 1] != '(') {
			struct diag_record *r = diag_at(s->dq, DIAG_SUBST_BARE, at,
				"stray '%%' in %s", where);
			diag_note(s->dq, r, 0, at, "write '%%%%' for a percent sign, or a substitution such as %%(c)s (battery charge)");
			continue;
		}
		for (j = i + 2; j < n && p[j] != ')'; j++)
			;
		if (j >= n) {
			sema_seg_span(seg, nseg, i, n - i, &sp);
			diag_at(s->dq, DIAG_SUBST_BARE, sp,
				"unterminated substitution in %s: '%%(' without ')'", where);
			return;
		}
		sema_seg_span(seg, nseg, i, j + 1 - i, &at);
		if (j >= i + 6 && memcmp(p + i + 2, "var:", 4) == 0) {
			sema_check_var_subst(s, p + i + 6, j - (i + 6), at);
		} else if (j != i + 3 || !sema_is_key(p[i + 2])) {
			struct diag_record *r = diag_at(s->dq, DIAG_SUBST_KEY, at,
				"unknown substitution '%%(%.*s)' in %s", (int)(j - i - 2), p + i + 2, where);
			diag_note(s->dq, r, 0, at, "known: %%(u)s UPS name, %%(c)s battery charge, %%(e)s event, %%(b)s user@host, %%(h)s host name, %%(var:NAME)s a NUT variable");
		}
		/* conversion: optional flags, width, precision, then one letter */
		for (k = j + 1; k < n && strchr("-+ #0123456789.", p[k]); k++)
			;
		if (k >= n || !isalpha((unsigned char)p[k])) {
			sema_seg_span(seg, nseg, i, k - i, &sp);
			diag_at(s->dq, DIAG_SUBST_CONV, sp,
				"substitution '%.*s' in %s has no conversion; write %%(%.*s)s",
				(int)(k - i), p + i, where, (int)(j - i - 2), p + i + 2);
			i = k - 1;
			continue;
		}
		if (k != j + 1 || p[k] != 's') {
			sema_seg_span(seg, nseg, i, k + 1 - i, &sp);
			diag_at(s->dq, DIAG_SUBST_CONV, sp,
				"only the s conversion is supported: write %%(%.*s)s instead of '%.*s'",
				(int)(j - i - 2), p + i + 2, (int)(k + 1 - i), p + i);
		}
		i = k;
	}
}

void sema_check_subst(struct sema *s, src_span content, const char *where)
{
	struct sema_seg seg = { 0, content.len, content.off, 1 };

	sema_check_subst_segs(s, sema_bytes(s, content), content.len, &seg, 1, where);
}

/*
 * Bounded edit distance (optimal string alignment: insertions, deletions,
 * substitutions and swaps of two neighbours cost 1), case-insensitive;
 * returns more than MAX when it is above it.  Adds the cells computed to
 * *WORK.
 */
static unsigned sema_distance(const char *a, size_t la, const char *b, size_t lb, unsigned max,
			      uint64_t *work)
{
	unsigned rows[3][64], *pp, *p, *c;

	if (la >= 64 || lb >= 64)
		return max + 1;
	if ((la > lb ? la - lb : lb - la) > max)
		return max + 1;
	for (size_t j = 0; j <= lb; j++)
		rows[0][j] = (unsigned)j;	/* row k lives in rows[k % 3] */
	for (size_t i = 1; i <= la; i++) {
		unsigned best;
		pp = rows[(i + 1) % 3];	/* row i-2 */
		p = rows[(i + 2) % 3];	/* row i-1 */
		c = rows[i % 3];	/* row i */
		c[0] = (unsigned)i;
		best = c[0];
		*work += lb;
		for (size_t j = 1; j <= lb; j++) {
			int ca = tolower((unsigned char)a[i - 1]), cb = tolower((unsigned char)b[j - 1]);
			unsigned v = p[j - 1] + (ca != cb);
			if (p[j] + 1 < v)
				v = p[j] + 1;
			if (c[j - 1] + 1 < v)
				v = c[j - 1] + 1;
			if (i > 1 && j > 1 && ca == tolower((unsigned char)b[j - 2]) &&
			    tolower((unsigned char)a[i - 2]) == cb && pp[j - 2] + 1 < v)
				v = pp[j - 2] + 1;
			c[j] = v;
			if (v < best)
				best = v;
		}
		if (best > max)
			return max + 1;
	}
	return rows[la % 3][lb];
}

const char *sema_closest(struct sema *s, const struct symtab *t, const char *key, size_t len,
			 uint32_t *vlen)
{
	unsigned max = len < 4 ? 1 : len < 12 ? 2 : 3, best = max + 1;
	const char *found = NULL;

	if (s->suggest_work > SEMA_SUGGEST_WORK)
		return NULL;
	s->suggest_work += t->cap;
	for (size_t i = 0; i < t->cap; i++) {
		const struct symtab_slot *sl = &t->slots[i];
		unsigned d;
		if (!sl->key || sl->len == 0)
			continue;
		d = sema_distance(key, len, sl->key, sl->len, max, &s->suggest_work);
		if (d < best || (d == best && found && (sl->len < *vlen ||
		    (sl->len == *vlen && memcmp(sl->key, found, sl->len) < 0)))) {
			best = d;
			found = sl->key;
			*vlen = sl->len;
		}
	}
	return found;
}

/*
 * The message name that the LEN bytes at P spell but for case (as it is
 * written at its LET), or NULL: none, or P is a message name itself.
 */
static const char *sema_case_twin(struct sema *s, const char *p, size_t len)
{
	char k[AST_TEXT_MAX < 256 ? AST_TEXT_MAX : 256];
	const char *name;
	int64_t off;

	if (len == 0 || len > sizeof(k) || s->lets_ci.count == 0 || !(isalpha((unsigned char)p[0]) || p[0] == '_'))
		return NULL;
	for (size_t i = 0; i < len; i++) {
		if (!isalnum((unsigned char)p[i]) && !strchr("._%+-", p[i]))
			return NULL;	/* no name: no message */
		k[i] = (char)tolower((unsigned char)p[i]);
	}
	off = symtab_get(&s->lets_ci, k, len);
	if (off < 0)
		return NULL;
	name = sema_bytes(s, (src_span){ (uint32_t)off, (uint32_t)len });
	return memcmp(name, p, len) == 0 ? NULL : name;
}

/* W631: a quoted text that is a message name but for case is sent as it is. */
static void sema_case_text(struct sema *s, const struct ast_text *t, src_span c, const char *p)
{
	const char *twin = sema_case_twin(s, p, c.len);
	struct diag_record *r;

	if (!twin || symtab_get(&s->all_lets, p, c.len) >= 0)
		return;
	r = diag_at(s->dq, DIAG_CASE_MSG, ast_text_span(t),
		"quoted text '%.*s' differs only in case from the message name '%.*s': it is used as this literal text",
		(int)c.len, p, (int)c.len, twin);
	diag_note(s->dq, r, 0, ast_text_span(t),
		  "names are case-sensitive: write %.*s (unquoted) to use the message, or change the text",
		  (int)c.len, twin);
}

/*
 * Resolve one text part: a message (*MSGP its index), or the literal
 * (*MSGP -1); warns about the quirks (in a text, IS_TEXT, also about a
 * quoted text that is a message name but for case; never in a value such
 * as a password).  NULL for a message over a bound, which was reported at
 * its LET.
 */
static const char *sema_part(struct sema *s, const struct ast_text *t, int check_subst, int is_text,
			     size_t *lenp, int64_t *msgp)
{
	src_span c = ast_text_content(t);
	const char *p = sema_bytes(s, c);
	int64_t m = symtab_get(&s->msgs, p, c.len);

	*msgp = m;
	if (m >= 0) {
		if (t->kind == AST_TEXT_QUOTED) {
			struct diag_record *r = diag_at(s->dq, DIAG_QUOTED_MSG, ast_text_span(t),
				"quoted text '%.*s' is also the name of a message: it is replaced by that message",
				(int)c.len, p);
			diag_note(s->dq, r, 0, ast_text_span(t),
				  "write the name without quotes to use the message, or change the text");
		}
		*lenp = s->msgv.v[m].text.len;
		return s->msgv.v[m].text.p;
	}
	if (t->kind == AST_TEXT_QUOTED && is_text)
		sema_case_text(s, t, c, p);
	if (t->kind == AST_TEXT_NAME) {
		int64_t later = symtab_get(&s->all_lets, p, c.len);
		struct diag_record *r;

		if (later >= 0) {
			r = diag_at(s->dq, DIAG_LATE_MSG, ast_text_span(t),
				"message '%.*s' is defined after this use: the literal text '%.*s' is used here",
				(int)c.len, p, (int)c.len, p);
			diag_note(s->dq, r, 1, (src_span){ (uint32_t)later, c.len },
				  "move this LET before its first use");
		} else {
			uint32_t vl = 0;
			const char *twin = sema_case_twin(s, p, c.len);
			r = diag_at(s->dq, DIAG_UNDEF_NAME, ast_text_span(t),
				"'%.*s' is not a defined message: it is used as literal text",
				(int)(c.len > 60 ? 60 : c.len), p);
			const char *close = r && !twin ? sema_closest(s, &s->all_lets, p, c.len, &vl) : NULL;
			int case_only = 0;
			unsigned dist;
			const char *kw = r && !twin ? gram_suggest(p, c.len, GRAM_SUGGEST_KEYWORD, NULL, NULL,
								    &case_only, &dist) : NULL;
			if (twin)
				diag_note(s->dq, r, 0, ast_text_span(t),
					  "it differs only in case from the message name '%.*s' (names are case-sensitive)",
					  (int)c.len, twin);
			else if (kw)
				diag_note(s->dq, r, 0, ast_text_span(t),
					  "%s the keyword %s? (a word that is not a keyword continues the text before it)",
					  case_only ? "keywords are upper case: did you mean" : "did you mean", kw);
			else if (close)
				diag_note(s->dq, r, 0, ast_text_span(t), "did you mean '%.*s'?", (int)vl, close);
			else
				diag_note(s->dq, r, 0, ast_text_span(t), "define it with LET, or quote the text");
		}
	}
	if (check_subst)
		sema_check_subst(s, c, "this text");
	*lenp = c.len;
	return p;
}

int sema_work(struct sema *s, size_t len, src_span at)
{
	struct diag_record *r;

	if (s->over)
		return -1;
	s->text_work += len;
	if (s->text_work <= IMG_MAX_TEXT_WORK)
		return 0;
	s->over = 1;
	r = diag_at(s->dq, DIAG_PLAN_LIMIT, at,
		    "the texts of this plan, with their messages substituted, add up to more than %u bytes here",
		    IMG_MAX_TEXT_WORK);
	diag_note(s->dq, r, 0, at,
		  "every text built from several parts, or copied, counts in full (a message used alone does not); the rest of the plan is not checked");
	return -1;
}

/* E591 at the part T that makes the text WHAT LEN bytes long. */
static void sema_too_long(struct sema *s, const struct ast_text *t, const char *what, size_t len)
{
	struct diag_record *r = diag_at(s->dq, DIAG_TEXT_LIMIT, ast_text_span(t),
		"%s would be %zu bytes long with this part, more than the %u bytes a text may hold",
		what, len, IMG_MAX_TEXT);

	diag_note(s->dq, r, 0, ast_text_span(t),
		  "a text holds at most %u bytes with its messages substituted: shorten it, or split it over several actions",
		  IMG_MAX_TEXT);
}

int sema_resolve_texts(struct sema *s, const struct ast_text *t, const char *sep,
		       int check_subst, const char *what, struct sema_text *out)
{
	size_t seplen = strlen(sep), nseg = 0, capseg = 0;
	struct buf buf = BUF_INIT;
	struct sema_seg *seg = NULL;
	int bad = s->over, joined = check_subst == SEMA_SUBST_JOINED && t && t->next;

	*out = (struct sema_text){ NULL, 0, NULL, IMG_NONE };
	for (int first = 1; t; t = t->next, first = 0) {
		size_t n, add;
		int64_t m;
		const char *p = sema_part(s, t, check_subst && !joined, check_subst != 0, &n, &m);

		if (!p || bad) {	/* the other parts are still checked */
			bad = 1;
			continue;
		}
		if (first && !t->next && m >= 0) {
			/* one message alone: shared, nothing is built */
			out->p = p;
			out->len = n;
			out->tpl = s->msgv.v[m].text.tpl;
			return 0;
		}
		add = n + (first ? 0 : seplen);
		if (buf.len + add > IMG_MAX_TEXT) {
			sema_too_long(s, t, what, buf.len + add);
			bad = 1;
			continue;
		}
		if (sema_work(s, add, ast_text_span(t)) != 0) {
			bad = 1;
			continue;
		}
		if (!first)
			buf_add(&buf, sep, seplen);
		if (joined) {
			if (nseg == capseg) {
				capseg = capseg ? 2 * capseg : 8;
				seg = xrealloc(seg, capseg * sizeof(*seg));
			}
			seg[nseg++] = (struct sema_seg){ (uint32_t)buf.len, (uint32_t)n,
							 ast_text_content(t).off, m < 0 };
		}
		buf_add(&buf, p, n);
	}
	if (bad) {
		free(seg);
		buf_free(&buf);
		return -1;
	}
	/* UPSmon.py checks a LET's joined text: "%(u" ")s" is %(u)s */
	if (joined)
		sema_check_subst_segs(s, buf.len ? buf.p : "", (uint32_t)buf.len, seg, nseg, "this text");
	free(seg);
	out->len = buf.len;
	out->p = out->own = buf_take(&buf);
	return 0;
}

void sema_text_free(struct sema_text *t)
{
	free(t->own);
	*t = (struct sema_text){ NULL, 0, NULL, IMG_NONE };
}

/* One part T as an owned string ("" when over a bound); copying a message counts as work. */
static char *sema_resolve_copy(struct sema *s, const struct ast_text *t, int check_subst, size_t *lenp)
{
	struct sema_text v;
	char *r;

	if (sema_resolve_texts(s, t, "", check_subst, "this text", &v) != 0 ||
	    (!v.own && sema_work(s, v.len, ast_text_span(t)) != 0)) {
		r = xcalloc(1, 1);
		v.len = 0;
	} else if (v.own) {
		r = v.own;
	} else {
		r = xrealloc(NULL, v.len + 1);
		memcpy(r, v.p, v.len + 1);
	}
	if (lenp)
		*lenp = v.len;
	return r;
}

char *sema_resolve_one(struct sema *s, const struct ast_text *t, size_t *lenp)
{
	return sema_resolve_copy(s, t, 1, lenp);
}

char *sema_resolve_value(struct sema *s, const struct ast_text *t, size_t *lenp)
{
	return sema_resolve_copy(s, t, 0, lenp);
}
