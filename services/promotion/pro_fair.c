/* pro_fair — fairs and exhibitions, applications from eligible products, booth allocation by the
 * fair's strategy (pro_strategy). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ocop_error.h"
#include "ocop_seq_id.h"
#include "pro_fair.h"
#include "pro_handlers.h"
#include "pro_strategy.h"

#define S_BOOTHS_MAX 100000
#define S_LIST_MAX 64

void pro_application_key(ocop_key_t *key, const char *fair_id, uint64_t seq)
{
    ocop_key_init(key);
    ocop_key_str(key, fair_id);
    if (seq)
        ocop_key_u64(key, seq);
}

int pro_application_store(ocop_ctx_t *ctx, Ocop__Reply *reply, const Ocop__ProApplication *a)
{
    ocop_key_t key;
    pro_application_key(&key, a->fair_id, a->seq);
    return ocop_ctx_record_put(ctx, reply, pro_state(ctx)->db.applications, &key, &a->base);
}

Ocop__ProApplication **pro_applications(ocop_ctx_t *ctx, Ocop__Reply *reply, const char *fair_id, size_t *n)
{
    ocop_arena_t *arena = ocop_ctx_arena(ctx);
    ocop_key_t prefix;
    pro_application_key(&prefix, fair_id, 0);
    size_t cap = 0, count = 0;
    Ocop__ProApplication **out = NULL;
    ocop_scan_t scan;
    if (ocop_ctx_scan_open(ctx, reply, &scan, pro_state(ctx)->db.applications, &prefix, NULL) != 0)
        return NULL;
    while (ocop_scan_next(&scan)) {
        if (!(out = ocop_arena_grow(arena, out, count, &cap, sizeof *out))) {
            ocop_scan_fail(&scan, ENOMEM);
            break;
        }
        if (scan.key.size != prefix.len + 8 || !(out[count++] = ocop__pro_application__unpack(
                                                     ocop_arena_allocator(arena), scan.value.size, scan.value.data))) {
            ocop_scan_fail(&scan, OCOP_STORE_CORRUPT);
            break;
        }
    }
    if (ocop_ctx_scan_close(ctx, reply, &scan, "reading applications") != 0)
        return NULL;
    *n = count;
    return out ? out : ocop_arena_alloc(arena, sizeof *out);
}

/* ---------------------------------------------------------------- creating and reading */

static int s_check_list(ocop_ctx_t *ctx, Ocop__Reply *reply, const char *field, char **items, size_t n)
{
    if (n > S_LIST_MAX)
        return ocop_ctx_fail(ctx, reply, OCOP_E_INVALID, field, "at most %d %s", S_LIST_MAX, field);
    for (size_t i = 0; i < n; i++)
        if (ocop_ctx_check_text(ctx, reply, field, items[i], 1, 64) != 0)
            return -1;
    return 0;
}

int pro_handle_fair_create(ocop_ctx_t *ctx, const Ocop__Request *req, Ocop__Reply *reply)
{
    const Ocop__ProFairCreate *in = req->pro_fair_create;
    pro_state_t *state = pro_state(ctx);
    const char *strategy = *in->strategy ? in->strategy : "fair-share";
    if (ocop_ctx_check_text(ctx, reply, "name", in->name, 1, PRO_NAME_MAX) != 0 ||
        ocop_ctx_check_text(ctx, reply, "organiser", in->organiser, 1, PRO_NAME_MAX) != 0 ||
        ocop_ctx_check_text(ctx, reply, "venue", in->venue, 1, PRO_NAME_MAX) != 0 ||
        pro_check_province(ctx, reply, "province_code", in->province_code) != 0 ||
        pro_check_date(ctx, reply, "start", in->start) != 0 || pro_check_date(ctx, reply, "end", in->end) != 0 ||
        s_check_list(ctx, reply, "booth_types", in->booth_types, in->n_booth_types) != 0 ||
        s_check_list(ctx, reply, "focus_sectors", in->focus_sectors, in->n_focus_sectors) != 0)
        return -1;
    if (strcmp(in->end, in->start) < 0)
        return ocop_ctx_fail(ctx, reply, OCOP_E_INVALID, "end", "the fair ends (%s) before it starts (%s)", in->end,
                             in->start);
    if (in->booths == 0 || in->booths > S_BOOTHS_MAX)
        return ocop_ctx_fail(ctx, reply, OCOP_E_INVALID, "booths", "a fair has 1 to %d booths", S_BOOTHS_MAX);
    if (!pro_strategy_find(strategy))
        return ocop_ctx_fail(ctx, reply, OCOP_E_INVALID, "strategy", "no booth allocation strategy '%.32s'", strategy);
    uint64_t n;
    if (pro_next_number(ctx, reply, "fair", &n) != 0)
        return -1;
    ocop_arena_t *arena = ocop_ctx_arena(ctx);
    Ocop__ProFair *f = ocop_arena_alloc(arena, sizeof *f);
    ocop__pro_fair__init(f);
    if (!(f->id = ocop_seq_id_new(arena, "FAIR", PRO_ID_WIDTH, n)))
        return ocop_ctx_fail(ctx, reply, OCOP_E_INTERNAL, "", "fair %llu has no id", (unsigned long long)n);
    f->name = in->name;
    f->organiser = in->organiser;
    f->province_code = in->province_code;
    f->region = (char *)pro_state_region(state, in->province_code);
    f->venue = in->venue;
    f->start = in->start;
    f->end = in->end;
    f->booths = in->booths;
    f->n_booth_types = in->n_booth_types;
    f->booth_types = in->booth_types;
    f->n_focus_sectors = in->n_focus_sectors;
    f->focus_sectors = in->focus_sectors;
    f->strategy = (char *)strategy;
    f->created_ms = ocop_ctx_now_ms(ctx);
    if (ocop_ctx_put(ctx, reply, state->db.fairs, f->id, &f->base) != 0)
        return -1;
    Ocop__ProFairCreated body = OCOP__PRO_FAIR_CREATED__INIT;
    body.fair = f;
    if (ocop_ctx_publish_body(ctx, reply, &body.base) != 0)
        return -1;
    reply->body_case = OCOP__REPLY__BODY_PRO_FAIR;
    reply->pro_fair = f;
    return 0;
}

Ocop__ProFair *pro_fair_load(ocop_ctx_t *ctx, Ocop__Reply *reply, const char *id, const char *field)
{
    return ocop_ctx_get(ctx, reply, pro_state(ctx)->db.fairs, id, &ocop__pro_fair__descriptor, field, "fair");
}

int pro_handle_fair_get(ocop_ctx_t *ctx, const Ocop__Request *req, Ocop__Reply *reply)
{
    Ocop__ProFair *f = pro_fair_load(ctx, reply, req->pro_fair_get->id, "id");
    if (!f)
        return -1;
    reply->body_case = OCOP__REPLY__BODY_PRO_FAIR;
    reply->pro_fair = f;
    return 0;
}

int pro_handle_applications_get(ocop_ctx_t *ctx, const Ocop__Request *req, Ocop__Reply *reply)
{
    Ocop__ProApplicationPage *page = ocop_arena_alloc(ocop_ctx_arena(ctx), sizeof *page);
    ocop__pro_application_page__init(page);
    if (!(page->fair = pro_fair_load(ctx, reply, req->pro_applications_get->fair_id, "fair_id")) ||
        !(page->applications = pro_applications(ctx, reply, page->fair->id, &page->n_applications)))
        return -1;
    reply->body_case = OCOP__REPLY__BODY_PRO_APPLICATION_PAGE;
    reply->pro_application_page = page;
    return 0;
}

/* ---------------------------------------------------------------- applying */

static int s_by_product_key(ocop_key_t *key, const char *product_id, const char *fair_id)
{
    ocop_key_init(key);
    ocop_key_str(key, product_id);
    ocop_key_str(key, fair_id);
    return key->overflow ? -1 : 0;
}

int pro_handle_apply(ocop_ctx_t *ctx, const Ocop__Request *req, Ocop__Reply *reply)
{
    const Ocop__ProApply *in = req->pro_apply;
    pro_state_t *state = pro_state(ctx);
    char today[OCOP_DATE_LEN];
    pro_today(ctx, today);
    Ocop__ProFair *f = pro_fair_load(ctx, reply, in->fair_id, "fair_id");
    if (!f)
        return -1;
    if (strcmp(f->start, today) <= 0)
        return ocop_ctx_fail(ctx, reply, OCOP_E_ILLEGAL_STATE, "fair_id",
                             "fair %s started on %s: applications close the day before", f->id, f->start);
    Ocop__ProCertificateView *view;
    if (pro_check_eligible(ctx, reply, in->product_id, in->entity_id, f->end, &view) != 0)
        return -1;
    ocop_key_t key;
    if (s_by_product_key(&key, view->product_id, f->id) != 0)
        return ocop_ctx_fail(ctx, reply, OCOP_E_INVALID, "product_id", "product_id is too long");
    ocop_bytes_t applied;
    int rc = ocop_ctx_value(ctx, reply, state->db.by_product, &key, &applied);
    if (rc < 0)
        return -1;
    if (rc == 0)
        return ocop_ctx_fail(ctx, reply, OCOP_E_CONFLICT, "product_id", "product %s already applied to fair %s",
                             view->product_id, f->id);
    ocop_arena_t *arena = ocop_ctx_arena(ctx);
    Ocop__ProApplication *a = ocop_arena_alloc(arena, sizeof *a);
    ocop__pro_application__init(a);
    a->seq = ++f->applications;
    a->id = ocop_arena_printf(arena, "%s/%llu", f->id, (unsigned long long)a->seq);
    a->fair_id = f->id;
    a->product_id = view->product_id;
    a->entity_id = view->entity_id;
    a->province_code = view->province_code;
    a->sector_code = view->sector_code;
    a->stars = view->stars;
    a->certificate_id = view->certificate_id;
    /* After the allocation a newcomer joins the end of the waiting list. */
    a->state = f->allocated ? OCOP__APPLICATION_STATE__APPLICATION_STATE_WAITING
                            : OCOP__APPLICATION_STATE__APPLICATION_STATE_APPLIED;
    if (f->allocated)
        a->waiting_rank = ++f->waiting;
    a->applied_ms = ocop_ctx_now_ms(ctx);
    uint8_t sb[8];
    ocop_be64_put(sb, a->seq);
    if (ocop_ctx_value_put(ctx, reply, state->db.by_product, &key, sb, sizeof sb) != 0 ||
        pro_application_store(ctx, reply, a) != 0 || ocop_ctx_put(ctx, reply, state->db.fairs, f->id, &f->base) != 0)
        return -1;
    Ocop__ProApplied body = OCOP__PRO_APPLIED__INIT;
    body.application = a;
    if (ocop_ctx_publish_body(ctx, reply, &body.base) != 0)
        return -1;
    reply->body_case = OCOP__REPLY__BODY_PRO_APPLICATION;
    reply->pro_application = a;
    return 0;
}

/* ---------------------------------------------------------------- allocating */

static int s_cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* The entities holding a booth at another fair whose dates overlap f's, sorted. */
static char **s_busy_entities(ocop_ctx_t *ctx, Ocop__Reply *reply, const Ocop__ProFair *f, size_t *n)
{
    ocop_arena_t *arena = ocop_ctx_arena(ctx);
    size_t cap = 0;
    char **out = NULL;
    *n = 0;
    ocop_scan_t scan;
    if (ocop_ctx_scan_open(ctx, reply, &scan, pro_state(ctx)->db.fairs, NULL, NULL) != 0)
        return NULL;
    while (ocop_scan_next(&scan)) {
        Ocop__ProFair *o = ocop__pro_fair__unpack(ocop_arena_allocator(arena), scan.value.size, scan.value.data);
        if (!o || strcmp(o->id, f->id) == 0 || !o->allocated || strcmp(o->start, f->end) > 0 ||
            strcmp(o->end, f->start) < 0)
            continue;
        size_t m;
        Ocop__ProApplication **apps = pro_applications(ctx, reply, o->id, &m);
        if (!apps) {
            ocop_scan_close(&scan, 0);
            return NULL;
        }
        for (size_t i = 0; i < m; i++) {
            if (apps[i]->state != OCOP__APPLICATION_STATE__APPLICATION_STATE_BOOKED)
                continue;
            if (!(out = ocop_arena_grow(arena, out, *n, &cap, sizeof *out))) {
                ocop_scan_fail(&scan, ENOMEM);
                break;
            }
            out[(*n)++] = apps[i]->entity_id;
        }
    }
    if (ocop_ctx_scan_close(ctx, reply, &scan, "reading fairs") != 0)
        return NULL;
    if (!out)
        return ocop_arena_alloc(arena, sizeof *out);
    qsort(out, *n, sizeof *out, s_cmp_str);
    return out;
}

/* Marks each application booked, waiting or refused after the strategy's allocation. */
static void s_apply_allocation(Ocop__ProFair *f, Ocop__ProApplication **apps, const size_t *index, size_t n,
                               const pro_allocation_t *alloc)
{
    for (size_t i = 0; i < n; i++) {
        apps[index[i]]->state = OCOP__APPLICATION_STATE__APPLICATION_STATE_REFUSED;
        apps[index[i]]->reason = "not allocated: the entity exhibits at an overlapping fair";
    }
    for (size_t i = 0; i < alloc->n_booked; i++) {
        Ocop__ProApplication *a = apps[index[alloc->booked[i]]];
        a->state = OCOP__APPLICATION_STATE__APPLICATION_STATE_BOOKED;
        a->booth = (uint32_t)(i + 1);
        a->reason = "";
    }
    for (size_t i = 0; i < alloc->n_waiting; i++) {
        Ocop__ProApplication *a = apps[index[alloc->waiting[i]]];
        a->state = OCOP__APPLICATION_STATE__APPLICATION_STATE_WAITING;
        a->waiting_rank = (uint32_t)(i + 1);
        a->reason = "";
    }
    f->allocated = true;
    f->booked = (uint32_t)alloc->n_booked;
    f->waiting = (uint32_t)alloc->n_waiting;
}

int pro_handle_allocate(ocop_ctx_t *ctx, const Ocop__Request *req, Ocop__Reply *reply)
{
    ocop_arena_t *arena = ocop_ctx_arena(ctx);
    Ocop__ProFair *f = pro_fair_load(ctx, reply, req->pro_allocate->fair_id, "fair_id");
    if (!f)
        return -1;
    if (f->allocated)
        return ocop_ctx_fail(ctx, reply, OCOP_E_ILLEGAL_STATE, "fair_id", "fair %s is already allocated", f->id);
    const pro_strategy_t *strategy = pro_strategy_find(f->strategy);
    if (!strategy)
        return ocop_ctx_fail(ctx, reply, OCOP_E_ILLEGAL_STATE, "fair_id",
                             "fair %s names strategy %s, which this build does not have", f->id, f->strategy);
    size_t n_all, n_busy;
    Ocop__ProApplication **apps = pro_applications(ctx, reply, f->id, &n_all);
    char **busy = apps ? s_busy_entities(ctx, reply, f, &n_busy) : NULL;
    if (!busy)
        return -1;
    /* The applications still standing, re-checked against the ratings as they are now. */
    pro_application_t *view = ocop_arena_alloc(arena, (n_all + 1) * sizeof *view);
    size_t *index = ocop_arena_alloc(arena, (n_all + 1) * sizeof *index), n = 0;
    for (size_t i = 0; i < n_all; i++) {
        Ocop__ProApplication *a = apps[i];
        Ocop__ProCertificateView *cert;
        Ocop__Reply scratch = OCOP__REPLY__INIT;
        if (pro_check_eligible(ctx, &scratch, a->product_id, a->entity_id, f->end, &cert) != 0) {
            a->state = OCOP__APPLICATION_STATE__APPLICATION_STATE_REFUSED;
            a->reason = scratch.message;
            continue;
        }
        view[n] =
            (pro_application_t){a->id,          a->product_id,
                                a->entity_id,   a->province_code,
                                a->sector_code, cert->stars,
                                a->seq,         bsearch(&a->entity_id, busy, n_busy, sizeof *busy, s_cmp_str) != NULL};
        index[n++] = i;
    }
    pro_fair_view_t fair = {f->id, f->province_code, f->booths, (const char *const *)f->focus_sectors,
                            f->n_focus_sectors};
    pro_allocation_t alloc = {ocop_arena_alloc(arena, (n + 1) * sizeof(size_t)), 0,
                              ocop_arena_alloc(arena, (n + 1) * sizeof(size_t)), 0};
    char err[256];
    if (pro_strategy_run(strategy, &fair, view, n, &alloc, err, sizeof err) != 0)
        return ocop_ctx_fail(ctx, reply, OCOP_E_INTERNAL, "fair_id", "strategy %s: %s", strategy->name, err);
    s_apply_allocation(f, apps, index, n, &alloc);
    for (size_t i = 0; i < n_all; i++)
        if (pro_application_store(ctx, reply, apps[i]) != 0)
            return -1;
    if (ocop_ctx_put(ctx, reply, pro_state(ctx)->db.fairs, f->id, &f->base) != 0)
        return -1;
    Ocop__ProAllocated body = OCOP__PRO_ALLOCATED__INIT;
    body.fair = f;
    body.n_applications = n_all;
    body.applications = apps;
    if (ocop_ctx_publish_body(ctx, reply, &body.base) != 0)
        return -1;
    Ocop__ProApplicationPage *page = ocop_arena_alloc(arena, sizeof *page);
    ocop__pro_application_page__init(page);
    page->fair = f;
    page->n_applications = n_all;
    page->applications = apps;
    reply->body_case = OCOP__REPLY__BODY_PRO_APPLICATION_PAGE;
    reply->pro_application_page = page;
    return 0;
}
