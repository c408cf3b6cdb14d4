/*
 * test_hl_alloc.c — allocation failure over the journal (Lua's "allocator
 * that fails on demand", SQLite's fault injection habit).
 *
 * Every allocation the scenario makes — SQLite's (through
 * SQLITE_CONFIG_MALLOC) and cairn's own (malloc/calloc of the hotline
 * library, wrapped with ld --wrap) — is made to fail in turn: the first
 * run fails allocation 1, the next allocation 2, and so on until the
 * scenario runs to its end without meeting the failure (by default every
 * allocation up to 200, then every 11th; HL_ALLOC_ALL=1 tries them all). Each run must end
 * without a crash or leak (ASan), every call must return 0 or a negative
 * code, and afterwards both journals, reopened without faults, must pass
 * `audit verify` and accept more traffic: nothing half-written.
 *
 * The journals live on /dev/shm when it exists (tmpfs: fsync is cheap, and
 * thousands of runs each commit a dozen times).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <sqlite3.h>
#include <sys/stat.h>

#include "base/error.h"
#include "hl_fixture.h"
#include "hotline/audit.h"
#include "hotline/cases.h"

/* ---- the failing allocator ------------------------------------------------------ */

#include "failalloc.h" /* fail_at, n_alloc, hit, should_fail() */

/* SQLite's allocator: size-prefixed blocks over the real malloc. */
static void *sq_malloc(int n)
{
    if (should_fail())
        return NULL;
    int64_t *p = __real_malloc((size_t)n + 8);
    if (!p)
        return NULL;
    p[0] = n;
    return p + 1;
}
static void sq_free(void *p)
{
    if (p)
        free((int64_t *)p - 1);
}
static void *sq_realloc(void *p, int n)
{
    if (!p)
        return sq_malloc(n);
    if (should_fail())
        return NULL;
    int64_t *q = realloc((int64_t *)p - 1, (size_t)n + 8);
    if (!q)
        return NULL;
    q[0] = n;
    return q + 1;
}
static int sq_size(void *p)
{
    return (int)((int64_t *)p)[-1];
}
static int sq_roundup(int n)
{
    return (n + 7) & ~7;
}
static int sq_init(void *x)
{
    (void)x;
    return 0;
}
static void sq_shutdown(void *x)
{
    (void)x;
}

static const sqlite3_mem_methods sq_mem = {sq_malloc,  sq_free, sq_realloc,  sq_size,
                                           sq_roundup, sq_init, sq_shutdown, NULL};

/* ---- the scenario ------------------------------------------------------------------ */

static struct hl_msg m;
static uint8_t raw[HL_MSG_MAX_LEN];

/* A call under fault injection returns a result or a cairn error code,
 * never anything else. */
#define OK_OR_ERR(x) assert_true((long long)(x) > -(long long)CAIRN_E__COUNT_IDX)

static int nop_cb(void *ctx, const struct hl_msg_row *row)
{
    (void)ctx;
    (void)row;
    return 0;
}

static void scenario(struct fx *f)
{
    struct hl_journal *ja = NULL, *jb = NULL;
    if (hl_journal_open(f->path_a, &f->a, &f->roster, &ja) ||
        hl_journal_open(f->path_b, &f->b, &f->roster, &jb))
        goto out;
    struct hl_receipt r;
    for (int i = 0; i < 3; i++) {
        fx_full_msg(&m, i == 1 ? HL_T_EXPLANATION_REQUEST : HL_T_FREE_TEXT, "MOSCOW-CC", true,
                    FX_T0);
        int64_t seq = hl_journal_append_outgoing(ja, &m, FX_T0 + i);
        OK_OR_ERR(seq);
        if (seq <= 0)
            continue;
        int n = hl_msg_encode(&m, raw, sizeof raw);
        assert_true(n > 0);
        int rc = hl_journal_accept_incoming(jb, raw, (size_t)n, FX_T0 + i, &r, NULL);
        OK_OR_ERR(rc);
        if (rc >= 0)
            OK_OR_ERR(hl_journal_store_receipt_struct(ja, &r));
    }
    /* cumulative receipt: stored without receipt, one receipt for the head */
    fx_free_text(&m, "MOSCOW-CC", "no receipt yet");
    if (hl_journal_append_outgoing(ja, &m, FX_T0 + 5) > 0) {
        int n = hl_msg_encode(&m, raw, sizeof raw);
        OK_OR_ERR(hl_journal_accept_incoming_ex(jb, raw, (size_t)n, FX_T0 + 5, HL_ACCEPT_NO_RECEIPT,
                                                NULL, NULL));
        if (hl_journal_receipt_upto(jb, "WARSAW-CC", FX_T0 + 6, &r) == 0)
            OK_OR_ERR(hl_journal_store_receipt_struct(ja, &r));
    }
    if (hl_journal_begin(jb) == 0) {
        fx_free_text(&m, "WARSAW-CC", "batched reply");
        OK_OR_ERR(hl_journal_append_outgoing(jb, &m, FX_T0 + 10));
        OK_OR_ERR(hl_journal_commit(jb));
    }
    struct hl_checkpoint c;
    if (hl_journal_checkpoint_make(ja, HL_DIR_OUT, "MOSCOW-CC", FX_T0, &c) == 0 &&
        hl_journal_checkpoint_countersign(jb, &c) == 0)
        OK_OR_ERR(hl_journal_checkpoint_store(ja, &c));
    OK_OR_ERR(hl_journal_ack_operator(jb, "WARSAW-CC", 1, "op", FX_T0 + 20));
    OK_OR_ERR(hl_cases_check(jb, FX_T0 + 100 * 3600 * 1000LL));
    OK_OR_ERR(hl_journal_list(ja, NULL, nop_cb, NULL));
out:
    hl_journal_close(ja);
    hl_journal_close(jb);
}

static void test_alloc_failure_everywhere(void **state)
{
    (void)state;
    long runs = 0;
    /* Every allocation is tried with HL_ALLOC_ALL=1 (about 2,800 runs, minutes);
     * by default the first 200 and then every 11th, to keep the unit label fast. */
    bool all = getenv("HL_ALLOC_ALL") != NULL;
    for (long k = 1;; k += (all || k < 200) ? 1 : 11) {
        struct fx f;
        fail_at = -1;
        assert_int_equal(fx_setup(&f), 0);
        hl_journal_close(f.ja);
        hl_journal_close(f.jb);
        f.ja = f.jb = NULL;
        n_alloc = 0;
        hit = false;
        fail_at = k;
        scenario(&f);
        fail_at = -1;
        runs++;
        /* afterwards, without faults: consistent and usable */
        struct hl_audit_report rep;
        int rc = hl_audit_verify(f.path_a, &f.roster, &rep);
        if (rc)
            fail_msg("fail at %ld: audit A: %s %s seq %llu: %s", k, rep.table, rep.peer,
                     (unsigned long long)rep.seq, rep.what);
        rc = hl_audit_verify(f.path_b, &f.roster, &rep);
        if (rc)
            fail_msg("fail at %ld: audit B: %s %s seq %llu: %s", k, rep.table, rep.peer,
                     (unsigned long long)rep.seq, rep.what);
        assert_int_equal(hl_journal_open(f.path_a, &f.a, &f.roster, &f.ja), 0);
        assert_int_equal(hl_journal_open(f.path_b, &f.b, &f.roster, &f.jb), 0);
        struct hl_receipt r;
        /* resend whatever B lacks, then one more message: the chain continues */
        uint64_t have;
        uint8_t h[HL_HASH_LEN];
        hl_journal_head(f.jb, HL_DIR_IN, "WARSAW-CC", &have, h);
        fx_free_text(&m, "MOSCOW-CC", "after the fault");
        int64_t seq = hl_journal_append_outgoing(f.ja, &m, FX_T0 + 50);
        assert_true(seq > 0);
        assert_true((uint64_t)seq >= have + 1);
        if ((uint64_t)seq == have + 1) {
            int n = hl_msg_encode(&m, raw, sizeof raw);
            assert_int_equal(hl_journal_accept_incoming(f.jb, raw, (size_t)n, FX_T0, &r, NULL), 0);
        }
        fx_teardown(&f);
        if (!hit)
            break; /* the scenario ran to its end: every allocation was tried */
    }
    print_message("%ld runs, each failing one allocation\n", runs);
    assert_true(runs > 200);
}

int main(void)
{
    /* before any SQLite use: route its allocations through the failing allocator */
    if (sqlite3_config(SQLITE_CONFIG_MALLOC, &sq_mem) != SQLITE_OK)
        return 1;
    struct stat st;
    if (stat("/dev/shm", &st) == 0 && S_ISDIR(st.st_mode))
        setenv("TMPDIR", "/dev/shm", 1);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_alloc_failure_everywhere),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
