/* SPDX-License-Identifier: GPL-2.0-or-later */
/* file-access.c - why this process cannot read a file the plan names, in words: missing, a directory it may not search, a mode that keeps it out. */
#include "config.h"

#include <errno.h>
#include <grp.h>
#include <limits.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/source.h"
#include "runtime/common/file-access.h"

/* The name of user UID, else its number, into BUF. */
static const char *fa_user(uid_t uid, char *buf, size_t len)
{
	struct passwd *pw = getpwuid(uid);

	if (pw)
		snprintf(buf, len, "%s", pw->pw_name);
	else
		snprintf(buf, len, "%lu", (unsigned long)uid);
	return buf;
}

/* The name of group GID, else its number, into BUF. */
static const char *fa_group(gid_t gid, char *buf, size_t len)
{
	struct group *gr = getgrgid(gid);

	if (gr)
		snprintf(buf, len, "%s", gr->gr_name);
	else
		snprintf(buf, len, "%lu", (unsigned long)gid);
	return buf;
}

const char *fa_who(char *buf, size_t len)
{
	char name[128];

	snprintf(buf, len, "the monitoring user %s", fa_user(geteuid(), name, sizeof(name)));
	return buf;
}

/* The first directory of PATH's path that this process may not search, into DIR; 0 when there is none. */
static int fa_blocking_dir(const char *path, char *dir, size_t len)
{
	size_t n = strlen(path);
	const char *slash;

	if (n >= len)
		return 0;
	if (path[0] != '/' && access(".", X_OK) != 0) {
		snprintf(dir, len, ".");
		return 1;
	}
	for (const char *p = path + 1; (slash = strchr(p, '/')) != NULL; p = slash + 1) {
		size_t k = (size_t)(slash - path);
		memcpy(dir, path, k);
		dir[k] = '\0';
		if (k == 0)
			continue;
		if (access(dir, X_OK) != 0)
			return 1;
	}
	if (path[0] == '/' && access("/", X_OK) != 0) {
		snprintf(dir, len, "/");
		return 1;
	}
	return 0;
}

int fa_explain(const char *what, const char *path, const char *who, enum fa_kind kind, int err, char *msg,
	       size_t msglen, char *fix, size_t fixlen)
{
	char dir[PATH_MAX], owner[128], grp[128], mine[128];
	struct stat st;

	fix[0] = '\0';
	if (err == ENOENT || err == ENOTDIR) {
		snprintf(msg, msglen, "%s %s does not exist", what, path);
		return ENOENT;
	}
	if (err == EINVAL && stat(path, &st) == 0 && !S_ISREG(st.st_mode)) {
		snprintf(msg, msglen, "%s %s is %s, not a regular file", what, path, src_kind(st.st_mode));
		snprintf(fix, fixlen, "%s names one file, in PEM", what);
		return EINVAL;
	}
	if (err != EACCES) {
		snprintf(msg, msglen, "%s %s cannot be read: %s", what, path, strerror(err));
		return err;
	}
	fa_group(getegid(), mine, sizeof(mine));
	if (fa_blocking_dir(path, dir, sizeof(dir)) && stat(dir, &st) == 0) {
		snprintf(msg, msglen, "%s %s: %s cannot reach it: it may not search the directory %s (mode %04o %s:%s)",
			 what, path, who, dir, (unsigned)(st.st_mode & 07777), fa_user(st.st_uid, owner, sizeof(owner)),
			 fa_group(st.st_gid, grp, sizeof(grp)));
		snprintf(fix, fixlen, "chgrp %s %s && chmod g+x %s, or keep %s in a directory %s can search", mine, dir,
			 dir, what, who);
		return EACCES;
	}
	if (stat(path, &st) != 0) {
		snprintf(msg, msglen, "%s %s: %s cannot read it: %s", what, path, who, strerror(err));
		return EACCES;
	}
	snprintf(msg, msglen, "%s %s: %s cannot read it (mode %04o %s:%s)", what, path, who,
		 (unsigned)(st.st_mode & 07777), fa_user(st.st_uid, owner, sizeof(owner)),
		 fa_group(st.st_gid, grp, sizeof(grp)));
	snprintf(fix, fixlen, "chgrp %s %s && chmod 0640 %s%s%s%s", mine, path, path,
		 kind == FA_PUBLIC ? ", or chmod 0644 " : "", kind == FA_PUBLIC ? path : "",
		 kind == FA_PUBLIC ? " (a certificate is no secret)" : "");
	return EACCES;
}

/* fa_check() as this process, WHO in the words. */
static int fa_try(const char *what, const char *path, const char *who, enum fa_kind kind, char *msg, size_t msglen,
		  char *fix, size_t fixlen)
{
	char err[600];

	if (src_check_regular(path, err, sizeof(err)) == 0)
		return 0;
	fa_explain(what, path, who, kind, errno, msg, msglen, fix, fixlen);
	return 1;
}

int fa_check(const char *what, const char *path, const char *user, enum fa_kind kind, char *msg, size_t msglen,
	     char *fix, size_t fixlen)
{
	char who[160], me[128], buf[2048];
	struct passwd *pw = user ? getpwnam(user) : NULL;
	int p[2], st;
	size_t got = 0;
	ssize_t n;
	pid_t pid;
	uid_t uid;
	gid_t gid;

	msg[0] = fix[0] = '\0';
	if (!user || (pw && pw->pw_uid == geteuid())) {
		snprintf(who, sizeof(who), "user %s", fa_user(geteuid(), me, sizeof(me)));
		return fa_try(what, path, who, kind, msg, msglen, fix, fixlen);
	}
	if (!pw) {
		snprintf(msg, msglen, "there is no user '%s'", user);
		return -1;
	}
	uid = pw->pw_uid;
	gid = pw->pw_gid;
	snprintf(who, sizeof(who), "the monitoring user %s", pw->pw_name);
	if (pipe(p) != 0) {
		snprintf(msg, msglen, "cannot make a pipe: %s", strerror(errno));
		return -1;
	}
	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		snprintf(msg, msglen, "cannot make a process: %s", strerror(errno));
		close(p[0]);
		close(p[1]);
		return -1;
	}
	if (pid == 0) {	/* USER, for one open() */
		int r = 2;
		close(p[0]);
		if (initgroups(user, gid) == 0 && setgid(gid) == 0 && setuid(uid) == 0) {
			r = fa_try(what, path, who, kind, msg, msglen, fix, fixlen);
			if (r && (write(p[1], msg, strlen(msg) + 1) < 0 || write(p[1], fix, strlen(fix) + 1) < 0))
				r = 2;
		}
		_exit(r);
	}
	close(p[1]);
	while (got < sizeof(buf) - 2 && ((n = read(p[0], buf + got, sizeof(buf) - 2 - got)) > 0 ||
					 (n < 0 && errno == EINTR)))
		got += n > 0 ? (size_t)n : 0;
	close(p[0]);
	buf[got] = buf[got + 1] = '\0';
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	if (!WIFEXITED(st) || WEXITSTATUS(st) > 1) {
		snprintf(msg, msglen, "cannot take the identity of user %s", user);
		return -1;
	}
	if (WEXITSTATUS(st) == 0)
		return 0;
	snprintf(msg, msglen, "%s", buf);
	snprintf(fix, fixlen, "%s", buf + strlen(buf) + 1);
	return 1;
}
