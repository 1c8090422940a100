/* gw — the gateway's shared state and the request/response it passes between its layers:
 * gw_http (libmicrohttpd) reads a request, a gw_task answers it (gw_dispatch: authenticating,
 * authorising with gw_access, calling services through gw_pump without holding a thread while
 * they answer), gw_metrics counts it. */
#ifndef GW_H
#define GW_H

#include <cjson/cJSON.h>
#include <pthread.h>
#include <stddef.h>

#include "gw_metrics.h"
#include "gw_pump.h"
#include "gw_shardmap.h"
#include "ocop_arena.h"
#include "ocop_config.h"
#include "ocop_users.h"

typedef struct {
    const ocop_config_t *config;
    ocop_gateway_config_t gc;
    gw_pump_t *pump;
    int tasks_active; /* requests waiting for services (atomic): shutdown lets them finish */
    gw_metrics_t *metrics;
    gw_shardmap_t *shardmap;     /* provinces moved since the config was written, as redirects said */
    pthread_rwlock_t users_lock; /* guards users: the tokens file is reloaded while serving */
    ocop_users_t *users;
    char *openapi;      /* the OpenAPI document served at /openapi.json */
    char audit_key[80]; /* hex of the audit service's signing key (keys_dir/audit.sign.pub), "" if absent */
} gw_t;

typedef struct {
    const char *method;
    const char *path;            /* without the query string */
    const char *authorization;   /* the Authorization header, or NULL */
    const char *idempotency_key; /* the Idempotency-Key header, or NULL */
    const char *body;            /* NUL-terminated */
    size_t body_len;
    cJSON *query; /* the query arguments: an object of strings */
} gw_request_t;

typedef struct {
    int status;
    char *body;                /* malloc'd, the response's; JSON unless content_type says otherwise */
    size_t body_len;           /* 0: strlen(body) (text); set for files */
    const char *cache_control; /* a Cache-Control header, or NULL */
    const char *content_type;
    int retry_after; /* seconds; 0: no Retry-After header */
    char allow[64];  /* 405: the methods the path has */
    size_t slot;     /* gw_metrics slot */
} gw_response_t;

/* The authenticated caller of one request (public when no token came). */
typedef struct {
    ocop_user_t user;
    char caller[OCOP_USER_FIELD_MAX + 16]; /* "name" or "name@province", recorded by services */
} gw_identity_t;

/* One request being answered. Its steps run in the HTTP worker; between them it waits for
 * service replies without a thread: wake(arg) is called (in the pump's thread) when they came. */
typedef struct gw_task_t gw_task_t;
typedef void (*gw_task_wake_fn)(void *arg);

gw_task_t *gw_task_new(gw_t *gw, gw_task_wake_fn wake, void *arg);
void gw_task_destroy(gw_task_t **self_p);
/* Goes on answering in (the same request at every step) into out, which the caller keeps
 * between steps: 1 when out is complete; 0 when the task waits for services — the caller then
 * suspends the connection and calls gw_task_send, and steps again once woken. */
int gw_task_step(gw_task_t *self, const gw_request_t *in, gw_response_t *out);
void gw_task_send(gw_task_t *self);

/* Fills out with an error: JSON {code, message, field}. code is ocop_status_name without
 * "OCOP_E_", or a gateway code such as "UNAUTHENTICATED". */
void gw_error(gw_response_t *out, int http_status, const char *code, const char *field, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

/* The evaluation shard section that made id ("C2-7" -> "evaluation-2"; ocop_shard_id's
 * grammar, which the shards use too). 0, or -1 with out filled: 400 naming field when id is not
 * such an id, 404 when its shard is not configured. */
int gw_shard_of_id(const gw_t *gw, const char *id, const char *field, char *section, size_t len, gw_response_t *out);

/* The body message of a reply (NULL when none is set). */
const ProtobufCMessage *gw_reply_body(const Ocop__Reply *reply);

/* Fills out from a service's error reply: its code, message and field, with the HTTP status. */
void gw_error_from_reply(gw_response_t *out, const Ocop__Reply *reply);

#endif
