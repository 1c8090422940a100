/* ocop_json_private — what the JSON reader and the two writers of ocop_json share: where a
 * field lives in a message and the size of one element of a repeated field. */
#ifndef OCOP_JSON_PRIVATE_H
#define OCOP_JSON_PRIVATE_H

#include <protobuf-c/protobuf-c.h>
#include <stddef.h>

static inline void *ocop_json_field_ptr(const void *msg, const ProtobufCFieldDescriptor *f)
{
    return (char *)msg + f->offset;
}

static inline size_t ocop_json_elem_size(ProtobufCType type)
{
    switch (type) {
    case PROTOBUF_C_TYPE_INT64:
    case PROTOBUF_C_TYPE_SINT64:
    case PROTOBUF_C_TYPE_SFIXED64:
    case PROTOBUF_C_TYPE_UINT64:
    case PROTOBUF_C_TYPE_FIXED64:
    case PROTOBUF_C_TYPE_DOUBLE:
        return 8;
    case PROTOBUF_C_TYPE_STRING:
    case PROTOBUF_C_TYPE_MESSAGE:
        return sizeof(void *);
    case PROTOBUF_C_TYPE_BYTES:
        return sizeof(ProtobufCBinaryData);
    case PROTOBUF_C_TYPE_BOOL:
        return sizeof(protobuf_c_boolean);
    default:
        return 4;
    }
}

#endif
