/* SPDX-License-Identifier: GPL-2.0-or-later */
/* log.c - daemon logging: syslog or standard error, plus the NUT-style text log opened for each write. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "runtime/daemon/log.h"
#include "base/esc.h"

static struct {
	const char *ident;
	int foreground;
	char *nutlog;
	int debug;
} lg = { "upsplan", 1, NULL, 0 };

void log_open(const char *ident, int foreground, const char *nutlog, int debug)
{
	lg.ident = ident;
	lg.foreground = foreground;
	free(lg.nutlog);
	lg.nutlog = nutlog ? strdup(nutlog) : NULL;
	lg.debug = debug;
	if (!foreground)
		openlog(ident, LOG_PID | LOG_NDELAY, LOG_DAEMON);
}

void log_close(void)
{
	if (!lg.foreground)
		closelog();
	free(lg.nutlog);
	lg.nutlog = NULL;
}

int log_debug_level(void)
{
	return lg.debug;
}

void log_set_debug(int level)
{
	lg.debug = level;
}

const char *log_nut_path(void)
{
	return lg.nutlog;
}

/* "YYYY-MM-DD HH:MM:SS " of now, local time (20 bytes and a NUL). */
static void log_stamp(char *buf, size_t len)
{
	time_t t = time(NULL);
	struct tm tm;

	localtime_r(&t, &tm);
	strftime(buf, len, "%Y-%m-%d %H:%M:%S ", &tm);
}

int log_nut(const char *text)
{
	char stamp[32], *buf;
	size_t n = 0, cap;
	int fd, rc = 0;
	struct stat st;

	if (!lg.nutlog) {
		errno = ENOENT;
		return -1;
	}
	log_stamp(stamp, sizeof(stamp));
	cap = strlen(stamp) + 2 * strlen(text) + 64;
	for (const char *p = text; *p; p++)
		if (*p == '\n')
			cap += 20;
	buf = malloc(cap);
	if (!buf)
		return -1;
	n = (size_t)snprintf(buf, cap, "%s", stamp);
	for (const char *p = text; *p; p++) {
		buf[n++] = *p;
		if (*p == '\n' && p[1]) {
			memset(buf + n, ' ', 20);
			n += 20;
		}
	}
	if (n == 0 || buf[n - 1] != '\n')
		buf[n++] = '\n';
	/*
	 * the root parent writes here too, in a file the monitoring user may
	 * own: no symbolic link is followed, no FIFO blocks, only a regular
	 * file with one link is written (a hard link that user put in its
	 * place could name a file of the system)
	 */
	fd = open(lg.nutlog, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOCTTY | O_NOFOLLOW | O_NONBLOCK, 0640);
	if (fd < 0 || fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_nlink != 1) {
		if (fd >= 0)
			close(fd);
		free(buf);
		return -1;
	}
	if (write(fd, buf, n) != (ssize_t)n)
		rc = -1;
	if (close(fd) != 0)
		rc = -1;
	free(buf);
	return rc;
}

const char *log_esc(char *out, size_t outlen, const char *s, size_t len)
{
	esc_bytes(out, outlen, s, len, 1);
	return out;
}

static void log_vout(int prio, const char *fmt, va_list ap)
{
	char raw[2048], msg[4 * sizeof(raw)];

	vsnprintf(raw, sizeof(raw), fmt, ap);
	/*
	 * a second line of defence: no control byte reaches the terminal or a
	 * log, whatever a caller forgot (the plan's texts keep their line feeds
	 * and tabs, and UTF-8)
	 */
	esc_bytes(msg, sizeof(msg), raw, strlen(raw), 0);
	if (lg.foreground)
		fprintf(stderr, "%s: %s\n", lg.ident, msg);
	else
		syslog(prio, "%s", msg);
	if (lg.nutlog)
		log_nut(msg);
}

void log_msg(int prio, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vout(prio, fmt, ap);
	va_end(ap);
}

void log_debug(int level, const char *fmt, ...)
{
	va_list ap;

	if (lg.debug < level)
		return;
	va_start(ap, fmt);
	log_vout(LOG_DEBUG, fmt, ap);
	va_end(ap);
}
