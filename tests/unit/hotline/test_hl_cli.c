/*
 * test_hl_cli.c — `cairn keygen` and `cairn audit verify` end to end: two
 * centres made by the real binary, their roster sections joined into a
 * roster, journals filled through the library with those keys, verified by
 * the binary, then tampered with and verified again (exit 1, the first bad
 * row named).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <sqlite3.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "base/error.h"
#include "hl_fixture.h"

static char dir[64];

/* Run a shell command; returns its exit status, its stdout in out. */
static int run(char *out, size_t cap, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int run(char *out, size_t cap, const char *fmt, ...)
{
    char cmd[2048];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(cmd, sizeof cmd, fmt, ap);
    va_end(ap);
    FILE *p = popen(cmd, "r");
    assert_non_null(p);
    size_t n = fread(out, 1, cap - 1, p);
    out[n] = 0;
    int st = pclose(p);
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static void test_keygen_and_audit(void **state)
{
    (void)state;
    char out[8192], path[256];
    snprintf(dir, sizeof dir, "/tmp/hlcli.XXXXXX");
    assert_non_null(mkdtemp(dir));
    assert_int_equal(run(out, sizeof out,
                         "cd %s && %s keygen --centre WARSAW-CC --party NATO "
                         "--address 127.0.0.1:7441 2>/dev/null",
                         dir, CAIRN_BIN),
                     0);
    assert_non_null(strstr(out, "[WARSAW-CC]"));
    assert_non_null(strstr(out, "tls_fingerprint = "));
    static char roster[2 * sizeof out];
    memcpy(roster, out, strlen(out) + 1);
    assert_int_equal(run(out, sizeof out,
                         "%s keygen --centre MOSCOW-CC --party RU --dir %s/m "
                         "2>/dev/null",
                         CAIRN_BIN, dir),
                     0);
    strncat(roster, out, sizeof roster - strlen(roster) - 1);
    /* keys are never overwritten; bad usage is exit 2 */
    assert_int_equal(run(out, sizeof out,
                         "%s keygen --centre MOSCOW-CC --party RU --dir %s/m "
                         "2>/dev/null",
                         CAIRN_BIN, dir),
                     1);
    assert_int_equal(run(out, sizeof out, "%s keygen --party RU 2>/dev/null", CAIRN_BIN), 2);
    /* the key folder's roster.ini holds the address given, so rosters can
     * be made by joining these files; without --address it says HOST:PORT */
    {
        char ini[1024];
        snprintf(path, sizeof path, "%s/keys/WARSAW-CC/roster.ini", dir);
        FILE *f = fopen(path, "r");
        assert_non_null(f);
        size_t n = fread(ini, 1, sizeof ini - 1, f);
        ini[n] = 0;
        fclose(f);
        assert_non_null(strstr(ini, "address = 127.0.0.1:7441\n"));
        snprintf(path, sizeof path, "%s/m/roster.ini", dir);
        f = fopen(path, "r");
        assert_non_null(f);
        n = fread(ini, 1, sizeof ini - 1, f);
        ini[n] = 0;
        fclose(f);
        assert_non_null(strstr(ini, "address = HOST:PORT\n"));
    }
    /* --journal creates the (empty, sealed) journal too, and never over an existing one */
    assert_int_equal(run(out, sizeof out,
                         "%s keygen --centre KIEV-CC --party UA --dir %s/k --journal %s/k.db "
                         "2>/dev/null",
                         CAIRN_BIN, dir, dir),
                     0);
    assert_int_equal(run(out, sizeof out, "%s audit verify %s/k.db --roster %s/k/roster.ini",
                         CAIRN_BIN, dir, dir),
                     0);
    assert_int_equal(run(out, sizeof out,
                         "%s keygen --centre RIGA-CC --party NATO --dir %s/r --journal %s/k.db "
                         "2>/dev/null",
                         CAIRN_BIN, dir, dir),
                     1);
    snprintf(path, sizeof path, "%s/r", dir);
    assert_int_equal(access(path, F_OK), -1); /* refused before any key was made */
    struct stat st;
    snprintf(path, sizeof path, "%s/keys/WARSAW-CC/sign.key", dir);
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0600);

    snprintf(path, sizeof path, "%s/roster.ini", dir);
    FILE *fp = fopen(path, "w");
    assert_non_null(fp);
    fputs(roster, fp);
    fclose(fp);
    struct hl_roster r;
    int line;
    assert_int_equal(hl_roster_load(path, &r, &line), 0);
    assert_int_equal(r.n, 2);

    struct hl_identity a, b;
    char kd[256];
    snprintf(kd, sizeof kd, "%s/keys/WARSAW-CC", dir);
    assert_int_equal(hl_identity_load(kd, &a), 0);
    snprintf(kd, sizeof kd, "%s/m", dir);
    assert_int_equal(hl_identity_load(kd, &b), 0);
    char ja_path[256], jb_path[256];
    snprintf(ja_path, sizeof ja_path, "%s/a.db", dir);
    snprintf(jb_path, sizeof jb_path, "%s/b.db", dir);
    struct hl_journal *ja, *jb;
    assert_int_equal(hl_journal_open(ja_path, &a, &r, &ja), 0);
    assert_int_equal(hl_journal_open(jb_path, &b, &r, &jb), 0);
    static struct hl_msg m;
    struct hl_receipt rc;
    for (int i = 0; i < 5; i++) {
        fx_free_text(&m, "MOSCOW-CC", "через cairn keygen");
        assert_int_equal(fx_deliver(ja, jb, &m, FX_T0 + i, FX_T0 + i, &rc), 0);
    }
    hl_journal_close(ja);
    hl_journal_close(jb);
    assert_int_equal(
        run(out, sizeof out, "%s audit verify --journal %s --roster %s", CAIRN_BIN, ja_path, path),
        0);
    assert_non_null(strstr(out, "ok: 5 messages, 5 receipts"));
    assert_int_equal(
        run(out, sizeof out, "%s audit verify %s --roster %s", CAIRN_BIN, jb_path, path), 0);
    /* without the roster the peer's signatures cannot be checked */
    assert_int_equal(run(out, sizeof out, "%s audit verify %s", CAIRN_BIN, jb_path), 1);
    assert_non_null(strstr(out, "not on the roster"));

    /* tamper: message 4's text */
    sqlite3 *db;
    assert_int_equal(sqlite3_open(ja_path, &db), SQLITE_OK);
    assert_int_equal(sqlite3_exec(db,
                                  "UPDATE messages SET raw = CAST(replace(CAST(raw AS TEXT), "
                                  "'cairn', 'CAIRN') AS BLOB) WHERE seq=4",
                                  NULL, NULL, NULL),
                     SQLITE_OK);
    sqlite3_close(db);
    assert_int_equal(
        run(out, sizeof out, "%s audit verify --journal %s --roster %s", CAIRN_BIN, ja_path, path),
        1);
    print_message("%s", out);
    assert_non_null(strstr(out, "FAILED at table messages, to MOSCOW-CC, seq 4: signature"));
    assert_int_equal(run(out, sizeof out, "%s audit 2>/dev/null", CAIRN_BIN), 2);
    hl_identity_wipe(&a);
    hl_identity_wipe(&b);
    snprintf(kd, sizeof kd, "rm -rf '%s'", dir);
    assert_int_equal(system(kd), 0);
}

/* `cairn msg types` prints the catalogue the centre enforces, offline. */
static void test_msg_types(void **state)
{
    (void)state;
    static char out[65536];
    assert_int_equal(run(out, sizeof out, "%s msg types", CAIRN_BIN), 0);
    assert_non_null(strstr(out, "EXPLANATION_REQUEST"));
    assert_non_null(strstr(out, "reply EXPLANATION due within 48 h"));
    assert_non_null(strstr(out, "MEETING_REQUEST"));
    assert_int_equal(run(out, sizeof out, "%s msg types RENEGADE_ALERT --lang ru", CAIRN_BIN), 0);
    assert_non_null(strstr(out, "COMLOSS|SUSPECTED|PROBABLE|CONFIRMED"));
    assert_non_null(strstr(out, "Категория"));
    assert_int_not_equal(run(out, sizeof out, "%s msg types NO_SUCH_TYPE 2>&1", CAIRN_BIN), 0);
    assert_non_null(strstr(out, "unknown type"));
}

/* An operator's command line: a field given twice is refused before
 * anything is sent (no daemon needed to see it). */
static void test_msg_repeated_field(void **state)
{
    (void)state;
    char out[4096];
    assert_int_equal(run(out, sizeof out,
                         "%s msg send --socket /nonexistent.sock --to WARSAW-CC --type FREE_TEXT "
                         "--field body=first --field subject=s --field body=second 2>&1",
                         CAIRN_BIN),
                     2);
    assert_non_null(strstr(out, "--field body given twice"));
    /* distinct fields pass the parser (and then find no daemon: exit 1) */
    assert_int_equal(run(out, sizeof out,
                         "%s msg send --socket /nonexistent.sock --to WARSAW-CC --type FREE_TEXT "
                         "--field body=first --field bodyx=s 2>&1",
                         CAIRN_BIN),
                     1);
    assert_non_null(strstr(out, "cannot reach the hotline daemon"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_keygen_and_audit),
        cmocka_unit_test(test_msg_types),
        cmocka_unit_test(test_msg_repeated_field),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
