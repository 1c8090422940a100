/* aud_migrate_indexes — see aud_migrate.h. */
#include "aud_migrate.h"

#include <inttypes.h>
#include <stdint.h>
#include <string.h>

#include "ocop_db.h"
#include "ocop_error.h"
#include "ocop_log.h"
#include "ocop_scan.h"
#include "ocop_store.h"

/* An index of the old layout and the table of sorted duplicates it goes to: each old record
 * key|u64 -> value (value_size bytes, or any up to S_VALUE_MAX) becomes key -> u64|value. */
typedef struct {
    const char *old_name;
    const char *new_name;
    MDB_dbi new_dbi;
    size_t value_size;
} s_index_t;

#define S_ANY_SIZE SIZE_MAX
#define S_VALUE_MAX 64 /* a tally entry's province and year */

typedef struct {
    uint64_t copied; /* records copied by this start */
    int finished;    /* the old table is copied and dropped */
} s_progress_t;

/* Where the copy resumes in the old table: the old key of the new table's last record (an empty
 * key when it has none). */
static int s_resume_key(MDB_txn *txn, MDB_dbi dbi, uint8_t *key, size_t *len)
{
    ocop_bytes_t k, v;
    int rc = ocop_scan_last(txn, dbi, NULL, &k, &v);
    *len = 0;
    if (rc == MDB_NOTFOUND)
        return 0;
    if (rc == 0 && (k.size + 8 > OCOP_KEY_MAX || v.size < 8))
        rc = MDB_CORRUPTED;
    if (rc == 0) {
        memcpy(key, k.data, k.size);
        memcpy(key + k.size, v.data, 8);
        *len = k.size + 8;
    }
    return rc;
}

/* Positions cursor on the first old record after the resume key (the first of all when empty). */
static int s_seek(MDB_cursor *cursor, const uint8_t *key, size_t len, MDB_val *k, MDB_val *v)
{
    if (len == 0)
        return mdb_cursor_get(cursor, k, v, MDB_FIRST);
    *k = (MDB_val){.mv_size = len, .mv_data = (void *)key};
    int rc = mdb_cursor_get(cursor, k, v, MDB_SET_RANGE);
    if (rc == 0 && k->mv_size == len && memcmp(k->mv_data, key, len) == 0)
        rc = mdb_cursor_get(cursor, k, v, MDB_NEXT);
    return rc;
}

/* One transaction: the next AUD_MIGRATE_RECORDS records, and the old table dropped once the last
 * is copied. */
static int s_step(ocop_store_t *store, MDB_dbi old, const s_index_t *index, s_progress_t *progress)
{
    MDB_txn *txn;
    MDB_cursor *cursor = NULL;
    int rc = mdb_txn_begin(ocop_store_env(store), NULL, 0, &txn);
    if (rc != 0)
        return rc;
    uint8_t resume[OCOP_KEY_MAX], dup[8 + S_VALUE_MAX];
    size_t len;
    uint64_t n = 0;
    MDB_val k, v;
    if ((rc = s_resume_key(txn, index->new_dbi, resume, &len)) == 0 && (rc = mdb_cursor_open(txn, old, &cursor)) == 0)
        rc = s_seek(cursor, resume, len, &k, &v);
    for (; rc == 0 && n < AUD_MIGRATE_RECORDS; n++) {
        if (k.mv_size <= 8 || v.mv_size > S_VALUE_MAX ||
            (index->value_size != S_ANY_SIZE && v.mv_size != index->value_size))
            rc = MDB_CORRUPTED;
        else {
            memcpy(dup, (const uint8_t *)k.mv_data + k.mv_size - 8, 8);
            memcpy(dup + 8, v.mv_data, v.mv_size);
            MDB_val nk = {.mv_size = k.mv_size - 8, .mv_data = k.mv_data},
                    nv = {.mv_size = 8 + v.mv_size, .mv_data = dup};
            if ((rc = ocop_db_put(txn, index->new_dbi, &nk, &nv, MDB_APPENDDUP)) == 0)
                rc = mdb_cursor_get(cursor, &k, &v, MDB_NEXT);
        }
    }
    if (cursor)
        mdb_cursor_close(cursor);
    int finished = rc == MDB_NOTFOUND;
    if (finished)
        rc = ocop_db_drop(txn, old, 1);
    if (rc == 0 && (rc = mdb_txn_commit(txn)) == 0) {
        progress->copied += n;
        progress->finished = finished;
        ocop_log_info("index_migrating", "index=%s records=%" PRIu64, index->new_name, progress->copied);
    } else if (rc != 0) {
        mdb_txn_abort(txn);
    }
    return rc;
}

/* Copies one old index, when the store has it. */
static int s_migrate(aud_state_t *state, const s_index_t *index, char *err, size_t errlen)
{
    MDB_txn *txn;
    MDB_dbi old;
    int rc = mdb_txn_begin(ocop_store_env(state->store), NULL, 0, &txn);
    if (rc == 0) {
        rc = mdb_dbi_open(txn, index->old_name, 0, &old);
        if (rc == MDB_NOTFOUND) { /* made with the new layout, or migrated */
            mdb_txn_abort(txn);
            return 0;
        }
        /* Committed, so that the handle of the old table outlives this transaction. */
        if (rc == 0)
            rc = mdb_txn_commit(txn);
        else
            mdb_txn_abort(txn);
    }
    int64_t started = ocop_now_ms();
    s_progress_t progress = {0};
    if (rc == 0)
        ocop_log_info("index_migration", "from=%s to=%s", index->old_name, index->new_name);
    while (rc == 0 && !progress.finished) {
        rc = s_step(state->store, old, index, &progress);
        if (rc == MDB_MAP_FULL && ocop_store_grow(state->store) == 0)
            rc = 0; /* the same records again, in a larger map */
    }
    if (rc != 0) {
        ocop_error_format(err, errlen, "%s: migrating the index %s to %s after %" PRIu64 " records: %s",
                          ocop_store_path(state->store), index->old_name, index->new_name, progress.copied,
                          mdb_strerror(rc));
        return -1;
    }
    ocop_log_info("index_migrated", "index=%s records=%" PRIu64 " ms=%lld", index->new_name, progress.copied,
                  (long long)(ocop_now_ms() - started));
    return 0;
}

int aud_migrate_indexes(aud_state_t *state, char *err, size_t errlen)
{
    const s_index_t indexes[] = {
        {"by_key", "key_entries", state->db.key_entries, 0},
        {"source_seq", "source_entries", state->db.source_entries, 8},
        {"tally_entries", AUD_TALLY_ENTRIES_TABLE, state->db.tally.entries, S_ANY_SIZE},
    };
    for (size_t i = 0; i < sizeof indexes / sizeof indexes[0]; i++)
        if (s_migrate(state, &indexes[i], err, errlen) != 0)
            return -1;
    return 0;
}
