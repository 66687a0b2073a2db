/* SPDX-License-Identifier: GPL-2.0-or-later */
/* child.c - the set-up of every process the daemon starts to run a command (actions, notices, SHUTDOWNCMD). */
#include "config.h"

#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include "runtime/daemon/child.h"

void child_setup(int in, int out, int err)
{
	const int want[3] = { in, out, err };
	/* no close-on-exec: if a standard descriptor is closed, /dev/null fills it (closefrom() closes it otherwise) */
	int devnull = open("/dev/null", O_RDWR);
	sigset_t none;

	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	for (int s = 1; s < NSIG; s++)
		signal(s, SIG_DFL);
	for (int i = 0; i < 3; i++) {
		int fd = want[i] == CHILD_NULL ? devnull : want[i];

		if (want[i] == CHILD_KEEP || fd < 0)
			continue;
		if (fd == i)
			fcntl(i, F_SETFD, 0);	/* dup2 onto itself would keep close-on-exec */
		else
			dup2(fd, i);
	}
	closefrom(3);
	setsid();
}
