/* ctl_http — ocopctl through the gateway: a request body becomes its route's HTTP request (path
 * parameters from the body, the rest as query arguments of a GET or the JSON body of a write),
 * and the JSON answer becomes the reply the rest of ocopctl prints. */
#include <curl/curl.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ctl.h"
#include "ocop_api.h"
#include "ocop_error.h"
#include "ocop_json.h"

typedef struct {
    char *data;
    size_t len;
} s_buf_t;

static size_t s_write(char *data, size_t size, size_t n, void *user)
{
    s_buf_t *b = user;
    char *grown = realloc(b->data, b->len + size * n + 1);
    if (!grown)
        return 0;
    memcpy(grown + b->len, data, size * n);
    b->data = grown;
    b->len += size * n;
    b->data[b->len] = '\0';
    return size * n;
}

/* A scalar JSON value as text (path and query); NULL for a default value or a non-scalar. */
static const char *s_scalar(const cJSON *v, char *buf, size_t len)
{
    if (cJSON_IsString(v))
        return *v->valuestring ? v->valuestring : NULL;
    if (cJSON_IsRaw(v)) /* ocop_json's exact 64-bit integers */
        return strcmp(v->valuestring, "0") != 0 ? v->valuestring : NULL;
    if (cJSON_IsBool(v))
        return cJSON_IsTrue(v) ? "true" : NULL;
    if (cJSON_IsNumber(v) && v->valuedouble != 0) {
        snprintf(buf, len, "%.17g", v->valuedouble);
        return buf;
    }
    return NULL;
}

static const char *s_param(const char *name, void *user)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(user, name);
    static __thread char buf[64];
    return s_scalar(v, buf, sizeof buf);
}

/* The route's URL (path and, for GET, query) into url; removes the path parameters from body. */
static int s_url(ctl_t *ctl, CURL *curl, const ocop_api_route_t *route, cJSON *body, char *url, size_t len)
{
    char path[1024];
    if (ocop_api_path_fill(route, s_param, body, path, sizeof path) != 0) {
        fprintf(stderr, "ocopctl: %s needs every parameter of %s\n", route->request, route->path);
        return CTL_EXIT_INVALID;
    }
    int n = snprintf(url, len, "%s%s", ctl->gateway, path);
    for (const char *t = strchr(route->path, '{'); t; t = strchr(t + 1, '{')) {
        char name[64];
        const char *close = strchr(t, '}');
        snprintf(name, sizeof name, "%.*s", (int)(close - t - 1), t + 1);
        cJSON_DeleteItemFromObjectCaseSensitive(body, name);
    }
    if (strcmp(route->method, "GET") != 0)
        return 0;
    char sep = '?', buf[64];
    for (const cJSON *v = body->child; v && n < (int)len; v = v->next) {
        const char *text = s_scalar(v, buf, sizeof buf);
        if (!text)
            continue;
        char *escaped = curl_easy_escape(curl, text, 0);
        n += snprintf(url + n, len - (size_t)n, "%c%s=%s", sep, v->string, escaped ? escaped : "");
        curl_free(escaped);
        sep = '&';
    }
    return n < (int)len ? 0 : CTL_EXIT_INVALID;
}

/* The reply for an HTTP answer: the route's reply body, or the error's code, message and field. */
static int s_reply(const ocop_api_route_t *route, long http, const char *text, Ocop__Reply **out)
{
    Ocop__Reply reply = OCOP__REPLY__INIT;
    cJSON *j = text ? cJSON_Parse(text) : NULL;
    ProtobufCMessage *body = NULL;
    ocop_json_error_t err;
    if (http >= 200 && http < 300) {
        const ProtobufCFieldDescriptor *f =
            protobuf_c_message_descriptor_get_field_by_name(&ocop__reply__descriptor, route->reply);
        body = j ? ocop_json_to_message(f->descriptor, j, NULL, &err) : NULL;
        if (!body) {
            fprintf(stderr, "ocopctl: the gateway's answer is not a %s: %s\n", route->reply,
                    j ? err.message : "not JSON");
            cJSON_Delete(j);
            return CTL_EXIT_FAILED;
        }
        *(ProtobufCMessage **)((char *)&reply + f->offset) = body;
        reply.body_case = (Ocop__Reply__BodyCase)f->id;
    } else {
        const cJSON *code = cJSON_GetObjectItemCaseSensitive(j, "code");
        const cJSON *message = cJSON_GetObjectItemCaseSensitive(j, "message");
        const cJSON *field = cJSON_GetObjectItemCaseSensitive(j, "field");
        char name[64];
        snprintf(name, sizeof name, "OCOP_E_%s", cJSON_IsString(code) ? code->valuestring : "INTERNAL");
        int status = ocop_status_from_name(name);
        if (status < 0)
            status = http == 401 || http == 403 ? OCOP_E_FORBIDDEN
                     : http == 405              ? OCOP_E_UNSUPPORTED
                     : http == 503              ? OCOP_E_UNAVAILABLE
                                                : OCOP_E_INTERNAL;
        reply.status = (Ocop__Status)status;
        reply.message = cJSON_IsString(message) ? message->valuestring : (char *)"the gateway gave no reason";
        reply.field = cJSON_IsString(field) ? field->valuestring : (char *)"";
    }
    /* Through the wire format, so the caller frees it like any reply. */
    size_t len = ocop__reply__get_packed_size(&reply);
    uint8_t *packed = malloc(len ? len : 1);
    if (packed)
        ocop__reply__pack(&reply, packed);
    *out = packed ? ocop__reply__unpack(NULL, len, packed) : NULL;
    free(packed);
    if (body)
        protobuf_c_message_free_unpacked(body, NULL);
    cJSON_Delete(j);
    return *out ? 0 : CTL_EXIT_FAILED;
}

#define S_ATTEMPTS 6

/* Before attempt n (1..): 250 ms, doubling, at most 4 s (about 8 s over all attempts). */
static void s_backoff(int attempt)
{
    long ms = 250L << (attempt - 1);
    if (ms > 4000)
        ms = 4000;
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
        ;
}

int ctl_http_call(ctl_t *ctl, const char *body_name, const ProtobufCMessage *msg, const char *request_id,
                  Ocop__Reply **reply)
{
    *reply = NULL;
    const ocop_api_route_t *route = ocop_api_route_for_request(body_name);
    if (!route) {
        fprintf(stderr, "ocopctl: the gateway offers no %s (use --config for direct access on a service host)\n",
                body_name);
        return CTL_EXIT_USAGE;
    }
    if (!ctl->curl && !(ctl->curl = curl_easy_init()))
        return CTL_EXIT_FAILED;
    CURL *curl = ctl->curl;
    cJSON *body = ocop_json_from_message(msg);
    char url[8192];
    int rc = body ? s_url(ctl, curl, route, body, url, sizeof url) : CTL_EXIT_FAILED;
    char *text = rc == 0 && strcmp(route->method, "GET") != 0 ? cJSON_PrintUnformatted(body) : NULL;
    cJSON_Delete(body);
    if (rc != 0)
        return rc;
    struct curl_slist *headers = curl_slist_append(NULL, "Content-Type: application/json");
    headers = curl_slist_append(headers, "Expect:");
    char line[160];
    if (ctl->token) {
        snprintf(line, sizeof line, "Authorization: Bearer %s", ctl->token);
        headers = curl_slist_append(headers, line);
    }
    if (request_id && *request_id) {
        snprintf(line, sizeof line, "Idempotency-Key: %s", request_id);
        headers = curl_slist_append(headers, line);
    }
    s_buf_t answer = {0};
    curl_easy_reset(curl);
    curl_easy_setopt(curl, CURLOPT_URL, url);
    curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, route->method);
    curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, s_write);
    curl_easy_setopt(curl, CURLOPT_WRITEDATA, &answer);
    curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, (long)ctl->timeout_ms * 3);
    curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
    if (text)
        curl_easy_setopt(curl, CURLOPT_POSTFIELDS, text);
    long http = 0;
    /* A 503 (a service did not answer) or a lost connection (the gateway restarting) is worth
     * retrying, waiting longer each time, when a repeat is safe: a read, or a write with its
     * Idempotency-Key. */
    bool repeatable = strcmp(route->method, "GET") == 0 || (request_id && *request_id);
    for (int attempt = 0; attempt < S_ATTEMPTS; attempt++) {
        if (attempt)
            s_backoff(attempt);
        free(answer.data);
        answer = (s_buf_t){0};
        http = 0;
        rc = 0;
        CURLcode cc = curl_easy_perform(curl);
        if (cc != CURLE_OK) {
            fprintf(stderr, "ocopctl: %s: %s%s\n", ctl->gateway, curl_easy_strerror(cc),
                    repeatable && attempt + 1 < S_ATTEMPTS ? " (retrying)" : "");
            rc = CTL_EXIT_UNAVAILABLE;
            if (!repeatable)
                break;
            continue;
        }
        curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &http);
        if (http != 503 || !repeatable)
            break;
    }
    curl_slist_free_all(headers);
    free(text);
    if (rc == 0)
        rc = s_reply(route, http, answer.data, reply);
    free(answer.data);
    return rc;
}

int ctl_http_health(ctl_t *ctl)
{
    if (!ctl->curl && !(ctl->curl = curl_easy_init()))
        return CTL_EXIT_FAILED;
    char url[1024];
    snprintf(url, sizeof url, "%s/healthz", ctl->gateway);
    s_buf_t answer = {0};
    curl_easy_reset(ctl->curl);
    curl_easy_setopt(ctl->curl, CURLOPT_URL, url);
    curl_easy_setopt(ctl->curl, CURLOPT_WRITEFUNCTION, s_write);
    curl_easy_setopt(ctl->curl, CURLOPT_WRITEDATA, &answer);
    curl_easy_setopt(ctl->curl, CURLOPT_TIMEOUT_MS, (long)ctl->timeout_ms * 3);
    curl_easy_setopt(ctl->curl, CURLOPT_NOSIGNAL, 1L);
    CURLcode cc = curl_easy_perform(ctl->curl);
    if (cc != CURLE_OK) {
        fprintf(stderr, "ocopctl: %s: %s\n", ctl->gateway, curl_easy_strerror(cc));
        free(answer.data);
        return CTL_EXIT_UNAVAILABLE;
    }
    cJSON *j = cJSON_Parse(answer.data ? answer.data : "");
    const cJSON *status = cJSON_GetObjectItemCaseSensitive(j, "status");
    int ok = cJSON_IsString(status) && strcmp(status->valuestring, "ok") == 0;
    if (ctl->output_json || !j) {
        printf("%s\n", answer.data ? answer.data : "");
    } else {
        const cJSON *services = cJSON_GetObjectItemCaseSensitive(j, "services");
        printf("gateway %s: %s\n", ctl->gateway, ok ? "ok" : "degraded");
        for (const cJSON *s = services ? services->child : NULL; s; s = s->next) {
            const cJSON *up = cJSON_GetObjectItemCaseSensitive(s, "up");
            const cJSON *seq = cJSON_GetObjectItemCaseSensitive(s, "last_sequence");
            printf("  %-14s %-5s last_sequence=%.0f\n", s->string, cJSON_IsTrue(up) ? "up" : "DOWN",
                   cJSON_IsNumber(seq) ? seq->valuedouble : 0.0);
        }
    }
    cJSON_Delete(j);
    free(answer.data);
    return ok ? CTL_EXIT_OK : CTL_EXIT_UNAVAILABLE;
}
