/* SPDX-License-Identifier: GPL-2.0-or-later */
/* log.h - the daemon's logging: messages to syslog or standard error, the NUT-style text log, -D walk-through levels. */
#ifndef UPSPLAN_LOG_H
#define UPSPLAN_LOG_H

#include <stdarg.h>
#include <stddef.h>
#include <syslog.h>

/*
 * Start logging as IDENT: to standard error when FOREGROUND, else to
 * syslog (facility daemon); every message also goes to the NUT-style text
 * log NUTLOG when it is not NULL.  DEBUG is the -D level (0-2).
 */
void log_open(const char *ident, int foreground, const char *nutlog, int debug);
/* Stop logging (closes syslog). */
void log_close(void);

/* The -D level now (the plan's DEBUG action changes it). */
int log_debug_level(void);
void log_set_debug(int level);

/*
 * A message at syslog priority PRIO (LOG_ERR, LOG_WARNING, LOG_NOTICE,
 * LOG_INFO), at most 2 kB.  Control bytes other than line feeds and tabs,
 * and DEL, are written as \xNN (text from the network must go through
 * log_esc() first: this is only a second line of defence).
 */
void log_msg(int prio, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* A walk-through line, written only when the -D level is at least LEVEL (1 or 2). */
void log_debug(int level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/*
 * S, LEN bytes from the network (or any peer), made safe for a log, the
 * terminal or a trace: printable ASCII as it is, a backslash doubled, every
 * other byte (control bytes, DEL, bytes above 0x7e, NUL) as \xNN.  At most
 * OUTLEN - 1 bytes are written (a longer text is cut and ends with "...").
 * Returns OUT.
 */
const char *log_esc(char *out, size_t outlen, const char *s, size_t len);

/*
 * Append TEXT to the NUT-style text log (NUTLOG actions): one line
 * "YYYY-MM-DD HH:MM:SS TEXT", further lines of TEXT indented by 20
 * spaces.  The file is opened for each write (O_APPEND), so a rotated log
 * is followed at once.  Returns 0, or -1 with errno set (no NUT log
 * configured: ENOENT).
 */
int log_nut(const char *text);

/* The path of the NUT log, or NULL. */
const char *log_nut_path(void);

#endif
