/* ocop_json_print — a message written straight as compact JSON text (see ocop_json.h): the text
 * cJSON_PrintUnformatted makes of ocop_json_from_message's tree, byte for byte, without the tree
 * (a node and a copied string per value, then a walk to print them: most of what the gateway
 * spent answering a read). */
#include "ocop_json.h"
#include "ocop_json_private.h"

#include <float.h>
#include <inttypes.h>
#include <math.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    char *data;
    size_t len, cap;
    bool failed;
} s_out_t;

static void s_reserve(s_out_t *o, size_t more)
{
    if (o->failed || o->len + more < o->cap)
        return;
    size_t cap = o->cap ? o->cap : 256;
    while (cap <= o->len + more)
        cap *= 2;
    char *grown = realloc(o->data, cap);
    if (!grown) {
        o->failed = true;
        return;
    }
    o->data = grown;
    o->cap = cap;
}

static void s_put(s_out_t *o, const char *s, size_t n)
{
    s_reserve(o, n);
    if (o->failed)
        return;
    memcpy(o->data + o->len, s, n);
    o->len += n;
}

static void s_putc(s_out_t *o, char c)
{
    s_put(o, &c, 1);
}

static void s_puts(s_out_t *o, const char *s)
{
    s_put(o, s, strlen(s));
}

/* A string as cJSON escapes it: quote, backslash and the control characters below 0x20 (the
 * usual five by name, the rest as \u00XX); every other byte as it is. */
static void s_string(s_out_t *o, const char *s)
{
    s_putc(o, '"');
    const char *run = s;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p >= 32 && *p != '"' && *p != '\\')
            continue;
        s_put(o, run, (size_t)((const char *)p - run));
        char esc[8];
        switch (*p) {
        case '"':
            s_put(o, "\\\"", 2);
            break;
        case '\\':
            s_put(o, "\\\\", 2);
            break;
        case '\b':
            s_put(o, "\\b", 2);
            break;
        case '\f':
            s_put(o, "\\f", 2);
            break;
        case '\n':
            s_put(o, "\\n", 2);
            break;
        case '\r':
            s_put(o, "\\r", 2);
            break;
        case '\t':
            s_put(o, "\\t", 2);
            break;
        default:
            snprintf(esc, sizeof esc, "\\u%04x", *p);
            s_put(o, esc, 6);
        }
        run = (const char *)p + 1;
    }
    s_puts(o, run);
    s_putc(o, '"');
}

/* A number as cJSON prints one: null when not finite, else 15 significant digits, or 17 when 15
 * do not read back as the same double (within one relative epsilon, cJSON's comparison). */
static void s_number(s_out_t *o, double d)
{
    char buf[32];
    if (isnan(d) || isinf(d)) {
        s_puts(o, "null");
        return;
    }
    snprintf(buf, sizeof buf, "%1.15g", d);
    double back = strtod(buf, NULL), max = fabs(back) > fabs(d) ? fabs(back) : fabs(d);
    if (!(fabs(back - d) <= max * DBL_EPSILON))
        snprintf(buf, sizeof buf, "%1.17g", d);
    s_puts(o, buf);
}

static void s_message(s_out_t *o, const ProtobufCMessage *msg);

static void s_value(s_out_t *o, const ProtobufCFieldDescriptor *f, const void *p)
{
    char buf[128];
    switch (f->type) {
    case PROTOBUF_C_TYPE_INT32:
    case PROTOBUF_C_TYPE_SINT32:
    case PROTOBUF_C_TYPE_SFIXED32:
        s_number(o, *(const int32_t *)p);
        return;
    case PROTOBUF_C_TYPE_UINT32:
    case PROTOBUF_C_TYPE_FIXED32:
        s_number(o, *(const uint32_t *)p);
        return;
    case PROTOBUF_C_TYPE_INT64:
    case PROTOBUF_C_TYPE_SINT64:
    case PROTOBUF_C_TYPE_SFIXED64:
        snprintf(buf, sizeof buf, "%" PRId64, *(const int64_t *)p);
        s_puts(o, buf);
        return;
    case PROTOBUF_C_TYPE_UINT64:
    case PROTOBUF_C_TYPE_FIXED64:
        snprintf(buf, sizeof buf, "%" PRIu64, *(const uint64_t *)p);
        s_puts(o, buf);
        return;
    case PROTOBUF_C_TYPE_FLOAT:
        s_number(o, *(const float *)p);
        return;
    case PROTOBUF_C_TYPE_DOUBLE:
        s_number(o, *(const double *)p);
        return;
    case PROTOBUF_C_TYPE_BOOL:
        s_puts(o, *(const protobuf_c_boolean *)p ? "true" : "false");
        return;
    case PROTOBUF_C_TYPE_ENUM:
        s_string(o, ocop_json_enum_name(f->descriptor, *(const int *)p, buf, sizeof buf));
        return;
    case PROTOBUF_C_TYPE_STRING: {
        const char *s = *(char *const *)p;
        s_string(o, s ? s : "");
        return;
    }
    case PROTOBUF_C_TYPE_BYTES: {
        const ProtobufCBinaryData *b = p;
        size_t n = sodium_base64_encoded_len(b->len, sodium_base64_VARIANT_ORIGINAL);
        char *enc = malloc(n);
        if (!enc) {
            o->failed = true;
            return;
        }
        sodium_bin2base64(enc, n, b->data, b->len, sodium_base64_VARIANT_ORIGINAL);
        s_string(o, enc);
        free(enc);
        return;
    }
    case PROTOBUF_C_TYPE_MESSAGE: {
        const ProtobufCMessage *m = *(ProtobufCMessage *const *)p;
        if (m)
            s_message(o, m);
        else
            s_puts(o, "null");
        return;
    }
    }
    s_puts(o, "null");
}

static void s_message(s_out_t *o, const ProtobufCMessage *msg)
{
    const ProtobufCMessageDescriptor *desc = msg->descriptor;
    bool first = true;
    s_putc(o, '{');
    for (unsigned i = 0; i < desc->n_fields; i++) {
        const ProtobufCFieldDescriptor *f = &desc->fields[i];
        const void *p = ocop_json_field_ptr(msg, f);
        if ((f->flags & PROTOBUF_C_FIELD_FLAG_ONEOF) &&
            *(const uint32_t *)((const char *)msg + f->quantifier_offset) != f->id)
            continue;
        bool repeated = f->label == PROTOBUF_C_LABEL_REPEATED;
        if (!repeated && f->type == PROTOBUF_C_TYPE_MESSAGE && !*(ProtobufCMessage *const *)p)
            continue;
        if (!first)
            s_putc(o, ',');
        first = false;
        s_string(o, f->name);
        s_putc(o, ':');
        if (!repeated) {
            s_value(o, f, p);
            continue;
        }
        size_t n = *(const size_t *)((const char *)msg + f->quantifier_offset);
        const char *base = *(char *const *)p;
        s_putc(o, '[');
        for (size_t j = 0; j < n; j++) {
            if (j)
                s_putc(o, ',');
            s_value(o, f, base + j * ocop_json_elem_size(f->type));
        }
        s_putc(o, ']');
    }
    s_putc(o, '}');
}

char *ocop_json_print_message(const ProtobufCMessage *msg)
{
    s_out_t o = {0};
    s_message(&o, msg);
    s_putc(&o, '\0');
    if (o.failed) {
        free(o.data);
        return NULL;
    }
    return o.data;
}
