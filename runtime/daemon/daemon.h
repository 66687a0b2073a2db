/* SPDX-License-Identifier: GPL-2.0-or-later */
/* daemon.h - the monitoring loop of upsplan run: upsd connections, the engine, actions, signals, reloads. */
#ifndef UPSPLAN_DAEMON_H
#define UPSPLAN_DAEMON_H

#include "engine/image.h"
#include "runtime/daemon/actions.h"
#include "runtime/common/plan-file.h"

struct dm_options {
	const char *plan;		/* the plan file (source or image) */
	struct plan_file_opts po;	/* for reloads without a privileged parent */
	struct act_config act;
	const char *trace;		/* append a simulate-style trace here, or NULL */
	int check_only;			/* connect, log in, report, exit */
	int privsep_fd;			/* socket to the root parent, or -1 */
	uint32_t gen;			/* the generation of the plan given (the root parent's numbering) */
	const char *hostname, *banner;	/* %(h)s and %(b)s */
	int foreground;
	double watchdog;		/* seconds between WATCHDOG=1 notifications, 0: none */
	const char *state_file;		/* the state file (runtime/daemon/statefile.h), or NULL */
	double state_max_age;		/* seconds: an older state file is not adopted */
	const char *control_socket;	/* --control-socket, or NULL: then control_fd is not used */
	int control_fd;			/* its listening socket, served by the monitoring process */
	const char *metrics;		/* --metrics [HOST:]PORT, or NULL: nothing listens */
	double metrics_vars_interval;	/* seconds between LIST VAR of each UPS for the metrics; 0: never */
	const char *webhook;		/* --webhook [HOST:]PORT, or NULL: nothing listens (dm-webhook.h) */
	const char *webhook_token_file;	/* its bearer token's file, or NULL: no token asked for */
	const char *webhook_cert, *webhook_key;	/* HTTPS: both, or neither */
};

/*
 * Run the plan IMG (taken over: freed by the loop) until SIGTERM or SIGINT
 * (LOGOUT on every connection first).  With a state file, its state is
 * adopted first when it can be, and written after every change.  Returns the exit status: 0 after a
 * signal, 1 when --check-only found a server it could not use or the set-up
 * failed.
 */
int dm_run(struct plan_image *img, const struct dm_options *o);

/*
 * Block (HOW SIG_BLOCK) or unblock (SIG_UNBLOCK) the signals an operator
 * sends once the PID file names the daemon: SIGHUP, SIGUSR1, SIGUSR2.
 * Blocked before the PID is written, so that one sent too early waits
 * (their default action ends the process) until the root parent's
 * signalfd or dm_run()'s handlers take it: dm_run() unblocks them.
 */
void dm_hold_signals(int how);

#endif
