/* bench_report — see bench_report.h. */
#include "bench_report.h"

#include <string.h>

typedef struct {
    double best;        /* best pipelined registrations/s */
    double vs_target;   /* best / BENCH_TARGET_PER_SECOND */
    double vs_lmdb;     /* best / LMDB batched puts/s */
    double vs_echo;     /* best / ZeroMQ pipelined echo msgs/s */
    double seq_bound;   /* echo p50 + fsync commit p50, µs */
    double vs_bound;    /* sequential p50 / seq_bound */
} s_ratios_t;

static s_ratios_t s_ratios(const bench_results_t *r)
{
    s_ratios_t q;
    memset(&q, 0, sizeof q);
    q.best = r->n_pipe ? r->pipe[r->best_pipe].drive.per_second : 0;
    q.vs_target = q.best / BENCH_TARGET_PER_SECOND;
    q.vs_lmdb = r->lmdb.puts_s > 0 ? q.best / r->lmdb.puts_s : 0;
    q.vs_echo = r->echo.pipe_msgs_s > 0 ? q.best / r->echo.pipe_msgs_s : 0;
    q.seq_bound = r->echo.seq.p50_us + r->fsync_commit.p50_us;
    q.vs_bound = q.seq_bound > 0 ? r->seq.latency.p50_us / q.seq_bound : 0;
    return q;
}

static unsigned long long s_errors(const bench_drive_result_t *d)
{
    return (unsigned long long)(d->completed - d->ok);
}

void bench_report_print(const bench_results_t *r, FILE *out)
{
    s_ratios_t q = s_ratios(r);
    fprintf(out, "\nOCOP registration benchmark%s — %s\n", r->quick ? " (--quick)" : "", r->date);
    fprintf(out, "CPU: %s, %d cores. Workload: %zu entities; products over %zu communes (units %s) x %zu "
                 "non-fresh product sets (catalogue %s); request %zu bytes packed.\n\n",
            r->cpu, r->cores, r->entities, r->communes, r->unit_version, r->product_sets, r->catalogue_version,
            r->msg_size);
    fprintf(out, "Raw limits (same run)\n");
    fprintf(out, "  %-44s p50 %8.1f us  p99 %8.1f us\n", "ZeroMQ CURVE echo round trip (tcp loopback)", r->echo.seq.p50_us,
            r->echo.seq.p99_us);
    fprintf(out, "  %-44s %10.0f msgs/s (window %zu)\n", "ZeroMQ CURVE echo, pipelined", r->echo.pipe_msgs_s,
            r->echo_opts.window);
    fprintf(out, "  %-44s p50 %8.1f us  p99 %8.1f us\n", "LMDB one fsync'd commit (1 put)", r->fsync_commit.p50_us,
            r->fsync_commit.p99_us);
    fprintf(out, "  %-44s %10.0f puts/s, %.0f commits/s (batch %zu, commit p50 %.1f us)\n", "LMDB batched puts",
            r->lmdb.puts_s, r->lmdb.commits_s, r->lmdb_batch, r->lmdb.commit.p50_us);
    fprintf(out, "\nRegistration service (ocop-registration, durable replies)\n");
    fprintf(out, "  %-20s %10s %9s %9s %9s %7s %8s %8s %7s %6s\n", "run", "regs/s", "p50 us", "p99 us", "p999 us",
            "batch", "svc us/r", "svc cpu", "flagged", "errors");
    fprintf(out, "  %-20s %10.0f %9.1f %9.1f %9.1f %7s %8s %8s %7llu %6llu\n", "sequential 1 x 1",
            r->seq.per_second, r->seq.latency.p50_us, r->seq.latency.p99_us, r->seq.latency.p999_us, "1", "-", "-",
            r->seq_flagged, s_errors(&r->seq));
    for (size_t i = 0; i < r->n_pipe; i++) {
        const bench_pipe_run_t *p = &r->pipe[i];
        char name[32];
        snprintf(name, sizeof name, "pipelined %zu x %zu%s", p->clients, p->window, i == r->best_pipe ? " *" : "");
        fprintf(out, "  %-20s %10.0f %9.1f %9.1f %9.1f %7.0f %8.1f %7.0f%% %7llu %6llu\n", name,
                p->drive.per_second, p->drive.latency.p50_us, p->drive.latency.p99_us, p->drive.latency.p999_us,
                p->avg_batch, p->service_cpu_us, 100.0 * p->service_cpu_util, p->flagged, s_errors(&p->drive));
    }
    fprintf(out, "\nRatios (* = best pipelined run)\n");
    fprintf(out, "  best pipelined / aim of %.0f/s:                 %6.3f  (%s)\n", BENCH_TARGET_PER_SECOND,
            q.vs_target, q.vs_target >= 1 ? "met" : "NOT met");
    fprintf(out, "  best pipelined / LMDB batched puts/s:          %6.3f\n", q.vs_lmdb);
    fprintf(out, "  best pipelined / ZeroMQ pipelined echo msgs/s: %6.3f\n", q.vs_echo);
    fprintf(out, "  sequential p50 / (echo p50 + fsync p50 = %.1f us): %5.2f  (aim <= %.1f: %s)\n", q.seq_bound,
            q.vs_bound, BENCH_TARGET_SEQ_RATIO, q.vs_bound <= BENCH_TARGET_SEQ_RATIO ? "met" : "NOT met");
}

const char *bench_report_header(void)
{
    return "# Benchmarks\n"
           "\n"
           "Figures below come from one run on the machine named in each section; machines are noisy, so\n"
           "compare the ratios, which are measured against raw limits in the same run, rather than the\n"
           "absolute numbers. Benchmarks are not tests: nothing here runs under ctest.\n"
           "\n"
           "Run them from a Release build:\n"
           "\n"
           "```sh\n"
           "cmake -S . -B build -DCMAKE_BUILD_TYPE=Release\n"
           "cmake --build build --target bench          # builds and runs every benchmark, updates this file\n"
           "build/bench/bench_registration --quick     # about 10 s; --no-write leaves this file alone\n"
           "```\n"
           "\n"
           "Each benchmark rewrites only its own section (between its begin/end markers).\n";
}

void bench_report_markdown(const bench_results_t *r, bench_text_t *t)
{
    s_ratios_t q = s_ratios(r);
    bench_text_printf(t, "%s\n## Registration: durable product registrations\n\n", BENCH_MARK_BEGIN);
    bench_text_printf(t, "One run of `bench_registration%s` on %s: %s, %d cores, Release build.\n\n",
                      r->quick ? " --quick" : "", r->date, r->cpu, r->cores);
    bench_text_printf(t,
                      "The real `ocop-registration` process (CURVE on tcp://127.0.0.1, LMDB with fsync on every "
                      "commit) serves RegProductRegister requests from %zu registered entities: communes drawn "
                      "from all %zu communes of units %s, product sets from the %zu non-fresh sets of catalogue "
                      "%s, Vietnamese product names, processing PROCESSED (so only near-duplicates are flagged). "
                      "A packed request is %zu bytes on average. Every reply counted here was sent after its batch "
                      "was committed.\n\n",
                      r->entities, r->communes, r->unit_version, r->product_sets, r->catalogue_version, r->msg_size);
    bench_text_printf(t, "| measure | result |\n|---|---|\n");
    bench_text_printf(t, "| **pipelined registrations/s (best)** | **%.0f** (aim 100,000: %s, %.2f of it) |\n", q.best,
                      q.vs_target >= 1 ? "met" : "not met", q.vs_target);
    bench_text_printf(t, "| **sequential p50 / (echo p50 + fsync commit p50)** | **%.2f** (aim <= 1.5: %s) |\n",
                      q.vs_bound, q.vs_bound <= BENCH_TARGET_SEQ_RATIO ? "met" : "not met");
    bench_text_printf(t, "| pipelined registrations/s / LMDB batched puts/s | %.3f |\n", q.vs_lmdb);
    bench_text_printf(t, "| pipelined registrations/s / ZeroMQ pipelined echo msgs/s | %.3f |\n\n", q.vs_echo);

    bench_text_printf(t, "Service runs:\n\n");
    bench_text_printf(t, "| run | registrations/s | p50 µs | p99 µs | p99.9 µs | requests | avg batch | "
                         "service CPU µs/registration | service CPU | flagged | errors |\n");
    bench_text_printf(t, "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
    bench_text_printf(t, "| sequential, 1 client, 1 outstanding | %.0f | %.1f | %.1f | %.1f | %llu | 1 | – | – | %llu | %llu |\n",
                      r->seq.per_second, r->seq.latency.p50_us, r->seq.latency.p99_us, r->seq.latency.p999_us,
                      (unsigned long long)r->seq.completed, r->seq_flagged, s_errors(&r->seq));
    for (size_t i = 0; i < r->n_pipe; i++) {
        const bench_pipe_run_t *p = &r->pipe[i];
        bench_text_printf(t,
                          "| pipelined, %zu DEALER%s × %zu outstanding%s | %.0f | %.1f | %.1f | %.1f | %llu | %.0f "
                          "(max %llu) | %.1f | %.0f%% | %llu | %llu |\n",
                          p->clients, p->clients > 1 ? "s" : "", p->window, i == r->best_pipe ? " (best)" : "",
                          p->drive.per_second, p->drive.latency.p50_us, p->drive.latency.p99_us,
                          p->drive.latency.p999_us, (unsigned long long)p->drive.completed, p->avg_batch, p->batch_max,
                          p->service_cpu_us, 100.0 * p->service_cpu_util, p->flagged, s_errors(&p->drive));
    }
    bench_text_printf(t, "\nRaw limits measured in the same run:\n\n| limit | result |\n|---|---|\n");
    bench_text_printf(t, "| ZeroMQ CURVE echo (ROUTER in a thread, one DEALER, %zu-byte frames), round trip | p50 %.1f µs, p99 %.1f µs |\n",
                      r->echo_opts.msg_size, r->echo.seq.p50_us, r->echo.seq.p99_us);
    bench_text_printf(t, "| ZeroMQ CURVE echo, pipelined (window %zu) | %.0f msgs/s |\n", r->echo_opts.window,
                      r->echo.pipe_msgs_s);
    bench_text_printf(t, "| LMDB one fsync'd commit (1 put of %zu bytes) | p50 %.1f µs, p99 %.1f µs |\n", r->msg_size,
                      r->fsync_commit.p50_us, r->fsync_commit.p99_us);
    bench_text_printf(t,
                      "| LMDB batched puts (%zu-byte values, random 32-byte keys, %zu puts per fsync'd commit = the "
                      "best run's average batch) | %.0f puts/s, %.0f commits/s, commit p50 %.1f µs |\n",
                      r->msg_size, r->lmdb_batch, r->lmdb.puts_s, r->lmdb.commits_s, r->lmdb.commit.p50_us);
    bench_text_printf(t, "\nSequential bound: echo p50 + fsync commit p50 = %.1f µs; the sequential client's p50 "
                         "is %.1f µs.\n\n%s\n",
                      q.seq_bound, r->seq.latency.p50_us, BENCH_MARK_END);
}
