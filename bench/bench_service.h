/* bench_service — runs the real ocop-registration binary for a benchmark: keys, a config in
 * a temporary directory, fork/exec (optionally under a wrapper such as valgrind), a wait for
 * Ping, counters through Ping, and SIGTERM with a bounded wait at the end. */
#ifndef BENCH_SERVICE_H
#define BENCH_SERVICE_H

#include <stdint.h>
#include <sys/types.h>

#include "ocop_client.h"
#include "ocop_keys.h"

typedef struct {
    pid_t pid;
    char endpoint[64];
    char server_public[OCOP_Z85_KEY_LEN + 1];
    ocop_keypair_t client_keys; /* the "bench" key, on the service's allow-list */
    char log_path[1100];
    ocop_client_t *ping; /* owned */
} bench_service_t;

typedef struct {
    const char *binary;    /* ocop-registration */
    const char *rules_dir; /* services/registration/data */
    const char *dir;       /* temporary directory: keys, config, store, log */
    const char *wrap;      /* NULL, or a command prefix split on spaces ("valgrind --tool=callgrind") */
    int start_timeout_ms;  /* how long to wait for the first Pong */
    int readers;           /* reader threads ("readers" in the config), when set_readers */
    int set_readers;       /* write readers into the config (0 serves reads on the loop) */
} bench_service_options_t;

/* Starts the service and waits until it answers Ping. zctx is the caller's (shared, not
 * owned). 0, or -1 with the reason (and the service log's tail) on stderr. */
int bench_service_start(bench_service_t *svc, void *zctx, const bench_service_options_t *opts);

typedef struct {
    uint64_t requests, errors, batches, batch_max;
    uint64_t map_size; /* bytes of the store's LMDB map */
} bench_service_counters_t;

/* The service's counters through Ping. 0 / -1. */
int bench_service_counters(bench_service_t *svc, bench_service_counters_t *out);
/* The same through any client of any service (e.g. an evaluation shard). 0 / -1. */
int bench_ping_counters(ocop_client_t *client, bench_service_counters_t *out);

/* SIGTERM, then waits up to timeout_ms (SIGKILL after that). Closes the ping client.
 * 0 when the service exited with status 0. Safe to call twice. */
int bench_service_stop(bench_service_t *svc, int timeout_ms);

/* SIGKILL (a crash: nothing saved at a stop) and waits. Closes the ping client. */
void bench_service_kill(bench_service_t *svc);

#endif
