/* aud_reports — integrity reports that make grade inflation visible, computed from the
 * evaluation results in the log (EvalResultDisclosed: a product's result with every sheet of
 * every round). Every row lists the log entries it was computed from, so a reader can check
 * each through an inclusion proof against a signed tree head. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aud_handlers.h"
#include "aud_index.h"
#include "ocop_error.h"

#define S_CUTS 3
#define S_SPREAD_LIMIT                                                                                                 \
    10.0 /* the councils' rule: a wider spread sends them to another round; sessions may set their own */

static const double s_cuts[S_CUTS] = {50, 70, 90};

/* A first-round sheet (phase 1, round 1: the members' independent scores). */
typedef struct {
    const char *member_id;
    double total;
} s_sheet_t;

/* What the reports use of one result, copied out of its event so that the event (with every
 * sheet of every round) is not kept: memory follows the results, not their sheets. */
typedef struct {
    uint64_t entry;
    const char *council_id, *province_code, *session_id, *product_id;
    char year[8];
    Ocop__EvalLevel level;
    uint32_t stars, rounds;
    double mean, first_round_spread, final_spread;
    s_sheet_t *first;
    size_t n_first;
} s_result_t;

typedef struct {
    ocop_ctx_t *ctx;
    Ocop__Reply *reply;
    ocop_arena_t *arena;
    const Ocop__AudReportGet *in;
    s_result_t *results;
    size_t n;
    Ocop__AudReport *report;
    size_t cap_rows;
} s_build_t;

/* ---------------------------------------------------------------- reading the results */

/* The result of the event in data into *out (strings in b's arena). 0, or -1 when it is not a
 * disclosed result; 1 when the filters leave it out. */
static int s_extract(s_build_t *b, ocop_arena_t *scratch, const MDB_val *data, uint64_t index, s_result_t *out)
{
    ocop_arena_reset(scratch);
    Ocop__Event *ev = ocop__event__unpack(ocop_arena_allocator(scratch), data->mv_size, data->mv_data);
    if (!ev || ev->body_case != OCOP__EVENT__BODY_EVAL_RESULT_DISCLOSED || !ev->eval_result_disclosed->result)
        return -1;
    const Ocop__EvalResultDisclosed *r = ev->eval_result_disclosed;
    if ((*b->in->province_code && strcmp(r->province_code, b->in->province_code) != 0) ||
        (b->in->year && (unsigned)atoi(r->date) != b->in->year))
        return 1;
    *out = (s_result_t){.entry = index,
                        .council_id = ocop_arena_strdup(b->arena, r->council_id),
                        .province_code = ocop_arena_strdup(b->arena, r->province_code),
                        .session_id = ocop_arena_strdup(b->arena, r->session_id),
                        .product_id = ocop_arena_strdup(b->arena, r->result->product_id),
                        .level = r->level,
                        .stars = r->result->stars,
                        .rounds = r->result->round,
                        .mean = r->result->mean,
                        .first_round_spread = r->result->first_round_spread,
                        .final_spread = r->result->final_spread};
    snprintf(out->year, sizeof out->year, "%.4s", r->date);
    for (size_t s = 0; s < r->n_sheets; s++)
        out->n_first += r->sheets[s]->phase == 1 && r->sheets[s]->round == 1;
    out->first = ocop_arena_alloc(b->arena, (out->n_first + 1) * sizeof *out->first);
    out->n_first = 0;
    for (size_t s = 0; s < r->n_sheets; s++)
        if (r->sheets[s]->phase == 1 && r->sheets[s]->round == 1)
            out->first[out->n_first++] =
                (s_sheet_t){ocop_arena_strdup(b->arena, r->sheets[s]->member_id), r->sheets[s]->total};
    return 0;
}

static int s_collect(s_build_t *b)
{
    ocop_key_t prefix;
    ocop_key_init(&prefix);
    ocop_key_str(&prefix, AUD_KEY_TYPE);
    ocop_key_str(&prefix, "eval_result_disclosed");
    MDB_txn *txn = ocop_ctx_txn(b->ctx);
    const aud_state_t *state = aud_state(b->ctx);
    MDB_cursor *cur;
    int rc = mdb_cursor_open(txn, state->db.by_key, &cur);
    if (rc != 0)
        return ocop_ctx_db_error(b->ctx, b->reply, rc, "reading the log's indexes");
    ocop_arena_t *scratch = ocop_arena_new(64 * 1024);
    size_t cap = 256;
    b->results = ocop_arena_alloc(b->arena, cap * sizeof *b->results);
    MDB_val k = ocop_key_val(&prefix), v;
    int failed = scratch ? 0 : ocop_ctx_fail(b->ctx, b->reply, OCOP_E_INTERNAL, "", "out of memory");
    for (rc = mdb_cursor_get(cur, &k, &v, MDB_SET_RANGE); !failed && rc == 0;
         rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
        if (k.mv_size != prefix.len + 8 || memcmp(k.mv_data, prefix.buf, prefix.len) != 0)
            break;
        uint64_t index = ocop_be64_get((const uint8_t *)k.mv_data + prefix.len);
        uint8_t kb[8];
        ocop_be64_put(kb, index);
        MDB_val ek = {.mv_size = 8, .mv_data = kb}, ev;
        int grc = mdb_get(txn, state->db.entries, &ek, &ev);
        if (grc != 0) {
            failed = grc == MDB_NOTFOUND ? ocop_ctx_fail(b->ctx, b->reply, OCOP_E_NOT_FOUND, "kind",
                                                         "no entry %llu in the log", (unsigned long long)index)
                                         : ocop_ctx_db_error(b->ctx, b->reply, grc, "reading an entry");
            break;
        }
        if (b->n == cap) {
            s_result_t *grown = ocop_arena_alloc(b->arena, 2 * cap * sizeof *grown);
            memcpy(grown, b->results, cap * sizeof *grown);
            b->results = grown;
            cap *= 2;
        }
        int x = s_extract(b, scratch, &ev, index, &b->results[b->n]);
        if (x < 0)
            failed = ocop_ctx_fail(b->ctx, b->reply, OCOP_E_INTERNAL, "", "entry %llu is not a result",
                                   (unsigned long long)index);
        else if (x == 0)
            b->n++;
    }
    mdb_cursor_close(cur);
    ocop_arena_destroy(&scratch);
    if (failed)
        return -1;
    return rc == 0 || rc == MDB_NOTFOUND ? 0 : ocop_ctx_db_error(b->ctx, b->reply, rc, "reading the log's indexes");
}

/* ---------------------------------------------------------------- rows */

static Ocop__AudReportRow *s_row(s_build_t *b, const char *group, size_t max_entries)
{
    Ocop__AudReport *rep = b->report;
    if (rep->n_rows == b->cap_rows) {
        size_t cap = b->cap_rows ? b->cap_rows * 2 : 64;
        Ocop__AudReportRow **grown = ocop_arena_alloc(b->arena, cap * sizeof *grown);
        if (rep->n_rows)
            memcpy(grown, rep->rows, rep->n_rows * sizeof *grown);
        rep->rows = grown;
        b->cap_rows = cap;
    }
    Ocop__AudReportRow *row = ocop_arena_alloc(b->arena, sizeof *row);
    ocop__aud_report_row__init(row);
    row->group = ocop_arena_strdup(b->arena, group);
    row->values = ocop_arena_alloc(b->arena, 16 * sizeof *row->values);
    row->entries = ocop_arena_alloc(b->arena, (max_entries + 1) * sizeof *row->entries);
    rep->rows[rep->n_rows++] = row;
    return row;
}

static void s_value(s_build_t *b, Ocop__AudReportRow *row, const char *name, double value)
{
    Ocop__AudValue *v = ocop_arena_alloc(b->arena, sizeof *v);
    ocop__aud_value__init(v);
    v->name = (char *)name;
    v->value = value;
    row->values[row->n_values++] = v;
}

/* ---------------------------------------------------------------- groups */

/* A result's position under a key. */
typedef struct {
    const char *key;
    size_t pos;
} s_keyed_t;

/* A group: positions from..to of the sorted keyed array; first, its first result's position. */
typedef struct {
    size_t from, to, first;
} s_span_t;

static int s_cmp_keyed(const void *a, const void *b)
{
    const s_keyed_t *x = a, *y = b;
    int c = strcmp(x->key, y->key);
    return c ? c : (x->pos > y->pos) - (x->pos < y->pos);
}

static int s_cmp_span(const void *a, const void *b)
{
    const s_span_t *x = a, *y = b;
    return (x->first > y->first) - (x->first < y->first);
}

/* The results grouped by key in n log n: *keyed sorted by key, then by log order within a key;
 * *spans the groups in the order their first result comes in the log. The number of groups. */
static size_t s_group(s_build_t *b, const char *(*key)(const s_result_t *), s_keyed_t **keyed, s_span_t **spans)
{
    s_keyed_t *k = ocop_arena_alloc(b->arena, (b->n + 1) * sizeof *k);
    for (size_t i = 0; i < b->n; i++)
        k[i] = (s_keyed_t){ocop_arena_strdup(b->arena, key(&b->results[i])), i};
    qsort(k, b->n, sizeof *k, s_cmp_keyed);
    s_span_t *g = ocop_arena_alloc(b->arena, (b->n + 1) * sizeof *g);
    size_t n = 0;
    for (size_t i = 0; i < b->n; i++) {
        if (i == 0 || strcmp(k[i].key, k[i - 1].key) != 0) {
            if (n)
                g[n - 1].to = i;
            g[n++] = (s_span_t){i, b->n, k[i].pos};
        }
    }
    qsort(g, n, sizeof *g, s_cmp_span);
    *keyed = k;
    *spans = g;
    return n;
}

/* ---------------------------------------------------------------- bunching */

/* One group's bunching row: the results of span. */
static void s_bunching_group(s_build_t *b, const char *label, const s_keyed_t *keyed, const s_span_t *span, double w)
{
    size_t above[S_CUTS] = {0}, below[S_CUTS] = {0};
    char group[128];
    snprintf(group, sizeof group, "%s %s", label, keyed[span->from].key);
    Ocop__AudReportRow *row = s_row(b, group, span->to - span->from);
    for (size_t i = span->from; i < span->to; i++) {
        const s_result_t *r = &b->results[keyed[i].pos];
        for (int c = 0; c < S_CUTS; c++) {
            above[c] += r->mean >= s_cuts[c] && r->mean < s_cuts[c] + w;
            below[c] += r->mean >= s_cuts[c] - w && r->mean < s_cuts[c];
        }
        row->entries[row->n_entries++] = r->entry;
    }
    static const char *const names[S_CUTS][3] = {
        {"below_50", "above_50", "z_50"}, {"below_70", "above_70", "z_70"}, {"below_90", "above_90", "z_90"}};
    for (int c = 0; c < S_CUTS; c++) {
        double n = (double)(above[c] + below[c]);
        s_value(b, row, names[c][0], (double)below[c]);
        s_value(b, row, names[c][1], (double)above[c]);
        s_value(b, row, names[c][2], n > 0 ? ((double)above[c] - (double)below[c]) / sqrt(n) : 0);
    }
    row->sample = row->n_entries;
}

static const char *s_council_of(const s_result_t *r)
{
    return r->council_id;
}

static const char *s_province_year(const s_result_t *r)
{
    /* One per thread: reports are served by several reader threads at once. */
    static _Thread_local char buf[32];
    snprintf(buf, sizeof buf, "%s %s", r->province_code, r->year);
    return buf;
}

/* A row for each distinct value of key, in order of first sight. */
static void s_each_group(s_build_t *b, const char *label, const char *(*key)(const s_result_t *), double w)
{
    s_keyed_t *keyed;
    s_span_t *spans;
    size_t n = s_group(b, key, &keyed, &spans);
    for (size_t g = 0; g < n; g++)
        s_bunching_group(b, label, keyed, &spans[g], w);
}

static void s_bunching(s_build_t *b)
{
    double w = b->in->window > 0 ? b->in->window : 2;
    b->report->method = ocop_arena_printf(
        b->arena,
        "For each cut-off c (50, 70, 90 points: the 3, 4 and 5 star bands) and each council and province-year, "
        "n_below counts results whose council mean is in [c-%g, c) and n_above those in [c, c+%g); "
        "z = (n_above - n_below) / sqrt(n_above + n_below) is about N(0,1) when scores are smooth around c, so a "
        "large positive z means means bunch just above the cut-off. sample is the number of results in the group.",
        w, w);
    s_each_group(b, "council", s_council_of, w);
    s_each_group(b, "province", s_province_year, w);
}

/* ---------------------------------------------------------------- leniency */

typedef struct {
    const char *key; /* council/member */
    double deviation;
    uint64_t entry;
} s_dev_t;

static int s_cmp_dev(const void *a, const void *b)
{
    return strcmp(((const s_dev_t *)a)->key, ((const s_dev_t *)b)->key);
}

/* Each first-round sheet's total minus the mean of the other members' totals on that product. */
static size_t s_deviations(s_build_t *b, s_dev_t **out)
{
    size_t cap = 64, n = 0;
    *out = ocop_arena_alloc(b->arena, cap * sizeof **out);
    for (size_t i = 0; i < b->n; i++) {
        const s_result_t *r = &b->results[i];
        double sum = 0;
        for (size_t s = 0; s < r->n_first; s++)
            sum += r->first[s].total;
        if (r->n_first < 2)
            continue;
        for (size_t s = 0; s < r->n_first; s++) {
            if (n == cap) {
                s_dev_t *grown = ocop_arena_alloc(b->arena, 2 * cap * sizeof *grown);
                memcpy(grown, *out, cap * sizeof *grown);
                *out = grown;
                cap *= 2;
            }
            (*out)[n++] = (s_dev_t){ocop_arena_printf(b->arena, "%s/%s", r->council_id, r->first[s].member_id),
                                    r->first[s].total - (sum - r->first[s].total) / (double)(r->n_first - 1), r->entry};
        }
    }
    return n;
}

static void s_leniency(s_build_t *b)
{
    unsigned min = b->in->min_sample ? b->in->min_sample : 20;
    b->report->method = ocop_arena_printf(
        b->arena,
        "For every first-round sheet (the independent scores), the member's total minus the mean of the other "
        "members' totals on the same product; per member of a council: the mean deviation d, its standard "
        "deviation s over n sheets, and z = d / (s / sqrt(n)). Members with fewer than %u sheets are not scored. "
        "A large positive z is a member markedly more lenient than the rest of the council.",
        min);
    s_dev_t *devs;
    size_t n = s_deviations(b, &devs);
    qsort(devs, n, sizeof *devs, s_cmp_dev);
    for (size_t i = 0; i < n;) {
        size_t j = i;
        double sum = 0, sq = 0;
        while (j < n && strcmp(devs[j].key, devs[i].key) == 0) {
            sum += devs[j].deviation;
            j++;
        }
        size_t count = j - i;
        double mean = sum / (double)count;
        for (size_t k = i; k < j; k++)
            sq += (devs[k].deviation - mean) * (devs[k].deviation - mean);
        if (count >= min) {
            char group[160];
            snprintf(group, sizeof group, "member %s", devs[i].key);
            Ocop__AudReportRow *row = s_row(b, group, count);
            double sd = count > 1 ? sqrt(sq / (double)(count - 1)) : 0;
            s_value(b, row, "mean_deviation", mean);
            s_value(b, row, "sd", sd);
            s_value(b, row, "z", sd > 0 ? mean / (sd / sqrt((double)count)) : 0);
            for (size_t k = i; k < j; k++)
                row->entries[row->n_entries++] = devs[k].entry;
            row->sample = count;
        }
        i = j;
    }
}

/* ---------------------------------------------------------------- spread */

static void s_spread(s_build_t *b)
{
    b->report->method = ocop_arena_printf(
        b->arena,
        "Results whose first-round spread (highest minus lowest member total) exceeded %g points, the councils' "
        "rule: the spread of the last round and how far the scores converged (first minus last spread).",
        S_SPREAD_LIMIT);
    for (size_t i = 0; i < b->n; i++) {
        const s_result_t *p = &b->results[i];
        if (p->first_round_spread <= S_SPREAD_LIMIT)
            continue;
        char group[128];
        snprintf(group, sizeof group, "session %s product %s", p->session_id, p->product_id);
        Ocop__AudReportRow *row = s_row(b, group, 1);
        s_value(b, row, "first_round_spread", p->first_round_spread);
        s_value(b, row, "last_round_spread", p->final_spread);
        s_value(b, row, "rounds", p->rounds);
        s_value(b, row, "converged", p->first_round_spread - p->final_spread);
        row->entries[row->n_entries++] = b->results[i].entry;
        row->sample = 1;
    }
}

/* ---------------------------------------------------------------- distribution */

static void s_shares(s_build_t *b, Ocop__AudReportRow *row, const size_t counts[6], const char *prefix)
{
    size_t total = counts[3] + counts[4] + counts[5];
    static const char *const names[2][3] = {{"share3", "share4", "share5"},
                                            {"national_share3", "national_share4", "national_share5"}};
    int national = strcmp(prefix, "national") == 0;
    for (int s = 3; s <= 5; s++)
        s_value(b, row, names[national][s - 3], total ? (double)counts[s] / (double)total : 0);
}

static const char *s_province_of(const s_result_t *r)
{
    return r->province_code;
}

/* Of the province results of product (by_product: sorted by product, then log order), the last
 * before position before; NULL when there is none. */
static const s_result_t *s_scored_before(const s_build_t *b, const s_keyed_t *by_product, size_t n, const char *product,
                                         size_t before)
{
    size_t lo = 0, hi = n; /* the first entry not below (product, before) */
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = strcmp(by_product[mid].key, product);
        if (c < 0 || (c == 0 && by_product[mid].pos < before))
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo == 0 || strcmp(by_product[lo - 1].key, product) != 0)
        return NULL;
    return &b->results[by_product[lo - 1].pos];
}

static void s_distribution(s_build_t *b)
{
    b->report->method = ocop_arena_strdup(
        b->arena,
        "Per province: the shares of 3, 4 and 5 stars among the results of its province councils that conferred "
        "stars, beside the same shares nationally; and, for its products the central council scored again, the "
        "mean of (province mean - central mean) over those products (rescored, mean_gap; positive = the province "
        "scored higher).");
    size_t national[6] = {0};
    for (size_t i = 0; i < b->n; i++)
        if (b->results[i].level == OCOP__EVAL_LEVEL__EVAL_LEVEL_PROVINCE && b->results[i].stars <= 5)
            national[b->results[i].stars]++;
    /* The province results by product, to find the one a central result scored again. */
    s_keyed_t *by_product = ocop_arena_alloc(b->arena, (b->n + 1) * sizeof *by_product);
    size_t n_province = 0;
    for (size_t i = 0; i < b->n; i++)
        if (b->results[i].level == OCOP__EVAL_LEVEL__EVAL_LEVEL_PROVINCE)
            by_product[n_province++] = (s_keyed_t){b->results[i].product_id, i};
    qsort(by_product, n_province, sizeof *by_product, s_cmp_keyed);
    s_keyed_t *keyed;
    s_span_t *spans;
    size_t n_groups = s_group(b, s_province_of, &keyed, &spans);
    for (size_t g = 0; g < n_groups; g++) {
        size_t counts[6] = {0}, rescored = 0;
        double gap = 0;
        char group[64];
        snprintf(group, sizeof group, "province %s", keyed[spans[g].from].key);
        Ocop__AudReportRow *row = s_row(b, group, spans[g].to - spans[g].from);
        for (size_t i = spans[g].from; i < spans[g].to; i++) {
            size_t k = keyed[i].pos;
            const s_result_t *r = &b->results[k];
            row->entries[row->n_entries++] = r->entry;
            if (r->level == OCOP__EVAL_LEVEL__EVAL_LEVEL_PROVINCE && r->stars <= 5)
                counts[r->stars]++;
            if (r->level != OCOP__EVAL_LEVEL__EVAL_LEVEL_CENTRAL)
                continue;
            /* The same product's latest province result before this central one. */
            const s_result_t *p = s_scored_before(b, by_product, n_province, r->product_id, k);
            if (p) {
                gap += p->mean - r->mean;
                rescored++;
            }
        }
        s_shares(b, row, counts, "province");
        s_shares(b, row, national, "national");
        s_value(b, row, "rescored", (double)rescored);
        s_value(b, row, "mean_gap", rescored ? gap / (double)rescored : 0);
        row->sample = counts[3] + counts[4] + counts[5];
    }
}

int aud_handle_report_get(ocop_ctx_t *ctx, const Ocop__Request *req, Ocop__Reply *reply)
{
    const Ocop__AudReportGet *in = req->aud_report_get;
    static const struct {
        const char *kind;
        void (*build)(s_build_t *b);
    } kinds[] = {
        {"bunching", s_bunching}, {"leniency", s_leniency}, {"spread", s_spread}, {"distribution", s_distribution}};
    size_t k = 0;
    while (k < sizeof kinds / sizeof kinds[0] && strcmp(kinds[k].kind, in->kind) != 0)
        k++;
    if (k == sizeof kinds / sizeof kinds[0])
        return ocop_ctx_fail(ctx, reply, OCOP_E_INVALID, "kind",
                             "kind must be bunching, leniency, spread or distribution, not '%.32s'", in->kind);
    if (in->window < 0 || in->window > 50 || isnan(in->window))
        return ocop_ctx_fail(ctx, reply, OCOP_E_INVALID, "window", "window is 0 (2 points) to 50 points");
    s_build_t b = {.ctx = ctx, .reply = reply, .arena = ocop_ctx_arena(ctx), .in = in};
    b.report = ocop_arena_alloc(b.arena, sizeof *b.report);
    ocop__aud_report__init(b.report);
    b.report->kind = (char *)kinds[k].kind;
    int rc = aud_state_size(aud_state(ctx), ocop_ctx_txn(ctx), &b.report->tree_size);
    if (rc != 0)
        return ocop_ctx_db_error(ctx, reply, rc, "reading the log's size");
    if (s_collect(&b) != 0)
        return -1;
    kinds[k].build(&b);
    reply->body_case = OCOP__REPLY__BODY_AUD_REPORT;
    reply->aud_report = b.report;
    return 0;
}
