/* bench_raw — the raw limits a registration is compared with, measured in the same run:
 *
 *   ZeroMQ echo     a CURVE ROUTER (behind the same ZAP allow-list as a service) that sends
 *                   every frame straight back, in a thread of this process, on
 *                   tcp://127.0.0.1; one DEALER measures sequential round trips and
 *                   pipelined messages per second with the registration request's size.
 *   LMDB batches    puts of the request's size under 32-character keys, committed with fsync
 *                   every `batch` puts (the service's batch size): keys in ascending order
 *                   (appends: the ceiling) or random (like request ids: every put dirties
 *                   its own page once the tree is larger than a batch).
 *   fsync commit    a write transaction of one put, committed with fsync, timed one by one.
 *
 * Every store is a fresh environment in dir with the service's flags (MDB_NOTLS, no NOSYNC). */
#ifndef BENCH_RAW_H
#define BENCH_RAW_H

#include <stddef.h>

#include "bench_util.h"

typedef struct {
    size_t msg_size;   /* bytes per frame */
    size_t seq_count;  /* sequential round trips timed (after a short warm-up) */
    size_t pipe_count; /* messages in the pipelined run */
    size_t window;     /* outstanding messages in the pipelined run */
} bench_echo_options_t;

typedef struct {
    bench_pct_t seq;    /* round-trip latency */
    double pipe_msgs_s; /* echoed messages per second, pipelined */
} bench_echo_result_t;

/* 0 / -1 (with a line on stderr). */
int bench_echo_run(const bench_echo_options_t *opts, bench_echo_result_t *out);

typedef struct {
    double puts_s;
    double commits_s;
    size_t puts;
    bench_pct_t commit; /* latency of each batch's commit */
} bench_lmdb_result_t;

/* Runs batches of `batch` puts of value_size bytes for about `seconds` in a fresh environment
 * in dir (created). random_keys 0 = ascending keys. 0 / -1. */
int bench_lmdb_batched(const char *dir, size_t value_size, size_t batch, int random_keys, double seconds,
                       bench_lmdb_result_t *out);

/* Times `count` one-put transactions (value_size bytes), each committed with fsync. 0 / -1. */
int bench_lmdb_fsync_commit(const char *dir, size_t value_size, size_t count, bench_pct_t *out);

#endif
