/* eval_sheet — sealed score sheets: one per present, untied member, product, phase and round,
 * checked against the product's rubric; a round whose totals spread more than the session's
 * limit calls for another round. Every sheet is kept: the first independent ones matter most. */
#include "eval_sheet.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "eval_handlers.h"
#include "eval_session.h"
#include "ocop_error.h"

#define S_ITEMS_MAX 200

void eval_sheet_key(ocop_key_t *key, const char *session_id, const char *product_id, uint32_t phase, uint32_t round,
                    const char *member_id)
{
    ocop_key_init(key);
    ocop_key_str(key, session_id);
    ocop_key_str(key, product_id);
    if (phase) {
        ocop_key_u32(key, phase);
        ocop_key_u32(key, round);
        if (member_id)
            ocop_key_str(key, member_id);
    }
}

Ocop__EvalSheet **eval_sheets_read(ocop_ctx_t *ctx, Ocop__Reply *reply, const char *session_id, const char *product_id,
                                   uint32_t phase, uint32_t round, size_t *n)
{
    ocop_key_t prefix;
    eval_sheet_key(&prefix, session_id, product_id, phase, round, NULL);
    return (Ocop__EvalSheet **)eval_read_prefix(ctx, reply, eval_state(ctx)->db.sheets, &prefix,
                                                &ocop__eval_sheet__descriptor, n, "reading sheets");
}

double eval_sheets_spread(Ocop__EvalSheet *const *sheets, size_t n)
{
    if (n == 0)
        return 0;
    double lo = sheets[0]->total, hi = sheets[0]->total;
    for (size_t i = 1; i < n; i++) {
        lo = fmin(lo, sheets[i]->total);
        hi = fmax(hi, sheets[i]->total);
    }
    return hi - lo;
}

/* Turns the request's criteria into the rubric checker's arrays (arena memory). */
static void s_sheet_of(ocop_arena_t *arena, const Ocop__EvalSheetSubmit *in, eval_sheet_t *sheet)
{
    eval_choice_t *choices = ocop_arena_alloc(arena, (in->n_scores + 1) * sizeof *choices);
    for (size_t i = 0; i < in->n_scores; i++)
        choices[i] = (eval_choice_t){in->scores[i]->id, in->scores[i]->option, in->scores[i]->score};
    *sheet = (eval_sheet_t){choices, in->n_scores, (const char *const *)in->knockouts, in->n_knockouts};
}

/* The sheet as kept: each choice with the points its option gives (a free number as given). */
static Ocop__EvalScore **s_kept_scores(ocop_arena_t *arena, const eval_rubric_t *rubric,
                                       const Ocop__EvalSheetSubmit *in)
{
    Ocop__EvalScore **out = ocop_arena_alloc(arena, (in->n_scores + 1) * sizeof *out);
    for (size_t i = 0; i < in->n_scores; i++) {
        out[i] = ocop_arena_alloc(arena, sizeof **out);
        *out[i] = *in->scores[i];
        if (!rubric->has_options)
            continue;
        const eval_criterion_t *c = eval_rubric_criterion_near(rubric, in->scores[i]->id, i);
        out[i]->score = c->options[eval_criterion_option(c, in->scores[i]->option)].points;
    }
    return out;
}

/* The member may score this product now: a present, untied member of the council. */
static int s_check_member(ocop_ctx_t *ctx, Ocop__Reply *reply, const Ocop__EvalSession *s,
                          const Ocop__EvalSessionProduct *sp, const char *member_id)
{
    const Ocop__EvalCouncil *c = ocop_ctx_get(ctx, reply, eval_state(ctx)->db.councils, s->council_id,
                                              &ocop__eval_council__descriptor, "session_id", "council");
    if (!c)
        return -1;
    const Ocop__EvalMember *m = eval_council_member(c, member_id);
    if (!m)
        return ocop_ctx_fail(ctx, reply, OCOP_E_FORBIDDEN, "member_id", "%.64s is not a member of council %s",
                             member_id, c->id);
    bool present = false;
    for (size_t i = 0; i < s->n_present_member_ids; i++)
        present |= strcmp(s->present_member_ids[i], m->id) == 0;
    if (!present)
        return ocop_ctx_fail(ctx, reply, OCOP_E_FORBIDDEN, "member_id",
                             "member %s was not present when session %s started", m->id, s->id);
    if (eval_member_tied(m, sp->entity_id))
        return ocop_ctx_fail(ctx, reply, OCOP_E_FORBIDDEN, "member_id",
                             "member %s declared a tie to entity %s and may not score its product %s", m->id,
                             sp->entity_id, sp->product_id);
    return 0;
}

static int s_check_position(ocop_ctx_t *ctx, Ocop__Reply *reply, const Ocop__EvalSession *s,
                            const Ocop__EvalSessionProduct *sp, const Ocop__EvalSheetSubmit *in)
{
    if (s->state != OCOP__SESSION_STATE__SESSION_STATE_SCORING)
        return ocop_ctx_fail(ctx, reply, OCOP_E_ILLEGAL_STATE, "session_id", "session %s is %s: no sheet is taken",
                             s->id, s->state == OCOP__SESSION_STATE__SESSION_STATE_CLOSED ? "closed" : "not started");
    if (s->two_phase && s->phase == 2 && !sp->selected)
        return ocop_ctx_fail(ctx, reply, OCOP_E_ILLEGAL_STATE, "product_id",
                             "product %s was not selected for phase 2 of session %s", sp->product_id, s->id);
    if (in->phase != sp->phase)
        return ocop_ctx_fail(ctx, reply, OCOP_E_ILLEGAL_STATE, "phase", "product %s is in phase %u, not %u",
                             sp->product_id, sp->phase, in->phase);
    if (in->round != sp->round)
        return ocop_ctx_fail(ctx, reply, OCOP_E_ILLEGAL_STATE, "round", "product %s is in round %u, not %u",
                             sp->product_id, sp->round, in->round);
    if (*in->rubric && strcmp(in->rubric, sp->rubric) != 0)
        return ocop_ctx_fail(ctx, reply, OCOP_E_INVALID, "rubric",
                             "product %s is scored with rubric %s, not %.40s (its product set's)", sp->product_id,
                             sp->rubric, in->rubric);
    if (in->n_scores > S_ITEMS_MAX)
        return ocop_ctx_fail(ctx, reply, OCOP_E_INVALID, "scores", "a sheet has at most %d criteria", S_ITEMS_MAX);
    if (in->n_knockouts > S_ITEMS_MAX)
        return ocop_ctx_fail(ctx, reply, OCOP_E_INVALID, "knockouts", "a sheet flags at most %d knock-outs",
                             S_ITEMS_MAX);
    return 0;
}

/* After the last expected sheet of a round: another round when the totals spread too far. */
static int s_round_done(ocop_ctx_t *ctx, Ocop__Reply *reply, const Ocop__EvalSession *s, Ocop__EvalSessionProduct *sp,
                        Ocop__EvalSheetReceipt *receipt)
{
    size_t n;
    Ocop__EvalSheet **sheets = eval_sheets_read(ctx, reply, s->id, sp->product_id, sp->phase, sp->round, &n);
    if (!sheets)
        return -1;
    double spread = eval_sheets_spread(sheets, n);
    if (sp->round == 1 && sp->phase == 1)
        sp->first_round_spread = spread;
    sp->final_spread = spread;
    if (spread <= s->spread_limit || sp->round >= s->max_rounds)
        return 0;
    sp->round++;
    sp->sheets = 0;
    receipt->another_round = true;
    Ocop__EvalRoundRequired body = OCOP__EVAL_ROUND_REQUIRED__INIT;
    body.session_id = s->id;
    body.product_id = sp->product_id;
    body.phase = sp->phase;
    body.round = sp->round;
    return ocop_ctx_publish_body(ctx, reply, &body.base);
}

int eval_handle_sheet_submit(ocop_ctx_t *ctx, const Ocop__Request *req, Ocop__Reply *reply)
{
    const Ocop__EvalSheetSubmit *in = req->eval_sheet_submit;
    eval_state_t *state = eval_state(ctx);
    ocop_arena_t *arena = ocop_ctx_arena(ctx);
    Ocop__EvalSession *s = eval_session_load(ctx, reply, "session_id", in->session_id);
    if (!s || ocop_ctx_check_text(ctx, reply, "product_id", in->product_id, 1, EVAL_CODE_MAX) != 0 ||
        ocop_ctx_check_text(ctx, reply, "member_id", in->member_id, 1, 64) != 0)
        return -1;
    Ocop__EvalSessionProduct *sp = eval_session_product_load(ctx, reply, s->id, in->product_id);
    if (!sp || s_check_position(ctx, reply, s, sp, in) != 0 || s_check_member(ctx, reply, s, sp, in->member_id) != 0)
        return -1;
    ocop_key_t key;
    eval_sheet_key(&key, s->id, sp->product_id, sp->phase, sp->round, in->member_id);
    ocop_bytes_t submitted;
    int rc = ocop_ctx_value(ctx, reply, state->db.sheets, &key, &submitted);
    if (rc < 0)
        return -1;
    if (rc == 0)
        return ocop_ctx_fail(ctx, reply, OCOP_E_CONFLICT, "member_id",
                             "member %s already submitted a sheet for product %s in phase %u, round %u", in->member_id,
                             sp->product_id, sp->phase, sp->round);
    const eval_rubric_t *rubric = eval_session_rubric(ctx, reply, sp);
    if (!rubric)
        return -1;
    eval_sheet_t sheet;
    eval_sheet_result_t result;
    char err[256];
    s_sheet_of(arena, in, &sheet);
    if (eval_rubric_check_sheet(rubric, &sheet, &result, err, sizeof err) != EVAL_SHEET_OK)
        return ocop_ctx_fail(ctx, reply, OCOP_E_INVALID, strncmp(err, "knockouts", 9) == 0 ? "knockouts" : "scores",
                             "%s (rubric %s)", err, sp->rubric);

    Ocop__EvalSheet kept = OCOP__EVAL_SHEET__INIT;
    kept.session_id = s->id;
    kept.product_id = sp->product_id;
    kept.member_id = in->member_id;
    kept.phase = sp->phase;
    kept.round = sp->round;
    kept.n_scores = in->n_scores;
    kept.scores = s_kept_scores(arena, rubric, in);
    kept.n_knockouts = in->n_knockouts;
    kept.knockouts = in->knockouts;
    kept.n_parts = EVAL_RUBRIC_PARTS;
    kept.parts = result.parts;
    kept.total = result.total;
    kept.minimum_stars = (uint32_t)result.minimum_stars;
    kept.time_ms = ocop_ctx_now_ms(ctx);
    if (ocop_ctx_record_put(ctx, reply, state->db.sheets, &key, &kept.base) != 0)
        return -1;

    Ocop__EvalSheetReceipt *receipt = ocop_arena_alloc(arena, sizeof *receipt);
    ocop__eval_sheet_receipt__init(receipt);
    receipt->session_id = s->id;
    receipt->product_id = sp->product_id;
    receipt->member_id = in->member_id;
    receipt->phase = sp->phase;
    receipt->round = sp->round;
    sp->sheets++;
    receipt->sheets = sp->sheets;
    receipt->expected = sp->expected;
    receipt->round_complete = sp->sheets >= sp->expected;
    Ocop__EvalSheetSubmitted body = OCOP__EVAL_SHEET_SUBMITTED__INIT;
    body.session_id = s->id;
    body.product_id = sp->product_id;
    body.member_id = in->member_id;
    body.phase = sp->phase;
    body.round = sp->round;
    if (ocop_ctx_publish_body(ctx, reply, &body.base) != 0)
        return -1;
    if (receipt->round_complete && s_round_done(ctx, reply, s, sp, receipt) != 0)
        return -1;
    if (eval_session_product_store(ctx, reply, s->id, sp) != 0)
        return -1;
    reply->body_case = OCOP__REPLY__BODY_EVAL_SHEET_RECEIPT;
    reply->eval_sheet_receipt = receipt;
    return 0;
}

int eval_handle_sheet_list(ocop_ctx_t *ctx, const Ocop__Request *req, Ocop__Reply *reply)
{
    const Ocop__EvalSheetList *in = req->eval_sheet_list;
    Ocop__EvalSession *s = eval_session_load(ctx, reply, "session_id", in->session_id);
    if (!s)
        return -1;
    if (s->state != OCOP__SESSION_STATE__SESSION_STATE_CLOSED)
        return ocop_ctx_fail(ctx, reply, OCOP_E_ILLEGAL_STATE, "session_id",
                             "the sheets of session %s are sealed until it closes", s->id);
    if (!eval_session_product_load(ctx, reply, s->id, in->product_id))
        return -1;
    Ocop__EvalSheetPage *page = ocop_arena_alloc(ocop_ctx_arena(ctx), sizeof *page);
    ocop__eval_sheet_page__init(page);
    page->sheets = eval_sheets_read(ctx, reply, s->id, in->product_id, 0, 0, &page->n_sheets);
    if (!page->sheets)
        return -1;
    reply->body_case = OCOP__REPLY__BODY_EVAL_SHEET_PAGE;
    reply->eval_sheet_page = page;
    return 0;
}
