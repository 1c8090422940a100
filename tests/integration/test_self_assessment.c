/* Integration: the producer's self-assessment (Mẫu số 02) through the gateway, against the real
 * services. The producer of A's entity scores its product on the form in force today at 85
 * points, one **** minimum held one option short: it gets back 85, the 4★ band, ranked 3★, the
 * minimum named, and as advice exactly that criterion raised to the option the minimum names; the
 * audit log records the event under the product. A producer may not self-assess another entity's
 * product, nor a commune officer any (403, nothing changes), but the officer reads it. A free
 * number, an unknown option, a missing criterion or an unknown knock-out is refused (400, the
 * field named, nothing changes). A second (100 points: no advice) and a third (knocked out: no
 * star, no advice) are kept, and GET gives the latest. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "audit.pb-c.h"
#include "gateway_world.h"
#include "harness_eval.h"
#include "ocop_json.h"

static gateway_world_t W;
static eval_rubrics_t *s_rubrics;
static const eval_rubric_t *s_rubric;

static int s_setup(void **state)
{
    (void)state;
    if (gateway_world_new(&W, NULL) != 0 || !(s_rubrics = harness_rubrics_load()))
        return -1;
    s_rubric = eval_rubrics_find(s_rubrics, W.data.catalogue_version, W.data.product_set);
    if (!s_rubric || !s_rubric->self_assessment)
        fprintf(stderr, "no self-assessed sheet for %s/%s\n", W.data.catalogue_version, W.data.product_set);
    return s_rubric && s_rubric->self_assessment ? 0 : -1;
}

static int s_teardown(void **state)
{
    (void)state;
    eval_rubrics_destroy(&s_rubrics);
    gateway_world_destroy(&W);
    return 0;
}

static char *s_path(int t)
{
    static char path[128];
    snprintf(path, sizeof path, "/v1/products/%s/self-assessment", W.product[t]);
    return path;
}

/* method path as role: the status must be `status`; returns the parsed body (caller deletes). */
static cJSON *s_req(const char *method, const char *path, ocop_role_t role, const cJSON *body, long status)
{
    char *text = body ? cJSON_PrintUnformatted(body) : NULL;
    harness_http_t r = {0};
    assert_int_equal(harness_http(W.h, method, path, gateway_world_token(&W, role), text, &r), 0);
    free(text);
    if (r.status != status)
        fail_msg("%s %s: %ld %s (expected %ld)", method, path, r.status, r.body, status);
    cJSON *j = cJSON_Parse(r.body);
    harness_http_free(&r);
    assert_non_null(j);
    return j;
}

static const char *s_str(const cJSON *o, const char *name)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, name);
    return cJSON_IsString(v) ? v->valuestring : "";
}

static double s_num(const cJSON *o, const char *name)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, name);
    return cJSON_IsNumber(v) ? v->valuedouble : 0; /* proto3 JSON leaves zeros out */
}

static int s_count(const cJSON *o, const char *name)
{
    return cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(o, name));
}

/* A criterion with a **** minimum above its first option that can be missed while meeting ***. */
static const eval_criterion_t *s_four_star_criterion(void)
{
    for (size_t i = 0; i < s_rubric->n_criteria; i++) {
        const eval_criterion_t *c = &s_rubric->criteria[i];
        if (c->alternative < 0 && c->requires[4] >= 1 && c->requires[4] - 1 >= c->requires[3])
            return c;
    }
    fail_msg("%s has no **** minimum to miss", s_rubric->source);
    return NULL;
}

/* {"scores": [{"id", "option"}...], "knockouts": [...]} totalling total (opts as the harness). */
static cJSON *s_body(double total, const harness_sheet_opts_t *opts)
{
    harness_sheet_t sheet;
    assert_int_equal(harness_sheet_init(&sheet, s_rubric, total, opts), 0);
    cJSON *body = cJSON_CreateObject();
    cJSON *scores = cJSON_AddArrayToObject(body, "scores");
    for (size_t i = 0; i < sheet.body.n_scores; i++) {
        cJSON *s = cJSON_CreateObject();
        cJSON_AddStringToObject(s, "id", sheet.body.scores[i]->id);
        cJSON_AddStringToObject(s, "option", sheet.body.scores[i]->option);
        cJSON_AddItemToArray(scores, s);
    }
    if (sheet.body.n_knockouts) {
        cJSON *ko = cJSON_AddArrayToObject(body, "knockouts");
        cJSON_AddItemToArray(ko, cJSON_CreateString(sheet.body.knockouts[0]));
    }
    harness_sheet_free(&sheet);
    return body;
}

/* Waits (bounded) until the audit log holds product A's self-assessment number n (read as the
 * auditor: the public gets the entry without the assessment). */
static void s_wait_audited(uint32_t n)
{
    char path[128];
    snprintf(path, sizeof path, "/v1/audit/events?product_id=%s&limit=1000", W.product[GW_A]);
    bool found = false;
    for (int64_t deadline = harness_mono_ms() + 20000; !found && harness_mono_ms() < deadline; usleep(50 * 1000)) {
        cJSON *j = s_req("GET", path, OCOP_ROLE_AUDITOR, NULL, 200);
        ocop_json_error_t err;
        Ocop__AudEntryPage *page =
            (Ocop__AudEntryPage *)ocop_json_to_message(&ocop__aud_entry_page__descriptor, j, NULL, &err);
        cJSON_Delete(j);
        if (!page)
            fail_msg("audit page: %s", err.message);
        for (size_t i = 0; i < page->n_entries && !found; i++) {
            Ocop__Event *ev = ocop__event__unpack(NULL, page->entries[i]->data.len, page->entries[i]->data.data);
            found = ev && ev->body_case == OCOP__EVENT__BODY_EVAL_SELF_ASSESSED && ev->eval_self_assessed->assessment &&
                    strcmp(ev->eval_self_assessed->assessment->product_id, W.product[GW_A]) == 0 &&
                    ev->eval_self_assessed->assessment->number == n;
            if (ev)
                ocop__event__free_unpacked(ev, NULL);
        }
        protobuf_c_message_free_unpacked(&page->base, NULL);
    }
    if (!found)
        fail_msg("the audit log has no EvalSelfAssessed %u of product %s", n, W.product[GW_A]);
}

static void test_producer_gets_points_band_and_advice(void **state)
{
    (void)state;
    const eval_criterion_t *c = s_four_star_criterion();
    harness_sheet_opts_t opts = {.below = c->id, .below_stars = 4};
    cJSON *body = s_body(85, &opts);
    int sent = s_count(body, "scores");
    char *before = gateway_world_sequences(&W);
    cJSON *a = s_req("POST", s_path(GW_A), OCOP_ROLE_PRODUCER, body, 200);
    char *after = gateway_world_sequences(&W);
    assert_string_not_equal(before, after); /* EvalSelfAssessed published */
    free(before);
    free(after);
    cJSON_Delete(body);

    assert_string_equal(s_str(a, "product_id"), W.product[GW_A]);
    assert_string_equal(s_str(a, "entity_id"), W.entity[GW_A]);
    char rubric[64];
    snprintf(rubric, sizeof rubric, "%s/%s", s_rubric->instrument, s_rubric->product_set);
    assert_string_equal(s_str(a, "rubric"), rubric);
    assert_string_equal(s_str(a, "rubric_digest"), s_rubric->digest);
    assert_true(s_num(a, "total") == 85);
    assert_int_equal(s_num(a, "band_stars"), 4);
    assert_int_equal(s_num(a, "minimum_stars"), 3);
    assert_int_equal(s_num(a, "ranked_stars"), 3);
    assert_int_equal(s_num(a, "next_stars"), 4);
    assert_int_equal(s_num(a, "number"), 1);
    assert_int_equal(s_count(a, "scores"), sent);
    /* The minimum that holds it below its band, and the advice: exactly that criterion. */
    assert_int_equal(s_count(a, "minimums_missed"), 1);
    const cJSON *m = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(a, "minimums_missed"), 0);
    assert_string_equal(s_str(m, "criterion_id"), c->id);
    assert_int_equal(s_num(m, "stars"), 4);
    assert_string_equal(s_str(m, "option_id"), c->options[c->requires[4]].id);
    assert_int_equal(s_count(a, "advice"), 1);
    const cJSON *adv = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(a, "advice"), 0);
    double gain = c->options[c->requires[4]].points - c->options[c->requires[4] - 1].points;
    assert_string_equal(s_str(adv, "criterion_id"), c->id);
    assert_string_equal(s_str(adv, "from_option"), c->options[c->requires[4] - 1].id);
    assert_string_equal(s_str(adv, "to_option"), c->options[c->requires[4]].id);
    assert_string_equal(s_str(adv, "reason"), "minimum");
    assert_true(s_num(adv, "points_gained") == gain);
    assert_true(s_num(a, "advice_total") == 85 + gain);
    assert_non_null(strstr(s_str(a, "advice_note"), "to reach 4 stars"));
    /* Each score carries the points of its option. */
    const cJSON *sc;
    double sum = 0;
    cJSON_ArrayForEach (sc, cJSON_GetObjectItemCaseSensitive(a, "scores"))
        sum += s_num(sc, "score");
    assert_true(sum == 85);
    cJSON_Delete(a);
    s_wait_audited(1);
}

static void test_others_refused_officers_read(void **state)
{
    (void)state;
    cJSON *body = s_body(100, NULL);
    char *before = gateway_world_sequences(&W);
    assert_non_null(before);
    /* A producer of entity A on entity B's product; a commune officer on A's. */
    cJSON *e = s_req("POST", s_path(GW_B), OCOP_ROLE_PRODUCER, body, 403);
    assert_string_equal(s_str(e, "code"), "FORBIDDEN");
    assert_string_equal(s_str(e, "field"), "product_id");
    cJSON_Delete(e);
    e = s_req("POST", s_path(GW_A), OCOP_ROLE_COMMUNE, body, 403);
    assert_string_equal(s_str(e, "code"), "FORBIDDEN");
    cJSON_Delete(e);
    e = s_req("POST", s_path(GW_A), OCOP_ROLE_PUBLIC, body, 401);
    cJSON_Delete(e);
    char *after = gateway_world_sequences(&W);
    assert_string_equal(before, after);
    free(before);
    free(after);
    cJSON_Delete(body);
    /* Nothing was stored for B; A's is still the first, and the commune officer reads it. */
    e = s_req("GET", s_path(GW_B), OCOP_ROLE_PROVINCE, NULL, 404);
    assert_string_equal(s_str(e, "field"), "product_id");
    cJSON_Delete(e);
    cJSON *a = s_req("GET", s_path(GW_A), OCOP_ROLE_COMMUNE, NULL, 200);
    assert_int_equal(s_num(a, "number"), 1);
    assert_true(s_num(a, "total") == 85);
    cJSON_Delete(a);
    e = s_req("GET", s_path(GW_A), OCOP_ROLE_PUBLIC, NULL, 401);
    cJSON_Delete(e);
}

/* One bad body: 400, INVALID, field, a message naming what. */
static void s_bad(cJSON *body, const char *field, const char *says)
{
    cJSON *e = s_req("POST", s_path(GW_A), OCOP_ROLE_PRODUCER, body, 400);
    assert_string_equal(s_str(e, "code"), "INVALID");
    assert_string_equal(s_str(e, "field"), field);
    if (!strstr(s_str(e, "message"), says))
        fail_msg("'%s' does not say '%s'", s_str(e, "message"), says);
    cJSON_Delete(e);
    cJSON_Delete(body);
}

static void test_bad_input_refused(void **state)
{
    (void)state;
    char *before = gateway_world_sequences(&W);
    /* A free number instead of an option. */
    cJSON *body = s_body(100, NULL);
    cJSON *first = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(body, "scores"), 0);
    char msg[96];
    snprintf(msg, sizeof msg, "scores[criterion %s]: choose one of the criterion's options", s_rubric->criteria[0].id);
    cJSON_DeleteItemFromObjectCaseSensitive(first, "option");
    cJSON_AddNumberToObject(first, "score", 2);
    s_bad(body, "scores", msg);
    /* An option the criterion does not have. */
    body = s_body(100, NULL);
    first = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(body, "scores"), 0);
    cJSON_ReplaceItemInObjectCaseSensitive(first, "option", cJSON_CreateString("9"));
    s_bad(body, "scores", "option 9 is not one of the criterion's options");
    /* A criterion left out. */
    body = s_body(100, NULL);
    cJSON_DeleteItemFromArray(cJSON_GetObjectItemCaseSensitive(body, "scores"), 0);
    snprintf(msg, sizeof msg, "scores[criterion %s]: missing", s_rubric->criteria[0].id);
    s_bad(body, "scores", msg);
    /* A knock-out the sheet does not have; a date that is not one. */
    body = s_body(100, NULL);
    cJSON_AddItemToArray(cJSON_AddArrayToObject(body, "knockouts"), cJSON_CreateString("no-such"));
    s_bad(body, "knockouts", "no-such is not a knock-out condition");
    body = s_body(100, NULL);
    cJSON_AddStringToObject(body, "date", "2026-02-30");
    s_bad(body, "date", "calendar date");
    char *after = gateway_world_sequences(&W);
    assert_string_equal(before, after);
    free(before);
    free(after);
    cJSON *a = s_req("GET", s_path(GW_A), OCOP_ROLE_PRODUCER, NULL, 200);
    assert_int_equal(s_num(a, "number"), 1);
    cJSON_Delete(a);
}

/* The requests the gateway has sent registration, from its /metrics. */
static unsigned long long s_registration_requests(void)
{
    harness_http_t r = {0};
    assert_int_equal(harness_http(W.h, "GET", "/metrics", NULL, NULL, &r), 0);
    assert_int_equal(r.status, 200);
    const char *line = strstr(r.body, "ocop_gateway_upstream_requests_total{service=\"registration\"} ");
    assert_non_null(line);
    unsigned long long n = strtoull(strchr(line, '}') + 2, NULL, 10);
    harness_http_free(&r);
    return n;
}

/* A producer's submission is placed and scoped by one lookup of its product: registration gets
 * one request for it (and one ping per /metrics scrape), not one for the scope and another for
 * the shard. */
static void test_product_looked_up_once(void **state)
{
    (void)state;
    unsigned long long before = s_registration_requests();
    cJSON *body = s_body(100, NULL);
    cJSON_Delete(s_req("POST", s_path(GW_A), OCOP_ROLE_PRODUCER, body, 200));
    cJSON_Delete(body);
    assert_int_equal(s_registration_requests() - before, 1 + 1);
}

static void test_history_and_latest(void **state)
{
    (void)state;
    /* Every best option: 5★, nothing to advise. */
    cJSON *body = s_body(100, NULL);
    cJSON *a = s_req("POST", s_path(GW_A), OCOP_ROLE_PRODUCER, body, 200);
    cJSON_Delete(body);
    assert_int_equal(s_num(a, "number"), 2);
    assert_int_equal(s_num(a, "ranked_stars"), 5);
    assert_int_equal(s_num(a, "next_stars"), 0);
    assert_int_equal(s_count(a, "advice"), 0);
    assert_non_null(strstr(s_str(a, "advice_note"), "nothing to advise"));
    cJSON_Delete(a);
    /* A knock-out flagged: no star whatever the points, and no advice. */
    assert_true(s_rubric->n_knockouts > 0);
    harness_sheet_opts_t opts = {.knockout = s_rubric->knockouts[0].id};
    body = s_body(100, &opts);
    a = s_req("POST", s_path(GW_A), OCOP_ROLE_PRODUCER, body, 200);
    cJSON_Delete(body);
    assert_int_equal(s_num(a, "number"), 3);
    assert_int_equal(s_num(a, "ranked_stars"), 0);
    assert_int_equal(s_num(a, "next_stars"), 0);
    assert_int_equal(s_count(a, "advice"), 0);
    assert_int_equal(s_count(a, "knockouts"), 1);
    assert_non_null(strstr(s_str(a, "advice_note"), "knocked out"));
    cJSON_Delete(a);
    /* The latest, for the producer and a council member alike. */
    a = s_req("GET", s_path(GW_A), OCOP_ROLE_COUNCIL, NULL, 200);
    assert_int_equal(s_num(a, "number"), 3);
    assert_int_equal(s_count(a, "knockouts"), 1);
    cJSON_Delete(a);
    s_wait_audited(3);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_producer_gets_points_band_and_advice),
        cmocka_unit_test(test_others_refused_officers_read),
        cmocka_unit_test(test_bad_input_refused),
        cmocka_unit_test(test_history_and_latest),
        cmocka_unit_test(test_product_looked_up_once),
    };
    return cmocka_run_group_tests(tests, s_setup, s_teardown);
}
