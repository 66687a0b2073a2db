/* SPDX-License-Identifier: GPL-2.0-or-later */
/* ctl-client.c - the client side of the daemon's control socket: one request line, one JSON answer, errors in words. */
#include "config.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "runtime/cli/cli.h"
#include "runtime/cli/ctl-client.h"

#define CC_ANSWER_MAX (4u << 20)	/* bytes of an answer */

static double cc_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Wait for EVENTS on FD until DEADLINE: 1 ready, 0 time is up. */
static int cc_wait(int fd, short events, double deadline)
{
	for (;;) {
		struct pollfd p = { fd, events, 0 };
		double left = deadline - cc_now();
		int r;
		if (left <= 0)
			return 0;
		r = poll(&p, 1, (int)(left * 1000) + 1);
		if (r > 0)
			return 1;
		if (r < 0 && errno != EINTR)
			return 1;	/* the read or write says what is wrong */
	}
}

/* Connect to PATH: the descriptor, or -1 after the message. */
static int cc_connect(const char *cmd, const char *path, double deadline)
{
	struct sockaddr_un sa;
	struct stat st;
	int fd, err;
	socklen_t len = sizeof(err);

	if (strlen(path) >= sizeof(sa.sun_path)) {
		fprintf(stderr, "upsplan %s: the socket name %s is longer than %zu bytes\n", cmd, path, sizeof(sa.sun_path) - 1);
		return -1;
	}
	memset(&sa, 0, sizeof(sa));
	sa.sun_family = AF_UNIX;
	memcpy(sa.sun_path, path, strlen(path));
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0) {
		fprintf(stderr, "upsplan %s: socket: %s\n", cmd, strerror(errno));
		return -1;
	}
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0)
		return fd;
	err = errno;
	if (err == EAGAIN || err == EINPROGRESS) {	/* the daemon's queue is full: it may make room */
		if (!cc_wait(fd, POLLOUT, deadline)) {
			fprintf(stderr, "upsplan %s: the daemon at %s does not take the connection: it is busy or hangs\n",
				cmd, path);
			close(fd);
			return -1;
		}
		if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) == 0 && err == 0)
			return fd;
	}
	close(fd);
	if (err != ENOENT && stat(path, &st) == 0 && !S_ISSOCK(st.st_mode))
		fprintf(stderr, "upsplan %s: %s is not a socket: name the daemon's --control-socket\n", cmd, path);
	else if (err == ENOENT)
		fprintf(stderr, "upsplan %s: no control socket at %s: is the daemon running, with --control-socket %s? "
			"(the packaged service has it; --socket names another)\n", cmd, path, path);
	else if (err == EACCES || err == EPERM)
		fprintf(stderr, "upsplan %s: permission denied on %s: the socket is for root and the monitoring user's "
			"group (nut): add yourself to that group (adduser $USER nut, then log in again), or run this as root\n",
			cmd, path);
	else if (err == ECONNREFUSED)
		fprintf(stderr, "upsplan %s: nothing answers at %s: the daemon is not running (the socket is left over "
			"from one that was killed)\n", cmd, path);
	else
		fprintf(stderr, "upsplan %s: cannot connect to %s: %s\n", cmd, path, strerror(err));
	return -1;
}

int cc_ask(const char *cmd, const char *path, const char *req, double timeout, json_t **doc)
{
	double deadline = cc_now() + timeout;
	size_t len = 0, cap = 0, off = 0, rlen = strlen(req);
	char *buf = NULL, *line = malloc(rlen + 2);
	json_error_t je;
	const json_t *e;
	int fd;

	*doc = NULL;
	if (!line) {
		fprintf(stderr, "upsplan %s: out of memory\n", cmd);
		return EXIT_ERRORS;
	}
	memcpy(line, req, rlen);
	memcpy(line + rlen, "\n", 2);
	fd = cc_connect(cmd, path, deadline);
	if (fd < 0) {
		free(line);
		return EXIT_ERRORS;
	}
	while (off < rlen + 1) {
		ssize_t w = send(fd, line + off, rlen + 1 - off, MSG_NOSIGNAL);
		if (w > 0) {
			off += (size_t)w;
		} else if (w < 0 && (errno == EAGAIN || errno == EINTR)) {
			if (!cc_wait(fd, POLLOUT, deadline))
				break;
		} else {
			break;
		}
	}
	free(line);
	for (;;) {
		ssize_t r;
		if (len == cap) {
			char *nb;
			if (cap >= CC_ANSWER_MAX) {
				fprintf(stderr, "upsplan %s: the daemon's answer is longer than %u bytes\n", cmd, CC_ANSWER_MAX);
				goto fail;
			}
			cap = cap ? cap * 2 : 65536;
			nb = realloc(buf, cap + 1);
			if (!nb) {
				fprintf(stderr, "upsplan %s: out of memory\n", cmd);
				goto fail;
			}
			buf = nb;
		}
		r = read(fd, buf + len, cap - len);
		if (r > 0) {
			len += (size_t)r;
			continue;
		}
		if (r == 0)
			break;
		if (errno == EINTR)
			continue;
		if (errno != EAGAIN) {
			fprintf(stderr, "upsplan %s: reading the daemon's answer: %s\n", cmd, strerror(errno));
			goto fail;
		}
		if (!cc_wait(fd, POLLIN, deadline)) {
			fprintf(stderr, "upsplan %s: no answer from the daemon at %s within %g s\n", cmd, path, timeout);
			goto fail;
		}
	}
	close(fd);
	fd = -1;
	if (len == 0) {
		fprintf(stderr, "upsplan %s: the daemon at %s closed the connection without an answer (see its log)\n",
			cmd, path);
		goto fail;
	}
	*doc = json_loadb(buf, len, 0, &je);
	free(buf);
	buf = NULL;
	if (!*doc || !json_is_object(*doc)) {
		/* jansson's message may quote the answer's bytes */
		fprintf(stderr, "upsplan %s: the daemon's answer is not a JSON object (", cmd);
		cc_put(stderr, *doc ? "another value" : je.text);
		fputs(")\n", stderr);
		goto fail;
	}
	e = json_object_get(*doc, "error");
	if (json_is_string(e)) {
		fprintf(stderr, "upsplan %s: the daemon says: ", cmd);
		cc_put(stderr, json_string_value(e));
		fputc('\n', stderr);
		goto fail;
	}
	return EXIT_CLEAN;
fail:
	if (fd >= 0)
		close(fd);
	free(buf);
	json_decref(*doc);
	*doc = NULL;
	return EXIT_ERRORS;
}

size_t cc_put(FILE *out, const char *text)
{
	size_t n = 0;

	for (const unsigned char *p = (const unsigned char *)text; *p; p++, n++) {
		if (*p < 0x20 || *p == 0x7f) {
			putc('?', out);
		} else if (*p == 0xc2 && p[1] >= 0x80 && p[1] <= 0x9f) {
			putc('?', out);	/* U+0080..U+009F, the C1 controls (U+009B is CSI, as ESC [) */
			p++;
		} else {
			putc(*p, out);
		}
	}
	return n;
}

void cc_putw(FILE *out, const char *text, size_t width)
{
	for (size_t n = cc_put(out, text); n < width; n++)
		putc(' ', out);
}

void cc_json(FILE *out, const json_t *doc)
{
	/* ASCII only: a C1 control (U+009B, CSI) of a hostile answer is written \u009b, as the others are */
	json_dumpf(doc, out, JSON_INDENT(2) | JSON_SORT_KEYS | JSON_ENSURE_ASCII);
	fputc('\n', out);
}

const char *cc_str(const json_t *o, const char *key, const char *dflt)
{
	const json_t *v = json_object_get(o, key);

	return json_is_string(v) ? json_string_value(v) : dflt;
}

void cc_timers(FILE *out, const json_t *t)
{
	size_t i, w = 5;
	const json_t *v;

	if (!json_is_array(t) || json_array_size(t) == 0) {
		fprintf(out, "no timer runs\n");
		return;
	}
	json_array_foreach(t, i, v)
		if (strlen(cc_str(v, "name", "")) > w)
			w = strlen(cc_str(v, "name", ""));
	if (w > CC_COLUMN_MAX)
		w = CC_COLUMN_MAX;
	fprintf(out, "%-*s  %9s  %s\n", (int)w, "TIMER", "LEFT", "RUNS (WHEN ... TIMEOUT clauses)");
	json_array_foreach(t, i, v) {
		const json_t *c = json_object_get(v, "clauses"), *cl;
		size_t k;
		cc_putw(out, cc_str(v, "name", "?"), w);
		fprintf(out, "  %7.1f s  ", json_number_value(json_object_get(v, "seconds_left")));
		json_array_foreach(c, k, cl) {
			fputs(k ? ", " : "", out);
			cc_put(out, cc_str(cl, "where", "?"));
			if (json_is_string(json_object_get(cl, "ups"))) {
				fputs(" (", out);
				cc_put(out, cc_str(cl, "ups", ""));
				fputs(")", out);
			}
		}
		fputc('\n', out);
	}
}
