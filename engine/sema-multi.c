/* SPDX-License-Identifier: GPL-2.0-or-later */
/* sema-multi.c - WHEN clauses over many UPS (WHEN GROUP g, WHEN /pattern/): checked, then expanded per group. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/sema-int.h"
#include "base/xalloc.h"

/* The bytes between the slashes of the /pattern/ at SP. */
static src_span sema_pattern_body(src_span sp)
{
	src_span b = { sp.off + 1, sp.len >= 2 ? sp.len - 2 : 0 };
	return b;
}

int sema_multi_begin(struct sema *s, const struct ast_decl *d)
{
	const struct ast_when *wd = &d->u.when;
	struct sema_group *g = &s->groupv.v[s->cur_group];
	struct sema_multi *m;
	struct diag_record *r;
	struct rx *re = NULL;

	if (d->target == AST_TARGET_GROUP) {
		const char *p = sema_bytes(s, wd->ups);
		if (wd->ups.len != g->name.len || memcmp(p, sema_bytes(s, g->name), g->name.len) != 0) {
			int64_t other = symtab_get(&s->groups, p, wd->ups.len);
			r = diag_at(s->dq, DIAG_MULTI_GROUP, wd->ups,
				    "WHEN GROUP '%.*s' in group '%.*s': a rule applies to the UPS of its own group only",
				    (int)(wd->ups.len > 60 ? 60 : wd->ups.len), p, (int)g->name.len,
				    sema_bytes(s, g->name));
			if (other >= 0)
				diag_note(s->dq, r, 1, s->groupv.v[other].name,
					  "move the clause under this GROUP, or write WHEN GROUP '%.*s'",
					  (int)g->name.len, sema_bytes(s, g->name));
			else
				diag_note(s->dq, r, 0, wd->ups, "write WHEN GROUP %.*s for every UPS of this group",
					  (int)g->name.len, sema_bytes(s, g->name));
			return -1;
		}
	} else {
		src_span b = sema_pattern_body(wd->ups);
		char msg[256];
		size_t off = 0;

		re = rx_compile(sema_bytes(s, b), b.len, 0, msg, sizeof(msg), &off);
		if (!re) {
			src_span at = { b.off + (uint32_t)(off > b.len ? b.len : off), 1 };
			r = diag_at(s->dq, DIAG_BAD_PATTERN, at, "invalid pattern: %s", msg);
			diag_note(s->dq, r, 0, at,
				  "a pattern is a PCRE2 regular expression between slashes, e.g. /^rack-b-[0-9]+$/");
			return -1;
		}
	}
	if (d->timeout) {
		r = diag_at(s->dq, DIAG_MULTI_TIMEOUT, wd->event,
			    "a TIMEOUT clause names one UPS, not %s",
			    d->target == AST_TARGET_GROUP ? "a group" : "a pattern");
		diag_note(s->dq, r, 0, wd->event,
			  "a timer is one for the whole plan: its expiry would run this clause once for every UPS it names; write WHEN <ups> TIMEOUT %.*s",
			  (int)wd->event.len, sema_bytes(s, wd->event));
		rx_free(re);
		return -1;
	}
	m = SEMA_PUSH(s, s->multiv);
	m->decl = d;
	m->group = s->cur_group;
	m->re = re;
	m->clause = SEMA_NONE;
	m->level = SEMA_NONE;
	return 0;
}

/* Report a group or pattern clause that names no UPS, listing a few of the group's. */
static void sema_multi_none(struct sema *s, const struct sema_multi *m, const struct sema_group *g)
{
	const struct ast_when *wd = &m->decl->u.when;
	char list[200] = "";
	struct diag_record *r;

	if (m->decl->target == AST_TARGET_GROUP)
		r = diag_at(s->dq, DIAG_MULTI_NONE, wd->ups, "group '%.*s' monitors no UPS: this rule applies to none",
			    (int)g->name.len, sema_bytes(s, g->name));
	else
		r = diag_at(s->dq, DIAG_MULTI_NONE, wd->ups, "pattern %.*s matches no UPS of group '%.*s'",
			    (int)(wd->ups.len > 60 ? 60 : wd->ups.len), sema_bytes(s, wd->ups), (int)g->name.len,
			    sema_bytes(s, g->name));
	if (g->ups_end == 0) {
		diag_note(s->dq, r, 0, wd->ups, "add a MONITOR to the group, or remove the rule");
		return;
	}
	for (uint32_t i = g->ups_first; i < g->ups_end && strlen(list) < 120; i++) {
		const struct sema_ups *u = &s->upsv.v[i];
		size_t n = strlen(list);
		snprintf(list + n, sizeof(list) - n, "%s%.*s", i > g->ups_first ? ", " : "",
			 (int)(u->name.len > 40 ? 40 : u->name.len), sema_bytes(s, u->name));
	}
	diag_note(s->dq, r, 0, wd->ups, "the group monitors %s%s (a pattern matches anywhere in the name unless anchored with ^ and $)",
		  list, strlen(list) >= 120 ? ", ..." : "");
}

void sema_multi_finish(struct sema *s)
{
	for (size_t i = 0; i < s->multiv.n; i++) {
		const struct sema_multi *m = &s->multiv.v[i];
		const struct sema_group *g = &s->groupv.v[m->group];
		uint32_t n = 0;

		for (uint32_t u = g->ups_first; u < g->ups_end; u++) {
			const struct sema_ups *up = &s->upsv.v[u];
			int hit = 1;

			/* a UPS monitored twice in the group (E410) counts once */
			if (symtab_get(&s->group_ups[m->group], sema_bytes(s, up->name), up->name.len) != (int64_t)u)
				continue;
			if (m->re)
				hit = rx_search(m->re, sema_bytes(s, up->name), up->name.len);
			if (hit < 0) {
				struct diag_record *r = diag_at(s->dq, DIAG_BAD_PATTERN, m->decl->u.when.ups,
					"pattern %.*s needs more than %u steps to match UPS '%.*s'",
					(int)(m->decl->u.when.ups.len > 60 ? 60 : m->decl->u.when.ups.len),
					sema_bytes(s, m->decl->u.when.ups), RX_MATCH_LIMIT,
					(int)up->name.len, sema_bytes(s, up->name));
				diag_note(s->dq, r, 0, m->decl->u.when.ups,
					  "simplify the pattern: nested repeats such as (a+)+ backtrack without end");
				n = 1;	/* reported: not also as matching none */
				break;
			}
			if (hit) {
				n++;
				if (m->clause != SEMA_NONE)
					cg_bind(s->cg, m->clause, u);
				if (m->level != SEMA_NONE)
					cg_level_bind(s->cg, m->level, u);
			}
		}
		if (n == 0)
			sema_multi_none(s, m, g);
	}
}

void sema_multi_free(struct sema *s)
{
	for (size_t i = 0; i < s->multiv.n; i++)
		rx_free(s->multiv.v[i].re);
	free(s->multiv.v);
}
