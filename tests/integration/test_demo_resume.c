/* Integration: the demo's steps survive an interruption. "ocop-demo evaluate", "ocop-demo
 * rerate" and "ocop-demo promote" are each interrupted (SIGINT, as Ctrl-C sends it) at several
 * moments of their first run, and run again: every run after an interruption succeeds, and the
 * world ends as an uninterrupted run leaves it — every product scored in one closed session,
 * certified and promoted, the upgrades and revocations done once, the fairs and points of sale
 * made once (a further run writes nothing). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "demo_world.h"
#include "harness.h"
#include "harness_eval.h"
#include "itest_assert.h"

#define S_A 30 /* products in province A (shard 1) */
#define S_B 10 /* in province B (shard 2) */
#define S_N (S_A + S_B)
#define S_RUN_TIMEOUT_MS 120000

static struct {
    demo_world_t w;
    harness_ready_t p[S_N];
} W;

static int s_setup(void **state)
{
    (void)state;
    return demo_world_setup(&W.w, 1);
}

static int s_teardown(void **state)
{
    (void)state;
    demo_world_teardown(&W.w);
    return 0;
}

/* ocop-demo with args under `timeout -s INT SECONDS` (SECONDS "0": no limit). */
static int s_demo_within(const char *seconds, const char *const *args)
{
    const char *argv[24] = {"-s",     "INT",      strcmp(seconds, "0") ? seconds : "600",
                            W.w.demo, "--config", W.w.h->config_path};
    size_t n = 6;
    for (size_t i = 0; args[i] && n < 23; i++)
        argv[n++] = args[i];
    argv[n] = NULL;
    return harness_run("/usr/bin/timeout", argv, S_RUN_TIMEOUT_MS, &W.w.run);
}

/* Runs a step interrupted after each of the delays, then whole. Returns how many of the
 * interrupted runs were cut short (exit 124) rather than finished. */
static int s_interrupted_then_whole(const char *const *args)
{
    static const char *const delays[] = {"0.02", "0.04", "0.06", "0.09", "0.13", "0.2", "0.4"};
    int cut = 0;
    for (size_t i = 0; i < sizeof delays / sizeof delays[0]; i++) {
        s_demo_within(delays[i], args);
        if (W.w.run.code != 0 && W.w.run.code != 124)
            fail_msg("%s: exit %d\nstdout: %s\nstderr: %s", W.w.run.cmd, W.w.run.code, W.w.run.out, W.w.run.err);
        cut += W.w.run.code == 124;
    }
    s_demo_within("0", args);
    ITEST_ASSERT_EXIT(W.w.run, 0);
    return cut;
}

static ocop_client_t *s_shard_of(size_t i)
{
    return W.w.h->shard[i < S_A ? 0 : 1].client;
}

static Ocop__Reply *s_call(ocop_client_t *c, Ocop__Request *req)
{
    Ocop__Reply *r = NULL;
    req->request_id = "";
    assert_int_equal(harness_call(c, req, &r), 0);
    return r;
}

static Ocop__Reply *s_eval_product(size_t i)
{
    Ocop__EvalProductGet g = OCOP__EVAL_PRODUCT_GET__INIT;
    g.id = W.p[i].product_id;
    Ocop__Request req = OCOP__REQUEST__INIT;
    req.body_case = OCOP__REQUEST__BODY_EVAL_PRODUCT_GET;
    req.eval_product_get = &g;
    return s_call(s_shard_of(i), &req);
}

static void test_evaluate_resumes(void **state)
{
    (void)state;
    demo_world_accepted_148(&W.w, W.p, S_N, S_A, 31);
    int cut = s_interrupted_then_whole((const char *const[]){"evaluate", "--date", "2025-07-15", NULL});
    print_message("demo evaluate: %d of 7 first runs cut short\n", cut);
    assert_true(cut > 0);
    /* As a whole run leaves it: each product rated once, certified, in trade promotion. */
    for (size_t i = 0; i < S_N; i++) {
        Ocop__Reply *r = s_eval_product(i);
        ITEST_ASSERT_OK(r);
        const Ocop__EvalProduct *p = r->eval_product;
        if (p->stars < 3 || !*p->certificate_id || *p->session_id)
            fail_msg("product %s: %u stars, certificate '%s', open session '%s'", p->id, p->stars, p->certificate_id,
                     p->session_id);
        ITEST_FREE(r);
        r = harness_product_get(W.w.h->client, W.p[i].product_id);
        ITEST_ASSERT_OK(r);
        assert_int_equal(r->reg_product_detail->product->stage, OCOP__STAGE__STAGE_TRADE_PROMOTION);
        ITEST_FREE(r);
    }
}

static void test_rerate_resumes(void **state)
{
    (void)state;
    int cut = s_interrupted_then_whole(
        (const char *const[]){"rerate", "--upgrade-permille", "500", "--revocations", "6", NULL});
    print_message("demo rerate: %d of 7 first runs cut short\n", cut);
    /* Six certificates revoked, each once; the catalogue moved. */
    size_t revoked = 0;
    for (size_t i = 0; i < S_N; i++) {
        Ocop__Reply *r = s_eval_product(i);
        ITEST_ASSERT_OK(r);
        assert_string_equal(r->eval_product->catalogue_version, "26-2026");
        revoked += !*r->eval_product->certificate_id;
        ITEST_FREE(r);
    }
    assert_int_equal(revoked, 6);
    /* A run now finds everything done. */
    demo_world_marks_t marks = demo_world_marks(&W.w);
    s_demo_within("0", (const char *const[]){"rerate", "--upgrade-permille", "500", "--revocations", "6", NULL});
    ITEST_ASSERT_EXIT(W.w.run, 0);
    demo_world_assert_unchanged(&W.w, &marks);
}

static int64_t s_promotion_sequence(void)
{
    Ocop__Ping ping = OCOP__PING__INIT;
    Ocop__Request req = OCOP__REQUEST__INIT;
    req.body_case = OCOP__REQUEST__BODY_PING;
    req.ping = &ping;
    Ocop__Reply *r = s_call(W.w.h->promotion.client, &req);
    int64_t seq = r->status == OCOP__STATUS__STATUS_OK ? (int64_t)r->pong->last_sequence : -1;
    ITEST_FREE(r);
    return seq;
}

static void test_promote_resumes(void **state)
{
    (void)state;
    int cut = s_interrupted_then_whole((const char *const[]){"promote", NULL});
    print_message("demo promote: %d of 7 first runs cut short\n", cut);
    char first[4096];
    const char *summary = strstr(W.w.run.out, " trade promotion: ");
    assert_non_null(summary);
    /* the totals, not what this run added ("(new: ...)") */
    snprintf(first, sizeof first, "%.*s", (int)strcspn(summary, "("), summary);
    int64_t seq = s_promotion_sequence();
    assert_true(seq > 0);
    s_demo_within("0", (const char *const[]){"promote", NULL});
    ITEST_ASSERT_EXIT(W.w.run, 0);
    assert_int_equal(s_promotion_sequence(), seq);
    summary = strstr(W.w.run.out, " trade promotion: ");
    assert_non_null(summary);
    assert_int_equal(strncmp(summary, first, strlen(first)), 0);
    assert_non_null(strstr(summary, "(new: 0 plans, 0 fairs, 0 applications, 0 points of sale, 0 listings)"));
}

/* The national dataset cut short while it is written leaves no products.csv (the file a re-run
 * of the quick start looks for), or — killed after its last rename — the whole file; written
 * whole it is there. */
static void test_generate_is_whole_or_absent(void **state)
{
    (void)state;
    const char *src = getenv("OCOP_SOURCE_DIR");
    assert_non_null(src);
    char rules[HARNESS_PATH_MAX], out[HARNESS_PATH_MAX], products[HARNESS_PATH_MAX + 16];
    snprintf(rules, sizeof rules, "%s/services/registration/data", src);
    snprintf(out, sizeof out, "%s/dataset", W.w.h->dir);
    snprintf(products, sizeof products, "%s/products.csv", out);
    /* The whole file, to compare what a cut run leaves with. */
    s_demo_within("0", (const char *const[]){"generate", "--rules", rules, "--out", out, NULL});
    ITEST_ASSERT_EXIT(W.w.run, 0);
    size_t whole_len;
    char *whole = harness_read_file(products, &whole_len);
    assert_non_null(whole);
    assert_int_equal(unlink(products), 0);
    static const char *const delays[] = {"0.001", "0.01", "0.03", "0.06", "0.1", "0.2"};
    int cut = 0;
    for (size_t i = 0; i < sizeof delays / sizeof delays[0]; i++) {
        s_demo_within(delays[i], (const char *const[]){"generate", "--rules", rules, "--out", out, NULL});
        if (W.w.run.code == 124)
            cut++;
        else
            ITEST_ASSERT_EXIT(W.w.run, 0);
        size_t len;
        char *left = harness_read_file(products, &len);
        if (W.w.run.code != 124)
            assert_non_null(left);
        if (left) {
            /* Never a part: absent, or the whole file. */
            assert_int_equal(len, whole_len);
            assert_memory_equal(left, whole, len);
            free(left);
            assert_int_equal(unlink(products), 0);
        }
    }
    free(whole);
    print_message("demo generate: %d of %zu runs cut short\n", cut, sizeof delays / sizeof delays[0]);
    assert_true(cut > 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_evaluate_resumes),
        cmocka_unit_test(test_rerate_resumes),
        cmocka_unit_test(test_promote_resumes),
        cmocka_unit_test(test_generate_is_whole_or_absent),
    };
    return cmocka_run_group_tests(tests, s_setup, s_teardown);
}
