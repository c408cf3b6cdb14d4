/*
 * test_hl_cases.c — cases and deadlines on a fake clock: open on a
 * request, close by the reply with the same case id (on both sides), go
 * overdue exactly once with the escalation hook, a counter and a log line;
 * replies after the deadline close the case as late; deadlines from a field
 * (observer invitation) and configured (link check); a clock skewed by
 * hours on either side; renegade alerts closed by an operator's
 * acknowledgement; late activity notices.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "base/clock.h"
#include "base/error.h"
#include "hl_fixture.h"
#include "hotline/cases.h"

#define H (3600 * 1000LL)

static struct hl_msg m;

struct esc {
    int n;
    char last[HL_CASE_MAX + 1];
};

static void on_escalate(void *ctx, const struct hl_case *c)
{
    struct esc *e = ctx;
    e->n++;
    snprintf(e->last, sizeof e->last, "%s", c->case_id);
}

static void request(struct hl_journal *from, struct hl_journal *to, enum hl_type t,
                    const char *peer, int64_t t_send, int64_t t_recv)
{
    struct hl_receipt r;
    assert_int_equal(fx_full_msg(&m, t, peer, false, t_send + 10 * 24 * H), 0);
    assert_int_equal(fx_deliver(from, to, &m, t_send, t_recv, &r), 0);
}

static void reply(struct hl_journal *from, struct hl_journal *to, enum hl_type t, const char *peer,
                  const char *case_id, int64_t t_send, int64_t t_recv)
{
    struct hl_receipt r;
    assert_int_equal(fx_full_msg(&m, t, peer, false, t_send), 0);
    hl_msg_set_case(&m, case_id);
    assert_int_equal(fx_deliver(from, to, &m, t_send, t_recv, &r), 0);
}

static void test_explanation_48h(void **state)
{
    (void)state;
    struct fx f;
    assert_int_equal(fx_setup(&f), 0);
    struct cairn_clock clk;
    clock_fake_init(&clk, FX_T0);
    struct esc ea = {0, ""}, eb = {0, ""};
    hl_cases_set_escalation(f.ja, on_escalate, &ea);
    hl_cases_set_escalation(f.jb, on_escalate, &eb);
    /* B (Moscow) asks A (Warsaw) to explain a snap exercise */
    request(f.jb, f.ja, HL_T_EXPLANATION_REQUEST, "WARSAW-CC", clock_now_ms(&clk),
            clock_now_ms(&clk) + 1000);
    char cid[HL_CASE_MAX + 1];
    snprintf(cid, sizeof cid, "%s", m.case_id);
    assert_string_equal(cid, "MOSCOW-CC/1");
    struct hl_case ca, cb;
    assert_int_equal(hl_cases_get(f.ja, cid, &ca), 0);
    assert_int_equal(hl_cases_get(f.jb, cid, &cb), 0);
    assert_int_equal(ca.state, HL_CASE_OPEN);
    assert_int_equal(ca.opened_dir, HL_DIR_IN);
    assert_int_equal(cb.opened_dir, HL_DIR_OUT);
    assert_true(ca.due_utc_ms == FX_T0 + 48 * H);
    assert_true(cb.due_utc_ms == FX_T0 + 48 * H);
    assert_int_equal(ca.reply, HL_T_EXPLANATION);
    /* 47 h: nothing overdue */
    clk.fake_ms = FX_T0 + 47 * H;
    assert_int_equal(hl_cases_check(f.ja, clock_now_ms(&clk)), 0);
    assert_int_equal(hl_cases_check(f.jb, clock_now_ms(&clk)), 0);
    /* A answers at 47 h: closed on both sides, not late */
    reply(f.ja, f.jb, HL_T_EXPLANATION, "MOSCOW-CC", cid, clock_now_ms(&clk),
          clock_now_ms(&clk) + 500);
    assert_int_equal(hl_cases_get(f.ja, cid, &ca), 0);
    assert_int_equal(hl_cases_get(f.jb, cid, &cb), 0);
    assert_int_equal(ca.state, HL_CASE_CLOSED);
    assert_int_equal(cb.state, HL_CASE_CLOSED);
    assert_false(cb.late);
    assert_true(cb.closed_seq == 1 && cb.closed_dir == HL_DIR_IN);
    clk.fake_ms = FX_T0 + 100 * H;
    assert_int_equal(hl_cases_check(f.jb, clock_now_ms(&clk)), 0);
    assert_int_equal(ea.n + eb.n, 0);
    assert_true(hl_journal_stats(f.jb)->cases_closed == 1);
    fx_teardown(&f);
}

static void test_overdue_once_then_late_reply(void **state)
{
    (void)state;
    struct fx f;
    assert_int_equal(fx_setup(&f), 0);
    struct esc ea = {0, ""}, eb = {0, ""};
    hl_cases_set_escalation(f.ja, on_escalate, &ea);
    hl_cases_set_escalation(f.jb, on_escalate, &eb);
    request(f.ja, f.jb, HL_T_TRACK_QUERY, "MOSCOW-CC", FX_T0, FX_T0);
    char cid[HL_CASE_MAX + 1];
    snprintf(cid, sizeof cid, "%s", m.case_id);
    assert_int_equal(hl_cases_check(f.ja, FX_T0 + H), 0); /* due exactly now: not yet */
    assert_int_equal(hl_cases_check(f.ja, FX_T0 + H + 1), 1);
    assert_int_equal(hl_cases_check(f.jb, FX_T0 + H + 1), 1);
    assert_int_equal(ea.n, 1);
    assert_string_equal(ea.last, cid);
    assert_int_equal(eb.n, 1);
    /* exactly once, also across a restart */
    assert_int_equal(hl_cases_check(f.ja, FX_T0 + 2 * H), 0);
    hl_journal_close(f.ja);
    assert_int_equal(hl_journal_open(f.path_a, &f.a, &f.roster, &f.ja), 0);
    assert_int_equal(hl_cases_check(f.ja, FX_T0 + 3 * H), 0);
    struct hl_case c;
    assert_int_equal(hl_cases_get(f.ja, cid, &c), 0);
    assert_int_equal(c.state, HL_CASE_OVERDUE);
    assert_true(c.escalated_utc_ms == FX_T0 + H + 1);
    assert_true(hl_journal_stats(f.jb)->cases_overdue == 1);
    /* the late reply closes it, marked late */
    reply(f.jb, f.ja, HL_T_TRACK_REPLY, "WARSAW-CC", cid, FX_T0 + 3 * H, FX_T0 + 3 * H);
    assert_int_equal(hl_cases_get(f.ja, cid, &c), 0);
    assert_int_equal(c.state, HL_CASE_CLOSED);
    assert_true(c.late);
    fx_teardown(&f);
}

static int list_nop(void *ctx, const struct hl_case *c)
{
    (void)c;
    (*(int *)ctx)++;
    return 0;
}

static void test_reply_wrong_type_or_side_does_not_close(void **state)
{
    (void)state;
    struct fx f;
    assert_int_equal(fx_setup(&f), 0);
    request(f.ja, f.jb, HL_T_CLARIFICATION_REQUEST, "MOSCOW-CC", FX_T0, FX_T0);
    char cid[HL_CASE_MAX + 1];
    snprintf(cid, sizeof cid, "%s", m.case_id);
    /* a reply of another type with the same case id */
    reply(f.jb, f.ja, HL_T_EXPLANATION, "WARSAW-CC", cid, FX_T0 + 1, FX_T0 + 1);
    /* the requester itself sending the reply type does not close its own request */
    reply(f.ja, f.jb, HL_T_CLARIFICATION, "MOSCOW-CC", cid, FX_T0 + 2, FX_T0 + 2);
    struct hl_case c;
    assert_int_equal(hl_cases_get(f.ja, cid, &c), 0);
    assert_int_equal(c.state, HL_CASE_OPEN);
    assert_true(c.due_utc_ms == FX_T0 + 24 * H);
    reply(f.jb, f.ja, HL_T_CLARIFICATION, "WARSAW-CC", cid, FX_T0 + 3, FX_T0 + 3);
    assert_int_equal(hl_cases_get(f.ja, cid, &c), 0);
    assert_int_equal(c.state, HL_CASE_CLOSED);
    int n = 0;
    assert_int_equal(hl_cases_list(f.ja, -1, list_nop, &n), 1);
    assert_int_equal(n, 1);
    n = 0;
    assert_int_equal(hl_cases_list(f.ja, HL_CASE_OPEN, list_nop, &n), 0);
    assert_int_equal(hl_cases_get(f.ja, "nope", &c), CAIRN_E_NOTFOUND);
    fx_teardown(&f);
}

/* Time is the sender's stated time bounded by the receiver's receive time;
 * order is by sequence numbers. */
static void test_clock_skew(void **state)
{
    (void)state;
    struct fx f;
    assert_int_equal(fx_setup(&f), 0);
    struct cairn_clock ca, cb;
    clock_fake_init(&ca, FX_T0 + 3 * H); /* Warsaw's clock runs 3 h fast */
    clock_fake_init(&cb, FX_T0);
    request(f.ja, f.jb, HL_T_EXPLANATION_REQUEST, "MOSCOW-CC", clock_now_ms(&ca),
            clock_now_ms(&cb));
    struct hl_case c;
    char cid[HL_CASE_MAX + 1];
    snprintf(cid, sizeof cid, "%s", m.case_id);
    assert_int_equal(hl_cases_get(f.jb, cid, &c), 0);
    /* B's deadline is from its receive time: the fast clock grants nothing */
    assert_true(c.due_utc_ms == FX_T0 + 48 * H);
    assert_true(c.opened_utc_ms == FX_T0);
    assert_int_equal(hl_cases_get(f.ja, cid, &c), 0);
    assert_true(c.due_utc_ms == FX_T0 + 51 * H); /* A's own clock: differs by the skew only */
    /* B replies at its t0+1h, which is "before" A's request by A's clock:
     * ordering is by seq, so the reply still closes the case */
    reply(f.jb, f.ja, HL_T_EXPLANATION, "WARSAW-CC", cid, FX_T0 + H, clock_now_ms(&ca) + H);
    assert_int_equal(hl_cases_get(f.ja, cid, &c), 0);
    assert_int_equal(c.state, HL_CASE_CLOSED);
    assert_int_equal(hl_cases_get(f.jb, cid, &c), 0);
    assert_int_equal(c.state, HL_CASE_CLOSED);

    /* Warsaw's clock 3 h slow: the deadline at B is 3 h earlier at most */
    clock_fake_init(&ca, FX_T0 + 10 * H - 3 * H);
    clock_fake_init(&cb, FX_T0 + 10 * H);
    request(f.ja, f.jb, HL_T_MEETING_REQUEST, "MOSCOW-CC", clock_now_ms(&ca), clock_now_ms(&cb));
    snprintf(cid, sizeof cid, "%s", m.case_id);
    assert_int_equal(hl_cases_get(f.jb, cid, &c), 0);
    assert_true(c.due_utc_ms == FX_T0 + 7 * H + 48 * H);
    assert_int_equal(hl_cases_check(f.jb, FX_T0 + 55 * H - 1), 0);
    assert_int_equal(hl_cases_check(f.jb, FX_T0 + 55 * H + 1), 1);
    fx_teardown(&f);
}

static void test_observer_deadline_from_field_and_config(void **state)
{
    (void)state;
    struct fx f;
    assert_int_equal(fx_setup(&f), 0);
    struct hl_receipt r;
    assert_int_equal(fx_full_msg(&m, HL_T_OBSERVER_INVITATION, "MOSCOW-CC", true, FX_T0), 0);
    hl_msg_add_int(&m, "reply_by", FX_T0 + 20 * 24 * H);
    assert_int_equal(fx_deliver(f.ja, f.jb, &m, FX_T0, FX_T0, &r), 0);
    struct hl_case c;
    assert_int_equal(hl_cases_get(f.jb, m.case_id, &c), 0);
    assert_true(c.due_utc_ms == FX_T0 + 20 * 24 * H);
    assert_int_equal(c.reply, HL_T_OBSERVER_RESPONSE);
    /* LINK_CHECK: minutes, configurable */
    hl_journal_set_deadline(f.ja, HL_T_LINK_CHECK, 90 * 1000);
    assert_true(hl_journal_deadline(f.ja, HL_T_LINK_CHECK) == 90 * 1000);
    assert_true(hl_journal_deadline(f.jb, HL_T_LINK_CHECK) == 5 * 60 * 1000);
    request(f.ja, f.jb, HL_T_LINK_CHECK, "MOSCOW-CC", FX_T0, FX_T0);
    assert_int_equal(hl_cases_get(f.ja, m.case_id, &c), 0);
    assert_true(c.due_utc_ms == FX_T0 + 90 * 1000);
    assert_int_equal(hl_cases_check(f.ja, FX_T0 + 91 * 1000), 1);
    hl_journal_set_deadline(f.ja, HL_T_LINK_CHECK, 0);
    assert_true(hl_journal_deadline(f.ja, HL_T_LINK_CHECK) == 5 * 60 * 1000);
    fx_teardown(&f);
}

struct grab {
    size_t len;
    uint8_t raw[HL_MSG_MAX_LEN];
};

static int grab_cb(void *ctx, uint64_t seq, const uint8_t *raw, size_t len)
{
    (void)seq;
    struct grab *g = ctx;
    memcpy(g->raw, raw, len);
    g->len = len;
    return 1;
}

static void test_renegade_closed_by_operator_ack(void **state)
{
    (void)state;
    struct fx f;
    assert_int_equal(fx_setup(&f), 0);
    request(f.ja, f.jb, HL_T_RENEGADE_ALERT, "MOSCOW-CC", FX_T0, FX_T0 + 200);
    char cid[HL_CASE_MAX + 1];
    snprintf(cid, sizeof cid, "%s", m.case_id);
    struct hl_case c;
    assert_int_equal(hl_cases_get(f.jb, cid, &c), 0);
    assert_true(c.due_utc_ms == FX_T0 + 2 * 60 * 1000);
    /* B's duty officer reads it after 40 s */
    int64_t ack = hl_journal_ack_operator(f.jb, "WARSAW-CC", 1, "дежурный Иванов", FX_T0 + 40000);
    assert_true(ack == 1);
    assert_int_equal(hl_cases_get(f.jb, cid, &c), 0);
    assert_int_equal(c.state, HL_CASE_CLOSED);
    struct grab g;
    assert_int_equal(hl_journal_unreceipted(f.jb, "WARSAW-CC", 0, 0, grab_cb, &g), 1);
    struct hl_receipt r;
    assert_int_equal(hl_journal_accept_incoming(f.ja, g.raw, g.len, FX_T0 + 41000, &r, NULL), 0);
    assert_int_equal(hl_cases_get(f.ja, cid, &c), 0);
    assert_int_equal(c.state, HL_CASE_CLOSED);
    assert_false(c.late);
    /* an update of the alert (category raised) reopens the case for a new ack */
    assert_int_equal(fx_full_msg(&m, HL_T_RENEGADE_ALERT, "MOSCOW-CC", false, FX_T0), 0);
    hl_msg_add_str(&m, "category", "PROBABLE");
    hl_msg_set_case(&m, cid);
    assert_int_equal(fx_deliver(f.ja, f.jb, &m, FX_T0 + 5 * 60000, FX_T0 + 5 * 60000, &r), 0);
    assert_int_equal(hl_cases_get(f.jb, cid, &c), 0);
    assert_int_equal(c.state, HL_CASE_OPEN);
    assert_true(c.open_seq == 2);
    assert_int_equal(hl_cases_check(f.jb, FX_T0 + 8 * 60000), 1);
    fx_teardown(&f);
}

static void test_late_activity_notice(void **state)
{
    (void)state;
    struct fx f;
    assert_int_equal(fx_setup(&f), 0);
    struct hl_receipt r;
    assert_int_equal(fx_full_msg(&m, HL_T_ACTIVITY_NOTICE, "MOSCOW-CC", true, FX_T0 + 24 * H), 0);
    assert_int_equal(fx_deliver(f.ja, f.jb, &m, FX_T0, FX_T0, &r), 0); /* 1 day ahead: late */
    assert_true(hl_journal_stats(f.jb)->late_notices == 1);
    assert_int_equal(fx_full_msg(&m, HL_T_ACTIVITY_NOTICE, "MOSCOW-CC", true, FX_T0 + 96 * H), 0);
    assert_int_equal(fx_deliver(f.ja, f.jb, &m, FX_T0, FX_T0, &r), 0); /* 4 days: fine */
    assert_true(hl_journal_stats(f.jb)->late_notices == 1);
    fx_teardown(&f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_explanation_48h),
        cmocka_unit_test(test_overdue_once_then_late_reply),
        cmocka_unit_test(test_reply_wrong_type_or_side_does_not_close),
        cmocka_unit_test(test_clock_skew),
        cmocka_unit_test(test_observer_deadline_from_field_and_config),
        cmocka_unit_test(test_renegade_closed_by_operator_ack),
        cmocka_unit_test(test_late_activity_notice),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
