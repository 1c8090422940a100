/* Integration: "ocop-demo promote" against registration, two evaluation shards and
 * ocop-promotion on a small world scored by "demo evaluate" — every province's plan submitted by
 * its own office, the year's fairs created and allocated (a waiting list where an entity applied
 * with several products), points of sale listing only certified products of their province
 * (not a product whose certificate was revoked, nor one never evaluated), and a second run that
 * writes no event anywhere. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "demo_world.h"
#include "harness.h"
#include "harness_eval.h"
#include "itest_assert.h"
#include "ocop_date.h"

#define S_A 30 /* certified products in province A (shard 1); the first 4 of one entity */
#define S_B 10 /* in province B (shard 2) */
#define S_X 2  /* products of that entity in province A never evaluated */
#define S_N (S_A + S_B + S_X)
#define S_VICTIM 5 /* its certificate revoked before the run */
#define S_PROVINCES 34
#define S_RUN_TIMEOUT_MS 120000

static struct {
    demo_world_t w;
    harness_ready_t p[S_N];
    char today[OCOP_DATE_LEN];
    unsigned year;
} W;

static int s_setup(void **state)
{
    (void)state;
    ocop_day_of(harness_wall_ms(), W.today);
    W.year = (unsigned)ocop_date_year(W.today) + 1;
    return demo_world_setup(&W.w, 1);
}

static int s_teardown(void **state)
{
    (void)state;
    demo_world_teardown(&W.w);
    return 0;
}

#define S_DEMO(...) DEMO_WORLD_RUN(&W.w, demo, S_RUN_TIMEOUT_MS, __VA_ARGS__)

static void s_sleep_ms(int ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

static Ocop__Reply *s_pro_call(Ocop__Request *req)
{
    Ocop__Reply *r;
    req->request_id = "";
    return harness_call(W.w.h->promotion.client, req, &r) == 0 ? r : NULL;
}

static int64_t s_pro_last_sequence(void)
{
    Ocop__Ping ping = OCOP__PING__INIT;
    Ocop__Request req = OCOP__REQUEST__INIT;
    req.body_case = OCOP__REQUEST__BODY_PING;
    req.ping = &ping;
    Ocop__Reply *r = s_pro_call(&req);
    int64_t seq = r && r->status == OCOP__STATUS__STATUS_OK ? (int64_t)r->pong->last_sequence : -1;
    ITEST_FREE(r);
    return seq;
}

static Ocop__ProCertificateView *s_view(const char *product_id, Ocop__Reply **r)
{
    Ocop__ProProductGet g = OCOP__PRO_PRODUCT_GET__INIT;
    g.product_id = (char *)product_id;
    Ocop__Request req = OCOP__REQUEST__INIT;
    req.body_case = OCOP__REQUEST__BODY_PRO_PRODUCT_GET;
    req.pro_product_get = &g;
    *r = s_pro_call(&req);
    return *r && (*r)->status == OCOP__STATUS__STATUS_OK ? (*r)->pro_certificate_view : NULL;
}

/* Every event promotion has published (caller frees each with ocop__event__free_unpacked). */
static Ocop__Event **s_pro_events(size_t *n)
{
    size_t cap = 1024;
    Ocop__Event **out = malloc(cap * sizeof *out);
    *n = 0;
    for (uint64_t from = 1;;) {
        Ocop__EventsFrom ef = OCOP__EVENTS_FROM__INIT;
        ef.from_sequence = from;
        ef.max = 10000;
        Ocop__Request req = OCOP__REQUEST__INIT;
        req.body_case = OCOP__REQUEST__BODY_EVENTS_FROM;
        req.events_from = &ef;
        Ocop__Reply *r = s_pro_call(&req);
        ITEST_ASSERT_OK(r);
        size_t got = r->events->n_events;
        for (size_t i = 0; i < got; i++) {
            if (*n == cap) {
                Ocop__Event **grown = realloc(out, (cap *= 2) * sizeof *out);
                assert_non_null(grown);
                out = grown;
            }
            out[*n] = ocop__event__unpack(NULL, r->events->events[i].len, r->events->events[i].data);
            assert_non_null(out[*n]);
            from = out[(*n)++]->sequence + 1;
        }
        bool more = got > 0 && from <= r->events->last_sequence;
        ITEST_FREE(r);
        if (!more)
            return out;
    }
}

static void s_events_free(Ocop__Event **evs, size_t n)
{
    for (size_t i = 0; i < n; i++)
        ocop__event__free_unpacked(evs[i], NULL);
    free(evs);
}

/* The index of a product of the world, or -1. */
static int s_product(const char *id)
{
    for (int i = 0; i < S_N; i++)
        if (strcmp(W.p[i].product_id, id) == 0)
            return i;
    return -1;
}

static bool s_promotable(int i)
{
    return i >= 0 && i < S_A + S_B && i != S_VICTIM;
}

static void test_world_scored_and_one_revoked(void **state)
{
    (void)state;
    size_t entity_of[S_N];
    for (size_t i = 0; i < S_N; i++) {
        harness_ready_t *p = &W.p[i];
        bool in_a = i < S_A || i >= S_A + S_B;
        snprintf(p->commune, sizeof p->commune, "%s", in_a ? W.w.data.communes[i % 3] : W.w.data.communes[3]);
        snprintf(p->catalogue, sizeof p->catalogue, "%s", W.w.data.catalogue_version);
        snprintf(p->sector, sizeof p->sector, "%s", i % 2 ? W.w.data.sector : W.w.data.sector_b);
        snprintf(p->product_set, sizeof p->product_set, "%s", i % 2 ? W.w.data.product_set : W.w.data.product_set_b);
        entity_of[i] = i < 4 || i >= S_A + S_B ? 0 : i;
    }
    assert_int_equal(harness_make_ready(W.w.h->client, W.p, entity_of, S_N, 23), 0);
    for (size_t i = 0; i < S_A + S_B; i++) {
        Ocop__Reply *r =
            harness_transition(W.w.h->client, W.p[i].product_id, OCOP__STAGE_ACTION__STAGE_ACTION_ACCEPT, "");
        ITEST_ASSERT_OK(r);
        ITEST_FREE(r);
    }
    S_DEMO("evaluate", "--date", W.today);
    ITEST_ASSERT_EXIT(W.w.run, 0);
    char summary[128];
    snprintf(summary, sizeof summary, "demo: %d products scored on %s; %d certified", S_A + S_B, W.today, S_A + S_B);
    if (!strstr(W.w.run.out, summary))
        fail_msg("expected '%s' in:\n%s", summary, W.w.run.out);

    /* A revoked certificate: the product stays in trade promotion in registration, but promotion
     * refuses it, and so must the demo. */
    Ocop__Reply *r = harness_eval_product_get(W.w.h->shard[0].client, W.p[S_VICTIM].product_id);
    ITEST_ASSERT_OK(r);
    char cert[64];
    snprintf(cert, sizeof cert, "%s", r->eval_product->certificate_id);
    ITEST_FREE(r);
    Ocop__EvalCertificateRevoke rv = OCOP__EVAL_CERTIFICATE_REVOKE__INIT;
    rv.id = cert;
    rv.reason = OCOP__REVOCATION_REASON__REVOCATION_REASON_FOOD_SAFETY;
    Ocop__Request req = OCOP__REQUEST__INIT;
    req.request_id = "";
    req.body_case = OCOP__REQUEST__BODY_EVAL_CERTIFICATE_REVOKE;
    req.eval_certificate_revoke = &rv;
    assert_int_equal(harness_call(W.w.h->shard[0].client, &req, &r), 0);
    ITEST_ASSERT_OK(r);
    ITEST_FREE(r);
    bool ended = false;
    for (int t = 0; t < 400 && !ended; t++) {
        const Ocop__ProCertificateView *v = s_view(W.p[S_VICTIM].product_id, &r);
        ended = v && strcmp(v->certificate_id, cert) == 0 && *v->ended;
        ITEST_FREE(r);
        if (!ended)
            s_sleep_ms(50);
    }
    assert_true(ended);
}

static void test_demo_promote_runs_the_year(void **state)
{
    (void)state;
    S_DEMO("promote");
    ITEST_ASSERT_EXIT(W.w.run, 0);
    char line[160];
    snprintf(line, sizeof line, "demo: %u trade promotion: %d plans, ", W.year, S_PROVINCES);
    if (!strstr(W.w.run.out, line))
        fail_msg("expected '%s' in:\n%s", line, W.w.run.out);
    assert_non_null(strstr(W.w.run.out, "overlap warnings"));

    size_t n;
    Ocop__Event **evs = s_pro_events(&n);
    char plan_of[S_PROVINCES][8];
    size_t plans = 0, fairs = 0, fcfs = 0, quang_ninh = 0, allocated = 0, pos = 0, listed = 0, applied = 0;
    char fair_ids[32][32], pos_ids[128][32], pos_province[128][16];
    size_t listed_in[2] = {0, 0};
    for (size_t i = 0; i < n; i++) {
        const Ocop__Event *ev = evs[i];
        if (ev->body_case == OCOP__EVENT__BODY_PRO_PLAN_SUBMITTED) {
            const Ocop__ProPlan *p = ev->pro_plan_submitted->plan;
            char by[64];
            snprintf(by, sizeof by, "so-cong-thuong@%s", p->province_code);
            assert_string_equal(p->submitted_by, by);
            assert_int_equal(p->year, W.year);
            assert_true(p->n_items >= 4);
            for (size_t k = 0; k < plans; k++)
                assert_string_not_equal(plan_of[k], p->province_code);
            assert_true(plans < S_PROVINCES);
            snprintf(plan_of[plans++], sizeof plan_of[0], "%s", p->province_code);
        } else if (ev->body_case == OCOP__EVENT__BODY_PRO_FAIR_CREATED) {
            const Ocop__ProFair *f = ev->pro_fair_created->fair;
            assert_true(fairs < 32);
            snprintf(fair_ids[fairs++], sizeof fair_ids[0], "%s", f->id);
            assert_int_equal(ocop_date_year(f->start), (int)W.year);
            assert_true(f->booths >= 100 && f->booths <= 400);
            assert_true(f->n_booth_types > 0);
            fcfs += strcmp(f->strategy, "first-come-first-served") == 0;
            if (strcmp(f->province_code, "22") == 0 &&
                (strncmp(f->start + 5, "01", 2) == 0 || strncmp(f->start + 5, "05", 2) == 0))
                quang_ninh++;
        } else if (ev->body_case == OCOP__EVENT__BODY_PRO_APPLIED) {
            int i_p = s_product(ev->pro_applied->application->product_id);
            if (!s_promotable(i_p))
                fail_msg("%s applied to a fair without a valid certificate", ev->pro_applied->application->product_id);
            applied++;
        } else if (ev->body_case == OCOP__EVENT__BODY_PRO_ALLOCATED) {
            allocated++;
        } else if (ev->body_case == OCOP__EVENT__BODY_PRO_POINT_OF_SALE_CREATED) {
            assert_true(pos < 128);
            snprintf(pos_ids[pos], sizeof pos_ids[0], "%s", ev->pro_point_of_sale_created->pos->id);
            snprintf(pos_province[pos++], sizeof pos_province[0], "%s",
                     ev->pro_point_of_sale_created->pos->province_code);
        } else if (ev->body_case == OCOP__EVENT__BODY_PRO_LISTED) {
            const Ocop__ProListing *l = ev->pro_listed->listing;
            int i_p = s_product(l->product_id);
            if (!s_promotable(i_p))
                fail_msg("%s listed at %s without a valid certificate", l->product_id, l->pos_id);
            const char *province = NULL;
            for (size_t k = 0; k < pos; k++)
                if (strcmp(pos_ids[k], l->pos_id) == 0)
                    province = pos_province[k];
            assert_non_null(province);
            assert_string_equal(province, W.p[i_p].current_province);
            listed_in[i_p < S_A ? 0 : 1]++;
            listed++;
        }
    }
    s_events_free(evs, n);
    assert_int_equal(plans, S_PROVINCES);
    assert_true(fairs >= 10 && fairs <= 15);
    assert_int_equal(fcfs, 1);
    assert_int_equal(quang_ninh, 2);
    assert_int_equal(allocated, fairs);
    assert_int_equal(pos, S_PROVINCES * 3);
    assert_true(listed_in[0] > 0 && listed_in[1] > 0);
    assert_true(applied > 0);
    (void)listed;

    /* Every fair allocated; where an entity applied with several products, its others wait. */
    size_t with_waiting = 0;
    for (size_t k = 0; k < fairs; k++) {
        Ocop__ProFairGet g = OCOP__PRO_FAIR_GET__INIT;
        g.id = fair_ids[k];
        Ocop__Request req = OCOP__REQUEST__INIT;
        req.body_case = OCOP__REQUEST__BODY_PRO_FAIR_GET;
        req.pro_fair_get = &g;
        Ocop__Reply *r = s_pro_call(&req);
        ITEST_ASSERT_OK(r);
        assert_true(r->pro_fair->allocated);
        assert_true(r->pro_fair->booked > 0);
        with_waiting += r->pro_fair->waiting > 0;
        ITEST_FREE(r);
    }
    assert_true(with_waiting >= 1);

    /* The calendar has every plan and fair of the year, and warns of overlaps in a region. */
    Ocop__ProCalendarGet cg = OCOP__PRO_CALENDAR_GET__INIT;
    cg.year = W.year;
    Ocop__Request req = OCOP__REQUEST__INIT;
    req.body_case = OCOP__REQUEST__BODY_PRO_CALENDAR_GET;
    req.pro_calendar_get = &cg;
    Ocop__Reply *r = s_pro_call(&req);
    ITEST_ASSERT_OK(r);
    assert_true(r->pro_calendar->n_items >= S_PROVINCES * 4 + fairs);
    assert_true(r->pro_calendar->n_warnings > 0);
    ITEST_FREE(r);
}

static void test_second_run_writes_nothing(void **state)
{
    (void)state;
    int64_t pro = s_pro_last_sequence();
    demo_world_marks_t marks = demo_world_marks(&W.w);
    assert_true(pro > 0);
    char *first = strstr(W.w.run.out, "trade promotion: ");
    assert_non_null(first);
    char before[256];
    snprintf(before, sizeof before, "%.*s", (int)strcspn(first, "("), first);
    S_DEMO("promote", "--year", "");
    ITEST_ASSERT_EXIT(W.w.run, 2); /* an empty year is a usage error */
    char year[8];
    snprintf(year, sizeof year, "%u", W.year);
    S_DEMO("promote", "--year", year);
    ITEST_ASSERT_EXIT(W.w.run, 0);
    assert_non_null(strstr(W.w.run.out, "(new: 0 plans, 0 fairs, 0 applications, 0 points of sale, 0 listings)"));
    char *again = strstr(W.w.run.out, "trade promotion: ");
    assert_non_null(again);
    assert_int_equal(strncmp(again, before, strlen(before)), 0);
    assert_int_equal(s_pro_last_sequence(), pro);
    demo_world_assert_unchanged(&W.w, &marks);
    S_DEMO("promote", "--bogus");
    ITEST_ASSERT_EXIT(W.w.run, 2);
    assert_non_null(strstr(W.w.run.err, "usage: ocop-demo promote"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_world_scored_and_one_revoked),
        cmocka_unit_test(test_demo_promote_runs_the_year),
        cmocka_unit_test(test_second_run_writes_nothing),
    };
    return cmocka_run_group_tests(tests, s_setup, s_teardown);
}
