/* aud_intake — every event of every source appended to the log, exactly once.
 *
 * One ocop_subscriber per source (run by the service's ocop_feed) calls aud_intake_apply for
 * each event and aud_intake_batch_end once per batch, all inside the subscriber's transaction:
 * the entry, its Merkle nodes, its indexes, the source's cursor and a freshly signed tree head
 * commit together or not at all. Signing is thus batched per commit. */
#ifndef AUD_INTAKE_H
#define AUD_INTAKE_H

#include <lmdb.h>

#include "aud_state.h"
#include "envelope.pb-c.h"

typedef struct {
    aud_state_t *state;
    char section[OCOP_NAME_MAX]; /* the config section followed, e.g. "evaluation-2" */
    char source[OCOP_NAME_MAX];  /* as its events say, e.g. "evaluation" */
    uint32_t shard;
} aud_source_t;

/* An ocop_event_apply_fn; user is an aud_source_t. */
int aud_intake_apply(void *user, MDB_txn *txn, const Ocop__Event *event, const ProtobufCBinaryData *raw);
/* An ocop_batch_end_fn: records the source's status and signs the new tree head. */
int aud_intake_batch_end(void *user, MDB_txn *txn, uint64_t cursor, uint64_t source_last);

#endif
