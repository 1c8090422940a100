/* bench_evaluation — durable score sheets per second against one evaluation shard and against
 * four at once, and the time to close a session of 1,000 products, on the real processes over
 * loopback (the integration-test harness starts them). Prints the figures and rewrites its
 * section of docs/BENCHMARKS.md.
 *
 *   bench_evaluation [--quick] [--no-write] [--out FILE] [--passes N] [--sessions N] [--clients N]
 *
 * Two deployments, one after the other, each with its own registration: one shard, then four
 * shards (one province each). In each, products are made ready through registration, attested,
 * and put in started sessions of a province council of 5 (all present). Then, in each of
 * `passes` timed passes, every member's sheet for every product of the pass's sessions is sent,
 * pipelined, by `clients` DEALERs per shard, all shards at once; a pass is timed from the first
 * send to the last receipt, and the median pass is the figure (the machine is noisy). Every
 * member gives a product the same total, so no product needs a second round. In the one-shard
 * deployment every session is then closed, one EvalSessionClose each, timed. */
#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bench_eval_report.h"
#include "bench_eval_setup.h"
#include "bench_service.h"
#include "bench_util.h"

#ifndef BENCH_BINARY_DIR
#define BENCH_BINARY_DIR "build"
#endif
#ifndef BENCH_SOURCE_DIR
#define BENCH_SOURCE_DIR "."
#endif
#ifndef BENCH_DOCS_FILE
#define BENCH_DOCS_FILE "docs/BENCHMARKS.md"
#endif
#ifndef BENCH_BUILD_TYPE
#define BENCH_BUILD_TYPE "unknown"
#endif

#define S_WINDOW 256 /* requests outstanding per DEALER */
#define S_CLIENTS_MAX 8
#define S_SHARDS_MANY 4
#define S_TOTALS 8

/* Totals of the products, in turn: 3★ and 4★ bands, and 93 (a 5★ band the province caps at 4★
 * and proposes to the central council). */
static const double s_totals[S_TOTALS] = {58, 64, 71, 76, 80, 84, 88, 93};
static const char *const s_members[BENCH_EVAL_MEMBERS] = {"m1", "m2", "m3", "m4", "m5"};

typedef struct {
    int quick, write;
    const char *out;
    size_t passes, sessions, per_session, clients;
} s_args_t;

static void s_usage(FILE *f)
{
    fprintf(f,
            "usage: bench_evaluation [--quick] [--no-write] [--out FILE] [--passes N] [--sessions N] [--clients N]\n"
            "  --quick       a smoke run: 1 pass of 1 session of 200 products\n"
            "                (default: 5 passes of 4 sessions of 1,000 products)\n"
            "  --no-write    print only; leave %s alone\n"
            "  --out FILE    the Markdown file to update (default %s)\n"
            "  --passes N    timed passes (at most %d); the median pass is reported\n"
            "  --sessions N  sessions per pass of the one-shard run (the four-shard run sends as many\n"
            "                sheets per pass, a quarter to each shard)\n"
            "  --clients N   DEALERs per shard, each with %d requests outstanding (default 2, at most %d)\n"
            "Needs the ocop-registration and ocop-evaluation binaries of OCOP_BINARY_DIR (default %s)\n"
            "and the rules of OCOP_SOURCE_DIR (default %s).\n",
            BENCH_DOCS_FILE, BENCH_DOCS_FILE, BENCH_EVAL_PASSES_MAX, S_WINDOW, S_CLIENTS_MAX, BENCH_BINARY_DIR,
            BENCH_SOURCE_DIR);
}

static int s_parse(int argc, char **argv, s_args_t *a)
{
    *a = (s_args_t){.write = 1, .out = BENCH_DOCS_FILE, .clients = 2};
    for (int i = 1; i < argc; i++) {
        const char *s = argv[i];
        if (bench_parse_shared(argc, argv, &i, &a->quick, &a->write, &a->out, s_usage))
            continue;
        if (strcmp(s, "--passes") == 0 && i + 1 < argc &&
            bench_parse_count(argv[i + 1], BENCH_EVAL_PASSES_MAX, &a->passes) == 0)
            i++;
        else if (strcmp(s, "--sessions") == 0 && i + 1 < argc && bench_parse_count(argv[i + 1], 64, &a->sessions) == 0)
            i++;
        else if (strcmp(s, "--clients") == 0 && i + 1 < argc &&
                 bench_parse_count(argv[i + 1], S_CLIENTS_MAX, &a->clients) == 0)
            i++;
        else {
            s_usage(stderr);
            return -1;
        }
    }
    a->per_session = a->quick ? 200 : 1000;
    if (!a->sessions)
        a->sessions = a->quick ? 1 : 4;
    if (!a->passes)
        a->passes = a->quick ? 1 : 5;
    return 0;
}

/* ---------------------------------------------------------------- sheets */

typedef struct {
    Ocop__Request req;
    Ocop__EvalSheetSubmit body;
} s_sheet_req_t;

/* Every sheet of one shard of a deployment: session by session, product by product, member by
 * member. The bodies are copies of a template sheet per total and share its scores. */
typedef struct {
    s_sheet_req_t *items;
    Ocop__Request **ptrs;
    size_t n;
} s_sheets_t;

static int s_sheets_build(s_sheets_t *out, const bench_eval_deploy_t *d, unsigned shard,
                          const harness_sheet_t *templates)
{
    out->n = d->sessions * d->per_session * BENCH_EVAL_MEMBERS;
    out->items = calloc(out->n, sizeof *out->items);
    out->ptrs = calloc(out->n, sizeof *out->ptrs);
    if (!out->items || !out->ptrs)
        return -1;
    size_t i = 0;
    for (size_t k = 0; k < d->sessions; k++)
        for (size_t j = 0; j < d->per_session; j++)
            for (size_t m = 0; m < BENCH_EVAL_MEMBERS; m++, i++) {
                s_sheet_req_t *it = &out->items[i];
                it->body = templates[j % S_TOTALS].body;
                it->body.session_id = (char *)bench_eval_session(d, shard, k);
                it->body.product_id = (char *)bench_eval_product(d, shard, k, j)->product_id;
                it->body.member_id = (char *)s_members[m];
                it->body.phase = 1;
                it->body.round = 1;
                ocop__request__init(&it->req);
                it->req.body_case = OCOP__REQUEST__BODY_EVAL_SHEET_SUBMIT;
                it->req.eval_sheet_submit = &it->body;
                out->ptrs[i] = &it->req;
            }
    return 0;
}

static void s_sheets_free(s_sheets_t *s)
{
    free(s->items);
    free(s->ptrs);
    memset(s, 0, sizeof *s);
}

/* Packed size of a sheet request as the client sends it (32-character id, caller "bench"). */
static size_t s_sheet_bytes(const s_sheets_t *s)
{
    Ocop__Request req = *s->ptrs[0];
    req.request_id = "0123456789abcdef0123456789abcdef";
    req.caller = "bench";
    return ocop__request__get_packed_size(&req);
}

/* ---------------------------------------------------------------- driving */

typedef struct {
    ocop_client_t *client;
    Ocop__Request **reqs;
    size_t n;
    Ocop__Reply **replies;
    pthread_barrier_t *go;
    int rc;
    int64_t end_ns;
} s_worker_t;

static void *s_worker_main(void *arg)
{
    s_worker_t *wk = arg;
    pthread_barrier_wait(wk->go);
    wk->rc = harness_pipeline(wk->client, wk->reqs, wk->n, S_WINDOW, wk->replies);
    wk->end_ns = bench_now_ns();
    return NULL;
}

/* The shards' counters, CPU time and this process's CPU time, around a run. */
typedef struct {
    bench_service_counters_t c[HARNESS_SHARDS_MAX];
    int64_t cpu[HARNESS_SHARDS_MAX];
    int64_t self;
} s_probe_t;

static int s_probe(const bench_eval_deploy_t *d, s_probe_t *p)
{
    for (unsigned s = 0; s < d->shards; s++) {
        if (bench_ping_counters(d->h->shard[s].client, &p->c[s]) != 0)
            return -1;
        p->cpu[s] = bench_process_cpu_ns(d->h->shard[s].pid);
    }
    p->self = bench_process_cpu_ns(getpid());
    return 0;
}

static void s_run_figures(const bench_eval_deploy_t *d, const s_probe_t *p0, const s_probe_t *p1, bench_eval_run_t *run)
{
    uint64_t requests = 0, batches = 0;
    int64_t cpu = 0;
    for (unsigned s = 0; s < d->shards; s++) {
        /* Each Ping is a batch of its own: the first is counted in p0's requests only, the
         * second in p1's requests but not yet in its batches. */
        requests += p1->c[s].requests - p0->c[s].requests - 1;
        batches += p1->c[s].batches - p0->c[s].batches - 1;
        run->batch_max = p1->c[s].batch_max > run->batch_max ? p1->c[s].batch_max : run->batch_max;
        run->grew += p1->c[s].map_size - p0->c[s].map_size;
        cpu += p1->cpu[s] - p0->cpu[s];
    }
    run->avg_batch = batches ? (double)requests / (double)batches : 0;
    run->per_second = run->seconds > 0 ? (double)run->sheets / run->seconds : 0;
    run->shard_cpu_us = run->sheets ? (double)cpu / 1000.0 / (double)run->sheets : 0;
    run->shard_cpu_util = run->seconds > 0 ? (double)cpu / 1e9 / run->seconds : 0;
    run->bench_cpu_util = run->seconds > 0 ? (double)(p1->self - p0->self) / 1e9 / run->seconds : 0;
}

/* Pass `pass` of `passes`: sends the sheets of every shard's pass-th share of sessions through
 * `clients` DEALERs per shard, all shards at once, and times it. */
static int s_drive(const bench_eval_deploy_t *d, s_sheets_t *sheets, size_t pass, size_t passes, size_t clients,
                   bench_eval_run_t *run)
{
    size_t n_workers = d->shards * clients;
    s_worker_t workers[HARNESS_SHARDS_MAX * S_CLIENTS_MAX];
    pthread_t threads[HARNESS_SHARDS_MAX * S_CLIENTS_MAX];
    memset(workers, 0, sizeof workers);
    pthread_barrier_t go;
    pthread_barrier_init(&go, NULL, (unsigned)n_workers + 1);
    int rc = 0;
    run->shards = d->shards;
    run->clients = clients;
    run->sessions = d->sessions / passes;
    run->per_session = d->per_session;
    for (size_t i = 0; i < n_workers && rc == 0; i++) {
        unsigned s = (unsigned)(i / clients);
        size_t t = i % clients, n = sheets[s].n / passes, base = n * pass;
        size_t from = base + n * t / clients, to = base + n * (t + 1) / clients;
        s_worker_t *wk = &workers[i];
        bench_service_counters_t warm;
        wk->client = harness_shard_connect(d->h, s, "bench");
        wk->reqs = sheets[s].ptrs + from;
        wk->n = to - from;
        wk->replies = calloc(wk->n ? wk->n : 1, sizeof *wk->replies);
        wk->go = &go;
        run->sheets += wk->n;
        /* A first round trip, so the CURVE handshake is not part of the run. */
        if (!wk->client || !wk->replies || bench_ping_counters(wk->client, &warm) != 0)
            rc = -1;
    }
    s_probe_t p0, p1;
    int ran = rc == 0 && s_probe(d, &p0) == 0;
    for (size_t i = 0; ran && i < n_workers; i++)
        if (pthread_create(&threads[i], NULL, s_worker_main, &workers[i]) != 0) {
            /* The threads started wait at the barrier for ever; the harness's exit handler
             * stops the services. */
            fprintf(stderr, "bench: cannot start a client thread\n");
            exit(1);
        }
    if (ran) {
        pthread_barrier_wait(&go);
        int64_t t0 = bench_now_ns(), t1 = t0;
        for (size_t i = 0; i < n_workers; i++) {
            pthread_join(threads[i], NULL);
            t1 = workers[i].end_ns > t1 ? workers[i].end_ns : t1;
            rc = workers[i].rc != 0 ? -1 : rc;
        }
        run->seconds = (double)(t1 - t0) / 1e9;
        if (s_probe(d, &p1) != 0)
            rc = -1;
        else
            s_run_figures(d, &p0, &p1, run);
    }
    for (size_t i = 0; i < n_workers; i++) {
        if (ran && workers[i].rc == 0)
            run->errors += bench_eval_replies_check(workers[i].replies, workers[i].n,
                                                    OCOP__REPLY__BODY_EVAL_SHEET_RECEIPT, "sheet");
        else if (ran)
            fprintf(stderr, "bench: client %zu of %s got no reply in time\n", i % clients,
                    d->h->shard[i / clients].name);
        free(workers[i].replies);
        ocop_client_destroy(&workers[i].client);
    }
    pthread_barrier_destroy(&go);
    return ran ? rc : -1;
}

/* ---------------------------------------------------------------- closing */

/* Closes every session of shard 0, one EvalSessionClose each, timed. */
static int s_close_all(const bench_eval_deploy_t *d, bench_eval_results_t *r)
{
    int64_t *ns = calloc(d->sessions, sizeof *ns);
    int rc = ns ? 0 : -1;
    for (size_t k = 0; rc == 0 && k < d->sessions; k++) {
        int64_t t0 = bench_now_ns();
        Ocop__Reply *reply = harness_session_close(d->h->shard[0].client, bench_eval_session(d, 0, k), "QĐ bench");
        ns[k] = bench_now_ns() - t0;
        const Ocop__EvalSession *s = reply && reply->status == OCOP__STATUS__STATUS_OK ? reply->eval_session : NULL;
        if (s && s->n_products == d->per_session && s->state == OCOP__SESSION_STATE__SESSION_STATE_CLOSED) {
            for (size_t i = 0; i < s->n_products; i++) {
                r->close_stars[s->products[i]->stars < 6 ? s->products[i]->stars : 0]++;
                r->close_forwarded += s->products[i]->forwarded;
            }
            harness_replies_free(&reply, 1);
        } else {
            if (s)
                fprintf(stderr, "bench: closing session %s gave %zu products in state %d\n", s->id, s->n_products,
                        (int)s->state);
            else
                bench_eval_replies_check(&reply, 1, OCOP__REPLY__BODY_EVAL_SESSION, "session close");
            harness_replies_free(&reply, 1);
            rc = -1;
        }
    }
    if (rc == 0) {
        r->closes = d->sessions;
        r->close_products = d->per_session;
        bench_percentiles(ns, d->sessions, &r->close);
    }
    free(ns);
    return rc;
}

/* ---------------------------------------------------------------- runs */

static void s_print_run(const bench_eval_run_t *run)
{
    printf("  pass: %.0f sheets/s (%zu sheets in %.3f s, %zu DEALERs x %d), avg batch %.0f, shard CPU %.0f%% "
           "(%.1f us/sheet), bench CPU %.0f%%, errors %zu\n",
           run->per_second, run->sheets, run->seconds, run->shards * run->clients, S_WINDOW, run->avg_batch,
           100 * run->shard_cpu_util, run->shard_cpu_us, 100 * run->bench_cpu_util, run->errors);
}

/* The median pass (the lower of the middle two when the count is even) and the best. */
static void s_rank_passes(bench_eval_runs_t *runs)
{
    size_t order[BENCH_EVAL_PASSES_MAX];
    for (size_t i = 0; i < runs->n; i++) {
        size_t at = i;
        for (; at > 0 && runs->pass[order[at - 1]].per_second > runs->pass[i].per_second; at--)
            order[at] = order[at - 1];
        order[at] = i;
    }
    runs->median = order[(runs->n - 1) / 2];
    runs->best = order[runs->n - 1];
}

/* One deployment: up, the timed passes, (closing), down. */
static int s_deployment(const bench_eval_world_t *w, const s_args_t *a, unsigned shards, size_t per_pass,
                        size_t per_session, bench_eval_runs_t *runs, bench_eval_results_t *r)
{
    bench_eval_deploy_t d;
    harness_sheet_t templates[S_TOTALS];
    s_sheets_t sheets[HARNESS_SHARDS_MAX];
    memset(templates, 0, sizeof templates);
    memset(sheets, 0, sizeof sheets);
    size_t sessions = per_pass * a->passes;
    printf("%u shard%s: %zu pass%s of %zu session%s of %zu products per shard\n", shards, shards > 1 ? "s" : "",
           a->passes, a->passes > 1 ? "es" : "", per_pass, per_pass > 1 ? "s" : "", per_session);
    fflush(stdout);
    int rc = bench_eval_deploy_up(&d, w, shards, sessions, per_session, shards);
    if (rc == 0) {
        size_t n = shards * sessions * per_session;
        printf("  setup: %zu products ready through registration in %.1f s, replicated in %.1f s more, attested in "
               "%.1f s\n",
               n, d.ready_s, d.replica_s, d.attest_s);
        snprintf(r->policy, sizeof r->policy, "%s", d.policy);
    }
    for (size_t t = 0; rc == 0 && t < S_TOTALS; t++)
        rc = harness_sheet_init(&templates[t], w->rubric, s_totals[t], false);
    for (unsigned s = 0; rc == 0 && s < shards; s++)
        rc = s_sheets_build(&sheets[s], &d, s, templates);
    if (rc == 0) {
        r->sheet_bytes = s_sheet_bytes(&sheets[0]);
        r->criteria = templates[0].body.n_scores;
    }
    for (runs->n = 0; rc == 0 && runs->n < a->passes; runs->n++) {
        bench_eval_run_t *run = &runs->pass[runs->n];
        rc = s_drive(&d, sheets, runs->n, a->passes, a->clients, run);
        if (rc == 0) {
            s_print_run(run);
            rc = run->errors ? -1 : 0;
        }
    }
    if (rc == 0)
        s_rank_passes(runs);
    if (rc == 0 && shards == 1) {
        bench_percentiles(d.open_ns, sessions, &r->open);
        rc = s_close_all(&d, r);
        if (rc == 0)
            printf("  close: %zu sessions of %zu products: median %.1f ms (min %.1f, max %.1f)\n", r->closes,
                   r->close_products, r->close.p50_us / 1000, r->close.min_us / 1000, r->close.max_us / 1000);
    }
    for (unsigned s = 0; s < HARNESS_SHARDS_MAX; s++)
        s_sheets_free(&sheets[s]);
    for (size_t t = 0; t < S_TOTALS; t++)
        harness_sheet_free(&templates[t]);
    bench_eval_deploy_down(&d);
    return rc;
}

static void s_context(const bench_eval_world_t *w, const s_args_t *a, bench_eval_results_t *r)
{
    bench_context_init(&r->ctx, a->quick, BENCH_BUILD_TYPE);
    r->window = S_WINDOW;
    snprintf(r->rubric, sizeof r->rubric, "%s/%s", w->rubric->instrument, w->rubric->product_set);
    size_t at = 0;
    for (unsigned s = 0; s < S_SHARDS_MANY; s++)
        at +=
            (size_t)snprintf(r->provinces + at, sizeof r->provinces - at, "%s%s", s ? ", " : "", w->provinces[s].code);
}

int main(int argc, char **argv)
{
    s_args_t a;
    if (s_parse(argc, argv, &a) != 0)
        return 2;
    if (sodium_init() < 0)
        return 1;
    setenv("OCOP_BINARY_DIR", BENCH_BINARY_DIR, 0);
    setenv("OCOP_SOURCE_DIR", BENCH_SOURCE_DIR, 0);
    char rules[2048];
    snprintf(rules, sizeof rules, "%s/services/registration/data", getenv("OCOP_SOURCE_DIR"));
    bench_eval_world_t w;
    memset(&w, 0, sizeof w);
    bench_eval_results_t *r = calloc(1, sizeof *r);
    if (!r || bench_eval_world_load(&w, rules) != 0) {
        bench_eval_world_free(&w);
        free(r);
        return 1;
    }
    s_context(&w, &a, r);
    printf("bench_evaluation%s: binaries of %s, rules of %s, sessions held %s\n", a.quick ? " --quick" : "",
           getenv("OCOP_BINARY_DIR"), getenv("OCOP_SOURCE_DIR"), w.today);
    /* The four-shard run sends as many sheets as the one-shard run, a quarter per shard. */
    size_t per_shard = a.sessions * a.per_session / S_SHARDS_MANY;
    size_t per_session4 = per_shard < a.per_session ? per_shard : a.per_session;
    int rc = s_deployment(&w, &a, 1, a.sessions, a.per_session, &r->one, r);
    if (rc == 0)
        rc = s_deployment(&w, &a, S_SHARDS_MANY, per_shard / per_session4, per_session4, &r->four, r);
    if (rc == 0) {
        double one = r->one.pass[r->one.median].per_second, four = r->four.pass[r->four.median].per_second;
        r->ratio = one > 0 ? four / one : 0;
        bench_eval_report_print(r, stdout);
        if (a.write) {
            bench_text_t md = {0};
            bench_eval_report_markdown(r, &md);
            rc = bench_docs_write(a.out, BENCH_EVAL_MARK_BEGIN, BENCH_EVAL_MARK_END, "evaluation", &md);
        }
    } else {
        fprintf(stderr, "bench_evaluation: FAILED (nothing written)\n");
    }
    bench_eval_world_free(&w);
    free(r);
    return rc == 0 ? 0 : 1;
}
