/* eval_replica — see eval_replica.h. */
#include "eval_replica.h"

#include <string.h>

#include "eval_state.h"
#include "evaluation.pb-c.h"
#include "ocop_record.h"

static int s_get(const eval_state_t *state, MDB_txn *txn, const char *id, Ocop__EvalProduct **out)
{
    ocop_key_t key;
    ocop_key_init(&key);
    ocop_key_str(&key, id);
    MDB_val k = ocop_key_val(&key);
    return ocop_record_get(txn, state->db.products, &k, &ocop__eval_product__descriptor,
                           ocop_arena_allocator(state->replica_arena), (ProtobufCMessage **)out);
}

static int s_put(const eval_state_t *state, MDB_txn *txn, const Ocop__EvalProduct *p)
{
    ocop_key_t key;
    ocop_key_init(&key);
    ocop_key_str(&key, p->id);
    if (key.overflow)
        return 0; /* registration never makes such ids; nothing could refer to it */
    MDB_val k = ocop_key_val(&key);
    return ocop_record_put(txn, state->db.products, &k, &p->base);
}

/* Registration's view of the product over what the shard has (rating, session, attestation). */
static int s_upsert(eval_state_t *state, MDB_txn *txn, const Ocop__RegProduct *in)
{
    if (!in || !ocop_service_owns(state->service, in->current_province_code))
        return 0;
    Ocop__EvalProduct *have = NULL, fresh = OCOP__EVAL_PRODUCT__INIT;
    int rc = s_get(state, txn, in->id, &have);
    if (rc != 0 && rc != MDB_NOTFOUND)
        return rc;
    Ocop__EvalProduct *p = have ? have : &fresh;
    p->id = in->id;
    p->entity_id = in->entity_id;
    p->name = in->name;
    p->province_code = in->current_province_code;
    p->district_code = in->district_code;
    p->commune_code = in->commune_code;
    p->catalogue_version = in->catalogue_version;
    p->sector_code = in->sector_code;
    p->product_set_code = in->product_set_code;
    p->stage = in->stage;
    p->revision++;
    return s_put(state, txn, p);
}

static int s_stage(eval_state_t *state, MDB_txn *txn, const Ocop__RegProductStageChanged *in)
{
    if (!in || !in->change || !ocop_service_owns(state->service, in->current_province_code))
        return 0;
    Ocop__EvalProduct *p = NULL;
    int rc = s_get(state, txn, in->product_id, &p);
    if (rc == MDB_NOTFOUND)
        return 0; /* registered before this shard owned its province: nothing to update */
    if (rc != 0)
        return rc;
    p->stage = in->change->to;
    p->revision++;
    return s_put(state, txn, p);
}

int eval_replica_apply(void *user, MDB_txn *txn, const Ocop__Event *event, const ProtobufCBinaryData *raw)
{
    eval_state_t *state = user;
    ocop_arena_reset(state->replica_arena);
    switch (event->body_case) {
    case OCOP__EVENT__BODY_REG_PRODUCT_REGISTERED:
        return s_upsert(state, txn, event->reg_product_registered->product);
    case OCOP__EVENT__BODY_REG_PRODUCT_UPDATED:
        return s_upsert(state, txn, event->reg_product_updated->product);
    case OCOP__EVENT__BODY_REG_PRODUCT_STAGE_CHANGED:
        return s_stage(state, txn, event->reg_product_stage_changed);
    case OCOP__EVENT__BODY_REG_PRODUCT_RECLASSIFIED:
        return s_upsert(state, txn, event->reg_product_reclassified->product);
    default:
        return 0;
    }
}
