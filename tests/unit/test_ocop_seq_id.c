/* Unit: ocop_seq_id — the ids a service numbers in sequence (registration's, audit's,
 * promotion's): written zero-padded to their kind's width, read back only when written so. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "ocop_seq_id.h"

static int s_parse(const char *id, const char *kind, unsigned width, uint64_t *n)
{
    return ocop_seq_id_parse(id, strlen(id), kind, width, n);
}

static void test_written_and_read_back(void **state)
{
    (void)state;
    char id[OCOP_SEQ_ID_MAX + 1];
    uint64_t n;
    assert_int_equal(ocop_seq_id_format(id, sizeof id, "PRD", 8, 42), 0);
    assert_string_equal(id, "PRD-00000042");
    assert_int_equal(s_parse(id, "PRD", 8, &n), 0);
    assert_int_equal(n, 42);
    /* Past the padding the number grows, and ids still sort by number within a width. */
    assert_int_equal(ocop_seq_id_format(id, sizeof id, "FAIR", 6, 1234567), 0);
    assert_string_equal(id, "FAIR-1234567");
    assert_int_equal(s_parse(id, "FAIR", 6, &n), 0);
    assert_int_equal(n, 1234567);
    assert_int_equal(s_parse("INS-000001", "INS", 6, NULL), 0);
    /* The key of an LMDB record need not end with a NUL: len bounds it. */
    assert_int_equal(ocop_seq_id_parse("ENT-00000007|tail", 12, "ENT", 8, &n), 0);
    assert_int_equal(n, 7);
}

static void test_refused(void **state)
{
    (void)state;
    char id[8];
    assert_int_equal(ocop_seq_id_format(id, sizeof id, "PRD", 8, 1), -1); /* does not fit */
    char big[OCOP_SEQ_ID_MAX + 1];
    assert_int_equal(ocop_seq_id_format(big, sizeof big, "PRD", 8, 0), -1);
    assert_int_equal(ocop_seq_id_format(big, sizeof big, "prd", 8, 1), -1);
    assert_int_equal(ocop_seq_id_format(big, sizeof big, "", 8, 1), -1);
    static const char *const bad[] = {
        "PRD-0000042",                                   /* short of the width */
        "PRD-00000000",                                  /* 0 is not a number made */
        "PRD-000000042",                                 /* a zero past the padding */
        "PRD00000042",                                   /* no dash */
        "ENT-00000042",                                  /* another kind */
        "PRD-0000004x",                                  /* not digits */
        "PRD-",          "", "PRD-99999999999999999999", /* past 64 bits */
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        if (s_parse(bad[i], "PRD", 8, NULL) == 0)
            fail_msg("'%s' was accepted", bad[i]);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_written_and_read_back),
        cmocka_unit_test(test_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
