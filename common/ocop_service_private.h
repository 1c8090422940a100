/* ocop_service_private — what the files of the service loop share (ocop_service.c: sockets and
 * the loop; ocop_service_ctx.c: what handlers call; ocop_service_batch.c: one batch, from the
 * requests drained to the replies packed). Not for use outside common/. */
#ifndef OCOP_SERVICE_PRIVATE_H
#define OCOP_SERVICE_PRIVATE_H

#include <lmdb.h>
#include <stddef.h>
#include <stdint.h>
#include <zmq.h>

#include "ocop_service.h"
#include "ocop_store.h"

/* Latency histogram bounds in microseconds (ocop_service.c). */
#define OCOP__LATENCY_BOUNDS 12
extern const uint64_t ocop__latency_bounds_us[OCOP__LATENCY_BOUNDS];

typedef struct {
    zmq_msg_t identity;
    zmq_msg_t payload;
    int extra_frames; /* a request must be exactly identity + one frame */
    uint8_t *reply;   /* packed Reply, malloc'd */
    size_t reply_len;
    int failed; /* the reply is an error (counted once the batch is final) */
    int peer;   /* the sender's index in the service's peers (its CURVE key), -1 when unknown */
    int timer;  /* the timer that made it (ocop_service_timers.c), -1 for a client's request */
} ocop__item_t;

/* An allowed key: who it is, and whether its writes may name any caller. */
typedef struct {
    char public_z85[OCOP_Z85_KEY_LEN + 1];
    char name[OCOP_NAME_MAX];
    bool trusted;
} ocop__peer_t;

typedef struct {
    uint64_t seq;
    uint8_t *data;
    size_t len;
} ocop__event_t;

struct ocop_ctx_t {
    ocop_service_t *svc;
    const ocop_route_t *route;
    ocop_arena_t *arena; /* the loop's, or the reader thread's */
    bool reader;         /* on a reader thread's read-only transaction: nothing of svc changes */
    MDB_txn *txn;
    const char *caller;
    const char *peer; /* the allow-list name of the key that sent it (NULL: unknown) */
    const char *request_id;
    int64_t now_ms;
};

typedef struct ocop__readers_t ocop__readers_t;

#define OCOP__TIMERS_MAX 4

typedef struct {
    ocop_timer_t spec;
    int64_t due_ms; /* monotonic */
} ocop__timer_t;

struct ocop_service_t {
    char name[OCOP_NAME_MAX];
    uint32_t shard;
    int stop_requested; /* ocop_service_stop (atomic: a signal handler or another thread sets it) */
    ocop_service_config_t config;
    ocop_store_t *store;
    const ocop_route_t *routes;
    size_t route_count;
    void *user;
    ocop_memory_undo_t undo;
    ocop__timer_t timers[OCOP__TIMERS_MAX];
    size_t n_timers;
    int self_peer; /* the service's own key in peers: the sender of its timers' requests */

    void *zctx;
    void *router;
    void *pub;
    ocop_zap_t *zap;
    ocop__readers_t *readers; /* NULL: reads run on the loop (config readers 0) */
    ocop__peer_t peers[OCOP_ALLOW_MAX + 1];
    size_t n_peers;
    bool bind_callers; /* a write's caller must be its key's name unless the key is trusted */

    MDB_dbi outbox_dbi;
    MDB_dbi requests_dbi;     /* request id -> be64 time ++ packed Reply */
    MDB_dbi request_time_dbi; /* be64 time ++ request id -> "" (for pruning) */

    uint64_t last_seq; /* newest committed event sequence */
    uint64_t next_seq; /* next sequence to hand out inside the open batch */

    ocop__item_t *items;
    size_t item_cap;
    ocop__event_t *events;
    size_t event_count;
    size_t event_cap;

    ocop_arena_t *arena;
    int map_full;       /* set by a handler's MDB_MAP_FULL: the batch is rerun on a larger map */
    int db_failed;      /* a handler met a store error */
    int rerun;          /* a request wrote and then failed: rerun the batch, nested from it on */
    size_t nested_from; /* writing requests from this index on run nested (SIZE_MAX: none) */
    int commit_failed;  /* a batch's commit (its fsync) failed: the loop stops after replying */

    int64_t started_ms;
    uint64_t n_requests, n_errors, n_batches, n_batch_max, n_repeats, n_reruns;
    uint64_t latency_counts[OCOP__LATENCY_BOUNDS + 1]; /* per bound (not cumulative); last: above all */
    uint64_t latency_sum_us;
};

/* Sets reply's status, field and message (copied into arena). */
void ocop__reply_status(ocop_arena_t *arena, Ocop__Reply *reply, int status, const char *field, const char *message);
/* The service's memory-undo hooks, or nothing when it has none. */
size_t ocop__undo_mark(ocop_service_t *self);
void ocop__undo_rollback(ocop_service_t *self, size_t mark);
/* Forgets the events emitted after the first keep, and hands out next_seq next. */
void ocop__events_truncate(ocop_service_t *self, size_t keep, uint64_t next_seq);
/* The request id read off a frame without unpacking it (in arena); "" when none can be read. */
char *ocop__peek_request_id(ocop_arena_t *arena, zmq_msg_t *payload);
/* The request of payload, unpacked into arena and checked as every request is (one frame, at
 * most max_bytes, no NUL in a string); NULL with the refusal in reply, whose request_id is set
 * as far as it can be read. */
Ocop__Request *ocop__request_open(ocop_arena_t *arena, size_t max_bytes, zmq_msg_t *payload, int extra_frames,
                                  Ocop__Reply *reply);
/* reply packed into *out (malloc'd, *len bytes). 0 / -1 (out of memory). */
int ocop__reply_pack(const Ocop__Reply *reply, uint8_t **out, size_t *len);
/* The route serving body, or NULL. */
const ocop_route_t *ocop__route(const ocop_service_t *self, Ocop__Request__BodyCase body);

/* The reader threads (ocop_service_readers.c). Started on the service's context with n
 * threads (NULL on failure); stopped after every read handed over has been answered. */
ocop__readers_t *ocop__readers_start(ocop_service_t *svc, size_t n);
void ocop__readers_stop(ocop__readers_t **self_p);
/* Stops the threads once they have served every read handed over (their replies stay ready). */
void ocop__readers_join(ocop__readers_t *self);
/* The socket whose input means a reply is ready (for the loop's poll). */
void *ocop__readers_socket(ocop__readers_t *self);
/* Hands item to the readers when it is one frame within the size limit for a reading route
 * not kept on the writer: 1 (its messages moved), or 0 (the batch takes it). */
int ocop__readers_take(ocop__readers_t *self, ocop__item_t *item, int64_t started_us);
/* Sends one ready reply on router: 1 with when its read was taken and whether it failed, or 0
 * when none is ready. */
int ocop__readers_reply(ocop__readers_t *self, void *router, int64_t *started_us, int *failed);

/* Runs the n drained requests as one durable batch; replies are packed into the items. */
void ocop__batch_process(ocop_service_t *self, size_t n);

/* The timers (ocop_service_timers.c). Milliseconds until the next is due (0: one is due now),
 * at most cap. */
int ocop__timers_wait_ms(const ocop_service_t *self, int cap);
/* An item for each timer due now whose make has work, from items[0] on (at most max). How many. */
size_t ocop__timers_items(ocop_service_t *self, ocop__item_t *items, size_t max);
/* A timer's reply: logged when an error, handed to its done, the timer set for its next run. */
void ocop__timers_done(ocop_service_t *self, const ocop__item_t *item);

#endif
