/*
 * integ_tshark.c — the Wireshark comparisons of the integration tests (see
 * integ_tshark.h).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "integ_tshark.h"

int tsh_installed(void)
{
    return system("tshark -v >/dev/null 2>&1") == 0;
}

/* ------------------------------------------------------------ random input */

static uint64_t rng = 1;

uint64_t tsh_seed(uint64_t fallback)
{
    const char *env = getenv("CAIRN_SEED");
    uint64_t seed = env ? strtoull(env, NULL, 0) : fallback;
    print_message("seed %" PRIu64 " (repeat with CAIRN_SEED=%" PRIu64 ")\n", seed, seed);
    return seed;
}

void tsh_srand(uint64_t seed)
{
    rng = seed ? seed : 1;
}

uint64_t tsh_rnd(void)
{
    rng ^= rng >> 12;
    rng ^= rng << 25;
    rng ^= rng >> 27;
    return rng * 2685821657736338717ull;
}

double tsh_urand(double lo, double hi)
{
    /* the top 53 bits over 2^53: [0, 1) with every double's precision */
    return lo + (hi - lo) * ((double)(tsh_rnd() >> 11) / 9007199254740992.0);
}

void tsh_callsign(char *out, unsigned min_len, unsigned max_len, int odd)
{
    static const char set[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
    assert_true(min_len >= 1 && min_len <= max_len && max_len <= 8);
    unsigned n = min_len + (unsigned)(tsh_rnd() % (max_len - min_len + 1));
    for (unsigned i = 0; i < n; i++)
        out[i] = set[tsh_rnd() % (sizeof set - 1)];
    if (odd && tsh_rnd() % 8 == 0) {
        char bad = "-a*"[tsh_rnd() % 3]; /* drawn first, then where it goes */
        out[tsh_rnd() % n] = bad;
    }
    out[n] = 0;
}

/* ------------------------------------------------------------ expectations */

void tsh_expect_init(struct tsh_expect *e, const struct tsh_fields *t)
{
    assert_true(t->n <= TSH_MAX_FIELDS);
    memset(e, 0, sizeof *e);
    e->t = t;
}

unsigned tsh_field(const struct tsh_expect *e, const char *name)
{
    for (unsigned i = 0; i < e->t->n; i++)
        if (!strcmp(e->t->name[i], name))
            return i;
    fail_msg("no field %s", name);
    return 0;
}

void tsh_want_num(struct tsh_expect *e, const char *name, double v, double tol)
{
    unsigned i = tsh_field(e, name);
    e->kind[i] = TSH_NUM;
    e->num[i] = v;
    e->tol[i] = tol + 1e-9 * fabs(v); /* tshark prints 15 significant digits */
    e->scale[i] = 1.0;
    e->mod[i] = 0;
}

void tsh_want_scale(struct tsh_expect *e, const char *name, double scale)
{
    unsigned i = tsh_field(e, name);
    assert_int_equal(e->kind[i], TSH_NUM);
    e->scale[i] = scale;
}

void tsh_want_modulo(struct tsh_expect *e, const char *name, double mod)
{
    unsigned i = tsh_field(e, name);
    assert_int_equal(e->kind[i], TSH_NUM);
    e->mod[i] = mod;
}

void tsh_want_octal(struct tsh_expect *e, const char *name, unsigned code)
{
    unsigned i = tsh_field(e, name);
    e->kind[i] = TSH_OCTAL;
    e->num[i] = code & 07777;
}

void tsh_want_str(struct tsh_expect *e, const char *name, const char *s)
{
    unsigned i = tsh_field(e, name);
    e->kind[i] = TSH_STR;
    snprintf(e->str[i], sizeof e->str[i], "%s", s);
}

/* ------------------------------------------------------------ capture */

void tsh_capture_open(struct tsh_capture *c, const char *name)
{
    snprintf(c->dir, sizeof c->dir, "/tmp/cairn-tshark-XXXXXX");
    assert_non_null(mkdtemp(c->dir));
    int n = snprintf(c->path, sizeof c->path, "%s/%s", c->dir, name);
    assert_true(n > 0 && (size_t)n < sizeof c->path);
    c->f = fopen(c->path, "wb");
    assert_non_null(c->f);
    const uint32_t magic = 0xa1b2c3d4u, snaplen = 65535, linktype = 101; /* LINKTYPE_RAW */
    const uint16_t major = 2, minor = 4;
    const int32_t zone = 0;
    const uint32_t sigfigs = 0;
    assert_int_equal(fwrite(&magic, 4, 1, c->f), 1);
    assert_int_equal(fwrite(&major, 2, 1, c->f), 1);
    assert_int_equal(fwrite(&minor, 2, 1, c->f), 1);
    assert_int_equal(fwrite(&zone, 4, 1, c->f), 1);
    assert_int_equal(fwrite(&sigfigs, 4, 1, c->f), 1);
    assert_int_equal(fwrite(&snaplen, 4, 1, c->f), 1);
    assert_int_equal(fwrite(&linktype, 4, 1, c->f), 1);
}

void tsh_capture_udp(struct tsh_capture *c, const uint8_t *payload, size_t len, int64_t t_ms)
{
    static const uint16_t src_port = 40000;
    uint8_t pkt[TSH_MAX_PACKET];
    size_t ip_len = 20 + 8 + len;
    assert_true(ip_len <= sizeof pkt);
    memset(pkt, 0, 28);
    pkt[0] = 0x45; /* IPv4, 5 words of header */
    pkt[2] = (uint8_t)(ip_len >> 8);
    pkt[3] = (uint8_t)ip_len;
    pkt[8] = 64; /* TTL */
    pkt[9] = 17; /* UDP */
    const uint8_t lo[4] = {127, 0, 0, 1};
    memcpy(pkt + 12, lo, 4);
    memcpy(pkt + 16, lo, 4);
    uint32_t sum = 0; /* the IPv4 header checksum (RFC 791, RFC 1071) */
    for (int i = 0; i < 20; i += 2)
        sum += (uint32_t)(pkt[i] << 8 | pkt[i + 1]);
    while (sum >> 16)
        sum = (sum & 0xffff) + (sum >> 16);
    pkt[10] = (uint8_t)(~sum >> 8);
    pkt[11] = (uint8_t)~sum;
    pkt[20] = (uint8_t)(src_port >> 8);
    pkt[21] = (uint8_t)src_port;
    pkt[22] = TSH_UDP_PORT >> 8;
    pkt[23] = TSH_UDP_PORT & 0xff;
    pkt[24] = (uint8_t)((8 + len) >> 8);
    pkt[25] = (uint8_t)(8 + len); /* UDP checksum 0: none (allowed in IPv4) */
    memcpy(pkt + 28, payload, len);
    uint32_t hdr[4] = {(uint32_t)(t_ms / 1000), (uint32_t)(t_ms % 1000) * 1000u, (uint32_t)ip_len,
                       (uint32_t)ip_len};
    assert_int_equal(fwrite(hdr, sizeof hdr, 1, c->f), 1);
    assert_int_equal(fwrite(pkt, ip_len, 1, c->f), 1);
}

void tsh_capture_close(struct tsh_capture *c)
{
    assert_non_null(c->f);
    assert_int_equal(fclose(c->f), 0);
    c->f = NULL;
}

unsigned tsh_split(char *s, char sep, char **parts, unsigned max)
{
    unsigned n = 0;
    while (n < max) {
        parts[n++] = s;
        char *c = strchr(s, sep);
        if (!c)
            break;
        *c = 0;
        s = c + 1;
    }
    return n;
}

char *tsh_capture_read(struct tsh_capture *c, const char *cmd, int *status)
{
    assert_null(c->f); /* closed: every packet is on disk */
    FILE *p = popen(cmd, "r");
    char *buf = calloc(1, 1);
    size_t len = 0;
    *status = -1;
    if (p != NULL && buf != NULL) {
        static char chunk[65536];
        size_t n;
        while ((n = fread(chunk, 1, sizeof chunk, p)) > 0) {
            char *nb = realloc(buf, len + n + 1);
            if (nb == NULL)
                break;
            buf = nb;
            memcpy(buf + len, chunk, n);
            len += n;
            buf[len] = 0;
        }
    }
    if (p != NULL)
        *status = pclose(p);
    unlink(c->path);
    rmdir(c->dir);
    assert_non_null(buf);
    return buf;
}

/* ------------------------------------------------------------ comparing */

/* One line of tsh_compare's tshark: frame.number, then t's fields. */
static void compare_line(struct tsh_fields *t, const struct tsh_expect *exp, unsigned n_frames,
                         char *line)
{
    char head[201];
    snprintf(head, sizeof head, "%s", line);
    line[strcspn(line, "\r")] = 0;
    char *cols[TSH_MAX_FIELDS + 1];
    unsigned nc = tsh_split(line, '\t', cols, t->n + 1);
    if (nc != t->n + 1)
        fail_msg("tshark printed \"%s\", not %u tab-separated fields", head, t->n + 1);
    unsigned frame = (unsigned)strtoul(cols[0], NULL, 10);
    assert_true(frame >= 1 && frame <= n_frames);
    const struct tsh_expect *e = &exp[frame - 1];
    assert_ptr_equal(e->t, t);
    for (unsigned i = 0; i < t->n; i++) {
        const char *name = t->name[i], *got = cols[i + 1];
        switch (e->kind[i]) {
        case TSH_ABSENT:
            if (got[0])
                fail_msg("frame %u: %s is \"%s\", want absent", frame, name, got);
            continue;
        case TSH_NUM: {
            char *end;
            double v = strtod(got, &end); /* also reads tshark's 0x.. hex */
            if (!got[0] || *end)
                fail_msg("frame %u: %s is \"%s\", want %.9g", frame, name, got, e->num[i]);
            v *= e->scale[i];
            double d = fabs(v - e->num[i]);
            if (e->mod[i] > 0)
                d = fmin(d, e->mod[i] - d);
            if (!(d <= e->tol[i]))
                fail_msg("frame %u: %s is %s (%.9g), want %.9g +- %g", frame, name, got, v,
                         e->num[i], e->tol[i]);
            break;
        }
        case TSH_OCTAL: {
            char *end;
            unsigned long v = strtoul(got, &end, 10);
            if (!got[0] || *end || v != (unsigned long)e->num[i])
                fail_msg("frame %u: %s is \"%s\", want %04o", frame, name, got,
                         (unsigned)e->num[i]);
            break;
        }
        case TSH_STR: {
            size_t n = strlen(got);
            while (n > 0 && got[n - 1] == ' ')
                n--;
            if (n != strlen(e->str[i]) || strncmp(got, e->str[i], n))
                fail_msg("frame %u: %s is \"%s\", want \"%s\"", frame, name, got, e->str[i]);
            break;
        }
        default:
            fail_msg("frame %u: %s: no expectation of kind %u", frame, name, e->kind[i]);
        }
        t->compared[i]++;
    }
}

unsigned long tsh_compare(struct tsh_fields *t, const struct tsh_expect *exp, unsigned n_frames,
                          struct tsh_capture *c)
{
    assert_true(t->n <= TSH_MAX_FIELDS);
    static char cmd[8192];
    int off = snprintf(cmd, sizeof cmd,
                       "tshark -n -r %s -d udp.port==%u,asterix -T fields -E separator=/t "
                       "-E occurrence=f -e frame.number",
                       c->path, TSH_UDP_PORT);
    for (unsigned i = 0; i < t->n; i++) {
        assert_true(off > 0 && (size_t)off < sizeof cmd);
        off += snprintf(cmd + off, sizeof cmd - (size_t)off, " -e %s", t->name[i]);
    }
    assert_true(off > 0 && (size_t)off < sizeof cmd);
    off += snprintf(cmd + off, sizeof cmd - (size_t)off, " 2>/dev/null");
    assert_true(off > 0 && (size_t)off < sizeof cmd);

    int st;
    char *out = tsh_capture_read(c, cmd, &st);
    if (st != 0) {
        char msg[501];
        snprintf(msg, sizeof msg, "%s", out);
        free(out);
        fail_msg("tshark failed (status %d): %s", st, msg);
    }
    memset(t->compared, 0, sizeof t->compared);
    unsigned lines = 0;
    char *save = NULL;
    for (char *ln = strtok_r(out, "\n", &save); ln; ln = strtok_r(NULL, "\n", &save)) {
        compare_line(t, exp, n_frames, ln);
        lines++;
    }
    free(out);
    assert_int_equal(lines, n_frames);
    unsigned long total = 0;
    for (unsigned i = 0; i < t->n; i++) {
        if (t->compared[i] == 0)
            fail_msg("field %s never compared", t->name[i]);
        total += t->compared[i];
    }
    return total;
}
