/* ocop_service — the group-commit loop. See ocop_service.h for the contract. */
#include "ocop_service.h"

#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <zmq.h>

#include "ocop_error.h"
#include "ocop_log.h"
#include "ocop_outbox.h"
#include "ocop_text.h"

#define S_REQUEST_ID_MAX 128
#define S_CALLER_MAX 128
#define S_EVENTS_DEFAULT 1000
#define S_EVENTS_MAX 10000
#define S_EVENTS_MAX_BYTES (4u << 20)
/* Request ids are remembered for a week: long enough for any client's retries, short enough
 * that the table does not grow without bound. */
#define S_REQUEST_ID_RETENTION_MS (7LL * 24 * 3600 * 1000)
#define S_PRUNE_PER_BATCH 256
#define S_POLL_MS 200

typedef struct {
    zmq_msg_t identity;
    zmq_msg_t payload;
    int extra_frames; /* a request must be exactly identity + one frame */
    uint8_t *reply;   /* packed Reply, malloc'd */
    size_t reply_len;
    int failed; /* the reply is an error (counted once the batch is final) */
} s_item_t;

typedef struct {
    uint64_t seq;
    uint8_t *data;
    size_t len;
} s_event_t;

struct ocop_ctx_t {
    ocop_service_t *svc;
    const ocop_route_t *route;
    MDB_txn *txn;
    const char *caller;
    const char *request_id;
    int64_t now_ms;
};

struct ocop_service_t {
    char name[OCOP_NAME_MAX];
    uint32_t shard;
    ocop_service_config_t config;
    ocop_store_t *store;
    const ocop_route_t *routes;
    size_t route_count;
    void *user;
    ocop_memory_undo_t undo;

    void *zctx;
    void *router;
    void *pub;
    ocop_zap_t *zap;

    MDB_dbi outbox_dbi;
    MDB_dbi requests_dbi;     /* request id -> be64 time ++ packed Reply */
    MDB_dbi request_time_dbi; /* be64 time ++ request id -> "" (for pruning) */

    uint64_t last_seq; /* newest committed event sequence */
    uint64_t next_seq; /* next sequence to hand out inside the open batch */

    s_item_t *items;
    size_t item_cap;
    s_event_t *events;
    size_t event_count;
    size_t event_cap;

    ocop_arena_t *arena;
    int map_full;  /* set by a handler's MDB_MAP_FULL: the batch is rerun on a larger map */
    int db_failed; /* a store error in a request run without a nested transaction */
    int nested;    /* run every writing request in a nested transaction (after a db_failed) */

    int64_t started_ms;
    uint64_t n_requests, n_errors, n_batches, n_batch_max, n_repeats;
};

static volatile sig_atomic_t s_stop_requested;

static void s_on_signal(int signo)
{
    (void)signo;
    s_stop_requested = 1;
}

void ocop_service_stop(void)
{
    s_stop_requested = 1;
}

int64_t ocop_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    int64_t now = (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
    const char *offset = getenv("OCOP_CLOCK_OFFSET_MS");
    if (offset && *offset)
        now += strtoll(offset, NULL, 10);
    return now;
}

/* ---------------------------------------------------------------- setup */

static void *s_socket(ocop_service_t *self, int type, const char *bind_to, const ocop_keypair_t *keys)
{
    void *sock = zmq_socket(self->zctx, type);
    if (!sock)
        return NULL;
    int linger = 1000, hwm = 1000000;
    int max_frame =
        (int)(self->config.max_request_bytes * 4 > (size_t)INT32_MAX / 2 ? INT32_MAX / 2
                                                                         : self->config.max_request_bytes * 4);
    int64_t maxmsg = max_frame;
    zmq_setsockopt(sock, ZMQ_LINGER, &linger, sizeof linger);
    zmq_setsockopt(sock, ZMQ_SNDHWM, &hwm, sizeof hwm);
    zmq_setsockopt(sock, ZMQ_RCVHWM, &hwm, sizeof hwm);
    /* The hard ceiling protects memory; frames between the soft limit and this one still get a
     * TOO_LARGE reply rather than a silent disconnect. */
    zmq_setsockopt(sock, ZMQ_MAXMSGSIZE, &maxmsg, sizeof maxmsg);
    if (ocop_curve_server(sock, keys) != 0) {
        zmq_close(sock);
        return NULL;
    }
    if (zmq_bind(sock, bind_to) != 0) {
        ocop_log_error("bind_failed", "endpoint=%s error=\"%s\"", bind_to, zmq_strerror(errno));
        zmq_close(sock);
        return NULL;
    }
    return sock;
}

ocop_service_t *ocop_service_new(const ocop_service_options_t *opts)
{
    if (!ocop_curve_available()) {
        ocop_log_error("curve_unavailable", "msg=\"libzmq was built without CURVE; refusing to start\"");
        return NULL;
    }
    ocop_service_t *self = calloc(1, sizeof *self);
    if (!self)
        return NULL;
    snprintf(self->name, sizeof self->name, "%s", opts->name);
    self->shard = opts->shard;
    self->config = *opts->config;
    if (self->config.batch_max == 0)
        self->config.batch_max = 4096;
    if (self->config.max_request_bytes == 0)
        self->config.max_request_bytes = 1u << 20;
    self->store = opts->store;
    self->routes = opts->routes;
    self->route_count = opts->route_count;
    self->user = opts->user;
    if (opts->undo)
        self->undo = *opts->undo;
    self->started_ms = ocop_now_ms();
    self->arena = ocop_arena_new(64 * 1024);
    self->items = calloc(self->config.batch_max, sizeof *self->items);
    self->item_cap = self->config.batch_max;
    if (!self->arena || !self->items)
        goto fail;

    if (ocop_outbox_open(self->store, &self->outbox_dbi) != 0 ||
        ocop_store_dbi(self->store, "request_ids", 0, &self->requests_dbi) != 0 ||
        ocop_store_dbi(self->store, "request_ids_by_time", 0, &self->request_time_dbi) != 0)
        goto fail;
    MDB_txn *txn;
    if (mdb_txn_begin(ocop_store_env(self->store), NULL, MDB_RDONLY, &txn) != 0)
        goto fail;
    int rc = ocop_outbox_last(txn, self->outbox_dbi, &self->last_seq);
    mdb_txn_abort(txn);
    if (rc != 0)
        goto fail;

    self->zctx = zmq_ctx_new();
    if (!self->zctx)
        goto fail;
    /* ZAP must be listening before any CURVE server socket exists. */
    self->zap = ocop_zap_new(self->zctx, opts->allowed_keys, opts->allowed_count);
    if (!self->zap)
        goto fail;
    self->router = s_socket(self, ZMQ_ROUTER, self->config.bind, opts->keys);
    self->pub = s_socket(self, ZMQ_PUB, self->config.events_bind, opts->keys);
    if (!self->router || !self->pub)
        goto fail;
    ocop_log_info("listening", "endpoint=%s events=%s last_sequence=%llu store=%s", self->config.bind,
                  self->config.events_bind, (unsigned long long)self->last_seq, ocop_store_path(self->store));
    return self;
fail:
    ocop_log_error("start_failed", "service=%s", opts->name);
    ocop_service_destroy(&self);
    return NULL;
}

void ocop_service_destroy(ocop_service_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    ocop_service_t *self = *self_p;
    if (self->router)
        zmq_close(self->router);
    if (self->pub)
        zmq_close(self->pub);
    ocop_zap_destroy(&self->zap);
    if (self->zctx)
        zmq_ctx_term(self->zctx);
    for (size_t i = 0; i < self->event_count; i++)
        free(self->events[i].data);
    free(self->events);
    free(self->items);
    ocop_arena_destroy(&self->arena);
    free(self);
    *self_p = NULL;
}

/* ---------------------------------------------------------------- handler context */

MDB_txn *ocop_ctx_txn(ocop_ctx_t *ctx)
{
    return ctx->txn;
}
ocop_arena_t *ocop_ctx_arena(ocop_ctx_t *ctx)
{
    return ctx->svc->arena;
}
void *ocop_ctx_user(ocop_ctx_t *ctx)
{
    return ctx->svc->user;
}
int64_t ocop_ctx_now_ms(const ocop_ctx_t *ctx)
{
    return ctx->now_ms;
}
const char *ocop_ctx_caller(const ocop_ctx_t *ctx)
{
    return ctx->caller;
}
const char *ocop_ctx_request_id(const ocop_ctx_t *ctx)
{
    return ctx->request_id;
}

static void s_reply_status(ocop_arena_t *arena, Ocop__Reply *reply, int status, const char *field, const char *message)
{
    reply->status = (Ocop__Status)status;
    reply->field = ocop_arena_strdup(arena, field ? field : "");
    reply->message = ocop_arena_strdup(arena, message ? message : "");
}

int ocop_ctx_fail(ocop_ctx_t *ctx, Ocop__Reply *reply, int status, const char *field, const char *fmt, ...)
{
    char message[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(message, sizeof message, fmt, ap);
    va_end(ap);
    s_reply_status(ctx->svc->arena, reply, status, field, message);
    return -1;
}

int ocop_ctx_db_error(ocop_ctx_t *ctx, Ocop__Reply *reply, int mdb_rc, const char *what)
{
    if (mdb_rc == MDB_MAP_FULL) {
        ctx->svc->map_full = 1;
        return ocop_ctx_fail(ctx, reply, OCOP_E_STORAGE_FULL, "", "storage is full");
    }
    ctx->svc->db_failed = 1;
    ocop_log_error("store_error", "what=%s error=\"%s\"", what, mdb_strerror(mdb_rc));
    return ocop_ctx_fail(ctx, reply, OCOP_E_INTERNAL, "", "storage error while %s", what);
}

int ocop_ctx_emit(ocop_ctx_t *ctx, Ocop__Event *event)
{
    ocop_service_t *self = ctx->svc;
    if (!ctx->route->writes) {
        /* A reading route runs in the batch transaction: an event from it would be a bug. */
        ocop_log_error("emit_from_read", "route=%s", ctx->route->name);
        return -1;
    }
    /* Any failure here comes after the handler's writes: mark the store failed so that the
     * loop undoes them by rerunning the batch. */
    if (self->event_count == self->event_cap) {
        size_t cap = self->event_cap ? self->event_cap * 2 : 256;
        s_event_t *grown = realloc(self->events, cap * sizeof *grown);
        if (!grown) {
            self->db_failed = 1;
            return -1;
        }
        self->events = grown;
        self->event_cap = cap;
    }
    event->source = self->name;
    event->shard = self->shard;
    event->sequence = self->next_seq;
    event->time_ms = ctx->now_ms;
    size_t len = ocop__event__get_packed_size(event);
    uint8_t *data = malloc(len ? len : 1);
    if (!data) {
        self->db_failed = 1;
        return -1;
    }
    ocop__event__pack(event, data);
    int rc = ocop_outbox_put(ctx->txn, self->outbox_dbi, self->next_seq, data, len);
    if (rc != 0) {
        free(data);
        if (rc == MDB_MAP_FULL) {
            self->map_full = 1;
        } else {
            self->db_failed = 1;
            ocop_log_error("outbox_put_failed", "error=\"%s\"", mdb_strerror(rc));
        }
        return -1;
    }
    self->events[self->event_count++] = (s_event_t){.seq = self->next_seq, .data = data, .len = len};
    self->next_seq++;
    return 0;
}

static size_t s_undo_mark(ocop_service_t *self)
{
    return self->undo.mark ? self->undo.mark(self->user) : 0;
}

static void s_undo_rollback(ocop_service_t *self, size_t mark)
{
    if (self->undo.rollback)
        self->undo.rollback(self->user, mark);
}

/* Forgets the events a discarded request emitted. */
static void s_events_truncate(ocop_service_t *self, size_t keep, uint64_t next_seq)
{
    for (size_t i = keep; i < self->event_count; i++)
        free(self->events[i].data);
    self->event_count = keep;
    self->next_seq = next_seq;
}

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
    pong->store_path = (char *)ocop_store_path(self->store);
    pong->map_size = ocop_store_map_size(self->store);
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
    int rc = ocop_outbox_scan(txn, self->outbox_dbi, start, max, S_EVENTS_MAX_BYTES, s_collect_event, &scan, &visited);
    if (rc != 0) {
        s_reply_status(self->arena, reply, OCOP_E_INTERNAL, "", "cannot read the outbox");
        return;
    }
    reply->body_case = OCOP__REPLY__BODY_EVENTS;
    reply->events = batch;
}

/* ---------------------------------------------------------------- one request */

static const ocop_route_t *s_route(const ocop_service_t *self, Ocop__Request__BodyCase body)
{
    for (size_t i = 0; i < self->route_count; i++)
        if (self->routes[i].body == body)
            return &self->routes[i];
    return NULL;
}

static int s_reply_pack(ocop_service_t *self, s_item_t *item, const Ocop__Reply *reply)
{
    item->reply_len = ocop__reply__get_packed_size(reply);
    item->reply = malloc(item->reply_len ? item->reply_len : 1);
    if (!item->reply)
        return -1;
    ocop__reply__pack(reply, item->reply);
    item->failed = reply->status != OCOP__STATUS__STATUS_OK;
    return 0;
}

/* Looks up a remembered reply for a writing request. 1 found (copied into item), 0 not, -1 error. */
static int s_recall(ocop_service_t *self, MDB_txn *txn, const char *request_id, s_item_t *item)
{
    MDB_val k = {.mv_size = strlen(request_id), .mv_data = (void *)request_id}, v;
    int rc = mdb_get(txn, self->requests_dbi, &k, &v);
    if (rc == MDB_NOTFOUND)
        return 0;
    if (rc != 0 || v.mv_size < 8)
        return -1;
    item->reply_len = v.mv_size - 8;
    item->reply = malloc(item->reply_len ? item->reply_len : 1);
    if (!item->reply)
        return -1;
    memcpy(item->reply, (uint8_t *)v.mv_data + 8, item->reply_len);
    item->failed = 0; /* only successful replies are remembered */
    self->n_repeats++;
    return 1;
}

static int s_remember(ocop_service_t *self, MDB_txn *txn, const char *request_id, int64_t now, const s_item_t *item)
{
    size_t idlen = strlen(request_id);
    MDB_val k = {.mv_size = idlen, .mv_data = (void *)request_id};
    MDB_val v = {.mv_size = 8 + item->reply_len, .mv_data = NULL};
    int rc = mdb_put(txn, self->requests_dbi, &k, &v, MDB_RESERVE);
    if (rc != 0)
        return rc;
    ocop_be64_put(v.mv_data, (uint64_t)now);
    memcpy((uint8_t *)v.mv_data + 8, item->reply, item->reply_len);
    ocop_key_t tk;
    ocop_key_init(&tk);
    ocop_key_u64(&tk, (uint64_t)now);
    ocop_key_str(&tk, request_id);
    MDB_val tkv = ocop_key_val(&tk), empty = {.mv_size = 0, .mv_data = ""};
    return mdb_put(txn, self->request_time_dbi, &tkv, &empty, 0);
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

/* Runs one request inside the batch transaction. Returns 0, or 1 when the map is full and the
 * whole batch must be rerun, or -1 on an unrecoverable error. */
static int s_handle(ocop_service_t *self, MDB_txn *txn, s_item_t *item, int storage_full)
{
    ocop_arena_reset(self->arena);
    Ocop__Reply reply;
    ocop__reply__init(&reply);
    size_t size = zmq_msg_size(&item->payload);

    if (item->extra_frames) {
        s_reply_status(self->arena, &reply, OCOP_E_MALFORMED, "", "a request is exactly one frame");
        return s_reply_pack(self, item, &reply);
    }
    if (size > self->config.max_request_bytes) {
        char msg[128];
        snprintf(msg, sizeof msg, "request of %zu bytes exceeds the limit of %zu bytes", size,
                 self->config.max_request_bytes);
        s_reply_status(self->arena, &reply, OCOP_E_TOO_LARGE, "", msg);
        return s_reply_pack(self, item, &reply);
    }
    Ocop__Request *req = ocop__request__unpack(ocop_arena_allocator(self->arena), size, zmq_msg_data(&item->payload));
    if (!req) {
        s_reply_status(self->arena, &reply, OCOP_E_MALFORMED, "", "the frame is not a valid request");
        return s_reply_pack(self, item, &reply);
    }
    reply.request_id = req->request_id;

    if (req->body_case == OCOP__REQUEST__BODY_PING) {
        s_handle_ping(self, &reply);
        return s_reply_pack(self, item, &reply);
    }
    if (req->body_case == OCOP__REQUEST__BODY_EVENTS_FROM) {
        s_handle_events_from(self, txn, req->events_from, &reply);
        return s_reply_pack(self, item, &reply);
    }
    const ocop_route_t *route = s_route(self, req->body_case);
    if (!route) {
        char msg[96];
        snprintf(msg, sizeof msg, "%s does not serve message type %d", self->name, (int)req->body_case);
        s_reply_status(self->arena, &reply, OCOP_E_UNSUPPORTED, "body", msg);
        return s_reply_pack(self, item, &reply);
    }
    if (route->writes) {
        if (s_validate_request_id(req->request_id) != 0) {
            s_reply_status(self->arena, &reply, OCOP_E_INVALID, "request_id",
                           "request_id is required for writes: 1 to 128 printable ASCII characters");
            return s_reply_pack(self, item, &reply);
        }
        /* Histories record who did what: a write must say who asks. */
        if (ocop_text_check(req->caller, 1, S_CALLER_MAX) != NULL) {
            s_reply_status(self->arena, &reply, OCOP_E_INVALID, "caller",
                           "caller is required for writes: 1 to 128 characters of valid UTF-8");
            return s_reply_pack(self, item, &reply);
        }
        int found = s_recall(self, txn, req->request_id, item);
        if (found != 0)
            return found > 0 ? 0 : -1;
        if (storage_full) {
            s_reply_status(self->arena, &reply, OCOP_E_STORAGE_FULL, "",
                           "storage is full: the store reached its configured ceiling; reads still work");
            return s_reply_pack(self, item, &reply);
        }
    }

    int direct = !route->writes || (route->checks_before_writes && !self->nested);
    MDB_txn *child = txn;
    int rc = direct ? 0 : mdb_txn_begin(ocop_store_env(self->store), txn, 0, &child);
    if (rc != 0)
        return rc == MDB_MAP_FULL ? 1 : -1;
    ocop_ctx_t ctx = {.svc = self,
                      .route = route,
                      .txn = child,
                      .caller = req->caller,
                      .request_id = req->request_id,
                      .now_ms = ocop_now_ms()};
    size_t event_mark = self->event_count;
    uint64_t seq_mark = self->next_seq;
    size_t undo_mark = s_undo_mark(self);
    int hrc = route->fn(&ctx, req, &reply);
    int store_failed = self->db_failed;
    self->db_failed = 0;
    if (self->map_full || (direct && route->writes && store_failed)) {
        /* Whatever it wrote is in the batch transaction: only a rerun can undo it. */
        if (!direct)
            mdb_txn_abort(child);
        s_events_truncate(self, event_mark, seq_mark);
        s_undo_rollback(self, undo_mark);
        self->db_failed = store_failed;
        return 1;
    }
    if (hrc != 0 || !route->writes) {
        if (!direct)
            mdb_txn_abort(child);
        s_events_truncate(self, event_mark, seq_mark);
        s_undo_rollback(self, undo_mark);
        if (hrc != 0 && reply.status == OCOP__STATUS__STATUS_OK)
            s_reply_status(self->arena, &reply, OCOP_E_INTERNAL, "", "the handler failed without a reason");
        return s_reply_pack(self, item, &reply);
    }
    if (s_reply_pack(self, item, &reply) != 0) {
        if (!direct)
            mdb_txn_abort(child);
        s_events_truncate(self, event_mark, seq_mark);
        s_undo_rollback(self, undo_mark);
        return -1;
    }
    rc = s_remember(self, child, req->request_id, ctx.now_ms, item);
    if (!direct) {
        if (rc == 0)
            rc = mdb_txn_commit(child);
        else
            mdb_txn_abort(child);
    }
    if (rc != 0) {
        s_events_truncate(self, event_mark, seq_mark);
        s_undo_rollback(self, undo_mark);
        free(item->reply);
        item->reply = NULL;
        if (rc == MDB_MAP_FULL)
            return 1;
        if (direct) {
            /* Its writes are in the batch transaction: rerun the batch with nesting. */
            self->db_failed = 1;
            return 1;
        }
        ocop_log_error("commit_failed", "what=request error=\"%s\"", mdb_strerror(rc));
        return -1;
    }
    return 0;
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
        rc = mdb_del(txn, self->requests_dbi, &id, NULL);
        if (rc != 0 && rc != MDB_NOTFOUND)
            break;
        rc = mdb_cursor_del(cur, 0);
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
    s_events_truncate(self, 0, self->last_seq + 1);
    self->map_full = 0;
    self->db_failed = 0;
}

/* 0 committed, 1 map full (nothing kept), -1 failed (nothing kept). */
static int s_batch_apply(ocop_service_t *self, size_t n, int storage_full)
{
    MDB_txn *txn;
    int rc = mdb_txn_begin(ocop_store_env(self->store), NULL, 0, &txn);
    if (rc != 0)
        return -1;
    self->next_seq = self->last_seq + 1;
    for (size_t i = 0; i < n; i++) {
        int hrc = s_handle(self, txn, &self->items[i], storage_full);
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
        ocop_log_error("commit_failed", "what=batch error=\"%s\"", mdb_strerror(rc));
        return -1;
    }
    self->last_seq = self->next_seq - 1;
    return 0;
}

static void s_batch_process(ocop_service_t *self, size_t n)
{
    int storage_full = 0;
    self->nested = 0;
    for (;;) {
        size_t undo_mark = s_undo_mark(self);
        int rc = s_batch_apply(self, n, storage_full);
        if (rc == 0) {
            if (self->undo.commit)
                self->undo.commit(self->user);
            break;
        }
        s_undo_rollback(self, undo_mark);
        int db_failed = self->db_failed;
        s_batch_reset_replies(self, n);
        if (rc == 1 && db_failed && !self->nested) {
            /* Rerun with every request isolated, so the failing one takes only itself down. */
            self->nested = 1;
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
        /* Nothing was kept: tell every client so it can retry with the same id. */
        for (size_t i = 0; i < n; i++) {
            Ocop__Reply reply;
            ocop__reply__init(&reply);
            ocop_arena_reset(self->arena);
            s_reply_status(self->arena, &reply, OCOP_E_INTERNAL, "",
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

static void s_batch_send(ocop_service_t *self, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        s_item_t *item = &self->items[i];
        self->n_errors += item->failed != 0;
        if (item->reply) {
            zmq_msg_send(&item->identity, self->router, ZMQ_SNDMORE | ZMQ_DONTWAIT);
            zmq_send(self->router, item->reply, item->reply_len, ZMQ_DONTWAIT);
            free(item->reply);
            item->reply = NULL;
        }
        zmq_msg_close(&item->identity);
        zmq_msg_close(&item->payload);
    }
    for (size_t i = 0; i < self->event_count; i++) {
        zmq_send(self->pub, self->events[i].data, self->events[i].len, ZMQ_DONTWAIT);
        free(self->events[i].data);
    }
    self->event_count = 0;
}

/* Receives every request that is ready, up to batch_max. */
static size_t s_batch_drain(ocop_service_t *self)
{
    size_t n = 0;
    while (n < self->item_cap) {
        s_item_t *item = &self->items[n];
        zmq_msg_init(&item->identity);
        if (zmq_msg_recv(&item->identity, self->router, ZMQ_DONTWAIT) < 0) {
            zmq_msg_close(&item->identity);
            break;
        }
        zmq_msg_init(&item->payload);
        item->extra_frames = 0;
        item->failed = 0;
        item->reply = NULL;
        if (!zmq_msg_more(&item->identity) || zmq_msg_recv(&item->payload, self->router, 0) < 0) {
            item->extra_frames = 1;
        } else {
            /* Swallow any further frames: such a request is answered MALFORMED. */
            while (zmq_msg_more(&item->payload)) {
                zmq_msg_t extra;
                zmq_msg_init(&extra);
                zmq_msg_recv(&extra, self->router, 0);
                int more = zmq_msg_more(&extra);
                zmq_msg_close(&extra);
                item->extra_frames = 1;
                if (!more)
                    break;
            }
        }
        n++;
    }
    return n;
}

int ocop_service_run(ocop_service_t *self)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = s_on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    ocop_log_info("ready", "service=%s shard=%u", self->name, self->shard);

    while (!s_stop_requested) {
        zmq_pollitem_t items[] = {{self->router, 0, ZMQ_POLLIN, 0}};
        int rc = zmq_poll(items, 1, S_POLL_MS);
        if (rc < 0) {
            if (errno == EINTR)
                continue;
            ocop_log_error("poll_failed", "error=\"%s\"", zmq_strerror(errno));
            return -1;
        }
        if (rc == 0)
            continue;
        size_t n = s_batch_drain(self);
        if (n == 0)
            continue;
        s_batch_process(self, n);
        s_batch_send(self, n);
    }
    ocop_log_info("stopping", "service=%s requests=%llu batches=%llu last_sequence=%llu", self->name,
                  (unsigned long long)self->n_requests, (unsigned long long)self->n_batches,
                  (unsigned long long)self->last_seq);
    return 0;
}
