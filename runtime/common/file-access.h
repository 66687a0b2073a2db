/* SPDX-License-Identifier: GPL-2.0-or-later */
/* file-access.h - why this process cannot read a file the plan names (CERTFILE, ...), in words, with the fix. */
#ifndef UPSPLAN_FILE_ACCESS_H
#define UPSPLAN_FILE_ACCESS_H

#include <stddef.h>

/* What the file is, for the fix: a certificate anyone may read, or a key. */
enum fa_kind { FA_PUBLIC, FA_SECRET };

/*
 * Why PATH, named by the setting WHAT ("CERTFILE"), cannot be read by
 * this process, which is WHO ("the monitoring user nut"), after ERR (the
 * errno of the failed open or read: ENOENT, EACCES, ...; EINVAL for a file
 * that is not a regular one).  Looks at PATH again (stat, the search
 * permission of each directory of its path) as this process, so call it in
 * the process whose rights count.  Writes the reason into MSG ("CERTFILE
 * /etc/nut/ca.pem: the monitoring user nut cannot read it (mode 0600
 * root:root)") and the fix into FIX ("chgrp nut /etc/nut/ca.pem && chmod
 * 0640 /etc/nut/ca.pem, or ..."; empty when there is none to give, e.g. a
 * file that does not exist, whose fix depends on WHAT: the caller's).
 * Returns the kind of failure: ENOENT (does not exist), EACCES (a
 * permission), EINVAL (not a regular file) or ERR itself (anything else).
 */
int fa_explain(const char *what, const char *path, const char *who, enum fa_kind kind, int err, char *msg,
	       size_t msglen, char *fix, size_t fixlen);

/* "the monitoring user NAME" of this process (its effective user) into BUF. */
const char *fa_who(char *buf, size_t len);

/*
 * Can PATH, named by WHAT, be opened and read as a regular file by the
 * user USER (NULL: by this process as it is)?  0, or 1 with the reason and
 * the fix of fa_explain() in MSG and FIX.  USER other than this process's
 * own needs root: a child process takes USER's identity (its groups too)
 * to try, so that what is judged is what that user's open() would do.
 * -1 when USER does not exist or the child cannot be made (MSG says so).
 */
int fa_check(const char *what, const char *path, const char *user, enum fa_kind kind, char *msg, size_t msglen,
	     char *fix, size_t fixlen);

#endif
