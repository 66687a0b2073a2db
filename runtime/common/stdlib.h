/* SPDX-License-Identifier: GPL-2.0-or-later */
/* stdlib.h - the stdlib-rules files compiled into upsplan (for upsplan generate). */
#ifndef UPSPLAN_STDLIB_H
#define UPSPLAN_STDLIB_H

struct stdlib_rule {
	const char *name;	/* e.g. "timed.rules" */
	const char *text;
};

/* Every file of stdlib-rules/, ended by a { 0, 0 } entry (generated: runtime/stdlib-rules.c). */
extern const struct stdlib_rule stdlib_rules[];

#endif
