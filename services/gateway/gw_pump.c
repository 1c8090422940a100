/* gw_pump — one thread owning the service connections. */
#include "gw_pump.h"

#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>
#include <zmq.h>

#include "ocop_date.h"
#include "ocop_client.h"
#include "ocop_error.h"
#include "ocop_log.h"

#define S_BUCKETS 4096 /* pending requests by id hash */

typedef struct s_job {
    char id[OCOP_REQUEST_ID_LEN + 8];
    int section;
    uint8_t *packed;
    size_t len;
    unsigned timeout_ms;
    int64_t deadline_ms;
    gw_pump_done_fn done;
    void *user;
    struct s_job *next;          /* in the queue, then in its hash bucket */
    struct s_job *older, *newer; /* pending, by deadline */
} s_job_t;

typedef struct {
    char name[OCOP_NAME_MAX];
    char endpoint[OCOP_ENDPOINT_MAX];
    char public_key[OCOP_Z85_KEY_LEN + 1];
    void *socket;       /* the pump thread's */
    uint64_t submitted; /* requests queued for it (atomic) */
} s_section_t;

struct gw_pump_t {
    void *zctx;
    ocop_keypair_t keys;
    unsigned timeout_ms;
    s_section_t sections[GW_SECTIONS_MAX];
    size_t count;
    int wake_fd;
    pthread_t thread;
    int running;
    pthread_mutex_t lock; /* guards queue and stop */
    s_job_t *queue, *queue_tail;
    int stop;
    /* the pump thread's own */
    s_job_t *buckets[S_BUCKETS];
    s_job_t *oldest, *newest;
};

static size_t s_hash(const char *id)
{
    uint32_t h = 2166136261u;
    for (; *id; id++)
        h = (h ^ (uint8_t)*id) * 16777619u;
    return h % S_BUCKETS;
}

/* Into its bucket and into the deadline order: after the last job due no later (most jobs
 * share the pump's time-out and go last; a shorter one walks back past the few due later). */
static void s_pending_add(gw_pump_t *self, s_job_t *job)
{
    size_t b = s_hash(job->id);
    job->next = self->buckets[b];
    self->buckets[b] = job;
    s_job_t *before = self->newest;
    while (before && before->deadline_ms > job->deadline_ms)
        before = before->older;
    job->older = before;
    job->newer = before ? before->newer : self->oldest;
    if (job->newer)
        job->newer->older = job;
    else
        self->newest = job;
    if (before)
        before->newer = job;
    else
        self->oldest = job;
}

static void s_pending_remove(gw_pump_t *self, s_job_t *job)
{
    s_job_t **p = &self->buckets[s_hash(job->id)];
    while (*p && *p != job)
        p = &(*p)->next;
    if (*p)
        *p = job->next;
    if (job->older)
        job->older->newer = job->newer;
    else
        self->oldest = job->newer;
    if (job->newer)
        job->newer->older = job->older;
    else
        self->newest = job->older;
}

static s_job_t *s_pending_find(gw_pump_t *self, const char *id)
{
    for (s_job_t *j = self->buckets[s_hash(id)]; j; j = j->next)
        if (strcmp(j->id, id) == 0)
            return j;
    return NULL;
}

static void s_finish(s_job_t *job, Ocop__Reply *reply)
{
    job->done(job->user, reply);
    free(job->packed);
    free(job);
}

/* Sends what the workers queued. */
static void s_send_queued(gw_pump_t *self)
{
    pthread_mutex_lock(&self->lock);
    s_job_t *job = self->queue;
    self->queue = self->queue_tail = NULL;
    pthread_mutex_unlock(&self->lock);
    while (job) {
        s_job_t *next = job->next;
        void *sock = self->sections[job->section].socket;
        if (!sock || zmq_send(sock, job->packed, job->len, ZMQ_DONTWAIT) < 0) {
            /* No connection or a full queue: as good as no answer. */
            s_finish(job, NULL);
        } else {
            job->deadline_ms = ocop_monotonic_ms() + job->timeout_ms;
            s_pending_add(self, job);
        }
        job = next;
    }
}

static void s_receive(gw_pump_t *self, void *sock)
{
    for (;;) {
        zmq_msg_t msg;
        zmq_msg_init(&msg);
        if (zmq_msg_recv(&msg, sock, ZMQ_DONTWAIT) < 0) {
            zmq_msg_close(&msg);
            return;
        }
        Ocop__Reply *reply = ocop__reply__unpack(NULL, zmq_msg_size(&msg), zmq_msg_data(&msg));
        zmq_msg_close(&msg);
        s_job_t *job = reply && reply->request_id ? s_pending_find(self, reply->request_id) : NULL;
        if (!job) { /* late (after its time-out) or garbled */
            if (reply)
                ocop__reply__free_unpacked(reply, NULL);
            continue;
        }
        s_pending_remove(self, job);
        s_finish(job, reply);
    }
}

static void s_expire(gw_pump_t *self, int64_t now)
{
    while (self->oldest && self->oldest->deadline_ms <= now) {
        s_job_t *job = self->oldest;
        s_pending_remove(self, job);
        ocop_log_warn("upstream_timeout", "service=%s timeout_ms=%u", self->sections[job->section].name,
                      job->timeout_ms);
        s_finish(job, NULL);
    }
}

static void *s_run(void *arg)
{
    gw_pump_t *self = arg;
    for (size_t i = 0; i < self->count; i++) {
        s_section_t *s = &self->sections[i];
        s->socket = zmq_socket(self->zctx, ZMQ_DEALER);
        int linger = 0, hwm = 1000000;
        if (s->socket) {
            zmq_setsockopt(s->socket, ZMQ_LINGER, &linger, sizeof linger);
            zmq_setsockopt(s->socket, ZMQ_SNDHWM, &hwm, sizeof hwm);
            zmq_setsockopt(s->socket, ZMQ_RCVHWM, &hwm, sizeof hwm);
        }
        if (!s->socket || ocop_curve_client(s->socket, &self->keys, s->public_key) != 0 ||
            zmq_connect(s->socket, s->endpoint) != 0) {
            ocop_log_error("upstream_socket_failed", "service=%s endpoint=%s", s->name, s->endpoint);
            if (s->socket)
                zmq_close(s->socket);
            s->socket = NULL;
        }
    }
    zmq_pollitem_t items[GW_SECTIONS_MAX + 1];
    for (;;) {
        pthread_mutex_lock(&self->lock);
        int stop = self->stop;
        pthread_mutex_unlock(&self->lock);
        if (stop)
            break;
        size_t n = 0;
        items[n++] = (zmq_pollitem_t){NULL, self->wake_fd, ZMQ_POLLIN, 0};
        for (size_t i = 0; i < self->count; i++)
            if (self->sections[i].socket)
                items[n++] = (zmq_pollitem_t){self->sections[i].socket, 0, ZMQ_POLLIN, 0};
        int64_t now = ocop_monotonic_ms();
        long wait = self->oldest ? (long)(self->oldest->deadline_ms - now) : 1000;
        if (zmq_poll(items, (int)n, wait < 0 ? 0 : wait) < 0 && errno != EINTR)
            break;
        if (items[0].revents & ZMQ_POLLIN) {
            uint64_t v;
            if (read(self->wake_fd, &v, sizeof v) < 0 && errno != EAGAIN)
                break;
        }
        s_send_queued(self);
        for (size_t i = 1; i < n; i++)
            if (items[i].revents & ZMQ_POLLIN)
                s_receive(self, items[i].socket);
        s_expire(self, ocop_monotonic_ms());
    }
    /* Whatever waits gets its no-answer. */
    s_send_queued(self);
    while (self->oldest) {
        s_job_t *job = self->oldest;
        s_pending_remove(self, job);
        s_finish(job, NULL);
    }
    for (size_t i = 0; i < self->count; i++)
        if (self->sections[i].socket)
            zmq_close(self->sections[i].socket);
    return NULL;
}

static int s_add(gw_pump_t *self, const ocop_config_t *config, const char *name, char *err, size_t errlen)
{
    ocop_service_config_t sc;
    if (ocop_config_service(config, name, &sc, err, errlen) != 0)
        return -1;
    if (self->count == GW_SECTIONS_MAX) {
        ocop_error_format(err, errlen, "more than %d service sections", GW_SECTIONS_MAX);
        return -1;
    }
    s_section_t *s = &self->sections[self->count];
    snprintf(s->name, sizeof s->name, "%s", name);
    snprintf(s->endpoint, sizeof s->endpoint, "%s", sc.endpoint);
    if (ocop_keys_load_public(ocop_config_keys_dir(config), name, s->public_key, err, errlen) != 0)
        return -1;
    self->count++;
    return 0;
}

gw_pump_t *gw_pump_new(void *zctx, const ocop_config_t *config, const ocop_keypair_t *keys, unsigned timeout_ms,
                       char *err, size_t errlen)
{
    gw_pump_t *self = calloc(1, sizeof *self);
    if (!self) {
        ocop_error_format(err, errlen, "out of memory");
        return NULL;
    }
    self->zctx = zctx;
    self->keys = *keys;
    self->timeout_ms = timeout_ms;
    self->wake_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    pthread_mutex_init(&self->lock, NULL);
    /* Every service section of the config, in file order. */
    char names[GW_SECTIONS_MAX + 1][OCOP_NAME_MAX];
    size_t n = ocop_config_service_names(config, names, GW_SECTIONS_MAX + 1);
    int rc = self->wake_fd >= 0 ? 0 : -1;
    if (rc != 0)
        ocop_error_format(err, errlen, "eventfd: %s", strerror(errno));
    /* One name more than the pump holds, so that s_add refuses a config with too many. */
    for (size_t i = 0; i < n && i <= GW_SECTIONS_MAX && rc == 0; i++)
        rc = s_add(self, config, names[i], err, errlen);
    if (rc == 0 && pthread_create(&self->thread, NULL, s_run, self) != 0) {
        ocop_error_format(err, errlen, "cannot start the pump thread");
        rc = -1;
    }
    self->running = rc == 0;
    if (rc != 0)
        gw_pump_destroy(&self);
    return self;
}

void gw_pump_destroy(gw_pump_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    gw_pump_t *self = *self_p;
    if (self->running) {
        pthread_mutex_lock(&self->lock);
        self->stop = 1;
        pthread_mutex_unlock(&self->lock);
        uint64_t one = 1;
        if (write(self->wake_fd, &one, sizeof one) < 0)
            ocop_log_warn("pump_wake_failed", "error=\"%s\"", strerror(errno));
        pthread_join(self->thread, NULL);
    }
    if (self->wake_fd >= 0)
        close(self->wake_fd);
    pthread_mutex_destroy(&self->lock);
    free(self);
    *self_p = NULL;
}

int gw_pump_submit(gw_pump_t *self, const char *section, Ocop__Request *req, unsigned timeout_ms, gw_pump_done_fn done,
                   void *user)
{
    int index = -1;
    for (size_t i = 0; i < self->count; i++)
        if (strcmp(self->sections[i].name, section) == 0)
            index = (int)i;
    s_job_t *job = index >= 0 ? calloc(1, sizeof *job) : NULL;
    if (!job)
        return -1;
    if (req->request_id && *req->request_id)
        snprintf(job->id, sizeof job->id, "%s", req->request_id);
    else
        ocop_request_id_new(job->id);
    const char *given = req->request_id;
    req->request_id = job->id;
    job->len = ocop__request__get_packed_size(req);
    job->packed = malloc(job->len ? job->len : 1);
    if (job->packed)
        ocop__request__pack(req, job->packed);
    req->request_id = (char *)given;
    if (!job->packed) {
        free(job);
        return -1;
    }
    job->section = index;
    __atomic_add_fetch(&self->sections[index].submitted, 1, __ATOMIC_RELAXED);
    job->timeout_ms = timeout_ms && timeout_ms < self->timeout_ms ? timeout_ms : self->timeout_ms;
    job->done = done;
    job->user = user;
    pthread_mutex_lock(&self->lock);
    /* The pump takes the whole queue at once (s_send_queued): only the job that finds it empty
     * needs to wake it; the ones after it go out with it. */
    bool wake = !self->queue;
    if (self->queue_tail)
        self->queue_tail->next = job;
    else
        self->queue = job;
    self->queue_tail = job;
    pthread_mutex_unlock(&self->lock);
    uint64_t one = 1;
    if (wake && write(self->wake_fd, &one, sizeof one) < 0 && errno != EAGAIN)
        ocop_log_warn("pump_wake_failed", "error=\"%s\"", strerror(errno));
    return 0;
}

uint64_t gw_pump_submitted(const gw_pump_t *self, size_t i)
{
    return i < self->count ? __atomic_load_n(&self->sections[i].submitted, __ATOMIC_RELAXED) : 0;
}

size_t gw_pump_sections(const gw_pump_t *self, const char **names, size_t max)
{
    size_t n = 0;
    for (; n < self->count && n < max; n++)
        names[n] = self->sections[n].name;
    return n;
}
