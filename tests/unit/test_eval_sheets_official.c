/* Unit tests on the real score sheets (services/evaluation/data/rubrics): every sheet of
 * 1048, 148 and 26/2026 loads and adds up, one per product set of its catalogue; choosing the
 * best option of every criterion scores 100 on every sheet with options. On sheet 1 of 148 and
 * of 26/2026, with the council's finding (eval_finding, majority of the sheets): a product at
 * 85 points whose sheets miss one **** minimum is ranked 3★; at 95 missing one ***** minimum,
 * 4★; a minority missing changes nothing; a knock-out flagged by a majority gives no star
 * whatever the points; a free number is refused. A copy of the real sheet 1 of 26/2026 broken
 * the ways a typist would break it (a total off by one, an option above its criterion, two
 * markers on one option, a missing option id) is refused with the place named. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "eval_finding.h"
#include "eval_rubric.h"
#include "ocop_arena.h"
#include "unit_tmpdir.h"

#define S_MAXC 128

static struct {
    eval_rubrics_t *rubrics;
    ocop_arena_t *arena;
} W;

static int s_setup(void **state)
{
    (void)state;
    const char *src = getenv("OCOP_SOURCE_DIR");
    if (!src)
        return -1;
    char dir[1024], err[512] = "";
    snprintf(dir, sizeof dir, "%s/services/evaluation/data/rubrics", src);
    W.rubrics = eval_rubrics_load(dir, err, sizeof err);
    if (!W.rubrics)
        fprintf(stderr, "the real rubrics do not load: %s\n", err);
    W.arena = ocop_arena_new(1 << 16);
    return W.rubrics && W.arena ? 0 : -1;
}

static int s_teardown(void **state)
{
    (void)state;
    eval_rubrics_destroy(&W.rubrics);
    ocop_arena_destroy(&W.arena);
    return 0;
}

/* Product-set codes of the registration catalogue of version, read from its data file. */
static size_t s_catalogue_sets(const char *version, char codes[][EVAL_ID_LEN], size_t max)
{
    char path[1024], err[256] = "";
    snprintf(path, sizeof path, "%s/services/registration/data/catalogue-%s.json", getenv("OCOP_SOURCE_DIR"), version);
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

/* A member's choices: every criterion at its best option (first alternative of each set),
 * then down one option at a time to total, never below band's minimums; `below` held one
 * option under its `below_stars` minimum. Returns the total reached. */
static double s_choose(const eval_rubric_t *r, double total, int band, const char *below, int below_stars,
                       eval_choice_t *out, size_t *n)
{
    int at[S_MAXC];
    bool scored[S_MAXC];
    double sum = 0;
    assert_true(r->n_criteria <= S_MAXC);
    for (size_t k = 0; k < r->n_criteria; k++) {
        const eval_criterion_t *c = &r->criteria[k];
        scored[k] = c->alternative < 0 || k == 0 || r->criteria[k - 1].alternative != c->alternative;
        at[k] = (int)c->n_options - 1;
        if (below && strcmp(below, c->id) == 0)
        at[k] = c->requires[below_stars] - 1;
        if (scored[k])
            sum += c->options[at[k]].points;
    }
    for (bool stepped = true; stepped && sum > total;) {
        stepped = false;
        for (size_t k = 0; k < r->n_criteria && sum > total; k++) {
            const eval_criterion_t *c = &r->criteria[k];
            int floor_at = c->requires[band] > 0 ? c->requires[band] : 0;
            if (!scored[k] || (below && strcmp(below, c->id) == 0) || at[k] <= floor_at)
                continue;
            double drop = c->options[at[k]].points - c->options[at[k] - 1].points;
            if (sum - drop < total)
                continue;
            at[k]--;
            sum -= drop;
            stepped = true;
        }
    }
    *n = 0;
    for (size_t k = 0; k < r->n_criteria; k++)
        if (scored[k])
            out[(*n)++] = (eval_choice_t){r->criteria[k].id, r->criteria[k].options[at[k]].id, 0};
    return sum;
}

static void test_every_sheet_adds_up(void **state)
{
    (void)state;
    static const char *const instruments[] = {"1048", "148", "26-2026"};
    for (size_t k = 0; k < 3; k++) {
        char codes[64][EVAL_ID_LEN];
        size_t n = s_catalogue_sets(instruments[k], codes, 64);
        assert_int_equal(n, 26);
        assert_int_equal(eval_rubrics_count_instrument(W.rubrics, instruments[k]), 26);
        for (size_t i = 0; i < n; i++)
            if (!eval_rubrics_find(W.rubrics, instruments[k], codes[i]))
                fail_msg("no sheet for catalogue %s product set %s", instruments[k], codes[i]);
    }
    size_t markers = 0, knockouts = 0;
    for (size_t i = 0; i < eval_rubrics_count(W.rubrics); i++) {
        const eval_rubric_t *r = eval_rubrics_at(W.rubrics, i);
        bool is_1048 = strcmp(r->instrument, "1048") == 0;
        /* 1048's options are not known: free numbers, and not official. */
        assert_int_equal(r->has_options, !is_1048);
        assert_int_equal(r->official, !is_1048);
        assert_int_equal(r->self_assessment, !is_1048);
        if (is_1048)
            continue;
        eval_choice_t choices[S_MAXC];
        size_t n;
        s_choose(r, 100, 5, NULL, 0, choices, &n);
        eval_sheet_t sheet = {choices, n, NULL, 0};
        eval_sheet_result_t res;
        char err[256] = "";
        if (eval_rubric_check_sheet(r, &sheet, &res, err, sizeof err) != EVAL_SHEET_OK || res.total != 100 ||
            res.minimum_stars != 5)
            fail_msg("%s: every best option gives %g, minimum %d★ (%s)", r->source, res.total, res.minimum_stars, err);
        for (size_t c = 0; c < r->n_criteria; c++)
            for (size_t o = 0; o < r->criteria[c].n_options; o++)
                markers += r->criteria[c].options[o].min_stars > 0;
        knockouts += r->n_knockouts;
    }
    /* The sheets carry their markers and knock-outs (counts of the encoded files). */
    assert_true(markers > 1000);
    assert_true(knockouts > 80);
}

/* Three members' sheets for rubric r, total each, `missing` of them holding `below` under
 * its `stars` minimum, `knocking` of them flagging knockout. */
static Ocop__EvalSheet **s_sheets(const eval_rubric_t *r, double total, int band, const char *below, int stars,
                                  unsigned missing, const char *knockout, unsigned knocking)
{
    Ocop__EvalSheet **sheets = ocop_arena_alloc(W.arena, 3 * sizeof *sheets);
    for (unsigned m = 0; m < 3; m++) {
        eval_choice_t choices[S_MAXC];
        size_t n;
        double got = s_choose(r, total, band, m < missing ? below : NULL, stars, choices, &n);
        if (got != total)
            fail_msg("%s: cannot make a sheet of %g (reached %g)", r->source, total, got);
        const char *ko[] = {knockout};
        eval_sheet_t sheet = {choices, n, ko, m < knocking ? 1 : 0};
        eval_sheet_result_t res;
        char err[256] = "";
        if (eval_rubric_check_sheet(r, &sheet, &res, err, sizeof err) != EVAL_SHEET_OK)
            fail_msg("%s: %s", r->source, err);
        Ocop__EvalSheet *s = sheets[m] = ocop_arena_alloc(W.arena, sizeof *s);
        ocop__eval_sheet__init(s);
        s->total = res.total;
        s->scores = ocop_arena_alloc(W.arena, n * sizeof *s->scores);
        for (size_t i = 0; i < n; i++) {
            Ocop__EvalScore *sc = s->scores[s->n_scores++] = ocop_arena_alloc(W.arena, sizeof *sc);
            ocop__eval_score__init(sc);
            sc->id = (char *)choices[i].id;
            sc->option = (char *)choices[i].option;
        }
        if (m < knocking) {
            s->knockouts = ocop_arena_alloc(W.arena, sizeof *s->knockouts);
            s->knockouts[s->n_knockouts++] = (char *)knockout;
        }
    }
    return sheets;
}

/* The first criterion with an N★ minimum above its first option that can be missed while
 * meeting the lower ones. */
static const eval_criterion_t *s_minimum(const eval_rubric_t *r, int stars)
{
    for (size_t i = 0; i < r->n_criteria; i++) {
        const eval_criterion_t *c = &r->criteria[i];
        if (c->alternative < 0 && c->requires[stars] >= 1 && c->requires[stars] - 1 >= c->requires[stars - 1])
            return c;
    }
    fail_msg("%s has no %d-star minimum to miss", r->source, stars);
    return NULL;
}

static Ocop__EvalSessionProduct *s_find(const eval_rubric_t *r, Ocop__EvalSheet **sheets, int band, double mean)
{
    Ocop__EvalSessionProduct *sp = ocop_arena_alloc(W.arena, sizeof *sp);
    ocop__eval_session_product__init(sp);
    sp->mean = mean;
    eval_finding_compute(W.arena, r, sheets, 3, band, sp);
    return sp;
}

static void s_sheet_one(const char *instrument)
{
    const eval_rubric_t *r = eval_rubrics_find(W.rubrics, instrument, "1");
    assert_non_null(r);

    /* 85 points, one **** minimum missed by two of three: ranked 3★, the minimum named. */
    const eval_criterion_t *four = s_minimum(r, 4);
    Ocop__EvalSessionProduct *sp = s_find(r, s_sheets(r, 85, 4, four->id, 4, 2, NULL, 0), 4, 85);
    assert_int_equal(sp->minimum_stars, 3);
    assert_int_equal(sp->ranked_stars, 3);
    assert_int_equal(sp->n_minimums_missed, 1);
    assert_string_equal(sp->minimums_missed[0]->criterion_id, four->id);
    assert_int_equal(sp->minimums_missed[0]->stars, 4);
    assert_int_equal(sp->minimums_missed[0]->sheets_reaching, 1);
    assert_non_null(strstr(sp->why, four->id));
    /* Missed by one of three only: the majority reaches it, 4★. */
    sp = s_find(r, s_sheets(r, 85, 4, four->id, 4, 1, NULL, 0), 4, 85);
    assert_int_equal(sp->ranked_stars, 4);
    assert_int_equal(sp->n_minimums_missed, 0);

    /* 95 points, one ***** minimum missed by all: ranked 4★. */
    const eval_criterion_t *five = s_minimum(r, 5);
    sp = s_find(r, s_sheets(r, 95, 5, five->id, 5, 3, NULL, 0), 5, 95);
    assert_int_equal(sp->minimum_stars, 4);
    assert_int_equal(sp->ranked_stars, 4);
    assert_int_equal(sp->n_minimums_missed, 1);
    assert_string_equal(sp->minimums_missed[0]->criterion_id, five->id);
    assert_int_equal(sp->minimums_missed[0]->stars, 5);
    /* Every best option: 5★. */
    sp = s_find(r, s_sheets(r, 100, 5, NULL, 0, 0, NULL, 0), 5, 100);
    assert_int_equal(sp->ranked_stars, 5);

    /* A knock-out flagged by two of three: no star whatever the points; by one: nothing. */
    assert_true(r->n_knockouts > 0);
    const char *ko = r->knockouts[0].id;
    sp = s_find(r, s_sheets(r, 100, 5, NULL, 0, 0, ko, 2), 5, 100);
    assert_int_equal(sp->ranked_stars, 0);
    assert_int_equal(sp->n_knockouts, 1);
    assert_string_equal(sp->knockouts[0]->id, ko);
    assert_string_equal(sp->knockouts[0]->text, r->knockouts[0].text);
    assert_int_equal(sp->knockouts[0]->sheets_flagging, 2);
    sp = s_find(r, s_sheets(r, 100, 5, NULL, 0, 0, ko, 1), 5, 100);
    assert_int_equal(sp->ranked_stars, 5);
    assert_int_equal(sp->n_knockouts, 0);

    /* A free number is refused on a sheet with options. */
    eval_choice_t choices[S_MAXC];
    size_t n;
    s_choose(r, 100, 5, NULL, 0, choices, &n);
    choices[0].option = NULL;
    choices[0].score = r->criteria[0].max;
    eval_sheet_t sheet = {choices, n, NULL, 0};
    eval_sheet_result_t res;
    char err[256];
    assert_int_equal(eval_rubric_check_sheet(r, &sheet, &res, err, sizeof err), EVAL_SHEET_E_INVALID);
    assert_non_null(strstr(err, "scores by option, not by a number"));
}

static void test_sheet_one_148(void **state)
{
    (void)state;
    s_sheet_one("148");
}

static void test_sheet_one_26_2026(void **state)
{
    (void)state;
    const eval_rubric_t *r = eval_rubrics_find(W.rubrics, "26-2026", "1");
    /* The sheet as the decision prints it: 1.2's options 0/1/2, 1.5's **** and *****, its
     * sheet-level "Hồ sơ bị loại khi". */
    const eval_criterion_t *c = eval_rubric_criterion(r, "1.5");
    assert_non_null(c);
    assert_int_equal(c->n_options, 4);
    assert_int_equal(c->options[2].min_stars, 4);
    assert_int_equal(c->options[3].min_stars, 5);
    assert_int_equal(c->requires[4], 2);
    assert_non_null(strstr(r->knockouts[0].text, "Hồ sơ bị loại khi"));
    assert_null(r->knockouts[0].criterion);
    s_sheet_one("26-2026");
}

/* The tourism sheet: exactly one alternative of 8, 9 and 15 is scored. */
static void test_tourism_alternatives(void **state)
{
    (void)state;
    const eval_rubric_t *r = eval_rubrics_find(W.rubrics, "26-2026", "26");
    assert_int_equal(r->n_alternatives, 3);
    eval_choice_t choices[S_MAXC];
    size_t n;
    s_choose(r, 100, 5, NULL, 0, choices, &n);
    eval_sheet_t sheet = {choices, n, NULL, 0};
    eval_sheet_result_t res;
    char err[256];
    assert_int_equal(eval_rubric_check_sheet(r, &sheet, &res, err, sizeof err), EVAL_SHEET_OK);
    /* Scoring the second alternative of 8 as well is refused. */
    choices[n] = (eval_choice_t){"8b", "1", 0};
    sheet.n_choices = n + 1;
    assert_int_equal(eval_rubric_check_sheet(r, &sheet, &res, err, sizeof err), EVAL_SHEET_E_DUPLICATE);
    assert_non_null(strstr(err, "scores[criterion 8]: score exactly one of its alternatives, not 2"));
}

/* ---- the real sheet, broken ------------------------------------------------------------ */

static cJSON *s_real_sheet_one(void)
{
    char path[1024], err[256] = "";
    snprintf(path, sizeof path, "%s/services/evaluation/data/rubrics/rubric-26-2026-1.json", getenv("OCOP_SOURCE_DIR"));
    cJSON *root = ocop_rulefile_read(path, NULL, err, sizeof err);
    if (!root)
        fail_msg("%s", err);
    return root;
}

/* Group 1 (TỔ CHỨC SẢN XUẤT, 18) of part A, its criterion 1.5: options 0, 1, 2 (4-star minimum), 3 (5-star). */
static cJSON *s_c15(cJSON *root)
{
    cJSON *g = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(
                                      cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(root, "parts"), 0), "groups"),
                                  0);
    return cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(g, "criteria"), 4);
}

static void m_group_total(cJSON *root)
{
    cJSON *g = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(
                                      cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(root, "parts"), 0), "groups"),
                                  0);
    cJSON_ReplaceItemInObjectCaseSensitive(g, "max", cJSON_CreateNumber(19));
}
static void m_option_above(cJSON *root)
{
    cJSON *o = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(s_c15(root), "options"), 3);
    cJSON_ReplaceItemInObjectCaseSensitive(o, "points", cJSON_CreateNumber(4));
}
static void m_two_markers(cJSON *root)
{
    cJSON *o = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(s_c15(root), "options"), 2);
    int both[] = {4, 5};
    cJSON_ReplaceItemInObjectCaseSensitive(o, "min_stars", cJSON_CreateIntArray(both, 2));
}
static void m_no_option_id(cJSON *root)
{
    cJSON_DeleteItemFromObjectCaseSensitive(
        cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(s_c15(root), "options"), 1), "id");
}

static void test_real_sheet_broken(void **state)
{
    static const struct {
        void (*mutate)(cJSON *);
        const char *place, *reason;
    } cases[] = {
        {m_group_total, ": parts[0].groups[0].max: ", "group 1: max is 19 but its criteria sum to 18"},
        {m_option_above, ": parts[0].groups[0].criteria[4].options[3].points: ",
         "criterion 1.5: option 4 gives 4, above the criterion's max 3"},
        {m_two_markers, ": parts[0].groups[0].criteria[4].options[2].min_stars: ", "one star marker per option"},
        {m_no_option_id, ": parts[0].groups[0].criteria[4].options[1].id: ", "is required"},
    };
    unit_fixture_t *fx = *state;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char dir[UNIT_TMPDIR_LEN + 16], err[512] = "";
        assert_int_equal(unit_fixture_case_dir(fx, dir, sizeof dir), 0);
        cJSON *root = s_real_sheet_one();
        cases[i].mutate(root);
        char *text = cJSON_Print(root);
        assert_int_equal(unit_write_file(dir, "rubric-26-2026-1.json", text), 0);
        free(text);
        cJSON_Delete(root);
        eval_rubrics_t *set = eval_rubrics_load(dir, err, sizeof err);
        assert_null(set);
        if (!strstr(err, "rubric-26-2026-1.json") || !strstr(err, cases[i].place) || !strstr(err, cases[i].reason))
            fail_msg("case %zu: '%s' lacks '%s' or '%s'", i, err, cases[i].place, cases[i].reason);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_sheet_adds_up),
        cmocka_unit_test(test_sheet_one_148),
        cmocka_unit_test(test_sheet_one_26_2026),
        cmocka_unit_test(test_tourism_alternatives),
        cmocka_unit_test_setup_teardown(test_real_sheet_broken, unit_fixture_setup, unit_fixture_teardown),
    };
    return cmocka_run_group_tests(tests, s_setup, s_teardown);
}
