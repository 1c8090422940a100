/* ocop_subscriber — lossless consumption of another service's events.
 *
 * Subscribes to the source's PUB socket and keeps the last applied sequence (the cursor) in
 * the subscriber's own LMDB, written in the same transaction as the effect of the events.
 * On start and whenever a gap is seen it asks the source's ROUTER for the events after the
 * cursor (EventsFrom) and applies them in order; anything at or below the cursor is dropped.
 * Effect: exactly once. Delivery: at least once. */
#ifndef OCOP_SUBSCRIBER_H
#define OCOP_SUBSCRIBER_H

#include <lmdb.h>
#include <stdint.h>

#include "envelope.pb-c.h"
#include "ocop_keys.h"
#include "ocop_store.h"

typedef struct ocop_subscriber_t ocop_subscriber_t;

/* Applies one event inside the subscriber's write transaction; raw is the event's bytes as the
 * source published them. Nonzero aborts the batch (nothing of it is kept, the cursor does not
 * move) and is returned to the caller. */
typedef int (*ocop_event_apply_fn)(void *user, MDB_txn *txn, const Ocop__Event *event, const ProtobufCBinaryData *raw);

/* Called once per batch that moved the cursor, after its last event and before the commit, with
 * the new cursor and the newest sequence the source is known to have. Nonzero aborts the batch
 * as for apply. */
typedef int (*ocop_batch_end_fn)(void *user, MDB_txn *txn, uint64_t cursor, uint64_t source_last);

typedef struct {
    void *zctx;
    ocop_store_t *store;         /* the subscriber's own store; not owned */
    const char *cursor_name;     /* key of the cursor, e.g. "registration/0" */
    const char *endpoint;        /* source ROUTER (replay) */
    const char *events_endpoint; /* source PUB */
    const char *server_public_z85;
    const ocop_keypair_t *keys; /* the subscriber's own pair */
    ocop_event_apply_fn apply;
    ocop_batch_end_fn batch_end; /* optional */
    void *user;
    int request_timeout_ms; /* 0 = 2000 */
} ocop_subscriber_options_t;

ocop_subscriber_t *ocop_subscriber_new(const ocop_subscriber_options_t *opts);
void ocop_subscriber_destroy(ocop_subscriber_t **self_p);

/* Replays from the cursor until the source says there is nothing newer. 0, or -1 when the
 * source does not answer or apply fails. */
int ocop_subscriber_catch_up(ocop_subscriber_t *self);

/* Waits up to timeout_ms for published events and applies them; a gap triggers a catch-up.
 * 0 (also when nothing arrived), -1 on error. */
int ocop_subscriber_poll(ocop_subscriber_t *self, int timeout_ms);

uint64_t ocop_subscriber_cursor(const ocop_subscriber_t *self);

/* The database of the subscribers' cursors in their store, and a cursor read inside txn (0 when
 * the subscriber has applied nothing yet): what a handler reads to say how far its replica is. */
#define OCOP_SUBSCRIBER_CURSOR_DB "cursors"
int ocop_subscriber_cursor_get(MDB_txn *txn, MDB_dbi dbi, const char *cursor_name, uint64_t *cursor);
/* Counters: events applied, repeats dropped, gaps that caused a replay. */
uint64_t ocop_subscriber_applied(const ocop_subscriber_t *self);
uint64_t ocop_subscriber_dropped(const ocop_subscriber_t *self);
uint64_t ocop_subscriber_gaps(const ocop_subscriber_t *self);
/* The SUB socket, for zmq_poll by a service that also serves requests. */
void *ocop_subscriber_socket(ocop_subscriber_t *self);

#endif
