/* SPDX-License-Identifier: GPL-2.0-or-later */
/* cli.c - what the subcommands share: option errors, checked host and user names. */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "engine/argv.h"
#include "runtime/cli/cli.h"

int cli_option_error(const char *cmd, int c, char **argv)
{
	if (c == ':')
		fprintf(stderr, "upsplan %s: option '%s' needs a value\n", cmd, argv[optind - 1]);
	else if (optopt)
		fprintf(stderr, "upsplan %s: unknown option '-%c'\n", cmd, optopt);
	else
		fprintf(stderr, "upsplan %s: unknown option '%s'\n", cmd, argv[optind - 1]);
	fprintf(stderr, "Try 'upsplan help %s'.\n", cmd);
	return EXIT_USAGE;
}

int cli_not_here(const char *cmd, const char *opt, const char *why)
{
	fprintf(stderr, "upsplan %s: option '%s' is not one of %s's: %s\nTry 'upsplan help %s'.\n", cmd, opt, cmd,
		why, cmd);
	return EXIT_USAGE;
}

int cli_name_arg(const char *cmd, const char *opt, const char *val, size_t max)
{
	size_t len = strlen(val);

	if (len >= 1 && len <= max && argv_plain_word(val, len))
		return 0;
	fprintf(stderr, "upsplan %s: %s wants a name of 1 to %zu letters, digits, '.', '_' or '-', not '%.*s%s'\n",
		cmd, opt, max, len > 80 ? 80 : (int)len, val, len > 80 ? "..." : "");
	return -1;
}

void cli_this_host(const char *cmd, char *buf, size_t len)
{
	size_t n;

	buf[0] = '\0';
	if (gethostname(buf, len - 1) != 0)
		buf[0] = '\0';
	buf[len - 1] = '\0';
	n = strlen(buf);
	if (n >= 1 && n <= CLI_MAX_HOSTNAME && argv_plain_word(buf, n))
		return;
	fprintf(stderr, "upsplan %s: this machine's name '%s' is not a plain host name; 'localhost' is used (give --hostname=NAME)\n",
		cmd, buf);
	snprintf(buf, len, "localhost");
}
