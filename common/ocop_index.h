/* ocop_index — secondary indexes: the ids of records that share a value, as keys
 * "index|value|id" (ocop_key_str each) with empty values, one database holding several indexes
 * (a record's province, its stage, ...), and pages over them. Ids that sort in creation order
 * ("PRD-00000042") make a page continue after the last id it gave. Handlers use them through the
 * context (ocop_ctx_index_*, ocop_service.h). */
#ifndef OCOP_INDEX_H
#define OCOP_INDEX_H

#include <stddef.h>

#include "ocop_scan.h"

/* Adds or removes id under index|value. 0 / MDB error code (MDB_BAD_VALSIZE for a key too long;
 * removing what is absent is no error). */
int ocop_index_put(MDB_txn *txn, ocop_table_t dbi, const char *index, const char *value, const char *id);
int ocop_index_del(MDB_txn *txn, ocop_table_t dbi, const char *index, const char *value, const char *id);

/* Returns 0 to go on, 1 when the page is full, negative on error (returned as is). */
typedef int (*ocop_index_visit_fn)(void *user, const char *id);

/* Visits the ids under index|value after after_id (empty = from the start), at most max_scan
 * of them. *more is set when ids remain after the last one visited, whose id is copied into
 * last_id (the next page's cursor; cleared first, so not after_id's own buffer). 0 / MDB error
 * code / the visitor's negative code. */
int ocop_index_scan(MDB_txn *txn, ocop_table_t dbi, const char *index, const char *value, const char *after_id,
                    size_t max_scan, ocop_index_visit_fn visit, void *user, char *last_id, size_t last_len, int *more);

#endif
