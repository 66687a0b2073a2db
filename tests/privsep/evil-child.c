/* SPDX-License-Identifier: GPL-2.0-or-later */
/* evil-child.c - test shim (LD_PRELOAD): turns the monitoring child of upsplan run into a compromised one that writes what UPSPLAN_EVIL names to the root parent. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/*
 * How it gets in: it records the last AF_UNIX socket pair the process
 * makes (the parent's socket to its child), and when setuid() succeeds in
 * a process that holds the child's end but no longer the parent's (the
 * monitoring child dropping root), it runs the case named by UPSPLAN_EVIL
 * on that socket instead of returning, and never returns.
 *
 * UPSPLAN_EVIL_ONCE=FILE: only the first child that finds FILE missing
 * (and creates it) misbehaves; the children started after it run normally.
 * UPSPLAN_EVIL_PC, _GEN, _UPS: the SHUTDOWNCMD request of the "shutdown"
 * cases (default 0); _FAILING its power_failing (default 1).
 *
 * The frames are written here byte for byte, as a compromised child would:
 * the layouts below are the wire format of runtime/daemon/privsep.h, copied on
 * purpose (a test of the reader must not share its definitions).
 */

struct evil_hdr {
	uint32_t kind, len;
};

struct evil_shutdown {
	uint32_t gen, pc, ups, pair, timer;
	uint32_t power_failing;
	char charge[32];
};

struct evil_ack {
	uint32_t gen;
	int32_t ok;
};

enum { K_SHUTDOWN = 1, K_DONE = 2, K_IMAGE = 3, K_NOTIFY = 4, K_DESKTOP = 5, K_ACK = 6, K_RELOAD = 7, K_REFUSED = 8 };

static int evil_sv[2] = { -1, -1 };

static void evil_write(int fd, const void *p, size_t n)
{
	const char *c = p;

	while (n > 0) {
		ssize_t w = write(fd, c, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			_exit(9);
		c += w;
		n -= (size_t)w;
	}
}

static void evil_frame(int fd, uint32_t kind, uint32_t len, const void *payload, size_t n)
{
	struct evil_hdr h = { kind, len };

	evil_write(fd, &h, sizeof(h));
	if (n)
		evil_write(fd, payload, n);
}

static void evil_text(int fd, uint32_t kind, const char *text)
{
	evil_frame(fd, kind, (uint32_t)strlen(text), text, strlen(text));
}

static uint32_t evil_env(const char *name)
{
	const char *v = getenv(name);

	return v ? (uint32_t)strtoul(v, NULL, 0) : 0;
}

static void evil_shutdown(int fd, const char *charge)
{
	struct evil_shutdown rq;

	memset(&rq, 0, sizeof(rq));
	rq.gen = evil_env("UPSPLAN_EVIL_GEN");
	rq.pc = evil_env("UPSPLAN_EVIL_PC");
	rq.ups = evil_env("UPSPLAN_EVIL_UPS");
	rq.pair = 0;
	rq.timer = getenv("UPSPLAN_EVIL_TIMER") ? evil_env("UPSPLAN_EVIL_TIMER") : UINT32_MAX;
	rq.power_failing = getenv("UPSPLAN_EVIL_FAILING") ? evil_env("UPSPLAN_EVIL_FAILING") : 1;
	if (charge)
		memcpy(rq.charge, charge, strlen(charge) < sizeof(rq.charge) ? strlen(charge) + 1 : sizeof(rq.charge));
	evil_frame(fd, K_SHUTDOWN, sizeof(rq), &rq, sizeof(rq));
}

static void evil_sleep(double s)
{
	struct timespec ts = { (time_t)s, (long)((s - (double)(time_t)s) * 1e9) };

	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}

/* The cases; each ends the process (or sleeps until it is killed). */
static void evil_run(const char *what, int fd)
{
	if (strcmp(what, "frames-then-bad") == 0) {
		/* many good frames, a bad header, the end: the parent reads the bad one after reaping this process */
		for (int i = 0; i < 2000; i++)
			evil_text(fd, K_NOTIFY, "WATCHDOG=1");
		evil_frame(fd, 99, 0, NULL, 0);
		_exit(0);
	} else if (strcmp(what, "die-keep-socket") == 0) {
		/* ready, then dead, while a process of its own keeps the socket busy for 3 s */
		evil_text(fd, K_NOTIFY, "READY=1");
		if (fork() == 0) {
			for (int i = 0; i < 150; i++) {
				evil_text(fd, K_NOTIFY, "WATCHDOG=1");
				evil_sleep(0.02);
			}
			_exit(0);
		}
		_exit(3);
	} else if (strcmp(what, "deaf") == 0) {
		/* ready, then deaf to the signals that stop the daemon */
		evil_text(fd, K_NOTIFY, "READY=1");
		signal(SIGTERM, SIG_IGN);
		signal(SIGINT, SIG_IGN);
		evil_sleep(120);
		_exit(0);
	} else if (strcmp(what, "unknown-kind") == 0) {
		evil_frame(fd, 99, 0, NULL, 0);
	} else if (strcmp(what, "parent-kind") == 0) {
		char done[208];
		memset(done, 0, sizeof(done));
		evil_frame(fd, K_DONE, sizeof(done), done, sizeof(done));
	} else if (strcmp(what, "image-kind") == 0) {
		evil_frame(fd, K_IMAGE, 16, "0123456789abcdef", 16);
	} else if (strcmp(what, "long-notify") == 0) {
		evil_frame(fd, K_NOTIFY, 100000, NULL, 0);	/* the header alone must be refused */
	} else if (strcmp(what, "huge-len") == 0) {
		evil_frame(fd, K_SHUTDOWN, UINT32_MAX, NULL, 0);
	} else if (strcmp(what, "short-shutdown") == 0) {
		evil_frame(fd, K_SHUTDOWN, 8, "12345678", 8);
	} else if (strcmp(what, "empty-notify") == 0) {
		evil_frame(fd, K_NOTIFY, 0, NULL, 0);
	} else if (strcmp(what, "stall") == 0) {
		/* half a frame, then nothing, deaf to SIGTERM: the parent must not wait for the rest */
		struct evil_shutdown rq;
		signal(SIGTERM, SIG_IGN);
		memset(&rq, 0, sizeof(rq));
		evil_frame(fd, K_SHUTDOWN, sizeof(rq), &rq, 10);
		evil_sleep(60);
	} else if (strcmp(what, "charge-unterminated") == 0) {
		evil_shutdown(fd, "01234567890123456789012345678901234");
	} else if (strcmp(what, "notify-mainpid") == 0) {
		evil_text(fd, K_NOTIFY, "MAINPID=1");
	} else if (strcmp(what, "notify-newline") == 0) {
		evil_text(fd, K_NOTIFY, "READY=1\nMAINPID=1");
	} else if (strcmp(what, "notify-nul") == 0) {
		evil_frame(fd, K_NOTIFY, 9, "READY=1\0X", 9);
	} else if (strcmp(what, "desktop-nul") == 0) {
		evil_frame(fd, K_DESKTOP, 5, "a\0b\0c", 5);
	} else if (strcmp(what, "ack-bad") == 0) {
		struct evil_ack a = { 1, 7 };
		evil_frame(fd, K_ACK, sizeof(a), &a, sizeof(a));
	} else if (strcmp(what, "ack-unsent") == 0) {
		struct evil_ack a = { 5, 1 };
		evil_frame(fd, K_ACK, sizeof(a), &a, sizeof(a));
	} else if (strcmp(what, "shutdown") == 0) {
		/* a request as the environment says, twice */
		evil_shutdown(fd, "42");
		evil_sleep(1);
		evil_shutdown(fd, "42");
	} else if (strcmp(what, "slow-valid") == 0) {
		/* a good frame, one byte every 10 ms: slow is not malformed */
		struct evil_hdr h = { K_NOTIFY, 10 };
		char buf[sizeof(h) + 10];
		memcpy(buf, &h, sizeof(h));
		memcpy(buf + sizeof(h), "WATCHDOG=1", 10);
		for (size_t i = 0; i < sizeof(buf); i++) {
			evil_write(fd, buf + i, 1);
			evil_sleep(0.01);
		}
		evil_text(fd, K_NOTIFY, "STATUS=slow frame done");
	} else if (strcmp(what, "no-read") == 0) {
		/* requests whose answers it never reads: the parent must not block writing them */
		for (int i = 0; i < 20000; i++)
			evil_shutdown(fd, "");
	} else if (strcmp(what, "reload-payload") == 0) {
		evil_frame(fd, K_RELOAD, 4, "1234", 4);
	} else if (strcmp(what, "refused-kind") == 0) {
		evil_text(fd, K_REFUSED, "no");
	} else if (strcmp(what, "reload-flood") == 0) {
		/* ready, then 500 reload requests it never reads the answers of: one reload, as one SIGHUP */
		evil_text(fd, K_NOTIFY, "READY=1");
		for (int i = 0; i < 500; i++)
			evil_frame(fd, K_RELOAD, 0, NULL, 0);
	} else if (strcmp(what, "desktop-flood") == 0) {
		for (int i = 0; i < 100; i++)
			evil_text(fd, K_DESKTOP, "flood");
	} else {
		fprintf(stderr, "evil-child: unknown case '%s'\n", what);
		_exit(8);
	}
	evil_sleep(30);	/* the parent decides what happens to it */
	_exit(0);
}

int socketpair(int domain, int type, int protocol, int sv[2])
{
	static int (*real)(int, int, int, int[2]);
	int rc;

	if (!real)
		real = (int (*)(int, int, int, int[2]))dlsym(RTLD_NEXT, "socketpair");
	rc = real(domain, type, protocol, sv);
	if (rc == 0 && domain == AF_UNIX) {
		evil_sv[0] = sv[0];
		evil_sv[1] = sv[1];
	}
	return rc;
}

int setuid(uid_t uid)
{
	static int (*real)(uid_t);
	const char *what = getenv("UPSPLAN_EVIL"), *once = getenv("UPSPLAN_EVIL_ONCE");
	int rc;

	if (!real)
		real = (int (*)(uid_t))dlsym(RTLD_NEXT, "setuid");
	rc = real(uid);
	/* the monitoring child: it keeps the child's end of the pair, it closed the parent's */
	if (rc != 0 || !what || evil_sv[1] < 0 || fcntl(evil_sv[1], F_GETFD) < 0 || fcntl(evil_sv[0], F_GETFD) >= 0)
		return rc;
	if (once) {
		int fd = open(once, O_WRONLY | O_CREAT | O_EXCL, 0666);
		if (fd < 0)
			return rc;	/* an earlier child misbehaved: this one is honest */
		close(fd);
	}
	evil_run(what, evil_sv[1]);
	_exit(0);
}
