/* bench_eval_report — see bench_eval_report.h. */
#include "bench_eval_report.h"

static const bench_eval_run_t *s_median(const bench_eval_runs_t *runs)
{
    return &runs->pass[runs->median];
}

static double s_close_products_s(const bench_eval_results_t *r)
{
    return r->close.p50_us > 0 ? (double)r->close_products / (r->close.p50_us / 1e6) : 0;
}

static unsigned long long s_grew(const bench_eval_runs_t *runs)
{
    unsigned long long grew = 0;
    for (size_t i = 0; i < runs->n; i++)
        grew += runs->pass[i].grew;
    return grew;
}

static void s_print_runs(const char *name, const bench_eval_runs_t *runs, size_t window, FILE *out)
{
    for (size_t i = 0; i < runs->n; i++) {
        const bench_eval_run_t *run = &runs->pass[i];
        char label[48];
        snprintf(label, sizeof label, "%s, pass %zu%s", name, i + 1, i == runs->median ? " *" : "");
        fprintf(out, "  %-22s %9.0f %7zu %8.3f %5zu x %zu %6.0f %6llu %8.1f %6.0f%% %6.0f%% %5zu %5llu\n", label,
                run->per_second, run->sheets, run->seconds, run->shards * run->clients, window, run->avg_batch,
                (unsigned long long)run->batch_max, run->shard_cpu_us, 100 * run->shard_cpu_util,
                100 * run->bench_cpu_util, run->errors, run->grew >> 20);
    }
}

void bench_eval_report_print(const bench_eval_results_t *r, FILE *out)
{
    double one = s_median(&r->one)->per_second, aim = one / BENCH_EVAL_AIM_PER_SECOND;
    fprintf(out, "\nOCOP evaluation benchmark%s — %s\n", r->ctx.quick ? " (--quick)" : "", r->ctx.date);
    fprintf(out,
            "CPU: %s, %d cores, %s build. Policy %s, rubric %s (%zu scored criteria), sheet request %zu bytes "
            "packed; councils of 5, all present.\n\n",
            r->ctx.cpu, r->ctx.cores, r->ctx.build_type, r->policy, r->rubric, r->criteria, r->sheet_bytes);
    fprintf(out, "Score sheets (every receipt sent after its batch was fsync'd; * = median pass)\n");
    fprintf(out, "  %-22s %9s %7s %8s %9s %6s %6s %8s %7s %7s %5s %5s\n", "run", "sheets/s", "sheets", "seconds",
            "DEALERs", "batch", "max", "cpu/sht", "shards", "bench", "errs", "grew");
    s_print_runs("1 shard", &r->one, r->window, out);
    s_print_runs("4 shards", &r->four, r->window, out);
    fprintf(out, "  (batch: requests per committed batch; max: largest batch of a shard since it started; cpu/sht:\n"
                 "   shards' CPU us per sheet; shards, bench: CPU time / wall time of the shards and of this process;\n"
                 "   grew: MiB the shards' LMDB maps grew by during the pass, which reruns a batch)\n");
    fprintf(out, "\nSessions of the one-shard run (%zu products each)\n", r->close_products);
    fprintf(out, "  EvalSessionClose: median %.1f ms, min %.1f ms, max %.1f ms over %zu sessions (%.0f products/s)\n",
            r->close.p50_us / 1000, r->close.min_us / 1000, r->close.max_us / 1000, r->closes, s_close_products_s(r));
    fprintf(out, "  EvalSessionOpen:  median %.1f ms, max %.1f ms\n", r->open.p50_us / 1000, r->open.max_us / 1000);
    fprintf(out, "  results: %llu x 3★, %llu x 4★, %llu without stars; %llu proposed to the central council\n",
            r->close_stars[3], r->close_stars[4], r->close_stars[0], r->close_forwarded);
    fprintf(out, "\n  1 shard (median pass) / aim of %.0f sheets/s: %6.3f  (%s)\n", BENCH_EVAL_AIM_PER_SECOND, aim,
            aim >= 1 ? "met" : "NOT met");
    fprintf(out,
            "  4 shards / 1 shard (median passes):          %6.3f  (%d cores for 4 shards, registration and "
            "the clients)\n",
            r->ratio, r->ctx.cores);
}

static void s_md_runs(const char *name, const bench_eval_runs_t *runs, size_t window, bench_text_t *t)
{
    const bench_eval_run_t *m = s_median(runs);
    bench_text_printf(t, "| %s | **%.0f** | ", name, m->per_second);
    for (size_t i = 0; i < runs->n; i++)
        bench_text_printf(t, "%s%.0f", i ? ", " : "", runs->pass[i].per_second);
    bench_text_printf(t, " | %zu | %.3f | %zu × %zu | %zu × %zu | %.0f | %llu | %.1f | %.0f%% | %.0f%% | %zu |\n",
                      m->sheets, m->seconds, m->sessions, m->per_session, m->shards * m->clients, window, m->avg_batch,
                      (unsigned long long)m->batch_max, m->shard_cpu_us, 100 * m->shard_cpu_util,
                      100 * m->bench_cpu_util, m->errors);
}

void bench_eval_report_markdown(const bench_eval_results_t *r, bench_text_t *t)
{
    double one = s_median(&r->one)->per_second, aim = one / BENCH_EVAL_AIM_PER_SECOND;
    bench_text_printf(t, "%s\n## Evaluation: durable score sheets and closing a session\n\n", BENCH_EVAL_MARK_BEGIN);
    bench_text_printf(t, "One run of `bench_evaluation%s` on %s: %s, %d cores, %s build.\n\n",
                      r->ctx.quick ? " --quick" : "", r->ctx.date, r->ctx.cpu, r->ctx.cores, r->ctx.build_type);
    if (r->ctx.quick)
        bench_text_printf(t, "A `--quick` smoke run: its passes are too short for the figures to mean much.\n\n");
    bench_text_printf(
        t,
        "What it measures: the real `ocop-registration` and `ocop-evaluation` processes, started by the "
        "integration-test harness (CURVE on tcp://127.0.0.1, LMDB fsync'd on every commit, a reply only after its "
        "batch is committed). Products are registered and made ready for evaluation through registration, learnt "
        "by their shard from registration's events and attested by their commune (policy %s); a province council "
        "of 5 members, all present, opens sessions of %zu products and starts them. Every member then submits one "
        "sealed EvalSheetSubmit per product (rubric %s, %zu scored criteria, %zu bytes packed), all members "
        "giving a product the same total so that no product needs a second round. Sheets are sent by %zu DEALERs "
        "per shard, each keeping %zu requests outstanding, in %zu timed passes over fresh sessions; a pass's "
        "sheets/s is its OK receipts over the wall time from its first send to its last receipt, and the median "
        "pass is the figure. The four-shard run is a separate deployment whose shards own one province each (%s); "
        "each pass sends as many sheets as a one-shard pass, a quarter to each shard, all shards at once. Closing "
        "(one-shard deployment, after all its sheets): one EvalSessionClose computes every product's mean and "
        "stars, issues certificates, records ratings and the report, and publishes every sheet, all in one "
        "fsync'd transaction; it is timed as a client round trip.\n\n",
        r->policy, r->close_products, r->rubric, r->criteria, r->sheet_bytes, s_median(&r->one)->clients, r->window,
        r->one.n, r->provinces);
    bench_text_printf(t, "| measure | result |\n|---|---|\n");
    bench_text_printf(t, "| **sheets/s, one shard** (median pass) | **%.0f** — aim 50,000: %s (%.2f of it) |\n", one,
                      aim >= 1 ? "met" : "not met", aim);
    bench_text_printf(t,
                      "| **close a session of %zu products** | **%.0f ms** median (min %.0f, max %.0f over %zu "
                      "sessions), %.0f products/s |\n",
                      r->close_products, r->close.p50_us / 1000, r->close.min_us / 1000, r->close.max_us / 1000,
                      r->closes, s_close_products_s(r));
    bench_text_printf(t, "| **sheets/s, four shards at once** (aggregate, median pass) | **%.0f** |\n",
                      s_median(&r->four)->per_second);
    bench_text_printf(t, "| four shards / one shard | %.2f |\n", r->ratio);
    bench_text_printf(t, "| open a session of %zu products (EvalSessionOpen) | %.0f ms median |\n\n", r->close_products,
                      r->open.p50_us / 1000);
    bench_text_printf(t, "Median passes (the other columns are the median pass's):\n\n");
    bench_text_printf(t, "| run | sheets/s | every pass, sheets/s | sheets | seconds | sessions × products per shard "
                         "| DEALERs × outstanding | avg batch | max batch | shard CPU µs/sheet | shards' CPU | bench "
                         "CPU | errors |\n");
    bench_text_printf(t, "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
    s_md_runs("one shard", &r->one, r->window, t);
    s_md_runs("four shards at once", &r->four, r->window, t);
    bench_text_printf(t,
                      "\nCPU columns: CPU time over wall time (100%% = one core busy) of the shard processes and of "
                      "this benchmark's client threads; max batch is the largest batch of a shard since it started. "
                      "The closed sessions gave %llu × 3★, %llu × 4★ and %llu products without stars, and proposed "
                      "%llu to the central council (a province confers at most 4★).\n\n",
                      r->close_stars[3], r->close_stars[4], r->close_stars[0], r->close_forwarded);
    bench_text_printf(t,
                      "On this machine the four shards, registration and the client threads share %d cores, so the "
                      "four-shard figure shows what one host gives, not how shards on separate hosts would "
                      "scale.%s\n\n%s\n",
                      r->ctx.cores,
                      s_grew(&r->one) || s_grew(&r->four)
                          ? " A shard's LMDB map grew during a pass (the harness starts shards with a 64 MiB map), "
                            "which reruns a batch."
                          : "",
                      BENCH_EVAL_MARK_END);
}
