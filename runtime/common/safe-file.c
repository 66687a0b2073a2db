/* SPDX-License-Identifier: GPL-2.0-or-later */
/* safe-file.c - files the daemon writes as root (PID file, NUT log, trace): opened without following links, checked before use. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
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
