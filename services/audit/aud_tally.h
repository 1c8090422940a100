/* aud_tally — the figures of the integrity reports, kept up to date as evaluation results
 * (EvalResultDisclosed) enter the log, in the transaction that appends them. A report then
 * reads a few records per row instead of every result in the log.
 *
 * Databases (keys built with ocop_key_*, "|" separates parts):
 *   sums     "council"|council|province|year    -> aud_tally_group_t  (bunching by council)
 *            "province"|province|province|year  -> aud_tally_group_t  (bunching by province-year,
 *                                                                       distribution)
 *            "member"|council/member|province|year -> aud_tally_member_t (leniency)
 *            "spread"|entry(u64)                 -> aud_tally_spread_t, then province, year,
 *                                                   session and product, each NUL-terminated
 *            "spread_count"|""|province|year      -> u64 (spread rows, so a page need not count)
 *            "last_province"|product             -> aud_tally_last_t (the product's latest
 *                                                   province result, for central re-scores)
 *   entries  family|group -> entry(u64)|province|year (NUL-terminated), sorted duplicates
 *            (MDB_DUPSORT) appended at the group's end: the entries each row rests on, in log
 *            order (keyed family|group|entry each, a group's run grew in the middle of the
 *            table, where LMDB splits pages in half; aud_migrate_indexes copies such a table)
 * Values are this machine's C structs (the store is not portable between architectures anyway). */
#ifndef AUD_TALLY_H
#define AUD_TALLY_H

#include <stdint.h>

#include "evaluation.pb-c.h"
#include "ocop_service.h"

/* The bunching histogram: results by the tenth of a point of their mean, from 40.0 to 100.0.
 * A window of at most 10 points around the 50, 70 and 90 cut-offs never leaves it. */
#define AUD_TALLY_LOW 400
#define AUD_TALLY_HIGH 1000
#define AUD_TALLY_BUCKETS (AUD_TALLY_HIGH - AUD_TALLY_LOW + 1)
#define AUD_TALLY_WINDOW_MAX 100 /* tenths of a point */
/* The councils' rule: a first-round spread wider than this sends them to another round. */
#define AUD_TALLY_SPREAD_LIMIT 10.0

#define AUD_TALLY_COUNCIL "council"
#define AUD_TALLY_PROVINCE "province"
#define AUD_TALLY_MEMBER "member"
#define AUD_TALLY_SPREAD "spread"
#define AUD_TALLY_SPREAD_COUNT "spread_count"

/* The entries table's name in the audit store; whoever opens it gives MDB_DUPSORT. */
#define AUD_TALLY_ENTRIES_TABLE "tally_row_entries"

typedef struct {
    ocop_table_t sums, entries;
} aud_tally_db_t;

/* A council's or a province's results of one province and year. */
typedef struct {
    uint64_t first; /* the first result's entry */
    uint64_t n;     /* results */
    uint32_t tenths[AUD_TALLY_BUCKETS];
    uint32_t stars[6]; /* province-level results by stars (province groups only) */
    uint64_t rescored; /* central results of a product a province council scored before */
    double gap;        /* the sum of (province mean - central mean) over those */
} aud_tally_group_t;

/* A council member's first-round deviations (total minus the other members' mean). */
typedef struct {
    uint64_t first, n;
    double sum, sum_squares;
} aud_tally_member_t;

/* A result whose first round spread wider than AUD_TALLY_SPREAD_LIMIT. */
typedef struct {
    double first_round_spread, final_spread;
    uint32_t rounds;
} aud_tally_spread_t;

typedef struct {
    uint64_t entry;
    double mean;
} aud_tally_last_t;

/* The histogram bucket of a mean: the largest b with b / 10.0 <= mean, so that for a whole
 * number of tenths K, mean >= K / 10.0 exactly when the bucket is >= K. */
long aud_tally_tenths(double mean);

/* The longest id (council, province, session, product, member) a result may have to be tallied;
 * evaluation's ids are far shorter. */
#define AUD_TALLY_ID_MAX 64

/* Adds the result logged at entry to every figure it counts in. 0, EOVERFLOW (an id longer
 * than AUD_TALLY_ID_MAX or a counter full; nothing written) or an MDB code. */
int aud_tally_result(MDB_txn *txn, const aud_tally_db_t *db, uint64_t entry, const Ocop__EvalResultDisclosed *r);

/* One sums record of a family, its key parts decoded (pointing into the transaction's pages). */
typedef struct {
    const char *group, *province, *year;
    const void *value;
    size_t size;
} aud_tally_record_t;

/* Calls fn for every record of family (council, province, member or spread_count) in key order: by group,
 * then province, then year. Stops at fn's first non-zero return and returns it; MDB codes. */
int aud_tally_each(MDB_txn *txn, const aud_tally_db_t *db, const char *family,
                   int (*fn)(void *user, const aud_tally_record_t *rec), void *user);

/* One spread row. */
typedef struct {
    uint64_t entry;
    aud_tally_spread_t figures;
    const char *province, *year, *session_id, *product_id;
} aud_tally_spread_row_t;

/* Calls fn for every spread row in log order. As aud_tally_each (fn's non-zero return stops the
 * walk and is returned). */
int aud_tally_each_spread(MDB_txn *txn, const aud_tally_db_t *db,
                          int (*fn)(void *user, const aud_tally_spread_row_t *row), void *user);

/* Up to max entries of group in family at or after cursor, in log order, whose province and
 * year pass the filters ("" and 0: any), into out; *next the entry to ask for next (0 = none). */
int aud_tally_entries(MDB_txn *txn, const aud_tally_db_t *db, const char *family, const char *group,
                      const char *province, unsigned year, uint64_t cursor, uint64_t *out, size_t max, size_t *n,
                      uint64_t *next);
/* aud_tally_entries in the request's transaction: 0, or -1 with the store error in reply. */
int aud_tally_entries_in(ocop_ctx_t *ctx, Ocop__Reply *reply, const aud_tally_db_t *db, const char *family,
                         const char *group, const char *province, unsigned year, uint64_t cursor, uint64_t *out,
                         size_t max, size_t *n, uint64_t *next);

#endif
