/* SPDX-License-Identifier: GPL-2.0-or-later */
/* child.h - the set-up of every process the daemon starts to run a command: signals, descriptors, session. */
#ifndef UPSPLAN_CHILD_H
#define UPSPLAN_CHILD_H

#define CHILD_NULL (-1)	/* the descriptor is /dev/null */
#define CHILD_KEEP (-2)	/* the descriptor stays what it is */

/*
 * In a child just forked, before its exec: default handling for every
 * signal (the daemon ignores SIGPIPE, and an exec would keep that),
 * nothing blocked, standard input, output and error from IN, OUT, ERR
 * (a descriptor, CHILD_NULL or CHILD_KEEP), every other descriptor closed
 * (closefrom(3): with a raised limit some lie above 1023) and a session
 * of its own (a command cannot signal the daemon's process group).
 */
void child_setup(int in, int out, int err);

#endif
