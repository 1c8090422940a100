/* Unit: ocop_shard_id — the one grammar of the ids evaluation shards make, which the shards,
 * the gateway and tools share. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "ocop_shard_id.h"

static void test_accepted(void **state)
{
    (void)state;
    unsigned shard;
    uint64_t n;
    assert_int_equal(ocop_shard_id_parse("C2-17", "C", &shard, &n), 0);
    assert_int_equal(shard, 2);
    assert_int_equal(n, 17);
    assert_int_equal(ocop_shard_id_parse("CERT12-7", "CERT", &shard, &n), 0);
    assert_int_equal(shard, 12);
    assert_int_equal(n, 7);
    /* Without a prefix: any kind of capitals (the gateway routes every kind). */
    assert_int_equal(ocop_shard_id_parse("CERT9999-18446744073709551615", NULL, &shard, &n), 0);
    assert_int_equal(shard, OCOP_SHARD_MAX);
    assert_int_equal(n, UINT64_MAX);
    assert_int_equal(ocop_shard_id_parse("R1-1", NULL, NULL, NULL), 0);
}

static void test_refused(void **state)
{
    (void)state;
    static const char *const bad[] = {
        "",
        "C",
        "C1",
        "C1-",
        "C-1",
        "1-1",
        "c1-5",
        "C01-5",
        "C1-05",
        "C0-5",
        "C1-0",
        "C1-5x",
        "C1--5",
        "C 1-5",
        "C1-5 ",
        "C10000-1",
        "C1-18446744073709551616",
        "CX1-5Y",
        "C1-5-6",
        "Ç1-5",
        "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA1-1",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        if (ocop_shard_id_parse(bad[i], NULL, NULL, NULL) == 0)
            fail_msg("'%s' was taken for an id", bad[i]);
    /* The prefix is exact: a certificate id is not a council id, nor the other way round. */
    assert_int_equal(ocop_shard_id_parse("CERT1-2", "C", NULL, NULL), -1);
    assert_int_equal(ocop_shard_id_parse("C1-2", "CERT", NULL, NULL), -1);
    assert_int_equal(ocop_shard_id_parse("S1-2", "C", NULL, NULL), -1);
    assert_int_equal(ocop_shard_id_parse(NULL, NULL, NULL, NULL), -1);
}

static void test_format_round_trip(void **state)
{
    (void)state;
    char id[OCOP_SHARD_ID_MAX + 1];
    assert_int_equal(ocop_shard_id_format(id, sizeof id, "S", 3, 42), 0);
    assert_string_equal(id, "S3-42");
    unsigned shard;
    uint64_t n;
    assert_int_equal(ocop_shard_id_parse(id, "S", &shard, &n), 0);
    assert_int_equal(shard, 3);
    assert_int_equal(n, 42);
    /* What would break the grammar or not fit is refused, never cut. */
    assert_int_equal(ocop_shard_id_format(id, sizeof id, "S", 0, 1), -1);
    assert_string_equal(id, "");
    assert_int_equal(ocop_shard_id_format(id, sizeof id, "S", 1, 0), -1);
    assert_int_equal(ocop_shard_id_format(id, 5, "S", 3, 42), -1);
    assert_int_equal(ocop_shard_id_format(id, sizeof id, "S", OCOP_SHARD_MAX + 1, 1), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_accepted),
        cmocka_unit_test(test_refused),
        cmocka_unit_test(test_format_round_trip),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
