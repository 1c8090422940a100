/* pro_handlers — the trade-promotion service's requests, route table and shared helpers. */
#ifndef PRO_HANDLERS_H
#define PRO_HANDLERS_H

#include <stddef.h>

#include "ocop_date.h"
#include "ocop_service.h"
#include "pro_state.h"
#include "promotion.pb-c.h"

int pro_handle_fair_create(ocop_ctx_t *ctx, const Ocop__Request *req, Ocop__Reply *reply);
int pro_handle_fair_get(ocop_ctx_t *ctx, const Ocop__Request *req, Ocop__Reply *reply);
int pro_handle_apply(ocop_ctx_t *ctx, const Ocop__Request *req, Ocop__Reply *reply);
int pro_handle_allocate(ocop_ctx_t *ctx, const Ocop__Request *req, Ocop__Reply *reply);
int pro_handle_applications_get(ocop_ctx_t *ctx, const Ocop__Request *req, Ocop__Reply *reply);
int pro_handle_pos_create(ocop_ctx_t *ctx, const Ocop__Request *req, Ocop__Reply *reply);
int pro_handle_listing_add(ocop_ctx_t *ctx, const Ocop__Request *req, Ocop__Reply *reply);
int pro_handle_plan_submit(ocop_ctx_t *ctx, const Ocop__Request *req, Ocop__Reply *reply);
int pro_handle_calendar_get(ocop_ctx_t *ctx, const Ocop__Request *req, Ocop__Reply *reply);
int pro_handle_product_get(ocop_ctx_t *ctx, const Ocop__Request *req, Ocop__Reply *reply);
int pro_handle_cascade_due(ocop_ctx_t *ctx, const Ocop__Request *req, Ocop__Reply *reply);

const ocop_route_t *pro_routes(size_t *count);

#define PRO_NAME_MAX 200

static inline pro_state_t *pro_state(ocop_ctx_t *ctx)
{
    return ocop_ctx_user(ctx);
}

/* Checks that entity_id may promote product_id until the day `until`: a valid certificate of
 * 3★ or more, the entity's own, not expiring before. *view is the replica's record. 0, or -1
 * with the reply failed (ILLEGAL_STATE naming why, FORBIDDEN for another entity's product). */
int pro_check_eligible(ocop_ctx_t *ctx, Ocop__Reply *reply, const char *product_id, const char *entity_id,
                       const char *until, Ocop__ProCertificateView **view);

/* The keys of a listing: pos|product (listings) and product|pos (listed_by). */
void pro_listing_keys(ocop_key_t *by_pos, ocop_key_t *by_product, const char *pos_id, const char *product_id);

/* The next number of a sequence ("fair", "pos": 1, 2, ...) in the request's transaction. 0, or
 * -1 with the reply failed. */
int pro_next_number(ocop_ctx_t *ctx, Ocop__Reply *reply, const char *sequence, uint64_t *n);

/* Today (UTC) as the request's clock sees it. */
void pro_today(ocop_ctx_t *ctx, char out[OCOP_DATE_LEN]);
/* Checks a province code against the region table: INVALID on field when unknown. */
int pro_check_province(ocop_ctx_t *ctx, Ocop__Reply *reply, const char *field, const char *province);
/* Checks a YYYY-MM-DD date: INVALID on field when not a calendar date. */
int pro_check_date(ocop_ctx_t *ctx, Ocop__Reply *reply, const char *field, const char *day);

#endif
