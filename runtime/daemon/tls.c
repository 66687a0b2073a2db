/* SPDX-License-Identifier: GPL-2.0-or-later */
/* tls.c - OpenSSL client contexts for upsd: the group's CERTFILE as the only trust anchor, names always checked. */
#include "config.h"

#include <arpa/inet.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include "base/source.h"
#include "base/xalloc.h"
#include "runtime/daemon/log.h"
#include "runtime/daemon/tls.h"
#include "runtime/daemon/workdir.h"

/* What a session saw, for the failure messages (ex_data of the SSL). */
struct tls_seen {
	int cert_requested;	/* the server sent a CertificateRequest */
	int alert;		/* the fatal alert the server sent, or -1 */
	char name[256];		/* the name the certificate must carry */
	char names[200];	/* the names the server's certificate carries (escaped) */
	int reneg;		/* the server asked to renegotiate */
};

/* ex_data: the tls_seen of a session, the CAFILE of a context, the mark of a renegotiation asked for once settled */
static int tls_ssl_idx = -1, tls_ctx_idx = -1, tls_reneg_idx = -1;
static char tls_reneg_mark;

static void tls_free_ex(void *parent, void *ptr, CRYPTO_EX_DATA *ad, int idx, long argl, void *argp)
{
	(void)parent;
	(void)ad;
	(void)idx;
	(void)argl;
	(void)argp;
	free(ptr);
}

static void tls_init_idx(void)
{
	if (tls_ssl_idx < 0)
		tls_ssl_idx = SSL_get_ex_new_index(0, NULL, NULL, NULL, tls_free_ex);
	if (tls_ctx_idx < 0)
		tls_ctx_idx = SSL_CTX_get_ex_new_index(0, NULL, NULL, NULL, tls_free_ex);
	if (tls_reneg_idx < 0)
		tls_reneg_idx = SSL_get_ex_new_index(0, NULL, NULL, NULL, NULL);
}

static int tls_is_hello_request(int write_p, int content_type, const void *buf, size_t len)
{
	return !write_p && content_type == SSL3_RT_HANDSHAKE && len >= 1 &&
	       ((const unsigned char *)buf)[0] == SSL3_MT_HELLO_REQUEST;
}

/* The handshake messages and alerts the server sends (decrypted, TLS 1.3 too). */
static void tls_msg_cb(int write_p, int version, int content_type, const void *buf, size_t len, SSL *ssl,
		       void *arg)
{
	const unsigned char *b = buf;
	struct tls_seen *seen = SSL_get_ex_data(ssl, tls_ssl_idx);

	(void)version;
	(void)arg;
	if (write_p || !seen || len < 1)
		return;
	if (content_type == SSL3_RT_HANDSHAKE && b[0] == SSL3_MT_CERTIFICATE_REQUEST)
		seen->cert_requested = 1;
	else if (tls_is_hello_request(write_p, content_type, buf, len))
		seen->reneg = 1;
	else if (content_type == SSL3_RT_ALERT && len >= 2 && b[0] == SSL3_AL_FATAL)
		seen->alert = b[1];
}

/* The first error of OpenSSL's queue as text (queue emptied). */
static void tls_queue_error(char *out, size_t len, const char *what)
{
	unsigned long e = ERR_get_error();
	char buf[256] = "unknown error";

	if (e)
		ERR_error_string_n(e, buf, sizeof(buf));
	ERR_clear_error();
	snprintf(out, len, "%s: %s", what, buf);
}

/* The DNS names and IP addresses CERT carries, "a, b, ..." (at most a few), into OUT. */
static void tls_cert_names(X509 *cert, char *out, size_t len)
{
	GENERAL_NAMES *names = cert ? X509_get_ext_d2i(cert, NID_subject_alt_name, NULL, NULL) : NULL;
	size_t n = 0;

	out[0] = '\0';
	for (int i = 0; names && i < sk_GENERAL_NAME_num(names) && i < 4; i++) {
		const GENERAL_NAME *g = sk_GENERAL_NAME_value(names, i);
		char ip[64] = "", dns[100];
		const char *text = ip;
		if (g->type == GEN_DNS) {	/* the server's bytes: escaped (an IA5String may hold ESC) */
			text = log_esc(dns, sizeof(dns), (const char *)ASN1_STRING_get0_data(g->d.dNSName),
				       (size_t)ASN1_STRING_length(g->d.dNSName));
		} else if (g->type == GEN_IPADD && g->d.iPAddress->length == 4) {
			inet_ntop(AF_INET, ASN1_STRING_get0_data(g->d.iPAddress), ip, sizeof(ip));
		} else if (g->type == GEN_IPADD && g->d.iPAddress->length == 16) {
			inet_ntop(AF_INET6, ASN1_STRING_get0_data(g->d.iPAddress), ip, sizeof(ip));
		}
		if (*text && n < len)
			n += (size_t)snprintf(out + n, len - n, "%s%s", n ? ", " : "", text);
	}
	GENERAL_NAMES_free(names);
}

/* Verification: OpenSSL's verdict, unchanged; the server certificate's names are noted for the messages. */
static int tls_verify_cb(int preverify_ok, X509_STORE_CTX *x)
{
	SSL *ssl = X509_STORE_CTX_get_ex_data(x, SSL_get_ex_data_X509_STORE_CTX_idx());
	struct tls_seen *seen = ssl ? SSL_get_ex_data(ssl, tls_ssl_idx) : NULL;

	if (seen && X509_STORE_CTX_get_error_depth(x) == 0 && !seen->names[0])
		tls_cert_names(X509_STORE_CTX_get_current_cert(x), seen->names, sizeof(seen->names));
	return preverify_ok;
}

/* What tls_load_pem() loads. */
enum tls_pem { TLS_PEM_CA, TLS_PEM_CHAIN, TLS_PEM_KEY };

#define TLS_PEM_MAX (16u << 20)	/* a CA bundle is a few hundred kB */

/* The certificates (and CRLs) of B as the only trust anchors of CTX; 1, or 0 with OpenSSL's error queued. */
static int tls_pem_ca(SSL_CTX *ctx, BIO *b)
{
	STACK_OF(X509_INFO) *inf = PEM_X509_INFO_read_bio(b, NULL, NULL, NULL);
	X509_STORE *store = SSL_CTX_get_cert_store(ctx);
	int n = 0, ok = inf != NULL;

	for (int i = 0; ok && i < sk_X509_INFO_num(inf); i++) {
		X509_INFO *it = sk_X509_INFO_value(inf, i);
		if (it->x509)
			ok = X509_STORE_add_cert(store, it->x509) == 1 && ++n;
		if (ok && it->crl)
			ok = X509_STORE_add_crl(store, it->crl) == 1 && ++n;
	}
	sk_X509_INFO_pop_free(inf, X509_INFO_free);
	if (ok && n == 0)
		ERR_raise(ERR_LIB_X509, X509_R_NO_CERTIFICATE_OR_CRL_FOUND);
	return ok && n > 0;
}

/* The client certificate of B and the chain after it, as SSL_CTX_use_certificate_chain_file() takes them. */
static int tls_pem_chain(SSL_CTX *ctx, BIO *b)
{
	pem_password_cb *cb = SSL_CTX_get_default_passwd_cb(ctx);
	void *ud = SSL_CTX_get_default_passwd_cb_userdata(ctx);
	X509 *x = PEM_read_bio_X509_AUX(b, NULL, cb, ud);
	unsigned long e;
	int ok = x && SSL_CTX_use_certificate(ctx, x) == 1 && SSL_CTX_clear_chain_certs(ctx) == 1;

	X509_free(x);
	while (ok && (x = PEM_read_bio_X509(b, NULL, cb, ud)) != NULL) {
		ok = SSL_CTX_add0_chain_cert(ctx, x) == 1;
		if (!ok)
			X509_free(x);
	}
	/* the end of the text: "no start line" is how it shows */
	e = ERR_peek_last_error();
	if (ok && ERR_GET_LIB(e) == ERR_LIB_PEM && ERR_GET_REASON(e) == PEM_R_NO_START_LINE)
		ERR_clear_error();
	else
		ok = 0;
	return ok;
}

/*
 * Load the PEM file PATH into CTX as WHAT.  The file is read here, into
 * memory, by src_read_file() (no FIFO or device waited on, whatever is
 * put at PATH after a check), and OpenSSL parses the copy, which is wiped
 * afterwards (a key).  0, or -1 with the message in ERR.
 */
static int tls_load_pem(SSL_CTX *ctx, enum tls_pem what, const char *path, char *err, size_t errlen)
{
	static const char *const name[] = { "CERTFILE", "CLIENTCERT", "CLIENTKEY" };
	char why[600], *text, abs[PATH_MAX];
	size_t len;
	BIO *b;
	int ok = 0;

	path = wd_resolve(path, abs, sizeof(abs));	/* relative: to the directory upsplan started in */
	text = src_read_file(path, TLS_PEM_MAX, &len, NULL, why, sizeof(why));
	if (!text) {
		snprintf(err, errlen, "%s cannot be loaded: %s", name[what], why);
		return -1;
	}
	ERR_clear_error();
	b = BIO_new_mem_buf(text, (int)len);
	if (b && what == TLS_PEM_CA) {
		ok = tls_pem_ca(ctx, b);
	} else if (b && what == TLS_PEM_CHAIN) {
		ok = tls_pem_chain(ctx, b);
	} else if (b) {
		EVP_PKEY *k = PEM_read_bio_PrivateKey(b, NULL, SSL_CTX_get_default_passwd_cb(ctx),
						     SSL_CTX_get_default_passwd_cb_userdata(ctx));
		ok = k && SSL_CTX_use_PrivateKey(ctx, k) == 1;
		EVP_PKEY_free(k);
	}
	BIO_free(b);
	OPENSSL_cleanse(text, len);
	free(text);
	if (!ok) {
		snprintf(why, sizeof(why), "%s cannot be loaded", name[what]);
		tls_queue_error(err, errlen, why);
		snprintf(err + strlen(err), errlen - strlen(err), " (%s)", path);
		return -1;
	}
	return 0;
}

SSL_CTX *tls_ctx_new(const char *cafile, const char *cert, const char *key, char *err, size_t errlen)
{
	SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());

	tls_init_idx();
	if (!ctx) {
		tls_queue_error(err, errlen, "cannot make a TLS context");
		return NULL;
	}
	SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
	/*
	 * no renegotiation (TLS 1.2): upsd never asks for one, and a server
	 * that does gets a no_renegotiation alert (see tls_failure())
	 */
	SSL_CTX_set_options(ctx, SSL_OP_NO_RENEGOTIATION);
	/* hundreds of connections idle between polls: no 2 x 16 KiB of buffers each while idle */
	SSL_CTX_set_mode(ctx, SSL_MODE_RELEASE_BUFFERS);
	SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, tls_verify_cb);
	/* the group's CERTFILE only: no system CAs */
	if (tls_load_pem(ctx, TLS_PEM_CA, cafile, err, errlen) != 0) {
		SSL_CTX_free(ctx);
		return NULL;
	}
	SSL_CTX_set_ex_data(ctx, tls_ctx_idx, xstrdup(cafile));
	if (cert && *cert) {
		const char *k = key && *key ? key : cert;
		if (tls_load_pem(ctx, TLS_PEM_CHAIN, cert, err, errlen) != 0 ||
		    tls_load_pem(ctx, TLS_PEM_KEY, k, err, errlen) != 0) {
			SSL_CTX_free(ctx);
			return NULL;
		}
		if (SSL_CTX_check_private_key(ctx) != 1) {
			tls_queue_error(err, errlen, "CLIENTKEY does not belong to CLIENTCERT");
			SSL_CTX_free(ctx);
			return NULL;
		}
	}
	return ctx;
}

/* NAME without brackets and IPv6 zone into BUF: the address text; 0 when it does not fit. */
static int tls_bare_address(const char *name, char *buf, size_t len)
{
	size_t n = strlen(name);
	char *zone;

	if (n >= len)
		return 0;
	if (name[0] == '[' && n > 2 && name[n - 1] == ']') {
		memcpy(buf, name + 1, n - 2);
		buf[n - 2] = '\0';
	} else {
		memcpy(buf, name, n + 1);
	}
	zone = strchr(buf, '%');
	if (zone)
		*zone = '\0';
	return 1;
}

int tls_is_address(const char *name)
{
	unsigned char addr[16];
	char buf[128];

	return tls_bare_address(name, buf, sizeof(buf)) &&
	       (inet_pton(AF_INET, buf, addr) == 1 || inet_pton(AF_INET6, buf, addr) == 1);
}

SSL *tls_new(SSL_CTX *ctx, const char *name, char *err, size_t errlen)
{
	SSL *ssl = SSL_new(ctx);
	struct tls_seen *seen;
	int ok;

	if (!ssl) {
		tls_queue_error(err, errlen, "cannot make a TLS session");
		return NULL;
	}
	seen = xcalloc(1, sizeof(*seen));
	seen->alert = -1;
	snprintf(seen->name, sizeof(seen->name), "%s", name);
	SSL_set_ex_data(ssl, tls_ssl_idx, seen);
	SSL_set_msg_callback(ssl, tls_msg_cb);
	if (tls_is_address(name)) {
		char buf[128];
		ok = tls_bare_address(name, buf, sizeof(buf)) &&
		     X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl), buf) == 1;
	} else {
		/* no partial wildcards (foo*.example) */
		SSL_set_hostflags(ssl, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
		ok = SSL_set1_host(ssl, name) == 1 && SSL_set_tlsext_host_name(ssl, name) == 1;
	}
	if (!ok) {
		tls_queue_error(err, errlen, "cannot set the name to check");
		SSL_free(ssl);
		return NULL;
	}
	return ssl;
}

/* Once settled, only a renegotiation asked for is noted (a mark, no memory). */
static void tls_settled_msg_cb(int write_p, int version, int content_type, const void *buf, size_t len, SSL *ssl,
			       void *arg)
{
	(void)version;
	(void)arg;
	if (tls_is_hello_request(write_p, content_type, buf, len))
		SSL_set_ex_data(ssl, tls_reneg_idx, &tls_reneg_mark);
}

int tls_asked_reneg(SSL *ssl)
{
	const struct tls_seen *seen = SSL_get_ex_data(ssl, tls_ssl_idx);

	return (seen && seen->reneg) || SSL_get_ex_data(ssl, tls_reneg_idx) != NULL;
}

void tls_settle(SSL *ssl)
{
	STACK_OF(X509) *chain = SSL_get_peer_cert_chain(ssl);

	/*
	 * The chain the server sent was verified in the handshake and is not
	 * read again; upsd built on NSS sends its CA too: 5 kB per connection
	 * that hundreds of connections would keep.  The leaf stays (it is the
	 * session's peer certificate).
	 */
	while (chain && sk_X509_num(chain) > 1)
		X509_free(sk_X509_pop(chain));
	/* what the handshake saw is only for the messages of a failed one */
	free(SSL_get_ex_data(ssl, tls_ssl_idx));
	SSL_set_ex_data(ssl, tls_ssl_idx, NULL);
	SSL_set_msg_callback(ssl, tls_settled_msg_cb);
}

/* The advice that goes with a verification failure VR. */
static void tls_verify_advice(SSL *ssl, long vr, const struct tls_seen *seen, char *out, size_t len)
{
	const char *cafile = SSL_CTX_get_ex_data(SSL_get_SSL_CTX(ssl), tls_ctx_idx);
	const char *names = seen ? seen->names : "";

	switch (vr) {
	case X509_V_ERR_HOSTNAME_MISMATCH:
	case X509_V_ERR_IP_ADDRESS_MISMATCH:
		snprintf(out, len, ": the certificate is not for %.100s%s%.150s%s: set the group's CERTNAME to a name it carries",
			 seen ? seen->name : "this host", names[0] ? " (it names " : "", names, names[0] ? ")" : "");
		break;
	case X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN:
	case X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT:
	case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT:
	case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY:
	case X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE:
		snprintf(out, len, ": the server's certificate is not signed by a CA of CERTFILE %.300s",
			 cafile ? cafile : "");
		break;
	case X509_V_ERR_CERT_HAS_EXPIRED:
	case X509_V_ERR_CERT_NOT_YET_VALID:
		snprintf(out, len, ": renew the server's certificate, or check this machine's clock");
		break;
	default:
		out[0] = '\0';
	}
}

/* An alert's name; OpenSSL 3.0 does not name TLS 1.3's certificate_required. */
static const char *tls_alert_name(int alert)
{
	return alert == 116 ? "certificate required" : SSL_alert_desc_string_long(alert);
}

void tls_failure(SSL *ssl, unsigned long errcode, const char *fallback, char *out, size_t outlen)
{
	long vr = ssl ? SSL_get_verify_result(ssl) : X509_V_OK;
	const struct tls_seen *seen = ssl ? SSL_get_ex_data(ssl, tls_ssl_idx) : NULL;
	int has_cert = ssl && SSL_get_certificate(ssl) != NULL;
	char advice[400];

	if (ssl && tls_asked_reneg(ssl)) {
		snprintf(out, outlen, "the server asked to renegotiate the TLS session, which is refused (upsd never does: a server that does is not trusted)");
	} else if (vr != X509_V_OK) {
		tls_verify_advice(ssl, vr, seen, advice, sizeof(advice));
		snprintf(out, outlen, "certificate verification failed: %s%s", X509_verify_cert_error_string(vr),
			 advice);
	} else if (seen && seen->cert_requested && seen->alert >= 0) {
		/* TLS 1.3: the server judges the client certificate after the handshake */
		snprintf(out, outlen, "the server ended the TLS session with alert '%s' after asking for a client certificate: %s",
			 tls_alert_name(seen->alert),
			 has_cert ? "it does not accept CLIENTCERT (is it signed by a CA the server trusts?)"
				  : "set the group's CLIENTCERT and CLIENTKEY");
	} else if (seen && seen->cert_requested) {
		snprintf(out, outlen, "the server closed the TLS session after asking for a client certificate: %s",
			 has_cert ? "it probably does not accept CLIENTCERT (is it signed by a CA the server trusts?), "
				    "or it cannot reach the upsd behind it"
				  : "none is set: set the group's CLIENTCERT and CLIENTKEY");
	} else if (seen && seen->alert >= 0) {
		snprintf(out, outlen, "the server ended the TLS session with alert '%s'",
			 tls_alert_name(seen->alert));
	} else if (errcode) {
		char buf[256];
		const char *reason = ERR_reason_error_string(errcode);
		if (reason) {
			snprintf(out, outlen, "TLS error: %s", reason);
		} else {
			ERR_error_string_n(errcode, buf, sizeof(buf));
			snprintf(out, outlen, "TLS error: %s", buf);
		}
	} else {
		snprintf(out, outlen, "%s", fallback);
	}
}
