/* ocop_record — see ocop_record.h. */
#include "ocop_record.h"

#include "ocop_db.h"

int ocop_record_put(MDB_txn *txn, MDB_dbi dbi, const MDB_val *key, const ProtobufCMessage *msg)
{
    MDB_val k = *key;
    MDB_val v = {.mv_size = protobuf_c_message_get_packed_size(msg), .mv_data = NULL};
    int rc = ocop_db_put(txn, dbi, &k, &v, MDB_RESERVE);
    if (rc != 0)
        return rc;
    if (v.mv_size > 0)
        protobuf_c_message_pack(msg, v.mv_data);
    return 0;
}

int ocop_record_get(MDB_txn *txn, MDB_dbi dbi, const MDB_val *key, const ProtobufCMessageDescriptor *desc,
                    ProtobufCAllocator *allocator, ProtobufCMessage **out)
{
    *out = NULL;
    MDB_val k = *key, v;
    int rc = mdb_get(txn, dbi, &k, &v);
    if (rc != 0)
        return rc;
    *out = protobuf_c_message_unpack(desc, allocator, v.mv_size, v.mv_data);
    return *out ? 0 : MDB_CORRUPTED;
}
