/*
 * nmea.c — NMEA 0183 AIS sentence framing and TAG blocks; see nmea.h.
 * Reference: IEC 61162-1 Ed. 5 §7.3 (sentences), §7.9 (TAG blocks).
 */
#include "decode/ais/nmea.h"

#include <string.h>

#include "base/error.h"

uint8_t nmea_checksum(const char *p, size_t n)
{
    /* Eight bytes at a time, folded at the end. */
    uint64_t w = 0;
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        uint64_t t;
        memcpy(&t, p + i, 8);
        w ^= t;
    }
    w ^= w >> 32;
    w ^= w >> 16;
    w ^= w >> 8;
    uint8_t x = (uint8_t)w;
    for (; i < n; i++)
        x ^= (uint8_t)p[i];
    return x;
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    return -1;
}

/* Two hex digits at p (n bytes available); -1 if absent. */
static int hex2(const char *p, size_t n)
{
    if (n < 2)
        return -1;
    int hi = hexval(p[0]), lo = hexval(p[1]);
    if (hi < 0 || lo < 0)
        return -1;
    return hi << 4 | lo;
}

/* A decimal number of at most maxdig digits spanning exactly [p, p+n). */
static int parse_u64(const char *p, size_t n, unsigned maxdig, uint64_t *v)
{
    if (n == 0 || n > maxdig)
        return -1;
    uint64_t x = 0;
    for (size_t i = 0; i < n; i++) {
        if (p[i] < '0' || p[i] > '9')
            return -1;
        x = x * 10 + (uint64_t)(p[i] - '0');
    }
    *v = x;
    return 0;
}

static void copy_str(char *dst, size_t cap, const char *p, size_t n)
{
    if (n > cap - 1)
        n = cap - 1;
    memcpy(dst, p, n);
    dst[n] = 0;
}

int nmea_parse_tag(const char *p, size_t n, struct nmea_tag *tag)
{
    memset(tag, 0, sizeof *tag);
    const char *star = memchr(p, '*', n);
    if (!star)
        return CAIRN_E_FORMAT;
    size_t body = (size_t)(star - p);
    int ck = hex2(star + 1, n - body - 1);
    if (ck < 0 || n - body - 1 != 2)
        return CAIRN_E_FORMAT;
    if (nmea_checksum(p, body) != (uint8_t)ck)
        return CAIRN_E_CHECKSUM;
    size_t i = 0;
    while (i < body) {
        size_t j = i;
        while (j < body && p[j] != ',')
            j++;
        /* One parameter: a letter, ':' and a value. */
        if (j - i < 2 || p[i + 1] != ':')
            return CAIRN_E_FORMAT;
        const char *v = p + i + 2;
        size_t vn = j - i - 2;
        uint64_t x;
        switch (p[i]) {
        case 'c':
            if (parse_u64(v, vn, 15, &x))
                return CAIRN_E_FORMAT;
            /* Some sources send milliseconds: 1e11 s is the year 5138. */
            tag->time_ms = x < 100000000000ull ? (int64_t)x * 1000 : (int64_t)x;
            tag->has |= NMEA_TAG_TIME;
            break;
        case 's':
            copy_str(tag->source, sizeof tag->source, v, vn);
            tag->has |= NMEA_TAG_SOURCE;
            break;
        case 't':
        case 'T':
            copy_str(tag->text, sizeof tag->text, v, vn);
            tag->has |= NMEA_TAG_TEXT;
            break;
        case 'n':
            if (parse_u64(v, vn, 9, &x))
                return CAIRN_E_FORMAT;
            tag->line_no = (uint32_t)x;
            tag->has |= NMEA_TAG_LINE;
            break;
        case 'g': {
            /* part-total-id */
            const char *d1 = memchr(v, '-', vn);
            const char *d2 = d1 ? memchr(d1 + 1, '-', vn - (size_t)(d1 + 1 - v)) : NULL;
            uint64_t a, b, c;
            if (!d2 || parse_u64(v, (size_t)(d1 - v), 2, &a) ||
                parse_u64(d1 + 1, (size_t)(d2 - d1 - 1), 2, &b) ||
                parse_u64(d2 + 1, vn - (size_t)(d2 + 1 - v), 9, &c))
                return CAIRN_E_FORMAT;
            tag->group_part = (uint8_t)a;
            tag->group_total = (uint8_t)b;
            tag->group_id = (uint32_t)c;
            tag->has |= NMEA_TAG_GROUP;
            break;
        }
        default:
            break; /* d:, r:, q: and others: known or not, skipped */
        }
        i = j + 1;
    }
    return 0;
}

/* Position of the '!' of a VDM/VDO sentence in [0, len), or -1. */
static long find_sentence(const char *s, size_t len)
{
    const char *p = s, *end = s + len;
    while (end - p >= 7 && (p = memchr(p, '!', (size_t)(end - p - 6))) != NULL) {
        const char *f = p + 3; /* after '!' and the two talker characters */
        if (f[0] == 'V' && f[1] == 'D' && (f[2] == 'M' || f[2] == 'O') && f[3] == ',')
            return (long)(p - s);
        p++;
    }
    return -1;
}

int nmea_parse_vdm(const char *line, size_t len, struct nmea_vdm *out)
{
    memset(out, 0, sizeof *out);
    out->seq = -1;
    while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
        len--;
    /* '#' starts a comment line in recordings (gpsd skips them too). */
    if (len > 0 && line[0] == '#')
        return CAIRN_E_NOTFOUND;
    long at = find_sentence(line, len);
    if (at < 0)
        return CAIRN_E_NOTFOUND;

    /* A TAG block before the sentence: \...*hh\ */
    const char *b1 = memchr(line, '\\', (size_t)at);
    if (b1) {
        const char *b2 = memchr(b1 + 1, '\\', (size_t)(line + at - b1 - 1));
        if (!b2 || nmea_parse_tag(b1 + 1, (size_t)(b2 - b1 - 1), &out->tag) != 0) {
            memset(&out->tag, 0, sizeof out->tag);
            out->tag_error = 1;
        }
    }

    const char *s = line + at;
    size_t n = len - (size_t)at;
    const char *star = memchr(s, '*', n);
    if (!star)
        return CAIRN_E_FORMAT;
    size_t body = (size_t)(star - s);
    int ck = hex2(star + 1, n - body - 1);
    if (ck < 0)
        return CAIRN_E_FORMAT;
    if (nmea_checksum(s + 1, body - 1) != (uint8_t)ck)
        return CAIRN_E_CHECKSUM;
    /* Anything after the two checksum digits is receiver metadata. */

    /* Seven fields: !ccVDx, count, number, sequence id, channel, payload,
     * fill bits. Some multiplexers (Navico GoFree, for one) add fields of
     * their own after the fill bits, inside the checksum; gpsd reads such
     * sentences by field position and ignores the extras, and so do we,
     * counting them (extra_fields) so that a feed's oddity shows. */
    const char *f[7];
    size_t fn[7];
    size_t k = 0, i = 0;
    while (k < 7) {
        size_t j = i;
        while (j < body && s[j] != ',')
            j++;
        f[k] = s + i;
        fn[k] = j - i;
        k++;
        if (j >= body)
            break;
        i = j + 1;
    }
    if (k != 7)
        return CAIRN_E_FORMAT;
    for (const char *q = f[6] + fn[6]; q < star; q++)
        if (*q == ',' && out->extra_fields < UINT8_MAX)
            out->extra_fields++;
    out->talker[0] = s[1];
    out->talker[1] = s[2];
    out->own = s[5] == 'O';

    uint64_t x;
    if (parse_u64(f[1], fn[1], 1, &x) || x < 1)
        return CAIRN_E_FORMAT;
    out->nfrags = (uint8_t)x;
    if (parse_u64(f[2], fn[2], 1, &x) || x < 1 || x > out->nfrags)
        return CAIRN_E_FORMAT;
    out->frag = (uint8_t)x;
    if (fn[3] > 0) {
        if (parse_u64(f[3], fn[3], 1, &x))
            return CAIRN_E_FORMAT;
        out->seq = (int8_t)x;
    }
    if (fn[4] > 1)
        return CAIRN_E_FORMAT;
    if (fn[4] == 1) {
        char c = f[4][0];
        /* Some receivers number the channels 1 and 2. */
        if (c == '1')
            c = 'A';
        else if (c == '2')
            c = 'B';
        if (c < 'A' || c > 'Z')
            return CAIRN_E_FORMAT;
        out->channel = c;
    }
    out->payload = f[5];
    out->payload_len = fn[5];
    if (fn[6] > 0) {
        if (fn[6] != 1 || f[6][0] < '0' || f[6][0] > '5')
            return CAIRN_E_FORMAT;
        out->fill = (uint8_t)(f[6][0] - '0');
    }
    return 0;
}
