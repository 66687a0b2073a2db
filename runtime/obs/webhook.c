/* SPDX-License-Identifier: GPL-2.0-or-later */
/* webhook.c - Alertmanager's webhook (version 4) received: RFC 3339 times, the body parsed with jansson, the bearer token compared in constant time, the evhttp handler. */
#include "config.h"

#include "runtime/obs/webhook.h"

#include <event2/buffer.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <jansson.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <syslog.h>

#include "base/esc.h"
#include "base/xalloc.h"
#include "runtime/common/monotonic.h"

struct wh {
	int has_token;
	unsigned char digest[32];	/* SHA-256 of the token */
	size_t max_body, max_alerts;
	wh_alert_fn *on_alert;
	void *arg;
	wh_log_fn *log;
	void *log_arg;
	wh_reply_fn *on_reply;
};

/* N digits at S as a number, or -1 */
static int wh_digits(const char *s, int n)
{
	int v = 0;

	while (n-- > 0) {
		if (*s < '0' || *s > '9')
			return -1;
		v = v * 10 + (*s++ - '0');
	}
	return v;
}

/* days from 1970-01-01 to Y-M-D of the proleptic Gregorian calendar */
static long long wh_days(long long y, int m, int d)
{
	long long era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

int wh_time(const char *s, double *t)
{
	static const int mdays[] = { 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	int y, mo, d, h, mi, sec, oh, om, leap;
	double frac = 0, scale = 0.1;
	long off = 0;

	if (s == NULL || strlen(s) < 20 || s[4] != '-' || s[7] != '-' ||
	    (s[10] != 'T' && s[10] != 't') || s[13] != ':' || s[16] != ':')
		return -1;
	y = wh_digits(s, 4);
	mo = wh_digits(s + 5, 2);
	d = wh_digits(s + 8, 2);
	h = wh_digits(s + 11, 2);
	mi = wh_digits(s + 14, 2);
	sec = wh_digits(s + 17, 2);
	if (y < 0 || mo < 1 || mo > 12 || d < 1 || d > mdays[mo - 1] ||
	    h < 0 || h > 23 || mi < 0 || mi > 59 || sec < 0 || sec > 60)
		return -1;
	leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
	if (mo == 2 && d == 29 && !leap)
		return -1;
	s += 19;
	if (*s == '.') {
		if (s[1] < '0' || s[1] > '9')
			return -1;
		for (s++; *s >= '0' && *s <= '9'; s++, scale /= 10)
			frac += (*s - '0') * scale;
	}
	if ((*s == 'Z' || *s == 'z') && s[1] == '\0') {
		off = 0;
	} else if ((*s == '+' || *s == '-') && strlen(s) == 6 && s[3] == ':') {
		oh = wh_digits(s + 1, 2);
		om = wh_digits(s + 4, 2);
		if (oh < 0 || oh > 23 || om < 0 || om > 59)
			return -1;
		off = (oh * 60L + om) * 60L * (*s == '-' ? -1 : 1);
	} else {
		return -1;
	}
	*t = (double)(wh_days(y, mo, d) * 86400LL + h * 3600LL + mi * 60LL + sec - off) + frac;
	return 0;
}

void wh_batch_free(struct wh_batch *b)
{
	json_decref(b->json);
	free(b->alerts);
	free(b->labels);
	memset(b, 0, sizeof(*b));
}

static int __attribute__((format(printf, 3, 4)))
wh_fail(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return -1;
}

/* alert I of B from the JSON object A: 0, or -1 with ERR */
static int wh_alert(struct wh_batch *b, size_t i, json_t *a, double now, size_t *nl, char *err, size_t errlen)
{
	json_t *labels = json_object_get(a, "labels"), *v;
	const char *ends = json_string_value(json_object_get(a, "endsAt")), *key;
	struct wh_alert *w = &b->alerts[i];
	double t;

	if (!json_is_object(a) || !json_is_object(labels))
		return wh_fail(err, errlen, "alert %zu: no \"labels\" object", i + 1);
	w->alertname = json_string_value(json_object_get(labels, "alertname"));
	if (w->alertname == NULL || *w->alertname == '\0')
		return wh_fail(err, errlen, "alert %zu: no labels.alertname string", i + 1);
	if (json_object_size(labels) > WH_MAX_LABELS)
		return wh_fail(err, errlen, "alert %zu: more than %d labels", i + 1, WH_MAX_LABELS);
	if (ends == NULL)
		return wh_fail(err, errlen, "alert %zu (%s): no \"endsAt\" string", i + 1, w->alertname);
	if (wh_time(ends, &t) != 0)
		return wh_fail(err, errlen, "alert %zu (%s): endsAt \"%.40s\" is not an RFC 3339 time",
			       i + 1, w->alertname, ends);
	w->firing = t == WH_ZERO_TIME || t > now;
	w->labels = &b->labels[*nl];
	json_object_foreach(labels, key, v) {
		if (!json_is_string(v))
			return wh_fail(err, errlen, "alert %zu (%s): label \"%.40s\" is not a string",
				       i + 1, w->alertname, key);
		b->labels[*nl].name = key;
		b->labels[*nl].value = json_string_value(v);
		++*nl;
		w->nlabels++;
	}
	return 0;
}

int wh_parse(const char *body, size_t len, double now, size_t max_alerts,
	 struct wh_batch *out, char *err, size_t errlen)
{
	json_error_t jerr;
	json_t *root, *alerts, *a;
	const char *version;
	size_t i, nl = 0, total = 0;

	memset(out, 0, sizeof(*out));
	if (max_alerts == 0)
		max_alerts = WH_MAX_ALERTS;
	root = json_loadb(body, len, JSON_REJECT_DUPLICATES, &jerr);
	if (root == NULL)
		return wh_fail(err, errlen, "not JSON: %s at line %d column %d", jerr.text, jerr.line, jerr.column);
	out->json = root;
	version = json_string_value(json_object_get(root, "version"));
	if (!json_is_object(root) || version == NULL) {
		wh_batch_free(out);
		return wh_fail(err, errlen, "not an Alertmanager webhook body: no \"version\" string");
	}
	if (strcmp(version, "4") != 0) {
		wh_fail(err, errlen, "webhook version \"%.40s\": only \"4\" is known", version);
		wh_batch_free(out);
		return -1;
	}
	alerts = json_object_get(root, "alerts");
	if (!json_is_array(alerts)) {
		wh_batch_free(out);
		return wh_fail(err, errlen, "no \"alerts\" array");
	}
	if (json_array_size(alerts) > max_alerts) {
		wh_fail(err, errlen, "%zu alerts: at most %zu", json_array_size(alerts), max_alerts);
		wh_batch_free(out);
		return -1;
	}
	json_array_foreach(alerts, i, a)
		total += json_object_size(json_object_get(a, "labels"));
	out->n = json_array_size(alerts);
	out->alerts = xcalloc(out->n + 1, sizeof(*out->alerts));
	out->labels = xcalloc(total + 1, sizeof(*out->labels));
	json_array_foreach(alerts, i, a)
		if (wh_alert(out, i, a, now, &nl, err, errlen) != 0) {
			wh_batch_free(out);
			return -1;
		}
	return 0;
}

static void wh_sha256(const char *s, size_t len, unsigned char out[32])
{
	unsigned int n = 32;

	if (EVP_Digest(s, len, out, &n, EVP_sha256(), NULL) != 1)
		xalloc_fail();
}

static int wh_token_ok(const char *s)
{
	if (*s == '\0')
		return 0;
	for (; *s; s++)
		if ((unsigned char)*s <= 0x20 || *s == 0x7f)
			return 0;
	return 1;
}

struct wh *wh_new(const struct wh_cfg *cfg, char *err, size_t errlen)
{
	struct wh *wh;

	if (cfg->token != NULL && !wh_token_ok(cfg->token)) {
		snprintf(err, errlen, "the webhook token is empty or has spaces or control characters");
		return NULL;
	}
	wh = xcalloc(1, sizeof(*wh));
	if (cfg->token != NULL) {
		wh->has_token = 1;
		wh_sha256(cfg->token, strlen(cfg->token), wh->digest);
	}
	wh->max_body = cfg->max_body ? cfg->max_body : WH_MAX_BODY;
	wh->max_alerts = cfg->max_alerts ? cfg->max_alerts : WH_MAX_ALERTS;
	wh->on_alert = cfg->on_alert;
	wh->arg = cfg->arg;
	wh->log = cfg->log;
	wh->log_arg = cfg->log_arg;
	wh->on_reply = cfg->on_reply;
	return wh;
}

void wh_free(struct wh *wh)
{
	if (wh != NULL)
		OPENSSL_cleanse(wh->digest, sizeof(wh->digest));
	free(wh);
}

int wh_bearer_ok(const struct wh *wh, const char *auth)
{
	unsigned char got[32];
	size_t len;
	int ok;

	if (!wh->has_token)
		return 1;
	if (auth == NULL || strncasecmp(auth, "Bearer ", 7) != 0)
		return 0;
	auth += 7;
	auth += strspn(auth, " \t");
	len = strlen(auth);
	while (len > 0 && (auth[len - 1] == ' ' || auth[len - 1] == '\t'))
		len--;
	wh_sha256(auth, len, got);
	ok = CRYPTO_memcmp(got, wh->digest, sizeof(got)) == 0;
	OPENSSL_cleanse(got, sizeof(got));
	return ok;
}

static void wh_answer(const struct wh *wh, struct evhttp_request *req, int code, const char *reason, const char *text)
{
	struct evbuffer *b = evbuffer_new();
	struct evkeyvalq *h = evhttp_request_get_output_headers(req);

	evhttp_add_header(h, "Content-Type", "text/plain; charset=utf-8");
	evhttp_add_header(h, "Cache-Control", "no-store");
	if (b != NULL && text != NULL)
		evbuffer_add_printf(b, "%s\n", text);
	evhttp_send_reply(req, code, reason, b);
	if (b != NULL)
		evbuffer_free(b);
	if (wh->on_reply != NULL)
		wh->on_reply(wh->log_arg, code);
}

/* a refusal: logged (escaped, with the peer) and answered */
static void wh_refuse(const struct wh *wh, struct evhttp_request *req, int code, const char *reason, const char *why)
{
	char esc[600], msg[800];
	struct evhttp_connection *c = evhttp_request_get_connection(req);
	const char *peer = "?";
	ev_uint16_t port = 0;

	if (c != NULL)
		evhttp_connection_get_peer(c, (char **)&peer, &port);
	esc_bytes(esc, sizeof(esc), why, strlen(why), 1);
	if (wh->log != NULL) {
		snprintf(msg, sizeof(msg), "webhook: %s port %u: %d %s: %s", peer, (unsigned)port, code, reason, esc);
		wh->log(wh->log_arg, LOG_WARNING, msg);
	}
	wh_answer(wh, req, code, reason, esc);
}

static int wh_is_json(const char *ct)
{
	size_t n = sizeof("application/json") - 1;

	if (ct == NULL)
		return 0;
	ct += strspn(ct, " \t");
	return strncasecmp(ct, "application/json", n) == 0 &&
	       (ct[n] == '\0' || ct[n] == ';' || ct[n] == ' ' || ct[n] == '\t');
}

void wh_handle(struct evhttp_request *req, void *arg)
{
	struct wh *wh = arg;
	struct evkeyvalq *in = evhttp_request_get_input_headers(req);
	struct evbuffer *body = evhttp_request_get_input_buffer(req);
	struct wh_batch b;
	char err[300];
	size_t len, i;
	const char *data;

	if (evhttp_request_get_command(req) != EVHTTP_REQ_POST) {
		evhttp_add_header(evhttp_request_get_output_headers(req), "Allow", "POST");
		wh_refuse(wh, req, 405, "Method Not Allowed", "POST the webhook body");
		return;
	}
	if (!wh_bearer_ok(wh, evhttp_find_header(in, "Authorization"))) {
		evhttp_add_header(evhttp_request_get_output_headers(req), "WWW-Authenticate",
				  "Bearer realm=\"upsplan\"");
		wh_refuse(wh, req, 401, "Unauthorized",
			  "a bearer token is needed (http_config: authorization: credentials)");
		return;
	}
	if (!wh_is_json(evhttp_find_header(in, "Content-Type"))) {
		wh_refuse(wh, req, 415, "Unsupported Media Type", "Content-Type must be application/json");
		return;
	}
	len = evbuffer_get_length(body);
	if (len > wh->max_body) {
		snprintf(err, sizeof(err), "a body of %zu bytes: at most %zu", len, wh->max_body);
		wh_refuse(wh, req, 413, "Payload Too Large", err);
		return;
	}
	data = (const char *)evbuffer_pullup(body, -1);
	if (wh_parse(data != NULL ? data : "", len, rt_clock(CLOCK_REALTIME), wh->max_alerts, &b, err, sizeof(err)) != 0) {
		wh_refuse(wh, req, 400, "Bad Request", err);
		return;
	}
	for (i = 0; i < b.n; i++)
		if (wh->on_alert != NULL)
			wh->on_alert(wh->arg, &b.alerts[i]);
	wh_batch_free(&b);
	wh_answer(wh, req, 200, "OK", NULL);
}
