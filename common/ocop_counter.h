/* ocop_counter — 64-bit counters stored as LMDB values (8 bytes, big-endian), with one rule for
 * every service that keeps them: a counter that would go below zero is an error (the table no
 * longer matches what it counts: MDB_CORRUPTED), never clamped to zero; a value of another size
 * is MDB_CORRUPTED too; a counter that reaches zero is deleted, so absent means zero. */
#ifndef OCOP_COUNTER_H
#define OCOP_COUNTER_H

#include <lmdb.h>
#include <stdint.h>

/* The counter under key into *value (0 when absent). 0, or an MDB error code. */
int ocop_counter_get(MDB_txn *txn, MDB_dbi dbi, const MDB_val *key, uint64_t *value);

/* Adds delta to the counter under key; *after (may be NULL) gets its new value. 0, or an MDB
 * error code (MDB_CORRUPTED when it would go below zero or past 2^64 - 1). */
int ocop_counter_add(MDB_txn *txn, MDB_dbi dbi, const MDB_val *key, int64_t delta, uint64_t *after);

/* Sets the counter under key (0 deletes it). 0, or an MDB error code. */
int ocop_counter_set(MDB_txn *txn, MDB_dbi dbi, const MDB_val *key, uint64_t value);

#endif
