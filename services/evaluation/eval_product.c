/* eval_product — the shard's products as it knows them (replica + rating). */
#include <string.h>

#include "eval_handlers.h"
#include "eval_owner.h"
#include "eval_product.h"
#include "ocop_error.h"

Ocop__EvalProduct *eval_product_load(ocop_ctx_t *ctx, Ocop__Reply *reply, const char *field, const char *id)
{
    if (ocop_ctx_check_text(ctx, reply, field, id, 1, EVAL_CODE_MAX) != 0)
        return NULL;
    eval_state_t *state = eval_state(ctx);
    Ocop__EvalProduct *p =
        ocop_ctx_get(ctx, reply, state->db.products, id, &ocop__eval_product__descriptor, field, "product");
    if (!p && reply->status == OCOP__STATUS__STATUS_NOT_FOUND) {
        char holder[OCOP_NAME_MAX];
        int rc = eval_owner_holder_in(ctx, reply, id, holder, sizeof holder);
        if (rc <= 0) {
            if (rc == 0)
                eval_redirect(ctx, reply, field, holder, "product %.64s moved to shard %s with its province", id,
                              holder);
            return NULL;
        }
        ocop_ctx_fail(ctx, reply, OCOP_E_NOT_FOUND, field,
                      "product %.64s is not known to shard %s: not registered, or in a province it does not own", id,
                      state->service->name);
    }
    if (p && eval_check_province(ctx, reply, field, p->province_code) != 0)
        return NULL;
    return p;
}

int eval_product_store(ocop_ctx_t *ctx, Ocop__Reply *reply, Ocop__EvalProduct *p)
{
    p->revision++;
    return ocop_ctx_put(ctx, reply, eval_state(ctx)->db.products, p->id, &p->base);
}

bool eval_product_ready(const Ocop__EvalProduct *p)
{
    return p->stage == OCOP__STAGE__STAGE_READY_FOR_EVALUATION || p->stage == OCOP__STAGE__STAGE_EVALUATING;
}

int eval_handle_product_get(ocop_ctx_t *ctx, const Ocop__Request *req, Ocop__Reply *reply)
{
    Ocop__EvalProduct *p = eval_product_load(ctx, reply, "id", req->eval_product_get->id);
    if (!p)
        return -1;
    reply->body_case = OCOP__REPLY__BODY_EVAL_PRODUCT;
    reply->eval_product = p;
    return 0;
}
