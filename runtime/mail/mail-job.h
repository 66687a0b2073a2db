/* SPDX-License-Identifier: GPL-2.0-or-later */
/* mail-job.h - the mail job the daemon hands to upsplan-mail on its standard input: each field as "LENGTH\nBYTES\n". */
#ifndef UPSPLAN_MAIL_JOB_H
#define UPSPLAN_MAIL_JOB_H

#include <stddef.h>
#include <time.h>

/* Largest job (a plan's run is bounded to 64 MiB of text). */
#define MAIL_JOB_MAX (80u << 20)

/* One mail and the server to send it through; "" for an absent user, password or CA file. */
struct mail_job {
	const char *host, *user, *password, *cafile;
	unsigned port;
	int implicit_tls;
	double timeout;		/* seconds the whole exchange may take */
	const char *from, *to, *subject, *body;
	time_t now;		/* the Date of the mail */
};

/* Write job J to FD (blocking); 0, or -1 with errno set. */
int mail_job_write(int fd, const struct mail_job *j);

/*
 * Decode the LEN bytes of BUF (NUL-terminated after them; modified: the
 * strings of J point into it) into J; 0, or -1 when malformed.
 */
int mail_job_decode(char *buf, size_t len, struct mail_job *j);

#endif
