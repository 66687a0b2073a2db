/* SPDX-License-Identifier: GPL-2.0-or-later */
/* cmd-simulate.c - upsplan simulate: a plan against a scripted outage on a virtual clock; prints what would happen, runs nothing. */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "runtime/cli/cli.h"
#include "runtime/common/plan-file.h"
#include "runtime/sim/scenario.h"
#include "runtime/sim/sim.h"

const char simulate_usage[] =
	"Usage: upsplan simulate [OPTION]... PLAN SCENARIO\n"
	"Run PLAN (a plan source or image) against the outage scripted in\n"
	"SCENARIO on a virtual clock and print, one line each, every event,\n"
	"timer expiry and action with its fully rendered text.  Nothing is\n"
	"executed: no shutdown, mail, wall or command leaves the process.\n"
	"\n"
	"Options:\n"
	"  --format=text|json   one aligned line per item (default), or JSON Lines\n"
	"  --until=TIME         stop at virtual TIME (90, 2m, 1h30m)\n"
	"  --expect=FILE        compare the trace with FILE; on a difference print\n"
	"                       it and exit 1 (keep a plan's rehearsal in your CI)\n"
	"  --hostname=NAME      this machine's name: %(h)s and the message hostname\n"
	"  --user=NAME          the daemon's user, for %(b)s (default nut)\n"
	"  --keep-going         go on after a SHUTDOWNCMD (by default the\n"
	"                       simulation ends there, as the host would)\n"	CLI_WARN_USAGE
	"  -h, --help           show this help\n"
	"\n"
	"The scenario format is described in upsplan-scenario(5).\n"
	"Exit status: 0 simulated (and the trace matches --expect), 1 errors in\n"
	"the plan (or warnings with -Werror) or scenario or a different trace,\n"
	"2 usage or I/O error.\n";

enum { OPT_FORMAT = 256, OPT_UNTIL, OPT_EXPECT, OPT_HOSTNAME, OPT_USER, OPT_KEEP_GOING };

int cmd_simulate(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "format", required_argument, NULL, OPT_FORMAT },
		{ "until", required_argument, NULL, OPT_UNTIL },
		{ "expect", required_argument, NULL, OPT_EXPECT },
		{ "hostname", required_argument, NULL, OPT_HOSTNAME },
		{ "user", required_argument, NULL, OPT_USER },
		{ "keep-going", no_argument, NULL, OPT_KEEP_GOING },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct plan_file_opts po;
	struct cli_warn warn;
	struct plan_image img;
	struct scenario sc;
	struct src_registry reg;
	struct diag_queue dq;
	const struct src_file *f;
	const char *expect = NULL, *user = "nut";
	size_t expect_size = 0;
	char hostname[256] = "localhost", banner[600], err[512];
	double until = 0;
	int has_until = 0, json = 0, keep_going = 0, c, rc;

	memset(&po, 0, sizeof(po));
	memset(&warn, 0, sizeof(warn));
	po.disabled = warn.disabled;
	po.color = isatty(STDERR_FILENO) && !getenv("NO_COLOR");
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":hW:", longopts, NULL)) != -1) {
		switch (c) {
		case OPT_FORMAT:
			if (strcmp(optarg, "json") == 0)
				json = 1;
			else if (strcmp(optarg, "text") == 0)
				json = 0;
			else {
				fprintf(stderr, "upsplan simulate: unknown format '%s'; use --format=text or --format=json\n", optarg);
				return EXIT_USAGE;
			}
			break;
		case OPT_UNTIL:
			if (scn_duration(optarg, strlen(optarg), &until) != 0) {
				fprintf(stderr, "upsplan simulate: --until wants a time (90, 2m, 1h30m), not '%s'\n", optarg);
				return EXIT_USAGE;
			}
			has_until = 1;
			break;
		case OPT_EXPECT:
			expect = optarg;
			break;
		case OPT_HOSTNAME:
			if (cli_name_arg("simulate", "--hostname", optarg, CLI_MAX_HOSTNAME))
				return EXIT_USAGE;
			po.hostname = optarg;
			break;
		case OPT_USER:
			if (cli_name_arg("simulate", "--user", optarg, CLI_MAX_USER))
				return EXIT_USAGE;
			user = optarg;
			break;
		case OPT_KEEP_GOING:
			keep_going = 1;
			break;
		case 'W':
			if (cli_warn_option("simulate", &warn, optarg))
				return EXIT_USAGE;
			break;
		case 'h':
			fputs(simulate_usage, stdout);
			return EXIT_CLEAN;
		default:
			return cli_option_error("simulate", c, argv);
		}
	}
	po.werror = warn.werror;
	if (argc - optind != 2) {
		fprintf(stderr, "upsplan simulate: give a PLAN and a SCENARIO\nTry 'upsplan help simulate'.\n");
		return EXIT_USAGE;
	}
	if (cli_no_stdin("simulate", "PLAN", argv[optind]) || cli_no_stdin("simulate", "SCENARIO", argv[optind + 1]))
		return EXIT_USAGE;
	if (po.hostname)
		snprintf(hostname, sizeof(hostname), "%s", po.hostname);
	else
		cli_this_host("simulate", hostname, sizeof(hostname));
	po.hostname = hostname;	/* the built-in message too */
	snprintf(banner, sizeof(banner), "%s@%s", user, hostname);
	if (expect) {	/* its size bounds what is kept of the trace; a bad file is said before a long run */
		struct stat st;
		int fd = src_open_regular(expect, 0, &st, err, sizeof(err));
		if (fd < 0) {
			fprintf(stderr, "upsplan simulate: --expect: %s\n", err);
			return EXIT_USAGE;
		}
		close(fd);
		expect_size = (size_t)st.st_size;
	}

	rc = plan_file_load(argv[optind], &po, &img);
	if (rc != 0)
		return rc;
	src_init(&reg);
	f = src_load(&reg, argv[optind + 1], err, sizeof(err));
	if (!f) {
		fprintf(stderr, "upsplan simulate: error: %s\n", err);
		src_free(&reg);
		img_free(&img);
		return EXIT_USAGE;
	}
	diag_init(&dq, &reg);
	rc = scn_parse(&sc, &img, &reg, f, &dq);
	diag_render_gnu(&dq, stderr, po.color);
	diag_free(&dq);
	if (rc == 0) {
		struct sim_opts so = { hostname, banner, json, keep_going, has_until, until, expect, expect_size };

		rc = sim_simulate(&img, &sc, &so, stdout);
	} else {
		rc = EXIT_ERRORS;
	}
	scn_free(&sc);
	src_free(&reg);
	img_free(&img);
	return rc;
}
