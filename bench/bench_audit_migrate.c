/* bench_audit_migrate — how long the audit service's first start after the Merkle re-keying
 * spends copying its tree's nodes (aud_migrate: from "nodes", keyed level-major, to "merkle",
 * keyed in the order appends make them, AUD_MIGRATE_LEAVES leaves per transaction), and the
 * space it gives back.
 *
 *   bench_audit_migrate [--quick] [--no-write] [--out FILE]
 *
 * In-process, on a store written the old way: the nodes of a log of 37,300,000 entries (the
 * audit log of the 100x scale run; --quick: 10x), put in the order the intake made them (each
 * leaf, then the subtrees it completed), so the old database's pages are as half full as a
 * real one's; the hashes are stand-ins (the copy does not read them). Then aud_migrate_nodes,
 * timed, and a second start's check, timed. Writes the "audit-migrate" section of
 * docs/BENCHMARKS.md. */
#include <lmdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aud_migrate.h"
#include "bench_util.h"
#include "ocop_db.h"
#include "ocop_store.h"

#define S_MARK_BEGIN "<!-- audit-migrate:begin -->"
#define S_MARK_END "<!-- audit-migrate:end -->"
#define S_ENTRIES_100X 37300000ull
#define S_FILL_BATCH 100000ull

typedef struct {
    uint64_t entries, nodes;
    double fill_s, migrate_s, again_us;
    double old_mb, new_mb; /* the two databases' pages */
} s_result_t;

static double s_table_mb(MDB_env *env, MDB_dbi dbi)
{
    MDB_txn *txn;
    MDB_stat st;
    if (mdb_txn_begin(env, NULL, MDB_RDONLY, &txn) != 0)
        return -1;
    int rc = mdb_stat(txn, dbi, &st);
    mdb_txn_abort(txn);
    return rc != 0 ? -1
                   : (double)((st.ms_branch_pages + st.ms_leaf_pages + st.ms_overflow_pages) * st.ms_psize) /
                         (1024.0 * 1024.0);
}

/* The old database's nodes of leaves [0, n) and meta's size, in batches. 0 / -1. */
static int s_fill(ocop_store_t *store, aud_state_t *state, MDB_dbi *old, uint64_t n, uint64_t *nodes)
{
    int rc = 0;
    for (uint64_t from = 0; rc == 0 && from < n; from += S_FILL_BATCH) {
        MDB_txn *txn;
        if ((rc = mdb_txn_begin(ocop_store_env(store), NULL, 0, &txn)) != 0)
            break;
        if (from == 0)
            rc = mdb_dbi_open(txn, "nodes", MDB_CREATE, old);
        uint64_t end = from + S_FILL_BATCH < n ? from + S_FILL_BATCH : n, made = 0;
        for (uint64_t leaf = from; rc == 0 && leaf < end; leaf++) {
            uint64_t index = leaf;
            for (unsigned level = 0; rc == 0; level++, index >>= 1) {
                ocop_key_t key;
                ocop_key_init(&key);
                ocop_key_u32(&key, level);
                ocop_key_u64(&key, index);
                uint8_t hash[AUD_HASH_LEN] = {0};
                memcpy(hash, &leaf, sizeof leaf);
                hash[sizeof leaf] = (uint8_t)level;
                MDB_val k = ocop_key_val(&key), v = {.mv_size = sizeof hash, .mv_data = hash};
                rc = ocop_db_put(txn, *old, &k, &v, 0);
                made++;
                if (!(index & 1))
                    break;
            }
        }
        uint8_t size[8];
        ocop_be64_put(size, end);
        MDB_val k = {.mv_size = 4, .mv_data = "size"}, v = {.mv_size = 8, .mv_data = size};
        if (rc == 0)
            rc = ocop_db_put(txn, state->db.meta, &k, &v, 0);
        rc = rc == 0 ? mdb_txn_commit(txn) : (mdb_txn_abort(txn), rc);
        if (rc == MDB_MAP_FULL && ocop_store_grow(store) == 0) {
            from -= S_FILL_BATCH; /* that batch again */
            rc = 0;
        } else if (rc == 0) {
            *nodes += made;
        }
    }
    if (rc != 0)
        fprintf(stderr, "bench_audit_migrate: filling the old nodes: %s\n", mdb_strerror(rc));
    return rc == 0 ? 0 : -1;
}

static int s_run(const char *dir, s_result_t *r)
{
    char err[512] = "";
    ocop_store_options_t so = {.path = dir, .map_size = 1ull << 30, .map_max = 64ull << 30};
    ocop_store_t *store = ocop_store_open(&so, err, sizeof err);
    aud_state_t state;
    memset(&state, 0, sizeof state);
    state.store = store;
    const ocop_dbi_spec_t dbs[] = {{"merkle", &state.db.merkle}, {"meta", &state.db.meta}};
    if (!store || ocop_store_dbis(store, dbs, 2, err, sizeof err) != 0) {
        fprintf(stderr, "bench_audit_migrate: %s\n", err);
        ocop_store_destroy(&store);
        return -1;
    }
    MDB_dbi old;
    int64_t t0 = bench_now_ns();
    int rc = s_fill(store, &state, &old, r->entries, &r->nodes);
    r->old_mb = s_table_mb(ocop_store_env(store), old);
    int64_t t1 = bench_now_ns();
    if (rc == 0 && (rc = aud_migrate_nodes(&state, err, sizeof err)) != 0)
        fprintf(stderr, "bench_audit_migrate: %s\n", err);
    int64_t t2 = bench_now_ns();
    if (rc == 0 && (rc = aud_migrate_nodes(&state, err, sizeof err)) != 0)
        fprintf(stderr, "bench_audit_migrate: %s\n", err);
    int64_t t3 = bench_now_ns();
    r->fill_s = (double)(t1 - t0) / 1e9;
    r->migrate_s = (double)(t2 - t1) / 1e9;
    r->again_us = (double)(t3 - t2) / 1e3;
    r->new_mb = s_table_mb(ocop_store_env(store), state.db.merkle);
    ocop_store_destroy(&store);
    return rc == 0 ? 0 : -1;
}

static void s_usage(FILE *out)
{
    fprintf(out, "usage: bench_audit_migrate [--quick] [--no-write] [--out FILE]\n"
                 "  --quick  a log of 10x the programme (3,730,000 entries) instead of 100x (37,300,000)\n");
}

int main(int argc, char **argv)
{
    int quick = 0, write = 1;
    const char *out = BENCH_DOCS_FILE;
    if (bench_parse_only_shared(argc, argv, &quick, &write, &out, s_usage) != 0)
        return 2;
    s_result_t r = {.entries = quick ? S_ENTRIES_100X / 10 : S_ENTRIES_100X};
    char *dir = bench_tmpdir_new("audit-migrate");
    if (!dir)
        return 1;
    /* The migration logs a line per transaction: hundreds of them at 100x. */
    setenv("OCOP_LOG_LEVEL", "warn", 1);
    printf("bench_audit_migrate: the nodes of %llu entries written the old way ...\n", (unsigned long long)r.entries);
    fflush(stdout);
    int rc = s_run(dir, &r);
    test_rmtree(dir);
    free(dir);
    if (rc != 0)
        return 1;
    uint64_t transactions = (r.entries + AUD_MIGRATE_LEAVES - 1) / AUD_MIGRATE_LEAVES;
    printf("  filled in %.1f s; copied in %.1f s (%.0f nodes/s, %llu transactions); a second start's check %.0f µs; "
           "nodes %.0f MiB before, %.0f MiB after\n",
           r.fill_s, r.migrate_s, (double)r.nodes / r.migrate_s, (unsigned long long)transactions, r.again_us, r.old_mb,
           r.new_mb);
    if (!write)
        return 0;
    bench_context_t ctx;
    bench_context_init(&ctx, quick, BENCH_BUILD_TYPE);
    bench_text_t md = {0};
    bench_text_printf(
        &md,
        "%s\n## The audit service's first start after the Merkle re-keying\n\n"
        "`bench/bench_audit_migrate`%s (%s, %s, %d cores, %s build): an audit store whose Merkle nodes are "
        "keyed the old way (level, then index), those of a log of %llu entries, put in the order the "
        "intake made them, then `aud_migrate_nodes` as the service runs it at its first start after the "
        "upgrade, before it answers: every node copied under the last leaf it covers and its level, "
        "appended, %d leaves per fsync'd transaction, and the old database dropped.\n\n"
        "| measure | result |\n|---|---:|\n"
        "| nodes copied | %llu |\n"
        "| time | %.1f s |\n"
        "| nodes/s | %.0f |\n"
        "| fsync'd transactions | %llu |\n"
        "| a later start's check (no old database) | %.0f µs |\n"
        "| the nodes' pages before | %.0f MiB (%.0f bytes per entry) |\n"
        "| after | %.0f MiB (%.0f bytes per entry) |\n\n"
        "The copy happens once, at the first start of the release that brings it; every later start "
        "looks for the old database and finds none. During it the audit service does not answer (its "
        "log shows `merkle_migrating` per transaction). The pages the old database held go back to "
        "LMDB's free list, and new entries reuse them, so the store file stops growing until they are "
        "used up.\n\n%s\n",
        S_MARK_BEGIN, quick ? " --quick" : "", ctx.date, ctx.cpu, ctx.cores, ctx.build_type,
        (unsigned long long)r.entries, AUD_MIGRATE_LEAVES, (unsigned long long)r.nodes, r.migrate_s,
        (double)r.nodes / r.migrate_s, (unsigned long long)transactions, r.again_us, r.old_mb,
        r.old_mb * 1048576.0 / (double)r.entries, r.new_mb, r.new_mb * 1048576.0 / (double)r.entries, S_MARK_END);
    return bench_docs_write(out, S_MARK_BEGIN, S_MARK_END, "audit-migrate", &md) == 0 ? 0 : 1;
}
