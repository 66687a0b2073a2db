/* SPDX-License-Identifier: GPL-2.0-or-later */
/* esc.h - the one escaping of untrusted bytes (from upsd, a peer, a plan) for logs, terminals, mail and traces. */
#ifndef UPSPLAN_ESC_H
#define UPSPLAN_ESC_H

#include <stddef.h>

/*
 * S (LEN bytes) into OUT (OUTLEN bytes, NUL-terminated): a byte below 0x20
 * (but a line feed or a tab unless ALL), DEL, and with ALL every byte
 * above 0x7e, as \xNN; with ALL a backslash doubled.  A text that does not
 * fit is cut and ends with "...".  Returns the bytes written, the NUL not
 * counted (at most OUTLEN - 1; 0 when OUTLEN is 0).  No allocation.
 */
size_t esc_bytes(char *out, size_t outlen, const char *s, size_t len, int all);

#endif
