/* harness_eval — see harness_eval.h. */
#include "harness_eval.h"

#include "ocop_date.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ocop_error.h"

#define S_WAIT_TRIES 600 /* x 50 ms: a sanitizer build applies events slowly */

/* ---------------------------------------------------------------- pipelining */

void harness_replies_free(Ocop__Reply **replies, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (replies[i]) {
            ocop__reply__free_unpacked(replies[i], NULL);
            replies[i] = NULL;
        }
}

int harness_pipeline(ocop_client_t *c, Ocop__Request **reqs, size_t n, unsigned window, Ocop__Reply **replies)
{
    if (ocop_client_pipeline(c, reqs, n, window, HARNESS_CALL_TIMEOUT_MS, replies) == 0)
        return 0;
    fprintf(stderr, "harness: pipeline of %zu requests: a reply did not come in %d ms\n", n, HARNESS_CALL_TIMEOUT_MS);
    return -1;
}

/* ---------------------------------------------------------------- registration side */

/* Builds one request per item with make(i, body storage) and runs them pipelined; fails on
 * any reply that is not OK. */
typedef void (*s_make_fn)(harness_ready_t *items, size_t i, Ocop__Request *req, void *scratch);

static int s_run_all(ocop_client_t *reg, harness_ready_t *items, const size_t *which, size_t n, s_make_fn make,
                     size_t scratch_size, const char *what, void (*take)(harness_ready_t *, const Ocop__Reply *))
{
    Ocop__Request *reqs = calloc(n ? n : 1, sizeof *reqs);
    Ocop__Request **ptrs = calloc(n ? n : 1, sizeof *ptrs);
    Ocop__Reply **replies = calloc(n ? n : 1, sizeof *replies);
    uint8_t *scratch = calloc(n ? n : 1, scratch_size);
    int rc = reqs && ptrs && replies && scratch ? 0 : -1;
    for (size_t k = 0; rc == 0 && k < n; k++) {
        ocop__request__init(&reqs[k]);
        make(items, which[k], &reqs[k], scratch + k * scratch_size);
        ptrs[k] = &reqs[k];
    }
    if (rc == 0)
        rc = harness_pipeline(reg, ptrs, n, 128, replies);
    for (size_t k = 0; rc == 0 && k < n; k++) {
        if (replies[k]->status != OCOP__STATUS__STATUS_OK) {
            fprintf(stderr, "harness: %s of item %zu: %s %s (%s)\n", what, which[k],
                    harness_status_name(replies[k]->status), replies[k]->message, replies[k]->field);
            rc = -1;
        } else if (take) {
            take(&items[which[k]], replies[k]);
        }
    }
    if (replies)
        harness_replies_free(replies, n);
    free(reqs);
    free(ptrs);
    free(replies);
    free(scratch);
    return rc;
}

typedef struct {
    Ocop__RegEntityRegister body;
    char name[96];
    char tax[16];
} s_entity_scratch_t;

static unsigned s_seed;

/* Syllables enough that names of one commune rarely look alike. */
static const char *const s_syllables[] = {"an",   "bac", "cam",   "dao",   "giang", "hoa", "khe",  "lam",
                                          "minh", "nga", "phong", "quy",   "son",   "tam", "uyen", "vinh",
                                          "xuan", "yen", "thach", "trung", "loc",   "kim", "thuy", "dong"};

static void s_name(char *out, size_t len, const char *kind, size_t i)
{
    size_t n = sizeof s_syllables / sizeof *s_syllables, x = i * 7919u + s_seed * 104729u;
    snprintf(out, len, "%s %s %s %s %zu-%u", kind, s_syllables[x % n], s_syllables[(x / n) % n],
             s_syllables[(x / (n * n)) % n], i, s_seed);
}

static void s_make_entity(harness_ready_t *items, size_t i, Ocop__Request *req, void *scratch)
{
    s_entity_scratch_t *s = scratch;
    ocop__reg_entity_register__init(&s->body);
    s_name(s->name, sizeof s->name, "HTX", i);
    snprintf(s->tax, sizeof s->tax, "%04u%06zu", s_seed % 10000, i);
    s->body.type = OCOP__ENTITY_TYPE__ENTITY_TYPE_COOPERATIVE;
    s->body.name = s->name;
    s->body.tax_code = s->tax;
    s->body.unit_version = items[i].unit_version;
    s->body.commune_code = items[i].commune;
    s->body.representative = "Nguyễn Văn An";
    s->body.phone = "0912345678";
    req->body_case = OCOP__REQUEST__BODY_REG_ENTITY_REGISTER;
    req->reg_entity_register = &s->body;
}

static void s_take_entity(harness_ready_t *item, const Ocop__Reply *reply)
{
    snprintf(item->entity_id, sizeof item->entity_id, "%s", reply->reg_entity->id);
}

typedef struct {
    Ocop__RegProductRegister body;
    char name[96];
} s_product_scratch_t;

static void s_make_product(harness_ready_t *items, size_t i, Ocop__Request *req, void *scratch)
{
    s_product_scratch_t *s = scratch;
    ocop__reg_product_register__init(&s->body);
    s_name(s->name, sizeof s->name, "Đặc sản", i);
    s->body.entity_id = items[i].entity_id;
    s->body.name = s->name;
    s->body.catalogue_version = items[i].catalogue;
    s->body.sector_code = items[i].sector;
    s->body.product_set_code = items[i].product_set;
    s->body.unit_version = items[i].unit_version;
    s->body.commune_code = items[i].commune;
    s->body.processing = OCOP__PROCESSING_LEVEL__PROCESSING_PROCESSED;
    req->body_case = OCOP__REQUEST__BODY_REG_PRODUCT_REGISTER;
    req->reg_product_register = &s->body;
}

/* Product ids with a pending review, collected by s_take_product. */
static size_t *s_pending;
static size_t s_n_pending;
static harness_ready_t *s_items_base;

static void s_take_product(harness_ready_t *item, const Ocop__Reply *reply)
{
    const Ocop__RegProduct *p = reply->reg_product_detail->product;
    snprintf(item->product_id, sizeof item->product_id, "%s", p->id);
    snprintf(item->current_province, sizeof item->current_province, "%s", p->current_province_code);
    if (p->review == OCOP__REVIEW_STATE__REVIEW_PENDING)
        s_pending[s_n_pending++] = (size_t)(item - s_items_base);
}

static void s_make_review(harness_ready_t *items, size_t i, Ocop__Request *req, void *scratch)
{
    Ocop__RegDuplicateReview *body = scratch;
    ocop__reg_duplicate_review__init(body);
    body->product_id = items[i].product_id;
    body->decision = OCOP__REVIEW_STATE__REVIEW_CLEARED;
    body->note = "distinct product, checked by the commune";
    req->body_case = OCOP__REQUEST__BODY_REG_DUPLICATE_REVIEW;
    req->reg_duplicate_review = body;
}

static Ocop__StageAction s_action;

static void s_make_transition(harness_ready_t *items, size_t i, Ocop__Request *req, void *scratch)
{
    Ocop__RegStageTransition *body = scratch;
    ocop__reg_stage_transition__init(body);
    body->product_id = items[i].product_id;
    body->action = s_action;
    req->body_case = OCOP__REQUEST__BODY_REG_STAGE_TRANSITION;
    req->reg_stage_transition = body;
}

int harness_make_ready(ocop_client_t *reg, harness_ready_t *products, const size_t *entity_of, size_t n,
                       unsigned name_seed)
{
    s_seed = name_seed;
    size_t *which = calloc(n ? n : 1, sizeof *which), n_new = 0;
    s_pending = calloc(n ? n : 1, sizeof *s_pending);
    s_n_pending = 0;
    s_items_base = products;
    int rc = which && s_pending ? 0 : -1;
    for (size_t i = 0; i < n; i++)
        if (entity_of[i] == i)
            which[n_new++] = i;
    if (rc == 0)
        rc = s_run_all(reg, products, which, n_new, s_make_entity, sizeof(s_entity_scratch_t), "entity register",
                       s_take_entity);
    for (size_t i = 0; rc == 0 && i < n; i++) {
        if (entity_of[i] != i)
            memcpy(products[i].entity_id, products[entity_of[i]].entity_id, sizeof products[i].entity_id);
        which[i] = i;
    }
    if (rc == 0)
        rc = s_run_all(reg, products, which, n, s_make_product, sizeof(s_product_scratch_t), "product register",
                       s_take_product);
    if (rc == 0 && s_n_pending)
        rc = s_run_all(reg, products, s_pending, s_n_pending, s_make_review, sizeof(Ocop__RegDuplicateReview),
                       "duplicate review", NULL);
    static const Ocop__StageAction steps[] = {
        OCOP__STAGE_ACTION__STAGE_ACTION_ACCEPT, OCOP__STAGE_ACTION__STAGE_ACTION_SUBMIT,
        OCOP__STAGE_ACTION__STAGE_ACTION_ACCEPT, OCOP__STAGE_ACTION__STAGE_ACTION_SUBMIT};
    for (size_t s = 0; rc == 0 && s < sizeof steps / sizeof *steps; s++) {
        s_action = steps[s];
        rc =
            s_run_all(reg, products, which, n, s_make_transition, sizeof(Ocop__RegStageTransition), "transition", NULL);
    }
    free(which);
    free(s_pending);
    s_pending = NULL;
    return rc;
}

int harness_shard_wait_product(harness_t *h, unsigned i, const char *product_id)
{
    for (int t = 0; t < S_WAIT_TRIES; t++) {
        Ocop__Reply *reply = harness_eval_product_get(h->shard[i].client, product_id);
        int status = reply ? (int)reply->status : -1;
        uint32_t stage = reply && reply->eval_product ? reply->eval_product->stage : 0;
        if (reply)
            ocop__reply__free_unpacked(reply, NULL);
        if (status == OCOP__STATUS__STATUS_OK && stage == OCOP__STAGE__STAGE_READY_FOR_EVALUATION)
            return 0;
        struct timespec ts = {0, 50 * 1000000L};
        nanosleep(&ts, NULL);
    }
    fprintf(stderr, "harness: %s never learnt product %s is ready\n", h->shard[i].name, product_id);
    harness_file_tail(h->shard[i].log_path, 3000);
    return -1;
}

/* ---------------------------------------------------------------- sheets */

eval_rubrics_t *harness_rubrics_load(void)
{
    char dir[HARNESS_PATH_MAX], err[512];
    harness_rules_dir("evaluation", dir, sizeof dir);
    strncat(dir, "/rubrics", sizeof dir - strlen(dir) - 1);
    eval_rubrics_t *r = eval_rubrics_load(dir, err, sizeof err);
    if (!r)
        fprintf(stderr, "harness: %s\n", err);
    return r;
}

static int s_band_of(double total)
{
    return total >= 90 ? 5 : total >= 70 ? 4 : total >= 50 ? 3 : 2;
}

/* Free numbers: each criterion its share rounded down to half points, the rest handed out
 * half a point at a time where there is room, so the sum is exact. */
static double s_spread(harness_sheet_t *sheet, const eval_rubric_t *rubric, double total)
{
    double sum = 0;
    for (size_t k = 0; k < rubric->n_criteria; k++) {
        sheet->scores[k].score = floor(rubric->criteria[k].max * total / rubric->max_score * 2) / 2;
        sum += sheet->scores[k].score;
    }
    for (int pass = 0; pass < 400 && total - sum > 1e-9; pass++)
        for (size_t k = 0; k < rubric->n_criteria && total - sum > 1e-9; k++)
            if (sheet->scores[k].score + 0.5 <= rubric->criteria[k].max) {
                sheet->scores[k].score += 0.5;
                sum += 0.5;
            }
    return sum;
}

/* Options: from the best down, never below the band's minimums; the held criterion fixed. */
static double s_descend(harness_sheet_t *sheet, const eval_rubric_t *rubric, const bool *scored, double total,
                        const harness_sheet_opts_t *opts, int *at)
{
    int band = s_band_of(total);
    double sum = 0;
    for (size_t k = 0; k < rubric->n_criteria; k++) {
        const eval_criterion_t *c = &rubric->criteria[k];
        at[k] = (int)c->n_options - 1;
        if (opts && opts->below && strcmp(opts->below, c->id) == 0)
        at[k] = c->requires[opts->below_stars] - 1;
        if (scored[k])
            sum += c->options[at[k]].points;
    }
    for (bool stepped = true; stepped && sum - total > 1e-9;) {
        stepped = false;
        for (size_t k = 0; k < rubric->n_criteria && sum - total > 1e-9; k++) {
            const eval_criterion_t *c = &rubric->criteria[k];
            bool held = opts && opts->below && strcmp(opts->below, c->id) == 0;
            int floor_at = c->requires[band] > 0 ? c->requires[band] : 0;
            if (!scored[k] || held || at[k] <= floor_at)
                continue;
            double drop = c->options[at[k]].points - c->options[at[k] - 1].points;
            if (sum - drop < total - 1e-9)
                continue;
            at[k]--;
            sum -= drop;
            stepped = true;
        }
    }
    for (size_t k = 0; k < rubric->n_criteria; k++)
        sheet->scores[k].option = scored[k] ? (char *)rubric->criteria[k].options[at[k]].id : "";
    return sum;
}

int harness_sheet_init(harness_sheet_t *sheet, const eval_rubric_t *rubric, double total,
                       const harness_sheet_opts_t *opts)
{
    memset(sheet, 0, sizeof *sheet);
    size_t n = rubric->n_criteria;
    sheet->scores = calloc(n + 1, sizeof *sheet->scores);
    sheet->score_ptrs = calloc(n + 1, sizeof *sheet->score_ptrs);
    bool *scored = calloc(n + 1, sizeof *scored);
    int *at = calloc(n + 1, sizeof *at);
    if (!sheet->scores || !sheet->score_ptrs || !scored || !at) {
        free(scored);
        free(at);
        return -1;
    }
    ocop__eval_sheet_submit__init(&sheet->body);
    for (size_t k = 0; k < n; k++) {
        const eval_criterion_t *c = &rubric->criteria[k];
        /* Of a set of alternatives, the first is scored. */
        scored[k] = c->alternative < 0 || k == 0 || rubric->criteria[k - 1].alternative != c->alternative;
        ocop__eval_score__init(&sheet->scores[k]);
        sheet->scores[k].id = (char *)c->id;
    }
    if (opts && opts->below) {
        const eval_criterion_t *c = eval_rubric_criterion(rubric, opts->below);
        if (!c || opts->below_stars < 3 || opts->below_stars > 5 || c->requires[opts->below_stars] < 1) {
            fprintf(stderr, "harness: criterion %s has no %d-star minimum above its first option\n", opts->below,
                    opts->below_stars);
            free(scored);
            free(at);
            return -1;
        }
    }
    double sum =
        rubric->has_options ? s_descend(sheet, rubric, scored, total, opts, at) : s_spread(sheet, rubric, total);
    for (size_t k = 0; k < n; k++)
        if (scored[k])
            sheet->score_ptrs[sheet->body.n_scores++] = &sheet->scores[k];
    free(scored);
    free(at);
    if (fabs(total - sum) > 1e-9) {
        fprintf(stderr, "harness: cannot make a sheet of %g under %s/%s (reached %g)\n", total, rubric->instrument,
                rubric->product_set, sum);
        return -1;
    }
    sheet->body.scores = sheet->score_ptrs;
    if (opts && opts->knockout) {
        sheet->knockout = (char *)opts->knockout;
        sheet->body.knockouts = &sheet->knockout;
        sheet->body.n_knockouts = 1;
    }
    ocop__request__init(&sheet->req);
    sheet->req.body_case = OCOP__REQUEST__BODY_EVAL_SHEET_SUBMIT;
    sheet->req.eval_sheet_submit = &sheet->body;
    return 0;
}

void harness_sheet_address(harness_sheet_t *sheet, const char *session_id, const char *product_id,
                           const char *member_id, unsigned phase, unsigned round)
{
    sheet->body.session_id = (char *)session_id;
    sheet->body.product_id = (char *)product_id;
    sheet->body.member_id = (char *)member_id;
    sheet->body.phase = phase;
    sheet->body.round = round;
    sheet->req.request_id = "";
}

void harness_sheet_free(harness_sheet_t *sheet)
{
    free(sheet->scores);
    free(sheet->score_ptrs);
    memset(sheet, 0, sizeof *sheet);
}

/* ---------------------------------------------------------------- evaluation requests */

static Ocop__Reply *s_call(ocop_client_t *c, Ocop__Request *req)
{
    Ocop__Reply *reply;
    return harness_call(c, req, &reply) == 0 ? reply : NULL;
}

Ocop__Reply *harness_council_create(ocop_client_t *c, Ocop__EvalLevel level, const char *unit_code,
                                    const char *province_code, size_t n_members, unsigned quorum)
{
    Ocop__EvalMember members[16], *ptrs[16];
    char ids[16][8], names[16][32];
    if (n_members > 16)
        return NULL;
    for (size_t i = 0; i < n_members; i++) {
        ocop__eval_member__init(&members[i]);
        snprintf(ids[i], sizeof ids[i], "m%zu", i + 1);
        snprintf(names[i], sizeof names[i], "Thành viên %zu", i + 1);
        members[i].id = ids[i];
        members[i].name = names[i];
        members[i].role =
            i == 0 ? OCOP__MEMBER_ROLE__MEMBER_ROLE_CHAIR
                   : (i == 1 ? OCOP__MEMBER_ROLE__MEMBER_ROLE_VICE_CHAIR : OCOP__MEMBER_ROLE__MEMBER_ROLE_MEMBER);
        ptrs[i] = &members[i];
    }
    Ocop__EvalCouncilCreate body = OCOP__EVAL_COUNCIL_CREATE__INIT;
    body.name = "Hội đồng đánh giá, phân hạng sản phẩm OCOP";
    body.level = level;
    body.unit_code = (char *)unit_code;
    body.province_code = (char *)province_code;
    body.n_members = n_members;
    body.members = ptrs;
    body.quorum = quorum;
    Ocop__Request req = OCOP__REQUEST__INIT;
    req.body_case = OCOP__REQUEST__BODY_EVAL_COUNCIL_CREATE;
    req.eval_council_create = &body;
    return s_call(c, &req);
}

/* A round of level and province in year whose cut-off is on or after date: its id into out, 0;
 * 1 when the calendar has none (*next: the number to declare); -1 on failure. */
static int s_round_find(ocop_client_t *c, Ocop__EvalLevel level, const char *province, unsigned year, const char *date,
                        char out[HARNESS_ID_LEN], unsigned *next)
{
    Ocop__EvalRoundCalendarGet body = OCOP__EVAL_ROUND_CALENDAR_GET__INIT;
    body.province_code = (char *)province;
    body.year = year;
    Ocop__Request req = OCOP__REQUEST__INIT;
    req.body_case = OCOP__REQUEST__BODY_EVAL_ROUND_CALENDAR_GET;
    req.eval_round_calendar_get = &body;
    Ocop__Reply *r = s_call(c, &req);
    if (!r || r->status != OCOP__STATUS__STATUS_OK) {
        fprintf(stderr, "harness: calendar of %s %u: %s\n", province, year, r ? r->message : "no reply");
        if (r)
            ocop__reply__free_unpacked(r, NULL);
        return -1;
    }
    int rc = 1;
    *next = 3; /* after 26/2026's two statutory rounds a level */
    for (size_t i = 0; i < r->eval_round_calendar->n_rounds; i++) {
        const Ocop__EvalRound *round = r->eval_round_calendar->rounds[i]->round;
        if (round->level != level)
            continue;
        if (round->number >= *next)
            *next = round->number + 1;
        if (rc == 1 && strcmp(round->cutoff, date) >= 0) {
            snprintf(out, HARNESS_ID_LEN, "%s", round->id);
            rc = 0;
        }
    }
    ocop__reply__free_unpacked(r, NULL);
    return rc;
}

int harness_round_for(ocop_client_t *c, const char *council_id, const char *date, char out[HARNESS_ID_LEN])
{
    Ocop__EvalCouncilGet get = OCOP__EVAL_COUNCIL_GET__INIT;
    get.id = (char *)council_id;
    Ocop__Request req = OCOP__REQUEST__INIT;
    req.body_case = OCOP__REQUEST__BODY_EVAL_COUNCIL_GET;
    req.eval_council_get = &get;
    Ocop__Reply *council = s_call(c, &req);
    char deadline[OCOP_DATE_LEN];
    int rc =
        council && council->status == OCOP__STATUS__STATUS_OK && ocop_date_add_days(date, 1, deadline) == 0 ? 0 : -1;
    unsigned year = rc == 0 ? (unsigned)ocop_date_year(deadline) : 0, number = 0;
    if (rc == 0)
        rc = s_round_find(c, council->eval_council->level, council->eval_council->province_code, year, date, out,
                          &number);
    if (rc == 1) {
        Ocop__EvalRoundOpen open = OCOP__EVAL_ROUND_OPEN__INIT;
        open.level = council->eval_council->level;
        open.province_code = council->eval_council->province_code;
        open.year = year;
        open.number = number;
        open.cutoff = (char *)date;
        open.deadline = deadline;
        Ocop__Request oreq = OCOP__REQUEST__INIT;
        oreq.body_case = OCOP__REQUEST__BODY_EVAL_ROUND_OPEN;
        oreq.eval_round_open = &open;
        Ocop__Reply *r = s_call(c, &oreq);
        rc = r && r->status == OCOP__STATUS__STATUS_OK ? 0 : -1;
        if (rc == 0)
            snprintf(out, HARNESS_ID_LEN, "%s", r->eval_round->id);
        else
            fprintf(stderr, "harness: declaring round %u of %u: %s\n", number, year, r ? r->message : "no reply");
        if (r)
            ocop__reply__free_unpacked(r, NULL);
    }
    if (council)
        ocop__reply__free_unpacked(council, NULL);
    return rc;
}

Ocop__Reply *harness_session_open(ocop_client_t *c, const char *council_id, const char *date, const char *const *ids,
                                  size_t n, bool two_phase)
{
    Ocop__EvalSessionOpen body = OCOP__EVAL_SESSION_OPEN__INIT;
    body.council_id = (char *)council_id;
    body.date = (char *)date;
    body.product_ids = (char **)ids;
    body.n_product_ids = n;
    body.two_phase = two_phase;
    Ocop__Request req = OCOP__REQUEST__INIT;
    req.body_case = OCOP__REQUEST__BODY_EVAL_SESSION_OPEN;
    req.eval_session_open = &body;
    Ocop__Reply *r = s_call(c, &req);
    char round[HARNESS_ID_LEN];
    if (!r || r->status != OCOP__STATUS__STATUS_ILLEGAL_STATE || strcmp(r->field, "round_id") != 0 ||
        harness_round_for(c, council_id, date, round) != 0)
        return r;
    ocop__reply__free_unpacked(r, NULL);
    body.round_id = round;
    req.request_id = NULL; /* another body: a new request */
    return s_call(c, &req);
}

Ocop__Reply *harness_session_start(ocop_client_t *c, const char *session_id, const char *const *present,
                                   size_t n_present)
{
    char ids[16][8];
    char *defaults[16];
    for (size_t i = 0; i < n_present && i < 16; i++) {
        snprintf(ids[i], sizeof ids[i], "m%zu", i + 1);
        defaults[i] = ids[i];
    }
    Ocop__EvalSessionStart body = OCOP__EVAL_SESSION_START__INIT;
    body.session_id = (char *)session_id;
    body.present_member_ids = present ? (char **)present : defaults;
    body.n_present_member_ids = n_present;
    Ocop__Request req = OCOP__REQUEST__INIT;
    req.body_case = OCOP__REQUEST__BODY_EVAL_SESSION_START;
    req.eval_session_start = &body;
    return s_call(c, &req);
}

Ocop__Reply *harness_session_close(ocop_client_t *c, const char *session_id, const char *decision_ref)
{
    char today[OCOP_DATE_LEN];
    ocop_day_of(harness_wall_ms(), today);
    Ocop__EvalSessionClose body = OCOP__EVAL_SESSION_CLOSE__INIT;
    body.session_id = (char *)session_id;
    body.decision_ref = (char *)decision_ref;
    body.decision_date = today;
    Ocop__Request req = OCOP__REQUEST__INIT;
    req.body_case = OCOP__REQUEST__BODY_EVAL_SESSION_CLOSE;
    req.eval_session_close = &body;
    return s_call(c, &req);
}

Ocop__Reply *harness_session_get(ocop_client_t *c, const char *session_id)
{
    Ocop__EvalSessionGet body = OCOP__EVAL_SESSION_GET__INIT;
    body.id = (char *)session_id;
    Ocop__Request req = OCOP__REQUEST__INIT;
    req.body_case = OCOP__REQUEST__BODY_EVAL_SESSION_GET;
    req.eval_session_get = &body;
    return s_call(c, &req);
}

Ocop__Reply *harness_eval_product_get(ocop_client_t *c, const char *product_id)
{
    Ocop__EvalProductGet body = OCOP__EVAL_PRODUCT_GET__INIT;
    body.id = (char *)product_id;
    Ocop__Request req = OCOP__REQUEST__INIT;
    req.body_case = OCOP__REQUEST__BODY_EVAL_PRODUCT_GET;
    req.eval_product_get = &body;
    return s_call(c, &req);
}

Ocop__Reply *harness_report_get(ocop_client_t *c, const char *province, const char *sector, unsigned year)
{
    Ocop__EvalReportGet body = OCOP__EVAL_REPORT_GET__INIT;
    body.province_code = (char *)(province ? province : "");
    body.sector_code = (char *)(sector ? sector : "");
    body.year_from = body.year_to = year;
    Ocop__Request req = OCOP__REQUEST__INIT;
    req.body_case = OCOP__REQUEST__BODY_EVAL_REPORT_GET;
    req.eval_report_get = &body;
    return s_call(c, &req);
}

void harness_ready_fill(harness_ready_t *products, size_t *entity_of, size_t n, const harness_data_t *d, unsigned every)
{
    for (size_t i = 0; i < n; i++) {
        harness_ready_t *p = &products[i];
        snprintf(p->commune, sizeof p->commune, "%s", i % every == every - 1 ? d->communes[3] : d->communes[i % 3]);
        snprintf(p->catalogue, sizeof p->catalogue, "%s", d->catalogue_version);
        snprintf(p->sector, sizeof p->sector, "%s", d->sector);
        snprintf(p->product_set, sizeof p->product_set, "%s", d->product_set);
        entity_of[i] = i;
    }
}
