/* demo_promote — "ocop-demo promote": the demo's trade promotion for one year, run the
 * way the promotion service runs it.
 *
 * Straight to the services of the config, like demo evaluate: the year's fairs are created (a
 * dozen provincial and regional fairs, 120 to 400 booths, fair-share but one first-come-first-
 * served); each of the 34 provinces submits its yearly plan as its Department of Industry and
 * Trade ("so-cong-thuong@<province>", the caller pro_plan accepts), and the overlaps the
 * calendar finds in its region are printed; certified products apply to the fairs, drawn from
 * the seed and weighted to the host province and its region so that the big fairs are
 * oversubscribed, and every fair is allocated; every province opens three points of sale
 * (950/QĐ-BCT location types) listing certified products of the province.
 *
 * Eligibility is promotion's own view: its replica of evaluation's certificates, waited for
 * (bounded) until it holds the last certificate each evaluation shard issued. What promotion
 * holds already is read back from its events (plans, fairs, applications, points of sale,
 * listings), and every write carries a request id derived from what it does, so running it
 * again writes nothing, also after the service has forgotten its request ids. */
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "demo.h"
#include "demo_promote_data.h"
#include "demo_session.h"
#include "ocop_date.h"
#include "ocop_error.h"
#include "ocop_service.h"

#define S_WAIT_MS 60000
#define S_SHARDS_MAX 64
#define S_PLAN_ITEMS 5
#define S_RID_MAX 32 /* longer ids are hashed to this length (as they always were: a re-run sends the same ids) */
#define S_SEP '\x1f' /* between key and value in the map of what exists */
#define S_LT(x) OCOP__LOCATION_TYPE__LOCATION_TYPE_##x

/* ---------------------------------------------------------------- the run */

/* What promotion holds already: sorted "key<S_SEP>value" strings (keys below). */
typedef struct {
    char **items;
    size_t n, cap;
} s_map_t;

typedef struct {
    const char *id, *entity, *sector, *expires;
    size_t province; /* index into demo_provinces */
    bool eligible;   /* a valid 3★+ certificate in promotion's replica */
} s_product_t;

typedef struct {
    ctl_t *ctl;
    ocop_arena_t *arena;
    unsigned year;
    uint64_t seed;
    int timeout_ms;
    char today[OCOP_DATE_LEN];
    ocop_client_t *pro;
    s_map_t known;
    s_product_t *products; /* grouped by province: [first[p], first[p + 1]) */
    size_t n_products, n_eligible, first[DEMO_PROVINCES + 1];
    char *fair_ids[DEMO_FAIRS];
    size_t plans, plans_new, fairs_new, applied_new, refused, pos_new, listings, listings_new;
    uint64_t applications, booked, waiting;
} s_run_t;

/* A uniform draw in (0, 1) from a hash. */
static double s_unit(uint64_t h)
{
    return ((double)(h >> 11) + 0.5) / 9007199254740992.0;
}

/* A request id naming what the request does; hashed when longer than a pipeline keeps. */
__attribute__((format(printf, 2, 3))) static char *s_rid(s_run_t *run, const char *fmt, ...)
{
    char what[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    if (strlen(what) <= S_RID_MAX)
        return ocop_arena_strdup(run->arena, what);
    return ocop_arena_printf(run->arena, "demo-%016llx%011llx", (unsigned long long)demo_hash(1, what),
                             (unsigned long long)(demo_hash(2, what) >> 20));
}

static Ocop__Request *s_request(s_run_t *run, const char *rid)
{
    Ocop__Request *req = ocop_arena_alloc(run->arena, sizeof *req);
    ocop__request__init(req);
    req->request_id = rid ? (char *)rid : "";
    return req;
}

static char **s_list(s_run_t *run, const char *list, size_t *n)
{
    char **out = ocop_arena_alloc(run->arena, 8 * sizeof *out);
    char *copy = ocop_arena_strdup(run->arena, list), *save = NULL;
    *n = 0;
    for (char *tok = strtok_r(copy, ";", &save); tok && *n < 8; tok = strtok_r(NULL, ";", &save))
        out[(*n)++] = tok;
    return out;
}

/* ---------------------------------------------------------------- calls */

static int s_failed(const Ocop__Reply *r, const char *what)
{
    fprintf(stderr, "ocop-demo promote: %s: %s (%s) %s\n", what, ocop_status_name(r->status), r->field, r->message);
    return ctl_exit_for_status(r->status);
}

/* One request, retried with its id; *reply is the caller's and OK. 0 / exit code. */
static int s_call(s_run_t *run, ocop_client_t *c, Ocop__Request *req, const char *what, Ocop__Reply **reply)
{
    if (ocop_client_call(c, req, reply, run->timeout_ms, 3) != 0) {
        fprintf(stderr, "ocop-demo promote: %s: no reply within %d ms (3 attempts)\n", what, run->timeout_ms);
        return CTL_EXIT_UNAVAILABLE;
    }
    if ((*reply)->status == OCOP__STATUS__STATUS_OK)
        return 0;
    int rc = s_failed(*reply, what);
    ocop__reply__free_unpacked(*reply, NULL);
    *reply = NULL;
    return rc;
}

/* n requests pipelined; replies[i] answers reqs[i], each the caller's. 0 / exit code. */
static int s_pipeline(s_run_t *run, ocop_client_t *c, Ocop__Request **reqs, size_t n, const char *what,
                      Ocop__Reply **replies)
{
    if (n == 0 || ocop_client_pipeline(c, reqs, n, DEMO_WINDOW, run->timeout_ms, replies) == 0)
        return 0;
    fprintf(stderr, "ocop-demo promote: %s: a reply did not come within %d ms\n", what, run->timeout_ms);
    return CTL_EXIT_UNAVAILABLE;
}

static void s_replies_free(Ocop__Reply **replies, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (replies[i])
            ocop__reply__free_unpacked(replies[i], NULL);
    free(replies);
}

/* Counts what the service refused (a product that lost its certificate meanwhile, a full
 * shelf) and says why for the first; the rest is counted as done. */
static size_t s_count_ok(s_run_t *run, Ocop__Reply **replies, size_t n, const char *what)
{
    size_t ok = 0;
    for (size_t i = 0; i < n; i++) {
        if (replies[i]->status == OCOP__STATUS__STATUS_OK) {
            ok++;
            continue;
        }
        if (run->refused++ == 0)
            s_failed(replies[i], what);
    }
    return ok;
}

/* ---------------------------------------------------------------- what exists already */

static int s_item_cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* key against an item's key (up to S_SEP). */
static int s_key_cmp(const void *k, const void *it)
{
    const char *key = k, *item = *(char *const *)it;
    size_t i = 0;
    for (; key[i] && item[i] != S_SEP; i++)
        if (key[i] != item[i])
            return (unsigned char)key[i] < (unsigned char)item[i] ? -1 : 1;
    return !key[i] && item[i] == S_SEP ? 0 : !key[i] ? -1 : 1;
}

/* 0, or -1 out of memory. */
static int s_map_add(s_run_t *run, const char *key, const char *value)
{
    s_map_t *m = &run->known;
    if (m->n == m->cap) {
        size_t cap = m->cap ? 2 * m->cap : 1024;
        char **grown = realloc(m->items, cap * sizeof *grown);
        if (!grown)
            return -1;
        m->items = grown;
        m->cap = cap;
    }
    m->items[m->n] = ocop_arena_printf(run->arena, "%s%c%s", key, S_SEP, value ? value : "");
    return m->items[m->n++] ? 0 : -1;
}

/* The value of key, or NULL. */
static const char *s_map_get(const s_map_t *m, const char *key)
{
    char **at = m->n ? bsearch(key, m->items, m->n, sizeof *m->items, s_key_cmp) : NULL;
    return at ? strchr(*at, S_SEP) + 1 : NULL;
}

/* How many keys start with prefix. */
static size_t s_map_count(const s_map_t *m, const char *prefix)
{
    size_t lo = 0, hi = m->n, len = strlen(prefix), n = 0;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (strcmp(m->items[mid], prefix) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    while (lo + n < m->n && strncmp(m->items[lo + n], prefix, len) == 0)
        n++;
    return n;
}

static int s_known_event(s_run_t *run, const Ocop__Event *ev)
{
    char key[512];
    switch (ev->body_case) {
    case OCOP__EVENT__BODY_PRO_PLAN_SUBMITTED: {
        const Ocop__ProPlan *p = ev->pro_plan_submitted->plan;
        snprintf(key, sizeof key, "plan|%s|%u", p->province_code, p->year);
        return s_map_add(run, key, p->id);
    }
    case OCOP__EVENT__BODY_PRO_FAIR_CREATED:
        snprintf(key, sizeof key, "fair|%s", ev->pro_fair_created->fair->name);
        return s_map_add(run, key, ev->pro_fair_created->fair->id);
    case OCOP__EVENT__BODY_PRO_APPLIED:
        snprintf(key, sizeof key, "apply|%s|%s", ev->pro_applied->application->fair_id,
                 ev->pro_applied->application->product_id);
        return s_map_add(run, key, NULL);
    case OCOP__EVENT__BODY_PRO_POINT_OF_SALE_CREATED: {
        const Ocop__ProPointOfSale *p = ev->pro_point_of_sale_created->pos;
        snprintf(key, sizeof key, "pos|%s|%s", p->province_code, p->name);
        return s_map_add(run, key, p->id);
    }
    case OCOP__EVENT__BODY_PRO_LISTED:
        snprintf(key, sizeof key, "list|%s|%s", ev->pro_listed->listing->pos_id, ev->pro_listed->listing->product_id);
        return s_map_add(run, key, NULL);
    default:
        return 0;
    }
}

/* Reads every event promotion has published into run->known. */
static int s_known_load(s_run_t *run)
{
    uint64_t from = 1;
    for (;;) {
        Ocop__EventsFrom body = OCOP__EVENTS_FROM__INIT;
        body.from_sequence = from;
        body.max = 10000;
        Ocop__Request *req = s_request(run, NULL);
        req->body_case = OCOP__REQUEST__BODY_EVENTS_FROM;
        req->events_from = &body;
        Ocop__Reply *reply;
        int rc = s_call(run, run->pro, req, "reading promotion's events", &reply);
        if (rc != 0)
            return rc;
        const Ocop__EventBatch *batch = reply->events;
        size_t n = batch->n_events;
        for (size_t i = 0; i < n; i++) {
            Ocop__Event *ev = ocop__event__unpack(NULL, batch->events[i].len, batch->events[i].data);
            if (!ev)
                continue;
            if (s_known_event(run, ev) != 0)
                rc = CTL_EXIT_FAILED;
            from = ev->sequence + 1;
            ocop__event__free_unpacked(ev, NULL);
        }
        bool more = n > 0 && from <= batch->last_sequence;
        ocop__reply__free_unpacked(reply, NULL);
        if (rc != 0)
            return rc;
        if (!more)
            break;
    }
    if (run->known.n)
        qsort(run->known.items, run->known.n, sizeof *run->known.items, s_item_cmp);
    return 0;
}

/* ---------------------------------------------------------------- certified products */

/* Registration's products in trade promotion, province by province. */
static int s_products_list(s_run_t *run, ocop_client_t *reg)
{
    size_t cap = 1024;
    if (!(run->products = malloc(cap * sizeof *run->products)))
        return CTL_EXIT_FAILED;
    for (size_t p = 0; p < DEMO_PROVINCES; p++) {
        run->first[p] = run->n_products;
        char *cursor = "";
        do {
            Ocop__RegProductList list = OCOP__REG_PRODUCT_LIST__INIT;
            list.province_code = (char *)demo_provinces[p].code;
            list.stage = OCOP__STAGE__STAGE_TRADE_PROMOTION;
            list.limit = 1000;
            list.cursor = cursor;
            Ocop__Request *req = s_request(run, NULL);
            req->body_case = OCOP__REQUEST__BODY_REG_PRODUCT_LIST;
            req->reg_product_list = &list;
            Ocop__Reply *reply;
            int rc = s_call(run, reg, req, "listing products in trade promotion", &reply);
            if (rc != 0)
                return rc;
            const Ocop__RegProductPage *page = reply->reg_product_page;
            for (size_t i = 0; i < page->n_products; i++) {
                if (run->n_products == cap) {
                    s_product_t *grown = realloc(run->products, 2 * cap * sizeof *grown);
                    if (!grown) {
                        ocop__reply__free_unpacked(reply, NULL);
                        return CTL_EXIT_FAILED;
                    }
                    run->products = grown;
                    cap *= 2;
                }
                s_product_t *x = &run->products[run->n_products++];
                *x = (s_product_t){.id = ocop_arena_strdup(run->arena, page->products[i]->id),
                                   .sector = ocop_arena_strdup(run->arena, page->products[i]->sector_code),
                                   .province = p};
            }
            cursor = ocop_arena_strdup(run->arena, page->next_cursor);
            ocop__reply__free_unpacked(reply, NULL);
        } while (*cursor);
    }
    run->first[DEMO_PROVINCES] = run->n_products;
    return 0;
}

/* The last certificate a shard issued: its product and id ("" when it issued none), from its
 * newest events backwards, a thousand at a time. */
static int s_last_issued(s_run_t *run, ocop_client_t *shard, char *product, char *certificate, size_t len)
{
    product[0] = certificate[0] = '\0';
    Ocop__Request *req = s_request(run, NULL);
    req->body_case = OCOP__REQUEST__BODY_PING;
    Ocop__Ping ping = OCOP__PING__INIT;
    req->ping = &ping;
    Ocop__Reply *reply;
    int rc = s_call(run, shard, req, "pinging an evaluation shard", &reply);
    if (rc != 0)
        return rc;
    uint64_t last = reply->pong->last_sequence;
    ocop__reply__free_unpacked(reply, NULL);
    for (uint64_t to = last; to > 0 && !*product;) {
        uint64_t from = to > 1000 ? to - 999 : 1, at = from;
        for (uint64_t asked = 0; at <= to && at != asked;) {
            asked = at;
            Ocop__EventsFrom body = OCOP__EVENTS_FROM__INIT;
            body.from_sequence = at;
            body.max = (uint32_t)(to - at + 1);
            req = s_request(run, NULL);
            req->body_case = OCOP__REQUEST__BODY_EVENTS_FROM;
            req->events_from = &body;
            if ((rc = s_call(run, shard, req, "reading an evaluation shard's events", &reply)) != 0)
                return rc;
            size_t n = reply->events->n_events;
            for (size_t i = 0; i < n; i++) {
                Ocop__Event *ev =
                    ocop__event__unpack(NULL, reply->events->events[i].len, reply->events->events[i].data);
                if (!ev)
                    continue;
                at = ev->sequence + 1;
                if (ev->sequence <= to && ev->body_case == OCOP__EVENT__BODY_EVAL_CERTIFICATE_ISSUED &&
                    ev->eval_certificate_issued->certificate) {
                    snprintf(product, len, "%s", ev->eval_certificate_issued->certificate->product_id);
                    snprintf(certificate, len, "%s", ev->eval_certificate_issued->certificate->id);
                }
                ocop__event__free_unpacked(ev, NULL);
            }
            ocop__reply__free_unpacked(reply, NULL);
        }
        to = from - 1;
    }
    return 0;
}

/* Waits until promotion's replica holds the last certificate of every evaluation shard: its
 * subscribers apply each shard's events in order, so then it holds all of them. */
static int s_wait_replica(s_run_t *run)
{
    char shards[S_SHARDS_MAX][OCOP_NAME_MAX];
    size_t n = ocop_config_shards(run->ctl->config, "evaluation", shards, S_SHARDS_MAX);
    for (size_t s = 0; s < n; s++) {
        char product[64], certificate[64];
        ocop_client_t *shard = ctl_connect(run->ctl, shards[s]);
        int rc = shard ? s_last_issued(run, shard, product, certificate, sizeof product) : CTL_EXIT_UNAVAILABLE;
        ocop_client_destroy(&shard);
        if (rc != 0)
            return rc;
        for (int waited = 0; *product; waited += 100) {
            Ocop__ProProductGet get = OCOP__PRO_PRODUCT_GET__INIT;
            get.product_id = product;
            Ocop__Request *req = s_request(run, NULL);
            req->body_case = OCOP__REQUEST__BODY_PRO_PRODUCT_GET;
            req->pro_product_get = &get;
            Ocop__Reply *reply;
            if (ocop_client_call(run->pro, req, &reply, run->timeout_ms, 3) != 0)
                return CTL_EXIT_UNAVAILABLE;
            bool held = reply->status == OCOP__STATUS__STATUS_OK &&
                        strcmp(reply->pro_certificate_view->certificate_id, certificate) == 0;
            ocop__reply__free_unpacked(reply, NULL);
            if (held)
                break;
            if (waited >= S_WAIT_MS) {
                fprintf(stderr, "ocop-demo promote: promotion has not learnt certificate %s of %s within %d s\n",
                        certificate, shards[s], S_WAIT_MS / 1000);
                return CTL_EXIT_UNAVAILABLE;
            }
            struct timespec ts = {0, 100 * 1000000L};
            nanosleep(&ts, NULL);
        }
    }
    return 0;
}

/* Promotion's view of every product: who may apply with it, until when. */
static int s_products_view(s_run_t *run)
{
    size_t n = run->n_products;
    Ocop__Request **reqs = ocop_arena_alloc(run->arena, (n + 1) * sizeof *reqs);
    Ocop__Reply **replies = calloc(n + 1, sizeof *replies);
    if (!replies)
        return CTL_EXIT_FAILED;
    for (size_t i = 0; i < n; i++) {
        Ocop__ProProductGet *get = ocop_arena_alloc(run->arena, sizeof *get);
        ocop__pro_product_get__init(get);
        get->product_id = (char *)run->products[i].id;
        reqs[i] = s_request(run, NULL);
        reqs[i]->body_case = OCOP__REQUEST__BODY_PRO_PRODUCT_GET;
        reqs[i]->pro_product_get = get;
    }
    int rc = s_pipeline(run, run->pro, reqs, n, "reading certificates", replies);
    for (size_t i = 0; rc == 0 && i < n; i++) {
        const Ocop__ProCertificateView *v = replies[i]->pro_certificate_view;
        s_product_t *x = &run->products[i];
        if (replies[i]->status != OCOP__STATUS__STATUS_OK || v->stars < 3 || *v->ended)
            continue;
        x->entity = ocop_arena_strdup(run->arena, v->entity_id);
        x->expires = ocop_arena_strdup(run->arena, v->expires);
        x->eligible = true;
        run->n_eligible++;
    }
    s_replies_free(replies, n);
    if (rc == 0)
        printf("demo: %zu products in trade promotion, %zu with a valid certificate in promotion's replica\n",
               run->n_products, run->n_eligible);
    return rc;
}

/* ---------------------------------------------------------------- drawing products */

typedef struct {
    double key;
    size_t product;
} s_draw_t;

static int s_draw_cmp(const void *a, const void *b)
{
    const s_draw_t *x = a, *y = b;
    if (x->key != y->key)
        return x->key > y->key ? -1 : 1;
    return x->product < y->product ? -1 : x->product > y->product;
}

/* Weighted sampling without replacement (Efraimidis–Spirakis): each candidate's key is
 * log(u) / weight, the largest `want` keys are drawn, best first. Returns how many. */
static size_t s_draw(s_draw_t *cand, size_t n, size_t want)
{
    qsort(cand, n, sizeof *cand, s_draw_cmp);
    return n < want ? n : want;
}

static bool s_in_list(const char *list, const char *code)
{
    size_t len = strlen(code);
    for (const char *p = list; *p;) {
        const char *end = strchr(p, ';');
        size_t n = end ? (size_t)(end - p) : strlen(p);
        if (n == len && strncmp(p, code, len) == 0)
            return true;
        p += n + (end != NULL);
    }
    return false;
}

static size_t s_province_index(const char *code)
{
    for (size_t p = 0; p < DEMO_PROVINCES; p++)
        if (strcmp(demo_provinces[p].code, code) == 0)
            return p;
    return 0;
}

/* ---------------------------------------------------------------- plans */

static void s_item(s_run_t *run, Ocop__ProPlanItem *it, const char *name, const char *kind, unsigned month,
                   unsigned day, int days)
{
    char start[OCOP_DATE_LEN], end[OCOP_DATE_LEN];
    snprintf(start, sizeof start, "%04u-%02u-%02u", run->year, month, day);
    ocop_date_add_days(start, days - 1, end);
    ocop__pro_plan_item__init(it);
    it->name = (char *)name;
    it->kind = (char *)kind;
    it->start = ocop_arena_strdup(run->arena, start);
    it->end = ocop_arena_strdup(run->arena, end);
}

/* A province's plan: its signature event, a week of its products in the capital, an online
 * campaign around a shopping day, a supply-demand conference and, for about half of the
 * provinces that host no demo fair, a spring fair before Tết. */
static size_t s_plan_items(s_run_t *run, size_t p, Ocop__ProPlanItem **items)
{
    const demo_province_t *pv = &demo_provinces[p];
    uint64_t h = demo_hash(run->seed, pv->code);
    ocop_arena_t *a = run->arena;
    size_t n = 0;
    for (size_t i = 0; i < S_PLAN_ITEMS; i++)
        items[i] = ocop_arena_alloc(a, sizeof *items[i]);
    unsigned month = (unsigned)atoi(pv->signature.day), day = (unsigned)atoi(pv->signature.day + 3);
    s_item(run, items[n++], ocop_arena_printf(a, "%s %u", pv->signature.name, run->year), pv->signature.kind, month,
           day, pv->signature.days);
    s_item(run, items[n++],
           ocop_arena_printf(a, "Tuần hàng sản phẩm OCOP %s tại %s", pv->name,
                             strcmp(pv->code, "01") == 0 ? "TP. Hồ Chí Minh" : "Hà Nội"),
           "week", 3 + (unsigned)(h % 8), 1 + (unsigned)((h >> 8) % 20), 7);
    static const unsigned shopping_days[] = {9, 10, 11, 12};
    unsigned shop = shopping_days[(h >> 16) % 4];
    s_item(run, items[n++],
           ocop_arena_printf(a, "Chiến dịch bán sản phẩm OCOP %s trên sàn thương mại điện tử (%s)", pv->name,
                             shop == 11   ? "11.11"
                             : shop == 12 ? "12.12"
                             : shop == 10 ? "10.10"
                                          : "9.9"),
           "e-commerce", shop, shop - 5, 10);
    s_item(run, items[n++],
           ocop_arena_printf(a, "Hội nghị kết nối cung cầu sản phẩm OCOP %s năm %u", pv->name, run->year), "conference",
           2 + (unsigned)((h >> 24) % 9), 5 + (unsigned)((h >> 32) % 20), 1);
    bool hosts = false;
    for (size_t f = 0; f < DEMO_FAIRS; f++)
        hosts = hosts || strcmp(demo_fairs[f].province, pv->code) == 0;
    if (!hosts && (h >> 40) % 2 == 0)
        s_item(run, items[n++], ocop_arena_printf(a, "Hội chợ sản phẩm OCOP %s – Xuân %u", pv->name, run->year), "fair",
               1, 5 + (unsigned)((h >> 44) % 10), 5);
    return n;
}

static int s_plans(s_run_t *run)
{
    for (size_t p = 0; p < DEMO_PROVINCES; p++) {
        const demo_province_t *pv = &demo_provinces[p];
        char key[64];
        snprintf(key, sizeof key, "plan|%s|%u", pv->code, run->year);
        if (s_map_get(&run->known, key)) {
            printf("demo: plan %s-%u %s: submitted before\n", pv->code, run->year, pv->name);
            run->plans++;
            continue;
        }
        Ocop__ProPlanItem *items[S_PLAN_ITEMS];
        Ocop__ProPlanSubmit body = OCOP__PRO_PLAN_SUBMIT__INIT;
        body.province_code = (char *)pv->code;
        body.year = run->year;
        body.items = items;
        body.n_items = s_plan_items(run, p, items);
        Ocop__Request *req = s_request(run, s_rid(run, "demo-plan-%u-%s", run->year, pv->code));
        req->caller = ocop_arena_printf(run->arena, "so-cong-thuong@%s", pv->code);
        req->body_case = OCOP__REQUEST__BODY_PRO_PLAN_SUBMIT;
        req->pro_plan_submit = &body;
        Ocop__Reply *reply;
        int rc = s_call(run, run->pro, req, "submitting a plan", &reply);
        if (rc != 0)
            return rc;
        const Ocop__ProPlan *plan = reply->pro_plan;
        printf("demo: plan %s %s: %zu events, %zu overlap warnings\n", plan->id, pv->name, plan->n_items,
               plan->n_warnings);
        for (size_t w = 0; w < plan->n_warnings; w++)
            printf("  warning: %s\n", plan->warnings[w]);
        ocop__reply__free_unpacked(reply, NULL);
        run->plans++;
        run->plans_new++;
    }
    return 0;
}

/* ---------------------------------------------------------------- fairs */

static int s_fair_create(s_run_t *run, size_t k, const char *name)
{
    const demo_fair_t *f = &demo_fairs[k];
    Ocop__ProFairCreate body = OCOP__PRO_FAIR_CREATE__INIT;
    char start[OCOP_DATE_LEN], end[OCOP_DATE_LEN];
    snprintf(start, sizeof start, "%04u-%s", run->year, f->day);
    ocop_date_add_days(start, f->days - 1, end);
    body.name = (char *)name;
    body.organiser = (char *)f->organiser;
    body.province_code = (char *)f->province;
    body.venue = (char *)f->venue;
    body.start = start;
    body.end = end;
    body.booths = f->booths;
    body.booth_types = s_list(run, f->types, &body.n_booth_types);
    body.focus_sectors = s_list(run, f->focus, &body.n_focus_sectors);
    body.strategy = (char *)f->strategy;
    Ocop__Request *req = s_request(run, s_rid(run, "demo-fair-%u-%02zu", run->year, k + 1));
    req->body_case = OCOP__REQUEST__BODY_PRO_FAIR_CREATE;
    req->pro_fair_create = &body;
    Ocop__Reply *reply;
    int rc = s_call(run, run->pro, req, "creating a fair", &reply);
    if (rc != 0)
        return rc;
    run->fair_ids[k] = ocop_arena_strdup(run->arena, reply->pro_fair->id);
    ocop__reply__free_unpacked(reply, NULL);
    run->fairs_new++;
    return 0;
}

static int s_fair_get(s_run_t *run, size_t k, Ocop__Reply **reply)
{
    Ocop__ProFairGet get = OCOP__PRO_FAIR_GET__INIT;
    get.id = run->fair_ids[k];
    Ocop__Request *req = s_request(run, NULL);
    req->body_case = OCOP__REQUEST__BODY_PRO_FAIR_GET;
    req->pro_fair_get = &get;
    return s_call(run, run->pro, req, "reading a fair", reply);
}

static int demo_fairs_create(s_run_t *run)
{
    for (size_t k = 0; k < DEMO_FAIRS; k++) {
        char *name = ocop_arena_printf(run->arena, "%s %u", demo_fairs[k].name, run->year), key[512];
        snprintf(key, sizeof key, "fair|%s", name);
        const char *id = s_map_get(&run->known, key);
        int rc = id ? 0 : s_fair_create(run, k, name);
        if (rc != 0)
            return rc;
        if (id)
            run->fair_ids[k] = (char *)id;
    }
    return 0;
}

/* Certified products apply to fair k: drawn by the fair's reach and focus until demand, those
 * that applied before left out; applications close the day before the fair. */
static int s_apply(s_run_t *run, size_t k, const Ocop__ProFair *fair)
{
    const demo_fair_t *f = &demo_fairs[k];
    if (strcmp(fair->start, run->today) <= 0)
        return 0;
    size_t host = s_province_index(f->province), n = 0;
    s_draw_t *cand = malloc((run->n_products + 1) * sizeof *cand);
    if (!cand)
        return CTL_EXIT_FAILED;
    for (size_t i = 0; i < run->n_products; i++) {
        const s_product_t *x = &run->products[i];
        if (!x->eligible || strcmp(x->expires, fair->end) < 0)
            continue;
        double w = f->reach[x->province == host                                                 ? 0
                            : demo_provinces[x->province].region == demo_provinces[host].region ? 1
                                                                                                : 2];
        if (*f->focus && s_in_list(f->focus, x->sector))
            w *= 2;
        char what[96];
        snprintf(what, sizeof what, "%zu|%s", k, x->id);
        cand[n++] = (s_draw_t){log(s_unit(demo_hash(run->seed, what))) / w, i};
    }
    size_t m = s_draw(cand, n, (size_t)f->booths * f->demand / 100), sent = 0;
    Ocop__Request **reqs = ocop_arena_alloc(run->arena, (m + 1) * sizeof *reqs);
    for (size_t j = 0; j < m; j++) {
        const s_product_t *x = &run->products[cand[j].product];
        char key[128];
        snprintf(key, sizeof key, "apply|%s|%s", fair->id, x->id);
        if (s_map_get(&run->known, key))
            continue;
        Ocop__ProApply *body = ocop_arena_alloc(run->arena, sizeof *body);
        ocop__pro_apply__init(body);
        body->fair_id = fair->id;
        body->product_id = (char *)x->id;
        body->entity_id = (char *)x->entity;
        Ocop__Request *req = s_request(run, s_rid(run, "demo-apply-%u-%02zu-%s", run->year, k + 1, x->id));
        req->body_case = OCOP__REQUEST__BODY_PRO_APPLY;
        req->pro_apply = body;
        reqs[sent++] = req;
    }
    free(cand);
    Ocop__Reply **replies = calloc(sent + 1, sizeof *replies);
    if (!replies)
        return CTL_EXIT_FAILED;
    int rc = s_pipeline(run, run->pro, reqs, sent, "applying to a fair", replies);
    if (rc == 0)
        run->applied_new += s_count_ok(run, replies, sent, "applying to a fair");
    s_replies_free(replies, sent);
    return rc;
}

static int s_allocate(s_run_t *run, size_t k)
{
    Ocop__ProAllocate body = OCOP__PRO_ALLOCATE__INIT;
    body.fair_id = run->fair_ids[k];
    Ocop__Request *req = s_request(run, s_rid(run, "demo-allocate-%u-%02zu", run->year, k + 1));
    req->body_case = OCOP__REQUEST__BODY_PRO_ALLOCATE;
    req->pro_allocate = &body;
    Ocop__Reply *reply;
    int rc = s_call(run, run->pro, req, "allocating booths", &reply);
    if (rc == 0)
        ocop__reply__free_unpacked(reply, NULL);
    return rc;
}

/* Applications and allocation for every fair not allocated yet, then the fairs as they stand. */
static int demo_fairs_run(s_run_t *run)
{
    for (size_t k = 0; k < DEMO_FAIRS; k++) {
        Ocop__Reply *reply;
        int rc = s_fair_get(run, k, &reply);
        if (rc == 0 && !reply->pro_fair->allocated) {
            rc = s_apply(run, k, reply->pro_fair);
            ocop__reply__free_unpacked(reply, NULL);
            if (rc == 0 && (rc = s_fair_get(run, k, &reply)) == 0 && reply->pro_fair->applications > 0) {
                ocop__reply__free_unpacked(reply, NULL);
                if ((rc = s_allocate(run, k)) == 0)
                    rc = s_fair_get(run, k, &reply);
            }
        }
        if (rc != 0)
            return rc;
        const Ocop__ProFair *f = reply->pro_fair;
        printf("demo: fair %s %s (%s, %s to %s, %u booths, %s): %llu applications, %u booked, %u waiting%s\n", f->id,
               f->name, f->province_code, f->start, f->end, f->booths, f->strategy, (unsigned long long)f->applications,
               f->booked, f->waiting,
               f->allocated           ? ""
               : f->applications == 0 ? " (nothing to allocate: applications closed or none eligible)"
                                      : " (not allocated)");
        run->applications += f->applications;
        run->booked += f->booked;
        run->waiting += f->waiting;
        ocop__reply__free_unpacked(reply, NULL);
    }
    return 0;
}

/* ---------------------------------------------------------------- points of sale */

static unsigned s_fill_percent(Ocop__LocationType t)
{
    return t == S_LT(E_COMMERCE) ? 80 : t == S_LT(SUPERMARKET) || t == S_LT(MALL) ? 70 : 60;
}

static int s_pos_create(s_run_t *run, size_t p, size_t i, char **id)
{
    const demo_pos_t *s = &demo_provinces[p].pos[i];
    Ocop__ProPointOfSaleCreate body = OCOP__PRO_POINT_OF_SALE_CREATE__INIT;
    body.name = (char *)s->name;
    body.location_type = s->type;
    body.province_code = (char *)demo_provinces[p].code;
    body.address = (char *)s->address;
    body.shelf_capacity = s->capacity;
    body.channel = (char *)s->channel;
    Ocop__Request *req = s_request(run, s_rid(run, "demo-pos-%s-%zu", demo_provinces[p].code, i + 1));
    req->body_case = OCOP__REQUEST__BODY_PRO_POINT_OF_SALE_CREATE;
    req->pro_point_of_sale_create = &body;
    Ocop__Reply *reply;
    int rc = s_call(run, run->pro, req, "opening a point of sale", &reply);
    if (rc != 0)
        return rc;
    *id = ocop_arena_strdup(run->arena, reply->pro_point_of_sale->id);
    ocop__reply__free_unpacked(reply, NULL);
    run->pos_new++;
    return 0;
}

/* Certified products of the province, drawn for one point of sale (a craft village favours
 * handicrafts), up to a share of its shelves; those listed before are not sent again. Adds the
 * requests to reqs, *sent of them. 0 / exit code. */
static int s_listings(s_run_t *run, size_t p, size_t i, const char *pos_id, Ocop__Request **reqs, size_t *sent)
{
    const demo_pos_t *s = &demo_provinces[p].pos[i];
    size_t from = run->first[p], to = run->first[p + 1], n = 0;
    s_draw_t *cand = malloc((to - from + 1) * sizeof *cand);
    *sent = 0;
    if (!cand)
        return CTL_EXIT_FAILED;
    for (size_t j = from; j < to; j++) {
        const s_product_t *x = &run->products[j];
        if (!x->eligible || strcmp(x->expires, run->today) < 0)
            continue;
        double w = s->type == S_LT(CRAFT_VILLAGE) && strcmp(x->sector, "4") == 0 ? 4 : 1;
        char what[96];
        snprintf(what, sizeof what, "%s|%zu|%s", demo_provinces[p].code, i, x->id);
        cand[n++] = (s_draw_t){log(s_unit(demo_hash(run->seed, what))) / w, j};
    }
    size_t m = s_draw(cand, n, (size_t)s->capacity * s_fill_percent(s->type) / 100);
    for (size_t j = 0; j < m; j++) {
        const s_product_t *x = &run->products[cand[j].product];
        char key[128];
        snprintf(key, sizeof key, "list|%s|%s", pos_id, x->id);
        if (s_map_get(&run->known, key))
            continue;
        Ocop__ProListingAdd *body = ocop_arena_alloc(run->arena, sizeof *body);
        ocop__pro_listing_add__init(body);
        body->pos_id = (char *)pos_id;
        body->product_id = (char *)x->id;
        body->entity_id = (char *)x->entity;
        Ocop__Request *req = s_request(run, s_rid(run, "demo-list-%s-%zu-%s", demo_provinces[p].code, i + 1, x->id));
        req->body_case = OCOP__REQUEST__BODY_PRO_LISTING_ADD;
        req->pro_listing_add = body;
        reqs[(*sent)++] = req;
    }
    free(cand);
    return 0;
}

static int s_points_of_sale(s_run_t *run)
{
    for (size_t p = 0; p < DEMO_PROVINCES; p++) {
        size_t cap = 1;
        for (size_t i = 0; i < DEMO_POS; i++)
            cap += demo_provinces[p].pos[i].capacity;
        Ocop__Request **reqs = ocop_arena_alloc(run->arena, cap * sizeof *reqs);
        size_t n = 0, before = 0;
        char line[512];
        int len =
            snprintf(line, sizeof line, "demo: points of sale %s %s:", demo_provinces[p].code, demo_provinces[p].name);
        for (size_t i = 0; i < DEMO_POS; i++) {
            char key[512], *id = NULL;
            snprintf(key, sizeof key, "pos|%s|%s", demo_provinces[p].code, demo_provinces[p].pos[i].name);
            const char *known = s_map_get(&run->known, key);
            int rc = known ? 0 : s_pos_create(run, p, i, &id);
            id = known ? (char *)known : id;
            snprintf(key, sizeof key, "list|%s|", id);
            before += s_map_count(&run->known, key);
            size_t added = 0;
            if (rc != 0 || (rc = s_listings(run, p, i, id, reqs + n, &added)) != 0)
                return rc;
            n += added;
            if (len > 0 && (size_t)len < sizeof line)
                len += snprintf(line + len, sizeof line - (size_t)len, "%s %s", i ? "," : "", id);
        }
        Ocop__Reply **replies = calloc(n + 1, sizeof *replies);
        if (!replies)
            return CTL_EXIT_FAILED;
        int rc = s_pipeline(run, run->pro, reqs, n, "listing products", replies);
        size_t ok = rc == 0 ? s_count_ok(run, replies, n, "listing a product") : 0;
        s_replies_free(replies, n);
        if (rc != 0)
            return rc;
        printf("%s; %zu products listed (%zu new)\n", line, before + ok, ok);
        run->listings += before + ok;
        run->listings_new += ok;
    }
    return 0;
}

/* ---------------------------------------------------------------- the command */

static int s_calendar(s_run_t *run, size_t *items, size_t *warnings)
{
    Ocop__ProCalendarGet get = OCOP__PRO_CALENDAR_GET__INIT;
    get.year = run->year;
    Ocop__Request *req = s_request(run, NULL);
    req->body_case = OCOP__REQUEST__BODY_PRO_CALENDAR_GET;
    req->pro_calendar_get = &get;
    Ocop__Reply *reply;
    int rc = s_call(run, run->pro, req, "reading the calendar", &reply);
    if (rc != 0)
        return rc;
    *items = reply->pro_calendar->n_items;
    *warnings = reply->pro_calendar->n_warnings;
    ocop__reply__free_unpacked(reply, NULL);
    return 0;
}

static int s_run(s_run_t *run)
{
    ocop_client_t *reg = ctl_connect(run->ctl, "registration");
    run->pro = ctl_connect(run->ctl, "promotion");
    int rc = reg && run->pro ? 0 : CTL_EXIT_UNAVAILABLE;
    if (rc == 0)
        rc = s_known_load(run);
    if (rc == 0)
        rc = s_products_list(run, reg);
    if (rc == 0)
        rc = s_wait_replica(run);
    if (rc == 0)
        rc = s_products_view(run);
    if (rc == 0)
        rc = demo_fairs_create(run);
    if (rc == 0)
        rc = s_plans(run);
    if (rc == 0)
        rc = demo_fairs_run(run);
    if (rc == 0)
        rc = s_points_of_sale(run);
    size_t items = 0, warnings = 0;
    if (rc == 0)
        rc = s_calendar(run, &items, &warnings);
    if (rc == 0 && run->refused)
        printf("demo: %zu applications or listings refused by the service (the first one's reason above)\n",
               run->refused);
    if (rc == 0)
        printf("demo: %u trade promotion: %zu plans, %zu fairs, %llu applications, %llu booked, %llu waiting, "
               "%zu points of sale, %zu listings; calendar %zu events, %zu overlap warnings "
               "(new: %zu plans, %zu fairs, %zu applications, %zu points of sale, %zu listings)\n",
               run->year, run->plans, (size_t)DEMO_FAIRS, (unsigned long long)run->applications,
               (unsigned long long)run->booked, (unsigned long long)run->waiting, (size_t)DEMO_PROVINCES * DEMO_POS,
               run->listings, items, warnings, run->plans_new, run->fairs_new, run->applied_new, run->pos_new,
               run->listings_new);
    ocop_client_destroy(&reg);
    ocop_client_destroy(&run->pro);
    return rc;
}

int demo_promote(ctl_t *ctl, int argc, char **argv)
{
    s_run_t run = {.ctl = ctl, .seed = 2025};
    bool usage = false;
    for (int i = 1; i < argc; i++) {
        uint64_t year = 0;
        if (strcmp(argv[i], "--year") == 0 && i + 1 < argc) {
            usage = usage || ctl_parse_u64(argv[++i], 2000, 2100, &year) != 0;
            run.year = (unsigned)year;
        } else if (strcmp(argv[i], "--seed") == 0 && i + 1 < argc) {
            usage = usage || ctl_parse_u64(argv[++i], 0, UINT64_MAX, &run.seed) != 0;
        } else {
            usage = true;
        }
    }
    if (usage) {
        fprintf(stderr, "usage: ocop-demo promote [--year YYYY] [--seed N]\n"
                        "  The year's trade promotion on the promotion service of the config: the 34 provinces'\n"
                        "  plans, a dozen fairs with applications from certified products and their booths\n"
                        "  allocated, three points of sale per province listing certified products. The year is\n"
                        "  the coming one by default (applications close the day before a fair); safe to re-run.\n");
        return CTL_EXIT_USAGE;
    }
    int rc = demo_connect_direct(ctl, "promote", "services");
    if (rc != 0)
        return rc;
    ocop_day_of(ocop_now_ms(), run.today);
    if (!run.year)
        run.year = (unsigned)ocop_date_year(run.today) + 1;
    run.timeout_ms = ctl->timeout_ms * 6;
    run.arena = ocop_arena_new(1 << 20);
    rc = run.arena ? s_run(&run) : CTL_EXIT_FAILED;
    free(run.known.items);
    free(run.products);
    ocop_arena_destroy(&run.arena);
    return rc;
}
