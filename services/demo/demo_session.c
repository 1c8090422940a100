/* demo_session — see demo_session.h. */
#include "demo_session.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctl.h"
#include "ocop_error.h"

#define S_CRITERIA_MAX 64

const char *const demo_members[DEMO_MEMBERS][2] = {
    {"m1", "Nguyễn Văn Hùng"}, {"m2", "Trần Thị Lan"}, {"m3", "Lê Minh Tuấn"},  {"m4", "Phạm Thu Hà"},
    {"m5", "Hoàng Đức Anh"},   {"m6", "Vũ Thị Mai"},   {"m7", "Đặng Quốc Bảo"},
};

static uint64_t s_mix(uint64_t z)
{
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

uint64_t demo_hash(uint64_t seed, const char *s)
{
    uint64_t h = seed ^ 0x9E3779B97F4A7C15ULL;
    for (; *s; s++)
        h = s_mix(h + (unsigned char)*s);
    return h;
}

double demo_base_total(uint64_t seed, const char *product_id, int central, int *band)
{
    uint64_t h = demo_hash(seed + (uint64_t)central, product_id);
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

int demo_pipeline(ocop_client_t *client, Ocop__Request *reqs, size_t n, int timeout_ms, const char *what,
                  Ocop__Reply ***keep)
{
    Ocop__Request **ptrs = calloc(n ? n : 1, sizeof *ptrs);
    Ocop__Reply **replies = calloc(n ? n : 1, sizeof *replies);
    int rc = ptrs && replies ? 0 : CTL_EXIT_FAILED;
    for (size_t i = 0; rc == 0 && i < n; i++)
        ptrs[i] = &reqs[i];
    if (rc == 0 && ocop_client_pipeline(client, ptrs, n, DEMO_WINDOW, timeout_ms, replies) != 0) {
        fprintf(stderr, "ocop-demo: %s: a reply did not come within %d ms\n", what, timeout_ms);
        rc = CTL_EXIT_UNAVAILABLE;
    }
    for (size_t i = 0; rc == 0 && i < n; i++)
        if (replies[i]->status != OCOP__STATUS__STATUS_OK) {
            fprintf(stderr, "ocop-demo: %s: %s (%s) %s\n", what, ocop_status_name(replies[i]->status),
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

int demo_call_one(ocop_client_t *client, Ocop__Request *req, int timeout_ms, const char *what, Ocop__Reply **reply)
{
    Ocop__Reply **replies = NULL;
    int rc = demo_pipeline(client, req, 1, timeout_ms, what, &replies);
    if (rc == 0) {
        *reply = replies[0];
        free(replies);
    }
    return rc;
}

int demo_list_products(ocop_client_t *reg, const char *province, Ocop__Stage stage, int timeout_ms,
                       demo_product_t **out, size_t *n)
{
    size_t cap = 256;
    *out = malloc(cap * sizeof **out);
    *n = 0;
    char cursor[DEMO_ID_LEN] = "";
    if (!*out)
        return CTL_EXIT_FAILED;
    do {
        Ocop__RegProductList list = OCOP__REG_PRODUCT_LIST__INIT;
        list.province_code = (char *)province;
        list.stage = stage;
        list.limit = 1000;
        list.cursor = cursor;
        Ocop__Request req = OCOP__REQUEST__INIT;
        req.body_case = OCOP__REQUEST__BODY_REG_PRODUCT_LIST;
        req.reg_product_list = &list;
        Ocop__Reply *reply;
        int rc = demo_call_one(reg, &req, timeout_ms, "listing products", &reply);
        if (rc != 0)
            return rc;
        const Ocop__RegProductPage *page = reply->reg_product_page;
        for (size_t i = 0; i < page->n_products; i++) {
            if (*n == cap) {
                demo_product_t *grown = realloc(*out, (cap *= 2) * sizeof **out);
                if (!grown) {
                    ocop__reply__free_unpacked(reply, NULL);
                    return CTL_EXIT_FAILED;
                }
                *out = grown;
            }
            demo_product_t *p = &(*out)[(*n)++];
            snprintf(p->id, sizeof p->id, "%s", page->products[i]->id);
            snprintf(p->catalogue, sizeof p->catalogue, "%s", page->products[i]->catalogue_version);
            snprintf(p->set, sizeof p->set, "%s", page->products[i]->product_set_code);
        }
        snprintf(cursor, sizeof cursor, "%s", page->next_cursor);
        ocop__reply__free_unpacked(reply, NULL);
    } while (*cursor);
    return 0;
}

int demo_council(ocop_client_t *shard, const char *province, int central, int timeout_ms, char *out)
{
    Ocop__EvalMember members[DEMO_MEMBERS], *ptrs[DEMO_MEMBERS];
    for (size_t i = 0; i < DEMO_MEMBERS; i++) {
        ocop__eval_member__init(&members[i]);
        members[i].id = (char *)demo_members[i][0];
        members[i].name = (char *)demo_members[i][1];
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
    body.n_members = DEMO_MEMBERS;
    char rid[64];
    snprintf(rid, sizeof rid, "demo-council-%s-%s", central ? "central" : "province", province);
    Ocop__Request req = OCOP__REQUEST__INIT;
    req.request_id = rid;
    req.body_case = OCOP__REQUEST__BODY_EVAL_COUNCIL_CREATE;
    req.eval_council_create = &body;
    Ocop__Reply *reply;
    int rc = demo_call_one(shard, &req, timeout_ms, "creating a council", &reply);
    if (rc == 0) {
        snprintf(out, DEMO_ID_LEN, "%s", reply->eval_council->id);
        ocop__reply__free_unpacked(reply, NULL);
    }
    return rc;
}

int demo_sheets_send(demo_forms_t *forms, ocop_client_t *shard, const char *session, const char *date,
                     const demo_product_t *products, const double *base, const int *band, size_t n, size_t n_members,
                     uint64_t seed, int timeout_ms)
{
    size_t total = n * n_members;
    Ocop__Request *reqs = calloc(total ? total : 1, sizeof *reqs);
    Ocop__EvalSheetSubmit *bodies = calloc(total ? total : 1, sizeof *bodies);
    Ocop__EvalScore *scores = calloc((total ? total : 1) * S_CRITERIA_MAX, sizeof *scores);
    Ocop__EvalScore **score_ptrs = calloc((total ? total : 1) * S_CRITERIA_MAX, sizeof *score_ptrs);
    char(*ids)[96] = calloc(total ? total : 1, sizeof *ids);
    int rc = reqs && bodies && scores && score_ptrs && ids ? 0 : CTL_EXIT_FAILED;
    for (size_t p = 0; rc == 0 && p < n; p++) {
        const Ocop__EvalForm *form =
            demo_forms_get(forms, shard, products[p].id, products[p].catalogue, products[p].set, date, timeout_ms);
        if (!form || form->n_criteria > S_CRITERIA_MAX)
            rc = CTL_EXIT_FAILED;
        for (size_t m = 0; rc == 0 && m < n_members; m++) {
            size_t k = p * n_members + m;
            /* Members differ by at most 3 points: within the spread limit, so one round. */
            double mine = base[p] + (double)(demo_hash(seed + m, products[p].id) % 7) * 0.5 - 1.5;
            Ocop__EvalSheetSubmit *b = &bodies[k];
            ocop__eval_sheet_submit__init(b);
            b->session_id = (char *)session;
            b->product_id = (char *)products[p].id;
            b->member_id = (char *)demo_members[m][0];
            b->phase = b->round = 1;
            b->scores = &score_ptrs[k * S_CRITERIA_MAX];
            demo_choose(form, mine, band[p], demo_hash(seed + m, products[p].id), &scores[k * S_CRITERIA_MAX],
                        &b->n_scores);
            for (size_t c = 0; c < b->n_scores; c++)
                b->scores[c] = &scores[k * S_CRITERIA_MAX + c];
            ocop__request__init(&reqs[k]);
            snprintf(ids[k], sizeof ids[k], "demo-sheet-%s-%s-%s", session, products[p].id, demo_members[m][0]);
            reqs[k].request_id = ids[k];
            reqs[k].body_case = OCOP__REQUEST__BODY_EVAL_SHEET_SUBMIT;
            reqs[k].eval_sheet_submit = b;
        }
    }
    if (rc == 0 && total)
        rc = demo_pipeline(shard, reqs, total, timeout_ms, "scoring", NULL);
    free(reqs);
    free(bodies);
    free(scores);
    free(score_ptrs);
    free(ids);
    return rc;
}
