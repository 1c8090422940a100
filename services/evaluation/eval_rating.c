/* eval_rating — see eval_rating.h. */
#include "eval_rating.h"

int eval_rating_set(ocop_ctx_t *ctx, Ocop__Reply *reply, Ocop__EvalProduct *p, uint32_t stars,
                    const eval_rating_why_t *why)
{
    uint32_t old = p->stars;
    p->stars = stars;
    if (old == stars)
        return 0;
    Ocop__EvalRatingChanged body = OCOP__EVAL_RATING_CHANGED__INIT;
    body.product_id = p->id;
    body.entity_id = p->entity_id;
    body.province_code = p->province_code;
    body.sector_code = p->sector_code;
    body.old_stars = old;
    body.new_stars = stars;
    body.reason = (char *)why->reason;
    body.session_id = (char *)why->session_id;
    body.rubric = (char *)why->rubric;
    body.rubric_digest = (char *)why->rubric_digest;
    body.policy = (char *)why->policy;
    body.policy_digest = (char *)why->policy_digest;
    body.certificate_id = p->certificate_id;
    return ocop_ctx_publish_body(ctx, reply, &body.base);
}
