/* SPDX-License-Identifier: GPL-2.0-or-later */
/* sema.h - the semantic pass: checks a parsed plan and builds its symbol tables. */
#ifndef UPSPLAN_SEMA_H
#define UPSPLAN_SEMA_H

#include "base/diag.h"
#include "grammar/ast.h"

struct plan_image;

struct sema_options {
	int check_file_mode;	/* W610: warn about readable files with passwords */
	/* when set, compile the plan into this (empty) image */
	struct plan_image *image;
	/* value of the built-in message "hostname"; NULL: this machine's name */
	const char *hostname;
	/*
	 * W611: when set, asked about each group's CERTFILE (PATH, as the plan
	 * gives it): 0 when it can be read, else the reason in MSG and the fix
	 * in FIX (the engine reads no file itself: the caller knows as whom)
	 */
	int (*certfile_check)(void *arg, const char *path, char *msg, size_t msglen, char *fix, size_t fixlen);
	void *certfile_arg;
	/*
	 * E650: when set, asked about a HOST name of a TLS NONE group (an
	 * address is judged without it): lo_resolve()'s contract (1: loopback
	 * only; 0, -1: not, or cannot tell, the reason in MSG).  Without it a
	 * name is left to the daemon, which checks the connected address.
	 */
	int (*host_check)(const char *host, char *msg, size_t msglen);
};

/* Result of the semantic pass, kept for later passes (code generation). */
struct sema_result {
	unsigned ngroups, nups, nmessages, ntimers, nwhens;
};

/*
 * Check PLAN (parsed from the files of REG) and queue every diagnostic in
 * DQ.  FILE is the main file (for file-level checks).  Returns 0 when no
 * error was found.
 */
int sema_check(const struct src_registry *reg, const struct src_file *file,
	       const struct ast_plan *plan, struct diag_queue *dq,
	       const struct sema_options *opt, struct sema_result *res);

#endif
