/* pro_cascade — what happens when a product loses its rating (a revocation, an expiry, a
 * re-evaluation below 3★): its bookings at fairs still to come are cancelled, each freed booth
 * goes to the first application on that fair's waiting list that is still eligible, its waiting
 * applications are withdrawn and its listings at points of sale too — one event per step. The
 * replica marks such products; the service sends itself ProCascadeDue to act on the marks. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ocop_error.h"
#include "pro_fair.h"
#include "pro_handlers.h"

#define S_DEFAULT 100
#define S_MAX 10000
#define S_FAIRS_MAX 256

/* The fairs one request touches, loaded once with their applications. */
typedef struct {
    Ocop__ProFair *fair;
    Ocop__ProApplication **apps;
    size_t n;
    bool changed;
    bool *dirty; /* per application: to be written back */
} s_fair_t;

typedef struct {
    ocop_ctx_t *ctx;
    Ocop__Reply *reply;
    char today[OCOP_DATE_LEN];
    s_fair_t fairs[S_FAIRS_MAX];
    size_t n_fairs;
    Ocop__ProCascadeResult *result;
} s_run_t;

static s_fair_t *s_fair(s_run_t *r, const char *fair_id)
{
    for (size_t i = 0; i < r->n_fairs; i++)
        if (strcmp(r->fairs[i].fair->id, fair_id) == 0)
            return &r->fairs[i];
    if (r->n_fairs == S_FAIRS_MAX) {
        ocop_ctx_fail(r->ctx, r->reply, OCOP_E_INTERNAL, "", "a cascade touching more than %d fairs", S_FAIRS_MAX);
        return NULL;
    }
    s_fair_t *f = &r->fairs[r->n_fairs];
    if (!(f->fair = pro_fair_load(r->ctx, r->reply, fair_id, "fair_id")) ||
        !(f->apps = pro_applications(r->ctx, r->reply, fair_id, &f->n)))
        return NULL;
    f->changed = false;
    f->dirty = ocop_arena_alloc(ocop_ctx_arena(r->ctx), (f->n + 1) * sizeof *f->dirty);
    r->n_fairs++;
    return f;
}

static int s_emit_cancelled(s_run_t *r, Ocop__ProApplication *a, const char *reason)
{
    Ocop__ProBookingCancelled body = OCOP__PRO_BOOKING_CANCELLED__INIT;
    body.application = a;
    body.reason = (char *)reason;
    r->result->cancelled++;
    return ocop_ctx_publish_body(r->ctx, r->reply, &body.base);
}

static bool s_holds_booth(const s_fair_t *f, const char *entity_id)
{
    for (size_t i = 0; i < f->n; i++)
        if (f->apps[i]->state == OCOP__APPLICATION_STATE__APPLICATION_STATE_BOOKED &&
            strcmp(f->apps[i]->entity_id, entity_id) == 0)
            return true;
    return false;
}

static int s_cmp_rank(const void *a, const void *b)
{
    uint32_t x = (*(Ocop__ProApplication *const *)a)->waiting_rank,
             y = (*(Ocop__ProApplication *const *)b)->waiting_rank;
    return (x > y) - (x < y);
}

/* The freed booth to the best waiting application still eligible whose entity holds no booth
 * at this fair yet, if any. */
static int s_promote(s_run_t *r, s_fair_t *f, uint32_t booth)
{
    Ocop__ProApplication **waiting = ocop_arena_alloc(ocop_ctx_arena(r->ctx), (f->n + 1) * sizeof *waiting);
    size_t n = 0;
    for (size_t i = 0; i < f->n; i++)
        if (f->apps[i]->state == OCOP__APPLICATION_STATE__APPLICATION_STATE_WAITING)
            waiting[n++] = f->apps[i];
    qsort(waiting, n, sizeof *waiting, s_cmp_rank);
    Ocop__ProApplication *best = NULL;
    for (size_t i = 0; i < n && !best; i++) {
        Ocop__ProCertificateView *view;
        Ocop__Reply scratch = OCOP__REPLY__INIT;
        if (!s_holds_booth(f, waiting[i]->entity_id) &&
            pro_check_eligible(r->ctx, &scratch, waiting[i]->product_id, waiting[i]->entity_id, f->fair->end, &view) ==
                0)
            best = waiting[i];
    }
    if (!best) {
        f->fair->booked--;
        return 0;
    }
    best->state = OCOP__APPLICATION_STATE__APPLICATION_STATE_BOOKED;
    best->booth = booth;
    f->dirty[best->seq - 1] = true;
    best->waiting_rank = 0;
    f->fair->waiting--;
    Ocop__ProPromotedFromWaiting body = OCOP__PRO_PROMOTED_FROM_WAITING__INIT;
    body.application = best;
    r->result->promoted++;
    return ocop_ctx_publish_body(r->ctx, r->reply, &body.base);
}

/* The second string of every key "product|second" of table (in the arena), into *out and *n. 0,
 * or -1 with the reply failed. */
static int s_seconds_of(s_run_t *r, ocop_table_t table, const char *product, const char *what, char ***out, size_t *n)
{
    ocop_arena_t *arena = ocop_ctx_arena(r->ctx);
    ocop_key_t prefix;
    ocop_key_init(&prefix);
    ocop_key_str(&prefix, product);
    size_t cap = 0;
    *out = NULL;
    *n = 0;
    ocop_scan_t scan;
    if (ocop_ctx_scan_open(r->ctx, r->reply, &scan, table, &prefix, NULL) != 0)
        return -1;
    while (ocop_scan_next(&scan)) {
        const char *second = (const char *)scan.key.data + prefix.len;
        size_t len = scan.key.size - prefix.len;
        if (len == 0 || second[len - 1] != '\0') {
            ocop_scan_fail(&scan, OCOP_STORE_CORRUPT);
            break;
        }
        if (!(*out = ocop_arena_grow(arena, *out, *n, &cap, sizeof **out))) {
            ocop_scan_fail(&scan, ENOMEM);
            break;
        }
        (*out)[(*n)++] = ocop_arena_strndup(arena, second, len - 1);
    }
    return ocop_ctx_scan_close(r->ctx, r->reply, &scan, what);
}

/* Cancels the product's applications to fairs that have not ended. */
static int s_cancel_applications(s_run_t *r, const char *product, const char *reason)
{
    char **fairs;
    size_t n;
    if (s_seconds_of(r, pro_state(r->ctx)->db.by_product, product, "reading applications", &fairs, &n) != 0)
        return -1;
    for (size_t i = 0; i < n; i++) {
        s_fair_t *f = s_fair(r, fairs[i]);
        if (!f)
            return -1;
        if (strcmp(f->fair->end, r->today) < 0)
            continue; /* a fair that is over keeps its history */
        for (size_t j = 0; j < f->n; j++) {
            Ocop__ProApplication *a = f->apps[j];
            if (strcmp(a->product_id, product) != 0 ||
                a->state == OCOP__APPLICATION_STATE__APPLICATION_STATE_CANCELLED ||
                a->state == OCOP__APPLICATION_STATE__APPLICATION_STATE_REFUSED)
                continue;
            Ocop__ApplicationState was = a->state;
            uint32_t booth = a->booth;
            a->state = OCOP__APPLICATION_STATE__APPLICATION_STATE_CANCELLED;
            a->reason = (char *)reason;
            a->booth = a->waiting_rank = 0;
            f->changed = true;
            f->dirty[j] = true;
            if (was == OCOP__APPLICATION_STATE__APPLICATION_STATE_WAITING)
                f->fair->waiting--;
            if (s_emit_cancelled(r, a, reason) != 0 ||
                (was == OCOP__APPLICATION_STATE__APPLICATION_STATE_BOOKED && s_promote(r, f, booth) != 0))
                return -1;
        }
    }
    return 0;
}

/* Withdraws the product's listings at points of sale. */
static int s_withdraw_listings(s_run_t *r, const char *product, const char *reason)
{
    pro_state_t *state = pro_state(r->ctx);
    char **pos;
    size_t n;
    if (s_seconds_of(r, state->db.listed_by, product, "reading listings", &pos, &n) != 0)
        return -1;
    for (size_t i = 0; i < n; i++) {
        ocop_key_t by_pos, by_product;
        pro_listing_keys(&by_pos, &by_product, pos[i], product);
        void *found;
        int rc = ocop_ctx_record(r->ctx, r->reply, state->db.listings, &by_pos, &ocop__pro_listing__descriptor, &found);
        if (rc < 0)
            return -1;
        Ocop__ProListing *l = found;
        if (rc == 1 || !l->active)
            continue;
        Ocop__ProPointOfSale *p = ocop_ctx_get(r->ctx, r->reply, state->db.pos, pos[i],
                                               &ocop__pro_point_of_sale__descriptor, "pos_id", "point of sale");
        if (!p)
            return -1;
        l->active = false;
        l->reason = (char *)reason;
        p->listed--;
        if (ocop_ctx_record_put(r->ctx, r->reply, state->db.listings, &by_pos, &l->base) != 0 ||
            ocop_ctx_put(r->ctx, r->reply, state->db.pos, p->id, &p->base) != 0)
            return -1;
        Ocop__ProListingWithdrawn body = OCOP__PRO_LISTING_WITHDRAWN__INIT;
        body.listing = l;
        if (ocop_ctx_publish_body(r->ctx, r->reply, &body.base) != 0)
            return -1;
    }
    return 0;
}

int pro_handle_cascade_due(ocop_ctx_t *ctx, const Ocop__Request *req, Ocop__Reply *reply)
{
    pro_state_t *state = pro_state(ctx);
    ocop_arena_t *arena = ocop_ctx_arena(ctx);
    if (req->pro_cascade_due->max > S_MAX)
        return ocop_ctx_fail(ctx, reply, OCOP_E_INVALID, "max", "max is 0 (%d) to %d products", S_DEFAULT, S_MAX);
    size_t max = req->pro_cascade_due->max ? req->pro_cascade_due->max : S_DEFAULT;
    s_run_t *r = ocop_arena_alloc(arena, sizeof *r);
    r->ctx = ctx;
    r->reply = reply;
    pro_today(ctx, r->today);
    r->result = ocop_arena_alloc(arena, sizeof *r->result);
    ocop__pro_cascade_result__init(r->result);
    /* The marks first: acting on them deletes them. */
    char **products = ocop_arena_alloc(arena, max * sizeof *products),
         **reasons = ocop_arena_alloc(arena, max * sizeof *reasons);
    size_t n = 0;
    ocop_scan_t scan;
    if (ocop_ctx_scan_open(ctx, reply, &scan, state->db.cascade, NULL, NULL) != 0)
        return -1;
    while (n < max && ocop_scan_next(&scan)) {
        products[n] = ocop_arena_strndup(arena, scan.key.data, scan.key.size ? scan.key.size - 1 : 0);
        reasons[n++] = ocop_arena_strndup(arena, scan.value.data, scan.value.size ? scan.value.size - 1 : 0);
    }
    if (ocop_ctx_scan_close(ctx, reply, &scan, "reading the cascade") != 0)
        return -1;
    for (size_t i = 0; i < n; i++) {
        /* A product certified again since it was marked keeps what it has. */
        Ocop__ProCertificateView *view;
        Ocop__Reply scratch = OCOP__REPLY__INIT;
        const char *entity = "";
        ocop_key_t key;
        ocop_key_init(&key);
        ocop_key_str(&key, products[i]);
        void *cert;
        int rc = ocop_ctx_record(ctx, reply, state->db.certs, &key, &ocop__pro_certificate_view__descriptor, &cert);
        if (rc < 0)
            return -1;
        if (rc == 0)
            entity = ((Ocop__ProCertificateView *)cert)->entity_id;
        bool still = pro_check_eligible(ctx, &scratch, products[i], entity, r->today, &view) == 0;
        if (!still && (s_cancel_applications(r, products[i], reasons[i]) != 0 ||
                       s_withdraw_listings(r, products[i], reasons[i]) != 0))
            return -1;
        if (ocop_ctx_erase(ctx, reply, state->db.cascade, &key) != 0)
            return -1;
        r->result->products++;
    }
    for (size_t i = 0; i < r->n_fairs; i++) {
        s_fair_t *f = &r->fairs[i];
        for (size_t j = 0; f->changed && j < f->n; j++)
            if (f->dirty[j] && pro_application_store(ctx, reply, f->apps[j]) != 0)
                return -1;
        if (f->changed && ocop_ctx_put(ctx, reply, state->db.fairs, f->fair->id, &f->fair->base) != 0)
            return -1;
    }
    reply->body_case = OCOP__REPLY__BODY_PRO_CASCADE_RESULT;
    reply->pro_cascade_result = r->result;
    return 0;
}
