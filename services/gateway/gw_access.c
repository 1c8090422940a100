/* gw_access — roles and scopes. */
#include "gw_access.h"

#include <stdio.h>
#include <string.h>

#include "ocop_error.h"

/* Where a write's target is. */
typedef struct {
    char province[8];
    char commune[16];
    char entity[OCOP_USER_FIELD_MAX];
    char council[24];
    Ocop__EvalLevel level; /* of the council a council or session target belongs to */
} gw_target_t;

#define S_SCOPED_ROLES (OCOP_ROLE_PRODUCER | OCOP_ROLE_COMMUNE | OCOP_ROLE_PROVINCE | OCOP_ROLE_COUNCIL)

const char *gw_field_string(const ProtobufCMessage *msg, const char *name)
{
    const ProtobufCFieldDescriptor *f = protobuf_c_message_descriptor_get_field_by_name(msg->descriptor, name);
    if (!f || f->type != PROTOBUF_C_TYPE_STRING || f->label == PROTOBUF_C_LABEL_REPEATED)
        return NULL;
    return *(const char *const *)((const char *)msg + f->offset);
}

static void s_set_field_string(ProtobufCMessage *msg, const char *name, const char *value)
{
    const ProtobufCFieldDescriptor *f = protobuf_c_message_descriptor_get_field_by_name(msg->descriptor, name);
    if (f && f->type == PROTOBUF_C_TYPE_STRING && f->label != PROTOBUF_C_LABEL_REPEATED)
        *(const char **)((char *)msg + f->offset) = value;
}

int gw_access_role(const gw_identity_t *who, const ocop_api_route_t *route, gw_response_t *out)
{
    if (route->roles & who->user.role)
        return 0;
    if (who->user.role == OCOP_ROLE_PUBLIC) {
        gw_error(out, 401, "UNAUTHENTICATED", "", "%s %s needs an API token (Authorization: Bearer ...)", route->method,
                 route->path);
        return -1;
    }
    gw_error(out, 403, "FORBIDDEN", "", "a %s may not %s %s", ocop_role_name(who->user.role), route->method,
             route->path);
    return -1;
}

/* A target's part into its buffer whole, or -1: a part that does not fit is never cut to fit
 * (cut, it could match a scope it is not). */
static int s_copy(char *dst, size_t len, const char *src)
{
    return snprintf(dst, len, "%s", src ? src : "") < (int)len ? 0 : -1;
}

/* A service's reply named a target part longer than the gateway holds: refused, not judged. */
static int s_too_long(const char *section, gw_response_t *out)
{
    gw_error(out, 500, "INTERNAL", "", "the %s service's reply names a target longer than the gateway holds", section);
    return -1;
}

/* The reply's body, or NULL with out filled (503 for no reply, the service's error). */
static const ProtobufCMessage *s_body(const Ocop__Reply *reply, const char *section, unsigned timeout_ms,
                                      gw_response_t *out)
{
    if (!reply) {
        gw_error(out, 503, "UNAVAILABLE", "", "the %s service did not answer within %u ms; retry later", section,
                 timeout_ms);
        return NULL;
    }
    if ((int)reply->status != OCOP_OK) {
        gw_error_from_reply(out, reply);
        return NULL;
    }
    return gw_reply_body(reply);
}

/* A lookup of body_name (a message of desc with a string field "id" or "code" = key). */
static void s_lookup(gw_lookup_t *l, const char *section, const char *body_name, const ProtobufCMessageDescriptor *desc,
                     const char *field, const char *key, ocop_arena_t *arena)
{
    snprintf(l->section, sizeof l->section, "%s", section);
    l->body_name = body_name;
    l->msg = ocop_arena_alloc(arena, desc->sizeof_message);
    protobuf_c_message_init(desc, l->msg);
    const ProtobufCFieldDescriptor *f = protobuf_c_message_descriptor_get_field_by_name(desc, field);
    *(const char **)((char *)l->msg + f->offset) = ocop_arena_strdup(arena, key);
}

void gw_product_lookup(const char *product_id, ocop_arena_t *arena, gw_lookup_t *lookup)
{
    s_lookup(lookup, "registration", "reg_product_get", &ocop__reg_product_get__descriptor, "id", product_id, arena);
}

int gw_product_province(const Ocop__Reply *reply, const char *product_id, const char *field, unsigned timeout_ms,
                        char *province, size_t len, gw_response_t *out)
{
    const Ocop__RegProductDetail *d = (const Ocop__RegProductDetail *)s_body(reply, "registration", timeout_ms, out);
    if (d && d->product)
        return s_copy(province, len, d->product->current_province_code) == 0 ? 0 : s_too_long("registration", out);
    if (d || (reply && (int)reply->status == OCOP_E_NOT_FOUND))
        gw_error(out, 404, "NOT_FOUND", field, "product %.64s does not exist", product_id);
    return -1;
}

/* The lookup that finds rule's target from key (a commune in msg's unit_version); 0 when the
 * key itself is the target (a province), -1 with out filled when it cannot be placed. */
static int s_target_lookup(gw_t *gw, ocop_scope_rule_t rule, const char *field, const char *key,
                           const ProtobufCMessage *msg, ocop_arena_t *arena, gw_lookup_t *l, gw_response_t *out)
{
    char shard[OCOP_NAME_MAX];
    switch (rule) {
    case OCOP_SCOPE_NONE:
    case OCOP_SCOPE_PROVINCE:
        return 0;
    case OCOP_SCOPE_COMMUNE: {
        s_lookup(l, "registration", "reg_unit_get", &ocop__reg_unit_get__descriptor, "code", key, arena);
        const char *version = gw_field_string(msg, "unit_version");
        if (version)
            ((Ocop__RegUnitGet *)l->msg)->version = ocop_arena_strdup(arena, version);
        return 1;
    }
    case OCOP_SCOPE_ENTITY:
        s_lookup(l, "registration", "reg_entity_get", &ocop__reg_entity_get__descriptor, "id", key, arena);
        return 1;
    case OCOP_SCOPE_PRODUCT:
        gw_product_lookup(key, arena, l);
        return 1;
    case OCOP_SCOPE_FAIR:
        s_lookup(l, "promotion", "pro_fair_get", &ocop__pro_fair_get__descriptor, "id", key, arena);
        return 1;
    case OCOP_SCOPE_COUNCIL:
    case OCOP_SCOPE_SESSION:
    case OCOP_SCOPE_CERTIFICATE:
        if (gw_shard_of_id(gw, key, field, shard, sizeof shard, out) != 0)
            return -1;
        if (rule == OCOP_SCOPE_COUNCIL)
            s_lookup(l, shard, "eval_council_get", &ocop__eval_council_get__descriptor, "id", key, arena);
        else if (rule == OCOP_SCOPE_SESSION)
            s_lookup(l, shard, "eval_session_get", &ocop__eval_session_get__descriptor, "id", key, arena);
        else
            s_lookup(l, shard, "eval_certificate_get", &ocop__eval_certificate_get__descriptor, "id", key, arena);
        return 1;
    }
    return -1;
}

/* The target as the lookup's reply body describes it. 0, or -1 when a part does not fit. */
static int s_target_from(ocop_scope_rule_t rule, const ProtobufCMessage *body, gw_target_t *t)
{
    switch (rule) {
    case OCOP_SCOPE_COMMUNE: {
        const Ocop__RegUnit *u = (const Ocop__RegUnit *)body;
        return s_copy(t->commune, sizeof t->commune, u->code) |
               s_copy(t->province, sizeof t->province, u->province_code);
    }
    case OCOP_SCOPE_ENTITY: {
        const Ocop__RegEntity *e = (const Ocop__RegEntity *)body;
        return s_copy(t->entity, sizeof t->entity, e->id) | s_copy(t->commune, sizeof t->commune, e->commune_code) |
               s_copy(t->province, sizeof t->province, e->current_province_code);
    }
    case OCOP_SCOPE_PRODUCT: {
        const Ocop__RegProductDetail *d = (const Ocop__RegProductDetail *)body;
        if (!d->product)
            return 0;
        return s_copy(t->entity, sizeof t->entity, d->product->entity_id) |
               s_copy(t->commune, sizeof t->commune, d->product->commune_code) |
               s_copy(t->province, sizeof t->province, d->product->current_province_code);
    }
    case OCOP_SCOPE_COUNCIL: {
        const Ocop__EvalCouncil *c = (const Ocop__EvalCouncil *)body;
        t->level = c->level;
        return s_copy(t->council, sizeof t->council, c->id) | s_copy(t->province, sizeof t->province, c->province_code);
    }
    case OCOP_SCOPE_SESSION: {
        const Ocop__EvalSession *ses = (const Ocop__EvalSession *)body;
        t->level = ses->level;
        return s_copy(t->council, sizeof t->council, ses->council_id) |
               s_copy(t->province, sizeof t->province, ses->province_code);
    }
    case OCOP_SCOPE_CERTIFICATE: {
        const Ocop__EvalCertificate *c = (const Ocop__EvalCertificate *)body;
        return s_copy(t->entity, sizeof t->entity, c->entity_id) |
               s_copy(t->province, sizeof t->province, c->province_code);
    }
    case OCOP_SCOPE_FAIR:
        return s_copy(t->province, sizeof t->province, ((const Ocop__ProFair *)body)->province_code);
    default:
        return 0;
    }
}

static int s_in_scope(const ocop_user_t *u, const gw_target_t *t)
{
    switch (u->role) {
    case OCOP_ROLE_PRODUCER:
        return t->entity[0] && strcmp(t->entity, u->entity) == 0;
    case OCOP_ROLE_COMMUNE:
        return t->commune[0] && strcmp(t->commune, u->commune) == 0;
    case OCOP_ROLE_PROVINCE:
        return t->province[0] && strcmp(t->province, u->province) == 0;
    case OCOP_ROLE_COUNCIL:
        for (size_t i = 0; t->council[0] && i < u->council_count; i++)
            if (strcmp(t->council, u->councils[i]) == 0)
                return 1;
        return 0;
    default:
        return 1; /* central officer, auditor: national */
    }
}

static int s_decide(const gw_identity_t *who, const ocop_api_route_t *route, const gw_target_t *t, gw_response_t *out)
{
    const ocop_user_t *u = &who->user;
    /* The central council is the ministry's (it confers 5 stars): its province routes it to a
     * shard, it does not put it in that province's officers' hands. */
    if (t->level == OCOP__EVAL_LEVEL__EVAL_LEVEL_CENTRAL && (u->role & (OCOP_ROLE_COMMUNE | OCOP_ROLE_PROVINCE))) {
        gw_error(out, 403, "FORBIDDEN", route->scope_field ? route->scope_field : "",
                 "%s %.48s may not act on the central council: only a central_officer does", ocop_role_name(u->role),
                 u->name);
        return -1;
    }
    if (s_in_scope(u, t))
        return 0;
    const char *mine = u->role == OCOP_ROLE_PRODUCER   ? u->entity
                       : u->role == OCOP_ROLE_COMMUNE  ? u->commune
                       : u->role == OCOP_ROLE_PROVINCE ? u->province
                                                       : u->member;
    gw_error(out, 403, "FORBIDDEN", route->scope_field ? route->scope_field : "",
             "%s %.48s (%s %s) may not write here: the target is outside that scope", ocop_role_name(u->role), u->name,
             u->role == OCOP_ROLE_COUNCIL ? "member" : "of", mine);
    return -1;
}

/* A revocation is the act of the authority the policy names for the certificate's stars (26/2026
 * Art. 8.2): the gateway states the caller's level, the shard checks it against the stars. */
static int s_revoking_level(const ocop_user_t *u, const ocop_api_route_t *route, ProtobufCMessage *msg,
                            gw_response_t *out)
{
    if (strcmp(route->request, "eval_certificate_revoke") != 0)
        return 0;
    Ocop__EvalCertificateRevoke *rv = (Ocop__EvalCertificateRevoke *)msg;
    Ocop__EvalLevel mine = u->role == OCOP_ROLE_CENTRAL    ? OCOP__EVAL_LEVEL__EVAL_LEVEL_CENTRAL
                           : u->role == OCOP_ROLE_PROVINCE ? OCOP__EVAL_LEVEL__EVAL_LEVEL_PROVINCE
                                                           : OCOP__EVAL_LEVEL__EVAL_LEVEL_UNSPECIFIED;
    if (rv->by_level == OCOP__EVAL_LEVEL__EVAL_LEVEL_UNSPECIFIED)
        rv->by_level = mine;
    else if (rv->by_level != mine) {
        gw_error(out, 403, "FORBIDDEN", "by_level", "a %s revokes as the %s level", ocop_role_name(u->role),
                 mine == OCOP__EVAL_LEVEL__EVAL_LEVEL_CENTRAL ? "central" : "province");
        return -1;
    }
    return 0;
}

int gw_access_scope_begin(gw_t *gw, const gw_identity_t *who, const ocop_api_route_t *route, ProtobufCMessage *msg,
                          ocop_arena_t *arena, gw_lookup_t *lookup, gw_response_t *out)
{
    const ocop_user_t *u = &who->user;
    if (s_revoking_level(u, route, msg, out) != 0)
        return -1;
    if (!(u->role & S_SCOPED_ROLES) || strcmp(route->method, "GET") == 0)
        return 0;
    /* Scores are a member's own: a council member submits and declares only as themselves. */
    if (u->role == OCOP_ROLE_COUNCIL) {
        const char *member = gw_field_string(msg, "member_id");
        if (member && !*member)
            s_set_field_string(msg, "member_id", ocop_arena_strdup(arena, u->member));
        else if (member && strcmp(member, u->member) != 0) {
            gw_error(out, 403, "FORBIDDEN", "member_id", "council member %s may not act as member %.48s", u->member,
                     member);
            return -1;
        }
    }
    /* Only the central officer creates the central council (it confers 5 stars) or declares the
     * ministry's rounds (26/2026 Art. 5.2). */
    if (strcmp(route->request, "eval_council_create") == 0 &&
        ((const Ocop__EvalCouncilCreate *)msg)->level == OCOP__EVAL_LEVEL__EVAL_LEVEL_CENTRAL) {
        gw_error(out, 403, "FORBIDDEN", "level", "only a central_officer creates a central council");
        return -1;
    }
    if (strcmp(route->request, "eval_round_open") == 0 &&
        ((const Ocop__EvalRoundOpen *)msg)->level == OCOP__EVAL_LEVEL__EVAL_LEVEL_CENTRAL) {
        gw_error(out, 403, "FORBIDDEN", "level", "only a central_officer declares the ministry's rounds");
        return -1;
    }
    const char *key = route->scope_field ? gw_field_string(msg, route->scope_field) : NULL;
    if (route->scope != OCOP_SCOPE_NONE && (!key || !*key)) {
        gw_error(out, 400, "INVALID", route->scope_field, "%s is required", route->scope_field);
        return -1;
    }
    int rc = s_target_lookup(gw, route->scope, route->scope_field, key, msg, arena, lookup, out);
    if (rc != 0)
        return rc;
    gw_target_t t;
    memset(&t, 0, sizeof t);
    if (route->scope == OCOP_SCOPE_PROVINCE && s_copy(t.province, sizeof t.province, key) != 0) {
        gw_error(out, 400, "INVALID", route->scope_field,
                 "%s '%.16s...' is not a province code (at most %zu characters)", route->scope_field, key,
                 sizeof t.province - 1);
        return -1;
    }
    return s_decide(who, route, &t, out);
}

int gw_access_scope_end(const gw_identity_t *who, const ocop_api_route_t *route, const gw_lookup_t *lookup,
                        const Ocop__Reply *reply, unsigned timeout_ms, gw_response_t *out)
{
    const ProtobufCMessage *body = s_body(reply, lookup->section, timeout_ms, out);
    if (!body)
        return -1;
    gw_target_t t;
    memset(&t, 0, sizeof t);
    if (s_target_from(route->scope, body, &t) != 0)
        return s_too_long(lookup->section, out);
    return s_decide(who, route, &t, out);
}
