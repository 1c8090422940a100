/* reg_entity — economic entities: register, get, update, list. */
#include <stdio.h>
#include <string.h>

#include "ocop_date.h"
#include "ocop_error.h"
#include "reg_entity.h"
#include "reg_handlers.h"
#include "reg_normalize.h"
#include "reg_state.h"

int reg_entity_find(ocop_ctx_t *ctx, Ocop__Reply *reply, const char *id, Ocop__RegEntity **out)
{
    const reg_state_t *state = ocop_ctx_user(ctx);
    ocop_key_t key;
    ocop_key_init(&key);
    ocop_key_str(&key, id);
    *out = NULL;
    return *id ? ocop_ctx_record(ctx, reply, state->db.entities, &key, &ocop__reg_entity__descriptor, (void **)out) : 1;
}

Ocop__RegEntity *reg_entity_load(ocop_ctx_t *ctx, Ocop__Reply *reply, const char *field, const char *id)
{
    if (!*id) {
        ocop_ctx_fail(ctx, reply, OCOP_E_INVALID, field, "%s is required", field);
        return NULL;
    }
    Ocop__RegEntity *e;
    if (reg_entity_find(ctx, reply, id, &e) == 1)
        ocop_ctx_fail(ctx, reply, OCOP_E_NOT_FOUND, field, "no entity '%.64s'", id);
    return e;
}

int reg_commune_resolve(ocop_ctx_t *ctx, Ocop__Reply *reply, const char *requested_version, const char *commune,
                        reg_place_t *place)
{
    reg_state_t *state = ocop_ctx_user(ctx);
    if (!commune || !*commune)
        return ocop_ctx_fail(ctx, reply, OCOP_E_INVALID, "commune_code", "commune_code is required");
    char day[11];
    ocop_day_of(ocop_ctx_now_ms(ctx), day);
    const reg_hierarchy_t *h;
    if (requested_version && *requested_version) {
        h = reg_hierarchies_find(state->hierarchies, requested_version);
        if (!h)
            return ocop_ctx_fail(ctx, reply, OCOP_E_INVALID, "unit_version", "unknown unit hierarchy version '%s'",
                                 requested_version);
    } else {
        h = reg_hierarchies_current(state->hierarchies, day);
        if (!h)
            return ocop_ctx_fail(ctx, reply, OCOP_E_INTERNAL, "unit_version", "no unit hierarchy is in force");
    }
    Ocop__RegUnit *unit;
    int rc = reg_unit_get(ctx, reply, h->version, commune, &unit);
    if (rc < 0)
        return -1;
    if (rc == 1 || unit->level != OCOP__UNIT_LEVEL__UNIT_LEVEL_COMMUNE)
        return ocop_ctx_fail(ctx, reply, OCOP_E_NOT_FOUND, "commune_code", "commune_code '%s' is not a commune of %s",
                             commune, h->version);
    snprintf(place->version, sizeof place->version, "%s", h->version);
    snprintf(place->province, sizeof place->province, "%s", unit->province_code);
    /* A commune's parent is its district where the hierarchy has districts, else its province. */
    snprintf(place->district, sizeof place->district, "%s",
             strcmp(unit->parent_code, unit->province_code) != 0 ? unit->parent_code : "");
    rc = reg_units_current_province(ctx, reply, day, h->version, unit->province_code, place->current_province,
                                    sizeof place->current_province);
    if (rc < 0)
        return -1;
    if (rc == 1)
        return ocop_ctx_fail(ctx, reply, OCOP_E_INVALID, "commune_code",
                             "province %s of version %s has no successor in the merge table", unit->province_code,
                             h->version);
    return 0;
}

static int s_valid_tax_code(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n > REG_CODE_MAX)
        return 0;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (!((c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '-' || c == '/'))
            return 0;
    }
    return 1;
}

static int s_tax_key(ocop_key_t *k, Ocop__EntityType type, const char *tax_code)
{
    ocop_key_init(k);
    ocop_key_u32(k, (uint32_t)type);
    ocop_key_str(k, tax_code);
    return k->overflow ? -1 : 0;
}

static int s_entity_store(ocop_ctx_t *ctx, Ocop__Reply *reply, const Ocop__RegEntity *e)
{
    ocop_key_t key;
    ocop_key_init(&key);
    ocop_key_str(&key, e->id);
    return ocop_ctx_record_put(ctx, reply, ((reg_state_t *)ocop_ctx_user(ctx))->db.entities, &key, &e->base);
}

/* Index values: "all" holds every entity; province and commune let lists skip full scans. */
static int s_entity_index(ocop_ctx_t *ctx, Ocop__Reply *reply, const Ocop__RegEntity *e)
{
    const ocop_table_t idx = ((reg_state_t *)ocop_ctx_user(ctx))->db.entity_idx;
    char commune[48];
    snprintf(commune, sizeof commune, "%s:%s", e->unit_version, e->commune_code);
    if (ocop_ctx_index_put(ctx, reply, idx, "all", "", e->id) != 0 ||
        ocop_ctx_index_put(ctx, reply, idx, "province", e->current_province_code, e->id) != 0)
        return -1;
    return ocop_ctx_index_put(ctx, reply, idx, "commune", commune, e->id);
}

static int s_phone(ocop_ctx_t *ctx, Ocop__Reply *reply, const char *in, char **out)
{
    *out = "";
    if (!in || !*in)
        return 0;
    char phone[REG_PHONE_MAX];
    if (reg_normalize_phone(in, phone, sizeof phone) != 0)
        return ocop_ctx_fail(ctx, reply, OCOP_E_INVALID, "phone",
                             "phone '%.40s' is not a Vietnamese mobile (9 digits after 0) or landline number", in);
    *out = ocop_arena_strdup(ocop_ctx_arena(ctx), phone);
    return 0;
}

static int s_reply_entity(ocop_ctx_t *ctx, Ocop__Reply *reply, Ocop__RegEntity *e, Ocop__Event__BodyCase event)
{
    Ocop__RegEntityRegistered registered = OCOP__REG_ENTITY_REGISTERED__INIT;
    Ocop__RegEntityUpdated updated = OCOP__REG_ENTITY_UPDATED__INIT;
    registered.entity = updated.entity = e;
    if (ocop_ctx_publish_body(ctx, reply,
                              event == OCOP__EVENT__BODY_REG_ENTITY_REGISTERED ? &registered.base : &updated.base) != 0)
        return -1;
    reply->body_case = OCOP__REPLY__BODY_REG_ENTITY;
    reply->reg_entity = e;
    return 0;
}

int reg_handle_entity_register(ocop_ctx_t *ctx, const Ocop__Request *req, Ocop__Reply *reply)
{
    reg_state_t *state = ocop_ctx_user(ctx);
    const Ocop__RegEntityRegister *in = req->reg_entity_register;
    ocop_arena_t *arena = ocop_ctx_arena(ctx);
    if (in->type < OCOP__ENTITY_TYPE__ENTITY_TYPE_COOPERATIVE || in->type > OCOP__ENTITY_TYPE__ENTITY_TYPE_FARM)
        return ocop_ctx_fail(ctx, reply, OCOP_E_INVALID, "type",
                             "type must be cooperative, cooperative group, enterprise, household business or farm");
    if (ocop_ctx_check_text(ctx, reply, "name", in->name, 1, REG_NAME_MAX) != 0 ||
        ocop_ctx_check_text(ctx, reply, "representative", in->representative, 0, 100) != 0)
        return -1;
    if (!s_valid_tax_code(in->tax_code))
        return ocop_ctx_fail(ctx, reply, OCOP_E_INVALID, "tax_code",
                             "tax_code is required: 1 to %d letters, digits, '-' or '/'", REG_CODE_MAX);
    char *phone;
    if (s_phone(ctx, reply, in->phone, &phone) != 0)
        return -1;
    char *key = reg_key_in_arena(ctx, reply, "name", in->name, 0);
    if (!key)
        return -1;
    if (!*key)
        return ocop_ctx_fail(ctx, reply, OCOP_E_INVALID, "name", "name has nothing but a legal form");
    reg_place_t place;
    if (reg_commune_resolve(ctx, reply, in->unit_version, in->commune_code, &place) != 0)
        return -1;

    ocop_key_t tk;
    s_tax_key(&tk, in->type, in->tax_code);
    ocop_bytes_t existing;
    int rc = ocop_ctx_value(ctx, reply, state->db.entity_tax, &tk, &existing);
    if (rc < 0)
        return -1;
    if (rc == 0)
        return ocop_ctx_fail(ctx, reply, OCOP_E_CONFLICT, "tax_code",
                             "tax_code %s is already registered to %.*s for this entity type", in->tax_code,
                             (int)existing.size, (const char *)existing.data);

    Ocop__RegEntity *e = ocop_arena_alloc(arena, sizeof *e);
    ocop__reg_entity__init(e);
    char id[32];
    if (reg_state_next_id(ctx, reply, "ENT", id, sizeof id) != 0)
        return -1;
    e->id = ocop_arena_strdup(arena, id);
    e->type = in->type;
    e->name = in->name;
    e->normalized_name = key;
    e->tax_code = in->tax_code;
    e->unit_version = ocop_arena_strdup(arena, place.version);
    e->commune_code = in->commune_code;
    e->province_code = ocop_arena_strdup(arena, place.province);
    e->current_province_code = ocop_arena_strdup(arena, place.current_province);
    e->representative = in->representative;
    e->phone = phone;
    e->created_ms = e->updated_ms = ocop_ctx_now_ms(ctx);
    e->revision = 1;
    if (ocop_ctx_value_put(ctx, reply, state->db.entity_tax, &tk, e->id, strlen(e->id)) != 0 ||
        s_entity_store(ctx, reply, e) != 0 || s_entity_index(ctx, reply, e) != 0)
        return -1;
    return s_reply_entity(ctx, reply, e, OCOP__EVENT__BODY_REG_ENTITY_REGISTERED);
}

static const char *s_entity_id(const Ocop__Reply *reply)
{
    return reply->body_case == OCOP__REPLY__BODY_REG_ENTITY && reply->reg_entity ? reply->reg_entity->id : NULL;
}

/* The reply of a get, and of a retried register or update: the entity with id as it is now. */
static int s_entity_rebuild(ocop_ctx_t *ctx, const char *id, Ocop__Reply *reply)
{
    Ocop__RegEntity *e = reg_entity_load(ctx, reply, "id", id);
    if (!e)
        return -1;
    reply->body_case = OCOP__REPLY__BODY_REG_ENTITY;
    reply->reg_entity = e;
    return 0;
}

const ocop_replay_t reg_entity_replay = {s_entity_id, s_entity_rebuild};

int reg_handle_entity_get(ocop_ctx_t *ctx, const Ocop__Request *req, Ocop__Reply *reply)
{
    return s_entity_rebuild(ctx, req->reg_entity_get->id, reply);
}

int reg_handle_entity_update(ocop_ctx_t *ctx, const Ocop__Request *req, Ocop__Reply *reply)
{
    const Ocop__RegEntityUpdate *in = req->reg_entity_update;
    Ocop__RegEntity *e = reg_entity_load(ctx, reply, "id", in->id);
    if (!e)
        return -1;
    if (reg_check_revision(ctx, reply, "entity", e->id, e->revision, in->expected_revision) != 0)
        return -1;
    if (ocop_ctx_check_text(ctx, reply, "name", in->name, 0, REG_NAME_MAX) != 0 ||
        ocop_ctx_check_text(ctx, reply, "representative", in->representative, 0, 100) != 0)
        return -1;
    if (*in->name) {
        char *key = reg_key_in_arena(ctx, reply, "name", in->name, 0);
        if (!key)
            return -1;
        if (!*key)
            return ocop_ctx_fail(ctx, reply, OCOP_E_INVALID, "name", "name has nothing but a legal form");
        e->name = in->name;
        e->normalized_name = key;
    }
    if (*in->representative)
        e->representative = in->representative;
    if (*in->phone && s_phone(ctx, reply, in->phone, &e->phone) != 0)
        return -1;
    e->revision++;
    e->updated_ms = ocop_ctx_now_ms(ctx);
    if (s_entity_store(ctx, reply, e) != 0)
        return -1;
    return s_reply_entity(ctx, reply, e, OCOP__EVENT__BODY_REG_ENTITY_UPDATED);
}

typedef struct {
    ocop_ctx_t *ctx;
    Ocop__Reply *reply;
    const Ocop__RegEntityList *in;
    Ocop__RegEntityPage *page;
    size_t limit;
} s_entity_page_t;

static int s_collect_entity(void *user, const char *id)
{
    s_entity_page_t *p = user;
    Ocop__RegEntity *e;
    int rc = reg_entity_find(p->ctx, p->reply, id, &e);
    if (rc != 0)
        return rc < 0 ? -1 : 0; /* an index entry without its record is skipped */
    if (*p->in->province_code && strcmp(e->current_province_code, p->in->province_code) != 0)
        return 0;
    if (p->in->type && e->type != p->in->type)
        return 0;
    p->page->entities[p->page->n_entities++] = e;
    return p->page->n_entities == p->limit ? 1 : 0;
}

int reg_handle_entity_list(ocop_ctx_t *ctx, const Ocop__Request *req, Ocop__Reply *reply)
{
    reg_state_t *state = ocop_ctx_user(ctx);
    const Ocop__RegEntityList *in = req->reg_entity_list;
    const char *const filters[] = {
        "province_code", in->province_code, "commune_code", in->commune_code, "cursor", in->cursor, NULL};
    if (reg_check_filters(ctx, reply, filters) != 0)
        return -1;
    ocop_arena_t *arena = ocop_ctx_arena(ctx);
    const char *index = "all", *value = "";
    char commune[48];
    if (*in->commune_code) {
        reg_place_t place;
        if (reg_commune_resolve(ctx, reply, "", in->commune_code, &place) != 0)
            return -1;
        snprintf(commune, sizeof commune, "%s:%s", place.version, in->commune_code);
        index = "commune";
        value = commune;
    } else if (*in->province_code) {
        index = "province";
        value = in->province_code;
    }
    size_t limit;
    if (reg_page_limit(ctx, reply, in->limit, &limit) != 0)
        return -1;
    s_entity_page_t p = {.ctx = ctx, .reply = reply, .in = in, .limit = limit};
    p.page = ocop_arena_alloc(arena, sizeof *p.page);
    ocop__reg_entity_page__init(p.page);
    p.page->entities = ocop_arena_alloc(arena, p.limit * sizeof *p.page->entities);
    char next[64];
    int more;
    /* Filters that no index serves may skip rows: scan a bounded stretch and hand back a cursor. */
    if (ocop_ctx_index_scan(ctx, reply, state->db.entity_idx, index, value, in->cursor, p.limit * 20, s_collect_entity,
                            &p, next, sizeof next, &more) != 0)
        return -1;
    p.page->next_cursor = ocop_arena_strdup(arena, next);
    reply->body_case = OCOP__REPLY__BODY_REG_ENTITY_PAGE;
    reply->reg_entity_page = p.page;
    return 0;
}
