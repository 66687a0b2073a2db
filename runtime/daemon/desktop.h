/* SPDX-License-Identifier: GPL-2.0-or-later */
/* desktop.h - NOTIFY for the users of graphical sessions: who is logged in on a display (utmp), and the notify command run as each of them. */
#ifndef UPSPLAN_DESKTOP_H
#define UPSPLAN_DESKTOP_H

#include <sys/types.h>

#define DT_MAX_SESSIONS 64

/* A user logged in to a graphical session. */
struct dt_session {
	uid_t uid;
	gid_t gid;
	char user[64];
	char display[64];	/* ":0" for X11; empty for a session known only by its bus */
	char home[256];
};

/*
 * The graphical sessions in the utmp file UTMP (NULL: the system's), one
 * per user, at most MAX: a login on an X display (host or line ":N", as
 * `who` shows it), or a login on a virtual console (ttyN) whose user has a
 * session bus (/run/user/UID/bus: a Wayland desktop).  Remote logins are
 * not desktops.  Returns how many were found.
 */
int dt_sessions(const char *utmp, struct dt_session *out, int max);

/*
 * Run ARGV with TEXT as its last argument as the user of S (its groups
 * too), with the session's DISPLAY, XDG_RUNTIME_DIR and
 * DBUS_SESSION_BUS_ADDRESS, HOME, USER, LOGNAME and a fixed PATH, nothing
 * on its standard input and output, killed after TIMEOUT seconds
 * (SIGALRM).  Must be run as root.  Returns the pid (the caller reaps it),
 * or -1.
 */
pid_t dt_notify(const struct dt_session *s, char *const *argv, const char *text, unsigned timeout);

#endif
