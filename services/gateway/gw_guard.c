/* gw_guard — see gw_guard.h. */
#include "gw_guard.h"

#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <time.h>

#include "ocop_date.h"
#include "ocop_log.h"

#define S_SWEEP_MS 250

struct gw_guard_conn_t {
    int fd;
    int64_t deadline_ms;
    bool answering;
    bool shut;
    gw_guard_conn_t *prev, *next;
};

struct gw_guard_t {
    int64_t deadline_ms;
    pthread_mutex_t lock; /* guards the list, every conn's fields and stop */
    pthread_cond_t wake;
    gw_guard_conn_t *conns;
    bool stop;
    pthread_t thread;
};

static void *s_sweep(void *arg)
{
    gw_guard_t *self = arg;
    pthread_mutex_lock(&self->lock);
    while (!self->stop) {
        struct timespec until;
        clock_gettime(CLOCK_REALTIME, &until);
        until.tv_nsec += S_SWEEP_MS * 1000000L;
        if (until.tv_nsec >= 1000000000L) {
            until.tv_sec++;
            until.tv_nsec -= 1000000000L;
        }
        int rc = pthread_cond_timedwait(&self->wake, &self->lock, &until);
        if (rc != 0 && rc != ETIMEDOUT)
            break;
        int64_t now = ocop_monotonic_ms();
        for (gw_guard_conn_t *c = self->conns; c; c = c->next) {
            if (c->answering || c->shut || c->deadline_ms > now)
                continue;
            c->shut = true;
            /* Only the socket: libmicrohttpd still owns the descriptor and closes it. */
            if (shutdown(c->fd, SHUT_RDWR) == 0)
                ocop_log_info("connection_too_slow", "deadline_ms=%lld", (long long)self->deadline_ms);
        }
    }
    pthread_mutex_unlock(&self->lock);
    return NULL;
}

gw_guard_t *gw_guard_new(unsigned deadline_s)
{
    gw_guard_t *self = calloc(1, sizeof *self);
    if (!self)
        return NULL;
    self->deadline_ms = (int64_t)deadline_s * 1000;
    pthread_mutex_init(&self->lock, NULL);
    pthread_cond_init(&self->wake, NULL);
    if (pthread_create(&self->thread, NULL, s_sweep, self) != 0) {
        pthread_cond_destroy(&self->wake);
        pthread_mutex_destroy(&self->lock);
        free(self);
        return NULL;
    }
    return self;
}

void gw_guard_destroy(gw_guard_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    gw_guard_t *self = *self_p;
    pthread_mutex_lock(&self->lock);
    self->stop = true;
    pthread_cond_signal(&self->wake);
    pthread_mutex_unlock(&self->lock);
    pthread_join(self->thread, NULL);
    while (self->conns) {
        gw_guard_conn_t *c = self->conns;
        self->conns = c->next;
        free(c);
    }
    pthread_cond_destroy(&self->wake);
    pthread_mutex_destroy(&self->lock);
    free(self);
    *self_p = NULL;
}

gw_guard_conn_t *gw_guard_open(gw_guard_t *self, int fd)
{
    gw_guard_conn_t *c = calloc(1, sizeof *c);
    if (!c)
        return NULL;
    c->fd = fd;
    pthread_mutex_lock(&self->lock);
    c->deadline_ms = ocop_monotonic_ms() + self->deadline_ms;
    c->next = self->conns;
    if (self->conns)
        self->conns->prev = c;
    self->conns = c;
    pthread_mutex_unlock(&self->lock);
    return c;
}

void gw_guard_close(gw_guard_t *self, gw_guard_conn_t *c)
{
    if (!c)
        return;
    pthread_mutex_lock(&self->lock);
    if (c->prev)
        c->prev->next = c->next;
    else
        self->conns = c->next;
    if (c->next)
        c->next->prev = c->prev;
    pthread_mutex_unlock(&self->lock);
    free(c);
}

void gw_guard_answering(gw_guard_t *self, gw_guard_conn_t *c, bool answering)
{
    if (!c)
        return;
    pthread_mutex_lock(&self->lock);
    c->answering = answering;
    if (!answering)
        c->deadline_ms = ocop_monotonic_ms() + self->deadline_ms;
    pthread_mutex_unlock(&self->lock);
}

bool gw_guard_expired(gw_guard_t *self, const gw_guard_conn_t *c)
{
    if (!c)
        return false;
    pthread_mutex_lock(&self->lock);
    bool expired = c->deadline_ms <= ocop_monotonic_ms();
    pthread_mutex_unlock(&self->lock);
    return expired;
}
