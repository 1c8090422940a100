/* ocop_db — see ocop_db.h. */
#define OCOP_DB_IMPLEMENTATION
#include "ocop_db.h"

static _Thread_local uint64_t s_writes;

int ocop_db_put(MDB_txn *txn, MDB_dbi dbi, MDB_val *key, MDB_val *data, unsigned int flags)
{
    s_writes++;
    return mdb_put(txn, dbi, key, data, flags);
}

int ocop_db_append_dup(MDB_txn *txn, MDB_dbi dbi, const MDB_val *key, const MDB_val *value)
{
    MDB_val k = *key, v = *value;
    int rc = ocop_db_put(txn, dbi, &k, &v, MDB_APPENDDUP);
    if (rc != MDB_KEYEXIST)
        return rc;
    MDB_cursor *cursor;
    if ((rc = mdb_cursor_open(txn, dbi, &cursor)) != 0)
        return rc;
    k = *key, v = *value;
    rc = mdb_cursor_get(cursor, &k, &v, MDB_GET_BOTH) == 0 ? 0 : MDB_KEYEXIST;
    mdb_cursor_close(cursor);
    return rc;
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
