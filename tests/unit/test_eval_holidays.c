/* Unit tests for eval_holidays: a valid file's working calendar, broken files refused with the
 * field named (nothing reordered or dropped), the real holidays.json. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "eval_holidays.h"
#include "unit_tmpdir.h"

#define S_N(a) (sizeof(a) / sizeof((a)[0]))

static char s_dir[UNIT_TMPDIR_LEN], s_path[UNIT_TMPDIR_LEN + 16];

static int s_setup(void **state)
{
    (void)state;
    if (!unit_tmpdir(s_dir))
        return -1;
    snprintf(s_path, sizeof s_path, "%s/holidays.json", s_dir);
    return 0;
}

static int s_teardown(void **state)
{
    (void)state;
    test_rmtree(s_dir);
    return 0;
}

/* Loads a file of one year (2025) whose days_off and weekend_days_worked are given. */
static eval_holidays_t *s_load(const char *off, const char *worked, char *err, size_t errlen)
{
    FILE *f = fopen(s_path, "w");
    assert_non_null(f);
    fprintf(f,
            "{\"notes\": \"\", \"basis\": \"Labour Code Art. 112\", \"years\": [{\"year\": 2025, \"source\": \"x\", "
            "\"days_off\": [%s], \"weekend_days_worked\": [%s]}]}",
            off, worked);
    fclose(f);
    *err = '\0';
    return eval_holidays_load(s_path, err, errlen);
}

static void test_valid(void **state)
{
    (void)state;
    char err[512];
    eval_holidays_t *h = s_load("{\"date\": \"2025-05-01\", \"name\": \"1/5\"}, {\"date\": \"2025-05-02\", \"name\": "
                                "\"swap\"}",
                                "{\"date\": \"2025-04-26\", \"instead_of\": \"2025-05-02\"}", err, sizeof err);
    if (!h)
        fail_msg("refused: %s", err);
    const ocop_workdays_t *cal = eval_holidays_calendar(h);
    assert_int_equal(cal->n_off, 2);
    assert_int_equal(cal->n_worked, 1);
    assert_false(ocop_date_working("2025-05-02", cal));
    assert_true(ocop_date_working("2025-04-26", cal));
    char out[OCOP_DATE_LEN];
    assert_int_equal(ocop_date_add_working_days("2025-04-30", 1, cal, out), 0);
    assert_string_equal(out, "2025-05-05");
    eval_holidays_destroy(&h);
    eval_holidays_destroy(&h); /* twice is safe */
}

typedef struct {
    const char *off, *worked, *says;
} s_broken_t;

#define S_DAY(d) "{\"date\": \"" d "\", \"name\": \"n\"}"

static const s_broken_t s_broken[] = {
    {"", "", "years[0].days_off: "}, /* empty */
    {S_DAY("2025-05-03"), "", "years[0].days_off[0].date: 2025-05-03 is a Saturday"},
    {S_DAY("2026-01-01"), "", "years[0].days_off[0].date: 2026-01-01 is not in 2025"},
    {S_DAY("2025-05-02") ", " S_DAY("2025-05-01"), "", "days_off[1].date: 2025-05-01 is not after 2025-05-02"},
    {S_DAY("2025-05-01") ", " S_DAY("2025-05-01"), "", "days_off[1].date: 2025-05-01 is not after"},
    {S_DAY("2025-02-30"), "", "days_off[0].date"},
    {"{\"date\": \"2025-05-01\"}", "", "days_off[0].name"},
    {S_DAY("2025-05-02"), "{\"date\": \"2025-04-25\", \"instead_of\": \"2025-05-02\"}",
     "weekend_days_worked[0].date: 2025-04-25 is not a Saturday or Sunday"},
    {S_DAY("2025-05-02"), "{\"date\": \"2025-04-26\", \"instead_of\": \"2025-05-01\"}",
     "weekend_days_worked[0].instead_of: 2025-05-01 is not a day off of 2025"},
};

static void test_broken(void **state)
{
    (void)state;
    for (size_t i = 0; i < S_N(s_broken); i++) {
        char err[512];
        eval_holidays_t *h = s_load(s_broken[i].off, s_broken[i].worked, err, sizeof err);
        if (h)
            fail_msg("case %zu accepted", i);
        if (!strstr(err, s_broken[i].says) || !strstr(err, "holidays.json: "))
            fail_msg("case %zu: '%s' does not say '%s'", i, err, s_broken[i].says);
    }
}

static void test_real_file(void **state)
{
    (void)state;
    const char *src = getenv("OCOP_SOURCE_DIR");
    if (!src)
        fail_msg("OCOP_SOURCE_DIR is not set (ctest sets it)");
    char path[1024], err[512] = "";
    snprintf(path, sizeof path, "%s/services/evaluation/data/holidays.json", src);
    eval_holidays_t *h = eval_holidays_load(path, err, sizeof err);
    if (!h)
        fail_msg("the real holidays.json does not load: %s", err);
    const ocop_workdays_t *cal = eval_holidays_calendar(h);
    const char *off[] = {"2025-01-01", "2025-01-27", "2025-09-02", "2026-02-16", "2026-02-20", "2026-04-27"};
    for (size_t i = 0; i < S_N(off); i++)
        assert_false(ocop_date_working(off[i], cal));
    assert_true(ocop_date_working("2025-02-08", cal)); /* worked instead of 27 January */
    assert_true(ocop_date_working("2026-02-23", cal));
    eval_holidays_destroy(&h);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_valid),
        cmocka_unit_test(test_broken),
        cmocka_unit_test(test_real_file),
    };
    return cmocka_run_group_tests(tests, s_setup, s_teardown);
}
