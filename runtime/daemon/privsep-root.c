/* SPDX-License-Identifier: GPL-2.0-or-later */
/* privsep-root.c - what the root parent does with its privileges besides running commands: the start (drop or split), POWERDOWNFLAG, dropping to the monitoring user, compiling a reloaded plan. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <syslog.h>
#include <unistd.h>

#include "base/source.h"
#include "base/xalloc.h"
#include "runtime/daemon/daemon.h"
#include "runtime/daemon/log.h"
#include "runtime/daemon/privsep.h"
#include "runtime/daemon/privsep-int.h"
#include "runtime/common/safe-file.h"

#define PS_FLAG_MAGIC "upsmon-shutdown-file\n"	/* NUT's POWERDOWNFLAG content */

void ps_clear_powerdownflag(const char *path)
{
	char err[600], *text;
	struct stat st;
	size_t len = 0;
	int fd;

	if (!path)
		return;
	/* read without following a link, without blocking on a FIFO */
	fd = src_open_regular(path, O_NOFOLLOW, &st, err, sizeof(err));
	if (fd < 0) {
		if (errno != ENOENT)
			log_msg(LOG_WARNING, "POWERDOWNFLAG: %s: not upsmon's flag, left alone", err);
		return;
	}
	text = src_read_fd(fd, &st, path, 64, &len, err, sizeof(err));
	if (text && len == strlen(PS_FLAG_MAGIC) && memcmp(text, PS_FLAG_MAGIC, len) == 0) {
		if (unlink(path) == 0)
			log_msg(LOG_INFO, "POWERDOWNFLAG %s removed", path);
	} else {
		log_msg(LOG_WARNING, "POWERDOWNFLAG %s exists but is not upsmon's flag: left alone", path);
	}
	free(text);
}

void ps_write_powerdownflag(const char *path)
{
	const size_t n = strlen(PS_FLAG_MAGIC);
	char *tmp, why[400];
	struct stat st;
	int fd, bad;

	if (!path)
		return;
	if (lstat(path, &st) == 0 && safe_problem(&st, 0, 0, why, sizeof(why)))
		log_msg(LOG_WARNING, "POWERDOWNFLAG %s %s: replaced by a new file", path, why);
	tmp = xrealloc(NULL, strlen(path) + 8);
	sprintf(tmp, "%s.XXXXXX", path);
	fd = mkostemp(tmp, O_CLOEXEC);	/* O_EXCL, mode 0600 */
	if (fd < 0) {
		log_msg(LOG_ERR, "cannot write POWERDOWNFLAG %s: cannot create %s: %s", path, tmp, strerror(errno));
		free(tmp);
		return;
	}
	bad = write(fd, PS_FLAG_MAGIC, n) != (ssize_t)n || fchmod(fd, 0644) != 0 || fsync(fd) != 0;
	bad |= close(fd) != 0;
	if (bad || rename(tmp, path) != 0) {
		log_msg(LOG_ERR, "cannot write POWERDOWNFLAG %s: %s", path, strerror(errno));
		unlink(tmp);
	} else {
		log_msg(LOG_NOTICE, "POWERDOWNFLAG %s written", path);
	}
	free(tmp);
}

int ps_drop(uid_t uid, gid_t gid, const char *user, char *err, size_t errlen)
{
	if (initgroups(user, gid) != 0) {
		snprintf(err, errlen, "initgroups(%s): %s", user, strerror(errno));
		return -1;
	}
	if (setgid(gid) != 0 || setuid(uid) != 0) {
		snprintf(err, errlen, "cannot become user %s: %s", user, strerror(errno));
		return -1;
	}
	if (uid != 0 && (setuid(0) == 0 || seteuid(0) == 0)) {
		snprintf(err, errlen, "root privileges could be regained after dropping them to %s", user);
		return -1;
	}
	if (getuid() != uid || geteuid() != uid || getgid() != gid || getegid() != gid) {
		snprintf(err, errlen, "the user or group did not change as asked");
		return -1;
	}
	return 0;
}

int ps_start(struct plan_image *img, const struct dm_options *o, const struct ps_parent_cfg *cfg)
{
	char err[256];

	if (!cfg)
		return dm_run(img, o);
	if (o->check_only) {
		if (ps_drop(cfg->uid, cfg->gid, cfg->user, err, sizeof(err)) != 0) {
			log_msg(LOG_ERR, "%s", err);
			return 1;
		}
		return dm_run(img, o);
	}
	ps_clear_powerdownflag(cfg->powerdownflag);
	if (cfg->powerdownflag)
		log_msg(LOG_INFO, "POWERDOWNFLAG %s: written just before the first SHUTDOWNCMD, for NUT's "
			"shutdown script to power the UPS off", cfg->powerdownflag);
	else
		log_msg(LOG_INFO, "no POWERDOWNFLAG (--powerdownflag=none): the UPS is not told to power off "
			"after the halt");
	return ps_run(img, o, cfg);
}

int ps_compile(const char *path, const struct plan_file_opts *po, struct plan_image *img)
{
	struct plan_file_opts o = *po;
	char *buf = NULL;
	size_t len = 0;
	int rc;

	o.color = 0;
	o.diag = open_memstream(&buf, &len);
	rc = plan_file_load(path, &o, img);
	if (o.diag) {
		fclose(o.diag);
		for (char *line = buf, *nl; line && *line; line = nl ? nl + 1 : NULL) {
			nl = strchr(line, '\n');
			if (nl)
				*nl = '\0';
			if (*line)
				log_msg(rc ? LOG_ERR : LOG_WARNING, "%s", line);
		}
		free(buf);
	}
	/* the first words say which: a file that is not there is no plan with errors */
	if (rc == 1)
		log_msg(LOG_ERR, "%s has errors: the running plan is kept", path);
	else if (rc != 0)
		log_msg(LOG_ERR, "cannot read the plan %s (the reason is above): the running plan is kept", path);
	return rc;
}
