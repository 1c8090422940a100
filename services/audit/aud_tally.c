/* aud_tally — see aud_tally.h. */
#include "aud_tally.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ocop_db.h"
#include "ocop_scan.h"
#include "ocop_store.h"

#define S_LAST_PROVINCE "last_province"

long aud_tally_tenths(double mean)
{
    if (!isfinite(mean) || mean < 0 || mean > 1000)
        return -1;
    long b = (long)floor(mean * 10);
    while (b > 0 && (double)b / 10.0 > mean)
        b--;
    while ((double)(b + 1) / 10.0 <= mean)
        b++;
    return b;
}

/* ---------------------------------------------------------------- writing */

typedef struct {
    MDB_txn *txn;
    const aud_tally_db_t *db;
    uint64_t entry;
    const char *province, *year;
} s_add_t;

static void s_record_key(ocop_key_t *key, const char *family, const char *group, const char *province, const char *year)
{
    ocop_key_init(key);
    ocop_key_str(key, family);
    ocop_key_str(key, group);
    ocop_key_str(key, province);
    ocop_key_str(key, year);
}

/* Reads the record at key into value (size bytes), zeroed when there is none. */
static int s_read(const s_add_t *a, const ocop_key_t *key, void *value, size_t size)
{
    MDB_val k = ocop_key_val(key), v;
    int rc = mdb_get(a->txn, a->db->sums, &k, &v);
    if (rc == MDB_NOTFOUND) {
        memset(value, 0, size);
        return 0;
    }
    if (rc == 0 && v.mv_size != size)
        return MDB_CORRUPTED;
    if (rc == 0)
        memcpy(value, v.mv_data, size);
    return rc;
}

static int s_write(const s_add_t *a, const ocop_key_t *key, const void *value, size_t size)
{
    MDB_val k = ocop_key_val(key), v = {.mv_size = size, .mv_data = (void *)value};
    return ocop_db_put(a->txn, a->db->sums, &k, &v, 0);
}

/* Names the entry among the entries of family's group. */
static int s_entry(const s_add_t *a, const char *family, const char *group)
{
    ocop_key_t key;
    ocop_key_init(&key);
    ocop_key_str(&key, family);
    ocop_key_str(&key, group);
    uint8_t value[40];
    ocop_be64_put(value, a->entry);
    int len = snprintf((char *)value + 8, sizeof value - 8, "%s%c%s", a->province, '\0', a->year);
    if (key.overflow || len < 0 || (size_t)len >= sizeof value - 8)
        return EOVERFLOW;
    MDB_val k = ocop_key_val(&key), v = {.mv_size = 8 + (size_t)len + 1, .mv_data = value};
    return ocop_db_append_dup(a->txn, a->db->entries, &k, &v);
}

/* Counts one more in a 32-bit counter; a counter that would wrap is an error, never a clamp. */
static int s_count(uint32_t *counter)
{
    if (*counter == UINT32_MAX)
        return EOVERFLOW;
    (*counter)++;
    return 0;
}

/* The result in a council's or a province's group; gap/rescored and stars as given. */
static int s_group_add(const s_add_t *a, const char *family, const char *group, const Ocop__EvalResultDisclosed *r,
                       const aud_tally_last_t *rescored)
{
    ocop_key_t key;
    s_record_key(&key, family, group, a->province, a->year);
    if (key.overflow)
        return EOVERFLOW;
    aud_tally_group_t g;
    int rc = s_read(a, &key, &g, sizeof g);
    if (rc != 0)
        return rc;
    if (g.n++ == 0)
        g.first = a->entry;
    long b = aud_tally_tenths(r->result->mean);
    if (b >= AUD_TALLY_LOW && b <= AUD_TALLY_HIGH && (rc = s_count(&g.tenths[b - AUD_TALLY_LOW])) != 0)
        return rc;
    int province_group = strcmp(family, AUD_TALLY_PROVINCE) == 0;
    if (province_group && r->level == OCOP__EVAL_LEVEL__EVAL_LEVEL_PROVINCE && r->result->stars <= 5 &&
        (rc = s_count(&g.stars[r->result->stars])) != 0)
        return rc;
    if (province_group && rescored) {
        g.rescored++;
        g.gap += rescored->mean - r->result->mean;
    }
    if ((rc = s_write(a, &key, &g, sizeof g)) != 0)
        return rc;
    return s_entry(a, family, group);
}

/* A central result is a re-score when a province council scored the product before it; a
 * province result becomes the product's latest. *found set when before holds one. */
static int s_last_province(const s_add_t *a, const Ocop__EvalResultDisclosed *r, aud_tally_last_t *before, int *found)
{
    ocop_key_t key;
    ocop_key_init(&key);
    ocop_key_str(&key, S_LAST_PROVINCE);
    ocop_key_str(&key, r->result->product_id);
    if (key.overflow)
        return EOVERFLOW;
    *found = 0;
    if (r->level == OCOP__EVAL_LEVEL__EVAL_LEVEL_CENTRAL) {
        MDB_val k = ocop_key_val(&key), v;
        int rc = mdb_get(a->txn, a->db->sums, &k, &v);
        if (rc == MDB_NOTFOUND)
            return 0;
        if (rc == 0 && v.mv_size != sizeof *before)
            return MDB_CORRUPTED;
        if (rc == 0) {
            memcpy(before, v.mv_data, sizeof *before);
            *found = 1;
        }
        return rc;
    }
    if (r->level != OCOP__EVAL_LEVEL__EVAL_LEVEL_PROVINCE)
        return 0;
    aud_tally_last_t last = {a->entry, r->result->mean};
    return s_write(a, &key, &last, sizeof last);
}

/* Each first-round sheet's deviation from the other members' mean, when two or more scored. */
static int s_members(const s_add_t *a, const Ocop__EvalResultDisclosed *r)
{
    size_t n_first = 0;
    double sum = 0;
    for (size_t s = 0; s < r->n_sheets; s++)
        if (r->sheets[s]->phase == 1 && r->sheets[s]->round == 1) {
            sum += r->sheets[s]->total;
            n_first++;
        }
    if (n_first < 2)
        return 0;
    for (size_t s = 0; s < r->n_sheets; s++) {
        const Ocop__EvalSheet *sheet = r->sheets[s];
        if (sheet->phase != 1 || sheet->round != 1)
            continue;
        char group[160];
        int len = snprintf(group, sizeof group, "%s/%s", r->council_id, sheet->member_id);
        if (len < 0 || (size_t)len >= sizeof group)
            return EOVERFLOW;
        ocop_key_t key;
        s_record_key(&key, AUD_TALLY_MEMBER, group, a->province, a->year);
        if (key.overflow)
            return EOVERFLOW;
        aud_tally_member_t m;
        int rc = s_read(a, &key, &m, sizeof m);
        if (rc != 0)
            return rc;
        double d = sheet->total - (sum - sheet->total) / (double)(n_first - 1);
        if (m.n++ == 0)
            m.first = a->entry;
        m.sum += d;
        m.sum_squares += d * d;
        if ((rc = s_write(a, &key, &m, sizeof m)) != 0 || (rc = s_entry(a, AUD_TALLY_MEMBER, group)) != 0)
            return rc;
    }
    return 0;
}

static int s_spread(const s_add_t *a, const Ocop__EvalResultDisclosed *r)
{
    if (!(r->result->first_round_spread > AUD_TALLY_SPREAD_LIMIT))
        return 0;
    aud_tally_spread_t f = {r->result->first_round_spread, r->result->final_spread, r->result->round};
    char buf[512];
    memcpy(buf, &f, sizeof f);
    int len = snprintf(buf + sizeof f, sizeof buf - sizeof f, "%s%c%s%c%s%c%s", a->province, '\0', a->year, '\0',
                       r->session_id, '\0', r->result->product_id);
    if (len < 0 || (size_t)len >= sizeof buf - sizeof f)
        return EOVERFLOW;
    ocop_key_t key;
    ocop_key_init(&key);
    ocop_key_str(&key, AUD_TALLY_SPREAD);
    ocop_key_u64(&key, a->entry);
    int rc = s_write(a, &key, buf, sizeof f + (size_t)len + 1);
    if (rc != 0)
        return rc;
    uint64_t count;
    s_record_key(&key, AUD_TALLY_SPREAD_COUNT, "", a->province, a->year);
    if ((rc = s_read(a, &key, &count, sizeof count)) != 0)
        return rc;
    count++;
    return s_write(a, &key, &count, sizeof count);
}

/* Every id fits its keys and records: checked before the first write, so that a result is
 * tallied whole or not at all. */
static int s_ids_fit(const Ocop__EvalResultDisclosed *r)
{
    const char *ids[] = {r->council_id, r->province_code, r->session_id, r->result->product_id};
    for (size_t i = 0; i < sizeof ids / sizeof ids[0]; i++)
        if (strlen(ids[i]) > AUD_TALLY_ID_MAX)
            return 0;
    for (size_t s = 0; s < r->n_sheets; s++)
        if (strlen(r->sheets[s]->member_id) > AUD_TALLY_ID_MAX)
            return 0;
    return 1;
}

int aud_tally_result(MDB_txn *txn, const aud_tally_db_t *db, uint64_t entry, const Ocop__EvalResultDisclosed *r)
{
    if (!r->result)
        return 0;
    if (!s_ids_fit(r))
        return EOVERFLOW;
    char year[8];
    snprintf(year, sizeof year, "%.4s", r->date);
    s_add_t a = {txn, db, entry, r->province_code, year};
    aud_tally_last_t before;
    int found, rc;
    if ((rc = s_last_province(&a, r, &before, &found)) != 0 ||
        (rc = s_group_add(&a, AUD_TALLY_COUNCIL, r->council_id, r, NULL)) != 0 ||
        (rc = s_group_add(&a, AUD_TALLY_PROVINCE, r->province_code, r, found ? &before : NULL)) != 0 ||
        (rc = s_members(&a, r)) != 0)
        return rc;
    return s_spread(&a, r);
}

/* ---------------------------------------------------------------- reading */

/* The NUL-terminated string at *p within end; NULL when there is none. */
static const char *s_take(const char **p, const char *end)
{
    const char *s = *p;
    const char *nul = s < end ? memchr(s, '\0', (size_t)(end - s)) : NULL;
    if (!nul)
        return NULL;
    *p = nul + 1;
    return s;
}

/* Calls visit for each record from start on whose key begins with prefix, in key order, with
 * the key's bytes after the prefix. Stops at visit's first non-zero return and returns it; MDB
 * codes (the end of the records is 0). */
static int s_walk(MDB_txn *txn, MDB_dbi dbi, const ocop_key_t *start, const ocop_key_t *prefix,
                  int (*visit)(void *user, const MDB_val *rest, const MDB_val *value), void *user)
{
    ocop_scan_t scan;
    int rc = ocop_scan_open(&scan, txn, dbi, prefix, start);
    while (rc == 0 && ocop_scan_next(&scan)) {
        MDB_val rest = {.mv_size = scan.key.size - prefix->len, .mv_data = (uint8_t *)scan.key.data + prefix->len};
        MDB_val value = ocop_bytes_val(scan.value);
        int vrc = visit(user, &rest, &value);
        if (vrc != 0) {
            ocop_scan_fail(&scan, vrc);
            break;
        }
    }
    return ocop_scan_close(&scan, rc);
}

typedef struct {
    int (*fn)(void *user, const aud_tally_record_t *rec);
    void *user;
} s_each_t;

static int s_each_record(void *user, const MDB_val *rest, const MDB_val *value)
{
    const s_each_t *e = user;
    const char *p = rest->mv_data, *end = p + rest->mv_size;
    aud_tally_record_t rec = {.value = value->mv_data, .size = value->mv_size};
    if (!(rec.group = s_take(&p, end)) || !(rec.province = s_take(&p, end)) || !(rec.year = s_take(&p, end)))
        return MDB_CORRUPTED;
    return e->fn(e->user, &rec);
}

int aud_tally_each(MDB_txn *txn, const aud_tally_db_t *db, const char *family,
                   int (*fn)(void *user, const aud_tally_record_t *rec), void *user)
{
    ocop_key_t prefix;
    ocop_key_init(&prefix);
    ocop_key_str(&prefix, family);
    s_each_t e = {fn, user};
    return s_walk(txn, db->sums, &prefix, &prefix, s_each_record, &e);
}

typedef struct {
    int (*fn)(void *user, const aud_tally_spread_row_t *row);
    void *user;
} s_each_spread_t;

static int s_each_spread_row(void *user, const MDB_val *rest, const MDB_val *value)
{
    const s_each_spread_t *e = user;
    aud_tally_spread_row_t row;
    if (rest->mv_size != 8 || value->mv_size < sizeof row.figures)
        return MDB_CORRUPTED;
    const char *p = (const char *)value->mv_data + sizeof row.figures,
               *end = (const char *)value->mv_data + value->mv_size;
    row.entry = ocop_be64_get(rest->mv_data);
    memcpy(&row.figures, value->mv_data, sizeof row.figures);
    if (!(row.province = s_take(&p, end)) || !(row.year = s_take(&p, end)) || !(row.session_id = s_take(&p, end)) ||
        !(row.product_id = s_take(&p, end)))
        return MDB_CORRUPTED;
    return e->fn(e->user, &row);
}

int aud_tally_each_spread(MDB_txn *txn, const aud_tally_db_t *db,
                          int (*fn)(void *user, const aud_tally_spread_row_t *row), void *user)
{
    ocop_key_t prefix;
    ocop_key_init(&prefix);
    ocop_key_str(&prefix, AUD_TALLY_SPREAD);
    s_each_spread_t e = {fn, user};
    return s_walk(txn, db->sums, &prefix, &prefix, s_each_spread_row, &e);
}

typedef struct {
    const char *province;
    unsigned year;
    uint64_t *out;
    size_t max, *n;
    uint64_t *next;
} s_page_t;

/* 1 once the page is full (*next then names the entry that did not fit). value: the entry, then
 * its province and year. */
static int s_page_entry(s_page_t *pg, const ocop_bytes_t *value)
{
    if (value->size < 8)
        return MDB_CORRUPTED;
    const char *p = (const char *)value->data + 8, *end = (const char *)value->data + value->size, *prov, *yr;
    if (!(prov = s_take(&p, end)) || !(yr = s_take(&p, end)))
        return MDB_CORRUPTED;
    uint64_t entry = ocop_be64_get(value->data);
    if ((*pg->province && strcmp(prov, pg->province) != 0) || (pg->year && (unsigned)atoi(yr) != pg->year))
        return 0;
    if (*pg->n == pg->max) {
        *pg->next = entry;
        return 1;
    }
    pg->out[(*pg->n)++] = entry;
    return 0;
}

int aud_tally_entries(MDB_txn *txn, const aud_tally_db_t *db, const char *family, const char *group,
                      const char *province, unsigned year, uint64_t cursor, uint64_t *out, size_t max, size_t *n,
                      uint64_t *next)
{
    ocop_key_t key;
    ocop_key_init(&key);
    ocop_key_str(&key, family);
    ocop_key_str(&key, group);
    *n = 0;
    *next = 0;
    if (key.overflow)
        return 0; /* no group has so long a name */
    uint8_t from[8];
    ocop_be64_put(from, cursor);
    s_page_t pg = {province, year, out, max, n, next};
    ocop_scan_t scan;
    int rc = ocop_scan_open(&scan, txn, db->entries, &key, &key), vrc = 0;
    ocop_scan_from_value(&scan, from, sizeof from);
    while (rc == 0 && vrc == 0 && ocop_scan_next(&scan))
        vrc = s_page_entry(&pg, &scan.value);
    if (vrc != 0 && vrc != 1)
        ocop_scan_fail(&scan, vrc);
    return ocop_scan_close(&scan, rc);
}

int aud_tally_entries_in(ocop_ctx_t *ctx, Ocop__Reply *reply, const aud_tally_db_t *db, const char *family,
                         const char *group, const char *province, unsigned year, uint64_t cursor, uint64_t *out,
                         size_t max, size_t *n, uint64_t *next)
{
    int rc = aud_tally_entries(ocop_ctx_txn(ctx), db, family, group, province, year, cursor, out, max, n, next);
    return rc == 0 ? 0 : ocop_ctx_db_error(ctx, reply, rc, "reading the reports' tallies");
}
