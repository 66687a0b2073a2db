/* SPDX-License-Identifier: GPL-2.0-or-later */
/* actions.h - the daemon's actions for real: logs, wall, desktop notices, mail, commands, each asynchronous with a time limit. */
#ifndef UPSPLAN_ACTIONS_H
#define UPSPLAN_ACTIONS_H

#include <stdint.h>
#include <sys/types.h>
#include <time.h>

#include <event2/event.h>

#include "engine/image.h"
#include "engine/vm.h"

struct act_config {
	const char *wall;	/* WALL command (text on its standard input), e.g. "wall" */
	const char *notify;	/* NOTIFY command (text as its last argument), e.g. "notify-send -u critical upsplan" */
	const char *shell;	/* SHELLCMD interpreter (text as its last argument), e.g. "/bin/sh -c" */
	double timeout;		/* seconds each command or mail may take */
	double shutdown_timeout;	/* seconds a SHUTDOWNCMD run here (not by a root parent) may take */
	int foreground;		/* PRINT and EPRINT to standard output and error; else to the log */
	const char *smtp_cafile;	/* CA file for the SMTP server; NULL: the system's */
	const char *mail_helper;	/* the upsplan-mail program that sends each EMAIL */
	const char *alert_helper;	/* the upsplan-alert program that sends ALERT and RESOLVE (alerts.c) */
	double alert_resend;	/* seconds between re-posts of a firing alert; 0: 60 */
	const char *alert_generator_url;	/* every alert's generatorURL, or NULL */
};

/* What the daemon does for the actions that need its other parts. */
struct act_host {
	void *ctx;
	/* SETFSD: send FSD for UPS; returns -1 when it cannot be sent (logged) */
	int (*setfsd)(void *ctx, uint32_t ups);
	/* SHUTDOWNCMD of effect E for event EV (the privileged parent, or a process here) */
	void (*shutdown)(void *ctx, const struct vm_effect *e, const struct vm_event *ev);
	/* NOTIFY TEXT for the desktop users (the privileged parent); NULL or -1: run the command here */
	int (*notify)(void *ctx, const char *text);
	/*
	 * ALERT (FIRING 1) or RESOLVE (FIRING 0) of effect E for event EV: send
	 * it to the plan's Alertmanagers (labels alertname E->name, ups, group,
	 * instance, severity E->aux; annotation summary E->text).  NULL: logged
	 * at info once per alert name, "no sender".
	 */
	void (*alert)(void *ctx, const struct vm_effect *e, const struct vm_event *ev, int firing);
};

struct actions;

/* Actions of plan IMG on BASE, with the commands of CFG (strings copied). */
struct actions *act_new(struct event_base *base, const struct act_config *cfg, const struct plan_image *img,
			const struct act_host *host);
void act_free(struct actions *a);

/* The plan changed (a reload): IMG is the new one (for SMTP settings and locations). */
void act_set_image(struct actions *a, const struct plan_image *img);

/*
 * Carry out effect E of event EV now: log-like actions at once, commands
 * and mail in child processes that the daemon does not wait for; a
 * failure is logged with the action's file:line:col and never stops the
 * actions that follow.
 */
void act_run(struct actions *a, const struct vm_effect *e, const struct vm_event *ev);

/*
 * Run ARGV (argv[0] a path or a name searched in PATH) as a child process
 * for action E, with STDIN_TEXT (or nothing) on its standard input and a
 * time limit; its standard error is logged.  Returns the child's pid, or
 * -1 (logged).
 */
pid_t act_spawn(struct actions *a, const struct vm_effect *e, const char *what, char *const *argv,
		const char *stdin_text);

/*
 * Run ARGV (argv[0] an absolute path, no PATH search) as a child process
 * with the strings of ENV ("NAME=value", NULL-terminated) added to its
 * environment, standard input /dev/null, standard error logged, and the
 * actions' time limit; WHAT and WHERE name it in the log.  Once it ended
 * (and its failure was logged), DONE(ARG, STATUS) is called with its
 * waitpid() status, unless the actions are freed first.  Returns its pid,
 * or -1 (logged; DONE is not called).
 */
pid_t act_spawn_env(struct actions *a, const char *what, const char *where, char *const *argv, char *const *env,
		    void (*done)(void *arg, int status), void *arg);

/* The runner of the plan's HOOKS directories (runtime/daemon/hooks.h). */
struct hk_runner *act_hooks(struct actions *a);

/* A child process ended (from the daemon's SIGCHLD handling): log its failure.  Returns 1 if it was ours. */
int act_reaped(struct actions *a, pid_t pid, int status);

/* Child processes still running. */
unsigned act_running(const struct actions *a);

/* CMD split into words as a shell would (quotes, no expansions), with room for one more; NULL when empty or malformed. */
char **act_words(const char *cmd);
void act_free_words(char **v);

/* The last actions carried out, for upsplan status: a ring of ACT_RING records. */
#define ACT_RING 32
enum act_result { ACT_RUNNING, ACT_OK, ACT_FAILED };

struct act_record {
	time_t when;		/* wall clock, when it was carried out */
	char kind[16];		/* "SHELLCMD", "WALL", ... */
	char ups[64];		/* the UPS of its event (cut), "" none */
	char where[160];	/* file:line:col */
	int result;		/* enum act_result */
	char reason[160];	/* ACT_FAILED: why */
	pid_t pid;		/* its process while ACT_RUNNING, else 0 */
};

/* The I-th last action (0 the oldest of those kept), or NULL past the last; N of them in *COUNT when not NULL. */
const struct act_record *act_history(const struct actions *a, unsigned i, unsigned *count);

/* The record of the action act_run() is carrying out (from the host's callbacks): its result RESULT and reason. */
void act_note(struct actions *a, int result, const char *reason);

/* The outcome of the last SHUTDOWNCMD still running (from the root parent): ok, or failed with REASON. */
void act_shutdown_done(struct actions *a, int ok, const char *reason);

/* "file:line:col" of effect E, for messages. */
const char *act_where(const struct plan_image *img, const struct vm_effect *e, char *buf, size_t len);

#endif
