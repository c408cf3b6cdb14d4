/*
 * test_fpl.c — flight plans (src/track/fpl.h): field vectors after the
 * examples of ICAO Doc 4444 Appendix 2 and 3, malformed and hostile input,
 * limits, the points file, the activity window, matching plans to tracks
 * (priority, ambiguity, non-discrete codes, primary-only tracks), the
 * deviation from the route, and the shipped scenario plans.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <math.h>

#include "base/error.h"
#include "geo/geo.h"
#include "track/fpl.h"
#include "track/track.h"

/* cmocka 1.1's assert_float_equal takes floats: doubles need their own */
#define assert_near(a, b, eps) assert_true(fabs((double)(a) - (double)(b)) <= (eps))

static const char POINTS[] = "# test points\n"
                             "EKCH 55.6179 12.6560\n"
                             "ESSA 59.6519 17.9186   # Arlanda\n"
                             "ESGG 57.6628 12.2798\n"
                             "\n"
                             "LN 51.0 -2.0\n"
                             "MAY 52.0 -1.0\n"
                             "HADDY 53.0 0.0\n"
                             "DUB 53.4213 -6.2701\n"
                             "EIDW 53.4213 -6.2701\n"
                             "EGLL 51.4700 -0.4543\n";

static struct fpl_points *points(void)
{
    struct fpl_points *p = NULL;
    struct fpl_errors e;
    memset(&e, 0, sizeof e);
    assert_int_equal(fpl_points_parse(POINTS, sizeof POINTS - 1, &p, &e), 0);
    assert_int_equal(e.bad, 0);
    assert_int_equal(fpl_points_count(p), 9);
    return p;
}

/* Parse s with the test points; *e receives the errors. */
static struct fpl_set *parse(const char *s, struct fpl_errors *e)
{
    struct fpl_points *p = points();
    struct fpl_set *set = NULL;
    memset(e, 0, sizeof *e);
    assert_int_equal(fpl_parse(s, strlen(s), p, &set, e), 0);
    assert_non_null(set);
    fpl_points_free(p);
    for (uint32_t i = 0; i < e->n; i++) {
        for (const char *c = e->e[i].text; *c; c++)
            assert_true(*c >= 32 && *c < 127);
    }
    return set;
}

static const char SAS681[] = "(FPL-SAS681/A1234-IS\n"
                             "-A320/M-SDE2E3FGIJ1RWY/H\n"
                             "-EKCH1230\n"
                             "-N0450F350 DCT 5530N01300E DCT 57N015E/M078F370 UM44 ESSA\n"
                             "-ESSA0100 ESGG\n"
                             "-PBN/A1B1 DOF/140303 REG/OYKAW CODE/4AC9E1 RMK/TEST FLIGHT)\n";

static void test_points_file(void **state)
{
    (void)state;
    static const char txt[] = "A 1 2\n"
                              "b2 -3.5 +4.25\r\n"
                              "  # only a comment\n"
                              "A 9 9\n"              /* repeated: the first kept */
                              "BAD 91 0\n"           /* latitude out of range */
                              "X-Y 1 1\n"            /* name */
                              "C 1\n"                /* missing longitude */
                              "D 1 2 3\n"            /* extra word */
                              "E 1e3 2\n"            /* not decimal degrees */
                              "F 1..2 2\n"           /* two dots */
                              "TOOLONGNAME12X 1 2\n" /* 14 characters */
                              "G\x01 1 2\n"          /* control byte */
                              "H 1.5 2.5";           /* no final newline */
    struct fpl_points *p = NULL;
    struct fpl_errors e;
    memset(&e, 0, sizeof e);
    assert_int_equal(fpl_points_parse(txt, sizeof txt - 1, &p, &e), 0);
    assert_int_equal(fpl_points_count(p), 3); /* A, B2, H */
    assert_int_equal(e.bad, 8);
    assert_int_equal(e.warnings, 1);
    double la, lo;
    assert_int_equal(fpl_points_find(p, "A", 1, &la, &lo), 0);
    assert_true(la == 1 && lo == 2);
    assert_int_equal(fpl_points_find(p, "B2", 2, &la, &lo), 0);
    assert_true(la == -3.5 && lo == 4.25);
    assert_int_equal(fpl_points_find(p, "H", 1, &la, &lo), 0);
    assert_int_equal(fpl_points_find(p, "Z", 1, &la, &lo), CAIRN_E_NOTFOUND);
    assert_int_equal(fpl_points_find(NULL, "A", 1, &la, &lo), CAIRN_E_NOTFOUND);
    for (uint32_t i = 0; i < e.n; i++)
        for (const char *c = e.e[i].text; *c; c++)
            assert_true(*c >= 32 && *c < 127);
    fpl_points_free(p);
    fpl_points_free(NULL);
}

static void test_full_message(void **state)
{
    (void)state;
    struct fpl_errors e;
    struct fpl_set *s = parse(SAS681, &e);
    assert_int_equal(s->n, 1);
    assert_int_equal(e.ok, 1);
    assert_int_equal(e.bad, 0);
    const struct fpl_plan *p = &s->plans[0];
    assert_string_equal(p->ident, "SAS681");
    assert_true(p->flags & FPL_P_SSR);
    assert_int_equal(p->ssr, 01234);
    assert_int_equal(p->rules, 'I');
    assert_int_equal(p->type, 'S');
    assert_string_equal(p->actype, "A320");
    assert_int_equal(p->wake, 'M');
    assert_string_equal(p->dep, "EKCH");
    assert_int_equal(p->eobt_min, 12 * 60 + 30);
    assert_string_equal(p->speed, "N0450");
    assert_string_equal(p->level, "F350");
    assert_string_equal(p->dest, "ESSA");
    assert_int_equal(p->eet_min, 60);
    assert_string_equal(p->altn[0], "ESGG");
    assert_string_equal(p->altn[1], "");
    assert_true(p->flags & FPL_P_ICAO);
    assert_int_equal(p->icao, 0x4AC9E1);
    assert_true(p->flags & FPL_P_DOF);
    /* 2014-03-03T12:30Z */
    assert_int_equal(p->eobt_ms, 1393849800000LL);
    assert_true(p->flags & FPL_P_ROUTE_OK);
    /* EKCH, 5530N01300E, 57N015E, ESSA (route), ESSA (destination) */
    assert_int_equal(p->n_pts, 5);
    assert_string_equal(p->pts[0].name, "EKCH");
    assert_string_equal(p->pts[1].name, "5530N01300E");
    assert_near(p->pts[1].lat_deg, 55.5, 1e-12);
    assert_near(p->pts[1].lon_deg, 13.0, 1e-12);
    assert_string_equal(p->pts[2].name, "57N015E");
    assert_near(p->pts[2].lat_deg, 57.0, 1e-12);
    assert_near(p->pts[2].lon_deg, 15.0, 1e-12);
    assert_string_equal(p->pts[3].name, "ESSA");
    assert_true(strstr(p->f18, "RMK/TEST FLIGHT") != NULL);
    fpl_set_free(s);
}

/* Route elements from Doc 4444 Appendix 2 item 15 (c): changes of speed and
 * level at named points, coordinates and bearing/distance points, cruise
 * climb, changes of flight rules. */
static void test_route_vectors(void **state)
{
    (void)state;
    static const char msg[] = "(FPL-GABCD-VG-C172/L-S/C-EGLL0800\n"
                              "-N0105A045 LN/N0284A045 VFR MAY/N0305F180 IFR HADDY/N0420F330 DCT\n"
                              "  4602N07805W/N0500F350 46N078W/M082F330 DUB180040/N0350M0840\n"
                              "  C/48N050W/M082F290F350 C/52N050W/M220F580PLUS DCT\n"
                              "-EIDW0330-0)";
    struct fpl_errors e;
    struct fpl_set *s = parse(msg, &e);
    assert_int_equal(e.bad, 0);
    assert_int_equal(s->n, 1);
    const struct fpl_plan *p = &s->plans[0];
    assert_false(p->flags & FPL_P_SSR);
    assert_false(p->flags & FPL_P_DOF);
    assert_string_equal(p->f18, "0");
    assert_true(p->flags & FPL_P_ROUTE_OK);
    /* EGLL LN MAY HADDY 4602N07805W 46N078W DUB180040 48N050W 52N050W EIDW */
    assert_int_equal(p->n_pts, 10);
    assert_string_equal(p->pts[1].name, "LN");
    assert_near(p->pts[4].lat_deg, 46.0 + 2.0 / 60, 1e-12);
    assert_near(p->pts[4].lon_deg, -(78.0 + 5.0 / 60), 1e-12);
    assert_near(p->pts[5].lat_deg, 46.0, 1e-12);
    assert_near(p->pts[5].lon_deg, -78.0, 1e-12);
    /* DUB180040: 40 NM due south of DUB (bearing taken as true) */
    assert_string_equal(p->pts[6].name, "DUB180040");
    double d = geo_distance_m(53.4213, -6.2701, p->pts[6].lat_deg, p->pts[6].lon_deg);
    assert_near(d, 40 * GEO_M_PER_NM, 0.01);
    assert_true(p->pts[6].lat_deg < 53.4213);
    assert_near(p->pts[6].lon_deg, -6.2701, 1e-9);
    assert_string_equal(p->pts[7].name, "48N050W");
    assert_string_equal(p->pts[8].name, "52N050W");
    assert_string_equal(p->pts[9].name, "EIDW");
    fpl_set_free(s);
}

/* Several messages, AFTN lines around them, lower case, a bad one among
 * good ones: the good ones are kept. */
static void test_several_and_skip(void **state)
{
    (void)state;
    char buf[4096];
    snprintf(buf, sizeof buf,
             "ZCZC ABC123 041200\nFF EKDKZQZX\n%s\nNNNN\n"
             "(FPL-BAD1-IS-A320/M-S/C-EKCH1299-N0450F350 DCT-ESSA0100-0)\n"
             "(fpl-low1-is-a320/m-s/c-ekch1000-n0450f350 dct-essa0100-0)\n"
             "(CHG-SAS681-EKCH1230-ESSA-8/IN)\n",
             SAS681);
    struct fpl_errors e;
    struct fpl_set *s = parse(buf, &e);
    assert_int_equal(e.msgs, 4);
    assert_int_equal(e.ok, 2);
    assert_int_equal(e.bad, 2);
    assert_int_equal(e.not_fpl, 1);
    assert_int_equal(e.by_field[13], 1);
    assert_int_equal(s->n, 2);
    assert_string_equal(s->plans[0].ident, "SAS681");
    assert_string_equal(s->plans[1].ident, "LOW1");
    assert_int_equal(s->plans[1].msg, 3);
    /* the error names the message, its line and field */
    assert_true(e.n >= 2);
    assert_int_equal(e.e[0].msg, 2);
    assert_int_equal(e.e[0].field, 13);
    assert_true(strstr(e.e[0].text, "message 2") != NULL);
    assert_true(strstr(e.e[0].text, "field 13") != NULL);
    fpl_set_free(s);
}

struct bad_case {
    const char *msg;
    unsigned field; /* expected field at fault (0: message level) */
};

static void test_malformed(void **state)
{
    (void)state;
    static const struct bad_case cases[] = {
        {"(FPL-TOOLONGID-IS-A320/M-S/C-EKCH1230-N0450F350 DCT-ESSA0100-0)", 7},
        {"(FPL-SAS1/A1238-IS-A320/M-S/C-EKCH1230-N0450F350 DCT-ESSA0100-0)", 7}, /* 8 not octal */
        {"(FPL-SAS1/C1234-IS-A320/M-S/C-EKCH1230-N0450F350 DCT-ESSA0100-0)", 7},
        {"(FPL-SAS1/A123-IS-A320/M-S/C-EKCH1230-N0450F350 DCT-ESSA0100-0)", 7},
        {"(FPL--IS-A320/M-S/C-EKCH1230-N0450F350 DCT-ESSA0100-0)", 7},
        {"(FPL-SAS1-QS-A320/M-S/C-EKCH1230-N0450F350 DCT-ESSA0100-0)", 8},
        {"(FPL-SAS1-IQ-A320/M-S/C-EKCH1230-N0450F350 DCT-ESSA0100-0)", 8},
        {"(FPL-SAS1-IS-A320/Q-S/C-EKCH1230-N0450F350 DCT-ESSA0100-0)", 9},
        {"(FPL-SAS1-IS-A320M-S/C-EKCH1230-N0450F350 DCT-ESSA0100-0)", 9},
        {"(FPL-SAS1-IS-A320/M-SC-EKCH1230-N0450F350 DCT-ESSA0100-0)", 10},
        {"(FPL-SAS1-IS-A320/M-S/C-EKC1230-N0450F350 DCT-ESSA0100-0)", 13},
        {"(FPL-SAS1-IS-A320/M-S/C-EKCH2400-N0450F350 DCT-ESSA0100-0)", 13},
        {"(FPL-SAS1-IS-A320/M-S/C-EKCH1260-N0450F350 DCT-ESSA0100-0)", 13},
        {"(FPL-SAS1-IS-A320/M-S/C-EKCH1230-X0450F350 DCT-ESSA0100-0)", 15},
        {"(FPL-SAS1-IS-A320/M-S/C-EKCH1230-N0450F35 DCT-ESSA0100-0)", 15},
        {"(FPL-SAS1-IS-A320/M-S/C-EKCH1230-N0450F350 DCT 9130N01300E-ESSA0100-0)", 15},
        {"(FPL-SAS1-IS-A320/M-S/C-EKCH1230-N0450F350 DCT 5560N01300E-ESSA0100-0)", 15},
        {"(FPL-SAS1-IS-A320/M-S/C-EKCH1230-N0450F350 DCT 55N181E-ESSA0100-0)", 15},
        {"(FPL-SAS1-IS-A320/M-S/C-EKCH1230-N0450F350 ESSA/N0450-ESSA0100-0)", 15},
        {"(FPL-SAS1-IS-A320/M-S/C-EKCH1230-N0450F350 ?X?-ESSA0100-0)", 15},
        {"(FPL-SAS1-IS-A320/M-S/C-EKCH1230-N0450F350 C/55N013E/N0450-ESSA0100-0)", 15},
        {"(FPL-SAS1-IS-A320/M-S/C-EKCH1230-N0450F350 DCT-ESSA01-0)", 16},
        {"(FPL-SAS1-IS-A320/M-S/C-EKCH1230-N0450F350 DCT-ESSA0160-0)", 16},
        {"(FPL-SAS1-IS-A320/M-S/C-EKCH1230-N0450F350 DCT-ESSA0100 ESGG EKCH EKCH-0)", 16},
        {"(FPL-SAS1-IS-A320/M-S/C-EKCH1230-N0450F350 DCT-ESSA0100-FOO)", 18},
        {"(FPL-SAS1-IS-A320/M-S/C-EKCH1230-N0450F350 DCT-ESSA0100-DOF/140230)", 18},
        {"(FPL-SAS1-IS-A320/M-S/C-EKCH1230-N0450F350 DCT-ESSA0100-DOF/130229)", 18},
        {"(FPL-SAS1-IS-A320/M-S/C-EKCH1230-N0450F350 DCT-ESSA0100-DOF/141301)", 18},
        {"(FPL-SAS1-IS-A320/M-S/C-EKCH1230-N0450F350 DCT-ESSA0100-DOF/1403)", 18},
        {"(FPL-SAS1-IS-A320/M-S/C-EKCH1230-N0450F350 DCT-ESSA0100-CODE/4AC9E)", 18},
        {"(FPL-SAS1-IS-A320/M-S/C-EKCH1230-N0450F350 DCT-ESSA0100-CODE/000000)", 18},
        {"(FPL-SAS1-IS-A320/M-S/C-EKCH1230-N0450F350 DCT-ESSA0100-CODE/4AC9EG)", 18},
        {"(FPL-SAS1-IS-A320/M-S/C-EKCH1230-N0450F350 DCT-ESSA0100-DOF/140303 DOF/140304)", 18},
        {"(FPL-SAS1-IS-A320/M-S/C-EKCH1230-N0450F350 DCT)", 0},
        {"(FPL-SAS1-IS-A320/M-S/C-EKCH1230-N0450F350 DCT-ESSA0100-0-E/0100-X-Y)", 0},
        {"(FPL-SAS1-IS-A320/M-S/C-EKCH1230-N0450F350 DCT-ESSA0100-0", 0},     /* no ')' */
        {"(FPL-SAS1-IS-A320/M-S/C-EKCH1230-N0450F350 D\x80T-ESSA0100-0)", 0}, /* byte */
        {"(FPL-SAS1-IS-A320/M-S/C-EKCH1230-N0450F350 D;T-ESSA0100-0)", 0},    /* not ATS */
        {"(FPL-SAS1-IS-A320/M-S/C-EKCH1230-N0450F350 D\0T-ESSA0100-0)", 0},   /* NUL, cut */
        {"(ARR-SAS1-EKCH-ESSA1300)", 3},
        {"()", 3},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct fpl_errors e;
        struct fpl_set *s = parse(cases[i].msg, &e);
        if (s->n != 0 || e.bad != 1)
            fail_msg("case %zu: %zu plans, %u bad: %s", i, s->n, e.bad, cases[i].msg);
        assert_true(e.n >= 1);
        if (e.e[0].field != cases[i].field)
            fail_msg("case %zu: field %u, want %u (%s)", i, e.e[0].field, cases[i].field,
                     e.e[0].text);
        fpl_set_free(s);
    }
}

/* Unknown named points and aerodromes: kept, route incomplete, warned. */
static void test_unresolved(void **state)
{
    (void)state;
    struct fpl_errors e;
    struct fpl_set *s = parse("(FPL-SAS1-IS-A320/M-S/C-EKCH1230-N0450F350 DCT NOWHR UL620 "
                              "ESSA-ESSA0100-0)\n"
                              "(FPL-SAS2-IS-A320/M-S/C-ZZZZ1230-N0450F350 DCT ESSA-ESSA0100-"
                              "DEP/SOMEWHERE)\n"
                              "(FPL-SAS3-IS-A320/M-S/C-AFIL1230-N0450F350 DCT 55N013E T-XXXX0100-"
                              "0)\n"
                              "(FPL-SAS4-IS-A320/M-S/C-AFIL1230-N0450F350 DCT 55N013E DCT-XXXX0100-"
                              "0)\n",
                              &e);
    assert_int_equal(s->n, 4);
    assert_int_equal(e.bad, 0);
    for (size_t i = 0; i < 4; i++)
        assert_false(s->plans[i].flags & FPL_P_ROUTE_OK);
    assert_true(e.warnings >= 2);
    assert_true(e.e[0].warn);
    assert_true(strstr(e.e[0].text, "NOWHR") != NULL);
    assert_true(isnan(fpl_route_distance_m(&s->plans[0], 55, 13)));
    fpl_set_free(s);
}

/* Limits: lines, message length, route points, and the file cap. */
static void test_limits(void **state)
{
    (void)state;
    size_t cap = 200000;
    char *b = malloc(cap);
    assert_non_null(b);
    /* a line of FPL_MAX_LINE + 1 bytes inside a message */
    size_t n = (size_t)snprintf(b, cap, "(FPL-SAS1-IS-A320/M-S/C-EKCH1230-N0450F350 DCT");
    while (n < FPL_MAX_LINE + 10)
        n += (size_t)snprintf(b + n, cap - n, " 55N013E");
    n += (size_t)snprintf(b + n, cap - n, "-ESSA0100-0)\n%s", SAS681);
    struct fpl_errors e;
    struct fpl_set *s = parse(b, &e);
    assert_int_equal(s->n, 1);
    assert_int_equal(e.bad, 1);
    assert_int_equal(e.long_lines, 1);
    fpl_set_free(s);
    /* too many route points, on short lines */
    n = (size_t)snprintf(b, cap, "(FPL-SAS1-IS-A320/M-S/C-EKCH1230-N0450F350 DCT");
    for (int k = 0; k < FPL_MAX_ROUTE_PTS + 5; k++)
        n += (size_t)snprintf(b + n, cap - n, "\n55N013E");
    n += (size_t)snprintf(b + n, cap - n, "-ESSA0100-0)");
    s = parse(b, &e);
    assert_int_equal(s->n, 0);
    assert_int_equal(e.by_field[15], 1);
    fpl_set_free(s);
    /* a message longer than FPL_MAX_MSG_LEN */
    n = (size_t)snprintf(b, cap, "(FPL-SAS1-IS-A320/M-S/C-EKCH1230-N0450F350 DCT-ESSA0100-RMK/");
    while (n < FPL_MAX_MSG_LEN + 100)
        n += (size_t)snprintf(b + n, cap - n, "ABCDEFGHIJ\n");
    snprintf(b + n, cap - n, ")");
    s = parse(b, &e);
    assert_int_equal(s->n, 0);
    assert_int_equal(e.bad, 1);
    fpl_set_free(s);
    /* a file too big is refused without reading it */
    struct fpl_set *none = NULL;
    memset(&e, 0, sizeof e);
    assert_int_equal(fpl_parse(b, (size_t)FPL_MAX_FILE_LEN + 1, NULL, &none, &e), CAIRN_E_TOOBIG);
    assert_null(none);
    free(b);
}

/* Cut a file at every offset: never a crash, never a plan that was not
 * whole before the cut, and the complete messages before it are kept. */
static void test_truncated_everywhere(void **state)
{
    (void)state;
    char buf[2048];
    int len = snprintf(buf, sizeof buf, "%s%s", SAS681, SAS681);
    size_t first_end = strlen(SAS681) - 2; /* the ')' of the first */
    for (int cut = 0; cut <= len; cut++) {
        char *b = malloc((size_t)cut + 1);
        memcpy(b, buf, (size_t)cut);
        struct fpl_set *s = NULL;
        struct fpl_errors e;
        memset(&e, 0, sizeof e);
        assert_int_equal(fpl_parse(b, (size_t)cut, NULL, &s, &e), 0);
        size_t want = (size_t)cut > first_end ? 1 : 0;
        if (cut == len || cut == len - 1)
            want = 2;
        assert_int_equal(s->n, want);
        fpl_set_free(s);
        free(b);
    }
}

/* ------------------------------------------------------- activity window */

static void test_activity_window(void **state)
{
    (void)state;
    struct fpl_errors e;
    struct fpl_set *s = parse(SAS681, &e);
    const struct fpl_plan *p = &s->plans[0];
    const int64_t eobt = 1393849800000LL, min = 60000;
    int64_t f, t;
    assert_int_equal(fpl_plan_active(p, eobt - 16 * min, 15 * min, 60 * min, &f, &t), 0);
    assert_int_equal(fpl_plan_active(p, eobt - 15 * min, 15 * min, 60 * min, &f, &t), 1);
    assert_int_equal(f, eobt - 15 * min);
    assert_int_equal(t, eobt + 60 * min + 60 * min);
    assert_int_equal(fpl_plan_active(p, eobt + 120 * min, 15 * min, 60 * min, NULL, NULL), 1);
    assert_int_equal(fpl_plan_active(p, eobt + 121 * min, 15 * min, 60 * min, NULL, NULL), 0);
    /* the same day a week later: DOF/ pins the date */
    assert_int_equal(fpl_plan_active(p, eobt + 7 * 1440 * min, 15 * min, 60 * min, NULL, NULL), 0);
    fpl_set_free(s);
    /* without DOF: any day, and across midnight */
    s = parse("(FPL-NOD1-IS-A320/M-S/C-EKCH2330-N0450F350 DCT-ESSA0100-0)", &e);
    p = &s->plans[0];
    const int64_t day = 1440 * min, d0 = 20000 * day;
    assert_int_equal(fpl_plan_active(p, d0 + 23 * 60 * min, 15 * min, 60 * min, NULL, NULL), 0);
    assert_int_equal(fpl_plan_active(p, d0 + 23 * 60 * min + 20 * min, 15 * min, 60 * min, &f, &t),
                     1);
    assert_int_equal(f, d0 + 23 * 60 * min + 15 * min);
    /* 01:29 the next day: EOBT 23:30 + 1 h EET + 60 min margin = 01:30 */
    assert_int_equal(fpl_plan_active(p, d0 + day + 89 * min, 15 * min, 60 * min, &f, &t), 1);
    assert_int_equal(t, d0 + day + 90 * min);
    assert_int_equal(fpl_plan_active(p, d0 + day + 91 * min, 15 * min, 60 * min, NULL, NULL), 0);
    assert_int_equal(fpl_plan_active(p, d0 + 30 * day + 23 * 60 * min + 40 * min, 15 * min,
                                     60 * min, NULL, NULL),
                     1);
    fpl_set_free(s);
}

/* ------------------------------------------------------ matching a table */

#define T0 1393849800000LL /* 2014-03-03T12:30Z: EOBT of the plans below */

static struct trk_table *table(void)
{
    struct trk_table *t = NULL;
    assert_int_equal(trk_new(NULL, &t), 0);
    return t;
}

/* One ADS-B-like measurement: has TRK_M_* as given. */
static uint32_t put(struct trk_table *t, int64_t now, uint16_t has, uint32_t icao, const char *cs,
                    uint16_t sq, double lat, double lon, uint8_t src)
{
    struct trk_meas m;
    memset(&m, 0, sizeof m);
    m.t_ms = now;
    m.sensor_id = 1;
    m.src_mask = (uint8_t)TRK_SRC_BIT(src);
    m.kind = src == TRK_SOURCE_PSR ? TRK_KIND_UNKNOWN : TRK_KIND_AIRCRAFT;
    m.has = has;
    m.icao = icao;
    if (cs)
        snprintf(m.callsign, sizeof m.callsign, "%s", cs);
    m.squawk = sq;
    m.lat_deg = lat;
    m.lon_deg = lon;
    m.sigma_m = 50;
    uint32_t id = 0;
    assert_int_equal(trk_ingest(t, &m, 1, now, &id), 0);
    assert_true(id != 0);
    return id;
}

static const char PLANS[] =
    /* 1: by address */
    "(FPL-ABC1/A1234-IS-A320/M-S/C-EKCH1230-N0450F350 DCT 5530N01300E DCT-ESSA0100-"
    "DOF/140303 CODE/AAAAA1)\n"
    /* 2: by identification */
    "(FPL-ABC2/A2345-IS-A320/M-S/C-EKCH1230-N0450F350 DCT 5530N01300E DCT-ESSA0100-"
    "DOF/140303)\n"
    /* 3: by SSR code only (its identification is not the track's callsign) */
    "(FPL-ABC3/A3456-IS-A320/M-S/C-EKCH1230-N0450F350 DCT 5530N01300E DCT-ESSA0100-"
    "DOF/140303)\n"
    /* 4 and 5: the same SSR code twice: ambiguous */
    "(FPL-ABC4/A4567-IS-A320/M-S/C-EKCH1230-N0450F350 DCT-ESSA0100-DOF/140303)\n"
    "(FPL-ABC5/A4567-IS-A320/M-S/C-EKCH1230-N0450F350 DCT-ESSA0100-DOF/140303)\n"
    /* 6: a non-discrete code */
    "(FPL-ABC6/A7000-VG-C172/L-S/C-EKCH1230-N0100VFR DCT-ESSA0300-DOF/140303)\n"
    /* 7: another day */
    "(FPL-ABC7/A5670-IS-A320/M-S/C-EKCH1230-N0450F350 DCT-ESSA0100-DOF/140304)\n"
    /* 8, 9: one identification filed twice: the nearer route wins */
    "(FPL-DUP1-IS-A320/M-S/C-EKCH1230-N0450F350 DCT 5530N01300E DCT-ESSA0100-DOF/140303)\n"
    "(FPL-DUP1-IS-A320/M-S/C-EKCH1230-N0450F350 DCT 5600N01000E DCT-ESSA0100-DOF/140303)\n"
    /* 10: its SSR code is taken by address elsewhere */
    "(FPL-ABC10/A1234-IS-A320/M-S/C-EKCH1230-N0450F350 DCT-ESSA0100-DOF/140303)\n";

static const struct trk_track *get(struct trk_table *t, uint32_t id)
{
    const struct trk_track *k = trk_get(t, id);
    assert_non_null(k);
    return k;
}

static void test_matching(void **state)
{
    (void)state;
    struct fpl_errors e;
    struct fpl_set *set = parse(PLANS, &e);
    assert_int_equal(set->n, 10);
    struct fpl_store *st = NULL;
    assert_int_equal(fpl_store_new(set, NULL, &st), 0);
    struct trk_table *t = table();
    int64_t now = T0 + 20 * 60000;
    const uint16_t ADSB = TRK_M_ICAO | TRK_M_CALLSIGN | TRK_M_SQUAWK;
    /* by address, though the callsign and the code say otherwise */
    uint32_t a = put(t, now, ADSB, 0xAAAAA1, "XYZ999", 01234, 55.6, 12.7, TRK_SOURCE_ADSB);
    /* by callsign (padded with spaces as ADS-B sends it) */
    uint32_t b = put(t, now, ADSB, 0xBBBBB1, "ABC2    ", 07777, 55.5, 13.0, TRK_SOURCE_ADSB);
    /* by SSR code: a Mode A/C track with no other identity */
    uint32_t c = put(t, now, TRK_M_SQUAWK, 0, NULL, 03456, 56.0, 14.0, TRK_SOURCE_SSR);
    /* ambiguous code */
    uint32_t d = put(t, now, TRK_M_SQUAWK, 0, NULL, 04567, 56.5, 14.5, TRK_SOURCE_SSR);
    /* non-discrete code */
    uint32_t f = put(t, now, TRK_M_SQUAWK, 0, NULL, 07000, 57.0, 15.0, TRK_SOURCE_SSR);
    /* tomorrow's plan */
    uint32_t g = put(t, now, TRK_M_SQUAWK, 0, NULL, 05670, 57.5, 15.5, TRK_SOURCE_SSR);
    /* primary only */
    uint32_t h = put(t, now, 0, 0, NULL, 0, 58.0, 16.0, TRK_SOURCE_PSR);
    /* DUP1, half way along the first leg of its first plan (EKCH - 55.5 N
     * 13 E); 20 km from track b, far outside its gate */
    uint32_t i = put(t, now, TRK_M_CALLSIGN, 0, "DUP1", 0, 0.5 * (55.6179 + 55.5),
                     0.5 * (12.6560 + 13.0), TRK_SOURCE_MODES);
    /* squawks ABC10's code 1234, which plan ABC1 also has: ABC1 is taken by
     * address, so ABC10 is the only candidate left */
    uint32_t j = put(t, now, TRK_M_SQUAWK, 0, NULL, 01234, 58.5, 16.5, TRK_SOURCE_SSR);
    size_t nm = fpl_apply(st, t, now);
    const struct fpl_stats *x = fpl_store_stats(st);
    if (nm != 5)
        fail_msg("%zu matched: icao %llu ident %llu ssr %llu no %llu amb %llu", nm,
                 (unsigned long long)x->by_icao, (unsigned long long)x->by_ident,
                 (unsigned long long)x->by_ssr, (unsigned long long)x->no_plan,
                 (unsigned long long)x->ambiguous);
    assert_int_equal(x->by_icao, 1);
    assert_int_equal(x->by_ident, 2);
    assert_int_equal(x->by_ssr, 2);
    assert_int_equal(x->ident_mismatch, 1);
    assert_int_equal(x->ssr_ambiguous, 1);
    assert_int_equal(x->unidentified, 1);
    assert_int_equal(get(t, a)->flight_plan, TRK_TRI_YES);
    assert_true(get(t, a)->flags & TRK_F_PLAN_DEV);
    assert_int_equal(get(t, b)->flight_plan, TRK_TRI_YES);
    assert_true(get(t, b)->plan_dev_m < 100);
    assert_int_equal(get(t, c)->flight_plan, TRK_TRI_YES);
    assert_int_equal(get(t, d)->flight_plan, TRK_TRI_NO);
    assert_false(get(t, d)->flags & TRK_F_PLAN_DEV);
    assert_int_equal(get(t, f)->flight_plan, TRK_TRI_NO);
    assert_int_equal(get(t, g)->flight_plan, TRK_TRI_NO);
    assert_int_equal(get(t, h)->flight_plan, TRK_TRI_UNKNOWN);
    assert_int_equal(get(t, i)->flight_plan, TRK_TRI_YES);
    assert_true(get(t, i)->plan_dev_m < 200); /* the nearer of the two routes */
    assert_int_equal(get(t, j)->flight_plan, TRK_TRI_YES);
    /* the radio member is kept */
    assert_int_equal(trk_set_compliance(t, a, TRK_TRI_YES, TRK_TRI_NO), 0);
    fpl_apply(st, t, now + 1000);
    assert_int_equal(get(t, a)->radio, TRK_TRI_NO);
    /* after the window: NO, deviation cleared */
    int64_t late = T0 + 60 * 60000 + 61 * 60000;
    put(t, late, ADSB, 0xAAAAA1, "XYZ999", 01234, 55.6, 12.7, TRK_SOURCE_ADSB);
    fpl_apply(st, t, late);
    assert_int_equal(get(t, a)->flight_plan, TRK_TRI_NO);
    assert_false(get(t, a)->flags & TRK_F_PLAN_DEV);
    trk_free(t);
    fpl_store_free(st);
    fpl_set_free(set);
}

/* ------------------------------------------------------------- deviation */

static void test_deviation(void **state)
{
    (void)state;
    struct fpl_errors e;
    struct fpl_set *set =
        parse("(FPL-DEV1-IS-A320/M-S/C-AFIL1230-N0450F350 5500N01000E DCT 5500N01200E DCT "
              "5700N01200E-ESSA0100-0)",
              &e);
    const struct fpl_plan *p = &set->plans[0];
    /* AFIL: no departure point; ESSA closes the route */
    assert_int_equal(p->n_pts, 4);
    assert_true(p->flags & FPL_P_ROUTE_OK);
    /* on a vertex, on a leg, off the legs: against a dense search along
     * every leg (geodesic points every 100 m) */
    static const double q[][2] = {{55, 10}, {55, 11},     {55.3, 11},   {56, 12.5},      {58, 14},
                                  {54, 9},  {56.5, 10.0}, {57.2, 11.8}, {55.0001, 11.5}, {60, 20}};
    for (size_t k = 0; k < sizeof q / sizeof q[0]; k++) {
        double d = fpl_route_distance_m(p, q[k][0], q[k][1]);
        double best = INFINITY;
        for (size_t l = 0; l + 1 < p->n_pts; l++) {
            double len, az;
            geo_inverse(p->pts[l].lat_deg, p->pts[l].lon_deg, p->pts[l + 1].lat_deg,
                        p->pts[l + 1].lon_deg, &len, &az, NULL);
            for (double sx = 0; sx < len + 100; sx += 100) {
                double la, lo;
                geo_direct(p->pts[l].lat_deg, p->pts[l].lon_deg, az, sx < len ? sx : len, &la, &lo,
                           NULL);
                double dd = geo_distance_m(q[k][0], q[k][1], la, lo);
                if (dd < best)
                    best = dd;
            }
        }
        /* the dense search is off by at most 50 m along track */
        if (!(d <= best + 1e-3 && d >= best - 60.0 - best * 1e-6))
            fail_msg("point %zu: %.1f m, dense search %.1f m", k, d, best);
    }
    assert_near(fpl_route_distance_m(p, 55, 10), 0.0, 1e-3);
    /* a store gives the same figure to a matched track */
    struct fpl_store *st = NULL;
    assert_int_equal(fpl_store_new(set, NULL, &st), 0);
    struct trk_table *t = table();
    int64_t now = 1000 * 86400000LL + 12 * 3600000LL + 40 * 60000;
    uint32_t id = put(t, now, TRK_M_CALLSIGN, 0, "DEV1", 0, 55.3, 11, TRK_SOURCE_MODES);
    assert_int_equal(fpl_apply(st, t, now), 1);
    const struct trk_track *k = get(t, id);
    assert_true(k->flags & TRK_F_PLAN_DEV);
    assert_near(k->plan_dev_m, fpl_route_distance_m(p, k->lat_deg, k->lon_deg), 0.5);
    assert_near(k->plan_dev_m, geo_distance_m(55.0, 11.0, 55.3, 11.0), 1000.0);
    trk_free(t);
    fpl_store_free(st);
    fpl_set_free(set);
}

/* fpl_apply's fast path (foot on the geodesic, local flat distance)
 * against the exact iteration of fpl_route_distance_m, on a grid of tracks
 * around a route of long and short legs, from on the route to 300 km off. */
static void test_fast_path(void **state)
{
    (void)state;
    struct fpl_errors e;
    struct fpl_set *set = parse("(FPL-FAST1-IS-A320/M-S/C-AFIL1200-N0450F350 4000N00500W DCT "
                                "4500N00000E DCT 4510N00020E DCT 5200N00800E DCT 6000N00500E "
                                "DCT 6130N02500E-ESSA0300-0)",
                                &e);
    const struct fpl_plan *p = &set->plans[0];
    assert_true(p->flags & FPL_P_ROUTE_OK);
    struct fpl_store *st = NULL;
    assert_int_equal(fpl_store_new(set, NULL, &st), 0);
    struct trk_config cfg;
    trk_config_default(&cfg);
    cfg.max_tracks = 4096;
    struct trk_table *t = NULL;
    assert_int_equal(trk_new(&cfg, &t), 0);
    int64_t now = 1000 * 86400000LL + 12 * 3600000LL + 30 * 60000;
    uint32_t icao = 0x100000;
    for (double la = 38; la <= 63; la += 0.45)
        for (double lo = -7; lo <= 27; lo += 0.6)
            put(t, now, TRK_M_ICAO | TRK_M_CALLSIGN, icao++, "FAST1", 0, la, lo, TRK_SOURCE_ADSB);
    size_t n = fpl_apply(st, t, now);
    assert_true(n > 3000 && n == trk_count(t));
    size_t cur = 0, checked = 0;
    double worst = 0;
    const struct trk_track *k;
    while ((k = trk_next(t, &cur)) != NULL) {
        assert_true(k->flags & TRK_F_PLAN_DEV);
        double exact = fpl_route_distance_m(p, k->lat_deg, k->lon_deg);
        double err = fabs(k->plan_dev_m - exact);
        if (exact < 50000 && !(err <= 1e-4 * exact + 0.5))
            fail_msg("at %.3f %.3f: fast %.3f m, exact %.3f m", k->lat_deg, k->lon_deg,
                     k->plan_dev_m, exact);
        if (!(err <= 1e-4 * exact + 0.5) && exact >= 50000)
            fail_msg("at %.3f %.3f (far): fast %.3f m, exact %.3f m", k->lat_deg, k->lon_deg,
                     k->plan_dev_m, exact);
        worst = err > worst ? err : worst;
        checked++;
    }
    print_message("fast path: %zu tracks, worst difference %.3f m\n", checked, worst);
    trk_free(t);
    fpl_store_free(st);
    fpl_set_free(set);
}

static void test_store_config(void **state)
{
    (void)state;
    struct fpl_set empty = {0, NULL};
    struct fpl_store *st = NULL;
    struct fpl_config c;
    fpl_config_default(&c);
    c.late_ms = -1;
    assert_int_equal(fpl_store_new(&empty, &c, &st), CAIRN_E_INVAL);
    assert_null(st);
    /* one identification and SSR code filed 70 times: 64 indexed per key */
    char *many = malloc(70 * 100);
    size_t n = 0;
    for (int i = 0; i < 70; i++)
        n += (size_t)snprintf(many + n, 70 * 100 - n,
                              "(FPL-SAME/A1234-IS-A320/M-S/C-EKCH1230-N0450F350 DCT-ESSA0100-0)\n");
    struct fpl_errors e;
    struct fpl_set *set = parse(many, &e);
    assert_int_equal(set->n, 70);
    assert_int_equal(fpl_store_new(set, NULL, &st), 0);
    assert_int_equal(fpl_store_stats(st)->unindexed, 12);
    fpl_store_free(st);
    fpl_set_free(set);
    free(many);
    assert_int_equal(fpl_store_new(&empty, NULL, &st), 0);
    struct trk_table *t = table();
    uint32_t id = put(t, T0, TRK_M_SQUAWK, 0, NULL, 01234, 55, 12, TRK_SOURCE_SSR);
    assert_int_equal(fpl_apply(st, t, T0), 0);
    assert_int_equal(get(t, id)->flight_plan, TRK_TRI_NO);
    trk_free(t);
    fpl_store_free(st);
    fpl_store_free(NULL);
    fpl_set_free(NULL);
}

/* -------------------------------------------------------- shipped plans */

static char *slurp(const char *rel, size_t *len)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", CAIRN_SOURCE_DIR, rel);
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    char *b = malloc(1 << 20);
    assert_non_null(b);
    *len = fread(b, 1, 1 << 20, f);
    fclose(f);
    return b;
}

static struct fpl_set *shipped(const char *rel)
{
    size_t pl, fl;
    char *pb = slurp("scenarios/points.txt", &pl);
    char *fb = slurp(rel, &fl);
    struct fpl_points *pts = NULL;
    struct fpl_errors e;
    memset(&e, 0, sizeof e);
    assert_int_equal(fpl_points_parse(pb, pl, &pts, &e), 0);
    assert_int_equal(e.bad, 0);
    struct fpl_set *s = NULL;
    memset(&e, 0, sizeof e);
    assert_int_equal(fpl_parse(fb, fl, pts, &s, &e), 0);
    assert_int_equal(e.bad, 0);
    assert_int_equal(e.warnings, 0);
    fpl_points_free(pts);
    free(pb);
    free(fb);
    return s;
}

/* The renegade of vigilant-skies-2011 (LOT3915, 48AE21) on the way points
 * of scenarios/vigilant-skies-2011.json: on its plan until the turn at
 * 51.5 N 19.9 E, tens of NM off it afterwards. */
static void test_vigilant_skies(void **state)
{
    (void)state;
    struct fpl_set *s = shipped("scenarios/vigilant-skies-2011.fpl");
    assert_int_equal(s->n, 1);
    const struct fpl_plan *p = &s->plans[0];
    assert_string_equal(p->ident, "LOT3915");
    assert_int_equal(p->icao, 0x48AE21);
    assert_int_equal(p->ssr, 02301);
    assert_true(p->flags & FPL_P_ROUTE_OK);
    const double nm = GEO_M_PER_NM;
    /* the start and the first way point: on the plan */
    assert_true(fpl_route_distance_m(p, 50.18, 19.8) < 1 * nm);
    assert_true(fpl_route_distance_m(p, 51.5, 19.9) < 0.1 * nm);
    /* after the turn towards Kaliningrad */
    double d1 = fpl_route_distance_m(p, 53.3, 20.8), d2 = fpl_route_distance_m(p, 54.25, 20.35);
    assert_true(d1 > 50 * nm && d1 < 70 * nm);
    assert_true(d2 > 50 * nm && d2 < 70 * nm);
    /* half way along the leg after the turn: already tens of NM */
    assert_true(fpl_route_distance_m(p, 52.4, 20.35) > 20 * nm);
    /* after the turn, squawking 7600: still matched by address and
     * callsign, and tens of NM off */
    struct fpl_store *st = NULL;
    assert_int_equal(fpl_store_new(s, NULL, &st), 0);
    struct trk_table *t = table();
    const int64_t at = 1307437200000LL + 1800 * 1000LL; /* 09:30Z */
    uint32_t id = put(t, at, TRK_M_ICAO | TRK_M_CALLSIGN | TRK_M_SQUAWK, 0x48AE21, "LOT3915", 07600,
                      53.3, 20.8, TRK_SOURCE_ADSB);
    assert_int_equal(fpl_apply(st, t, at), 1);
    assert_int_equal(get(t, id)->flight_plan, TRK_TRI_YES);
    assert_true(get(t, id)->flags & TRK_F_PLAN_DEV);
    assert_true(get(t, id)->plan_dev_m > 50 * nm);
    assert_int_equal(fpl_store_stats(st)->by_icao, 1);
    trk_free(t);
    fpl_store_free(st);
    /* the plan is active during the scenario (09:00 - 10:10 on 7 June 2011) */
    const int64_t start = 1307437200000LL; /* 2011-06-07T09:00:00Z */
    assert_int_equal(fpl_plan_active(p, start, 15 * 60000LL, 60 * 60000LL, NULL, NULL), 1);
    assert_int_equal(
        fpl_plan_active(p, start + 4200 * 1000LL, 15 * 60000LL, 60 * 60000LL, NULL, NULL), 1);
    fpl_set_free(s);
}

/* SAS681 of malmo-2014 follows its plan. */
static void test_malmo(void **state)
{
    (void)state;
    struct fpl_set *s = shipped("scenarios/malmo-2014.fpl");
    assert_int_equal(s->n, 1);
    const struct fpl_plan *p = &s->plans[0];
    assert_string_equal(p->ident, "SAS681");
    assert_int_equal(p->icao, 0x4AC9E1);
    assert_true(fpl_route_distance_m(p, 55.62, 12.7) < 2 * GEO_M_PER_NM);
    assert_true(fpl_route_distance_m(p, 54.104758, 13.645835) < 0.5 * GEO_M_PER_NM);
    assert_true(fpl_route_distance_m(p, 54.9, 13.15) < 2 * GEO_M_PER_NM);
    const int64_t start = 1393851600000LL; /* 2014-03-03T13:00:00Z */
    assert_int_equal(fpl_plan_active(p, start, 15 * 60000LL, 60 * 60000LL, NULL, NULL), 1);
    fpl_set_free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_points_file),     cmocka_unit_test(test_full_message),
        cmocka_unit_test(test_route_vectors),   cmocka_unit_test(test_several_and_skip),
        cmocka_unit_test(test_malformed),       cmocka_unit_test(test_unresolved),
        cmocka_unit_test(test_limits),          cmocka_unit_test(test_truncated_everywhere),
        cmocka_unit_test(test_activity_window), cmocka_unit_test(test_matching),
        cmocka_unit_test(test_deviation),       cmocka_unit_test(test_fast_path),
        cmocka_unit_test(test_store_config),    cmocka_unit_test(test_vigilant_skies),
        cmocka_unit_test(test_malmo),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
