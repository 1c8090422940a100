/* bench_report — the registration benchmark's figures, printed as a table and rendered as the
 * Markdown section of docs/BENCHMARKS.md. */
#ifndef BENCH_REPORT_H
#define BENCH_REPORT_H

#include <stddef.h>
#include <stdio.h>

#include "bench_driver.h"
#include "bench_postgres.h"
#include "bench_raw.h"
#include "bench_util.h"

#define BENCH_PIPE_RUNS_MAX 4
#define BENCH_TARGET_PER_SECOND 100000.0
#define BENCH_TARGET_SEQ_RATIO 1.5
#define BENCH_TARGET_VS_POSTGRES 8.0 /* best pipelined / PostgreSQL with BENCH_POSTGRES_CLIENTS */
#define BENCH_TARGET_VS_ECHO 0.2
#define BENCH_POSTGRES_CLIENTS 16

/* One run of registrations against the service (sequential: 1 client, window 1). */
typedef struct {
    size_t clients, window;
    bench_drive_result_t drive;
    double avg_batch;        /* requests per committed batch (service's counters) */
    double service_cpu_us;   /* service CPU time per registration */
    double service_cpu_util; /* service CPU time / wall time (1.0 = one core busy) */
    double bench_cpu_util;   /* this process, same measure */
    double write_kib;        /* bytes the service handed to write-like system calls, per registration */
    double write_calls;      /* those system calls per registration */
    double reply_bytes;      /* mean packed reply */
    unsigned long long flagged;
} bench_run_t;

typedef struct {
    /* context */
    char date[32];
    char cpu[160];
    int cores;
    int quick;
    size_t entities;
    size_t communes, product_sets;
    char unit_version[16], catalogue_version[16];
    size_t msg_size; /* mean packed RegProductRegister request, bytes */
    /* raw limits */
    bench_echo_options_t echo_opts;
    bench_echo_result_t echo;
    bench_pct_t fsync_commit;
    size_t lmdb_batch;
    bench_lmdb_result_t lmdb_seq;  /* ascending keys */
    bench_lmdb_result_t lmdb_rand; /* random keys */
    bench_postgres_t postgres;     /* the same record inserted durably, 1 and 16 clients */
    /* service */
    bench_drive_result_t entity_run;
    bench_run_t seq;
    bench_run_t pipe[BENCH_PIPE_RUNS_MAX];
    size_t n_pipe;
    size_t best_pipe;
} bench_results_t;

/* The table for a terminal. */
void bench_report_print(const bench_results_t *r, FILE *out);

/* The docs section, between (and including) the markers. */
#define BENCH_MARK_BEGIN "<!-- registration:begin -->"
#define BENCH_MARK_END "<!-- registration:end -->"
void bench_report_markdown(const bench_results_t *r, bench_text_t *out);

#endif
