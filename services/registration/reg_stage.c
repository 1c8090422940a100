/* reg_stage — the transition table and the StageTransition request. */
#include "reg_stage.h"

#include <string.h>

#include "ocop_error.h"
#include "reg_counts.h"
#include "reg_handlers.h"
#include "reg_product.h"
#include "reg_state.h"

#define S(x) OCOP__STAGE__STAGE_##x
#define A(x) OCOP__STAGE_ACTION__STAGE_ACTION_##x

/* Steps 2–6 of the cycle. Commune staff accept or reject the idea (step 2) and the plan
 * (step 3); the producer carries the plan out (step 4) and submits the evaluation dossier;
 * the dossier is accepted for evaluation (step 5) and a rated product moves on to trade
 * promotion (step 6). A rejection always carries a reason and can be answered by a
 * resubmission; a producer may withdraw at any point before promotion. */
static const struct {
    Ocop__Stage from;
    Ocop__StageAction action;
    Ocop__Stage to;
    bool needs_reason;
} s_table[] = {
    {S(IDEA_SUBMITTED), A(ACCEPT), S(PLAN_PREPARING), false},
    {S(IDEA_SUBMITTED), A(REJECT), S(IDEA_REJECTED), true},
    {S(IDEA_REJECTED), A(RESUBMIT), S(IDEA_SUBMITTED), false},
    {S(PLAN_PREPARING), A(SUBMIT), S(PLAN_SUBMITTED), false},
    {S(PLAN_SUBMITTED), A(ACCEPT), S(IMPLEMENTING), false},
    {S(PLAN_SUBMITTED), A(REJECT), S(PLAN_REJECTED), true},
    {S(PLAN_REJECTED), A(RESUBMIT), S(PLAN_SUBMITTED), false},
    {S(IMPLEMENTING), A(SUBMIT), S(READY_FOR_EVALUATION), false},
    {S(READY_FOR_EVALUATION), A(ACCEPT), S(EVALUATING), false},
    {S(READY_FOR_EVALUATION), A(REJECT), S(DOSSIER_REJECTED), true},
    {S(DOSSIER_REJECTED), A(RESUBMIT), S(READY_FOR_EVALUATION), false},
    {S(EVALUATING), A(PROMOTE), S(TRADE_PROMOTION), false},
    {S(IDEA_SUBMITTED), A(WITHDRAW), S(WITHDRAWN), true},
    {S(IDEA_REJECTED), A(WITHDRAW), S(WITHDRAWN), true},
    {S(PLAN_PREPARING), A(WITHDRAW), S(WITHDRAWN), true},
    {S(PLAN_SUBMITTED), A(WITHDRAW), S(WITHDRAWN), true},
    {S(PLAN_REJECTED), A(WITHDRAW), S(WITHDRAWN), true},
    {S(IMPLEMENTING), A(WITHDRAW), S(WITHDRAWN), true},
    {S(READY_FOR_EVALUATION), A(WITHDRAW), S(WITHDRAWN), true},
    {S(DOSSIER_REJECTED), A(WITHDRAW), S(WITHDRAWN), true},
};

Ocop__Stage reg_stage_next(Ocop__Stage from, Ocop__StageAction action, bool *needs_reason)
{
    for (size_t i = 0; i < sizeof s_table / sizeof s_table[0]; i++)
        if (s_table[i].from == from && s_table[i].action == action) {
            *needs_reason = s_table[i].needs_reason;
            return s_table[i].to;
        }
    *needs_reason = false;
    return S(UNSPECIFIED);
}

const char *reg_stage_name(Ocop__Stage stage)
{
    const ProtobufCEnumValue *v = protobuf_c_enum_descriptor_get_value(&ocop__stage__descriptor, (int)stage);
    return v ? v->name + strlen("STAGE_") : "UNKNOWN";
}

const char *reg_stage_action_name(Ocop__StageAction action)
{
    const ProtobufCEnumValue *v = protobuf_c_enum_descriptor_get_value(&ocop__stage_action__descriptor, (int)action);
    return v ? v->name + strlen("STAGE_ACTION_") : "UNKNOWN";
}

int reg_handle_stage_transition(ocop_ctx_t *ctx, const Ocop__Request *req, Ocop__Reply *reply)
{
    reg_state_t *state = ocop_ctx_user(ctx);
    const Ocop__RegStageTransition *in = req->reg_stage_transition;
    ocop_arena_t *arena = ocop_ctx_arena(ctx);
    Ocop__RegProduct *p = reg_product_load(ctx, reply, "product_id", in->product_id);
    if (!p)
        return -1;
    if (reg_check_revision(ctx, reply, "product", p->id, p->revision, in->expected_revision) != 0)
        return -1;
    if (!protobuf_c_enum_descriptor_get_value(&ocop__stage_action__descriptor, (int)in->action) ||
        in->action == A(UNSPECIFIED))
        return ocop_ctx_fail(ctx, reply, OCOP_E_INVALID, "action",
                             "action must be accept, reject, resubmit, submit, withdraw or promote");
    bool needs_reason;
    Ocop__Stage to = reg_stage_next(p->stage, in->action, &needs_reason);
    if (to == S(UNSPECIFIED))
        return ocop_ctx_fail(ctx, reply, OCOP_E_ILLEGAL_STATE, "action", "%s is not allowed from stage %s",
                             reg_stage_action_name(in->action), reg_stage_name(p->stage));
    if (ocop_ctx_check_text(ctx, reply, "reason", in->reason, needs_reason, REG_REASON_MAX) != 0)
        return -1;
    /* A flagged product goes no further than its idea until a reviewer has cleared it. */
    if (in->action == A(ACCEPT) && (p->review == OCOP__REVIEW_STATE__REVIEW_PENDING ||
                                    p->review == OCOP__REVIEW_STATE__REVIEW_CONFIRMED_DUPLICATE))
        return ocop_ctx_fail(ctx, reply, OCOP_E_ILLEGAL_STATE, "product_id", "product %s %s", p->id,
                             p->review == OCOP__REVIEW_STATE__REVIEW_PENDING
                                 ? "awaits its duplicate review"
                                 : "was confirmed a duplicate and can only be withdrawn");

    Ocop__RegStageChange *change = ocop_arena_alloc(arena, sizeof *change);
    ocop__reg_stage_change__init(change);
    change->from = p->stage;
    change->to = to;
    change->action = in->action;
    change->by = (char *)ocop_ctx_caller(ctx);
    change->reason = in->reason;
    change->time_ms = ocop_ctx_now_ms(ctx);
    char old_value[4], new_value[4];
    reg_product_stage_value(p->stage, old_value);
    reg_product_stage_value(to, new_value);
    if (ocop_ctx_index_del(ctx, reply, state->db.product_idx, "stage", old_value, p->id) != 0 ||
        ocop_ctx_index_put(ctx, reply, state->db.product_idx, "stage", new_value, p->id) != 0 ||
        reg_counts_add(ctx, reply, p, p->stage, -1) != 0 || reg_counts_add(ctx, reply, p, to, +1) != 0 ||
        ocop_ctx_log_append(ctx, reply, state->db.product_history, p->id, &change->base, NULL) != 0)
        return -1;
    p->stage = to;
    p->revision++;
    p->updated_ms = change->time_ms;
    if (reg_product_store(ctx, reply, p) != 0)
        return -1;

    Ocop__RegProductStageChanged *body = ocop_arena_alloc(arena, sizeof *body);
    ocop__reg_product_stage_changed__init(body);
    body->product_id = p->id;
    body->entity_id = p->entity_id;
    body->province_code = p->province_code;
    body->current_province_code = p->current_province_code;
    body->sector_code = p->sector_code;
    body->product_set_code = p->product_set_code;
    body->change = change;
    if (ocop_ctx_publish_body(ctx, reply, &body->base) != 0)
        return -1;
    return reg_product_reply_detail(ctx, reply, p);
}
