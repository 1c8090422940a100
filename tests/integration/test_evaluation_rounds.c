/* Integration: the evaluation rounds of 26/2026/QĐ-TTg Art. 5, on one shard owning every
 * province.
 *   - Province A declares round 1 of 2026: the policy's statutory dates (cut-off 30 April,
 *     deadline 30 June); a differing date is refused; an extra round 3 is accepted with its own
 *     dates; a second round 1 is refused; the central level's round 1 takes its own dates.
 *   - A session of round 1 (dated 15 June 2026) refuses a dossier filed on 10 May, after the
 *     cut-off, naming Art. 5 and the next round; one filed on 20 April is accepted (it finishes
 *     under 1489's rules, Art. 12.2, so the product is one of 148's catalogue). A round of another
 *     level is refused. A session of round 3 held after its deadline is accepted.
 *   - The calendar of 2026 lists the rounds with their sessions and warns: round 1's deadline has
 *     passed with its session still open, round 3 had a session after its deadline, the central
 *     level declared one round of two. Province B has no round in 2027: fewer than 2.
 *   - Through the gateway: a province officer declares its own province's rounds, not another's
 *     nor the ministry's
 *     (403); a central officer declares the central level's; anyone reads the calendar.
 *   - Every refusal leaves the shard's event sequence unchanged. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "harness_eval.h"
#include "itest_assert.h"
#include "ocop_users.h"

#define S_ST(x) OCOP__STATUS__STATUS_##x
#define S_PROVINCE OCOP__EVAL_LEVEL__EVAL_LEVEL_PROVINCE
#define S_CENTRAL OCOP__EVAL_LEVEL__EVAL_LEVEL_CENTRAL
#define S_N 4 /* 0, 2, 3: 26/2026's catalogue; 1: 148's */

static struct {
    harness_t *h;
    harness_data_t data;
    char provinces[1024];
    harness_ready_t p[S_N];
    char province[16]; /* province A, where the products are */
    char council[32];
    char round1[32], round2[32], round3[32], central1[32];
    char session1[32], session3[32];
} W;

static ocop_client_t *s_c(void)
{
    return W.h->shard[0].client;
}

static int s_setup(void **state)
{
    (void)state;
    char rules[HARNESS_PATH_MAX];
    harness_rules_dir("registration", rules, sizeof rules);
    char(*codes)[16];
    size_t n;
    if (harness_data_load(rules, &W.data) != 0 || harness_provinces(rules, "2025", &codes, &n) != 0)
        return -1;
    for (size_t i = 0; i < n; i++) {
        size_t len = strlen(W.provinces);
        snprintf(W.provinces + len, sizeof W.provinces - len, "%s%s", i ? "," : "", codes[i]);
    }
    free(codes);
    for (unsigned k = 0; k < S_N; k++) {
        snprintf(W.p[k].commune, sizeof W.p[k].commune, "%s", W.data.communes[k % 3]);
        snprintf(W.p[k].catalogue, sizeof W.p[k].catalogue, "%s", k == 1 ? "148" : W.data.catalogue_version);
        snprintf(W.p[k].sector, sizeof W.p[k].sector, "%s", W.data.sector);
        snprintf(W.p[k].product_set, sizeof W.p[k].product_set, "%s", W.data.product_set);
    }
    harness_options_t opts = {.shards = 1, .shard_provinces = {W.provinces}, .gateway = 1};
    W.h = harness_deploy(&opts);
    return W.h ? 0 : -1;
}

static int s_teardown(void **state)
{
    (void)state;
    harness_destroy(&W.h);
    return 0;
}

static Ocop__Reply *s_call(Ocop__Request *req)
{
    Ocop__Reply *r;
    assert_int_equal(harness_call(s_c(), req, &r), 0);
    return r;
}

static Ocop__Reply *s_round_open(Ocop__EvalLevel level, const char *province, unsigned year, unsigned number,
                                 const char *cutoff, const char *deadline)
{
    Ocop__EvalRoundOpen body = OCOP__EVAL_ROUND_OPEN__INIT;
    body.level = level;
    body.province_code = (char *)province;
    body.year = year;
    body.number = number;
    body.cutoff = (char *)cutoff;
    body.deadline = (char *)deadline;
    Ocop__Request req = OCOP__REQUEST__INIT;
    req.body_case = OCOP__REQUEST__BODY_EVAL_ROUND_OPEN;
    req.eval_round_open = &body;
    return s_call(&req);
}

static Ocop__Reply *s_calendar(const char *province, unsigned year)
{
    Ocop__EvalRoundCalendarGet body = OCOP__EVAL_ROUND_CALENDAR_GET__INIT;
    body.province_code = (char *)province;
    body.year = year;
    Ocop__Request req = OCOP__REQUEST__INIT;
    req.body_case = OCOP__REQUEST__BODY_EVAL_ROUND_CALENDAR_GET;
    req.eval_round_calendar_get = &body;
    return s_call(&req);
}

/* Opens (not starts) a session of round_id for product k, its first dossier filed on filed. */
static Ocop__Reply *s_open(const char *round_id, const char *date, unsigned k, const char *filed)
{
    Ocop__EvalDossier d = OCOP__EVAL_DOSSIER__INIT, *ds[] = {&d};
    d.product_id = W.p[k].product_id;
    d.kind = OCOP__DOSSIER_KIND__DOSSIER_KIND_FIRST;
    d.filed = (char *)filed;
    char *ids[] = {W.p[k].product_id};
    Ocop__EvalSessionOpen body = OCOP__EVAL_SESSION_OPEN__INIT;
    body.council_id = W.council;
    body.date = (char *)date;
    body.product_ids = ids;
    body.n_product_ids = 1;
    body.dossiers = ds;
    body.n_dossiers = 1;
    body.round_id = (char *)round_id;
    Ocop__Request req = OCOP__REQUEST__INIT;
    req.body_case = OCOP__REQUEST__BODY_EVAL_SESSION_OPEN;
    req.eval_session_open = &body;
    return s_call(&req);
}

/* The reply is the refusal expected and the shard published nothing. */
static void s_refused(Ocop__Reply *r, int64_t seq, int status, const char *field, const char *says)
{
    ITEST_ASSERT_ERROR(r, status, field);
    if (says && !strstr(r->message, says))
        fail_msg("'%s' does not say '%s'", r->message, says);
    assert_int_equal(harness_shard_last_sequence(W.h, 0), seq);
}

static bool s_has_warning(const Ocop__EvalRoundCalendar *cal, const char *a, const char *b)
{
    for (size_t i = 0; i < cal->n_warnings; i++)
        if (strstr(cal->warnings[i], a) && (!b || strstr(cal->warnings[i], b)))
            return true;
    return false;
}

static void test_make_ready(void **state)
{
    (void)state;
    size_t entity_of[S_N] = {0, 1, 2, 3};
    assert_int_equal(harness_make_ready(W.h->client, W.p, entity_of, S_N, 526), 0);
    for (unsigned k = 0; k < S_N; k++) {
        assert_int_equal(harness_shard_wait_product(W.h, 0, W.p[k].product_id), 0);
        Ocop__EvalAttest body = OCOP__EVAL_ATTEST__INIT;
        body.product_id = W.p[k].product_id;
        Ocop__Request req = OCOP__REQUEST__INIT;
        req.body_case = OCOP__REQUEST__BODY_EVAL_ATTEST;
        req.eval_attest = &body;
        Ocop__Reply *r = s_call(&req);
        ITEST_ASSERT_OK(r);
        ITEST_FREE(r);
    }
    snprintf(W.province, sizeof W.province, "%s", W.p[0].current_province);
    Ocop__Reply *r = harness_council_create(s_c(), S_PROVINCE, W.province, W.province, 3, 0);
    ITEST_ASSERT_OK(r);
    snprintf(W.council, sizeof W.council, "%s", r->eval_council->id);
    ITEST_FREE(r);
}

static void test_declare_rounds(void **state)
{
    (void)state;
    /* Statutory round 1: the policy's dates, given or left out. */
    Ocop__Reply *r = s_round_open(S_PROVINCE, W.province, 2026, 1, "", "2026-06-30");
    ITEST_ASSERT_OK(r);
    const Ocop__EvalRound *round = r->eval_round;
    assert_true(strncmp(round->id, "R1-", 3) == 0);
    assert_int_equal(round->level, S_PROVINCE);
    assert_string_equal(round->province_code, W.province);
    assert_int_equal(round->year, 2026);
    assert_int_equal(round->number, 1);
    assert_string_equal(round->cutoff, "2026-04-30");
    assert_string_equal(round->deadline, "2026-06-30");
    assert_true(round->statutory);
    assert_string_equal(round->policy, "26/2026/QĐ-TTg");
    assert_string_equal(round->article, "Art. 5");
    assert_true(round->opened_ms > 0);
    snprintf(W.round1, sizeof W.round1, "%s", round->id);
    ITEST_FREE(r);

    int64_t seq = harness_shard_last_sequence(W.h, 0);
    /* Round 2 may not move its dates; an extra round needs both; a round of another level. */
    r = s_round_open(S_PROVINCE, W.province, 2026, 2, "2026-11-15", "");
    s_refused(r, seq, S_ST(INVALID), "cutoff", "2026-10-30");
    assert_non_null(strstr(r->message, "Art. 5"));
    ITEST_FREE(r);
    r = s_round_open(S_PROVINCE, W.province, 2026, 2, "", "2026-12-31");
    s_refused(r, seq, S_ST(INVALID), "deadline", "2026-12-30");
    ITEST_FREE(r);
    r = s_round_open(S_PROVINCE, W.province, 2026, 3, "2026-08-31", "");
    s_refused(r, seq, S_ST(INVALID), "deadline", NULL);
    ITEST_FREE(r);
    r = s_round_open(S_PROVINCE, W.province, 2026, 3, "2026-09-30", "2026-08-31");
    s_refused(r, seq, S_ST(INVALID), "deadline", "not after the cutoff");
    ITEST_FREE(r);
    r = s_round_open(OCOP__EVAL_LEVEL__EVAL_LEVEL_COMMUNE, W.province, 2026, 1, "", "");
    s_refused(r, seq, S_ST(INVALID), "level", NULL);
    ITEST_FREE(r);
    /* A second round 1. */
    r = s_round_open(S_PROVINCE, W.province, 2026, 1, "", "");
    s_refused(r, seq, S_ST(CONFLICT), "number", W.round1);
    ITEST_FREE(r);

    r = s_round_open(S_PROVINCE, W.province, 2026, 3, "2026-08-31", "2026-09-30");
    ITEST_ASSERT_OK(r);
    assert_false(r->eval_round->statutory);
    assert_string_equal(r->eval_round->cutoff, "2026-08-31");
    assert_string_equal(r->eval_round->deadline, "2026-09-30");
    snprintf(W.round3, sizeof W.round3, "%s", r->eval_round->id);
    ITEST_FREE(r);
    assert_true(harness_shard_last_sequence(W.h, 0) > seq);
    r = s_round_open(S_PROVINCE, W.province, 2026, 2, "", "");
    ITEST_ASSERT_OK(r);
    assert_string_equal(r->eval_round->cutoff, "2026-10-30");
    assert_string_equal(r->eval_round->deadline, "2026-12-30");
    snprintf(W.round2, sizeof W.round2, "%s", r->eval_round->id);
    ITEST_FREE(r);
    /* The central level's round 1 for this province's products. */
    r = s_round_open(S_CENTRAL, W.province, 2026, 1, "", "");
    ITEST_ASSERT_OK(r);
    assert_string_equal(r->eval_round->cutoff, "2026-07-30");
    assert_string_equal(r->eval_round->deadline, "2026-09-30");
    snprintf(W.central1, sizeof W.central1, "%s", r->eval_round->id);
    ITEST_FREE(r);
}

static void test_sessions_in_rounds(void **state)
{
    (void)state;
    int64_t seq = harness_shard_last_sequence(W.h, 0);
    Ocop__Reply *r = s_open(W.round1, "2026-06-15", 0, "2026-05-10");
    s_refused(r, seq, S_ST(ILLEGAL_STATE), "product_ids[0]", "Art. 5");
    assert_non_null(strstr(r->message, "2026-04-30"));
    assert_non_null(strstr(r->message, "next round, round 3 of 2026")); /* the earliest cut-off after */
    ITEST_FREE(r);
    /* No dossier given: filed on the session's date, after the cut-off too. */
    {
        char *ids[] = {W.p[0].product_id};
        Ocop__EvalSessionOpen body = OCOP__EVAL_SESSION_OPEN__INIT;
        body.council_id = W.council;
        body.date = "2026-06-15";
        body.product_ids = ids;
        body.n_product_ids = 1;
        body.round_id = W.round1;
        Ocop__Request req = OCOP__REQUEST__INIT;
        req.body_case = OCOP__REQUEST__BODY_EVAL_SESSION_OPEN;
        req.eval_session_open = &body;
        r = s_call(&req);
        s_refused(r, seq, S_ST(ILLEGAL_STATE), "product_ids[0]", "filed on 2026-06-15");
        ITEST_FREE(r);
    }
    r = s_open(W.central1, "2026-06-15", 1, "2026-04-20");
    s_refused(r, seq, S_ST(INVALID), "round_id", "central round");
    ITEST_FREE(r);
    r = s_open("R1-999", "2026-06-15", 1, "2026-04-20");
    s_refused(r, seq, S_ST(NOT_FOUND), "round_id", NULL);
    ITEST_FREE(r);
    r = s_open("R7-1", "2026-06-15", 1, "2026-04-20");
    s_refused(r, seq, S_ST(WRONG_SHARD), "round_id", NULL);
    ITEST_FREE(r);

    /* Under 26/2026 a province council evaluates in rounds (Art. 5): a session names its round
     * (1489's sessions, in the other tests, need none). */
    r = s_open("", "2026-11-20", 0, "2026-10-01");
    s_refused(r, seq, S_ST(ILLEGAL_STATE), "round_id", "Art. 5");
    ITEST_FREE(r);

    /* Filed before 22 May 2026: it finishes under 1489 (Art. 12.2), in round 1. */
    r = s_open(W.round1, "2026-06-15", 1, "2026-04-20");
    ITEST_ASSERT_OK(r);
    assert_string_equal(r->eval_session->round_id, W.round1);
    assert_string_equal(r->eval_session->policy, "1489/QĐ-TTg");
    snprintf(W.session1, sizeof W.session1, "%s", r->eval_session->id);
    ITEST_FREE(r);
    r = harness_session_get(s_c(), W.session1);
    ITEST_ASSERT_OK(r);
    assert_string_equal(r->eval_session->round_id, W.round1);
    ITEST_FREE(r);
    /* Round 2 under 26/2026's rules; round 3's session after its deadline is accepted. */
    r = s_open(W.round2, "2026-11-20", 0, "2026-10-01");
    ITEST_ASSERT_OK(r);
    assert_string_equal(r->eval_session->policy, "26/2026/QĐ-TTg");
    ITEST_FREE(r);
    r = s_open(W.round3, "2026-10-05", 2, "2026-08-20");
    ITEST_ASSERT_OK(r);
    assert_string_equal(r->eval_session->round_id, W.round3);
    snprintf(W.session3, sizeof W.session3, "%s", r->eval_session->id);
    ITEST_FREE(r);
}

static void test_calendar(void **state)
{
    (void)state;
    Ocop__Reply *r = s_calendar(W.province, 2026);
    ITEST_ASSERT_OK(r);
    const Ocop__EvalRoundCalendar *cal = r->eval_round_calendar;
    for (size_t i = 0; i < cal->n_warnings; i++)
        print_message("warning: %s\n", cal->warnings[i]);
    assert_int_equal(cal->n_rounds, 4); /* province 1, 2, 3, then central 1 */
    const char *ids[] = {W.round1, W.round2, W.round3, W.central1};
    for (size_t i = 0; i < 4; i++)
        assert_string_equal(cal->rounds[i]->round->id, ids[i]);
    const Ocop__EvalRoundStatus *one = cal->rounds[0];
    assert_int_equal(one->n_sessions, 1);
    assert_string_equal(one->sessions[0]->session_id, W.session1);
    assert_string_equal(one->sessions[0]->date, "2026-06-15");
    assert_int_equal(one->sessions[0]->state, OCOP__SESSION_STATE__SESSION_STATE_OPEN);
    assert_int_equal(one->sessions[0]->products, 1);
    assert_false(one->sessions[0]->after_deadline);
    assert_int_equal(one->products, 1);
    assert_int_equal(one->closed_sessions, 0);
    assert_int_equal(cal->rounds[2]->n_sessions, 1);
    assert_true(cal->rounds[2]->sessions[0]->after_deadline);
    assert_int_equal(cal->rounds[3]->n_sessions, 0);
    /* Today is after 30 June 2026. */
    assert_true(strcmp(cal->today, "2026-06-30") > 0);
    assert_true(s_has_warning(cal, "province round 1", "2026-06-30 has passed with 1 session still open"));
    assert_true(s_has_warning(cal, W.session3, "after the round's deadline 2026-09-30"));
    assert_true(s_has_warning(cal, "central round 1", "no closed session"));
    assert_true(s_has_warning(cal, "central level: 1 round declared for 2026", "fewer than 2"));
    assert_false(s_has_warning(cal, "province level", NULL));
    ITEST_FREE(r);

    r = s_calendar(W.data.province_b, 2027);
    ITEST_ASSERT_OK(r);
    cal = r->eval_round_calendar;
    assert_int_equal(cal->n_rounds, 0);
    assert_true(s_has_warning(cal, "province level: 0 rounds declared for 2027", "fewer than 2"));
    assert_true(s_has_warning(cal, "central level: 0 rounds declared for 2027", "Art. 5"));
    ITEST_FREE(r);

    r = s_calendar("", 2026);
    ITEST_ASSERT_ERROR(r, S_ST(INVALID), "province_code");
    ITEST_FREE(r);
    r = s_calendar(W.province, 1900);
    ITEST_ASSERT_ERROR(r, S_ST(INVALID), "year");
    ITEST_FREE(r);
}

static void test_gateway(void **state)
{
    (void)state;
    char officer_a[OCOP_TOKEN_LEN + 1], officer_b[OCOP_TOKEN_LEN + 1], central[OCOP_TOKEN_LEN + 1];
    assert_int_equal(
        harness_gateway_user(W.h, "officer-a", "province_officer", W.province, NULL, NULL, NULL, NULL, officer_a), 0);
    assert_int_equal(harness_gateway_user(W.h, "officer-b", "province_officer", W.data.province_b, NULL, NULL, NULL,
                                          NULL, officer_b),
                     0);
    assert_int_equal(harness_gateway_user(W.h, "central", "central_officer", NULL, NULL, NULL, NULL, NULL, central), 0);
    /* Restarted so that it reads the new tokens now. */
    assert_int_equal(harness_gateway_stop(W.h), 0);
    assert_int_equal(harness_gateway_start(W.h), 0);
    char body[256], path[128];
    snprintf(body, sizeof body, "{\"level\": \"province\", \"province_code\": \"%s\", \"year\": 2028, \"number\": 1}",
             W.data.province_b);
    harness_http_t resp = {0};
    int64_t seq = harness_shard_last_sequence(W.h, 0);
    assert_int_equal(harness_http(W.h, "POST", "/v1/rounds", officer_a, body, &resp), 0);
    if (resp.status != 403)
        fail_msg("%ld %s", resp.status, resp.body);
    assert_int_equal(harness_http(W.h, "POST", "/v1/rounds", NULL, body, &resp), 0);
    assert_int_equal(resp.status, 401);
    assert_int_equal(harness_shard_last_sequence(W.h, 0), seq);
    assert_int_equal(harness_http(W.h, "POST", "/v1/rounds", officer_b, body, &resp), 0);
    if (resp.status != 201)
        fail_msg("%ld %s", resp.status, resp.body);
    assert_non_null(strstr(resp.body, "\"2028-04-30\""));
    snprintf(body, sizeof body, "{\"level\": \"central\", \"province_code\": \"%s\", \"year\": 2026, \"number\": 2}",
             W.province);
    /* The ministry's rounds are declared by the central officer only (Art. 5.2). */
    seq = harness_shard_last_sequence(W.h, 0);
    assert_int_equal(harness_http(W.h, "POST", "/v1/rounds", officer_a, body, &resp), 0);
    if (resp.status != 403 || !strstr(resp.body, "ministry's rounds"))
        fail_msg("%ld %s", resp.status, resp.body);
    assert_int_equal(harness_shard_last_sequence(W.h, 0), seq);
    assert_int_equal(harness_http(W.h, "POST", "/v1/rounds", central, body, &resp), 0);
    if (resp.status != 201)
        fail_msg("%ld %s", resp.status, resp.body);
    assert_non_null(strstr(resp.body, "\"2026-03-30\""));
    /* The calendar is public; the central level now has its two rounds of 2026. */
    snprintf(path, sizeof path, "/v1/rounds?province_code=%s&year=2026", W.province);
    assert_int_equal(harness_http(W.h, "GET", path, NULL, NULL, &resp), 0);
    if (resp.status != 200)
        fail_msg("%ld %s", resp.status, resp.body);
    assert_non_null(strstr(resp.body, W.round1));
    assert_non_null(strstr(resp.body, W.session1));
    assert_non_null(strstr(resp.body, "has passed with 1 session still open"));
    assert_null(strstr(resp.body, "fewer than"));
    harness_http_free(&resp);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_make_ready),
        cmocka_unit_test(test_declare_rounds),
        cmocka_unit_test(test_sessions_in_rounds),
        cmocka_unit_test(test_calendar),
        cmocka_unit_test(test_gateway),
    };
    return cmocka_run_group_tests(tests, s_setup, s_teardown);
}
