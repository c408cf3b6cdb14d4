/*
 * tls.h — TLS contexts for the hotline link (OpenSSL 3).
 *
 * Key idea: trust is the roster, not a certificate authority. Both ends
 * present a (usually self-signed) certificate; the peer's certificate is
 * accepted only if the SHA-256 of its DER encoding is one the roster lists
 * and it is inside its validity period. TLS 1.3 only: older versions are
 * refused at the handshake.
 *
 * References: RFC 8446 (TLS 1.3) §4.4.2 (Certificate), OpenSSL 3
 * SSL_CTX_set_cert_verify_callback(3), SSL_CTX_set_min_proto_version(3).
 */
#ifndef CAIRN_HOTLINE_TLS_H
#define CAIRN_HOTLINE_TLS_H

#include <stdint.h>

#include <openssl/ssl.h>

#include "base/clock.h"

#include "hotline/identity.h" /* HL_FP_LEN */

/* Is this certificate fingerprint one we trust? Return 1 yes, 0 no. */
typedef int (*hl_tls_pin_fn)(void *arg, const uint8_t fp[HL_FP_LEN]);

/* Why handshakes were refused (counted by the verify callback). */
struct hl_tls_stats {
    uint64_t unknown_cert; /* fingerprint not on the roster */
    uint64_t expired_cert; /* outside notBefore..notAfter */
    uint64_t no_cert;      /* peer presented none */
};

struct hl_tls {
    SSL_CTX *ctx;
    hl_tls_pin_fn pin;
    void *pin_arg;
    struct hl_tls_stats stats;
    /* Set by the owner after hl_tls_init (NULL = the system's clocks):
     * the time a certificate's validity is checked against, and the
     * clock of the log rate limit (refusals are logged one by one at most
     * 10 times per 10 s, then summed up: a flood of bad certificates must
     * not flood the log). */
    const struct cairn_clock *utc;  /* borrowed */
    const struct cairn_clock *mono; /* borrowed */
    int64_t log_t0_ms;
    uint32_t log_n;
    uint64_t log_suppressed;
};

/*
 * Build a context presenting cert_path/key_path (PEM) and pinning peers
 * through pin(pin_arg, fp). The struct is the caller's and must outlive the
 * context (the verify callback reaches it). 0, CAIRN_E_IO (files unreadable
 * or key does not match) or CAIRN_E_NOMEM; failures are logged.
 */
int hl_tls_init(struct hl_tls *t, const char *cert_path, const char *key_path, hl_tls_pin_fn pin,
                void *pin_arg);
void hl_tls_fini(struct hl_tls *t);

/* SHA-256 of a certificate's DER encoding. 0 or CAIRN_E_FORMAT. */
int hl_tls_cert_fp(X509 *cert, uint8_t fp[HL_FP_LEN]);
/* The fingerprint of the peer of an established connection. 0 or CAIRN_E_AUTH. */
int hl_tls_peer_fp(SSL *ssl, uint8_t fp[HL_FP_LEN]);
/* Fingerprint of a PEM certificate file. 0, CAIRN_E_IO or CAIRN_E_FORMAT. */
int hl_tls_file_fp(const char *cert_path, uint8_t fp[HL_FP_LEN]);
/* Write fp as 64 lowercase hex digits and a NUL into out. */
void hl_tls_fp_hex(const uint8_t fp[HL_FP_LEN], char out[2 * HL_FP_LEN + 1]);

#endif
