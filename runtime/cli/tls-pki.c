/* SPDX-License-Identifier: GPL-2.0-or-later */
/* tls-pki.c - the certificates of tls-setup, made with the OpenSSL 3 library in process: a CA, upsd's certificate, PEM and PKCS#12. */
#include "config.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/pkcs12.h>
#include <openssl/rand.h>
#include <openssl/x509v3.h>

#include "runtime/cli/tls-pki.h"

const char *tlsp_ssl_error(void)
{
	static char buf[256];
	unsigned long e = ERR_peek_last_error();

	if (!e)
		return "unknown error";
	ERR_error_string_n(e, buf, sizeof(buf));
	ERR_clear_error();
	return buf;
}

enum tlsp_kind tlsp_name_kind(const char *name)
{
	unsigned char addr[16];
	size_t len = strlen(name), label = 0;

	if (inet_pton(AF_INET, name, addr) == 1 || inet_pton(AF_INET6, name, addr) == 1)
		return TLSP_IP;
	/* a DNS name: labels of 1 to 63 letters, digits and '-', not starting or ending with '-' */
	if (len == 0 || len > 253)
		return TLSP_BAD;
	for (size_t i = 0; i <= len; i++) {
		char c = name[i];

		if (c == '.' || c == '\0') {
			if (label == 0 || label > 63 || name[i - 1] == '-')
				return TLSP_BAD;
			label = 0;
			continue;
		}
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-'))
			return TLSP_BAD;
		if (c == '-' && label == 0)
			return TLSP_BAD;
		label++;
	}
	/* all digits and dots would be an address that inet_pton refused (e.g. 300.1.1.1) */
	if (strspn(name, "0123456789.") == len)
		return TLSP_BAD;
	return TLSP_DNS;
}

int tlsp_password(char *buf, size_t len)
{
	static const char set[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
	unsigned char r;
	size_t i = 0;

	while (i + 1 < len) {
		if (RAND_bytes(&r, 1) != 1)
			return -1;
		if (r >= 248)
			continue;	/* 248 = 4 * 62: no bias */
		buf[i++] = set[r % 62];
	}
	buf[i] = '\0';
	return 0;
}

static EVP_PKEY *tlsp_new_key(void)
{
	return EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
}

/* a random positive serial of 127 bits */
static int tlsp_serial(X509 *x)
{
	BIGNUM *bn = BN_new();
	int ok = bn && BN_rand(bn, 127, BN_RAND_TOP_ONE, BN_RAND_BOTTOM_ANY) == 1 &&
		 BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(x)) != NULL;

	BN_free(bn);
	return ok ? 0 : -1;
}

/* version 3, serial, validity (from 5 minutes ago: clocks differ), subject with O=upsplan, key */
static X509 *tlsp_new_cert(EVP_PKEY *key, const char *cn, int days)
{
	X509 *x = X509_new();
	X509_NAME *name;

	if (!x || X509_set_version(x, X509_VERSION_3) != 1 || tlsp_serial(x) != 0 ||
	    !X509_gmtime_adj(X509_getm_notBefore(x), -300) ||
	    !X509_time_adj_ex(X509_getm_notAfter(x), days, 0, NULL) || X509_set_pubkey(x, key) != 1)
		goto fail;
	name = X509_get_subject_name(x);
	if (X509_NAME_add_entry_by_txt(name, "O", MBSTRING_UTF8, (const unsigned char *)"upsplan", -1, -1, 0) != 1 ||
	    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8, (const unsigned char *)cn, -1, -1, 0) != 1)
		goto fail;
	return x;
fail:
	X509_free(x);
	return NULL;
}

/* add the extension NID with the OpenSSL config text VALUE, issued by ISSUER */
static int tlsp_ext(X509 *x, X509 *issuer, int nid, const char *value)
{
	X509V3_CTX ctx;
	X509_EXTENSION *ext;
	int ok;

	X509V3_set_ctx(&ctx, issuer, x, NULL, NULL, 0);
	ext = X509V3_EXT_conf_nid(NULL, &ctx, nid, value);
	if (!ext)
		return -1;
	ok = X509_add_ext(x, ext, -1);
	X509_EXTENSION_free(ext);
	return ok == 1 ? 0 : -1;
}

#define TLSP_CN_MAX 64	/* RFC 5280's ub-common-name */

/* PREFIX HOST as a CN, or FIXED when that is longer than TLSP_CN_MAX (a cut name would look like another) */
static void tlsp_cn(char *buf, size_t len, const char *prefix, const char *host, const char *fixed)
{
	if (strlen(prefix) + strlen(host) <= TLSP_CN_MAX)
		snprintf(buf, len, "%s%s", prefix, host);
	else
		snprintf(buf, len, "%s", fixed);
}

int tlsp_cert_cn(X509 *cert, char *buf, size_t len)
{
	buf[0] = '\0';
	return X509_NAME_get_text_by_NID(X509_get_subject_name(cert), NID_commonName, buf, (int)len) < 0 ? -1 : 0;
}

int tlsp_make_ca(struct tlsp_cert *ca, const char *host, int days, char *err, size_t errlen)
{
	char cn[80];

	ca->cert = NULL;
	ca->key = tlsp_new_key();
	if (!ca->key) {
		snprintf(err, errlen, "cannot make the CA's key: %s", tlsp_ssl_error());
		return -1;
	}
	tlsp_cn(cn, sizeof(cn), "upsplan CA for ", host, "upsplan CA");
	ca->cert = tlsp_new_cert(ca->key, cn, days);
	if (!ca->cert || X509_set_issuer_name(ca->cert, X509_get_subject_name(ca->cert)) != 1 ||
	    tlsp_ext(ca->cert, ca->cert, NID_basic_constraints, "critical,CA:TRUE,pathlen:0") != 0 ||
	    tlsp_ext(ca->cert, ca->cert, NID_key_usage, "critical,keyCertSign,cRLSign") != 0 ||
	    tlsp_ext(ca->cert, ca->cert, NID_subject_key_identifier, "hash") != 0 ||
	    X509_sign(ca->cert, ca->key, EVP_sha256()) <= 0) {
		snprintf(err, errlen, "cannot make the CA certificate: %s", tlsp_ssl_error());
		tlsp_free(ca);
		return -1;
	}
	return 0;
}

/* a key and a certificate signed by CA: CN, extended key usage EKU, subjectAltName SAN (NULL: none) */
static int tlsp_make_leaf(struct tlsp_cert *c, const struct tlsp_cert *ca, const char *cn, const char *eku,
			  const char *san, int days, const char *what, char *err, size_t errlen)
{
	int bad;

	c->cert = NULL;
	c->key = tlsp_new_key();
	if (!c->key) {
		snprintf(err, errlen, "cannot make %s key: %s", what, tlsp_ssl_error());
		return -1;
	}
	c->cert = tlsp_new_cert(c->key, cn, days);
	bad = !c->cert || X509_set_issuer_name(c->cert, X509_get_subject_name(ca->cert)) != 1 ||
	      tlsp_ext(c->cert, ca->cert, NID_basic_constraints, "critical,CA:FALSE") != 0 ||
	      tlsp_ext(c->cert, ca->cert, NID_key_usage, "critical,digitalSignature") != 0 ||
	      tlsp_ext(c->cert, ca->cert, NID_ext_key_usage, eku) != 0 ||
	      (san && tlsp_ext(c->cert, ca->cert, NID_subject_alt_name, san) != 0) ||
	      tlsp_ext(c->cert, ca->cert, NID_subject_key_identifier, "hash") != 0 ||
	      tlsp_ext(c->cert, ca->cert, NID_authority_key_identifier, "keyid:always") != 0 ||
	      X509_sign(c->cert, ca->key, EVP_sha256()) <= 0;
	if (bad) {
		snprintf(err, errlen, "cannot make %s certificate: %s", what, tlsp_ssl_error());
		tlsp_free(c);
		return -1;
	}
	return 0;
}

int tlsp_make_server(struct tlsp_cert *srv, const struct tlsp_cert *ca, const char *const *names, size_t n,
		     int days, char *err, size_t errlen)
{
	char cn[80], *san;
	size_t len = 1, at = 0;
	int rc;

	srv->key = NULL;
	srv->cert = NULL;
	for (size_t i = 0; i < n; i++)
		len += strlen(names[i]) + sizeof("DNS:,");
	san = malloc(len);
	if (!san) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	for (size_t i = 0; i < n; i++)
		at += (size_t)snprintf(san + at, len - at, "%s%s:%s", i ? "," : "",
				       tlsp_name_kind(names[i]) == TLSP_IP ? "IP" : "DNS", names[i]);
	tlsp_cn(cn, sizeof(cn), "", names[0], "upsd");	/* the SAN holds the names */
	rc = tlsp_make_leaf(srv, ca, cn, "serverAuth", san, days, "upsd's", err, errlen);
	free(san);
	return rc;
}

int tlsp_make_client(struct tlsp_cert *c, const struct tlsp_cert *ca, const char *cn, int days, char *err,
		     size_t errlen)
{
	char name[80];

	tlsp_cn(name, sizeof(name), "", cn, "upsplan client");
	return tlsp_make_leaf(c, ca, name, "clientAuth", NULL, days, "the client", err, errlen);
}

void tlsp_free(struct tlsp_cert *c)
{
	X509_free(c->cert);
	EVP_PKEY_free(c->key);
	c->cert = NULL;
	c->key = NULL;
}

/* the contents of memory BIO B as a malloc'd NUL-terminated text */
static char *tlsp_bio_text(BIO *b, size_t *len)
{
	char *data, *copy;
	long n = BIO_get_mem_data(b, &data);

	if (n < 0 || !(copy = malloc((size_t)n + 1)))
		return NULL;
	memcpy(copy, data, (size_t)n);
	copy[n] = '\0';
	*len = (size_t)n;
	return copy;
}

char *tlsp_cert_pem(X509 *cert, size_t *len)
{
	BIO *b = BIO_new(BIO_s_mem());
	char *text = NULL;

	if (b && PEM_write_bio_X509(b, cert) == 1)
		text = tlsp_bio_text(b, len);
	BIO_free(b);
	return text;
}

char *tlsp_key_pem(EVP_PKEY *key, size_t *len)
{
	BIO *b = BIO_new(BIO_s_mem());
	char *text = NULL;

	if (b && PEM_write_bio_PrivateKey(b, key, NULL, NULL, 0, NULL, NULL) == 1)
		text = tlsp_bio_text(b, len);
	BIO_free(b);
	return text;
}

unsigned char *tlsp_pkcs12(const struct tlsp_cert *srv, const struct tlsp_cert *ca, const char *nick,
			   const char *pass, size_t *len)
{
	STACK_OF(X509) *chain = sk_X509_new_null();
	PKCS12 *p12 = NULL;
	unsigned char *der = NULL, *copy = NULL;
	int n;

	if (!chain || sk_X509_push(chain, ca->cert) <= 0)
		goto out;
	/* OpenSSL 3's defaults: AES-256-CBC with PBKDF2, HMAC-SHA256 (NSS 3.87's pk12util reads them) */
	p12 = PKCS12_create(pass, nick, srv->key, srv->cert, chain, 0, 0, 0, 0, 0);
	if (!p12)
		goto out;
	n = i2d_PKCS12(p12, &der);
	if (n <= 0)
		goto out;
	copy = malloc((size_t)n);
	if (copy) {
		memcpy(copy, der, (size_t)n);
		*len = (size_t)n;
	}
out:
	OPENSSL_free(der);
	PKCS12_free(p12);
	sk_X509_free(chain);	/* the certificate is CA's */
	return copy;
}
