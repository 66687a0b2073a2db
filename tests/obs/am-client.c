/* SPDX-License-Identifier: GPL-2.0-or-later */
/* am-client.c - test driver of runtime/obs/alertmgr: commands read from standard input on a libevent loop post alerts to Alertmanagers. */
#define _DEFAULT_SOURCE
#include "config.h"

#include <errno.h>
#include <event2/buffer.h>
#include <event2/event.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "runtime/obs/alertmgr.h"

static const char usage_text[] =
    "usage: am-client [OPTION]... --url URL [URL OPTION]... [--url URL ...]\n"
    "Posts alerts to the Alertmanagers at URL (runtime/obs/alertmgr) as told\n"
    "by the lines of standard input, on an event loop:\n"
    "  fire NAME UPS SEVERITY TEXT...    UPS - for none\n"
    "  fireg NAME UPS GROUP SEVERITY TEXT...\n"
    "  resolve NAME UPS\n"
    "  sleep SECONDS                     the loop runs on, the input waits\n"
    "  ping                              prints pong at once\n"
    "  firing                            prints the number of firing alerts\n"
    "  quit                              (or the end of the input) am_free, exit\n"
    "Options: --instance I, --generator URL, --heartbeat NAME, --resend S,\n"
    "  --backoff-min S, --backoff-max S, --timeout S, --connect-timeout S,\n"
    "  --flush S, --max-alerts N; after a --url: --cafile F, --bearer-file F,\n"
    "  --user U, --password-file F (the first line of F).\n"
    "The log goes to standard error, one line per message.\n";

static struct event_base *base;
static struct am *am;
static struct evbuffer *input;
static struct event *stdin_ev, *sleep_ev;
static int eof;

static void log_line(void *arg, int level, const char *msg)
{
	struct timespec ts;

	(void)arg;
	clock_gettime(CLOCK_REALTIME, &ts);
	fprintf(stderr, "%lld.%03ld %s %s\n", (long long)ts.tv_sec, ts.tv_nsec / 1000000,
		level <= LOG_ERR ? "error" : level <= LOG_WARNING ? "warning" :
		level <= LOG_INFO ? "info" : "debug", msg);
}

static char *first_line(const char *path)
{
	char buf[4096];
	FILE *f = fopen(path, "r");

	if (f == NULL || fgets(buf, sizeof(buf), f) == NULL) {
		fprintf(stderr, "am-client: %s: cannot read its first line\n", path);
		exit(2);
	}
	fclose(f);
	buf[strcspn(buf, "\r\n")] = '\0';
	return strdup(buf);
}

static char *word(char **p)
{
	char *w;

	*p += strspn(*p, " ");
	if (**p == '\0')
		return NULL;
	w = *p;
	*p += strcspn(*p, " ");
	if (**p)
		*(*p)++ = '\0';
	return w;
}

static void stop(void);
static void run_lines(void);

static void woke(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	(void)arg;
	run_lines();
}

/* one command; 1 when the input must wait (sleep) */
static int command(char *line)
{
	char *p = line, *cmd = word(&p), *name, *ups, *group = NULL, *sev;

	if (cmd == NULL)
		return 0;
	if (strcmp(cmd, "ping") == 0) {
		printf("pong\n");
	} else if (strcmp(cmd, "firing") == 0) {
		printf("firing %zu\n", am_firing(am));
	} else if (strcmp(cmd, "quit") == 0) {
		stop();
	} else if (strcmp(cmd, "sleep") == 0) {
		struct timeval tv;
		double s = atof(p);

		tv.tv_sec = (time_t)s;
		tv.tv_usec = (suseconds_t)((s - (double)tv.tv_sec) * 1e6);
		evtimer_add(sleep_ev, &tv);
		return 1;
	} else if (strcmp(cmd, "fire") == 0 || strcmp(cmd, "fireg") == 0) {
		name = word(&p);
		ups = word(&p);
		if (strcmp(cmd, "fireg") == 0)
			group = word(&p);
		sev = word(&p);
		if (sev == NULL) {
			printf("error: %s NAME UPS%s SEVERITY TEXT\n", cmd, group ? " GROUP" : "");
		} else {
			p += strspn(p, " ");
			printf("%s\n", am_fire(am, name, strcmp(ups, "-") ? ups : "", group, sev, p) == 0 ?
			       "fired" : "not fired");
		}
	} else if (strcmp(cmd, "resolve") == 0) {
		name = word(&p);
		ups = word(&p);
		if (ups == NULL)
			printf("error: resolve NAME UPS\n");
		else
			printf("%s\n", am_resolve(am, name, strcmp(ups, "-") ? ups : "") == 0 ?
			       "resolved" : "not firing");
	} else {
		printf("error: unknown command %s\n", cmd);
	}
	return 0;
}

static void run_lines(void)
{
	char *line;
	size_t len;

	while (am != NULL && !evtimer_pending(sleep_ev, NULL) &&
	       (line = evbuffer_readln(input, &len, EVBUFFER_EOL_LF)) != NULL) {
		int wait = command(line);

		free(line);
		fflush(stdout);
		if (wait)
			return;
	}
	if (am != NULL && eof && !evtimer_pending(sleep_ev, NULL))
		stop();
}

static void readable(evutil_socket_t fd, short what, void *arg)
{
	int n;

	(void)what;
	(void)arg;
	n = evbuffer_read(input, fd, 4096);
	if (n <= 0 && !(n < 0 && errno == EAGAIN)) {
		eof = 1;
		event_del(stdin_ev);
	}
	run_lines();
}

static void stop(void)
{
	struct am *a = am;

	am = NULL;
	am_free(a);
	event_base_loopbreak(base);
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "url", 1, NULL, 'u' }, { "cafile", 1, NULL, 'c' },
		{ "bearer-file", 1, NULL, 't' }, { "user", 1, NULL, 'U' },
		{ "password-file", 1, NULL, 'p' }, { "instance", 1, NULL, 'i' },
		{ "generator", 1, NULL, 'g' }, { "heartbeat", 1, NULL, 'H' },
		{ "resend", 1, NULL, 'r' }, { "backoff-min", 1, NULL, 'm' },
		{ "backoff-max", 1, NULL, 'M' }, { "timeout", 1, NULL, 'T' },
		{ "connect-timeout", 1, NULL, 'C' }, { "flush", 1, NULL, 'f' },
		{ "max-alerts", 1, NULL, 'n' }, { "help", 0, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct am_target_cfg targets[AM_MAX_TARGETS];
	struct am_cfg cfg;
	char err[256];
	int c;

	memset(targets, 0, sizeof(targets));
	memset(&cfg, 0, sizeof(cfg));
	cfg.targets = targets;
	cfg.log = log_line;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		struct am_target_cfg *t = cfg.ntargets ? &targets[cfg.ntargets - 1] : NULL;

		if (c == 'u') {
			if (cfg.ntargets == AM_MAX_TARGETS) {
				fprintf(stderr, "am-client: too many --url\n");
				return 2;
			}
			targets[cfg.ntargets++].url = optarg;
			continue;
		}
		if (t == NULL && strchr("ctUp", c) != NULL) {
			fprintf(stderr, "am-client: --url first\n%s", usage_text);
			return 2;
		}
		switch (c) {
		case 'c': t->cafile = optarg; break;
		case 't': t->bearer = first_line(optarg); break;
		case 'U': t->user = optarg; break;
		case 'p': t->password = first_line(optarg); break;
		case 'i': cfg.instance = optarg; break;
		case 'g': cfg.generator_url = optarg; break;
		case 'H': cfg.heartbeat = optarg; break;
		case 'r': cfg.resend = atof(optarg); break;
		case 'm': cfg.backoff_min = atof(optarg); break;
		case 'M': cfg.backoff_max = atof(optarg); break;
		case 'T': cfg.timeout = atof(optarg); break;
		case 'C': cfg.connect_timeout = atof(optarg); break;
		case 'f': cfg.flush_timeout = atof(optarg); break;
		case 'n': cfg.max_alerts = (size_t)atol(optarg); break;
		case 'h': fputs(usage_text, stdout); return 0;
		default: fputs(usage_text, stderr); return 2;
		}
	}
	base = event_base_new();
	am = am_new(base, &cfg, err, sizeof(err));
	if (am == NULL) {
		fprintf(stderr, "am-client: %s\n", err);
		return 1;
	}
	input = evbuffer_new();
	evutil_make_socket_nonblocking(0);
	stdin_ev = event_new(base, 0, EV_READ | EV_PERSIST, readable, NULL);
	sleep_ev = evtimer_new(base, woke, NULL);
	event_add(stdin_ev, NULL);
	event_base_dispatch(base);
	event_free(stdin_ev);
	event_free(sleep_ev);
	evbuffer_free(input);
	event_base_free(base);
	for (c = 0; c < (int)cfg.ntargets; c++) {
		if (targets[c].bearer != NULL)
			free((char *)targets[c].bearer);
		if (targets[c].password != NULL)
			free((char *)targets[c].password);
	}
	return 0;
}
