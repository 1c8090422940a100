/* Integration: "ocop-demo rerate" against registration and two evaluation shards on a small
 * world of catalogue 148 scored by "demo evaluate" in July 2025 (1489/QĐ-TTg) — afterwards
 * every product is in catalogue 26-2026 in registration and on its shard, an upgrade session
 * was held under 26/2026/QĐ-TTg (dossiers of kind upgrade, decision date required), the revoked
 * certificates carry their ground and article, and a second run writes no event anywhere. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "demo_world.h"
#include "harness.h"
#include "harness_eval.h"
#include "itest_assert.h"

#define S_A 30 /* products in province A (shard 1) */
#define S_B 10 /* in province B (shard 2) */
/* Dossiers per council sitting: fewer than the upgrades the seed picks, so they need several. */
#define S_SITTING "4"
#define S_N (S_A + S_B)
#define S_RUN_TIMEOUT_MS 120000
#define S_POLICY "26/2026/QĐ-TTg"

static struct {
    demo_world_t w;
    harness_ready_t p[S_N];
    char first_out[8192];
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

#define S_DEMO(...) DEMO_WORLD_RUN(&W.w, demo, S_RUN_TIMEOUT_MS, __VA_ARGS__)

static ocop_client_t *s_shard_of(int i)
{
    return W.w.h->shard[i < S_A ? 0 : 1].client;
}

static Ocop__Reply *s_shard_call(ocop_client_t *c, Ocop__Request *req)
{
    Ocop__Reply *r = NULL;
    req->request_id = "";
    assert_int_equal(harness_call(c, req, &r), 0);
    return r;
}

static Ocop__Reply *s_certificate_get(ocop_client_t *c, const char *id)
{
    Ocop__EvalCertificateGet g = OCOP__EVAL_CERTIFICATE_GET__INIT;
    g.id = (char *)id;
    Ocop__Request req = OCOP__REQUEST__INIT;
    req.body_case = OCOP__REQUEST__BODY_EVAL_CERTIFICATE_GET;
    req.eval_certificate_get = &g;
    return s_shard_call(c, &req);
}

static void test_world_scored_in_july_2025(void **state)
{
    (void)state;
    demo_world_accepted_148(&W.w, W.p, S_N, S_A, 29);
    S_DEMO("evaluate", "--date", "2025-07-15");
    ITEST_ASSERT_EXIT(W.w.run, 0);
    assert_non_null(strstr(W.w.run.out, "demo: 40 products scored on 2025-07-15; 40 certified"));
}

static void test_rerate_under_26_2026(void **state)
{
    (void)state;
    S_DEMO("rerate", "--upgrade-permille", "500", "--revocations", "6", "--sitting", S_SITTING);
    ITEST_ASSERT_EXIT(W.w.run, 0);
    snprintf(W.first_out, sizeof W.first_out, "%s", W.w.run.out);
    printf("%s", W.w.run.out);
    assert_non_null(strstr(W.w.run.out, "catalogue 148 -> 26-2026: 40 reclassified"));
    assert_non_null(strstr(
        W.w.run.out, "40 products certified by demo evaluate in catalogue 26-2026; upgrades under 26/2026/QĐ-TTg"));

    /* Every product in the new catalogue, in registration and on its shard. */
    size_t upgrade_sessions = 0, revoked = 0, n_sittings = 0;
    char sittings[S_N][64]; /* the province's upgrade sessions seen */
    for (int i = 0; i < S_N; i++) {
        Ocop__Reply *r = harness_product_get(W.w.h->client, W.p[i].product_id);
        ITEST_ASSERT_OK(r);
        assert_string_equal(r->reg_product_detail->product->catalogue_version, "26-2026");
        ITEST_FREE(r);
        r = harness_eval_product_get(s_shard_of(i), W.p[i].product_id);
        ITEST_ASSERT_OK(r);
        assert_string_equal(r->eval_product->catalogue_version, "26-2026");
        char cert[64];
        snprintf(cert, sizeof cert, "%s", r->eval_product->certificate_id);
        ITEST_FREE(r);
        if (!*cert)
            continue;
        /* A certificate issued under 26/2026 comes from an upgrade session (or the ministry's). */
        r = s_certificate_get(s_shard_of(i), cert);
        ITEST_ASSERT_OK(r);
        bool new_rules = strcmp(r->eval_certificate->policy, S_POLICY) == 0;
        char session[64];
        snprintf(session, sizeof session, "%s", r->eval_certificate->session_id);
        ITEST_FREE(r);
        if (!new_rules || !*session)
            continue;
        Ocop__EvalSessionGet g = OCOP__EVAL_SESSION_GET__INIT;
        g.id = session;
        Ocop__Request req = OCOP__REQUEST__INIT;
        req.body_case = OCOP__REQUEST__BODY_EVAL_SESSION_GET;
        req.eval_session_get = &g;
        r = s_shard_call(s_shard_of(i), &req);
        ITEST_ASSERT_OK(r);
        assert_string_equal(r->eval_session->policy, S_POLICY);
        assert_int_equal(r->eval_session->state, OCOP__SESSION_STATE__SESSION_STATE_CLOSED);
        bool province = r->eval_session->level == OCOP__EVAL_LEVEL__EVAL_LEVEL_PROVINCE;
        for (size_t k = 0; province && k < r->eval_session->n_products; k++)
            assert_int_equal(r->eval_session->products[k]->dossier_kind, OCOP__DOSSIER_KIND__DOSSIER_KIND_UPGRADE);
        bool upgrade = province && strcmp(r->eval_session->date, "2026-06-15") == 0;
        upgrade_sessions += upgrade;
        /* A council sits for at most --sitting dossiers: a province with more holds several. */
        if (upgrade) {
            assert_true(r->eval_session->n_products <= (size_t)atoi(S_SITTING));
            size_t k = 0;
            while (k < n_sittings && strcmp(sittings[k], r->eval_session->id) != 0)
                k++;
            if (k == n_sittings)
                snprintf(sittings[n_sittings++], sizeof sittings[0], "%s", r->eval_session->id);
        }
        ITEST_FREE(r);
    }
    if (upgrade_sessions == 0)
        fail_msg("no certificate from an upgrade session under %s:\n%s", S_POLICY, W.w.run.out);
    if (n_sittings < 2)
        fail_msg("%zu upgrade certificates from %zu sitting(s) of at most %s dossiers:\n%s", upgrade_sessions,
                 n_sittings, S_SITTING, W.w.run.out);

    /* Each revocation printed: the certificate carries its ground and article, by its level. */
    for (const char *at = W.w.run.out; (at = strstr(at, "demo rerate: certificate ")) != NULL; at++) {
        char cert[64];
        assert_int_equal(sscanf(at, "demo rerate: certificate %63s", cert), 1);
        Ocop__Reply *r = s_certificate_get(W.w.h->shard[0].client, cert);
        if (r->status != OCOP__STATUS__STATUS_OK) {
            ITEST_FREE(r);
            r = s_certificate_get(W.w.h->shard[1].client, cert);
        }
        ITEST_ASSERT_OK(r);
        const Ocop__EvalCertificate *c = r->eval_certificate;
        assert_int_equal(c->state, OCOP__CERTIFICATE_STATE__CERTIFICATE_STATE_REVOKED);
        assert_true(*c->revocation_ground && strncmp(c->revocation_article, "Art. 8.1(", 9) == 0);
        assert_int_equal(c->revoked_by,
                         c->stars == 5 ? OCOP__EVAL_LEVEL__EVAL_LEVEL_CENTRAL : OCOP__EVAL_LEVEL__EVAL_LEVEL_PROVINCE);
        assert_true(*c->finding_date);
        ITEST_FREE(r);
        revoked++;
    }
    assert_int_equal(revoked, 6);
    assert_non_null(strstr(W.w.run.out, "(1 late)"));
}

static void test_second_run_writes_nothing(void **state)
{
    (void)state;
    demo_world_marks_t marks = demo_world_marks(&W.w);
    assert_true(marks.registration > 0 && marks.shard[0] > 0 && marks.shard[1] > 0);
    S_DEMO("rerate", "--upgrade-permille", "500", "--revocations", "6", "--sitting", S_SITTING);
    ITEST_ASSERT_EXIT(W.w.run, 0);
    assert_non_null(strstr(W.w.run.out, "0 reclassified"));
    /* The same summary: what was done is found again, not done twice. */
    const char *a = strstr(W.first_out, "demo rerate: 40 products"),
               *b = strstr(W.w.run.out, "demo rerate: 40 products");
    assert_non_null(a);
    assert_non_null(b);
    assert_int_equal(strcspn(a, "\n"), strcspn(b, "\n"));
    assert_int_equal(strncmp(a, b, strcspn(a, "\n")), 0);
    demo_world_assert_unchanged(&W.w, &marks);
    S_DEMO("rerate", "--bogus");
    ITEST_ASSERT_EXIT(W.w.run, 2);
    assert_non_null(strstr(W.w.run.err, "usage: ocop-demo rerate"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_world_scored_in_july_2025),
        cmocka_unit_test(test_rerate_under_26_2026),
        cmocka_unit_test(test_second_run_writes_nothing),
    };
    return cmocka_run_group_tests(tests, s_setup, s_teardown);
}
