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

/* The storage of the field at path ("a.b": field b of message field a) in msg, with its
 * descriptor in *fd; NULL when a field does not exist or a message on the way is absent. */
static const void *s_field_at(const ProtobufCMessage *msg, const char *path, const ProtobufCFieldDescriptor **fd)
{
    char name[64];
    for (;;) {
        const char *dot = strchr(path, '.');
        size_t n = dot ? (size_t)(dot - path) : strlen(path);
        if (n >= sizeof name)
            return NULL;
        memcpy(name, path, n);
        name[n] = '\0';
        const ProtobufCFieldDescriptor *f = protobuf_c_message_descriptor_get_field_by_name(msg->descriptor, name);
        if (!f || f->label == PROTOBUF_C_LABEL_REPEATED)
            return NULL;
        const void *at = (const char *)msg + f->offset;
        if (!dot) {
            *fd = f;
            return at;
        }
        if (f->type != PROTOBUF_C_TYPE_MESSAGE || !(msg = *(const ProtobufCMessage *const *)at))
            return NULL;
        path = dot + 1;
    }
}

/* The string at path in msg; "" when the rule names no such part or msg does not hold it. */
static const char *s_string_at(const ProtobufCMessage *msg, const char *path)
{
    const ProtobufCFieldDescriptor *f;
    const void *at = path ? s_field_at(msg, path, &f) : NULL;
    if (!at || f->type != PROTOBUF_C_TYPE_STRING)
        return "";
    const char *value = *(const char *const *)at;
    return value ? value : "";
}

/* The lookup of spec for key (the value of the write's field), with the field it carries from
 * write (may be NULL). 0, or -1 with out filled when key names no shard. */
static int s_lookup_make(gw_t *gw, const ocop_scope_lookup_t *spec, const char *field, const char *key,
                         const ProtobufCMessage *write, ocop_arena_t *arena, gw_lookup_t *l, gw_response_t *out)
{
    if (spec->service == OCOP_API_EVALUATION) {
        if (gw_shard_of_id(gw, key, field, l->section, sizeof l->section, out) != 0)
            return -1;
    } else {
        snprintf(l->section, sizeof l->section, "%s", ocop_api_service_name(spec->service));
    }
    const ProtobufCMessageDescriptor *desc =
        protobuf_c_message_descriptor_get_field_by_name(&ocop__request__descriptor, spec->lookup)->descriptor;
    l->body_name = spec->lookup;
    l->msg = ocop_arena_alloc(arena, desc->sizeof_message);
    protobuf_c_message_init(desc, l->msg);
    s_set_field_string(l->msg, spec->key_field, ocop_arena_strdup(arena, key));
    const char *carried = spec->carry_from && write ? gw_field_string(write, spec->carry_from) : NULL;
    if (carried)
        s_set_field_string(l->msg, spec->carry_to, ocop_arena_strdup(arena, carried));
    return 0;
}

void gw_product_lookup(const char *product_id, ocop_arena_t *arena, gw_lookup_t *lookup)
{
    s_lookup_make(NULL, ocop_scope_lookup(OCOP_SCOPE_PRODUCT), "", product_id, NULL, arena, lookup, NULL);
}

int gw_product_province(const Ocop__Reply *reply, const char *product_id, const char *field, unsigned timeout_ms,
                        char *province, size_t len, gw_response_t *out)
{
    const ocop_scope_lookup_t *spec = ocop_scope_lookup(OCOP_SCOPE_PRODUCT);
    const char *service = ocop_api_service_name(spec->service);
    const ProtobufCMessage *body = s_body(reply, service, timeout_ms, out);
    const char *found = body ? s_string_at(body, spec->province) : NULL;
    if (found && *found)
        return s_copy(province, len, found) == 0 ? 0 : s_too_long(service, out);
    if (body || (reply && (int)reply->status == OCOP_E_NOT_FOUND))
        gw_error(out, 404, "NOT_FOUND", field, "product %.64s does not exist", product_id);
    return -1;
}

/* The target as the lookup's reply body describes it. 0, or -1 when a part does not fit. */
static int s_target_from(const ocop_scope_lookup_t *spec, const ProtobufCMessage *body, gw_target_t *t)
{
    const ProtobufCFieldDescriptor *f;
    const void *level = spec->level ? s_field_at(body, spec->level, &f) : NULL;
    if (level && f->type == PROTOBUF_C_TYPE_ENUM)
        t->level = (Ocop__EvalLevel) * (const int *)level;
    return s_copy(t->province, sizeof t->province, s_string_at(body, spec->province)) |
           s_copy(t->commune, sizeof t->commune, s_string_at(body, spec->commune)) |
           s_copy(t->entity, sizeof t->entity, s_string_at(body, spec->entity)) |
           s_copy(t->council, sizeof t->council, s_string_at(body, spec->council));
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
    const ocop_scope_lookup_t *spec = ocop_scope_lookup(route->scope);
    if (spec)
        return s_lookup_make(gw, spec, route->scope_field, key, msg, arena, lookup, out) == 0 ? 1 : -1;
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
    if (s_target_from(ocop_scope_lookup(route->scope), body, &t) != 0)
        return s_too_long(lookup->section, out);
    return s_decide(who, route, &t, out);
}
