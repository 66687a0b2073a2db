/* SPDX-License-Identifier: GPL-2.0-or-later */
/* mail-main.c - upsplan-mail: the helper that sends one EMAIL of the daemon with libcurl, so that the daemon itself never loads libcurl. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>

#include "base/source.h"
#include "runtime/mail/email.h"
#include "runtime/mail/mail-job.h"

/*
 * All of standard input, NUL-terminated; NULL when it is larger than
 * MAIL_JOB_MAX or memory runs out.  Read by hand, not into a struct buf
 * (base/buf.h), whose abort() when out of memory could leave a core file
 * with the password the job holds.
 */
static char *mail_read_all(size_t *len)
{
	size_t cap = 65536, n = 0;
	char *buf = malloc(cap + 1);

	while (buf) {
		ssize_t r = read(0, buf + n, cap - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			free(buf);
			return NULL;
		}
		if (r == 0)
			break;
		n += (size_t)r;
		if (n == cap) {
			char *nb;
			if (cap >= MAIL_JOB_MAX) {
				free(buf);
				return NULL;
			}
			cap *= 2;
			nb = realloc(buf, cap + 1);
			if (!nb)
				free(buf);
			buf = nb;
		}
	}
	if (buf) {
		buf[n] = '\0';
		*len = n;
	}
	return buf;
}

int main(int argc, char **argv)
{
	struct mail_job j;
	struct email_server srv;
	char err[512], *buf;
	size_t len = 0;

	if (argc == 2 && strcmp(argv[1], "--version") == 0) {	/* what upsplan --version shows of libcurl */
		printf("upsplan-mail %s, %s\n", PACKAGE_VERSION, curl_version());
		return fflush(stdout) == 0 && !ferror(stdout) ? 0 : 2;
	}
	if (argc != 1 || isatty(0)) {
		fprintf(stderr, "upsplan-mail: the daemon's mail helper (upsplan run starts it with the mail on its "
				"standard input); not for use by hand, but for --version\n");
		return 2;
	}
	buf = mail_read_all(&len);
	if (!buf || mail_job_decode(buf, len, &j) != 0) {
		fprintf(stderr, "mail not sent: the mail job from the daemon is malformed\n");
		free(buf);
		return 1;
	}
	memset(&srv, 0, sizeof(srv));
	srv.host = j.host;
	srv.port = j.port;
	srv.implicit_tls = j.implicit_tls;
	srv.user = *j.user ? j.user : NULL;
	srv.password = *j.password ? j.password : NULL;
	srv.cafile = *j.cafile ? j.cafile : NULL;
	srv.timeout = j.timeout;
	/*
	 * libcurl opens the CA file itself, in blocking mode: checked just
	 * before, a FIFO or a device there is refused at once (something put
	 * there after the check can only hold this one mail until the
	 * daemon's time limit stops the helper)
	 */
	if (srv.cafile && src_check_regular(srv.cafile, err, sizeof(err)) != 0) {
		fprintf(stderr, "mail not sent: --smtp-cafile: %s\n", err);
		memset(buf, 0, len);	/* the password */
		free(buf);
		return 1;
	}
	email_global_init();
	if (email_send(&srv, j.from, j.to, j.subject, j.body, j.now, err, sizeof(err)) != 0) {
		fprintf(stderr, "mail not sent: %s\n", err);
		memset(buf, 0, len);	/* the password */
		free(buf);
		return 1;
	}
	memset(buf, 0, len);
	free(buf);
	return 0;
}
