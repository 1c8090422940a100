/* reg_index — see reg_index.h. */
#include "reg_index.h"

#include <stdio.h>
#include <string.h>

#include "ocop_db.h"
#include "ocop_store.h"

static int s_key(ocop_key_t *k, const char *index, const char *value, const char *id)
{
    ocop_key_init(k);
    ocop_key_str(k, index);
    ocop_key_str(k, value);
    if (id)
        ocop_key_str(k, id);
    return k->overflow ? MDB_BAD_VALSIZE : 0;
}

int reg_index_put(MDB_txn *txn, MDB_dbi dbi, const char *index, const char *value, const char *id)
{
    ocop_key_t k;
    int rc = s_key(&k, index, value, id);
    if (rc != 0)
        return rc;
    MDB_val kv = ocop_key_val(&k), empty = {.mv_size = 0, .mv_data = ""};
    return ocop_db_put(txn, dbi, &kv, &empty, 0);
}

int reg_index_del(MDB_txn *txn, MDB_dbi dbi, const char *index, const char *value, const char *id)
{
    ocop_key_t k;
    int rc = s_key(&k, index, value, id);
    if (rc != 0)
        return rc;
    MDB_val kv = ocop_key_val(&k);
    rc = ocop_db_del(txn, dbi, &kv, NULL);
    return rc == MDB_NOTFOUND ? 0 : rc;
}

int reg_index_scan(MDB_txn *txn, MDB_dbi dbi, const char *index, const char *value, const char *after_id,
                   size_t max_scan, reg_index_visit_fn visit, void *user, char *last_id, size_t last_len, int *more)
{
    *more = 0;
    last_id[0] = '\0';
    ocop_key_t prefix, start;
    if (s_key(&prefix, index, value, NULL) != 0 || s_key(&start, index, value, after_id) != 0)
        return MDB_BAD_VALSIZE;
    MDB_cursor *cur;
    int rc = mdb_cursor_open(txn, dbi, &cur);
    if (rc != 0)
        return rc;
    MDB_val k = ocop_key_val(&start), v;
    rc = mdb_cursor_get(cur, &k, &v, MDB_SET_RANGE);
    size_t scanned = 0;
    while (rc == 0) {
        if (k.mv_size <= prefix.len || memcmp(k.mv_data, prefix.buf, prefix.len) != 0) {
            rc = MDB_NOTFOUND;
            break;
        }
        const char *id = (const char *)k.mv_data + prefix.len;
        size_t id_len = k.mv_size - prefix.len - 1;
        char idbuf[128];
        if (id_len >= sizeof idbuf) {
            rc = MDB_CORRUPTED;
            break;
        }
        memcpy(idbuf, id, id_len);
        idbuf[id_len] = '\0';
        if (after_id && *after_id && strcmp(idbuf, after_id) == 0) {
            rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT);
            continue;
        }
        if (scanned == max_scan) {
            *more = 1;
            break;
        }
        int vr = visit(user, idbuf);
        scanned++;
        snprintf(last_id, last_len, "%s", idbuf);
        if (vr < 0) {
            rc = vr;
            break;
        }
        if (vr == 1) {
            /* Page full: say whether anything follows. */
            rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT);
            *more = rc == 0 && k.mv_size > prefix.len && memcmp(k.mv_data, prefix.buf, prefix.len) == 0;
            rc = 0;
            break;
        }
        rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT);
    }
    mdb_cursor_close(cur);
    if (rc == MDB_NOTFOUND)
        rc = 0;
    if (!*more)
        last_id[0] = '\0';
    return rc;
}
