/* Unit: ocop_record_log — each record's entries are numbered from 1 in the order appended, read
 * back oldest first, and kept apart from a record whose id extends it ("P-1" and "P-10"). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <lmdb.h>
#include <stdlib.h>
#include <string.h>

#include "common.pb-c.h"
#include "ocop_arena.h"
#include "ocop_record_log.h"
#include "ocop_store.h"
#include "unit_tmpdir.h"

typedef struct {
    char dir[UNIT_TMPDIR_LEN];
    ocop_store_t *store;
    MDB_dbi dbi;
    MDB_txn *txn;
    ocop_arena_t *arena;
} s_fixture_t;

static int s_setup(void **state)
{
    s_fixture_t *fx = calloc(1, sizeof *fx);
    char err[256];
    if (!fx || !unit_tmpdir(fx->dir))
        return -1;
    ocop_store_options_t so = {.path = fx->dir, .map_size = 1u << 20, .map_max = 1u << 20};
    if (!(fx->store = ocop_store_open(&so, err, sizeof err)) || ocop_store_dbi(fx->store, "logs", 0, &fx->dbi) != 0 ||
        mdb_txn_begin(ocop_store_env(fx->store), NULL, 0, &fx->txn) != 0 || !(fx->arena = ocop_arena_new(4096)))
        return -1;
    *state = fx;
    return 0;
}

static int s_teardown(void **state)
{
    s_fixture_t *fx = *state;
    mdb_txn_abort(fx->txn);
    ocop_arena_destroy(&fx->arena);
    ocop_store_destroy(&fx->store);
    test_rmtree(fx->dir);
    free(fx);
    return 0;
}

/* Appends a Pong naming service to id's log; returns the number it got. */
static uint64_t s_append(s_fixture_t *fx, const char *id, const char *service)
{
    Ocop__Pong pong = OCOP__PONG__INIT;
    pong.service = (char *)service;
    uint64_t n = 0;
    assert_int_equal(ocop_record_log_append(fx->txn, fx->dbi, id, &pong.base, &n), 0);
    return n;
}

static void test_numbers_order_and_neighbours(void **state)
{
    s_fixture_t *fx = *state;
    uint64_t n = 99;
    assert_int_equal(ocop_record_log_last(fx->txn, fx->dbi, "P-1", &n, NULL), 0);
    assert_int_equal(n, 0);
    assert_int_equal(s_append(fx, "P-10", "ten-a"), 1);
    assert_int_equal(s_append(fx, "P-1", "one-a"), 1);
    assert_int_equal(s_append(fx, "P-1", "one-b"), 2);
    assert_int_equal(s_append(fx, "P-10", "ten-b"), 2);
    assert_int_equal(s_append(fx, "P-1", "one-c"), 3);

    MDB_val last;
    assert_int_equal(ocop_record_log_last(fx->txn, fx->dbi, "P-1", &n, &last), 0);
    assert_int_equal(n, 3);
    Ocop__Pong *p = ocop__pong__unpack(NULL, last.mv_size, last.mv_data);
    assert_non_null(p);
    assert_string_equal(p->service, "one-c");
    ocop__pong__free_unpacked(p, NULL);

    size_t count = 0;
    assert_int_equal(ocop_record_log_count(fx->txn, fx->dbi, "P-1", &count), 0);
    assert_int_equal(count, 3);
    assert_int_equal(ocop_record_log_count(fx->txn, fx->dbi, "P-2", &count), 0);
    assert_int_equal(count, 0);

    ProtobufCMessage **entries;
    assert_int_equal(ocop_record_log_read(fx->txn, fx->dbi, "P-10", &ocop__pong__descriptor,
                                          ocop_arena_allocator(fx->arena), &entries, &count),
                     0);
    assert_int_equal(count, 2);
    assert_string_equal(((Ocop__Pong *)entries[0])->service, "ten-a");
    assert_string_equal(((Ocop__Pong *)entries[1])->service, "ten-b");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_numbers_order_and_neighbours, s_setup, s_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
