/* demo_evaluate — "ocop-demo evaluate": the councils' year for the demo dataset.
 *
 * For every province of every evaluation shard in the config: the products registration holds
 * in evaluation are attested by their commune (1489/QĐ-TTg), scored by the province council
 * (7 members, every one present), and the session closed; products proposed for 5★ go to the
 * central council, which recognises about half of them; certified products are then promoted
 * in registration. Scores are drawn so that the shares match the programme's published
 * distribution (3★ 67.3 %, 4★ 31.2 %, ≥ 90 points 1.5 %), each member within a few points of
 * the others. What each province still needs is read from the shard (products decided this
 * year are not scored again), and request ids are derived from the sessions' products, so a run
 * cut short at any point is finished by running it again, and running it again after that
 * changes nothing. Members tick options on each product's form, which the shard sends under
 * the rules in force on the session's date (demo_sheets); where those rules hold sessions in
 * rounds (26/2026 Art. 5), each session is opened in a round of its level (demo_round). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "demo.h"
#include "demo_round.h"
#include "demo_session.h"
#include "demo_sheets.h"
#include "ocop_date.h"
#include "ocop_error.h"

#define S_SHARDS_MAX 64
#define S_WAIT_MS 60000

typedef struct {
    const char *date;
    uint64_t seed;
    int timeout_ms;
    size_t certified, proposed, five_stars, products;
} s_run_t;

/* ---------------------------------------------------------------- one province */

/* Waits until the shard's replica holds every product as registration listed it, evaluating:
 * registration's events reach the shard asynchronously, so right after an import a product may
 * be unknown there, or still at an earlier stage, and could not be attested yet. Asks for the
 * products still missing, pipelined, every 100 ms. */
static int s_wait_replica(const s_run_t *run, ocop_client_t *shard, const demo_product_t *products, size_t n)
{
    size_t *waiting = calloc(n, sizeof *waiting), n_waiting = n;
    Ocop__EvalProductGet *gets = calloc(n, sizeof *gets);
    Ocop__Request *reqs = calloc(n, sizeof *reqs), **ptrs = calloc(n, sizeof *ptrs);
    Ocop__Reply **replies = calloc(n, sizeof *replies);
    int rc = waiting && gets && reqs && ptrs && replies ? 0 : CTL_EXIT_FAILED;
    for (size_t i = 0; rc == 0 && i < n; i++)
        waiting[i] = i;
    for (int waited = 0; rc == 0 && n_waiting; waited += 100) {
        for (size_t k = 0; k < n_waiting; k++) {
            ocop__eval_product_get__init(&gets[k]);
            gets[k].id = (char *)products[waiting[k]].id;
            ocop__request__init(&reqs[k]);
            reqs[k].body_case = OCOP__REQUEST__BODY_EVAL_PRODUCT_GET;
            reqs[k].eval_product_get = &gets[k];
            ptrs[k] = &reqs[k];
        }
        if (ocop_client_pipeline(shard, ptrs, n_waiting, DEMO_WINDOW, run->timeout_ms, replies) != 0) {
            fprintf(stderr, "ocop-demo evaluate: the shard did not answer within %d ms\n", run->timeout_ms);
            rc = CTL_EXIT_UNAVAILABLE;
        }
        size_t still = 0;
        for (size_t k = 0; k < n_waiting; k++) {
            int ready = replies[k] && replies[k]->status == OCOP__STATUS__STATUS_OK &&
                        replies[k]->body_case == OCOP__REPLY__BODY_EVAL_PRODUCT &&
                        replies[k]->eval_product->stage == OCOP__STAGE__STAGE_EVALUATING;
            if (!ready)
                waiting[still++] = waiting[k];
            if (replies[k])
                ocop__reply__free_unpacked(replies[k], NULL);
            replies[k] = NULL;
        }
        n_waiting = still;
        if (rc == 0 && n_waiting && waited >= S_WAIT_MS) {
            fprintf(stderr,
                    "ocop-demo evaluate: after %d s the shard has not learnt from registration that %zu products "
                    "are evaluating (%s among them)\n",
                    S_WAIT_MS / 1000, n_waiting, products[waiting[0]].id);
            rc = CTL_EXIT_UNAVAILABLE;
        }
        if (rc == 0 && n_waiting) {
            struct timespec ts = {0, 100 * 1000000L};
            nanosleep(&ts, NULL);
        }
    }
    free(waiting);
    free(gets);
    free(reqs);
    free(ptrs);
    free(replies);
    return rc;
}

static int s_attest(const s_run_t *run, ocop_client_t *shard, const demo_product_t *products, size_t n)
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
    int rc = demo_pipeline(shard, reqs, n, run->timeout_ms, "attesting", NULL);
    free(reqs);
    free(bodies);
    free(ids);
    return rc;
}

/* Opens, starts, scores and closes one session of products; the closing reply is kept. */
/* The round the session's dossiers (filed on its date) go to when the rules in force ask for one
 * (26/2026 Art. 5): a round of the level whose deadline is the year's last day, or the day after
 * a session held on 31 December. */
static int s_round(const s_run_t *run, ocop_client_t *shard, const char *province, int central, char *id)
{
    char deadline[OCOP_DATE_LEN];
    snprintf(deadline, sizeof deadline, "%04d-12-31", ocop_date_year(run->date));
    if (strcmp(run->date, deadline) >= 0 && ocop_date_add_days(run->date, 1, deadline) != 0)
        return CTL_EXIT_FAILED;
    return demo_round(shard, central ? OCOP__EVAL_LEVEL__EVAL_LEVEL_CENTRAL : OCOP__EVAL_LEVEL__EVAL_LEVEL_PROVINCE,
                      province, run->date, run->date, deadline, run->timeout_ms, id);
}

/* Opens the session; under rules that hold sessions in rounds, in one (request id "<rid>-round"). */
static int s_open(const s_run_t *run, ocop_client_t *shard, const char *province, int central, Ocop__Request *req,
                  Ocop__Reply **reply)
{
    if (ocop_client_call(shard, req, reply, run->timeout_ms, 3) != 0) {
        fprintf(stderr, "ocop-demo evaluate: opening a session: no reply within %d ms\n", run->timeout_ms);
        return CTL_EXIT_UNAVAILABLE;
    }
    if ((*reply)->status == OCOP__STATUS__STATUS_OK)
        return 0;
    int needs_round =
        (*reply)->status == OCOP__STATUS__STATUS_ILLEGAL_STATE && strcmp((*reply)->field, "round_id") == 0;
    if (!needs_round) {
        fprintf(stderr, "ocop-demo evaluate: opening a session: %s (%s) %s\n", ocop_status_name((*reply)->status),
                (*reply)->field, (*reply)->message);
        int rc = ctl_exit_for_status((*reply)->status);
        ocop__reply__free_unpacked(*reply, NULL);
        return rc;
    }
    ocop__reply__free_unpacked(*reply, NULL);
    char round[DEMO_ID_LEN], rid[128];
    int rc = s_round(run, shard, province, central, round);
    if (rc != 0)
        return rc;
    char *first = req->request_id;
    snprintf(rid, sizeof rid, "%s-round", first);
    req->request_id = rid;
    req->eval_session_open->round_id = round;
    rc = demo_call_one(shard, req, run->timeout_ms, "opening a session", reply);
    req->request_id = first;
    req->eval_session_open->round_id = "";
    return rc;
}

static int s_session(const s_run_t *run, demo_forms_t *forms, ocop_client_t *shard, const char *province,
                     const char *council, const char *tag, const demo_product_t *products, size_t n, int central,
                     Ocop__Reply **closed)
{
    char **ids = calloc(n, sizeof *ids), rid[96], session[DEMO_ID_LEN];
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
    int rc = s_open(run, shard, province, central, &req, &reply);
    free(ids);
    if (rc != 0)
        return rc;
    snprintf(session, sizeof session, "%s", reply->eval_session->id);
    ocop__reply__free_unpacked(reply, NULL);

    char *present[DEMO_MEMBERS];
    for (size_t i = 0; i < DEMO_MEMBERS; i++)
        present[i] = (char *)demo_members[i][0];
    Ocop__EvalSessionStart start = OCOP__EVAL_SESSION_START__INIT;
    start.session_id = session;
    start.present_member_ids = present;
    start.n_present_member_ids = DEMO_MEMBERS;
    snprintf(rid, sizeof rid, "demo-start-%s", tag);
    req.body_case = OCOP__REQUEST__BODY_EVAL_SESSION_START;
    req.eval_session_start = &start;
    rc = demo_call_one(shard, &req, run->timeout_ms, "starting a session", &reply);
    if (rc != 0)
        return rc;
    ocop__reply__free_unpacked(reply, NULL);
    double *base = calloc(n ? n : 1, sizeof *base);
    int *band = calloc(n ? n : 1, sizeof *band);
    for (size_t i = 0; base && band && i < n; i++)
        base[i] = demo_base_total(run->seed, products[i].id, central, &band[i]);
    rc = base && band ? demo_sheets_send(forms, shard, session, run->date, products, base, band, n, DEMO_MEMBERS,
                                         run->seed, run->timeout_ms)
                      : CTL_EXIT_FAILED;
    free(base);
    free(band);
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
    return demo_call_one(shard, &req, run->timeout_ms, "closing a session", closed);
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
    int rc = n ? demo_pipeline(reg, reqs, n, run->timeout_ms, "promoting", NULL) : 0;
    free(reqs);
    free(bodies);
    free(rids);
    return rc;
}

/* A session's tag: its kind, the province and a hash of its products, so that the same
 * products make the same requests on every run and other products other ones. */
static void s_tag(char *tag, size_t len, const char *kind, const char *province, const demo_product_t *products,
                  size_t n)
{
    uint64_t h = 0;
    for (size_t i = 0; i < n; i++)
        h = demo_hash(h, products[i].id);
    snprintf(tag, len, "%s%s-%016llx", kind, province, (unsigned long long)h);
}

typedef struct {
    demo_product_t *unscored; /* not yet decided this year (or in a session left open) */
    size_t n_unscored;
    demo_product_t *proposed; /* waiting for the central council */
    size_t n_proposed;
    char **certified; /* certified this year: to be promoted */
    size_t n_certified;
} s_plan_t;

/* Sorts the province's products by what the shard says of them: an earlier run (cut short,
 * perhaps) may have decided some already; those are not scored again. */
static int s_plan(const s_run_t *run, ocop_client_t *shard, const demo_product_t *products, size_t n, s_plan_t *plan)
{
    Ocop__Request *reqs = calloc(n ? n : 1, sizeof *reqs);
    Ocop__EvalProductGet *gets = calloc(n ? n : 1, sizeof *gets);
    Ocop__Reply **replies = NULL;
    int rc = reqs && gets ? 0 : CTL_EXIT_FAILED;
    for (size_t i = 0; rc == 0 && i < n; i++) {
        ocop__eval_product_get__init(&gets[i]);
        gets[i].id = (char *)products[i].id;
        ocop__request__init(&reqs[i]);
        reqs[i].body_case = OCOP__REQUEST__BODY_EVAL_PRODUCT_GET;
        reqs[i].eval_product_get = &gets[i];
    }
    if (rc == 0 && n)
        rc = demo_pipeline(shard, reqs, n, run->timeout_ms, "reading the products", &replies);
    char year[8];
    snprintf(year, sizeof year, "%d", ocop_date_year(run->date));
    for (size_t i = 0; rc == 0 && i < n; i++) {
        const Ocop__EvalProduct *p = replies[i]->eval_product;
        if (p->forwarded_to == OCOP__EVAL_LEVEL__EVAL_LEVEL_CENTRAL)
            plan->proposed[plan->n_proposed++] = products[i];
        else if (strcmp(p->rated_year, year) != 0 || *p->session_id)
            plan->unscored[plan->n_unscored++] = products[i];
        else if (p->stars >= 3)
            plan->certified[plan->n_certified++] = strdup(p->id);
    }
    for (size_t i = 0; replies && i < n; i++)
        ocop__reply__free_unpacked(replies[i], NULL);
    free(replies);
    free(reqs);
    free(gets);
    return rc;
}

static int s_cmp_product(const void *a, const void *b)
{
    return strcmp(((const demo_product_t *)a)->id, ((const demo_product_t *)b)->id);
}

/* The province's products: those not yet decided this year in sessions of at most
 * DEMO_SITTING_MAX, then the central council for its proposals, then promotion of what is
 * certified. Every step is found again by a re-run, whatever point an earlier run reached. */
static int s_province(ctl_t *ctl, s_run_t *run, demo_forms_t *forms, ocop_client_t *reg, ocop_client_t *shard,
                      const char *province)
{
    demo_product_t *products;
    size_t n;
    int rc = demo_list_products(reg, province, OCOP__STAGE__STAGE_EVALUATING, run->timeout_ms, &products, &n);
    (void)ctl;
    if (rc == 0 && n)
        rc = s_wait_replica(run, shard, products, n);
    if (rc == 0 && n)
        rc = s_attest(run, shard, products, n);
    char council[DEMO_ID_LEN], central[DEMO_ID_LEN];
    if (rc == 0 && n)
        rc = demo_council(shard, province, 0, run->timeout_ms, council);
    s_plan_t plan = {.unscored = calloc(n + 1, sizeof *plan.unscored),
                     .proposed = calloc(n + 1, sizeof *plan.proposed),
                     .certified = calloc(n + 1, sizeof *plan.certified)};
    if (rc == 0 && !(plan.unscored && plan.proposed && plan.certified))
        rc = CTL_EXIT_FAILED;
    if (rc == 0 && n)
        rc = s_plan(run, shard, products, n, &plan);
    for (size_t from = 0; rc == 0 && from < plan.n_unscored; from += DEMO_SITTING_MAX) {
        size_t count = plan.n_unscored - from < DEMO_SITTING_MAX ? plan.n_unscored - from : DEMO_SITTING_MAX;
        char tag[96];
        s_tag(tag, sizeof tag, "", province, plan.unscored + from, count);
        Ocop__Reply *closed;
        rc = s_session(run, forms, shard, province, council, tag, plan.unscored + from, count, 0, &closed);
        for (size_t i = 0; rc == 0 && i < closed->eval_session->n_products; i++) {
            const Ocop__EvalSessionProduct *sp = closed->eval_session->products[i];
            if (sp->stars >= 3)
                plan.certified[plan.n_certified++] = strdup(sp->product_id);
            if (sp->forwarded)
                plan.proposed[plan.n_proposed++] = plan.unscored[from + i];
        }
        if (rc == 0)
            ocop__reply__free_unpacked(closed, NULL);
    }
    if (rc == 0 && plan.n_proposed) {
        qsort(plan.proposed, plan.n_proposed, sizeof *plan.proposed, s_cmp_product);
        char tag[96];
        s_tag(tag, sizeof tag, "central-", province, plan.proposed, plan.n_proposed);
        Ocop__Reply *closed;
        rc = demo_council(shard, province, 1, run->timeout_ms, central);
        if (rc == 0)
            rc = s_session(run, forms, shard, province, central, tag, plan.proposed, plan.n_proposed, 1, &closed);
        for (size_t i = 0; rc == 0 && i < closed->eval_session->n_products; i++)
            run->five_stars += closed->eval_session->products[i]->stars == 5;
        if (rc == 0)
            ocop__reply__free_unpacked(closed, NULL);
    }
    if (rc == 0)
        rc = s_promote(run, reg, plan.certified, plan.n_certified);
    if (rc == 0 && n)
        printf("demo: province %-3s %5zu products, %5zu certified, %3zu proposed for 5 stars\n", province, n,
               plan.n_certified, plan.n_proposed);
    run->products += n;
    run->certified += plan.n_certified;
    run->proposed += plan.n_proposed;
    for (size_t i = 0; i < plan.n_certified; i++)
        free(plan.certified[i]);
    free(plan.certified);
    free(plan.proposed);
    free(plan.unscored);
    free(products);
    return rc;
}

int demo_evaluate(ctl_t *ctl, int argc, char **argv)
{
    s_run_t run = {.seed = 2025};
    char today[OCOP_DATE_LEN];
    bool usage = false;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--date") == 0 && i + 1 < argc)
            run.date = argv[++i];
        else if (!(strcmp(argv[i], "--seed") == 0 && i + 1 < argc &&
                   ctl_parse_u64(argv[++i], 0, UINT64_MAX, &run.seed) == 0))
            usage = true;
    }
    if (usage || (run.date && !ocop_date_valid(run.date))) {
        fprintf(stderr, "usage: ocop-demo evaluate [--date YYYY-MM-DD] [--seed N]\n"
                        "  Scores every product registration holds in evaluation, province by province, on the\n"
                        "  shards of the config, on the sheets in force on the date (today by default); safe to\n"
                        "  re-run.\n");
        return CTL_EXIT_USAGE;
    }
    int rc = demo_connect_direct(ctl, "evaluate", "shards");
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
        fprintf(stderr, "ocop-demo evaluate: %s has no evaluation shard\n", ctl->config_path);
        return CTL_EXIT_USAGE;
    }
    demo_forms_t *forms = demo_forms_new();
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
    demo_forms_destroy(&forms);
    if (rc == 0)
        printf("demo: %zu products scored on %s; %zu certified, %zu proposed for 5 stars, %zu recognised at 5 stars\n",
               run.products, run.date, run.certified, run.proposed, run.five_stars);
    return rc;
}
