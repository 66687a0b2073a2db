/* SPDX-License-Identifier: GPL-2.0-or-later */
/* cli.c - what the subcommands share: option errors, checked host and user names. */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "engine/argv.h"
#include "runtime/cli/cli.h"

int cli_option_error(const char *cmd, int c, char **argv)
{
	if (c == ':' && optopt == 'W')
		fprintf(stderr, "upsplan %s: -W needs a value: -Werror, -Wno-CODE or -Wno-file-mode\n", cmd);
	else if (c == ':')
		fprintf(stderr, "upsplan %s: option '%s' needs a value\n", cmd, argv[optind - 1]);
	else if (optopt)
		fprintf(stderr, "upsplan %s: unknown option '-%c'\n", cmd, optopt);
	else
		fprintf(stderr, "upsplan %s: unknown option '%s'\n", cmd, argv[optind - 1]);
	fprintf(stderr, "Try 'upsplan help %s'.\n", cmd);
	return EXIT_USAGE;
}

int cli_warn_option(const char *cmd, struct cli_warn *w, const char *arg)
{
	int code;

	if (strcmp(arg, "error") == 0) {
		w->werror = 1;
		return 0;
	}
	if (strcmp(arg, "no-file-mode") == 0) {
		w->disabled[DIAG_FILE_MODE] = 1;
		return 0;
	}
	code = strncmp(arg, "no-", 3) == 0 ? diag_code_lookup(arg + 3) : -1;
	if (code < 0) {
		fprintf(stderr, "upsplan %s: unknown option '-W%s'; use -Werror, -Wno-CODE (e.g. -Wno-W600) or "
			"-Wno-file-mode\n", cmd, arg);
		return EXIT_USAGE;
	}
	if (diag_code_severity(code) == DIAG_ERROR) {
		fprintf(stderr, "upsplan %s: %s is an error and cannot be disabled\n", cmd, diag_code_name(code));
		return EXIT_USAGE;
	}
	w->disabled[code] = 1;
	return 0;
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

const struct src_file *cli_load_stdin(struct src_registry *reg, size_t max, char *err, size_t errlen)
{
	const struct src_file *f;
	struct stat st;
	size_t len;
	char *text;
	int fd = dup(STDIN_FILENO);	/* src_read_fd closes what it reads */

	if (fd < 0 || fstat(fd, &st) != 0) {
		snprintf(err, errlen, "cannot read standard input: %s", strerror(errno));
		if (fd >= 0)
			close(fd);
		return NULL;
	}
	if (!S_ISREG(st.st_mode))
		st.st_size = 0;	/* a pipe or a terminal: its size says nothing */
	text = src_read_fd(fd, &st, CLI_STDIN_NAME, max, &len, err, errlen);
	if (!text)
		return NULL;
	f = src_add_text(reg, CLI_STDIN_NAME, text, len);
	free(text);
	if (!f)
		snprintf(err, errlen, "cannot read standard input: the files read so far take 2 GiB");
	return f;
}

int cli_no_stdin(const char *cmd, const char *what, const char *path)
{
	if (strcmp(path, "-") != 0)
		return 0;
	fprintf(stderr, "upsplan %s: %s '-': only upsplan check reads a plan from standard input; "
		"give a file (a file named '-' is './-')\n", cmd, what);
	return -1;
}
