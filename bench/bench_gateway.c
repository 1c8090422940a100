/* bench_gateway — the gateway's cost: GET of a product and POST of a product registration
 * through the gateway (HTTP/JSON, wrk on kept-alive connections), beside the same requests sent
 * straight to ocop-registration over ZeroMQ (pipelined on one CURVE connection), in one run on
 * the same machine. Prints the figures and rewrites its section of docs/BENCHMARKS.md.
 *
 *   bench_gateway [--quick] [--no-write] [--out FILE] [--seconds N] [--connections N]
 *
 * Deployment (the integration-test harness): ocop-registration and ocop-gateway (its defaults:
 * an HTTP worker per CPU and the pump thread; --threads N sets the workers) on 127.0.0.1; a central officer's token (no
 * scope lookups). 200 entities in 200 communes are registered first; every POST registers a new product with a unique
 * name, spread over them, and is durable when answered (the service commits with fsync before it replies). GET reads
 * one product. wrk runs with 2 threads and N connections (default 64); the direct client keeps the same number of
 * requests in flight. Needs wrk (Debian package wrk). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bench_service.h"
#include "bench_util.h"
#include "harness.h"
#include "ocop_users.h"

#ifndef BENCH_DOCS_FILE
#define BENCH_DOCS_FILE "docs/BENCHMARKS.md"
#endif
#ifndef BENCH_BUILD_TYPE
#define BENCH_BUILD_TYPE "unknown"
#endif

#define S_MARK_BEGIN "<!-- gateway:begin -->"
#define S_MARK_END "<!-- gateway:end -->"
#define S_ENTITIES 200
#define S_WRK "/usr/bin/wrk"
#define S_AIM_GET 20000.0
#define S_AIM_POST 10000.0

#define S_ROUNDS 4

typedef struct {
    double per_s;
    double p50_ms, p99_ms;
    uint64_t requests, failed;
    double seconds;
    int64_t gateway_cpu_ns, service_cpu_ns;     /* CPU the processes spent during the measurement */
    uint64_t service_requests, service_batches; /* the service's commit batches meanwhile */
} s_result_t;

/* A measurement over every round: requests per second over their total time, and the median
 * round's percentiles. */
typedef struct {
    s_result_t round[S_ROUNDS];
    size_t n;
    s_result_t all;
} s_series_t;

typedef struct {
    harness_t *h;
    harness_data_t data;
    char token[80];
    char entity[S_ENTITIES][32];
    char commune[S_ENTITIES][16];
    char product[32];
    int seconds;
    unsigned connections;
    unsigned threads; /* the gateway's workers; 0 = its default */
} s_bench_t;

static void s_usage(FILE *out)
{
    fprintf(out, "usage: bench_gateway [--quick] [--no-write] [--out FILE] [--seconds N] [--connections N]\n");
}

/* The i-th product name: unique, Vietnamese, the same for both paths. */
static void s_name(char *out, size_t len, uint64_t i)
{
    static const char *const kinds[] = {"Mật ong", "Chè", "Nước mắm", "Gạo", "Miến", "Tương", "Rượu", "Bánh"};
    static const char *const places[] = {"Bắc Hà", "Tân Cương", "Cát Hải", "Điện Biên", "Cao Bằng", "Mộc Châu"};
    snprintf(out, len, "%s %s lô %llu", kinds[i % 8], places[(i / 8) % 6], (unsigned long long)i);
}

static int s_setup(s_bench_t *b)
{
    char rules[HARNESS_PATH_MAX];
    harness_rules_dir("registration", rules, sizeof rules);
    harness_commune_t *communes = NULL;
    size_t n = 0;
    if (harness_data_load(rules, &b->data) != 0 || harness_communes(rules, b->data.unit_version, &communes, &n) != 0 ||
        n < S_ENTITIES)
        return -1;
    harness_options_t opts = {.gateway = 1, .gateway_threads = b->threads};
    b->h = harness_new(&opts);
    char token[OCOP_TOKEN_LEN + 1];
    if (!b->h || harness_gateway_user(b->h, "bench", "central_officer", NULL, NULL, NULL, NULL, NULL, token) != 0 ||
        harness_start(b->h) != 0 || harness_gateway_start(b->h) != 0) {
        free(communes);
        return -1;
    }
    snprintf(b->token, sizeof b->token, "%s", token);
    int rc = 0;
    for (size_t i = 0; i < S_ENTITIES && rc == 0; i++) {
        char name[64], tax[16];
        snprintf(name, sizeof name, "Hợp tác xã Đặc sản số %zu", i + 1);
        snprintf(tax, sizeof tax, "01%08zu", i + 1);
        snprintf(b->commune[i], sizeof b->commune[i], "%s", communes[i * (n / S_ENTITIES)].code);
        Ocop__Reply *r = harness_entity_register(b->h->client, NULL, OCOP__ENTITY_TYPE__ENTITY_TYPE_COOPERATIVE, name,
                                                 tax, b->commune[i]);
        rc = r && r->status == OCOP__STATUS__STATUS_OK ? 0 : -1;
        if (rc == 0)
            snprintf(b->entity[i], sizeof b->entity[i], "%s", r->reg_entity->id);
        if (r)
            ocop__reply__free_unpacked(r, NULL);
    }
    free(communes);
    Ocop__Reply *r =
        rc ? NULL
           : harness_product_register(b->h->client, b->entity[0], "Mật ong bạc hà đọc thử", b->data.sector,
                                      b->data.product_set, b->commune[0], OCOP__PROCESSING_LEVEL__PROCESSING_PROCESSED);
    rc = r && r->status == OCOP__STATUS__STATUS_OK ? 0 : -1;
    if (rc == 0)
        snprintf(b->product, sizeof b->product, "%s", r->reg_product_detail->product->id);
    if (r)
        ocop__reply__free_unpacked(r, NULL);
    return rc;
}

/* ---------------------------------------------------------------- straight to the service */

static uint64_t s_next_post = 1000000000ull; /* names of the direct path: apart from wrk's */

static void s_fill(const s_bench_t *b, int post, Ocop__Request *req, Ocop__RegProductGet *get,
                   Ocop__RegProductRegister *reg, char *name, size_t len)
{
    ocop__request__init(req);
    if (!post) {
        ocop__reg_product_get__init(get);
        get->id = (char *)b->product;
        req->body_case = OCOP__REQUEST__BODY_REG_PRODUCT_GET;
        req->reg_product_get = get;
        return;
    }
    uint64_t i = s_next_post++;
    s_name(name, len, i);
    ocop__reg_product_register__init(reg);
    reg->entity_id = (char *)b->entity[i % S_ENTITIES];
    reg->commune_code = (char *)b->commune[i % S_ENTITIES];
    reg->name = name;
    reg->sector_code = (char *)b->data.sector;
    reg->product_set_code = (char *)b->data.product_set;
    reg->processing = OCOP__PROCESSING_LEVEL__PROCESSING_PROCESSED;
    req->body_case = OCOP__REQUEST__BODY_REG_PRODUCT_REGISTER;
    req->reg_product_register = reg;
}

/* Keeps `window` requests in flight for the run's seconds; every reply timed from its send. */
static int s_direct(s_bench_t *b, int post, s_result_t *out)
{
    ocop_client_t *c = harness_connect(b->h, NULL, "bench");
    if (!c)
        return -1;
    size_t cap = 1 << 22, n = 0;
    int64_t *lat = malloc(cap * sizeof *lat);
    typedef struct {
        char id[OCOP_REQUEST_ID_LEN + 1];
        int64_t sent;
    } s_flight_t;
    s_flight_t *flight = calloc(b->connections, sizeof *flight);
    size_t in_flight = 0;
    int64_t start = bench_now_ns(), end = start + (int64_t)b->seconds * 1000000000LL;
    int rc = 0;
    for (;;) {
        int64_t now = bench_now_ns();
        while (now < end && in_flight < b->connections) {
            Ocop__Request req;
            Ocop__RegProductGet get;
            Ocop__RegProductRegister reg;
            char name[96];
            s_fill(b, post, &req, &get, &reg, name, sizeof name);
            s_flight_t *f = &flight[in_flight++];
            ocop_request_id_new(f->id);
            req.request_id = f->id;
            f->sent = bench_now_ns();
            if (ocop_client_send(c, &req) != 0) {
                rc = -1;
                break;
            }
        }
        if (rc != 0 || in_flight == 0)
            break;
        Ocop__Reply *reply;
        if (ocop_client_recv(c, &reply, 10000) != 0) {
            rc = -1;
            break;
        }
        for (size_t i = 0; i < in_flight; i++) {
            if (strcmp(flight[i].id, reply->request_id) != 0)
                continue;
            if (n < cap)
                lat[n++] = bench_now_ns() - flight[i].sent;
            out->failed += reply->status != OCOP__STATUS__STATUS_OK;
            flight[i] = flight[--in_flight];
            break;
        }
        ocop__reply__free_unpacked(reply, NULL);
    }
    double elapsed = (double)(bench_now_ns() - start) / 1e9;
    bench_pct_t pct;
    out->seconds = elapsed;
    out->requests = n;
    bench_percentiles(lat, n, &pct);
    out->per_s = (double)(n - out->failed) / elapsed;
    out->p50_ms = pct.p50_us / 1000.0;
    out->p99_ms = pct.p99_us / 1000.0;
    free(lat);
    free(flight);
    ocop_client_destroy(&c);
    return rc;
}

/* ---------------------------------------------------------------- through the gateway (wrk) */

static int s_write_lua(const s_bench_t *b, const char *path)
{
    FILE *f = fopen(path, "w");
    if (!f)
        return -1;
    fprintf(f, "-- generated by bench_gateway: one new product a request\n"
               "local entities, communes = {}, {}\n");
    for (size_t i = 0; i < S_ENTITIES; i++)
        fprintf(f, "entities[%zu] = \"%s\"; communes[%zu] = \"%s\"\n", i + 1, b->entity[i], i + 1, b->commune[i]);
    fprintf(f,
            "local kinds = {\"Mật ong\", \"Chè\", \"Nước mắm\", \"Gạo\", \"Miến\", \"Tương\", \"Rượu\", \"Bánh\"}\n"
            "local places = {\"Bắc Hà\", \"Tân Cương\", \"Cát Hải\", \"Điện Biên\", \"Cao Bằng\", \"Mộc Châu\"}\n"
            "local threads, next_id, offset = 0, 0, 0\n"
            "function init(args) offset = tonumber(args[1]) * 10000000 end\n"
            "function setup(thread) thread:set(\"base\", threads * 100000000); threads = threads + 1 end\n"
            "function request()\n"
            "  local i = base + offset + next_id; next_id = next_id + 1\n"
            "  local e = (i %% %d) + 1\n"
            "  local name = kinds[(i %% 8) + 1] .. \" \" .. places[(math.floor(i / 8) %% 6) + 1] .. \" lô \" .. i\n"
            "  local body = string.format('{\"entity_id\":\"%%s\",\"commune_code\":\"%%s\",\"name\":\"%%s\","
            "\"sector_code\":\"%s\",\"product_set_code\":\"%s\",\"processing\":\"processed\"}', entities[e], "
            "communes[e], name)\n"
            "  return wrk.format(\"POST\", \"/v1/products\", {[\"Authorization\"] = \"Bearer %s\", "
            "[\"Content-Type\"] = \"application/json\"}, body)\n"
            "end\n",
            S_ENTITIES, b->data.sector, b->data.product_set, b->token);
    return fclose(f) == 0 ? 0 : -1;
}

/* "   50%    1.23ms" -> milliseconds. */
static double s_wrk_ms(const char *out, const char *label)
{
    const char *dist = strstr(out, "Latency Distribution");
    const char *p = dist ? strstr(dist, label) : NULL;
    if (!p)
        return -1;
    double v;
    char unit[8] = "";
    if (sscanf(p + strlen(label), " %lf%7s", &v, unit) != 2)
        return -1;
    return strcmp(unit, "us") == 0 ? v / 1000.0 : strcmp(unit, "s") == 0 ? v * 1000.0 : v;
}

/* wrk GET (lua NULL) or the POST script; round keeps the script's names apart from earlier runs. */
static int s_wrk(s_bench_t *b, const char *lua, size_t round, s_result_t *out)
{
    char url[160], conns[16], secs[16], auth[128];
    snprintf(url, sizeof url, "http://127.0.0.1:%d/v1/products/%s", b->h->gateway_port, b->product);
    if (lua)
        snprintf(url, sizeof url, "http://127.0.0.1:%d/v1/products", b->h->gateway_port);
    snprintf(conns, sizeof conns, "%u", b->connections);
    snprintf(secs, sizeof secs, "%ds", b->seconds);
    snprintf(auth, sizeof auth, "Authorization: Bearer %s", b->token);
    const char *args[16] = {"-t2", "-c", conns, "-d", secs, "--latency"};
    size_t n = 6;
    if (lua) {
        args[n++] = "-s";
        args[n++] = lua;
    } else {
        args[n++] = "-H";
        args[n++] = auth;
    }
    args[n++] = url;
    char round_arg[16];
    snprintf(round_arg, sizeof round_arg, "%zu", round);
    if (lua) {
        args[n++] = "--";
        args[n++] = round_arg;
    }
    args[n] = NULL;
    harness_run_t run = {0};
    int rc = harness_run(S_WRK, args, (b->seconds + 30) * 1000, &run);
    const char *rps = rc == 0 ? strstr(run.out, "Requests/sec:") : NULL;
    const char *total = rc == 0 ? strstr(run.out, " requests in ") : NULL;
    const char *bad = rc == 0 ? strstr(run.out, "Non-2xx or 3xx responses:") : NULL;
    if (!rps || !total) {
        fprintf(stderr, "bench_gateway: wrk failed (exit %d):\n%s%s\n", rc, run.out ? run.out : "",
                run.err ? run.err : "");
        harness_run_free(&run);
        return -1;
    }
    const char *line = total;
    while (line > run.out && line[-1] != '\n')
        line--;
    out->requests = strtoull(line, NULL, 10);
    out->failed = bad ? strtoull(bad + strlen("Non-2xx or 3xx responses:"), NULL, 10) : 0;
    double all = strtod(rps + strlen("Requests/sec:"), NULL);
    out->per_s = out->requests ? all * (double)(out->requests - out->failed) / (double)out->requests : 0;
    out->seconds = out->per_s > 0 ? (double)(out->requests - out->failed) / out->per_s : b->seconds;
    out->p50_ms = s_wrk_ms(run.out, "50%");
    out->p99_ms = s_wrk_ms(run.out, "99%");
    harness_run_free(&run);
    return 0;
}

static int s_by_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static void s_series_add(s_series_t *s, const s_result_t *r)
{
    s->round[s->n++] = *r;
    double ok = 0, secs = 0, p50[S_ROUNDS], p99[S_ROUNDS];
    memset(&s->all, 0, sizeof s->all);
    for (size_t i = 0; i < s->n; i++) {
        ok += (double)(s->round[i].requests - s->round[i].failed);
        secs += s->round[i].seconds;
        s->all.requests += s->round[i].requests;
        s->all.gateway_cpu_ns += s->round[i].gateway_cpu_ns;
        s->all.service_cpu_ns += s->round[i].service_cpu_ns;
        s->all.service_requests += s->round[i].service_requests;
        s->all.service_batches += s->round[i].service_batches;
        s->all.failed += s->round[i].failed;
        p50[i] = s->round[i].p50_ms;
        p99[i] = s->round[i].p99_ms;
    }
    qsort(p50, s->n, sizeof *p50, s_by_double);
    qsort(p99, s->n, sizeof *p99, s_by_double);
    s->all.per_s = secs > 0 ? ok / secs : 0;
    s->all.p50_ms = p50[s->n / 2];
    s->all.p99_ms = p99[s->n / 2];
    s->all.seconds = secs;
}

/* Requests per commit batch of the service. */
static double s_batch(const s_result_t *r)
{
    return r->service_batches ? (double)r->service_requests / (double)r->service_batches : 0;
}

/* CPU microseconds a process spent per answered request. */
static double s_cpu_us(int64_t ns, const s_result_t *r)
{
    return r->requests ? (double)ns / 1000.0 / (double)r->requests : 0;
}

static void s_print(const char *what, const s_result_t *r)
{
    printf("  %-36s %8.0f /s  p50 %6.2f ms  p99 %6.2f ms  CPU/request: gateway %5.1f us, service %5.1f us;  "
           "batch %5.1f  (%llu requests, %llu failed)\n",
           what, r->per_s, r->p50_ms, r->p99_ms, s_cpu_us(r->gateway_cpu_ns, r), s_cpu_us(r->service_cpu_ns, r),
           s_batch(r), (unsigned long long)r->requests, (unsigned long long)r->failed);
}

int main(int argc, char **argv)
{
    int quick = 0, write = 1;
    const char *out = BENCH_DOCS_FILE;
    s_bench_t b = {.seconds = 4 * S_ROUNDS, .connections = 64};
    for (int i = 1; i < argc; i++) {
        size_t v;
        if (bench_parse_shared(argc, argv, &i, &quick, &write, &out, s_usage))
            continue;
        if (strcmp(argv[i], "--seconds") == 0 && i + 1 < argc && bench_parse_count(argv[++i], 600, &v) == 0)
            b.seconds = (int)v;
        else if (strcmp(argv[i], "--threads") == 0 && i + 1 < argc && bench_parse_count(argv[++i], 64, &v) == 0)
            b.threads = (unsigned)v;
        else if (strcmp(argv[i], "--connections") == 0 && i + 1 < argc && bench_parse_count(argv[++i], 1024, &v) == 0)
            b.connections = (unsigned)v;
        else {
            s_usage(stderr);
            return 2;
        }
    }
    if (quick)
        b.seconds = S_ROUNDS;
    if (access(S_WRK, X_OK) != 0) {
        fprintf(stderr, "bench_gateway: %s is missing (apt-get install wrk)\n", S_WRK);
        return 1;
    }
    if (s_setup(&b) != 0) {
        fprintf(stderr, "bench_gateway: setting up the deployment failed\n");
        harness_destroy(&b.h);
        return 1;
    }
    char lua[HARNESS_PATH_MAX + 16];
    snprintf(lua, sizeof lua, "%s/post.lua", b.h->dir);
    s_series_t series[4];
    memset(series, 0, sizeof series);
    int total_seconds = b.seconds;
    b.seconds = total_seconds / S_ROUNDS > 0 ? total_seconds / S_ROUNDS : 1;
    printf("gateway benchmark: %d rounds of %d s per measurement, alternating paths, %u requests in flight, %s "
           "build\n",
           S_ROUNDS, b.seconds, b.connections, BENCH_BUILD_TYPE);
    int rc = s_write_lua(&b, lua);
    /* Rounds alternate the paths, so both see the store at the same sizes (registration slows
     * as it grows). */
    for (size_t round = 0; round < S_ROUNDS && rc == 0; round++) {
        s_result_t r[4];
        memset(r, 0, sizeof r);
        for (size_t k = 0; k < 4 && rc == 0; k++) {
            int64_t gw0 = bench_process_cpu_ns(b.h->gateway_pid), svc0 = bench_process_cpu_ns(b.h->pid);
            bench_service_counters_t c0 = {0}, c1 = {0};
            bench_ping_counters(b.h->ping, &c0);
            rc = k == 0   ? s_direct(&b, 0, &r[k])
                 : k == 1 ? s_wrk(&b, NULL, round, &r[k])
                 : k == 2 ? s_direct(&b, 1, &r[k])
                          : s_wrk(&b, lua, round, &r[k]);
            r[k].gateway_cpu_ns = bench_process_cpu_ns(b.h->gateway_pid) - gw0;
            r[k].service_cpu_ns = bench_process_cpu_ns(b.h->pid) - svc0;
            bench_ping_counters(b.h->ping, &c1);
            r[k].service_requests = c1.requests - c0.requests;
            r[k].service_batches = c1.batches - c0.batches;
        }
        for (size_t k = 0; k < 4 && rc == 0; k++)
            s_series_add(&series[k], &r[k]);
    }
    harness_destroy(&b.h);
    const s_result_t *direct_get = &series[0].all, *gw_get = &series[1].all, *direct_post = &series[2].all,
                     *gw_post = &series[3].all;
    if (rc != 0) {
        fprintf(stderr, "bench_gateway: a measurement failed; nothing written\n");
        return 1;
    }
    s_print("GET product, ZeroMQ direct", direct_get);
    s_print("GET product, HTTP via gateway", gw_get);
    s_print("POST registration, ZeroMQ direct", direct_post);
    s_print("POST registration, HTTP via gateway", gw_post);
    printf("  gateway / direct: GET %.2f, POST %.2f; aims GET >= %.0f/s (%s), POST >= %.0f/s (%s)\n",
           gw_get->per_s / direct_get->per_s, gw_post->per_s / direct_post->per_s, S_AIM_GET,
           gw_get->per_s >= S_AIM_GET ? "met" : "not met", S_AIM_POST,
           gw_post->per_s >= S_AIM_POST ? "met" : "not met");
    if (!write)
        return 0;
    char cpu[128];
    bench_cpu_model(cpu, sizeof cpu);
    bench_text_t md = {0};
    bench_text_printf(
        &md,
        "%s\n## Gateway (HTTP/JSON) beside ZeroMQ direct\n\n"
        "`bench/bench_gateway`%s: ocop-registration and ocop-gateway (%u HTTP workers and the pump thread%s) "
        "on one "
        "machine (%s, %d CPUs, %s build); %u requests in flight; %d rounds of %d s per path, the paths "
        "alternating so that both meet the store at the same sizes (p50/p99: the median round). "
        "Through the gateway: `wrk "
        "-t2 -c%u` on kept-alive connections with a central officer's token; direct: one CURVE "
        "connection to the service, pipelined. POST registers a new product (unique name, 200 "
        "entities in 200 communes) and is durable when answered.\n\n"
        "| Request | Path | Requests/s | p50 ms | p99 ms | gateway CPU µs/request | service CPU µs/request "
        "| requests per service commit |\n|---|---|---:|---:|---:|---:|---:|---:|\n",
        S_MARK_BEGIN, quick ? " --quick" : "", b.threads ? b.threads : (unsigned)bench_cpu_count(),
        b.threads ? "" : ", its defaults: a worker per CPU", cpu, bench_cpu_count(), BENCH_BUILD_TYPE, b.connections,
        S_ROUNDS, b.seconds, b.connections);
    const struct {
        const char *req, *path;
        const s_result_t *r;
    } rows[] = {{"GET product", "ZeroMQ direct", direct_get},
                {"GET product", "HTTP via gateway", gw_get},
                {"POST registration", "ZeroMQ direct", direct_post},
                {"POST registration", "HTTP via gateway", gw_post}};
    for (size_t i = 0; i < 4; i++) {
        /* Reads are served by the service's reader threads, outside its commits. */
        char batch[32] = "— (read)";
        if (i >= 2)
            snprintf(batch, sizeof batch, "%.1f", s_batch(rows[i].r));
        bench_text_printf(&md, "| %s | %s | %.0f | %.2f | %.2f | %.1f | %.1f | %s |\n", rows[i].req, rows[i].path,
                          rows[i].r->per_s, rows[i].r->p50_ms, rows[i].r->p99_ms,
                          s_cpu_us(rows[i].r->gateway_cpu_ns, rows[i].r),
                          s_cpu_us(rows[i].r->service_cpu_ns, rows[i].r), batch);
    }
    bench_text_printf(
        &md,
        "\nWhere the time goes (same run): the gateway spends %.0f µs of CPU per GET and %.0f µs per POST; the "
        "service commits %.1f POSTs per fsync'd batch through the gateway against %.1f direct, and spends %.0f µs of "
        "CPU per registration against %.0f. wrk, the gateway and the service share the 2 cores.\n\n"
        "How it got here: the first gateway gave each waiting request a thread (a pool of 4, then 64 workers, each "
        "blocked on one service call): 2.5k POST/s with 4 workers; with 64, 25–29k GET/s and 4–7k POST/s, ~60 %% of "
        "its CPU in the kernel switching threads (`perf`) and requests reaching the service spread out, ≈5 per "
        "commit, so the service's CPU per registration doubled. Now HTTP workers suspend a waiting connection "
        "(libmicrohttpd suspend/resume) and one pump thread owns the service connections: requests queued while it "
        "works go out together, and the service's commits fill up again. Since reads moved off the writer loop to "
        "reader threads (so that no read holds up a commit), a GET costs the service two hand-overs between threads "
        "more: about 18 µs of CPU where it cost 6 on the loop, and 42.5k GET/s through the gateway became 18–23k "
        "(a reader now keeps its LMDB read transaction between reads, reset and renewed, instead of beginning one "
        "per read: 20 → 17.5 µs). The gateway's own CPU per GET grew too, from 28 µs then to 50–70 µs in today's runs; "
        "that was not traced.\n",
        s_cpu_us(gw_get->gateway_cpu_ns, gw_get), s_cpu_us(gw_post->gateway_cpu_ns, gw_post), s_batch(gw_post),
        s_batch(direct_post), s_cpu_us(gw_post->service_cpu_ns, gw_post),
        s_cpu_us(direct_post->service_cpu_ns, direct_post));
    bench_text_printf(&md,
                      "\nPOST/s round by round as the store grows (the first round alone adds %.0fk products): direct",
                      (double)(series[2].round[0].requests + series[3].round[0].requests) / 1000.0);
    for (size_t k = 2; k <= 3; k++) {
        if (k == 3)
            bench_text_printf(&md, "; through the gateway");
        for (size_t i = 0; i < series[k].n; i++)
            bench_text_printf(&md, "%s %.0f", i ? "," : "", series[k].round[i].per_s);
    }
    bench_text_printf(&md, ".\n");
    bench_text_printf(&md,
                      "\nGateway / direct: GET %.2f, POST %.2f. Aims: GET ≥ 20,000/s — %s; durable POST ≥ 10,000/s "
                      "— %s.\n%s\n",
                      gw_get->per_s / direct_get->per_s, gw_post->per_s / direct_post->per_s,
                      gw_get->per_s >= S_AIM_GET ? "met" : "not met", gw_post->per_s >= S_AIM_POST ? "met" : "not met",
                      S_MARK_END);
    return bench_docs_write(out, S_MARK_BEGIN, S_MARK_END, "gateway", &md) == 0 ? 0 : 1;
}
