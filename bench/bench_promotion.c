/* bench_promotion — booth allocation: how long each registered strategy takes to allocate one
 * fair (10,000 applications, 400 booths by default), and what it allocated; then the cascade of
 * 1,000 revocations on the running services (bench_promotion_cascade). Prints the figures and
 * rewrites its section of docs/BENCHMARKS.md.
 *
 *   bench_promotion [--quick] [--no-write] [--out FILE] [--runs N] [--apps N] [--booths N]
 *                   [--products N] [--waiting N] [--revocations N] [--poll-ms N] [--no-cascade]
 *
 * Allocation, in one process, no service: a fair's applications are generated from a fixed seed
 * (34 provinces, 6 sectors, stars 3/4/5 in the national shares 67/31/2 %, entities with one to
 * three products, a few entities at an overlapping fair, arrival order shuffled), and every
 * strategy in the registry (pro_strategy_list) allocates the fair through pro_strategy_run —
 * the call the service makes, contract checks included — once to warm up and then N timed
 * times. The median is the figure; every run must give the same allocation.
 *
 * The cascade, on the real processes (registration, one evaluation shard, ocop-promotion):
 * 1,200 products certified and applied to a fair of 1,000 booths, then 1,000 booked products'
 * certificates revoked at once, timed until promotion has cancelled their bookings and promoted
 * the 200 waiting; the final state is checked application by application (see
 * bench_promotion_cascade.h). Nothing is written when either part fails. */
#include <sodium.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench_promotion_cascade.h"
#include "bench_util.h"
#include "pro_strategy.h"

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

#define S_MARK_BEGIN "<!-- promotion:begin -->"
#define S_MARK_END "<!-- promotion:end -->"
#define S_APPS 10000
#define S_BOOTHS 400
#define S_RUNS_FULL 31
#define S_RUNS_QUICK 7
#define S_AIM_US 100000.0 /* allocation under 100 ms */
#define S_MAX_STRATEGIES 16
#define S_SEED 0x0c0b2025u
/* The cascade: products applied to the fair, how many of them wait, revocations, polling. */
#define S_CASCADE_PRODUCTS 1200
#define S_CASCADE_PRODUCTS_QUICK 150
#define S_CASCADE_WAITING 200
#define S_CASCADE_WAITING_QUICK 25
#define S_CASCADE_REVOCATIONS 1000
#define S_CASCADE_REVOCATIONS_QUICK 100
#define S_CASCADE_POLL_MS 50

/* The 34 provinces of the 2025 map (services/promotion/data/regions.json), each with a fixed
 * weight 1..5 so that some provinces send many more applications than others. */
static const char *const s_provinces[] = {"01", "04", "08", "11", "12", "14", "15", "19", "20", "22", "24", "25",
                                          "31", "33", "37", "38", "40", "42", "44", "46", "48", "51", "52", "56",
                                          "66", "68", "75", "79", "80", "82", "86", "91", "92", "96"};
#define S_N_PROV (sizeof s_provinces / sizeof s_provinces[0])
/* The six sectors of Decision 148/QĐ-TTg (food, beverages, herbs, handicrafts, ornamental
 * plants and animals, tourism) with rough shares, food first; not official statistics. */
static const char *const s_sectors[] = {"1", "2", "3", "4", "5", "6"};
static const unsigned s_sector_pct[] = {60, 15, 12, 8, 3, 2};
#define S_N_SECT (sizeof s_sectors / sizeof s_sectors[0])
static const char *const s_focus[] = {"3", "6"}; /* the fair's focus sectors: herbs, tourism */
#define S_N_FOCUS (sizeof s_focus / sizeof s_focus[0])
#define S_OVERLAP_PCT 3 /* of entities: already at a fair with overlapping dates */
#define S_SAME_SECTOR_PCT 80

typedef struct {
    int quick, write, cascade;
    const char *out;
    size_t runs, apps, booths;
    size_t products, waiting, revocations, poll_ms;
} s_args_t;

typedef struct {
    pro_application_t *apps;
    char (*ids)[3][16]; /* id, product id, entity id of each application */
    size_t n, entities, overlapping_apps;
} s_data_t;

typedef struct {
    const pro_strategy_t *s;
    bench_pct_t t;
    bool same; /* every run gave the allocation of the first */
    size_t booked, waiting, refused;
    size_t prov_min, prov_max, prov_booked; /* booths per province (all 34), provinces with one */
    size_t groups_booked, stars[3], focus, entities_multi, overlapping_booked;
} s_result_t;

static void s_usage(FILE *f)
{
    fprintf(f,
            "usage: bench_promotion [--quick] [--no-write] [--out FILE] [--runs N] [--apps N] [--booths N]\n"
            "                       [--products N] [--waiting N] [--revocations N] [--poll-ms N] [--no-cascade]\n"
            "  --quick          %d timed runs of each strategy instead of %d; a cascade of %d revocations\n"
            "                   (%d products, %d waiting) instead of %d (%d products, %d waiting)\n"
            "  --no-write       print only; leave %s alone\n"
            "  --out FILE       the Markdown file to update (default %s)\n"
            "  --runs N         timed runs of each strategy (the median is reported)\n"
            "  --apps N         applications in the generated fair (default %d)\n"
            "  --booths N       booths of the generated fair (default %d)\n"
            "  --products N     cascade: products rated, certified and applied to the fair\n"
            "  --waiting N      cascade: applications left waiting (the fair has products - N booths)\n"
            "  --revocations N  cascade: booked products whose certificates are revoked at once\n"
            "  --poll-ms N      cascade: milliseconds between two reads of the fair (default %d)\n"
            "  --no-cascade     only the allocation strategies (nothing is written without the cascade)\n"
            "Allocates one generated fair with every registered strategy through pro_strategy_run, then\n"
            "runs registration, an evaluation shard and ocop-promotion (binaries of OCOP_BINARY_DIR,\n"
            "default %s; rules of OCOP_SOURCE_DIR, default %s) and times the cascade of revocations.\n",
            S_RUNS_QUICK, S_RUNS_FULL, S_CASCADE_REVOCATIONS_QUICK, S_CASCADE_PRODUCTS_QUICK, S_CASCADE_WAITING_QUICK,
            S_CASCADE_REVOCATIONS, S_CASCADE_PRODUCTS, S_CASCADE_WAITING, BENCH_DOCS_FILE, BENCH_DOCS_FILE, S_APPS,
            S_BOOTHS, S_CASCADE_POLL_MS, BENCH_BINARY_DIR, BENCH_SOURCE_DIR);
}

static int s_parse(int argc, char **argv, s_args_t *a)
{
    *a = (s_args_t){.write = 1, .cascade = 1, .out = BENCH_DOCS_FILE, .apps = S_APPS, .booths = S_BOOTHS, .poll_ms = 0};
    for (int i = 1; i < argc; i++) {
        const char *s = argv[i];
        if (bench_parse_shared(argc, argv, &i, &a->quick, &a->write, &a->out, s_usage))
            continue;
        if (strcmp(s, "--runs") == 0 && i + 1 < argc && bench_parse_count(argv[i + 1], 100000, &a->runs) == 0)
            i++;
        else if (strcmp(s, "--apps") == 0 && i + 1 < argc && bench_parse_count(argv[i + 1], 10000000, &a->apps) == 0)
            i++;
        else if (strcmp(s, "--booths") == 0 && i + 1 < argc && bench_parse_count(argv[i + 1], 1000000, &a->booths) == 0)
            i++;
        else if (strcmp(s, "--products") == 0 && i + 1 < argc &&
                 bench_parse_count(argv[i + 1], 100000, &a->products) == 0)
            i++;
        else if (strcmp(s, "--waiting") == 0 && i + 1 < argc &&
                 bench_parse_count(argv[i + 1], 100000, &a->waiting) == 0)
            i++;
        else if (strcmp(s, "--revocations") == 0 && i + 1 < argc &&
                 bench_parse_count(argv[i + 1], 100000, &a->revocations) == 0)
            i++;
        else if (strcmp(s, "--poll-ms") == 0 && i + 1 < argc && bench_parse_count(argv[i + 1], 10000, &a->poll_ms) == 0)
            i++;
        else if (strcmp(s, "--no-cascade") == 0)
            a->cascade = 0;
        else {
            s_usage(stderr);
            return -1;
        }
    }
    if (!a->runs)
        a->runs = a->quick ? S_RUNS_QUICK : S_RUNS_FULL;
    if (!a->products)
        a->products = a->quick ? S_CASCADE_PRODUCTS_QUICK : S_CASCADE_PRODUCTS;
    if (!a->waiting)
        a->waiting = a->quick ? S_CASCADE_WAITING_QUICK : S_CASCADE_WAITING;
    if (!a->revocations)
        a->revocations = a->quick ? S_CASCADE_REVOCATIONS_QUICK : S_CASCADE_REVOCATIONS;
    if (!a->poll_ms)
        a->poll_ms = S_CASCADE_POLL_MS;
    if (a->cascade && (a->waiting >= a->products || a->revocations > a->products - a->waiting)) {
        fprintf(stderr, "bench_promotion: %zu products with %zu waiting leave %zu booths, fewer than %zu revocations\n",
                a->products, a->waiting, a->products > a->waiting ? a->products - a->waiting : 0, a->revocations);
        return -1;
    }
    if (!a->cascade && a->write) {
        fprintf(stderr, "bench_promotion: --no-cascade writes nothing: add --no-write\n");
        return -1;
    }
    return 0;
}

/* ---- the fair's applications ---- */

static uint64_t s_rand(uint64_t *x) /* splitmix64 */
{
    uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

static unsigned s_prov_weight(size_t p)
{
    return 1 + (unsigned)(p * 7 % 5);
}

static size_t s_pick_province(uint64_t *x)
{
    unsigned total = 0;
    for (size_t p = 0; p < S_N_PROV; p++)
        total += s_prov_weight(p);
    unsigned r = (unsigned)(s_rand(x) % total);
    for (size_t p = 0; p < S_N_PROV; p++) {
        if (r < s_prov_weight(p))
            return p;
        r -= s_prov_weight(p);
    }
    return S_N_PROV - 1;
}

static size_t s_pick_sector(uint64_t *x)
{
    unsigned r = (unsigned)(s_rand(x) % 100);
    for (size_t s = 0; s < S_N_SECT; s++) {
        if (r < s_sector_pct[s])
            return s;
        r -= s_sector_pct[s];
    }
    return 0;
}

static uint32_t s_pick_stars(uint64_t *x)
{
    unsigned r = (unsigned)(s_rand(x) % 100);
    return r < 67 ? 3 : r < 98 ? 4 : 5;
}

static int s_data_make(s_data_t *d, size_t n)
{
    memset(d, 0, sizeof *d);
    d->apps = calloc(n, sizeof *d->apps);
    d->ids = calloc(n, sizeof *d->ids);
    uint64_t *seq = malloc(n * sizeof *seq);
    if (!d->apps || !d->ids || !seq) {
        free(seq);
        return -1;
    }
    uint64_t x = S_SEED;
    /* Arrival order: a random permutation of 1..n. */
    for (size_t i = 0; i < n; i++)
        seq[i] = i + 1;
    for (size_t i = n; i > 1; i--) {
        size_t j = (size_t)(s_rand(&x) % i);
        uint64_t t = seq[i - 1];
        seq[i - 1] = seq[j];
        seq[j] = t;
    }
    while (d->n < n) {
        size_t e = d->entities++, prov = s_pick_province(&x), sect = s_pick_sector(&x);
        unsigned r = (unsigned)(s_rand(&x) % 100), products = r < 60 ? 1 : r < 90 ? 2 : 3;
        bool overlapping = s_rand(&x) % 100 < S_OVERLAP_PCT;
        for (unsigned k = 0; k < products && d->n < n; k++) {
            size_t i = d->n++;
            snprintf(d->ids[i][0], sizeof d->ids[i][0], "app-%06zu", i);
            snprintf(d->ids[i][1], sizeof d->ids[i][1], "prd-%06zu", i);
            snprintf(d->ids[i][2], sizeof d->ids[i][2], "ent-%06zu", e);
            size_t s = s_rand(&x) % 100 < S_SAME_SECTOR_PCT ? sect : s_pick_sector(&x);
            d->apps[i] = (pro_application_t){.id = d->ids[i][0],
                                             .product_id = d->ids[i][1],
                                             .entity_id = d->ids[i][2],
                                             .province_code = s_provinces[prov],
                                             .sector_code = s_sectors[s],
                                             .stars = s_pick_stars(&x),
                                             .seq = seq[i],
                                             .overlapping = overlapping};
            d->overlapping_apps += overlapping;
        }
    }
    free(seq);
    return 0;
}

static void s_data_free(s_data_t *d)
{
    free(d->apps);
    free(d->ids);
}

/* ---- timing and what was allocated ---- */

static size_t s_index_of(const char *const *list, size_t n, const char *code)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(list[i], code) == 0)
            return i;
    return 0;
}

static int s_cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static void s_describe(const s_data_t *d, const pro_allocation_t *out, s_result_t *r)
{
    r->booked = out->n_booked;
    r->waiting = out->n_waiting;
    r->refused = d->n - out->n_booked - out->n_waiting;
    size_t per_prov[S_N_PROV] = {0}, per_group[S_N_PROV][S_N_SECT] = {{0}};
    const char **entities = malloc((out->n_booked ? out->n_booked : 1) * sizeof *entities);
    for (size_t b = 0; b < out->n_booked; b++) {
        const pro_application_t *a = &d->apps[out->booked[b]];
        size_t p = s_index_of(s_provinces, S_N_PROV, a->province_code);
        size_t s = s_index_of(s_sectors, S_N_SECT, a->sector_code);
        per_prov[p]++;
        per_group[p][s]++;
        r->stars[a->stars - 3]++;
        for (size_t f = 0; f < S_N_FOCUS; f++)
            r->focus += strcmp(a->sector_code, s_focus[f]) == 0;
        r->overlapping_booked += a->overlapping;
        if (entities)
            entities[b] = a->entity_id;
    }
    r->prov_min = SIZE_MAX;
    for (size_t p = 0; p < S_N_PROV; p++) {
        r->prov_min = per_prov[p] < r->prov_min ? per_prov[p] : r->prov_min;
        r->prov_max = per_prov[p] > r->prov_max ? per_prov[p] : r->prov_max;
        r->prov_booked += per_prov[p] > 0;
        for (size_t s = 0; s < S_N_SECT; s++)
            r->groups_booked += per_group[p][s] > 0;
    }
    if (entities) {
        qsort(entities, out->n_booked, sizeof *entities, s_cmp_str);
        for (size_t b = 1; b < out->n_booked; b++)
            if (strcmp(entities[b - 1], entities[b]) == 0 && (b < 2 || strcmp(entities[b - 2], entities[b]) != 0))
                r->entities_multi++;
    }
    free(entities);
}

static int s_time(const s_args_t *a, const s_data_t *d, const pro_fair_view_t *fair, s_result_t *r)
{
    size_t n = d->n ? d->n : 1;
    size_t *lists = malloc(4 * n * sizeof *lists);
    int64_t *samples = malloc(a->runs * sizeof *samples);
    if (!lists || !samples) {
        free(lists);
        free(samples);
        fprintf(stderr, "bench_promotion: out of memory\n");
        return -1;
    }
    pro_allocation_t first = {.booked = lists, .waiting = lists + n};
    pro_allocation_t out = {.booked = lists + 2 * n, .waiting = lists + 3 * n};
    char err[256];
    int rc = pro_strategy_run(r->s, fair, d->apps, d->n, &first, err, sizeof err); /* warm-up */
    r->same = true;
    for (size_t k = 0; k < a->runs && rc == 0; k++) {
        int64_t t0 = bench_now_ns();
        rc = pro_strategy_run(r->s, fair, d->apps, d->n, &out, err, sizeof err);
        samples[k] = bench_now_ns() - t0;
        if (rc == 0 && (out.n_booked != first.n_booked || out.n_waiting != first.n_waiting ||
                        memcmp(out.booked, first.booked, out.n_booked * sizeof *out.booked) != 0 ||
                        memcmp(out.waiting, first.waiting, out.n_waiting * sizeof *out.waiting) != 0))
            r->same = false;
    }
    if (rc == 0) {
        bench_percentiles(samples, a->runs, &r->t);
        s_describe(d, &first, r);
    } else {
        fprintf(stderr, "bench_promotion: %s: %s\n", r->s->name, err);
    }
    free(lists);
    free(samples);
    return rc;
}

/* ---- the report ---- */

static void s_print(const s_result_t *r, size_t n_results)
{
    printf("%-26s %10s %10s %10s %7s %7s %7s %9s %7s %14s %6s %6s\n", "strategy", "median us", "min us", "max us",
           "booked", "waiting", "refused", "per prov", "groups", "5/4/3 stars", "focus", "multi");
    for (size_t i = 0; i < n_results; i++) {
        const s_result_t *x = &r[i];
        char prov[32], stars[32];
        snprintf(prov, sizeof prov, "%zu-%zu", x->prov_min, x->prov_max);
        snprintf(stars, sizeof stars, "%zu/%zu/%zu", x->stars[2], x->stars[1], x->stars[0]);
        printf("%-26s %10.0f %10.0f %10.0f %7zu %7zu %7zu %9s %7zu %14s %6zu %6zu%s\n", x->s->name, x->t.p50_us,
               x->t.min_us, x->t.max_us, x->booked, x->waiting, x->refused, prov, x->groups_booked, stars, x->focus,
               x->entities_multi, x->same ? "" : "  (runs differ!)");
    }
}

static double s_pct(size_t part, size_t whole)
{
    return whole ? 100.0 * (double)part / (double)whole : 0.0;
}

static void s_markdown(const bench_context_t *ctx, const s_args_t *a, const s_data_t *d, const s_result_t *r,
                       size_t n_results, const bench_cascade_result_t *cascade, bench_text_t *md)
{
    size_t stars[3] = {0}, focus = 0, groups = 0;
    bool group_has[S_N_PROV][S_N_SECT] = {{false}};
    for (size_t i = 0; i < d->n; i++) {
        stars[d->apps[i].stars - 3]++;
        if (!d->apps[i].overlapping)
            group_has[s_index_of(s_provinces, S_N_PROV, d->apps[i].province_code)]
                     [s_index_of(s_sectors, S_N_SECT, d->apps[i].sector_code)] = true;
        for (size_t f = 0; f < S_N_FOCUS; f++)
            focus += strcmp(d->apps[i].sector_code, s_focus[f]) == 0;
    }
    for (size_t p = 0; p < S_N_PROV; p++)
        for (size_t g = 0; g < S_N_SECT; g++)
            groups += group_has[p][g];
    bench_text_printf(md, "%s\n## Promotion: booth allocation strategies and the revocation cascade\n\n", S_MARK_BEGIN);
    bench_text_printf(md, "One run of `bench_promotion` on %s: %s, %d cores, %s build%s.\n\n", ctx->date, ctx->cpu,
                      ctx->cores, ctx->build_type, ctx->quick ? " (--quick)" : "");
    bench_text_printf(md, "### Booth allocation strategies\n\n");
    bench_text_printf(
        md,
        "What it measures: one fair allocated by every registered strategy through `pro_strategy_run`, the call the "
        "promotion service makes (the strategy's `allocate` and the contract checks on its result), in-process with "
        "no service, store or network. The fair has %zu booths and %zu applications generated from a fixed seed: "
        "%zu entities with one to three products each (60/30/10 %%), spread over the 34 provinces of the 2025 map "
        "with fixed weights of 1 to 5 and over the 6 sectors of Decision 148 in rough shares of 60/15/12/8/3/2 %% "
        "(an entity's products share its province and, four times in five, its sector); stars 3/4/5 drawn in the "
        "national shares 67/31/2 %% (here %zu/%zu/%zu applications); %d %% of entities already at a fair with "
        "overlapping dates (%zu applications); arrival order (seq) a random permutation; focus sectors 3 and 6 "
        "(%zu applications). %zu of the 204 (province, sector) groups have an application that is not refused. Each "
        "strategy runs once to warm up, then %zu timed runs; the median is the figure, and "
        "every run must give the same allocation as the first.\n\n",
        a->booths, d->n, d->entities, stars[0], stars[1], stars[2], S_OVERLAP_PCT, d->overlapping_apps, focus, groups,
        a->runs);
    bool met = n_results > 0;
    bench_text_printf(md, "| aim | result |\n|---|---|\n| **allocation of a fair with 10,000 applications and 400 "
                          "booths < 100 ms** | ");
    for (size_t i = 0; i < n_results; i++) {
        bench_text_printf(md, "%s`%s` **%.1f ms**", i ? ", " : "", r[i].s->name, r[i].t.p50_us / 1000.0);
        met = met && r[i].t.p50_us < S_AIM_US;
    }
    bool sized = d->n == S_APPS && a->booths == S_BOOTHS;
    bench_text_printf(md, " (median%s) — %s |\n\n", sized ? "" : ", at the sizes above, not the aim's",
                      met ? "met" : "not met");
    bench_text_printf(md, "| strategy | median µs | min µs | max µs | booked | waiting | refused | booths per province "
                          "(min–max of 34) | provinces with a booth | (province, sector) groups with a booth | "
                          "booked 5★/4★/3★ | booked in focus sectors | entities with 2+ booths | same every run |\n"
                          "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|\n");
    for (size_t i = 0; i < n_results; i++) {
        const s_result_t *x = &r[i];
        bench_text_printf(md,
                          "| `%s` | %.0f | %.0f | %.0f | %zu | %zu | %zu | %zu–%zu | %zu | %zu | %zu/%zu/%zu | %zu "
                          "(%.0f %%) | %zu | %s |\n",
                          x->s->name, x->t.p50_us, x->t.min_us, x->t.max_us, x->booked, x->waiting, x->refused,
                          x->prov_min, x->prov_max, x->prov_booked, x->groups_booked, x->stars[2], x->stars[1],
                          x->stars[0], x->focus, s_pct(x->focus, x->booked), x->entities_multi,
                          x->same ? "yes" : "**no**");
    }
    bench_text_printf(md, "\nRefused applications are those of entities at an overlapping fair.\n\n");
    bench_cascade_markdown(cascade, md);
    bench_text_printf(md, "%s\n", S_MARK_END);
}

int main(int argc, char **argv)
{
    s_args_t a;
    if (s_parse(argc, argv, &a) != 0)
        return 2;
    if (sodium_init() < 0)
        return 1;
    /* The cascade runs the services through the integration-test harness. */
    setenv("OCOP_BINARY_DIR", BENCH_BINARY_DIR, 0);
    setenv("OCOP_SOURCE_DIR", BENCH_SOURCE_DIR, 0);
    if (a.booths > UINT32_MAX) {
        fprintf(stderr, "bench_promotion: too many booths\n");
        return 2;
    }
    s_data_t d;
    if (s_data_make(&d, a.apps) != 0) {
        fprintf(stderr, "bench_promotion: out of memory building %zu applications\n", a.apps);
        s_data_free(&d);
        return 1;
    }
    bench_context_t ctx;
    bench_context_init(&ctx, a.quick, BENCH_BUILD_TYPE);
    pro_fair_view_t fair = {.id = "bench-fair",
                            .province_code = "01",
                            .booths = (uint32_t)a.booths,
                            .focus_sectors = s_focus,
                            .n_focus = S_N_FOCUS};
    const pro_strategy_t *list[S_MAX_STRATEGIES];
    size_t n_strategies = pro_strategy_list(list, S_MAX_STRATEGIES);
    if (n_strategies > S_MAX_STRATEGIES)
        n_strategies = S_MAX_STRATEGIES;
    printf("bench_promotion%s: %zu applications (%zu entities, %zu at an overlapping fair), %zu booths, %zu "
           "strategies, %zu timed runs each, %s build\n",
           a.quick ? " --quick" : "", d.n, d.entities, d.overlapping_apps, a.booths, n_strategies, a.runs,
           BENCH_BUILD_TYPE);
    s_result_t results[S_MAX_STRATEGIES];
    memset(results, 0, sizeof results);
    int rc = n_strategies > 0 ? 0 : -1;
    for (size_t i = 0; i < n_strategies && rc == 0; i++) {
        results[i].s = list[i];
        rc = s_time(&a, &d, &fair, &results[i]);
    }
    if (rc == 0) {
        s_print(results, n_strategies);
        bool met = true;
        for (size_t i = 0; i < n_strategies; i++)
            met = met && results[i].t.p50_us < S_AIM_US;
        printf("aim: allocation < 100 ms — %s\n", met ? "met" : "not met");
        fflush(stdout);
    }
    bench_cascade_result_t cascade;
    memset(&cascade, 0, sizeof cascade);
    if (rc == 0 && a.cascade) {
        printf("cascade: %zu products (%zu waiting at the fair), %zu revocations; binaries of %s, rules of %s\n",
               a.products, a.waiting, a.revocations, getenv("OCOP_BINARY_DIR"), getenv("OCOP_SOURCE_DIR"));
        fflush(stdout);
        bench_cascade_args_t ca = {.products = a.products,
                                   .waiting = a.waiting,
                                   .revocations = a.revocations,
                                   .poll_ms = (unsigned)a.poll_ms,
                                   .seed = 1489};
        rc = bench_cascade_run(&ca, &cascade);
        if (rc == 0)
            bench_cascade_print(&cascade, stdout);
    }
    if (rc == 0 && a.write) {
        bench_text_t md = {0};
        s_markdown(&ctx, &a, &d, results, n_strategies, &cascade, &md);
        rc = bench_docs_write(a.out, S_MARK_BEGIN, S_MARK_END, "promotion", &md);
    }
    if (rc != 0) {
        fprintf(stderr, "bench_promotion: FAILED (nothing written)\n");
    }
    s_data_free(&d);
    return rc == 0 ? 0 : 1;
}
