/* gateway_world — see gateway_world.h. */
#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "gateway_world.h"
#include "harness_eval.h"
#include "ocop_date.h"
#include "ocop_error.h"

static Ocop__Reply *s_call(ocop_client_t *c, Ocop__Request *req)
{
    Ocop__Reply *r;
    req->request_id = "";
    return harness_call(c, req, &r) == 0 ? r : NULL;
}

static void s_free(Ocop__Reply **r)
{
    if (*r)
        ocop__reply__free_unpacked(*r, NULL);
    *r = NULL;
}

static int s_ok(Ocop__Reply *r, const char *what)
{
    if (r && r->status == OCOP__STATUS__STATUS_OK)
        return 0;
    fprintf(stderr, "gateway_world: %s: %s %s\n", what, r ? r->field : "no reply", r ? r->message : "");
    return -1;
}

/* Attest, council, session of one product, three sheets of 75, close: a 4-star certificate. */
static int s_rate(gateway_world_t *w, unsigned shard, eval_rubrics_t *rubrics, const harness_ready_t *p, size_t i)
{
    ocop_client_t *c = w->h->shard[shard].client;
    char today[OCOP_DATE_LEN];
    ocop_day_of(harness_wall_ms(), today);
    if (harness_shard_wait_product(w->h, shard, p->product_id) != 0)
        return -1;
    Ocop__EvalAttest a = OCOP__EVAL_ATTEST__INIT;
    a.product_id = (char *)p->product_id;
    Ocop__Request req = OCOP__REQUEST__INIT;
    req.body_case = OCOP__REQUEST__BODY_EVAL_ATTEST;
    req.eval_attest = &a;
    Ocop__Reply *r = s_call(c, &req);
    int rc = s_ok(r, "attest");
    s_free(&r);
    r = rc ? NULL
           : harness_council_create(c, OCOP__EVAL_LEVEL__EVAL_LEVEL_PROVINCE, w->province[i], w->province[i], 3, 0);
    rc = rc ? rc : s_ok(r, "council");
    if (rc == 0)
        snprintf(w->council[i], sizeof w->council[i], "%s", r->eval_council->id);
    s_free(&r);
    const char *ids[1] = {p->product_id};
    r = rc ? NULL : harness_session_open(c, w->council[i], today, ids, 1, false);
    rc = rc ? rc : s_ok(r, "session open");
    if (rc == 0)
        snprintf(w->session[i], sizeof w->session[i], "%s", r->eval_session->id);
    s_free(&r);
    r = rc ? NULL : harness_session_start(c, w->session[i], NULL, 3);
    rc = rc ? rc : s_ok(r, "session start");
    s_free(&r);
    const eval_rubric_t *rubric = eval_rubrics_find(rubrics, p->catalogue, p->product_set);
    static const char *const members[] = {"m1", "m2", "m3"};
    for (int m = 0; m < 3 && rc == 0 && rubric; m++) {
        harness_sheet_t sheet;
        if (harness_sheet_init(&sheet, rubric, 75, NULL) != 0)
            return -1;
        harness_sheet_address(&sheet, w->session[i], p->product_id, members[m], 1, 1);
        r = s_call(c, &sheet.req);
        rc = s_ok(r, "sheet");
        s_free(&r);
        harness_sheet_free(&sheet);
    }
    r = rc || !rubric ? NULL : harness_session_close(c, w->session[i], "QĐ 1/QĐ-UBND");
    rc = rc ? rc : s_ok(r, "session close");
    if (rc == 0 && r->eval_session->n_products == 1)
        snprintf(w->certificate[i], sizeof w->certificate[i], "%s", r->eval_session->products[0]->certificate_id);
    s_free(&r);
    return rc == 0 && w->certificate[i][0] ? 0 : -1;
}

static int s_fair(gateway_world_t *w, size_t i)
{
    Ocop__ProFairCreate f = OCOP__PRO_FAIR_CREATE__INIT;
    char start[OCOP_DATE_LEN], end[OCOP_DATE_LEN];
    ocop_day_of(harness_wall_ms() + 40LL * 86400000, start);
    ocop_day_of(harness_wall_ms() + 43LL * 86400000, end);
    f.name = i == GW_A ? "Hội chợ OCOP A" : "Hội chợ OCOP B";
    f.organiser = "Sở Công Thương";
    f.province_code = w->province[i];
    f.venue = "Trung tâm triển lãm";
    f.start = start;
    f.end = end;
    f.booths = 10;
    f.strategy = "fair-share";
    Ocop__Request req = OCOP__REQUEST__INIT;
    req.body_case = OCOP__REQUEST__BODY_PRO_FAIR_CREATE;
    req.pro_fair_create = &f;
    Ocop__Reply *r = s_call(w->h->promotion.client, &req);
    int rc = s_ok(r, "fair");
    if (rc == 0)
        snprintf(w->fair[i], sizeof w->fair[i], "%s", r->pro_fair->id);
    s_free(&r);
    return rc;
}

static int s_users(gateway_world_t *w)
{
    harness_t *h = w->h;
    char councils[40];
    snprintf(councils, sizeof councils, "%s", w->council[GW_A]);
    int rc = harness_gateway_user(h, "nsx", "producer", NULL, NULL, w->entity[GW_A], NULL, NULL, w->token[1]);
    rc |= harness_gateway_user(h, "xa", "commune_officer", w->province[GW_A], w->commune[GW_A], NULL, NULL, NULL,
                               w->token[2]);
    rc |= harness_gateway_user(h, "tinh", "province_officer", w->province[GW_A], NULL, NULL, NULL, NULL, w->token[3]);
    rc |= harness_gateway_user(h, "hoidong", "council_member", NULL, NULL, NULL, "m1", councils, w->token[4]);
    rc |= harness_gateway_user(h, "trunguong", "central_officer", NULL, NULL, NULL, NULL, NULL, w->token[5]);
    rc |= harness_gateway_user(h, "kiemtra", "auditor", NULL, NULL, NULL, NULL, NULL, w->token[6]);
    rc |= harness_gateway_user(h, "tinh-b", "province_officer", w->province[GW_B], NULL, NULL, NULL, NULL,
                               w->token_province_b);
    return rc;
}

int gateway_world_new(gateway_world_t *w, const harness_options_t *extra)
{
    memset(w, 0, sizeof *w);
    if (harness_data_load_registration(&w->data) != 0)
        return -1;
    harness_options_t opts = extra ? *extra : (harness_options_t){0};
    opts.shards = 2;
    opts.shard_provinces[0] = w->data.province_a;
    opts.shard_provinces[1] = w->data.province_b;
    opts.audit = opts.promotion = opts.gateway = 1;
    /* Users first: the gateway reads the tokens file as it starts. */
    w->h = harness_new(&opts);
    if (!w->h)
        return -1;
    snprintf(w->province[GW_A], sizeof w->province[0], "%s", w->data.province_a);
    snprintf(w->province[GW_B], sizeof w->province[0], "%s", w->data.province_b);
    snprintf(w->commune[GW_A], sizeof w->commune[0], "%s", w->data.communes[0]);
    snprintf(w->commune[GW_B], sizeof w->commune[0], "%s", w->data.communes[3]);
    int rc = harness_start(w->h);
    for (unsigned i = 0; rc == 0 && i < 2; i++)
        rc = harness_shard_start(w->h, i);
    if (rc == 0)
        rc = harness_audit_start(w->h) | harness_promotion_start(w->h);
    harness_ready_t p[2];
    memset(p, 0, sizeof p);
    size_t entity_of[2] = {0, 1};
    for (size_t i = 0; i < 2; i++) {
        snprintf(p[i].commune, sizeof p[i].commune, "%s", w->commune[i]);
        snprintf(p[i].catalogue, sizeof p[i].catalogue, "%s", w->data.catalogue_version);
        snprintf(p[i].sector, sizeof p[i].sector, "%s", w->data.sector);
        snprintf(p[i].product_set, sizeof p[i].product_set, "%s", w->data.product_set);
    }
    if (rc == 0)
        rc = harness_make_ready(w->h->client, p, entity_of, 2, 4242);
    eval_rubrics_t *rubrics = rc == 0 ? harness_rubrics_load() : NULL;
    for (size_t i = 0; rc == 0 && i < 2; i++) {
        snprintf(w->entity[i], sizeof w->entity[i], "%s", p[i].entity_id);
        snprintf(w->product[i], sizeof w->product[i], "%s", p[i].product_id);
        rc = rubrics ? s_rate(w, (unsigned)i, rubrics, &p[i], i) : -1;
        if (rc == 0)
            rc = s_fair(w, i);
    }
    eval_rubrics_destroy(&rubrics);
    if (rc == 0)
        rc = s_users(w);
    if (rc == 0)
        rc = harness_gateway_start(w->h);
    return rc;
}

void gateway_world_destroy(gateway_world_t *w)
{
    harness_destroy(&w->h);
}

const char *gateway_world_token(const gateway_world_t *w, ocop_role_t role)
{
    for (unsigned i = 1; i < OCOP_ROLE_COUNT; i++)
        if (role == (ocop_role_t)(1u << i))
            return w->token[i];
    return NULL;
}

char *gateway_world_sequences(gateway_world_t *w)
{
    harness_http_t r = {0};
    if (harness_http(w->h, "GET", "/healthz", NULL, NULL, &r) != 0 || r.status != 200) {
        harness_http_free(&r);
        return NULL;
    }
    cJSON *doc = cJSON_Parse(r.body);
    harness_http_free(&r);
    const cJSON *services = cJSON_GetObjectItemCaseSensitive(doc, "services");
    char *out = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&out, &len);
    for (const cJSON *s = services ? services->child : NULL; f && s; s = s->next) {
        const cJSON *seq = cJSON_GetObjectItemCaseSensitive(s, "last_sequence");
        fprintf(f, "%s=%.0f ", s->string, cJSON_IsNumber(seq) ? seq->valuedouble : -1.0);
    }
    if (f)
        fclose(f);
    cJSON_Delete(doc);
    return out;
}
