/* SPDX-License-Identifier: GPL-2.0-or-later */
/* tls.h - TLS for upsd connections with OpenSSL 3: contexts per group, name checks, readable failure reasons; the server context of the webhook listener. */
#ifndef UPSPLAN_TLS_H
#define UPSPLAN_TLS_H

#include <stddef.h>

#include <openssl/ssl.h>

/*
 * A client context trusting only the certificates of CAFILE (the group's
 * CERTFILE), TLS 1.2 at least, peer verification on; with CERT (and KEY,
 * or the key in CERT when KEY is NULL or empty) presented to servers that
 * ask for a client certificate.  Returns NULL with the reason in ERR.
 */
SSL_CTX *tls_ctx_new(const char *cafile, const char *cert, const char *key, char *err, size_t errlen);

/*
 * A server context: TLS 1.2 at least, no renegotiation, presenting the
 * certificate chain of CERT (PEM: the certificate, then its
 * intermediates) with the private key KEY, named CERT_WHAT and KEY_WHAT
 * in messages ("--webhook-cert").  Read as tls_ctx_new() reads its
 * files.  NULL with the reason and the fix in ERR.
 */
SSL_CTX *tls_server_ctx_new(const char *cert, const char *key, const char *cert_what, const char *key_what,
			    char *err, size_t errlen);

/*
 * A connection object of CTX for a server that must prove the name NAME
 * (a host name, checked against its DNS names, and sent as SNI; or an IP
 * address, checked against its IP addresses); DIRECT: TLS DIRECT, else
 * after STARTTLS (for the messages).  Returns NULL with the reason in ERR.
 */
SSL *tls_new(SSL_CTX *ctx, const char *name, int direct, char *err, size_t errlen);

/* SSL's handshake is done and verified: release what it no longer needs (the certificates the server sent beyond its own). */
void tls_settle(SSL *ssl);

/* 1 when the server of SSL asked to renegotiate (refused: SSL_OP_NO_RENEGOTIATION). */
int tls_asked_reneg(SSL *ssl);

/*
 * Why the TLS session SSL failed, in words with the fix: a renegotiation
 * the server asked for; the certificate verification result when it
 * failed ("certificate has expired" with the certificate's dates, "IP
 * address mismatch" with the names it carries and the one asked for, an
 * unknown issuer with its name and the CERTFILE); an answer in clear
 * (OpenSSL's "wrong version number"); else the OpenSSL error ERRCODE (0:
 * none) as text, else FALLBACK.  Text of the server's certificate and
 * bytes it sent are escaped (log_esc()).
 */
void tls_failure(SSL *ssl, unsigned long errcode, const char *fallback, char *out, size_t outlen);

/* What a failed TLS handshake met, for the metrics (upsplan_tls_handshake_failures_total's reason). */
enum tls_fail_kind { TLS_FAIL_CERTIFICATE, TLS_FAIL_NOT_TLS, TLS_FAIL_ALERT, TLS_FAIL_CLOSED, TLS_FAIL_TIMEOUT, TLS_FAIL_OTHER,
		     TLS_FAIL_KINDS };
/* The kind of the failure described by WHY (a message of tls_failure() or of the connection's time-out). */
enum tls_fail_kind tls_fail_kind(const char *why);
/* Its name: certificate, not_tls, alert, closed, timeout, other. */
const char *tls_fail_kind_name(enum tls_fail_kind k);

/* 1 when NAME is an IPv4 or IPv6 address (brackets allowed), 0 for a host name. */
int tls_is_address(const char *name);

#endif
