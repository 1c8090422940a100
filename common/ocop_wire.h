/* ocop_wire — reading protobuf wire bytes directly, where unpacking says too little:
 *  - a NUL inside a string: protobuf-c copies a string's bytes and ends them with a NUL, so one
 *    inside the string silently cuts it short; the walk names the first string holding one;
 *  - a request's id in a frame that does not unpack or is too large to be unpacked, so that the
 *    error reply can still name the request it answers;
 *  - a request's body case, so that the loop can hand a read to a reader thread unopened. */
#ifndef OCOP_WIRE_H
#define OCOP_WIRE_H

#include <protobuf-c/protobuf-c.h>
#include <stddef.h>
#include <stdint.h>

/* 1 when a string field of the message of desc in data[0..len) (or of a message within it)
 * holds a NUL byte, with its field path in field ("product.name"; the fields of a oneof body
 * message named without it when skip_top is set); 0 when none does or the bytes cannot be
 * walked (they unpacked, so protobuf-c judged them). */
int ocop_wire_find_nul(const ProtobufCMessageDescriptor *desc, const uint8_t *data, size_t len, int skip_top,
                       char *field, size_t fieldlen);

/* The first top-level field number `number` of wire type 2 in data[0..len), copied into out
 * when it is 1 to outlen - 1 printable ASCII bytes. Walks at most to that field and stops at
 * the first malformed byte. 1 found, 0 not. */
int ocop_wire_peek_text(const uint8_t *data, size_t len, uint32_t number, char *out, size_t outlen);

/* The number of the last top-level field of data[0..len) that is a member of a oneof of desc
 * (a Request's body: its number is the body case), or 0 when there is none or the bytes cannot
 * be walked. */
uint32_t ocop_wire_peek_oneof(const ProtobufCMessageDescriptor *desc, const uint8_t *data, size_t len);

#endif
