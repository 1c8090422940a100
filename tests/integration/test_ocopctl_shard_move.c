/* Integration: provinces moved between running evaluation shards (ocopctl shard move).
 *
 * On loopback: registration, shard evaluation-1 owning provinces A and B, shard evaluation-2
 * added with none ("provinces": []), the audit service and the gateway.
 *   - The steps by hand: only the operators' key may send them; a target that began answers for
 *     A with a redirect to the source; the source's fence refuses A's writes (UNAVAILABLE) and
 *     serves its reads, B's writes go on; lifting it lets writes in again; the target abandons
 *     its copy and the map is as before.
 *   - The move under load: while `ocopctl shard move --province A --to evaluation-2` runs, a
 *     thread submits every sheet of a scoring session of A (a fenced write is retried, a
 *     redirected one sent where the reply says) and another makes products of A ready through
 *     registration. After it: every acknowledged sheet is on evaluation-2 exactly once (the
 *     session closes there with every sheet); evaluation-1 redirects A's session, council,
 *     products and report to evaluation-2 and counts none of A in its national report;
 *     evaluation-2 learnt the products registered during the move at their last stage; the
 *     gateway reaches the moved session and product through the redirect; `ocopctl shard map`
 *     shows A on evaluation-2 at version 1; every step is an event; a second run changes nothing.
 *
 * On two hosts (as root; network namespaces): a deployment of two shards (A on evaluation-1, B
 * on evaluation-2) grows a third shard on another host: evaluation-3's section, naming no
 * province, is added to the config, the services restarted with it, the shard started; A and
 * then B move to it while sessions of both are scored and products of both are registered. Every acknowledged sheet is
 * on evaluation-3 exactly once, both sessions close there, and the products registered during the moves are there at
 * their last stage. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <cjson/cJSON.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness.h"
#include "audit.pb-c.h"
#include "harness_eval.h"
#include "itest_assert.h"
#include "ocop_date.h"

#define S_PRODUCTS 8 /* scored in a session */
#define S_LATE 3     /* registered while the province moves */
#define S_MEMBERS 4
#define S_SCENES 2
#define S_ST(x) OCOP__STATUS__STATUS_##x
#define S_RUN_TIMEOUT_MS 120000

/* A province with a scoring session and the products registered while it moves. */
typedef struct {
    const char *province;
    const char *communes[3];
    size_t n_communes;
    unsigned shard; /* the index of the shard that owns it at the start */
    harness_ready_t products[S_PRODUCTS + S_LATE];
    char council[HARNESS_ID_LEN], session[HARNESS_ID_LEN];
} s_scene_t;

static struct {
    harness_t *h;
    harness_data_t data;
    eval_rubrics_t *rubrics;
    const eval_rubric_t *rubric;
    s_scene_t scene[S_SCENES];
    char today[OCOP_DATE_LEN];
    char token[128];
    char ctl[HARNESS_PATH_MAX];
    harness_run_t run;
} W;

static ocop_client_t *s_shard(unsigned i)
{
    return W.h->shard[i].client;
}

/* Rules and the deployment opts describes (the ministry's gateway user made first: the gateway
 * reads the tokens file as it starts), every shard but those of not_started running. */
static int s_world(harness_options_t *opts, unsigned not_started)
{
    W.h = harness_new(opts);
    if (!W.h || harness_gateway_user(W.h, "ministry", "central_officer", NULL, NULL, NULL, NULL, NULL, W.token) != 0 ||
        harness_start(W.h) != 0)
        return -1;
    for (unsigned i = 0; i < opts->shards; i++)
        if (!(not_started & (1u << i)) && harness_shard_start(W.h, i) != 0)
            return -1;
    if (harness_audit_start(W.h) != 0 || harness_gateway_start(W.h) != 0 || !(W.rubrics = harness_rubrics_load()))
        return -1;
    W.rubric = eval_rubrics_find(W.rubrics, W.data.catalogue_version, W.data.product_set);
    ocop_day_of(harness_wall_ms(), W.today);
    snprintf(W.ctl, sizeof W.ctl, "%s/services/ocopctl/ocopctl", getenv("OCOP_BINARY_DIR"));
    return W.rubric ? 0 : -1;
}

static int s_teardown(void **state)
{
    (void)state;
    harness_run_free(&W.run);
    eval_rubrics_destroy(&W.rubrics);
    harness_destroy(&W.h);
    return 0;
}

static int s_ctl(const char *const *args)
{
    const char *full[24] = {"--config", W.h->config_path, "--timeout", "15000"};
    size_t n = 4;
    for (size_t i = 0; args[i] && n < 23; i++)
        full[n++] = args[i];
    full[n] = NULL;
    return harness_run(W.ctl, full, S_RUN_TIMEOUT_MS, &W.run);
}

/* ocopctl with args must succeed (its stderr shown when it does not). */
static void s_ctl_ok(const char *const *args)
{
    int code = s_ctl(args);
    if (code != 0)
        fail_msg("ocopctl %s %s: exit %d\n%s", args[0], args[1] ? args[1] : "", code, W.run.err);
}

/* Products from..from+n of the scene to be made ready in its communes, each of its own entity. */
static void s_fill(s_scene_t *sc, size_t from, size_t n, size_t *entity_of)
{
    for (size_t i = 0; i < n; i++) {
        harness_ready_t *p = &sc->products[from + i];
        snprintf(p->commune, sizeof p->commune, "%s", sc->communes[i % sc->n_communes]);
        snprintf(p->catalogue, sizeof p->catalogue, "%s", W.data.catalogue_version);
        snprintf(p->sector, sizeof p->sector, "%s", W.data.sector);
        snprintf(p->product_set, sizeof p->product_set, "%s", W.data.product_set);
        entity_of[i] = i;
    }
}

static Ocop__Reply *s_call(ocop_client_t *c, Ocop__Request *req)
{
    Ocop__Reply *r = NULL;
    return harness_call(c, req, &r) == 0 ? r : NULL;
}

static Ocop__Reply *s_begin(ocop_client_t *c, const char *province, const char *from)
{
    Ocop__EvalMoveBegin body = OCOP__EVAL_MOVE_BEGIN__INIT;
    body.province_code = (char *)province;
    body.from = (char *)from;
    Ocop__Request req = OCOP__REQUEST__INIT;
    req.body_case = OCOP__REQUEST__BODY_EVAL_MOVE_BEGIN;
    req.eval_move_begin = &body;
    return s_call(c, &req);
}

static Ocop__Reply *s_fence(ocop_client_t *c, const char *province, const char *to, bool lift)
{
    Ocop__EvalMoveFence body = OCOP__EVAL_MOVE_FENCE__INIT;
    body.province_code = (char *)province;
    body.to = (char *)to;
    body.lift = lift;
    Ocop__Request req = OCOP__REQUEST__INIT;
    req.body_case = OCOP__REQUEST__BODY_EVAL_MOVE_FENCE;
    req.eval_move_fence = &body;
    return s_call(c, &req);
}

static Ocop__Reply *s_release(ocop_client_t *c, const char *province, const char *to)
{
    Ocop__EvalMoveRelease body = OCOP__EVAL_MOVE_RELEASE__INIT;
    body.province_code = (char *)province;
    body.to = (char *)to;
    Ocop__Request req = OCOP__REQUEST__INIT;
    req.body_case = OCOP__REQUEST__BODY_EVAL_MOVE_RELEASE;
    req.eval_move_release = &body;
    return s_call(c, &req);
}

static Ocop__Reply *s_map(ocop_client_t *c)
{
    Ocop__EvalMoveMapGet body = OCOP__EVAL_MOVE_MAP_GET__INIT;
    Ocop__Request req = OCOP__REQUEST__INIT;
    req.body_case = OCOP__REQUEST__BODY_EVAL_MOVE_MAP_GET;
    req.eval_move_map_get = &body;
    return s_call(c, &req);
}

static Ocop__Reply *s_council_get(ocop_client_t *c, const char *id)
{
    Ocop__EvalCouncilGet body = OCOP__EVAL_COUNCIL_GET__INIT;
    body.id = (char *)id;
    Ocop__Request req = OCOP__REQUEST__INIT;
    req.body_case = OCOP__REQUEST__BODY_EVAL_COUNCIL_GET;
    req.eval_council_get = &body;
    return s_call(c, &req);
}

static Ocop__Reply *s_attest(ocop_client_t *c, const char *product_id)
{
    Ocop__EvalAttest body = OCOP__EVAL_ATTEST__INIT;
    body.product_id = (char *)product_id;
    body.local_materials = body.local_labour = body.idea_origin = body.local_identity = true;
    Ocop__Request req = OCOP__REQUEST__INIT;
    req.body_case = OCOP__REQUEST__BODY_EVAL_ATTEST;
    req.eval_attest = &body;
    return s_call(c, &req);
}

static Ocop__Reply *s_sheet_list(ocop_client_t *c, const char *session, const char *product)
{
    Ocop__EvalSheetList body = OCOP__EVAL_SHEET_LIST__INIT;
    body.session_id = (char *)session;
    body.product_id = (char *)product;
    Ocop__Request req = OCOP__REQUEST__INIT;
    req.body_case = OCOP__REQUEST__BODY_EVAL_SHEET_LIST;
    req.eval_sheet_list = &body;
    return s_call(c, &req);
}

/* The scene's session: products made ready, a council, products attested, opened, started with
 * every member. */
static void s_session(s_scene_t *sc)
{
    size_t entity_of[S_PRODUCTS];
    s_fill(sc, 0, S_PRODUCTS, entity_of);
    assert_int_equal(
        harness_make_ready(W.h->client, sc->products, entity_of, S_PRODUCTS, 11 + (unsigned)(sc - W.scene)), 0);
    for (size_t i = 0; i < S_PRODUCTS; i++)
        assert_int_equal(harness_shard_wait_product(W.h, sc->shard, sc->products[i].product_id), 0);
    Ocop__Reply *r = harness_council_create(s_shard(sc->shard), OCOP__EVAL_LEVEL__EVAL_LEVEL_PROVINCE, sc->province,
                                            sc->province, S_MEMBERS, 0);
    ITEST_ASSERT_OK(r);
    snprintf(sc->council, sizeof sc->council, "%s", r->eval_council->id);
    ITEST_FREE(r);
    const char *ids[S_PRODUCTS];
    for (size_t i = 0; i < S_PRODUCTS; i++) {
        ids[i] = sc->products[i].product_id;
        r = s_attest(s_shard(sc->shard), ids[i]);
        ITEST_ASSERT_OK(r);
        ITEST_FREE(r);
    }
    r = harness_session_open(s_shard(sc->shard), sc->council, W.today, ids, S_PRODUCTS, false);
    ITEST_ASSERT_OK(r);
    snprintf(sc->session, sizeof sc->session, "%s", r->eval_session->id);
    ITEST_FREE(r);
    r = harness_session_start(s_shard(sc->shard), sc->session, NULL, S_MEMBERS);
    ITEST_ASSERT_OK(r);
    ITEST_FREE(r);
}

/* ---------------------------------------------------------------- load while provinces move */

typedef struct {
    unsigned n_shards;
    ocop_client_t *shard[HARNESS_SHARDS_MAX];
    size_t n_scenes;
    unsigned acknowledged, fenced, redirected;
    bool done[S_SCENES][S_PRODUCTS][S_MEMBERS]; /* set before: already in */
    char failure[256];
} s_load_t;

/* One sheet until a shard acknowledges it: a fenced write again after a pause, a redirected one
 * to the shard named (*at follows). 0 / -1 with L->failure. */
static int s_submit(s_load_t *L, const s_scene_t *sc, unsigned p, unsigned m, unsigned *at)
{
    static const char *const members[S_MEMBERS] = {"m1", "m2", "m3", "m4"};
    harness_sheet_t sheet;
    if (harness_sheet_init(&sheet, W.rubric, 70 + p + m, NULL) != 0) {
        snprintf(L->failure, sizeof L->failure, "no sheet of %u", 70 + p + m);
        return -1;
    }
    harness_sheet_address(&sheet, sc->session, sc->products[p].product_id, members[m], 1, 1);
    int rc = -1;
    for (int tries = 0; tries < 500; tries++) {
        Ocop__Reply *r = NULL;
        sheet.req.request_id = NULL;
        if (harness_call(L->shard[*at], &sheet.req, &r) != 0) {
            snprintf(L->failure, sizeof L->failure, "%s sheet %u/%u: no answer", sc->province, p, m);
            break;
        }
        int status = r->status;
        unsigned to = 0;
        if (status == S_ST(WRONG_SHARD) && sscanf(r->redirect, "evaluation-%u", &to) == 1 && to >= 1 &&
            to <= L->n_shards) {
            L->redirected++;
            *at = to - 1;
        } else if (status == S_ST(UNAVAILABLE)) {
            L->fenced++;
            usleep(20 * 1000);
        } else if (status == S_ST(OK)) {
            L->acknowledged++;
            rc = 0;
        } else {
            snprintf(L->failure, sizeof L->failure, "%s sheet %u/%u refused: %s", sc->province, p, m, r->message);
        }
        ocop__reply__free_unpacked(r, NULL);
        if (rc == 0 || L->failure[0])
            break;
    }
    if (rc != 0 && !L->failure[0])
        snprintf(L->failure, sizeof L->failure, "%s sheet %u/%u: still refused after 500 tries", sc->province, p, m);
    harness_sheet_free(&sheet);
    return rc;
}

/* Every sheet of every scene not done yet, the scenes in turn. */
static void *s_load(void *arg)
{
    s_load_t *L = arg;
    unsigned at[S_SCENES];
    for (size_t s = 0; s < L->n_scenes; s++)
        at[s] = W.scene[s].shard;
    for (unsigned p = 0; p < S_PRODUCTS; p++)
        for (unsigned m = 0; m < S_MEMBERS; m++)
            for (size_t s = 0; s < L->n_scenes; s++) {
                if (L->done[s][p][m])
                    continue;
                if (s_submit(L, &W.scene[s], p, m, &at[s]) != 0)
                    return NULL;
                usleep(5 * 1000);
            }
    return NULL;
}

/* Products of every scene made ready through registration while the provinces move. */
typedef struct {
    ocop_client_t *registration;
    size_t n_scenes;
    int rc;
} s_register_t;

static void *s_register(void *arg)
{
    s_register_t *R = arg;
    for (size_t s = 0; s < R->n_scenes && R->rc == 0; s++) {
        size_t entity_of[S_LATE];
        s_fill(&W.scene[s], S_PRODUCTS, S_LATE, entity_of);
        R->rc =
            harness_make_ready(R->registration, &W.scene[s].products[S_PRODUCTS], entity_of, S_LATE, 21 + (unsigned)s);
    }
    return NULL;
}

/* The moves ocopctl makes ("--province P --to SHARD" each) while sheets are submitted and
 * products registered; fails the test on any refusal. */
static void s_move_under_load(size_t n_scenes, const char *const *moves, size_t n_moves, s_load_t *L)
{
    L->n_shards = W.h->opts.shards;
    L->n_scenes = n_scenes;
    for (unsigned i = 0; i < L->n_shards; i++)
        assert_non_null(L->shard[i] = harness_shard_connect(W.h, i, "itest-load"));
    s_register_t R = {.registration = harness_connect(W.h, NULL, "itest-register"), .n_scenes = n_scenes};
    assert_non_null(R.registration);
    pthread_t load, reg;
    assert_int_equal(pthread_create(&load, NULL, s_load, L), 0);
    assert_int_equal(pthread_create(&reg, NULL, s_register, &R), 0);
    int code = 0;
    for (size_t i = 0; i < n_moves && code == 0; i++) {
        code =
            s_ctl((const char *const[]){"shard", "move", "--province", moves[2 * i], "--to", moves[2 * i + 1], NULL});
        fprintf(stderr, "%s", W.run.err);
    }
    pthread_join(load, NULL);
    pthread_join(reg, NULL);
    for (unsigned i = 0; i < L->n_shards; i++)
        ocop_client_destroy(&L->shard[i]);
    ocop_client_destroy(&R.registration);
    if (code != 0)
        fail_msg("shard move: exit %d", code);
    if (L->failure[0])
        fail_msg("%s", L->failure);
    assert_int_equal(R.rc, 0);
    fprintf(stderr, "load: %u sheets acknowledged, %u refused while fenced, %u redirected\n", L->acknowledged,
            L->fenced, L->redirected);
}

/* The scene's session closes on shard with every sheet, each (product, member) once; its
 * products, those registered during the move too, are there at their last stage; its former
 * shard redirects its session, council and products there. */
static void s_check_moved(const s_scene_t *sc, unsigned shard)
{
    char holder[32];
    snprintf(holder, sizeof holder, "evaluation-%u", shard + 1);
    Ocop__Reply *r = harness_session_close(s_shard(shard), sc->session, "QĐ-move/2026");
    ITEST_ASSERT_OK(r);
    ITEST_FREE(r);
    for (unsigned p = 0; p < S_PRODUCTS; p++) {
        r = s_sheet_list(s_shard(shard), sc->session, sc->products[p].product_id);
        ITEST_ASSERT_OK(r);
        assert_int_equal(r->eval_sheet_page->n_sheets, S_MEMBERS);
        bool once[S_MEMBERS] = {false};
        for (size_t i = 0; i < r->eval_sheet_page->n_sheets; i++) {
            const Ocop__EvalSheet *s = r->eval_sheet_page->sheets[i];
            unsigned m = (unsigned)(s->member_id[1] - '1');
            assert_string_equal(s->product_id, sc->products[p].product_id);
            assert_true(m < S_MEMBERS);
            assert_false(once[m]);
            once[m] = true;
        }
        ITEST_FREE(r);
    }
    for (size_t i = 0; i < S_PRODUCTS + S_LATE; i++) {
        assert_int_equal(harness_shard_wait_product(W.h, shard, sc->products[i].product_id), 0);
        r = harness_eval_product_get(s_shard(shard), sc->products[i].product_id);
        ITEST_ASSERT_OK(r);
        assert_string_equal(r->eval_product->province_code, sc->province);
        assert_false(r->eval_product->replica_stage_only);
        if (i >= S_PRODUCTS)
            assert_int_equal(r->eval_product->stage, OCOP__STAGE__STAGE_READY_FOR_EVALUATION);
        ITEST_FREE(r);
    }
    r = harness_session_get(s_shard(sc->shard), sc->session);
    ITEST_ASSERT_ERROR(r, S_ST(WRONG_SHARD), "id");
    assert_string_equal(r->redirect, holder);
    ITEST_FREE(r);
    r = s_council_get(s_shard(sc->shard), sc->council);
    ITEST_ASSERT_ERROR(r, S_ST(WRONG_SHARD), "id");
    assert_string_equal(r->redirect, holder);
    ITEST_FREE(r);
    r = harness_eval_product_get(s_shard(sc->shard), sc->products[1].product_id);
    ITEST_ASSERT_ERROR(r, S_ST(WRONG_SHARD), "id");
    assert_string_equal(r->redirect, holder);
    ITEST_FREE(r);
}

/* `ocopctl shard map`: province's shard and version. */
static void s_check_map(const char *province, const char *shard, int version)
{
    s_ctl_ok((const char *const[]){"--output", "json", "shard", "map", NULL});
    cJSON *map = cJSON_Parse(W.run.out);
    assert_non_null(map);
    bool found = false;
    cJSON *row;
    cJSON_ArrayForEach (row, map) {
        if (strcmp(cJSON_GetObjectItem(row, "province")->valuestring, province) != 0)
            continue;
        found = true;
        assert_string_equal(cJSON_GetObjectItem(row, "shard")->valuestring, shard);
        assert_int_equal((int)cJSON_GetObjectItem(row, "version")->valuedouble, version);
    }
    cJSON_Delete(map);
    assert_true(found);
}

/* ---------------------------------------------------------------- on loopback */

static int s_setup_loopback(void **state)
{
    (void)state;
    memset(&W, 0, sizeof W);
    if (harness_data_load_registration(&W.data) != 0)
        return -1;
    static char both[40];
    snprintf(both, sizeof both, "%s,%s", W.data.province_a, W.data.province_b);
    harness_options_t opts = {.shards = 2, .shard_provinces = {both, ""}, .audit = 1, .gateway = 1};
    W.scene[0] = (s_scene_t){.province = W.data.province_a,
                             .communes = {W.data.communes[0], W.data.communes[1], W.data.communes[2]},
                             .n_communes = 3,
                             .shard = 0};
    return s_world(&opts, 0);
}

static void test_steps_by_hand(void **state)
{
    (void)state;
    s_scene_t *sc = &W.scene[0];
    s_session(sc);
    const char *A = sc->province;

    /* Only the operators' key sends the steps: the audit service's key is allowed on the shards. */
    ocop_client_t *audit_key =
        ocop_client_new(W.h->zctx, W.h->shard[1].endpoint, W.h->shard[1].keys.public_z85, &W.h->audit_keys, "audit");
    assert_non_null(audit_key);
    Ocop__Reply *r = s_begin(audit_key, A, "evaluation-1");
    ocop_client_destroy(&audit_key);
    ITEST_ASSERT_ERROR(r, S_ST(FORBIDDEN), "");
    ITEST_FREE(r);
    r = s_begin(s_shard(1), A, "evaluation-2");
    ITEST_ASSERT_ERROR(r, S_ST(INVALID), "from");
    ITEST_FREE(r);

    /* The target began: it takes A's replica but sends A's requests to the source. */
    r = s_begin(s_shard(1), A, "evaluation-1");
    ITEST_ASSERT_OK(r);
    assert_int_equal(r->eval_province_move->state, OCOP__EVAL_MOVE_STATE__MOVE_INCOMING);
    ITEST_FREE(r);
    r = harness_council_create(s_shard(1), OCOP__EVAL_LEVEL__EVAL_LEVEL_PROVINCE, A, A, S_MEMBERS, 0);
    ITEST_ASSERT_ERROR(r, S_ST(WRONG_SHARD), "province_code");
    assert_string_equal(r->redirect, "evaluation-1");
    ITEST_FREE(r);
    r = harness_session_get(s_shard(1), sc->session);
    ITEST_ASSERT_ERROR(r, S_ST(WRONG_SHARD), "id");
    assert_string_equal(r->redirect, "evaluation-1");
    ITEST_FREE(r);

    /* The fence: A's writes wait, its reads and B's writes do not. */
    r = s_fence(s_shard(0), A, "evaluation-2", false);
    ITEST_ASSERT_OK(r);
    assert_int_equal(r->eval_province_move->state, OCOP__EVAL_MOVE_STATE__MOVE_FENCED);
    ITEST_FREE(r);
    harness_sheet_t sheet;
    assert_int_equal(harness_sheet_init(&sheet, W.rubric, 80, NULL), 0);
    harness_sheet_address(&sheet, sc->session, sc->products[0].product_id, "m1", 1, 1);
    r = s_call(s_shard(0), &sheet.req);
    ITEST_ASSERT_ERROR(r, S_ST(UNAVAILABLE), "session_id");
    assert_non_null(strstr(r->message, "evaluation-2"));
    ITEST_FREE(r);
    r = harness_session_get(s_shard(0), sc->session);
    ITEST_ASSERT_OK(r);
    ITEST_FREE(r);
    r = harness_council_create(s_shard(0), OCOP__EVAL_LEVEL__EVAL_LEVEL_PROVINCE, W.data.province_b, W.data.province_b,
                               S_MEMBERS, 0);
    ITEST_ASSERT_OK(r);
    ITEST_FREE(r);

    /* Lifted: the write goes in. */
    r = s_fence(s_shard(0), A, "evaluation-2", true);
    ITEST_ASSERT_OK(r);
    ITEST_FREE(r);
    sheet.req.request_id = NULL;
    r = s_call(s_shard(0), &sheet.req);
    ITEST_ASSERT_OK(r);
    ITEST_FREE(r);
    harness_sheet_free(&sheet);

    /* The target abandons: nothing of A stays there, and no shard has a move record of A. */
    r = s_release(s_shard(1), A, "evaluation-1");
    ITEST_ASSERT_OK(r);
    assert_int_equal(r->eval_province_move->state, OCOP__EVAL_MOVE_STATE__MOVE_NONE);
    ITEST_FREE(r);
    for (unsigned i = 0; i < 2; i++) {
        r = s_map(s_shard(i));
        ITEST_ASSERT_OK(r);
        assert_int_equal(r->eval_move_map->n_moves, 0);
        ITEST_FREE(r);
    }
    r = harness_session_get(s_shard(0), sc->session);
    ITEST_ASSERT_OK(r);
    ITEST_FREE(r);
}

static uint32_t s_events_of_moves(unsigned shard)
{
    Ocop__EventsFrom body = OCOP__EVENTS_FROM__INIT;
    body.from_sequence = 1;
    body.max = 10000;
    Ocop__Request req = OCOP__REQUEST__INIT;
    req.body_case = OCOP__REQUEST__BODY_EVENTS_FROM;
    req.events_from = &body;
    Ocop__Reply *r = s_call(s_shard(shard), &req);
    ITEST_ASSERT_OK(r);
    uint32_t n = 0;
    for (size_t i = 0; i < r->events->n_events; i++) {
        Ocop__Event *ev = ocop__event__unpack(NULL, r->events->events[i].len, r->events->events[i].data);
        assert_non_null(ev);
        n += ev->body_case == OCOP__EVENT__BODY_EVAL_PROVINCE_MOVE_CHANGED;
        ocop__event__free_unpacked(ev, NULL);
    }
    ITEST_FREE(r);
    return n;
}

/* The gateway's count of requests sent to evaluation-1 and evaluation-2 (its /metrics). */
static void s_upstream(uint64_t counts[2])
{
    harness_http_t r = {0};
    assert_int_equal(harness_http(W.h, "GET", "/metrics", NULL, NULL, &r), 0);
    assert_int_equal(r.status, 200);
    for (int i = 0; i < 2; i++) {
        char needle[96];
        snprintf(needle, sizeof needle, "ocop_gateway_upstream_requests_total{service=\"evaluation-%d\"} ", i + 1);
        const char *line = strstr(r.body, needle);
        assert_non_null(line);
        counts[i] = strtoull(line + strlen(needle), NULL, 10);
    }
    harness_http_free(&r);
}

static void test_move_under_load(void **state)
{
    (void)state;
    const s_scene_t *sc = &W.scene[0];
    const char *A = sc->province;
    s_load_t L = {0};
    L.done[0][0][0] = true; /* submitted in the test before */
    s_move_under_load(1, (const char *const[]){A, "evaluation-2"}, 1, &L);
    s_check_moved(sc, 1);
    /* The moved map outlives a restart with the config that says otherwise. */
    assert_int_equal(harness_shard_stop(W.h, 0), 0);
    assert_int_equal(harness_shard_start(W.h, 0), 0);
    Ocop__Reply *r = harness_session_get(s_shard(0), sc->session);
    ITEST_ASSERT_ERROR(r, S_ST(WRONG_SHARD), "id");
    assert_string_equal(r->redirect, "evaluation-2");
    ITEST_FREE(r);

    /* ocopctl sent to the shard the config names follows the redirect too. */
    char body[96];
    snprintf(body, sizeof body, "{\"id\":\"%s\"}", sc->session);
    s_ctl_ok((const char *const[]){"--output", "json", "call", "evaluation-1", "eval_session_get", body, NULL});
    assert_non_null(strstr(W.run.out, sc->session));
    assert_non_null(strstr(W.run.out, "\"status\":\t\"ok\""));

    /* Its rows of the report moved with it. */
    r = harness_report_get(s_shard(0), A, "", 0);
    ITEST_ASSERT_ERROR(r, S_ST(WRONG_SHARD), "province_code");
    ITEST_FREE(r);
    r = harness_report_get(s_shard(0), "", "", 0);
    ITEST_ASSERT_OK(r);
    for (size_t i = 0; i < r->eval_report->n_rows; i++)
        assert_string_not_equal(r->eval_report->rows[i]->province_code, A);
    ITEST_FREE(r);
    r = harness_report_get(s_shard(1), A, "", 0);
    ITEST_ASSERT_OK(r);
    assert_true(r->eval_report->n_rows > 0);
    ITEST_FREE(r);

    /* Through the gateway: the config still names evaluation-1, the redirect is followed. */
    char path[128];
    snprintf(path, sizeof path, "/v1/sessions/%s", sc->session);
    harness_http_t http = {0};
    assert_int_equal(harness_http(W.h, "GET", path, W.token, NULL, &http), 0);
    if (http.status != 200)
        fail_msg("GET %s: %ld %s", path, http.status, http.body);
    harness_http_free(&http);
    snprintf(path, sizeof path, "/v1/products/%s/rating", sc->products[2].product_id);
    assert_int_equal(harness_http(W.h, "GET", path, NULL, NULL, &http), 0);
    if (http.status != 200)
        fail_msg("GET %s: %ld %s", path, http.status, http.body);
    harness_http_free(&http);

    /* Having been redirected once for A, the gateway sends A's requests to evaluation-2 first. */
    snprintf(path, sizeof path, "/v1/rounds?province_code=%s&year=2026", A);
    uint64_t before[2], after[2];
    s_upstream(before);
    for (int i = 0; i < 5; i++) {
        assert_int_equal(harness_http(W.h, "GET", path, NULL, NULL, &http), 0);
        if (http.status != 200)
            fail_msg("GET %s: %ld %s", path, http.status, http.body);
        harness_http_free(&http);
    }
    s_upstream(after);
    assert_true(after[1] - before[1] >= 5);
    assert_true(after[0] - before[0] <= 2); /* /metrics pings it, at most one redirect */

    /* The map, and the steps as events: begin and commit on the target, fence and release on
     * the source (the test before added a begin, a fence, a lift and an abandon). */
    s_check_map(A, "evaluation-2", 1);
    s_check_map(W.data.province_b, "evaluation-1", 0);
    assert_int_equal(s_events_of_moves(1), 2 + 2);
    assert_int_equal(s_events_of_moves(0), 2 + 2);

    /* Again: nothing to do. */
    s_ctl_ok((const char *const[]){"shard", "move", "--province", A, "--to", "evaluation-2", NULL});
    assert_non_null(strstr(W.run.err, "already"));
}

/* A moved back (version 2): an inspection that fails a certificate evaluation-2 issued makes the
 * audit service ask evaluation-2 to revoke it, which sends it on to evaluation-1. */
static void test_revocation_follows_the_move_back(void **state)
{
    (void)state;
    const s_scene_t *sc = &W.scene[0];
    s_ctl_ok((const char *const[]){"shard", "move", "--province", sc->province, "--to", "evaluation-1", NULL});
    s_check_map(sc->province, "evaluation-1", 2);

    /* The plan draws from the certificates the audit log holds: wait for them. */
    Ocop__AudInspectionPlan plan = OCOP__AUD_INSPECTION_PLAN__INIT;
    plan.province_code = (char *)sc->province;
    plan.risk_count = 1;
    plan.seed = 7;
    Ocop__Request req = OCOP__REQUEST__INIT;
    req.body_case = OCOP__REQUEST__BODY_AUD_INSPECTION_PLAN;
    req.aud_inspection_plan = &plan;
    char inspection[HARNESS_ID_LEN] = "", product[HARNESS_ID_LEN] = "", certificate[HARNESS_ID_LEN] = "";
    for (int64_t deadline = harness_mono_ms() + 20000; !*inspection && harness_mono_ms() < deadline;
         usleep(50 * 1000)) {
        Ocop__Reply *r = s_call(W.h->audit.client, &req);
        assert_non_null(r);
        if (r->status == S_ST(OK) && r->aud_inspection_page->n_inspections > 0) {
            const Ocop__AudInspection *in = r->aud_inspection_page->inspections[0];
            snprintf(inspection, sizeof inspection, "%s", in->id);
            snprintf(product, sizeof product, "%s", in->product_id);
            snprintf(certificate, sizeof certificate, "%s", in->certificate_id);
        }
        ITEST_FREE(r);
    }
    assert_true(*inspection);
    assert_non_null(strstr(certificate, "CERT2-"));

    Ocop__AudInspectionRecord record = OCOP__AUD_INSPECTION_RECORD__INIT;
    record.id = inspection;
    record.finding = "Mẫu kiểm nghiệm vượt ngưỡng vi sinh";
    record.revocation_reason = OCOP__REVOCATION_REASON__REVOCATION_REASON_FOOD_SAFETY;
    req = (Ocop__Request)OCOP__REQUEST__INIT;
    req.body_case = OCOP__REQUEST__BODY_AUD_INSPECTION_RECORD;
    req.aud_inspection_record = &record;
    Ocop__Reply *r = s_call(W.h->audit.client, &req);
    ITEST_ASSERT_OK(r);
    ITEST_FREE(r);
    Ocop__AudInspectionGet get = OCOP__AUD_INSPECTION_GET__INIT;
    get.id = inspection;
    req = (Ocop__Request)OCOP__REQUEST__INIT;
    req.body_case = OCOP__REQUEST__BODY_AUD_INSPECTION_GET;
    req.aud_inspection_get = &get;
    bool delivered = false;
    for (int64_t deadline = harness_mono_ms() + 20000; !delivered && harness_mono_ms() < deadline; usleep(50 * 1000)) {
        r = s_call(W.h->audit.client, &req);
        ITEST_ASSERT_OK(r);
        delivered = r->aud_inspection->revocation_delivered;
        if (delivered)
            assert_string_equal(r->aud_inspection->delivery, "OCOP_OK");
        ITEST_FREE(r);
    }
    assert_true(delivered);
    r = harness_eval_product_get(s_shard(0), product);
    ITEST_ASSERT_OK(r);
    assert_int_equal(r->eval_product->stars, 0);
    ITEST_FREE(r);
}

/* ---------------------------------------------------------------- a third shard on another host */

#define S_ADDR_HERE "10.254.78.1"
#define S_ADDR_THERE "10.254.78.2"

static char s_netns[32];

static int s_sh(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int s_sh(const char *fmt, ...)
{
    char cmd[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(cmd, sizeof cmd, fmt, ap);
    va_end(ap);
    int rc = system(cmd);
    if (rc != 0)
        fprintf(stderr, "'%s' failed (%d)\n", cmd, rc);
    return rc;
}

/* The other host: a network namespace joined to this one by a veth pair (deleting the
 * namespace deletes both ends). */
static void s_netns_remove(void)
{
    if (*s_netns)
        s_sh("ip netns del %s 2>/dev/null", s_netns);
    *s_netns = '\0';
}

static int s_setup_two_hosts(void **state)
{
    (void)state;
    memset(&W, 0, sizeof W);
    snprintf(s_netns, sizeof s_netns, "ocopm%d", (int)getpid());
    atexit(s_netns_remove);
    if (s_sh("ip netns add %s", s_netns) != 0 ||
        s_sh("ip link add %s-h type veth peer name %s-t netns %s", s_netns, s_netns, s_netns) != 0 ||
        s_sh("ip addr add " S_ADDR_HERE "/30 dev %s-h && ip link set %s-h up", s_netns, s_netns) != 0 ||
        s_sh("ip -n %s addr add " S_ADDR_THERE "/30 dev %s-t && ip -n %s link set %s-t up && ip -n %s link set lo up",
             s_netns, s_netns, s_netns, s_netns, s_netns) != 0)
        return -1;
    if (harness_data_load_registration(&W.data) != 0)
        return -1;
    harness_options_t opts = {.shards = 3,
                              .shard_provinces = {W.data.province_a, W.data.province_b, ""},
                              .shards_unconfigured = 1u << 2,
                              .audit = 1,
                              .gateway = 1,
                              .host = S_ADDR_HERE,
                              .shard_netns = {NULL, NULL, s_netns},
                              .shard_host = {NULL, NULL, S_ADDR_THERE}};
    W.scene[0] = (s_scene_t){.province = W.data.province_a,
                             .communes = {W.data.communes[0], W.data.communes[1], W.data.communes[2]},
                             .n_communes = 3,
                             .shard = 0};
    W.scene[1] =
        (s_scene_t){.province = W.data.province_b, .communes = {W.data.communes[3]}, .n_communes = 1, .shard = 1};
    return s_world(&opts, 1u << 2);
}

static int s_teardown_two_hosts(void **state)
{
    s_teardown(state);
    s_netns_remove();
    return 0;
}

static void test_grow_to_a_third_shard_on_another_host(void **state)
{
    (void)state;
    s_session(&W.scene[0]);
    s_session(&W.scene[1]);
    /* The config change: evaluation-3's section (owning nothing) on the other host, in
     * registration's allow list and audit's sources; every service restarted with it, one after
     * the other; then the new shard started there. */
    W.h->opts.shards_unconfigured = 0;
    assert_int_equal(harness_config_rewrite(W.h), 0);
    assert_int_equal(harness_stop(W.h), 0);
    assert_int_equal(harness_start(W.h), 0);
    for (unsigned i = 0; i < 2; i++) {
        assert_int_equal(harness_shard_stop(W.h, i), 0);
        assert_int_equal(harness_shard_start(W.h, i), 0);
    }
    assert_int_equal(harness_audit_stop(W.h), 0);
    assert_int_equal(harness_audit_start(W.h), 0);
    assert_int_equal(harness_gateway_stop(W.h), 0);
    assert_int_equal(harness_gateway_start(W.h), 0);
    assert_int_equal(harness_shard_start(W.h, 2), 0);
    s_load_t L = {0};
    s_move_under_load(
        2, (const char *const[]){W.scene[0].province, "evaluation-3", W.scene[1].province, "evaluation-3"}, 2, &L);
    s_check_moved(&W.scene[0], 2);
    s_check_moved(&W.scene[1], 2);
    s_check_map(W.scene[0].province, "evaluation-3", 1);
    s_check_map(W.scene[1].province, "evaluation-3", 1);
}

int main(void)
{
    const struct CMUnitTest loopback[] = {
        cmocka_unit_test(test_steps_by_hand),
        cmocka_unit_test(test_move_under_load),
        cmocka_unit_test(test_revocation_follows_the_move_back),
    };
    const struct CMUnitTest two_hosts[] = {
        cmocka_unit_test(test_grow_to_a_third_shard_on_another_host),
    };
    int failed = cmocka_run_group_tests_name("loopback", loopback, s_setup_loopback, s_teardown);
    if (geteuid() != 0) {
        fprintf(stderr, "two hosts: skipped (network namespaces need root)\n");
        return failed;
    }
    return failed + cmocka_run_group_tests_name("two hosts", two_hosts, s_setup_two_hosts, s_teardown_two_hosts);
}
