/* ocop_client — see ocop_client.h. */
#include "ocop_date.h"
#include "ocop_client.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <sodium.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <zmq.h>

#include "ocop_log.h"

struct ocop_client_t {
    void *sock;
    char caller[128];
    char request_id[OCOP_REQUEST_ID_LEN + 1];
    uint8_t *buf; /* the last packed request, kept for re-sends */
    size_t buf_len;
    size_t buf_cap;
};

/* The random bits of request ids come from a ChaCha20 keystream per thread (its key drawn from
 * the system's generator once, a counter as the nonce), so a fresh id costs no system call where
 * randombytes_buf asks the kernel every time (a gateway makes one per request). A child process
 * forked after ids were made draws a key of its own. */
static struct {
    pthread_once_t once;
    _Atomic unsigned generation; /* moved on in every forked child */
} s_ids = {.once = PTHREAD_ONCE_INIT};

static _Thread_local struct {
    uint8_t key[crypto_stream_chacha20_ietf_KEYBYTES];
    uint64_t counter;
    unsigned generation;
    bool keyed;
} s_thread_ids;

static void s_ids_forked(void)
{
    s_ids.generation++;
}

static void s_ids_init(void)
{
    pthread_atfork(NULL, NULL, s_ids_forked);
}

static void s_id_random(uint8_t *out, size_t len)
{
    pthread_once(&s_ids.once, s_ids_init);
    unsigned generation = s_ids.generation;
    if (!s_thread_ids.keyed || s_thread_ids.generation != generation) {
        randombytes_buf(s_thread_ids.key, sizeof s_thread_ids.key);
        s_thread_ids.counter = 0;
        s_thread_ids.generation = generation;
        s_thread_ids.keyed = true;
    }
    uint8_t nonce[crypto_stream_chacha20_ietf_NONCEBYTES] = {0};
    uint64_t n = s_thread_ids.counter++;
    memcpy(nonce, &n, sizeof n);
    crypto_stream_chacha20_ietf(out, len, nonce, s_thread_ids.key);
}

void ocop_request_id_new(char *out)
{
    /* 48 bits of milliseconds, then 80 random bits: ids from one client sort by time, so the
     * service's request-id table grows at its end instead of dirtying a random page per write. */
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    uint64_t ms = (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
    uint8_t raw[OCOP_REQUEST_ID_LEN / 2];
    for (int i = 0; i < 6; i++)
        raw[i] = (uint8_t)(ms >> (8 * (5 - i)));
    s_id_random(raw + 6, sizeof raw - 6);
    sodium_bin2hex(out, OCOP_REQUEST_ID_LEN + 1, raw, sizeof raw);
}

ocop_client_t *ocop_client_new(void *zctx, const char *endpoint, const char *server_public_z85,
                               const ocop_keypair_t *self_keys, const char *caller)
{
    if (sodium_init() < 0)
        return NULL;
    ocop_client_t *self = calloc(1, sizeof *self);
    if (!self)
        return NULL;
    snprintf(self->caller, sizeof self->caller, "%s", caller ? caller : "");
    self->sock = zmq_socket(zctx, ZMQ_DEALER);
    if (!self->sock)
        goto fail;
    int linger = 0, hwm = 1000000;
    zmq_setsockopt(self->sock, ZMQ_LINGER, &linger, sizeof linger);
    zmq_setsockopt(self->sock, ZMQ_SNDHWM, &hwm, sizeof hwm);
    zmq_setsockopt(self->sock, ZMQ_RCVHWM, &hwm, sizeof hwm);
    /* A DEALER with no live peer (service down, or our key refused) blocks on send; bound it
     * so that callers see a time-out instead of hanging. */
    int sndtimeo = 1000;
    zmq_setsockopt(self->sock, ZMQ_SNDTIMEO, &sndtimeo, sizeof sndtimeo);
    if (ocop_curve_client(self->sock, self_keys, server_public_z85) != 0)
        goto fail;
    if (zmq_connect(self->sock, endpoint) != 0) {
        ocop_log_error("connect_failed", "endpoint=%s error=\"%s\"", endpoint, zmq_strerror(errno));
        goto fail;
    }
    return self;
fail:
    ocop_client_destroy(&self);
    return NULL;
}

void ocop_client_destroy(ocop_client_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    ocop_client_t *self = *self_p;
    if (self->sock)
        zmq_close(self->sock);
    free(self->buf);
    free(self);
    *self_p = NULL;
}

void *ocop_client_socket(ocop_client_t *self)
{
    return self->sock;
}

int ocop_client_send_raw(ocop_client_t *self, const void *data, size_t len)
{
    return zmq_send(self->sock, data, len, 0) < 0 ? -1 : 0;
}

int ocop_client_send(ocop_client_t *self, Ocop__Request *req)
{
    if (!req->request_id || !*req->request_id) {
        ocop_request_id_new(self->request_id);
        req->request_id = self->request_id;
    }
    if (!req->caller || !*req->caller)
        req->caller = self->caller;
    size_t len = ocop__request__get_packed_size(req);
    if (len > self->buf_cap) {
        uint8_t *grown = realloc(self->buf, len);
        if (!grown)
            return -1;
        self->buf = grown;
        self->buf_cap = len;
    }
    ocop__request__pack(req, self->buf);
    self->buf_len = len;
    return ocop_client_send_raw(self, self->buf, len);
}

static int s_recv(ocop_client_t *self, ProtobufCAllocator *alloc, Ocop__Reply **reply, int timeout_ms)
{
    *reply = NULL;
    zmq_pollitem_t items[] = {{self->sock, 0, ZMQ_POLLIN, 0}};
    int rc = zmq_poll(items, 1, timeout_ms);
    if (rc <= 0) {
        if (rc == 0)
            errno = EAGAIN;
        return -1;
    }
    zmq_msg_t msg;
    zmq_msg_init(&msg);
    if (zmq_msg_recv(&msg, self->sock, 0) < 0) {
        zmq_msg_close(&msg);
        return -1;
    }
    *reply = ocop__reply__unpack(alloc, zmq_msg_size(&msg), zmq_msg_data(&msg));
    zmq_msg_close(&msg);
    if (!*reply) {
        errno = EPROTO;
        return -1;
    }
    return 0;
}

int ocop_client_recv(ocop_client_t *self, Ocop__Reply **reply, int timeout_ms)
{
    return s_recv(self, NULL, reply, timeout_ms);
}

int ocop_client_call(ocop_client_t *self, Ocop__Request *req, Ocop__Reply **reply, int timeout_ms, int attempts)
{
    return ocop_client_call_in(self, req, NULL, reply, timeout_ms, attempts);
}

int ocop_client_call_in(ocop_client_t *self, Ocop__Request *req, ProtobufCAllocator *alloc, Ocop__Reply **reply,
                        int timeout_ms, int attempts)
{
    *reply = NULL;
    /* A send that times out counts as an attempt without an answer. */
    if (ocop_client_send(self, req) != 0 && errno != EAGAIN)
        return -1;
    for (int attempt = 0; attempt < attempts; attempt++) {
        if (attempt > 0 && ocop_client_send_raw(self, self->buf, self->buf_len) != 0 && errno != EAGAIN)
            return -1;
        int64_t deadline = ocop_monotonic_ms() + timeout_ms;
        for (;;) {
            int left = (int)(deadline - ocop_monotonic_ms());
            if (left <= 0)
                break;
            Ocop__Reply *got;
            if (s_recv(self, alloc, &got, left) != 0) {
                if (errno == EAGAIN || errno == EPROTO)
                    continue;
                return -1;
            }
            /* A late answer to an earlier, abandoned request is not ours. */
            if (got->request_id && strcmp(got->request_id, req->request_id) == 0) {
                *reply = got;
                return 0;
            }
            ocop__reply__free_unpacked(got, alloc);
        }
    }
    errno = ETIMEDOUT;
    return -1;
}

/* In-flight bound of ocop_client_pipeline: enough to keep a service's batches full. */
#define S_PIPELINE_WINDOW_MAX 1024

int ocop_client_pipeline(ocop_client_t *self, Ocop__Request **reqs, size_t n, unsigned window, int timeout_ms,
                         Ocop__Reply **replies)
{
    if (window == 0 || window > S_PIPELINE_WINDOW_MAX)
        window = S_PIPELINE_WINDOW_MAX;
    char(*ids)[OCOP_REQUEST_ID_MAX + 1] = calloc(n ? n : 1, sizeof *ids);
    char **given = calloc(n ? n : 1, sizeof *given);
    if (!ids || !given) {
        free(ids);
        free(given);
        return -1;
    }
    for (size_t i = 0; i < n; i++) {
        replies[i] = NULL;
        given[i] = reqs[i]->request_id;
        if (given[i] && strlen(given[i]) > OCOP_REQUEST_ID_MAX) {
            /* Never cut short: a shortened id could name another request. */
            for (size_t j = 0; j < i; j++)
                reqs[j]->request_id = given[j];
            free(ids);
            free(given);
            return -1;
        }
        if (!given[i] || !*given[i])
            ocop_request_id_new(ids[i]);
        else
            snprintf(ids[i], sizeof ids[i], "%s", given[i]);
        reqs[i]->request_id = ids[i];
    }
    size_t sent = 0, done = 0, oldest = 0;
    int rc = 0;
    while (done < n && rc == 0) {
        while (rc == 0 && sent < n && sent - oldest < window)
            rc = ocop_client_send(self, reqs[sent++]);
        Ocop__Reply *reply;
        if (rc != 0 || ocop_client_recv(self, &reply, timeout_ms) != 0) {
            rc = -1;
            break;
        }
        /* Replies come in order on one connection; a stale one (a request of an earlier call
         * answered late) matches nothing and is dropped. */
        size_t at = n;
        for (size_t i = oldest; i < sent && at == n; i++)
            if (!replies[i] && strcmp(ids[i], reply->request_id) == 0)
                at = i;
        if (at == n) {
            ocop__reply__free_unpacked(reply, NULL);
            continue;
        }
        replies[at] = reply;
        done++;
        while (oldest < sent && replies[oldest])
            oldest++;
    }
    /* The ids live in this call: the requests point at what the caller gave again. */
    for (size_t i = 0; i < n; i++) {
        reqs[i]->request_id = given[i];
        if (rc != 0 && replies[i]) {
            ocop__reply__free_unpacked(replies[i], NULL);
            replies[i] = NULL;
        }
    }
    free(ids);
    free(given);
    return rc;
}
