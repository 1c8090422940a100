/* pro_replica — see pro_replica.h. */
#include "pro_replica.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "ocop_db.h"
#include "ocop_record.h"
#include "ocop_store.h"
#include "pro_state.h"
#include "promotion.pb-c.h"

static void s_key(ocop_key_t *key, const char *product)
{
    ocop_key_init(key);
    ocop_key_str(key, product);
}

static int s_get(pro_state_t *state, MDB_txn *txn, const char *product, Ocop__ProCertificateView **out)
{
    ocop_key_t key;
    s_key(&key, product);
    MDB_val k = ocop_key_val(&key);
    return ocop_record_get(txn, state->db.certs, &k, &ocop__pro_certificate_view__descriptor,
                           ocop_arena_allocator(state->replica_arena), (ProtobufCMessage **)out);
}

static int s_put(pro_state_t *state, MDB_txn *txn, const Ocop__ProCertificateView *v)
{
    ocop_key_t key;
    s_key(&key, v->product_id);
    if (key.overflow)
        return 0;
    MDB_val k = ocop_key_val(&key);
    return ocop_record_put(txn, state->db.certs, &k, &v->base);
}

static int s_mark(pro_state_t *state, MDB_txn *txn, const char *product, const char *reason)
{
    ocop_key_t key;
    s_key(&key, product);
    if (key.overflow)
        return 0;
    MDB_val k = ocop_key_val(&key), v = {.mv_size = strlen(reason) + 1, .mv_data = (void *)reason};
    return ocop_db_put(txn, state->db.cascade, &k, &v, 0);
}

static int s_issued(pro_state_t *state, MDB_txn *txn, const Ocop__EvalCertificate *c)
{
    Ocop__ProCertificateView v = OCOP__PRO_CERTIFICATE_VIEW__INIT;
    v.product_id = c->product_id;
    v.certificate_id = c->id;
    v.entity_id = c->entity_id;
    v.province_code = c->province_code;
    v.sector_code = c->sector_code;
    v.stars = c->stars;
    v.expires = c->expires;
    return s_put(state, txn, &v);
}

static int s_ended(pro_state_t *state, MDB_txn *txn, const Ocop__EvalCertificate *c)
{
    Ocop__ProCertificateView *v;
    int rc = s_get(state, txn, c->product_id, &v);
    if (rc == MDB_NOTFOUND || (rc == 0 && strcmp(v->certificate_id, c->id) != 0))
        return 0; /* not the product's current certificate */
    if (rc != 0)
        return rc;
    bool revoked = c->state == OCOP__CERTIFICATE_STATE__CERTIFICATE_STATE_REVOKED;
    bool expired = c->state == OCOP__CERTIFICATE_STATE__CERTIFICATE_STATE_EXPIRED;
    v->ended = revoked ? "revoked" : expired ? "expired" : "superseded";
    v->stars = 0;
    if ((rc = s_put(state, txn, v)) != 0)
        return rc;
    /* A superseded certificate is followed by its successor; only an end without one cascades. */
    if (!revoked && !expired)
        return 0;
    char reason[160];
    snprintf(reason, sizeof reason, "certificate %s %s", c->id, v->ended);
    return s_mark(state, txn, c->product_id, reason);
}

int pro_replica_apply(void *user, MDB_txn *txn, const Ocop__Event *event, const ProtobufCBinaryData *raw)
{
    pro_state_t *state = user;
    ocop_arena_reset(state->replica_arena);
    switch (event->body_case) {
    case OCOP__EVENT__BODY_EVAL_CERTIFICATE_ISSUED:
        return event->eval_certificate_issued->certificate
                   ? s_issued(state, txn, event->eval_certificate_issued->certificate)
                   : 0;
    case OCOP__EVENT__BODY_EVAL_CERTIFICATE_ENDED:
        return event->eval_certificate_ended->certificate
                   ? s_ended(state, txn, event->eval_certificate_ended->certificate)
                   : 0;
    case OCOP__EVENT__BODY_EVAL_RATING_CHANGED: {
        const Ocop__EvalRatingChanged *r = event->eval_rating_changed;
        if (r->new_stars >= 3 || r->old_stars < 3)
            return 0;
        char reason[96];
        snprintf(reason, sizeof reason, "rating fell from %u to %u stars (%s)", r->old_stars, r->new_stars, r->reason);
        return s_mark(state, txn, r->product_id, reason);
    }
    default:
        return 0;
    }
}
