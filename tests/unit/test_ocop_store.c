/* ocop_store: open, named databases, composite keys, map growth up to the ceiling, reopen, and
 * where the pages go. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>
#include <sys/stat.h>

#include "ocop_db.h"
#include "ocop_store.h"
#include "unit_tmpdir.h"

#define S_MB (1024 * 1024)

typedef struct {
    char dir[UNIT_TMPDIR_LEN];
    char path[UNIT_TMPDIR_LEN + 32];
} s_fixture_t;

static int s_setup(void **state)
{
    s_fixture_t *fx = calloc(1, sizeof *fx);
    if (!fx)
        return -1;
    if (!unit_tmpdir(fx->dir)) {
        free(fx);
        return -1;
    }
    /* A nested path checks that missing parents are created. */
    snprintf(fx->path, sizeof fx->path, "%s/data/store", fx->dir);
    *state = fx;
    return 0;
}

static int s_teardown(void **state)
{
    s_fixture_t *fx = *state;
    test_rmtree(fx->dir);
    free(fx);
    return 0;
}

static ocop_store_t *s_open(const char *path, size_t map_size, size_t map_max)
{
    char err[256] = "";
    ocop_store_options_t opts = {.path = path, .map_size = map_size, .map_max = map_max, .max_dbs = 4};
    ocop_store_t *store = ocop_store_open(&opts, err, sizeof err);
    if (!store)
        print_error("open failed: %s\n", err);
    return store;
}

static int s_put(ocop_store_t *store, MDB_dbi dbi, const char *key, const char *value)
{
    MDB_txn *txn;
    int rc = mdb_txn_begin(ocop_store_env(store), NULL, 0, &txn);
    if (rc)
        return rc;
    MDB_val k = {strlen(key), (void *)key}, v = {strlen(value) + 1, (void *)value};
    rc = ocop_db_put(txn, dbi, &k, &v, 0);
    if (rc) {
        mdb_txn_abort(txn);
        return rc;
    }
    return mdb_txn_commit(txn);
}

static int s_get(ocop_store_t *store, MDB_dbi dbi, const char *key, char *out, size_t len)
{
    MDB_txn *txn;
    int rc = mdb_txn_begin(ocop_store_env(store), NULL, MDB_RDONLY, &txn);
    if (rc)
        return rc;
    MDB_val k = {strlen(key), (void *)key}, v;
    rc = mdb_get(txn, dbi, &k, &v);
    if (rc == 0)
        snprintf(out, len, "%s", (const char *)v.mv_data);
    mdb_txn_abort(txn);
    return rc;
}

static void test_open_put_get(void **state)
{
    s_fixture_t *fx = *state;
    ocop_store_t *store = s_open(fx->path, S_MB, 4 * S_MB);
    assert_non_null(store);
    assert_string_equal(ocop_store_path(store), fx->path);
    struct stat st;
    assert_int_equal(stat(fx->path, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0700);
    assert_int_equal(ocop_store_map_size(store), S_MB);
    assert_int_equal(ocop_store_map_max(store), 4 * S_MB);

    MDB_dbi a, b, a_again;
    assert_int_equal(ocop_store_dbi(store, "alpha", 0, &a), 0);
    assert_int_equal(ocop_store_dbi(store, "beta", MDB_INTEGERKEY, &b), 0);
    assert_int_equal(ocop_store_dbi(store, "alpha", 0, &a_again), 0);
    assert_int_equal(a, a_again);
    assert_int_not_equal(a, b);

    assert_int_equal(s_put(store, a, "k1", "v1"), 0);
    char out[64];
    assert_int_equal(s_get(store, a, "k1", out, sizeof out), 0);
    assert_string_equal(out, "v1");
    assert_int_equal(s_get(store, a, "missing", out, sizeof out), MDB_NOTFOUND);

    /* MDB_NOTLS: a read txn may be open while another read txn is used from the same thread. */
    MDB_txn *r1, *r2;
    assert_int_equal(mdb_txn_begin(ocop_store_env(store), NULL, MDB_RDONLY, &r1), 0);
    assert_int_equal(mdb_txn_begin(ocop_store_env(store), NULL, MDB_RDONLY, &r2), 0);
    mdb_txn_abort(r2);
    mdb_txn_abort(r1);

    ocop_store_destroy(&store);
    assert_null(store);
    ocop_store_destroy(&store);
}

static void test_open_errors(void **state)
{
    s_fixture_t *fx = *state;
    char err[256] = "";
    ocop_store_options_t none = {.path = NULL};
    assert_null(ocop_store_open(&none, err, sizeof err));
    assert_true(strlen(err) > 0);

    /* A regular file where the directory should be. */
    char file[UNIT_TMPDIR_LEN + 16];
    snprintf(file, sizeof file, "%s/plain", fx->dir);
    FILE *f = fopen(file, "w");
    assert_non_null(f);
    fclose(f);
    ocop_store_options_t opts = {.path = file, .map_size = S_MB};
    err[0] = '\0';
    assert_null(ocop_store_open(&opts, err, sizeof err));
    assert_non_null(strstr(err, file));
}

static void test_key_ordering(void **state)
{
    s_fixture_t *fx = *state;
    ocop_store_t *store = s_open(fx->path, S_MB, S_MB);
    assert_non_null(store);
    MDB_dbi dbi;
    assert_int_equal(ocop_store_dbi(store, "keys", 0, &dbi), 0);

    /* Expected order; inserted in a scrambled order below. */
    struct {
        const char *s;
        uint64_t n;
    } expect[] = {
        {"", 0}, {"a", 1}, {"a", 2}, {"a", 255}, {"a", 256}, {"a", UINT64_MAX}, {"ab", 0}, {"b", 0},
    };
    const size_t count = sizeof expect / sizeof expect[0];
    const size_t order[] = {6, 3, 0, 7, 1, 5, 4, 2};

    MDB_txn *txn;
    assert_int_equal(mdb_txn_begin(ocop_store_env(store), NULL, 0, &txn), 0);
    for (size_t i = 0; i < count; i++) {
        ocop_key_t key;
        ocop_key_init(&key);
        ocop_key_str(&key, expect[order[i]].s);
        ocop_key_u64(&key, expect[order[i]].n);
        ocop_key_u32(&key, 7);
        assert_false(key.overflow);
        assert_int_equal(key.len, strlen(expect[order[i]].s) + 1 + 8 + 4);
        MDB_val k = ocop_key_val(&key), v = {sizeof(size_t), (void *)&order[i]};
        assert_int_equal(ocop_db_put(txn, dbi, &k, &v, 0), 0);
    }
    assert_int_equal(mdb_txn_commit(txn), 0);

    assert_int_equal(mdb_txn_begin(ocop_store_env(store), NULL, MDB_RDONLY, &txn), 0);
    MDB_cursor *cur;
    assert_int_equal(mdb_cursor_open(txn, dbi, &cur), 0);
    MDB_val k, v;
    size_t seen = 0;
    for (int rc = mdb_cursor_get(cur, &k, &v, MDB_FIRST); rc == 0; rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
        assert_true(seen < count);
        size_t idx;
        memcpy(&idx, v.mv_data, sizeof idx);
        assert_int_equal(idx, seen);
        const uint8_t *p = k.mv_data;
        size_t slen = strlen((const char *)p);
        assert_string_equal((const char *)p, expect[seen].s);
        assert_int_equal(ocop_be64_get(p + slen + 1), expect[seen].n);
        assert_int_equal(ocop_be32_get(p + slen + 9), 7);
        seen++;
    }
    assert_int_equal(seen, count);
    mdb_cursor_close(cur);
    mdb_txn_abort(txn);
    ocop_store_destroy(&store);
}

static void test_key_helpers(void **state)
{
    (void)state;
    uint8_t b[8];
    ocop_be64_put(b, 0x0102030405060708ULL);
    const uint8_t want64[8] = {1, 2, 3, 4, 5, 6, 7, 8};
    assert_memory_equal(b, want64, 8);
    assert_int_equal(ocop_be64_get(b), 0x0102030405060708ULL);
    ocop_be32_put(b, 0xA1B2C3D4U);
    const uint8_t want32[4] = {0xA1, 0xB2, 0xC3, 0xD4};
    assert_memory_equal(b, want32, 4);
    assert_int_equal(ocop_be32_get(b), 0xA1B2C3D4U);

    ocop_key_t key;
    ocop_key_init(&key);
    ocop_key_str(&key, "ab");
    MDB_val v = ocop_key_val(&key);
    assert_int_equal(v.mv_size, 3);
    assert_memory_equal(v.mv_data, "ab", 3);

    /* Filling to exactly OCOP_KEY_MAX is fine; one more byte sets overflow and sticks. */
    char chunk[100];
    memset(chunk, 'x', sizeof chunk - 1);
    chunk[sizeof chunk - 1] = '\0';
    ocop_key_init(&key);
    for (int i = 0; i < 4; i++)
        ocop_key_str(&key, chunk); /* 4 * 100 = 400 */
    for (int i = 0; i < 10; i++)
        ocop_key_u64(&key, (uint64_t)i); /* + 80 = 480 */
    assert_int_equal(key.len, OCOP_KEY_MAX);
    assert_false(key.overflow);
    ocop_key_u32(&key, 1);
    assert_true(key.overflow);
    assert_int_equal(key.len, OCOP_KEY_MAX);
    ocop_key_str(&key, "");
    assert_true(key.overflow);
    ocop_key_init(&key);
    assert_false(key.overflow);
    assert_int_equal(key.len, 0);
}

/* Fills the map with 4 KiB values until LMDB says MDB_MAP_FULL; returns how many fit. */
static int s_fill(ocop_store_t *store, MDB_dbi dbi, int start, int *full)
{
    static char value[4096];
    int n = start;
    *full = 0;
    /* Bounded: a 1 MiB map holds far fewer than 10000 such values. */
    for (int guard = 0; guard < 10000; guard++, n++) {
        MDB_txn *txn;
        assert_int_equal(mdb_txn_begin(ocop_store_env(store), NULL, 0, &txn), 0);
        ocop_key_t key;
        ocop_key_init(&key);
        ocop_key_u32(&key, (uint32_t)n);
        MDB_val k = ocop_key_val(&key), v = {sizeof value, value};
        int rc = ocop_db_put(txn, dbi, &k, &v, 0);
        if (rc == 0)
            rc = mdb_txn_commit(txn);
        else
            mdb_txn_abort(txn);
        if (rc == MDB_MAP_FULL) {
            *full = 1;
            return n;
        }
        assert_int_equal(rc, 0);
    }
    return n;
}

static void test_grow(void **state)
{
    s_fixture_t *fx = *state;
    ocop_store_t *store = s_open(fx->path, S_MB, 4 * S_MB);
    assert_non_null(store);
    MDB_dbi dbi;
    assert_int_equal(ocop_store_dbi(store, "bulk", 0, &dbi), 0);

    int full;
    int n = s_fill(store, dbi, 0, &full);
    assert_true(full);
    assert_true(n > 0);

    assert_int_equal(ocop_store_grow(store), 0);
    assert_int_equal(ocop_store_map_size(store), 2 * S_MB);
    /* The write that failed now succeeds, and more after it. */
    int n2 = s_fill(store, dbi, n, &full);
    assert_true(full);
    assert_true(n2 > n);

    assert_int_equal(ocop_store_grow(store), 0);
    assert_int_equal(ocop_store_map_size(store), 4 * S_MB);
    assert_int_equal(ocop_store_grow(store), -1);
    assert_int_equal(ocop_store_map_size(store), 4 * S_MB);
    int n3 = s_fill(store, dbi, n2, &full);
    assert_true(full);
    assert_true(n3 > n2);
    ocop_store_destroy(&store);

    /* Reopening with a smaller configured size keeps the grown map and every record. */
    store = s_open(fx->path, S_MB, 4 * S_MB);
    assert_non_null(store);
    assert_int_equal(ocop_store_map_size(store), 4 * S_MB);
    assert_int_equal(ocop_store_grow(store), -1);
    assert_int_equal(ocop_store_dbi(store, "bulk", 0, &dbi), 0);
    MDB_txn *txn;
    MDB_stat st;
    assert_int_equal(mdb_txn_begin(ocop_store_env(store), NULL, MDB_RDONLY, &txn), 0);
    assert_int_equal(mdb_stat(txn, dbi, &st), 0);
    mdb_txn_abort(txn);
    assert_int_equal(st.ms_entries, (size_t)n3);
    ocop_store_destroy(&store);

    /* A larger configured size wins over the file's, and the ceiling follows. */
    store = s_open(fx->path, 8 * S_MB, 2 * S_MB);
    assert_non_null(store);
    assert_int_equal(ocop_store_map_size(store), 8 * S_MB);
    assert_int_equal(ocop_store_map_max(store), 8 * S_MB);
    assert_int_equal(ocop_store_grow(store), -1);
    ocop_store_destroy(&store);
}

/* Growth is capped at the ceiling even when doubling would pass it. */
static void test_grow_capped(void **state)
{
    s_fixture_t *fx = *state;
    ocop_store_t *store = s_open(fx->path, 2 * S_MB, 3 * S_MB);
    assert_non_null(store);
    assert_int_equal(ocop_store_grow(store), 0);
    assert_int_equal(ocop_store_map_size(store), 3 * S_MB);
    assert_int_equal(ocop_store_grow(store), -1);
    ocop_store_destroy(&store);
}

static void test_reopen_keeps_data(void **state)
{
    s_fixture_t *fx = *state;
    ocop_store_t *store = s_open(fx->path, S_MB, S_MB);
    assert_non_null(store);
    MDB_dbi dbi;
    assert_int_equal(ocop_store_dbi(store, "kv", 0, &dbi), 0);
    assert_int_equal(s_put(store, dbi, "name", "Tr\xc3\xa0 Th\xc3\xa1i"), 0);
    ocop_store_destroy(&store);

    store = s_open(fx->path, S_MB, S_MB);
    assert_non_null(store);
    assert_int_equal(ocop_store_dbi(store, "kv", 0, &dbi), 0);
    char out[64];
    assert_int_equal(s_get(store, dbi, "name", out, sizeof out), 0);
    assert_string_equal(out, "Tr\xc3\xa0 Th\xc3\xa1i");
    ocop_store_destroy(&store);
}

/* Puts n records in one transaction: key i, or one key with n sorted duplicates. */
static void s_put_many(ocop_store_t *store, MDB_dbi dbi, int dups, uint64_t n)
{
    MDB_txn *txn;
    assert_int_equal(mdb_txn_begin(ocop_store_env(store), NULL, 0, &txn), 0);
    for (uint64_t i = 0; i < n; i++) {
        uint8_t b[8];
        ocop_be64_put(b, i);
        MDB_val k = dups ? (MDB_val){1, "k"} : (MDB_val){8, b}, v = {8, b};
        assert_int_equal(ocop_db_put(txn, dbi, &k, &v, dups ? MDB_APPENDDUP : MDB_APPEND), 0);
    }
    assert_int_equal(mdb_txn_commit(txn), 0);
}

static void test_pages(void **state)
{
    s_fixture_t *fx = *state;
    ocop_store_t *store = s_open(fx->path, 4 * S_MB, 4 * S_MB);
    assert_non_null(store);
    MDB_dbi plain, dups;
    assert_int_equal(ocop_store_dbi(store, "plain", 0, &plain), 0);
    assert_int_equal(ocop_store_dbi(store, "dups", MDB_DUPSORT | MDB_DUPFIXED, &dups), 0);
    /* 4096-byte pages: 2,000 plain records of 16 bytes (26 on a page) fill about 14 leaves; as
     * many 8-byte duplicates of one key (510 on a page) fill 4 leaves of their own and a branch,
     * which mdb_stat does not count. */
    s_put_many(store, plain, 0, 2000);
    ocop_store_pages_t p;
    assert_int_equal(ocop_store_pages(ocop_store_env(store), &p), 0);
    assert_int_equal(p.psize, 4096);
    assert_int_equal(p.used, 2 + p.free + p.trees + p.duplicates);
    assert_int_equal(p.duplicates, 0);
    uint64_t trees = p.trees;
    s_put_many(store, dups, 1, 2000);
    assert_int_equal(ocop_store_pages(ocop_store_env(store), &p), 0);
    assert_int_equal(p.used, 2 + p.free + p.trees + p.duplicates);
    assert_in_range(p.duplicates, 4, 6);
    assert_in_range(p.trees, trees, trees + 2); /* the dups table's own leaf, and the free list's */
    ocop_store_destroy(&store);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_open_put_get, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown(test_open_errors, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown(test_key_ordering, s_setup, s_teardown),
        cmocka_unit_test(test_key_helpers),
        cmocka_unit_test_setup_teardown(test_grow, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown(test_grow_capped, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown(test_reopen_keeps_data, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown(test_pages, s_setup, s_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
