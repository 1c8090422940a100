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
#include "unit_store.h"

/* Appends a Pong naming service to id's log; returns the number it got. */
static uint64_t s_append(unit_store_t *fx, const char *id, const char *service)
{
    Ocop__Pong pong = OCOP__PONG__INIT;
    pong.service = (char *)service;
    uint64_t n = 0;
    assert_int_equal(ocop_record_log_append(fx->txn, fx->dbi[0], id, &pong.base, &n), 0);
    return n;
}

static void test_numbers_order_and_neighbours(void **state)
{
    unit_store_t *fx = *state;
    uint64_t n = 99;
    assert_int_equal(ocop_record_log_last(fx->txn, fx->dbi[0], "P-1", &n, NULL), 0);
    assert_int_equal(n, 0);
    assert_int_equal(s_append(fx, "P-10", "ten-a"), 1);
    assert_int_equal(s_append(fx, "P-1", "one-a"), 1);
    assert_int_equal(s_append(fx, "P-1", "one-b"), 2);
    assert_int_equal(s_append(fx, "P-10", "ten-b"), 2);
    assert_int_equal(s_append(fx, "P-1", "one-c"), 3);

    ocop_bytes_t last;
    assert_int_equal(ocop_record_log_last(fx->txn, fx->dbi[0], "P-1", &n, &last), 0);
    assert_int_equal(n, 3);
    Ocop__Pong *p = ocop__pong__unpack(NULL, last.size, last.data);
    assert_non_null(p);
    assert_string_equal(p->service, "one-c");
    ocop__pong__free_unpacked(p, NULL);

    size_t count = 0;
    assert_int_equal(ocop_record_log_count(fx->txn, fx->dbi[0], "P-1", &count), 0);
    assert_int_equal(count, 3);
    assert_int_equal(ocop_record_log_count(fx->txn, fx->dbi[0], "P-2", &count), 0);
    assert_int_equal(count, 0);

    ProtobufCMessage **entries;
    ocop_arena_t *arena = ocop_arena_new(4096);
    assert_non_null(arena);
    assert_int_equal(ocop_record_log_read(fx->txn, fx->dbi[0], "P-10", &ocop__pong__descriptor,
                                          ocop_arena_allocator(arena), &entries, &count),
                     0);
    assert_int_equal(count, 2);
    assert_string_equal(((Ocop__Pong *)entries[0])->service, "ten-a");
    assert_string_equal(((Ocop__Pong *)entries[1])->service, "ten-b");
    ocop_arena_destroy(&arena);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_numbers_order_and_neighbours, unit_store_setup, unit_store_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
