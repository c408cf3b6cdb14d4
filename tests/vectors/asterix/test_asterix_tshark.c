/*
 * test_asterix_tshark.c — every record of the ASTERIX samples decodes to the
 * values Wireshark's dissector printed (tshark 4.0.17 `-V`, generated in
 * ../shared/data/asterix/generated-tshark-4.0.17/, see SOURCES.md there).
 *
 * tshark's dissector is generated from the same asterix-specs as our tables,
 * so sub-field names agree. We decode with the editions tshark 4.0.17 uses by
 * default (CAT021 2.6, CAT034 1.29, CAT048 1.31, CAT062 1.19; for CAT065 it
 * has 1.5 and we have 1.6, which only adds values to tables; CAT063 1.7), and
 * compare field by field: same item, same sub-field name (in order), value
 * within half an LSB; strings and hex fields exactly. Records align by order.
 *
 * How the -V text is read: "Asterix message, #NN" starts a record; an
 * indent-8 line "NNN, Title" starts an item; a line with ": " is a field —
 * bit fields "..01 .... = NAME, Title: text (V)", others "NAME, Title[,
 * [unit]]: V" or, for an item or compound subitem that is one element,
 * "Title[, [unit]]: V" (no name: the enclosing subitem's name is used).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "testdata.h"

#include "refload.h"

#define TS_DIR "asterix/generated-tshark-4.0.17/"

struct tfield {
    char name[72];
    char val[96];
    int depth_ok;
};

struct titem {
    char id[8];
    struct tfield f[256];
    size_t n;
};

struct trec {
    struct titem it[40];
    size_t n;
};

struct cmp_tally {
    size_t records, compared, mismatched, unmatched, items_missing;
};

static int is_bits_prefix(const char *s, const char *eq)
{
    for (const char *p = s; p < eq; p++)
        if (*p != '.' && *p != '0' && *p != '1' && *p != ' ')
            return 0;
    return eq > s;
}

/* The name and value text of a field line (already stripped of indent). */
static void field_parse(const char *line, const char *container, struct tfield *f)
{
    const char *eq = strstr(line, " = ");
    const char *body = line;
    if (eq && is_bits_prefix(line, eq))
        body = eq + 3;
    size_t nl = strcspn(body, ",:");
    char cand[40];
    snprintf(cand, sizeof cand, "%.*s", (int)(nl < 39 ? nl : 39), body);
    /* "NAME, Title: V" is named; "Title: V" (no comma, not a bit field) is
     * the value of the enclosing item or subitem. */
    int titled = body == line && body[nl] == ':';
    if (titled || strchr(cand, ' ') || cand[0] == '\0')
        snprintf(f->name, sizeof f->name, "%s", container);
    else
        snprintf(f->name, sizeof f->name, "%s", cand);
    const char *colon = strstr(body, ": ");
    const char *last = colon;
    while (colon) {
        last = colon;
        colon = strstr(colon + 2, ": ");
    }
    const char *v = last ? last + 2 : "";
    size_t vl = strlen(v);
    /* "text (N)": the number in the parentheses is the value. */
    if (vl > 2 && v[vl - 1] == ')') {
        const char *open = strrchr(v, '(');
        if (open) {
            char *end;
            strtoll(open + 1, &end, 10);
            if (end != open + 1 && *end == ')') {
                snprintf(f->val, sizeof f->val, "%.*s", (int)(end - open - 1), open + 1);
                return;
            }
        }
    }
    snprintf(f->val, sizeof f->val, "%s", v);
}

/* Parse all records of a -V file. */
static size_t tshark_parse(const char *path, struct trec *recs, size_t cap)
{
    FILE *fp = fopen(path, "r");
    assert_non_null(fp);
    char line[1024];
    size_t n = 0;
    int in_ast = 0;
    struct trec *r = NULL;
    struct titem *it = NULL;
    char cont[16][40];
    int cont_ind[16];
    int ncont = 0;
    while (fgets(line, sizeof line, fp)) {
        line[strcspn(line, "\r\n")] = 0;
        int ind = 0;
        while (line[ind] == ' ')
            ind++;
        const char *t = line + ind;
        if (ind == 0) {
            in_ast = !strncmp(t, "ASTERIX packet", 14);
            r = NULL;
            it = NULL;
            continue;
        }
        if (!in_ast)
            continue;
        if (!strncmp(t, "Asterix message, #", 18)) {
            if (n == cap)
                break;
            r = &recs[n++];
            memset(r, 0, sizeof *r);
            it = NULL;
            continue;
        }
        if (!r)
            continue;
        if (ind == 8 && !strchr(t, ':')) {
            if (!strcmp(t, "FSPEC") || r->n >= 40) {
                it = NULL;
                continue;
            }
            it = &r->it[r->n++];
            memset(it, 0, sizeof *it);
            snprintf(it->id, sizeof it->id, "%.*s", (int)strcspn(t, ","), t);
            ncont = 0;
            continue;
        }
        if (!it || ind <= 8)
            continue;
        while (ncont && cont_ind[ncont - 1] >= ind)
            ncont--;
        if (!strchr(t, ':') || (strstr(t, ": ") == NULL && t[strlen(t) - 1] == ':')) {
            /* a container: compound subitem, repetition, FSPEC */
            if (ncont < 16 && strcmp(t, "FSPEC")) {
                snprintf(cont[ncont], sizeof cont[0], "%.*s", (int)strcspn(t, ","), t);
                cont_ind[ncont++] = ind;
            }
            continue;
        }
        if (it->n >= 256)
            continue;
        if (!strncmp(t, "Counter: ", 9)) /* the repetition count of an item */
            continue;
        struct tfield *f = &it->f[it->n];
        field_parse(t, ncont ? cont[ncont - 1] : it->id, f);
        if (!strcmp(f->name, "FX") || !strcmp(f->name, "spare") || !strcmp(f->name, "Counter"))
            continue;
        it->n++;
    }
    fclose(fp);
    return n;
}

static int value_eq(const struct leafv *v, const char *txt)
{
    if (v->is_str) {
        char a[96], b[96];
        canon(v->s, a, sizeof a);
        canon(txt, b, sizeof b);
        return !strcmp(a, b);
    }
    char *end;
    const char *s = txt;
    double x;
    if (s[0] == '0' && s[1] == 'x')
        x = (double)strtoull(s + 2, &end, 16);
    else
        x = strtod(s, &end);
    if (end == s)
        return 0;
    double d = x - v->v;
    if (d < 0)
        d = -d;
    /* tshark prints 15 significant digits */
    double mag = v->v < 0 ? -v->v : v->v;
    return d <= leaf_tol(v) + 1e-12 * mag;
}

static void compare_record(const struct ax_record *ours, const struct trec *t, struct cmp_tally *ty,
                           const char *file, size_t idx)
{
    static struct leaves L;
    for (size_t i = 0; i < t->n; i++) {
        const struct titem *ti = &t->it[i];
        const struct ax_item *it = ax_record_item(ours, ti->id);
        if (!it) {
            ty->items_missing++;
            print_message("%s record %zu: item %s missing in ours\n", file, idx, ti->id);
            continue;
        }
        leaves_of(it, &L);
        for (size_t k = 0; k < ti->n; k++) {
            const struct tfield *f = &ti->f[k];
            struct leafv *hit = NULL;
            for (size_t j = 0; j < L.n && !hit; j++)
                if (!L.v[j].used && !strcmp(L.v[j].name, f->name))
                    hit = &L.v[j];
            if (!hit) {
                ty->unmatched++;
                print_message("%s record %zu: I%s/%s = %s: no such field in ours\n", file, idx,
                              ti->id, f->name, f->val);
                continue;
            }
            hit->used = 1;
            ty->compared++;
            if (!value_eq(hit, f->val)) {
                ty->mismatched++;
                print_message("%s record %zu: I%s/%s tshark %s ours %s%.10g\n", file, idx, ti->id,
                              f->name, f->val, hit->is_str ? hit->s : "",
                              hit->is_str ? 0.0 : hit->v);
            }
        }
    }
}

struct case_t {
    const char *sample; /* under asterix/ */
    const char *tshark; /* file name in TS_DIR */
    size_t want_records;
};

static const struct case_t cases[] = {
    {"croatiacontrol/sample_data/cat048.raw", "cat048.raw.tshark.V.txt", 1},
    {"croatiacontrol/sample_data/cat034.raw", "cat034.raw.tshark.V.txt", 1},
    {"croatiacontrol/sample_data/cat062cat065.raw", "cat062cat065.raw.tshark.V.txt", 3},
    {"croatiacontrol/sample_data/cat21_re.ast", "cat21_re.ast.tshark.V.txt", 2},
    {"croatiacontrol/sample_data/cat_034_048.pcap", "cat_034_048.pcap.tshark.V.txt", 162},
    {"croatiacontrol/sample_data/cat_062_065.pcap", "cat_062_065.pcap.tshark.V.txt", 3},
    {"asterix4py/cat062.ast", "cat062.ast.tshark.V.txt", 7},
    {"jasterix/cat021ed2.1.bin", "cat021ed2.1.bin.tshark.V.txt", 1},
    {"jasterix/cat034ed1.26.bin", "cat034ed1.26.bin.tshark.V.txt", 1},
    {"jasterix/cat048ed1.15.bin", "cat048ed1.15.bin.tshark.V.txt", 1},
    {"jasterix/cat048ed1.23.bin", "cat048ed1.23.bin.tshark.V.txt", 1},
    {"jasterix/cat062ed1.12.bin", "cat062ed1.12.bin.tshark.V.txt", 1},
    {"jasterix/cat063ed1.0.bin", "cat063ed1.0.bin.tshark.V.txt", 1},
    {"jasterix/cat065ed1.3.bin", "cat065ed1.3.bin.tshark.V.txt", 1},
    {"jasterix/cat001ed1.1.bin", "cat001ed1.1.bin.tshark.V.txt", 1},
    {"jasterix/cat002ed1.0.bin", "cat002ed1.0.bin.tshark.V.txt", 1},
};

static void tshark_editions(struct ax_editions *e)
{
    ax_editions_init(e);
    assert_int_equal(ax_editions_set(e, "21=2.6"), 0);
    assert_int_equal(ax_editions_set(e, "34=1.29"), 0);
    assert_int_equal(ax_editions_set(e, "48=1.31"), 0);
    assert_int_equal(ax_editions_set(e, "62=1.19"), 0);
}

static void run_case(const struct case_t *c, struct cmp_tally *all)
{
    char rel[256], trel[256];
    snprintf(rel, sizeof rel, "asterix/%s", c->sample);
    snprintf(trel, sizeof trel, TS_DIR "%s", c->tshark);
    static struct sample s;
    assert_int_equal(sample_load(td_path(rel), &s), 0);
    struct ax_editions eds;
    tshark_editions(&eds);
    struct ax_record *recs;
    struct ax_stats st = {0};
    size_t n = sample_decode(&s, &eds, &recs, &st);
    static struct trec t[400];
    size_t nt = tshark_parse(td_path(trel), t, 400);
    struct cmp_tally ty = {0};
    size_t m = n < nt ? n : nt;
    for (size_t i = 0; i < m; i++)
        compare_record(&recs[i], &t[i], &ty, c->sample, i);
    ty.records = m;
    print_message("tshark %-45s records ours %zu tshark %zu; fields compared %zu, "
                  "differ %zu, unmatched %zu, items missing %zu\n",
                  c->sample, n, nt, ty.compared, ty.mismatched, ty.unmatched, ty.items_missing);
    assert_int_equal(n, c->want_records);
    assert_int_equal(nt, c->want_records);
    all->records += ty.records;
    all->compared += ty.compared;
    all->mismatched += ty.mismatched;
    all->unmatched += ty.unmatched;
    all->items_missing += ty.items_missing;
    free(recs);
    free(s.buf);
}

static void test_tshark_all(void **state)
{
    (void)state;
    TD_REQUIRE(TS_DIR "cat048.raw.tshark.V.txt");
    struct cmp_tally all = {0};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        run_case(&cases[i], &all);
    print_message("tshark total: %zu records, %zu fields compared, %zu differ, %zu unmatched, "
                  "%zu items missing\n",
                  all.records, all.compared, all.mismatched, all.unmatched, all.items_missing);
    assert_true(all.compared > 5000);
    assert_int_equal(all.mismatched, 0);
    assert_int_equal(all.unmatched, 0);
    assert_int_equal(all.items_missing, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_tshark_all),
    };
    return td_exit(cmocka_run_group_tests(tests, NULL, NULL));
}
