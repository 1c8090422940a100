/* ctl_demo_evaluate — "ocopctl demo evaluate": the councils' year for the demo dataset.
 *
 * For every province of every evaluation shard in the config: the products registration holds
 * in evaluation are attested by their commune (1489/QĐ-TTg), scored by the province council
 * (7 members, every one present), and the session closed; products proposed for 5★ go to the
 * central council, which recognises about half of them; certified products are then promoted
 * in registration. Scores are drawn so that the shares match the programme's published
 * distribution (3★ 67.3 %, 4★ 31.2 %, ≥ 90 points 1.5 %), each member within a few points of
 * the others. Request ids are derived from the products and provinces, so running it again
 * changes nothing. Members tick options on each product's form, which the shard sends under
 * the rules in force on the session's date (ctl_demo_sheets). */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ctl.h"
#include "ctl_demo_sheets.h"
#include "ocop_date.h"
#include "ocop_error.h"

#define S_SHARDS_MAX 64
#define S_MEMBERS 7
#define S_SESSION_MAX 5000
#define S_CRITERIA_MAX 64
#define S_ID_LEN 40
#define S_WINDOW 512
#define S_WAIT_MS 60000

static const char *const s_members[S_MEMBERS][2] = {
    {"m1", "Nguyễn Văn Hùng"}, {"m2", "Trần Thị Lan"}, {"m3", "Lê Minh Tuấn"},  {"m4", "Phạm Thu Hà"},
    {"m5", "Hoàng Đức Anh"},   {"m6", "Vũ Thị Mai"},   {"m7", "Đặng Quốc Bảo"},
};

typedef struct {
    const char *date;
    uint64_t seed;
    int timeout_ms;
    size_t certified, proposed, five_stars, products;
} s_run_t;

static uint64_t s_mix(uint64_t z)
{
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

static uint64_t s_hash(uint64_t seed, const char *s)
{
    uint64_t h = seed ^ 0x9E3779B97F4A7C15ULL;
    for (; *s; s++)
        h = s_mix(h + (unsigned char)*s);
    return h;
}

/* The council's common view of a product: a base total in one band (in whole points), and
 * that band. */
static double s_base_total(const s_run_t *run, const char *product_id, int central, int *band)
{
    uint64_t h = s_hash(run->seed + (uint64_t)central, product_id);
    double u = (double)(h % 1000000) / 1e6, v = (double)((h >> 20) % 1000) / 1000;
    if (central) { /* about half of the proposals reach 90 again before the ministry's council */
        *band = u < 0.5 ? 5 : 4;
        return u < 0.5 ? 92 + floor(v * 5) : 84 + floor(v * 4);
    }
    *band = u < 0.673 ? 3 : u < 0.985 ? 4 : 5;
    if (u < 0.673)
        return 53 + floor(v * 14);
    if (u < 0.985)
        return 73 + floor(v * 14);
    return 93 + floor(v * 5);
}

/* ---------------------------------------------------------------- calls */

/* Pipelines n requests on client; every reply must be OK or, on a re-run, a refusal that says
 * the work is done (ok_states). Frees the replies unless keep. 0 / exit code. */
static int s_pipeline(const s_run_t *run, ocop_client_t *client, Ocop__Request *reqs, size_t n, const char *what,
                      Ocop__Reply ***keep)
{
    Ocop__Request **ptrs = calloc(n ? n : 1, sizeof *ptrs);
    Ocop__Reply **replies = calloc(n ? n : 1, sizeof *replies);
    int rc = ptrs && replies ? 0 : CTL_EXIT_FAILED;
    for (size_t i = 0; rc == 0 && i < n; i++)
        ptrs[i] = &reqs[i];
    if (rc == 0 && ocop_client_pipeline(client, ptrs, n, S_WINDOW, run->timeout_ms, replies) != 0) {
        fprintf(stderr, "ocopctl demo evaluate: %s: a reply did not come within %d ms\n", what, run->timeout_ms);
        rc = CTL_EXIT_UNAVAILABLE;
    }
    for (size_t i = 0; rc == 0 && i < n; i++)
        if (replies[i]->status != OCOP__STATUS__STATUS_OK) {
            fprintf(stderr, "ocopctl demo evaluate: %s: %s (%s) %s\n", what, ocop_status_name(replies[i]->status),
                    replies[i]->field, replies[i]->message);
            rc = ctl_exit_for_status(replies[i]->status);
        }
    if (keep && rc == 0) {
        *keep = replies;
        replies = NULL;
    }
    for (size_t i = 0; replies && i < n; i++)
        if (replies[i])
            ocop__reply__free_unpacked(replies[i], NULL);
    free(replies);
    free(ptrs);
    return rc;
}

static int s_call_one(const s_run_t *run, ocop_client_t *client, Ocop__Request *req, const char *what,
                      Ocop__Reply **reply)
{
    Ocop__Reply **replies = NULL;
    int rc = s_pipeline(run, client, req, 1, what, &replies);
    if (rc == 0) {
        *reply = replies[0];
        free(replies);
    }
    return rc;
}

/* ---------------------------------------------------------------- one province */

typedef struct {
    char id[S_ID_LEN];
    char catalogue[16];
    char set[16];
} s_product_t;

/* Products of province registration holds in evaluation (stage evaluating). */
static int s_list(ctl_t *ctl, ocop_client_t *reg, const s_run_t *run, const char *province, s_product_t **out,
                  size_t *n)
{
    size_t cap = 256;
    *out = malloc(cap * sizeof **out);
    *n = 0;
    char cursor[S_ID_LEN] = "";
    do {
        Ocop__RegProductList list = OCOP__REG_PRODUCT_LIST__INIT;
        list.province_code = (char *)province;
        list.stage = OCOP__STAGE__STAGE_EVALUATING;
        list.limit = 1000;
        list.cursor = cursor;
        Ocop__Request req = OCOP__REQUEST__INIT;
        req.body_case = OCOP__REQUEST__BODY_REG_PRODUCT_LIST;
        req.reg_product_list = &list;
        Ocop__Reply *reply;
        int rc = s_call_one(run, reg, &req, "listing products", &reply);
        if (rc != 0)
            return rc;
        const Ocop__RegProductPage *page = reply->reg_product_page;
        for (size_t i = 0; i < page->n_products; i++) {
            if (*n == cap)
                *out = realloc(*out, (cap *= 2) * sizeof **out);
            s_product_t *p = &(*out)[(*n)++];
            snprintf(p->id, sizeof p->id, "%s", page->products[i]->id);
            snprintf(p->catalogue, sizeof p->catalogue, "%s", page->products[i]->catalogue_version);
            snprintf(p->set, sizeof p->set, "%s", page->products[i]->product_set_code);
        }
        snprintf(cursor, sizeof cursor, "%s", page->next_cursor);
        ocop__reply__free_unpacked(reply, NULL);
    } while (*cursor);
    (void)ctl;
    return 0;
}

/* Waits until the shard's replica has every product (registration's events arrive async). */
static int s_wait_replica(const s_run_t *run, ocop_client_t *shard, const s_product_t *products, size_t n)
{
    for (size_t i = 0; i<n; i += n - i> 1 ? n - i - 1 : 1) {
        for (int waited = 0;; waited += 100) {
            Ocop__EvalProductGet get = OCOP__EVAL_PRODUCT_GET__INIT;
            get.id = (char *)products[i].id;
            Ocop__Request req = OCOP__REQUEST__INIT;
            req.body_case = OCOP__REQUEST__BODY_EVAL_PRODUCT_GET;
            req.eval_product_get = &get;
            Ocop__Reply *reply;
            if (ocop_client_call(shard, &req, &reply, run->timeout_ms, 3) != 0)
                return CTL_EXIT_UNAVAILABLE;
            int known = reply->status == OCOP__STATUS__STATUS_OK;
            ocop__reply__free_unpacked(reply, NULL);
            if (known)
                break;
            if (waited >= S_WAIT_MS) {
                fprintf(stderr, "ocopctl demo evaluate: the shard has not learnt product %s from registration\n",
                        products[i].id);
                return CTL_EXIT_UNAVAILABLE;
            }
            struct timespec ts = {0, 100 * 1000000L};
            nanosleep(&ts, NULL);
        }
        if (i == n - 1)
            break;
    }
    return 0;
}

static int s_attest(const s_run_t *run, ocop_client_t *shard, const s_product_t *products, size_t n)
{
    Ocop__Request *reqs = calloc(n, sizeof *reqs);
    Ocop__EvalAttest *bodies = calloc(n, sizeof *bodies);
    char(*ids)[64] = calloc(n, sizeof *ids);
    for (size_t i = 0; i < n; i++) {
        ocop__eval_attest__init(&bodies[i]);
        bodies[i].product_id = (char *)products[i].id;
        bodies[i].local_materials = bodies[i].local_labour = bodies[i].idea_origin = bodies[i].local_identity = true;
        bodies[i].note = "UBND xã đã kiểm tra hồ sơ (dữ liệu minh hoạ)";
        ocop__request__init(&reqs[i]);
        snprintf(ids[i], sizeof ids[i], "demo-attest-%s", products[i].id);
        reqs[i].request_id = ids[i];
        reqs[i].body_case = OCOP__REQUEST__BODY_EVAL_ATTEST;
        reqs[i].eval_attest = &bodies[i];
    }
    int rc = s_pipeline(run, shard, reqs, n, "attesting", NULL);
    free(reqs);
    free(bodies);
    free(ids);
    return rc;
}

static int s_council(const s_run_t *run, ocop_client_t *shard, const char *province, int central, char *out)
{
    Ocop__EvalMember members[S_MEMBERS], *ptrs[S_MEMBERS];
    for (size_t i = 0; i < S_MEMBERS; i++) {
        ocop__eval_member__init(&members[i]);
        members[i].id = (char *)s_members[i][0];
        members[i].name = (char *)s_members[i][1];
        members[i].role = i == 0   ? OCOP__MEMBER_ROLE__MEMBER_ROLE_CHAIR
                          : i == 1 ? OCOP__MEMBER_ROLE__MEMBER_ROLE_VICE_CHAIR
                                   : OCOP__MEMBER_ROLE__MEMBER_ROLE_MEMBER;
        ptrs[i] = &members[i];
    }
    Ocop__EvalCouncilCreate body = OCOP__EVAL_COUNCIL_CREATE__INIT;
    body.name = central ? "Hội đồng đánh giá sản phẩm OCOP cấp quốc gia" : "Hội đồng đánh giá sản phẩm OCOP cấp tỉnh";
    body.level = central ? OCOP__EVAL_LEVEL__EVAL_LEVEL_CENTRAL : OCOP__EVAL_LEVEL__EVAL_LEVEL_PROVINCE;
    body.unit_code = central ? "" : (char *)province;
    body.province_code = (char *)province;
    body.members = ptrs;
    body.n_members = S_MEMBERS;
    char rid[64];
    snprintf(rid, sizeof rid, "demo-council-%s-%s", central ? "central" : "province", province);
    Ocop__Request req = OCOP__REQUEST__INIT;
    req.request_id = rid;
    req.body_case = OCOP__REQUEST__BODY_EVAL_COUNCIL_CREATE;
    req.eval_council_create = &body;
    Ocop__Reply *reply;
    int rc = s_call_one(run, shard, &req, "creating a council", &reply);
    if (rc == 0) {
        snprintf(out, S_ID_LEN, "%s", reply->eval_council->id);
        ocop__reply__free_unpacked(reply, NULL);
    }
    return rc;
}

/* Sheets of every member for every product of the session; totals near each product's base. */
static int s_sheets(const s_run_t *run, ctl_demo_forms_t *forms, ocop_client_t *shard, const char *session,
                    const s_product_t *products, size_t n, int central)
{
    size_t total = n * S_MEMBERS;
    Ocop__Request *reqs = calloc(total, sizeof *reqs);
    Ocop__EvalSheetSubmit *bodies = calloc(total, sizeof *bodies);
    Ocop__EvalScore *scores = calloc(total * S_CRITERIA_MAX, sizeof *scores);
    Ocop__EvalScore **score_ptrs = calloc(total * S_CRITERIA_MAX, sizeof *score_ptrs);
    char(*ids)[96] = calloc(total, sizeof *ids);
    int rc = reqs && bodies && scores && score_ptrs && ids ? 0 : CTL_EXIT_FAILED;
    for (size_t p = 0; rc == 0 && p < n; p++) {
        const Ocop__EvalForm *form = ctl_demo_forms_get(forms, shard, products[p].id, products[p].catalogue,
                                                        products[p].set, run->date, run->timeout_ms);
        if (!form || form->n_criteria > S_CRITERIA_MAX)
            rc = CTL_EXIT_FAILED;
        int band;
        double base = s_base_total(run, products[p].id, central, &band);
        for (size_t m = 0; rc == 0 && m < S_MEMBERS; m++) {
            size_t k = p * S_MEMBERS + m;
            /* Members differ by at most 3 points: within the spread limit, so one round. */
            double mine = base + (double)(s_hash(run->seed + m, products[p].id) % 7) * 0.5 - 1.5;
            Ocop__EvalSheetSubmit *b = &bodies[k];
            ocop__eval_sheet_submit__init(b);
            b->session_id = (char *)session;
            b->product_id = (char *)products[p].id;
            b->member_id = (char *)s_members[m][0];
            b->phase = b->round = 1;
            b->scores = &score_ptrs[k * S_CRITERIA_MAX];
            ctl_demo_choose(form, mine, band, s_hash(run->seed + m, products[p].id), &scores[k * S_CRITERIA_MAX],
                            &b->n_scores);
            for (size_t c = 0; c < b->n_scores; c++)
                b->scores[c] = &scores[k * S_CRITERIA_MAX + c];
            ocop__request__init(&reqs[k]);
            snprintf(ids[k], sizeof ids[k], "demo-sheet-%s-%s-%s", session, products[p].id, s_members[m][0]);
            reqs[k].request_id = ids[k];
            reqs[k].body_case = OCOP__REQUEST__BODY_EVAL_SHEET_SUBMIT;
            reqs[k].eval_sheet_submit = b;
        }
    }
    if (rc == 0)
        rc = s_pipeline(run, shard, reqs, total, "scoring", NULL);
    free(reqs);
    free(bodies);
    free(scores);
    free(score_ptrs);
    free(ids);
    return rc;
}

/* Opens, starts, scores and closes one session of products; the closing reply is kept. */
static int s_session(const s_run_t *run, ctl_demo_forms_t *forms, ocop_client_t *shard, const char *council,
                     const char *tag, const s_product_t *products, size_t n, int central, Ocop__Reply **closed)
{
    char **ids = calloc(n, sizeof *ids), rid[96], session[S_ID_LEN];
    for (size_t i = 0; i < n; i++)
        ids[i] = (char *)products[i].id;
    Ocop__EvalSessionOpen open = OCOP__EVAL_SESSION_OPEN__INIT;
    open.council_id = (char *)council;
    open.date = (char *)run->date;
    open.product_ids = ids;
    open.n_product_ids = n;
    Ocop__Request req = OCOP__REQUEST__INIT;
    snprintf(rid, sizeof rid, "demo-open-%s", tag);
    req.request_id = rid;
    req.body_case = OCOP__REQUEST__BODY_EVAL_SESSION_OPEN;
    req.eval_session_open = &open;
    Ocop__Reply *reply;
    int rc = s_call_one(run, shard, &req, "opening a session", &reply);
    free(ids);
    if (rc != 0)
        return rc;
    snprintf(session, sizeof session, "%s", reply->eval_session->id);
    ocop__reply__free_unpacked(reply, NULL);

    char *present[S_MEMBERS];
    for (size_t i = 0; i < S_MEMBERS; i++)
        present[i] = (char *)s_members[i][0];
    Ocop__EvalSessionStart start = OCOP__EVAL_SESSION_START__INIT;
    start.session_id = session;
    start.present_member_ids = present;
    start.n_present_member_ids = S_MEMBERS;
    snprintf(rid, sizeof rid, "demo-start-%s", tag);
    req.body_case = OCOP__REQUEST__BODY_EVAL_SESSION_START;
    req.eval_session_start = &start;
    rc = s_call_one(run, shard, &req, "starting a session", &reply);
    if (rc != 0)
        return rc;
    ocop__reply__free_unpacked(reply, NULL);
    rc = s_sheets(run, forms, shard, session, products, n, central);
    if (rc != 0)
        return rc;
    Ocop__EvalSessionClose close = OCOP__EVAL_SESSION_CLOSE__INIT;
    close.session_id = session;
    close.decision_date = (char *)run->date; /* the decision the same day */
    close.decision_ref = central ? "Quyết định công nhận sản phẩm OCOP 5 sao (dữ liệu minh hoạ)"
                                 : "Quyết định của UBND tỉnh công nhận sản phẩm OCOP (dữ liệu minh hoạ)";
    snprintf(rid, sizeof rid, "demo-close-%s", tag);
    req.body_case = OCOP__REQUEST__BODY_EVAL_SESSION_CLOSE;
    req.eval_session_close = &close;
    return s_call_one(run, shard, &req, "closing a session", closed);
}

/* Moves the certified products to trade promotion in registration. */
static int s_promote(const s_run_t *run, ocop_client_t *reg, char **ids, size_t n)
{
    Ocop__Request *reqs = calloc(n ? n : 1, sizeof *reqs);
    Ocop__RegStageTransition *bodies = calloc(n ? n : 1, sizeof *bodies);
    char(*rids)[64] = calloc(n ? n : 1, sizeof *rids);
    for (size_t i = 0; i < n; i++) {
        ocop__reg_stage_transition__init(&bodies[i]);
        bodies[i].product_id = ids[i];
        bodies[i].action = OCOP__STAGE_ACTION__STAGE_ACTION_PROMOTE;
        ocop__request__init(&reqs[i]);
        snprintf(rids[i], sizeof rids[i], "demo-promote-%s", ids[i]);
        reqs[i].request_id = rids[i];
        reqs[i].body_case = OCOP__REQUEST__BODY_REG_STAGE_TRANSITION;
        reqs[i].reg_stage_transition = &bodies[i];
    }
    int rc = n ? s_pipeline(run, reg, reqs, n, "promoting", NULL) : 0;
    free(reqs);
    free(bodies);
    free(rids);
    return rc;
}

/* The province's products in sessions of at most S_SESSION_MAX, then the central council for
 * its proposals, then promotion of what is certified. */
static int s_province(ctl_t *ctl, s_run_t *run, ctl_demo_forms_t *forms, ocop_client_t *reg, ocop_client_t *shard,
                      const char *province)
{
    s_product_t *products;
    size_t n;
    int rc = s_list(ctl, reg, run, province, &products, &n);
    if (rc == 0 && n)
        rc = s_wait_replica(run, shard, products, n);
    if (rc == 0 && n)
        rc = s_attest(run, shard, products, n);
    char council[S_ID_LEN], central[S_ID_LEN];
    if (rc == 0 && n)
        rc = s_council(run, shard, province, 0, council);
    char **certified = calloc(n + 1, sizeof *certified);
    s_product_t *proposed = calloc(n + 1, sizeof *proposed);
    size_t n_certified = 0, n_proposed = 0;
    for (size_t from = 0; rc == 0 && from < n; from += S_SESSION_MAX) {
        size_t count = n - from < S_SESSION_MAX ? n - from : S_SESSION_MAX;
        char tag[64];
        snprintf(tag, sizeof tag, "%s-%zu", province, from / S_SESSION_MAX + 1);
        Ocop__Reply *closed;
        rc = s_session(run, forms, shard, council, tag, products + from, count, 0, &closed);
        for (size_t i = 0; rc == 0 && i < closed->eval_session->n_products; i++) {
            const Ocop__EvalSessionProduct *sp = closed->eval_session->products[i];
            const s_product_t *p = &products[from + i];
            if (sp->stars >= 3)
                certified[n_certified++] = strdup(sp->product_id);
            if (sp->forwarded)
                proposed[n_proposed++] = *p;
        }
        if (rc == 0)
            ocop__reply__free_unpacked(closed, NULL);
    }
    if (rc == 0 && n_proposed) {
        char tag[64];
        snprintf(tag, sizeof tag, "central-%s", province);
        Ocop__Reply *closed;
        rc = s_council(run, shard, province, 1, central);
        if (rc == 0)
            rc = s_session(run, forms, shard, central, tag, proposed, n_proposed, 1, &closed);
        for (size_t i = 0; rc == 0 && i < closed->eval_session->n_products; i++)
            run->five_stars += closed->eval_session->products[i]->stars == 5;
        if (rc == 0)
            ocop__reply__free_unpacked(closed, NULL);
    }
    if (rc == 0)
        rc = s_promote(run, reg, certified, n_certified);
    if (rc == 0 && n)
        printf("demo: province %-3s %5zu products, %5zu certified, %3zu proposed for 5 stars\n", province, n,
               n_certified, n_proposed);
    run->products += n;
    run->certified += n_certified;
    run->proposed += n_proposed;
    for (size_t i = 0; i < n_certified; i++)
        free(certified[i]);
    free(certified);
    free(proposed);
    free(products);
    return rc;
}

int ctl_demo_evaluate(ctl_t *ctl, int argc, char **argv)
{
    s_run_t run = {.seed = 2025};
    char today[OCOP_DATE_LEN];
    bool usage = false;
    for (int i = 2; i < argc; i++) {
        if (strcmp(argv[i], "--date") == 0 && i + 1 < argc)
            run.date = argv[++i];
        else if (strcmp(argv[i], "--seed") == 0 && i + 1 < argc)
            run.seed = strtoull(argv[++i], NULL, 10);
        else
            usage = true;
    }
    if (usage || (run.date && !ocop_date_valid(run.date))) {
        fprintf(stderr, "usage: ocopctl demo evaluate [--date YYYY-MM-DD] [--seed N]\n"
                        "  Scores every product registration holds in evaluation, province by province, on the\n"
                        "  shards of the config, on the sheets in force on the date (today by default); safe to\n"
                        "  re-run.\n");
        return CTL_EXIT_USAGE;
    }
    if (ctl->gateway) {
        fprintf(stderr, "ocopctl demo evaluate: runs on a service host, straight to the shards (--config, not "
                        "--gateway)\n");
        return CTL_EXIT_USAGE;
    }
    int rc = ctl_prepare(ctl);
    if (rc != 0)
        return rc;
    if (!run.date) {
        ocop_day_of((long long)time(NULL) * 1000, today);
        run.date = today;
    }
    run.timeout_ms = ctl->timeout_ms * 6;
    char shards[S_SHARDS_MAX][OCOP_NAME_MAX];
    size_t n_shards = ocop_config_shards(ctl->config, "evaluation", shards, S_SHARDS_MAX);
    if (n_shards == 0) {
        fprintf(stderr, "ocopctl demo evaluate: %s has no evaluation shard\n", ctl->config_path);
        return CTL_EXIT_USAGE;
    }
    ctl_demo_forms_t *forms = ctl_demo_forms_new();
    ocop_client_t *reg = ctl_connect(ctl, "registration");
    rc = forms && reg ? 0 : CTL_EXIT_UNAVAILABLE;
    for (size_t s = 0; rc == 0 && s < n_shards; s++) {
        ocop_service_config_t sc;
        char err[512];
        ocop_client_t *shard = ctl_connect(ctl, shards[s]);
        if (!shard || ocop_config_service(ctl->config, shards[s], &sc, err, sizeof err) != 0)
            rc = CTL_EXIT_UNAVAILABLE;
        for (size_t p = 0; rc == 0 && p < sc.province_count; p++)
            rc = s_province(ctl, &run, forms, reg, shard, sc.provinces[p]);
        ocop_client_destroy(&shard);
    }
    ocop_client_destroy(&reg);
    ctl_demo_forms_destroy(&forms);
    if (rc == 0)
        printf("demo: %zu products scored on %s; %zu certified, %zu proposed for 5 stars, %zu recognised at 5 stars\n",
               run.products, run.date, run.certified, run.proposed, run.five_stars);
    return rc;
}
