/* ocop_date: calendar validation, UTC days, month arithmetic for certificate expiry. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "ocop_date.h"

static void test_valid(void **state)
{
    (void)state;
    static const char *const good[] = {"2019-08-21", "2024-02-29", "2000-02-29", "0001-01-01", "9999-12-31"};
    static const char *const bad[] = {"2023-02-29", "1900-02-29", "2019-13-01", "2019-00-10", "2019-04-31",
                                      "2019-4-01",  "2019/04/01", "20190401",   "",           "2019-04-01x"};
    for (size_t i = 0; i < sizeof good / sizeof *good; i++)
        assert_true(ocop_date_valid(good[i]));
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
        if (ocop_date_valid(bad[i]))
            fail_msg("%s accepted", bad[i]);
    assert_false(ocop_date_valid(NULL));
}

static void test_day_of(void **state)
{
    (void)state;
    char day[OCOP_DATE_LEN];
    ocop_day_of(0, day);
    assert_string_equal(day, "1970-01-01");
    ocop_day_of(1566345600000LL, day); /* 2019-08-21T00:00:00Z */
    assert_string_equal(day, "2019-08-21");
    ocop_day_of(1566345600000LL - 1, day);
    assert_string_equal(day, "2019-08-20");
}

static void test_add_months(void **state)
{
    (void)state;
    static const struct {
        const char *from;
        int months;
        const char *to;
    } cases[] = {
        {"2019-10-15", 36, "2022-10-15"}, {"2024-02-29", 12, "2025-02-28"}, {"2024-02-29", 48, "2028-02-29"},
        {"2023-01-31", 1, "2023-02-28"},  {"2023-12-31", 2, "2024-02-29"},  {"2023-03-15", -3, "2022-12-15"},
        {"2025-07-06", 0, "2025-07-06"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        char out[OCOP_DATE_LEN];
        assert_int_equal(ocop_date_add_months(cases[i].from, cases[i].months, out), 0);
        assert_string_equal(out, cases[i].to);
    }
    char out[OCOP_DATE_LEN];
    assert_int_equal(ocop_date_add_months("2023-02-30", 1, out), -1);
    assert_int_equal(ocop_date_add_months("9999-06-01", 12, out), -1);
    assert_int_equal(ocop_date_add_months("0001-01-01", -1, out), -1);
    assert_int_equal(ocop_date_year("2019-10-15"), 2019);
}

static void test_add_days(void **state)
{
    (void)state;
    static const struct {
        const char *from;
        int days;
        const char *to;
    } cases[] = {
        {"2026-05-22", 15, "2026-06-06"},  {"2026-05-22", 60, "2026-07-21"}, {"2024-02-28", 1, "2024-02-29"},
        {"2023-02-28", 1, "2023-03-01"},   {"2025-12-31", 1, "2026-01-01"},  {"2026-01-01", -1, "2025-12-31"},
        {"2029-06-01", 180, "2029-11-28"}, {"2026-03-01", -1, "2026-02-28"}, {"2026-05-22", 0, "2026-05-22"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        char out[OCOP_DATE_LEN];
        assert_int_equal(ocop_date_add_days(cases[i].from, cases[i].days, out), 0);
        assert_string_equal(out, cases[i].to);
    }
    char out[OCOP_DATE_LEN];
    assert_int_equal(ocop_date_add_days("2023-02-30", 1, out), -1);
    assert_int_equal(ocop_date_add_days("9999-12-31", 1, out), -1);
    assert_int_equal(ocop_date_add_days("0001-01-01", -1, out), -1);
}

static void test_add_working_days(void **state)
{
    (void)state;
    char out[OCOP_DATE_LEN];
    /* Friday 2026-05-22 + 15 working days = Friday 2026-06-12; weekends skipped. */
    assert_int_equal(ocop_date_add_working_days("2026-05-22", 15, NULL, out), 0);
    assert_string_equal(out, "2026-06-12");
    assert_int_equal(ocop_date_add_working_days("2026-12-05", 1, NULL, out), 0); /* Saturday -> Monday */
    assert_string_equal(out, "2026-12-07");
    assert_int_equal(ocop_date_add_working_days("2026-12-31", 2, NULL, out), 0); /* Thursday -> Monday */
    assert_string_equal(out, "2027-01-04");
    assert_int_equal(ocop_date_add_working_days("2026-12-07", 0, NULL, out), 0);
    assert_string_equal(out, "2026-12-07");
    assert_int_equal(ocop_date_add_working_days("2026-12-07", -1, NULL, out), -1);
    assert_int_equal(ocop_date_add_working_days("2026-02-30", 1, NULL, out), -1);
}

/* Tết 2026 (16–20 February off) and a 2025 Saturday worked instead of a Friday off. */
static void test_add_working_days_with_holidays(void **state)
{
    (void)state;
    static const char off[][OCOP_DATE_LEN] = {"2025-05-02", "2026-02-16", "2026-02-17",
                                              "2026-02-18", "2026-02-19", "2026-02-20"};
    static const char worked[][OCOP_DATE_LEN] = {"2025-04-26"};
    const ocop_workdays_t cal = {off, 6, worked, 1};
    char out[OCOP_DATE_LEN];
    /* Tuesday 10 February + 15 working days: 3 March on Monday to Friday, 10 March past Tết. */
    assert_int_equal(ocop_date_add_working_days("2026-02-10", 15, NULL, out), 0);
    assert_string_equal(out, "2026-03-03");
    assert_int_equal(ocop_date_add_working_days("2026-02-10", 15, &cal, out), 0);
    assert_string_equal(out, "2026-03-10");
    /* Friday 13 February + 1: the next working day is Monday 23 February. */
    assert_int_equal(ocop_date_add_working_days("2026-02-13", 1, &cal, out), 0);
    assert_string_equal(out, "2026-02-23");
    /* Friday 25 April 2025 + 1 is the Saturday worked; + 5 skips Friday 2 May. */
    assert_int_equal(ocop_date_add_working_days("2025-04-25", 1, &cal, out), 0);
    assert_string_equal(out, "2025-04-26");
    assert_int_equal(ocop_date_add_working_days("2025-04-29", 3, &cal, out), 0);
    assert_string_equal(out, "2025-05-05"); /* 30 April, 1 May (working here), Friday 2 May off, Monday 5 May */
    assert_true(ocop_date_working("2025-04-26", &cal));
    assert_false(ocop_date_working("2025-04-26", NULL));
    assert_false(ocop_date_working("2026-02-18", &cal));
    assert_true(ocop_date_working("2026-02-18", NULL));
    /* Working days after a Friday deadline up to a report: Tết's five days do not count. */
    assert_int_equal(ocop_date_working_days_between("2026-02-13", "2026-02-24", &cal), 2);
    assert_int_equal(ocop_date_working_days_between("2026-02-13", "2026-02-24", NULL), 7);
    assert_int_equal(ocop_date_working_days_between("2026-02-13", "2026-02-14", NULL), 0); /* a Saturday */
    assert_int_equal(ocop_date_working_days_between("2026-02-13", "2026-02-13", NULL), 0);
    assert_int_equal(ocop_date_working_days_between("2026-02-24", "2026-02-13", NULL), 0);
    assert_int_equal(ocop_date_working_days_between("2026-02-30", "2026-03-02", NULL), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_valid),
        cmocka_unit_test(test_day_of),
        cmocka_unit_test(test_add_months),
        cmocka_unit_test(test_add_days),
        cmocka_unit_test(test_add_working_days),
        cmocka_unit_test(test_add_working_days_with_holidays),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
