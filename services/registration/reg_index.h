/* reg_index — secondary indexes as keys "index|value|id" with empty values, and cursor
 * pagination over them. Ids sort in creation order, so a page continues after the last id. */
#ifndef REG_INDEX_H
#define REG_INDEX_H

#include <lmdb.h>
#include <stddef.h>

int reg_index_put(MDB_txn *txn, MDB_dbi dbi, const char *index, const char *value, const char *id);
int reg_index_del(MDB_txn *txn, MDB_dbi dbi, const char *index, const char *value, const char *id);

/* Returns 0 to go on, 1 when the page is full, negative on error (returned as is). */
typedef int (*reg_index_visit_fn)(void *user, const char *id);

/* Visits the ids under index|value after after_id (empty = from the start), at most max_scan
 * of them. *more is set when ids remain after the last one visited, whose id is copied into
 * last_id (the next page's cursor). 0 / MDB error code / the visitor's negative code. */
int reg_index_scan(MDB_txn *txn, MDB_dbi dbi, const char *index, const char *value, const char *after_id,
                   size_t max_scan, reg_index_visit_fn visit, void *user, char *last_id, size_t last_len, int *more);

#endif
