/* SPDX-License-Identifier: GPL-2.0-or-later */
/* control-sock.c - the control socket of upsplan run (--control-socket): made safely by the process that starts, removed at the end. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "runtime/common/safe-file.h"
#include "runtime/daemon/control.h"

/* The directory DIR (DIRFD open on it) may hold the socket: a directory of root's or OWNER's that no one else can write. */
static int ctl_dir_ok(int dirfd, const char *dir, uid_t owner, char *err, size_t errlen)
{
	struct stat st;

	if (fstat(dirfd, &st) != 0) {
		snprintf(err, errlen, "cannot examine the directory %s: %s", dir, strerror(errno));
		return -1;
	}
	if (!S_ISDIR(st.st_mode)) {
		snprintf(err, errlen, "%s is not a directory", dir);
		return -1;
	}
	if (st.st_uid != 0 && st.st_uid != owner) {
		snprintf(err, errlen, "the directory %s belongs to user %ld, not to root%s: another user could "
			 "replace the socket (use a directory such as /run/upsplan)", dir, (long)st.st_uid,
			 owner ? " or this user" : "");
		return -1;
	}
	if (st.st_mode & (S_IWGRP | S_IWOTH)) {
		snprintf(err, errlen, "the directory %s can be written by %s (mode %04o): another user could "
			 "replace the socket; chmod go-w %s, or use a directory such as /run/upsplan", dir,
			 st.st_mode & S_IWOTH ? "every user" : "its group", (unsigned)(st.st_mode & 07777), dir);
		return -1;
	}
	return 0;
}

/* Something is at NAME in DIRFD (stat ST): remove it when it is a socket nobody listens on, else refuse. */
static int ctl_clear(int dirfd, const char *path, const char *name, const struct stat *st, char *err, size_t errlen)
{
	struct sockaddr_un sa;
	int fd, live;

	if (S_ISLNK(st->st_mode)) {
		snprintf(err, errlen, "%s is a symbolic link, which is never followed: remove it", path);
		return -1;
	}
	if (!S_ISSOCK(st->st_mode)) {
		snprintf(err, errlen, "%s exists and is not a socket: remove it, or name another --control-socket", path);
		return -1;
	}
	/* a daemon still serving it keeps it: a second one must not steal its clients */
	memset(&sa, 0, sizeof(sa));
	sa.sun_family = AF_UNIX;
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	live = fd >= 0 && connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0;
	if (fd >= 0)
		close(fd);
	if (live) {
		snprintf(err, errlen, "%s: another daemon listens on it: stop it first, or name another --control-socket",
			 path);
		return -1;
	}
	if (unlinkat(dirfd, name, 0) != 0 && errno != ENOENT) {
		snprintf(err, errlen, "cannot remove the stale socket %s: %s", path, strerror(errno));
		return -1;
	}
	return 0;
}

/* The socket this process made (ctl_socket_open()): its real path and its inode, which ctl_socket_remove() removes alone. */
static struct {
	char path[sizeof(((struct sockaddr_un *)0)->sun_path)];
	dev_t dev;
	ino_t ino;
} ctl_made;

int ctl_socket_open(const char *path, uid_t uid, gid_t gid, char *err, size_t errlen)
{
	struct sockaddr_un sa;
	struct stat st;
	char *d1 = strdup(path), *d2 = strdup(path), real[PATH_MAX];
	const char *dir, *name;
	int dirfd = -1, fd = -1;
	mode_t old;

	if (!d1 || !d2) {
		snprintf(err, errlen, "out of memory");
		goto fail;
	}
	dir = dirname(d1);
	name = basename(d2);
	if (path[0] != '/' || strlen(path) >= sizeof(sa.sun_path) || !name[0] || strcmp(name, "/") == 0) {
		snprintf(err, errlen, "'%s' is not an absolute file name of at most %zu bytes", path, sizeof(sa.sun_path) - 1);
		goto fail;
	}
	/* the directory by its real path, every directory above it safe too: then nobody can change what it names */
	if (!realpath(dir, real)) {
		snprintf(err, errlen, "cannot find the directory %s: %s", dir, strerror(errno));
		goto fail;
	}
	if (safe_parents(real, geteuid(), err, errlen) != 0) {
		snprintf(err + strlen(err), errlen - strlen(err), ": use a directory such as /run/upsplan");
		goto fail;
	}
	dirfd = open(real, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (dirfd < 0) {
		snprintf(err, errlen, "cannot open the directory %s: %s", dir, strerror(errno));
		goto fail;
	}
	if (ctl_dir_ok(dirfd, dir, geteuid(), err, errlen) != 0)
		goto fail;
	if (strlen(real) + 1 + strlen(name) >= sizeof(sa.sun_path)) {
		snprintf(err, errlen, "%s/%s, the real path of %s, is longer than %zu bytes: name a shorter one", real, name,
			 path, sizeof(sa.sun_path) - 1);
		goto fail;
	}
	memset(&sa, 0, sizeof(sa));
	sa.sun_family = AF_UNIX;
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s%s%s", real, strcmp(real, "/") ? "/" : "", name);
	if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0) {
		if (ctl_clear(dirfd, sa.sun_path, name, &st, err, errlen) != 0)
			goto fail;
	} else if (errno != ENOENT) {
		snprintf(err, errlen, "cannot examine %s: %s", path, strerror(errno));
		goto fail;
	}
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0) {
		snprintf(err, errlen, "socket: %s", strerror(errno));
		goto fail;
	}
	/* made mode 0600: nobody else connects before it is root:GROUP 0660 */
	old = umask(0177);
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0) {
		umask(old);
		snprintf(err, errlen, "cannot make the socket %s: %s", path, strerror(errno));
		goto fail;
	}
	umask(old);
	/* the directory is root's (or ours) and nobody else writes it: NAME is the socket just made */
	if (fchownat(dirfd, name, uid, gid, AT_SYMLINK_NOFOLLOW) != 0 || fchmodat(dirfd, name, 0660, 0) != 0) {
		snprintf(err, errlen, "cannot give the socket %s to group %ld with mode 0660: %s", path, (long)gid,
			 strerror(errno));
		unlinkat(dirfd, name, 0);
		goto fail;
	}
	if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) != 0 || listen(fd, 32) != 0) {
		snprintf(err, errlen, "cannot listen on %s: %s", path, strerror(errno));
		unlinkat(dirfd, name, 0);
		goto fail;
	}
	snprintf(ctl_made.path, sizeof(ctl_made.path), "%s", sa.sun_path);
	ctl_made.dev = st.st_dev;
	ctl_made.ino = st.st_ino;
	close(dirfd);
	free(d1);
	free(d2);
	return fd;
fail:
	if (fd >= 0)
		close(fd);
	if (dirfd >= 0)
		close(dirfd);
	free(d1);
	free(d2);
	return -1;
}

void ctl_socket_remove(const char *path, int fd)
{
	struct stat now;

	(void)path;
	/*
	 * Only the socket this process made, by its inode: the one at the
	 * path may be another's (removed and made again by someone else
	 * meanwhile).  Its directories are root's (or this user's) alone.
	 */
	if (ctl_made.path[0] && lstat(ctl_made.path, &now) == 0 && S_ISSOCK(now.st_mode) && now.st_dev == ctl_made.dev &&
	    now.st_ino == ctl_made.ino)
		unlink(ctl_made.path);
	ctl_made.path[0] = '\0';
	if (fd >= 0)
		close(fd);
}
