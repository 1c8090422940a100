/* ocop_outbox — see ocop_outbox.h. */
#include "ocop_outbox.h"

#include <errno.h>

#include "ocop_db.h"
#include "ocop_scan.h"
#include "ocop_stored.h"

int ocop_outbox_open(ocop_store_t *store, MDB_dbi *dbi)
{
    return ocop_store_dbi(store, OCOP_OUTBOX_DB, 0, dbi);
}

int ocop_outbox_last(MDB_txn *txn, MDB_dbi dbi, uint64_t *last)
{
    ocop_bytes_t k;
    int rc = ocop_scan_last(txn, dbi, NULL, &k, NULL);
    if (rc == MDB_NOTFOUND) {
        *last = 0;
        return 0;
    }
    if (rc != 0)
        return rc;
    if (k.size != 8)
        return MDB_CORRUPTED;
    *last = ocop_be64_get(k.data);
    return 0;
}

int ocop_outbox_put(MDB_txn *txn, MDB_dbi dbi, ocop_arena_t *arena, uint64_t seq, const void *data, size_t len)
{
    uint8_t kb[8];
    ocop_be64_put(kb, seq);
    MDB_val k = {.mv_size = 8, .mv_data = kb}, v;
    const void *stored;
    if (ocop_stored_pack(arena, data, len, &stored, &v.mv_size) != 0)
        return ENOMEM;
    v.mv_data = (void *)stored;
    /* MDB_APPEND: sequences only grow, and appending keeps pages full. */
    return ocop_db_put(txn, dbi, &k, &v, MDB_APPEND);
}

int ocop_outbox_scan(MDB_txn *txn, MDB_dbi dbi, ocop_arena_t *arena, uint64_t from, size_t max, size_t max_bytes,
                     ocop_outbox_visit_fn fn, void *user, size_t *count)
{
    *count = 0;
    MDB_cursor *cur;
    int rc = mdb_cursor_open(txn, dbi, &cur);
    if (rc != 0)
        return rc;
    uint8_t kb[8];
    ocop_be64_put(kb, from);
    MDB_val k = {.mv_size = 8, .mv_data = kb}, v;
    size_t bytes = 0;
    rc = mdb_cursor_get(cur, &k, &v, MDB_SET_RANGE);
    while (rc == 0 && *count < max) {
        if (k.mv_size != 8) {
            rc = MDB_CORRUPTED;
            break;
        }
        const void *event;
        size_t len;
        if ((rc = ocop_stored_open(arena, v.mv_data, v.mv_size, &event, &len)) != 0) {
            rc = rc == EBADMSG ? MDB_CORRUPTED : rc;
            break;
        }
        if (*count > 0 && bytes + len > max_bytes)
            break;
        bytes += len;
        (*count)++;
        if (fn(user, ocop_be64_get(k.mv_data), event, len) != 0)
            break;
        rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT);
    }
    mdb_cursor_close(cur);
    return rc == MDB_NOTFOUND ? 0 : rc;
}
