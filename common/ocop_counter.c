/* ocop_counter — see ocop_counter.h. */
#include "ocop_counter.h"

#include "ocop_db.h"
#include "ocop_store.h"

int ocop_counter_get(MDB_txn *txn, MDB_dbi dbi, const MDB_val *key, uint64_t *value)
{
    MDB_val k = *key, v;
    *value = 0;
    int rc = mdb_get(txn, dbi, &k, &v);
    if (rc == MDB_NOTFOUND)
        return 0;
    if (rc != 0)
        return rc;
    if (v.mv_size != 8)
        return MDB_CORRUPTED;
    *value = ocop_be64_get(v.mv_data);
    return 0;
}

int ocop_counter_set(MDB_txn *txn, MDB_dbi dbi, const MDB_val *key, uint64_t value)
{
    MDB_val k = *key;
    if (value == 0) {
        int rc = ocop_db_del(txn, dbi, &k, NULL);
        return rc == MDB_NOTFOUND ? 0 : rc;
    }
    uint8_t buf[8];
    ocop_be64_put(buf, value);
    MDB_val v = {.mv_size = sizeof buf, .mv_data = buf};
    return ocop_db_put(txn, dbi, &k, &v, 0);
}

int ocop_counter_add(MDB_txn *txn, MDB_dbi dbi, const MDB_val *key, int64_t delta, uint64_t *after)
{
    uint64_t n;
    int rc = ocop_counter_get(txn, dbi, key, &n);
    if (rc != 0)
        return rc;
    if (delta < 0 ? n < (uint64_t)0 - (uint64_t)delta : n > UINT64_MAX - (uint64_t)delta)
        return MDB_CORRUPTED;
    n = delta < 0 ? n - ((uint64_t)0 - (uint64_t)delta) : n + (uint64_t)delta;
    if (after)
        *after = n;
    return ocop_counter_set(txn, dbi, key, n);
}
