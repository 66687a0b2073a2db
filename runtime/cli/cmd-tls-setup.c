/* SPDX-License-Identifier: GPL-2.0-or-later */
/* cmd-tls-setup.c - upsplan tls-setup: a CA and upsd's certificate, installed the way the local upsd reads them, and the lines of upsd.conf and of the plan. */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "runtime/cli/cli.h"
#include "runtime/cli/tls-files.h"
#include "runtime/cli/tls-install.h"
#include "runtime/cli/tls-pki.h"

#define TLS_SETUP_DIR "/etc/nut/upsplan-tls"
#define TLS_SETUP_CONF "/etc/nut/upsd.conf"

const char tls_setup_usage[] =
	"Usage: upsplan tls-setup [OPTION]...\n"
	"Set up TLS for the upsd of this machine: make a CA and a certificate for\n"
	"upsd signed by it, install them the way upsd reads them (an NSS database\n"
	"for Debian's nut-server, a PEM file for an OpenSSL build), and print the\n"
	"upsd.conf lines and the plan lines that use them.  Existing keys and\n"
	"certificates are never overwritten.\n"
	"\n"
	"Options:\n"
	"  -n, --name=NAME      a host name or IP address clients reach upsd by\n"
	"                       (repeat it; default: this machine's name,\n"
	"                       localhost, 127.0.0.1 and ::1)\n"
	"  -d, --dir=DIR        where the files go (default " TLS_SETUP_DIR ";\n"
	"                       its parent must exist)\n"
	"      --days=N         upsd's certificate is valid N days (default 825)\n"
	"      --ca-days=N      the CA certificate is valid N days (default 3650)\n"
	"      --nss            for an upsd built with NSS (Debian's nut-server):\n"
	"                       an NSS database, CERTPATH and CERTIDENT\n"
	"      --pem            for an upsd built with OpenSSL: a PEM file, CERTFILE\n"
	"                       (default: the library upsd links, see --upsd)\n"
	"      --upsd=PATH      the upsd program to look at (default: the first of\n"
	"                       /lib/nut/upsd, /usr/lib/nut/upsd, /usr/sbin/upsd ...)\n"
	"  -u, --user=USER      the user upsd runs as, the only one to read its key\n"
	"                       (default nut; run as root, its files are given to it)\n"
	"      --client=NAME    also a client certificate (CN=NAME) and its key,\n"
	"                       for stunnel in front of upsd asking for one\n"
	"      --apply          also add the lines to upsd.conf (a backup is kept)\n"
	"      --upsd-conf=FILE the upsd.conf of --apply (default " TLS_SETUP_CONF ")\n"
	"  -h, --help           show this help\n"
	"\n"
	"Exit status: 0 done, 1 refused or failed (nothing is left half made),\n"
	"2 usage error.  More in 'man upsplan' (upsplan tls-setup).\n";

#define TLS_MAX_NAMES 32
#define TLS_DIR_MAX 400		/* NUT 2.8.0's parser cuts words at 511 bytes: DIR/nssdb.pass must fit */
#define TLS_NICK "upsd"		/* the nickname of upsd's certificate in the NSS database */
#define TLS_CA_NICK "upsplan CA"

enum { OPT_DAYS = 256, OPT_CA_DAYS, OPT_NSS, OPT_PEM, OPT_UPSD, OPT_APPLY, OPT_UPSD_CONF, OPT_CLIENT };

static const struct option tls_longopts[] = {
	{ "name", required_argument, NULL, 'n' },
	{ "dir", required_argument, NULL, 'd' },
	{ "days", required_argument, NULL, OPT_DAYS },
	{ "ca-days", required_argument, NULL, OPT_CA_DAYS },
	{ "nss", no_argument, NULL, OPT_NSS },
	{ "pem", no_argument, NULL, OPT_PEM },
	{ "upsd", required_argument, NULL, OPT_UPSD },
	{ "user", required_argument, NULL, 'u' },
	{ "apply", no_argument, NULL, OPT_APPLY },
	{ "client", required_argument, NULL, OPT_CLIENT },
	{ "upsd-conf", required_argument, NULL, OPT_UPSD_CONF },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 }
};

struct tls_setup {
	const char *names[TLS_MAX_NAMES];
	size_t nnames;
	char dir[PATH_MAX - 64];
	int days, ca_days, apply;
	enum tlsi_lib lib;
	const char *upsd, *user, *conf, *client;
	uid_t uid;		/* of the files upsd reads; -1: left as they are (not root) */
	gid_t gid;
	char certutil[PATH_MAX], pk12util[PATH_MAX];
	char password[25];	/* of the NSS database */
	char ca_cn[80], srv_cn[80], cl_cn[80];	/* as written in the certificates */
	char lines[3][PATH_MAX + 64];	/* for upsd.conf */
	const char *linev[3];
	size_t nlines;
};

static int tls_days(const char *opt, const char *val, int *days)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(val, &end, 10);
	if (errno || end == val || *end || v < 1 || v > TLSP_MAX_DAYS) {
		fprintf(stderr, "upsplan tls-setup: %s wants a number of days from 1 to %d, not '%s'\n", opt,
			TLSP_MAX_DAYS, val);
		return -1;
	}
	*days = (int)v;
	return 0;
}

/* DIR, absolute, into T->dir; it goes unquoted into upsd.conf */
static int tls_dir(struct tls_setup *t, const char *dir)
{
	char cwd[PATH_MAX];
	size_t len, bad;

	if (dir[0] == '/')
		snprintf(cwd, sizeof(cwd), "%s", "");
	else if (!getcwd(cwd, sizeof(cwd))) {
		fprintf(stderr, "upsplan tls-setup: cannot tell the working directory (%s): give --dir as an absolute path\n",
			strerror(errno));
		return -1;
	}
	bad = strspn(dir, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789/._+-");
	if (!*dir) {
		fprintf(stderr, "upsplan tls-setup: --dir is empty: give the directory for the keys\n");
		return -1;
	}
	if (dir[bad]) {
		/* the whole value, never cut: the refused byte may be past any width */
		fprintf(stderr, "upsplan tls-setup: --dir '%s': the directory goes into upsd.conf as it is: "
			"letters, digits and / . _ + - only, not byte 0x%02x (at %zu)\n", dir,
			(unsigned char)dir[bad], bad + 1);
		return -1;
	}
	if (snprintf(t->dir, sizeof(t->dir), "%s%s%s", cwd, *cwd ? "/" : "", dir) >= (int)sizeof(t->dir)) {
		fprintf(stderr, "upsplan tls-setup: --dir is %zu bytes long: at most %d, as upsd's config parser "
			"(NUT 2.8.0) cuts a word of upsd.conf at 511 bytes; give a shorter --dir\n",
			strlen(cwd) + 1 + strlen(dir), TLS_DIR_MAX);
		return -1;
	}
	len = strlen(t->dir);
	while (len > 1 && t->dir[len - 1] == '/')
		t->dir[--len] = '\0';
	if (len > TLS_DIR_MAX) {
		fprintf(stderr, "upsplan tls-setup: --dir '%.80s...' is %zu bytes long: at most %d, as upsd's "
			"config parser (NUT 2.8.0) cuts a word of upsd.conf at 511 bytes; give a shorter --dir\n",
			t->dir, len, TLS_DIR_MAX);
		return -1;
	}
	return 0;
}

/* -1 to go on, else an exit status */
static int tls_options(struct tls_setup *t, int argc, char **argv)
{
	int c, nss = 0, pem = 0;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":hn:d:u:", tls_longopts, NULL)) != -1) {
		switch (c) {
		case 'n':
			if (tlsp_name_kind(optarg) == TLSP_BAD) {
				fprintf(stderr, "upsplan tls-setup: --name '%.80s' is neither a host name (letters, "
					"digits, '-' and '.') nor an IP address\n", optarg);
				return EXIT_USAGE;
			}
			if (t->nnames == TLS_MAX_NAMES) {
				fprintf(stderr, "upsplan tls-setup: at most %d --name\n", TLS_MAX_NAMES);
				return EXIT_USAGE;
			}
			t->names[t->nnames++] = optarg;
			break;
		case 'd':
			if (tls_dir(t, optarg) != 0)
				return EXIT_USAGE;
			break;
		case OPT_DAYS:
			if (tls_days("--days", optarg, &t->days) != 0)
				return EXIT_USAGE;
			break;
		case OPT_CA_DAYS:
			if (tls_days("--ca-days", optarg, &t->ca_days) != 0)
				return EXIT_USAGE;
			break;
		case OPT_NSS:
			nss = 1;
			break;
		case OPT_PEM:
			pem = 1;
			break;
		case OPT_UPSD:
			t->upsd = optarg;
			break;
		case 'u':
			if (cli_name_arg("tls-setup", "--user", optarg, CLI_MAX_USER))
				return EXIT_USAGE;
			t->user = optarg;
			break;
		case OPT_APPLY:
			t->apply = 1;
			break;
		case OPT_CLIENT:
			if (cli_name_arg("tls-setup", "--client", optarg, 64))
				return EXIT_USAGE;
			t->client = optarg;
			break;
		case OPT_UPSD_CONF:
			if (!*optarg) {
				fprintf(stderr, "upsplan tls-setup: --upsd-conf wants the upsd.conf file to change\n");
				return EXIT_USAGE;
			}
			t->conf = optarg;
			break;
		case 'h':
			fputs(tls_setup_usage, stdout);
			return EXIT_CLEAN;
		default:
			return cli_option_error("tls-setup", c, argv);
		}
	}
	if (optind < argc) {
		fprintf(stderr, "upsplan tls-setup: no arguments, only options ('%s' is extra)\n"
			"Try 'upsplan help tls-setup'.\n", argv[optind]);
		return EXIT_USAGE;
	}
	if (nss && pem) {
		fprintf(stderr, "upsplan tls-setup: --nss or --pem, not both\n");
		return EXIT_USAGE;
	}
	if ((nss || pem) && t->upsd) {
		fprintf(stderr, "upsplan tls-setup: --upsd is looked at to choose between --nss and --pem: give one of the three\n");
		return EXIT_USAGE;
	}
	if (t->days > t->ca_days) {
		fprintf(stderr, "upsplan tls-setup: --days %d outlives the CA (--ca-days %d)\n", t->days, t->ca_days);
		return EXIT_USAGE;
	}
	if (t->conf && !t->apply) {
		fprintf(stderr, "upsplan tls-setup: --upsd-conf names the file --apply changes: give --apply too\n");
		return EXIT_USAGE;
	}
	t->lib = nss ? TLSI_NSS : pem ? TLSI_OPENSSL : TLSI_NONE;
	return -1;
}

/* the TLS library of upsd, the NSS tools, upsd's user: 0 or -1 after a message */
static int tls_prerequisites(struct tls_setup *t)
{
	char found[PATH_MAX], err[PATH_MAX + 256];

	if (t->lib == TLSI_NONE) {
		int lib = tlsi_detect(t->upsd, found, sizeof(found), err, sizeof(err));

		if (lib < 0) {
			fprintf(stderr, "upsplan tls-setup: %s\n", err);
			return -1;
		}
		if (lib == TLSI_NONE) {
			fprintf(stderr, "upsplan tls-setup: %s links neither NSS (libnss3) nor OpenSSL (libssl): that "
				"upsd has no TLS; put stunnel in front of it (man upsplan, tls-setup), or give --nss or "
				"--pem\n", found);
			return -1;
		}
		t->lib = (enum tlsi_lib)lib;
		fprintf(stderr, "upsplan tls-setup: %s is built with %s: %s\n", found,
			lib == TLSI_NSS ? "NSS" : "OpenSSL",
			lib == TLSI_NSS ? "an NSS database (--nss)" : "a PEM CERTFILE (--pem)");
	}
	if (t->lib == TLSI_NSS && (tlsi_find_program("certutil", t->certutil, err, sizeof(err)) != 0 ||
				   tlsi_find_program("pk12util", t->pk12util, err, sizeof(err)) != 0)) {
		fprintf(stderr, "upsplan tls-setup: %s\n", err);
		return -1;
	}
	t->uid = (uid_t)-1;
	t->gid = (gid_t)-1;
	if (geteuid() != 0)
		fprintf(stderr, "upsplan tls-setup: not run as root: the files will be yours; upsd's user (%s) "
			"must be able to read %s/%s\n", t->user, t->dir, t->lib == TLSI_NSS ? "nssdb" : "upsd.pem");
	if (geteuid() == 0) {
		struct passwd *pw = getpwnam(t->user);

		if (!pw) {
			fprintf(stderr, "upsplan tls-setup: there is no user '%s' to own upsd's key: give --user=USER, "
				"the user upsd runs as (Debian's nut-server: nut)\n", t->user);
			return -1;
		}
		t->uid = pw->pw_uid;
		t->gid = pw->pw_gid;
	}
	return 0;
}

/* the upsd.conf lines, and with --apply a check that upsd.conf takes them */
static int tls_conf_lines(struct tls_setup *t, int *present)
{
	char err[PATH_MAX + 512];

	t->nlines = 0;
	if (t->lib == TLSI_NSS) {
		snprintf(t->lines[t->nlines++], sizeof(t->lines[0]), "CERTPATH %s/nssdb", t->dir);
		snprintf(t->lines[t->nlines++], sizeof(t->lines[0]), "CERTIDENT \"%s\" \"%s\"", TLS_NICK, t->password);
	} else {
		snprintf(t->lines[t->nlines++], sizeof(t->lines[0]), "CERTFILE %s/upsd.pem", t->dir);
	}
	snprintf(t->lines[t->nlines++], sizeof(t->lines[0]), "DISABLE_WEAK_SSL true");
	for (size_t i = 0; i < t->nlines; i++)
		t->linev[i] = t->lines[i];
	if (t->apply && tlsi_conf_check(t->conf, t->linev, t->nlines, present, err, sizeof(err)) != 0) {
		fprintf(stderr, "upsplan tls-setup: %s\n", err);
		return -1;
	}
	return 0;
}

/*
 * DIR exists (or is made) and holds none of the files to make, opened for
 * tlsf_*(); as root, DIR and the directories above it are root's alone.
 * 0, or -1 after a message.
 */
static int tls_destination(struct tls_setup *t)
{
	static const char *const files[] = { "ca.key", "ca.pem", "server.key", "server.pem", "upsd.pem", "nssdb",
					     "nssdb.pass", ".upsd.p12", ".upsd.p12.pass", "client.key", "client.pem" };
	char err[PATH_MAX * 3 + 512];
	struct stat st;
	int make = 0;

	if (stat(t->dir, &st) != 0) {
		if (errno == ENOENT && lstat(t->dir, &st) == 0) {
			fprintf(stderr, "upsplan tls-setup: %s is a symbolic link to nothing: give another --dir\n", t->dir);
			return -1;
		}
		if (errno != ENOENT) {
			fprintf(stderr, "upsplan tls-setup: cannot use %s: %s\n", t->dir, strerror(errno));
			return -1;
		}
		make = 1;
	} else if (!S_ISDIR(st.st_mode)) {
		fprintf(stderr, "upsplan tls-setup: %s is not a directory: give another --dir\n", t->dir);
		return -1;
	}
	if (geteuid() == 0 && tlsf_check_owners(t->dir, err, sizeof(err)) != 0) {
		fprintf(stderr, "upsplan tls-setup: %s\n", err);
		return -1;
	}
	if (tlsf_open(t->dir, make, err, sizeof(err)) != 0) {
		fprintf(stderr, "upsplan tls-setup: %s (%s)\n", err,
			errno == ENOENT ? "make its parent first, or give another --dir"
			: errno == EACCES || errno == EPERM || errno == EROFS ? "run as root, or give another --dir"
			: "give another --dir");
		return -1;
	}
	if (make)
		return 0;
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		if (tlsf_exists(files[i])) {
			fprintf(stderr, "upsplan tls-setup: %s/%s exists: tls-setup never overwrites a key or a "
				"certificate.  To start afresh, move %s away (the plans naming %s/ca.pem then "
				"need the new one), or give another --dir\n", t->dir, files[i], t->dir, t->dir);
			return -1;
		}
	}
	if (access(t->dir, W_OK | X_OK) != 0) {
		fprintf(stderr, "upsplan tls-setup: cannot write in %s: %s (run as root, or give another --dir)\n",
			t->dir, strerror(errno));
		return -1;
	}
	return 0;
}

/* write the text of LEN bytes to DIR/NAME; 0 or -1 after a message */
static int tls_file(const struct tls_setup *t, const char *name, const void *data, size_t len, mode_t mode,
		    int to_user)
{
	char err[PATH_MAX + 128];

	if (!data) {
		fprintf(stderr, "upsplan tls-setup: cannot encode %s/%s: %s\n", t->dir, name, tlsp_ssl_error());
		return -1;
	}
	if (tlsf_new_file(name, data, len, mode, to_user ? t->uid : (uid_t)-1, to_user ? t->gid : (gid_t)-1, err,
			  sizeof(err)) != 0) {
		fprintf(stderr, "upsplan tls-setup: %s\n", err);
		return -1;
	}
	return 0;
}

/*
 * SIGINT, SIGTERM and SIGHUP are blocked while files are made (the NSS
 * tools get them: child_setup unblocks them); one pending stops the run at
 * the next step, and the files made so far are removed.
 */
static int tls_interrupted(void)
{
	static const int sigs[] = { SIGINT, SIGTERM, SIGHUP };
	sigset_t pending;

	if (sigpending(&pending) != 0)
		return 0;
	for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		if (sigismember(&pending, sigs[i]) == 1)
			return sigs[i];
	return 0;
}

/* run an NSS tool; 0, or -1 after a message with its output */
static int tls_tool(const char *prog, char *const argv[])
{
	char out[1024];
	int rc;

	if (tls_interrupted())
		return -1;
	rc = tlsi_run(prog, argv, out, sizeof(out));
	if (rc == 0)
		return 0;
	fprintf(stderr, "upsplan tls-setup: %s %s failed", prog, argv[1]);
	if (rc > 0)
		fprintf(stderr, " (exit status %d)", rc);
	fprintf(stderr, ": %s\n", out[0] ? out : "it said nothing");
	return -1;
}

/* the NSS database DIR/nssdb with upsd's key and certificate (nickname upsd) and the CA */
static int tls_nssdb(const struct tls_setup *t, const struct tlsp_cert *srv, const struct tlsp_cert *ca)
{
	char db[PATH_MAX + 8], dbdir[PATH_MAX], pass[PATH_MAX], p12[PATH_MAX], p12pass[PATH_MAX], ca_pem[PATH_MAX];
	char transport[25], err[PATH_MAX + 128];
	unsigned char *der;
	size_t len = 0;
	int rc = -1;

	snprintf(dbdir, sizeof(dbdir), "%s/nssdb", t->dir);
	snprintf(db, sizeof(db), "sql:%s", dbdir);
	snprintf(pass, sizeof(pass), "%s/nssdb.pass", t->dir);
	snprintf(p12, sizeof(p12), "%s/.upsd.p12", t->dir);
	snprintf(p12pass, sizeof(p12pass), "%s/.upsd.p12.pass", t->dir);
	snprintf(ca_pem, sizeof(ca_pem), "%s/ca.pem", t->dir);
	if (tlsp_password(transport, sizeof(transport)) != 0) {
		fprintf(stderr, "upsplan tls-setup: no random numbers: %s\n", tlsp_ssl_error());
		return -1;
	}
	der = tlsp_pkcs12(srv, ca, TLS_NICK, transport, &len);
	if (tls_file(t, "nssdb.pass", t->password, strlen(t->password), 0600, 0) != 0 ||
	    tls_file(t, ".upsd.p12", der, len, 0600, 0) != 0 ||
	    tls_file(t, ".upsd.p12.pass", transport, strlen(transport), 0600, 0) != 0)
		goto out;
	if (tlsf_new_dir("nssdb", 0700, err, sizeof(err)) != 0) {
		fprintf(stderr, "upsplan tls-setup: %s\n", err);
		goto out;
	}
	{
		char *const mk[] = { "certutil", "-N", "-d", db, "-f", pass, NULL };
		char *const imp[] = { "pk12util", "-i", p12, "-d", db, "-k", pass, "-w", p12pass, NULL };
		char *const add[] = { "certutil", "-A", "-d", db, "-n", TLS_CA_NICK, "-t", "CT,,", "-a", "-i", ca_pem,
				      "-f", pass, NULL };
		char *const list[] = { "certutil", "-L", "-d", db, "-n", TLS_NICK, NULL };

		if (tls_tool(t->certutil, mk) != 0 || tls_tool(t->pk12util, imp) != 0 ||
		    tls_tool(t->certutil, add) != 0 || tls_tool(t->certutil, list) != 0)
			goto out;
	}
	if (tlsf_own_dir("nssdb", t->uid, t->gid, err, sizeof(err)) != 0) {
		fprintf(stderr, "upsplan tls-setup: %s\n", err);
		goto out;
	}
	rc = 0;
out:
	OPENSSL_cleanse(transport, sizeof(transport));
	if (der)
		OPENSSL_cleanse(der, len);
	free(der);
	tlsf_remove(".upsd.p12");
	tlsf_remove(".upsd.p12.pass");
	return rc;
}

/* the CA, upsd's certificate and their files; 0 or -1 after a message */
static int tls_make(struct tls_setup *t)
{
	struct tlsp_cert ca = { NULL, NULL }, srv = { NULL, NULL }, cl = { NULL, NULL };
	char err[512], *text[7] = { NULL };
	size_t len[7] = { 0 };
	int rc = -1;

	if (tlsp_make_ca(&ca, t->names[0], t->ca_days, err, sizeof(err)) != 0 ||
	    tlsp_make_server(&srv, &ca, t->names, t->nnames, t->days, err, sizeof(err)) != 0) {
		fprintf(stderr, "upsplan tls-setup: %s\n", err);
		goto out;
	}
	tlsp_cert_cn(ca.cert, t->ca_cn, sizeof(t->ca_cn));
	tlsp_cert_cn(srv.cert, t->srv_cn, sizeof(t->srv_cn));
	text[0] = tlsp_key_pem(ca.key, &len[0]);
	text[1] = tlsp_cert_pem(ca.cert, &len[1]);
	text[2] = tlsp_key_pem(srv.key, &len[2]);
	text[3] = tlsp_cert_pem(srv.cert, &len[3]);
	if (tls_file(t, "ca.key", text[0], len[0], 0600, 0) != 0 || tls_file(t, "ca.pem", text[1], len[1], 0644, 0) != 0 ||
	    tls_file(t, "server.key", text[2], len[2], 0600, 0) != 0 ||
	    tls_file(t, "server.pem", text[3], len[3], 0644, 0) != 0)
		goto out;
	if (t->lib == TLSI_OPENSSL) {
		/* NUT's OpenSSL upsd reads the certificate and then the key from CERTFILE */
		if (text[2] && text[3] && (text[4] = malloc(len[2] + len[3] + 1))) {
			memcpy(text[4], text[3], len[3]);
			memcpy(text[4] + len[3], text[2], len[2] + 1);
			len[4] = len[2] + len[3];
		}
		if (tls_file(t, "upsd.pem", text[4], len[4], 0600, 1) != 0)
			goto out;
	} else if (tls_nssdb(t, &srv, &ca) != 0) {
		goto out;
	}
	if (t->client) {
		/* read by upsplan run's monitoring user, by default upsd's user nut too */
		if (tlsp_make_client(&cl, &ca, t->client, t->days, err, sizeof(err)) != 0) {
			fprintf(stderr, "upsplan tls-setup: %s\n", err);
			goto out;
		}
		tlsp_cert_cn(cl.cert, t->cl_cn, sizeof(t->cl_cn));
		text[5] = tlsp_key_pem(cl.key, &len[5]);
		text[6] = tlsp_cert_pem(cl.cert, &len[6]);
		if (tls_file(t, "client.key", text[5], len[5], 0600, 1) != 0 ||
		    tls_file(t, "client.pem", text[6], len[6], 0644, 0) != 0)
			goto out;
	}
	rc = 0;
out:
	tlsp_free(&cl);
	for (size_t i = 0; i < 7; i++)
		if (text[i]) {
			OPENSSL_cleanse(text[i], len[i]);
			free(text[i]);
		}
	tlsp_free(&ca);
	tlsp_free(&srv);
	return rc;
}

/* upsd.conf line I as printed: CERTIDENT names the file of the password, never shows it */
static const char *tls_shown_line(const struct tls_setup *t, size_t i)
{
	static char buf[PATH_MAX + 64];

	if (t->lib != TLSI_NSS || i != 1)
		return t->lines[i];
	snprintf(buf, sizeof(buf), "CERTIDENT \"%s\" \"<the password in %s/nssdb.pass>\"", TLS_NICK, t->dir);
	return buf;
}

static void tls_report(const struct tls_setup *t, const int *present, const char *backup)
{
	const char *owner = t->uid != (uid_t)-1 ? t->user : "you";

	printf("Made in %s, for an upsd built with %s; the certificate names", t->dir,
	       t->lib == TLSI_NSS ? "NSS" : "OpenSSL");
	for (size_t i = 0; i < t->nnames; i++)
		printf(" %s", t->names[i]);
	printf(":\n");
	printf("  ca.pem       the CA certificate (CN=%s): the CERTFILE of the plans (public)\n", t->ca_cn);
	printf("  ca.key       the CA's key (mode 0600): keep it secret, or offline\n");
	printf("  server.pem   upsd's certificate (CN=%s), valid %d days; server.key its key (0600)\n", t->srv_cn,
	       t->days);
	if (t->lib == TLSI_NSS)
		printf("  nssdb/       upsd's NSS database (owner %s, 0700); its password is in nssdb.pass\n", owner);
	else
		printf("  upsd.pem     upsd's certificate and key (owner %s, 0600)\n", owner);
	if (t->client)
		printf("  client.pem   a client certificate (CN=%s); client.key its key (owner %s, 0600)\n", t->cl_cn,
		       owner);
	printf("\nupsd.conf lines:\n");
	for (size_t i = 0; i < t->nlines; i++)
		printf("\t%s\n", tls_shown_line(t, i));
	printf("\n");
	if (t->lib == TLSI_NSS && !t->apply)
		printf("The password is not printed: it is in %s/nssdb.pass.  To add the CERTIDENT line with it:\n"
		       "\tprintf 'CERTIDENT \"%s\" \"%%s\"\\n' \"$(cat %s/nssdb.pass)\" >>%s\n", t->dir, TLS_NICK,
		       t->dir, t->conf);
	else if (t->lib == TLSI_NSS && present[1])
		printf("(The password is not printed: it is in %s/nssdb.pass.)\n", t->dir);
	else if (t->lib == TLSI_NSS)
		printf("(The password is not printed: --apply wrote it to %s; it is in %s/nssdb.pass too.)\n", t->conf,
		       t->dir);
	if (!t->apply)
		printf("Add them to upsd.conf (or run again with --apply), then restart upsd\n"
		       "(systemctl restart nut-server): upsd reads them only when it starts.\n");
	else if (backup[0])
		printf("Added to %s (the old file is %s); restart upsd\n(systemctl restart nut-server): upsd reads "
		       "them only when it starts.\n", t->conf, backup);
	else
		printf("%s has them already.\n", t->conf);
	for (size_t i = 0; t->apply && i < t->nlines; i++)
		if (present[i] && backup[0])
			printf("(%s was there already.)\n", tls_shown_line(t, i));
	printf("\nPlan lines (each GROUP of this upsd; HOST is one of the names above):\n");
	printf("\tGROUP upsd HOST %s PORT 3493 CERTFILE \"%s/ca.pem\"\n", t->names[0], t->dir);
	printf("(upsplan generate writes it with --host %s --certfile %s/ca.pem.)\n", t->names[0], t->dir);
	if (t->client) {
		printf("\nstunnel lines (TLS from the first byte on port 3494 in front of upsd's\nport 3493, "
		       "a client certificate of this CA required; upsd.conf: LISTEN 127.0.0.1 3493):\n");
		printf("\t; /etc/stunnel/upsd.conf, for systemctl enable --now stunnel@upsd\n\tforeground = yes\n");
		printf("\t[upsd-tls]\n\taccept = 3494\n\tconnect = 127.0.0.1:3493\n\tcert = %s/server.pem\n"
		       "\tkey = %s/server.key\n\tCAfile = %s/ca.pem\n\tverify = 2\n\tsslVersionMin = TLSv1.2\n",
		       t->dir, t->dir, t->dir);
		printf("\nPlan lines for it:\n");
		printf("\tGROUP upsd-tls HOST %s PORT 3494 CERTFILE \"%s/ca.pem\" TLS DIRECT\n"
		       "\t    CLIENTCERT \"%s/client.pem\" CLIENTKEY \"%s/client.key\"\n", t->names[0], t->dir, t->dir,
		       t->dir);
	}
	printf("\nThen check that upsplan reaches upsd over TLS: upsplan run --check-only PLAN\n");
}

int cmd_tls_setup(int argc, char **argv)
{
	static struct tls_setup t;	/* static: PATH_MAX buffers */
	static char host[256];
	char backup[PATH_MAX], err[PATH_MAX + 512];
	int present[3] = { 0, 0, 0 }, rc;
	sigset_t block, old;

	memset(&t, 0, sizeof(t));
	t.days = 825;
	t.ca_days = 3650;
	t.user = "nut";
	snprintf(t.dir, sizeof(t.dir), "%s", TLS_SETUP_DIR);
	rc = tls_options(&t, argc, argv);
	if (rc >= 0)
		return rc;
	if (!t.conf)
		t.conf = TLS_SETUP_CONF;
	if (t.nnames == 0) {
		cli_this_host("tls-setup", host, sizeof(host));
		if (strcmp(host, "localhost") != 0 && tlsp_name_kind(host) == TLSP_DNS)
			t.names[t.nnames++] = host;
		t.names[t.nnames++] = "localhost";
		t.names[t.nnames++] = "127.0.0.1";
		t.names[t.nnames++] = "::1";
	}
	if (tls_prerequisites(&t) != 0)
		return EXIT_ERRORS;
	if (tlsp_password(t.password, sizeof(t.password)) != 0) {
		fprintf(stderr, "upsplan tls-setup: no random numbers: %s\n", tlsp_ssl_error());
		return EXIT_ERRORS;
	}
	sigemptyset(&block);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGHUP);
	sigprocmask(SIG_BLOCK, &block, &old);
	if (tls_conf_lines(&t, present) != 0 || tls_destination(&t) != 0) {
		tlsf_undo();
		rc = EXIT_ERRORS;
		goto out;
	}
	if (tls_make(&t) != 0 || tls_interrupted()) {
		tlsf_undo();
		if (tls_interrupted())
			fprintf(stderr, "upsplan tls-setup: interrupted (%s)\n", strsignal(tls_interrupted()));
		fprintf(stderr, "upsplan tls-setup: nothing was kept of this run in %s\n", t.dir);
		rc = EXIT_ERRORS;
		goto out;
	}
	if (t.apply && tlsi_conf_apply(t.conf, t.linev, t.nlines, present, backup, err, sizeof(err)) != 0) {
		tlsf_undo();
		fprintf(stderr, "upsplan tls-setup: %s\nupsplan tls-setup: %s is unchanged and nothing was kept "
			"of this run in %s\n", err, t.conf, t.dir);
		rc = EXIT_ERRORS;
		goto out;
	}
	/* from here on the run is whole: a signal now ends it after the report */
	tlsf_keep();
	if (t.apply) {
		struct stat st;

		if (stat(t.conf, &st) == 0 && (st.st_mode & 0004) && t.lib == TLSI_NSS)
			fprintf(stderr, "upsplan tls-setup: warning: every user can read %s, which now holds the NSS "
				"database's password: chmod o-r %s\n", t.conf, t.conf);
	}
	tls_report(&t, present, t.apply ? backup : "");
	fflush(stdout);
	rc = EXIT_CLEAN;
out:
	OPENSSL_cleanse(t.password, sizeof(t.password));
	sigprocmask(SIG_SETMASK, &old, NULL);	/* a pending signal ends the process here */
	return rc;
}
