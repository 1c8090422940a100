/* eval_finding — the council's finding on a product from the sheets of its deciding round:
 * which star minimums it meets and which knock-out conditions hold.
 *
 * The rule (stars.json "council_finding": "majority", see data/README.md): a criterion meets
 * the N★ minimum when more than half of the sheets reach at least the option the minimum
 * names; a product meets level N when every criterion does; a knock-out condition holds when
 * more than half of the sheets flag it. Ranked stars = min(band of the mean, highest level
 * whose minimums are met), 0 when a knock-out holds. */
#ifndef EVAL_FINDING_H
#define EVAL_FINDING_H

#include <stddef.h>

#include "evaluation.pb-c.h"
#include "eval_rubric.h"
#include "ocop_arena.h"

/* Fills sp's minimum_stars, minimums_missed (for each level above minimum_stars up to band,
 * every criterion that held the product below it), knockouts, ranked_stars and why (arena
 * memory) from the n sheets of the deciding round, each already checked against rubric.
 * band is the star band of the mean (1..5) and sp->mean is already set. */
void eval_finding_compute(ocop_arena_t *arena, const eval_rubric_t *rubric, Ocop__EvalSheet *const *sheets, size_t n,
                          int band, Ocop__EvalSessionProduct *sp);

#endif
