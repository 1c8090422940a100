/* eval_product — reading and writing the shard's product records (EvalProduct). */
#ifndef EVAL_PRODUCT_H
#define EVAL_PRODUCT_H

#include <stdbool.h>

#include "evaluation.pb-c.h"
#include "ocop_service.h"

/* The product with id from the replica, in the request's arena; NULL with the reply failed
 * (NOT_FOUND saying the shard does not know it) otherwise. */
Ocop__EvalProduct *eval_product_load(ocop_ctx_t *ctx, Ocop__Reply *reply, const char *field, const char *id);
/* Bumps the revision and stores p. 0 / -1 (reply failed). */
int eval_product_store(ocop_ctx_t *ctx, Ocop__Reply *reply, Ocop__EvalProduct *p);
/* Registration says its dossier is in for evaluation (ready, or accepted and being evaluated). */
bool eval_product_ready(const Ocop__EvalProduct *p);

#endif
