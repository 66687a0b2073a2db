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

/*
 * print_plan, with the INCLUDE lines kept as written (EXPAND 0: what the
 * files they read declare is left out) or replaced by the declarations of
 * the files they read (EXPAND 1: one plan without INCLUDE).
 */
void print_plan_mode(const struct src_registry *reg, const struct ast_plan *plan, int expand, FILE *out);

#endif
