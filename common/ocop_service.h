/* ocop_service — the loop every service runs.
 *
 * A ROUTER socket takes requests, a PUB socket publishes events, both CURVE servers behind
 * the ZAP allow-list. Each turn drains every request that is ready (up to batch_max), runs
 * them all in one LMDB write transaction, commits once with fsync, then sends every reply and
 * publishes every event. A reply therefore means durable.
 *
 * A rejected request leaves no trace. Each runs straight in the batch transaction, and the loop
 * counts its writes (every write goes through ocop_db): a refusal that wrote nothing is answered
 * as it stands; one that wrote, or a store error, discards the batch, which runs again with that
 * request and those after it in nested transactions (a nested transaction costs a dirty-page
 * merge, so only a rerun pays it). The rerun is counted (Pong.batch_reruns) and logged with the
 * route's name, at warning level in debug builds: a handler that checks before it writes never
 * causes one.
 *
 * Reading routes are served beside the loop by reader threads (config "readers", default 2),
 * each on a read transaction, with their replies sent by the loop as they come.
 *
 * Built in: Ping (health), EventsFrom (replay of the outbox), idempotent retries (a repeated
 * request_id of a writing request gets the original reply), size limit (TOO_LARGE), malformed
 * frames (MALFORMED), unknown bodies (UNSUPPORTED), map growth on MDB_MAP_FULL up to the
 * ceiling and then STORAGE_FULL for writes while reads keep working. A stop (ocop_service_stop)
 * finishes the batch in hand, commits, replies and closes. */
#ifndef OCOP_SERVICE_H
#define OCOP_SERVICE_H

#include <stdbool.h>
#include <stdint.h>

#include "envelope.pb-c.h"
#include "ocop_arena.h"
#include "ocop_config.h"
#include "ocop_index.h"
#include "ocop_key.h"
#include "ocop_keys.h"
#include "ocop_scan.h"

/* Handlers need not see LMDB (its transaction is declared in ocop_scan.h as lmdb.h declares it). */
typedef struct ocop_store_t ocop_store_t;

typedef struct ocop_service_t ocop_service_t;
typedef struct ocop_ctx_t ocop_ctx_t;

/* A handler reads req and fills reply (bodies allocated from ocop_ctx_arena). It returns 0 to
 * keep what it wrote, or -1 after ocop_ctx_fail (or ocop_ctx_db_error) to discard it. */
typedef int (*ocop_handler_fn)(ocop_ctx_t *ctx, const Ocop__Request *req, Ocop__Reply *reply);

/* How a writing route's reply is answered again on a retry without being kept: for a reply
 * that shows a record the store keeps (a product's detail, whose history grows), only the
 * record's id and the reply's digest are kept with the request id; a retry gets the record as it
 * is now (the same bytes when nothing changed it since). */
typedef struct {
    /* The id of the record reply shows (in the reply's memory), or NULL: then the whole reply is
     * kept. */
    const char *(*id)(const Ocop__Reply *reply);
    /* Fills reply with the record id as it is now. 0, or -1 after ocop_ctx_fail. */
    int (*rebuild)(ocop_ctx_t *ctx, const char *id, Ocop__Reply *reply);
} ocop_replay_t;

typedef struct {
    Ocop__Request__BodyCase body; /* which request body this route serves */
    const char *name;             /* for logs and metrics */
    bool writes;                  /* idempotency records and storage-full apply */
    ocop_handler_fn fn;
    /* A reading route is served by a reader thread on its own read transaction (it sees the
     * last committed batch, never a half-written one, and a slow read holds up no write) unless
     * it reads state the writer changes in memory: then it runs on the loop, in a nested
     * transaction that is always aborted. A reading route that writes is refused INTERNAL either
     * way (logged write_from_read with its name). */
    bool on_writer;
    const ocop_replay_t *replay; /* a writing route's compact retries; NULL: its replies are kept whole */
} ocop_route_t;

/* Undo for state a service keeps in memory beside its store (indexes rebuilt at start, say).
 * The loop calls mark before each request and at the start of each batch attempt, rollback
 * with such a mark when it discards what came after it (a refused request, a batch it reruns
 * or gives up), and commit once a batch is durable. */
typedef struct {
    size_t (*mark)(void *user);
    void (*rollback)(void *user, size_t mark);
    void (*commit)(void *user);
} ocop_memory_undo_t;

/* Time-driven work the loop does itself: every every_ms (and once at start), make fills a
 * request's body (from arena) and it goes through the ordinary batch as the service, so it is
 * durable and its events are published; done gets its reply. No socket, no key, no client. */
typedef struct {
    const char *name; /* for logs */
    unsigned every_ms;
    /* Fills req's body; false when there is nothing to do this time (nothing is written). */
    bool (*make)(void *user, Ocop__Request *req, ocop_arena_t *arena);
    /* The reply (errors are logged before); true to run again at once (more is due). May be NULL. */
    bool (*done)(void *user, const Ocop__Reply *reply);
} ocop_timer_t;

typedef struct {
    const char *name;                    /* event source, e.g. "registration" */
    uint32_t shard;                      /* 0 for unsharded services */
    const ocop_service_config_t *config; /* endpoints, batch and size limits */
    const ocop_keypair_t *keys;          /* the service's own CURVE pair */
    const char *const *allowed_keys;     /* z85 public keys allowed to connect */
    const char *const *allowed_names;    /* their names (a write's caller is bound to it); NULL: unbound */
    const bool *allowed_trusted;         /* keys whose writes may name any caller (the gateway's) */
    size_t allowed_count;
    ocop_store_t *store; /* opened by the caller; not owned */
    const ocop_route_t *routes;
    size_t route_count;
    void *user;                     /* handed to handlers via ocop_ctx_user */
    const ocop_memory_undo_t *undo; /* optional; called with user */
    const ocop_timer_t *timers;     /* optional; called with user */
    size_t timer_count;
} ocop_service_options_t;

/* Opens the outbox and request-id databases in the store, starts ZAP, binds both sockets.
 * NULL (with a log line saying why) on failure, e.g. CURVE unavailable or address in use. */
ocop_service_t *ocop_service_new(const ocop_service_options_t *opts);
void ocop_service_destroy(ocop_service_t **self_p);

/* Runs until ocop_service_stop: 0 on a clean stop. -1 when the loop cannot go on, among them a
 * batch whose commit failed (its requests were answered INTERNAL, nothing acknowledged): the
 * process should exit and be restarted. Signals are the process's business (ocop_boot_run
 * stops the service on SIGTERM/SIGINT). */
int ocop_service_run(ocop_service_t *self);
/* Asks this service to stop after the batch in hand: safe from a signal handler or another
 * thread (the loop notices within its poll interval, at once when a signal interrupts it). */
void ocop_service_stop(ocop_service_t *self);

/* Clock used for every timestamp; OCOP_CLOCK_OFFSET_MS in the environment (read once, at the
 * first call) shifts it, so tests can drive time. */
int64_t ocop_now_ms(void);

/* --- for handlers --- */
#ifndef OCOP_WITHOUT_LMDB
/* The request's transaction, for the modules that still keep LMDB; a file compiled without it
 * (common/without_lmdb) has only the records below. */
MDB_txn *ocop_ctx_txn(ocop_ctx_t *ctx);
#endif
ocop_arena_t *ocop_ctx_arena(ocop_ctx_t *ctx);
void *ocop_ctx_user(ocop_ctx_t *ctx);
int64_t ocop_ctx_now_ms(const ocop_ctx_t *ctx);
const char *ocop_ctx_caller(const ocop_ctx_t *ctx);
const char *ocop_ctx_request_id(const ocop_ctx_t *ctx);
/* The allow-list name of the key that sent the request, which no caller field can change ("" when
 * unknown). */
const char *ocop_ctx_peer(const ocop_ctx_t *ctx);
/* True when the request's route writes. */
bool ocop_ctx_writes(const ocop_ctx_t *ctx);

/* Sets reply status/field/message (message printf-style, copied into the arena); returns -1. */
int ocop_ctx_fail(ocop_ctx_t *ctx, Ocop__Reply *reply, int status, const char *field, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
/* Turns an LMDB return code into a reply: MDB_MAP_FULL makes the loop grow the map and rerun
 * the batch; anything else is INTERNAL. Returns -1. */
int ocop_ctx_db_error(ocop_ctx_t *ctx, Ocop__Reply *reply, int mdb_rc, const char *what);

/* Appends an event to the outbox inside the request's transaction: fills source, shard,
 * sequence (next in line) and time. The event is published after the batch commits, and
 * forgotten if the request is discarded. 0 / -1 (MDB error recorded as by ocop_ctx_db_error). */
int ocop_ctx_emit(ocop_ctx_t *ctx, Ocop__Event *event);
/* ocop_ctx_emit that fails reply INTERNAL when the event could not be recorded. 0 / -1. */
int ocop_ctx_publish(ocop_ctx_t *ctx, Ocop__Reply *reply, Ocop__Event *event);
/* ocop_ctx_publish of the event whose body is body: the Event field carrying body's message type
 * (each type is carried by one field only). 0 / -1 (reply INTERNAL, also when no field carries
 * that type). */
int ocop_ctx_publish_body(ocop_ctx_t *ctx, Ocop__Reply *reply, const ProtobufCMessage *body);

/* The record stored under the string key id in dbi, unpacked into the request's arena. NULL
 * with the reply failed otherwise: INVALID on field when id is empty or too long for a key,
 * NOT_FOUND on field ("<what> <id> does not exist"), or the store error. */
void *ocop_ctx_get(ocop_ctx_t *ctx, Ocop__Reply *reply, ocop_table_t table, const char *id,
                   const ProtobufCMessageDescriptor *desc, const char *field, const char *what);
/* Stores msg under the string key id in dbi. 0, or -1 with the store error in the reply. */
int ocop_ctx_put(ocop_ctx_t *ctx, Ocop__Reply *reply, ocop_table_t table, const char *id, const ProtobufCMessage *msg);

/* --- records through the context: a handler that uses only these never touches LMDB. Keys are
 * ocop_key_t, values protobuf messages, bytes or 64-bit counters. On a store error each fails
 * reply as ocop_ctx_db_error does and returns -1. A key too long to build (overflow) is absent
 * to reads and a store error to writes. --- */

/* The record under key in table, unpacked into the request's arena: 0 with *out set, 1 when
 * there is none (*out NULL), -1 (a record that does not unpack is a store error). */
int ocop_ctx_record(ocop_ctx_t *ctx, Ocop__Reply *reply, ocop_table_t table, const ocop_key_t *key,
                    const ProtobufCMessageDescriptor *desc, void **out);
/* Stores msg under key in table. 0 / -1. */
int ocop_ctx_record_put(ocop_ctx_t *ctx, Ocop__Reply *reply, ocop_table_t table, const ocop_key_t *key,
                        const ProtobufCMessage *msg);
/* The bytes under key (valid until the request writes): 0 with *out set, 1 when absent, -1. */
int ocop_ctx_value(ocop_ctx_t *ctx, Ocop__Reply *reply, ocop_table_t table, const ocop_key_t *key, ocop_bytes_t *out);
/* Stores size bytes of data under key. 0 / -1. */
int ocop_ctx_value_put(ocop_ctx_t *ctx, Ocop__Reply *reply, ocop_table_t table, const ocop_key_t *key, const void *data,
                       size_t size);
/* Deletes key from table; a key that is absent is no error. 0 / -1. */
int ocop_ctx_erase(ocop_ctx_t *ctx, Ocop__Reply *reply, ocop_table_t table, const ocop_key_t *key);
/* The counter under key (0 when absent), and adding delta to it (*after may be NULL), with
 * ocop_counter's one rule: going below zero or past 2^64 - 1 is a store error. 0 / -1. */
int ocop_ctx_counter(ocop_ctx_t *ctx, Ocop__Reply *reply, ocop_table_t table, const ocop_key_t *key, uint64_t *value);
int ocop_ctx_counter_add(ocop_ctx_t *ctx, Ocop__Reply *reply, ocop_table_t table, const ocop_key_t *key, int64_t delta,
                         uint64_t *after);
/* The per-record log of id in table (ocop_record_log.h): the number of its last entry (0: none)
 * and, when value is not NULL, its bytes; and appending msg after it (*n, may be NULL, gets its
 * number). 0 / -1. */
int ocop_ctx_log_last(ocop_ctx_t *ctx, Ocop__Reply *reply, ocop_table_t table, const char *id, uint64_t *n,
                      ocop_bytes_t *value);
int ocop_ctx_log_append(ocop_ctx_t *ctx, Ocop__Reply *reply, ocop_table_t table, const char *id,
                        const ProtobufCMessage *msg, uint64_t *n);
/* Every entry of id's log, oldest first, unpacked into the request's arena (*out, *count). 0 / -1. */
int ocop_ctx_log_read(ocop_ctx_t *ctx, Ocop__Reply *reply, ocop_table_t table, const char *id,
                      const ProtobufCMessageDescriptor *desc, ProtobufCMessage ***out, size_t *count);
/* Secondary indexes (ocop_index.h): adding and removing id under index|value (a key too long to
 * build is a store error; removing what is absent is none). 0 / -1. */
int ocop_ctx_index_put(ocop_ctx_t *ctx, Ocop__Reply *reply, ocop_table_t table, const char *index, const char *value,
                       const char *id);
int ocop_ctx_index_del(ocop_ctx_t *ctx, Ocop__Reply *reply, ocop_table_t table, const char *index, const char *value,
                       const char *id);
/* A page of ocop_index_scan: visit returns 0 to go on, 1 when the page is full, or -1 after
 * failing reply itself, which stops the walk. 0, or -1 with reply failed (by visit, or with the
 * store error). */
int ocop_ctx_index_scan(ocop_ctx_t *ctx, Ocop__Reply *reply, ocop_table_t table, const char *index, const char *value,
                        const char *after_id, size_t max_scan, ocop_index_visit_fn visit, void *user, char *last_id,
                        size_t last_len, int *more);
/* A scan of table in the request's transaction (ocop_scan.h: ocop_scan_next, ocop_scan_fail):
 * 0, or -1 with the store error in reply. */
int ocop_ctx_scan_open(ocop_ctx_t *ctx, Ocop__Reply *reply, ocop_scan_t *scan, ocop_table_t table,
                       const ocop_key_t *prefix, const ocop_key_t *from);
/* The last entry of table whose key starts with prefix (NULL: of all) into *key and *value
 * (either may be NULL): 0, 1 when there is none, -1. */
int ocop_ctx_last(ocop_ctx_t *ctx, Ocop__Reply *reply, ocop_table_t table, const ocop_key_t *prefix, ocop_bytes_t *key,
                  ocop_bytes_t *value);
/* Closes scan: 0, or -1 with the error that stopped it in reply ("storage error while <what>"). */
int ocop_ctx_scan_close(ocop_ctx_t *ctx, Ocop__Reply *reply, ocop_scan_t *scan, const char *what);

/* Fails reply INVALID on field when value does not pass ocop_text_check (valid UTF-8 without
 * control characters, present when required, at most max_chars characters). 0 / -1. */
int ocop_ctx_check_text(ocop_ctx_t *ctx, Ocop__Reply *reply, const char *field, const char *value, int required,
                        size_t max_chars);

#endif
