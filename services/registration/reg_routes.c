/* reg_routes — which handler serves which request, and the helpers every handler uses. */
#include "reg_entity.h"
#include "reg_handlers.h"
#include "reg_product.h"

#include "ocop_error.h"
#include "ocop_text.h"
#include "reg_normalize.h"
#include "reg_state.h"

#include <stdlib.h>
#include <string.h>

static const ocop_route_t s_routes[] = {
    {OCOP__REQUEST__BODY_REG_UNIT_IMPORT, "unit_import", true, reg_handle_unit_import, false, NULL},
    {OCOP__REQUEST__BODY_REG_UNIT_GET, "unit_get", false, reg_handle_unit_get, false, NULL},
    {OCOP__REQUEST__BODY_REG_UNIT_LIST, "unit_list", false, reg_handle_unit_list, false, NULL},
    {OCOP__REQUEST__BODY_REG_ENTITY_REGISTER, "entity_register", true, reg_handle_entity_register, false,
     &reg_entity_replay},
    {OCOP__REQUEST__BODY_REG_ENTITY_GET, "entity_get", false, reg_handle_entity_get, false, NULL},
    {OCOP__REQUEST__BODY_REG_ENTITY_UPDATE, "entity_update", true, reg_handle_entity_update, false, &reg_entity_replay},
    {OCOP__REQUEST__BODY_REG_ENTITY_LIST, "entity_list", false, reg_handle_entity_list, false, NULL},
    {OCOP__REQUEST__BODY_REG_PRODUCT_REGISTER, "product_register", true, reg_handle_product_register, false,
     &reg_product_replay},
    {OCOP__REQUEST__BODY_REG_PRODUCT_GET, "product_get", false, reg_handle_product_get, false, NULL},
    {OCOP__REQUEST__BODY_REG_PRODUCT_UPDATE, "product_update", true, reg_handle_product_update, false,
     &reg_product_replay},
    /* On the loop: its lists by commune and by entity are in memory (reg_memindex), which the
     * writer changes while a batch runs. */
    {OCOP__REQUEST__BODY_REG_PRODUCT_LIST, "product_list", false, reg_handle_product_list, true, NULL},
    {OCOP__REQUEST__BODY_REG_STAGE_TRANSITION, "stage_transition", true, reg_handle_stage_transition, false,
     &reg_product_replay},
    {OCOP__REQUEST__BODY_REG_DUPLICATE_REVIEW, "duplicate_review", true, reg_handle_duplicate_review, false,
     &reg_product_replay},
    {OCOP__REQUEST__BODY_REG_COUNTS_GET, "counts_get", false, reg_handle_counts_get, false, NULL},
    {OCOP__REQUEST__BODY_REG_PRODUCT_RECLASSIFY, "product_reclassify", true, reg_handle_product_reclassify, false,
     &reg_product_replay},
    {OCOP__REQUEST__BODY_REG_CATALOGUE_MIGRATE, "catalogue_migrate", true, reg_handle_catalogue_migrate, false, NULL},
};

const ocop_route_t *reg_routes(size_t *count)
{
    *count = sizeof s_routes / sizeof s_routes[0];
    return s_routes;
}

#define S_PAGE_DEFAULT 50
#define S_PAGE_MAX 1000

int reg_page_limit(ocop_ctx_t *ctx, Ocop__Reply *reply, unsigned requested, size_t *limit)
{
    if (requested > S_PAGE_MAX)
        return ocop_ctx_fail(ctx, reply, OCOP_E_INVALID, "limit", "limit is 0 (%d) to %d rows", S_PAGE_DEFAULT,
                             S_PAGE_MAX);
    *limit = requested ? requested : S_PAGE_DEFAULT;
    return 0;
}

int reg_check_filters(ocop_ctx_t *ctx, Ocop__Reply *reply, const char *const *pairs)
{
    for (; pairs[0]; pairs += 2)
        if (ocop_ctx_check_text(ctx, reply, pairs[0], pairs[1], 0, REG_CODE_MAX) != 0)
            return -1;
    return 0;
}

char *reg_key_in_arena(ocop_ctx_t *ctx, Ocop__Reply *reply, const char *field, const char *name, int product)
{
    char *key = product ? reg_normalize_product_name(name, strlen(name)) : reg_normalize_name(name, strlen(name));
    if (!key) {
        ocop_ctx_fail(ctx, reply, OCOP_E_INVALID, field, "%s is not valid UTF-8", field);
        return NULL;
    }
    char *copy = ocop_arena_strdup(ocop_ctx_arena(ctx), key);
    free(key);
    return copy;
}

reg_memindex_t *reg_products_index(ocop_ctx_t *ctx, Ocop__Reply *reply)
{
    reg_memindex_t *index = reg_state_memindex(ocop_ctx_user(ctx));
    if (!index)
        ocop_ctx_fail(ctx, reply, OCOP_E_INTERNAL, "",
                      "the index of products by commune and entity could not be built (see the service's log)");
    return index;
}

int reg_check_revision(ocop_ctx_t *ctx, Ocop__Reply *reply, const char *what, const char *id, uint64_t current,
                       uint64_t expected)
{
    if (!expected || expected == current)
        return 0;
    return ocop_ctx_fail(ctx, reply, OCOP_E_CONFLICT, "expected_revision", "%s %s is at revision %llu, not %llu", what,
                         id, (unsigned long long)current, (unsigned long long)expected);
}
