/* ocop_feed — a service's subscribers, run in a background thread beside the service loop.
 *
 * A service that learns from other services' events (evaluation from registration, audit from
 * everyone) must keep answering requests while a source is down or far behind: so the
 * subscribers catch up and poll in their own thread, writing their effects and cursors in
 * their own transactions on the service's store (LMDB serialises the writers; see
 * ocop_store_hold for map growth). A source that does not answer is retried every retry_ms.
 *
 * The thread can also run a periodic tick (e.g. a service asking itself to expire what is
 * due), so time-driven work goes through the ordinary request path. */
#ifndef OCOP_FEED_H
#define OCOP_FEED_H

#include <stddef.h>

#include "ocop_subscriber.h"

typedef struct ocop_feed_t ocop_feed_t;

/* Called in the feed's thread every tick_ms (and once at start). */
typedef void (*ocop_feed_tick_fn)(void *user);

typedef struct {
    ocop_subscriber_t **subscribers; /* not owned; used only by the feed's thread until stop */
    size_t count;
    int retry_ms; /* 0 = 1000: wait before asking a silent source again */
    ocop_feed_tick_fn tick;
    void *tick_user;
    int tick_ms; /* 0 = no tick */
    /* Called once in the feed's thread before anything else (NULL: none), e.g. to rebuild an
     * index of what the subscribers took before a restart while the service already answers. */
    ocop_feed_tick_fn prepare;
    void *prepare_user;
} ocop_feed_options_t;

/* Starts the thread. NULL on failure. */
ocop_feed_t *ocop_feed_start(const ocop_feed_options_t *opts);
/* Asks the thread to stop, waits for it (bounded by one source time-out) and frees. Safe on NULL. */
void ocop_feed_stop(ocop_feed_t **self_p);

#endif
