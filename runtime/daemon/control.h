/* SPDX-License-Identifier: GPL-2.0-or-later */
/* control.h - the control socket of upsplan run: upsplan status and upsplan ctl ask over it (docs/status.md). */
#ifndef UPSPLAN_CONTROL_H
#define UPSPLAN_CONTROL_H

#include <sys/types.h>

/* The packaged daemon's socket (the systemd unit's --control-socket). */
#define CTL_DEFAULT_SOCKET "/run/upsplan/control"

#define CTL_LINE_MAX 512	/* bytes of a request line, its line feed included */
#define CTL_IDLE_WAIT 2.0	/* seconds a client may take to send its line */
#define CTL_CLIENTS_MAX 16	/* clients served at once; more are refused */
#define CTL_RELOAD_WAIT 20.0	/* seconds a reload request waits for its outcome */
#define CTL_RELOAD_EVERY 2.0	/* seconds between two reloads taken; one asked for sooner is refused */
#define CTL_WRITE_WAIT 5.0	/* seconds a client has to read its whole answer */

/*
 * Make the listening socket PATH, owner UID, group GID, mode 0660: its
 * directory must belong to root or to this process's user and be writable
 * by nobody else, and so must every directory above its real path (a
 * sticky one, /tmp, may be writable by all); a symbolic link or any other
 * file at PATH is refused, a socket is removed when nobody listens on it.
 * Bound at its real path under umask 0177, then given to UID:GID 0660
 * before listen().  The descriptor (non-blocking, close-on-exec), or -1
 * with the reason in ERR.
 */
int ctl_socket_open(const char *path, uid_t uid, gid_t gid, char *err, size_t errlen);

/*
 * At the daemon's end: close FD (unless -1: served and closed by the
 * monitoring loop) and remove the socket PATH when it is still the one
 * ctl_socket_open() made (the same inode), never another one put there.
 */
void ctl_socket_remove(const char *path, int fd);

struct daemon;
struct ctl;

/* Serve the listening socket FD (taken over) on D's loop; NULL when it cannot (logged). */
struct ctl *ctl_new(struct daemon *d, int fd);
void ctl_free(struct ctl *c);

/*
 * The outcome of a reload (OK 1: generation GEN runs; 0: refused for
 * REASON): the clients waiting with a reload request are answered.
 */
void ctl_reload_done(struct ctl *c, int ok, const char *reason);

#endif
