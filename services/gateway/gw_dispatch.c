/* gw_dispatch — one HTTP request to one (or, for a national report, every shard's) service
 * request: route, authenticate, authorise, translate JSON to protobuf and back. */
#include <math.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gw.h"
#include "gw_access.h"
#include "gw_pages.h"
#include "ocop_api.h"
#include "ocop_error.h"
#include "ocop_json.h"

#define S_SHARDS_MAX 64

void gw_error(gw_response_t *out, int http_status, const char *code, const char *field, const char *fmt, ...)
{
    char message[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(message, sizeof message, fmt, ap);
    va_end(ap);
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "code", code);
    cJSON_AddStringToObject(o, "message", message);
    cJSON_AddStringToObject(o, "field", field ? field : "");
    free(out->body);
    out->body = cJSON_PrintUnformatted(o);
    cJSON_Delete(o);
    out->status = http_status;
    out->content_type = "application/json";
    out->retry_after = http_status == 503 ? 1 : 0;
}

void gw_error_from_reply(gw_response_t *out, const Ocop__Reply *reply)
{
    const char *name = ocop_status_name(reply->status);
    if (strncmp(name, "OCOP_E_", 7) == 0)
        name += 7;
    gw_error(out, ocop_api_http_status(reply->status), name, reply->field, "%s", reply->message);
}

const ProtobufCMessage *gw_reply_body(const Ocop__Reply *reply)
{
    const ProtobufCFieldDescriptor *f =
        protobuf_c_message_descriptor_get_field(&ocop__reply__descriptor, (unsigned)reply->body_case);
    if (!f || f->type != PROTOBUF_C_TYPE_MESSAGE)
        return NULL;
    return *(const ProtobufCMessage *const *)((const char *)reply + f->offset);
}

int gw_call(gw_t *gw, const gw_identity_t *who, const char *section, const char *body_name, const ProtobufCMessage *msg,
            const char *request_id, Ocop__Reply **reply, gw_response_t *out)
{
    Ocop__Request req = OCOP__REQUEST__INIT;
    const ProtobufCFieldDescriptor *f =
        protobuf_c_message_descriptor_get_field_by_name(&ocop__request__descriptor, body_name);
    *(const ProtobufCMessage **)((char *)&req + f->offset) = msg;
    req.body_case = (Ocop__Request__BodyCase)f->id;
    req.caller = (char *)who->caller;
    if (request_id)
        req.request_id = (char *)request_id;
    if (gw_upstream_call(gw->upstream, section, &req, reply) == 0)
        return 0;
    gw_error(out, 503, "UNAVAILABLE", "", "the %s service did not answer within %u ms; retry later", section,
             gw->gc.timeout_ms);
    return -1;
}

int gw_shard_of_id(const gw_t *gw, const char *id, char *section, size_t len)
{
    const char *p = id;
    while (*p >= 'A' && *p <= 'Z')
        p++;
    char *end;
    unsigned long shard = strtoul(p, &end, 10);
    if (p == id || end == p || *end != '-' || shard == 0 || shard > 1000)
        return -1;
    return ocop_config_shard_name(gw->config, "evaluation", (unsigned)shard, section, len);
}

/* ---------------------------------------------------------------- identity */

static int s_authenticate(gw_t *gw, const gw_request_t *in, gw_identity_t *who, gw_response_t *out)
{
    memset(who, 0, sizeof *who);
    if (!in->authorization) {
        who->user.role = OCOP_ROLE_PUBLIC;
        snprintf(who->user.name, sizeof who->user.name, "public");
        snprintf(who->caller, sizeof who->caller, "public");
        return 0;
    }
    const char *token = in->authorization;
    if (strncasecmp(token, "Bearer ", 7) != 0) {
        gw_error(out, 401, "UNAUTHENTICATED", "", "expected 'Authorization: Bearer <token>'");
        return -1;
    }
    token += 7;
    pthread_rwlock_rdlock(&gw->users_lock);
    const ocop_user_t *u = ocop_users_find(gw->users, token);
    if (u)
        who->user = *u;
    pthread_rwlock_unlock(&gw->users_lock);
    if (!u) {
        gw_error(out, 401, "UNAUTHENTICATED", "", "unknown or revoked API token");
        return -1;
    }
    if (who->user.province[0])
        snprintf(who->caller, sizeof who->caller, "%s@%s", who->user.name, who->user.province);
    else
        snprintf(who->caller, sizeof who->caller, "%s", who->user.name);
    return 0;
}

/* A client's Idempotency-Key, made private to the user: the service keys retries by request id,
 * and two users choosing the same key must not see each other's replies. */
static void s_request_id(const gw_identity_t *who, const char *key, char *out, size_t len)
{
    out[0] = '\0';
    if (!key || !*key)
        return;
    unsigned char hash[16];
    crypto_generichash_state st;
    crypto_generichash_init(&st, NULL, 0, sizeof hash);
    crypto_generichash_update(&st, (const unsigned char *)who->user.name, strlen(who->user.name) + 1);
    crypto_generichash_update(&st, (const unsigned char *)key, strlen(key));
    crypto_generichash_final(&st, hash, sizeof hash);
    sodium_bin2hex(out, len, hash, sizeof hash);
}

/* ---------------------------------------------------------------- request body */

/* The JSON value of a query or path string for field f: numbers and booleans parsed strictly. */
static cJSON *s_typed_value(const ProtobufCFieldDescriptor *f, const char *s)
{
    char *end;
    switch (f->type) {
    case PROTOBUF_C_TYPE_BOOL:
        if (strcmp(s, "true") == 0 || strcmp(s, "false") == 0)
            return cJSON_CreateBool(strcmp(s, "true") == 0);
        return cJSON_CreateString(s); /* refused by the conversion, naming the field */
    case PROTOBUF_C_TYPE_ENUM:
    case PROTOBUF_C_TYPE_STRING:
    case PROTOBUF_C_TYPE_BYTES:
        return cJSON_CreateString(s);
    case PROTOBUF_C_TYPE_MESSAGE:
        return cJSON_CreateString(s);
    default: {
        double v = strtod(s, &end);
        if (*s && *end == '\0' && isfinite(v))
            return cJSON_CreateNumber(v);
        return cJSON_CreateString(s);
    }
    }
}

/* Sets name on obj from a path or query string; 400 when the body says otherwise. */
static int s_put_string(cJSON *obj, const ProtobufCMessageDescriptor *desc, const char *name, const char *value,
                        const char *where, gw_response_t *out)
{
    const ProtobufCFieldDescriptor *f = protobuf_c_message_descriptor_get_field_by_name(desc, name);
    if (!f) {
        gw_error(out, 400, "INVALID", name, "unknown %s parameter %.64s", where, name);
        return -1;
    }
    cJSON *v = s_typed_value(f, value);
    const cJSON *had = cJSON_GetObjectItemCaseSensitive(obj, name);
    if (had) {
        int same = cJSON_Compare(had, v, 1);
        cJSON_Delete(v);
        if (same)
            return 0;
        gw_error(out, 400, "INVALID", name, "%s is given twice with different values (in the %s and before)", name,
                 where);
        return -1;
    }
    cJSON_AddItemToObject(obj, name, v);
    return 0;
}

static cJSON *s_request_json(const gw_request_t *in, const ocop_api_route_t *route, const ocop_api_params_t *params,
                             const ProtobufCMessageDescriptor *desc, gw_response_t *out)
{
    cJSON *obj;
    if (strcmp(in->method, "GET") == 0) {
        obj = cJSON_CreateObject();
        for (const cJSON *q = in->query ? in->query->child : NULL; q; q = q->next)
            if (s_put_string(obj, desc, q->string, q->valuestring, "query", out) != 0) {
                cJSON_Delete(obj);
                return NULL;
            }
    } else {
        if (in->query && in->query->child) {
            gw_error(out, 400, "INVALID", in->query->child->string,
                     "%s %s takes its fields in a JSON body, not the query string", route->method, route->path);
            return NULL;
        }
        const char *end = NULL;
        obj = in->body_len ? cJSON_ParseWithLengthOpts(in->body, in->body_len, &end, 0) : cJSON_CreateObject();
        if (!obj) {
            size_t at = end && end >= in->body ? (size_t)(end - in->body) : 0;
            gw_error(out, 400, "MALFORMED", "", "the body is not valid JSON (near byte %zu)", at);
            return NULL;
        }
        if (!cJSON_IsObject(obj)) {
            cJSON_Delete(obj);
            gw_error(out, 400, "MALFORMED", "", "the body must be a JSON object");
            return NULL;
        }
    }
    for (size_t i = 0; i < params->count; i++)
        if (s_put_string(obj, desc, params->name[i], params->value[i], "path", out) != 0) {
            cJSON_Delete(obj);
            return NULL;
        }
    return obj;
}

/* ---------------------------------------------------------------- routing */

static int s_section(gw_t *gw, const gw_identity_t *who, const ocop_api_route_t *route, const ProtobufCMessage *msg,
                     char *section, size_t len, gw_response_t *out)
{
    if (route->service != OCOP_API_EVALUATION) {
        snprintf(section, len, "%s", ocop_api_service_name(route->service));
        return 0;
    }
    const char *key = gw_field_string(msg, route->shard_field);
    char province[8];
    if (!key || !*key) {
        gw_error(out, 400, "INVALID", route->shard_field, "%s is required", route->shard_field);
        return -1;
    }
    switch (route->shard) {
    case OCOP_SHARD_ID:
        if (gw_shard_of_id(gw, key, section, len) == 0)
            return 0;
        gw_error(out, 404, "NOT_FOUND", route->shard_field, "%.64s is not an id any evaluation shard made", key);
        return -1;
    case OCOP_SHARD_PRODUCT:
        if (gw_product_province(gw, who, key, route->shard_field, province, sizeof province, out) != 0)
            return -1;
        key = province;
        break;
    default:
        break;
    }
    if (ocop_config_shard_owner(gw->config, "evaluation", key, section, len) == 0)
        return 0;
    gw_error(out, 400, "INVALID", route->shard_field, "no evaluation shard owns province %.16s", key);
    return -1;
}

static void s_report_add(Ocop__EvalReportRow *sum, const Ocop__EvalReportRow *row)
{
    sum->stars3 += row->stars3;
    sum->stars4 += row->stars4;
    sum->stars5 += row->stars5;
    sum->proposed5 += row->proposed5;
    sum->products += row->products;
    sum->entities += row->entities; /* an entity sits in one province, so on one shard */
}

/* The national report: every shard's rows (disjoint: a province is on one shard) and totals. */
static void s_report_merged(gw_t *gw, const gw_identity_t *who, const ProtobufCMessage *msg, gw_response_t *out)
{
    char shards[S_SHARDS_MAX][OCOP_NAME_MAX];
    size_t n = ocop_config_shards(gw->config, "evaluation", shards, S_SHARDS_MAX);
    Ocop__Reply *replies[S_SHARDS_MAX] = {0};
    Ocop__EvalReport merged = OCOP__EVAL_REPORT__INIT;
    Ocop__EvalReportRow total = OCOP__EVAL_REPORT_ROW__INIT;
    merged.total = &total;
    size_t rows = 0;
    int ok = 1;
    for (size_t i = 0; i < n && ok; i++) {
        ok = gw_call(gw, who, shards[i], "eval_report_get", msg, NULL, &replies[i], out) == 0;
        if (ok && (int)replies[i]->status != OCOP_OK) {
            gw_error_from_reply(out, replies[i]);
            ok = 0;
        }
        if (ok && replies[i]->body_case == OCOP__REPLY__BODY_EVAL_REPORT)
            rows += replies[i]->eval_report->n_rows;
    }
    merged.rows = ok ? calloc(rows ? rows : 1, sizeof *merged.rows) : NULL;
    for (size_t i = 0; i < n && merged.rows; i++) {
        const Ocop__EvalReport *r = replies[i]->eval_report;
        if (!r)
            continue;
        for (size_t j = 0; j < r->n_rows; j++)
            merged.rows[merged.n_rows++] = r->rows[j];
        if (r->total)
            s_report_add(&total, r->total);
    }
    if (merged.rows) {
        cJSON *j = ocop_json_from_message(&merged.base);
        out->body = cJSON_PrintUnformatted(j);
        cJSON_Delete(j);
        out->status = 200;
        out->content_type = "application/json";
    }
    free(merged.rows);
    for (size_t i = 0; i < n; i++)
        if (replies[i])
            ocop__reply__free_unpacked(replies[i], NULL);
}

/* ---------------------------------------------------------------- the API */

static pthread_key_t s_arena_key;
static pthread_once_t s_arena_once = PTHREAD_ONCE_INIT;

static void s_arena_free(void *arena)
{
    ocop_arena_destroy((ocop_arena_t **)&arena);
}

static void s_arena_key_make(void)
{
    pthread_key_create(&s_arena_key, s_arena_free);
}

/* The worker's arena for a request's message, emptied: a fresh 16 KiB block per request cost
 * more in malloc than the conversion itself. NULL when out of memory. */
static ocop_arena_t *s_thread_arena(void)
{
    pthread_once(&s_arena_once, s_arena_key_make);
    ocop_arena_t *arena = pthread_getspecific(s_arena_key);
    if (!arena && (arena = ocop_arena_new(16 * 1024)) != NULL && pthread_setspecific(s_arena_key, arena) != 0)
        ocop_arena_destroy(&arena);
    if (arena)
        ocop_arena_reset(arena);
    return arena;
}

static void s_api(gw_t *gw, const gw_request_t *in, const ocop_api_route_t *route, const ocop_api_params_t *params,
                  gw_response_t *out)
{
    gw_identity_t who;
    if (s_authenticate(gw, in, &who, out) != 0 || gw_access_role(&who, route, out) != 0)
        return;
    const ProtobufCFieldDescriptor *f =
        protobuf_c_message_descriptor_get_field_by_name(&ocop__request__descriptor, route->request);
    const ProtobufCMessageDescriptor *desc = f->descriptor;
    cJSON *json = s_request_json(in, route, params, desc, out);
    if (!json)
        return;
    ocop_arena_t *arena = s_thread_arena();
    char err[512], section[OCOP_NAME_MAX], request_id[40];
    ProtobufCMessage *msg =
        arena ? ocop_json_to_message(desc, json, ocop_arena_allocator(arena), err, sizeof err) : NULL;
    cJSON_Delete(json);
    if (!msg) {
        const char *colon = strstr(err, ": ");
        char field[128] = "";
        if (colon && (size_t)(colon - err) < sizeof field)
            memcpy(field, err, (size_t)(colon - err)), field[colon - err] = '\0';
        gw_error(out, 400, "INVALID", field, "%s", arena ? err : "out of memory");
        return;
    }
    if (gw_access_scope(gw, &who, route, msg, out) != 0)
        return;
    const char *province = route->shard == OCOP_SHARD_MERGE ? gw_field_string(msg, route->shard_field) : "x";
    if (route->shard == OCOP_SHARD_MERGE && (!province || !*province)) {
        s_report_merged(gw, &who, msg, out);
        return;
    }
    Ocop__Reply *reply = NULL;
    s_request_id(&who, in->idempotency_key, request_id, sizeof request_id);
    if (s_section(gw, &who, route, msg, section, sizeof section, out) == 0 &&
        gw_call(gw, &who, section, route->request, msg, request_id[0] ? request_id : NULL, &reply, out) == 0) {
        const ProtobufCMessage *body = gw_reply_body(reply);
        if ((int)reply->status != OCOP_OK) {
            gw_error_from_reply(out, reply);
        } else {
            cJSON *j = body ? ocop_json_from_message(body) : cJSON_CreateObject();
            out->body = cJSON_PrintUnformatted(j);
            cJSON_Delete(j);
            out->status = route->creates ? 201 : 200;
            out->content_type = "application/json";
        }
    }
    if (reply)
        ocop__reply__free_unpacked(reply, NULL);
}

void gw_dispatch(gw_t *gw, const gw_request_t *in, gw_response_t *out)
{
    size_t nroutes;
    ocop_api_routes(&nroutes);
    memset(out, 0, sizeof *out);
    if (gw_pages_serve(gw, in, out, nroutes))
        return;
    ocop_api_params_t params;
    bool path_known;
    const ocop_api_route_t *route = ocop_api_match(in->method, in->path, &params, &path_known);
    if (!route) {
        out->slot = nroutes + GW_SLOT_UNMATCHED;
        if (!path_known) {
            gw_error(out, 404, "NOT_FOUND", "", "no route %.200s (see /openapi.json)", in->path);
            return;
        }
        size_t n;
        const ocop_api_route_t *routes = ocop_api_routes(&n);
        ocop_api_params_t scratch;
        bool known;
        for (size_t i = 0; i < n; i++) {
            if (ocop_api_match(routes[i].method, in->path, &scratch, &known) != &routes[i])
                continue;
            size_t used = strlen(out->allow);
            snprintf(out->allow + used, sizeof out->allow - used, "%s%s", used ? ", " : "", routes[i].method);
        }
        gw_error(out, 405, "METHOD_NOT_ALLOWED", "", "%s is not allowed on %.200s (allowed: %s)", in->method, in->path,
                 out->allow);
        return;
    }
    size_t routes_count;
    out->slot = (size_t)(route - ocop_api_routes(&routes_count));
    s_api(gw, in, route, &params, out);
}
