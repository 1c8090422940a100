/* ocop_wire_nul — a NUL inside a protobuf string. protobuf-c copies a string's bytes and ends
 * them with a NUL, so one inside the string silently cuts it short: this walks the wire bytes of
 * a message that unpacked, guided by its descriptor, and names the first string holding one. */
#ifndef OCOP_WIRE_NUL_H
#define OCOP_WIRE_NUL_H

#include <protobuf-c/protobuf-c.h>
#include <stddef.h>
#include <stdint.h>

/* 1 when a string field of the message of desc in data[0..len) (or of a message within it)
 * holds a NUL byte, with its field path in field ("product.name"; the fields of a oneof body
 * message named without it when skip_top is set); 0 when none does or the bytes cannot be
 * walked (they unpacked, so protobuf-c judged them). */
int ocop_wire_find_nul(const ProtobufCMessageDescriptor *desc, const uint8_t *data, size_t len, int skip_top,
                       char *field, size_t fieldlen);

#endif
