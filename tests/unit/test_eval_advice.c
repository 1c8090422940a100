/* Unit tests of eval_advice on the real sheets (services/evaluation/data): sheet 1 of
 * 26/2026/QĐ-TTg at 85 points missing one **** minimum is ranked 3★ and the advice raises
 * exactly that criterion to the option the minimum names; at 68 with every **** minimum met, the
 * fewest raises that reach 70, each as low as it can be; at 99 missing one ***** minimum, that
 * criterion; at 100, nothing; knocked out, nothing. Every advice is checked against the rule
 * computed here independently: it reaches the next star, changes the fewest criteria (those
 * below a minimum, plus the fewest whose gains reach the band), and no raised-for-points option
 * could be one lower. The same holds on the tourism sheet with alternatives and far below 3★.
 * A bad sheet gets the checker's error; a free-number sheet has nothing to advise. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "eval_advice.h"

#define S_MAXC 128

static struct {
    eval_rubrics_t *rubrics;
    eval_bands_t *bands;
} W;

static int s_setup(void **state)
{
    (void)state;
    const char *src = getenv("OCOP_SOURCE_DIR");
    if (!src)
        return -1;
    char path[1024], err[512] = "";
    snprintf(path, sizeof path, "%s/services/evaluation/data/rubrics", src);
    if (!(W.rubrics = eval_rubrics_load(path, err, sizeof err)))
        fprintf(stderr, "rubrics: %s\n", err);
    snprintf(path, sizeof path, "%s/services/evaluation/data/stars.json", src);
    if (!(W.bands = eval_bands_load(path, err, sizeof err)))
        fprintf(stderr, "bands: %s\n", err);
    return W.rubrics && W.bands ? 0 : -1;
}

static int s_teardown(void **state)
{
    (void)state;
    eval_rubrics_destroy(&W.rubrics);
    eval_bands_destroy(&W.bands);
    return 0;
}

/* A sheet by option index per criterion; -1 = not scored (another alternative of its set). */
typedef struct {
    const eval_rubric_t *r;
    int at[S_MAXC];
    eval_choice_t choices[S_MAXC];
    const char *knockouts[1];
    eval_sheet_t sheet;
} s_sheet_t;

static double s_points(const eval_rubric_t *r, size_t k, int at)
{
    return r->criteria[k].options[at].points;
}

static double s_sum(const s_sheet_t *s)
{
    double sum = 0;
    for (size_t k = 0; k < s->r->n_criteria; k++)
        if (s->at[k] >= 0)
            sum += s_points(s->r, k, s->at[k]);
    return sum;
}

/* Every criterion at its best option (the first alternative of each set), `hold` at option
 * index hold_at; then down one option at a time, never below the minimums of floor_stars, until
 * the sum is total. */
static void s_make(s_sheet_t *s, const eval_rubric_t *r, double total, int floor_stars, const char *hold, int hold_at)
{
    memset(s, 0, sizeof *s);
    s->r = r;
    assert_true(r->n_criteria <= S_MAXC);
    for (size_t k = 0; k < r->n_criteria; k++) {
        const eval_criterion_t *c = &r->criteria[k];
        bool first = c->alternative < 0 || k == 0 || r->criteria[k - 1].alternative != c->alternative;
        s->at[k] = !first ? -1 : hold && strcmp(hold, c->id) == 0 ? hold_at : (int)c->n_options - 1;
    }
    double sum = s_sum(s);
    for (bool stepped = true; stepped && sum > total;) {
        stepped = false;
        for (size_t k = 0; k < r->n_criteria && sum > total; k++) {
            int floor_at = r->criteria[k].requires[floor_stars] > 0 ? r->criteria[k].requires[floor_stars] : 0;
            if (s->at[k] <= floor_at || (hold && strcmp(hold, r->criteria[k].id) == 0))
                continue;
            double drop = s_points(r, k, s->at[k]) - s_points(r, k, s->at[k] - 1);
            if (sum - drop < total)
                continue;
            s->at[k]--;
            sum -= drop;
            stepped = true;
        }
    }
    if (sum != total)
        fail_msg("%s: cannot make a sheet of %g (reached %g)", r->source, total, sum);
}

static const eval_sheet_t *s_sheet(s_sheet_t *s, const char *knockout)
{
    size_t n = 0;
    for (size_t k = 0; k < s->r->n_criteria; k++)
        if (s->at[k] >= 0)
            s->choices[n++] = (eval_choice_t){s->r->criteria[k].id, s->r->criteria[k].options[s->at[k]].id, 0};
    s->knockouts[0] = knockout;
    s->sheet = (eval_sheet_t){s->choices, n, s->knockouts, knockout ? 1 : 0};
    return &s->sheet;
}

static void s_advise(s_sheet_t *s, const char *knockout, eval_advice_item_t *items, eval_advice_t *out)
{
    char err[256] = "";
    if (eval_advice_compute(s->r, W.bands, s_sheet(s, knockout), items, S_MAXC, out, err, sizeof err) != EVAL_SHEET_OK)
        fail_msg("%s: %s", s->r->source, err);
}

static int s_desc(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x < y) - (x > y);
}

/* The advice against the rule, computed here from the sheet: it reaches the next star, changes
 * the criteria below a minimum of it plus the fewest others whose gains reach the band, names
 * only scored criteria, and no "points" raise could stop one option lower. */
static void s_check_rule(const s_sheet_t *s, const eval_advice_t *adv)
{
    const eval_rubric_t *r = s->r;
    int next = adv->next_stars;
    assert_true(next >= 2 && next <= 5);
    double total = s_sum(s), free_gain = 0, gains[S_MAXC];
    size_t below = 0, n_gains = 0;
    for (size_t k = 0; k < r->n_criteria; k++) {
        const eval_criterion_t *c = &r->criteria[k];
        if (s->at[k] < 0)
            continue;
        double best = s_points(r, k, (int)c->n_options - 1);
        int need_at = c->requires[next];
        if (need_at > s->at[k]) {
            below++;
            total += s_points(r, k, c->requires[next]) - s_points(r, k, s->at[k]);
            free_gain += best - s_points(r, k, c->requires[next]);
        } else {
            gains[n_gains++] = best - s_points(r, k, s->at[k]);
        }
    }
    double need = eval_bands_min_for(W.bands, next) - total - free_gain;
    qsort(gains, n_gains, sizeof gains[0], s_desc);
    size_t fewest = 0;
    for (double got = 0; need > 0 && got < need && fewest < n_gains; fewest++)
        got += gains[fewest];
    assert_int_equal(adv->n_items, below + fewest);

    /* Applied to the sheet, the advice gives the next star. */
    s_sheet_t after = *s;
    for (size_t i = 0; i < adv->n_items; i++) {
        const eval_advice_item_t *it = &adv->items[i];
        size_t k = it->criterion->index;
        assert_int_equal(s->at[k], it->from);
        assert_true(it->to > it->from);
        assert_true(it->points_gained == s_points(r, k, it->to) - s_points(r, k, it->from));
        after.at[k] = it->to;
    }
    eval_advice_item_t items[S_MAXC];
    eval_advice_t again;
    s_advise(&after, NULL, items, &again);
    assert_true(again.sheet.total == adv->advice_total);
    assert_true(again.ranked_stars >= next);
    /* Each "points" raise as low as it can be; each "minimum" raise at its minimum unless the
     * points need more. */
    for (size_t i = 0; i < adv->n_items; i++) {
        const eval_advice_item_t *it = &adv->items[i];
        int floor_at = it->reason == EVAL_ADVICE_MINIMUM ? it->criterion->requires[next] : it->from;
        assert_true(it->reason != EVAL_ADVICE_MINIMUM || it->to >= floor_at);
        if (it->to > floor_at) {
            double drop = s_points(r, it->criterion->index, it->to) - s_points(r, it->criterion->index, it->to - 1);
            if (adv->advice_total - drop >= eval_bands_min_for(W.bands, next))
                fail_msg("criterion %s could stop at option %s", it->criterion->id,
                         it->criterion->options[it->to - 1].id);
        }
    }
}

static void test_85_missing_one_four_star_minimum(void **state)
{
    (void)state;
    const eval_rubric_t *r = eval_rubrics_find(W.rubrics, "26-2026", "1");
    assert_non_null(r);
    /* 1.5: options 1, 2, 3 (****), 4 (*****): held at option 2, one below its **** minimum. */
    const eval_criterion_t *c = eval_rubric_criterion(r, "1.5");
    assert_int_equal(c->requires[4], 2);
    s_sheet_t s;
    s_make(&s, r, 85, 4, "1.5", 1);
    eval_advice_item_t items[S_MAXC];
    eval_advice_t adv;
    s_advise(&s, NULL, items, &adv);
    assert_true(adv.sheet.total == 85);
    assert_int_equal(adv.band_stars, 4);
    assert_int_equal(adv.sheet.minimum_stars, 3);
    assert_int_equal(adv.ranked_stars, 3);
    assert_int_equal(adv.next_stars, 4);
    assert_int_equal(adv.n_items, 1);
    assert_ptr_equal(adv.items[0].criterion, c);
    assert_string_equal(c->options[adv.items[0].from].id, "2");
    assert_string_equal(c->options[adv.items[0].to].id, "3");
    assert_true(adv.items[0].points_gained == 1);
    assert_int_equal(adv.items[0].reason, EVAL_ADVICE_MINIMUM);
    assert_string_equal(eval_advice_reason_name(adv.items[0].reason), "minimum");
    assert_true(adv.advice_total == 86);
    assert_true(adv.reaches);
    s_check_rule(&s, &adv);
}

static void test_68_fewest_raises_to_70(void **state)
{
    (void)state;
    const eval_rubric_t *r = eval_rubrics_find(W.rubrics, "26-2026", "1");
    /* Every **** (so every ***) minimum met: ranked 3★ by the band alone. */
    s_sheet_t s;
    s_make(&s, r, 68, 4, NULL, 0);
    eval_advice_item_t items[S_MAXC];
    eval_advice_t adv;
    s_advise(&s, NULL, items, &adv);
    assert_int_equal(adv.band_stars, 3);
    assert_true(adv.sheet.minimum_stars >= 4);
    assert_int_equal(adv.ranked_stars, 3);
    assert_int_equal(adv.next_stars, 4);
    /* Some lowered criterion can give 2 points back: one raise, to exactly 70. */
    assert_int_equal(adv.n_items, 1);
    assert_int_equal(adv.items[0].reason, EVAL_ADVICE_POINTS);
    assert_string_equal(eval_advice_reason_name(adv.items[0].reason), "points");
    assert_true(adv.advice_total >= 70 && adv.advice_total < 70 + adv.items[0].points_gained);
    s_check_rule(&s, &adv);

    /* Only the *** minimums met: the **** ones it misses come first, then the points. */
    s_make(&s, r, 68, 3, NULL, 0);
    s_advise(&s, NULL, items, &adv);
    assert_int_equal(adv.ranked_stars, 3);
    assert_int_equal(adv.next_stars, 4);
    size_t minimum = 0;
    for (size_t i = 0; i < adv.n_items; i++)
        minimum += adv.items[i].reason == EVAL_ADVICE_MINIMUM;
    assert_true(minimum >= 1);
    s_check_rule(&s, &adv);
}

static void test_99_missing_one_five_star_minimum(void **state)
{
    (void)state;
    const eval_rubric_t *r = eval_rubrics_find(W.rubrics, "26-2026", "1");
    /* 1.3: options 0..3, 3 is the ***** minimum; held at 2: 99 points, ranked 4★. */
    s_sheet_t s;
    s_make(&s, r, 99, 5, "1.3", 2);
    eval_advice_item_t items[S_MAXC];
    eval_advice_t adv;
    s_advise(&s, NULL, items, &adv);
    assert_int_equal(adv.band_stars, 5);
    assert_int_equal(adv.ranked_stars, 4);
    assert_int_equal(adv.next_stars, 5);
    assert_int_equal(adv.n_items, 1);
    assert_string_equal(adv.items[0].criterion->id, "1.3");
    assert_string_equal(adv.items[0].criterion->options[adv.items[0].to].id, "3");
    assert_true(adv.advice_total == 100);
    s_check_rule(&s, &adv);
}

static void test_100_and_knocked_out_get_none(void **state)
{
    (void)state;
    const eval_rubric_t *r = eval_rubrics_find(W.rubrics, "26-2026", "1");
    s_sheet_t s;
    s_make(&s, r, 100, 5, NULL, 0);
    eval_advice_item_t items[S_MAXC];
    eval_advice_t adv;
    s_advise(&s, NULL, items, &adv);
    assert_int_equal(adv.ranked_stars, 5);
    assert_int_equal(adv.next_stars, 0);
    assert_int_equal(adv.n_items, 0);
    assert_true(adv.advice_total == 100);

    /* Knocked out: no star, and no change of option lifts a knock-out. */
    assert_true(r->n_knockouts > 0);
    s_advise(&s, r->knockouts[0].id, items, &adv);
    assert_true(adv.knocked_out);
    assert_int_equal(adv.ranked_stars, 0);
    assert_int_equal(adv.next_stars, 0);
    assert_int_equal(adv.n_items, 0);
    s_make(&s, r, 68, 3, NULL, 0);
    s_advise(&s, r->knockouts[0].id, items, &adv);
    assert_int_equal(adv.next_stars, 0);
    assert_int_equal(adv.n_items, 0);
    assert_true(adv.advice_total == 68);
}

/* Far below: 20 points is 1★; the next is 2★, which has no minimums: points only. The tourism
 * sheet (alternatives): the advice names only the alternatives the sheet scored. */
static void test_rule_holds_elsewhere(void **state)
{
    (void)state;
    eval_advice_item_t items[S_MAXC];
    eval_advice_t adv;
    s_sheet_t s;
    s_make(&s, eval_rubrics_find(W.rubrics, "26-2026", "1"), 20, 0, NULL, 0);
    s_advise(&s, NULL, items, &adv);
    assert_int_equal(adv.ranked_stars, 1);
    assert_int_equal(adv.next_stars, 2);
    for (size_t i = 0; i < adv.n_items; i++)
        assert_int_equal(adv.items[i].reason, EVAL_ADVICE_POINTS);
    s_check_rule(&s, &adv);

    const eval_rubric_t *tourism = eval_rubrics_find(W.rubrics, "26-2026", "26");
    assert_true(tourism->n_alternatives > 0);
    static const double totals[] = {45, 62, 80, 93};
    for (size_t t = 0; t < sizeof totals / sizeof totals[0]; t++) {
        s_make(&s, tourism, totals[t], 3, NULL, 0);
        s_advise(&s, NULL, items, &adv);
        if (adv.next_stars)
            s_check_rule(&s, &adv);
        for (size_t i = 0; i < adv.n_items; i++)
            assert_true(s.at[adv.items[i].criterion->index] >= 0);
    }
}

static void test_bad_sheets(void **state)
{
    (void)state;
    const eval_rubric_t *r = eval_rubrics_find(W.rubrics, "26-2026", "1");
    s_sheet_t s;
    s_make(&s, r, 85, 4, NULL, 0);
    eval_advice_item_t items[S_MAXC];
    eval_advice_t adv;
    char err[256];
    /* A free number on a sheet with options. */
    s_sheet(&s, NULL);
    s.choices[0].option = NULL;
    s.choices[0].score = 2;
    assert_int_equal(eval_advice_compute(r, W.bands, &s.sheet, items, S_MAXC, &adv, err, sizeof err),
                     EVAL_SHEET_E_INVALID);
    assert_non_null(strstr(err, "scores[criterion 1.1]"));
    assert_int_equal(adv.n_items, 0);
    /* An option the criterion does not have. */
    s_sheet(&s, NULL);
    s.choices[1].option = "9";
    assert_int_equal(eval_advice_compute(r, W.bands, &s.sheet, items, S_MAXC, &adv, err, sizeof err),
                     EVAL_SHEET_E_UNKNOWN);
    assert_non_null(strstr(err, "option 9 is not one of the criterion's options"));
    /* Too few items for the criteria. */
    s_sheet(&s, NULL);
    assert_int_equal(eval_advice_compute(r, W.bands, &s.sheet, items, 3, &adv, err, sizeof err), EVAL_SHEET_E_INVALID);
    /* 1048: free numbers, nothing to advise. */
    const eval_rubric_t *old = eval_rubrics_at(W.rubrics, 0);
    assert_string_equal(old->instrument, "1048");
    assert_int_equal(eval_advice_compute(old, W.bands, &s.sheet, items, S_MAXC, &adv, err, sizeof err),
                     EVAL_SHEET_E_INVALID);
    assert_non_null(strstr(err, "free numbers"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_85_missing_one_four_star_minimum),
        cmocka_unit_test(test_68_fewest_raises_to_70),
        cmocka_unit_test(test_99_missing_one_five_star_minimum),
        cmocka_unit_test(test_100_and_knocked_out_get_none),
        cmocka_unit_test(test_rule_holds_elsewhere),
        cmocka_unit_test(test_bad_sheets),
    };
    return cmocka_run_group_tests(tests, s_setup, s_teardown);
}
