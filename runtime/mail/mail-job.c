/* SPDX-License-Identifier: GPL-2.0-or-later */
/* mail-job.c - encode and decode the mail job passed from the daemon to upsplan-mail. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "runtime/mail/mail-job.h"

#define MJ_FIELDS 12

static int mj_write_all(int fd, const char *p, size_t n)
{
	while (n) {
		ssize_t w = write(fd, p, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

int mail_job_write(int fd, const struct mail_job *j)
{
	char port[16], tls[4], timeout[32], now[32];
	const char *f[MJ_FIELDS];

	snprintf(port, sizeof(port), "%u", j->port);
	snprintf(tls, sizeof(tls), "%d", j->implicit_tls ? 1 : 0);
	snprintf(timeout, sizeof(timeout), "%.3f", j->timeout);
	snprintf(now, sizeof(now), "%lld", (long long)j->now);
	f[0] = j->host;
	f[1] = port;
	f[2] = tls;
	f[3] = j->user;
	f[4] = j->password;
	f[5] = j->cafile;
	f[6] = timeout;
	f[7] = j->from;
	f[8] = j->to;
	f[9] = j->subject;
	f[10] = j->body;
	f[11] = now;
	for (int i = 0; i < MJ_FIELDS; i++) {
		char head[24];
		const char *s = f[i] ? f[i] : "";
		size_t n = strlen(s);
		int hn = snprintf(head, sizeof(head), "%zu\n", n);
		if (mj_write_all(fd, head, (size_t)hn) != 0 || mj_write_all(fd, s, n) != 0 || mj_write_all(fd, "\n", 1) != 0)
			return -1;
	}
	return 0;
}

/* The next field of BUF at *POS; NULL when malformed. */
static char *mj_field(char *buf, size_t len, size_t *pos)
{
	char *end;
	unsigned long long n;
	char *s;

	if (*pos >= len || buf[*pos] < '0' || buf[*pos] > '9')
		return NULL;
	errno = 0;
	n = strtoull(buf + *pos, &end, 10);
	if (errno || *end != '\n' || n > len)
		return NULL;
	s = end + 1;
	if ((size_t)(s - buf) + n + 1 > len || s[n] != '\n' || memchr(s, '\0', n))
		return NULL;
	s[n] = '\0';
	*pos = (size_t)(s - buf) + n + 1;
	return s;
}

/* The whole decimal number S into *V, within [LO, HI]; -1 otherwise. */
static int mj_number(const char *s, double lo, double hi, double *v)
{
	char *end;

	errno = 0;
	*v = strtod(s, &end);
	return *s && !*end && !errno && *v >= lo && *v <= hi ? 0 : -1;
}

int mail_job_decode(char *buf, size_t len, struct mail_job *j)
{
	char *f[MJ_FIELDS];
	size_t pos = 0;
	double port, tls, timeout, now;

	for (int i = 0; i < MJ_FIELDS; i++)
		if (!(f[i] = mj_field(buf, len, &pos)))
			return -1;
	if (pos != len || mj_number(f[1], 1, 65535, &port) || mj_number(f[2], 0, 1, &tls) ||
	    mj_number(f[6], 0.001, 86400, &timeout) || mj_number(f[11], 0, 1e15, &now))
		return -1;
	memset(j, 0, sizeof(*j));
	j->host = f[0];
	j->port = (unsigned)port;
	j->implicit_tls = tls != 0;
	j->user = f[3];
	j->password = f[4];
	j->cafile = f[5];
	j->timeout = timeout;
	j->from = f[7];
	j->to = f[8];
	j->subject = f[9];
	j->body = f[10];
	j->now = (time_t)now;
	return 0;
}
