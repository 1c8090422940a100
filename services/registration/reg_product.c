/* reg_product — products: register (with duplicate screening), get, update, list. */
#include "reg_product.h"

#include <stdio.h>
#include <string.h>

#include "ocop_date.h"
#include "ocop_error.h"
#include "reg_counts.h"
#include "reg_entity.h"
#include "reg_handlers.h"
#include "reg_reclassify.h"
#include "reg_screening.h"
#include "reg_state.h"

#define S_STANDARDS_MAX 20

static void s_key(ocop_key_t *key, const char *id)
{
    ocop_key_init(key);
    ocop_key_str(key, id);
}

int reg_product_read(ocop_ctx_t *ctx, Ocop__Reply *reply, const char *id, ProtobufCAllocator *alloc,
                     Ocop__RegProduct **out)
{
    const reg_state_t *state = ocop_ctx_user(ctx);
    ocop_key_t key;
    s_key(&key, id);
    ocop_bytes_t v;
    *out = NULL;
    int rc = *id ? ocop_ctx_value(ctx, reply, state->db.products, &key, &v) : 1;
    if (rc != 0)
        return rc;
    if (!(*out = ocop__reg_product__unpack(alloc, v.size, v.data)))
        return ocop_ctx_db_error(ctx, reply, OCOP_STORE_CORRUPT, "reading a product");
    return 0;
}

int reg_product_find(ocop_ctx_t *ctx, Ocop__Reply *reply, const char *id, Ocop__RegProduct **out)
{
    return reg_product_read(ctx, reply, id, ocop_arena_allocator(ocop_ctx_arena(ctx)), out);
}

Ocop__RegProduct *reg_product_load(ocop_ctx_t *ctx, Ocop__Reply *reply, const char *field, const char *id)
{
    if (!*id) {
        ocop_ctx_fail(ctx, reply, OCOP_E_INVALID, field, "%s is required", field);
        return NULL;
    }
    Ocop__RegProduct *p;
    if (reg_product_find(ctx, reply, id, &p) == 1)
        ocop_ctx_fail(ctx, reply, OCOP_E_NOT_FOUND, field, "no product '%.64s'", id);
    return p;
}

int reg_product_store(ocop_ctx_t *ctx, Ocop__Reply *reply, const Ocop__RegProduct *p)
{
    const reg_state_t *state = ocop_ctx_user(ctx);
    ocop_key_t key;
    s_key(&key, p->id);
    return ocop_ctx_record_put(ctx, reply, state->db.products, &key, &p->base);
}

void reg_product_stage_value(Ocop__Stage stage, char out[4])
{
    snprintf(out, 4, "%02d", (int)stage % 100);
}

int reg_product_reply_detail(ocop_ctx_t *ctx, Ocop__Reply *reply, Ocop__RegProduct *p)
{
    reg_state_t *state = ocop_ctx_user(ctx);
    ocop_arena_t *arena = ocop_ctx_arena(ctx);
    Ocop__RegProductDetail *d = ocop_arena_alloc(arena, sizeof *d);
    ocop__reg_product_detail__init(d);
    d->product = p;
    if (ocop_ctx_log_read(ctx, reply, state->db.product_history, p->id, &ocop__reg_stage_change__descriptor,
                          (ProtobufCMessage ***)&d->history, &d->n_history) != 0 ||
        ocop_ctx_log_read(ctx, reply, state->db.product_reviews, p->id, &ocop__reg_review_decision__descriptor,
                          (ProtobufCMessage ***)&d->reviews, &d->n_reviews) != 0 ||
        reg_classifications_read(ctx, reply, p, d->n_history ? d->history[0]->by : "", &d->classifications,
                                 &d->n_classifications) != 0)
        return -1;
    reply->body_case = OCOP__REPLY__BODY_REG_PRODUCT_DETAIL;
    reply->reg_product_detail = d;
    return 0;
}

static const char *s_detail_id(const Ocop__Reply *reply)
{
    return reply->body_case == OCOP__REPLY__BODY_REG_PRODUCT_DETAIL && reply->reg_product_detail->product
               ? reply->reg_product_detail->product->id
               : NULL;
}

static int s_detail_rebuild(ocop_ctx_t *ctx, const char *id, Ocop__Reply *reply)
{
    Ocop__RegProduct *p = reg_product_load(ctx, reply, "product_id", id);
    return p ? reg_product_reply_detail(ctx, reply, p) : -1;
}

const ocop_replay_t reg_product_replay = {s_detail_id, s_detail_rebuild};

/* Every stored index a product appears in, so a list by any one filter never scans everything
 * (by commune and by entity are in memory: reg_memindex). */
static int s_index(ocop_ctx_t *ctx, Ocop__Reply *reply, const Ocop__RegProduct *p)
{
    char sector[48], stage[4];
    snprintf(sector, sizeof sector, "%s:%s", p->catalogue_version, p->sector_code);
    reg_product_stage_value(p->stage, stage);
    const ocop_table_t idx = ((reg_state_t *)ocop_ctx_user(ctx))->db.product_idx;
    if (ocop_ctx_index_put(ctx, reply, idx, "all", "", p->id) != 0 ||
        ocop_ctx_index_put(ctx, reply, idx, "province", p->current_province_code, p->id) != 0 ||
        ocop_ctx_index_put(ctx, reply, idx, "sector", sector, p->id) != 0 ||
        ocop_ctx_index_put(ctx, reply, idx, "stage", stage, p->id) != 0)
        return -1;
    if (p->review != OCOP__REVIEW_STATE__REVIEW_PENDING)
        return 0;
    return ocop_ctx_index_put(ctx, reply, idx, "review", "pending", p->id);
}

static int s_standards(ocop_ctx_t *ctx, Ocop__Reply *reply, char **in, size_t n, char ***out, size_t *n_out)
{
    if (n > S_STANDARDS_MAX)
        return ocop_ctx_fail(ctx, reply, OCOP_E_INVALID, "standards", "at most %d standards", S_STANDARDS_MAX);
    *out = ocop_arena_alloc(ocop_ctx_arena(ctx), (n ? n : 1) * sizeof **out);
    *n_out = 0;
    for (size_t i = 0; i < n; i++) {
        if (ocop_ctx_check_text(ctx, reply, "standards", in[i], 1, 60) != 0)
            return -1;
        int seen = 0;
        for (size_t j = 0; j < *n_out; j++)
            seen |= strcmp((*out)[j], in[i]) == 0;
        if (!seen)
            (*out)[(*n_out)++] = in[i];
    }
    return 0;
}

/* The catalogue (the one in force today when none is named), sector and product set a
 * registration names. 0, or -1 after failing reply. */
static int s_classification(ocop_ctx_t *ctx, Ocop__Reply *reply, const Ocop__RegProductRegister *in,
                            const reg_catalogue_t **cat, const reg_sector_t **sector, const reg_product_set_t **set)
{
    reg_state_t *state = ocop_ctx_user(ctx);
    if (*in->catalogue_version) {
        *cat = reg_catalogues_find(state->catalogues, in->catalogue_version);
    } else {
        char day[11];
        ocop_day_of(ocop_ctx_now_ms(ctx), day);
        *cat = reg_catalogues_current(state->catalogues, day);
    }
    if (!*cat)
        return ocop_ctx_fail(ctx, reply, OCOP_E_INVALID, "catalogue_version", "unknown catalogue version '%.32s'",
                             in->catalogue_version);
    if (!(*sector = reg_catalogue_sector(*cat, in->sector_code)))
        return ocop_ctx_fail(ctx, reply, OCOP_E_INVALID, "sector_code", "sector_code '%.32s' is not in catalogue %s",
                             in->sector_code, (*cat)->version);
    if (!(*set = reg_sector_product_set(*sector, in->product_set_code)))
        return ocop_ctx_fail(ctx, reply, OCOP_E_INVALID, "product_set_code",
                             "product_set_code '%.32s' is not in sector %s of catalogue %s", in->product_set_code,
                             (*sector)->code, (*cat)->version);
    return 0;
}

/* The new product's record (without its id), every field checked. NULL after failing reply. */
static Ocop__RegProduct *s_product_new(ocop_ctx_t *ctx, Ocop__Reply *reply, const Ocop__RegProductRegister *in,
                                       const Ocop__RegEntity *entity, const reg_place_t *place,
                                       const reg_catalogue_t *cat, const reg_sector_t *sector,
                                       const reg_product_set_t *set)
{
    ocop_arena_t *arena = ocop_ctx_arena(ctx);
    Ocop__RegProduct *p = ocop_arena_alloc(arena, sizeof *p);
    ocop__reg_product__init(p);
    if (s_standards(ctx, reply, in->standards, in->n_standards, &p->standards, &p->n_standards) != 0)
        return NULL;
    p->normalized_name = reg_key_in_arena(ctx, reply, "name", in->name, 1);
    if (!p->normalized_name)
        return NULL;
    if (!*p->normalized_name) {
        ocop_ctx_fail(ctx, reply, OCOP_E_INVALID, "name", "name has no letters or digits");
        return NULL;
    }
    p->entity_id = entity->id;
    p->name = in->name;
    p->catalogue_version = ocop_arena_strdup(arena, cat->version);
    p->sector_code = ocop_arena_strdup(arena, sector->code);
    p->product_set_code = ocop_arena_strdup(arena, set->code);
    p->unit_version = ocop_arena_strdup(arena, place->version);
    p->commune_code = in->commune_code;
    p->province_code = ocop_arena_strdup(arena, place->province);
    p->district_code = ocop_arena_strdup(arena, place->district);
    p->current_province_code = ocop_arena_strdup(arena, place->current_province);
    p->processing = in->processing;
    p->stage = OCOP__STAGE__STAGE_IDEA_SUBMITTED;
    p->created_ms = p->updated_ms = ocop_ctx_now_ms(ctx);
    p->revision = 1;
    p->id = ""; /* screening names the conflicting product, never this one */
    return p;
}

/* The product stored under a new id with its indexes, the first entry of its history and its
 * counts, and its events published (RegProductRegistered, and RegDuplicateFlagged when
 * screening flagged it). 0, or -1 after failing reply. */
static int s_product_store_new(ocop_ctx_t *ctx, Ocop__Reply *reply, Ocop__RegProduct *p)
{
    reg_state_t *state = ocop_ctx_user(ctx);
    ocop_arena_t *arena = ocop_ctx_arena(ctx);
    char id[32];
    if (reg_state_next_id(ctx, reply, "PRD", id, sizeof id) != 0)
        return -1;
    p->id = ocop_arena_strdup(arena, id);
    Ocop__RegStageChange *change = ocop_arena_alloc(arena, sizeof *change);
    ocop__reg_stage_change__init(change);
    change->to = p->stage;
    change->action = OCOP__STAGE_ACTION__STAGE_ACTION_SUBMIT;
    change->by = (char *)ocop_ctx_caller(ctx);
    change->reason = "product idea registered";
    change->time_ms = p->created_ms;
    if (reg_product_store(ctx, reply, p) != 0 || s_index(ctx, reply, p) != 0 || reg_screen_index(ctx, reply, p) != 0 ||
        ocop_ctx_log_append(ctx, reply, state->db.product_history, p->id, &change->base, NULL) != 0 ||
        reg_counts_add(ctx, reply, p, p->stage, +1) != 0)
        return -1;
    Ocop__RegProductRegistered registered = OCOP__REG_PRODUCT_REGISTERED__INIT;
    registered.product = p;
    if (ocop_ctx_publish_body(ctx, reply, &registered.base) != 0)
        return -1;
    if (!p->n_flags)
        return 0;
    Ocop__RegDuplicateFlagged flagged = OCOP__REG_DUPLICATE_FLAGGED__INIT;
    flagged.product_id = p->id;
    flagged.flags = p->flags;
    flagged.n_flags = p->n_flags;
    flagged.candidates = p->candidates;
    flagged.n_candidates = p->n_candidates;
    return ocop_ctx_publish_body(ctx, reply, &flagged.base);
}

int reg_handle_product_register(ocop_ctx_t *ctx, const Ocop__Request *req, Ocop__Reply *reply)
{
    const Ocop__RegProductRegister *in = req->reg_product_register;
    if (ocop_ctx_check_text(ctx, reply, "name", in->name, 1, REG_NAME_MAX) != 0)
        return -1;
    if (in->processing < OCOP__PROCESSING_LEVEL__PROCESSING_FRESH ||
        in->processing > OCOP__PROCESSING_LEVEL__PROCESSING_PROCESSED)
        return ocop_ctx_fail(ctx, reply, OCOP_E_INVALID, "processing",
                             "processing must be fresh/raw, preliminary or processed");
    const reg_catalogue_t *cat = NULL;
    const reg_sector_t *sector = NULL;
    const reg_product_set_t *set = NULL;
    if (s_classification(ctx, reply, in, &cat, &sector, &set) != 0)
        return -1;
    Ocop__RegEntity *entity = reg_entity_load(ctx, reply, "entity_id", in->entity_id);
    if (!entity)
        return -1;
    reg_place_t place;
    if (reg_commune_resolve(ctx, reply, in->unit_version, in->commune_code, &place) != 0)
        return -1;
    /* A product is registered, and rated, in its producer's province: the province that attests,
     * evaluates and certifies it is the one whose officers answer for the producer. */
    if (strcmp(place.current_province, entity->current_province_code) != 0)
        return ocop_ctx_fail(ctx, reply, OCOP_E_INVALID, "commune_code",
                             "commune %.16s is in province %s, entity %s in province %s: a product is registered in "
                             "its producer's province",
                             in->commune_code, place.current_province, entity->id, entity->current_province_code);
    Ocop__RegProduct *p = s_product_new(ctx, reply, in, entity, &place, cat, sector, set);
    if (!p || reg_screen(ctx, reply, p, set->fresh) != 0 || s_product_store_new(ctx, reply, p) != 0)
        return -1;
    return reg_product_reply_detail(ctx, reply, p);
}

int reg_handle_product_get(ocop_ctx_t *ctx, const Ocop__Request *req, Ocop__Reply *reply)
{
    Ocop__RegProduct *p = reg_product_load(ctx, reply, "id", req->reg_product_get->id);
    if (!p)
        return -1;
    return reg_product_reply_detail(ctx, reply, p);
}

int reg_handle_product_update(ocop_ctx_t *ctx, const Ocop__Request *req, Ocop__Reply *reply)
{
    const Ocop__RegProductUpdate *in = req->reg_product_update;
    ocop_arena_t *arena = ocop_ctx_arena(ctx);
    Ocop__RegProduct *p = reg_product_load(ctx, reply, "id", in->id);
    if (!p)
        return -1;
    if (reg_check_revision(ctx, reply, "product", p->id, p->revision, in->expected_revision) != 0)
        return -1;
    if (in->processing > OCOP__PROCESSING_LEVEL__PROCESSING_PROCESSED)
        return ocop_ctx_fail(ctx, reply, OCOP_E_INVALID, "processing", "processing is out of range");
    if (in->set_standards &&
        s_standards(ctx, reply, in->standards, in->n_standards, &p->standards, &p->n_standards) != 0)
        return -1;
    if (in->processing)
        p->processing = in->processing;
    p->revision++;
    p->updated_ms = ocop_ctx_now_ms(ctx);
    if (reg_product_store(ctx, reply, p) != 0)
        return -1;
    Ocop__RegProductUpdated *body = ocop_arena_alloc(arena, sizeof *body);
    ocop__reg_product_updated__init(body);
    body->product = p;
    if (ocop_ctx_publish_body(ctx, reply, &body->base) != 0)
        return -1;
    return reg_product_reply_detail(ctx, reply, p);
}

typedef struct {
    ocop_ctx_t *ctx;
    Ocop__Reply *reply;
    const Ocop__RegProductList *in;
    Ocop__RegProductPage *page;
    size_t limit;
} s_page_t;

static int s_collect(void *user, const char *id)
{
    s_page_t *pg = user;
    const Ocop__RegProductList *in = pg->in;
    Ocop__RegProduct *p;
    int rc = reg_product_find(pg->ctx, pg->reply, id, &p);
    if (rc != 0)
        return rc < 0 ? -1 : 0; /* an index entry without its record is skipped */
    if ((*in->province_code && strcmp(p->current_province_code, in->province_code) != 0) ||
        (*in->commune_code && strcmp(p->commune_code, in->commune_code) != 0) ||
        (*in->entity_id && strcmp(p->entity_id, in->entity_id) != 0) || (in->stage && p->stage != in->stage) ||
        (*in->sector_code && strcmp(p->sector_code, in->sector_code) != 0) ||
        (in->review_pending && p->review != OCOP__REVIEW_STATE__REVIEW_PENDING))
        return 0;
    pg->page->products[pg->page->n_products++] = p;
    return pg->page->n_products == pg->limit ? 1 : 0;
}

/* Pages through an in-memory id list (reg_memindex) the way ocop_ctx_index_scan does through a
 * stored index: after the cursor, at most max_scan ids, a next cursor when ids remain. 0, or -1
 * with reply failed. */
static int s_scan_list(reg_memindex_entry_t *const *list, size_t n, const char *cursor, size_t max_scan, s_page_t *pg,
                       char *next, size_t next_len)
{
    next[0] = '\0';
    size_t i = reg_memindex_after(list, n, cursor), scanned = 0;
    for (; i < n && scanned < max_scan; i++, scanned++) {
        int rc = s_collect(pg, list[i]->id);
        if (rc < 0)
            return -1;
        if (rc == 1) {
            i++;
            break;
        }
    }
    if (i < n)
        snprintf(next, next_len, "%s", list[i - 1]->id);
    return 0;
}

int reg_handle_product_list(ocop_ctx_t *ctx, const Ocop__Request *req, Ocop__Reply *reply)
{
    reg_state_t *state = ocop_ctx_user(ctx);
    const Ocop__RegProductList *in = req->reg_product_list;
    const char *const filters[] = {
        "province_code", in->province_code, "commune_code", in->commune_code, "entity_id", in->entity_id,
        "sector_code",   in->sector_code,   "cursor",       in->cursor,       NULL};
    if (reg_check_filters(ctx, reply, filters) != 0)
        return -1;
    ocop_arena_t *arena = ocop_ctx_arena(ctx);
    size_t limit;
    if (reg_page_limit(ctx, reply, in->limit, &limit) != 0)
        return -1;
    s_page_t pg = {.ctx = ctx, .reply = reply, .in = in, .limit = limit};
    pg.page = ocop_arena_alloc(arena, sizeof *pg.page);
    ocop__reg_product_page__init(pg.page);
    pg.page->products = ocop_arena_alloc(arena, pg.limit * sizeof *pg.page->products);
    char next[64];
    /* Filters that no index serves may skip rows: scan a bounded stretch and hand back a cursor. */
    size_t max_scan = pg.limit * 20;
    int rc;
    /* Pick the most selective index the filters allow; the rest are checked row by row. By
     * entity and by commune come from memory, the others from product_idx. */
    reg_memindex_entry_t *const *list = NULL;
    size_t n = 0;
    reg_memindex_t *memindex = NULL;
    if ((*in->entity_id || (*in->commune_code && !in->review_pending)) && !(memindex = reg_products_index(ctx, reply)))
        return -1;
    if (*in->entity_id) {
        list = reg_memindex_entity(memindex, in->entity_id, &n);
        rc = s_scan_list(list, n, in->cursor, max_scan, &pg, next, sizeof next);
    } else if (*in->commune_code && !in->review_pending) {
        reg_place_t place;
        if (reg_commune_resolve(ctx, reply, "", in->commune_code, &place) != 0)
            return -1;
        list = reg_memindex_block(memindex, place.version, in->commune_code, &n);
        rc = s_scan_list(list, n, in->cursor, max_scan, &pg, next, sizeof next);
    } else {
        const char *index = "all", *value = "";
        char buf[8];
        if (in->review_pending) {
            index = "review";
            value = "pending";
        } else if (*in->province_code) {
            index = "province";
            value = in->province_code;
        } else if (in->stage) {
            reg_product_stage_value(in->stage, buf);
            index = "stage";
            value = buf;
        }
        int more;
        rc = ocop_ctx_index_scan(ctx, reply, state->db.product_idx, index, value, in->cursor, max_scan, s_collect, &pg,
                                 next, sizeof next, &more);
    }
    if (rc != 0)
        return -1;
    pg.page->next_cursor = ocop_arena_strdup(arena, next);
    reply->body_case = OCOP__REPLY__BODY_REG_PRODUCT_PAGE;
    reply->reg_product_page = pg.page;
    return 0;
}
