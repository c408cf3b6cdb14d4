/*
 * test_hl_files.c — a real `cairn hotline` and the files it owns.
 *
 * The daemon creates its journal, the journal's -wal and -shm, the alerts
 * file readable by its user only (0600), the control socket with no group
 * or other bits; it refuses
 * to start when a secret key (sign.key or tls.key) has group or other
 * permission bits, or (when the test runs as root and can make one)
 * belongs to another user, and says which file, its mode and the fix. A
 * control request that is not valid UTF-8, or not JSON, and a send with an
 * impossible date or a control character in a field are answered with what
 * is wrong with them. And a message holding ESC, CR and a bidi override in
 * its text (as a journal written before such text was refused may hold
 * one) reaches `cairn msg list/show` escaped: no such byte on the
 * operator's terminal. And the production binary (cairn, not the tests'
 * cairn_hl) has no test hook: its control socket answers clock_advance
 * "unknown op", and the former test keys test_clock and journal_max_pages
 * are unknown keys that stop it from starting. Loopback only, bounded by
 * the harness's timeouts.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include <sqlite3.h>

#include "base/dbuf.h"
#include "hl_harness.h"
#include "hotline/control.h"
#include "hotline/identity.h"
#include "hotline/journal.h"
#include "hotline/msg.h"

static struct harness H, P;
static int PASSED, PASSED_P;

static void assert_mode(const char *path, unsigned want)
{
    struct stat st;
    if (stat(path, &st) != 0)
        fail_msg("%s: missing", path);
    if ((st.st_mode & 0777) != want)
        fail_msg("%s: mode %04o, want %04o", path, (unsigned)(st.st_mode & 0777), want);
}

/* One raw control request (any bytes); the response text into out. */
static void raw_call(struct hnode *n, const char *req, char *out, size_t cap)
{
    struct hl_ctl c;
    assert_int_equal(hl_ctl_open(&c, n->sock), 0);
    struct dbuf resp;
    dbuf_init(&resp, HL_CTL_LINE_MAX);
    assert_int_equal(hl_ctl_call(&c, req, &resp), 0);
    hl_ctl_close(&c);
    snprintf(out, cap, "%s", resp.p ? resp.p : "");
    dbuf_free(&resp);
}

/* The daemon must refuse to start, and its log must say `why`. */
static void assert_refused(struct hnode *n, const char *why1, const char *why2)
{
    assert_int_not_equal(hh_start(n), 0);
    if (hh_log_count(n, why1) < 1)
        fail_msg("log of %s lacks '%s'", n->name, why1);
    if (why2 && hh_log_count(n, why2) < 1)
        fail_msg("log of %s lacks '%s'", n->name, why2);
}

static void test_files_and_keys(void **state)
{
    (void)state;
    const char *names[] = {"MOSCOW-CC", "WARSAW-CC"};
    assert_int_equal(hh_setup(&H, 2, names), 0);
    struct hnode *a = &H.n[0], *b = &H.n[1];
    assert_int_equal(hh_start(a), 0);
    assert_int_equal(hh_start(b), 0);
    assert_int_equal(hh_wait_up(a, b, 20000), 0);
    json_decref(hh_call(a,
                        "{\"op\":\"send\",\"to\":\"%s\",\"type\":\"FREE_TEXT\","
                        "\"fields\":{\"body\":\"modes\"}}",
                        b->name));
    assert_int_equal(hh_wait_synced(a, b, 20000), 0);

    /* Files the daemon made: its user's only. */
    char path[700];
    assert_mode(a->journal, 0600);
    snprintf(path, sizeof path, "%s-wal", a->journal);
    assert_mode(path, 0600);
    snprintf(path, sizeof path, "%s-shm", a->journal);
    assert_mode(path, 0600);
    snprintf(path, sizeof path, "%s.alerts", a->journal);
    assert_mode(path, 0600);
    struct stat st;
    assert_int_equal(stat(a->sock, &st), 0);
    assert_int_equal(st.st_mode & 077, 0); /* a socket: only its owner may connect */

    /* Control requests that are not what they should be say why. */
    char out[4096];
    raw_call(a, "{\"op\":\"status\",\"x\":\"\xff\xfe\"}", out, sizeof out);
    fprintf(stderr, "invalid UTF-8: %s\n", out);
    assert_non_null(strstr(out, "\"ok\":false"));
    assert_non_null(strstr(out, "not valid UTF-8"));
    raw_call(a, "{\"op\":\"status\",", out, sizeof out);
    fprintf(stderr, "not JSON: %s\n", out);
    assert_non_null(strstr(out, "not JSON"));
    raw_call(a, "[1,2]", out, sizeof out);
    assert_non_null(strstr(out, "one JSON object with"));
    /* An operator's send: impossible dates and control characters are
     * refused, saying why. */
    char req[512];
    snprintf(req, sizeof req,
             "{\"op\":\"send\",\"to\":\"%s\",\"type\":\"ACTIVITY_NOTICE\","
             "\"fields\":{\"start\":\"2026-02-30T10:00:00Z\"}}",
             b->name);
    raw_call(a, req, out, sizeof out);
    fprintf(stderr, "2026-02-30: %s\n", out);
    assert_non_null(strstr(out, "field 'start': not a UTC date and time that exists"));
    snprintf(req, sizeof req,
             "{\"op\":\"send\",\"to\":\"%s\",\"type\":\"FREE_TEXT\","
             "\"fields\":{\"body\":\"a\\u001b[2Jb\"}}",
             b->name);
    raw_call(a, req, out, sizeof out);
    fprintf(stderr, "ESC: %s\n", out);
    assert_non_null(strstr(out, "field 'body': invalid UTF-8, or a control character"));
    raw_call(a, "{\"op\":\"set_max_pages\",\"pages\":0}", out, sizeof out);
    assert_non_null(strstr(out, "unknown op")); /* no test hook in production */
    assert_int_equal(hh_stop(a, SIGTERM), 0);

    /* Secret keys: group or other bits refuse the start, naming the file,
     * its mode and the fix. */
    char tls[700], sign[700], want[800];
    snprintf(tls, sizeof tls, "%s/keys/tls.key", a->dir);
    snprintf(sign, sizeof sign, "%s/keys/sign.key", a->dir);
    assert_int_equal(chmod(tls, 0644), 0);
    snprintf(want, sizeof want, "%s has mode 0644", tls);
    char fix[800];
    snprintf(fix, sizeof fix, "chmod 600 %s", tls);
    assert_refused(a, want, fix);
    assert_int_equal(chmod(tls, 0600), 0);
    assert_int_equal(chmod(sign, 0640), 0);
    snprintf(want, sizeof want, "%s has mode 0640", sign);
    snprintf(fix, sizeof fix, "chmod 600 %s", sign);
    assert_refused(a, want, fix);
    assert_int_equal(chmod(sign, 0600), 0);
    if (geteuid() == 0) {
        /* Root can give the key to someone else: then it is not ours. */
        assert_int_equal(chown(tls, 65534, 65534), 0);
        snprintf(want, sizeof want, "%s is owned by uid 65534", tls);
        assert_refused(a, want, NULL);
        assert_int_equal(chown(tls, 0, 0), 0);
    } else {
        fprintf(stderr, "not root: the owner check is not exercised here\n");
    }
    /* Put right, it starts and the link comes back. */
    assert_int_equal(hh_start(a), 0);
    assert_int_equal(hh_wait_up(a, b, 20000), 0);
    assert_int_equal(hh_stop(a, SIGTERM), 0);
    assert_int_equal(hh_stop(b, SIGTERM), 0);
    PASSED++;
}

/* B's message no. 1 to A with text `body`, put into A's journal (A
 * stopped) as it was stored before control characters were refused. */
static void store_legacy(struct hnode *a, struct hnode *b, const char *body)
{
    char keys[700];
    snprintf(keys, sizeof keys, "%s/keys", b->dir);
    static struct hl_identity bid;
    assert_int_equal(hl_identity_load(keys, &bid), 0);
    static struct hl_msg m;
    static uint8_t raw[HL_MSG_MAX_LEN];
    hl_msg_init(&m, HL_T_FREE_TEXT);
    char shape[256];
    memset(shape, 'x', strlen(body));
    shape[strlen(body)] = 0;
    assert_int_equal(hl_msg_add_str(&m, "body", shape), 0);
    memcpy(m.text + hl_msg_field(&m, "body")->s_off, body, strlen(body));
    snprintf(m.sender, sizeof m.sender, "%s", b->name);
    snprintf(m.receiver, sizeof m.receiver, "%s", a->name);
    m.seq = 1;
    m.created_utc_ms = 1795305600000LL;
    assert_int_equal(hl_msg_sign(&m, bid.sign_sk), 0);
    hl_identity_wipe(&bid);
    int n = hl_msg_encode(&m, raw, sizeof raw);
    assert_true(n > 0);
    uint8_t hash[HL_HASH_LEN];
    hl_msg_hash_raw(raw, (size_t)n, hash);
    sqlite3 *db;
    assert_int_equal(sqlite3_open(a->journal, &db), SQLITE_OK);
    sqlite3_stmt *st;
    assert_int_equal(sqlite3_prepare_v2(db,
                                        "INSERT INTO messages(dir, peer, seq, hash, prev_hash, "
                                        "created_ms, stored_ms, type, case_id, raw) "
                                        "VALUES(?,?,1,?,?,?,?,'FREE_TEXT','',?)",
                                        -1, &st, NULL),
                     SQLITE_OK);
    sqlite3_bind_int(st, 1, HL_DIR_IN);
    sqlite3_bind_text(st, 2, b->name, -1, SQLITE_STATIC);
    sqlite3_bind_blob(st, 3, hash, HL_HASH_LEN, SQLITE_STATIC);
    sqlite3_bind_blob(st, 4, m.prev_hash, HL_HASH_LEN, SQLITE_STATIC);
    sqlite3_bind_int64(st, 5, m.created_utc_ms);
    sqlite3_bind_int64(st, 6, m.created_utc_ms);
    sqlite3_bind_blob(st, 7, raw, n, SQLITE_STATIC);
    assert_int_equal(sqlite3_step(st), SQLITE_DONE);
    sqlite3_finalize(st);
    sqlite3_close(db);
}

static void assert_no_byte(const char *out, int c)
{
    if (strchr(out, c))
        fail_msg("byte 0x%02x reached the terminal in:\n%s", c, out);
}

static void test_cli_escapes_peer_text(void **state)
{
    (void)state;
    struct hnode *a = &H.n[0], *b = &H.n[1];
    store_legacy(a, b, "x\x1b]0;pwned\x07\x1b[2Jy\rz \xe2\x80\xae txt\nline 2");
    assert_int_equal(hh_start(a), 0);
    static char out[65536];
    assert_int_equal(
        hh_cli(out, sizeof out, "msg list --socket %s --in --peer %s", a->sock, b->name), 0);
    fprintf(stderr, "msg list:\n%s", out);
    assert_no_byte(out, 0x1b);
    assert_no_byte(out, 0x07);
    assert_no_byte(out, '\r');
    assert_null(strstr(out, "\xe2\x80\xae"));
    assert_non_null(strstr(out, "x\\x1b]0;pwned\\x07\\x1b[2Jy\\rz \\u202e txt\n    line 2"));
    assert_int_equal(
        hh_cli(out, sizeof out, "msg show --socket %s --in --peer %s --seq 1", a->sock, b->name),
        0);
    assert_no_byte(out, 0x1b);
    assert_no_byte(out, '\r');
    assert_non_null(strstr(out, "\\x1b[2Jy\\rz"));
    assert_int_equal(hh_cli(out, sizeof out, "msg list --socket %s --in --json", a->sock), 0);
    assert_no_byte(out, 0x1b);
    assert_non_null(strstr(out, "\\u001b[2J"));
    assert_non_null(strstr(out, "\\u202e"));
    assert_int_equal(hh_stop(a, SIGTERM), 0);
    PASSED++;
}

/* The cairn binary: the tests' fault injection (hl_cli_main.c) is not in
 * it, neither as a control op nor as a configuration key. */
static void test_production_has_no_test_hook(void **state)
{
    (void)state;
    const char *names[] = {"RIGA-CC"};
    assert_int_equal(hh_setup(&P, 1, names), 0);
    struct hnode *n = &P.n[0];
    char out[4096];
    /* The tests' binary has the op (so the check below is not vacuous). */
    assert_int_equal(hh_start(n), 0);
    assert_int_equal(hh_clock_advance(n, 1000), 0);
    raw_call(n, "{\"op\":\"clock_advance\",\"ms\":-1}", out, sizeof out);
    assert_non_null(strstr(out, "\"ok\":false"));
    assert_int_equal(hh_stop(n, SIGTERM), 0);
    assert_int_equal(hh_log_count(n, "clock moved forward by 1000 ms"), 1);

    n->bin = CAIRN_PROD_BIN;
    assert_int_equal(hh_start(n), 0);
    raw_call(n, "{\"op\":\"clock_advance\",\"ms\":1000}", out, sizeof out);
    fprintf(stderr, "cairn, clock_advance: %s\n", out);
    assert_non_null(strstr(out, "\"ok\":false"));
    assert_non_null(strstr(out, "unknown op"));
    assert_int_equal(hh_stop(n, SIGTERM), 0);
    assert_int_equal(hh_log_count(n, "clock moved forward"), 1); /* only the one above */

    static const char *const keys[] = {"test_clock = 1", "journal_max_pages = 100"};
    static const char *const why[] = {"unknown key 'test_clock'",
                                      "unknown key 'journal_max_pages'"};
    for (size_t i = 0; i < 2; i++) {
        snprintf(n->extra_ini, sizeof n->extra_ini, "%s\n", keys[i]);
        assert_int_equal(hh_write_ini(&P, n), 0);
        assert_refused(n, why[i], NULL);
    }
    PASSED_P = 1;
}

static int teardown(void **state)
{
    (void)state;
    hh_teardown(&H, PASSED == 2);
    if (P.count)
        hh_teardown(&P, PASSED_P);
    return 0;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_files_and_keys),
        cmocka_unit_test(test_cli_escapes_peer_text),
        cmocka_unit_test(test_production_has_no_test_hook),
    };
    return cmocka_run_group_tests(tests, NULL, teardown);
}
