/* Integration: the web dashboard in a real browser. A deployment behind the gateway (serving
 * web/) with rated products in two provinces, a fair with an application, and a province officer
 * of the other province; then tests/e2e/dashboard.mjs drives Debian's Chromium through
 * playwright-core over every page (see that file for what it checks) and writes screenshots to
 * <build>/e2e-screenshots. The test fails when node, playwright-core (npm ci in tests/e2e,
 * done by deploy/install-deps.sh --tests) or Chromium are missing: it never skips. */
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

#include "gateway_world.h"
#include "harness_eval.h"
#include "ocop_date.h"

#define S_NODE "/usr/bin/node"
#define S_TIMEOUT_MS 240000

static gateway_world_t W;
static char s_tmp[64], s_web[HARNESS_PATH_MAX];

/* The gateway serves a copy of web/ beside which a test plants what must not be served: a
 * directory outside (s_tmp/outside) reached through a symbolic link inside, and a FIFO. */
static int s_setup(void **state)
{
    (void)state;
    const char *src = getenv("OCOP_SOURCE_DIR");
    snprintf(s_tmp, sizeof s_tmp, "/tmp/ocop-web-XXXXXX");
    if (!mkdtemp(s_tmp))
        return -1;
    snprintf(s_web, sizeof s_web, "%s/web", s_tmp);
    char cmd[3 * HARNESS_PATH_MAX];
    snprintf(cmd, sizeof cmd,
             "cp -r '%s/web' '%s/' && mkdir '%s/outside' && echo 'secret' > '%s/outside/secret.js' && "
             "ln -s ../outside '%s/linked' && mkfifo '%s/pipe.js'",
             src ? src : ".", s_tmp, s_tmp, s_tmp, s_web, s_web);
    if (system(cmd) != 0)
        return -1;
    harness_options_t opts = {.gateway_static_dir = s_web};
    return gateway_world_new(&W, &opts);
}

static int s_teardown(void **state)
{
    (void)state;
    gateway_world_destroy(&W);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", s_tmp);
    return system(cmd) == 0 ? 0 : -1;
}

/* Province A's product applies to province A's fair, so the fair page has an application. */
static void s_apply(void)
{
    Ocop__ProApply apply = OCOP__PRO_APPLY__INIT;
    apply.fair_id = W.fair[GW_A];
    apply.product_id = W.product[GW_A];
    apply.entity_id = W.entity[GW_A];
    Ocop__Request req = OCOP__REQUEST__INIT;
    req.body_case = OCOP__REQUEST__BODY_PRO_APPLY;
    req.pro_apply = &apply;
    req.request_id = "";
    Ocop__Reply *r = NULL;
    /* Promotion learns the certificate from evaluation's events: bounded wait. */
    for (int64_t deadline = harness_mono_ms() + 20000; harness_mono_ms() < deadline; usleep(50 * 1000)) {
        if (r)
            ocop__reply__free_unpacked(r, NULL);
        assert_int_equal(harness_call(W.h->promotion.client, &req, &r), 0);
        if (r->status == OCOP__STATUS__STATUS_OK)
            break;
    }
    if (r->status != OCOP__STATUS__STATUS_OK)
        fail_msg("apply: %s %s", r->field, r->message);
    ocop__reply__free_unpacked(r, NULL);
}

/* The audit service has logged the rating of A's product (the page proves it). */
static void s_wait_audit(void)
{
    char path[128];
    snprintf(path, sizeof path, "/v1/audit/events?product_id=%s", W.product[GW_A]);
    harness_http_t r = {0};
    for (int64_t deadline = harness_mono_ms() + 20000; harness_mono_ms() < deadline; usleep(50 * 1000)) {
        assert_int_equal(harness_http(W.h, "GET", path, NULL, NULL, &r), 0);
        harness_http_t head = {0};
        assert_int_equal(harness_http(W.h, "GET", "/v1/audit/tree-head", NULL, NULL, &head), 0);
        int signed_head = head.status == 200;
        harness_http_free(&head);
        /* registration's events, the shard's result, certificate and rating: more than 5. */
        if (r.status == 200 && signed_head && strstr(r.body, "\"index\"") && strlen(r.body) > 2000)
            break;
    }
    harness_http_free(&r);
}

/* Province A's round 1 of this year, declared by its officer through the gateway with the
 * policy's statutory dates (26/2026 Art. 5): the province page lists it, and the calendar warns
 * that fewer than two rounds are declared. Its id into id. */
static void s_declare_round(char *id, size_t len)
{
    char today[OCOP_DATE_LEN], body[160];
    ocop_day_of(harness_wall_ms(), today);
    snprintf(body, sizeof body, "{\"level\":\"province\",\"province_code\":\"%s\",\"year\":%d,\"number\":1}",
             W.province[GW_A], ocop_date_year(today));
    harness_http_t r = {0};
    assert_int_equal(harness_http(W.h, "POST", "/v1/rounds", gateway_world_token(&W, OCOP_ROLE_PROVINCE), body, &r), 0);
    if (r.status != 201)
        fail_msg("declare a round: %ld %s", r.status, r.body);
    cJSON *doc = cJSON_Parse(r.body);
    const cJSON *rid = cJSON_GetObjectItemCaseSensitive(doc, "id");
    assert_true(cJSON_IsString(rid));
    snprintf(id, len, "%s", rid->valuestring);
    cJSON_Delete(doc);
    harness_http_free(&r);
}

/* Two products of province A, in two of its communes, whose commune reported on the dossier 25
 * days after receiving it: more than 15 working days (26/2026 Art. 7.2), so both are late. One
 * attested by the commune's officer, the other by the province's. Their ids into late[]. */
static void s_late_dossiers(char late[2][32])
{
    harness_ready_t p[2];
    memset(p, 0, sizeof p);
    size_t entity_of[2] = {0, 0};
    for (size_t i = 0; i < 2; i++) {
        snprintf(p[i].commune, sizeof p[i].commune, "%s", W.data.communes[i]);
        snprintf(p[i].catalogue, sizeof p[i].catalogue, "%s", W.data.catalogue_version);
        snprintf(p[i].sector, sizeof p[i].sector, "%s", W.data.sector);
        snprintf(p[i].product_set, sizeof p[i].product_set, "%s", W.data.product_set);
    }
    assert_int_equal(harness_make_ready(W.h->client, p, entity_of, 2, 4343), 0);
    char received[OCOP_DATE_LEN], today[OCOP_DATE_LEN];
    ocop_day_of(harness_wall_ms(), today);
    assert_int_equal(ocop_date_add_days(today, -25, received), 0);
    const ocop_role_t by[2] = {OCOP_ROLE_COMMUNE, OCOP_ROLE_PROVINCE};
    for (size_t i = 0; i < 2; i++) {
        assert_int_equal(harness_shard_wait_product(W.h, GW_A, p[i].product_id), 0);
        char path[96], body[96];
        snprintf(path, sizeof path, "/v1/products/%s/attestation", p[i].product_id);
        snprintf(body, sizeof body, "{\"received\":\"%s\"}", received);
        harness_http_t r = {0};
        assert_int_equal(harness_http(W.h, "POST", path, gateway_world_token(&W, by[i]), body, &r), 0);
        cJSON *doc = r.status == 200 ? cJSON_Parse(r.body) : NULL;
        int late_marked = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(doc, "attestation_late"));
        cJSON_Delete(doc);
        if (!late_marked)
            fail_msg("late attestation of %s: %ld %s", p[i].product_id, r.status, r.body);
        harness_http_free(&r);
        snprintf(late[i], sizeof late[i], "%s", p[i].product_id);
    }
}

/* The late list of the province read a page of one at a time: every dossier of the whole list
 * once, in the same order, each page but the last naming the next; and a cursor that is not one
 * is refused. */
static void s_late_pages(const char *province, const char late[2][32])
{
    char path[256];
    snprintf(path, sizeof path, "/v1/late-dossiers?province_code=%s", province);
    harness_http_t r = {0};
    assert_int_equal(harness_http(W.h, "GET", path, gateway_world_token(&W, OCOP_ROLE_PROVINCE), NULL, &r), 0);
    cJSON *whole = r.status == 200 ? cJSON_Parse(r.body) : NULL;
    if (!whole)
        fail_msg("late dossiers: %ld %s", r.status, r.body);
    harness_http_free(&r);
    cJSON *all = cJSON_GetObjectItemCaseSensitive(whole, "dossiers");
    int total = cJSON_GetArraySize(all), seen = 0, found[2] = {0, 0};
    assert_true(total >= 2);
    const cJSON *last = cJSON_GetObjectItemCaseSensitive(whole, "next");
    assert_true(!last || (cJSON_IsString(last) && !*last->valuestring)); /* one page holds them all */
    char next[128] = "";
    do {
        snprintf(path, sizeof path, "/v1/late-dossiers?province_code=%s&limit=1%s%s", province, *next ? "&after=" : "",
                 next);
        assert_int_equal(harness_http(W.h, "GET", path, gateway_world_token(&W, OCOP_ROLE_PROVINCE), NULL, &r), 0);
        cJSON *page = r.status == 200 ? cJSON_Parse(r.body) : NULL;
        if (!page)
            fail_msg("%s: %ld %s", path, r.status, r.body);
        harness_http_free(&r);
        cJSON *one = cJSON_GetObjectItemCaseSensitive(page, "dossiers");
        assert_int_equal(cJSON_GetArraySize(one), 1);
        const char *id = cJSON_GetObjectItemCaseSensitive(cJSON_GetArrayItem(one, 0), "product_id")->valuestring;
        assert_true(seen < total);
        assert_string_equal(id,
                            cJSON_GetObjectItemCaseSensitive(cJSON_GetArrayItem(all, seen), "product_id")->valuestring);
        for (int i = 0; i < 2; i++)
            found[i] += strcmp(id, late[i]) == 0;
        seen++;
        const cJSON *n = cJSON_GetObjectItemCaseSensitive(page, "next");
        snprintf(next, sizeof next, "%s", cJSON_IsString(n) ? n->valuestring : "");
        cJSON_Delete(page);
    } while (*next);
    assert_int_equal(seen, total);
    assert_int_equal(found[0], 1);
    assert_int_equal(found[1], 1);
    cJSON_Delete(whole);
    snprintf(path, sizeof path, "/v1/late-dossiers?province_code=%s&after=no-slash", province);
    assert_int_equal(harness_http(W.h, "GET", path, gateway_world_token(&W, OCOP_ROLE_PROVINCE), NULL, &r), 0);
    assert_int_equal(r.status, 400);
    assert_non_null(strstr(r.body, "\"after\""));
    harness_http_free(&r);
}

/* A round of the council's own (number 4: the world's sessions are in 3) whose deadline passed ten days ago, and a
 * session of A's council opened today in it for the first late product (its dossier received 25 days ago, before the
 * round's cut-off): the calendar lists the session as held after the deadline and still open. The round's id, year and
 * the session's id out. */
static void s_round_session(const char *product, char *round, size_t round_len, int *year, char *session,
                            size_t session_len)
{
    char today[OCOP_DATE_LEN], received[OCOP_DATE_LEN], cutoff[OCOP_DATE_LEN], deadline[OCOP_DATE_LEN];
    ocop_day_of(harness_wall_ms(), today);
    assert_int_equal(ocop_date_add_days(today, -25, received) | ocop_date_add_days(today, -20, cutoff) |
                         ocop_date_add_days(today, -10, deadline),
                     0);
    *year = ocop_date_year(deadline);
    char body[256];
    snprintf(body, sizeof body,
             "{\"level\":\"province\",\"province_code\":\"%s\",\"year\":%d,\"number\":4,\"cutoff\":\"%s\","
             "\"deadline\":\"%s\"}",
             W.province[GW_A], *year, cutoff, deadline);
    harness_http_t r = {0};
    assert_int_equal(harness_http(W.h, "POST", "/v1/rounds", gateway_world_token(&W, OCOP_ROLE_PROVINCE), body, &r), 0);
    if (r.status != 201)
        fail_msg("declare round 4: %ld %s", r.status, r.body);
    cJSON *doc = cJSON_Parse(r.body);
    const cJSON *rid = cJSON_GetObjectItemCaseSensitive(doc, "id");
    assert_true(cJSON_IsString(rid));
    snprintf(round, round_len, "%s", rid->valuestring);
    cJSON_Delete(doc);
    harness_http_free(&r);

    Ocop__EvalDossier dossier = OCOP__EVAL_DOSSIER__INIT;
    dossier.product_id = (char *)product;
    dossier.kind = OCOP__DOSSIER_KIND__DOSSIER_KIND_FIRST;
    dossier.filed = received;
    Ocop__EvalDossier *dossiers[1] = {&dossier};
    char *ids[1] = {(char *)product};
    Ocop__EvalSessionOpen open = OCOP__EVAL_SESSION_OPEN__INIT;
    open.council_id = W.council[GW_A];
    open.date = today;
    open.product_ids = ids;
    open.n_product_ids = 1;
    open.dossiers = dossiers;
    open.n_dossiers = 1;
    open.round_id = round;
    Ocop__Request req = OCOP__REQUEST__INIT;
    req.body_case = OCOP__REQUEST__BODY_EVAL_SESSION_OPEN;
    req.eval_session_open = &open;
    req.request_id = "";
    Ocop__Reply *reply = NULL;
    assert_int_equal(harness_call(W.h->shard[GW_A].client, &req, &reply), 0);
    if (reply->status != OCOP__STATUS__STATUS_OK)
        fail_msg("session in round %s: %s %s", round, reply->field, reply->message);
    snprintf(session, session_len, "%s", reply->eval_session->id);
    ocop__reply__free_unpacked(reply, NULL);
}

/* The gateway serves web/ with content types, and nothing outside it. */
static void test_static_files(void **state)
{
    (void)state;
    harness_http_t r = {0};
    assert_int_equal(harness_http(W.h, "GET", "/", NULL, NULL, &r), 0);
    assert_int_equal(r.status, 200);
    assert_string_equal(r.content_type, "text/html; charset=utf-8");
    assert_non_null(strstr(r.body, "Mỗi xã một sản phẩm"));
    assert_non_null(strstr(r.csp, "default-src 'self'"));
    assert_int_equal(harness_http(W.h, "GET", "/app.js", NULL, NULL, &r), 0);
    assert_int_equal(r.status, 200);
    assert_string_equal(r.content_type, "text/javascript; charset=utf-8");
    /* ... nor through a symbolic link to a directory outside, nor a FIFO (it would block a worker) */
    const char *refused[] = {"/%2e%2e/CMakeLists.txt",
                             "/../CMakeLists.txt",
                             "/.hidden.js",
                             "/no-such.js",
                             "/README",
                             "/linked/secret.js",
                             "/pipe.js"};
    for (size_t i = 0; i < sizeof refused / sizeof refused[0]; i++) {
        assert_int_equal(harness_http(W.h, "GET", refused[i], NULL, NULL, &r), 0);
        if (r.status != 404)
            fail_msg("GET %s: %ld (expected 404)", refused[i], r.status);
    }
    assert_int_equal(harness_http(W.h, "POST", "/index.html", NULL, "{}", &r), 0);
    assert_int_equal(r.status, 405);
    /* The key the dashboard pins is the audit service's own public key. */
    assert_int_equal(harness_http(W.h, "GET", "/dashboard.json", NULL, NULL, &r), 0);
    char pub[HARNESS_PATH_MAX + 32];
    snprintf(pub, sizeof pub, "%s/audit.sign.pub", W.h->keys_dir);
    char *key = harness_read_file(pub, NULL);
    assert_non_null(key);
    key[strcspn(key, "\r\n")] = '\0';
    assert_int_equal(strlen(key), 64);
    assert_non_null(strstr(r.body, key));
    free(key);
    harness_http_free(&r);
}

static void test_dashboard_in_chromium(void **state)
{
    (void)state;
    const char *src = getenv("OCOP_SOURCE_DIR"), *bin = getenv("OCOP_BINARY_DIR");
    char script[HARNESS_PATH_MAX], config[HARNESS_PATH_MAX + 16], shots[HARNESS_PATH_MAX], modules[HARNESS_PATH_MAX];
    snprintf(script, sizeof script, "%s/tests/e2e/dashboard.mjs", src ? src : ".");
    snprintf(modules, sizeof modules, "%s/tests/e2e/node_modules/playwright-core", src ? src : ".");
    snprintf(shots, sizeof shots, "%s/e2e-screenshots", bin ? bin : ".");
    if (access(S_NODE, X_OK) != 0 || access(modules, R_OK) != 0 || access("/usr/bin/chromium", X_OK) != 0)
        fail_msg("node, %s or /usr/bin/chromium is missing: run 'bash deploy/install-deps.sh --tests'", modules);
    s_apply();
    char round[32], late[2][32];
    s_declare_round(round, sizeof round);
    s_late_dossiers(late);
    s_late_pages(W.province[GW_A], (const char(*)[32])late);
    char round3[32], session3[32];
    int round3_year;
    s_round_session(late[0], round3, sizeof round3, &round3_year, session3, sizeof session3);
    s_wait_audit();
    cJSON *c = cJSON_CreateObject();
    char url[64];
    snprintf(url, sizeof url, "http://127.0.0.1:%d", W.h->gateway_port);
    cJSON_AddStringToObject(c, "url", url);
    cJSON_AddStringToObject(c, "screenshots", shots);
    cJSON_AddStringToObject(c, "product", W.product[GW_A]);
    cJSON_AddStringToObject(c, "fair", W.fair[GW_A]);
    cJSON_AddStringToObject(c, "province", W.province[GW_A]);
    cJSON_AddStringToObject(c, "round", round);
    cJSON *held = cJSON_AddObjectToObject(c, "round_session");
    cJSON_AddStringToObject(held, "round", round3);
    cJSON_AddNumberToObject(held, "year", round3_year);
    cJSON_AddStringToObject(held, "session", session3);
    cJSON *lates = cJSON_AddArrayToObject(c, "late");
    for (size_t i = 0; i < 2; i++) {
        cJSON *d = cJSON_CreateObject();
        cJSON_AddStringToObject(d, "product", late[i]);
        cJSON_AddStringToObject(d, "commune", W.data.communes[i]);
        cJSON_AddItemToArray(lates, d);
    }
    cJSON *tokens = cJSON_AddObjectToObject(c, "tokens");
    cJSON_AddStringToObject(tokens, "province_officer_b", W.token_province_b);
    cJSON_AddStringToObject(tokens, "producer", gateway_world_token(&W, OCOP_ROLE_PRODUCER));
    char *text = cJSON_Print(c);
    cJSON_Delete(c);
    snprintf(config, sizeof config, "%s/e2e.json", W.h->dir);
    FILE *f = fopen(config, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
    free(text);
    harness_run_t run = {0};
    const char *args[] = {script, config, NULL};
    int rc = harness_run(S_NODE, args, S_TIMEOUT_MS, &run);
    /* Line by line: cmocka cuts one message at 4 KiB and the checks are longer than that. */
    for (const char *line = run.out ? run.out : ""; *line;) {
        size_t n = strcspn(line, "\n");
        print_message("%.*s\n", (int)n, line);
        line += n + (line[n] == '\n');
    }
    if (rc != 0)
        fail_msg("the dashboard's end-to-end checks failed (exit %d%s)\n--- stderr ---\n%.4000s", rc,
                 run.timed_out ? ", timed out" : "", run.err ? run.err : "");
    harness_run_free(&run);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_static_files),
        cmocka_unit_test(test_dashboard_in_chromium),
    };
    return cmocka_run_group_tests(tests, s_setup, s_teardown);
}
