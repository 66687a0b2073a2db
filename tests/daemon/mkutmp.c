/* SPDX-License-Identifier: GPL-2.0-or-later */
/* mkutmp.c - test helper: append a login record (USER_PROCESS) to a utmp file, for the NOTIFY tests of upsplan run --utmp. */
#define _GNU_SOURCE
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <unistd.h>
#include <utmpx.h>

int main(int argc, char **argv)
{
	struct utmpx u;
	struct timeval tv;
	FILE *f;

	if (argc != 6) {
		fprintf(stderr, "usage: mkutmp FILE USER LINE HOST PID\n"
				"Append a login of USER on LINE (e.g. tty2, pts/0) from HOST (e.g. :0) by\n"
				"process PID to the utmp file FILE (created if absent).\n");
		return 2;
	}
	f = fopen(argv[1], "a");
	if (!f) {
		perror(argv[1]);
		return 1;
	}
	fclose(f);
	memset(&u, 0, sizeof(u));
	u.ut_type = USER_PROCESS;
	u.ut_pid = (pid_t)atol(argv[5]);
	snprintf(u.ut_user, sizeof(u.ut_user), "%s", argv[2]);
	snprintf(u.ut_line, sizeof(u.ut_line), "%s", argv[3]);
	strncpy(u.ut_id, argv[3] + (strlen(argv[3]) > 4 ? strlen(argv[3]) - 4 : 0), sizeof(u.ut_id));
	snprintf(u.ut_host, sizeof(u.ut_host), "%s", argv[4]);
	gettimeofday(&tv, NULL);
	u.ut_tv.tv_sec = (int32_t)tv.tv_sec;
	u.ut_tv.tv_usec = (int32_t)tv.tv_usec;
	if (utmpxname(argv[1]) != 0) {
		perror(argv[1]);
		return 1;
	}
	setutxent();
	if (!pututxline(&u)) {
		perror("pututxline");
		return 1;
	}
	endutxent();
	return 0;
}
