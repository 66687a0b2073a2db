/* SPDX-License-Identifier: GPL-2.0-or-later */
/* cli.h - the subcommands of upsplan and what they share (exit codes, option errors). */
#ifndef UPSPLAN_CLI_H
#define UPSPLAN_CLI_H

#include <stddef.h>
#include <stdio.h>

#include "base/diag.h"
#include "base/source.h"

#include "runtime/common/exit-codes.h"

extern const char check_usage[], compile_usage[], disasm_usage[], simulate_usage[], generate_usage[], run_usage[],
	tls_setup_usage[], fsd_usage[], migrate_usage[], status_usage[], ctl_usage[];

/* Each returns the exit status; ARGV[0] is the command name. */
int cmd_check(int argc, char **argv);
int cmd_compile(int argc, char **argv);
int cmd_disasm(int argc, char **argv);
int cmd_simulate(int argc, char **argv);
int cmd_generate(int argc, char **argv);
int cmd_migrate(int argc, char **argv);
int cmd_run(int argc, char **argv);
int cmd_tls_setup(int argc, char **argv);
int cmd_fsd(int argc, char **argv);
int cmd_status(int argc, char **argv);
int cmd_ctl(int argc, char **argv);

/*
 * Report the getopt_long() error C (':' or '?') of command CMD on stderr
 * and return EXIT_USAGE.  A -W without its value is told the values.
 */
int cli_option_error(const char *cmd, int c, char **argv);

/*
 * Write the plan P (LEN bytes) of command CMD to OUT, mode 0640 whatever
 * the umask (it holds passwords): created with O_EXCL|O_NOFOLLOW, never
 * through a symbolic link; an existing file only with FORCE, through a new
 * file beside it renamed over it.  EXIT_CLEAN, or EXIT_USAGE after a
 * message on stderr (nothing left behind).
 */
int cli_write_plan(const char *cmd, const char *out, int force, const char *p, size_t len);

struct src_registry;
struct diag_queue;
struct src_file;

/*
 * A plan a command wrote (generate, migrate), LEN bytes at P named LABEL,
 * compiled and verified as check and compile do, with the diagnostic MUTE
 * silenced (-1: none), in REG and DQ, which this initialises and the
 * caller frees (diag_free, src_free); *F is its source.  0 clean, 1 with
 * diagnostics, 2 the image could not be made (ERR says why).
 */
int cli_check_plan(struct src_registry *reg, struct diag_queue *dq, const char *label, const char *p, size_t len,
		   int mute, const struct src_file **f, char *err, size_t errlen);

/* Report that option OPT is not one of command CMD's (WHY says what to do); returns EXIT_USAGE. */
int cli_not_here(const char *cmd, const char *opt, const char *why);

/* The warning options of check and simulate: -Werror, -Wno-CODE, -Wno-file-mode. */
struct cli_warn {
	int werror;
	unsigned char disabled[DIAG_NCODES];	/* flags, as in struct diag_queue */
};

/* The help lines of those options, for the usage texts (option column 2 to 22). */
#define CLI_WARN_USAGE \
	"  -Werror              treat warnings as errors\n" \
	"  -Wno-CODE            do not report warning CODE (e.g. -Wno-W600)\n" \
	"  -Wno-file-mode       same as -Wno-W610 (a plan with passwords that\n" \
	"                       others can read)\n"

/*
 * Take ARG, the value of -W given to command CMD, into W.  Returns 0, or
 * EXIT_USAGE after a message (an unknown -W, an error code).
 */
int cli_warn_option(const char *cmd, struct cli_warn *w, const char *arg);

#define CLI_MAX_HOSTNAME 253	/* --hostname, the %(h)s of a run */
#define CLI_MAX_USER 64		/* --user, in the %(b)s banner */

/*
 * Check VAL, the value of option OPT of command CMD: 1 to MAX bytes of
 * letters, digits, '.', '_' and '-' (substitutions put it into shell-like
 * command texts).  Returns 0, or -1 after a message on stderr.
 */
int cli_name_arg(const char *cmd, const char *opt, const char *val, size_t max);

/*
 * This machine's name into BUF (LEN bytes, at least 256), or "localhost"
 * with a warning naming CMD when it is not a plain host name.
 */
void cli_this_host(const char *cmd, char *buf, size_t len);

/* The file name of standard input in diagnostics, when a command is given '-'. */
#define CLI_STDIN_NAME "<stdin>"

/*
 * All of standard input (at most MAX bytes) into REG as the file
 * CLI_STDIN_NAME: the file, or NULL with the reason in ERR.
 */
const struct src_file *cli_load_stdin(struct src_registry *reg, size_t max, char *err, size_t errlen);

/*
 * 0 when PATH, the WHAT (e.g. "PLAN") of command CMD, is not '-'; else -1
 * after saying on stderr that only upsplan check reads standard input.
 */
int cli_no_stdin(const char *cmd, const char *what, const char *path);

/*
 * The upsplan-mail helper that sends EMAILs: the installed one
 * (UPSPLAN_MAIL_HELPER), or, when this upsplan runs uninstalled (from its
 * build tree, maybe under valgrind), the one beside it, into BUF (at least
 * PATH_MAX).  The installed path when neither is there.
 */
const char *cli_mail_helper(char *buf);
/* The same for upsplan-alert, which sends ALERT and RESOLVE (UPSPLAN_ALERT_HELPER). */
const char *cli_alert_helper(char *buf);

/*
 * One line on OUT: the mail helper's path and what its --version says
 * (its libcurl), or why it cannot say (missing, no answer within 3 s).
 */
void cli_mail_version(FILE *out);
/* The same for the alert helper (upsplan-alert). */
void cli_alert_version(FILE *out);

#endif
