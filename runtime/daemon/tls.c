/* SPDX-License-Identifier: GPL-2.0-or-later */
/* tls.c - OpenSSL client contexts for upsd: the group's CERTFILE as the only trust anchor, names always checked. */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include "base/source.h"
#include "base/xalloc.h"
#include "runtime/common/file-access.h"
#include "runtime/daemon/log.h"
#include "runtime/daemon/tls.h"
#include "runtime/daemon/workdir.h"

/* What a session saw, for the failure messages (ex_data of the SSL; freed once the handshake is done). */
struct tls_seen {
	int cert_requested;	/* the server sent a CertificateRequest */
	int alert;		/* the fatal alert the server sent, or -1 */
	char name[256];		/* the name the certificate must carry */
	char names[200];	/* the names the server's certificate carries (escaped) */
	int reneg;		/* the server asked to renegotiate */
	int direct;		/* TLS DIRECT (else STARTTLS) */
	unsigned char head[5];	/* the first record header the server sent */
	int head_len;
	/* the first verification failure: where in the chain, and the certificate it is about */
	long vr;		/* its X509_V_ERR_..., 0: none seen */
	int depth;
	char leaf[200];		/* the server's certificate's subject (escaped) */
	char subject[200];	/* the subject of the certificate that failed (escaped) */
	char issuer[200];	/* its issuer (escaped) */
	char cn[100];		/* the server's certificate's CN (escaped) */
	char from[32], until[32];	/* its validity */
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
	if (content_type == SSL3_RT_HEADER && len == sizeof(seen->head) && !seen->head_len) {
		memcpy(seen->head, b, len);	/* before OpenSSL judges it: "wrong version number" shows the bytes */
		seen->head_len = (int)len;
	} else if (content_type == SSL3_RT_HANDSHAKE && b[0] == SSL3_MT_CERTIFICATE_REQUEST)
		seen->cert_requested = 1;
	else if (tls_is_hello_request(write_p, content_type, buf, len))
		seen->reneg = 1;
	else if (content_type == SSL3_RT_ALERT && len >= 2 && b[0] == SSL3_AL_FATAL)
		seen->alert = b[1];
}

/* The first error of OpenSSL's queue as words, its reason without the code (queue emptied). */
static void tls_queue_error(char *out, size_t len, const char *what)
{
	unsigned long e = ERR_get_error();
	const char *reason = e ? ERR_reason_error_string(e) : NULL;
	char buf[256] = "unknown error";

	if (reason)
		snprintf(buf, sizeof(buf), "%s", reason);
	else if (e)
		ERR_error_string_n(e, buf, sizeof(buf));
	ERR_clear_error();
	snprintf(out, len, "%s: %s", what, buf);
}

/* NAME as "CN=a, O=b" (most specific first, as RFC 4514), each value escaped: the server's bytes. */
static void tls_name_text(const X509_NAME *name, char *out, size_t len)
{
	size_t n = 0;

	out[0] = '\0';
	for (int i = name ? X509_NAME_entry_count(name) - 1 : -1; i >= 0 && n < len; i--) {
		const X509_NAME_ENTRY *e = X509_NAME_get_entry(name, i);
		int nid = OBJ_obj2nid(X509_NAME_ENTRY_get_object(e));
		unsigned char *utf8 = NULL;
		int ulen = ASN1_STRING_to_UTF8(&utf8, X509_NAME_ENTRY_get_data(e));
		char esc[120];
		if (ulen < 0)
			continue;
		log_esc(esc, sizeof(esc), (const char *)utf8, (size_t)ulen);
		OPENSSL_free(utf8);
		n += (size_t)snprintf(out + n, len - n, "%s%s=%s", n ? ", " : "",
				      nid != NID_undef ? OBJ_nid2sn(nid) : "?", esc);
	}
	if (!out[0])
		snprintf(out, len, "no subject name");
}

/* The CN of CERT's subject (the last one), escaped, into OUT; empty without one. */
static void tls_cert_cn(X509 *cert, char *out, size_t len)
{
	const X509_NAME *name = X509_get_subject_name(cert);
	int i = name ? X509_NAME_get_index_by_NID(name, NID_commonName, -1) : -1, last = i;
	unsigned char *utf8 = NULL;
	int ulen;

	out[0] = '\0';
	while (i >= 0 && (i = X509_NAME_get_index_by_NID(name, NID_commonName, i)) >= 0)
		last = i;
	if (last < 0)
		return;
	ulen = ASN1_STRING_to_UTF8(&utf8, X509_NAME_ENTRY_get_data(X509_NAME_get_entry(name, last)));
	if (ulen >= 0)
		log_esc(out, len, (const char *)utf8, (size_t)ulen);
	OPENSSL_free(utf8);
}

/* T as "2021-01-01 00:00:00 UTC" into OUT. */
static void tls_time_text(const ASN1_TIME *t, char *out, size_t len)
{
	struct tm tm;

	if (!t || ASN1_TIME_to_tm(t, &tm) != 1 || strftime(out, len, "%Y-%m-%d %H:%M:%S UTC", &tm) == 0)
		snprintf(out, len, "(no date)");
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
		const char *kind = "IP:";
		if (g->type == GEN_DNS) {	/* the server's bytes: escaped (an IA5String may hold ESC) */
			text = log_esc(dns, sizeof(dns), (const char *)ASN1_STRING_get0_data(g->d.dNSName),
				       (size_t)ASN1_STRING_length(g->d.dNSName));
			kind = "DNS:";
		} else if (g->type == GEN_IPADD && g->d.iPAddress->length == 4) {
			inet_ntop(AF_INET, ASN1_STRING_get0_data(g->d.iPAddress), ip, sizeof(ip));
		} else if (g->type == GEN_IPADD && g->d.iPAddress->length == 16) {
			inet_ntop(AF_INET6, ASN1_STRING_get0_data(g->d.iPAddress), ip, sizeof(ip));
		}
		if (*text && n < len)
			n += (size_t)snprintf(out + n, len - n, "%s%s%s", n ? ", " : "", kind, text);
	}
	GENERAL_NAMES_free(names);
}

/* Verification: OpenSSL's verdict, unchanged; the certificates it is about are noted for the messages. */
static int tls_verify_cb(int preverify_ok, X509_STORE_CTX *x)
{
	SSL *ssl = X509_STORE_CTX_get_ex_data(x, SSL_get_ex_data_X509_STORE_CTX_idx());
	struct tls_seen *seen = ssl ? SSL_get_ex_data(ssl, tls_ssl_idx) : NULL;
	X509 *cert = X509_STORE_CTX_get_current_cert(x);

	if (seen && X509_STORE_CTX_get_error_depth(x) == 0 && !seen->names[0])
		tls_cert_names(cert, seen->names, sizeof(seen->names));
	if (seen && !preverify_ok && !seen->vr && cert) {
		X509 *leaf = X509_STORE_CTX_get0_cert(x);
		seen->vr = X509_STORE_CTX_get_error(x);
		seen->depth = X509_STORE_CTX_get_error_depth(x);
		tls_name_text(leaf ? X509_get_subject_name(leaf) : NULL, seen->leaf, sizeof(seen->leaf));
		if (leaf)
			tls_cert_cn(leaf, seen->cn, sizeof(seen->cn));
		tls_name_text(X509_get_subject_name(cert), seen->subject, sizeof(seen->subject));
		tls_name_text(X509_get_issuer_name(cert), seen->issuer, sizeof(seen->issuer));
		tls_time_text(X509_get0_notBefore(cert), seen->from, sizeof(seen->from));
		tls_time_text(X509_get0_notAfter(cert), seen->until, sizeof(seen->until));
	}
	return preverify_ok;
}

/*
 * WHAT (a setting) at PATH could not be read (ERR: errno; WHY: the
 * reader's message): why, as the user this process is, and the fix, into
 * OUT.
 */
static void tls_file_failure(const char *what, const char *path, enum fa_kind kind, int err, const char *why,
			     char *out, size_t len)
{
	char who[160], msg[600], fix[600];

	switch (fa_explain(what, path, fa_who(who, sizeof(who)), kind, err, msg, sizeof(msg), fix, sizeof(fix))) {
	case ENOENT:
		snprintf(out, len, "%s: %s", msg, strcmp(what, "CERTFILE") == 0 ?
			 "give the group's CERTFILE the CA certificate (PEM) that upsd's certificate is signed by; "
			 "upsplan tls-setup writes one for a upsd it sets up" :
			 what[0] == '-' ? "give the option the right path" : "give the group the right path");
		break;
	case EACCES:
	case EINVAL:
		snprintf(out, len, "%s%s%s", msg, fix[0] ? ": " : "", fix);
		break;
	default:
		snprintf(out, len, "%s cannot be loaded: %s", what, why);
	}
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
 * Load the PEM file PATH into CTX as WHAT, named LABEL in messages (NULL:
 * the plan's setting, CERTFILE, CLIENTCERT or CLIENTKEY).  The file is read here, into
 * memory, by src_read_file() (no FIFO or device waited on, whatever is
 * put at PATH after a check), and OpenSSL parses the copy, which is wiped
 * afterwards (a key).  0, or -1 with the message in ERR.
 */
static int tls_load_pem(SSL_CTX *ctx, enum tls_pem what, const char *path, const char *label, char *err, size_t errlen)
{
	static const char *const name[] = { "CERTFILE", "CLIENTCERT", "CLIENTKEY" };
	char why[600], *text, abs[PATH_MAX];
	size_t len;
	BIO *b;
	int ok = 0;

	label = label ? label : name[what];

	path = wd_resolve(path, abs, sizeof(abs));	/* relative: to the directory upsplan started in */
	text = src_read_file(path, TLS_PEM_MAX, &len, NULL, why, sizeof(why));
	if (!text) {
		tls_file_failure(label, path, what == TLS_PEM_KEY ? FA_SECRET : FA_PUBLIC, errno, why, err,
				 errlen);
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
		unsigned long e = ERR_peek_error();
		if (what == TLS_PEM_CA && ((ERR_GET_LIB(e) == ERR_LIB_X509 &&
					    ERR_GET_REASON(e) == X509_R_NO_CERTIFICATE_OR_CRL_FOUND) ||
					   (ERR_GET_LIB(e) == ERR_LIB_PEM && ERR_GET_REASON(e) == PEM_R_NO_START_LINE))) {
			ERR_clear_error();
			snprintf(err, errlen, "CERTFILE %s holds no certificate in PEM form (no \"-----BEGIN "
				 "CERTIFICATE-----\" line): name the CA certificate in PEM; a DER one converts with "
				 "openssl x509 -inform DER -in FILE -out FILE.pem", path);
			return -1;
		}
		snprintf(why, sizeof(why), "%s %s cannot be loaded", label, path);
		tls_queue_error(err, errlen, why);
		return -1;
	}
	return 0;
}

/* A context of METHOD: TLS 1.2 at least, no renegotiation; NULL with the reason in ERR. */
static SSL_CTX *tls_ctx_base(const SSL_METHOD *method, char *err, size_t errlen)
{
	SSL_CTX *ctx = SSL_CTX_new(method);

	tls_init_idx();
	if (!ctx) {
		tls_queue_error(err, errlen, "cannot make a TLS context");
		return NULL;
	}
	SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
	/*
	 * no renegotiation (TLS 1.2): upsd never asks for one, and a server
	 * that does gets a no_renegotiation alert (see tls_failure()); nor
	 * does a client of the webhook
	 */
	SSL_CTX_set_options(ctx, SSL_OP_NO_RENEGOTIATION);
	return ctx;
}

SSL_CTX *tls_ctx_new(const char *cafile, const char *cert, const char *key, char *err, size_t errlen)
{
	SSL_CTX *ctx = tls_ctx_base(TLS_client_method(), err, errlen);

	if (!ctx)
		return NULL;
	/* hundreds of connections idle between polls: no 2 x 16 KiB of buffers each while idle */
	SSL_CTX_set_mode(ctx, SSL_MODE_RELEASE_BUFFERS);
	SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, tls_verify_cb);
	/* the group's CERTFILE only: no system CAs */
	if (tls_load_pem(ctx, TLS_PEM_CA, cafile, NULL, err, errlen) != 0) {
		SSL_CTX_free(ctx);
		return NULL;
	}
	SSL_CTX_set_ex_data(ctx, tls_ctx_idx, xstrdup(cafile));
	if (cert && *cert) {
		const char *k = key && *key ? key : cert;
		if (tls_load_pem(ctx, TLS_PEM_CHAIN, cert, NULL, err, errlen) != 0 ||
		    tls_load_pem(ctx, TLS_PEM_KEY, k, NULL, err, errlen) != 0) {
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

SSL_CTX *tls_server_ctx_new(const char *cert, const char *key, const char *cert_what, const char *key_what,
			    char *err, size_t errlen)
{
	SSL_CTX *ctx = tls_ctx_base(TLS_server_method(), err, errlen);

	if (!ctx)
		return NULL;
	SSL_CTX_set_options(ctx, SSL_OP_CIPHER_SERVER_PREFERENCE);
	/* the key first: a certificate it does not match then drops it, and the check below says so */
	if (tls_load_pem(ctx, TLS_PEM_KEY, key, key_what, err, errlen) != 0 ||
	    tls_load_pem(ctx, TLS_PEM_CHAIN, cert, cert_what, err, errlen) != 0) {
		SSL_CTX_free(ctx);
		return NULL;
	}
	if (SSL_CTX_check_private_key(ctx) != 1) {
		ERR_clear_error();
		snprintf(err, errlen, "%s %s does not belong to %s %s: give the private key of that certificate", key_what,
			 key, cert_what, cert);
		SSL_CTX_free(ctx);
		return NULL;
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

SSL *tls_new(SSL_CTX *ctx, const char *name, int direct, char *err, size_t errlen)
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
	seen->direct = direct;
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

/* "the server's certificate (CN=..)" or "a CA certificate of the server's chain (CN=..)", as SEEN's failure is about, into OUT. */
static const char *tls_which(const struct tls_seen *seen, char *out, size_t len)
{
	if (seen->depth == 0)
		snprintf(out, len, "the server's certificate (%s)", seen->subject);
	else
		snprintf(out, len, "a CA certificate of the server's chain (%s)", seen->subject);
	return out;
}

/* The advice that goes with a verification failure VR. */
static void tls_verify_advice(SSL *ssl, long vr, const struct tls_seen *seen, char *out, size_t len)
{
	const char *cafile = SSL_CTX_get_ex_data(SSL_get_SSL_CTX(ssl), tls_ctx_idx);
	int noted = seen && seen->vr == vr;	/* what the verification callback saw */
	char which[260];

	if (!cafile)
		cafile = "";
	switch (vr) {
	case X509_V_ERR_HOSTNAME_MISMATCH:
	case X509_V_ERR_IP_ADDRESS_MISMATCH:
		snprintf(out, len, ": the certificate is not for %.100s, the name upsplan asked for (the group's CERTNAME, "
			 "else its HOST): it names %.200s%s%s: set the group's CERTNAME to a name it carries, or "
			 "give upsd a certificate for %.100s",
			 seen ? seen->name : "this host", seen && seen->names[0] ? seen->names : "no subjectAltName",
			 noted && seen->cn[0] ? "; subject CN=" : "", noted ? seen->cn : "", seen ? seen->name : "this host");
		break;
	case X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT:
		if (noted) {
			snprintf(out, len, ": %s signs itself and is not in CERTFILE %.300s: put it in CERTFILE, "
				 "or give upsd a certificate signed by a CA of CERTFILE (upsplan tls-setup makes both)",
				 tls_which(seen, which, sizeof(which)), cafile);
			break;
		}
		/* fall through */
	case X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN:
	case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT:
	case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY:
	case X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE:
		if (noted) {
			/* in a chain that ends at a root the server sent: that root is the CA wanted */
			snprintf(out, len, ": the server's certificate (%s) is issued by %s, which is not in CERTFILE "
				 "%.300s: put that CA's certificate (PEM) in CERTFILE", seen->leaf,
				 vr == X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN ? seen->subject : seen->issuer, cafile);
		} else {
			snprintf(out, len, ": the server's certificate is not signed by a CA of CERTFILE %.300s", cafile);
		}
		break;
	case X509_V_ERR_CERT_HAS_EXPIRED:
	case X509_V_ERR_CERT_NOT_YET_VALID:
		if (noted)
			snprintf(out, len, ": %s is valid from %s to %s: renew it, or check this machine's clock",
				 tls_which(seen, which, sizeof(which)), seen->from, seen->until);
		else
			snprintf(out, len, ": renew the server's certificate, or check this machine's clock");
		break;
	default:
		out[0] = '\0';
	}
}

/* ERRCODE is OpenSSL's "wrong version number" (or an HTTP request seen): what came was not TLS. */
static int tls_not_tls(unsigned long errcode)
{
	int r = ERR_GET_REASON(errcode);

	return ERR_GET_LIB(errcode) == ERR_LIB_SSL &&
	       (r == SSL_R_WRONG_VERSION_NUMBER || r == SSL_R_HTTP_REQUEST || r == SSL_R_HTTPS_PROXY_REQUEST);
}

/* SEEN's first record header is text (letters, blanks), not a TLS record: the server answered in clear. */
static int tls_in_clear(const struct tls_seen *seen)
{
	if (!seen || seen->head_len == 0)
		return 0;
	for (int i = 0; i < seen->head_len; i++)
		if ((seen->head[i] < 0x20 && seen->head[i] != '\r' && seen->head[i] != '\n' && seen->head[i] != '\t') ||
		    seen->head[i] > 0x7e)
			return 0;
	return 1;
}

/* The words for what came instead of TLS (SEEN's first bytes, escaped) into OUT. */
static void tls_clear_words(const struct tls_seen *seen, char *out, size_t len)
{
	char bytes[32];

	if (!tls_in_clear(seen)) {
		snprintf(out, len, "the server's answer is not TLS (OpenSSL: wrong version number): %s",
			 seen && seen->direct ? "is this port a TLS front end? TLS DIRECT is for one such as stunnel; "
						"use TLS STARTTLS for upsd's own port"
					      : "something else than upsd answers on this port");
		return;
	}
	log_esc(bytes, sizeof(bytes), (const char *)seen->head, (size_t)seen->head_len);
	if (seen->direct)
		snprintf(out, len, "this port answered in clear, not in TLS (\"%s...\"): is it upsd's plain port? "
			 "use TLS STARTTLS (the default: upsd's own TLS on its port); TLS DIRECT is for a TLS front "
			 "end such as stunnel", bytes);
	else
		snprintf(out, len, "the server accepted STARTTLS, then answered in clear, not in TLS (\"%s...\"): "
			 "it is not a upsd with TLS, or something on the way changes the connection", bytes);
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
	char advice[800];

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
	} else if (errcode && tls_not_tls(errcode)) {
		tls_clear_words(seen, out, outlen);
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

enum tls_fail_kind tls_fail_kind(const char *why)
{
	if (strstr(why, "certificate"))
		return TLS_FAIL_CERTIFICATE;
	if (strstr(why, "not TLS") || strstr(why, "in clear"))
		return TLS_FAIL_NOT_TLS;
	if (strstr(why, "alert"))
		return TLS_FAIL_ALERT;
	if (strstr(why, "no answer"))
		return TLS_FAIL_TIMEOUT;
	if (strstr(why, "closed"))
		return TLS_FAIL_CLOSED;
	return TLS_FAIL_OTHER;
}

const char *tls_fail_kind_name(enum tls_fail_kind k)
{
	static const char *const names[TLS_FAIL_KINDS] = { "certificate", "not_tls", "alert", "closed", "timeout", "other" };

	return k < TLS_FAIL_KINDS ? names[k] : "other";
}
