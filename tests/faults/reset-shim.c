/* SPDX-License-Identifier: GPL-2.0-or-later */
/* reset-shim.c - test-only LD_PRELOAD library: while the file RESET_SHIM_FLAG exists, every write() or send() on a TCP socket fails with ECONNRESET, as after a reset from the peer that came in between two writes. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

/* FD is a TCP socket and the flag file exists */
static int reset_now(int fd)
{
	const char *flag = getenv("RESET_SHIM_FLAG");
	struct sockaddr_storage a;
	socklen_t alen = sizeof(a);
	struct stat st;
	int type = 0;
	socklen_t tlen = sizeof(type);

	if (!flag || access(flag, F_OK) != 0 || fstat(fd, &st) != 0 || !S_ISSOCK(st.st_mode))
		return 0;
	if (getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &tlen) != 0 || type != SOCK_STREAM)
		return 0;
	if (getsockname(fd, (struct sockaddr *)&a, &alen) != 0)
		return 0;
	return a.ss_family == AF_INET || a.ss_family == AF_INET6;
}

ssize_t write(int fd, const void *buf, size_t len)
{
	static ssize_t (*real)(int, const void *, size_t);

	if (!real)
		real = (ssize_t (*)(int, const void *, size_t))dlsym(RTLD_NEXT, "write");
	if (reset_now(fd)) {
		errno = ECONNRESET;
		return -1;
	}
	return real(fd, buf, len);
}

ssize_t send(int fd, const void *buf, size_t len, int flags)
{
	static ssize_t (*real)(int, const void *, size_t, int);

	if (!real)
		real = (ssize_t (*)(int, const void *, size_t, int))dlsym(RTLD_NEXT, "send");
	if (reset_now(fd)) {
		errno = ECONNRESET;
		return -1;
	}
	return real(fd, buf, len, flags);
}
