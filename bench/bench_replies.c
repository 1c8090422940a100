/* bench_replies — what registration keeps so that retries are answered, per product, as the
 * products' histories grow.
 *
 *   bench_replies [--quick] [--no-write] [--out FILE]
 *
 * ocop-registration on a fresh store: N entities, N products, then every product moved through
 * the four stage transitions that bring it to evaluation (accept, submit, accept, submit). Each
 * write's request id is remembered for a week. The product routes keep only the product's id
 * (their retries are answered with the product's detail rebuilt: ocop_route_t.replay); before,
 * they kept the whole reply, the product's detail with its history. From the replies received in
 * the same run: the bytes the saved records would hold whole, against what they hold now; then,
 * with the service stopped, the store read as LMDB sees it: the request-id tables' pages and the
 * whole store's, per product. Writes the "replies" section of docs/BENCHMARKS.md. */
#include <lmdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zmq.h>

#include "bench_driver.h"
#include "bench_pool.h"
#include "bench_service.h"
#include "bench_util.h"

#define S_MARK_BEGIN "<!-- replies:begin -->"
#define S_MARK_END "<!-- replies:end -->"
#define S_KEPT_HEAD (8 + 1 + 32) /* time, mark, the request's digest */

static const Ocop__StageAction s_steps[] = {
    OCOP__STAGE_ACTION__STAGE_ACTION_ACCEPT, OCOP__STAGE_ACTION__STAGE_ACTION_SUBMIT,
    OCOP__STAGE_ACTION__STAGE_ACTION_ACCEPT, OCOP__STAGE_ACTION__STAGE_ACTION_SUBMIT};
#define S_STEPS (sizeof s_steps / sizeof s_steps[0])

typedef struct {
    bench_pool_t pool;
    char **product_ids; /* by product request number */
    Ocop__StageAction action;
    Ocop__RegStageTransition transition;
    /* the product routes' OK replies */
    uint64_t ok, whole_bytes, id_bytes;
} s_bench_t;

static void s_make_product(void *user, uint64_t seq, Ocop__Request *req)
{
    s_bench_t *b = user;
    bench_pool_product(&b->pool, seq, req);
}

static void s_make_transition(void *user, uint64_t seq, Ocop__Request *req)
{
    s_bench_t *b = user;
    ocop__reg_stage_transition__init(&b->transition);
    b->transition.product_id = b->product_ids[seq] ? b->product_ids[seq] : "";
    b->transition.action = b->action;
    req->body_case = OCOP__REQUEST__BODY_REG_STAGE_TRANSITION;
    req->reg_stage_transition = &b->transition;
}

/* A product route's reply: what its saved record would hold whole, and holds now. */
static void s_take_detail(void *user, uint64_t seq, const Ocop__Reply *reply)
{
    s_bench_t *b = user;
    if (reply->status != OCOP__STATUS__STATUS_OK || reply->body_case != OCOP__REPLY__BODY_REG_PRODUCT_DETAIL)
        return;
    const char *id = reply->reg_product_detail->product->id;
    if (!b->product_ids[seq])
        b->product_ids[seq] = strdup(id);
    b->ok++;
    b->whole_bytes += S_KEPT_HEAD + ocop__reply__get_packed_size(reply);
    b->id_bytes += S_KEPT_HEAD + strlen(id);
}

/* n requests on client, 256 in flight. */
static int s_drive(ocop_client_t *client, uint64_t n, bench_make_fn make, bench_reply_fn take, s_bench_t *b,
                   uint32_t tag)
{
    bench_drive_result_t r;
    return bench_drive_one(client, 256, n, tag, make, take, b, &r);
}

typedef struct {
    size_t products;
    uint64_t ok;
    double whole_per_product, id_per_product;     /* saved records' bytes, from the replies */
    double tables_per_product, store_per_product; /* LMDB pages in use, after the run */
} s_result_t;

/* Pages of the request-id tables and of the whole store, read-only after the service stopped. */
static int s_store_stats(const char *dir, s_result_t *r)
{
    MDB_env *env;
    MDB_txn *txn;
    int rc = mdb_env_create(&env);
    if (rc == 0 && (rc = mdb_env_set_maxdbs(env, 64)) == 0 &&
        (rc = mdb_env_open(env, dir, MDB_RDONLY | MDB_NOLOCK, 0600)) == 0 &&
        (rc = mdb_txn_begin(env, NULL, MDB_RDONLY, &txn)) == 0) {
        MDB_stat st;
        MDB_envinfo info;
        uint64_t tables = 0;
        const char *names[] = {"request_ids", "request_ids_by_time"};
        for (size_t i = 0; rc == 0 && i < 2; i++) {
            MDB_dbi dbi;
            if ((rc = mdb_dbi_open(txn, names[i], 0, &dbi)) == 0 && (rc = mdb_stat(txn, dbi, &st)) == 0)
                tables += (st.ms_branch_pages + st.ms_leaf_pages + st.ms_overflow_pages) * (uint64_t)st.ms_psize;
        }
        if (rc == 0 && (rc = mdb_env_info(env, &info)) == 0 && (rc = mdb_env_stat(env, &st)) == 0) {
            r->tables_per_product = (double)tables / (double)r->products;
            r->store_per_product = (double)(info.me_last_pgno + 1) * st.ms_psize / (double)r->products;
        }
        mdb_txn_abort(txn);
    }
    mdb_env_close(env);
    if (rc != 0)
        fprintf(stderr, "bench_replies: reading %s: %s\n", dir, mdb_strerror(rc));
    return rc == 0 ? 0 : -1;
}

static int s_run(void *zctx, const char *tmp, size_t n, s_result_t *out)
{
    char err[256] = "";
    s_bench_t b = {0};
    bench_workload_t *workload = bench_workload_new(BENCH_RULES_DIR, err, sizeof err);
    b.product_ids = calloc(n, sizeof *b.product_ids);
    bench_service_options_t so = {
        .binary = BENCH_SERVICE_BIN, .rules_dir = BENCH_RULES_DIR, .dir = tmp, .start_timeout_ms = 15000};
    bench_service_t svc;
    memset(&svc, 0, sizeof svc);
    int rc = workload && b.product_ids ? 0 : -1;
    int started = rc == 0 && bench_service_start(&svc, zctx, &so) == 0;
    ocop_client_t *c =
        started ? ocop_client_new(zctx, svc.endpoint, svc.server_public, &svc.client_keys, "bench") : NULL;
    if (!c)
        rc = -1;
    if (rc == 0)
        rc = bench_pool_register(&b.pool, workload, c, n, 256, 0xe1);
    if (rc == 0)
        rc = s_drive(c, n, s_make_product, s_take_detail, &b, 0xf1);
    for (size_t s = 0; rc == 0 && s < S_STEPS; s++) {
        b.action = s_steps[s];
        rc = s_drive(c, n, s_make_transition, s_take_detail, &b, 0x100 + (uint32_t)s);
    }
    ocop_client_destroy(&c);
    if (started && bench_service_stop(&svc, 15000) != 0)
        rc = -1;
    out->products = n;
    out->ok = b.ok;
    out->whole_per_product = (double)b.whole_bytes / (double)n;
    out->id_per_product = (double)b.id_bytes / (double)n;
    char store[1100];
    snprintf(store, sizeof store, "%s/data/registration", tmp);
    if (rc == 0)
        rc = s_store_stats(store, out);
    for (size_t i = 0; b.product_ids && i < n; i++)
        free(b.product_ids[i]);
    free(b.product_ids);
    bench_pool_free(&b.pool);
    bench_workload_destroy(&workload);
    if (rc != 0)
        fprintf(stderr, "bench_replies: run failed%s%s (log: %s)\n", *err ? ": " : "", err, svc.log_path);
    return rc;
}

static void s_usage(FILE *out)
{
    fprintf(out, "usage: bench_replies [--quick] [--no-write] [--out FILE]\n");
}

int main(int argc, char **argv)
{
    int quick = 0, write = 1;
    const char *out = BENCH_DOCS_FILE;
    if (bench_parse_only_shared(argc, argv, &quick, &write, &out, s_usage) != 0)
        return 2;
    size_t n = quick ? 1000 : 10000;
    char *tmp = bench_tmpdir_new("replies");
    void *zctx = zmq_ctx_new();
    s_result_t r = {0};
    int rc = tmp && zctx ? s_run(zctx, tmp, n, &r) : -1;
    if (zctx)
        zmq_ctx_term(zctx);
    if (tmp) {
        test_rmtree(tmp);
        free(tmp);
    }
    if (rc != 0)
        return 1;
    printf("%zu products, %llu product writes answered OK (register + %zu transitions each)\n", r.products,
           (unsigned long long)r.ok, S_STEPS);
    printf("saved records per product: %.0f bytes whole replies, %.0f bytes ids kept (%.1fx less)\n",
           r.whole_per_product, r.id_per_product, r.whole_per_product / r.id_per_product);
    printf("LMDB after the run, per product: request-id tables %.0f bytes, whole store %.0f bytes\n",
           r.tables_per_product, r.store_per_product);
    if (!write)
        return 0;
    bench_context_t ctx;
    bench_context_init(&ctx, quick, BENCH_BUILD_TYPE);
    bench_text_t md = {0};
    bench_text_printf(
        &md,
        "%s\n## Saved replies: what registration keeps for retries\n\n"
        "`bench/bench_replies`%s (%s, %s, %s build): ocop-registration on a fresh store, %zu entities and %zu "
        "products, each product then moved through the %zu stage transitions that bring it to evaluation; %llu "
        "product writes answered OK. Every write's request id is kept for a week so that a retry is answered. "
        "The product routes now keep the product's id and answer a retry with its detail rebuilt "
        "(`ocop_route_t.replay`); they kept the whole reply before — the product's detail with its history, "
        "which grows with every transition.\n\n"
        "| per product | bytes |\n|---|---:|\n"
        "| saved records, had the whole replies been kept (from the replies received) | %.0f |\n"
        "| saved records as kept now (time, mark, request digest, product id) | %.0f |\n"
        "| LMDB pages of the two request-id tables after the run | %.0f |\n"
        "| LMDB pages of the whole store after the run | %.0f |\n\n"
        "The saved records hold %.1f× less than whole replies would, and what each keeps no longer grows with "
        "the product's history. What remains of the tables is LMDB's per-record cost (keys of 32-character "
        "request ids, the time index, page fill).\n\n%s\n",
        S_MARK_BEGIN, quick ? " --quick" : "", ctx.date, ctx.cpu, ctx.build_type, r.products, r.products, S_STEPS,
        (unsigned long long)r.ok, r.whole_per_product, r.id_per_product, r.tables_per_product, r.store_per_product,
        r.whole_per_product / r.id_per_product, S_MARK_END);
    return bench_docs_write(out, S_MARK_BEGIN, S_MARK_END, "replies", &md) == 0 ? 0 : 1;
}
