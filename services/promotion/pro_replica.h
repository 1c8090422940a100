/* pro_replica — what trade promotion knows of ratings: evaluation's certificate and rating
 * events, applied by the service's subscribers (one per evaluation shard) in their own
 * transactions. A product that loses its rating (certificate revoked or expired, stars below 3)
 * is marked in `cascade`; the service then cancels its future bookings and listings through
 * its own request path (ProCascadeDue), so every step emits its events. */
#ifndef PRO_REPLICA_H
#define PRO_REPLICA_H

#include <lmdb.h>

#include "envelope.pb-c.h"

/* An ocop_event_apply_fn; user is the pro_state_t. */
int pro_replica_apply(void *user, MDB_txn *txn, const Ocop__Event *event, const ProtobufCBinaryData *raw);

#endif
