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
#include "gw_json_check.h"
#include "gw_pages.h"
#include "gw_redact.h"
#include "ocop_api.h"
#include "ocop_error.h"
#include "ocop_eval_report.h"
#include "ocop_json.h"
#include "ocop_shard_id.h"

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

/* The Request carrying msg as its body field body_name. */
static void s_request(Ocop__Request *req, const gw_identity_t *who, const char *body_name, const ProtobufCMessage *msg,
                      const char *request_id)
{
    ocop__request__init(req);
    const ProtobufCFieldDescriptor *f =
        protobuf_c_message_descriptor_get_field_by_name(&ocop__request__descriptor, body_name);
    *(const ProtobufCMessage **)((char *)req + f->offset) = msg;
    req->body_case = (Ocop__Request__BodyCase)f->id;
    req->caller = (char *)who->caller;
    if (request_id && *request_id)
        req->request_id = (char *)request_id;
}

int gw_shard_of_id(const gw_t *gw, const char *id, const char *field, char *section, size_t len, gw_response_t *out)
{
    unsigned shard;
    if (ocop_shard_id_parse(id, NULL, &shard, NULL) != 0) {
        gw_error(out, 400, "INVALID", field, "%s '%.40s' is not an id of the form <KIND><shard>-<n>", field, id);
        return -1;
    }
    if (ocop_config_shard_name(gw->config, "evaluation", shard, section, len) == 0)
        return 0;
    gw_error(out, 404, "NOT_FOUND", field, "%.40s was made by evaluation shard %u, which is not configured", id, shard);
    return -1;
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
        if (in->body_len && gw_json_check(in->body, in->body_len, end, obj, out) != 0) {
            cJSON_Delete(obj);
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

/* ---------------------------------------------------------------- the task */

#define S_CALLS_MAX S_SHARDS_MAX
#define S_REDIRECTS_MAX 3 /* a province moved twice since the config was written, and one more */

enum {
    S_BEGIN,    /* route, identity, body, scope */
    S_SCOPED,   /* the scope lookup answered */
    S_ROUTE,    /* which service (shard) */
    S_PLACED,   /* the product lookup answered: its province's shard */
    S_ANSWERED, /* the service answered */
    S_MERGED,   /* every shard answered the national report */
    S_PROBED,   /* every service answered the ping of /healthz or /metrics, or timed out */
};

typedef struct {
    gw_task_t *task;
    gw_lookup_t call;
    const char *request_id;
    unsigned timeout_ms; /* 0: the pump's */
    Ocop__Reply *reply;  /* NULL: no answer */
} s_call_t;

struct gw_task_t {
    gw_t *gw;
    gw_task_wake_fn wake;
    void *wake_arg;
    int step;
    const ocop_api_route_t *route;
    gw_probe_t probe;
    gw_identity_t who;
    ocop_arena_t *arena;
    ProtobufCMessage *msg;
    char request_id[40];
    pthread_mutex_t lock; /* guards outstanding: replies come in the pump's thread */
    size_t outstanding;
    size_t n_calls;
    size_t n_pings;          /* a probe's calls: its pings first, then the audit sources' request */
    int placed;              /* province holds the product's province, from the scope's lookup */
    int redirects;           /* calls sent again to the shard a WRONG_SHARD reply named */
    char routed_province[8]; /* the province the evaluation call was routed by ("" by an id) */
    char province[8];
    s_call_t calls[S_CALLS_MAX];
};

gw_task_t *gw_task_new(gw_t *gw, gw_task_wake_fn wake, void *arg)
{
    gw_task_t *self = calloc(1, sizeof *self);
    if (!self)
        return NULL;
    self->arena = ocop_arena_new(8 * 1024);
    if (!self->arena) {
        free(self);
        return NULL;
    }
    self->gw = gw;
    self->wake = wake;
    self->wake_arg = arg;
    pthread_mutex_init(&self->lock, NULL);
    return self;
}

static void s_calls_clear(gw_task_t *self)
{
    for (size_t i = 0; i < self->n_calls; i++)
        if (self->calls[i].reply)
            ocop__reply__free_unpacked(self->calls[i].reply, NULL);
    self->n_calls = 0;
}

void gw_task_destroy(gw_task_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    gw_task_t *self = *self_p;
    s_calls_clear(self);
    ocop_arena_destroy(&self->arena);
    pthread_mutex_destroy(&self->lock);
    free(self);
    *self_p = NULL;
}

/* Queues a call for gw_task_send (request_id NULL: a fresh one). */
static void s_call(gw_task_t *self, const char *section, const char *body_name, ProtobufCMessage *msg,
                   const char *request_id)
{
    s_call_t *c = &self->calls[self->n_calls++];
    memset(c, 0, sizeof *c);
    c->task = self;
    snprintf(c->call.section, sizeof c->call.section, "%s", section);
    c->call.body_name = body_name;
    c->call.msg = msg;
    c->request_id = request_id;
}

static void s_on_reply(void *user, Ocop__Reply *reply)
{
    s_call_t *c = user;
    gw_task_t *self = c->task;
    c->reply = reply;
    pthread_mutex_lock(&self->lock);
    int last = --self->outstanding == 0;
    pthread_mutex_unlock(&self->lock);
    if (last) {
        __atomic_sub_fetch(&self->gw->tasks_active, 1, __ATOMIC_RELAXED);
        self->wake(self->wake_arg);
    }
}

void gw_task_send(gw_task_t *self)
{
    size_t n = self->n_calls;
    self->outstanding = n;
    __atomic_add_fetch(&self->gw->tasks_active, 1, __ATOMIC_RELAXED);
    /* After the last submission the task may already be awake in another thread: nothing here
     * touches it once that submission is made. */
    for (size_t i = 0; i < n; i++) {
        s_call_t *c = &self->calls[i];
        Ocop__Request req;
        s_request(&req, &self->who, c->call.body_name, c->call.msg, c->request_id);
        if (gw_pump_submit(self->gw->pump, c->call.section, &req, c->timeout_ms, s_on_reply, c) != 0)
            s_on_reply(c, NULL);
    }
}

/* The reply's body for the route, or the error (503 for no answer). 1 when out is complete. */
static int s_answer(gw_task_t *self, const Ocop__Reply *reply, const char *section, gw_response_t *out)
{
    if (!reply) {
        gw_error(out, 503, "UNAVAILABLE", "", "the %s service did not answer within %u ms; retry later", section,
                 self->gw->gc.timeout_ms);
    } else if ((int)reply->status == OCOP_E_CONFLICT && self->request_id[0] &&
               strcmp(reply->field, "request_id") == 0) {
        /* The request id is the client's Idempotency-Key: reused with another request (draft
         * IETF httpapi-idempotency-key-header, 422). */
        gw_error(out, 422, "IDEMPOTENCY_KEY_REUSED", "Idempotency-Key",
                 "this Idempotency-Key was used with a different request; a retry sends the same request, a new "
                 "request needs a new key");
    } else if ((int)reply->status != OCOP_OK) {
        gw_error_from_reply(out, reply);
    } else {
        const ProtobufCMessage *body = gw_reply_body(reply);
        if (body && !(body = gw_redact_entries(body, self->who.user.role, self->arena))) {
            gw_error(out, 500, "INTERNAL", "", "an audit entry is not an event; it is not shown");
            return 1;
        }
        out->body = body ? ocop_json_print_message(body) : strdup("{}");
        out->status = self->route->creates ? 201 : 200;
        out->content_type = "application/json";
    }
    return 1;
}

/* The national report: every shard's rows and totals (ocop_eval_report_merge). */
static int s_merged(gw_task_t *self, gw_response_t *out)
{
    const Ocop__EvalReport *parts[S_CALLS_MAX];
    for (size_t i = 0; i < self->n_calls; i++) {
        const Ocop__Reply *r = self->calls[i].reply;
        if (!r || (int)r->status != OCOP_OK || r->body_case != OCOP__REPLY__BODY_EVAL_REPORT)
            return s_answer(self, r, self->calls[i].call.section, out);
        parts[i] = r->eval_report;
    }
    size_t rows = ocop_eval_report_rows(parts, self->n_calls);
    Ocop__EvalReport merged;
    Ocop__EvalReportRow total;
    ocop_eval_report_merge(parts, self->n_calls, ocop_arena_alloc(self->arena, (rows ? rows : 1) * sizeof(void *)),
                           &total, &merged);
    out->body = ocop_json_print_message(&merged.base);
    out->status = 200;
    out->content_type = "application/json";
    return 1;
}

/* The section of the route's service, or the evaluation shard its request names; -1 with out
 * filled, or 0 and *lookup set when a product must be placed first (S_PLACED). */
static int s_section(gw_task_t *self, const char *province, char *section, size_t len, gw_response_t *out)
{
    const ocop_api_route_t *route = self->route;
    if (route->service != OCOP_API_EVALUATION) {
        snprintf(section, len, "%s", ocop_api_service_name(route->service));
        return 0;
    }
    const char *key = province ? province : gw_field_string(self->msg, route->shard_field);
    if (!key || !*key) {
        gw_error(out, 400, "INVALID", route->shard_field, "%s is required", route->shard_field);
        return -1;
    }
    if (!province && route->shard == OCOP_SHARD_ID)
        return gw_shard_of_id(self->gw, key, route->shard_field, section, len, out);
    if (strlen(key) < sizeof self->routed_province)
        snprintf(self->routed_province, sizeof self->routed_province, "%s", key);
    if (gw_shardmap_get(self->gw->shardmap, key, section, len) == 0 ||
        ocop_config_shard_owner(self->gw->config, "evaluation", key, section, len) == 0)
        return 0;
    gw_error(out, 400, "INVALID", route->shard_field, "no evaluation shard owns province %.16s", key);
    return -1;
}

/* A ping to every service for /healthz or /metrics, each with the probes' own time-out; for
 * /metrics also the audit service's intake status (its sources' lag and contiguity). */
static void s_probe(gw_task_t *self)
{
    const char *names[GW_SECTIONS_MAX];
    size_t n = gw_pump_sections(self->gw->pump, names, GW_SECTIONS_MAX);
    snprintf(self->who.caller, sizeof self->who.caller, "gateway");
    int audit = 0;
    for (size_t i = 0; i < n && self->n_calls + 1 < S_CALLS_MAX; i++) {
        Ocop__Ping *ping = ocop_arena_alloc(self->arena, sizeof *ping);
        ocop__ping__init(ping);
        s_call(self, names[i], "ping", &ping->base, NULL);
        self->calls[self->n_calls - 1].timeout_ms = GW_PROBE_TIMEOUT_MS;
        audit |= strcmp(names[i], GW_AUDIT_SECTION) == 0;
    }
    self->n_pings = self->n_calls;
    if (self->probe == GW_PROBE_METRICS && audit) {
        Ocop__AudSourcesGet *body = ocop_arena_alloc(self->arena, sizeof *body);
        ocop__aud_sources_get__init(body);
        s_call(self, GW_AUDIT_SECTION, "aud_sources_get", &body->base, NULL);
        self->calls[self->n_calls - 1].timeout_ms = GW_PROBE_TIMEOUT_MS;
    }
    self->step = S_PROBED;
}

/* S_PROBED: the page from the pings' replies (and the audit service's sources). */
static int s_probed(gw_task_t *self, gw_response_t *out)
{
    const char *names[S_CALLS_MAX];
    Ocop__Reply *replies[S_CALLS_MAX];
    for (size_t i = 0; i < self->n_pings; i++) {
        names[i] = self->calls[i].call.section;
        replies[i] = self->calls[i].reply;
    }
    const Ocop__Reply *sources = self->n_calls > self->n_pings ? self->calls[self->n_pings].reply : NULL;
    const Ocop__AudSources *audit =
        sources && (int)sources->status == OCOP_OK && sources->body_case == OCOP__REPLY__BODY_AUD_SOURCES
            ? sources->aud_sources
            : NULL;
    gw_pages_probed(self->gw, self->probe, names, replies, self->n_pings, audit, out);
    return 1;
}

/* S_BEGIN: 1 when out is complete, 0 to go on at self->step. */
static int s_begin(gw_task_t *self, const gw_request_t *in, gw_response_t *out)
{
    gw_t *gw = self->gw;
    size_t nroutes;
    const ocop_api_route_t *routes = ocop_api_routes(&nroutes);
    self->probe = gw_pages_probe(in, out, nroutes);
    if (self->probe == GW_PROBE_ANSWERED)
        return 1;
    if (self->probe != GW_PROBE_NONE) {
        s_probe(self);
        return 0;
    }
    if (gw_pages_serve(gw, in, out, nroutes))
        return 1;
    ocop_api_params_t params;
    bool path_known;
    const ocop_api_route_t *route = ocop_api_match(in->method, in->path, &params, &path_known);
    if (!route) {
        out->slot = nroutes + GW_SLOT_UNMATCHED;
        if (!path_known) {
            gw_error(out, 404, "NOT_FOUND", "", "no route %.200s (see /openapi.json)", in->path);
            return 1;
        }
        ocop_api_params_t scratch;
        bool known;
        for (size_t i = 0; i < nroutes; i++) {
            if (ocop_api_match(routes[i].method, in->path, &scratch, &known) != &routes[i])
                continue;
            size_t used = strlen(out->allow);
            snprintf(out->allow + used, sizeof out->allow - used, "%s%s", used ? ", " : "", routes[i].method);
        }
        gw_error(out, 405, "METHOD_NOT_ALLOWED", "", "%s is not allowed on %.200s (allowed: %s)", in->method, in->path,
                 out->allow);
        return 1;
    }
    self->route = route;
    out->slot = (size_t)(route - routes);
    if (s_authenticate(gw, in, &self->who, out) != 0 || gw_access_role(&self->who, route, out) != 0)
        return 1;
    const ProtobufCFieldDescriptor *f =
        protobuf_c_message_descriptor_get_field_by_name(&ocop__request__descriptor, route->request);
    cJSON *json = s_request_json(in, route, &params, f->descriptor, out);
    if (!json)
        return 1;
    ocop_json_error_t err;
    self->msg = ocop_json_to_message(f->descriptor, json, ocop_arena_allocator(self->arena), &err);
    cJSON_Delete(json);
    if (!self->msg) {
        gw_error(out, 400, "INVALID", err.field, "%s", err.message);
        return 1;
    }
    s_request_id(&self->who, in->idempotency_key, self->request_id, sizeof self->request_id);
    gw_lookup_t lookup;
    int rc = gw_access_scope_begin(gw, &self->who, route, self->msg, self->arena, &lookup, out);
    if (rc < 0)
        return 1;
    if (rc == 1) {
        s_call(self, lookup.section, lookup.body_name, lookup.msg, NULL);
        self->step = S_SCOPED;
    } else {
        self->step = S_ROUTE;
    }
    return 0;
}

/* S_ROUTE: the call to the service, or the lookups it needs first. */
static int s_route(gw_task_t *self, gw_response_t *out)
{
    const ocop_api_route_t *route = self->route;
    char section[OCOP_NAME_MAX];
    if (route->shard == OCOP_SHARD_MERGE) {
        const char *province = gw_field_string(self->msg, route->shard_field);
        if (!province || !*province) {
            char shards[S_SHARDS_MAX][OCOP_NAME_MAX];
            size_t n = ocop_config_shards(self->gw->config, "evaluation", shards, S_SHARDS_MAX);
            if (n == 0) {
                gw_error(out, 503, "UNAVAILABLE", "", "no evaluation shard is configured");
                return 1;
            }
            for (size_t i = 0; i < n; i++)
                s_call(self, shards[i], route->request, self->msg, NULL);
            self->step = S_MERGED;
            return 0;
        }
    }
    if (route->shard == OCOP_SHARD_PRODUCT && self->placed) {
        if (s_section(self, self->province, section, sizeof section, out) != 0)
            return 1;
        s_call(self, section, route->request, self->msg, self->request_id);
        self->step = S_ANSWERED;
        return 0;
    }
    if (route->shard == OCOP_SHARD_PRODUCT) {
        gw_lookup_t lookup;
        gw_product_lookup(gw_field_string(self->msg, route->shard_field), self->arena, &lookup);
        s_call(self, lookup.section, lookup.body_name, lookup.msg, NULL);
        self->step = S_PLACED;
        return 0;
    }
    if (s_section(self, NULL, section, sizeof section, out) != 0)
        return 1;
    s_call(self, section, route->request, self->msg, self->request_id);
    self->step = S_ANSWERED;
    return 0;
}

/* A shard answered WRONG_SHARD naming the shard that holds the target now (its province or
 * record moved there after the config was written): the same call again, to that shard, when it
 * is one of the config's. 1 when the call was queued again. */
static int s_redirected(gw_task_t *self)
{
    if (self->n_calls != 1 || self->redirects >= S_REDIRECTS_MAX)
        return 0;
    const s_call_t *c = &self->calls[0];
    const Ocop__Reply *r = c->reply;
    if (!r || (int)r->status != OCOP_E_WRONG_SHARD || !r->redirect || !*r->redirect ||
        strcmp(r->redirect, c->call.section) == 0)
        return 0;
    char shards[S_SHARDS_MAX][OCOP_NAME_MAX], section[OCOP_NAME_MAX];
    size_t n = ocop_config_shards(self->gw->config, "evaluation", shards, S_SHARDS_MAX);
    size_t i = 0;
    while (i < n && strcmp(shards[i], r->redirect) != 0)
        i++;
    if (i == n)
        return 0;
    snprintf(section, sizeof section, "%s", shards[i]);
    if (self->routed_province[0] && self->step == S_ANSWERED)
        gw_shardmap_learn(self->gw->shardmap, self->routed_province, section);
    const char *body_name = c->call.body_name, *request_id = c->request_id;
    ProtobufCMessage *msg = c->call.msg;
    unsigned timeout_ms = c->timeout_ms;
    s_calls_clear(self);
    s_call(self, section, body_name, msg, request_id);
    self->calls[0].timeout_ms = timeout_ms;
    self->redirects++;
    return 1;
}

int gw_task_step(gw_task_t *self, const gw_request_t *in, gw_response_t *out)
{
    char province[8], section[OCOP_NAME_MAX];
    if (self->step != S_BEGIN && self->step != S_MERGED && self->step != S_PROBED && s_redirected(self))
        return 0;
    for (;;) {
        int done = 0;
        switch (self->step) {
        case S_BEGIN:
            done = s_begin(self, in, out);
            break;
        case S_SCOPED:
            done = gw_access_scope_end(&self->who, self->route, &self->calls[0].call, self->calls[0].reply,
                                       self->gw->gc.timeout_ms, out) != 0;
            /* A write placed by the product its scope was judged on: the same reply places it. */
            if (!done && self->route->scope == OCOP_SCOPE_PRODUCT && self->route->shard == OCOP_SHARD_PRODUCT &&
                strcmp(self->route->scope_field, self->route->shard_field) == 0) {
                gw_response_t unused = {0}; /* when it cannot place it, S_ROUTE looks it up as usual */
                self->placed = gw_product_province(self->calls[0].reply, "", self->route->shard_field, 0,
                                                   self->province, sizeof self->province, &unused) == 0;
                free(unused.body);
            }
            s_calls_clear(self);
            self->step = S_ROUTE;
            break;
        case S_ROUTE:
            done = s_route(self, out);
            break;
        case S_PLACED:
            done = gw_product_province(self->calls[0].reply, gw_field_string(self->msg, self->route->shard_field),
                                       self->route->shard_field, self->gw->gc.timeout_ms, province, sizeof province,
                                       out) != 0 ||
                   s_section(self, province, section, sizeof section, out) != 0;
            s_calls_clear(self);
            if (!done) {
                s_call(self, section, self->route->request, self->msg, self->request_id);
                self->step = S_ANSWERED;
            }
            break;
        case S_ANSWERED:
            done = s_answer(self, self->calls[0].reply, self->calls[0].call.section, out);
            break;
        case S_MERGED:
            done = s_merged(self, out);
            break;
        case S_PROBED:
            done = s_probed(self, out);
            break;
        }
        if (done)
            return 1;
        if (self->n_calls)
            return 0; /* wait for them */
    }
}
