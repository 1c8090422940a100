/* reg_handlers — the registration service's request handlers (see ocop_service.h for the
 * handler contract) and its route table. */
#ifndef REG_HANDLERS_H
#define REG_HANDLERS_H

#include <stddef.h>

#include "ocop_service.h"
#include "reg_memindex.h"

int reg_handle_unit_import(ocop_ctx_t *ctx, const Ocop__Request *req, Ocop__Reply *reply);
int reg_handle_unit_get(ocop_ctx_t *ctx, const Ocop__Request *req, Ocop__Reply *reply);
int reg_handle_unit_list(ocop_ctx_t *ctx, const Ocop__Request *req, Ocop__Reply *reply);

int reg_handle_entity_register(ocop_ctx_t *ctx, const Ocop__Request *req, Ocop__Reply *reply);
int reg_handle_entity_get(ocop_ctx_t *ctx, const Ocop__Request *req, Ocop__Reply *reply);
int reg_handle_entity_update(ocop_ctx_t *ctx, const Ocop__Request *req, Ocop__Reply *reply);
int reg_handle_entity_list(ocop_ctx_t *ctx, const Ocop__Request *req, Ocop__Reply *reply);

int reg_handle_product_register(ocop_ctx_t *ctx, const Ocop__Request *req, Ocop__Reply *reply);
int reg_handle_product_get(ocop_ctx_t *ctx, const Ocop__Request *req, Ocop__Reply *reply);
int reg_handle_product_update(ocop_ctx_t *ctx, const Ocop__Request *req, Ocop__Reply *reply);
int reg_handle_product_list(ocop_ctx_t *ctx, const Ocop__Request *req, Ocop__Reply *reply);

int reg_handle_stage_transition(ocop_ctx_t *ctx, const Ocop__Request *req, Ocop__Reply *reply);
int reg_handle_duplicate_review(ocop_ctx_t *ctx, const Ocop__Request *req, Ocop__Reply *reply);
int reg_handle_counts_get(ocop_ctx_t *ctx, const Ocop__Request *req, Ocop__Reply *reply);

int reg_handle_product_reclassify(ocop_ctx_t *ctx, const Ocop__Request *req, Ocop__Reply *reply);
int reg_handle_catalogue_migrate(ocop_ctx_t *ctx, const Ocop__Request *req, Ocop__Reply *reply);

/* The route table handed to ocop_service_new. */
const ocop_route_t *reg_routes(size_t *count);

/* --- helpers shared by the handlers --- */

/* Optimistic concurrency: fails the reply CONFLICT on expected_revision when the caller gave a
 * revision (non-zero) that is not the record's current one. 0 / -1. */
int reg_check_revision(ocop_ctx_t *ctx, Ocop__Reply *reply, const char *what, const char *id, uint64_t current,
                       uint64_t expected);

/* A malloc'd key from normalise(name) copied into the request's arena; NULL (reply failed
 * INVALID on field) when the name is not valid UTF-8. */
char *reg_key_in_arena(ocop_ctx_t *ctx, Ocop__Reply *reply, const char *field, const char *name, int product);

/* A list's page size into *limit: 0 means 50; more than 1000 is refused (INVALID, field
 * "limit"), never cut down. Returns 0, or -1 with the reply filled. */
int reg_page_limit(ocop_ctx_t *ctx, Ocop__Reply *reply, unsigned requested, size_t *limit);

/* A list's filters and cursor, as (field, value) pairs ending with NULL: each must be text of
 * at most REG_CODE_MAX characters (they become store keys, which hold 511 bytes; every code,
 * id and cursor is far shorter). 0, or -1 with the reply failed INVALID on the field. */
int reg_check_filters(ocop_ctx_t *ctx, Ocop__Reply *reply, const char *const *pairs);

/* The in-memory product indexes (reg_state_memindex: waits for them after a start); NULL with
 * the reply failed INTERNAL when they could not be built. */
reg_memindex_t *reg_products_index(ocop_ctx_t *ctx, Ocop__Reply *reply);

#define REG_NAME_MAX 200
#define REG_CODE_MAX 32
#define REG_REASON_MAX 1000

#endif
