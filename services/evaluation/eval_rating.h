/* eval_rating — a product's stars and the one RatingChanged event every change of them emits. */
#ifndef EVAL_RATING_H
#define EVAL_RATING_H

#include <stdint.h>

#include "evaluation.pb-c.h"
#include "ocop_service.h"

/* Why the stars change: recorded on the event so that every rating can be traced to the
 * session, rubric and policy (with the digests of their files) that produced it. Empty
 * strings where there is none (a revocation has no session). */
typedef struct {
    const char *reason; /* "evaluation", "re-evaluation", "revoked: food_safety", "expired" */
    const char *session_id;
    const char *rubric;
    const char *rubric_digest;
    const char *policy;
    const char *policy_digest;
} eval_rating_why_t;

/* Sets p->stars; when they change, emits RatingChanged (old, new, why, p's certificate).
 * Does not store p. 0 / -1 (reply failed). */
int eval_rating_set(ocop_ctx_t *ctx, Ocop__Reply *reply, Ocop__EvalProduct *p, uint32_t stars,
                    const eval_rating_why_t *why);

#endif
