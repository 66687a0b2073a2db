/* SPDX-License-Identifier: GPL-2.0-or-later */
/* desktop.c - finding the graphical sessions in utmp and running the NOTIFY command in each, as its user. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <syslog.h>
#include <unistd.h>
#include <utmpx.h>

#include "base/source.h"
#include "runtime/daemon/child.h"
#include "runtime/daemon/desktop.h"
#include "runtime/daemon/log.h"

/* ":N" or ":N.S": an X display name. */
static int dt_is_display(const char *s, size_t len)
{
	size_t i = 1;

	if (len < 2 || s[0] != ':' || s[1] < '0' || s[1] > '9')
		return 0;
	while (i < len && s[i] && ((s[i] >= '0' && s[i] <= '9') || s[i] == '.'))
		i++;
	return i == len || s[i] == '\0';
}

#define DT_UTMP_MAX (16u << 20)	/* 43,000 records: more than any utmp holds */

/* A copy of the fixed-width utmp field F (not NUL-terminated when full). */
#define DT_FIELD(dst, f) snprintf((dst), sizeof(dst), "%.*s", (int)sizeof(f), (f))

int dt_sessions(const char *utmp, struct dt_session *out, int max)
{
	const char *path = utmp ? utmp : _PATH_UTMPX;
	char err[600], *buf;
	size_t len;
	int n = 0;

	/*
	 * the records read here, not by getutxent(), which would open the file
	 * in blocking mode: a FIFO there would hang the root parent
	 */
	buf = src_read_file(path, DT_UTMP_MAX, &len, NULL, err, sizeof(err));
	if (!buf) {
		if (errno == ENOENT && !utmp)
			log_debug(1, "NOTIFY: no logged-in users: %s", err);
		else
			log_msg(LOG_ERR, "NOTIFY: the logged-in users are unknown: %s", err);
		return 0;
	}
	for (size_t off = 0; off + sizeof(struct utmpx) <= len && n < max; off += sizeof(struct utmpx)) {
		struct utmpx rec, *u = &rec;
		char user[sizeof(u->ut_user) + 1], line[sizeof(u->ut_line) + 1], host[sizeof(u->ut_host) + 1];
		char bus[64];
		struct passwd *pw;
		struct stat st;
		const char *display = "";
		int dup = 0;

		memcpy(&rec, buf + off, sizeof(rec));	/* the file is an array of them */
		if (u->ut_type != USER_PROCESS)
			continue;
		DT_FIELD(user, u->ut_user);
		DT_FIELD(line, u->ut_line);
		DT_FIELD(host, u->ut_host);
		if (!user[0] || (u->ut_pid > 0 && kill(u->ut_pid, 0) != 0 && errno == ESRCH))
			continue;	/* a stale record: its session is gone */
		pw = getpwnam(user);
		if (!pw || pw->pw_uid == 0)
			continue;	/* root's desktop gets no notice run as root by a daemon */
		snprintf(bus, sizeof(bus), "/run/user/%ld/bus", (long)pw->pw_uid);
		if (dt_is_display(host, strlen(host)))
			display = host;
		else if (dt_is_display(line, strlen(line)))
			display = line;
		else if (strncmp(line, "tty", 3) != 0 || stat(bus, &st) != 0 || !S_ISSOCK(st.st_mode))
			continue;	/* a remote login or a text console */
		for (int i = 0; i < n; i++)
			dup |= out[i].uid == pw->pw_uid;
		if (dup)
			continue;
		memset(&out[n], 0, sizeof(out[n]));
		out[n].uid = pw->pw_uid;
		out[n].gid = pw->pw_gid;
		snprintf(out[n].user, sizeof(out[n].user), "%s", pw->pw_name);
		snprintf(out[n].display, sizeof(out[n].display), "%s", display);
		snprintf(out[n].home, sizeof(out[n].home), "%s", pw->pw_dir);
		n++;
	}
	free(buf);
	return n;
}

pid_t dt_notify(const struct dt_session *s, char *const *argv, const char *text, unsigned timeout)
{
	pid_t pid = fork();

	if (pid != 0)
		return pid;
	/* the child */
	char runtime[64], bus[96], display[80], home[300], user[80], logname[80];
	char *env[8];
	int n = 0;
	size_t argc = 0;

	child_setup(CHILD_NULL, CHILD_NULL, CHILD_KEEP);	/* its errors go to the daemon's log */
	if (initgroups(s->user, s->gid) != 0 || setgid(s->gid) != 0 || setuid(s->uid) != 0 || setuid(0) == 0) {
		fprintf(stderr, "upsplan: NOTIFY for %s: cannot become that user: %s\n", s->user, strerror(errno));
		_exit(126);
	}
	snprintf(runtime, sizeof(runtime), "XDG_RUNTIME_DIR=/run/user/%ld", (long)s->uid);
	snprintf(bus, sizeof(bus), "DBUS_SESSION_BUS_ADDRESS=unix:path=/run/user/%ld/bus", (long)s->uid);
	snprintf(home, sizeof(home), "HOME=%s", s->home);
	snprintf(user, sizeof(user), "USER=%s", s->user);
	snprintf(logname, sizeof(logname), "LOGNAME=%s", s->user);
	env[n++] = runtime;
	env[n++] = bus;
	env[n++] = home;
	env[n++] = user;
	env[n++] = logname;
	env[n++] = "PATH=/usr/local/bin:/usr/bin:/bin";
	if (s->display[0]) {
		snprintf(display, sizeof(display), "DISPLAY=%s", s->display);
		env[n++] = display;
	}
	env[n] = NULL;
	environ = env;
	while (argv[argc])
		argc++;
	char **args = calloc(argc + 2, sizeof(char *));
	if (!args)
		_exit(126);
	memcpy(args, argv, argc * sizeof(char *));
	args[argc] = (char *)text;
	alarm(timeout);	/* kept across exec: a hung notifier dies of SIGALRM */
	execvp(args[0], args);
	fprintf(stderr, "upsplan: NOTIFY for %s: cannot run %s: %s\n", s->user, args[0], strerror(errno));
	_exit(127);
}
