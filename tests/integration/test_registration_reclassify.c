/* Integration: reclassification of products when a catalogue comes into force.
 *
 * Runs the real ocop-registration on loopback (harness) with the shipped catalogues 1048, 148
 * and 26-2026 and catalogue-map.json. The tests run in order on one store: a one-to-one move
 * (the event, the history of classifications, the sector, the counts and the duplicate
 * screening follow it), the refusals (each leaves the store and the event stream as they
 * were), the migration of a catalogue in batches (one-to-one products moved, ambiguous ones
 * counted and left for a person; a re-run changes nothing), and a restart that keeps it all. */
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

#define ST(x) OCOP__STATUS__STATUS_##x

/* The products, with the set each starts in; see catalogue-map.json for where they may go. */
enum { P148_A, P148_B, P1048_FISH, P1048_HONEY, P1048_DEVICE, P1048_SPIRIT, P1048_CRAFT, S_PRODUCTS };

static const struct {
    const char *name;
    const char *catalogue, *sector, *set;
    int in_b; /* registered in province B */
} s_plan[S_PRODUCTS] = {
    [P148_A] = {"Nước mắm cá cơm Cửa Lò", "148", "1", "9", 0},
    [P148_B] = {"Rượu ngô men lá", "148", "2", "14", 1},
    [P1048_FISH] = {"Chả mực giã tay", "1048", "1", "1.9", 0},         /* → 148 set 8 */
    [P1048_HONEY] = {"Mật ong hoa nhãn", "1048", "1", "1.4", 0},       /* → 148 set 4 or 8 */
    [P1048_DEVICE] = {"Gối thảo dược", "1048", "3", "3.3", 0},         /* → 148 set 20 or 21 */
    [P1048_SPIRIT] = {"Rượu nếp cái hoa vàng", "1048", "2", "2.1", 0}, /* → 148 set 14 */
    [P1048_CRAFT] = {"Tranh thêu tay", "1048", "5", "5.1", 0},         /* → 148 set 21, sector 4 */
};

static struct {
    harness_t *h;
    harness_data_t data;
    ocop_client_t *alice; /* the producer: registers */
    ocop_client_t *bob;   /* the officer: reclassifies and migrates */
    char entity[2][32];   /* in province A, in province B */
    char id[S_PRODUCTS][32];
} W;

static int s_connect(void)
{
    ocop_client_destroy(&W.alice);
    ocop_client_destroy(&W.bob);
    W.alice = harness_connect(W.h, NULL, "alice");
    W.bob = harness_connect(W.h, NULL, "bob");
    return W.alice && W.bob ? 0 : -1;
}

static int s_setup(void **state)
{
    (void)state;
    memset(&W, 0, sizeof W);
    W.h = harness_new(NULL);
    if (!W.h || harness_data_load(W.h->rules_dir, &W.data) != 0 || harness_start(W.h) != 0 || s_connect() != 0)
        return -1;
    return 0;
}

static int s_teardown(void **state)
{
    (void)state;
    ocop_client_destroy(&W.alice);
    ocop_client_destroy(&W.bob);
    harness_destroy(&W.h);
    return 0;
}

/* ---------------------------------------------------------------- requests */

static Ocop__Reply *s_call(ocop_client_t *c, Ocop__Request *req)
{
    Ocop__Reply *reply = NULL;
    return harness_call(c, req, &reply) == 0 ? reply : NULL;
}

static Ocop__Reply *s_register(const char *entity, const char *name, const char *catalogue, const char *sector,
                               const char *set, const char *commune)
{
    Ocop__RegProductRegister body = OCOP__REG_PRODUCT_REGISTER__INIT;
    body.entity_id = (char *)entity;
    body.name = (char *)name;
    body.catalogue_version = (char *)catalogue;
    body.sector_code = (char *)sector;
    body.product_set_code = (char *)set;
    body.commune_code = (char *)commune;
    body.processing = OCOP__PROCESSING_LEVEL__PROCESSING_PROCESSED;
    Ocop__Request req = OCOP__REQUEST__INIT;
    req.body_case = OCOP__REQUEST__BODY_REG_PRODUCT_REGISTER;
    req.reg_product_register = &body;
    return s_call(W.alice, &req);
}

static Ocop__Reply *s_reclassify(const char *id, const char *catalogue, const char *set, const char *reason,
                                 uint64_t revision)
{
    Ocop__RegProductReclassify body = OCOP__REG_PRODUCT_RECLASSIFY__INIT;
    body.product_id = (char *)id;
    body.catalogue_version = (char *)catalogue;
    body.product_set_code = (char *)set;
    body.reason = (char *)reason;
    body.expected_revision = revision;
    Ocop__Request req = OCOP__REQUEST__INIT;
    req.body_case = OCOP__REQUEST__BODY_REG_PRODUCT_RECLASSIFY;
    req.reg_product_reclassify = &body;
    return s_call(W.bob, &req);
}

static Ocop__Reply *s_migrate_after(const char *from, const char *to, const char *province, unsigned max,
                                    const char *reason, const char *after)
{
    Ocop__RegCatalogueMigrate body = OCOP__REG_CATALOGUE_MIGRATE__INIT;
    body.from_catalogue_version = (char *)from;
    body.to_catalogue_version = (char *)to;
    body.province_code = (char *)province;
    body.max = max;
    body.reason = (char *)reason;
    body.after = (char *)after;
    Ocop__Request req = OCOP__REQUEST__INIT;
    req.body_case = OCOP__REQUEST__BODY_REG_CATALOGUE_MIGRATE;
    req.reg_catalogue_migrate = &body;
    return s_call(W.bob, &req);
}

static Ocop__Reply *s_migrate(const char *from, const char *to, const char *province, unsigned max, const char *reason)
{
    return s_migrate_after(from, to, province, max, reason, "");
}

/* The events after sequence from (caller frees each with ocop__event__free_unpacked). */
static size_t s_events_after(int64_t from, Ocop__Event **out, size_t max)
{
    Ocop__EventsFrom body = OCOP__EVENTS_FROM__INIT;
    body.from_sequence = (uint64_t)from + 1;
    body.max = (uint32_t)max;
    Ocop__Request req = OCOP__REQUEST__INIT;
    req.body_case = OCOP__REQUEST__BODY_EVENTS_FROM;
    req.events_from = &body;
    Ocop__Reply *r = s_call(W.h->client, &req);
    ITEST_ASSERT_OK(r);
    size_t n = r->events->n_events < max ? r->events->n_events : max;
    for (size_t i = 0; i < n; i++) {
        out[i] = ocop__event__unpack(NULL, r->events->events[i].len, r->events->events[i].data);
        assert_non_null(out[i]);
    }
    ITEST_FREE(r);
    return n;
}

/* ---------------------------------------------------------------- checks */

static Ocop__Reply *s_get(int k)
{
    Ocop__Reply *r = harness_product_get(W.alice, W.id[k]);
    ITEST_ASSERT_OK(r);
    return r;
}

/* Where product k is now, and its history of classifications: n entries, the last one
 * (catalogue, set) by "bob" with reason (NULL: any), the first one the registered one. */
static void s_check_class(int k, const char *catalogue, const char *sector, const char *set, size_t n,
                          const char *reason)
{
    Ocop__Reply *r = s_get(k);
    const Ocop__RegProductDetail *d = r->reg_product_detail;
    assert_string_equal(d->product->catalogue_version, catalogue);
    assert_string_equal(d->product->sector_code, sector);
    assert_string_equal(d->product->product_set_code, set);
    if (d->n_classifications != n)
        fail_msg("product %s: %zu classifications, expected %zu", W.id[k], d->n_classifications, n);
    const Ocop__RegClassification *first = d->classifications[0], *last = d->classifications[n - 1];
    assert_string_equal(first->catalogue_version, s_plan[k].catalogue);
    assert_string_equal(first->sector_code, s_plan[k].sector);
    assert_string_equal(first->product_set_code, s_plan[k].set);
    assert_string_equal(first->by, "alice");
    assert_string_equal(first->reason, "as registered");
    assert_int_equal(first->time_ms, d->product->created_ms);
    assert_string_equal(last->catalogue_version, catalogue);
    assert_string_equal(last->sector_code, sector);
    assert_string_equal(last->product_set_code, set);
    if (n > 1) {
        assert_string_equal(last->by, "bob");
        assert_int_equal(last->time_ms, d->product->updated_ms);
        if (reason)
            assert_string_equal(last->reason, reason);
    }
    for (size_t i = 1; i < n; i++)
        assert_true(d->classifications[i]->time_ms >= d->classifications[i - 1]->time_ms);
    ITEST_FREE(r);
}

/* The number of products counted in catalogue × sector (all provinces, today's). */
static uint64_t s_count(const char *catalogue, const char *sector)
{
    Ocop__Reply *r = harness_counts(W.bob, NULL);
    ITEST_ASSERT_OK(r);
    uint64_t n = 0;
    for (size_t i = 0; i < r->reg_counts->n_rows; i++) {
        const Ocop__RegCount *row = r->reg_counts->rows[i];
        if (strcmp(row->catalogue_version, catalogue) == 0 && strcmp(row->sector_code, sector) == 0)
            n += row->count;
    }
    ITEST_FREE(r);
    return n;
}

typedef struct {
    uint8_t *bytes;
    size_t len;
    int64_t last;
} s_state_t;

static void s_take(s_state_t *st)
{
    assert_int_equal(harness_snapshot(W.h, W.alice, &st->bytes, &st->len), 0);
    st->last = harness_last_sequence(W.h);
}

/* The store and the event stream are as in before. */
static void s_assert_unchanged(const s_state_t *before, const char *what)
{
    s_state_t after;
    s_take(&after);
    if (after.last != before->last)
        fail_msg("%s: the last event moved from %lld to %lld", what, (long long)before->last, (long long)after.last);
    if (after.len != before->len || memcmp(after.bytes, before->bytes, after.len) != 0)
        fail_msg("%s: the store changed", what);
    free(after.bytes);
}

/* A refusal: status and field, a message, no body, and nothing changed. */
static void s_refused(Ocop__Reply *r, int status, const char *field, const s_state_t *before, const char *what)
{
    if (!r)
        fail_msg("%s: no reply", what);
    if ((int)r->status != status || strcmp(r->field, field) != 0)
        fail_msg("%s: %s field='%s' '%s', expected %s field='%s'", what, harness_status_name(r->status), r->field,
                 r->message, harness_status_name(status), field);
    assert_true(strlen(r->message) > 0);
    assert_int_equal(r->body_case, OCOP__REPLY__BODY__NOT_SET);
    print_message("  %-34s %s %s: %s\n", what, harness_status_name(r->status), r->field, r->message);
    ITEST_FREE(r);
    s_assert_unchanged(before, what);
}

/* A migration batch that moved `reclassified` products: when next is given, a full batch that
 * says where to go on (copied there), else one that says the catalogue is done. Returns the
 * ambiguous products the batch looked at. */
static uint32_t s_migrated(Ocop__Reply *r, uint32_t reclassified, char *next, size_t len)
{
    ITEST_ASSERT_OK(r);
    assert_int_equal(r->body_case, OCOP__REPLY__BODY_REG_CATALOGUE_MIGRATE_RESULT);
    const Ocop__RegCatalogueMigrateResult *m = r->reg_catalogue_migrate_result;
    if (m->reclassified != reclassified || (next != NULL) != (*m->next != '\0'))
        fail_msg("migration: reclassified %u next '%s', expected %u and %s", m->reclassified, m->next, reclassified,
                 next ? "a place to go on from" : "none");
    if (next)
        snprintf(next, len, "%s", m->next);
    uint32_t ambiguous = m->ambiguous;
    ITEST_FREE(r);
    return ambiguous;
}

/* ---------------------------------------------------------------- tests */

static void test_register_in_older_catalogues(void **state)
{
    (void)state;
    const char *communes[2] = {W.data.communes[0], W.data.communes[3]};
    const char *names[2] = {"HTX Thủy sản Cửa Lò", "HTX Nông nghiệp Mường Khương"};
    const char *tax[2] = {"2900100001", "5300200002"};
    for (int e = 0; e < 2; e++) {
        Ocop__Reply *r = harness_entity_register(W.alice, NULL, OCOP__ENTITY_TYPE__ENTITY_TYPE_COOPERATIVE, names[e],
                                                 tax[e], communes[e]);
        ITEST_ASSERT_OK(r);
        snprintf(W.entity[e], sizeof W.entity[e], "%s", r->reg_entity->id);
        ITEST_FREE(r);
    }
    for (int k = 0; k < S_PRODUCTS; k++) {
        Ocop__Reply *r = s_register(W.entity[s_plan[k].in_b], s_plan[k].name, s_plan[k].catalogue, s_plan[k].sector,
                                    s_plan[k].set, communes[s_plan[k].in_b]);
        ITEST_ASSERT_OK(r);
        snprintf(W.id[k], sizeof W.id[k], "%s", r->reg_product_detail->product->id);
        /* Never reclassified: one entry, the registered classification. */
        assert_int_equal(r->reg_product_detail->n_classifications, 1);
        ITEST_FREE(r);
        s_check_class(k, s_plan[k].catalogue, s_plan[k].sector, s_plan[k].set, 1, NULL);
    }
}

/* 1048 set 5.1 (decorative handicrafts, sector 5) has one successor: 148 set 21, in sector 4. */
static void test_reclassify_one_to_one(void **state)
{
    (void)state;
    int64_t last = harness_last_sequence(W.h);
    assert_int_equal(s_count("1048", "5"), 1);
    Ocop__Reply *r = s_reclassify(W.id[P1048_CRAFT], "148", "21", "148/QĐ-TTg replaces 1048/QĐ-TTg", 1);
    ITEST_ASSERT_OK(r);
    assert_int_equal(r->body_case, OCOP__REPLY__BODY_REG_PRODUCT_DETAIL);
    const Ocop__RegProduct *p = r->reg_product_detail->product;
    assert_string_equal(p->catalogue_version, "148");
    assert_string_equal(p->sector_code, "4");
    assert_string_equal(p->product_set_code, "21");
    assert_int_equal(p->revision, 2);
    assert_int_equal(r->reg_product_detail->n_classifications, 2);
    ITEST_FREE(r);
    s_check_class(P1048_CRAFT, "148", "4", "21", 2, "148/QĐ-TTg replaces 1048/QĐ-TTg");

    /* Exactly one event, saying where it came from. */
    assert_int_equal(harness_last_sequence(W.h), last + 1);
    Ocop__Event *ev[4];
    assert_int_equal(s_events_after(last, ev, 4), 1);
    assert_int_equal(ev[0]->body_case, OCOP__EVENT__BODY_REG_PRODUCT_RECLASSIFIED);
    const Ocop__RegProductReclassified *body = ev[0]->reg_product_reclassified;
    assert_string_equal(body->product->id, W.id[P1048_CRAFT]);
    assert_string_equal(body->product->catalogue_version, "148");
    assert_string_equal(body->product->sector_code, "4");
    assert_string_equal(body->product->product_set_code, "21");
    assert_int_equal(body->product->revision, 2);
    assert_string_equal(body->from_catalogue_version, "1048");
    assert_string_equal(body->from_sector_code, "5");
    assert_string_equal(body->from_product_set_code, "5.1");
    assert_string_equal(body->reason, "148/QĐ-TTg replaces 1048/QĐ-TTg");
    ocop__event__free_unpacked(ev[0], NULL);

    /* Counts and the list by sector follow. */
    assert_int_equal(s_count("1048", "5"), 0);
    assert_int_equal(s_count("148", "4"), 1);
    Ocop__RegProductList f = OCOP__REG_PRODUCT_LIST__INIT;
    f.sector_code = "4";
    char **ids;
    size_t n, pages;
    assert_int_equal(harness_product_list_all(W.alice, &f, 10, &ids, &n, &pages), 0);
    assert_int_equal(n, 1);
    assert_string_equal(ids[0], W.id[P1048_CRAFT]);
    harness_ids_free(ids, n);

    /* Duplicate screening compares it in its new set: the same name again there is refused. */
    r = s_register(W.entity[0], s_plan[P1048_CRAFT].name, "148", "4", "21", W.data.communes[0]);
    ITEST_ASSERT_ERROR(r, ST(CONFLICT), "name");
    ITEST_FREE(r);
}

static void test_refusals_change_nothing(void **state)
{
    (void)state;
    s_state_t before;
    s_take(&before);
    const char *spirit = W.id[P1048_SPIRIT], *b = W.id[P148_B];
    s_refused(s_reclassify(spirit, "148", "15", "new catalogue", 0), ST(INVALID), "product_set_code", &before,
              "a set the mapping does not list");
    s_refused(s_reclassify(spirit, "148", "99", "new catalogue", 0), ST(INVALID), "product_set_code", &before,
              "a set the catalogue lacks");
    s_refused(s_reclassify(spirit, "148", "", "new catalogue", 0), ST(INVALID), "product_set_code", &before, "no set");
    s_refused(s_reclassify(spirit, "2099", "14", "new catalogue", 0), ST(INVALID), "catalogue_version", &before,
              "an unknown catalogue");
    s_refused(s_reclassify(b, "1048", "2.1", "back to the old one", 0), ST(INVALID), "catalogue_version", &before,
              "an older catalogue");
    s_refused(s_reclassify(b, "148", "14", "the same one", 0), ST(INVALID), "catalogue_version", &before,
              "the same catalogue");
    s_refused(s_reclassify(spirit, "148", "14", "new catalogue", 7), ST(CONFLICT), "expected_revision", &before,
              "a stale revision");
    s_refused(s_reclassify(spirit, "148", "14", "", 0), ST(INVALID), "reason", &before, "no reason");
    s_refused(s_reclassify("PRD-99999999", "148", "14", "new catalogue", 0), ST(NOT_FOUND), "product_id", &before,
              "an unknown product");
    s_refused(s_migrate("148", "1048", "", 0, ""), ST(INVALID), "to_catalogue_version", &before,
              "migrate to an older catalogue");
    s_refused(s_migrate("148", "148", "", 0, ""), ST(INVALID), "to_catalogue_version", &before,
              "migrate to the same catalogue");
    s_refused(s_migrate("781", "148", "", 0, ""), ST(INVALID), "from_catalogue_version", &before,
              "migrate from an unknown catalogue");
    s_refused(s_migrate("1048", "148", "", 5001, ""), ST(INVALID), "max", &before, "a batch over 5000");
    s_refused(s_migrate_after("1048", "148", "", 0, "", "99/PRD-00000001"), ST(INVALID), "after", &before,
              "after in a sector the catalogue lacks");
    s_refused(s_migrate_after("1048", "148", "", 0, "", "PRD-00000001"), ST(INVALID), "after", &before,
              "after without its sector");
    free(before.bytes);
}

/* 1048 → 148 in batches of one, each going on where the last stopped: the two one-to-one
 * products move, the two ambiguous ones are counted once over the batches; a re-run changes
 * nothing; a person then resolves an ambiguous one. */
static void test_migrate_in_batches(void **state)
{
    (void)state;
    int64_t last = harness_last_sequence(W.h);
    char next[160], again[160];
    uint32_t ambiguous = s_migrated(s_migrate("1048", "148", "", 1, ""), 1, next, sizeof next);
    ambiguous += s_migrated(s_migrate_after("1048", "148", "", 1, "", next), 1, again, sizeof again);
    assert_string_not_equal(again, next);
    /* The batch after a full one finds nothing more to move: the catalogue is done. */
    ambiguous += s_migrated(s_migrate_after("1048", "148", "", 1, "", again), 0, NULL, 0);
    assert_int_equal(ambiguous, 2);
    assert_int_equal(harness_last_sequence(W.h), last + 2);
    s_check_class(P1048_FISH, "148", "1", "8", 2, "catalogue 1048 replaced by 148");
    s_check_class(P1048_SPIRIT, "148", "2", "14", 2, "catalogue 1048 replaced by 148");
    s_check_class(P1048_HONEY, "1048", "1", "1.4", 1, NULL);
    s_check_class(P1048_DEVICE, "1048", "3", "3.3", 1, NULL);
    Ocop__Event *ev[4];
    assert_int_equal(s_events_after(last, ev, 4), 2);
    for (int i = 0; i < 2; i++) {
        assert_int_equal(ev[i]->body_case, OCOP__EVENT__BODY_REG_PRODUCT_RECLASSIFIED);
        assert_string_equal(ev[i]->reg_product_reclassified->from_catalogue_version, "1048");
        ocop__event__free_unpacked(ev[i], NULL);
    }

    s_state_t before;
    s_take(&before);
    assert_int_equal(s_migrated(s_migrate("1048", "148", "", 0, ""), 0, NULL, 0), 2);
    s_assert_unchanged(&before, "a second migration");
    free(before.bytes);

    /* The ambiguous ones: a person picks a listed set; 1048 is then empty but for the device. */
    Ocop__Reply *r = s_reclassify(W.id[P1048_HONEY], "148", "4", "raw honey, not a processed product", 0);
    ITEST_ASSERT_OK(r);
    ITEST_FREE(r);
    s_check_class(P1048_HONEY, "148", "1", "4", 2, "raw honey, not a processed product");
    assert_int_equal(s_migrated(s_migrate("1048", "148", "", 0, ""), 0, NULL, 0), 1);
    assert_int_equal(s_count("1048", "1"), 0);
    assert_int_equal(s_count("1048", "3"), 1);
}

/* 148 → 26-2026 is one-to-one: province B alone first, then the rest, then nothing. */
static void test_migrate_by_province(void **state)
{
    (void)state;
    assert_int_equal(
        s_migrated(s_migrate("148", "26-2026", W.data.province_b, 0, "26/2026/QĐ-TTg in force"), 1, NULL, 0), 0);
    s_check_class(P148_B, "26-2026", "2", "14", 2, "26/2026/QĐ-TTg in force");
    s_check_class(P148_A, "148", "1", "9", 1, NULL);
    /* The 148 products of province A: P148_A and the four moved from 1048. */
    assert_int_equal(s_migrated(s_migrate("148", "26-2026", "", 0, "26/2026/QĐ-TTg in force"), 5, NULL, 0), 0);
    s_check_class(P148_A, "26-2026", "1", "9", 2, "26/2026/QĐ-TTg in force");
    s_check_class(P1048_FISH, "26-2026", "1", "8", 3, "26/2026/QĐ-TTg in force");
    s_check_class(P1048_CRAFT, "26-2026", "4", "21", 3, "26/2026/QĐ-TTg in force");
    s_state_t before;
    s_take(&before);
    assert_int_equal(s_migrated(s_migrate("148", "26-2026", "", 0, ""), 0, NULL, 0), 0);
    s_assert_unchanged(&before, "a second migration");
    /* The device is still in 1048: it may go to 26-2026 in one step, to what 148's sets lead to. */
    s_refused(s_reclassify(W.id[P1048_DEVICE], "26-2026", "18", "medicine", 0), ST(INVALID), "product_set_code",
              &before, "through 148 to an unlisted set");
    free(before.bytes);
}

static void test_reclassify_across_two_catalogues(void **state)
{
    (void)state;
    Ocop__Reply *r = s_reclassify(W.id[P1048_DEVICE], "26-2026", "20", "herbal compress pillow", 0);
    ITEST_ASSERT_OK(r);
    ITEST_FREE(r);
    s_check_class(P1048_DEVICE, "26-2026", "3", "20", 2, "herbal compress pillow");
    assert_int_equal(s_count("1048", "3"), 0);
}

static void test_restart_keeps_classifications(void **state)
{
    (void)state;
    s_state_t before;
    s_take(&before);
    assert_int_equal(harness_stop(W.h), 0);
    assert_int_equal(harness_start(W.h), 0);
    assert_int_equal(s_connect(), 0);
    s_assert_unchanged(&before, "a restart");
    free(before.bytes);
    /* The in-memory screening index is rebuilt with the new classifications. */
    Ocop__Reply *r = s_register(W.entity[0], s_plan[P148_A].name, "26-2026", "1", "9", W.data.communes[0]);
    ITEST_ASSERT_ERROR(r, ST(CONFLICT), "name");
    ITEST_FREE(r);
    r = s_register(W.entity[0], s_plan[P148_A].name, "148", "1", "9", W.data.communes[0]);
    ITEST_ASSERT_OK(r); /* 148 set 9 no longer holds it */
    ITEST_FREE(r);
    assert_int_equal(harness_stop(W.h), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_register_in_older_catalogues),  cmocka_unit_test(test_reclassify_one_to_one),
        cmocka_unit_test(test_refusals_change_nothing),       cmocka_unit_test(test_migrate_in_batches),
        cmocka_unit_test(test_migrate_by_province),           cmocka_unit_test(test_reclassify_across_two_catalogues),
        cmocka_unit_test(test_restart_keeps_classifications),
    };
    return cmocka_run_group_tests_name("registration_reclassify", tests, s_setup, s_teardown);
}
