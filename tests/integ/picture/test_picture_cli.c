/*
 * test_picture_cli.c — `cairn picture` end to end, its JSON Lines read
 * back with jansson.
 *
 *  - malmo-2014 (`cairn sim`, seed 1 or CAIRN_TEST_SEED: radar.pcap with CAT048 of two radars,
 *    adsb.sbs): one track per aircraft — SAS681 with its three sensors
 *    (malmo-rx ADS-B, kastrup-app and malmo-er Mode S + PSR), the Il-20 one
 *    primary-only track with transponder "no" — and these alerts only:
 *      NO_TRANSPONDER on the Il-20's track, opened within 30 s of the
 *        start (3 scans of the 4 s radar once the track is confirmed);
 *      SEPARATION between the two tracks: first opened (a prediction,
 *        severity caution) at least 60 s before the truth's loss of 5 NM,
 *        and a warning (actual loss) within two scans of the 10 s radar
 *        (20 s) of that loss;
 *      nothing else (no EMERGENCY, no other pair).
 *  - vigilant-skies-2011 and baltic-sea (`cairn sim`, seed 1, with the
 *    zones, the plans and the truth): one track per mover and no other,
 *    and every alert line judged against what the scenario stages (the
 *    alerts that must come, with their tracks and a time window derived
 *    from the scenario file and its truth; the ones allowed; anything else
 *    fails), the number of alerts, and the evaluation's verdicts. The
 *    expectations and their derivation are stated at each scenario.
 *  - bering-strait (`cairn sim`, seed 1): traffic across the antimeridian,
 *    sensors on both sides of it: SEPARATION between the airliners passing
 *    on 180 and SEA_CPA between the ships, in time, places on 180.
 *  - the St Petersburg Beast log (../shared/data, 61 s near Pulkovo):
 *    its 11 aircraft (tracks with 11 distinct ICAO addresses, ADS-B only,
 *    no track without address; UTA470, at the edge of coverage, is silent
 *    for 28 s and gets a second track), with the 3 NM minimum a terminal
 *    area is authorised for (with 5 NM, predicted losses between arrivals
 *    open: CPAs of 3.1 to 5.0 NM). No alert but a known nuisance of the
 *    turning hypothesis (see the test).
 *  - the CAT048 sample cat_034_048.pcap (../shared/data; seven radars of
 *    SAC 25 at illustrative sites): tracks whose plots carry primary and
 *    secondary detections are one track with both (psr and modes from one
 *    sensor), no address is in two tracks, no track lacks an address, and
 *    no NO_TRANSPONDER.
 *  - refusals: a Beast input without --start and raw ASTERIX without
 *    --date exit 2 and say which option to give; a bad sensors file exits
 *    2 with its line.
 * argv[1] is the cairn binary. Bounded: a few seconds.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/wait.h>
#include <unistd.h>

#include "geo/geo.h"
#include "testdata.h"

static const char *cairn_bin;
/* The scenarios' seed: 1, or CAIRN_TEST_SEED for a manual run on another
 * draw of the same scenarios (the expectations derive from the scenario
 * files and the truth, not from one draw). */
static long seed = 1;
static char tmp[64];

#define MAX_LINES 4096

struct out {
    json_t *line[MAX_LINES];
    size_t n;
    int status;
    char err[4096];
};

static void out_free(struct out *o)
{
    for (size_t i = 0; i < o->n; i++)
        json_decref(o->line[i]);
    o->n = 0;
}

/* Run `cairn picture ARGS` (a shell line), parse stdout, keep stderr. */
static void run(struct out *o, const char *args)
{
    memset(o, 0, sizeof *o);
    char cmd[2048], errpath[128];
    snprintf(errpath, sizeof errpath, "%s/stderr", tmp);
    snprintf(cmd, sizeof cmd, "'%s' picture %s 2>%s", cairn_bin, args, errpath);
    printf("$ %s\n", cmd);
    FILE *f = popen(cmd, "r");
    assert_non_null(f);
    static char line[1 << 16];
    while (fgets(line, sizeof line, f)) {
        json_error_t e;
        json_t *j = json_loads(line, 0, &e);
        if (!j)
            fail_msg("not JSON: %s (%s)", line, e.text);
        assert_true(o->n < MAX_LINES);
        o->line[o->n++] = j;
    }
    int st = pclose(f);
    o->status = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
    FILE *ef = fopen(errpath, "r");
    if (ef) {
        size_t n = fread(o->err, 1, sizeof o->err - 1, ef);
        o->err[n] = 0;
        fclose(ef);
    }
}

static const char *str(json_t *o, const char *k)
{
    return json_string_value(json_object_get(o, k));
}

static int is(json_t *o, const char *type)
{
    const char *t = str(o, "type");
    return t && !strcmp(t, type);
}

static void write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

/* ---------------------------------------------------------------- malmo */

/* The truth's first second with SAS681 and IL20 closer than 5 NM. */
static double truth_loss_s(const char *dir, double *start_s)
{
    char path[256];
    snprintf(path, sizeof path, "%s/truth.jsonl", dir);
    FILE *f = fopen(path, "r");
    assert_non_null(f);
    char line[1024];
    double t_prev = -1, sas[2] = {0}, il[2] = {0}, loss = -1;
    int have = 0;
    *start_s = -1;
    while (fgets(line, sizeof line, f)) {
        json_t *o = json_loads(line, 0, NULL);
        assert_non_null(o);
        double t = json_number_value(json_object_get(o, "t"));
        if (*start_s < 0)
            *start_s = t;
        if (t != t_prev)
            have = 0;
        t_prev = t;
        const char *id = str(o, "id");
        double *p = id && !strcmp(id, "SAS681") ? sas : id && !strcmp(id, "IL20") ? il : NULL;
        if (p) {
            p[0] = json_number_value(json_object_get(o, "lat"));
            p[1] = json_number_value(json_object_get(o, "lon"));
            have |= p == sas ? 1 : 2;
        }
        if (have == 3 && loss < 0 && geo_distance_m(sas[0], sas[1], il[0], il[1]) < 5 * 1852.0)
            loss = t;
        json_decref(o);
    }
    fclose(f);
    assert_true(loss > 0);
    return loss;
}

static void test_malmo(void **state)
{
    (void)state;
    char cmd[512], dir[128], args[1024];
    snprintf(dir, sizeof dir, "%s/malmo", tmp);
    snprintf(cmd, sizeof cmd, "'%s' sim malmo-2014 --out %s --quiet --seed %ld", cairn_bin, dir,
             seed);
    assert_int_equal(system(cmd), 0);
    double start_s;
    double loss_s = truth_loss_s(dir, &start_s);
    printf("truth: start %.0f, loss of 5 NM at %.0f (+%.0f s)\n", start_s, loss_s,
           loss_s - start_s);
    /* the shipped sensors file (the README's example) */
    snprintf(args, sizeof args,
             "--sensors %s/scenarios/malmo-2014.sensors.ini %s/radar.pcap sbs:%s/adsb.sbs",
             CAIRN_SOURCE_DIR, dir, dir);
    struct out o;
    run(&o, args);
    assert_int_equal(o.status, 0);

    /* tracks */
    json_t *sas = NULL, *il = NULL;
    size_t n_tracks = 0;
    for (size_t i = 0; i < o.n; i++) {
        if (!is(o.line[i], "track"))
            continue;
        n_tracks++;
        const char *icao = str(o.line[i], "icao");
        if (icao && !strcmp(icao, "4ac9e1"))
            sas = o.line[i];
        else if (!icao)
            il = o.line[i];
    }
    assert_int_equal(n_tracks, 2);
    assert_non_null(sas);
    assert_non_null(il);
    assert_string_equal(str(sas, "kind"), "aircraft");
    assert_string_equal(str(sas, "callsign"), "SAS681");
    json_t *src = json_object_get(sas, "sources");
    assert_int_equal(json_array_size(src), 3);
    int seen_rx = 0, seen_app = 0, seen_er = 0;
    for (size_t k = 0; k < json_array_size(src); k++) {
        json_t *s = json_array_get(src, k);
        const char *name = str(s, "sensor");
        assert_true(json_integer_value(json_object_get(s, "updates")) > 10);
        seen_rx += !strcmp(name, "malmo-rx");
        seen_app += !strcmp(name, "kastrup-app");
        seen_er += !strcmp(name, "malmo-er");
    }
    assert_true(seen_rx == 1 && seen_app == 1 && seen_er == 1);
    assert_string_equal(str(json_object_get(sas, "compliance"), "transponder"), "yes");
    assert_string_equal(str(json_object_get(il, "compliance"), "transponder"), "no");
    assert_string_equal(str(il, "kind"),
                        "aircraft"); /* primary plots alone, but far too fast for a ship */
    assert_true(json_is_null(json_object_get(il, "alt_ft")));
    json_t *isrc = json_object_get(il, "sources");
    for (size_t k = 0; k < json_array_size(isrc); k++) {
        json_t *by = json_object_get(json_array_get(isrc, k), "detected_by");
        assert_int_equal(json_array_size(by), 1);
        assert_string_equal(json_string_value(json_array_get(by, 0)), "psr");
    }
    json_int_t sas_id = json_integer_value(json_object_get(sas, "id"));
    json_int_t il_id = json_integer_value(json_object_get(il, "id"));

    /* alerts */
    double nt_open = -1, sep_first = -1, sep_warn = -1;
    unsigned nt_opens = 0, sep_opens = 0;
    for (size_t i = 0; i < o.n; i++) {
        json_t *a = o.line[i];
        if (!is(a, "alert"))
            continue;
        const char *rule = str(a, "rule"), *st = str(a, "state"), *sev = str(a, "severity");
        double t = json_number_value(json_object_get(a, "t"));
        json_t *trk = json_object_get(a, "tracks");
        printf("alert %s %s %s at +%.0f s\n", rule, st, sev, t - start_s);
        assert_true(json_is_string(json_object_get(a, "text")));
        {
            /* a whole sentence: not cut by the writer */
            const char *text = json_string_value(json_object_get(a, "text"));
            assert_true(strlen(text) > 20 && text[strlen(text) - 1] == '.');
        }
        assert_true(json_is_object(json_object_get(a, "values")));
        if (!strcmp(rule, "NO_TRANSPONDER")) {
            assert_int_equal(json_integer_value(json_object_get(json_array_get(trk, 0), "id")),
                             il_id);
            if (!strcmp(st, "open")) {
                nt_opens++;
                nt_open = t;
            }
        } else if (!strcmp(rule, "SEPARATION")) {
            json_int_t a0 = json_integer_value(json_object_get(json_array_get(trk, 0), "id"));
            json_int_t a1 = json_integer_value(json_object_get(json_array_get(trk, 1), "id"));
            assert_true((a0 == sas_id && a1 == il_id) || (a0 == il_id && a1 == sas_id));
            if (!strcmp(st, "open")) {
                sep_opens++;
                if (sep_first < 0) {
                    sep_first = t;
                    assert_string_equal(sev, "caution");
                    assert_true(json_is_string(json_object_get(a, "hypothesis")));
                }
            }
            if (!strcmp(sev, "warning") && sep_warn < 0 && strcmp(st, "cleared"))
                sep_warn = t;
        } else {
            fail_msg("unexpected alert rule %s", rule);
        }
    }
    printf("NO_TRANSPONDER opened at +%.0f s; SEPARATION first opened at +%.0f s (%.0f s "
           "before the loss), warning at +%.0f s (loss at +%.0f s); %u SEPARATION opens\n",
           nt_open - start_s, sep_first - start_s, loss_s - sep_first, sep_warn - start_s,
           loss_s - start_s, sep_opens);
    assert_int_equal(nt_opens, 1);
    assert_true(nt_open >= start_s && nt_open <= start_s + 30);
    assert_true(sep_first > 0 && sep_first <= loss_s - 60);
    assert_true(sep_warn > 0 && fabs(sep_warn - loss_s) <= 20);
    out_free(&o);
}

/* ------------------------------------------------- shipped scenarios */

/* A mover of a shipped scenario and the identity its track carries in the
 * final listing: its ICAO address, else its MMSI, else its Mode 3/A code
 * (and no address); none of the three: the one track without any identity.
 * `kind` and `transponder` (the compliance triple's first member) are
 * checked at the end when given. */
struct mover {
    const char *name, *icao;
    long long mmsi;
    const char *squawk, *kind, *transponder;
};

/* One kind of alert line the scenario requires or allows: its rule, the
 * movers whose tracks it names (`a` first; with `b` the pair in either
 * order; without `b` the second track, if any, is not judged: the nearest
 * traffic of NO_TRANSPONDER), its state (NULL: open or updated), severity
 * (NULL: any), zone (index in baltic-zones.geojson, -1 any) and a window in
 * seconds after the scenario's start. MUST: at least one line matches.
 * MAY: lines may match. UNJUDGED: lines today's picture gets wrong (see the
 * comment at the entry); the test neither requires nor forbids them.
 * Every alert line must match an entry: anything else is a failure. */
enum { MAY, MUST, UNJUDGED };
struct ep {
    const char *rule, *a, *b, *state, *sev;
    int zone;
    double lo, hi;
    int must;
};

/* How many distinct alerts (ids) of a rule name mover a (and b). */
struct nalerts {
    const char *rule, *a, *b;
    unsigned n;
};

struct sc {
    const char *name;
    const struct mover *mv;
    size_t n_mv;
    const struct ep *ep;
    size_t n_ep;
    const struct nalerts *na;
    size_t n_na;
    const char *const *pass; /* evaluation targets the picture meets */
    size_t n_pass;
    unsigned n_dark; /* aircraft flying dark: each named by an alert */
};

#define N_OF(a)    (sizeof(a) / sizeof((a)[0]))
#define MAX_MOVERS 8

/* What a run gives the scenario's own checks. */
struct sc_run {
    struct out o;
    double start_s;            /* the scenario's start (truth's first t) */
    json_int_t id[MAX_MOVERS]; /* each mover's track id */
    json_t *track[MAX_MOVERS]; /* its line in the final listing */
    json_t *ev;                /* the evaluation */
};

static int mover_of(const struct sc *s, const struct sc_run *r, json_int_t id)
{
    for (size_t m = 0; m < s->n_mv; m++)
        if (r->id[m] == id)
            return (int)m;
    return -1;
}

static int mover_idx(const struct sc *s, const char *name)
{
    for (size_t m = 0; m < s->n_mv; m++)
        if (!strcmp(s->mv[m].name, name))
            return (int)m;
    fail_msg("no mover %s in the test's table", name);
    return -1;
}

/* The mover of the alert line's k-th track (-1: none; a track that is no
 * mover's fails the test). */
static int line_mover(const struct sc *s, const struct sc_run *r, json_t *a, size_t k)
{
    json_t *trk = json_object_get(a, "tracks");
    if (k >= json_array_size(trk))
        return -1;
    json_int_t id = json_integer_value(json_object_get(json_array_get(trk, k), "id"));
    int m = mover_of(s, r, id);
    if (m < 0)
        fail_msg("%s alert %s names track %lld, which is no mover's track", s->name, str(a, "rule"),
                 (long long)id);
    return m;
}

/* Whether the alert line names movers a (and b) as the entry says. */
static int names(const struct sc *s, const struct sc_run *r, json_t *a, const char *ma,
                 const char *mb)
{
    int ia = mover_idx(s, ma), m0 = line_mover(s, r, a, 0);
    if (!mb)
        return m0 == ia;
    int ib = mover_idx(s, mb), m1 = line_mover(s, r, a, 1);
    return (m0 == ia && m1 == ib) || (m0 == ib && m1 == ia);
}

static int matches(const struct sc *s, const struct sc_run *r, json_t *a, const struct ep *e)
{
    const char *st = str(a, "state");
    double t = json_number_value(json_object_get(a, "t")) - r->start_s;
    if (strcmp(str(a, "rule"), e->rule) || !names(s, r, a, e->a, e->b))
        return 0;
    if (e->state ? strcmp(st, e->state) != 0 : !strcmp(st, "cleared"))
        return 0;
    if (e->sev && strcmp(str(a, "severity"), e->sev))
        return 0;
    if (e->zone >= 0 &&
        json_integer_value(json_object_get(json_object_get(a, "values"), "zone")) != e->zone)
        return 0;
    return t >= e->lo && t <= e->hi;
}

/* Which mover a track line of the final listing is (-1: none). */
static int track_mover(const struct sc *s, json_t *l)
{
    const char *icao = str(l, "icao"), *sq = str(l, "squawk");
    json_t *mmsi = json_object_get(l, "mmsi");
    for (size_t m = 0; m < s->n_mv; m++) {
        const struct mover *v = &s->mv[m];
        if (v->icao) {
            if (icao && !strcasecmp(icao, v->icao))
                return (int)m;
        } else if (v->mmsi) {
            if (json_is_integer(mmsi) && json_integer_value(mmsi) == v->mmsi)
                return (int)m;
        } else if (v->squawk) {
            if (!icao && sq && !strcmp(sq, v->squawk))
                return (int)m;
        } else if (!icao && !sq && !json_is_integer(mmsi)) {
            return (int)m;
        }
    }
    return -1;
}

static double truth_start(const char *dir)
{
    char path[256], line[4096];
    snprintf(path, sizeof path, "%s/truth.jsonl", dir);
    FILE *f = fopen(path, "r");
    assert_non_null(f);
    assert_non_null(fgets(line, sizeof line, f));
    fclose(f);
    json_t *o = json_loads(line, 0, NULL);
    assert_non_null(o);
    double t = json_number_value(json_object_get(o, "t"));
    json_decref(o);
    return t;
}

/* Simulate a shipped scenario (seed 1), run the picture on every feed with
 * its zones, plans and truth, and check: one track per mover and no other
 * (none doubled, none extra), every alert line against the scenario's
 * entries, the MUST entries, the number of alerts, and the evaluation (its
 * targets, no track break, no identity swap, every dark aircraft named).
 * r->o is left for the scenario's own checks (out_free by the caller). */
static void scenario(const struct sc *s, struct sc_run *r)
{
    char cmd[512], dir[128], args[2048];
    memset(r, 0, sizeof *r);
    assert_true(s->n_mv <= MAX_MOVERS);
    snprintf(dir, sizeof dir, "%s/%s", tmp, s->name);
    snprintf(cmd, sizeof cmd, "'%s' sim %s --out %s --quiet --seed %ld", cairn_bin, s->name, dir,
             seed);
    assert_int_equal(system(cmd), 0);
    r->start_s = truth_start(dir);
    snprintf(args, sizeof args,
             "--scenario %s --zones %s/scenarios/baltic-zones.geojson --plans "
             "%s/scenarios/vigilant-skies-2011.fpl --points %s/scenarios/points.txt --truth "
             "%s/truth.jsonl %s/radar.pcap sbs:%s/adsb.sbs nmea:%s/ais.nmea",
             s->name, CAIRN_SOURCE_DIR, CAIRN_SOURCE_DIR, CAIRN_SOURCE_DIR, dir, dir, dir, dir);
    struct out *o = &r->o;
    run(o, args);
    assert_int_equal(o->status, 0);

    /* the final listing: one track per mover, none left over */
    for (size_t m = 0; m < s->n_mv; m++)
        r->id[m] = -1;
    for (size_t i = 0; i < o->n; i++) {
        json_t *l = o->line[i];
        if (is(l, "evaluation"))
            r->ev = l;
        if (!is(l, "track"))
            continue;
        int m = track_mover(s, l);
        if (m < 0)
            fail_msg("%s: track %lld (icao %s, squawk %s) is no mover's: an extra track", s->name,
                     (long long)json_integer_value(json_object_get(l, "id")),
                     str(l, "icao") ? str(l, "icao") : "-",
                     str(l, "squawk") ? str(l, "squawk") : "-");
        if (r->track[m])
            fail_msg("%s: %s has two tracks, %lld and %lld", s->name, s->mv[m].name,
                     (long long)r->id[m], (long long)json_integer_value(json_object_get(l, "id")));
        r->track[m] = l;
        r->id[m] = json_integer_value(json_object_get(l, "id"));
        json_t *c = json_object_get(l, "compliance");
        printf("%s: %s is track %lld (%s, transponder %s)\n", s->name, s->mv[m].name,
               (long long)r->id[m], str(l, "kind"), str(c, "transponder"));
        if (s->mv[m].kind)
            assert_string_equal(str(l, "kind"), s->mv[m].kind);
        if (s->mv[m].transponder)
            assert_string_equal(str(c, "transponder"), s->mv[m].transponder);
    }
    for (size_t m = 0; m < s->n_mv; m++)
        if (!r->track[m])
            fail_msg("%s: no track for %s", s->name, s->mv[m].name);
    assert_non_null(r->ev);

    /* every alert line is one the scenario stages or allows */
    unsigned *hits = calloc(s->n_ep, sizeof *hits);
    assert_non_null(hits);
    for (size_t i = 0; i < o->n; i++) {
        json_t *a = o->line[i];
        if (!is(a, "alert"))
            continue;
        double t = json_number_value(json_object_get(a, "t")) - r->start_s;
        char who[64] = "";
        json_t *trk = json_object_get(a, "tracks");
        for (size_t k = 0; k < json_array_size(trk); k++) {
            int m = line_mover(s, r, a, k);
            snprintf(who + strlen(who), sizeof who - strlen(who), "%s%s", k ? "/" : "",
                     s->mv[m].name);
        }
        printf("  +%5.0f #%-3lld %-15s %-7s %-8s %-17s %s\n", t,
               (long long)json_integer_value(json_object_get(a, "id")), str(a, "rule"),
               str(a, "state"), str(a, "severity"), who, str(a, "text"));
        /* a whole printable sentence */
        const char *text = str(a, "text");
        assert_non_null(text);
        assert_true(strlen(text) > 20 && text[strlen(text) - 1] == '.');
        size_t k = 0;
        while (k < s->n_ep && !matches(s, r, a, &s->ep[k]))
            k++;
        if (k == s->n_ep)
            fail_msg("%s: unexpected alert line at +%.0f s: %s %s %s on %s", s->name, t,
                     str(a, "rule"), str(a, "state"), str(a, "severity"), who);
        hits[k]++;
    }
    for (size_t k = 0; k < s->n_ep; k++) {
        const struct ep *e = &s->ep[k];
        if (e->must == MUST && !hits[k])
            fail_msg("%s: missing: %s %s %s on %s%s%s between +%.0f and +%.0f s", s->name, e->rule,
                     e->state ? e->state : "open/updated", e->sev ? e->sev : "", e->a,
                     e->b ? "/" : "", e->b ? e->b : "", e->lo, e->hi);
    }
    free(hits);
    for (size_t k = 0; k < s->n_na; k++) {
        const struct nalerts *na = &s->na[k];
        json_int_t seen[64];
        unsigned n = 0;
        for (size_t i = 0; i < o->n; i++) {
            json_t *a = o->line[i];
            if (!is(a, "alert") || strcmp(str(a, "rule"), na->rule) ||
                !names(s, r, a, na->a, na->b))
                continue;
            json_int_t id = json_integer_value(json_object_get(a, "id"));
            unsigned j = 0;
            while (j < n && seen[j] != id)
                j++;
            if (j == n && n < 64)
                seen[n++] = id;
        }
        printf("%s: %u %s alert(s) on %s%s%s (expected %u)\n", s->name, n, na->rule, na->a,
               na->b ? "/" : "", na->b ? na->b : "", na->n);
        assert_int_equal(n, na->n);
    }

    /* the evaluation */
    json_t *tg = json_object_get(r->ev, "targets");
    for (size_t k = 0; k < s->n_pass; k++) {
        json_t *v = NULL;
        for (size_t j = 0; j < json_array_size(tg); j++)
            if (!strcmp(str(json_array_get(tg, j), "name"), s->pass[k]))
                v = json_array_get(tg, j);
        assert_non_null(v);
        printf("%s: target %s: %s\n", s->name, s->pass[k], str(v, "result"));
        assert_string_equal(str(v, "result"), "pass");
    }
    json_t *tr = json_object_get(r->ev, "tracks"), *dk = json_object_get(r->ev, "dark_aircraft");
    assert_int_equal(json_integer_value(json_object_get(tr, "breaks")), 0);
    assert_int_equal(json_integer_value(json_object_get(tr, "identity_swaps")), 0);
    assert_int_equal(json_integer_value(json_object_get(dk, "total")), s->n_dark);
    assert_int_equal(json_integer_value(json_object_get(dk, "detected")), s->n_dark);
}

/* The severity of the last line of an alert of this rule on mover a at or
 * before `at` seconds after the start (NULL: none yet, or cleared). */
static const char *severity_at(const struct sc *s, const struct sc_run *r, const char *rule,
                               const char *ma, double at)
{
    const char *sev = NULL;
    for (size_t i = 0; i < r->o.n; i++) {
        json_t *a = r->o.line[i];
        if (!is(a, "alert") || strcmp(str(a, "rule"), rule) || !names(s, r, a, ma, NULL))
            continue;
        if (json_number_value(json_object_get(a, "t")) - r->start_s > at)
            break;
        sev = strcmp(str(a, "state"), "cleared") ? str(a, "severity") : NULL;
    }
    return sev;
}

/* Vigilant Skies 2011 (scenarios/vigilant-skies-2011.json, start
 * 09:00:00Z; windows in seconds after it; a window's far end allows two
 * scans of the 10 s radars, as issue 8 asks, and a condition the picture
 * judges from positions may be met up to 10 s early from the tracks' noise).
 * Derived from the scenario and its truth, not from the picture:
 *  - RENEGADE (LOT3915, ICAO 48AE21, ADS-B and Mode S) squawks 7600 at
 *    +900: EMERGENCY (alert) and RENEGADE COMLOSS (caution) at once. Its
 *    plan (vigilant-skies-2011.fpl: EPKK 5130N01954E 5300N01909E EPGD) is
 *    left for 53.3N 20.8E: the truth is 10 NM off the route at +1150, so
 *    RENEGADE goes SUSPECTED (warning; two indicators, docs/detect.md); it
 *    is never PROBABLE or CONFIRMED (those need the operator), and stays
 *    SUSPECTED (15.7 NM off at touchdown) until it lands at Malbork (below
 *    30 kt at +3833: no plot, no airborne squitter), when both alerts clear
 *    once the track is deleted (5 scans) and the hold has passed. Its
 *    straight line enters the Kaliningrad zone within 300 s from +2658 to
 *    +2849 (the truth's course): ZONE approach (caution), never an entry.
 *  - PLAF-1 (squawk 0401, Mode A/C): the same approach from +2491 to +2582.
 *  - RUAF-1 (squawk 6101) is born at +2300 inside the Kaliningrad zone:
 *    ZONE entry (territorial: alert) once confirmed; leaves it at +2513
 *    (approach: caution; within 5 NM of the line) and is 5 NM away at +2568
 *    (cleared after the hold); comes back: its turn ends at +2871 heading in
 *    (a turning track is not predicted along a straight line), so a new
 *    approach, an entry at +3003, approach again at +3541 and away at
 *    +3584. Its transponder stops at +3300: TRANSPONDER_OFF (warning) on
 *    the same track after three primary-only scans, never NO_TRANSPONDER.
 *  - Nothing else: no NO_TRANSPONDER (every aircraft has a transponder; the
 *    radars miss 2-3 % of replies), no SEPARATION (the truth has no
 *    conflict: the escorts keep formation, exempt), no zone for the
 *    exercise area (another day), no EMERGENCY or RENEGADE on the fighters.
 *  - Three tracks, one per mover, the renegade's with ADS-B and the three
 *    radars' Mode S (one track, never several). */
static const struct mover vs_movers[] = {
    {"RENEGADE", "48ae21", 0, NULL, "aircraft", "yes"},
    {"PLAF-1", NULL, 0, "0401", "aircraft", "yes"},
    {"RUAF-1", NULL, 0, "6101", "aircraft", "no"},
};
static const struct ep vs_eps[] = {
    {"EMERGENCY", "RENEGADE", NULL, "open", "alert", -1, 900, 920, MUST},
    {"EMERGENCY", "RENEGADE", NULL, "cleared", NULL, -1, 3833, 3920, MUST},
    {"RENEGADE", "RENEGADE", NULL, "open", "caution", -1, 900, 920, MUST},
    {"RENEGADE", "RENEGADE", NULL, "updated", "warning", -1, 1140, 1170, MUST},
    {"RENEGADE", "RENEGADE", NULL, "cleared", NULL, -1, 3833, 3920, MUST},
    {"ZONE", "RENEGADE", NULL, "open", "caution", 0, 2648, 2678, MUST},
    {"ZONE", "RENEGADE", NULL, "cleared", NULL, 0, 2849, 2880, MUST},
    {"ZONE", "PLAF-1", NULL, "open", "caution", 0, 2481, 2511, MUST},
    {"ZONE", "PLAF-1", NULL, "cleared", NULL, 0, 2582, 2615, MUST},
    {"ZONE", "RUAF-1", NULL, "open", "alert", 0, 2300, 2330, MUST},
    {"ZONE", "RUAF-1", NULL, "updated", "caution", 0, 2503, 2533, MUST},
    {"ZONE", "RUAF-1", NULL, "updated", "caution", 0, 2503, 2588, MAY},
    {"ZONE", "RUAF-1", NULL, "cleared", NULL, 0, 2568, 2600, MUST},
    {"ZONE", "RUAF-1", NULL, "open", "caution", 0, 2861, 2891, MUST},
    {"ZONE", "RUAF-1", NULL, "updated", "alert", 0, 2993, 3023, MUST},
    {"ZONE", "RUAF-1", NULL, "updated", "caution", 0, 3531, 3561, MUST},
    {"ZONE", "RUAF-1", NULL, "updated", "caution", 0, 3531, 3604, MAY},
    {"ZONE", "RUAF-1", NULL, "cleared", NULL, 0, 3584, 3620, MUST},
    {"TRANSPONDER_OFF", "RUAF-1", NULL, "open", "warning", -1, 3300, 3330, MUST},
    {"TRANSPONDER_OFF", "RUAF-1", NULL, "cleared", NULL, -1, 4000, 4300, MAY},
};
static const struct nalerts vs_counts[] = {
    {"EMERGENCY", "RENEGADE", NULL, 1}, {"RENEGADE", "RENEGADE", NULL, 1},
    {"ZONE", "RENEGADE", NULL, 1},      {"ZONE", "PLAF-1", NULL, 1},
    {"ZONE", "RUAF-1", NULL, 2},        {"TRANSPONDER_OFF", "RUAF-1", NULL, 1},
};

static void test_vigilant_skies(void **state)
{
    (void)state;
    static const char *const pass[] = {"position_rms_radar_only_m", "position_rms_adsb_m",
                                       "completeness_min", "extra_tracks_max",
                                       "identity_swaps_max"};
    static const struct sc s = {
        "vigilant-skies-2011", vs_movers, N_OF(vs_movers), vs_eps, N_OF(vs_eps), vs_counts,
        N_OF(vs_counts),       pass,      N_OF(pass),      1};
    static struct sc_run r;
    scenario(&s, &r);
    /* the renegade: one track fed by ADS-B and the three radars' Mode S */
    json_t *src = json_object_get(r.track[0], "sources");
    unsigned adsb = 0, modes = 0;
    for (size_t k = 0; k < json_array_size(src); k++) {
        json_t *by = json_object_get(json_array_get(src, k), "detected_by");
        for (size_t b = 0; b < json_array_size(by); b++) {
            adsb += !strcmp(json_string_value(json_array_get(by, b)), "adsb");
            modes += !strcmp(json_string_value(json_array_get(by, b)), "modes");
        }
    }
    assert_int_equal(adsb, 1);
    assert_int_equal(modes, 3);
    assert_string_equal(str(r.track[0], "callsign"), "LOT3915");
    assert_string_equal(str(json_object_get(r.track[0], "compliance"), "flight_plan"), "yes");
    /* no track split or doubled (the transponder switched off included) */
    assert_int_equal(
        json_integer_value(json_object_get(json_object_get(r.ev, "tracks"), "extra_tracks")), 0);
    out_free(&r.o);
}

/* Baltic Sea (scenarios/baltic-sea.json, start 12:00:00Z; windows as
 * above), derived from the scenario and its truth:
 *  - LOWPASS flies without a transponder from +120 (radar only, 10 s):
 *    NO_TRANSPONDER (caution) after three primary-only scans, one alert all
 *    along (the radar sees it to the end), stepped to warning whenever
 *    another track is within 10 NM: the warship first at +168, and at both
 *    low passes.
 *  - It passes low (300 ft) and within 1 NM of the WARSHIP twice: +1512 to
 *    +1538 (0.06 NM) and +1723 to +1748 (0.33 NM); no other pass before the
 *    end. LOW_PASS (caution) at the first, UPDATED to warning at the
 *    second, one alert. Its closest approaches before are 2.78 NM (+671),
 *    3.13 NM (+884), 1.38 NM (+1096) and 1.73 NM (+1307), each just out of
 *    a 165-degree turn at 420 kt; a radar-only track of 10 s scans is up to
 *    about 800 m off there (seed 3: 1.00 NM estimated at +1096, its
 *    pos_sigma_m 93 m: the tracker's sigma does not say it, so the rule
 *    cannot judge by it), so a pass counted at +1096 (0.38 NM, 700 m,
 *    beyond 1 NM) is allowed, not required, and then the two real passes
 *    are counted 2 (UPDATED to warning) and 3 (UPDATED, warning); +1307
 *    (1,350 m beyond) is not. It never comes within 3.3 NM of the cargo
 *    ship or near the yacht.
 *  - LOT282 (FL360, ADS-B) crosses it: horizontally under 5 NM from +405
 *    to +454 (1,908 m at +427); the picture has no altitude for a
 *    primary-only track, so SEPARATION (warning: actual loss, "altitude
 *    unknown"), predicted within the 120 s look-ahead before, never a near
 *    miss (not without altitude); the evaluation's targets all pass, the
 *    warning of at least 60 s before the loss among them.
 *  - CARGO's AIS stops at +900 (every 10 s before) 16.5 NM from the
 *    Kaliningrad zone: AIS_GAP at once as warning (near a zone: 60 s),
 *    warning until it clears when the AIS-only track is deleted (10
 *    minutes after the last AIS, about +1500); never updated. Its coasting
 *    track takes no plot of LOWPASS (sim radars plot aircraft only), which
 *    passes 3.35 NM from the ship at its closest: no LOW_PASS over it.
 *  - ZONE approaches on LOWPASS (caution, the straight line entering a
 *    zone within the 300 s look-ahead) are allowed when the truth's own
 *    line, with the error of a radar-only track of 10 s scans (its course
 *    within 5 degrees of the truth's, its speed up to 10 % over), enters
 *    the zone within 300 s (the truth's position each second), from 10 s
 *    before (the track's noise) to 20 s after (two scans) each such
 *    stretch: on the straight legs (48-53 s each), and for 15-46 s in the
 *    turns between them, when the turning line sweeps across the zone
 *    (zone 0 at +599-645, +1023-1069, +1447-1493; zone 1 at +551-566,
 *    +975-990, +1399-1414; the truth's exact line only for 1-13 s of
 *    them). The zones are 21-37 NM away then, near the look-ahead's reach
 *    (35 NM at 420 kt), so a few degrees or knots decide. They are not
 *    required: a radar-only track's course after a 165-degree turn is not
 *    always settled within a leg. It never comes within 15 NM of either
 *    zone. No other zone: the ships and LOT282 never head into one.
 *  - Nothing else: no EMERGENCY, RENEGADE, TRANSPONDER_OFF or SEA_CPA (the
 *    ships stay 14 NM apart or more), no NO_TRANSPONDER on LOT282 (2 % of
 *    its replies missed), no AIS_GAP on the warship or the yacht.
 *  - Five tracks, one per mover, and no extra one. */
static const struct mover bs_movers[] = {
    {"LOT282", "48ad01", 0, NULL, "aircraft", "yes"},
    {"WARSHIP", NULL, 369970120, NULL, "vessel", NULL},
    {"CARGO", NULL, 273354190, NULL, "vessel", NULL},
    {"YACHT", NULL, 261012345, NULL, "vessel", NULL},
    {"LOWPASS", NULL, 0, NULL, "aircraft", "no"},
};
static const struct ep bs_eps[] = {
    {"NO_TRANSPONDER", "LOWPASS", NULL, "open", "caution", -1, 140, 180, MUST},
    {"NO_TRANSPONDER", "LOWPASS", NULL, "updated", "warning", -1, 158, 188, MUST},
    {"NO_TRANSPONDER", "LOWPASS", NULL, "updated", NULL, -1, 140, 1800, MAY},
    {"SEPARATION", "LOT282", "LOWPASS", NULL, "warning", -1, 395, 425, MUST},
    {"SEPARATION", "LOT282", "LOWPASS", NULL, "warning", -1, 395, 474, MAY},
    {"SEPARATION", "LOT282", "LOWPASS", NULL, "caution", -1, 285, 474, MAY},
    {"SEPARATION", "LOT282", "LOWPASS", "cleared", NULL, -1, 454, 500, MAY},
    {"LOW_PASS", "LOWPASS", "WARSHIP", "open", "caution", -1, 1086, 1116, MAY}, /* 1.38 NM */
    {"LOW_PASS", "LOWPASS", "WARSHIP", NULL, NULL, -1, 1502, 1532, MUST},       /* see the test */
    {"LOW_PASS", "LOWPASS", "WARSHIP", "updated", "warning", -1, 1713, 1743, MUST},
    {"AIS_GAP", "CARGO", NULL, "open", "warning", -1, 945, 975, MUST},
    {"AIS_GAP", "CARGO", NULL, "cleared", NULL, -1, 1491, 1530, MUST},
    /* the seconds a line of the truth's within the track's error enters
     * the zone within 300 s (above), from 10 s before to 20 s after */
    {"ZONE", "LOWPASS", NULL, NULL, "caution", 0, 282, 365, MAY},   /* 292-345, a leg */
    {"ZONE", "LOWPASS", NULL, NULL, "caution", 0, 589, 665, MAY},   /* 599-645, a turn */
    {"ZONE", "LOWPASS", NULL, NULL, "caution", 0, 706, 789, MAY},   /* 716-769, a leg */
    {"ZONE", "LOWPASS", NULL, NULL, "caution", 0, 1013, 1089, MAY}, /* 1023-1069, a turn */
    {"ZONE", "LOWPASS", NULL, NULL, "caution", 0, 1130, 1213, MAY}, /* 1140-1193, a leg */
    {"ZONE", "LOWPASS", NULL, NULL, "caution", 0, 1437, 1513, MAY}, /* 1447-1493, a turn */
    {"ZONE", "LOWPASS", NULL, NULL, "caution", 0, 1554, 1637, MAY}, /* 1564-1617, a leg */
    {"ZONE", "LOWPASS", NULL, NULL, "caution", 1, 370, 448, MAY},   /* 380-428, a leg */
    {"ZONE", "LOWPASS", NULL, NULL, "caution", 1, 541, 586, MAY},   /* 551-566, a turn */
    {"ZONE", "LOWPASS", NULL, NULL, "caution", 1, 793, 871, MAY},   /* 803-851, a leg */
    {"ZONE", "LOWPASS", NULL, NULL, "caution", 1, 965, 1010, MAY},  /* 975-990, a turn */
    {"ZONE", "LOWPASS", NULL, NULL, "caution", 1, 1217, 1295, MAY}, /* 1227-1275, a leg */
    {"ZONE", "LOWPASS", NULL, NULL, "caution", 1, 1389, 1434, MAY}, /* 1399-1414, a turn */
    {"ZONE", "LOWPASS", NULL, NULL, "caution", 1, 1641, 1719, MAY}, /* 1651-1699, a leg */
    {"ZONE", "LOWPASS", NULL, "cleared", NULL, -1, 140, 1800, MAY},
};
static const struct nalerts bs_counts[] = {
    {"NO_TRANSPONDER", "LOWPASS", NULL, 1},
    {"SEPARATION", "LOT282", "LOWPASS", 1},
    {"LOW_PASS", "LOWPASS", "WARSHIP", 1},
    {"AIS_GAP", "CARGO", NULL, 1},
};

static void test_baltic_sea(void **state)
{
    (void)state;
    static const char *const pass[] = {"position_rms_radar_only_m", "position_rms_adsb_m",
                                       "completeness_min",          "extra_tracks_max",
                                       "identity_swaps_max",        "warning_min_s"};
    static const struct sc s = {"baltic-sea", bs_movers, N_OF(bs_movers), bs_eps,
                                N_OF(bs_eps), bs_counts, N_OF(bs_counts), pass,
                                N_OF(pass),   1};
    static struct sc_run r;
    scenario(&s, &r);
    /* the pass at +1096 (1.38 NM), counted or not (the table allows it
     * there, open and caution, and nowhere else before +1502) */
    int near = 0;
    for (size_t i = 0; i < r.o.n; i++) {
        json_t *a = r.o.line[i];
        if (is(a, "alert") && !strcmp(str(a, "rule"), "LOW_PASS") &&
            json_number_value(json_object_get(a, "t")) - r.start_s < 1200)
            near = 1;
    }
    printf("baltic-sea: the 1.38 NM approach at +1096 %s counted as a pass\n",
           near ? "is" : "is not");
    for (size_t i = 0; i < r.o.n; i++) {
        json_t *a = r.o.line[i];
        if (!is(a, "alert"))
            continue;
        /* a pair with a primary-only track is judged horizontally, and says so */
        if (!strcmp(str(a, "rule"), "SEPARATION"))
            assert_non_null(strstr(str(a, "text"), "altitude unknown"));
        if (strcmp(str(a, "rule"), "LOW_PASS") || !names(&s, &r, a, "LOWPASS", "WARSHIP"))
            continue;
        /* two passes over the warship (three with the near one), no more;
         * the first real one is pass 1, opening the alert as a caution, or
         * pass 2, a warning, after the near one; the second one is 2 or 3 */
        json_int_t passes =
            json_integer_value(json_object_get(json_object_get(a, "values"), "passes"));
        double t = json_number_value(json_object_get(a, "t")) - r.start_s;
        assert_true(passes <= 2 + near);
        if (t >= 1502 && t <= 1532 && strcmp(str(a, "state"), "cleared")) {
            assert_string_equal(str(a, "state"), near ? "updated" : "open");
            assert_string_equal(str(a, "severity"), near ? "warning" : "caution");
            assert_int_equal(passes, 1 + near);
        }
        if (t >= 1713 && t <= 1743 && !strcmp(str(a, "state"), "updated"))
            assert_int_equal(passes, 2 + near);
    }
    /* the warship within 1 NM at both passes: NO_TRANSPONDER is a warning then */
    assert_string_equal(severity_at(&s, &r, "NO_TRANSPONDER", "LOWPASS", 1520), "warning");
    assert_string_equal(severity_at(&s, &r, "NO_TRANSPONDER", "LOWPASS", 1730), "warning");
    /* the truth's one conflict (LOT282 / LOWPASS, horizontal) was warned */
    json_t *cf = json_object_get(r.ev, "conflicts");
    assert_int_equal(json_integer_value(json_object_get(cf, "total")), 1);
    assert_int_equal(json_integer_value(json_object_get(cf, "missed")), 0);
    /* AIS_GAP a warning all along, until it clears */
    assert_string_equal(severity_at(&s, &r, "AIS_GAP", "CARGO", 1490), "warning");
    /* no vessel track following an aircraft (issue 8) */
    json_t *tr = json_object_get(r.ev, "tracks");
    assert_int_equal(json_integer_value(json_object_get(tr, "extra_tracks")), 0);
    assert_int_equal(json_integer_value(json_object_get(tr, "identity_far")), 0);
    out_free(&r.o);
}

/* --------------------------------------------------------- Bering Strait */

/* The truth of two movers of a scenario run in dir: the start, the first
 * second they are closer than lim_m (-1: never), their closest distance
 * and its second (geo_distance_m: geodesic, any longitudes, 180 between
 * them included). */
static void truth_pair(const char *dir, const char *ma, const char *mb, double lim_m,
                       double *start_s, double *first_s, double *closest_m, double *closest_s)
{
    char path[256];
    snprintf(path, sizeof path, "%s/truth.jsonl", dir);
    FILE *f = fopen(path, "r");
    assert_non_null(f);
    char line[1024];
    double t_prev = -1, pa[2] = {0}, pb[2] = {0};
    int have = 0;
    *start_s = *first_s = -1;
    *closest_m = INFINITY;
    while (fgets(line, sizeof line, f)) {
        json_t *o = json_loads(line, 0, NULL);
        assert_non_null(o);
        double t = json_number_value(json_object_get(o, "t"));
        if (*start_s < 0)
            *start_s = t;
        if (t != t_prev)
            have = 0;
        t_prev = t;
        const char *id = str(o, "id");
        double *p = id && !strcmp(id, ma) ? pa : id && !strcmp(id, mb) ? pb : NULL;
        if (p) {
            p[0] = json_number_value(json_object_get(o, "lat"));
            p[1] = json_number_value(json_object_get(o, "lon"));
            have |= p == pa ? 1 : 2;
        }
        if (have == 3) {
            double d = geo_distance_m(pa[0], pa[1], pb[0], pb[1]);
            if (d < *closest_m) {
                *closest_m = d;
                *closest_s = t;
            }
            if (d < lim_m && *first_s < 0)
                *first_s = t;
            have = 0;
        }
        json_decref(o);
    }
    fclose(f);
}

/*
 * bering-strait (scenarios/bering-strait.json, `cairn sim`, seed 1 or
 * CAIRN_TEST_SEED): traffic across the antimeridian, sensors on both sides
 * of it, so the detector's reference meridian is theirs (about 177 W) and
 * pairs across 180 are pairs. Derived from the scenario and its truth:
 *  - WEST (ASA101, A1B2C3) and EAST (SDM201, 155A01), FL350, reciprocal
 *    tracks 1 NM apart, pass each other on 180: one SEPARATION alert, first
 *    opened as a prediction (caution) at least 60 s before the truth's loss
 *    of 5 NM, a warning within two scans of the 10 s radar (20 s) of it;
 *  - TRAWLER (MMSI 273410100) and TANKER (366990200), 10 and 12 kt on
 *    reciprocal courses 0.1 NM apart, 4.7 NM across 180 at the start: one
 *    SEA_CPA alert, a warning (collision course), while the truth's closest
 *    approach is still ahead;
 *  - nothing else; every alert's place within 0.1 degree of 180, written
 *    in (-180, 180]; the evaluation passes (its one conflict warned).
 * Without the reference (before it) the airliners were warned 19 s after
 * the loss and the ships never.
 */
static void test_bering(void **state)
{
    (void)state;
    char cmd[512], dir[128], args[1024];
    snprintf(dir, sizeof dir, "%s/bering", tmp);
    snprintf(cmd, sizeof cmd, "'%s' sim bering-strait --out %s --quiet --seed %ld", cairn_bin, dir,
             seed);
    assert_int_equal(system(cmd), 0);
    double start_s, loss_s, closest_m, closest_s, ves_first, ves_closest_m, ves_at;
    truth_pair(dir, "WEST", "EAST", 5 * 1852.0, &start_s, &loss_s, &closest_m, &closest_s);
    truth_pair(dir, "TRAWLER", "TANKER", 0.0, &start_s, &ves_first, &ves_closest_m, &ves_at);
    assert_true(loss_s > start_s);
    printf("truth: airliners within 5 NM at +%.0f s, closest %.0f m; ships closest %.0f m\n",
           loss_s - start_s, closest_m, ves_closest_m);
    snprintf(args, sizeof args,
             "--scenario bering-strait --truth %s/truth.jsonl %s/radar.pcap sbs:%s/adsb.sbs "
             "nmea:%s/ais.nmea",
             dir, dir, dir, dir);
    struct out o;
    run(&o, args);
    assert_int_equal(o.status, 0);

    /* tracks: one per mover, by identity */
    json_int_t west = 0, east = 0, trawler = 0, tanker = 0;
    size_t n_tracks = 0;
    json_t *ev = NULL;
    for (size_t i = 0; i < o.n; i++) {
        if (is(o.line[i], "evaluation"))
            ev = o.line[i];
        if (!is(o.line[i], "track"))
            continue;
        n_tracks++;
        json_int_t id = json_integer_value(json_object_get(o.line[i], "id"));
        const char *icao = str(o.line[i], "icao");
        json_int_t mmsi = json_integer_value(json_object_get(o.line[i], "mmsi"));
        if (icao && !strcmp(icao, "a1b2c3"))
            west = id;
        else if (icao && !strcmp(icao, "155a01"))
            east = id;
        else if (mmsi == 273410100)
            trawler = id;
        else if (mmsi == 366990200)
            tanker = id;
    }
    assert_int_equal(n_tracks, 4);
    assert_true(west && east && trawler && tanker);

    /* alerts */
    double sep_first = -1, sep_warn = -1, cpa_first = -1;
    json_int_t sep_id = 0, cpa_id = 0;
    for (size_t i = 0; i < o.n; i++) {
        json_t *a = o.line[i];
        if (!is(a, "alert"))
            continue;
        const char *rule = str(a, "rule"), *st = str(a, "state"), *sev = str(a, "severity");
        double t = json_number_value(json_object_get(a, "t"));
        double lat = json_number_value(json_object_get(a, "lat"));
        double lon = json_number_value(json_object_get(a, "lon"));
        json_int_t id = json_integer_value(json_object_get(a, "id"));
        json_t *trk = json_object_get(a, "tracks");
        json_int_t a0 = json_integer_value(json_object_get(json_array_get(trk, 0), "id"));
        json_int_t a1 = json_integer_value(json_object_get(json_array_get(trk, 1), "id"));
        printf("alert %s %s %s at +%.0f s, (%.5f, %.5f)\n", rule, st, sev, t - start_s, lat, lon);
        assert_true(lon > -180.0 && lon <= 180.0);
        assert_true(180.0 - fabs(lon) < 0.1);
        if (!strcmp(rule, "SEPARATION")) {
            assert_true((a0 == west && a1 == east) || (a0 == east && a1 == west));
            assert_true(fabs(lat - 64.5) < 0.1);
            assert_true(!sep_id || sep_id == id); /* one alert throughout */
            sep_id = id;
            if (sep_first < 0) {
                sep_first = t;
                assert_string_equal(st, "open");
                assert_string_equal(sev, "caution");
            }
            if (!strcmp(sev, "warning") && sep_warn < 0 && strcmp(st, "cleared"))
                sep_warn = t;
        } else if (!strcmp(rule, "SEA_CPA")) {
            assert_true((a0 == trawler && a1 == tanker) || (a0 == tanker && a1 == trawler));
            assert_true(fabs(lat - 62.6) < 0.1);
            assert_true(!cpa_id || cpa_id == id);
            cpa_id = id;
            if (cpa_first < 0) {
                cpa_first = t;
                assert_string_equal(st, "open");
                assert_string_equal(sev, "warning");
            }
        } else {
            fail_msg("unexpected alert rule %s", rule);
        }
    }
    printf("SEPARATION first at +%.0f s (%.0f s before the loss), warning at +%.0f s (loss at "
           "+%.0f s); SEA_CPA at +%.0f s (closest at +%.0f s)\n",
           sep_first - start_s, loss_s - sep_first, sep_warn - start_s, loss_s - start_s,
           cpa_first - start_s, ves_at - start_s);
    assert_true(sep_first > 0 && sep_first <= loss_s - 60);
    assert_true(sep_warn > 0 && fabs(sep_warn - loss_s) <= 20);
    assert_true(cpa_first > 0 && cpa_first < ves_at);

    /* the evaluation: its one conflict warned in time */
    assert_non_null(ev);
    assert_true(json_is_true(json_object_get(ev, "pass")));
    json_t *cf = json_object_get(ev, "conflicts");
    assert_int_equal(json_integer_value(json_object_get(cf, "total")), 1);
    assert_int_equal(json_integer_value(json_object_get(cf, "missed")), 0);
    assert_int_equal(json_integer_value(json_object_get(cf, "late")), 0);
    out_free(&o);
}

/* ------------------------------------------------------- St Petersburg */

static void test_stpetersburg(void **state)
{
    (void)state;
    const char *rel = "modes/beastblackbox_ulss7_1522782148.beast";
    if (!td_exists(rel)) {
        printf("SKIP: %s not found\n", td_path(rel));
        TD_SKIP();
    }
    char args[8192];
    snprintf(args, sizeof args, "--start 2018-04-03T19:02:28.136Z --separation-nm 3 beast:%s",
             td_path(rel));
    struct out o;
    run(&o, args);
    assert_int_equal(o.status, 0);
    char icaos[32][8];
    size_t n_icao = 0, n_tracks = 0, n_alerts = 0;
    for (size_t i = 0; i < o.n; i++) {
        json_t *l = o.line[i];
        if (is(l, "alert")) {
            /* Terminal-area traffic at the 3 NM minimum authorised there:
             * no alert at all (turn predictions held to a quarter circle,
             * hysteresis on the look-ahead). */
            printf("unexpected alert: %s %s %s (%s)\n", str(l, "rule"), str(l, "state"),
                   str(l, "hypothesis"), str(l, "text"));
            n_alerts++;
            continue;
        }
        n_tracks++;
        const char *icao = str(l, "icao");
        assert_non_null(icao);
        assert_string_equal(str(l, "kind"), "aircraft");
        json_t *src = json_object_get(l, "sources");
        assert_int_equal(json_array_size(src), 1);
        assert_string_equal(str(json_array_get(src, 0), "sensor"), "adsb");
        size_t k = 0;
        while (k < n_icao && strcmp(icaos[k], icao))
            k++;
        if (k == n_icao) {
            assert_true(n_icao < 32);
            snprintf(icaos[n_icao++], sizeof icaos[0], "%s", icao);
        }
    }
    printf("%zu tracks, %zu aircraft, %zu alert lines\n", n_tracks, n_icao, n_alerts);
    assert_int_equal(n_alerts, 0);
    assert_int_equal(n_icao, 11);
    static const char *const want[] = {"424263", "400159", "504dd9", "4242e5", "42460c", "4249b5",
                                       "780c5d", "4caaae", "780a5c", "71be34", "4248e7"};
    for (size_t w = 0; w < 11; w++) {
        size_t k = 0;
        while (k < n_icao && strcmp(icaos[k], want[w]))
            k++;
        assert_true(k < n_icao);
    }
    out_free(&o);
}

/* --------------------------------------------------------------- CAT048 */

static void test_cat048(void **state)
{
    (void)state;
    const char *rel = "asterix/croatiacontrol/sample_data/cat_034_048.pcap";
    if (!td_exists(rel)) {
        printf("SKIP: %s not found\n", td_path(rel));
        TD_SKIP();
    }
    /* SAC 25's radars; their sites are not in the recording: illustrative
     * places in Croatia (fusion does not depend on them) */
    static const struct {
        int sic;
        double lat, lon;
    } rd[] = {{11, 45.90, 15.97},  {12, 45.28, 14.20},  {13, 43.53, 16.62}, {14, 45.38, 17.33},
              {201, 45.90, 15.97}, {204, 45.28, 14.20}, {205, 43.53, 16.62}};
    char ini[4096], path[128], args[8192];
    size_t off = 0;
    for (size_t i = 0; i < sizeof rd / sizeof rd[0]; i++)
        off += (size_t)snprintf(ini + off, sizeof ini - off,
                                "[radar HR-%d]\nsac = 25\nsic = %d\nlat = %.2f\nlon = %.2f\n"
                                "alt_m = 1000\nperiod_s = 4\n",
                                rd[i].sic, rd[i].sic, rd[i].lat, rd[i].lon);
    snprintf(path, sizeof path, "%s/hr.ini", tmp);
    write_file(path, ini);
    snprintf(args, sizeof args, "--sensors %s %s", path, td_path(rel));
    struct out o;
    run(&o, args);
    assert_int_equal(o.status, 0);
    size_t n_tracks = 0, fused = 0;
    for (size_t i = 0; i < o.n; i++) {
        json_t *l = o.line[i];
        if (is(l, "alert")) {
            assert_string_not_equal(str(l, "rule"), "NO_TRANSPONDER");
            continue;
        }
        n_tracks++;
        const char *icao = str(l, "icao");
        assert_non_null(icao);
        for (size_t j = 0; j < i; j++)
            if (is(o.line[j], "track"))
                assert_string_not_equal(str(o.line[j], "icao"), icao);
        json_t *src = json_object_get(l, "sources");
        for (size_t k = 0; k < json_array_size(src); k++) {
            json_t *by = json_object_get(json_array_get(src, k), "detected_by");
            int psr = 0, modes = 0;
            for (size_t b = 0; b < json_array_size(by); b++) {
                psr |= !strcmp(json_string_value(json_array_get(by, b)), "psr");
                modes |= !strcmp(json_string_value(json_array_get(by, b)), "modes");
            }
            assert_true(modes); /* every plot of this sample is Mode S */
            if (psr)
                fused++;
        }
    }
    printf("%zu tracks, %zu with primary and secondary detections in one track\n", n_tracks, fused);
    assert_true(n_tracks >= 50);
    assert_true(fused >= 10);
    out_free(&o);
}

/* ------------------------------------------------------------- refusals */

static void test_refusals(void **state)
{
    (void)state;
    char path[128], args[8192];
    snprintf(path, sizeof path, "%s/x.beast", tmp);
    write_file(path, "\x1a"
                     "3");
    struct out o;
    snprintf(args, sizeof args, "%s", path);
    run(&o, args);
    assert_int_equal(o.status, 2);
    assert_non_null(strstr(o.err, "--start"));
    snprintf(path, sizeof path, "%s/x.ast", tmp);
    write_file(path, "0");
    snprintf(args, sizeof args, "asterix:%s", path);
    run(&o, args);
    assert_int_equal(o.status, 2);
    assert_non_null(strstr(o.err, "--date"));
    snprintf(path, sizeof path, "%s/bad.ini", tmp);
    write_file(path, "[radar A]\nsac = 1\nwhat = 2\n");
    snprintf(args, sizeof args, "--sensors %s %s/x.beast", path, tmp);
    run(&o, args);
    assert_int_equal(o.status, 2);
    assert_non_null(strstr(o.err, "line 3: [radar A]: unknown key 'what'"));
    run(&o, "--no-such-option x");
    assert_int_equal(o.status, 2);
    run(&o, "nosuch=sbs:/dev/null");
    assert_int_equal(o.status, 2);
    assert_non_null(strstr(o.err, "no [adsb nosuch]"));
    /* a radar without its site: its plots are not placed, and it is said */
    const char *rel = "asterix/croatiacontrol/sample_data/cat_034_048.pcap";
    if (td_exists(rel)) {
        snprintf(args, sizeof args, "%s", td_path(rel));
        run(&o, args);
        assert_int_equal(o.status, 0);
        assert_int_equal(o.n, 0);
        assert_non_null(strstr(o.err, "radar positions not placed"));
    }
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: %s CAIRN_BINARY\n", argv[0]);
        return 2;
    }
    cairn_bin = argv[1];
    const char *es = getenv("CAIRN_TEST_SEED");
    if (es && *es) {
        char *end;
        seed = strtol(es, &end, 10);
        if (*end || seed < 0) {
            fprintf(stderr, "CAIRN_TEST_SEED: not a seed: %s\n", es);
            return 2;
        }
        printf("scenarios drawn with seed %ld\n", seed);
    }
    snprintf(tmp, sizeof tmp, "/tmp/cairn_pic_XXXXXX");
    if (!mkdtemp(tmp)) {
        perror("mkdtemp");
        return 1;
    }
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_malmo),      cmocka_unit_test(test_vigilant_skies),
        cmocka_unit_test(test_baltic_sea), cmocka_unit_test(test_stpetersburg),
        cmocka_unit_test(test_cat048),     cmocka_unit_test(test_refusals),
        cmocka_unit_test(test_bering),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmp);
    if (system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", tmp);
    return td_exit(rc);
}
