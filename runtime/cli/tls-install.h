/* SPDX-License-Identifier: GPL-2.0-or-later */
/* tls-install.h - what tls-setup does to the system beside its files: the TLS library of upsd, NSS tools, upsd.conf. */
#ifndef UPSPLAN_TLS_INSTALL_H
#define UPSPLAN_TLS_INSTALL_H

#include <stddef.h>
#include <sys/types.h>

/* The TLS library upsd is built with. */
enum tlsi_lib { TLSI_NONE, TLSI_NSS, TLSI_OPENSSL };

/*
 * Which TLS library the upsd program at PATH links (its ELF DT_NEEDED
 * entries: libnss3 or libssl); PATH NULL: the first of Debian's and NUT's
 * usual places that holds an ELF upsd, its path into FOUND (FOUNDLEN
 * bytes).  The dynamic section is found by the section headers, else by
 * the program headers (PT_DYNAMIC).  -1 with the reason in ERR when there
 * is no upsd, it is not an ELF program, or it has no dynamic section.
 */
int tlsi_detect(const char *path, char *found, size_t foundlen, char *err, size_t errlen);

/*
 * The absolute path of the NSS tool NAME into BUF (at least PATH_MAX):
 * /usr/bin/NAME when it is there, else the first on $PATH (only in the
 * directory $UPSPLAN_NSS_TOOLS when that is set, for tests); as root, a
 * program root alone can change (root's, not group or other writable).
 * 0, or -1 with the reason in ERR.
 */
int tlsi_find_program(const char *name, char *buf, char *err, size_t errlen);

/*
 * Run PROG (absolute) with ARGV (no shell), standard input /dev/null, its
 * output and errors into OUT (LEN bytes, NUL-terminated, the first LEN - 1
 * kept).  Its exit status, or -1 (ERR says why) when it could not run or
 * was killed by a signal.
 */
int tlsi_run(const char *prog, char *const argv[], char *out, size_t len);

/*
 * upsd.conf FILE and the N lines LINES ("KEYWORD value"): 0 when none of
 * their keywords is set in FILE to another value (PRESENT[i] = 1 when
 * line i is there already); -1 with the reason in ERR (a conflict, naming
 * the line; FILE unreadable or not a regular file).
 */
int tlsi_conf_check(const char *file, const char *const *lines, size_t n, int *present, char *err, size_t errlen);

/*
 * Append the lines not PRESENT to FILE: a new file beside it with the same
 * owner, group and mode, renamed over it; the old file stays as BACKUP
 * (FILE.upsplan-bak, or .upsplan-bak.N when that exists), its path into
 * BACKUP (at least PATH_MAX).  0 (BACKUP "" when there was nothing to add),
 * or -1 with the reason in ERR (FILE unchanged).
 */
int tlsi_conf_apply(const char *file, const char *const *lines, size_t n, const int *present, char *backup,
		    char *err, size_t errlen);

#endif
