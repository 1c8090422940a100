/* Unit: ocop_counter — one rule for every counter the services keep: below zero or past 2^64-1
 * is an error (never clamped), a value of another size is corrupt, zero is absent. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <lmdb.h>

#include "ocop_counter.h"
#include "ocop_db.h"
#include "ocop_store.h"
#include "unit_store.h"

static void test_counts_and_deletes_at_zero(void **state)
{
    unit_store_t *fx = *state;
    MDB_val key = {.mv_size = 5, .mv_data = "stars"}, v;
    uint64_t n = 99, after = 0;
    assert_int_equal(ocop_counter_get(fx->txn, fx->dbi[0], &key, &n), 0);
    assert_int_equal(n, 0);
    assert_int_equal(ocop_counter_add(fx->txn, fx->dbi[0], &key, 3, &after), 0);
    assert_int_equal(after, 3);
    assert_int_equal(ocop_counter_add(fx->txn, fx->dbi[0], &key, -2, &after), 0);
    assert_int_equal(after, 1);
    assert_int_equal(ocop_counter_get(fx->txn, fx->dbi[0], &key, &n), 0);
    assert_int_equal(n, 1);
    assert_int_equal(ocop_counter_add(fx->txn, fx->dbi[0], &key, -1, &after), 0);
    assert_int_equal(after, 0);
    assert_int_equal(mdb_get(fx->txn, fx->dbi[0], &key, &v), MDB_NOTFOUND);
}

static void test_never_clamped(void **state)
{
    unit_store_t *fx = *state;
    MDB_val key = {.mv_size = 3, .mv_data = "low"};
    uint64_t n;
    assert_int_equal(ocop_counter_add(fx->txn, fx->dbi[0], &key, 2, NULL), 0);
    /* Below zero: an error, and the counter is as it was. */
    assert_int_equal(ocop_counter_add(fx->txn, fx->dbi[0], &key, -3, NULL), MDB_CORRUPTED);
    assert_int_equal(ocop_counter_get(fx->txn, fx->dbi[0], &key, &n), 0);
    assert_int_equal(n, 2);
    assert_int_equal(ocop_counter_add(fx->txn, fx->dbi[0], &key, INT64_MIN, NULL), MDB_CORRUPTED);
    /* Past the top: an error too. */
    assert_int_equal(ocop_counter_set(fx->txn, fx->dbi[0], &key, UINT64_MAX - 1), 0);
    assert_int_equal(ocop_counter_add(fx->txn, fx->dbi[0], &key, 1, NULL), 0);
    assert_int_equal(ocop_counter_add(fx->txn, fx->dbi[0], &key, 1, NULL), MDB_CORRUPTED);
    assert_int_equal(ocop_counter_get(fx->txn, fx->dbi[0], &key, &n), 0);
    assert_int_equal(n, UINT64_MAX);
}

static void test_other_sizes_are_corrupt(void **state)
{
    unit_store_t *fx = *state;
    MDB_val key = {.mv_size = 3, .mv_data = "odd"}, v = {.mv_size = 4, .mv_data = "\0\0\0\1"};
    assert_int_equal(ocop_db_put(fx->txn, fx->dbi[0], &key, &v, 0), 0);
    uint64_t n = 7;
    assert_int_equal(ocop_counter_get(fx->txn, fx->dbi[0], &key, &n), MDB_CORRUPTED);
    assert_int_equal(ocop_counter_add(fx->txn, fx->dbi[0], &key, 1, NULL), MDB_CORRUPTED);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_counts_and_deletes_at_zero, unit_store_setup, unit_store_teardown),
        cmocka_unit_test_setup_teardown(test_never_clamped, unit_store_setup, unit_store_teardown),
        cmocka_unit_test_setup_teardown(test_other_sizes_are_corrupt, unit_store_setup, unit_store_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
