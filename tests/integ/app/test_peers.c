/*
 * test_peers.c — the shared picture end to end: three real `cairn run`
 * centres on 127.0.0.1, each with its keys (`cairn keygen`), one roster,
 * its journal (`cairn hotline --init`) and an account (`cairn passwd`),
 * over the same sky: `cairn sim baltic-sea` (a radar, an ADS-B receiver,
 * an AIS receiver; a warship, a cargo ship, a yacht, an airliner and an
 * aircraft without transponder) replayed at x5.
 *
 *   WARSAW-CC (A)     radar + ADS-B + AIS; [centre] military names the
 *                     warship (callsign prefixes); two peers:
 *     [peer KALININGRAD-CC] area = the A-B box, release = civil
 *     [peer VILNIUS-CC]     area = the big box, release = all
 *   KALININGRAD-CC (B) ADS-B only; [peer WARSAW-CC] A-B box, civil
 *   VILNIUS-CC (C)     no sensor at all; [peer WARSAW-CC] big box, none
 * Each receiver keeps a `record` file of every record its peer sent.
 *
 * What is checked, on the receiving end, for every record received:
 *  - at B from A: inside the A-B box (the test's own polygon test),
 *    no primary-only track, no warship (A's military), at least the
 *    airliner — until an operator at A releases the cargo ship to B (POST
 *    /api/tracks/ID/release), which then arrives;
 *  - at C from A: inside the big box, and the classes B never got (the
 *    primary-only aircraft, the warship) do arrive: the two policies
 *    differ;
 *  - at A from B: inside the A-B box, cooperative only (B's civil);
 *  - C's /api/tracks holds A's tracks marked origin "peer:WARSAW-CC"; B's
 *    airliner is fused (own ADS-B and A's picture: "peers" names A); A's
 *    /api/link shows per peer the pictures and tracks sent and withheld;
 *    the cairn_peer_* metrics; garbage and outside-area counters stay 0;
 *  - A stops: C's tracks that only A fed time out, C's /api/link shows A
 *    down; every centre stops with exit status 0.
 *
 * argv[1] is the cairn binary. No sleeps: every wait polls the centres'
 * stderr pipes with a deadline.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <arpa/inet.h>
#include <errno.h>
#include <jansson.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "app/cat062.h"
#include "app/peer.h"
#include "decode/report.h"
#include "geo/zones.h"
#include "integ_http.h"
#include "integ_proc.h"

#define WAIT_MS 120000 /* any one wait: the slowest, a track timing out at C, takes ~65 s */

static const char *cairn_bin;
static char tmp[64];
static int setups_ok;

struct centre {
    const char *name, *dir;
    struct ip_proc p; /* the daemon and its stderr */
    int port;         /* web */
    int hl_port;      /* hotline */
    char token[128];
};

enum { A, B, C, N_CENTRES };
static struct centre cc[N_CENTRES] = {
    {.name = "WARSAW-CC", .dir = "warsaw", .p = {.pid = -1, .fd = -1}},
    {.name = "KALININGRAD-CC", .dir = "kaliningrad", .p = {.pid = -1, .fd = -1}},
    {.name = "VILNIUS-CC", .dir = "vilnius", .p = {.pid = -1, .fd = -1}},
};

/* the A-B box (the warship, the dark aircraft, the ships; the airliner
 * only once it has flown east of 18 E) and the big A-C box, [lon, lat] */
static const char area_ab[] =
    "{\"type\":\"FeatureCollection\",\"features\":[{\"type\":\"Feature\",\"properties\":"
    "{\"name\":\"A-B exchange\",\"kind\":\"boundary\"},\"geometry\":{\"type\":\"Polygon\","
    "\"coordinates\":[[[18.0,54.5],[20.0,54.5],[20.0,56.0],[18.0,56.0],[18.0,54.5]]]}}]}\n";
static const char area_ac[] =
    "{\"type\":\"FeatureCollection\",\"features\":[{\"type\":\"Feature\",\"properties\":"
    "{\"name\":\"A-C exchange\",\"kind\":\"boundary\"},\"geometry\":{\"type\":\"Polygon\","
    "\"coordinates\":[[[16.0,54.0],[21.0,54.0],[21.0,56.5],[16.0,56.5],[16.0,54.0]]]}}]}\n";
static struct geo_zones *zab, *zac;
static int udp_fd = -1; /* A's [cat062] output lands here */

static struct ih_reply rep;

static int wait_log(struct centre *c, const char *s)
{
    return ip_wait_log(&c->p, s, 0, WAIT_MS);
}

static int http(const struct centre *c, const char *method, const char *path, const char *data)
{
    return ih_request(&rep, c->port, method, path, c->token, data);
}

static json_t *get_json(struct centre *c, const char *path)
{
    if (http(c, "GET", path, NULL) != 200)
        return NULL;
    return json_loadb(rep.body, rep.len, 0, NULL);
}

/* --------------------------------------------------------------- records */

struct rec_check {
    size_t lines, outside, non_coop, military, cooperative;
    size_t airliner; /* 48ad01 */
    size_t track;    /* lines of the track number asked for */
};

static int is_warship(const char *cs)
{
    return cs && (!strncmp(cs, "NDCK", 4) || !strncmp(cs, "DONALD", 6));
}

/* Every line of a record file, checked on our own against area z. */
static void read_record(const char *file, const struct geo_zones *z, long track,
                        struct rec_check *rc)
{
    memset(rc, 0, sizeof *rc);
    char path[256];
    snprintf(path, sizeof path, "%s/%s", tmp, file);
    FILE *f = fopen(path, "r");
    if (!f)
        return;
    static char line[4096];
    while (fgets(line, sizeof line, f)) {
        json_t *j = json_loads(line, 0, NULL);
        if (!j)
            fail_msg("%s: not JSON: %.200s", file, line);
        rc->lines++;
        double lat = json_real_value(json_object_get(j, "lat"));
        double lon = json_real_value(json_object_get(j, "lon"));
        if (json_is_integer(json_object_get(j, "lat")))
            lat = (double)json_integer_value(json_object_get(j, "lat"));
        if (json_is_integer(json_object_get(j, "lon")))
            lon = (double)json_integer_value(json_object_get(j, "lon"));
        if (!app_area_contains(z, lat, lon) || !json_is_true(json_object_get(j, "inside")))
            rc->outside++;
        const char *sds = json_string_value(json_object_get(j, "sds"));
        if (sds && !strcmp(sds, "non_cooperative"))
            rc->non_coop++;
        if (sds && !strcmp(sds, "cooperative"))
            rc->cooperative++;
        if (is_warship(json_string_value(json_object_get(j, "callsign"))))
            rc->military++;
        const char *icao = json_string_value(json_object_get(j, "icao"));
        if (icao && !strcmp(icao, "48ad01"))
            rc->airliner++;
        if (track >= 0 && json_integer_value(json_object_get(j, "track")) == track)
            rc->track++;
        json_decref(j);
    }
    fclose(f);
}

/* ----------------------------------------------------------------- setup */

static void spawn(struct centre *c)
{
    char conf[256];
    snprintf(conf, sizeof conf, "%s/%s.ini", tmp, c->dir);
    char *const args[] = {(char *)cairn_bin, "run", "-c", conf, NULL};
    ip_spawn(&c->p, args, 0);
}

static int reap(struct centre *c)
{
    return ip_reap(&c->p, WAIT_MS);
}

static const char *const sensors_ini =
    "[radar rozewie]\nsac = 25\nsic = 7\nlat = 54.83\nlon = 18.34\nalt_m = 80\nperiod_s = 10\n"
    "assumed_alt_m = 900\n\n[adsb gdansk-rx]\nlat = 54.38\nlon = 18.47\n\n"
    "[ais rozewie-ais]\nlat = 54.83\nlon = 18.34\n\n";

static int write_centre(int i, const char *peers, const char *replays, const char *extra)
{
    struct centre *c = &cc[i];
    char conf[8192], path[256];
    snprintf(conf, sizeof conf,
             "[centre]\nname = %s\n%s\n"
             "[web]\nlisten = 127.0.0.1:0\naccounts = accounts\nport_file = %s/%s.port\n\n"
             "[picture]\ncycle_ms = 500\n\n%s\n%s"
             "[hotline]\nkeys = %s\nroster = roster.ini\njournal = %s.db\nlisten = "
             "127.0.0.1:%d\nheartbeat_ms = 500\nbackoff_max_ms = 1000\n\n%s",
             c->name, extra, tmp, c->dir, sensors_ini, replays, c->dir, c->dir, c->hl_port, peers);
    snprintf(path, sizeof path, "%s/%s.ini", tmp, c->dir);
    ip_write_file(path, conf);
    char cmd[1024];
    snprintf(cmd, sizeof cmd, "'%s' hotline -c %s --init", cairn_bin, path);
    return system(cmd) == 0 ? 0 : -1;
}

static int login(struct centre *c)
{
    int st = ih_login(&rep, c->port, "duty", "correct-horse", c->token, sizeof c->token);
    return st == 200 && c->token[0] ? 0 : -1;
}

static int group_setup(void **state)
{
    (void)state;
    signal(SIGPIPE, SIG_IGN);
    if (ip_scratch(tmp, sizeof tmp, "peers") != 0)
        return -1;
    char cmd[4096], path[256];
    snprintf(cmd, sizeof cmd,
             "cd %s && '%s' sim baltic-sea --out sim --quiet --seed 1 --formats radar,sbs,ais", tmp,
             cairn_bin);
    if (system(cmd) != 0 || ip_account(cairn_bin, tmp, "duty", "correct-horse") != 0)
        return -1;
    static const char *const party[N_CENTRES] = {"NATO", "RU", "LT"};
    for (int i = 0; i < N_CENTRES; i++) {
        cc[i].hl_port = ip_free_port();
        if (cc[i].hl_port <= 0)
            return -1;
        snprintf(cmd, sizeof cmd,
                 "cd %s && '%s' keygen --centre %s --party %s --address 127.0.0.1:%d --dir %s "
                 ">/dev/null && cat %s/roster.ini >> roster.ini",
                 tmp, cairn_bin, cc[i].name, party[i], cc[i].hl_port, cc[i].dir, cc[i].dir);
        if (system(cmd) != 0)
            return -1;
    }
    snprintf(path, sizeof path, "%s/ab.geojson", tmp);
    ip_write_file(path, area_ab);
    snprintf(path, sizeof path, "%s/ac.geojson", tmp);
    ip_write_file(path, area_ac);
    char err[200];
    if (geo_zones_parse(area_ab, strlen(area_ab), &zab, err, sizeof err) != 0 ||
        geo_zones_parse(area_ac, strlen(area_ac), &zac, err, sizeof err) != 0)
        return -1;
    udp_fd = socket(AF_INET, SOCK_DGRAM, 0);
    struct sockaddr_in u = {0};
    u.sin_family = AF_INET;
    u.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t ulen = sizeof u;
    if (udp_fd < 0 || bind(udp_fd, (struct sockaddr *)&u, sizeof u) != 0 ||
        getsockname(udp_fd, (struct sockaddr *)&u, &ulen) != 0)
        return -1;
    char peers_a[1024];
    snprintf(peers_a, sizeof peers_a,
             "[peer KALININGRAD-CC]\narea = ab.geojson\nrelease = civil\ninterval_s = 1\n"
             "record = a-from-b.jsonl\n\n"
             "[peer VILNIUS-CC]\narea = ac.geojson\nrelease = all\ninterval_s = 1\n\n"
             "[cat062]\nudp = 127.0.0.1:%d\nsac = 25\nsic = 200\ninterval_s = 1\n",
             ntohs(u.sin_port));
    const char *speed = "speed = 5\n";
    char replays[1024];
    snprintf(replays, sizeof replays,
             "[replay radar]\ninput = pcap:sim/radar.pcap\n%s\n"
             "[replay adsb]\ninput = sbs:sim/adsb.sbs\nsensor = gdansk-rx\n%s\n"
             "[replay ais]\ninput = nmea:sim/ais.nmea\nsensor = rozewie-ais\n%s\n",
             speed, speed, speed);
    if (write_centre(A, peers_a, replays,
                     "party = NATO\nmilitary = NDCK* DONALD*\nmilitary = 43C000-43CFFF\n"))
        return -1;
    snprintf(replays, sizeof replays,
             "[replay adsb]\ninput = sbs:sim/adsb.sbs\nsensor = gdansk-rx\n%s\n", speed);
    if (write_centre(B,
                     "[peer WARSAW-CC]\narea = ab.geojson\nrelease = civil\ninterval_s = 1\n"
                     "record = b-from-a.jsonl\n",
                     replays, "party = RU\n"))
        return -1;
    if (write_centre(C,
                     "[peer WARSAW-CC]\narea = ac.geojson\nrelease = none\n"
                     "record = c-from-a.jsonl\n",
                     "", "party = LT\n"))
        return -1;
    for (int i = 0; i < N_CENTRES; i++)
        spawn(&cc[i]);
    for (int i = 0; i < N_CENTRES; i++) {
        char up[96];
        snprintf(up, sizeof up, "run: centre %s up", cc[i].name);
        if (!wait_log(&cc[i], up)) {
            fprintf(stderr, "%s not up:\n%s\n", cc[i].name, cc[i].p.log);
            return -1;
        }
        snprintf(path, sizeof path, "%s/%s.port", tmp, cc[i].dir);
        if ((cc[i].port = ip_port_file(path)) == 0) {
            fprintf(stderr, "%s: no port file\n", cc[i].name);
            return -1;
        }
        if (login(&cc[i]) != 0) {
            fprintf(stderr, "%s: login refused: %s\n%s\n", cc[i].name, rep.body, cc[i].p.log);
            return -1;
        }
    }
    setups_ok++;
    return 0;
}

static int group_teardown(void **state)
{
    (void)state;
    for (int i = 0; i < N_CENTRES; i++)
        ip_kill(&cc[i].p);
    if (udp_fd >= 0)
        close(udp_fd);
    geo_zones_free(zab);
    geo_zones_free(zac);
    return ip_scratch_remove(tmp);
}

/* ----------------------------------------------------------------- tests */

/* The "picture" object of peer name in c's /api/link, or NULL. */
static json_t *link_picture(json_t *link, const char *name)
{
    size_t i;
    json_t *p;
    json_array_foreach(json_object_get(link, "peers"), i, p)
    {
        const char *n = json_string_value(json_object_get(p, "name"));
        if (n && !strcmp(n, name))
            return p;
    }
    return NULL;
}

static json_int_t jint(json_t *o, const char *a, const char *b)
{
    json_t *v = json_object_get(o, a);
    if (b)
        v = json_object_get(v, b);
    return json_integer_value(v);
}

/* Wait until pred holds of c's GET path (polled every 250 ms). */
static json_t *poll_until(struct centre *c, const char *path, int (*pred)(json_t *),
                          const char *what)
{
    int64_t end = ih_now_ms() + WAIT_MS;
    for (;;) {
        json_t *j = get_json(c, path);
        if (j && pred(j)) {
            fprintf(stderr, "%s: after %lld ms\n", what, (long long)(ih_now_ms() - end + WAIT_MS));
            return j;
        }
        json_decref(j);
        if (ih_now_ms() > end)
            fail_msg("%s: not seen in time; last %s: %.1500s", what, path, rep.body);
        ip_drain(250);
    }
}

static int both_peers_served(json_t *j)
{
    json_t *b = link_picture(j, "KALININGRAD-CC"), *c = link_picture(j, "VILNIUS-CC");
    return b && c && json_is_true(json_object_get(b, "up")) &&
           json_is_true(json_object_get(c, "up")) &&
           jint(json_object_get(b, "picture"), "tracks_sent", NULL) > 0 &&
           jint(json_object_get(c, "picture"), "tracks_sent", NULL) > 0 &&
           jint(json_object_get(b, "picture"), "tracks_withheld", "class") > 0 &&
           jint(json_object_get(b, "picture"), "tracks_withheld", "area") > 0 &&
           jint(json_object_get(b, "picture"), "pictures_received", NULL) > 0;
}

/* C: the airliner, the warship and the primary-only aircraft, all A's. */
static int c_has_all(json_t *j)
{
    size_t i, from_a = 0, coop = 0, dark = 0;
    json_t *t;
    json_array_foreach(json_object_get(j, "tracks"), i, t)
    {
        const char *o = json_string_value(json_object_get(t, "origin"));
        if (!o || strcmp(o, "peer:WARSAW-CC") != 0)
            continue;
        const char *party = json_string_value(json_object_get(t, "party"));
        if (!party || strcmp(party, "NATO") != 0)
            return 0; /* marked as that party's */
        from_a++;
        const char *icao = json_string_value(json_object_get(t, "icao"));
        coop += icao && !strcmp(icao, "48ad01");
        const char *x = json_string_value(json_object_get(t, "transponder"));
        dark += x && !strcmp(x, "no");
    }
    struct rec_check rc;
    read_record("c-from-a.jsonl", zac, -1, &rc);
    /* the dark aircraft stays dark at C: no transponder behind A's
     * primary-only track */
    return from_a >= 3 && coop && dark && rc.military && rc.non_coop;
}

/* B: the airliner fused, its own ADS-B and A's picture. */
static int b_fused(json_t *j)
{
    size_t i;
    json_t *t;
    json_array_foreach(json_object_get(j, "tracks"), i, t)
    {
        const char *icao = json_string_value(json_object_get(t, "icao"));
        const char *o = json_string_value(json_object_get(t, "origin"));
        json_t *peers = json_object_get(t, "peers");
        if (icao && !strcmp(icao, "48ad01") && o && !strcmp(o, "own") &&
            json_array_size(peers) == 1 &&
            !strcmp(json_string_value(json_array_get(peers, 0)), "WARSAW-CC"))
            return 1;
    }
    return 0;
}

static void test_pictures(void **state)
{
    (void)state;
    json_t *j = poll_until(&cc[A], "/api/link", both_peers_served, "A serving both peers");
    json_decref(j);
    j = poll_until(&cc[C], "/api/tracks", c_has_all, "C holding A's tracks");
    json_decref(j);
    j = poll_until(&cc[B], "/api/tracks", b_fused, "B's airliner fused with A's");
    json_decref(j);
    /* A's sensor names the peer's source in B's /api/sensors */
    assert_int_equal(http(&cc[B], "GET", "/api/sensors", NULL), 200);
    assert_non_null(strstr(rep.body, "\"name\":\"peer:WARSAW-CC\""));

    /* every record received, on the receiving end */
    struct rec_check rb, rc_, ra;
    read_record("b-from-a.jsonl", zab, -1, &rb);
    read_record("c-from-a.jsonl", zac, -1, &rc_);
    read_record("a-from-b.jsonl", zab, -1, &ra);
    fprintf(stderr,
            "records: B from A %zu (airliner %zu), C from A %zu (primary-only %zu, warship %zu), "
            "A from B %zu\n",
            rb.lines, rb.airliner, rc_.lines, rc_.non_coop, rc_.military, ra.lines);
    assert_true(rb.lines > 0 && rb.airliner > 0);
    assert_int_equal(rb.outside, 0);  /* nothing outside the A-B area */
    assert_int_equal(rb.non_coop, 0); /* no primary-only track: B is released civil */
    assert_int_equal(rb.military, 0); /* A's military never left for B */
    assert_int_equal(rb.cooperative, rb.lines);
    assert_true(rc_.lines > 0);
    assert_int_equal(rc_.outside, 0);
    assert_true(ra.lines > 0);
    assert_int_equal(ra.outside, 0);
    assert_int_equal(ra.cooperative, ra.lines);
    assert_int_equal(ra.military + ra.non_coop, 0);

    /* the counters */
    assert_int_equal(http(&cc[B], "GET", "/metrics", NULL), 200);
    assert_non_null(strstr(rep.body, "cairn_peer_up{peer=\"WARSAW-CC\"} 1"));
    assert_non_null(strstr(
        rep.body, "cairn_peer_records_refused_total{peer=\"WARSAW-CC\",reason=\"garbage\"} 0"));
    assert_non_null(
        strstr(rep.body,
               "cairn_peer_records_refused_total{peer=\"WARSAW-CC\",reason=\"outside_area\"} 0"));
    assert_null(strstr(rep.body, "cairn_peer_tracks_received_total{peer=\"WARSAW-CC\"} 0\n"));
    assert_int_equal(http(&cc[A], "GET", "/metrics", NULL), 200);
    assert_non_null(strstr(rep.body, "cairn_hotline_pictures_sent_total"));
    assert_null(strstr(rep.body, "cairn_peer_tracks_sent_total{peer=\"VILNIUS-CC\"} 0\n"));
}

static int count_report(void *arg, struct report *r)
{
    (void)r;
    (*(size_t *)arg)++;
    return 0;
}

/* A's [cat062]: the whole picture (the peers' rules do not apply to its
 * own systems) as CAT062 datagrams, each read back by the same reader. */
static void test_cat062_udp(void **state)
{
    (void)state;
    size_t tracks = 0, datagrams = 0;
    int64_t end = ih_now_ms() + WAIT_MS;
    static uint8_t d[65536];
    while (tracks < 3 && ih_now_ms() < end) {
        struct pollfd p = {udp_fd, POLLIN, 0};
        ip_drain(0);
        if (poll(&p, 1, 200) <= 0)
            continue;
        ssize_t n = recv(udp_fd, d, sizeof d, 0);
        assert_true(n > 0 && n <= 1452); /* an MTU's worth */
        struct app_c62_read_stats st;
        memset(&st, 0, sizeof st);
        app_c62_read(d, (size_t)n, INT64_C(1460462400000) /* the scenario's day */, 1000,
                     count_report, &tracks, &st);
        assert_int_equal(st.bad_blocks + st.bad_records, 0);
        datagrams++;
    }
    fprintf(stderr, "cat062: %zu tracks in %zu datagrams\n", tracks, datagrams);
    assert_true(tracks >= 3);
    assert_int_equal(http(&cc[A], "GET", "/metrics", NULL), 200);
    assert_null(strstr(rep.body, "cairn_cat062_datagrams_total 0\n"));
}

/* The cargo ship (AIS, class vessel) at A. */
static long cargo_id;
static int a_has_cargo(json_t *j)
{
    size_t i;
    json_t *t;
    json_array_foreach(json_object_get(j, "tracks"), i, t)
    {
        json_t *m = json_object_get(t, "mmsi");
        if (json_integer_value(m) == 273354190 ||
            (json_is_string(m) && !strcmp(json_string_value(m), "273354190"))) {
            const char *cls = json_string_value(json_object_get(t, "class"));
            assert_non_null(cls);
            assert_string_equal(cls, "vessel");
            cargo_id = (long)json_integer_value(json_object_get(t, "id"));
            return 1;
        }
    }
    return 0;
}

static void test_operator_release(void **state)
{
    (void)state;
    json_t *j = poll_until(&cc[A], "/api/tracks", a_has_cargo, "the cargo ship at A");
    json_decref(j);
    struct rec_check rb;
    read_record("b-from-a.jsonl", zab, cargo_id & 0xFFFF, &rb);
    assert_int_equal(rb.track, 0); /* a vessel: not released to B */
    char path[96];
    snprintf(path, sizeof path, "/api/tracks/%ld/release", cargo_id);
    assert_int_equal(http(&cc[A], "POST", path, "{\"peers\":[\"NOWHERE-CC\"]}"), 400);
    assert_int_equal(http(&cc[A], "POST", path, "{\"peers\":\"KALININGRAD-CC\"}"), 400);
    assert_int_equal(http(&cc[A], "POST", "/api/tracks/999999999/release", "{}"), 404);
    assert_int_equal(http(&cc[A], "POST", path, "{\"peers\":[\"KALININGRAD-CC\"]}"), 200);
    assert_non_null(strstr(rep.body, "\"releasable\":true"));
    int64_t end = ih_now_ms() + WAIT_MS;
    do {
        ip_drain(250);
        read_record("b-from-a.jsonl", zab, cargo_id & 0xFFFF, &rb);
    } while (rb.track == 0 && ih_now_ms() < end);
    assert_true(rb.track > 0);
    assert_int_equal(rb.outside, 0);
    assert_int_equal(rb.military + rb.non_coop, 0);
    /* withdrawn: marked no more */
    assert_int_equal(http(&cc[A], "POST", path, "{\"release\":false}"), 200);
    assert_non_null(strstr(rep.body, "\"releasable\":false"));
}

static int c_empty_of_a(json_t *j)
{
    size_t i;
    json_t *t;
    json_array_foreach(json_object_get(j, "tracks"), i, t)
    {
        const char *st = json_string_value(json_object_get(t, "status"));
        if (!st || strcmp(st, "deleted") != 0)
            return 0;
    }
    return 1;
}

static int a_down(json_t *j)
{
    json_t *p = link_picture(j, "WARSAW-CC");
    return p && json_is_false(json_object_get(p, "up"));
}

static void test_peer_away(void **state)
{
    (void)state;
    assert_int_equal(kill(cc[A].p.pid, SIGTERM), 0);
    assert_int_equal(reap(&cc[A]), 0);
    json_t *j = poll_until(&cc[C], "/api/link", a_down, "C seeing A down");
    json_t *pic = json_object_get(link_picture(j, "WARSAW-CC"), "picture");
    assert_true(jint(pic, "pictures_received", NULL) > 0);
    json_decref(j);
    /* C saw only through A: its tracks time out */
    j = poll_until(&cc[C], "/api/tracks", c_empty_of_a, "C's tracks timing out");
    json_decref(j);
    for (int i = B; i < N_CENTRES; i++) {
        assert_int_equal(kill(cc[i].p.pid, SIGTERM), 0);
        assert_int_equal(reap(&cc[i]), 0);
    }
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: test_peers CAIRN_BINARY\n");
        return 2;
    }
    static char bin[4096];
    if (!realpath(argv[1], bin)) {
        fprintf(stderr, "test_peers: %s: %s\n", argv[1], strerror(errno));
        return 2;
    }
    cairn_bin = bin;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_pictures),
        cmocka_unit_test(test_cat062_udp),
        cmocka_unit_test(test_operator_release),
        cmocka_unit_test(test_peer_away),
    };
    int rc = cmocka_run_group_tests(tests, group_setup, group_teardown);
    return rc || setups_ok != 1 ? 1 : 0;
}
