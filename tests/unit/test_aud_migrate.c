/* aud_migrate and the merkle database: nodes keyed in the order appends make them fill their
 * pages; a store with the level-major "nodes" database is copied into merkle in chunks, resumes
 * where a stopped start left it, drops the old database, and answers the same roots and proofs;
 * a store missing a node is refused, not half migrated. */
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
#include "ocop_db.h"
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

static int s_setup(void **state)
{
    s_world_t *w = calloc(1, sizeof *w);
    char err[256];
    if (!w || !unit_tmpdir(w->dir))
        return -1;
    *state = w;
    ocop_store_options_t so = {.path = w->dir, .map_size = 64u << 20, .map_max = 256u << 20};
    if (!(w->store = ocop_store_open(&so, err, sizeof err)))
        return -1;
    w->state.store = w->store;
    const ocop_dbi_spec_t dbs[] = {{"merkle", &w->state.db.merkle}, {"meta", &w->state.db.meta}};
    return ocop_store_dbis(w->store, dbs, 2, err, sizeof err);
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

/* 1 when the store still has the old database. */
static int s_has_old(s_world_t *w)
{
    MDB_txn *txn;
    MDB_dbi dbi;
    assert_int_equal(mdb_txn_begin(ocop_store_env(w->store), NULL, MDB_RDONLY, &txn), 0);
    int rc = mdb_dbi_open(txn, "nodes", 0, &dbi);
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
    assert_false(s_has_old(w));
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
    assert_true(s_has_old(w));
    assert_int_equal(aud_migrate_nodes(&w->state, err, sizeof err), 0);
    assert_false(s_has_old(w));
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
    assert_true(s_has_old(w)); /* nothing dropped: the old nodes are all still there */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_appends_fill_pages, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown(test_migrates_and_resumes, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown(test_damaged_store_refused, s_setup, s_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
