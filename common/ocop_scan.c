/* ocop_scan — see ocop_scan.h. */
#include "ocop_scan.h"

#include <string.h>

int ocop_scan_open(ocop_scan_t *scan, MDB_txn *txn, MDB_dbi dbi, const ocop_key_t *prefix, const ocop_key_t *from)
{
    memset(scan, 0, sizeof *scan);
    if (prefix) {
        memcpy(scan->prefix, prefix->buf, prefix->len);
        scan->prefix_len = prefix->len;
    }
    const ocop_key_t *start = from ? from : prefix;
    if (start)
        scan->start = (MDB_val){.mv_size = start->len, .mv_data = (void *)start->buf};
    return mdb_cursor_open(txn, dbi, &scan->cursor);
}

bool ocop_scan_next(ocop_scan_t *scan)
{
    if (!scan->cursor || scan->rc != 0)
        return false;
    int rc;
    if (scan->started) {
        rc = mdb_cursor_get(scan->cursor, &scan->key, &scan->value, MDB_NEXT);
    } else {
        scan->started = true;
        scan->key = scan->start;
        rc = scan->start.mv_size ? mdb_cursor_get(scan->cursor, &scan->key, &scan->value, MDB_SET_RANGE)
                                 : mdb_cursor_get(scan->cursor, &scan->key, &scan->value, MDB_FIRST);
    }
    if (rc != 0) {
        if (rc != MDB_NOTFOUND)
            scan->rc = rc;
        return false;
    }
    if (scan->key.mv_size < scan->prefix_len || memcmp(scan->key.mv_data, scan->prefix, scan->prefix_len) != 0)
        return false;
    return true;
}

bool ocop_scan_fail(ocop_scan_t *scan, int rc)
{
    scan->rc = rc;
    return false;
}

int ocop_scan_close(ocop_scan_t *scan, int open_rc)
{
    if (open_rc != 0)
        return open_rc;
    if (scan->cursor)
        mdb_cursor_close(scan->cursor);
    scan->cursor = NULL;
    return scan->rc;
}

int ocop_scan_last(MDB_txn *txn, MDB_dbi dbi, const ocop_key_t *prefix, MDB_val *key, MDB_val *value)
{
    MDB_cursor *cursor;
    int rc = mdb_cursor_open(txn, dbi, &cursor);
    if (rc != 0)
        return rc;
    /* The first key past every key under the prefix: the prefix with its last byte below 0xff
     * raised and the bytes after it dropped (none when every byte is 0xff: then the last key). */
    uint8_t past[OCOP_KEY_MAX];
    size_t len = prefix ? prefix->len : 0;
    if (len)
        memcpy(past, prefix->buf, len);
    while (len > 0 && past[len - 1] == 0xff)
        len--;
    if (len > 0) {
        past[len - 1]++;
        *key = (MDB_val){.mv_size = len, .mv_data = past};
        rc = mdb_cursor_get(cursor, key, value, MDB_SET_RANGE);
        rc = mdb_cursor_get(cursor, key, value, rc == 0 ? MDB_PREV : MDB_LAST);
    } else {
        rc = mdb_cursor_get(cursor, key, value, MDB_LAST);
    }
    mdb_cursor_close(cursor);
    if (rc == 0 && prefix && (key->mv_size < prefix->len || memcmp(key->mv_data, prefix->buf, prefix->len) != 0))
        rc = MDB_NOTFOUND;
    return rc;
}
