/* SPDX-License-Identifier: GPL-2.0-or-later */
/* tls-files.h - the files tls-setup makes, relative to its directory opened once, and their undo. */
#ifndef UPSPLAN_TLS_FILES_H
#define UPSPLAN_TLS_FILES_H

#include <stddef.h>
#include <sys/types.h>

/*
 * For root: 0 when DIR (if it exists) and every directory above it, up
 * to /, symbolic links resolved, is root's and not writable by group or
 * others (unless sticky, as /tmp); else -1 with the reason and the fix in
 * ERR.  Another user able to change one of them could swap what root
 * writes for a symbolic link.
 */
int tlsf_check_owners(const char *dir, char *err, size_t errlen);

/*
 * Open the directory DIR (MAKE: mkdir it first, mode 0755, remembered for
 * tlsf_undo()) as the directory of every later call; as root its owner
 * and mode are checked again on the open directory.  0, or -1 with the
 * reason in ERR and errno the failing call's.
 */
int tlsf_open(const char *dir, int make, char *err, size_t errlen);

/* 1 when NAME is in the directory (a symbolic link too), else 0. */
int tlsf_exists(const char *name);

/*
 * Write LEN bytes of DATA to the new file NAME of the directory (O_EXCL,
 * O_NOFOLLOW: never an existing file nor a symbolic link) with MODE; when
 * UID is not -1, owned by UID:GID.  Remembered for tlsf_undo().  0, or -1
 * with the reason in ERR.
 */
int tlsf_new_file(const char *name, const void *data, size_t len, mode_t mode, uid_t uid, gid_t gid,
		  char *err, size_t errlen);

/* mkdir NAME in the directory with MODE (remembered, its inode too); 0, or -1 with the reason in ERR. */
int tlsf_new_dir(const char *name, mode_t mode, char *err, size_t errlen);

/*
 * The subdirectory NAME made by tlsf_new_dir() (the same inode, not a
 * symbolic link) and every regular file in it (not a link either) owned by
 * UID:GID (-1: unchanged), files 0600, NAME 0700.  0, or -1 with the reason in ERR.
 */
int tlsf_own_dir(const char *name, uid_t uid, gid_t gid, char *err, size_t errlen);

/* Remove NAME of the directory now (a temporary file); forget it. */
void tlsf_remove(const char *name);

/*
 * Remove, newest first, every file and directory made so far (after a
 * failure), never following a symbolic link; tlsf_keep() forgets them.
 * Both close the directory.
 */
void tlsf_undo(void);
void tlsf_keep(void);

#endif
