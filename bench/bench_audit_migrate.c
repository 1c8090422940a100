/* bench_audit_migrate — how long the audit service's first start after the store's re-layout
 * spends copying its Merkle tree's nodes (aud_migrate_nodes: from "nodes", keyed level-major, to
 * "merkle", keyed in the order appends make them, AUD_MIGRATE_LEAVES leaves per transaction) and
 * its indexes (aud_migrate_indexes: from the plain tables "by_key" and "source_seq" to the sorted
 * duplicates of key_entries and source_entries, AUD_MIGRATE_RECORDS records per transaction),
 * and the space it gives back.
 *
 *   bench_audit_migrate [--quick] [--no-write] [--out FILE]
 *
 * In-process, on a store written the old way: a log of 37,300,000 entries (the audit log of the
 * 100x scale run; --quick: 10x), each entry's nodes (the leaf, then the subtrees it completed)
 * and index records (its province among 34 and its event type among 12 in no order, its
 * sequence in one of 4 sources) put as the intake made them, so the old tables' pages are as
 * half full as a real one's; the hashes are stand-ins (the copy does not read them). Then the two
 * migrations, timed, and a second start's check, timed. Writes the "audit-migrate" section of
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
    uint64_t entries, nodes, records;
    double fill_s, nodes_s, indexes_s, again_us;
    double old_nodes_mb, new_nodes_mb;     /* the node tables' pages */
    double old_indexes_mb, new_indexes_mb; /* the index tables' pages */
} s_result_t;

#define S_SOURCES 4

static double s_mb(uint64_t pages, uint64_t psize)
{
    return (double)(pages * psize) / (1024.0 * 1024.0);
}

static uint64_t s_stat_pages(MDB_txn *txn, MDB_dbi dbi)
{
    MDB_stat st;
    return mdb_stat(txn, dbi, &st) == 0 ? (uint64_t)(st.ms_branch_pages + st.ms_leaf_pages + st.ms_overflow_pages) : 0;
}

/* The pages of the node tables and of the index tables (the sorted duplicates' sub-trees are
 * what ocop_store_pages counts as duplicates). */
static void s_measure(ocop_store_t *store, const MDB_dbi *nodes, const MDB_dbi *indexes, size_t n_indexes,
                      int duplicates, double *nodes_mb, double *indexes_mb)
{
    ocop_store_pages_t pages;
    MDB_txn *txn;
    if (ocop_store_pages(ocop_store_env(store), &pages) != 0 ||
        mdb_txn_begin(ocop_store_env(store), NULL, MDB_RDONLY, &txn) != 0)
        return;
    uint64_t index_pages = duplicates ? pages.duplicates : 0;
    for (size_t i = 0; i < n_indexes; i++)
        index_pages += s_stat_pages(txn, indexes[i]);
    *nodes_mb = s_mb(s_stat_pages(txn, *nodes), pages.psize);
    *indexes_mb = s_mb(index_pages, pages.psize);
    mdb_txn_abort(txn);
}

typedef struct {
    MDB_dbi nodes, by_key, source_seq, meta;
} s_old_t;

/* Entry leaf's nodes as the intake made them: the leaf, then each subtree it completed. */
static int s_put_nodes(MDB_txn *txn, const s_old_t *old, uint64_t leaf, uint64_t *made)
{
    uint64_t index = leaf;
    for (unsigned level = 0;; level++, index >>= 1) {
        ocop_key_t key;
        ocop_key_init(&key);
        ocop_key_u32(&key, level);
        ocop_key_u64(&key, index);
        uint8_t hash[AUD_HASH_LEN] = {0};
        memcpy(hash, &leaf, sizeof leaf);
        hash[sizeof leaf] = (uint8_t)level;
        MDB_val k = ocop_key_val(&key), v = {.mv_size = sizeof hash, .mv_data = hash};
        int rc = ocop_db_put(txn, old->nodes, &k, &v, 0);
        ++*made;
        if (rc != 0 || !(index & 1))
            return rc;
    }
}

/* Entry leaf's index records the old way: kind|value|index -> "" for its province and its type,
 * section|sequence -> index for its source. */
static int s_put_indexes(MDB_txn *txn, const s_old_t *old, uint64_t leaf, uint64_t *records)
{
    static const char *const sections[S_SOURCES] = {"registration", "evaluation-1", "evaluation-2", "promotion"};
    char province[8], type[16];
    snprintf(province, sizeof province, "%02u", (unsigned)((leaf * 7919u) % 34u) + 1u);
    snprintf(type, sizeof type, "type-%02u", (unsigned)((leaf * 31u) % 12u));
    const char *keys[][2] = {{"province", province}, {"type", type}};
    int rc = 0;
    for (int i = 0; i < 2 && rc == 0; i++) {
        ocop_key_t key;
        ocop_key_init(&key);
        ocop_key_str(&key, keys[i][0]);
        ocop_key_str(&key, keys[i][1]);
        ocop_key_u64(&key, leaf);
        MDB_val k = ocop_key_val(&key), v = {.mv_size = 0, .mv_data = ""};
        rc = ocop_db_put(txn, old->by_key, &k, &v, 0);
    }
    ocop_key_t key;
    ocop_key_init(&key);
    ocop_key_str(&key, sections[leaf % S_SOURCES]);
    ocop_key_u64(&key, leaf / S_SOURCES + 1);
    uint8_t ib[8];
    ocop_be64_put(ib, leaf);
    MDB_val k = ocop_key_val(&key), v = {.mv_size = 8, .mv_data = ib};
    if (rc == 0)
        rc = ocop_db_put(txn, old->source_seq, &k, &v, 0);
    *records += 3;
    return rc;
}

/* The old tables' records of entries [0, n) and meta's size, in batches. 0 / -1. */
static int s_fill(ocop_store_t *store, s_old_t *old, s_result_t *r)
{
    int rc = 0;
    for (uint64_t from = 0; rc == 0 && from < r->entries; from += S_FILL_BATCH) {
        MDB_txn *txn;
        if ((rc = mdb_txn_begin(ocop_store_env(store), NULL, 0, &txn)) != 0)
            break;
        if (from == 0 && (rc = mdb_dbi_open(txn, "nodes", MDB_CREATE, &old->nodes)) == 0 &&
            (rc = mdb_dbi_open(txn, "by_key", MDB_CREATE, &old->by_key)) == 0)
            rc = mdb_dbi_open(txn, "source_seq", MDB_CREATE, &old->source_seq);
        uint64_t end = from + S_FILL_BATCH < r->entries ? from + S_FILL_BATCH : r->entries, made = 0, records = 0;
        for (uint64_t leaf = from; rc == 0 && leaf < end; leaf++)
            if ((rc = s_put_nodes(txn, old, leaf, &made)) == 0)
                rc = s_put_indexes(txn, old, leaf, &records);
        uint8_t size[8];
        ocop_be64_put(size, end);
        MDB_val k = {.mv_size = 4, .mv_data = "size"}, v = {.mv_size = 8, .mv_data = size};
        if (rc == 0)
            rc = ocop_db_put(txn, old->meta, &k, &v, 0);
        rc = rc == 0 ? mdb_txn_commit(txn) : (mdb_txn_abort(txn), rc);
        if (rc == MDB_MAP_FULL && ocop_store_grow(store) == 0) {
            from -= S_FILL_BATCH; /* that batch again */
            rc = 0;
        } else if (rc == 0) {
            r->nodes += made;
            r->records += records;
        }
    }
    if (rc != 0)
        fprintf(stderr, "bench_audit_migrate: filling the old tables: %s\n", mdb_strerror(rc));
    return rc == 0 ? 0 : -1;
}

/* Both migrations, as aud_state_open runs them. 0 / -1. */
static int s_migrate(aud_state_t *state, double *nodes_s, double *indexes_s)
{
    char err[512] = "";
    int64_t t0 = bench_now_ns();
    int rc = aud_migrate_nodes(state, err, sizeof err);
    int64_t t1 = bench_now_ns();
    if (rc == 0)
        rc = aud_migrate_indexes(state, err, sizeof err);
    *nodes_s = (double)(t1 - t0) / 1e9;
    *indexes_s = (double)(bench_now_ns() - t1) / 1e9;
    if (rc != 0)
        fprintf(stderr, "bench_audit_migrate: %s\n", err);
    return rc;
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
    if (!store || ocop_store_dbis(store, dbs, 2, err, sizeof err) != 0 ||
        aud_state_open_dup_tables(&state, err, sizeof err) != 0) {
        fprintf(stderr, "bench_audit_migrate: %s\n", err);
        ocop_store_destroy(&store);
        return -1;
    }
    s_old_t old = {.meta = state.db.meta};
    int64_t t0 = bench_now_ns();
    int rc = s_fill(store, &old, r);
    r->fill_s = (double)(bench_now_ns() - t0) / 1e9;
    const MDB_dbi old_indexes[] = {old.by_key, old.source_seq};
    s_measure(store, &old.nodes, old_indexes, 2, 0, &r->old_nodes_mb, &r->old_indexes_mb);
    double again_nodes_s, again_indexes_s;
    if (rc == 0)
        rc = s_migrate(&state, &r->nodes_s, &r->indexes_s);
    if (rc == 0)
        rc = s_migrate(&state, &again_nodes_s, &again_indexes_s);
    r->again_us = (again_nodes_s + again_indexes_s) * 1e6;
    const MDB_dbi new_indexes[] = {state.db.key_entries, state.db.source_entries};
    s_measure(store, &state.db.merkle, new_indexes, 2, 1, &r->new_nodes_mb, &r->new_indexes_mb);
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
    printf("bench_audit_migrate: a log of %llu entries written the old way ...\n", (unsigned long long)r.entries);
    fflush(stdout);
    int rc = s_run(dir, &r);
    test_rmtree(dir);
    free(dir);
    if (rc != 0)
        return 1;
    uint64_t node_txns = (r.entries + AUD_MIGRATE_LEAVES - 1) / AUD_MIGRATE_LEAVES;
    uint64_t index_txns = (r.records + AUD_MIGRATE_RECORDS - 1) / AUD_MIGRATE_RECORDS;
    printf("  filled in %.1f s\n"
           "  nodes: %llu copied in %.1f s (%.0f/s, %llu transactions); %.0f MiB before, %.0f MiB after\n"
           "  index records: %llu copied in %.1f s (%.0f/s, about %llu transactions); %.0f MiB before, %.0f MiB after\n"
           "  a second start's check: %.0f µs\n",
           r.fill_s, (unsigned long long)r.nodes, r.nodes_s, (double)r.nodes / r.nodes_s, (unsigned long long)node_txns,
           r.old_nodes_mb, r.new_nodes_mb, (unsigned long long)r.records, r.indexes_s, (double)r.records / r.indexes_s,
           (unsigned long long)index_txns, r.old_indexes_mb, r.new_indexes_mb, r.again_us);
    if (!write)
        return 0;
    bench_context_t ctx;
    bench_context_init(&ctx, quick, BENCH_BUILD_TYPE);
    double per_entry = 1048576.0 / (double)r.entries;
    bench_text_t md = {0};
    bench_text_printf(&md,
                      "%s\n## The audit service's first start after the store's re-layout\n\n"
                      "`bench/bench_audit_migrate`%s (%s, %s, %d cores, %s build): an audit store written the old way, "
                      "a log of %llu entries: its Merkle nodes keyed level, then index, and its indexes in plain "
                      "tables (each entry's province among 34 and event type among 12 in `by_key`, its sequence in "
                      "one of %d sources in `source_seq`), all put in the order the intake made them. Then what the "
                      "service runs at its first start after the upgrade, before it answers: `aud_migrate_nodes` "
                      "(every node copied under the last leaf it covers and its level, appended, %d leaves per fsync'd "
                      "transaction) and `aud_migrate_indexes` (every record copied into the sorted duplicates of "
                      "`key_entries` and `source_entries`, appended at its key's end, %d records per fsync'd "
                      "transaction), each dropping the old table in its last transaction.\n\n"
                      "| measure | Merkle nodes | index records |\n|---|---:|---:|\n"
                      "| copied | %llu | %llu |\n"
                      "| time | %.1f s | %.1f s |\n"
                      "| per second | %.0f | %.0f |\n"
                      "| fsync'd transactions | %llu | %llu |\n"
                      "| pages before | %.0f MiB (%.0f bytes per entry) | %.0f MiB (%.0f bytes per entry) |\n"
                      "| after | %.0f MiB (%.0f bytes per entry) | %.0f MiB (%.0f bytes per entry) |\n\n"
                      "A later start's check (no old table left) takes %.0f µs. The copy happens once, at the first "
                      "start of the release that brings it; during it the audit service does not answer (its log "
                      "shows `merkle_migrating` and `index_migrating` per transaction). The pages the old tables held "
                      "go back to LMDB's free list, and new entries reuse them, so the store file stops growing until "
                      "they are used up.\n\n%s\n",
                      S_MARK_BEGIN, quick ? " --quick" : "", ctx.date, ctx.cpu, ctx.cores, ctx.build_type,
                      (unsigned long long)r.entries, S_SOURCES, AUD_MIGRATE_LEAVES, AUD_MIGRATE_RECORDS,
                      (unsigned long long)r.nodes, (unsigned long long)r.records, r.nodes_s, r.indexes_s,
                      (double)r.nodes / r.nodes_s, (double)r.records / r.indexes_s, (unsigned long long)node_txns,
                      (unsigned long long)index_txns, r.old_nodes_mb, r.old_nodes_mb * per_entry, r.old_indexes_mb,
                      r.old_indexes_mb * per_entry, r.new_nodes_mb, r.new_nodes_mb * per_entry, r.new_indexes_mb,
                      r.new_indexes_mb * per_entry, r.again_us, S_MARK_END);
    return bench_docs_write(out, S_MARK_BEGIN, S_MARK_END, "audit-migrate", &md) == 0 ? 0 : 1;
}
