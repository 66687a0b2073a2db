/* SPDX-License-Identifier: GPL-2.0-or-later */
/* cmd-fsd.c - upsplan fsd: the operator's forced shutdown (NUT's upsmon -c fsd): SIGUSR2 to the daemon named by its PID file. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "runtime/cli/cli.h"
#include "runtime/common/safe-file.h"

const char fsd_usage[] =
	"Usage: upsplan fsd [-p PIDFILE]\n"
	"Ask the running upsplan daemon for a forced shutdown, as NUT's\n"
	"'upsmon -c fsd' does: SIGUSR2 to the process of its PID file, which then\n"
	"runs the plan's WHEN ... TIMEOUT fsd clauses (the built-in timer fsd\n"
	"expires).  A plan without such a clause does nothing (the daemon logs it).\n"
	"\n"
	"Options:\n"
	"  -p, --pidfile=FILE     the daemon's PID file (default: the systemd unit's,\n"
	"                         /run/upsplan/upsplan.pid, when it exists, else\n"
	"                         /run/upsplan.pid, upsplan run's default as root)\n"
	"  -h, --help             show this help\n"
	"\n"
	"The PID file must be a regular file (no symbolic link) with one link,\n"
	"root's or the caller's, that no other user can write, holding a PID\n"
	"above 0, and a running upsplan must hold its lock: a stale file is\n"
	"never trusted.  Exit status: 0 sent, 1 not sent (the reason is printed),\n"
	"2 usage.\n";

/* without -p: the PID file of upsplan.service when there is one, else upsplan run's default */
#define FSD_UNIT_PIDFILE "/run/upsplan/upsplan.pid"
#define FSD_DEFAULT_PIDFILE "/run/upsplan.pid"

/* The PID in PATH, checked (see fsd_usage); 0 after a message on stderr. */
static pid_t fsd_read_pid(const char *path)
{
	char buf[32], why[200];
	struct stat st;
	ssize_t n;
	long pid = 0;
	int fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC), i;

	if (fd < 0) {
		fprintf(stderr, "upsplan fsd: cannot open the PID file %s: %s%s\n", path, strerror(errno),
			errno == ENOENT ? ": is upsplan run running? (-p names another PID file)" :
			errno == ELOOP ? ": it is a symbolic link, which is not followed" : "");
		return 0;
	}
	if (fstat(fd, &st) != 0) {
		fprintf(stderr, "upsplan fsd: cannot read the PID file %s: %s\n", path, strerror(errno));
		close(fd);
		return 0;
	}
	if (safe_problem(&st, 0, geteuid(), why, sizeof(why)) ||
	    ((st.st_mode & (S_IWGRP | S_IWOTH)) &&
	     snprintf(why, sizeof(why), "can be written by other users (mode %04o; upsplan run makes it 0644)",
		      (unsigned)(st.st_mode & 07777)) > 0)) {
		fprintf(stderr, "upsplan fsd: the PID file %s %s: it is not trusted, nothing sent\n", path, why);
		close(fd);
		return 0;
	}
	n = read(fd, buf, sizeof(buf) - 1);
	buf[n > 0 ? n : 0] = '\0';
	for (i = 0; buf[i] >= '0' && buf[i] <= '9' && pid <= 0x7fffffffL; i++)
		pid = pid * 10 + (buf[i] - '0');
	if (i == 0 || pid <= 0 || pid > 0x7fffffffL || (buf[i] != '\0' && strcmp(buf + i, "\n") != 0)) {
		fprintf(stderr, "upsplan fsd: the PID file %s does not hold a PID above 0\n", path);
		close(fd);
		return 0;
	}
	/* upsplan run holds the lock for its whole life: a file nobody holds is left over, its PID maybe another's */
	if (flock(fd, LOCK_SH | LOCK_NB) == 0) {
		fprintf(stderr, "upsplan fsd: no upsplan holds the PID file %s (pid %ld): it is left over from a "
				"daemon that ended; nothing sent\n", path, pid);
		close(fd);
		return 0;
	}
	close(fd);
	return (pid_t)pid;
}

int cmd_fsd(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "pidfile", required_argument, NULL, 'p' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *path = NULL;
	struct stat st;
	pid_t pid;
	int c;

	opterr = 0;
	while ((c = getopt_long(argc, argv, ":p:h", opts, NULL)) != -1) {
		switch (c) {
		case 'p':
			path = optarg;
			break;
		case 'h':
			fputs(fsd_usage, stdout);
			return EXIT_CLEAN;
		default:
			return cli_option_error("fsd", c, argv);
		}
	}
	if (optind != argc) {
		fprintf(stderr, "upsplan fsd: unexpected argument '%s'\nTry 'upsplan help fsd'.\n", argv[optind]);
		return EXIT_USAGE;
	}
	if (!path)
		path = lstat(FSD_UNIT_PIDFILE, &st) == 0 ? FSD_UNIT_PIDFILE : FSD_DEFAULT_PIDFILE;
	pid = fsd_read_pid(path);
	if (pid <= 0)
		return EXIT_ERRORS;
	if (kill(pid, SIGUSR2) != 0) {
		fprintf(stderr, "upsplan fsd: cannot signal upsplan (pid %ld): %s%s\n", (long)pid, strerror(errno),
			errno == EPERM ? ": run it as the daemon's user (root)" : "");
		return EXIT_ERRORS;
	}
	printf("upsplan fsd: forced shutdown asked of upsplan (pid %ld): its WHEN ... TIMEOUT fsd clauses run; "
	       "its log says what they do\n", (long)pid);
	return EXIT_CLEAN;
}
