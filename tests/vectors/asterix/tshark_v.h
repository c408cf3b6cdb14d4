/*
 * tshark_v.h — read tshark's `-V -O asterix` text and compare it field by
 * field with records cairn decoded (shared by test_asterix_tshark, on the
 * stored outputs, and test_asterix_tshark_links, on captures it makes).
 *
 * How the -V text is read: "Asterix message, #NN" starts a record; an
 * indent-8 line "NNN, Title" starts an item; a line with ": " is a field —
 * bit fields "..01 .... = NAME, Title: text (V)", others "NAME, Title[,
 * [unit]]: V" or, for an item or compound subitem that is one element,
 * "Title[, [unit]]: V" (no name: the enclosing subitem's name is used).
 * Same item, same sub-field name (in order), value within half an LSB;
 * strings and hex fields exactly.
 */
#ifndef CAIRN_TESTS_ASTERIX_TSHARK_V_H
#define CAIRN_TESTS_ASTERIX_TSHARK_V_H

#include "refload.h"

struct tfield {
    char name[72];
    char val[96];
    int depth_ok;
};

/* An item: its fields are f[first .. first + n) of its record. */
struct titem {
    char id[8];
    size_t first, n;
};

/* Fields of all items of a record in one pool, so that a record with one
 * big item and many small ones fits in little memory. */
#define TREC_ITEMS  48
#define TREC_FIELDS 1024

struct trec {
    struct titem it[TREC_ITEMS];
    size_t n;
    struct tfield f[TREC_FIELDS];
    size_t nf;
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
    /* "NBR: V": a sub-field whose specification gives no title is named */
    int upper = nl >= 2;
    for (size_t i = 0; i < nl && upper; i++)
        upper = (body[i] >= 'A' && body[i] <= 'Z') || (body[i] >= '0' && body[i] <= '9');
    if (titled && upper && strcmp(cand, container))
        titled = 0;
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
            if (!strcmp(t, "FSPEC") || r->n >= TREC_ITEMS) {
                it = NULL;
                continue;
            }
            it = &r->it[r->n++];
            memset(it, 0, sizeof *it);
            it->first = r->nf;
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
        if (r->nf >= TREC_FIELDS)
            continue;
        if (!strncmp(t, "Counter: ", 9)) /* the repetition count of an item */
            continue;
        struct tfield *f = &r->f[r->nf];
        field_parse(t, ncont ? cont[ncont - 1] : it->id, f);
        if (!strcmp(f->name, "FX") || !strcmp(f->name, "spare") || !strcmp(f->name, "Counter"))
            continue;
        it->n++;
        r->nf++;
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
            const struct tfield *f = &t->f[ti->first + k];
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

#endif
