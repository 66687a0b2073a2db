/* SPDX-License-Identifier: GPL-2.0-or-later */
/* nutname.h - which UPS and upsd user names NUT can serve: the one rule of check (E900) and the image verifier. */
#ifndef UPSPLAN_BASE_NUTNAME_H
#define UPSPLAN_BASE_NUTNAME_H

#include <stddef.h>

/*
 * The first byte of the LEN bytes at NAME that no UPS name (USER 0) or
 * upsd user name (USER 1) upsd can serve may hold, or LEN when there is
 * none; *WHY (when WHY is not NULL) then says why, or is NULL.  An empty
 * name is refused at 0 ("cannot be empty" is the caller's).  A name that
 * passes is one plain word of upsd's protocol: printable ASCII, no blank,
 * quote, backslash or '#', so it can never end or add a line.
 */
size_t nutname_bad(const char *name, size_t len, int user, const char **why);

#endif
