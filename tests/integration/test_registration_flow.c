/* Integration: register → get → list → stage transitions with history → counts → restart.
 *
 * Runs the real ocop-registration on loopback (harness). The tests run in order and share one
 * service and one store: entities and products registered first are listed, moved through
 * the OCOP cycle, counted, and finally checked again after a SIGTERM and a restart on the
 * same store, where every observation (gets, lists, counts, the event stream) must be
 * byte-for-byte what it was before. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <lmdb.h>
#include <unistd.h>

#include "harness.h"
#include "itest_assert.h"
#include "ocop_db.h"

#define S_ENTITIES 3
#define S_PRODUCTS 11
#define S_HISTORY_MAX 16

#define ST(x) OCOP__STAGE__STAGE_##x
#define ACT(x) OCOP__STAGE_ACTION__STAGE_ACTION_##x

typedef struct {
    Ocop__Stage from, to;
    Ocop__StageAction action;
    char by[32];
    char reason[128];
} s_change_t;

typedef struct {
    char id[32];
    int entity; /* index into s_world.entities */
    const char *name;
    const char *sector;
    const char *set;
    const char *commune;
    const char *province;
    Ocop__Stage stage;
    uint64_t revision;
    s_change_t history[S_HISTORY_MAX];
    size_t n_history;
} s_product_t;

typedef struct {
    char id[32];
    const char *name;
    const char *tax_code;
    Ocop__EntityType type;
    const char *commune;
    const char *province;
} s_entity_t;

static struct {
    harness_t *h;
    harness_data_t data;
    ocop_client_t *alice; /* the producer side: registers, submits, resubmits, withdraws */
    ocop_client_t *bob;   /* the commune / council side: accepts, rejects, promotes */
    s_entity_t entities[S_ENTITIES];
    s_product_t products[S_PRODUCTS];
    int64_t t_start_ms; /* wall clock before the first write: every recorded time is later */
    uint8_t *snapshot;  /* observations before the restart */
    size_t snapshot_len;
    int64_t last_seq_before_restart;
} s_world;

/* ---------------------------------------------------------------- setup */

static int s_connect_clients(void)
{
    ocop_client_destroy(&s_world.alice);
    ocop_client_destroy(&s_world.bob);
    s_world.alice = harness_connect(s_world.h, NULL, "alice");
    s_world.bob = harness_connect(s_world.h, NULL, "bob");
    return s_world.alice && s_world.bob ? 0 : -1;
}

static int s_group_setup(void **state)
{
    (void)state;
    memset(&s_world, 0, sizeof s_world);
    s_world.h = harness_new(NULL);
    if (!s_world.h || harness_data_load(s_world.h->rules_dir, &s_world.data) != 0 || harness_start(s_world.h) != 0 ||
        s_connect_clients() != 0)
        return -1;
    const harness_data_t *d = &s_world.data;
    static const char *entity_names[S_ENTITIES] = {"HTX Nông nghiệp Tân Cương", "Công ty TNHH Thực phẩm Hồng Hà",
                                                   "Hộ kinh doanh Lò Văn Sáng"};
    static const char *tax_codes[S_ENTITIES] = {"4600100001", "0100200002", "5400300003"};
    static const Ocop__EntityType types[S_ENTITIES] = {OCOP__ENTITY_TYPE__ENTITY_TYPE_COOPERATIVE,
                                                       OCOP__ENTITY_TYPE__ENTITY_TYPE_ENTERPRISE,
                                                       OCOP__ENTITY_TYPE__ENTITY_TYPE_HOUSEHOLD_BUSINESS};
    /* Entities 0 and 1 in two communes of province A, entity 2 in province B. */
    const char *communes[S_ENTITIES] = {d->communes[0], d->communes[1], d->communes[3]};
    const char *provinces[S_ENTITIES] = {d->province_a, d->province_a, d->province_b};
    for (int i = 0; i < S_ENTITIES; i++)
        s_world.entities[i] = (s_entity_t){.name = entity_names[i],
                                           .tax_code = tax_codes[i],
                                           .type = types[i],
                                           .commune = communes[i],
                                           .province = provinces[i]};
    /* Distinct names, processed, sets that are not fresh: nothing is flagged for review, so
     * every transition below is allowed. */
    static const struct {
        int entity;
        const char *name;
        int sector_b;
    } plan[S_PRODUCTS] = {
        {0, "Mật ong rừng tràm", 0},     {0, "Trà mãng cầu sấy", 1},       {0, "Nước mắm cá cơm", 0},
        {0, "Bánh tráng phơi sương", 0}, {0, "Rượu cần men lá", 1},        {0, "Tinh dầu sả chanh", 0},
        {0, "Miến dong làng So", 0},     {1, "Cà phê bột nguyên chất", 0}, {1, "Hạt điều rang muối", 1},
        {2, "Chè Shan tuyết cổ thụ", 1}, {2, "Gạo thơm ST25", 0},
    };
    for (int i = 0; i < S_PRODUCTS; i++) {
        s_product_t *p = &s_world.products[i];
        p->entity = plan[i].entity;
        p->name = plan[i].name;
        p->sector = plan[i].sector_b ? d->sector_b : d->sector;
        p->set = plan[i].sector_b ? d->product_set_b : d->product_set;
        p->commune = s_world.entities[p->entity].commune;
        p->province = s_world.entities[p->entity].province;
    }
    return 0;
}

static int s_group_teardown(void **state)
{
    (void)state;
    ocop_client_destroy(&s_world.alice);
    ocop_client_destroy(&s_world.bob);
    harness_destroy(&s_world.h);
    free(s_world.snapshot);
    s_world.snapshot = NULL;
    return 0;
}

/* ---------------------------------------------------------------- helpers */

static int s_product_index(const char *id)
{
    for (int i = 0; i < S_PRODUCTS; i++)
        if (strcmp(s_world.products[i].id, id) == 0)
            return i;
    return -1;
}

static void s_record_change(s_product_t *p, Ocop__Stage from, Ocop__Stage to, Ocop__StageAction action, const char *by,
                            const char *reason)
{
    assert_true(p->n_history < S_HISTORY_MAX);
    s_change_t *c = &p->history[p->n_history++];
    c->from = from;
    c->to = to;
    c->action = action;
    snprintf(c->by, sizeof c->by, "%s", by);
    snprintf(c->reason, sizeof c->reason, "%s", reason ? reason : "");
}

/* The product as the service returns it matches the model: stage, revision and the whole
 * history (who, what, why, and a time inside the test's window in non-decreasing order). */
static void s_check_detail(const Ocop__RegProductDetail *d, const s_product_t *p)
{
    assert_non_null(d);
    assert_non_null(d->product);
    const Ocop__RegProduct *rp = d->product;
    const s_entity_t *e = &s_world.entities[p->entity];
    assert_string_equal(rp->id, p->id);
    assert_string_equal(rp->entity_id, e->id);
    assert_string_equal(rp->name, p->name);
    assert_true(strlen(rp->normalized_name) > 0);
    assert_string_equal(rp->catalogue_version, s_world.data.catalogue_version);
    assert_string_equal(rp->sector_code, p->sector);
    assert_string_equal(rp->product_set_code, p->set);
    assert_string_equal(rp->unit_version, s_world.data.unit_version);
    assert_string_equal(rp->commune_code, p->commune);
    assert_string_equal(rp->province_code, p->province);
    assert_string_equal(rp->current_province_code, p->province);
    assert_int_equal(rp->processing, OCOP__PROCESSING_LEVEL__PROCESSING_PROCESSED);
    assert_int_equal(rp->n_standards, 2);
    assert_string_equal(rp->standards[0], "VietGAP");
    assert_string_equal(rp->standards[1], "HACCP");
    assert_int_equal(rp->review, OCOP__REVIEW_STATE__REVIEW_NONE);
    assert_int_equal(rp->n_flags, 0);
    assert_int_equal(rp->stage, p->stage);
    assert_int_equal(rp->revision, p->revision);
    assert_true(rp->created_ms >= s_world.t_start_ms && rp->created_ms <= harness_wall_ms());
    assert_true(rp->updated_ms >= rp->created_ms);

    if (d->n_history != p->n_history)
        fail_msg("product %s: %zu history entries, expected %zu", p->id, d->n_history, p->n_history);
    int64_t prev = s_world.t_start_ms;
    for (size_t i = 0; i < p->n_history; i++) {
        const Ocop__RegStageChange *got = d->history[i];
        const s_change_t *want = &p->history[i];
        assert_int_equal(got->from, want->from);
        assert_int_equal(got->to, want->to);
        assert_int_equal(got->action, want->action);
        assert_string_equal(got->by, want->by);
        if (want->reason[0])
            assert_string_equal(got->reason, want->reason);
        assert_true(got->time_ms >= prev);
        assert_true(got->time_ms <= harness_wall_ms());
        prev = got->time_ms;
    }
    /* The last change is the product's last update. */
    if (p->n_history)
        assert_int_equal(d->history[p->n_history - 1]->time_ms, rp->updated_ms);
    assert_int_equal(d->n_reviews, 0);
}

static void s_check_get(int i)
{
    Ocop__Reply *r = harness_product_get(s_world.alice, s_world.products[i].id);
    ITEST_ASSERT_OK(r);
    assert_int_equal(r->body_case, OCOP__REPLY__BODY_REG_PRODUCT_DETAIL);
    s_check_detail(r->reg_product_detail, &s_world.products[i]);
    ITEST_FREE(r);
}

/* A transition through client c (caller by); checks the reply against the model. */
static void s_transition_ok(ocop_client_t *c, const char *by, int i, Ocop__StageAction action, Ocop__Stage to,
                            const char *reason)
{
    s_product_t *p = &s_world.products[i];
    Ocop__Reply *r = harness_transition(c, p->id, action, reason);
    ITEST_ASSERT_OK(r);
    assert_int_equal(r->body_case, OCOP__REPLY__BODY_REG_PRODUCT_DETAIL);
    s_record_change(p, p->stage, to, action, by, reason);
    p->stage = to;
    p->revision++;
    s_check_detail(r->reg_product_detail, p);
    ITEST_FREE(r);
}

/* A refused transition: the status and field, and the product is exactly as before. */
static void s_transition_refused(ocop_client_t *c, int i, Ocop__StageAction action, const char *reason, int status,
                                 const char *field)
{
    int64_t before = harness_last_sequence(s_world.h);
    Ocop__Reply *r = harness_transition(c, s_world.products[i].id, action, reason);
    ITEST_ASSERT_ERROR(r, status, field);
    assert_int_equal(r->body_case, OCOP__REPLY__BODY__NOT_SET);
    ITEST_FREE(r);
    assert_int_equal(harness_last_sequence(s_world.h), before);
    s_check_get(i);
}

static int s_contains(char **ids, size_t n, const char *id)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(ids[i], id) == 0)
            return 1;
    return 0;
}

typedef int (*s_product_pred_t)(const s_product_t *p, const void *arg);

/* Lists with filter in pages of page_limit and checks the result is exactly the products the
 * model selects, in id (= creation) order, without repeats; returns the number of pages. */
static size_t s_check_product_list(const Ocop__RegProductList *filter, unsigned page_limit, s_product_pred_t pred,
                                   const void *arg)
{
    char **ids;
    size_t n, pages;
    assert_int_equal(harness_product_list_all(s_world.alice, filter, page_limit, &ids, &n, &pages), 0);
    size_t expected = 0;
    for (int i = 0; i < S_PRODUCTS; i++)
        if (pred(&s_world.products[i], arg)) {
            expected++;
            if (!s_contains(ids, n, s_world.products[i].id))
                fail_msg("product %s missing from the list", s_world.products[i].id);
        }
    for (size_t i = 0; i < n; i++) {
        int k = s_product_index(ids[i]);
        if (k < 0 || !pred(&s_world.products[k], arg))
            fail_msg("product %s should not be in the list", ids[i]);
        if (i > 0 && strcmp(ids[i - 1], ids[i]) >= 0)
            fail_msg("list out of order or repeated: %s then %s", ids[i - 1], ids[i]);
    }
    assert_int_equal(n, expected);
    harness_ids_free(ids, n);
    return pages;
}

static int s_pred_province(const s_product_t *p, const void *arg)
{
    return strcmp(p->province, arg) == 0;
}
static int s_pred_commune(const s_product_t *p, const void *arg)
{
    return strcmp(p->commune, arg) == 0;
}
static int s_pred_entity(const s_product_t *p, const void *arg)
{
    return strcmp(s_world.entities[p->entity].id, arg) == 0;
}
static int s_pred_stage(const s_product_t *p, const void *arg)
{
    return p->stage == *(const Ocop__Stage *)arg;
}
static int s_pred_sector(const s_product_t *p, const void *arg)
{
    return strcmp(p->sector, arg) == 0;
}
static int s_pred_province_stage(const s_product_t *p, const void *arg)
{
    return strcmp(p->province, s_world.data.province_a) == 0 && p->stage == *(const Ocop__Stage *)arg;
}

/* ---------------------------------------------------------------- tests */

static void test_register_and_get(void **state)
{
    (void)state;
    s_world.t_start_ms = harness_wall_ms();
    assert_int_equal(harness_last_sequence(s_world.h), 0);
    for (int i = 0; i < S_ENTITIES; i++) {
        s_entity_t *e = &s_world.entities[i];
        Ocop__Reply *r = harness_entity_register(s_world.alice, NULL, e->type, e->name, e->tax_code, e->commune);
        ITEST_ASSERT_OK(r);
        assert_int_equal(r->body_case, OCOP__REPLY__BODY_REG_ENTITY);
        snprintf(e->id, sizeof e->id, "%s", r->reg_entity->id);
        assert_true(strlen(e->id) > 0);
        ITEST_FREE(r);

        r = harness_entity_get(s_world.bob, e->id);
        ITEST_ASSERT_OK(r);
        const Ocop__RegEntity *got = r->reg_entity;
        assert_string_equal(got->id, e->id);
        assert_int_equal(got->type, e->type);
        assert_string_equal(got->name, e->name);
        assert_true(strlen(got->normalized_name) > 0);
        assert_string_equal(got->tax_code, e->tax_code);
        assert_string_equal(got->unit_version, s_world.data.unit_version);
        assert_string_equal(got->commune_code, e->commune);
        assert_string_equal(got->province_code, e->province);
        assert_string_equal(got->current_province_code, e->province);
        assert_string_equal(got->representative, "Nguyễn Văn An");
        assert_string_equal(got->phone, "+84912345678");
        assert_int_equal(got->revision, 1);
        assert_true(got->created_ms >= s_world.t_start_ms && got->created_ms == got->updated_ms);
        ITEST_FREE(r);
    }
    /* The legal form is not part of the comparison key. */
    Ocop__Reply *r = harness_entity_get(s_world.alice, s_world.entities[0].id);
    ITEST_ASSERT_OK(r);
    assert_null(strstr(r->reg_entity->normalized_name, "htx"));
    ITEST_FREE(r);

    for (int i = 0; i < S_PRODUCTS; i++) {
        s_product_t *p = &s_world.products[i];
        r = harness_product_register(s_world.alice, s_world.entities[p->entity].id, p->name, p->sector, p->set,
                                     p->commune, OCOP__PROCESSING_LEVEL__PROCESSING_PROCESSED);
        ITEST_ASSERT_OK(r);
        assert_int_equal(r->body_case, OCOP__REPLY__BODY_REG_PRODUCT_DETAIL);
        snprintf(p->id, sizeof p->id, "%s", r->reg_product_detail->product->id);
        p->stage = ST(IDEA_SUBMITTED);
        p->revision = 1;
        s_record_change(p, ST(UNSPECIFIED), ST(IDEA_SUBMITTED), ACT(SUBMIT), "alice", NULL);
        s_check_detail(r->reg_product_detail, p);
        ITEST_FREE(r);
        if (i > 0)
            assert_true(strcmp(s_world.products[i - 1].id, p->id) < 0);
    }
    for (int i = 0; i < S_PRODUCTS; i++)
        s_check_get(i);
    /* One event per registration, nothing else. */
    assert_int_equal(harness_last_sequence(s_world.h), S_ENTITIES + S_PRODUCTS);
}

static void s_check_lists(void)
{
    const harness_data_t *d = &s_world.data;
    Ocop__RegProductList f = OCOP__REG_PRODUCT_LIST__INIT;

    /* By province, 4 per page: 9 products in province A need 3 pages. */
    f.province_code = (char *)d->province_a;
    assert_int_equal(s_check_product_list(&f, 4, s_pred_province, d->province_a), 3);
    f.province_code = (char *)d->province_b;
    s_check_product_list(&f, 4, s_pred_province, d->province_b);
    f.province_code = "";

    /* By commune, 3 per page: entity 0's 7 products need 3 pages. */
    f.commune_code = (char *)d->communes[0];
    assert_int_equal(s_check_product_list(&f, 3, s_pred_commune, d->communes[0]), 3);
    f.commune_code = (char *)d->communes[1];
    s_check_product_list(&f, 3, s_pred_commune, d->communes[1]);
    f.commune_code = (char *)d->communes[2]; /* a commune with nothing registered */
    s_check_product_list(&f, 3, s_pred_commune, d->communes[2]);
    f.commune_code = "";

    /* By entity, one per page: every product is its own page. */
    for (int e = 0; e < S_ENTITIES; e++) {
        f.entity_id = s_world.entities[e].id;
        s_check_product_list(&f, 1, s_pred_entity, s_world.entities[e].id);
    }
    f.entity_id = "";

    /* By stage (every stage the model uses, and one nobody is in), by sector, and combined. */
    static const Ocop__Stage stages[] = {ST(IDEA_SUBMITTED), ST(IDEA_REJECTED), ST(PLAN_PREPARING),
                                         ST(PLAN_SUBMITTED), ST(WITHDRAWN),     ST(TRADE_PROMOTION),
                                         ST(EVALUATING)};
    for (size_t i = 0; i < sizeof stages / sizeof stages[0]; i++) {
        f.stage = stages[i];
        s_check_product_list(&f, 2, s_pred_stage, &stages[i]);
        f.province_code = (char *)d->province_a;
        s_check_product_list(&f, 2, s_pred_province_stage, &stages[i]);
        f.province_code = "";
    }
    f.stage = ST(UNSPECIFIED);
    f.sector_code = (char *)d->sector_b;
    s_check_product_list(&f, 2, s_pred_sector, d->sector_b);
    f.sector_code = "";

    /* Entities by province (one per page) and by commune. */
    Ocop__RegEntityList ef = OCOP__REG_ENTITY_LIST__INIT;
    ef.province_code = (char *)d->province_a;
    char **ids;
    size_t n, pages;
    assert_int_equal(harness_entity_list_all(s_world.bob, &ef, 1, &ids, &n, &pages), 0);
    assert_int_equal(n, 2);
    assert_true(pages >= 2);
    assert_string_equal(ids[0], s_world.entities[0].id);
    assert_string_equal(ids[1], s_world.entities[1].id);
    harness_ids_free(ids, n);
    ef.province_code = "";
    ef.commune_code = (char *)d->communes[3];
    assert_int_equal(harness_entity_list_all(s_world.bob, &ef, 10, &ids, &n, &pages), 0);
    assert_int_equal(n, 1);
    assert_string_equal(ids[0], s_world.entities[2].id);
    harness_ids_free(ids, n);
}

/* Sends REQ with *LIMIT set to VALUE: OK expected when REFUSED_FIELD is NULL, else INVALID naming
 * that field. */
static void s_check_limit(Ocop__Request *req, uint32_t *limit, uint32_t value, const char *refused_field)
{
    *limit = value;
    Ocop__Reply *r;
    assert_int_equal(harness_call(s_world.h->client, req, &r), 0);
    if (refused_field)
        ITEST_ASSERT_ERROR(r, OCOP__STATUS__STATUS_INVALID, refused_field);
    else
        ITEST_ASSERT_OK(r);
    ITEST_FREE(r);
}

/* A page larger than the lists give (1000 rows) is refused, not cut down. */
static void s_check_page_limits(void)
{
    Ocop__RegProductList pl = OCOP__REG_PRODUCT_LIST__INIT;
    Ocop__RegEntityList el = OCOP__REG_ENTITY_LIST__INIT;
    Ocop__RegUnitList ul = OCOP__REG_UNIT_LIST__INIT;
    Ocop__Request req = OCOP__REQUEST__INIT;
    req.body_case = OCOP__REQUEST__BODY_REG_PRODUCT_LIST;
    req.reg_product_list = &pl;
    s_check_limit(&req, &pl.limit, 1000, NULL);
    s_check_limit(&req, &pl.limit, 1001, "limit");
    req.body_case = OCOP__REQUEST__BODY_REG_ENTITY_LIST;
    req.reg_entity_list = &el;
    s_check_limit(&req, &el.limit, 1000, NULL);
    s_check_limit(&req, &el.limit, 1001, "limit");
    req.body_case = OCOP__REQUEST__BODY_REG_UNIT_LIST;
    req.reg_unit_list = &ul;
    s_check_limit(&req, &ul.limit, 1000, NULL);
    s_check_limit(&req, &ul.limit, UINT32_MAX, "limit");
}

static void test_lists_and_pagination(void **state)
{
    (void)state;
    s_check_lists();
    s_check_page_limits();
}

static void test_stage_transitions_with_history(void **state)
{
    (void)state;
    ocop_client_t *alice = s_world.alice, *bob = s_world.bob;
    /* Product 0 goes the whole way, with a rejected plan and its resubmission on the way. */
    s_transition_ok(bob, "bob", 0, ACT(ACCEPT), ST(PLAN_PREPARING), "idea fits the commune plan");
    s_transition_ok(alice, "alice", 0, ACT(SUBMIT), ST(PLAN_SUBMITTED), NULL);
    s_transition_refused(bob, 0, ACT(REJECT), "", OCOP__STATUS__STATUS_INVALID, "reason");
    s_transition_ok(bob, "bob", 0, ACT(REJECT), ST(PLAN_REJECTED), "plan lacks a market study");
    s_transition_refused(bob, 0, ACT(ACCEPT), NULL, OCOP__STATUS__STATUS_ILLEGAL_STATE, "action");
    s_transition_ok(alice, "alice", 0, ACT(RESUBMIT), ST(PLAN_SUBMITTED), "market study added");
    s_transition_ok(bob, "bob", 0, ACT(ACCEPT), ST(IMPLEMENTING), NULL);
    s_transition_ok(alice, "alice", 0, ACT(SUBMIT), ST(READY_FOR_EVALUATION), NULL);
    s_transition_ok(bob, "bob", 0, ACT(ACCEPT), ST(EVALUATING), NULL);
    s_transition_ok(bob, "bob", 0, ACT(PROMOTE), ST(TRADE_PROMOTION), NULL);
    s_transition_refused(alice, 0, ACT(WITHDRAW), "too late", OCOP__STATUS__STATUS_ILLEGAL_STATE, "action");

    /* Product 1: idea rejected, resubmitted, then withdrawn (a withdrawal needs a reason). */
    s_transition_ok(bob, "bob", 1, ACT(REJECT), ST(IDEA_REJECTED), "same as an existing product");
    s_transition_ok(alice, "alice", 1, ACT(RESUBMIT), ST(IDEA_SUBMITTED), "recipe differs");
    s_transition_refused(alice, 1, ACT(WITHDRAW), "", OCOP__STATUS__STATUS_INVALID, "reason");
    s_transition_ok(alice, "alice", 1, ACT(WITHDRAW), ST(WITHDRAWN), "producer stopped");
    s_transition_refused(alice, 1, ACT(RESUBMIT), NULL, OCOP__STATUS__STATUS_ILLEGAL_STATE, "action");

    /* Others in province A and B, so counts and stage lists have several cells. */
    s_transition_ok(bob, "bob", 7, ACT(ACCEPT), ST(PLAN_PREPARING), NULL);
    s_transition_ok(bob, "bob", 8, ACT(ACCEPT), ST(PLAN_PREPARING), NULL);
    s_transition_ok(bob, "bob", 9, ACT(REJECT), ST(IDEA_REJECTED), "not a local product");
    s_transition_ok(bob, "bob", 10, ACT(ACCEPT), ST(PLAN_PREPARING), NULL);
    s_transition_ok(alice, "alice", 10, ACT(SUBMIT), ST(PLAN_SUBMITTED), NULL);

    for (int i = 0; i < S_PRODUCTS; i++)
        s_check_get(i);
    /* Lists by stage follow the transitions. */
    s_check_lists();
}

/* Counts for province (NULL = all) equal the model's province × sector × stage table. */
static void s_check_counts(const char *province)
{
    Ocop__Reply *r = harness_counts(s_world.bob, province);
    ITEST_ASSERT_OK(r);
    assert_int_equal(r->body_case, OCOP__REPLY__BODY_REG_COUNTS);
    const Ocop__RegCounts *c = r->reg_counts;
    uint64_t total = 0;
    for (size_t i = 0; i < c->n_rows; i++) {
        const Ocop__RegCount *row = c->rows[i];
        if (province)
            assert_string_equal(row->province_code, province);
        assert_string_equal(row->catalogue_version, s_world.data.catalogue_version);
        assert_true(row->count > 0);
        uint64_t expected = 0;
        for (int k = 0; k < S_PRODUCTS; k++) {
            const s_product_t *p = &s_world.products[k];
            expected += strcmp(p->province, row->province_code) == 0 && strcmp(p->sector, row->sector_code) == 0 &&
                        p->stage == row->stage;
        }
        if (row->count != expected)
            fail_msg("count %s × %s × %d is %llu, expected %llu", row->province_code, row->sector_code, (int)row->stage,
                     (unsigned long long)row->count, (unsigned long long)expected);
        for (size_t j = 0; j < i; j++)
            assert_false(strcmp(c->rows[j]->province_code, row->province_code) == 0 &&
                         strcmp(c->rows[j]->sector_code, row->sector_code) == 0 && c->rows[j]->stage == row->stage);
        total += row->count;
    }
    /* Every product is in exactly one cell. */
    uint64_t expected_total = 0;
    for (int k = 0; k < S_PRODUCTS; k++)
        expected_total += !province || strcmp(s_world.products[k].province, province) == 0;
    assert_int_equal(total, expected_total);
    ITEST_FREE(r);
}

static void test_counts_follow_changes(void **state)
{
    (void)state;
    s_check_counts(NULL);
    s_check_counts(s_world.data.province_a);
    s_check_counts(s_world.data.province_b);
    /* A province with nothing registered has no rows. */
    Ocop__Reply *r = harness_counts(s_world.bob, "99");
    ITEST_ASSERT_OK(r);
    assert_int_equal(r->reg_counts->n_rows, 0);
    ITEST_FREE(r);

    /* One more transition moves exactly one product from one cell to another. */
    s_transition_ok(s_world.alice, "alice", 7, ACT(SUBMIT), ST(PLAN_SUBMITTED), NULL);
    s_check_counts(NULL);
    s_check_counts(s_world.data.province_a);
}

/* ---------------------------------------------------------------- snapshot across the restart */

typedef struct {
    uint8_t *data;
    size_t len, cap;
} s_buf_t;

static void s_buf_add(s_buf_t *b, const void *data, size_t len)
{
    if (b->len + len + 8 > b->cap) {
        size_t cap = (b->cap ? b->cap : 4096);
        while (cap < b->len + len + 8)
            cap *= 2;
        uint8_t *grown = realloc(b->data, cap);
        assert_non_null(grown);
        b->data = grown;
        b->cap = cap;
    }
    /* Length-prefixed, so two different sequences of parts never give the same bytes. */
    uint64_t n = len;
    memcpy(b->data + b->len, &n, 8);
    memcpy(b->data + b->len + 8, data, len);
    b->len += len + 8;
}

static void s_buf_add_msg(s_buf_t *b, const ProtobufCMessage *msg)
{
    size_t len = protobuf_c_message_get_packed_size(msg);
    uint8_t *tmp = malloc(len ? len : 1);
    assert_non_null(tmp);
    protobuf_c_message_pack(msg, tmp);
    s_buf_add(b, tmp, len);
    free(tmp);
}

static void s_buf_add_list(s_buf_t *b, const Ocop__RegProductList *filter, unsigned limit)
{
    char **ids;
    size_t n, pages;
    assert_int_equal(harness_product_list_all(s_world.alice, filter, limit, &ids, &n, &pages), 0);
    for (size_t i = 0; i < n; i++)
        s_buf_add(b, ids[i], strlen(ids[i]));
    s_buf_add(b, &pages, sizeof pages);
    harness_ids_free(ids, n);
}

/* Everything a client can observe, as bytes: Ping's last sequence, every entity and product
 * (with history), the lists, the counts and the whole event stream. */
static void s_observe(s_buf_t *b)
{
    int64_t last = harness_last_sequence(s_world.h);
    assert_true(last > 0);
    s_buf_add(b, &last, sizeof last);
    for (int i = 0; i < S_ENTITIES; i++) {
        Ocop__Reply *r = harness_entity_get(s_world.alice, s_world.entities[i].id);
        ITEST_ASSERT_OK(r);
        s_buf_add_msg(b, &r->reg_entity->base);
        ITEST_FREE(r);
    }
    for (int i = 0; i < S_PRODUCTS; i++) {
        Ocop__Reply *r = harness_product_get(s_world.alice, s_world.products[i].id);
        ITEST_ASSERT_OK(r);
        s_buf_add_msg(b, &r->reg_product_detail->base);
        ITEST_FREE(r);
    }
    Ocop__RegProductList f = OCOP__REG_PRODUCT_LIST__INIT;
    s_buf_add_list(b, &f, 5);
    f.province_code = (char *)s_world.data.province_a;
    s_buf_add_list(b, &f, 4);
    f.province_code = "";
    f.commune_code = (char *)s_world.data.communes[0];
    s_buf_add_list(b, &f, 3);
    f.commune_code = "";
    f.entity_id = s_world.entities[1].id;
    s_buf_add_list(b, &f, 1);
    f.entity_id = "";
    f.stage = ST(PLAN_PREPARING);
    s_buf_add_list(b, &f, 2);
    Ocop__Reply *r = harness_counts(s_world.bob, NULL);
    ITEST_ASSERT_OK(r);
    s_buf_add_msg(b, &r->reg_counts->base);
    ITEST_FREE(r);

    Ocop__EventsFrom from = OCOP__EVENTS_FROM__INIT;
    from.from_sequence = 1;
    from.max = 10000;
    Ocop__Request req = OCOP__REQUEST__INIT;
    req.body_case = OCOP__REQUEST__BODY_EVENTS_FROM;
    req.events_from = &from;
    assert_int_equal(harness_call(s_world.h->client, &req, &r), 0);
    ITEST_ASSERT_OK(r);
    assert_int_equal(r->body_case, OCOP__REPLY__BODY_EVENTS);
    /* The stream itself: 1..last, each an Event of this source. */
    assert_int_equal(r->events->n_events, (size_t)last);
    assert_int_equal(r->events->last_sequence, (uint64_t)last);
    for (size_t i = 0; i < r->events->n_events; i++) {
        Ocop__Event *ev = ocop__event__unpack(NULL, r->events->events[i].len, r->events->events[i].data);
        assert_non_null(ev);
        assert_int_equal(ev->sequence, i + 1);
        assert_string_equal(ev->source, "registration");
        assert_true(ev->body_case != OCOP__EVENT__BODY__NOT_SET);
        ocop__event__free_unpacked(ev, NULL);
    }
    s_buf_add_msg(b, &r->events->base);
    ITEST_FREE(r);
}

/* How the service's last start got its screening index: "loaded" (the file a clean stop saved)
 * or "from_the_store" (every product read again), from its log. */
static const char *s_index_start(void)
{
    char *log = harness_read_file(s_world.h->log_path, NULL);
    assert_non_null(log);
    const char *loaded = NULL, *rebuilt = NULL;
    for (const char *p = log; (p = strstr(p, "event=products_")); p++) {
        if (strncmp(p, "event=products_loaded", 21) == 0)
            loaded = p;
        if (strncmp(p, "event=products_from_the_store", 29) == 0)
            rebuilt = p;
    }
    const char *how = loaded && (!rebuilt || loaded > rebuilt) ? "loaded" : rebuilt ? "from_the_store" : "none";
    free(log);
    return how;
}

static void test_restart_keeps_everything(void **state)
{
    (void)state;
    s_buf_t before = {0}, after = {0};
    s_observe(&before);
    s_world.last_seq_before_restart = harness_last_sequence(s_world.h);

    /* SIGTERM: a clean stop (exit status 0, also under the sanitizers: no leak, no error). */
    assert_int_equal(harness_stop(s_world.h), 0);
    assert_int_equal(harness_start(s_world.h), 0);
    assert_int_equal(s_connect_clients(), 0);
    s_observe(&after);
    /* The screening index saved at the stop was loaded, not rebuilt, and answers the same: the
     * lists by commune and entity above waited for it, so its log line is written. */
    assert_string_equal(s_index_start(), "loaded");
    assert_int_equal(harness_last_sequence(s_world.h), s_world.last_seq_before_restart);
    if (before.len != after.len || memcmp(before.data, after.data, before.len) != 0)
        fail_msg("observations differ across the restart (%zu vs %zu bytes)", before.len, after.len);
    free(before.data);
    free(after.data);

    /* The model still holds, field by field. */
    for (int i = 0; i < S_PRODUCTS; i++)
        s_check_get(i);
    s_check_lists();
    s_check_counts(NULL);

    /* And the service carries on where it stopped: the next event follows the last one, and
     * new ids never reuse old ones. */
    s_transition_ok(s_world.bob, "bob", 7, ACT(ACCEPT), ST(IMPLEMENTING), NULL);
    assert_int_equal(harness_last_sequence(s_world.h), s_world.last_seq_before_restart + 1);
    Ocop__Reply *r = harness_product_register(s_world.alice, s_world.entities[1].id, "Bột sắn dây nguyên chất",
                                              s_world.data.sector, s_world.data.product_set, s_world.data.communes[1],
                                              OCOP__PROCESSING_LEVEL__PROCESSING_PROCESSED);
    ITEST_ASSERT_OK(r);
    for (int i = 0; i < S_PRODUCTS; i++)
        assert_true(strcmp(r->reg_product_detail->product->id, s_world.products[i].id) > 0);
    ITEST_FREE(r);
    assert_int_equal(harness_last_sequence(s_world.h), s_world.last_seq_before_restart + 2);
    s_check_counts(s_world.data.province_b);

    /* Killed after a write: the saved index is older than the store, so it is rebuilt from the
     * products, and duplicate screening still knows the product registered last. */
    harness_kill(s_world.h);
    assert_int_equal(harness_start(s_world.h), 0);
    assert_int_equal(s_connect_clients(), 0);
    assert_string_equal(s_index_start(), "from_the_store");
    r = harness_product_register(s_world.alice, s_world.entities[1].id, "Bột sắn dây nguyên chất", s_world.data.sector,
                                 s_world.data.product_set, s_world.data.communes[1],
                                 OCOP__PROCESSING_LEVEL__PROCESSING_PROCESSED);
    ITEST_ASSERT_ERROR(r, OCOP__STATUS__STATUS_CONFLICT, "name");
    ITEST_FREE(r);
    for (int i = 0; i < S_PRODUCTS; i++)
        s_check_get(i);

    /* A second clean stop with the new writes in the store. */
    assert_int_equal(harness_stop(s_world.h), 0);
}

/* Overwrites product id's record in the stopped service's store with bytes that are not a
 * product. */
static void s_damage_product(const char *id)
{
    MDB_env *env;
    MDB_txn *txn;
    MDB_dbi dbi;
    assert_int_equal(mdb_env_create(&env), 0);
    assert_int_equal(mdb_env_set_maxdbs(env, 64), 0);
    assert_int_equal(mdb_env_open(env, s_world.h->store_dir, 0, 0600), 0);
    assert_int_equal(mdb_txn_begin(env, NULL, 0, &txn), 0);
    assert_int_equal(mdb_dbi_open(txn, "products", 0, &dbi), 0);
    /* Keyed as every record is: the id and its NUL (ocop_key_str). */
    MDB_val k = {.mv_size = strlen(id) + 1, .mv_data = (void *)id}, v = {.mv_size = 4, .mv_data = "\xff\xff\xff\xff"};
    assert_int_equal(ocop_db_put(txn, dbi, &k, &v, 0), 0);
    assert_int_equal(mdb_txn_commit(txn), 0);
    mdb_env_close(env);
}

/* The screening index is built on a thread of its own after the service starts answering, and
 * only what uses it waits. A store whose products cannot be indexed shows the split: the
 * service starts (it refused to before), every other request is answered and other writes go
 * on, while registering a product fails INTERNAL naming the index. */
static void test_index_built_beside_the_answers(void **state)
{
    (void)state;
    char idx[HARNESS_PATH_MAX + 32];
    snprintf(idx, sizeof idx, "%s/screening.idx", s_world.h->store_dir);
    assert_int_equal(unlink(idx), 0); /* saved by the last clean stop */
    s_damage_product(s_world.products[0].id);
    assert_int_equal(harness_start(s_world.h), 0);
    assert_int_equal(s_connect_clients(), 0);

    Ocop__Reply *r = harness_entity_get(s_world.alice, s_world.entities[0].id);
    ITEST_ASSERT_OK(r);
    ITEST_FREE(r);
    r = harness_product_get(s_world.alice, s_world.products[1].id);
    ITEST_ASSERT_OK(r);
    ITEST_FREE(r);
    int preparing = 1; /* products[0] is the damaged one */
    while (preparing < S_PRODUCTS && s_world.products[preparing].stage != ST(PLAN_PREPARING))
        preparing++;
    assert_true(preparing < S_PRODUCTS);
    s_transition_ok(s_world.alice, "alice", preparing, ACT(SUBMIT), ST(PLAN_SUBMITTED), NULL);
    r = harness_product_register(s_world.alice, s_world.entities[1].id, "Mật ong hoa nhãn", s_world.data.sector,
                                 s_world.data.product_set, s_world.data.communes[1],
                                 OCOP__PROCESSING_LEVEL__PROCESSING_PROCESSED);
    ITEST_ASSERT_ERROR(r, OCOP__STATUS__STATUS_INTERNAL, "");
    assert_non_null(strstr(r->message, "could not be built"));
    ITEST_FREE(r);
    char *log = harness_read_file(s_world.h->log_path, NULL);
    assert_non_null(log);
    assert_non_null(strstr(log, "event=products_not_indexed"));
    free(log);

    /* A clean stop saves no index it does not have. */
    assert_int_equal(harness_stop(s_world.h), 0);
    assert_int_equal(access(idx, F_OK), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_register_and_get),
        cmocka_unit_test(test_lists_and_pagination),
        cmocka_unit_test(test_stage_transitions_with_history),
        cmocka_unit_test(test_counts_follow_changes),
        cmocka_unit_test(test_restart_keeps_everything),
        cmocka_unit_test(test_index_built_beside_the_answers),
    };
    return cmocka_run_group_tests_name("registration_flow", tests, s_group_setup, s_group_teardown);
}
