/* gw_access — who may do what: the route's roles, then, for a write by a scoped role
 * (producer, commune officer, province officer, council member), whether the request's target
 * lies in the user's scope. Targets are found as the route says (ocop_scope_rule_t): a province
 * in the body is enough; products, entities, communes, councils, sessions, certificates and
 * fairs are looked up in their services. A lookup is a request the caller sends (through the
 * pump) between gw_access_scope_begin and gw_access_scope_end. */
#ifndef GW_ACCESS_H
#define GW_ACCESS_H

#include "gw.h"
#include "ocop_api.h"
#include "ocop_arena.h"

/* A service request the gateway itself makes: where, which body, the body (in an arena). */
typedef struct {
    char section[OCOP_NAME_MAX];
    const char *body_name;
    ProtobufCMessage *msg;
} gw_lookup_t;

/* 0 when who may call route at all; otherwise -1 with out filled: 401 for the public (no or
 * unknown token), 403 for a user whose role may not. */
int gw_access_role(const gw_identity_t *who, const ocop_api_route_t *route, gw_response_t *out);

/* The scope check of msg (route's request body; a council member's empty member_id is set to
 * their own): 0 allowed, 1 allowed once *lookup's reply says the target is in scope (call
 * gw_access_scope_end with it), -1 refused (out filled). The lookup's body is in arena. */
int gw_access_scope_begin(gw_t *gw, const gw_identity_t *who, const ocop_api_route_t *route, ProtobufCMessage *msg,
                          ocop_arena_t *arena, gw_lookup_t *lookup, gw_response_t *out);
/* 0 when the reply to lookup (NULL: no answer) puts the target in who's scope, else -1 with out
 * filled. */
int gw_access_scope_end(const gw_identity_t *who, const ocop_api_route_t *route, const gw_lookup_t *lookup,
                        const Ocop__Reply *reply, unsigned timeout_ms, gw_response_t *out);

/* The lookup of a product in registration (its province picks the evaluation shard). */
void gw_product_lookup(const char *product_id, ocop_arena_t *arena, gw_lookup_t *lookup);
/* Today's province of the product in reply into province. 0, or -1 with out filled (404 naming
 * field, 503 for no reply). */
int gw_product_province(const Ocop__Reply *reply, const char *product_id, const char *field, unsigned timeout_ms,
                        char *province, size_t len, gw_response_t *out);

/* The string field name of msg, or NULL when msg has no such string field. */
const char *gw_field_string(const ProtobufCMessage *msg, const char *name);

#endif
