/* ocop_error: names and numbers agree with each other and with proto's ocop.Status. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "common.pb-c.h"
#include "ocop_error.h"

static void test_names(void **state)
{
    (void)state;
    assert_string_equal(ocop_status_name(OCOP_OK), "OCOP_OK");
    assert_string_equal(ocop_status_name(OCOP_E_INVALID), "OCOP_E_INVALID");
    assert_string_equal(ocop_status_name(OCOP_E_STORAGE_FULL), "OCOP_E_STORAGE_FULL");
    assert_string_equal(ocop_status_name(OCOP_E_MALFORMED), "OCOP_E_MALFORMED");
    assert_string_equal(ocop_status_name(-1), "OCOP_E_UNKNOWN");
    assert_string_equal(ocop_status_name(OCOP_E_WRONG_SHARD), "OCOP_E_WRONG_SHARD");
    assert_string_equal(ocop_status_name(13), "OCOP_E_UNKNOWN");
    assert_string_equal(ocop_status_name(1000000), "OCOP_E_UNKNOWN");
}

static void test_round_trip(void **state)
{
    (void)state;
    for (int code = OCOP_OK; code <= OCOP_E_WRONG_SHARD; code++)
        assert_int_equal(ocop_status_from_name(ocop_status_name(code)), code);
    assert_int_equal(ocop_status_from_name("OCOP_E_UNKNOWN"), -1);
    assert_int_equal(ocop_status_from_name("ocop_e_invalid"), -1);
    assert_int_equal(ocop_status_from_name(""), -1);
    assert_int_equal(ocop_status_from_name(NULL), -1);
}

/* The header promises the numbers equal the wire enum; a renumbering on either side fails here. */
static void test_matches_proto(void **state)
{
    (void)state;
    assert_int_equal(OCOP_OK, OCOP__STATUS__STATUS_OK);
    assert_int_equal(OCOP_E_INVALID, OCOP__STATUS__STATUS_INVALID);
    assert_int_equal(OCOP_E_NOT_FOUND, OCOP__STATUS__STATUS_NOT_FOUND);
    assert_int_equal(OCOP_E_CONFLICT, OCOP__STATUS__STATUS_CONFLICT);
    assert_int_equal(OCOP_E_FORBIDDEN, OCOP__STATUS__STATUS_FORBIDDEN);
    assert_int_equal(OCOP_E_UNAVAILABLE, OCOP__STATUS__STATUS_UNAVAILABLE);
    assert_int_equal(OCOP_E_STORAGE_FULL, OCOP__STATUS__STATUS_STORAGE_FULL);
    assert_int_equal(OCOP_E_TOO_LARGE, OCOP__STATUS__STATUS_TOO_LARGE);
    assert_int_equal(OCOP_E_UNSUPPORTED, OCOP__STATUS__STATUS_UNSUPPORTED);
    assert_int_equal(OCOP_E_INTERNAL, OCOP__STATUS__STATUS_INTERNAL);
    assert_int_equal(OCOP_E_ILLEGAL_STATE, OCOP__STATUS__STATUS_ILLEGAL_STATE);
    assert_int_equal(OCOP_E_MALFORMED, OCOP__STATUS__STATUS_MALFORMED);
    assert_int_equal(OCOP_E_WRONG_SHARD, OCOP__STATUS__STATUS_WRONG_SHARD);
    /* Every proto value has a name here. */
    for (unsigned i = 0; i < ocop__status__descriptor.n_values; i++)
        assert_string_not_equal(ocop_status_name(ocop__status__descriptor.values[i].value), "OCOP_E_UNKNOWN");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_names),
        cmocka_unit_test(test_round_trip),
        cmocka_unit_test(test_matches_proto),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
