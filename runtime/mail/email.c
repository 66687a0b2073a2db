/* SPDX-License-Identifier: GPL-2.0-or-later */
/* email.c - EMAIL actions: send the message (message.c) over SMTP with libcurl, TLS required and verified. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#include <curl/curl.h>

#include "runtime/mail/email.h"
#include "runtime/mail/message.h"
#include "runtime/common/monotonic.h"

#define EMAIL_DEFAULT_TIMEOUT 60.0	/* seconds, when the caller gives no positive timeout */

/* What the SMTP client last asked for: names the step that a failure belongs to. */
enum email_stage {
	EMAIL_STAGE_CONNECT,
	EMAIL_STAGE_EHLO,
	EMAIL_STAGE_STARTTLS,
	EMAIL_STAGE_AUTH,
	EMAIL_STAGE_MAIL,
	EMAIL_STAGE_RCPT,
	EMAIL_STAGE_DATA,
	EMAIL_STAGE_END		/* the whole message was handed over: waiting for its acceptance */
};

/* State of one transfer, shared with the libcurl callbacks. */
struct email_xfer {
	const char *msg;
	size_t len, off;
	enum email_stage stage;
	char reply[200];	/* the server's last reply line before QUIT, printable ASCII only */
	int quit;		/* QUIT was sent: later replies are not kept */
	double deadline;	/* rt_monotonic() value at which the transfer is abandoned */
};

/* libcurl read callback: hands over the prepared message. */
static size_t email_read(char *buf, size_t size, size_t nitems, void *arg)
{
	struct email_xfer *x = arg;
	size_t n = size * nitems, left = x->len - x->off;

	if (n > left)
		n = left;
	memcpy(buf, x->msg + x->off, n);
	x->off += n;
	if (x->off == x->len)
		x->stage = EMAIL_STAGE_END;
	return n;
}

/* libcurl progress callback: abandons the transfer at the deadline. */
static int email_progress(void *arg, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal, curl_off_t ulnow)
{
	const struct email_xfer *x = arg;

	(void)dltotal;
	(void)dlnow;
	(void)ultotal;
	(void)ulnow;
	return rt_monotonic() >= x->deadline;
}

static int email_starts(const char *data, size_t size, const char *word)
{
	size_t n = strlen(word);

	return size >= n && strncasecmp(data, word, n) == 0;
}

/* libcurl debug callback: remembers the last command's step and the last reply line; nothing else is kept. */
static int email_debug(CURL *h, curl_infotype type, char *data, size_t size, void *arg)
{
	struct email_xfer *x = arg;
	size_t i, start, end, o = 0;

	(void)h;
	if (type == CURLINFO_HEADER_OUT) {
		if (email_starts(data, size, "EHLO ") || email_starts(data, size, "HELO "))
			x->stage = EMAIL_STAGE_EHLO;
		else if (email_starts(data, size, "STARTTLS\r\n"))
			x->stage = EMAIL_STAGE_STARTTLS;
		else if (email_starts(data, size, "AUTH "))
			x->stage = EMAIL_STAGE_AUTH;
		else if (email_starts(data, size, "MAIL FROM:"))
			x->stage = EMAIL_STAGE_MAIL;
		else if (email_starts(data, size, "RCPT TO:"))
			x->stage = EMAIL_STAGE_RCPT;
		else if (email_starts(data, size, "DATA\r\n"))
			x->stage = EMAIL_STAGE_DATA;
		else if (email_starts(data, size, "QUIT\r\n"))
			x->quit = 1;
		return 0;
	}
	if (type != CURLINFO_HEADER_IN || x->quit)
		return 0;
	end = size;
	while (end && (data[end - 1] == '\r' || data[end - 1] == '\n'))
		end--;
	if (!end)
		return 0;
	for (start = end; start && data[start - 1] != '\n'; start--)
		;
	for (i = start; i < end && o + 1 < sizeof x->reply; i++)
		x->reply[o++] = data[i] >= ' ' && data[i] < 0x7f ? data[i] : '?';
	x->reply[o] = '\0';
	return 0;
}

/* Check the host name and write the URL of the server into URL. */
static int email_url(const struct email_server *s, char *url, size_t len, char *err, size_t errlen)
{
	const char *h = s->host;
	size_t i, n = h ? strlen(h) : 0;
	int v6 = 0;
	char ehlo[256] = "";

	if (n == 0 || n > 253) {
		email_error(err, errlen, "invalid SMTP host name");
		return -1;
	}
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)h[i];

		if (c == ':')
			v6 = 1;
		else if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
			   || c == '.' || c == '-' || c == '_' || c >= 0x80
			   || ((c == '[' || c == ']') && h[0] == '[' && h[n - 1] == ']'))) {
			email_error(err, errlen, "invalid SMTP host name \"%.64s\"", h);
			return -1;
		}
	}
	if (s->port == 0 || s->port > 65535) {
		email_error(err, errlen, "%s: invalid SMTP port %u", h, s->port);
		return -1;
	}
	/* the URL's path is the EHLO name: this host's name when it is a plain one */
	if (gethostname(ehlo, sizeof ehlo - 1) == 0) {
		ehlo[sizeof ehlo - 1] = '\0';
		if (strspn(ehlo, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-") != strlen(ehlo))
			ehlo[0] = '\0';
	} else {
		ehlo[0] = '\0';
	}
	v6 = v6 && h[0] != '[';
	snprintf(url, len, "%s://%s%s%s:%u/%s", s->implicit_tls ? "smtps" : "smtp", v6 ? "[" : "", h,
		 v6 ? "]" : "", s->port, ehlo);
	return 0;
}

/* The one-line reason of a failed transfer. */
static void email_explain(const struct email_server *s, double timeout, CURLcode rc, long code,
			  const char *errbuf, const struct email_xfer *x, char *err, size_t errlen)
{
	const char *why = errbuf[0] ? errbuf : curl_easy_strerror(rc);
	char detail[sizeof x->reply + 16];
	int refused = code >= 400 || x->reply[0] == '4' || x->reply[0] == '5';

	if (x->reply[0] >= '0' && x->reply[0] <= '9')
		snprintf(detail, sizeof detail, "%s", x->reply);
	else if (code)
		snprintf(detail, sizeof detail, "%ld", code);
	else
		snprintf(detail, sizeof detail, "%s", why);
	switch (rc) {
	case CURLE_OPERATION_TIMEDOUT:
	case CURLE_ABORTED_BY_CALLBACK:
		email_error(err, errlen, "%s:%u: timed out after %g s", s->host, s->port, timeout);
		return;
	case CURLE_PEER_FAILED_VERIFICATION:
		email_error(err, errlen, "%s:%u: certificate verify failed: %s", s->host, s->port, why);
		return;
	case CURLE_SSL_CACERT_BADFILE:
		email_error(err, errlen, "%s:%u: cannot use CA file %s: %s", s->host, s->port,
			    s->cafile ? s->cafile : "(system)", why);
		return;
	case CURLE_SSL_CONNECT_ERROR:
		email_error(err, errlen, "%s:%u: TLS handshake failed: %s", s->host, s->port, why);
		return;
	case CURLE_COULDNT_RESOLVE_HOST:
	case CURLE_COULDNT_CONNECT:
		email_error(err, errlen, "%s:%u: cannot connect: %s", s->host, s->port, why);
		return;
	case CURLE_LOGIN_DENIED:
		email_error(err, errlen, "%s:%u: authentication failed (%s)", s->host, s->port, detail);
		return;
	case CURLE_USE_SSL_FAILED:
		if (x->stage == EMAIL_STAGE_STARTTLS)
			email_error(err, errlen, "%s:%u: STARTTLS refused (%s)", s->host, s->port, detail);
		else
			email_error(err, errlen, "%s:%u: STARTTLS refused (not offered by the server; nothing sent)",
				    s->host, s->port);
		return;
	default:
		break;
	}
	if (refused && x->stage == EMAIL_STAGE_AUTH)
		email_error(err, errlen, "%s:%u: authentication failed (%s)", s->host, s->port, detail);
	else if (refused && x->stage == EMAIL_STAGE_MAIL)
		email_error(err, errlen, "%s:%u: sender refused (%s)", s->host, s->port, detail);
	else if (refused && x->stage == EMAIL_STAGE_RCPT)
		email_error(err, errlen, "%s:%u: recipient refused (%s)", s->host, s->port, detail);
	else if (refused && x->stage == EMAIL_STAGE_DATA)
		email_error(err, errlen, "%s:%u: DATA refused (%s)", s->host, s->port, detail);
	else if (refused && x->stage == EMAIL_STAGE_END)
		email_error(err, errlen, "%s:%u: message refused (%s)", s->host, s->port, detail);
	else if (x->reply[0])
		email_error(err, errlen, "%s:%u: %s (last reply: %s)", s->host, s->port, why, x->reply);
	else
		email_error(err, errlen, "%s:%u: %s", s->host, s->port, why);
}

/* Set up handle H for one transfer; the first failing option's code. */
static CURLcode email_setup(CURL *h, const struct email_server *s, const char *url, double timeout,
			    const char *mail_from, struct curl_slist *rcpt, struct email_xfer *x, char *errbuf)
{
	double t = timeout * 1000.0;
	long ms = t < 1.0 ? 1L : t > 86400000.0 ? 86400000L : (long)t;
	CURLcode rc = CURLE_OK;

#define EMAIL_SET(opt, val) do { if (rc == CURLE_OK) rc = curl_easy_setopt(h, opt, val); } while (0)
	EMAIL_SET(CURLOPT_ERRORBUFFER, errbuf);
	EMAIL_SET(CURLOPT_URL, url);
#if LIBCURL_VERSION_NUM >= 0x075500
	EMAIL_SET(CURLOPT_PROTOCOLS_STR, "smtp,smtps");
#else
	EMAIL_SET(CURLOPT_PROTOCOLS, (long)(CURLPROTO_SMTP | CURLPROTO_SMTPS));
#endif
	EMAIL_SET(CURLOPT_PROXY, "");
	EMAIL_SET(CURLOPT_NOSIGNAL, 1L);
	if (!s->implicit_tls)
		EMAIL_SET(CURLOPT_USE_SSL, (long)CURLUSESSL_ALL);
	EMAIL_SET(CURLOPT_SSLVERSION, (long)CURL_SSLVERSION_TLSv1_2);
	EMAIL_SET(CURLOPT_SSL_VERIFYPEER, 1L);
	EMAIL_SET(CURLOPT_SSL_VERIFYHOST, 2L);
	if (s->cafile) {
		EMAIL_SET(CURLOPT_CAINFO, s->cafile);
		EMAIL_SET(CURLOPT_CAPATH, (char *)NULL);
	}
	EMAIL_SET(CURLOPT_TIMEOUT_MS, ms);
	EMAIL_SET(CURLOPT_CONNECTTIMEOUT_MS, ms);
	/*
	 * CURLOPT_TIMEOUT does not cover the wait for the reply to QUIT: close
	 * the connection within curl_easy_perform() (not later, in
	 * curl_easy_cleanup(), by a handle with default settings), bound that
	 * wait, and end it at the deadline from the progress callback.
	 */
	EMAIL_SET(CURLOPT_FORBID_REUSE, 1L);
	EMAIL_SET(CURLOPT_SERVER_RESPONSE_TIMEOUT, ms / 1000 + 1);
	EMAIL_SET(CURLOPT_NOPROGRESS, 0L);
	EMAIL_SET(CURLOPT_XFERINFOFUNCTION, email_progress);
	EMAIL_SET(CURLOPT_XFERINFODATA, x);
	if (s->user) {
		EMAIL_SET(CURLOPT_USERNAME, s->user);
		EMAIL_SET(CURLOPT_PASSWORD, s->password ? s->password : "");
	}
	EMAIL_SET(CURLOPT_MAIL_FROM, mail_from);
	EMAIL_SET(CURLOPT_MAIL_RCPT, rcpt);
	EMAIL_SET(CURLOPT_UPLOAD, 1L);
	EMAIL_SET(CURLOPT_READFUNCTION, email_read);
	EMAIL_SET(CURLOPT_READDATA, x);
	EMAIL_SET(CURLOPT_DEBUGFUNCTION, email_debug);
	EMAIL_SET(CURLOPT_DEBUGDATA, x);
	EMAIL_SET(CURLOPT_VERBOSE, 1L);
#undef EMAIL_SET
	return rc;
}

/* "<addr>" of entry A, allocated; NULL when out of memory. */

int email_send(const struct email_server *s, const char *from, const char *to, const char *subject,
	       const char *body, time_t now, char *err, size_t errlen)
{
	struct email_list fl = { 0 }, tl = { 0 };
	struct email_buf msg = { 0 };
	struct email_xfer x = { 0 };
	struct curl_slist *rcpt = NULL, *l;
	char url[600], errbuf[CURL_ERROR_SIZE] = "", *mail_from = NULL, *r;
	double timeout = s && s->timeout > 0 && s->timeout < 1e6 ? s->timeout : EMAIL_DEFAULT_TIMEOUT;
	CURL *h = NULL;
	CURLcode rc;
	curl_socket_t sock;
	long code = 0;
	size_t i;
	int ret = -1;

	if (err && errlen)
		err[0] = '\0';
	if (!s) {
		email_error(err, errlen, "no SMTP server");
		return -1;
	}
	if (email_check_text("From", from, err, errlen) || email_check_text("To", to, err, errlen)
	    || email_check_text("Subject", subject, err, errlen)
	    || email_parse_list("From", from, 1, &fl, err, errlen)
	    || email_parse_list("To", to, 0, &tl, err, errlen)
	    || email_url(s, url, sizeof url, err, errlen))
		goto out;
	if (email_build(&msg, &fl.v[0], &tl, subject, body, now)) {
		email_error(err, errlen, "cannot build the mail (out of memory or bad date)");
		goto out;
	}
	mail_from = email_bracket(&fl.v[0]);
	if (!mail_from)
		goto oom;
	for (i = 0; i < tl.n; i++) {
		r = email_bracket(&tl.v[i]);
		l = r ? curl_slist_append(rcpt, r) : NULL;
		free(r);
		if (!l)
			goto oom;
		rcpt = l;
	}
	h = curl_easy_init();
	if (!h) {
		email_error(err, errlen, "%s:%u: cannot initialise libcurl", s->host, s->port);
		goto out;
	}
	x.msg = msg.p;
	x.len = msg.len;
	x.stage = EMAIL_STAGE_CONNECT;
	x.deadline = rt_monotonic() + timeout;
	rc = email_setup(h, s, url, timeout, mail_from, rcpt, &x, errbuf);
	if (rc != CURLE_OK) {
		email_error(err, errlen, "%s:%u: libcurl cannot be set up: %s", s->host, s->port,
			    errbuf[0] ? errbuf : curl_easy_strerror(rc));
		goto out;
	}
	rc = curl_easy_perform(h);
	if (rc == CURLE_OK) {
		ret = 0;
		goto out;
	}
	if (curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &code) != CURLE_OK)
		code = 0;
	email_explain(s, timeout, rc, code, errbuf, &x, err, errlen);
	/* nothing more to say to a failing server: without this, the QUIT sent by curl_easy_cleanup()
	   would wait up to libcurl's own response timeout (120 s), whatever CURLOPT_TIMEOUT says */
	if (curl_easy_getinfo(h, CURLINFO_ACTIVESOCKET, &sock) == CURLE_OK && sock != CURL_SOCKET_BAD)
		shutdown(sock, SHUT_RDWR);
	goto out;
oom:
	email_error(err, errlen, "out of memory");
out:
	if (h)
		curl_easy_cleanup(h);
	curl_slist_free_all(rcpt);
	free(mail_from);
	free(msg.p);
	free(fl.v);
	free(tl.v);
	return ret;
}

void email_global_init(void)
{
	static int done;

	if (!done && curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK)
		done = 1;
}
