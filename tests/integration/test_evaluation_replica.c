/* Integration: an evaluation shard's replica of registration survives either side being down.
 *   - A shard started while registration is down serves requests at once (its feed retries in
 *     the background) and learns the products when registration comes back.
 *   - Products registered while the shard is killed (SIGKILL) are learnt on restart, by replay.
 *   - No event is applied twice: every product went through the same events, so every replica
 *     record has the same revision, before and after the restarts. */
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

#define S_BATCH 20

static struct {
    harness_t *h;
    harness_data_t data;
    harness_ready_t p[3 * S_BATCH];
    size_t n;
} W;

static int s_setup(void **state)
{
    (void)state;
    if (harness_data_load_registration(&W.data) != 0)
        return -1;
    harness_options_t opts = {.shards = 1, .shard_provinces = {W.data.province_a}};
    W.h = harness_new(&opts);
    return W.h && harness_start(W.h) == 0 ? 0 : -1;
}

static int s_teardown(void **state)
{
    (void)state;
    harness_destroy(&W.h);
    return 0;
}

/* S_BATCH more products made ready in province A. */
static void s_register_batch(unsigned seed)
{
    harness_ready_t *batch = &W.p[W.n];
    size_t entity_of[S_BATCH];
    for (size_t i = 0; i < S_BATCH; i++) {
        snprintf(batch[i].commune, sizeof batch[i].commune, "%s", W.data.communes[i % 3]);
        snprintf(batch[i].catalogue, sizeof batch[i].catalogue, "%s", W.data.catalogue_version);
        snprintf(batch[i].sector, sizeof batch[i].sector, "%s", W.data.sector);
        snprintf(batch[i].product_set, sizeof batch[i].product_set, "%s", W.data.product_set);
        entity_of[i] = i;
    }
    assert_int_equal(harness_make_ready(W.h->client, batch, entity_of, S_BATCH, seed), 0);
    W.n += S_BATCH;
}

/* Every known product's replica revision; all must be equal. */
static uint64_t s_common_revision(void)
{
    uint64_t revision = 0;
    for (size_t i = 0; i < W.n; i++) {
        assert_int_equal(harness_shard_wait_product(W.h, 0, W.p[i].product_id), 0);
        Ocop__Reply *r = harness_eval_product_get(W.h->shard[0].client, W.p[i].product_id);
        ITEST_ASSERT_OK(r);
        if (i == 0)
            revision = r->eval_product->revision;
        else if (r->eval_product->revision != revision)
            fail_msg("product %s has replica revision %llu, product 0 has %llu: an event was applied twice or "
                     "missed",
                     W.p[i].product_id, (unsigned long long)r->eval_product->revision, (unsigned long long)revision);
        ITEST_FREE(r);
    }
    return revision;
}

static void test_shard_serves_while_its_source_is_down(void **state)
{
    (void)state;
    s_register_batch(1);
    assert_int_equal(harness_stop(W.h), 0);
    assert_int_equal(harness_shard_start(W.h, 0), 0);
    /* One attempt, two seconds: the shard must not be waiting on its source. */
    Ocop__Reply *r = NULL;
    Ocop__EvalProductGet body = OCOP__EVAL_PRODUCT_GET__INIT;
    body.id = W.p[0].product_id;
    Ocop__Request req = OCOP__REQUEST__INIT;
    req.body_case = OCOP__REQUEST__BODY_EVAL_PRODUCT_GET;
    req.eval_product_get = &body;
    for (int i = 0; i < 3; i++) {
        assert_int_equal(ocop_client_call(W.h->shard[0].client, &req, &r, 2000, 1), 0);
        ITEST_ASSERT_ERROR(r, OCOP__STATUS__STATUS_NOT_FOUND, "id");
        ITEST_FREE(r);
        req.request_id = "";
    }
    r = harness_council_create(W.h->shard[0].client, OCOP__EVAL_LEVEL__EVAL_LEVEL_PROVINCE, W.data.province_a,
                               W.data.province_a, 3, 0);
    ITEST_ASSERT_OK(r);
    ITEST_FREE(r);
    /* Registration comes back: the shard catches up by itself. */
    assert_int_equal(harness_start(W.h), 0);
    assert_true(s_common_revision() > 0);
}

static void test_products_registered_while_the_shard_was_killed(void **state)
{
    (void)state;
    uint64_t revision = s_common_revision();
    harness_shard_kill(W.h, 0);
    s_register_batch(2);
    assert_int_equal(harness_shard_start(W.h, 0), 0);
    assert_int_equal(s_common_revision(), revision);
    /* And live events while both run. */
    s_register_batch(3);
    assert_int_equal(s_common_revision(), revision);
    assert_int_equal(harness_shard_stop(W.h, 0), 0);
    assert_int_equal(harness_shard_start(W.h, 0), 0);
    assert_int_equal(s_common_revision(), revision);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_shard_serves_while_its_source_is_down),
        cmocka_unit_test(test_products_registered_while_the_shard_was_killed),
    };
    return cmocka_run_group_tests(tests, s_setup, s_teardown);
}
