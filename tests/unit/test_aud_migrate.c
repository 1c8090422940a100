/* aud_migrate and the store's layout: Merkle nodes keyed in the order appends make them fill
 * their pages; a store with the level-major "nodes" database is copied into merkle in chunks,
 * resumes where a stopped start left it, drops the old database, and answers the same roots and
 * proofs; a store missing a node is refused, not half migrated. The same for the indexes of
 * entries by key and by source sequence (aud_migrate_indexes): appended as sorted duplicates they
 * fill their pages, and a store with the old plain tables is copied into them. Both copies grow
 * a map that runs out of room and go on. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <lmdb.h>
#include <stdio.h>
#include <string.h>

#include "aud_merkle.h"
#include "aud_migrate.h"
#include "aud_state.h"
#include "aud_tally.h"
#include "ocop_db.h"
#include "ocop_scan.h"
#include "ocop_store.h"
#include "unit_tmpdir.h"

/* More than two chunks of leaves, and not a power of two (the last subtrees are incomplete). */
#define S_LEAVES (2 * AUD_MIGRATE_LEAVES + 1001)
/* A leaf node of the merkle database: 12-byte key, 32-byte hash, LMDB's node header and its
 * pointer on the page. */
#define S_NODE_BYTES (12 + AUD_HASH_LEN + 8 + 2)
#define S_LEVELS 64

/* The tree kept in memory: the reference every stored tree is checked against. */
typedef struct {
    aud_hash_t *level[S_LEVELS];
    uint64_t n[S_LEVELS], cap[S_LEVELS];
} s_mem_t;

static int s_mem_get(void *user, unsigned level, uint64_t index, aud_hash_t *out)
{
    s_mem_t *m = user;
    if (index >= m->n[level])
        return MDB_NOTFOUND;
    *out = m->level[level][index];
    return 0;
}

static int s_mem_put(void *user, unsigned level, uint64_t index, const aud_hash_t *hash)
{
    s_mem_t *m = user;
    if (index >= m->cap[level]) {
        uint64_t cap = 2 * index + 16;
        aud_hash_t *grown = realloc(m->level[level], cap * sizeof *grown);
        if (!grown)
            return ENOMEM;
        m->level[level] = grown;
        m->cap[level] = cap;
    }
    if (index >= m->n[level])
        m->n[level] = index + 1;
    m->level[level][index] = *hash;
    return 0;
}

static void s_mem_free(s_mem_t *m)
{
    for (int i = 0; i < S_LEVELS; i++)
        free(m->level[i]);
}

/* The old database's layout: level, then index. */
typedef struct {
    MDB_txn *txn;
    MDB_dbi dbi;
} s_old_t;

static void s_old_key(ocop_key_t *key, unsigned level, uint64_t index)
{
    ocop_key_init(key);
    ocop_key_u32(key, level);
    ocop_key_u64(key, index);
}

static int s_old_get(void *user, unsigned level, uint64_t index, aud_hash_t *out)
{
    s_old_t *o = user;
    ocop_key_t key;
    s_old_key(&key, level, index);
    MDB_val k = ocop_key_val(&key), v;
    int rc = mdb_get(o->txn, o->dbi, &k, &v);
    if (rc == 0)
        memcpy(out->h, v.mv_data, AUD_HASH_LEN);
    return rc;
}

static int s_old_put(void *user, unsigned level, uint64_t index, const aud_hash_t *hash)
{
    s_old_t *o = user;
    ocop_key_t key;
    s_old_key(&key, level, index);
    MDB_val k = ocop_key_val(&key), v = {.mv_size = AUD_HASH_LEN, .mv_data = (void *)hash->h};
    return ocop_db_put(o->txn, o->dbi, &k, &v, 0);
}

typedef struct {
    char dir[UNIT_TMPDIR_LEN];
    ocop_store_t *store;
    aud_state_t state; /* its store and databases: what the migration and the nodes use */
    s_mem_t mem;
} s_world_t;

/* Opens the world's store (a map of map_size at first, or what the file already holds) and its
 * databases. 0 / -1. */
static int s_open(s_world_t *w, size_t map_size)
{
    char err[256];
    ocop_store_options_t so = {.path = w->dir, .map_size = map_size, .map_max = 256u << 20};
    if (!(w->store = ocop_store_open(&so, err, sizeof err)))
        return -1;
    w->state.store = w->store;
    const ocop_dbi_spec_t dbs[] = {{"merkle", &w->state.db.merkle}, {"meta", &w->state.db.meta}};
    if (ocop_store_dbis(w->store, dbs, 2, err, sizeof err) != 0)
        return -1;
    return aud_state_open_dup_tables(&w->state, err, sizeof err);
}

static int s_setup(void **state)
{
    s_world_t *w = calloc(1, sizeof *w);
    if (!w || !unit_tmpdir(w->dir))
        return -1;
    *state = w;
    return s_open(w, 64u << 20);
}

static int s_teardown(void **state)
{
    s_world_t *w = *state;
    ocop_store_destroy(&w->store);
    test_rmtree(w->dir);
    s_mem_free(&w->mem);
    free(w);
    return 0;
}

static void s_leaf(uint64_t i, aud_hash_t *out)
{
    char entry[32];
    int n = snprintf(entry, sizeof entry, "entry %llu", (unsigned long long)i);
    aud_leaf_hash(entry, (size_t)n, out);
}

static void s_set_size(MDB_txn *txn, s_world_t *w, uint64_t size)
{
    uint8_t b[8];
    ocop_be64_put(b, size);
    MDB_val k = {.mv_size = 4, .mv_data = "size"}, v = {.mv_size = 8, .mv_data = b};
    assert_int_equal(ocop_db_put(txn, w->state.db.meta, &k, &v, 0), 0);
}

/* Appends leaves [from, to) to the reference and, through nodes, to the store. */
static void s_append(s_world_t *w, MDB_txn *txn, const aud_nodes_t *nodes, uint64_t from, uint64_t to)
{
    aud_nodes_t mem = {.get = s_mem_get, .put = s_mem_put, .user = &w->mem};
    for (uint64_t i = from; i < to; i++) {
        aud_hash_t leaf;
        s_leaf(i, &leaf);
        assert_int_equal(aud_merkle_append(&mem, i, &leaf), 0);
        assert_int_equal(aud_merkle_append(nodes, i, &leaf), 0);
    }
    s_set_size(txn, w, to);
}

/* Nodes in a tree of n leaves: one per leaf and one per complete subtree above them. */
static uint64_t s_node_count(uint64_t n)
{
    return 2 * n - (uint64_t)__builtin_popcountll(n);
}

/* merkle holds every node of the first size leaves, answers the reference's roots and
 * proofs, and its leaf pages are at least 90 % full. */
static void s_assert_tree(s_world_t *w, uint64_t size)
{
    MDB_txn *txn;
    assert_int_equal(mdb_txn_begin(ocop_store_env(w->store), NULL, MDB_RDONLY, &txn), 0);
    MDB_stat st;
    assert_int_equal(mdb_stat(txn, w->state.db.merkle, &st), 0);
    assert_int_equal(st.ms_entries, s_node_count(size));
    double full = (double)(st.ms_entries * S_NODE_BYTES) / (double)(st.ms_leaf_pages * st.ms_psize);
    if (full < 0.9)
        print_error("merkle pages %.0f%% full\n", 100 * full);
    assert_true(full >= 0.9);

    aud_node_ctx_t ctx;
    aud_nodes_t stored, mem = {.get = s_mem_get, .put = s_mem_put, .user = &w->mem};
    aud_state_nodes(&ctx, &w->state, txn, &stored);
    const uint64_t sizes[] = {1, 2, 3, 1000, AUD_MIGRATE_LEAVES, AUD_MIGRATE_LEAVES + 1, size - 1, size};
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        aud_hash_t want, got;
        assert_int_equal(aud_merkle_root(&mem, sizes[i], &want), 0);
        assert_int_equal(aud_merkle_root(&stored, sizes[i], &got), 0);
        assert_memory_equal(want.h, got.h, AUD_HASH_LEN);
    }
    aud_hash_t root, path[AUD_PROOF_MAX], leaf;
    assert_int_equal(aud_merkle_root(&mem, size, &root), 0);
    for (uint64_t index = 0; index < size; index += size / 97 + 1) {
        size_t n;
        assert_int_equal(aud_merkle_inclusion(&stored, index, size, path, &n), 0);
        s_leaf(index, &leaf);
        assert_true(aud_merkle_verify_inclusion(&leaf, index, size, path, n, &root));
    }
    mdb_txn_abort(txn);
}

/* 1 when the store still has the table name. */
static int s_has_table(s_world_t *w, const char *name)
{
    MDB_txn *txn;
    MDB_dbi dbi;
    assert_int_equal(mdb_txn_begin(ocop_store_env(w->store), NULL, MDB_RDONLY, &txn), 0);
    int rc = mdb_dbi_open(txn, name, 0, &dbi);
    mdb_txn_abort(txn);
    assert_true(rc == 0 || rc == MDB_NOTFOUND);
    return rc == 0;
}

/* A store of the old layout: leaves [0, n) in "nodes", and the nodes of the first copied of them
 * already in merkle, as a start stopped after its first transactions leaves it. */
static void s_fill_old(s_world_t *w, uint64_t n, uint64_t copied)
{
    MDB_txn *txn;
    assert_int_equal(mdb_txn_begin(ocop_store_env(w->store), NULL, 0, &txn), 0);
    s_old_t old = {.txn = txn};
    assert_int_equal(mdb_dbi_open(txn, "nodes", MDB_CREATE, &old.dbi), 0);
    aud_nodes_t nodes = {.get = s_old_get, .put = s_old_put, .user = &old};
    s_append(w, txn, &nodes, 0, n);
    aud_node_ctx_t ctx;
    aud_nodes_t merkle;
    aud_state_nodes(&ctx, &w->state, txn, &merkle);
    for (uint64_t leaf = 0; leaf < copied; leaf++) {
        uint64_t index = leaf;
        for (unsigned level = 0;; level++, index >>= 1) {
            aud_hash_t h;
            assert_int_equal(s_old_get(&old, level, index, &h), 0);
            assert_int_equal(merkle.put(merkle.user, level, index, &h), 0);
            if (!(index & 1))
                break;
        }
    }
    assert_int_equal(mdb_txn_commit(txn), 0);
}

static void test_appends_fill_pages(void **state)
{
    s_world_t *w = *state;
    char err[256] = "";
    assert_int_equal(aud_migrate_nodes(&w->state, err, sizeof err), 0); /* nothing to migrate */
    assert_false(s_has_table(w, "nodes"));
    for (uint64_t from = 0; from < S_LEAVES; from += 1000) { /* a commit per 1000, as the intake */
        MDB_txn *txn;
        assert_int_equal(mdb_txn_begin(ocop_store_env(w->store), NULL, 0, &txn), 0);
        aud_node_ctx_t ctx;
        aud_nodes_t nodes;
        aud_state_nodes(&ctx, &w->state, txn, &nodes);
        s_append(w, txn, &nodes, from, from + 1000 < S_LEAVES ? from + 1000 : S_LEAVES);
        assert_int_equal(mdb_txn_commit(txn), 0);
    }
    s_assert_tree(w, S_LEAVES);
}

static void test_migrates_and_resumes(void **state)
{
    s_world_t *w = *state;
    char err[256] = "";
    s_fill_old(w, S_LEAVES, AUD_MIGRATE_LEAVES - 7);
    assert_true(s_has_table(w, "nodes"));
    assert_int_equal(aud_migrate_nodes(&w->state, err, sizeof err), 0);
    assert_false(s_has_table(w, "nodes"));
    s_assert_tree(w, S_LEAVES);
    /* The intake goes on from there, and another start has nothing to do. */
    MDB_txn *txn;
    assert_int_equal(mdb_txn_begin(ocop_store_env(w->store), NULL, 0, &txn), 0);
    aud_node_ctx_t ctx;
    aud_nodes_t nodes;
    aud_state_nodes(&ctx, &w->state, txn, &nodes);
    s_append(w, txn, &nodes, S_LEAVES, S_LEAVES + 3);
    assert_int_equal(mdb_txn_commit(txn), 0);
    assert_int_equal(aud_migrate_nodes(&w->state, err, sizeof err), 0);
    s_assert_tree(w, S_LEAVES + 3);
}

static void test_damaged_store_refused(void **state)
{
    s_world_t *w = *state;
    char err[256] = "";
    s_fill_old(w, 100, 0);
    MDB_txn *txn;
    MDB_dbi old;
    assert_int_equal(mdb_txn_begin(ocop_store_env(w->store), NULL, 0, &txn), 0);
    assert_int_equal(mdb_dbi_open(txn, "nodes", 0, &old), 0);
    ocop_key_t key;
    s_old_key(&key, 1, 20); /* made by leaf 41 */
    MDB_val k = ocop_key_val(&key);
    assert_int_equal(ocop_db_del(txn, old, &k, NULL), 0);
    assert_int_equal(mdb_txn_commit(txn), 0);
    assert_int_equal(aud_migrate_nodes(&w->state, err, sizeof err), -1);
    assert_non_null(strstr(err, "migrating the Merkle nodes at leaf 41"));
    assert_non_null(strstr(err, "MDB_NOTFOUND"));
    assert_true(s_has_table(w, "nodes")); /* nothing dropped: the old nodes are all still there */
}

/* ---------------------------------------------------------------- the indexes */

#define S_ENTRIES (2 * AUD_MIGRATE_RECORDS / 3 + 1001) /* 3 records each: more than two chunks */
#define S_SECTION "registration"

/* What entry i names, as the intake indexes it: its province (34, in no order) and its type. */
static void s_entry_keys(uint64_t i, char province[8], char type[16])
{
    snprintf(province, 8, "%02u", (unsigned)((i * 7919u) % 34u) + 1u);
    snprintf(type, 16, "type-%u", (unsigned)((i * 31u) % 7u));
}

/* Bytes the indexes' pages take per entry, and fail when pages are not at least 90 % full (an
 * entry's two keys take 8 bytes each, its sequence 16). */
static void s_assert_indexes_full(s_world_t *w, uint64_t entries)
{
    ocop_store_pages_t pages;
    assert_int_equal(ocop_store_pages(ocop_store_env(w->store), &pages), 0);
    MDB_txn *txn;
    MDB_stat keys, seqs, tally;
    assert_int_equal(mdb_txn_begin(ocop_store_env(w->store), NULL, MDB_RDONLY, &txn), 0);
    assert_int_equal(mdb_stat(txn, w->state.db.key_entries, &keys), 0);
    assert_int_equal(mdb_stat(txn, w->state.db.source_entries, &seqs), 0);
    assert_int_equal(mdb_stat(txn, w->state.db.tally.entries, &tally), 0);
    mdb_txn_abort(txn);
    assert_int_equal(keys.ms_entries, 2 * entries);
    assert_int_equal(seqs.ms_entries, entries);
    /* A tally entry, entry|province|year, is 16 bytes, in a node of its own (8-byte header and
     * the page's 2-byte slot: its values are not of one size). */
    double full =
        (double)(entries * (2 * 8 + 16) + tally.ms_entries * (16 + 8 + 2)) / (double)(pages.duplicates * pages.psize);
    if (full < 0.9)
        print_error("index pages %.0f%% full (%.1f bytes per entry)\n", 100 * full,
                    (double)(pages.duplicates * pages.psize) / (double)entries);
    assert_true(full >= 0.9);
}

/* key_entries and source_entries hold exactly what entries [0, n) name, in order. */
static void s_assert_indexes(s_world_t *w, uint64_t n)
{
    MDB_txn *txn;
    assert_int_equal(mdb_txn_begin(ocop_store_env(w->store), NULL, MDB_RDONLY, &txn), 0);
    ocop_scan_t scan;
    uint64_t seen = 0, last = 0;
    ocop_bytes_t last_key = {0};
    assert_int_equal(ocop_scan_open(&scan, txn, w->state.db.key_entries, NULL, NULL), 0);
    while (ocop_scan_next(&scan)) {
        assert_int_equal(scan.value.size, 8);
        uint64_t index = ocop_be64_get(scan.value.data);
        char province[8], type[16];
        s_entry_keys(index, province, type);
        const char *kind = scan.key.data, *value = kind + strlen(kind) + 1;
        assert_true(index < n);
        assert_string_equal(value, strcmp(kind, "province") == 0 ? province : type);
        /* each key's entries ascending: every one at most once */
        if (seen && ocop_bytes_cmp(last_key, scan.key) == 0)
            assert_true(index > last);
        last_key = scan.key, last = index, seen++;
    }
    assert_int_equal(ocop_scan_close(&scan, 0), 0);
    assert_int_equal(seen, 2 * n);
    ocop_key_t section;
    ocop_key_init(&section);
    ocop_key_str(&section, S_SECTION);
    seen = 0;
    assert_int_equal(ocop_scan_open(&scan, txn, w->state.db.source_entries, &section, NULL), 0);
    while (ocop_scan_next(&scan)) { /* sequence i + 1 is entry i */
        assert_int_equal(scan.value.size, 16);
        assert_int_equal(ocop_be64_get(scan.value.data), seen + 1);
        assert_int_equal(ocop_be64_get((const uint8_t *)scan.value.data + 8), seen);
        seen++;
    }
    assert_int_equal(ocop_scan_close(&scan, 0), 0);
    assert_int_equal(seen, n);
    mdb_txn_abort(txn);
}

/* The tally's entries of the first n log entries, one province row each (what
 * s_fill_old_indexes writes the old way): every one found, in log order, by aud_tally_entries. */
static void s_assert_tally(s_world_t *w, uint64_t n)
{
    MDB_txn *txn;
    assert_int_equal(mdb_txn_begin(ocop_store_env(w->store), NULL, MDB_RDONLY, &txn), 0);
    uint64_t seen = 0, found[1000];
    for (unsigned p = 1; p <= 34; p++) {
        char group[8];
        snprintf(group, sizeof group, "%02u", p);
        uint64_t cursor = 0, row = 0, last = 0;
        size_t got = 0;
        do {
            uint64_t next;
            assert_int_equal(aud_tally_entries(txn, &w->state.db.tally, "province", group, group, 2026, cursor, found,
                                               1000, &got, &next),
                             0);
            for (size_t i = 0; i < got; i++) {
                char province[8], type[16];
                s_entry_keys(found[i], province, type);
                assert_string_equal(province, group);
                assert_true(row++ == 0 || found[i] > last); /* in log order, each once */
                last = found[i];
                seen++;
            }
            cursor = next;
        } while (cursor);
    }
    mdb_txn_abort(txn);
    assert_int_equal(seen, n);
}

/* The indexes of entries [from, to), as the intake puts them, in one transaction. */
static void s_index_entries(s_world_t *w, uint64_t from, uint64_t to)
{
    MDB_txn *txn;
    assert_int_equal(mdb_txn_begin(ocop_store_env(w->store), NULL, 0, &txn), 0);
    for (uint64_t i = from; i < to; i++) {
        char province[8], type[16];
        s_entry_keys(i, province, type);
        assert_int_equal(aud_state_put_sequence(&w->state, txn, S_SECTION, i + 1, i), 0);
        assert_int_equal(aud_state_put_key(&w->state, txn, "province", province, i), 0);
        assert_int_equal(aud_state_put_key(&w->state, txn, "type", type, i), 0);
    }
    assert_int_equal(mdb_txn_commit(txn), 0);
}

static void test_indexes_fill_pages(void **state)
{
    s_world_t *w = *state;
    for (uint64_t from = 0; from < S_ENTRIES; from += 1000) /* a commit per 1000, as the intake */
        s_index_entries(w, from, from + 1000 < S_ENTRIES ? from + 1000 : S_ENTRIES);
    s_assert_indexes(w, S_ENTRIES);
    s_assert_indexes_full(w, S_ENTRIES);
}

static void test_index_puts_in_order(void **state)
{
    s_world_t *w = *state;
    s_index_entries(w, 0, 10);
    MDB_txn *txn;
    assert_int_equal(mdb_txn_begin(ocop_store_env(w->store), NULL, 0, &txn), 0);
    /* An event naming a value twice is indexed once; an entry below the key's last is refused,
     * as is a sequence and entry below the source's last. */
    char province[8], type[16];
    s_entry_keys(9, province, type);
    assert_int_equal(aud_state_put_key(&w->state, txn, "province", province, 9), 0);
    assert_int_equal(aud_state_put_key(&w->state, txn, "type", type, 3), MDB_KEYEXIST);
    assert_int_equal(aud_state_put_sequence(&w->state, txn, S_SECTION, 10, 8), MDB_KEYEXIST);
    assert_int_equal(aud_state_put_sequence(&w->state, txn, S_SECTION, 11, 10), 0);
    mdb_txn_abort(txn);
    s_assert_indexes(w, 10);
}

/* A store of the old layout: entries [0, n) in "by_key" (kind|value|index -> ""), "source_seq"
 * (section|sequence -> index) and "tally_entries" (a province row: "province"|province|index ->
 * province, year), and the first copied records of by_key and the first copied / 2 of
 * source_seq, in key order, already in the new tables, as a start stopped part way leaves them. */
static void s_fill_old_indexes(s_world_t *w, uint64_t n, uint64_t copied)
{
    MDB_txn *txn;
    MDB_dbi by_key, source_seq, tally;
    assert_int_equal(mdb_txn_begin(ocop_store_env(w->store), NULL, 0, &txn), 0);
    assert_int_equal(mdb_dbi_open(txn, "by_key", MDB_CREATE, &by_key), 0);
    assert_int_equal(mdb_dbi_open(txn, "source_seq", MDB_CREATE, &source_seq), 0);
    assert_int_equal(mdb_dbi_open(txn, "tally_entries", MDB_CREATE, &tally), 0);
    for (uint64_t i = 0; i < n; i++) {
        char province[8], type[16];
        s_entry_keys(i, province, type);
        ocop_key_t tk;
        ocop_key_init(&tk);
        ocop_key_str(&tk, "province");
        ocop_key_str(&tk, province);
        ocop_key_u64(&tk, i);
        char where[16];
        int len = snprintf(where, sizeof where, "%s%c2026", province, '\0');
        MDB_val tkv = ocop_key_val(&tk), tv = {.mv_size = (size_t)len + 1, .mv_data = where};
        assert_int_equal(ocop_db_put(txn, tally, &tkv, &tv, 0), 0);
        const char *keys[][2] = {{"province", province}, {"type", type}};
        for (int j = 0; j < 2; j++) {
            ocop_key_t key;
            ocop_key_init(&key);
            ocop_key_str(&key, keys[j][0]);
            ocop_key_str(&key, keys[j][1]);
            ocop_key_u64(&key, i);
            MDB_val k = ocop_key_val(&key), v = {.mv_size = 0, .mv_data = ""};
            assert_int_equal(ocop_db_put(txn, by_key, &k, &v, 0), 0);
        }
        ocop_key_t key;
        ocop_key_init(&key);
        ocop_key_str(&key, S_SECTION);
        ocop_key_u64(&key, i + 1);
        uint8_t ib[8];
        ocop_be64_put(ib, i);
        MDB_val k = ocop_key_val(&key), v = {.mv_size = 8, .mv_data = ib};
        assert_int_equal(ocop_db_put(txn, source_seq, &k, &v, 0), 0);
    }
    /* The first copied records of by_key in its key order ("province" sorts before "type"), and
     * the first copied sequences. */
    MDB_cursor *cursor;
    assert_int_equal(mdb_cursor_open(txn, by_key, &cursor), 0);
    MDB_val k, v;
    int rc = mdb_cursor_get(cursor, &k, &v, MDB_FIRST);
    for (uint64_t i = 0; i < copied && rc == 0; i++, rc = mdb_cursor_get(cursor, &k, &v, MDB_NEXT)) {
        MDB_val nk = {.mv_size = k.mv_size - 8, .mv_data = k.mv_data},
                nv = {.mv_size = 8, .mv_data = (uint8_t *)k.mv_data + k.mv_size - 8};
        assert_int_equal(ocop_db_put(txn, w->state.db.key_entries, &nk, &nv, MDB_APPENDDUP), 0);
    }
    mdb_cursor_close(cursor);
    for (uint64_t i = 0; i < copied / 2 && i < n; i++)
        assert_int_equal(aud_state_put_sequence(&w->state, txn, S_SECTION, i + 1, i), 0);
    assert_int_equal(mdb_txn_commit(txn), 0);
}

static void test_indexes_migrate_and_resume(void **state)
{
    s_world_t *w = *state;
    char err[256] = "";
    assert_int_equal(aud_migrate_indexes(&w->state, err, sizeof err), 0); /* nothing to migrate */
    s_fill_old_indexes(w, S_ENTRIES, AUD_MIGRATE_RECORDS - 7);
    assert_true(s_has_table(w, "by_key") && s_has_table(w, "source_seq"));
    assert_int_equal(aud_migrate_indexes(&w->state, err, sizeof err), 0);
    assert_false(s_has_table(w, "by_key") || s_has_table(w, "source_seq") || s_has_table(w, "tally_entries"));
    s_assert_indexes(w, S_ENTRIES);
    s_assert_indexes_full(w, S_ENTRIES);
    s_assert_tally(w, S_ENTRIES);
    /* The intake goes on from there, and another start has nothing to do. */
    s_index_entries(w, S_ENTRIES, S_ENTRIES + 3);
    assert_int_equal(aud_migrate_indexes(&w->state, err, sizeof err), 0);
    s_assert_indexes(w, S_ENTRIES + 3);
}

static void test_damaged_index_refused(void **state)
{
    s_world_t *w = *state;
    char err[256] = "";
    s_fill_old_indexes(w, 100, 0);
    MDB_txn *txn;
    MDB_dbi old;
    assert_int_equal(mdb_txn_begin(ocop_store_env(w->store), NULL, 0, &txn), 0);
    assert_int_equal(mdb_dbi_open(txn, "source_seq", 0, &old), 0);
    const uint8_t short_key[] = {'x'}; /* no sequence in it */
    MDB_val k = {.mv_size = sizeof short_key, .mv_data = (void *)short_key}, v = {.mv_size = 8, .mv_data = "12345678"};
    assert_int_equal(ocop_db_put(txn, old, &k, &v, 0), 0);
    assert_int_equal(mdb_txn_commit(txn), 0);
    assert_int_equal(aud_migrate_indexes(&w->state, err, sizeof err), -1);
    assert_non_null(strstr(err, "migrating the index source_seq to source_entries after 0 records"));
    assert_non_null(strstr(err, "MDB_CORRUPTED"));
    assert_false(s_has_table(w, "by_key")); /* the first index was whole, and is migrated */
    assert_true(s_has_table(w, "source_seq"));
}

/* More than one transaction of each copy. */
#define S_GROW_ENTRIES (AUD_MIGRATE_LEAVES + 1001)

/* A store whose map is full when it starts: both copies grow it (doubling, up to map_max) and
 * carry on with the transaction that did not fit. */
static void test_migrations_grow_the_map(void **state)
{
    s_world_t *w = *state;
    char err[256] = "";
    s_fill_old(w, S_GROW_ENTRIES, 0);
    s_fill_old_indexes(w, S_GROW_ENTRIES, 0);
    /* The map cut to the pages in use (LMDB raises a smaller size to that), so that the first
     * transaction of each copy runs out of room. */
    MDB_env *env = ocop_store_env(w->store);
    MDB_envinfo info;
    assert_int_equal(mdb_env_set_mapsize(env, 1), 0);
    assert_int_equal(mdb_env_info(env, &info), 0);
    size_t before = info.me_mapsize;
    assert_true(before < (64u << 20));
    assert_int_equal(aud_migrate_nodes(&w->state, err, sizeof err), 0);
    assert_int_equal(mdb_env_info(env, &info), 0);
    assert_true(info.me_mapsize > before);
    assert_int_equal(mdb_env_set_mapsize(env, 1), 0);
    assert_int_equal(mdb_env_info(env, &info), 0);
    before = info.me_mapsize;
    assert_int_equal(aud_migrate_indexes(&w->state, err, sizeof err), 0);
    assert_int_equal(mdb_env_info(env, &info), 0);
    assert_true(info.me_mapsize > before);
    s_assert_tree(w, S_GROW_ENTRIES);
    s_assert_indexes(w, S_GROW_ENTRIES);
    s_assert_tally(w, S_GROW_ENTRIES);
    assert_false(s_has_table(w, "nodes") || s_has_table(w, "by_key") || s_has_table(w, "source_seq"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_appends_fill_pages, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown(test_migrates_and_resumes, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown(test_damaged_store_refused, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown(test_indexes_fill_pages, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown(test_index_puts_in_order, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown(test_indexes_migrate_and_resume, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown(test_damaged_index_refused, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown(test_migrations_grow_the_map, s_setup, s_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
