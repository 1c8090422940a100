/* Integration: trade promotion on registration, an evaluation shard and ocop-promotion. Products
 * rated by a council apply to a fair (only with a valid 3★+ certificate, only their producer,
 * once), booths are allocated by the fair's strategy, and a revoked certificate cancels the
 * product's booking and listing by itself and hands the booth to the waiting list — every step an
 * event. Plans are submitted by their own province only, and the calendar warns of overlaps. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "harness.h"
#include "harness_eval.h"
#include "itest_assert.h"
#include "ocop_date.h"

#define S_N 6
#define S_ST(x) OCOP__STATUS__STATUS_##x
#define S_APP(x) OCOP__APPLICATION_STATE__APPLICATION_STATE_##x

static struct {
    harness_t *h;
    harness_data_t data;
    eval_rubrics_t *rubrics;
    harness_ready_t p[S_N];
    char cert[S_N][32];
    char fair[32], start[OCOP_DATE_LEN], end[OCOP_DATE_LEN], today[OCOP_DATE_LEN];
} W;

static ocop_client_t *s_pro(void)
{
    return W.h->promotion.client;
}

static int s_setup(void **state)
{
    (void)state;
    if (harness_data_load_registration(&W.data) != 0)
        return -1;
    harness_options_t opts = {.shards = 1, .shard_provinces = {W.data.province_a}, .promotion = 1};
    W.h = harness_deploy(&opts);
    W.rubrics = harness_rubrics_load();
    ocop_day_of(harness_wall_ms(), W.today);
    return W.h && W.rubrics ? 0 : -1;
}

static int s_teardown(void **state)
{
    (void)state;
    eval_rubrics_destroy(&W.rubrics);
    harness_destroy(&W.h);
    return 0;
}

static void s_sleep_ms(int ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

static Ocop__Reply *s_call(ocop_client_t *c, Ocop__Request *req)
{
    Ocop__Reply *r;
    req->request_id = "";
    return harness_call(c, req, &r) == 0 ? r : NULL;
}

/* Products rated by a province council: means 60, 75, 80, 65, 85, 55 (all certified). */
static void test_rated_products_reach_promotion(void **state)
{
    (void)state;
    size_t entity_of[S_N];
    for (size_t i = 0; i < S_N; i++) {
        snprintf(W.p[i].commune, sizeof W.p[i].commune, "%s", W.data.communes[i % 3]);
        snprintf(W.p[i].catalogue, sizeof W.p[i].catalogue, "%s", W.data.catalogue_version);
        snprintf(W.p[i].sector, sizeof W.p[i].sector, "%s", i % 2 ? W.data.sector : W.data.sector_b);
        snprintf(W.p[i].product_set, sizeof W.p[i].product_set, "%s",
                 i % 2 ? W.data.product_set : W.data.product_set_b);
        entity_of[i] = i;
    }
    assert_int_equal(harness_make_ready(W.h->client, W.p, entity_of, S_N, 77), 0);
    ocop_client_t *c = W.h->shard[0].client;
    const char *ids[S_N];
    for (size_t i = 0; i < S_N; i++) {
        ids[i] = W.p[i].product_id;
        assert_int_equal(harness_shard_wait_product(W.h, 0, ids[i]), 0);
        Ocop__EvalAttest a = OCOP__EVAL_ATTEST__INIT;
        a.product_id = W.p[i].product_id;
        Ocop__Request req = OCOP__REQUEST__INIT;
        req.body_case = OCOP__REQUEST__BODY_EVAL_ATTEST;
        req.eval_attest = &a;
        Ocop__Reply *r = s_call(c, &req);
        ITEST_ASSERT_OK(r);
        ITEST_FREE(r);
    }
    Ocop__Reply *r =
        harness_council_create(c, OCOP__EVAL_LEVEL__EVAL_LEVEL_PROVINCE, W.data.province_a, W.data.province_a, 3, 0);
    ITEST_ASSERT_OK(r);
    char council[32], session[32];
    snprintf(council, sizeof council, "%s", r->eval_council->id);
    ITEST_FREE(r);
    r = harness_session_open(c, council, W.today, ids, S_N, false);
    ITEST_ASSERT_OK(r);
    snprintf(session, sizeof session, "%s", r->eval_session->id);
    ITEST_FREE(r);
    r = harness_session_start(c, session, NULL, 3);
    ITEST_ASSERT_OK(r);
    ITEST_FREE(r);
    static const double totals[S_N] = {60, 75, 80, 65, 85, 55};
    static const char *const members[] = {"m1", "m2", "m3"};
    for (size_t i = 0; i < S_N; i++) {
        const eval_rubric_t *rubric = eval_rubrics_find(W.rubrics, W.p[i].catalogue, W.p[i].product_set);
        assert_non_null(rubric);
        for (int m = 0; m < 3; m++) {
            harness_sheet_t sheet;
            assert_int_equal(harness_sheet_init(&sheet, rubric, totals[i], NULL), 0);
            harness_sheet_address(&sheet, session, ids[i], members[m], 1, 1);
            r = s_call(c, &sheet.req);
            ITEST_ASSERT_OK(r);
            ITEST_FREE(r);
            harness_sheet_free(&sheet);
        }
    }
    r = harness_session_close(c, session, "QĐ 77/QĐ-UBND");
    ITEST_ASSERT_OK(r);
    for (size_t i = 0; i < r->eval_session->n_products; i++)
        for (size_t k = 0; k < S_N; k++)
            if (strcmp(r->eval_session->products[i]->product_id, ids[k]) == 0)
                snprintf(W.cert[k], sizeof W.cert[k], "%s", r->eval_session->products[i]->certificate_id);
    ITEST_FREE(r);
    /* Promotion learns the certificates from evaluation's events. */
    for (size_t i = 0; i < S_N; i++) {
        uint32_t stars = 0;
        for (int t = 0; t < 400 && stars < 3; t++) {
            Ocop__ProProductGet g = OCOP__PRO_PRODUCT_GET__INIT;
            g.product_id = W.p[i].product_id;
            Ocop__Request req = OCOP__REQUEST__INIT;
            req.body_case = OCOP__REQUEST__BODY_PRO_PRODUCT_GET;
            req.pro_product_get = &g;
            r = s_call(s_pro(), &req);
            assert_non_null(r);
            stars = r->status == OCOP__STATUS__STATUS_OK ? r->pro_certificate_view->stars : 0;
            ITEST_FREE(r);
            if (stars < 3)
                s_sleep_ms(50);
        }
        assert_true(stars >= 3);
    }
}

/* The promotion service's last event sequence: a refused request must leave it where it was. */
static int64_t s_seq(void)
{
    Ocop__Ping ping = OCOP__PING__INIT;
    Ocop__Request req = OCOP__REQUEST__INIT;
    req.body_case = OCOP__REQUEST__BODY_PING;
    req.ping = &ping;
    Ocop__Reply *r = s_call(s_pro(), &req);
    int64_t seq = r && r->pong ? (int64_t)r->pong->last_sequence : -1;
    ITEST_FREE(r);
    return seq;
}

/* A refusal with its code and field, and no event written. */
#define S_REFUSED(call, status, field)                                                                                 \
    do {                                                                                                               \
        int64_t before_ = s_seq();                                                                                     \
        Ocop__Reply *refused_ = (call);                                                                                \
        ITEST_ASSERT_ERROR(refused_, S_ST(status), field);                                                             \
        ITEST_FREE(refused_);                                                                                          \
        assert_int_equal(s_seq(), before_);                                                                            \
    } while (0)

static Ocop__Reply *s_fair(const char *province, const char *start, const char *end, uint32_t booths,
                           const char *strategy)
{
    Ocop__ProFairCreate f = OCOP__PRO_FAIR_CREATE__INIT;
    char *types[] = {"standard", "corner"};
    f.name = "Hội chợ OCOP mùa Xuân";
    f.organiser = "Sở Công Thương";
    f.province_code = (char *)province;
    f.venue = "Trung tâm Hội chợ Triển lãm";
    f.start = (char *)start;
    f.end = (char *)end;
    f.booths = booths;
    f.booth_types = types;
    f.n_booth_types = 2;
    f.strategy = (char *)strategy;
    Ocop__Request req = OCOP__REQUEST__INIT;
    req.body_case = OCOP__REQUEST__BODY_PRO_FAIR_CREATE;
    req.pro_fair_create = &f;
    return s_call(s_pro(), &req);
}

static Ocop__Reply *s_apply(const char *fair, size_t product, size_t entity_of)
{
    Ocop__ProApply a = OCOP__PRO_APPLY__INIT;
    a.fair_id = (char *)fair;
    a.product_id = W.p[product].product_id;
    a.entity_id = W.p[entity_of].entity_id;
    Ocop__Request req = OCOP__REQUEST__INIT;
    req.body_case = OCOP__REQUEST__BODY_PRO_APPLY;
    req.pro_apply = &a;
    return s_call(s_pro(), &req);
}

static void test_fairs_and_applications(void **state)
{
    (void)state;
    ocop_date_add_months(W.today, 1, W.start);
    ocop_date_add_months(W.today, 2, W.end);
    S_REFUSED(s_fair(W.data.province_a, W.end, W.start, 3, ""), INVALID, "end");
    S_REFUSED(s_fair(W.data.province_a, W.start, W.end, 0, ""), INVALID, "booths");
    S_REFUSED(s_fair("ZZ", W.start, W.end, 3, ""), INVALID, "province_code");
    S_REFUSED(s_fair(W.data.province_a, W.start, W.end, 3, "lottery"), INVALID, "strategy");
    S_REFUSED(s_fair(W.data.province_a, "2026-02-30", W.end, 3, ""), INVALID, "start");
    Ocop__Reply *r;
    r = s_fair(W.data.province_a, W.start, W.end, 3, "");
    ITEST_ASSERT_OK(r);
    assert_string_equal(r->pro_fair->strategy, "fair-share");
    snprintf(W.fair, sizeof W.fair, "%s", r->pro_fair->id);
    ITEST_FREE(r);
    for (size_t i = 0; i < 5; i++) {
        r = s_apply(W.fair, i, i);
        ITEST_ASSERT_OK(r);
        assert_int_equal(r->pro_application->seq, i + 1);
        ITEST_FREE(r);
    }
    S_REFUSED(s_apply(W.fair, 0, 0), CONFLICT, "product_id");
    S_REFUSED(s_apply(W.fair, 5, 0), FORBIDDEN, "entity_id");
    S_REFUSED(s_apply("FAIR-999999", 5, 5), NOT_FOUND, "fair_id");
    /* A certificate valid 36 months does not cover a fair in 37. */
    char far_start[OCOP_DATE_LEN], far_end[OCOP_DATE_LEN];
    ocop_date_add_months(W.today, 37, far_start);
    ocop_date_add_months(W.today, 38, far_end);
    r = s_fair(W.data.province_a, far_start, far_end, 3, "");
    ITEST_ASSERT_OK(r);
    char far[32];
    snprintf(far, sizeof far, "%s", r->pro_fair->id);
    ITEST_FREE(r);
    S_REFUSED(s_apply(far, 5, 5), ILLEGAL_STATE, "product_id");
    /* A fair that has begun takes no applications. */
    r = s_fair(W.data.province_a, W.today, W.end, 3, "first-come-first-served");
    ITEST_ASSERT_OK(r);
    char past[32];
    snprintf(past, sizeof past, "%s", r->pro_fair->id);
    ITEST_FREE(r);
    S_REFUSED(s_apply(past, 5, 5), ILLEGAL_STATE, "fair_id");

    Ocop__ProAllocate al = OCOP__PRO_ALLOCATE__INIT;
    al.fair_id = W.fair;
    Ocop__Request req = OCOP__REQUEST__INIT;
    req.body_case = OCOP__REQUEST__BODY_PRO_ALLOCATE;
    req.pro_allocate = &al;
    r = s_call(s_pro(), &req);
    ITEST_ASSERT_OK(r);
    size_t booked = 0, waiting = 0;
    for (size_t i = 0; i < r->pro_application_page->n_applications; i++) {
        const Ocop__ProApplication *a = r->pro_application_page->applications[i];
        booked += a->state == S_APP(BOOKED);
        waiting += a->state == S_APP(WAITING);
    }
    assert_int_equal(booked, 3);
    assert_int_equal(waiting, 2);
    assert_int_equal(r->pro_application_page->fair->booked, 3);
    ITEST_FREE(r);
    r = s_call(s_pro(), &req);
    ITEST_ASSERT_ERROR(r, S_ST(ILLEGAL_STATE), "fair_id");
    ITEST_FREE(r);
}

static Ocop__Reply *s_applications(void)
{
    Ocop__ProApplicationsGet g = OCOP__PRO_APPLICATIONS_GET__INIT;
    g.fair_id = W.fair;
    Ocop__Request req = OCOP__REQUEST__INIT;
    req.body_case = OCOP__REQUEST__BODY_PRO_APPLICATIONS_GET;
    req.pro_applications_get = &g;
    return s_call(s_pro(), &req);
}

/* Revoking a booked product's certificate cancels its booking and listing by itself; the first
 * on the waiting list gets its booth. */
static void test_revocation_cascades(void **state)
{
    (void)state;
    /* A batch larger than the cascade takes is refused, not cut down. */
    Ocop__ProCascadeDue due = OCOP__PRO_CASCADE_DUE__INIT;
    due.max = 10001;
    Ocop__Request dreq = OCOP__REQUEST__INIT;
    dreq.body_case = OCOP__REQUEST__BODY_PRO_CASCADE_DUE;
    dreq.pro_cascade_due = &due;
    Ocop__Reply *r = s_call(s_pro(), &dreq);
    ITEST_ASSERT_ERROR(r, OCOP__STATUS__STATUS_INVALID, "max");
    ITEST_FREE(r);
    r = s_applications();
    ITEST_ASSERT_OK(r);
    size_t victim = S_N;
    uint32_t booth = 0;
    char first_waiting[32] = "";
    for (size_t i = 0; i < r->pro_application_page->n_applications; i++) {
        const Ocop__ProApplication *a = r->pro_application_page->applications[i];
        if (a->state == S_APP(BOOKED) && victim == S_N)
            for (size_t k = 0; k < S_N; k++)
                if (strcmp(W.p[k].product_id, a->product_id) == 0) {
                    victim = k;
                    booth = a->booth;
                }
        if (a->state == S_APP(WAITING) && a->waiting_rank == 1)
            snprintf(first_waiting, sizeof first_waiting, "%s", a->id);
    }
    ITEST_FREE(r);
    assert_true(victim < S_N && *first_waiting);
    /* Listed at a supermarket too. */
    Ocop__ProPointOfSaleCreate pc = OCOP__PRO_POINT_OF_SALE_CREATE__INIT;
    pc.name = "Siêu thị Co.opmart";
    pc.location_type = OCOP__LOCATION_TYPE__LOCATION_TYPE_SUPERMARKET;
    pc.province_code = W.data.province_a;
    pc.address = "1 Đường Lê Lợi";
    pc.shelf_capacity = 10;
    pc.channel = "Co.opmart";
    Ocop__Request req = OCOP__REQUEST__INIT;
    req.body_case = OCOP__REQUEST__BODY_PRO_POINT_OF_SALE_CREATE;
    req.pro_point_of_sale_create = &pc;
    r = s_call(s_pro(), &req);
    ITEST_ASSERT_OK(r);
    char pos[32];
    snprintf(pos, sizeof pos, "%s", r->pro_point_of_sale->id);
    ITEST_FREE(r);
    Ocop__ProListingAdd la = OCOP__PRO_LISTING_ADD__INIT;
    la.pos_id = pos;
    la.product_id = W.p[victim].product_id;
    la.entity_id = W.p[victim].entity_id;
    req = (Ocop__Request)OCOP__REQUEST__INIT;
    req.body_case = OCOP__REQUEST__BODY_PRO_LISTING_ADD;
    req.pro_listing_add = &la;
    r = s_call(s_pro(), &req);
    ITEST_ASSERT_OK(r);
    ITEST_FREE(r);

    Ocop__EvalCertificateRevoke rv = OCOP__EVAL_CERTIFICATE_REVOKE__INIT;
    rv.id = W.cert[victim];
    rv.reason = OCOP__REVOCATION_REASON__REVOCATION_REASON_FOOD_SAFETY;
    req = (Ocop__Request)OCOP__REQUEST__INIT;
    req.body_case = OCOP__REQUEST__BODY_EVAL_CERTIFICATE_REVOKE;
    req.eval_certificate_revoke = &rv;
    r = s_call(W.h->shard[0].client, &req);
    ITEST_ASSERT_OK(r);
    ITEST_FREE(r);

    bool done = false;
    for (int t = 0; t < 400 && !done; t++) {
        r = s_applications();
        ITEST_ASSERT_OK(r);
        for (size_t i = 0; i < r->pro_application_page->n_applications; i++) {
            const Ocop__ProApplication *a = r->pro_application_page->applications[i];
            if (strcmp(a->id, first_waiting) == 0 && a->state == S_APP(BOOKED)) {
                assert_int_equal(a->booth, booth);
                done = true;
            }
            if (strcmp(a->product_id, W.p[victim].product_id) == 0 && done) {
                assert_int_equal(a->state, S_APP(CANCELLED));
                assert_non_null(strstr(a->reason, "revoked"));
            }
        }
        assert_int_equal(r->pro_application_page->fair->booked, 3);
        ITEST_FREE(r);
        if (!done)
            s_sleep_ms(50);
    }
    assert_true(done);
    /* A revoked product applies nowhere any more, and says why. */
    r = s_fair(W.data.province_a, W.start, W.end, 5, "first-come-first-served");
    ITEST_ASSERT_OK(r);
    char other[32];
    snprintf(other, sizeof other, "%s", r->pro_fair->id);
    ITEST_FREE(r);
    r = s_apply(other, victim, victim);
    ITEST_ASSERT_ERROR(r, S_ST(ILLEGAL_STATE), "product_id");
    assert_non_null(strstr(r->message, "revoked"));
    ITEST_FREE(r);
    /* The steps are events: cancelled, promoted, listing withdrawn. */
    Ocop__EventsFrom ef = OCOP__EVENTS_FROM__INIT;
    ef.from_sequence = 1;
    ef.max = 10000;
    req = (Ocop__Request)OCOP__REQUEST__INIT;
    req.body_case = OCOP__REQUEST__BODY_EVENTS_FROM;
    req.events_from = &ef;
    r = s_call(s_pro(), &req);
    ITEST_ASSERT_OK(r);
    int cancelled = 0, promoted = 0, withdrawn = 0;
    for (size_t i = 0; i < r->events->n_events; i++) {
        Ocop__Event *ev = ocop__event__unpack(NULL, r->events->events[i].len, r->events->events[i].data);
        assert_non_null(ev);
        cancelled += ev->body_case == OCOP__EVENT__BODY_PRO_BOOKING_CANCELLED;
        promoted += ev->body_case == OCOP__EVENT__BODY_PRO_PROMOTED_FROM_WAITING;
        withdrawn += ev->body_case == OCOP__EVENT__BODY_PRO_LISTING_WITHDRAWN;
        ocop__event__free_unpacked(ev, NULL);
    }
    ITEST_FREE(r);
    assert_int_equal(cancelled, 1);
    assert_int_equal(promoted, 1);
    assert_int_equal(withdrawn, 1);
}

static Ocop__Reply *s_plan(ocop_client_t *c, const char *province, const char *start, const char *end)
{
    Ocop__ProPlanItem it = OCOP__PRO_PLAN_ITEM__INIT, *items[] = {&it};
    it.name = "Tuần hàng OCOP";
    it.start = (char *)start;
    it.end = (char *)end;
    it.kind = "fair";
    Ocop__ProPlanSubmit p = OCOP__PRO_PLAN_SUBMIT__INIT;
    p.province_code = (char *)province;
    p.year = (uint32_t)ocop_date_year(start);
    p.items = items;
    p.n_items = 1;
    Ocop__Request req = OCOP__REQUEST__INIT;
    req.body_case = OCOP__REQUEST__BODY_PRO_PLAN_SUBMIT;
    req.pro_plan_submit = &p;
    return s_call(c, &req);
}

static void test_plans_and_calendar(void **state)
{
    (void)state;
    char officer[40], other[40];
    snprintf(officer, sizeof officer, "officer@%s", W.data.province_a);
    snprintf(other, sizeof other, "officer@%s", W.data.province_b);
    ocop_client_t *mine =
        ocop_client_new(W.h->zctx, W.h->promotion.endpoint, W.h->promotion.keys.public_z85, &W.h->ctl_keys, officer);
    ocop_client_t *theirs =
        ocop_client_new(W.h->zctx, W.h->promotion.endpoint, W.h->promotion.keys.public_z85, &W.h->ctl_keys, other);
    assert_non_null(mine);
    assert_non_null(theirs);
    S_REFUSED(s_plan(theirs, W.data.province_a, W.start, W.end), FORBIDDEN, "province_code");
    S_REFUSED(s_plan(mine, W.data.province_a, W.end, W.start), INVALID, "items[0]");
    S_REFUSED(s_plan(mine, "ZZ", W.start, W.end), INVALID, "province_code");
    Ocop__Reply *r;
    /* The plan's week overlaps the fair in the same region. */
    r = s_plan(mine, W.data.province_a, W.start, W.start);
    ITEST_ASSERT_OK(r);
    bool warned = false;
    for (size_t i = 0; i < r->pro_plan->n_warnings; i++)
        warned |= strstr(r->pro_plan->warnings[i], W.fair) != NULL;
    assert_true(warned);
    ITEST_FREE(r);
    Ocop__ProCalendarGet cg = OCOP__PRO_CALENDAR_GET__INIT;
    cg.year = (uint32_t)ocop_date_year(W.start);
    Ocop__Request req = OCOP__REQUEST__INIT;
    req.body_case = OCOP__REQUEST__BODY_PRO_CALENDAR_GET;
    req.pro_calendar_get = &cg;
    r = s_call(s_pro(), &req);
    ITEST_ASSERT_OK(r);
    assert_true(r->pro_calendar->n_items >= 2);
    assert_true(r->pro_calendar->n_warnings >= 1);
    for (size_t i = 1; i < r->pro_calendar->n_items; i++)
        assert_true(strcmp(r->pro_calendar->items[i - 1]->item->start, r->pro_calendar->items[i]->item->start) <= 0);
    ITEST_FREE(r);
    ocop_client_destroy(&mine);
    ocop_client_destroy(&theirs);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rated_products_reach_promotion),
        cmocka_unit_test(test_fairs_and_applications),
        cmocka_unit_test(test_revocation_cascades),
        cmocka_unit_test(test_plans_and_calendar),
    };
    return cmocka_run_group_tests(tests, s_setup, s_teardown);
}
