/* bench_promotion_cascade — see bench_promotion_cascade.h. */
#include "bench_promotion_cascade.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bench_eval_setup.h"
#include "harness.h"
#include "harness_eval.h"
#include "ocop_date.h"

#define S_WINDOW 256
#define S_KNOWN_WAIT_MS 60000
#define S_CASCADE_WAIT_MS 300000
#define S_EVENTS_PAGE 5000
#define S_ERRORS_SHOWN 5
#define S_ID_LEN 40

static const char *const s_members[BENCH_CASCADE_MEMBERS] = {"m1", "m2", "m3"};

typedef struct {
    bench_eval_world_t w;
    harness_t *h;
    size_t n;
    harness_ready_t *p;
    char (*cert)[S_ID_LEN];
    size_t *order;   /* product indices sorted by product id */
    size_t *session; /* each product's session */
    uint32_t *booth; /* after the allocation: the booth, or 0 */
    uint32_t *rank;  /* after the allocation: the waiting rank, or 0 */
    bool *victim;    /* its certificate is revoked */
    char (*sessions)[BENCH_EVAL_ID_LEN];
    char fair[S_ID_LEN];
    char today[OCOP_DATE_LEN];
} s_run_t;

static void s_sleep_ms(unsigned ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

static double s_since(int64_t t0_ns)
{
    return (double)(bench_now_ns() - t0_ns) / 1e9;
}

static Ocop__Reply *s_call(ocop_client_t *c, Ocop__Request *req)
{
    Ocop__Reply *r;
    req->request_id = "";
    return harness_call(c, req, &r) == 0 ? r : NULL;
}

/* Takes the reply: 0 when it is OK with body, else -1 with a message. */
static int s_expect(Ocop__Reply *r, Ocop__Reply__BodyCase body, const char *what)
{
    return bench_eval_replies_check(&r, 1, body, what) == 0 ? 0 : -1;
}

/* The reply when it is OK with body; else NULL, the reply freed and a message printed. */
static Ocop__Reply *s_ok(Ocop__Reply *r, Ocop__Reply__BodyCase body, const char *what)
{
    if (r && r->status == OCOP__STATUS__STATUS_OK && r->body_case == body)
        return r;
    s_expect(r, body, what);
    return NULL;
}

/* Sends reqs[0..n) pipelined through c and checks every reply (freed here). *done_ns (when
 * given) is when the last reply came. 0 / -1. */
static int s_pipeline(ocop_client_t *c, Ocop__Request *reqs, size_t n, Ocop__Reply__BodyCase body, const char *what,
                      int64_t *done_ns)
{
    Ocop__Request **ptrs = calloc(n ? n : 1, sizeof *ptrs);
    Ocop__Reply **replies = calloc(n ? n : 1, sizeof *replies);
    int rc = ptrs && replies ? 0 : -1;
    for (size_t i = 0; rc == 0 && i < n; i++)
        ptrs[i] = &reqs[i];
    if (rc == 0 && harness_pipeline(c, ptrs, n, S_WINDOW, replies) != 0) {
        fprintf(stderr, "bench: %s: a reply did not come in time\n", what);
        rc = -1;
    }
    if (done_ns)
        *done_ns = bench_now_ns();
    if (rc == 0 && bench_eval_replies_check(replies, n, body, what) != 0)
        rc = -1;
    free(ptrs);
    free(replies);
    return rc;
}

/* ---------------------------------------------------------------- products by id */

static const s_run_t *s_sort_run;

static int s_cmp_order(const void *a, const void *b)
{
    return strcmp(s_sort_run->p[*(const size_t *)a].product_id, s_sort_run->p[*(const size_t *)b].product_id);
}

static void s_index(s_run_t *run)
{
    for (size_t i = 0; i < run->n; i++)
        run->order[i] = i;
    s_sort_run = run;
    qsort(run->order, run->n, sizeof *run->order, s_cmp_order);
    s_sort_run = NULL;
}

/* The index of the product, or SIZE_MAX. */
static size_t s_find(const s_run_t *run, const char *product_id)
{
    size_t lo = 0, hi = run->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = strcmp(run->p[run->order[mid]].product_id, product_id ? product_id : "");
        if (c == 0)
            return run->order[mid];
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return SIZE_MAX;
}

/* ---------------------------------------------------------------- registration and rating */

static int s_make_ready(s_run_t *run, const bench_cascade_args_t *a, bench_cascade_result_t *r)
{
    const bench_eval_province_t *pv = &run->w.provinces[0];
    size_t *entity_of = calloc(run->n, sizeof *entity_of);
    if (!entity_of)
        return -1;
    for (size_t i = 0; i < run->n; i++) {
        harness_ready_t *p = &run->p[i];
        snprintf(p->commune, sizeof p->commune, "%s", pv->communes[i % pv->n_communes]);
        snprintf(p->catalogue, sizeof p->catalogue, "%s", run->w.data.catalogue_version);
        snprintf(p->sector, sizeof p->sector, "%s", run->w.data.sector);
        snprintf(p->product_set, sizeof p->product_set, "%s", run->w.data.product_set);
        entity_of[i] = i; /* one producer per product: no entity is kept from a second booth */
    }
    int64_t t0 = bench_now_ns();
    int rc = harness_make_ready(run->h->client, run->p, entity_of, run->n, a->seed);
    r->ready_s = s_since(t0);
    free(entity_of);
    t0 = bench_now_ns();
    if (rc == 0)
        rc = harness_shard_wait_product(run->h, 0, run->p[run->n - 1].product_id);
    r->replica_s = s_since(t0);
    if (rc == 0)
        s_index(run);
    return rc;
}

static int s_attest(s_run_t *run, bench_cascade_result_t *r)
{
    Ocop__EvalAttest *bodies = calloc(run->n, sizeof *bodies);
    Ocop__Request *reqs = calloc(run->n, sizeof *reqs);
    int rc = bodies && reqs ? 0 : -1;
    for (size_t i = 0; rc == 0 && i < run->n; i++) {
        ocop__eval_attest__init(&bodies[i]);
        bodies[i].product_id = run->p[i].product_id;
        bodies[i].local_materials = bodies[i].local_labour = bodies[i].idea_origin = bodies[i].local_identity = true;
        bodies[i].note = "Hồ sơ đầy đủ; nguyên liệu tại địa phương";
        ocop__request__init(&reqs[i]);
        reqs[i].body_case = OCOP__REQUEST__BODY_EVAL_ATTEST;
        reqs[i].eval_attest = &bodies[i];
    }
    int64_t t0 = bench_now_ns();
    if (rc == 0)
        rc = s_pipeline(run->h->shard[0].client, reqs, run->n, OCOP__REPLY__BODY_EVAL_PRODUCT, "attest", NULL);
    r->attest_s = s_since(t0);
    free(bodies);
    free(reqs);
    return rc;
}

/* A province council of BENCH_CASCADE_MEMBERS, its sessions (at most BENCH_CASCADE_SESSION_MAX
 * products each) opened and started with everyone. */
static int s_sessions(s_run_t *run, bench_cascade_result_t *r)
{
    ocop_client_t *c = run->h->shard[0].client;
    const char *province = r->province;
    Ocop__Reply *rep = s_ok(
        harness_council_create(c, OCOP__EVAL_LEVEL__EVAL_LEVEL_PROVINCE, province, province, BENCH_CASCADE_MEMBERS, 0),
        OCOP__REPLY__BODY_EVAL_COUNCIL, "council create");
    if (!rep)
        return -1;
    char council[S_ID_LEN];
    snprintf(council, sizeof council, "%s", rep->eval_council->id);
    harness_replies_free(&rep, 1);
    r->sessions = (run->n + BENCH_CASCADE_SESSION_MAX - 1) / BENCH_CASCADE_SESSION_MAX;
    run->sessions = calloc(r->sessions, sizeof *run->sessions);
    const char **ids = calloc(run->n, sizeof *ids);
    int rc = run->sessions && ids ? 0 : -1;
    for (size_t k = 0; rc == 0 && k < r->sessions; k++) {
        size_t from = run->n * k / r->sessions, to = run->n * (k + 1) / r->sessions;
        for (size_t i = from; i < to; i++) {
            ids[i] = run->p[i].product_id;
            run->session[i] = k;
        }
        rep = s_ok(harness_session_open(c, council, run->today, ids + from, to - from, false),
                   OCOP__REPLY__BODY_EVAL_SESSION, "session open");
        if (!rep) {
            rc = -1;
            break;
        }
        snprintf(run->sessions[k], sizeof run->sessions[k], "%s", rep->eval_session->id);
        snprintf(r->policy, sizeof r->policy, "%s", rep->eval_session->policy);
        harness_replies_free(&rep, 1);
        rc = s_expect(harness_session_start(c, run->sessions[k], NULL, BENCH_CASCADE_MEMBERS),
                      OCOP__REPLY__BODY_EVAL_SESSION, "session start");
    }
    free(ids);
    return rc;
}

typedef struct {
    Ocop__Request req;
    Ocop__EvalSheetSubmit body;
} s_sheet_req_t;

/* Every member's sheet for every product, all totalling BENCH_CASCADE_TOTAL, pipelined. */
static int s_sheets(s_run_t *run, bench_cascade_result_t *r)
{
    harness_sheet_t tpl;
    if (harness_sheet_init(&tpl, run->w.rubric, BENCH_CASCADE_TOTAL, false) != 0) {
        harness_sheet_free(&tpl);
        return -1;
    }
    size_t n = run->n * BENCH_CASCADE_MEMBERS;
    s_sheet_req_t *items = calloc(n, sizeof *items);
    Ocop__Request *reqs = calloc(n, sizeof *reqs);
    int rc = items && reqs ? 0 : -1;
    for (size_t i = 0; rc == 0 && i < n; i++) {
        size_t j = i / BENCH_CASCADE_MEMBERS;
        items[i].body = tpl.body;
        items[i].body.session_id = run->sessions[run->session[j]];
        items[i].body.product_id = run->p[j].product_id;
        items[i].body.member_id = (char *)s_members[i % BENCH_CASCADE_MEMBERS];
        items[i].body.phase = 1;
        items[i].body.round = 1;
        ocop__request__init(&reqs[i]);
        reqs[i].body_case = OCOP__REQUEST__BODY_EVAL_SHEET_SUBMIT;
        reqs[i].eval_sheet_submit = &items[i].body;
    }
    int64_t t0 = bench_now_ns();
    if (rc == 0)
        rc = s_pipeline(run->h->shard[0].client, reqs, n, OCOP__REPLY__BODY_EVAL_SHEET_RECEIPT, "sheet", NULL);
    r->sheets_s = s_since(t0);
    free(items);
    free(reqs);
    harness_sheet_free(&tpl);
    return rc;
}

/* Closes every session; each product's certificate from the close reply. */
static int s_close(s_run_t *run, bench_cascade_result_t *r)
{
    int64_t t0 = bench_now_ns();
    for (size_t k = 0; k < r->sessions; k++) {
        Ocop__Reply *rep = s_ok(harness_session_close(run->h->shard[0].client, run->sessions[k], "QĐ bench"),
                                OCOP__REPLY__BODY_EVAL_SESSION, "session close");
        if (!rep)
            return -1;
        const Ocop__EvalSession *s = rep->eval_session;
        int rc = s->state == OCOP__SESSION_STATE__SESSION_STATE_CLOSED ? 0 : -1;
        for (size_t i = 0; rc == 0 && i < s->n_products; i++) {
            size_t at = s_find(run, s->products[i]->product_id);
            if (at == SIZE_MAX || !*s->products[i]->certificate_id) {
                fprintf(stderr, "bench: session %s closed without a certificate for %s (%u stars)\n", s->id,
                        s->products[i]->product_id, s->products[i]->stars);
                rc = -1;
                break;
            }
            snprintf(run->cert[at], sizeof run->cert[at], "%s", s->products[i]->certificate_id);
            r->stars[s->products[i]->stars < 6 ? s->products[i]->stars : 0]++;
        }
        if (rc != 0 && s->state != OCOP__SESSION_STATE__SESSION_STATE_CLOSED)
            fprintf(stderr, "bench: session %s is in state %d after closing\n", s->id, (int)s->state);
        harness_replies_free(&rep, 1);
        if (rc != 0)
            return -1;
    }
    r->close_s = s_since(t0);
    for (size_t i = 0; i < run->n; i++)
        if (!*run->cert[i]) {
            fprintf(stderr, "bench: product %s got no certificate\n", run->p[i].product_id);
            return -1;
        }
    return 0;
}

/* ---------------------------------------------------------------- promotion */

/* Stars promotion knows for the product (0 when none yet), or -1 when no reply came. */
static int s_known_stars(s_run_t *run, const char *product_id)
{
    Ocop__ProProductGet g = OCOP__PRO_PRODUCT_GET__INIT;
    g.product_id = (char *)product_id;
    Ocop__Request req = OCOP__REQUEST__INIT;
    req.body_case = OCOP__REQUEST__BODY_PRO_PRODUCT_GET;
    req.pro_product_get = &g;
    Ocop__Reply *rep = s_call(run->h->promotion.client, &req);
    if (!rep)
        return -1;
    int stars =
        rep->status == OCOP__STATUS__STATUS_OK && rep->pro_certificate_view ? (int)rep->pro_certificate_view->stars : 0;
    harness_replies_free(&rep, 1);
    return stars;
}

/* Waits (bounded) until promotion knows the last product's certificate, then a few others'. */
static int s_wait_known(s_run_t *run, bench_cascade_result_t *r)
{
    int64_t t0 = bench_now_ns();
    size_t probes[] = {run->n - 1, 0, run->n / 4, run->n / 2, 3 * run->n / 4};
    for (size_t k = 0; k < sizeof probes / sizeof *probes; k++) {
        const char *id = run->p[probes[k]].product_id;
        int stars;
        while ((stars = s_known_stars(run, id)) < 3) {
            if (stars < 0 || s_since(t0) * 1000 > S_KNOWN_WAIT_MS) {
                fprintf(stderr, "bench: promotion %s product %s's certificate\n",
                        stars < 0 ? "did not answer about" : "never learnt", id);
                harness_file_tail(run->h->promotion.log_path, 3000);
                return -1;
            }
            s_sleep_ms(20);
        }
    }
    r->known_s = s_since(t0);
    return 0;
}

static int s_fair_create(s_run_t *run, const bench_cascade_result_t *r)
{
    char start[OCOP_DATE_LEN];
    ocop_date_add_months(run->today, 1, start);
    Ocop__ProFairCreate f = OCOP__PRO_FAIR_CREATE__INIT;
    char *types[] = {"standard"};
    f.name = "Hội chợ OCOP (bench)";
    f.organiser = "Sở Công Thương";
    f.province_code = (char *)r->province;
    f.venue = "Trung tâm Hội chợ Triển lãm";
    f.start = start;
    f.end = start;
    f.booths = (uint32_t)r->booths;
    f.booth_types = types;
    f.n_booth_types = 1;
    f.strategy = "";
    Ocop__Request req = OCOP__REQUEST__INIT;
    req.body_case = OCOP__REQUEST__BODY_PRO_FAIR_CREATE;
    req.pro_fair_create = &f;
    Ocop__Reply *rep = s_ok(s_call(run->h->promotion.client, &req), OCOP__REPLY__BODY_PRO_FAIR, "fair create");
    if (!rep)
        return -1;
    snprintf(run->fair, sizeof run->fair, "%s", rep->pro_fair->id);
    harness_replies_free(&rep, 1);
    return 0;
}

static int s_apply(s_run_t *run, bench_cascade_result_t *r)
{
    Ocop__ProApply *bodies = calloc(run->n, sizeof *bodies);
    Ocop__Request *reqs = calloc(run->n, sizeof *reqs);
    int rc = bodies && reqs ? 0 : -1;
    for (size_t i = 0; rc == 0 && i < run->n; i++) {
        ocop__pro_apply__init(&bodies[i]);
        bodies[i].fair_id = run->fair;
        bodies[i].product_id = run->p[i].product_id;
        bodies[i].entity_id = run->p[i].entity_id;
        ocop__request__init(&reqs[i]);
        reqs[i].body_case = OCOP__REQUEST__BODY_PRO_APPLY;
        reqs[i].pro_apply = &bodies[i];
    }
    int64_t t0 = bench_now_ns();
    if (rc == 0)
        rc = s_pipeline(run->h->promotion.client, reqs, run->n, OCOP__REPLY__BODY_PRO_APPLICATION, "apply", NULL);
    r->apply_s = s_since(t0);
    free(bodies);
    free(reqs);
    return rc;
}

static int s_allocate(s_run_t *run, bench_cascade_result_t *r)
{
    Ocop__ProAllocate al = OCOP__PRO_ALLOCATE__INIT;
    al.fair_id = run->fair;
    Ocop__Request req = OCOP__REQUEST__INIT;
    req.body_case = OCOP__REQUEST__BODY_PRO_ALLOCATE;
    req.pro_allocate = &al;
    int64_t t0 = bench_now_ns();
    Ocop__Reply *rep = s_ok(s_call(run->h->promotion.client, &req), OCOP__REPLY__BODY_PRO_APPLICATION_PAGE, "allocate");
    r->allocate_s = s_since(t0);
    if (!rep)
        return -1;
    const Ocop__ProApplicationPage *page = rep->pro_application_page;
    size_t booked = 0, waiting = 0, other = 0;
    for (size_t i = 0; i < page->n_applications; i++) {
        const Ocop__ProApplication *app = page->applications[i];
        size_t at = s_find(run, app->product_id);
        if (at == SIZE_MAX) {
            other++;
            continue;
        }
        if (app->state == OCOP__APPLICATION_STATE__APPLICATION_STATE_BOOKED) {
            run->booth[at] = app->booth;
            booked++;
        } else if (app->state == OCOP__APPLICATION_STATE__APPLICATION_STATE_WAITING) {
            run->rank[at] = app->waiting_rank;
            waiting++;
        } else {
            other++;
        }
    }
    harness_replies_free(&rep, 1);
    if (booked != r->booths || waiting != r->waiting || other != 0) {
        fprintf(stderr,
                "bench: the allocation booked %zu and put %zu on the waiting list (%zu other), not %zu and %zu\n",
                booked, waiting, other, r->booths, r->waiting);
        return -1;
    }
    return 0;
}

/* ---------------------------------------------------------------- the cascade */

static Ocop__Reply *s_applications(s_run_t *run)
{
    Ocop__ProApplicationsGet g = OCOP__PRO_APPLICATIONS_GET__INIT;
    g.fair_id = run->fair;
    Ocop__Request req = OCOP__REQUEST__INIT;
    req.body_case = OCOP__REQUEST__BODY_PRO_APPLICATIONS_GET;
    req.pro_applications_get = &g;
    return s_ok(s_call(run->h->promotion.client, &req), OCOP__REPLY__BODY_PRO_APPLICATION_PAGE, "applications get");
}

/* Counts the page into r; true when every victim is cancelled and the booths are refilled. */
static bool s_settled(const s_run_t *run, const Ocop__ProApplicationPage *page, bench_cascade_result_t *r)
{
    size_t victims_cancelled = 0;
    r->booked = r->waiting_left = r->cancelled = 0;
    for (size_t i = 0; i < page->n_applications; i++) {
        const Ocop__ProApplication *app = page->applications[i];
        size_t at = s_find(run, app->product_id);
        r->booked += app->state == OCOP__APPLICATION_STATE__APPLICATION_STATE_BOOKED;
        r->waiting_left += app->state == OCOP__APPLICATION_STATE__APPLICATION_STATE_WAITING;
        r->cancelled += app->state == OCOP__APPLICATION_STATE__APPLICATION_STATE_CANCELLED;
        victims_cancelled +=
            at != SIZE_MAX && run->victim[at] && app->state == OCOP__APPLICATION_STATE__APPLICATION_STATE_CANCELLED;
    }
    return victims_cancelled == r->revocations && r->booked == r->expect_booked &&
           r->waiting_left == r->waiting - r->expect_promoted;
}

static void s_wrong(size_t *bad, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void s_wrong(size_t *bad, const char *fmt, ...)
{
    if ((*bad)++ >= S_ERRORS_SHOWN)
        return;
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "bench: final state: ");
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
}

/* Application by application: victims cancelled for the revocation, the others booked where they
 * were, the first expect_promoted of the waiting list booked in a freed booth, the rest still
 * waiting, no booth twice. 0 / -1. */
static int s_check_final(const s_run_t *run, const Ocop__ProApplicationPage *page, bench_cascade_result_t *r)
{
    size_t bad = 0;
    bool *taken = calloc(r->booths + 1, sizeof *taken);
    if (!taken)
        return -1;
    if (page->n_applications != run->n)
        s_wrong(&bad, "%zu applications, not %zu", page->n_applications, run->n);
    if (page->fair->booked != r->expect_booked || page->fair->waiting != r->waiting - r->expect_promoted)
        s_wrong(&bad, "the fair counts %u booked and %u waiting, not %zu and %zu", page->fair->booked,
                page->fair->waiting, r->expect_booked, r->waiting - r->expect_promoted);
    r->promoted_rank_ok = 0;
    for (size_t i = 0; i < page->n_applications; i++) {
        const Ocop__ProApplication *app = page->applications[i];
        size_t at = s_find(run, app->product_id);
        bool is_booked = app->state == OCOP__APPLICATION_STATE__APPLICATION_STATE_BOOKED;
        if (at == SIZE_MAX) {
            s_wrong(&bad, "%s: unknown product %s", app->id, app->product_id);
            continue;
        }
        if (is_booked) {
            if (app->booth == 0 || app->booth > r->booths || taken[app->booth])
                s_wrong(&bad, "%s (%s): booth %u given twice or out of range (%zu booths)", app->id, app->product_id,
                        app->booth, r->booths);
            else
                taken[app->booth] = true;
        }
        if (run->victim[at]) {
            if (app->state != OCOP__APPLICATION_STATE__APPLICATION_STATE_CANCELLED || !strstr(app->reason, "revoked"))
                s_wrong(&bad, "%s (%s): revoked but in state %d (booth %u)", app->id, app->product_id, (int)app->state,
                        app->booth);
        } else if (run->booth[at]) {
            if (!is_booked || app->booth != run->booth[at])
                s_wrong(&bad, "%s (%s): lost or changed booth %u (state %d, booth %u)", app->id, app->product_id,
                        run->booth[at], (int)app->state, app->booth);
        } else if (run->rank[at] <= r->expect_promoted) {
            /* The victims held booths 1..revocations. */
            if (!is_booked || app->booth > r->revocations)
                s_wrong(&bad, "%s (%s): waiting rank %u not promoted into a freed booth (booth %u)", app->id,
                        app->product_id, run->rank[at], app->booth);
            else
                r->promoted_rank_ok++;
        } else if (app->state != OCOP__APPLICATION_STATE__APPLICATION_STATE_WAITING) {
            s_wrong(&bad, "%s (%s): waiting rank %u left the list (state %d)", app->id, app->product_id, run->rank[at],
                    (int)app->state);
        }
    }
    free(taken);
    if (bad)
        fprintf(stderr, "bench: final state: %zu things wrong\n", bad);
    return bad ? -1 : 0;
}

/* ---------------------------------------------------------------- events */

typedef struct {
    size_t cancelled, promoted, ended;
    int64_t *times; /* time_ms of cancellations and promotions */
    size_t n_times, cap;
    int64_t last_ended_ms;
} s_tally_t;

static int s_tally_event(s_tally_t *t, const Ocop__Event *ev)
{
    bool cascade = ev->body_case == OCOP__EVENT__BODY_PRO_BOOKING_CANCELLED ||
                   ev->body_case == OCOP__EVENT__BODY_PRO_PROMOTED_FROM_WAITING;
    t->cancelled += ev->body_case == OCOP__EVENT__BODY_PRO_BOOKING_CANCELLED;
    t->promoted += ev->body_case == OCOP__EVENT__BODY_PRO_PROMOTED_FROM_WAITING;
    if (ev->body_case == OCOP__EVENT__BODY_EVAL_CERTIFICATE_ENDED) {
        t->ended++;
        t->last_ended_ms = ev->time_ms > t->last_ended_ms ? ev->time_ms : t->last_ended_ms;
    }
    if (!cascade)
        return 0;
    if (t->n_times == t->cap) {
        size_t cap = t->cap ? 2 * t->cap : 1024;
        int64_t *grown = realloc(t->times, cap * sizeof *grown);
        if (!grown)
            return -1;
        t->times = grown;
        t->cap = cap;
    }
    t->times[t->n_times++] = ev->time_ms;
    return 0;
}

/* Every committed event of the service behind c from sequence `from`, tallied. 0 / -1. */
static int s_events(ocop_client_t *c, uint64_t from, s_tally_t *t, const char *what)
{
    for (;;) {
        Ocop__EventsFrom ef = OCOP__EVENTS_FROM__INIT;
        ef.from_sequence = from;
        ef.max = S_EVENTS_PAGE;
        Ocop__Request req = OCOP__REQUEST__INIT;
        req.body_case = OCOP__REQUEST__BODY_EVENTS_FROM;
        req.events_from = &ef;
        Ocop__Reply *rep = s_ok(s_call(c, &req), OCOP__REPLY__BODY_EVENTS, what);
        if (!rep)
            return -1;
        size_t n = rep->events->n_events;
        uint64_t last = rep->events->last_sequence;
        int rc = 0;
        for (size_t i = 0; rc == 0 && i < n; i++) {
            Ocop__Event *ev = ocop__event__unpack(NULL, rep->events->events[i].len, rep->events->events[i].data);
            if (!ev) {
                fprintf(stderr, "bench: %s: an event that does not unpack\n", what);
                rc = -1;
                break;
            }
            from = ev->sequence + 1;
            rc = s_tally_event(t, ev);
            ocop__event__free_unpacked(ev, NULL);
        }
        harness_replies_free(&rep, 1);
        if (rc != 0)
            return -1;
        if (n == 0 || from > last)
            return 0;
    }
}

static int s_cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

/* ---------------------------------------------------------------- the timed part */

static int s_cascade(s_run_t *run, bench_cascade_result_t *r)
{
    ocop_client_t *shard = run->h->shard[0].client;
    Ocop__EvalCertificateRevoke *bodies = calloc(r->revocations, sizeof *bodies);
    Ocop__Request *reqs = calloc(r->revocations, sizeof *reqs);
    if (!bodies || !reqs) {
        free(bodies);
        free(reqs);
        return -1;
    }
    /* The victims: the products in booths 1..revocations. */
    size_t k = 0;
    for (size_t i = 0; i < run->n; i++)
        if (run->booth[i] && run->booth[i] <= r->revocations) {
            run->victim[i] = true;
            ocop__eval_certificate_revoke__init(&bodies[k]);
            bodies[k].id = run->cert[i];
            bodies[k].reason = OCOP__REVOCATION_REASON__REVOCATION_REASON_FOOD_SAFETY;
            bodies[k].note = "bench: phát hiện vi phạm an toàn thực phẩm";
            ocop__request__init(&reqs[k]);
            reqs[k].body_case = OCOP__REQUEST__BODY_EVAL_CERTIFICATE_REVOKE;
            reqs[k].eval_certificate_revoke = &bodies[k];
            k++;
        }
    int64_t seq0 = harness_shard_last_sequence(run->h, 0);
    int64_t pro_cpu0 = bench_process_cpu_ns(run->h->promotion.pid),
            shard_cpu0 = bench_process_cpu_ns(run->h->shard[0].pid);
    int rc = k == r->revocations && seq0 >= 0 ? 0 : -1;
    if (rc != 0)
        fprintf(stderr, "bench: %zu products in booths 1..%zu (shard sequence %lld)\n", k, r->revocations,
                (long long)seq0);
    /* Timed from here. */
    int64_t wall0 = harness_wall_ms(), t0 = bench_now_ns(), t_rev = t0;
    if (rc == 0)
        rc = s_pipeline(shard, reqs, k, OCOP__REPLY__BODY_EVAL_CERTIFICATE, "revoke", &t_rev);
    r->revoke_s = (double)(t_rev - t0) / 1e9;
    free(bodies);
    free(reqs);
    Ocop__Reply *page = NULL;
    while (rc == 0) {
        Ocop__Reply *rep = s_applications(run);
        int64_t seen = bench_now_ns();
        r->polls++;
        if (!rep) {
            rc = -1;
            break;
        }
        if (s_settled(run, rep->pro_application_page, r)) {
            r->observed_s = (double)(seen - t0) / 1e9;
            page = rep;
            break;
        }
        harness_replies_free(&rep, 1);
        if ((seen - t0) / 1000000 > S_CASCADE_WAIT_MS) {
            fprintf(stderr,
                    "bench: after %d s the fair has %zu booked, %zu waiting, %zu cancelled (want %zu booked, "
                    "%zu waiting, %zu cancelled)\n",
                    S_CASCADE_WAIT_MS / 1000, r->booked, r->waiting_left, r->cancelled, r->expect_booked,
                    r->waiting - r->expect_promoted, r->revocations);
            harness_file_tail(run->h->promotion.log_path, 3000);
            rc = -1;
            break;
        }
        s_sleep_ms(r->poll_ms);
    }
    int64_t pro_cpu1 = bench_process_cpu_ns(run->h->promotion.pid),
            shard_cpu1 = bench_process_cpu_ns(run->h->shard[0].pid);
    r->promotion_cpu_s = (double)(pro_cpu1 - pro_cpu0) / 1e9;
    r->shard_cpu_s = (double)(shard_cpu1 - shard_cpu0) / 1e9;
    if (rc == 0)
        rc = s_check_final(run, page->pro_application_page, r);
    if (page)
        harness_replies_free(&page, 1);
    /* What the services recorded, by their own clocks. */
    s_tally_t pro = {0}, ev = {0};
    if (rc == 0)
        rc = s_events(run->h->promotion.client, 1, &pro, "promotion events");
    if (rc == 0)
        rc = s_events(shard, (uint64_t)seq0 + 1, &ev, "shard events");
    if (rc == 0) {
        r->cancelled_events = pro.cancelled;
        r->promoted_events = pro.promoted;
        r->ended_events = ev.ended;
        r->ended_s = (double)(ev.last_ended_ms - wall0) / 1000.0;
        qsort(pro.times, pro.n_times, sizeof *pro.times, s_cmp_i64);
        for (size_t i = 0; i < pro.n_times; i++)
            r->rounds += i == 0 || pro.times[i] != pro.times[i - 1];
        if (pro.n_times) {
            r->first_cancel_s = (double)(pro.times[0] - wall0) / 1000.0;
            r->last_event_s = (double)(pro.times[pro.n_times - 1] - wall0) / 1000.0;
            r->round_gap_ms =
                r->rounds > 1 ? (double)(pro.times[pro.n_times - 1] - pro.times[0]) / (double)(r->rounds - 1) : 0;
        }
        if (pro.cancelled != r->revocations || pro.promoted != r->expect_promoted || ev.ended != r->revocations) {
            fprintf(stderr,
                    "bench: events: %zu ProBookingCancelled, %zu ProPromotedFromWaiting, %zu "
                    "EvalCertificateEnded (want %zu, %zu, %zu)\n",
                    pro.cancelled, pro.promoted, ev.ended, r->revocations, r->expect_promoted, r->revocations);
            rc = -1;
        }
    }
    free(pro.times);
    free(ev.times);
    return rc;
}

/* ---------------------------------------------------------------- the run */

int bench_cascade_run(const bench_cascade_args_t *a, bench_cascade_result_t *r)
{
    memset(r, 0, sizeof *r);
    if (a->waiting >= a->products || a->revocations == 0 || a->revocations > a->products - a->waiting) {
        fprintf(stderr, "bench: %zu products with %zu waiting leave %zu booths: cannot revoke %zu booked products\n",
                a->products, a->waiting, a->products - a->waiting, a->revocations);
        return -1;
    }
    r->products = a->products;
    r->waiting = a->waiting;
    r->booths = a->products - a->waiting;
    r->revocations = a->revocations;
    r->poll_ms = a->poll_ms;
    r->expect_promoted = a->revocations < a->waiting ? a->revocations : a->waiting;
    r->expect_booked = r->booths - r->revocations + r->expect_promoted;
    s_run_t *run = calloc(1, sizeof *run);
    if (!run)
        return -1;
    char rules[HARNESS_PATH_MAX];
    harness_rules_dir("registration", rules, sizeof rules);
    int rc = bench_eval_world_load(&run->w, rules);
    size_t n = run->n = a->products;
    run->p = calloc(n, sizeof *run->p);
    run->cert = calloc(n, sizeof *run->cert);
    run->order = calloc(n, sizeof *run->order);
    run->session = calloc(n, sizeof *run->session);
    run->booth = calloc(n, sizeof *run->booth);
    run->rank = calloc(n, sizeof *run->rank);
    run->victim = calloc(n, sizeof *run->victim);
    if (rc == 0 && (!run->p || !run->cert || !run->order || !run->session || !run->booth || !run->rank || !run->victim))
        rc = -1;
    if (rc == 0) {
        const bench_eval_province_t *pv = &run->w.provinces[0];
        snprintf(r->province, sizeof r->province, "%s", pv->code);
        r->communes = pv->n_communes;
        snprintf(r->rubric, sizeof r->rubric, "%s/%s", run->w.rubric->instrument, run->w.rubric->product_set);
        snprintf(run->today, sizeof run->today, "%s", run->w.today);
        harness_options_t opts = {.shards = 1, .shard_provinces = {pv->code}, .promotion = 1};
        run->h = harness_deploy(&opts);
        rc = run->h ? 0 : -1;
    }
    const char *step = "deploy";
    if (rc == 0 && (rc = s_make_ready(run, a, r)) != 0)
        step = "make ready";
    if (rc == 0 && (rc = s_attest(run, r)) != 0)
        step = "attest";
    if (rc == 0 && (rc = s_sessions(run, r)) != 0)
        step = "sessions";
    if (rc == 0 && (rc = s_sheets(run, r)) != 0)
        step = "sheets";
    if (rc == 0 && (rc = s_close(run, r)) != 0)
        step = "close";
    if (rc == 0 && (rc = s_wait_known(run, r)) != 0)
        step = "certificates reaching promotion";
    if (rc == 0 && (rc = s_fair_create(run, r)) != 0)
        step = "fair create";
    if (rc == 0 && (rc = s_apply(run, r)) != 0)
        step = "apply";
    if (rc == 0 && (rc = s_allocate(run, r)) != 0)
        step = "allocate";
    if (rc == 0) {
        printf("  setup: %zu products ready %.2f s, known to the shard %.2f s, attested %.2f s, %zu sheets %.2f s, "
               "%zu session%s closed %.2f s, known to promotion %.2f s, applied %.2f s, allocated %.3f s\n",
               n, r->ready_s, r->replica_s, r->attest_s, n * BENCH_CASCADE_MEMBERS, r->sheets_s, r->sessions,
               r->sessions > 1 ? "s" : "", r->close_s, r->known_s, r->apply_s, r->allocate_s);
        fflush(stdout);
        if ((rc = s_cascade(run, r)) != 0)
            step = "cascade";
    }
    if (rc != 0)
        fprintf(stderr, "bench: the cascade run failed at: %s\n", step);
    harness_destroy(&run->h);
    bench_eval_world_free(&run->w);
    free(run->p);
    free(run->cert);
    free(run->order);
    free(run->session);
    free(run->booth);
    free(run->rank);
    free(run->victim);
    free(run->sessions);
    free(run);
    return rc;
}

/* ---------------------------------------------------------------- the report */

static double s_rate(size_t n, double s)
{
    return s > 0 ? (double)n / s : 0;
}

static double s_per(size_t n, size_t d)
{
    return d ? (double)n / (double)d : 0;
}

void bench_cascade_print(const bench_cascade_result_t *r, FILE *f)
{
    fprintf(f, "cascade: %zu revocations of booked products (fair of %zu booths, %zu applications, %zu waiting)\n",
            r->revocations, r->booths, r->products, r->waiting);
    fprintf(f, "  revocation replies from the shard      %7.3f s  (%.0f revocations/s)\n", r->revoke_s,
            s_rate(r->revocations, r->revoke_s));
    fprintf(f, "  shard's last CertificateEnded event    %7.3f s\n", r->ended_s);
    fprintf(f, "  promotion's first cancellation event   %7.3f s\n", r->first_cancel_s);
    fprintf(f, "  promotion's last cascade event         %7.3f s\n", r->last_event_s);
    fprintf(f, "  final state observed (%u ms polls, %zu) %7.3f s  (%.0f revocations/s end to end)\n", r->poll_ms,
            r->polls, r->observed_s, s_rate(r->revocations, r->observed_s));
    fprintf(f,
            "  events: %zu EvalCertificateEnded, %zu ProBookingCancelled, %zu ProPromotedFromWaiting; %zu cascade "
            "rounds, %.0f ms apart on average\n",
            r->ended_events, r->cancelled_events, r->promoted_events, r->rounds, r->round_gap_ms);
    fprintf(f, "  CPU meanwhile: promotion %.2f s, shard %.2f s\n", r->promotion_cpu_s, r->shard_cpu_s);
    fprintf(f,
            "  final: %zu booked (want %zu), %zu waiting, %zu cancelled; the first %zu of the waiting list in freed "
            "booths\n",
            r->booked, r->expect_booked, r->waiting_left, r->cancelled, r->promoted_rank_ok);
}

void bench_cascade_markdown(const bench_cascade_result_t *r, bench_text_t *md)
{
    double propagation = r->observed_s - r->revoke_s;
    char gap[64] = "one only";
    if (r->rounds > 1)
        snprintf(gap, sizeof gap, "%.0f ms apart on average", r->round_gap_ms);
    /* Promotion busy for less than a quarter of the cascade: the time goes in waiting. */
    bool idle = r->last_event_s > 0 && r->promotion_cpu_s < r->last_event_s / 4;
    bench_text_printf(md, "### The cascade of %zu revocations on the running services\n\n", r->revocations);
    bench_text_printf(
        md,
        "What it measures: ocop-registration, one ocop-evaluation shard (province %s, products spread over %zu of "
        "its communes) and ocop-promotion, started by the integration-test harness on loopback. %zu products of "
        "%zu producers are registered and made ready, attested (policy %s), scored %.0f by each of the %d members "
        "of a province council (rubric %s) in %zu session%s and certified (%zu at 4★); once promotion knows every "
        "certificate, all of them apply to one fair of %zu booths, allocated by `fair-share` (%zu booked, %zu "
        "waiting). Then the certificates of the %zu products in booths 1–%zu are revoked on the shard "
        "(`EvalCertificateRevoke`, pipelined, %d in flight), and the fair's applications are read every %u ms "
        "until every revoked product's application is cancelled and every freed booth the waiting list can fill is "
        "filled. Times are from the first revocation sent; the event times are the services' own clocks (the "
        "start of the request that emitted them).\n\n",
        r->province, r->communes, r->products, r->products, r->policy, BENCH_CASCADE_TOTAL, BENCH_CASCADE_MEMBERS,
        r->rubric, r->sessions, r->sessions > 1 ? "s" : "", r->stars[4], r->booths, r->booths, r->waiting,
        r->revocations, r->revocations, S_WINDOW, r->poll_ms);
    bench_text_printf(md,
                      "| result | |\n|---|---|\n"
                      "| **%zu revocations cascaded** (first revocation sent → final state observed) | **%.2f s**, "
                      "%.0f revocations/s |\n"
                      "| the revocation requests (first sent → last reply from the shard) | %.3f s, %.0f/s |\n"
                      "| propagation through promotion (last reply → final state observed) | %.2f s |\n"
                      "| shard's last `EvalCertificateEnded` event | %.3f s |\n"
                      "| promotion's first `ProBookingCancelled` event | %.3f s |\n"
                      "| promotion's last cancellation or promotion event | %.3f s |\n"
                      "| events | %zu `ProBookingCancelled`, %zu `ProPromotedFromWaiting` (%zu `EvalCertificateEnded` "
                      "on the shard) |\n"
                      "| cascade requests that cancelled something (distinct event times) | %zu, %.0f products "
                      "each on average, %s |\n"
                      "| CPU meanwhile | promotion %.2f s (serving the %zu reads of the fair too), shard %.2f s |\n"
                      "| the fair at the end | %zu booked (booths − %zu), %zu waiting, %zu cancelled — checked "
                      "application by application: revoked ones cancelled, the others in their booths, the first "
                      "%zu of the waiting list in freed booths, no booth twice |\n\n",
                      r->revocations, r->observed_s, s_rate(r->revocations, r->observed_s), r->revoke_s,
                      s_rate(r->revocations, r->revoke_s), propagation, r->ended_s, r->first_cancel_s, r->last_event_s,
                      r->cancelled_events, r->promoted_events, r->ended_events, r->rounds,
                      s_per(r->cancelled_events, r->rounds), gap, r->promotion_cpu_s, r->polls, r->shard_cpu_s,
                      r->booked, r->booths - r->booked, r->waiting_left, r->cancelled, r->promoted_rank_ok);
    bench_text_printf(
        md,
        "Reading the figures: the shard answers the revocations in %.0f ms; the rest is promotion. It learns "
        "the ended certificates from the shard's events and marks the products, and its feed's tick (`s_tick` in "
        "`services/promotion/pro_main.c`) sends it one `ProCascadeDue` per tick, which acts on a bounded batch of "
        "marks (`pro_cascade.c`). Here that made %zu round%s of %.0f products on average, the first %.0f ms after "
        "the first revocation was sent%s%s; promotion used %.2f s of CPU in the %.2f s up to its last event (its reads "
        "of the fair included)%s. The end-to-end figure includes up to one polling interval (%u ms) of "
        "observation lag; promotion's last event time does not.\n\n",
        r->revoke_s * 1000, r->rounds, r->rounds == 1 ? "" : "s", s_per(r->cancelled_events, r->rounds),
        r->first_cancel_s * 1000, r->rounds > 1 ? ", then " : "", r->rounds > 1 ? gap : "", r->promotion_cpu_s,
        r->last_event_s, idle ? ": the cascade's time is spent waiting for the next tick, not working" : "",
        r->poll_ms);
    bench_text_printf(md,
                      "Setting up (not part of the cascade's time): registration %.0f ms, the shard learning the "
                      "products %.0f ms more, attestation %.0f ms, %zu sheets %.0f ms, closing %.0f ms, promotion "
                      "learning the certificates %.0f ms more, %zu applications %.0f ms, allocation %.0f ms.\n\n",
                      r->ready_s * 1000, r->replica_s * 1000, r->attest_s * 1000, r->products * BENCH_CASCADE_MEMBERS,
                      r->sheets_s * 1000, r->close_s * 1000, r->known_s * 1000, r->products, r->apply_s * 1000,
                      r->allocate_s * 1000);
}
