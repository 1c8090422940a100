/* reg_unit_handlers — get, list and import of administrative units. */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "ocop_date.h"
#include "ocop_error.h"
#include "reg_handlers.h"
#include "reg_state.h"

#define S_IMPORT_MAX 5000

/* The requested hierarchy version, or the current one when empty; NULL (reply failed) if unknown. */
static const char *s_version(ocop_ctx_t *ctx, Ocop__Reply *reply, const char *requested, const char *field)
{
    reg_state_t *state = ocop_ctx_user(ctx);
    if (requested && *requested) {
        if (!reg_hierarchies_find(state->hierarchies, requested)) {
            ocop_ctx_fail(ctx, reply, OCOP_E_INVALID, field, "unknown unit hierarchy version %s", requested);
            return NULL;
        }
        return requested;
    }
    char day[11];
    ocop_day_of(ocop_ctx_now_ms(ctx), day);
    const reg_hierarchy_t *h = reg_hierarchies_current(state->hierarchies, day);
    if (!h)
        ocop_ctx_fail(ctx, reply, OCOP_E_INTERNAL, field, "no unit hierarchy is in force today");
    return h ? h->version : NULL;
}

static int s_valid_code(const char *code)
{
    size_t n = strlen(code);
    if (n == 0 || n > 16)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (code[i] < '0' || code[i] > '9')
            return 0;
    return 1;
}

/* The fields of units[i] that need no other unit: code, name, kind, level (its successor codes:
 * s_check_successors).
 * 0, or -1 with the reply failed INVALID on the field. */
static int s_check_unit(ocop_ctx_t *ctx, Ocop__Reply *reply, size_t i, const Ocop__RegUnit *u)
{
    char field[48];
    snprintf(field, sizeof field, "units[%zu].code", i);
    if (!s_valid_code(u->code))
        return ocop_ctx_fail(ctx, reply, OCOP_E_INVALID, field, "%s must be 1 to 16 digits", field);
    snprintf(field, sizeof field, "units[%zu].name", i);
    if (ocop_ctx_check_text(ctx, reply, field, u->name, 1, 160) != 0)
        return -1;
    snprintf(field, sizeof field, "units[%zu].kind", i);
    if (ocop_ctx_check_text(ctx, reply, field, u->kind, 0, 40) != 0)
        return -1;
    snprintf(field, sizeof field, "units[%zu].level", i);
    if (u->level < OCOP__UNIT_LEVEL__UNIT_LEVEL_PROVINCE || u->level > OCOP__UNIT_LEVEL__UNIT_LEVEL_COMMUNE)
        return ocop_ctx_fail(ctx, reply, OCOP_E_INVALID, field, "%s must be province, district or commune", field);
    return 0;
}

static int s_check_successors(ocop_ctx_t *ctx, Ocop__Reply *reply, size_t i, const Ocop__RegUnit *u)
{
    for (size_t s = 0; s < u->n_successor_codes; s++)
        if (!s_valid_code(u->successor_codes[s])) {
            char field[48];
            snprintf(field, sizeof field, "units[%zu].successor_codes", i);
            return ocop_ctx_fail(ctx, reply, OCOP_E_INVALID, field, "%s must be codes of digits", field);
        }
    return 0;
}

/* units[i]'s parent (a higher unit of the version, stored already) and its province into
 * province (20 bytes); a province is its own. 0, or -1 with the reply failed. */
static int s_unit_province(ocop_ctx_t *ctx, Ocop__Reply *reply, const char *version, size_t i, const Ocop__RegUnit *u,
                           char province[20])
{
    if (u->level == OCOP__UNIT_LEVEL__UNIT_LEVEL_PROVINCE) {
        snprintf(province, 20, "%s", u->code);
        return 0;
    }
    Ocop__RegUnit *parent;
    int rc = reg_unit_get(ctx, reply, version, u->parent_code, &parent);
    if (rc < 0)
        return -1;
    char field[48];
    snprintf(field, sizeof field, "units[%zu].parent_code", i);
    if (rc == 1 || parent->level >= u->level)
        return ocop_ctx_fail(ctx, reply, OCOP_E_NOT_FOUND, field,
                             "%s '%s' is not a higher unit of version %s (list parents first)", field, u->parent_code,
                             version);
    snprintf(province, 20, "%s", parent->province_code);
    return 0;
}

/* Stores unit (its listing under its parent moved when the parent changed); *updated says it
 * replaced one. 0, or -1 with the reply failed. */
static int s_store_unit(ocop_ctx_t *ctx, Ocop__Reply *reply, const Ocop__RegUnit *unit, bool *updated)
{
    reg_state_t *state = ocop_ctx_user(ctx);
    Ocop__RegUnit *old;
    int rc = reg_unit_get(ctx, reply, unit->version, unit->code, &old);
    if (rc < 0)
        return -1;
    /* Moving a unit to another parent: drop the old listing entry. */
    if (old && strcmp(old->parent_code, unit->parent_code) != 0 &&
        ocop_ctx_index_del(ctx, reply, state->db.units_by_parent, unit->version, old->parent_code, unit->code) != 0)
        return -1;
    ocop_key_t k;
    ocop_key_init(&k);
    ocop_key_str(&k, unit->version);
    ocop_key_str(&k, unit->code);
    if (ocop_ctx_record_put(ctx, reply, state->db.units, &k, &unit->base) != 0 ||
        ocop_ctx_index_put(ctx, reply, state->db.units_by_parent, unit->version, unit->parent_code, unit->code) != 0)
        return -1;
    *updated = old != NULL;
    return 0;
}

int reg_handle_unit_import(ocop_ctx_t *ctx, const Ocop__Request *req, Ocop__Reply *reply)
{
    reg_state_t *state = ocop_ctx_user(ctx);
    const Ocop__RegUnitImport *in = req->reg_unit_import;
    if (!in->version[0] || !reg_hierarchies_find(state->hierarchies, in->version))
        return ocop_ctx_fail(ctx, reply, OCOP_E_INVALID, "version", "unknown unit hierarchy version '%s'", in->version);
    if (in->n_units == 0 || in->n_units > S_IMPORT_MAX)
        return ocop_ctx_fail(ctx, reply, OCOP_E_INVALID, "units", "an import carries 1 to %d units", S_IMPORT_MAX);
    uint32_t added = 0, updated = 0;
    for (size_t i = 0; i < in->n_units; i++) {
        const Ocop__RegUnit *u = in->units[i];
        char province[20];
        if (s_check_unit(ctx, reply, i, u) != 0 || s_unit_province(ctx, reply, in->version, i, u, province) != 0 ||
            s_check_successors(ctx, reply, i, u) != 0)
            return -1;
        Ocop__RegUnit unit = *u;
        unit.version = in->version;
        unit.province_code = province;
        if (u->level == OCOP__UNIT_LEVEL__UNIT_LEVEL_PROVINCE)
            unit.parent_code = "";
        bool replaced = false;
        if (s_store_unit(ctx, reply, &unit, &replaced) != 0)
            return -1;
        if (replaced)
            updated++;
        else
            added++;
    }
    ocop_arena_t *arena = ocop_ctx_arena(ctx);
    Ocop__RegUnitsImported *body = ocop_arena_alloc(arena, sizeof *body);
    ocop__reg_units_imported__init(body);
    body->version = in->version;
    body->added = added;
    body->updated = updated;
    if (ocop_ctx_publish_body(ctx, reply, &body->base) != 0)
        return -1;
    Ocop__RegUnitImportResult *result = ocop_arena_alloc(arena, sizeof *result);
    ocop__reg_unit_import_result__init(result);
    result->added = added;
    result->updated = updated;
    reply->body_case = OCOP__REPLY__BODY_REG_UNIT_IMPORT_RESULT;
    reply->reg_unit_import_result = result;
    return 0;
}

int reg_handle_unit_get(ocop_ctx_t *ctx, const Ocop__Request *req, Ocop__Reply *reply)
{
    const Ocop__RegUnitGet *in = req->reg_unit_get;
    const char *version = s_version(ctx, reply, in->version, "version");
    if (!version)
        return -1;
    Ocop__RegUnit *unit;
    int rc = reg_unit_get(ctx, reply, version, in->code, &unit);
    if (rc < 0)
        return -1;
    if (rc == 1)
        return ocop_ctx_fail(ctx, reply, OCOP_E_NOT_FOUND, "code", "no unit %s in version %s", in->code, version);
    reply->body_case = OCOP__REPLY__BODY_REG_UNIT;
    reply->reg_unit = unit;
    return 0;
}

typedef struct {
    ocop_ctx_t *ctx;
    Ocop__Reply *reply;
    const char *version;
    Ocop__RegUnitPage *page;
    size_t limit;
} s_unit_page_t;

static int s_collect_unit(void *user, const char *code)
{
    s_unit_page_t *p = user;
    Ocop__RegUnit *unit;
    int rc = reg_unit_get(p->ctx, p->reply, p->version, code, &unit);
    if (rc != 0)
        return rc < 0 ? -1 : 0; /* an index entry without its record is skipped */
    p->page->units[p->page->n_units++] = unit;
    return p->page->n_units == p->limit ? 1 : 0;
}

int reg_handle_unit_list(ocop_ctx_t *ctx, const Ocop__Request *req, Ocop__Reply *reply)
{
    reg_state_t *state = ocop_ctx_user(ctx);
    const Ocop__RegUnitList *in = req->reg_unit_list;
    const char *const filters[] = {"version", in->version, "parent_code", in->parent_code, "cursor", in->cursor, NULL};
    if (reg_check_filters(ctx, reply, filters) != 0)
        return -1;
    const char *version = s_version(ctx, reply, in->version, "version");
    if (!version)
        return -1;
    ocop_arena_t *arena = ocop_ctx_arena(ctx);
    size_t limit;
    if (reg_page_limit(ctx, reply, in->limit, &limit) != 0)
        return -1;
    s_unit_page_t p = {.ctx = ctx, .reply = reply, .version = version, .limit = limit};
    p.page = ocop_arena_alloc(arena, sizeof *p.page);
    ocop__reg_unit_page__init(p.page);
    p.page->units = ocop_arena_alloc(arena, p.limit * sizeof *p.page->units);
    char next[64];
    int more;
    if (ocop_ctx_index_scan(ctx, reply, state->db.units_by_parent, version, in->parent_code, in->cursor, p.limit,
                            s_collect_unit, &p, next, sizeof next, &more) != 0)
        return -1;
    p.page->next_cursor = ocop_arena_strdup(arena, next);
    reply->body_case = OCOP__REPLY__BODY_REG_UNIT_PAGE;
    reply->reg_unit_page = p.page;
    return 0;
}
