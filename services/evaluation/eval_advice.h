/* eval_advice — what one sheet (the producer's self-assessment, Mẫu số 02) would be ranked,
 * and the cheapest changes to it that would lift it to the next star. Pure: rubric + sheet +
 * star bands in, advice out; nothing is stored.
 *
 * The star: ranked = min(the band of the total, the sheet's minimum_stars), 0 when it flags a
 * knock-out (the rule of eval_finding.h for one sheet); next = ranked + 1, and no next (0) when
 * ranked is 5 or the sheet is knocked out — a knock-out condition is not scored, no option
 * lifts it: it must stop holding first, so a knocked-out sheet gets no advice.
 *
 * The advice. Cheapest = the fewest criteria changed, then the fewest points added:
 *   1. "minimum": every scored criterion below a minimum of next rises to the option that
 *      minimum names (criterion.requires[next]); no other change meets it.
 *   2. "points": while the total is below the band minimum of next, raise the criterion that
 *      can gain the most points, to its best option — the ones raised in step 1 first (they
 *      are changed anyway), then the others by gain, largest first (ties: printed order). The
 *      k largest gains are the most any k criteria can add, so no fewer criteria reach the band.
 *   3. each raise of step 2 is lowered again, the last chosen first, to the lowest option (not
 *      below where step 1 put it) that keeps the total at or above the band minimum. The total
 *      then passes the band minimum by less than the last option step of any raise; the rule
 *      does not search other sets of as many criteria for a smaller overshoot.
 * A criterion keeps the alternative the sheet scored (the one that applies to the product). One
 * item per criterion changed, in printed order; its reason is "minimum" when step 1 raised it
 * (it may then rise past the minimum when the points need it). */
#ifndef EVAL_ADVICE_H
#define EVAL_ADVICE_H

#include <stdbool.h>
#include <stddef.h>

#include "eval_bands.h"
#include "eval_rubric.h"

typedef enum {
    EVAL_ADVICE_MINIMUM = 1, /* below a star minimum of next_stars */
    EVAL_ADVICE_POINTS = 2,  /* raised for the band of next_stars */
} eval_advice_reason_t;

/* "minimum", "points"; "" for anything else. Static string. */
const char *eval_advice_reason_name(eval_advice_reason_t reason);

/* One change: criterion from option index `from` to `to` (into criterion->options). */
typedef struct {
    const eval_criterion_t *criterion;
    int from, to;
    double points_gained; /* options[to].points - options[from].points */
    eval_advice_reason_t reason;
} eval_advice_item_t;

typedef struct {
    eval_sheet_result_t sheet; /* parts, total and minimum_stars, as eval_rubric_check_sheet */
    int band_stars;            /* the band of the total (1..5) */
    int ranked_stars;          /* min(band, minimum), 0 when knocked out */
    int next_stars;            /* ranked + 1; 0 when ranked is 5 or knocked out */
    bool knocked_out;          /* the sheet flags a knock-out condition */
    double advice_total;       /* the total after the advice (the total when there is none) */
    bool reaches;              /* the advice reaches next_stars (false only when nothing can) */
    eval_advice_item_t *items; /* the caller's array handed in, n_items used */
    size_t n_items;
} eval_advice_t;

/* Checks sheet against rubric (eval_rubric_check_sheet: the same status and err on a bad
 * sheet) and fills *out. items is the caller's array of cap entries, cap >= rubric->n_criteria
 * (at most one item per criterion); out->items points into it. A rubric without options (1048:
 * free numbers) has nothing to advise: EVAL_SHEET_E_INVALID. Returns EVAL_SHEET_OK or a
 * negative eval_sheet_status_t (*out zeroed). */
int eval_advice_compute(const eval_rubric_t *rubric, const eval_bands_t *bands, const eval_sheet_t *sheet,
                        eval_advice_item_t *items, size_t cap, eval_advice_t *out, char *err, size_t errlen);

#endif
