/* SPDX-License-Identifier: GPL-2.0-or-later */
/* cmd-check.c - upsplan check: the linter. */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/diag.h"
#include "base/loopback.h"
#include "engine/image.h"
#include "engine/sema.h"
#include "grammar/parse.h"
#include "grammar/print.h"
#include "runtime/cli/cli.h"
#include "runtime/common/file-access.h"
#include "runtime/common/plan-file.h"

const char check_usage[] =
	"Usage: upsplan check [OPTION]... FILE...\n"
	"Check each plan FILE and report errors and warnings, GNU style, on\n"
	"standard error.  FILE '-' is standard input, named <stdin> in the\n"
	"diagnostics (it has no file mode: no W610; a file named '-' is './-').\n"
	"\n"
	"Options:\n"
	"  --format=gnu|json    diagnostics as text on stderr (default), or as one\n"
	"                       JSON array per FILE on standard output\n"
	"  --print[=MODE]       write the canonical form of each plan on standard\n"
	"                       output (comments dropped, one declaration per line);\n"
	"                       MODE includes (the default) keeps each INCLUDE line,\n"
	"                       expanded writes what the included files declare in\n"
	"                       its place: one plan without INCLUDE\n"
	CLI_WARN_USAGE
	"  --max-errors=N       stop after N errors (default 100, 0: no limit)\n"
	"  --strict-modes       also refuse a FILE that others can change, as\n"
	"                       upsplan run does (E110): the file and each\n"
	"                       directory of its path must belong to root (or to\n"
	"                       you) and be writable by nobody else\n"
	"  --user=USER          as root: judge each CERTFILE as USER, the user\n"
	"                       upsplan run monitors as (default nut, as run's;\n"
	"                       root when there is no user nut); without root,\n"
	"                       CERTFILEs are judged as you (W611)\n"
	"  -h, --help           show this help\n"
	"\n"
	"Exit status: 0 no error (warnings allowed), 1 errors found (or warnings\n"
	"with -Werror), 2 usage or I/O error.\n"
	"Every diagnostic code is listed in upsplan(8), DIAGNOSTICS.\n";

struct check_opts {
	int json, print, color, strict_modes;
	size_t max_errors;
	struct cli_warn warn;
	const char *user;	/* whose reading of a CERTFILE counts (W611); NULL: this process's */
};

/* W611: can the user of O (the struct check_opts at ARG) read the CERTFILE at PATH? (sema_options.certfile_check) */
static int check_certfile(void *arg, const char *path, char *msg, size_t msglen, char *fix, size_t fixlen)
{
	const struct check_opts *o = arg;

	if (fa_check("CERTFILE", path, o->user, FA_PUBLIC, msg, msglen, fix, fixlen) != 1)
		return 0;	/* readable, or no way to tell (no such user: refused at start) */
	if (!fix[0])	/* it does not exist */
		snprintf(fix, fixlen, "give the CA certificate (PEM) that upsd's certificate is signed by; "
			 "upsplan tls-setup writes one for a upsd it sets up (checking away from the host that runs "
			 "the plan: -Wno-W611)");
	return 1;
}

/* Check one file; returns an exit status. */
static int check_file(const char *path, const struct check_opts *o)
{
	struct src_registry reg;
	struct diag_queue dq;
	struct ast_plan plan = { 0 };
	struct sema_options sopt = { .check_file_mode = 1, .certfile_check = check_certfile, .certfile_arg = (void *)o,
				   .host_check = lo_resolve };
	struct sema_result res;
	const struct src_file *f;
	struct src_include inc;
	struct stat st;
	char err[512];
	int nsyntax, status, from_stdin = strcmp(path, "-") == 0;

	src_init(&reg);
	plan_file_includes(&reg, &inc, o->strict_modes);
	if (from_stdin)
		f = cli_load_stdin(&reg, IMG_MAX_SIZE, err, sizeof(err));
	else
		f = src_load_stat(&reg, path, &st, IMG_MAX_SIZE, err, sizeof(err));
	if (!f) {
		if (o->json) {
			diag_init(&dq, &reg);
			diag_nowhere(&dq, DIAG_IO, "%s", err);
			diag_render_json(&dq, stdout);
			diag_free(&dq);
		} else {
			fprintf(stderr, "upsplan: error: %s [%s]\n", err, diag_code_name(DIAG_IO));
		}
		src_free(&reg);
		return EXIT_USAGE;
	}
	diag_init(&dq, &reg);
	dq.werror = o->warn.werror;
	dq.max_errors = o->max_errors;
	memcpy(dq.disabled, o->warn.disabled, sizeof(dq.disabled));
	sopt.check_file_mode = !o->warn.disabled[DIAG_FILE_MODE] && !from_stdin;	/* standard input has no mode */
	if (o->warn.disabled[DIAG_CERTFILE_READ])
		sopt.certfile_check = NULL;	/* no file read for nothing */
	if (o->strict_modes)
		plan_file_modes(f, &st, &dq);

	nsyntax = parse_file(&reg, f, &plan, &dq);
	if (nsyntax == 0)
		sema_check(&reg, f, &plan, &dq, &sopt, &res);
	if (o->print && nsyntax == 0)
		print_plan_mode(&reg, &plan, o->print == 2, stdout);
	if (o->json)
		diag_render_json(&dq, stdout);
	else
		diag_render_gnu(&dq, stderr, o->color);
	status = diag_failed(&dq) ? EXIT_ERRORS : EXIT_CLEAN;
	diag_free(&dq);
	ast_plan_free(&plan);
	src_free(&reg);
	return status;
}

int cmd_check(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "format", required_argument, NULL, 'f' },
		{ "print", optional_argument, NULL, 'p' },
		{ "max-errors", required_argument, NULL, 'm' },
		{ "strict-modes", no_argument, NULL, 's' },
		{ "user", required_argument, NULL, 'u' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct check_opts o;
	int c, status = EXIT_CLEAN;

	memset(&o, 0, sizeof(o));
	o.max_errors = 100;
	o.color = isatty(STDERR_FILENO) && !getenv("NO_COLOR");
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+:hW:", longopts, NULL)) != -1) {
		switch (c) {
		case 'f':
			if (strcmp(optarg, "json") == 0)
				o.json = 1;
			else if (strcmp(optarg, "gnu") == 0)
				o.json = 0;
			else {
				fprintf(stderr, "upsplan check: unknown format '%s'; use --format=gnu or --format=json\n", optarg);
				return EXIT_USAGE;
			}
			break;
		case 'p':
			if (!optarg || strcmp(optarg, "includes") == 0)
				o.print = 1;
			else if (strcmp(optarg, "expanded") == 0)
				o.print = 2;
			else {
				fprintf(stderr, "upsplan check: unknown --print mode '%s'; use --print=includes (INCLUDE lines "
					"kept) or --print=expanded (the included declarations in their place)\n", optarg);
				return EXIT_USAGE;
			}
			break;
		case 's':
			o.strict_modes = 1;
			break;
		case 'u':
			if (cli_name_arg("check", "--user", optarg, CLI_MAX_USER))
				return EXIT_USAGE;
			o.user = optarg;
			break;
		case 'm': {
			char *end;
			unsigned long n;
			errno = 0;
			n = strtoul(optarg, &end, 10);
			if (*optarg == '\0' || *end || optarg[0] == '-' || errno) {
				fprintf(stderr, "upsplan check: --max-errors wants a whole number, not '%s'\n", optarg);
				return EXIT_USAGE;
			}
			o.max_errors = n;
			break;
		}
		case 'W':
			if (cli_warn_option("check", &o.warn, optarg))
				return EXIT_USAGE;
			break;
		case 'h':
			fputs(check_usage, stdout);
			return EXIT_CLEAN;
		default:
			return cli_option_error("check", c, argv);
		}
	}
	if (o.json && o.print) {
		fprintf(stderr, "upsplan check: --print and --format=json both write to standard output; use one of them\n");
		return EXIT_USAGE;
	}
	if (optind >= argc) {
		fprintf(stderr, "upsplan check: no FILE given\nTry 'upsplan help check'.\n");
		return EXIT_USAGE;
	}
	/* as run: as root, the CERTFILEs are read by the monitoring user */
	if (geteuid() != 0 && o.user) {
		fprintf(stderr, "upsplan check: --user needs root: without it the CERTFILEs are judged as you, "
			"the user upsplan run started by you monitors as\n");
		return EXIT_USAGE;
	}
	if (geteuid() == 0 && o.user && !getpwnam(o.user)) {
		fprintf(stderr, "upsplan check: there is no user '%s' (--user)\n", o.user);
		return EXIT_USAGE;
	}
	if (geteuid() == 0 && !o.user && getpwnam("nut"))
		o.user = "nut";
	for (int i = optind, dash = 0; i < argc; i++) {
		if (strcmp(argv[i], "-") != 0)
			continue;
		if (o.strict_modes) {
			fprintf(stderr, "upsplan check: --strict-modes checks the owner and mode of a file; standard input "
				"('-') has none: give the plan's file\n");
			return EXIT_USAGE;
		}
		if (dash++) {
			fprintf(stderr, "upsplan check: '-' (standard input) is given twice; it can be read once\n");
			return EXIT_USAGE;
		}
	}
	for (int i = optind; i < argc; i++) {
		int s = check_file(argv[i], &o);
		if (s > status)
			status = s;
	}
	return status;
}

