/* SPDX-License-Identifier: GPL-2.0-or-later */
/* print.h - canonical printer of a parsed plan (upsplan check --print). */
#ifndef UPSPLAN_PRINT_H
#define UPSPLAN_PRINT_H

#include <stdio.h>
#include "grammar/ast.h"

/*
 * Write PLAN in canonical form: comments dropped, one declaration per line,
 * each WHEN action on its own indented line, synonyms spelled canonically
 * (SHUTDOWNCMD, TIMEOUT, UPSDUSER), texts in "..." unless they hold a '"'.
 * Printing the output of a check of this output gives the same text.
 */
void print_plan(const struct src_registry *reg, const struct ast_plan *plan, FILE *out);

#endif
