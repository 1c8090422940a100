/* Integration: the stars report reproduces the programme's published figures from
 * score sheets scored through the councils of 1048/QĐ-TTg, on two shards:
 *   - Hà Nội, 2019: 301 products — 6 potential 5★, 207 4★, 88 3★;
 *   - national, end of January 2020: 24 provinces, 1,129 products of 752 entities —
 *     16 proposed 5★, 336 4★, 777 3★ (Hà Nội's 301 among them).
 *
 * Products are registered in the 2008 hierarchy (which had districts) under the 1048 catalogue,
 * made ready for evaluation, scored by a district council of 3 (which forwards ≥ 50 points) and
 * then by the province council of 3 (3★/4★; ≥ 90 is proposed to the central council as
 * potential 5★). Every member gives a product the same total — 60, 80 or 92 — so each product's
 * category is decided by the rules under test, not by the test. The shards' reports for 2019
 * are then read and summed. */
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

#define S_HANOI "01"
#define S_PROVINCES 24
#define S_PRODUCTS 1129
#define S_HANOI_PRODUCTS 301
#define S_OTHER_PER_PROVINCE 36 /* 23 x 36 = 828 = 1,129 - 301 */
#define S_HANOI_ENTITIES 200
#define S_OTHER_ENTITIES 24 /* per province: 200 + 23 x 24 = 752 */
#define S_MEMBERS 3
#define S_SHEETS_MAX (S_PRODUCTS * S_MEMBERS)
#define S_DISTRICT_DATE "2019-09-20"
#define S_PROVINCE_DATE "2019-10-15"

/* Category of a product: the total every member gives it. */
#define S_TOTAL_3 60.0
#define S_TOTAL_4 80.0
#define S_TOTAL_5 92.0

static struct {
    harness_t *h;
    char rules[HARNESS_PATH_MAX];
    eval_rubrics_t *rubrics;
    char (*provinces_2025)[16];
    size_t n_provinces_2025;
    char shard_lists[2][512];
    harness_ready_t products[S_PRODUCTS];
    size_t entity_of[S_PRODUCTS];
    double total[S_PRODUCTS];
    char district[S_PRODUCTS][16];
} W;

static int s_setup(void **state)
{
    (void)state;
    harness_rules_dir("registration", W.rules, sizeof W.rules);
    if (harness_provinces(W.rules, "2025", &W.provinces_2025, &W.n_provinces_2025) != 0)
        return -1;
    /* Two shards share the 34 provinces of today. */
    for (size_t i = 0; i < W.n_provinces_2025; i++) {
        char *list = W.shard_lists[i % 2];
        size_t len = strlen(list);
        snprintf(list + len, sizeof W.shard_lists[0] - len, "%s%s", len ? "," : "", W.provinces_2025[i]);
    }
    harness_options_t opts = {.shards = 2, .shard_provinces = {W.shard_lists[0], W.shard_lists[1]}};
    W.h = harness_deploy(&opts);
    W.rubrics = harness_rubrics_load();
    return W.h && W.rubrics ? 0 : -1;
}

static int s_teardown(void **state)
{
    (void)state;
    eval_rubrics_destroy(&W.rubrics);
    free(W.provinces_2025);
    harness_destroy(&W.h);
    return 0;
}

static unsigned s_shard_of(const char *province_2025)
{
    for (size_t i = 0; i < W.n_provinces_2025; i++)
        if (strcmp(W.provinces_2025[i], province_2025) == 0)
            return (unsigned)(i % 2);
    fail_msg("province %s is not a 2025 province", province_2025);
    return 0;
}

/* The categories of a province's products in order: p5 of them 92, then f4 80, the rest 60. */
static double s_category_total(size_t j, size_t p5, size_t f4)
{
    return j < p5 ? S_TOTAL_5 : j < p5 + f4 ? S_TOTAL_4 : S_TOTAL_3;
}

/* Lays out 1,129 products over Hà Nội and 23 other provinces of 2008, their communes,
 * entities, product sets and categories. */
static void s_plan(void)
{
    harness_commune_t *communes;
    size_t n_communes;
    harness_set_t *sets;
    size_t n_sets;
    assert_int_equal(harness_communes(W.rules, "2008", &communes, &n_communes), 0);
    assert_int_equal(harness_catalogue_sets(W.rules, "1048", &sets, &n_sets), 0);
    /* Hà Nội first, then the first 23 other provinces in file order. */
    char provinces[S_PROVINCES][16];
    size_t np = 0;
    snprintf(provinces[np++], sizeof provinces[0], "%s", S_HANOI);
    for (size_t c = 0; c < n_communes && np < S_PROVINCES; c++) {
        bool seen = false;
        for (size_t k = 0; k < np; k++)
            seen |= strcmp(provinces[k], communes[c].province) == 0;
        if (!seen)
            snprintf(provinces[np++], sizeof provinces[0], "%s", communes[c].province);
    }
    assert_int_equal(np, S_PROVINCES);
    /* The other provinces' 10 proposed 5★ and 129 4★, spread as evenly as they go. */
    size_t i = 0;
    for (size_t k = 0; k < S_PROVINCES; k++) {
        bool hanoi = k == 0;
        size_t count = hanoi ? S_HANOI_PRODUCTS : S_OTHER_PER_PROVINCE;
        size_t entities = hanoi ? S_HANOI_ENTITIES : S_OTHER_ENTITIES;
        size_t p5 = hanoi ? 6 : (k <= 10 ? 1 : 0);   /* provinces 1..10: one each = 10 */
        size_t f4 = hanoi ? 207 : (k <= 14 ? 6 : 5); /* 14 x 6 + 9 x 5 = 129 */
        harness_commune_t *mine[128];
        size_t n_mine = 0;
        for (size_t c = 0; c < n_communes && n_mine < 128; c++)
            if (strcmp(communes[c].province, provinces[k]) == 0)
                mine[n_mine++] = &communes[c];
        assert_true(n_mine > 0);
        size_t first = i;
        for (size_t j = 0; j < count; j++, i++) {
            harness_ready_t *p = &W.products[i];
            const harness_commune_t *c = mine[j % n_mine];
            const harness_set_t *set = &sets[i % n_sets];
            snprintf(p->commune, sizeof p->commune, "%s", c->code);
            snprintf(p->unit_version, sizeof p->unit_version, "2008");
            snprintf(p->catalogue, sizeof p->catalogue, "1048");
            snprintf(p->sector, sizeof p->sector, "%s", set->sector);
            snprintf(p->product_set, sizeof p->product_set, "%s", set->set);
            snprintf(W.district[i], sizeof W.district[i], "%s", c->district);
            W.entity_of[i] = first + j % entities;
            W.total[i] = s_category_total(j, p5, f4);
        }
    }
    assert_int_equal(i, S_PRODUCTS);
    free(communes);
    free(sets);
}

/* Opens, starts, scores (every member the product's total) and closes one session of the
 * given products on shard; returns the closing reply's status. */
static void s_session(unsigned shard, const char *council, const char *date, const size_t *idx, size_t n)
{
    ocop_client_t *c = W.h->shard[shard].client;
    const char **ids = calloc(n, sizeof *ids);
    for (size_t k = 0; k < n; k++)
        ids[k] = W.products[idx[k]].product_id;
    Ocop__Reply *r = harness_session_open(c, council, date, ids, n, false);
    ITEST_ASSERT_OK(r);
    char session[32];
    snprintf(session, sizeof session, "%s", r->eval_session->id);
    ITEST_FREE(r);
    r = harness_session_start(c, session, NULL, S_MEMBERS);
    ITEST_ASSERT_OK(r);
    ITEST_FREE(r);

    size_t n_sheets = n * S_MEMBERS;
    harness_sheet_t *templates = calloc(n, sizeof *templates);
    Ocop__EvalSheetSubmit *bodies = calloc(n_sheets, sizeof *bodies);
    Ocop__Request *reqs = calloc(n_sheets, sizeof *reqs);
    Ocop__Request **ptrs = calloc(n_sheets, sizeof *ptrs);
    Ocop__Reply **replies = calloc(n_sheets, sizeof *replies);
    static const char *const members[S_MEMBERS] = {"m1", "m2", "m3"};
    for (size_t k = 0; k < n; k++) {
        const harness_ready_t *p = &W.products[idx[k]];
        const eval_rubric_t *rubric = eval_rubrics_find(W.rubrics, "1048", p->product_set);
        assert_non_null(rubric);
        assert_int_equal(harness_sheet_init(&templates[k], rubric, W.total[idx[k]], NULL), 0);
        for (size_t m = 0; m < S_MEMBERS; m++) {
            size_t s = k * S_MEMBERS + m;
            harness_sheet_address(&templates[k], session, p->product_id, members[m], 1, 1);
            bodies[s] = templates[k].body;
            reqs[s] = templates[k].req;
            reqs[s].eval_sheet_submit = &bodies[s];
            ptrs[s] = &reqs[s];
        }
    }
    assert_int_equal(harness_pipeline(c, ptrs, n_sheets, 128, replies), 0);
    for (size_t s = 0; s < n_sheets; s++)
        ITEST_ASSERT_OK(replies[s]);
    harness_replies_free(replies, n_sheets);
    r = harness_session_close(c, session, "Quyết định công nhận 2019");
    ITEST_ASSERT_OK(r);
    ITEST_FREE(r);
    for (size_t k = 0; k < n; k++)
        harness_sheet_free(&templates[k]);
    free(templates);
    free(bodies);
    free(reqs);
    free(ptrs);
    free(replies);
    free(ids);
}

static void s_council(unsigned shard, Ocop__EvalLevel level, const char *unit, const char *province, char *out)
{
    Ocop__Reply *r = harness_council_create(W.h->shard[shard].client, level, unit, province, S_MEMBERS, 0);
    ITEST_ASSERT_OK(r);
    snprintf(out, 32, "%s", r->eval_council->id);
    ITEST_FREE(r);
}

static void test_register_and_make_ready(void **state)
{
    (void)state;
    s_plan();
    assert_int_equal(harness_make_ready(W.h->client, W.products, W.entity_of, S_PRODUCTS, 2019), 0);
    for (size_t i = 0; i < S_PRODUCTS; i++)
        assert_int_equal(
            harness_shard_wait_product(W.h, s_shard_of(W.products[i].current_province), W.products[i].product_id), 0);
}

/* District councils score every product once and forward it (≥ 50) to its province. */
static void test_district_councils_forward(void **state)
{
    (void)state;
    size_t *idx = calloc(S_PRODUCTS, sizeof *idx);
    bool *done = calloc(S_PRODUCTS, sizeof *done);
    for (size_t i = 0; i < S_PRODUCTS; i++) {
        if (done[i])
            continue;
        size_t n = 0;
        for (size_t j = i; j < S_PRODUCTS; j++)
            if (!done[j] && strcmp(W.district[j], W.district[i]) == 0 &&
                strcmp(W.products[j].current_province, W.products[i].current_province) == 0) {
                idx[n++] = j;
                done[j] = true;
            }
        unsigned shard = s_shard_of(W.products[i].current_province);
        char council[32];
        s_council(shard, OCOP__EVAL_LEVEL__EVAL_LEVEL_DISTRICT, W.district[i], W.products[i].current_province, council);
        s_session(shard, council, S_DISTRICT_DATE, idx, n);
    }
    for (size_t i = 0; i < S_PRODUCTS; i += 97) {
        Ocop__Reply *r = harness_eval_product_get(W.h->shard[s_shard_of(W.products[i].current_province)].client,
                                                  W.products[i].product_id);
        ITEST_ASSERT_OK(r);
        assert_int_equal(r->eval_product->forwarded_to, OCOP__EVAL_LEVEL__EVAL_LEVEL_PROVINCE);
        assert_int_equal(r->eval_product->stars, 0); /* a 1048 district confers nothing */
        ITEST_FREE(r);
    }
    free(idx);
    free(done);
}

/* Each province council (of today's province) recognises 3★/4★ and proposes ≥ 90 upward. */
static void test_province_councils_recognise(void **state)
{
    (void)state;
    size_t *idx = calloc(S_PRODUCTS, sizeof *idx);
    bool *done = calloc(S_PRODUCTS, sizeof *done);
    for (size_t i = 0; i < S_PRODUCTS; i++) {
        if (done[i])
            continue;
        size_t n = 0;
        for (size_t j = i; j < S_PRODUCTS; j++)
            if (!done[j] && strcmp(W.products[j].current_province, W.products[i].current_province) == 0) {
                idx[n++] = j;
                done[j] = true;
            }
        const char *province = W.products[i].current_province;
        unsigned shard = s_shard_of(province);
        char council[32];
        s_council(shard, OCOP__EVAL_LEVEL__EVAL_LEVEL_PROVINCE, province, province, council);
        s_session(shard, council, S_PROVINCE_DATE, idx, n);
    }
    /* Certificates of 2019 ran out 36 months later: a back-dated result is recorded in its year
     * (the reports below) but no certificate of it is left valid today. */
    for (size_t i = 0; i < S_PRODUCTS; i += 97) {
        Ocop__Reply *r = harness_eval_product_get(W.h->shard[s_shard_of(W.products[i].current_province)].client,
                                                  W.products[i].product_id);
        ITEST_ASSERT_OK(r);
        assert_int_equal(r->eval_product->stars, 0);
        assert_string_equal(r->eval_product->certificate_id, "");
        ITEST_FREE(r);
    }
    free(idx);
    free(done);
}

static void test_report_reproduces_hanoi_2019(void **state)
{
    (void)state;
    Ocop__Reply *r = harness_report_get(W.h->shard[s_shard_of(S_HANOI)].client, S_HANOI, NULL, 2019);
    ITEST_ASSERT_OK(r);
    const Ocop__EvalReportRow *t = r->eval_report->total;
    assert_int_equal(t->proposed5, 6);
    assert_int_equal(t->stars4, 207);
    assert_int_equal(t->stars3, 88);
    assert_int_equal(t->stars5, 0);
    assert_int_equal(t->products, 301);
    assert_int_equal(t->entities, S_HANOI_ENTITIES);
    /* The rows by sector add up to the total. */
    uint32_t sum = 0;
    for (size_t i = 0; i < r->eval_report->n_rows; i++) {
        assert_string_equal(r->eval_report->rows[i]->province_code, S_HANOI);
        assert_int_equal(r->eval_report->rows[i]->year, 2019);
        sum += r->eval_report->rows[i]->products;
    }
    assert_int_equal(sum, 301);
    ITEST_FREE(r);
}

static void test_report_reproduces_national_january_2020(void **state)
{
    (void)state;
    uint32_t p5 = 0, s4 = 0, s3 = 0, s5 = 0, products = 0, entities = 0;
    for (unsigned shard = 0; shard < 2; shard++) {
        Ocop__Reply *r = harness_report_get(W.h->shard[shard].client, NULL, NULL, 2019);
        ITEST_ASSERT_OK(r);
        const Ocop__EvalReportRow *t = r->eval_report->total;
        p5 += t->proposed5;
        s4 += t->stars4;
        s3 += t->stars3;
        s5 += t->stars5;
        products += t->products;
        entities += t->entities;
        ITEST_FREE(r);
        /* Nothing was rated in 2020 or later. */
        r = harness_report_get(W.h->shard[shard].client, NULL, NULL, 2020);
        ITEST_ASSERT_OK(r);
        assert_int_equal(r->eval_report->total->products, 0);
        ITEST_FREE(r);
    }
    assert_int_equal(p5, 16);
    assert_int_equal(s4, 336);
    assert_int_equal(s3, 777);
    assert_int_equal(s5, 0);
    assert_int_equal(products, 1129);
    assert_int_equal(entities, 752);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_register_and_make_ready),
        cmocka_unit_test(test_district_councils_forward),
        cmocka_unit_test(test_province_councils_recognise),
        cmocka_unit_test(test_report_reproduces_hanoi_2019),
        cmocka_unit_test(test_report_reproduces_national_january_2020),
    };
    return cmocka_run_group_tests(tests, s_setup, s_teardown);
}
