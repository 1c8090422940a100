/* aud_intake — every event of every source appended to the log, exactly once.
 *
 * One ocop_subscriber per source (run by the service's ocop_feed) calls aud_intake_apply for
 * each event and aud_intake_batch_end once per batch, all inside the subscriber's transaction:
 * the entry, its Merkle nodes, its indexes and the source's cursor commit together or not at
 * all. A tree head is signed in the same commit once AUD_HEAD_EVERY entries are unsigned, so
 * under load signing is batched per commit; the few entries of a quiet moment are signed by
 * aud_intake_sign_pending, which the service calls twice a second: every entry is covered by a
 * signed head within half a second, and a trickle of events does not cost a head each. */
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
/* Entries left unsigned before a commit signs a head of its own. */
#define AUD_HEAD_EVERY 1000

/* An ocop_batch_end_fn: records the source's status; signs a head when AUD_HEAD_EVERY entries
 * are unsigned. */
int aud_intake_batch_end(void *user, MDB_txn *txn, uint64_t cursor, uint64_t source_last);

/* Signs the log's head in a transaction of its own when entries are unsigned. 0 / MDB error. */
int aud_intake_sign_pending(aud_state_t *state);

#endif
