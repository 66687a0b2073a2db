/* SPDX-License-Identifier: GPL-2.0-or-later */
/* cmd-migrate.c - upsplan migrate: NUT's upsmon.conf (and upssched.conf) into a plan, checked before it is written. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/source.h"
#include "engine/compile.h"
#include "runtime/cli/cli.h"
#include "runtime/migrate/migrate.h"

const char migrate_usage[] =
	"Usage: upsplan migrate [OPTION]... UPSMON.CONF\n"
	"Translate NUT's upsmon.conf (and the upssched.conf its NOTIFYCMD runs)\n"
	"into a plan that does what upsmon did: the same notifications, upssched\n"
	"timers and shutdown.  Every line with no equivalent is reported where it\n"
	"stands, with what to do.  The plan is checked before it is written, and\n"
	"written only when the files have no error.\n"
	"\n"
	"Options:\n"
	"  --upssched FILE        read upssched.conf from FILE (default: when\n"
	"                         NOTIFYCMD runs upssched, $NUT_CONFPATH/upssched.conf,\n"
	"                         else upssched.conf beside UPSMON.CONF)\n"
	"  --nut-version 2.8.N    the upsmon the files were written for (default\n"
	"                         2.8.0): its directives and notify types count\n"
	"  --ca-file FILE         the CA certificate (PEM) the plan's CERTFILE names,\n"
	"                         for a upsd that is not on loopback\n"
	"  -o, --output FILE      write FILE (mode 0640: it holds passwords) instead\n"
	"                         of standard output; refused if FILE exists\n"
	"  --force                replace an existing FILE (atomically; never a\n"
	"                         symbolic link)\n"
	"  -h, --help             show this help\n"
	"\n"
	"Exit status: 0 written (warnings allowed), 1 errors (nothing written),\n"
	"2 usage or I/O error.\n";

/* The plan, checked as upsplan check and compile do; 0 when clean, else the diagnostics (a bug of migrate). */
static int mig_check(const struct buf *plan)
{
	struct src_registry reg;
	struct diag_queue dq;
	const struct src_file *f;
	char err[256];
	/* W651 is said in the plan's comment: upsmon spoke plain text too */
	int rc = cli_check_plan(&reg, &dq, "migrated UPSmon.conf", plan->p, plan->len, DIAG_TLS_NONE_CLEAR, &f, err,
				sizeof(err));

	if (rc != 0) {
		fprintf(stderr, "upsplan migrate: internal error: the migrated plan does not check clean (a bug of "
			"upsplan migrate: please report it with the files)%s%s\n", rc == 2 ? ": " : "", rc == 2 ? err : "");
		diag_render_gnu(&dq, stderr, 0);
	}
	diag_free(&dq);
	src_free(&reg);
	return rc ? EXIT_ERRORS : EXIT_CLEAN;
}

enum { OPT_UPSSCHED = 256, OPT_NUT_VERSION, OPT_CA_FILE, OPT_FORCE };

int cmd_migrate(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "upssched", required_argument, NULL, OPT_UPSSCHED },
		{ "nut-version", required_argument, NULL, OPT_NUT_VERSION },
		{ "ca-file", required_argument, NULL, OPT_CA_FILE },
		{ "output", required_argument, NULL, 'o' },
		{ "force", no_argument, NULL, OPT_FORCE },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct mg_options mo = { .version = PACKAGE_VERSION };
	const char *out = NULL;
	int c, force = 0, rc;
	struct src_registry reg;
	struct diag_queue dq;
	struct buf plan = { 0 };

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":ho:", longopts, NULL)) != -1) {
		switch (c) {
		case OPT_UPSSCHED: mo.upssched = optarg; break;
		case OPT_CA_FILE:
			if (optarg[0] != '/' || strpbrk(optarg, "\r\n")) {
				fprintf(stderr, "upsplan migrate: --ca-file wants an absolute path, not '%s'\n", optarg);
				return EXIT_USAGE;
			}
			mo.ca_file = optarg;
			break;
		case OPT_NUT_VERSION:
			if (mg_nut_version(optarg, &mo.nut_minor) != 0) {
				fprintf(stderr, "upsplan migrate: --nut-version wants a NUT 2.8 version such as 2.8.0, not "
					"'%s'\n", optarg);
				return EXIT_USAGE;
			}
			break;
		case 'o': out = optarg; break;
		case OPT_FORCE: force = 1; break;
		case 'h':
			fputs(migrate_usage, stdout);
			return EXIT_CLEAN;
		default:
			return cli_option_error("migrate", c, argv);
		}
	}
	if (argc - optind != 1) {
		fprintf(stderr, "upsplan migrate: give one upsmon.conf%s\nTry 'upsplan help migrate'.\n",
			argc - optind > 1 ? " (one file at a time)" : "");
		return EXIT_USAGE;
	}
	if (force && !out) {
		fprintf(stderr, "upsplan migrate: --force replaces the file of -o; without -o the plan goes to standard "
			"output\n");
		return EXIT_USAGE;
	}
	if (cli_no_stdin("migrate", "UPSMON.CONF", argv[optind]) != 0)
		return EXIT_USAGE;
	mo.confpath = getenv("NUT_CONFPATH");
	if (mo.confpath && !mo.confpath[0])
		mo.confpath = NULL;
	src_init(&reg);
	diag_init(&dq, &reg);
	dq.max_errors = 0;
	rc = mg_translate(&reg, &dq, argv[optind], &mo, &plan);
	diag_render_gnu(&dq, stderr, isatty(STDERR_FILENO) && !getenv("NO_COLOR") ? DIAG_RENDER_COLOR : 0);
	if (rc < 0)
		rc = EXIT_USAGE;
	else if (dq.nerrors)
		rc = EXIT_ERRORS;
	else
		rc = mig_check(&plan);
	if (rc == EXIT_CLEAN) {
		if (out)
			rc = cli_write_plan("migrate", out, force, plan.p, plan.len);
		else
			fwrite(plan.p, 1, plan.len, stdout);
	}
	if (plan.p)
		explicit_bzero(plan.p, plan.len);	/* it holds passwords */
	buf_free(&plan);
	diag_free(&dq);
	src_free(&reg);
	return rc;
}
