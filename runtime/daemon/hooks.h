/* SPDX-License-Identifier: GPL-2.0-or-later */
/* hooks.h - HOOKS: every executable of a directory run in turn, as run-parts does, with the event in the environment. */
#ifndef UPSPLAN_HOOKS_H
#define UPSPLAN_HOOKS_H

#include <stddef.h>

struct actions;
struct hk_runner;

/* What a hook is told, in UPSPLAN_UPS, UPSPLAN_GROUP, UPSPLAN_EVENT and UPSPLAN_MESSAGE (each may be ""). */
struct hk_event {
	const char *ups, *group, *event, *message;
};

/* The most runs of directories waiting for their turn; a HOOKS beyond it is not run (logged). */
#define HK_MAX_QUEUED 64
/* The most hooks one directory may hold; the rest are not run (logged). */
#define HK_MAX_HOOKS 256

struct hk_runner *hk_new(struct actions *a);
/* Free the runner; runs waiting are forgotten (the processes running are the actions'). */
void hk_free(struct hk_runner *r);

/*
 * Run the hooks of DIR for EV, the HOOKS at WHERE (file:line:col): its
 * regular files whose names run-parts takes (only ASCII letters, digits,
 * '_' and '-': no hidden files, no "~" or ".dpkg-old" backups) and that
 * this process may execute, in byte order, one after the other, each
 * with the actions' time limit, whatever each one's exit status (logged
 * for every hook).  The directory is read when its turn comes: runs of
 * one directory wait for each other, in the order asked; runs of
 * different directories go side by side.  A directory or a hook that
 * someone other than root and this process's user owns, or that its
 * group or others may write, is refused (logged, with the fix), and so
 * is a directory below one that is not as safe (safe_parents(): its real
 * path up to /, a sticky one allowed); the hooks are then read and run by
 * that real path.  A hook that is a symbolic link runs by its real path,
 * whose directories must be as safe.
 */
void hk_run(struct hk_runner *r, const char *dir, const char *where, const struct hk_event *ev);

/* Runs of directories started or waiting (for tests and the shutdown). */
size_t hk_pending(const struct hk_runner *r);

#endif
