/* bench_report — see bench_report.h. */
#include "bench_report.h"

#include <string.h>

typedef struct {
    double best;         /* best pipelined registrations/s */
    double vs_target;    /* best / BENCH_TARGET_PER_SECOND */
    double vs_lmdb_seq;  /* best / LMDB batched puts/s, ascending keys */
    double vs_lmdb_rand; /* best / LMDB batched puts/s, random keys */
    double vs_echo;      /* best / ZeroMQ pipelined echo msgs/s */
    double vs_postgres;  /* best / PostgreSQL inserts/s with BENCH_POSTGRES_CLIENTS */
    double seq_bound;    /* echo p50 + fsync commit p50, µs */
    double vs_bound;     /* sequential p50 / seq_bound */
} s_ratios_t;

static double s_div(double a, double b)
{
    return b > 0 ? a / b : 0;
}

static s_ratios_t s_ratios(const bench_results_t *r)
{
    s_ratios_t q;
    memset(&q, 0, sizeof q);
    q.best = r->n_pipe ? r->pipe[r->best_pipe].drive.per_second : 0;
    q.vs_target = q.best / BENCH_TARGET_PER_SECOND;
    q.vs_lmdb_seq = s_div(q.best, r->lmdb_seq.puts_s);
    q.vs_lmdb_rand = s_div(q.best, r->lmdb_rand.puts_s);
    q.vs_echo = s_div(q.best, r->echo.pipe_msgs_s);
    q.vs_postgres = s_div(q.best, bench_postgres_rate(&r->postgres, BENCH_POSTGRES_CLIENTS));
    q.seq_bound = r->echo.seq.p50_us + r->fsync_commit.p50_us;
    q.vs_bound = s_div(r->seq.drive.latency.p50_us, q.seq_bound);
    return q;
}

static unsigned long long s_errors(const bench_run_t *run)
{
    return (unsigned long long)(run->drive.completed - run->drive.ok);
}

static void s_run_name(const bench_results_t *r, const bench_run_t *run, char *out, size_t outlen)
{
    if (run == &r->seq)
        snprintf(out, outlen, "sequential 1 x 1");
    else
        snprintf(out, outlen, "pipelined %zu x %zu%s", run->clients, run->window,
                 run == &r->pipe[r->best_pipe] ? " *" : "");
}

static void s_print_run(const bench_results_t *r, const bench_run_t *run, FILE *out)
{
    char name[48];
    s_run_name(r, run, name, sizeof name);
    fprintf(out, "  %-20s %9.0f %9.1f %9.1f %9.1f %6.0f %7.1f %5.0f%% %6.1f %6.1f %6.0f %6llu %5llu\n", name,
            run->drive.per_second, run->drive.latency.p50_us, run->drive.latency.p99_us, run->drive.latency.p999_us,
            run->avg_batch, run->service_cpu_us, 100.0 * run->service_cpu_util, run->write_kib, run->write_calls,
            run->reply_bytes, run->flagged, s_errors(run));
}

void bench_report_print(const bench_results_t *r, FILE *out)
{
    s_ratios_t q = s_ratios(r);
    fprintf(out, "\nOCOP registration benchmark%s — %s\n", r->quick ? " (--quick)" : "", r->date);
    fprintf(out,
            "CPU: %s, %d cores. Workload: %zu entities over %zu communes (units %s); products in their "
            "producer's commune, %zu non-fresh product sets (catalogue %s); request %zu bytes packed.\n\n",
            r->cpu, r->cores, r->entities, r->communes, r->unit_version, r->product_sets, r->catalogue_version,
            r->msg_size);
    fprintf(out, "Raw limits (same run)\n");
    fprintf(out, "  %-40s p50 %8.1f us  p99 %8.1f us\n", "ZeroMQ CURVE echo round trip", r->echo.seq.p50_us,
            r->echo.seq.p99_us);
    fprintf(out, "  %-40s %10.0f msgs/s (window %zu)\n", "ZeroMQ CURVE echo, pipelined", r->echo.pipe_msgs_s,
            r->echo_opts.window);
    fprintf(out, "  %-40s p50 %8.1f us  p99 %8.1f us\n", "LMDB one fsync'd commit (1 put)", r->fsync_commit.p50_us,
            r->fsync_commit.p99_us);
    fprintf(out, "  %-40s %10.0f puts/s, %.0f commits/s (commit p50 %.1f us)\n", "LMDB batched puts, ascending keys",
            r->lmdb_seq.puts_s, r->lmdb_seq.commits_s, r->lmdb_seq.commit.p50_us);
    fprintf(out, "  %-40s %10.0f puts/s, %.0f commits/s (commit p50 %.1f us)\n", "LMDB batched puts, random keys",
            r->lmdb_rand.puts_s, r->lmdb_rand.commits_s, r->lmdb_rand.commit.p50_us);
    fprintf(out, "  (batches of %zu puts of %zu bytes, fsync'd; %zu = the best run's average batch)\n", r->lmdb_batch,
            r->msg_size, r->lmdb_batch);
    if (r->postgres.unavailable[0])
        fprintf(out, "  PostgreSQL: not measured (%s)\n", r->postgres.unavailable);
    for (size_t i = 0; i < r->postgres.n; i++)
        fprintf(out, "  PostgreSQL %-29s %10.0f inserts/s (%d client%s, each insert committed)\n", r->postgres.version,
                r->postgres.per_second[i], r->postgres.clients[i], r->postgres.clients[i] > 1 ? "s" : "");
    fprintf(out, "\nRegistration service (ocop-registration; every reply sent after its batch was fsync'd)\n");
    fprintf(out, "  %-20s %9s %9s %9s %9s %6s %7s %6s %6s %6s %6s %6s %5s\n", "run", "regs/s", "p50 us", "p99 us",
            "p999 us", "batch", "cpu/reg", "svcCPU", "KiB/r", "wr/r", "reply", "flagd", "errs");
    s_print_run(r, &r->seq, out);
    for (size_t i = 0; i < r->n_pipe; i++)
        s_print_run(r, &r->pipe[i], out);
    fprintf(out, "  (cpu/reg: service CPU us per registration; KiB/r and wr/r: bytes and write-like system calls the\n"
                 "   service made per registration, mostly LMDB page writes; reply: mean reply bytes)\n");
    fprintf(out, "\nRatios (* = best pipelined run)\n");
    fprintf(out, "  best pipelined / aim of %.0f/s:                  %6.3f  (%s)\n", BENCH_TARGET_PER_SECOND,
            q.vs_target, q.vs_target >= 1 ? "met" : "NOT met");
    fprintf(out, "  best pipelined / LMDB batched puts/s, ascending:  %6.3f\n", q.vs_lmdb_seq);
    fprintf(out, "  best pipelined / LMDB batched puts/s, random:     %6.3f\n", q.vs_lmdb_rand);
    fprintf(out, "  best pipelined / ZeroMQ pipelined echo msgs/s:    %6.3f  (aim >= %.1f: %s)\n", q.vs_echo,
            BENCH_TARGET_VS_ECHO, q.vs_echo >= BENCH_TARGET_VS_ECHO ? "met" : "NOT met");
    if (q.vs_postgres > 0)
        fprintf(out, "  best pipelined / PostgreSQL, %d clients:          %6.2f  (aim >= %.0f: %s)\n",
                BENCH_POSTGRES_CLIENTS, q.vs_postgres, BENCH_TARGET_VS_POSTGRES,
                q.vs_postgres >= BENCH_TARGET_VS_POSTGRES ? "met" : "NOT met");
    fprintf(out, "  sequential p50 / (echo p50 + fsync p50 = %.1f us): %5.2f  (aim <= %.1f: %s)\n", q.seq_bound,
            q.vs_bound, BENCH_TARGET_SEQ_RATIO, q.vs_bound <= BENCH_TARGET_SEQ_RATIO ? "met" : "NOT met");
}

static void s_md_run(const bench_results_t *r, const bench_run_t *run, bench_text_t *t)
{
    if (run == &r->seq)
        bench_text_printf(t, "| sequential: 1 client, 1 outstanding ");
    else
        bench_text_printf(t, "| pipelined: %zu DEALER%s × %zu outstanding%s ", run->clients,
                          run->clients > 1 ? "s" : "", run->window, run == &r->pipe[r->best_pipe] ? " (best)" : "");
    bench_text_printf(
        t, "| %.0f | %.0f | %.0f | %.0f | %llu | %.0f | %.1f | %.0f%% | %.1f | %.1f | %.0f | %llu | %llu |\n",
        run->drive.per_second, run->drive.latency.p50_us, run->drive.latency.p99_us, run->drive.latency.p999_us,
        (unsigned long long)run->drive.completed, run->avg_batch, run->service_cpu_us, 100.0 * run->service_cpu_util,
        run->write_kib, run->write_calls, run->reply_bytes, run->flagged, s_errors(run));
}

void bench_report_markdown(const bench_results_t *r, bench_text_t *t)
{
    s_ratios_t q = s_ratios(r);
    bench_text_printf(t, "%s\n## Registration: durable product registrations\n\n", BENCH_MARK_BEGIN);
    bench_text_printf(t, "One run of `bench_registration%s` on %s: %s, %d cores, Release build.\n\n",
                      r->quick ? " --quick" : "", r->date, r->cpu, r->cores);
    bench_text_printf(t,
                      "The real `ocop-registration` process (CURVE on tcp://127.0.0.1, LMDB fsync'd on every "
                      "commit, a reply only after its batch is committed) serves RegProductRegister requests "
                      "from %zu registered entities in communes drawn from all %zu communes of units %s, each "
                      "product in its producer's commune (a product is registered in its producer's province), "
                      "the %zu non-fresh product sets of catalogue %s, Vietnamese product names from "
                      "`demo-names.json`, processing PROCESSED (so only near-duplicates get flagged; a name an "
                      "entity drew twice is refused as a duplicate and counted in errors). A packed "
                      "request is %zu bytes on average. Runs follow each other on the same store, so later runs "
                      "see a larger database.\n\n",
                      r->entities, r->communes, r->unit_version, r->product_sets, r->catalogue_version, r->msg_size);
    bench_text_printf(t, "| measure | result |\n|---|---|\n");
    bench_text_printf(t, "| **pipelined registrations/s (best run)** | **%.0f** — aim 100,000: %s (%.2f of it) |\n",
                      q.best, q.vs_target >= 1 ? "met" : "not met", q.vs_target);
    bench_text_printf(t, "| **sequential p50 / (echo p50 + fsync'd commit p50)** | **%.2f** — aim ≤ 1.5: %s |\n",
                      q.vs_bound, q.vs_bound <= BENCH_TARGET_SEQ_RATIO ? "met" : "not met");
    bench_text_printf(t, "| pipelined registrations/s / LMDB batched puts/s (ascending keys) | %.3f |\n",
                      q.vs_lmdb_seq);
    bench_text_printf(t, "| pipelined registrations/s / LMDB batched puts/s (random keys) | %.3f |\n", q.vs_lmdb_rand);
    bench_text_printf(t,
                      "| **pipelined registrations/s / ZeroMQ pipelined echo msgs/s** | **%.3f** — aim ≥ %.1f: %s |\n",
                      q.vs_echo, BENCH_TARGET_VS_ECHO, q.vs_echo >= BENCH_TARGET_VS_ECHO ? "met" : "not met");
    if (q.vs_postgres > 0)
        bench_text_printf(t,
                          "| **pipelined registrations/s / PostgreSQL durable inserts/s, %d clients** | **%.2f** — "
                          "aim ≥ %.0f: %s |\n",
                          BENCH_POSTGRES_CLIENTS, q.vs_postgres, BENCH_TARGET_VS_POSTGRES,
                          q.vs_postgres >= BENCH_TARGET_VS_POSTGRES ? "met" : "not met");
    else
        bench_text_printf(t, "| pipelined registrations/s / PostgreSQL | not measured: %s |\n",
                          r->postgres.unavailable[0] ? r->postgres.unavailable : "no run");
    bench_text_printf(t, "\n");

    bench_text_printf(t, "Service runs (CPU, KiB and writes are the service process's, per registration; KiB and "
                         "writes count write-like system calls, almost all LMDB page writes):\n\n");
    bench_text_printf(t, "| run | registrations/s | p50 µs | p99 µs | p99.9 µs | requests | avg batch | "
                         "CPU µs | service CPU | KiB written | writes | reply bytes | flagged | errors |\n");
    bench_text_printf(t, "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
    s_md_run(r, &r->seq, t);
    for (size_t i = 0; i < r->n_pipe; i++)
        s_md_run(r, &r->pipe[i], t);
    bench_text_printf(t, "\nRaw limits measured in the same run:\n\n| limit | result |\n|---|---|\n");
    bench_text_printf(t,
                      "| ZeroMQ CURVE echo round trip (ROUTER in a thread, one DEALER, tcp://127.0.0.1, %zu-byte "
                      "frames) | p50 %.1f µs, p99 %.1f µs |\n",
                      r->echo_opts.msg_size, r->echo.seq.p50_us, r->echo.seq.p99_us);
    bench_text_printf(t, "| ZeroMQ CURVE echo, pipelined (window %zu) | %.0f msgs/s |\n", r->echo_opts.window,
                      r->echo.pipe_msgs_s);
    bench_text_printf(t,
                      "| LMDB one fsync'd commit (a transaction of 1 put of %zu bytes) | p50 %.1f µs, p99 %.1f µs |\n",
                      r->msg_size, r->fsync_commit.p50_us, r->fsync_commit.p99_us);
    bench_text_printf(t,
                      "| LMDB batched puts, ascending 32-byte keys, %zu-byte values, %zu puts per fsync'd commit "
                      "(the best run's average batch) | %.0f puts/s, %.0f commits/s, commit p50 %.0f µs |\n",
                      r->msg_size, r->lmdb_batch, r->lmdb_seq.puts_s, r->lmdb_seq.commits_s, r->lmdb_seq.commit.p50_us);
    bench_text_printf(t,
                      "| LMDB batched puts, random 32-byte keys (like request ids), same sizes | %.0f puts/s, %.0f "
                      "commits/s, commit p50 %.0f µs |\n",
                      r->lmdb_rand.puts_s, r->lmdb_rand.commits_s, r->lmdb_rand.commit.p50_us);
    for (size_t i = 0; i < r->postgres.n; i++)
        bench_text_printf(t,
                          "| PostgreSQL %s (Debian's defaults: fsync and synchronous_commit on; a temporary cluster "
                          "on a local socket), the same product record with a generated primary key and indexes by "
                          "producer and commune, one committed insert per transaction, pgbench with %d client%s | "
                          "%.0f inserts/s |\n",
                          r->postgres.version, r->postgres.clients[i], r->postgres.clients[i] > 1 ? "s" : "",
                          r->postgres.per_second[i]);
    bench_text_printf(t,
                      "\nSequential bound: echo p50 + fsync'd commit p50 = %.1f µs; the sequential client's p50 "
                      "is %.1f µs.\n\n%s\n",
                      q.seq_bound, r->seq.drive.latency.p50_us, BENCH_MARK_END);
}
