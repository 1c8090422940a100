/* bench_postgres — PostgreSQL's durable insert rate of a product record, measured beside the
 * registration benchmark by bench/bench_postgres.sh (a temporary cluster, pgbench). */
#ifndef BENCH_POSTGRES_H
#define BENCH_POSTGRES_H

#include <stddef.h>

#define BENCH_POSTGRES_RUNS_MAX 4

typedef struct {
    char version[64];      /* the server's, as it reports it */
    char unavailable[160]; /* why nothing was measured; empty when runs were made */
    size_t n;
    int clients[BENCH_POSTGRES_RUNS_MAX];
    double per_second[BENCH_POSTGRES_RUNS_MAX]; /* committed inserts/s */
} bench_postgres_t;

/* Runs SCRIPT (which makes its own cluster and removes it) for SECONDS per run, one run per entry of CLIENTS.
 * Returns 0 when the runs were made or PostgreSQL is not installed (out->unavailable says so),
 * -1 when the script failed or printed what it should not. */
int bench_postgres_run(const char *script, double seconds, const int *clients, size_t n, bench_postgres_t *out);

/* The committed inserts/s of the run with that many clients, 0 if there was none. */
double bench_postgres_rate(const bench_postgres_t *pg, int clients);

#endif
