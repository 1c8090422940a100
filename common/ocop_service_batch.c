/* ocop_service_batch — one batch: each request validated and run by its handler inside the
 * batch transaction (nested only on a rerun), idempotent replies, one fsync'd commit, and the
 * reruns that map growth and store failures need. */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ocop_client.h"
#include "ocop_db.h"
#include "ocop_error.h"
#include "ocop_log.h"
#include "ocop_outbox.h"
#include "ocop_service_private.h"
#include "ocop_text.h"

#define S_REQUEST_ID_MAX OCOP_REQUEST_ID_MAX
#define S_CALLER_MAX 128
#define S_EVENTS_DEFAULT 1000
#define S_EVENTS_MAX 10000
#define S_EVENTS_MAX_BYTES (4u << 20)
/* Request ids are remembered for a week: long enough for any client's retries, short enough
 * that the table does not grow without bound. */
#define S_REQUEST_ID_RETENTION_MS (7LL * 24 * 3600 * 1000)
#define S_PRUNE_PER_BATCH 256

/* ---------------------------------------------------------------- built-in requests */

static void s_handle_ping(ocop_service_t *self, Ocop__Reply *reply)
{
    Ocop__Pong *pong = ocop_arena_alloc(self->arena, sizeof *pong);
    ocop__pong__init(pong);
    pong->service = self->name;
    pong->shard = self->shard;
    pong->last_sequence = self->last_seq;
    pong->uptime_ms = (uint64_t)(ocop_now_ms() - self->started_ms);
    pong->requests = self->n_requests;
    pong->errors = self->n_errors;
    pong->batches = self->n_batches;
    pong->batch_requests_max = self->n_batch_max;
    pong->batch_reruns = self->n_reruns;
    pong->store_path = (char *)ocop_store_path(self->store);
    pong->map_size = ocop_store_map_size(self->store);
    pong->map_max = ocop_store_map_max(self->store);
    pong->store_used_bytes = ocop_store_used_bytes(self->store);
    pong->n_latency_bounds_us = pong->n_requests_by_bound = OCOP__LATENCY_BOUNDS;
    pong->latency_bounds_us = (uint64_t *)ocop__latency_bounds_us;
    pong->requests_by_bound = ocop_arena_alloc(self->arena, OCOP__LATENCY_BOUNDS * sizeof(uint64_t));
    uint64_t cumulative = 0;
    for (size_t i = 0; i < OCOP__LATENCY_BOUNDS; i++) {
        cumulative += self->latency_counts[i];
        pong->requests_by_bound[i] = cumulative;
    }
    pong->latency_sum_us = self->latency_sum_us;
    reply->body_case = OCOP__REPLY__BODY_PONG;
    reply->pong = pong;
}

typedef struct {
    ocop_arena_t *arena;
    Ocop__EventBatch *batch;
    size_t cap;
    uint64_t last_committed;
} s_scan_t;

static int s_collect_event(void *user, uint64_t seq, const void *data, size_t len)
{
    s_scan_t *scan = user;
    /* Events of the batch still open are not durable yet: never hand them out. */
    if (seq > scan->last_committed)
        return 1;
    ProtobufCBinaryData *slot = &scan->batch->events[scan->batch->n_events++];
    slot->data = ocop_arena_alloc(scan->arena, len ? len : 1);
    memcpy(slot->data, data, len);
    slot->len = len;
    return 0;
}

static void s_handle_events_from(ocop_service_t *self, MDB_txn *txn, const Ocop__EventsFrom *from, Ocop__Reply *reply)
{
    size_t max = from->max ? from->max : S_EVENTS_DEFAULT;
    if (max > S_EVENTS_MAX)
        max = S_EVENTS_MAX;
    Ocop__EventBatch *batch = ocop_arena_alloc(self->arena, sizeof *batch);
    ocop__event_batch__init(batch);
    batch->events = ocop_arena_alloc(self->arena, max * sizeof *batch->events);
    batch->last_sequence = self->last_seq;
    s_scan_t scan = {.arena = self->arena, .batch = batch, .cap = max, .last_committed = self->last_seq};
    size_t visited;
    uint64_t start = from->from_sequence ? from->from_sequence : 1;
    int rc = ocop_outbox_scan(txn, self->outbox_dbi, self->arena, start, max, S_EVENTS_MAX_BYTES, s_collect_event,
                              &scan, &visited);
    if (rc != 0) {
        ocop__reply_status(self->arena, reply, OCOP_E_INTERNAL, "", "cannot read the outbox");
        return;
    }
    reply->body_case = OCOP__REPLY__BODY_EVENTS;
    reply->events = batch;
}

/* ---------------------------------------------------------------- one request */

const ocop_route_t *ocop__route(const ocop_service_t *self, Ocop__Request__BodyCase body)
{
    for (size_t i = 0; i < self->route_count; i++)
        if (self->routes[i].body == body)
            return &self->routes[i];
    return NULL;
}

static int s_reply_pack(ocop_service_t *self, ocop__item_t *item, const Ocop__Reply *reply)
{
    (void)self;
    if (ocop__reply_pack(reply, &item->reply, &item->reply_len) != 0)
        return -1;
    item->failed = reply->status != OCOP__STATUS__STATUS_OK;
    return 0;
}

/* A remembered reply is kept as be64(time) || S_DIGEST_MARK || digest || packed reply, where
 * digest is BLAKE2b-256 of the request re-packed (route, caller and body; protobuf-c packs
 * fields in number order, so equal requests give equal bytes). Records written before the
 * digest was kept start their reply right after the time; a Reply never starts with 0xff or
 * 0xfe. A route with a replay keeps be64(time) || S_REPLAY_MARK || digest || the record's id
 * instead, and a retry is answered with the record rebuilt. */
#define S_DIGEST_MARK 0xffu
#define S_REPLAY_MARK 0xfeu
#define S_DIGEST_LEN crypto_generichash_BYTES
#define S_REPLAY_ID_MAX 255

/* The request's digest, as kept beside its reply. 0 / -1 (out of memory). */
static int s_request_digest(ocop_service_t *self, const Ocop__Request *req, uint8_t digest[S_DIGEST_LEN])
{
    size_t len = ocop__request__get_packed_size(req);
    uint8_t *buf = ocop_arena_alloc(self->arena, len ? len : 1);
    if (!buf)
        return -1;
    ocop__request__pack(req, buf);
    crypto_generichash(digest, S_DIGEST_LEN, buf, len, NULL, 0);
    return 0;
}

/* A retry of a route with a replay: the record of id rebuilt as it is now, packed into item. */
static int s_replay(ocop_service_t *self, MDB_txn *txn, const ocop_route_t *route, const Ocop__Request *req,
                    const char *id, ocop__item_t *item)
{
    ocop_ctx_t ctx = {.svc = self,
                      .route = route,
                      .arena = self->arena,
                      .txn = txn,
                      .caller = req->caller,
                      .request_id = req->request_id,
                      .now_ms = ocop_now_ms()};
    Ocop__Reply reply;
    ocop__reply__init(&reply);
    reply.request_id = req->request_id;
    if (route->replay->rebuild(&ctx, id, &reply) != 0 && reply.status == OCOP__STATUS__STATUS_OK)
        ocop__reply_status(self->arena, &reply, OCOP_E_INTERNAL, "", "the reply could not be rebuilt");
    if (ocop__reply_pack(&reply, &item->reply, &item->reply_len) != 0)
        return -1;
    item->failed = reply.status != OCOP__STATUS__STATUS_OK;
    return 0;
}

/* Looks up a remembered reply for a writing request: 1 found (copied or rebuilt into item), 2 the
 * id was used by a different request, 0 not found, -1 error. */
static int s_recall(ocop_service_t *self, MDB_txn *txn, const ocop_route_t *route, const Ocop__Request *req,
                    const uint8_t *digest, ocop__item_t *item)
{
    MDB_val k = {.mv_size = strlen(req->request_id), .mv_data = (void *)req->request_id}, v;
    int rc = mdb_get(txn, self->requests_dbi, &k, &v);
    if (rc == MDB_NOTFOUND)
        return 0;
    if (rc != 0 || v.mv_size < 8)
        return -1;
    const uint8_t *reply = (const uint8_t *)v.mv_data + 8;
    size_t reply_len = v.mv_size - 8;
    if (reply_len > 0 && (reply[0] == S_DIGEST_MARK || reply[0] == S_REPLAY_MARK)) {
        if (reply_len < 1 + S_DIGEST_LEN)
            return -1;
        if (sodium_memcmp(reply + 1, digest, S_DIGEST_LEN) != 0)
            return 2;
        if (reply[0] == S_REPLAY_MARK) {
            size_t id_len = reply_len - 1 - S_DIGEST_LEN;
            if (id_len == 0 || !route->replay)
                return -1;
            char *id = ocop_arena_alloc(self->arena, id_len + 1);
            memcpy(id, reply + 1 + S_DIGEST_LEN, id_len);
            id[id_len] = '\0';
            if (s_replay(self, txn, route, req, id, item) != 0)
                return -1;
            self->n_repeats++;
            return 1;
        }
        reply += 1 + S_DIGEST_LEN;
        reply_len -= 1 + S_DIGEST_LEN;
    }
    item->reply_len = reply_len;
    item->reply = malloc(reply_len ? reply_len : 1);
    if (!item->reply)
        return -1;
    memcpy(item->reply, reply, reply_len);
    item->failed = 0; /* only successful replies are remembered */
    self->n_repeats++;
    return 1;
}

static int s_remember(ocop_service_t *self, MDB_txn *txn, const ocop_route_t *route, const Ocop__Reply *reply,
                      const char *request_id, const uint8_t *digest, int64_t now, const ocop__item_t *item)
{
    const char *id = route->replay ? route->replay->id(reply) : NULL;
    size_t id_len = id ? strlen(id) : 0;
    int compact = id_len > 0 && id_len <= S_REPLAY_ID_MAX;
    size_t idlen = strlen(request_id);
    MDB_val k = {.mv_size = idlen, .mv_data = (void *)request_id};
    MDB_val v = {.mv_size = 8 + 1 + S_DIGEST_LEN + (compact ? id_len : item->reply_len), .mv_data = NULL};
    int rc = ocop_db_put(txn, self->requests_dbi, &k, &v, MDB_RESERVE);
    if (rc != 0)
        return rc;
    uint8_t *out = v.mv_data;
    ocop_be64_put(out, (uint64_t)now);
    out[8] = compact ? S_REPLAY_MARK : S_DIGEST_MARK;
    memcpy(out + 9, digest, S_DIGEST_LEN);
    memcpy(out + 9 + S_DIGEST_LEN, compact ? (const void *)id : item->reply, compact ? id_len : item->reply_len);
    ocop_key_t tk;
    ocop_key_init(&tk);
    ocop_key_u64(&tk, (uint64_t)now);
    ocop_key_str(&tk, request_id);
    MDB_val tkv = ocop_key_val(&tk), empty = {.mv_size = 0, .mv_data = ""};
    return ocop_db_put(txn, self->request_time_dbi, &tkv, &empty, 0);
}

static int s_validate_request_id(const char *id)
{
    size_t n = strlen(id);
    if (n == 0 || n > S_REQUEST_ID_MAX)
        return -1;
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)id[i] <= 0x20 || (unsigned char)id[i] >= 0x7f)
            return -1;
    return 0;
}

/* Why the key that sent item may not write as caller (in the arena), or NULL. A key trusted to
 * name its users (the gateway's) may name anyone; any other key acts only as itself, so a
 * service host that is broken into cannot write in an officer's name. */
static const char *s_caller_refusal(ocop_service_t *self, const ocop__item_t *item, const char *caller)
{
    if (!self->bind_callers || item->timer >= 0) /* the loop's own timers act as the service */
        return NULL;
    if (item->peer < 0)
        return "the key that sent this is not known to the service";
    const ocop__peer_t *p = &self->peers[item->peer];
    if (p->trusted || strcmp(caller, p->name) == 0)
        return NULL;
    return ocop_arena_printf(self->arena,
                             "key %s may act only as itself (caller \"%s\", not \"%.64s\"): only the keys in "
                             "trusted_callers name other callers",
                             p->name, p->name, caller);
}

/* What a write must pass before it runs: an id, a caller its key may name, an id not used by
 * another request (a retry is answered with the reply recorded under it), room in the store. */
enum { S_ADMITTED, S_ANSWERED, S_RECALLED, S_FAILED };

static int s_admit_write(ocop_service_t *self, MDB_txn *txn, ocop__item_t *item, const Ocop__Request *req,
                         const ocop_route_t *route, int storage_full, uint8_t *digest, Ocop__Reply *reply)
{
    if (s_validate_request_id(req->request_id) != 0) {
        ocop__reply_status(self->arena, reply, OCOP_E_INVALID, "request_id",
                           "request_id is required for writes: 1 to 128 printable ASCII characters");
        return S_ANSWERED;
    }
    /* Histories record who did what: a write must say who asks. */
    if (ocop_text_check(req->caller, 1, S_CALLER_MAX) != NULL) {
        ocop__reply_status(self->arena, reply, OCOP_E_INVALID, "caller",
                           "caller is required for writes: 1 to 128 characters of valid UTF-8");
        return S_ANSWERED;
    }
    const char *why = s_caller_refusal(self, item, req->caller);
    if (why) {
        ocop__reply_status(self->arena, reply, OCOP_E_FORBIDDEN, "caller", why);
        return S_ANSWERED;
    }
    if (s_request_digest(self, req, digest) != 0)
        return S_FAILED;
    int found = s_recall(self, txn, route, req, digest, item);
    if (found == 2) {
        ocop__reply_status(self->arena, reply, OCOP_E_CONFLICT, "request_id",
                           ocop_arena_printf(self->arena,
                                             "request id %s was used by a different request (route, caller or "
                                             "body); a retry sends the same request again, a new request needs a "
                                             "new id",
                                             req->request_id));
        return S_ANSWERED;
    }
    if (found != 0)
        return found > 0 ? S_RECALLED : S_FAILED;
    if (storage_full) {
        ocop__reply_status(self->arena, reply, OCOP_E_STORAGE_FULL, "",
                           "storage is full: the store reached its configured ceiling; reads still work");
        return S_ANSWERED;
    }
    return S_ADMITTED;
}

/* The batch runs again with the request at index and those after it nested: it wrote and then
 * refused (or met a store error), and its writes are in the batch transaction. Returns 1. */
static int s_rerun_from(ocop_service_t *self, size_t index, const ocop_route_t *route, const char *why)
{
#ifdef NDEBUG
    ocop_log_debug("batch_rerun", "route=%s why=%s", route->name, why);
#else
    ocop_log_warn("batch_rerun", "route=%s why=%s", route->name, why);
#endif
    self->nested_from = index;
    self->rerun = 1;
    return 1;
}

/* Forgets what a discarded request did beside the store: its events and its memory. */
static void s_discard(ocop_service_t *self, size_t event_mark, uint64_t seq_mark, size_t undo_mark)
{
    ocop__events_truncate(self, event_mark, seq_mark);
    ocop__undo_rollback(self, undo_mark);
}

/* Runs the handler of the admitted request at index and keeps or drops what it did. A writing
 * request runs straight in the batch transaction, or in a nested one once the batch is rerun
 * from it on; a reading route kept on the loop runs in a nested one that is always aborted.
 * 0, or 1 when the batch must be rerun, or -1. */
static int s_run(ocop_service_t *self, MDB_txn *txn, size_t index, ocop__item_t *item, const Ocop__Request *req,
                 const ocop_route_t *route, const uint8_t *digest, Ocop__Reply *reply)
{
    int direct = route->writes && index < self->nested_from;
    MDB_txn *child = txn;
    int rc = direct ? 0 : mdb_txn_begin(ocop_store_env(self->store), txn, 0, &child);
    if (rc != 0)
        return rc == MDB_MAP_FULL ? 1 : -1;
    ocop_ctx_t ctx = {.svc = self,
                      .route = route,
                      .arena = self->arena,
                      .txn = child,
                      .caller = req->caller,
                      .peer = item->peer >= 0 ? self->peers[item->peer].name : NULL,
                      .request_id = req->request_id,
                      .now_ms = ocop_now_ms()};
    size_t event_mark = self->event_count;
    uint64_t seq_mark = self->next_seq;
    size_t undo_mark = ocop__undo_mark(self);
    uint64_t writes_mark = ocop_db_writes();
    int hrc = route->fn(&ctx, req, reply);
    int wrote = ocop_db_writes() != writes_mark;
    int store_failed = self->db_failed;
    self->db_failed = 0;
    if (self->map_full || (direct && (store_failed || (hrc != 0 && wrote)))) {
        /* Whatever it wrote is in the batch transaction: only a rerun can undo it. */
        if (!direct)
            mdb_txn_abort(child);
        s_discard(self, event_mark, seq_mark, undo_mark);
        if (self->map_full)
            return 1;
        return s_rerun_from(self, index, route, store_failed ? "store_error" : "refused_after_write");
    }
    if (!route->writes && wrote) {
        ocop_log_error("write_from_read", "route=%s", route->name);
        ocop__reply_status(self->arena, reply, OCOP_E_INTERNAL, "", "a reading route tried to write");
        hrc = -1;
    }
    if (hrc != 0 || !route->writes) {
        if (!direct)
            mdb_txn_abort(child);
        s_discard(self, event_mark, seq_mark, undo_mark);
        if (hrc != 0 && reply->status == OCOP__STATUS__STATUS_OK)
            ocop__reply_status(self->arena, reply, OCOP_E_INTERNAL, "", "the handler failed without a reason");
        return s_reply_pack(self, item, reply);
    }
    if (s_reply_pack(self, item, reply) != 0) {
        if (!direct)
            mdb_txn_abort(child);
        s_discard(self, event_mark, seq_mark, undo_mark);
        return -1;
    }
    rc = s_remember(self, child, route, reply, req->request_id, digest, ctx.now_ms, item);
    if (!direct) {
        if (rc == 0)
            rc = mdb_txn_commit(child);
        else
            mdb_txn_abort(child);
    }
    if (rc != 0) {
        s_discard(self, event_mark, seq_mark, undo_mark);
        free(item->reply);
        item->reply = NULL;
        if (rc == MDB_MAP_FULL)
            return 1;
        if (direct)
            return s_rerun_from(self, index, route, "store_error");
        ocop_log_error("commit_failed", "what=request error=\"%s\"", mdb_strerror(rc));
        return -1;
    }
    return 0;
}

/* Runs the request at index inside the batch transaction. Returns 0, or 1 when the whole batch
 * must be rerun (the map is full, or a request must be nested), or -1 on an unrecoverable
 * error. */
static int s_handle(ocop_service_t *self, MDB_txn *txn, size_t index, int storage_full)
{
    ocop__item_t *item = &self->items[index];
    ocop_arena_reset(self->arena);
    Ocop__Reply reply;
    ocop__reply__init(&reply);
    Ocop__Request *req =
        ocop__request_open(self->arena, self->config.max_request_bytes, &item->payload, item->extra_frames, &reply);
    if (!req)
        return s_reply_pack(self, item, &reply);
    if (req->body_case == OCOP__REQUEST__BODY_PING) {
        s_handle_ping(self, &reply);
        return s_reply_pack(self, item, &reply);
    }
    if (req->body_case == OCOP__REQUEST__BODY_EVENTS_FROM) {
        s_handle_events_from(self, txn, req->events_from, &reply);
        return s_reply_pack(self, item, &reply);
    }
    const ocop_route_t *route = ocop__route(self, req->body_case);
    if (!route) {
        char msg[96];
        snprintf(msg, sizeof msg, "%s does not serve message type %d", self->name, (int)req->body_case);
        ocop__reply_status(self->arena, &reply, OCOP_E_UNSUPPORTED, "body", msg);
        return s_reply_pack(self, item, &reply);
    }
    uint8_t digest[S_DIGEST_LEN];
    switch (route->writes ? s_admit_write(self, txn, item, req, route, storage_full, digest, &reply) : S_ADMITTED) {
    case S_ANSWERED:
        return s_reply_pack(self, item, &reply);
    case S_RECALLED:
        return 0;
    case S_FAILED:
        return -1;
    default:
        return s_run(self, txn, index, item, req, route, digest, &reply);
    }
}

/* Forgets request ids older than the retention, a bounded number per batch. */
static int s_prune_request_ids(ocop_service_t *self, MDB_txn *txn, int64_t now)
{
    MDB_cursor *cur;
    int rc = mdb_cursor_open(txn, self->request_time_dbi, &cur);
    if (rc != 0)
        return rc;
    MDB_val k, v;
    int pruned = 0;
    rc = mdb_cursor_get(cur, &k, &v, MDB_FIRST);
    while (rc == 0 && pruned < S_PRUNE_PER_BATCH && k.mv_size > 8) {
        if ((int64_t)ocop_be64_get(k.mv_data) >= now - S_REQUEST_ID_RETENTION_MS)
            break;
        /* The id follows the time and carries the key builder's terminating NUL. */
        MDB_val id = {.mv_size = k.mv_size - 9, .mv_data = (uint8_t *)k.mv_data + 8};
        rc = ocop_db_del(txn, self->requests_dbi, &id, NULL);
        if (rc != 0 && rc != MDB_NOTFOUND)
            break;
        rc = ocop_db_cursor_del(cur, 0);
        if (rc != 0)
            break;
        pruned++;
        rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT);
    }
    mdb_cursor_close(cur);
    return rc == MDB_NOTFOUND ? 0 : rc;
}

/* ---------------------------------------------------------------- the batch */

static void s_batch_reset_replies(ocop_service_t *self, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(self->items[i].reply);
        self->items[i].reply = NULL;
        self->items[i].reply_len = 0;
    }
    ocop__events_truncate(self, 0, self->last_seq + 1);
    self->map_full = 0;
    self->db_failed = 0;
    self->rerun = 0;
}

static int s_batch_apply_held(ocop_service_t *self, size_t n, int storage_full);

/* 0 committed, 1 map full (nothing kept), -1 failed (nothing kept). */
static int s_batch_apply(ocop_service_t *self, size_t n, int storage_full)
{
    ocop_store_hold(self->store);
    int rc = s_batch_apply_held(self, n, storage_full);
    ocop_store_release(self->store);
    return rc;
}

static int s_batch_apply_held(ocop_service_t *self, size_t n, int storage_full)
{
    MDB_txn *txn;
    int rc = mdb_txn_begin(ocop_store_env(self->store), NULL, 0, &txn);
    if (rc != 0)
        return -1;
    self->next_seq = self->last_seq + 1;
    for (size_t i = 0; i < n; i++) {
        int hrc = s_handle(self, txn, i, storage_full);
        if (hrc != 0) {
            mdb_txn_abort(txn);
            return hrc;
        }
    }
    rc = s_prune_request_ids(self, txn, ocop_now_ms());
    if (rc != 0) {
        mdb_txn_abort(txn);
        return rc == MDB_MAP_FULL ? 1 : -1;
    }
    rc = mdb_txn_commit(txn);
    if (rc == MDB_MAP_FULL)
        return 1;
    if (rc != 0) {
        /* Written pages may not have reached the disk (a failed fsync), and the kernel may
         * not say so twice: nothing of the batch is acknowledged, and the loop stops so that a
         * restart reopens the store at its last durable commit. */
        ocop_log_error("commit_failed", "what=batch error=\"%s\"", mdb_strerror(rc));
        self->commit_failed = 1;
        return -1;
    }
    self->last_seq = self->next_seq - 1;
    return 0;
}

void ocop__batch_process(ocop_service_t *self, size_t n)
{
    int storage_full = 0;
    self->nested_from = SIZE_MAX;
    for (;;) {
        size_t undo_mark = ocop__undo_mark(self);
        int rc = s_batch_apply(self, n, storage_full);
        if (rc == 0) {
            if (self->undo.commit)
                self->undo.commit(self->user);
            break;
        }
        ocop__undo_rollback(self, undo_mark);
        int rerun = self->rerun;
        s_batch_reset_replies(self, n);
        if (rc == 1 && rerun) {
            /* nested_from only moves down, so a batch of n is rerun at most n times. */
            self->n_reruns++;
            continue;
        }
        if (rc == 1 && !storage_full) {
            if (ocop_store_grow(self->store) == 0) {
                ocop_log_info("map_grown", "map_size=%zu", ocop_store_map_size(self->store));
            } else {
                ocop_log_warn("storage_full", "map_size=%zu map_max=%zu", ocop_store_map_size(self->store),
                              ocop_store_map_max(self->store));
                storage_full = 1;
            }
            continue;
        }
        /* Nothing was kept: tell every client so it can retry with the same id (each reply
         * names its request, read off the frame). */
        for (size_t i = 0; i < n; i++) {
            Ocop__Reply reply;
            ocop__reply__init(&reply);
            ocop_arena_reset(self->arena);
            reply.request_id = ocop__peek_request_id(self->arena, &self->items[i].payload);
            ocop__reply_status(self->arena, &reply, OCOP_E_INTERNAL, "",
                               rc == 1 ? "storage is full" : "the batch could not be committed");
            s_reply_pack(self, &self->items[i], &reply);
        }
        break;
    }
    self->n_batches++;
    self->n_requests += n;
    if (n > self->n_batch_max)
        self->n_batch_max = n;
}
