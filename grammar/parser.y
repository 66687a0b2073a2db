/* parser.y - pure bison grammar of UPSmon.conf (UPSmon.py 1.3 EBNF), building the AST. */
%code top {
#include "config.h"
}

%code requires {
#include "grammar/ast.h"
#include "grammar/source.h"
struct parse_ctx;
typedef void *yyscan_t;
}

%code provides {
int yylex(YYSTYPE *lvalp, YYLTYPE *llocp, yyscan_t scanner);
}

%code {
#include <stdio.h>
#include <string.h>

#include "grammar/parse-int.h"

static void yyerror(YYLTYPE *loc, yyscan_t scanner, struct parse_ctx *pc, const char *msg);

#define NEW(type) ((type *)ast_alloc(&pc->plan->arena, sizeof(type)))

static struct ast_decl *mkdecl(struct parse_ctx *pc, int kind, src_span kw)
{
	struct ast_decl *d = NEW(struct ast_decl);
	d->kind = (uint8_t)kind;
	d->kw = kw;
	return d;
}

static struct ast_text *mktext(struct parse_ctx *pc, int kind, int style, src_span span)
{
	struct ast_text *t = NEW(struct ast_text);
	t->kind = (uint8_t)kind;
	t->style = (uint8_t)style;
	t->span = span;
	return t;
}

/* Span from the start of A to the end of B. */
static src_span join(src_span a, src_span b)
{
	return (src_span){ a.off, b.off + b.len - a.off };
}
}

%define api.pure full
%define api.location.type {src_span}
%define parse.error detailed
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
	struct ast_text *text;
	struct { struct ast_text *first, *last; } texts;
	struct ast_action *action;
	struct { struct ast_action *first, *last; } actions;
	struct { int has; int from, to; src_span span; } cond;
	struct ast_decl *decl;
}

%token APCUPSDUSER "APCUPSDUSER" CANCELTIMER "CANCELTIMER" CERTFILE "CERTFILE"
%token DEBUG "DEBUG" EMAIL "EMAIL" EPRINT "EPRINT" FROM "FROM" GROUP "GROUP"
%token HOST "HOST" IF "IF" LET "LET" MESSAGE "MESSAGE"
%token MINSUPPLIES "MINSUPPLIES" MONITOR "MONITOR" NOTIFY "NOTIFY"
%token NUTLOG "NUTLOG" PASSWORD "PASSWORD" POLLFREQ "POLLFREQ"
%token POLLFREQALERT "POLLFREQALERT" PORT "PORT" POWERVAL "POWERVAL"
%token PRINT "PRINT" REPORTS "REPORTS" SETFSD "SETFSD" SHELLCMD "SHELLCMD"
%token SHUTDOWNCMD "SHUTDOWNCMD" SHUTDOWN "SHUTDOWN" SMTPSERVER "SMTPSERVER"
%token STARTTIMER "STARTTIMER" SUBJECT "SUBJECT" SYSLOG "SYSLOG"
%token TIMEOUT "TIMEOUT" TO "TO" TYPE "TYPE" UPSDUSER "UPSDUSER" USER "USER"
%token WALL "WALL" WHEN "WHEN"
%token RARR "'->'" COLON "':'" EQ "'='"
%token NAME "name" NUMBER "number" HOSTWORD "host address"
%token <status> STATUS "status word"
%token QUOTETEXT1 "'text'" QUOTETEXT2 "\"text\"" QUOTETEXT3 "«text»"
%token QUOTETEXT4 "⎡text⎦" QUOTETEXT5 "⸢text⸥"

%type <text> quotetext text hostvalue certvalue
%type <texts> texts
%type <action> action act
%type <actions> actions
%type <cond> cond
%type <decl> decl smtp let monitor when
%type <flag> userkw textkw timeoutkw

%%

plan
	: decls
	;

decls
	: %empty
	| decls decl			{ ast_plan_append(pc->plan, $2); }
	| decls error
	;

decl
	: smtp
	| let
	| POLLFREQ NUMBER		{ $$ = mkdecl(pc, AST_DECL_POLLFREQ, @1); $$->u.num = @2; }
	| POLLFREQALERT NUMBER		{ $$ = mkdecl(pc, AST_DECL_POLLFREQALERT, @1); $$->u.num = @2; }
	| GROUP NAME			{ $$ = mkdecl(pc, AST_DECL_GROUP, @1); $$->u.name = @2; }
	| HOST hostvalue		{ $$ = mkdecl(pc, AST_DECL_HOST, @1); $$->u.text = $2; }
	| PORT NUMBER			{ $$ = mkdecl(pc, AST_DECL_PORT, @1); $$->u.num = @2; }
	| CERTFILE certvalue		{ $$ = mkdecl(pc, AST_DECL_CERTFILE, @1); $$->u.text = $2; }
	| monitor
	| MINSUPPLIES NUMBER		{ $$ = mkdecl(pc, AST_DECL_MINSUPPLIES, @1); $$->u.num = @2; }
	| when
	;

smtp
	: SMTPSERVER quotetext PORT NUMBER USER quotetext PASSWORD quotetext
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
	: LET NAME EQ texts
		{
			$$ = mkdecl(pc, AST_DECL_LET, @1);
			$$->u.let.name = @2;
			$$->u.let.texts = $4.first;
		}
	;

monitor
	: MONITOR NAME POWERVAL NUMBER userkw NAME PASSWORD quotetext TYPE NAME
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

userkw
	: UPSDUSER			{ $$ = 0; }
	| APCUPSDUSER			{ $$ = 1; }
	;

when
	: WHEN NAME REPORTS STATUS RARR STATUS COLON actions
		{
			struct ast_when *w = NEW(struct ast_when);
			$$ = mkdecl(pc, AST_DECL_WHEN, @1);
			w->ups = @2;
			w->event = join(@4, @6);
			w->from = (uint8_t)$4;
			w->to = (uint8_t)$6;
			w->actions = $8.first;
			$$->u.when = w;
		}
	| WHEN NAME timeoutkw NAME COLON actions
		{
			struct ast_when *w = NEW(struct ast_when);
			$$ = mkdecl(pc, AST_DECL_WHEN, @1);
			w->ups = @2;
			w->event = @4;
			w->timeout = 1;
			w->to_synonym = (uint8_t)$3;
			w->actions = $6.first;
			$$->u.when = w;
		}
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
	: cond act
		{
			$$ = $2;
			if ($1.has) {
				$$->has_cond = 1;
				$$->cond_from = (uint8_t)$1.from;
				$$->cond_to = (uint8_t)$1.to;
				$$->cond = $1.span;
			}
		}
	;

cond
	: %empty			{ $$.has = 0; $$.from = $$.to = 0; $$.span = @$; }
	| IF STATUS RARR STATUS		{ $$.has = 1; $$.from = $2; $$.to = $4; $$.span = @$; }
	;

act
	: CANCELTIMER NAME
		{
			$$ = NEW(struct ast_action);
			$$->kind = AST_ACT_CANCELTIMER;
			$$->kw = @1;
			$$->u.arg.name = @2;
		}
	| DEBUG NUMBER
		{
			$$ = NEW(struct ast_action);
			$$->kind = AST_ACT_DEBUG;
			$$->kw = @1;
			$$->u.arg.num = @2;
		}
	| EMAIL FROM quotetext TO quotetext SUBJECT quotetext MESSAGE texts
		{
			struct ast_email *e = NEW(struct ast_email);
			$$ = NEW(struct ast_action);
			$$->kind = AST_ACT_EMAIL;
			$$->kw = @1;
			e->from_kw = @2;
			e->from = $3;
			e->to_kw = @4;
			e->to = $5;
			e->subject_kw = @6;
			e->subject = $7;
			e->message_kw = @8;
			e->message = $9.first;
			$$->u.email = e;
		}
	| STARTTIMER NAME NUMBER
		{
			$$ = NEW(struct ast_action);
			$$->kind = AST_ACT_STARTTIMER;
			$$->kw = @1;
			$$->u.arg.name = @2;
			$$->u.arg.num = @3;
		}
	| SETFSD NAME
		{
			$$ = NEW(struct ast_action);
			$$->kind = AST_ACT_SETFSD;
			$$->kw = @1;
			$$->u.arg.name = @2;
		}
	| textkw texts
		{
			$$ = NEW(struct ast_action);
			$$->kind = (uint8_t)($1 & 0xff);
			$$->synonym = (uint8_t)($1 >> 8);
			$$->kw = @1;
			$$->u.texts = $2.first;
		}
	;

textkw
	: EPRINT			{ $$ = AST_ACT_EPRINT; }
	| NOTIFY			{ $$ = AST_ACT_NOTIFY; }
	| NUTLOG			{ $$ = AST_ACT_NUTLOG; }
	| PRINT				{ $$ = AST_ACT_PRINT; }
	| SHELLCMD			{ $$ = AST_ACT_SHELLCMD; }
	| SHUTDOWNCMD			{ $$ = AST_ACT_SHUTDOWNCMD; }
	| SHUTDOWN			{ $$ = AST_ACT_SHUTDOWNCMD | 0x100; }
	| SYSLOG			{ $$ = AST_ACT_SYSLOG; }
	| WALL				{ $$ = AST_ACT_WALL; }
	;

texts
	: text				{ $$.first = $$.last = $1; }
	| texts text			{ $$ = $1; $$.last->next = $2; $$.last = $2; }
	;

text
	: quotetext
	| NAME				{ $$ = mktext(pc, AST_TEXT_NAME, 0, @1); }
	;

quotetext
	: QUOTETEXT1			{ $$ = mktext(pc, AST_TEXT_QUOTED, 1, @1); }
	| QUOTETEXT2			{ $$ = mktext(pc, AST_TEXT_QUOTED, 2, @1); }
	| QUOTETEXT3			{ $$ = mktext(pc, AST_TEXT_QUOTED, 3, @1); }
	| QUOTETEXT4			{ $$ = mktext(pc, AST_TEXT_QUOTED, 4, @1); }
	| QUOTETEXT5			{ $$ = mktext(pc, AST_TEXT_QUOTED, 5, @1); }
	;

hostvalue
	: NAME				{ $$ = mktext(pc, AST_TEXT_HOSTWORD, 0, @1); }
	| HOSTWORD			{ $$ = mktext(pc, AST_TEXT_HOSTWORD, 0, @1); }
	| NUMBER			{ $$ = mktext(pc, AST_TEXT_NUMBER, 0, @1); }
	| quotetext
	;

certvalue
	: quotetext
	| NAME				{ $$ = mktext(pc, AST_TEXT_NAME, 0, @1); }
	;

%%

const char *parse_token_name(int tok)
{
	return yysymbol_name(YYTRANSLATE(tok));
}

/* Report a syntax error, naming the text of the unexpected token. */
static void yyerror(YYLTYPE *loc, yyscan_t scanner, struct parse_ctx *pc, const char *msg)
{
	const char *prefix = "syntax error, ";
	const char *un = strstr(msg, "unexpected ");
	const char *rest;
	(void)scanner;

	pc->nerrors++;
	if (strncmp(msg, prefix, strlen(prefix)) == 0)
		msg += strlen(prefix);
	if (!un || loc->len == 0 || strstr(msg, "end of file")) {
		if (strstr(msg, "end of file"))
			diag_at(pc->dq, DIAG_SYNTAX, *loc, "%s: the last declaration is incomplete", msg);
		else
			diag_at(pc->dq, DIAG_SYNTAX, *loc, "%s", msg);
		return;
	}
	un += strlen("unexpected ");
	rest = strchr(un, ',');
	if (!rest)
		rest = un + strlen(un);
	/* "unexpected name 'TOWR', expecting ':'": show at most 40 bytes of the token */
	diag_at(pc->dq, DIAG_SYNTAX, *loc, "%.*s '%.*s'%s%s",
		(int)(rest - msg - 0), msg,
		(int)(loc->len > 40 ? 40 : loc->len), src_bytes(pc->reg, *loc),
		loc->len > 40 ? "..." : "", rest);
}
