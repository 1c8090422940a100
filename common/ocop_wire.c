/* ocop_wire — see ocop_wire.h. */
#include "ocop_wire.h"

#include <stdio.h>
#include <string.h>

#define S_DEPTH_MAX 32

/* A varint at *p (advanced); -1 when it runs past end or over 10 bytes. */
static int s_varint(const uint8_t **p, const uint8_t *end, uint64_t *out)
{
    uint64_t v = 0;
    for (unsigned shift = 0; shift < 70 && *p < end; shift += 7) {
        uint8_t b = *(*p)++;
        v |= (uint64_t)(b & 0x7f) << shift;
        if (!(b & 0x80)) {
            *out = v;
            return 0;
        }
    }
    return -1;
}

/* The next field at *p: its number, and for wire type 2 its bytes in body and n
 * (NULL for the other types, which are skipped). 1 read, 0 at the end or malformed. */
static int s_next_field(const uint8_t **p, const uint8_t *end, uint32_t *number, const uint8_t **body, size_t *n)
{
    uint64_t key, v;
    if (*p >= end || s_varint(p, end, &key) != 0 || (key >> 3) == 0 || (key >> 3) > UINT32_MAX)
        return 0;
    *number = (uint32_t)(key >> 3);
    *body = NULL;
    switch (key & 7) {
    case 0:
        return s_varint(p, end, &v) == 0;
    case 1:
    case 5: {
        size_t skip = (key & 7) == 1 ? 8 : 4;
        if ((size_t)(end - *p) < skip)
            return 0;
        *p += skip;
        return 1;
    }
    case 2:
        if (s_varint(p, end, &v) != 0 || v > (uint64_t)(end - *p))
            return 0;
        *body = *p;
        *n = (size_t)v;
        *p += v;
        return 1;
    default:
        return 0;
    }
}

/* A field's path as a chain to its parent, written out only when a NUL is found: a request has
 * no NUL almost always, and formatting every field's path cost a few percent of a service's CPU. */
typedef struct s_path {
    const struct s_path *up;
    const char *name;
} s_path_t;

/* Writes at's path ("dossiers.product_id") into out; returns its length (cut at len - 1). */
static size_t s_path_write(const s_path_t *at, char *out, size_t len)
{
    size_t used = at->up ? s_path_write(at->up, out, len) : 0;
    if (used + 1 >= len)
        return used;
    int n = snprintf(out + used, len - used, "%s%s", used ? "." : "", at->name);
    return n < 0 ? used : used + (size_t)n < len ? used + (size_t)n : len - 1;
}

/* parent: the path of the message walked (NULL at the top, or for a skipped top field's body). */
static int s_walk(const ProtobufCMessageDescriptor *desc, const uint8_t *p, const uint8_t *end, int depth, int skip,
                  const s_path_t *parent, char *field, size_t fieldlen)
{
    if (depth > S_DEPTH_MAX)
        return 0;
    const uint8_t *bytes;
    uint32_t number;
    size_t n;
    while (s_next_field(&p, end, &number, &bytes, &n)) {
        const ProtobufCFieldDescriptor *f = protobuf_c_message_descriptor_get_field(desc, number);
        if (!bytes || !f)
            continue;
        const s_path_t here = {.up = parent, .name = f->name};
        if (f->type == PROTOBUF_C_TYPE_STRING && memchr(bytes, 0, n)) {
            if (fieldlen)
                field[s_path_write(&here, field, fieldlen)] = '\0';
            return 1;
        }
        if (f->type == PROTOBUF_C_TYPE_MESSAGE &&
            s_walk(f->descriptor, bytes, bytes + n, depth + 1, 0, skip ? NULL : &here, field, fieldlen))
            return 1;
    }
    return 0;
}

int ocop_wire_find_nul(const ProtobufCMessageDescriptor *desc, const uint8_t *data, size_t len, int skip_top,
                       char *field, size_t fieldlen)
{
    return s_walk(desc, data, data + len, 0, skip_top, NULL, field, fieldlen);
}

int ocop_wire_peek_text(const uint8_t *data, size_t len, uint32_t number, char *out, size_t outlen)
{
    const uint8_t *p = data, *end = data + len, *body;
    uint32_t at;
    size_t n;
    while (s_next_field(&p, end, &at, &body, &n)) {
        if (at != number || !body)
            continue;
        if (n == 0 || n >= outlen)
            return 0;
        for (size_t i = 0; i < n; i++)
            if (body[i] <= 0x20 || body[i] >= 0x7f)
                return 0;
        memcpy(out, body, n);
        out[n] = '\0';
        return 1;
    }
    return 0;
}

uint32_t ocop_wire_peek_oneof(const ProtobufCMessageDescriptor *desc, const uint8_t *data, size_t len)
{
    const uint8_t *p = data, *end = data + len, *body;
    uint32_t at, last = 0;
    size_t n;
    while (p < end) {
        if (!s_next_field(&p, end, &at, &body, &n))
            return 0;
        const ProtobufCFieldDescriptor *f = protobuf_c_message_descriptor_get_field(desc, (unsigned)at);
        if (f && (f->flags & PROTOBUF_C_FIELD_FLAG_ONEOF))
            last = at;
    }
    return last;
}
