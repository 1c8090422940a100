/* ocop_json — any protobuf-c message to and from JSON (cJSON), driven by the descriptors, so
 * the CLI and the gateway need no per-message code.
 *
 * Field names are the .proto names. Enums are written as the lower-case value name without
 * the prefix all values of that enum share ("ENTITY_TYPE_COOPERATIVE" -> "cooperative") and
 * read from that form, the full name (any case) or a number. 64-bit integers are written
 * exactly as decimal numbers and read exactly up to 2^53 (counts and millisecond times fit);
 * bytes are base64. Of a oneof only the member that is set is written; input that sets two
 * members of one oneof is refused. */
#ifndef OCOP_JSON_H
#define OCOP_JSON_H

#include <cjson/cJSON.h>
#include <protobuf-c/protobuf-c.h>
#include <stddef.h>

/* A new cJSON object the caller deletes; NULL on OOM. */
cJSON *ocop_json_from_message(const ProtobufCMessage *msg);
/* The compact JSON text of msg, exactly what cJSON_PrintUnformatted makes of
 * ocop_json_from_message's object, written without building it (the gateway's replies). The
 * caller frees it; NULL on OOM. */
char *ocop_json_print_message(const ProtobufCMessage *msg);

/* Why a JSON body was refused: the field's path ("reg_entity_register.type", "body" for the
 * whole) and a sentence naming it ("reg_entity_register.type: unknown value"). */
typedef struct {
    char field[160];
    char message[400];
} ocop_json_error_t;

/* Builds a message of type desc from a JSON object, every allocation from alloc (pass an
 * arena's allocator; with NULL, free a result with protobuf_c_message_free_unpacked — on
 * failure, partial allocations then leak, so prefer an arena).
 * Unknown fields, wrong types and out-of-range numbers are refused: NULL, with err filled. */
ProtobufCMessage *ocop_json_to_message(const ProtobufCMessageDescriptor *desc, const cJSON *json,
                                       ProtobufCAllocator *alloc, ocop_json_error_t *err);

/* The short JSON name of an enum value (static storage per call site is not used: writes into
 * out). Returns out. */
const char *ocop_json_enum_name(const ProtobufCEnumDescriptor *desc, int value, char *out, size_t outlen);

#endif
