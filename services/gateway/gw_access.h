/* gw_access — who may do what: the route's roles, then, for a write by a scoped role
 * (producer, commune officer, province officer, council member), whether the request's target
 * lies in the user's scope. Targets are found as the route says (ocop_scope_rule_t), looking up
 * products, entities, communes, councils, sessions, certificates and fairs in their services. */
#ifndef GW_ACCESS_H
#define GW_ACCESS_H

#include "gw.h"
#include "ocop_api.h"

typedef struct {
    char province[8];
    char commune[16];
    char entity[OCOP_USER_FIELD_MAX];
    char council[24];
} gw_target_t;

/* 0 when who may call route at all; otherwise -1 with out filled: 401 for the public (no or
 * unknown token), 403 for a user whose role may not. */
int gw_access_role(const gw_identity_t *who, const ocop_api_route_t *route, gw_response_t *out);

/* 0 when who may send msg (the request body of route) — a council member's empty member_id is
 * set to their own; otherwise -1 with out filled (403, or the error of a lookup). */
int gw_access_scope(gw_t *gw, const gw_identity_t *who, const ocop_api_route_t *route, ProtobufCMessage *msg,
                    gw_response_t *out);

/* Today's province of a product, from registration. 0, or -1 with out filled (404 naming field,
 * the request field that holds the id). */
int gw_product_province(gw_t *gw, const gw_identity_t *who, const char *product_id, const char *field, char *province,
                        size_t len, gw_response_t *out);

/* The string field name of msg, or NULL when msg has no such string field. */
const char *gw_field_string(const ProtobufCMessage *msg, const char *name);

#endif
