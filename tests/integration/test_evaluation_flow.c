/* Integration: registration and two evaluation shards on loopback, one product's life through
 * evaluation under the policy in force today (1489/QĐ-TTg: the commune attests, the province
 * recognises 3★–4★ and proposes ≥ 90 to the central council).
 *
 * The tests run in order on one deployment: products made ready through registration reach the
 * shard owning their province (and only it); a council with a tied member; attestation, quorum,
 * sealed sheets, a second round when the spread exceeds 10 points; closing with capped stars
 * and a proposal; the central council's 5★; revocation; expiry driven by the clock; restart. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "harness.h"
#include "harness_eval.h"
#include "itest_assert.h"
#include "ocop_date.h"

#define S_PRODUCTS 4 /* 0..2 in province A (shard 0), 3 in province B (shard 1) */
#define S_OK OCOP__STATUS__STATUS_OK
#define S_ST(x) OCOP__STATUS__STATUS_##x

static struct {
    harness_t *h;
    harness_data_t data;
    eval_rubrics_t *rubrics;
    const eval_rubric_t *rubric;
    harness_ready_t products[S_PRODUCTS];
    char council[32], central[32], session[32], central_session[32];
    char cert[S_PRODUCTS][32];
    char today[OCOP_DATE_LEN];
} W;

static ocop_client_t *s_shard(unsigned i)
{
    return W.h->shard[i].client;
}

static int s_setup(void **state)
{
    (void)state;
    if (harness_data_load_registration(&W.data) != 0)
        return -1;
    harness_options_t opts = {
        .shards = 2, .shard_provinces = {W.data.province_a, W.data.province_b}, .expire_every_ms = 200};
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

/* Submits a sheet of total for product p by member in the given round; returns the reply. */
static Ocop__Reply *s_sheet(const char *session, unsigned p, const char *member, unsigned phase, unsigned round,
                            double total)
{
    harness_sheet_t sheet;
    if (harness_sheet_init(&sheet, W.rubric, total, NULL) != 0)
        return NULL;
    harness_sheet_address(&sheet, session, W.products[p].product_id, member, phase, round);
    Ocop__Reply *reply = NULL;
    unsigned shard = p == 3 ? 1 : 0;
    if (harness_call(s_shard(shard), &sheet.req, &reply) != 0)
        reply = NULL;
    harness_sheet_free(&sheet);
    return reply;
}

static Ocop__Reply *s_certificate(const char *id)
{
    Ocop__EvalCertificateGet body = OCOP__EVAL_CERTIFICATE_GET__INIT;
    body.id = (char *)id;
    Ocop__Request req = OCOP__REQUEST__INIT;
    req.body_case = OCOP__REQUEST__BODY_EVAL_CERTIFICATE_GET;
    req.eval_certificate_get = &body;
    Ocop__Reply *reply;
    return harness_call(s_shard(0), &req, &reply) == 0 ? reply : NULL;
}

static Ocop__Reply *s_attest(const char *product_id)
{
    Ocop__EvalAttest body = OCOP__EVAL_ATTEST__INIT;
    body.product_id = (char *)product_id;
    body.local_materials = body.local_labour = body.idea_origin = body.local_identity = true;
    body.note = "Hồ sơ đầy đủ; nguyên liệu tại địa phương";
    Ocop__Request req = OCOP__REQUEST__INIT;
    req.body_case = OCOP__REQUEST__BODY_EVAL_ATTEST;
    req.eval_attest = &body;
    Ocop__Reply *reply;
    return harness_call(s_shard(0), &req, &reply) == 0 ? reply : NULL;
}

static uint32_t s_stars(unsigned p)
{
    Ocop__Reply *r = harness_eval_product_get(s_shard(p == 3 ? 1 : 0), W.products[p].product_id);
    ITEST_ASSERT_OK(r);
    uint32_t stars = r->eval_product->stars;
    ITEST_FREE(r);
    return stars;
}

/* ---------------------------------------------------------------- tests */

static void test_products_reach_the_owning_shard_only(void **state)
{
    (void)state;
    size_t entity_of[S_PRODUCTS] = {0, 0, 2, 3};
    const char *communes[S_PRODUCTS] = {W.data.communes[0], W.data.communes[1], W.data.communes[2], W.data.communes[3]};
    for (unsigned i = 0; i < S_PRODUCTS; i++) {
        harness_ready_t *p = &W.products[i];
        snprintf(p->commune, sizeof p->commune, "%s", communes[i]);
        snprintf(p->catalogue, sizeof p->catalogue, "%s", W.data.catalogue_version);
        snprintf(p->sector, sizeof p->sector, "%s", W.data.sector);
        snprintf(p->product_set, sizeof p->product_set, "%s", W.data.product_set);
    }
    assert_int_equal(harness_make_ready(W.h->client, W.products, entity_of, S_PRODUCTS, 1), 0);
    for (unsigned i = 0; i < S_PRODUCTS; i++)
        assert_int_equal(harness_shard_wait_product(W.h, i == 3 ? 1 : 0, W.products[i].product_id), 0);
    /* Each shard holds only its own provinces' products. */
    Ocop__Reply *r = harness_eval_product_get(s_shard(1), W.products[0].product_id);
    ITEST_ASSERT_ERROR(r, S_ST(NOT_FOUND), "id");
    ITEST_FREE(r);
    r = harness_eval_product_get(s_shard(0), W.products[3].product_id);
    ITEST_ASSERT_ERROR(r, S_ST(NOT_FOUND), "id");
    ITEST_FREE(r);
    r = harness_eval_product_get(s_shard(0), W.products[0].product_id);
    ITEST_ASSERT_OK(r);
    assert_string_equal(r->eval_product->province_code, W.data.province_a);
    assert_string_equal(r->eval_product->entity_id, W.products[0].entity_id);
    assert_int_equal(r->eval_product->stars, 0);
    ITEST_FREE(r);
}

static void test_wrong_shard_names_the_owner(void **state)
{
    (void)state;
    Ocop__Reply *r = harness_council_create(s_shard(1), OCOP__EVAL_LEVEL__EVAL_LEVEL_PROVINCE, W.data.province_a,
                                            W.data.province_a, 4, 0);
    ITEST_ASSERT_ERROR(r, S_ST(WRONG_SHARD), "province_code");
    assert_non_null(strstr(r->message, "evaluation-1"));
    ITEST_FREE(r);
    r = harness_session_get(s_shard(1), "S1-1");
    ITEST_ASSERT_ERROR(r, S_ST(WRONG_SHARD), "id");
    assert_non_null(strstr(r->message, "evaluation-1"));
    ITEST_FREE(r);
}

static void test_council_attestation_and_quorum(void **state)
{
    (void)state;
    Ocop__Reply *r = harness_council_create(s_shard(0), OCOP__EVAL_LEVEL__EVAL_LEVEL_PROVINCE, W.data.province_a,
                                            W.data.province_a, 4, 0);
    ITEST_ASSERT_OK(r);
    assert_int_equal(r->eval_council->quorum, 3); /* 75 % of 4 */
    snprintf(W.council, sizeof W.council, "%s", r->eval_council->id);
    ITEST_FREE(r);

    /* m4 is tied to the entity of product 2. */
    Ocop__EvalTieDeclare tie = OCOP__EVAL_TIE_DECLARE__INIT;
    tie.council_id = W.council;
    tie.member_id = "m4";
    tie.entity_id = W.products[2].entity_id;
    Ocop__Request req = OCOP__REQUEST__INIT;
    req.body_case = OCOP__REQUEST__BODY_EVAL_TIE_DECLARE;
    req.eval_tie_declare = &tie;
    assert_int_equal(harness_call(s_shard(0), &req, &r), 0);
    ITEST_ASSERT_OK(r);
    ITEST_FREE(r);

    const char *ids[] = {W.products[0].product_id, W.products[1].product_id, W.products[2].product_id};
    r = harness_session_open(s_shard(0), W.council, W.today, ids, 3, false);
    ITEST_ASSERT_ERROR(r, S_ST(ILLEGAL_STATE), "product_ids[0]");
    assert_non_null(strstr(r->message, "attestation"));
    ITEST_FREE(r);
    for (unsigned i = 0; i < 3; i++) {
        r = s_attest(W.products[i].product_id);
        ITEST_ASSERT_OK(r);
        assert_true(r->eval_product->attested);
        ITEST_FREE(r);
    }
    r = harness_session_open(s_shard(0), W.council, W.today, ids, 3, false);
    ITEST_ASSERT_OK(r);
    snprintf(W.session, sizeof W.session, "%s", r->eval_session->id);
    assert_string_equal(r->eval_session->policy, "26/2026/QĐ-TTg");
    assert_int_equal(r->eval_session->n_products, 3);
    ITEST_FREE(r);

    r = harness_session_start(s_shard(0), W.session, NULL, 2);
    ITEST_ASSERT_ERROR(r, S_ST(ILLEGAL_STATE), "present_member_ids");
    assert_non_null(strstr(r->message, "quorum"));
    ITEST_FREE(r);
    const char *no_chair[] = {"m2", "m3", "m4"};
    r = harness_session_start(s_shard(0), W.session, no_chair, 3);
    ITEST_ASSERT_ERROR(r, S_ST(ILLEGAL_STATE), "present_member_ids");
    assert_non_null(strstr(r->message, "chair"));
    ITEST_FREE(r);
    r = harness_session_start(s_shard(0), W.session, NULL, 4);
    ITEST_ASSERT_OK(r);
    assert_int_equal(r->eval_session->state, OCOP__SESSION_STATE__SESSION_STATE_SCORING);
    for (size_t i = 0; i < r->eval_session->n_products; i++) {
        const Ocop__EvalSessionProduct *sp = r->eval_session->products[i];
        bool tied = strcmp(sp->product_id, W.products[2].product_id) == 0;
        assert_int_equal(sp->expected, tied ? 3 : 4);
    }
    ITEST_FREE(r);
}

static void test_sealed_sheets_and_rounds(void **state)
{
    (void)state;
    static const char *const members[] = {"m1", "m2", "m3", "m4"};
    static const double round1[] = {80, 85, 95, 86}, round2[] = {85, 86, 88, 87}, p1[] = {60, 62, 64, 61},
                        p2[] = {92, 94, 95};
    Ocop__Reply *r;
    for (unsigned m = 0; m < 4; m++) {
        r = s_sheet(W.session, 0, members[m], 1, 1, round1[m]);
        ITEST_ASSERT_OK(r);
        assert_int_equal(r->eval_sheet_receipt->sheets, m + 1);
        assert_int_equal(r->eval_sheet_receipt->another_round, m == 3); /* 95 - 80 > 10 */
        ITEST_FREE(r);
    }
    r = s_sheet(W.session, 0, "m1", 1, 1, 80);
    ITEST_ASSERT_ERROR(r, S_ST(ILLEGAL_STATE), "round");
    ITEST_FREE(r);
    for (unsigned m = 0; m < 4; m++) {
        r = s_sheet(W.session, 0, members[m], 1, 2, round2[m]);
        ITEST_ASSERT_OK(r);
        assert_false(r->eval_sheet_receipt->another_round);
        ITEST_FREE(r);
        r = s_sheet(W.session, 1, members[m], 1, 1, p1[m]);
        ITEST_ASSERT_OK(r);
        ITEST_FREE(r);
    }
    r = s_sheet(W.session, 1, "m1", 1, 1, 70);
    ITEST_ASSERT_ERROR(r, S_ST(CONFLICT), "member_id");
    ITEST_FREE(r);
    r = s_sheet(W.session, 2, "m4", 1, 1, 90);
    ITEST_ASSERT_ERROR(r, S_ST(FORBIDDEN), "member_id");
    ITEST_FREE(r);
    for (unsigned m = 0; m < 3; m++) {
        r = s_sheet(W.session, 2, members[m], 1, 1, p2[m]);
        ITEST_ASSERT_OK(r);
        ITEST_FREE(r);
    }
    /* Sealed: progress shows, scores and spreads do not. */
    r = harness_session_get(s_shard(0), W.session);
    ITEST_ASSERT_OK(r);
    for (size_t i = 0; i < r->eval_session->n_products; i++) {
        const Ocop__EvalSessionProduct *sp = r->eval_session->products[i];
        assert_int_equal(sp->sheets, sp->expected);
        assert_true(sp->mean == 0 && sp->first_round_spread == 0 && sp->stars == 0);
    }
    ITEST_FREE(r);
    Ocop__EvalSheetList list = OCOP__EVAL_SHEET_LIST__INIT;
    list.session_id = W.session;
    list.product_id = W.products[0].product_id;
    Ocop__Request req = OCOP__REQUEST__INIT;
    req.body_case = OCOP__REQUEST__BODY_EVAL_SHEET_LIST;
    req.eval_sheet_list = &list;
    assert_int_equal(harness_call(s_shard(0), &req, &r), 0);
    ITEST_ASSERT_ERROR(r, S_ST(ILLEGAL_STATE), "session_id");
    ITEST_FREE(r);
}

static void test_close_caps_and_forwards(void **state)
{
    (void)state;
    Ocop__Reply *r = harness_session_close(s_shard(0), W.session, "QĐ 123/QĐ-UBND");
    ITEST_ASSERT_OK(r);
    for (size_t i = 0; i < r->eval_session->n_products; i++) {
        const Ocop__EvalSessionProduct *sp = r->eval_session->products[i];
        unsigned p = 0;
        while (strcmp(W.products[p].product_id, sp->product_id) != 0)
            p++;
        snprintf(W.cert[p], sizeof W.cert[p], "%s", sp->certificate_id);
        if (p == 0) {
            assert_true(sp->mean == 86.5 && sp->first_round_spread == 15 && sp->final_spread == 3);
            assert_int_equal(sp->stars, 4);
            assert_int_equal(sp->round, 2);
        } else if (p == 1) {
            assert_true(sp->mean == 61.75);
            assert_int_equal(sp->stars, 3);
        } else {
            /* 93.67 is a 5★ band: under 26/2026 the province approves and proposes it to the
             * ministry without recognising it (Art. 7.3(e)): no stars, no certificate yet. */
            assert_int_equal(sp->band_stars, 5);
            assert_int_equal(sp->stars, 0);
            assert_true(sp->forwarded);
            assert_int_equal(sp->forward_to, OCOP__EVAL_LEVEL__EVAL_LEVEL_CENTRAL);
            assert_string_equal(sp->certificate_id, "");
            continue;
        }
        assert_true(strlen(sp->certificate_id) > 0);
    }
    ITEST_FREE(r);
    r = harness_session_close(s_shard(0), W.session, "again");
    ITEST_ASSERT_ERROR(r, S_ST(ILLEGAL_STATE), "session_id");
    ITEST_FREE(r);
    assert_int_equal(s_stars(0), 4);
    assert_int_equal(s_stars(1), 3);
    assert_int_equal(s_stars(2), 0);

    r = s_certificate(W.cert[0]);
    ITEST_ASSERT_OK(r);
    /* 36 months from the recognition decision's date (Art. 4.3), here today. */
    char expires[OCOP_DATE_LEN];
    ocop_date_add_months(W.today, 36, expires);
    assert_string_equal(r->eval_certificate->issued, W.today);
    assert_string_equal(r->eval_certificate->expires, expires);
    assert_string_equal(r->eval_certificate->decision_ref, "QĐ 123/QĐ-UBND");
    assert_int_equal(r->eval_certificate->state, OCOP__CERTIFICATE_STATE__CERTIFICATE_STATE_VALID);
    ITEST_FREE(r);

    r = harness_report_get(s_shard(0), W.data.province_a, NULL, (unsigned)ocop_date_year(W.today));
    ITEST_ASSERT_OK(r);
    assert_int_equal(r->eval_report->total->stars3, 1);
    assert_int_equal(r->eval_report->total->stars4, 1);
    assert_int_equal(r->eval_report->total->proposed5, 1);
    assert_int_equal(r->eval_report->total->products, 3);
    assert_int_equal(r->eval_report->total->entities, 2);
    ITEST_FREE(r);
}

static void test_central_council_confers_five_stars(void **state)
{
    (void)state;
    Ocop__Reply *r =
        harness_council_create(s_shard(0), OCOP__EVAL_LEVEL__EVAL_LEVEL_CENTRAL, "", W.data.province_a, 7, 0);
    ITEST_ASSERT_OK(r);
    assert_int_equal(r->eval_council->quorum, 5);
    snprintf(W.central, sizeof W.central, "%s", r->eval_council->id);
    ITEST_FREE(r);
    const char *not_forwarded[] = {W.products[0].product_id};
    r = harness_session_open(s_shard(0), W.central, W.today, not_forwarded, 1, false);
    ITEST_ASSERT_ERROR(r, S_ST(ILLEGAL_STATE), "product_ids[0]");
    ITEST_FREE(r);
    const char *ids[] = {W.products[2].product_id};
    r = harness_session_open(s_shard(0), W.central, W.today, ids, 1, false);
    ITEST_ASSERT_OK(r);
    snprintf(W.central_session, sizeof W.central_session, "%s", r->eval_session->id);
    ITEST_FREE(r);
    r = harness_session_start(s_shard(0), W.central_session, NULL, 4);
    ITEST_ASSERT_ERROR(r, S_ST(ILLEGAL_STATE), "present_member_ids");
    ITEST_FREE(r);
    r = harness_session_start(s_shard(0), W.central_session, NULL, 5);
    ITEST_ASSERT_OK(r);
    ITEST_FREE(r);
    static const char *const members[] = {"m1", "m2", "m3", "m4", "m5"};
    for (unsigned m = 0; m < 5; m++) {
        r = s_sheet(W.central_session, 2, members[m], 1, 1, 91);
        ITEST_ASSERT_OK(r);
        ITEST_FREE(r);
    }
    r = harness_session_close(s_shard(0), W.central_session, "QĐ 456/QĐ-BNNMT");
    ITEST_ASSERT_OK(r);
    assert_int_equal(r->eval_session->products[0]->stars, 5);
    ITEST_FREE(r);
    assert_int_equal(s_stars(2), 5);
    r = harness_eval_product_get(s_shard(0), W.products[2].product_id);
    ITEST_ASSERT_OK(r);
    snprintf(W.cert[2], sizeof W.cert[2], "%s", r->eval_product->certificate_id);
    ITEST_FREE(r);
    r = s_certificate(W.cert[2]);
    ITEST_ASSERT_OK(r);
    assert_int_equal(r->eval_certificate->stars, 5);
    assert_int_equal(r->eval_certificate->level, OCOP__EVAL_LEVEL__EVAL_LEVEL_CENTRAL);
    assert_int_equal(r->eval_certificate->state, OCOP__CERTIFICATE_STATE__CERTIFICATE_STATE_VALID);
    ITEST_FREE(r);
    r = harness_report_get(s_shard(0), W.data.province_a, NULL, (unsigned)ocop_date_year(W.today));
    ITEST_ASSERT_OK(r);
    assert_int_equal(r->eval_report->total->proposed5, 0);
    assert_int_equal(r->eval_report->total->stars5, 1);
    ITEST_FREE(r);
}

/* Every RatingChanged of shard 0 so far, in order: old, new. */
static void test_every_change_emitted_one_rating_event(void **state)
{
    (void)state;
    static const uint32_t expected[][2] = {{0, 4}, {0, 3}, {0, 5}};
    size_t seen = 0;
    uint64_t from = 1;
    for (int guard = 0; guard < 100; guard++) {
        Ocop__EventsFrom body = OCOP__EVENTS_FROM__INIT;
        body.from_sequence = from;
        Ocop__Request req = OCOP__REQUEST__INIT;
        req.body_case = OCOP__REQUEST__BODY_EVENTS_FROM;
        req.events_from = &body;
        Ocop__Reply *r;
        assert_int_equal(harness_call(s_shard(0), &req, &r), 0);
        ITEST_ASSERT_OK(r);
        size_t n = r->events->n_events;
        for (size_t i = 0; i < n; i++) {
            Ocop__Event *ev = ocop__event__unpack(NULL, r->events->events[i].len, r->events->events[i].data);
            assert_non_null(ev);
            assert_string_equal(ev->source, "evaluation");
            assert_int_equal(ev->shard, 1);
            from = ev->sequence + 1;
            if (ev->body_case == OCOP__EVENT__BODY_EVAL_RATING_CHANGED) {
                const Ocop__EvalRatingChanged *rc = ev->eval_rating_changed;
                assert_true(seen < 3);
                assert_int_equal(rc->old_stars, expected[seen][0]);
                assert_int_equal(rc->new_stars, expected[seen][1]);
                assert_string_equal(rc->policy, "26/2026/QĐ-TTg");
                assert_int_equal(strlen(rc->policy_digest), 64);
                assert_int_equal(strlen(rc->rubric_digest), 64);
                assert_true(strlen(rc->session_id) > 0);
                seen++;
            }
            ocop__event__free_unpacked(ev, NULL);
        }
        bool more = from <= r->events->last_sequence;
        ITEST_FREE(r);
        if (!more)
            break;
    }
    assert_int_equal(seen, 3);
}

static Ocop__Reply *s_revoke(const char *id, Ocop__RevocationReason reason, const char *ground, Ocop__EvalLevel by,
                             const char *finding_date)
{
    Ocop__EvalCertificateRevoke body = OCOP__EVAL_CERTIFICATE_REVOKE__INIT;
    body.id = (char *)id;
    body.reason = reason;
    body.ground = (char *)ground;
    body.by_level = by;
    body.finding_date = (char *)finding_date;
    body.note = "Kết luận kiểm tra";
    Ocop__Request req = OCOP__REQUEST__INIT;
    req.body_case = OCOP__REQUEST__BODY_EVAL_CERTIFICATE_REVOKE;
    req.eval_certificate_revoke = &body;
    Ocop__Reply *r;
    assert_int_equal(harness_call(s_shard(0), &req, &r), 0);
    return r;
}

/* Art. 8: six grounds; the province revokes 3★/4★, the ministry 5★; within 15 days of the
 * finding, a later revocation recorded as late. The older fixed reasons map to a ground. */
static void test_revocation(void **state)
{
    (void)state;
    Ocop__Reply *r = s_revoke(W.cert[1], OCOP__REVOCATION_REASON__REVOCATION_REASON_FOOD_SAFETY, "",
                              OCOP__EVAL_LEVEL__EVAL_LEVEL_UNSPECIFIED, "");
    ITEST_ASSERT_OK(r);
    const Ocop__EvalCertificate *c = r->eval_certificate;
    assert_int_equal(c->state, OCOP__CERTIFICATE_STATE__CERTIFICATE_STATE_REVOKED);
    assert_string_equal(c->revocation_ground, "law_violation");
    assert_string_equal(c->revocation_article, "Art. 8.1(c)");
    assert_int_equal(c->revoked_by, OCOP__EVAL_LEVEL__EVAL_LEVEL_PROVINCE);
    assert_string_equal(c->finding_date, W.today);
    assert_string_equal(c->revoked_on, W.today);
    assert_false(c->revoked_late);
    ITEST_FREE(r);
    assert_int_equal(s_stars(1), 0);
    r = s_revoke(W.cert[1], OCOP__REVOCATION_REASON__REVOCATION_REASON_FOOD_SAFETY, "",
                 OCOP__EVAL_LEVEL__EVAL_LEVEL_UNSPECIFIED, "");
    ITEST_ASSERT_ERROR(r, S_ST(ILLEGAL_STATE), "id");
    assert_non_null(strstr(r->message, "revoked"));
    ITEST_FREE(r);

    /* A 5★ certificate: not by the province (Art. 8.2(b)); a ground the policy lacks refused;
     * not_reevaluated is no ground under 26/2026 (expiry ends such a certificate). */
    r = s_revoke(W.cert[2], 0, "production_stopped", OCOP__EVAL_LEVEL__EVAL_LEVEL_PROVINCE, "");
    ITEST_ASSERT_ERROR(r, S_ST(FORBIDDEN), "by_level");
    assert_non_null(strstr(r->message, "revoked by the central level"));
    assert_non_null(strstr(r->message, "Art. 8"));
    ITEST_FREE(r);
    r = s_revoke(W.cert[2], 0, "not_reevaluated", OCOP__EVAL_LEVEL__EVAL_LEVEL_CENTRAL, "");
    ITEST_ASSERT_ERROR(r, S_ST(INVALID), "ground");
    assert_non_null(strstr(r->message, "false_dossier, criteria_not_met, law_violation, mark_misuse"));
    ITEST_FREE(r);
    r = s_revoke(W.cert[2], OCOP__REVOCATION_REASON__REVOCATION_REASON_NOT_REEVALUATED, "",
                 OCOP__EVAL_LEVEL__EVAL_LEVEL_CENTRAL, "");
    ITEST_ASSERT_ERROR(r, S_ST(INVALID), "reason");
    ITEST_FREE(r);
    r = harness_eval_product_get(s_shard(0), W.products[2].product_id);
    assert_int_equal(r->eval_product->stars, 5); /* every refusal changed nothing */
    ITEST_FREE(r);

    /* By the ministry, 20 days after the finding: revoked, recorded as late (Art. 8.4). */
    char finding[OCOP_DATE_LEN];
    ocop_date_add_days(W.today, -20, finding);
    r = s_revoke(W.cert[2], 0, "production_stopped", OCOP__EVAL_LEVEL__EVAL_LEVEL_CENTRAL, finding);
    ITEST_ASSERT_OK(r);
    assert_string_equal(r->eval_certificate->revocation_article, "Art. 8.1(đ)");
    assert_int_equal(r->eval_certificate->revoked_by, OCOP__EVAL_LEVEL__EVAL_LEVEL_CENTRAL);
    assert_true(r->eval_certificate->revoked_late);
    ITEST_FREE(r);
    assert_int_equal(s_stars(2), 0);
}

/* A shard restarted 37 months later expires product 0's certificate by itself. */
static void test_expiry_when_due(void **state)
{
    (void)state;
    /* A batch larger than the route takes is refused, not cut down. */
    Ocop__EvalExpireDue due = OCOP__EVAL_EXPIRE_DUE__INIT;
    due.max = 10001;
    Ocop__Request req = OCOP__REQUEST__INIT;
    req.body_case = OCOP__REQUEST__BODY_EVAL_EXPIRE_DUE;
    req.eval_expire_due = &due;
    Ocop__Reply *refused;
    assert_int_equal(harness_call(s_shard(0), &req, &refused), 0);
    ITEST_ASSERT_ERROR(refused, OCOP__STATUS__STATUS_INVALID, "max");
    ITEST_FREE(refused);
    assert_int_equal(harness_shard_stop(W.h, 0), 0);
    char offset[32];
    snprintf(offset, sizeof offset, "%lld", 37LL * 31 * 24 * 3600 * 1000);
    setenv("OCOP_CLOCK_OFFSET_MS", offset, 1);
    int rc = harness_shard_start(W.h, 0);
    unsetenv("OCOP_CLOCK_OFFSET_MS");
    assert_int_equal(rc, 0);
    Ocop__CertificateState state_now = OCOP__CERTIFICATE_STATE__CERTIFICATE_STATE_VALID;
    for (int i = 0; i < 300 && state_now == OCOP__CERTIFICATE_STATE__CERTIFICATE_STATE_VALID; i++) {
        Ocop__Reply *r = s_certificate(W.cert[0]);
        ITEST_ASSERT_OK(r);
        state_now = r->eval_certificate->state;
        ITEST_FREE(r);
        struct timespec ts = {0, 50 * 1000000L};
        nanosleep(&ts, NULL);
    }
    assert_int_equal(state_now, OCOP__CERTIFICATE_STATE__CERTIFICATE_STATE_EXPIRED);
    assert_int_equal(s_stars(0), 0);
    /* The report is history: the year's ratings stand. */
    Ocop__Reply *r = harness_report_get(s_shard(0), W.data.province_a, NULL, (unsigned)ocop_date_year(W.today));
    ITEST_ASSERT_OK(r);
    assert_int_equal(r->eval_report->total->products, 3);
    ITEST_FREE(r);
    /* Product 2's 5★ certificate was revoked; the shard keeps serving after a restart. */
    assert_int_equal(s_stars(2), 0);
    assert_int_equal(harness_shard_stop(W.h, 0), 0);
    assert_int_equal(harness_shard_start(W.h, 0), 0);
    assert_int_equal(s_stars(2), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_products_reach_the_owning_shard_only),
        cmocka_unit_test(test_wrong_shard_names_the_owner),
        cmocka_unit_test(test_council_attestation_and_quorum),
        cmocka_unit_test(test_sealed_sheets_and_rounds),
        cmocka_unit_test(test_close_caps_and_forwards),
        cmocka_unit_test(test_central_council_confers_five_stars),
        cmocka_unit_test(test_every_change_emitted_one_rating_event),
        cmocka_unit_test(test_revocation),
        cmocka_unit_test(test_expiry_when_due),
    };
    return cmocka_run_group_tests(tests, s_setup, s_teardown);
}
