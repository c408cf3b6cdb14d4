/*
 * ais.h — AIS (ITU-R M.1371-5) decoding: NMEA sentences in, messages out.
 *
 * Key idea: a caller-allocated context (struct ais_ctx) holds everything
 * that must outlive one sentence — the table of half-assembled multi-sentence
 * messages, the Class B type 24 part A names waiting for their part B, a
 * partial input line and the error counters — so the decoder itself
 * allocates nothing, reads no clock and keeps no global state. Time comes
 * from the caller (`now_ms`) or from a sentence's TAG block (c:).
 *
 * Layers, each usable alone:
 *   nmea.h    one line -> struct nmea_vdm (framing, checksum, TAG block)
 *   ais_ctx   fragments -> one payload bit vector (reassembly keyed by
 *             channel and sequence id, with a timeout and a capped table)
 *   ais_msg   the payload, its header (type, repeat, MMSI) checked against
 *             the lengths each message type allows (ais_msg_decode)
 *   JSON      ais_msg_json(): gpsd's field names, scaled or unscaled
 *   report    ais_msg_to_report(): the normalised observation (decode/report.h)
 *
 * Message layouts: ITU-R M.1371-5 Annex 8 §3 (types 1-27); IMO SN.1/Circ.236
 * and SN.1/Circ.289 (DAC 1 application messages); CCNR Inland AIS (DAC 200);
 * GLA (DAC 235/250 FID 10). Field names and value conventions follow gpsd's
 * AIVDM/AIVDO documentation, the de-facto JSON convention.
 */
#ifndef CAIRN_DECODE_AIS_AIS_H
#define CAIRN_DECODE_AIS_AIS_H

#include <stddef.h>
#include <stdint.h>

#include "base/jsonw.h"
#include "decode/ais/nmea.h"
#include "decode/report.h"

/* Longest payload kept, in bits. A message is at most 5 slots (1,192 bits
 * with stuffing and CRC removed the payload is <= 1,008 bits, M.1371 Annex 2
 * §3.2.2.7); 2,048 leaves room for receivers that exceed it. */
#define AIS_MAX_BITS 2048
/* Messages being assembled at once. Fragments of one message are sent in
 * consecutive slots, so even a busy receiver has few open at a time. */
#define AIS_MAX_PENDING 16
/* NMEA allows 1..9 sentences per message. */
#define AIS_MAX_FRAGS 9
/* Payload characters kept per sentence: an 82-character sentence holds at
 * most ~60; some receivers send longer ones. */
#define AIS_FRAG_MAX_CHARS 128
/* A pending message whose next sentence has not come within this time is
 * dropped: its sentences are normally 26.7 ms (one slot) apart. */
#define AIS_FRAG_TIMEOUT_MS 10000
/* Type 24 part A names kept while waiting for part B (gpsd keeps 16 too). */
#define AIS_T24_QUEUE 16
/* Longest input line kept by the stream parser; longer lines are dropped. */
#define AIS_LINE_MAX 1024

struct ais_stats {
    uint64_t lines;        /* lines seen by the stream parser */
    uint64_t sentences;    /* well-formed VDM/VDO sentences */
    uint64_t messages;     /* messages decoded */
    uint64_t other_lines;  /* lines with no AIS sentence (comments, GNSS...) */
    uint64_t bad_checksum; /* sentence checksum wrong */
    uint64_t bad_format;   /* malformed sentence */
    uint64_t bad_tag;      /* malformed TAG block (sentence kept, tag ignored) */
    uint64_t extra_fields; /* sentences with fields after the fill bits (kept, extras ignored) */
    uint64_t bad_payload;  /* character outside the payload alphabet or too long */
    uint64_t frag_order;   /* sentence out of order or duplicate, dropped */
    uint64_t frag_timeout; /* pending message expired */
    uint64_t frag_evicted; /* pending message dropped because the table was full */
    uint64_t bad_length;   /* payload length not allowed for its type */
    uint64_t bad_type;     /* message type 0 or above 27 */
    uint64_t long_line;    /* line longer than AIS_LINE_MAX, dropped */
};

/* Type 24 parts. */
enum ais_part24 { AIS_24_A = 1, AIS_24_B = 2, AIS_24_AB = 3 };

/* One decoded message: the header, the payload bits and where it came from.
 * Fields are read from `bits` by the accessors below (and by the JSON and
 * report functions); bits past nbits are zero, as are unused bytes. */
struct ais_msg {
    uint8_t type;   /* 1..27 */
    uint8_t repeat; /* 0..3 */
    uint32_t mmsi;
    uint16_t nbits;      /* payload length in bits, fill bits removed */
    char channel;        /* 'A', 'B', other letter, or 0 */
    uint8_t own;         /* from a VDO sentence */
    uint8_t part24;      /* enum ais_part24 for type 24 */
    char shipname24[21]; /* type 24 part B merged with its part A: the name */
    char talker[3];
    int64_t t_ms;        /* TAG block time, else the caller's now_ms */
    struct nmea_tag tag; /* TAG block of the first sentence (has == 0: none) */
    uint8_t bits[AIS_MAX_BITS / 8];
};

struct ais_pending {
    uint8_t used;
    uint8_t nfrags;
    char channel;
    int8_t seq;
    uint16_t have;  /* bit k set: sentence k+1 received */
    int64_t t_ms;   /* caller's clock when the first sentence came */
    uint64_t order; /* arrival order, for eviction of the oldest */
    char talker[3];
    uint8_t own;
    uint8_t fill[AIS_MAX_FRAGS];
    uint8_t len[AIS_MAX_FRAGS];
    char payload[AIS_MAX_FRAGS][AIS_FRAG_MAX_CHARS];
    struct nmea_tag tag;
};

struct ais_t24a {
    uint32_t mmsi; /* 0: free */
    char shipname[21];
};

struct ais_ctx {
    struct ais_stats stats;
    struct ais_pending pending[AIS_MAX_PENDING];
    uint64_t order;
    struct ais_t24a t24[AIS_T24_QUEUE];
    unsigned t24_next;
    /* stream parser state */
    char line[AIS_LINE_MAX];
    size_t line_len;
    uint8_t line_overflow;
};

/* The sentences and messages refused (malformed, bad checksum or payload,
 * fragments out of order, expired or evicted, bad length or type, long
 * lines): the counters of s that mean lost input. Lines that are no AIS
 * sentence (other_lines) and kept sentences (bad_tag, extra_fields) are
 * not counted. */
uint64_t ais_stats_refused(const struct ais_stats *s);

/* Prepare a context (caller-owned memory, ~40 KB: fine on the heap or as a
 * static, large for a small stack). */
void ais_ctx_init(struct ais_ctx *ctx);

/* Decode one line. Returns 1 and fills *out when the line completed a
 * message; 0 when it was consumed without completing one (a first fragment,
 * a comment); a negative CAIRN_E_* when it was rejected (the matching
 * counter in ctx->stats has been bumped). now_ms is the caller's clock: it
 * runs the fragment timeouts, and dates messages without a TAG block time
 * (pass 0 when there is no clock: nothing then times out). */
int ais_decode_line(struct ais_ctx *ctx, const char *line, size_t len, int64_t now_ms,
                    struct ais_msg *out);

/* Decode a payload (already de-armoured bits, nbits long, bits past nbits
 * zero) into *out: header, length checks, type 24 pairing through ctx.
 * Returns 0 or CAIRN_E_PAYLOAD (bad_length/bad_type counted). */
int ais_msg_decode(struct ais_ctx *ctx, const uint8_t *bits, size_t nbits, struct ais_msg *out);

/* Stream parser: feed any split of the input; every complete line is decoded
 * and each message handed to on_msg (borrowed: valid during the call).
 * Returns the count of messages delivered. ais_flush() decodes a last line
 * that had no line terminator (call it at end of input). */
typedef void (*ais_msg_cb)(void *user, const struct ais_msg *msg);
size_t ais_feed(struct ais_ctx *ctx, const char *data, size_t len, int64_t now_ms,
                ais_msg_cb on_msg, void *user);
size_t ais_flush(struct ais_ctx *ctx, int64_t now_ms, ais_msg_cb on_msg, void *user);

/* Field accessors: n bits at bit pos of the payload (0 past the end). */
uint32_t ais_msg_u(const struct ais_msg *m, size_t pos, unsigned n);
int32_t ais_msg_s(const struct ais_msg *m, size_t pos, unsigned n);
/* Six-bit text: nchars at pos, stopping at '@', trailing blanks trimmed. */
void ais_msg_text(const struct ais_msg *m, size_t pos, unsigned nchars, char *out, size_t cap);

/* JSON output in gpsd's form (one object, gpsdecode -j or -u -j). */
enum ais_json_flags {
    AIS_JSON_SCALED = 1u << 0, /* scaled values like gpsdecode -j (else -u -j) */
    AIS_JSON_TAGS = 1u << 1,   /* add "tag_source", "tag_time" from a TAG block */
};
/* Write msg as one JSON object to w. device (borrowed, may be NULL: the key
 * is left out) becomes the "device" field as gpsd names its input. Returns
 * 0, or CAIRN_E_NOTFOUND without writing for what gpsd does not print: a
 * type 24 part A, or a part B whose part A was not seen; or w->err when
 * the writer failed (its buffer's cap). Written with base/jsonw. */
int ais_msg_json(const struct ais_msg *msg, struct jsonw *w, const char *device, unsigned flags);

/* The normalised observation for position-bearing messages (types 1-3, 4,
 * 9, 11, 18, 19, 21, 27; type 9 with altitude: a SAR aircraft) and static
 * ones (5, 24: identity only). Returns 0, or CAIRN_E_NOTFOUND for messages
 * that say nothing about a target. sensor_id is copied into the report. */
int ais_msg_to_report(const struct ais_msg *msg, uint32_t sensor_id, struct report *out);

#endif
