/* SPDX-License-Identifier: GPL-2.0-or-later */
/* freeport.c - test helper: print TCP ports on 127.0.0.1 that are free right now (for the NUT peers of tests/daemon/peers.sh). */
#define _XOPEN_SOURCE 700	/* POSIX.1-2008 + XSI (random), also under -std=c99 */
#include "config.h"

#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <arpa/inet.h>

#define MAX_COUNT	64
#define MAX_TRIES	2000

static void
usage(FILE *f)
{
	fprintf(f,
	    "usage: freeport [-n COUNT]\n"
	    "Print COUNT (1 to %d, default 1) distinct TCP ports on 127.0.0.1 that\n"
	    "nobody listens on now, one a line.  Ports are drawn at random below the\n"
	    "kernel's ephemeral range (so that outgoing connections do not take them)\n"
	    "and checked by binding them.  A port is only free at the moment of the\n"
	    "check: the caller must still cope with losing a race for it.\n",
	    MAX_COUNT);
}

/*
 * The kernel hands out ports of ip_local_port_range to outgoing connections
 * and to bind(port 0); drawing below it keeps our servers clear of them.
 */
static void
ephemeral_range(unsigned *lo, unsigned *hi)
{
	FILE *f;

	*lo = 32768;
	*hi = 60999;
	f = fopen("/proc/sys/net/ipv4/ip_local_port_range", "r");
	if (f == NULL)
		return;
	if (fscanf(f, "%u %u", lo, hi) != 2 || *lo > *hi || *hi > 65535) {
		*lo = 32768;
		*hi = 60999;
	}
	fclose(f);
}

/*
 * Bind 127.0.0.1:port (port 0: any) with SO_REUSEADDR, as upsd and stunnel
 * do, so that a port with only TIME_WAIT connections counts as free.
 * Returns the bound port, or 0.
 */
static unsigned
try_bind(unsigned port)
{
	struct sockaddr_in sin;
	socklen_t len;
	int fd, on;
	unsigned got;

	fd = socket(AF_INET, SOCK_STREAM, 0);
	if (fd < 0) {
		fprintf(stderr, "freeport: socket: %s\n", strerror(errno));
		exit(1);
	}
	on = 1;
	(void)setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on));
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	sin.sin_port = htons((unsigned short)port);
	got = 0;
	if (bind(fd, (struct sockaddr *)&sin, sizeof(sin)) == 0) {
		len = sizeof(sin);
		if (getsockname(fd, (struct sockaddr *)&sin, &len) == 0)
			got = ntohs(sin.sin_port);
	}
	close(fd);
	return got;
}

int
main(int argc, char **argv)
{
	unsigned ports[MAX_COUNT];
	unsigned lo, hi, base, span, port;
	struct timespec ts;
	char *end;
	long count;
	int c, i, n, tries, dup;

	count = 1;
	while ((c = getopt(argc, argv, "hn:")) != -1) {
		switch (c) {
		case 'n':
			errno = 0;
			count = strtol(optarg, &end, 10);
			if (errno != 0 || end == optarg || *end != '\0' ||
			    count < 1 || count > MAX_COUNT) {
				fprintf(stderr, "freeport: -n wants a number from 1 to %d, not '%s'\n",
				    MAX_COUNT, optarg);
				return 2;
			}
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind != argc) {
		fprintf(stderr, "freeport: unexpected argument '%s'\n", argv[optind]);
		usage(stderr);
		return 2;
	}

	/* 20000 up to the ephemeral range; above it if the range starts low */
	ephemeral_range(&lo, &hi);
	if (lo > 21024) {
		base = 20000;
		span = lo - base;
	} else if (hi < 64511) {
		base = hi + 1;
		span = 65536 - base;
	} else {
		base = 0;
		span = 0;
	}
	clock_gettime(CLOCK_REALTIME, &ts);
	srandom((unsigned)ts.tv_nsec ^ (unsigned)ts.tv_sec ^ ((unsigned)getpid() << 16));

	n = 0;
	for (tries = 0; n < count && tries < MAX_TRIES; tries++) {
		if (span > 0 && tries < MAX_TRIES / 2)
			port = try_bind(base + (unsigned)random() % span);
		else
			port = try_bind(0);	/* fall back on the kernel's choice */
		if (port == 0)
			continue;
		dup = 0;
		for (i = 0; i < n; i++)
			if (ports[i] == port)
				dup = 1;
		if (!dup)
			ports[n++] = port;
	}
	if (n < count) {
		fprintf(stderr, "freeport: found only %d free port(s) of %ld\n", n, count);
		return 1;
	}
	for (i = 0; i < n; i++)
		printf("%u\n", ports[i]);
	return fflush(stdout) == 0 ? 0 : 1;
}
