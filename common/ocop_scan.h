/* ocop_scan — the entries of a database whose keys start with a prefix, in key order: the one
 * walk every list, index and replay in the services makes.
 *
 *     ocop_scan_t scan;
 *     int rc = ocop_scan_open(&scan, txn, dbi, &prefix, NULL);
 *     while (rc == 0 && ocop_scan_next(&scan))
 *         ... scan.key, scan.value (valid until the next call) ...
 *     rc = ocop_scan_close(&scan, rc);
 */
#ifndef OCOP_SCAN_H
#define OCOP_SCAN_H

#include <stdbool.h>

#include "ocop_key.h"

/* LMDB's handles, named without its header (the same declarations as lmdb.h's). */
typedef struct MDB_txn MDB_txn;
typedef struct MDB_cursor MDB_cursor;

typedef struct {
    MDB_cursor *cursor;
    uint8_t prefix[OCOP_KEY_MAX];
    size_t prefix_len;
    bool started;
    ocop_bytes_t start;
    ocop_bytes_t start_value; /* ocop_scan_from_value's */
    ocop_bytes_t key, value;  /* the current entry */
    int rc;                   /* what stopped the scan (0: the end of the prefix, or not stopped) */
} ocop_scan_t;

/* Opens a scan of dbi in txn over the keys that start with prefix (every key when prefix is
 * NULL), from the first such key at or after from (NULL: the first). from must live until the
 * first ocop_scan_next. 0, or an MDB error (then there is nothing to close, and
 * ocop_scan_close(scan, rc) returns rc). A handler opens one with ocop_ctx_scan_open. */
int ocop_scan_open(ocop_scan_t *scan, MDB_txn *txn, ocop_table_t dbi, const ocop_key_t *prefix, const ocop_key_t *from);

/* For a table of sorted duplicates (MDB_DUPSORT): the scan starts at from's key at its first
 * value at or after value (or at the first key after from's when it has none), where it would
 * start at the key's first value; it then goes on through the key's later values and the keys
 * after it, under the prefix. Before the first ocop_scan_next; value must live until then. */
void ocop_scan_from_value(ocop_scan_t *scan, const void *value, size_t size);

/* true with scan->key and scan->value on the next entry under the prefix; false at the end or
 * on a store error (kept for ocop_scan_close). */
bool ocop_scan_next(ocop_scan_t *scan);

/* Stops the scan with the caller's error (MDB_CORRUPTED for an entry that does not parse, say),
 * which ocop_scan_close returns. false, so that a loop can `if (bad) return ...` through it. */
bool ocop_scan_fail(ocop_scan_t *scan, int rc);

/* Closes the scan (when open_rc is 0: a scan that failed to open has nothing to close) and
 * returns open_rc, else the error that stopped it, else 0. */
int ocop_scan_close(ocop_scan_t *scan, int open_rc);

/* The last entry of dbi whose key starts with prefix (the last of all when prefix is NULL) into
 * *key and *value: 0, MDB_NOTFOUND when there is none, or an MDB error. */
int ocop_scan_last(MDB_txn *txn, ocop_table_t dbi, const ocop_key_t *prefix, ocop_bytes_t *key, ocop_bytes_t *value);

#endif
