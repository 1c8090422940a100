/* eval_close — the end of scoring: phase 2 of a two-phase session (products with 3★ potential
 * go on with laboratory results), and closing, which computes each product's result, caps the
 * stars at what the council's level may confer, forwards higher scores upward, issues or ends
 * certificates, changes ratings, updates the report and discloses every sheet. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "eval_certificate.h"
#include "eval_finding.h"
#include "eval_handlers.h"
#include "eval_product.h"
#include "eval_rating.h"
#include "eval_report.h"
#include "eval_session.h"
#include "eval_sheet.h"
#include "ocop_date.h"
#include "ocop_error.h"

/* The result of a product's last complete round: the mean of the members' totals, its band,
 * and the council's finding on star minimums and knock-outs (eval_finding) written into sp;
 * ranked: the stars the sheets give before the level's cap. */
typedef struct {
    double mean;
    int band;
    int ranked;
} s_result_t;

static int s_result(ocop_ctx_t *ctx, Ocop__Reply *reply, const Ocop__EvalSession *s, Ocop__EvalSessionProduct *sp,
                    s_result_t *out)
{
    size_t n;
    Ocop__EvalSheet **sheets = eval_sheets_read(ctx, reply, s->id, sp->product_id, sp->phase, sp->round, &n);
    if (!sheets)
        return -1;
    if (n < sp->expected || n == 0)
        return ocop_ctx_fail(ctx, reply, OCOP_E_ILLEGAL_STATE, "session_id",
                             "product %s has %zu of the %u sheets of phase %u, round %u", sp->product_id, n,
                             sp->expected, sp->phase, sp->round);
    const eval_rubric_t *rubric = eval_session_rubric(ctx, reply, sp);
    if (!rubric)
        return -1;
    double sum = 0;
    for (size_t i = 0; i < n; i++)
        sum += sheets[i]->total;
    out->mean = sum / (double)n;
    out->band = eval_bands_stars(eval_state(ctx)->bands, out->mean);
    if (out->band < 0)
        return ocop_ctx_fail(ctx, reply, OCOP_E_INTERNAL, "", "mean %g of product %s is out of range", out->mean,
                             sp->product_id);
    sp->mean = out->mean;
    eval_finding_compute(ocop_ctx_arena(ctx), rubric, sheets, n, out->band, sp);
    out->ranked = (int)sp->ranked_stars;
    return 0;
}

static int s_scoring(ocop_ctx_t *ctx, Ocop__Reply *reply, const Ocop__EvalSession *s)
{
    if (s->state == OCOP__SESSION_STATE__SESSION_STATE_SCORING)
        return 0;
    return ocop_ctx_fail(ctx, reply, OCOP_E_ILLEGAL_STATE, "session_id", "session %s is %s", s->id,
                         s->state == OCOP__SESSION_STATE__SESSION_STATE_CLOSED ? "already closed" : "not started");
}

/* ---------------------------------------------------------------- phase 2 */

static const char *s_lab_reference(const Ocop__EvalPhaseAdvance *in, const char *product_id)
{
    for (size_t i = 0; i < in->n_lab_results; i++)
        if (strcmp(in->lab_results[i]->product_id, product_id) == 0)
            return in->lab_results[i]->reference;
    return NULL;
}

static int s_check_lab_results(ocop_ctx_t *ctx, Ocop__Reply *reply, const Ocop__EvalPhaseAdvance *in,
                               Ocop__EvalSessionProduct **sps, size_t n)
{
    for (size_t i = 0; i < in->n_lab_results; i++) {
        char field[48];
        snprintf(field, sizeof field, "lab_results[%zu].reference", i);
        if (ocop_ctx_check_text(ctx, reply, field, in->lab_results[i]->reference, 1, EVAL_NAME_MAX) != 0)
            return -1;
        snprintf(field, sizeof field, "lab_results[%zu].product_id", i);
        bool known = false;
        for (size_t j = 0; j < n && !known; j++)
            known = strcmp(sps[j]->product_id, in->lab_results[i]->product_id) == 0;
        if (!known)
            return ocop_ctx_fail(ctx, reply, OCOP_E_NOT_FOUND, field, "product %.64s is not in this session",
                                 in->lab_results[i]->product_id);
        for (size_t j = 0; j < i; j++)
            if (strcmp(in->lab_results[j]->product_id, in->lab_results[i]->product_id) == 0)
                return ocop_ctx_fail(ctx, reply, OCOP_E_INVALID, field, "product %s has two lab results",
                                     in->lab_results[i]->product_id);
    }
    return 0;
}

int eval_handle_phase_advance(ocop_ctx_t *ctx, const Ocop__Request *req, Ocop__Reply *reply)
{
    const Ocop__EvalPhaseAdvance *in = req->eval_phase_advance;
    eval_state_t *state = eval_state(ctx);
    Ocop__EvalSession *s = eval_session_load(ctx, reply, "session_id", in->session_id);
    if (!s || s_scoring(ctx, reply, s) != 0)
        return -1;
    if (!s->two_phase || s->phase != 1)
        return ocop_ctx_fail(ctx, reply, OCOP_E_ILLEGAL_STATE, "session_id", "session %s %s", s->id,
                             s->two_phase ? "is already in phase 2" : "has a single phase");
    size_t n;
    Ocop__EvalSessionProduct **sps = eval_session_products(ctx, reply, s->id, &n);
    if (!sps || s_check_lab_results(ctx, reply, in, sps, n) != 0)
        return -1;
    const char **selected = ocop_arena_alloc(ocop_ctx_arena(ctx), n * sizeof *selected);
    size_t n_selected = 0;
    for (size_t i = 0; i < n; i++) {
        s_result_t r;
        if (s_result(ctx, reply, s, sps[i], &r) != 0)
            return -1;
        sps[i]->selected = r.ranked >= eval_bands_certified_min_stars(state->bands);
        if (!sps[i]->selected)
            continue;
        const char *lab = s_lab_reference(in, sps[i]->product_id);
        if (!lab)
            return ocop_ctx_fail(ctx, reply, OCOP_E_INVALID, "lab_results",
                                 "product %s goes on to phase 2 and needs its laboratory results", sps[i]->product_id);
        sps[i]->lab_reference = (char *)lab;
        selected[n_selected++] = sps[i]->product_id;
    }
    for (size_t i = 0; i < n; i++) {
        if (sps[i]->selected) {
            sps[i]->phase = 2;
            sps[i]->round = 1;
            sps[i]->sheets = 0;
        }
        if (eval_session_product_store(ctx, reply, s->id, sps[i]) != 0)
            return -1;
    }
    s->phase = 2;
    if (eval_session_store(ctx, reply, s) != 0)
        return -1;
    Ocop__EvalPhaseAdvanced body = OCOP__EVAL_PHASE_ADVANCED__INIT;
    body.session_id = s->id;
    body.n_selected_product_ids = n_selected;
    body.selected_product_ids = (char **)selected;
    if (ocop_ctx_publish_body(ctx, reply, &body.base) != 0)
        return -1;
    eval_reply_session(reply, s, sps, n);
    return 0;
}

/* ---------------------------------------------------------------- closing */

typedef struct {
    Ocop__EvalSession *session;
    const eval_policy_t *policy;
    eval_decision_t decision;
    int year;
} s_close_t;

static int s_forward(ocop_ctx_t *ctx, Ocop__Reply *reply, const s_close_t *c, Ocop__EvalProduct *p,
                     const eval_outcome_t *o, double mean)
{
    p->forwarded_to = eval_level_to_proto(o->forward_to);
    p->forwarded_mean = mean;
    Ocop__EvalProposalMade body = OCOP__EVAL_PROPOSAL_MADE__INIT;
    body.product_id = p->id;
    body.session_id = c->session->id;
    body.to_level = p->forwarded_to;
    body.mean = mean;
    return ocop_ctx_publish_body(ctx, reply, &body.base);
}

/* The product's rating after the result: conferred stars replace it (with a new certificate);
 * a product forwarded here that this level does not recognise keeps what it had, and so does
 * one proposed upward without stars here (26/2026 Art. 7.3(e): its certificate stands until the
 * ministry decides); a re-evaluated product that earns nothing here loses its certificate. */
static int s_rate(ocop_ctx_t *ctx, Ocop__Reply *reply, const s_close_t *c, Ocop__EvalProduct *p,
                  Ocop__EvalSessionProduct *sp, const eval_outcome_t *o)
{
    bool came_forwarded = p->forwarded_to == c->session->level;
    uint32_t stars = p->stars;
    const char *reason = p->stars ? "re-evaluation" : "evaluation";
    if (o->stars > 0) {
        if (eval_certificate_issue(ctx, reply, p, c->session, sp, (uint32_t)o->stars, c->policy, &c->decision) != 0)
            return -1;
        stars = (uint32_t)o->stars;
        sp->certificate_id = p->certificate_id;
    } else if (!came_forwarded && !o->forwarded && p->stars > 0) {
        if (eval_certificate_end_current(ctx, reply, p, OCOP__CERTIFICATE_STATE__CERTIFICATE_STATE_SUPERSEDED,
                                         OCOP__REVOCATION_REASON__REVOCATION_REASON_UNSPECIFIED,
                                         "re-evaluated below the certified stars") != 0)
            return -1;
        stars = 0;
    }
    eval_rating_why_t why = {
        reason, c->session->id, sp->rubric, sp->rubric_digest, c->session->policy, c->session->policy_digest};
    return eval_rating_set(ctx, reply, p, stars, &why);
}

static int s_disclose(ocop_ctx_t *ctx, Ocop__Reply *reply, const s_close_t *c, const Ocop__EvalProduct *p,
                      Ocop__EvalSessionProduct *sp)
{
    Ocop__EvalResultDisclosed body = OCOP__EVAL_RESULT_DISCLOSED__INIT;
    body.sheets = eval_sheets_read(ctx, reply, c->session->id, sp->product_id, 0, 0, &body.n_sheets);
    if (!body.sheets)
        return -1;
    body.session_id = c->session->id;
    body.council_id = c->session->council_id;
    body.level = c->session->level;
    body.province_code = p->province_code;
    body.sector_code = p->sector_code;
    body.date = c->session->date;
    body.policy = c->session->policy;
    body.policy_digest = c->session->policy_digest;
    body.result = sp;
    return ocop_ctx_publish_body(ctx, reply, &body.base);
}

/* A re-evaluation decided later than the policy's limit after its filing (26/2026 Art. 7.6(g));
 * decided on the decision's date, else today. */
static bool s_finished_late(ocop_ctx_t *ctx, const s_close_t *c, const Ocop__EvalSessionProduct *sp)
{
    const eval_reevaluation_rules_t *r = &c->policy->reevaluation;
    if (sp->dossier_kind != OCOP__DOSSIER_KIND__DOSSIER_KIND_REEVALUATION || !r->has || r->finish_days == 0)
        return false;
    char limit[OCOP_DATE_LEN], today[OCOP_DATE_LEN];
    ocop_day_of(ocop_ctx_now_ms(ctx), today);
    const char *decided = *c->decision.date ? c->decision.date : today;
    return ocop_date_add_days(sp->dossier_filed, r->finish_days, limit) == 0 && strcmp(decided, limit) > 0;
}

static int s_close_product(ocop_ctx_t *ctx, Ocop__Reply *reply, const s_close_t *c, Ocop__EvalSessionProduct *sp,
                           const s_result_t *r)
{
    Ocop__EvalProduct *p = eval_product_load(ctx, reply, "session_id", sp->product_id);
    if (!p)
        return -1;
    eval_outcome_t o;
    char err[256];
    if (eval_policy_outcome(c->policy, eval_level_of(c->session->level), r->mean, r->ranked, &o, err, sizeof err) != 0)
        return ocop_ctx_fail(ctx, reply, OCOP_E_INTERNAL, "", "%s", err);
    eval_central_result_keep(p, c->session, (uint32_t)r->ranked, r->mean, o.stars > 0);
    sp->finished_late = s_finished_late(ctx, c, sp);
    sp->mean = r->mean;
    sp->band_stars = (uint32_t)r->band;
    sp->stars = (uint32_t)o.stars;
    sp->forwarded = o.forwarded;
    sp->forward_to = o.forwarded ? eval_level_to_proto(o.forward_to) : OCOP__EVAL_LEVEL__EVAL_LEVEL_UNSPECIFIED;
    if (s_rate(ctx, reply, c, p, sp, &o) != 0)
        return -1;
    p->forwarded_to = OCOP__EVAL_LEVEL__EVAL_LEVEL_UNSPECIFIED;
    p->forwarded_mean = 0;
    if (o.forwarded && s_forward(ctx, reply, c, p, &o, r->mean) != 0)
        return -1;
    p->session_id = "";
    p->rated_year = ocop_arena_printf(ocop_ctx_arena(ctx), "%d", c->year);
    if (eval_report_record(ctx, reply, p, c->year, eval_standing_of(p)) != 0 ||
        eval_product_store(ctx, reply, p) != 0 || eval_session_product_store(ctx, reply, c->session->id, sp) != 0)
        return -1;
    /* After the year's report: a back-dated result counts in its year, and its certificate
     * never stays valid past its term. */
    if (eval_certificate_expire_if_past(ctx, reply, p->id) != 0)
        return -1;
    return s_disclose(ctx, reply, c, p, sp);
}

/* The stars a decision states must be ones the council's level may confer, and the ones the
 * sheets give: a decision cannot confer more than the level allows, nor other than computed. */
static int s_check_claims(ocop_ctx_t *ctx, Ocop__Reply *reply, const s_close_t *c, const Ocop__EvalSessionClose *in,
                          Ocop__EvalSessionProduct **sps, const s_result_t *results, size_t n)
{
    eval_level_t level = eval_level_of(c->session->level);
    const eval_policy_level_t *lv = eval_policy_level(c->policy, level);
    for (size_t i = 0; i < in->n_decided; i++) {
        const Ocop__EvalStarsClaim *claim = in->decided[i];
        char field[40];
        snprintf(field, sizeof field, "decided[%zu].stars", i);
        size_t k = 0;
        while (k < n && strcmp(sps[k]->product_id, claim->product_id) != 0)
            k++;
        if (k == n)
            return ocop_ctx_fail(ctx, reply, OCOP_E_NOT_FOUND, field, "product %.64s is not in session %s",
                                 claim->product_id, c->session->id);
        if (claim->stars > (uint32_t)lv->confers_max_stars)
            return ocop_ctx_fail(ctx, reply, OCOP_E_FORBIDDEN, field,
                                 "under %s a %s council confers at most %d stars, not %u", c->policy->decision,
                                 eval_level_name(level), lv->confers_max_stars, claim->stars);
        eval_outcome_t o;
        char err[256];
        if (eval_policy_outcome(c->policy, level, results[k].mean, results[k].ranked, &o, err, sizeof err) != 0)
            return ocop_ctx_fail(ctx, reply, OCOP_E_INTERNAL, "", "%s", err);
        if (claim->stars != (uint32_t)o.stars)
            return ocop_ctx_fail(ctx, reply, OCOP_E_CONFLICT, field,
                                 "the sheets give product %s %d stars here (%s), not %u", claim->product_id, o.stars,
                                 sps[k]->why, claim->stars);
    }
    return 0;
}

/* The recognition decision's date: required where the certificate's term runs from it
 * (26/2026 Art. 4.3), not before the session, not after today. */
static int s_check_decision_date(ocop_ctx_t *ctx, Ocop__Reply *reply, const s_close_t *c, const char *date)
{
    if (!*date) {
        if (c->policy->certificate_from_decision)
            return ocop_ctx_fail(ctx, reply, OCOP_E_INVALID, "decision_date",
                                 "under %s a certificate runs from the recognition decision's date (%s): give "
                                 "decision_date",
                                 c->policy->decision, c->policy->certificate_article);
        return 0;
    }
    char today[OCOP_DATE_LEN];
    ocop_day_of(ocop_ctx_now_ms(ctx), today);
    if (!ocop_date_valid(date))
        return ocop_ctx_fail(ctx, reply, OCOP_E_INVALID, "decision_date", "decision_date must be a date YYYY-MM-DD");
    if (strcmp(date, c->session->date) < 0 || strcmp(date, today) > 0)
        return ocop_ctx_fail(ctx, reply, OCOP_E_INVALID, "decision_date",
                             "decision_date %s must lie between the session's date %s and today %s", date,
                             c->session->date, today);
    return 0;
}

int eval_handle_session_close(ocop_ctx_t *ctx, const Ocop__Request *req, Ocop__Reply *reply)
{
    const Ocop__EvalSessionClose *in = req->eval_session_close;
    s_close_t c = {.decision = {in->decision_ref, in->decision_date}};
    if (ocop_ctx_check_text(ctx, reply, "decision_ref", in->decision_ref, 1, EVAL_NAME_MAX) != 0)
        return -1;
    c.session = eval_session_load(ctx, reply, "session_id", in->session_id);
    if (!c.session || s_scoring(ctx, reply, c.session) != 0)
        return -1;
    if (c.session->two_phase && c.session->phase == 1)
        return ocop_ctx_fail(ctx, reply, OCOP_E_ILLEGAL_STATE, "session_id",
                             "session %s is in phase 1 of 2: advance it to phase 2 first", c.session->id);
    c.policy = eval_session_policy(ctx, reply, c.session);
    if (!c.policy || s_check_decision_date(ctx, reply, &c, in->decision_date) != 0)
        return -1;
    c.year = ocop_date_year(c.session->date);
    size_t n;
    Ocop__EvalSessionProduct **sps = eval_session_products(ctx, reply, c.session->id, &n);
    if (!sps)
        return -1;
    /* Every result is computed (and every round checked complete) before anything is written. */
    s_result_t *results = ocop_arena_alloc(ocop_ctx_arena(ctx), n * sizeof *results);
    for (size_t i = 0; i < n; i++)
        if (s_result(ctx, reply, c.session, sps[i], &results[i]) != 0)
            return -1;
    if (s_check_claims(ctx, reply, &c, in, sps, results, n) != 0)
        return -1;
    for (size_t i = 0; i < n; i++)
        if (s_close_product(ctx, reply, &c, sps[i], &results[i]) != 0)
            return -1;
    c.session->state = OCOP__SESSION_STATE__SESSION_STATE_CLOSED;
    c.session->decision_ref = in->decision_ref;
    c.session->closed_ms = ocop_ctx_now_ms(ctx);
    if (eval_session_store(ctx, reply, c.session) != 0)
        return -1;
    Ocop__EvalSessionClosed body = OCOP__EVAL_SESSION_CLOSED__INIT;
    body.session = c.session;
    if (ocop_ctx_publish_body(ctx, reply, &body.base) != 0)
        return -1;
    eval_reply_session(reply, c.session, sps, n);
    return 0;
}
