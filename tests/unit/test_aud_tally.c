/* aud_tally and aud_reports: every report read from the tallies kept at intake equals a full
 * recount of the same results, computed here straight from the definitions (no tallies), for
 * each kind under several filters, windows and pages; and each row's entries, paged, are the
 * results the recount finds in its group. */
#include <lmdb.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "aud_reports.h"
#include "aud_tally.h"
#include "ocop_arena.h"
#include "unit_tmpdir.h"

#define T_RESULTS 2400
#define T_MEMBERS 5

typedef struct {
    uint64_t entry;
    char council[16], province[4], year[8], session[16], product[16];
    Ocop__EvalLevel level;
    unsigned stars, rounds;
    double mean, first_spread, final_spread;
    size_t n_first;
    char member[T_MEMBERS][4];
    double total[T_MEMBERS];
} t_result_t;

typedef struct {
    char dir[UNIT_TMPDIR_LEN];
    MDB_env *env;
    aud_tally_db_t db;
    t_result_t *results;
    size_t n;
} t_world_t;

/* ---------------------------------------------------------------- the results */

static uint64_t s_rand_state = 0x9e3779b97f4a7c15u;

static unsigned s_rand(unsigned n)
{
    s_rand_state ^= s_rand_state << 13;
    s_rand_state ^= s_rand_state >> 7;
    s_rand_state ^= s_rand_state << 17;
    return (unsigned)(s_rand_state % n);
}

/* Means on and around the cut-offs and the histogram's ends, and everywhere between. */
static double s_mean(void)
{
    static const double edges[] = {39.99, 40.0, 48.0, 49.95, 50.0, 52.0, 68.0,  69.9,  70.0,
                                   71.9,  72.0, 80.0, 89.95, 90.0, 99.9, 100.0, 60.05, 30.0};
    if (s_rand(5) == 0)
        return edges[s_rand(sizeof edges / sizeof edges[0])];
    return 30 + s_rand(7001) / 100.0;
}

static void s_make(t_result_t *r, size_t i)
{
    static const char *const provinces[] = {"01", "02", "79"};
    memset(r, 0, sizeof *r);
    r->entry = 3 * (uint64_t)i + i % 2; /* other events between the results */
    snprintf(r->province, sizeof r->province, "%s", provinces[s_rand(3)]);
    snprintf(r->year, sizeof r->year, "%s", s_rand(3) ? "2026" : "2025");
    r->level = s_rand(6) == 0 ? OCOP__EVAL_LEVEL__EVAL_LEVEL_CENTRAL : OCOP__EVAL_LEVEL__EVAL_LEVEL_PROVINCE;
    if (r->level == OCOP__EVAL_LEVEL__EVAL_LEVEL_CENTRAL)
        snprintf(r->council, sizeof r->council, "CEN");
    else
        snprintf(r->council, sizeof r->council, "C%s-%u", r->province, 1 + s_rand(3));
    snprintf(r->session, sizeof r->session, "S%zu", i / 20);
    snprintf(r->product, sizeof r->product, "P%s-%u", r->province, s_rand(300));
    r->mean = s_mean();
    r->stars = r->mean >= 90 ? 5 : r->mean >= 70 ? 4 : r->mean >= 50 ? 3 : s_rand(3);
    r->rounds = 1 + s_rand(3);
    r->n_first = s_rand(T_MEMBERS + 1); /* 0 and 1 leave no deviation */
    double lo = 100, hi = 0;
    for (size_t m = 0; m < r->n_first; m++) {
        snprintf(r->member[m], sizeof r->member[m], "m%zu", m + 1);
        r->total[m] = r->mean - 8 + s_rand(1601) / 100.0 + (strcmp(r->council, "C01-1") == 0 && m == 0 ? 3 : 0);
        lo = r->total[m] < lo ? r->total[m] : lo;
        hi = r->total[m] > hi ? r->total[m] : hi;
    }
    r->first_spread = r->n_first ? hi - lo : 0;
    r->final_spread = s_rand(1000) / 100.0;
}

/* The result as the evaluation service logs it, with later-round and phase-2 sheets that the
 * reports must leave out. */
static int s_tally(MDB_txn *txn, const aud_tally_db_t *db, const t_result_t *r)
{
    Ocop__EvalSessionProduct result = OCOP__EVAL_SESSION_PRODUCT__INIT;
    result.product_id = (char *)r->product;
    result.stars = r->stars;
    result.round = r->rounds;
    result.mean = r->mean;
    result.first_round_spread = r->first_spread;
    result.final_spread = r->final_spread;
    Ocop__EvalSheet sheets[2 * T_MEMBERS + 1], *ptrs[2 * T_MEMBERS + 1];
    size_t n = 0;
    for (size_t m = 0; m < r->n_first; m++) {
        ocop__eval_sheet__init(&sheets[n]);
        sheets[n].member_id = (char *)r->member[m];
        sheets[n].phase = 1;
        sheets[n].round = 1;
        sheets[n].total = r->total[m];
        ptrs[n] = &sheets[n];
        n++;
        ocop__eval_sheet__init(&sheets[n]);
        sheets[n].member_id = (char *)r->member[m];
        sheets[n].phase = m % 2 ? 2 : 1;
        sheets[n].round = m % 2 ? 1 : 2;
        sheets[n].total = 5;
        ptrs[n] = &sheets[n];
        n++;
    }
    Ocop__EvalResultDisclosed ev = OCOP__EVAL_RESULT_DISCLOSED__INIT;
    char date[16];
    snprintf(date, sizeof date, "%s-06-01", r->year);
    ev.session_id = (char *)r->session;
    ev.council_id = (char *)r->council;
    ev.level = r->level;
    ev.province_code = (char *)r->province;
    ev.date = date;
    ev.result = &result;
    ev.sheets = ptrs;
    ev.n_sheets = n;
    return aud_tally_result(txn, db, r->entry, &ev);
}

static int s_setup(void **state)
{
    t_world_t *w = calloc(1, sizeof *w);
    if (!w || !unit_tmpdir(w->dir))
        return -1;
    MDB_txn *txn;
    if (mdb_env_create(&w->env) || mdb_env_set_maxdbs(w->env, 4) || mdb_env_set_mapsize(w->env, 256u << 20) ||
        mdb_env_open(w->env, w->dir, MDB_NOSYNC, 0600) || mdb_txn_begin(w->env, NULL, 0, &txn) ||
        mdb_dbi_open(txn, "sums", MDB_CREATE, &w->db.sums) ||
        mdb_dbi_open(txn, AUD_TALLY_ENTRIES_TABLE, MDB_CREATE | MDB_DUPSORT, &w->db.entries) || mdb_txn_commit(txn))
        return -1;
    w->n = T_RESULTS;
    w->results = calloc(w->n, sizeof *w->results);
    for (size_t i = 0; i < w->n; i++)
        s_make(&w->results[i], i);
    /* As intake takes them: in log order, a few hundred per commit. */
    for (size_t i = 0; i < w->n;) {
        if (mdb_txn_begin(w->env, NULL, 0, &txn) != 0)
            return -1;
        for (size_t end = i + 1 + s_rand(400); i < w->n && i < end; i++)
            if (s_tally(txn, &w->db, &w->results[i]) != 0)
                return -1;
        if (mdb_txn_commit(txn) != 0)
            return -1;
    }
    *state = w;
    return 0;
}

static int s_teardown(void **state)
{
    t_world_t *w = *state;
    mdb_env_close(w->env);
    test_rmtree(w->dir);
    free(w->results);
    free(w);
    return 0;
}

/* ---------------------------------------------------------------- the recount */

#define T_VALUES 12

typedef struct {
    char group[64];
    uint64_t sample;
    const char *names[T_VALUES];
    double values[T_VALUES];
    size_t n_values;
    uint64_t *entries;
    size_t n_entries;
    const char *family, *tally_group; /* where aud_tally_entries finds them */
    unsigned year;
} t_row_t;

typedef struct {
    t_row_t *rows; /* room for a row per result */
    size_t n;
} t_report_t;

static t_report_t *s_report_new(void)
{
    t_report_t *rep = calloc(1, sizeof *rep);
    rep->rows = calloc(T_RESULTS, sizeof *rep->rows);
    return rep;
}

static void s_report_free(t_report_t *rep, int entries)
{
    for (size_t i = 0; entries && i < rep->n; i++)
        free(rep->rows[i].entries);
    free(rep->rows);
    free(rep);
}

typedef struct {
    const char *kind, *province;
    unsigned year, min_sample;
    double window;
} t_query_t;

static int s_in(const t_query_t *q, const t_result_t *r)
{
    return (!q->province || strcmp(q->province, r->province) == 0) && (!q->year || (unsigned)atoi(r->year) == q->year);
}

static t_row_t *s_find(t_report_t *rep, const char *group)
{
    for (size_t i = 0; i < rep->n; i++)
        if (strcmp(rep->rows[i].group, group) == 0)
            return &rep->rows[i];
    return NULL;
}

/* The row of group, made (in order of first sight) when absent. */
static t_row_t *s_group(t_report_t *rep, const char *group, const char *family, const char *tally_group, unsigned year,
                        size_t cap)
{
    t_row_t *row = s_find(rep, group);
    if (row)
        return row;
    assert_true(rep->n < T_RESULTS);
    row = &rep->rows[rep->n++];
    memset(row, 0, sizeof *row);
    snprintf(row->group, sizeof row->group, "%s", group);
    row->family = family;
    row->tally_group = tally_group;
    row->year = year;
    row->entries = calloc(cap, sizeof *row->entries);
    return row;
}

static void s_put(t_row_t *row, const char *name, double value)
{
    row->names[row->n_values] = name;
    row->values[row->n_values++] = value;
}

static void s_bunching_values(const t_world_t *w, t_row_t *row, unsigned tenths)
{
    static const unsigned cuts[] = {500, 700, 900};
    static const char *const names[3][3] = {
        {"below_50", "above_50", "z_50"}, {"below_70", "above_70", "z_70"}, {"below_90", "above_90", "z_90"}};
    for (int c = 0; c < 3; c++) {
        double below = 0, above = 0;
        for (size_t i = 0; i < row->n_entries; i++)
            for (size_t k = 0; k < w->n; k++)
                if (w->results[k].entry == row->entries[i]) {
                    double m = w->results[k].mean;
                    below += m >= (cuts[c] - tenths) / 10.0 && m < cuts[c] / 10.0;
                    above += m >= cuts[c] / 10.0 && m < (cuts[c] + tenths) / 10.0;
                }
        s_put(row, names[c][0], below);
        s_put(row, names[c][1], above);
        s_put(row, names[c][2], below + above > 0 ? (above - below) / sqrt(below + above) : 0);
    }
    row->sample = row->n_entries;
}

static void s_recount_bunching(const t_world_t *w, const t_query_t *q, t_report_t *rep)
{
    unsigned tenths = q->window > 0 ? (unsigned)lround(q->window * 10) : 20;
    char group[64];
    t_report_t *councils = s_report_new(), *provinces = s_report_new();
    for (size_t i = 0; i < w->n; i++) {
        const t_result_t *r = &w->results[i];
        if (!s_in(q, r))
            continue;
        snprintf(group, sizeof group, "council %s", r->council);
        t_row_t *row = s_group(councils, group, AUD_TALLY_COUNCIL, r->council, 0, w->n);
        row->entries[row->n_entries++] = r->entry;
        snprintf(group, sizeof group, "province %s %s", r->province, r->year);
        row = s_group(provinces, group, AUD_TALLY_PROVINCE, r->province, (unsigned)atoi(r->year), w->n);
        row->entries[row->n_entries++] = r->entry;
    }
    for (size_t i = 0; i < councils->n; i++)
        rep->rows[rep->n++] = councils->rows[i];
    for (size_t i = 0; i < provinces->n; i++)
        rep->rows[rep->n++] = provinces->rows[i];
    for (size_t i = 0; i < rep->n; i++)
        s_bunching_values(w, &rep->rows[i], tenths);
    s_report_free(councils, 0);
    s_report_free(provinces, 0);
}

static int s_cmp_group(const void *a, const void *b)
{
    return strcmp(((const t_row_t *)a)->group, ((const t_row_t *)b)->group);
}

static void s_recount_leniency(const t_world_t *w, const t_query_t *q, t_report_t *rep)
{
    unsigned min = q->min_sample ? q->min_sample : 20;
    t_report_t *all = s_report_new();
    double *devs = calloc(w->n * T_MEMBERS, sizeof *devs);
    size_t *owner = calloc(w->n * T_MEMBERS, sizeof *owner), n_devs = 0;
    for (size_t i = 0; i < w->n; i++) {
        const t_result_t *r = &w->results[i];
        if (!s_in(q, r) || r->n_first < 2)
            continue;
        double sum = 0;
        for (size_t m = 0; m < r->n_first; m++)
            sum += r->total[m];
        for (size_t m = 0; m < r->n_first; m++) {
            char group[64], key[32];
            snprintf(key, sizeof key, "%s/%s", r->council, r->member[m]);
            snprintf(group, sizeof group, "member %s", key);
            t_row_t *row = s_group(all, group, AUD_TALLY_MEMBER, NULL, 0, w->n);
            row->entries[row->n_entries++] = r->entry;
            devs[n_devs] = r->total[m] - (sum - r->total[m]) / (double)(r->n_first - 1);
            owner[n_devs++] = (size_t)(row - all->rows);
        }
    }
    for (size_t g = 0; g < all->n; g++) {
        t_row_t *row = &all->rows[g];
        double sum = 0, sq = 0, n = (double)row->n_entries;
        for (size_t d = 0; d < n_devs; d++)
            sum += owner[d] == g ? devs[d] : 0;
        for (size_t d = 0; d < n_devs; d++)
            sq += owner[d] == g ? (devs[d] - sum / n) * (devs[d] - sum / n) : 0;
        double sd = n > 1 ? sqrt(sq / (n - 1)) : 0;
        s_put(row, "mean_deviation", sum / n);
        s_put(row, "sd", sd);
        s_put(row, "z", sd > 0 ? (sum / n) / (sd / sqrt(n)) : 0);
        row->sample = row->n_entries;
    }
    qsort(all->rows, all->n, sizeof all->rows[0], s_cmp_group);
    for (size_t g = 0; g < all->n; g++)
        if (all->rows[g].n_entries >= min)
            rep->rows[rep->n++] = all->rows[g];
        else
            free(all->rows[g].entries);
    s_report_free(all, 0);
    free(devs);
    free(owner);
}

static void s_recount_spread(const t_world_t *w, const t_query_t *q, t_report_t *rep)
{
    for (size_t i = 0; i < w->n; i++) {
        const t_result_t *r = &w->results[i];
        if (!s_in(q, r) || !(r->first_spread > AUD_TALLY_SPREAD_LIMIT))
            continue;
        char group[64];
        snprintf(group, sizeof group, "session %s product %s", r->session, r->product);
        t_row_t *row = &rep->rows[rep->n++];
        memset(row, 0, sizeof *row);
        snprintf(row->group, sizeof row->group, "%s", group);
        s_put(row, "first_round_spread", r->first_spread);
        s_put(row, "last_round_spread", r->final_spread);
        s_put(row, "rounds", r->rounds);
        s_put(row, "converged", r->first_spread - r->final_spread);
        row->entries = calloc(1, sizeof *row->entries);
        row->entries[row->n_entries++] = r->entry;
        row->sample = 1;
    }
}

static void s_shares(t_row_t *row, const double counts[6], const char *const names[3])
{
    double total = counts[3] + counts[4] + counts[5];
    for (int s = 3; s <= 5; s++)
        s_put(row, names[s - 3], total ? counts[s] / total : 0);
}

static void s_recount_distribution(const t_world_t *w, const t_query_t *q, t_report_t *rep)
{
    static const char *const province_names[] = {"share3", "share4", "share5"};
    static const char *const national_names[] = {"national_share3", "national_share4", "national_share5"};
    double national[6] = {0};
    for (size_t i = 0; i < w->n; i++) {
        const t_result_t *r = &w->results[i];
        if ((!q->year || (unsigned)atoi(r->year) == q->year) && r->level == OCOP__EVAL_LEVEL__EVAL_LEVEL_PROVINCE)
            national[r->stars]++;
    }
    double(*counts)[6] = calloc(T_RESULTS, sizeof *counts), *gap = calloc(T_RESULTS, sizeof *gap),
    *rescored = calloc(T_RESULTS, sizeof *rescored);
    for (size_t i = 0; i < w->n; i++) {
        const t_result_t *r = &w->results[i];
        if (!s_in(q, r))
            continue;
        char group[64];
        snprintf(group, sizeof group, "province %s", r->province);
        t_row_t *row = s_group(rep, group, AUD_TALLY_PROVINCE, w->results[i].province, 0, w->n);
        size_t g = (size_t)(row - rep->rows);
        row->entries[row->n_entries++] = r->entry;
        if (r->level == OCOP__EVAL_LEVEL__EVAL_LEVEL_PROVINCE)
            counts[g][r->stars]++;
        if (r->level != OCOP__EVAL_LEVEL__EVAL_LEVEL_CENTRAL)
            continue;
        for (size_t k = i; k-- > 0;) /* the product's latest province result, whatever the filters */
            if (w->results[k].level == OCOP__EVAL_LEVEL__EVAL_LEVEL_PROVINCE &&
                strcmp(w->results[k].product, r->product) == 0) {
                gap[g] += w->results[k].mean - r->mean;
                rescored[g]++;
                break;
            }
    }
    for (size_t g = 0; g < rep->n; g++) {
        t_row_t *row = &rep->rows[g];
        s_shares(row, counts[g], province_names);
        s_shares(row, national, national_names);
        s_put(row, "rescored", rescored[g]);
        s_put(row, "mean_gap", rescored[g] ? gap[g] / rescored[g] : 0);
        row->sample = (uint64_t)(counts[g][3] + counts[g][4] + counts[g][5]);
    }
    free(counts);
    free(gap);
    free(rescored);
}

/* ---------------------------------------------------------------- comparing */

static int s_close(double a, double b)
{
    return fabs(a - b) <= 1e-9 * (1 + fabs(a) + fabs(b));
}

/* The row's entries as aud_tally_entries pages them, max at a time, against the recount's. */
static void s_check_entries(const t_world_t *w, MDB_txn *txn, const t_query_t *q, const t_row_t *want)
{
    if (!want->family)
        return;
    const char *group = want->tally_group ? want->tally_group : want->group + strlen("member ");
    uint64_t page[7], cursor = 0, next;
    size_t got = 0, n;
    do {
        assert_int_equal(aud_tally_entries(txn, &w->db, want->family, group, q->province ? q->province : "",
                                           want->year ? want->year : q->year, cursor, page, 7, &n, &next),
                         0);
        for (size_t i = 0; i < n; i++, got++) {
            assert_true(got < want->n_entries);
            assert_int_equal(page[i], want->entries[got]);
        }
        cursor = next;
    } while (next);
    assert_int_equal(got, want->n_entries);
}

/* Compares the report with the recount; the recount's number of rows. */
static size_t s_compare(const t_world_t *w, const t_query_t *q, uint32_t offset, uint32_t limit)
{
    t_report_t *want = s_report_new();
    if (strcmp(q->kind, "bunching") == 0)
        s_recount_bunching(w, q, want);
    else if (strcmp(q->kind, "leniency") == 0)
        s_recount_leniency(w, q, want);
    else if (strcmp(q->kind, "spread") == 0)
        s_recount_spread(w, q, want);
    else
        s_recount_distribution(w, q, want);

    Ocop__AudReportGet in = OCOP__AUD_REPORT_GET__INIT;
    in.kind = (char *)q->kind;
    in.province_code = (char *)(q->province ? q->province : "");
    in.year = q->year;
    in.min_sample = q->min_sample;
    in.window = q->window;
    in.offset = offset;
    in.limit = limit;
    MDB_txn *txn;
    assert_int_equal(mdb_txn_begin(w->env, NULL, MDB_RDONLY, &txn), 0);
    ocop_arena_t *arena = ocop_arena_new(64 * 1024);
    Ocop__AudReport rep = OCOP__AUD_REPORT__INIT;
    assert_int_equal(aud_reports_build(txn, &w->db, &in, arena, &rep), 0);
    assert_int_equal(rep.total_rows, want->n);
    size_t from = offset < want->n ? offset : want->n;
    size_t expect = limit && limit < want->n - from ? limit : want->n - from;
    assert_int_equal(rep.n_rows, expect);
    for (size_t i = 0; i < rep.n_rows; i++) {
        const Ocop__AudReportRow *got = rep.rows[i];
        const t_row_t *row = &want->rows[from + i];
        if (strcmp(got->group, row->group) != 0)
            fail_msg("%s row %zu: '%s', the recount has '%s'", q->kind, from + i, got->group, row->group);
        assert_int_equal(got->sample, row->sample);
        assert_int_equal(got->n_values, row->n_values);
        for (size_t v = 0; v < row->n_values; v++) {
            assert_string_equal(got->values[v]->name, row->names[v]);
            if (!s_close(got->values[v]->value, row->values[v]))
                fail_msg("%s %s %s: %.12g, the recount %.12g", q->kind, row->group, row->names[v],
                         got->values[v]->value, row->values[v]);
        }
        if (!row->family) { /* spread: the row names its entry */
            assert_int_equal(got->n_entries, 1);
            assert_int_equal(got->entries[0], row->entries[0]);
        }
        s_check_entries(w, txn, q, row);
    }
    mdb_txn_abort(txn);
    ocop_arena_destroy(&arena);
    size_t n = want->n;
    s_report_free(want, 1);
    return n;
}

/* ---------------------------------------------------------------- tests */

static void test_tenths_are_exact_at_the_cut_offs(void **state)
{
    (void)state;
    assert_int_equal(aud_tally_tenths(70.0), 700);
    assert_int_equal(aud_tally_tenths(69.99999999999999), 699);
    assert_int_equal(aud_tally_tenths(69.9), 699);
    assert_int_equal(aud_tally_tenths(0.3), 3);
    assert_int_equal(aud_tally_tenths(100.0), 1000);
    assert_int_equal(aud_tally_tenths(NAN), -1);
    /* For every tenth K and means around it: mean >= K/10 exactly when the bucket is >= K. */
    for (long k = 380; k <= 1000; k++) {
        double at = k / 10.0;
        const double near[] = {at, nextafter(at, 0), nextafter(at, 200), at - 1e-9, at + 1e-9, at - 0.05};
        for (size_t i = 0; i < sizeof near / sizeof near[0]; i++)
            assert_true((near[i] >= at) == (aud_tally_tenths(near[i]) >= k));
    }
}

static void test_each_report_equals_a_recount(void **state)
{
    const t_world_t *w = *state;
    static const char *const kinds[] = {"bunching", "leniency", "spread", "distribution"};
    const t_query_t filters[] = {{NULL, NULL, 0, 0, 0},    {NULL, "02", 0, 0, 0},   {NULL, NULL, 2026, 0, 0},
                                 {NULL, "79", 2025, 0, 0}, {NULL, NULL, 0, 5, 0.5}, {NULL, "01", 0, 1, 10},
                                 {NULL, NULL, 0, 150, 0.1}};
    for (size_t k = 0; k < sizeof kinds / sizeof kinds[0]; k++)
        for (size_t f = 0; f < sizeof filters / sizeof filters[0]; f++) {
            t_query_t q = filters[f];
            q.kind = kinds[k];
            size_t rows = s_compare(w, &q, 0, 0);
            assert_true(f > 0 || rows >= 3); /* the whole data set has rows of every kind */
        }
}

static void test_rows_are_paged(void **state)
{
    const t_world_t *w = *state;
    t_query_t q = {"bunching", NULL, 0, 0, 0};
    s_compare(w, &q, 0, 3);
    s_compare(w, &q, 5, 4);
    s_compare(w, &q, 10000, 4);
    q.kind = "leniency";
    q.min_sample = 2;
    s_compare(w, &q, 7, 0);
    /* Spread rows are read only up to the page; the total still counts them all. */
    q.kind = "spread";
    s_compare(w, &q, 0, 10);
    s_compare(w, &q, 20, 5);
    q.province = "79";
    q.year = 2026;
    s_compare(w, &q, 3, 4);
}

static void test_bad_windows_are_refused(void **state)
{
    (void)state;
    unsigned t;
    assert_int_equal(aud_reports_window(0, &t), 0);
    assert_int_equal(t, 20);
    assert_int_equal(aud_reports_window(0.3, &t), 0);
    assert_int_equal(t, 3);
    assert_int_equal(aud_reports_window(10, &t), 0);
    assert_int_equal(t, 100);
    assert_int_equal(aud_reports_window(10.1, &t), -1);
    assert_int_equal(aud_reports_window(0.25, &t), -1);
    assert_int_equal(aud_reports_window(-1, &t), -1);
    assert_int_equal(aud_reports_window(NAN, &t), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_tenths_are_exact_at_the_cut_offs),
        cmocka_unit_test(test_bad_windows_are_refused),
        cmocka_unit_test(test_each_report_equals_a_recount),
        cmocka_unit_test(test_rows_are_paged),
    };
    return cmocka_run_group_tests(tests, s_setup, s_teardown);
}
