/* pro_pos — points of sale (Ministry of Industry and Trade criteria, 950/QĐ-BCT: stations,
 * airports, highway stops, malls, supermarkets, markets, tourist sites, hotels, craft villages,
 * fair centres, post offices) and online channels, and the products listed there. */
#include <string.h>

#include "ocop_error.h"
#include "ocop_seq_id.h"
#include "pro_handlers.h"

int pro_handle_pos_create(ocop_ctx_t *ctx, const Ocop__Request *req, Ocop__Reply *reply)
{
    const Ocop__ProPointOfSaleCreate *in = req->pro_point_of_sale_create;
    pro_state_t *state = pro_state(ctx);
    if (ocop_ctx_check_text(ctx, reply, "name", in->name, 1, PRO_NAME_MAX) != 0 ||
        ocop_ctx_check_text(ctx, reply, "address", in->address, 1, PRO_NAME_MAX) != 0 ||
        ocop_ctx_check_text(ctx, reply, "channel", in->channel, 0, 64) != 0 ||
        pro_check_province(ctx, reply, "province_code", in->province_code) != 0)
        return -1;
    if (in->location_type <= OCOP__LOCATION_TYPE__LOCATION_TYPE_UNSPECIFIED ||
        in->location_type > OCOP__LOCATION_TYPE__LOCATION_TYPE_E_COMMERCE)
        return ocop_ctx_fail(ctx, reply, OCOP_E_INVALID, "location_type",
                             "location_type is one of station, airport, highway_stop, mall, supermarket, market, "
                             "tourist_site, hotel, craft_village, fair_centre, post_office, e_commerce");
    if (in->shelf_capacity == 0 || in->shelf_capacity > 100000)
        return ocop_ctx_fail(ctx, reply, OCOP_E_INVALID, "shelf_capacity", "shelf_capacity is 1 to 100000 products");
    uint64_t n;
    if (pro_next_number(ctx, reply, "pos", &n) != 0)
        return -1;
    ocop_arena_t *arena = ocop_ctx_arena(ctx);
    Ocop__ProPointOfSale *p = ocop_arena_alloc(arena, sizeof *p);
    ocop__pro_point_of_sale__init(p);
    if (!(p->id = ocop_seq_id_new(arena, "POS", PRO_ID_WIDTH, n)))
        return ocop_ctx_fail(ctx, reply, OCOP_E_INTERNAL, "", "point of sale %llu has no id", (unsigned long long)n);
    p->name = in->name;
    p->location_type = in->location_type;
    p->province_code = in->province_code;
    p->address = in->address;
    p->shelf_capacity = in->shelf_capacity;
    p->channel = in->channel;
    p->created_ms = ocop_ctx_now_ms(ctx);
    if (ocop_ctx_put(ctx, reply, state->db.pos, p->id, &p->base) != 0)
        return -1;
    Ocop__ProPointOfSaleCreated body = OCOP__PRO_POINT_OF_SALE_CREATED__INIT;
    body.pos = p;
    if (ocop_ctx_publish_body(ctx, reply, &body.base) != 0)
        return -1;
    reply->body_case = OCOP__REPLY__BODY_PRO_POINT_OF_SALE;
    reply->pro_point_of_sale = p;
    return 0;
}

void pro_listing_keys(ocop_key_t *by_pos, ocop_key_t *by_product, const char *pos_id, const char *product_id)
{
    ocop_key_init(by_pos);
    ocop_key_str(by_pos, pos_id);
    ocop_key_str(by_pos, product_id);
    ocop_key_init(by_product);
    ocop_key_str(by_product, product_id);
    ocop_key_str(by_product, pos_id);
}

int pro_handle_listing_add(ocop_ctx_t *ctx, const Ocop__Request *req, Ocop__Reply *reply)
{
    const Ocop__ProListingAdd *in = req->pro_listing_add;
    pro_state_t *state = pro_state(ctx);
    char today[OCOP_DATE_LEN];
    pro_today(ctx, today);
    Ocop__ProPointOfSale *p = ocop_ctx_get(ctx, reply, state->db.pos, in->pos_id, &ocop__pro_point_of_sale__descriptor,
                                           "pos_id", "point of sale");
    Ocop__ProCertificateView *view;
    if (!p || pro_check_eligible(ctx, reply, in->product_id, in->entity_id, today, &view) != 0)
        return -1;
    ocop_key_t by_pos, by_product;
    pro_listing_keys(&by_pos, &by_product, p->id, view->product_id);
    ocop_bytes_t listed;
    int rc = ocop_ctx_value(ctx, reply, state->db.listings, &by_pos, &listed);
    if (rc < 0)
        return -1;
    if (rc == 0)
        return ocop_ctx_fail(ctx, reply, OCOP_E_CONFLICT, "product_id", "product %s is already listed at %s",
                             view->product_id, p->id);
    if (p->listed >= p->shelf_capacity)
        return ocop_ctx_fail(ctx, reply, OCOP_E_ILLEGAL_STATE, "pos_id", "%s's shelves are full (%u products)", p->id,
                             p->shelf_capacity);
    Ocop__ProListing *l = ocop_arena_alloc(ocop_ctx_arena(ctx), sizeof *l);
    ocop__pro_listing__init(l);
    l->pos_id = p->id;
    l->product_id = view->product_id;
    l->entity_id = view->entity_id;
    l->stars = view->stars;
    l->active = true;
    p->listed++;
    if (ocop_ctx_value_put(ctx, reply, state->db.listed_by, &by_product, "", 0) != 0 ||
        ocop_ctx_record_put(ctx, reply, state->db.listings, &by_pos, &l->base) != 0 ||
        ocop_ctx_put(ctx, reply, state->db.pos, p->id, &p->base) != 0)
        return -1;
    Ocop__ProListed body = OCOP__PRO_LISTED__INIT;
    body.listing = l;
    if (ocop_ctx_publish_body(ctx, reply, &body.base) != 0)
        return -1;
    reply->body_case = OCOP__REPLY__BODY_PRO_LISTING;
    reply->pro_listing = l;
    return 0;
}
