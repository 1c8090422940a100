/* ocop_record_log — append-only logs kept per record (a product's stage history, its reviews and
 * classifications, its self-assessments): keys "record id|n" (ocop_key_str, ocop_key_u64), n
 * counting from 1, values packed protobuf messages. */
#ifndef OCOP_RECORD_LOG_H
#define OCOP_RECORD_LOG_H

#include <lmdb.h>
#include <protobuf-c/protobuf-c.h>
#include <stddef.h>
#include <stdint.h>

#include "ocop_key.h"

/* The number of id's last entry into *n (0: id has none) and, when value is not NULL, its bytes.
 * 0 / MDB error code (MDB_CORRUPTED for a key of another shape under id). */
int ocop_record_log_last(MDB_txn *txn, MDB_dbi dbi, const char *id, uint64_t *n, ocop_bytes_t *value);

/* Appends msg after the last entry of id; *n (may be NULL) gets its number. 0 / MDB error code. */
int ocop_record_log_append(MDB_txn *txn, MDB_dbi dbi, const char *id, const ProtobufCMessage *msg, uint64_t *n);

/* The number of entries of id. 0 / MDB error code. */
int ocop_record_log_count(MDB_txn *txn, MDB_dbi dbi, const char *id, size_t *count);

/* Unpacks every entry of id, oldest first, into a new array *out; the array and the messages
 * come from alloc (an arena's). 0 / MDB error code. */
int ocop_record_log_read(MDB_txn *txn, MDB_dbi dbi, const char *id, const ProtobufCMessageDescriptor *desc,
                         ProtobufCAllocator *alloc, ProtobufCMessage ***out, size_t *count);

#endif
