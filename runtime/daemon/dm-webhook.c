/* SPDX-License-Identifier: GPL-2.0-or-later */
/* dm-webhook.c - upsplan run --webhook: the token and certificate read as the monitoring user, the hardened listener (HTTP or HTTPS) on POST /hook, each alert of a notification run through eng_alert() as the daemon's other events are. */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>

#include <openssl/crypto.h>

#include "base/source.h"
#include "base/xalloc.h"
#include "engine/engine.h"
#include "runtime/common/file-access.h"
#include "runtime/daemon/daemon-int.h"
#include "runtime/daemon/dm-metrics.h"
#include "runtime/daemon/dm-webhook.h"
#include "runtime/daemon/log.h"
#include "runtime/daemon/tls.h"
#include "runtime/daemon/workdir.h"
#include "runtime/obs/httpd.h"
#include "runtime/obs/webhook.h"

/* Bytes of a token file read (the token is its first line). */
#define WH_TOKEN_MAX 4096
/* Refusals logged a minute at most; the others are counted only (upsplan_webhook_requests_total). */
#define WH_LOG_BURST 20
/* Connections at once: Alertmanager sends a few; each may hold up to 2 x WH_MAX_BODY. */
#define WH_MAX_CONNS 16

struct dm_webhook {
	struct hs_server *hs;
	struct wh *wh;
	double window;		/* monotonic start of the minute of refusals counted */
	unsigned logged;	/* refusals logged in it */
	int told;		/* the rest of it not logged: said once */
};

/* The log of webhook.c (refusals at warning, each escaped already): at most WH_LOG_BURST a minute. */
static void wh_log(void *arg, int level, const char *msg)
{
	struct daemon *d = arg;
	struct dm_webhook *w = d->wh;
	double now = rt_monotonic();

	if (level > LOG_WARNING) {
		log_msg(level, "%s", msg);
		return;
	}
	if (now - w->window >= 60) {
		w->window = now;
		w->logged = 0;
		w->told = 0;
	}
	if (w->logged < WH_LOG_BURST) {
		w->logged++;
		log_msg(level, "%s", msg);
	} else if (!w->told) {
		w->told = 1;
		log_msg(LOG_WARNING, "--webhook: more than %d refusals this minute: the others are not logged "
			"(upsplan_webhook_requests_total counts them)", WH_LOG_BURST);
	}
}

static void wh_reply(void *arg, int code)
{
	dm_mx_webhook_request(arg, code);
}

/* One alert of an accepted notification: the plan's WHEN ALERT rules, when it starts or ends. */
static void wh_alert(void *arg, const struct wh_alert *a)
{
	struct daemon *d = arg;
	const char *state = a->firing ? "firing" : "resolved";
	char name[160];

	log_esc(name, sizeof(name), a->alertname, strlen(a->alertname));	/* the sender's bytes */
	if (d->exiting || dm_halted(d)) {
		log_msg(LOG_NOTICE, "alert %s %s ignored: the daemon is %s", name, state,
			d->exiting ? "stopping" : "out of upsd after a SHUTDOWNCMD (SHUTDOWNEXIT)");
		dm_mx_webhook_alert(d, "ignored");
		return;
	}
	switch (eng_alert(&d->p->eng, a->alertname, strlen(a->alertname), a->firing, dm_now(d))) {
	case ENG_ALERT_RAN:
		log_msg(LOG_NOTICE, "alert %s %s: the plan's rules ran", name, state);
		dm_mx_webhook_alert(d, "ran");
		dm_ran(d);
		break;
	case ENG_ALERT_SAME:
		log_debug(1, "alert %s %s: no change (it was %s already): nothing runs", name, state, state);
		dm_mx_webhook_alert(d, "same");
		break;
	default:
		log_debug(1, "alert %s %s: no WHEN ALERT rule of the plan names it: ignored", name, state);
		dm_mx_webhook_alert(d, "unknown");
		break;
	}
}

/*
 * The bearer token: the first line of PATH, read as this process's user
 * (no FIFO waited on), into a new string (NULL: logged with the fix).
 */
static char *wh_token(const char *path)
{
	char why[600], who[160], msg[600], fix[600], abs[PATH_MAX], *text, *tok;
	size_t len;

	path = wd_resolve(path, abs, sizeof(abs));
	text = src_read_file(path, WH_TOKEN_MAX, &len, NULL, why, sizeof(why));
	if (!text) {
		int e = errno;
		switch (fa_explain("--webhook-token-file", path, fa_who(who, sizeof(who)), FA_SECRET, e, msg, sizeof(msg), fix,
				   sizeof(fix))) {
		case ENOENT:
			log_msg(LOG_ERR, "%s: write the token alone on the first line of a file (the one Alertmanager's "
				"credentials_file names) and give that file", msg);
			break;
		case EACCES:
		case EINVAL:
			log_msg(LOG_ERR, "%s%s%s", msg, fix[0] ? ": " : "", fix);
			break;
		default:
			log_msg(LOG_ERR, "--webhook-token-file %s cannot be read: %s", path, why);
		}
		return NULL;
	}
	text[strcspn(text, "\n")] = '\0';
	len = strlen(text);
	if (len > 0 && text[len - 1] == '\r')
		text[len - 1] = '\0';
	tok = xstrdup(text);
	OPENSSL_cleanse(text, len);
	free(text);
	return tok;
}

static void wh_free_tok(char *tok)
{
	if (tok)
		OPENSSL_cleanse(tok, strlen(tok));
	free(tok);
}

int dm_wh_start(struct daemon *d)
{
	const struct dm_options *o = d->o;
	struct hs_limits lim = { 8192, 2 * WH_MAX_BODY, 10.0, WH_MAX_CONNS };	/* evhttp's cap above wh_handle's 413 */
	struct wh_cfg cfg;
	struct hs_addr a;
	SSL_CTX *ctx = NULL;
	char err[1600], *tok = NULL;

	if (!o->webhook || o->check_only)
		return 0;
	if (hs_parse_addr(o->webhook, &a, err, sizeof(err)) != 0) {
		log_msg(LOG_ERR, "--webhook: %s", err);
		return -1;
	}
	if (!o->webhook_token_file) {	/* upsplan run refuses it first (cmd-run.c) */
		log_msg(LOG_ERR, "--webhook without --webhook-token-file: the plan's alert rules would run for any poster");
		return -1;
	}
	if (!(tok = wh_token(o->webhook_token_file)))
		return -1;
	if (o->webhook_cert &&
	    !(ctx = tls_server_ctx_new(o->webhook_cert, o->webhook_key, "--webhook-cert", "--webhook-key", err, sizeof(err)))) {
		log_msg(LOG_ERR, "--webhook: %s", err);
		wh_free_tok(tok);
		return -1;
	}
	memset(&cfg, 0, sizeof(cfg));
	cfg.token = tok;
	cfg.on_alert = wh_alert;
	cfg.arg = d;
	cfg.log = wh_log;
	cfg.log_arg = d;
	cfg.on_reply = wh_reply;
	d->wh = xcalloc(1, sizeof(*d->wh));
	d->wh->window = rt_monotonic();
	d->wh->wh = wh_new(&cfg, err, sizeof(err));
	wh_free_tok(tok);	/* the receiver keeps its digest only */
	if (!d->wh->wh) {
		log_msg(LOG_ERR, "--webhook-token-file %s: its first line is the token: %s (write the token alone on it)",
			o->webhook_token_file, err);
		goto fail;
	}
	d->wh->hs = hs_new(d->base, &a, &lim, "--webhook", err, sizeof(err));
	if (!d->wh->hs) {
		log_msg(LOG_ERR, "%s", err);
		goto fail;
	}
	if (ctx)
		hs_set_tls(d->wh->hs, ctx);
	SSL_CTX_free(ctx);	/* the listener holds its reference */
	ctx = NULL;
	/* every method reaches wh_handle, which answers 405 with Allow: POST */
	hs_route(d->wh->hs, DM_WH_PATH, EVHTTP_REQ_GET | EVHTTP_REQ_HEAD | EVHTTP_REQ_POST | EVHTTP_REQ_PUT | EVHTTP_REQ_DELETE |
		 EVHTTP_REQ_OPTIONS | EVHTTP_REQ_TRACE | EVHTTP_REQ_CONNECT | EVHTTP_REQ_PATCH, wh_handle, d->wh->wh);
	log_msg(LOG_NOTICE, "--webhook: receiving Alertmanager's notifications on %s://%s%s (%s)", o->webhook_cert ? "https" : "http",
		a.text, DM_WH_PATH, "a bearer token required");
	return 0;
fail:
	SSL_CTX_free(ctx);
	dm_wh_stop(d);
	return -1;
}

void dm_wh_stop(struct daemon *d)
{
	if (!d->wh)
		return;
	hs_free(d->wh->hs);
	wh_free(d->wh->wh);
	free(d->wh);
	d->wh = NULL;
}
