/* bench_audit — the audit service's transparency log: appends per second through the
 * service's own append path, inclusion and consistency proof latency, and offline
 * verification by the real ocop-audit-verify. Prints the figures and rewrites its section of
 * docs/BENCHMARKS.md.
 *
 *   bench_audit [--quick] [--no-write] [--out FILE] [--events N] [--samples N] [--keep]
 *
 * In one process: a store opened as ocop-audit opens it (config, keys, LMDB fsync'd on every
 * commit, aud_state_open), then N packed registration events handed to aud_intake_apply and
 * aud_intake_batch_end in write transactions of B events, as ocop_subscriber does, for
 * several B on fresh stores. The store of B = 1000 (the largest batch the subscriber commits)
 * is then asked for random proofs, exported in the AudExportRecord format and checked by
 * ocop-audit-verify, a child process pinned to one CPU, from the export and from the store. */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench_audit.h"
#include "ocop_log.h"

#ifndef BENCH_VERIFY_BIN
#define BENCH_VERIFY_BIN "ocop-audit-verify"
#endif
#ifndef BENCH_DOCS_FILE
#define BENCH_DOCS_FILE "docs/BENCHMARKS.md"
#endif
#ifndef BENCH_BUILD_TYPE
#define BENCH_BUILD_TYPE "unknown"
#endif

#define S_EVENTS_FULL 1000000
#define S_EVENTS_QUICK 100000
#define S_SAMPLES_FULL 100000
#define S_SAMPLES_QUICK 20000

/* The append runs, each on a fresh store: batch sizes over scrambled products, the main one
 * among them, then the main batch over products in id order (a control for the indexes). */
static const struct {
    size_t batch;
    int ordered;
} s_runs[] = {{100, 0}, {BENCH_AUDIT_MAIN_BATCH, 0}, {4096, 0}, {BENCH_AUDIT_MAIN_BATCH, 1}};
#define S_RUNS (sizeof s_runs / sizeof s_runs[0])
_Static_assert(S_RUNS <= BENCH_AUDIT_APPENDS_MAX, "bench_audit_results_t holds every append run");

typedef struct {
    int quick, write, keep;
    const char *out;
    size_t events, samples;
} s_args_t;

static void s_usage(FILE *f)
{
    fprintf(f,
            "usage: bench_audit [--quick] [--no-write] [--out FILE] [--events N] [--samples N] [--keep]\n"
            "  --quick      %d events instead of %d, %d proofs of each kind instead of %d\n"
            "               (verification times are then also given scaled to %.0f entries)\n"
            "  --no-write   print only; leave %s alone\n"
            "  --out FILE   the Markdown file to update (default %s)\n"
            "  --events N   entries of each store\n"
            "  --samples N  proofs of each kind timed\n"
            "  --keep       leave the scratch directory (main store, keys, export) for profiling\n"
            "Appends through the audit service's intake in-process, in fsync'd commits of %zu, %zu and %zu\n"
            "events (and %zu with the products in id order); then proofs, an export and %s on one CPU.\n",
            S_EVENTS_QUICK, S_EVENTS_FULL, S_SAMPLES_QUICK, S_SAMPLES_FULL, BENCH_AUDIT_AIM_VERIFY_ENTRIES,
            BENCH_DOCS_FILE, BENCH_DOCS_FILE, s_runs[0].batch, s_runs[1].batch, s_runs[2].batch, s_runs[3].batch,
            BENCH_VERIFY_BIN);
}

static int s_parse(int argc, char **argv, s_args_t *a)
{
    *a = (s_args_t){.write = 1, .out = BENCH_DOCS_FILE};
    for (int i = 1; i < argc; i++) {
        const char *s = argv[i];
        if (bench_parse_shared(argc, argv, &i, &a->quick, &a->write, &a->out, s_usage))
            continue;
        if (strcmp(s, "--keep") == 0)
            a->keep = 1;
        else if (strcmp(s, "--events") == 0 && i + 1 < argc &&
                 bench_parse_count(argv[i + 1], 100000000, &a->events) == 0)
            i++;
        else if (strcmp(s, "--samples") == 0 && i + 1 < argc &&
                 bench_parse_count(argv[i + 1], 10000000, &a->samples) == 0)
            i++;
        else {
            s_usage(stderr);
            return -1;
        }
    }
    if (!a->events)
        a->events = a->quick ? S_EVENTS_QUICK : S_EVENTS_FULL;
    if (a->events < 2) {
        fprintf(stderr, "bench_audit: --events must be at least 2\n");
        return -1;
    }
    if (!a->samples)
        a->samples = a->quick ? S_SAMPLES_QUICK : S_SAMPLES_FULL;
    return 0;
}

static void s_print_append(const bench_audit_append_t *ap)
{
    printf("  batch %5zu%s: %8.0f events/s (%zu events in %.2f s, %zu commits, commit p50 %.0f us%s)\n", ap->batch,
           ap->ordered ? ", ids in order" : "", ap->per_second, ap->events, ap->seconds, ap->commits, ap->commit.p50_us,
           ap->grew ? ", the map grew: a batch ran again" : "");
}

static int s_events(bench_audit_events_t *ev, size_t n, int ordered)
{
    if (bench_audit_events_make(ev, n, ordered) == 0)
        return 0;
    fprintf(stderr, "bench_audit: out of memory building %zu events\n", n);
    return -1;
}

/* The append runs; the main store stays open in *main_log. */
static int s_appends(const char *scratch, size_t n, bench_audit_log_t *main_log, bench_audit_results_t *r)
{
    bench_audit_events_t ev;
    if (s_events(&ev, n, 0) != 0)
        return -1;
    r->events = ev.n;
    r->products = ev.products;
    r->event_bytes = (double)ev.offset[ev.n] / (double)ev.n;
    printf("%zu events (RegProductStageChanged of %zu products, %.0f bytes packed on average)\nappends:\n", ev.n,
           ev.products, r->event_bytes);
    int rc = 0;
    for (size_t i = 0; i < S_RUNS && rc == 0; i++) {
        int is_main = s_runs[i].batch == BENCH_AUDIT_MAIN_BATCH && !s_runs[i].ordered;
        bench_audit_log_t other, *log = is_main ? main_log : &other;
        bench_audit_append_t *ap = &r->append[r->n_append];
        char tag[32];
        snprintf(tag, sizeof tag, "batch-%zu%s", s_runs[i].batch, s_runs[i].ordered ? "-ordered" : "");
        if (s_runs[i].ordered && (i == 0 || !s_runs[i - 1].ordered)) {
            bench_audit_events_free(&ev);
            rc = s_events(&ev, n, 1);
        }
        if (rc == 0 &&
            (bench_audit_log_open(log, scratch, tag) != 0 || bench_audit_append(log, &ev, s_runs[i].batch, ap) != 0)) {
            bench_audit_log_close(log);
            rc = -1;
        }
        if (rc != 0)
            break;
        ap->ordered = s_runs[i].ordered;
        s_print_append(ap);
        if (is_main) {
            r->main_append = r->n_append;
        } else {
            bench_audit_log_close(log);
            test_rmtree(log->dir);
        }
        r->n_append++;
    }
    bench_audit_events_free(&ev);
    return rc;
}

static int s_verify_all(const bench_audit_log_t *log, const char *export_path, bench_audit_results_t *r)
{
    const char *inputs[][2] = {{"--export", export_path}, {"--store", log->store_dir}};
    for (size_t m = 0; m < 2; m++)
        for (int cold = 1; cold >= 0; cold--) {
            if (bench_audit_verify_run(BENCH_VERIFY_BIN, log->key_pub, inputs[m][0], inputs[m][1], cold, r->events,
                                       r) != 0)
                return -1;
            const bench_audit_verify_t *v = &r->verify[r->n_verify - 1];
            printf("  ocop-audit-verify %-8s %-4s: %.2f s wall, %.2f s CPU (%.0f%% of the input cached at start)\n",
                   v->mode, v->cold ? "cold" : "warm", v->wall_s, v->cpu_s, 100 * v->resident);
        }
    return 0;
}

/* The main store's state closed and opened again as ocop-audit restarts it: the time until the
 * service can answer, then the product index's rebuild. */
static int s_restart(bench_audit_log_t *log, bench_audit_results_t *r)
{
    char err[512] = "";
    aud_state_close(&log->state);
    int64_t t0 = bench_now_ns();
    int rc = aud_state_open(&log->state, log->store, log->config, &log->sc, err, sizeof err);
    int64_t t1 = bench_now_ns();
    if (rc == 0)
        rc = aud_state_rebuild_products(&log->state, err, sizeof err);
    int64_t t2 = bench_now_ns();
    if (rc != 0) {
        fprintf(stderr, "bench_audit: restart: %s\n", err);
        log->state_open = 0;
        return -1;
    }
    r->reopen_s = (double)(t1 - t0) / 1e9;
    r->rebuild_s = (double)(t2 - t1) / 1e9;
    printf("restart: state opened in %.3f s (the service answers), product index rebuilt in %.2f s\n", r->reopen_s,
           r->rebuild_s);
    return 0;
}

static int s_run(const s_args_t *a, const char *scratch, bench_audit_results_t *r)
{
    bench_audit_log_t log;
    memset(&log, 0, sizeof log);
    int rc = s_appends(scratch, a->events, &log, r);
    if (rc == 0)
        rc = bench_audit_store_stats(&log, r);
    if (rc == 0)
        rc = s_restart(&log, r);
    if (rc == 0) {
        printf("store: %.1f MiB in use (%.0f bytes per event), %llu signed heads\nproofs:\n",
               (double)r->store_used / 1048576.0, (double)r->store_used / (double)r->events,
               (unsigned long long)r->heads);
        rc = bench_audit_proofs(&log, a->samples, r);
    }
    char export_path[1100];
    snprintf(export_path, sizeof export_path, "%s/audit.export", scratch);
    if (rc == 0) {
        printf("  inclusion p50 %.1f us, p99 %.1f us; consistency p50 %.1f us, p99 %.1f us\n", r->inclusion.p50_us,
               r->inclusion.p99_us, r->consistency.p50_us, r->consistency.p99_us);
        rc = bench_audit_export(&log, export_path, r);
    }
    /* The verifier reads the store with a lock-free read-only environment: this process's
     * environment is closed first. */
    bench_audit_log_close(&log);
    if (rc == 0) {
        printf("export: %.1f MiB in %.2f s\nverification:\n", (double)r->export_bytes / 1048576.0, r->export_s);
        rc = s_verify_all(&log, export_path, r);
    }
    return rc;
}

int main(int argc, char **argv)
{
    s_args_t a;
    if (s_parse(argc, argv, &a) != 0)
        return 2;
    if (sodium_init() < 0)
        return 1;
    setenv("OCOP_LOG_LEVEL", "warn", 0);
    ocop_log_init("bench_audit");
    bench_audit_results_t *r = calloc(1, sizeof *r);
    char *scratch = bench_tmpdir_new("audit");
    if (!r || !scratch) {
        fprintf(stderr, "bench_audit: cannot create a scratch directory\n");
        free(r);
        free(scratch);
        return 1;
    }
    bench_context_init(&r->ctx, a.quick, BENCH_BUILD_TYPE);
    printf("bench_audit%s: verifier %s, scratch %s\n", a.quick ? " --quick" : "", BENCH_VERIFY_BIN, scratch);
    int rc = s_run(&a, scratch, r);
    if (a.keep)
        printf("kept %s\n", scratch);
    else
        test_rmtree(scratch);
    free(scratch);
    if (rc == 0) {
        bench_audit_report_print(r, stdout);
        if (a.write) {
            bench_text_t md = {0};
            bench_audit_report_markdown(r, &md);
            rc = bench_docs_write(a.out, BENCH_AUDIT_MARK_BEGIN, BENCH_AUDIT_MARK_END, "audit", &md);
        }
    } else {
        fprintf(stderr, "bench_audit: FAILED (nothing written)\n");
    }
    free(r);
    return rc == 0 ? 0 : 1;
}
