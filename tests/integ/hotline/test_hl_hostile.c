/*
 * test_hl_hostile.c — a hostile client against a real `cairn hotline`.
 *
 * A small OpenSSL client speaks the link's frame protocol to centre A and
 * tries, one connection each: a forged signature, a replayed old message
 * (identical: recognised as a duplicate, not stored again; altered:
 * refused), a frame before HELLO, a sequence gap, a truncated frame, an
 * oversized frame, a frame of unknown type, a message of an unknown type,
 * a HELLO from a centre not on the roster, an unknown certificate, an
 * expired certificate (whose fingerprint IS on the roster) and a TLS 1.2
 * client. Each is refused with a log line and a counter; then the real
 * peer B starts and the link carries traffic both ways; both journals pass
 * the audit.
 *
 * Then, each with A restarted: text that would write on A's operators'
 * screens or forge A's log lines (ESC, CR, bidi overrides in a message
 * field, CR in a case id, a newline in a HELLO name or an ERROR text), and
 * a roster centre relaying another roster centre's validly signed message
 * (sender != the session's peer): refused, counted, logged escaped or by
 * field name, nothing stored, no case opened, and the link still carries
 * B's traffic afterwards.
 *
 * The client impersonates B with B's own certificate and signing key (the
 * test made them): what a stolen key lets an attacker do is exactly what
 * the journal must still refuse.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <poll.h>
#include <sodium.h>
#include <sys/socket.h>
#include <unistd.h>
#include <errno.h>

#include "base/error.h"
#include "hl_harness.h"
#include "hotline/frame.h"
#include "hotline/identity.h"
#include "hotline/journal.h"
#include "hotline/msg.h"
#include "hotline/tls.h"

static struct harness H;
static struct hnode *A, *B;
static struct hl_identity BID; /* B's identity: certificate paths and signing key */
static int PASSED;             /* tests passed; the folder goes when all did */
static uint8_t EXP_SK[64];     /* EXPIRED-CC's signing key (on the roster, never running) */
static char EXP_CERT[700], EXP_KEY[700], UNK_CERT[700], UNK_KEY[700];

/* ---- certificates made here ---- */

static int make_cert(const char *cert_path, const char *key_path, const char *cn, long from_s,
                     long to_s)
{
    EVP_PKEY *k = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
    X509 *x = X509_new();
    if (!k || !x)
        return -1;
    X509_set_version(x, 2);
    ASN1_INTEGER_set(X509_get_serialNumber(x), (long)time(NULL));
    X509_gmtime_adj(X509_getm_notBefore(x), from_s);
    X509_gmtime_adj(X509_getm_notAfter(x), to_s);
    X509_set_pubkey(x, k);
    X509_NAME *nm = X509_get_subject_name(x);
    X509_NAME_add_entry_by_txt(nm, "CN", MBSTRING_ASC, (const unsigned char *)cn, -1, -1, 0);
    X509_set_issuer_name(x, nm);
    if (!X509_sign(x, k, NULL))
        return -1;
    FILE *f = fopen(cert_path, "w");
    PEM_write_X509(f, x);
    fclose(f);
    f = fopen(key_path, "w");
    PEM_write_PrivateKey(f, k, NULL, NULL, 0, NULL, NULL);
    fclose(f);
    X509_free(x);
    EVP_PKEY_free(k);
    return 0;
}

/* ---- the hostile client ---- */

struct evil {
    SSL_CTX *ctx;
    SSL *ssl;
    int fd;
};

static void evil_close(struct evil *e)
{
    if (e->ssl)
        SSL_free(e->ssl);
    if (e->ctx)
        SSL_CTX_free(e->ctx);
    if (e->fd >= 0)
        close(e->fd);
    memset(e, 0, sizeof *e);
    e->fd = -1;
}

/* TLS to A with cert/key; max_version 0 = TLS 1.3. 0 when the handshake
 * completed (the server may still refuse right after it in TLS 1.3). */
static int evil_connect(struct evil *e, const char *cert, const char *key, int max_version)
{
    memset(e, 0, sizeof *e);
    e->fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in sin = {.sin_family = AF_INET,
                              .sin_port = htons((uint16_t)A->port),
                              .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    if (connect(e->fd, (struct sockaddr *)&sin, sizeof sin) != 0)
        return -1;
    struct timeval tv = {5, 0}; /* bounded: every read gives up after 5 s */
    setsockopt(e->fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    e->ctx = SSL_CTX_new(TLS_client_method());
    if (max_version) {
        SSL_CTX_set_min_proto_version(e->ctx, TLS1_2_VERSION);
        SSL_CTX_set_max_proto_version(e->ctx, max_version);
    }
    SSL_CTX_use_certificate_file(e->ctx, cert, SSL_FILETYPE_PEM);
    SSL_CTX_use_PrivateKey_file(e->ctx, key, SSL_FILETYPE_PEM);
    SSL_CTX_set_verify(e->ctx, SSL_VERIFY_NONE, NULL);
    e->ssl = SSL_new(e->ctx);
    SSL_set_fd(e->ssl, e->fd);
    int rc = SSL_connect(e->ssl) == 1 ? 0 : -1;
    ERR_clear_error();
    return rc;
}

static int evil_write(struct evil *e, const void *p, size_t n)
{
    return SSL_write(e->ssl, p, (int)n) == (int)n ? 0 : -1;
}

static int evil_frame(struct evil *e, unsigned type, const void *p, size_t n)
{
    uint8_t hdr[HL_FRAME_HDR_LEN];
    hl_frame_put_header(hdr, (enum hl_frame_type)type, (uint32_t)n);
    return evil_write(e, hdr, sizeof hdr) || (n && evil_write(e, p, n)) ? -1 : 0;
}

static int read_n(struct evil *e, uint8_t *p, size_t n)
{
    size_t got = 0;
    while (got < n) {
        int r = SSL_read(e->ssl, p + got, (int)(n - got));
        if (r <= 0)
            return -1;
        got += (size_t)r;
    }
    return 0;
}

/* Next frame's type (payload into buf), or -1 on close/timeout. */
static int evil_read(struct evil *e, uint8_t *buf, size_t cap, size_t *len)
{
    uint8_t hdr[HL_FRAME_HDR_LEN];
    if (read_n(e, hdr, sizeof hdr))
        return -1;
    size_t n = (size_t)hdr[1] << 24 | (size_t)hdr[2] << 16 | (size_t)hdr[3] << 8 | hdr[4];
    if (n > cap || read_n(e, buf, n))
        return -1;
    *len = n;
    return hdr[0];
}

/* The last receipt evil_expect_error read (LAST_RCPT_OK: it decoded). */
static struct hl_receipt LAST_RCPT;
static int LAST_RCPT_OK;

/* Read frames until an ERROR (its code) or the end (0); receipts are counted. */
static int evil_expect_error(struct evil *e, int *receipts)
{
    static uint8_t buf[HL_FRAME_MAX_LEN];
    size_t n;
    int t;
    while ((t = evil_read(e, buf, sizeof buf, &n)) >= 0) {
        if (t == HL_FT_RECEIPT && receipts) {
            (*receipts)++;
            LAST_RCPT_OK = hl_receipt_decode(&LAST_RCPT, buf, n) == 0;
        }
        if (t == HL_FT_ERROR) {
            struct hl_error er;
            if (hl_error_decode(buf, n, &er) == 0) {
                fprintf(stderr, "  A said: %s (%s)\n", cairn_errname(er.code), er.text);
                return er.code;
            }
        }
    }
    return 0;
}

/* Connect as B and exchange HELLOs; `from` names the centre we claim. */
static int evil_hello(struct evil *e, const char *from)
{
    if (evil_connect(e, BID.tls_cert_path, BID.tls_key_path, 0) != 0)
        return -1;
    struct hl_hello h = {.version = HL_PROTO_VERSION, .window = 64};
    snprintf(h.from, sizeof h.from, "%s", from);
    snprintf(h.to, sizeof h.to, "%s", A->name);
    uint8_t buf[HL_HELLO_MAX_LEN];
    int n = hl_hello_encode(&h, buf, sizeof buf);
    return evil_frame(e, HL_FT_HELLO, buf, (size_t)n);
}

/* A signed message B -> A at seq with prev hash; body text. Encoded into out. */
static int make_msg(uint64_t seq, const uint8_t prev[HL_HASH_LEN], const char *body, uint8_t *out,
                    size_t cap)
{
    static struct hl_msg m;
    hl_msg_init(&m, HL_T_FREE_TEXT);
    hl_msg_set_receiver(&m, A->name);
    hl_msg_add_str(&m, "body", body);
    snprintf(m.sender, sizeof m.sender, "%s", B->name);
    m.seq = seq;
    memcpy(m.prev_hash, prev, HL_HASH_LEN);
    m.created_utc_ms = (int64_t)time(NULL) * 1000;
    hl_msg_sign(&m, BID.sign_sk);
    return hl_msg_encode(&m, out, cap);
}

static int copy_row(void *c, const struct hl_msg_row *r)
{
    struct hl_msg *m = c;
    *m = *r->m;
    return 0;
}

/* B's journal head towards A (B is stopped). */
static void b_head(uint64_t *count, uint8_t hash[HL_HASH_LEN], uint8_t *raw1, int *raw1_len)
{
    struct hl_roster roster;
    int line;
    assert_int_equal(hl_roster_load(H.roster, &roster, &line), 0);
    struct hl_journal *j;
    assert_int_equal(hl_journal_open(B->journal, &BID, &roster, &j), 0);
    assert_int_equal(hl_journal_head(j, HL_DIR_OUT, A->name, count, hash), 0);
    /* The raw bytes of message 1, for the replay. */
    static struct hl_msg m1;
    struct hl_msg_filter f = {.peer = A->name, .dir = HL_DIR_OUT, .seq = 1};
    assert_int_equal(hl_journal_list(j, &f, copy_row, &m1), 1);
    *raw1_len = hl_msg_encode(&m1, raw1, HL_MSG_MAX_LEN);
    hl_journal_close(j);
}

static int64_t metric(const char *name)
{
    return hh_metric(A, name);
}

static void test_hostile(void **state)
{
    (void)state;
    /* ---- set up: A and B exchange a few messages, then B stops ---- */
    char keys[600];
    snprintf(keys, sizeof keys, "%s/keys", B->dir);
    assert_int_equal(hl_identity_load(keys, &BID), 0);
    assert_int_equal(hh_start(A), 0);
    assert_int_equal(hh_start(B), 0);
    assert_int_equal(hh_wait_up(A, B, 20000), 0);
    json_t *r = hh_call(B,
                        "{\"op\":\"send\",\"to\":\"%s\",\"type\":\"FREE_TEXT\",\"count\":3,"
                        "\"fields\":{\"body\":\"before the attack\"}}",
                        A->name);
    json_decref(r);
    assert_int_equal(hh_wait_synced(A, B, 30000), 0);
    assert_int_equal(hh_stop(B, SIGTERM), 0);
    uint64_t head;
    uint8_t hash[HL_HASH_LEN];
    static uint8_t raw1[HL_MSG_MAX_LEN], msg[HL_MSG_MAX_LEN];
    int raw1_len;
    b_head(&head, hash, raw1, &raw1_len);
    assert_int_equal(head, 3);
    struct evil e;
    int rec = 0;

    fprintf(stderr, "forged signature\n");
    assert_int_equal(evil_hello(&e, B->name), 0);
    int n = make_msg(head + 1, hash, "forged", msg, sizeof msg);
    msg[n - 1] ^= 1; /* last byte of the signature */
    evil_frame(&e, HL_FT_MSG, msg, (size_t)n);
    assert_int_equal(evil_expect_error(&e, NULL), CAIRN_E_SIGNATURE);
    evil_close(&e);
    assert_true(metric("journal_rej_signature_total") >= 1);

    fprintf(stderr, "replayed old message, identical\n");
    int64_t dup0 = metric("msgs_duplicate_total");
    assert_int_equal(evil_hello(&e, B->name), 0);
    evil_frame(&e, HL_FT_MSG, raw1, (size_t)raw1_len);
    evil_frame(&e, HL_FT_HEARTBEAT, "", 0); /* undecodable: ends the exchange */
    rec = 0;
    LAST_RCPT_OK = 0;
    assert_int_equal(evil_expect_error(&e, &rec), CAIRN_E_FORMAT);
    /* One receipt, cumulative: it names A's head of B's messages (3), so it
     * covers the replayed seq 1, with the hash B's journal holds there. */
    assert_int_equal(rec, 1);
    assert_true(LAST_RCPT_OK);
    assert_int_equal(LAST_RCPT.seq, head);
    assert_memory_equal(LAST_RCPT.msg_hash, hash, HL_HASH_LEN);
    {
        static struct hl_roster roster;
        int line;
        assert_int_equal(hl_roster_load(H.roster, &roster, &line), 0);
        const struct hl_centre *ca = hl_roster_find(&roster, A->name);
        assert_non_null(ca);
        assert_int_equal(hl_receipt_verify(&LAST_RCPT, ca->sign_pk), 0);
    }
    evil_close(&e);
    assert_int_equal(metric("msgs_duplicate_total"), dup0 + 1);

    fprintf(stderr, "replayed seq with other content\n");
    assert_int_equal(evil_hello(&e, B->name), 0);
    uint8_t zero[HL_HASH_LEN] = {0};
    n = make_msg(1, zero, "rewritten history", msg, sizeof msg);
    evil_frame(&e, HL_FT_MSG, msg, (size_t)n);
    assert_int_equal(evil_expect_error(&e, NULL), CAIRN_E_REPLAY);
    evil_close(&e);
    assert_true(metric("journal_rej_replay_total") >= 1);

    fprintf(stderr, "MSG before HELLO (reordered)\n");
    assert_int_equal(evil_connect(&e, BID.tls_cert_path, BID.tls_key_path, 0), 0);
    n = make_msg(head + 1, hash, "too early", msg, sizeof msg);
    evil_frame(&e, HL_FT_MSG, msg, (size_t)n);
    assert_int_equal(evil_expect_error(&e, NULL), CAIRN_E_STATE);
    evil_close(&e);

    fprintf(stderr, "PICTURE before HELLO (L12)\n");
    assert_int_equal(evil_connect(&e, BID.tls_cert_path, BID.tls_key_path, 0), 0);
    uint8_t pic[HL_PICTURE_HDR_LEN + 3];
    hl_picture_put_header(pic, 1, (int64_t)time(NULL) * 1000);
    memcpy(pic + HL_PICTURE_HDR_LEN, "\x3e\x00\x03", 3);
    evil_frame(&e, HL_FT_PICTURE, pic, sizeof pic);
    assert_int_equal(evil_expect_error(&e, NULL), CAIRN_E_STATE);
    evil_close(&e);
    assert_int_equal(metric("pictures_received_total"), 0);

    fprintf(stderr, "PICTUREs: undecodable and stale ones counted, the session stays (L12)\n");
    assert_int_equal(evil_hello(&e, B->name), 0);
    evil_frame(&e, HL_FT_PICTURE, pic, 5); /* shorter than its header */
    pic[0] = 9;                            /* another version */
    evil_frame(&e, HL_FT_PICTURE, pic, sizeof pic);
    pic[0] = HL_PICTURE_VERSION;
    evil_frame(&e, HL_FT_PICTURE, pic, sizeof pic); /* seq 1: taken */
    evil_frame(&e, HL_FT_PICTURE, pic, sizeof pic); /* seq 1 again: stale */
    struct hl_heartbeat hb = {.nonce = 77, .t_utc_ms = 0, .is_reply = 0};
    uint8_t hbuf[HL_HEARTBEAT_LEN];
    assert_int_equal(hl_heartbeat_encode(&hb, hbuf, sizeof hbuf), (int)HL_HEARTBEAT_LEN);
    evil_frame(&e, HL_FT_HEARTBEAT, hbuf, sizeof hbuf);
    {
        static uint8_t fb[HL_FRAME_MAX_LEN];
        size_t fl;
        int t, echoed = 0;
        while (!echoed && (t = evil_read(&e, fb, sizeof fb, &fl)) >= 0) {
            struct hl_heartbeat echo;
            echoed = t == HL_FT_HEARTBEAT && hl_heartbeat_decode(fb, fl, &echo) == 0 &&
                     echo.is_reply && echo.nonce == 77;
            assert_int_not_equal(t, HL_FT_ERROR);
        }
        assert_true(echoed); /* still open after the bad pictures */
    }
    evil_close(&e);
    assert_int_equal(metric("pictures_malformed_total"), 2);
    assert_int_equal(metric("pictures_received_total"), 1);
    assert_int_equal(metric("pictures_stale_total"), 1);

    fprintf(stderr, "sequence gap (reordered)\n");
    assert_int_equal(evil_hello(&e, B->name), 0);
    n = make_msg(head + 2, hash, "skipped one", msg, sizeof msg);
    evil_frame(&e, HL_FT_MSG, msg, (size_t)n);
    int code = evil_expect_error(&e, NULL);
    assert_true(code == CAIRN_E_SEQUENCE || code == CAIRN_E_CHAIN);
    evil_close(&e);

    fprintf(stderr, "truncated frame\n");
    int64_t tr0 = metric("frames_truncated_total");
    assert_int_equal(evil_hello(&e, B->name), 0);
    n = make_msg(head + 1, hash, "cut short", msg, sizeof msg);
    uint8_t hdr[HL_FRAME_HDR_LEN];
    hl_frame_put_header(hdr, HL_FT_MSG, (uint32_t)n);
    evil_write(&e, hdr, sizeof hdr);
    evil_write(&e, msg, (size_t)n / 2);
    hh_sleep_ms(200);
    evil_close(&e);
    for (int i = 0; i < 50 && metric("frames_truncated_total") == tr0; i++)
        hh_sleep_ms(100);
    assert_int_equal(metric("frames_truncated_total"), tr0 + 1);

    fprintf(stderr, "oversized frame\n");
    assert_int_equal(evil_hello(&e, B->name), 0);
    hl_frame_put_header(hdr, HL_FT_MSG, HL_FRAME_MAX_LEN + 1);
    evil_write(&e, hdr, sizeof hdr);
    assert_int_equal(evil_expect_error(&e, NULL), CAIRN_E_TOOBIG);
    evil_close(&e);
    assert_int_equal(metric("frames_oversized_total"), 1);

    fprintf(stderr, "unknown frame type\n");
    assert_int_equal(evil_hello(&e, B->name), 0);
    evil_frame(&e, 0x42, "?", 1);
    assert_int_equal(evil_expect_error(&e, NULL), CAIRN_E_MSGTYPE);
    evil_close(&e);
    assert_int_equal(metric("frames_bad_type_total"), 1);

    fprintf(stderr, "message of an unknown type\n");
    assert_int_equal(evil_hello(&e, B->name), 0);
    n = make_msg(head + 1, hash, "what is this", msg, sizeof msg);
    /* Rename the type in the signed body, same length, and sign again. */
    uint8_t *t = NULL;
    for (int i = 0; i + 9 <= n && !t; i++)
        if (!memcmp(msg + i, "FREE_TEXT", 9))
            t = msg + i;
    assert_non_null(t);
    memcpy(t, "FREE_JOKE", 9);
    static const char ctx_msg[] = "cairn-hl-msg-v1";
    size_t body_len = (size_t)n - HL_SIG_LEN;
    static uint8_t tosign[sizeof ctx_msg + HL_MSG_MAX_LEN];
    memcpy(tosign, ctx_msg, sizeof ctx_msg); /* with its NUL */
    memcpy(tosign + sizeof ctx_msg, msg, body_len);
    crypto_sign_detached(msg + body_len, NULL, tosign, sizeof ctx_msg + body_len, BID.sign_sk);
    evil_frame(&e, HL_FT_MSG, msg, (size_t)n);
    assert_int_equal(evil_expect_error(&e, NULL), CAIRN_E_MSGTYPE);
    evil_close(&e);
    assert_true(metric("journal_rej_msgtype_total") >= 1);

    fprintf(stderr, "HELLO from a centre not on the roster\n");
    assert_int_equal(evil_hello(&e, "NOBODY-CC"), 0);
    assert_int_equal(evil_expect_error(&e, NULL), CAIRN_E_ROSTER);
    evil_close(&e);
    assert_int_equal(metric("hello_refused_total"), 1);
    assert_true(hh_log_count(A, "not on the roster") >= 1);

    fprintf(stderr, "unknown certificate\n");
    evil_connect(&e, UNK_CERT, UNK_KEY, 0);
    assert_int_equal(evil_expect_error(&e, NULL), 0); /* nothing but the close */
    evil_close(&e);
    for (int i = 0; i < 50 && metric("tls_unknown_cert_total") < 1; i++)
        hh_sleep_ms(100);
    assert_int_equal(metric("tls_unknown_cert_total"), 1);

    fprintf(stderr, "expired certificate on the roster\n");
    evil_connect(&e, EXP_CERT, EXP_KEY, 0);
    assert_int_equal(evil_expect_error(&e, NULL), 0);
    evil_close(&e);
    for (int i = 0; i < 50 && metric("tls_expired_cert_total") < 1; i++)
        hh_sleep_ms(100);
    assert_int_equal(metric("tls_expired_cert_total"), 1);

    fprintf(stderr, "TLS 1.2 client\n");
    int64_t hs0 = metric("handshake_failures_total");
    assert_int_not_equal(evil_connect(&e, BID.tls_cert_path, BID.tls_key_path, TLS1_2_VERSION), 0);
    evil_close(&e);
    for (int i = 0; i < 50 && metric("handshake_failures_total") == hs0; i++)
        hh_sleep_ms(100);
    assert_true(metric("handshake_failures_total") > hs0);
    assert_true(hh_log_count(A, "unsupported protocol") >= 1);

    fprintf(stderr, "connection flood\n");
    int fds[80];
    for (int i = 0; i < 80; i++) {
        fds[i] = socket(AF_INET, SOCK_STREAM, 0);
        struct sockaddr_in sin = {.sin_family = AF_INET,
                                  .sin_port = htons((uint16_t)A->port),
                                  .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
        connect(fds[i], (struct sockaddr *)&sin, sizeof sin);
        /* the start of a TLS record, then nothing: a stalled handshake (an
         * idle connection is not even handed to the link: TCP_DEFER_ACCEPT) */
        const unsigned char tls_rec[3] = {0x16, 0x03, 0x01};
        if (write(fds[i], tls_rec, sizeof tls_rec) != 3)
            fprintf(stderr, "write: %s\n", strerror(errno));
    }
    for (int i = 0; i < 50 && metric("accepts_refused_total") < 16; i++)
        hh_sleep_ms(100);
    assert_true(metric("accepts_refused_total") >= 16); /* 80 - the limit of 64: evicted (A4) */
    for (int i = 0; i < 80; i++)
        close(fds[i]);

    /* Nothing of the attacks was stored: A still holds B's 3 messages. */
    int64_t s, d, rcv;
    int up;
    assert_int_equal(hh_status(A, B->name, &s, &d, &rcv, &up), 0);
    assert_int_equal(rcv, 3);

    /* ---- the link survives: B comes back, traffic flows both ways ---- */
    assert_int_equal(hh_start(B), 0);
    assert_int_equal(hh_wait_up(A, B, 20000), 0);
    json_decref(hh_call(A,
                        "{\"op\":\"send\",\"to\":\"%s\",\"type\":\"FREE_TEXT\",\"count\":10,"
                        "\"fields\":{\"body\":\"after\"}}",
                        B->name));
    json_decref(hh_call(B,
                        "{\"op\":\"send\",\"to\":\"%s\",\"type\":\"FREE_TEXT\",\"count\":10,"
                        "\"fields\":{\"body\":\"after\"}}",
                        A->name));
    assert_int_equal(hh_wait_synced(A, B, 30000), 0);
    assert_int_equal(hh_status(A, B->name, &s, &d, &rcv, &up), 0);
    assert_int_equal(rcv, 13);
    assert_int_equal(hh_stop(A, SIGTERM), 0);
    assert_int_equal(hh_stop(B, SIGTERM), 0);
    assert_int_equal(hh_verify(&H, A), 0);
    assert_int_equal(hh_verify(&H, B), 0);
    hl_identity_wipe(&BID);
    PASSED++;
}

/* A message B -> A like make_msg, but its body (same length as `shape`,
 * which the builder accepts) replaced by `body` behind the builder's back,
 * and case id `case_id` set the same way: what a hostile encoder sends. */
static int make_raw_msg(uint64_t seq, const uint8_t prev[HL_HASH_LEN], const char *shape,
                        const char *body, const char *case_id, uint8_t *out, size_t cap)
{
    static struct hl_msg m;
    hl_msg_init(&m, HL_T_FREE_TEXT);
    hl_msg_set_receiver(&m, A->name);
    assert_int_equal(hl_msg_add_str(&m, "body", shape), 0);
    assert_int_equal(strlen(shape), strlen(body));
    memcpy(m.text + hl_msg_field(&m, "body")->s_off, body, strlen(body));
    snprintf(m.case_id, sizeof m.case_id, "%s", case_id);
    snprintf(m.sender, sizeof m.sender, "%s", B->name);
    m.seq = seq;
    memcpy(m.prev_hash, prev, HL_HASH_LEN);
    m.created_utc_ms = (int64_t)time(NULL) * 1000;
    hl_msg_sign(&m, BID.sign_sk);
    return hl_msg_encode(&m, out, cap);
}

/* No line of n's log starts with s (a forged line would). */
static void assert_no_line_starts(struct hnode *n, const char *s)
{
    FILE *f = fopen(n->log, "r");
    assert_non_null(f);
    char line[4096];
    while (fgets(line, sizeof line, f))
        if (!strncmp(line, s, strlen(s)))
            fail_msg("forged log line in %s: %s", n->log, line);
    fclose(f);
}

/* n's log holds no byte c (ESC, CR: they would reach the terminal that
 * tails it). */
static void assert_log_lacks_byte(struct hnode *n, int c)
{
    FILE *f = fopen(n->log, "rb");
    assert_non_null(f);
    int ch;
    while ((ch = fgetc(f)) != EOF)
        if (ch == c)
            fail_msg("byte 0x%02x in %s", c, n->log);
    fclose(f);
}

static void test_control_characters_from_peer(void **state)
{
    (void)state;
    char keys[600];
    snprintf(keys, sizeof keys, "%s/keys", B->dir);
    assert_int_equal(hl_identity_load(keys, &BID), 0);
    uint64_t head;
    uint8_t hash[HL_HASH_LEN];
    static uint8_t raw1[HL_MSG_MAX_LEN], msg[HL_MSG_MAX_LEN];
    int raw1_len;
    b_head(&head, hash, raw1, &raw1_len);
    assert_int_equal(hh_start(A), 0);
    struct evil e;
    int64_t pv0 = metric("proto_violations_total");

    /* ESC (a terminal's title and screen), CR LF and a forged log line, a
     * bidi override: in a field */
    static const char *const bodies[] = {
        "\x1b]0;pwned\x07\x1b[2J",
        "ok\r\ncairn: error hotline: forged line",
        "abc \xe2\x80\xae txt.exe",
    };
    for (size_t i = 0; i < sizeof bodies / sizeof bodies[0]; i++) {
        fprintf(stderr, "control characters in a field (%zu)\n", i);
        char shape[128];
        memset(shape, 'x', strlen(bodies[i]));
        shape[strlen(bodies[i])] = 0;
        int64_t rf0 = metric("journal_rej_field_total");
        assert_int_equal(evil_hello(&e, B->name), 0);
        int n = make_raw_msg(head + 1, hash, shape, bodies[i], "", msg, sizeof msg);
        assert_true(n > 0);
        evil_frame(&e, HL_FT_MSG, msg, (size_t)n);
        assert_int_equal(evil_expect_error(&e, NULL), CAIRN_E_FIELD);
        evil_close(&e);
        assert_int_equal(metric("journal_rej_field_total"), rf0 + 1);
    }
    assert_int_equal(metric("proto_violations_total"), pv0 + 3);
    assert_true(hh_log_count(A, "control character or invalid UTF-8 in 'body'") >= 3);

    fprintf(stderr, "CR in a case id\n");
    assert_int_equal(evil_hello(&e, B->name), 0);
    int n = make_raw_msg(head + 1, hash, "fine", "fine", "B/1\rcairn: error", msg, sizeof msg);
    evil_frame(&e, HL_FT_MSG, msg, (size_t)n);
    assert_int_equal(evil_expect_error(&e, NULL), CAIRN_E_FORMAT);
    evil_close(&e);
    assert_int_equal(metric("proto_violations_total"), pv0 + 4);

    fprintf(stderr, "newline in a HELLO name\n");
    assert_int_equal(evil_hello(&e, "WARSAW-CC\ncairn: error hotline: forged hello"), 0);
    assert_int_equal(evil_expect_error(&e, NULL), CAIRN_E_FORMAT);
    evil_close(&e);

    fprintf(stderr, "newline and ESC in an ERROR text\n");
    assert_int_equal(evil_hello(&e, B->name), 0);
    struct hl_error er = {.code = CAIRN_E_FIELD, .seq = 1};
    snprintf(er.text, sizeof er.text, "%s", "no\ncairn: error hotline: forged error\x1b[2J");
    uint8_t ebuf[HL_ERROR_MAX_LEN];
    int en = hl_error_encode(&er, ebuf, sizeof ebuf);
    assert_true(en > 0);
    evil_frame(&e, HL_FT_ERROR, ebuf, (size_t)en);
    for (int i = 0; i < 50 && hh_log_count(A, "forged error") < 1; i++)
        hh_sleep_ms(100);
    evil_close(&e);
    assert_int_equal(hh_log_count(A, "no\\ncairn: error hotline: forged error\\x1b[2J"), 1);

    /* Nothing stored; no forged line, no ESC or CR in A's log. */
    int64_t s, d, rcv;
    int up;
    assert_int_equal(hh_status(A, B->name, &s, &d, &rcv, &up), 0);
    assert_int_equal(rcv, (int64_t)head);
    assert_no_line_starts(A, "cairn: error hotline: forged");
    assert_log_lacks_byte(A, 0x1b);
    assert_log_lacks_byte(A, '\r');

    /* The link survives: B's next messages arrive. */
    assert_int_equal(hh_start(B), 0);
    assert_int_equal(hh_wait_up(A, B, 20000), 0);
    json_decref(hh_call(B,
                        "{\"op\":\"send\",\"to\":\"%s\",\"type\":\"FREE_TEXT\",\"count\":2,"
                        "\"fields\":{\"body\":\"still here\"}}",
                        A->name));
    assert_int_equal(hh_wait_synced(A, B, 30000), 0);
    assert_int_equal(hh_status(A, B->name, &s, &d, &rcv, &up), 0);
    assert_int_equal(rcv, (int64_t)head + 2);
    assert_int_equal(hh_stop(A, SIGTERM), 0);
    assert_int_equal(hh_stop(B, SIGTERM), 0);
    assert_int_equal(hh_verify(&H, A), 0);
    hl_identity_wipe(&BID);
    PASSED++;
}

static void test_relayed_message(void **state)
{
    (void)state;
    char keys[600];
    snprintf(keys, sizeof keys, "%s/keys", B->dir);
    assert_int_equal(hl_identity_load(keys, &BID), 0);
    assert_int_equal(hh_start(A), 0);
    fprintf(stderr, "B relays a message signed by EXPIRED-CC (on the roster)\n");
    static struct hl_msg m;
    static uint8_t msg[HL_MSG_MAX_LEN];
    hl_msg_init(&m, HL_T_EXPLANATION_REQUEST); /* would open a case */
    hl_msg_set_receiver(&m, A->name);
    assert_int_equal(hl_msg_add_str(&m, "activity", "relayed"), 0);
    snprintf(m.sender, sizeof m.sender, "EXPIRED-CC");
    snprintf(m.case_id, sizeof m.case_id, "EXPIRED-CC/1");
    m.seq = 1;
    m.created_utc_ms = (int64_t)time(NULL) * 1000;
    assert_int_equal(hl_msg_sign(&m, EXP_SK), 0);
    int n = hl_msg_encode(&m, msg, sizeof msg);
    assert_true(n > 0);
    int64_t rej0 = metric("msgs_rejected_total");
    struct evil e;
    assert_int_equal(evil_hello(&e, B->name), 0);
    evil_frame(&e, HL_FT_MSG, msg, (size_t)n);
    assert_int_equal(evil_expect_error(&e, NULL), CAIRN_E_ROSTER);
    evil_close(&e);
    assert_int_equal(metric("msgs_rejected_total"), rej0 + 1);
    /* Nothing stored, no case opened. */
    json_t *r = hh_call(A, "{\"op\":\"list\",\"peer\":\"EXPIRED-CC\",\"limit\":0}");
    assert_non_null(r);
    assert_int_equal(json_integer_value(json_object_get(r, "count")), 0);
    json_decref(r);
    r = hh_call(A, "{\"op\":\"cases\"}");
    assert_non_null(r);
    size_t i;
    json_t *c;
    json_array_foreach(json_object_get(r, "cases"), i, c)
        assert_string_not_equal(json_string_value(json_object_get(c, "peer")), "EXPIRED-CC");
    json_decref(r);
    assert_true(hh_log_count(A, "names another sender") >= 1);
    assert_int_equal(hh_stop(A, SIGTERM), 0);
    assert_int_equal(hh_verify(&H, A), 0);
    hl_identity_wipe(&BID);
    PASSED++;
}

static int setup(void **state)
{
    (void)state;
    const char *names[] = {"MOSCOW-CC", "WARSAW-CC"};
    if (hh_setup(&H, 2, names) != 0)
        return -1;
    A = &H.n[0];
    B = &H.n[1];
    /* The flood below is 80 connections from one address against this
     * per-address limit of unauthenticated connections (A4). */
    snprintf(A->extra_ini, sizeof A->extra_ini, "unauth_per_source = 64\n");
    if (hh_write_ini(&H, A) != 0)
        return -1;
    snprintf(EXP_CERT, sizeof EXP_CERT, "%s/expired.crt", H.dir);
    snprintf(EXP_KEY, sizeof EXP_KEY, "%s/expired.key", H.dir);
    snprintf(UNK_CERT, sizeof UNK_CERT, "%s/unknown.crt", H.dir);
    snprintf(UNK_KEY, sizeof UNK_KEY, "%s/unknown.key", H.dir);
    /* Expired yesterday, valid for a day before that. */
    if (make_cert(EXP_CERT, EXP_KEY, "EXPIRED-CC", -2 * 86400, -86400) != 0 ||
        make_cert(UNK_CERT, UNK_KEY, "STRANGER", -60, 86400) != 0)
        return -1;
    /* Put the expired certificate on the roster, so only its dates refuse it. */
    uint8_t fp[HL_FP_LEN];
    char hex[2 * HL_FP_LEN + 1], pub[200];
    if (hl_tls_file_fp(EXP_CERT, fp) != 0)
        return -1;
    hl_tls_fp_hex(fp, hex);
    /* A signing key of its own (the roster refuses a key used twice). */
    uint8_t pk[crypto_sign_PUBLICKEYBYTES];
    crypto_sign_keypair(pk, EXP_SK);
    sodium_bin2hex(pub, sizeof pub, pk, sizeof pk);
    FILE *f;
    f = fopen(H.roster, "a");
    fprintf(f, "\n[EXPIRED-CC]\nparty = NATO\nsign_key = %s\ntls_fingerprint = %s\n", pub, hex);
    fclose(f);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    hh_teardown(&H, PASSED == 3);
    return 0;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_hostile),
        cmocka_unit_test(test_control_characters_from_peer),
        cmocka_unit_test(test_relayed_message),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
