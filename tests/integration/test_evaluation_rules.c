/* Integration: the rating rules that depend on the policy in force and on a product's past.
 *   - 148/QĐ-TTg (2024): a district council confers 3★ at most and forwards ≥ 70 to the
 *     province, which confers 4★; a knock-out condition flagged by a majority of the sheets
 *     means no star whatever the total (a minority changes nothing); a product not forwarded
 *     cannot be scored by the province.
 *   - A product registered under 148's catalogue has no sheet under 26/2026 until registration
 *     reclassifies it; then the shard serves it the 26/2026 form.
 *   - 26/2026 Art. 7.3(e) and 7.4(g): the province proposes a product of 90 or more to the
 *     ministry without recognising it; when the central council does not rate it 5★, the
 *     province certifies it on the central result (4★ here), once; under 1489 the product keeps
 *     the 4★ its province conferred when forwarding, and there is nothing to certify.
 *   - 26/2026 Art. 12.2: a dossier filed before 22 May 2026 finishes under 1489 until 21 July
 *     (60 days) and is refused after, with the article named; one session, one set of rules.
 *   - Art. 6.1, 7.6(a), 12.3: a certified product's dossier is an upgrade or a re-evaluation; a
 *     re-evaluation filed before its window opens is refused, one on its last day accepted, a late one
 *     keeps its certificate valid until the result, at most 180 days past expiry; decided more
 *     than 45 days after its filing, it is recorded as finished late.
 *   - Art. 7.2: the commune reports within 15 working days of receiving the dossier; a later
 *     report is recorded as late and listed for its commune and province.
 *   - Star minimums on the real sheets: a product at 85 points whose sheets, by a majority, miss
 *     one **** minimum is ranked 3★, with the minimum named; missed by a minority, it is 4★.
 *   - Two-phase sessions (1489/QĐ-TTg, today): phase 1 selects products with 3★ potential, which
 *     need laboratory results to go on; phase 2 decides.
 *   - Re-evaluation: 4★ → 3★ and then below 3★, each superseding the certificate and emitting
 *     one RatingChanged with the reason "re-evaluation".
 * One shard owns every province. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness.h"
#include "harness_eval.h"
#include "itest_assert.h"
#include "eval_holidays.h"
#include "ocop_date.h"

#define S_ST(x) OCOP__STATUS__STATUS_##x
#define S_N 12 /* 0..2, 9, 11: 2008 hierarchy, a district of Hà Nội; 3..8, 10: today's hierarchy */
#define S_OLD(k) ((k) < 3 || (k) == 8 || (k) == 9 || (k) == 11) /* registered under 148's catalogue */

static struct {
    harness_t *h;
    harness_data_t data;
    eval_rubrics_t *rubrics;
    char provinces[1024];
    harness_ready_t p[S_N];
    char district[16];
    char today[OCOP_DATE_LEN];
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
    harness_commune_t *communes;
    if (harness_communes(rules, "2008", &communes, &n) != 0)
        return -1;
    /* Three products in one district of Hà Nội (2008), two in province A today. */
    for (size_t i = 0; i < n && !W.district[0]; i++)
        if (strcmp(communes[i].province, "01") == 0 && communes[i].district[0]) {
            snprintf(W.district, sizeof W.district, "%s", communes[i].district);
            for (unsigned k = 0; k < S_N; k++)
                if (k < 3 || k == 9 || k == 11) {
                    snprintf(W.p[k].commune, sizeof W.p[k].commune, "%s", communes[i].code);
                    snprintf(W.p[k].unit_version, sizeof W.p[k].unit_version, "2008");
                }
        }
    free(communes);
    for (unsigned k = 0; k < S_N; k++) {
        if (k >= 3 && k != 9 && k != 11)
            snprintf(W.p[k].commune, sizeof W.p[k].commune, "%s", W.data.communes[(k - 3) % 3]);
        /* The 2008-hierarchy products were registered when 148's catalogue was in force (its
         * sector and set codes are those of today's catalogue for this set). */
        snprintf(W.p[k].catalogue, sizeof W.p[k].catalogue, "%s", S_OLD(k) ? "148" : W.data.catalogue_version);
        snprintf(W.p[k].sector, sizeof W.p[k].sector, "%s", W.data.sector);
        snprintf(W.p[k].product_set, sizeof W.p[k].product_set, "%s", W.data.product_set);
    }
    harness_options_t opts = {.shards = 1, .shard_provinces = {W.provinces}};
    W.h = harness_deploy(&opts);
    W.rubrics = harness_rubrics_load();
    ocop_day_of(harness_wall_ms(), W.today);
    return W.district[0] && W.h && W.rubrics ? 0 : -1;
}

static int s_teardown(void **state)
{
    (void)state;
    eval_rubrics_destroy(&W.rubrics);
    harness_destroy(&W.h);
    return 0;
}

static char *s_council(Ocop__EvalLevel level, const char *unit, const char *province, char *out)
{
    Ocop__Reply *r = harness_council_create(s_c(), level, unit, province, 3, 0);
    ITEST_ASSERT_OK(r);
    snprintf(out, 32, "%s", r->eval_council->id);
    ITEST_FREE(r);
    return out;
}

/* A started session of the given products; its id into out. */
static void s_session(const char *council, const char *date, const unsigned *idx, size_t n, bool two_phase, char *out)
{
    const char *ids[S_N];
    for (size_t i = 0; i < n; i++)
        ids[i] = W.p[idx[i]].product_id;
    Ocop__Reply *r = harness_session_open(s_c(), council, date, ids, n, two_phase);
    ITEST_ASSERT_OK(r);
    snprintf(out, 32, "%s", r->eval_session->id);
    ITEST_FREE(r);
    r = harness_session_start(s_c(), out, NULL, 3);
    ITEST_ASSERT_OK(r);
    ITEST_FREE(r);
}

/* The sheet product k is scored on (its catalogue's instrument has the same name). */
static const eval_rubric_t *s_rubric(unsigned k)
{
    return eval_rubrics_find(W.rubrics, W.p[k].catalogue, W.p[k].product_set);
}

/* Member m1..m3 scores product k with total (opts: a minimum held back, a knock-out). */
static Ocop__Reply *s_sheet(const char *session, unsigned k, unsigned member, unsigned phase, double total,
                            const harness_sheet_opts_t *opts)
{
    harness_sheet_t sheet;
    if (!s_rubric(k) || harness_sheet_init(&sheet, s_rubric(k), total, opts) != 0)
        return NULL;
    char m[8];
    snprintf(m, sizeof m, "m%u", member);
    harness_sheet_address(&sheet, session, W.p[k].product_id, m, phase, 1);
    Ocop__Reply *reply;
    if (harness_call(s_c(), &sheet.req, &reply) != 0)
        reply = NULL;
    harness_sheet_free(&sheet);
    return reply;
}

/* Members m1..m<n> score product k with total (phase 1). */
static void s_members_sheets(const char *session, unsigned k, unsigned n, double total)
{
    for (unsigned m = 1; m <= n; m++) {
        Ocop__Reply *r = s_sheet(session, k, m, 1, total, NULL);
        ITEST_ASSERT_OK(r);
        ITEST_FREE(r);
    }
}

/* The three members score product k; the first `odd` of them with opts. */
static void s_all_sheets(const char *session, unsigned k, unsigned phase, double total, unsigned odd,
                         const harness_sheet_opts_t *opts)
{
    for (unsigned m = 1; m <= 3; m++) {
        Ocop__Reply *r = s_sheet(session, k, m, phase, total, m <= odd ? opts : NULL);
        ITEST_ASSERT_OK(r);
        ITEST_FREE(r);
    }
}

static const Ocop__EvalSessionProduct *s_result(const Ocop__Reply *closed, unsigned k)
{
    for (size_t i = 0; i < closed->eval_session->n_products; i++)
        if (strcmp(closed->eval_session->products[i]->product_id, W.p[k].product_id) == 0)
            return closed->eval_session->products[i];
    fail_msg("product %u is not in the closed session", k);
    return NULL;
}

static Ocop__Reply *s_product(unsigned k)
{
    Ocop__Reply *r = harness_eval_product_get(s_c(), W.p[k].product_id);
    ITEST_ASSERT_OK(r);
    return r;
}

static Ocop__CertificateState s_cert_state(const char *id)
{
    Ocop__EvalCertificateGet body = OCOP__EVAL_CERTIFICATE_GET__INIT;
    body.id = (char *)id;
    Ocop__Request req = OCOP__REQUEST__INIT;
    req.body_case = OCOP__REQUEST__BODY_EVAL_CERTIFICATE_GET;
    req.eval_certificate_get = &body;
    Ocop__Reply *r;
    assert_int_equal(harness_call(s_c(), &req, &r), 0);
    ITEST_ASSERT_OK(r);
    Ocop__CertificateState state = r->eval_certificate->state;
    ITEST_FREE(r);
    return state;
}

static void test_make_ready(void **state)
{
    (void)state;
    size_t entity_of[S_N] = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11};
    assert_int_equal(harness_make_ready(W.h->client, W.p, entity_of, S_N, 148), 0);
    for (unsigned k = 0; k < S_N; k++)
        assert_int_equal(harness_shard_wait_product(W.h, 0, W.p[k].product_id), 0);
}

static void test_148_district_caps_and_forwards(void **state)
{
    (void)state;
    char district[32], province[32], session[32];
    const char *hanoi = W.p[0].current_province;
    s_council(OCOP__EVAL_LEVEL__EVAL_LEVEL_DISTRICT, W.district, hanoi, district);
    unsigned idx[] = {0, 1, 2};
    s_session(district, "2024-03-01", idx, 3, false, session);
    assert_true(s_rubric(2)->n_knockouts > 0);
    const harness_sheet_opts_t knock = {.knockout = s_rubric(2)->knockouts[0].id};
    s_all_sheets(session, 0, 1, 75, 1, &knock); /* one of three flags a knock-out: no finding */
    s_all_sheets(session, 1, 1, 60, 0, NULL);
    s_all_sheets(session, 2, 1, 75, 2, &knock); /* two of three do: knocked out */
    Ocop__Reply *r = harness_session_close(s_c(), session, "QĐ 10/QĐ-UBND huyện");
    ITEST_ASSERT_OK(r);
    assert_string_equal(r->eval_session->policy, "148/QĐ-TTg");
    const Ocop__EvalSessionProduct *sp = s_result(r, 0);
    assert_int_equal(sp->band_stars, 4);
    assert_int_equal(sp->stars, 3); /* a district confers 3★ at most */
    assert_true(sp->forwarded);
    assert_int_equal(sp->forward_to, OCOP__EVAL_LEVEL__EVAL_LEVEL_PROVINCE);
    sp = s_result(r, 1);
    assert_int_equal(sp->stars, 3);
    assert_false(sp->forwarded);
    assert_int_equal(sp->n_knockouts, 0);
    sp = s_result(r, 2);
    assert_int_equal(sp->n_knockouts, 1);
    assert_string_equal(sp->knockouts[0]->id, s_rubric(2)->knockouts[0].id);
    assert_int_equal(sp->knockouts[0]->sheets_flagging, 2);
    assert_non_null(strstr(sp->why, "knocked out"));
    assert_int_equal(sp->band_stars, 4);
    assert_int_equal(sp->ranked_stars, 0);
    assert_int_equal(sp->stars, 0);
    assert_false(sp->forwarded);
    assert_string_equal(sp->certificate_id, "");
    ITEST_FREE(r);

    char first_cert[32];
    r = s_product(0);
    assert_int_equal(r->eval_product->stars, 3);
    snprintf(first_cert, sizeof first_cert, "%s", r->eval_product->certificate_id);
    ITEST_FREE(r);
    r = s_product(2);
    assert_int_equal(r->eval_product->stars, 0);
    ITEST_FREE(r);

    s_council(OCOP__EVAL_LEVEL__EVAL_LEVEL_PROVINCE, hanoi, hanoi, province);
    const char *not_forwarded[] = {W.p[1].product_id};
    r = harness_session_open(s_c(), province, "2024-04-01", not_forwarded, 1, false);
    ITEST_ASSERT_ERROR(r, S_ST(ILLEGAL_STATE), "product_ids[0]");
    ITEST_FREE(r);
    unsigned forwarded[] = {0};
    s_session(province, "2024-04-01", forwarded, 1, false, session);
    s_all_sheets(session, 0, 1, 80, 0, NULL);
    r = harness_session_close(s_c(), session, "QĐ 20/QĐ-UBND tỉnh");
    ITEST_ASSERT_OK(r);
    assert_int_equal(s_result(r, 0)->stars, 4);
    ITEST_FREE(r);
    r = s_product(0);
    assert_int_equal(r->eval_product->stars, 4);
    assert_int_equal(r->eval_product->forwarded_to, OCOP__EVAL_LEVEL__EVAL_LEVEL_UNSPECIFIED);
    ITEST_FREE(r);
    assert_int_equal(s_cert_state(first_cert), OCOP__CERTIFICATE_STATE__CERTIFICATE_STATE_SUPERSEDED);
}

static void s_attest(unsigned k)
{
    Ocop__EvalAttest body = OCOP__EVAL_ATTEST__INIT;
    body.product_id = W.p[k].product_id;
    Ocop__Request req = OCOP__REQUEST__INIT;
    req.body_case = OCOP__REQUEST__BODY_EVAL_ATTEST;
    req.eval_attest = &body;
    Ocop__Reply *r;
    assert_int_equal(harness_call(s_c(), &req, &r), 0);
    ITEST_ASSERT_OK(r);
    ITEST_FREE(r);
}

/* A criterion whose 4★ minimum is above its first option and above its 3★ minimum: a sheet
 * can miss the first while meeting the second. */
static const eval_criterion_t *s_four_star_minimum(void)
{
    const eval_rubric_t *r = s_rubric(5);
    for (size_t i = 0; i < r->n_criteria; i++) {
        const eval_criterion_t *c = &r->criteria[i];
        if (c->alternative < 0 && c->requires[4] >= 1 && c->requires[4] - 1 >= c->requires[3])
            return c;
    }
    return NULL;
}

static void test_star_minimums_by_majority(void **state)
{
    (void)state;
    char council[32], session[32];
    const char *province = W.p[5].current_province;
    s_council(OCOP__EVAL_LEVEL__EVAL_LEVEL_PROVINCE, province, province, council);
    s_attest(5);
    s_attest(6);
    const eval_criterion_t *c = s_four_star_minimum();
    assert_non_null(c);
    const harness_sheet_opts_t below = {.below = c->id, .below_stars = 4};
    unsigned idx[] = {5, 6};
    s_session(council, W.today, idx, 2, false, session);
    s_all_sheets(session, 5, 1, 85, 2, &below); /* two of three miss the minimum */
    s_all_sheets(session, 6, 1, 85, 1, &below); /* one of three does */
    Ocop__Reply *r = harness_session_close(s_c(), session, "QĐ 35/QĐ-UBND");
    ITEST_ASSERT_OK(r);
    const Ocop__EvalSessionProduct *sp = s_result(r, 5);
    assert_true(sp->mean == 85);
    assert_int_equal(sp->band_stars, 4);
    assert_int_equal(sp->minimum_stars, 3);
    assert_int_equal(sp->ranked_stars, 3);
    assert_int_equal(sp->stars, 3);
    assert_int_equal(sp->n_minimums_missed, 1);
    assert_string_equal(sp->minimums_missed[0]->criterion_id, c->id);
    assert_int_equal(sp->minimums_missed[0]->stars, 4);
    assert_string_equal(sp->minimums_missed[0]->option_id, c->options[c->requires[4]].id);
    assert_int_equal(sp->minimums_missed[0]->sheets_reaching, 1);
    assert_int_equal(sp->minimums_missed[0]->sheets, 3);
    assert_non_null(strstr(sp->why, c->id));
    sp = s_result(r, 6);
    assert_true(sp->minimum_stars >= 4);
    assert_int_equal(sp->n_minimums_missed, 0);
    assert_int_equal(sp->stars, 4);
    ITEST_FREE(r);
    /* The kept sheets carry each member's own finding. */
    Ocop__EvalSheetList list = OCOP__EVAL_SHEET_LIST__INIT;
    list.session_id = session;
    list.product_id = W.p[5].product_id;
    Ocop__Request req = OCOP__REQUEST__INIT;
    req.body_case = OCOP__REQUEST__BODY_EVAL_SHEET_LIST;
    req.eval_sheet_list = &list;
    assert_int_equal(harness_call(s_c(), &req, &r), 0);
    ITEST_ASSERT_OK(r);
    assert_int_equal(r->eval_sheet_page->n_sheets, 3);
    unsigned below_four = 0;
    for (size_t i = 0; i < r->eval_sheet_page->n_sheets; i++) {
        assert_true(r->eval_sheet_page->sheets[i]->total == 85);
        below_four += r->eval_sheet_page->sheets[i]->minimum_stars == 3;
    }
    assert_int_equal(below_four, 2);
    ITEST_FREE(r);
}

/* The form product k is scored on at date (NULL: today). */
static Ocop__Reply *s_form(unsigned k, const char *date)
{
    Ocop__EvalFormGet get = OCOP__EVAL_FORM_GET__INIT;
    get.product_id = W.p[k].product_id;
    get.date = (char *)(date ? date : "");
    Ocop__Request req = OCOP__REQUEST__INIT;
    req.body_case = OCOP__REQUEST__BODY_EVAL_FORM_GET;
    req.eval_form_get = &get;
    Ocop__Reply *r;
    assert_int_equal(harness_call(s_c(), &req, &r), 0);
    return r;
}

static void test_reclassified_product_gets_the_new_sheet(void **state)
{
    (void)state;
    Ocop__Reply *r = s_form(1, NULL);
    ITEST_ASSERT_ERROR(r, S_ST(NOT_FOUND), "product_id");
    assert_non_null(strstr(r->message, "reclassify it first"));
    ITEST_FREE(r);
    /* An old date gives the sheet then in force. */
    r = s_form(1, "2024-03-01");
    ITEST_ASSERT_OK(r);
    assert_string_equal(r->eval_form->policy, "148/QĐ-TTg");
    assert_true(r->eval_form->by_options && r->eval_form->official);
    ITEST_FREE(r);

    Ocop__RegProductReclassify move = OCOP__REG_PRODUCT_RECLASSIFY__INIT;
    Ocop__Request req = OCOP__REQUEST__INIT;
    move.product_id = W.p[1].product_id;
    move.catalogue_version = "26-2026";
    move.product_set_code = W.p[1].product_set;
    move.reason = "Quyết định 26/2026/QĐ-TTg có hiệu lực";
    req.body_case = OCOP__REQUEST__BODY_REG_PRODUCT_RECLASSIFY;
    req.reg_product_reclassify = &move;
    req.request_id = "";
    assert_int_equal(harness_call(W.h->client, &req, &r), 0);
    ITEST_ASSERT_OK(r);
    ITEST_FREE(r);
    /* The shard learns it from registration's event (bounded wait). */
    for (int tries = 0;; tries++) {
        r = s_form(1, NULL);
        if (r->status == OCOP__STATUS__STATUS_OK)
            break;
        ITEST_FREE(r);
        assert_true(tries < 100);
        usleep(50 * 1000);
    }
    char rubric[32];
    snprintf(rubric, sizeof rubric, "26-2026/%s", W.p[1].product_set);
    assert_string_equal(r->eval_form->rubric, rubric);
    assert_string_equal(r->eval_form->policy, "26/2026/QĐ-TTg");
    assert_true(r->eval_form->n_criteria > 20);
    assert_true(r->eval_form->n_knockouts > 0);
    ITEST_FREE(r);
}

/* Districts ended on 1 Jul 2025, 1489 only took effect on 6 Jul: from 1 to 5 July a 148
 * district council may not sit, and the province is the first level that scores. */
static void test_no_district_council_after_june_2025(void **state)
{
    (void)state;
    char district[32], province[32];
    const char *hanoi = W.p[1].current_province;
    s_council(OCOP__EVAL_LEVEL__EVAL_LEVEL_DISTRICT, W.district, hanoi, district);
    const char *last_day[] = {W.p[2].product_id};
    Ocop__Reply *r = harness_session_open(s_c(), district, "2025-06-30", last_day, 1, false);
    ITEST_ASSERT_OK(r); /* the last day districts sat */
    ITEST_FREE(r);
    const char *ids[] = {W.p[1].product_id};
    r = harness_session_open(s_c(), district, "2025-07-01", ids, 1, false);
    ITEST_ASSERT_ERROR(r, S_ST(ILLEGAL_STATE), "council_id");
    assert_non_null(strstr(r->message, "148/QĐ-TTg district councils sat until 2025-06-30"));
    ITEST_FREE(r);
    /* Product 1 was never forwarded by its district: on 3 July the province scores it first. */
    s_council(OCOP__EVAL_LEVEL__EVAL_LEVEL_PROVINCE, hanoi, hanoi, province);
    r = harness_session_open(s_c(), province, "2025-07-03", ids, 1, false);
    ITEST_ASSERT_OK(r);
    assert_string_equal(r->eval_session->policy, "148/QĐ-TTg");
    ITEST_FREE(r);
}

static Ocop__Reply *s_central_result_certify(unsigned k, const char *decision_date)
{
    Ocop__EvalCentralResultCertify body = OCOP__EVAL_CENTRAL_RESULT_CERTIFY__INIT;
    body.product_id = W.p[k].product_id;
    body.decision_ref = "QĐ 77/QĐ-UBND";
    body.decision_date = (char *)decision_date;
    Ocop__Request req = OCOP__REQUEST__INIT;
    req.body_case = OCOP__REQUEST__BODY_EVAL_CENTRAL_RESULT_CERTIFY;
    req.eval_central_result_certify = &body;
    Ocop__Reply *r;
    assert_int_equal(harness_call(s_c(), &req, &r), 0);
    return r;
}

static void test_central_refusal_then_province_certifies(void **state)
{
    (void)state;
    char council[32], central[32], session[32];
    const char *province = W.p[7].current_province;
    s_attest(7);
    s_council(OCOP__EVAL_LEVEL__EVAL_LEVEL_PROVINCE, province, province, council);
    unsigned idx[] = {7};
    s_session(council, W.today, idx, 1, false, session);
    s_all_sheets(session, 7, 1, 95, 0, NULL);
    Ocop__Reply *r = harness_session_close(s_c(), session, "QĐ 70/QĐ-UBND");
    ITEST_ASSERT_OK(r);
    const Ocop__EvalSessionProduct *sp = s_result(r, 7);
    assert_int_equal(sp->ranked_stars, 5);
    assert_int_equal(sp->stars, 0); /* proposed, not recognised (Art. 7.3(e)) */
    assert_true(sp->forwarded);
    ITEST_FREE(r);
    r = s_central_result_certify(7, W.today);
    ITEST_ASSERT_ERROR(r, S_ST(ILLEGAL_STATE), "product_id"); /* no central result yet */
    ITEST_FREE(r);

    r = harness_council_create(s_c(), OCOP__EVAL_LEVEL__EVAL_LEVEL_CENTRAL, "", province, 7, 0);
    ITEST_ASSERT_OK(r);
    snprintf(central, sizeof central, "%s", r->eval_council->id);
    ITEST_FREE(r);
    const char *ids[] = {W.p[7].product_id};
    r = harness_session_open(s_c(), central, W.today, ids, 1, false);
    ITEST_ASSERT_OK(r);
    snprintf(session, sizeof session, "%s", r->eval_session->id);
    ITEST_FREE(r);
    r = harness_session_start(s_c(), session, NULL, 5);
    ITEST_ASSERT_OK(r);
    ITEST_FREE(r);
    s_members_sheets(session, 7, 5, 85);
    r = harness_session_close(s_c(), session, "QĐ 80/QĐ-BNNMT");
    ITEST_ASSERT_OK(r);
    assert_int_equal(r->eval_session->products[0]->stars, 0); /* the ministry confers 5★ only */
    ITEST_FREE(r);
    r = s_product(7);
    assert_int_equal(r->eval_product->stars, 0);
    assert_string_equal(r->eval_product->central_session_id, session);
    assert_int_equal(r->eval_product->central_ranked_stars, 4);
    ITEST_FREE(r);

    r = s_central_result_certify(7, "2020-01-01");
    ITEST_ASSERT_ERROR(r, S_ST(INVALID), "decision_date");
    ITEST_FREE(r);
    r = s_central_result_certify(7, W.today);
    ITEST_ASSERT_OK(r);
    assert_int_equal(r->eval_certificate->stars, 4);
    assert_int_equal(r->eval_certificate->level, OCOP__EVAL_LEVEL__EVAL_LEVEL_PROVINCE);
    assert_string_equal(r->eval_certificate->decision_ref, "QĐ 77/QĐ-UBND");
    assert_string_equal(r->eval_certificate->issued, W.today);
    ITEST_FREE(r);
    r = s_product(7);
    assert_int_equal(r->eval_product->stars, 4);
    assert_string_equal(r->eval_product->central_session_id, "");
    ITEST_FREE(r);
    r = s_central_result_certify(7, W.today);
    ITEST_ASSERT_ERROR(r, S_ST(ILLEGAL_STATE), "product_id"); /* once */
    ITEST_FREE(r);
}

/* Opens (not starts) a session of product k with its dossier, in a round of the council whose
 * cut-off is on or after date; the reply. */
static Ocop__Reply *s_open_dossier(const char *council, const char *date, unsigned k, Ocop__DossierKind kind,
                                   const char *filed)
{
    char round[HARNESS_ID_LEN];
    assert_int_equal(harness_round_for(s_c(), council, date, round), 0);
    Ocop__EvalDossier d = OCOP__EVAL_DOSSIER__INIT, *ds[] = {&d};
    d.product_id = W.p[k].product_id;
    d.kind = kind;
    d.filed = (char *)filed;
    char *ids[] = {W.p[k].product_id};
    Ocop__EvalSessionOpen body = OCOP__EVAL_SESSION_OPEN__INIT;
    body.council_id = (char *)council;
    body.date = (char *)date;
    body.product_ids = ids;
    body.n_product_ids = 1;
    body.dossiers = ds;
    body.n_dossiers = 1;
    body.round_id = round;
    Ocop__Request req = OCOP__REQUEST__INIT;
    req.body_case = OCOP__REQUEST__BODY_EVAL_SESSION_OPEN;
    req.eval_session_open = &body;
    Ocop__Reply *r;
    assert_int_equal(harness_call(s_c(), &req, &r), 0);
    return r;
}

/* Art. 12.2: product 8 (148's catalogue) filed its first dossier on 10 May 2026. */
static void test_handover_window(void **state)
{
    (void)state;
    char council[32];
    const char *province = W.p[8].current_province;
    s_attest(8);
    s_council(OCOP__EVAL_LEVEL__EVAL_LEVEL_PROVINCE, province, province, council);
    Ocop__Reply *r = s_open_dossier(council, "2026-07-22", 8, OCOP__DOSSIER_KIND__DOSSIER_KIND_FIRST, "2026-05-10");
    ITEST_ASSERT_ERROR(r, S_ST(ILLEGAL_STATE), "product_ids[0]");
    assert_non_null(strstr(r->message, "Art. 12.2"));
    assert_non_null(strstr(r->message, "until 2026-07-21"));
    ITEST_FREE(r);
    /* Filed on the day 26/2026 took effect: its rules, whose sheets need 26/2026's catalogue. */
    r = s_open_dossier(council, "2026-07-22", 8, OCOP__DOSSIER_KIND__DOSSIER_KIND_FIRST, "2026-05-22");
    ITEST_ASSERT_ERROR(r, S_ST(INVALID), "product_ids[0]");
    assert_non_null(strstr(r->message, "no rubric of 26-2026"));
    ITEST_FREE(r);
    /* One session, one set of rules. */
    Ocop__EvalDossier d = OCOP__EVAL_DOSSIER__INIT, *ds[] = {&d};
    d.product_id = W.p[8].product_id;
    d.kind = OCOP__DOSSIER_KIND__DOSSIER_KIND_FIRST;
    d.filed = "2026-05-10";
    const char *two[] = {W.p[8].product_id, W.p[4].product_id};
    Ocop__EvalSessionOpen body = OCOP__EVAL_SESSION_OPEN__INIT;
    body.council_id = council;
    body.date = "2026-07-01";
    body.product_ids = (char **)two;
    body.n_product_ids = 2;
    body.dossiers = ds;
    body.n_dossiers = 1;
    Ocop__Request req = OCOP__REQUEST__INIT;
    req.body_case = OCOP__REQUEST__BODY_EVAL_SESSION_OPEN;
    req.eval_session_open = &body;
    assert_int_equal(harness_call(s_c(), &req, &r), 0);
    ITEST_ASSERT_ERROR(r, S_ST(ILLEGAL_STATE), "product_ids[1]");
    assert_non_null(strstr(r->message, "one session, one set of rules"));
    ITEST_FREE(r);
    /* The last day of the window: under the rules of its filing day, 1489 and 148's sheets. */
    r = s_open_dossier(council, "2026-07-21", 8, OCOP__DOSSIER_KIND__DOSSIER_KIND_FIRST, "2026-05-10");
    ITEST_ASSERT_OK(r);
    assert_string_equal(r->eval_session->policy, "1489/QĐ-TTg");
    assert_int_equal(r->eval_session->products[0]->dossier_kind, OCOP__DOSSIER_KIND__DOSSIER_KIND_FIRST);
    assert_string_equal(r->eval_session->products[0]->dossier_filed, "2026-05-10");
    char rubric[32];
    snprintf(rubric, sizeof rubric, "148/%s", W.p[8].product_set);
    assert_string_equal(r->eval_session->products[0]->rubric, rubric);
    ITEST_FREE(r);
}

/* Under 1489 (product 8's dossier of 10 May 2026, in its 1489 session of 21 July): the province
 * confers 4★ and forwards a 95; the central council does not recognise it; the product keeps
 * the province's 4★ and there is nothing for the province to certify (the policy's
 * after_central_below), unlike 26/2026 Art. 7.4(g). */
static void test_central_refusal_under_1489_keeps_stars(void **state)
{
    (void)state;
    char session[32], central[32];
    const char *province = W.p[8].current_province;
    Ocop__Reply *r = s_product(8);
    snprintf(session, sizeof session, "%s", r->eval_product->session_id);
    ITEST_FREE(r);
    r = harness_session_start(s_c(), session, NULL, 3);
    ITEST_ASSERT_OK(r);
    ITEST_FREE(r);
    s_all_sheets(session, 8, 1, 95, 0, NULL);
    r = harness_session_close(s_c(), session, "QĐ 88/QĐ-UBND");
    ITEST_ASSERT_OK(r);
    assert_string_equal(r->eval_session->policy, "1489/QĐ-TTg");
    assert_int_equal(r->eval_session->products[0]->stars, 4); /* 1489: conferred and forwarded */
    assert_true(r->eval_session->products[0]->forwarded);
    ITEST_FREE(r);
    r = harness_council_create(s_c(), OCOP__EVAL_LEVEL__EVAL_LEVEL_CENTRAL, "", province, 7, 0);
    ITEST_ASSERT_OK(r);
    snprintf(central, sizeof central, "%s", r->eval_council->id);
    ITEST_FREE(r);
    r = s_open_dossier(central, "2026-07-21", 8, OCOP__DOSSIER_KIND__DOSSIER_KIND_FIRST, "2026-05-10");
    ITEST_ASSERT_OK(r);
    snprintf(session, sizeof session, "%s", r->eval_session->id);
    ITEST_FREE(r);
    r = harness_session_start(s_c(), session, NULL, 5);
    ITEST_ASSERT_OK(r);
    ITEST_FREE(r);
    s_members_sheets(session, 8, 5, 85);
    r = harness_session_close(s_c(), session, "QĐ 89/QĐ-BNNMT");
    ITEST_ASSERT_OK(r);
    assert_int_equal(r->eval_session->products[0]->stars, 0);
    ITEST_FREE(r);
    r = s_product(8);
    assert_int_equal(r->eval_product->stars, 4); /* kept */
    ITEST_FREE(r);
    r = s_central_result_certify(8, W.today);
    ITEST_ASSERT_ERROR(r, S_ST(ILLEGAL_STATE), "product_id");
    assert_non_null(strstr(r->message, "keeps the province's stars"));
    ITEST_FREE(r);
}

/* Product k (a 2008 commune of W.district, 148's catalogue) rated 3★ by its district on
 * 2023-12-10 (148: 36 months from the session: valid until 10 Dec 2026), then moved to 26/2026's
 * catalogue and attested; its certificate into cert (32 bytes). */
static void s_certified_in_2023(unsigned k, char *cert)
{
    char district[32], session[32];
    s_council(OCOP__EVAL_LEVEL__EVAL_LEVEL_DISTRICT, W.district, W.p[k].current_province, district);
    unsigned idx[] = {k};
    s_session(district, "2023-12-10", idx, 1, false, session);
    s_all_sheets(session, k, 1, 60, 0, NULL);
    Ocop__Reply *r = harness_session_close(s_c(), session, "QĐ 9/QĐ-UBND huyện");
    ITEST_ASSERT_OK(r);
    ITEST_FREE(r);
    r = s_product(k);
    assert_int_equal(r->eval_product->stars, 3);
    snprintf(cert, 32, "%s", r->eval_product->certificate_id);
    ITEST_FREE(r);
    Ocop__RegProductReclassify move = OCOP__REG_PRODUCT_RECLASSIFY__INIT;
    move.product_id = W.p[k].product_id;
    move.catalogue_version = "26-2026";
    move.product_set_code = W.p[k].product_set;
    move.reason = "Quyết định 26/2026/QĐ-TTg";
    Ocop__Request req = OCOP__REQUEST__INIT;
    req.body_case = OCOP__REQUEST__BODY_REG_PRODUCT_RECLASSIFY;
    req.reg_product_reclassify = &move;
    assert_int_equal(harness_call(W.h->client, &req, &r), 0);
    ITEST_ASSERT_OK(r);
    ITEST_FREE(r);
    snprintf(W.p[k].catalogue, sizeof W.p[k].catalogue, "26-2026"); /* its sheet from now on */
    for (int tries = 0;; tries++) {
        r = s_product(k);
        bool moved = strcmp(r->eval_product->catalogue_version, "26-2026") == 0;
        ITEST_FREE(r);
        if (moved)
            break;
        assert_true(tries < 100);
        usleep(50 * 1000);
    }
    s_attest(k);
}

static Ocop__EvalCertificate *s_certificate_of(const char *id, Ocop__Reply **r)
{
    Ocop__EvalCertificateGet get = OCOP__EVAL_CERTIFICATE_GET__INIT;
    get.id = (char *)id;
    Ocop__Request req = OCOP__REQUEST__INIT;
    req.body_case = OCOP__REQUEST__BODY_EVAL_CERTIFICATE_GET;
    req.eval_certificate_get = &get;
    assert_int_equal(harness_call(s_c(), &req, r), 0);
    ITEST_ASSERT_OK(*r);
    return (*r)->eval_certificate;
}

/* Art. 7.6(a), 12.3: the window for a certificate expiring 10 Dec 2026 runs from 13 June to 12
 * August 2026. Product 11 files inside it; product 9 before it, then late. */
static void test_reevaluation_window(void **state)
{
    (void)state;
    char province[32], session[32], cert[32], cert11[32];
    const char *hanoi = W.p[9].current_province;
    s_certified_in_2023(9, cert);
    s_certified_in_2023(11, cert11);
    s_council(OCOP__EVAL_LEVEL__EVAL_LEVEL_PROVINCE, hanoi, hanoi, province);
    Ocop__Reply *r = s_open_dossier(province, W.today, 11, OCOP__DOSSIER_KIND__DOSSIER_KIND_REEVALUATION, "2026-08-12");
    ITEST_ASSERT_OK(r); /* the window's last day: not extended */
    ITEST_FREE(r);
    assert_string_equal(s_certificate_of(cert11, &r)->extended_to, "");
    ITEST_FREE(r);
    /* Certified: say what the dossier is. */
    r = harness_session_open(s_c(), province, W.today, (const char *[]){W.p[9].product_id}, 1, false);
    ITEST_ASSERT_ERROR(r, S_ST(INVALID), "product_ids[0]");
    assert_non_null(strstr(r->message, "upgrade or a re-evaluation"));
    ITEST_FREE(r);
    r = s_open_dossier(province, W.today, 9, OCOP__DOSSIER_KIND__DOSSIER_KIND_FIRST, W.today);
    ITEST_ASSERT_ERROR(r, S_ST(INVALID), "product_ids[0]");
    ITEST_FREE(r);
    /* The window opens 180 days before 10 Dec 2026: 13 Jun 2026. */
    r = s_open_dossier(province, W.today, 9, OCOP__DOSSIER_KIND__DOSSIER_KIND_REEVALUATION, "2026-06-12");
    ITEST_ASSERT_ERROR(r, S_ST(ILLEGAL_STATE), "product_ids[0]");
    assert_non_null(strstr(r->message, "opens the filing on 2026-06-13"));
    ITEST_FREE(r);
    /* Late (after 12 Aug 2026): accepted, its certificate valid until the result, at most 180
     * days past 10 Dec 2026. */
    r = s_open_dossier(province, W.today, 9, OCOP__DOSSIER_KIND__DOSSIER_KIND_REEVALUATION, "2026-10-01");
    ITEST_ASSERT_OK(r);
    ITEST_FREE(r);
    const Ocop__EvalCertificate *c = s_certificate_of(cert, &r);
    assert_string_equal(c->expires, "2026-12-10");
    assert_string_equal(c->extended_to, "2027-06-08");
    ITEST_FREE(r);
    /* Decided today, more than 45 days after 1 October: finished late (Art. 7.6(g)); the new
     * certificate supersedes the extended one. */
    r = s_product(9);
    snprintf(session, sizeof session, "%s", r->eval_product->session_id);
    ITEST_FREE(r);
    r = harness_session_start(s_c(), session, NULL, 3);
    ITEST_ASSERT_OK(r);
    ITEST_FREE(r);
    s_all_sheets(session, 9, 1, 62, 0, NULL);
    r = harness_session_close(s_c(), session, "QĐ 99/QĐ-UBND");
    ITEST_ASSERT_OK(r);
    assert_true(r->eval_session->products[0]->finished_late);
    assert_int_equal(r->eval_session->products[0]->dossier_kind, OCOP__DOSSIER_KIND__DOSSIER_KIND_REEVALUATION);
    assert_int_equal(r->eval_session->products[0]->stars, 3);
    ITEST_FREE(r);
    assert_int_equal(s_cert_state(cert), OCOP__CERTIFICATE_STATE__CERTIFICATE_STATE_SUPERSEDED);
}

static Ocop__Reply *s_attest_on(unsigned k, const char *received, const char *reported)
{
    Ocop__EvalAttest body = OCOP__EVAL_ATTEST__INIT;
    body.product_id = W.p[k].product_id;
    body.received = (char *)received;
    body.reported = (char *)reported;
    Ocop__Request req = OCOP__REQUEST__INIT;
    req.body_case = OCOP__REQUEST__BODY_EVAL_ATTEST;
    req.eval_attest = &body;
    Ocop__Reply *r;
    assert_int_equal(harness_call(s_c(), &req, &r), 0);
    return r;
}

/* How many times the late list of province (commune: "" = all) names product, with its working
 * days late into *days when days is not NULL. */
static size_t s_late(const char *province, const char *commune, const char *product, int *days)
{
    Ocop__EvalLateDossiersGet body = OCOP__EVAL_LATE_DOSSIERS_GET__INIT;
    body.province_code = (char *)province;
    body.commune_code = (char *)commune;
    Ocop__Request req = OCOP__REQUEST__INIT;
    req.body_case = OCOP__REQUEST__BODY_EVAL_LATE_DOSSIERS_GET;
    req.eval_late_dossiers_get = &body;
    Ocop__Reply *r;
    assert_int_equal(harness_call(s_c(), &req, &r), 0);
    ITEST_ASSERT_OK(r);
    size_t found = 0;
    for (size_t i = 0; i < r->eval_late_dossiers->n_dossiers; i++)
        if (strcmp(r->eval_late_dossiers->dossiers[i]->product_id, product ? product : "") == 0) {
            found++;
            if (days)
                *days = (int)r->eval_late_dossiers->dossiers[i]->working_days_late;
        }
    ITEST_FREE(r);
    return found;
}

/* Art. 7.2 on product 10: 15 working days on the calendar of public holidays (National Day, 2
 * September 2026, off); then received 25 days ago (at least 17 working days), reported today. */
static void test_commune_report_time_limit(void **state)
{
    (void)state;
    char path[HARNESS_PATH_MAX + 16], err[256] = "";
    snprintf(path, sizeof path, "%s/holidays.json", W.h->eval_rules_dir);
    eval_holidays_t *holidays = eval_holidays_load(path, err, sizeof err);
    if (!holidays)
        fail_msg("%s", err);
    Ocop__Reply *r = s_attest_on(10, "2026-08-31", "2026-09-21");
    ITEST_ASSERT_OK(r);
    assert_string_equal(r->eval_product->attestation_deadline, "2026-09-22"); /* 2026-09-21 Monday to Friday */
    assert_false(r->eval_product->attestation_late);
    ITEST_FREE(r);
    /* Reported on Monday 28 Sep: four working days after the deadline. */
    r = s_attest_on(10, "2026-08-31", "2026-09-28");
    ITEST_ASSERT_OK(r);
    assert_true(r->eval_product->attestation_late);
    ITEST_FREE(r);
    int days = -1;
    assert_int_equal(s_late(W.p[10].current_province, "", W.p[10].product_id, &days), 1);
    assert_int_equal(days, 4);

    char received[OCOP_DATE_LEN], deadline[OCOP_DATE_LEN];
    ocop_date_add_days(W.today, -25, received);
    ocop_date_add_working_days(received, 15, eval_holidays_calendar(holidays), deadline);
    eval_holidays_destroy(&holidays);
    r = s_attest_on(10, W.today, received);
    ITEST_ASSERT_ERROR(r, S_ST(INVALID), "received"); /* received after the report */
    ITEST_FREE(r);
    r = s_attest_on(10, received, "");
    ITEST_ASSERT_OK(r);
    assert_string_equal(r->eval_product->attestation_deadline, deadline);
    assert_true(r->eval_product->attestation_late);
    ITEST_FREE(r);
    const char *province = W.p[10].current_province;
    assert_int_equal(s_late(province, "", W.p[10].product_id, NULL), 1);
    assert_int_equal(s_late(province, W.p[10].commune, W.p[10].product_id, NULL), 1);
    assert_int_equal(s_late(province, W.p[5].commune, W.p[10].product_id, NULL), 0); /* another commune */
    /* Reported again on time (received today): no longer late, no longer listed. */
    r = s_attest_on(10, W.today, W.today);
    ITEST_ASSERT_OK(r);
    assert_false(r->eval_product->attestation_late);
    ITEST_FREE(r);
    assert_int_equal(s_late(province, "", W.p[10].product_id, NULL), 0);
}

static void test_two_phase_session(void **state)
{
    (void)state;
    char council[32], session[32];
    const char *province = W.p[3].current_province;
    s_council(OCOP__EVAL_LEVEL__EVAL_LEVEL_PROVINCE, province, province, council);
    for (unsigned k = 3; k < 5; k++)
        s_attest(k);
    unsigned idx[] = {3, 4};
    s_session(council, W.today, idx, 2, true, session);
    s_all_sheets(session, 3, 1, 65, 0, NULL);
    s_all_sheets(session, 4, 1, 40, 0, NULL);
    Ocop__Reply *r = harness_session_close(s_c(), session, "too early");
    ITEST_ASSERT_ERROR(r, S_ST(ILLEGAL_STATE), "session_id");
    ITEST_FREE(r);

    Ocop__EvalPhaseAdvance adv = OCOP__EVAL_PHASE_ADVANCE__INIT;
    adv.session_id = session;
    Ocop__Request req = OCOP__REQUEST__INIT;
    req.body_case = OCOP__REQUEST__BODY_EVAL_PHASE_ADVANCE;
    req.eval_phase_advance = &adv;
    assert_int_equal(harness_call(s_c(), &req, &r), 0);
    ITEST_ASSERT_ERROR(r, S_ST(INVALID), "lab_results");
    assert_non_null(strstr(r->message, W.p[3].product_id));
    ITEST_FREE(r);
    Ocop__EvalLabResult lab = OCOP__EVAL_LAB_RESULT__INIT, *labs[] = {&lab};
    lab.product_id = W.p[3].product_id;
    lab.reference = "Phiếu kết quả thử nghiệm số 123/KQ-QUATEST";
    adv.lab_results = labs;
    adv.n_lab_results = 1;
    req.request_id = "";
    assert_int_equal(harness_call(s_c(), &req, &r), 0);
    ITEST_ASSERT_OK(r);
    assert_int_equal(r->eval_session->phase, 2);
    ITEST_FREE(r);

    r = s_sheet(session, 4, 1, 2, 50, NULL);
    ITEST_ASSERT_ERROR(r, S_ST(ILLEGAL_STATE), "product_id"); /* not selected */
    ITEST_FREE(r);
    r = s_sheet(session, 3, 1, 1, 50, NULL);
    ITEST_ASSERT_ERROR(r, S_ST(ILLEGAL_STATE), "phase");
    ITEST_FREE(r);
    s_all_sheets(session, 3, 2, 72, 0, NULL);
    r = harness_session_close(s_c(), session, "QĐ 30/QĐ-UBND");
    ITEST_ASSERT_OK(r);
    const Ocop__EvalSessionProduct *sp = s_result(r, 3);
    assert_true(sp->selected);
    assert_string_equal(sp->lab_reference, "Phiếu kết quả thử nghiệm số 123/KQ-QUATEST");
    assert_true(sp->mean == 72);
    assert_int_equal(sp->stars, 4);
    sp = s_result(r, 4);
    assert_false(sp->selected);
    assert_true(sp->mean == 40);
    assert_int_equal(sp->stars, 0);
    ITEST_FREE(r);
}

/* A started session of certified product k on its upgrade dossier filed today. */
static void s_upgrade_session(const char *council, unsigned k, char *out)
{
    Ocop__Reply *r = s_open_dossier(council, W.today, k, OCOP__DOSSIER_KIND__DOSSIER_KIND_UPGRADE, W.today);
    ITEST_ASSERT_OK(r);
    snprintf(out, 32, "%s", r->eval_session->id);
    ITEST_FREE(r);
    r = harness_session_start(s_c(), out, NULL, 3);
    ITEST_ASSERT_OK(r);
    ITEST_FREE(r);
}

static void test_reevaluation_downgrades(void **state)
{
    (void)state;
    char council[32], session[32], cert[32];
    const char *province = W.p[3].current_province;
    s_council(OCOP__EVAL_LEVEL__EVAL_LEVEL_PROVINCE, province, province, council);
    Ocop__Reply *r = s_product(3);
    assert_int_equal(r->eval_product->stars, 4);
    snprintf(cert, sizeof cert, "%s", r->eval_product->certificate_id);
    ITEST_FREE(r);
    /* Certified products are rated again on an upgrade dossier (Art. 6.1(b)), whatever comes. */
    s_upgrade_session(council, 3, session);
    s_all_sheets(session, 3, 1, 60, 0, NULL);
    r = harness_session_close(s_c(), session, "QĐ 40/QĐ-UBND");
    ITEST_ASSERT_OK(r);
    ITEST_FREE(r);
    r = s_product(3);
    assert_int_equal(r->eval_product->stars, 3);
    assert_string_not_equal(r->eval_product->certificate_id, cert);
    snprintf(cert + 0, sizeof cert, "%s", r->eval_product->certificate_id);
    ITEST_FREE(r);
    s_upgrade_session(council, 3, session);
    s_all_sheets(session, 3, 1, 45, 0, NULL);
    r = harness_session_close(s_c(), session, "QĐ 41/QĐ-UBND");
    ITEST_ASSERT_OK(r);
    ITEST_FREE(r);
    r = s_product(3);
    assert_int_equal(r->eval_product->stars, 0);
    assert_string_equal(r->eval_product->certificate_id, "");
    ITEST_FREE(r);
    assert_int_equal(s_cert_state(cert), OCOP__CERTIFICATE_STATE__CERTIFICATE_STATE_SUPERSEDED);

    /* The product's RatingChanged events: 0→4, 4→3, 3→0, the last two as re-evaluations. */
    static const uint32_t expected[][2] = {{0, 4}, {4, 3}, {3, 0}};
    size_t seen = 0;
    Ocop__EventsFrom body = OCOP__EVENTS_FROM__INIT;
    body.from_sequence = 1;
    body.max = 10000;
    Ocop__Request req = OCOP__REQUEST__INIT;
    req.body_case = OCOP__REQUEST__BODY_EVENTS_FROM;
    req.events_from = &body;
    assert_int_equal(harness_call(s_c(), &req, &r), 0);
    ITEST_ASSERT_OK(r);
    assert_int_equal(r->events->n_events, r->events->last_sequence);
    for (size_t i = 0; i < r->events->n_events; i++) {
        Ocop__Event *ev = ocop__event__unpack(NULL, r->events->events[i].len, r->events->events[i].data);
        assert_non_null(ev);
        if (ev->body_case == OCOP__EVENT__BODY_EVAL_RATING_CHANGED &&
            strcmp(ev->eval_rating_changed->product_id, W.p[3].product_id) == 0) {
            assert_true(seen < 3);
            assert_int_equal(ev->eval_rating_changed->old_stars, expected[seen][0]);
            assert_int_equal(ev->eval_rating_changed->new_stars, expected[seen][1]);
            assert_string_equal(ev->eval_rating_changed->reason, seen == 0 ? "evaluation" : "re-evaluation");
            seen++;
        }
        ocop__event__free_unpacked(ev, NULL);
    }
    ITEST_FREE(r);
    assert_int_equal(seen, 3);
}

/* Art. 7.3(e) on a certified product: product 5 (3★) files an upgrade and scores 95 at the
 * province; it is proposed to the ministry and keeps its 3★ certificate meanwhile. */
static void test_proposed_upgrade_keeps_its_certificate(void **state)
{
    (void)state;
    char council[32], session[32], cert[32];
    const char *province = W.p[5].current_province;
    Ocop__Reply *r = s_product(5);
    assert_int_equal(r->eval_product->stars, 3);
    snprintf(cert, sizeof cert, "%s", r->eval_product->certificate_id);
    ITEST_FREE(r);
    s_council(OCOP__EVAL_LEVEL__EVAL_LEVEL_PROVINCE, province, province, council);
    s_upgrade_session(council, 5, session);
    s_all_sheets(session, 5, 1, 95, 0, NULL);
    r = harness_session_close(s_c(), session, "QĐ 95/QĐ-UBND");
    ITEST_ASSERT_OK(r);
    assert_true(r->eval_session->products[0]->forwarded);
    assert_int_equal(r->eval_session->products[0]->stars, 0);
    ITEST_FREE(r);
    r = s_product(5);
    assert_int_equal(r->eval_product->stars, 3);
    assert_string_equal(r->eval_product->certificate_id, cert);
    assert_int_equal(r->eval_product->forwarded_to, OCOP__EVAL_LEVEL__EVAL_LEVEL_CENTRAL);
    ITEST_FREE(r);
    assert_int_equal(s_cert_state(cert), OCOP__CERTIFICATE_STATE__CERTIFICATE_STATE_VALID);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_make_ready),
        cmocka_unit_test(test_148_district_caps_and_forwards),
        cmocka_unit_test(test_no_district_council_after_june_2025),
        cmocka_unit_test(test_star_minimums_by_majority),
        cmocka_unit_test(test_central_refusal_then_province_certifies),
        cmocka_unit_test(test_handover_window),
        cmocka_unit_test(test_central_refusal_under_1489_keeps_stars),
        cmocka_unit_test(test_commune_report_time_limit),
        cmocka_unit_test(test_reevaluation_window),
        cmocka_unit_test(test_reclassified_product_gets_the_new_sheet),
        cmocka_unit_test(test_two_phase_session),
        cmocka_unit_test(test_reevaluation_downgrades),
        cmocka_unit_test(test_proposed_upgrade_keeps_its_certificate),
    };
    return cmocka_run_group_tests(tests, s_setup, s_teardown);
}
