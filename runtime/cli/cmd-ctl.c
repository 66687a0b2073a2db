/* SPDX-License-Identifier: GPL-2.0-or-later */
/* cmd-ctl.c - upsplan ctl: ask the running daemon to reload, to set FSD on a primary UPS, or for its running timers, over its control socket. */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include <jansson.h>

#include "runtime/cli/cli.h"
#include "runtime/cli/ctl-client.h"
#include "runtime/daemon/control.h"

const char ctl_usage[] =
	"Usage: upsplan ctl [--socket FILE] [--json] reload\n"
	"       upsplan ctl [--socket FILE] [--json] timers\n"
	"       upsplan ctl [--socket FILE] fsd UPS --yes\n"
	"Ask the running daemon (upsplan run --control-socket) to act:\n"
	"  reload      compile the plan again and swap it in, as SIGHUP does, and\n"
	"              say whether the new plan runs or was refused, and why\n"
	"  timers      list the running timers, the time left and the clauses\n"
	"              they will run\n"
	"  fsd UPS     set FSD (forced shutdown) on UPS, which this daemon\n"
	"              monitors as primary, through its upsd: every host that\n"
	"              UPS feeds shuts down, this one too; needs --yes\n"
	"\n"
	"Options:\n"
	"  -s, --socket=FILE      the daemon's control socket (default\n"
	"                         " CTL_DEFAULT_SOCKET ", the packaged service's)\n"
	"      --json             print the daemon's JSON answer as it is\n"
	"      --yes              really do it (fsd)\n"
	"  -h, --help             show this help\n"
	"\n"
	"The daemon logs who asked (uid and pid).  Exit status: 0 done, 1 refused\n"
	"or the daemon could not be asked (the reason is printed), 2 usage.\n";

static int ctl_print_json(json_t *doc)
{
	cc_json(stdout, doc);
	json_decref(doc);
	return EXIT_CLEAN;
}

static int ctl_reload(const char *path, int as_json)
{
	json_t *doc;
	const char *how;
	long long gen;
	int rc = cc_ask("ctl", path, "reload", CTL_RELOAD_WAIT + 5, &doc);

	if (rc != EXIT_CLEAN)
		return rc;
	how = cc_str(doc, "reload", "?");
	rc = strcmp(how, "done") == 0 ? EXIT_CLEAN : EXIT_ERRORS;
	if (as_json) {
		ctl_print_json(doc);
		return rc;
	}
	gen = (long long)json_integer_value(json_object_get(doc, "generation"));
	if (rc == EXIT_CLEAN) {
		printf("upsplan ctl: reloaded: plan generation %lld runs\n", gen);
	} else {
		fprintf(stderr, "upsplan ctl: reload %s: ", strcmp(how, "refused") == 0 ? "refused" : "outcome unknown");
		cc_put(stderr, cc_str(doc, "reason", "no reason given"));
		if (strcmp(how, "refused") == 0)
			fprintf(stderr, " (plan generation %lld still runs)", gen);
		fputc('\n', stderr);
	}
	json_decref(doc);
	return rc;
}

static int ctl_fsd(const char *path, const char *ups, int yes)
{
	char req[300];
	json_t *doc;
	int rc;

	for (const unsigned char *p = (const unsigned char *)ups; *p; p++)
		if (*p < 0x21 || *p == 0x7f) {
			fprintf(stderr, "upsplan ctl fsd: a UPS name has no space or control character\n");
			return EXIT_USAGE;
		}
	if (strlen(ups) > 200) {
		fprintf(stderr, "upsplan ctl fsd: a UPS name of more than 200 bytes is no UPS of a plan\n");
		return EXIT_USAGE;
	}
	if (!yes) {
		fprintf(stderr, "upsplan ctl fsd: nothing sent: this would set FSD (forced shutdown) on UPS %s through its "
			"upsd, and every host that UPS feeds would shut down, this one too (as 'upsmon -c fsd' of NUT "
			"does for one UPS).  Add --yes to do it.\n", ups);
		return EXIT_USAGE;
	}
	snprintf(req, sizeof(req), "fsd %s", ups);
	rc = cc_ask("ctl", path, req, 5, &doc);
	if (rc != EXIT_CLEAN)
		return rc;
	printf("upsplan ctl: FSD sent for UPS %s: its upsd sets FSD, the hosts it feeds shut down; the daemon's "
	       "log says what its plan does\n", ups);
	json_decref(doc);
	return EXIT_CLEAN;
}

int cmd_ctl(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "socket", required_argument, NULL, 's' },
		{ "json", no_argument, NULL, 'j' },
		{ "yes", no_argument, NULL, 'y' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *path = CTL_DEFAULT_SOCKET, *what;
	int c, as_json = 0, yes = 0, rc;
	json_t *doc;

	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, ":s:h", opts, NULL)) != -1) {
		switch (c) {
		case 's':
			path = optarg;
			break;
		case 'j':
			as_json = 1;
			break;
		case 'y':
			yes = 1;
			break;
		case 'h':
			fputs(ctl_usage, stdout);
			return EXIT_CLEAN;
		default:
			return cli_option_error("ctl", c, argv);
		}
	}
	if (optind >= argc) {
		fprintf(stderr, "upsplan ctl: say what to do: reload, timers or fsd UPS\nTry 'upsplan help ctl'.\n");
		return EXIT_USAGE;
	}
	what = argv[optind];
	if (strcmp(what, "fsd") == 0) {
		if (argc - optind != 2) {
			fprintf(stderr, "upsplan ctl fsd: give one UPS (upsplan ctl fsd UPS --yes)\n");
			return EXIT_USAGE;
		}
		return ctl_fsd(path, argv[optind + 1], yes);
	}
	if (argc - optind != 1) {
		fprintf(stderr, "upsplan ctl %s: unexpected argument '%s'\nTry 'upsplan help ctl'.\n", what, argv[optind + 1]);
		return EXIT_USAGE;
	}
	if (strcmp(what, "reload") == 0)
		return ctl_reload(path, as_json);
	if (strcmp(what, "timers") != 0) {
		fprintf(stderr, "upsplan ctl: '%s' is not something ctl does: reload, timers or fsd UPS\nTry 'upsplan help ctl'.\n",
			what);
		return EXIT_USAGE;
	}
	rc = cc_ask("ctl", path, "timers", 5, &doc);
	if (rc != EXIT_CLEAN)
		return rc;
	if (as_json)
		return ctl_print_json(doc);
	cc_timers(stdout, json_object_get(doc, "timers"));
	json_decref(doc);
	return EXIT_CLEAN;
}
