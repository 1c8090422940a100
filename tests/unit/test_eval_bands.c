/* Unit tests for eval_bands: stars at and around every band edge, the certified threshold,
 * the council's finding rule, broken stars.json files, the digest, the real file. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <string.h>

#include "eval_bands.h"
#include "unit_tmpdir.h"

#define S_N(a) (sizeof(a) / sizeof((a)[0]))

typedef struct {
    char dir[UNIT_TMPDIR_LEN];
    char path[UNIT_TMPDIR_LEN + 16];
} s_fixture_t;

static int s_setup(void **state)
{
    s_fixture_t *fx = calloc(1, sizeof *fx);
    if (!fx || !unit_tmpdir(fx->dir)) {
        free(fx);
        return -1;
    }
    snprintf(fx->path, sizeof fx->path, "%s/stars.json", fx->dir);
    *state = fx;
    return 0;
}

static int s_teardown(void **state)
{
    s_fixture_t *fx = *state;
    test_rmtree(fx->dir);
    free(fx);
    return 0;
}

static void s_write(const s_fixture_t *fx, const char *text)
{
    FILE *f = fopen(fx->path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

#define S_BANDS                                                                                                        \
    "[{\"min\": 0, \"stars\": 1}, {\"min\": 30, \"stars\": 2}, {\"min\": 50, \"stars\": 3}, "                          \
    "{\"min\": 70, \"stars\": 4}, {\"min\": 90, \"stars\": 5}]"

static const char s_valid[] = "{\"bands\": " S_BANDS ", \"certified_min_stars\": 3, \"max_score\": 100, "
                              "\"version\": \"2019\", \"council_finding\": \"majority\", \"notes\": \"1048 and 148\"}";

static eval_bands_t *s_load(const s_fixture_t *fx, const char *text)
{
    char err[512] = "";
    s_write(fx, text);
    eval_bands_t *b = eval_bands_load(fx->path, err, sizeof err);
    if (!b)
        fail_msg("refused: %s", err);
    return b;
}

typedef struct {
    double mean;
    int stars;
} s_edge_t;

static const s_edge_t s_edges[] = {
    {0, 1},  {12.5, 1}, {29.99, 1}, {30, 2},      {49.99, 2},  {50, 3},   {69.99, 3},     {70, 4},   {89.99, 4},
    {90, 5}, {99.5, 5}, {100, 5},   {100.01, -1}, {-0.01, -1}, {NAN, -1}, {INFINITY, -1}, {101, -1},
};

static void test_edges(void **state)
{
    eval_bands_t *b = s_load(*state, s_valid);
    for (size_t i = 0; i < S_N(s_edges); i++) {
        int got = eval_bands_stars(b, s_edges[i].mean);
        if (got != s_edges[i].stars)
            fail_msg("mean %g: %d stars, expected %d", s_edges[i].mean, got, s_edges[i].stars);
    }
    /* A mean computed from decimal totals lands on the edge, not a rounding error below it. */
    double totals[] = {89.7, 90.1, 90.2};
    double mean = (totals[0] + totals[1] + totals[2]) / 3;
    assert_int_equal(eval_bands_stars(b, mean), 5);
    mean = (49.9 + 50.1) / 2;
    assert_int_equal(eval_bands_stars(b, mean), 3);
    eval_bands_destroy(&b);
}

static void test_certified(void **state)
{
    eval_bands_t *b = s_load(*state, s_valid);
    assert_int_equal(eval_bands_certified_min_stars(b), 3);
    assert_false(eval_bands_certified(b, 0));
    assert_false(eval_bands_certified(b, 2));
    assert_true(eval_bands_certified(b, 3));
    assert_true(eval_bands_certified(b, 5));
    assert_false(eval_bands_certified(b, 6));
    assert_false(eval_bands_certified(b, eval_bands_stars(b, 49.99)));
    assert_true(eval_bands_certified(b, eval_bands_stars(b, 50)));
    assert_true(eval_bands_max_score(b) == 100);
    assert_true(eval_bands_min_for(b, 3) == 50);
    assert_true(eval_bands_min_for(b, 1) == 0);
    assert_true(eval_bands_min_for(b, 6) == -1);
    assert_string_equal(eval_bands_source(b), "stars.json");
    assert_string_equal(eval_bands_version(b), "2019");
    eval_bands_destroy(&b);
    assert_null(b);
    eval_bands_destroy(&b);
}

static void test_digest(void **state)
{
    /* `printf '%s' '<text>' | sha256sum` gives the same string. */
    eval_bands_t *b = s_load(*state, "{\"bands\": [{\"min\": 0, \"stars\": 1}], \"certified_min_stars\": 1, "
                                     "\"max_score\": 100, \"council_finding\": \"majority\", \"notes\": \"\"}");
    assert_string_equal(eval_bands_digest(b), "eaa9367f0750542249c3be863716ffb6da4a12c417006bc9a08bebb37a363f58");
    assert_string_equal(eval_bands_version(b), "");
    assert_int_equal(eval_bands_stars(b, 100), 1);
    eval_bands_destroy(&b);
}

typedef struct {
    const char *label;
    const char *json;
    const char *field;
    const char *reason;
} s_broken_t;

static const s_broken_t s_broken[] = {
    {"first min not 0",
     "{\"bands\": [{\"min\": 10, \"stars\": 1}], \"certified_min_stars\": 1, \"max_score\": 100, \"notes\": \"\"}",
     ": bands[0].min: ", "must start at 0"},
    {"not ascending",
     "{\"bands\": [{\"min\": 0, \"stars\": 1}, {\"min\": 50, \"stars\": 2}, {\"min\": 30, \"stars\": 3}], "
     "\"certified_min_stars\": 3, \"max_score\": 100, \"notes\": \"\"}",
     ": bands[2].min: ", "30 does not exceed the previous band's 50"},
    {"equal mins",
     "{\"bands\": [{\"min\": 0, \"stars\": 1}, {\"min\": 0, \"stars\": 2}], \"certified_min_stars\": 2, "
     "\"max_score\": 100, \"notes\": \"\"}",
     ": bands[1].min: ", "does not exceed"},
    {"stars not increasing",
     "{\"bands\": [{\"min\": 0, \"stars\": 2}, {\"min\": 30, \"stars\": 2}], \"certified_min_stars\": 2, "
     "\"max_score\": 100, \"notes\": \"\"}",
     ": bands[1].stars: ", "2 does not exceed the previous band's 2"},
    {"six stars",
     "{\"bands\": [{\"min\": 0, \"stars\": 6}], \"certified_min_stars\": 1, \"max_score\": 100, \"notes\": \"\"}",
     ": bands[0].stars: ", "from 1 to 5, found 6"},
    {"min at max_score",
     "{\"bands\": [{\"min\": 0, \"stars\": 1}, {\"min\": 100, \"stars\": 2}], \"certified_min_stars\": 1, "
     "\"max_score\": 100, \"notes\": \"\"}",
     ": bands[1].min: ", "not below max_score"},
    {"certified without a band",
     "{\"bands\": [{\"min\": 0, \"stars\": 1}, {\"min\": 50, \"stars\": 2}], \"certified_min_stars\": 3, "
     "\"max_score\": 100, \"notes\": \"\"}",
     ": certified_min_stars: ", "no band gives 3 stars"},
    {"missing certified", "{\"bands\": " S_BANDS ", \"max_score\": 100, \"notes\": \"\"}",
     ": certified_min_stars: ", "is required"},
    {"missing max_score", "{\"bands\": " S_BANDS ", \"certified_min_stars\": 3, \"notes\": \"\"}",
     ": max_score: ", "is required"},
    {"zero max_score", "{\"bands\": " S_BANDS ", \"certified_min_stars\": 3, \"max_score\": 0, \"notes\": \"\"}",
     ": max_score: ", "must be positive"},
    {"missing min", "{\"bands\": [{\"stars\": 1}], \"certified_min_stars\": 1, \"max_score\": 100, \"notes\": \"\"}",
     ": bands[0].min: ", "is required"},
    {"band not an object", "{\"bands\": [1], \"certified_min_stars\": 1, \"max_score\": 100, \"notes\": \"\"}",
     ": bands[0]: ", "expected an object"},
    {"no bands", "{\"bands\": [], \"certified_min_stars\": 3, \"max_score\": 100, \"notes\": \"\"}",
     ": bands: ", "must not be empty"},
    {"six bands",
     "{\"bands\": [{\"min\": 0, \"stars\": 1}, {\"min\": 10, \"stars\": 2}, {\"min\": 20, \"stars\": 3}, "
     "{\"min\": 30, \"stars\": 4}, {\"min\": 40, \"stars\": 5}, {\"min\": 50, \"stars\": 6}], "
     "\"certified_min_stars\": 3, \"max_score\": 100, \"notes\": \"\"}",
     ": bands: ", "at most 5 bands"},
    {"missing notes", "{\"bands\": " S_BANDS ", \"certified_min_stars\": 3, \"max_score\": 100}",
     ": notes: ", "is required"},
    {"version not a string",
     "{\"bands\": " S_BANDS ", \"certified_min_stars\": 3, \"max_score\": 100, \"version\": 3, \"notes\": \"\"}",
     ": version: ", "expected a string"},
    {"missing council_finding",
     "{\"bands\": " S_BANDS ", \"certified_min_stars\": 3, \"max_score\": 100, \"notes\": \"\"}",
     ": council_finding: ", "is required"},
    {"unknown council_finding",
     "{\"bands\": " S_BANDS ", \"certified_min_stars\": 3, \"max_score\": 100, \"council_finding\": \"unanimity\", "
     "\"notes\": \"\"}",
     ": council_finding: ", "\"unanimity\" is not a known rule"},
    {"not JSON", "{\"bands\": ", ": not valid JSON", ""},
};

static void test_broken_files(void **state)
{
    s_fixture_t *fx = *state;
    for (size_t i = 0; i < S_N(s_broken); i++) {
        char err[512] = "";
        s_write(fx, s_broken[i].json);
        eval_bands_t *b = eval_bands_load(fx->path, err, sizeof err);
        if (b) {
            eval_bands_destroy(&b);
            fail_msg("%s: loaded, expected an error", s_broken[i].label);
        }
        if (!strstr(err, fx->path) || !strstr(err, s_broken[i].field) || !strstr(err, s_broken[i].reason))
            fail_msg("%s: error '%s' lacks the file, '%s' or '%s'", s_broken[i].label, err, s_broken[i].field,
                     s_broken[i].reason);
    }
    char err[512] = "", missing[UNIT_TMPDIR_LEN + 32];
    snprintf(missing, sizeof missing, "%s/none.json", fx->dir);
    assert_null(eval_bands_load(missing, err, sizeof err));
    assert_non_null(strstr(err, "none.json: cannot open"));
}

static void test_real_stars(void **state)
{
    const char *src = getenv("OCOP_SOURCE_DIR");
    if (!src)
        fail_msg("OCOP_SOURCE_DIR is not set (ctest sets it)");
    char path[1024], err[512] = "";
    snprintf(path, sizeof path, "%s/services/evaluation/data/stars.json", src);
    eval_bands_t *b = eval_bands_load(path, err, sizeof err);
    if (!b)
        fail_msg("the real stars.json does not load: %s", err);
    for (size_t i = 0; i < S_N(s_edges); i++)
        assert_int_equal(eval_bands_stars(b, s_edges[i].mean), s_edges[i].stars);
    assert_int_equal(eval_bands_certified_min_stars(b), 3);
    eval_bands_destroy(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_edges, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown(test_certified, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown(test_digest, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown(test_broken_files, s_setup, s_teardown),
        cmocka_unit_test(test_real_stars),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
