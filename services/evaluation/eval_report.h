/* eval_report — stars by province × sector × year, kept incrementally as results close.
 *
 * A product's standing in a year is its latest result that year: 3★, 4★, 5★, or "proposed
 * 5★" (a 4★ product forwarded to the central council, counted apart from the 4★ ones as the
 * programme's own reports do), or none. Counts are history: a later revocation or expiry does
 * not rewrite the year the rating was given; a re-evaluation in a later year counts in that
 * year. Entities are counted once per (province, sector, year) row, and once per (province,
 * year) in totals. */
#ifndef EVAL_REPORT_H
#define EVAL_REPORT_H

#include "evaluation.pb-c.h"
#include "ocop_service.h"

typedef enum {
    EVAL_STANDING_NONE = 0,
    EVAL_STANDING_3 = 3,
    EVAL_STANDING_4 = 4,
    EVAL_STANDING_5 = 5,
    EVAL_STANDING_PROPOSED_5 = 6,
} eval_standing_t;

/* The standing p's current record gives it. */
eval_standing_t eval_standing_of(const Ocop__EvalProduct *p);

/* Records standing as p's standing in year, moving the counts from the one it had that year.
 * 0, or -1 with the store error in the reply. */
int eval_report_record(ocop_ctx_t *ctx, Ocop__Reply *reply, const Ocop__EvalProduct *p, int year,
                       eval_standing_t standing);

#endif
