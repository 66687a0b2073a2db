/* SPDX-License-Identifier: GPL-2.0-or-later */
/* main.c - the upsplan command: dispatches subcommands (check, compile, disasm, simulate, generate, migrate, run, tls-setup, fsd, status, ctl, help, version). */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>
#include <jansson.h>
#include <pcre2.h>
#include <openssl/crypto.h>

#include "runtime/cli/cli.h"

static const char main_usage[] =
	"Usage: upsplan COMMAND [OPTION]... [ARG]...\n"
	"Check and run UPS shutdown plans written in the UPSmon.conf language.\n"
	"\n"
	"Commands:\n"
	"  check FILE...   check plans; report errors and warnings\n"
	"  compile PLAN -o IMAGE\n"
	"                  compile a plan into a plan image file\n"
	"  disasm PLAN|IMAGE\n"
	"                  list the bytecode of a plan with its source locations\n"
	"  simulate PLAN SCENARIO\n"
	"                  rehearse a plan against a scripted outage; runs nothing\n"
	"  generate standard|timed\n"
	"                  write a complete plan for one UPS\n"
	"  migrate UPSMON.CONF\n"
	"                  translate NUT's upsmon.conf (and upssched.conf) into a plan\n"
	"  run PLAN        monitor the plan's UPS over TLS and carry out its actions\n"
	"  tls-setup       make a CA and upsd's certificate, install them for the\n"
	"                  local upsd, print the upsd.conf and plan lines\n"
	"  fsd             ask the running daemon for a forced shutdown (its\n"
	"                  WHEN ... TIMEOUT fsd clauses), as upsmon -c fsd\n"
	"  status          show what the running daemon sees and does (its UPS,\n"
	"                  timers, last actions, plan), over its control socket\n"
	"  ctl reload|timers|fsd UPS\n"
	"                  ask the running daemon to reload, list its timers, or\n"
	"                  set FSD on a primary UPS, over its control socket\n"
	"  help [COMMAND]  show help for COMMAND\n"
	"\n"
	"Options:\n"
	"  -h, --help      show this help\n"
	"  -V, --version   show the version, the libraries linked and the mail\n"
	"                  helper with its libcurl\n"
	"\n"
	"Manuals: 'man upsplan' (the commands, every diagnostic code),\n"
	"'man UPSmon.conf' (the plan language), 'man upsplan-scenario' (the\n"
	"scenario files of simulate).\n";

static void main_version(void)
{
	char pcre2[32] = "";

	printf("upsplan %s\n", PACKAGE_VERSION);
	if (pcre2_config(PCRE2_CONFIG_VERSION, pcre2) < 0)
		snprintf(pcre2, sizeof(pcre2), "%s", "(unknown)");
	printf("linked with %s, libevent %s, jansson %s, PCRE2 %s\n", OpenSSL_version(OPENSSL_VERSION),
	       event_get_version(), jansson_version_str(), pcre2);
	fflush(stdout);	/* before the helper runs */
	cli_mail_version(stdout);	/* libcurl is the helpers', never upsplan's */
	cli_alert_version(stdout);
}

static const struct {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *usage;
} cli_commands[] = {
	{ "check", cmd_check, check_usage },
	{ "compile", cmd_compile, compile_usage },
	{ "disasm", cmd_disasm, disasm_usage },
	{ "simulate", cmd_simulate, simulate_usage },
	{ "generate", cmd_generate, generate_usage },
	{ "migrate", cmd_migrate, migrate_usage },
	{ "run", cmd_run, run_usage },
	{ "tls-setup", cmd_tls_setup, tls_setup_usage },
	{ "fsd", cmd_fsd, fsd_usage },
	{ "status", cmd_status, status_usage },
	{ "ctl", cmd_ctl, ctl_usage },
};

/*
 * upsplan help [COMMAND]: the general help for no COMMAND, for "help"
 * itself and for -h/--help; a command's own help; an unknown COMMAND is
 * a usage error that lists the commands.
 */
static int main_help(int argc, char **argv)
{
	const char *what = argc >= 2 ? argv[1] : "help";

	if (argc > 2) {
		fprintf(stderr, "upsplan help: one COMMAND at a time ('%s' is extra)\nTry 'upsplan help'.\n", argv[2]);
		return EXIT_USAGE;
	}
	if (strcmp(what, "help") == 0 || strcmp(what, "-h") == 0 || strcmp(what, "--help") == 0) {
		fputs(main_usage, stdout);
		return EXIT_CLEAN;
	}
	for (size_t i = 0; i < sizeof(cli_commands) / sizeof(cli_commands[0]); i++)
		if (strcmp(what, cli_commands[i].name) == 0) {
			fputs(cli_commands[i].usage, stdout);
			return EXIT_CLEAN;
		}
	fprintf(stderr, "upsplan help: '%s' is not a command of upsplan; the commands are", what);
	for (size_t i = 0; i < sizeof(cli_commands) / sizeof(cli_commands[0]); i++)
		fprintf(stderr, " %s,", cli_commands[i].name);
	fprintf(stderr, " help\nTry 'upsplan help' for what each does.\n");
	return EXIT_USAGE;
}

/* Flush standard output; a write error (disk full, closed pipe) makes the run fail. */
static int main_finish(int status)
{
	if (fflush(stdout) != 0 || ferror(stdout)) {
		fprintf(stderr, "upsplan: error writing to standard output: %s\n", strerror(errno));
		return EXIT_USAGE;
	}
	return status;
}

static int main_run(int argc, char **argv)
{
	const char *cmd;

	if (argc < 2) {
		fputs(main_usage, stderr);
		return EXIT_USAGE;
	}
	cmd = argv[1];
	if (strcmp(cmd, "-h") == 0 || strcmp(cmd, "--help") == 0) {
		fputs(main_usage, stdout);
		return EXIT_CLEAN;
	}
	if (strcmp(cmd, "-V") == 0 || strcmp(cmd, "--version") == 0) {
		main_version();
		return EXIT_CLEAN;
	}
	if (strcmp(cmd, "help") == 0)
		return main_help(argc - 1, argv + 1);
	for (size_t i = 0; i < sizeof(cli_commands) / sizeof(cli_commands[0]); i++)
		if (strcmp(cmd, cli_commands[i].name) == 0)
			return cli_commands[i].run(argc - 1, argv + 1);
	fprintf(stderr, "upsplan: unknown command '%s'\nTry 'upsplan --help'.\n", cmd);
	return EXIT_USAGE;
}

int main(int argc, char **argv)
{
	return main_finish(main_run(argc, argv));
}
