/* SPDX-License-Identifier: GPL-2.0-or-later */
/* cmd-compile.c - upsplan compile (plan to image file) and upsplan disasm (bytecode listing). */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "engine/disasm.h"
#include "runtime/cli/cli.h"
#include "runtime/common/plan-file.h"

const char compile_usage[] =
	"Usage: upsplan compile [OPTION]... PLAN -o IMAGE\n"
	"Check and compile the plan source PLAN into the plan image IMAGE, which\n"
	"upsplan loads faster than a source.  Diagnostics go to standard error;\n"
	"on errors no image is written, nor on a warning that changes what\n"
	"happens in an outage (as upsplan run refuses such a plan) unless\n"
	"--allow-warnings is given.\n"
	"\n"
	"The image holds the upsd and SMTP passwords of the plan: it is written\n"
	"with mode 0600, whatever the umask.\n"
	"\n"
	"Options:\n"
	"  -o, --output=IMAGE   the image file to write (replaced atomically)\n"
	"  --hostname=NAME      value of the built-in message 'hostname'\n"
	"                       (default: this machine's host name)\n"
	"  --allow-warnings     write the image despite such warnings\n"
	CLI_WARN_USAGE
	"  -h, --help           show this help\n"
	"\n"
	"Exit status: 0 compiled, 1 the plan has errors, 2 usage or I/O error.\n";

const char disasm_usage[] =
	"Usage: upsplan disasm [OPTION]... PLAN|IMAGE\n"
	"       upsplan disasm --opcodes\n"
	"List a plan's bytecode: settings, groups, UPS, timers, messages and\n"
	"templates, then every handler with its event key, each instruction with\n"
	"its offset, name, decoded operands and the source location it came from.\n"
	"PLAN is compiled first; IMAGE (from upsplan compile) is loaded and\n"
	"verified.  Passwords are never shown.\n"
	"\n"
	"Options:\n"
	"  --opcodes            list the instruction set instead\n"
	"  --hostname=NAME      value of the built-in message 'hostname' when\n"
	"                       compiling PLAN (default: this machine's host name)\n"
	CLI_WARN_USAGE
	"  -h, --help           show this help\n"
	"\n"
	"Exit status: 0 listed, 1 the plan has errors, 2 usage, I/O error or an\n"
	"invalid image.\n";

enum { OPT_HOSTNAME = 256, OPT_OPCODES, OPT_ALLOW_WARNINGS };

static const struct option plan_longopts[] = {
	{ "output", required_argument, NULL, 'o' },
	{ "hostname", required_argument, NULL, OPT_HOSTNAME },
	{ "opcodes", no_argument, NULL, OPT_OPCODES },
	{ "allow-warnings", no_argument, NULL, OPT_ALLOW_WARNINGS },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 }
};

/* Options shared by compile and disasm; returns -1 to go on, else an exit status. */
static int plan_options(const char *cmd, int argc, char **argv, struct plan_file_opts *po,
			struct cli_warn *warn, const char **output, int *opcodes, const char *usage)
{
	int c;

	memset(po, 0, sizeof(*po));
	po->color = isatty(STDERR_FILENO) && !getenv("NO_COLOR");
	po->refuse_hazards = output != NULL;	/* an image is for upsplan run */
	memset(warn, 0, sizeof(*warn));
	po->disabled = warn->disabled;
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":ho:W:", plan_longopts, NULL)) != -1) {
		switch (c) {
		case 'o':
			if (!output)
				return cli_not_here(cmd, "-o/--output", "disasm prints to standard output");
			if (!*optarg) {
				fprintf(stderr, "upsplan %s: -o wants the name of the image file to write\n", cmd);
				return EXIT_USAGE;
			}
			*output = optarg;
			break;
		case OPT_HOSTNAME:
			if (cli_name_arg(cmd, "--hostname", optarg, CLI_MAX_HOSTNAME))
				return EXIT_USAGE;
			po->hostname = optarg;
			break;
		case OPT_ALLOW_WARNINGS:
			if (!output)
				return cli_not_here(cmd, "--allow-warnings", "disasm writes no image");
			po->refuse_hazards = 0;
			break;
		case 'W':
			if (cli_warn_option(cmd, warn, optarg))
				return EXIT_USAGE;
			po->werror = warn->werror;
			break;
		case OPT_OPCODES:
			if (!opcodes)
				return cli_not_here(cmd, "--opcodes", "it is an option of disasm");
			*opcodes = 1;
			break;
		case 'h':
			fputs(usage, stdout);
			return EXIT_CLEAN;
		default:
			return cli_option_error(cmd, c, argv);
		}
	}
	return -1;
}

int cmd_compile(int argc, char **argv)
{
	struct plan_file_opts po;
	struct cli_warn warn;
	struct plan_image img;
	const char *output = NULL;
	char err[512];
	int rc = plan_options("compile", argc, argv, &po, &warn, &output, NULL, compile_usage);

	if (rc >= 0)
		return rc;
	if (optind >= argc) {
		fprintf(stderr, "upsplan compile: no PLAN given\nTry 'upsplan help compile'.\n");
		return EXIT_USAGE;
	}
	if (optind + 1 < argc) {
		fprintf(stderr, "upsplan compile: one PLAN at a time ('%s' is extra)\n", argv[optind + 1]);
		return EXIT_USAGE;
	}
	if (!output) {
		fprintf(stderr, "upsplan compile: no output file: add -o IMAGE\n");
		return EXIT_USAGE;
	}
	struct stat in, out;
	if (stat(argv[optind], &in) == 0 && stat(output, &out) == 0 && in.st_dev == out.st_dev &&
	    in.st_ino == out.st_ino) {
		fprintf(stderr, "upsplan compile: '%s' is the plan itself; give the image another name\n", output);
		return EXIT_USAGE;
	}
	if (cli_no_stdin("compile", "PLAN", argv[optind]))
		return EXIT_USAGE;
	rc = plan_file_load(argv[optind], &po, &img);
	if (rc != 0)
		return rc;
	if (plan_file_save(output, &img, err, sizeof(err)) != 0) {
		fprintf(stderr, "upsplan compile: error: %s\n", err);
		rc = EXIT_USAGE;
	}
	img_free(&img);
	return rc;
}

int cmd_disasm(int argc, char **argv)
{
	struct plan_file_opts po;
	struct cli_warn warn;
	struct plan_image img;
	int opcodes = 0;
	int rc = plan_options("disasm", argc, argv, &po, &warn, NULL, &opcodes, disasm_usage);

	if (rc >= 0)
		return rc;
	if (opcodes) {
		if (optind < argc) {
			fprintf(stderr, "upsplan disasm: --opcodes takes no file\n");
			return EXIT_USAGE;
		}
		img_list_opcodes(stdout);
		return EXIT_CLEAN;
	}
	if (optind >= argc) {
		fprintf(stderr, "upsplan disasm: no PLAN or IMAGE given\nTry 'upsplan help disasm'.\n");
		return EXIT_USAGE;
	}
	if (optind + 1 < argc) {
		fprintf(stderr, "upsplan disasm: one file at a time ('%s' is extra)\n", argv[optind + 1]);
		return EXIT_USAGE;
	}
	if (cli_no_stdin("disasm", "PLAN|IMAGE", argv[optind]))
		return EXIT_USAGE;
	rc = plan_file_load(argv[optind], &po, &img);
	if (rc != 0)
		return rc;
	img_disasm(&img, stdout);
	img_free(&img);
	return EXIT_CLEAN;
}
