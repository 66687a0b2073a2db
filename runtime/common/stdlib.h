/* SPDX-License-Identifier: GPL-2.0-or-later */
/* stdlib.h - the standard rule files: compiled into upsplan, installed for INCLUDE <name>. */
#ifndef UPSPLAN_STDLIB_H
#define UPSPLAN_STDLIB_H

#include "base/source.h"

struct stdlib_rule {
	const char *name;	/* e.g. "timed.rules" */
	const char *text;
};

/* Every file of stdlib-rules/, ended by a { 0, 0 } entry (generated: runtime/common/stdlib-rules.c). */
extern const struct stdlib_rule stdlib_rules[];

/* The compiled-in text of rule file NAME, or NULL. */
const char *stdlib_text(const char *name);

/*
 * Where INCLUDE <name> looks first: $UPSPLAN_RULES_DIR when set (empty:
 * nowhere, the compiled-in copies only), else the installed directory,
 * $(pkgdatadir)/rules.  NULL for nowhere.
 */
const char *stdlib_rules_dir(void);

/* The rule files INCLUDE <name> can read as they are (no @KEY@ placeholder of generate): "a.rules, b.rules". */
const char *stdlib_includable(void);

/*
 * Set INC up for the programs' INCLUDE: installed rule files, then the
 * compiled-in ones; CHECK (may be NULL) vets each included file (E110);
 * MAX bounds each file's size.
 */
void stdlib_include_setup(struct src_include *inc, size_t max,
			  int (*check)(void *arg, const struct src_file *f, const struct stat *st,
				       struct diag_queue *dq), void *arg);

#endif
