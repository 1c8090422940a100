/* eval_revoke — EvalCertificateRevoke: a certificate revoked on a ground of the policy in force
 * on the day, by the authority that policy gives for its stars (26/2026 Art. 8: six grounds;
 * the province revokes 3★/4★, the ministry 5★; within 15 days of the finding, a later
 * revocation is recorded as late). */
#include <stdio.h>
#include <string.h>

#include "eval_certificate.h"
#include "eval_handlers.h"
#include "ocop_date.h"
#include "ocop_error.h"
#include "ocop_json.h"

/* "false_dossier, criteria_not_met, ..." into out. */
static const char *s_ground_list(const eval_policy_t *p, char *out, size_t outlen)
{
    size_t len = 0;
    out[0] = '\0';
    for (size_t i = 0; i < p->revocation.n_grounds && len < outlen; i++)
        len += (size_t)snprintf(out + len, outlen - len, "%s%s", i ? ", " : "", p->revocation.grounds[i].code);
    return out;
}

static int s_check_authority(ocop_ctx_t *ctx, Ocop__Reply *reply, const eval_policy_t *p,
                             const Ocop__EvalCertificate *c, Ocop__EvalLevel *by)
{
    const eval_revocation_rules_t *r = &p->revocation;
    if (c->stars > 5 || !r->has_authority[c->stars])
        return ocop_ctx_fail(ctx, reply, OCOP_E_ILLEGAL_STATE, "id",
                             "under %s no authority revokes a %u-star certificate", p->decision, c->stars);
    Ocop__EvalLevel competent = eval_level_to_proto(r->authority[c->stars]);
    /* Unnamed: the competent authority (the service's own callers, e.g. an inspection's
     * result); the gateway always names the caller's level. */
    if (*by == OCOP__EVAL_LEVEL__EVAL_LEVEL_UNSPECIFIED)
        *by = competent;
    if (*by != competent)
        return ocop_ctx_fail(ctx, reply, OCOP_E_FORBIDDEN, "by_level",
                             "under %s a %u-star certificate is revoked by the %s level, not the %s (%s)", p->decision,
                             c->stars, eval_level_name(r->authority[c->stars]), eval_level_name(eval_level_of(*by)),
                             r->article);
    return 0;
}

/* The finding the revocation rests on: a date not after today (today when empty); late when
 * the policy's limit has passed since it. */
static int s_check_finding(ocop_ctx_t *ctx, Ocop__Reply *reply, const eval_policy_t *p, const char *finding,
                           const char *today, bool *late)
{
    if (!ocop_date_valid(finding))
        return ocop_ctx_fail(ctx, reply, OCOP_E_INVALID, "finding_date", "finding_date must be a date YYYY-MM-DD");
    if (strcmp(finding, today) > 0)
        return ocop_ctx_fail(ctx, reply, OCOP_E_INVALID, "finding_date", "finding_date %s is after today (%s)", finding,
                             today);
    char limit[OCOP_DATE_LEN];
    *late = p->revocation.within_days > 0 && ocop_date_add_days(finding, p->revocation.within_days, limit) == 0 &&
            strcmp(today, limit) > 0;
    return 0;
}

int eval_handle_certificate_revoke(ocop_ctx_t *ctx, const Ocop__Request *req, Ocop__Reply *reply)
{
    const Ocop__EvalCertificateRevoke *in = req->eval_certificate_revoke;
    eval_state_t *state = eval_state(ctx);
    ocop_arena_t *arena = ocop_ctx_arena(ctx);
    if (ocop_ctx_check_text(ctx, reply, "note", in->note, 0, EVAL_NOTE_MAX) != 0 ||
        ocop_ctx_check_text(ctx, reply, "ground", in->ground, 0, 32) != 0)
        return -1;
    char *today = ocop_arena_alloc(arena, OCOP_DATE_LEN);
    ocop_day_of(ocop_ctx_now_ms(ctx), today);
    const eval_policy_t *p = eval_policies_in_force(state->policies, today);
    if (!p)
        return ocop_ctx_fail(ctx, reply, OCOP_E_INTERNAL, "", "no policy is in force on %s", today);
    char reason[48] = "";
    if (in->reason)
        ocop_json_enum_name(&ocop__revocation_reason__descriptor, in->reason, reason, sizeof reason);
    const eval_ground_t *g = eval_policy_ground(p, in->ground, reason);
    if (!g) {
        char list[256];
        bool by_reason = !*in->ground && in->reason;
        return ocop_ctx_fail(ctx, reply, OCOP_E_INVALID, by_reason ? "reason" : "ground",
                             "%s %.32s is not a ground of revocation under %s (%s): one of %s",
                             by_reason ? "reason" : "ground", by_reason ? reason : in->ground, p->decision,
                             p->revocation.article, s_ground_list(p, list, sizeof list));
    }
    Ocop__EvalCertificate *c = eval_certificate_load(ctx, reply, in->id);
    if (!c)
        return -1;
    if (c->state != OCOP__CERTIFICATE_STATE__CERTIFICATE_STATE_VALID) {
        char cs[32];
        ocop_json_enum_name(&ocop__certificate_state__descriptor, c->state, cs, sizeof cs);
        return ocop_ctx_fail(ctx, reply, OCOP_E_ILLEGAL_STATE, "id", "certificate %s is already %s", c->id, cs);
    }
    Ocop__EvalLevel by = in->by_level;
    bool late = false;
    const char *finding = *in->finding_date ? in->finding_date : today;
    if (s_check_authority(ctx, reply, p, c, &by) != 0 || s_check_finding(ctx, reply, p, finding, today, &late) != 0)
        return -1;
    c->revocation_ground = (char *)g->code;
    c->revocation_article = (char *)g->article;
    c->revoked_by = by;
    c->finding_date = (char *)finding;
    c->revoked_on = today;
    c->revoked_late = late;
    const char *why = ocop_arena_printf(arena, "revoked: %s (%s)", g->code, g->article);
    if (eval_certificate_withdraw(ctx, reply, c, OCOP__CERTIFICATE_STATE__CERTIFICATE_STATE_REVOKED, in->reason,
                                  in->note, why) != 0)
        return -1;
    reply->body_case = OCOP__REPLY__BODY_EVAL_CERTIFICATE;
    reply->eval_certificate = c;
    return 0;
}
