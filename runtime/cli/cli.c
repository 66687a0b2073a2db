/* SPDX-License-Identifier: GPL-2.0-or-later */
/* cli.c - what the subcommands share: option errors, -W options, checked names, standard input, the mail and alert helpers. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "base/source.h"
#include "engine/argv.h"
#include "engine/compile.h"
#include "runtime/cli/cli.h"
#include "runtime/common/monotonic.h"
#include "runtime/daemon/child.h"

int cli_option_error(const char *cmd, int c, char **argv)
{
	if (c == ':' && optopt == 'W')
		fprintf(stderr, "upsplan %s: -W needs a value: -Werror, -Wno-CODE or -Wno-file-mode\n", cmd);
	else if (c == ':')
		fprintf(stderr, "upsplan %s: option '%s' needs a value\n", cmd, argv[optind - 1]);
	else if (optopt)
		fprintf(stderr, "upsplan %s: unknown option '-%c'\n", cmd, optopt);
	else
		fprintf(stderr, "upsplan %s: unknown option '%s'\n", cmd, argv[optind - 1]);
	fprintf(stderr, "Try 'upsplan help %s'.\n", cmd);
	return EXIT_USAGE;
}

int cli_warn_option(const char *cmd, struct cli_warn *w, const char *arg)
{
	int code;

	if (strcmp(arg, "error") == 0) {
		w->werror = 1;
		return 0;
	}
	if (strcmp(arg, "no-file-mode") == 0) {
		w->disabled[DIAG_FILE_MODE] = 1;
		return 0;
	}
	code = strncmp(arg, "no-", 3) == 0 ? diag_code_lookup(arg + 3) : -1;
	if (code < 0) {
		fprintf(stderr, "upsplan %s: unknown option '-W%s'; use -Werror, -Wno-CODE (e.g. -Wno-W600) or "
			"-Wno-file-mode\n", cmd, arg);
		return EXIT_USAGE;
	}
	if (diag_code_severity(code) == DIAG_ERROR) {
		fprintf(stderr, "upsplan %s: %s is an error and cannot be disabled\n", cmd, diag_code_name(code));
		return EXIT_USAGE;
	}
	w->disabled[code] = 1;
	return 0;
}

int cli_not_here(const char *cmd, const char *opt, const char *why)
{
	fprintf(stderr, "upsplan %s: option '%s' is not one of %s's: %s\nTry 'upsplan help %s'.\n", cmd, opt, cmd,
		why, cmd);
	return EXIT_USAGE;
}

int cli_name_arg(const char *cmd, const char *opt, const char *val, size_t max)
{
	size_t len = strlen(val);

	if (len >= 1 && len <= max && argv_plain_word(val, len))
		return 0;
	fprintf(stderr, "upsplan %s: %s wants a name of 1 to %zu letters, digits, '.', '_' or '-', not '%.*s%s'\n",
		cmd, opt, max, len > 80 ? 80 : (int)len, val, len > 80 ? "..." : "");
	return -1;
}

void cli_this_host(const char *cmd, char *buf, size_t len)
{
	size_t n;

	buf[0] = '\0';
	if (gethostname(buf, len - 1) != 0)
		buf[0] = '\0';
	buf[len - 1] = '\0';
	n = strlen(buf);
	if (n >= 1 && n <= CLI_MAX_HOSTNAME && argv_plain_word(buf, n))
		return;
	fprintf(stderr, "upsplan %s: this machine's name '%s' is not a plain host name; 'localhost' is used (give --hostname=NAME)\n",
		cmd, buf);
	snprintf(buf, len, "localhost");
}

const struct src_file *cli_load_stdin(struct src_registry *reg, size_t max, char *err, size_t errlen)
{
	const struct src_file *f;
	struct stat st;
	size_t len;
	char *text;
	int fd = dup(STDIN_FILENO);	/* src_read_fd closes what it reads */

	if (fd < 0 || fstat(fd, &st) != 0) {
		snprintf(err, errlen, "cannot read standard input: %s", strerror(errno));
		if (fd >= 0)
			close(fd);
		return NULL;
	}
	if (!S_ISREG(st.st_mode))
		st.st_size = 0;	/* a pipe or a terminal: its size says nothing */
	text = src_read_fd(fd, &st, CLI_STDIN_NAME, max, &len, err, errlen);
	if (!text)
		return NULL;
	f = src_add_text(reg, CLI_STDIN_NAME, text, len);
	free(text);
	if (!f)
		snprintf(err, errlen, "cannot read standard input: the files read so far take 2 GiB");
	return f;
}

int cli_no_stdin(const char *cmd, const char *what, const char *path)
{
	if (strcmp(path, "-") != 0)
		return 0;
	fprintf(stderr, "upsplan %s: %s '-': only upsplan check reads a plan from standard input; "
		"give a file (a file named '-' is './-')\n", cmd, what);
	return -1;
}

/* BUF (at least PATH_MAX): the helper NAME ("/upsplan-mail") in the directory of the program PATH, absolute; 0 when it is there. */
static int cli_helper_beside(const char *path, const char *name, char *buf)
{
	const char *slash = strrchr(path, '/');
	size_t dir = slash ? (size_t)(slash - path) : 0;
	char rel[PATH_MAX];

	if (!slash || dir + strlen(name) + 1 > sizeof(rel))
		return -1;
	memcpy(rel, path, dir);
	memcpy(rel + dir, name, strlen(name) + 1);
	/* absolute: the daemon leaves its working directory */
	return realpath(rel, buf) && access(buf, X_OK) == 0 ? 0 : -1;
}

/* The helper installed at INSTALLED, else the one NAME beside this upsplan (uninstalled), else INSTALLED. */
static const char *cli_helper(char *buf, const char *installed, const char *name)
{
	char exe[PATH_MAX];
	ssize_t n;

	if (access(installed, X_OK) == 0)
		return installed;
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n > 0) {
		exe[n] = '\0';
		if (cli_helper_beside(exe, name, buf) == 0)
			return buf;
	}
	if (cli_helper_beside(program_invocation_name, name, buf) == 0)
		return buf;
	return installed;	/* missing: each use says so */
}

const char *cli_mail_helper(char *buf)
{
	return cli_helper(buf, UPSPLAN_MAIL_HELPER, "/upsplan-mail");
}

const char *cli_alert_helper(char *buf)
{
	return cli_helper(buf, UPSPLAN_ALERT_HELPER, "/upsplan-alert");
}


/*
 * Run HELPER --version (no shell, no input) and read at most LEN - 1
 * bytes of its standard output into BUF within CLI_VERSION_MS.  Returns
 * 0 when it answered and exited 0, else -1 with the reason in WHY.
 */
#define CLI_VERSION_WAIT 3.0	/* seconds */
static int cli_ask_version(const char *helper, char *buf, size_t len, char *why, size_t whylen)
{
	double deadline = rt_monotonic() + CLI_VERSION_WAIT;
	size_t got = 0;
	int p[2], status = 0, timed_out = 0;
	pid_t pid;

	buf[0] = '\0';
	if (pipe2(p, O_CLOEXEC) != 0) {
		snprintf(why, whylen, "cannot run it: %s", strerror(errno));
		return -1;
	}
	pid = fork();
	if (pid < 0) {
		snprintf(why, whylen, "cannot run it: %s", strerror(errno));
		close(p[0]);
		close(p[1]);
		return -1;
	}
	if (pid == 0) {
		child_setup(CHILD_NULL, p[1], CHILD_NULL);
		execl(helper, helper, "--version", (char *)NULL);
		_exit(127);
	}
	close(p[1]);
	for (;;) {
		struct pollfd pfd = { p[0], POLLIN, 0 };
		double left = deadline - rt_monotonic();
		ssize_t n;

		if (left <= 0) {
			timed_out = 1;
			break;
		}
		if (poll(&pfd, 1, (int)(left * 1000) + 1) < 0 && errno != EINTR)
			break;
		if (!pfd.revents)
			continue;
		n = read(p[0], buf + got, len - 1 - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		got += (size_t)n;
		if (got == len - 1)
			break;	/* enough: the first line is all that is shown */
	}
	close(p[0]);
	buf[got] = '\0';
	kill(pid, SIGKILL);	/* exited already, or does not answer: either way it is done */
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (timed_out) {
		snprintf(why, whylen, "did not answer within %.0f s", CLI_VERSION_WAIT);
		return -1;
	}
	if (got == 0 && WIFEXITED(status) && WEXITSTATUS(status) != 0) {
		snprintf(why, whylen, "%s (exit status %d)",
			 WEXITSTATUS(status) == 127 ? "cannot be run" : "does not tell its version",
			 WEXITSTATUS(status));
		return -1;
	}
	if (got == 0) {
		snprintf(why, whylen, "told no version");
		return -1;
	}
	return 0;
}

/* "KIND helper HELPER: its first line of --version", or why not (WHAT cannot be sent). */
static void cli_helper_version(FILE *out, const char *kind, const char *helper, const char *what)
{
	char answer[512], why[128];
	size_t i;

	if (access(helper, X_OK) != 0) {
		fprintf(out, "%s helper %s: missing (%s): %s cannot be sent\n", kind, helper, strerror(errno), what);
		return;
	}
	if (cli_ask_version(helper, answer, sizeof(answer), why, sizeof(why)) != 0) {
		fprintf(out, "%s helper %s: %s\n", kind, helper, why);
		return;
	}
	/* its first line, printable bytes only: it is another program's text */
	for (i = 0; answer[i] && answer[i] != '\n'; i++)
		if ((unsigned char)answer[i] < 0x20 || answer[i] == 0x7f)
			answer[i] = '?';
	answer[i] = '\0';
	fprintf(out, "%s helper %s: %s\n", kind, helper, answer);
}

void cli_mail_version(FILE *out)
{
	char path[PATH_MAX];

	cli_helper_version(out, "mail", cli_mail_helper(path), "EMAIL actions");
}

void cli_alert_version(FILE *out)
{
	char path[PATH_MAX];

	cli_helper_version(out, "alert", cli_alert_helper(path), "ALERT and RESOLVE actions");
}

/* Write LEN bytes of P to FD; 0, or -1 with errno. */
static int cli_write_all(int fd, const char *p, size_t len)
{
	while (len) {
		ssize_t w = write(fd, p, len);

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return -1;
		p += w;
		len -= (size_t)w;
	}
	return 0;
}

int cli_write_plan(const char *cmd, const char *out, int force, const char *p, size_t len)
{
	char tmp[4200];
	struct stat st;
	int fd, flags = O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC;

	if (lstat(out, &st) == 0) {
		if (S_ISLNK(st.st_mode)) {
			fprintf(stderr, "upsplan %s: '%s' is a symbolic link: no plan is written through one; "
				"give the path of the file itself\n", cmd, out);
			return EXIT_USAGE;
		}
		if (!force) {
			fprintf(stderr, "upsplan %s: '%s' exists; add --force to replace it\n", cmd, out);
			return EXIT_USAGE;
		}
		if (!S_ISREG(st.st_mode)) {
			fprintf(stderr, "upsplan %s: '%s' is %s, not a plan file: not replaced\n", cmd, out,
				src_kind(st.st_mode));
			return EXIT_USAGE;
		}
	}
	snprintf(tmp, sizeof(tmp), "%s.%s-%ld", out, cmd, (long)getpid());
	fd = open(force ? tmp : out, flags, 0640);
	if (fd < 0) {
		fprintf(stderr, "upsplan %s: cannot create '%s': %s%s\n", cmd, force ? tmp : out, strerror(errno),
			errno == EEXIST ? (force ? " (left by an earlier run? remove it)" : " (add --force to replace it)") : "");
		return EXIT_USAGE;
	}
	/* 0640 whatever the umask: the plan holds passwords; the daemon's group reads it */
	if (cli_write_all(fd, p, len) != 0 || fchmod(fd, 0640) != 0 || fsync(fd) != 0 || close(fd) != 0 ||
	    (force && rename(tmp, out) != 0)) {
		fprintf(stderr, "upsplan %s: cannot write '%s': %s\n", cmd, out, strerror(errno));
		unlink(force ? tmp : out);
		return EXIT_USAGE;
	}
	return EXIT_CLEAN;
}

int cli_check_plan(struct src_registry *reg, struct diag_queue *dq, const char *label, const char *p, size_t len,
		   int mute, const struct src_file **f, char *err, size_t errlen)
{
	struct sema_options o = { .hostname = "localhost" };
	struct plan_image img;
	int rc;

	src_init(reg);
	diag_init(dq, reg);
	if (mute >= 0)
		dq->disabled[mute] = 1;
	*f = src_add_text(reg, label, p, len);
	rc = compile_plan(reg, *f, dq, &o, &img, err, errlen);
	if (rc == 0 && (dq->nwarnings || dq->nerrors))
		rc = 1;
	if (rc == 0)
		img_free(&img);
	return rc;
}
