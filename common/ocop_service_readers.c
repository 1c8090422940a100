/* ocop_service_readers — reading routes served beside the writer loop.
 *
 * The loop hands a read to the readers over an inproc PUSH socket (identity, frame, when it
 * arrived); each reader thread pulls one, opens a read-only transaction (holding the store
 * against map growth for as long), runs the route's handler with its own arena and pushes the
 * identity, the packed reply and the outcome back; the loop sends the reply on its ROUTER,
 * which only the loop's thread touches. A read sees the last committed batch, never part of
 * one, and no write waits for it. */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "ocop_error.h"
#include "ocop_log.h"
#include "ocop_service_private.h"
#include "ocop_wire.h"

/* Readers run at a lower CPU priority than the loop (a nice value per thread, Linux): where
 * cores are short, the writer's batches come first and the reads take what is left. */
#define S_READER_NICE 10

/* What travels with a read and back: when the loop took it, and whether its reply is an error. */
typedef struct {
    int64_t started_us;
    int32_t failed;
    int32_t peer; /* the index of the key that sent it (ocop_ctx_peer), -1 when none */
} s_meta_t;

struct ocop__readers_t {
    ocop_service_t *svc;
    void *push; /* the loop's: reads out */
    void *pull; /* the loop's: replies in */
    char requests_ep[64], replies_ep[64];
    pthread_t *threads;
    size_t n;
};

/* Starts a read on the last committed batch: *txn renewed when the reader has one (it keeps its
 * reader slot between reads), else begun. 0 / MDB error. */
static int s_read_txn(ocop_service_t *svc, MDB_txn **txn)
{
    if (*txn) {
        int rc = mdb_txn_renew(*txn);
        if (rc == 0)
            return 0;
        mdb_txn_abort(*txn);
        *txn = NULL;
    }
    return mdb_txn_begin(ocop_store_env(svc->store), NULL, MDB_RDONLY, txn);
}

/* Serves one read: the reply packed into *out (*len), *failed when it is an error. *txn is the
 * reader's transaction handle, reset after the read. */
static int s_serve(ocop_service_t *svc, ocop_arena_t *arena, MDB_txn **txn_p, zmq_msg_t *payload, int peer,
                   uint8_t **out, size_t *len, int *failed)
{
    ocop_arena_reset(arena);
    Ocop__Reply reply;
    ocop__reply__init(&reply);
    Ocop__Request *req = ocop__request_open(arena, svc->config.max_request_bytes, payload, 0, &reply);
    const ocop_route_t *route = req ? ocop__route(svc, req->body_case) : NULL;
    if (req && (!route || route->writes)) {
        /* The loop hands over reading routes only. */
        ocop__reply_status(arena, &reply, OCOP_E_INTERNAL, "body", "not a reading route");
    } else if (req) {
        ocop_store_hold(svc->store);
        int rc = s_read_txn(svc, txn_p);
        MDB_txn *txn = *txn_p;
        if (rc != 0) {
            ocop_log_error("read_txn_failed", "route=%s error=\"%s\"", route->name, mdb_strerror(rc));
            ocop__reply_status(arena, &reply, OCOP_E_INTERNAL, "", "the store could not be read");
        } else {
            ocop_ctx_t ctx = {.svc = svc,
                              .route = route,
                              .arena = arena,
                              .reader = true,
                              .txn = txn,
                              .caller = req->caller,
                              .peer = peer >= 0 && (size_t)peer < svc->n_peers ? svc->peers[peer].name : NULL,
                              .request_id = req->request_id,
                              .now_ms = ocop_now_ms()};
            if (route->fn(&ctx, req, &reply) != 0 && reply.status == OCOP__STATUS__STATUS_OK)
                ocop__reply_status(arena, &reply, OCOP_E_INTERNAL, "", "the handler failed without a reason");
            mdb_txn_reset(txn);
        }
        ocop_store_release(svc->store);
    }
    *failed = reply.status != OCOP__STATUS__STATUS_OK;
    return ocop__reply_pack(&reply, out, len);
}

static void *s_reader(void *arg)
{
    ocop__readers_t *self = arg;
    if (setpriority(PRIO_PROCESS, (id_t)syscall(SYS_gettid), S_READER_NICE) != 0)
        ocop_log_warn("reader_priority", "error=\"%s\"", strerror(errno));
    void *in = zmq_socket(self->svc->zctx, ZMQ_PULL), *out = zmq_socket(self->svc->zctx, ZMQ_PUSH);
    ocop_arena_t *arena = ocop_arena_new(64 * 1024);
    MDB_txn *txn = NULL;     /* reset between reads, renewed for the next */
    int linger = 0, hwm = 0; /* no limit: a reader never blocks on a reply while the loop joins it */
    if (in && out && arena && zmq_setsockopt(out, ZMQ_LINGER, &linger, sizeof linger) == 0 &&
        zmq_setsockopt(out, ZMQ_SNDHWM, &hwm, sizeof hwm) == 0 && zmq_connect(in, self->requests_ep) == 0 &&
        zmq_connect(out, self->replies_ep) == 0) {
        for (;;) {
            zmq_msg_t id, payload, meta;
            zmq_msg_init(&id);
            if (zmq_msg_recv(&id, in, 0) < 0) {
                zmq_msg_close(&id);
                if (errno == EINTR)
                    continue;
                break;
            }
            if (!zmq_msg_more(&id)) { /* the loop's stop: one empty frame */
                zmq_msg_close(&id);
                break;
            }
            zmq_msg_init(&payload);
            zmq_msg_init(&meta);
            zmq_msg_recv(&payload, in, 0);
            zmq_msg_recv(&meta, in, 0);
            s_meta_t m = {0};
            if (zmq_msg_size(&meta) == sizeof m)
                memcpy(&m, zmq_msg_data(&meta), sizeof m);
            uint8_t *reply = NULL;
            size_t len = 0;
            int failed = 1;
            if (s_serve(self->svc, arena, &txn, &payload, m.peer, &reply, &len, &failed) == 0) {
                m.failed = failed;
                zmq_msg_send(&id, out, ZMQ_SNDMORE);
                zmq_send(out, reply, len, ZMQ_SNDMORE);
                zmq_send(out, &m, sizeof m, 0);
            } else {
                ocop_log_error("read_failed", "error=\"out of memory\"");
            }
            free(reply);
            zmq_msg_close(&id);
            zmq_msg_close(&payload);
            zmq_msg_close(&meta);
        }
    } else {
        ocop_log_error("reader_start_failed", "service=%s", self->svc->name);
    }
    if (txn) {
        ocop_store_hold(self->svc->store);
        mdb_txn_abort(txn);
        ocop_store_release(self->svc->store);
    }
    if (in)
        zmq_close(in);
    if (out)
        zmq_close(out);
    ocop_arena_destroy(&arena);
    return NULL;
}

ocop__readers_t *ocop__readers_start(ocop_service_t *svc, size_t n)
{
    ocop__readers_t *self = calloc(1, sizeof *self);
    if (!self)
        return NULL;
    self->svc = svc;
    snprintf(self->requests_ep, sizeof self->requests_ep, "inproc://ocop-reads-%p", (void *)self);
    snprintf(self->replies_ep, sizeof self->replies_ep, "inproc://ocop-read-replies-%p", (void *)self);
    self->push = zmq_socket(svc->zctx, ZMQ_PUSH);
    self->pull = zmq_socket(svc->zctx, ZMQ_PULL);
    int hwm = 0, linger = 0; /* no limit: every read handed over is answered */
    if (!self->push || !self->pull || zmq_setsockopt(self->push, ZMQ_SNDHWM, &hwm, sizeof hwm) != 0 ||
        zmq_setsockopt(self->push, ZMQ_LINGER, &linger, sizeof linger) != 0 ||
        zmq_setsockopt(self->pull, ZMQ_RCVHWM, &hwm, sizeof hwm) != 0 || zmq_bind(self->push, self->requests_ep) != 0 ||
        zmq_bind(self->pull, self->replies_ep) != 0 || !(self->threads = calloc(n, sizeof *self->threads))) {
        ocop__readers_stop(&self);
        return NULL;
    }
    for (; self->n < n; self->n++)
        if (pthread_create(&self->threads[self->n], NULL, s_reader, self) != 0) {
            ocop__readers_stop(&self);
            return NULL;
        }
    return self;
}

void *ocop__readers_socket(ocop__readers_t *self)
{
    return self->pull;
}

int ocop__readers_take(ocop__readers_t *self, ocop__item_t *item, int64_t started_us)
{
    const ocop_service_t *svc = self->svc;
    if (item->extra_frames || zmq_msg_size(&item->payload) > svc->config.max_request_bytes)
        return 0;
    uint32_t body =
        ocop_wire_peek_oneof(&ocop__request__descriptor, zmq_msg_data(&item->payload), zmq_msg_size(&item->payload));
    const ocop_route_t *route = body ? ocop__route(svc, (Ocop__Request__BodyCase)body) : NULL;
    if (!route || route->writes || route->on_writer)
        return 0;
    s_meta_t m = {.started_us = started_us, .failed = 0, .peer = item->peer};
    if (zmq_msg_send(&item->identity, self->push, ZMQ_SNDMORE) < 0)
        return 0;
    zmq_msg_send(&item->payload, self->push, ZMQ_SNDMORE);
    zmq_send(self->push, &m, sizeof m, 0);
    zmq_msg_close(&item->identity);
    zmq_msg_close(&item->payload);
    return 1;
}

int ocop__readers_reply(ocop__readers_t *self, void *router, int64_t *started_us, int *failed)
{
    zmq_msg_t id, reply;
    zmq_msg_init(&id);
    if (zmq_msg_recv(&id, self->pull, ZMQ_DONTWAIT) < 0) {
        zmq_msg_close(&id);
        return 0;
    }
    zmq_msg_init(&reply);
    zmq_msg_recv(&reply, self->pull, 0);
    s_meta_t m = {0};
    if (zmq_recv(self->pull, &m, sizeof m, 0) != (int)sizeof m)
        m.failed = 1;
    zmq_msg_send(&id, router, ZMQ_SNDMORE | ZMQ_DONTWAIT);
    zmq_msg_send(&reply, router, ZMQ_DONTWAIT);
    zmq_msg_close(&id);
    zmq_msg_close(&reply);
    *started_us = m.started_us;
    *failed = m.failed;
    return 1;
}

void ocop__readers_join(ocop__readers_t *self)
{
    /* One stop per thread, after the reads already handed over: a PUSH deals its messages
     * round the readers in turn. */
    for (size_t i = 0; i < self->n; i++)
        zmq_send(self->push, "", 0, 0);
    for (size_t i = 0; i < self->n; i++)
        pthread_join(self->threads[i], NULL);
    self->n = 0;
}

void ocop__readers_stop(ocop__readers_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    ocop__readers_t *self = *self_p;
    ocop__readers_join(self);
    if (self->push)
        zmq_close(self->push);
    if (self->pull)
        zmq_close(self->pull);
    free(self->threads);
    free(self);
    *self_p = NULL;
}
