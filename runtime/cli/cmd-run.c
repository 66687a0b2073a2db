/* SPDX-License-Identifier: GPL-2.0-or-later */
/* cmd-run.c - upsplan run: options, daemon mode and PID file, the root parent's configuration (ps_start() makes the split into it and an unprivileged monitor). */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <pwd.h>
#include <signal.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <syslog.h>
#include <unistd.h>


#include "base/source.h"
#include "runtime/cli/cli.h"
#include "runtime/common/file-access.h"
#include "runtime/daemon/control.h"
#include "runtime/daemon/daemon.h"
#include "runtime/daemon/fdlimit.h"
#include "runtime/daemon/log.h"
#include "runtime/daemon/privsep.h"
#include "runtime/common/safe-file.h"
#include "runtime/daemon/sdnotify.h"
#include "runtime/daemon/statefile.h"
#include "runtime/daemon/workdir.h"
#include "runtime/obs/httpd.h"

const char run_usage[] =
	"Usage: upsplan run [OPTION]... PLAN\n"
	"Monitor the UPS of the plan PLAN (a source or a compiled image) over TLS\n"
	"and carry out its actions.  Started as root, a root process keeps only\n"
	"the right to run the plan's SHUTDOWNCMDs and to write POWERDOWNFLAG; the\n"
	"monitoring runs as USER.\n"
	"\n"
	"Options:\n"
	"  -F, --foreground       stay in the foreground and log to standard error\n"
	"  -D                     walk through the decisions in the log (twice: more)\n"
	"  -u, --user=USER        user to monitor as when started as root (default nut)\n"
	"  -l, --logfile=FILE     the NUT-style text log: NUTLOG actions, messages\n"
	"  -p, --pidfile=FILE     PID file (default /run/upsplan.pid as root, none\n"
	"                         otherwise)\n"
	"      --powerdownflag=FILE  write NUT's POWERDOWNFLAG there just before the\n"
	"                         first SHUTDOWNCMD (default " PS_DEFAULT_POWERDOWNFLAG " as\n"
	"                         root, none otherwise; 'none' or '': none)\n"
	"      --allow-warnings   run a plan despite warnings that change what\n"
	"                         happens in an outage (refused otherwise)\n"
	"  -Werror                refuse a plan with any warning\n"
	"  -Wno-CODE              do not report warning CODE (e.g. -Wno-W950):\n"
	"                         accepts that one, at start and at each reload\n"
	"  -Wno-file-mode         same as -Wno-W610\n"
	"      --check-only       reach every upsd over TLS, log in, report, exit\n"
	"      --trace=FILE       append one line per event, expiry and action, as\n"
	"                         upsplan simulate prints them\n"
	"      --hostname=NAME    this machine's name: %(h)s and the message hostname\n"
	"  -w, --wall=CMD         WALL command, text on its input (default wall)\n"
	"  -n, --notify=CMD       NOTIFY command, text as last argument, run as each\n"
	"                         user of a graphical session when started as root\n"
	"                         (default \"notify-send -u critical -t 0 upsplan\")\n"
	"      --utmp=FILE        where the logged-in users are (default: the\n"
	"                         system's utmp, as who reads it)\n"
	"      --shell=CMD        SHELLCMD interpreter, text as last argument\n"
	"                         (default \"/bin/sh -c\")\n"
	"      --action-timeout=SECONDS   time limit of commands and mail (default 60)\n"
	"      --shutdown-timeout=SECONDS time limit of a SHUTDOWNCMD (default 120)\n"
	"      --smtp-cafile=FILE  CA certificates for the SMTP server (default: the\n"
	"                         system's)\n"
	"      --state-file=FILE  keep running timers, the SHUTDOWNCMD latch and the\n"
	"                         UPS states there, for a restart (an absolute path;\n"
	"                         default " SF_DEFAULT_PATH " as root,\n"
	"                         none otherwise; 'none' or '': none)\n"
	"      --alert-resend=SECONDS  post each firing ALERT again this often; an\n"
	"                         Alertmanager ends it 3 times this after the last\n"
	"                         post (default 60)\n"
	"      --alert-generator-url=URL  the link each alert carries (generatorURL),\n"
	"                         e.g. a dashboard of this host's UPS (default: none)\n"
	"      --state-max-age=SECONDS  adopt a state file at start only when it is\n"
	"                         younger than this (default 600)\n"
	"      --control-socket=FILE  answer upsplan status and upsplan ctl on this\n"
	"                         Unix socket (owner root, group USER's, mode 0660;\n"
	"                         none unless given, 'none' or '': none; the\n"
	"                         packaged service uses " CTL_DEFAULT_SOCKET ")\n"
	"      --metrics=[HOST:]PORT  serve Prometheus metrics at /metrics there\n"
	"                         (HOST an address, default 127.0.0.1; [::1]:PORT\n"
	"                         for IPv6; a port from 1024: the monitoring\n"
	"                         process listens, without root; default: none)\n"
	"      --metrics-vars-interval=SECONDS  with --metrics, ask upsd for every\n"
	"                         variable of each UPS (LIST VAR) this often\n"
	"                         (default 10)\n"
	"      --webhook=[HOST:]PORT  receive Alertmanager's notifications at\n"
	"                         POST /hook there, for the plan's WHEN ALERT rules\n"
	"                         (HOST as for --metrics, default 127.0.0.1; an\n"
	"                         address other than loopback needs TLS too;\n"
	"                         default: none)\n"
	"      --webhook-token-file=FILE  the bearer token Alertmanager must send,\n"
	"                         the first line of FILE (read as USER); required\n"
	"      --webhook-cert=FILE, --webhook-key=FILE  serve the webhook over\n"
	"                         HTTPS (TLS 1.2 or later) with this certificate\n"
	"                         chain and key (PEM, read as USER)\n"
	"  -h, --help             show this help\n"
	"\n"
	"Signals: TERM and INT log out of upsd and stop; HUP compiles PLAN again\n"
	"and swaps it in when it has no error, keeping UPS state and timers; USR1\n"
	"logs the state of every UPS and timer.\n"
	"\n"
	"Exit status: 0 stopped by a signal (or --check-only: every UPS reached),\n"
	"1 the plan has errors or a UPS could not be reached (--check-only) or the\n"
	"daemon failed, 2 usage or I/O error.\n";

enum {
	OPT_POWERDOWNFLAG = 256, OPT_CHECK_ONLY, OPT_TRACE, OPT_HOSTNAME, OPT_SHELL, OPT_ACTION_TIMEOUT,
	OPT_SHUTDOWN_TIMEOUT, OPT_SMTP_CAFILE, OPT_UTMP, OPT_STATE_FILE, OPT_STATE_MAX_AGE, OPT_ALLOW_WARNINGS,
	OPT_CONTROL_SOCKET, OPT_METRICS, OPT_METRICS_VARS, OPT_WEBHOOK, OPT_WEBHOOK_TOKEN, OPT_WEBHOOK_CERT, OPT_WEBHOOK_KEY,
	OPT_ALERT_RESEND, OPT_ALERT_GENERATOR
};

static const struct option run_longopts[] = {
	{ "foreground", no_argument, NULL, 'F' },
	{ "user", required_argument, NULL, 'u' },
	{ "logfile", required_argument, NULL, 'l' },
	{ "pidfile", required_argument, NULL, 'p' },
	{ "powerdownflag", required_argument, NULL, OPT_POWERDOWNFLAG },
	{ "allow-warnings", no_argument, NULL, OPT_ALLOW_WARNINGS },
	{ "check-only", no_argument, NULL, OPT_CHECK_ONLY },
	{ "trace", required_argument, NULL, OPT_TRACE },
	{ "hostname", required_argument, NULL, OPT_HOSTNAME },
	{ "wall", required_argument, NULL, 'w' },
	{ "notify", required_argument, NULL, 'n' },
	{ "shell", required_argument, NULL, OPT_SHELL },
	{ "action-timeout", required_argument, NULL, OPT_ACTION_TIMEOUT },
	{ "shutdown-timeout", required_argument, NULL, OPT_SHUTDOWN_TIMEOUT },
	{ "smtp-cafile", required_argument, NULL, OPT_SMTP_CAFILE },
	{ "utmp", required_argument, NULL, OPT_UTMP },
	{ "state-file", required_argument, NULL, OPT_STATE_FILE },
	{ "state-max-age", required_argument, NULL, OPT_STATE_MAX_AGE },
	{ "control-socket", required_argument, NULL, OPT_CONTROL_SOCKET },
	{ "metrics", required_argument, NULL, OPT_METRICS },
	{ "metrics-vars-interval", required_argument, NULL, OPT_METRICS_VARS },
	{ "webhook", required_argument, NULL, OPT_WEBHOOK },
	{ "webhook-token-file", required_argument, NULL, OPT_WEBHOOK_TOKEN },
	{ "webhook-cert", required_argument, NULL, OPT_WEBHOOK_CERT },
	{ "webhook-key", required_argument, NULL, OPT_WEBHOOK_KEY },
	{ "alert-resend", required_argument, NULL, OPT_ALERT_RESEND },
	{ "alert-generator-url", required_argument, NULL, OPT_ALERT_GENERATOR },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 }
};

static int run_seconds(const char *opt, const char *v, double *out)
{
	char *end;
	double d = strtod(v, &end);

	if (end == v || *end || !(d >= 1 && d <= 86400)) {
		fprintf(stderr, "upsplan run: %s wants seconds from 1 to 86400, not '%s'\n", opt, v);
		return -1;
	}
	*out = d;
	return 0;
}

static void run_detach(void)
{
	pid_t pid = fork();
	int fd;

	if (pid < 0) {
		fprintf(stderr, "upsplan run: fork: %s\n", strerror(errno));
		exit(1);
	}
	if (pid > 0)
		_exit(0);
	setsid();
	pid = fork();	/* not a session leader: no controlling terminal can come back */
	if (pid < 0)
		_exit(1);
	if (pid > 0)
		_exit(0);
	if (chdir("/") != 0)
		_exit(1);
	fd = open("/dev/null", O_RDWR);
	if (fd >= 0) {
		dup2(fd, 0);
		dup2(fd, 1);
		dup2(fd, 2);
		if (fd > 2)
			close(fd);
	}
}

/*
 * The PID file, locked (flock) for the life of the daemon: a second
 * upsplan with the same PID file is refused here, before it detaches, so
 * that the refusal reaches the terminal.  A file nobody holds (left by a
 * daemon that was killed) is taken over.  Returns the locked descriptor,
 * or -1 after the message.
 */
static int run_pidfile_lock(const char *path)
{
	char err[600], buf[32];
	struct stat held, now;

	for (int tries = 0; tries < 3; tries++) {
		int fd = safe_open(path, O_RDWR, 0644, geteuid(), geteuid(), NULL, err, sizeof(err));
		ssize_t n;
		long pid;

		if (fd < 0) {
			fprintf(stderr, "upsplan run: PID file: %s\n", err);
			return -1;
		}
		if (flock(fd, LOCK_EX | LOCK_NB) == 0) {
			/* the lock is on this file only if it is still the one at PATH (not unlinked by a daemon ending) */
			if (fstat(fd, &held) == 0 && lstat(path, &now) == 0 && held.st_dev == now.st_dev &&
			    held.st_ino == now.st_ino) {
				/* emptied now: a PID left by a daemon that was killed must not be signalled
				   (upsplan fsd trusts a locked file) until this daemon writes its own */
				if (ftruncate(fd, 0) != 0) {
					fprintf(stderr, "upsplan run: cannot empty the PID file %s: %s\n", path,
						strerror(errno));
					close(fd);
					return -1;
				}
				return fd;
			}
			close(fd);
			continue;
		}
		if (errno != EWOULDBLOCK) {
			fprintf(stderr, "upsplan run: cannot lock the PID file %s: %s\n", path, strerror(errno));
			close(fd);
			return -1;
		}
		n = pread(fd, buf, sizeof(buf) - 1, 0);
		buf[n > 0 ? n : 0] = '\0';
		pid = strtol(buf, NULL, 10);
		close(fd);
		if (pid > 0)
			fprintf(stderr, "upsplan run: upsplan is already running (pid %ld, PID file %s): stop it first "
					"(kill %ld), or give this one another PID file (-p)\n", pid, path, pid);
		else
			fprintf(stderr, "upsplan run: another upsplan is starting with the PID file %s: stop it first, "
					"or give this one another PID file (-p)\n", path);
		return -1;
	}
	fprintf(stderr, "upsplan run: the PID file %s keeps being replaced: is another upsplan starting?\n", path);
	return -1;
}

/* Write this process's PID into the locked PID file FD (after detaching). */
static int run_pidfile_write(int fd, const char *path)
{
	char buf[32];
	int n = snprintf(buf, sizeof(buf), "%ld\n", (long)getpid());

	if (ftruncate(fd, 0) != 0 || pwrite(fd, buf, (size_t)n, 0) != n) {
		log_msg(LOG_ERR, "cannot write the PID file %s: %s", path, strerror(errno));
		return -1;
	}
	return 0;
}

/* At exit: remove the PID file, if it is still the one this process locked, then let the lock go. */
static void run_pidfile_release(int fd, const char *path)
{
	struct stat held, now;

	if (fd < 0)
		return;
	if (fstat(fd, &held) == 0 && lstat(path, &now) == 0 && held.st_dev == now.st_dev && held.st_ino == now.st_ino)
		unlink(path);
	close(fd);
}

/*
 * Create PATH if needed and give it to the user PW (mode 0640 when new).
 * An existing file is given away only when it is a regular file with one
 * link that is root's or PW's already: a link planted there could
 * otherwise hand a file of the system to the monitoring user.
 */
static int run_prepare(const char *opt, const char *path, const struct passwd *pw)
{
	char err[600];
	int fd;

	if (!path)
		return 0;
	fd = safe_open(path, O_WRONLY | O_APPEND, 0640, 0, pw->pw_uid, NULL, err, sizeof(err));
	if (fd < 0) {
		fprintf(stderr, "upsplan run: %s: %s\n", opt, err);
		return -1;
	}
	if (fchown(fd, pw->pw_uid, pw->pw_gid) != 0) {
		fprintf(stderr, "upsplan run: %s: cannot give %s to user %s: %s\n", opt, path, pw->pw_name,
			strerror(errno));
		close(fd);
		return -1;
	}
	close(fd);
	return 0;
}

/* FILE of option OPT, which the daemon reads later: a regular file now, or -1 with the message. */
static int run_readable(const char *opt, const char *path)
{
	char err[600];

	if (src_check_regular(path, err, sizeof(err)) == 0)
		return 0;
	fprintf(stderr, "upsplan run: %s: %s\n", opt, err);
	return -1;
}

/* An http(s) URL for Alertmanager (no blank, no control byte): 0, or -1 after the message. */
static int run_url(const char *opt, const char *s)
{
	int ok = strncmp(s, "https://", 8) == 0 ? s[8] != '\0' : strncmp(s, "http://", 7) == 0 && s[7] != '\0';

	for (const unsigned char *p = (const unsigned char *)s; ok && *p; p++)
		if (*p <= ' ' || *p == 0x7f)
			ok = 0;
	if (!ok)
		fprintf(stderr, "upsplan run: %s: give an http:// or https:// URL without blanks (e.g. "
			"https://grafana.example.org/d/ups), the link Alertmanager shows with each alert\n", opt);
	return ok ? 0 : -1;
}

/*
 * --webhook and its files: the rules a listener must keep, checked before
 * anything starts.  The webhook runs WHEN ALERT rules, which may run a
 * SHUTDOWNCMD: every local user reaches a loopback address, so a token is
 * always asked for; it must not cross a network in clear, so anything
 * but loopback needs TLS too.  0, or -1 after the message.
 */
static int run_webhook_opts(const struct dm_options *o)
{
	struct hs_addr a;
	char err[256];

	if (!o->webhook) {
		const char *lone = o->webhook_token_file ? "--webhook-token-file" : o->webhook_cert ? "--webhook-cert" :
				   o->webhook_key ? "--webhook-key" : NULL;
		if (lone)
			fprintf(stderr, "upsplan run: %s without --webhook: give --webhook [HOST:]PORT too, or leave it out\n", lone);
		return lone ? -1 : 0;
	}
	if (hs_parse_addr(o->webhook, &a, err, sizeof(err)) != 0) {
		fprintf(stderr, "upsplan run: --webhook: %s\n", err);
		return -1;
	}
	if (!o->webhook_cert != !o->webhook_key) {
		fprintf(stderr, "upsplan run: --webhook-%s without --webhook-%s: HTTPS needs both the certificate and its key\n",
			o->webhook_cert ? "cert" : "key", o->webhook_cert ? "key" : "cert");
		return -1;
	}
	if (!o->webhook_token_file) {
		fprintf(stderr, "upsplan run: --webhook %s without --webhook-token-file: the webhook runs the plan's WHEN "
			"ALERT rules, which may shut this host down, and every local user can reach even a loopback "
			"address: give --webhook-token-file FILE (the token Alertmanager sends: http_config "
			"authorization credentials_file)\n", a.text);
		return -1;
	}
	if (!hs_is_loopback(&a) && !o->webhook_cert) {
		fprintf(stderr, "upsplan run: --webhook %s is not a loopback address: other hosts reach it, and the token "
			"must not cross a network in clear: add --webhook-cert FILE --webhook-key FILE, or listen on "
			"127.0.0.1 behind a TLS proxy\n", a.text);
		return -1;
	}
	return 0;
}

/*
 * The webhook's files, which the monitoring process reads: readable by
 * USER (NULL: this process) now, so that the mistake shows on the
 * terminal.  0, or -1 after the message.
 */
static int run_webhook_files(const struct dm_options *o, const char *user)
{
	const char *what[] = { "--webhook-token-file", "--webhook-cert", "--webhook-key" };
	const char *path[] = { o->webhook_token_file, o->webhook_cert, o->webhook_key };
	char msg[600], fix[600];

	for (size_t i = 0; o->webhook && !o->check_only && i < 3; i++) {
		if (!path[i] || fa_check(what[i], path[i], user, i == 1 ? FA_PUBLIC : FA_SECRET, msg, sizeof(msg), fix,
					sizeof(fix)) == 0)
			continue;
		fprintf(stderr, "upsplan run: %s%s%s\n", msg, fix[0] ? ": " : "", fix);
		return -1;
	}
	return 0;
}

int cmd_run(int argc, char **argv)
{
	struct dm_options o;
	struct cli_warn warn;
	struct ps_parent_cfg pc;
	struct plan_image img;
	const char *user = NULL, *logfile = NULL, *pidfile = NULL, *powerdownflag = NULL, *utmp = NULL;
	char hostname[256], banner[600], mail_helper[PATH_MAX], alert_helper[PATH_MAX], user_name[256], fdmsg[512];
	int foreground = 0, debug = 0, c, rc, root = geteuid() == 0, state_off = 0, flag_off = 0, pidfd = -1;
	double shutdown_timeout = 120;

	memset(&o, 0, sizeof(o));
	o.privsep_fd = -1;
	o.act.wall = "wall";
	o.act.notify = "notify-send -u critical -t 0 upsplan";
	o.act.shell = "/bin/sh -c";
	o.act.timeout = 60;
	o.po.color = 0;
	o.po.no_source = 1;	/* the diagnostics go to logs: no source line, so no PASSWORD */
	o.state_max_age = SF_DEFAULT_MAX_AGE;
	o.metrics_vars_interval = 10;
	o.po.strict_modes = 1;	/* root runs its SHUTDOWNCMDs: a plan others can change is refused (E110) */
	o.po.refuse_hazards = 1;	/* a typo that changes an outage's outcome is refused, at start and reload */
	memset(&warn, 0, sizeof(warn));
	o.po.disabled = warn.disabled;	/* -Wno-CODE: lives as long as the daemon (reloads read it) */
	optind = 1;
	while ((c = getopt_long(argc, argv, ":FDu:l:p:w:n:hW:", run_longopts, NULL)) != -1) {
		switch (c) {
		case 'F':
			foreground = 1;
			break;
		case 'D':
			debug++;
			break;
		case 'u':
			if (cli_name_arg("run", "--user", optarg, CLI_MAX_USER))
				return EXIT_USAGE;
			user = optarg;
			break;
		case 'l':
			logfile = optarg;
			break;
		case 'p':
			pidfile = optarg;
			break;
		case OPT_POWERDOWNFLAG:
			flag_off = !optarg[0] || strcmp(optarg, "none") == 0;
			powerdownflag = flag_off ? NULL : optarg;
			break;
		case OPT_CHECK_ONLY:
			o.check_only = 1;
			break;
		case OPT_ALLOW_WARNINGS:
			o.po.refuse_hazards = 0;
			break;
		case 'W':
			if (cli_warn_option("run", &warn, optarg))
				return EXIT_USAGE;
			o.po.werror = warn.werror;
			break;
		case OPT_TRACE:
			o.trace = optarg;
			break;
		case OPT_HOSTNAME:
			if (cli_name_arg("run", "--hostname", optarg, CLI_MAX_HOSTNAME))
				return EXIT_USAGE;
			o.po.hostname = optarg;
			break;
		case 'w':
			o.act.wall = optarg;
			break;
		case 'n':
			o.act.notify = optarg;
			break;
		case OPT_SHELL:
			o.act.shell = optarg;
			break;
		case OPT_ACTION_TIMEOUT:
			if (run_seconds("--action-timeout", optarg, &o.act.timeout))
				return EXIT_USAGE;
			break;
		case OPT_SHUTDOWN_TIMEOUT:
			if (run_seconds("--shutdown-timeout", optarg, &shutdown_timeout))
				return EXIT_USAGE;
			break;
		case OPT_SMTP_CAFILE:
			if (run_readable("--smtp-cafile", optarg) != 0)
				return EXIT_USAGE;
			o.act.smtp_cafile = optarg;
			break;
		case OPT_UTMP:
			if (run_readable("--utmp", optarg) != 0)
				return EXIT_USAGE;
			utmp = optarg;
			break;
		case OPT_STATE_FILE:
			state_off = !optarg[0] || strcmp(optarg, "none") == 0;
			o.state_file = state_off ? NULL : optarg;
			if (o.state_file && o.state_file[0] != '/') {	/* the daemon leaves its working directory */
				fprintf(stderr, "upsplan run: --state-file wants an absolute path, not '%s'\n", optarg);
				return EXIT_USAGE;
			}
			break;
		case OPT_CONTROL_SOCKET:
			o.control_socket = !optarg[0] || strcmp(optarg, "none") == 0 ? NULL : optarg;
			break;
		case OPT_ALERT_RESEND:
			if (run_seconds("--alert-resend", optarg, &o.act.alert_resend))
				return EXIT_USAGE;
			break;
		case OPT_ALERT_GENERATOR:
			if (run_url("--alert-generator-url", optarg))
				return EXIT_USAGE;
			o.act.alert_generator_url = optarg;
			break;
		case OPT_STATE_MAX_AGE:
			if (run_seconds("--state-max-age", optarg, &o.state_max_age))
				return EXIT_USAGE;
			break;
		case OPT_METRICS: {
			struct hs_addr a;
			char err[256];
			if (hs_parse_addr(optarg, &a, err, sizeof(err)) != 0) {
				fprintf(stderr, "upsplan run: --metrics: %s\n", err);
				return EXIT_USAGE;
			}
			o.metrics = optarg;
			break;
		}
		case OPT_WEBHOOK:
			o.webhook = optarg;
			break;
		case OPT_WEBHOOK_TOKEN:
			o.webhook_token_file = optarg;
			break;
		case OPT_WEBHOOK_CERT:
			o.webhook_cert = optarg;
			break;
		case OPT_WEBHOOK_KEY:
			o.webhook_key = optarg;
			break;
		case OPT_METRICS_VARS:
			if (run_seconds("--metrics-vars-interval", optarg, &o.metrics_vars_interval))
				return EXIT_USAGE;
			break;
		case 'h':
			fputs(run_usage, stdout);
			return EXIT_CLEAN;
		default:
			return cli_option_error("run", c, argv);
		}
	}
	if (argc - optind != 1) {
		fprintf(stderr, "upsplan run: give one PLAN\nTry 'upsplan help run'.\n");
		return EXIT_USAGE;
	}
	o.plan = argv[optind];
	if (run_webhook_opts(&o) != 0)
		return EXIT_USAGE;
	if (o.check_only)
		foreground = 1;
	o.foreground = foreground;
	o.act.foreground = foreground;
	o.act.shutdown_timeout = shutdown_timeout;	/* a SHUTDOWNCMD run without a root parent */
	if (!root && user) {
		fprintf(stderr, "upsplan run: --user needs root: without it upsplan runs as the user that starts it\n");
		return EXIT_USAGE;
	}
	if (o.po.hostname)
		snprintf(hostname, sizeof(hostname), "%s", o.po.hostname);
	else
		cli_this_host("run", hostname, sizeof(hostname));
	o.po.hostname = hostname;

	/* the plan first: its errors go to the terminal of whoever starts the daemon */
	rc = plan_file_load(o.plan, &o.po, &img);
	if (rc != 0)
		return rc;
	/* the daemon leaves its working directory for /: what it opens later, absolute now */
	const char **later[] = { &o.plan, &logfile, &pidfile, &powerdownflag, &o.trace, &utmp, &o.act.smtp_cafile,
				 &o.control_socket, &o.webhook_token_file, &o.webhook_cert, &o.webhook_key };
	for (size_t i = 0; i < sizeof(later) / sizeof(later[0]); i++) {
		char err[600];
		if (wd_absolute(later[i], err, sizeof(err)) != 0) {
			fprintf(stderr, "upsplan run: %s\n", err);
			img_free(&img);
			return EXIT_USAGE;
		}
	}

	struct passwd *pw = NULL;
	if (root) {
		pw = getpwnam(user ? user : "nut");
		if (!pw) {
			fprintf(stderr, "upsplan run: there is no user '%s' to monitor as: create it, or give --user\n",
				user ? user : "nut");
			img_free(&img);
			return EXIT_USAGE;
		}
		snprintf(banner, sizeof(banner), "%s@%s", pw->pw_name, hostname);
	} else {
		struct passwd *me = getpwuid(geteuid());
		snprintf(banner, sizeof(banner), "%s@%s", me ? me->pw_name : "upsplan", hostname);
	}
	o.hostname = hostname;
	o.banner = banner;
	snprintf(user_name, sizeof(user_name), "%s", root ? pw->pw_name : "");	/* fa_check() calls getpwnam() again */
	if (run_webhook_files(&o, root ? user_name : NULL) != 0) {
		img_free(&img);
		return EXIT_USAGE;
	}
	if (!pidfile && root && !o.check_only)
		pidfile = "/run/upsplan.pid";
	/* one daemon per PID file: refused here, on the terminal, before anything is touched */
	if (pidfile && (pidfd = run_pidfile_lock(pidfile)) < 0) {
		img_free(&img);
		return 1;
	}
	if (!o.state_file && !state_off && root && !o.check_only)
		o.state_file = SF_DEFAULT_PATH;
	if (!powerdownflag && !flag_off && root && !o.check_only)
		powerdownflag = PS_DEFAULT_POWERDOWNFLAG;
	if (o.check_only)
		o.state_file = NULL;
	if (root && o.state_file) {	/* its directory: the monitoring user's alone */
		char err[600];
		if (sf_prepare_dir(o.state_file, pw->pw_uid, pw->pw_gid, pw->pw_name, err, sizeof(err)) != 0) {
			fprintf(stderr, "upsplan run: %s\n", err);
			run_pidfile_release(pidfd, pidfile);
			img_free(&img);
			return EXIT_USAGE;
		}
	}
	/* the unprivileged monitor writes the NUT log and the trace: make them its own */
	if (root && (run_prepare("-l", logfile, pw) != 0 || run_prepare("--trace", o.trace, pw) != 0)) {
		run_pidfile_release(pidfd, pidfile);
		img_free(&img);
		return EXIT_USAGE;
	}
	/* the control socket: root's, for the monitoring user's group, served by the monitoring process */
	if (o.check_only)
		o.control_socket = NULL;
	if (o.control_socket) {
		char err[800];
		o.control_fd = ctl_socket_open(o.control_socket, geteuid(), root ? pw->pw_gid : getegid(), err, sizeof(err));
		if (o.control_fd < 0) {
			fprintf(stderr, "upsplan run: --control-socket: %s\n", err);
			run_pidfile_release(pidfd, pidfile);
			img_free(&img);
			return EXIT_USAGE;
		}
	}
	o.act.mail_helper = cli_mail_helper(mail_helper);
	o.act.alert_helper = cli_alert_helper(alert_helper);
	/* before detaching: a refusal must reach the terminal */
	rc = fd_raise(&img, o.check_only, fdmsg, sizeof(fdmsg));
	if (rc != 0)
		fprintf(stderr, "upsplan run: %s\n", fdmsg);
	if (rc < 0) {
		if (o.control_socket)
			ctl_socket_remove(o.control_socket, o.control_fd);
		run_pidfile_release(pidfd, pidfile);
		img_free(&img);
		return 1;
	}
	if (!foreground)
		run_detach();	/* the lock goes along: it belongs to the open file, shared across fork */
	log_open("upsplan", foreground, logfile, debug);
	/* once the PID is out, HUP, USR1 and USR2 may come: held until they are handled (dm_run(), the root's signalfd) */
	dm_hold_signals(SIG_BLOCK);
	if (pidfile && run_pidfile_write(pidfd, pidfile) != 0) {
		rc = 1;
		goto out;
	}
	signal(SIGPIPE, SIG_IGN);

	o.watchdog = sd_watchdog_interval();	/* asked of this process: the child relays */
	if (root) {
		memset(&pc, 0, sizeof(pc));
		pc.plan = o.plan;
		pc.po = o.po;
		pc.powerdownflag = powerdownflag;
		pc.timeout = shutdown_timeout;
		pc.hostname = hostname;
		pc.banner = banner;
		pc.notify = o.act.notify;
		pc.utmp = utmp;
		pc.notify_timeout = o.act.timeout;
		pc.uid = pw->pw_uid;
		pc.gid = pw->pw_gid;
		/* getpwnam()'s buffer is overwritten by later look-ups (NOTIFY's desktop users): a copy */
		snprintf(user_name, sizeof(user_name), "%s", pw->pw_name);
		pc.user = user_name;
		pc.close_fd = pidfd;	/* the lock stays with the root parent alone */
	}
	rc = ps_start(&img, &o, root ? &pc : NULL);
out:
	if (o.control_socket)	/* without a root parent, the monitoring loop closed it */
		ctl_socket_remove(o.control_socket, root ? o.control_fd : -1);
	img_free(&img);	/* what ps_start() took is already gone */
	run_pidfile_release(pidfd, pidfile);
	log_msg(LOG_INFO, "stopped");
	log_close();
	return rc;
}
