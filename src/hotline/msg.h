/*
 * msg.h — a hotline message, its canonical encoding, hash and signature;
 * receipts and checkpoints (the other two signed objects of the hotline).
 *
 * Key idea: what is signed is a canonical, deterministic byte string of the
 * message's language-neutral content — sender, receiver, sequence number,
 * previous message's hash, creation time, type, case id and the typed fields
 * sorted by name — never the rendered text. There is exactly one encoding of
 * a given message: the decoder refuses anything the encoder would not have
 * produced (unsorted or repeated fields, trailing bytes, over-long strings,
 * invalid UTF-8, control characters in names), so decode(b) succeeding
 * implies encode(decode(b)) == b.
 *
 * Wire form (all integers big-endian, fixed width; "str8/16" = u8/u16 length
 * then that many UTF-8 bytes, no NUL; full description in
 * docs/hotline-messages.md):
 *
 *   body := "CHM1"                 magic and version
 *           str8  sender           centre name
 *           str8  receiver         centre name
 *           u64   seq              1, 2, 3 ... per (sender, receiver) direction
 *           u8[32] prev_hash       hash of message seq-1 (all zero for seq 1)
 *           i64   created_utc_ms   sender's clock, UTC ms since 1970
 *           str8  type             catalogue name, e.g. "EXPLANATION_REQUEST"
 *           str8  case_id          "" when none
 *           u8    n_fields         <= HL_FIELDS_MAX
 *           n_fields × { str8 name; u8 kind; kind 1: i64 | kind 2: str16 }
 *                                  names strictly ascending (bytewise)
 *   message := body  u8[64] sig    Ed25519 over ("cairn-hl-msg-v1" NUL || body)
 *   hash(message) := BLAKE2b-256(body)
 *
 * Hostile input: hl_msg_decode() reads bytes from the network. It is bounds
 * checked everywhere, caps every size (HL_*_MAX below) and allocates nothing.
 * It checks form only (and that the type is in the catalogue); field
 * semantics are hl_catalogue_check()'s job, the signature hl_msg_verify()'s.
 *
 * References: RFC 8032 (Ed25519), RFC 7693 (BLAKE2b), libsodium 1.0.18
 * crypto_sign_detached / crypto_generichash.
 */
#ifndef CAIRN_HOTLINE_MSG_H
#define CAIRN_HOTLINE_MSG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hotline/catalogue.h"

/* Caps. Why these numbers: a hotline message is a human-scale text; 32
 * fields cover the richest catalogue type with room; 4 KiB is more than a
 * page of free text per field and 16 KiB of text per message keeps one
 * message well inside one link frame (HL_MSG_MAX_LEN). */
#define HL_NAME_MAX    64    /* centre name, bytes */
#define HL_TYPE_MAX    32    /* type name, bytes */
#define HL_CASE_MAX    64    /* case id, bytes */
#define HL_FNAME_MAX   32    /* field name, bytes */
#define HL_FIELDS_MAX  32    /* fields per message */
#define HL_STR_MAX     4096  /* one string value, bytes */
#define HL_TEXT_MAX    16384 /* all string values of one message, bytes */
#define HL_MSG_MAX_LEN 20480 /* canonical message (body + sig), bytes */
#define HL_HASH_LEN    32    /* BLAKE2b-256 */
#define HL_SIG_LEN     64    /* Ed25519 signature */
#define HL_PK_LEN      32    /* Ed25519 public key */
#define HL_SK_LEN      64    /* Ed25519 secret key (libsodium form) */

/* Wire kinds of a field value. Catalogue types map onto these two. */
enum hl_kind { HL_KIND_INT = 1, HL_KIND_STR = 2 };

struct hl_field {
    char name[HL_FNAME_MAX + 1]; /* NUL-terminated */
    uint8_t kind;                /* enum hl_kind */
    int64_t i;                   /* HL_KIND_INT */
    uint32_t s_off;              /* HL_KIND_STR: offset of the value in hl_msg.text */
    uint32_t s_len;              /* HL_KIND_STR: length in bytes (no NUL counted) */
};

/*
 * One message. Plain data: it may be copied with memcpy or assignment
 * (string values are offsets into text[], not pointers). About 18 KiB; the
 * link should keep one or two, not arrays of them on the stack.
 */
struct hl_msg {
    char sender[HL_NAME_MAX + 1];
    char receiver[HL_NAME_MAX + 1];
    uint64_t seq;
    uint8_t prev_hash[HL_HASH_LEN];
    int64_t created_utc_ms;
    enum hl_type type;
    char case_id[HL_CASE_MAX + 1];
    uint8_t n_fields;
    struct hl_field fields[HL_FIELDS_MAX]; /* kept sorted by name */
    uint32_t text_len;
    char text[HL_TEXT_MAX]; /* string values, each followed by a NUL */
    uint8_t sig[HL_SIG_LEN];
};

/* ---- building a message ------------------------------------------------ */

/* Zero m and set its type; sender, seq, prev_hash, time and signature are
 * filled by hl_journal_append_outgoing(). */
void hl_msg_init(struct hl_msg *m, enum hl_type type);
/* Set receiver / case id (copied). CAIRN_E_TOOBIG when too long,
 * CAIRN_E_FORMAT for invalid UTF-8 or any control character (hl_text_ok). */
int hl_msg_set_receiver(struct hl_msg *m, const char *receiver);
int hl_msg_set_case(struct hl_msg *m, const char *case_id);
/* Add or replace a field (copied; the list stays sorted). 0, CAIRN_E_FULL
 * (too many fields), CAIRN_E_TOOBIG (string or text too long), CAIRN_E_FIELD
 * (empty/over-long name, invalid UTF-8 or a control character in the value:
 * hl_text_ok with TAB and LF allowed). These do not consult the catalogue;
 * hl_catalogue_check() does. */
int hl_msg_add_int(struct hl_msg *m, const char *name, int64_t v);
int hl_msg_add_str(struct hl_msg *m, const char *name, const char *v);
int hl_msg_add_strn(struct hl_msg *m, const char *name, const char *v, size_t len);
/* Add a field from text as a user types it ("k=v" on the command line): the
 * catalogue says the field's type; ints are decimal, times ISO 8601 UTC
 * ("2026-11-22T10:00:00Z", optional .mmm) or ms since 1970. CAIRN_E_FIELD
 * for a field the type does not have or a value that does not parse. */
int hl_msg_add_text(struct hl_msg *m, const char *name, const char *value);

/* Field lookup by name: the field or NULL. */
const struct hl_field *hl_msg_field(const struct hl_msg *m, const char *name);
/* The NUL-terminated string value of a HL_KIND_STR field (points into m). */
static inline const char *hl_field_str(const struct hl_msg *m, const struct hl_field *f)
{
    return m->text + f->s_off;
}

/* ---- canonical encoding ------------------------------------------------ */

/* Encode the body (everything but the signature) into out[cap]. Returns the
 * length or CAIRN_E_TOOBIG when cap is too small (HL_MSG_MAX_LEN always
 * suffices). Deterministic. */
int hl_msg_encode_body(const struct hl_msg *m, uint8_t *out, size_t cap);
/* Encode the whole message (body then signature). Length or CAIRN_E_TOOBIG. */
int hl_msg_encode(const struct hl_msg *m, uint8_t *out, size_t cap);
/* Decode a whole canonical message from len hostile bytes into *m. 0, or
 * CAIRN_E_TRUNCATED, CAIRN_E_TOOBIG, CAIRN_E_FORMAT (bad magic, order,
 * UTF-8, trailing bytes, non-canonical), CAIRN_E_MSGTYPE (type not in the
 * catalogue). Allocates nothing; *m is garbage on error. */
int hl_msg_decode(struct hl_msg *m, const uint8_t *buf, size_t len);

/* ---- hash and signature ------------------------------------------------ */

/* hash := BLAKE2b-256(body). 0 or CAIRN_E_TOOBIG. */
int hl_msg_hash(const struct hl_msg *m, uint8_t out[HL_HASH_LEN]);
/* Sign m's body with sk (64-byte libsodium Ed25519 secret key) into m->sig. */
int hl_msg_sign(struct hl_msg *m, const uint8_t sk[HL_SK_LEN]);
/* 0 when m->sig is a valid signature of m's body by pk, else CAIRN_E_SIGNATURE. */
int hl_msg_verify(const struct hl_msg *m, const uint8_t pk[HL_PK_LEN]);

/* The same on canonical bytes as received (body || sig, len >= HL_SIG_LEN),
 * without re-encoding: valid only for bytes that hl_msg_decode() accepted
 * (canonical, so the bytes are the encoding). */
void hl_msg_hash_raw(const uint8_t *raw, size_t len, uint8_t out[HL_HASH_LEN]);
int hl_msg_verify_raw(const uint8_t *raw, size_t len, const uint8_t pk[HL_PK_LEN]);

/* ---- receipts ---------------------------------------------------------- */

/*
 * A receipt: the receiver's signed statement that it has stored message
 * (from, to, seq, msg_hash) at stored_utc_ms (its clock). Issued only after
 * the message is durable at the receiver; stored by the sender, which then
 * counts the message as delivered.
 *
 *   receipt := "CHR1" str8 from str8 to u64 seq u8[32] msg_hash
 *              i64 stored_utc_ms u8[64] sig
 *   sig by `to` over ("cairn-hl-rcpt-v1" NUL || everything before sig)
 */
#define HL_RECEIPT_LEN_MAX                                                                         \
    (4 + 1 + HL_NAME_MAX + 1 + HL_NAME_MAX + 8 + HL_HASH_LEN + 8 + HL_SIG_LEN)

struct hl_receipt {
    char from[HL_NAME_MAX + 1]; /* the message's sender */
    char to[HL_NAME_MAX + 1];   /* the message's receiver = the receipt's signer */
    uint64_t seq;
    uint8_t msg_hash[HL_HASH_LEN];
    int64_t stored_utc_ms;
    uint8_t sig[HL_SIG_LEN];
};

/* Length or CAIRN_E_TOOBIG. */
int hl_receipt_encode(const struct hl_receipt *r, uint8_t *out, size_t cap);
/* 0, CAIRN_E_TRUNCATED, CAIRN_E_FORMAT (hostile input, bounds checked). */
int hl_receipt_decode(struct hl_receipt *r, const uint8_t *buf, size_t len);
int hl_receipt_sign(struct hl_receipt *r, const uint8_t sk[HL_SK_LEN]);
/* 0 or CAIRN_E_SIGNATURE. */
int hl_receipt_verify(const struct hl_receipt *r, const uint8_t pk[HL_PK_LEN]);

/* ---- checkpoints ------------------------------------------------------- */

/*
 * A checkpoint: the head of one direction's chain (messages from -> to):
 * `count` messages, the last one's hash `head_hash`. Signed by `signer` (the
 * side that made it) and countersigned by the other side after it checked
 * its own journal holds the same message `count` with the same hash. Both
 * sides store the countersigned checkpoint; afterwards neither can show a
 * different history up to `count` without one of the two signatures failing.
 *
 *   checkpoint := "CHK1" str8 from str8 to u64 count u8[32] head_hash
 *                 i64 made_utc_ms str8 signer u8[64] sig
 *                 str8 countersigner u8[64] countersig   (zeros/"" until countersigned)
 *   sig        over ("cairn-hl-ckpt-v1" NUL || bytes up to and including signer)
 *   countersig over the same bytes (the countersigner endorses the same head)
 */
#define HL_CHECKPOINT_LEN_MAX                                                                      \
    (4 + 3 * (1 + HL_NAME_MAX) + 8 + HL_HASH_LEN + 8 + HL_SIG_LEN + 1 + HL_NAME_MAX + HL_SIG_LEN)

struct hl_checkpoint {
    char from[HL_NAME_MAX + 1];
    char to[HL_NAME_MAX + 1];
    uint64_t count;
    uint8_t head_hash[HL_HASH_LEN];
    int64_t made_utc_ms;
    char signer[HL_NAME_MAX + 1];
    uint8_t sig[HL_SIG_LEN];
    char countersigner[HL_NAME_MAX + 1]; /* "" until countersigned */
    uint8_t countersig[HL_SIG_LEN];
};

int hl_checkpoint_encode(const struct hl_checkpoint *c, uint8_t *out, size_t cap);
int hl_checkpoint_decode(struct hl_checkpoint *c, const uint8_t *buf, size_t len);
int hl_checkpoint_sign(struct hl_checkpoint *c, const uint8_t sk[HL_SK_LEN]);
int hl_checkpoint_countersign_raw(struct hl_checkpoint *c, const char *countersigner,
                                  const uint8_t sk[HL_SK_LEN]);
/* Verify sig with signer_pk and, if countersigner_pk is non-NULL, the
 * countersignature too. 0 or CAIRN_E_SIGNATURE. */
int hl_checkpoint_verify(const struct hl_checkpoint *c, const uint8_t signer_pk[HL_PK_LEN],
                         const uint8_t *countersigner_pk);

/* UTF-8 validity of s[len] (no overlongs, no surrogates, no NUL). */
bool hl_utf8_valid(const char *s, size_t len);
/* Text a person will read, on a screen or in a log: valid UTF-8 without C0
 * controls (NUL included; TAB and LF allowed when free_text), DEL, C1
 * controls (U+0080-U+009F) or bidirectional embeddings, overrides and
 * isolates (U+202A-U+202E, U+2066-U+2069). Such characters move a
 * terminal's cursor, forge log lines or reverse how a line reads. */
bool hl_text_ok(const char *s, size_t len, bool free_text);
/* Every string of m passes hl_text_ok: the case id strictly, string field
 * values with TAB and LF allowed only in free text (HL_F_TEXT). 0, or
 * CAIRN_E_FIELD with *bad (if non-NULL) the field's name ("case" for the
 * case id; borrowed from m or static). hl_catalogue_check() calls it, so a
 * message with such characters is refused whether we make it or a peer
 * sends it. */
int hl_msg_check_text(const struct hl_msg *m, const char **bad);

#endif
