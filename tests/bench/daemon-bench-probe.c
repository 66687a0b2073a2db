/* SPDX-License-Identifier: GPL-2.0-or-later */
/* daemon-bench-probe.c - timing helper of tests/bench/daemon-bench.sh: when every unit is logged into upsd (from upsd's log), and the latency of a status change through dummy-ups and upsd to a daemon's action. */
#define _XOPEN_SOURCE 700	/* POSIX.1-2008 + XSI, also under -std=c99 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <arpa/inet.h>

#define LOG_POLL_MS	50	/* the upsd log is read this often */
#define LAT_POLL_MS	2	/* upsd and the action files: this often */
#define MAX_WATCH	4

static void
usage(FILE *f)
{
	fprintf(f,
	    "usage: daemon-bench-probe logins LOG OFFSET N START_NS TIMEOUT\n"
	    "       daemon-bench-probe latency [-j] HOST PORT UPS DEVFILE STATUS TIMEOUT\n"
	    "                          FILE PATTERN [FILE PATTERN]...\n"
	    "logins: read upsd's log LOG from byte OFFSET every %d ms until N distinct\n"
	    "  units have a line \"User ... logged into UPS [unit]\"; prints\n"
	    "  \"count=C first=S all=S\": seconds from START_NS (CLOCK_REALTIME, ns, as\n"
	    "  date +%%s%%N) to the poll that saw the first login and the N-th unit\n"
	    "  (-1: not within TIMEOUT seconds, then exit status 3).\n"
	    "latency: rewrite DEVFILE (a dummy-ups file) atomically to \"ups.status:\n"
	    "  STATUS\" and \"battery.charge: 100\", then every %d ms ask upsd (plain TCP,\n"
	    "  one connection) GET VAR UPS ups.status and look for a new line holding\n"
	    "  PATTERN in each FILE (from its size before the change); prints\n"
	    "  \"driver=S action1=S ...\": seconds from the rename to upsd answering\n"
	    "  STATUS and to each line (-1: not within TIMEOUT, then exit status 3).\n"
	    "  -j: first wait a random 0-999 ms (so that the change falls at any\n"
	    "  phase of the driver's and the daemon's poll).\n",
	    LOG_POLL_MS, LAT_POLL_MS);
}

static double
mono(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double
real_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void
sleep_ms(long ms)
{
	struct timespec ts;

	ts.tv_sec = ms / 1000;
	ts.tv_nsec = (ms % 1000) * 1000000L;
	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}

/* ---------------------------------------------------------------- a set of unit names */

struct nameset {
	char **slot;
	size_t cap, count;
};

static unsigned long
hash(const char *s, size_t n)
{
	unsigned long h = 5381;

	while (n-- > 0)
		h = h * 33 + (unsigned char)*s++;
	return h;
}

/* 1 if added, 0 if there already, -1 out of memory */
static int
nameset_add(struct nameset *ns, const char *s, size_t n)
{
	size_t i;

	if (ns->count * 2 + 2 > ns->cap) {
		struct nameset bigger;
		size_t k;

		bigger.cap = ns->cap ? ns->cap * 2 : 1024;
		bigger.count = 0;
		bigger.slot = calloc(bigger.cap, sizeof(*bigger.slot));
		if (bigger.slot == NULL)
			return -1;
		for (k = 0; k < ns->cap; k++) {
			if (ns->slot[k] == NULL)
				continue;
			i = hash(ns->slot[k], strlen(ns->slot[k])) % bigger.cap;
			while (bigger.slot[i] != NULL)
				i = (i + 1) % bigger.cap;
			bigger.slot[i] = ns->slot[k];
			bigger.count++;
		}
		free(ns->slot);
		*ns = bigger;
	}
	i = hash(s, n) % ns->cap;
	while (ns->slot[i] != NULL) {
		if (strlen(ns->slot[i]) == n && memcmp(ns->slot[i], s, n) == 0)
			return 0;
		i = (i + 1) % ns->cap;
	}
	ns->slot[i] = malloc(n + 1);
	if (ns->slot[i] == NULL)
		return -1;
	memcpy(ns->slot[i], s, n);
	ns->slot[i][n] = '\0';
	ns->count++;
	return 1;
}

/* ---------------------------------------------------------------- following a file */

struct follow {
	int fd;
	char buf[8192];
	size_t len;	/* bytes of an unfinished line kept in buf */
};

/* calls fn(line, length, arg) for each complete new line; -1 on a read error */
static int
follow_read(struct follow *fw, void (*fn)(const char *, size_t, void *), void *arg)
{
	for (;;) {
		ssize_t r;
		size_t start, i;

		if (fw->len == sizeof(fw->buf))
			fw->len = 0;	/* a line longer than the buffer: dropped */
		r = read(fw->fd, fw->buf + fw->len, sizeof(fw->buf) - fw->len);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		if (r == 0)
			return 0;
		fw->len += (size_t)r;
		start = 0;
		for (i = 0; i < fw->len; i++) {
			if (fw->buf[i] == '\n') {
				fn(fw->buf + start, i - start, arg);
				start = i + 1;
			}
		}
		memmove(fw->buf, fw->buf + start, fw->len - start);
		fw->len -= start;
	}
}

/* ---------------------------------------------------------------- logins */

struct logins {
	struct nameset set;
	int oom;
};

static void
login_line(const char *line, size_t n, void *arg)
{
	static const char key[] = " logged into UPS [";
	struct logins *lg = arg;
	const char *p, *end = line + n, *name, *close;

	if (n < sizeof(key) || memcmp(line, "User ", 5) != 0)
		return;
	for (p = line; p + sizeof(key) - 1 <= end; p++) {
		if (memcmp(p, key, sizeof(key) - 1) == 0)
			break;
	}
	if (p + sizeof(key) - 1 > end)
		return;
	name = p + sizeof(key) - 1;
	close = memchr(name, ']', (size_t)(end - name));
	if (close == NULL || close == name)
		return;
	if (nameset_add(&lg->set, name, (size_t)(close - name)) < 0)
		lg->oom = 1;
}

static int
cmd_logins(int argc, char **argv)
{
	struct follow fw;
	struct logins lg;
	long long offset, start_ns;
	long want;
	double timeout, start, deadline, first = -1, all = -1;

	if (argc != 6) {
		usage(stderr);
		return 1;
	}
	offset = atoll(argv[2]);
	want = atol(argv[3]);
	start_ns = atoll(argv[4]);
	timeout = atof(argv[5]);
	if (want < 1 || offset < 0 || timeout <= 0) {
		usage(stderr);
		return 1;
	}
	memset(&lg, 0, sizeof(lg));
	fw.len = 0;
	fw.fd = open(argv[1], O_RDONLY);
	if (fw.fd < 0 || lseek(fw.fd, (off_t)offset, SEEK_SET) < 0) {
		fprintf(stderr, "daemon-bench-probe: %s: %s\n", argv[1], strerror(errno));
		return 2;
	}
	start = (double)(start_ns / 1000000000LL) + (double)(start_ns % 1000000000LL) / 1e9;
	deadline = mono() + timeout;
	for (;;) {
		if (follow_read(&fw, login_line, &lg) < 0) {
			fprintf(stderr, "daemon-bench-probe: %s: %s\n", argv[1], strerror(errno));
			return 2;
		}
		if (lg.oom) {
			fprintf(stderr, "daemon-bench-probe: out of memory\n");
			return 2;
		}
		if (first < 0 && lg.set.count > 0)
			first = real_now() - start;
		if ((long)lg.set.count >= want) {
			all = real_now() - start;
			break;
		}
		if (mono() >= deadline)
			break;
		sleep_ms(LOG_POLL_MS);
	}
	printf("count=%zu first=%.3f all=%.3f\n", lg.set.count, first, all);
	return all < 0 ? 3 : 0;
}

/* ---------------------------------------------------------------- latency */

struct watch {
	struct follow fw;
	const char *pattern;
	double seen;
};

static double lat_now;

static void
watch_line(const char *line, size_t n, void *arg)
{
	struct watch *w = arg;
	size_t pl = strlen(w->pattern), i;

	if (w->seen >= 0 || n < pl)
		return;
	for (i = 0; i + pl <= n; i++) {
		if (memcmp(line + i, w->pattern, pl) == 0) {
			w->seen = lat_now;
			return;
		}
	}
}

static int
connect_plain(const char *host, const char *port)
{
	struct sockaddr_in sa;
	int fd, one = 1;

	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_port = htons((unsigned short)atoi(port));
	if (inet_pton(AF_INET, host, &sa.sin_addr) != 1) {
		fprintf(stderr, "daemon-bench-probe: %s: not an IPv4 address\n", host);
		return -1;
	}
	fd = socket(AF_INET, SOCK_STREAM, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0) {
		fprintf(stderr, "daemon-bench-probe: connect %s:%s: %s\n", host, port, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	return fd;
}

/* one request, one reply line (up to 1 s); 0 with the line in buf, -1 */
static int
ask(int fd, const char *req, char *buf, size_t size)
{
	size_t len = 0, n = strlen(req), off = 0;

	while (off < n) {
		ssize_t w = write(fd, req + off, n - off);

		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		off += (size_t)w;
	}
	for (;;) {
		struct pollfd p;
		ssize_t r;
		char *nl;

		p.fd = fd;
		p.events = POLLIN;
		if (poll(&p, 1, 1000) <= 0)
			return -1;
		r = read(fd, buf + len, size - 1 - len);
		if (r <= 0)
			return -1;
		len += (size_t)r;
		buf[len] = '\0';
		nl = strchr(buf, '\n');
		if (nl != NULL) {
			*nl = '\0';
			return 0;
		}
		if (len >= size - 1)
			return -1;
	}
}

static int
write_dev(const char *dev, const char *status)
{
	char tmp[4096];
	FILE *f;
	struct stat old, cur;
	int have_old = stat(dev, &old) == 0;

	if (snprintf(tmp, sizeof(tmp), "%s.bench-tmp", dev) >= (int)sizeof(tmp))
		return -1;
	f = fopen(tmp, "w");
	if (f == NULL)
		return -1;
	fprintf(f, "ups.status: %s\nbattery.charge: 100\n", status);
	if (fclose(f) != 0)
		return -1;
	/* dummy-ups notices a new file by its mtime in whole seconds: it must differ from the last one */
	if (have_old && stat(tmp, &cur) == 0 && cur.st_mtime == old.st_mtime) {
		struct timespec ts[2] = { { 0, UTIME_OMIT }, { old.st_mtime + 1, 0 } };
		if (utimensat(AT_FDCWD, tmp, ts, 0) != 0)
			return -1;
	}
	return rename(tmp, dev);
}

static int
cmd_latency(int argc, char **argv)
{
	struct watch w[MAX_WATCH];
	char req[512], want[512], reply[1024];
	const char *host, *port, *ups, *dev, *status;
	double timeout, t0, deadline, driver = -1;
	int jitter = 0, fd, nw = 0, i, done, rc = 0;

	argc -= 2;	/* "daemon-bench-probe latency" */
	argv += 2;
	if (argc > 0 && strcmp(argv[0], "-j") == 0) {
		jitter = 1;
		argc--;
		argv++;
	}
	if (argc < 8 || (argc - 6) % 2 != 0 || (argc - 6) / 2 > MAX_WATCH) {
		usage(stderr);
		return 1;
	}
	host = argv[0];
	port = argv[1];
	ups = argv[2];
	dev = argv[3];
	status = argv[4];
	timeout = atof(argv[5]);
	for (i = 6; i < argc; i += 2) {
		struct stat st;

		w[nw].fw.len = 0;
		w[nw].fw.fd = open(argv[i], O_RDONLY);
		if (w[nw].fw.fd < 0 || fstat(w[nw].fw.fd, &st) != 0
		    || lseek(w[nw].fw.fd, st.st_size, SEEK_SET) < 0) {
			fprintf(stderr, "daemon-bench-probe: %s: %s\n", argv[i], strerror(errno));
			return 2;
		}
		w[nw].pattern = argv[i + 1];
		w[nw].seen = -1;
		nw++;
	}
	snprintf(req, sizeof(req), "GET VAR %s ups.status\n", ups);
	snprintf(want, sizeof(want), "VAR %s ups.status \"%s\"", ups, status);
	fd = connect_plain(host, port);
	if (fd < 0)
		return 2;
	if (jitter) {
		struct timespec ts;

		clock_gettime(CLOCK_REALTIME, &ts);
		srand((unsigned)(ts.tv_nsec ^ getpid()));
		sleep_ms(rand() % 1000);
	}
	if (write_dev(dev, status) != 0) {
		fprintf(stderr, "daemon-bench-probe: cannot rewrite %s: %s\n", dev, strerror(errno));
		return 2;
	}
	t0 = mono();
	deadline = t0 + timeout;
	for (;;) {
		lat_now = mono();
		if (driver < 0) {
			if (ask(fd, req, reply, sizeof(reply)) != 0) {
				fprintf(stderr, "daemon-bench-probe: no reply from upsd to %s", req);
				return 2;
			}
			if (strcmp(reply, want) == 0)
				driver = mono() - t0;
		}
		done = driver >= 0;
		for (i = 0; i < nw; i++) {
			if (follow_read(&w[i].fw, watch_line, &w[i]) < 0) {
				fprintf(stderr, "daemon-bench-probe: read: %s\n", strerror(errno));
				return 2;
			}
			if (w[i].seen < 0)
				done = 0;
		}
		if (done || mono() >= deadline)
			break;
		sleep_ms(LAT_POLL_MS);
	}
	(void)!write(fd, "LOGOUT\n", 7);
	close(fd);
	printf("driver=%.3f", driver);
	if (driver < 0)
		rc = 3;
	for (i = 0; i < nw; i++) {
		printf(" action%d=%.3f", i + 1, w[i].seen >= 0 ? w[i].seen - t0 : -1.0);
		if (w[i].seen < 0)
			rc = 3;
	}
	printf("\n");
	return rc;
}

int
main(int argc, char **argv)
{
	if (argc >= 2 && strcmp(argv[1], "logins") == 0)
		return cmd_logins(argc - 1, argv + 1);
	if (argc >= 2 && strcmp(argv[1], "latency") == 0)
		return cmd_latency(argc, argv);
	if (argc >= 2 && (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0)) {
		usage(stdout);
		return 0;
	}
	usage(stderr);
	return 1;
}
