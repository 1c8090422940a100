/* eval_dossier — see eval_dossier.h. */
#include "eval_dossier.h"

#include <stdio.h>
#include <string.h>

#include "eval_certificate.h"
#include "eval_handlers.h"
#include "ocop_date.h"
#include "ocop_error.h"

static const char *const s_kind_names[] = {"unspecified", "first evaluation", "upgrade", "re-evaluation"};

static const Ocop__EvalDossier *s_dossier_of(const Ocop__EvalSessionOpen *in, const char *product_id)
{
    for (size_t i = 0; i < in->n_dossiers; i++)
        if (strcmp(in->dossiers[i]->product_id, product_id) == 0)
            return in->dossiers[i];
    return NULL;
}

static int s_check_entry(ocop_ctx_t *ctx, Ocop__Reply *reply, const Ocop__EvalSessionOpen *in, size_t i)
{
    const Ocop__EvalDossier *d = in->dossiers[i];
    char field[48];
    snprintf(field, sizeof field, "dossiers[%zu]", i);
    bool listed = false;
    for (size_t k = 0; k < in->n_product_ids && !listed; k++)
        listed = strcmp(in->product_ids[k], d->product_id) == 0;
    if (!listed)
        return ocop_ctx_fail(ctx, reply, OCOP_E_INVALID, field, "product %.64s is not among the session's products",
                             d->product_id);
    for (size_t k = 0; k < i; k++)
        if (strcmp(in->dossiers[k]->product_id, d->product_id) == 0)
            return ocop_ctx_fail(ctx, reply, OCOP_E_INVALID, field, "product %s has two dossiers", d->product_id);
    if (d->kind <= OCOP__DOSSIER_KIND__DOSSIER_KIND_UNSPECIFIED ||
        d->kind > OCOP__DOSSIER_KIND__DOSSIER_KIND_REEVALUATION)
        return ocop_ctx_fail(ctx, reply, OCOP_E_INVALID, field, "kind must be first, upgrade or reevaluation");
    if (!ocop_date_valid(d->filed) || strcmp(d->filed, in->date) > 0)
        return ocop_ctx_fail(ctx, reply, OCOP_E_INVALID, field,
                             "filed must be a date YYYY-MM-DD not after the session's %s", in->date);
    return 0;
}

/* The policy one dossier runs under (kind, filed) in a session on day, given the policy in force
 * that day. */
static int s_rules_of(ocop_ctx_t *ctx, Ocop__Reply *reply, const char *field, const char *product_id,
                      Ocop__DossierKind kind, const char *filed, const char *day, const eval_policy_t *by_date,
                      const eval_policy_t **out)
{
    const eval_handover_t *h = &by_date->handover;
    *out = by_date;
    if (!h->has || strcmp(filed, h->before) >= 0)
        return 0;
    char last[OCOP_DATE_LEN];
    if (ocop_date_add_days(h->before, h->finish_days[kind], last) != 0)
        return ocop_ctx_fail(ctx, reply, OCOP_E_INTERNAL, "", "cannot compute the hand-over window of %s", h->before);
    if (strcmp(day, last) > 0)
        return ocop_ctx_fail(ctx, reply, OCOP_E_ILLEGAL_STATE, field,
                             "product %s's %s dossier was filed on %s, before %s took effect on %s: %s lets it "
                             "finish under the earlier rules until %s only; it must be filed again under %s",
                             product_id, s_kind_names[kind], filed, by_date->decision, h->before, h->article, last,
                             by_date->decision);
    *out = eval_policies_in_force(eval_state(ctx)->policies, filed);
    if (!*out)
        return ocop_ctx_fail(ctx, reply, OCOP_E_INVALID, field, "no rating policy was in force on %s", filed);
    return 0;
}

int eval_dossier_policy(ocop_ctx_t *ctx, Ocop__Reply *reply, const Ocop__EvalSessionOpen *in,
                        const eval_policy_t *by_date, const eval_policy_t **out)
{
    for (size_t i = 0; i < in->n_dossiers; i++)
        if (s_check_entry(ctx, reply, in, i) != 0)
            return -1;
    const eval_policy_t *chosen = NULL;
    const char *first_product = NULL;
    for (size_t k = 0; k < in->n_product_ids; k++) {
        const Ocop__EvalDossier *d = s_dossier_of(in, in->product_ids[k]);
        char field[48];
        snprintf(field, sizeof field, "product_ids[%zu]", k);
        const eval_policy_t *p;
        if (s_rules_of(ctx, reply, field, in->product_ids[k], d ? d->kind : OCOP__DOSSIER_KIND__DOSSIER_KIND_FIRST,
                       d ? d->filed : in->date, in->date, by_date, &p) != 0)
            return -1;
        if (chosen && p != chosen)
            return ocop_ctx_fail(ctx, reply, OCOP_E_ILLEGAL_STATE, field,
                                 "product %s's dossier runs under %s, product %s's under %s: one session, one set "
                                 "of rules (open two sessions)",
                                 in->product_ids[k], p->decision, first_product, chosen->decision);
        chosen = p;
        first_product = in->product_ids[k];
    }
    *out = chosen ? chosen : by_date;
    return 0;
}

/* Art. 7.6(a): filed inside the window before expiry, or late (Art. 12.3: the certificate is
 * extended until the result, at most late_extension_days past expiry). */
static int s_reevaluation(ocop_ctx_t *ctx, Ocop__Reply *reply, const char *field, const eval_policy_t *policy,
                          const Ocop__EvalProduct *p, const char *filed, char **extend_to)
{
    const eval_reevaluation_rules_t *r = &policy->reevaluation;
    Ocop__EvalCertificate *c = eval_certificate_load(ctx, reply, p->certificate_id);
    if (!c)
        return -1;
    char from[OCOP_DATE_LEN], until[OCOP_DATE_LEN];
    if (ocop_date_add_days(c->expires, -r->file_from_days, from) != 0 ||
        ocop_date_add_days(c->expires, -r->file_until_days, until) != 0)
        return ocop_ctx_fail(ctx, reply, OCOP_E_INTERNAL, "", "cannot compute the window of %s", c->expires);
    if (strcmp(filed, from) < 0)
        return ocop_ctx_fail(ctx, reply, OCOP_E_ILLEGAL_STATE, field,
                             "product %s's re-evaluation dossier was filed on %s: certificate %s expires on %s and "
                             "%s opens the filing on %s (file an upgrade to be rated again before)",
                             p->id, filed, c->id, c->expires, r->article, from);
    if (strcmp(filed, until) <= 0 || *c->extended_to)
        return 0;
    *extend_to = ocop_arena_alloc(ocop_ctx_arena(ctx), OCOP_DATE_LEN);
    if (ocop_date_add_days(c->expires, r->late_extension_days, *extend_to) != 0)
        return ocop_ctx_fail(ctx, reply, OCOP_E_INTERNAL, "", "cannot extend %s", c->expires);
    return 0;
}

int eval_dossier_check(ocop_ctx_t *ctx, Ocop__Reply *reply, const char *field, const Ocop__EvalSessionOpen *in,
                       const eval_policy_t *policy, const Ocop__EvalProduct *p, Ocop__EvalSessionProduct *sp,
                       char **extend_to)
{
    *extend_to = NULL;
    const Ocop__EvalDossier *d = s_dossier_of(in, p->id);
    bool certified = *p->certificate_id != '\0';
    Ocop__DossierKind kind = d ? d->kind : OCOP__DOSSIER_KIND__DOSSIER_KIND_FIRST;
    const char *filed = d ? d->filed : in->date;
    if (certified && !d && policy->reevaluation.has)
        return ocop_ctx_fail(ctx, reply, OCOP_E_INVALID, field,
                             "product %s holds certificate %s: its dossier is an upgrade or a re-evaluation (%s); "
                             "give it in dossiers",
                             p->id, p->certificate_id, policy->reevaluation.article);
    if (!certified && kind != OCOP__DOSSIER_KIND__DOSSIER_KIND_FIRST)
        return ocop_ctx_fail(ctx, reply, OCOP_E_INVALID, field, "product %s holds no certificate: not an %s", p->id,
                             s_kind_names[kind]);
    if (certified && kind == OCOP__DOSSIER_KIND__DOSSIER_KIND_FIRST && policy->reevaluation.has)
        return ocop_ctx_fail(ctx, reply, OCOP_E_INVALID, field,
                             "product %s holds certificate %s: not a first evaluation", p->id, p->certificate_id);
    if (kind == OCOP__DOSSIER_KIND__DOSSIER_KIND_REEVALUATION && policy->reevaluation.has &&
        s_reevaluation(ctx, reply, field, policy, p, filed, extend_to) != 0)
        return -1;
    sp->dossier_kind = kind;
    sp->dossier_filed = (char *)filed;
    return 0;
}
