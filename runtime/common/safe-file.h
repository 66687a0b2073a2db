/* SPDX-License-Identifier: GPL-2.0-or-later */
/* safe-file.h - files the daemon writes as root (PID file, NUT log, trace): opened without following links, checked before use. */
#ifndef UPSPLAN_SAFE_FILE_H
#define UPSPLAN_SAFE_FILE_H

#include <stddef.h>
#include <sys/stat.h>
#include <sys/types.h>

/*
 * Why root must not write through the existing file ST (from lstat or
 * fstat): NULL when it is a regular file with one link that belongs to
 * OWNER or OTHER; else the reason ("is a symbolic link", "has 2 hard
 * links", "belongs to nut (uid 106)", ...) in BUF.
 */
const char *safe_problem(const struct stat *st, uid_t owner, uid_t other, char *buf, size_t len);

/* "nut (uid 106)", or "uid 4242" when the user has no name, into BUF. */
const char *safe_user(uid_t uid, char *buf, size_t len);

/*
 * The directories above REAL (a real path, as realpath() gives: no link
 * in it) up to /: each must belong to root or OWNER and be writable by
 * nobody else, unless it is sticky (/tmp), or whoever may rename it can
 * put another directory in place of REAL.  0, or -1 with the first that
 * is not in ERR ("the directory /srv belongs to user 1000, not to root:
 * that user could put another directory in place of /srv/x").
 */
int safe_parents(const char *real, uid_t owner, char *err, size_t errlen);

/*
 * Open PATH to write it (FLAGS: O_WRONLY | O_APPEND, O_RDWR, ...) with
 * none of the tricks a file planted there could play on root: when there
 * is nothing at PATH it is created with MODE and O_EXCL; an existing one
 * is opened without following a symbolic link and without blocking (a
 * FIFO), and used only when safe_problem() finds nothing wrong with it.
 * Returns the descriptor (close-on-exec, blocking), *CREATED telling
 * whether it is new (CREATED may be NULL), or -1 with a message in ERR
 * naming PATH, what is wrong and what to do.
 */
int safe_open(const char *path, int flags, mode_t mode, uid_t owner, uid_t other, int *created, char *err,
	    size_t errlen);

#endif
