/* SPDX-License-Identifier: GPL-2.0-or-later */
/* safe-file.c - files the daemon writes as root (PID file, NUT log, trace): opened without following links, checked before use. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pwd.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "base/source.h"
#include "runtime/common/safe-file.h"

const char *safe_user(uid_t uid, char *buf, size_t len)
{
	struct passwd *pw = getpwuid(uid);

	if (pw)
		snprintf(buf, len, "%s (uid %lu)", pw->pw_name, (unsigned long)uid);
	else
		snprintf(buf, len, "uid %lu", (unsigned long)uid);
	return buf;
}

const char *safe_problem(const struct stat *st, uid_t owner, uid_t other, char *buf, size_t len)
{
	char who[300];

	if (!S_ISREG(st->st_mode))
		snprintf(buf, len, "is %s", src_kind(st->st_mode));
	else if (st->st_nlink != 1)
		snprintf(buf, len, "has %lu hard links (another of its names may be a file of the system)",
			 (unsigned long)st->st_nlink);
	else if (st->st_uid != owner && st->st_uid != other)
		snprintf(buf, len, "belongs to %s", safe_user(st->st_uid, who, sizeof(who)));
	else
		return NULL;
	return buf;
}

/* ERR: what is wrong with the file at PATH (or why it cannot be opened: E), and the fix. */
static int sf_refuse(const char *path, const char *problem, int e, char *err, size_t errlen)
{
	if (problem)
		snprintf(err, errlen, "'%s' %s: it is not used as it is; remove it (rm '%s') and upsplan makes a new one, "
			 "or give another path", path, problem, path);
	else
		snprintf(err, errlen, "cannot open '%s': %s", path, strerror(e));
	return -1;
}

int safe_open(const char *path, int flags, mode_t mode, uid_t owner, uid_t other, int *created, char *err,
	    size_t errlen)
{
	const int safe = O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC;
	char why[400];
	struct stat st;
	int fd = -1, fl, new = 0;

	/* nothing there: a new file, and O_EXCL makes sure nothing was put there in between */
	for (int tries = 0; fd < 0 && tries < 3; tries++) {
		fd = open(path, flags | O_CREAT | O_EXCL | safe, mode);
		new = fd >= 0;
		if (fd < 0 && errno == EEXIST)
			fd = open(path, flags | safe);
		if (fd < 0 && errno != ENOENT) {
			int e = errno;
			/* a symbolic link (ELOOP), a FIFO without reader (ENXIO), a directory (EISDIR), ... */
			if (lstat(path, &st) == 0)
				return sf_refuse(path, safe_problem(&st, owner, other, why, sizeof(why)), e, err, errlen);
			return sf_refuse(path, NULL, e, err, errlen);
		}
	}
	if (fd < 0)
		return sf_refuse(path, NULL, errno, err, errlen);
	if (fstat(fd, &st) != 0) {
		int e = errno;
		close(fd);
		return sf_refuse(path, NULL, e, err, errlen);
	}
	if (safe_problem(&st, owner, other, why, sizeof(why))) {
		close(fd);
		return sf_refuse(path, why, 0, err, errlen);
	}
	fl = fcntl(fd, F_GETFL);
	if (fl >= 0)
		fcntl(fd, F_SETFL, fl & ~O_NONBLOCK);
	if (created)
		*created = new;
	return fd;
}

int safe_parents(const char *real, uid_t owner, char *err, size_t errlen)
{
	char up[PATH_MAX], *slash;
	struct stat st;

	snprintf(up, sizeof(up), "%s", real);
	while ((slash = strrchr(up, '/')) != NULL && up[1]) {
		slash[slash == up] = '\0';	/* the parent; "/" stays "/" */
		if (lstat(up, &st) != 0) {
			snprintf(err, errlen, "cannot examine the directory %s: %s", up, strerror(errno));
			return -1;
		}
		if (st.st_uid != 0 && st.st_uid != owner) {
			snprintf(err, errlen, "the directory %s belongs to user %ld, not to root%s: that user could put "
				 "another directory in place of %s", up, (long)st.st_uid, owner ? " or this user" : "", real);
			return -1;
		}
		if ((st.st_mode & (S_IWGRP | S_IWOTH)) && !(st.st_mode & S_ISVTX)) {
			snprintf(err, errlen, "the directory %s can be written by %s (mode %04o): another user could put "
				 "another directory in place of %s (chmod go-w %s)", up,
				 st.st_mode & S_IWOTH ? "every user" : "its group", (unsigned)(st.st_mode & 07777), real, up);
			return -1;
		}
	}
	return 0;
}
