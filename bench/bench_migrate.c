/* bench_migrate — how long registration's first start after the upgrade spends rewriting its
 * keys (reg_migrate: entities, products and meta keyed by the id's bytes become the id and its
 * NUL, REG_MIGRATE_CHUNK records per transaction).
 *
 *   bench_migrate [--quick] [--no-write] [--out FILE]
 *
 * In-process, on a store written the old way: 908,400 entities and 1,740,000 products (100× the
 * July 2025 programme; --quick: 10×), values of 300 and 500 bytes (about an entity's and a
 * product's record), written in ascending id order as registration numbers them. Then
 * reg_migrate_keys, timed, and a second start's check, timed. Writes the "migrate" section of
 * docs/BENCHMARKS.md. */
#include <lmdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench_util.h"
#include "ocop_db.h"
#include "ocop_store.h"
#include "reg_migrate.h"

#define S_MARK_BEGIN "<!-- migrate:begin -->"
#define S_MARK_END "<!-- migrate:end -->"
#define S_ENTITIES_100X 908400
#define S_PRODUCTS_100X 1740000
#define S_ENTITY_BYTES 300
#define S_PRODUCT_BYTES 500
#define S_FILL_BATCH 50000

typedef struct {
    size_t entities, products;
    double fill_s, migrate_s, again_us;
    size_t store_mb;
} s_result_t;

/* n records "KIND-%08zu" -> size bytes into dbi, the old way (no NUL), in batches. 0 / -1. */
static int s_fill(ocop_store_t *store, MDB_dbi dbi, const char *kind, size_t n, size_t size)
{
    uint8_t *value = malloc(size);
    if (!value)
        return -1;
    for (size_t i = 0; i < size; i++)
        value[i] = (uint8_t)(i * 131 + 7);
    int rc = 0;
    for (size_t from = 1; rc == 0 && from <= n; from += S_FILL_BATCH) {
        MDB_txn *txn;
        if ((rc = mdb_txn_begin(ocop_store_env(store), NULL, 0, &txn)) != 0)
            break;
        for (size_t i = from; rc == 0 && i < from + S_FILL_BATCH && i <= n; i++) {
            char id[32];
            int len = snprintf(id, sizeof id, "%s-%08zu", kind, i);
            memcpy(value, &i, sizeof i); /* records differ */
            MDB_val k = {.mv_size = (size_t)len, .mv_data = id}, v = {.mv_size = size, .mv_data = value};
            rc = ocop_db_put(txn, dbi, &k, &v, MDB_APPEND);
        }
        rc = rc == 0 ? mdb_txn_commit(txn) : (mdb_txn_abort(txn), rc);
        if (rc == MDB_MAP_FULL && ocop_store_grow(store) == 0) {
            from -= S_FILL_BATCH; /* that batch again */
            rc = 0;
        }
    }
    free(value);
    if (rc != 0)
        fprintf(stderr, "bench_migrate: filling %s: %s\n", kind, mdb_strerror(rc));
    return rc == 0 ? 0 : -1;
}

static int s_run(const char *dir, s_result_t *r)
{
    char err[512] = "";
    ocop_store_options_t so = {.path = dir, .map_size = 1ull << 30, .map_max = 64ull << 30};
    ocop_store_t *store = ocop_store_open(&so, err, sizeof err);
    reg_state_t state;
    memset(&state, 0, sizeof state);
    state.store = store;
    const ocop_dbi_spec_t dbs[] = {
        {"entities", &state.db.entities}, {"products", &state.db.products}, {"meta", &state.db.meta}};
    if (!store || ocop_store_dbis(store, dbs, 3, err, sizeof err) != 0) {
        fprintf(stderr, "bench_migrate: %s\n", err);
        ocop_store_destroy(&store);
        return -1;
    }
    int64_t t0 = bench_now_ns();
    int rc = s_fill(store, state.db.entities, "ENT", r->entities, S_ENTITY_BYTES);
    if (rc == 0)
        rc = s_fill(store, state.db.products, "PRD", r->products, S_PRODUCT_BYTES);
    int64_t t1 = bench_now_ns();
    if (rc == 0 && (rc = reg_migrate_keys(&state, err, sizeof err)) != 0)
        fprintf(stderr, "bench_migrate: %s\n", err);
    int64_t t2 = bench_now_ns();
    if (rc == 0 && (rc = reg_migrate_keys(&state, err, sizeof err)) != 0)
        fprintf(stderr, "bench_migrate: %s\n", err);
    int64_t t3 = bench_now_ns();
    r->fill_s = (double)(t1 - t0) / 1e9;
    r->migrate_s = (double)(t2 - t1) / 1e9;
    r->again_us = (double)(t3 - t2) / 1e3;
    r->store_mb = ocop_store_used_bytes(store) >> 20;
    ocop_store_destroy(&store);
    return rc == 0 ? 0 : -1;
}

static void s_usage(FILE *out)
{
    fprintf(out, "usage: bench_migrate [--quick] [--no-write] [--out FILE]\n"
                 "  --quick  10x the programme (174,000 products) instead of 100x (1,740,000)\n");
}

int main(int argc, char **argv)
{
    int quick = 0, write = 1;
    const char *out = BENCH_DOCS_FILE;
    if (bench_parse_only_shared(argc, argv, &quick, &write, &out, s_usage) != 0)
        return 2;
    s_result_t r = {.entities = quick ? S_ENTITIES_100X / 10 : S_ENTITIES_100X,
                    .products = quick ? S_PRODUCTS_100X / 10 : S_PRODUCTS_100X};
    char *dir = bench_tmpdir_new("migrate");
    if (!dir)
        return 1;
    /* The migration logs a line per chunk: thousands of them at 100x. */
    setenv("OCOP_LOG_LEVEL", "warn", 1);
    printf("bench_migrate: %zu entities and %zu products written the old way ...\n", r.entities, r.products);
    fflush(stdout);
    int rc = s_run(dir, &r);
    test_rmtree(dir);
    free(dir);
    if (rc != 0)
        return 1;
    double records = (double)(r.entities + r.products);
    /* each table's chunks, then the one that marks the store (meta's few keys with it) */
    size_t transactions = (r.entities + REG_MIGRATE_CHUNK - 1) / REG_MIGRATE_CHUNK +
                          (r.products + REG_MIGRATE_CHUNK - 1) / REG_MIGRATE_CHUNK + 1;
    printf("  filled in %.1f s; rewritten in %.1f s (%.0f records/s, %zu transactions); a second start's check "
           "%.0f µs; store %zu MiB\n",
           r.fill_s, r.migrate_s, records / r.migrate_s, transactions, r.again_us, r.store_mb);
    if (!write)
        return 0;
    bench_context_t ctx;
    bench_context_init(&ctx, quick, BENCH_BUILD_TYPE);
    bench_text_t md = {0};
    bench_text_printf(
        &md,
        "%s\n## Registration's first start after the key rewrite\n\n"
        "`bench/bench_migrate`%s (%s, %s, %d cores, %s build): a registration store written the old way "
        "(entities and products keyed by their id's bytes), %zu entities of %d bytes and %zu products of %d "
        "bytes in id order, then `reg_migrate_keys` as the service runs it at its first start after the "
        "upgrade, before it answers: each key rewritten as the id and its NUL, %d records per fsync'd "
        "transaction.\n\n"
        "| measure | result |\n|---|---:|\n"
        "| records rewritten | %.0f |\n"
        "| time | %.1f s |\n"
        "| records/s | %.0f |\n"
        "| fsync'd transactions | %zu |\n"
        "| a later start's check (the store marked done) | %.0f µs |\n"
        "| store after the rewrite | %zu MiB |\n\n"
        "The rewrite happens once, at the first start of the release that brings it; every later start "
        "reads one mark. During it the service does not answer (its log shows `keys_migrating` per "
        "chunk), so an upgrade of a store this size takes its service away for that long.\n\n%s\n",
        S_MARK_BEGIN, quick ? " --quick" : "", ctx.date, ctx.cpu, ctx.cores, ctx.build_type, r.entities, S_ENTITY_BYTES,
        r.products, S_PRODUCT_BYTES, REG_MIGRATE_CHUNK, records, r.migrate_s, records / r.migrate_s, transactions,
        r.again_us, r.store_mb, S_MARK_END);
    return bench_docs_write(out, S_MARK_BEGIN, S_MARK_END, "migrate", &md) == 0 ? 0 : 1;
}
