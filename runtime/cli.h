/* cli.h - the subcommands of upsplan and what they share (exit codes, option errors). */
#ifndef UPSPLAN_CLI_H
#define UPSPLAN_CLI_H

#define EXIT_CLEAN 0
#define EXIT_ERRORS 1
#define EXIT_USAGE 2

extern const char check_usage[], compile_usage[], disasm_usage[], simulate_usage[], generate_usage[];

/* Each returns the exit status; ARGV[0] is the command name. */
int cmd_check(int argc, char **argv);
int cmd_compile(int argc, char **argv);
int cmd_disasm(int argc, char **argv);
int cmd_simulate(int argc, char **argv);
int cmd_generate(int argc, char **argv);

/*
 * Report the getopt_long() error C (':' or '?') of command CMD on stderr
 * and return EXIT_USAGE.
 */
int cli_option_error(const char *cmd, int c, char **argv);

#endif
