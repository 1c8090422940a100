/* ocop_stored — the form in which a large packed message is kept in a store.
 *
 * The event logs (every service's outbox, the audit log's entries) hold packed protobuf
 * messages. One that LMDB cannot keep on a leaf page (about 2 KB with 4 KB pages) takes whole
 * overflow pages, half of them empty on average: an evaluation result carrying its members'
 * sheets is about 4.6 KB and took two pages. Such values are kept compressed (zstd), about six
 * times smaller, so that most fit on a leaf page.
 *
 * A stored value is either the message itself or OCOP_STORED_COMPRESSED followed by a zstd
 * frame of it that records its size. A packed message never starts with that byte (a field's
 * tag is never 0), so both forms read back without any other mark, and values written before
 * compression read as they are. A message shorter than OCOP_STORED_COMPRESS_MIN, or one that
 * compression would not shrink, is kept as it is. Readers always get the message's own bytes:
 * hashes, signatures and replies are over those, never over the stored form. */
#ifndef OCOP_STORED_H
#define OCOP_STORED_H

#include <stddef.h>
#include <stdint.h>

#include "ocop_arena.h"

#define OCOP_STORED_COMPRESSED 0x00u
#define OCOP_STORED_COMPRESS_MIN 1024
/* The largest message a compressed value may hold: a frame that claims more is refused as
 * corrupt rather than allocated. */
#define OCOP_STORED_MESSAGE_MAX (64u << 20)

/* The stored form of the message data[0..len): *out is data itself, or the compressed form in
 * arena. 0, or -1 when arena is exhausted. */
int ocop_stored_pack(ocop_arena_t *arena, const void *data, size_t len, const void **out, size_t *out_len);

/* The message a stored value holds: *out is stored itself, or the message decompressed into
 * arena. 0, EBADMSG when a compressed value cannot be read back, ENOMEM when arena is
 * exhausted. */
int ocop_stored_open(ocop_arena_t *arena, const void *stored, size_t len, const void **out, size_t *out_len);

#endif
