/* demo_world — the deployment the tests of ocop-demo (and of ocopctl beside it) share:
 * registration and two evaluation shards, one per province of the demo data (A and B), promotion
 * when asked, and where the tools are. Header-only, like the other test helpers. */
#ifndef DEMO_WORLD_H
#define DEMO_WORLD_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "harness.h"
#include "harness_eval.h"
#include "itest_assert.h"

typedef struct {
    harness_t *h;
    harness_data_t data;
    char demo[HARNESS_PATH_MAX]; /* the ocop-demo binary */
    char ctl[HARNESS_PATH_MAX];  /* the ocopctl binary */
    harness_run_t run;           /* the last tool run */
} demo_world_t;

/* Loads the demo data and deploys: 0, or -1. */
static inline int demo_world_setup(demo_world_t *w, int promotion)
{
    const char *bin = getenv("OCOP_BINARY_DIR");
    char reg_rules[HARNESS_PATH_MAX];
    harness_rules_dir("registration", reg_rules, sizeof reg_rules);
    snprintf(w->demo, sizeof w->demo, "%s/services/demo/ocop-demo", bin ? bin : ".");
    snprintf(w->ctl, sizeof w->ctl, "%s/services/ocopctl/ocopctl", bin ? bin : ".");
    if (harness_data_load(reg_rules, &w->data) != 0)
        return -1;
    harness_options_t opts = {
        .shards = 2, .shard_provinces = {w->data.province_a, w->data.province_b}, .promotion = promotion};
    w->h = harness_deploy(&opts);
    return w->h ? 0 : -1;
}

static inline void demo_world_teardown(demo_world_t *w)
{
    harness_run_free(&w->run);
    harness_destroy(&w->h);
}

/* Runs tool --config <the deployment's> ARGS... within timeout_ms into w->run; its exit code. */
#define DEMO_WORLD_RUN(w, tool, timeout_ms, ...)                                                                       \
    harness_run((w)->tool, (const char *const[]){"--config", (w)->h->config_path, __VA_ARGS__, NULL}, timeout_ms,      \
                &(w)->run)

/* The last event sequences of registration and of both shards, to check a run wrote nothing. */
typedef struct {
    int64_t registration, shard[2];
} demo_world_marks_t;

static inline demo_world_marks_t demo_world_marks(demo_world_t *w)
{
    return (demo_world_marks_t){harness_last_sequence(w->h),
                                {harness_shard_last_sequence(w->h, 0), harness_shard_last_sequence(w->h, 1)}};
}

/* Registration and both shards published nothing since marks were taken. */
static inline void demo_world_assert_unchanged(demo_world_t *w, const demo_world_marks_t *marks)
{
    assert_int_equal(harness_last_sequence(w->h), marks->registration);
    assert_int_equal(harness_shard_last_sequence(w->h, 0), marks->shard[0]);
    assert_int_equal(harness_shard_last_sequence(w->h, 1), marks->shard[1]);
}

/* n products of catalogue 148 made ready and accepted, each of its own entity: the first n_a in
 * three communes of province A, the others in province B's; sectors and sets alternate. */
static inline void demo_world_accepted_148(demo_world_t *w, harness_ready_t *p, size_t n, size_t n_a, unsigned seed)
{
    size_t *entity_of = calloc(n, sizeof *entity_of);
    assert_non_null(entity_of);
    for (size_t i = 0; i < n; i++) {
        snprintf(p[i].commune, sizeof p[i].commune, "%s", i < n_a ? w->data.communes[i % 3] : w->data.communes[3]);
        snprintf(p[i].catalogue, sizeof p[i].catalogue, "148");
        snprintf(p[i].sector, sizeof p[i].sector, "%s", i % 2 ? "1" : "2");
        snprintf(p[i].product_set, sizeof p[i].product_set, "%s", i % 2 ? "9" : "14");
        entity_of[i] = i;
    }
    assert_int_equal(harness_make_ready(w->h->client, p, entity_of, n, seed), 0);
    free(entity_of);
    for (size_t i = 0; i < n; i++) {
        Ocop__Reply *r = harness_transition(w->h->client, p[i].product_id, OCOP__STAGE_ACTION__STAGE_ACTION_ACCEPT, "");
        ITEST_ASSERT_OK(r);
        ITEST_FREE(r);
    }
}

#endif
