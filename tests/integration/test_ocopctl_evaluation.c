/* Integration: ocopctl and ocop-demo against registration and two evaluation shards — "ocop-demo evaluate" scores
 * every product registration holds in evaluation, province by province on the shard owning it,
 * promotes the certified ones, and changes nothing when run again; "stars" merges the shards'
 * reports (or asks the one owning --province). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "demo_world.h"
#include "harness.h"
#include "harness_eval.h"
#include "itest_assert.h"
#include "ocop_date.h"

#define S_A 30 /* products in province A (shard 1) */
#define S_B 10 /* in province B (shard 2) */
#define S_RUN_TIMEOUT_MS 120000

static struct {
    demo_world_t w;
    harness_ready_t p[S_A + S_B];
    char today[OCOP_DATE_LEN];
} W;

static int s_setup(void **state)
{
    (void)state;
    ocop_day_of(harness_wall_ms(), W.today);
    return demo_world_setup(&W.w, 0);
}

static int s_teardown(void **state)
{
    (void)state;
    demo_world_teardown(&W.w);
    return 0;
}

/* Runs ocopctl --config <the harness's> ARGS...; returns the exit code. */
#define S_CTL(...) DEMO_WORLD_RUN(&W.w, ctl, S_RUN_TIMEOUT_MS, __VA_ARGS__)
#define S_DEMO(...) DEMO_WORLD_RUN(&W.w, demo, S_RUN_TIMEOUT_MS, __VA_ARGS__)

static void test_products_in_evaluation(void **state)
{
    (void)state;
    size_t entity_of[S_A + S_B];
    for (size_t i = 0; i < S_A + S_B; i++) {
        harness_ready_t *p = &W.p[i];
        snprintf(p->commune, sizeof p->commune, "%s", i < S_A ? W.w.data.communes[i % 3] : W.w.data.communes[3]);
        snprintf(p->catalogue, sizeof p->catalogue, "%s", W.w.data.catalogue_version);
        snprintf(p->sector, sizeof p->sector, "%s", i % 2 ? W.w.data.sector : W.w.data.sector_b);
        snprintf(p->product_set, sizeof p->product_set, "%s", i % 2 ? W.w.data.product_set : W.w.data.product_set_b);
        entity_of[i] = i < 4 ? 0 : i;
    }
    assert_int_equal(harness_make_ready(W.w.h->client, W.p, entity_of, S_A + S_B, 11), 0);
    /* The dossier accepted: registration now holds them in evaluation. */
    for (size_t i = 0; i < S_A + S_B; i++) {
        Ocop__Reply *r =
            harness_transition(W.w.h->client, W.p[i].product_id, OCOP__STAGE_ACTION__STAGE_ACTION_ACCEPT, "");
        ITEST_ASSERT_OK(r);
        ITEST_FREE(r);
    }
}

static void test_demo_evaluate_scores_every_province(void **state)
{
    (void)state;
    S_DEMO("evaluate", "--date", W.today);
    ITEST_ASSERT_EXIT(W.w.run, 0);
    char summary[128];
    snprintf(summary, sizeof summary, "demo: %d products scored on %s; %d certified", S_A + S_B, W.today, S_A + S_B);
    if (!strstr(W.w.run.out, summary))
        fail_msg("expected '%s' in:\n%s", summary, W.w.run.out);
    char line[128];
    snprintf(line, sizeof line, "demo: province %-3s %5d products", W.w.data.province_a, S_A);
    assert_non_null(strstr(W.w.run.out, line));
    for (size_t i = 0; i < S_A + S_B; i++) {
        Ocop__Reply *r = harness_eval_product_get(W.w.h->shard[i < S_A ? 0 : 1].client, W.p[i].product_id);
        ITEST_ASSERT_OK(r);
        assert_true(r->eval_product->stars >= 3);
        ITEST_FREE(r);
        r = harness_product_get(W.w.h->client, W.p[i].product_id);
        ITEST_ASSERT_OK(r);
        assert_int_equal(r->reg_product_detail->product->stage, OCOP__STAGE__STAGE_TRADE_PROMOTION);
        ITEST_FREE(r);
    }
    /* Again: nothing left to score, nothing written. */
    int64_t seq[2] = {harness_shard_last_sequence(W.w.h, 0), harness_shard_last_sequence(W.w.h, 1)};
    int64_t reg_seq = harness_last_sequence(W.w.h);
    S_DEMO("evaluate", "--date", W.today);
    ITEST_ASSERT_EXIT(W.w.run, 0);
    assert_non_null(strstr(W.w.run.out, "demo: 0 products scored"));
    assert_int_equal(harness_shard_last_sequence(W.w.h, 0), seq[0]);
    assert_int_equal(harness_shard_last_sequence(W.w.h, 1), seq[1]);
    assert_int_equal(harness_last_sequence(W.w.h), reg_seq);
}

static void test_stars_merges_the_shards(void **state)
{
    (void)state;
    char year[8];
    snprintf(year, sizeof year, "%d", ocop_date_year(W.today));
    S_CTL("--output", "json", "stars", "--year", year);
    ITEST_ASSERT_EXIT(W.w.run, 0);
    cJSON *json = cJSON_Parse(W.w.run.out);
    assert_non_null(json);
    const cJSON *total = cJSON_GetObjectItemCaseSensitive(json, "total");
    int products = cJSON_GetObjectItemCaseSensitive(total, "products")->valueint;
    int sum = cJSON_GetObjectItemCaseSensitive(total, "stars3")->valueint +
              cJSON_GetObjectItemCaseSensitive(total, "stars4")->valueint +
              cJSON_GetObjectItemCaseSensitive(total, "stars5")->valueint +
              cJSON_GetObjectItemCaseSensitive(total, "proposed5")->valueint;
    assert_int_equal(products, S_A + S_B);
    assert_int_equal(sum, S_A + S_B);
    /* Entities: 27 in province A (one has 4 products), 10 in B. */
    assert_int_equal(cJSON_GetObjectItemCaseSensitive(total, "entities")->valueint, S_A - 3 + S_B);
    cJSON_Delete(json);

    S_CTL("--output", "json", "stars", "--province", W.w.data.province_b);
    ITEST_ASSERT_EXIT(W.w.run, 0);
    json = cJSON_Parse(W.w.run.out);
    assert_non_null(json);
    const cJSON *row;
    cJSON_ArrayForEach (row, cJSON_GetObjectItemCaseSensitive(json, "rows"))
        assert_string_equal(cJSON_GetObjectItemCaseSensitive(row, "province_code")->valuestring, W.w.data.province_b);
    assert_int_equal(
        cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(json, "total"), "products")->valueint, S_B);
    cJSON_Delete(json);

    S_CTL("stars");
    ITEST_ASSERT_EXIT(W.w.run, 0);
    assert_non_null(strstr(W.w.run.out, "PROVINCE  SECTOR  YEAR  3 STARS"));
    assert_non_null(strstr(W.w.run.out, "\nTOTAL "));
    S_CTL("stars", "--province", "ZZ");
    ITEST_ASSERT_EXIT(W.w.run, 4);
    assert_non_null(strstr(W.w.run.err, "no evaluation shard"));
    S_CTL("stars", "--bogus", "1");
    ITEST_ASSERT_EXIT(W.w.run, 2);
    S_DEMO("evaluate", "--rules", "services/evaluation/data"); /* the shards send the sheets now */
    ITEST_ASSERT_EXIT(W.w.run, 2);
    assert_non_null(strstr(W.w.run.err, "usage: ocop-demo evaluate"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_products_in_evaluation),
        cmocka_unit_test(test_demo_evaluate_scores_every_province),
        cmocka_unit_test(test_stars_merges_the_shards),
    };
    return cmocka_run_group_tests(tests, s_setup, s_teardown);
}
