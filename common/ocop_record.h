/* ocop_record — protobuf messages stored as LMDB values. */
#ifndef OCOP_RECORD_H
#define OCOP_RECORD_H

#include <lmdb.h>
#include <protobuf-c/protobuf-c.h>

/* Packs msg straight into the value slot (MDB_RESERVE). 0 / MDB error code. */
int ocop_record_put(MDB_txn *txn, MDB_dbi dbi, const MDB_val *key, const ProtobufCMessage *msg);

/* Unpacks the value under key with allocator (usually an arena's). *out is NULL and the
 * return is MDB_NOTFOUND when absent; MDB_CORRUPTED when the bytes do not parse. */
int ocop_record_get(MDB_txn *txn, MDB_dbi dbi, const MDB_val *key, const ProtobufCMessageDescriptor *desc,
                    ProtobufCAllocator *allocator, ProtobufCMessage **out);

#endif
