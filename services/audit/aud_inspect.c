/* aud_inspect — compliance inspections of certified producers (after certification, the
 * provinces check that products are still made as certified).
 *
 * A plan draws from the valid certificates of a province, as the log shows them (kept at intake
 * by aud_certified, so a plan reads the province's certificates, not the log): first the
 * riskiest (risk score below; ties by product, then certificate id), then a random sample of
 * the rest in that order, drawn with a generator seeded by the seed and the log's size, so
 * anyone holding the log at the same size and the seed can redraw it. A failed inspection
 * asks evaluation to revoke the certificate (aud_deliver sends the message); audit never edits
 * a rating itself.
 *
 * Risk score of a certified product: +2 when its council mean sits just above a star cut-off
 * (within 2 points above 50, 70 or 90: the bunching the integrity report measures), +1 when its
 * first round spread more than 10 points, +1 when it holds 4 or 5 stars (more at stake). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aud_certified.h"
#include "aud_derived.h"
#include "aud_handlers.h"
#include "ocop_error.h"
#include "ocop_seq_id.h"

#define S_PLAN_MAX 1000
#define S_CUT_WINDOW 2.0

typedef struct {
    const char *cert_id, *product_id, *province_code;
    unsigned stars;
    uint64_t cert_entry;
    uint64_t result_entry; /* 0 with has_result false */
    bool has_result;
    double mean, spread;
    unsigned risk;
    char reason[160];
} s_candidate_t;

typedef struct {
    ocop_ctx_t *ctx;
    Ocop__Reply *reply;
    ocop_table_t certified;
    ocop_arena_t *arena;
    s_candidate_t *items;
    size_t n, cap;
} s_pool_t;

/* A valid certificate of the province, with the result it rests on when the log holds it. */
static int s_take(void *user, const aud_certified_t *c)
{
    s_pool_t *pool = user;
    if (!(pool->items = ocop_arena_grow(pool->arena, pool->items, pool->n, &pool->cap, sizeof *pool->items)))
        return ocop_ctx_fail(pool->ctx, pool->reply, OCOP_E_INTERNAL, "", "out of memory listing certificates");
    /* Copied: the plan writes in this transaction, which may move the pages c points into. */
    s_candidate_t *x = &pool->items[pool->n++];
    *x = (s_candidate_t){.cert_id = ocop_arena_strdup(pool->arena, c->id),
                         .product_id = ocop_arena_strdup(pool->arena, c->product_id),
                         .province_code = ocop_arena_strdup(pool->arena, c->province_code),
                         .stars = c->figures.stars,
                         .cert_entry = c->figures.entry};
    aud_certified_result_t r;
    int rc = aud_certified_result(pool->ctx, pool->reply, pool->certified, c->session_id, c->product_id, &r);
    if (rc == 0) {
        x->has_result = true;
        x->result_entry = r.entry;
        x->mean = r.mean;
        x->spread = r.first_round_spread;
    }
    return rc < 0 ? -1 : 0;
}

static void s_score(s_candidate_t *c)
{
    static const double cuts[] = {50, 70, 90};
    size_t len = 0;
    c->risk = 0;
    c->reason[0] = '\0';
    for (size_t i = 0; c->has_result && i < sizeof cuts / sizeof cuts[0]; i++)
        if (c->mean >= cuts[i] && c->mean < cuts[i] + S_CUT_WINDOW) {
            c->risk += 2;
            len += (size_t)snprintf(c->reason + len, sizeof c->reason - len, "; mean %.2f just above %.0f", c->mean,
                                    cuts[i]);
        }
    if (c->has_result && c->spread > 10 && len < sizeof c->reason) {
        c->risk += 1;
        len += (size_t)snprintf(c->reason + len, sizeof c->reason - len, "; first round spread %.1f", c->spread);
    }
    if (c->stars >= 4 && len < sizeof c->reason) {
        c->risk += 1;
        snprintf(c->reason + len, sizeof c->reason - len, "; %u stars", c->stars);
    }
}

/* Riskiest first, then by product and certificate: an order that does not depend on storage. */
static int s_cmp_risk(const void *a, const void *b)
{
    const s_candidate_t *x = a, *y = b;
    if (x->risk != y->risk)
        return x->risk > y->risk ? -1 : 1;
    int c = strcmp(x->product_id, y->product_id);
    return c ? c : strcmp(x->cert_id, y->cert_id);
}

/* splitmix64: small, well mixed, the same everywhere. */
static uint64_t s_next(uint64_t *state)
{
    uint64_t z = (*state += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

static Ocop__AudInspection *s_inspection(ocop_ctx_t *ctx, Ocop__Reply *reply, const s_candidate_t *c,
                                         const char *reason, uint64_t tree_size)
{
    ocop_arena_t *arena = ocop_ctx_arena(ctx);
    uint64_t n;
    if (aud_state_next_inspection(ctx, reply, &n) != 0)
        return NULL;
    Ocop__AudInspection *in = ocop_arena_alloc(arena, sizeof *in);
    ocop__aud_inspection__init(in);
    if (!(in->id = ocop_seq_id_new(arena, "INS", AUD_INSPECTION_ID_WIDTH, n))) {
        ocop_ctx_fail(ctx, reply, OCOP_E_INTERNAL, "", "inspection %llu has no id", (unsigned long long)n);
        return NULL;
    }
    in->product_id = (char *)c->product_id;
    in->certificate_id = (char *)c->cert_id;
    in->province_code = (char *)c->province_code;
    in->risk = c->risk;
    in->reason = ocop_arena_strdup(arena, reason);
    in->state = OCOP__INSPECTION_STATE__INSPECTION_STATE_PLANNED;
    in->plan_tree_size = tree_size;
    in->entries = ocop_arena_alloc(arena, 2 * sizeof *in->entries);
    in->entries[in->n_entries++] = c->cert_entry;
    if (c->has_result)
        in->entries[in->n_entries++] = c->result_entry;
    in->planned_ms = ocop_ctx_now_ms(ctx);
    in->inspector = (char *)ocop_ctx_caller(ctx);
    ocop_key_t key;
    ocop_key_init(&key);
    ocop_key_str(&key, in->id);
    return ocop_ctx_record_put(ctx, reply, aud_state(ctx)->db.inspections, &key, &in->base) == 0 ? in : NULL;
}

int aud_handle_inspection_plan(ocop_ctx_t *ctx, const Ocop__Request *req, Ocop__Reply *reply)
{
    const Ocop__AudInspectionPlan *in = req->aud_inspection_plan;
    if (ocop_ctx_check_text(ctx, reply, "province_code", in->province_code, 1, 8) != 0)
        return -1;
    if (in->risk_count + (uint64_t)in->sample == 0 || in->risk_count > S_PLAN_MAX || in->sample > S_PLAN_MAX)
        return ocop_ctx_fail(ctx, reply, OCOP_E_INVALID, "sample",
                             "ask for 1 to %d risky products and 0 to %d sampled ones (risk_count, sample)", S_PLAN_MAX,
                             S_PLAN_MAX);
    const aud_state_t *state = aud_state(ctx);
    s_pool_t pool = {.ctx = ctx, .reply = reply, .certified = state->db.certified, .arena = ocop_ctx_arena(ctx)};
    uint64_t tree_size, kept;
    if (aud_derived_coverage_in(ctx, reply, &kept, &tree_size) != 0)
        return -1;
    if (kept < tree_size)
        return ocop_ctx_fail(ctx, reply, OCOP_E_UNAVAILABLE, "",
                             "the certificates are being brought up to the log (%llu of %llu entries); try again "
                             "shortly",
                             (unsigned long long)kept, (unsigned long long)tree_size);
    if (aud_certified_each(ctx, reply, state->db.certified, in->province_code, s_take, &pool) != 0)
        return -1;
    if (pool.n == 0)
        return ocop_ctx_fail(ctx, reply, OCOP_E_NOT_FOUND, "province_code",
                             "the log holds no valid certificate in province %.8s", in->province_code);
    for (size_t i = 0; i < pool.n; i++)
        s_score(&pool.items[i]);
    qsort(pool.items, pool.n, sizeof *pool.items, s_cmp_risk);
    size_t risky = 0;
    while (risky < pool.n && risky < in->risk_count && pool.items[risky].risk > 0)
        risky++;
    /* The rest, partially shuffled: its first `sample` items are the draw. */
    uint64_t rng = in->seed ^ (tree_size * 0x2545F4914F6CDD1DULL);
    size_t rest = pool.n - risky, draw = in->sample < rest ? in->sample : rest;
    for (size_t i = 0; i < draw; i++) {
        size_t j = i + (size_t)(s_next(&rng) % (rest - i));
        s_candidate_t t = pool.items[risky + i];
        pool.items[risky + i] = pool.items[risky + j];
        pool.items[risky + j] = t;
    }
    Ocop__AudInspectionPage *page = ocop_arena_alloc(ocop_ctx_arena(ctx), sizeof *page);
    ocop__aud_inspection_page__init(page);
    page->inspections = ocop_arena_alloc(ocop_ctx_arena(ctx), (risky + draw + 1) * sizeof *page->inspections);
    for (size_t i = 0; i < risky + draw; i++) {
        char reason[256];
        if (i < risky)
            snprintf(reason, sizeof reason, "risk %u%s", pool.items[i].risk, pool.items[i].reason);
        else
            snprintf(reason, sizeof reason, "random sample (seed %llu, log size %llu)", (unsigned long long)in->seed,
                     (unsigned long long)tree_size);
        Ocop__AudInspection *x = s_inspection(ctx, reply, &pool.items[i], reason, tree_size);
        if (!x)
            return -1;
        page->inspections[page->n_inspections++] = x;
    }
    reply->body_case = OCOP__REPLY__BODY_AUD_INSPECTION_PAGE;
    reply->aud_inspection_page = page;
    return 0;
}

static Ocop__AudInspection *s_load(ocop_ctx_t *ctx, Ocop__Reply *reply, const char *id)
{
    if (ocop_ctx_check_text(ctx, reply, "id", id, 1, 32) != 0)
        return NULL;
    ocop_key_t key;
    ocop_key_init(&key);
    ocop_key_str(&key, id);
    void *in;
    int rc = ocop_ctx_record(ctx, reply, aud_state(ctx)->db.inspections, &key, &ocop__aud_inspection__descriptor, &in);
    if (rc == 1)
        ocop_ctx_fail(ctx, reply, OCOP_E_NOT_FOUND, "id", "no inspection %.32s", id);
    return rc == 0 ? in : NULL;
}

int aud_handle_inspection_get(ocop_ctx_t *ctx, const Ocop__Request *req, Ocop__Reply *reply)
{
    Ocop__AudInspection *in = s_load(ctx, reply, req->aud_inspection_get->id);
    if (!in)
        return -1;
    reply->body_case = OCOP__REPLY__BODY_AUD_INSPECTION;
    reply->aud_inspection = in;
    return 0;
}

int aud_handle_inspection_record(ocop_ctx_t *ctx, const Ocop__Request *req, Ocop__Reply *reply)
{
    const Ocop__AudInspectionRecord *rec = req->aud_inspection_record;
    Ocop__AudInspection *in = s_load(ctx, reply, rec->id);
    if (!in || ocop_ctx_check_text(ctx, reply, "finding", rec->finding, 1, 2000) != 0)
        return -1;
    if (in->state != OCOP__INSPECTION_STATE__INSPECTION_STATE_PLANNED)
        return ocop_ctx_fail(ctx, reply, OCOP_E_ILLEGAL_STATE, "id", "inspection %s was already recorded", in->id);
    if (!rec->passed && (rec->revocation_reason <= OCOP__REVOCATION_REASON__REVOCATION_REASON_UNSPECIFIED ||
                         rec->revocation_reason > OCOP__REVOCATION_REASON__REVOCATION_REASON_PRODUCTION_SUSPENDED))
        return ocop_ctx_fail(ctx, reply, OCOP_E_INVALID, "revocation_reason",
                             "a failed inspection names the revocation reason (mandatory_failed, food_safety, "
                             "quality_not_as_certified, production_suspended, not_reevaluated)");
    in->state =
        rec->passed ? OCOP__INSPECTION_STATE__INSPECTION_STATE_PASSED : OCOP__INSPECTION_STATE__INSPECTION_STATE_FAILED;
    in->finding = rec->finding;
    in->recorded_ms = ocop_ctx_now_ms(ctx);
    in->inspector = (char *)ocop_ctx_caller(ctx);
    if (!rec->passed) {
        in->revocation_reason = rec->revocation_reason;
        in->revocation_requested = true;
        in->delivery = "pending: to be sent to evaluation";
    }
    ocop_key_t key;
    ocop_key_init(&key);
    ocop_key_str(&key, in->id);
    if (ocop_ctx_record_put(ctx, reply, aud_state(ctx)->db.inspections, &key, &in->base) != 0)
        return -1;
    reply->body_case = OCOP__REPLY__BODY_AUD_INSPECTION;
    reply->aud_inspection = in;
    return 0;
}
