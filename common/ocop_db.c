/* ocop_db — see ocop_db.h. */
#define OCOP_DB_IMPLEMENTATION
#include "ocop_db.h"

static _Thread_local uint64_t s_writes;

int ocop_db_put(MDB_txn *txn, MDB_dbi dbi, MDB_val *key, MDB_val *data, unsigned int flags)
{
    s_writes++;
    return mdb_put(txn, dbi, key, data, flags);
}

int ocop_db_del(MDB_txn *txn, MDB_dbi dbi, MDB_val *key, MDB_val *data)
{
    s_writes++;
    return mdb_del(txn, dbi, key, data);
}

int ocop_db_cursor_put(MDB_cursor *cursor, MDB_val *key, MDB_val *data, unsigned int flags)
{
    s_writes++;
    return mdb_cursor_put(cursor, key, data, flags);
}

int ocop_db_cursor_del(MDB_cursor *cursor, unsigned int flags)
{
    s_writes++;
    return mdb_cursor_del(cursor, flags);
}

int ocop_db_drop(MDB_txn *txn, MDB_dbi dbi, int del)
{
    s_writes++;
    return mdb_drop(txn, dbi, del);
}

uint64_t ocop_db_writes(void)
{
    return s_writes;
}
