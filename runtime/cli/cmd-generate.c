/* SPDX-License-Identifier: GPL-2.0-or-later */
/* cmd-generate.c - upsplan generate: a standard or timed plan assembled from stdlib-rules, checked before it is written. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "engine/compile.h"
#include "base/buf.h"
#include "base/source.h"
#include "base/xalloc.h"
#include "runtime/cli/cli.h"
#include "runtime/cli/stdlib.h"

const char generate_usage[] =
	"Usage: upsplan generate standard|timed [OPTION]...\n"
	"Write a complete UPSmon.conf for one UPS, assembled from the stdlib-rules\n"
	"files: 'standard' warns on battery and shuts down on low battery; 'timed'\n"
	"also shuts down after 2 minutes on battery, with warnings at 1 and 2\n"
	"minutes.  Both shut down when the UPS is lost while on battery.  The plan\n"
	"is checked before it is written.\n"
	"\n"
	"Options:\n"
	"  --ups NAME             the UPS, as upsd names it (default UPS-1)\n"
	"  --host HOST            its upsd (default localhost)\n"
	"  --port N               upsd's port (default 3493)\n"
	"  --certfile FILE        certificate that upsd's is checked against\n"
	"                         (default /etc/nut/upsd-cert.pem)\n"
	"  --user NAME            upsd user (default upsmon)\n"
	"  --password-file FILE   read the upsd password from FILE (first line);\n"
	"                         without it the plan says \"change-me\"\n"
	"  --email-from ADDR --email-to ADDR\n"
	"                         mail on battery replacement, start-up and\n"
	"                         heartbeat failure (needs --smtp-server)\n"
	"  --smtp-server HOST --smtp-port N (default 465) --smtp-user NAME\n"
	"  --smtp-password-file FILE\n"
	"  --heartbeat            also watch a dummy-ups heartbeat on that upsd\n"
	"  --shutdown-delay SECONDS  final delay before the shutdown (default 5)\n"
	"  -o, --output FILE      write FILE (mode 0640) instead of standard output\n"
	"  --force                replace an existing FILE\n"
	"  -h, --help             show this help\n"
	"\n"
	"Exit status: 0 written, 1 the options make an invalid plan, 2 usage or\n"
	"I/O error.\n";

struct gen {
	const char *plan, *ups, *host, *certfile, *user, *email_from, *email_to;
	const char *smtp_server, *smtp_user, *output;
	char *password, *smtp_password;
	long port, smtp_port;
	double delay;
	int heartbeat, force;
	struct buf text;	/* the plan written so far */
};

/* S as a quoted text of the language, in a quote style its content does not close. */
static int gen_quote(struct gen *g, const char *s)
{
	static const char *const styles[][2] = {
		{ "\"", "\"" }, { "'", "'" }, { "\xc2\xab", "\xc2\xbb" }, { "\xe2\xb8\xa2", "\xe2\xb8\xa5" },
		{ "\xe2\x8e\xa1", "\xe2\x8e\xa6" }
	};

	if (strchr(s, '\n') || strchr(s, '\r'))
		return -1;
	for (size_t i = 0; i < sizeof(styles) / sizeof(styles[0]); i++)
		if (!strstr(s, styles[i][1])) {
			buf_adds(&g->text, styles[i][0]);
			buf_adds(&g->text, s);
			buf_adds(&g->text, styles[i][1]);
			return 0;
		}
	return -1;
}

static const char *stdlib_text(const char *name)
{
	for (const struct stdlib_rule *r = stdlib_rules; r->name; r++)
		if (strcmp(r->name, name) == 0)
			return r->text;
	return NULL;
}

/* Append rule file NAME with its @KEY@ placeholders filled in. */
static int gen_rules(struct gen *g, const char *name)
{
	const char *t = stdlib_text(name);

	if (!t) {
		fprintf(stderr, "upsplan generate: internal error: no stdlib rule file %s\n", name);
		return -1;
	}
	buf_adds(&g->text, "\n");
	while (*t) {
		const char *at = strchr(t, '@'), *end;
		if (!at) {
			buf_adds(&g->text, t);
			break;
		}
		buf_add(&g->text, t, (size_t)(at - t));
		end = strchr(at + 1, '@');
		if (!end) {
			buf_adds(&g->text, at);
			break;
		}
		size_t k = (size_t)(end - at - 1);
#define KEY(s) (k == strlen(s) && memcmp(at + 1, s, k) == 0)
		int bad = 0;
		if (KEY("UPS"))
			buf_adds(&g->text, g->ups);
		else if (KEY("USER"))
			buf_adds(&g->text, g->user);
		else if (KEY("HOST"))
			bad = gen_quote(g, g->host);
		else if (KEY("CERTFILE"))
			bad = gen_quote(g, g->certfile);
		else if (KEY("PASSWORD"))
			bad = gen_quote(g, g->password ? g->password : "change-me");
		else if (KEY("EMAIL_FROM"))
			bad = gen_quote(g, g->email_from);
		else if (KEY("EMAIL_TO"))
			bad = gen_quote(g, g->email_to);
		else if (KEY("PORT"))
			buf_addf(&g->text, "%ld", g->port);
		else if (KEY("DELAY"))
			buf_addf(&g->text, "%g", g->delay);
		else
			buf_add(&g->text, at, (size_t)(end - at + 1));	/* not a placeholder: an e-mail address, ... */
#undef KEY
		if (bad) {
			fprintf(stderr, "upsplan generate: a value holds a newline or every quote character of the language\n");
			return -1;
		}
		t = end + 1;
	}
	return 0;
}

/* First line of FILE (a password), without its newline. */
static char *read_secret(const char *opt, const char *path)
{
	char err[600], *text, *secret;
	size_t len;

	/* a FIFO or a device is refused, not waited on */
	text = src_read_file(path, 65536, &len, NULL, err, sizeof(err));
	if (!text) {
		fprintf(stderr, "upsplan generate: %s: cannot read the password: %s\n", opt, err);
		return NULL;
	}
	text[strcspn(text, "\r\n")] = '\0';
	if (!text[0]) {
		fprintf(stderr, "upsplan generate: %s: '%s' holds no password on its first line\n", opt, path);
		free(text);
		return NULL;
	}
	secret = xstrdup(text);
	explicit_bzero(text, len);
	free(text);
	return secret;
}

/* The plan text, checked: 0, or 1 with the diagnostics on stderr. */
static int gen_check(struct gen *g)
{
	struct src_registry reg;
	struct diag_queue dq;
	struct sema_options o = { .hostname = "localhost" };
	struct plan_image img;
	char err[256];
	int rc;

	src_init(&reg);
	diag_init(&dq, &reg);
	rc = compile_plan(&reg, src_add_text(&reg, "generated UPSmon.conf", g->text.p, g->text.len), &dq, &o, &img,
			  err, sizeof(err));
	if (rc == 0 && (dq.nwarnings || dq.nerrors))
		rc = 1;
	if (rc) {
		fprintf(stderr, "upsplan generate: these options make a plan that does not check clean:\n");
		diag_render_gnu(&dq, stderr, 0);
	} else {
		img_free(&img);
	}
	diag_free(&dq);
	src_free(&reg);
	return rc ? EXIT_ERRORS : 0;
}

static int gen_write(struct gen *g)
{
	char tmp[4200];
	int fd;
	size_t off = 0;

	if (!g->output) {
		fwrite(g->text.p, 1, g->text.len, stdout);
		return EXIT_CLEAN;
	}
	if (!g->force && access(g->output, F_OK) == 0) {
		fprintf(stderr, "upsplan generate: '%s' exists; add --force to replace it\n", g->output);
		return EXIT_USAGE;
	}
	snprintf(tmp, sizeof(tmp), "%s.tmpXXXXXX", g->output);
	fd = mkstemp(tmp);
	if (fd < 0) {
		fprintf(stderr, "upsplan generate: cannot create '%s': %s\n", tmp, strerror(errno));
		return EXIT_USAGE;
	}
	while (off < g->text.len) {
		ssize_t w = write(fd, g->text.p + off, g->text.len - off);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			break;
		off += (size_t)w;
	}
	/* 0640: the plan holds passwords; the daemon's group reads it */
	if (off < g->text.len || fchmod(fd, 0640) != 0 || fsync(fd) != 0 || close(fd) != 0 ||
	    (!g->force && link(tmp, g->output) != 0) || (g->force && rename(tmp, g->output) != 0)) {
		fprintf(stderr, "upsplan generate: cannot write '%s': %s\n", g->output, strerror(errno));
		unlink(tmp);
		return EXIT_USAGE;
	}
	if (!g->force)
		unlink(tmp);
	return EXIT_CLEAN;
}

enum {
	OPT_UPS = 256, OPT_HOST, OPT_PORT, OPT_CERTFILE, OPT_USER, OPT_PASSWORD_FILE, OPT_EMAIL_FROM,
	OPT_EMAIL_TO, OPT_SMTP_SERVER, OPT_SMTP_PORT, OPT_SMTP_USER, OPT_SMTP_PASSWORD_FILE, OPT_HEARTBEAT,
	OPT_DELAY, OPT_FORCE
};

static int gen_number(const char *opt, const char *v, long min, long max, long *out)
{
	char *end;
	long n;

	errno = 0;
	n = strtol(v, &end, 10);
	if (!*v || *end || errno || n < min || n > max) {
		fprintf(stderr, "upsplan generate: %s wants a whole number from %ld to %ld, not '%s'\n", opt, min, max, v);
		return -1;
	}
	*out = n;
	return 0;
}

int cmd_generate(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "ups", required_argument, NULL, OPT_UPS },
		{ "host", required_argument, NULL, OPT_HOST },
		{ "port", required_argument, NULL, OPT_PORT },
		{ "certfile", required_argument, NULL, OPT_CERTFILE },
		{ "user", required_argument, NULL, OPT_USER },
		{ "password-file", required_argument, NULL, OPT_PASSWORD_FILE },
		{ "email-from", required_argument, NULL, OPT_EMAIL_FROM },
		{ "email-to", required_argument, NULL, OPT_EMAIL_TO },
		{ "smtp-server", required_argument, NULL, OPT_SMTP_SERVER },
		{ "smtp-port", required_argument, NULL, OPT_SMTP_PORT },
		{ "smtp-user", required_argument, NULL, OPT_SMTP_USER },
		{ "smtp-password-file", required_argument, NULL, OPT_SMTP_PASSWORD_FILE },
		{ "heartbeat", no_argument, NULL, OPT_HEARTBEAT },
		{ "shutdown-delay", required_argument, NULL, OPT_DELAY },
		{ "output", required_argument, NULL, 'o' },
		{ "force", no_argument, NULL, OPT_FORCE },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct gen g = {
		.ups = "UPS-1", .host = "localhost", .certfile = "/etc/nut/upsd-cert.pem", .user = "upsmon",
		.email_from = "<upsplan@localhost>", .smtp_user = "", .port = 3493, .smtp_port = 465, .delay = 5
	};
	int c, rc = EXIT_USAGE;
	char *end;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":ho:", longopts, NULL)) != -1) {
		switch (c) {
		case OPT_UPS: g.ups = optarg; break;
		case OPT_HOST: g.host = optarg; break;
		case OPT_CERTFILE: g.certfile = optarg; break;
		case OPT_USER: g.user = optarg; break;
		case OPT_EMAIL_FROM: g.email_from = optarg; break;
		case OPT_EMAIL_TO: g.email_to = optarg; break;
		case OPT_SMTP_SERVER: g.smtp_server = optarg; break;
		case OPT_SMTP_USER: g.smtp_user = optarg; break;
		case OPT_HEARTBEAT: g.heartbeat = 1; break;
		case OPT_FORCE: g.force = 1; break;
		case 'o': g.output = optarg; break;
		case OPT_PORT:
			if (gen_number("--port", optarg, 1, 65535, &g.port))
				goto out;
			break;
		case OPT_SMTP_PORT:
			if (gen_number("--smtp-port", optarg, 1, 65535, &g.smtp_port))
				goto out;
			break;
		case OPT_DELAY:
			g.delay = strtod(optarg, &end);
			if (!*optarg || *end || !(g.delay >= 0 && g.delay <= 86400)) {
				fprintf(stderr, "upsplan generate: --shutdown-delay wants seconds from 0 to 86400, not '%s'\n", optarg);
				goto out;
			}
			break;
		case OPT_PASSWORD_FILE:
			free(g.password);
			if (!(g.password = read_secret("--password-file", optarg)))
				goto out;
			break;
		case OPT_SMTP_PASSWORD_FILE:
			free(g.smtp_password);
			if (!(g.smtp_password = read_secret("--smtp-password-file", optarg)))
				goto out;
			break;
		case 'h':
			fputs(generate_usage, stdout);
			rc = EXIT_CLEAN;
			goto out;
		default:
			rc = cli_option_error("generate", c, argv);
			goto out;
		}
	}
	if (argc - optind != 1 || (strcmp(argv[optind], "standard") != 0 && strcmp(argv[optind], "timed") != 0)) {
		fprintf(stderr, "upsplan generate: say which plan: 'standard' or 'timed'\nTry 'upsplan help generate'.\n");
		goto out;
	}
	g.plan = argv[optind];
	if (g.email_to && !g.smtp_server) {
		fprintf(stderr, "upsplan generate: --email-to needs --smtp-server (and --smtp-user, --smtp-password-file)\n");
		goto out;
	}

	buf_addf(&g.text,
		 "# UPSmon.conf - the %s shutdown plan for UPS %s, written by upsplan generate %s.\n"
		 "# Check it with 'upsplan check', rehearse an outage with 'upsplan simulate'.\n"
		 "# It holds passwords: keep it mode 0640, owner root, group of the daemon.\n\n",
		 g.plan, g.ups, PACKAGE_VERSION);
	buf_adds(&g.text, "POLLFREQ 5  POLLFREQALERT 5\n");
	if (g.smtp_server) {
		buf_adds(&g.text, "SMTPSERVER ");
		rc = gen_quote(&g, g.smtp_server);
		buf_addf(&g.text, " PORT %ld USER ", g.smtp_port);
		rc |= gen_quote(&g, g.smtp_user);
		buf_adds(&g.text, " PASSWORD ");
		rc |= gen_quote(&g, g.smtp_password ? g.smtp_password : "change-me");
		buf_adds(&g.text, "\n");
		if (rc) {
			fprintf(stderr, "upsplan generate: an SMTP value holds a newline or every quote character\n");
			rc = EXIT_USAGE;
			goto out;
		}
	}
	rc = EXIT_USAGE;
	if (gen_rules(&g, "messages.rules") || gen_rules(&g, "group.rules") ||
	    gen_rules(&g, strcmp(g.plan, "timed") == 0 ? "timed.rules" : "standard.rules") ||
	    gen_rules(&g, "shutdown.rules") || (g.email_to && gen_rules(&g, "email.rules")) ||
	    (g.heartbeat && gen_rules(&g, "heartbeat.rules")) ||
	    (g.heartbeat && g.email_to && gen_rules(&g, "heartbeat-email.rules")))
		goto out;
	rc = gen_check(&g);
	if (rc == 0)
		rc = gen_write(&g);
	if (rc == 0 && !g.password)
		fprintf(stderr, "upsplan generate: note: the upsd password is \"change-me\": give --password-file, or edit the plan\n");
out:
	free(g.password);
	free(g.smtp_password);
	buf_free(&g.text);
	return rc;
}
