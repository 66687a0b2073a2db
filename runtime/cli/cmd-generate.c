/* SPDX-License-Identifier: GPL-2.0-or-later */
/* cmd-generate.c - upsplan generate: a standard or timed plan assembled from stdlib-rules, checked before it is written. */
#include "config.h"

#include <ctype.h>
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
#include "runtime/common/stdlib.h"
#include "runtime/common/file-access.h"

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
	"                         (default /etc/nut/upsd-cert.pem; when FILE is\n"
	"                         not there, the plan and a note say so)\n"
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
	"--ups and --user take the names upsd uses: a name the plan language\n"
	"writes bare (a letter or '_', then letters, digits, '.', '_', '%', '+'\n"
	"or '-') is written bare, any other (1500va) quoted; a value the plan\n"
	"refuses is reported with the option that gave it.\n"
	"\n"
	"Exit status: 0 written, 1 the options make an invalid plan, 2 usage or\n"
	"I/O error, or an option value refused.\n";

/* Where the value of an option went in the plan text: a diagnostic there is that option's. */
struct gen_place {
	const char *opt;	/* "--ups" */
	const char *val;	/* the value, or NULL for a password (never shown) */
	size_t off, len;	/* bytes of the plan text */
};

struct gen {
	const char *plan, *ups, *host, *certfile, *user, *email_from, *email_to;
	const char *smtp_server, *smtp_user, *output;
	const char *password_file, *smtp_password_file;
	char *password, *smtp_password;
	long port, smtp_port;
	double delay;
	int heartbeat, force, certfile_given;
	int ups_quoted, user_quoted;	/* --ups, --user: no bare name of the plan language ("1500va") */
	char certfile_why[1024];	/* why this machine cannot read CERTFILE, or empty */
	struct buf text;	/* the plan written so far */
	struct gen_place *places;
	size_t nplaces;
};

/* Record that the bytes of the plan text from OFF to its end are the value VAL of option OPT. */
static void gen_place(struct gen *g, const char *opt, const char *val, size_t off)
{
	g->places = xrealloc(g->places, (g->nplaces + 1) * sizeof(*g->places));
	g->places[g->nplaces++] = (struct gen_place){ opt, val, off, g->text.len - off };
}

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

/*
 * Append VAL, the value of option OPT, to the plan: quoted when QUOTED,
 * else as it is (a name or a number), and record where it went.  SHOWN
 * is what messages show of it (NULL for a password).  Returns 0, or -1
 * after a message naming OPT when VAL cannot be written as a quoted text.
 */
static int gen_value(struct gen *g, const char *opt, const char *val, const char *shown, int quoted)
{
	size_t off = g->text.len;

	if (!quoted) {
		buf_adds(&g->text, val);
	} else if (gen_quote(g, val) != 0) {
		fprintf(stderr, "upsplan generate: %s%s%s%s cannot be written as a quoted text of the plan: it holds "
			"a line break, or the closing mark of every quote style (\" ' \xc2\xbb \xe2\xb8\xa5 \xe2\x8e\xa6); "
			"give a value without them\n", opt, shown ? " '" : "", shown ? shown : " (the password)",
			shown ? "'" : "");
		return -1;
	}
	gen_place(g, opt, shown, off);
	return 0;
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
		char num[64];
		if (KEY("UPS"))
			bad = gen_value(g, "--ups", g->ups, g->ups, g->ups_quoted);
		else if (KEY("USER"))
			bad = gen_value(g, "--user", g->user, g->user, g->user_quoted);
		else if (KEY("HOST"))
			bad = gen_value(g, "--host", g->host, g->host, 1);
		else if (KEY("CERTFILE"))
			bad = gen_value(g, "--certfile", g->certfile, g->certfile, 1);
		else if (KEY("PASSWORD"))
			bad = gen_value(g, "--password-file", g->password ? g->password : "change-me", NULL, 1);
		else if (KEY("EMAIL_FROM"))
			bad = gen_value(g, "--email-from", g->email_from, g->email_from, 1);
		else if (KEY("EMAIL_TO"))
			bad = gen_value(g, "--email-to", g->email_to, g->email_to, 1);
		else if (KEY("PORT")) {
			snprintf(num, sizeof(num), "%ld", g->port);
			bad = gen_value(g, "--port", num, num, 0);
		} else if (KEY("DELAY")) {
			snprintf(num, sizeof(num), "%g", g->delay);
			bad = gen_value(g, "--shutdown-delay", num, num, 0);
		} else {
			/* @...@ that names no field (an e-mail address in a rule text): copied as it is */
			buf_add(&g->text, at, (size_t)(end - at + 1));
		}
#undef KEY
		if (bad)
			return -1;
		t = end + 1;
	}
	return 0;
}

#define GEN_CERTFILE_FIX \
	"run upsplan tls-setup, which writes a CA file, and give that file with --certfile, or give --certfile " \
	"the CA certificate (PEM) that upsd's certificate is signed by"

/*
 * CERTFILE cannot be read on this machine (it does not exist: the default
 * is not a file Debian has): noted in G->certfile_why, and in the plan's
 * header, so that the plan says it wherever it is copied.
 */
static void gen_certfile(struct gen *g)
{
	char fix[1024];

	g->certfile_why[0] = '\0';
	/* a value with a line break is refused later (gen_value): never in a comment */
	if (strpbrk(g->certfile, "\r\n") || fa_check("CERTFILE", g->certfile, NULL, FA_PUBLIC, g->certfile_why,
						      sizeof(g->certfile_why), fix, sizeof(fix)) != 1) {
		g->certfile_why[0] = '\0';
		return;
	}
	buf_addf(&g->text, "# On the machine that wrote it, %s: upsplan run needs it.\n"
		 "# Run 'upsplan tls-setup', which writes a CA file, and set CERTFILE below to that\n"
		 "# file, or to the CA certificate (PEM) that upsd's certificate is signed by.\n",
		 g->certfile_why);
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

/* The option whose value holds the diagnostic R of the plan F, or NULL. */
static const struct gen_place *gen_whose(const struct gen *g, const struct src_file *f, const struct diag_record *r)
{
	size_t at;

	if (!r->has_span || r->span.off < f->base || r->span.off - f->base > f->size)
		return NULL;
	at = r->span.off - f->base;
	for (size_t i = 0; i < g->nplaces; i++)
		if (at >= g->places[i].off && at < g->places[i].off + g->places[i].len)
			return &g->places[i];
	return NULL;
}

/*
 * Say which options the diagnostics of the plan F in DQ fall on: for each
 * such option its value and the first of its diagnostics.  Returns how
 * many options were named (0: the diagnostics are the plan's own).
 */
static int gen_blame(const struct gen *g, const struct src_file *f, const struct diag_queue *dq)
{
	const char *named[32];
	size_t nnamed = 0;

	for (size_t i = 0; i < dq->nrecs; i++) {
		const struct diag_record *r = &dq->recs[i];
		const struct gen_place *p = gen_whose(g, f, r);
		size_t k;

		if (!p)
			continue;
		for (k = 0; k < nnamed && strcmp(named[k], p->opt) != 0; k++)
			;
		if (k < nnamed || nnamed == sizeof(named) / sizeof(named[0]))
			continue;	/* the first diagnostic of each option says it */
		named[nnamed++] = p->opt;
		if (p->val)
			fprintf(stderr, "upsplan generate: %s '%.*s%s' is refused: %s [%s]\n", p->opt,
				strlen(p->val) > 80 ? 80 : (int)strlen(p->val), p->val, strlen(p->val) > 80 ? "..." : "",
				r->msg, diag_code_name(r->code));
		else	/* the diagnostic may quote the password: only its code */
			fprintf(stderr, "upsplan generate: %s: the password read from '%s' cannot be written into the "
				"plan (it makes %s %s, not shown here: it would show the password); change the password\n",
				p->opt, strcmp(p->opt, "--password-file") == 0 ? g->password_file : g->smtp_password_file,
				r->sev == DIAG_ERROR ? "error" : "warning", diag_code_name(r->code));
	}
	return (int)nnamed;
}

/*
 * The plan text, checked: 0; or, with messages on stderr, EXIT_USAGE when
 * its diagnostics fall on the values of options (each option named), else
 * EXIT_ERRORS with the diagnostics.
 */
static int gen_check(struct gen *g)
{
	struct src_registry reg;
	struct diag_queue dq;
	const struct src_file *f;
	char err[256];
	int rc = cli_check_plan(&reg, &dq, "generated UPSmon.conf", g->text.p, g->text.len, -1, &f, err, sizeof(err));

	if (rc != 0 && gen_blame(g, f, &dq) > 0) {
		rc = EXIT_USAGE;
	} else if (rc != 0) {
		fprintf(stderr, "upsplan generate: these options make a plan that does not check clean:\n");
		diag_render_gnu(&dq, stderr, 0);
		rc = EXIT_ERRORS;
	}
	diag_free(&dq);
	src_free(&reg);
	return rc;
}

static int gen_write(struct gen *g)
{
	if (!g->output) {
		fwrite(g->text.p, 1, g->text.len, stdout);
		return EXIT_CLEAN;
	}
	return cli_write_plan("generate", g->output, g->force, g->text.p, g->text.len);
}

enum {
	OPT_UPS = 256, OPT_HOST, OPT_PORT, OPT_CERTFILE, OPT_USER, OPT_PASSWORD_FILE, OPT_EMAIL_FROM,
	OPT_EMAIL_TO, OPT_SMTP_SERVER, OPT_SMTP_PORT, OPT_SMTP_USER, OPT_SMTP_PASSWORD_FILE, OPT_HEARTBEAT,
	OPT_DELAY, OPT_FORCE
};

/*
 * 1 when VAL, a UPS or user name, is a name as the plan language writes
 * one bare (a word: a letter or '_', then letters, digits, '.', '_', '%',
 * '+' or '-'), 0 when it must be quoted ("1500va"; the plan's check then
 * refuses what upsd could never serve, E900, named with its option).
 */
static int gen_word(const char *val)
{
	size_t len = strlen(val), i = 0;

	if (len && (isalpha((unsigned char)val[0]) || val[0] == '_'))
		for (i = 1; i < len && (isalnum((unsigned char)val[i]) || strchr("._%+-", val[i])); i++)
			;
	return len && i == len && isascii((unsigned char)val[0]);
}

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
		case OPT_UPS:
			g.ups = optarg;
			g.ups_quoted = !gen_word(optarg);
			break;
		case OPT_HOST: g.host = optarg; break;
		case OPT_CERTFILE:
			g.certfile = optarg;
			g.certfile_given = 1;
			break;
		case OPT_USER:
			g.user = optarg;
			g.user_quoted = !gen_word(optarg);
			break;
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
			g.password_file = optarg;
			break;
		case OPT_SMTP_PASSWORD_FILE:
			free(g.smtp_password);
			if (!(g.smtp_password = read_secret("--smtp-password-file", optarg)))
				goto out;
			g.smtp_password_file = optarg;
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
		 "# After every edit, check it with 'upsplan check -Werror' (upsplan run refuses\n"
		 "# a plan whose warnings change what happens in an outage) and rehearse an\n"
		 "# outage with 'upsplan simulate'.\n"
		 "# It holds passwords: keep it mode 0640, owner root, group of the daemon.\n",
		 g.plan, g.ups, PACKAGE_VERSION);
	gen_certfile(&g);
	buf_adds(&g.text, "\n");
	buf_adds(&g.text, "POLLFREQ 5  POLLFREQALERT 5\n");
	if (g.smtp_server) {
		char port[32];

		snprintf(port, sizeof(port), "%ld", g.smtp_port);
		buf_adds(&g.text, "SMTPSERVER ");
		if (gen_value(&g, "--smtp-server", g.smtp_server, g.smtp_server, 1))
			goto out;
		buf_adds(&g.text, " PORT ");
		gen_value(&g, "--smtp-port", port, port, 0);
		buf_adds(&g.text, " USER ");
		if (gen_value(&g, "--smtp-user", g.smtp_user, g.smtp_user, 1))
			goto out;
		buf_adds(&g.text, " PASSWORD ");
		if (gen_value(&g, "--smtp-password-file", g.smtp_password ? g.smtp_password : "change-me", NULL, 1))
			goto out;
		buf_adds(&g.text, "\n");
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
	if (rc == 0 && g.certfile_why[0])
		fprintf(stderr, "upsplan generate: note: %s%s: upsplan run cannot check upsd's certificate without it: %s\n",
			g.certfile_why, g.certfile_given ? "" : " (the default of --certfile)", GEN_CERTFILE_FIX);
out:
	free(g.password);
	free(g.smtp_password);
	free(g.places);
	buf_free(&g.text);
	return rc;
}
