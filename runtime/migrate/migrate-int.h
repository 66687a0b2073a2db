/* SPDX-License-Identifier: GPL-2.0-or-later */
/* migrate-int.h - what migrate read from upsmon.conf and upssched.conf, shared by the reader and the plan writer. */
#ifndef UPSPLAN_MIGRATE_INT_H
#define UPSPLAN_MIGRATE_INT_H

#include "base/buf.h"
#include "base/diag.h"
#include "base/source.h"
#include "runtime/migrate/migrate.h"
#include "runtime/migrate/nutconf.h"

/* NOTIFYFLAG's flags */
#define MG_SYSLOG 1u
#define MG_WALL 2u
#define MG_EXEC 4u
#define MG_IGNORE 8u

/* One notify type of NUT 2.8.x: its stock text, and the event of the plan that fires it (NULL: none). */
struct mg_type {
	const char *name;
	unsigned since;		/* first 2.8.N that has it */
	const char *msg;	/* stock NOTIFYMSG */
	const char *event;	/* REPORTS pair, or NULL (REPLBATT, NOCOMM, SHUTDOWN: the template's own) */
	unsigned char has_rule;	/* the template has a [n:NAME] section or SHUTDOWN's place */
};

extern const struct mg_type mg_types[];
extern const size_t mg_ntypes;

/* A notify type's settings as the file left them. */
struct mg_notify {
	char *msg;		/* NOTIFYMSG, or NULL: the stock text */
	unsigned flags;		/* effective flags */
	const struct nc_line *msg_line, *flag_line;	/* the lines that set them, or NULL */
};

struct mg_ups {
	const char *sys;	/* the system string as written (upsmon's %s, UPSNAME) */
	char *ups, *host;
	char *wups, *wuser;	/* UPS and user as the plan writes them: plain, or in double quotes */
	long port, pv;
	const char *user, *pass;
	int primary;
	const struct nc_line *line;
};

/* An AT line of upssched.conf with the CMDSCRIPT in force there. */
struct mg_at {
	const struct nc_line *line;
	const char *type, *ups, *cmd, *arg1, *arg2;
	const char *cmdscript;
	int used;
};

/* A timer of upssched: the first START-TIMER that starts it gives its TIMEOUT clause. */
struct mg_timer {
	const char *name;
	const struct mg_ups *u;	/* first MONITOR that starts it (its UPS runs the TIMEOUT clause) */
	const char *sys, *type, *cmdscript;
};

/* One action for a notify type: written "IF cond act" (cond may be NULL). */
struct mg_action {
	char *cond, *act;
};

struct mg_actions {
	struct mg_action *v;
	size_t n;
};

struct mg {
	struct src_registry *reg;
	struct diag_queue *dq;
	const struct mg_options *o;
	struct nc_file mon, sched;
	const struct src_file *monsrc, *schedsrc;
	int have_sched, upssched;	/* upssched.conf read; NOTIFYCMD runs upssched */
	/* upsmon.conf's settings (upsmon's values: defaults, atoi, negative ones ignored where upsmon does) */
	long minsupplies, pollfreq, pollfreqalert, hostsync, deadtime, rbwarntime, nocommwarntime, finaldelay;
	long certverify, forcessl;
	const char *shutdowncmd, *notifycmd, *powerdownflag, *run_as_user, *certpath;
	const struct nc_line *l_shutdownexit;	/* SHUTDOWNEXIT no or a delay (yes: the plan's default) */
	long shutdownexit;	/* with it: -1 no, else the delay in seconds */
	const struct nc_line *l_minsupplies, *l_shutdowncmd, *l_notifycmd, *l_certpath, *l_certident, *l_certhost,
		*l_certverify, *l_forcessl, *l_powerdownflag;
	const char *certhost_host, *certhost_name;
	struct mg_notify *notify;	/* mg_ntypes entries */
	struct mg_ups *upsv;
	size_t nups;
	struct mg_at *atv;
	size_t nat;
	struct mg_timer *timers;
	size_t ntimers;
};

/* A diagnostic at word W of file F (its text in the registry as SRC). */
struct diag_record *mg_diag_word(struct mg *m, const struct nc_file *f, const struct src_file *src,
				 const struct nc_word *w, enum diag_code code, const char *fmt, ...)
	__attribute__((format(printf, 6, 7)));

/* The span of LINE:COL (1-based; line 0: the whole file) of F, LEN bytes at most, in its registry copy SRC. */
src_span mg_span(const struct src_file *src, const struct nc_file *f, unsigned line, unsigned col, size_t len);

/* The directive of line L as NUT uses it, or NULL when NUT ignores the line. */
const struct nc_directive *mg_used(const struct nc_line *l, enum nc_dialect d, unsigned minor);

/* "# NAME:LINE: the line" into B, the password of a MONITOR shown as "...". */
void mg_comment_line(struct buf *b, const struct nc_file *f, const struct nc_line *l);

/* NAME as the plan writes a UPS or user name (allocated): as it is when it is a plan name, else in double quotes. */
char *mg_written(const char *name);

/* S into B as plan text: every % doubled (a text renders %% as %); with SHELLQUOTE, ' as '\'' too. */
void mg_pct(struct buf *b, const char *s, int shellquote);

/* Is S a name the plan language writes (a letter or '_', then letters, digits, '.', '_', '%', '+', '-')? */
int mg_word(const char *s);

/* The names, values and sums upsmon would refuse or the plan cannot hold; 0 when the plan can be written (migrate-check.c). */
int mg_validate(struct mg *m);

/* The group's TLS settings into OUT, with POWERDOWNFLAG's and TLS's diagnostics; the CERTFILE, or NULL for TLS NONE. */
const char *mg_tls(struct mg *m, struct buf *out);

/* Write the plan of M into OUT (migrate-plan.c). Returns 0, or -1 after a diagnostic. */
int mg_write_plan(struct mg *m, struct buf *out);

#endif
