/* ocop_feed — see ocop_feed.h. */
#include "ocop_date.h"
#include "ocop_feed.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <time.h>

#include "ocop_log.h"

#define S_POLL_MS 100

struct ocop_feed_t {
    ocop_feed_options_t opts;
    pthread_t thread;
    atomic_int stop;
    int *caught_up; /* per subscriber: its first catch-up succeeded */
    int64_t *retry_at;
};

/* One subscriber's turn: catch up until it has once, then poll. A failure waits retry_ms. */
static void s_turn(ocop_feed_t *self, size_t i, int poll_ms)
{
    ocop_subscriber_t *sub = self->opts.subscribers[i];
    int64_t now = ocop_monotonic_ms();
    if (now < self->retry_at[i]) {
        struct timespec ts = {0, (long)poll_ms * 1000000L};
        nanosleep(&ts, NULL);
        return;
    }
    int rc = self->caught_up[i] ? ocop_subscriber_poll(sub, poll_ms) : ocop_subscriber_catch_up(sub);
    if (rc == 0) {
        if (!self->caught_up[i])
            ocop_log_info("feed_caught_up", "cursor=%llu", (unsigned long long)ocop_subscriber_cursor(sub));
        self->caught_up[i] = 1;
        return;
    }
    self->caught_up[i] = 0;
    self->retry_at[i] = ocop_monotonic_ms() + self->opts.retry_ms;
}

static void *s_run(void *arg)
{
    ocop_feed_t *self = arg;
    if (self->opts.prepare)
        self->opts.prepare(self->opts.prepare_user);
    int64_t next_tick = 0;
    int poll_ms = self->opts.count ? S_POLL_MS / (int)self->opts.count : S_POLL_MS;
    if (poll_ms < 1)
        poll_ms = 1;
    while (!atomic_load(&self->stop)) {
        if (self->opts.tick && ocop_monotonic_ms() >= next_tick) {
            self->opts.tick(self->opts.tick_user);
            next_tick = ocop_monotonic_ms() + self->opts.tick_ms;
        }
        if (self->opts.count == 0) {
            struct timespec ts = {0, S_POLL_MS * 1000000L};
            nanosleep(&ts, NULL);
        }
        for (size_t i = 0; i < self->opts.count && !atomic_load(&self->stop); i++)
            s_turn(self, i, poll_ms);
    }
    return NULL;
}

ocop_feed_t *ocop_feed_start(const ocop_feed_options_t *opts)
{
    ocop_feed_t *self = calloc(1, sizeof *self);
    if (!self)
        return NULL;
    self->opts = *opts;
    if (self->opts.retry_ms <= 0)
        self->opts.retry_ms = 1000;
    if (!self->opts.tick)
        self->opts.tick_ms = 0;
    self->caught_up = calloc(opts->count + 1, sizeof *self->caught_up);
    self->retry_at = calloc(opts->count + 1, sizeof *self->retry_at);
    atomic_init(&self->stop, 0);
    if (!self->caught_up || !self->retry_at || pthread_create(&self->thread, NULL, s_run, self) != 0) {
        ocop_log_error("feed_start_failed", "subscribers=%zu", opts->count);
        free(self->caught_up);
        free(self->retry_at);
        free(self);
        return NULL;
    }
    return self;
}

void ocop_feed_stop(ocop_feed_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    ocop_feed_t *self = *self_p;
    atomic_store(&self->stop, 1);
    pthread_join(self->thread, NULL);
    free(self->caught_up);
    free(self->retry_at);
    free(self);
    *self_p = NULL;
}
