/* gw_access — roles and scopes. */
#include "gw_access.h"

#include <stdio.h>
#include <string.h>

#include "ocop_error.h"

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

static void s_copy(char *dst, size_t len, const char *src)
{
    snprintf(dst, len, "%s", src ? src : "");
}

/* One lookup: body_name with msg to section; the reply's body when it is of reply_case. */
static const ProtobufCMessage *s_lookup(gw_t *gw, const gw_identity_t *who, const char *section, const char *body_name,
                                        const ProtobufCMessage *msg, Ocop__Reply **reply, gw_response_t *out)
{
    if (gw_call(gw, who, section, body_name, msg, NULL, reply, out) != 0)
        return NULL;
    if ((int)(*reply)->status != OCOP_OK) {
        gw_error_from_reply(out, *reply);
        return NULL;
    }
    return gw_reply_body(*reply);
}

int gw_product_province(gw_t *gw, const gw_identity_t *who, const char *product_id, const char *field, char *province,
                        size_t len, gw_response_t *out)
{
    Ocop__RegProductGet get = OCOP__REG_PRODUCT_GET__INIT;
    get.id = (char *)product_id;
    Ocop__Reply *reply = NULL;
    const Ocop__RegProductDetail *d =
        (const Ocop__RegProductDetail *)s_lookup(gw, who, "registration", "reg_product_get", &get.base, &reply, out);
    int rc = d && d->product ? 0 : -1;
    if (rc == 0)
        s_copy(province, len, d->product->current_province_code);
    else if (d)
        gw_error(out, 404, "NOT_FOUND", field, "product %.64s does not exist", product_id);
    if (reply)
        ocop__reply__free_unpacked(reply, NULL);
    return rc;
}

/* The target of rule from key; msg is the request (a commune is looked up in its unit_version). */
static int s_resolve(gw_t *gw, const gw_identity_t *who, ocop_scope_rule_t rule, const char *key,
                     const ProtobufCMessage *msg, gw_target_t *t, gw_response_t *out)
{
    Ocop__Reply *reply = NULL;
    const ProtobufCMessage *body = NULL;
    char shard[OCOP_NAME_MAX];
    int rc = 0;
    switch (rule) {
    case OCOP_SCOPE_NONE:
        return 0;
    case OCOP_SCOPE_PROVINCE:
        s_copy(t->province, sizeof t->province, key);
        return 0;
    case OCOP_SCOPE_COMMUNE: {
        Ocop__RegUnitGet get = OCOP__REG_UNIT_GET__INIT;
        const char *version = gw_field_string(msg, "unit_version");
        get.code = (char *)key;
        if (version)
            get.version = (char *)version;
        const Ocop__RegUnit *u =
            (const Ocop__RegUnit *)(body = s_lookup(gw, who, "registration", "reg_unit_get", &get.base, &reply, out));
        if (u) {
            s_copy(t->commune, sizeof t->commune, u->code);
            s_copy(t->province, sizeof t->province, u->province_code);
        }
        break;
    }
    case OCOP_SCOPE_ENTITY: {
        Ocop__RegEntityGet get = OCOP__REG_ENTITY_GET__INIT;
        get.id = (char *)key;
        const Ocop__RegEntity *e = (const Ocop__RegEntity *)(body = s_lookup(gw, who, "registration", "reg_entity_get",
                                                                             &get.base, &reply, out));
        if (e) {
            s_copy(t->entity, sizeof t->entity, e->id);
            s_copy(t->commune, sizeof t->commune, e->commune_code);
            s_copy(t->province, sizeof t->province, e->current_province_code);
        }
        break;
    }
    case OCOP_SCOPE_PRODUCT: {
        Ocop__RegProductGet get = OCOP__REG_PRODUCT_GET__INIT;
        get.id = (char *)key;
        const Ocop__RegProductDetail *d =
            (const Ocop__RegProductDetail *)(body = s_lookup(gw, who, "registration", "reg_product_get", &get.base,
                                                             &reply, out));
        if (d && d->product) {
            s_copy(t->entity, sizeof t->entity, d->product->entity_id);
            s_copy(t->commune, sizeof t->commune, d->product->commune_code);
            s_copy(t->province, sizeof t->province, d->product->current_province_code);
        }
        break;
    }
    case OCOP_SCOPE_COUNCIL:
    case OCOP_SCOPE_SESSION:
    case OCOP_SCOPE_CERTIFICATE: {
        if (gw_shard_of_id(gw, key, shard, sizeof shard) != 0) {
            gw_error(out, 404, "NOT_FOUND", "", "%.64s is not an id any evaluation shard made", key);
            return -1;
        }
        Ocop__EvalCouncilGet council = OCOP__EVAL_COUNCIL_GET__INIT;
        Ocop__EvalSessionGet session = OCOP__EVAL_SESSION_GET__INIT;
        Ocop__EvalCertificateGet cert = OCOP__EVAL_CERTIFICATE_GET__INIT;
        council.id = session.id = cert.id = (char *)key;
        if (rule == OCOP_SCOPE_COUNCIL) {
            const Ocop__EvalCouncil *c = (const Ocop__EvalCouncil *)(body = s_lookup(gw, who, shard, "eval_council_get",
                                                                                     &council.base, &reply, out));
            if (c) {
                s_copy(t->council, sizeof t->council, c->id);
                s_copy(t->province, sizeof t->province, c->province_code);
            }
        } else if (rule == OCOP_SCOPE_SESSION) {
            const Ocop__EvalSession *s = (const Ocop__EvalSession *)(body = s_lookup(gw, who, shard, "eval_session_get",
                                                                                     &session.base, &reply, out));
            if (s) {
                s_copy(t->council, sizeof t->council, s->council_id);
                s_copy(t->province, sizeof t->province, s->province_code);
            }
        } else {
            const Ocop__EvalCertificate *c =
                (const Ocop__EvalCertificate *)(body = s_lookup(gw, who, shard, "eval_certificate_get", &cert.base,
                                                                &reply, out));
            if (c) {
                s_copy(t->entity, sizeof t->entity, c->entity_id);
                s_copy(t->province, sizeof t->province, c->province_code);
            }
        }
        break;
    }
    case OCOP_SCOPE_FAIR: {
        Ocop__ProFairGet get = OCOP__PRO_FAIR_GET__INIT;
        get.id = (char *)key;
        const Ocop__ProFair *f =
            (const Ocop__ProFair *)(body = s_lookup(gw, who, "promotion", "pro_fair_get", &get.base, &reply, out));
        if (f)
            s_copy(t->province, sizeof t->province, f->province_code);
        break;
    }
    }
    if (!body)
        rc = -1;
    if (reply)
        ocop__reply__free_unpacked(reply, NULL);
    return rc;
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

int gw_access_scope(gw_t *gw, const gw_identity_t *who, const ocop_api_route_t *route, ProtobufCMessage *msg,
                    gw_response_t *out)
{
    const ocop_user_t *u = &who->user;
    if (!(u->role & S_SCOPED_ROLES) || strcmp(route->method, "GET") == 0)
        return 0;
    /* Scores are a member's own: a council member submits and declares only as themselves. */
    if (u->role == OCOP_ROLE_COUNCIL) {
        const char *member = gw_field_string(msg, "member_id");
        if (member && !*member)
            s_set_field_string(msg, "member_id", u->member);
        else if (member && strcmp(member, u->member) != 0) {
            gw_error(out, 403, "FORBIDDEN", "member_id", "council member %s may not act as member %.48s", u->member,
                     member);
            return -1;
        }
    }
    /* Only the central officer creates the central council (it confers 5 stars). */
    if (strcmp(route->request, "eval_council_create") == 0 &&
        ((const Ocop__EvalCouncilCreate *)msg)->level == OCOP__EVAL_LEVEL__EVAL_LEVEL_CENTRAL) {
        gw_error(out, 403, "FORBIDDEN", "level", "only a central_officer creates a central council");
        return -1;
    }
    const char *key = route->scope_field ? gw_field_string(msg, route->scope_field) : NULL;
    if (route->scope != OCOP_SCOPE_NONE && (!key || !*key)) {
        gw_error(out, 400, "INVALID", route->scope_field, "%s is required", route->scope_field);
        return -1;
    }
    gw_target_t t;
    memset(&t, 0, sizeof t);
    if (s_resolve(gw, who, route->scope, key, msg, &t, out) != 0)
        return -1;
    if (s_in_scope(u, &t))
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
