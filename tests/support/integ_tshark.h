/*
 * integ_tshark.h — the Wireshark comparisons of the integration tests:
 * datagrams cairn encodes are written to a capture, dissected by Debian's
 * tshark, and every value tshark prints is compared with the value the test
 * expects (integ/asterix/test_tshark.c, integ/app/test_app_cat004_tshark.c).
 *
 * Key idea: a test names the tshark fields it compares once, in a table
 * (struct tsh_fields, the order of the `-e` options), and says for each
 * datagram what every field must read (struct tsh_expect): a number within
 * a tolerance (half an LSB), a Mode 3/A code, a string; a field it says
 * nothing about must be absent. tsh_compare runs `tshark -T fields` on the
 * capture, one line per frame, checks every field of every line, that there
 * is one line per datagram and that each field was compared at least once,
 * and returns how many values it compared, for the test to print.
 *
 * The capture is a classic pcap file (a 24-byte header, then a 16-byte
 * header per packet, in this machine's byte order, which the magic tells)
 * of raw IPv4 packets (LINKTYPE_RAW, 101): each datagram is UDP from
 * 127.0.0.1:40000 to 127.0.0.1:8600, the port tshark dissects as ASTERIX.
 * It lives in a scratch folder /tmp/cairn-tshark-XXXXXX, removed with it by
 * tsh_capture_read whatever tshark did.
 *
 * Random input: one xorshift64* stream for the whole test program (the
 * same generator as tests/unit/asterix_enc/axgen.h), seeded by tsh_seed's
 * value: CAIRN_SEED when set, so a failing run is replayed exactly.
 *
 * Every function fails the running cmocka test on an error of its own (a
 * file that cannot be written, tshark that cannot be started) and on a
 * value that differs, naming the frame, the field, what tshark printed and
 * what was wanted. Include <cmocka.h> (and testdata.h for
 * TSH_SKIP_WITHOUT_TSHARK) before this header's macros are used.
 */
#ifndef CAIRN_TESTS_INTEG_TSHARK_H
#define CAIRN_TESTS_INTEG_TSHARK_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define TSH_MAX_FIELDS 48 /* fields one table compares (test_tshark.c: 44) */
#define TSH_STR_CAP    12 /* a string expected, NUL included (8 callsign characters) */
#define TSH_UDP_PORT   8600
#define TSH_MAX_PACKET 2048 /* an IPv4/UDP packet written, headers included */

/* Skip the running case (exit 77 through td_exit) when tshark is not
 * installed. A macro: TD_SKIP counts the skip in the test's own program. */
#define TSH_SKIP_WITHOUT_TSHARK()                                                                  \
    do {                                                                                           \
        if (!tsh_installed()) {                                                                    \
            print_message("SKIP: tshark not installed (Debian package tshark)\n");                 \
            TD_SKIP();                                                                             \
        }                                                                                          \
    } while (0)

/* 1 when `tshark -v` runs. */
int tsh_installed(void);

/* ------------------------------------------------------------ random input */

/* The seed of this run: CAIRN_SEED when set (any base strtoull reads), else
 * fallback (the caller's mix of the time). Prints "seed N (repeat with
 * CAIRN_SEED=N)". Does not seed anything. */
uint64_t tsh_seed(uint64_t fallback);

/* Seed the stream (0 is taken as 1: xorshift stays at 0 forever). */
void tsh_srand(uint64_t seed);

/* The next 64 bits of the stream (xorshift64*). */
uint64_t tsh_rnd(void);

/* Uniform in [lo, hi), 53 bits of the stream. */
double tsh_urand(double lo, double hi);

/* A callsign of min_len..max_len (at most 8) letters and digits into out (9
 * bytes at least). With odd, one time in eight one character is replaced
 * by one CAT004 cannot carry ('-', 'a' or '*'). */
void tsh_callsign(char *out, unsigned min_len, unsigned max_len, int odd);

/* ------------------------------------------------------------ expectations */

/* The tshark fields a test compares, in the order of their -e options
 * (frame.number comes first, before them). name is borrowed; n at most
 * TSH_MAX_FIELDS. compared is filled by tsh_compare. */
struct tsh_fields {
    const char *const *name;
    unsigned n;
    unsigned long compared[TSH_MAX_FIELDS]; /* values compared, per field */
};

enum tsh_kind { TSH_ABSENT, TSH_NUM, TSH_OCTAL, TSH_STR };

/* What one frame's fields must read. Large-ish (2 KiB): keep arrays of them
 * static. */
struct tsh_expect {
    const struct tsh_fields *t; /* borrowed, set by tsh_expect_init */
    uint8_t kind[TSH_MAX_FIELDS];
    double num[TSH_MAX_FIELDS];
    double tol[TSH_MAX_FIELDS];
    double scale[TSH_MAX_FIELDS]; /* tshark's value * scale is compared (GSP NM/s -> kt) */
    double mod[TSH_MAX_FIELDS];   /* > 0: compared modulo this (a time of day wraps) */
    char str[TSH_MAX_FIELDS][TSH_STR_CAP];
};

/* e wants every field of t absent. */
void tsh_expect_init(struct tsh_expect *e, const struct tsh_fields *t);

/* The index of field name in e's table; fails the test when it is not there. */
unsigned tsh_field(const struct tsh_expect *e, const char *name);

/* name must read v within tol (plus 1e-9 of v: tshark prints 15 significant
 * digits); scale 1, no modulo. */
void tsh_want_num(struct tsh_expect *e, const char *name, double v, double tol);

/* name (wanted by tsh_want_num) is compared as tshark's value * scale. */
void tsh_want_scale(struct tsh_expect *e, const char *name, double scale);

/* name (wanted by tsh_want_num) is compared modulo mod (both ways round). */
void tsh_want_modulo(struct tsh_expect *e, const char *name, double mod);

/* name must read the Mode 3/A code (12 bits): tshark 4.0 prints it as a
 * decimal integer (06210 shows as 3208), compared exactly. */
void tsh_want_octal(struct tsh_expect *e, const char *name, unsigned code);

/* name must read s (cut to TSH_STR_CAP - 1), trailing spaces aside (tshark
 * keeps the padding of a fixed-width callsign). */
void tsh_want_str(struct tsh_expect *e, const char *name, const char *s);

/* ------------------------------------------------------------ capture */

struct tsh_capture {
    char dir[32];  /* /tmp/cairn-tshark-XXXXXX */
    char path[64]; /* dir/NAME */
    FILE *f;       /* open between tsh_capture_open and tsh_capture_close */
};

/* A new scratch folder and the capture c->path = dir/name in it, its
 * header written. */
void tsh_capture_open(struct tsh_capture *c, const char *name);

/* One packet of len payload bytes (len + 28 <= TSH_MAX_PACKET), timestamped
 * t_ms (ms since 1970). */
void tsh_capture_udp(struct tsh_capture *c, const uint8_t *payload, size_t len, int64_t t_ms);

/* Close the capture (every byte written, or the test fails). */
void tsh_capture_close(struct tsh_capture *c);

/* Split s in place at every sep into at most max parts (the last one keeps
 * the rest, separators included); parts[] borrow s. The count. */
unsigned tsh_split(char *s, char sep, char **parts, unsigned max);

/* Run the shell command cmd (a tshark reading the closed capture c), then
 * remove the capture and its folder whatever the outcome, so a failed
 * comparison leaves nothing behind in /tmp. Its exit status in *status and
 * its whole output (malloc'ed, NUL-terminated; the caller frees it). */
char *tsh_capture_read(struct tsh_capture *c, const char *cmd, int *status);

/* Dissect the closed capture c (removed after) as ASTERIX on port 8600,
 * printing frame.number and t's fields, the first occurrence of each; fail
 * unless tshark exits 0, prints one line per frame for n_frames frames,
 * every field reads what exp[frame - 1] wants, and each field of t is
 * compared at least once over the run. Fills t->compared; returns the
 * number of values compared. */
unsigned long tsh_compare(struct tsh_fields *t, const struct tsh_expect *exp, unsigned n_frames,
                          struct tsh_capture *c);

#endif
