/* ocop_db — the only way code here writes to an LMDB store.
 *
 * Each write is counted on the thread that makes it, tried or done alike (a failed put may
 * already have changed the transaction). The service loop reads the count around a handler, so
 * it knows whether a request that refuses wrote anything first: one that did not is answered
 * inside the batch transaction as it stands; one that did makes the loop rerun the batch with
 * that request in a nested transaction (ocop_service.h).
 *
 * LMDB's own write functions are poisoned in every file that includes this header, and every
 * file of services/ includes it first (services/CMakeLists.txt), so no handler can write
 * around the count. */
#ifndef OCOP_DB_H
#define OCOP_DB_H

#include <lmdb.h>
#include <stdint.h>

/* A file compiled without LMDB (common/without_lmdb) has nothing here to use. */
#ifndef OCOP_WITHOUT_LMDB

int ocop_db_put(MDB_txn *txn, MDB_dbi dbi, MDB_val *key, MDB_val *data, unsigned int flags);
int ocop_db_del(MDB_txn *txn, MDB_dbi dbi, MDB_val *key, MDB_val *data);
int ocop_db_cursor_put(MDB_cursor *cursor, MDB_val *key, MDB_val *data, unsigned int flags);
int ocop_db_cursor_del(MDB_cursor *cursor, unsigned int flags);
int ocop_db_drop(MDB_txn *txn, MDB_dbi dbi, int del);

/* Appends value at the end of key's sorted duplicates (MDB_APPENDDUP: the page fills up). 0 when
 * the very pair is there already; MDB_KEYEXIST when value sorts before key's last; or another
 * MDB error. */
int ocop_db_append_dup(MDB_txn *txn, MDB_dbi dbi, const MDB_val *key, const MDB_val *value);

/* How many writes this thread has made since it started (it only grows). */
uint64_t ocop_db_writes(void);

#ifndef OCOP_DB_IMPLEMENTATION
#pragma GCC poison mdb_put mdb_del mdb_cursor_put mdb_cursor_del mdb_drop
#endif

#endif /* OCOP_WITHOUT_LMDB */

#endif
