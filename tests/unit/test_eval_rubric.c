/* Unit tests for eval_rubric: valid rubric files load; every broken file is refused with a
 * message naming the file and the field; sheets are checked and totalled (bonus, cap,
 * mandatory failure); and the real rule directory loads with 26 rubrics per instrument. */
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

static void s_write_json(const char *dir, const char *name, const cJSON *json)
{
    char *text = cJSON_Print(json);
    assert_non_null(text);
    assert_int_equal(unit_write_file(dir, name, text), 0);
    free(text);
}

/* ---- fixtures ------------------------------------------------------------------------------ */

typedef struct {
    const char *id;
    double max;
} s_crit_t;

static cJSON *s_criteria(const s_crit_t *list, size_t n)
{
    cJSON *arr = cJSON_CreateArray();
    for (size_t i = 0; i < n; i++) {
        cJSON *c = cJSON_CreateObject();
        cJSON_AddStringToObject(c, "id", list[i].id);
        cJSON_AddStringToObject(c, "name", "Tiêu chí");
        if (list[i].max >= 0)
            cJSON_AddNumberToObject(c, "max", list[i].max);
        cJSON_AddItemToArray(arr, c);
    }
    return arr;
}

static cJSON *s_part(const char *code, double max, const s_crit_t *list, size_t n)
{
    cJSON *p = cJSON_CreateObject();
    cJSON_AddStringToObject(p, "code", code);
    cJSON_AddStringToObject(p, "name", "Phần");
    cJSON_AddNumberToObject(p, "max", max);
    cJSON_AddItemToObject(p, "criteria", s_criteria(list, n));
    return p;
}

#define S_N(a) (sizeof(a) / sizeof((a)[0]))

/* 148: A 40 = 10 + 9.5 + 0.5 + 20, B 25 = 12.5 + 12.5, C 35 = 20 + 15; M1, M2; X1 (1), X2 (2). */
static const s_crit_t s_148_a[] = {{"A1", 10}, {"A2", 9.5}, {"A3", 0.5}, {"A4", 20}};
static const s_crit_t s_148_b[] = {{"B1", 12.5}, {"B2", 12.5}};
static const s_crit_t s_148_c[] = {{"C1", 20}, {"C2", 15}};
static const s_crit_t s_148_m[] = {{"M1", -1}, {"M2", -1}};
static const s_crit_t s_148_x[] = {{"X1", 1}, {"X2", 2}};

/* 1048: A 35, B 25, C 40; no mandatory or bonus criteria. */
static const s_crit_t s_1048_a[] = {{"A1", 20}, {"A2", 15}};
static const s_crit_t s_1048_b[] = {{"B1", 25}};
static const s_crit_t s_1048_c[] = {{"C1", 20}, {"C2", 20}};

static cJSON *s_rubric(const char *instrument, const char *product_set)
{
    bool is148 = strcmp(instrument, "148") == 0;
    cJSON *r = cJSON_CreateObject();
    char version[32];
    snprintf(version, sizeof version, "%s/QĐ-TTg", instrument);
    cJSON_AddStringToObject(r, "instrument", instrument);
    cJSON_AddStringToObject(r, "version", version);
    cJSON_AddStringToObject(r, "catalogue_version", instrument);
    cJSON_AddStringToObject(r, "product_set", product_set);
    cJSON_AddStringToObject(r, "effective_from", is148 ? "2023-02-24" : "2019-08-21");
    cJSON_AddBoolToObject(r, "self_assessment", is148);
    cJSON *parts = cJSON_AddArrayToObject(r, "parts");
    if (is148) {
        cJSON_AddItemToArray(parts, s_part("A", 40, s_148_a, S_N(s_148_a)));
        cJSON_AddItemToArray(parts, s_part("B", 25, s_148_b, S_N(s_148_b)));
        cJSON_AddItemToArray(parts, s_part("C", 35, s_148_c, S_N(s_148_c)));
        cJSON_AddItemToObject(r, "mandatory", s_criteria(s_148_m, S_N(s_148_m)));
        cJSON_AddItemToObject(r, "bonus", s_criteria(s_148_x, S_N(s_148_x)));
    } else {
        cJSON_AddItemToArray(parts, s_part("A", 35, s_1048_a, S_N(s_1048_a)));
        cJSON_AddItemToArray(parts, s_part("B", 25, s_1048_b, S_N(s_1048_b)));
        cJSON_AddItemToArray(parts, s_part("C", 40, s_1048_c, S_N(s_1048_c)));
        cJSON_AddArrayToObject(r, "mandatory");
        cJSON_AddArrayToObject(r, "bonus");
    }
    cJSON_AddStringToObject(r, "notes", "test fixture");
    return r;
}

static cJSON *s_at(cJSON *root, const char *member, int i)
{
    cJSON *item = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(root, member), i);
    assert_non_null(item);
    return item;
}

static cJSON *s_criterion(cJSON *root, int part, int i)
{
    return s_at(s_at(root, "parts", part), "criteria", i);
}

static void s_set_number(cJSON *obj, const char *name, double v)
{
    cJSON_ReplaceItemInObjectCaseSensitive(obj, name, cJSON_CreateNumber(v));
}

static void s_set_string(cJSON *obj, const char *name, const char *v)
{
    cJSON_ReplaceItemInObjectCaseSensitive(obj, name, cJSON_CreateString(v));
}

/* ---- broken files -------------------------------------------------------------------------- */

static void m_part_total(cJSON *r)
{
    s_set_number(s_at(r, "parts", 0), "max", 35); /* 148 part A is 40 */
}
static void m_part_total_1048(cJSON *r)
{
    s_set_number(s_at(r, "parts", 2), "max", 35); /* 1048 part C is 40 */
}
static void m_sum(cJSON *r)
{
    s_set_number(s_criterion(r, 1, 0), "max", 10);
}
static void m_dup_in_parts(cJSON *r)
{
    s_set_string(s_criterion(r, 2, 1), "id", "A1");
}
static void m_dup_bonus(cJSON *r)
{
    s_set_string(s_at(r, "bonus", 1), "id", "M1");
}
static void m_negative(cJSON *r)
{
    s_set_number(s_criterion(r, 0, 3), "max", -1);
}
static void m_zero(cJSON *r)
{
    s_set_number(s_at(r, "bonus", 0), "max", 0);
}
static void m_third(cJSON *r)
{
    s_set_number(s_criterion(r, 0, 2), "max", 0.25);
}
static void m_no_version(cJSON *r)
{
    cJSON_DeleteItemFromObjectCaseSensitive(r, "version");
}
static void m_no_notes(cJSON *r)
{
    cJSON_DeleteItemFromObjectCaseSensitive(r, "notes");
}
static void m_no_name(cJSON *r)
{
    cJSON_DeleteItemFromObjectCaseSensitive(s_criterion(r, 1, 0), "name");
}
static void m_no_max(cJSON *r)
{
    cJSON_DeleteItemFromObjectCaseSensitive(s_criterion(r, 2, 1), "max");
}
static void m_no_mandatory(cJSON *r)
{
    cJSON_DeleteItemFromObjectCaseSensitive(r, "mandatory");
}
static void m_no_criteria(cJSON *r)
{
    cJSON_ReplaceItemInObjectCaseSensitive(s_at(r, "parts", 1), "criteria", cJSON_CreateArray());
}
static void m_bad_date(cJSON *r)
{
    s_set_string(r, "effective_from", "2023-02-30");
}
static void m_self_string(cJSON *r)
{
    s_set_string(r, "self_assessment", "yes");
}
static void m_order(cJSON *r)
{
    cJSON *parts = cJSON_GetObjectItemCaseSensitive(r, "parts");
    cJSON *a = cJSON_DetachItemFromArray(parts, 0);
    cJSON *b = cJSON_DetachItemFromArray(parts, 0);
    cJSON *c = cJSON_DetachItemFromArray(parts, 0);
    cJSON_AddItemToArray(parts, b); /* B, A, C */
    cJSON_AddItemToArray(parts, a);
    cJSON_AddItemToArray(parts, c);
}
static void m_two_parts(cJSON *r)
{
    cJSON_DeleteItemFromArray(cJSON_GetObjectItemCaseSensitive(r, "parts"), 2);
}
static void m_instrument(cJSON *r)
{
    s_set_string(r, "instrument", "999");
}
static void m_mandatory_1048(cJSON *r)
{
    cJSON_ReplaceItemInObjectCaseSensitive(r, "mandatory", s_criteria(s_148_m, S_N(s_148_m)));
}
static void m_bad_id(cJSON *r)
{
    s_set_string(s_criterion(r, 0, 1), "id", "A 2");
}
static void m_criterion_not_object(cJSON *r)
{
    cJSON_ReplaceItemInArray(cJSON_GetObjectItemCaseSensitive(s_at(r, "parts", 0), "criteria"), 0,
                             cJSON_CreateNumber(3));
}

typedef struct {
    const char *label;
    const char *instrument;
    void (*mutate)(cJSON *);
    const char *field;  /* expected in the message, after the file name */
    const char *reason; /* expected too */
} s_broken_t;

static const s_broken_t s_broken[] = {
    {"wrong part total", "148", m_part_total, ": parts[0].max: ", "part A of 148 totals 40"},
    {"wrong part total 1048", "1048", m_part_total_1048, ": parts[2].max: ", "part C of 1048 totals 40"},
    {"criteria sum", "148", m_sum, ": parts[1].criteria: ", "sum to 22.5"},
    {"duplicate id across parts", "148", m_dup_in_parts,
     ": parts[2].criteria[1].id: ", "already used at parts[0].criteria[0]"},
    {"duplicate id mandatory/bonus", "148", m_dup_bonus, ": bonus[1].id: ", "already used at mandatory[0]"},
    {"negative max", "148", m_negative, ": parts[0].criteria[3].max: ", "must be positive"},
    {"zero max", "148", m_zero, ": bonus[0].max: ", "must be positive"},
    {"quarter point", "148", m_third, ": parts[0].criteria[2].max: ", "half"},
    {"missing version", "148", m_no_version, ": version: ", "is required"},
    {"missing notes", "148", m_no_notes, ": notes: ", "is required"},
    {"missing criterion name", "148", m_no_name, ": parts[1].criteria[0].name: ", "is required"},
    {"missing criterion max", "148", m_no_max, ": parts[2].criteria[1].max: ", "is required"},
    {"missing mandatory", "148", m_no_mandatory, ": mandatory: ", "is required"},
    {"empty criteria", "148", m_no_criteria, ": parts[1].criteria: ", "must not be empty"},
    {"impossible date", "148", m_bad_date, ": effective_from: ", "2023-02-30"},
    {"self_assessment not bool", "148", m_self_string, ": self_assessment: ", "true or false"},
    {"part order", "148", m_order, ": parts[0].code: ", "expected \"A\""},
    {"two parts", "148", m_two_parts, ": parts: ", "exactly 3 parts"},
    {"unknown instrument", "148", m_instrument, ": instrument: ", "unknown instrument \"999\""},
    {"mandatory under 1048", "1048", m_mandatory_1048, ": mandatory: ", "expected []"},
    {"id characters", "148", m_bad_id, ": parts[0].criteria[1].id: ", "\"A 2\""},
    {"criterion not an object", "148", m_criterion_not_object, ": parts[0].criteria[0]: ", "expected an object"},
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
        const s_broken_t *c = &s_broken[i];
        char dir[UNIT_TMPDIR_LEN + 16], name[64];
        assert_int_equal(unit_fixture_case_dir(fx, dir, sizeof dir), 0);
        cJSON *r = s_rubric(c->instrument, "9");
        c->mutate(r);
        snprintf(name, sizeof name, "rubric-%s-9.json", c->instrument);
        /* A valid neighbour sorted first shows a broken file is refused even after good ones. */
        cJSON *good = s_rubric("1048", "1.1");
        s_write_json(dir, "rubric-1048-1.1.json", good);
        cJSON_Delete(good);
        s_write_json(dir, name, r);
        cJSON_Delete(r);
        s_expect_error(dir, name, c->field, c->reason, c->label);
    }
}

static void test_duplicate_product_set(void **state)
{
    unit_fixture_t *fx = *state;
    char dir[UNIT_TMPDIR_LEN + 16];
    assert_int_equal(unit_fixture_case_dir(fx, dir, sizeof dir), 0);
    cJSON *r = s_rubric("148", "9");
    s_write_json(dir, "rubric-148-9.json", r);
    s_write_json(dir, "rubric-148-9b.json", r);
    cJSON_Delete(r);
    /* The second file in name order is the one refused, and the message names the first. */
    s_expect_error(dir, "rubric-148-9b.json: product_set: ", "(148, 9) is already defined by rubric-148-9.json", "",
                   "duplicate product set");
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
    char missing[UNIT_TMPDIR_LEN + 32];
    snprintf(missing, sizeof missing, "%s/none", fx->dir);
    s_expect_error(missing, missing, ": cannot read", "", "missing directory");
}

/* ---- valid files --------------------------------------------------------------------------- */

static eval_rubrics_t *s_load_valid(unit_fixture_t *fx)
{
    char dir[UNIT_TMPDIR_LEN + 16], err[512] = "";
    assert_int_equal(unit_fixture_case_dir(fx, dir, sizeof dir), 0);
    cJSON *r = s_rubric("148", "9");
    s_write_json(dir, "rubric-148-9.json", r);
    cJSON_Delete(r);
    r = s_rubric("1048", "1.10");
    s_write_json(dir, "rubric-1048-1.10.json", r);
    cJSON_Delete(r);
    assert_int_equal(unit_write_file(dir, "README.md", "not a rubric"), 0);
    assert_int_equal(unit_write_file(dir, "other-148-1.json", "not a rubric either"), 0);
    eval_rubrics_t *set = eval_rubrics_load(dir, err, sizeof err);
    if (!set)
        fail_msg("valid rubrics refused: %s", err);
    return set;
}

static void test_valid(void **state)
{
    eval_rubrics_t *set = s_load_valid(*state);
    assert_int_equal(eval_rubrics_count(set), 2);
    assert_int_equal(eval_rubrics_count_instrument(set, "148"), 1);
    assert_int_equal(eval_rubrics_count_instrument(set, "1048"), 1);
    assert_int_equal(eval_rubrics_count_instrument(set, "1489"), 0);
    assert_string_equal(eval_rubrics_at(set, 0)->source, "rubric-1048-1.10.json");
    assert_null(eval_rubrics_at(set, 2));

    const eval_rubric_t *r = eval_rubrics_find(set, "148", "9");
    assert_non_null(r);
    assert_null(eval_rubrics_find(set, "1048", "9"));
    assert_null(eval_rubrics_find(set, "148", "1.10"));
    assert_string_equal(r->version, "148/QĐ-TTg");
    assert_string_equal(r->catalogue_version, "148");
    assert_string_equal(r->effective_from, "2023-02-24");
    assert_true(r->self_assessment);
    assert_string_equal(r->source, "rubric-148-9.json");
    assert_int_equal(strlen(r->digest), 64);
    assert_true(r->max_score == 100);
    assert_string_equal(r->parts[0].code, "A");
    assert_string_equal(r->parts[2].code, "C");
    assert_true(r->parts[0].max == 40 && r->parts[1].max == 25 && r->parts[2].max == 35);
    assert_int_equal(eval_rubric_scored_count(r), 8);
    assert_int_equal(eval_rubric_criteria_count(r), 12);
    assert_int_equal(r->n_mandatory, 2);
    assert_int_equal(r->n_bonus, 2);

    const eval_criterion_t *c = eval_rubric_criterion(r, "A3");
    assert_non_null(c);
    assert_int_equal(c->kind, EVAL_CRITERION_SCORED);
    assert_int_equal(c->part, 0);
    assert_true(c->max == 0.5);
    c = eval_rubric_criterion(r, "C2");
    assert_int_equal(c->part, 2);
    assert_int_equal(eval_rubric_criterion(r, "M2")->kind, EVAL_CRITERION_MANDATORY);
    assert_int_equal(eval_rubric_criterion(r, "X2")->kind, EVAL_CRITERION_BONUS);
    assert_true(eval_rubric_criterion(r, "X2")->max == 2);
    assert_null(eval_rubric_criterion(r, "Z9"));
    assert_null(eval_rubric_criterion(r, NULL));

    const eval_rubric_t *old = eval_rubrics_find(set, "1048", "1.10");
    assert_non_null(old);
    assert_false(old->self_assessment);
    assert_true(old->parts[0].max == 35 && old->parts[2].max == 40);
    assert_int_equal(old->n_mandatory + old->n_bonus, 0);

    eval_rubrics_destroy(&set);
    assert_null(set);
    eval_rubrics_destroy(&set); /* safe twice */
}

/* ---- sheets -------------------------------------------------------------------------------- */

#define S_FULL                                                                                                         \
    {"A1", 10}, {"A2", 9.5}, {"A3", 0.5}, {"A4", 20}, {"B1", 12.5}, {"B2", 12.5}, {"C1", 20},                          \
    {                                                                                                                  \
        "C2", 15                                                                                                       \
    }
#define S_PASS                                                                                                         \
    {"M1", true},                                                                                                      \
    {                                                                                                                  \
        "M2", true                                                                                                     \
    }

typedef struct {
    const char *label;
    eval_score_t scores[10];
    size_t n_scores;
    eval_check_t mandatory[3];
    size_t n_mandatory;
    eval_bonus_points_t bonus[3];
    size_t n_bonus;
    int status;
    const char *message;      /* expected in err, for errors */
    eval_sheet_result_t want; /* for EVAL_SHEET_OK */
} s_sheet_case_t;

/* Designated initializers: a case names only what it is about. */
#define S_ALL .scores = {S_FULL}, .n_scores = 8
#define S_OK_M .mandatory = {S_PASS}, .n_mandatory = 2

static const s_sheet_case_t s_sheets[] = {
    {.label = "valid",
     .scores = {{"A1", 7}, {"A2", 5.5}, {"A3", 0}, {"A4", 12}, {"B1", 10}, {"B2", 3}, {"C1", 18}, {"C2", 9.5}},
     .n_scores = 8,
     S_OK_M,
     .bonus = {{"X1", 1}},
     .n_bonus = 1,
     .want = {.parts = {24.5, 13, 27.5}, .bonus = 1, .raw_total = 66, .total = 66}},
    {.label = "full marks, in another order",
     .scores = {{"C2", 15}, {"B1", 12.5}, {"A1", 10}, {"A2", 9.5}, {"A3", 0.5}, {"A4", 20}, {"B2", 12.5}, {"C1", 20}},
     .n_scores = 8,
     .mandatory = {{"M2", true}, {"M1", true}},
     .n_mandatory = 2,
     .want = {.parts = {40, 25, 35}, .raw_total = 100, .total = 100}},
    {.label = "bonus over 100 is capped",
     .scores = {{"A1", 10}, {"A2", 9.5}, {"A3", 0.5}, {"A4", 20}, {"B1", 12.5}, {"B2", 12.5}, {"C1", 20}, {"C2", 13}},
     .n_scores = 8,
     S_OK_M,
     .bonus = {{"X1", 1}, {"X2", 2}},
     .n_bonus = 2,
     .want = {.parts = {40, 25, 33}, .bonus = 3, .raw_total = 101, .total = 100, .capped = true}},
    {.label = "mandatory failed",
     S_ALL,
     .mandatory = {{"M1", true}, {"M2", false}},
     .n_mandatory = 2,
     .want = {.parts = {40, 25, 35}, .raw_total = 100, .total = 100, .mandatory_failed = true, .first_failed = "M2"}},
    {.label = "above max",
     .scores = {{"A1", 10}, {"A2", 9.5}, {"A3", 1}},
     .n_scores = 3,
     S_OK_M,
     .status = EVAL_SHEET_E_RANGE,
     .message = "scores[criterion A3]: 1 exceeds the maximum 0.5"},
    {.label = "negative",
     .scores = {{"A1", -1}},
     .n_scores = 1,
     S_OK_M,
     .status = EVAL_SHEET_E_RANGE,
     .message = "scores[criterion A1]: -1 is negative"},
    {.label = "not a number",
     .scores = {{"B2", NAN}},
     .n_scores = 1,
     S_OK_M,
     .status = EVAL_SHEET_E_RANGE,
     .message = "scores[criterion B2]: not a finite number"},
    {.label = "missing criterion",
     .scores = {{"A1", 1}, {"A2", 1}, {"A3", 0}, {"A4", 1}, {"B1", 1}, {"C1", 1}, {"C2", 1}},
     .n_scores = 7,
     S_OK_M,
     .status = EVAL_SHEET_E_MISSING,
     .message = "scores[criterion B2]: missing"},
    {.label = "unknown criterion",
     .scores = {S_FULL, {"Z9", 1}},
     .n_scores = 9,
     S_OK_M,
     .status = EVAL_SHEET_E_UNKNOWN,
     .message = "scores[criterion Z9]: unknown criterion for 148/QĐ-TTg product set 9"},
    {.label = "mandatory scored as points",
     .scores = {{"M1", 1}},
     .n_scores = 1,
     S_OK_M,
     .status = EVAL_SHEET_E_UNKNOWN,
     .message = "scores[criterion M1]: M1 is a mandatory criterion, not a scored one"},
    {.label = "duplicate criterion",
     .scores = {S_FULL, {"A2", 1}},
     .n_scores = 9,
     S_OK_M,
     .status = EVAL_SHEET_E_DUPLICATE,
     .message = "scores[criterion A2]: given twice"},
    {.label = "missing mandatory",
     S_ALL,
     .mandatory = {{"M1", true}},
     .n_mandatory = 1,
     .status = EVAL_SHEET_E_MISSING,
     .message = "mandatory[criterion M2]: missing"},
    {.label = "duplicate mandatory",
     S_ALL,
     .mandatory = {{"M1", true}, {"M1", false}},
     .n_mandatory = 2,
     .status = EVAL_SHEET_E_DUPLICATE,
     .message = "mandatory[criterion M1]: given twice"},
    {.label = "scored id as mandatory",
     S_ALL,
     .mandatory = {{"A1", true}},
     .n_mandatory = 1,
     .status = EVAL_SHEET_E_UNKNOWN,
     .message = "mandatory[criterion A1]: A1 is a scored criterion, not a mandatory one"},
    {.label = "bonus above max",
     S_ALL,
     S_OK_M,
     .bonus = {{"X2", 2.5}},
     .n_bonus = 1,
     .status = EVAL_SHEET_E_RANGE,
     .message = "bonus[criterion X2]: 2.5 exceeds the maximum 2"},
    {.label = "bonus twice",
     S_ALL,
     S_OK_M,
     .bonus = {{"X1", 1}, {"X1", 1}},
     .n_bonus = 2,
     .status = EVAL_SHEET_E_DUPLICATE,
     .message = "bonus[criterion X1]: given twice"},
    {.label = "unknown bonus",
     S_ALL,
     S_OK_M,
     .bonus = {{"X7", 1}},
     .n_bonus = 1,
     .status = EVAL_SHEET_E_UNKNOWN,
     .message = "bonus[criterion X7]: unknown criterion"},
    {.label = "no id",
     .scores = {{NULL, 1}},
     .n_scores = 1,
     S_OK_M,
     .status = EVAL_SHEET_E_INVALID,
     .message = "scores[0]: id is required"},
};

static void test_sheets(void **state)
{
    eval_rubrics_t *set = s_load_valid(*state);
    const eval_rubric_t *r = eval_rubrics_find(set, "148", "9");
    for (size_t i = 0; i < S_N(s_sheets); i++) {
        const s_sheet_case_t *c = &s_sheets[i];
        eval_sheet_t sheet = {c->scores, c->n_scores, c->mandatory, c->n_mandatory, c->bonus, c->n_bonus};
        eval_sheet_result_t res;
        char err[256] = "";
        int rc = eval_rubric_check_sheet(r, &sheet, &res, err, sizeof err);
        if (rc != c->status)
            fail_msg("%s: status %s, expected %s (%s)", c->label, eval_sheet_status_name(rc),
                     eval_sheet_status_name(c->status), err);
        if (rc != EVAL_SHEET_OK) {
            if (strcmp(err, c->message) != 0 && !strstr(err, c->message))
                fail_msg("%s: message '%s', expected '%s'", c->label, err, c->message);
            assert_true(res.total == 0 && !res.mandatory_failed);
            continue;
        }
        const eval_sheet_result_t *w = &c->want;
        for (int p = 0; p < 3; p++)
            if (res.parts[p] != w->parts[p])
                fail_msg("%s: part %d = %g, expected %g", c->label, p, res.parts[p], w->parts[p]);
        if (res.bonus != w->bonus || res.raw_total != w->raw_total || res.total != w->total ||
            res.capped != w->capped || res.mandatory_failed != w->mandatory_failed ||
            strcmp(res.first_failed, w->first_failed) != 0)
            fail_msg("%s: bonus %g raw %g total %g capped %d failed %d '%s'", c->label, res.bonus, res.raw_total,
                     res.total, res.capped, res.mandatory_failed, res.first_failed);
    }
    eval_rubrics_destroy(&set);
}

static void test_sheet_misuse(void **state)
{
    eval_rubrics_t *set = s_load_valid(*state);
    const eval_rubric_t *r = eval_rubrics_find(set, "1048", "1.10");
    eval_sheet_result_t res;
    char err[256] = "";
    eval_sheet_t counts_without_array = {NULL, 3, NULL, 0, NULL, 0};
    assert_int_equal(eval_rubric_check_sheet(r, &counts_without_array, &res, err, sizeof err), EVAL_SHEET_E_INVALID);
    /* 1048 has no mandatory criteria: an empty list is complete, a listed one is unknown. */
    eval_score_t scores[] = {{"A1", 20}, {"A2", 15}, {"B1", 20}, {"C1", 10}, {"C2", 5}};
    eval_sheet_t ok = {scores, 5, NULL, 0, NULL, 0};
    assert_int_equal(eval_rubric_check_sheet(r, &ok, &res, err, sizeof err), EVAL_SHEET_OK);
    assert_true(res.total == 70 && res.parts[0] == 35 && res.parts[1] == 20 && res.parts[2] == 15);
    eval_check_t m[] = {{"M1", true}};
    eval_sheet_t extra = {scores, 5, m, 1, NULL, 0};
    assert_int_equal(eval_rubric_check_sheet(r, &extra, &res, err, sizeof err), EVAL_SHEET_E_UNKNOWN);
    assert_non_null(strstr(err, "mandatory[criterion M1]: unknown criterion for 1048/QĐ-TTg product set 1.10"));
    assert_string_equal(eval_sheet_status_name(EVAL_SHEET_E_RANGE), "EVAL_SHEET_E_RANGE");
    assert_string_equal(eval_sheet_status_name(EVAL_SHEET_OK), "EVAL_SHEET_OK");
    assert_string_equal(eval_sheet_status_name(-99), "EVAL_SHEET_E_UNKNOWN_STATUS");
    assert_string_equal(eval_sheet_status_name(3), "EVAL_SHEET_E_UNKNOWN_STATUS");
    eval_rubrics_destroy(&set);
}

/* ---- the real rule files ------------------------------------------------------------------- */

/* Product-set codes of the registration catalogue of version, read straight from its data
 * file: every set the catalogue lists must have a rubric. */
static size_t s_catalogue_sets(const char *src, const char *version, char codes[][EVAL_ID_LEN], size_t max)
{
    char path[1024], err[256] = "";
    snprintf(path, sizeof path, "%s/services/registration/data/catalogue-%s.json", src, version);
    cJSON *root = ocop_rulefile_read(path, NULL, err, sizeof err);
    if (!root)
        fail_msg("%s", err);
    size_t n = 0;
    const cJSON *sector, *set;
    cJSON_ArrayForEach (sector, cJSON_GetObjectItemCaseSensitive(root, "sectors"))
        cJSON_ArrayForEach (set, cJSON_GetObjectItemCaseSensitive(sector, "product_sets"))
            if (n < max)
                snprintf(codes[n++], EVAL_ID_LEN, "%s", cJSON_GetObjectItemCaseSensitive(set, "code")->valuestring);
    cJSON_Delete(root);
    return n;
}

static void test_real_rubrics(void **state)
{
    const char *src = getenv("OCOP_SOURCE_DIR");
    if (!src)
        fail_msg("OCOP_SOURCE_DIR is not set (ctest sets it)");
    char dir[1024], err[512] = "";
    snprintf(dir, sizeof dir, "%s/services/evaluation/data/rubrics", src);
    eval_rubrics_t *set = eval_rubrics_load(dir, err, sizeof err);
    if (!set)
        fail_msg("the real rubrics do not load: %s", err);
    assert_int_equal(eval_rubrics_count_instrument(set, "1048"), 26);
    assert_int_equal(eval_rubrics_count_instrument(set, "148"), 26);
    assert_int_equal(eval_rubrics_count(set), 52);

    static const char *const instruments[] = {"1048", "148"};
    for (size_t k = 0; k < 2; k++) {
        char codes[64][EVAL_ID_LEN];
        size_t n = s_catalogue_sets(src, instruments[k], codes, 64);
        assert_int_equal(n, 26);
        for (size_t i = 0; i < n; i++)
            if (!eval_rubrics_find(set, instruments[k], codes[i]))
                fail_msg("no rubric for catalogue %s product set %s", instruments[k], codes[i]);
    }

    /* Full marks on every rubric total exactly 100 (bonus left out), through the sheet check. */
    for (size_t i = 0; i < eval_rubrics_count(set); i++) {
        const eval_rubric_t *r = eval_rubrics_at(set, i);
        eval_score_t scores[128];
        eval_check_t checks[32];
        size_t n = 0;
        for (size_t p = 0; p < EVAL_RUBRIC_PARTS; p++)
            for (size_t j = 0; j < r->parts[p].n_criteria && n < 128; j++)
                scores[n++] = (eval_score_t){r->parts[p].criteria[j].id, r->parts[p].criteria[j].max};
        assert_true(r->n_mandatory <= 32);
        for (size_t j = 0; j < r->n_mandatory; j++)
            checks[j] = (eval_check_t){r->mandatory[j].id, true};
        eval_sheet_t sheet = {scores, n, checks, r->n_mandatory, NULL, 0};
        eval_sheet_result_t res;
        if (eval_rubric_check_sheet(r, &sheet, &res, err, sizeof err) != EVAL_SHEET_OK || res.total != 100)
            fail_msg("%s: full marks give %g (%s)", r->source, res.total, err);
        assert_int_equal(r->self_assessment, strcmp(r->instrument, "148") == 0);
        assert_int_equal(r->n_mandatory > 0, strcmp(r->instrument, "148") == 0);
    }
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
        cmocka_unit_test_setup_teardown(test_sheet_misuse, unit_fixture_setup, unit_fixture_teardown),
        cmocka_unit_test(test_real_rubrics),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
