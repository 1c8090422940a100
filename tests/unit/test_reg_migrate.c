/* reg_migrate: a store keyed by the bytes of its ids is rewritten to the one key encoding
 * (ocop_key_str: the id and its NUL), in chunks, values untouched; a store half done resumes; a
 * store done is left alone. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <lmdb.h>
#include <stdio.h>
#include <string.h>

#include "ocop_counter.h"
#include "ocop_db.h"
#include "ocop_scan.h"
#include "ocop_store.h"
#include "reg_migrate.h"
#include "unit_tmpdir.h"

/* More than two chunks of products. */
#define S_PRODUCTS (2 * REG_MIGRATE_CHUNK + 1)
#define S_VALUE_LEN 160

typedef struct {
    char dir[UNIT_TMPDIR_LEN];
    ocop_store_t *store;
    reg_state_t state; /* only its store and databases: what the migration uses */
} s_world_t;

static int s_setup(void **state)
{
    s_world_t *w = calloc(1, sizeof *w);
    char err[256];
    if (!w || !unit_tmpdir(w->dir))
        return -1;
    *state = w;
    /* A map the filling nearly fills, which the migration must grow. */
    ocop_store_options_t so = {.path = w->dir, .map_size = 2u << 20, .map_max = 64u << 20};
    if (!(w->store = ocop_store_open(&so, err, sizeof err)))
        return -1;
    w->state.store = w->store;
    const ocop_dbi_spec_t dbs[] = {
        {"entities", &w->state.db.entities}, {"products", &w->state.db.products}, {"meta", &w->state.db.meta}};
    return ocop_store_dbis(w->store, dbs, 3, err, sizeof err);
}

static int s_teardown(void **state)
{
    s_world_t *w = *state;
    ocop_store_destroy(&w->store);
    test_rmtree(w->dir);
    free(w);
    return 0;
}

/* The value stored under id: long enough that the filled store nearly fills its first map. */
static void s_value(char *out, size_t len, const char *id)
{
    snprintf(out, len, "value of %s, %0120d", id, 0);
}

/* Stores value under id's bytes, with the NUL when keyed is set (as already migrated). */
static void s_put(MDB_txn *txn, MDB_dbi dbi, const char *id, const char *value, int keyed)
{
    MDB_val k = {.mv_size = strlen(id) + (keyed ? 1 : 0), .mv_data = (void *)id};
    MDB_val v = {.mv_size = strlen(value), .mv_data = (void *)value};
    assert_int_equal(ocop_db_put(txn, dbi, &k, &v, 0), 0);
}

/* products 1..n under "PRD-%08d" (s_value); those up to keyed_up_to migrated. */
static void s_fill(s_world_t *w, size_t n, size_t keyed_up_to)
{
    MDB_txn *txn;
    assert_int_equal(mdb_txn_begin(ocop_store_env(w->store), NULL, 0, &txn), 0);
    char id[32], value[S_VALUE_LEN];
    for (size_t i = 1; i <= n; i++) {
        snprintf(id, sizeof id, "PRD-%08zu", i);
        s_value(value, sizeof value, id);
        s_put(txn, w->state.db.products, id, value, i <= keyed_up_to);
    }
    for (int i = 1; i <= 3; i++) {
        snprintf(id, sizeof id, "ENT-%08d", i);
        s_value(value, sizeof value, id);
        s_put(txn, w->state.db.entities, id, value, 0);
    }
    s_put(txn, w->state.db.meta, "units_seeded:2025", "fingerprint", 0);
    assert_int_equal(mdb_txn_commit(txn), 0);
}

/* Every key of dbi ends in its NUL and holds its s_value (meta: the fingerprint, or the
 * mark); returns how many records. */
static size_t s_check_table(MDB_txn *txn, MDB_dbi dbi)
{
    MDB_cursor *cur;
    MDB_val k, v;
    size_t n = 0;
    assert_int_equal(mdb_cursor_open(txn, dbi, &cur), 0);
    for (int rc = mdb_cursor_get(cur, &k, &v, MDB_FIRST); rc == 0; rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
        const char *key = k.mv_data;
        assert_true(k.mv_size >= 2);
        assert_int_equal(key[k.mv_size - 1], '\0');
        assert_int_equal(strlen(key), k.mv_size - 1);
        char want[S_VALUE_LEN];
        if (strcmp(key, "key_format") == 0) {
            assert_memory_equal(v.mv_data, "\0\0\0\0\0\0\0\1", 8);
            n++;
            continue;
        }
        if (strcmp(key, "units_seeded:2025") == 0)
            snprintf(want, sizeof want, "fingerprint");
        else
            s_value(want, sizeof want, key);
        assert_true(v.mv_size == strlen(want) && memcmp(v.mv_data, want, v.mv_size) == 0);
        n++;
    }
    mdb_cursor_close(cur);
    return n;
}

static void s_check(s_world_t *w, size_t products)
{
    MDB_txn *txn;
    assert_int_equal(mdb_txn_begin(ocop_store_env(w->store), NULL, 0, &txn), 0);
    assert_int_equal(s_check_table(txn, w->state.db.products), products);
    assert_int_equal(s_check_table(txn, w->state.db.entities), 3);
    assert_int_equal(s_check_table(txn, w->state.db.meta), 2); /* the fingerprint and the mark */
    /* The last key, from which registration numbers the next id, is the highest id keyed. */
    ocop_bytes_t k;
    char want[32];
    snprintf(want, sizeof want, "PRD-%08zu", products);
    assert_int_equal(ocop_scan_last(txn, w->state.db.products, NULL, &k, NULL), 0);
    assert_true(k.size == strlen(want) + 1 && memcmp(k.data, want, k.size) == 0);
    assert_int_equal(ocop_scan_last(txn, w->state.db.entities, NULL, &k, NULL), 0);
    assert_true(k.size == sizeof "ENT-00000003" && memcmp(k.data, "ENT-00000003", k.size) == 0);
    mdb_txn_abort(txn);
}

static void test_an_old_store_is_rewritten_in_chunks(void **state)
{
    s_world_t *w = *state;
    s_fill(w, S_PRODUCTS, 0);
    char err[256] = "";
    uint64_t writes = ocop_db_writes();
    assert_int_equal(reg_migrate_keys(&w->state, err, sizeof err), 0);
    /* a delete and a put per record, and the mark; more when a chunk filled the map and was
     * tried again after it grew (it does here: logged store_grow) */
    assert_true(ocop_db_writes() - writes >= 2 * (S_PRODUCTS + 3 + 1) + 1);
    s_check(w, S_PRODUCTS);
    /* Done: a second start writes nothing. */
    writes = ocop_db_writes();
    assert_int_equal(reg_migrate_keys(&w->state, err, sizeof err), 0);
    assert_int_equal(ocop_db_writes(), writes);
    s_check(w, S_PRODUCTS);
}

static void test_a_half_done_store_resumes(void **state)
{
    s_world_t *w = *state;
    s_fill(w, REG_MIGRATE_CHUNK + 500, REG_MIGRATE_CHUNK - 100); /* a stop part way through */
    char err[256] = "";
    uint64_t writes = ocop_db_writes();
    assert_int_equal(reg_migrate_keys(&w->state, err, sizeof err), 0);
    assert_int_equal(ocop_db_writes() - writes, 2 * (600 + 3 + 1) + 1); /* only the old keys moved */
    s_check(w, REG_MIGRATE_CHUNK + 500);
}

static void test_a_new_store_is_marked(void **state)
{
    s_world_t *w = *state;
    char err[256] = "";
    assert_int_equal(reg_migrate_keys(&w->state, err, sizeof err), 0);
    MDB_txn *txn;
    assert_int_equal(mdb_txn_begin(ocop_store_env(w->store), NULL, MDB_RDONLY, &txn), 0);
    MDB_val k = {.mv_size = sizeof "key_format", .mv_data = "key_format"};
    uint64_t format = 0;
    assert_int_equal(ocop_counter_get(txn, w->state.db.meta, &k, &format), 0);
    assert_int_equal(format, 1);
    mdb_txn_abort(txn);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_an_old_store_is_rewritten_in_chunks, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown(test_a_half_done_store_resumes, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown(test_a_new_store_is_marked, s_setup, s_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
