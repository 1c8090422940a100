/* eval_central_result — EvalCentralResultCertify: when the central council does not rate a
 * product 5★, the province may certify it 3★/4★ on the central council's result (26/2026
 * Art. 7.4(g)), where the policy that session ran under says so (after_central_below). The
 * stars are those the central sheets rank it, capped by what the province confers. */
#include <string.h>

#include "eval_certificate.h"
#include "eval_handlers.h"
#include "eval_product.h"
#include "eval_rating.h"
#include "eval_report.h"
#include "eval_session.h"
#include "ocop_date.h"
#include "ocop_error.h"

void eval_central_result_keep(Ocop__EvalProduct *p, const Ocop__EvalSession *s, uint32_t ranked, double mean,
                              bool recognised)
{
    if (s->level != OCOP__EVAL_LEVEL__EVAL_LEVEL_CENTRAL)
        return;
    p->central_session_id = recognised ? "" : s->id;
    p->central_ranked_stars = recognised ? 0 : ranked;
    p->central_mean = recognised ? 0 : mean;
}

static int s_check_decision(ocop_ctx_t *ctx, Ocop__Reply *reply, const Ocop__EvalCentralResultCertify *in,
                            const Ocop__EvalSession *central)
{
    char today[OCOP_DATE_LEN];
    ocop_day_of(ocop_ctx_now_ms(ctx), today);
    if (ocop_ctx_check_text(ctx, reply, "decision_ref", in->decision_ref, 1, EVAL_NAME_MAX) != 0)
        return -1;
    if (!ocop_date_valid(in->decision_date))
        return ocop_ctx_fail(ctx, reply, OCOP_E_INVALID, "decision_date", "decision_date must be a date YYYY-MM-DD");
    if (strcmp(in->decision_date, central->date) < 0 || strcmp(in->decision_date, today) > 0)
        return ocop_ctx_fail(ctx, reply, OCOP_E_INVALID, "decision_date",
                             "decision_date %s must lie between the central session's date %s and today %s",
                             in->decision_date, central->date, today);
    return 0;
}

/* The stars the province may certify: the central ranking capped by the province's level. */
static int s_stars(ocop_ctx_t *ctx, Ocop__Reply *reply, const eval_policy_t *policy, const Ocop__EvalProduct *p,
                   uint32_t *stars)
{
    const eval_policy_level_t *lv = eval_policy_level(policy, EVAL_LEVEL_PROVINCE);
    if (!lv || lv->confers_max_stars == 0)
        return ocop_ctx_fail(ctx, reply, OCOP_E_ILLEGAL_STATE, "product_id", "under %s no province certifies",
                             policy->decision);
    *stars = p->central_ranked_stars < (uint32_t)lv->confers_max_stars ? p->central_ranked_stars
                                                                       : (uint32_t)lv->confers_max_stars;
    if (*stars < (uint32_t)lv->confers_min_stars)
        return ocop_ctx_fail(ctx, reply, OCOP_E_ILLEGAL_STATE, "product_id",
                             "the central council ranked product %s %u stars (mean %.2f): below the %d stars a "
                             "province certifies",
                             p->id, p->central_ranked_stars, p->central_mean, lv->confers_min_stars);
    return 0;
}

int eval_handle_central_result_certify(ocop_ctx_t *ctx, const Ocop__Request *req, Ocop__Reply *reply)
{
    const Ocop__EvalCentralResultCertify *in = req->eval_central_result_certify;
    Ocop__EvalProduct *p = eval_product_load(ctx, reply, "product_id", in->product_id);
    if (!p)
        return -1;
    if (!*p->central_session_id)
        return ocop_ctx_fail(ctx, reply, OCOP_E_ILLEGAL_STATE, "product_id",
                             "product %s has no central result that did not recognise it", p->id);
    Ocop__EvalSession *central = eval_session_load(ctx, reply, "product_id", p->central_session_id);
    if (!central)
        return -1;
    const eval_policy_t *policy = eval_session_policy(ctx, reply, central);
    if (!policy || s_check_decision(ctx, reply, in, central) != 0)
        return -1;
    if (policy->after_central != EVAL_AFTER_CENTRAL_PROVINCE_MAY_CERTIFY)
        return ocop_ctx_fail(ctx, reply, OCOP_E_ILLEGAL_STATE, "product_id",
                             "under %s a product the central council does not recognise keeps the province's "
                             "stars (%s)",
                             policy->decision, policy->after_central_article);
    uint32_t stars = 0;
    Ocop__EvalSessionProduct *sp = eval_session_product_load(ctx, reply, central->id, p->id);
    if (!sp || s_stars(ctx, reply, policy, p, &stars) != 0)
        return -1;
    /* The certificate is the province's, on the central council's session and sheet. */
    Ocop__EvalSession as_province = *central;
    as_province.level = OCOP__EVAL_LEVEL__EVAL_LEVEL_PROVINCE;
    eval_decision_t decision = {in->decision_ref, in->decision_date};
    if (eval_certificate_issue(ctx, reply, p, &as_province, sp, stars, policy, &decision) != 0)
        return -1;
    const char *reason = ocop_arena_printf(ocop_ctx_arena(ctx), "province certification on the central result (%s)",
                                           policy->after_central_article);
    eval_rating_why_t why = {reason,          central->id,           sp->rubric, sp->rubric_digest,
                             central->policy, central->policy_digest};
    eval_central_result_keep(p, central, 0, 0, true);
    p->rated_year = ocop_arena_printf(ocop_ctx_arena(ctx), "%d", ocop_date_year(in->decision_date));
    if (eval_rating_set(ctx, reply, p, stars, &why) != 0 ||
        eval_report_record(ctx, reply, p, ocop_date_year(in->decision_date), eval_standing_of(p)) != 0 ||
        eval_product_store(ctx, reply, p) != 0 || eval_certificate_expire_if_past(ctx, reply, p->id) != 0)
        return -1;
    Ocop__EvalCertificate *c = eval_certificate_load(ctx, reply, p->certificate_id);
    if (!c)
        return -1;
    reply->body_case = OCOP__REPLY__BODY_EVAL_CERTIFICATE;
    reply->eval_certificate = c;
    return 0;
}
