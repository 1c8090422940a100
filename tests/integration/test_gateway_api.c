/* Integration: the gateway in front of registration, two evaluation shards, promotion and audit.
 * Requests reach the right service and shard and come back as JSON; bad input of every kind gets
 * a 4xx with {code, message, field} and changes nothing; a body over the limit is refused; a
 * service that stops answering gets 503 with Retry-After while the others keep working; a retry
 * with the same Idempotency-Key is applied once; /metrics carries the gateway's and the
 * services' figures; the OpenAPI document served is the one checked in, and it documents exactly
 * the routes the gateway has. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <cjson/cJSON.h>
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "gateway_world.h"
#include "ocop_api.h"

#define S_TIMEOUT_MS 2000
#define S_MAX_BODY 8192
#define S_PER_CLIENT 8
#define S_DEADLINE_S 2

static gateway_world_t W;

static int s_setup(void **state)
{
    (void)state;
    harness_options_t opts = {.gateway_timeout_ms = S_TIMEOUT_MS,
                              .gateway_max_body = S_MAX_BODY,
                              .gateway_max_per_client = S_PER_CLIENT,
                              .gateway_request_deadline_s = S_DEADLINE_S};
    return gateway_world_new(&W, &opts);
}

static int s_teardown(void **state)
{
    (void)state;
    gateway_world_destroy(&W);
    return 0;
}

/* method path as role; asserts the status and returns the parsed body (caller deletes). */
static cJSON *s_req(const char *method, const char *path, ocop_role_t role, const char *body, long status)
{
    harness_http_t r = {0};
    assert_int_equal(harness_http(W.h, method, path, gateway_world_token(&W, role), body, &r), 0);
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
    return cJSON_IsNumber(v) ? v->valuedouble : -1;
}

static void test_requests_reach_their_service_and_shard(void **state)
{
    (void)state;
    char path[256];
    /* Ids made by shard 2 go to shard 2; a product's rating to its province's shard. */
    snprintf(path, sizeof path, "/v1/councils/%s", W.council[GW_B]);
    cJSON *j = s_req("GET", path, OCOP_ROLE_AUDITOR, NULL, 200);
    assert_string_equal(s_str(j, "province_code"), W.province[GW_B]);
    cJSON_Delete(j);
    for (int t = GW_A; t <= GW_B; t++) {
        snprintf(path, sizeof path, "/v1/products/%s/rating", W.product[t]);
        j = s_req("GET", path, OCOP_ROLE_PUBLIC, NULL, 200);
        assert_int_equal((int)s_num(j, "stars"), 4);
        cJSON_Delete(j);
        snprintf(path, sizeof path, "/v1/certificates/%s", W.certificate[t]);
        j = s_req("GET", path, OCOP_ROLE_PUBLIC, NULL, 200);
        assert_string_equal(s_str(j, "product_id"), W.product[t]);
        cJSON_Delete(j);
    }
    /* The national report merges both shards; with a province, only its owner answers. */
    j = s_req("GET", "/v1/reports/stars", OCOP_ROLE_PUBLIC, NULL, 200);
    const cJSON *rows = cJSON_GetObjectItemCaseSensitive(j, "rows");
    int seen[2] = {0, 0};
    for (const cJSON *row = rows ? rows->child : NULL; row; row = row->next)
        for (int t = GW_A; t <= GW_B; t++)
            seen[t] += strcmp(s_str(row, "province_code"), W.province[t]) == 0 ? (int)s_num(row, "stars4") : 0;
    assert_int_equal(seen[GW_A], 1);
    assert_int_equal(seen[GW_B], 1);
    assert_int_equal((int)s_num(cJSON_GetObjectItemCaseSensitive(j, "total"), "stars4"), 2);
    cJSON_Delete(j);
    snprintf(path, sizeof path, "/v1/reports/stars?province_code=%s", W.province[GW_B]);
    j = s_req("GET", path, OCOP_ROLE_PUBLIC, NULL, 200);
    assert_int_equal((int)s_num(cJSON_GetObjectItemCaseSensitive(j, "total"), "stars4"), 1);
    cJSON_Delete(j);
    /* A write with its 201, then read back; pagination by cursor. */
    char body[512];
    snprintf(body, sizeof body,
             "{\"type\":\"cooperative\",\"name\":\"Hợp tác xã Chè Tân Cương Mới\",\"tax_code\":\"0109998887\","
             "\"commune_code\":\"%s\",\"representative\":\"Nguyễn Thị Hoa\",\"phone\":\"0912345678\"}",
             W.commune[GW_A]);
    j = s_req("POST", "/v1/entities", OCOP_ROLE_COMMUNE, body, 201);
    char id[64];
    snprintf(id, sizeof id, "%s", s_str(j, "id"));
    cJSON_Delete(j);
    snprintf(path, sizeof path, "/v1/entities/%s", id);
    j = s_req("GET", path, OCOP_ROLE_PRODUCER, NULL, 200);
    assert_string_equal(s_str(j, "name"), "Hợp tác xã Chè Tân Cương Mới");
    cJSON_Delete(j);
    snprintf(path, sizeof path, "/v1/entities?province_code=%s&limit=1", W.province[GW_A]);
    j = s_req("GET", path, OCOP_ROLE_CENTRAL, NULL, 200);
    char cursor[128];
    snprintf(cursor, sizeof cursor, "%s", s_str(j, "next_cursor"));
    assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(j, "entities")), 1);
    cJSON_Delete(j);
    assert_true(cursor[0] != '\0');
    snprintf(path, sizeof path, "/v1/entities?province_code=%s&limit=1&cursor=%s", W.province[GW_A], cursor);
    j = s_req("GET", path, OCOP_ROLE_CENTRAL, NULL, 200);
    assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(j, "entities")), 1);
    cJSON_Delete(j);
}

typedef struct {
    const char *method;
    const char *path; /* "%A" = province A's fair id */
    int role;         /* ocop_role_t, or -1: a malformed Authorization header */
    const char *body;
    long status;
    const char *code;
    const char *field;
} s_bad_t;

static const s_bad_t s_bad[] = {
    {"POST", "/v1/fairs", OCOP_ROLE_PROVINCE, "{\"name\": ", 400, "MALFORMED", ""},
    {"POST", "/v1/fairs", OCOP_ROLE_PROVINCE, "[1, 2]", 400, "MALFORMED", ""},
    {"POST", "/v1/fairs", OCOP_ROLE_PROVINCE, "\"fair\"", 400, "MALFORMED", ""},
    /* what cJSON takes but a body may not hold: bytes after the object, a key twice (the scope
     * check would read the first, the conversion the last), a NUL inside a string */
    {"POST", "/v1/fairs", OCOP_ROLE_PROVINCE, "{\"name\": \"Hội chợ\"} {\"name\": \"x\"}", 400, "MALFORMED", ""},
    {"POST", "/v1/fairs", OCOP_ROLE_PROVINCE, "{\"name\": \"Hội chợ\"}x", 400, "MALFORMED", ""},
    {"POST", "/v1/fairs", OCOP_ROLE_PROVINCE, "{\"name\": \"a\", \"booths\": 10, \"name\": \"b\"}", 400, "INVALID",
     "name"},
    {"POST", "/v1/fairs", OCOP_ROLE_PROVINCE, "{\"name\": \"Hội chợ\\u0000 Bắc Ninh\"}", 400, "INVALID", "name"},
    {"POST", "/v1/fairs", OCOP_ROLE_PROVINCE, "{\"types\": [\"a\", \"b\\u0000\"]}", 400, "INVALID", "types"},
    {"POST", "/v1/fairs", OCOP_ROLE_PROVINCE, "{\"na\\u0000me\": \"x\"}", 400, "INVALID", "na"},
    /* an escaped backslash before "u0000" is text: the body goes on to the service */
    {"POST", "/v1/fairs", OCOP_ROLE_PROVINCE, "{\"name\": \"C:\\\\u0000\"}", 400, "INVALID", "province_code"},
    {"POST", "/v1/fairs", OCOP_ROLE_PROVINCE, "{\"name\": 7}", 400, "INVALID", "name"},
    {"POST", "/v1/fairs", OCOP_ROLE_PROVINCE, "{\"booths\": \"many\"}", 400, "INVALID", "booths"},
    {"POST", "/v1/fairs", OCOP_ROLE_PROVINCE, "{\"booths\": -3}", 400, "INVALID", "booths"},
    {"POST", "/v1/fairs", OCOP_ROLE_PROVINCE, "{\"colour\": \"red\"}", 400, "INVALID", "colour"},
    {"POST", "/v1/fairs?name=x", OCOP_ROLE_PROVINCE, "{}", 400, "INVALID", "name"},
    {"POST", "/v1/entities", OCOP_ROLE_CENTRAL, "{\"type\": \"pirate\"}", 400, "INVALID", "type"},
    {"GET", "/v1/products?limit=ten", OCOP_ROLE_CENTRAL, NULL, 400, "INVALID", "limit"},
    {"GET", "/v1/products?colour=red", OCOP_ROLE_CENTRAL, NULL, 400, "INVALID", "colour"},
    {"GET", "/v1/audit/entries/minus-one/proof", OCOP_ROLE_PUBLIC, NULL, 400, "INVALID", "index"},
    {"GET", "/v1/no-such-thing", OCOP_ROLE_CENTRAL, NULL, 404, "NOT_FOUND", ""},
    {"GET", "/v1/products/x/y/z", OCOP_ROLE_CENTRAL, NULL, 404, "NOT_FOUND", ""},
    {"DELETE", "/v1/fairs/%A", OCOP_ROLE_CENTRAL, NULL, 405, "METHOD_NOT_ALLOWED", ""},
    {"PUT", "/v1/products", OCOP_ROLE_CENTRAL, "{}", 405, "METHOD_NOT_ALLOWED", ""},
    {"POST", "/healthz", OCOP_ROLE_CENTRAL, "{}", 405, "METHOD_NOT_ALLOWED", ""},
    {"POST", "/v1/fairs", OCOP_ROLE_PUBLIC, "{}", 401, "UNAUTHENTICATED", ""},
    {"POST", "/v1/fairs", -1, "{}", 401, "UNAUTHENTICATED", ""},
    {"GET", "/v1/products", OCOP_ROLE_PUBLIC, NULL, 401, "UNAUTHENTICATED", ""},
    {"POST", "/v1/fairs/%A/allocation", OCOP_ROLE_AUDITOR, "{}", 403, "FORBIDDEN", ""},
    {"POST", "/v1/fairs/%A/allocation", OCOP_ROLE_CENTRAL, "{\"fair_id\": \"FAIR-999\"}", 400, "INVALID", "fair_id"},
    {"GET", "/v1/fairs/FAIR-999999", OCOP_ROLE_PUBLIC, NULL, 404, "NOT_FOUND", "id"},
    {"GET", "/v1/councils/C9-1", OCOP_ROLE_CENTRAL, NULL, 404, "NOT_FOUND", "id"},
    /* not an evaluation id at all: refused as the shards refuse it (404 is for an id of no shard) */
    {"GET", "/v1/councils/nonsense", OCOP_ROLE_CENTRAL, NULL, 400, "INVALID", "id"},
    {"POST", "/v1/councils", OCOP_ROLE_CENTRAL, "{\"province_code\": \"99\", \"level\": \"province\"}", 400, "INVALID",
     "province_code"},
};

static void test_bad_input_changes_nothing(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof s_bad / sizeof s_bad[0]; i++) {
        const s_bad_t *c = &s_bad[i];
        char path[256];
        const char *mark = strstr(c->path, "%A");
        if (mark)
            snprintf(path, sizeof path, "%.*s%s%s", (int)(mark - c->path), c->path, W.fair[GW_A], mark + 2);
        else
            snprintf(path, sizeof path, "%s", c->path);
        char *before = gateway_world_sequences(&W);
        harness_http_t r = {0};
        if (c->role < 0) {
            const char *headers[] = {"Authorization: Basic dXNlcjpwYXNz", NULL};
            assert_int_equal(harness_http_raw(W.h, c->method, path, headers, c->body, strlen(c->body), &r), 0);
        } else {
            assert_int_equal(
                harness_http(W.h, c->method, path, gateway_world_token(&W, (ocop_role_t)c->role), c->body, &r), 0);
        }
        cJSON *j = cJSON_Parse(r.body);
        if (r.status != c->status || !j || strcmp(s_str(j, "code"), c->code) != 0 ||
            strcmp(s_str(j, "field"), c->field) != 0 || strlen(s_str(j, "message")) < 10)
            fail_msg("case %zu: %s %s %s -> %ld %s (expected %ld %s field '%s')", i, c->method, path,
                     c->body ? c->body : "", r.status, r.body, c->status, c->code, c->field);
        if (c->status == 405)
            assert_true(r.allow[0] != '\0');
        assert_string_equal(r.content_type, "application/json");
        cJSON_Delete(j);
        harness_http_free(&r);
        char *after = gateway_world_sequences(&W);
        assert_non_null(before);
        assert_non_null(after);
        assert_string_equal(before, after);
        free(before);
        free(after);
    }
}

/* A connection to the gateway from the loopback address `from` (receive time-out 10 s); the
 * fd, or -1. */
static int s_raw_connect(const char *from)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in src = {.sin_family = AF_INET},
                       addr = {.sin_family = AF_INET, .sin_port = htons((uint16_t)W.h->gateway_port)};
    inet_pton(AF_INET, from, &src.sin_addr);
    inet_pton(AF_INET, "127.0.0.1", &addr.sin_addr);
    struct timeval tv = {10, 0};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    if (bind(fd, (struct sockaddr *)&src, sizeof src) != 0 || connect(fd, (struct sockaddr *)&addr, sizeof addr) != 0) {
        close(fd);
        return -1;
    }
    return fd;
}

/* A connection to the gateway from `from` with request sent (receive time-out 10 s); the fd,
 * or -1. */
static int s_raw_send(const char *from, const char *request, size_t len)
{
    int fd = s_raw_connect(from);
    if (fd < 0)
        return -1;
    size_t sent = 0;
    while (sent < len) {
        ssize_t n = send(fd, request + sent, len - sent, MSG_NOSIGNAL);
        if (n <= 0)
            break;
        sent += (size_t)n;
    }
    return fd; /* the gateway may answer (and close) before it read all of a long request */
}

/* A raw HTTP/1.1 exchange (for a chunked body curl would not send as we need): the status. */
static int s_raw_status(const char *request, size_t len)
{
    int fd = s_raw_send("127.0.0.1", request, len);
    if (fd < 0)
        return -1;
    char buf[256] = {0};
    ssize_t n = recv(fd, buf, sizeof buf - 1, 0);
    close(fd);
    int status = -1;
    if (n > 12)
        sscanf(buf, "HTTP/1.1 %d", &status);
    return status;
}

/* Every string a read takes in its query, 600 bytes long (more than a store key holds): refused
 * as input (or the value simply matches nothing), never a storage error. */
static void test_long_query_values_are_input_errors(void **state)
{
    (void)state;
    char longval[601];
    memset(longval, 'x', sizeof longval - 1);
    longval[sizeof longval - 1] = '\0';
    size_t n, failures = 0;
    const ocop_api_route_t *routes = ocop_api_routes(&n);
    for (size_t i = 0; i < n; i++) {
        const ocop_api_route_t *r = &routes[i];
        if (strcmp(r->method, "GET") != 0)
            continue;
        const ProtobufCFieldDescriptor *body =
            protobuf_c_message_descriptor_get_field_by_name(&ocop__request__descriptor, r->request);
        assert_non_null(body);
        const ProtobufCMessageDescriptor *desc = body->descriptor;
        for (unsigned f = 0; f < desc->n_fields; f++) {
            const ProtobufCFieldDescriptor *fd = &desc->fields[f];
            char param[64];
            snprintf(param, sizeof param, "{%s}", fd->name);
            if (fd->type != PROTOBUF_C_TYPE_STRING || fd->label == PROTOBUF_C_LABEL_REPEATED || strstr(r->path, param))
                continue;
            char path[1024];
            size_t k = 0;
            for (const char *c = r->path; *c; c++) {
                if (*c == '{') {
                    k += (size_t)snprintf(path + k, sizeof path - k, "%s", W.product[GW_A]);
                    c = strchr(c, '}');
                    continue;
                }
                path[k++] = *c;
            }
            snprintf(path + k, sizeof path - k, "?%s=%s", fd->name, longval);
            harness_http_t resp = {0};
            assert_int_equal(harness_http(W.h, "GET", path, gateway_world_token(&W, OCOP_ROLE_AUDITOR), NULL, &resp),
                             0);
            cJSON *j = cJSON_Parse(resp.body);
            if (resp.status >= 500) {
                print_error("GET %s ?%s=<600 bytes>: %ld %s\n", r->path, fd->name, resp.status, resp.body);
                failures++;
            }
            cJSON_Delete(j);
            harness_http_free(&resp);
        }
    }
    assert_int_equal(failures, 0);
    /* the lists' filters and cursors are refused by name */
    static const char *const named[][2] = {{"/v1/units", "parent_code"},      {"/v1/units", "cursor"},
                                           {"/v1/entities", "province_code"}, {"/v1/entities", "cursor"},
                                           {"/v1/products", "province_code"}, {"/v1/products", "entity_id"},
                                           {"/v1/products", "cursor"}};
    for (size_t i = 0; i < sizeof named / sizeof named[0]; i++) {
        char path[1024];
        snprintf(path, sizeof path, "%s?%s=%s", named[i][0], named[i][1], longval);
        cJSON *j = s_req("GET", path, OCOP_ROLE_AUDITOR, NULL, 400);
        assert_string_equal(s_str(j, "field"), named[i][1]);
        cJSON_Delete(j);
    }
}

/* Whether the gateway closed fd within ms (it reads the end of the stream). */
static bool s_closed_within(int fd, int ms)
{
    struct pollfd pfd = {.fd = fd, .events = POLLIN};
    char buf[256];
    for (int64_t deadline = harness_mono_ms() + ms; harness_mono_ms() < deadline;) {
        if (poll(&pfd, 1, 50) == 1) {
            ssize_t n = recv(fd, buf, sizeof buf, MSG_DONTWAIT);
            if (n == 0 || (n < 0 && errno == ECONNRESET))
                return true;
        }
    }
    return false;
}

/* One client's idle connections beyond its share are closed at once and cost the others
 * nothing; a request trickling in a byte at a time is cut off at the request deadline however
 * busy it keeps the connection. */
static void test_connections_per_client_and_deadline(void **state)
{
    (void)state;
    enum { FLOOD = S_PER_CLIENT + 12 };
    int flood[FLOOD], refused = 0;
    bool shut[FLOOD] = {false};
    for (int i = 0; i < FLOOD; i++)
        assert_true((flood[i] = s_raw_connect("127.0.0.2")) >= 0);
    /* Which connections the gateway turns away depends on the order it accepts them in: count
     * every closed one until the excess is, then a little longer (none more may close). */
    int64_t settle = 0;
    for (int64_t deadline = harness_mono_ms() + 5000; harness_mono_ms() < deadline;) {
        for (int i = 0; i < FLOOD; i++)
            if (!shut[i] && s_closed_within(flood[i], 1)) {
                shut[i] = true;
                refused++;
            }
        if (refused >= FLOOD - S_PER_CLIENT && !settle)
            settle = harness_mono_ms() + 300;
        if (settle && harness_mono_ms() >= settle)
            break;
    }
    assert_int_equal(refused, FLOOD - S_PER_CLIENT);
    char unit[64];
    snprintf(unit, sizeof unit, "/v1/units/%s", W.commune[GW_A]);
    harness_http_t r = {0};
    assert_int_equal(harness_http(W.h, "GET", unit, NULL, NULL, &r), 0);
    assert_int_equal(r.status, 200);
    harness_http_free(&r);
    for (int i = 0; i < FLOOD; i++)
        close(flood[i]);

    /* a byte every 100 ms: never idle, never whole */
    int slow = s_raw_connect("127.0.0.3");
    assert_true(slow >= 0);
    static const char head[] = "GET /v1/units HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ";
    assert_int_equal(send(slow, head, sizeof head - 1, MSG_NOSIGNAL), (ssize_t)(sizeof head - 1));
    int64_t t0 = harness_mono_ms();
    bool closed = false;
    while (!closed && harness_mono_ms() - t0 < (S_DEADLINE_S + 4) * 1000) {
        closed = send(slow, "a", 1, MSG_NOSIGNAL) != 1 || s_closed_within(slow, 100);
    }
    int64_t took = harness_mono_ms() - t0;
    close(slow);
    if (!closed)
        fail_msg("a request trickling in for %lld ms is still open (deadline %d s)", (long long)took, S_DEADLINE_S);
    assert_true(took >= S_DEADLINE_S * 1000 - 200);
}

static void test_body_limit(void **state)
{
    (void)state;
    size_t big = S_MAX_BODY + 100;
    char *body = malloc(big + 1);
    memset(body, ' ', big);
    body[0] = '{';
    body[big - 1] = '}';
    body[big] = '\0';
    char *before = gateway_world_sequences(&W);
    harness_http_t r = {0};
    assert_int_equal(harness_http(W.h, "POST", "/v1/fairs", gateway_world_token(&W, OCOP_ROLE_PROVINCE), body, &r), 0);
    assert_int_equal(r.status, 413);
    assert_non_null(strstr(r.body, "TOO_LARGE"));
    harness_http_free(&r);
    /* The same without a declared length: chunks add up past the limit. */
    size_t cap = big + 4096, len = 0;
    char *req = malloc(cap);
    len += (size_t)snprintf(req, cap,
                            "POST /v1/fairs HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer %s\r\n"
                            "Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n",
                            gateway_world_token(&W, OCOP_ROLE_PROVINCE));
    for (size_t off = 0; off < big; off += 1000) {
        size_t n = big - off < 1000 ? big - off : 1000;
        len += (size_t)snprintf(req + len, cap - len, "%zx\r\n", n);
        memcpy(req + len, body + off, n);
        len += n;
        len += (size_t)snprintf(req + len, cap - len, "\r\n");
    }
    len += (size_t)snprintf(req + len, cap - len, "0\r\n\r\n");
    assert_int_equal(s_raw_status(req, len), 413);
    free(req);
    free(body);
    char *after = gateway_world_sequences(&W);
    assert_string_equal(before, after);
    free(before);
    free(after);
}

static void test_silent_service_gets_503(void **state)
{
    (void)state;
    char path[128];
    snprintf(path, sizeof path, "/v1/fairs/%s", W.fair[GW_A]);
    assert_int_equal(kill(W.h->promotion.pid, SIGSTOP), 0);
    int64_t t0 = harness_mono_ms();
    harness_http_t r = {0};
    assert_int_equal(harness_http(W.h, "GET", path, NULL, NULL, &r), 0);
    int64_t waited = harness_mono_ms() - t0;
    assert_int_equal(r.status, 503);
    assert_string_equal(r.retry_after, "1");
    assert_non_null(strstr(r.body, "\"UNAVAILABLE\""));
    assert_true(waited >= S_TIMEOUT_MS - 100);
    /* The other services keep answering meanwhile. */
    char unit[64];
    snprintf(unit, sizeof unit, "/v1/units/%s", W.commune[GW_A]);
    assert_int_equal(harness_http(W.h, "GET", unit, NULL, NULL, &r), 0);
    assert_int_equal(r.status, 200);
    snprintf(unit, sizeof unit, "/v1/certificates/%s", W.certificate[GW_B]);
    assert_int_equal(harness_http(W.h, "GET", unit, NULL, NULL, &r), 0);
    assert_int_equal(r.status, 200);
    assert_int_equal(harness_http(W.h, "GET", "/healthz", NULL, NULL, &r), 0);
    assert_non_null(strstr(r.body, "\"degraded\""));
    assert_non_null(strstr(r.body, "\"promotion\":{\"up\":false}"));
    /* Health checks waiting for the silent service hold no HTTP worker: with more of them in
     * flight than the gateway has threads (4), a healthy route answers before any of them. */
    enum { PROBES = S_PER_CLIENT };
    int probes[PROBES];
    static const char probe[] = "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n";
    for (int i = 0; i < PROBES; i++)
        assert_true((probes[i] = s_raw_send("127.0.0.4", probe, sizeof probe - 1)) >= 0);
    assert_int_equal(harness_http(W.h, "GET", unit, NULL, NULL, &r), 0);
    assert_int_equal(r.status, 200);
    for (int i = 0; i < PROBES; i++) {
        struct pollfd pfd = {.fd = probes[i], .events = POLLIN};
        if (poll(&pfd, 1, 0) != 0)
            fail_msg("health check %d answered before the healthy route", i);
    }
    for (int i = 0; i < PROBES; i++) {
        char buf[512] = {0};
        size_t got = 0;
        ssize_t k;
        while (got < sizeof buf - 1 && (k = recv(probes[i], buf + got, sizeof buf - 1 - got, 0)) > 0)
            got += (size_t)k;
        close(probes[i]);
        assert_non_null(strstr(buf, "HTTP/1.1 200"));
        assert_non_null(strstr(buf, "\"promotion\":{\"up\":false}"));
    }
    assert_int_equal(kill(W.h->promotion.pid, SIGCONT), 0);
    assert_int_equal(harness_http(W.h, "GET", path, NULL, NULL, &r), 0);
    assert_int_equal(r.status, 200);
    harness_http_free(&r);
}

static void test_idempotency_key(void **state)
{
    (void)state;
    char body[512];
    snprintf(body, sizeof body,
             "{\"name\":\"Hội chợ Xuân\",\"organiser\":\"Sở Công Thương\",\"province_code\":\"%s\",\"venue\":\"Nhà "
             "văn hóa\",\"start\":\"2099-01-10\",\"end\":\"2099-01-12\",\"booths\":4,\"strategy\":"
             "\"first-come-first-served\"}",
             W.province[GW_A]);
    char auth[128];
    snprintf(auth, sizeof auth, "Authorization: Bearer %s", gateway_world_token(&W, OCOP_ROLE_PROVINCE));
    const char *headers[] = {auth, "Idempotency-Key: spring-fair-2099", NULL};
    char *before = gateway_world_sequences(&W);
    harness_http_t a = {0}, b = {0};
    assert_int_equal(harness_http_raw(W.h, "POST", "/v1/fairs", headers, body, strlen(body), &a), 0);
    assert_int_equal(harness_http_raw(W.h, "POST", "/v1/fairs", headers, body, strlen(body), &b), 0);
    assert_int_equal(a.status, 201);
    assert_int_equal(b.status, 201);
    assert_string_equal(a.body, b.body);
    harness_http_free(&a);
    harness_http_free(&b);
    /* the same key with another body: 422, nothing applied */
    char other[512];
    snprintf(other, sizeof other, "{\"name\":\"Hội chợ Thu\"%s", strchr(body, ','));
    assert_int_equal(harness_http_raw(W.h, "POST", "/v1/fairs", headers, other, strlen(other), &a), 0);
    assert_int_equal(a.status, 422);
    assert_non_null(strstr(a.body, "IDEMPOTENCY_KEY_REUSED"));
    harness_http_free(&a);
    char *after = gateway_world_sequences(&W);
    /* Exactly one event more, from promotion. */
    assert_string_not_equal(before, after);
    const char *pb = strstr(before, "promotion="), *pa = strstr(after, "promotion=");
    assert_int_equal(atoi(pa + 10), atoi(pb + 10) + 1);
    free(before);
    free(after);
}

static void test_metrics(void **state)
{
    (void)state;
    harness_http_t r = {0};
    assert_int_equal(harness_http(W.h, "GET", "/metrics", NULL, NULL, &r), 0);
    assert_int_equal(r.status, 200);
    assert_non_null(strstr(r.content_type, "text/plain"));
    const char *needles[] = {
        "ocop_gateway_requests_total{route=\"GET /v1/councils/{id}\",status=\"200\"} ",
        "ocop_gateway_requests_total{route=\"POST /v1/fairs\",status=\"400\"} ",
        "ocop_gateway_request_duration_seconds_bucket{route=\"GET /v1/reports/stars\",le=\"+Inf\"} ",
        "ocop_service_up{service=\"registration\"} 1",
        "ocop_service_up{service=\"evaluation-2\"} 1",
        "ocop_service_request_duration_seconds_bucket{service=\"evaluation-1\",le=\"0.001\"} ",
        "ocop_service_request_duration_seconds_count{service=\"promotion\"} ",
        "ocop_service_store_map_max_bytes{service=\"audit\"} ",
        "ocop_audit_source_contiguous{source=\"registration\"} 1\n",
        "ocop_audit_source_contiguous{source=\"evaluation-2\"} 1\n",
        "ocop_audit_source_lag{source=\"evaluation-1\"} ",
        "ocop_audit_tree_size ",
    };
    for (size_t i = 0; i < sizeof needles / sizeof needles[0]; i++)
        if (!strstr(r.body, needles[i]))
            fail_msg("/metrics lacks %s", needles[i]);
    /* A store uses some of its map, and the map stays within what it may grow to. */
    const char *used = strstr(r.body, "ocop_service_store_used_bytes{service=\"registration\"} ");
    const char *map = strstr(r.body, "ocop_service_store_map_bytes{service=\"registration\"} ");
    const char *max = strstr(r.body, "ocop_service_store_map_max_bytes{service=\"registration\"} ");
    assert_true(used && map && max);
    unsigned long long u = strtoull(strchr(used, '}') + 2, NULL, 10), m = strtoull(strchr(map, '}') + 2, NULL, 10),
                       x = strtoull(strchr(max, '}') + 2, NULL, 10);
    assert_true(u > 0 && u <= m && m <= x);
    harness_http_free(&r);
}

static int s_documented(const cJSON *doc, const ocop_api_route_t *route)
{
    const cJSON *item = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(doc, "paths"), route->path);
    char method[8] = {0};
    for (size_t i = 0; route->method[i] && i < 7; i++)
        method[i] = (char)(route->method[i] | 0x20);
    return cJSON_GetObjectItemCaseSensitive(item, method) != NULL;
}

/* 26/2026 Art. 8.2: a 4★ certificate is revoked by the province; the gateway states the
 * caller's level and the shard checks it against the certificate's stars. */
static void test_revocation_by_its_authority(void **state)
{
    (void)state;
    char path[96];
    snprintf(path, sizeof path, "/v1/certificates/%s/revoke", W.certificate[0]);
    cJSON *j = s_req("POST", path, OCOP_ROLE_CENTRAL, "{\"ground\": \"law_violation\"}", 403);
    assert_string_equal(s_str(j, "field"), "by_level");
    assert_non_null(strstr(s_str(j, "message"), "revoked by the province level"));
    cJSON_Delete(j);
    j = s_req("POST", path, OCOP_ROLE_PROVINCE, "{\"ground\": \"law_violation\", \"by_level\": \"central\"}", 403);
    assert_string_equal(s_str(j, "field"), "by_level");
    assert_non_null(strstr(s_str(j, "message"), "revokes as the province level"));
    cJSON_Delete(j);
    j = s_req("POST", path, OCOP_ROLE_PROVINCE, "{\"ground\": \"law_violation\"}", 200);
    assert_string_equal(s_str(j, "state"), "revoked");
    assert_string_equal(s_str(j, "revoked_by"), "province");
    assert_string_equal(s_str(j, "revocation_article"), "Art. 8.1(c)");
    cJSON_Delete(j);
}

static void test_openapi_matches_routes(void **state)
{
    (void)state;
    char file[HARNESS_PATH_MAX];
    const char *src = getenv("OCOP_SOURCE_DIR");
    snprintf(file, sizeof file, "%s/docs/openapi.json", src ? src : ".");
    size_t len;
    char *checked_in = harness_read_file(file, &len);
    assert_non_null(checked_in);
    harness_http_t r = {0};
    assert_int_equal(harness_http(W.h, "GET", "/openapi.json", NULL, NULL, &r), 0);
    assert_int_equal(r.status, 200);
    while (len && checked_in[len - 1] == '\n')
        checked_in[--len] = '\0';
    if (strcmp(checked_in, r.body) != 0)
        fail_msg("docs/openapi.json differs from what the gateway serves: regenerate it with "
                 "'ocop-gateway --openapi > docs/openapi.json'");
    cJSON *doc = cJSON_Parse(r.body);
    harness_http_free(&r);
    size_t n, ops = 0;
    const ocop_api_route_t *routes = ocop_api_routes(&n);
    for (size_t i = 0; i < n; i++)
        assert_true(s_documented(doc, &routes[i]));
    /* Every documented operation exists: the gateway does not answer "no route" or 405. */
    const cJSON *paths = cJSON_GetObjectItemCaseSensitive(doc, "paths");
    for (const cJSON *p = paths->child; p; p = p->next)
        for (const cJSON *op = p->child; op; op = op->next, ops++) {
            char path[256], method[8] = {0};
            size_t k = 0;
            for (const char *c = p->string; *c && k + 2 < sizeof path; c++) {
                if (*c == '{') {
                    path[k++] = 'x';
                    c = strchr(c, '}');
                    continue;
                }
                path[k++] = *c;
            }
            path[k] = '\0';
            for (size_t m = 0; op->string[m] && m < 7; m++)
                method[m] = (char)(op->string[m] & ~0x20);
            assert_int_equal(harness_http(W.h, method, path, gateway_world_token(&W, OCOP_ROLE_AUDITOR),
                                          strcmp(method, "GET") ? "{}" : NULL, &r),
                             0);
            if (r.status == 405 || (r.status == 404 && strstr(r.body, "no route")))
                fail_msg("documented %s %s is not served: %ld %s", method, p->string, r.status, r.body);
        }
    harness_http_free(&r);
    assert_int_equal(ops, n);
    cJSON_Delete(doc);
    free(checked_in);
}

static void test_access_doc_matches_routes(void **state)
{
    (void)state;
    harness_run_t run = {0};
    const char *args[] = {"--access-matrix", NULL};
    assert_int_equal(harness_run(W.h->gateway_binary, args, 20000, &run), 0);
    char file[HARNESS_PATH_MAX];
    const char *src = getenv("OCOP_SOURCE_DIR");
    snprintf(file, sizeof file, "%s/docs/access.md", src ? src : ".");
    char *doc = harness_read_file(file, NULL);
    assert_non_null(doc);
    if (!strstr(doc, run.out))
        fail_msg("docs/access.md lacks the matrix of 'ocop-gateway --access-matrix' (regenerate it)");
    free(doc);
    harness_run_free(&run);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_requests_reach_their_service_and_shard),
        cmocka_unit_test(test_bad_input_changes_nothing),
        cmocka_unit_test(test_long_query_values_are_input_errors),
        cmocka_unit_test(test_connections_per_client_and_deadline),
        cmocka_unit_test(test_body_limit),
        cmocka_unit_test(test_silent_service_gets_503),
        cmocka_unit_test(test_idempotency_key),
        cmocka_unit_test(test_metrics),
        cmocka_unit_test(test_revocation_by_its_authority),
        cmocka_unit_test(test_openapi_matches_routes),
        cmocka_unit_test(test_access_doc_matches_routes),
    };
    return cmocka_run_group_tests(tests, s_setup, s_teardown);
}
