/*
 * identity.h — a centre's keys, and the roster of centres it trusts.
 *
 * Key idea: trust is a file. A centre has an Ed25519 signing key (libsodium)
 * for hotline messages, receipts and checkpoints, and a separate TLS key and
 * self-signed certificate for the link. The roster (INI, one section per
 * centre) lists every centre this one talks to, itself included: its party,
 * signing public key, the SHA-256 fingerprint of its TLS certificate and its
 * address. Nothing outside the roster gets in: the link looks a peer up by
 * certificate fingerprint, the journal looks a sender up by name.
 *
 * Key directory (written by `cairn keygen`, mode 0700; secret files 0600):
 *   sign.key   hex of the 64-byte libsodium Ed25519 secret key
 *   sign.pub   hex of the 32-byte public key
 *   tls.key    PEM private key (Ed25519, OpenSSL 3)
 *   tls.crt    PEM self-signed certificate, CN = centre name
 *   centre.ini the identity: name, party
 *   roster.ini this centre's roster section, to paste into the rosters
 *
 * Roster section:
 *   [WARSAW-CC]
 *   party = NATO
 *   sign_key = <64 hex digits>          (base64 also accepted)
 *   tls_fingerprint = <64 hex digits, ':' separators allowed>
 *   address = 127.0.0.1:7441
 *
 * References: RFC 8032 (Ed25519), RFC 8410 (Ed25519 in X.509), inih r55.
 */
#ifndef CAIRN_HOTLINE_IDENTITY_H
#define CAIRN_HOTLINE_IDENTITY_H

#include <stddef.h>
#include <stdint.h>

#include "hotline/msg.h"

#define HL_PARTY_MAX  32
#define HL_ADDR_MAX   128
#define HL_ROSTER_MAX 64 /* centres per roster: the CAI had 2 centres + 6 local units */
#define HL_FP_LEN     32 /* SHA-256 of the DER certificate */

struct hl_identity {
    char name[HL_NAME_MAX + 1];
    char party[HL_PARTY_MAX + 1];
    uint8_t sign_pk[HL_PK_LEN];
    uint8_t sign_sk[HL_SK_LEN];
    char tls_key_path[512]; /* for the link's SSL_CTX */
    char tls_cert_path[512];
};

struct hl_centre {
    char name[HL_NAME_MAX + 1];
    char party[HL_PARTY_MAX + 1];
    uint8_t sign_pk[HL_PK_LEN];
    uint8_t tls_fp[HL_FP_LEN];
    char address[HL_ADDR_MAX + 1]; /* "host:port", may be "" */
};

struct hl_roster {
    size_t n;
    struct hl_centre c[HL_ROSTER_MAX];
};

/* Make a new identity in dir (created 0700 if absent; an existing
 * sign.key is CAIRN_E_EXISTS): Ed25519 signing key pair, TLS key and
 * self-signed certificate valid for valid_days. Fills *out (may be NULL).
 * 0, CAIRN_E_EXISTS, CAIRN_E_IO, CAIRN_E_INVAL (bad name). */
int hl_identity_create(const char *dir, const char *name, const char *party, int valid_days,
                       struct hl_identity *out);
/* Load an identity from dir. Refuses (CAIRN_E_STATE) a sign.key or tls.key
 * that hl_key_file_check() refuses. 0, CAIRN_E_IO, CAIRN_E_FORMAT,
 * CAIRN_E_STATE. */
int hl_identity_load(const char *dir, struct hl_identity *out);
/* A secret key file must be a regular file with no group or other
 * permission bits (0600 or 0400) owned by the user running us, as ssh
 * demands of its keys: anyone else who can read it can sign as this
 * centre. 0, CAIRN_E_IO (cannot stat it) or CAIRN_E_STATE; on an error,
 * why (when non-NULL) gets one sentence naming the file, what is wrong and
 * the fix ("chmod 600 FILE"). */
int hl_key_file_check(const char *path, char *why, size_t cap);
/* Wipe the secret key. */
void hl_identity_wipe(struct hl_identity *id);

/* SHA-256 fingerprint of the PEM certificate at path. 0, CAIRN_E_IO, CAIRN_E_FORMAT. */
int hl_cert_fingerprint_file(const char *path, uint8_t fp[HL_FP_LEN]);
/* ... of a DER certificate in memory (what the link gets from the peer). */
int hl_cert_fingerprint_der(const uint8_t *der, size_t len, uint8_t fp[HL_FP_LEN]);

/* Write the roster section of id (its cert fingerprint read from its
 * tls_cert_path) to buf; address may be NULL for a placeholder. */
int hl_identity_roster_line(const struct hl_identity *id, const char *address, char *buf,
                            size_t cap);

/* Load a roster file. Every section must have party, sign_key and
 * tls_fingerprint; duplicate names or fingerprints are refused. On error
 * *line (if non-NULL) gets the offending line number (0 when unknown).
 * 0, CAIRN_E_IO, CAIRN_E_FORMAT, CAIRN_E_FULL. */
int hl_roster_load(const char *path, struct hl_roster *out, int *line);
/* Parse roster text (same rules). */
int hl_roster_parse(const char *text, struct hl_roster *out, int *line);
/* Lookups: the centre, or NULL (not on the roster). Borrowed from r. */
const struct hl_centre *hl_roster_find(const struct hl_roster *r, const char *name);
const struct hl_centre *hl_roster_find_fp(const struct hl_roster *r, const uint8_t fp[HL_FP_LEN]);

/* Base64 (standard alphabet, padded) or hex key text to bytes; 0 or CAIRN_E_FORMAT. */
int hl_key_parse(const char *text, uint8_t *out, size_t n);

#endif
