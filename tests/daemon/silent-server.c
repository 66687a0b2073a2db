/* SPDX-License-Identifier: GPL-2.0-or-later */
/* silent-server.c - test helper: a TCP server on 127.0.0.1 (or -b ADDR) that accepts connections and never answers (the "hung upsd" of tests/daemon), or answers every line alike, or as a script says, and records what it got. */
#define _XOPEN_SOURCE 700	/* POSIX.1-2008 (sigaction, getopt), also under -std=c99 */
#include "config.h"

#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <arpa/inet.h>

#define MAX_HELD	128	/* connections kept open; the oldest goes beyond */

static volatile sig_atomic_t stop_signal;

static void
usage(FILE *f)
{
	fprintf(f,
	    "usage: silent-server [-b ADDR] [-p PORT] [-t SECONDS] [-w PID] [-f PORTFILE]\n"
	    "                     [-a ANSWER -r RECORD | -s SCRIPT -r RECORD]\n"
	    "Listen on 127.0.0.1:PORT (-b: on the IPv4 address ADDR of this machine\n"
	    "instead; 0 or no -p: a port the kernel chooses), accept\n"
	    "connections and never read from or write to them (at most %d are held\n"
	    "open; beyond that the oldest is closed).  Once listening, write the port\n"
	    "number as one line to PORTFILE (atomically) or to standard output.\n"
	    "Exit on SIGTERM, SIGINT or SIGHUP, after SECONDS (default 600), or when\n"
	    "process PID (default: the parent) is gone, so that a test that dies\n"
	    "does not leave it behind.\n"
	    "With -a, serve one connection at a time instead: append every line\n"
	    "received to the file RECORD and answer it with the line ANSWER (an\n"
	    "upsd that refuses everything, to see what a client sends to it).\n"
	    "With -s, serve up to %d connections at once, record every line in\n"
	    "RECORD and answer it by SCRIPT, read again for every line (so a test\n"
	    "can replace it): lines PREFIX<tab>REPLY, the first whose PREFIX starts\n"
	    "the line received gives the REPLY (\\xHH: the byte HH; @FILE: the bytes of\n"
	    "FILE, as they are, e.g. a reply of many lines); no match:\n"
	    "ERR UNKNOWN-COMMAND (a scripted upsd, for replies a real one never sends).\n",
	    MAX_HELD, MAX_HELD);
}

static void
on_signal(int sig)
{
	stop_signal = sig;
}

/* -a mode: record the lines of one connection in rec, answer each with answer; return at EOF or a stop */
static void
answer_lines(int fd, const char *answer, FILE *rec)
{
	struct pollfd pfd;
	char buf[4096];
	ssize_t n, i;

	pfd.fd = fd;
	pfd.events = POLLIN;
	while (!stop_signal) {
		if (poll(&pfd, 1, 1000) <= 0)
			continue;
		n = read(fd, buf, sizeof(buf));
		if (n <= 0)
			return;
		fwrite(buf, 1, (size_t)n, rec);
		fflush(rec);
		for (i = 0; i < n; i++)
			if (buf[i] == '\n' && (write(fd, answer, strlen(answer)) < 0 || write(fd, "\n", 1) < 0))
				return;
	}
}

/* the reply to LINE by the script at PATH, with its line feed, into OUT (CAP bytes) */
static void
script_reply(const char *path, const char *line, char *out, size_t cap)
{
	char rule[1024], *tab;
	size_t n = 0;
	FILE *f = fopen(path, "r");

	snprintf(out, cap, "ERR UNKNOWN-COMMAND\n");
	if (f == NULL)
		return;
	while (fgets(rule, sizeof(rule), f) != NULL) {
		rule[strcspn(rule, "\n")] = '\0';
		tab = strchr(rule, '\t');
		if (tab == NULL || strncmp(line, rule, (size_t)(tab - rule)) != 0)
			continue;
		for (const char *p = tab + 1; *p && n + 2 < cap; p++) {
			unsigned v;
			if (p[0] == '\\' && p[1] == 'x' && sscanf(p + 2, "%2x", &v) == 1) {
				out[n++] = (char)v;
				p += 3;
			} else {
				out[n++] = *p;
			}
		}
		out[n++] = '\n';
		out[n] = '\0';
		break;
	}
	fclose(f);
}

/* the bytes of the file PATH to FD (a reply @PATH); -1 when writing failed */
static int
send_file(int fd, const char *path)
{
	char b[8192];
	size_t n;
	FILE *f = fopen(path, "rb");

	if (f == NULL)
		return write(fd, "ERR UNKNOWN-COMMAND\n", 20) < 0 ? -1 : 0;
	while ((n = fread(b, 1, sizeof(b), f)) > 0)
		if (write(fd, b, n) != (ssize_t)n) {
			fclose(f);
			return -1;
		}
	fclose(f);
	return 0;
}

/* -s mode: accept connections on LFD and answer each line by SCRIPT, recording it in REC, until a stop */
static void
serve_script(int lfd, const char *script, FILE *rec, time_t deadline, pid_t watch)
{
	struct pollfd p[MAX_HELD + 1];
	char buf[MAX_HELD][1024], reply[1200];
	size_t blen[MAX_HELD];
	int n = 0;

	while (!stop_signal && time(NULL) < deadline && !(kill(watch, 0) != 0 && errno == ESRCH)) {
		p[0].fd = lfd;
		p[0].events = POLLIN;
		if (poll(p, (nfds_t)n + 1, 1000) <= 0)
			continue;
		for (int i = n; i >= 1; i--) {
			ssize_t r;
			if (!(p[i].revents & (POLLIN | POLLHUP | POLLERR)))
				continue;
			r = read(p[i].fd, buf[i - 1] + blen[i - 1], sizeof(buf[0]) - 1 - blen[i - 1]);
			if (r <= 0 || blen[i - 1] + (size_t)r >= sizeof(buf[0]) - 1) {
				close(p[i].fd);	/* gone, or a line too long: the last one takes its place */
				p[i] = p[n];
				memcpy(buf[i - 1], buf[n - 1], blen[n - 1]);
				blen[i - 1] = blen[n - 1];
				n--;
				continue;
			}
			blen[i - 1] += (size_t)r;
			char *nl;
			while ((nl = memchr(buf[i - 1], '\n', blen[i - 1])) != NULL) {
				size_t l = (size_t)(nl - buf[i - 1]);
				*nl = '\0';
				if (l > 0 && buf[i - 1][l - 1] == '\r')
					buf[i - 1][l - 1] = '\0';
				fprintf(rec, "%s\n", buf[i - 1]);
				fflush(rec);
				script_reply(script, buf[i - 1], reply, sizeof(reply));
				if (reply[0] == '@') {
					reply[strcspn(reply, "\n")] = '\0';
					if (send_file(p[i].fd, reply + 1) != 0)
						break;
				} else if (write(p[i].fd, reply, strlen(reply)) < 0) {
					break;
				}
				blen[i - 1] -= l + 1;
				memmove(buf[i - 1], nl + 1, blen[i - 1]);
			}
		}
		if ((p[0].revents & POLLIN) && n < MAX_HELD) {
			int fd = accept(lfd, NULL, NULL);
			if (fd >= 0) {
				n++;
				p[n].fd = fd;
				p[n].events = POLLIN;
				blen[n - 1] = 0;
			}
		}
	}
	for (int i = 1; i <= n; i++)
		close(p[i].fd);
}

static long
number_arg(int opt, const char *arg, long min, long max)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(arg, &end, 10);
	if (errno != 0 || end == arg || *end != '\0' || v < min || v > max) {
		fprintf(stderr, "silent-server: -%c wants a number from %ld to %ld, not '%s'\n",
		    opt, min, max, arg);
		exit(2);
	}
	return v;
}

/* write "PORT\n" to path via a temporary file and rename(), so readers never see half a line */
static int
write_portfile(const char *path, unsigned port)
{
	char tmp[4096];
	FILE *f;

	if (snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= (int)sizeof(tmp)) {
		fprintf(stderr, "silent-server: port file name too long\n");
		return -1;
	}
	f = fopen(tmp, "w");
	if (f == NULL) {
		fprintf(stderr, "silent-server: %s: %s\n", tmp, strerror(errno));
		return -1;
	}
	fprintf(f, "%u\n", port);
	if (fclose(f) != 0 || rename(tmp, path) != 0) {
		fprintf(stderr, "silent-server: %s: %s\n", path, strerror(errno));
		unlink(tmp);
		return -1;
	}
	return 0;
}

int
main(int argc, char **argv)
{
	struct sockaddr_in sin;
	struct sigaction sa;
	struct pollfd pfd;
	socklen_t len;
	const char *portfile, *answer, *record, *addr, *script = NULL;
	FILE *rec;
	time_t deadline;
	long port, lifetime;
	pid_t watch;
	int held[MAX_HELD];
	int c, fd, lfd, on, nheld, oldest;

	port = 0;
	lifetime = 600;
	watch = getppid();
	portfile = NULL;
	answer = record = NULL;
	addr = "127.0.0.1";
	rec = NULL;
	while ((c = getopt(argc, argv, "a:b:f:hp:r:s:t:w:")) != -1) {
		switch (c) {
		case 'b':
			addr = optarg;
			break;
		case 'a':
			answer = optarg;
			break;
		case 'r':
			record = optarg;
			break;
		case 's':
			script = optarg;
			break;
		case 'f':
			portfile = optarg;
			break;
		case 'p':
			port = number_arg(c, optarg, 0, 65535);
			break;
		case 't':
			lifetime = number_arg(c, optarg, 1, 86400);
			break;
		case 'w':
			watch = (pid_t)number_arg(c, optarg, 1, 0x7fffffff);
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind != argc) {
		fprintf(stderr, "silent-server: unexpected argument '%s'\n", argv[optind]);
		usage(stderr);
		return 2;
	}
	if ((answer == NULL && script == NULL) != (record == NULL) || (answer != NULL && script != NULL)) {
		fprintf(stderr, "silent-server: -a or -s, and -r, go together\n");
		return 2;
	}
	if (record != NULL && (rec = fopen(record, "a")) == NULL) {
		fprintf(stderr, "silent-server: %s: %s\n", record, strerror(errno));
		return 1;
	}

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);

	lfd = socket(AF_INET, SOCK_STREAM, 0);
	if (lfd < 0) {
		fprintf(stderr, "silent-server: socket: %s\n", strerror(errno));
		return 1;
	}
	on = 1;
	(void)setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on));
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	if (inet_pton(AF_INET, addr, &sin.sin_addr) != 1) {
		fprintf(stderr, "silent-server: -b %s: not an IPv4 address\n", addr);
		return 2;
	}
	sin.sin_port = htons((unsigned short)port);
	if (bind(lfd, (struct sockaddr *)&sin, sizeof(sin)) != 0) {
		fprintf(stderr, "silent-server: bind %s:%ld: %s\n", addr, port, strerror(errno));
		return 1;
	}
	if (listen(lfd, 64) != 0) {
		fprintf(stderr, "silent-server: listen: %s\n", strerror(errno));
		return 1;
	}
	len = sizeof(sin);
	if (getsockname(lfd, (struct sockaddr *)&sin, &len) != 0) {
		fprintf(stderr, "silent-server: getsockname: %s\n", strerror(errno));
		return 1;
	}
	if (portfile != NULL) {
		if (write_portfile(portfile, ntohs(sin.sin_port)) != 0)
			return 1;
	} else {
		printf("%u\n", ntohs(sin.sin_port));
		if (fflush(stdout) != 0)
			return 1;
	}

	nheld = 0;
	oldest = 0;
	deadline = time(NULL) + lifetime;
	if (script != NULL) {
		serve_script(lfd, script, rec, deadline, watch);
		if (stop_signal)
			fprintf(stderr, "silent-server: signal %d\n", (int)stop_signal);
		return 0;
	}
	pfd.fd = lfd;
	pfd.events = POLLIN;
	while (!stop_signal) {
		if (time(NULL) >= deadline) {
			fprintf(stderr, "silent-server: lifetime of %ld s is over\n", lifetime);
			break;
		}
		if (kill(watch, 0) != 0 && errno == ESRCH) {
			fprintf(stderr, "silent-server: process %ld is gone\n", (long)watch);
			break;
		}
		/* wake at least once a second for the checks above */
		if (poll(&pfd, 1, 1000) <= 0 || !(pfd.revents & POLLIN))
			continue;
		fd = accept(lfd, NULL, NULL);
		if (fd < 0)
			continue;
		if (rec != NULL) {
			answer_lines(fd, answer, rec);
			close(fd);
			continue;
		}
		/* keep it open, unread: the client sees a server that hangs */
		if (nheld < MAX_HELD) {
			held[nheld++] = fd;
		} else {
			close(held[oldest]);
			held[oldest] = fd;
			oldest = (oldest + 1) % MAX_HELD;
		}
	}
	if (stop_signal)
		fprintf(stderr, "silent-server: signal %d\n", (int)stop_signal);
	return 0;
}
