/* demo_rerate — "ocop-demo rerate": the demo programme after Decision 26/2026/QĐ-TTg
 * took effect (22 May 2026), each step under the rules in force on its date (docs/rules.md).
 *
 * 1. The products move to 26/2026's catalogue ("ocopctl catalogue migrate --from 148 --to
 *    26-2026", reused as it is), and each shard's replica is waited for until it has the new
 *    catalogue of every product demo evaluate certified (60 s at most).
 * 2. A round of upgrades (nâng hạng, Art. 6.1(b)) in a few provinces chosen from the seed, in
 *    the round their dossiers go to (Art. 5: filed after 30 April, round 2 of 2026, declared
 *    when the province has not yet; demo_round), so the province's calendar has them:
 *    province sessions dated 2026-06-15 with dossiers of kind upgrade filed 2026-06-01, sheets
 *    on 26/2026's forms with targets that lift some 3★ to 4★ and leave the others where they
 *    were, closed with decision date 2026-06-30. Products of 90 or more are proposed to the
 *    ministry without stars at the province (Art. 7.3(e)): a central session (7 members, 5
 *    present, in the ministry's round 1 of 2026 for proposals by 30 July)
 *    recognises some 5★, and the province certifies the others on the central result
 *    (Art. 7.4(g), EvalCentralResultCertify).
 * 3. A few revocations by ground (Art. 8), by the competent level (province 3★/4★, ministry
 *    5★), the finding a few days before today; one of them late (Art. 8.4: over 15 days).
 *
 * What is chosen depends only on the seed and on what demo evaluate did (the band it drew for
 * each product), never on the state this step leaves behind, and every request id is derived
 * from the province or the product: a second run repeats the same requests, which the services
 * answer from their request ids, and writes nothing. */
#include <stdbool.h>
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
#define S_PROVINCES_MAX 256
#define S_WAIT_MS 60000
#define S_CATALOGUE "26-2026"
#define S_SESSION_DATE "2026-06-15"
#define S_FILED "2026-06-01"
#define S_DECISION_DATE "2026-06-30"
#define S_CENTRAL_DATE "2026-07-20"
#define S_CENTRAL_DECISION_DATE "2026-07-31"
#define S_CERTIFY_DATE "2026-08-10"
#define S_CENTRAL_PRESENT 5
#define S_LATE_INDEX 2 /* the revocation decided late */

static const char *const s_grounds[] = {"law_violation", "mark_misuse", "production_stopped", "criteria_not_met"};
#define S_GROUNDS (sizeof s_grounds / sizeof s_grounds[0])

typedef struct {
    uint64_t seed;
    int timeout_ms;
    unsigned upgrade_permille; /* of an upgrade province's certified products */
    unsigned revocations;
    size_t sitting; /* at most this many dossiers per session */
    char today[OCOP_DATE_LEN];
    size_t in_catalogue, upgrade_provinces, upgraded, up, same, down, proposed, five, certified_central,
        revoked[S_GROUNDS], revoked_late, skipped;
} s_run_t;

typedef struct {
    char code[16];
    size_t shard;
    uint64_t rank;
    demo_product_t *products; /* certified in demo evaluate (stage trade promotion) */
    size_t n;
} s_province_t;

/* A revocation candidate: a product certified in demo evaluate and not upgraded here. */
typedef struct {
    const demo_product_t *product;
    size_t shard;
    uint64_t hash;
    unsigned rank; /* its place in its province by hash (from 1): spreads the revocations */
    int stars;     /* as demo evaluate left it (5 when the ministry recognised it) */
} s_victim_t;

/* The stars demo evaluate gave the product: its band; a proposal is 5★ only if the ministry
 * recognised it, else 0 here (not a candidate for either step). */
static int s_stars_2025(const s_run_t *run, const char *id)
{
    int band, central;
    demo_base_total(run->seed, id, 0, &band);
    if (band < 5)
        return band;
    demo_base_total(run->seed, id, 1, &central);
    return central == 5 ? 5 : 0;
}

static bool s_upgrade_province(const s_province_t *pv, const s_province_t *first)
{
    return pv == first || pv->rank % 100 < 25;
}

static bool s_upgrade_candidate(const s_run_t *run, const demo_product_t *p)
{
    int stars = s_stars_2025(run, p->id);
    return strcmp(p->catalogue, S_CATALOGUE) == 0 && (stars == 3 || stars == 4) &&
           demo_hash(run->seed + 7, p->id) % 1000 < run->upgrade_permille;
}

/* The target of an upgrade dossier: half of the 3★ reach 4★, the rest stay; a third of the
 * 4★ reach 90 (proposed to the ministry), the rest stay. */
static double s_upgrade_target(const s_run_t *run, const char *id, int before, int *band)
{
    uint64_t h = demo_hash(run->seed + 11, id);
    double v = (double)((h >> 20) % 1000) / 1000;
    bool lift = h % 100 < (before == 3 ? 50u : 34u);
    *band = lift ? before + 1 : before;
    if (*band == 5)
        return 92 + (int)(v * 4);
    return (*band == 4 ? 73 : 54) + (int)(v * 12);
}

/* ---------------------------------------------------------------- waiting */

static int s_product_get(const s_run_t *run, ocop_client_t *shard, const char *id, Ocop__Reply **reply)
{
    Ocop__EvalProductGet get = OCOP__EVAL_PRODUCT_GET__INIT;
    get.id = (char *)id;
    Ocop__Request req = OCOP__REQUEST__INIT;
    req.body_case = OCOP__REQUEST__BODY_EVAL_PRODUCT_GET;
    req.eval_product_get = &get;
    return ocop_client_call(shard, &req, reply, run->timeout_ms, 3) == 0 ? 0 : CTL_EXIT_UNAVAILABLE;
}

/* Waits (S_WAIT_MS at most) until the shard's replica has every product of pv that
 * registration moved in catalogue 26-2026; each pass asks for those still behind, pipelined. */
static int s_wait_catalogue(const s_run_t *run, ocop_client_t *shard, const s_province_t *pv)
{
    size_t n = 0;
    const demo_product_t **behind = calloc(pv->n + 1, sizeof *behind);
    Ocop__Request *reqs = calloc(pv->n + 1, sizeof *reqs);
    Ocop__EvalProductGet *gets = calloc(pv->n + 1, sizeof *gets);
    int rc = behind && reqs && gets ? 0 : CTL_EXIT_FAILED;
    for (size_t i = 0; rc == 0 && i < pv->n; i++)
        if (strcmp(pv->products[i].catalogue, S_CATALOGUE) == 0)
            behind[n++] = &pv->products[i];
    for (int waited = 0; rc == 0 && n; waited += 100) {
        for (size_t i = 0; i < n; i++) {
            ocop__eval_product_get__init(&gets[i]);
            gets[i].id = (char *)behind[i]->id;
            ocop__request__init(&reqs[i]);
            reqs[i].body_case = OCOP__REQUEST__BODY_EVAL_PRODUCT_GET;
            reqs[i].eval_product_get = &gets[i];
        }
        Ocop__Reply **replies = NULL;
        rc = demo_pipeline(shard, reqs, n, run->timeout_ms, "reading the shard's products", &replies);
        size_t still = 0;
        for (size_t i = 0; rc == 0 && i < n; i++) {
            if (strcmp(replies[i]->eval_product->catalogue_version, S_CATALOGUE) != 0)
                behind[still++] = behind[i];
            ocop__reply__free_unpacked(replies[i], NULL);
        }
        free(replies);
        n = still;
        if (rc == 0 && n && waited >= S_WAIT_MS) {
            fprintf(stderr,
                    "ocop-demo rerate: after %d s the shard has not learnt catalogue %s of %zu products of "
                    "province %s (e.g. %s)\n",
                    S_WAIT_MS / 1000, S_CATALOGUE, n, pv->code, behind[0]->id);
            rc = CTL_EXIT_UNAVAILABLE;
        }
        if (rc == 0 && n) {
            struct timespec ts = {0, 100 * 1000000L};
            nanosleep(&ts, NULL);
        }
    }
    free(behind);
    free(reqs);
    free(gets);
    return rc;
}

/* ---------------------------------------------------------------- sessions */

/* Opens the upgrade session of the products (a re-run finds it again under the same request
 * id) and copies its id into session. 0, or an exit code. */
static int s_session_open(const s_run_t *run, ocop_client_t *shard, const char *council, const char *round,
                          const char *tag, const demo_product_t *const *products, size_t n, int central,
                          char session[DEMO_ID_LEN])
{
    char **ids = calloc(n ? n : 1, sizeof *ids), rid[96];
    Ocop__EvalDossier *dossiers = calloc(n ? n : 1, sizeof *dossiers);
    Ocop__EvalDossier **dossier_ptrs = calloc(n ? n : 1, sizeof *dossier_ptrs);
    int rc = ids && dossiers && dossier_ptrs ? 0 : CTL_EXIT_FAILED;
    for (size_t i = 0; rc == 0 && i < n; i++) {
        ids[i] = (char *)products[i]->id;
        ocop__eval_dossier__init(&dossiers[i]);
        dossiers[i].product_id = ids[i];
        /* Every product here files an upgrade; a proposal keeps its certificate until the
         * ministry decides (Art. 7.3(e)), so its dossier at the ministry is the same upgrade. */
        dossiers[i].kind = OCOP__DOSSIER_KIND__DOSSIER_KIND_UPGRADE;
        dossiers[i].filed = S_FILED;
        dossier_ptrs[i] = &dossiers[i];
    }
    Ocop__EvalSessionOpen open = OCOP__EVAL_SESSION_OPEN__INIT;
    open.council_id = (char *)council;
    open.date = central ? S_CENTRAL_DATE : S_SESSION_DATE;
    open.product_ids = ids;
    open.n_product_ids = n;
    open.dossiers = dossier_ptrs;
    open.n_dossiers = n;
    open.round_id = (char *)round;
    Ocop__Request req = OCOP__REQUEST__INIT;
    snprintf(rid, sizeof rid, "demo-rerate-open-%s", tag);
    req.request_id = rid;
    req.body_case = OCOP__REQUEST__BODY_EVAL_SESSION_OPEN;
    req.eval_session_open = &open;
    Ocop__Reply *reply = NULL;
    if (rc == 0)
        rc = demo_call_one(shard, &req, run->timeout_ms, "opening an upgrade session", &reply);
    free(ids);
    free(dossiers);
    free(dossier_ptrs);
    if (rc != 0)
        return rc;
    snprintf(session, DEMO_ID_LEN, "%s", reply->eval_session->id);
    ocop__reply__free_unpacked(reply, NULL);
    return 0;
}

/* Starts the session (unless it is scoring already: an interrupted run started it) and sends
 * every present member's sheets for the products it lists. 0, or an exit code. */
static int s_session_score(const s_run_t *run, demo_forms_t *forms, ocop_client_t *shard, const char *tag,
                           const Ocop__EvalSession *listed, const demo_product_t *const *products, size_t n,
                           int central)
{
    size_t m = listed->n_products;
    demo_product_t *scored = calloc(m ? m : 1, sizeof *scored);
    double *base = calloc(m ? m : 1, sizeof *base);
    int *band = calloc(m ? m : 1, sizeof *band);
    int rc = scored && base && band ? 0 : CTL_EXIT_FAILED;
    for (size_t i = 0; rc == 0 && i < m; i++) {
        const char *id = listed->products[i]->product_id;
        snprintf(scored[i].id, sizeof scored[i].id, "%s", id);
        snprintf(scored[i].catalogue, sizeof scored[i].catalogue, "%s", S_CATALOGUE);
        for (size_t k = 0; k < n; k++)
            if (strcmp(products[k]->id, id) == 0)
                snprintf(scored[i].set, sizeof scored[i].set, "%s", products[k]->set);
        base[i] = central ? demo_base_total(run->seed + 100, id, 1, &band[i])
                          : s_upgrade_target(run, id, s_stars_2025(run, id), &band[i]);
    }
    size_t n_present = central ? S_CENTRAL_PRESENT : DEMO_MEMBERS;
    char *present[DEMO_MEMBERS], rid[96];
    for (size_t i = 0; i < n_present; i++)
        present[i] = (char *)demo_members[i][0];
    Ocop__EvalSessionStart start = OCOP__EVAL_SESSION_START__INIT;
    start.session_id = listed->id;
    start.present_member_ids = present;
    start.n_present_member_ids = n_present;
    Ocop__Request req = OCOP__REQUEST__INIT;
    snprintf(rid, sizeof rid, "demo-rerate-start-%s", tag);
    req.request_id = rid;
    req.body_case = OCOP__REQUEST__BODY_EVAL_SESSION_START;
    req.eval_session_start = &start;
    if (rc == 0 && listed->state != OCOP__SESSION_STATE__SESSION_STATE_SCORING) {
        Ocop__Reply *reply;
        rc = demo_call_one(shard, &req, run->timeout_ms, "starting a session", &reply);
        if (rc == 0)
            ocop__reply__free_unpacked(reply, NULL);
    }
    if (rc == 0)
        rc = demo_sheets_send(forms, shard, listed->id, central ? S_CENTRAL_DATE : S_SESSION_DATE, scored, base, band,
                              m, n_present, run->seed + 100 * (uint64_t)central, run->timeout_ms);
    free(scored);
    free(base);
    free(band);
    return rc;
}

/* Opens (or finds again) a session of products with upgrade dossiers before council (central:
 * the ministry's), then, unless an earlier run closed it, starts it with its present members,
 * scores and closes it. *closed: the session as closed (the caller's reply). 0, or an exit
 * code. */
static int s_session(const s_run_t *run, demo_forms_t *forms, ocop_client_t *shard, const char *council,
                     const char *round, const char *tag, const demo_product_t *const *products, size_t n, int central,
                     Ocop__Reply **closed)
{
    char session[DEMO_ID_LEN], rid[96];
    int rc = s_session_open(run, shard, council, round, tag, products, n, central, session);
    if (rc != 0)
        return rc;
    /* The session as it stands: an earlier run may have closed it (then nothing is sent). */
    Ocop__EvalSessionGet get = OCOP__EVAL_SESSION_GET__INIT;
    get.id = session;
    Ocop__Request req = OCOP__REQUEST__INIT;
    req.body_case = OCOP__REQUEST__BODY_EVAL_SESSION_GET;
    req.eval_session_get = &get;
    Ocop__Reply *reply;
    if ((rc = demo_call_one(shard, &req, run->timeout_ms, "reading a session", &reply)) != 0)
        return rc;
    if (reply->eval_session->state == OCOP__SESSION_STATE__SESSION_STATE_CLOSED) {
        *closed = reply;
        return 0;
    }
    /* The products as the session lists them (an interrupted run opened it with these). */
    rc = s_session_score(run, forms, shard, tag, reply->eval_session, products, n, central);
    ocop__reply__free_unpacked(reply, NULL);
    if (rc != 0)
        return rc;
    Ocop__EvalSessionClose close = OCOP__EVAL_SESSION_CLOSE__INIT;
    close.session_id = session;
    close.decision_date = central ? S_CENTRAL_DECISION_DATE : S_DECISION_DATE;
    close.decision_ref = central ? "Quyết định của Bộ trưởng công nhận sản phẩm OCOP 5 sao (dữ liệu minh hoạ)"
                                 : "Quyết định của Chủ tịch UBND tỉnh công nhận kết quả nâng hạng (dữ liệu minh hoạ)";
    snprintf(rid, sizeof rid, "demo-rerate-close-%s", tag);
    req = (Ocop__Request)OCOP__REQUEST__INIT;
    req.request_id = rid;
    req.body_case = OCOP__REQUEST__BODY_EVAL_SESSION_CLOSE;
    req.eval_session_close = &close;
    return demo_call_one(shard, &req, run->timeout_ms, "closing a session", closed);
}

/* The ministry's session for the province's proposals; the province certifies on the central
 * result those the ministry did not recognise (26/2026 Art. 7.4(g)). */
static int s_central_sitting(s_run_t *run, demo_forms_t *forms, ocop_client_t *shard, const char *council,
                             const char *round, const char *tag, const demo_product_t *const *proposed, size_t n);

static int s_central(s_run_t *run, demo_forms_t *forms, ocop_client_t *shard, const char *province,
                     const demo_product_t *const *proposed, size_t n)
{
    char council[DEMO_ID_LEN], tag[64];
    size_t five = run->five, certified = run->certified_central;
    char round[DEMO_ID_LEN];
    int rc = demo_council(shard, province, 1, run->timeout_ms, council);
    if (rc == 0)
        rc = demo_round(shard, OCOP__EVAL_LEVEL__EVAL_LEVEL_CENTRAL, province, S_CENTRAL_DATE, S_CENTRAL_DATE,
                        S_CENTRAL_DECISION_DATE, run->timeout_ms, round);
    for (size_t from = 0; rc == 0 && from < n; from += run->sitting) {
        snprintf(tag, sizeof tag, "central-%s-%zu", province, from / run->sitting);
        size_t count = n - from < run->sitting ? n - from : run->sitting;
        rc = s_central_sitting(run, forms, shard, council, round, tag, proposed + from, count);
    }
    if (rc == 0)
        printf("demo rerate: province %-3s central sessions (%d of %d members present): %zu proposals, %zu "
               "recognised 5★, %zu certified by the province on the central result\n",
               province, S_CENTRAL_PRESENT, DEMO_MEMBERS, n, run->five - five, run->certified_central - certified);
    return rc;
}

/* One sitting of the ministry's council (at most run->sitting proposals). */
static int s_central_sitting(s_run_t *run, demo_forms_t *forms, ocop_client_t *shard, const char *council,
                             const char *round, const char *tag, const demo_product_t *const *proposed, size_t n)
{
    Ocop__Reply *closed;
    int rc = s_session(run, forms, shard, council, round, tag, proposed, n, 1, &closed);
    if (rc != 0)
        return rc;
    for (size_t i = 0; rc == 0 && i < closed->eval_session->n_products; i++) {
        const Ocop__EvalSessionProduct *sp = closed->eval_session->products[i];
        if (sp->stars == 5) {
            run->five++;
            continue;
        }
        if (sp->ranked_stars < 3)
            continue;
        Ocop__EvalCentralResultCertify body = OCOP__EVAL_CENTRAL_RESULT_CERTIFY__INIT;
        body.product_id = sp->product_id;
        body.decision_ref = "Quyết định của Chủ tịch UBND tỉnh công nhận theo kết quả Hội đồng Trung ương (dữ liệu "
                            "minh hoạ)";
        body.decision_date = S_CERTIFY_DATE;
        char rid[96];
        snprintf(rid, sizeof rid, "demo-rerate-certify-%s", sp->product_id);
        Ocop__Request req = OCOP__REQUEST__INIT;
        req.request_id = rid;
        req.body_case = OCOP__REQUEST__BODY_EVAL_CENTRAL_RESULT_CERTIFY;
        req.eval_central_result_certify = &body;
        Ocop__Reply *reply;
        rc = demo_call_one(shard, &req, run->timeout_ms, "certifying on the central result", &reply);
        if (rc == 0) {
            run->certified_central++;
            ocop__reply__free_unpacked(reply, NULL);
        }
    }
    ocop__reply__free_unpacked(closed, NULL);
    return rc;
}

/* One province's round of upgrades. */
static int s_upgrades(s_run_t *run, demo_forms_t *forms, ocop_client_t *shard, const s_province_t *pv)
{
    const demo_product_t **picked = calloc(pv->n + 1, sizeof *picked);
    const demo_product_t **proposed = calloc(pv->n + 1, sizeof *proposed);
    size_t n = 0, n_proposed = 0, up = run->up, same = run->same;
    int rc = picked && proposed ? 0 : CTL_EXIT_FAILED;
    for (size_t i = 0; rc == 0 && i < pv->n; i++)
        if (s_upgrade_candidate(run, &pv->products[i]))
            picked[n++] = &pv->products[i];
    char council[DEMO_ID_LEN];
    Ocop__Reply *closed;
    if (rc == 0 && n)
        rc = demo_council(shard, pv->code, 0, run->timeout_ms, council);
    char round[DEMO_ID_LEN] = "";
    if (rc == 0 && n)
        rc = demo_round(shard, OCOP__EVAL_LEVEL__EVAL_LEVEL_PROVINCE, pv->code, S_FILED, S_FILED, S_DECISION_DATE,
                        run->timeout_ms, round);
    /* The province's council sits as often as its dossiers need. */
    for (size_t from = 0; rc == 0 && from < n; from += run->sitting) {
        char tag[64];
        snprintf(tag, sizeof tag, "%s-%zu", pv->code, from / run->sitting);
        size_t count = n - from < run->sitting ? n - from : run->sitting;
        rc = s_session(run, forms, shard, council, round, tag, picked + from, count, 0, &closed);
        for (size_t i = 0; rc == 0 && i < closed->eval_session->n_products; i++) {
            const Ocop__EvalSessionProduct *sp = closed->eval_session->products[i];
            int before = s_stars_2025(run, sp->product_id);
            run->upgraded++;
            if (sp->forwarded) {
                for (size_t k = from; k < from + count; k++)
                    if (strcmp(picked[k]->id, sp->product_id) == 0)
                        proposed[n_proposed++] = picked[k];
                continue;
            }
            if ((int)sp->stars > before)
                run->up++;
            else if ((int)sp->stars == before)
                run->same++;
            else
                run->down++;
        }
        if (rc == 0)
            ocop__reply__free_unpacked(closed, NULL);
    }
    run->proposed += n_proposed;
    if (rc == 0 && n) {
        run->upgrade_provinces++;
        printf("demo rerate: province %-3s %4zu upgrade dossiers: %zu up, %zu same, %zu proposed to the ministry\n",
               pv->code, n, run->up - up, run->same - same, n_proposed);
        fflush(stdout);
    }
    if (rc == 0 && n_proposed)
        rc = s_central(run, forms, shard, pv->code, proposed, n_proposed);
    free(picked);
    free(proposed);
    return rc;
}

/* ---------------------------------------------------------------- revocations */

static int s_cmp_victim(const void *a, const void *b)
{
    const s_victim_t *x = a, *y = b;
    if (x->rank != y->rank)
        return x->rank < y->rank ? -1 : 1;
    return x->hash < y->hash ? -1 : x->hash > y->hash;
}

static int s_cmp_hash(const void *a, const void *b)
{
    const s_victim_t *x = a, *y = b;
    int c = strcmp(x->product->id, y->product->id);
    return x->hash < y->hash ? -1 : x->hash > y->hash ? 1 : c;
}

/* Revokes one certificate; a product whose certificate an earlier run revoked sends that
 * request again (its last certificate) and gets its reply. A product without a certificate on
 * a first run is skipped with the reason. */
static int s_revoke(s_run_t *run, ocop_client_t *shard, const s_victim_t *v, size_t index)
{
    Ocop__Reply *reply;
    int rc = s_product_get(run, shard, v->product->id, &reply);
    if (rc != 0)
        return rc;
    char certificate[DEMO_ID_LEN] = "";
    if (reply->status == OCOP__STATUS__STATUS_OK)
        snprintf(certificate, sizeof certificate, "%s",
                 *reply->eval_product->certificate_id ? reply->eval_product->certificate_id
                                                      : reply->eval_product->last_certificate_id);
    ocop__reply__free_unpacked(reply, NULL);
    char finding[OCOP_DATE_LEN], rid[96];
    int days = index == S_LATE_INDEX ? 20 : 2 + (int)(v->hash % 9);
    if (ocop_date_add_days(run->today, -days, finding) != 0)
        return CTL_EXIT_FAILED;
    Ocop__EvalCertificateRevoke body = OCOP__EVAL_CERTIFICATE_REVOKE__INIT;
    body.id = certificate;
    body.ground = (char *)s_grounds[index % S_GROUNDS];
    body.by_level = v->stars == 5 ? OCOP__EVAL_LEVEL__EVAL_LEVEL_CENTRAL : OCOP__EVAL_LEVEL__EVAL_LEVEL_PROVINCE;
    body.finding_date = finding;
    body.note = "Kết luận kiểm tra của cơ quan có thẩm quyền (dữ liệu minh hoạ)";
    snprintf(rid, sizeof rid, "demo-rerate-revoke-%s", v->product->id);
    Ocop__Request req = OCOP__REQUEST__INIT;
    req.request_id = rid;
    req.body_case = OCOP__REQUEST__BODY_EVAL_CERTIFICATE_REVOKE;
    req.eval_certificate_revoke = &body;
    if (ocop_client_call(shard, &req, &reply, run->timeout_ms, 3) != 0)
        return CTL_EXIT_UNAVAILABLE;
    if (reply->status != OCOP__STATUS__STATUS_OK || reply->body_case != OCOP__REPLY__BODY_EVAL_CERTIFICATE) {
        printf("demo rerate: product %s not revoked: %s (%s) %s\n", v->product->id, ocop_status_name(reply->status),
               reply->field, reply->message);
        run->skipped++;
        ocop__reply__free_unpacked(reply, NULL);
        return 0;
    }
    const Ocop__EvalCertificate *c = reply->eval_certificate;
    for (size_t g = 0; g < S_GROUNDS; g++)
        run->revoked[g] += strcmp(c->revocation_ground, s_grounds[g]) == 0;
    run->revoked_late += c->revoked_late;
    printf("demo rerate: certificate %s (%u★, product %s) revoked by the %s level: %s, %s, found %s%s\n", c->id,
           c->stars, v->product->id, c->revoked_by == OCOP__EVAL_LEVEL__EVAL_LEVEL_CENTRAL ? "central" : "province",
           c->revocation_ground, c->revocation_article, c->finding_date, c->revoked_late ? " (late)" : "");
    ocop__reply__free_unpacked(reply, NULL);
    return 0;
}

static int s_revocations(s_run_t *run, ocop_client_t **shards, const s_province_t *pvs, size_t n_pv)
{
    size_t total = 0;
    for (size_t i = 0; i < n_pv; i++)
        total += pvs[i].n;
    s_victim_t *v = calloc(total + 1, sizeof *v);
    if (!v)
        return CTL_EXIT_FAILED;
    size_t n = 0;
    for (size_t i = 0; i < n_pv; i++) {
        size_t from = n;
        for (size_t k = 0; k < pvs[i].n; k++) {
            const demo_product_t *p = &pvs[i].products[k];
            int stars = s_stars_2025(run, p->id);
            if (!stars || s_upgrade_candidate(run, p))
                continue;
            v[n++] = (s_victim_t){
                .product = p, .shard = pvs[i].shard, .hash = demo_hash(run->seed + 13, p->id), .stars = stars};
        }
        qsort(v + from, n - from, sizeof *v, s_cmp_hash);
        for (size_t k = from; k < n; k++)
            v[k].rank = (unsigned)(k - from) + 1;
    }
    /* One 5★ certificate among them, first: the ministry revokes it (Art. 8.2). */
    s_victim_t *five = NULL;
    for (size_t k = 0; k < n; k++)
        if (v[k].stars == 5 && (!five || v[k].hash < five->hash))
            five = &v[k];
    if (five)
        five->rank = 0;
    qsort(v, n, sizeof *v, s_cmp_victim);
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < n && i < run->revocations; i++)
        rc = s_revoke(run, shards[v[i].shard], &v[i], i);
    free(v);
    return rc;
}

/* ---------------------------------------------------------------- the step */

static int s_usage(void)
{
    fprintf(stderr, "usage: ocop-demo rerate [--seed N] [--upgrade-permille N] [--revocations N] [--sitting N]\n"
                    "  After demo evaluate (same --seed): moves the products to catalogue 26-2026, holds upgrades\n"
                    "  under 26/2026/QĐ-TTg in a few provinces (N per mille of their certified products, default\n"
                    "  120), each in a round 3 of 2026 it declares, the ministry's sessions for those proposed,\n"
                    "  and N revocations by ground (default 12); a council sits for at most --sitting dossiers at\n"
                    "  a time (1 to 5000, default 200); safe to re-run with the same options.\n");
    return CTL_EXIT_USAGE;
}

static int s_parse(int argc, char **argv, s_run_t *run)
{
    for (int i = 1; i < argc; i++) {
        if (i + 1 >= argc)
            return -1;
        const char *flag = argv[i], *value = argv[++i];
        uint64_t x;
        if (ctl_parse_u64(value, 0, UINT64_MAX, &x) != 0)
            return -1;
        if (strcmp(flag, "--seed") == 0)
            run->seed = x;
        else if (strcmp(flag, "--upgrade-permille") == 0 && x <= 1000)
            run->upgrade_permille = (unsigned)x;
        else if (strcmp(flag, "--revocations") == 0 && x <= 1000)
            run->revocations = (unsigned)x;
        else if (strcmp(flag, "--sitting") == 0 && x >= 1 && x <= 5000)
            run->sitting = (size_t)x;
        else
            return -1;
    }
    return 0;
}

/* Every province of every shard with the products demo evaluate certified there. */
static int s_load(s_run_t *run, ctl_t *ctl, ocop_client_t *reg, char (*shards)[OCOP_NAME_MAX], size_t n_shards,
                  s_province_t *pvs, size_t *n_pv)
{
    *n_pv = 0;
    for (size_t s = 0; s < n_shards; s++) {
        ocop_service_config_t sc;
        char err[512];
        if (ocop_config_service(ctl->config, shards[s], &sc, err, sizeof err) != 0) {
            fprintf(stderr, "ocop-demo rerate: %s\n", err);
            return CTL_EXIT_USAGE;
        }
        for (size_t p = 0; p < sc.province_count && *n_pv < S_PROVINCES_MAX; p++) {
            s_province_t *pv = &pvs[(*n_pv)++];
            snprintf(pv->code, sizeof pv->code, "%s", sc.provinces[p]);
            pv->shard = s;
            pv->rank = demo_hash(run->seed + 5, pv->code);
            int rc = demo_list_products(reg, pv->code, OCOP__STAGE__STAGE_TRADE_PROMOTION, run->timeout_ms,
                                        &pv->products, &pv->n);
            if (rc != 0)
                return rc;
            for (size_t i = 0; i < pv->n; i++)
                run->in_catalogue += strcmp(pv->products[i].catalogue, S_CATALOGUE) == 0;
        }
    }
    return 0;
}

static void s_summary(const s_run_t *run)
{
    printf("demo rerate: %zu products certified by demo evaluate in catalogue %s; upgrades under 26/2026/QĐ-TTg "
           "in %zu province%s: "
           "%zu dossiers, %zu up, %zu same, %zu down, %zu proposed to the ministry, %zu recognised 5★, %zu certified "
           "on the central result; revoked:",
           run->in_catalogue, S_CATALOGUE, run->upgrade_provinces, run->upgrade_provinces == 1 ? "" : "s",
           run->upgraded, run->up, run->same, run->down, run->proposed, run->five, run->certified_central);
    for (size_t g = 0; g < S_GROUNDS; g++)
        printf(" %zu %s%s", run->revoked[g], s_grounds[g], g + 1 < S_GROUNDS ? "," : "");
    printf(" (%zu late)%s\n", run->revoked_late, run->skipped ? ", some skipped" : "");
}

int demo_rerate(ctl_t *ctl, int argc, char **argv)
{
    s_run_t run = {.seed = 2025, .upgrade_permille = 120, .revocations = 12, .sitting = DEMO_SITTING_MAX};
    if (s_parse(argc, argv, &run) != 0)
        return s_usage();
    int rc = demo_connect_direct(ctl, "rerate", "shards");
    if (rc != 0)
        return rc;
    ocop_day_of((long long)time(NULL) * 1000, run.today);
    run.timeout_ms = ctl->timeout_ms * 6;
    char shards[S_SHARDS_MAX][OCOP_NAME_MAX];
    size_t n_shards = ocop_config_shards(ctl->config, "evaluation", shards, S_SHARDS_MAX);
    if (n_shards == 0) {
        fprintf(stderr, "ocop-demo rerate: %s has no evaluation shard\n", ctl->config_path);
        return CTL_EXIT_USAGE;
    }
    char *migrate[] = {"catalogue", "migrate", "--from", "148", "--to", S_CATALOGUE, NULL};
    rc = ctl_cmd_catalogue(ctl, 6, migrate);
    if (rc != 0)
        return rc;
    fflush(stdout);

    s_province_t *pvs = calloc(S_PROVINCES_MAX, sizeof *pvs);
    ocop_client_t *clients[S_SHARDS_MAX] = {0};
    demo_forms_t *forms = demo_forms_new();
    ocop_client_t *reg = ctl_connect(ctl, "registration");
    size_t n_pv = 0;
    rc = pvs && forms && reg ? 0 : CTL_EXIT_UNAVAILABLE;
    for (size_t s = 0; rc == 0 && s < n_shards; s++)
        if (!(clients[s] = ctl_connect(ctl, shards[s])))
            rc = CTL_EXIT_UNAVAILABLE;
    if (rc == 0)
        rc = s_load(&run, ctl, reg, shards, n_shards, pvs, &n_pv);
    for (size_t i = 0; rc == 0 && i < n_pv; i++)
        rc = s_wait_catalogue(&run, clients[pvs[i].shard], &pvs[i]);
    const s_province_t *first = NULL; /* the seed's first province holds upgrades in any world */
    for (size_t i = 0; i < n_pv; i++)
        if (pvs[i].n && (!first || pvs[i].rank < first->rank))
            first = &pvs[i];
    for (size_t i = 0; rc == 0 && i < n_pv; i++)
        if (s_upgrade_province(&pvs[i], first)) {
            rc = s_upgrades(&run, forms, clients[pvs[i].shard], &pvs[i]);
            fflush(stdout);
        }
    if (rc == 0)
        rc = s_revocations(&run, clients, pvs, n_pv);
    if (rc == 0)
        s_summary(&run);
    for (size_t i = 0; i < n_pv; i++)
        free(pvs[i].products);
    free(pvs);
    for (size_t s = 0; s < n_shards; s++)
        ocop_client_destroy(&clients[s]);
    ocop_client_destroy(&reg);
    demo_forms_destroy(&forms);
    return rc;
}
