/* pro_routes — the route table and the helpers every handler uses. */
#include <stdio.h>
#include <string.h>

#include "ocop_error.h"
#include "pro_handlers.h"

static const ocop_route_t s_routes[] = {
    {OCOP__REQUEST__BODY_PRO_FAIR_CREATE, "fair_create", true, pro_handle_fair_create, false, NULL},
    {OCOP__REQUEST__BODY_PRO_FAIR_GET, "fair_get", false, pro_handle_fair_get, false, NULL},
    {OCOP__REQUEST__BODY_PRO_APPLY, "apply", true, pro_handle_apply, false, NULL},
    {OCOP__REQUEST__BODY_PRO_ALLOCATE, "allocate", true, pro_handle_allocate, false, NULL},
    {OCOP__REQUEST__BODY_PRO_APPLICATIONS_GET, "applications_get", false, pro_handle_applications_get, false, NULL},
    {OCOP__REQUEST__BODY_PRO_POINT_OF_SALE_CREATE, "pos_create", true, pro_handle_pos_create, false, NULL},
    {OCOP__REQUEST__BODY_PRO_LISTING_ADD, "listing_add", true, pro_handle_listing_add, false, NULL},
    {OCOP__REQUEST__BODY_PRO_PLAN_SUBMIT, "plan_submit", true, pro_handle_plan_submit, false, NULL},
    {OCOP__REQUEST__BODY_PRO_CALENDAR_GET, "calendar_get", false, pro_handle_calendar_get, false, NULL},
    {OCOP__REQUEST__BODY_PRO_PRODUCT_GET, "product_get", false, pro_handle_product_get, false, NULL},
    {OCOP__REQUEST__BODY_PRO_CASCADE_DUE, "cascade_due", true, pro_handle_cascade_due, false, NULL},
};

const ocop_route_t *pro_routes(size_t *count)
{
    *count = sizeof s_routes / sizeof s_routes[0];
    return s_routes;
}

int pro_next_number(ocop_ctx_t *ctx, Ocop__Reply *reply, const char *sequence, uint64_t *n)
{
    ocop_key_t key;
    ocop_key_init(&key);
    ocop_key_str(&key, sequence);
    return ocop_ctx_counter_add(ctx, reply, pro_state(ctx)->db.meta, &key, 1, n);
}

void pro_today(ocop_ctx_t *ctx, char out[OCOP_DATE_LEN])
{
    ocop_day_of(ocop_ctx_now_ms(ctx), out);
}

int pro_check_province(ocop_ctx_t *ctx, Ocop__Reply *reply, const char *field, const char *province)
{
    if (province && pro_state_region(pro_state(ctx), province))
        return 0;
    return ocop_ctx_fail(ctx, reply, OCOP_E_INVALID, field, "%s '%.16s' is not a province of the 2025 map", field,
                         province ? province : "");
}

int pro_check_date(ocop_ctx_t *ctx, Ocop__Reply *reply, const char *field, const char *day)
{
    if (ocop_date_valid(day))
        return 0;
    return ocop_ctx_fail(ctx, reply, OCOP_E_INVALID, field, "%s must be a calendar date YYYY-MM-DD", field);
}

int pro_check_eligible(ocop_ctx_t *ctx, Ocop__Reply *reply, const char *product_id, const char *entity_id,
                       const char *until, Ocop__ProCertificateView **view)
{
    if (ocop_ctx_check_text(ctx, reply, "entity_id", entity_id, 1, 32) != 0)
        return -1;
    *view = ocop_ctx_get(ctx, reply, pro_state(ctx)->db.certs, product_id, &ocop__pro_certificate_view__descriptor,
                         "product_id", "certificate of product");
    if (!*view) {
        if (reply->status == OCOP__STATUS__STATUS_NOT_FOUND)
            ocop_ctx_fail(ctx, reply, OCOP_E_ILLEGAL_STATE, "product_id",
                          "product %.32s has no OCOP certificate: only 3-star and better products are promoted",
                          product_id);
        return -1;
    }
    const Ocop__ProCertificateView *v = *view;
    if (strcmp(v->entity_id, entity_id) != 0)
        return ocop_ctx_fail(ctx, reply, OCOP_E_FORBIDDEN, "entity_id", "product %s belongs to entity %s, not %.32s",
                             v->product_id, v->entity_id, entity_id);
    if (*v->ended && v->stars == 0)
        return ocop_ctx_fail(ctx, reply, OCOP_E_ILLEGAL_STATE, "product_id", "product %s's certificate %s was %s",
                             v->product_id, v->certificate_id, v->ended);
    if (v->stars < 3)
        return ocop_ctx_fail(ctx, reply, OCOP_E_ILLEGAL_STATE, "product_id",
                             "product %s holds %u stars: only 3-star and better products are promoted", v->product_id,
                             v->stars);
    if (strcmp(v->expires, until) < 0)
        return ocop_ctx_fail(ctx, reply, OCOP_E_ILLEGAL_STATE, "product_id",
                             "product %s's certificate expires on %s, before %s", v->product_id, v->expires, until);
    return 0;
}

int pro_handle_product_get(ocop_ctx_t *ctx, const Ocop__Request *req, Ocop__Reply *reply)
{
    Ocop__ProCertificateView *v =
        ocop_ctx_get(ctx, reply, pro_state(ctx)->db.certs, req->pro_product_get->product_id,
                     &ocop__pro_certificate_view__descriptor, "product_id", "certificate of product");
    if (!v)
        return -1;
    reply->body_case = OCOP__REPLY__BODY_PRO_CERTIFICATE_VIEW;
    reply->pro_certificate_view = v;
    return 0;
}
