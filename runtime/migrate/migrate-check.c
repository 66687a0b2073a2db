/* SPDX-License-Identifier: GPL-2.0-or-later */
/* migrate-check.c - what upsmon would refuse and the plan cannot hold, and the TLS and POWERDOWNFLAG settings of a migrated plan. */
#include "runtime/migrate/migrate-int.h"

#include "base/xalloc.h"
#include "grammar/parse-int.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

/* A name the plan language writes: a letter or '_', then letters, digits, '.', '_', '%', '+' or '-' */
int mg_word(const char *s)
{
	if (!isalpha((unsigned char)*s) && *s != '_')
		return 0;
	for (s++; *s; s++)
		if (!isalnum((unsigned char)*s) && !strchr("._%+-", *s))
			return 0;
	return 1;
}

static int mg_loopback(const char *h)
{
	return !strcmp(h, "localhost") || !strncmp(h, "127.", 4) || !strcmp(h, "::1") || !strcmp(h, "[::1]");
}

/* The last line of upsmon.conf that sets directive NAME as upsmon uses it, or NULL. */
static const struct nc_line *mg_last(const struct mg *m, const char *name)
{
	const struct nc_line *found = NULL;

	for (size_t i = 0; i < m->mon.nlines; i++) {
		const struct nc_directive *d = nc_lookup(NC_UPSMON, m->mon.lines[i].words[0].text);
		if (d && !strcmp(d->name, name) && m->mon.lines[i].nwords >= d->min_words && d->since <= m->o->nut_minor)
			found = &m->mon.lines[i];
	}
	return found;
}

static void mg_warn_value(struct mg *m, const char *name, long v, long min, const char *why)
{
	const struct nc_line *l = mg_last(m, name);

	if (l && v < min)
		mg_diag_word(m, &m->mon, m->monsrc, &l->words[1], DIAG_MIG_VALUE,
			     "%s %ld: %s; the plan uses %ld", name, v, why, min);
}

/*
 * A UPS or user name the plan can write bare, wherever it reads a name: a
 * word and no keyword, not even a soft one (after MARKED crit, a bare TLS
 * or SHUTDOWN would be read as the keyword).
 */
static int mg_bare(const char *s)
{
	int status;

	return mg_word(s) && !lex_keyword(s, strlen(s), &status);
}

/*
 * Can the plan write NAME, if need be in double quotes (E900): printable ASCII, no
 * blank, '"', '\\', '#' or '='; a UPS name (UPS) also no '@' or '/', and,
 * as its timers are named after it (dead.NAME), only the characters that
 * follow the first of a plan name.
 */
static int mg_quotable(const char *name, int ups)
{
	if (!*name)
		return 0;
	for (const char *s = name; *s; s++) {
		if (*s <= ' ' || *s > '~' || strchr("\"\\#=", *s))
			return 0;
		if (ups && !isalnum((unsigned char)*s) && !strchr("._%+-", *s))
			return 0;
	}
	return 1;
}

char *mg_written(const char *name)
{
	size_t len = strlen(name);
	char *w;

	if (mg_bare(name))
		return xstrdup(name);
	w = xcalloc(len + 3, 1);
	w[0] = '"';
	memcpy(w + 1, name, len);
	memcpy(w + 1 + len, "\"", 2);
	return w;
}

/* Is H a HOST the plan takes: an IPv4 or IPv6 address (bare or in brackets, with a %zone), or a host name? */
static int mg_host_ok(const char *h)
{
	char buf[300], *zone;
	unsigned char addr[16];
	size_t len = strlen(h), label = 0;

	if (!len || len >= sizeof(buf))
		return 0;
	memcpy(buf, h, len + 1);
	if (buf[0] == '[') {
		if (len < 3 || buf[len - 1] != ']')
			return 0;
		memmove(buf, buf + 1, len - 2);
		buf[len -= 2] = '\0';
		if (!strchr(buf, ':'))
			return 0;
	}
	if (strchr(buf, ':')) {
		if ((zone = strchr(buf, '%'))) {
			*zone++ = '\0';
			if (!*zone || strlen(zone) > 64 || strspn(zone, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
								  "0123456789_.-") != strlen(zone))
				return 0;
		}
		return inet_pton(AF_INET6, buf, addr) == 1;
	}
	if (strspn(buf, "0123456789.") == len)
		return inet_pton(AF_INET, buf, addr) == 1;
	for (size_t i = 0; i < len; i++) {
		if (buf[i] == '.') {
			if (!label || buf[i - 1] == '-')
				return 0;
			label = 0;
		} else if ((!isalnum((unsigned char)buf[i]) && buf[i] != '-' && buf[i] != '_') ||
			   (buf[i] == '-' && !label) || ++label > 63) {
			return 0;
		}
	}
	return buf[len - 1] != '-';
}

/* The names, values and sums upsmon would refuse or the plan cannot hold; 0 when the plan can be written. */
int mg_validate(struct mg *m)
{
	long total = 0;

	if (!m->nups) {
		struct diag_record *r = diag_at(m->dq, DIAG_NUT_REFUSED, DIAG_FILE_SPAN(m->monsrc),
			"upsmon refuses this file: no UPS to monitor (Fatal error: insufficient power configured!)");
		if (r)
			diag_note(m->dq, r, 0, r->span, "add the MONITOR line of your UPS, e.g. MONITOR myups@localhost 1 "
				  "upsmon mypassword primary (its user and password as upsd.users has them)");
		return -1;
	}
	for (size_t i = 0; i < m->nups; i++) {
		const struct mg_ups *u = &m->upsv[i];

		total += u->pv;
		if (!mg_quotable(u->ups, 1))
			mg_diag_word(m, &m->mon, m->monsrc, &u->line->words[1], DIAG_MIG_NAME,
				     "the plan cannot write the UPS name '%s': its timers are named after it, which takes "
				     "letters, digits, '.', '_', '%%', '+' and '-' only; rename the UPS in ups.conf", u->ups);
		if (u->pv > 1000000)
			mg_diag_word(m, &m->mon, m->monsrc, &u->line->words[2], DIAG_MIG_TOO_MANY,
				     "power value %ld: a plan takes at most 1000000; write smaller power values (only their "
				     "sums against MINSUPPLIES count)", u->pv);
		if (!mg_host_ok(u->host))
			mg_diag_word(m, &m->mon, m->monsrc, &u->line->words[1], DIAG_MIG_NAME,
				     "'%s' is neither an IPv4 or IPv6 address nor a host name the plan can write: write "
				     "MONITOR ups@host with upsd's host name or address", u->host);
		if (!mg_quotable(u->user, 0))
			mg_diag_word(m, &m->mon, m->monsrc, &u->line->words[3], DIAG_MIG_NAME,
				     "the plan cannot write the upsd user '%s' (printable ASCII without '\"', '\\', '#' "
				     "or '='): rename it in upsd.users", u->user);
		for (size_t j = 0; j < i; j++)
			if (!strcmp(m->upsv[j].ups, u->ups))
				mg_diag_word(m, &m->mon, m->monsrc, &u->line->words[1], DIAG_MIG_NAME,
					     "UPS '%s' is monitored twice (line %u): a plan holds one UPS of a name; "
					     "keep one MONITOR", u->ups, m->upsv[j].line->words[0].line);
	}
	if (m->minsupplies > 1000000 && m->l_minsupplies)
		mg_diag_word(m, &m->mon, m->monsrc, &m->l_minsupplies->words[1], DIAG_MIG_TOO_MANY,
			     "MINSUPPLIES %ld: a plan takes at most 1000000; write smaller power values and MINSUPPLIES",
			     m->minsupplies);
	if (total < m->minsupplies)
		diag_at(m->dq, DIAG_NUT_REFUSED, m->l_minsupplies ?
			mg_span(m->monsrc, &m->mon, m->l_minsupplies->words[0].line, m->l_minsupplies->words[0].col, 11) :
			DIAG_FILE_SPAN(m->monsrc),
			"upsmon refuses this file: Fatal error: insufficient power configured! (the MONITORs give %ld, "
			"MINSUPPLIES is %ld)", total, m->minsupplies);
	for (size_t i = 0; i < m->nat; i++)
		if (!strcmp(m->atv[i].cmd, "START-TIMER") || !strcmp(m->atv[i].cmd, "CANCEL-TIMER"))
			if (!mg_word(m->atv[i].arg1) && !isdigit((unsigned char)m->atv[i].arg1[0])) {
				mg_diag_word(m, &m->sched, m->schedsrc, &m->atv[i].line->words[4], DIAG_MIG_NAME,
					     "the plan language cannot write the timer name '%s' (letters, digits, '.', "
					     "'_', '%%', '+' or '-')", m->atv[i].arg1);
				m->atv[i].cmd = NULL;
			}
	if (!m->shutdowncmd && m->minsupplies > 0) {
		struct diag_record *r = diag_at(m->dq, DIAG_MIG_SHUTDOWNCMD, DIAG_FILE_SPAN(m->monsrc),
			"no SHUTDOWNCMD: upsmon could not shut this host down (Unable to call shutdown command); the plan "
			"runs /bin/sh -c '/sbin/shutdown -h +0', NUT's sample command");
		if (r)
			diag_note(m->dq, r, 0, r->span, "add SHUTDOWNCMD \"...\" to upsmon.conf and migrate again if "
				  "another command is right for this host");
	}
	mg_warn_value(m, "POLLFREQ", m->pollfreq, 1, "upsplan polls at least every second");
	mg_warn_value(m, "POLLFREQALERT", m->pollfreqalert, 1, "upsplan polls at least every second");
	mg_warn_value(m, "HOSTSYNC", m->hostsync, 0, "upsmon did not wait at all");
	mg_warn_value(m, "DEADTIME", m->deadtime, 0, "upsmon counted a lost UPS dead at once");
	mg_warn_value(m, "NOCOMMWARNTIME", m->nocommwarntime, 0, "upsmon warned at every poll");
	mg_warn_value(m, "RBWARNTIME", m->rbwarntime, 0, "upsmon warned at every poll");
	return m->dq->nerrors ? -1 : 0;
}

/* TLS NONE for a loopback upsd: the TLS settings upsmon had that the plan does not use, said. */
static void mg_tls_none(struct mg *m)
{
	if (m->l_certverify && m->certverify)
		mg_diag_word(m, &m->mon, m->monsrc, &m->l_certverify->words[0], DIAG_MIG_TLS,
			     "upsmon refused every connection here (CERTVERIFY is set, but CERTPATH isn't); the plan talks "
			     "to this loopback upsd in plain text (TLS NONE): 'upsplan tls-setup' gives it TLS");
	if (m->l_forcessl && m->forcessl)
		mg_diag_word(m, &m->mon, m->monsrc, &m->l_forcessl->words[0], DIAG_MIG_TLS,
			     "upsmon insisted on TLS (FORCESSL); the plan talks to this loopback upsd in plain text (TLS "
			     "NONE): 'upsplan tls-setup' gives it TLS, then write TLS STARTTLS and its CERTFILE");
	if (m->l_certhost)
		mg_diag_word(m, &m->mon, m->monsrc, &m->l_certhost->words[0], DIAG_MIG_TLS,
			     "the plan talks to this loopback upsd in plain text (TLS NONE): CERTHOST is not used");
}

/* POWERDOWNFLAG and the TLS settings: what the plan cannot say is a diagnostic with the command that does it. */
const char *mg_tls(struct mg *m, struct buf *out)
{
	int loop = 1, onehost = 1;
	const char *file;

	if (!m->powerdownflag) {
		if (m->minsupplies > 0)
			diag_at(m->dq, DIAG_MIG_RUN_OPTION, DIAG_FILE_SPAN(m->monsrc), "no POWERDOWNFLAG: upsmon wrote "
				"no flag; start upsplan run with --powerdownflag none to keep that (its default is /etc/killpower)");
	} else if (strcmp(m->powerdownflag, "/etc/killpower"))
		mg_diag_word(m, &m->mon, m->monsrc, &m->l_powerdownflag->words[1], DIAG_MIG_RUN_OPTION,
			     "POWERDOWNFLAG is not part of a plan: start upsplan run with --powerdownflag %s "
			     "(its default is /etc/killpower)", m->powerdownflag);
	for (size_t i = 0; i < m->nups; i++) {
		loop &= mg_loopback(m->upsv[i].host);
		onehost &= !strcmp(m->upsv[i].host, m->upsv[0].host);
	}
	if (m->l_certident) {
		struct diag_record *r = mg_diag_word(m, &m->mon, m->monsrc, &m->l_certident->words[1], DIAG_MIG_NSS,
			"CERTIDENT: a client certificate is only needed when upsd asks for one; to give upsplan the same, "
			"export it and its key to PEM files and add CLIENTCERT and CLIENTKEY to the group");
		if (r) {
			diag_note(m->dq, r, 0, r->span, "pk12util -o /root/upsmon-client.p12 -n \"%s\" -d sql:%s -k "
				  "/root/db-password.txt -w /root/p12-password.txt", m->l_certident->words[1].text,
				  m->certpath ? m->certpath : "/etc/nut/cert/upsmon");
			diag_note(m->dq, r, 0, r->span, "openssl pkcs12 -in /root/upsmon-client.p12 -passin "
				  "file:/root/p12-password.txt -clcerts -nokeys -out /etc/nut/upsmon-client.pem; openssl "
				  "pkcs12 -in /root/upsmon-client.p12 -passin file:/root/p12-password.txt -nocerts -nodes "
				  "-out /etc/nut/upsmon-client.key; chgrp nut /etc/nut/upsmon-client.key; chmod 0640 "
				  "/etc/nut/upsmon-client.key; rm /root/upsmon-client.p12");
		}
	}
	if (loop && !m->certpath) {
		mg_tls_none(m);
		buf_adds(out, "# upsmon spoke plain text to this upsd on loopback (a stock upsd has no certificate):\n"
			 "# kept as TLS NONE; 'upsplan tls-setup' gives upsd a certificate.\nTLS NONE\n");
		return NULL;
	}
	file = m->o->ca_file ? m->o->ca_file : m->certpath ? "/etc/nut/upsmon-ca.pem" : "/etc/nut/upsplan-tls/ca.pem";
	if (!m->certpath) {
		for (size_t i = 0; i < m->nups; i++)
			if (!mg_loopback(m->upsv[i].host)) {
				struct diag_record *r = mg_diag_word(m, &m->mon, m->monsrc, &m->upsv[i].line->words[1],
					DIAG_MIG_TLS, "upsmon talked to %s in plain text (no CERTPATH); upsplan always uses "
					"TLS and checks upsd's certificate against CERTFILE \"%s\"", m->upsv[i].host, file);
				if (r)
					diag_note(m->dq, r, 0, r->span, "on %s run 'upsplan tls-setup' and copy the ca.pem "
						  "it writes to %s on this host", m->upsv[i].host, file);
				break;
			}
	} else {
		struct stat st;
		char p[4200];
		const char *db = "sql:";
		struct diag_record *r;

		snprintf(p, sizeof(p), "%s/cert8.db", m->certpath);
		if (stat(p, &st) == 0)
			db = "dbm:";
		r = mg_diag_word(m, &m->mon, m->monsrc, &m->l_certpath->words[1], DIAG_MIG_NSS,
			"upsmon read its trusted certificates from the NSS database %s; upsplan reads a PEM file: export "
			"them to %s with these commands (certutil is in libnss3-tools)", m->certpath, file);
		if (r) {
			diag_note(m->dq, r, 0, r->span, "DB=%s%s; certutil -L -d \"$DB\" | tail -n +5 | while IFS= read -r "
				  "line; do line=${line%%\"${line##*[! ]}\"}; trust=${line##* }; nick=${line%% *}; "
				  "nick=${nick%%\"${nick##*[! ]}\"}; case ${trust%%%%,*} in *C*|*P*) certutil -L -d \"$DB\" "
				  "-n \"$nick\" -a ;; esac; done > %s", db, m->certpath, file);
			diag_note(m->dq, r, 0, r->span, "openssl storeutl -noout -certs %s (it says how many it found); "
				  "chmod 0644 %s", file, file);
			diag_note(m->dq, r, 0, r->span, "if NUT was built with OpenSSL, %s is a directory of PEM files "
				  "instead: cat %s/*.pem > %s", m->certpath, m->certpath, file);
		}
		if (m->certverify == 0)
			mg_diag_word(m, &m->mon, m->monsrc, &m->l_certpath->words[0], DIAG_MIG_TLS,
				     "upsmon did not check upsd's certificate (CERTVERIFY 0); upsplan always does: "
				     "try the plan with 'upsplan run --check-only' before you switch");
	}
	buf_adds(out, "CERTFILE \xc2\xab");
	buf_adds(out, file);	/* a path, as it is */
	buf_adds(out, "\xc2\xbb\n");
	if (m->l_certhost) {
		const char *name = m->certhost_name;
		int hostlike = mg_word(name) || strspn(name, "0123456789.:[]abcdefABCDEF") == strlen(name);

		if (hostlike && onehost && !strcmp(m->certhost_host, m->upsv[0].host)) {
			mg_comment_line(out, &m->mon, m->l_certhost);
			buf_addf(out, "CERTNAME \xc2\xab%s\xc2\xbb\n", name);
		} else
			mg_diag_word(m, &m->mon, m->monsrc, &m->l_certhost->words[2], DIAG_MIG_TLS,
				     "upsmon matched the certificate name '%s'; upsplan checks the host names and "
				     "addresses a certificate carries (subjectAltName): set CERTNAME in the plan to one "
				     "of them", name);
		if (!strcmp(m->l_certhost->words[3].text, "0"))
			mg_diag_word(m, &m->mon, m->monsrc, &m->l_certhost->words[3], DIAG_MIG_TLS,
				     "upsmon did not check %s's certificate; upsplan always does", m->certhost_host);
	}
	return file;
}

