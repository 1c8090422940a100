/* ocop_service in process: the real loop in a thread on 127.0.0.1, a real CURVE client, and a
 * route table defined here. One write handler serves two routes (RegEntityRegister and
 * RegEntityUpdate, so that a request id can be tried on another route). It bumps a counter in
 * LMDB and emits one event; the request's name field picks a behaviour:
 *   "ok"           write and emit
 *   "big"          also store a 128 KiB blob (fills the map)
 *   "refuse"       refuse before writing anything
 *   "fail"         write and emit, then refuse with ocop_ctx_fail (the batch is rerun)
 *   "fail_silent"  the same, without a reason
 *   "db_error"     write, then report a store error through ocop_ctx_db_error
 * The reading route (RegEntityGet) returns the counter as the entity's revision.
 *
 * Its handlers use only the records of the context (ocop_ctx_counter_add, ocop_ctx_value_put).
 * Because every applied write bumps the counter once and emits once, and the store starts
 * empty, each event's entity revision equals its sequence: checked on every replay.
 *
 * One service serves the whole group (started in the group setup, stopped with
 * ocop_service_stop in the group teardown) and the tests run in order; the map-growth test fills
 * the store to its ceiling and therefore runs last. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include <zmq.h>

#include "envelope.pb-c.h"
#include "ocop_client.h"
#include "ocop_db.h"
#include "ocop_error.h"
#include "ocop_keys.h"
#include "ocop_counter.h"
#include "ocop_service.h"
#include "ocop_store.h"
#include "unit_tmpdir.h"

#define S_NAME "unittest"
#define S_SHARD 3
#define S_MB ((size_t)1024 * 1024)
#define S_MAP_SIZE (1 * S_MB)
#define S_MAP_MAX (4 * S_MB)
#define S_BLOB_BYTES (128 * 1024)
#define S_MAX_REQUEST_BYTES (64 * 1024)
#define S_TIMEOUT_MS 10000
#define S_STOP_TIMEOUT_MS 10000
#define S_COUNTER_KEY "counter"

#define S_TIMER_MS 2000 /* the test timer's interval */
#define S_MODE_OK "ok"
#define S_MODE_BIG "big"
#define S_MODE_FAIL "fail"
#define S_MODE_FAIL_SILENT "fail_silent"
#define S_MODE_REFUSE "refuse"
#define S_MODE_DB_ERROR "db_error"

typedef struct {
    char dir[UNIT_TMPDIR_LEN];
    ocop_store_t *store;
    MDB_dbi data_dbi; /* the counter and the blobs */
    ocop_keypair_t server_keys;
    ocop_keypair_t client_keys;
    ocop_service_config_t config;
    ocop_service_t *svc;
    pthread_t thread;
    int thread_started;
    atomic_int thread_done;
    int run_rc;
    void *zctx;
    ocop_client_t *client;
    /* The reading routes: the thread each last ran on, and the blocking read's hold. */
    pthread_t read_thread, on_writer_thread;
    pthread_mutex_t hold_lock;
    pthread_cond_t hold_cond;
    int held;     /* the blocking read is inside its handler */
    int released; /* the test lets it go on */
    /* The loop's timer: runs while wanted > 0 (each run takes one), counting OK replies and
     * noting when the first and the last came. */
    atomic_int timer_wanted, timer_ok;
    _Atomic int64_t timer_first_ms, timer_last_ms;
} s_world_t;

/* ---------------------------------------------------------------- the service side */

/* The timer's request: an ordinary write ("ok"), made by the loop as the service. */
static bool s_timer_make(void *user, Ocop__Request *req, ocop_arena_t *arena)
{
    s_world_t *w = user;
    if (atomic_load(&w->timer_wanted) <= 0)
        return false;
    atomic_fetch_sub(&w->timer_wanted, 1);
    Ocop__RegEntityRegister *body = ocop_arena_alloc(arena, sizeof *body);
    ocop__reg_entity_register__init(body);
    body->name = S_MODE_OK;
    req->body_case = OCOP__REQUEST__BODY_REG_ENTITY_REGISTER;
    req->reg_entity_register = body;
    return true;
}

static bool s_timer_done(void *user, const Ocop__Reply *reply)
{
    s_world_t *w = user;
    if (reply->status == OCOP__STATUS__STATUS_OK) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        int64_t now = (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
        if (atomic_fetch_add(&w->timer_ok, 1) == 0)
            atomic_store(&w->timer_first_ms, now);
        atomic_store(&w->timer_last_ms, now);
    }
    return atomic_load(&w->timer_wanted) > 0; /* the rest at once, not at the next tick */
}

/* The key of the counter every write bumps. */
static ocop_key_t s_counter_key(void)
{
    ocop_key_t key;
    ocop_key_init(&key);
    ocop_key_str(&key, S_COUNTER_KEY);
    return key;
}

static int s_handle_write(ocop_ctx_t *ctx, const Ocop__Request *req, Ocop__Reply *reply)
{
    s_world_t *w = ocop_ctx_user(ctx);
    const char *mode = req->body_case == OCOP__REQUEST__BODY_REG_ENTITY_UPDATE      ? req->reg_entity_update->name
                       : req->body_case == OCOP__REQUEST__BODY_REG_PRODUCT_REGISTER ? req->reg_product_register->name
                                                                                    : req->reg_entity_register->name;
    ocop_arena_t *arena = ocop_ctx_arena(ctx);

    if (strcmp(mode, S_MODE_REFUSE) == 0)
        return ocop_ctx_fail(ctx, reply, OCOP_E_INVALID, "name", "the test handler refuses '%s' before writing", mode);
    uint64_t count;
    ocop_key_t counter = s_counter_key();
    if (ocop_ctx_counter_add(ctx, reply, w->data_dbi, &counter, 1, &count) != 0)
        return -1;
    if (strcmp(mode, S_MODE_BIG) == 0) {
        ocop_key_t key;
        ocop_key_init(&key);
        ocop_key_str(&key, "blob");
        ocop_key_str(&key, ocop_ctx_request_id(ctx));
        uint8_t *blob = ocop_arena_alloc(arena, S_BLOB_BYTES);
        if (!blob)
            return ocop_ctx_fail(ctx, reply, OCOP_E_INTERNAL, "", "out of memory");
        memset(blob, 0xab, S_BLOB_BYTES);
        if (ocop_ctx_value_put(ctx, reply, w->data_dbi, &key, blob, S_BLOB_BYTES) != 0)
            return -1;
    }
    if (strcmp(mode, S_MODE_DB_ERROR) == 0)
        return ocop_ctx_db_error(ctx, reply, EIO, "simulating a failed write");

    Ocop__RegEntity *entity = ocop_arena_alloc(arena, sizeof *entity);
    ocop__reg_entity__init(entity);
    entity->id = ocop_arena_printf(arena, "e-%llu", (unsigned long long)count);
    entity->type = OCOP__ENTITY_TYPE__ENTITY_TYPE_COOPERATIVE;
    entity->name = ocop_arena_strdup(arena, mode);
    entity->revision = count;
    entity->created_ms = ocop_ctx_now_ms(ctx);
    Ocop__RegEntityRegistered *registered = ocop_arena_alloc(arena, sizeof *registered);
    ocop__reg_entity_registered__init(registered);
    registered->entity = entity;
    if (ocop_ctx_publish_body(ctx, reply, &registered->base) != 0)
        return -1;

    if (strcmp(mode, S_MODE_FAIL) == 0)
        return ocop_ctx_fail(ctx, reply, OCOP_E_INVALID, "name", "the test handler refuses '%s' after writing", mode);
    if (strcmp(mode, S_MODE_FAIL_SILENT) == 0)
        return -1;
    reply->body_case = OCOP__REPLY__BODY_REG_ENTITY;
    reply->reg_entity = entity;
    return 0;
}

static int s_handle_read(ocop_ctx_t *ctx, const Ocop__Request *req, Ocop__Reply *reply)
{
    s_world_t *w = ocop_ctx_user(ctx);
    w->read_thread = pthread_self();
    ocop_arena_t *arena = ocop_ctx_arena(ctx);
    uint64_t count;
    ocop_key_t counter = s_counter_key();
    if (ocop_ctx_counter(ctx, reply, w->data_dbi, &counter, &count) != 0)
        return -1;
    Ocop__RegEntity *entity = ocop_arena_alloc(arena, sizeof *entity);
    ocop__reg_entity__init(entity);
    entity->id = ocop_arena_strdup(arena, req->reg_entity_get->id);
    entity->revision = count;
    reply->body_case = OCOP__REPLY__BODY_REG_ENTITY;
    reply->reg_entity = entity;
    return 0;
}

/* RegProductRegister: the write handler with a reply a replay rebuilds (the entity's id, type
 * and the counter as its revision), its retries answered from the id kept. */
static int s_handle_write_replayed(ocop_ctx_t *ctx, const Ocop__Request *req, Ocop__Reply *reply)
{
    int rc = s_handle_write(ctx, req, reply);
    if (rc == 0) {
        reply->reg_entity->name = "";
        reply->reg_entity->created_ms = 0;
    }
    return rc;
}

static const char *s_replay_id(const Ocop__Reply *reply)
{
    return reply->body_case == OCOP__REPLY__BODY_REG_ENTITY ? reply->reg_entity->id : NULL;
}

static int s_replay_rebuild(ocop_ctx_t *ctx, const char *id, Ocop__Reply *reply)
{
    s_world_t *w = ocop_ctx_user(ctx);
    uint64_t count;
    ocop_key_t counter = s_counter_key();
    if (ocop_ctx_counter(ctx, reply, w->data_dbi, &counter, &count) != 0)
        return -1;
    ocop_arena_t *arena = ocop_ctx_arena(ctx);
    Ocop__RegEntity *entity = ocop_arena_alloc(arena, sizeof *entity);
    ocop__reg_entity__init(entity);
    entity->id = ocop_arena_strdup(arena, id);
    entity->type = OCOP__ENTITY_TYPE__ENTITY_TYPE_COOPERATIVE;
    entity->revision = count;
    reply->body_case = OCOP__REPLY__BODY_REG_ENTITY;
    reply->reg_entity = entity;
    return 0;
}

static const ocop_replay_t s_replay = {s_replay_id, s_replay_rebuild};

/* RegProductGet: a reading route that waits inside its handler (its read transaction open)
 * until the test releases it, then reads the counter: what its transaction saw when it began. */
static int s_handle_read_held(ocop_ctx_t *ctx, const Ocop__Request *req, Ocop__Reply *reply)
{
    s_world_t *w = ocop_ctx_user(ctx);
    struct timespec until;
    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_sec += S_TIMEOUT_MS / 1000;
    pthread_mutex_lock(&w->hold_lock);
    w->held = 1;
    pthread_cond_broadcast(&w->hold_cond);
    int rc = 0;
    while (!w->released && rc == 0)
        rc = pthread_cond_timedwait(&w->hold_cond, &w->hold_lock, &until);
    pthread_mutex_unlock(&w->hold_lock);
    if (rc != 0)
        return ocop_ctx_fail(ctx, reply, OCOP_E_INTERNAL, "", "the test never released the read");
    Ocop__RegEntityGet get = OCOP__REG_ENTITY_GET__INIT;
    get.id = req->reg_product_get->id;
    Ocop__Request as_get = *req;
    as_get.reg_entity_get = &get;
    return s_handle_read(ctx, &as_get, reply);
}

/* RegEntityList: a reading route that writes (a bug the runtime must contain). */
static int s_handle_read_that_writes(ocop_ctx_t *ctx, const Ocop__Request *req, Ocop__Reply *reply)
{
    (void)req;
    s_world_t *w = ocop_ctx_user(ctx);
    ocop_key_t counter = s_counter_key();
    return ocop_ctx_counter_add(ctx, reply, w->data_dbi, &counter, 999999, NULL);
}

/* RegProductUpdate: the records of the context, checked inside a batch. id "overflow" writes
 * under a key too long to build (refused); any other id runs the checks under records|id and
 * fails naming the first that does not hold. No counter, no event. */
static ocop_key_t s_records_key(const char *id, const char *name)
{
    ocop_key_t key;
    ocop_key_init(&key);
    ocop_key_str(&key, "records");
    ocop_key_str(&key, id);
    if (name)
        ocop_key_str(&key, name);
    return key;
}

static int s_handle_records(ocop_ctx_t *ctx, const Ocop__Request *req, Ocop__Reply *reply)
{
    s_world_t *w = ocop_ctx_user(ctx);
    const char *id = req->reg_product_update->id;
    ocop_key_t too_long;
    ocop_key_init(&too_long);
    for (int i = 0; i < 50; i++) /* 50 x 10 bytes: more than OCOP_KEY_MAX */
        ocop_key_str(&too_long, "ten bytes");
    void *found;
    ocop_bytes_t bytes;
    if (strcmp(id, "overflow") == 0) {
        if (!too_long.overflow ||
            ocop_ctx_record(ctx, reply, w->data_dbi, &too_long, &ocop__pong__descriptor, &found) != 1 ||
            ocop_ctx_value(ctx, reply, w->data_dbi, &too_long, &bytes) != 1 ||
            ocop_ctx_last(ctx, reply, w->data_dbi, &too_long, NULL, &bytes) != 1)
            return ocop_ctx_fail(ctx, reply, OCOP_E_INVALID, "id", "an overflowing key is not absent to reads");
        return ocop_ctx_value_put(ctx, reply, w->data_dbi, &too_long, "x", 1);
    }
    ocop_key_t a = s_records_key(id, "a"), b = s_records_key(id, "b"), prefix = s_records_key(id, NULL);
    Ocop__Pong pong = OCOP__PONG__INIT;
    pong.service = "a";
    if (ocop_ctx_record(ctx, reply, w->data_dbi, &a, &ocop__pong__descriptor, &found) != 1 ||
        ocop_ctx_last(ctx, reply, w->data_dbi, &prefix, NULL, NULL) != 1)
        return ocop_ctx_fail(ctx, reply, OCOP_E_INVALID, "id", "a record not yet written is not absent");
    if (ocop_ctx_record_put(ctx, reply, w->data_dbi, &a, &pong.base) != 0 ||
        ocop_ctx_value_put(ctx, reply, w->data_dbi, &b, "xyz", 3) != 0)
        return -1;
    if (ocop_ctx_record(ctx, reply, w->data_dbi, &a, &ocop__pong__descriptor, &found) != 0 ||
        strcmp(((Ocop__Pong *)found)->service, "a") != 0)
        return ocop_ctx_fail(ctx, reply, OCOP_E_INVALID, "id", "a record does not read back");
    if (ocop_ctx_value(ctx, reply, w->data_dbi, &b, &bytes) != 0 || bytes.size != 3 || memcmp(bytes.data, "xyz", 3))
        return ocop_ctx_fail(ctx, reply, OCOP_E_INVALID, "id", "a value does not read back");
    ocop_bytes_t last_key;
    if (ocop_ctx_last(ctx, reply, w->data_dbi, &prefix, &last_key, &bytes) != 0 || last_key.size != b.len ||
        memcmp(last_key.data, b.buf, b.len) != 0 || bytes.size != 3)
        return ocop_ctx_fail(ctx, reply, OCOP_E_INVALID, "id", "the last record under the prefix is not b");
    ocop_scan_t scan;
    if (ocop_ctx_scan_open(ctx, reply, &scan, w->data_dbi, &prefix, NULL) != 0)
        return -1;
    size_t seen = 0;
    while (ocop_scan_next(&scan))
        seen++;
    if (ocop_ctx_scan_close(ctx, reply, &scan, "reading records") != 0)
        return -1;
    if (seen != 2)
        return ocop_ctx_fail(ctx, reply, OCOP_E_INVALID, "id", "the scan saw %zu entries, not 2", seen);
    if (ocop_ctx_erase(ctx, reply, w->data_dbi, &b) != 0 || ocop_ctx_erase(ctx, reply, w->data_dbi, &b) != 0)
        return -1;
    if (ocop_ctx_value(ctx, reply, w->data_dbi, &b, &bytes) != 1)
        return ocop_ctx_fail(ctx, reply, OCOP_E_INVALID, "id", "an erased value is not absent");
    return 0;
}

/* RegCountsGet: a reading route kept on the writer's loop; records its thread. */
static int s_handle_read_on_writer(ocop_ctx_t *ctx, const Ocop__Request *req, Ocop__Reply *reply)
{
    (void)req;
    (void)reply;
    s_world_t *w = ocop_ctx_user(ctx);
    w->on_writer_thread = pthread_self();
    return 0;
}

static const ocop_route_t s_routes[] = {
    {.body = OCOP__REQUEST__BODY_REG_ENTITY_REGISTER, .name = "test_write", .writes = true, .fn = s_handle_write},
    {.body = OCOP__REQUEST__BODY_REG_ENTITY_UPDATE, .name = "test_write_other", .writes = true, .fn = s_handle_write},
    {.body = OCOP__REQUEST__BODY_REG_ENTITY_GET, .name = "test_read", .writes = false, .fn = s_handle_read},
    {.body = OCOP__REQUEST__BODY_REG_PRODUCT_REGISTER,
     .name = "test_write_replayed",
     .writes = true,
     .fn = s_handle_write_replayed,
     .replay = &s_replay},
    {.body = OCOP__REQUEST__BODY_REG_PRODUCT_GET, .name = "test_read_held", .fn = s_handle_read_held},
    {.body = OCOP__REQUEST__BODY_REG_ENTITY_LIST, .name = "test_read_that_writes", .fn = s_handle_read_that_writes},
    {.body = OCOP__REQUEST__BODY_REG_COUNTS_GET,
     .name = "test_read_on_writer",
     .fn = s_handle_read_on_writer,
     .on_writer = true},
    {.body = OCOP__REQUEST__BODY_REG_PRODUCT_UPDATE, .name = "test_records", .writes = true, .fn = s_handle_records},
    {.body = OCOP__REQUEST__BODY_REG_UNIT_LIST,
     .name = "test_read_on_writer_that_writes",
     .fn = s_handle_read_that_writes,
     .on_writer = true},
};

static void *s_run(void *arg)
{
    s_world_t *w = arg;
    w->run_rc = ocop_service_run(w->svc);
    atomic_store(&w->thread_done, 1);
    return NULL;
}

/* Two distinct free loopback ports: both test sockets stay bound until both are known. */
static int s_free_ports(int *a, int *b)
{
    int fds[2] = {-1, -1}, ports[2] = {0, 0}, rc = 0;
    for (int i = 0; i < 2 && rc == 0; i++) {
        struct sockaddr_in sa;
        memset(&sa, 0, sizeof sa);
        sa.sin_family = AF_INET;
        sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        socklen_t len = sizeof sa;
        fds[i] = socket(AF_INET, SOCK_STREAM, 0);
        if (fds[i] < 0 || bind(fds[i], (struct sockaddr *)&sa, sizeof sa) != 0 ||
            getsockname(fds[i], (struct sockaddr *)&sa, &len) != 0)
            rc = -1;
        else
            ports[i] = ntohs(sa.sin_port);
    }
    for (int i = 0; i < 2; i++)
        if (fds[i] >= 0)
            close(fds[i]);
    *a = ports[0];
    *b = ports[1];
    return rc;
}

static int64_t s_monotonic_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Stops the loop and joins it within S_STOP_TIMEOUT_MS. 0, or -1 when it did not stop. */
static int s_stop(s_world_t *w)
{
    if (!w->thread_started)
        return 0;
    ocop_service_stop(w->svc);
    int64_t deadline = s_monotonic_ms() + S_STOP_TIMEOUT_MS;
    while (!atomic_load(&w->thread_done) && s_monotonic_ms() < deadline)
        usleep(10 * 1000);
    if (!atomic_load(&w->thread_done)) {
        print_error("the service loop did not stop within %d ms\n", S_STOP_TIMEOUT_MS);
        return -1;
    }
    pthread_join(w->thread, NULL);
    w->thread_started = 0;
    return 0;
}

static int s_group_teardown(void **state)
{
    s_world_t *w = *state;
    if (!w)
        return 0;
    ocop_client_destroy(&w->client);
    if (w->zctx)
        zmq_ctx_term(w->zctx);
    if (s_stop(w) != 0)
        return -1; /* the thread still uses the service and the store: leak them */
    int rc = w->run_rc;
    ocop_service_destroy(&w->svc);
    ocop_store_destroy(&w->store);
    if (test_rmtree(w->dir) != 0)
        rc = -1;
    pthread_mutex_destroy(&w->hold_lock);
    pthread_cond_destroy(&w->hold_cond);
    free(w);
    *state = NULL;
    return rc == 0 ? 0 : -1;
}

static int s_group_setup(void **state)
{
    if (!ocop_curve_available()) {
        print_error("libzmq has no CURVE: the service refuses to start\n");
        return -1;
    }
    s_world_t *w = calloc(1, sizeof *w);
    if (!w)
        return -1;
    *state = w;
    if (!unit_tmpdir(w->dir))
        goto fail;

    char err[256] = "";
    ocop_store_options_t store_opts = {.path = w->dir, .map_size = S_MAP_SIZE, .map_max = S_MAP_MAX};
    w->store = ocop_store_open(&store_opts, err, sizeof err);
    if (!w->store) {
        print_error("store: %s\n", err);
        goto fail;
    }
    if (ocop_store_dbi(w->store, "test_data", 0, &w->data_dbi) != 0)
        goto fail;
    if (ocop_keys_generate(&w->server_keys) != 0 || ocop_keys_generate(&w->client_keys) != 0)
        goto fail;

    int port, events_port;
    if (s_free_ports(&port, &events_port) != 0)
        goto fail;
    ocop_service_config_t *c = &w->config;
    snprintf(c->name, sizeof c->name, "%s", S_NAME);
    snprintf(c->endpoint, sizeof c->endpoint, "tcp://127.0.0.1:%d", port);
    snprintf(c->bind, sizeof c->bind, "tcp://127.0.0.1:%d", port);
    snprintf(c->events_endpoint, sizeof c->events_endpoint, "tcp://127.0.0.1:%d", events_port);
    snprintf(c->events_bind, sizeof c->events_bind, "tcp://127.0.0.1:%d", events_port);
    snprintf(c->store_dir, sizeof c->store_dir, "%s", w->dir);
    c->map_size = S_MAP_SIZE;
    c->map_max = S_MAP_MAX;
    c->batch_max = 64;
    c->max_request_bytes = S_MAX_REQUEST_BYTES;
    c->readers = 2;
    pthread_mutex_init(&w->hold_lock, NULL);
    pthread_cond_init(&w->hold_cond, NULL);

    const char *allowed[] = {w->client_keys.public_z85};
    static const ocop_timer_t timer = {"test_timer", S_TIMER_MS, s_timer_make, s_timer_done};
    ocop_service_options_t opts = {
        .timers = &timer,
        .timer_count = 1,
        .name = S_NAME,
        .shard = S_SHARD,
        .config = &w->config,
        .keys = &w->server_keys,
        .allowed_keys = allowed,
        .allowed_count = 1,
        .store = w->store,
        .routes = s_routes,
        .route_count = sizeof s_routes / sizeof s_routes[0],
        .user = w,
    };
    w->svc = ocop_service_new(&opts);
    if (!w->svc)
        goto fail;
    if (pthread_create(&w->thread, NULL, s_run, w) != 0)
        goto fail;
    w->thread_started = 1;

    w->zctx = zmq_ctx_new();
    if (!w->zctx)
        goto fail;
    w->client = ocop_client_new(w->zctx, c->endpoint, w->server_keys.public_z85, &w->client_keys, "unit-client");
    if (!w->client)
        goto fail;
    return 0;
fail:
    s_group_teardown(state);
    return -1;
}

/* ---------------------------------------------------------------- the client side */

static Ocop__Reply *s_call(s_world_t *w, Ocop__Request *req)
{
    Ocop__Reply *reply = NULL;
    /* One attempt: a silent re-send would hide a lost reply. */
    if (ocop_client_call(w->client, req, &reply, S_TIMEOUT_MS, 1) != 0)
        fail_msg("no reply within %d ms", S_TIMEOUT_MS);
    assert_non_null(reply);
    return reply;
}

static Ocop__Pong s_ping(s_world_t *w)
{
    Ocop__Ping ping = OCOP__PING__INIT;
    Ocop__Request req = OCOP__REQUEST__INIT;
    req.body_case = OCOP__REQUEST__BODY_PING;
    req.ping = &ping;
    Ocop__Reply *reply = s_call(w, &req);
    assert_int_equal(reply->status, OCOP__STATUS__STATUS_OK);
    assert_int_equal(reply->body_case, OCOP__REPLY__BODY_PONG);
    Ocop__Pong pong = *reply->pong;
    /* The strings die with the reply; the tests only need the numbers. */
    pong.service = NULL;
    pong.store_path = NULL;
    assert_string_equal(reply->pong->service, S_NAME);
    assert_int_equal(reply->pong->shard, S_SHARD);
    assert_string_equal(reply->pong->store_path, w->dir);
    ocop__reply__free_unpacked(reply, NULL);
    return pong;
}

static uint64_t s_read_counter(s_world_t *w)
{
    Ocop__RegEntityGet get = OCOP__REG_ENTITY_GET__INIT;
    get.id = "e-any";
    Ocop__Request req = OCOP__REQUEST__INIT;
    req.body_case = OCOP__REQUEST__BODY_REG_ENTITY_GET;
    req.reg_entity_get = &get;
    Ocop__Reply *reply = s_call(w, &req);
    assert_int_equal(reply->status, OCOP__STATUS__STATUS_OK);
    assert_int_equal(reply->body_case, OCOP__REPLY__BODY_REG_ENTITY);
    assert_string_equal(reply->reg_entity->id, "e-any");
    uint64_t count = reply->reg_entity->revision;
    ocop__reply__free_unpacked(reply, NULL);
    return count;
}

/* A write request; the strings must outlive its use. request_id NULL = the client picks one. */
typedef struct {
    Ocop__RegEntityRegister first;
    Ocop__RegEntityUpdate other;
    Ocop__Request req;
} s_write_t;

/* A write through the first route (RegEntityRegister), or the other (RegEntityUpdate). */
static Ocop__Request *s_write_route_init(s_write_t *wr, const char *request_id, const char *mode, int other)
{
    ocop__request__init(&wr->req);
    wr->req.request_id = (char *)(request_id ? request_id : "");
    if (other) {
        ocop__reg_entity_update__init(&wr->other);
        wr->other.name = (char *)mode;
        wr->req.body_case = OCOP__REQUEST__BODY_REG_ENTITY_UPDATE;
        wr->req.reg_entity_update = &wr->other;
    } else {
        ocop__reg_entity_register__init(&wr->first);
        wr->first.type = OCOP__ENTITY_TYPE__ENTITY_TYPE_COOPERATIVE;
        wr->first.name = (char *)mode;
        wr->req.body_case = OCOP__REQUEST__BODY_REG_ENTITY_REGISTER;
        wr->req.reg_entity_register = &wr->first;
    }
    return &wr->req;
}

/* A write through the first route. */
static Ocop__Request *s_write_init(s_write_t *wr, const char *request_id, const char *mode)
{
    return s_write_route_init(wr, request_id, mode, 0);
}

static Ocop__Reply *s_write(s_world_t *w, const char *request_id, const char *mode)
{
    s_write_t wr;
    return s_call(w, s_write_init(&wr, request_id, mode));
}

/* The next reply frame as raw bytes (malloc'd, the caller frees). */
static uint8_t *s_recv_raw(s_world_t *w, size_t *len)
{
    void *sock = ocop_client_socket(w->client);
    zmq_pollitem_t items[] = {{sock, 0, ZMQ_POLLIN, 0}};
    if (zmq_poll(items, 1, S_TIMEOUT_MS) != 1)
        fail_msg("no reply frame within %d ms", S_TIMEOUT_MS);
    zmq_msg_t msg;
    zmq_msg_init(&msg);
    assert_true(zmq_msg_recv(&msg, sock, 0) >= 0);
    *len = zmq_msg_size(&msg);
    uint8_t *buf = malloc(*len ? *len : 1);
    assert_non_null(buf);
    memcpy(buf, zmq_msg_data(&msg), *len);
    zmq_msg_close(&msg);
    return buf;
}

static Ocop__Reply *s_unpack_reply(const uint8_t *buf, size_t len)
{
    Ocop__Reply *reply = ocop__reply__unpack(NULL, len, buf);
    assert_non_null(reply);
    return reply;
}

/* Sends req exactly as given (an empty request_id stays empty) and returns the reply. */
static Ocop__Reply *s_call_raw(s_world_t *w, const Ocop__Request *req)
{
    size_t len = ocop__request__get_packed_size(req);
    uint8_t *buf = malloc(len ? len : 1);
    assert_non_null(buf);
    ocop__request__pack(req, buf);
    assert_int_equal(ocop_client_send_raw(w->client, buf, len), 0);
    free(buf);
    uint8_t *raw = s_recv_raw(w, &len);
    Ocop__Reply *reply = s_unpack_reply(raw, len);
    free(raw);
    return reply;
}

static Ocop__Reply *s_events_from(s_world_t *w, uint64_t from, uint32_t max)
{
    Ocop__EventsFrom body = OCOP__EVENTS_FROM__INIT;
    body.from_sequence = from;
    body.max = max;
    Ocop__Request req = OCOP__REQUEST__INIT;
    req.body_case = OCOP__REQUEST__BODY_EVENTS_FROM;
    req.events_from = &body;
    Ocop__Reply *reply = s_call(w, &req);
    assert_int_equal(reply->status, OCOP__STATUS__STATUS_OK);
    assert_int_equal(reply->body_case, OCOP__REPLY__BODY_EVENTS);
    return reply;
}

/* The batch holds exactly n events, sequences first.. without a gap, each from this service
 * and shard, each a RegEntityRegistered whose revision equals its sequence. */
static void s_assert_events(const Ocop__EventBatch *batch, uint64_t first, size_t n)
{
    assert_int_equal(batch->n_events, n);
    for (size_t i = 0; i < n; i++) {
        Ocop__Event *event = ocop__event__unpack(NULL, batch->events[i].len, batch->events[i].data);
        assert_non_null(event);
        assert_int_equal(event->sequence, first + i);
        assert_string_equal(event->source, S_NAME);
        assert_int_equal(event->shard, S_SHARD);
        assert_true(event->time_ms > 0);
        assert_int_equal(event->body_case, OCOP__EVENT__BODY_REG_ENTITY_REGISTERED);
        assert_int_equal(event->reg_entity_registered->entity->revision, first + i);
        ocop__event__free_unpacked(event, NULL);
    }
}

/* No event after `last`, and the service says `last` is the newest. */
static void s_assert_no_events_after(s_world_t *w, uint64_t last)
{
    Ocop__Reply *reply = s_events_from(w, last + 1, 0);
    assert_int_equal(reply->events->n_events, 0);
    assert_int_equal(reply->events->last_sequence, last);
    ocop__reply__free_unpacked(reply, NULL);
    assert_int_equal(s_ping(w).last_sequence, last);
}

/* ---------------------------------------------------------------- tests */

/* ocop_ctx_publish_body finds an event's field by its body's message type: each type must be
 * carried by one field of Event's oneof only. */
static void test_event_bodies_are_distinct_types(void **state)
{
    (void)state;
    const ProtobufCMessageDescriptor *d = &ocop__event__descriptor;
    size_t bodies = 0;
    for (unsigned i = 0; i < d->n_fields; i++) {
        if (!(d->fields[i].flags & PROTOBUF_C_FIELD_FLAG_ONEOF))
            continue;
        assert_int_equal(d->fields[i].type, PROTOBUF_C_TYPE_MESSAGE);
        bodies++;
        for (unsigned j = 0; j < i; j++)
            if ((d->fields[j].flags & PROTOBUF_C_FIELD_FLAG_ONEOF) &&
                d->fields[j].descriptor == d->fields[i].descriptor)
                fail_msg("Event fields %s and %s carry the same type", d->fields[j].name, d->fields[i].name);
    }
    assert_true(bodies > 30);
}

static void test_ping_counters(void **state)
{
    s_world_t *w = *state;
    Ocop__Pong a = s_ping(w);
    Ocop__Pong b = s_ping(w);
    /* Counters cover finished batches: a's ping is counted by the time b is answered. */
    assert_true(b.batches >= 1);
    assert_true(b.batch_requests_max >= 1);
    /* Each ping is one request in one batch. */
    assert_int_equal(b.requests, a.requests + 1);
    assert_int_equal(b.batches, a.batches + 1);
    assert_int_equal(b.errors, a.errors);
    assert_true(b.uptime_ms >= a.uptime_ms);
    assert_int_equal(b.last_sequence, a.last_sequence);
    assert_int_equal(a.map_size, S_MAP_SIZE);

    /* The reply carries the request id the client chose. */
    Ocop__Ping ping = OCOP__PING__INIT;
    Ocop__Request req = OCOP__REQUEST__INIT;
    req.request_id = "ping-with-id";
    req.body_case = OCOP__REQUEST__BODY_PING;
    req.ping = &ping;
    Ocop__Reply *reply = s_call(w, &req);
    assert_string_equal(reply->request_id, "ping-with-id");
    ocop__reply__free_unpacked(reply, NULL);
}

static void test_unknown_key_is_refused(void **state)
{
    s_world_t *w = *state;
    Ocop__Pong before = s_ping(w);
    ocop_keypair_t stranger;
    assert_int_equal(ocop_keys_generate(&stranger), 0);
    ocop_client_t *other =
        ocop_client_new(w->zctx, w->config.endpoint, w->server_keys.public_z85, &stranger, "stranger");
    assert_non_null(other);
    Ocop__Ping ping = OCOP__PING__INIT;
    Ocop__Request req = OCOP__REQUEST__INIT;
    req.body_case = OCOP__REQUEST__BODY_PING;
    req.ping = &ping;
    Ocop__Reply *reply = NULL;
    assert_int_equal(ocop_client_call(other, &req, &reply, 500, 1), -1);
    assert_null(reply);
    ocop_client_destroy(&other);
    /* Nothing of the stranger reached the loop. */
    Ocop__Pong after = s_ping(w);
    assert_int_equal(after.requests, before.requests + 1);
}

static void test_write_reply_and_events(void **state)
{
    s_world_t *w = *state;
    uint64_t c0 = s_read_counter(w);
    uint64_t last0 = s_ping(w).last_sequence;
    assert_int_equal(c0, last0);

    for (uint64_t i = 1; i <= 3; i++) {
        Ocop__Reply *reply = s_write(w, NULL, S_MODE_OK);
        assert_int_equal(reply->status, OCOP__STATUS__STATUS_OK);
        assert_true(strlen(reply->request_id) == OCOP_REQUEST_ID_LEN);
        assert_int_equal(reply->body_case, OCOP__REPLY__BODY_REG_ENTITY);
        assert_int_equal(reply->reg_entity->revision, c0 + i);
        assert_string_equal(reply->reg_entity->name, S_MODE_OK);
        ocop__reply__free_unpacked(reply, NULL);
    }
    assert_int_equal(s_read_counter(w), c0 + 3);
    assert_int_equal(s_ping(w).last_sequence, last0 + 3);

    Ocop__Reply *reply = s_events_from(w, last0 + 1, 0);
    assert_int_equal(reply->events->last_sequence, last0 + 3);
    s_assert_events(reply->events, last0 + 1, 3);
    ocop__reply__free_unpacked(reply, NULL);
    reply = s_events_from(w, 0, 0); /* 0 = from the start */
    s_assert_events(reply->events, 1, (size_t)(last0 + 3));
    ocop__reply__free_unpacked(reply, NULL);
    reply = s_events_from(w, 1, 2);
    s_assert_events(reply->events, 1, 2);
    assert_int_equal(reply->events->last_sequence, last0 + 3);
    ocop__reply__free_unpacked(reply, NULL);
    s_assert_no_events_after(w, last0 + 3);

    /* Pipelined: ten writes sent before any reply is read, very likely in one batch. */
    enum { N = 10 };
    s_write_t wr[N];
    char ids[N][32];
    for (int i = 0; i < N; i++) {
        snprintf(ids[i], sizeof ids[i], "pipe-%d", i);
        assert_int_equal(ocop_client_send(w->client, s_write_init(&wr[i], ids[i], S_MODE_OK)), 0);
    }
    uint64_t seen = 0; /* bit i: revision c0 + 4 + i came back */
    for (int i = 0; i < N; i++) {
        size_t len;
        uint8_t *raw = s_recv_raw(w, &len);
        Ocop__Reply *r = s_unpack_reply(raw, len);
        free(raw);
        assert_int_equal(r->status, OCOP__STATUS__STATUS_OK);
        /* Replies come back in the order the requests were sent. */
        assert_string_equal(r->request_id, ids[i]);
        uint64_t rev = r->reg_entity->revision;
        assert_true(rev >= c0 + 4 && rev < c0 + 4 + N);
        seen |= 1ULL << (rev - c0 - 4);
        ocop__reply__free_unpacked(r, NULL);
    }
    assert_int_equal(seen, (1ULL << N) - 1);
    assert_int_equal(s_read_counter(w), c0 + 3 + N);
    reply = s_events_from(w, last0 + 4, 0);
    s_assert_events(reply->events, last0 + 4, N);
    ocop__reply__free_unpacked(reply, NULL);
    s_assert_no_events_after(w, last0 + 3 + N);
}

static void test_repeated_request_id(void **state)
{
    s_world_t *w = *state;
    uint64_t c0 = s_read_counter(w);
    uint64_t last0 = s_ping(w).last_sequence;

    s_write_t wr;
    size_t len1, len2;
    assert_int_equal(ocop_client_send(w->client, s_write_init(&wr, "repeat-1", S_MODE_OK)), 0);
    uint8_t *first = s_recv_raw(w, &len1);
    Ocop__Reply *reply = s_unpack_reply(first, len1);
    assert_int_equal(reply->status, OCOP__STATUS__STATUS_OK);
    assert_int_equal(reply->reg_entity->revision, c0 + 1);
    ocop__reply__free_unpacked(reply, NULL);

    assert_int_equal(ocop_client_send(w->client, s_write_init(&wr, "repeat-1", S_MODE_OK)), 0);
    uint8_t *second = s_recv_raw(w, &len2);
    assert_int_equal(len2, len1);
    assert_memory_equal(second, first, len1);
    free(second);
    /* Another body under the same id is another request: refused, nothing applied. */
    assert_int_equal(ocop_client_send(w->client, s_write_init(&wr, "repeat-1", S_MODE_FAIL)), 0);
    second = s_recv_raw(w, &len2);
    reply = s_unpack_reply(second, len2);
    assert_int_equal(reply->status, OCOP__STATUS__STATUS_CONFLICT);
    assert_string_equal(reply->field, "request_id");
    assert_string_equal(reply->request_id, "repeat-1");
    ocop__reply__free_unpacked(reply, NULL);
    free(second);
    free(first);
    assert_int_equal(s_read_counter(w), c0 + 1);
    s_assert_no_events_after(w, last0 + 1);

    /* The repeat inside the same batch as the original (sent back to back). */
    s_write_t wr2;
    assert_int_equal(ocop_client_send(w->client, s_write_init(&wr, "repeat-2", S_MODE_OK)), 0);
    assert_int_equal(ocop_client_send(w->client, s_write_init(&wr2, "repeat-2", S_MODE_OK)), 0);
    first = s_recv_raw(w, &len1);
    second = s_recv_raw(w, &len2);
    assert_int_equal(len2, len1);
    assert_memory_equal(second, first, len1);
    reply = s_unpack_reply(first, len1);
    assert_int_equal(reply->status, OCOP__STATUS__STATUS_OK);
    assert_int_equal(reply->reg_entity->revision, c0 + 2);
    ocop__reply__free_unpacked(reply, NULL);
    free(first);
    free(second);
    assert_int_equal(s_read_counter(w), c0 + 2);
    Ocop__Reply *events = s_events_from(w, last0 + 1, 0);
    s_assert_events(events->events, last0 + 1, 2);
    ocop__reply__free_unpacked(events, NULL);
    s_assert_no_events_after(w, last0 + 2);
}

static void test_failed_write_leaves_no_trace(void **state)
{
    s_world_t *w = *state;
    uint64_t c0 = s_read_counter(w);
    Ocop__Pong p0 = s_ping(w);
    uint64_t last0 = p0.last_sequence;

    Ocop__Reply *reply = s_write(w, "fail-1", S_MODE_FAIL);
    assert_int_equal(reply->status, OCOP__STATUS__STATUS_INVALID);
    assert_string_equal(reply->field, "name");
    assert_non_null(strstr(reply->message, "refuses 'fail'"));
    assert_int_equal(reply->body_case, OCOP__REPLY__BODY__NOT_SET);
    assert_string_equal(reply->request_id, "fail-1");
    ocop__reply__free_unpacked(reply, NULL);
    assert_int_equal(s_read_counter(w), c0);
    s_assert_no_events_after(w, last0);

    /* Failing without saying why still discards, and the reply says INTERNAL. */
    reply = s_write(w, "fail-2", S_MODE_FAIL_SILENT);
    assert_int_equal(reply->status, OCOP__STATUS__STATUS_INTERNAL);
    assert_true(strlen(reply->message) > 0);
    ocop__reply__free_unpacked(reply, NULL);
    assert_int_equal(s_read_counter(w), c0);
    s_assert_no_events_after(w, last0);
    Ocop__Pong p1 = s_ping(w);
    assert_true(p1.errors >= p0.errors + 2);

    /* ok, fail, ok back to back: the refused one's sequence is handed to the next write. */
    s_write_t wr[3];
    const char *modes[3] = {S_MODE_OK, S_MODE_FAIL, S_MODE_OK};
    const char *ids[3] = {"mix-1", "mix-2", "mix-3"};
    for (int i = 0; i < 3; i++)
        assert_int_equal(ocop_client_send(w->client, s_write_init(&wr[i], ids[i], modes[i])), 0);
    const Ocop__Status want[3] = {OCOP__STATUS__STATUS_OK, OCOP__STATUS__STATUS_INVALID, OCOP__STATUS__STATUS_OK};
    for (int i = 0; i < 3; i++) {
        size_t len;
        uint8_t *raw = s_recv_raw(w, &len);
        Ocop__Reply *r = s_unpack_reply(raw, len);
        free(raw);
        assert_string_equal(r->request_id, ids[i]);
        assert_int_equal(r->status, want[i]);
        ocop__reply__free_unpacked(r, NULL);
    }
    assert_int_equal(s_read_counter(w), c0 + 2);
    Ocop__Reply *events = s_events_from(w, last0 + 1, 0);
    s_assert_events(events->events, last0 + 1, 2);
    ocop__reply__free_unpacked(events, NULL);
    s_assert_no_events_after(w, last0 + 2);
}

/* Writes run straight in the batch transaction. A refusal before any write is answered there
 * and reruns nothing; a refusal after a write, or a store error, makes the loop rerun the batch
 * with that request nested, so only that request is lost: on either route, alone or among
 * others, each counted once in the Pong. */
static void test_refusals_in_the_batch(void **state)
{
    s_world_t *w = *state;
    uint64_t c0 = s_read_counter(w);
    Ocop__Pong p0 = s_ping(w);
    uint64_t last0 = p0.last_sequence;

    s_write_t wr;
    Ocop__Reply *reply = s_call(w, s_write_route_init(&wr, "batch-1", S_MODE_OK, 1));
    assert_int_equal(reply->status, OCOP__STATUS__STATUS_OK);
    assert_int_equal(reply->reg_entity->revision, c0 + 1);
    ocop__reply__free_unpacked(reply, NULL);
    reply = s_call(w, s_write_route_init(&wr, "batch-2", S_MODE_REFUSE, 1));
    assert_int_equal(reply->status, OCOP__STATUS__STATUS_INVALID);
    assert_string_equal(reply->field, "name");
    ocop__reply__free_unpacked(reply, NULL);
    assert_int_equal(s_read_counter(w), c0 + 1);
    s_assert_no_events_after(w, last0 + 1);
    assert_int_equal(s_ping(w).batch_reruns, p0.batch_reruns);

    /* Written, then refused, alone in its batch: on the route once said to check first. */
    reply = s_call(w, s_write_route_init(&wr, "batch-3", S_MODE_FAIL, 1));
    assert_int_equal(reply->status, OCOP__STATUS__STATUS_INVALID);
    ocop__reply__free_unpacked(reply, NULL);
    assert_int_equal(s_read_counter(w), c0 + 1);
    s_assert_no_events_after(w, last0 + 1);
    assert_int_equal(s_ping(w).batch_reruns, p0.batch_reruns + 1);

    /* A store error after the write, alone in its batch. */
    reply = s_call(w, s_write_route_init(&wr, "batch-4", S_MODE_DB_ERROR, 1));
    assert_int_equal(reply->status, OCOP__STATUS__STATUS_INTERNAL);
    ocop__reply__free_unpacked(reply, NULL);
    assert_int_equal(s_read_counter(w), c0 + 1);
    s_assert_no_events_after(w, last0 + 1);
    Ocop__Pong p1 = s_ping(w);
    assert_int_equal(p1.map_size, S_MAP_SIZE); /* a store error is not a full map */
    assert_int_equal(p1.batch_reruns, p0.batch_reruns + 2);

    /* Back to back on both routes: only the store error and the refusal after a write rerun.
     * In one batch the refusal comes after the rerun's first nested request and is itself
     * nested (one rerun); split between batches, each reruns its own (two). */
    enum { N = 7 };
    s_write_t ws[N];
    const char *modes[N] = {S_MODE_OK, S_MODE_DB_ERROR, S_MODE_OK, S_MODE_FAIL, S_MODE_OK, S_MODE_REFUSE, S_MODE_OK};
    const int other[N] = {1, 1, 0, 0, 1, 1, 0};
    const Ocop__Status want[N] = {
        OCOP__STATUS__STATUS_OK, OCOP__STATUS__STATUS_INTERNAL, OCOP__STATUS__STATUS_OK, OCOP__STATUS__STATUS_INVALID,
        OCOP__STATUS__STATUS_OK, OCOP__STATUS__STATUS_INVALID,  OCOP__STATUS__STATUS_OK};
    char ids[N][32];
    uint64_t revision = c0 + 1;
    for (int i = 0; i < N; i++) {
        snprintf(ids[i], sizeof ids[i], "batch-mix-%d", i);
        assert_int_equal(ocop_client_send(w->client, s_write_route_init(&ws[i], ids[i], modes[i], other[i])), 0);
    }
    for (int i = 0; i < N; i++) {
        size_t len;
        uint8_t *raw = s_recv_raw(w, &len);
        Ocop__Reply *r = s_unpack_reply(raw, len);
        free(raw);
        assert_string_equal(r->request_id, ids[i]);
        assert_int_equal(r->status, want[i]);
        if (want[i] == OCOP__STATUS__STATUS_OK)
            assert_int_equal(r->reg_entity->revision, ++revision);
        ocop__reply__free_unpacked(r, NULL);
    }
    assert_int_equal(s_read_counter(w), c0 + 5);
    Ocop__Reply *events = s_events_from(w, last0 + 1, 0);
    s_assert_events(events->events, last0 + 1, 5);
    ocop__reply__free_unpacked(events, NULL);
    s_assert_no_events_after(w, last0 + 5);
    assert_in_range(s_ping(w).batch_reruns, p0.batch_reruns + 3, p0.batch_reruns + 4);

    /* A repeat is answered from the record; its id on another route is refused. */
    size_t len1, len2;
    assert_int_equal(ocop_client_send(w->client, s_write_route_init(&wr, "batch-1", S_MODE_OK, 1)), 0);
    uint8_t *again = s_recv_raw(w, &len2);
    reply = s_unpack_reply(again, len2);
    assert_int_equal(reply->status, OCOP__STATUS__STATUS_OK);
    assert_int_equal(reply->reg_entity->revision, c0 + 1);
    ocop__reply__free_unpacked(reply, NULL);
    assert_int_equal(ocop_client_send(w->client, s_write_route_init(&wr, "batch-1", S_MODE_OK, 0)), 0);
    uint8_t *third = s_recv_raw(w, &len1);
    reply = s_unpack_reply(third, len1);
    assert_int_equal(reply->status, OCOP__STATUS__STATUS_CONFLICT);
    assert_string_equal(reply->field, "request_id");
    ocop__reply__free_unpacked(reply, NULL);
    free(again);
    free(third);
    assert_int_equal(s_read_counter(w), c0 + 5);
    s_assert_no_events_after(w, last0 + 5);
}

static void test_write_needs_request_id(void **state)
{
    s_world_t *w = *state;
    uint64_t c0 = s_read_counter(w);
    uint64_t last0 = s_ping(w).last_sequence;

    s_write_t wr;
    Ocop__Request *req = s_write_init(&wr, NULL, S_MODE_OK);
    req->caller = "unit-raw";
    Ocop__Reply *reply = s_call_raw(w, req);
    assert_int_equal(reply->status, OCOP__STATUS__STATUS_INVALID);
    assert_string_equal(reply->field, "request_id");
    assert_string_equal(reply->request_id, "");
    ocop__reply__free_unpacked(reply, NULL);

    /* Not printable ASCII, and too long, are refused the same way. */
    char too_long[130], longest[129];
    memset(too_long, 'a', sizeof too_long - 1);
    too_long[sizeof too_long - 1] = '\0';
    memset(longest, 'b', sizeof longest - 1);
    longest[sizeof longest - 1] = '\0';
    const char *bad[] = {"has space", "tab\there", "caf\xc3\xa9", too_long};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        req = s_write_init(&wr, bad[i], S_MODE_OK);
        req->caller = "unit-raw";
        reply = s_call_raw(w, req);
        assert_int_equal(reply->status, OCOP__STATUS__STATUS_INVALID);
        assert_string_equal(reply->field, "request_id");
        ocop__reply__free_unpacked(reply, NULL);
    }
    assert_int_equal(s_read_counter(w), c0);
    s_assert_no_events_after(w, last0);

    /* A write must also say who asks: histories record it. */
    const char *callers[] = {"", "bad\xff"};
    for (size_t i = 0; i < sizeof callers / sizeof callers[0]; i++) {
        req = s_write_init(&wr, "no-caller", S_MODE_OK);
        req->caller = (char *)callers[i];
        reply = s_call_raw(w, req);
        assert_int_equal(reply->status, OCOP__STATUS__STATUS_INVALID);
        assert_string_equal(reply->field, "caller");
        ocop__reply__free_unpacked(reply, NULL);
    }
    assert_int_equal(s_read_counter(w), c0);
    s_assert_no_events_after(w, last0);

    /* 128 characters is the limit, inclusive. */
    reply = s_write(w, longest, S_MODE_OK);
    assert_int_equal(reply->status, OCOP__STATUS__STATUS_OK);
    ocop__reply__free_unpacked(reply, NULL);
    assert_int_equal(s_read_counter(w), c0 + 1);

    /* Reads need no id. */
    Ocop__RegEntityGet get = OCOP__REG_ENTITY_GET__INIT;
    get.id = "e-1";
    Ocop__Request read = OCOP__REQUEST__INIT;
    read.body_case = OCOP__REQUEST__BODY_REG_ENTITY_GET;
    read.reg_entity_get = &get;
    reply = s_call_raw(w, &read);
    assert_int_equal(reply->status, OCOP__STATUS__STATUS_OK);
    assert_int_equal(reply->reg_entity->revision, c0 + 1);
    ocop__reply__free_unpacked(reply, NULL);
}

static void test_malformed_unsupported_too_large(void **state)
{
    s_world_t *w = *state;
    uint64_t c0 = s_read_counter(w);

    assert_int_equal(ocop_client_send_raw(w->client, "\xff\xff\xff", 3), 0);
    size_t len;
    uint8_t *raw = s_recv_raw(w, &len);
    Ocop__Reply *reply = s_unpack_reply(raw, len);
    free(raw);
    assert_int_equal(reply->status, OCOP__STATUS__STATUS_MALFORMED);
    ocop__reply__free_unpacked(reply, NULL);

    /* A body this service has no route for, and no body at all. */
    Ocop__RegUnitGet unit = OCOP__REG_UNIT_GET__INIT;
    Ocop__Request req = OCOP__REQUEST__INIT;
    req.body_case = OCOP__REQUEST__BODY_REG_UNIT_GET;
    req.reg_unit_get = &unit;
    reply = s_call(w, &req);
    assert_int_equal(reply->status, OCOP__STATUS__STATUS_UNSUPPORTED);
    assert_string_equal(reply->field, "body");
    ocop__reply__free_unpacked(reply, NULL);
    Ocop__Request empty = OCOP__REQUEST__INIT;
    reply = s_call(w, &empty);
    assert_int_equal(reply->status, OCOP__STATUS__STATUS_UNSUPPORTED);
    ocop__reply__free_unpacked(reply, NULL);

    /* One byte over the configured limit. */
    size_t big_len = S_MAX_REQUEST_BYTES + 1;
    uint8_t *big = calloc(1, big_len);
    assert_non_null(big);
    assert_int_equal(ocop_client_send_raw(w->client, big, big_len), 0);
    free(big);
    raw = s_recv_raw(w, &len);
    reply = s_unpack_reply(raw, len);
    free(raw);
    assert_int_equal(reply->status, OCOP__STATUS__STATUS_TOO_LARGE);
    ocop__reply__free_unpacked(reply, NULL);

    assert_int_equal(s_read_counter(w), c0);
}

typedef struct {
    s_world_t *w;
    Ocop__Reply *reply;
} s_held_call_t;

/* The held read, sent from its own client on its own thread. */
static void *s_held_read(void *arg)
{
    s_held_call_t *call = arg;
    s_world_t *w = call->w;
    ocop_client_t *c =
        ocop_client_new(w->zctx, w->config.endpoint, w->server_keys.public_z85, &w->client_keys, "unit-held");
    Ocop__RegProductGet get = OCOP__REG_PRODUCT_GET__INIT;
    get.id = "e-held";
    Ocop__Request req = OCOP__REQUEST__INIT;
    req.body_case = OCOP__REQUEST__BODY_REG_PRODUCT_GET;
    req.reg_product_get = &get;
    if (c)
        ocop_client_call(c, &req, &call->reply, 2 * S_TIMEOUT_MS, 1);
    ocop_client_destroy(&c);
    return NULL;
}

static int s_held(s_world_t *w)
{
    pthread_mutex_lock(&w->hold_lock);
    int held = w->held;
    pthread_mutex_unlock(&w->hold_lock);
    return held;
}

/* A read runs on a reader thread with its own read transaction: while one is held inside its
 * handler, writes are applied and answered and other reads are served; released, it reports
 * what its transaction saw when it began, not the writes committed since. */
static void test_reads_off_the_writer(void **state)
{
    s_world_t *w = *state;
    uint64_t before = s_read_counter(w);
    assert_false(pthread_equal(w->read_thread, w->thread)); /* served by a reader */

    s_held_call_t call = {.w = w};
    pthread_t t;
    assert_int_equal(pthread_create(&t, NULL, s_held_read, &call), 0);
    int64_t deadline = s_monotonic_ms() + S_TIMEOUT_MS;
    while (!s_held(w) && s_monotonic_ms() < deadline)
        usleep(1000);
    assert_true(s_held(w));

    for (int i = 0; i < 3; i++) {
        char rid[32];
        snprintf(rid, sizeof rid, "held-read-write-%d", i);
        Ocop__Reply *r = s_write(w, rid, S_MODE_OK);
        assert_int_equal(r->status, OCOP__STATUS__STATUS_OK);
        ocop__reply__free_unpacked(r, NULL);
    }
    assert_int_equal(s_read_counter(w), before + 3); /* the other reader */
    assert_true(s_held(w) && call.reply == NULL);    /* still held: nothing waited for it */

    pthread_mutex_lock(&w->hold_lock);
    w->released = 1;
    pthread_cond_broadcast(&w->hold_cond);
    pthread_mutex_unlock(&w->hold_lock);
    pthread_join(t, NULL);
    assert_non_null(call.reply);
    assert_int_equal(call.reply->status, OCOP__STATUS__STATUS_OK);
    assert_int_equal(call.reply->reg_entity->revision, before); /* its snapshot */
    ocop__reply__free_unpacked(call.reply, NULL);
}

/* A reading route's transaction is read-only: its write fails, the store is unchanged. A route
 * declared on_writer runs on the loop's thread, and is refused when it writes there (its
 * nested transaction is aborted either way). */
static void test_read_routes_cannot_write(void **state)
{
    s_world_t *w = *state;
    uint64_t before = s_read_counter(w);
    Ocop__RegEntityList list = OCOP__REG_ENTITY_LIST__INIT;
    Ocop__Request req = OCOP__REQUEST__INIT;
    req.body_case = OCOP__REQUEST__BODY_REG_ENTITY_LIST;
    req.reg_entity_list = &list;
    Ocop__Reply *r = s_call(w, &req);
    assert_int_equal(r->status, OCOP__STATUS__STATUS_INTERNAL);
    ocop__reply__free_unpacked(r, NULL);
    assert_int_equal(s_read_counter(w), before);

    Ocop__RegCountsGet counts = OCOP__REG_COUNTS_GET__INIT;
    Ocop__Request creq = OCOP__REQUEST__INIT;
    creq.body_case = OCOP__REQUEST__BODY_REG_COUNTS_GET;
    creq.reg_counts_get = &counts;
    r = s_call(w, &creq);
    assert_int_equal(r->status, OCOP__STATUS__STATUS_OK);
    ocop__reply__free_unpacked(r, NULL);
    assert_true(pthread_equal(w->on_writer_thread, w->thread));

    Ocop__RegUnitList units = OCOP__REG_UNIT_LIST__INIT;
    Ocop__Request ureq = OCOP__REQUEST__INIT;
    ureq.body_case = OCOP__REQUEST__BODY_REG_UNIT_LIST;
    ureq.reg_unit_list = &units;
    r = s_call(w, &ureq);
    assert_int_equal(r->status, OCOP__STATUS__STATUS_INTERNAL);
    assert_non_null(strstr(r->message, "reading route"));
    ocop__reply__free_unpacked(r, NULL);
    assert_int_equal(s_read_counter(w), before);
}

static Ocop__Reply *s_write_replayed(s_world_t *w, const char *request_id)
{
    Ocop__RegProductRegister body = OCOP__REG_PRODUCT_REGISTER__INIT;
    body.name = S_MODE_OK;
    Ocop__Request req = OCOP__REQUEST__INIT;
    req.request_id = (char *)request_id;
    req.body_case = OCOP__REQUEST__BODY_REG_PRODUCT_REGISTER;
    req.reg_product_register = &body;
    return s_call(w, &req);
}

/* A route with a replay keeps the record's id with the request id, not the reply: a retry is
 * answered with the record rebuilt — the same reply while nothing changed it, the record as it
 * is now after — and is not applied again. */
static void test_replayed_retry(void **state)
{
    s_world_t *w = *state;
    uint64_t c0 = s_read_counter(w);
    Ocop__Reply *first = s_write_replayed(w, "replayed-1");
    assert_int_equal(first->status, OCOP__STATUS__STATUS_OK);
    assert_int_equal(first->reg_entity->revision, c0 + 1);
    Ocop__Reply *again = s_write_replayed(w, "replayed-1");
    assert_int_equal(again->status, OCOP__STATUS__STATUS_OK);
    assert_string_equal(again->reg_entity->id, first->reg_entity->id);
    assert_int_equal(again->reg_entity->revision, c0 + 1);
    ocop__reply__free_unpacked(again, NULL);
    assert_int_equal(s_read_counter(w), c0 + 1);

    /* What is kept: time, mark, the request's digest and the id — not the reply. */
    MDB_dbi requests;
    assert_int_equal(ocop_store_dbi(w->store, "request_ids", 0, &requests), 0);
    MDB_txn *txn;
    assert_int_equal(mdb_txn_begin(ocop_store_env(w->store), NULL, MDB_RDONLY, &txn), 0);
    MDB_val k = {.mv_size = strlen("replayed-1"), .mv_data = "replayed-1"}, v;
    assert_int_equal(mdb_get(txn, requests, &k, &v), 0);
    assert_int_equal(v.mv_size, 8 + 1 + 32 + strlen(first->reg_entity->id));
    mdb_txn_abort(txn);

    s_write_t wr;
    Ocop__Reply *other = s_call(w, s_write_init(&wr, "replayed-other", S_MODE_OK));
    assert_int_equal(other->status, OCOP__STATUS__STATUS_OK);
    ocop__reply__free_unpacked(other, NULL);
    again = s_write_replayed(w, "replayed-1");
    assert_int_equal(again->status, OCOP__STATUS__STATUS_OK);
    assert_int_equal(again->reg_entity->revision, c0 + 2); /* as it is now */
    ocop__reply__free_unpacked(again, NULL);
    ocop__reply__free_unpacked(first, NULL);
    assert_int_equal(s_read_counter(w), c0 + 2);
}

static void test_map_growth_to_ceiling(void **state)
{
    s_world_t *w = *state;
    uint64_t c0 = s_read_counter(w);
    Ocop__Pong p0 = s_ping(w);
    assert_int_equal(p0.map_size, S_MAP_SIZE); /* the small writes so far fit */

    size_t map_size = p0.map_size;
    int ok = 0, grew_while_writing = 0, full = 0, last_ok_other = 0;
    char last_ok_id[32] = "";
    uint8_t *last_ok_reply = NULL;
    size_t last_ok_len = 0;
    int64_t deadline = s_monotonic_ms() + 60000;
    /* 4 MiB holds at most 32 blobs of 128 KiB: 100 attempts is plenty. */
    for (int i = 0; i < 100 && !full && s_monotonic_ms() < deadline; i++) {
        char id[32];
        snprintf(id, sizeof id, "big-%d", i);
        s_write_t wr;
        /* Alternate the two routes: both must grow the map. */
        assert_int_equal(ocop_client_send(w->client, s_write_route_init(&wr, id, S_MODE_BIG, i % 2)), 0);
        size_t len;
        uint8_t *raw = s_recv_raw(w, &len);
        Ocop__Reply *reply = s_unpack_reply(raw, len);
        if (reply->status == OCOP__STATUS__STATUS_OK) {
            ok++;
            assert_int_equal(reply->reg_entity->revision, c0 + (uint64_t)ok);
            snprintf(last_ok_id, sizeof last_ok_id, "%s", id);
            last_ok_other = i % 2;
            free(last_ok_reply);
            last_ok_reply = raw;
            last_ok_len = len;
            raw = NULL;
        } else {
            assert_int_equal(reply->status, OCOP__STATUS__STATUS_STORAGE_FULL);
            assert_non_null(strstr(reply->message, "storage is full"));
            assert_int_equal(reply->body_case, OCOP__REPLY__BODY__NOT_SET);
            full = 1;
        }
        ocop__reply__free_unpacked(reply, NULL);
        free(raw);
        size_t now = s_ping(w).map_size;
        assert_true(now >= map_size);
        assert_true(now <= S_MAP_MAX);
        if (now > map_size && !full)
            grew_while_writing = 1;
        map_size = now;
    }
    assert_true(full);
    assert_true(grew_while_writing);
    /* More blobs were stored than the initial map could ever hold. */
    assert_true((size_t)ok * S_BLOB_BYTES > S_MAP_SIZE);
    assert_non_null(last_ok_reply);

    /* At the ceiling: ping and reads answer, writes are refused and change nothing. */
    Ocop__Pong p1 = s_ping(w);
    assert_int_equal(p1.map_size, S_MAP_MAX);
    uint64_t last = p1.last_sequence;
    assert_int_equal(s_read_counter(w), c0 + (uint64_t)ok);
    assert_int_equal(last, c0 + (uint64_t)ok);

    /* A refused write, a read, a ping and a replay sent together (likely one batch). */
    s_write_t wr;
    assert_int_equal(ocop_client_send(w->client, s_write_init(&wr, "big-after-full", S_MODE_BIG)), 0);
    Ocop__RegEntityGet get = OCOP__REG_ENTITY_GET__INIT;
    get.id = "e-read";
    Ocop__Request read = OCOP__REQUEST__INIT;
    read.request_id = "read-at-ceiling";
    read.body_case = OCOP__REQUEST__BODY_REG_ENTITY_GET;
    read.reg_entity_get = &get;
    assert_int_equal(ocop_client_send(w->client, &read), 0);
    Ocop__Ping ping = OCOP__PING__INIT;
    Ocop__Request preq = OCOP__REQUEST__INIT;
    preq.request_id = "ping-at-ceiling";
    preq.body_case = OCOP__REQUEST__BODY_PING;
    preq.ping = &ping;
    assert_int_equal(ocop_client_send(w->client, &preq), 0);
    Ocop__EventsFrom from = OCOP__EVENTS_FROM__INIT;
    from.from_sequence = 1;
    Ocop__Request ereq = OCOP__REQUEST__INIT;
    ereq.request_id = "events-at-ceiling";
    ereq.body_case = OCOP__REQUEST__BODY_EVENTS_FROM;
    ereq.events_from = &from;
    assert_int_equal(ocop_client_send(w->client, &ereq), 0);
    /* Reads are answered by the readers as they finish: the replies are told apart by id. */
    unsigned seen = 0;
    for (int i = 0; i < 4; i++) {
        size_t len;
        uint8_t *raw = s_recv_raw(w, &len);
        Ocop__Reply *reply = s_unpack_reply(raw, len);
        free(raw);
        const char *order[] = {"big-after-full", "read-at-ceiling", "ping-at-ceiling", "events-at-ceiling"};
        int which = 0;
        while (which < 3 && strcmp(reply->request_id, order[which]) != 0)
            which++;
        assert_false(seen & (1u << which));
        seen |= 1u << which;
        switch (which) {
        case 0:
            assert_string_equal(reply->request_id, "big-after-full");
            assert_int_equal(reply->status, OCOP__STATUS__STATUS_STORAGE_FULL);
            break;
        case 1:
            assert_string_equal(reply->request_id, "read-at-ceiling");
            assert_int_equal(reply->status, OCOP__STATUS__STATUS_OK);
            assert_int_equal(reply->reg_entity->revision, c0 + (uint64_t)ok);
            break;
        case 2:
            assert_string_equal(reply->request_id, "ping-at-ceiling");
            assert_int_equal(reply->status, OCOP__STATUS__STATUS_OK);
            assert_int_equal(reply->pong->map_size, S_MAP_MAX);
            break;
        default:
            assert_string_equal(reply->request_id, "events-at-ceiling");
            assert_int_equal(reply->status, OCOP__STATUS__STATUS_OK);
            assert_int_equal(reply->events->last_sequence, last);
            s_assert_events(reply->events, 1, (size_t)last);
            break;
        }
        ocop__reply__free_unpacked(reply, NULL);
    }
    assert_int_equal(seen, 0xfu);

    /* A retry of a write that was applied still gets its original reply at the ceiling. */
    assert_int_equal(ocop_client_send(w->client, s_write_route_init(&wr, last_ok_id, S_MODE_BIG, last_ok_other)), 0);
    size_t len;
    uint8_t *again = s_recv_raw(w, &len);
    assert_int_equal(len, last_ok_len);
    assert_memory_equal(again, last_ok_reply, len);
    free(again);
    free(last_ok_reply);

    assert_int_equal(s_read_counter(w), c0 + (uint64_t)ok);
    s_assert_no_events_after(w, last);
}

static Ocop__Reply *s_records(s_world_t *w, const char *request_id, const char *id)
{
    Ocop__RegProductUpdate body = OCOP__REG_PRODUCT_UPDATE__INIT;
    body.id = (char *)id;
    Ocop__Request req = OCOP__REQUEST__INIT;
    req.request_id = (char *)request_id;
    req.body_case = OCOP__REQUEST__BODY_REG_PRODUCT_UPDATE;
    req.reg_product_update = &body;
    return s_call(w, &req);
}

/* The records of the context read, write, scan, find the last and erase in the request's
 * transaction; a key too long to build is absent to reads and refused for writes, and the
 * refusal keeps nothing. */
static void test_records_through_the_context(void **state)
{
    s_world_t *w = *state;
    uint64_t last0 = s_ping(w).last_sequence;
    Ocop__Reply *reply = s_records(w, "records-1", "first");
    if (reply->status != OCOP__STATUS__STATUS_OK)
        fail_msg("records: %s", reply->message);
    ocop__reply__free_unpacked(reply, NULL);
    /* Kept: a second request sees a and not b, so its own checks under another id pass too. */
    reply = s_records(w, "records-2", "second");
    assert_int_equal(reply->status, OCOP__STATUS__STATUS_OK);
    ocop__reply__free_unpacked(reply, NULL);

    uint64_t reruns = s_ping(w).batch_reruns;
    reply = s_records(w, "records-3", "overflow");
    assert_int_equal(reply->status, OCOP__STATUS__STATUS_INTERNAL);
    assert_non_null(strstr(reply->message, "writing a record"));
    ocop__reply__free_unpacked(reply, NULL);
    assert_int_equal(s_ping(w).batch_reruns, reruns + 1); /* a store error, undone by a rerun */
    s_assert_no_events_after(w, last0);
}

/* The loop's timer runs its request through the batch as the service (durable, the counter
 * moved) with no client behind it, at its next tick; done asking for more runs the rest at once,
 * within that tick's interval rather than one tick each. */
static void test_timer_runs_through_the_batch(void **state)
{
    s_world_t *w = *state;
    uint64_t before = s_read_counter(w);
    atomic_store(&w->timer_wanted, 3);
    for (int64_t deadline = s_monotonic_ms() + 2 * S_TIMER_MS + S_TIMEOUT_MS;
         atomic_load(&w->timer_ok) < 3 && s_monotonic_ms() < deadline;)
        usleep(20 * 1000);
    assert_int_equal(atomic_load(&w->timer_ok), 3);
    assert_int_equal(s_read_counter(w), before + 3);
    assert_true(atomic_load(&w->timer_last_ms) - atomic_load(&w->timer_first_ms) < S_TIMER_MS);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_event_bodies_are_distinct_types),
        cmocka_unit_test(test_ping_counters),
        cmocka_unit_test(test_unknown_key_is_refused),
        cmocka_unit_test(test_write_reply_and_events),
        cmocka_unit_test(test_repeated_request_id),
        cmocka_unit_test(test_failed_write_leaves_no_trace),
        cmocka_unit_test(test_refusals_in_the_batch),
        cmocka_unit_test(test_write_needs_request_id),
        cmocka_unit_test(test_malformed_unsupported_too_large),
        cmocka_unit_test(test_reads_off_the_writer),
        cmocka_unit_test(test_replayed_retry),
        cmocka_unit_test(test_read_routes_cannot_write),
        cmocka_unit_test(test_records_through_the_context),
        cmocka_unit_test(test_timer_runs_through_the_batch),
        cmocka_unit_test(test_map_growth_to_ceiling), /* last: leaves the store full */
    };
    return cmocka_run_group_tests(tests, s_group_setup, s_group_teardown);
}
