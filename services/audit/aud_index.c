/* aud_index — see aud_index.h. One table from event body to the ids it carries. */
#include "aud_index.h"

#include <stddef.h>

typedef struct {
    aud_key_fn fn;
    void *user;
    int rc;
} s_emit_t;

static void s_key(s_emit_t *e, const char *kind, const char *value)
{
    if (e->rc == 0 && value && *value)
        e->rc = e->fn(e->user, kind, value);
}

static void s_product(s_emit_t *e, const char *id, const char *province)
{
    s_key(e, AUD_KEY_PRODUCT, id);
    s_key(e, AUD_KEY_PROVINCE, province);
}

static void s_registration(s_emit_t *e, const Ocop__Event *ev)
{
    switch (ev->body_case) {
    case OCOP__EVENT__BODY_REG_ENTITY_REGISTERED:
        if (ev->reg_entity_registered->entity)
            s_key(e, AUD_KEY_PROVINCE, ev->reg_entity_registered->entity->current_province_code);
        break;
    case OCOP__EVENT__BODY_REG_ENTITY_UPDATED:
        if (ev->reg_entity_updated->entity)
            s_key(e, AUD_KEY_PROVINCE, ev->reg_entity_updated->entity->current_province_code);
        break;
    case OCOP__EVENT__BODY_REG_PRODUCT_REGISTERED:
        if (ev->reg_product_registered->product)
            s_product(e, ev->reg_product_registered->product->id,
                      ev->reg_product_registered->product->current_province_code);
        break;
    case OCOP__EVENT__BODY_REG_PRODUCT_UPDATED:
        if (ev->reg_product_updated->product)
            s_product(e, ev->reg_product_updated->product->id, ev->reg_product_updated->product->current_province_code);
        break;
    case OCOP__EVENT__BODY_REG_PRODUCT_STAGE_CHANGED:
        s_product(e, ev->reg_product_stage_changed->product_id, ev->reg_product_stage_changed->current_province_code);
        break;
    case OCOP__EVENT__BODY_REG_DUPLICATE_FLAGGED:
        s_key(e, AUD_KEY_PRODUCT, ev->reg_duplicate_flagged->product_id);
        break;
    case OCOP__EVENT__BODY_REG_DUPLICATE_REVIEWED:
        s_key(e, AUD_KEY_PRODUCT, ev->reg_duplicate_reviewed->product_id);
        break;
    default:
        break;
    }
}

static void s_session(s_emit_t *e, const Ocop__EvalSession *s)
{
    if (!s)
        return;
    s_key(e, AUD_KEY_COUNCIL, s->council_id);
    s_key(e, AUD_KEY_PROVINCE, s->province_code);
    for (size_t i = 0; i < s->n_products; i++)
        s_key(e, AUD_KEY_PRODUCT, s->products[i]->product_id);
}

static void s_certificate(s_emit_t *e, const Ocop__EvalCertificate *c)
{
    if (c)
        s_product(e, c->product_id, c->province_code);
}

static void s_evaluation(s_emit_t *e, const Ocop__Event *ev)
{
    switch (ev->body_case) {
    case OCOP__EVENT__BODY_EVAL_COUNCIL_CREATED:
        if (ev->eval_council_created->council) {
            s_key(e, AUD_KEY_COUNCIL, ev->eval_council_created->council->id);
            s_key(e, AUD_KEY_PROVINCE, ev->eval_council_created->council->province_code);
        }
        break;
    case OCOP__EVENT__BODY_EVAL_TIE_DECLARED:
        s_key(e, AUD_KEY_COUNCIL, ev->eval_tie_declared->council_id);
        break;
    case OCOP__EVENT__BODY_EVAL_PRODUCT_ATTESTED:
        s_key(e, AUD_KEY_PRODUCT, ev->eval_product_attested->product_id);
        break;
    case OCOP__EVENT__BODY_EVAL_SESSION_OPENED:
        s_session(e, ev->eval_session_opened->session);
        break;
    case OCOP__EVENT__BODY_EVAL_SHEET_SUBMITTED:
        s_key(e, AUD_KEY_PRODUCT, ev->eval_sheet_submitted->product_id);
        break;
    case OCOP__EVENT__BODY_EVAL_ROUND_REQUIRED:
        s_key(e, AUD_KEY_PRODUCT, ev->eval_round_required->product_id);
        break;
    case OCOP__EVENT__BODY_EVAL_PHASE_ADVANCED:
        for (size_t i = 0; i < ev->eval_phase_advanced->n_selected_product_ids; i++)
            s_key(e, AUD_KEY_PRODUCT, ev->eval_phase_advanced->selected_product_ids[i]);
        break;
    case OCOP__EVENT__BODY_EVAL_SESSION_CLOSED:
        s_session(e, ev->eval_session_closed->session);
        break;
    case OCOP__EVENT__BODY_EVAL_RESULT_DISCLOSED: {
        const Ocop__EvalResultDisclosed *r = ev->eval_result_disclosed;
        s_key(e, AUD_KEY_COUNCIL, r->council_id);
        s_product(e, r->result ? r->result->product_id : NULL, r->province_code);
        break;
    }
    case OCOP__EVENT__BODY_EVAL_PROPOSAL_MADE:
        s_key(e, AUD_KEY_PRODUCT, ev->eval_proposal_made->product_id);
        break;
    case OCOP__EVENT__BODY_EVAL_CERTIFICATE_ISSUED:
        s_certificate(e, ev->eval_certificate_issued->certificate);
        break;
    case OCOP__EVENT__BODY_EVAL_CERTIFICATE_ENDED:
        s_certificate(e, ev->eval_certificate_ended->certificate);
        break;
    case OCOP__EVENT__BODY_EVAL_RATING_CHANGED:
        s_product(e, ev->eval_rating_changed->product_id, ev->eval_rating_changed->province_code);
        break;
    case OCOP__EVENT__BODY_EVAL_SELF_ASSESSED:
        if (ev->eval_self_assessed->assessment)
            s_key(e, AUD_KEY_PRODUCT, ev->eval_self_assessed->assessment->product_id);
        break;
    default:
        break;
    }
}

int aud_index_keys(const Ocop__Event *event, aud_key_fn fn, void *user)
{
    s_emit_t e = {fn, user, 0};
    const ProtobufCFieldDescriptor *body =
        protobuf_c_message_descriptor_get_field(&ocop__event__descriptor, (unsigned)event->body_case);
    if (body)
        s_key(&e, AUD_KEY_TYPE, body->name);
    s_registration(&e, event);
    s_evaluation(&e, event);
    return e.rc;
}
