/* SPDX-License-Identifier: GPL-2.0-or-later */
/* workdir.c - paths made absolute against the directory upsplan run started in, since the daemon leaves it for /. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/xalloc.h"
#include "runtime/daemon/workdir.h"

#define WD_MAX 16	/* the path options of upsplan run: fewer than that */

static struct {
	char *dir;		/* the start directory, absolute; NULL until recorded */
	char *kept[WD_MAX];	/* the paths made absolute */
	int nkept;
} wd;

/* Record the working directory of now, once.  0, or -1 with the message in ERR. */
static int wd_record(char *err, size_t errlen)
{
	if (wd.dir)
		return 0;
	wd.dir = getcwd(NULL, 0);
	if (!wd.dir || wd.dir[0] != '/') {
		snprintf(err, errlen, "cannot find the working directory: %s", wd.dir ? "not an absolute path" :
			 strerror(errno));
		free(wd.dir);
		wd.dir = NULL;
		return -1;
	}
	return 0;
}

/* DIR/PATH in BUF (LEN bytes): 0, or -1 when it does not fit. */
static int wd_join(const char *path, char *buf, size_t len)
{
	size_t dl = strlen(wd.dir);
	int n;

	/* "/" + "plan" is "/plan", not "//plan" */
	n = snprintf(buf, len, "%s%s%s", wd.dir, dl && wd.dir[dl - 1] == '/' ? "" : "/", path);
	return n < 0 || (size_t)n >= len ? -1 : 0;
}

int wd_absolute(const char **path, char *err, size_t errlen)
{
	char *abs;
	size_t len;

	if (wd_record(err, errlen) != 0)
		return -1;
	if (!*path || !(*path)[0] || (*path)[0] == '/')
		return 0;
	if (wd.nkept == WD_MAX) {
		snprintf(err, errlen, "too many relative paths: give '%s' as an absolute path", *path);
		return -1;
	}
	len = strlen(wd.dir) + strlen(*path) + 2;
	abs = xrealloc(NULL, len);
	if (wd_join(*path, abs, len) != 0) {	/* cannot happen: LEN is enough */
		free(abs);
		snprintf(err, errlen, "cannot make '%s' absolute", *path);
		return -1;
	}
	wd.kept[wd.nkept++] = abs;
	*path = abs;
	return 0;
}

const char *wd_resolve(const char *path, char *buf, size_t len)
{
	if (!wd.dir || !path || !path[0] || path[0] == '/' || wd_join(path, buf, len) != 0)
		return path;
	return buf;
}
