/* gw_openapi — OpenAPI 3.0 from the route table and the descriptors. */
#include "gw_openapi.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "envelope.pb-c.h"
#include "ocop_api.h"
#include "ocop_json.h"

static const char *s_schema_name(const ProtobufCMessageDescriptor *desc)
{
    return desc->short_name;
}

static cJSON *s_ref(const char *name)
{
    char ref[160];
    snprintf(ref, sizeof ref, "#/components/schemas/%s", name);
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "$ref", ref);
    return o;
}

static void s_add_message(cJSON *schemas, const ProtobufCMessageDescriptor *desc);

static cJSON *s_scalar(cJSON *schemas, const ProtobufCFieldDescriptor *f)
{
    cJSON *s = cJSON_CreateObject();
    switch (f->type) {
    case PROTOBUF_C_TYPE_INT32:
    case PROTOBUF_C_TYPE_SINT32:
    case PROTOBUF_C_TYPE_SFIXED32:
        cJSON_AddStringToObject(s, "type", "integer");
        cJSON_AddStringToObject(s, "format", "int32");
        break;
    case PROTOBUF_C_TYPE_UINT32:
    case PROTOBUF_C_TYPE_FIXED32:
        cJSON_AddStringToObject(s, "type", "integer");
        cJSON_AddStringToObject(s, "format", "int32");
        cJSON_AddNumberToObject(s, "minimum", 0);
        break;
    case PROTOBUF_C_TYPE_INT64:
    case PROTOBUF_C_TYPE_SINT64:
    case PROTOBUF_C_TYPE_SFIXED64:
        cJSON_AddStringToObject(s, "type", "integer");
        cJSON_AddStringToObject(s, "format", "int64");
        break;
    case PROTOBUF_C_TYPE_UINT64:
    case PROTOBUF_C_TYPE_FIXED64:
        cJSON_AddStringToObject(s, "type", "integer");
        cJSON_AddStringToObject(s, "format", "int64");
        cJSON_AddNumberToObject(s, "minimum", 0);
        break;
    case PROTOBUF_C_TYPE_FLOAT:
    case PROTOBUF_C_TYPE_DOUBLE:
        cJSON_AddStringToObject(s, "type", "number");
        break;
    case PROTOBUF_C_TYPE_BOOL:
        cJSON_AddStringToObject(s, "type", "boolean");
        break;
    case PROTOBUF_C_TYPE_STRING:
        cJSON_AddStringToObject(s, "type", "string");
        break;
    case PROTOBUF_C_TYPE_BYTES:
        cJSON_AddStringToObject(s, "type", "string");
        cJSON_AddStringToObject(s, "format", "byte");
        break;
    case PROTOBUF_C_TYPE_ENUM: {
        const ProtobufCEnumDescriptor *e = f->descriptor;
        cJSON_AddStringToObject(s, "type", "string");
        cJSON *values = cJSON_AddArrayToObject(s, "enum");
        char name[128];
        for (unsigned i = 0; i < e->n_values; i++)
            cJSON_AddItemToArray(values,
                                 cJSON_CreateString(ocop_json_enum_name(e, e->values[i].value, name, sizeof name)));
        break;
    }
    case PROTOBUF_C_TYPE_MESSAGE:
        cJSON_Delete(s);
        s_add_message(schemas, f->descriptor);
        return s_ref(s_schema_name(f->descriptor));
    }
    return s;
}

static cJSON *s_field_schema(cJSON *schemas, const ProtobufCFieldDescriptor *f)
{
    cJSON *item = s_scalar(schemas, f);
    if (f->label != PROTOBUF_C_LABEL_REPEATED)
        return item;
    cJSON *arr = cJSON_CreateObject();
    cJSON_AddStringToObject(arr, "type", "array");
    cJSON_AddItemToObject(arr, "items", item);
    return arr;
}

static void s_add_message(cJSON *schemas, const ProtobufCMessageDescriptor *desc)
{
    if (cJSON_GetObjectItemCaseSensitive(schemas, s_schema_name(desc)))
        return;
    cJSON *s = cJSON_AddObjectToObject(schemas, s_schema_name(desc));
    cJSON_AddStringToObject(s, "type", "object");
    cJSON_AddBoolToObject(s, "additionalProperties", 0);
    cJSON *props = cJSON_AddObjectToObject(s, "properties");
    for (unsigned i = 0; i < desc->n_fields; i++)
        cJSON_AddItemToObject(props, desc->fields[i].name, s_field_schema(schemas, &desc->fields[i]));
}

static const ProtobufCMessageDescriptor *s_body(const ProtobufCMessageDescriptor *envelope, const char *name)
{
    const ProtobufCFieldDescriptor *f = protobuf_c_message_descriptor_get_field_by_name(envelope, name);
    return f ? f->descriptor : NULL;
}

static int s_is_path_param(const char *path, const char *name)
{
    char braced[80];
    snprintf(braced, sizeof braced, "{%s}", name);
    return strstr(path, braced) != NULL;
}

static cJSON *s_parameters(cJSON *schemas, const ocop_api_route_t *r, const ProtobufCMessageDescriptor *req)
{
    cJSON *params = cJSON_CreateArray();
    int get = strcmp(r->method, "GET") == 0;
    for (unsigned i = 0; i < req->n_fields; i++) {
        const ProtobufCFieldDescriptor *f = &req->fields[i];
        int in_path = s_is_path_param(r->path, f->name);
        if (!in_path && !get)
            continue;
        cJSON *p = cJSON_CreateObject();
        cJSON_AddStringToObject(p, "name", f->name);
        cJSON_AddStringToObject(p, "in", in_path ? "path" : "query");
        cJSON_AddBoolToObject(p, "required", in_path);
        cJSON_AddItemToObject(p, "schema", s_field_schema(schemas, f));
        cJSON_AddItemToArray(params, p);
    }
    return params;
}

static void s_add_response(cJSON *responses, const char *status, const char *description, cJSON *schema)
{
    cJSON *r = cJSON_AddObjectToObject(responses, status);
    cJSON_AddStringToObject(r, "description", description);
    cJSON *content = cJSON_AddObjectToObject(r, "content");
    cJSON *json = cJSON_AddObjectToObject(content, "application/json");
    cJSON_AddItemToObject(json, "schema", schema);
}

static cJSON *s_operation(cJSON *schemas, const ocop_api_route_t *r)
{
    const ProtobufCMessageDescriptor *req = s_body(&ocop__request__descriptor, r->request);
    const ProtobufCMessageDescriptor *rep = s_body(&ocop__reply__descriptor, r->reply);
    cJSON *op = cJSON_CreateObject();
    cJSON_AddStringToObject(op, "operationId", r->request);
    cJSON_AddStringToObject(op, "summary", r->summary);
    cJSON *tags = cJSON_AddArrayToObject(op, "tags");
    cJSON_AddItemToArray(tags, cJSON_CreateString(ocop_api_service_name(r->service)));
    cJSON *params = s_parameters(schemas, r, req);
    if (cJSON_GetArraySize(params))
        cJSON_AddItemToObject(op, "parameters", params);
    else
        cJSON_Delete(params);
    s_add_message(schemas, req);
    s_add_message(schemas, rep);
    if (strcmp(r->method, "GET") != 0) {
        cJSON *body = cJSON_AddObjectToObject(op, "requestBody");
        cJSON_AddBoolToObject(body, "required", 1);
        cJSON *content = cJSON_AddObjectToObject(body, "content");
        cJSON *json = cJSON_AddObjectToObject(content, "application/json");
        cJSON_AddItemToObject(json, "schema", s_ref(s_schema_name(req)));
    }
    cJSON *responses = cJSON_AddObjectToObject(op, "responses");
    s_add_response(responses, r->creates ? "201" : "200", r->creates ? "Created" : "OK", s_ref(s_schema_name(rep)));
    static const char *const errors[][2] = {
        {"400", "Invalid or malformed input"}, {"401", "No or unknown API token"},
        {"403", "The role or scope may not"},  {"404", "Not found"},
        {"409", "Conflict or illegal state"},  {"503", "A service did not answer in time (Retry-After)"},
    };
    for (size_t i = 0; i < sizeof errors / sizeof errors[0]; i++)
        s_add_response(responses, errors[i][0], errors[i][1], s_ref("Error"));
    if (strcmp(r->method, "GET") != 0)
        s_add_response(responses, "422", "The Idempotency-Key was used with a different request", s_ref("Error"));
    cJSON *security = cJSON_AddArrayToObject(op, "security");
    if (r->roles & OCOP_ROLE_PUBLIC)
        cJSON_AddItemToArray(security, cJSON_CreateObject());
    cJSON *token = cJSON_CreateObject();
    cJSON_AddItemToObject(token, "token", cJSON_CreateArray());
    cJSON_AddItemToArray(security, token);
    cJSON *roles = cJSON_AddArrayToObject(op, "x-ocop-roles");
    for (unsigned b = 0; b < OCOP_ROLE_COUNT; b++)
        if (r->roles & (1u << b))
            cJSON_AddItemToArray(roles, cJSON_CreateString(ocop_role_name((ocop_role_t)(1u << b))));
    if (r->scope_field)
        cJSON_AddStringToObject(op, "x-ocop-scope", r->scope_field);
    return op;
}

static cJSON *s_error_schema(void)
{
    cJSON *s = cJSON_CreateObject();
    cJSON_AddStringToObject(s, "type", "object");
    cJSON *props = cJSON_AddObjectToObject(s, "properties");
    const char *names[] = {"code", "message", "field"};
    for (size_t i = 0; i < 3; i++) {
        cJSON *p = cJSON_AddObjectToObject(props, names[i]);
        cJSON_AddStringToObject(p, "type", "string");
    }
    cJSON *required = cJSON_AddArrayToObject(s, "required");
    for (size_t i = 0; i < 3; i++)
        cJSON_AddItemToArray(required, cJSON_CreateString(names[i]));
    return s;
}

char *gw_openapi_document(void)
{
    cJSON *doc = cJSON_CreateObject();
    cJSON_AddStringToObject(doc, "openapi", "3.0.3");
    cJSON *info = cJSON_AddObjectToObject(doc, "info");
    cJSON_AddStringToObject(info, "title", "OCOP — One Commune One Product");
    cJSON_AddStringToObject(info, "version", "1");
    cJSON_AddStringToObject(info, "description",
                            "Registration, evaluation, trade promotion and audit of Vietnam's OCOP programme. "
                            "Errors are {code, message, field}. Reads of published results need no token; "
                            "everything else takes 'Authorization: Bearer <token>'. Writes may carry an "
                            "Idempotency-Key header: a retry with the same key gets the first answer; the same key "
                            "with a different request is refused (422).");
    cJSON *paths = cJSON_AddObjectToObject(doc, "paths");
    cJSON *components = cJSON_AddObjectToObject(doc, "components");
    cJSON *schemes = cJSON_AddObjectToObject(components, "securitySchemes");
    cJSON *token = cJSON_AddObjectToObject(schemes, "token");
    cJSON_AddStringToObject(token, "type", "http");
    cJSON_AddStringToObject(token, "scheme", "bearer");
    cJSON *schemas = cJSON_AddObjectToObject(components, "schemas");
    cJSON_AddItemToObject(schemas, "Error", s_error_schema());
    size_t n;
    const ocop_api_route_t *routes = ocop_api_routes(&n);
    for (size_t i = 0; i < n; i++) {
        cJSON *item = cJSON_GetObjectItemCaseSensitive(paths, routes[i].path);
        if (!item)
            item = cJSON_AddObjectToObject(paths, routes[i].path);
        char method[8];
        size_t m = 0;
        for (; routes[i].method[m] && m + 1 < sizeof method; m++)
            method[m] = (char)(routes[i].method[m] | 0x20);
        method[m] = '\0';
        cJSON_AddItemToObject(item, method, s_operation(schemas, &routes[i]));
    }
    char *text = cJSON_Print(doc);
    cJSON_Delete(doc);
    return text;
}
