/* ocop_arena: alignment, zero fill, reset, oversized blocks, strings, protobuf allocator. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "common.pb-c.h"
#include "ocop_arena.h"

static int s_all_zero(const uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (p[i])
            return 0;
    return 1;
}

static void test_new_destroy(void **state)
{
    (void)state;
    ocop_arena_t *arena = ocop_arena_new(0);
    assert_non_null(arena);
    assert_int_equal(ocop_arena_used(arena), 0);
    ocop_arena_destroy(&arena);
    assert_null(arena);
    ocop_arena_destroy(&arena);
    ocop_arena_destroy(NULL);
}

static void test_aligned_and_zeroed(void **state)
{
    (void)state;
    ocop_arena_t *arena = ocop_arena_new(256);
    assert_non_null(arena);
    /* Sizes chosen to cross block boundaries many times. */
    for (int round = 0; round < 3; round++) {
        uint8_t *prev = NULL;
        size_t prev_size = 0;
        for (size_t size = 0; size < 200; size += 7) {
            uint8_t *p = ocop_arena_alloc(arena, size);
            assert_non_null(p);
            assert_int_equal((uintptr_t)p % 16, 0);
            assert_true(s_all_zero(p, size));
            /* Distinct, non-overlapping allocations. */
            assert_true(prev == NULL || p >= prev + prev_size || p + size <= prev);
            memset(p, 0xAB, size);
            prev = p;
            prev_size = size;
        }
        assert_true(ocop_arena_used(arena) > 0);
        ocop_arena_reset(arena);
        assert_int_equal(ocop_arena_used(arena), 0);
    }
    ocop_arena_destroy(&arena);
}

static void test_zero_size_distinct(void **state)
{
    (void)state;
    ocop_arena_t *arena = ocop_arena_new(64);
    void *a = ocop_arena_alloc(arena, 0);
    void *b = ocop_arena_alloc(arena, 0);
    assert_non_null(a);
    assert_non_null(b);
    assert_ptr_not_equal(a, b);
    ocop_arena_destroy(&arena);
}

static void test_oversized(void **state)
{
    (void)state;
    ocop_arena_t *arena = ocop_arena_new(128);
    uint8_t *small = ocop_arena_alloc(arena, 16);
    uint8_t *big = ocop_arena_alloc(arena, 10000);
    assert_non_null(big);
    assert_true(s_all_zero(big, 10000));
    memset(big, 0xCD, 10000);
    /* The current block keeps serving small requests after an oversized one. */
    uint8_t *next = ocop_arena_alloc(arena, 16);
    assert_ptr_equal(next, small + 16);
    assert_int_equal(ocop_arena_used(arena), 16 + 10000 + 16);
    assert_null(ocop_arena_alloc(arena, SIZE_MAX));
    ocop_arena_reset(arena);
    /* After reset the first block is reused from its start. */
    assert_ptr_equal(ocop_arena_alloc(arena, 1), small);
    ocop_arena_destroy(&arena);
}

static void test_strings(void **state)
{
    (void)state;
    ocop_arena_t *arena = ocop_arena_new(32);
    char *a = ocop_arena_strdup(arena, "hello, arena");
    assert_string_equal(a, "hello, arena");
    char *b = ocop_arena_strndup(arena, "abcdef", 3);
    assert_string_equal(b, "abc");
    char *c = ocop_arena_strndup(arena, "ab", 10);
    assert_string_equal(c, "ab");
    assert_null(ocop_arena_strdup(arena, NULL));
    char *d = ocop_arena_printf(arena, "%s-%d-%s", "x", 42, "a long enough tail to exceed the chunk size");
    assert_string_equal(d, "x-42-a long enough tail to exceed the chunk size");
    char *e = ocop_arena_printf(arena, "%s", "");
    assert_string_equal(e, "");
    ocop_arena_destroy(&arena);
}

static void test_protobuf_allocator(void **state)
{
    (void)state;
    Ocop__Pong pong = OCOP__PONG__INIT;
    pong.service = "registration";
    pong.store_path = "/var/lib/ocop/registration";
    pong.requests = 12345;
    pong.map_size = 1ULL << 30;
    size_t len = ocop__pong__get_packed_size(&pong);
    uint8_t buf[256];
    assert_true(len <= sizeof buf);
    ocop__pong__pack(&pong, buf);

    ocop_arena_t *arena = ocop_arena_new(64);
    ProtobufCAllocator *alloc = ocop_arena_allocator(arena);
    assert_non_null(alloc);
    assert_ptr_equal(alloc, ocop_arena_allocator(arena));
    for (int round = 0; round < 3; round++) {
        Ocop__Pong *out = ocop__pong__unpack(alloc, len, buf);
        assert_non_null(out);
        assert_string_equal(out->service, "registration");
        assert_string_equal(out->store_path, "/var/lib/ocop/registration");
        assert_int_equal(out->requests, 12345);
        assert_int_equal(out->map_size, 1ULL << 30);
        assert_true(ocop_arena_used(arena) >= sizeof *out);
        /* free is a no-op: calling it must be harmless, the arena owns the memory. */
        ocop__pong__free_unpacked(out, alloc);
        ocop_arena_reset(arena);
    }
    uint8_t junk[] = {0xFF, 0xFF, 0xFF};
    assert_null(ocop__pong__unpack(alloc, sizeof junk, junk));
    ocop_arena_destroy(&arena);
}

/* An array grown one element at a time keeps its elements, moves only when full, doubling. */
static void test_grow(void **state)
{
    (void)state;
    ocop_arena_t *a = ocop_arena_new(256);
    assert_non_null(a);
    int *items = NULL;
    size_t n = 0, cap = 0;
    for (int i = 0; i < 100; i++) {
        int *before = items;
        size_t cap_before = cap;
        items = ocop_arena_grow(a, items, n, &cap, sizeof *items);
        assert_non_null(items);
        if (n < cap_before)
            assert_ptr_equal(items, before);
        else
            assert_int_equal(cap, cap_before ? cap_before * 2 : 16);
        items[n++] = i * 3;
    }
    assert_int_equal(cap, 128);
    for (int i = 0; i < 100; i++)
        assert_int_equal(items[i], i * 3);
    size_t huge = SIZE_MAX / 8;
    assert_null(ocop_arena_grow(a, items, huge, &huge, 8)); /* twice that does not fit */
    ocop_arena_destroy(&a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_new_destroy),
        cmocka_unit_test(test_aligned_and_zeroed),
        cmocka_unit_test(test_zero_size_distinct),
        cmocka_unit_test(test_oversized),
        cmocka_unit_test(test_strings),
        cmocka_unit_test(test_protobuf_allocator),
        cmocka_unit_test(test_grow),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
