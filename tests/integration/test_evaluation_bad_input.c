/* Integration: bad input to an evaluation shard. Each case gets a clear error code naming the
 * field, and nothing changes: the shard's event sequence and everything a client can read of
 * its councils, sessions, products, certificates and report are byte-for-byte the same after
 * the refused request as before it.
 *
 * The world the cases run against (one shard owning provinces A and B, policy 1489 today):
 *   council C of province A, members m1 (chair) .. m4, m4 tied to entity 1;
 *   session S (products 0, 1, 2; every sheet in, round 1 complete);
 *   session T (product 4; started, no sheet yet);
 *   session U (product 6; open, not started);
 *   session V (product 5; closed, its 3★ certificate revoked);
 *   product 3 registered but not ready; product 7 ready in province B; product 8 ready under
 *   the 1048 catalogue (no rubric of 148 covers it). */
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
#include "ocop_date.h"

#define S_READY 9
#define S_ST(x) OCOP__STATUS__STATUS_##x

static struct {
    harness_t *h;
    harness_data_t data;
    eval_rubrics_t *rubrics;
    const eval_rubric_t *rubric;
    harness_ready_t p[S_READY];
    char council[32], s[32], t[32], u[32], v[32], cert_v[32];
    char today[OCOP_DATE_LEN];
} W;

static ocop_client_t *s_c(void)
{
    return W.h->shard[0].client;
}

static Ocop__Reply *s_call(Ocop__Request *req)
{
    Ocop__Reply *reply;
    req->request_id = "";
    return harness_call(s_c(), req, &reply) == 0 ? reply : NULL;
}

static Ocop__Reply *s_attest(const char *product_id)
{
    Ocop__EvalAttest body = OCOP__EVAL_ATTEST__INIT;
    body.product_id = (char *)product_id;
    body.local_materials = body.local_labour = true;
    Ocop__Request req = OCOP__REQUEST__INIT;
    req.body_case = OCOP__REQUEST__BODY_EVAL_ATTEST;
    req.eval_attest = &body;
    return s_call(&req);
}

/* A sheet for product p of session by member, total 75, changed by edit before sending. */
typedef void (*s_edit_fn)(harness_sheet_t *sheet);

static Ocop__Reply *s_sheet(const char *session, unsigned p, const char *member, unsigned round, s_edit_fn edit)
{
    harness_sheet_t sheet;
    if (harness_sheet_init(&sheet, W.rubric, 75, NULL) != 0)
        return NULL;
    harness_sheet_address(&sheet, session, W.p[p].product_id, member, 1, round);
    if (edit)
        edit(&sheet);
    Ocop__Reply *reply = s_call(&sheet.req);
    harness_sheet_free(&sheet);
    return reply;
}

static void s_open_session(const size_t *idx, size_t n, char *out)
{
    const char *ids[8];
    for (size_t i = 0; i < n; i++)
        ids[i] = W.p[idx[i]].product_id;
    Ocop__Reply *r = harness_session_open(s_c(), W.council, W.today, ids, n, false);
    ITEST_ASSERT_OK(r);
    snprintf(out, 32, "%s", r->eval_session->id);
    ITEST_FREE(r);
}

static void s_ok(Ocop__Reply *r)
{
    ITEST_ASSERT_OK(r);
    ITEST_FREE(r);
}

static int s_setup(void **state)
{
    (void)state;
    if (harness_data_load_registration(&W.data) != 0)
        return -1;
    char owned[64];
    snprintf(owned, sizeof owned, "%s,%s", W.data.province_a, W.data.province_b);
    harness_options_t opts = {.shards = 1, .shard_provinces = {owned}};
    W.h = harness_deploy(&opts);
    W.rubrics = harness_rubrics_load();
    if (!W.h || !W.rubrics)
        return -1;
    W.rubric = eval_rubrics_find(W.rubrics, W.data.catalogue_version, W.data.product_set);
    ocop_day_of(harness_wall_ms(), W.today);
    return W.rubric ? 0 : -1;
}

static int s_teardown(void **state)
{
    (void)state;
    eval_rubrics_destroy(&W.rubrics);
    harness_destroy(&W.h);
    return 0;
}

static void s_build_world(void)
{
    harness_set_t *sets;
    size_t n_sets;
    char rules[HARNESS_PATH_MAX];
    harness_rules_dir("registration", rules, sizeof rules);
    assert_int_equal(harness_catalogue_sets(rules, "1048", &sets, &n_sets), 0);
    /* Products 0..8 except 3: ready. Entities: 0 for products 0, 1, 4, 5, 6; 1 for 2; own otherwise. */
    harness_ready_t ready[S_READY - 1];
    size_t map[S_READY - 1] = {0, 1, 2, 4, 5, 6, 7, 8}, entity_of[S_READY - 1] = {0, 0, 2, 0, 0, 0, 6, 7};
    memset(ready, 0, sizeof ready);
    for (size_t k = 0; k < S_READY - 1; k++) {
        harness_ready_t *p = &ready[k];
        bool b = map[k] == 7, old = map[k] == 8;
        snprintf(p->commune, sizeof p->commune, "%s", b ? W.data.communes[3] : W.data.communes[k % 3]);
        snprintf(p->catalogue, sizeof p->catalogue, "%s", old ? "1048" : W.data.catalogue_version);
        snprintf(p->sector, sizeof p->sector, "%s", old ? sets[0].sector : W.data.sector);
        snprintf(p->product_set, sizeof p->product_set, "%s", old ? sets[0].set : W.data.product_set);
    }
    free(sets);
    assert_int_equal(harness_make_ready(W.h->client, ready, entity_of, S_READY - 1, 7), 0);
    for (size_t k = 0; k < S_READY - 1; k++)
        W.p[map[k]] = ready[k];
    /* Product 3: registered, idea submitted only. */
    Ocop__Reply *r =
        harness_product_register(W.h->client, W.p[0].entity_id, "Trà shan tuyết cổ thụ", W.data.sector,
                                 W.data.product_set, W.data.communes[0], OCOP__PROCESSING_LEVEL__PROCESSING_PROCESSED);
    ITEST_ASSERT_OK(r);
    snprintf(W.p[3].product_id, sizeof W.p[3].product_id, "%s", r->reg_product_detail->product->id);
    ITEST_FREE(r);
    for (size_t i = 0; i < S_READY; i++)
        if (i != 3)
            assert_int_equal(harness_shard_wait_product(W.h, 0, W.p[i].product_id), 0);
}

static void test_world(void **state)
{
    (void)state;
    s_build_world();
    Ocop__Reply *r = harness_council_create(s_c(), OCOP__EVAL_LEVEL__EVAL_LEVEL_PROVINCE, W.data.province_a,
                                            W.data.province_a, 4, 0);
    ITEST_ASSERT_OK(r);
    snprintf(W.council, sizeof W.council, "%s", r->eval_council->id);
    ITEST_FREE(r);
    Ocop__EvalTieDeclare tie = OCOP__EVAL_TIE_DECLARE__INIT;
    tie.council_id = W.council;
    tie.member_id = "m4";
    tie.entity_id = W.p[2].entity_id;
    Ocop__Request req = OCOP__REQUEST__INIT;
    req.body_case = OCOP__REQUEST__BODY_EVAL_TIE_DECLARE;
    req.eval_tie_declare = &tie;
    s_ok(s_call(&req));
    for (size_t i = 0; i < S_READY; i++)
        if (i != 3 && i != 7)
            s_ok(s_attest(W.p[i].product_id));
    static const char *const members[] = {"m1", "m2", "m3", "m4"};
    /* V: product 5 scored 60 by all, closed, certificate revoked. */
    size_t v[] = {5};
    s_open_session(v, 1, W.v);
    s_ok(harness_session_start(s_c(), W.v, NULL, 4));
    for (unsigned m = 0; m < 4; m++) {
        harness_sheet_t sheet;
        assert_int_equal(harness_sheet_init(&sheet, W.rubric, 60, NULL), 0);
        harness_sheet_address(&sheet, W.v, W.p[5].product_id, members[m], 1, 1);
        s_ok(s_call(&sheet.req));
        harness_sheet_free(&sheet);
    }
    r = harness_session_close(s_c(), W.v, "QĐ 1/QĐ-UBND");
    ITEST_ASSERT_OK(r);
    snprintf(W.cert_v, sizeof W.cert_v, "%s", r->eval_session->products[0]->certificate_id);
    ITEST_FREE(r);
    Ocop__EvalCertificateRevoke revoke = OCOP__EVAL_CERTIFICATE_REVOKE__INIT;
    revoke.id = W.cert_v;
    revoke.reason = OCOP__REVOCATION_REASON__REVOCATION_REASON_PRODUCTION_SUSPENDED;
    req.body_case = OCOP__REQUEST__BODY_EVAL_CERTIFICATE_REVOKE;
    req.eval_certificate_revoke = &revoke;
    s_ok(s_call(&req));
    /* S: products 0, 1, 2, every sheet in. */
    size_t s[] = {0, 1, 2};
    s_open_session(s, 3, W.s);
    s_ok(harness_session_start(s_c(), W.s, NULL, 4));
    for (unsigned p = 0; p < 3; p++)
        for (unsigned m = 0; m < (p == 2 ? 3u : 4u); m++)
            s_ok(s_sheet(W.s, p, members[m], 1, NULL));
    /* T: product 4, started. U: product 6, open. */
    size_t t[] = {4}, u[] = {6};
    s_open_session(t, 1, W.t);
    s_ok(harness_session_start(s_c(), W.t, NULL, 4));
    s_open_session(u, 1, W.u);
}

/* ---------------------------------------------------------------- the snapshot */

typedef struct {
    uint8_t *data;
    size_t len, cap;
} s_buf_t;

static void s_append(s_buf_t *b, const Ocop__Reply *r)
{
    assert_non_null(r);
    size_t n = ocop__reply__get_packed_size(r);
    if (b->len + n + 8 > b->cap) {
        b->cap = (b->len + n + 8) * 2;
        b->data = realloc(b->data, b->cap);
        assert_non_null(b->data);
    }
    /* The request id differs per call: blank it so the bytes compare the content. */
    Ocop__Reply copy = *r;
    copy.request_id = "";
    b->len += ocop__reply__pack(&copy, b->data + b->len);
}

static void s_snapshot(s_buf_t *b)
{
    b->len = 0;
    Ocop__Reply *r;
    int64_t seq = harness_shard_last_sequence(W.h, 0);
    assert_true(seq > 0);
    memcpy(b->data ? b->data : (b->data = malloc(b->cap = 1 << 16)), &seq, sizeof seq);
    b->len = sizeof seq;
    const char *sessions[] = {W.s, W.t, W.u, W.v};
    for (size_t i = 0; i < 4; i++) {
        r = harness_session_get(s_c(), sessions[i]);
        s_append(b, r);
        ITEST_FREE(r);
    }
    for (size_t i = 0; i < S_READY; i++) {
        r = harness_eval_product_get(s_c(), W.p[i].product_id);
        s_append(b, r);
        ITEST_FREE(r);
    }
    Ocop__EvalCouncilGet cg = OCOP__EVAL_COUNCIL_GET__INIT;
    cg.id = W.council;
    Ocop__Request req = OCOP__REQUEST__INIT;
    req.body_case = OCOP__REQUEST__BODY_EVAL_COUNCIL_GET;
    req.eval_council_get = &cg;
    r = s_call(&req);
    s_append(b, r);
    ITEST_FREE(r);
    Ocop__EvalCertificateGet cert = OCOP__EVAL_CERTIFICATE_GET__INIT;
    cert.id = W.cert_v;
    req.body_case = OCOP__REQUEST__BODY_EVAL_CERTIFICATE_GET;
    req.eval_certificate_get = &cert;
    r = s_call(&req);
    s_append(b, r);
    ITEST_FREE(r);
    r = harness_report_get(s_c(), NULL, NULL, 0);
    s_append(b, r);
    ITEST_FREE(r);
}

/* ---------------------------------------------------------------- the cases */

static void s_free_number(harness_sheet_t *s)
{
    s->scores[0].option = "";
    s->scores[0].score = W.rubric->criteria[0].max;
}
static void s_number_beside_option(harness_sheet_t *s)
{
    s->scores[0].score = 1;
}
static void s_option_unknown(harness_sheet_t *s)
{
    s->scores[0].option = "99";
}
static void s_score_missing(harness_sheet_t *s)
{
    s->body.n_scores--;
}
static void s_score_unknown(harness_sheet_t *s)
{
    s->scores[0].id = "ZZ9";
}
static void s_rubric_other(harness_sheet_t *s)
{
    s->body.rubric = "148/9.9";
}
static void s_score_nan(harness_sheet_t *s)
{
    s->scores[1].score = 0.0 / 0.0;
}
static char *s_unknown_knockout[] = {"K99"};
static void s_knockout_unknown(harness_sheet_t *s)
{
    s->body.knockouts = s_unknown_knockout;
    s->body.n_knockouts = 1;
}

typedef struct {
    const char *label;
    int status;
    const char *field;
    const char *says; /* a fragment of the message */
} s_expect_t;

static void s_check(const s_expect_t *e, Ocop__Reply *r, s_buf_t *before, s_buf_t *after)
{
    if (!r)
        fail_msg("%s: no reply", e->label);
    if ((int)r->status != e->status || strcmp(r->field, e->field) != 0 || !strstr(r->message, e->says))
        fail_msg("%s: got %s field '%s' message '%s'; expected %s field '%s' saying '%s'", e->label,
                 harness_status_name(r->status), r->field, r->message, harness_status_name(e->status), e->field,
                 e->says);
    ocop__reply__free_unpacked(r, NULL);
    s_snapshot(after);
    if (before->len != after->len || memcmp(before->data, after->data, before->len) != 0)
        fail_msg("%s: the refused request changed the shard", e->label);
}

static void test_each_refusal_changes_nothing(void **state)
{
    (void)state;
    s_buf_t before = {0}, after = {0};
    s_snapshot(&before);
    Ocop__Request req = OCOP__REQUEST__INIT;

    /* Sheets against T (started, empty) and S (complete). */
    s_check(&(s_expect_t){"a free number on a sheet with options", S_ST(INVALID), "scores",
                          "choose one of the criterion's options"},
            s_sheet(W.t, 4, "m1", 1, s_free_number), &before, &after);
    s_check(&(s_expect_t){"a number beside an option", S_ST(INVALID), "scores", "the option gives the points"},
            s_sheet(W.t, 4, "m1", 1, s_number_beside_option), &before, &after);
    s_check(&(s_expect_t){"unknown option", S_ST(INVALID), "scores", "option 99 is not one of the criterion's options"},
            s_sheet(W.t, 4, "m1", 1, s_option_unknown), &before, &after);
    s_check(&(s_expect_t){"score not a number", S_ST(INVALID), "scores", ""}, s_sheet(W.t, 4, "m1", 1, s_score_nan),
            &before, &after);
    s_check(&(s_expect_t){"unknown knock-out", S_ST(INVALID), "knockouts", "K99 is not a knock-out condition"},
            s_sheet(W.t, 4, "m1", 1, s_knockout_unknown), &before, &after);
    s_check(&(s_expect_t){"missing criterion", S_ST(INVALID), "scores", ""}, s_sheet(W.t, 4, "m1", 1, s_score_missing),
            &before, &after);
    s_check(&(s_expect_t){"unknown criterion", S_ST(INVALID), "scores", "ZZ9"},
            s_sheet(W.t, 4, "m1", 1, s_score_unknown), &before, &after);
    s_check(&(s_expect_t){"rubric of another product set", S_ST(INVALID), "rubric", "148/9.9"},
            s_sheet(W.t, 4, "m1", 1, s_rubric_other), &before, &after);
    s_check(&(s_expect_t){"non-member", S_ST(FORBIDDEN), "member_id", "not a member"}, s_sheet(W.t, 4, "m9", 1, NULL),
            &before, &after);
    s_check(&(s_expect_t){"tied member", S_ST(FORBIDDEN), "member_id", "tie"}, s_sheet(W.s, 2, "m4", 1, NULL), &before,
            &after);
    s_check(&(s_expect_t){"second sheet of a round", S_ST(CONFLICT), "member_id", "already submitted"},
            s_sheet(W.s, 0, "m1", 1, NULL), &before, &after);
    s_check(&(s_expect_t){"wrong round", S_ST(ILLEGAL_STATE), "round", "round 1"}, s_sheet(W.t, 4, "m1", 2, NULL),
            &before, &after);
    s_check(&(s_expect_t){"product not in the session", S_ST(NOT_FOUND), "product_id", "not in session"},
            s_sheet(W.t, 0, "m1", 1, NULL), &before, &after);
    s_check(&(s_expect_t){"session already closed", S_ST(ILLEGAL_STATE), "session_id", "closed"},
            s_sheet(W.v, 5, "m1", 1, NULL), &before, &after);
    s_check(&(s_expect_t){"session not started", S_ST(ILLEGAL_STATE), "session_id", "not started"},
            s_sheet(W.u, 6, "m1", 1, NULL), &before, &after);

    /* Starting and opening sessions. */
    s_check(&(s_expect_t){"quorum not met", S_ST(ILLEGAL_STATE), "present_member_ids", "quorum"},
            harness_session_start(s_c(), W.u, NULL, 2), &before, &after);
    const char *stranger[] = {"m1", "m2", "m7"};
    s_check(&(s_expect_t){"present stranger", S_ST(INVALID), "present_member_ids[2]", "not a member"},
            harness_session_start(s_c(), W.u, stranger, 3), &before, &after);
    s_check(&(s_expect_t){"start a started session", S_ST(ILLEGAL_STATE), "session_id", "already"},
            harness_session_start(s_c(), W.t, NULL, 4), &before, &after);
    const char *outside[] = {W.p[7].product_id};
    s_check(&(s_expect_t){"outside the jurisdiction", S_ST(FORBIDDEN), "product_ids[0]", "jurisdiction"},
            harness_session_open(s_c(), W.council, W.today, outside, 1, false), &before, &after);
    const char *not_ready[] = {W.p[3].product_id};
    s_check(&(s_expect_t){"not ready", S_ST(ILLEGAL_STATE), "product_ids[0]", "not ready"},
            harness_session_open(s_c(), W.council, W.today, not_ready, 1, false), &before, &after);
    const char *busy[] = {W.p[4].product_id};
    s_check(&(s_expect_t){"already in a session", S_ST(CONFLICT), "product_ids[0]", W.t},
            harness_session_open(s_c(), W.council, W.today, busy, 1, false), &before, &after);
    const char *old[] = {W.p[8].product_id};
    s_check(&(s_expect_t){"no rubric for the product set", S_ST(INVALID), "product_ids[0]", "no rubric of 26-2026"},
            harness_session_open(s_c(), W.council, W.today, old, 1, false), &before, &after);
    const char *twice[] = {W.p[5].product_id, W.p[5].product_id};
    s_check(&(s_expect_t){"listed twice", S_ST(INVALID), "product_ids[1]", "twice"},
            harness_session_open(s_c(), W.council, W.today, twice, 2, false), &before, &after);
    const char *fine[] = {W.p[5].product_id};
    s_check(&(s_expect_t){"date in the future", S_ST(INVALID), "date", "future"},
            harness_session_open(s_c(), W.council, "2999-01-01", fine, 1, false), &before, &after);
    s_check(&(s_expect_t){"date before every policy", S_ST(INVALID), "date", "no rating policy"},
            harness_session_open(s_c(), W.council, "2010-01-01", fine, 1, false), &before, &after);
    s_check(&(s_expect_t){"not a date", S_ST(INVALID), "date", "YYYY-MM-DD"},
            harness_session_open(s_c(), W.council, "2025-02-30", fine, 1, false), &before, &after);
    s_check(&(s_expect_t){"unknown council", S_ST(NOT_FOUND), "council_id", "does not exist"},
            harness_session_open(s_c(), "C1-999", W.today, fine, 1, false), &before, &after);
    s_check(&(s_expect_t){"not a council id", S_ST(INVALID), "council_id", "not an id"},
            harness_session_open(s_c(), "council-1", W.today, fine, 1, false), &before, &after);
    s_check(&(s_expect_t){"another shard's council", S_ST(WRONG_SHARD), "council_id", "shard 3"},
            harness_session_open(s_c(), "C3-1", W.today, fine, 1, false), &before, &after);

    /* Closing. */
    Ocop__EvalStarsClaim claim = OCOP__EVAL_STARS_CLAIM__INIT, *claims[] = {&claim};
    claim.product_id = W.p[0].product_id;
    claim.stars = 5;
    Ocop__EvalSessionClose close = OCOP__EVAL_SESSION_CLOSE__INIT;
    close.session_id = W.s;
    close.decision_ref = "QĐ 2/QĐ-UBND";
    close.decision_date = W.today;
    close.decided = claims;
    close.n_decided = 1;
    req.body_case = OCOP__REQUEST__BODY_EVAL_SESSION_CLOSE;
    req.eval_session_close = &close;
    s_check(&(s_expect_t){"stars above the level's cap", S_ST(FORBIDDEN), "decided[0].stars", "at most 4"},
            s_call(&req), &before, &after);
    claim.stars = 3;
    s_check(&(s_expect_t){"stars other than the sheets give", S_ST(CONFLICT), "decided[0].stars", "give product"},
            s_call(&req), &before, &after);
    close.n_decided = 0;
    close.session_id = W.t;
    s_check(&(s_expect_t){"close with sheets missing", S_ST(ILLEGAL_STATE), "session_id", "of the 4 sheets"},
            s_call(&req), &before, &after);
    close.session_id = W.v;
    s_check(&(s_expect_t){"close a closed session", S_ST(ILLEGAL_STATE), "session_id", "already closed"}, s_call(&req),
            &before, &after);
    close.session_id = W.s;
    close.decision_ref = "";
    s_check(&(s_expect_t){"close without a decision", S_ST(INVALID), "decision_ref", "required"}, s_call(&req), &before,
            &after);
    Ocop__EvalPhaseAdvance advance = OCOP__EVAL_PHASE_ADVANCE__INIT;
    advance.session_id = W.s;
    req.body_case = OCOP__REQUEST__BODY_EVAL_PHASE_ADVANCE;
    req.eval_phase_advance = &advance;
    s_check(&(s_expect_t){"phase 2 of a single-phase session", S_ST(ILLEGAL_STATE), "session_id", "single phase"},
            s_call(&req), &before, &after);

    /* Certificates. */
    Ocop__EvalCertificateRevoke revoke = OCOP__EVAL_CERTIFICATE_REVOKE__INIT;
    revoke.id = W.cert_v;
    revoke.reason = OCOP__REVOCATION_REASON__REVOCATION_REASON_FOOD_SAFETY;
    req.body_case = OCOP__REQUEST__BODY_EVAL_CERTIFICATE_REVOKE;
    req.eval_certificate_revoke = &revoke;
    s_check(&(s_expect_t){"revoke a revoked certificate", S_ST(ILLEGAL_STATE), "id", "already revoked"}, s_call(&req),
            &before, &after);
    revoke.reason = OCOP__REVOCATION_REASON__REVOCATION_REASON_UNSPECIFIED;
    s_check(&(s_expect_t){"revoke without a ground", S_ST(INVALID), "ground", "is not a ground of revocation"},
            s_call(&req), &before, &after);
    revoke.reason = (Ocop__RevocationReason)77;
    s_check(&(s_expect_t){"revoke with an unknown reason", S_ST(INVALID), "reason", "is not a ground of revocation"},
            s_call(&req), &before, &after);

    /* Councils and attestation. */
    Ocop__Reply *r = harness_council_create(s_c(), OCOP__EVAL_LEVEL__EVAL_LEVEL_PROVINCE, W.data.province_a,
                                            W.data.province_a, 4, 5);
    s_check(&(s_expect_t){"quorum above the members", S_ST(INVALID), "quorum", "exceeds"}, r, &before, &after);
    r = harness_council_create(s_c(), OCOP__EVAL_LEVEL__EVAL_LEVEL_PROVINCE, W.data.province_b, W.data.province_a, 4,
                               0);
    s_check(&(s_expect_t){"province council of another unit", S_ST(INVALID), "unit_code", "its province_code"}, r,
            &before, &after);
    r = harness_council_create(s_c(), OCOP__EVAL_LEVEL__EVAL_LEVEL_UNSPECIFIED, W.data.province_a, W.data.province_a, 4,
                               0);
    s_check(&(s_expect_t){"no level", S_ST(INVALID), "level", "level must be"}, r, &before, &after);
    r = harness_council_create(s_c(), OCOP__EVAL_LEVEL__EVAL_LEVEL_PROVINCE, W.data.province_a, W.data.province_a, 0,
                               0);
    s_check(&(s_expect_t){"no members", S_ST(INVALID), "members", "1 to"}, r, &before, &after);
    /* Size and quorum are the policy's (26/2026 leaves them to the councils' rules, Art. 7.3(b)). */
    r = harness_council_create(s_c(), OCOP__EVAL_LEVEL__EVAL_LEVEL_PROVINCE, W.data.province_a, W.data.province_a, 2,
                               0);
    s_check(&(s_expect_t){"a council below the policy's size", S_ST(INVALID), "members", "at least 3 members"}, r,
            &before, &after);
    r = harness_council_create(s_c(), OCOP__EVAL_LEVEL__EVAL_LEVEL_PROVINCE, W.data.province_a, W.data.province_a, 8,
                               5);
    s_check(&(s_expect_t){"a quorum below the policy's", S_ST(INVALID), "quorum", "sits with 6 present"}, r, &before,
            &after);
    r = s_attest(W.p[4].product_id);
    s_check(&(s_expect_t){"attest a product under evaluation", S_ST(ILLEGAL_STATE), "product_id", W.t}, r, &before,
            &after);
    r = s_attest(W.p[3].product_id);
    s_check(&(s_expect_t){"attest a product not ready", S_ST(ILLEGAL_STATE), "product_id", "not ready"}, r, &before,
            &after);
    /* The snapshot does see a change: a valid sheet alters it. */
    s_ok(s_sheet(W.t, 4, "m1", 1, NULL));
    s_snapshot(&after);
    assert_false(before.len == after.len && memcmp(before.data, after.data, before.len) == 0);
    free(before.data);
    free(after.data);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_world),
        cmocka_unit_test(test_each_refusal_changes_nothing),
    };
    return cmocka_run_group_tests(tests, s_setup, s_teardown);
}
