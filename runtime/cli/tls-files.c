/* SPDX-License-Identifier: GPL-2.0-or-later */
/* tls-files.c - the files tls-setup makes, relative to its directory opened once (no symbolic link followed), and their undo. */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "runtime/cli/tls-files.h"

static int tlsf_dir = -1;		/* the directory of the files */
static int tlsf_parent = -1;		/* its parent, when this run made it */
static char tlsf_base[NAME_MAX + 1];	/* its name in tlsf_parent */
static char tlsf_path[PATH_MAX];	/* its path, for the messages */

#define TLSF_MAX_MADE 32
static struct {
	char name[NAME_MAX + 1];
	int dir;
	dev_t dev;
	ino_t ino;
} tlsf_made[TLSF_MAX_MADE];
static size_t tlsf_nmade;

/* 1 when ST is a directory another user than root could change */
static int tlsf_unsafe(const struct stat *st)
{
	return st->st_uid != 0 || ((st->st_mode & (S_IWGRP | S_IWOTH)) && !(st->st_mode & S_ISVTX));
}

static void tlsf_unsafe_msg(const char *dir, const char *bad, const struct stat *st, char *err, size_t errlen)
{
	snprintf(err, errlen, "refusing --dir %s as root: %s is %s, so another user could put a symbolic link "
		 "where root writes; give a --dir whose directories are root's and not writable by others, or "
		 "fix it (chown root %s; chmod go-w %s)", dir, bad,
		 st->st_uid != 0 ? "not root's" : "writable by group or others without the sticky bit", bad, bad);
}

int tlsf_check_owners(const char *dir, char *err, size_t errlen)
{
	char cur[PATH_MAX], real[PATH_MAX];
	struct stat st;

	snprintf(cur, sizeof(cur), "%s", dir);
	/* the longest part of DIR that exists */
	while (lstat(cur, &st) != 0) {
		char *slash = strrchr(cur, '/');

		if (errno != ENOENT || !slash)
			break;	/* the directory's making fails and says why */
		if (slash == cur)
			slash[1] = '\0';
		else
			*slash = '\0';
	}
	if (!realpath(cur, real)) {
		snprintf(err, errlen, "cannot resolve %s: %s", cur, strerror(errno));
		return -1;
	}
	for (;;) {
		char *slash;

		if (lstat(real, &st) != 0) {
			snprintf(err, errlen, "cannot use %s: %s", real, strerror(errno));
			return -1;
		}
		if (tlsf_unsafe(&st)) {
			tlsf_unsafe_msg(dir, real, &st, err, errlen);
			return -1;
		}
		if (strcmp(real, "/") == 0)
			return 0;
		slash = strrchr(real, '/');
		if (slash == real)
			slash[1] = '\0';
		else
			*slash = '\0';
	}
}

int tlsf_open(const char *dir, int make, char *err, size_t errlen)
{
	struct stat st;
	int e;

	snprintf(tlsf_path, sizeof(tlsf_path), "%s", dir);
	if (!make) {
		tlsf_dir = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (tlsf_dir < 0) {
			e = errno;
			snprintf(err, errlen, "cannot open the directory %s: %s", dir, strerror(e));
			errno = e;
			return -1;
		}
	} else {
		const char *slash = strrchr(dir, '/');
		char parent[PATH_MAX];

		snprintf(parent, sizeof(parent), "%.*s", slash && slash != dir ? (int)(slash - dir) : 1,
			 slash ? dir : ".");
		snprintf(tlsf_base, sizeof(tlsf_base), "%s", slash ? slash + 1 : dir);
		tlsf_parent = open(parent, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (tlsf_parent < 0 || mkdirat(tlsf_parent, tlsf_base, 0755) != 0) {
			e = errno;
			if (e == EEXIST)
				snprintf(err, errlen, "%s exists: tls-setup never overwrites a file", dir);
			else
				snprintf(err, errlen, "cannot create the directory %s: %s", dir, strerror(e));
			if (tlsf_parent >= 0)
				close(tlsf_parent);
			tlsf_parent = -1;
			errno = e;
			return -1;
		}
		tlsf_dir = openat(tlsf_parent, tlsf_base, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (tlsf_dir < 0 || fchmod(tlsf_dir, 0755) != 0) {
			e = errno;
			snprintf(err, errlen, "cannot set the mode of %s: %s", dir, strerror(e));
			errno = e;
			return -1;
		}
	}
	if (fstat(tlsf_dir, &st) != 0) {
		snprintf(err, errlen, "cannot use %s: %s", dir, strerror(errno));
		return -1;
	}
	if (geteuid() == 0 && tlsf_unsafe(&st)) {
		tlsf_unsafe_msg(dir, dir, &st, err, errlen);
		errno = EPERM;
		return -1;
	}
	return 0;
}

int tlsf_exists(const char *name)
{
	struct stat st;

	return fstatat(tlsf_dir, name, &st, AT_SYMLINK_NOFOLLOW) == 0;
}

static void tlsf_remember(const char *name, int dir, const struct stat *st)
{
	if (tlsf_nmade < TLSF_MAX_MADE) {
		snprintf(tlsf_made[tlsf_nmade].name, sizeof(tlsf_made[0].name), "%s", name);
		tlsf_made[tlsf_nmade].dir = dir;
		tlsf_made[tlsf_nmade].dev = st ? st->st_dev : 0;
		tlsf_made[tlsf_nmade].ino = st ? st->st_ino : 0;
		tlsf_nmade++;
	}
}

int tlsf_new_file(const char *name, const void *data, size_t len, mode_t mode, uid_t uid, gid_t gid,
		  char *err, size_t errlen)
{
	const char *p = data;
	int fd = openat(tlsf_dir, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode);

	if (fd < 0) {
		if (errno == EEXIST)
			snprintf(err, errlen, "%s/%s exists: tls-setup never overwrites a file", tlsf_path, name);
		else
			snprintf(err, errlen, "cannot create %s/%s: %s", tlsf_path, name, strerror(errno));
		return -1;
	}
	tlsf_remember(name, 0, NULL);
	/* the umask may have taken bits: the mode is exactly MODE */
	if (fchmod(fd, mode) != 0 || (uid != (uid_t)-1 && fchown(fd, uid, gid) != 0)) {
		snprintf(err, errlen, "cannot set the owner or mode of %s/%s: %s", tlsf_path, name, strerror(errno));
		close(fd);
		return -1;
	}
	while (len > 0) {
		ssize_t n = write(fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			snprintf(err, errlen, "cannot write %s/%s: %s", tlsf_path, name, n < 0 ? strerror(errno) : "no space");
			close(fd);
			return -1;
		}
		p += n;
		len -= (size_t)n;
	}
	if (fsync(fd) != 0 || close(fd) != 0) {
		snprintf(err, errlen, "cannot write %s/%s: %s", tlsf_path, name, strerror(errno));
		return -1;
	}
	return 0;
}

int tlsf_new_dir(const char *name, mode_t mode, char *err, size_t errlen)
{
	struct stat st;
	int fd;

	if (mkdirat(tlsf_dir, name, mode) != 0) {
		if (errno == EEXIST)
			snprintf(err, errlen, "%s/%s exists: tls-setup never overwrites a file", tlsf_path, name);
		else
			snprintf(err, errlen, "cannot create the directory %s/%s: %s", tlsf_path, name, strerror(errno));
		return -1;
	}
	fd = openat(tlsf_dir, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st) != 0) {
		snprintf(err, errlen, "cannot open the directory %s/%s: %s", tlsf_path, name, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	tlsf_remember(name, 1, &st);
	if (fchmod(fd, mode) != 0) {
		snprintf(err, errlen, "cannot set the mode of %s/%s: %s", tlsf_path, name, strerror(errno));
		close(fd);
		return -1;
	}
	close(fd);
	return 0;
}

/* the subdirectory NAME made by this run, opened without following a link; -1 when it is not that one */
static int tlsf_open_made(const char *name)
{
	struct stat st;
	int fd = openat(tlsf_dir, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);

	if (fd < 0)
		return -1;
	for (size_t i = 0; i < tlsf_nmade; i++)
		if (tlsf_made[i].dir && strcmp(tlsf_made[i].name, name) == 0 && fstat(fd, &st) == 0 &&
		    st.st_dev == tlsf_made[i].dev && st.st_ino == tlsf_made[i].ino)
			return fd;
	close(fd);
	errno = EXDEV;
	return -1;
}

/* the regular file NAME of directory FD (not a link, not a second name) owned by UID:GID, mode 0600 */
static int tlsf_own_file(int dfd, const char *name, uid_t uid, gid_t gid)
{
	struct stat st;
	int fd = openat(dfd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
	int rc = -1;

	if (fd < 0)
		return -1;
	if (fstat(fd, &st) != 0)
		goto out;
	if (!S_ISREG(st.st_mode) || st.st_nlink != 1) {
		errno = EXDEV;
		goto out;
	}
	if ((uid == (uid_t)-1 || fchown(fd, uid, gid) == 0) && fchmod(fd, 0600) == 0)
		rc = 0;
out:
	close(fd);
	return rc;
}

int tlsf_own_dir(const char *name, uid_t uid, gid_t gid, char *err, size_t errlen)
{
	struct dirent *e;
	DIR *d;
	int fd = tlsf_open_made(name), rc = 0;

	if (fd < 0) {
		int e = errno;
		struct stat st;

		if (fstatat(tlsf_dir, name, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISLNK(st.st_mode))
			e = ELOOP;
		snprintf(err, errlen, "%s/%s is not the directory this run made (%s): nothing is given to its user",
			 tlsf_path, name, e == EXDEV ? "another one is there now"
			 : e == ELOOP ? "a symbolic link is there now" : strerror(e));
		return -1;
	}
	d = fdopendir(dup(fd));
	if (!d) {
		snprintf(err, errlen, "cannot read the directory %s/%s: %s", tlsf_path, name, strerror(errno));
		close(fd);
		return -1;
	}
	while (rc == 0 && (e = readdir(d))) {
		struct stat st;

		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		if (fstatat(fd, e->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0 || S_ISDIR(st.st_mode))
			continue;
		if (tlsf_own_file(fd, e->d_name, uid, gid) != 0) {
			snprintf(err, errlen, "cannot give %s/%s/%s to its user: %s", tlsf_path, name, e->d_name,
				 errno == EXDEV || errno == ELOOP ? "not a file of its own (a link?)" : strerror(errno));
			rc = -1;
		}
	}
	closedir(d);
	if (rc == 0 && ((uid != (uid_t)-1 && fchown(fd, uid, gid) != 0) || fchmod(fd, 0700) != 0)) {
		snprintf(err, errlen, "cannot set the owner or mode of %s/%s: %s", tlsf_path, name, strerror(errno));
		rc = -1;
	}
	close(fd);
	return rc;
}

void tlsf_remove(const char *name)
{
	unlinkat(tlsf_dir, name, 0);
	for (size_t i = 0; i < tlsf_nmade; i++)
		if (strcmp(tlsf_made[i].name, name) == 0)
			tlsf_made[i].name[0] = '\0';
}

/* the entries a tool (certutil) made in the subdirectory NAME this run made */
static void tlsf_empty_dir(const char *name)
{
	struct dirent *e;
	DIR *d;
	int fd = tlsf_open_made(name);

	if (fd < 0)
		return;	/* replaced: what is there now is not ours to remove */
	d = fdopendir(fd);
	if (!d) {
		close(fd);
		return;
	}
	while ((e = readdir(d)))
		if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
			unlinkat(fd, e->d_name, 0);
	closedir(d);
}

static void tlsf_close(void)
{
	if (tlsf_dir >= 0)
		close(tlsf_dir);
	if (tlsf_parent >= 0)
		close(tlsf_parent);
	tlsf_dir = tlsf_parent = -1;
	tlsf_nmade = 0;
}

void tlsf_undo(void)
{
	/* tlsf_nmade stays: tlsf_empty_dir() looks the directory up */
	for (size_t i = tlsf_nmade; tlsf_dir >= 0 && i-- > 0;) {
		const char *name = tlsf_made[i].name;

		if (!*name)
			continue;
		if (tlsf_made[i].dir) {
			tlsf_empty_dir(name);
			unlinkat(tlsf_dir, name, AT_REMOVEDIR);
		} else {
			unlinkat(tlsf_dir, name, 0);
		}
	}
	if (tlsf_parent >= 0)
		unlinkat(tlsf_parent, tlsf_base, AT_REMOVEDIR);
	tlsf_close();
}

void tlsf_keep(void)
{
	tlsf_close();
}
