/* SPDX-License-Identifier: GPL-2.0-or-later */
/* sema-flow.c - whole-plan checks: groups, thresholds, timers, shutdown paths, file mode. */
#include "config.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "engine/sema-int.h"
#include "base/loopback.h"
#include "base/xalloc.h"

static void host_of(struct sema *s, const struct ast_text *h, const char **p, size_t *len)
{
	if (!h) {
		*p = "localhost";
		*len = 9;
		return;
	}
	src_span c = ast_text_content(h);
	*p = sema_bytes(s, c);
	*len = c.len;
}

/* The STARTTIMERs of clause W: s->starts[*first .. *end). */
static void clause_starts(const struct sema *s, uint32_t w, uint32_t *first, uint32_t *end)
{
	*first = s->whenv.v[w].starts_begin;
	*end = w + 1 < s->whenv.n ? s->whenv.v[w + 1].starts_begin : (uint32_t)s->starts.n;
}

/*
 * Mark in GOOD every WHEN clause from which a SHUTDOWNCMD can be reached:
 * it runs one, or starts a timer whose TIMEOUT clauses (of any group:
 * timer names are global) lead to one.  Worked backwards from the clauses
 * that run one, each clause and timer once, so the checks of all groups
 * take time linear in the plan.
 */
static void shutdown_paths(struct sema *s, uint8_t *good)
{
	uint32_t nt = (uint32_t)s->timerv.n, nw = (uint32_t)s->whenv.n;
	uint32_t *first = xcalloc((size_t)nt + 2, sizeof(*first));	/* the clauses starting timer t: */
	uint32_t *starter = xrealloc(NULL, (s->starts.n + 1) * sizeof(*starter));	/* starter[first[t] ..) */
	uint32_t *queue = xrealloc(NULL, ((size_t)nw + 1) * sizeof(*queue));
	uint8_t *timer_good = xcalloc((size_t)nt + 1, 1);
	size_t head = 0, tail = 0;

	for (uint32_t k = 0; k < s->starts.n; k++)
		first[s->starts.v[k] + 2]++;
	for (uint32_t t = 0; t < nt; t++)
		first[t + 2] += first[t + 1];
	for (uint32_t w = 0, b, e; w < nw; w++) {
		clause_starts(s, w, &b, &e);
		for (uint32_t k = b; k < e; k++)
			starter[first[s->starts.v[k] + 1]++] = w;
	}
	/* now clauses starting timer t are starter[first[t] .. first[t + 1]) */
	for (uint32_t w = 0; w < nw; w++)
		if (s->whenv.v[w].shutdown) {
			good[w] = 1;
			queue[tail++] = w;
		}
	while (head < tail) {
		uint32_t t = s->whenv.v[queue[head++]].timer;

		if (t == SEMA_NONE || timer_good[t])
			continue;
		timer_good[t] = 1;
		for (uint32_t k = first[t]; k < first[t + 1]; k++)
			if (!good[starter[k]]) {
				good[starter[k]] = 1;
				queue[tail++] = starter[k];
			}
	}
	free(first);
	free(starter);
	free(queue);
	free(timer_good);
}

/*
 * Is there a path from the events of group G to a SHUTDOWNCMD: a REPORTS
 * clause (or the built-in start timer's TIMEOUT clause) of G from which
 * one is reached (GOOD, from shutdown_paths())?
 */
static int shutdown_reachable(struct sema *s, uint32_t g, const uint8_t *good)
{
	const struct sema_group *gr = &s->groupv.v[g];
	int64_t start = symtab_get(&s->timers, "start", 5);

	/* a group's clauses are contiguous: cur_group only changes at GROUP */
	for (uint32_t i = gr->when_first; i < gr->when_end; i++) {
		struct sema_when *w = &s->whenv.v[i];
		if ((w->reports || (start >= 0 && w->timer == (uint32_t)start)) && good[i])
			return 1;
	}
	return 0;
}

/*
 * W630: SETFSD of a UPS monitored as primary in a clause from which no
 * SHUTDOWNCMD is reached.  upsplan sends FSD, as NUT's upsmon sets it on
 * its primary UPS when it shuts down (how its secondaries learn to);
 * UPSmon.py refused it (Error 740).  upsd keeps FSD until it restarts: off
 * the shutdown path it shuts the secondaries down while this machine stays
 * up, and any monitor started later shuts down at once.
 */
static void fsd_checks(struct sema *s, const uint8_t *good)
{
	for (size_t i = 0; i < s->fsdv.n; i++) {
		const struct sema_fsd *f = &s->fsdv.v[i];
		struct diag_record *r;

		if (good[f->when])
			continue;
		r = diag_at(s->dq, DIAG_SETFSD_PRIMARY, f->name,
			"SETFSD %.*s sets forced shutdown on a primary UPS, but this rule never leads to a SHUTDOWNCMD",
			(int)(f->name.len > 60 ? 60 : f->name.len), sema_bytes(s, f->name));
		diag_note(s->dq, r, 1, s->upsv.v[f->ups].primary,
			  "monitored as primary here: upsd keeps FSD until upsd restarts; every secondary shuts down, and so does any monitor that starts before then");
		diag_note(s->dq, r, 0, f->name,
			  "set FSD on the way to this machine's own shutdown, e.g. SETFSD %.*s STARTTIMER final-delay 5 with WHEN ... TIMEOUT final-delay : SHUTDOWNCMD",
			  (int)(f->name.len > 60 ? 60 : f->name.len), sema_bytes(s, f->name));
	}
}

static void group_checks(struct sema *s)
{
	uint8_t *good = xcalloc(s->whenv.n + 1, 1);

	shutdown_paths(s, good);
	fsd_checks(s, good);
	for (uint32_t gi = 0; gi < s->groupv.n; gi++) {
		struct sema_group *g = &s->groupv.v[gi];
		const char *gn = sema_bytes(s, g->name);
		int gl = (int)g->name.len;
		struct diag_record *r;

		if (!g->certfile && g->tls_mode != IMG_TLS_NONE) {
			r = diag_at(s->dq, DIAG_NO_CERTFILE, g->name,
				"group '%.*s' has no CERTFILE: upsplan talks to upsd only over TLS", gl, gn);
			diag_note(s->dq, r, 0, g->name,
				  "add CERTFILE \"/etc/nut/...pem\" naming the certificate that upsd's certificate is verified against");
		}
		if (g->clientkey && !g->clientcert) {
			r = diag_at(s->dq, DIAG_KEY_NO_CERT, g->clientkey_span,
				"group '%.*s' has a CLIENTKEY but no CLIENTCERT", gl, gn);
			diag_note(s->dq, r, 0, g->clientkey_span,
				  "add CLIENTCERT \"/etc/nut/...pem\" with the client certificate this key belongs to");
		}
		if (g->powerval_sum < g->minsupplies) {
			r = diag_at(s->dq, DIAG_POWERVAL_SUM,
				    g->minsupplies_span.len ? g->minsupplies_span : g->name,
				    "group '%.*s' needs MINSUPPLIES %ld but its UPS give POWERVAL %ld in all: the plan could never be satisfied",
				    gl, gn, g->minsupplies, g->powerval_sum);
			diag_note(s->dq, r, 0, g->name, "lower MINSUPPLIES or add the missing MONITOR declarations");
		}
		if (g->minsupplies > 0) {
			if (!shutdown_reachable(s, gi, good)) {
				r = diag_at(s->dq, DIAG_NO_SHUTDOWN, g->name,
					"no event of group '%.*s' leads to a SHUTDOWNCMD: this plan never shuts the machine down",
					gl, gn);
				diag_note(s->dq, r, 0, g->name,
					  "add e.g. WHEN ups REPORTS None->LB : STARTTIMER final-delay 5 and WHEN ups TIMEOUT final-delay : SHUTDOWNCMD \"/sbin/shutdown -h +0\"");
			}
			if (!g->has_none_lb)
				diag_at(s->dq, DIAG_NO_LB_RULE, g->name,
					"group '%.*s' has no WHEN ... REPORTS None->LB rule: low battery is ignored", gl, gn);
			if (!g->has_comm_nocomm)
				diag_at(s->dq, DIAG_NO_NOCOMM_RULE, g->name,
					"group '%.*s' has no WHEN ... REPORTS COMM->NOCOMM rule: a lost upsd goes unnoticed", gl, gn);
		}
		if (g->first_secondary != SEMA_NONE && !g->has_none_fsd) {
			struct sema_ups *u = &s->upsv.v[g->first_secondary];
			r = diag_at(s->dq, DIAG_NO_FSD_RULE, u->name,
				"secondary UPS '%.*s' in group '%.*s' has no WHEN ... REPORTS None->FSD rule",
				(int)u->name.len, sema_bytes(s, u->name), gl, gn);
			diag_note(s->dq, r, 0, u->name,
				  "the primary sets FSD when it shuts down; a secondary must shut down on None->FSD");
		}
	}
	free(good);
}

/*
 * Canonical "host:port" of upsd for a UPS, into BUF: IPv6 addresses in
 * inet_ntop form (so ::1 and [::1] compare equal), names in lower case.
 */
static void upsd_key(struct sema *s, const struct sema_ups *u, char *buf, size_t len)
{
	const char *p;
	size_t n;
	char host[300], *zone;
	unsigned char addr[16];

	host_of(s, u->host, &p, &n);
	if (n >= sizeof(host) - 1)
		n = sizeof(host) - 2;
	if (n > 2 && p[0] == '[' && p[n - 1] == ']') {
		p++;
		n -= 2;
	}
	memcpy(host, p, n);
	host[n] = '\0';
	zone = strchr(host, '%');
	if (zone)
		*zone = '\0';
	if (strchr(host, ':') && inet_pton(AF_INET6, host, addr) == 1) {
		char canon[INET6_ADDRSTRLEN];
		inet_ntop(AF_INET6, addr, canon, sizeof(canon));
		snprintf(buf, len, "[%s%s%s]:%ld", canon, zone ? "%" : "", zone ? zone + 1 : "", u->port);
		return;
	}
	if (zone)
		*zone = '%';
	for (char *c = host; *c; c++)
		*c = (char)tolower((unsigned char)*c);
	snprintf(buf, len, "%s:%ld", host, u->port);
}

static const char *tls_mode_name(int mode)
{
	return mode == IMG_TLS_DIRECT ? "DIRECT" : mode == IMG_TLS_NONE ? "NONE" : "STARTTLS";
}

/* Has group G a TLS NONE that counts (the mode of the group, and no E653)? */
static int tls_none(const struct sema_group *g)
{
	return g->tls_mode == IMG_TLS_NONE && !g->tls_tls_span.len;
}

/* E650: the upsd of UPS U, in a TLS NONE group, is loopback only; 1 when it is. */
static int tls_none_host(struct sema *s, const struct sema_ups *u, const struct sema_group *g)
{
	const char *p;
	size_t n;
	char host[300], msg[600];
	int lo;
	src_span at = u->host ? ast_text_span(u->host) : g->tls_span;

	host_of(s, u->host, &p, &n);
	if (n >= sizeof(host))
		n = sizeof(host) - 1;
	memcpy(host, p, n);
	host[n] = '\0';
	lo = lo_text_is_loopback(host);
	if (lo < 0 && s->opt && s->opt->host_check)
		lo = s->opt->host_check(host, msg, sizeof(msg));
	else if (lo < 0)
		return 1;	/* a name, and nobody to resolve it: the daemon checks the connected address */
	else if (lo == 0)
		snprintf(msg, sizeof(msg), "%s is not a loopback address", host);
	if (lo == 1)
		return 1;
	struct diag_record *r = diag_at(s->dq, DIAG_TLS_NONE_REMOTE, at,
		"TLS NONE of group '%.*s' is for a upsd on this machine's loopback address only, and %s: the password and the UPS status would cross the network in clear",
		(int)g->name.len, sema_bytes(s, g->name), msg);
	diag_note(s->dq, r, 1, g->tls_span,
		  "use TLS STARTTLS with a CERTFILE (upsplan tls-setup sets upsd up for it), or HOST 127.0.0.1 for a upsd of this machine");
	return 0;
}

/* E650-E653: TLS NONE only to loopback, never with certificate settings or another TLS mode; W651 when it is used. */
static void tls_none_checks(struct sema *s)
{
	const struct ast_text *done = NULL;
	uint32_t done_group = SEMA_NONE;
	uint8_t *bad = xcalloc(s->groupv.n + 1, 1);

	for (uint32_t gi = 0; gi < s->groupv.n; gi++) {
		const struct sema_group *g = &s->groupv.v[gi];
		const char *gn = sema_bytes(s, g->name);
		int gl = (int)g->name.len;
		struct diag_record *r;

		if (!g->none_span.len)
			continue;
		if (g->tls_tls_span.len) {
			int none_last = g->tls_mode == IMG_TLS_NONE;
			r = diag_at(s->dq, DIAG_TLS_DOWNGRADE, none_last ? g->none_span : g->tls_tls_span,
				"group '%.*s' has both TLS NONE and TLS %.*s: no setting can take TLS away from a group, nor is plain text a fallback",
				gl, gn, (int)g->tls_tls_span.len, sema_bytes(s, g->tls_tls_span));
			diag_note(s->dq, r, 1, none_last ? g->tls_tls_span : g->none_span,
				  "keep one TLS setting in the group");
			bad[gi] = 1;
			continue;
		}
		if (g->cert_span.len) {
			r = diag_at(s->dq, DIAG_TLS_NONE_CERT, g->cert_span,
				"group '%.*s' has TLS NONE, so its %s would not be used: no certificate is checked in plain text",
				gl, gn, g->cert_kw);
			diag_note(s->dq, r, 1, g->none_span,
				  "remove the %s, or remove TLS NONE to talk TLS to upsd", g->cert_kw);
			bad[gi] = 1;
		}
	}
	for (uint32_t i = 0; i < s->upsv.n; i++) {
		const struct sema_ups *u = &s->upsv.v[i];
		const struct sema_group *g = &s->groupv.v[u->group];

		if (!tls_none(g) || (u->host == done && u->group == done_group))
			continue;
		done = u->host;	/* the UPS after it on the same HOST: already judged */
		done_group = u->group;
		if (!tls_none_host(s, u, g))
			bad[u->group] = 1;
	}
	for (uint32_t gi = 0; gi < s->groupv.n; gi++) {
		const struct sema_group *g = &s->groupv.v[gi];
		if (!tls_none(g) || bad[gi])
			continue;
		struct diag_record *r = diag_at(s->dq, DIAG_TLS_NONE_CLEAR, g->none_span,
			"group '%.*s' talks to upsd in plain text: its UPSDUSER passwords and UPS status cross the loopback interface unencrypted",
			(int)g->name.len, sema_bytes(s, g->name));
		diag_note(s->dq, r, 0, g->none_span,
			  "a process of this machine that may capture on the loopback interface (root, CAP_NET_RAW) can read them; TLS STARTTLS avoids it (upsplan tls-setup)");
	}
	free(bad);
}

/* E570, E571: every UPS polled on one upsd (its host:port when MONITORed) must share one CERTFILE and one TLS mode. */
static void cert_checks(struct sema *s)
{
	struct symtab seen;
	char **keys = xrealloc(NULL, (s->upsv.n + 1) * sizeof(*keys));
	size_t nkeys = 0;

	symtab_init(&seen);
	for (uint32_t i = 0; i < s->upsv.n; i++) {
		struct sema_ups *u = &s->upsv.v[i];
		struct sema_group *g = &s->groupv.v[u->group];
		char key[400];
		int64_t first;

		if (!g->certfile && g->tls_mode != IMG_TLS_NONE)
			continue;
		upsd_key(s, u, key, sizeof(key));
		first = symtab_get(&seen, key, strlen(key));
		if (first < 0) {
			keys[nkeys] = xstrdup(key);
			symtab_put(&seen, keys[nkeys], strlen(key), i);
			nkeys++;
			continue;
		}
		struct sema_ups *f = &s->upsv.v[first];
		struct sema_group *fg = &s->groupv.v[f->group];
		if (fg->tls_mode != g->tls_mode) {
			struct diag_record *r = diag_at(s->dq, DIAG_TLS_CLASH, u->name,
				"UPS '%.*s' is polled on upsd %s, which UPS '%.*s' reaches with TLS %s, but group '%.*s' says TLS %s",
				(int)u->name.len, sema_bytes(s, u->name), key,
				(int)f->name.len, sema_bytes(s, f->name), tls_mode_name(fg->tls_mode),
				(int)g->name.len, sema_bytes(s, g->name), tls_mode_name(g->tls_mode));
			diag_note(s->dq, r, 1, fg->tls_span.len ? fg->tls_span : fg->name,
				  "one port speaks one of STARTTLS, TLS from the first byte or plain text: use the same TLS setting as here");
			continue;
		}
		if (!fg->certfile || !g->certfile || strcmp(fg->certfile, g->certfile) == 0)
			continue;
		struct diag_record *r = diag_at(s->dq, DIAG_CERT_CLASH, u->name,
			"UPS '%.*s' is polled on upsd %s, which UPS '%.*s' reaches with CERTFILE '%s', but group '%.*s' gives CERTFILE '%s'",
			(int)u->name.len, sema_bytes(s, u->name), key,
			(int)f->name.len, sema_bytes(s, f->name), fg->certfile,
			(int)g->name.len, sema_bytes(s, g->name), g->certfile);
		diag_note(s->dq, r, 1, fg->certfile_span, "one upsd has one certificate: use the same CERTFILE as here");
	}
	for (size_t i = 0; i < nkeys; i++)
		free(keys[i]);
	free(keys);
	symtab_free(&seen);
}

static void ups_checks(struct sema *s)
{
	for (size_t i = 0; i < s->upsv.n; i++) {
		struct sema_ups *u = &s->upsv.v[i];
		src_span at = u->lb_span[0].len ? u->lb_span[0] : u->lb_span[1].len ? u->lb_span[1] : u->lb_span[2];

		if (!at.len)
			continue;
		if (!(u->lb[0] > u->lb[1] && u->lb[1] > u->lb[2])) {
			struct diag_record *r = diag_at(s->dq, DIAG_LOW_ORDER, at,
				"battery.charge.low levels of UPS '%.*s' are %d, %d, %d: LB1 should be above LB2, and LB2 above LB3",
				(int)u->name.len, sema_bytes(s, u->name), u->lb[0], u->lb[1], u->lb[2]);
			diag_note(s->dq, r, 0, at, "levels not set keep their defaults 50, 25 and 12");
		}
	}
}

static void timer_checks(struct sema *s)
{
	for (size_t i = 0; i < s->timerv.n; i++) {
		struct sema_timer *t = &s->timerv.v[i];
		src_span any = { t->start ? t->start : t->timeout ? t->timeout : t->cancel ? t->cancel : t->running, t->len };
		const char *n = sema_bytes(s, any);
		/* start expires at start-up, fsd at an operator FSD (upsplan fsd, SIGUSR2) */
		int builtin = (any.len == 5 && memcmp(n, "start", 5) == 0) || (any.len == 3 && memcmp(n, "fsd", 3) == 0);

		if (t->start && !t->timeout && !t->running)	/* a timer IF RUNNING reads needs no TIMEOUT */
			diag_at(s->dq, DIAG_NO_TIMEOUT, (src_span){ t->start, t->len },
				"timer '%.*s' is started but no WHEN ... TIMEOUT %.*s clause acts when it expires",
				(int)any.len, n, (int)any.len, n);
		if (!t->start && t->timeout && !builtin)
			diag_at(s->dq, DIAG_NEVER_STARTED, (src_span){ t->timeout, t->len },
				"timer '%.*s' is never started by a STARTTIMER: this TIMEOUT clause never runs",
				(int)any.len, n);
		if (!t->start && t->cancel && !builtin)
			diag_at(s->dq, DIAG_CANCEL_UNKNOWN, (src_span){ t->cancel, t->len },
				"CANCELTIMER of timer '%.*s', which no STARTTIMER starts",
				(int)any.len, n);
		if (!t->start && t->running && !builtin)
			diag_at(s->dq, DIAG_RUNNING_NEVER, (src_span){ t->running, t->len },
				"timer '%.*s' is never started by a STARTTIMER: IF RUNNING %.*s is never true",
				(int)any.len, n, (int)any.len, n);
	}
}

/* W811: a mark that conditions read but no MARK sets (UNMARK alone never sets it). */
static void mark_checks(struct sema *s)
{
	for (size_t i = 0; i < s->markv.n; i++) {
		const struct sema_mark *m = &s->markv.v[i];
		src_span at = { m->read, m->len };
		const char *n = sema_bytes(s, at);

		if (m->set || !m->read)
			continue;
		struct diag_record *r = diag_at(s->dq, DIAG_MARK_NEVER, at,
			"mark '%.*s' is never set by a MARK: every UPS lacks it, so MARKED %.*s is never true "
			"and POWERVAL WITHOUT %.*s sums every UPS", (int)m->len, n, (int)m->len, n, (int)m->len, n);
		diag_note(s->dq, r, 0, at, "set it with MARK %.*s in the clause that decides it (a UPS starts unmarked)",
			  (int)m->len, n);
	}
}

/* W610 for each file holding a password (the plan, or a file it includes) that every user can read. */
static void mode_check(struct sema *s)
{
	struct stat st;

	if (!s->opt || !s->opt->check_file_mode || !s->has_passwords)
		return;
	for (size_t i = 0; i < s->npw_files; i++) {
		const struct src_file *f = s->pw_files[i];

		/* a compiled-in rule file has no mode; the plan (even <stdin> in tests) is checked by name as before */
		if ((f->parent && !f->ino) || stat(f->name, &st) != 0 || !(st.st_mode & S_IROTH))
			continue;
		struct diag_record *r = diag_at(s->dq, DIAG_FILE_MODE, DIAG_FILE_SPAN(f),
			"'%s' holds passwords and every user can read it (mode %04o)",
			f->name, (unsigned)(st.st_mode & 07777));
		diag_note(s->dq, r, 0, DIAG_FILE_SPAN(f),
			  "run: chmod 640 '%s' (owner read-write, the daemon's group read-only)", f->name);
	}
}

#define CERTFILE_CHECKS 256	/* distinct CERTFILEs asked about (each may cost the caller a process) */

/* W611: a CERTFILE the caller's check cannot read, once per path, at its first group. */
static void certfile_read_checks(struct sema *s)
{
	const char *done[CERTFILE_CHECKS];
	size_t ndone = 0;

	for (uint32_t gi = 0; s->opt && s->opt->certfile_check && gi < s->groupv.n; gi++) {
		const struct sema_group *g = &s->groupv.v[gi];
		char msg[1024], fix[1024];
		int seen = 0;

		for (size_t k = 0; g->certfile && k < ndone && !seen; k++)
			seen = strcmp(done[k], g->certfile) == 0;
		if (!g->certfile || seen || ndone == CERTFILE_CHECKS)
			continue;
		done[ndone++] = g->certfile;
		if (s->opt->certfile_check(s->opt->certfile_arg, g->certfile, msg, sizeof(msg), fix, sizeof(fix)) == 0)
			continue;
		struct diag_record *r = diag_at(s->dq, DIAG_CERTFILE_READ, g->certfile_span, "%s", msg);
		if (fix[0])
			diag_note(s->dq, r, 0, g->certfile_span, "%s", fix);
	}
}

void sema_flow_checks(struct sema *s)
{
	group_checks(s);
	cert_checks(s);
	tls_none_checks(s);
	certfile_read_checks(s);
	ups_checks(s);
	timer_checks(s);
	mark_checks(s);
	mode_check(s);
}
