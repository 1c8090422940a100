/* eval_self — the producer's self-assessment; see eval_self.h. */
#include "eval_self.h"

#include <stdio.h>
#include <string.h>

#include "eval_advice.h"
#include "eval_finding.h"
#include "eval_handlers.h"
#include "eval_product.h"
#include "ocop_error.h"

/* As many as a member's sheet may carry (eval_sheet.c). */
#define S_ITEMS_MAX 200

Ocop__EvalSelfAssessment *eval_self_latest(ocop_ctx_t *ctx, Ocop__Reply *reply, const char *product_id, uint64_t *n)
{
    ocop_bytes_t v;
    if (ocop_ctx_log_last(ctx, reply, eval_state(ctx)->db.self_assessments, product_id, n, &v) != 0) {
        *n = UINT64_MAX;
        return NULL;
    }
    if (*n == 0)
        return NULL;
    Ocop__EvalSelfAssessment *a = (Ocop__EvalSelfAssessment *)protobuf_c_message_unpack(
        &ocop__eval_self_assessment__descriptor, ocop_arena_allocator(ocop_ctx_arena(ctx)), v.size, v.data);
    if (!a) {
        *n = UINT64_MAX;
        ocop_ctx_db_error(ctx, reply, OCOP_STORE_CORRUPT, "reading a self-assessment");
    }
    return a;
}

/* The request's scores as the checker's sheet (arena memory). */
static void s_sheet_of(ocop_arena_t *arena, const Ocop__EvalSelfAssess *in, eval_sheet_t *sheet)
{
    eval_choice_t *choices = ocop_arena_alloc(arena, (in->n_scores + 1) * sizeof *choices);
    for (size_t i = 0; i < in->n_scores; i++)
        choices[i] = (eval_choice_t){in->scores[i]->id, in->scores[i]->option, in->scores[i]->score};
    *sheet = (eval_sheet_t){choices, in->n_scores, (const char *const *)in->knockouts, in->n_knockouts};
}

/* The scores as kept: each with the points its option gives. */
static Ocop__EvalScore **s_scores(ocop_arena_t *arena, const eval_rubric_t *r, const Ocop__EvalSelfAssess *in)
{
    Ocop__EvalScore **out = ocop_arena_alloc(arena, (in->n_scores + 1) * sizeof *out);
    for (size_t i = 0; i < in->n_scores; i++) {
        out[i] = ocop_arena_alloc(arena, sizeof **out);
        *out[i] = *in->scores[i];
        const eval_criterion_t *c = eval_rubric_criterion_near(r, in->scores[i]->id, i);
        out[i]->score = c->options[eval_criterion_option(c, in->scores[i]->option)].points;
    }
    return out;
}

static Ocop__EvalAdvice **s_advice(ocop_arena_t *arena, const eval_advice_t *adv)
{
    Ocop__EvalAdvice **out = ocop_arena_alloc(arena, (adv->n_items + 1) * sizeof *out);
    for (size_t i = 0; i < adv->n_items; i++) {
        const eval_advice_item_t *it = &adv->items[i];
        Ocop__EvalAdvice *a = out[i] = ocop_arena_alloc(arena, sizeof *a);
        ocop__eval_advice__init(a);
        a->criterion_id = (char *)it->criterion->id;
        a->from_option = (char *)it->criterion->options[it->from].id;
        a->to_option = (char *)it->criterion->options[it->to].id;
        a->points_gained = it->points_gained;
        a->reason = (char *)eval_advice_reason_name(it->reason);
    }
    return out;
}

/* The advice in one sentence, or why there is none. */
static char *s_note(ocop_arena_t *arena, const eval_advice_t *adv, const Ocop__EvalSelfAssess *in)
{
    if (adv->knocked_out)
        return ocop_arena_printf(arena,
                                 "knocked out (%s%s): no star while a knock-out condition holds, and no change of "
                                 "option lifts one, so no advice",
                                 in->knockouts[0], in->n_knockouts > 1 ? ", …" : "");
    if (!adv->next_stars)
        return ocop_arena_printf(arena, "%d stars: nothing to advise", adv->ranked_stars);
    size_t minimum = 0;
    for (size_t i = 0; i < adv->n_items; i++)
        minimum += adv->items[i].reason == EVAL_ADVICE_MINIMUM;
    return ocop_arena_printf(arena,
                             "%s %d stars: %zu criteria raised to their %d-star minimum and %zu for points, total "
                             "%.2f -> %.2f",
                             adv->reaches ? "to reach" : "no change reaches", adv->next_stars, minimum, adv->next_stars,
                             adv->n_items - minimum, adv->sheet.total, adv->advice_total);
}

/* Minimums missed and knock-outs flagged: the council's finding (eval_finding) on this sheet. */
static void s_finding(ocop_arena_t *arena, const eval_rubric_t *r, Ocop__EvalSelfAssessment *a,
                      const Ocop__EvalSelfAssess *in)
{
    Ocop__EvalSheet sheet = OCOP__EVAL_SHEET__INIT;
    Ocop__EvalSheet *one = &sheet;
    sheet.n_scores = a->n_scores;
    sheet.scores = a->scores;
    sheet.n_knockouts = in->n_knockouts;
    sheet.knockouts = in->knockouts;
    sheet.total = a->total;
    Ocop__EvalSessionProduct sp = OCOP__EVAL_SESSION_PRODUCT__INIT;
    sp.mean = a->total;
    eval_finding_compute(arena, r, &one, 1, (int)a->band_stars, &sp);
    a->n_minimums_missed = sp.n_minimums_missed;
    a->minimums_missed = sp.minimums_missed;
    a->n_knockouts = sp.n_knockouts;
    a->knockouts = sp.knockouts;
}

static int s_check(ocop_ctx_t *ctx, Ocop__Reply *reply, const Ocop__EvalSelfAssess *in)
{
    if (in->n_scores > S_ITEMS_MAX)
        return ocop_ctx_fail(ctx, reply, OCOP_E_INVALID, "scores", "a sheet has at most %d criteria", S_ITEMS_MAX);
    if (in->n_knockouts > S_ITEMS_MAX)
        return ocop_ctx_fail(ctx, reply, OCOP_E_INVALID, "knockouts", "a sheet flags at most %d knock-outs",
                             S_ITEMS_MAX);
    return 0;
}

int eval_handle_self_assess(ocop_ctx_t *ctx, const Ocop__Request *req, Ocop__Reply *reply)
{
    const Ocop__EvalSelfAssess *in = req->eval_self_assess;
    eval_state_t *state = eval_state(ctx);
    ocop_arena_t *arena = ocop_ctx_arena(ctx);
    const char *date = eval_form_date(ctx, reply, in->date);
    if (!date || s_check(ctx, reply, in) != 0)
        return -1;
    Ocop__EvalProduct *p = eval_product_load(ctx, reply, "product_id", in->product_id);
    if (!p)
        return -1;
    const eval_policy_t *policy;
    const eval_rubric_t *r = eval_form_rubric(ctx, reply, p, date, &policy);
    if (!r)
        return -1;
    if (!r->self_assessment)
        return ocop_ctx_fail(ctx, reply, OCOP_E_INVALID, "date",
                             "the sheets of %s (in force on %s) have no self-assessment: it came with 148/QĐ-TTg",
                             r->version, date);
    eval_sheet_t sheet;
    s_sheet_of(arena, in, &sheet);
    eval_advice_item_t *items = ocop_arena_alloc(arena, (r->n_criteria + 1) * sizeof *items);
    eval_advice_t adv;
    char err[256];
    if (eval_advice_compute(r, state->bands, &sheet, items, r->n_criteria, &adv, err, sizeof err) != EVAL_SHEET_OK)
        return ocop_ctx_fail(ctx, reply, OCOP_E_INVALID, strncmp(err, "knockouts", 9) == 0 ? "knockouts" : "scores",
                             "%s (rubric %s/%s)", err, r->instrument, r->product_set);
    uint64_t n;
    if (!eval_self_latest(ctx, reply, p->id, &n) && n == UINT64_MAX)
        return -1;

    Ocop__EvalSelfAssessment *a = ocop_arena_alloc(arena, sizeof *a);
    ocop__eval_self_assessment__init(a);
    a->product_id = p->id;
    a->entity_id = p->entity_id;
    a->date = (char *)date;
    a->policy = (char *)policy->decision;
    a->rubric = ocop_arena_printf(arena, "%s/%s", r->instrument, r->product_set);
    a->rubric_digest = (char *)r->digest;
    a->n_scores = in->n_scores;
    a->scores = s_scores(arena, r, in);
    a->n_parts = EVAL_RUBRIC_PARTS;
    a->parts = ocop_arena_alloc(arena, sizeof adv.sheet.parts);
    memcpy(a->parts, adv.sheet.parts, sizeof adv.sheet.parts);
    a->total = adv.sheet.total;
    a->band_stars = (uint32_t)adv.band_stars;
    a->minimum_stars = (uint32_t)adv.sheet.minimum_stars;
    a->ranked_stars = (uint32_t)adv.ranked_stars;
    s_finding(arena, r, a, in);
    a->next_stars = (uint32_t)adv.next_stars;
    a->n_advice = adv.n_items;
    a->advice = s_advice(arena, &adv);
    a->advice_total = adv.advice_total;
    a->advice_note = s_note(arena, &adv, in);
    a->time_ms = ocop_ctx_now_ms(ctx);
    a->by = (char *)ocop_ctx_caller(ctx);
    a->number = (uint32_t)(n + 1);

    if (ocop_ctx_log_append(ctx, reply, state->db.self_assessments, p->id, &a->base, NULL) != 0)
        return -1;
    Ocop__EvalSelfAssessed body = OCOP__EVAL_SELF_ASSESSED__INIT;
    body.assessment = a;
    if (ocop_ctx_publish_body(ctx, reply, &body.base) != 0)
        return -1;
    reply->body_case = OCOP__REPLY__BODY_EVAL_SELF_ASSESSMENT;
    reply->eval_self_assessment = a;
    return 0;
}

int eval_handle_self_assessment_get(ocop_ctx_t *ctx, const Ocop__Request *req, Ocop__Reply *reply)
{
    Ocop__EvalProduct *p = eval_product_load(ctx, reply, "product_id", req->eval_self_assessment_get->product_id);
    if (!p)
        return -1;
    uint64_t n;
    Ocop__EvalSelfAssessment *a = eval_self_latest(ctx, reply, p->id, &n);
    if (!a)
        return n ? -1
                 : ocop_ctx_fail(ctx, reply, OCOP_E_NOT_FOUND, "product_id",
                                 "product %s has no self-assessment: its producer has not sent one", p->id);
    reply->body_case = OCOP__REPLY__BODY_EVAL_SELF_ASSESSMENT;
    reply->eval_self_assessment = a;
    return 0;
}
