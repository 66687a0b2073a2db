/* SPDX-License-Identifier: GPL-2.0-or-later */
/* email.h - send the mail of an EMAIL action over SMTP (implicit TLS or required STARTTLS) with libcurl. */
#ifndef UPSPLAN_EMAIL_H
#define UPSPLAN_EMAIL_H

#include <stddef.h>
#include <time.h>

struct email_server {
	const char *host;	/* SMTP server name or address */
	unsigned port;		/* 465: implicit TLS (smtps); anything else: plain connect then STARTTLS, required */
	int implicit_tls;	/* set by the caller when port == 465; honour this flag, not the port */
	const char *user, *password;	/* NULL: no AUTH */
	const char *cafile;	/* NULL: system CA store; else a PEM file used instead */
	double timeout;		/* whole-transfer limit in seconds (also connect limit) */
};

/*
 * Send one mail; 0 on success, else -1 with a one-line reason in err (e.g.
 * "smtp.example.org:587: STARTTLS refused", "...: authentication failed
 * (535 ...)", "...: recipient refused (550 ...)", "...: timed out after
 * 30 s", "...: certificate verify failed: ...").
 *
 * FROM is one address, TO one or more separated by commas, each either
 * "Name <addr>", "<addr>" or a bare "addr"; the envelope addresses are
 * taken from them.  A FROM, TO or SUBJECT holding CR or LF, or an address
 * that is empty or holds blanks, '<' or '>', is refused before connecting.
 * BODY may be empty; its line endings become CRLF.  NOW dates the mail.
 * The server's certificate is always verified, and credentials are only
 * ever sent over TLS.  Meant to run in a child process: it blocks for up
 * to s->timeout seconds.
 */
int email_send(const struct email_server *s, const char *from, const char *to, const char *subject,
	       const char *body, time_t now, char *err, size_t errlen);

/* curl_global_init once, at daemon start before any thread/fork. */
void email_global_init(void);

#endif
