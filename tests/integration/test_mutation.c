/* Integration: mutated requests never break the service.
 *
 * Valid requests of every kind are packed, then bytes are flipped, inserted, dropped or
 * truncated by a seeded generator (the same run every time) and thousands of the results are
 * sent to the real service, pipelined. Whatever protobuf-c makes of them (garbage, unknown
 * fields, out-of-range enums, strings that are not UTF-8, another message type), every frame
 * must get exactly one reply with a known status; afterwards the service still answers, and
 * what it stored is consistent: the product counts add up to the products it lists. Under the
 * sanitizer build a memory error in any handler fails the run. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "itest_assert.h"

#define S_MUTANTS 6000
#define S_WINDOW 200

static struct {
    harness_t *h;
    harness_data_t data;
    ocop_client_t *c;
    char entity[32];
    char product[32];
} s_world;

static uint64_t s_rng = 0x0C0Fu;

static uint64_t s_next(void)
{
    /* xorshift64*: deterministic, so a failure reproduces. */
    s_rng ^= s_rng >> 12;
    s_rng ^= s_rng << 25;
    s_rng ^= s_rng >> 27;
    return s_rng * 0x2545F4914F6CDD1DULL;
}

static int s_group_setup(void **state)
{
    (void)state;
    memset(&s_world, 0, sizeof s_world);
    harness_options_t opts = {.max_request_bytes = 65536};
    s_world.h = harness_new(&opts);
    if (!s_world.h || harness_data_load(s_world.h->rules_dir, &s_world.data) != 0 || harness_start(s_world.h) != 0)
        return -1;
    s_world.c = harness_connect(s_world.h, NULL, "fuzzer");
    if (!s_world.c)
        return -1;
    const harness_data_t *d = &s_world.data;
    Ocop__Reply *r = harness_entity_register(s_world.c, NULL, OCOP__ENTITY_TYPE__ENTITY_TYPE_COOPERATIVE,
                                             "HTX Thử Nghiệm Đột Biến", "0100777001", d->communes[0]);
    if (!r || r->status != OCOP__STATUS__STATUS_OK)
        return -1;
    snprintf(s_world.entity, sizeof s_world.entity, "%s", r->reg_entity->id);
    ocop__reply__free_unpacked(r, NULL);
    r = harness_product_register(s_world.c, s_world.entity, "Bánh đa Kế", d->sector, d->product_set, d->communes[0],
                                 OCOP__PROCESSING_LEVEL__PROCESSING_PROCESSED);
    if (!r || r->status != OCOP__STATUS__STATUS_OK)
        return -1;
    snprintf(s_world.product, sizeof s_world.product, "%s", r->reg_product_detail->product->id);
    ocop__reply__free_unpacked(r, NULL);
    return 0;
}

static int s_group_teardown(void **state)
{
    (void)state;
    ocop_client_destroy(&s_world.c);
    if (s_world.h)
        harness_stop(s_world.h);
    harness_destroy(&s_world.h);
    return 0;
}

/* One packed valid request of each kind the service serves (seeds for the mutations). */
static size_t s_seeds(uint8_t **seeds, size_t *lens, size_t max)
{
    const harness_data_t *d = &s_world.data;
    size_t n = 0;
    Ocop__Request req;
#define S_PACK()                                                                                                       \
    do {                                                                                                               \
        req.request_id = "seed";                                                                                       \
        req.caller = "fuzzer";                                                                                         \
        lens[n] = ocop__request__get_packed_size(&req);                                                                \
        seeds[n] = malloc(lens[n]);                                                                                    \
        ocop__request__pack(&req, seeds[n]);                                                                           \
        n++;                                                                                                           \
    } while (0)
    Ocop__RegEntityRegister er = OCOP__REG_ENTITY_REGISTER__INIT;
    er.type = OCOP__ENTITY_TYPE__ENTITY_TYPE_ENTERPRISE;
    er.name = "Công ty TNHH Nước mắm Cát Hải";
    er.tax_code = "0200777002";
    er.commune_code = (char *)d->communes[1];
    er.phone = "0912345678";
    ocop__request__init(&req);
    req.body_case = OCOP__REQUEST__BODY_REG_ENTITY_REGISTER;
    req.reg_entity_register = &er;
    S_PACK();
    Ocop__RegProductRegister pr = OCOP__REG_PRODUCT_REGISTER__INIT;
    char *standards[] = {"VietGAP", "HACCP"};
    pr.entity_id = s_world.entity;
    pr.name = "Nước mắm cá cơm Cát Hải";
    pr.sector_code = (char *)d->sector;
    pr.product_set_code = (char *)d->product_set;
    pr.commune_code = (char *)d->communes[0];
    pr.processing = OCOP__PROCESSING_LEVEL__PROCESSING_PROCESSED;
    pr.standards = standards;
    pr.n_standards = 2;
    ocop__request__init(&req);
    req.body_case = OCOP__REQUEST__BODY_REG_PRODUCT_REGISTER;
    req.reg_product_register = &pr;
    S_PACK();
    Ocop__RegStageTransition st = OCOP__REG_STAGE_TRANSITION__INIT;
    st.product_id = s_world.product;
    st.action = OCOP__STAGE_ACTION__STAGE_ACTION_REJECT;
    st.reason = "thiếu hồ sơ";
    ocop__request__init(&req);
    req.body_case = OCOP__REQUEST__BODY_REG_STAGE_TRANSITION;
    req.reg_stage_transition = &st;
    S_PACK();
    Ocop__RegProductList pl = OCOP__REG_PRODUCT_LIST__INIT;
    pl.province_code = (char *)d->province_a;
    pl.limit = 5;
    ocop__request__init(&req);
    req.body_case = OCOP__REQUEST__BODY_REG_PRODUCT_LIST;
    req.reg_product_list = &pl;
    S_PACK();
    Ocop__RegUnit unit = OCOP__REG_UNIT__INIT;
    unit.code = "97";
    unit.name = "Tỉnh Đột Biến";
    unit.level = OCOP__UNIT_LEVEL__UNIT_LEVEL_PROVINCE;
    Ocop__RegUnit *units[] = {&unit};
    Ocop__RegUnitImport ui = OCOP__REG_UNIT_IMPORT__INIT;
    ui.version = (char *)d->unit_version;
    ui.units = units;
    ui.n_units = 1;
    ocop__request__init(&req);
    req.body_case = OCOP__REQUEST__BODY_REG_UNIT_IMPORT;
    req.reg_unit_import = &ui;
    S_PACK();
    Ocop__RegDuplicateReview rv = OCOP__REG_DUPLICATE_REVIEW__INIT;
    rv.product_id = s_world.product;
    rv.decision = OCOP__REVIEW_STATE__REVIEW_CLEARED;
    ocop__request__init(&req);
    req.body_case = OCOP__REQUEST__BODY_REG_DUPLICATE_REVIEW;
    req.reg_duplicate_review = &rv;
    S_PACK();
    Ocop__RegCountsGet cg = OCOP__REG_COUNTS_GET__INIT;
    ocop__request__init(&req);
    req.body_case = OCOP__REQUEST__BODY_REG_COUNTS_GET;
    req.reg_counts_get = &cg;
    S_PACK();
    Ocop__EventsFrom ef = OCOP__EVENTS_FROM__INIT;
    ef.from_sequence = 1;
    ocop__request__init(&req);
    req.body_case = OCOP__REQUEST__BODY_EVENTS_FROM;
    req.events_from = &ef;
    S_PACK();
#undef S_PACK
    assert_true(n <= max);
    return n;
}

/* A mutant of seed: flips, overwrites, inserts, deletes or truncates. out has room for len + 16. */
static size_t s_mutate(const uint8_t *seed, size_t len, uint8_t *out)
{
    memcpy(out, seed, len);
    size_t n = len;
    int edits = 1 + (int)(s_next() % 4);
    for (int e = 0; e < edits && n > 0; e++) {
        size_t at = s_next() % n;
        switch (s_next() % 5) {
        case 0:
            out[at] ^= (uint8_t)(1u << (s_next() % 8));
            break;
        case 1:
            out[at] = (uint8_t)s_next();
            break;
        case 2:
            if (n < len + 16) {
                memmove(out + at + 1, out + at, n - at);
                out[at] = (uint8_t)s_next();
                n++;
            }
            break;
        case 3:
            memmove(out + at, out + at + 1, n - at - 1);
            n--;
            break;
        default:
            n = at;
            break;
        }
    }
    return n;
}

static int s_known_status(int status)
{
    return status >= OCOP__STATUS__STATUS_OK && status <= OCOP__STATUS__STATUS_MALFORMED;
}

static void test_mutants_are_answered(void **state)
{
    (void)state;
    uint8_t *seeds[16];
    size_t lens[16];
    size_t n_seeds = s_seeds(seeds, lens, 16);
    uint8_t buf[1024];
    size_t sent = 0, answered = 0, by_status[16] = {0};
    while (answered < S_MUTANTS) {
        while (sent < S_MUTANTS && sent - answered < S_WINDOW) {
            size_t k = s_next() % n_seeds;
            assert_true(lens[k] + 16 <= sizeof buf);
            size_t len = s_mutate(seeds[k], lens[k], buf);
            assert_int_equal(ocop_client_send_raw(s_world.c, buf, len), 0);
            sent++;
        }
        Ocop__Reply *reply = NULL;
        if (ocop_client_recv(s_world.c, &reply, 10000) != 0)
            fail_msg("no reply after %zu of %zu mutants", answered, sent);
        assert_true(s_known_status(reply->status));
        by_status[reply->status]++;
        ocop__reply__free_unpacked(reply, NULL);
        answered++;
    }
    for (size_t i = 0; i < n_seeds; i++)
        free(seeds[i]);
    /* The mutations reach both the parser and the handlers. */
    assert_true(by_status[OCOP__STATUS__STATUS_MALFORMED] > 0);
    assert_true(by_status[OCOP__STATUS__STATUS_OK] + by_status[OCOP__STATUS__STATUS_INVALID] +
                    by_status[OCOP__STATUS__STATUS_NOT_FOUND] + by_status[OCOP__STATUS__STATUS_CONFLICT] >
                0);
    print_message("mutants: %zu ok, %zu invalid, %zu not found, %zu conflict, %zu illegal state, %zu malformed, "
                  "%zu unsupported\n",
                  by_status[0], by_status[1], by_status[2], by_status[3], by_status[10], by_status[11], by_status[8]);
}

/* Still serving, and what it stored adds up: every counted product is listed and vice versa. */
static void test_store_consistent_afterwards(void **state)
{
    (void)state;
    assert_true(harness_last_sequence(s_world.h) > 0);
    Ocop__RegProductList all = OCOP__REG_PRODUCT_LIST__INIT;
    char **ids = NULL;
    size_t n = 0, pages = 0;
    assert_int_equal(harness_product_list_all(s_world.c, &all, 100, &ids, &n, &pages), 0);
    harness_ids_free(ids, n);
    Ocop__Reply *counts = harness_counts(s_world.c, "");
    ITEST_ASSERT_OK(counts);
    uint64_t counted = 0;
    for (size_t i = 0; i < counts->reg_counts->n_rows; i++)
        counted += counts->reg_counts->rows[i]->count;
    ocop__reply__free_unpacked(counts, NULL);
    assert_int_equal(counted, n);
    assert_true(n >= 1);
    assert_int_equal(harness_stop(s_world.h), 0); /* and it stops cleanly */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_mutants_are_answered),
        cmocka_unit_test(test_store_consistent_afterwards),
    };
    return cmocka_run_group_tests_name("mutation", tests, s_group_setup, s_group_teardown);
}
