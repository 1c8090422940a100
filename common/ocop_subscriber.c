/* ocop_subscriber — see ocop_subscriber.h. */
#include "ocop_date.h"
#include "ocop_db.h"
#include "ocop_subscriber.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <zmq.h>

#include "ocop_arena.h"
#include "ocop_client.h"
#include "ocop_config.h"
#include "ocop_log.h"

#define S_REPLAY_MAX 1000
#define S_POLL_DRAIN_MAX 1000
/* Events queued for a subscriber that falls behind: beyond this many the publisher drops them,
 * and the gap is fetched from the source (ocop_subscriber_catch_up), so that a burst costs a
 * bounded amount of memory rather than a copy of everything published meanwhile. */
#define S_QUEUE_MAX 10000
/* The memory of one batch (a reply of up to S_REPLAY_MAX events and the events unpacked from
 * it), reused from batch to batch. */
#define S_BATCH_ARENA (1 << 20)
/* Without traffic a missed last event would go unnoticed; so an idle subscriber asks the
 * source for anything newer this often. */
#define S_IDLE_CHECK_MS 1000

struct ocop_subscriber_t {
    ocop_subscriber_options_t opts;
    char cursor_name[OCOP_NAME_MAX * 2];
    ocop_client_t *client;
    ocop_arena_t *arena; /* one batch's replies and unpacked events */
    void *sub;
    MDB_dbi cursor_dbi;
    uint64_t cursor;
    uint64_t source_last; /* the newest sequence the source is known to have */
    uint64_t applied, dropped, gaps;
    int64_t last_check_ms;
};

int ocop_subscriber_cursor_get(MDB_txn *txn, MDB_dbi dbi, const char *cursor_name, uint64_t *cursor)
{
    *cursor = 0;
    MDB_val k = {.mv_size = strlen(cursor_name), .mv_data = (void *)cursor_name}, v;
    int rc = mdb_get(txn, dbi, &k, &v);
    if (rc == MDB_NOTFOUND)
        return 0;
    if (rc == 0 && v.mv_size != 8)
        return MDB_CORRUPTED;
    if (rc == 0)
        *cursor = ocop_be64_get(v.mv_data);
    return rc;
}

static int s_cursor_load(ocop_subscriber_t *self)
{
    MDB_txn *txn;
    if (mdb_txn_begin(ocop_store_env(self->opts.store), NULL, MDB_RDONLY, &txn) != 0)
        return -1;
    int rc = ocop_subscriber_cursor_get(txn, self->cursor_dbi, self->cursor_name, &self->cursor);
    mdb_txn_abort(txn);
    return rc == 0 ? 0 : -1;
}

ocop_subscriber_t *ocop_subscriber_new(const ocop_subscriber_options_t *opts)
{
    ocop_subscriber_t *self = calloc(1, sizeof *self);
    if (!self)
        return NULL;
    self->opts = *opts;
    if (self->opts.request_timeout_ms <= 0)
        self->opts.request_timeout_ms = 2000;
    snprintf(self->cursor_name, sizeof self->cursor_name, "%s", opts->cursor_name);
    if (!(self->arena = ocop_arena_new(S_BATCH_ARENA)) ||
        ocop_store_dbi(opts->store, OCOP_SUBSCRIBER_CURSOR_DB, 0, &self->cursor_dbi) != 0 || s_cursor_load(self) != 0)
        goto fail;
    self->sub = zmq_socket(opts->zctx, ZMQ_SUB);
    if (!self->sub)
        goto fail;
    int linger = 0, hwm = S_QUEUE_MAX;
    zmq_setsockopt(self->sub, ZMQ_LINGER, &linger, sizeof linger);
    zmq_setsockopt(self->sub, ZMQ_RCVHWM, &hwm, sizeof hwm);
    if (ocop_curve_client(self->sub, opts->keys, opts->server_public_z85) != 0 ||
        zmq_setsockopt(self->sub, ZMQ_SUBSCRIBE, "", 0) != 0 || zmq_connect(self->sub, opts->events_endpoint) != 0)
        goto fail;
    self->client = ocop_client_new(opts->zctx, opts->endpoint, opts->server_public_z85, opts->keys, opts->cursor_name);
    if (!self->client)
        goto fail;
    return self;
fail:
    ocop_log_error("subscriber_failed", "cursor=%s", opts->cursor_name);
    ocop_subscriber_destroy(&self);
    return NULL;
}

void ocop_subscriber_destroy(ocop_subscriber_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    ocop_subscriber_t *self = *self_p;
    ocop_client_destroy(&self->client);
    if (self->sub)
        zmq_close(self->sub);
    ocop_arena_destroy(&self->arena);
    free(self);
    *self_p = NULL;
}

uint64_t ocop_subscriber_cursor(const ocop_subscriber_t *self)
{
    return self->cursor;
}
uint64_t ocop_subscriber_applied(const ocop_subscriber_t *self)
{
    return self->applied;
}
uint64_t ocop_subscriber_dropped(const ocop_subscriber_t *self)
{
    return self->dropped;
}
uint64_t ocop_subscriber_gaps(const ocop_subscriber_t *self)
{
    return self->gaps;
}
void *ocop_subscriber_socket(ocop_subscriber_t *self)
{
    return self->sub;
}

/* Applies packed events in one transaction. Returns 0, 1 when a gap stopped it (what came
 * before the gap is kept), -1 on failure (nothing kept). */
static int s_apply_once_held(ocop_subscriber_t *self, const ProtobufCBinaryData *events, size_t n, int *gap,
                             uint64_t *applied, uint64_t *dropped);

static int s_apply_once(ocop_subscriber_t *self, const ProtobufCBinaryData *events, size_t n, int *gap,
                        uint64_t *applied, uint64_t *dropped)
{
    ocop_store_hold(self->opts.store);
    int rc = s_apply_once_held(self, events, n, gap, applied, dropped);
    ocop_store_release(self->opts.store);
    return rc;
}

static int s_apply_once_held(ocop_subscriber_t *self, const ProtobufCBinaryData *events, size_t n, int *gap,
                             uint64_t *applied, uint64_t *dropped)
{
    MDB_txn *txn;
    int rc = mdb_txn_begin(ocop_store_env(self->opts.store), NULL, 0, &txn);
    if (rc != 0)
        return rc;
    uint64_t cursor = self->cursor;
    *gap = 0;
    *applied = *dropped = 0;
    for (size_t i = 0; i < n && !*gap; i++) {
        Ocop__Event *ev = ocop__event__unpack(ocop_arena_allocator(self->arena), events[i].len, events[i].data);
        if (!ev) {
            ocop_log_warn("event_malformed", "cursor=%s", self->cursor_name);
            continue;
        }
        if (ev->sequence <= cursor) {
            (*dropped)++;
        } else if (ev->sequence > cursor + 1) {
            *gap = 1;
        } else {
            rc = self->opts.apply(self->opts.user, txn, ev, &events[i]);
            if (rc == 0) {
                cursor = ev->sequence;
                (*applied)++;
            }
        }
        if (ev->sequence > self->source_last)
            self->source_last = ev->sequence;
        if (rc != 0) {
            mdb_txn_abort(txn);
            return rc;
        }
    }
    if (cursor != self->cursor && self->opts.batch_end) {
        rc = self->opts.batch_end(self->opts.user, txn, cursor, self->source_last);
        if (rc != 0) {
            mdb_txn_abort(txn);
            return rc;
        }
    }
    if (cursor != self->cursor) {
        uint8_t vb[8];
        ocop_be64_put(vb, cursor);
        MDB_val k = {.mv_size = strlen(self->cursor_name), .mv_data = self->cursor_name};
        MDB_val v = {.mv_size = 8, .mv_data = vb};
        rc = ocop_db_put(txn, self->cursor_dbi, &k, &v, 0);
        if (rc != 0) {
            mdb_txn_abort(txn);
            return rc;
        }
    }
    rc = mdb_txn_commit(txn);
    if (rc != 0)
        return rc;
    self->cursor = cursor;
    return 0;
}

static int s_apply(ocop_subscriber_t *self, const ProtobufCBinaryData *events, size_t n, int *gap)
{
    for (;;) {
        uint64_t applied, dropped;
        int rc = s_apply_once(self, events, n, gap, &applied, &dropped);
        if (rc == 0) {
            self->applied += applied;
            self->dropped += dropped;
            return 0;
        }
        if (rc == MDB_MAP_FULL && ocop_store_grow(self->opts.store) == 0)
            continue;
        if (rc == MDB_MAP_FULL)
            ocop_log_error(
                "storage_full",
                "cursor=%s map_size=%zu map_max=%zu effect=\"its events wait: raise map_max_mb and restart\"",
                self->cursor_name, ocop_store_map_size(self->opts.store), ocop_store_map_max(self->opts.store));
        else
            ocop_log_error("subscriber_apply_failed", "cursor=%s error=\"%s\"", self->cursor_name, mdb_strerror(rc));
        return -1;
    }
}

int ocop_subscriber_catch_up(ocop_subscriber_t *self)
{
    self->last_check_ms = ocop_monotonic_ms();
    for (;;) {
        Ocop__EventsFrom from = OCOP__EVENTS_FROM__INIT;
        from.from_sequence = self->cursor + 1;
        from.max = S_REPLAY_MAX;
        Ocop__Request req = OCOP__REQUEST__INIT;
        req.body_case = OCOP__REQUEST__BODY_EVENTS_FROM;
        req.events_from = &from;
        Ocop__Reply *reply;
        ocop_arena_reset(self->arena);
        if (ocop_client_call_in(self->client, &req, ocop_arena_allocator(self->arena), &reply,
                                self->opts.request_timeout_ms, 3) != 0) {
            ocop_log_warn("replay_unanswered", "cursor=%s from=%llu", self->cursor_name,
                          (unsigned long long)from.from_sequence);
            return -1;
        }
        if (reply->status != OCOP__STATUS__STATUS_OK || reply->body_case != OCOP__REPLY__BODY_EVENTS) {
            ocop_log_warn("replay_refused", "cursor=%s message=\"%s\"", self->cursor_name, reply->message);
            return -1;
        }
        Ocop__EventBatch *batch = reply->events;
        uint64_t before = self->cursor;
        if (batch->last_sequence > self->source_last)
            self->source_last = batch->last_sequence;
        int gap = 0;
        int rc = s_apply(self, batch->events, batch->n_events, &gap);
        uint64_t last = batch->last_sequence;
        if (rc != 0)
            return -1;
        if (self->cursor >= last)
            return 0;
        if (self->cursor == before) {
            /* The source claims newer events but handed out none we could apply. */
            ocop_log_error("replay_stuck", "cursor=%s at=%llu source_last=%llu", self->cursor_name,
                           (unsigned long long)self->cursor, (unsigned long long)last);
            return -1;
        }
    }
}

int ocop_subscriber_poll(ocop_subscriber_t *self, int timeout_ms)
{
    zmq_pollitem_t items[] = {{self->sub, 0, ZMQ_POLLIN, 0}};
    int rc = zmq_poll(items, 1, timeout_ms);
    if (rc < 0)
        return errno == EINTR ? 0 : -1;
    if (rc == 0) {
        if (ocop_monotonic_ms() - self->last_check_ms >= S_IDLE_CHECK_MS)
            return ocop_subscriber_catch_up(self);
        return 0;
    }
    zmq_msg_t msgs[S_POLL_DRAIN_MAX];
    ProtobufCBinaryData events[S_POLL_DRAIN_MAX];
    size_t n = 0;
    while (n < S_POLL_DRAIN_MAX) {
        zmq_msg_init(&msgs[n]);
        if (zmq_msg_recv(&msgs[n], self->sub, ZMQ_DONTWAIT) < 0) {
            zmq_msg_close(&msgs[n]);
            break;
        }
        events[n].data = zmq_msg_data(&msgs[n]);
        events[n].len = zmq_msg_size(&msgs[n]);
        n++;
    }
    int gap = 0;
    ocop_arena_reset(self->arena);
    rc = s_apply(self, events, n, &gap);
    for (size_t i = 0; i < n; i++)
        zmq_msg_close(&msgs[i]);
    if (rc != 0)
        return -1;
    if (gap) {
        self->gaps++;
        return ocop_subscriber_catch_up(self);
    }
    return 0;
}
