/* reg_screening — see reg_screening.h; also serves RegDuplicateReview. */
#include "reg_screening.h"

#include <stdio.h>
#include <string.h>

#include "ocop_error.h"
#include "ocop_store.h"
#include "reg_handlers.h"
#include "reg_index.h"
#include "reg_log.h"
#include "reg_product.h"
#include "reg_similarity.h"
#include "reg_state.h"

/* Blocks are small (one commune, one product set); this bound only protects the service
 * from a pathological block. */
#define S_BLOCK_SCAN_MAX 20000

/* A block is one commune of one hierarchy version: key "block|version:commune|product id".
 * The same keys serve lists by commune, so a registration adds one entry, not two. */
static void s_block_prefix(ocop_key_t *k, const Ocop__RegProduct *p)
{
    char value[64];
    snprintf(value, sizeof value, "%s:%s", p->unit_version, p->commune_code);
    ocop_key_init(k);
    ocop_key_str(k, REG_BLOCK_INDEX);
    ocop_key_str(k, value);
}

/* Value: catalogue NUL product set NUL entity id NUL normalised name (no trailing NUL). */
typedef struct {
    const char *catalogue, *set, *entity;
    char key[1024];
} s_block_entry_t;

static int s_block_parse(const MDB_val *v, s_block_entry_t *e)
{
    const char *p = v->mv_data, *end = p + v->mv_size;
    const char *parts[3];
    for (int i = 0; i < 3; i++) {
        const char *nul = memchr(p, '\0', (size_t)(end - p));
        if (!nul)
            return -1;
        parts[i] = p;
        p = nul + 1;
    }
    e->catalogue = parts[0];
    e->set = parts[1];
    e->entity = parts[2];
    size_t n = (size_t)(end - p);
    if (n >= sizeof e->key)
        n = sizeof e->key - 1;
    memcpy(e->key, p, n);
    e->key[n] = '\0';
    return 0;
}

static void s_add_candidate(ocop_arena_t *arena, Ocop__RegProduct *p, const char *id, const char *entity, double sim)
{
    size_t n = p->n_candidates;
    if (n == REG_CANDIDATES_MAX && sim <= p->candidates[n - 1]->similarity)
        return;
    Ocop__RegDuplicateCandidate *c = ocop_arena_alloc(arena, sizeof *c);
    ocop__reg_duplicate_candidate__init(c);
    c->product_id = ocop_arena_strdup(arena, id);
    c->entity_id = ocop_arena_strdup(arena, entity);
    c->name = "";
    c->similarity = sim;
    if (n == REG_CANDIDATES_MAX)
        n--;
    /* Keep the list sorted by similarity, highest first. */
    size_t at = n;
    while (at > 0 && p->candidates[at - 1]->similarity < sim) {
        p->candidates[at] = p->candidates[at - 1];
        at--;
    }
    p->candidates[at] = c;
    p->n_candidates = n + 1;
}

int reg_screen(ocop_ctx_t *ctx, Ocop__Reply *reply, Ocop__RegProduct *p, bool fresh_set)
{
    reg_state_t *state = ocop_ctx_user(ctx);
    ocop_arena_t *arena = ocop_ctx_arena(ctx);
    reg_trigrams_t mine, theirs;
    reg_trigrams_from(p->normalized_name, &mine);
    p->candidates = ocop_arena_alloc(arena, REG_CANDIDATES_MAX * sizeof *p->candidates);
    p->n_candidates = 0;

    ocop_key_t prefix;
    s_block_prefix(&prefix, p);
    MDB_cursor *cur;
    int rc = mdb_cursor_open(ocop_ctx_txn(ctx), state->db.product_block, &cur);
    if (rc != 0)
        return ocop_ctx_db_error(ctx, reply, rc, "screening");
    MDB_val k = ocop_key_val(&prefix), v;
    rc = mdb_cursor_get(cur, &k, &v, MDB_SET_RANGE);
    for (size_t scanned = 0; rc == 0 && scanned < S_BLOCK_SCAN_MAX; scanned++) {
        if (k.mv_size <= prefix.len || memcmp(k.mv_data, prefix.buf, prefix.len) != 0)
            break;
        s_block_entry_t entry;
        if (s_block_parse(&v, &entry) != 0) {
            rc = MDB_CORRUPTED;
            break;
        }
        if (strcmp(entry.catalogue, p->catalogue_version) != 0 || strcmp(entry.set, p->product_set_code) != 0) {
            rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT);
            continue;
        }
        const char *entity = entry.entity, *key = entry.key;
        char id[64];
        snprintf(id, sizeof id, "%.*s", (int)(k.mv_size - prefix.len - 1), (const char *)k.mv_data + prefix.len);
        if (strcmp(key, p->normalized_name) == 0 && strcmp(entity, p->entity_id) == 0) {
            mdb_cursor_close(cur);
            return ocop_ctx_fail(ctx, reply, OCOP_E_CONFLICT, "name", "entity %s already registered this product as %s",
                                 p->entity_id, id);
        }
        if (strcmp(entity, p->entity_id) != 0) {
            reg_trigrams_from(key, &theirs);
            double sim = reg_trigrams_similarity(&mine, &theirs);
            if (sim >= REG_SIMILARITY_THRESHOLD)
                s_add_candidate(arena, p, id, entity, sim);
        }
        rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT);
    }
    mdb_cursor_close(cur);
    if (rc != 0 && rc != MDB_NOTFOUND)
        return ocop_ctx_db_error(ctx, reply, rc, "screening");

    /* Show reviewers the names as registered, not the keys. */
    for (size_t i = 0; i < p->n_candidates; i++) {
        Ocop__RegProduct *other =
            reg_product_find(state, ocop_ctx_txn(ctx), ocop_arena_allocator(arena), p->candidates[i]->product_id, &rc);
        if (other)
            p->candidates[i]->name = other->name;
    }
    p->flags = ocop_arena_alloc(arena, 2 * sizeof *p->flags);
    p->n_flags = 0;
    if (p->n_candidates)
        p->flags[p->n_flags++] = REG_FLAG_NEAR_DUPLICATE;
    if (fresh_set || p->processing == OCOP__PROCESSING_LEVEL__PROCESSING_FRESH)
        p->flags[p->n_flags++] = REG_FLAG_FRESH_RAW;
    p->review = p->n_flags ? OCOP__REVIEW_STATE__REVIEW_PENDING : OCOP__REVIEW_STATE__REVIEW_NONE;
    return 0;
}

int reg_screen_index(ocop_ctx_t *ctx, const Ocop__RegProduct *p)
{
    reg_state_t *state = ocop_ctx_user(ctx);
    ocop_key_t k;
    s_block_prefix(&k, p);
    ocop_key_str(&k, p->id);
    if (k.overflow)
        return MDB_BAD_VALSIZE;
    const char *parts[4] = {p->catalogue_version, p->product_set_code, p->entity_id, p->normalized_name};
    size_t lens[4], total = 0;
    for (int i = 0; i < 4; i++)
        total += (lens[i] = strlen(parts[i])) + (i < 3);
    MDB_val kv = ocop_key_val(&k), v = {.mv_size = total, .mv_data = NULL};
    int rc = mdb_put(ocop_ctx_txn(ctx), state->db.product_block, &kv, &v, MDB_RESERVE);
    if (rc != 0)
        return rc;
    char *w = v.mv_data;
    for (int i = 0; i < 4; i++) {
        memcpy(w, parts[i], lens[i] + (i < 3));
        w += lens[i] + (i < 3);
    }
    return 0;
}

int reg_handle_duplicate_review(ocop_ctx_t *ctx, const Ocop__Request *req, Ocop__Reply *reply)
{
    reg_state_t *state = ocop_ctx_user(ctx);
    const Ocop__RegDuplicateReview *in = req->reg_duplicate_review;
    MDB_txn *txn = ocop_ctx_txn(ctx);
    ocop_arena_t *arena = ocop_ctx_arena(ctx);
    if (in->decision != OCOP__REVIEW_STATE__REVIEW_CLEARED &&
        in->decision != OCOP__REVIEW_STATE__REVIEW_CONFIRMED_DUPLICATE)
        return ocop_ctx_fail(ctx, reply, OCOP_E_INVALID, "decision", "decision must be CLEARED or CONFIRMED_DUPLICATE");
    if (reg_check_text(ctx, reply, "note", in->note, in->decision == OCOP__REVIEW_STATE__REVIEW_CONFIRMED_DUPLICATE,
                       REG_REASON_MAX) != 0)
        return -1;
    Ocop__RegProduct *p = reg_product_load(ctx, reply, "product_id", in->product_id);
    if (!p)
        return -1;
    if (p->review != OCOP__REVIEW_STATE__REVIEW_PENDING)
        return ocop_ctx_fail(ctx, reply, OCOP_E_ILLEGAL_STATE, "product_id", "product %s has no review pending", p->id);

    Ocop__RegReviewDecision *d = ocop_arena_alloc(arena, sizeof *d);
    ocop__reg_review_decision__init(d);
    d->decision = in->decision;
    d->by = (char *)ocop_ctx_caller(ctx);
    d->note = in->note;
    d->time_ms = ocop_ctx_now_ms(ctx);
    p->review = in->decision;
    p->revision++;
    p->updated_ms = d->time_ms;
    int rc = reg_log_append(txn, state->db.product_reviews, p->id, &d->base);
    if (rc == 0)
        rc = reg_index_del(txn, state->db.product_idx, "review", "pending", p->id);
    if (rc == 0)
        rc = reg_product_store(state, txn, p);
    if (rc != 0)
        return ocop_ctx_db_error(ctx, reply, rc, "recording the review");
    Ocop__RegDuplicateReviewed *body = ocop_arena_alloc(arena, sizeof *body);
    ocop__reg_duplicate_reviewed__init(body);
    body->product_id = p->id;
    body->decision = d;
    Ocop__Event ev = OCOP__EVENT__INIT;
    ev.body_case = OCOP__EVENT__BODY_REG_DUPLICATE_REVIEWED;
    ev.reg_duplicate_reviewed = body;
    if (reg_emit(ctx, reply, &ev) != 0)
        return -1;
    return reg_product_reply_detail(ctx, reply, p);
}
