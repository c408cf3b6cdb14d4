/*
 * tls.c — TLS 1.3 contexts with roster pinning for the hotline link.
 *
 * The usual chain building is replaced (SSL_CTX_set_cert_verify_callback) by
 * one check on the leaf certificate: its SHA-256 is on the roster and the
 * current time is within its validity. There is no CA, so nothing else in a
 * chain could add trust. See tls.h.
 */
#include "hotline/tls.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "base/error.h"
#include "base/log.h"

void hl_tls_fp_hex(const uint8_t fp[HL_FP_LEN], char out[2 * HL_FP_LEN + 1])
{
    static const char hexd[] = "0123456789abcdef";
    for (int i = 0; i < HL_FP_LEN; i++) {
        out[2 * i] = hexd[fp[i] >> 4];
        out[2 * i + 1] = hexd[fp[i] & 15];
    }
    out[2 * HL_FP_LEN] = 0;
}

int hl_tls_cert_fp(X509 *cert, uint8_t fp[HL_FP_LEN])
{
    unsigned n = 0;
    if (!cert || !X509_digest(cert, EVP_sha256(), fp, &n) || n != HL_FP_LEN)
        return CAIRN_E_FORMAT;
    return 0;
}

int hl_tls_peer_fp(SSL *ssl, uint8_t fp[HL_FP_LEN])
{
    X509 *c = SSL_get0_peer_certificate(ssl);
    return c && hl_tls_cert_fp(c, fp) == 0 ? 0 : CAIRN_E_AUTH;
}

int hl_tls_file_fp(const char *cert_path, uint8_t fp[HL_FP_LEN])
{
    FILE *f = fopen(cert_path, "r");
    if (!f)
        return CAIRN_E_IO;
    X509 *c = PEM_read_X509(f, NULL, NULL, NULL);
    fclose(f);
    if (!c)
        return CAIRN_E_FORMAT;
    int rc = hl_tls_cert_fp(c, fp);
    X509_free(c);
    return rc;
}

/* Rate limit of the refusal lines: 1 when this one may be logged. */
static int refusal_log_ok(struct hl_tls *t)
{
    int64_t now = clock_now_ms(t->mono ? t->mono : &cairn_clock_mono);
    if (now - t->log_t0_ms >= 10000) {
        if (t->log_suppressed)
            log_warn("hotline",
                     "%llu more peer certificates refused in the last %lld s (not "
                     "logged one by one)",
                     (unsigned long long)t->log_suppressed,
                     (long long)((now - t->log_t0_ms + 999) / 1000));
        t->log_t0_ms = now;
        t->log_n = 0;
        t->log_suppressed = 0;
    }
    if (t->log_n < 10) {
        t->log_n++;
        return 1;
    }
    t->log_suppressed++;
    return 0;
}

/* Replaces OpenSSL's chain verification: 1 accept, 0 refuse. */
static int verify_pinned(X509_STORE_CTX *xs, void *arg)
{
    struct hl_tls *t = arg;
    X509 *leaf = X509_STORE_CTX_get0_cert(xs);
    uint8_t fp[HL_FP_LEN];
    char hex[2 * HL_FP_LEN + 1];
    if (!leaf || hl_tls_cert_fp(leaf, fp) != 0) {
        t->stats.no_cert++;
        if (refusal_log_ok(t))
            log_warn("hotline", "refused a peer without a certificate");
        X509_STORE_CTX_set_error(xs, X509_V_ERR_APPLICATION_VERIFICATION);
        return 0;
    }
    hl_tls_fp_hex(fp, hex);
    if (!t->pin(t->pin_arg, fp)) {
        t->stats.unknown_cert++;
        if (refusal_log_ok(t))
            log_warn("hotline", "refused peer certificate sha256:%s: not on the roster", hex);
        X509_STORE_CTX_set_error(xs, X509_V_ERR_APPLICATION_VERIFICATION);
        return 0;
    }
    int64_t now_ms = clock_now_ms(t->utc ? t->utc : &cairn_clock_real);
    time_t now_s = (time_t)(now_ms / 1000);
    if (X509_cmp_time(X509_get0_notBefore(leaf), &now_s) >= 0 ||
        X509_cmp_time(X509_get0_notAfter(leaf), &now_s) <= 0) {
        t->stats.expired_cert++;
        if (refusal_log_ok(t))
            log_warn("hotline", "refused peer certificate sha256:%s: expired or not yet valid",
                     hex);
        X509_STORE_CTX_set_error(xs, X509_V_ERR_CERT_HAS_EXPIRED);
        return 0;
    }
    return 1;
}

static void log_ssl_errors(const char *what)
{
    unsigned long e;
    char buf[256];
    while ((e = ERR_get_error()) != 0) {
        ERR_error_string_n(e, buf, sizeof buf);
        log_err("hotline", "%s: %s", what, buf);
    }
}

int hl_tls_init(struct hl_tls *t, const char *cert_path, const char *key_path, hl_tls_pin_fn pin,
                void *pin_arg)
{
    memset(t, 0, sizeof *t);
    t->pin = pin;
    t->pin_arg = pin_arg;
    t->ctx = SSL_CTX_new(TLS_method());
    if (!t->ctx) {
        log_ssl_errors("SSL_CTX_new");
        return CAIRN_E_NOMEM;
    }
    /* TLS 1.3 only (RFC 8446): 1.2 and older are refused at the handshake. */
    SSL_CTX_set_min_proto_version(t->ctx, TLS1_3_VERSION);
    SSL_CTX_set_max_proto_version(t->ctx, TLS1_3_VERSION);
    /* No session resumption: every connection proves its certificate anew. */
    SSL_CTX_set_session_cache_mode(t->ctx, SSL_SESS_CACHE_OFF);
    SSL_CTX_set_options(t->ctx, SSL_OP_NO_TICKET);
    if (SSL_CTX_use_certificate_file(t->ctx, cert_path, SSL_FILETYPE_PEM) != 1 ||
        SSL_CTX_use_PrivateKey_file(t->ctx, key_path, SSL_FILETYPE_PEM) != 1 ||
        SSL_CTX_check_private_key(t->ctx) != 1) {
        log_ssl_errors(cert_path);
        log_err("hotline", "cannot load certificate %s with key %s", cert_path, key_path);
        SSL_CTX_free(t->ctx);
        t->ctx = NULL;
        return CAIRN_E_IO;
    }
    /* Both sides must present a certificate; verification is the pin check. */
    SSL_CTX_set_verify(t->ctx, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, NULL);
    SSL_CTX_set_cert_verify_callback(t->ctx, verify_pinned, t);
    return 0;
}

void hl_tls_fini(struct hl_tls *t)
{
    if (t->ctx)
        SSL_CTX_free(t->ctx);
    t->ctx = NULL;
}
