/*
 * test_sensor.c — the parts of feed/sensor.h that need no socket: the
 * backoff (bounds, doubling, cap, jitter spread, determinism from a seed),
 * the sliding message rate on a fake clock, the configuration keys with
 * hostile values, and the decoding path through sensor_feed for every
 * format (reports, times from the fake UTC clock, garbage counted, every
 * split of a stream giving the same reports).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <event2/event.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/clock.h"
#include "base/error.h"
#include "base/dbuf.h"
#include "base/hex.h"
#include "base/jsonw.h"
#include "decode/ais/encode.h"
#include "decode/asterix/report.h"
#include "decode/asterix/typed.h"
#include "decode/modes/beast.h"
#include "feed/sensor.h"
#include "geo/geo.h"

#define T0_MS 1796385600000LL /* 2026-12-04 12:00:00 UTC */

/* ------------------------------------------------------------ backoff */

static void test_backoff(void **state)
{
    (void)state;
    uint64_t rng = 42;
    /* attempt n waits in (base/2, base], base = min(max, min * 2^n) */
    for (unsigned a = 0; a < 40; a++) {
        uint64_t base = 500;
        for (unsigned i = 0; i < a && base < 30000; i++)
            base *= 2;
        if (base > 30000)
            base = 30000;
        for (int k = 0; k < 200; k++) {
            uint32_t d = sensor_backoff_ms(500, 30000, a, &rng);
            assert_true(d > base / 2 && d <= base);
        }
    }
    /* the jitter spreads: over many draws both halves of the range occur */
    int lo = 0, hi = 0;
    for (int k = 0; k < 1000; k++) {
        uint32_t d = sensor_backoff_ms(1000, 1000, 0, &rng);
        if (d <= 750)
            lo++;
        else
            hi++;
    }
    assert_true(lo > 300 && hi > 300);
    /* the same seed gives the same waits */
    uint64_t r1 = 7, r2 = 7;
    for (int k = 0; k < 50; k++)
        assert_int_equal(sensor_backoff_ms(10, 5000, (unsigned)k % 12, &r1),
                         sensor_backoff_ms(10, 5000, (unsigned)k % 12, &r2));
    /* degenerate bounds: never 0, never past max */
    uint64_t r0 = 0;
    assert_int_equal(sensor_backoff_ms(0, 0, 0, &r0), 1);
    assert_true(sensor_backoff_ms(1, 1, 1000000, &r0) == 1);
    assert_true(sensor_backoff_ms(5000, 10, 3, &r0) <= 5000);
    assert_true(sensor_backoff_ms(UINT32_MAX, UINT32_MAX, UINT32_MAX, &r0) <= UINT32_MAX);
}

/* ------------------------------------------------------------ rate */

static void test_rate(void **state)
{
    (void)state;
    struct sensor_rate r;
    memset(&r, 0, sizeof r);
    assert_true(sensor_rate_get(&r, T0_MS) == 0.0);
    for (int s = 0; s < 10; s++)
        sensor_rate_add(&r, T0_MS + s * 1000 + 500, 20);
    /* 200 messages over the 10 s window */
    assert_true(sensor_rate_get(&r, T0_MS + 9999) == 20.0);
    /* one second later the first slot has left the window */
    assert_true(sensor_rate_get(&r, T0_MS + 10000) == 18.0);
    /* a silent feed reads 0 once the window has passed */
    assert_true(sensor_rate_get(&r, T0_MS + 19000) == 0.0);
    assert_true(sensor_rate_get(&r, T0_MS + 3600000) == 0.0);
    /* a slot reused after a wrap starts from zero */
    sensor_rate_add(&r, T0_MS + 20500, 5);
    assert_true(sensor_rate_get(&r, T0_MS + 20600) == 0.5);
    /* times before the epoch (a fake clock at 0 going back) do not break it */
    memset(&r, 0, sizeof r);
    sensor_rate_add(&r, -1500, 10);
    assert_true(sensor_rate_get(&r, -1000) == 1.0);
}

/* ------------------------------------------------------------ configuration */

static void test_config(void **state)
{
    (void)state;
    struct sensor_config c;
    sensor_config_init(&c);
    assert_int_equal(c.retry_min_ms, SENSOR_RETRY_MIN_MS);
    const char *why = NULL;
    assert_int_equal(sensor_config_check(&c, &why), CAIRN_E_INVAL);
    assert_non_null(why);
    strcpy(c.name, "north");
    assert_int_equal(sensor_config_set(&c, "format", "beast", &why), 0);
    assert_int_equal(sensor_config_set(&c, "connect", "192.0.2.1", &why), 0);
    assert_int_equal(sensor_config_check(&c, &why), 0);
    assert_int_equal(sensor_config_set(&c, "lat", "59.9", &why), 0);
    assert_int_equal(sensor_config_set(&c, "lon", "30.3", &why), 0);
    assert_true(c.has_rx);
    assert_int_equal(sensor_config_set(&c, "id", "4294967295", &why), 0);
    assert_int_equal(c.sensor_id, 4294967295u);
    assert_int_equal(sensor_config_set(&c, "retry_max_ms", "120000", &why), 0);
    assert_int_equal(c.retry_max_ms, 120000);
    assert_int_equal(sensor_config_set(&c, "format", "ais", &why), 0);
    assert_int_equal(c.format, SENSOR_FMT_NMEA);
    assert_int_equal(sensor_config_set(&c, "gain", "49.6", &why), 0);
    assert_true(c.gain_db == 49.6);
    assert_int_equal(sensor_config_set(&c, "gain", "auto", &why), 0);
    assert_true(c.gain_db < 0);
    assert_int_equal(sensor_config_set(&c, "ppm", "-42", &why), 0);
    assert_int_equal(c.ppm, -42);
    assert_int_equal(sensor_config_set(&c, "iq_rate", "2000000", &why), 0);
    assert_true(c.iq_rate_hz == 2.0e6);
    assert_int_equal(sensor_config_set(&c, "iq_format", "sc16", &why), 0);
    assert_int_equal(c.iq_sc16, 1);
    assert_int_equal(sensor_config_set(&c, "iq_fast", "1", &why), 0);
    assert_int_equal(c.iq_fast, 1);

    /* hostile values: refused with a reason, the field unchanged */
    static const char *const bad[][2] = {
        {"format", "Beast"},
        {"format", ""},
        {"format", "beast\n"},
        {"id", "-1"},
        {"id", "4294967296"},
        {"id", "12abc"},
        {"id", ""},
        {"id", " 1"},
        {"retry_min_ms", "0"},
        {"retry_max_ms", "99999999999"},
        {"max_clients", "0"},
        {"max_clients", "100000"},
        {"read_buffer", "10"},
        {"max_datagram", "70000"},
        {"lat", "91"},
        {"lat", "nan"},
        {"lat", "inf"},
        {"lat", "1e999"},
        {"lat", "12,5"},
        {"lon", "-180.5"},
        {"lon", "0x10"},
        {"interface", ""},
        {"interface", "a-very-long-interface-name"},
        {"interface", "eth 0"},
        {"interface", "../x"},
        {"interface", "eth0\x1b"},
        {"listen", "[::1]:80"}, /* a second transport */
        {"file", "/tmp/x.cu8"},
        {"gain", "-3"},
        {"gain", "Auto"},
        {"ppm", "1.5"},
        {"ppm", "2000"},
        {"iq_rate", "2400000.0"},
        {"iq_rate", "1000000"},
        {"iq_format", "UC8"},
        {"iq_fast", "yes"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        struct sensor_config before = c;
        why = NULL;
        int rc = sensor_config_set(&c, bad[i][0], bad[i][1], &why);
        if (rc == 0)
            print_error("%s = '%s' accepted\n", bad[i][0], bad[i][1]);
        assert_true(rc < 0);
        assert_non_null(why);
        assert_memory_equal(&before, &c, sizeof c);
    }
    assert_int_equal(sensor_config_set(&c, "colour", "blue", &why), CAIRN_E_NOTFOUND);
    assert_int_equal(sensor_config_set(&c, NULL, "x", &why), CAIRN_E_INVAL);
    char longaddr[600];
    memset(longaddr, 'a', sizeof longaddr - 1);
    longaddr[sizeof longaddr - 1] = 0;
    assert_int_equal(sensor_config_set(&c, "connect", longaddr, &why), CAIRN_E_TOOBIG);

    /* lat without lon (or the other way) is refused as a whole */
    struct sensor_config half;
    sensor_config_init(&half);
    strcpy(half.name, "half");
    assert_int_equal(sensor_config_set(&half, "format", "beast", &why), 0);
    assert_int_equal(sensor_config_set(&half, "connect", "127.0.0.1", &why), 0);
    assert_int_equal(sensor_config_set(&half, "lat", "59.9", &why), 0);
    assert_false(half.has_rx);
    assert_int_equal(sensor_config_check(&half, &why), CAIRN_E_INVAL);
    assert_int_equal(sensor_config_set(&half, "lon", "30.3", &why), 0);
    assert_true(half.has_rx);
    assert_int_equal(sensor_config_check(&half, &why), 0);

    /* whole configurations that cannot work */
    struct {
        enum sensor_format f;
        const char *key, *addr, *iface;
        int ok;
    } combos[] = {
        {SENSOR_FMT_BEAST, "connect", "radar.example:30005", "", 1},
        {SENSOR_FMT_BEAST, "connect", "localhost", "", 1},
        {SENSOR_FMT_BEAST, "listen", "*:30004", "", 1},
        {SENSOR_FMT_BEAST, "listen", "[::]", "", 1},     /* 30004 by default */
        {SENSOR_FMT_SBS, "listen", "127.0.0.1", "", 0},  /* no default port */
        {SENSOR_FMT_BEAST, "udp", "127.0.0.1:1", "", 0}, /* beast is not read over udp */
        {SENSOR_FMT_ASTERIX, "connect", "1.2.3.4:8600", "", 0},
        {SENSOR_FMT_ASTERIX, "udp", "239.1.2.3:8600", "lo", 1},
        {SENSOR_FMT_ASTERIX, "udp", "[ff15::1]:8600", "eth1", 1},
        {SENSOR_FMT_ASTERIX, "udp", "10.0.0.1:8600", "eth1", 0}, /* interface without group */
        {SENSOR_FMT_BEAST, "connect", "239.1.2.3:30005", "", 0},
        {SENSOR_FMT_NMEA, "udp", "*:10110", "", 1},
        {SENSOR_FMT_NMEA, "connect", "*:10110", "", 0},       /* wildcard to connect to */
        {SENSOR_FMT_NMEA, "udp", "ais.example:10110", "", 0}, /* names only to connect */
        {SENSOR_FMT_NMEA, "connect", "[::1]:0", "", 0},
        {SENSOR_FMT_IQ, "file", "/srv/x.cu8", "", 1},
        {SENSOR_FMT_IQ, "connect", "127.0.0.1:1", "", 0},
        {SENSOR_FMT_IQ, "file", "/srv/\x1b[2J.cu8", "", 0},
        {SENSOR_FMT_RTLSDR, "device", "0", "", 1},
        {SENSOR_FMT_RTLSDR, "file", "/dev/x", "", 0},
        {SENSOR_FMT_BEAST, "device", "0", "", 0},
    };
    for (size_t i = 0; i < sizeof combos / sizeof combos[0]; i++) {
        struct sensor_config k;
        sensor_config_init(&k);
        strcpy(k.name, "x");
        k.format = combos[i].f;
        assert_int_equal(sensor_config_set(&k, combos[i].key, combos[i].addr, &why), 0);
        if (combos[i].iface[0])
            assert_int_equal(sensor_config_set(&k, "interface", combos[i].iface, &why), 0);
        int rc = sensor_config_check(&k, &why);
        if ((rc == 0) != combos[i].ok)
            print_error("combo %zu: rc %d (%s)\n", i, rc, why ? why : "");
        assert_int_equal(rc == 0, combos[i].ok);
        if (!combos[i].ok)
            assert_non_null(why);
    }
}

/* ------------------------------------------------------------ decoding */

struct sink {
    struct report r[64];
    int n;
};

static void on_report(void *arg, const struct report *r)
{
    struct sink *k = arg;
    if (k->n < 64)
        k->r[k->n] = *r;
    k->n++;
}

static struct event_base *base;
static struct cairn_clock utc, mono;

static int setup(void **state)
{
    (void)state;
    base = event_base_new();
    clock_fake_init(&utc, T0_MS);
    clock_fake_init(&mono, 1000);
    return base ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    event_base_free(base);
    return 0;
}

static struct sensor *make(enum sensor_format f, const char *key, const char *addr, struct sink *k)
{
    struct sensor_config c;
    sensor_config_init(&c);
    strcpy(c.name, "test\x1b[31m"); /* a hostile name: escaped wherever it is printed */
    c.format = f;
    c.sensor_id = 77;
    c.utc = &utc;
    c.mono = &mono;
    c.seed = 1;
    assert_int_equal(sensor_config_set(&c, key, addr, NULL), 0);
    struct sensor *s = NULL;
    char err[200];
    assert_int_equal(sensor_new(base, &c, on_report, NULL, k, &s, err, sizeof err), 0);
    return s;
}

/* Valid DF17 squitters (CRC clean): KLM1023's identification, and an
 * even/odd airborne position pair of 40621D (the textbook examples). */
static const char *const squitters[] = {
    "8D4840D6202CC371C32CE0576098",
    "8D40621D58C382D690C8AC2863A7",
    "8D40621D58C386435CC412692AD6",
};

static size_t beast_stream(uint8_t *out, size_t cap)
{
    size_t n = 0;
    for (size_t i = 0; i < 3; i++) {
        struct modes_frame f;
        memset(&f, 0, sizeof f);
        f.len = 14;
        assert_int_equal(hex_decode(squitters[i], 14, f.data), 0);
        f.ts_12mhz = 0x1A1A1A1A1A00ull + i; /* escapes inside the timestamp */
        f.signal = 0x1A;
        assert_true(n + BEAST_MAX_WIRE <= cap);
        int k = beast_encode(&f, out + n);
        assert_true(k > 0);
        n += (size_t)k;
    }
    return n;
}

static void test_feed_beast(void **state)
{
    (void)state;
    struct sink k = {0};
    struct sensor *s = make(SENSOR_FMT_BEAST, "connect", "127.0.0.1:30005", &k);
    uint8_t buf[256];
    size_t n = beast_stream(buf, sizeof buf);
    sensor_feed(s, buf, n);
    assert_int_equal(k.n, 3);
    assert_int_equal(k.r[0].icao, 0x4840D6);
    assert_string_equal(k.r[0].callsign, "KLM1023");
    assert_true(k.r[0].t_ms == T0_MS); /* reception time on the UTC clock */
    assert_int_equal(k.r[0].sensor_id, 77);
    assert_int_equal(k.r[1].icao, 0x40621D);
    /* the pair resolves globally: the odd message carries a position */
    assert_true(k.r[2].has & REP_HAS_POS);

    /* garbage between frames: counted, the next frames still decode */
    struct sensor_health h;
    sensor_health(s, &h);
    assert_int_equal(h.decode_errors, 0);
    static const uint8_t junk[] = "GET / HTTP/1.0\r\n\r\n\x1a\x39\x00\x01";
    sensor_feed(s, junk, sizeof junk - 1);
    clock_advance(&utc, 1000);
    sensor_feed(s, buf, n);
    assert_int_equal(k.n, 6);
    assert_true(k.r[5].t_ms == T0_MS + 1000);
    sensor_health(s, &h);
    assert_true(h.decode_errors >= 1);
    assert_int_equal(h.msgs, 6);
    assert_int_equal(h.reports, 6);
    assert_int_equal(h.bytes, 2 * n + sizeof junk - 1);
    assert_true(h.last_data_ms == T0_MS + 1000);
    assert_true(h.rate_msgs_s == 0.6); /* 6 messages in the 10 s window */
    assert_int_equal(h.state, SENSOR_ST_STOPPED);

    /* the health as JSON: the hostile name escaped, valid JSON throughout */
    struct dbuf b;
    dbuf_init(&b, 1 << 16);
    struct jsonw w;
    jw_init(&w, &b);
    sensor_health_json(s, &w);
    assert_int_equal(w.err, 0);
    const char *js = b.p;
    assert_non_null(js);
    assert_non_null(strstr(js, "\"name\":\"test\\\\x1b[31m\""));
    assert_non_null(strstr(js, "\"state\":\"stopped\""));
    assert_non_null(strstr(js, "\"msgs\":6,"));
    assert_non_null(strstr(js, "\"rate_msgs_s\":0.6,"));
    assert_non_null(strstr(js, "\"last_data_utc_ms\":1796385601000,"));
    for (const char *p = js; *p; p++)
        assert_true((unsigned char)*p >= 0x20 && (unsigned char)*p < 0x7f);
    dbuf_free(&b);
    sensor_free(s);

    /* every split of the stream gives the same reports */
    clock_fake_init(&utc, T0_MS);
    for (size_t cut = 1; cut < n; cut++) {
        struct sink k2 = {0};
        struct sensor *s2 = make(SENSOR_FMT_BEAST, "connect", "127.0.0.1:30005", &k2);
        sensor_feed(s2, buf, cut);
        sensor_feed(s2, buf + cut, n - cut);
        assert_int_equal(k2.n, 3);
        assert_memory_equal(&k2.r[2], &k.r[2], sizeof k.r[2]);
        sensor_free(s2);
    }
    struct sink k3 = {0};
    struct sensor *s3 = make(SENSOR_FMT_BEAST, "connect", "127.0.0.1:30005", &k3);
    for (size_t i = 0; i < n; i++)
        sensor_feed(s3, buf + i, 1);
    assert_int_equal(k3.n, 3);
    sensor_free(s3);
}

static void test_feed_text(void **state)
{
    (void)state;
    /* AVR */
    struct sink k = {0};
    struct sensor *s = make(SENSOR_FMT_AVR, "connect", "localhost:30002", &k);
    const char *avr =
        "*8D4840D6202CC371C32CE0576098;\r\n*ZZZZ;\r\n@0000a3c4e5f68D4840D6202CC371C32CE0576098;\n";
    sensor_feed(s, avr, strlen(avr));
    assert_int_equal(k.n, 2);
    struct sensor_health h;
    sensor_health(s, &h);
    assert_int_equal(h.decode_errors, 1);
    sensor_free(s);

    /* SBS: dated at reception, not by the line's own local-time stamp */
    memset(&k, 0, sizeof k);
    s = make(SENSOR_FMT_SBS, "connect", "localhost:30003", &k);
    const char *sbs =
        "MSG,3,1,1,400159,1,2018/04/03,19:03:29.021,2018/04/10,21:24:39.724,,2625,,,"
        "59.74472,30.57192,,,,,,0\n"
        "this is not basestation\n"
        "MSG,1,1,1,4CA2B1,1,2018/04/03,19:03:29.021,2018/04/03,19:03:29.021,RYR174C,,,"
        ",,,,,,,,\n";
    sensor_feed(s, sbs, strlen(sbs));
    assert_int_equal(k.n, 2);
    assert_true(k.r[0].t_ms == T0_MS);
    assert_int_equal(k.r[0].icao, 0x400159);
    assert_int_equal(k.r[0].alt_baro_ft, 2625);
    assert_true(k.r[0].has & REP_HAS_POS);
    assert_string_equal(k.r[1].callsign, "RYR174C");
    sensor_health(s, &h);
    assert_int_equal(h.decode_errors, 1);
    sensor_free(s);

    /* AIS NMEA over TCP */
    memset(&k, 0, sizeof k);
    s = make(SENSOR_FMT_NMEA, "connect", "localhost:10110", &k);
    struct ais_enc_pos p = {.type = 1,
                            .mmsi = 273123456,
                            .lat_deg = 59.9,
                            .lon_deg = 29.1,
                            .sog_kn = 12.5,
                            .cog_deg = 270.0,
                            .heading_deg = 271,
                            .utc_second = 60};
    uint8_t bits[64];
    int nb = ais_enc_position(&p, bits, sizeof bits * 8);
    assert_true(nb > 0);
    char line[AIS_ENC_VDM_MAX];
    int ln = ais_enc_vdm(bits, (size_t)nb, 'A', 0, -1, line, sizeof line);
    assert_true(ln > 0);
    sensor_feed(s, line, (size_t)ln);
    sensor_feed(s, "!AIVDM,1,1,,A,garbage,0*00\r\n", 29);
    sensor_feed(s, line, (size_t)ln);
    assert_int_equal(k.n, 2);
    assert_int_equal(k.r[0].mmsi, 273123456);
    assert_true(k.r[0].t_ms == T0_MS);
    sensor_health(s, &h);
    assert_int_equal(h.decode_errors, 1);
    sensor_free(s);
}

static size_t cat048_block(uint8_t *out, size_t cap, double tod_s)
{
    struct ax48_report in;
    memset(&in, 0, sizeof in);
    in.sac = 25;
    in.sic = 201;
    in.tod_s = tod_s;
    in.typ = AX48_TYP_MODES_ROLLCALL;
    in.has_polar = 1;
    in.rho_nm = 40.0;
    in.theta_deg = 123.0;
    in.has_fl = 1;
    in.alt_fl = 350.0;
    in.has_address = 1;
    in.icao24 = 0x4CA2B1;
    int n = ax48_encode(&in, out + 3, cap - 3);
    assert_true(n > 0);
    out[0] = 48;
    out[1] = (uint8_t)((n + 3) >> 8);
    out[2] = (uint8_t)(n + 3);
    return (size_t)n + 3;
}

static void test_feed_asterix(void **state)
{
    (void)state;
    struct sink k = {0};
    struct sensor_config c;
    sensor_config_init(&c);
    strcpy(c.name, "radar");
    c.format = SENSOR_FMT_ASTERIX;
    c.utc = &utc;
    c.mono = &mono;
    assert_int_equal(sensor_config_set(&c, "udp", "127.0.0.1:0", NULL), 0);
    static struct ax_sensor radar;
    memset(&radar, 0, sizeof radar);
    radar.sac = 25;
    radar.sic = 201;
    radar.id = 9;
    radar.has_site = 1;
    struct geo_llh site = {59.8, 30.3, 60.0};
    geo_frame_init(&radar.site, &site);
    c.radars = &radar;
    c.n_radars = 1;
    struct sensor *s = NULL;
    assert_int_equal(sensor_new(base, &c, on_report, NULL, &k, &s, NULL, 0), 0);
    uint8_t dg[512];
    /* 11:59:59.5 UTC, received at 12:00:00: dated the same day */
    size_t n = cat048_block(dg, sizeof dg, 43199.5);
    sensor_feed(s, dg, n);
    assert_int_equal(k.n, 1);
    assert_true(k.r[0].t_ms == T0_MS - 500);
    assert_int_equal(k.r[0].sensor_id, 9);
    assert_int_equal(k.r[0].icao, 0x4CA2B1);
    assert_true(k.r[0].has & REP_HAS_POS);
    /* a datagram with a broken LEN, and one of another category */
    uint8_t bad[] = {48, 0x00, 0x02, 0xff};
    sensor_feed(s, bad, sizeof bad);
    uint8_t bad2[] = {48, 0x00, 0x40, 0x01, 0x02};
    sensor_feed(s, bad2, sizeof bad2);
    struct sensor_health h;
    sensor_health(s, &h);
    assert_true(h.decode_errors >= 2);
    sensor_feed(s, dg, n);
    assert_int_equal(k.n, 2);
    sensor_free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_backoff),
        cmocka_unit_test(test_rate),
        cmocka_unit_test(test_config),
        cmocka_unit_test_setup_teardown(test_feed_beast, setup, teardown),
        cmocka_unit_test_setup_teardown(test_feed_text, setup, teardown),
        cmocka_unit_test_setup_teardown(test_feed_asterix, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
