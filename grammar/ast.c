/* SPDX-License-Identifier: GPL-2.0-or-later */
/* ast.c - AST arena allocation and small helpers over nodes. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "grammar/ast.h"
#include "base/xalloc.h"

struct ast_chunk {
	struct ast_chunk *next;
	size_t size;
	max_align_t data[];
};

#define AST_CHUNK (256 * 1024)

void *ast_alloc(struct ast_arena *a, size_t size)
{
	void *p;

	size = (size + 7) & ~(size_t)7;
	if (!a->head || a->used + size > a->cap) {
		size_t cap = size > AST_CHUNK ? size : AST_CHUNK;
		struct ast_chunk *c = xrealloc(NULL, sizeof(*c) + cap);
		c->next = a->head;
		c->size = cap;
		a->head = c;
		a->used = 0;
		a->cap = cap;
	}
	p = (char *)a->head->data + a->used;
	a->used += size;
	memset(p, 0, size);
	return p;
}

void ast_plan_free(struct ast_plan *plan)
{
	struct ast_chunk *c = plan->arena.head;

	while (c) {
		struct ast_chunk *n = c->next;
		free(c);
		c = n;
	}
	memset(plan, 0, sizeof(*plan));
}

void ast_plan_append(struct ast_plan *plan, struct ast_decl *decl)
{
	if (plan->last)
		plan->last->next = decl;
	else
		plan->first = decl;
	plan->last = decl;
	plan->ndecls++;
}

const char *ast_action_name(int k)
{
#define AST_NAME_ACTION(name) [AST_ACT_##name] = #name,
#define AST_NAME_CODE(name)
	static const char *const names[AST_ACT_COUNT] = {
#define OP(name, kind, a, b, c, d, in, out, meaning) AST_NAME_##kind(name)
#include "base/opcodes.def"
#undef OP
	};
#undef AST_NAME_ACTION
#undef AST_NAME_CODE
	if (k < 0 || k >= AST_ACT_COUNT)
		return "?";
	return names[k];
}

/* Byte length of the opening and closing marks of quote style 1..5. */
static void ast_quote_marks(int style, unsigned *open, unsigned *close)
{
	switch (style) {
	case 5:		/* U+2E22 .. U+2E25 */
	case 4:		/* U+23A1 .. U+23A6 */
		*open = *close = 3;
		break;
	case 3:		/* U+00AB .. U+00BB */
		*open = *close = 2;
		break;
	default:	/* " and ' */
		*open = *close = 1;
		break;
	}
}

src_span ast_text_content(const struct ast_text *t)
{
	src_span s = ast_text_span(t);
	unsigned o, c;

	if (t->kind != AST_TEXT_QUOTED)
		return s;
	ast_quote_marks(t->style, &o, &c);
	if (s.len < o + c)
		return (src_span){ s.off, 0 };
	s.off += o;
	s.len -= o + c;
	return s;
}

src_span ast_action_kw(const struct ast_action *a)
{
	const char *name = a->synonym ? "SHUTDOWN" : ast_action_name(a->kind);

	return (src_span){ a->kw, (uint32_t)strlen(name) };
}

src_span ast_decl_kw(const struct ast_decl *d)
{
	static const char *const kws[AST_DECL_ALERTMANAGER + 1] = {
		"SMTPSERVER", "LET", "POLLFREQ", "POLLFREQALERT", "GROUP", "HOST",
		"PORT", "CERTFILE", "MONITOR", "MINSUPPLIES", "WHEN", "TLS", "CERTNAME",
		"CLIENTCERT", "CLIENTKEY", "INCLUDE", "SHUTDOWNEXIT", "ALERTMANAGER"
	};

	return (src_span){ d->kw, (uint32_t)strlen(kws[d->kind]) };
}
