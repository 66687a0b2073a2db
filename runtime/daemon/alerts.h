/* SPDX-License-Identifier: GPL-2.0-or-later */
/* alerts.h - ALERT and RESOLVE: the upsplan-alert helper the monitoring process feeds, and the table of firing alerts it replays. */
#ifndef UPSPLAN_ALERTS_H
#define UPSPLAN_ALERTS_H

#include <sys/types.h>

#include <jansson.h>

#include "engine/image.h"
#include "engine/vm.h"

struct daemon;
struct alerts;

#define AL_MAX		256		/* alerts kept (alertname, ups); a new one past it is refused (logged) */
#define AL_TEXT_MAX	1024		/* bytes of a summary kept and sent (cut between UTF-8 characters) */
#define AL_QUEUE_MAX	(1024 * 1024)	/* bytes queued for the helper: past it, it is killed and started again */
#define AL_BACKOFF_MAX	60.0		/* seconds: the longest wait before the helper is started again */

/*
 * The alerts of daemon D: no helper until al_plan() gives a plan with
 * ALERTMANAGER entries.  The helper (runtime/obs/alert-main.c) runs as
 * the monitoring process's user, with no descriptor of the daemon but its
 * standard input (a pipe: the config with the secrets, then one JSON line
 * per ALERT or RESOLVE, written without blocking) and standard error (a
 * pipe: its messages, logged escaped).  The table (alertname, ups) -> the
 * last fire is replayed to each new helper and kept in the state file.
 */
struct alerts *al_new(struct daemon *d);

/*
 * The running plan is IMG (the start, a reload): the helper is started for
 * its Alertmanagers, restarted with the new ones when they changed (and
 * the table replayed), stopped when there are none (the table dropped).
 */
void al_plan(struct alerts *al, const struct plan_image *img);

/* act_host's alert: ALERT (FIRING 1) or RESOLVE of effect E; CTX is the daemon. */
void al_action(void *ctx, const struct vm_effect *e, const struct vm_event *ev, int firing);

/* Process PID ended with STATUS (SIGCHLD): 1 when it was the helper (logged; started again when due). */
int al_reaped(struct alerts *al, pid_t pid, int status);

/* The firing alerts of an adopted state file (A, a JSON array; unchecked): into the table, sent. */
void al_adopt(struct alerts *al, const json_t *a);

/* The number of alerts the table holds as firing. */
size_t al_firing(const struct alerts *al);

/* The daemon stops: the helper's input ends (it resolves its heartbeat only), waited for at most 3 s. */
void al_free(struct alerts *al);

#endif
