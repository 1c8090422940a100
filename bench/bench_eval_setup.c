/* bench_eval_setup — see bench_eval_setup.h. */
#include "bench_eval_setup.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench_util.h"

#define S_WINDOW 256
#define S_ERRORS_SHOWN 5
#define S_PRODUCTS_PER_ENTITY 4
#define S_MIN_COMMUNES 10

/* ---------------------------------------------------------------- world */

static const char *s_str(const cJSON *obj, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
    return cJSON_IsString(v) ? v->valuestring : "";
}

/* The first HARNESS_SHARDS_MAX provinces (file order) with at least S_MIN_COMMUNES communes,
 * and up to BENCH_EVAL_COMMUNES communes of each. */
static int s_pick_provinces(const cJSON *root, bench_eval_world_t *w)
{
    const cJSON *units = cJSON_GetObjectItemCaseSensitive(root, "units"), *u, *c;
    size_t found = 0;
    cJSON_ArrayForEach (u, units) {
        if (found == HARNESS_SHARDS_MAX)
            break;
        if (strcmp(s_str(u, "level"), "province") != 0 || !*s_str(u, "code"))
            continue;
        bench_eval_province_t *p = &w->provinces[found];
        memset(p, 0, sizeof *p);
        snprintf(p->code, sizeof p->code, "%s", s_str(u, "code"));
        cJSON_ArrayForEach (c, units) {
            if (p->n_communes == BENCH_EVAL_COMMUNES)
                break;
            if (strcmp(s_str(c, "level"), "commune") == 0 && strcmp(s_str(c, "parent"), p->code) == 0)
                snprintf(p->communes[p->n_communes++], sizeof p->communes[0], "%s", s_str(c, "code"));
        }
        if (p->n_communes >= S_MIN_COMMUNES)
            found++;
    }
    return found == HARNESS_SHARDS_MAX ? 0 : -1;
}

int bench_eval_world_load(bench_eval_world_t *w, const char *rules_dir)
{
    memset(w, 0, sizeof *w);
    if (harness_data_load(rules_dir, &w->data) != 0)
        return -1;
    char file[64], err[512];
    snprintf(file, sizeof file, "units-%s.json", w->data.unit_version);
    cJSON *units = bench_read_json(rules_dir, file, err, sizeof err);
    if (!units) {
        fprintf(stderr, "bench: %s\n", err);
        return -1;
    }
    int rc = s_pick_provinces(units, w);
    cJSON_Delete(units);
    if (rc != 0) {
        fprintf(stderr, "bench: %s/%s has fewer than %d provinces with %d communes\n", rules_dir, file,
                HARNESS_SHARDS_MAX, S_MIN_COMMUNES);
        return -1;
    }
    w->rubrics = harness_rubrics_load();
    w->rubric = w->rubrics ? eval_rubrics_find(w->rubrics, w->data.catalogue_version, w->data.product_set) : NULL;
    if (!w->rubric) {
        fprintf(stderr, "bench: no rubric for product set %s of catalogue %s\n", w->data.product_set,
                w->data.catalogue_version);
        return -1;
    }
    ocop_day_of(harness_wall_ms(), w->today);
    return 0;
}

void bench_eval_world_free(bench_eval_world_t *w)
{
    eval_rubrics_destroy(&w->rubrics);
    w->rubric = NULL;
}

/* ---------------------------------------------------------------- replies */

size_t bench_eval_replies_check(Ocop__Reply **replies, size_t n, Ocop__Reply__BodyCase body, const char *what)
{
    size_t bad = 0;
    for (size_t i = 0; i < n; i++) {
        const Ocop__Reply *r = replies[i];
        if (r && r->status == OCOP__STATUS__STATUS_OK && r->body_case == body)
            continue;
        if (bad++ < S_ERRORS_SHOWN)
            fprintf(stderr, "bench: %s %zu: %s %s (field %s)\n", what, i,
                    r ? harness_status_name(r->status) : "no reply", r ? r->message : "", r ? r->field : "");
    }
    harness_replies_free(replies, n);
    return bad;
}

/* ---------------------------------------------------------------- deployment */

const harness_ready_t *bench_eval_product(const bench_eval_deploy_t *d, unsigned shard, size_t session, size_t j)
{
    return &d->products[(shard * d->sessions + session) * d->per_session + j];
}

const char *bench_eval_session(const bench_eval_deploy_t *d, unsigned shard, size_t session)
{
    return d->session_ids[shard * d->sessions + session];
}

static int s_make_ready(bench_eval_deploy_t *d, const bench_eval_world_t *w, unsigned seed)
{
    size_t per_shard = d->sessions * d->per_session, n = per_shard * d->shards;
    size_t *entity_of = calloc(n, sizeof *entity_of);
    if (!entity_of)
        return -1;
    for (size_t i = 0; i < n; i++) {
        const bench_eval_province_t *p = &w->provinces[i / per_shard];
        size_t j = i % per_shard;
        harness_ready_t *r = &d->products[i];
        snprintf(r->commune, sizeof r->commune, "%s", p->communes[j % p->n_communes]);
        snprintf(r->catalogue, sizeof r->catalogue, "%s", w->data.catalogue_version);
        snprintf(r->sector, sizeof r->sector, "%s", w->data.sector);
        snprintf(r->product_set, sizeof r->product_set, "%s", w->data.product_set);
        entity_of[i] = i - j % S_PRODUCTS_PER_ENTITY; /* never across shards: per_shard need not be a multiple */
    }
    int64_t t0 = bench_now_ns();
    int rc = harness_make_ready(d->h->client, d->products, entity_of, n, seed);
    d->ready_s = (double)(bench_now_ns() - t0) / 1e9;
    free(entity_of);
    t0 = bench_now_ns();
    for (unsigned s = 0; rc == 0 && s < d->shards; s++)
        rc = harness_shard_wait_product(d->h, s, d->products[(s + 1) * per_shard - 1].product_id);
    d->replica_s = (double)(bench_now_ns() - t0) / 1e9;
    return rc;
}

/* Every product of the shard attested by its commune, pipelined. */
static int s_attest(bench_eval_deploy_t *d, unsigned shard)
{
    size_t n = d->sessions * d->per_session;
    Ocop__EvalAttest *bodies = calloc(n, sizeof *bodies);
    Ocop__Request *reqs = calloc(n, sizeof *reqs);
    Ocop__Request **ptrs = calloc(n, sizeof *ptrs);
    Ocop__Reply **replies = calloc(n, sizeof *replies);
    int rc = bodies && reqs && ptrs && replies ? 0 : -1;
    for (size_t i = 0; rc == 0 && i < n; i++) {
        ocop__eval_attest__init(&bodies[i]);
        bodies[i].product_id = (char *)d->products[shard * n + i].product_id;
        bodies[i].local_materials = bodies[i].local_labour = bodies[i].idea_origin = bodies[i].local_identity = true;
        bodies[i].note = "Hồ sơ đầy đủ; nguyên liệu tại địa phương";
        ocop__request__init(&reqs[i]);
        reqs[i].body_case = OCOP__REQUEST__BODY_EVAL_ATTEST;
        reqs[i].eval_attest = &bodies[i];
        ptrs[i] = &reqs[i];
    }
    if (rc == 0)
        rc = harness_pipeline(d->h->shard[shard].client, ptrs, n, S_WINDOW, replies);
    if (rc == 0 && bench_eval_replies_check(replies, n, OCOP__REPLY__BODY_EVAL_PRODUCT, "attest") != 0)
        rc = -1;
    free(bodies);
    free(reqs);
    free(ptrs);
    free(replies);
    return rc;
}

/* Takes the reply: 0 when it is OK with body, else -1 with a message. */
static int s_expect(Ocop__Reply *r, Ocop__Reply__BodyCase body, const char *what)
{
    return bench_eval_replies_check(&r, 1, body, what) == 0 ? 0 : -1;
}

/* A province council of BENCH_EVAL_MEMBERS, and its sessions opened and started with everyone. */
static int s_sessions(bench_eval_deploy_t *d, const bench_eval_world_t *w, unsigned shard)
{
    ocop_client_t *c = d->h->shard[shard].client;
    const char *province = w->provinces[shard].code;
    Ocop__Reply *r =
        harness_council_create(c, OCOP__EVAL_LEVEL__EVAL_LEVEL_PROVINCE, province, province, BENCH_EVAL_MEMBERS, 0);
    char council[BENCH_EVAL_ID_LEN];
    snprintf(council, sizeof council, "%s", r && r->eval_council ? r->eval_council->id : "");
    if (s_expect(r, OCOP__REPLY__BODY_EVAL_COUNCIL, "council create") != 0)
        return -1;
    const char **ids = calloc(d->per_session, sizeof *ids);
    int rc = ids ? 0 : -1;
    for (size_t k = 0; rc == 0 && k < d->sessions; k++) {
        size_t at = shard * d->sessions + k;
        for (size_t j = 0; j < d->per_session; j++)
            ids[j] = bench_eval_product(d, shard, k, j)->product_id;
        int64_t t0 = bench_now_ns();
        r = harness_session_open(c, council, w->today, ids, d->per_session, false);
        d->open_ns[at] = bench_now_ns() - t0;
        snprintf(d->session_ids[at], sizeof d->session_ids[at], "%s", r && r->eval_session ? r->eval_session->id : "");
        snprintf(d->policy, sizeof d->policy, "%s", r && r->eval_session ? r->eval_session->policy : "");
        rc = s_expect(r, OCOP__REPLY__BODY_EVAL_SESSION, "session open");
        if (rc == 0)
            rc = s_expect(harness_session_start(c, d->session_ids[at], NULL, BENCH_EVAL_MEMBERS),
                          OCOP__REPLY__BODY_EVAL_SESSION, "session start");
    }
    free(ids);
    return rc;
}

int bench_eval_deploy_up(bench_eval_deploy_t *d, const bench_eval_world_t *w, unsigned shards, size_t sessions,
                         size_t per_session, unsigned seed)
{
    memset(d, 0, sizeof *d);
    d->shards = shards;
    d->sessions = sessions;
    d->per_session = per_session;
    size_t n_sessions = shards * sessions;
    d->products = calloc(n_sessions * per_session, sizeof *d->products);
    d->session_ids = calloc(n_sessions, sizeof *d->session_ids);
    d->open_ns = calloc(n_sessions, sizeof *d->open_ns);
    if (!d->products || !d->session_ids || !d->open_ns || shards == 0 || shards > HARNESS_SHARDS_MAX)
        return -1;
    harness_options_t opts = {.shards = shards};
    for (unsigned s = 0; s < shards; s++)
        opts.shard_provinces[s] = w->provinces[s].code;
    d->h = harness_new(&opts);
    if (!d->h || harness_start(d->h) != 0)
        return -1;
    for (unsigned s = 0; s < shards; s++)
        if (harness_shard_start(d->h, s) != 0)
            return -1;
    if (s_make_ready(d, w, seed) != 0)
        return -1;
    int64_t t0 = bench_now_ns();
    for (unsigned s = 0; s < shards; s++)
        if (s_attest(d, s) != 0)
            return -1;
    d->attest_s = (double)(bench_now_ns() - t0) / 1e9;
    for (unsigned s = 0; s < shards; s++)
        if (s_sessions(d, w, s) != 0)
            return -1;
    return 0;
}

void bench_eval_deploy_down(bench_eval_deploy_t *d)
{
    harness_destroy(&d->h);
    free(d->products);
    free(d->session_ids);
    free(d->open_ns);
    d->products = NULL;
    d->session_ids = NULL;
    d->open_ns = NULL;
}
