/* SPDX-License-Identifier: GPL-2.0-or-later */
/* wh-server.c - test driver of runtime/obs/webhook: an evhttp listener on 127.0.0.1 that prints each alert Alertmanager's webhook sends. */
#define _DEFAULT_SOURCE
#include "config.h"

#include <arpa/inet.h>
#include <event2/event.h>
#include <event2/http.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <syslog.h>

#include "runtime/obs/webhook.h"

static const char usage_text[] =
    "usage: wh-server [--port P] [--token-file F] [--max-body N] [--max-alerts N]\n"
    "Listens on 127.0.0.1:P (default 0: any free port; printed as \"port P\")\n"
    "and hands POST /hook to wh_handle (runtime/obs/webhook).  Prints a line\n"
    "per alert: NAME firing|resolved LABEL=VALUE...  The log goes to standard\n"
    "error.  TERM ends it.\n";

static void log_line(void *arg, int level, const char *msg)
{
	(void)arg;
	fprintf(stderr, "%s %s\n", level <= LOG_WARNING ? "warning" : "info", msg);
}

static void on_alert(void *arg, const struct wh_alert *a)
{
	size_t i;

	(void)arg;
	printf("%s %s", a->alertname, a->firing ? "firing" : "resolved");
	for (i = 0; i < a->nlabels; i++)
		printf(" %s=%s", a->labels[i].name, a->labels[i].value);
	printf("\n");
	fflush(stdout);
}

static void not_found(struct evhttp_request *req, void *arg)
{
	(void)arg;
	evhttp_send_error(req, 404, "POST to /hook");
}

static void stop(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	event_base_loopbreak(arg);
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "port", 1, NULL, 'p' }, { "token-file", 1, NULL, 't' },
		{ "max-body", 1, NULL, 'b' }, { "max-alerts", 1, NULL, 'a' },
		{ "help", 0, NULL, 'h' }, { NULL, 0, NULL, 0 }
	};
	struct wh_cfg cfg;
	struct event_base *base;
	struct evhttp *http;
	struct evhttp_bound_socket *sock;
	struct event *term;
	struct wh *wh;
	char err[256], token[4096];
	int c, port = 0;
	FILE *f;

	memset(&cfg, 0, sizeof(cfg));
	cfg.on_alert = on_alert;
	cfg.log = log_line;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'p': port = atoi(optarg); break;
		case 't':
			f = fopen(optarg, "r");
			if (f == NULL || fgets(token, sizeof(token), f) == NULL) {
				fprintf(stderr, "wh-server: %s: cannot read the token\n", optarg);
				return 2;
			}
			fclose(f);
			token[strcspn(token, "\r\n")] = '\0';
			cfg.token = token;
			break;
		case 'b': cfg.max_body = (size_t)atol(optarg); break;
		case 'a': cfg.max_alerts = (size_t)atol(optarg); break;
		case 'h': fputs(usage_text, stdout); return 0;
		default: fputs(usage_text, stderr); return 2;
		}
	}
	wh = wh_new(&cfg, err, sizeof(err));
	if (wh == NULL) {
		fprintf(stderr, "wh-server: %s\n", err);
		return 1;
	}
	signal(SIGPIPE, SIG_IGN);
	base = event_base_new();
	http = evhttp_new(base);
	/* evhttp's own cap above ours, so that wh_handle's 413 is tested */
	evhttp_set_max_body_size(http, 2 * (cfg.max_body ? cfg.max_body : WH_MAX_BODY));
	evhttp_set_max_headers_size(http, 16384);
	evhttp_set_timeout(http, 5);
	evhttp_set_allowed_methods(http, EVHTTP_REQ_GET | EVHTTP_REQ_POST | EVHTTP_REQ_PUT |
				   EVHTTP_REQ_HEAD | EVHTTP_REQ_DELETE);
	evhttp_set_cb(http, "/hook", wh_handle, wh);
	evhttp_set_gencb(http, not_found, NULL);
	sock = evhttp_bind_socket_with_handle(http, "127.0.0.1", (ev_uint16_t)port);
	if (sock == NULL) {
		fprintf(stderr, "wh-server: cannot listen on 127.0.0.1:%d\n", port);
		return 1;
	}
	{
		struct sockaddr_storage ss;
		ev_socklen_t len = sizeof(ss);
		struct sockaddr_in *sin = (struct sockaddr_in *)&ss;

		getsockname(evhttp_bound_socket_get_fd(sock), (struct sockaddr *)&ss, &len);
		printf("port %u\n", (unsigned)ntohs(sin->sin_port));
		fflush(stdout);
	}
	term = evsignal_new(base, SIGTERM, stop, base);
	event_add(term, NULL);
	event_base_dispatch(base);
	event_free(term);
	evhttp_free(http);
	event_base_free(base);
	wh_free(wh);
	return 0;
}
