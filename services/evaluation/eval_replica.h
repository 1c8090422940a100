/* eval_replica — what an evaluation shard knows of products: registration's events for the
 * provinces it owns, applied by the shard's subscriber (ocop_feed) in the subscriber's own
 * transaction. The shard never asks registration: it reads this replica (a service reads only its own store).
 * Ratings, certificates and sessions live in the same EvalProduct records and are left alone
 * by the replica. */
#ifndef EVAL_REPLICA_H
#define EVAL_REPLICA_H

#include <lmdb.h>

#include "envelope.pb-c.h"

/* An ocop_event_apply_fn: user is the eval_state_t. Events of other provinces and kinds are
 * skipped. 0, or an MDB error code (the subscriber then keeps nothing of the batch). */
int eval_replica_apply(void *user, MDB_txn *txn, const Ocop__Event *event, const ProtobufCBinaryData *raw);

#endif
