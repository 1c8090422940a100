/* reg_log — per-record append-only logs (a product's stage history, its review decisions, its
 * classifications): keys "record id|n" with n counting from 1. */
#ifndef REG_LOG_H
#define REG_LOG_H

#include <lmdb.h>
#include <protobuf-c/protobuf-c.h>
#include <stddef.h>

/* Appends msg after the last entry of id. 0 / MDB error code. */
int reg_log_append(MDB_txn *txn, MDB_dbi dbi, const char *id, const ProtobufCMessage *msg);

/* The number of entries of id. 0 / MDB error code. */
int reg_log_count(MDB_txn *txn, MDB_dbi dbi, const char *id, size_t *count);

/* Unpacks every entry of id, oldest first, into a new array *out; the array and the messages
 * come from alloc (an arena's). 0 / MDB error code. */
int reg_log_read(MDB_txn *txn, MDB_dbi dbi, const char *id, const ProtobufCMessageDescriptor *desc,
                 ProtobufCAllocator *alloc, ProtobufCMessage ***out, size_t *count);

#endif
