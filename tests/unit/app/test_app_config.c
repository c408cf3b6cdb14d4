/*
 * test_app_config.c — the centre's configuration (app/config.h): a full
 * file read back, relative paths, inline sensors with this file's line
 * numbers, and every refusal naming its line.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <sys/socket.h>
#include <string.h>

#include "app/config.h"
#include "base/error.h"

static struct app_config cfg;
static char err[512];

static int parse(const char *text)
{
    err[0] = 0;
    int rc = app_config_parse(text, strlen(text), "/etc/cairn", "c.ini", &cfg, err, sizeof err);
    if (rc)
        printf("refused: %s\n", err);
    return rc;
}

static void test_full(void **state)
{
    (void)state;
    const char *t = "; a centre\n"
                    "[centre]\nname = warsaw-cc\nparty = nato\n"
                    "[web]\nlisten = 127.0.0.1:0\nlisten = [::1]:8080\naccounts = acc\n"
                    "allow = 10.0.0.0/8\nport_file = /run/cairn.port\nstream_ms = 20\n"
                    "[picture]\ncycle_ms = 500 ; half a second\nseparation_nm = 3\n"
                    "zones = z.geojson\nplans = /srv/p.fpl\npoints = pts.txt\n"
                    "[adsb rx1]\nlat = 55.6\nlon = 13.0\n"
                    "[replay one]\ninput = sbs:rec/a.sbs\nsensor = rx1\nspeed = 20\n"
                    "[replay two]\ninput = x.beast\nstart = 2018-04-03T19:02:28.136Z\n"
                    "[sensor live]\nformat = beast\nconnect = [::1]:30005\nreceiver = rx1\n"
                    "[cat004]\nudp = [::1]:8600\nsac = 25\nsic = 90\n";
    assert_int_equal(parse(t), 0);
    assert_string_equal(cfg.name, "warsaw-cc");
    assert_string_equal(cfg.party, "nato");
    assert_int_equal(cfg.n_listen, 2);
    assert_string_equal(cfg.listen[1], "[::1]:8080");
    assert_string_equal(cfg.accounts, "/etc/cairn/acc");
    assert_string_equal(cfg.port_file, "/run/cairn.port");
    assert_int_equal(cfg.n_allow, 1);
    assert_int_equal(cfg.cycle_ms, 500);
    assert_int_equal(cfg.stream_ms, 20);
    assert_true(cfg.separation_nm == 3.0);
    assert_string_equal(cfg.zones_file, "/etc/cairn/z.geojson");
    assert_string_equal(cfg.plans_file, "/srv/p.fpl");
    assert_string_equal(cfg.points_file, "/etc/cairn/pts.txt");
    assert_int_equal(cfg.sensors.n, 1);
    assert_string_equal(cfg.sensors.s[0].name, "rx1");
    assert_int_equal(cfg.n_replay, 2);
    assert_string_equal(cfg.replay[0].input, "sbs:/etc/cairn/rec/a.sbs");
    assert_string_equal(cfg.replay[0].sensor, "rx1");
    assert_true(cfg.replay[0].speed == 20.0);
    assert_string_equal(cfg.replay[1].input, "/etc/cairn/x.beast");
    assert_true(cfg.replay[1].speed == 1.0);
    assert_true(cfg.replay[1].has_start);
    assert_true(cfg.has_cat004);
    assert_int_equal(cfg.cat004_sac, 25);
    assert_int_equal(cfg.cat004_sic, 90);
    assert_int_equal(cfg.n_sensor, 1);
    assert_string_equal(cfg.sensor[0].name, "live");
    assert_int_equal(cfg.sensor[0].format, SENSOR_FMT_BEAST);
    assert_int_equal(cfg.sensor[0].sensor_id, cfg.sensors.s[0].id); /* the receiver's */
    assert_true(cfg.sensor[0].has_rx);
    assert_int_equal(cfg.replay[1].start_utc_ms, INT64_C(1522782148136));
}

static void test_defaults(void **state)
{
    (void)state;
    assert_int_equal(parse("[web]\nlisten = 127.0.0.1:8080\naccounts = /a\n"), 0);
    assert_string_equal(cfg.name, "cairn");
    assert_int_equal(cfg.cycle_ms, 1000);
    assert_int_equal(cfg.stream_ms, 50);
    assert_int_equal(cfg.n_replay, 0);
    assert_int_equal(parse("[web]\nlisten = 127.0.0.1:8080\naccounts = /a\nstream_ms = 0\n"), 0);
    assert_int_equal(cfg.stream_ms, 0);
}

struct bad {
    const char *text;
    const char *want; /* in the message */
};

static void test_refused(void **state)
{
    (void)state;
    static const struct bad bad[] = {
        {"[web]\nlisten = 127.0.0.1:0\nlistne = 1\n", "line 3: unknown key 'listne' in [web]"},
        {"[web]\nlisten = 127.0.0.1:0\naccounts = a\n[radr x]\n", "line 4: unknown section"},
        {"name = x\n[web]\n", "line 1: key 'name' outside a section"},
        {"[centre]\nname = a b\n", "line 2:"},
        {"[centre]\nname = a\nname = b\n", "line 3: key 'name' given twice"},
        {"[web]\nlisten = example.org:80\n", "line 2: listen wants HOST:PORT"},
        {"[web]\nlisten = 127.0.0.1:0\naccounts = a\n[picture]\ncycle_ms = 5\n",
         "line 5: cycle_ms"},
        {"[web]\nlisten = 127.0.0.1:0\naccounts = a\n[picture]\ncycle_ms = 1e3x\n", "line 5:"},
        {"[web]\nlisten = 127.0.0.1:0\nstream_ms = 5\n", "line 3: stream_ms wants 0"},
        {"[web]\nlisten = 127.0.0.1:0\nstream_ms = 10001\n", "line 3: stream_ms"},
        {"[web]\nlisten = 127.0.0.1:0\nstream_ms = 50.5\n", "line 3: stream_ms"},
        {"[web]\nlisten = 127.0.0.1:0\nstream_ms = -1\n", "line 3: stream_ms"},
        {"[web]\nlisten = 127.0.0.1:0\nstream_ms = 50\nstream_ms = 60\n",
         "line 4: key 'stream_ms' given twice"},
        {"[web]\nlisten = 127.0.0.1:0\naccounts = a\n[replay r]\nspeed = 0\n", "line 5: speed"},
        {"[web]\nlisten = 127.0.0.1:0\naccounts = a\n[replay r]\nspeed = 2\n",
         "line 4: [replay r] needs input"},
        {"[web]\nlisten = 127.0.0.1:0\naccounts = a\n[replay r]\ninput = -\n", "line 5: input"},
        {"[web]\nlisten = 127.0.0.1:0\naccounts = a\n[replay r]\n[replay r]\n",
         "line 5: two [replay r]"},
        {"[web]\nlisten = 127.0.0.1:0\naccounts = a\n[replay r]\ninput = a.sbs\nsensor = nope\n",
         "line 4: [replay r]: no [adsb nope]"},
        {"[web]\nlisten = 127.0.0.1:0\naccounts = a\n\n[adsb rx]\nlat = 55\nlon = 13\nfoo = 1\n",
         "line 8"},
        {"[web]\nlisten = 127.0.0.1:0\naccounts = a\n[picture]\nsensors = s.ini\n[ais a]\n",
         "both [picture] sensors and inline"},
        {"[web]\nlisten = 127.0.0.1:0\n\x1b[31m\n", "line 3: control byte 0x1b"},
        {"[web]\nlisten = 127.0.0.1:0\n", "needs accounts"},
        {"[web]\nlisten = 127.0.0.1:0\naccounts = a\n[sensor s]\nformat = beast\ncolour = red\n",
         "line 6: unknown key 'colour' in [sensor s]"},
        {"[web]\nlisten = 127.0.0.1:0\naccounts = a\n[sensor s]\nformat = morse\n",
         "line 5: [sensor s] format:"},
        {"[web]\nlisten = 127.0.0.1:0\naccounts = a\n[sensor s]\nformat = beast\n",
         "line 4: [sensor s]:"},
        {"[web]\nlisten = 127.0.0.1:0\naccounts = a\n[sensor s]\nformat = sbs\n"
         "connect = 127.0.0.1:30003\nreceiver = nope\n",
         "no [adsb nope] or [ais nope] section"},
        {"[web]\nlisten = 127.0.0.1:0\naccounts = a\n[sensor s]\n[sensor s]\n",
         "two [sensor s] sections"},
        {"[web]\nlisten = 127.0.0.1:0\naccounts = a\n[cat004]\nsac = 1\n", "[cat004] needs udp"},
        {"[web]\nlisten = 127.0.0.1:0\naccounts = a\n[cat004]\nudp = 127.0.0.1:0\n",
         "line 5: udp wants HOST:PORT"},
        {"[web]\nlisten = 127.0.0.1:0\naccounts = a\n[cat004]\nudp = 127.0.0.1:8600\nsic = 256\n",
         "line 6: sic wants 0 to 255"},
        {"[web]\nlisten = 127.0.0.1:0\naccounts = a\n[picture]\npoints = p.txt\n",
         "points names the points of plans"},
        {"[web]\nlisten = 127.0.0.1:0\naccounts = a\n[picture]\nzones = a\nzones = b\n",
         "line 6: key 'zones' given twice"},
        {"[centre]\nname = x\n", "at least one listen"},
        {"[web]\nlisten = 127.0.0.1:0\naccounts = a\ntls_cert = c\n", "go together"},
        {"[web]\nlisten = 127.0.0.1:0\naccounts = a\n[picture] junk\n", "line 4: text after"},
        {"[web]\nlisten = 127.0.0.1:0\naccounts = a\nnot a key line\n", "line 4:"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        int rc = parse(bad[i].text);
        if (rc == 0)
            fail_msg("case %zu accepted", i);
        if (!strstr(err, bad[i].want))
            fail_msg("case %zu: '%s' does not say '%s'", i, err, bad[i].want);
        for (const char *p = err; *p; p++)
            assert_true((unsigned char)*p >= 0x20 && (unsigned char)*p < 0x7f);
    }
}

/* [output NAME] sections (app/output.h): read back, and refused with
 * their lines. */
static void test_outputs(void **state)
{
    (void)state;
    assert_int_equal(parse("[web]\nlisten = 127.0.0.1:0\naccounts = a\n"
                           "[output b]\nformat = beast\nlisten = [::]:30005\n"
                           "[output s]\nformat = sbs\nlisten = *:30003\nmax_clients = 5\n"
                           "max_queue = 65536\nheartbeat_s = 0\n"),
                     0);
    assert_int_equal(cfg.n_output, 2);
    assert_string_equal(cfg.output[0].name, "b");
    assert_int_equal(cfg.output[0].format, APP_OUT_BEAST);
    assert_int_equal(cfg.output[0].addr.a.ss.ss_family, AF_INET6);
    assert_int_equal(cfg.output[0].addr.port, 30005);
    assert_int_equal(cfg.output[0].max_clients, OUT_MAX_CLIENTS);
    assert_int_equal(cfg.output[0].line, 4);
    assert_int_equal(cfg.output[1].format, APP_OUT_SBS);
    assert_int_equal(cfg.output[1].max_clients, 5);
    assert_int_equal(cfg.output[1].max_queue, 65536);
    assert_int_equal(cfg.output[1].heartbeat_s, 0);
    static const struct bad bad[] = {
        {"[web]\nlisten = 127.0.0.1:0\naccounts = a\n[output o]\nformat = json\n",
         "line 5: [output o] format: format is beast, avr or sbs"},
        {"[web]\nlisten = 127.0.0.1:0\naccounts = a\n[output o]\nformat = avr\n",
         "line 4: [output o] needs listen"},
        {"[web]\nlisten = 127.0.0.1:0\naccounts = a\n[output o]\nlisten = 127.0.0.1:1\n",
         "line 4: [output o] needs format"},
        {"[web]\nlisten = 127.0.0.1:0\naccounts = a\n[output o]\nformat = avr\nport = 1\n",
         "line 6: unknown key 'port' in [output o]"},
        {"[web]\nlisten = 127.0.0.1:0\naccounts = a\n[output o]\nlisten = radar.example:1\n",
         "line 5: [output o] listen:"},
        {"[web]\nlisten = 127.0.0.1:0\naccounts = a\n[output o]\nmax_queue = 10\n",
         "line 5: [output o] max_queue"},
        {"[web]\nlisten = 127.0.0.1:0\naccounts = a\n[output o]\n[output o]\n",
         "line 5: two [output o] sections"},
        {"[web]\nlisten = 127.0.0.1:0\naccounts = a\n[output a b]\n", "line 4: [output NAME]"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        if (parse(bad[i].text) == 0)
            fail_msg("case %zu accepted", i);
        if (!strstr(err, bad[i].want))
            fail_msg("case %zu: '%s' does not say '%s'", i, err, bad[i].want);
    }
}

/* [procedures] (app/procedures.h): paths made absolute, the other keys
 * read by the procedures' own parser, refusals with their lines. */
static void test_procedures(void **state)
{
    (void)state;
    const char *base = "[web]\nlisten = 127.0.0.1:0\naccounts = a\n";
    char t[1024];
    snprintf(t, sizeof t,
             "%s[procedures]\nrenegade_notify = MOSCOW-CC,MINSK-CC\nrenegade_min = PROBABLE\n"
             "compliance_area = area.geojson\ncompliance_time = 06:00\n"
             "compliance_parties = RU=100000-1FFFFF\ndrafts = /var/lib/cairn/drafts.json\n",
             base);
    assert_int_equal(parse(t), 0);
    assert_true(cfg.has_procs);
    assert_int_equal(cfg.procs.n_renegade_notify, 2);
    assert_string_equal(cfg.procs.renegade_notify[0], "MOSCOW-CC");
    assert_int_equal(cfg.procs.renegade_min, 3);
    assert_string_equal(cfg.procs.compliance_area, "/etc/cairn/area.geojson");
    assert_int_equal(cfg.procs.compliance_time_min, 360);
    assert_string_equal(cfg.procs.drafts, "/var/lib/cairn/drafts.json");
    assert_int_equal(parse(base), 0);
    assert_false(cfg.has_procs);
    assert_int_equal(cfg.procs.renegade_min, 2); /* SUSPECTED */
    assert_int_equal(cfg.procs.compliance_time_min, -1);
    static const struct bad bad[] = {
        {"[procedures]\nrenegade_min = HIGH\n", "line 5: renegade_min wants"},
        {"[procedures]\ncompliance_time = 25:00\n", "line 5: compliance_time wants HH:MM"},
        {"[procedures]\nrenegade_notify = a b!\n", "line 5: renegade_notify wants"},
        {"[procedures]\ncompliance_parties = RU=2-1\n", "line 5: compliance_parties"},
        {"[procedures]\nfoo = 1\n", "line 5: unknown key 'foo' in [procedures]"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        snprintf(t, sizeof t, "%s%s", base, bad[i].text);
        assert_int_equal(parse(t), CAIRN_E_FORMAT);
        if (!strstr(err, bad[i].want))
            fail_msg("'%s': got '%s', want '%s'", bad[i].text, err, bad[i].want);
    }
}

/* [peer NAME], [cat062] and [centre] military (app/peer.h) */
static void test_peers(void **state)
{
    (void)state;
    const char *t = "[centre]\nname = WARSAW-CC\nmilitary = 43C000-43CFFF RRR*\n"
                    "military = AE1234\n"
                    "[web]\nlisten = 127.0.0.1:0\naccounts = acc\n"
                    "[hotline]\nkeys = k\n"
                    "[peer MOSCOW-CC]\narea = ab.geojson\nrelease = civil, vessel\n"
                    "interval_s = 2.5\nrecord = /var/log/moscow.jsonl\n"
                    "[peer VILNIUS-CC]\narea = /srv/ac.geojson\n"
                    "[cat062]\nudp = [ff02::1:6]:8600\nsac = 25\nsic = 200\ninterval_s = 0.5\n";
    assert_int_equal(parse(t), 0);
    assert_int_equal(cfg.military.n_ranges, 2);
    assert_int_equal(cfg.military.n_prefixes, 1);
    assert_int_equal(cfg.n_peer, 2);
    assert_string_equal(cfg.peer[0].name, "MOSCOW-CC");
    assert_string_equal(cfg.peer[0].area, "/etc/cairn/ab.geojson");
    assert_string_equal(cfg.peer[0].record, "/var/log/moscow.jsonl");
    assert_int_equal(cfg.peer[0].release,
                     APP_CLASS_BIT(APP_CLASS_CIVIL) | APP_CLASS_BIT(APP_CLASS_VESSEL));
    assert_int_equal(cfg.peer[0].interval_ms, 2500);
    assert_int_equal(cfg.peer[0].line, 10);
    /* defaults: civil only, every 4 s, no record */
    assert_string_equal(cfg.peer[1].area, "/srv/ac.geojson");
    assert_int_equal(cfg.peer[1].release, APP_CLASS_BIT(APP_CLASS_CIVIL));
    assert_int_equal(cfg.peer[1].interval_ms, 4000);
    assert_string_equal(cfg.peer[1].record, "");
    assert_int_equal(cfg.has_cat062, 1);
    assert_int_equal(cfg.cat062_sac, 25);
    assert_int_equal(cfg.cat062_sic, 200);
    assert_int_equal(cfg.cat062_interval_ms, 500);
    /* [cat062] without udp: the identity of the pictures only */
    assert_int_equal(parse("[web]\nlisten = 127.0.0.1:0\naccounts = a\n[cat062]\nsac = 3\n"), 0);
    assert_int_equal(cfg.has_cat062, 0);
    assert_int_equal(cfg.cat062_sac, 3);
    assert_int_equal(cfg.cat062_interval_ms, 1000);
    static const struct bad bad[] = {
        {"[web]\nlisten = 127.0.0.1:0\naccounts = a\n[peer X-CC]\narea = a\n",
         "[peer X-CC] needs the hotline"},
        {"[web]\nlisten = 127.0.0.1:0\naccounts = a\n[hotline]\n[peer X-CC]\nrelease = civil\n",
         "line 5: [peer X-CC] needs area"},
        {"[web]\nlisten = 127.0.0.1:0\naccounts = a\n[hotline]\n[peer X-CC]\narea = a\n"
         "release = civilian\n",
         "line 7: [peer X-CC] release lists classes"},
        {"[web]\nlisten = 127.0.0.1:0\naccounts = a\n[hotline]\n[peer X-CC]\narea = a\n"
         "interval_s = 0\n",
         "line 7: [peer X-CC] interval_s"},
        {"[web]\nlisten = 127.0.0.1:0\naccounts = a\n[hotline]\n[peer X-CC]\narea = a\n"
         "area = b\n",
         "line 7: key 'area' given twice in [peer X-CC]"},
        {"[web]\nlisten = 127.0.0.1:0\naccounts = a\n[hotline]\n[peer X-CC]\narea = a\n"
         "colour = red\n",
         "line 7: unknown key 'colour' in [peer X-CC]"},
        {"[web]\nlisten = 127.0.0.1:0\naccounts = a\n[peer X CC]\n", "line 4: [peer NAME]"},
        {"[web]\nlisten = 127.0.0.1:0\naccounts = a\n[hotline]\n[peer X]\narea = a\n[peer X]\n",
         "line 7: two [peer X] sections"},
        {"[centre]\nmilitary = 43C00\n", "line 2: [centre] military: an item is"},
        {"[centre]\nmilitary = rrr*\n", "line 2: [centre] military: a callsign prefix"},
        {"[web]\nlisten = 127.0.0.1:0\naccounts = a\n[cat062]\nudp = host\n",
         "line 5: udp wants HOST:PORT"},
        {"[web]\nlisten = 127.0.0.1:0\naccounts = a\n[cat062]\ninterval_s = 0.01\n",
         "line 5: [cat062] interval_s"},
        {"[web]\nlisten = 127.0.0.1:0\naccounts = a\n[cat062]\nsac = 300\n",
         "line 5: sac wants 0 to 255"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        int rc = parse(bad[i].text);
        if (rc == 0)
            fail_msg("case %zu accepted", i);
        if (!strstr(err, bad[i].want))
            fail_msg("case %zu: '%s' does not say '%s'", i, err, bad[i].want);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_full),       cmocka_unit_test(test_defaults),
        cmocka_unit_test(test_refused),    cmocka_unit_test(test_outputs),
        cmocka_unit_test(test_procedures), cmocka_unit_test(test_peers),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
