/* SPDX-License-Identifier: GPL-2.0-or-later */
/* cmd-status.c - upsplan status: what the running daemon sees and does, asked over its control socket. */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "runtime/cli/cli.h"
#include "runtime/cli/ctl-client.h"
#include "runtime/daemon/control.h"

const char status_usage[] =
	"Usage: upsplan status [--json] [--socket FILE]\n"
	"Show what the running daemon (upsplan run --control-socket) sees and does:\n"
	"each UPS with its status, battery.charge, connection and the age of its\n"
	"last answer; the running timers with the time left and the clauses they\n"
	"will run; the last actions and their results; the plan (file, checksum,\n"
	"generation); whether a SHUTDOWNCMD runs.  docs/status.md describes each\n"
	"field.\n"
	"\n"
	"Options:\n"
	"      --json             print the daemon's JSON document as it is\n"
	"  -s, --socket=FILE      the daemon's control socket (default\n"
	"                         " CTL_DEFAULT_SOCKET ", the packaged service's)\n"
	"  -h, --help             show this help\n"
	"\n"
	"The socket belongs to root and the monitoring user's group (nut), mode\n"
	"0660: run this as root or as a member of that group.  Exit status: 0\n"
	"shown, 1 the daemon could not be asked (the reason is printed), 2 usage.\n";

/* "2026-12-03T19:00:01Z" as this machine's local "19:00:01" (or as it is). */
static void st_clock(const char *iso, char *buf, size_t len)
{
	struct tm tm;
	time_t t;

	memset(&tm, 0, sizeof(tm));
	if (!strptime(iso, "%Y-%m-%dT%H:%M:%SZ", &tm)) {
		snprintf(buf, len, "%s", iso);
		return;
	}
	t = timegm(&tm);
	localtime_r(&t, &tm);
	strftime(buf, len, "%H:%M:%S", &tm);
}

static void st_head(const json_t *doc)
{
	const json_t *dm = json_object_get(doc, "daemon"), *plan = json_object_get(doc, "plan");
	const json_t *shut = json_object_get(doc, "shutdown");
	json_int_t up = json_integer_value(json_object_get(dm, "uptime"));

	/* every text of the answer through cc_put(): whoever answers on the socket may be hostile */
	fputs("upsplan ", stdout);
	cc_put(stdout, cc_str(dm, "version", "?"));
	fputs(": ", stdout);
	cc_put(stdout, cc_str(dm, "state", "?"));
	printf(", pid %lld", (long long)json_integer_value(json_object_get(dm, "pid")));
	if (json_is_integer(json_object_get(dm, "root_pid")))
		printf(" (root process %lld)", (long long)json_integer_value(json_object_get(dm, "root_pid")));
	printf(", up %lldh%02lldm%02llds\n", (long long)(up / 3600), (long long)(up / 60 % 60), (long long)(up % 60));
	fputs("plan ", stdout);
	cc_put(stdout, cc_str(plan, "file", "?"));
	printf(": generation %lld, loaded ", (long long)json_integer_value(json_object_get(plan, "generation")));
	cc_put(stdout, cc_str(plan, "loaded", "?"));
	fputs(", checksum ", stdout);
	cc_put(stdout, cc_str(plan, "checksum", "?"));
	fputs("\nSHUTDOWNCMD: ", stdout);
	cc_put(stdout, cc_str(shut, "state", "?"));
	if (json_is_string(json_object_get(shut, "where"))) {
		fputs(" (", stdout);
		cc_put(stdout, cc_str(shut, "where", ""));
		fputs(")", stdout);
	}
	putchar('\n');
}

static void st_ups(const json_t *ups)
{
	size_t i, wn = 3, wg = 5;
	const json_t *u;

	json_array_foreach(ups, i, u) {
		if (strlen(cc_str(u, "name", "")) > wn)
			wn = strlen(cc_str(u, "name", ""));
		if (strlen(cc_str(u, "group", "")) > wg)
			wg = strlen(cc_str(u, "group", ""));
	}
	wn = wn > CC_COLUMN_MAX ? CC_COLUMN_MAX : wn;
	wg = wg > CC_COLUMN_MAX ? CC_COLUMN_MAX : wg;
	printf("\n%-*s  %-*s  %-9s  %-14s  %6s  %-13s  %s\n", (int)wn, "UPS", (int)wg, "GROUP", "TYPE", "STATUS", "CHARGE",
	       "CONNECTION", "LAST ANSWER");
	json_array_foreach(ups, i, u) {
		const json_t *st = json_object_get(u, "status"), *w, *ch = json_object_get(u, "battery.charge");
		const json_t *conn = json_object_get(u, "connection"), *age = json_object_get(u, "age");
		char words[160] = "", num[32];
		size_t k;

		json_array_foreach(st, k, w)
			snprintf(words + strlen(words), sizeof(words) - strlen(words), "%s%s", k ? " " : "",
				 json_is_string(w) ? json_string_value(w) : "?");
		if (!json_is_array(st))
			snprintf(words, sizeof(words), "(never polled)");
		if (json_is_number(ch))
			snprintf(num, sizeof(num), "%.0f%%", json_number_value(ch));
		else
			snprintf(num, sizeof(num), "?");
		cc_putw(stdout, cc_str(u, "name", "?"), wn);
		fputs("  ", stdout);
		cc_putw(stdout, cc_str(u, "group", "?"), wg);
		fputs("  ", stdout);
		cc_putw(stdout, cc_str(u, "type", "?"), 9);
		fputs("  ", stdout);
		cc_putw(stdout, words, 14);
		printf("  %6s  ", num);
		cc_putw(stdout, cc_str(conn, "state", "?"), 13);
		fputs("  ", stdout);
		if (json_is_number(age))
			printf("%.1f s ago", json_number_value(age));
		else
			fputs("never", stdout);
		putchar('\n');
		if (json_is_string(json_object_get(conn, "last_error"))) {
			printf("%*s  last error: ", (int)wn, "");
			cc_put(stdout, cc_str(conn, "last_error", ""));
			putchar('\n');
		}
	}
}

static void st_actions(const json_t *acts)
{
	size_t i;
	const json_t *a;

	if (!json_is_array(acts) || json_array_size(acts) == 0) {
		printf("\nno action yet\n");
		return;
	}
	printf("\nLAST ACTIONS\n");
	json_array_foreach(acts, i, a) {
		char clock[32];
		st_clock(cc_str(a, "time", "?"), clock, sizeof(clock));
		cc_put(stdout, clock);
		fputs("  ", stdout);
		cc_putw(stdout, cc_str(a, "kind", "?"), 11);
		fputs("  ", stdout);
		cc_putw(stdout, cc_str(a, "ups", "-"), 10);
		fputs("  ", stdout);
		cc_put(stdout, cc_str(a, "where", "?"));
		fputs("  ", stdout);
		cc_put(stdout, cc_str(a, "result", "?"));
		if (json_is_string(json_object_get(a, "reason"))) {
			fputs(": ", stdout);
			cc_put(stdout, cc_str(a, "reason", ""));
		}
		putchar('\n');
	}
}

int cmd_status(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "socket", required_argument, NULL, 's' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *path = CTL_DEFAULT_SOCKET;
	int c, as_json = 0, rc;
	json_t *doc;

	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, ":s:h", opts, NULL)) != -1) {
		switch (c) {
		case 'j':
			as_json = 1;
			break;
		case 's':
			path = optarg;
			break;
		case 'h':
			fputs(status_usage, stdout);
			return EXIT_CLEAN;
		default:
			return cli_option_error("status", c, argv);
		}
	}
	if (optind != argc) {
		fprintf(stderr, "upsplan status: unexpected argument '%s'\nTry 'upsplan help status'.\n", argv[optind]);
		return EXIT_USAGE;
	}
	rc = cc_ask("status", path, "status", 5, &doc);
	if (rc != EXIT_CLEAN)
		return rc;
	if (as_json) {
		cc_json(stdout, doc);
	} else {
		st_head(doc);
		st_ups(json_object_get(doc, "ups"));
		putchar('\n');
		cc_timers(stdout, json_object_get(doc, "timers"));
		st_actions(json_object_get(doc, "actions"));
	}
	json_decref(doc);
	return EXIT_CLEAN;
}
