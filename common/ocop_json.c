/* ocop_json — see ocop_json.h. */
#include "ocop_json.h"
#include "ocop_json_private.h"

#include <ctype.h>
#include <inttypes.h>
#include <math.h>
#include <sodium.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* Length of the prefix every value name of the enum shares, cut after an underscore. */
static size_t s_enum_prefix(const ProtobufCEnumDescriptor *desc)
{
    if (desc->n_values < 2)
        return 0;
    const char *first = desc->values[0].name;
    size_t len = strlen(first);
    for (unsigned i = 1; i < desc->n_values; i++) {
        size_t j = 0;
        while (j < len && desc->values[i].name[j] == first[j])
            j++;
        len = j;
    }
    while (len > 0 && first[len - 1] != '_')
        len--;
    return len;
}

const char *ocop_json_enum_name(const ProtobufCEnumDescriptor *desc, int value, char *out, size_t outlen)
{
    const ProtobufCEnumValue *v = protobuf_c_enum_descriptor_get_value(desc, value);
    if (!v) {
        snprintf(out, outlen, "%d", value);
        return out;
    }
    const char *name = v->name + s_enum_prefix(desc);
    size_t i = 0;
    for (; name[i] && i + 1 < outlen; i++)
        out[i] = (char)tolower((unsigned char)name[i]);
    out[i] = '\0';
    return out;
}

/* ---------------------------------------------------------------- to JSON */

static cJSON *s_value_to_json(const ProtobufCFieldDescriptor *f, const void *p)
{
    char buf[128];
    switch (f->type) {
    case PROTOBUF_C_TYPE_INT32:
    case PROTOBUF_C_TYPE_SINT32:
    case PROTOBUF_C_TYPE_SFIXED32:
        return cJSON_CreateNumber(*(const int32_t *)p);
    case PROTOBUF_C_TYPE_UINT32:
    case PROTOBUF_C_TYPE_FIXED32:
        return cJSON_CreateNumber(*(const uint32_t *)p);
    /* Written as exact decimal text: cJSON's double printing keeps only 15 digits. */
    case PROTOBUF_C_TYPE_INT64:
    case PROTOBUF_C_TYPE_SINT64:
    case PROTOBUF_C_TYPE_SFIXED64:
        snprintf(buf, sizeof buf, "%" PRId64, *(const int64_t *)p);
        return cJSON_CreateRaw(buf);
    case PROTOBUF_C_TYPE_UINT64:
    case PROTOBUF_C_TYPE_FIXED64:
        snprintf(buf, sizeof buf, "%" PRIu64, *(const uint64_t *)p);
        return cJSON_CreateRaw(buf);
    case PROTOBUF_C_TYPE_FLOAT:
        return cJSON_CreateNumber(*(const float *)p);
    case PROTOBUF_C_TYPE_DOUBLE:
        return cJSON_CreateNumber(*(const double *)p);
    case PROTOBUF_C_TYPE_BOOL:
        return cJSON_CreateBool(*(const protobuf_c_boolean *)p);
    case PROTOBUF_C_TYPE_ENUM:
        return cJSON_CreateString(ocop_json_enum_name(f->descriptor, *(const int *)p, buf, sizeof buf));
    case PROTOBUF_C_TYPE_STRING: {
        const char *s = *(char *const *)p;
        return cJSON_CreateString(s ? s : "");
    }
    case PROTOBUF_C_TYPE_BYTES: {
        const ProtobufCBinaryData *b = p;
        size_t n = sodium_base64_encoded_len(b->len, sodium_base64_VARIANT_ORIGINAL);
        char *enc = malloc(n);
        if (!enc)
            return NULL;
        sodium_bin2base64(enc, n, b->data, b->len, sodium_base64_VARIANT_ORIGINAL);
        cJSON *out = cJSON_CreateString(enc);
        free(enc);
        return out;
    }
    case PROTOBUF_C_TYPE_MESSAGE: {
        const ProtobufCMessage *m = *(ProtobufCMessage *const *)p;
        return m ? ocop_json_from_message(m) : cJSON_CreateNull();
    }
    }
    return cJSON_CreateNull();
}

cJSON *ocop_json_from_message(const ProtobufCMessage *msg)
{
    const ProtobufCMessageDescriptor *desc = msg->descriptor;
    cJSON *obj = cJSON_CreateObject();
    if (!obj)
        return NULL;
    for (unsigned i = 0; i < desc->n_fields; i++) {
        const ProtobufCFieldDescriptor *f = &desc->fields[i];
        const void *p = ocop_json_field_ptr(msg, f);
        if (f->flags & PROTOBUF_C_FIELD_FLAG_ONEOF) {
            if (*(const uint32_t *)((const char *)msg + f->quantifier_offset) != f->id)
                continue;
        }
        if (f->label == PROTOBUF_C_LABEL_REPEATED) {
            size_t n = *(const size_t *)((const char *)msg + f->quantifier_offset);
            cJSON *arr = cJSON_AddArrayToObject(obj, f->name);
            const char *base = *(char *const *)p;
            for (size_t j = 0; j < n; j++)
                cJSON_AddItemToArray(arr, s_value_to_json(f, base + j * ocop_json_elem_size(f->type)));
            continue;
        }
        if (f->type == PROTOBUF_C_TYPE_MESSAGE && !*(ProtobufCMessage *const *)p)
            continue;
        cJSON_AddItemToObject(obj, f->name, s_value_to_json(f, p));
    }
    return obj;
}

/* ---------------------------------------------------------------- from JSON */

typedef struct {
    ProtobufCAllocator *alloc;
    ocop_json_error_t *err;
} s_in_t;

static void *s_alloc(s_in_t *in, size_t n)
{
    if (in->alloc)
        return in->alloc->alloc(in->alloc->allocator_data, n ? n : 1);
    return calloc(1, n ? n : 1);
}

static int s_fail(s_in_t *in, const char *path, const char *field, const char *why)
{
    snprintf(in->err->field, sizeof in->err->field, "%s%s%s", path, *path ? "." : "", field);
    snprintf(in->err->message, sizeof in->err->message, "%s: %s", in->err->field, why);
    return -1;
}

static int s_enum_from_json(const ProtobufCEnumDescriptor *desc, const cJSON *j, int *out)
{
    if (cJSON_IsNumber(j)) {
        if (j->valuedouble != floor(j->valuedouble) || fabs(j->valuedouble) > INT32_MAX ||
            !protobuf_c_enum_descriptor_get_value(desc, (int)j->valuedouble))
            return -1;
        *out = (int)j->valuedouble;
        return 0;
    }
    if (!cJSON_IsString(j))
        return -1;
    size_t prefix = s_enum_prefix(desc);
    for (unsigned i = 0; i < desc->n_values; i++) {
        const char *full = desc->values[i].name;
        if (strcasecmp(j->valuestring, full) == 0 || strcasecmp(j->valuestring, full + prefix) == 0) {
            *out = desc->values[i].value;
            return 0;
        }
    }
    return -1;
}

static ProtobufCMessage *s_message(s_in_t *in, const ProtobufCMessageDescriptor *desc, const cJSON *json,
                                   const char *path);

static int s_integer(const cJSON *j, double lo, double hi, double *out)
{
    if (!cJSON_IsNumber(j) || j->valuedouble != floor(j->valuedouble) || j->valuedouble < lo || j->valuedouble > hi)
        return -1;
    *out = j->valuedouble;
    return 0;
}

/* An integer field of any width and sign. 1 when f is not an integer field. */
static int s_integer_from_json(s_in_t *in, const ProtobufCFieldDescriptor *f, const cJSON *j, void *p, const char *path)
{
    double d;
    switch (f->type) {
    case PROTOBUF_C_TYPE_INT32:
    case PROTOBUF_C_TYPE_SINT32:
    case PROTOBUF_C_TYPE_SFIXED32:
        if (s_integer(j, INT32_MIN, INT32_MAX, &d) != 0)
            return s_fail(in, path, f->name, "expected a 32-bit integer");
        *(int32_t *)p = (int32_t)d;
        return 0;
    case PROTOBUF_C_TYPE_UINT32:
    case PROTOBUF_C_TYPE_FIXED32:
        if (s_integer(j, 0, UINT32_MAX, &d) != 0)
            return s_fail(in, path, f->name, "expected a non-negative 32-bit integer");
        *(uint32_t *)p = (uint32_t)d;
        return 0;
    case PROTOBUF_C_TYPE_INT64:
    case PROTOBUF_C_TYPE_SINT64:
    case PROTOBUF_C_TYPE_SFIXED64:
        if (s_integer(j, -9007199254740992.0, 9007199254740992.0, &d) != 0)
            return s_fail(in, path, f->name, "expected an integer");
        *(int64_t *)p = (int64_t)d;
        return 0;
    case PROTOBUF_C_TYPE_UINT64:
    case PROTOBUF_C_TYPE_FIXED64:
        if (s_integer(j, 0, 9007199254740992.0, &d) != 0)
            return s_fail(in, path, f->name, "expected a non-negative integer");
        *(uint64_t *)p = (uint64_t)d;
        return 0;
    default:
        return 1;
    }
}

/* A string field, or a bytes field from base64. */
static int s_text_from_json(s_in_t *in, const ProtobufCFieldDescriptor *f, const cJSON *j, void *p, const char *path)
{
    bool bytes = f->type == PROTOBUF_C_TYPE_BYTES;
    if (!cJSON_IsString(j))
        return s_fail(in, path, f->name, bytes ? "expected a base64 string" : "expected a string");
    size_t n = strlen(j->valuestring), len;
    if (!bytes) {
        char *s = s_alloc(in, n + 1);
        if (!s)
            return s_fail(in, path, f->name, "out of memory");
        memcpy(s, j->valuestring, n + 1);
        *(char **)p = s;
        return 0;
    }
    uint8_t *bin = s_alloc(in, n);
    if (!bin || sodium_base642bin(bin, n, j->valuestring, n, NULL, &len, NULL, sodium_base64_VARIANT_ORIGINAL) != 0)
        return s_fail(in, path, f->name, "not valid base64");
    ((ProtobufCBinaryData *)p)->data = bin;
    ((ProtobufCBinaryData *)p)->len = len;
    return 0;
}

static int s_value_from_json(s_in_t *in, const ProtobufCFieldDescriptor *f, const cJSON *j, void *p, const char *path)
{
    int rc = s_integer_from_json(in, f, j, p, path);
    if (rc != 1)
        return rc;
    switch (f->type) {
    case PROTOBUF_C_TYPE_FLOAT:
    case PROTOBUF_C_TYPE_DOUBLE:
        if (!cJSON_IsNumber(j))
            return s_fail(in, path, f->name, "expected a number");
        if (f->type == PROTOBUF_C_TYPE_FLOAT)
            *(float *)p = (float)j->valuedouble;
        else
            *(double *)p = j->valuedouble;
        return 0;
    case PROTOBUF_C_TYPE_BOOL:
        if (!cJSON_IsBool(j))
            return s_fail(in, path, f->name, "expected true or false");
        *(protobuf_c_boolean *)p = cJSON_IsTrue(j);
        return 0;
    case PROTOBUF_C_TYPE_ENUM: {
        int v;
        if (s_enum_from_json(f->descriptor, j, &v) != 0)
            return s_fail(in, path, f->name, "unknown value");
        *(int *)p = v;
        return 0;
    }
    case PROTOBUF_C_TYPE_STRING:
    case PROTOBUF_C_TYPE_BYTES:
        return s_text_from_json(in, f, j, p, path);
    case PROTOBUF_C_TYPE_MESSAGE: {
        char sub[256];
        snprintf(sub, sizeof sub, "%s%s%s", path, *path ? "." : "", f->name);
        ProtobufCMessage *m = s_message(in, f->descriptor, j, sub);
        if (!m)
            return -1;
        *(ProtobufCMessage **)p = m;
        return 0;
    }
    default:
        return s_fail(in, path, f->name, "unsupported field type");
    }
}

static ProtobufCMessage *s_message(s_in_t *in, const ProtobufCMessageDescriptor *desc, const cJSON *json,
                                   const char *path)
{
    if (!cJSON_IsObject(json)) {
        snprintf(in->err->field, sizeof in->err->field, "%s", *path ? path : "body");
        snprintf(in->err->message, sizeof in->err->message, "%s: expected a JSON object", in->err->field);
        return NULL;
    }
    ProtobufCMessage *msg = s_alloc(in, desc->sizeof_message);
    if (!msg)
        return NULL;
    desc->message_init(msg);
    const cJSON *item;
    cJSON_ArrayForEach (item, json) {
        const ProtobufCFieldDescriptor *f = protobuf_c_message_descriptor_get_field_by_name(desc, item->string);
        if (!f) {
            s_fail(in, path, item->string, "unknown field");
            return NULL;
        }
        if (cJSON_IsNull(item))
            continue;
        void *p = ocop_json_field_ptr(msg, f);
        if (f->label == PROTOBUF_C_LABEL_REPEATED) {
            if (!cJSON_IsArray(item)) {
                s_fail(in, path, f->name, "expected an array");
                return NULL;
            }
            size_t n = (size_t)cJSON_GetArraySize(item), size = ocop_json_elem_size(f->type);
            char *arr = s_alloc(in, n * size);
            if (!arr)
                return NULL;
            size_t k = 0;
            const cJSON *el;
            cJSON_ArrayForEach (el, item) {
                if (s_value_from_json(in, f, el, arr + k * size, path) != 0)
                    return NULL;
                k++;
            }
            *(char **)p = arr;
            *(size_t *)((char *)msg + f->quantifier_offset) = n;
            continue;
        }
        if (f->flags & PROTOBUF_C_FIELD_FLAG_ONEOF && *(uint32_t *)((char *)msg + f->quantifier_offset) != 0) {
            s_fail(in, path, f->name, "another member of the same oneof is already set");
            return NULL;
        }
        if (s_value_from_json(in, f, item, p, path) != 0)
            return NULL;
        if (f->flags & PROTOBUF_C_FIELD_FLAG_ONEOF)
            *(uint32_t *)((char *)msg + f->quantifier_offset) = f->id;
    }
    return msg;
}

ProtobufCMessage *ocop_json_to_message(const ProtobufCMessageDescriptor *desc, const cJSON *json,
                                       ProtobufCAllocator *alloc, ocop_json_error_t *err)
{
    s_in_t in = {.alloc = alloc, .err = err};
    err->field[0] = err->message[0] = '\0';
    /* Without an arena, partial results leak on error: callers are told to pass one. */
    return s_message(&in, desc, json, "");
}
