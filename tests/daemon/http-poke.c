/* SPDX-License-Identifier: GPL-2.0-or-later */
/* http-poke.c - a hostile HTTP client for the tests of --metrics: an idle connection timed until the server drops it, many connections held at once, raw bytes sent and the first reply line printed. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int dial(const char *host, int port)
{
	struct sockaddr_in a;
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_port = htons((unsigned short)port);
	if (fd < 0 || inet_pton(AF_INET, host, &a.sin_addr) != 1 || connect(fd, (struct sockaddr *)&a, sizeof(a)) != 0) {
		if (fd >= 0)
			close(fd);
		return -1;
	}
	return fd;
}

/* 1 when the server closed FD (EOF or reset) within MS milliseconds; what it sent is read and dropped. */
static int closed_within(int fd, int ms)
{
	char b[4096];
	double end = now() + ms / 1000.0;

	for (;;) {
		struct pollfd p = { fd, POLLIN, 0 };
		int left = (int)((end - now()) * 1000);
		if (left <= 0)
			return 0;
		if (poll(&p, 1, left) <= 0)
			continue;
		ssize_t n = read(fd, b, sizeof(b));
		if (n <= 0)
			return 1;
	}
}

/* slow HOST PORT MAXSEC: connect, send nothing; prints the seconds until the server drops it (exit 1: not within MAXSEC). */
static int do_slow(const char *host, int port, int maxsec)
{
	double t0 = now();
	int fd = dial(host, port);

	if (fd < 0) {
		perror("connect");
		return 2;
	}
	if (!closed_within(fd, maxsec * 1000)) {
		printf("open after %d s\n", maxsec);
		return 1;
	}
	printf("%.1f\n", now() - t0);
	return 0;
}

/*
 * hold HOST PORT N SEC: N connections begun at once (non-blocking; those
 * not made within 2 s are given up), nothing sent, held SEC s; prints how
 * many were made, and how many the server still had open at the end.
 */
static int do_hold(const char *host, int port, int n, int sec)
{
	int *fds = calloc((size_t)n, sizeof(*fds)), up = 0, open_ = 0;
	struct sockaddr_in a;
	double end;

	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_port = htons((unsigned short)port);
	inet_pton(AF_INET, host, &a.sin_addr);
	for (int i = 0; i < n; i++) {
		fds[i] = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
		if (fds[i] >= 0 && connect(fds[i], (struct sockaddr *)&a, sizeof(a)) != 0 && errno != EINPROGRESS) {
			close(fds[i]);
			fds[i] = -1;
		}
	}
	end = now() + 2;
	for (int i = 0; i < n; i++) {
		struct pollfd p = { fds[i], POLLOUT, 0 };
		int err = 0, left = (int)((end - now()) * 1000);
		socklen_t len = sizeof(err);
		if (fds[i] < 0)
			continue;
		if (poll(&p, 1, left > 0 ? left : 0) == 1 && getsockopt(fds[i], SOL_SOCKET, SO_ERROR, &err, &len) == 0 && err == 0) {
			up++;
			continue;
		}
		close(fds[i]);
		fds[i] = -1;
	}
	sleep((unsigned)sec);
	for (int i = 0; i < n; i++)
		if (fds[i] >= 0) {
			open_ += !closed_within(fds[i], 0);
			close(fds[i]);
		}
	printf("%d %d\n", up, open_);
	free(fds);
	return 0;
}

/* send HOST PORT: standard input to the server, then the first line of its reply ("(closed)" when none) within 5 s. */
static int do_send(const char *host, int port)
{
	char b[65536], line[256];
	size_t got = 0;
	ssize_t n;
	int fd = dial(host, port);

	if (fd < 0) {
		perror("connect");
		return 2;
	}
	while ((n = read(0, b, sizeof(b))) > 0)
		if (write(fd, b, (size_t)n) != n)
			break;	/* the server hung up mid-way: what it said is read below */
	shutdown(fd, SHUT_WR);
	for (double end = now() + 5; got < sizeof(line) - 1 && now() < end;) {
		struct pollfd p = { fd, POLLIN, 0 };
		if (poll(&p, 1, 100) <= 0)
			continue;
		n = read(fd, line + got, sizeof(line) - 1 - got);
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	line[got] = '\0';
	line[strcspn(line, "\r\n")] = '\0';
	printf("%s\n", got ? line : "(closed)");
	close(fd);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc >= 5 && strcmp(argv[1], "slow") == 0)
		return do_slow(argv[2], atoi(argv[3]), atoi(argv[4]));
	if (argc >= 6 && strcmp(argv[1], "hold") == 0)
		return do_hold(argv[2], atoi(argv[3]), atoi(argv[4]), atoi(argv[5]));
	if (argc >= 4 && strcmp(argv[1], "send") == 0)
		return do_send(argv[2], atoi(argv[3]));
	fprintf(stderr, "usage: http-poke slow HOST PORT MAXSEC | hold HOST PORT N SEC | send HOST PORT <BYTES\n");
	return 2;
}
