/* Unit: ocop_index — ids under index|value, apart from other values and indexes (a value that is
 * a prefix of another included), paged after a cursor, and a visitor's stop. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <lmdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ocop_index.h"
#include "ocop_store.h"
#include "unit_store.h"

typedef struct {
    char ids[16][32];
    size_t n, page; /* page: stop after this many (0: never) */
    int fail_at;    /* the visit that returns -1 (0: none) */
} s_seen_t;

static int s_visit(void *user, const char *id)
{
    s_seen_t *s = user;
    if (s->fail_at && (int)s->n + 1 == s->fail_at)
        return -1;
    snprintf(s->ids[s->n++], sizeof s->ids[0], "%s", id);
    return s->page && s->n == s->page ? 1 : 0;
}

/* Province "01" holds PRD-1..PRD-5, "011" (a value "01" is a prefix of) PRD-6, and another
 * index the same value. */
static int s_setup(void **state)
{
    if (unit_store_setup(state) != 0)
        return -1;
    unit_store_t *fx = *state;
    char id[16];
    for (int i = 1; i <= 5; i++) {
        snprintf(id, sizeof id, "PRD-%d", i);
        if (ocop_index_put(fx->txn, fx->dbi[0], "province", "01", id) != 0)
            return -1;
    }
    return ocop_index_put(fx->txn, fx->dbi[0], "province", "011", "PRD-6") != 0 ||
                   ocop_index_put(fx->txn, fx->dbi[0], "stage", "01", "PRD-7") != 0
               ? -1
               : 0;
}

static void test_a_value_holds_its_ids_only(void **state)
{
    unit_store_t *fx = *state;
    s_seen_t seen = {0};
    char last[32];
    int more;
    assert_int_equal(
        ocop_index_scan(fx->txn, fx->dbi[0], "province", "01", "", 100, s_visit, &seen, last, sizeof last, &more), 0);
    assert_int_equal(seen.n, 5);
    assert_string_equal(seen.ids[0], "PRD-1");
    assert_string_equal(seen.ids[4], "PRD-5");
    assert_int_equal(more, 0);
    assert_string_equal(last, "");
}

static void test_pages_follow_the_cursor(void **state)
{
    unit_store_t *fx = *state;
    s_seen_t seen = {.page = 2};
    char last[32];
    int more;
    assert_int_equal(
        ocop_index_scan(fx->txn, fx->dbi[0], "province", "01", "", 100, s_visit, &seen, last, sizeof last, &more), 0);
    assert_true(more && strcmp(last, "PRD-2") == 0);
    s_seen_t next = {.page = 2};
    char cursor[32];
    snprintf(cursor, sizeof cursor, "%s", last);
    assert_int_equal(
        ocop_index_scan(fx->txn, fx->dbi[0], "province", "01", cursor, 100, s_visit, &next, last, sizeof last, &more),
        0);
    assert_true(next.n == 2 && strcmp(next.ids[0], "PRD-3") == 0 && strcmp(next.ids[1], "PRD-4") == 0);
    assert_true(more && strcmp(last, "PRD-4") == 0);
    /* At most max_scan ids are visited; the cursor says where to go on. */
    s_seen_t bounded = {0};
    assert_int_equal(
        ocop_index_scan(fx->txn, fx->dbi[0], "province", "01", "", 3, s_visit, &bounded, last, sizeof last, &more), 0);
    assert_true(bounded.n == 3 && more && strcmp(last, "PRD-3") == 0);
}

static void test_removing_and_a_visitor_that_stops(void **state)
{
    unit_store_t *fx = *state;
    assert_int_equal(ocop_index_del(fx->txn, fx->dbi[0], "province", "01", "PRD-3"), 0);
    assert_int_equal(ocop_index_del(fx->txn, fx->dbi[0], "province", "01", "PRD-3"), 0); /* absent: no error */
    s_seen_t seen = {0};
    char last[32];
    int more;
    assert_int_equal(
        ocop_index_scan(fx->txn, fx->dbi[0], "province", "01", "", 100, s_visit, &seen, last, sizeof last, &more), 0);
    assert_int_equal(seen.n, 4);
    s_seen_t stopped = {.fail_at = 2};
    assert_int_equal(
        ocop_index_scan(fx->txn, fx->dbi[0], "province", "01", "", 100, s_visit, &stopped, last, sizeof last, &more),
        -1);
    assert_int_equal(stopped.n, 1);
    /* A key too long to build is refused, never cut. */
    char value[600];
    memset(value, 'x', sizeof value - 1);
    value[sizeof value - 1] = '\0';
    assert_int_equal(ocop_index_put(fx->txn, fx->dbi[0], "province", value, "PRD-9"), MDB_BAD_VALSIZE);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_a_value_holds_its_ids_only, s_setup, unit_store_teardown),
        cmocka_unit_test_setup_teardown(test_pages_follow_the_cursor, s_setup, unit_store_teardown),
        cmocka_unit_test_setup_teardown(test_removing_and_a_visitor_that_stops, s_setup, unit_store_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
