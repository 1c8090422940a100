/* ocop_zap — the ZAP handler (ZeroMQ RFC 27) that admits only allow-listed CURVE keys. See
 * ocop_keys.h. */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zmq.h>

#include "ocop_keys.h"
#include "ocop_log.h"

#define S_ZAP_ENDPOINT "inproc://zeromq.zap.01"
#define S_ZAP_POLL_MS 100
#define S_ZAP_FRAMES_MAX 8

struct ocop_zap_t {
    void *socket; /* REP on inproc://zeromq.zap.01, used only by the thread once started */
    pthread_t thread;
    atomic_int stop;
    atomic_uint_fast64_t refused;
    char (*allowed)[OCOP_Z85_KEY_LEN + 1];
    size_t count;
};

static int s_frame_is(zmq_msg_t *msg, const char *text)
{
    size_t len = strlen(text);
    return zmq_msg_size(msg) == len && memcmp(zmq_msg_data(msg), text, len) == 0;
}

/* Frame text for logs: bounded, and anything that could break logfmt becomes '?'. */
static void s_frame_text(zmq_msg_t *msg, char *buf, size_t len)
{
    size_t n = zmq_msg_size(msg);
    const unsigned char *data = zmq_msg_data(msg);
    if (n > len - 1)
        n = len - 1;
    for (size_t i = 0; i < n; i++)
        buf[i] = (data[i] > 0x20 && data[i] < 0x7F && data[i] != '"' && data[i] != '=') ? (char)data[i] : '?';
    buf[n] = '\0';
}

static int s_allowed(const ocop_zap_t *self, const char *z85)
{
    for (size_t i = 0; i < self->count; i++)
        if (strcmp(self->allowed[i], z85) == 0)
            return 1;
    return 0;
}

static int s_send(void *socket, const void *data, size_t len, int more)
{
    return zmq_send(socket, data, len, more ? ZMQ_SNDMORE : 0) == (int)len ? 0 : -1;
}

/* Answers one request. Every request gets a reply, malformed or not: a REP socket that
 * skipped one would be stuck, and libzmq would wait on the handshake forever. */
static int s_zap_handle(ocop_zap_t *self)
{
    zmq_msg_t frames[S_ZAP_FRAMES_MAX];
    size_t nframes = 0;
    int more = 1;
    int rc = 0;
    while (more) {
        /* Frames beyond the table are received into a scratch message and dropped. */
        zmq_msg_t scratch;
        zmq_msg_t *msg = nframes < S_ZAP_FRAMES_MAX ? &frames[nframes] : &scratch;
        zmq_msg_init(msg);
        if (zmq_msg_recv(msg, self->socket, 0) < 0) {
            zmq_msg_close(msg);
            rc = -1;
            break;
        }
        more = zmq_msg_more(msg);
        if (msg == &scratch)
            zmq_msg_close(msg);
        else
            nframes++;
    }
    if (rc != 0) {
        for (size_t i = 0; i < nframes; i++)
            zmq_msg_close(&frames[i]);
        return -1;
    }

    const char *reason = NULL;
    char user_id[OCOP_Z85_KEY_LEN + 1] = "";
    char mechanism[32] = "?", address[64] = "?";
    if (nframes < 6 || !s_frame_is(&frames[0], "1.0"))
        reason = "malformed ZAP request";
    else {
        s_frame_text(&frames[5], mechanism, sizeof mechanism);
        s_frame_text(&frames[3], address, sizeof address);
        if (!s_frame_is(&frames[5], "CURVE"))
            reason = "only CURVE is accepted";
        else if (nframes != 7 || zmq_msg_size(&frames[6]) != 32)
            reason = "malformed CURVE credentials";
        else {
            zmq_z85_encode(user_id, zmq_msg_data(&frames[6]), 32);
            if (!s_allowed(self, user_id))
                reason = "key not allowed";
        }
    }

    /* Counted before replying, so whoever sees the refusal also sees the count. */
    if (reason) {
        atomic_fetch_add(&self->refused, 1);
        char m[40], a[96], k[48]; /* Z85 keys hold '=' and other logfmt characters */
        ocop_log_warn("zap_refused", "mechanism=%s address=%s key=%s reason=\"%s\"",
                      ocop_log_value(m, sizeof m, mechanism), ocop_log_value(a, sizeof a, address),
                      ocop_log_value(k, sizeof k, user_id[0] ? user_id : "-"), reason);
    }
    const void *request_id = nframes > 1 ? zmq_msg_data(&frames[1]) : "";
    size_t request_id_len = nframes > 1 ? zmq_msg_size(&frames[1]) : 0;
    const char *version = "1.0";
    const char *status = reason ? "400" : "200";
    const char *text = reason ? reason : "OK";
    const char *uid = reason ? "" : user_id;
    if (s_send(self->socket, version, strlen(version), 1) != 0 ||
        s_send(self->socket, request_id, request_id_len, 1) != 0 ||
        s_send(self->socket, status, strlen(status), 1) != 0 || s_send(self->socket, text, strlen(text), 1) != 0 ||
        s_send(self->socket, uid, strlen(uid), 1) != 0 || s_send(self->socket, "", 0, 0) != 0)
        rc = -1;

    for (size_t i = 0; i < nframes; i++)
        zmq_msg_close(&frames[i]);
    return rc;
}

static void *s_zap_run(void *arg)
{
    ocop_zap_t *self = arg;
    while (!atomic_load(&self->stop)) {
        zmq_pollitem_t item = {.socket = self->socket, .events = ZMQ_POLLIN};
        int rc = zmq_poll(&item, 1, S_ZAP_POLL_MS);
        if (rc < 0 && zmq_errno() == EINTR)
            continue;
        if (rc < 0)
            break; /* ETERM: the context is going away */
        if (rc > 0 && s_zap_handle(self) != 0 && zmq_errno() == ETERM)
            break;
    }
    return NULL;
}

ocop_zap_t *ocop_zap_new(void *zctx, const char *const *allowed_public_z85, size_t count)
{
    if (!zctx || (count && !allowed_public_z85))
        return NULL;
    for (size_t i = 0; i < count; i++)
        if (!ocop_keys_z85_valid(allowed_public_z85[i])) {
            ocop_log_error("zap_bad_key", "index=%zu", i);
            return NULL;
        }
    ocop_zap_t *self = calloc(1, sizeof *self);
    if (!self)
        return NULL;
    if (count) {
        self->allowed = calloc(count, sizeof *self->allowed);
        if (!self->allowed) {
            free(self);
            return NULL;
        }
        for (size_t i = 0; i < count; i++)
            memcpy(self->allowed[i], allowed_public_z85[i], OCOP_Z85_KEY_LEN + 1);
    }
    self->count = count;
    atomic_init(&self->stop, 0);
    atomic_init(&self->refused, 0);

    /* Bound here so no server socket can handshake before the handler exists; the socket
     * then belongs to the thread alone (pthread_create is the memory barrier zmq asks for). */
    int linger = 0, err = 0;
    self->socket = zmq_socket(zctx, ZMQ_REP);
    if (!self->socket || zmq_setsockopt(self->socket, ZMQ_LINGER, &linger, sizeof linger) != 0 ||
        zmq_bind(self->socket, S_ZAP_ENDPOINT) != 0) {
        ocop_log_error("zap_bind_failed", "endpoint=%s error=\"%s\"", S_ZAP_ENDPOINT, zmq_strerror(zmq_errno()));
        goto fail;
    }
    err = pthread_create(&self->thread, NULL, s_zap_run, self);
    if (err != 0) {
        ocop_log_error("zap_thread_failed", "error=\"%s\"", strerror(err));
        goto fail;
    }
    return self;
fail:
    if (self->socket)
        zmq_close(self->socket);
    free(self->allowed);
    free(self);
    return NULL;
}

void ocop_zap_destroy(ocop_zap_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    ocop_zap_t *self = *self_p;
    atomic_store(&self->stop, 1);
    pthread_join(self->thread, NULL);
    zmq_close(self->socket);
    free(self->allowed);
    free(self);
    *self_p = NULL;
}

uint64_t ocop_zap_refused(const ocop_zap_t *self)
{
    return self ? (uint64_t)atomic_load(&((ocop_zap_t *)self)->refused) : 0;
}
