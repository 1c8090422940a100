/* eval_replica — see eval_replica.h. */
#include "eval_replica.h"

#include <string.h>

#include "eval_owner.h"
#include "eval_state.h"
#include "evaluation.pb-c.h"
#include "ocop_record.h"
#include "ocop_store.h"

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

/* 1 when this shard keeps the products of province (eval_owner_takes_replica), 0, or -1 with
 * the MDB error in *rc. */
static int s_takes(const eval_state_t *state, MDB_txn *txn, const char *province, int *rc)
{
    bool takes = false;
    *rc = eval_owner_takes_replica(state, txn, province, &takes);
    return *rc != 0 ? -1 : takes;
}

/* Registration's view of the product over what the shard has (rating, session, attestation). */
static int s_upsert(eval_state_t *state, MDB_txn *txn, uint64_t sequence, const Ocop__RegProduct *in)
{
    int rc = 0;
    if (!in || s_takes(state, txn, in->current_province_code, &rc) <= 0)
        return rc;
    Ocop__EvalProduct *have = NULL, fresh = OCOP__EVAL_PRODUCT__INIT;
    rc = s_get(state, txn, in->id, &have);
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
    p->replica_sequence = sequence;
    p->replica_stage_only = false;
    p->revision++;
    return s_put(state, txn, p);
}

static int s_stage(eval_state_t *state, MDB_txn *txn, uint64_t sequence, const Ocop__RegProductStageChanged *in)
{
    int rc = 0;
    if (!in || !in->change || s_takes(state, txn, in->current_province_code, &rc) <= 0)
        return rc;
    Ocop__EvalProduct *p = NULL, fresh = OCOP__EVAL_PRODUCT__INIT;
    rc = s_get(state, txn, in->product_id, &p);
    if (rc == MDB_NOTFOUND) {
        eval_owner_t o;
        if ((rc = eval_owner_province(state, txn, in->current_province_code, &o)) != 0)
            return rc;
        if (o.state != OCOP__EVAL_MOVE_STATE__MOVE_INCOMING)
            return 0; /* registered before this shard owned its province: nothing to update */
        /* The province is moving here and the product's record has not come yet: keep the stage,
         * which the record will not have when it was copied before this event (eval_move.c). */
        p = &fresh;
        p->id = in->product_id;
        p->province_code = in->current_province_code;
        p->replica_stage_only = true;
    } else if (rc != 0) {
        return rc;
    }
    p->stage = in->change->to;
    p->replica_sequence = sequence;
    p->revision++;
    return s_put(state, txn, p);
}

int eval_replica_apply(void *user, MDB_txn *txn, const Ocop__Event *event, const ProtobufCBinaryData *raw)
{
    eval_state_t *state = user;
    ocop_arena_reset(state->replica_arena);
    switch (event->body_case) {
    case OCOP__EVENT__BODY_REG_PRODUCT_REGISTERED:
        return s_upsert(state, txn, event->sequence, event->reg_product_registered->product);
    case OCOP__EVENT__BODY_REG_PRODUCT_UPDATED:
        return s_upsert(state, txn, event->sequence, event->reg_product_updated->product);
    case OCOP__EVENT__BODY_REG_PRODUCT_STAGE_CHANGED:
        return s_stage(state, txn, event->sequence, event->reg_product_stage_changed);
    case OCOP__EVENT__BODY_REG_PRODUCT_RECLASSIFIED:
        return s_upsert(state, txn, event->sequence, event->reg_product_reclassified->product);
    default:
        return 0;
    }
}
