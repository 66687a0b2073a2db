/* SPDX-License-Identifier: GPL-2.0-or-later */
/* parser.y - pure bison grammar of UPSmon.conf (UPSmon.py 1.3 EBNF), building the AST. */
%code top {
#include "config.h"
}

%code requires {
#include "grammar/ast.h"
#include "base/source.h"
struct parse_ctx;
typedef void *yyscan_t;
}

%code provides {
int yylex(YYSTYPE *lvalp, YYLTYPE *llocp, yyscan_t scanner);
}

%code {
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "base/nutname.h"
#include "grammar/parse-int.h"
#include "grammar/suggest.h"

static void yyerror(YYLTYPE *loc, yyscan_t scanner, struct parse_ctx *pc, const char *msg);

/*
 * The scanner, keeping the names of the last run of text tokens (names
 * and quoted texts): a misspelt keyword in it (NUTLOG msg STARTTIMR t 120)
 * is read as text, and the syntax error comes later (at 120), so the
 * error report looks back at them.  A run ends at any other token and is
 * kept until the next one starts.
 */
static int parse_lex(YYSTYPE *lvalp, YYLTYPE *llocp, yyscan_t scanner, struct parse_ctx *pc)
{
	int tok = (yylex)(lvalp, llocp, scanner);
	/* an upsplan-only keyword after a word of a text is read as one more (see "name") */
	int soft = tok != NAME && !pc->run_closed && pc->nrun > 0 &&
		   lex_keyword_soft(src_bytes(pc->reg, *llocp), llocp->len);

	if (!soft && tok != NAME && tok != QUOTETEXT1 && tok != QUOTETEXT2 && tok != QUOTETEXT3 &&
	    tok != QUOTETEXT4 && tok != QUOTETEXT5) {
		pc->run_closed = 1;
		return tok;
	}
	if (pc->run_closed) {
		pc->nrun = 0;
		pc->run_closed = 0;
	}
	if (tok == NAME || soft) {
		if (pc->nrun == PARSE_RUN_MAX) {
			memmove(pc->run, pc->run + 1, (PARSE_RUN_MAX - 1) * sizeof(pc->run[0]));
			pc->nrun--;
		}
		pc->run[pc->nrun++] = *llocp;
	}
	return tok;
}
#define yylex(lvalp, llocp, scanner) parse_lex(lvalp, llocp, scanner, pc)

#define NEW(type) ((type *)ast_alloc(&pc->plan->arena, sizeof(type)))

static struct ast_decl *mkdecl(struct parse_ctx *pc, int kind, src_span kw)
{
	struct ast_decl *d = NEW(struct ast_decl);
	d->kind = (uint8_t)kind;
	d->kw = kw.off;
	return d;
}

static struct ast_text mktext(int kind, int style, src_span span)
{
	struct ast_text t = { NULL, span.off, 0, (unsigned)kind, (unsigned)style };
	/* the lexer reported tokens longer than AST_TEXT_MAX */
	t.len = span.len > AST_TEXT_MAX ? AST_TEXT_MAX : span.len;
	return t;
}

/* Arena copy of text T (for single texts and the second and later parts of lists). */
static struct ast_text *dup_text(struct parse_ctx *pc, const struct ast_text *t)
{
	struct ast_text *n = NEW(struct ast_text);
	*n = *t;
	return n;
}

/* A new action; with the pending IF condition, if any, in the same allocation. */
static struct ast_action *mkaction(struct parse_ctx *pc, int kind, src_span kw)
{
	struct ast_action *a;

	if (pc->cond_pending) {
		struct ast_cond_action *ca = NEW(struct ast_cond_action);
		ca->cond = pc->cond;
		a = &ca->action;
		a->has_cond = 1;
		pc->cond_pending = 0;
	} else {
		a = NEW(struct ast_action);
	}
	a->kind = (uint8_t)kind;
	a->kw = kw.off;
	return a;
}

/*
 * A bare word at SPAN, a later part of a text list: warn when it spells an
 * upsplan-only keyword that could start a declaration or an action (read
 * as text there, see "name"), saying how to write either meaning.
 */
static void soft_text(struct parse_ctx *pc, src_span span)
{
	const char *w = src_bytes(pc->reg, span);
	struct diag_record *r;
	int n = (int)span.len;

	if (!lex_keyword_starts(w, span.len))
		return;
	r = diag_at(pc->dq, DIAG_SOFT_TEXT, span,
		    "%.*s after a text list is one more word of the text, as UPSmon.py reads it, not the keyword %.*s",
		    n, w, n, w);
	diag_note(pc->dq, r, 0, span,
		  "write \"%.*s\" to keep the word in the text; for the keyword, put it where no text list ends "
		  "just before it (a setting before the first WHEN of its group, an action before the text actions "
		  "of its clause)", n, w);
}

/* A condition node of KIND over SPAN. */
static struct ast_expr *mkexpr(struct parse_ctx *pc, int kind, src_span span)
{
	struct ast_expr *x = NEW(struct ast_expr);
	x->kind = (uint8_t)kind;
	x->span = span;
	return x;
}

/* NOT L, or L AND/OR R. */
static struct ast_expr *mkop(struct parse_ctx *pc, int kind, src_span span, struct ast_expr *l, struct ast_expr *r)
{
	struct ast_expr *x = mkexpr(pc, kind, span);
	x->l = l;
	x->r = r;
	return x;
}

/* NUMLOGINS [UPS] OP VALUE over SPAN (UPS of length 0: the clause's own); sema checks the UPS and the value. */
static struct ast_expr *mknumlogins(struct parse_ctx *pc, src_span span, src_span ups, int op, struct ast_text value)
{
	struct ast_expr *x = mkexpr(pc, AST_X_NUMLOGINS, span);
	x->op = (uint8_t)op;
	x->name = ups;
	x->value = value;
	return x;
}

/* MARKED MARK [UPS] (UPS of length 0: the rule's own), or POWERVAL WITHOUT MARK (KIND) over SPAN. */
static struct ast_expr *mkmarked(struct parse_ctx *pc, int kind, src_span span, src_span mark, src_span ups)
{
	struct ast_expr *x = mkexpr(pc, kind, span);
	x->name = mark;
	x->value = mktext(AST_TEXT_NAME, 0, ups);
	return x;
}

/* A term written wrong: E300 at AT with MSG (a format taking the bytes of ARG), and a placeholder term. */
static struct ast_expr *bad_term(struct parse_ctx *pc, src_span at, const char *msg, src_span arg)
{
	diag_at(pc->dq, DIAG_SYNTAX, at, msg, (int)(arg.len > 40 ? 40 : arg.len), src_bytes(pc->reg, arg));
	pc->nerrors++;
	return mkexpr(pc, AST_X_STATE, at);
}

/* A level clause WHEN TARGET (at TSPAN) BECOMES/CEASES EXPR (KIND), HOLD its FOR duration (length 0: none). */
static struct ast_decl *mklevel(struct parse_ctx *pc, src_span kw, int target, src_span tspan, int kind,
				struct ast_expr *expr, src_span hold)
{
	struct ast_level_decl *l = NEW(struct ast_level_decl);
	struct ast_decl *d = &l->decl;

	d->kind = AST_DECL_WHEN;
	d->kw = kw.off;
	d->target = (unsigned)target;
	d->level = (unsigned)kind;
	d->u.when.ups = target == AST_TARGET_GROUP ? pc->target_name : tspan;
	d->u.when.event = hold;
	l->expr = expr;
	return d;
}

/*
 * A quoted UPS name (USER 0) or upsd user name (USER 1) NAME, written as
 * QUOTED: E900 at the first byte that upsd could never serve, saying why
 * (base/nutname.c: the rule the image verifier applies too).  What passes
 * is one plain word of upsd's protocol, never a line.
 */
static void check_nutname(struct parse_ctx *pc, src_span quoted, src_span name, int user)
{
	const char *p = src_bytes(pc->reg, name);
	const char *what = user ? "a upsd user name" : "a UPS name";
	const char *why;
	struct diag_record *r;
	char shown[32];
	size_t i = nutname_bad(p, name.len, user, &why), n;

	if (name.len == 0) {
		r = diag_at(pc->dq, DIAG_NUT_NAME, quoted, "%s cannot be empty", what);
		diag_note(pc->dq, r, 0, quoted, "write the name as %s declares it between [ and ]",
			  user ? "upsd.users" : "ups.conf");
		pc->nerrors++;
		return;
	}
	if (!why)
		return;
	n = p[i] & 0x80 ? src_utf8_seq(p + i, name.len - i) : 1;
	if (p[i] == ' ')
		snprintf(shown, sizeof(shown), "a blank");
	else if ((unsigned char)p[i] < 0x20 || p[i] == 0x7f)
		snprintf(shown, sizeof(shown), "byte 0x%02X", (unsigned char)p[i]);
	else if ((p[i] & 0x80) && n)	/* named too: a control a terminal would act on is shown as ? */
		snprintf(shown, sizeof(shown), "'%.*s' (U+%04X)", (int)n, p + i, (unsigned)src_utf8_cp(p + i, n));
	else
		snprintf(shown, sizeof(shown), "'%.*s'", (int)(n ? n : 1), p + i);
	r = diag_at(pc->dq, DIAG_NUT_NAME, (src_span){ name.off + (uint32_t)i, (uint32_t)(n ? n : 1) },
		    "%s cannot be part of %s: %s", shown, what, why);
	if (p[i] == '@' && !user)
		diag_note(pc->dq, r, 0, quoted, "a MONITOR names the UPS alone: its host and port are its group's "
			  "HOST and PORT (GROUP g HOST upsd.example.com PORT 3493, then MONITOR \"%.*s\")",
			  (int)(i > 40 ? 40 : i), p);
	else
		diag_note(pc->dq, r, 0, quoted, "write the name exactly as %s declares it between [ and ]; "
			  "NUT can serve no name that holds a blank, a control character, a non-ASCII letter or one of \" \\ # =%s",
			  user ? "upsd.users" : "ups.conf", user ? "" : " @ /");
	pc->nerrors++;
}

/* Span from the start of A to the end of B. */
static src_span join(src_span a, src_span b)
{
	return (src_span){ a.off, b.off + b.len - a.off };
}
}

%define api.pure full
%define api.location.type {src_span}
%define parse.error custom
%define parse.lac full
%locations
%param {yyscan_t scanner}
%parse-param {struct parse_ctx *pc}
%expect 0

/*
 * Semantic values point into pc->plan->arena, which ast_plan_free()
 * releases as a whole, also after syntax errors: nodes dropped by error
 * recovery are freed with it, so no %destructor is needed (and none would
 * be correct: freeing one node of an arena is not possible).
 */

%code requires {
#define YYLLOC_DEFAULT(Cur, Rhs, N)					\
	do {								\
		if (N) {						\
			(Cur).off = YYRHSLOC(Rhs, 1).off;		\
			(Cur).len = YYRHSLOC(Rhs, N).off + YYRHSLOC(Rhs, N).len - (Cur).off; \
		} else {						\
			(Cur).off = YYRHSLOC(Rhs, 0).off + YYRHSLOC(Rhs, 0).len; \
			(Cur).len = 0;					\
		}							\
	} while (0)
}

%union {
	int status;
	int flag;
	struct ast_text tval;
	struct ast_text *text;
	struct { struct ast_text head; struct ast_text *tail; } texts;
	struct ast_action *action;
	struct { struct ast_action *first, *last; } actions;
	struct ast_decl *decl;
	struct ast_expr *expr;
}

%token APCUPSDUSER "APCUPSDUSER" CANCELTIMER "CANCELTIMER" CERTFILE "CERTFILE"
%token CERTNAME "CERTNAME" CLIENTCERT "CLIENTCERT" CLIENTKEY "CLIENTKEY" TLS "TLS"
%token DEBUG "DEBUG" EMAIL "EMAIL" EPRINT "EPRINT" FROM "FROM" GROUP "GROUP"
%token HOST "HOST" IF "IF" LET "LET" MESSAGE "MESSAGE"
%token MINSUPPLIES "MINSUPPLIES" MONITOR "MONITOR" NOTIFY "NOTIFY"
%token NUTLOG "NUTLOG" PASSWORD "PASSWORD" POLLFREQ "POLLFREQ"
%token POLLFREQALERT "POLLFREQALERT" PORT "PORT" POWERVAL "POWERVAL"
%token PRINT "PRINT" REPORTS "REPORTS" SETFSD "SETFSD" SHELLCMD "SHELLCMD"
%token SHUTDOWNCMD "SHUTDOWNCMD" SHUTDOWN "SHUTDOWN" SMTPSERVER "SMTPSERVER"
%token STARTTIMER "STARTTIMER" SUBJECT "SUBJECT" SYSLOG "SYSLOG"
%token TIMEOUT "TIMEOUT" TO "TO" TYPE "TYPE" UPSDUSER "UPSDUSER" USER "USER"
%token WALL "WALL" WHEN "WHEN" INCLUDE "INCLUDE" SHUTDOWNEXIT "SHUTDOWNEXIT"
%token AND "AND" OR "OR" NOT "NOT" RUNNING "RUNNING" NUMLOGINS "NUMLOGINS"
%token BECOMES "BECOMES" CEASES "CEASES" FOR "FOR"
%token MARK "MARK" UNMARK "UNMARK" MARKED "MARKED" WITHOUT "WITHOUT"
%token ALERTMANAGER "ALERTMANAGER" ALERT "ALERT" RESOLVE "RESOLVE" HOOKS "HOOKS"
%token CAFILE "CAFILE" BEARER "BEARER" SEVERITY "SEVERITY" FIRING "FIRING" RESOLVED "RESOLVED"
%token LT "'<'" LE "'<='" GT "'>'" GE "'>='" EQEQ "'=='" NE "'!='" MATCH "'=~'"
%token LPAREN "'('" RPAREN "')'"
%token RARR "'->'" COLON "':'" EQ "'='"
%token NAME "name" NUMBER "number" HOSTWORD "host address" RULENAME "<rule file>"
/* a number glued to a lower-case word (2m, 1h30m, 1.5s): a syntax error in UPSmon.py, so no file changes meaning */
%token DURATION "duration"
%token PATTERN "/pattern/"
%token <status> STATUS "status word"
%token QUOTETEXT1 "'text'" QUOTETEXT2 "\"text\"" QUOTETEXT3 "«text»"
%token QUOTETEXT4 "⎡text⎦" QUOTETEXT5 "⸢text⸥"

/*
 * After a text list, an upsplan-only keyword that can start a declaration
 * or an action continues the text (shift, see "name"): TEXTEND, the
 * precedence of the rules that end a text list, is lower than theirs.
 */
%precedence TEXTEND
%precedence SHUTDOWN TLS CERTNAME CLIENTCERT CLIENTKEY INCLUDE SHUTDOWNEXIT MARK UNMARK
%precedence ALERTMANAGER ALERT RESOLVE HOOKS
/* IF conditions: OR binds loosest, then AND, then NOT */
%left OR
%left AND
%precedence NOT

%type <tval> quotetext text alerttext
%type <text> hostvalue certvalue squote password amcafile hooksmsg
%type <flag> alertname alertstate rulealert
%type <texts> texts
%type <action> action act
%type <actions> actions
%type <decl> decl smtp let monitor when amgr
%type <flag> userkw textkw timeoutkw target cmpop
%type <expr> expr term
%type <decl> level

%%

plan
	: decls
	;

decls
	: %empty
	| decls decl			{ if ($2->kind != AST_DECL_INCLUDE) ast_plan_append(pc->plan, $2); }
	| decls error
	;

decl
	: smtp
	| let
	| POLLFREQ seconds		{ $$ = mkdecl(pc, AST_DECL_POLLFREQ, @1); $$->u.num = @2; }
	| POLLFREQALERT seconds		{ $$ = mkdecl(pc, AST_DECL_POLLFREQALERT, @1); $$->u.num = @2; }
	| SHUTDOWNEXIT exitvalue	{ $$ = mkdecl(pc, AST_DECL_SHUTDOWNEXIT, @1); $$->u.num = @2; }
	| GROUP name			{ $$ = mkdecl(pc, AST_DECL_GROUP, @1); $$->u.name = @2; }
	| HOST hostvalue		{ $$ = mkdecl(pc, AST_DECL_HOST, @1); $$->u.text = $2; }
	| PORT NUMBER			{ $$ = mkdecl(pc, AST_DECL_PORT, @1); $$->u.num = @2; }
	| CERTFILE certvalue		{ $$ = mkdecl(pc, AST_DECL_CERTFILE, @1); $$->u.text = $2; }
	| TLS name			{ $$ = mkdecl(pc, AST_DECL_TLS, @1); $$->u.name = @2; }
	| CERTNAME hostvalue		{ $$ = mkdecl(pc, AST_DECL_CERTNAME, @1); $$->u.text = $2; }
	| CLIENTCERT certvalue		{ $$ = mkdecl(pc, AST_DECL_CLIENTCERT, @1); $$->u.text = $2; }
	| CLIENTKEY certvalue		{ $$ = mkdecl(pc, AST_DECL_CLIENTKEY, @1); $$->u.text = $2; }
	| monitor
	| amgr
	| MINSUPPLIES NUMBER		{ $$ = mkdecl(pc, AST_DECL_MINSUPPLIES, @1); $$->u.num = @2; }
	| when
	| INCLUDE includearg
		{
			/* appended before the declarations of the file it reads */
			$$ = mkdecl(pc, AST_DECL_INCLUDE, @1);
			$$->u.name = @2;
			ast_plan_append(pc->plan, $$);
			parse_include(pc, @1, @2);
		}
	;

/* a quoted path, or <name> of a standard rule file */
includearg
	: quotetext			{ (void)$1; }
	| RULENAME
	;

smtp
	: SMTPSERVER squote PORT NUMBER USER squote PASSWORD squote
		{
			$$ = mkdecl(pc, AST_DECL_SMTP, @1);
			$$->u.smtp = NEW(struct ast_smtp);
			$$->u.smtp->server = $2;
			$$->u.smtp->port = @4;
			$$->u.smtp->user = $6;
			$$->u.smtp->password = $8;
		}
	;

let
	: LET name EQ texts %prec TEXTEND
		{
			$$ = mkdecl(pc, AST_DECL_LET, @1);
			$$->u.let.name = @2;
			$$->u.let.text = $4.head;
		}
	;

monitor
	: MONITOR upsname POWERVAL NUMBER userkw username PASSWORD password TYPE name
		{
			struct ast_monitor *m = NEW(struct ast_monitor);
			$$ = mkdecl(pc, AST_DECL_MONITOR, @1);
			m->ups = @2;
			m->powerval = @4;
			m->apcupsduser = (uint8_t)$5;
			m->user = @6;
			m->password = $8;
			m->type = @10;
			$$->u.monitor = m;
		}
	;

/* upsplan only: an Alertmanager that ALERT and RESOLVE send to (a global setting, one per Alertmanager) */
amgr
	: ALERTMANAGER squote amcafile
		{
			$$ = mkdecl(pc, AST_DECL_ALERTMANAGER, @1);
			$$->u.amgr = NEW(struct ast_amgr);
			$$->u.amgr->url = $2;
			$$->u.amgr->cafile = $3;
		}
	| ALERTMANAGER squote amcafile BEARER squote
		{
			$$ = mkdecl(pc, AST_DECL_ALERTMANAGER, @1);
			$$->u.amgr = NEW(struct ast_amgr);
			$$->u.amgr->url = $2;
			$$->u.amgr->cafile = $3;
			$$->u.amgr->bearer = $5;
		}
	| ALERTMANAGER squote amcafile USER squote PASSWORD password
		{
			$$ = mkdecl(pc, AST_DECL_ALERTMANAGER, @1);
			$$->u.amgr = NEW(struct ast_amgr);
			$$->u.amgr->url = $2;
			$$->u.amgr->cafile = $3;
			$$->u.amgr->user = $5;
			$$->u.amgr->password = $7;
		}
	;

amcafile
	: %empty			{ $$ = NULL; }
	| CAFILE squote			{ $$ = $2; }
	;

userkw
	: UPSDUSER			{ $$ = 0; }
	| APCUPSDUSER			{ $$ = 1; }
	;

when
	: WHEN target REPORTS STATUS RARR STATUS COLON actions
		{
			struct ast_when *w;
			$$ = mkdecl(pc, AST_DECL_WHEN, @1);
			w = &$$->u.when;
			w->ups = $2 == AST_TARGET_GROUP ? pc->target_name : @2;
			$$->target = (unsigned)$2;
			w->event = join(@4, @6);
			$$->from = (uint8_t)$4;
			$$->to = (uint8_t)$6;
			w->actions = $8.first;
		}
	| WHEN target timeoutkw name COLON actions
		{
			struct ast_when *w;
			$$ = mkdecl(pc, AST_DECL_WHEN, @1);
			w = &$$->u.when;
			w->ups = $2 == AST_TARGET_GROUP ? pc->target_name : @2;
			$$->target = (unsigned)$2;
			w->event = @4;
			$$->timeout = 1;
			$$->to_synonym = (unsigned)$3;
			w->actions = $6.first;
		}
	| level COLON actions
		{
			$$ = $1;
			$$->u.when.actions = $3.first;
		}
	/* upsplan only: an alert of the Alertmanager starts or ends (UPSmon.py has no WHEN name name) */
	| WHEN ALERT rulealert alertstate COLON actions
		{
			struct ast_when *w;
			$$ = mkdecl(pc, AST_DECL_WHEN, @1);
			w = &$$->u.when;
			w->ups = @3;
			w->event = @4;
			$$->target = AST_TARGET_ALERT;
			$$->from = (uint8_t)$3;
			$$->to = (uint8_t)$4;
			w->actions = $6.first;
		}
	;

/* the alert of WHEN ALERT: a NAME or quoted (WHEN ALERT BECOMES ... is a level rule of the UPS ALERT) */
rulealert
	: NAME				{ $$ = 0; }
	| quotetext			{ $$ = 1; @$ = ast_text_content(&$1); }
	;

alertstate
	: FIRING			{ $$ = 1; }
	| RESOLVED			{ $$ = 0; }
	;

/*
 * Level clauses (upsplan only: UPSmon.py reads only REPORTS, TIMEOUT or TO
 * after the UPS name, so no file of it has these): BECOMES fires once when
 * the condition has held for the FOR duration; CEASES, which repeats the
 * condition of a BECOMES clause, fires when that rule re-arms (the
 * condition false for the duration after it fired).
 */
level
	: WHEN target BECOMES expr hold
		{ $$ = mklevel(pc, @1, $2, @2, AST_LEVEL_BECOMES, $4, @5); }
	| WHEN target CEASES expr
		{ $$ = mklevel(pc, @1, $2, @2, AST_LEVEL_CEASES, $4, (src_span){ @4.off + @4.len, 0 }); }
	;

/* FOR duration: how long the condition must hold; none: it fires at once */
hold
	: %empty
	| FOR seconds			{ @$ = @2; }
	;

/* what a WHEN names: a UPS, GROUP name (its UPS), or /pattern/ (the UPS it matches); upsplan only */
target
	: upsname			{ $$ = AST_TARGET_UPS; }
	| GROUP name			{ $$ = AST_TARGET_GROUP; pc->target_name = @2; }
	| PATTERN			{ $$ = AST_TARGET_PATTERN; }
	;

timeoutkw
	: TIMEOUT			{ $$ = 0; }
	| TO				{ $$ = 1; }
	;

actions
	: action			{ $$.first = $$.last = $1; }
	| actions action		{ $$ = $1; $$.last->next = $2; $$.last = $2; }
	;

action
	: cond act			{ $$ = $2; }
	;

/* the condition waits in pc until mkaction() allocates the action it guards */
cond
	: %empty			{ pc->cond_pending = 0; }
	| IF expr
		{
			pc->cond_pending = 1;
			pc->cond.span = @$;
			pc->cond.expr = $2;
		}
	;

/* UPSmon.py's IF takes only a->b: every other form is a syntax error there */
expr
	: term
	| expr OR expr			{ $$ = mkop(pc, AST_X_OR, @$, $1, $3); }
	| expr AND expr			{ $$ = mkop(pc, AST_X_AND, @$, $1, $3); }
	| NOT expr			{ $$ = mkop(pc, AST_X_NOT, @$, $2, NULL); }
	| LPAREN expr RPAREN		{ $$ = $2; }
	;

term
	: STATUS RARR STATUS
		{
			$$ = mkexpr(pc, AST_X_STATE, @$);
			$$->from = (uint8_t)$1;
			$$->to = (uint8_t)$3;
		}
	| NAME cmpop NUMBER
		{
			$$ = mkexpr(pc, AST_X_CMP, @$);
			$$->op = (uint8_t)$2;
			$$->name = @1;
			$$->value = mktext(AST_TEXT_NUMBER, 0, @3);
		}
	| NAME cmpop quotetext
		{
			$$ = mkexpr(pc, AST_X_CMP, @$);
			$$->op = (uint8_t)$2;
			$$->name = @1;
			$$->value = $3;
		}
	| NAME MATCH quotetext
		{
			$$ = mkexpr(pc, AST_X_MATCH, @$);
			$$->name = @1;
			$$->value = $3;
		}
	| RUNNING name
		{
			$$ = mkexpr(pc, AST_X_RUNNING, @$);
			$$->name = @2;
		}
	/* NUMLOGINS [ups] op n: upsd's count of the clients logged in to the UPS (the clause's own without a name) */
	| NUMLOGINS cmpop NUMBER	{ $$ = mknumlogins(pc, @$, (src_span){ @1.off + @1.len, 0 }, $2, mktext(AST_TEXT_NUMBER, 0, @3)); }
	| NUMLOGINS cmpop quotetext	{ $$ = mknumlogins(pc, @$, (src_span){ @1.off + @1.len, 0 }, $2, $3); }
	| NUMLOGINS upsname cmpop NUMBER	{ $$ = mknumlogins(pc, @$, @2, $3, mktext(AST_TEXT_NUMBER, 0, @4)); }
	| NUMLOGINS upsname cmpop quotetext	{ $$ = mknumlogins(pc, @$, @2, $3, $4); }
	/*
	 * MARKED mark [UPS]: the rule's UPS (or the named one) carries the mark;
	 * the UPS is a plain NAME or a quoted NUT name ("1500va"), so that
	 * MARKED m followed by an action keyword (SHUTDOWN, MARK: soft
	 * keywords) stays an action.
	 */
	| MARKED name			{ $$ = mkmarked(pc, AST_X_MARKED, @$, @2, (src_span){ @2.off + @2.len, 0 }); }
	| MARKED name NAME		{ $$ = mkmarked(pc, AST_X_MARKED, @$, @2, @3); }
	| MARKED name quotetext
		{
			src_span u = ast_text_content(&$3);
			check_nutname(pc, @3, u, 0);
			$$ = mkmarked(pc, AST_X_MARKED, @$, @2, u);
		}
	/* POWERVAL WITHOUT mark op n: the POWERVAL of every UPS of the plan without the mark, summed */
	| POWERVAL WITHOUT name cmpop NUMBER
		{
			$$ = mkmarked(pc, AST_X_PVWITHOUT, @$, @3, (src_span){ @3.off + @3.len, 0 });
			$$->op = (uint8_t)$4;
			$$->value = mktext(AST_TEXT_NUMBER, 0, @5);
		}
	/* likely slips, each reported as a syntax error that says how to write it */
	| NAME RARR STATUS		{ $$ = bad_term(pc, @1, "'%.*s' is not a status word: a->b takes two status words (OL->OB)", @1); }
	| STATUS RARR NAME		{ $$ = bad_term(pc, @3, "'%.*s' is not a status word: a->b takes two status words (OL->OB)", @3); }
	| NAME cmpop name
		{ $$ = bad_term(pc, @3, "a comparison takes a number or a quoted text: write \"%.*s\"", @3); }
	| NAME cmpop STATUS
		{ $$ = bad_term(pc, @3, "a comparison takes a number or a quoted text: write \"%.*s\"", @3); }
	| NAME MATCH name
		{ $$ = bad_term(pc, @3, "a pattern is a quoted text: write \"%.*s\"", @3); }
	| NAME MATCH STATUS
		{ $$ = bad_term(pc, @3, "a pattern is a quoted text: write \"%.*s\"", @3); }
	;

cmpop
	: LT				{ $$ = AST_LT; }
	| LE				{ $$ = AST_LE; }
	| GT				{ $$ = AST_GT; }
	| GE				{ $$ = AST_GE; }
	| EQEQ				{ $$ = AST_EQ; }
	| NE				{ $$ = AST_NE; }
	;

act
	: CANCELTIMER name
		{
			$$ = mkaction(pc, AST_ACT_CANCELTIMER, @1);
			$$->u.arg.name = @2;
		}
	| DEBUG NUMBER
		{
			$$ = mkaction(pc, AST_ACT_DEBUG, @1);
			$$->u.arg.num = @2;
		}
	| EMAIL FROM squote TO squote SUBJECT squote MESSAGE texts %prec TEXTEND
		{
			struct ast_email *e = NEW(struct ast_email);
			$$ = mkaction(pc, AST_ACT_EMAIL, @1);
			e->from_kw = @2;
			e->from = $3;
			e->to_kw = @4;
			e->to = $5;
			e->subject_kw = @6;
			e->subject = $7;
			e->message_kw = @8;
			e->message = $9.head;
			$$->u.email = e;
		}
	| STARTTIMER name seconds
		{
			$$ = mkaction(pc, AST_ACT_STARTTIMER, @1);
			$$->u.arg.name = @2;
			$$->u.arg.num = @3;
		}
	| SETFSD upsname
		{
			$$ = mkaction(pc, AST_ACT_SETFSD, @1);
			$$->u.arg.name = @2;
		}
	/* upsplan only: set or clear a mark of the rule's UPS */
	| MARK name
		{
			$$ = mkaction(pc, AST_ACT_MARK, @1);
			$$->u.arg.name = @2;
		}
	| UNMARK name
		{
			$$ = mkaction(pc, AST_ACT_UNMARK, @1);
			$$->u.arg.name = @2;
		}
	/* upsplan only: an alert to the Alertmanagers, its end, the hooks of a directory */
	| ALERT alertname alertsev alerttext
		{
			struct ast_alert *al = NEW(struct ast_alert);
			$$ = mkaction(pc, AST_ACT_ALERT, @1);
			al->name = @2;
			al->quoted = (uint8_t)$2;
			al->severity = pc->severity;
			al->text = $4;
			$$->u.alert = al;
		}
	| RESOLVE alertname
		{
			struct ast_alert *al = NEW(struct ast_alert);
			$$ = mkaction(pc, AST_ACT_RESOLVE, @1);
			al->name = @2;
			al->quoted = (uint8_t)$2;
			$$->u.alert = al;
		}
	| HOOKS quotetext hooksmsg
		{
			struct ast_alert *al = NEW(struct ast_alert);
			$$ = mkaction(pc, AST_ACT_HOOKS, @1);
			al->text = $2;
			al->message = $3;
			$$->u.alert = al;
		}
	| textkw texts %prec TEXTEND
		{
			$$ = mkaction(pc, $1 & 0xff, @1);
			$$->synonym = (uint8_t)($1 >> 8);
			$$->u.text = $2.head;
		}
	;

/* an alert's name: a name, or quoted (its location: the text between the marks); 1 when quoted */
alertname
	: name				{ $$ = 0; }
	| quotetext			{ $$ = 1; @$ = ast_text_content(&$1); }
	;

/* SEVERITY word, kept in pc until the action is made (length 0: none) */
alertsev
	: %empty			{ pc->severity = (src_span){ @$.off, 0 }; }
	| SEVERITY name			{ pc->severity = @2; }
	;

/* one text: a quoted text or a message name (no text list: nothing after it is swallowed) */
alerttext
	: quotetext
	| NAME				{ $$ = mktext(AST_TEXT_NAME, 0, @1); }
	;

hooksmsg
	: %empty			{ $$ = NULL; }
	| MESSAGE alerttext		{ $$ = dup_text(pc, &$2); }
	;

textkw
	: EPRINT			{ $$ = AST_ACT_EPRINT; }
	| NOTIFY			{ $$ = AST_ACT_NOTIFY; }
	| NUTLOG			{ $$ = AST_ACT_NUTLOG; }
	| PRINT				{ $$ = AST_ACT_PRINT; }
	| SHELLCMD			{ $$ = AST_ACT_SHELLCMD; }
	| SHUTDOWNCMD			{ $$ = AST_ACT_SHUTDOWNCMD; }
	| SHUTDOWN			{ $$ = AST_ACT_SHUTDOWNCMD | 0x100; }	/* the synonym flag: AST_ACT_COUNT < 0x100 */
	| SYSLOG			{ $$ = AST_ACT_SYSLOG; }
	| WALL				{ $$ = AST_ACT_WALL; }
	;

/* the first part stays a value (embedded in its action or LET), later parts are allocated */
texts
	: text				{ $$.head = $1; $$.tail = NULL; }
	| texts text
		{
			struct ast_text *n = dup_text(pc, &$2);
			if ($2.kind == AST_TEXT_NAME)
				soft_text(pc, @2);
			$$ = $1;
			if ($$.tail)
				$$.tail->next = n;
			else
				$$.head.next = n;
			$$.tail = n;
		}
	;

text
	: quotetext
	| name				{ $$ = mktext(AST_TEXT_NAME, 0, @1); }
	;

/*
 * Soft keywords.  A keyword only upsplan has (KW_UPSPLAN in the keyword
 * table of lexer.l) is a NAME to UPSmon.py, so it is a keyword only where
 * it starts a declaration or an action, and a plain name everywhere
 * UPSmon.py reads a name: a group, UPS, user, TYPE, timer or message name,
 * a word of a text list, a CERTFILE value (HOST values: the lexer's HOSTARG
 * state).  After a text list, such a keyword that could start a
 * declaration or an action is read as one more word of the text, as
 * UPSmon.py reads it (shift over reduce, see %precedence), and check warns
 * (W620, soft_text()): a file that UPSmon.py accepts keeps its meaning.
 * A new upsplan keyword: its KW_UPSPLAN row in lexer.l, one line here, and
 * its token in the %precedence line above when it can start a declaration
 * or an action (else bison reports the conflict: %expect 0).
 */
name
	: NAME
	| SHUTDOWN			/* SHUTDOWNCMD's synonym */
	| TLS
	| CERTNAME
	| CLIENTCERT
	| CLIENTKEY
	| AND
	| OR
	| NOT
	| RUNNING
	| NUMLOGINS
	| INCLUDE
	| BECOMES
	| CEASES
	| FOR
	| SHUTDOWNEXIT
	| MARK
	| UNMARK
	| MARKED
	| WITHOUT
	| ALERTMANAGER
	| ALERT
	| RESOLVE
	| HOOKS
	| CAFILE
	| BEARER
	| SEVERITY
	| FIRING
	| RESOLVED
	;

/*
 * A UPS or upsd user name: a name, or a quoted text for a NUT name that is
 * no name here ("1500va"); its location is the text between the quote
 * marks, so the rest of the compiler sees the name itself (sema refuses
 * what upsd could never serve, E900).  upsplan only: a quoted text was a
 * syntax error at each of these places in UPSmon.py.
 */
upsname
	: name
	| quotetext			{ @$ = ast_text_content(&$1); check_nutname(pc, @1, @$, 0); }
	;

/* the user of a MONITOR: as a UPS name, with the characters upsd.users allows */
username
	: name
	| quotetext			{ @$ = ast_text_content(&$1); check_nutname(pc, @1, @$, 1); }
	;

quotetext
	: QUOTETEXT1			{ $$ = mktext(AST_TEXT_QUOTED, 1, @1); }
	| QUOTETEXT2			{ $$ = mktext(AST_TEXT_QUOTED, 2, @1); }
	| QUOTETEXT3			{ $$ = mktext(AST_TEXT_QUOTED, 3, @1); }
	| QUOTETEXT4			{ $$ = mktext(AST_TEXT_QUOTED, 4, @1); }
	| QUOTETEXT5			{ $$ = mktext(AST_TEXT_QUOTED, 5, @1); }
	;

squote
	: quotetext			{ $$ = dup_text(pc, &$1); }
	;

/* an unquoted password is a common slip: say so, and go on */
password
	: squote
	| name
		{
			struct ast_text t = mktext(AST_TEXT_NAME, 0, @1);
			diag_at(pc->dq, DIAG_SYNTAX, @1,
				"PASSWORD needs a quoted text: write PASSWORD \"%.*s\"",
				(int)(@1.len > 40 ? 40 : @1.len), src_bytes(pc->reg, @1));
			pc->nerrors++;
			$$ = dup_text(pc, &t);
		}
	;

hostvalue
	: name		{ struct ast_text t = mktext(AST_TEXT_HOSTWORD, 0, @1); $$ = dup_text(pc, &t); }
	| HOSTWORD	{ struct ast_text t = mktext(AST_TEXT_HOSTWORD, 0, @1); $$ = dup_text(pc, &t); }
	| NUMBER	{ struct ast_text t = mktext(AST_TEXT_NUMBER, 0, @1); $$ = dup_text(pc, &t); }
	| squote
	;

/* seconds: a number, or a duration with units (sema_duration() reads both) */
seconds
	: NUMBER
	| DURATION
	;

/* SHUTDOWNEXIT's value: yes, no or a duration (sema reads the word) */
exitvalue
	: name
	| seconds
	;

certvalue
	: squote
	| name		{ struct ast_text t = mktext(AST_TEXT_NAME, 0, @1); $$ = dup_text(pc, &t); }
	;

%%

const char *parse_token_name(int tok)
{
	return yysymbol_name(YYTRANSLATE(tok));
}

/* Bison's own errors (memory exhausted); syntax errors go to yyreport_syntax_error. */
static void yyerror(YYLTYPE *loc, yyscan_t scanner, struct parse_ctx *pc, const char *msg)
{
	(void)scanner;
	pc->nerrors++;
	diag_at(pc->dq, DIAG_SYNTAX, *loc, "%s", msg);
}

/* Does the token kind NAME spell the token's text (LEN bytes at TEXT): WALL, or ':' for ":"? */
static int parse_names_itself(const char *name, const char *text, size_t len)
{
	size_t n = strlen(name);

	if (n == len + 2 && name[0] == '\'' && name[n - 1] == '\'')
		name++, n -= 2;
	return n == len && memcmp(name, text, len) == 0;
}

/* Most tokens a message lists after "expecting" (bison's own choice: more are not listed). */
#define PARSE_EXPECT_MAX 4

/* Is the token kind TOKEN one the parser accepts at the error (UD: a YYNTOKENS flag array)? */
static int parse_expected(int token, void *ud)
{
	const char *ok = ud;

	return ok[YYTRANSLATE(token)];
}

/* " did you mean X?" or " keywords are upper case: write X" into HINT for the LEN bytes at W; 0 when none. */
static int parse_hint_word(const char *w, size_t len, enum gram_suggest_kind kind, char *ok, char *hint,
			   size_t size, unsigned *dist)
{
	int case_only = 0;
	const char *k = gram_suggest(w, len, kind, parse_expected, ok, &case_only, dist);

	if (!k)
		return 0;
	if (case_only)
		snprintf(hint, size, "; %s are upper case: write %s",
			 kind == GRAM_SUGGEST_STATUS ? "status words" : "keywords", k);
	else
		snprintf(hint, size, "; did you mean %s?", k);
	return 1;
}

/*
 * A misspelt keyword swallowed into the text run before the error (NUTLOG
 * msg STARTTIMR t 120: the error is at 120): the closest such name, and
 * its hint; -1 when none.  Short names (to, if) are too likely text.
 */
static int parse_hint_run(struct parse_ctx *pc, const src_span *loc, char *ok, char *hint, size_t size)
{
	unsigned best = ~0u, d;
	int found = -1;
	char h[128];

	if (!pc->run_closed)
		return -1;
	for (unsigned i = 0; i < pc->nrun; i++) {
		if (pc->run[i].len < 3 || pc->run[i].off >= loc->off)
			continue;
		if (parse_hint_word(src_bytes(pc->reg, pc->run[i]), pc->run[i].len, GRAM_SUGGEST_KEYWORD, ok,
				    h, sizeof(h), &d) && d <= best) {
			best = d;
			found = (int)i;
			snprintf(hint, size, "%s", h);
		}
	}
	return found;
}

/*
 * The N tokens ALL expected at an error, as listed: into EXP (room for
 * PARSE_EXPECT_MAX), their number, 0 when there are more.  Where a name is expected, the upsplan-only keywords that "name"
 * accepts are that name, not listed apart ("expecting name", not
 * "expecting SHUTDOWN or TLS or ... or name"); where they make the list
 * too long, UPSmon.py's tokens are listed alone ("expecting REPORTS or
 * TIMEOUT or TO" after WHEN ups, where BECOMES and CEASES fit too).
 * Where only a name or a quoted text fits (a UPS or user name, the first
 * part of a text), "expecting name or "text"": the five quote styles as one.
 */
static int parse_listed(const yysymbol_kind_t *all, int n, yysymbol_kind_t *exp)
{
	int name = 0, quotes = 0;

	for (int i = 0; i < n; i++) {
		const char *t = yysymbol_name(all[i]);
		int q = all[i] == YYSYMBOL_QUOTETEXT1 || all[i] == YYSYMBOL_QUOTETEXT2 || all[i] == YYSYMBOL_QUOTETEXT3 ||
			all[i] == YYSYMBOL_QUOTETEXT4 || all[i] == YYSYMBOL_QUOTETEXT5;

		name |= all[i] == YYSYMBOL_NAME;
		quotes += q;
		/* a UPS or user name (upsname): a name or a quoted text, and nothing else */
		if (!q && all[i] != YYSYMBOL_NAME && !lex_keyword_soft(t, strlen(t)))
			quotes = -100;
	}
	if (name && quotes == 5) {
		exp[0] = YYSYMBOL_NAME;
		exp[1] = YYSYMBOL_QUOTETEXT2;
		return 2;
	}
	/* too many with the upsplan-only keywords (after WHEN ups: BECOMES, CEASES): UPSmon.py's alone */
	for (int pass = 0; pass < 2; pass++) {
		int m = 0, over = 0;

		for (int i = 0; i < n && !over; i++) {
			const char *t = yysymbol_name(all[i]);

			if ((name || pass) && lex_keyword_soft(t, strlen(t)))
				continue;
			if (m == PARSE_EXPECT_MAX)
				over = 1;
			else
				exp[m++] = all[i];
		}
		if (!over)
			return m;
	}
	return 0;
}

/*
 * Report a syntax error: "unexpected NAME 'text', expecting A or B", the
 * token's own text after its kind unless the kind is the text (a keyword,
 * "unexpected WALL", or a mark, "unexpected ':'"), at most 40 bytes of it; the expected tokens only
 * when there are at most PARSE_EXPECT_MAX.  A hint follows when a word
 * looks like a misspelt keyword or status word: the unexpected name
 * itself where a keyword fits, the word at a status word's place (OL->0B),
 * or a name of the text run before the error, which is then reported at
 * that name (the file is refused either way: the hint only explains).
 */
static int yyreport_syntax_error(const yypcontext_t *ctx, yyscan_t scanner, struct parse_ctx *pc)
{
	yysymbol_kind_t exp[YYNTOKENS], shown[PARSE_EXPECT_MAX], tok = yypcontext_token(ctx);
	const src_span *loc = yypcontext_location(ctx);
	const char *name, *text;
	char expecting[256] = "", hint[160] = "", ok[YYNTOKENS] = { 0 }, what[128];
	unsigned dist;
	int n, all, run = -1;

	pc->nerrors++;
	if (tok == YYSYMBOL_YYEMPTY) {
		diag_at(pc->dq, DIAG_SYNTAX, *loc, "syntax error");
		return 0;
	}
	all = yypcontext_expected_tokens(ctx, exp, YYNTOKENS);
	if (all < 0) {	/* out of memory while looking ahead: as bison's own "memory exhausted" */
		diag_at(pc->dq, DIAG_SYNTAX, *loc, "syntax error; memory exhausted");
		return 2;
	}
	for (int i = 0; i < all; i++)
		if (exp[i] != YYSYMBOL_YYEMPTY)
			ok[exp[i]] = 1;
	n = parse_listed(exp, all, shown);
	for (int i = 0; i < n; i++)
		snprintf(expecting + strlen(expecting), sizeof(expecting) - strlen(expecting), "%s%s",
			 i ? " or " : ", expecting ", yysymbol_name(shown[i]));
	name = yysymbol_name(tok);
	if (tok == YYSYMBOL_YYEOF) {
		diag_at(pc->dq, DIAG_SYNTAX, *loc, "unexpected %s%s: the last declaration is incomplete", name,
			expecting);
		return 0;
	}
	text = src_bytes(pc->reg, *loc);
	if (ok[YYSYMBOL_RULENAME]) {	/* after INCLUDE: INCLUDE <a b>, INCLUDE < a>, INCLUDE <>, INCLUDE alone */
		struct diag_record *r;
		if (tok == YYSYMBOL_LT)
			r = diag_at(pc->dq, DIAG_SYNTAX, *loc,
				    "unexpected '<': INCLUDE <name> is one word between '<' and '>', without blanks");
		else
			r = diag_at(pc->dq, DIAG_SYNTAX, *loc, "unexpected %s: INCLUDE needs the file to include",
				    name);
		diag_note(pc->dq, r, 0, *loc,
			  "write INCLUDE <name> for a standard rule file (e.g. INCLUDE <messages.rules>), or INCLUDE \"file\" for a file of your own");
		return 0;
	}
	if (ok[YYSYMBOL_STATUS] && (tok == YYSYMBOL_NAME || tok == YYSYMBOL_NUMBER)) {
		/* the whole word, also when a digit split it (0B: NUMBER 0, NAME B); the scanner holds the byte after the token */
		char word[40];
		size_t len = 0;
		int c = lex_hold_byte(scanner);

		while (len < loc->len && len < sizeof(word))
			word[len] = text[len], len++;
		for (const char *p = text + loc->len + 1; len < sizeof(word) && (isalnum(c) || c == '_');
		     c = (unsigned char)*p++)
			word[len++] = (char)c;
		parse_hint_word(word, len, GRAM_SUGGEST_STATUS, ok, hint, sizeof(hint), &dist);
	} else if (tok == YYSYMBOL_NAME) {
		parse_hint_word(text, loc->len, GRAM_SUGGEST_KEYWORD, ok, hint, sizeof(hint), &dist);
	} else {
		run = parse_hint_run(pc, loc, ok, hint, sizeof(hint));
	}
	if (loc->len == 0 || parse_names_itself(name, text, loc->len))
		snprintf(what, sizeof(what), "%s", name);
	else
		snprintf(what, sizeof(what), "%s '%.*s'%s", name, (int)(loc->len > 40 ? 40 : loc->len), text,
			 loc->len > 40 ? "..." : "");
	if (run >= 0) {
		src_span w = pc->run[run];
		struct diag_record *r = diag_at(pc->dq, DIAG_SYNTAX, w,
			"'%.*s' is not a keyword, so it was read as a word of the text before it%s",
			(int)w.len, src_bytes(pc->reg, w), hint);
		diag_note(pc->dq, r, 1, *loc, "and then the %s here was unexpected", what);
		return 0;
	}
	diag_at(pc->dq, DIAG_SYNTAX, *loc, "unexpected %s%s%s", what, expecting, hint);
	return 0;
}
