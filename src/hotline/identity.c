/*
 * identity.c — centre keys (libsodium Ed25519 for signing; OpenSSL 3 for
 * the TLS key and self-signed certificate) and the roster (inih). See
 * identity.h for the files and the roster format.
 *
 * Key idea: secrets are written with O_EXCL and mode 0600 from the first
 * byte (never chmod'ed afterwards), in a directory created 0700; loading
 * refuses a signing key that group or others could read, as ssh does.
 *
 * References: RFC 8032; RFC 8410 (Ed25519 certificates); OpenSSL 3
 * EVP_PKEY_Q_keygen(3), X509_sign(3); inih r55.
 */
#include "hotline/identity.h"

#include <errno.h>
#include <fcntl.h>
#include <ini.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/error.h"
#include "base/hex.h"

static int path_join(char *out, size_t cap, const char *dir, const char *file)
{
    int n = snprintf(out, cap, "%s/%s", dir, file);
    return (n < 0 || (size_t)n >= cap) ? CAIRN_E_TOOBIG : 0;
}

/* Write len bytes to a new file of the given mode (O_EXCL: never overwrite). */
static int write_new(const char *path, const void *data, size_t len, mode_t mode)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL, mode);
    if (fd < 0)
        return errno == EEXIST ? CAIRN_E_EXISTS : CAIRN_E_IO;
    const char *p = data;
    while (len) {
        ssize_t w = write(fd, p, len);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            close(fd);
            return CAIRN_E_IO;
        }
        p += w;
        len -= (size_t)w;
    }
    if (fsync(fd) != 0 || close(fd) != 0)
        return CAIRN_E_IO;
    return 0;
}

/* Read a small text file (< cap bytes) into buf, NUL-terminated. */
static int read_small(const char *path, char *buf, size_t cap)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return CAIRN_E_IO;
    size_t n = fread(buf, 1, cap - 1, f);
    int err = ferror(f);
    fclose(f);
    if (err)
        return CAIRN_E_IO;
    buf[n] = 0;
    while (n && (buf[n - 1] == '\n' || buf[n - 1] == '\r' || buf[n - 1] == ' '))
        buf[--n] = 0;
    return 0;
}

static bool name_ok(const char *s, size_t max)
{
    size_t n = strlen(s);
    if (n == 0 || n > max)
        return false;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
              c == '-' || c == '_' || c == '.'))
            return false;
    }
    return true;
}

/* The TLS key and self-signed certificate, PEM, into dir. */
static int make_tls(const char *dir, const char *name, int valid_days)
{
    int rc = CAIRN_E_IO;
    EVP_PKEY *pk = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
    X509 *x = X509_new();
    BIO *kb = BIO_new(BIO_s_mem());
    BIO *cb = BIO_new(BIO_s_mem());
    if (!pk || !x || !kb || !cb)
        goto out;
    uint8_t serial[16];
    randombytes_buf(serial, sizeof serial);
    serial[0] &= 0x7F; /* a positive INTEGER (RFC 5280 §4.1.2.2) */
    BIGNUM *bn = BN_bin2bn(serial, sizeof serial, NULL);
    if (!bn || !BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(x))) {
        BN_free(bn);
        goto out;
    }
    BN_free(bn);
    X509_set_version(x, 2);                         /* X.509 v3 */
    X509_gmtime_adj(X509_getm_notBefore(x), -3600); /* an hour of slack for skewed peers */
    X509_gmtime_adj(X509_getm_notAfter(x), (long)valid_days * 86400);
    X509_NAME *xn = X509_get_subject_name(x);
    X509_NAME_add_entry_by_txt(xn, "CN", MBSTRING_UTF8, (const unsigned char *)name, -1, -1, 0);
    X509_set_issuer_name(x, xn);
    if (!X509_set_pubkey(x, pk) || !X509_sign(x, pk, NULL)) /* Ed25519: no digest */
        goto out;
    if (!PEM_write_bio_PrivateKey(kb, pk, NULL, NULL, 0, NULL, NULL) || !PEM_write_bio_X509(cb, x))
        goto out;
    char *kp, *cp, path[1024];
    long kl = BIO_get_mem_data(kb, &kp);
    long cl = BIO_get_mem_data(cb, &cp);
    if ((rc = path_join(path, sizeof path, dir, "tls.key")) ||
        (rc = write_new(path, kp, (size_t)kl, 0600)))
        goto out;
    if ((rc = path_join(path, sizeof path, dir, "tls.crt")) ||
        (rc = write_new(path, cp, (size_t)cl, 0644)))
        goto out;
    rc = 0;
out:
    BIO_free(kb);
    BIO_free(cb);
    X509_free(x);
    EVP_PKEY_free(pk);
    return rc;
}

int hl_identity_create(const char *dir, const char *name, const char *party, int valid_days,
                       struct hl_identity *out)
{
    if (!name_ok(name, HL_NAME_MAX) || !name_ok(party, HL_PARTY_MAX) || valid_days < 1)
        return CAIRN_E_INVAL;
    if (sodium_init() < 0)
        return CAIRN_E_STATE;
    if (mkdir(dir, 0700) != 0 && errno != EEXIST)
        return CAIRN_E_IO;
    struct stat st;
    if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode))
        return CAIRN_E_IO;
    char path[1024];
    int rc;
    if ((rc = path_join(path, sizeof path, dir, "sign.key")))
        return rc;
    if (access(path, F_OK) == 0)
        return CAIRN_E_EXISTS;

    struct hl_identity id;
    memset(&id, 0, sizeof id);
    snprintf(id.name, sizeof id.name, "%s", name);
    snprintf(id.party, sizeof id.party, "%s", party);
    crypto_sign_keypair(id.sign_pk, id.sign_sk);
    char hex[2 * HL_SK_LEN + 2];
    hex_encode(id.sign_sk, HL_SK_LEN, hex);
    strcat(hex, "\n");
    rc = write_new(path, hex, strlen(hex), 0600);
    sodium_memzero(hex, sizeof hex);
    if (rc)
        goto fail;
    hex_encode(id.sign_pk, HL_PK_LEN, hex);
    strcat(hex, "\n");
    if ((rc = path_join(path, sizeof path, dir, "sign.pub")) ||
        (rc = write_new(path, hex, strlen(hex), 0644)))
        goto fail;
    if ((rc = make_tls(dir, name, valid_days)))
        goto fail;
    char ini[256];
    snprintf(ini, sizeof ini, "# cairn centre identity\nname = %s\nparty = %s\n", name, party);
    if ((rc = path_join(path, sizeof path, dir, "centre.ini")) ||
        (rc = write_new(path, ini, strlen(ini), 0644)))
        goto fail;
    path_join(id.tls_key_path, sizeof id.tls_key_path, dir, "tls.key");
    path_join(id.tls_cert_path, sizeof id.tls_cert_path, dir, "tls.crt");
    char line[1024];
    if ((rc = hl_identity_roster_line(&id, NULL, line, sizeof line)))
        goto fail;
    if ((rc = path_join(path, sizeof path, dir, "roster.ini")) ||
        (rc = write_new(path, line, strlen(line), 0644)))
        goto fail;
    if (out)
        *out = id;
    hl_identity_wipe(&id);
    return 0;
fail:
    hl_identity_wipe(&id);
    return rc;
}

struct centre_ini {
    char name[HL_NAME_MAX + 1];
    char party[HL_PARTY_MAX + 1];
};

static int centre_ini_cb(void *user, const char *section, const char *name, const char *value)
{
    struct centre_ini *c = user;
    if (section[0])
        return 1;
    if (!strcmp(name, "name"))
        snprintf(c->name, sizeof c->name, "%s", value);
    else if (!strcmp(name, "party"))
        snprintf(c->party, sizeof c->party, "%s", value);
    return 1;
}

int hl_key_file_check(const char *path, char *why, size_t cap)
{
    struct stat st;
    char dummy[1];
    if (!why || cap == 0)
        why = dummy, cap = sizeof dummy;
    if (stat(path, &st) != 0) {
        snprintf(why, cap, "cannot read %s: %s", path, strerror(errno));
        return CAIRN_E_IO;
    }
    if (!S_ISREG(st.st_mode)) {
        snprintf(why, cap, "%s is not a regular file", path);
        return CAIRN_E_STATE;
    }
    unsigned mode = (unsigned)(st.st_mode & 07777);
    if (mode & 077) {
        snprintf(why, cap,
                 "%s has mode %04o: a secret key must be readable by its owner only "
                 "(0600); fix: chmod 600 %s",
                 path, mode, path);
        return CAIRN_E_STATE;
    }
    if (st.st_uid != geteuid()) {
        snprintf(why, cap,
                 "%s is owned by uid %u, not by the user running cairn (uid %u); fix: "
                 "chown %u %s, or run cairn as its owner",
                 path, (unsigned)st.st_uid, (unsigned)geteuid(), (unsigned)geteuid(), path);
        return CAIRN_E_STATE;
    }
    return 0;
}

int hl_identity_load(const char *dir, struct hl_identity *out)
{
    char path[1024], buf[512];
    int rc;
    memset(out, 0, sizeof *out);
    if (sodium_init() < 0)
        return CAIRN_E_STATE;
    if ((rc = path_join(path, sizeof path, dir, "tls.key")) ||
        (rc = hl_key_file_check(path, NULL, 0)))
        return rc;
    if ((rc = path_join(path, sizeof path, dir, "sign.key")) ||
        (rc = hl_key_file_check(path, NULL, 0)))
        return rc;
    if ((rc = read_small(path, buf, sizeof buf)))
        return rc;
    rc = (strlen(buf) == 2 * HL_SK_LEN) ? hex_decode(buf, HL_SK_LEN, out->sign_sk) : CAIRN_E_FORMAT;
    sodium_memzero(buf, sizeof buf);
    if (rc)
        return rc;
    crypto_sign_ed25519_sk_to_pk(out->sign_pk, out->sign_sk);
    struct centre_ini ci = {"", ""};
    if ((rc = path_join(path, sizeof path, dir, "centre.ini")))
        return rc;
    if (ini_parse(path, centre_ini_cb, &ci) != 0 || !ci.name[0]) {
        hl_identity_wipe(out);
        return CAIRN_E_FORMAT;
    }
    memcpy(out->name, ci.name, sizeof out->name);
    memcpy(out->party, ci.party, sizeof out->party);
    path_join(out->tls_key_path, sizeof out->tls_key_path, dir, "tls.key");
    path_join(out->tls_cert_path, sizeof out->tls_cert_path, dir, "tls.crt");
    return 0;
}

void hl_identity_wipe(struct hl_identity *id)
{
    sodium_memzero(id->sign_sk, sizeof id->sign_sk);
}

int hl_cert_fingerprint_der(const uint8_t *der, size_t len, uint8_t fp[HL_FP_LEN])
{
    crypto_hash_sha256(fp, der, len);
    return 0;
}

int hl_cert_fingerprint_file(const char *path, uint8_t fp[HL_FP_LEN])
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return CAIRN_E_IO;
    X509 *x = PEM_read_X509(f, NULL, NULL, NULL);
    fclose(f);
    if (!x)
        return CAIRN_E_FORMAT;
    unsigned int n = 0;
    int ok = X509_digest(x, EVP_sha256(), fp, &n);
    X509_free(x);
    return (ok && n == HL_FP_LEN) ? 0 : CAIRN_E_FORMAT;
}

int hl_identity_roster_line(const struct hl_identity *id, const char *address, char *buf,
                            size_t cap)
{
    uint8_t fp[HL_FP_LEN];
    int rc = hl_cert_fingerprint_file(id->tls_cert_path, fp);
    if (rc)
        return rc;
    char pk_hex[2 * HL_PK_LEN + 1], fp_hex[2 * HL_FP_LEN + 1];
    hex_encode(id->sign_pk, HL_PK_LEN, pk_hex);
    hex_encode(fp, HL_FP_LEN, fp_hex);
    int n =
        snprintf(buf, cap, "[%s]\nparty = %s\nsign_key = %s\ntls_fingerprint = %s\naddress = %s\n",
                 id->name, id->party, pk_hex, fp_hex, address ? address : "HOST:PORT");
    return (n < 0 || (size_t)n >= cap) ? CAIRN_E_TOOBIG : 0;
}

/* ---- keys in text ------------------------------------------------------------ */

int hl_key_parse(const char *text, uint8_t *out, size_t n)
{
    char clean[512];
    size_t k = 0;
    for (const char *p = text; *p; p++) {
        if (*p == ':' || *p == ' ')
            continue;
        if (k + 1 >= sizeof clean)
            return CAIRN_E_FORMAT;
        clean[k++] = *p;
    }
    clean[k] = 0;
    if (k == 2 * n)
        return hex_decode(clean, n, out);
    size_t got = 0;
    if (sodium_base642bin(out, n, clean, k, NULL, &got, NULL, sodium_base64_VARIANT_ORIGINAL) ==
            0 &&
        got == n)
        return 0;
    return CAIRN_E_FORMAT;
}

/* ---- roster -------------------------------------------------------------------- */

struct roster_parse {
    struct hl_roster *r;
    unsigned have; /* bits: 1 party, 2 sign_key, 4 tls_fingerprint, for the last section */
    int err;
};

static int section_done(struct roster_parse *p)
{
    if (p->r->n == 0)
        return 1;
    return (p->have & 7) == 7;
}

static int roster_cb(void *user, const char *section, const char *name, const char *value)
{
    struct roster_parse *p = user;
    struct hl_roster *r = p->r;
    if (!section[0]) {
        p->err = CAIRN_E_FORMAT; /* keys outside a section */
        return 0;
    }
    struct hl_centre *c = r->n ? &r->c[r->n - 1] : NULL;
    if (!c || strcmp(c->name, section) != 0) {
        if (!section_done(p) || hl_roster_find(r, section)) {
            p->err = CAIRN_E_FORMAT; /* previous section incomplete, or repeated */
            return 0;
        }
        if (r->n >= HL_ROSTER_MAX) {
            p->err = CAIRN_E_FULL;
            return 0;
        }
        if (!name_ok(section, HL_NAME_MAX)) {
            p->err = CAIRN_E_FORMAT;
            return 0;
        }
        c = &r->c[r->n++];
        memset(c, 0, sizeof *c);
        snprintf(c->name, sizeof c->name, "%s", section);
        p->have = 0;
    }
    if (!strcmp(name, "party")) {
        if (strlen(value) > HL_PARTY_MAX)
            goto bad;
        snprintf(c->party, sizeof c->party, "%s", value);
        p->have |= 1;
    } else if (!strcmp(name, "sign_key")) {
        if (hl_key_parse(value, c->sign_pk, HL_PK_LEN))
            goto bad;
        p->have |= 2;
    } else if (!strcmp(name, "tls_fingerprint")) {
        if (hl_key_parse(value, c->tls_fp, HL_FP_LEN))
            goto bad;
        p->have |= 4;
    } else if (!strcmp(name, "address")) {
        if (strlen(value) > HL_ADDR_MAX)
            goto bad;
        snprintf(c->address, sizeof c->address, "%s", value);
    } else {
        goto bad; /* unknown keys are refused: a typo must not weaken trust */
    }
    return 1;
bad:
    p->err = CAIRN_E_FORMAT;
    return 0;
}

static int roster_finish(struct roster_parse *p, int ini_rc, int *line)
{
    if (line)
        *line = ini_rc > 0 ? ini_rc : 0;
    if (ini_rc < 0)
        return CAIRN_E_IO;
    if (ini_rc > 0)
        return p->err ? p->err : CAIRN_E_FORMAT;
    if (!section_done(p))
        return CAIRN_E_FORMAT;
    /* Fingerprints and keys must be unique: one certificate, one centre. */
    for (size_t i = 0; i < p->r->n; i++)
        for (size_t k = i + 1; k < p->r->n; k++)
            if (!memcmp(p->r->c[i].tls_fp, p->r->c[k].tls_fp, HL_FP_LEN) ||
                !memcmp(p->r->c[i].sign_pk, p->r->c[k].sign_pk, HL_PK_LEN))
                return CAIRN_E_FORMAT;
    return 0;
}

int hl_roster_load(const char *path, struct hl_roster *out, int *line)
{
    struct roster_parse p = {out, 0, 0};
    memset(out, 0, sizeof *out);
    if (sodium_init() < 0)
        return CAIRN_E_STATE;
    return roster_finish(&p, ini_parse(path, roster_cb, &p), line);
}

int hl_roster_parse(const char *text, struct hl_roster *out, int *line)
{
    struct roster_parse p = {out, 0, 0};
    memset(out, 0, sizeof *out);
    if (sodium_init() < 0)
        return CAIRN_E_STATE;
    return roster_finish(&p, ini_parse_string(text, roster_cb, &p), line);
}

const struct hl_centre *hl_roster_find(const struct hl_roster *r, const char *name)
{
    for (size_t i = 0; i < r->n; i++)
        if (!strcmp(r->c[i].name, name))
            return &r->c[i];
    return NULL;
}

const struct hl_centre *hl_roster_find_fp(const struct hl_roster *r, const uint8_t fp[HL_FP_LEN])
{
    for (size_t i = 0; i < r->n; i++)
        if (sodium_memcmp(r->c[i].tls_fp, fp, HL_FP_LEN) == 0)
            return &r->c[i];
    return NULL;
}
