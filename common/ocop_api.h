/* ocop_api — the HTTP API as data: every route of the gateway, the service request it becomes,
 * where that request goes and who may send it.
 *
 * The gateway serves this table, ocopctl finds in it the route of the request it wants to make,
 * the OpenAPI document and docs/access.md are written from it. A route's path parameters are
 * named after fields of its request body ("/v1/products/{id}" fills RegProductGet.id); the other
 * fields come from the query string (GET) or the JSON body (POST, PATCH).
 *
 * Access: a route lists the roles that may call it. Reads of published results are open to
 * everyone (the public role, no token). Other reads need any token. A write by a scoped role
 * (producer, commune officer, province officer, council member) is allowed only when the
 * request's target lies in the user's scope; the route says how to find the target (a province
 * code in the body, a product id to look up, ...). */
#ifndef OCOP_API_H
#define OCOP_API_H

#include <stdbool.h>
#include <stddef.h>

typedef enum {
    OCOP_ROLE_PUBLIC = 1u << 0,
    OCOP_ROLE_PRODUCER = 1u << 1,
    OCOP_ROLE_COMMUNE = 1u << 2,
    OCOP_ROLE_PROVINCE = 1u << 3,
    OCOP_ROLE_COUNCIL = 1u << 4,
    OCOP_ROLE_CENTRAL = 1u << 5,
    OCOP_ROLE_AUDITOR = 1u << 6,
} ocop_role_t;

#define OCOP_ROLE_COUNT 7
#define OCOP_ROLES_ANY_USER                                                                                            \
    (OCOP_ROLE_PRODUCER | OCOP_ROLE_COMMUNE | OCOP_ROLE_PROVINCE | OCOP_ROLE_COUNCIL | OCOP_ROLE_CENTRAL |             \
     OCOP_ROLE_AUDITOR)
#define OCOP_ROLES_EVERYONE (OCOP_ROLE_PUBLIC | OCOP_ROLES_ANY_USER)

typedef enum {
    OCOP_API_REGISTRATION,
    OCOP_API_EVALUATION,
    OCOP_API_AUDIT,
    OCOP_API_PROMOTION,
} ocop_api_service_t;

/* Which evaluation shard serves a request. */
typedef enum {
    OCOP_SHARD_NONE,     /* not sharded */
    OCOP_SHARD_PROVINCE, /* shard_field is a province code: its owner */
    OCOP_SHARD_ID,       /* shard_field is an id "<prefix><shard>-<n>" made by a shard */
    OCOP_SHARD_PRODUCT,  /* shard_field is a product id: the owner of its province (registration) */
    OCOP_SHARD_MERGE,    /* shard_field (a province) picks the owner; empty: every shard, merged */
} ocop_shard_rule_t;

/* Where a write's target is, for the scope of the user. */
typedef enum {
    OCOP_SCOPE_NONE,        /* no target: only unscoped roles (central, auditor) may write */
    OCOP_SCOPE_PROVINCE,    /* scope_field is a province code */
    OCOP_SCOPE_COMMUNE,     /* scope_field is a commune code (its province from registration) */
    OCOP_SCOPE_ENTITY,      /* scope_field is an entity id */
    OCOP_SCOPE_PRODUCT,     /* scope_field is a product id */
    OCOP_SCOPE_COUNCIL,     /* scope_field is a council id */
    OCOP_SCOPE_SESSION,     /* scope_field is a session id (its council) */
    OCOP_SCOPE_CERTIFICATE, /* scope_field is a certificate id */
    OCOP_SCOPE_FAIR,        /* scope_field is a fair id */
} ocop_scope_rule_t;

/* How a scope rule's target is found: the gateway asks lookup (a Request body field) of service
 * (of evaluation: the shard the key's id names) with the write's key in key_field, and reads
 * each part of the target off the reply's body by a field path ("product.entity_id"; NULL: the
 * rule names no such part). A service adds a kind of target here, not in the gateway. */
typedef struct {
    ocop_scope_rule_t rule;
    ocop_api_service_t service;
    const char *lookup;
    const char *key_field;
    const char *carry_from; /* a string field of the write copied into the lookup (NULL: none), */
    const char *carry_to;   /* into this field */
    const char *province, *commune, *entity, *council;
    const char *level; /* an EvalLevel field: the central council is not a province's */
} ocop_scope_lookup_t;

typedef struct {
    const char *method;  /* "GET", "POST", "PATCH" */
    const char *path;    /* "/v1/products/{id}/transitions" */
    const char *request; /* the Request body field, e.g. "reg_stage_transition" */
    const char *reply;   /* the Reply body field of a success */
    ocop_api_service_t service;
    ocop_shard_rule_t shard;
    const char *shard_field;
    unsigned roles; /* ocop_role_t bits */
    ocop_scope_rule_t scope;
    const char *scope_field;
    bool creates;        /* 201 Created on success */
    const char *summary; /* one line for the OpenAPI document and docs */
} ocop_api_route_t;

/* The table, in documentation order. */
const ocop_api_route_t *ocop_api_routes(size_t *count);

/* The lookup that finds rule's target; NULL for OCOP_SCOPE_NONE and OCOP_SCOPE_PROVINCE (the
 * key is the target). */
const ocop_scope_lookup_t *ocop_scope_lookup(ocop_scope_rule_t rule);
/* Every lookup, for the checks that each names real fields. */
const ocop_scope_lookup_t *ocop_scope_lookups(size_t *count);

/* The route of a Request body field name; NULL when no route sends it. */
const ocop_api_route_t *ocop_api_route_for_request(const char *request);

#define OCOP_API_PARAMS_MAX 4
#define OCOP_API_PARAM_MAX 128
#define OCOP_NAME_LEN_MAX 32

typedef struct {
    size_t count;
    char name[OCOP_API_PARAMS_MAX][OCOP_NAME_LEN_MAX]; /* the request fields they fill */
    char value[OCOP_API_PARAMS_MAX][OCOP_API_PARAM_MAX];
} ocop_api_params_t;

/* Finds the route of method + path (no query string). Returns it with its path parameters, or
 * NULL; then *path_known says whether the path exists under another method (405, not 404). A
 * parameter longer than OCOP_API_PARAM_MAX - 1 bytes or empty does not match. */
const ocop_api_route_t *ocop_api_match(const char *method, const char *path, ocop_api_params_t *params,
                                       bool *path_known);

/* Writes route's path with its {parameters} replaced by value(name, user) (percent-encoded)
 * into out. 0, or -1 when out is too small or a value is missing. */
int ocop_api_path_fill(const ocop_api_route_t *route, const char *(*value)(const char *name, void *user), void *user,
                       char *out, size_t outlen);

/* The HTTP status for an ocop_status_t. */
int ocop_api_http_status(int status);

/* "public", "producer", "commune_officer", "province_officer", "council_member",
 * "central_officer", "auditor"; NULL for anything else. */
const char *ocop_role_name(ocop_role_t role);
/* The role of a name; 0 when unknown. */
ocop_role_t ocop_role_from_name(const char *name);

/* "registration", "evaluation", "audit", "promotion". */
const char *ocop_api_service_name(ocop_api_service_t service);

#endif
