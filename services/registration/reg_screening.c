/* reg_screening — see reg_screening.h; also serves RegDuplicateReview. */
#include "reg_screening.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ocop_error.h"
#include "reg_handlers.h"
#include "reg_product.h"
#include "reg_similarity.h"
#include "reg_state.h"

static void s_add_candidate(ocop_arena_t *arena, Ocop__RegProduct *p, const reg_memindex_entry_t *e, double sim)
{
    size_t n = p->n_candidates;
    if (n == REG_CANDIDATES_MAX && sim <= p->candidates[n - 1]->similarity)
        return;
    Ocop__RegDuplicateCandidate *c = ocop_arena_alloc(arena, sizeof *c);
    ocop__reg_duplicate_candidate__init(c);
    /* Copied into the request's arena, which owns everything the reply refers to. */
    c->product_id = ocop_arena_strdup(arena, e->id);
    c->entity_id = ocop_arena_strdup(arena, e->entity_id);
    c->name = ocop_arena_strdup(arena, e->name); /* as registered, not the key */
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
    reg_memindex_t *index = reg_products_index(ctx, reply);
    if (!index)
        return -1;
    ocop_arena_t *arena = ocop_ctx_arena(ctx);
    reg_trigrams_t mine;
    reg_trigrams_from(p->normalized_name, &mine);
    p->candidates = ocop_arena_alloc(arena, REG_CANDIDATES_MAX * sizeof *p->candidates);
    p->n_candidates = 0;

    /* Only the block's products of the same set sharing enough of the name's trigrams can be near
     * it (and one with the same key shares them all): the block's trigram index finds them. */
    size_t n;
    const reg_memindex_entry_t **cands;
    const void *own = reg_memindex_entity_handle(index, p->entity_id);
    if (reg_memindex_candidates(index, p->unit_version, p->commune_code, p->catalogue_version, p->product_set_code,
                                mine.gram, mine.n, REG_SIMILARITY_THRESHOLD, own, p->normalized_name, &cands, &n) != 0)
        return ocop_ctx_fail(ctx, reply, OCOP_E_INTERNAL, "", "out of memory while screening");
    int rc = 0;
    for (size_t i = 0; i < n && rc == 0; i++) {
        const reg_memindex_entry_t *e = cands[i]; /* of the product's own set: the index keeps sets apart */
        if (e->entity == own) {
            /* The entity's own products are not its near-duplicates, but one with the same key is
             * this product again: the index gives only those whose key hashes like this one's. */
            if (strcmp(e->key, p->normalized_name) == 0)
                rc = ocop_ctx_fail(ctx, reply, OCOP_E_CONFLICT, "name",
                                   "entity %s already registered this product as %s", p->entity_id, e->id);
            continue;
        }
        /* Most candidates fall short, and their comparison stops as soon as they must. */
        double sim = reg_grams_similarity_at_least(mine.gram, mine.n, e->grams, e->n_grams, REG_SIMILARITY_THRESHOLD);
        if (sim >= REG_SIMILARITY_THRESHOLD)
            s_add_candidate(arena, p, e, sim);
    }
    free(cands);
    if (rc != 0)
        return rc;

    p->flags = ocop_arena_alloc(arena, 2 * sizeof *p->flags);
    p->n_flags = 0;
    if (p->n_candidates)
        p->flags[p->n_flags++] = REG_FLAG_NEAR_DUPLICATE;
    if (fresh_set || p->processing == OCOP__PROCESSING_LEVEL__PROCESSING_FRESH)
        p->flags[p->n_flags++] = REG_FLAG_FRESH_RAW;
    p->review = p->n_flags ? OCOP__REVIEW_STATE__REVIEW_PENDING : OCOP__REVIEW_STATE__REVIEW_NONE;
    return 0;
}

int reg_screen_index(ocop_ctx_t *ctx, Ocop__Reply *reply, const Ocop__RegProduct *p)
{
    /* reg_screen had the index: it is built. */
    int rc = reg_memindex_add(reg_state_memindex(ocop_ctx_user(ctx)), p);
    return rc == 0 ? 0 : ocop_ctx_db_error(ctx, reply, rc, "indexing the product for screening");
}

int reg_handle_duplicate_review(ocop_ctx_t *ctx, const Ocop__Request *req, Ocop__Reply *reply)
{
    reg_state_t *state = ocop_ctx_user(ctx);
    const Ocop__RegDuplicateReview *in = req->reg_duplicate_review;
    ocop_arena_t *arena = ocop_ctx_arena(ctx);
    if (in->decision != OCOP__REVIEW_STATE__REVIEW_CLEARED &&
        in->decision != OCOP__REVIEW_STATE__REVIEW_CONFIRMED_DUPLICATE)
        return ocop_ctx_fail(ctx, reply, OCOP_E_INVALID, "decision", "decision must be CLEARED or CONFIRMED_DUPLICATE");
    if (ocop_ctx_check_text(ctx, reply, "note", in->note,
                            in->decision == OCOP__REVIEW_STATE__REVIEW_CONFIRMED_DUPLICATE, REG_REASON_MAX) != 0)
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
    if (ocop_ctx_log_append(ctx, reply, state->db.product_reviews, p->id, &d->base, NULL) != 0 ||
        ocop_ctx_index_del(ctx, reply, state->db.product_idx, "review", "pending", p->id) != 0 ||
        reg_product_store(ctx, reply, p) != 0)
        return -1;
    Ocop__RegDuplicateReviewed *body = ocop_arena_alloc(arena, sizeof *body);
    ocop__reg_duplicate_reviewed__init(body);
    body->product_id = p->id;
    body->decision = d;
    if (ocop_ctx_publish_body(ctx, reply, &body->base) != 0)
        return -1;
    return reg_product_reply_detail(ctx, reply, p);
}
