/* SPDX-License-Identifier: GPL-2.0-or-later */
/* sema-int.h - state of the semantic pass, shared by its files (private to engine/). */
#ifndef UPSPLAN_SEMA_INT_H
#define UPSPLAN_SEMA_INT_H

#include <stdint.h>


#include "engine/regex.h"
#include "engine/codegen.h"
#include "base/buf.h"
#include "base/diag.h"
#include "engine/sema.h"
#include "engine/symtab.h"
#include "grammar/ast.h"

#define SEMA_NONE UINT32_MAX

/*
 * A text with its messages substituted: one message used alone is
 * borrowed from it (with its template), anything else is built.
 */
struct sema_text {
	const char *p;		/* NUL-terminated; NULL: over a bound (reported), nothing to compile */
	size_t len;
	char *own;		/* p when built (to free), NULL when borrowed */
	uint32_t tpl;		/* the message's template when borrowed, else IMG_NONE */
};

struct sema_msg {
	src_span name;		/* len 0: built-in (hostname) */
	struct sema_text text;	/* expanded; its tpl is set once generated */
};

struct sema_group {
	src_span name;
	const struct ast_text *host;	/* NULL: localhost */
	long port;
	char *certfile;			/* resolved path, owned; NULL: none */
	src_span certfile_span;
	int tls_mode;			/* enum img_tls */
	src_span tls_span;		/* the TLS setting, len 0 when none */
	src_span tls_tls_span;		/* the first TLS STARTTLS or DIRECT, len 0 when none (E653) */
	src_span none_span;		/* the first TLS NONE, len 0 when none */
	src_span cert_span;		/* the first CERTFILE, CERTNAME, CLIENTCERT or CLIENTKEY (E652) */
	const char *cert_kw;		/* its keyword */
	const struct ast_text *certname;	/* CERTNAME, NULL: the host */
	char *clientcert, *clientkey;	/* resolved paths, owned; NULL: none */
	src_span clientkey_span;
	long minsupplies;
	src_span minsupplies_span;
	long powerval_sum;
	uint32_t first_secondary;	/* UPS index, or SEMA_NONE */
	uint32_t when_first, when_end;	/* its WHEN clauses: a range of sema.whenv */
	uint32_t ups_first, ups_end;	/* its UPS: a range of sema.upsv (ups_end 0: none) */
	unsigned has_none_lb : 1, has_comm_nocomm : 1, has_none_fsd : 1;
};

struct sema_ups {
	src_span name;
	uint32_t group;
	const struct ast_text *host;
	long port;
	int lb[3];
	src_span lb_span[3];	/* len 0: default */
	/* for code generation only (when sema.cg is set) */
	const struct ast_monitor *mon;
	char *password;		/* resolved, owned */
	uint32_t powerval, type;	/* enum img_type */
	src_span primary;	/* its TYPE word when primary or master, else len 0 (also without code generation) */
};

struct sema_timer {
	/* offsets of the first STARTTIMER, TIMEOUT clause and CANCELTIMER naming it (0: none) */
	uint32_t start, timeout, cancel;
	uint32_t running;	/* offset of the first IF RUNNING naming it (0: none) */
	uint32_t len;		/* length of the name */
};

/* A mark name (MARK name): offsets of its first MARK and of its first MARKED or POWERVAL WITHOUT (0: none). */
struct sema_mark {
	uint32_t set, read;
	uint32_t len;		/* length of the name */
};

/* 12 bytes: a 10,000-UPS plan has 200,000 WHEN clauses */
struct sema_when {
	uint32_t group : 30, shutdown : 1, reports : 1;
	uint32_t timer;		/* TIMEOUT clause: its timer, else SEMA_NONE */
	uint32_t starts_begin;	/* its STARTTIMERs: sema.starts[starts_begin .. next clause's begin) */
};

struct sema_mon {
	const struct ast_decl *decl;
	uint32_t group;		/* index of its group in sema.groupv */
	src_span group_name;
	uint32_t next;		/* next MONITOR of the same name, or SEMA_NONE */
};

/* A WHEN GROUP g or WHEN /pattern/ clause, expanded when the pass is over (sema-multi.c). */
struct sema_multi {
	const struct ast_decl *decl;
	uint32_t group;		/* the group it is written in */
	uint32_t clause;	/* its shared clause in the code generator, or SEMA_NONE */
	uint32_t level;		/* a BECOMES clause: its shared level rule in the code generator, or SEMA_NONE */
	struct rx *re;	/* the compiled pattern (engine/regex.h); NULL for a group */
};

#define SEMA_VEC(type) struct { type *v; size_t n, cap; }

/* A SETFSD of a UPS monitored as primary, for W630 once the shutdown paths are known. */
struct sema_fsd {
	src_span name;		/* the UPS name after SETFSD */
	uint32_t when;		/* its clause, in sema.whenv */
	uint32_t ups;		/* in sema.upsv */
};

/* A BECOMES clause, for the CEASES clauses that repeat its condition (sema-level.c). */
struct sema_level {
	const struct ast_expr *expr;
	const struct ast_decl *decl;	/* the BECOMES clause: its target (a UPS, GROUP g or /pattern/) */
	uint32_t group, ups;	/* ups: in the group's group_ups, or SEMA_NONE (E430, or a group or pattern) */
	uint32_t rule;		/* its level rule in the code generator, or SEMA_NONE */
	uint32_t ceases;	/* offset of its first CEASES clause's WHEN plus one, 0: none yet */
};

/* An ALERTMANAGER that passed its checks. */
struct sema_amgr {
	src_span url;			/* its URL without trailing slashes */
	const struct ast_decl *decl;
};

#define SEMA_PW_FILES 16	/* files checked for W610: more would each cost a stat */

struct sema {
	const struct src_registry *reg;
	const struct src_file *file;
	struct diag_queue *dq;
	const struct sema_options *opt;

	struct symtab msgs, all_lets, groups, timers, all_monitors, marks;
	struct symtab lets_ci;	/* message names in lower case, for W631 (keys in lets_ci_keys) */
	char *lets_ci_keys;
	struct symtab *group_ups;	/* per group: UPS name -> UPS index */
	SEMA_VEC(struct sema_msg) msgv;
	SEMA_VEC(struct sema_group) groupv;
	SEMA_VEC(struct sema_ups) upsv;
	SEMA_VEC(struct sema_timer) timerv;
	SEMA_VEC(struct sema_mark) markv;
	SEMA_VEC(struct sema_when) whenv;
	SEMA_VEC(uint32_t) starts;
	SEMA_VEC(struct sema_multi) multiv;
	/* pre-pass, for E430 notes: every MONITOR, chained by UPS name */
	SEMA_VEC(struct sema_mon) monitor_decls;
	SEMA_VEC(struct sema_fsd) fsdv;
	SEMA_VEC(struct sema_level) levelv;
	/* alerts and hooks (sema-alert.c) */
	SEMA_VEC(struct sema_amgr) amgrv;
	SEMA_VEC(src_span) resolvev;	/* the names of the RESOLVEs, checked at the end (W727) */
	struct symtab alerts;		/* names the ALERTs raise -> offset of the first */
	struct symtab cstrs;		/* constant strings -> index of the image's cstrs */
	src_span first_alert;		/* the keyword of the first ALERT or RESOLVE, length 0: none */
	int amgr_declared;		/* an ALERTMANAGER was written (with or without an error) */
	const struct ast_decl *alert_rule;	/* the WHEN ALERT rule being checked, NULL: none */
	struct symtab arules;		/* alert names of WHEN ALERT -> index of the image's arules */

	uint32_t cur_group, cur_ups;
	src_span first_group_elem;	/* len 0: none yet */
	int has_first_group_elem;
	int has_passwords;
	/* W610: the files that hold a PASSWORD (the plan, or a file it includes) */
	const struct src_file *pw_files[SEMA_PW_FILES];
	size_t npw_files;
	uint64_t text_work;	/* bytes of text built so far (IMG_MAX_TEXT_WORK) */
	uint64_t tables;	/* most bytes sema_gen_finish() will add to the image (IMG_MAX_SIZE) */
	int over;		/* a bound of the whole plan was crossed (E592): stop */
	uint64_t suggest_work;	/* spent of SEMA_SUGGEST_WORK */

	/* code generation: NULL when only checking */
	struct cg *cg;
	struct plan_image *img;	/* the image codegen fills (the caller's, or a scratch one) */
	int in_clause;		/* the current WHEN clause compiles */
	int cond_bad;		/* the IF of the current action has an error */
	double pollfreq, pollfreqalert;
	double shutdown_exit;	/* img_settings' */
	char *smtp_server, *smtp_user, *smtp_password;	/* resolved, owned */
	long smtp_port;
};

/* Grow a SEMA_VEC by one element and return a pointer to it (zeroed). */
#define SEMA_PUSH(s, vec) \
	((vec).v = xgrow((vec).v, &(vec).cap, (vec).n + 1, sizeof(*(vec).v)), \
	 memset(&(vec).v[(vec).n], 0, sizeof(*(vec).v)), &(vec).v[(vec).n++])


/* Bytes of SPAN. */
static inline const char *sema_bytes(const struct sema *s, src_span sp)
{
	return src_bytes(s->reg, sp);
}

/* sema-text.c: numbers, hosts, texts and substitutions */
int sema_number(struct sema *s, src_span sp, double *out);
int sema_integer(struct sema *s, src_span sp, const char *what, long min, long max, long *out);
/* the longest duration written with units (about 31 years): any timer or hold of a plan is far shorter */
#define SEMA_DURATION_MAX 1e9
/* SHUTDOWNEXIT delays above this are W911 */
#define SEMA_SHUTDOWNEXIT_LONG 3600
/*
 * The seconds of SP, a NUMBER or a DURATION token (2m, 1h30m, 1.5s) after
 * the keyword WHAT, into *OUT: 0, or -1 after an error at the token (E330
 * for a plain number, as sema_number(); E335 malformed, E336 above MAX
 * seconds, for units) when REPORT, silently otherwise (code generation
 * reads again what the checks read).  A plain number keeps the rules of
 * UPSmon.py's numbers: no upper bound.  The one reader of durations: every
 * place that takes seconds uses it.
 */
int sema_duration(struct sema *s, src_span sp, const char *what, double max, int report, double *out);
void sema_check_host(struct sema *s, const struct ast_text *t, const char *kw);
void sema_check_subst(struct sema *s, src_span content, const char *where);
/*
 * E871 at each part of T (the text of the action KW, SHELLCMD or
 * SHUTDOWNCMD) that renders a %(var:NAME)s, in its own text or its
 * message's.  0 when none does.
 */
int sema_command_vars(struct sema *s, const struct ast_text *t, const char *kw);
/*
 * Offset of the first %(var:NAME)s in the LEN bytes at P (%% skipped), and
 * with UPS of the first %(u)s or %(c)s too (what reads the UPS of the run), or -1.
 */
long sema_find_ups_subst(const char *p, size_t len, int ups);
/* The first byte of the LEN bytes at P that no NUT variable name holds (sema-cond.c), or -1. */
long sema_var_bad(const char *p, size_t len);
/*
 * Resolve the text parts T (joined by SEP) into OUT, checking their %
 * substitutions when CHECK_SUBST: each part alone (1), or the joined text
 * (SEMA_SUBST_JOINED, as UPSmon.py checks a LET); WHAT names the text in E591 ("message
 * 'x'").  Returns 0, or -1 with OUT->p NULL when the text is over a bound
 * (E591, E592 reported here, or a message over IMG_MAX_TEXT used in it).
 */
#define SEMA_SUBST_JOINED 2
int sema_resolve_texts(struct sema *s, const struct ast_text *t, const char *sep,
		       int check_subst, const char *what, struct sema_text *out);
void sema_text_free(struct sema_text *t);
/* Count LEN more bytes of text read through at AT: E592 past IMG_MAX_TEXT_WORK; 0 while within it. */
int sema_work(struct sema *s, size_t len, src_span at);
/* Resolve a value (SMTP field, password): no %% check; owned result ("" when over a bound). */
char *sema_resolve_value(struct sema *s, const struct ast_text *t, size_t *lenp);
char *sema_resolve_one(struct sema *s, const struct ast_text *t, size_t *lenp);
/*
 * The name of T closest to KEY (LEN bytes), for a "did you mean" note, or
 * NULL; *VLEN its length.  The search of each note is linear in T, so all
 * of them share a budget of SEMA_SUGGEST_WORK table slots and cells of
 * the edit distance: past it, notes name no closest name.
 */
#ifndef SEMA_SUGGEST_WORK
#define SEMA_SUGGEST_WORK (1u << 24)
#endif
const char *sema_closest(struct sema *s, const struct symtab *t, const char *key, size_t len,
			 uint32_t *vlen);

/* sema-multi.c: WHEN GROUP g and WHEN /pattern/ */
/* Check the group or pattern of clause D (E431, E433, E434) and record it; 0 when it can compile. */
int sema_multi_begin(struct sema *s, const struct ast_decl *d);
/* Expand every recorded clause over the UPS of its group (E432), binding its shared code to each. */
void sema_multi_finish(struct sema *s);
void sema_multi_free(struct sema *s);

/* sema-flow.c: whole-plan checks after the pass */
void sema_flow_checks(struct sema *s);

/* The timer NAME, declared by its first use. */
uint32_t sema_timer(struct sema *s, src_span name);
/* The mark NAME, declared by its first use; SEMA_NONE past IMG_MAX_MARKS names (E810 reported). */
uint32_t sema_mark(struct sema *s, src_span name);
/* The UPS index that MARKED's UPS NAME reads (its group's, else the one other group's), or SEMA_NONE (E812, E901 when REPORT). */
uint32_t sema_marked_ups(struct sema *s, src_span name, int report);
/* Notes on an invalid event pair FROM->TO at AT: the valid pairs near it. */
void sema_pair_hint(struct sema *s, struct diag_record *r, src_span at, int from, int to);
/* Check the IF condition C (sema-cond.c); 0 when it can be compiled. */
int sema_cond_check(struct sema *s, const struct ast_cond *c);
/* Report (CODE) a UPS name that is not monitored in the current group, with the likely cause; WHAT ends the message. */
void sema_unknown_ups(struct sema *s, enum diag_code code, src_span name, const char *what);
/*
 * The UPS NAME of NUMLOGINS ups and SETFSD ups: one of the rule's group, else
 * the one that a MONITOR of another group declared before it; -1 when there
 * is none.  *OTHERS counts the other groups that declare it (more than one:
 * ambiguous, E901), when OTHERS is not NULL.
 */
int64_t sema_plan_ups(struct sema *s, src_span name, unsigned *others);
/* sema_plan_ups() with its errors: CODE (none, WHAT ends the message) or E901; -1 then. */
int64_t sema_plan_ups_check(struct sema *s, src_span name, enum diag_code code, const char *what);
/* Emit the code of the checked expression X, its value left on the stack. */
void sema_expr_gen(struct sema *s, const struct ast_expr *x);

/* sema-level.c: WHEN ups BECOMES <condition> [FOR <duration>], WHEN ups CEASES <condition> */
/* Check level clause D and start its code (s->in_clause when its actions compile); 0 when it is valid. */
int sema_level_begin(struct sema *s, const struct ast_decl *d);
/* Emit the code of the checked condition C: the next action runs only when it holds. */
void sema_cond_gen(struct sema *s, const struct ast_cond *c);

/* sema.c: the plan holds a password (a MONITOR's, SMTP's, an Alertmanager's) in the file of SPAN (W610) */
void sema_password_at(struct sema *s, src_span span);

/* sema-alert.c: ALERTMANAGER, ALERT, RESOLVE, HOOKS */
/* Check ALERTMANAGER D (E720-E724) and keep it for the image. */
void sema_amgr(struct sema *s, const struct ast_decl *d);
/* Check and compile action A (ALERT, RESOLVE, HOOKS). */
void sema_alert_action(struct sema *s, const struct ast_action *a);
/* Index of the constant string of the LEN bytes at P (OPK_STR), which must outlive the pass. */
uint32_t sema_cstr(struct sema *s, const char *p, size_t len);
/* The checks of the whole plan (E726, W727), and the Alertmanagers into the image. */
void sema_alert_finish(struct sema *s);
void sema_alert_free(struct sema *s);
/* Start WHEN ALERT rule D (E725; s->alert_rule, its code); its actions follow. */
void sema_alert_rule_begin(struct sema *s, const struct ast_decl *d);
/* E729 for what action A of a WHEN ALERT rule reads of the UPS of the run; -1 then (A is not compiled). */
int sema_alert_rule_action(struct sema *s, const struct ast_action *a);

/* sema-gen.c: code generation from the checked declarations */
void sema_gen_when_begin(struct sema *s, const struct ast_decl *d, uint32_t timer);
void sema_gen_action(struct sema *s, const struct ast_action *a, const struct sema_text *t);
void sema_gen_email(struct sema *s, const struct ast_action *a, const char *const f[3], const size_t n[3],
		    const struct sema_text *msg);
void sema_gen_message(struct sema *s, struct sema_msg *m);
/* Check that a SHUTDOWNCMD text splits into arguments (E520); 0 when it does. */
int sema_shutdown_argv(struct sema *s, const struct ast_action *a, const char *text, size_t len);
/* E592 at AT, the declaration just checked, when the image would be over IMG_MAX_SIZE. */
void sema_gen_check_size(struct sema *s, src_span at);
void sema_gen_finish(struct sema *s);

#endif
