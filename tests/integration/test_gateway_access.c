/* Integration: who may do what through the gateway, cell by cell. For every route of the API and
 * every role: a role the route does not list is refused (401 for the public, 403 for a user);
 * a scoped role writing outside its scope (province B, another entity, another council) is
 * refused with 403; and every refusal leaves every service's event sequence where it was. A
 * role the route lists, inside its scope, gets past the gateway (the service then answers). */
#define _GNU_SOURCE /* memmem */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <cjson/cJSON.h>
#include <sodium.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "aud_merkle.h"
#include "gateway_world.h"
#include "harness_eval.h"
#include "ocop_error.h"
#include "ocop_api.h"

static gateway_world_t W;

static int s_setup(void **state)
{
    (void)state;
    return gateway_world_new(&W, NULL);
}

static int s_teardown(void **state)
{
    (void)state;
    gateway_world_destroy(&W);
    return 0;
}

/* The value a field takes when a request aims at province t's things. */
static const char *s_value(const ocop_api_route_t *r, const char *field, int t)
{
    if (strcmp(field, "province_code") == 0)
        return W.province[t];
    if (strcmp(field, "commune_code") == 0 || strcmp(field, "code") == 0)
        return W.commune[t];
    if (strcmp(field, "entity_id") == 0)
        return W.entity[t];
    if (strcmp(field, "product_id") == 0)
        return W.product[t];
    if (strcmp(field, "council_id") == 0)
        return W.council[t];
    if (strcmp(field, "session_id") == 0)
        return W.session[t];
    if (strcmp(field, "fair_id") == 0)
        return W.fair[t];
    if (strcmp(field, "index") == 0)
        return "1";
    if (strcmp(field, "kind") == 0)
        return "bunching";
    if (strcmp(field, "id") != 0)
        return "x";
    if (strncmp(r->request, "reg_entity", 10) == 0)
        return W.entity[t];
    if (strncmp(r->request, "reg_product", 11) == 0 || strcmp(r->request, "eval_product_get") == 0)
        return W.product[t];
    if (strncmp(r->request, "eval_council", 12) == 0)
        return W.council[t];
    if (strncmp(r->request, "eval_session", 12) == 0)
        return W.session[t];
    if (strncmp(r->request, "eval_certificate", 16) == 0)
        return W.certificate[t];
    if (strncmp(r->request, "pro_fair", 8) == 0)
        return W.fair[t];
    return "INS-1";
}

typedef struct {
    const ocop_api_route_t *route;
    int target;
} s_fill_t;

static const char *s_path_value(const char *name, void *user)
{
    const s_fill_t *f = user;
    return s_value(f->route, name, f->target);
}

/* Sends route aimed at province t's things with role's token. */
static void s_send(const ocop_api_route_t *r, ocop_role_t role, int t, harness_http_t *out)
{
    char path[512];
    s_fill_t fill = {r, t};
    assert_int_equal(ocop_api_path_fill(r, s_path_value, &fill, path, sizeof path), 0);
    char *body = NULL;
    if (strcmp(r->method, "GET") != 0) {
        cJSON *o = cJSON_CreateObject();
        char braced[64];
        snprintf(braced, sizeof braced, "{%s}", r->scope_field ? r->scope_field : "");
        if (r->scope_field && !strstr(r->path, braced))
            cJSON_AddStringToObject(o, r->scope_field, s_value(r, r->scope_field, t));
        if (strcmp(r->request, "eval_council_create") == 0)
            cJSON_AddStringToObject(o, "level", "province");
        body = cJSON_PrintUnformatted(o);
        cJSON_Delete(o);
    }
    assert_int_equal(harness_http(W.h, r->method, path, gateway_world_token(&W, role), body, out), 0);
    free(body);
}

static void s_expect_refused(const ocop_api_route_t *r, ocop_role_t role, int t, long status, const char *code)
{
    char *before = gateway_world_sequences(&W);
    assert_non_null(before);
    harness_http_t resp = {0};
    s_send(r, role, t, &resp);
    if (resp.status != status || !strstr(resp.body, code))
        fail_msg("%s %s as %s (target %c): %ld %s, expected %ld %s", r->method, r->path, ocop_role_name(role), 'A' + t,
                 resp.status, resp.body, status, code);
    harness_http_free(&resp);
    char *after = gateway_world_sequences(&W);
    assert_non_null(after);
    if (strcmp(before, after) != 0)
        fail_msg("%s %s as %s was refused but changed something: %s -> %s", r->method, r->path, ocop_role_name(role),
                 before, after);
    free(before);
    free(after);
}

static void s_expect_passed(const ocop_api_route_t *r, ocop_role_t role, int t)
{
    harness_http_t resp = {0};
    s_send(r, role, t, &resp);
    if (resp.status == 401 || resp.status == 403 || resp.status == 0 || resp.status == 405)
        fail_msg("%s %s as %s (target %c) should pass the gateway: %ld %s", r->method, r->path, ocop_role_name(role),
                 'A' + t, resp.status, resp.body ? resp.body : "");
    harness_http_free(&resp);
}

/* Role b's cell of route r's row in matrix (docs/access.md's, from ocop-gateway --access-matrix). */
static void s_matrix_cell(const char *matrix, const ocop_api_route_t *r, unsigned b, char *cell, size_t len)
{
    char head[512];
    snprintf(head, sizeof head, "| `%s %s` |", r->method, r->path);
    const char *p = strstr(matrix, head);
    if (!p)
        fail_msg("the access matrix has no row for %s %s", r->method, r->path);
    p += strlen(head);
    for (unsigned i = 0; i < b; i++)
        p = strchr(p, '|') + 1;
    while (*p == ' ')
        p++;
    size_t n = strcspn(p, " |");
    snprintf(cell, len, "%.*s", (int)n, p);
}

static void test_every_route_and_role(void **state)
{
    (void)state;
    size_t n, refused = 0, passed = 0;
    const ocop_api_route_t *routes = ocop_api_routes(&n);
    /* The published matrix says what the gateway does: "—" exactly where it refuses the role. */
    harness_run_t matrix = {0};
    const char *args[] = {"--access-matrix", NULL};
    assert_int_equal(harness_run(W.h->gateway_binary, args, 20000, &matrix), 0);
    char cell[64];
    const unsigned scoped = OCOP_ROLE_PRODUCER | OCOP_ROLE_COMMUNE | OCOP_ROLE_PROVINCE | OCOP_ROLE_COUNCIL;
    for (size_t i = 0; i < n; i++) {
        const ocop_api_route_t *r = &routes[i];
        int write = strcmp(r->method, "GET") != 0;
        for (unsigned b = 0; b < OCOP_ROLE_COUNT; b++) {
            ocop_role_t role = (ocop_role_t)(1u << b);
            s_matrix_cell(matrix.out, r, b, cell, sizeof cell);
            if ((strcmp(cell, "—") == 0) != !(r->roles & role))
                fail_msg("the access matrix says '%s' for %s %s as %s, the gateway %s it", cell, r->method, r->path,
                         ocop_role_name(role), r->roles & role ? "allows" : "refuses");
            if (!(r->roles & role)) {
                s_expect_refused(r, role, GW_A, role == OCOP_ROLE_PUBLIC ? 401 : 403,
                                 role == OCOP_ROLE_PUBLIC ? "UNAUTHENTICATED" : "FORBIDDEN");
                refused++;
                continue;
            }
            if (write && (role & scoped)) {
                /* A scoped role's write always names a target the gateway can place. */
                assert_int_not_equal(r->scope, OCOP_SCOPE_NONE);
                s_expect_refused(r, role, GW_B, 403, "FORBIDDEN");
                refused++;
            }
            s_expect_passed(r, role, GW_A);
            passed++;
        }
    }
    harness_run_free(&matrix);
    print_message("%zu routes x %d roles: %zu refusals checked (each changing nothing), %zu passes\n", n,
                  OCOP_ROLE_COUNT, refused, passed);
    assert_true(refused > n);
}

static void s_post(const char *path, ocop_role_t role, const char *body, long status, const char *needle)
{
    harness_http_t resp = {0};
    assert_int_equal(harness_http(W.h, "POST", path, gateway_world_token(&W, role), body, &resp), 0);
    if (resp.status != status || !strstr(resp.body, needle))
        fail_msg("POST %s %s: %ld %s (expected %ld, '%s')", path, body, resp.status, resp.body, status, needle);
    harness_http_free(&resp);
}

/* The central council of province A (made by the ministry) is out of reach of A's province
 * officer: opening its sessions and declaring its members' ties are refused and change nothing;
 * the central officer gets past the gateway. */
static void test_central_council_is_the_ministrys(void)
{
    Ocop__Reply *r =
        harness_council_create(W.h->shard[0].client, OCOP__EVAL_LEVEL__EVAL_LEVEL_CENTRAL, "", W.province[GW_A], 7, 0);
    assert_non_null(r);
    assert_int_equal(r->status, OCOP_OK);
    char central[32], path[128], body[256];
    snprintf(central, sizeof central, "%s", r->eval_council->id);
    ocop__reply__free_unpacked(r, NULL);
    char *before = gateway_world_sequences(&W);
    assert_non_null(before);
    snprintf(body, sizeof body, "{\"council_id\":\"%s\",\"product_ids\":[\"%s\"]}", central, W.product[GW_A]);
    s_post("/v1/sessions", OCOP_ROLE_PROVINCE, body, 403, "central council");
    snprintf(path, sizeof path, "/v1/councils/%s/ties", central);
    s_post(path, OCOP_ROLE_PROVINCE, "{\"member_id\":\"m2\",\"entity_id\":\"x\"}", 403, "central council");
    char *after = gateway_world_sequences(&W);
    assert_non_null(after);
    assert_string_equal(before, after);
    free(before);
    free(after);
    /* the ministry's own officer reaches the service, which judges the request itself */
    harness_http_t resp = {0};
    assert_int_equal(harness_http(W.h, "POST", "/v1/sessions", gateway_world_token(&W, OCOP_ROLE_CENTRAL), body, &resp),
                     0);
    assert_int_not_equal(resp.status, 403);
    harness_http_free(&resp);
}

/* A target the gateway cannot hold whole is refused as the client sent it, never cut to fit:
 * province A's officer naming a province code that starts with A's code is told the code is
 * not one (400), not judged on its first characters; nothing changes. */
static void test_long_target_refused_not_cut(void **state)
{
    (void)state;
    char *before = gateway_world_sequences(&W);
    assert_non_null(before);
    char body[256];
    snprintf(body, sizeof body, "{\"province_code\":\"%s%s\",\"name\":\"Hội chợ OCOP\"}", W.province[GW_A],
             "000000000000");
    s_post("/v1/fairs", OCOP_ROLE_PROVINCE, body, 400, "\"field\":\"province_code\"");
    char *after = gateway_world_sequences(&W);
    assert_non_null(after);
    assert_string_equal(before, after);
    free(before);
    free(after);
}

/* An evaluation id is read with the shards' own grammar: one the shards would refuse is
 * refused at the gateway (400 naming the field, where a lowercase kind was 404 before and the
 * others went to a shard), one of a shard that is not configured is 404. */
static void test_shard_ids_read_as_the_shards_read_them(void **state)
{
    (void)state;
    static const char *const bad[] = {"c1-5", "C01-5", "C1-05", "C1-5x", "C1-", "C0-3"};
    char path[96];
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        harness_http_t resp = {0};
        snprintf(path, sizeof path, "/v1/councils/%s", bad[i]);
        assert_int_equal(harness_http(W.h, "GET", path, gateway_world_token(&W, OCOP_ROLE_CENTRAL), NULL, &resp), 0);
        if (resp.status != 400 || !strstr(resp.body, "\"field\":\"id\""))
            fail_msg("GET %s: %ld %s (expected 400 on id)", path, resp.status, resp.body);
        harness_http_free(&resp);
    }
    harness_http_t resp = {0};
    assert_int_equal(
        harness_http(W.h, "GET", "/v1/councils/C77-1", gateway_world_token(&W, OCOP_ROLE_CENTRAL), NULL, &resp), 0);
    assert_int_equal(resp.status, 404);
    assert_non_null(strstr(resp.body, "not configured"));
    harness_http_free(&resp);
}

/* A council member scores only as themselves; only the central officer creates the central
 * council; a token the gateway does not know is refused, one added while it runs is taken. */
static void test_identity_rules(void **state)
{
    (void)state;
    char path[128], body[512];
    snprintf(path, sizeof path, "/v1/sessions/%s/sheets", W.session[GW_A]);
    snprintf(body, sizeof body, "{\"product_id\":\"%s\",\"member_id\":\"m2\"}", W.product[GW_A]);
    s_post(path, OCOP_ROLE_COUNCIL, body, 403, "may not act as member");
    snprintf(body, sizeof body, "{\"name\":\"HĐ TW\",\"level\":\"central\",\"province_code\":\"%s\"}",
             W.province[GW_A]);
    s_post("/v1/councils", OCOP_ROLE_PROVINCE, body, 403, "central council");
    test_central_council_is_the_ministrys();
    harness_http_t resp = {0};
    const char *unknown = "ocop_0000000000000000000000000000000000000000000000000000000000000000";
    assert_int_equal(harness_http(W.h, "GET", "/v1/products", unknown, NULL, &resp), 0);
    assert_int_equal(resp.status, 401);
    char token[OCOP_TOKEN_LEN + 1];
    assert_int_equal(harness_gateway_user(W.h, "moi", "auditor", NULL, NULL, NULL, NULL, NULL, token), 0);
    int64_t deadline = harness_mono_ms() + 10000;
    do {
        usleep(50 * 1000);
        assert_int_equal(harness_http(W.h, "GET", "/v1/products?limit=1", token, NULL, &resp), 0);
    } while (resp.status == 401 && harness_mono_ms() < deadline);
    assert_int_equal(resp.status, 200);
    harness_http_free(&resp);
}

/* path as role: the parsed 200 body (caller deletes). */
static cJSON *s_get(const char *path, ocop_role_t role)
{
    harness_http_t resp = {0};
    assert_int_equal(harness_http(W.h, "GET", path, gateway_world_token(&W, role), NULL, &resp), 0);
    if (resp.status != 200)
        fail_msg("GET %s: %ld %s", path, resp.status, resp.body);
    cJSON *j = cJSON_Parse(resp.body);
    harness_http_free(&resp);
    assert_non_null(j);
    return j;
}

/* The bytes of a base64 field (len 0 when absent or empty); into buf. */
static size_t s_bytes(const cJSON *o, const char *name, uint8_t *buf, size_t cap)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, name);
    size_t len = 0;
    if (!cJSON_IsString(v) || !*v->valuestring)
        return 0;
    assert_int_equal(sodium_base642bin(buf, cap, v->valuestring, strlen(v->valuestring), NULL, &len, NULL,
                                       sodium_base64_VARIANT_ORIGINAL),
                     0);
    return len;
}

static bool s_holds(const uint8_t *data, size_t len, const char *needle)
{
    return *needle && memmem(data, len, needle, strlen(needle)) != NULL;
}

static bool s_withholds(const cJSON *entry, const char *path)
{
    const cJSON *list = cJSON_GetObjectItemCaseSensitive(entry, "withheld");
    for (const cJSON *p = list ? list->child : NULL; p; p = p->next)
        if (cJSON_IsString(p) && strcmp(p->valuestring, path) == 0)
            return true;
    return false;
}

/* The entry with index i in a page, or NULL. */
static const cJSON *s_entry_at(const cJSON *page, double i)
{
    const cJSON *entries = cJSON_GetObjectItemCaseSensitive(page, "entries");
    for (const cJSON *e = entries ? entries->child : NULL; e; e = e->next)
        if (cJSON_GetObjectItemCaseSensitive(e, "index")->valuedouble == i)
            return e;
    return NULL;
}

/* The public reads the log without what the API keeps behind a login: no entry it gets holds
 * the entity's tax code, phone or representative or a member's name; an entry with such fields
 * comes as its leaf hash (equal to the hash of the auditor's data), the Event with them cleared
 * and their paths; its inclusion proof still leads to the signed root. The auditor reads all. */
static void test_public_log_withholds_private_fields(void **state)
{
    (void)state;
    char path[160], secret[4][128];
    snprintf(path, sizeof path, "/v1/entities/%s", W.entity[GW_A]);
    cJSON *j = s_get(path, OCOP_ROLE_AUDITOR);
    const char *fields[] = {"tax_code", "phone", "representative"};
    for (int i = 0; i < 3; i++)
        snprintf(secret[i], sizeof secret[i], "%s", cJSON_GetObjectItemCaseSensitive(j, fields[i])->valuestring);
    cJSON_Delete(j);
    snprintf(path, sizeof path, "/v1/councils/%s", W.council[GW_A]);
    j = s_get(path, OCOP_ROLE_AUDITOR);
    const cJSON *member = cJSON_GetObjectItemCaseSensitive(j, "members")->child;
    snprintf(secret[3], sizeof secret[3], "%s", cJSON_GetObjectItemCaseSensitive(member, "name")->valuestring);
    cJSON_Delete(j);
    for (int i = 0; i < 4; i++)
        assert_true(strlen(secret[i]) > 3);

    static uint8_t data[1 << 16];
    const char *all = "/v1/audit/entries?from=0&max=10000";
    /* the auditor's view: wait until the log holds the council (created after the entity) */
    cJSON *full = NULL;
    int64_t deadline = harness_mono_ms() + 10000;
    bool found = false;
    while (!found && harness_mono_ms() < deadline) {
        cJSON_Delete(full);
        full = s_get(all, OCOP_ROLE_AUDITOR);
        const cJSON *entries = cJSON_GetObjectItemCaseSensitive(full, "entries");
        for (const cJSON *e = entries->child; e && !found; e = e->next)
            found = s_holds(data, s_bytes(e, "data", data, sizeof data), secret[3]);
        if (!found)
            usleep(50 * 1000);
    }
    assert_true(found);
    cJSON *pub = s_get(all, OCOP_ROLE_PUBLIC);
    const cJSON *entries = cJSON_GetObjectItemCaseSensitive(pub, "entries");
    int redacted = 0, whole = 0;
    double redacted_index = -1;
    for (const cJSON *e = entries->child; e; e = e->next) {
        double index = cJSON_GetObjectItemCaseSensitive(e, "index")->valuedouble;
        const cJSON *f = s_entry_at(full, index);
        if (!f)
            continue; /* logged after the auditor's read */
        size_t len = s_bytes(e, "data", data, sizeof data);
        for (int i = 0; i < 4; i++)
            if (s_holds(data, len, secret[i]))
                fail_msg("public entry %.0f discloses %s", index, secret[i]);
        size_t plen = s_bytes(e, "public_data", data, sizeof data);
        for (int i = 0; i < 4; i++)
            if (s_holds(data, plen, secret[i]))
                fail_msg("public entry %.0f discloses %s in public_data", index, secret[i]);
        /* the leaf hash the public gets is the hash of the whole entry */
        uint8_t leaf[32], want[32];
        assert_int_equal(s_bytes(e, "leaf_hash", leaf, sizeof leaf), 32);
        aud_hash_t h;
        size_t flen = s_bytes(f, "data", data, sizeof data);
        aud_leaf_hash(data, flen, &h);
        memcpy(want, h.h, 32);
        assert_memory_equal(leaf, want, 32);
        if (len) {
            whole++;
            assert_int_equal(len, flen);
        } else {
            assert_true(plen > 0);
            redacted++;
            if (s_withholds(e, "reg_entity_registered.entity.tax_code"))
                redacted_index = index;
        }
    }
    assert_true(redacted_index >= 0);
    assert_true(whole > 0);
    bool members_withheld = false;
    for (const cJSON *e = entries->child; e; e = e->next)
        members_withheld |= s_withholds(e, "eval_council_created.council.members.name");
    assert_true(members_withheld);
    cJSON_Delete(pub);
    cJSON_Delete(full);

    /* the withheld entry's inclusion proof verifies from its leaf hash alone */
    snprintf(path, sizeof path, "/v1/audit/entries/%.0f/proof", redacted_index);
    j = s_get(path, OCOP_ROLE_PUBLIC);
    const cJSON *entry = cJSON_GetObjectItemCaseSensitive(j, "entry");
    assert_int_equal(s_bytes(entry, "data", data, sizeof data), 0);
    aud_hash_t leaf, root, proof_path[AUD_PROOF_MAX];
    assert_int_equal(s_bytes(entry, "leaf_hash", leaf.h, sizeof leaf.h), 32);
    assert_int_equal(s_bytes(cJSON_GetObjectItemCaseSensitive(j, "head"), "root_hash", root.h, sizeof root.h), 32);
    size_t n = 0;
    for (const cJSON *p = cJSON_GetObjectItemCaseSensitive(j, "path")->child; p; p = p->next, n++) {
        assert_true(n < AUD_PROOF_MAX);
        assert_int_equal(sodium_base642bin(proof_path[n].h, 32, p->valuestring, strlen(p->valuestring), NULL,
                                           &(size_t){0}, NULL, sodium_base64_VARIANT_ORIGINAL),
                         0);
    }
    uint64_t size = (uint64_t)cJSON_GetObjectItemCaseSensitive(j, "tree_size")->valuedouble;
    assert_true(aud_merkle_verify_inclusion(&leaf, (uint64_t)redacted_index, size, proof_path, n, &root));
    cJSON_Delete(j);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_route_and_role),
        cmocka_unit_test(test_identity_rules),
        cmocka_unit_test(test_long_target_refused_not_cut),
        cmocka_unit_test(test_shard_ids_read_as_the_shards_read_them),
        cmocka_unit_test(test_public_log_withholds_private_fields),
    };
    return cmocka_run_group_tests(tests, s_setup, s_teardown);
}
