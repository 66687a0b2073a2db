/* SPDX-License-Identifier: GPL-2.0-or-later */
/* disasm.h - listing of a verified plan image: tables, templates, handlers with source locations. */
#ifndef UPSPLAN_DISASM_H
#define UPSPLAN_DISASM_H

#include <stdio.h>

#include "engine/image.h"

/*
 * Print IMG (verified) to OUT: settings, groups, UPS (passwords shown only
 * as set or not), timers, messages, templates, then every handler with
 * its event key, and each instruction with its offset, name, decoded
 * operands and the source location it came from.
 */
void img_disasm(const struct plan_image *img, FILE *out);

/* Print every opcode with its operands, stack effect and meaning. */
void img_list_opcodes(FILE *out);

/* Print the LEN bytes at S as a double-quoted string with C escapes. */
void img_put_quoted(FILE *out, const char *s, size_t len);

/* Print template T of IMG as a quoted string, substitutions as %(k)s. */
void img_put_tpl(const struct plan_image *img, uint32_t t, FILE *out);

#endif
