/* eval_advice — see eval_advice.h. items[i] first holds criterion i's state (criterion NULL
 * when the sheet scored another alternative of its set), then the changes, compacted. */
#include "eval_advice.h"

#include <stdlib.h>
#include <string.h>

#include "ocop_error.h"

const char *eval_advice_reason_name(eval_advice_reason_t reason)
{
    switch (reason) {
    case EVAL_ADVICE_MINIMUM:
        return "minimum";
    case EVAL_ADVICE_POINTS:
        return "points";
    }
    return "";
}

static double s_points(const eval_advice_item_t *it, int option)
{
    return it->criterion->options[option].points;
}

/* Each criterion's chosen option; the sheet is already checked, so every id resolves. */
static void s_positions(const eval_rubric_t *r, const eval_sheet_t *sheet, eval_advice_item_t *items)
{
    for (size_t i = 0; i < r->n_criteria; i++)
        items[i] = (eval_advice_item_t){NULL, -1, -1, 0, 0};
    for (size_t k = 0; k < sheet->n_choices; k++) {
        const eval_criterion_t *c = eval_rubric_criterion_near(r, sheet->choices[k].id, k);
        int at = eval_criterion_option(c, sheet->choices[k].option);
        items[c->index] = (eval_advice_item_t){c, at, at, 0, 0};
    }
}

/* Step 1: every criterion below a minimum of next to the option it names. The total after. */
static double s_minimums(const eval_rubric_t *r, int next, double total, eval_advice_item_t *items)
{
    for (size_t i = 0; i < r->n_criteria; i++) {
        eval_advice_item_t *it = &items[i];
        if (!it->criterion || it->criterion->requires[next] <= it->to)
            continue;
        int need = it->criterion->requires[next];
        total += s_points(it, need) - s_points(it, it->to);
        it->to = need;
        it->reason = EVAL_ADVICE_MINIMUM;
    }
    return total;
}

/* The next criterion to raise for points: one raised in step 1 first, then the largest gain,
 * then printed order; -1 when none can gain anything. */
static int s_pick(const eval_rubric_t *r, const eval_advice_item_t *items, const bool *taken)
{
    int best = -1;
    double best_gain = 0;
    bool best_free = false;
    for (size_t i = 0; i < r->n_criteria; i++) {
        const eval_advice_item_t *it = &items[i];
        if (!it->criterion || taken[i])
            continue;
        double gain = s_points(it, (int)it->criterion->n_options - 1) - s_points(it, it->to);
        bool free_raise = it->reason == EVAL_ADVICE_MINIMUM;
        if (gain <= 0)
            continue;
        if (best < 0 || (free_raise && !best_free) || (free_raise == best_free && gain > best_gain)) {
            best = (int)i;
            best_gain = gain;
            best_free = free_raise;
        }
    }
    return best;
}

/* Steps 2 and 3. floor[i]: where step 1 left criterion i (not lowered below it). */
static double s_points_raises(const eval_rubric_t *r, double target, double total, eval_advice_item_t *items,
                              int *floor, bool *taken, int *order)
{
    size_t n_order = 0;
    for (size_t i = 0; i < r->n_criteria; i++)
        floor[i] = items[i].to;
    while (total + EVAL_BANDS_TOLERANCE < target) {
        int i = s_pick(r, items, taken);
        if (i < 0)
            break;
        eval_advice_item_t *it = &items[i];
        int best = (int)it->criterion->n_options - 1;
        total += s_points(it, best) - s_points(it, it->to);
        it->to = best;
        if (!it->reason)
            it->reason = EVAL_ADVICE_POINTS;
        taken[i] = true;
        order[n_order++] = i;
    }
    if (total + EVAL_BANDS_TOLERANCE < target)
        return total;
    for (size_t k = n_order; k-- > 0;) {
        eval_advice_item_t *it = &items[order[k]];
        while (it->to > floor[order[k]]) {
            double drop = s_points(it, it->to) - s_points(it, it->to - 1);
            if (total - drop + EVAL_BANDS_TOLERANCE < target)
                break;
            total -= drop;
            it->to--;
        }
    }
    return total;
}

static size_t s_compact(const eval_rubric_t *r, eval_advice_item_t *items)
{
    size_t n = 0;
    for (size_t i = 0; i < r->n_criteria; i++) {
        eval_advice_item_t it = items[i];
        if (!it.criterion || it.to == it.from)
            continue;
        it.points_gained = s_points(&it, it.to) - s_points(&it, it.from);
        items[n++] = it;
    }
    return n;
}

static int s_advise(const eval_rubric_t *r, const eval_bands_t *bands, eval_advice_item_t *items, eval_advice_t *out)
{
    double total = s_minimums(r, out->next_stars, out->sheet.total, items);
    double target = eval_bands_min_for(bands, out->next_stars);
    if (target > total + EVAL_BANDS_TOLERANCE) {
        int *floor = calloc(r->n_criteria + 1, sizeof *floor);
        int *order = calloc(r->n_criteria + 1, sizeof *order);
        bool *taken = calloc(r->n_criteria + 1, sizeof *taken);
        if (floor && order && taken)
            total = s_points_raises(r, target, total, items, floor, taken, order);
        free(floor);
        free(order);
        free(taken);
        if (!floor || !order || !taken)
            return -1;
    }
    out->advice_total = total;
    out->reaches = total + EVAL_BANDS_TOLERANCE >= target;
    out->n_items = s_compact(r, items);
    return 0;
}

int eval_advice_compute(const eval_rubric_t *rubric, const eval_bands_t *bands, const eval_sheet_t *sheet,
                        eval_advice_item_t *items, size_t cap, eval_advice_t *out, char *err, size_t errlen)
{
    memset(out, 0, sizeof *out);
    if (!rubric || !bands || !items) {
        ocop_error_format(err, errlen, "advice: a rubric, star bands and an items array are required");
        return EVAL_SHEET_E_INVALID;
    }
    if (!rubric->has_options) {
        ocop_error_format(err, errlen, "scores: %s product set %s is scored with free numbers: no options to advise",
                          rubric->version, rubric->product_set);
        return EVAL_SHEET_E_INVALID;
    }
    if (cap < rubric->n_criteria) {
        ocop_error_format(err, errlen, "advice: %zu items for %zu criteria", cap, rubric->n_criteria);
        return EVAL_SHEET_E_INVALID;
    }
    int rc = eval_rubric_check_sheet(rubric, sheet, &out->sheet, err, errlen);
    if (rc != EVAL_SHEET_OK)
        return rc;
    out->items = items;
    out->band_stars = eval_bands_stars(bands, out->sheet.total);
    out->knocked_out = sheet->n_knockouts > 0;
    int ranked = out->band_stars < out->sheet.minimum_stars ? out->band_stars : out->sheet.minimum_stars;
    out->ranked_stars = out->knocked_out ? 0 : ranked;
    out->next_stars = out->knocked_out || ranked >= EVAL_STARS_MAX ? 0 : ranked + 1;
    out->advice_total = out->sheet.total;
    if (!out->next_stars)
        return EVAL_SHEET_OK;
    s_positions(rubric, sheet, items);
    if (s_advise(rubric, bands, items, out) != 0) {
        memset(out, 0, sizeof *out);
        ocop_error_format(err, errlen, "advice: out of memory");
        return EVAL_SHEET_E_INVALID;
    }
    return EVAL_SHEET_OK;
}
