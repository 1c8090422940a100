/* reg_product — product records shared by the product, stage and review handlers. */
#ifndef REG_PRODUCT_H
#define REG_PRODUCT_H

#include "ocop_service.h"
#include "registration.pb-c.h"

/* The product with id in the request's transaction and arena: 0 with *out, 1 when there is
 * none, -1 with the store error in reply. */
int reg_product_find(ocop_ctx_t *ctx, Ocop__Reply *reply, const char *id, Ocop__RegProduct **out);
/* reg_product_find unpacking with alloc (NULL: malloc, for walks over more products than the
 * request's arena should hold; free with protobuf_c_message_free_unpacked). */
int reg_product_read(ocop_ctx_t *ctx, Ocop__Reply *reply, const char *id, ProtobufCAllocator *alloc,
                     Ocop__RegProduct **out);
/* The product with id for a handler: NULL after failing the reply (INVALID when id is empty,
 * NOT_FOUND naming field, or a store error). The product lives in the request's arena. */
Ocop__RegProduct *reg_product_load(ocop_ctx_t *ctx, Ocop__Reply *reply, const char *field, const char *id);
/* Overwrites the product record (indexes are the caller's business). 0, or -1 with the store
 * error in reply. */
int reg_product_store(ocop_ctx_t *ctx, Ocop__Reply *reply, const Ocop__RegProduct *p);
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
