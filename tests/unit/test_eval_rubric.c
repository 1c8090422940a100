/* Unit tests for eval_rubric on small sheets written here: a valid sheet with options (groups,
 * sub-criteria, alternatives, markers, knock-outs) and a free-number 1048 sheet load; every
 * broken file is refused with the file, the place and the sums or values named; sheets are
 * checked and totalled, and each sheet's own star minimum is found. The real sheets are
 * tested in test_eval_sheets_official.c. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <cjson/cJSON.h>
#include <math.h>
#include <string.h>

#include "eval_json.h"
#include "eval_rubric.h"
#include "unit_tmpdir.h"

#define S_N(a) (sizeof(a) / sizeof((a)[0]))

static void s_write_json(const char *dir, const char *name, const cJSON *json)
{
    char *text = cJSON_Print(json);
    assert_non_null(text);
    assert_int_equal(unit_write_file(dir, name, text), 0);
    free(text);
}

/* ---- fixtures ------------------------------------------------------------------------------ */

/* "points[:stars]" separated by spaces, e.g. "0 10:3 20:5". */
static cJSON *s_options(const char *spec)
{
    cJSON *arr = cJSON_CreateArray();
    char buf[128];
    snprintf(buf, sizeof buf, "%s", spec);
    int k = 1;
    for (char *tok = strtok(buf, " "); tok; tok = strtok(NULL, " "), k++) {
        cJSON *o = cJSON_CreateObject();
        char id[8];
        snprintf(id, sizeof id, "%d", k);
        cJSON_AddStringToObject(o, "id", id);
        cJSON_AddStringToObject(o, "text", "Lựa chọn");
        cJSON_AddNumberToObject(o, "points", atof(tok));
        char *colon = strchr(tok, ':');
        if (colon)
            cJSON_AddNumberToObject(o, "min_stars", atoi(colon + 1));
        cJSON_AddItemToArray(arr, o);
    }
    return arr;
}

static cJSON *s_leaf(const char *id, double max, const char *options)
{
    cJSON *c = cJSON_CreateObject();
    cJSON_AddStringToObject(c, "id", id);
    cJSON_AddStringToObject(c, "name", "Tiêu chí");
    cJSON_AddNumberToObject(c, "max", max);
    if (options)
        cJSON_AddItemToObject(c, "options", s_options(options));
    return c;
}

static cJSON *s_node(const char *id, double max, const char *kind, cJSON *a, cJSON *b)
{
    cJSON *c = cJSON_CreateObject();
    cJSON_AddStringToObject(c, "id", id);
    cJSON_AddStringToObject(c, "name", "Nhóm tiêu chí");
    cJSON_AddNumberToObject(c, "max", max);
    cJSON *kids = cJSON_AddArrayToObject(c, kind);
    cJSON_AddItemToArray(kids, a);
    if (b)
        cJSON_AddItemToArray(kids, b);
    return c;
}

static cJSON *s_part(const char *code, double max, cJSON *group)
{
    cJSON *p = cJSON_CreateObject();
    cJSON_AddStringToObject(p, "code", code);
    cJSON_AddStringToObject(p, "name", "Phần");
    cJSON_AddNumberToObject(p, "max", max);
    cJSON_AddItemToArray(cJSON_AddArrayToObject(p, "groups"), group);
    return p;
}

static cJSON *s_knockout(const char *id)
{
    cJSON *k = cJSON_CreateObject();
    cJSON_AddStringToObject(k, "id", id);
    cJSON_AddStringToObject(k, "text", "Bị loại nếu …");
    return k;
}

static cJSON *s_header(const char *instrument, const char *set)
{
    cJSON *r = cJSON_CreateObject();
    cJSON_AddStringToObject(r, "instrument", instrument);
    cJSON_AddStringToObject(r, "version", strcmp(instrument, "1048") == 0 ? "1048/QĐ-TTg" : "26/2026/QĐ-TTg");
    cJSON_AddStringToObject(r, "catalogue_version", instrument);
    cJSON_AddStringToObject(r, "product_set", set);
    cJSON_AddStringToObject(r, "name", "Bộ sản phẩm");
    cJSON_AddStringToObject(r, "effective_from", "2026-05-22");
    cJSON_AddBoolToObject(r, "self_assessment", true);
    cJSON_AddBoolToObject(r, "official", true);
    cJSON_AddStringToObject(r, "notes", "");
    return r;
}

/* 26/2026-shaped: A 40 = group 1 [1.1 (0, 10 ***, 20 *****), 1.2 = 1.2.1 (0, 10) + 1.2.2 (5, 10 ****)];
 * B 25 = group 2 [2.1 (0, 25), knock-out 2.1-K1]; C 35 = group 3 [3.1 alternatives 3.1a (0, 35),
 * 3.1b (35)]; sheet knock-out K1. */
static cJSON *s_rubric(void)
{
    cJSON *r = s_header("26-2026", "1");
    cJSON_AddItemToArray(cJSON_AddArrayToObject(r, "knockouts"), s_knockout("K1"));
    cJSON *parts = cJSON_AddArrayToObject(r, "parts");
    cJSON *g1 = s_node("1", 40, "criteria", s_leaf("1.1", 20, "0 10:3 20:5"),
                       s_node("1.2", 20, "criteria", s_leaf("1.2.1", 10, "0 10"), s_leaf("1.2.2", 10, "5 10:4")));
    cJSON_AddItemToArray(parts, s_part("A", 40, g1));
    cJSON *c21 = s_leaf("2.1", 25, "0 25");
    cJSON_AddItemToArray(cJSON_AddArrayToObject(c21, "knockouts"), s_knockout("2.1-K1"));
    cJSON_AddItemToArray(parts, s_part("B", 25, s_node("2", 25, "criteria", c21, NULL)));
    cJSON *alt = s_node("3.1", 35, "alternatives", s_leaf("3.1a", 35, "0 35"), s_leaf("3.1b", 35, "35"));
    cJSON_AddItemToArray(parts, s_part("C", 35, s_node("3", 35, "criteria", alt, NULL)));
    return r;
}

/* 1048: free numbers, A 35 / B 25 / C 40, one criterion each. */
static cJSON *s_rubric_1048(void)
{
    cJSON *r = s_header("1048", "1.10");
    cJSON_ReplaceItemInObjectCaseSensitive(r, "official", cJSON_CreateFalse());
    cJSON_AddArrayToObject(r, "knockouts");
    cJSON *parts = cJSON_AddArrayToObject(r, "parts");
    cJSON_AddItemToArray(parts, s_part("A", 35, s_node("A1", 35, "criteria", s_leaf("A1.1", 35, NULL), NULL)));
    cJSON_AddItemToArray(parts, s_part("B", 25, s_node("B1", 25, "criteria", s_leaf("B1.1", 25, NULL), NULL)));
    cJSON_AddItemToArray(
        parts, s_part("C", 40, s_node("C1", 40, "criteria", s_leaf("C1.1", 39.5, NULL), s_leaf("C1.2", 0.5, NULL))));
    return r;
}

/* The item at a path of names and array indexes, e.g. "parts.0.groups.0.criteria.0". */
static cJSON *s_at(cJSON *root, const char *path)
{
    char buf[200];
    snprintf(buf, sizeof buf, "%s", path);
    cJSON *cur = root;
    for (char *tok = strtok(buf, "."); tok && cur; tok = strtok(NULL, "."))
        cur = (*tok >= '0' && *tok <= '9') ? cJSON_GetArrayItem(cur, atoi(tok))
                                           : cJSON_GetObjectItemCaseSensitive(cur, tok);
    if (!cur)
        fail_msg("no item at %s", path);
    return cur;
}

static void s_set_number(cJSON *root, const char *path, const char *name, double v)
{
    cJSON *obj = s_at(root, path);
    cJSON_DeleteItemFromObjectCaseSensitive(obj, name);
    cJSON_AddNumberToObject(obj, name, v);
}

#define S_C11 "parts.0.groups.0.criteria.0"
#define S_C12 "parts.0.groups.0.criteria.1"
#define S_C21 "parts.1.groups.0.criteria.0"
#define S_C31 "parts.2.groups.0.criteria.0"

/* ---- broken files -------------------------------------------------------------------------- */

static void m_group_off_by_one(cJSON *r)
{
    s_set_number(r, "parts.0.groups.0", "max", 41);
}
static void m_part_off(cJSON *r)
{
    s_set_number(r, "parts.1", "max", 24);
}
static void m_option_above(cJSON *r)
{
    s_set_number(r, S_C11 ".options.2", "points", 21);
}
static void m_best_below_max(cJSON *r)
{
    s_set_number(r, S_C11 ".options.2", "points", 19);
}
static void m_two_markers(cJSON *r)
{
    cJSON *o = s_at(r, S_C11 ".options.1");
    cJSON_DeleteItemFromObjectCaseSensitive(o, "min_stars");
    int both[] = {3, 4};
    cJSON_AddItemToObject(o, "min_stars", cJSON_CreateIntArray(both, 2));
}
static void m_marker_two(cJSON *r)
{
    s_set_number(r, S_C11 ".options.1", "min_stars", 2);
}
/* Found by fuzz_rubric: a marker no int holds (its conversion was undefined behaviour). */
static void m_marker_huge(cJSON *r)
{
    s_set_number(r, S_C11 ".options.1", "min_stars", 4.7e103);
}
static void m_missing_option_id(cJSON *r)
{
    cJSON_DeleteItemFromObjectCaseSensitive(s_at(r, S_C11 ".options.0"), "id");
}
static void m_duplicate_option_id(cJSON *r)
{
    cJSON *o = s_at(r, S_C11 ".options.1");
    cJSON_DeleteItemFromObjectCaseSensitive(o, "id");
    cJSON_AddStringToObject(o, "id", "1");
}
static void m_markers_fall(cJSON *r)
{
    s_set_number(r, S_C11 ".options.1", "min_stars", 5);
    s_set_number(r, S_C11 ".options.2", "min_stars", 4);
}
static void m_points_fall(cJSON *r)
{
    s_set_number(r, S_C11 ".options.0", "points", 15);
}
static void m_sub_sum(cJSON *r)
{
    s_set_number(r, S_C12, "max", 19);
}
static void m_alternative_differs(cJSON *r)
{
    s_set_number(r, S_C31 ".alternatives.1", "max", 30);
    s_set_number(r, S_C31 ".alternatives.1.options.0", "points", 30);
}
static void m_mixed(cJSON *r)
{
    cJSON_DeleteItemFromObjectCaseSensitive(s_at(r, S_C21), "options");
}
static void m_duplicate_criterion(cJSON *r)
{
    cJSON *c = s_at(r, S_C21);
    cJSON_DeleteItemFromObjectCaseSensitive(c, "id");
    cJSON_AddStringToObject(c, "id", "1.1");
}
static void m_duplicate_knockout(cJSON *r)
{
    cJSON *k = s_at(r, S_C21 ".knockouts.0");
    cJSON_DeleteItemFromObjectCaseSensitive(k, "id");
    cJSON_AddStringToObject(k, "id", "K1");
}
static void m_unknown_instrument(cJSON *r)
{
    cJSON_DeleteItemFromObjectCaseSensitive(r, "instrument");
    cJSON_AddStringToObject(r, "instrument", "1489");
}
static void m_no_official(cJSON *r)
{
    cJSON_DeleteItemFromObjectCaseSensitive(r, "official");
}
static void m_bad_id(cJSON *r)
{
    cJSON *c = s_at(r, S_C11);
    cJSON_DeleteItemFromObjectCaseSensitive(c, "id");
    cJSON_AddStringToObject(c, "id", "1 1");
}
static void m_one_alternative(cJSON *r)
{
    cJSON_DeleteItemFromArray(s_at(r, S_C31 ".alternatives"), 1);
}

typedef struct {
    const char *label;
    void (*mutate)(cJSON *);
    const char *field;
    const char *reason;
} s_broken_t;

static const s_broken_t s_broken[] = {
    {"group total off by one", m_group_off_by_one,
     ": parts[0].groups[0].max: ", "group 1: max is 41 but its criteria sum to 40"},
    {"part total", m_part_off, ": parts[1].max: ", "24, but part B of 26-2026 totals 25"},
    {"option above its criterion", m_option_above, ": parts[0].groups[0].criteria[0].options[2].points: ",
     "criterion 1.1: option 3 gives 21, above the criterion's max 20"},
    {"best option below the max", m_best_below_max,
     ": parts[0].groups[0].criteria[0].max: ", "criterion 1.1: max is 20 but its best option gives 19"},
    {"two markers on one option", m_two_markers,
     ": parts[0].groups[0].criteria[0].options[1].min_stars: ", "one star marker per option"},
    {"a 2-star marker", m_marker_two, ".options[1].min_stars: ", "a whole number 3 to 5"},
    {"a marker no int holds", m_marker_huge, ".options[1].min_stars: ", "a whole number 3 to 5"},
    {"missing option id", m_missing_option_id, ": parts[0].groups[0].criteria[0].options[0].id: ", "is required"},
    {"duplicate option id", m_duplicate_option_id, ".criteria[0].options[1].id: ", "criterion 1.1 has two options 1"},
    {"markers falling", m_markers_fall, ".criteria[0].options[2].min_stars: ", "a 4-star minimum after a 5-star one"},
    {"points falling", m_points_fall, ": parts[0].groups[0].criteria[0].options[1].points: ",
     "criterion 1.1: option 2 gives 10, less than the option before it (15)"},
    {"sub-criteria do not add up", m_sub_sum,
     ": parts[0].groups[0].criteria[1].max: ", "criterion 1.2: max is 19 but its sub-criteria sum to 20"},
    {"alternatives differ", m_alternative_differs,
     ".criteria[0].alternatives[1].max: ", "alternative of criterion 3.1 totals 30, the criterion 35"},
    {"one alternative", m_one_alternative, ".criteria[0].alternatives: ", "at least two alternatives"},
    {"options and numbers mixed", m_mixed,
     ": parts[1].groups[0].criteria[0].options: ", "criterion 2.1 has no options while others have them"},
    {"duplicate criterion", m_duplicate_criterion,
     ": parts[1].groups[0].criteria[0].id: ", "criterion 1.1 is already defined"},
    {"duplicate knock-out", m_duplicate_knockout, ".criteria[0].knockouts[0].id: ", "knock-out K1 is already defined"},
    {"unknown instrument", m_unknown_instrument, ": instrument: ", "unknown instrument \"1489\""},
    {"no official flag", m_no_official, ": official: ", "is required"},
    {"id characters", m_bad_id, ": parts[0].groups[0].criteria[0].id: ", "\"1 1\""},
};

static void s_expect_error(const char *dir, const char *file, const char *field, const char *reason, const char *label)
{
    char err[512] = "";
    eval_rubrics_t *set = eval_rubrics_load(dir, err, sizeof err);
    if (set) {
        eval_rubrics_destroy(&set);
        fail_msg("%s: loaded, expected an error naming %s", label, field);
    }
    if (!strstr(err, file) || !strstr(err, field) || !strstr(err, reason))
        fail_msg("%s: error '%s' lacks the file %s, the field '%s' or the reason '%s'", label, err, file, field,
                 reason);
}

static void test_broken_files(void **state)
{
    unit_fixture_t *fx = *state;
    for (size_t i = 0; i < S_N(s_broken); i++) {
        char dir[UNIT_TMPDIR_LEN + 16];
        assert_int_equal(unit_fixture_case_dir(fx, dir, sizeof dir), 0);
        /* A valid neighbour sorted first shows a broken file is refused even after good ones. */
        cJSON *good = s_rubric_1048();
        s_write_json(dir, "rubric-1048-1.10.json", good);
        cJSON_Delete(good);
        cJSON *r = s_rubric();
        s_broken[i].mutate(r);
        s_write_json(dir, "rubric-26-2026-1.json", r);
        cJSON_Delete(r);
        s_expect_error(dir, "rubric-26-2026-1.json", s_broken[i].field, s_broken[i].reason, s_broken[i].label);
    }
}

static void test_duplicate_product_set(void **state)
{
    unit_fixture_t *fx = *state;
    char dir[UNIT_TMPDIR_LEN + 16];
    assert_int_equal(unit_fixture_case_dir(fx, dir, sizeof dir), 0);
    cJSON *r = s_rubric();
    s_write_json(dir, "rubric-26-2026-1.json", r);
    s_write_json(dir, "rubric-26-2026-1b.json", r);
    cJSON_Delete(r);
    s_expect_error(dir,
                   "rubric-26-2026-1b.json: product_set: ", "(26-2026, 1) is already defined by rubric-26-2026-1.json",
                   "", "duplicate product set");
}

static void test_unreadable(void **state)
{
    unit_fixture_t *fx = *state;
    char dir[UNIT_TMPDIR_LEN + 16];
    assert_int_equal(unit_fixture_case_dir(fx, dir, sizeof dir), 0);
    s_expect_error(dir, dir, ": no rubric-*.json", "", "empty directory");
    assert_int_equal(unit_write_file(dir, "rubric-148-1.json", "{\"instrument\": \"148\","), 0);
    s_expect_error(dir, "rubric-148-1.json", ": not valid JSON", "", "truncated JSON");
    assert_int_equal(unit_write_file(dir, "rubric-148-1.json", "[1, 2]"), 0);
    s_expect_error(dir, "rubric-148-1.json", ": expected a JSON object", "", "array at top level");
}

/* ---- valid files and sheets ---------------------------------------------------------------- */

static eval_rubrics_t *s_load_valid(unit_fixture_t *fx)
{
    char dir[UNIT_TMPDIR_LEN + 16], err[512] = "";
    assert_int_equal(unit_fixture_case_dir(fx, dir, sizeof dir), 0);
    cJSON *r = s_rubric();
    s_write_json(dir, "rubric-26-2026-1.json", r);
    cJSON_Delete(r);
    r = s_rubric_1048();
    s_write_json(dir, "rubric-1048-1.10.json", r);
    cJSON_Delete(r);
    assert_int_equal(unit_write_file(dir, "README.md", "not a rubric"), 0);
    eval_rubrics_t *set = eval_rubrics_load(dir, err, sizeof err);
    if (!set)
        fail_msg("valid rubrics refused: %s", err);
    return set;
}

static void test_valid(void **state)
{
    eval_rubrics_t *set = s_load_valid(*state);
    assert_int_equal(eval_rubrics_count(set), 2);
    const eval_rubric_t *r = eval_rubrics_find(set, "26-2026", "1");
    assert_non_null(r);
    assert_true(r->has_options && r->official);
    assert_true(r->max_score == 100);
    assert_int_equal(r->n_criteria, 6); /* 1.1, 1.2.1, 1.2.2, 2.1, 3.1a, 3.1b */
    assert_int_equal(r->n_alternatives, 1);
    assert_int_equal(r->n_knockouts, 2);
    assert_null(r->knockouts[0].criterion);
    assert_string_equal(r->knockouts[1].criterion, "2.1");
    const eval_criterion_t *c = eval_rubric_criterion(r, "1.1");
    assert_int_equal(c->requires[2], -1);
    assert_int_equal(c->requires[3], 1);
    assert_int_equal(c->requires[4], 1);
    assert_int_equal(c->requires[5], 2);
    assert_int_equal(eval_rubric_criterion(r, "1.2.2")->requires[4], 1);
    assert_int_equal(eval_rubric_criterion(r, "1.2.2")->requires[3], -1);
    assert_int_equal(eval_rubric_criterion(r, "3.1b")->alternative, 0);
    assert_int_equal(eval_rubric_criterion(r, "2.1")->alternative, -1);
    assert_int_equal(eval_criterion_option(c, "3"), 2);
    assert_int_equal(eval_criterion_option(c, "4"), -1);
    assert_null(eval_rubric_criterion(r, "1.2")); /* a heading is not scored */
    const eval_rubric_t *old = eval_rubrics_find(set, "1048", "1.10");
    assert_false(old->has_options || old->official);
    assert_int_equal(old->n_criteria, 4);
    eval_rubrics_destroy(&set);
    assert_null(set);
    eval_rubrics_destroy(&set); /* safe twice */
}

typedef struct {
    const char *label;
    eval_choice_t choices[8];
    size_t n_choices;
    const char *knockouts[3];
    size_t n_knockouts;
    int status;
    const char *message; /* for errors */
    double total;        /* for EVAL_SHEET_OK */
    int minimum_stars;
} s_sheet_case_t;

#define S_BEST                                                                                                         \
    {"1.1", "3", 0}, {"1.2.1", "2", 0}, {"1.2.2", "2", 0}, {"2.1", "2", 0},                                            \
    {                                                                                                                  \
        "3.1a", "2", 0                                                                                                 \
    }

static const s_sheet_case_t s_sheets[] = {
    {"every best option", {S_BEST}, 5, {0}, 0, EVAL_SHEET_OK, NULL, 100, 5},
    {"the other alternative, knock-out flagged",
     {{"1.1", "3", 0}, {"1.2.1", "2", 0}, {"1.2.2", "2", 0}, {"2.1", "2", 0}, {"3.1b", "1", 0}},
     5,
     {"K1", "2.1-K1"},
     2,
     EVAL_SHEET_OK,
     NULL,
     100,
     5},
    {"below the 5-star minimum",
     {{"1.1", "2", 0}, {"1.2.1", "2", 0}, {"1.2.2", "2", 0}, {"2.1", "2", 0}, {"3.1a", "2", 0}},
     5,
     {0},
     0,
     EVAL_SHEET_OK,
     NULL,
     90,
     4},
    {"below the 4-star minimum",
     {{"1.1", "3", 0}, {"1.2.1", "2", 0}, {"1.2.2", "1", 0}, {"2.1", "2", 0}, {"3.1a", "2", 0}},
     5,
     {0},
     0,
     EVAL_SHEET_OK,
     NULL,
     95,
     3},
    {"below the 3-star minimum",
     {{"1.1", "1", 0}, {"1.2.1", "1", 0}, {"1.2.2", "2", 0}, {"2.1", "1", 0}, {"3.1a", "1", 0}},
     5,
     {0},
     0,
     EVAL_SHEET_OK,
     NULL,
     10,
     2},
    {"a free number",
     {{"1.1", NULL, 20}, {"1.2.1", "2", 0}, {"1.2.2", "2", 0}, {"2.1", "2", 0}, {"3.1a", "2", 0}},
     5,
     {0},
     0,
     EVAL_SHEET_E_INVALID,
     "scores[criterion 1.1]: choose one of the criterion's options",
     0,
     0},
    {"a number beside an option",
     {{"1.1", "3", 20}, {"1.2.1", "2", 0}, {"1.2.2", "2", 0}, {"2.1", "2", 0}, {"3.1a", "2", 0}},
     5,
     {0},
     0,
     EVAL_SHEET_E_INVALID,
     "scores[criterion 1.1]: a number (20) given beside option 3",
     0,
     0},
    {"unknown option",
     {{"1.1", "4", 0}, {"1.2.1", "2", 0}, {"1.2.2", "2", 0}, {"2.1", "2", 0}, {"3.1a", "2", 0}},
     5,
     {0},
     0,
     EVAL_SHEET_E_UNKNOWN,
     "scores[criterion 1.1]: option 4 is not one of the criterion's options (1-3)",
     0,
     0},
    {"both alternatives",
     {S_BEST, {"3.1b", "1", 0}},
     6,
     {0},
     0,
     EVAL_SHEET_E_DUPLICATE,
     "scores[criterion 3.1]: score exactly one of its alternatives, not 2",
     0,
     0},
    {"no alternative",
     {{"1.1", "3", 0}, {"1.2.1", "2", 0}, {"1.2.2", "2", 0}, {"2.1", "2", 0}},
     4,
     {0},
     0,
     EVAL_SHEET_E_MISSING,
     "scores[criterion 3.1]: score exactly one of its alternatives, not 0",
     0,
     0},
    {"missing criterion",
     {{"1.1", "3", 0}, {"1.2.1", "2", 0}, {"2.1", "2", 0}, {"3.1a", "2", 0}},
     4,
     {0},
     0,
     EVAL_SHEET_E_MISSING,
     "scores[criterion 1.2.2]: missing",
     0,
     0},
    {"criterion twice",
     {S_BEST, {"2.1", "1", 0}},
     6,
     {0},
     0,
     EVAL_SHEET_E_DUPLICATE,
     "scores[criterion 2.1]: given twice",
     0,
     0},
    {"a heading scored",
     {S_BEST, {"1.2", "1", 0}},
     6,
     {0},
     0,
     EVAL_SHEET_E_UNKNOWN,
     "scores[criterion 1.2]: unknown criterion for 26/2026/QĐ-TTg product set 1",
     0,
     0},
    {"unknown knock-out",
     {S_BEST},
     5,
     {"K9"},
     1,
     EVAL_SHEET_E_UNKNOWN,
     "knockouts[0]: K9 is not a knock-out condition of 26/2026/QĐ-TTg product set 1",
     0,
     0},
    {"knock-out twice", {S_BEST}, 5, {"K1", "K1"}, 2, EVAL_SHEET_E_DUPLICATE, "knockouts[1]: K1 given twice", 0, 0},
};

static void test_sheets(void **state)
{
    eval_rubrics_t *set = s_load_valid(*state);
    const eval_rubric_t *r = eval_rubrics_find(set, "26-2026", "1");
    for (size_t i = 0; i < S_N(s_sheets); i++) {
        const s_sheet_case_t *c = &s_sheets[i];
        eval_sheet_t sheet = {c->choices, c->n_choices, c->knockouts, c->n_knockouts};
        eval_sheet_result_t res;
        char err[256] = "";
        int rc = eval_rubric_check_sheet(r, &sheet, &res, err, sizeof err);
        if (rc != c->status)
            fail_msg("%s: %s, expected %s (%s)", c->label, eval_sheet_status_name(rc),
                     eval_sheet_status_name(c->status), err);
        if (rc != EVAL_SHEET_OK) {
            if (!strstr(err, c->message))
                fail_msg("%s: message '%s' lacks '%s'", c->label, err, c->message);
            assert_true(res.total == 0);
            continue;
        }
        if (res.total != c->total || res.minimum_stars != c->minimum_stars)
            fail_msg("%s: total %g, minimum %d★; expected %g, %d★", c->label, res.total, res.minimum_stars, c->total,
                     c->minimum_stars);
    }
    eval_rubrics_destroy(&set);
}

static void test_free_numbers(void **state)
{
    eval_rubrics_t *set = s_load_valid(*state);
    const eval_rubric_t *r = eval_rubrics_find(set, "1048", "1.10");
    char err[256];
    eval_sheet_result_t res;
    eval_choice_t ok[] = {{"A1.1", NULL, 30.5}, {"B1.1", "", 25}, {"C1.1", NULL, 39.5}, {"C1.2", NULL, 0}};
    eval_sheet_t sheet = {ok, 4, NULL, 0};
    assert_int_equal(eval_rubric_check_sheet(r, &sheet, &res, err, sizeof err), EVAL_SHEET_OK);
    assert_true(res.total == 95 && res.parts[0] == 30.5 && res.parts[2] == 39.5);
    assert_int_equal(res.minimum_stars, 5); /* no minimums on a sheet without options */
    eval_choice_t over[] = {{"A1.1", NULL, 35.5}, {"B1.1", NULL, 25}, {"C1.1", NULL, 39.5}, {"C1.2", NULL, 0}};
    sheet.choices = over;
    assert_int_equal(eval_rubric_check_sheet(r, &sheet, &res, err, sizeof err), EVAL_SHEET_E_RANGE);
    assert_non_null(strstr(err, "scores[criterion A1.1]: 35.5 exceeds the maximum 35"));
    eval_choice_t nan[] = {{"A1.1", NULL, NAN}, {"B1.1", NULL, 25}, {"C1.1", NULL, 39.5}, {"C1.2", NULL, 0}};
    sheet.choices = nan;
    assert_int_equal(eval_rubric_check_sheet(r, &sheet, &res, err, sizeof err), EVAL_SHEET_E_RANGE);
    eval_choice_t negative[] = {{"A1.1", NULL, -1}, {"B1.1", NULL, 25}, {"C1.1", NULL, 39.5}, {"C1.2", NULL, 0}};
    sheet.choices = negative;
    assert_int_equal(eval_rubric_check_sheet(r, &sheet, &res, err, sizeof err), EVAL_SHEET_E_RANGE);
    eval_choice_t option[] = {{"A1.1", "1", 0}, {"B1.1", NULL, 25}, {"C1.1", NULL, 39.5}, {"C1.2", NULL, 0}};
    sheet.choices = option;
    assert_int_equal(eval_rubric_check_sheet(r, &sheet, &res, err, sizeof err), EVAL_SHEET_E_INVALID);
    assert_non_null(strstr(err, "has no options; give a number from 0 to 35"));
    eval_sheet_t broken = {NULL, 2, NULL, 0};
    assert_int_equal(eval_rubric_check_sheet(r, &broken, &res, err, sizeof err), EVAL_SHEET_E_INVALID);
    assert_string_equal(eval_sheet_status_name(EVAL_SHEET_E_RANGE), "EVAL_SHEET_E_RANGE");
    assert_string_equal(eval_sheet_status_name(-9), "EVAL_SHEET_E_UNKNOWN_STATUS");
    eval_rubrics_destroy(&set);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_valid, unit_fixture_setup, unit_fixture_teardown),
        cmocka_unit_test_setup_teardown(test_broken_files, unit_fixture_setup, unit_fixture_teardown),
        cmocka_unit_test_setup_teardown(test_duplicate_product_set, unit_fixture_setup, unit_fixture_teardown),
        cmocka_unit_test_setup_teardown(test_unreadable, unit_fixture_setup, unit_fixture_teardown),
        cmocka_unit_test_setup_teardown(test_sheets, unit_fixture_setup, unit_fixture_teardown),
        cmocka_unit_test_setup_teardown(test_free_numbers, unit_fixture_setup, unit_fixture_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
