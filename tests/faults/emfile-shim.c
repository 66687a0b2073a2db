/* SPDX-License-Identifier: GPL-2.0-or-later */
/* emfile-shim.c - test-only LD_PRELOAD library: the TCP sockets of a process numbered in EMFILE_SHIM_CALLS ("N" or "N-M", counted from 1) fail with EMFILE, as if the process had run out of file descriptors. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>

int socket(int domain, int type, int protocol)
{
	static int (*real)(int, int, int);
	static unsigned long calls, from, to;
	static int ready;

	if (!real)
		real = (int (*)(int, int, int))dlsym(RTLD_NEXT, "socket");
	if (!ready) {
		const char *v = getenv("EMFILE_SHIM_CALLS");
		ready = 1;
		if (v && sscanf(v, "%lu-%lu", &from, &to) < 2)
			to = from;
	}
	if ((domain == AF_INET || domain == AF_INET6) && (type & 0xf) == SOCK_STREAM) {
		calls++;
		if (calls >= from && calls <= to && from > 0) {
			errno = EMFILE;
			return -1;
		}
	}
	return real(domain, type, protocol);
}
