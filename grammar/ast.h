/* SPDX-License-Identifier: GPL-2.0-or-later */
/* ast.h - abstract syntax tree of a UPSmon.conf plan; every node keeps its source span. */
#ifndef UPSPLAN_AST_H
#define UPSPLAN_AST_H

#include <stdint.h>
#include "base/source.h"
#include "grammar/status.h"

/* How a piece of text was written. */
enum ast_text_kind {
	AST_TEXT_NAME,		/* bare NAME: message reference or literal */
	AST_TEXT_QUOTED,	/* one of the five quote styles */
	AST_TEXT_HOSTWORD,	/* unquoted HOST value (address or host name) */
	AST_TEXT_NUMBER		/* NUMBER used as a HOST value */
};

/* Longest token a text node can hold (the lexer reports longer ones). */
#define AST_TEXT_MAX ((1u << 27) - 1)

/*
 * One part of a `quotetexts` list, 16 bytes.  The span covers the whole
 * token (quotes included), see ast_text_span(); the content is the span
 * minus the quote marks, see ast_text_content().
 */
struct ast_text {
	struct ast_text *next;
	uint32_t off;		/* global offset of the token */
	uint32_t len : 27;	/* token bytes (at most AST_TEXT_MAX) */
	uint32_t kind : 2;	/* enum ast_text_kind */
	uint32_t style : 3;	/* quote style 1..5 (QUOTETEXT1..5), 0 if unquoted */
};

/* Span of the token of T. */
static inline src_span ast_text_span(const struct ast_text *t)
{
	return (src_span){ t->off, t->len };
}

/* Bytes between the quote marks of T (or the whole token when unquoted). */
src_span ast_text_content(const struct ast_text *t);

/* The actions of the language: the ACTION rows of base/opcodes.def, in its order. */
#define AST_OPKIND_ACTION(name) AST_ACT_##name,
#define AST_OPKIND_CODE(name)
enum ast_action_kind {
#define OP(name, kind, a, b, c, d, in, out, meaning) AST_OPKIND_##kind(name)
#include "base/opcodes.def"
#undef OP
	AST_ACT_COUNT
};
#undef AST_OPKIND_ACTION
#undef AST_OPKIND_CODE
_Static_assert(AST_ACT_COUNT < 0x100, "the parser marks the SHUTDOWN synonym with bit 0x100");

/* Keyword of action kind K ("NOTIFY", ...). */
const char *ast_action_name(int k);

/* ALERT name [SEVERITY word] text, RESOLVE name, HOOKS "dir" [MESSAGE text] (upsplan only). */
struct ast_alert {
	src_span name;		/* ALERT, RESOLVE: the alert's name (between the quote marks when quoted) */
	uint8_t quoted;		/* the name was written quoted */
	src_span severity;	/* ALERT: the word after SEVERITY, length 0: none (warning) */
	struct ast_text text;	/* ALERT: its text; HOOKS: the directory */
	struct ast_text *message;	/* HOOKS: the text after MESSAGE, NULL: none */
};

struct ast_email {
	struct ast_text *from, *to, *subject;	/* one quotetext each */
	struct ast_text message;		/* quotetexts: first part, chained */
	src_span from_kw, to_kw, subject_kw, message_kw;
};

/* Kinds of the terms and operators of an IF condition. */
enum ast_expr_kind {
	AST_X_STATE,		/* a->b: the state test of UPSmon.py */
	AST_X_CMP,		/* VARIABLE op NUMBER or "text" */
	AST_X_MATCH,		/* VARIABLE =~ "pattern" */
	AST_X_RUNNING,		/* RUNNING timer */
	AST_X_NUMLOGINS,	/* NUMLOGINS [ups] op NUMBER or "text" (a text: refused by sema) */
	AST_X_MARKED,		/* MARKED mark [ups] */
	AST_X_PVWITHOUT,	/* POWERVAL WITHOUT mark op NUMBER */
	AST_X_NOT, AST_X_AND, AST_X_OR
};

/* Comparison operators, in the order of enum img_cmp: < <= > >= == != */
enum ast_cmp { AST_LT, AST_LE, AST_GT, AST_GE, AST_EQ, AST_NE };

/* One node of an IF condition. */
struct ast_expr {
	src_span span;		/* the whole term or operation */
	uint8_t kind;		/* enum ast_expr_kind */
	uint8_t op;		/* AST_X_CMP: enum ast_cmp */
	uint8_t from, to;	/* AST_X_STATE: enum sw_word */
	src_span name;		/* CMP, MATCH: the variable; RUNNING: the timer; NUMLOGINS: the UPS (length 0: the clause's own);
				   MARKED, PVWITHOUT: the mark */
	struct ast_text value;	/* CMP, NUMLOGINS, PVWITHOUT: a number (AST_TEXT_NUMBER) or a quoted text; MATCH: the pattern;
				   MARKED: the UPS (AST_TEXT_NAME, length 0: the clause's own) */
	struct ast_expr *l, *r;	/* NOT: l; AND, OR: l and r */
};

/* IF condition in front of an action. */
struct ast_cond {
	src_span span;		/* from IF to the end of the condition */
	struct ast_expr *expr;
};

/*
 * One action.  The layout is compact because a 10,000-UPS plan has half a
 * million of them: a text action embeds its first text part (the rest is
 * chained from u.text.next), and an action with a condition is allocated
 * as a struct ast_cond_action (see ast_action_cond()).
 */
struct ast_action {
	struct ast_action *next;
	uint32_t kw;		/* offset of the keyword; see ast_action_kw() */
	uint8_t kind;		/* enum ast_action_kind */
	uint8_t has_cond;
	uint8_t synonym;	/* SHUTDOWN written for SHUTDOWNCMD */
	union {
		struct ast_text text;	/* text actions: the first part */
		struct {
			src_span name;	/* STARTTIMER, CANCELTIMER, SETFSD; MARK, UNMARK: the mark */
			src_span num;	/* STARTTIMER seconds, DEBUG level */
		} arg;
		struct ast_email *email;
		struct ast_alert *alert;	/* ALERT, RESOLVE, HOOKS */
	} u;
};

struct ast_cond_action {
	struct ast_action action;
	struct ast_cond cond;
};

/* The condition of A, or NULL. */
static inline const struct ast_cond *ast_action_cond(const struct ast_action *a)
{
	return a->has_cond ? &((const struct ast_cond_action *)a)->cond : 0;
}

/* The text parts of text action A (EPRINT NOTIFY NUTLOG PRINT SHELLCMD SHUTDOWNCMD SYSLOG WALL). */
static inline const struct ast_text *ast_action_texts(const struct ast_action *a)
{
	return &a->u.text;
}

/* Span of the keyword of A. */
src_span ast_action_kw(const struct ast_action *a);

enum ast_decl_kind {
	AST_DECL_SMTP, AST_DECL_LET, AST_DECL_POLLFREQ, AST_DECL_POLLFREQALERT,
	AST_DECL_GROUP, AST_DECL_HOST, AST_DECL_PORT, AST_DECL_CERTFILE,
	AST_DECL_MONITOR, AST_DECL_MINSUPPLIES, AST_DECL_WHEN,
	AST_DECL_TLS, AST_DECL_CERTNAME, AST_DECL_CLIENTCERT, AST_DECL_CLIENTKEY,
	AST_DECL_INCLUDE,	/* kept for check --print; the file's declarations follow it */
	AST_DECL_SHUTDOWNEXIT,
	AST_DECL_ALERTMANAGER
};

/* ALERTMANAGER "url" [CAFILE "file"] [BEARER "token" | USER "name" PASSWORD "password"] */
struct ast_amgr {
	struct ast_text *url;
	struct ast_text *cafile, *bearer, *user, *password;	/* NULL: not written */
};

struct ast_smtp {
	struct ast_text *server, *user, *password;
	src_span port;
};

struct ast_monitor {
	src_span ups, powerval, user, type;
	struct ast_text *password;
	uint8_t apcupsduser;	/* APCUPSDUSER written for UPSDUSER */
};

/*
 * What a WHEN clause names: one UPS, every UPS of a group, the UPS a
 * pattern matches, or an alert of the Alertmanager (WHEN ALERT "name"
 * FIRING | RESOLVED: no UPS; u.when.ups is the alert's name, between the
 * quote marks when quoted, u.when.event the word FIRING or RESOLVED,
 * from 1 when the name was quoted, to 1 for FIRING).
 */
enum ast_target { AST_TARGET_UPS, AST_TARGET_GROUP, AST_TARGET_PATTERN, AST_TARGET_ALERT };

/* WHEN: its flags (timeout, to_synonym, target, from, to) live in struct ast_decl. */
struct ast_when {
	src_span ups;		/* the UPS name, the group name, or the /pattern/ with its slashes */
	src_span event;		/* a->b, or the timer name */
	struct ast_action *actions;
};

/* A declaration, 40 bytes (a 10,000-UPS plan has 200,000 of them). */
struct ast_decl {
	struct ast_decl *next;
	uint32_t kw;		/* offset of the leading keyword; see ast_decl_kw() */
	uint8_t kind;		/* enum ast_decl_kind */
	/* WHEN only: */
	uint8_t timeout : 1;	/* 1: TIMEOUT/TO timer; 0: REPORTS a->b */
	uint8_t to_synonym : 1;	/* TO written for TIMEOUT */
	uint8_t target : 2;	/* enum ast_target */
	uint8_t level : 2;	/* enum ast_level: BECOMES/CEASES (struct ast_level_decl) */
	uint8_t from, to;	/* enum sw_word when !timeout */
	union {
		struct ast_smtp *smtp;
		struct ast_amgr *amgr;
		struct {
			src_span name;
			struct ast_text text;	/* first part, chained */
		} let;
		src_span num;		/* POLLFREQ, POLLFREQALERT, PORT, MINSUPPLIES, SHUTDOWNEXIT */
		src_span name;		/* GROUP, TLS; INCLUDE: its "path" or <rule file> */
		struct ast_text *text;	/* HOST, CERTFILE, CERTNAME, CLIENTCERT, CLIENTKEY */
		struct ast_monitor *monitor;
		struct ast_when when;
	} u;
};

/* Span of the leading keyword of D. */
src_span ast_decl_kw(const struct ast_decl *d);

/*
 * A level clause, WHEN ups BECOMES <condition> [FOR <duration>] or WHEN
 * ups CEASES <condition>: its u.when.event is the FOR duration (length 0:
 * none), and the condition follows the declaration (allocated together,
 * as an action's IF, so that other declarations stay 40 bytes).
 */
enum ast_level { AST_LEVEL_NONE, AST_LEVEL_BECOMES, AST_LEVEL_CEASES };

struct ast_level_decl {
	struct ast_decl decl;
	struct ast_expr *expr;
};

/* The condition of level clause D (D->level != AST_LEVEL_NONE). */
static inline const struct ast_expr *ast_decl_level_expr(const struct ast_decl *d)
{
	return ((const struct ast_level_decl *)d)->expr;
}

/* Bump allocator for AST nodes: everything is freed at once. */
struct ast_arena {
	struct ast_chunk *head;
	size_t used, cap;
};

/* A parsed plan: declarations in file order, nodes in the arena. */
struct ast_plan {
	struct ast_decl *first, *last;
	struct ast_arena arena;
	unsigned ndecls;
};

/* Zeroed memory of SIZE bytes from the arena (aborts on out of memory). */
void *ast_alloc(struct ast_arena *a, size_t size);
/* Free every node of PLAN. */
void ast_plan_free(struct ast_plan *plan);
/* Append DECL to PLAN. */
void ast_plan_append(struct ast_plan *plan, struct ast_decl *decl);

#endif
