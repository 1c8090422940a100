/* ocop_scan — see ocop_scan.h. */
#include "ocop_scan.h"

#include <lmdb.h>
#include <string.h>

int ocop_scan_open(ocop_scan_t *scan, MDB_txn *txn, ocop_table_t dbi, const ocop_key_t *prefix, const ocop_key_t *from)
{
    memset(scan, 0, sizeof *scan);
    if (prefix) {
        memcpy(scan->prefix, prefix->buf, prefix->len);
        scan->prefix_len = prefix->len;
    }
    const ocop_key_t *start = from ? from : prefix;
    if (start)
        scan->start = (ocop_bytes_t){.data = start->buf, .size = start->len};
    return mdb_cursor_open(txn, dbi, &scan->cursor);
}

void ocop_scan_from_value(ocop_scan_t *scan, const void *value, size_t size)
{
    scan->start_value = (ocop_bytes_t){.data = value, .size = size};
}

/* The first entry at or after (key, value) in a table of sorted duplicates: the key's first value
 * not below value, else the next key's first. */
static int s_first_from_value(MDB_cursor *cursor, MDB_val *k, MDB_val *v, ocop_bytes_t value)
{
    const MDB_val key = *k;
    *v = (MDB_val){.mv_size = value.size, .mv_data = (void *)value.data};
    int rc = mdb_cursor_get(cursor, k, v, MDB_GET_BOTH_RANGE);
    if (rc == 0)
        return mdb_cursor_get(cursor, k, v, MDB_GET_CURRENT); /* the key as stored */
    if (rc != MDB_NOTFOUND)
        return rc;
    *k = key;
    rc = mdb_cursor_get(cursor, k, v, MDB_SET_RANGE);
    if (rc == 0 && k->mv_size == key.mv_size && memcmp(k->mv_data, key.mv_data, key.mv_size) == 0)
        rc = mdb_cursor_get(cursor, k, v, MDB_NEXT_NODUP); /* every value of the key is below */
    return rc;
}

bool ocop_scan_next(ocop_scan_t *scan)
{
    if (!scan->cursor || scan->rc != 0)
        return false;
    MDB_val k = {.mv_size = scan->start.size, .mv_data = (void *)scan->start.data}, v;
    int rc;
    if (scan->started) {
        rc = mdb_cursor_get(scan->cursor, &k, &v, MDB_NEXT);
    } else {
        scan->started = true;
        if (scan->start_value.size)
            rc = s_first_from_value(scan->cursor, &k, &v, scan->start_value);
        else
            rc = mdb_cursor_get(scan->cursor, &k, &v, scan->start.size ? MDB_SET_RANGE : MDB_FIRST);
    }
    if (rc != 0) {
        if (rc != MDB_NOTFOUND)
            scan->rc = rc;
        return false;
    }
    scan->key = (ocop_bytes_t){.data = k.mv_data, .size = k.mv_size};
    scan->value = (ocop_bytes_t){.data = v.mv_data, .size = v.mv_size};
    return k.mv_size >= scan->prefix_len && memcmp(k.mv_data, scan->prefix, scan->prefix_len) == 0;
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

int ocop_scan_last(MDB_txn *txn, ocop_table_t dbi, const ocop_key_t *prefix, ocop_bytes_t *key, ocop_bytes_t *value)
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
    MDB_val k = {.mv_size = len, .mv_data = past}, v;
    if (len > 0) {
        past[len - 1]++;
        rc = mdb_cursor_get(cursor, &k, &v, MDB_SET_RANGE);
        rc = mdb_cursor_get(cursor, &k, &v, rc == 0 ? MDB_PREV : MDB_LAST);
    } else {
        rc = mdb_cursor_get(cursor, &k, &v, MDB_LAST);
    }
    mdb_cursor_close(cursor);
    if (rc == 0 && prefix && (k.mv_size < prefix->len || memcmp(k.mv_data, prefix->buf, prefix->len) != 0))
        rc = MDB_NOTFOUND;
    if (rc == 0) {
        *key = (ocop_bytes_t){.data = k.mv_data, .size = k.mv_size};
        if (value)
            *value = (ocop_bytes_t){.data = v.mv_data, .size = v.mv_size};
    }
    return rc;
}
