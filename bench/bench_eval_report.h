/* bench_eval_report — the evaluation benchmark's figures, printed for a terminal and rendered
 * as the Markdown section of docs/BENCHMARKS.md. */
#ifndef BENCH_EVAL_REPORT_H
#define BENCH_EVAL_REPORT_H

#include <stdint.h>
#include <stdio.h>

#include "bench_util.h"

#define BENCH_EVAL_AIM_PER_SECOND 50000.0
#define BENCH_EVAL_MARK_BEGIN "<!-- evaluation:begin -->"
#define BENCH_EVAL_MARK_END "<!-- evaluation:end -->"

/* One timed run of sheets against one or more shards at once. */
typedef struct {
    unsigned shards;
    size_t clients;               /* DEALERs per shard */
    size_t sessions, per_session; /* per shard in this run */
    size_t sheets;
    double seconds, per_second;
    size_t errors;
    double avg_batch;        /* requests per committed batch, over the shards */
    uint64_t batch_max;      /* the largest batch of any shard since it started */
    double shard_cpu_us;     /* CPU time of the shards per sheet */
    double shard_cpu_util;   /* the shards' CPU time / wall time (1.0 = one core busy) */
    double bench_cpu_util;   /* this process, same measure */
    unsigned long long grew; /* LMDB map growths of the shards during the run (bytes added) */
} bench_eval_run_t;

#define BENCH_EVAL_PASSES_MAX 8

/* The timed passes of one deployment. */
typedef struct {
    bench_eval_run_t pass[BENCH_EVAL_PASSES_MAX];
    size_t n;
    size_t median; /* the median pass by sheets/s (the lower middle one when n is even) */
    size_t best;
} bench_eval_runs_t;

typedef struct {
    bench_context_t ctx;
    char policy[32];
    char rubric[64];        /* "<instrument>/<product set>" */
    size_t criteria;        /* scored criteria per sheet */
    size_t sheet_bytes;     /* packed EvalSheetSubmit request */
    size_t window;          /* requests outstanding per DEALER */
    char provinces[96];     /* the four shards' provinces, "01, 04, ..." */
    bench_eval_runs_t one;  /* one shard */
    bench_eval_runs_t four; /* four shards */
    double ratio;           /* sheets/s of the median passes, four shards / one shard */
    size_t close_products;  /* products per closed session */
    size_t closes;
    bench_pct_t close; /* EvalSessionClose round trips */
    bench_pct_t open;  /* EvalSessionOpen round trips, sessions of the one-shard run */
    unsigned long long close_stars[6];
    unsigned long long close_forwarded;
} bench_eval_results_t;

void bench_eval_report_print(const bench_eval_results_t *r, FILE *out);
/* The docs section, between (and including) the markers. */
void bench_eval_report_markdown(const bench_eval_results_t *r, bench_text_t *out);

#endif
