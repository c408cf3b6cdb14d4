/*
 * frame.h — the hotline link's framing: how bytes on the TLS stream become
 * typed frames, and the payloads of the link's own frames.
 *
 * Key idea: a frame is a 5-byte header (type, then payload length as a
 * 32-bit big-endian integer) followed by the payload. The parser is pure and
 * stateless over the bytes received so far: it either returns a whole frame
 * and the bytes it used, or asks for more, so it resumes trivially on partial
 * input (the picohttpparser habit). Lengths are capped at HL_FRAME_MAX_LEN;
 * an oversized or unknown frame is refused from its header alone, before any
 * payload is buffered.
 *
 * The MSG, RECEIPT, CHECKPOINT and CHECKPOINT_SIG payloads are the journal's
 * canonical signed encodings (hotline/msg.h) carried verbatim; HELLO,
 * HEARTBEAT and ERROR are the link's own and are encoded here.
 *
 * Specification: docs/hotline-link.md (this project), sections "Frames" and
 * "Payloads".
 */
#ifndef CAIRN_HOTLINE_FRAME_H
#define CAIRN_HOTLINE_FRAME_H

#include <stddef.h>
#include <stdint.h>

#include "hotline/msg.h" /* HL_NAME_MAX */

enum hl_frame_type {
    HL_FT_HELLO = 1,          /* first frame each way: who I am, what I hold */
    HL_FT_MSG = 2,            /* one signed hotline message */
    HL_FT_RECEIPT = 3,        /* the receiver's signed receipt for one message */
    HL_FT_HEARTBEAT = 4,      /* liveness probe or its echo */
    HL_FT_CHECKPOINT = 5,     /* the sender's signed journal head */
    HL_FT_CHECKPOINT_SIG = 6, /* the peer's countersignature of a checkpoint */
    HL_FT_ERROR = 7,          /* why the peer refused something */
    HL_FT_PICTURE = 8,        /* the sender's released air picture: not journaled (L12) */
};
#define HL_FT_MIN HL_FT_HELLO
#define HL_FT_MAX HL_FT_PICTURE

/* Header: type (1 byte) + payload length (4 bytes, big-endian). */
#define HL_FRAME_HDR_LEN 5u
/* Largest payload accepted: 1 MiB. A hotline message is a few hundred bytes
 * of fields and free text; a megabyte leaves room for long free text while
 * bounding what one peer can make the other buffer. */
#define HL_FRAME_MAX_LEN (1u << 20)

/* Version of the link protocol carried in HELLO. */
#define HL_PROTO_VERSION 1u

struct hl_frame {
    uint8_t type;           /* enum hl_frame_type */
    uint32_t len;           /* payload bytes */
    const uint8_t *payload; /* borrowed: points into the parser's input */
};

/* Counters kept by whoever parses frames (the session), shown as metrics. */
struct hl_frame_stats {
    uint64_t frames;    /* whole frames parsed */
    uint64_t oversized; /* headers announcing more than HL_FRAME_MAX_LEN */
    uint64_t bad_type;  /* headers with an unknown type */
    uint64_t malformed; /* payloads that did not decode */
};

/*
 * Parse one frame from the start of p[0..len). Returns the bytes the frame
 * occupies (header + payload, > 0) and fills *out (out->payload points into
 * p); CAIRN_E_NEEDMORE when p holds less than a whole frame;
 * CAIRN_E_TOOBIG when the header announces more than HL_FRAME_MAX_LEN
 * (HL_PICTURE_MAX_LEN for a PICTURE);
 * CAIRN_E_MSGTYPE when the type is unknown. The last two are decided from the
 * header alone, and bump st (may be NULL). Never reads past len.
 */
int hl_frame_parse(const uint8_t *p, size_t len, struct hl_frame *out, struct hl_frame_stats *st);

/* Write a frame header for a payload of len bytes into hdr. */
void hl_frame_put_header(uint8_t hdr[HL_FRAME_HDR_LEN], enum hl_frame_type type, uint32_t len);

/* A short lowercase name of a frame type ("hello", "msg", ...), "?" if unknown. */
const char *hl_frame_type_name(unsigned type);

/* ---- HELLO ---------------------------------------------------------------
 * Sent first by both sides once TLS is up. "rx" and "tx" are from the point
 * of view of the sender of the HELLO.
 */
struct hl_hello {
    uint32_t version;           /* HL_PROTO_VERSION */
    char from[HL_NAME_MAX + 1]; /* sender's centre name */
    char to[HL_NAME_MAX + 1];   /* the centre it believes it talks to */
    uint64_t rx_have;           /* highest seq of to→from stored with no gap below */
    uint64_t tx_acked;          /* highest seq of from→to receipted with no gap below */
    uint64_t tx_head;           /* highest seq from→to in the sender's journal */
    int64_t t_utc_ms;           /* sender's clock, informational (skew is logged) */
    uint32_t window;            /* most unreceipted MSG frames the sender keeps in flight */
    uint64_t incarnation;       /* random per start of the sender's link: a new value
                                   means the sender restarted (its old sessions are stale) */
};
/* Encoded size is at most this. */
#define HL_HELLO_MAX_LEN (4u + 2u * (1u + HL_NAME_MAX) + 3u * 8u + 8u + 4u + 8u)

/* Encode h into out (cap >= HL_HELLO_MAX_LEN); returns the length, or
 * CAIRN_E_INVAL when a name is empty or too long. */
int hl_hello_encode(const struct hl_hello *h, uint8_t *out, size_t cap);
/* Decode; 0 or CAIRN_E_FORMAT (wrong length, bad name: empty, invalid
 * UTF-8 or a control character (hl_text_ok), wrong version). */
int hl_hello_decode(const uint8_t *p, size_t len, struct hl_hello *h);

/* ---- HEARTBEAT ----------------------------------------------------------- */
struct hl_heartbeat {
    uint64_t nonce;   /* echoed back in the reply */
    int64_t t_utc_ms; /* sender's clock, informational */
    uint8_t is_reply; /* 0 probe, 1 echo */
};
#define HL_HEARTBEAT_LEN 17u
int hl_heartbeat_encode(const struct hl_heartbeat *h, uint8_t *out, size_t cap);
int hl_heartbeat_decode(const uint8_t *p, size_t len, struct hl_heartbeat *h);

/* ---- ERROR ---------------------------------------------------------------
 * The reason the peer refused a frame or a message. Informational: the
 * receiver of an ERROR logs it and counts it, and never trusts it.
 */
#define HL_ERROR_TEXT_MAX 200u /* enough for one log line */
struct hl_error {
    int32_t code; /* a CAIRN_E_* code (negative) */
    uint64_t seq; /* the message concerned, 0 if none */
    char text[HL_ERROR_TEXT_MAX + 1];
};
int hl_error_encode(const struct hl_error *e, uint8_t *out, size_t cap);
/* text is the peer's, as it came (any bytes but NUL): escape it before it
 * is printed or logged (log_escape, base/log.h). */
int hl_error_decode(const uint8_t *p, size_t len, struct hl_error *e);
#define HL_ERROR_MAX_LEN (4u + 8u + 2u + HL_ERROR_TEXT_MAX)

/* ---- PICTURE -------------------------------------------------------------
 * The tracks the sender releases to this peer, every few seconds: a
 * superseding channel (each picture replaces the one before; a lost one is
 * not resent), outside the journal, without receipt (L12,
 * docs/hotline-link.md). Payload: u8 version (1), u64 seq (the sender's
 * picture counter, increasing within one run of its link), i64 t_utc_ms
 * (the sender's picture clock when it was made: the receiver dates the
 * tracks relative to it), then ASTERIX data blocks (CAT062 system tracks,
 * CAT065 end of batch) as the rest of the payload. The data blocks are the
 * application's to decode (hostile bytes: app/cat062.h).
 */
#define HL_PICTURE_VERSION 1u
#define HL_PICTURE_HDR_LEN 17u
/* Largest PICTURE payload: 256 KiB, some 5,000 CAT062 tracks of ~50
 * bytes; a picture bigger than that is cut by its sender (counted), and a
 * header announcing more is refused before any payload is buffered. */
#define HL_PICTURE_MAX_LEN (256u * 1024u)
struct hl_picture {
    uint64_t seq;
    int64_t t_utc_ms;
    const uint8_t *data; /* borrowed: the data blocks */
    size_t len;
};
/* The 17-byte header for (seq, t_utc_ms) into hdr. */
void hl_picture_put_header(uint8_t hdr[HL_PICTURE_HDR_LEN], uint64_t seq, int64_t t_utc_ms);
/* Decode; 0 or CAIRN_E_FORMAT (shorter than the header, another version,
 * longer than HL_PICTURE_MAX_LEN). p->data points into p[0..len). */
int hl_picture_decode(const uint8_t *p, size_t len, struct hl_picture *out);

#endif
