/* aud_reports — integrity reports that make grade inflation visible, read from the tallies the
 * intake keeps of every evaluation result in the log (aud_tally.h): a report costs a few records
 * per row, whatever the size of the log. Every row can name the log entries it was computed
 * from (aud_report_requests.c). */
#include "aud_reports.h"

#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ocop_error.h"

#define S_CUTS 3

static const unsigned s_cuts[S_CUTS] = {500, 700, 900}; /* tenths of a point: the 3, 4 and 5 star bands */

/* A row and the entry that orders it (its group's first result in the log). */
typedef struct {
    uint64_t first;
    Ocop__AudReportRow *row;
} s_row_t;

typedef struct {
    ocop_arena_t *arena;
    MDB_txn *txn;
    const aud_tally_db_t *db;
    const Ocop__AudReportGet *in;
    unsigned window; /* bunching: tenths of a point */
    Ocop__AudReport *report;
    s_row_t *rows;
    size_t n_rows, cap_rows;
    size_t enough;        /* rows a builder that can stop early needs: offset + limit (SIZE_MAX: all) */
    uint64_t total;       /* the report's rows, when a builder stopped early; else n_rows */
    uint64_t national[6]; /* distribution: province-level results by stars, every province */
    int error;            /* set when a row could not be allocated (ENOMEM) */
} s_build_t;

static int s_passes(const s_build_t *b, const char *province, const char *year)
{
    return (!*b->in->province_code || strcmp(province, b->in->province_code) == 0) &&
           (!b->in->year || (unsigned)atoi(year) == b->in->year);
}

/* ---------------------------------------------------------------- rows */

static Ocop__AudReportRow *s_row(s_build_t *b, uint64_t first, const char *group, uint64_t sample)
{
    Ocop__AudReportRow *row = ocop_arena_alloc(b->arena, sizeof *row);
    if (!row || !(b->rows = ocop_arena_grow(b->arena, b->rows, b->n_rows, &b->cap_rows, sizeof *b->rows)))
        return NULL;
    ocop__aud_report_row__init(row);
    row->group = ocop_arena_strdup(b->arena, group);
    if (!(row->values = ocop_arena_alloc(b->arena, 16 * sizeof *row->values)))
        return NULL;
    row->sample = sample;
    b->rows[b->n_rows++] = (s_row_t){first, row};
    return row;
}

static void s_value(s_build_t *b, Ocop__AudReportRow *row, const char *name, double value)
{
    Ocop__AudValue *v = ocop_arena_alloc(b->arena, sizeof *v);
    if (!v) {
        b->error = ENOMEM;
        return;
    }
    ocop__aud_value__init(v);
    v->name = (char *)name;
    v->value = value;
    row->values[row->n_values++] = v;
}

static int s_cmp_first(const void *a, const void *b)
{
    const s_row_t *x = a, *y = b;
    return (x->first > y->first) - (x->first < y->first);
}

/* Orders the rows added since from by their group's first result in the log. */
static void s_order_since(s_build_t *b, size_t from)
{
    qsort(b->rows + from, b->n_rows - from, sizeof *b->rows, s_cmp_first);
}

/* ---------------------------------------------------------------- walking the tallies */

/* The figures of one group, summed over the records (provinces, years) the filters let pass. */
typedef struct {
    char group[192];
    uint64_t first, n;
    uint64_t below[S_CUTS], above[S_CUTS];
    double sum, sum_squares;
    uint64_t stars[6], rescored;
    double gap;
} s_acc_t;

typedef struct s_walk s_walk_t;
struct s_walk {
    s_build_t *b;
    const char *label;
    int by_year; /* a row per group and year (bunching's province-year rows) */
    int (*add)(s_walk_t *w, const aud_tally_record_t *rec);
    void (*flush)(s_walk_t *w);
    s_acc_t acc;
    int open;
};

static int s_walk_record(void *user, const aud_tally_record_t *rec)
{
    s_walk_t *w = user;
    if (!s_passes(w->b, rec->province, rec->year))
        return 0;
    char group[sizeof w->acc.group];
    snprintf(group, sizeof group, "%s%s%s", rec->group, w->by_year ? " " : "", w->by_year ? rec->year : "");
    if (w->open && strcmp(group, w->acc.group) != 0) {
        w->flush(w);
        w->open = 0;
    }
    if (!w->open) {
        memset(&w->acc, 0, sizeof w->acc);
        memcpy(w->acc.group, group, sizeof group);
        w->acc.first = UINT64_MAX;
        w->open = 1;
    }
    return w->add(w, rec);
}

static int s_walk(s_walk_t *w, const char *family)
{
    int rc = aud_tally_each(w->b->txn, w->b->db, family, s_walk_record, w);
    if (rc == 0 && w->open)
        w->flush(w);
    return rc;
}

/* A group record's figures, NULL when the record is not one. */
static const aud_tally_group_t *s_group_of(const aud_tally_record_t *rec, aud_tally_group_t *buf)
{
    if (rec->size != sizeof *buf)
        return NULL;
    memcpy(buf, rec->value, sizeof *buf);
    return buf;
}

static void s_count_first(s_acc_t *acc, uint64_t first, uint64_t n)
{
    if (first < acc->first)
        acc->first = first;
    acc->n += n;
}

/* ---------------------------------------------------------------- bunching */

static uint64_t s_tenths_sum(const aud_tally_group_t *g, unsigned from, unsigned to)
{
    uint64_t n = 0;
    for (unsigned t = from; t < to; t++)
        n += g->tenths[t - AUD_TALLY_LOW];
    return n;
}

static int s_bunching_add(s_walk_t *w, const aud_tally_record_t *rec)
{
    aud_tally_group_t buf;
    const aud_tally_group_t *g = s_group_of(rec, &buf);
    if (!g)
        return MDB_CORRUPTED;
    s_count_first(&w->acc, g->first, g->n);
    for (int c = 0; c < S_CUTS; c++) {
        w->acc.below[c] += s_tenths_sum(g, s_cuts[c] - w->b->window, s_cuts[c]);
        w->acc.above[c] += s_tenths_sum(g, s_cuts[c], s_cuts[c] + w->b->window);
    }
    return 0;
}

static void s_bunching_flush(s_walk_t *w)
{
    static const char *const names[S_CUTS][3] = {
        {"below_50", "above_50", "z_50"}, {"below_70", "above_70", "z_70"}, {"below_90", "above_90", "z_90"}};
    char group[256];
    snprintf(group, sizeof group, "%s %s", w->label, w->acc.group);
    Ocop__AudReportRow *row = s_row(w->b, w->acc.first, group, w->acc.n);
    if (!row) {
        w->b->error = ENOMEM;
        return;
    }
    for (int c = 0; c < S_CUTS; c++) {
        double below = (double)w->acc.below[c], above = (double)w->acc.above[c], n = below + above;
        s_value(w->b, row, names[c][0], below);
        s_value(w->b, row, names[c][1], above);
        s_value(w->b, row, names[c][2], n > 0 ? (above - below) / sqrt(n) : 0);
    }
}

static int s_bunching(s_build_t *b)
{
    double w = b->window / 10.0;
    b->report->method = ocop_arena_printf(
        b->arena,
        "For each cut-off c (50, 70, 90 points: the 3, 4 and 5 star bands) and each council and province-year, "
        "n_below counts results whose council mean is in [c-%g, c) and n_above those in [c, c+%g); "
        "z = (n_above - n_below) / sqrt(n_above + n_below) is about N(0,1) when scores are smooth around c, so a "
        "large positive z means means bunch just above the cut-off. sample is the number of results in the group.",
        w, w);
    s_walk_t councils = {.b = b, .label = "council", .add = s_bunching_add, .flush = s_bunching_flush};
    int rc = s_walk(&councils, AUD_TALLY_COUNCIL);
    if (rc != 0)
        return rc;
    s_order_since(b, 0);
    size_t from = b->n_rows;
    s_walk_t provinces = {.b = b, .label = "province", .by_year = 1, .add = s_bunching_add, .flush = s_bunching_flush};
    if ((rc = s_walk(&provinces, AUD_TALLY_PROVINCE)) != 0)
        return rc;
    s_order_since(b, from);
    return 0;
}

/* ---------------------------------------------------------------- leniency */

static int s_leniency_add(s_walk_t *w, const aud_tally_record_t *rec)
{
    aud_tally_member_t m;
    if (rec->size != sizeof m)
        return MDB_CORRUPTED;
    memcpy(&m, rec->value, sizeof m);
    s_count_first(&w->acc, m.first, m.n);
    w->acc.sum += m.sum;
    w->acc.sum_squares += m.sum_squares;
    return 0;
}

static void s_leniency_flush(s_walk_t *w)
{
    const s_acc_t *a = &w->acc;
    unsigned min = w->b->in->min_sample ? w->b->in->min_sample : 20;
    if (a->n < min)
        return;
    char group[256];
    snprintf(group, sizeof group, "member %s", a->group);
    Ocop__AudReportRow *row = s_row(w->b, a->first, group, a->n);
    if (!row) {
        w->b->error = ENOMEM;
        return;
    }
    double n = (double)a->n, mean = a->sum / n;
    double var = a->n > 1 ? (a->sum_squares - a->sum * mean) / (n - 1) : 0;
    double sd = var > 0 ? sqrt(var) : 0;
    s_value(w->b, row, "mean_deviation", mean);
    s_value(w->b, row, "sd", sd);
    s_value(w->b, row, "z", sd > 0 ? mean / (sd / sqrt(n)) : 0);
}

static int s_leniency(s_build_t *b)
{
    b->report->method = ocop_arena_printf(
        b->arena,
        "For every first-round sheet (the independent scores), the member's total minus the mean of the other "
        "members' totals on the same product; per member of a council: the mean deviation d, its standard "
        "deviation s over n sheets, and z = d / (s / sqrt(n)). Members with fewer than %u sheets are not scored. "
        "A large positive z is a member markedly more lenient than the rest of the council. Rows in order of "
        "council and member.",
        b->in->min_sample ? b->in->min_sample : 20);
    s_walk_t members = {.b = b, .add = s_leniency_add, .flush = s_leniency_flush};
    return s_walk(&members, AUD_TALLY_MEMBER);
}

/* ---------------------------------------------------------------- spread */

/* Stops the walk (1) once the page asked for is full. */
static int s_spread_row(void *user, const aud_tally_spread_row_t *r)
{
    s_build_t *b = user;
    if (!s_passes(b, r->province, r->year))
        return 0;
    if (b->n_rows == b->enough)
        return 1;
    char group[256];
    snprintf(group, sizeof group, "session %s product %s", r->session_id, r->product_id);
    Ocop__AudReportRow *row = s_row(b, r->entry, group, 1);
    if (!row)
        return ENOMEM;
    s_value(b, row, "first_round_spread", r->figures.first_round_spread);
    s_value(b, row, "last_round_spread", r->figures.final_spread);
    s_value(b, row, "rounds", r->figures.rounds);
    s_value(b, row, "converged", r->figures.first_round_spread - r->figures.final_spread);
    row->entries = ocop_arena_alloc(b->arena, sizeof *row->entries);
    row->entries[row->n_entries++] = r->entry;
    return 0;
}

static int s_spread_count(void *user, const aud_tally_record_t *rec)
{
    s_build_t *b = user;
    uint64_t count;
    if (rec->size != sizeof count)
        return MDB_CORRUPTED;
    memcpy(&count, rec->value, sizeof count);
    b->total += s_passes(b, rec->province, rec->year) ? count : 0;
    return 0;
}

/* Spread rows are one per result: counted from their counters, and read only up to the page. */
static int s_spread(s_build_t *b)
{
    b->report->method = ocop_arena_printf(
        b->arena,
        "Results whose first-round spread (highest minus lowest member total) exceeded %g points, the councils' "
        "rule: the spread of the last round and how far the scores converged (first minus last spread).",
        AUD_TALLY_SPREAD_LIMIT);
    int rc = aud_tally_each(b->txn, b->db, AUD_TALLY_SPREAD_COUNT, s_spread_count, b);
    if (rc == 0)
        rc = aud_tally_each_spread(b->txn, b->db, s_spread_row, b);
    return rc == 1 ? 0 : rc;
}

/* ---------------------------------------------------------------- distribution */

static int s_distribution_add(s_walk_t *w, const aud_tally_record_t *rec)
{
    aud_tally_group_t buf;
    const aud_tally_group_t *g = s_group_of(rec, &buf);
    if (!g)
        return MDB_CORRUPTED;
    s_count_first(&w->acc, g->first, g->n);
    for (int s = 0; s < 6; s++)
        w->acc.stars[s] += g->stars[s];
    w->acc.rescored += g->rescored;
    w->acc.gap += g->gap;
    return 0;
}

static void s_shares(s_build_t *b, Ocop__AudReportRow *row, const uint64_t counts[6], int national)
{
    static const char *const names[2][3] = {{"share3", "share4", "share5"},
                                            {"national_share3", "national_share4", "national_share5"}};
    uint64_t total = counts[3] + counts[4] + counts[5];
    for (int s = 3; s <= 5; s++)
        s_value(b, row, names[national][s - 3], total ? (double)counts[s] / (double)total : 0);
}

static void s_distribution_flush(s_walk_t *w)
{
    const s_acc_t *a = &w->acc;
    char group[256];
    snprintf(group, sizeof group, "province %s", a->group);
    Ocop__AudReportRow *row = s_row(w->b, a->first, group, a->stars[3] + a->stars[4] + a->stars[5]);
    if (!row) {
        w->b->error = ENOMEM;
        return;
    }
    s_shares(w->b, row, a->stars, 0);
    s_shares(w->b, row, w->b->national, 1);
    s_value(w->b, row, "rescored", (double)a->rescored);
    s_value(w->b, row, "mean_gap", a->rescored ? a->gap / (double)a->rescored : 0);
}

/* The national counts: every province's, in the year asked for. */
static int s_national_add(void *user, const aud_tally_record_t *rec)
{
    s_build_t *b = user;
    aud_tally_group_t buf;
    const aud_tally_group_t *g = s_group_of(rec, &buf);
    if (!g)
        return MDB_CORRUPTED;
    if (!b->in->year || (unsigned)atoi(rec->year) == b->in->year)
        for (int s = 0; s < 6; s++)
            b->national[s] += g->stars[s];
    return 0;
}

static int s_distribution(s_build_t *b)
{
    b->report->method = ocop_arena_strdup(
        b->arena,
        "Per province: the shares of 3, 4 and 5 stars among the results of its province councils that conferred "
        "stars, beside the same shares nationally (every province, in the year asked for); and, for its products "
        "the central council scored again, the mean of (province mean - central mean) over those products "
        "(rescored, mean_gap; positive = the province scored higher), the province mean being the product's "
        "latest province result before the central one.");
    int rc = aud_tally_each(b->txn, b->db, AUD_TALLY_PROVINCE, s_national_add, b);
    if (rc != 0)
        return rc;
    s_walk_t provinces = {.b = b, .add = s_distribution_add, .flush = s_distribution_flush};
    if ((rc = s_walk(&provinces, AUD_TALLY_PROVINCE)) != 0)
        return rc;
    s_order_since(b, 0);
    return 0;
}

/* ---------------------------------------------------------------- requests */

static const struct {
    const char *kind;
    int (*build)(s_build_t *b);
} s_kinds[] = {
    {"bunching", s_bunching}, {"leniency", s_leniency}, {"spread", s_spread}, {"distribution", s_distribution}};
#define S_KINDS (sizeof s_kinds / sizeof s_kinds[0])

static size_t s_kind(const char *kind)
{
    size_t k = 0;
    while (k < S_KINDS && strcmp(s_kinds[k].kind, kind) != 0)
        k++;
    return k;
}

int aud_reports_window(double window, unsigned *tenths)
{
    double t = window * 10;
    if (isnan(window) || window < 0 || t > AUD_TALLY_WINDOW_MAX || fabs(t - round(t)) > 1e-6)
        return -1;
    *tenths = window > 0 ? (unsigned)lround(t) : 20;
    return 0;
}

int aud_reports_build(MDB_txn *txn, const aud_tally_db_t *db, const Ocop__AudReportGet *in, ocop_arena_t *arena,
                      Ocop__AudReport *report)
{
    size_t k = s_kind(in->kind);
    s_build_t b = {.arena = arena,
                   .txn = txn,
                   .db = db,
                   .in = in,
                   .report = report,
                   .enough = in->limit ? (size_t)in->offset + in->limit : SIZE_MAX};
    if (k == S_KINDS || aud_reports_window(in->window, &b.window) != 0)
        return EINVAL;
    report->kind = (char *)s_kinds[k].kind;
    int rc = s_kinds[k].build(&b);
    if (rc == 0)
        rc = b.error;
    if (rc != 0)
        return rc;
    report->total_rows = b.total > b.n_rows ? b.total : b.n_rows;
    size_t from = in->offset < b.n_rows ? in->offset : b.n_rows;
    size_t n = in->limit && in->limit < b.n_rows - from ? in->limit : b.n_rows - from;
    report->rows = ocop_arena_alloc(arena, (n + 1) * sizeof *report->rows);
    for (size_t i = 0; i < n; i++)
        report->rows[report->n_rows++] = b.rows[from + i].row;
    return 0;
}

bool aud_reports_kind_known(const char *kind)
{
    return s_kind(kind) < S_KINDS;
}

int aud_reports_build_in(ocop_ctx_t *ctx, Ocop__Reply *reply, const aud_tally_db_t *db, const Ocop__AudReportGet *in,
                         Ocop__AudReport *report)
{
    int rc = aud_reports_build(ocop_ctx_txn(ctx), db, in, ocop_ctx_arena(ctx), report);
    return rc == 0 ? 0 : ocop_ctx_db_error(ctx, reply, rc, "reading the reports' tallies");
}
