/* harness_calls — request helpers, paged lists and store snapshots (see harness.h). */
#include "harness.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define S_LIST_PAGES_MAX 100000

static Ocop__Reply *s_call(ocop_client_t *c, Ocop__Request *req)
{
    Ocop__Reply *reply = NULL;
    if (harness_call(c, req, &reply) != 0)
        return NULL;
    return reply;
}

Ocop__Reply *harness_entity_register(ocop_client_t *c, const char *request_id, Ocop__EntityType type, const char *name,
                                     const char *tax_code, const char *commune)
{
    Ocop__RegEntityRegister body = OCOP__REG_ENTITY_REGISTER__INIT;
    body.type = type;
    body.name = (char *)name;
    body.tax_code = (char *)tax_code;
    body.commune_code = (char *)commune;
    body.representative = "Nguyễn Văn An";
    body.phone = "0912 345 678";
    Ocop__Request req = OCOP__REQUEST__INIT;
    req.request_id = (char *)(request_id ? request_id : "");
    req.body_case = OCOP__REQUEST__BODY_REG_ENTITY_REGISTER;
    req.reg_entity_register = &body;
    return s_call(c, &req);
}

Ocop__Reply *harness_product_register(ocop_client_t *c, const char *entity_id, const char *name, const char *sector,
                                      const char *set, const char *commune, Ocop__ProcessingLevel processing)
{
    Ocop__RegProductRegister body = OCOP__REG_PRODUCT_REGISTER__INIT;
    char *standards[] = {"VietGAP", "HACCP"};
    body.entity_id = (char *)entity_id;
    body.name = (char *)name;
    body.sector_code = (char *)sector;
    body.product_set_code = (char *)set;
    body.commune_code = (char *)commune;
    body.processing = processing;
    body.standards = standards;
    body.n_standards = 2;
    Ocop__Request req = OCOP__REQUEST__INIT;
    req.body_case = OCOP__REQUEST__BODY_REG_PRODUCT_REGISTER;
    req.reg_product_register = &body;
    return s_call(c, &req);
}

Ocop__Reply *harness_transition(ocop_client_t *c, const char *product_id, Ocop__StageAction action, const char *reason)
{
    Ocop__RegStageTransition body = OCOP__REG_STAGE_TRANSITION__INIT;
    body.product_id = (char *)product_id;
    body.action = action;
    body.reason = (char *)(reason ? reason : "");
    Ocop__Request req = OCOP__REQUEST__INIT;
    req.body_case = OCOP__REQUEST__BODY_REG_STAGE_TRANSITION;
    req.reg_stage_transition = &body;
    return s_call(c, &req);
}

Ocop__Reply *harness_product_get(ocop_client_t *c, const char *id)
{
    Ocop__RegProductGet body = OCOP__REG_PRODUCT_GET__INIT;
    body.id = (char *)id;
    Ocop__Request req = OCOP__REQUEST__INIT;
    req.body_case = OCOP__REQUEST__BODY_REG_PRODUCT_GET;
    req.reg_product_get = &body;
    return s_call(c, &req);
}

Ocop__Reply *harness_entity_get(ocop_client_t *c, const char *id)
{
    Ocop__RegEntityGet body = OCOP__REG_ENTITY_GET__INIT;
    body.id = (char *)id;
    Ocop__Request req = OCOP__REQUEST__INIT;
    req.body_case = OCOP__REQUEST__BODY_REG_ENTITY_GET;
    req.reg_entity_get = &body;
    return s_call(c, &req);
}

Ocop__Reply *harness_counts(ocop_client_t *c, const char *province)
{
    Ocop__RegCountsGet body = OCOP__REG_COUNTS_GET__INIT;
    body.province_code = (char *)(province ? province : "");
    Ocop__Request req = OCOP__REQUEST__INIT;
    req.body_case = OCOP__REQUEST__BODY_REG_COUNTS_GET;
    req.reg_counts_get = &body;
    return s_call(c, &req);
}

Ocop__Reply *harness_review(ocop_client_t *c, const char *product_id, Ocop__ReviewState decision, const char *note)
{
    Ocop__RegDuplicateReview body = OCOP__REG_DUPLICATE_REVIEW__INIT;
    body.product_id = (char *)product_id;
    body.decision = decision;
    body.note = (char *)(note ? note : "");
    Ocop__Request req = OCOP__REQUEST__INIT;
    req.body_case = OCOP__REQUEST__BODY_REG_DUPLICATE_REVIEW;
    req.reg_duplicate_review = &body;
    return s_call(c, &req);
}

static int s_ids_push(char ***ids, size_t *n, size_t *cap, const char *id)
{
    if (*n == *cap) {
        size_t grown_cap = *cap ? *cap * 2 : 64;
        char **grown = realloc(*ids, grown_cap * sizeof *grown);
        if (!grown)
            return -1;
        *ids = grown;
        *cap = grown_cap;
    }
    (*ids)[*n] = strdup(id);
    if (!(*ids)[*n])
        return -1;
    (*n)++;
    return 0;
}

void harness_ids_free(char **ids, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(ids[i]);
    free(ids);
}

/* The ids of one page and its next cursor; -1 when the reply is not such a page. */
typedef int (*s_page_fn)(const Ocop__Reply *reply, char ***ids, size_t *n, size_t *cap, const char **next);

/* Every page of a list request: req's body (a copy of the caller's filter) has its cursor and
 * limit at *cursor_field and *limit_field. */
static int s_list_all(ocop_client_t *c, Ocop__Request *req, char **cursor_field, uint32_t *limit_field,
                      unsigned page_limit, const char *what, s_page_fn take, char ***ids, size_t *n, size_t *pages)
{
    *ids = NULL;
    *n = 0;
    *pages = 0;
    size_t cap = 0;
    char cursor[128] = "";
    for (size_t page = 0; page < S_LIST_PAGES_MAX; page++) {
        *cursor_field = cursor;
        *limit_field = page_limit;
        Ocop__Reply *reply = s_call(c, req);
        const char *next = NULL;
        int rc = reply && reply->status == OCOP__STATUS__STATUS_OK ? take(reply, ids, n, &cap, &next) : -1;
        if (!reply || rc != 0) {
            fprintf(stderr, "harness: %s list failed: %s %s\n", what,
                    reply ? harness_status_name(reply->status) : "no reply", reply ? reply->message : "");
            if (reply)
                ocop__reply__free_unpacked(reply, NULL);
            return -1;
        }
        (*pages)++;
        int done = !next || !*next;
        int stuck = !done && strcmp(next, cursor) == 0;
        if (!done)
            snprintf(cursor, sizeof cursor, "%s", next);
        ocop__reply__free_unpacked(reply, NULL);
        if (stuck)
            return -1;
        if (done)
            return 0;
    }
    return -1;
}

static int s_product_page(const Ocop__Reply *reply, char ***ids, size_t *n, size_t *cap, const char **next)
{
    if (reply->body_case != OCOP__REPLY__BODY_REG_PRODUCT_PAGE)
        return -1;
    const Ocop__RegProductPage *pg = reply->reg_product_page;
    for (size_t i = 0; i < pg->n_products; i++)
        if (s_ids_push(ids, n, cap, pg->products[i]->id) != 0)
            return -1;
    *next = pg->next_cursor;
    return 0;
}

static int s_entity_page(const Ocop__Reply *reply, char ***ids, size_t *n, size_t *cap, const char **next)
{
    if (reply->body_case != OCOP__REPLY__BODY_REG_ENTITY_PAGE)
        return -1;
    const Ocop__RegEntityPage *pg = reply->reg_entity_page;
    for (size_t i = 0; i < pg->n_entities; i++)
        if (s_ids_push(ids, n, cap, pg->entities[i]->id) != 0)
            return -1;
    *next = pg->next_cursor;
    return 0;
}

int harness_product_list_all(ocop_client_t *c, const Ocop__RegProductList *filter, unsigned page_limit, char ***ids,
                             size_t *n, size_t *pages)
{
    Ocop__RegProductList body = *filter;
    Ocop__Request req = OCOP__REQUEST__INIT;
    req.body_case = OCOP__REQUEST__BODY_REG_PRODUCT_LIST;
    req.reg_product_list = &body;
    return s_list_all(c, &req, &body.cursor, &body.limit, page_limit, "product", s_product_page, ids, n, pages);
}

int harness_entity_list_all(ocop_client_t *c, const Ocop__RegEntityList *filter, unsigned page_limit, char ***ids,
                            size_t *n, size_t *pages)
{
    Ocop__RegEntityList body = *filter;
    Ocop__Request req = OCOP__REQUEST__INIT;
    req.body_case = OCOP__REQUEST__BODY_REG_ENTITY_LIST;
    req.reg_entity_list = &body;
    return s_list_all(c, &req, &body.cursor, &body.limit, page_limit, "entity", s_entity_page, ids, n, pages);
}

/* ---------------------------------------------------------------- snapshots */

typedef struct {
    uint8_t *data;
    size_t len, cap;
    int failed;
} s_buf_t;

static void s_buf_add(s_buf_t *b, const void *data, size_t len)
{
    if (b->failed)
        return;
    if (b->len + len + 8 > b->cap) {
        size_t cap = b->cap ? b->cap : 4096;
        while (cap < b->len + len + 8)
            cap *= 2;
        uint8_t *grown = realloc(b->data, cap);
        if (!grown) {
            b->failed = 1;
            return;
        }
        b->data = grown;
        b->cap = cap;
    }
    /* Length-prefixed, so different sequences of parts never give the same bytes. */
    uint64_t n = len;
    memcpy(b->data + b->len, &n, 8);
    memcpy(b->data + b->len + 8, data, len);
    b->len += len + 8;
}

static void s_buf_add_reply_body(s_buf_t *b, Ocop__Reply *reply, Ocop__Reply__BodyCase body)
{
    if (!reply || reply->status != OCOP__STATUS__STATUS_OK || reply->body_case != body) {
        b->failed = 1;
        if (reply)
            ocop__reply__free_unpacked(reply, NULL);
        return;
    }
    const ProtobufCMessage *msg = body == OCOP__REPLY__BODY_REG_ENTITY           ? &reply->reg_entity->base
                                  : body == OCOP__REPLY__BODY_REG_PRODUCT_DETAIL ? &reply->reg_product_detail->base
                                                                                 : &reply->reg_counts->base;
    size_t len = protobuf_c_message_get_packed_size(msg);
    uint8_t *tmp = malloc(len ? len : 1);
    if (tmp) {
        protobuf_c_message_pack(msg, tmp);
        s_buf_add(b, tmp, len);
    } else {
        b->failed = 1;
    }
    free(tmp);
    ocop__reply__free_unpacked(reply, NULL);
}

int harness_snapshot(harness_t *self, ocop_client_t *c, uint8_t **out, size_t *len)
{
    (void)self;
    *out = NULL;
    *len = 0;
    s_buf_t b = {0};
    Ocop__Ping ping = OCOP__PING__INIT;
    Ocop__Request req = OCOP__REQUEST__INIT;
    req.body_case = OCOP__REQUEST__BODY_PING;
    req.ping = &ping;
    Ocop__Reply *reply;
    if (harness_call(c, &req, &reply) != 0)
        return -1;
    uint64_t last = reply->body_case == OCOP__REPLY__BODY_PONG ? reply->pong->last_sequence : UINT64_MAX;
    ocop__reply__free_unpacked(reply, NULL);
    s_buf_add(&b, &last, sizeof last);

    char **ids;
    size_t n, pages;
    Ocop__RegEntityList ef = OCOP__REG_ENTITY_LIST__INIT;
    if (harness_entity_list_all(c, &ef, 1000, &ids, &n, &pages) != 0)
        b.failed = 1;
    else {
        for (size_t i = 0; i < n; i++)
            s_buf_add_reply_body(&b, harness_entity_get(c, ids[i]), OCOP__REPLY__BODY_REG_ENTITY);
        harness_ids_free(ids, n);
    }
    Ocop__RegProductList pf = OCOP__REG_PRODUCT_LIST__INIT;
    if (harness_product_list_all(c, &pf, 1000, &ids, &n, &pages) != 0)
        b.failed = 1;
    else {
        for (size_t i = 0; i < n; i++)
            s_buf_add_reply_body(&b, harness_product_get(c, ids[i]), OCOP__REPLY__BODY_REG_PRODUCT_DETAIL);
        harness_ids_free(ids, n);
    }
    s_buf_add_reply_body(&b, harness_counts(c, NULL), OCOP__REPLY__BODY_REG_COUNTS);
    if (b.failed) {
        free(b.data);
        return -1;
    }
    *out = b.data;
    *len = b.len;
    return 0;
}
