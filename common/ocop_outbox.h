/* ocop_outbox — the service's event log inside its own LMDB: key = big-endian sequence,
 * value = packed ocop.Event. Written in the same transaction as the change it describes. */
#ifndef OCOP_OUTBOX_H
#define OCOP_OUTBOX_H

#include <lmdb.h>
#include <stddef.h>
#include <stdint.h>

#include "ocop_arena.h"
#include "ocop_store.h"

#define OCOP_OUTBOX_DB "outbox"

/* Opens the outbox database. 0 / -1. */
int ocop_outbox_open(ocop_store_t *store, MDB_dbi *dbi);

/* Highest stored sequence (0 when empty). 0 / MDB error code. */
int ocop_outbox_last(MDB_txn *txn, MDB_dbi dbi, uint64_t *last);

/* Stores packed event bytes under seq, a large event compressed into arena first (ocop_stored).
 * 0 / MDB error code / ENOMEM. */
int ocop_outbox_put(MDB_txn *txn, MDB_dbi dbi, ocop_arena_t *arena, uint64_t seq, const void *data, size_t len);

/* Calls fn for each event with sequence >= from, in order, until max events or max_bytes of
 * data (at least one event is always returned) or fn returns nonzero. fn gets the packed event,
 * decompressed into arena when it was stored compressed; data is valid only during the call.
 * Returns 0 / MDB error code (MDB_CORRUPTED: an event that cannot be read back) / ENOMEM;
 * *count says how many were visited. */
typedef int (*ocop_outbox_visit_fn)(void *user, uint64_t seq, const void *data, size_t len);
int ocop_outbox_scan(MDB_txn *txn, MDB_dbi dbi, ocop_arena_t *arena, uint64_t from, size_t max, size_t max_bytes,
                     ocop_outbox_visit_fn fn, void *user, size_t *count);

#endif
