/* ocop_index — see ocop_index.h. */
#include "ocop_index.h"

#include <stdio.h>
#include <string.h>

#include "ocop_db.h"
#include "ocop_scan.h"
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

int ocop_index_put(MDB_txn *txn, ocop_table_t dbi, const char *index, const char *value, const char *id)
{
    ocop_key_t k;
    int rc = s_key(&k, index, value, id);
    if (rc != 0)
        return rc;
    MDB_val kv = ocop_key_val(&k), empty = {.mv_size = 0, .mv_data = ""};
    return ocop_db_put(txn, dbi, &kv, &empty, 0);
}

int ocop_index_del(MDB_txn *txn, ocop_table_t dbi, const char *index, const char *value, const char *id)
{
    ocop_key_t k;
    int rc = s_key(&k, index, value, id);
    if (rc != 0)
        return rc;
    MDB_val kv = ocop_key_val(&k);
    rc = ocop_db_del(txn, dbi, &kv, NULL);
    return rc == MDB_NOTFOUND ? 0 : rc;
}

int ocop_index_scan(MDB_txn *txn, ocop_table_t dbi, const char *index, const char *value, const char *after_id,
                    size_t max_scan, ocop_index_visit_fn visit, void *user, char *last_id, size_t last_len, int *more)
{
    *more = 0;
    last_id[0] = '\0';
    ocop_key_t prefix, start;
    if (s_key(&prefix, index, value, NULL) != 0 || s_key(&start, index, value, after_id) != 0)
        return MDB_BAD_VALSIZE;
    ocop_scan_t scan;
    int rc = ocop_scan_open(&scan, txn, dbi, &prefix, &start);
    size_t scanned = 0;
    while (rc == 0 && ocop_scan_next(&scan)) {
        if (scan.key.size <= prefix.len)
            break;
        const char *id = (const char *)scan.key.data + prefix.len;
        size_t id_len = scan.key.size - prefix.len - 1;
        char idbuf[128];
        if (id_len >= sizeof idbuf) {
            ocop_scan_fail(&scan, MDB_CORRUPTED);
            break;
        }
        memcpy(idbuf, id, id_len);
        idbuf[id_len] = '\0';
        if (after_id && *after_id && strcmp(idbuf, after_id) == 0)
            continue;
        if (scanned == max_scan) {
            *more = 1;
            break;
        }
        int vr = visit(user, idbuf);
        scanned++;
        snprintf(last_id, last_len, "%s", idbuf);
        if (vr < 0) {
            ocop_scan_fail(&scan, vr);
            break;
        }
        if (vr == 1) {
            /* Page full: say whether anything follows. */
            *more = ocop_scan_next(&scan) && scan.key.size > prefix.len;
            break;
        }
    }
    rc = ocop_scan_close(&scan, rc);
    if (!*more)
        last_id[0] = '\0';
    return rc;
}
