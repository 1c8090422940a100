/* bench_driver — keeps `window` requests outstanding on each of several DEALER connections to
 * a service and times every request from send to reply. window 1 on one connection is the
 * sequential client (one request at a time).
 *
 * Request ids are 32 hex characters (like ocop_request_id_new) that encode the run's tag and
 * the request number, so every reply is matched to its send time. */
#ifndef BENCH_DRIVER_H
#define BENCH_DRIVER_H

#include <stddef.h>
#include <stdint.h>

#include "bench_util.h"
#include "envelope.pb-c.h"
#include "ocop_client.h"

/* Fills req's body (request_id and caller are set by the driver and client) for request
 * number seq; what it points to must stay valid until the next call. */
typedef void (*bench_make_fn)(void *user, uint64_t seq, Ocop__Request *req);
/* Sees every reply (status OK or not); may keep nothing that points into reply. */
typedef void (*bench_reply_fn)(void *user, uint64_t seq, const Ocop__Reply *reply);

typedef struct {
    ocop_client_t **clients;
    size_t n_clients;
    size_t window; /* outstanding requests per client */
    uint64_t max_requests;
    double max_seconds; /* stop sending after this; outstanding replies are still awaited */
    uint32_t tag;       /* distinguishes runs in request ids */
    bench_make_fn make;
    bench_reply_fn on_reply;
    void *user;
} bench_drive_options_t;

typedef struct {
    uint64_t sent, completed, ok;
    uint64_t by_status[16]; /* replies by ocop.Status (index 15: out of range) */
    double seconds;         /* first send to last reply */
    double per_second;      /* completed / seconds */
    bench_pct_t latency;    /* send to reply, every completed request */
} bench_drive_result_t;

/* Runs until max_requests were sent or max_seconds passed, and every reply came. 0, or -1
 * when no reply arrived for 30 s (out then holds what was measured). */
int bench_drive(const bench_drive_options_t *opts, bench_drive_result_t *out);
/* bench_drive on one client: n requests, window in flight, for at most an hour. */
int bench_drive_one(ocop_client_t *client, size_t window, uint64_t n, uint32_t tag, bench_make_fn make,
                    bench_reply_fn on_reply, void *user, bench_drive_result_t *out);

#endif
