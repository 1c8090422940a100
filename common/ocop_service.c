/* ocop_service — the loop: sockets, draining requests, sending replies and events.
 * See ocop_service.h for the contract; the batch itself is in ocop_service_batch.c. */
#include "ocop_service.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <zmq.h>

#include "ocop_log.h"
#include "ocop_outbox.h"
#include "ocop_service_private.h"

#define S_POLL_MS 200

void ocop_service_stop(ocop_service_t *self)
{
    __atomic_store_n(&self->stop_requested, 1, __ATOMIC_RELAXED);
}

static pthread_once_t s_clock_once = PTHREAD_ONCE_INIT;
static int64_t s_clock_offset_ms;

/* Read once: the clock is asked several times per request. */
static void s_clock_init(void)
{
    const char *offset = getenv("OCOP_CLOCK_OFFSET_MS");
    if (offset && *offset)
        s_clock_offset_ms = strtoll(offset, NULL, 10);
}

int64_t ocop_now_ms(void)
{
    pthread_once(&s_clock_once, s_clock_init);
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000 + s_clock_offset_ms;
}

/* ---------------------------------------------------------------- setup */

static void *s_socket(ocop_service_t *self, int type, const char *bind_to, const ocop_keypair_t *keys)
{
    void *sock = zmq_socket(self->zctx, type);
    if (!sock)
        return NULL;
    /* Requests and replies queue deep, so that a burst of clients is answered rather than
     * dropped; events queue shallow, so that a subscriber that falls behind costs bounded memory
     * (beyond that it misses events, sees the gap and fetches them: ocop_subscriber). */
    int linger = 1000, hwm = type == ZMQ_PUB ? 10000 : 1000000;
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
    if (opts->timer_count > OCOP__TIMERS_MAX) {
        ocop_log_error("start_failed", "service=%s error=\"more than %d timers\"", opts->name, OCOP__TIMERS_MAX);
        free(self);
        return NULL;
    }
    for (size_t i = 0; i < opts->timer_count; i++)
        self->timers[self->n_timers++] = (ocop__timer_t){.spec = opts->timers[i], .due_ms = 0}; /* once at start */
    self->self_peer = -1;
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
    self->bind_callers = opts->allowed_names != NULL;
    for (size_t i = 0; i < opts->allowed_count && i < OCOP_ALLOW_MAX + 1; i++) {
        ocop__peer_t *p = &self->peers[self->n_peers++];
        snprintf(p->public_z85, sizeof p->public_z85, "%s", opts->allowed_keys[i]);
        snprintf(p->name, sizeof p->name, "%s", opts->allowed_names ? opts->allowed_names[i] : "");
        p->trusted = opts->allowed_trusted && opts->allowed_trusted[i];
        if (strcmp(p->public_z85, opts->keys->public_z85) == 0)
            self->self_peer = (int)(self->n_peers - 1);
    }
    /* ZAP must be listening before any CURVE server socket exists. */
    self->zap = ocop_zap_new(self->zctx, opts->allowed_keys, opts->allowed_count);
    if (!self->zap)
        goto fail;
    self->router = s_socket(self, ZMQ_ROUTER, self->config.bind, opts->keys);
    self->pub = s_socket(self, ZMQ_PUB, self->config.events_bind, opts->keys);
    if (!self->router || !self->pub)
        goto fail;
    if (self->config.readers && !(self->readers = ocop__readers_start(self, self->config.readers)))
        goto fail;
    ocop_log_info("listening", "endpoint=%s events=%s last_sequence=%llu store=%s readers=%u", self->config.bind,
                  self->config.events_bind, (unsigned long long)self->last_seq, ocop_store_path(self->store),
                  self->config.readers);
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
    ocop__readers_stop(&self->readers);
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

const uint64_t ocop__latency_bounds_us[OCOP__LATENCY_BOUNDS] = {
    100, 250, 500, 1000, 2500, 5000, 10000, 25000, 50000, 100000, 250000, 1000000,
};

static int64_t s_monotonic_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/* Every request of a batch waited for the whole batch: its reply goes out after the commit. */
static void s_latency_observe(ocop_service_t *self, size_t n, int64_t us)
{
    size_t b = 0;
    while (b < OCOP__LATENCY_BOUNDS && (uint64_t)us > ocop__latency_bounds_us[b])
        b++;
    self->latency_counts[b] += n;
    self->latency_sum_us += (uint64_t)us * n;
}

static void s_batch_send(ocop_service_t *self, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        ocop__item_t *item = &self->items[i];
        self->n_errors += item->failed != 0;
        if (item->timer >= 0)
            ocop__timers_done(self, item);
        else if (item->reply) {
            zmq_msg_send(&item->identity, self->router, ZMQ_SNDMORE | ZMQ_DONTWAIT);
            zmq_send(self->router, item->reply, item->reply_len, ZMQ_DONTWAIT);
        }
        free(item->reply);
        item->reply = NULL;
        zmq_msg_close(&item->identity);
        zmq_msg_close(&item->payload);
    }
    for (size_t i = 0; i < self->event_count; i++) {
        zmq_send(self->pub, self->events[i].data, self->events[i].len, ZMQ_DONTWAIT);
        free(self->events[i].data);
    }
    self->event_count = 0;
}

/* The peer whose key the ZAP handler admitted (it names the key as the message's User-Id). */
static int s_peer(const ocop_service_t *self, const char *user_id)
{
    for (size_t i = 0; user_id && i < self->n_peers; i++)
        if (strcmp(self->peers[i].public_z85, user_id) == 0)
            return (int)i;
    return -1;
}

/* Receives every request that is ready, up to batch_max for the batch; reads go to the reader
 * threads as they come, at most batch_max of them a turn so that a flood of reads cannot hold
 * the batch back. */
static size_t s_batch_drain(ocop_service_t *self, int64_t started_us)
{
    size_t n = ocop__timers_items(self, self->items, self->item_cap), handed = 0;
    while (n < self->item_cap && handed < self->item_cap) {
        ocop__item_t *item = &self->items[n];
        zmq_msg_init(&item->identity);
        if (zmq_msg_recv(&item->identity, self->router, ZMQ_DONTWAIT) < 0) {
            zmq_msg_close(&item->identity);
            break;
        }
        zmq_msg_init(&item->payload);
        item->peer = -1;
        item->timer = -1;
        item->extra_frames = 0;
        item->failed = 0;
        item->reply = NULL;
        if (!zmq_msg_more(&item->identity) || zmq_msg_recv(&item->payload, self->router, 0) < 0) {
            item->extra_frames = 1;
        } else {
            item->peer = s_peer(self, zmq_msg_gets(&item->payload, "User-Id"));
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
        if (self->readers && ocop__readers_take(self->readers, item, started_us)) {
            handed++;
            continue;
        }
        n++;
    }
    return n;
}

/* Sends every reply the readers have ready. */
static void s_read_replies(ocop_service_t *self)
{
    int64_t started_us;
    int failed;
    while (ocop__readers_reply(self->readers, self->router, &started_us, &failed)) {
        self->n_requests++;
        self->n_errors += failed != 0;
        s_latency_observe(self, 1, s_monotonic_us() - started_us);
    }
}

int ocop_service_run(ocop_service_t *self)
{
    ocop_log_info("ready", "service=%s shard=%u", self->name, self->shard);

    while (!__atomic_load_n(&self->stop_requested, __ATOMIC_RELAXED)) {
        zmq_pollitem_t items[] = {{self->router, 0, ZMQ_POLLIN, 0},
                                  {self->readers ? ocop__readers_socket(self->readers) : NULL, 0, ZMQ_POLLIN, 0}};
        int rc = zmq_poll(items, self->readers ? 2 : 1, ocop__timers_wait_ms(self, S_POLL_MS));
        if (rc < 0) {
            if (errno == EINTR)
                continue;
            ocop_log_error("poll_failed", "error=\"%s\"", zmq_strerror(errno));
            return -1;
        }
        if (self->readers && (items[1].revents & ZMQ_POLLIN))
            s_read_replies(self);
        if (!(items[0].revents & ZMQ_POLLIN) && ocop__timers_wait_ms(self, 1) > 0)
            continue;
        int64_t started_us = s_monotonic_us();
        size_t n = s_batch_drain(self, started_us);
        if (n == 0)
            continue;
        ocop__batch_process(self, n);
        s_batch_send(self, n);
        s_latency_observe(self, n, s_monotonic_us() - started_us);
        if (self->commit_failed) {
            ocop_log_error("stopping_after_commit_failure",
                           "service=%s last_sequence=%llu: restart it; it reopens the store at its last durable "
                           "commit, and clients retry with the same request ids",
                           self->name, (unsigned long long)self->last_seq);
            return -1;
        }
    }
    if (self->readers) {
        /* The reads in hand are answered before the loop goes. */
        ocop__readers_join(self->readers);
        s_read_replies(self);
    }
    ocop_log_info("stopping", "service=%s requests=%llu batches=%llu last_sequence=%llu", self->name,
                  (unsigned long long)self->n_requests, (unsigned long long)self->n_batches,
                  (unsigned long long)self->last_seq);
    return 0;
}
