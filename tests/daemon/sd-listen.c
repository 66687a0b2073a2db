/* SPDX-License-Identifier: GPL-2.0-or-later */
/* sd-listen.c - test helper: a service manager's notification socket (AF_UNIX datagrams, as systemd's NOTIFY_SOCKET) that writes each datagram received as a line to a file. */
#define _XOPEN_SOURCE 700
#include "config.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	stop = sig;
}

int main(int argc, char **argv)
{
	struct sockaddr_un sa;
	struct sigaction act;
	pid_t watch = getppid();
	time_t deadline = time(NULL) + 600;
	FILE *out;
	int fd;

	if (argc != 3 || strlen(argv[1]) >= sizeof(sa.sun_path)) {
		fprintf(stderr, "usage: sd-listen SOCKET OUTFILE\n"
				"Receive datagrams on the Unix socket SOCKET (made here, mode 0666) and append\n"
				"each as one line to OUTFILE, until SIGTERM, 600 s, or the parent is gone.\n");
		return 2;
	}
	memset(&act, 0, sizeof(act));
	act.sa_handler = on_signal;
	sigaction(SIGTERM, &act, NULL);
	sigaction(SIGINT, &act, NULL);
	out = fopen(argv[2], "a");
	if (!out) {
		fprintf(stderr, "sd-listen: %s: %s\n", argv[2], strerror(errno));
		return 1;
	}
	fd = socket(AF_UNIX, SOCK_DGRAM, 0);
	memset(&sa, 0, sizeof(sa));
	sa.sun_family = AF_UNIX;
	memcpy(sa.sun_path, argv[1], strlen(argv[1]));
	unlink(argv[1]);
	if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0 || chmod(argv[1], 0666) != 0) {
		fprintf(stderr, "sd-listen: %s: %s\n", argv[1], strerror(errno));
		return 1;
	}
	while (!stop && time(NULL) < deadline && kill(watch, 0) == 0) {
		struct pollfd p = { fd, POLLIN, 0 };
		char buf[4096];
		ssize_t n;

		if (poll(&p, 1, 500) <= 0)
			continue;
		n = recv(fd, buf, sizeof(buf) - 1, 0);
		if (n < 0)
			continue;
		buf[n] = '\0';
		fprintf(out, "%s\n", buf);
		fflush(out);
	}
	unlink(argv[1]);
	fclose(out);
	return 0;
}
