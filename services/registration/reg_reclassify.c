/* reg_reclassify — see reg_reclassify.h; serves RegProductReclassify and RegCatalogueMigrate. */
#include "reg_reclassify.h"

#include <stdio.h>
#include <string.h>

#include "ocop_error.h"
#include "reg_counts.h"
#include "reg_handlers.h"
#include "reg_product.h"
#include "reg_state.h"

#define S_MIGRATE_DEFAULT 500
#define S_MIGRATE_MAX 5000
#define S_REGISTERED "as registered"

static Ocop__RegClassification *s_entry(ocop_arena_t *arena, const Ocop__RegProduct *p, const char *by,
                                        const char *reason, int64_t time_ms)
{
    Ocop__RegClassification *c = ocop_arena_alloc(arena, sizeof *c);
    ocop__reg_classification__init(c);
    c->catalogue_version = p->catalogue_version;
    c->sector_code = p->sector_code;
    c->product_set_code = p->product_set_code;
    c->by = (char *)by;
    c->reason = (char *)reason;
    c->time_ms = time_ms;
    return c;
}

int reg_classifications_read(ocop_ctx_t *ctx, Ocop__Reply *reply, const Ocop__RegProduct *p, const char *registered_by,
                             Ocop__RegClassification ***out, size_t *n)
{
    reg_state_t *state = ocop_ctx_user(ctx);
    if (ocop_ctx_log_read(ctx, reply, state->db.product_classes, p->id, &ocop__reg_classification__descriptor,
                          (ProtobufCMessage ***)out, n) != 0)
        return -1;
    if (*n == 0) {
        (*out)[0] = s_entry(ocop_ctx_arena(ctx), p, registered_by, S_REGISTERED, p->created_ms);
        *n = 1;
    }
    return 0;
}

/* Who registered p: the caller of its first stage change. 0 / -1. */
static int s_registered_by(ocop_ctx_t *ctx, Ocop__Reply *reply, const Ocop__RegProduct *p, const char **by)
{
    reg_state_t *state = ocop_ctx_user(ctx);
    Ocop__RegStageChange **history;
    size_t n;
    if (ocop_ctx_log_read(ctx, reply, state->db.product_history, p->id, &ocop__reg_stage_change__descriptor,
                          (ProtobufCMessage ***)&history, &n) != 0)
        return -1;
    *by = n ? history[0]->by : "";
    return 0;
}

/* Moves p (in the request's arena) to set of sector of cat, the caller having checked that the
 * mapping allows it: counts, sector index, history, record, in-memory index, then the event.
 * 0, or -1 with the reply failed. */
static int s_move(ocop_ctx_t *ctx, Ocop__Reply *reply, Ocop__RegProduct *p, const reg_catalogue_t *cat,
                  const reg_sector_t *sector, const reg_product_set_t *set, const char *reason)
{
    reg_state_t *state = ocop_ctx_user(ctx);
    reg_memindex_t *index = reg_products_index(ctx, reply);
    if (!index)
        return -1;
    ocop_arena_t *arena = ocop_ctx_arena(ctx);
    const Ocop__RegProduct before = *p; /* its strings stay valid: p's fields are repointed */
    uint64_t stored;
    if (ocop_ctx_log_last(ctx, reply, state->db.product_classes, p->id, &stored, NULL) != 0)
        return -1;
    /* History is written from the first move on, starting with what the product was registered as. */
    if (stored == 0) {
        const char *registered_by;
        if (s_registered_by(ctx, reply, p, &registered_by) != 0 ||
            ocop_ctx_log_append(ctx, reply, state->db.product_classes, p->id,
                                &s_entry(arena, p, registered_by, S_REGISTERED, p->created_ms)->base, NULL) != 0)
            return -1;
    }
    if (reg_counts_add(ctx, reply, p, p->stage, -1) != 0)
        return -1;
    p->catalogue_version = ocop_arena_strdup(arena, cat->version);
    p->sector_code = ocop_arena_strdup(arena, sector->code);
    p->product_set_code = ocop_arena_strdup(arena, set->code);
    p->revision++;
    p->updated_ms = ocop_ctx_now_ms(ctx);
    char old_sector[48], new_sector[48];
    snprintf(old_sector, sizeof old_sector, "%s:%s", before.catalogue_version, before.sector_code);
    snprintf(new_sector, sizeof new_sector, "%s:%s", p->catalogue_version, p->sector_code);
    if (reg_counts_add(ctx, reply, p, p->stage, +1) != 0 ||
        ocop_ctx_index_del(ctx, reply, state->db.product_idx, "sector", old_sector, p->id) != 0 ||
        ocop_ctx_index_put(ctx, reply, state->db.product_idx, "sector", new_sector, p->id) != 0 ||
        ocop_ctx_log_append(ctx, reply, state->db.product_classes, p->id,
                            &s_entry(arena, p, ocop_ctx_caller(ctx), reason, p->updated_ms)->base, NULL) != 0 ||
        reg_product_store(ctx, reply, p) != 0)
        return -1;
    int rc = reg_memindex_reclassify(index, p->entity_id, p->id, p->catalogue_version, p->product_set_code);
    if (rc != 0)
        return ocop_ctx_db_error(ctx, reply, rc, "recording the reclassification");

    Ocop__RegProductReclassified *body = ocop_arena_alloc(arena, sizeof *body);
    ocop__reg_product_reclassified__init(body);
    body->product = p;
    body->from_catalogue_version = before.catalogue_version;
    body->from_sector_code = before.sector_code;
    body->from_product_set_code = before.product_set_code;
    body->reason = (char *)reason;
    return ocop_ctx_publish_body(ctx, reply, &body->base);
}

/* "a, b and c" of the targets, for messages. */
static const char *s_list(ocop_arena_t *arena, const char *const *codes, int n)
{
    char buf[REG_CATALOGUE_MAP_TARGETS_MAX * 20] = "";
    size_t len = 0;
    for (int i = 0; i < n && len < sizeof buf; i++)
        len += (size_t)snprintf(buf + len, sizeof buf - len, "%s%s",
                                i == 0       ? ""
                                : i + 1 == n ? " or "
                                             : ", ",
                                codes[i]);
    return ocop_arena_strdup(arena, buf);
}

int reg_handle_product_reclassify(ocop_ctx_t *ctx, const Ocop__Request *req, Ocop__Reply *reply)
{
    reg_state_t *state = ocop_ctx_user(ctx);
    const Ocop__RegProductReclassify *in = req->reg_product_reclassify;
    Ocop__RegProduct *p = reg_product_load(ctx, reply, "product_id", in->product_id);
    if (!p)
        return -1;
    if (reg_check_revision(ctx, reply, "product", p->id, p->revision, in->expected_revision) != 0)
        return -1;
    if (ocop_ctx_check_text(ctx, reply, "reason", in->reason, 1, REG_REASON_MAX) != 0)
        return -1;
    const reg_catalogue_t *to = reg_catalogues_find(state->catalogues, in->catalogue_version);
    if (!to)
        return ocop_ctx_fail(ctx, reply, OCOP_E_INVALID, "catalogue_version", "unknown catalogue version '%.32s'",
                             in->catalogue_version);
    const reg_catalogue_t *from = reg_catalogues_find(state->catalogues, p->catalogue_version);
    if (!from)
        return ocop_ctx_fail(ctx, reply, OCOP_E_ILLEGAL_STATE, "product_id",
                             "product %s is in catalogue %s, which is not loaded", p->id, p->catalogue_version);
    if (!reg_catalogue_newer(to, from))
        return ocop_ctx_fail(ctx, reply, OCOP_E_INVALID, "catalogue_version",
                             "catalogue %s is not newer than catalogue %s of product %s", to->version, from->version,
                             p->id);
    const reg_sector_t *sector;
    const reg_product_set_t *set = reg_catalogue_product_set(to, in->product_set_code, &sector);
    if (!set)
        return ocop_ctx_fail(ctx, reply, OCOP_E_INVALID, "product_set_code",
                             "product_set_code '%.32s' is not in catalogue %s", in->product_set_code, to->version);
    const char *targets[REG_CATALOGUE_MAP_TARGETS_MAX];
    int n = reg_catalogue_map_targets(state->catalogue_map, from->version, p->product_set_code, to->version, targets);
    int listed = 0;
    for (int i = 0; i < n; i++)
        listed |= strcmp(targets[i], set->code) == 0;
    if (!listed)
        return ocop_ctx_fail(ctx, reply, OCOP_E_INVALID, "product_set_code",
                             "catalogue-map.json maps set %s of catalogue %s to %s of catalogue %s, not to %s",
                             p->product_set_code, from->version,
                             n > 0 ? s_list(ocop_ctx_arena(ctx), targets, n) : "no set", to->version, set->code);
    if (s_move(ctx, reply, p, to, sector, set, in->reason) != 0)
        return -1;
    return reg_product_reply_detail(ctx, reply, p);
}

/* What a migration finds among the products of its older catalogue. */
typedef struct {
    ocop_ctx_t *ctx;
    Ocop__Reply *reply;
    reg_state_t *state;
    const reg_catalogue_t *from, *to;
    const char *province;
    size_t max;
    char **ids;           /* the products this request moves, at most max ... */
    const char **targets; /* ... and the set each goes to */
    size_t n_ids;
    uint32_t ambiguous;
} s_migration_t;

static int s_visit(void *user, const char *id)
{
    s_migration_t *m = user;
    /* Unpacked with malloc and freed at once: a whole catalogue's products would fill the arena. */
    Ocop__RegProduct *p;
    int rc = reg_product_read(m->ctx, m->reply, id, NULL, &p);
    if (rc == 1)
        ocop_ctx_fail(m->ctx, m->reply, OCOP_E_INTERNAL, "", "product %s is in the sector index but not stored", id);
    if (rc != 0)
        return -1;
    if (!*m->province || strcmp(p->current_province_code, m->province) == 0) {
        const char *targets[REG_CATALOGUE_MAP_TARGETS_MAX];
        int n = reg_catalogue_map_targets(m->state->catalogue_map, m->from->version, p->product_set_code,
                                          m->to->version, targets);
        if (n == 1) {
            m->ids[m->n_ids] = ocop_arena_strdup(ocop_ctx_arena(m->ctx), id);
            m->targets[m->n_ids++] = targets[0];
        } else {
            m->ambiguous++; /* several sets, or none: a person decides */
        }
    }
    protobuf_c_message_free_unpacked(&p->base, NULL);
    return m->n_ids == m->max; /* 1: the batch is full */
}

/* Where a batch starts: the sector (index into the catalogue's) and the id after which to look
 * ("" = the sector's first), from "SECTOR/ID" or "". 0, or -1 when after is not such a place. */
static int s_parse_after(const reg_catalogue_t *from, const char *after, size_t *sector, char *id, size_t idlen)
{
    *sector = 0;
    id[0] = '\0';
    if (!*after)
        return 0;
    const char *slash = strchr(after, '/');
    if (!slash || strlen(slash + 1) >= idlen)
        return -1;
    for (size_t s = 0; s < from->n_sectors; s++)
        if (strlen(from->sectors[s].code) == (size_t)(slash - after) &&
            strncmp(from->sectors[s].code, after, (size_t)(slash - after)) == 0) {
            *sector = s;
            snprintf(id, idlen, "%s", slash + 1);
            return 0;
        }
    return -1;
}

int reg_handle_catalogue_migrate(ocop_ctx_t *ctx, const Ocop__Request *req, Ocop__Reply *reply)
{
    reg_state_t *state = ocop_ctx_user(ctx);
    const Ocop__RegCatalogueMigrate *in = req->reg_catalogue_migrate;
    ocop_arena_t *arena = ocop_ctx_arena(ctx);
    s_migration_t m = {.ctx = ctx, .reply = reply, .state = state, .province = in->province_code};
    m.from = reg_catalogues_find(state->catalogues, in->from_catalogue_version);
    if (!m.from)
        return ocop_ctx_fail(ctx, reply, OCOP_E_INVALID, "from_catalogue_version", "unknown catalogue version '%.32s'",
                             in->from_catalogue_version);
    m.to = reg_catalogues_find(state->catalogues, in->to_catalogue_version);
    if (!m.to)
        return ocop_ctx_fail(ctx, reply, OCOP_E_INVALID, "to_catalogue_version", "unknown catalogue version '%.32s'",
                             in->to_catalogue_version);
    if (!reg_catalogue_newer(m.to, m.from))
        return ocop_ctx_fail(ctx, reply, OCOP_E_INVALID, "to_catalogue_version",
                             "catalogue %s is not newer than catalogue %s", m.to->version, m.from->version);
    if (ocop_ctx_check_text(ctx, reply, "province_code", in->province_code, 0, REG_CODE_MAX) != 0 ||
        ocop_ctx_check_text(ctx, reply, "reason", in->reason, 0, REG_REASON_MAX) != 0)
        return -1;
    const char *reason = in->reason;
    if (!*reason) {
        char buf[96];
        snprintf(buf, sizeof buf, "catalogue %s replaced by %s", m.from->version, m.to->version);
        reason = ocop_arena_strdup(arena, buf);
    }
    if (in->max > S_MIGRATE_MAX)
        return ocop_ctx_fail(ctx, reply, OCOP_E_INVALID, "max", "max is 0 (%d) to %d products per batch",
                             S_MIGRATE_DEFAULT, S_MIGRATE_MAX);
    m.max = in->max == 0 ? S_MIGRATE_DEFAULT : in->max;
    m.ids = ocop_arena_alloc(arena, m.max * sizeof *m.ids);
    m.targets = ocop_arena_alloc(arena, m.max * sizeof *m.targets);
    size_t first;
    char after[128];
    if (s_parse_after(m.from, in->after, &first, after, sizeof after) != 0)
        return ocop_ctx_fail(ctx, reply, OCOP_E_INVALID, "after",
                             "after is a previous batch's next (SECTOR/ID of catalogue %s) or empty, not '%.64s'",
                             m.from->version, in->after);

    /* The older catalogue's products from after on, through the sector index ("catalogue:sector"),
     * until the batch is full. Moved products leave the index, so what lies before the cursor
     * is only what this migration leaves (ambiguous, or another province's). */
    size_t s = first;
    for (; s < m.from->n_sectors && m.n_ids < m.max; s++) {
        char value[48], last[64];
        int more;
        snprintf(value, sizeof value, "%s:%s", m.from->version, m.from->sectors[s].code);
        if (ocop_ctx_index_scan(ctx, reply, state->db.product_idx, "sector", value, s == first ? after : "", SIZE_MAX,
                                s_visit, &m, last, sizeof last, &more) != 0)
            return -1;
    }
    for (size_t i = 0; i < m.n_ids; i++) {
        Ocop__RegProduct *p;
        int rc = reg_product_find(ctx, reply, m.ids[i], &p);
        if (rc == 1) /* it was there a moment ago, in this transaction */
            return ocop_ctx_fail(ctx, reply, OCOP_E_INTERNAL, "", "product %s vanished while reclassifying", m.ids[i]);
        if (rc != 0)
            return -1;
        const reg_sector_t *sector;
        const reg_product_set_t *set = reg_catalogue_product_set(m.to, m.targets[i], &sector);
        if (s_move(ctx, reply, p, m.to, sector, set, reason) != 0)
            return -1;
    }
    Ocop__RegCatalogueMigrateResult *result = ocop_arena_alloc(arena, sizeof *result);
    ocop__reg_catalogue_migrate_result__init(result);
    result->reclassified = (uint32_t)m.n_ids;
    result->ambiguous = m.ambiguous;
    /* A full batch goes on after its last product (in the sector the loop had reached). */
    result->next =
        m.n_ids == m.max ? ocop_arena_printf(arena, "%s/%s", m.from->sectors[s - 1].code, m.ids[m.n_ids - 1]) : "";
    reply->body_case = OCOP__REPLY__BODY_REG_CATALOGUE_MIGRATE_RESULT;
    reply->reg_catalogue_migrate_result = result;
    return 0;
}
