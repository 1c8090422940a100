/* bench_eval_setup — a deployment for the evaluation benchmark, built with the integration-test
 * harness: the real ocop-registration and 1..4 ocop-evaluation shards on loopback, each shard
 * owning one province; products registered and made READY_FOR_EVALUATION through
 * registration, learnt by their shard through registration's events, attested by the commune
 * (1489/QĐ-TTg asks for it before a province council scores), and sessions of a province
 * council of BENCH_EVAL_MEMBERS members (all present) opened and started, ready for sheets. */
#ifndef BENCH_EVAL_SETUP_H
#define BENCH_EVAL_SETUP_H

#include <stddef.h>
#include <stdint.h>

#include "harness.h"
#include "harness_eval.h"
#include "ocop_date.h"

#define BENCH_EVAL_MEMBERS 5
#define BENCH_EVAL_COMMUNES 40 /* communes used per province: products are spread over them */
#define BENCH_EVAL_ID_LEN 40

typedef struct {
    char code[16];
    char communes[BENCH_EVAL_COMMUNES][16];
    size_t n_communes;
} bench_eval_province_t;

/* What every deployment shares: today's rule data, four provinces, the rubric of the product
 * set every product belongs to, and today's date (sessions are held today). */
typedef struct {
    harness_data_t data;
    bench_eval_province_t provinces[HARNESS_SHARDS_MAX];
    eval_rubrics_t *rubrics;
    const eval_rubric_t *rubric;
    char today[OCOP_DATE_LEN];
} bench_eval_world_t;

/* Reads rules_dir (registration's data) and the rubrics (OCOP_SOURCE_DIR). 0 / -1. */
int bench_eval_world_load(bench_eval_world_t *w, const char *rules_dir);
void bench_eval_world_free(bench_eval_world_t *w);

typedef struct {
    harness_t *h;
    unsigned shards;
    size_t sessions;                        /* per shard */
    size_t per_session;                     /* products per session */
    harness_ready_t *products;              /* [shard][session][product] */
    char (*session_ids)[BENCH_EVAL_ID_LEN]; /* [shard][session] */
    int64_t *open_ns;                       /* [shard][session]: the EvalSessionOpen call */
    char policy[32];                        /* the policy the sessions opened under */
    double ready_s;                         /* registration: register and move to READY */
    double replica_s;                       /* until every shard knew its last product */
    double attest_s;                        /* pipelined EvalAttest of every product */
} bench_eval_deploy_t;

/* Starts registration and `shards` shards (shard i owns w->provinces[i]) and prepares
 * `sessions` started sessions of `per_session` products per shard. seed makes names unique.
 * 0, or -1 with a message on stderr (the caller still calls bench_eval_deploy_down). */
int bench_eval_deploy_up(bench_eval_deploy_t *d, const bench_eval_world_t *w, unsigned shards, size_t sessions,
                         size_t per_session, unsigned seed);
/* Stops every process and removes the temporary directory. Safe twice. */
void bench_eval_deploy_down(bench_eval_deploy_t *d);

const harness_ready_t *bench_eval_product(const bench_eval_deploy_t *d, unsigned shard, size_t session, size_t j);
const char *bench_eval_session(const bench_eval_deploy_t *d, unsigned shard, size_t session);

/* Counts the replies that are not OK with the expected body (printing the first few as
 * "bench: WHAT ..."), and frees every reply. */
size_t bench_eval_replies_check(Ocop__Reply **replies, size_t n, Ocop__Reply__BodyCase body, const char *what);

#endif
