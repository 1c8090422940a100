/* reg_product — product records shared by the product, stage and review handlers. */
#ifndef REG_PRODUCT_H
#define REG_PRODUCT_H

#include <lmdb.h>

#include "ocop_service.h"
#include "registration.pb-c.h"

typedef struct reg_state reg_state_t;

/* The product with id, or NULL (*rc MDB_NOTFOUND or a store error). */
Ocop__RegProduct *reg_product_find(reg_state_t *state, MDB_txn *txn, ProtobufCAllocator *alloc, const char *id,
                                   int *rc);
/* The product with id for a handler: NULL after failing the reply (INVALID when id is empty,
 * NOT_FOUND naming field, or a store error). The product lives in the request's arena. */
Ocop__RegProduct *reg_product_load(ocop_ctx_t *ctx, Ocop__Reply *reply, const char *field, const char *id);
/* Overwrites the product record (indexes are the caller's business). 0 / MDB error code. */
int reg_product_store(reg_state_t *state, MDB_txn *txn, const Ocop__RegProduct *p);
/* Replies with the product, its stage history, its review decisions and its classifications.
 * 0 / -1. */
int reg_product_reply_detail(ocop_ctx_t *ctx, Ocop__Reply *reply, Ocop__RegProduct *p);
/* How a write that replies with a product's detail is answered again on a retry: the product's
 * id is kept with the request id, not the detail (whose history grows), and the retry gets the
 * detail as it is now. */
extern const ocop_replay_t reg_product_replay;
/* The stage index value of a stage ("07"): two digits so stages sort numerically. */
void reg_product_stage_value(Ocop__Stage stage, char out[4]);

#endif
