/* SPDX-License-Identifier: GPL-2.0-or-later */
/* tls-pki.h - the certificates of tls-setup: a CA, a server certificate signed by it, PEM and PKCS#12 encodings. */
#ifndef UPSPLAN_TLS_PKI_H
#define UPSPLAN_TLS_PKI_H

#include <stddef.h>

#include <openssl/evp.h>
#include <openssl/x509.h>

/* A key and its certificate (both owned). */
struct tlsp_cert {
	EVP_PKEY *key;
	X509 *cert;
};

/* What kind of name NAME is: TLSP_DNS, TLSP_IP, or TLSP_BAD (not a host name nor an address). */
enum tlsp_kind { TLSP_BAD, TLSP_DNS, TLSP_IP };
enum tlsp_kind tlsp_name_kind(const char *name);

#define TLSP_MAX_DAYS 36500

/*
 * A new EC P-256 key and a self-signed CA certificate (CA:TRUE, keyCertSign)
 * valid for DAYS days, CN "upsplan CA for HOST" (or "upsplan CA" when that
 * is longer than 64 characters); 0, or -1 with the reason in ERR.
 */
int tlsp_make_ca(struct tlsp_cert *ca, const char *host, int days, char *err, size_t errlen);

/*
 * A new EC P-256 key and a server certificate for NAMES[0..N-1] (each
 * TLSP_DNS or TLSP_IP: subjectAltName entries; CN=NAMES[0], or "upsd" when
 * it is longer than 64 characters), signed by CA,
 * valid for DAYS days; 0, or -1 with the reason in ERR.
 */
int tlsp_make_server(struct tlsp_cert *srv, const struct tlsp_cert *ca, const char *const *names, size_t n,
		     int days, char *err, size_t errlen);

/*
 * A new EC P-256 key and a client certificate (clientAuth, CN=CN) signed by
 * CA, valid for DAYS days, for a TLS front end of upsd that wants one;
 * 0, or -1 with the reason in ERR.
 */
int tlsp_make_client(struct tlsp_cert *c, const struct tlsp_cert *ca, const char *cn, int days, char *err,
		     size_t errlen);

void tlsp_free(struct tlsp_cert *c);

/* The CN of CERT into BUF (LEN bytes); 0, or -1 ("" in BUF) when it has none. */
int tlsp_cert_cn(X509 *cert, char *buf, size_t len);

/* PEM texts (malloc'd, *LEN bytes, NUL-terminated), NULL on error: a certificate, a private key (PKCS#8, clear). */
char *tlsp_cert_pem(X509 *cert, size_t *len);
char *tlsp_key_pem(EVP_PKEY *key, size_t *len);

/*
 * A PKCS#12 of SRV's key and certificate (friendly name NICK) and CA's
 * certificate, protected by PASS: malloc'd DER, *LEN bytes; NULL on error.
 */
unsigned char *tlsp_pkcs12(const struct tlsp_cert *srv, const struct tlsp_cert *ca, const char *nick,
			   const char *pass, size_t *len);

/* LEN - 1 random letters and digits into BUF; 0, or -1 when there is no randomness. */
int tlsp_password(char *buf, size_t len);

/* The last OpenSSL error as words (for a message), "unknown error" when there is none. */
const char *tlsp_ssl_error(void);

#endif
