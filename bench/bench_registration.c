/* bench_registration — durable product registrations per second (pipelined clients) and the
 * latency of one sequential client, against the raw limits measured in the same run: a ZeroMQ
 * CURVE echo of the same message size over the same transport, LMDB batched puts, and one
 * fsync'd LMDB commit; and beside them PostgreSQL inserting the same record durably (1 and 16
 * clients, bench/bench_postgres.sh). Prints a table and rewrites its section of docs/BENCHMARKS.md.
 *
 *   bench_registration [--quick] [--no-write] [--out FILE] [--service BIN] [--rules DIR]
 *                      [--wrap "CMD ARGS"] [--keep]
 */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zmq.h>

#include "bench_driver.h"
#include "bench_raw.h"
#include "bench_report.h"
#include "bench_service.h"
#include "bench_util.h"
#include "bench_workload.h"

#ifndef BENCH_SERVICE_BIN
#define BENCH_SERVICE_BIN "ocop-registration"
#endif
#ifndef BENCH_RULES_DIR
#define BENCH_RULES_DIR "services/registration/data"
#endif
#ifndef BENCH_POSTGRES_SCRIPT
#define BENCH_POSTGRES_SCRIPT "bench/bench_postgres.sh"
#endif
#ifndef BENCH_DOCS_FILE
#define BENCH_DOCS_FILE "docs/BENCHMARKS.md"
#endif

#define S_CLIENTS 4
#define S_WINDOW 1000

typedef struct {
    int quick, write, keep;
    const char *service, *rules, *out, *wrap;
    int start_timeout_ms;
} s_args_t;

typedef struct {
    size_t entities, seq, seq_warmup, echo_seq, echo_pipe, fsync_commits;
    double pipe_seconds, lmdb_seconds;
} s_sizes_t;

/* What the request makers and reply callbacks share. */
typedef struct {
    const bench_workload_t *workload;
    bench_scratch_t scratch;
    Ocop__RegEntityRegister entity;
    Ocop__RegProductRegister product;
    char **entity_ids;          /* by entity request number; NULL where registration failed */
    const char **pool;          /* the registered ones, compacted */
    const char **pool_communes; /* their communes */
    size_t n_pool;
    uint64_t product_base; /* products of earlier runs, so no two requests repeat */
    unsigned long long flagged;
    unsigned long long reply_bytes; /* packed size of every product reply */
} s_bench_t;

static void s_usage(FILE *f)
{
    fprintf(f,
            "usage: bench_registration [--quick] [--no-write] [--out FILE] [--service BIN] [--rules DIR]\n"
            "                          [--wrap \"CMD ARGS\"] [--keep]\n"
            "  --quick     about 10 s instead of about 30 s\n"
            "  --no-write  print only; leave %s alone\n"
            "  --out FILE  the Markdown file to update (default %s)\n"
            "  --service   the ocop-registration binary (default %s)\n"
            "  --rules     the rules directory (default %s)\n"
            "  --wrap      run the service under a command, e.g. \"valgrind --tool=callgrind\"\n"
            "  --keep      keep the temporary directory (store, config, service log)\n",
            BENCH_DOCS_FILE, BENCH_DOCS_FILE, BENCH_SERVICE_BIN, BENCH_RULES_DIR);
}

static int s_parse(int argc, char **argv, s_args_t *a)
{
    *a = (s_args_t){.write = 1,
                    .service = BENCH_SERVICE_BIN,
                    .rules = BENCH_RULES_DIR,
                    .out = BENCH_DOCS_FILE,
                    .start_timeout_ms = 30000};
    for (int i = 1; i < argc; i++) {
        const char *s = argv[i];
        if (bench_parse_shared(argc, argv, &i, &a->quick, &a->write, &a->out, s_usage))
            continue;
        if (strcmp(s, "--keep") == 0)
            a->keep = 1;
        else if (strcmp(s, "--service") == 0 && i + 1 < argc)
            a->service = argv[++i];
        else if (strcmp(s, "--rules") == 0 && i + 1 < argc)
            a->rules = argv[++i];
        else if (strcmp(s, "--wrap") == 0 && i + 1 < argc) {
            a->wrap = argv[++i];
            a->start_timeout_ms = 300000; /* seeding the units under valgrind takes a while */
        } else {
            s_usage(stderr);
            return -1;
        }
    }
    return 0;
}

/* ---------------------------------------------------------------- requests */

static void s_make_entity(void *user, uint64_t seq, Ocop__Request *req)
{
    s_bench_t *b = user;
    bench_workload_entity(b->workload, seq, &b->entity, &b->scratch);
    req->body_case = OCOP__REQUEST__BODY_REG_ENTITY_REGISTER;
    req->reg_entity_register = &b->entity;
}

static void s_entity_reply(void *user, uint64_t seq, const Ocop__Reply *reply)
{
    s_bench_t *b = user;
    if (reply->status == OCOP__STATUS__STATUS_OK && reply->body_case == OCOP__REPLY__BODY_REG_ENTITY)
        b->entity_ids[seq] = strdup(reply->reg_entity->id);
    else
        fprintf(stderr, "bench: entity %llu: status %d field %s: %s\n", (unsigned long long)seq, (int)reply->status,
                reply->field, reply->message);
}

static void s_make_product(void *user, uint64_t seq, Ocop__Request *req)
{
    s_bench_t *b = user;
    bench_workload_product(b->workload, b->product_base + seq, b->pool, b->pool_communes, b->n_pool, &b->product,
                           &b->scratch);
    req->body_case = OCOP__REQUEST__BODY_REG_PRODUCT_REGISTER;
    req->reg_product_register = &b->product;
}

static void s_product_reply(void *user, uint64_t seq, const Ocop__Reply *reply)
{
    s_bench_t *b = user;
    b->reply_bytes += ocop__reply__get_packed_size(reply);
    if (reply->status == OCOP__STATUS__STATUS_OK && reply->body_case == OCOP__REPLY__BODY_REG_PRODUCT_DETAIL) {
        if (reply->reg_product_detail->product && reply->reg_product_detail->product->n_flags)
            b->flagged++;
    } else {
        static int shown;
        if (shown++ < 5)
            fprintf(stderr, "bench: product %llu: status %d field %s: %s\n",
                    (unsigned long long)(b->product_base + seq), (int)reply->status, reply->field, reply->message);
    }
}

/* Mean packed size of the product requests as the driver sends them (32-character id, caller). */
static size_t s_request_size(s_bench_t *b)
{
    size_t total = 0, n = 1000;
    for (size_t i = 0; i < n; i++) {
        Ocop__Request req = OCOP__REQUEST__INIT;
        s_make_product(b, i, &req);
        req.request_id = "0123456789abcdef0123456789abcdef";
        req.caller = "bench";
        total += ocop__request__get_packed_size(&req);
    }
    return (total + n / 2) / n;
}

/* ---------------------------------------------------------------- runs */

static int s_drive(ocop_client_t **clients, size_t n_clients, size_t window, uint64_t max, double seconds, uint32_t tag,
                   bench_make_fn make, bench_reply_fn on_reply, s_bench_t *b, bench_drive_result_t *out)
{
    bench_drive_options_t o = {.clients = clients,
                               .n_clients = n_clients,
                               .window = window,
                               .max_requests = max,
                               .max_seconds = seconds,
                               .tag = tag,
                               .make = make,
                               .on_reply = on_reply,
                               .user = b};
    int rc = bench_drive(&o, out);
    if (make == s_make_product)
        b->product_base += out->sent;
    return rc;
}

static int s_register_entities(ocop_client_t **clients, size_t n, s_bench_t *b, bench_results_t *r)
{
    b->entity_ids = calloc(n, sizeof *b->entity_ids);
    b->pool = calloc(n, sizeof *b->pool);
    b->pool_communes = calloc(n, sizeof *b->pool_communes);
    if (!b->entity_ids || !b->pool || !b->pool_communes)
        return -1;
    if (s_drive(clients, 1, 500, n, 600, 0xe0, s_make_entity, s_entity_reply, b, &r->entity_run) != 0)
        return -1;
    for (size_t i = 0; i < n; i++)
        if (b->entity_ids[i]) {
            b->pool_communes[b->n_pool] = bench_workload_entity_commune(b->workload, i);
            b->pool[b->n_pool++] = b->entity_ids[i];
        }
    r->entities = b->n_pool;
    printf("  entities: %zu registered in %.2f s (%.0f/s)\n", b->n_pool, r->entity_run.seconds,
           r->entity_run.per_second);
    return b->n_pool ? 0 : -1;
}

/* One measured run of product registrations, with the service's counters, CPU time and writes
 * around it. */
static int s_run(bench_service_t *svc, ocop_client_t **clients, size_t n_clients, size_t window, uint64_t max,
                 double seconds, uint32_t tag, s_bench_t *b, bench_run_t *run)
{
    memset(run, 0, sizeof *run);
    run->clients = n_clients;
    run->window = window;
    bench_service_counters_t c0, c1;
    if (bench_service_counters(svc, &c0) != 0)
        return -1;
    uint64_t wchar0, syscw0, wchar1, syscw1;
    bench_process_io(svc->pid, &wchar0, &syscw0);
    int64_t cpu0 = bench_process_cpu_ns(svc->pid), self0 = bench_process_cpu_ns(getpid());
    unsigned long long flagged0 = b->flagged, reply0 = b->reply_bytes;
    int rc = s_drive(clients, n_clients, window, max, seconds, tag, s_make_product, s_product_reply, b, &run->drive);
    int64_t cpu1 = bench_process_cpu_ns(svc->pid), self1 = bench_process_cpu_ns(getpid());
    bench_process_io(svc->pid, &wchar1, &syscw1);
    if (rc != 0 || bench_service_counters(svc, &c1) != 0)
        return -1;
    /* Each Ping is a batch of its own: the first is counted in c0's requests only, the second
     * in c1's requests but not yet in its batches. */
    uint64_t batches = c1.batches - c0.batches - 1;
    run->avg_batch = batches ? (double)(c1.requests - c0.requests - 1) / (double)batches : 0;
    run->flagged = b->flagged - flagged0;
    double n = (double)run->drive.completed;
    if (n > 0) {
        run->reply_bytes = (double)(b->reply_bytes - reply0) / n;
        run->write_kib = (double)(wchar1 - wchar0) / 1024.0 / n;
        run->write_calls = (double)(syscw1 - syscw0) / n;
    }
    if (n > 0 && cpu0 >= 0 && cpu1 >= 0) {
        run->service_cpu_us = (double)(cpu1 - cpu0) / 1000.0 / n;
        run->service_cpu_util = (double)(cpu1 - cpu0) / 1e9 / run->drive.seconds;
        run->bench_cpu_util = (double)(self1 - self0) / 1e9 / run->drive.seconds;
    }
    printf("  %s %zu x %zu: %.0f registrations/s (%llu in %.2f s), p50 %.1f us, p99 %.1f us, avg batch %.0f, "
           "service CPU %.0f%% (%.1f us/registration), bench CPU %.0f%%, %.1f KiB and %.1f writes/registration\n",
           window == 1 ? "sequential" : "pipelined", n_clients, window, run->drive.per_second,
           (unsigned long long)run->drive.completed, run->drive.seconds, run->drive.latency.p50_us,
           run->drive.latency.p99_us, run->avg_batch, 100 * run->service_cpu_util, run->service_cpu_us,
           100 * run->bench_cpu_util, run->write_kib, run->write_calls);
    return 0;
}

/* The raw limits that do not depend on the service's behaviour: echo and one fsync'd commit. */
static int s_raw_fixed(const char *tmp, const s_sizes_t *z, bench_results_t *r)
{
    char dir[1100];
    snprintf(dir, sizeof dir, "%s/lmdb-fsync", tmp);
    if (bench_lmdb_fsync_commit(dir, r->msg_size, z->fsync_commits, &r->fsync_commit) != 0)
        return -1;
    printf("  LMDB fsync'd commit: p50 %.1f us, p99 %.1f us\n", r->fsync_commit.p50_us, r->fsync_commit.p99_us);
    r->echo_opts = (bench_echo_options_t){
        .msg_size = r->msg_size, .seq_count = z->echo_seq, .pipe_count = z->echo_pipe, .window = S_WINDOW};
    if (bench_echo_run(&r->echo_opts, &r->echo) != 0)
        return -1;
    printf("  ZeroMQ echo: p50 %.1f us, p99 %.1f us; pipelined %.0f msgs/s\n", r->echo.seq.p50_us, r->echo.seq.p99_us,
           r->echo.pipe_msgs_s);
    return 0;
}

/* The alternative a ministry would pick, the same record inserted durably, 1 and 16 clients. */
static int s_postgres(const s_sizes_t *z, bench_results_t *r)
{
    const int clients[] = {1, BENCH_POSTGRES_CLIENTS};
    if (bench_postgres_run(BENCH_POSTGRES_SCRIPT, z->pipe_seconds, clients, 2, &r->postgres) != 0) {
        fprintf(stderr, "bench: the PostgreSQL runs failed\n");
        return -1;
    }
    if (r->postgres.unavailable[0])
        printf("  PostgreSQL: not measured (%s)\n", r->postgres.unavailable);
    for (size_t i = 0; i < r->postgres.n; i++)
        printf("  PostgreSQL %s, %d client(s): %.0f inserts/s\n", r->postgres.version, r->postgres.clients[i],
               r->postgres.per_second[i]);
    return 0;
}

/* LMDB batched puts with the batch size the service reached in its best run. */
static int s_raw_batched(const char *tmp, const s_sizes_t *z, bench_results_t *r)
{
    char seq_dir[1100], rand_dir[1100];
    snprintf(seq_dir, sizeof seq_dir, "%s/lmdb-ascending", tmp);
    snprintf(rand_dir, sizeof rand_dir, "%s/lmdb-random", tmp);
    double batch = r->n_pipe ? r->pipe[r->best_pipe].avg_batch : 1;
    r->lmdb_batch = batch >= 1 ? (size_t)(batch + 0.5) : 1;
    if (bench_lmdb_batched(seq_dir, r->msg_size, r->lmdb_batch, 0, z->lmdb_seconds, &r->lmdb_seq) != 0 ||
        bench_lmdb_batched(rand_dir, r->msg_size, r->lmdb_batch, 1, z->lmdb_seconds, &r->lmdb_rand) != 0)
        return -1;
    printf("  LMDB batched puts (batch %zu): ascending keys %.0f puts/s, random keys %.0f puts/s\n", r->lmdb_batch,
           r->lmdb_seq.puts_s, r->lmdb_rand.puts_s);
    return 0;
}

static int s_service_runs(bench_service_t *svc, ocop_client_t **clients, const s_sizes_t *z, s_bench_t *b,
                          bench_results_t *r)
{
    bench_drive_result_t warm;
    if (s_drive(clients, 1, 1, z->seq_warmup, 600, 0x50, s_make_product, s_product_reply, b, &warm) != 0 ||
        s_run(svc, clients, 1, 1, z->seq, 600, 0x51, b, &r->seq) != 0)
        return -1;
    const size_t runs[] = {1, S_CLIENTS};
    for (size_t i = 0; i < sizeof runs / sizeof runs[0]; i++) {
        bench_run_t *p = &r->pipe[r->n_pipe];
        /* Room for far more than the aim: the driver keeps two timestamps per request. */
        uint64_t max = (uint64_t)(z->pipe_seconds * 400000.0) + 10000;
        if (s_run(svc, clients, runs[i], S_WINDOW, max, z->pipe_seconds, 0x60 + (uint32_t)i, b, p) != 0)
            return -1;
        if (p->drive.per_second > r->pipe[r->best_pipe].drive.per_second)
            r->best_pipe = r->n_pipe;
        r->n_pipe++;
    }
    return 0;
}

static void s_context(const s_args_t *a, const bench_workload_t *w, bench_results_t *r)
{
    bench_utc_now(r->date, sizeof r->date);
    bench_cpu_model(r->cpu, sizeof r->cpu);
    r->cores = bench_cpu_count();
    r->quick = a->quick;
    r->communes = bench_workload_commune_count(w);
    r->product_sets = bench_workload_set_count(w);
    snprintf(r->unit_version, sizeof r->unit_version, "%s", bench_workload_unit_version(w));
    snprintf(r->catalogue_version, sizeof r->catalogue_version, "%s", bench_workload_catalogue_version(w));
}

static int s_write_docs(const char *path, const bench_results_t *r)
{
    bench_text_t md = {0};
    bench_report_markdown(r, &md);
    return bench_docs_write(path, BENCH_MARK_BEGIN, BENCH_MARK_END, "registration", &md);
}

int main(int argc, char **argv)
{
    s_args_t a;
    if (s_parse(argc, argv, &a) != 0)
        return 2;
    if (sodium_init() < 0)
        return 1;
    s_sizes_t z = a.quick ? (s_sizes_t){.entities = 300,
                                        .seq = 300,
                                        .seq_warmup = 50,
                                        .echo_seq = 500,
                                        .echo_pipe = 50000,
                                        .fsync_commits = 60,
                                        .pipe_seconds = 2,
                                        .lmdb_seconds = 1}
                          : (s_sizes_t){.entities = 2000,
                                        .seq = 2000,
                                        .seq_warmup = 200,
                                        .echo_seq = 2000,
                                        .echo_pipe = 200000,
                                        .fsync_commits = 300,
                                        .pipe_seconds = 10,
                                        .lmdb_seconds = 4};
    char err[512];
    s_bench_t b;
    memset(&b, 0, sizeof b);
    bench_workload_t *w = bench_workload_new(a.rules, err, sizeof err);
    if (!w) {
        fprintf(stderr, "bench: %s\n", err);
        return 1;
    }
    b.workload = w;
    bench_results_t *r = calloc(1, sizeof *r);
    char *tmp = bench_tmpdir_new("registration");
    void *zctx = zmq_ctx_new();
    ocop_client_t *clients[S_CLIENTS] = {0};
    bench_service_t svc;
    memset(&svc, 0, sizeof svc);
    int rc = 1, started = 0;
    if (!r || !tmp || !zctx)
        goto done;
    s_context(&a, w, r);
    printf("bench_registration%s: service %s, rules %s, scratch %s\n", a.quick ? " --quick" : "", a.service, a.rules,
           tmp);
    bench_service_options_t so = {
        .binary = a.service, .rules_dir = a.rules, .dir = tmp, .wrap = a.wrap, .start_timeout_ms = a.start_timeout_ms};
    if (bench_service_start(&svc, zctx, &so) != 0)
        goto done;
    started = 1;
    for (size_t i = 0; i < S_CLIENTS; i++)
        if (!(clients[i] = ocop_client_new(zctx, svc.endpoint, svc.server_public, &svc.client_keys, "bench")))
            goto done;
    if (s_register_entities(clients, z.entities, &b, r) != 0)
        goto done;
    r->msg_size = s_request_size(&b);
    if (s_raw_fixed(tmp, &z, r) != 0 || s_service_runs(&svc, clients, &z, &b, r) != 0 ||
        s_raw_batched(tmp, &z, r) != 0 || s_postgres(&z, r) != 0)
        goto done;
    rc = 0;
done:
    for (size_t i = 0; i < S_CLIENTS; i++)
        ocop_client_destroy(&clients[i]);
    if (started && bench_service_stop(&svc, 15000) != 0) {
        fprintf(stderr, "bench: the service did not stop cleanly (log: %s)\n", svc.log_path);
        rc = 1;
    }
    if (rc == 0) {
        bench_report_print(r, stdout);
        if (a.write && s_write_docs(a.out, r) != 0)
            rc = 1;
    }
    if (zctx)
        zmq_ctx_term(zctx);
    if (tmp && !a.keep)
        test_rmtree(tmp);
    else if (tmp)
        printf("kept %s\n", tmp);
    for (size_t i = 0; b.entity_ids && i < z.entities; i++)
        free(b.entity_ids[i]);
    free(b.entity_ids);
    free(b.pool);
    free(b.pool_communes);
    free(tmp);
    free(r);
    bench_workload_destroy(&w);
    return rc;
}
