/* eval_report — see eval_report.h.
 *
 * Keys in the report database (the first part names the table):
 *   "c"|product|year                         -> u8 standing (absent = none)
 *   "n"|province|sector|year|standing        -> u64 products
 *   "m"|entity|province|sector|year          -> u64 rated products of the entity in that row
 *   "s"|province|sector|year                 -> u64 distinct entities of the row
 *   "a"|entity|province|year                 -> u64 rated products of the entity that year
 *   "y"|province|year                        -> u64 distinct entities that year */
#include "eval_report.h"

#include <string.h>

#include "eval_handlers.h"
#include "eval_owner.h"
#include "ocop_error.h"

eval_standing_t eval_standing_of(const Ocop__EvalProduct *p)
{
    /* Proposed to the ministry: with the province's stars (1048, 148, 1489) or none until the
     * ministry decides (26/2026 Art. 7.3(e)). */
    if (p->forwarded_to == OCOP__EVAL_LEVEL__EVAL_LEVEL_CENTRAL)
        return EVAL_STANDING_PROPOSED_5;
    if (p->stars >= 3 && p->stars <= 5)
        return (eval_standing_t)p->stars;
    return EVAL_STANDING_NONE;
}

/* Adds delta to the report's counter under key; *after (may be NULL) is its new value. 0 / -1
 * with the reply failed. */
static int s_add(ocop_ctx_t *ctx, Ocop__Reply *reply, const ocop_key_t *key, int delta, uint64_t *after)
{
    return ocop_ctx_counter_add(ctx, reply, eval_state(ctx)->db.report, key, delta, after);
}

static void s_key(ocop_key_t *key, const char *table)
{
    ocop_key_init(key);
    ocop_key_str(key, table);
}

/* The entity gains (delta 1) or loses (-1) a rated product in the row and the year; the
 * distinct-entity counters move when it gains its first or loses its last. */
static int s_entity(ocop_ctx_t *ctx, Ocop__Reply *reply, const Ocop__EvalProduct *p, uint32_t year, int delta)
{
    ocop_key_t key;
    uint64_t now;
    s_key(&key, "m");
    ocop_key_str(&key, p->entity_id);
    ocop_key_str(&key, p->province_code);
    ocop_key_str(&key, p->sector_code);
    ocop_key_u32(&key, year);
    int rc = s_add(ctx, reply, &key, delta, &now);
    if (rc == 0 && now == (delta > 0 ? 1u : 0u)) {
        s_key(&key, "s");
        ocop_key_str(&key, p->province_code);
        ocop_key_str(&key, p->sector_code);
        ocop_key_u32(&key, year);
        rc = s_add(ctx, reply, &key, delta, NULL);
    }
    if (rc != 0)
        return rc;
    s_key(&key, "a");
    ocop_key_str(&key, p->entity_id);
    ocop_key_str(&key, p->province_code);
    ocop_key_u32(&key, year);
    rc = s_add(ctx, reply, &key, delta, &now);
    if (rc == 0 && now == (delta > 0 ? 1u : 0u)) {
        s_key(&key, "y");
        ocop_key_str(&key, p->province_code);
        ocop_key_u32(&key, year);
        rc = s_add(ctx, reply, &key, delta, NULL);
    }
    return rc;
}

static int s_count(ocop_ctx_t *ctx, Ocop__Reply *reply, const Ocop__EvalProduct *p, uint32_t year,
                   eval_standing_t standing, int delta)
{
    ocop_key_t key;
    s_key(&key, "n");
    ocop_key_str(&key, p->province_code);
    ocop_key_str(&key, p->sector_code);
    ocop_key_u32(&key, year);
    ocop_key_u32(&key, (uint32_t)standing);
    int rc = s_add(ctx, reply, &key, delta, NULL);
    return rc == 0 ? s_entity(ctx, reply, p, year, delta) : rc;
}

int eval_report_record(ocop_ctx_t *ctx, Ocop__Reply *reply, const Ocop__EvalProduct *p, int year,
                       eval_standing_t standing)
{
    ocop_table_t table = eval_state(ctx)->db.report;
    ocop_key_t key;
    s_key(&key, "c");
    ocop_key_str(&key, p->id);
    ocop_key_u32(&key, (uint32_t)year);
    ocop_bytes_t v;
    eval_standing_t before = EVAL_STANDING_NONE;
    int rc = ocop_ctx_value(ctx, reply, table, &key, &v);
    if (rc < 0)
        return -1;
    if (rc == 0 && v.size != 1)
        return ocop_ctx_db_error(ctx, reply, OCOP_STORE_CORRUPT, "reading the report");
    if (rc == 0)
        before = (eval_standing_t)((const uint8_t *)v.data)[0];
    if (before == standing)
        return 0;
    if ((before != EVAL_STANDING_NONE && s_count(ctx, reply, p, (uint32_t)year, before, -1) != 0) ||
        (standing != EVAL_STANDING_NONE && s_count(ctx, reply, p, (uint32_t)year, standing, 1) != 0))
        return -1;
    if (standing == EVAL_STANDING_NONE)
        return ocop_ctx_erase(ctx, reply, table, &key);
    uint8_t b = (uint8_t)standing;
    return ocop_ctx_value_put(ctx, reply, table, &key, &b, 1);
}

/* ---------------------------------------------------------------- reading */

/* Splits an "n" key into its parts; 0, or -1 when it is not one. */
static int s_parse_n(const ocop_bytes_t *k, const char **province, const char **sector, uint32_t *year,
                     uint32_t *standing)
{
    const char *p = k->data, *end = p + k->size;
    if (k->size < 2 || strcmp(p, "n") != 0)
        return -1;
    p += 2;
    *province = p;
    p = memchr(p, '\0', (size_t)(end - p));
    if (!p)
        return -1;
    *sector = ++p;
    p = memchr(p, '\0', (size_t)(end - p));
    if (!p || end - (p + 1) != 8)
        return -1;
    *year = ocop_be32_get((const uint8_t *)p + 1);
    *standing = ocop_be32_get((const uint8_t *)p + 5);
    return 0;
}

/* The report's counter under key added to *to. 0 / -1 with the reply failed. */
static int s_count_into(ocop_ctx_t *ctx, Ocop__Reply *reply, const ocop_key_t *key, uint32_t *to)
{
    uint64_t n;
    if (ocop_ctx_counter(ctx, reply, eval_state(ctx)->db.report, key, &n) != 0)
        return -1;
    *to += (uint32_t)n;
    return 0;
}

static void s_row_add(Ocop__EvalReportRow *row, uint32_t standing, uint32_t n)
{
    switch (standing) {
    case EVAL_STANDING_3:
        row->stars3 += n;
        break;
    case EVAL_STANDING_4:
        row->stars4 += n;
        break;
    case EVAL_STANDING_5:
        row->stars5 += n;
        break;
    case EVAL_STANDING_PROPOSED_5:
        row->proposed5 += n;
        break;
    default:
        return;
    }
    row->products += n;
}

typedef struct {
    ocop_arena_t *arena;
    Ocop__EvalReport *report;
    size_t cap;
} s_build_t;

static Ocop__EvalReportRow *s_row_for(s_build_t *b, const char *province, const char *sector, uint32_t year)
{
    Ocop__EvalReport *r = b->report;
    if (r->n_rows) {
        Ocop__EvalReportRow *last = r->rows[r->n_rows - 1];
        if (last->year == year && strcmp(last->province_code, province) == 0 && strcmp(last->sector_code, sector) == 0)
            return last;
    }
    r->rows = ocop_arena_grow(b->arena, r->rows, r->n_rows, &b->cap, sizeof *r->rows);
    Ocop__EvalReportRow *row = ocop_arena_alloc(b->arena, sizeof *row);
    ocop__eval_report_row__init(row);
    row->province_code = ocop_arena_strdup(b->arena, province);
    row->sector_code = ocop_arena_strdup(b->arena, sector);
    row->year = year;
    r->rows[r->n_rows++] = row;
    return row;
}

static bool s_wanted(const Ocop__EvalReportGet *in, const char *province, const char *sector, uint32_t year)
{
    return (!*in->province_code || strcmp(in->province_code, province) == 0) &&
           (!*in->sector_code || strcmp(in->sector_code, sector) == 0) && (!in->year_from || year >= in->year_from) &&
           (!in->year_to || year <= in->year_to);
}

/* Distinct entities of the total: per (province, year) when every sector counts, else the sum
 * of the rows (an entity rated in two sectors then counts in each). 0 / -1 with the reply failed. */
static int s_total_entities(ocop_ctx_t *ctx, Ocop__Reply *reply, const Ocop__EvalReportGet *in, Ocop__EvalReport *r)
{
    for (size_t i = 0; i < r->n_rows; i++) {
        const Ocop__EvalReportRow *row = r->rows[i];
        if (*in->sector_code) {
            r->total->entities += row->entities;
            continue;
        }
        bool seen = false;
        for (size_t j = 0; j < i && !seen; j++)
            seen = r->rows[j]->year == row->year && strcmp(r->rows[j]->province_code, row->province_code) == 0;
        if (seen)
            continue;
        ocop_key_t key;
        s_key(&key, "y");
        ocop_key_str(&key, row->province_code);
        ocop_key_u32(&key, row->year);
        if (s_count_into(ctx, reply, &key, &r->total->entities) != 0)
            return -1;
    }
    return 0;
}

int eval_handle_report_get(ocop_ctx_t *ctx, const Ocop__Request *req, Ocop__Reply *reply)
{
    const Ocop__EvalReportGet *in = req->eval_report_get;
    if (*in->province_code && eval_check_province(ctx, reply, "province_code", in->province_code) != 0)
        return -1;
    if (in->year_from && in->year_to && in->year_from > in->year_to)
        return ocop_ctx_fail(ctx, reply, OCOP_E_INVALID, "year_to", "year_to %u is before year_from %u", in->year_to,
                             in->year_from);
    s_build_t b = {.arena = ocop_ctx_arena(ctx)};
    b.report = ocop_arena_alloc(b.arena, sizeof *b.report);
    ocop__eval_report__init(b.report);
    b.report->total = ocop_arena_alloc(b.arena, sizeof *b.report->total);
    ocop__eval_report_row__init(b.report->total);
    ocop_key_t prefix;
    s_key(&prefix, "n");
    const char *served = NULL; /* the last province found served here */
    ocop_scan_t scan;
    if (ocop_ctx_scan_open(ctx, reply, &scan, eval_state(ctx)->db.report, &prefix, NULL) != 0)
        return -1;
    while (ocop_scan_next(&scan)) {
        const char *province, *sector;
        uint32_t year, standing;
        if (s_parse_n(&scan.key, &province, &sector, &year, &standing) != 0 || scan.value.size != 8) {
            ocop_scan_fail(&scan, OCOP_STORE_CORRUPT);
            break;
        }
        if (!s_wanted(in, province, sector, year))
            continue;
        /* Rows of a province arriving for a move (or not yet forgotten after one) are the
         * serving shard's to count. */
        if (!served || strcmp(served, province) != 0) {
            eval_owner_t o;
            if (eval_owner_province_in(ctx, reply, province, &o) != 0) {
                ocop_scan_close(&scan, 0);
                return -1;
            }
            if (o.kind != EVAL_OWNER_SERVES && o.kind != EVAL_OWNER_FENCED)
                continue;
            served = province;
        }
        uint32_t n = (uint32_t)ocop_be64_get(scan.value.data);
        s_row_add(s_row_for(&b, province, sector, year), standing, n);
        s_row_add(b.report->total, standing, n);
    }
    if (ocop_ctx_scan_close(ctx, reply, &scan, "reading the report") != 0)
        return -1;
    for (size_t i = 0; i < b.report->n_rows; i++) {
        Ocop__EvalReportRow *row = b.report->rows[i];
        ocop_key_t key;
        s_key(&key, "s");
        ocop_key_str(&key, row->province_code);
        ocop_key_str(&key, row->sector_code);
        ocop_key_u32(&key, row->year);
        if (s_count_into(ctx, reply, &key, &row->entities) != 0)
            return -1;
    }
    if (s_total_entities(ctx, reply, in, b.report) != 0)
        return -1;
    reply->body_case = OCOP__REPLY__BODY_EVAL_REPORT;
    reply->eval_report = b.report;
    return 0;
}
