/* SPDX-License-Identifier: GPL-2.0-or-later */
/* alert-main.c - upsplan-alert: the daemon's sender of ALERT and RESOLVE, the Alertmanager client on its own loop, fed JSON lines on standard input. */
#include "config.h"

#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include <curl/curl.h>
#include <event2/buffer.h>
#include <event2/event.h>
#include <jansson.h>

#include "runtime/obs/alertmgr.h"

/*
 * The input, one JSON object a line (what runtime/daemon/alerts.c writes):
 *
 *   {"op":"config","instance":"host","generator_url":"...","resend":60,
 *    "targets":[{"url":"https://...","cafile":"...","bearer":"...",
 *                "user":"...","password":"..."}]}
 *   {"op":"fire","alertname":"OnBattery","ups":"ups1","group":"LOCAL",
 *    "severity":"warning","summary":"ups1 on battery"}
 *   {"op":"resolve","alertname":"OnBattery","ups":"ups1","group":"LOCAL",
 *    "severity":"warning"}
 *   {"op":"handover"}
 *
 * The config comes first and once; a member left out or "" is not set.
 * "handover" says a new run of this program (new settings) takes over:
 * the heartbeat is left firing too at the end of the input.
 * The secrets come only this way, never in the arguments or the
 * environment.  The log goes to standard error, one line a message,
 * "<level>text" with syslog's level.  At the end of the input (the daemon
 * stops, or restarts this program) the heartbeat is resolved, the other
 * firing alerts are left to their endsAt (a daemon started again replays
 * them: an outage must not look resolved because the daemon restarted),
 * what is pending is posted for at most 2 s, and the program exits 0.
 * SIGTERM and SIGINT do the same (systemd stops all of a service's
 * processes at once).
 * Malformed input: a message naming the line, exit 2.
 */

#define AL_LINE_MAX (256 * 1024)	/* bytes of one input line */

static struct event_base *base;
static struct am *am;
static struct evbuffer *input;
static struct event *stdin_ev;
static unsigned long lineno;
static int status;
static int handover;	/* {"op":"handover"} came: the heartbeat is left firing at the end */

static void al_log(void *arg, int level, const char *msg)
{
	(void)arg;
	fprintf(stderr, "<%d>%s\n", level, msg);
	fflush(stderr);
}

static void __attribute__((format(printf, 1, 2))) al_fail(const char *fmt, ...)
{
	char msg[600];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	fprintf(stderr, "<%d>input line %lu: %s\n", LOG_ERR, lineno, msg);
	status = 2;
	event_base_loopbreak(base);
}

/* Member KEY of O: a string, NULL when missing, null or "" (1 in *BAD when of another type). */
static const char *al_str(json_t *o, const char *key, int *bad)
{
	json_t *v = json_object_get(o, key);

	if (!v || json_is_null(v))
		return NULL;
	if (!json_is_string(v)) {
		*bad = 1;
		return NULL;
	}
	return *json_string_value(v) ? json_string_value(v) : NULL;
}

static int al_config(json_t *o)
{
	struct am_target_cfg t[AM_MAX_TARGETS];
	struct am_cfg cfg;
	json_t *targets = json_object_get(o, "targets"), *v, *x;
	char err[300];
	size_t i;
	int bad = 0;

	memset(t, 0, sizeof(t));
	memset(&cfg, 0, sizeof(cfg));
	if (!json_is_array(targets) || json_array_size(targets) == 0 || json_array_size(targets) > AM_MAX_TARGETS) {
		al_fail("the config needs \"targets\", an array of 1 to %d Alertmanagers", AM_MAX_TARGETS);
		return -1;
	}
	json_array_foreach(targets, i, v) {
		if (!json_is_object(v)) {
			al_fail("target %zu is not an object", i + 1);
			return -1;
		}
		t[i].url = al_str(v, "url", &bad);
		t[i].cafile = al_str(v, "cafile", &bad);
		t[i].bearer = al_str(v, "bearer", &bad);
		t[i].user = al_str(v, "user", &bad);
		t[i].password = al_str(v, "password", &bad);
		if (bad || !t[i].url) {
			al_fail("target %zu: \"url\" is missing, or a member is not a string", i + 1);
			return -1;
		}
	}
	cfg.targets = t;
	cfg.ntargets = json_array_size(targets);
	cfg.instance = al_str(o, "instance", &bad);
	cfg.generator_url = al_str(o, "generator_url", &bad);
	x = json_object_get(o, "resend");
	if (bad || (x && (!json_is_number(x) || json_number_value(x) < 1 || json_number_value(x) > 86400))) {
		al_fail("\"instance\" and \"generator_url\" are strings, \"resend\" seconds from 1 to 86400");
		return -1;
	}
	cfg.resend = x ? json_number_value(x) : 0;
	cfg.log = al_log;
	am = am_new(base, &cfg, err, sizeof(err));
	if (!am) {
		al_fail("the config cannot be used: %s", err);
		return -1;
	}
	return 0;
}

static void al_line(char *line, size_t len)
{
	json_error_t jerr;
	json_t *o = json_loadb(line, len, JSON_REJECT_DUPLICATES, &jerr);
	const char *op, *name, *ups, *group, *severity, *summary;
	int bad = 0;

	explicit_bzero(line, len);	/* the config's secrets: only in the client's copy */
	if (!json_is_object(o)) {
		al_fail(o ? "not a JSON object" : "malformed JSON at column %d: %s", jerr.column, jerr.text);
		json_decref(o);
		return;
	}
	op = al_str(o, "op", &bad);
	if (!op || bad)
		al_fail("no \"op\" (config, fire, resolve or handover)");
	else if (strcmp(op, "config") == 0)
		am ? al_fail("a second config") : (void)al_config(o);
	else if (!am)
		al_fail("\"%s\" before the config", strcmp(op, "fire") == 0 || strcmp(op, "resolve") == 0 ||
			strcmp(op, "handover") == 0 ? op : "op");
	else if (strcmp(op, "handover") == 0) {
		handover = 1;
		fprintf(stderr, "<%d>handover: the heartbeat is left firing for the next run\n", LOG_DEBUG);
	}
	else if (strcmp(op, "fire") != 0 && strcmp(op, "resolve") != 0)
		al_fail("unknown \"op\" (config, fire, resolve or handover)");
	else {
		name = al_str(o, "alertname", &bad);
		ups = al_str(o, "ups", &bad);
		group = al_str(o, "group", &bad);
		severity = al_str(o, "severity", &bad);
		summary = al_str(o, "summary", &bad);
		if (bad || !name)
			al_fail("%s: \"alertname\" is missing, or a member is not a string", op);
		else if (op[0] == 'f')
			am_fire(am, name, ups, group, severity, summary);	/* a refusal is logged */
		else if (am_resolve(am, name, ups) != 0 && am_fire(am, name, ups, group, severity, summary) == 0)
			am_resolve(am, name, ups);	/* fired by another run of this program: resolved all the same */
	}
	json_decref(o);
}

static void al_readable(evutil_socket_t fd, short what, void *arg)
{
	int n = evbuffer_read(input, fd, 65536);
	size_t len;
	char *line;

	(void)what;
	(void)arg;
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	while (status == 0 && (line = evbuffer_readln(input, &len, EVBUFFER_EOL_LF)) != NULL) {
		lineno++;
		al_line(line, len);
		free(line);
	}
	if (status == 0 && evbuffer_get_length(input) > AL_LINE_MAX) {
		lineno++;
		al_fail("longer than %d bytes", AL_LINE_MAX);
	}
	if (status == 0 && n <= 0) {	/* the end of the input */
		if (evbuffer_get_length(input) > 0) {
			lineno++;
			al_fail("cut: no line feed at the end of the input");
		}
		event_base_loopbreak(base);
	}
}

/* SIGTERM, SIGINT: as the end of the input (systemd stops every process of the service at once). */
static void al_signal(evutil_socket_t sig, short what, void *arg)
{
	(void)sig;
	(void)what;
	(void)arg;
	event_base_loopbreak(base);
}

int main(int argc, char **argv)
{
	struct event *term_ev, *int_ev;

	if (argc == 2 && strcmp(argv[1], "--version") == 0) {
		printf("upsplan-alert %s, %s\n", PACKAGE_VERSION, curl_version());	/* what upsplan --version shows */
		return 0;
	}
	if (argc != 1) {
		fprintf(stderr, "usage: upsplan-alert < JSON lines\n"
			"The sender of upsplan run's ALERT and RESOLVE actions: the daemon starts it\n"
			"and writes its input (see the upsplan(8) manual, ALERT and RESOLVE).\n");
		return 2;
	}
	signal(SIGPIPE, SIG_IGN);	/* the daemon gone: its last posts still go, its log lines are lost */
	base = event_base_new();
	input = evbuffer_new();
	if (!base || !input || evutil_make_socket_nonblocking(0) != 0) {
		fprintf(stderr, "<%d>cannot start the event loop\n", LOG_ERR);
		return 1;
	}
	stdin_ev = event_new(base, 0, EV_READ | EV_PERSIST, al_readable, NULL);
	term_ev = evsignal_new(base, SIGTERM, al_signal, NULL);
	int_ev = evsignal_new(base, SIGINT, al_signal, NULL);
	event_add(stdin_ev, NULL);
	evsignal_add(term_ev, NULL);
	evsignal_add(int_ev, NULL);
	event_base_dispatch(base);
	event_free(stdin_ev);
	event_free(term_ev);
	event_free(int_ev);
	if (status == 0 && !am && lineno == 0)
		fprintf(stderr, "<%d>no config: nothing sent\n", LOG_NOTICE);
	am_close(am, handover ? AM_KEEP_ALL : AM_KEEP_FIRING);
	evbuffer_free(input);
	event_base_free(base);
	return status;
}
