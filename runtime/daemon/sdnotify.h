/* SPDX-License-Identifier: GPL-2.0-or-later */
/* sdnotify.h - systemd's notification protocol (sd_notify): one datagram per state change on NOTIFY_SOCKET. */
#ifndef UPSPLAN_SDNOTIFY_H
#define UPSPLAN_SDNOTIFY_H

/*
 * Send STATE (e.g. "READY=1", "STATUS=...", "STOPPING=1", "WATCHDOG=1";
 * several separated by newlines) when NOTIFY_SOCKET is set.  Returns 1
 * when sent, 0 when there is no socket, -1 on failure.
 */
int sd_notify_status(const char *state);

/* Seconds between watchdog keep-alives asked by WATCHDOG_USEC (half of it), or 0. */
double sd_watchdog_interval(void);

#endif
